/**
 * Load/store single data item (ARM ARM A5.2.4, A5.3.7–A5.3.10): addressing modes, extension, alignment,
 * literals, loads to PC, hints, fault atomicity. Encodings were produced by GNU as for Cortex-M4.
 */
import { describe, expect, it } from 'vitest';
import { BusError } from '../../src/core/errors.js';
import { disassemble } from '../../src/cpu/armv7m/decoder.js';
import { CFSR, Exc, GuestFault } from '../../src/cpu/armv7m/faults.js';
import { DATA_BASE, makeCpu, makeCpuWithData, stepN, thrown } from '../helpers/cpu-harness.js';

const D = DATA_BASE;

/** Runs `code` at 0x100 with registers and data words at DATA_BASE; returns the harness. */
function run(code: number[], regs: Record<number, number> = {}, words: number[] = [], steps = code.length) {
  const h = makeCpuWithData(code, regs, words);
  stepN(h.cpu, steps);
  return h;
}


const u = (x: number): number => x >>> 0;

describe('16-bit immediate and register offsets', () => {
  it('LDR/STR (immediate) T1 scale imm5 by 4', () => {
    const { cpu, bus } = run([0x6848, 0x6088], { 1: D }, [0, 0x11223344, 0]); // ldr r0,[r1,#4]; str r0,[r1,#8]
    expect(u(cpu.r[0]!)).toBe(0x11223344);
    expect(u(bus.read32(D + 8))).toBe(0x11223344);
    expect(cpu.r[1]).toBe(D);
  });

  it('LDRB/STRB/LDRH/STRH (immediate) T1: byte offset unscaled, halfword scaled by 2, zero-extended', () => {
    const { cpu } = run([0x78c8], { 1: D }, [0x80a0b0c0]); // ldrb r0,[r1,#3]
    expect(cpu.r[0]).toBe(0x80);
    const h = run([0x8848], { 1: D }, [0x8001ffff]); // ldrh r0,[r1,#2]
    expect(h.cpu.r[0]).toBe(0x8001);
    const s = run([0x70c8, 0x8048], { 0: 0x12345678, 1: D }, [0]); // strb r0,[r1,#3]; strh r0,[r1,#2]
    expect(u(s.bus.read32(D))).toBe(0x56780000);
  });

  it('register offset T1 forms, with sign extension for LDRSB/LDRSH', () => {
    const words = [0x8081f0ff];
    // ldrsb r3,[r4,r5] with r5=1 → 0xf0 sign-extended
    expect(run([0x5763], { 4: D, 5: 1 }, words).cpu.r[3]).toBe(-16);
    // ldrb r3,[r4,r5]
    expect(run([0x5d63], { 4: D, 5: 1 }, words).cpu.r[3]).toBe(0xf0);
    // ldrsh r3,[r4,r5] with r5=2 → 0x8081 sign-extended
    expect(u(run([0x5f63], { 4: D, 5: 2 }, words).cpu.r[3]!)).toBe(0xffff8081);
    // ldrh r3,[r4,r5]
    expect(run([0x5b63], { 4: D, 5: 2 }, words).cpu.r[3]).toBe(0x8081);
    // ldr r0,[r1,r2] with a negative index register
    expect(u(run([0x5888], { 1: D + 8, 2: -8 }, words).cpu.r[0]!)).toBe(0x8081f0ff);
    // str/strh/strb r3,[r4,r5]
    const st = run([0x5163], { 3: 0xdeadbeef, 4: D, 5: 4 }, [0, 0]);
    expect(u(st.bus.read32(D + 4))).toBe(0xdeadbeef);
    const sh = run([0x5363], { 3: 0xdeadbeef, 4: D, 5: 2 }, [0]);
    expect(u(sh.bus.read32(D))).toBe(0xbeef0000);
    const sb = run([0x5563], { 3: 0xdeadbeef, 4: D, 5: 1 }, [0]);
    expect(u(sb.bus.read32(D))).toBe(0x0000ef00);
  });

  it('SP-relative LDR/STR T2', () => {
    const h = makeCpu([0x9202, 0x9a02]); // str r2,[sp,#8]; ldr r2,[sp,#8]
    h.cpu.r[13] = D + 0x100;
    h.cpu.r[2] = 0x55aa55aa;
    h.cpu.step();
    expect(u(h.bus.read32(D + 0x108))).toBe(0x55aa55aa);
    h.cpu.r[2] = 0;
    h.cpu.step();
    expect(h.cpu.r[2]).toBe(0x55aa55aa);
  });
});

describe('32-bit immediate forms: offset, pre-indexed, post-indexed', () => {
  it('LDR.W pre-indexed with negative offset writes back the offset address', () => {
    const { cpu } = run([0xf8510d04], { 1: D + 8 }, [0, 0x77, 0]); // ldr.w r0,[r1,#-4]!
    expect(cpu.r[0]).toBe(0x77);
    expect(cpu.r[1]).toBe(D + 4);
  });

  it('LDR.W pre-indexed with positive offset', () => {
    const { cpu } = run([0xf8510f04], { 1: D }, [0, 0x66]); // ldr.w r0,[r1,#4]!
    expect(cpu.r[0]).toBe(0x66);
    expect(cpu.r[1]).toBe(D + 4);
  });

  it('post-indexed loads use the base as the address, then write back base ± imm', () => {
    const a = run([0xf8510904], { 1: D + 4 }, [0, 0x99]); // ldr r0,[r1],#-4
    expect(a.cpu.r[0]).toBe(0x99);
    expect(a.cpu.r[1]).toBe(D);
    const b = run([0xf8110b01, 0xf8110b01], { 1: D }, [0x0000ab12]); // ldrb r0,[r1],#1 twice
    expect(b.cpu.r[0]).toBe(0xab);
    expect(b.cpu.r[1]).toBe(D + 2);
    const c = run([0xf9310b02], { 1: D }, [0x0000fffe]); // ldrsh r0,[r1],#2
    expect(c.cpu.r[0]).toBe(-2);
    expect(c.cpu.r[1]).toBe(D + 2);
  });

  it('offset forms do not write back: negative imm8 and imm12', () => {
    const a = run([0xf8510c08], { 1: D + 8 }, [0x1234]); // ldr.w r0,[r1,#-8]
    expect(a.cpu.r[0]).toBe(0x1234);
    expect(a.cpu.r[1]).toBe(D + 8);
    const h = makeCpu([0xf8d10fff]); // ldr.w r0,[r1,#4095]
    h.bus.write32(D + 4095, 0xcafef00d); // unaligned address, trap off
    h.cpu.r[1] = D;
    h.cpu.step();
    expect(u(h.cpu.r[0]!)).toBe(0xcafef00d);
    const s = run([0xf9110c01], { 1: D + 1 }, [0x000000c3]); // ldrsb.w r0,[r1,#-1]
    expect(s.cpu.r[0]).toBe(-61);
  });

  it('stores: pre-indexed negative, post-indexed, halfword pre-indexed', () => {
    const a = run([0xf8410d08], { 0: 0x01020304, 1: D + 8 }, [0, 0, 0]); // str.w r0,[r1,#-8]!
    expect(a.bus.read32(D)).toBe(0x01020304);
    expect(a.cpu.r[1]).toBe(D);
    const b = run([0xf8410b0c], { 0: 7, 1: D }, [0]); // str r0,[r1],#12
    expect(b.bus.read32(D)).toBe(7);
    expect(b.cpu.r[1]).toBe(D + 12);
    const c = run([0xf8210f02], { 0: 0xabcd1234, 1: D }, [0]); // strh.w r0,[r1,#2]!
    expect(u(c.bus.read32(D))).toBe(0x12340000);
    expect(c.cpu.r[1]).toBe(D + 2);
  });

  it('load with writeback into the base register: the loaded value wins (pseudocode order)', () => {
    const { cpu } = run([0xf8511f04], { 1: D }, [0, 0x4242]); // ldr.w r1,[r1,#4]!
    expect(cpu.r[1]).toBe(0x4242);
  });

  it('register offset with LSL #1..3', () => {
    const a = run([0xf8310012], { 1: D, 2: 3 }, [0, 0xbeef0000]); // ldrh.w r0,[r1,r2,lsl #1] → D+6
    expect(a.cpu.r[0]).toBe(0xbeef);
    const b = run([0xf8510022], { 1: D, 2: 2 }, [0, 0, 0x5a5a]); // ldr.w r0,[r1,r2,lsl #2] → D+8
    expect(b.cpu.r[0]).toBe(0x5a5a);
    const c = run([0xf8010032], { 0: 0x1ff, 1: D, 2: 1 }, [0, 0, 0]); // strb.w r0,[r1,r2,lsl #3] → D+8
    expect(c.bus.read32(D + 8)).toBe(0xff);
  });

  it('unprivileged forms access like the normal ones', () => {
    const a = run([0xf8510e04], { 1: D }, [0, 0x31]); // ldrt r0,[r1,#4]
    expect(a.cpu.r[0]).toBe(0x31);
    const b = run([0xf8010e01], { 0: 0x1aa, 1: D }, [0]); // strbt r0,[r1,#1]
    expect(b.bus.read32(D)).toBe(0xaa00);
  });

  it('base writeback to SP clears bits [1:0]', () => {
    const h = makeCpu([0xf81d0b01]); // ldrb r0,[sp],#1
    h.cpu.r[13] = D + 8;
    h.bus.write32(D + 8, 0x5c);
    h.cpu.step();
    expect(h.cpu.r[0]).toBe(0x5c);
    expect(h.cpu.r[13]).toBe(D + 8);
  });

  it('loads into SP clear bits [1:0]', () => {
    const { cpu } = run([0xf8d0d000], { 0: D }, [0x20001237]); // ldr.w sp,[r0]
    expect(cpu.r[13]).toBe(0x20001234);
  });
});

describe('literal loads', () => {
  it('LDR (literal) T1 reads Align(PC,4) + imm8*4 from the code region', () => {
    // at 0x100: nop-like filler (ldr r0,[pc,#8] at 0x102 → Align(0x106,4)=0x104, +8 = 0x10c)
    const h = makeCpu([0xbf00 /* never executed: pc starts at 0x102 */, 0x4802]);
    h.bus.write32(0x10c, 0x0badcafe);
    h.cpu.pc = 0x102;
    h.cpu.step();
    expect(h.cpu.r[0]).toBe(0x0badcafe);
    expect(disassemble(0x4802, 2, 0x102)).toBe('ldr r0, [pc, #8] ; 0x0000010c');
    expect(disassemble(0x4802, 2, 0x10c)).toBe('ldr r0, [pc, #8] ; 0x00000118');
  });

  it('LDR.W (literal) with U=0 subtracts; LDRSH (literal) sign-extends', () => {
    const h = makeCpu([0xf85f0004]); // ldr.w r0,[pc,#-4] at 0x100 → 0x104 - 4 = 0x100: reads itself
    h.cpu.step();
    expect(u(h.cpu.r[0]!)).toBe(0x0004f85f);
    const s = makeCpu([0xf9bf0006]); // ldrsh.w r0,[pc,#6] at 0x100 → 0x10a
    s.bus.write16(0x10a, 0x8000);
    s.cpu.step();
    expect(s.cpu.r[0]).toBe(-32768);
  });
});

describe('loads to PC', () => {
  it('LDR.W pc with an odd address branches (Thumb kept)', () => {
    const { cpu } = run([0xf8d0f004], { 0: D }, [0, 0x201]); // ldr.w pc,[r0,#4]
    expect(cpu.pc).toBe(0x200);
    expect(cpu.tbit).toBe(1);
  });

  it('LDR pc post-indexed writes back the base and branches; even address clears T', () => {
    const { cpu } = run([0xf850fb08], { 0: D }, [0x300]); // ldr pc,[r0],#8
    expect(cpu.r[0]).toBe(D + 8);
    expect(cpu.pc).toBe(0x300);
    expect(cpu.tbit).toBe(0);
  });
});

describe('alignment (A3.2)', () => {
  it('unaligned LDR reads the bytes little-endian', () => {
    const a = run([0x6848], { 1: D + 1 }, [0x44332211, 0x88776655, 0xccbbaa99]); // ldr r0,[r1,#4] → D+5
    expect(u(a.cpu.r[0]!)).toBe(0x99887766);
    const h = run([0x8848], { 1: D + 1 }, [0x44332211]); // ldrh r0,[r1,#2] → D+3
    expect(h.cpu.r[0]).toBe(0x0044); // the byte at D+4 is zero
  });

  it('unaligned halfword load across a word boundary', () => {
    const h = run([0x8848], { 1: D + 1 }, [0x44332211, 0x00000055]); // ldrh r0,[r1,#2] → D+3
    expect(h.cpu.r[0]).toBe(0x5544);
  });

  it('unaligned STR writes the bytes little-endian', () => {
    const s = run([0x6088], { 0: 0xa1b2c3d4, 1: D - 5 }, [0, 0]); // str r0,[r1,#8] → D+3
    expect(u(s.bus.read32(D))).toBe(0xd4000000);
    expect(u(s.bus.read32(D + 4))).toBe(0x00a1b2c3);
  });

  it('with UNALIGN_TRP set, unaligned word/halfword accesses fault UNALIGNED and change nothing', () => {
    for (const [insn, base] of [
      [0x6848, D + 2], // ldr r0,[r1,#4]
      [0x8848, D + 1], // ldrh r0,[r1,#2]
      [0x6088, D + 1], // str r0,[r1,#8]
      [0xf8510f04, D + 2], // ldr.w r0,[r1,#4]! (no writeback on fault)
    ] as const) {
      const h = makeCpu([insn]);
      h.cpu.unalignTrap = true;
      h.cpu.r[0] = 0x1111;
      h.cpu.r[1] = base;
      const e = thrown(() => h.cpu.step());
      expect(e).toBeInstanceOf(GuestFault);
      expect((e as GuestFault).exception).toBe(Exc.UsageFault);
      expect((e as GuestFault).cfsr & CFSR.UNALIGNED).toBe(CFSR.UNALIGNED);
      expect(h.cpu.r[0]).toBe(0x1111);
      expect(h.cpu.r[1]).toBe(base);
    }
  });

  it('byte accesses never fault on alignment, and aligned accesses do not fault with the trap set', () => {
    const h = makeCpu([0x78c8, 0x6848]); // ldrb r0,[r1,#3]; ldr r0,[r1,#4]
    h.cpu.unalignTrap = true;
    h.cpu.r[1] = D;
    h.bus.write32(D, 0x7f000000);
    h.cpu.step();
    expect(h.cpu.r[0]).toBe(0x7f);
    h.cpu.step();
    expect(h.cpu.r[0]).toBe(0);
  });
});

describe('bus errors', () => {
  it('a load from an unmapped address throws BusError and leaves Rt and the base untouched', () => {
    const h = makeCpu([0xf8510904]); // ldr r0,[r1],#-4
    h.cpu.r[0] = 5;
    h.cpu.r[1] = 0x30000000;
    const e = thrown(() => h.cpu.step());
    expect(e).toBeInstanceOf(BusError);
    expect((e as BusError).address).toBe(0x30000000);
    expect(h.cpu.r[0]).toBe(5);
    expect(h.cpu.r[1]).toBe(0x30000000);
  });

  it('a store to an unmapped address with pre-index does not write back', () => {
    const h = makeCpu([0xf8410d08]); // str.w r0,[r1,#-8]!
    h.cpu.r[1] = 0x30000008;
    expect(thrown(() => h.cpu.step())).toBeInstanceOf(BusError);
    expect(h.cpu.r[1]).toBe(0x30000008);
  });
});

describe('hints', () => {
  it('PLD/PLI do nothing, even on unmapped addresses', () => {
    const h = makeCpu([0xf890f004, 0xf910f001]); // pld [r0,#4]; pli [r0,r1]
    h.cpu.r[0] = 0x30000000;
    stepN(h.cpu, 2);
    expect(h.cpu.pc).toBe(0x108);
    expect(h.cpu.r[0]).toBe(0x30000000);
  });

  it('LDRSH.W imm12 with Rt=PC is an unallocated hint (NOP), not a load to PC', () => {
    const h = makeCpu([0xf9b0f004]);
    h.cpu.r[0] = 0x30000000;
    h.cpu.step();
    expect(h.cpu.pc).toBe(0x104);
  });

  it('LDRB with writeback and Rt=PC (UNPREDICTABLE) is treated as UNDEFINED', () => {
    const h = makeCpu([0xf810fb01]); // ldrb pc,[r0],#1
    const e = thrown(() => h.cpu.step());
    expect(e).toBeInstanceOf(GuestFault);
    expect((e as GuestFault).cfsr).toBe(CFSR.UNDEFINSTR);
  });

  it('STR with Rn=PC is UNDEFINED', () => {
    const e = thrown(() => makeCpu([0xf8cf0004]).cpu.step()); // str.w r0,[pc,#4]
    expect((e as GuestFault).cfsr).toBe(CFSR.UNDEFINSTR);
  });
});

describe('cycles', () => {
  it('LDR 2, STR 1, LDR to PC 2 + refill', () => {
    const h = makeCpu([0x6848, 0x6088]);
    h.cpu.r[1] = D;
    h.cpu.step();
    expect(h.cpu.cycles).toBe(2);
    h.cpu.step();
    expect(h.cpu.cycles).toBe(3);
    const p = run([0xf8d0f004], { 0: D }, [0, 0x201]);
    expect(p.cpu.cycles).toBe(5);
  });
});

describe('disassembly', () => {
  const cases: [number, string][] = [
    [0x6848, 'ldr r0, [r1, #4]'],
    [0x5888, 'ldr r0, [r1, r2]'],
    [0x9a02, 'ldr r2, [sp, #8]'],
    [0xf8510d04, 'ldr.w r0, [r1, #-4]!'],
    [0xf8110b01, 'ldrb r0, [r1], #1'],
    [0xf8510c08, 'ldr.w r0, [r1, #-8]'],
    [0xf8d10fff, 'ldr.w r0, [r1, #4095]'],
    [0xf8310012, 'ldrh.w r0, [r1, r2, lsl #1]'],
    [0xf8510e04, 'ldrt r0, [r1, #4]'],
    [0xf8910000, 'ldrb.w r0, [r1]'],
    [0xf890f004, 'pld [r0, #4]'],
    [0xf910f001, 'pli [r0, r1]'],
    [0xf85d8b04, 'pop.w {r8}'],
    [0xf84d8d04, 'push.w {r8}'],
  ];
  for (const [raw, text] of cases) {
    it(text, () => expect(disassemble(raw, raw > 0xffff ? 4 : 2, 0x100)).toBe(text));
  }
  it('literal shows the computed address', () => {
    expect(disassemble(0xf85f0004, 4, 0x100)).toBe('ldr.w r0, [pc, #-4] ; 0x00000100');
  });
});
