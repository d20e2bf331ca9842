/**
 * LDM/STM/PUSH/POP, LDRD/STRD, exclusives, CLREX and TBB/TBH (ARM ARM A5.2, A5.3.5, A5.3.6, A7).
 * Encodings were produced by GNU as for Cortex-M4.
 */
import { describe, expect, it } from 'vitest';
import { BusError } from '../../src/core/errors.js';
import { disassemble } from '../../src/cpu/armv7m/decoder.js';
import { CFSR, Exc, GuestFault } from '../../src/cpu/armv7m/faults.js';
import { DATA_BASE, STACK_TOP, makeCpuWithData, stepN, thrown } from '../helpers/cpu-harness.js';

const D = DATA_BASE;
const u = (x: number): number => x >>> 0;

const setup = makeCpuWithData;


function expectUnaligned(e: unknown): void {
  expect(e).toBeInstanceOf(GuestFault);
  expect((e as GuestFault).exception).toBe(Exc.UsageFault);
  expect((e as GuestFault).cfsr).toBe(CFSR.UNALIGNED);
}

describe('PUSH / POP', () => {
  it('PUSH stores the lowest register at the lowest address and lowers SP by 4 per register', () => {
    const h = setup([0xb5f0], { 4: 4, 5: 5, 6: 6, 7: 7, 14: 0x1e }); // push {r4-r7, lr}
    h.cpu.step();
    expect(h.cpu.r[13]).toBe(STACK_TOP - 20);
    const sp = STACK_TOP - 20;
    expect([0, 4, 8, 12, 16].map((o) => h.bus.read32(sp + o))).toEqual([4, 5, 6, 7, 0x1e]);
  });

  it('POP restores in the same order, raises SP, and branches through LoadWritePC (odd address: Thumb)', () => {
    const h = setup([0xb5f0, 0xbdf0], { 4: 4, 5: 5, 6: 6, 7: 7, 14: 0x301 }); // push {r4-r7, lr}; pop {r4-r7, pc}
    h.cpu.step();
    h.cpu.r[4] = h.cpu.r[5] = h.cpu.r[6] = h.cpu.r[7] = 0;
    h.cpu.step();
    expect([h.cpu.r[4], h.cpu.r[5], h.cpu.r[6], h.cpu.r[7]]).toEqual([4, 5, 6, 7]);
    expect(h.cpu.r[13]).toBe(STACK_TOP);
    expect(h.cpu.pc).toBe(0x300);
    expect(h.cpu.tbit).toBe(1);
  });

  it('POP {pc} with an even address clears the T bit', () => {
    const h = setup([0xbd00]); // pop {pc}
    h.cpu.r[13] = D;
    h.bus.write32(D, 0x400);
    h.cpu.step();
    expect(h.cpu.pc).toBe(0x400);
    expect(h.cpu.tbit).toBe(0);
    expect(h.cpu.r[13]).toBe(D + 4);
  });

  it('PUSH.W / POP.W (STMDB SP! / LDMIA SP!) with high registers', () => {
    const regs: Record<number, number> = { 14: 0x501 };
    for (let i = 4; i <= 11; i++) regs[i] = 0x100 * i;
    const h = setup([0xe92d4ff0, 0xe8bd8ff0], regs); // push.w {r4-r11, lr}; pop.w {r4-r11, pc}
    h.cpu.step();
    expect(h.cpu.r[13]).toBe(STACK_TOP - 36);
    expect(h.bus.read32(STACK_TOP - 36)).toBe(0x400);
    expect(h.bus.read32(STACK_TOP - 4)).toBe(0x501);
    for (let i = 4; i <= 11; i++) h.cpu.r[i] = 0;
    h.cpu.step();
    for (let i = 4; i <= 11; i++) expect(h.cpu.r[i]).toBe(0x100 * i);
    expect(h.cpu.r[13]).toBe(STACK_TOP);
    expect(h.cpu.pc).toBe(0x500);
  });

  it('PUSH into unmapped memory throws BusError and leaves SP unchanged', () => {
    const h = setup([0xb5f0]); // push {r4-r7, lr}: first address SP-20 is below RAM
    h.cpu.r[13] = D + 8;
    const e = thrown(() => h.cpu.step());
    expect(e).toBeInstanceOf(BusError);
    expect(h.cpu.r[13]).toBe(D + 8);
  });

  it('POP {pc} of an EXC_RETURN value in handler mode returns after SP has been written back', () => {
    const h = setup([0xbd00]); // pop {pc}
    h.cpu.r[13] = D;
    h.bus.write32(D, 0xfffffff9);
    h.cpu.ipsr = 3;
    let spAtReturn = 0;
    let excReturn = 0;
    h.cpu.exc.exceptionReturn = (v: number) => {
      spAtReturn = h.cpu.r[13]!;
      excReturn = v;
    };
    h.cpu.step();
    expect(u(excReturn)).toBe(0xfffffff9);
    expect(spAtReturn).toBe(D + 4);
  });

  it('cycles: PUSH 1+N, POP with PC 1+N+3', () => {
    const h = setup([0xb5f0, 0xbdf0], { 14: 0x301 });
    h.cpu.step();
    expect(h.cpu.cycles).toBe(6);
    h.cpu.step();
    expect(h.cpu.cycles).toBe(6 + 9);
  });
});

describe('LDM / STM', () => {
  it('LDM T1 writes back when the base is not in the list', () => {
    const h = setup([0xc806], { 0: D }, [11, 22]); // ldmia r0!, {r1, r2}
    h.cpu.step();
    expect([h.cpu.r[1], h.cpu.r[2], h.cpu.r[0]]).toEqual([11, 22, D + 8]);
  });

  it('LDM T1 with the base in the list: no writeback, the base gets the loaded value', () => {
    const a = setup([0xc803], { 0: D }, [11, 22]); // ldmia r0, {r0, r1}
    a.cpu.step();
    expect([a.cpu.r[0], a.cpu.r[1]]).toEqual([11, 22]);
    const b = setup([0xc907], { 1: D }, [11, 22, 33]); // ldmia r1, {r0, r1, r2}
    b.cpu.step();
    expect([b.cpu.r[0], b.cpu.r[1], b.cpu.r[2]]).toEqual([11, 22, 33]);
  });

  it('STM T1 stores ascending and writes back; a base that is lowest in the list stores its old value', () => {
    const a = setup([0xc00e], { 0: D, 1: 1, 2: 2, 3: 3 }); // stmia r0!, {r1, r2, r3}
    a.cpu.step();
    expect([a.bus.read32(D), a.bus.read32(D + 4), a.bus.read32(D + 8)]).toEqual([1, 2, 3]);
    expect(a.cpu.r[0]).toBe(D + 12);
    const b = setup([0xc003], { 0: D + 16, 1: 7 }); // stmia r0!, {r0, r1}
    b.cpu.step();
    expect(b.bus.read32(D + 16)).toBe(D + 16);
    expect(b.bus.read32(D + 20)).toBe(7);
    expect(b.cpu.r[0]).toBe(D + 24);
  });

  it('LDMIA.W with and without writeback, LDMDB/STMDB', () => {
    const a = setup([0xe8b00006], { 0: D }, [5, 6]); // ldmia.w r0!, {r1, r2}
    a.cpu.step();
    expect([a.cpu.r[1], a.cpu.r[2], a.cpu.r[0]]).toEqual([5, 6, D + 8]);
    const b = setup([0xe8900202], { 0: D }, [5, 6]); // ldmia.w r0, {r1, r9}
    b.cpu.step();
    expect([b.cpu.r[1], b.cpu.r[9], b.cpu.r[0]]).toEqual([5, 6, D]);
    const c = setup([0xe9200202], { 0: D + 8, 1: 0x11, 9: 0x99 }); // stmdb r0!, {r1, r9}
    c.cpu.step();
    expect([c.bus.read32(D), c.bus.read32(D + 4), c.cpu.r[0]]).toEqual([0x11, 0x99, D]);
    const d = setup([0xe9304006], { 0: D + 12 }, [1, 2, 3]); // ldmdb r0!, {r1, r2, lr}
    d.cpu.step();
    expect([d.cpu.r[1], d.cpu.r[2], d.cpu.r[14], d.cpu.r[0]]).toEqual([1, 2, 3, D]);
    const e = setup([0xe8a00202], { 0: D, 1: 0x11, 9: 0x99 }); // stmia.w r0!, {r1, r9}
    e.cpu.step();
    expect([e.bus.read32(D), e.bus.read32(D + 4), e.cpu.r[0]]).toEqual([0x11, 0x99, D + 8]);
  });

  it('unaligned LDM/STM fault UNALIGNED even with UNALIGN_TRP clear, changing nothing', () => {
    const a = setup([0xe8b00006], { 0: D + 2, 1: 0x77 }); // ldmia.w r0!, {r1, r2}
    expectUnaligned(thrown(() => a.cpu.step()));
    expect([a.cpu.r[0], a.cpu.r[1]]).toEqual([D + 2, 0x77]);
    const b = setup([0xc00e], { 0: D + 1, 1: 1 }); // stmia r0!, {r1, r2, r3}
    expectUnaligned(thrown(() => b.cpu.step()));
    expect(b.cpu.r[0]).toBe(D + 1);
    expect(b.bus.read32(D + 4)).toBe(0);
  });

  it('a bus error part-way through LDM commits no register', () => {
    const end = D + 0x4_0000; // end of data RAM
    const h = setup([0xe8b0000e], { 0: end - 4, 1: 1, 2: 2, 3: 3 }); // ldmia.w r0!, {r1, r2, r3}
    h.bus.write32(end - 4, 0xaaaa);
    const e = thrown(() => h.cpu.step());
    expect(e).toBeInstanceOf(BusError);
    expect((e as BusError).address).toBe(end);
    expect([h.cpu.r[0], h.cpu.r[1], h.cpu.r[2], h.cpu.r[3]]).toEqual([end - 4, 1, 2, 3]);
  });

  it('a one-register LDM.W does the single transfer; an empty 16-bit list is UNDEFINED', () => {
    const a = setup([0xe8900002], { 0: D }, [0x42]); // ldmia.w r0, {r1}
    a.cpu.step();
    expect(a.cpu.r[1]).toBe(0x42);
    const e = thrown(() => setup([0xc800], { 0: D }).cpu.step()); // ldmia r0!, {}
    expect((e as GuestFault).cfsr).toBe(CFSR.UNDEFINSTR);
  });

  it('32-bit LDM with writeback and the base in the list is UNPREDICTABLE: UNDEFINED here', () => {
    const h = setup([0xe8b00003], { 0: D }); // ldmia.w r0!, {r0, r1}
    const e = thrown(() => h.cpu.step());
    expect((e as GuestFault).cfsr).toBe(CFSR.UNDEFINSTR);
  });
});

describe('LDRD / STRD', () => {
  it('offset, pre-indexed and post-indexed forms', () => {
    const a = setup([0xe9d20102], { 2: D }, [0, 0, 0xa, 0xb]); // ldrd r0, r1, [r2, #8]
    a.cpu.step();
    expect([a.cpu.r[0], a.cpu.r[1], a.cpu.r[2]]).toEqual([0xa, 0xb, D]);
    const b = setup([0xe9720102], { 2: D + 8 }, [0xc, 0xd]); // ldrd r0, r1, [r2, #-8]!
    b.cpu.step();
    expect([b.cpu.r[0], b.cpu.r[1], b.cpu.r[2]]).toEqual([0xc, 0xd, D]);
    const c = setup([0xe8f20102], { 2: D }, [0xe, 0xf]); // ldrd r0, r1, [r2], #8
    c.cpu.step();
    expect([c.cpu.r[0], c.cpu.r[1], c.cpu.r[2]]).toEqual([0xe, 0xf, D + 8]);
    const d = setup([0xe9420102], { 0: 1, 1: 2, 2: D + 8 }); // strd r0, r1, [r2, #-8]
    d.cpu.step();
    expect([d.bus.read32(D), d.bus.read32(D + 4), d.cpu.r[2]]).toEqual([1, 2, D + 8]);
    const e = setup([0xe9e20102], { 0: 1, 1: 2, 2: D }); // strd r0, r1, [r2, #8]!
    e.cpu.step();
    expect([e.bus.read32(D + 8), e.bus.read32(D + 12), e.cpu.r[2]]).toEqual([1, 2, D + 8]);
    const f = setup([0xe8620102], { 0: 1, 1: 2, 2: D + 8 }); // strd r0, r1, [r2], #-8
    f.cpu.step();
    expect([f.bus.read32(D + 8), f.bus.read32(D + 12), f.cpu.r[2]]).toEqual([1, 2, D]);
    expect(f.cpu.cycles).toBe(3);
  });

  it('literal form reads Align(PC,4) + imm', () => {
    const h = setup([0xe9df0102]); // ldrd r0, r1, [pc, #8] at 0x100 → 0x10c
    h.bus.write32(0x10c, 0x1234);
    h.bus.write32(0x110, 0x5678);
    h.cpu.step();
    expect([h.cpu.r[0], h.cpu.r[1]]).toEqual([0x1234, 0x5678]);
  });

  it('word alignment suffices; an unaligned address faults UNALIGNED with no writeback', () => {
    const ok = setup([0xe9d20102], { 2: D + 4 }, [0, 0, 0, 9, 8]);
    ok.cpu.step();
    expect([ok.cpu.r[0], ok.cpu.r[1]]).toEqual([9, 8]);
    const bad = setup([0xe8f20102], { 0: 0x33, 2: D + 2 }); // ldrd r0, r1, [r2], #8
    expectUnaligned(thrown(() => bad.cpu.step()));
    expect([bad.cpu.r[0], bad.cpu.r[2]]).toEqual([0x33, D + 2]);
    const st = setup([0xe9e20102], { 2: D + 1 }); // strd r0, r1, [r2, #8]!
    expectUnaligned(thrown(() => st.cpu.step()));
    expect(st.cpu.r[2]).toBe(D + 1);
  });

  it('a bus error on the second word of LDRD commits neither register', () => {
    const end = D + 0x4_0000;
    const h = setup([0xe9d20100], { 0: 1, 1: 2, 2: end - 4 }); // ldrd r0, r1, [r2]
    expect(thrown(() => h.cpu.step())).toBeInstanceOf(BusError);
    expect([h.cpu.r[0], h.cpu.r[1]]).toEqual([1, 2]);
  });
});

describe('exclusives', () => {
  it('LDREX then STREX to the same address succeeds (Rd = 0), writes, and opens the monitor', () => {
    const h = setup([0xe8510f00, 0xe8413200], { 1: D, 3: 0x77 }, [0x55]); // ldrex r0,[r1]; strex r2,r3,[r1]
    h.cpu.step();
    expect(h.cpu.r[0]).toBe(0x55);
    expect(h.cpu.exclusiveAddr).toBe(D);
    h.cpu.step();
    expect(h.cpu.r[2]).toBe(0);
    expect(h.bus.read32(D)).toBe(0x77);
    expect(h.cpu.exclusiveAddr).toBe(-1);
  });

  it('a second STREX fails (Rd = 1) without writing', () => {
    const h = setup([0xe8510f00, 0xe8413200, 0xe8413200], { 1: D, 3: 0x77 }, [0x55]);
    stepN(h.cpu, 2);
    h.cpu.r[3] = 0x88;
    h.cpu.step();
    expect(h.cpu.r[2]).toBe(1);
    expect(h.bus.read32(D)).toBe(0x77);
  });

  it('STREX to another address fails and clears the monitor', () => {
    // ldrex r0,[r1]; strex r2,r3,[r1,#4]; strex r2,r3,[r1]
    const h = setup([0xe8510f00, 0xe8413201, 0xe8413200], { 1: D, 3: 0x77 }, [0x55, 0x66]);
    stepN(h.cpu, 2);
    expect(h.cpu.r[2]).toBe(1);
    expect(h.bus.read32(D + 4)).toBe(0x66);
    h.cpu.step();
    expect(h.cpu.r[2]).toBe(1);
    expect(h.bus.read32(D)).toBe(0x55);
  });

  it('LDREX with an offset tags base + imm', () => {
    const h = setup([0xe8510f01, 0xe8413201], { 1: D, 3: 0x99 }, [0, 0x66]); // ldrex r0,[r1,#4]; strex r2,r3,[r1,#4]
    stepN(h.cpu, 2);
    expect(h.cpu.r[0]).toBe(0x66);
    expect(h.cpu.r[2]).toBe(0);
    expect(h.bus.read32(D + 4)).toBe(0x99);
  });

  it('CLREX makes the next STREX fail', () => {
    const h = setup([0xe8510f00, 0xf3bf8f2f, 0xe8413200], { 1: D, 3: 0x77 }, [0x55]); // ldrex; clrex; strex
    stepN(h.cpu, 3);
    expect(h.cpu.r[2]).toBe(1);
    expect(h.bus.read32(D)).toBe(0x55);
  });

  it('byte and halfword exclusives', () => {
    // ldrexb r0,[r1]; strexb r2,r3,[r1]; ldrexh r0,[r1]; strexh r2,r3,[r1]
    const h = setup([0xe8d10f4f, 0xe8c13f42, 0xe8d10f5f, 0xe8c13f52], { 1: D + 2, 3: 0x1234abcd }, [0x8899aabb]);
    h.cpu.step();
    expect(h.cpu.r[0]).toBe(0x99);
    h.cpu.step();
    expect(h.cpu.r[2]).toBe(0);
    expect(u(h.bus.read32(D))).toBe(0x88cdaabb);
    h.cpu.step();
    expect(h.cpu.r[0]).toBe(0x88cd);
    h.cpu.step();
    expect(h.cpu.r[2]).toBe(0);
    expect(u(h.bus.read32(D))).toBe(0xabcdaabb);
  });

  it('STREX without a preceding LDREX fails', () => {
    const h = setup([0xe8413200], { 1: D, 3: 1 }, [0]);
    h.cpu.step();
    expect(h.cpu.r[2]).toBe(1);
    expect(h.bus.read32(D)).toBe(0);
  });

  it('unaligned LDREX/LDREXH/STREX fault UNALIGNED (STREX even with the monitor open)', () => {
    expectUnaligned(thrown(() => setup([0xe8510f00], { 1: D + 2 }).cpu.step()));
    expectUnaligned(thrown(() => setup([0xe8d10f5f], { 1: D + 1 }).cpu.step()));
    const s = setup([0xe8413200], { 1: D + 2, 2: 7 });
    expectUnaligned(thrown(() => s.cpu.step()));
    expect(s.cpu.r[2]).toBe(7);
  });
});

describe('TBB / TBH', () => {
  it('TBB [pc, r0] branches to PC + 2 * table byte', () => {
    const h = setup([0xe8dff000], { 0: 2 }); // at 0x100, table at 0x104
    h.bus.write8(0x106, 5);
    h.cpu.step();
    expect(h.cpu.pc).toBe(0x104 + 10);
    expect(h.cpu.cycles).toBe(4);
  });

  it('TBH [pc, r0, lsl #1] branches to PC + 2 * table halfword', () => {
    const h = setup([0xe8dff010], { 0: 3 }); // table at 0x104, entry 3 at 0x10a
    h.bus.write16(0x10a, 0x0100);
    h.cpu.step();
    expect(h.cpu.pc).toBe(0x104 + 0x200);
  });

  it('TBB with a table in data memory; bytes are unsigned', () => {
    const h = setup([0xe8d1f000], { 0: 1, 1: D }); // tbb [r1, r0]
    h.bus.write8(D + 1, 0xff);
    h.cpu.step();
    expect(h.cpu.pc).toBe(0x104 + 0x1fe);
  });
});

describe('disassembly', () => {
  const cases: [number, string][] = [
    [0xb5f0, 'push {r4-r7, lr}'],
    [0xbd00, 'pop {pc}'],
    [0xc803, 'ldmia r0, {r0, r1}'],
    [0xc806, 'ldmia r0!, {r1, r2}'],
    [0xc00e, 'stmia r0!, {r1-r3}'],
    [0xe8b00006, 'ldmia.w r0!, {r1, r2}'],
    [0xe92d4ff0, 'push.w {r4-r11, lr}'],
    [0xe8bd8ff0, 'pop.w {r4-r11, pc}'],
    [0xe9304006, 'ldmdb r0!, {r1, r2, lr}'],
    [0xe8421000, 'strex r0, r1, [r2]'],
    [0xe8413201, 'strex r2, r3, [r1, #4]'],
    [0xe8d10f4f, 'ldrexb r0, [r1]'],
    [0xe8c13f52, 'strexh r2, r3, [r1]'],
    [0xe9720102, 'ldrd r0, r1, [r2, #-8]!'],
    [0xe8620102, 'strd r0, r1, [r2], #-8'],
    [0xf3bf8f2f, 'clrex'],
    [0xe8dff000, 'tbb [pc, r0]'],
    [0xe8dff010, 'tbh [pc, r0, lsl #1]'],
  ];
  for (const [raw, text] of cases) {
    it(text, () => expect(disassemble(raw, raw > 0xffff ? 4 : 2, 0x100)).toBe(text));
  }
  it('LDRD literal shows the address', () => {
    expect(disassemble(0xe9df0102, 4, 0x100)).toBe('ldrd r0, r1, [pc, #8] ; 0x0000010c');
  });
});

describe('UNDEFINED encodings in the load/store space', () => {
  // SRS/RFE (not in ARMv7-M), 1111 100x x111 (A5.3 UNDEFINED), Advanced SIMD element/structure space,
  // LDR with op1 = 1x, LDREX with Rt = PC, STREX with Rd = Rt, LDM/STM with Rn = PC, register forms with
  // op2 != 000000, P = W = 0 in the imm8 forms.
  const cases: [number, string][] = [
    [0xe80dc000, 'SRSDB'],
    [0xe990c000, 'RFEIA'],
    [0xf8700000, 'hw1 1111 1000 0111'],
    [0xf9000000, 'hw1 1111 1001 0000'],
    [0xf9500000, 'LDR with op1 = 10'],
    [0xe850ff00, 'LDREX pc'],
    [0xe8411100, 'STREX r1, r1'],
    [0xe89f0006, 'LDMIA pc'],
    [0xf8510040, 'LDR (register) with op2 = 000001'],
    [0xf8510804, 'LDR imm8 with P = W = 0'],
  ];
  for (const [raw, what] of cases) {
    it(what, () => {
      const e = thrown(() => setup([raw]).cpu.step());
      expect(e).toBeInstanceOf(GuestFault);
      expect((e as GuestFault).cfsr).toBe(CFSR.UNDEFINSTR);
    });
  }
});
