/**
 * Branches and miscellaneous control (branch-misc.ts). Encodings are hand-assembled from the ARM ARM encoding
 * diagrams (or are well-known assembler outputs: `b .` = e7fe, `bx lr` = 4770, `dsb sy` = f3bf 8f4f, ...);
 * expected values are derived by hand from the pseudocode.
 */
import { describe, expect, it, vi } from 'vitest';
import { CortexM4 } from '../../src/cpu/armv7m/cpu.js';
import { candidates, disassemble } from '../../src/cpu/armv7m/decoder.js';
import { CFSR, Exc, GuestFault } from '../../src/cpu/armv7m/faults.js';
import { patterns as branchMiscPatterns } from '../../src/cpu/armv7m/isa/branch-misc.js';
import { patterns as multiplyPatterns } from '../../src/cpu/armv7m/isa/multiply.js';
import { exec, makeCpu, stepN } from '../helpers/cpu-harness.js';

/** Runs fn and returns the GuestFault it throws (or undefined). */
function faultOf(fn: () => void): GuestFault | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof GuestFault) return e;
    throw e;
  }
  return undefined;
}

/** One instruction at `at`, one step; returns the core. */
function stepOne(insn: number, at = 0x100, setup: (cpu: CortexM4) => void = () => {}): CortexM4 {
  const { cpu } = makeCpu([insn], at);
  setup(cpu);
  const before = cpu.cycles;
  cpu.step();
  lastCycles = cpu.cycles - before;
  return cpu;
}
let lastCycles = 0;

describe('B T1 (conditional, 16-bit)', () => {
  it('branches to PC + SignExtend(imm8:0) at both extremes', () => {
    // beq +254: imm8 = 0x7f
    expect(stepOne(0xd07f, 0x1000, (c) => (c.z = 1)).pc).toBe(0x1000 + 4 + 254);
    // beq -256: imm8 = 0x80
    expect(stepOne(0xd080, 0x1000, (c) => (c.z = 1)).pc).toBe(0x1000 + 4 - 256);
    // b<eq> . (d0fe): branch to itself
    expect(stepOne(0xd0fe, 0x1000, (c) => (c.z = 1)).pc).toBe(0x1000);
  });

  it('falls through when the condition fails, costing 1 cycle; taken costs 3', () => {
    const cpu = stepOne(0xd07f, 0x1000, (c) => (c.z = 0));
    expect(cpu.pc).toBe(0x1002);
    expect(lastCycles).toBe(1);
    stepOne(0xd07f, 0x1000, (c) => (c.z = 1));
    expect(lastCycles).toBe(3);
  });

  // For each condition: one flag setting that passes and one that fails (ARM ARM table A7-1).
  const cases: [string, number, Partial<CortexM4>, Partial<CortexM4>][] = [
    ['eq', 0, { z: 1 }, { z: 0 }],
    ['ne', 1, { z: 0 }, { z: 1 }],
    ['cs', 2, { c: 1 }, { c: 0 }],
    ['cc', 3, { c: 0 }, { c: 1 }],
    ['mi', 4, { n: 1 }, { n: 0 }],
    ['pl', 5, { n: 0 }, { n: 1 }],
    ['vs', 6, { v: 1 }, { v: 0 }],
    ['vc', 7, { v: 0 }, { v: 1 }],
    ['hi', 8, { c: 1, z: 0 }, { c: 1, z: 1 }],
    ['ls', 9, { c: 1, z: 1 }, { c: 1, z: 0 }],
    ['ge', 10, { n: 1, v: 1 }, { n: 1, v: 0 }],
    ['lt', 11, { n: 0, v: 1 }, { n: 1, v: 1 }],
    ['gt', 12, { z: 0, n: 0, v: 0 }, { z: 1, n: 0, v: 0 }],
    ['le', 13, { z: 0, n: 1, v: 0 }, { z: 0, n: 1, v: 1 }],
  ];
  it.each(cases)('b%s: taken and not taken (T1 and T3)', (name, cond, pass, fail) => {
    const t1 = 0xd000 | (cond << 8) | 0x10; // +32
    expect(stepOne(t1, 0x1000, (c) => Object.assign(c, pass)).pc).toBe(0x1024);
    expect(stepOne(t1, 0x1000, (c) => Object.assign(c, fail)).pc).toBe(0x1002);
    // T3 with imm11 = 0x10: +32
    const t3 = (((0xf000 | (cond << 6)) << 16) | 0x8010) >>> 0;
    expect(stepOne(t3, 0x1000, (c) => Object.assign(c, pass)).pc).toBe(0x1024);
    expect(stepOne(t3, 0x1000, (c) => Object.assign(c, fail)).pc).toBe(0x1004);
    expect(disassemble(t1, 2, 0x1000)).toBe(`b${name} 0x00001024`);
    expect(disassemble(t3, 4, 0x1000)).toBe(`b${name}.w 0x00001024`);
  });

  it('cond 1110 is UDF and 1111 is SVC', () => {
    expect(faultOf(() => stepOne(0xde05))?.cfsr).toBe(CFSR.UNDEFINSTR);
    const { cpu } = makeCpu([0xdf2a]);
    const svc = vi.spyOn(cpu.exc, 'svc').mockImplementation(() => {});
    cpu.step();
    expect(svc).toHaveBeenCalledWith(42);
    expect(cpu.pc).toBe(0x102);
    expect(disassemble(0xdf00, 2, 0)).toBe('svc #0');
    expect(disassemble(0xde05, 2, 0)).toBe('udf #5');
  });
});

describe('B T2 (unconditional, 16-bit)', () => {
  it('reaches +2046 and -2048', () => {
    expect(stepOne(0xe3ff, 0x2000).pc).toBe(0x2000 + 4 + 2046);
    expect(stepOne(0xe400, 0x2000).pc).toBe(0x2000 + 4 - 2048);
    expect(stepOne(0xe7fe, 0x2000).pc).toBe(0x2000); // b .
    expect(lastCycles).toBe(3);
    expect(disassemble(0xe400, 2, 0x2000)).toBe('b 0x00001804');
  });
});

describe('B T3 (conditional, 32-bit): imm32 = SignExtend(S:J2:J1:imm6:imm11:0)', () => {
  const at = 0x4000;
  // [hw1, hw2, offset]: hand-assembled from the fields.
  const cases: [number, number, number][] = [
    [0xf03f, 0xafff, 0x0ffffe], // S=0 J1=1 J2=1 imm6=3f imm11=7ff: +1 MiB - 2 (maximum)
    [0xf400, 0x8000, -0x100000], // S=1, all else 0: -1 MiB (minimum)
    [0xf000, 0xa000, 0x040000], // J1 alone: bit 18
    [0xf000, 0x8800, 0x080000], // J2 alone: bit 19
    [0xf43f, 0xaffe, -4], // S=1 J1=1 J2=1 imm6=3f imm11=7fe: -4 (beq.w to itself)
  ];
  it.each(cases)('%s %s: offset %d', (hw1, hw2, offset) => {
    const h1 = hw1; // cond bits hw1[9:6] = 0000: EQ
    const cpu = stepOne(((h1 << 16) | hw2) >>> 0, at, (c) => (c.z = 1));
    expect(cpu.pc).toBe((at + 4 + offset) >>> 0);
  });
});

describe('B T4 and BL: I1 = NOT(J1 XOR S), I2 = NOT(J2 XOR S)', () => {
  const at = 0x8000;
  // [hw1 (S, imm10), J1, J2, imm11, offset]; all four J1/J2 combinations for both signs.
  const cases: [number, number, number, number, number][] = [
    [0xf000, 1, 1, 0x000, 0], // S=0 I1=0 I2=0
    [0xf000, 0, 1, 0x000, 0x800000], // S=0 I1=1 I2=0
    [0xf000, 1, 0, 0x000, 0x400000], // S=0 I1=0 I2=1
    [0xf3ff, 0, 0, 0x7ff, 0xfffffe], // S=0 I1=1 I2=1 imm10/11 all ones: +16 MiB - 2 (maximum)
    [0xf400, 0, 0, 0x000, -0x1000000], // S=1 I1=0 I2=0: -16 MiB (minimum)
    [0xf400, 1, 0, 0x000, -0x800000], // S=1 I1=1 I2=0
    [0xf400, 0, 1, 0x000, -0xc00000], // S=1 I1=0 I2=1
    [0xf7ff, 1, 1, 0x7fe, -4], // S=1 I1=1 I2=1: b.w . (f7ff bffe)
  ];
  it.each(cases)('hw1 %s J1=%s J2=%s imm11=%s: offset %d', (hw1, j1, j2, imm11, offset) => {
    const bw = ((hw1 << 16) | 0x9000 | (j1 << 13) | (j2 << 11) | imm11) >>> 0;
    const bl = (bw | 0x4000) >>> 0;
    const target = (at + 4 + offset) >>> 0;
    const c1 = stepOne(bw, at);
    expect(c1.pc).toBe(target);
    expect(c1.r[14]).toBe(-1); // untouched (LR resets to 0xffffffff)
    expect(lastCycles).toBe(3);
    const c2 = stepOne(bl, at);
    expect(c2.pc).toBe(target);
    expect(c2.r[14] >>> 0).toBe((at + 4) | 1);
    expect(lastCycles).toBe(3);
    expect(disassemble(bl, 4, at)).toBe(`bl 0x${target.toString(16).padStart(8, '0')}`);
  });

  it('well-known encodings: bl +0 is f000 f800, b.w . is f7ff bffe', () => {
    expect(disassemble(0xf000f800, 4, 0x1230)).toBe('bl 0x00001234');
    expect(disassemble(0xf7ffbffe, 4, 0x08000124)).toBe('b.w 0x08000124');
  });

  it('BLX (immediate) encoding (hw2 11x0) is UNDEFINED in ARMv7-M', () => {
    expect(faultOf(() => stepOne(0xf000e800))?.cfsr).toBe(CFSR.UNDEFINSTR);
  });
});

describe('BX and BLX (register)', () => {
  it('bx lr to an odd address branches with T kept', () => {
    const cpu = stepOne(0x4770, 0x100, (c) => (c.r[14] = 0x2001));
    expect(cpu.pc).toBe(0x2000);
    expect(cpu.tbit).toBe(1);
    expect(disassemble(0x4770, 2, 0)).toBe('bx lr');
  });

  it('bx to an even address clears T; the next instruction takes INVSTATE', () => {
    const { cpu } = makeCpu([0x4700]); // bx r0
    cpu.r[0] = 0x200;
    cpu.irqCheck = false;
    cpu.step();
    expect(cpu.pc).toBe(0x200);
    expect(cpu.tbit).toBe(0);
    expect(cpu.irqCheck).toBe(true);
    const taken: GuestFault[] = [];
    vi.spyOn(cpu.exc, 'fault').mockImplementation((f) => {
      taken.push(f);
      cpu.requestStop('lockup');
    });
    cpu.run(1000);
    expect(taken.length).toBe(1);
    expect(taken[0]!.exception).toBe(Exc.UsageFault);
    expect(taken[0]!.cfsr).toBe(CFSR.INVSTATE);
    expect(cpu.instructions).toBe(1);
  });

  it('bx pc branches to the (word-aligned) PC value, which is even: INVSTATE', () => {
    const cpu = stepOne(0x4778, 0x100); // bx pc at 0x100: target 0x104
    expect(cpu.pc).toBe(0x104);
    expect(cpu.tbit).toBe(0);
  });

  it('blx r3: LR = next instruction | 1', () => {
    const cpu = stepOne(0x4798, 0x100, (c) => (c.r[3] = 0x3001));
    expect(cpu.pc).toBe(0x3000);
    expect(cpu.r[14]).toBe(0x103);
    expect(lastCycles).toBe(3);
    expect(disassemble(0x4798, 2, 0)).toBe('blx r3');
  });

  it('blx lr reads the target before writing LR', () => {
    const cpu = stepOne(0x47f0, 0x100, (c) => (c.r[14] = 0x4001));
    expect(cpu.pc).toBe(0x4000);
    expect(cpu.r[14]).toBe(0x103);
  });

  it('blx to an even address clears T', () => {
    const cpu = stepOne(0x4788, 0x100, (c) => (c.r[1] = 0x4000));
    expect(cpu.tbit).toBe(0);
    expect(cpu.irqCheck).toBe(true);
    expect(cpu.r[14]).toBe(0x103);
  });

  it('blx does not perform an exception return (BLXWritePC), unlike bx', () => {
    const c1 = stepOne(0x4788, 0x100, (c) => {
      c.ipsr = 3;
      c.r[1] = 0xfffffff9 | 0;
    });
    expect(c1.stopReason).toBeNull();
    expect(c1.pc).toBe(0xfffffff8);
    const c2 = makeCpu([0x4708]).cpu; // bx r1
    c2.ipsr = 3;
    c2.r[1] = 0xfffffff9 | 0;
    const ret = vi.spyOn(c2.exc, 'exceptionReturn').mockImplementation(() => {});
    c2.step();
    expect(ret).toHaveBeenCalledWith(0xfffffff9);
  });

  it('blx pc is UNPREDICTABLE: UNDEFINED here', () => {
    expect(faultOf(() => stepOne(0x47f8))?.cfsr).toBe(CFSR.UNDEFINSTR);
  });
});

describe('CBZ / CBNZ', () => {
  it('cbz r0 jumps forward by i:imm5:0 when zero; maximum +126', () => {
    // cbz r2, +126: 1011 0011 1111 1010 (i=1, imm5=11111, Rn=2)
    expect(stepOne(0xb3fa, 0x100, (c) => (c.r[2] = 0)).pc).toBe(0x100 + 4 + 126);
    expect(lastCycles).toBe(3);
    expect(stepOne(0xb3fa, 0x100, (c) => (c.r[2] = 1)).pc).toBe(0x102);
    expect(lastCycles).toBe(1);
    // cbz r0, +0: b100
    expect(stepOne(0xb100, 0x100, (c) => (c.r[0] = 0)).pc).toBe(0x104);
    // cbz r7, +64 (i=1, imm5=0): b307
    expect(stepOne(0xb307, 0x100, (c) => (c.r[7] = 0)).pc).toBe(0x100 + 4 + 64);
  });

  it('cbnz jumps when non-zero (negative values included)', () => {
    // cbnz r1, +8: 1011 1001 0010 0001
    expect(stepOne(0xb921, 0x100, (c) => (c.r[1] = -1)).pc).toBe(0x10c);
    expect(stepOne(0xb921, 0x100, (c) => (c.r[1] = 0)).pc).toBe(0x102);
    expect(disassemble(0xb921, 2, 0x100)).toBe('cbnz r1, 0x0000010c');
    expect(disassemble(0xb3fa, 2, 0x100)).toBe('cbz r2, 0x00000182');
  });
});

/** MULS r<k>, r7, r<k> (T1): doubles r<k> when r7 = 2; sets no flags inside IT blocks. */
function mulsDouble(k: number): number {
  return 0x4340 | (7 << 3) | k;
}

/** Assembles IT<x><y><z> <cond> from its letter string as an assembler would (ARM ARM A7.7.38 mask table). */
function itEncoding(letters: string, firstcond: number): number {
  const c0 = firstcond & 1;
  let mask = 0;
  const rest = letters.slice(1); // the first instruction is always 'then'
  for (let i = 0; i < rest.length; i++) mask |= (rest[i] === 't' ? c0 : c0 ^ 1) << (3 - i);
  mask |= 1 << (3 - rest.length);
  return 0xbf00 | (firstcond << 4) | mask;
}

/** Does `cond` hold for these flags? Written from table A7-1, independently of the CPU's conditionPassed. */
function holds(cond: number, f: { n: number; z: number; c: number; v: number }): boolean {
  const base = [
    f.z === 1,
    f.c === 1,
    f.n === 1,
    f.v === 1,
    f.c === 1 && f.z === 0,
    f.n === f.v,
    f.n === f.v && f.z === 0,
    true,
  ][cond >> 1]!;
  return cond === 14 ? true : (cond & 1) === 1 ? !base : base;
}

describe('IT blocks', () => {
  const allLetters: string[] = [];
  for (const len of [1, 2, 3, 4]) {
    for (let bitsX = 0; bitsX < 1 << (len - 1); bitsX++) {
      let s = 't';
      for (let i = len - 2; i >= 0; i--) s += (bitsX >> i) & 1 ? 'e' : 't';
      allLetters.push(s);
    }
  }
  const flagSets = [
    { n: 0, z: 0, c: 0, v: 0 },
    { n: 1, z: 1, c: 1, v: 1 },
    { n: 0, z: 1, c: 0, v: 1 },
    { n: 1, z: 0, c: 1, v: 0 },
  ];

  it('every condition and mask pattern: then-instructions run when cond holds, else-instructions when not', () => {
    // One core; each case's code at its own address (so decodes never collide), registers reset per case.
    type Case = { at: number; cond: number; letters: string; flags: (typeof flagSets)[number] };
    const cases: Case[] = [];
    const code: number[] = [];
    const base = 0x1000;
    for (let cond = 0; cond < 15; cond++) {
      for (const letters of allLetters) {
        if (cond === 14 && letters.includes('e')) continue; // AL with an else slot is UNPREDICTABLE
        for (const flags of flagSets) {
          cases.push({ at: base + code.length * 2, cond, letters, flags });
          // IT, the block, and one instruction after it (outside the block: always runs)
          code.push(itEncoding(letters, cond), ...[1, 2, 3, 4].slice(0, letters.length).map(mulsDouble), mulsDouble(5));
        }
      }
    }
    expect(cases.length).toBe((14 * 15 + 4) * 4);
    const { cpu } = makeCpu(code, base);
    for (const { at, cond, letters, flags } of cases) {
      cpu.r.set([0, 1, 1, 1, 1, 1, 0, 2]);
      Object.assign(cpu, flags);
      cpu.pc = at;
      stepN(cpu, letters.length + 2);
      const c = holds(cond, flags);
      for (let i = 0; i < letters.length; i++) {
        const runs = letters[i] === 't' ? c : !c;
        expect(cpu.r[i + 1], `it${letters.slice(1)} cond ${cond} flags ${JSON.stringify(flags)} slot ${i}`).toBe(runs ? 2 : 1);
      }
      expect(cpu.r[5]).toBe(2);
      expect(cpu.itstate).toBe(0);
      // MULS inside the block must not have touched the flags; the one after it sets N and Z (result 2)
      expect([cpu.n, cpu.z, cpu.c, cpu.v]).toEqual([0, 0, flags.c, flags.v]);
    }
  });

  it('sets ITSTATE to firstcond:mask and the CPU advances it', () => {
    const { cpu } = makeCpu([0xbf1b, 0xbf00, 0xbf00, 0xbf00, 0xbf00, 0xbf00]); // ittet ne; nops
    cpu.step();
    expect(cpu.itstate).toBe(0x1b);
    const seq: number[] = [];
    for (let i = 0; i < 4; i++) {
      cpu.step();
      seq.push(cpu.itstate);
    }
    // ITAdvance: IT[4:0] shifts left until IT[2:0] = 000, then the state clears
    expect(seq).toEqual([0x16, 0x0c, 0x18, 0x00]);
  });

  it('disassembles with then/else letters', () => {
    expect(disassemble(0xbf08, 2, 0)).toBe('it eq');
    expect(disassemble(0xbf0c, 2, 0)).toBe('ite eq');
    expect(disassemble(0xbf1b, 2, 0)).toBe('ittet ne');
    expect(disassemble(itEncoding('teee', 10), 2, 0)).toBe('iteee ge');
    expect(disassemble(itEncoding('tett', 11), 2, 0)).toBe('itett lt');
    expect(disassemble(0xbfe8, 2, 0)).toBe('it al');
  });

  it('B.W as the last instruction of an IT block is conditional on the block', () => {
    // itt ne; muls r1, r7, r1; b.w +0x100
    const code = [0xbf1c, mulsDouble(1), 0xf000b880];
    const taken = exec(code, { 1: 1, 7: 2 }, { z: 0 }).cpu;
    expect(taken.r[1]).toBe(2);
    expect(taken.pc).toBe(0x104 + 4 + 0x100);
    const skipped = exec(code, { 1: 1, 7: 2 }, { z: 1 }).cpu;
    expect(skipped.r[1]).toBe(1);
    expect(skipped.pc).toBe(0x108);
  });

  it('BL and BX as the last instruction of an IT block', () => {
    // it eq; bl +0
    expect(exec([0xbf08, 0xf000f800], {}, { z: 1 }).cpu.r[14]).toBe(0x107);
    expect(exec([0xbf08, 0xf000f800], { 14: 0x55 }, { z: 0 }).cpu.r[14]).toBe(0x55);
    // it ne; bx r0
    const c = exec([0xbf18, 0x4700], { 0: 0x501 }, { z: 1 }).cpu;
    expect(c.pc).toBe(0x104);
    expect(exec([0xbf18, 0x4700], { 0: 0x501 }, { z: 0 }).cpu.pc).toBe(0x500);
  });

  it('IT with firstcond 1111 or AL with an else slot is UNDEFINED here (UNPREDICTABLE)', () => {
    expect(faultOf(() => stepOne(0xbff8))?.cfsr).toBe(CFSR.UNDEFINSTR);
    expect(faultOf(() => stepOne(0xbfec))?.cfsr).toBe(CFSR.UNDEFINSTR); // ite al
    expect(faultOf(() => stepOne(0xbfe4))).toBeUndefined(); // itt al is fine
  });
});

describe('hints', () => {
  it('nop, yield do nothing; wfi, wfe, sev call the exception model (16-bit and .W)', () => {
    for (const [insn, size] of [[0xbf00, 2], [0xbf10, 2], [0xf3af8000, 4], [0xf3af8001, 4], [0xf3af80f5, 4], [0xbf50, 2]] as const) {
      const { cpu } = makeCpu([insn]);
      const r0 = Array.from(cpu.r.slice(0, 15));
      cpu.step();
      expect(cpu.pc).toBe(0x100 + size);
      expect(Array.from(cpu.r.slice(0, 15))).toEqual(r0);
      expect(cpu.sleeping).toBe(false);
    }
    const calls: [number, 'wfi' | 'wfe' | 'sev'][] = [
      [0xbf30, 'wfi'], [0xbf20, 'wfe'], [0xbf40, 'sev'],
      [0xf3af8003, 'wfi'], [0xf3af8002, 'wfe'], [0xf3af8004, 'sev'],
    ];
    for (const [insn, method] of calls) {
      const { cpu } = makeCpu([insn]);
      const spy = vi.spyOn(cpu.exc, method).mockImplementation(() => {});
      cpu.step();
      expect(spy, `${insn.toString(16)}`).toHaveBeenCalledTimes(1);
    }
  });

  it('disassembles', () => {
    expect(disassemble(0xbf00, 2, 0)).toBe('nop');
    expect(disassemble(0xbf10, 2, 0)).toBe('yield');
    expect(disassemble(0xbf20, 2, 0)).toBe('wfe');
    expect(disassemble(0xbf30, 2, 0)).toBe('wfi');
    expect(disassemble(0xbf40, 2, 0)).toBe('sev');
    expect(disassemble(0xf3af8003, 4, 0)).toBe('wfi.w');
    expect(disassemble(0xf3af8000, 4, 0)).toBe('nop.w');
    expect(disassemble(0xf3af80f5, 4, 0)).toBe('dbg #5');
  });
});

describe('BKPT, UDF', () => {
  it('bkpt passes imm8 to cpu.bkpt', () => {
    const { cpu } = makeCpu([0xbeab]);
    const spy = vi.spyOn(cpu, 'bkpt').mockImplementation(() => {});
    cpu.step();
    expect(spy).toHaveBeenCalledWith(0xab);
    expect(disassemble(0xbeab, 2, 0)).toBe('bkpt 0x00ab');
  });

  it('udf.w raises UNDEFINSTR and disassembles imm16', () => {
    const { cpu } = makeCpu([0xf7f5a123]);
    const f = faultOf(() => cpu.step());
    expect(f?.exception).toBe(Exc.UsageFault);
    expect(f?.cfsr).toBe(CFSR.UNDEFINSTR);
    expect(disassemble(0xf7f5a123, 4, 0)).toBe(`udf.w #${0x5123}`);
  });
});

describe('CPS', () => {
  it('cpsid i / cpsie i / cpsid f / cpsie f change PRIMASK/FAULTMASK when privileged, and request an IRQ check', () => {
    let cpu = stepOne(0xb672, 0x100, (c) => (c.irqCheck = false));
    expect(cpu.primask).toBe(1);
    expect(cpu.irqCheck).toBe(true);
    cpu = stepOne(0xb662, 0x100, (c) => (c.primask = 1));
    expect(cpu.primask).toBe(0);
    cpu = stepOne(0xb671);
    expect(cpu.faultmask).toBe(1);
    expect(cpu.primask).toBe(0);
    cpu = stepOne(0xb661, 0x100, (c) => (c.faultmask = 1));
    expect(cpu.faultmask).toBe(0);
    cpu = stepOne(0xb673); // cpsid if
    expect([cpu.primask, cpu.faultmask]).toEqual([1, 1]);
  });

  it('is ignored when unprivileged', () => {
    const cpu = stepOne(0xb672, 0x100, (c) => {
      c.control = 1;
      c.irqCheck = false;
    });
    expect(cpu.primask).toBe(0);
    const c2 = stepOne(0xb661, 0x100, (c) => {
      c.control = 1;
      c.faultmask = 1;
    });
    expect(c2.faultmask).toBe(1);
  });

  it('cpsid f does not set FAULTMASK at execution priority -1', () => {
    const { cpu } = makeCpu([0xb671]);
    vi.spyOn(cpu.exc, 'executionPriority').mockReturnValue(-1);
    cpu.step();
    expect(cpu.faultmask).toBe(0);
  });

  it('disassembles', () => {
    expect(disassemble(0xb672, 2, 0)).toBe('cpsid i');
    expect(disassemble(0xb662, 2, 0)).toBe('cpsie i');
    expect(disassemble(0xb673, 2, 0)).toBe('cpsid if');
    expect(disassemble(0xb661, 2, 0)).toBe('cpsie f');
  });
});

describe('MRS / MSR', () => {
  /** mrs r<d>, <sysm> */
  const mrs = (d: number, sysm: number): number => (0xf3ef8000 | (d << 8) | sysm) >>> 0;
  /** msr <sysm>, r<n> with mask (2 = _nzcvq, the only form for non-APSR registers) */
  const msr = (n: number, sysm: number, mask = 2): number => (((0xf380 | n) << 16) | 0x8000 | (mask << 10) | sysm) >>> 0;

  it('well-known encodings disassemble', () => {
    expect(disassemble(0xf3ef8010, 4, 0)).toBe('mrs r0, primask');
    expect(disassemble(0xf3808810, 4, 0)).toBe('msr primask, r0');
    expect(disassemble(0xf3808811, 4, 0)).toBe('msr basepri, r0');
    expect(disassemble(0xf3808812, 4, 0)).toBe('msr basepri_max, r0');
    expect(disassemble(0xf3808814, 4, 0)).toBe('msr control, r0');
    expect(disassemble(0xf3ef8309, 4, 0)).toBe('mrs r3, psp');
    expect(disassemble(0xf3808800, 4, 0)).toBe('msr apsr_nzcvq, r0');
    expect(disassemble(0xf3818400, 4, 0)).toBe('msr apsr_g, r1');
    expect(disassemble(0xf3828c03, 4, 0)).toBe('msr xpsr_nzcvqg, r2');
  });

  it('APSR: read and write NZCVQ and GE, in any privilege', () => {
    for (const control of [0, 1]) {
      let { cpu } = makeCpu([mrs(4, 0)]);
      Object.assign(cpu, { control, n: 1, z: 0, c: 1, v: 0, q: 1, ge: 0b1010 });
      cpu.step();
      expect(cpu.r[4] >>> 0).toBe(0xa80a0000);
      ({ cpu } = makeCpu([msr(5, 0, 3)]));
      cpu.control = control;
      cpu.r[5] = 0x580f0000 | 0x0000ffff; // Z V Q, GE=1111; low bits ignored
      cpu.step();
      expect([cpu.n, cpu.z, cpu.c, cpu.v, cpu.q, cpu.ge]).toEqual([0, 1, 0, 1, 1, 0xf]);
    }
  });

  it('APSR mask selects flags (_nzcvq) and GE (_g) separately', () => {
    let { cpu } = exec([msr(0, 0, 2)], { 0: 0xf80f0000 | 0 }, { ge: 0 });
    expect([cpu.n, cpu.z, cpu.c, cpu.v, cpu.q, cpu.ge]).toEqual([1, 1, 1, 1, 1, 0]);
    ({ cpu } = exec([msr(0, 0, 1)], { 0: 0xf80f0000 | 0 }, { ge: 0 }));
    expect([cpu.n, cpu.z, cpu.c, cpu.v, cpu.q, cpu.ge]).toEqual([0, 0, 0, 0, 0, 0xf]);
  });

  it('IPSR reads the exception number; xPSR reads APSR|IPSR with EPSR as zero', () => {
    const { cpu } = makeCpu([mrs(0, 5), mrs(1, 3), mrs(2, 6)]);
    cpu.ipsr = 11;
    cpu.n = 1;
    // EPSR (T = 1 here) must read as zero
    stepN(cpu, 3);
    expect(cpu.r[0]).toBe(11);
    expect(cpu.r[1] >>> 0).toBe(0x8000000b);
    expect(cpu.r[2]).toBe(0);
  });

  it('PRIMASK, BASEPRI, FAULTMASK, CONTROL: privileged writes, reads everywhere', () => {
    const { cpu } = makeCpu([msr(0, 16), msr(1, 17), msr(2, 19), mrs(3, 16), mrs(4, 17), mrs(5, 19)]);
    cpu.r[0] = 0xffffffff | 0; // only bit 0 is PRIMASK
    cpu.r[1] = 0x1234; // BASEPRI<7:0>
    cpu.r[2] = 3;
    cpu.irqCheck = false;
    stepN(cpu, 6);
    expect([cpu.primask, cpu.basepri, cpu.faultmask]).toEqual([1, 0x34, 1]);
    expect([cpu.r[3], cpu.r[4], cpu.r[5]]).toEqual([1, 0x34, 1]);
    expect(cpu.irqCheck).toBe(true);
  });

  it('unprivileged: writes to PRIMASK/BASEPRI/FAULTMASK/CONTROL/MSP are ignored, reads still work', () => {
    const { cpu } = makeCpu([msr(0, 16), msr(0, 17), msr(0, 19), msr(0, 20), msr(0, 8), mrs(1, 20), mrs(2, 16), mrs(3, 8)]);
    cpu.control = 1;
    cpu.primask = 1;
    cpu.r[0] = 0x80;
    const msp = cpu.r[13];
    stepN(cpu, 8);
    expect([cpu.primask, cpu.basepri, cpu.faultmask, cpu.control]).toEqual([1, 0, 0, 1]);
    expect(cpu.r[13]).toBe(msp);
    expect(cpu.r[1]).toBe(1);
    expect(cpu.r[2]).toBe(1);
    expect(cpu.r[3]).toBe(0); // MSP is privileged-only: reads as zero
  });

  it('BASEPRI_MAX only raises priority (lowers a non-zero BASEPRI value)', () => {
    const run = (basepri: number, value: number): number => {
      const { cpu } = makeCpu([msr(0, 18)]);
      cpu.basepri = basepri;
      cpu.r[0] = value;
      cpu.step();
      return cpu.basepri;
    };
    expect(run(0, 0x80)).toBe(0x80);
    expect(run(0x40, 0x80)).toBe(0x40);
    expect(run(0x40, 0x20)).toBe(0x20);
    expect(run(0x40, 0)).toBe(0x40);
    expect(run(0x40, 0x100)).toBe(0x40); // value<7:0> = 0
  });

  it('CONTROL: privileged thread mode switches to PSP; nPRIV drops privilege; handler mode cannot set SPSEL', () => {
    const { cpu } = makeCpu([msr(0, 20), mrs(1, 20), mrs(2, 9), mrs(3, 8)]);
    cpu.otherSp = 0x20008000;
    const msp = cpu.r[13];
    cpu.r[0] = 3; // SPSEL | nPRIV
    stepN(cpu, 2);
    expect(cpu.control).toBe(3);
    expect(cpu.r[13]).toBe(0x20008000);
    expect(cpu.otherSp).toBe(msp);
    expect(cpu.r[1]).toBe(3);
    stepN(cpu, 2); // now unprivileged: MSP/PSP read as zero
    expect([cpu.r[2], cpu.r[3]]).toEqual([0, 0]);

    const h = makeCpu([msr(0, 20)]).cpu;
    h.ipsr = 15;
    h.r[0] = 2;
    h.step();
    expect(h.control).toBe(0);
  });

  it('MSP / PSP round trip with bits [1:0] forced to zero', () => {
    const { cpu } = makeCpu([msr(0, 9), mrs(1, 9), msr(0, 8), mrs(2, 8)]);
    cpu.r[0] = 0x20001237;
    stepN(cpu, 4);
    expect(cpu.r[1]).toBe(0x20001234);
    expect(cpu.r[2]).toBe(0x20001234);
    expect(cpu.r[13]).toBe(0x20001234);
  });

  it('sp or pc as the register operand is UNPREDICTABLE: UNDEFINED here', () => {
    expect(faultOf(() => stepOne(mrs(13, 16)))?.cfsr).toBe(CFSR.UNDEFINSTR);
    expect(faultOf(() => stepOne(mrs(15, 16)))?.cfsr).toBe(CFSR.UNDEFINSTR);
    expect(faultOf(() => stepOne(msr(13, 16)))?.cfsr).toBe(CFSR.UNDEFINSTR);
    expect(faultOf(() => stepOne(msr(15, 16)))?.cfsr).toBe(CFSR.UNDEFINSTR);
  });
});

describe('barriers', () => {
  it('dsb/dmb are 1-cycle no-ops; isb re-checks interrupts and costs a pipeline refill', () => {
    for (const insn of [0xf3bf8f4f, 0xf3bf8f5f]) {
      const cpu = stepOne(insn, 0x100, (c) => (c.irqCheck = false));
      expect(cpu.pc).toBe(0x104);
      expect(cpu.irqCheck).toBe(false);
      expect(lastCycles).toBe(1);
    }
    const cpu = stepOne(0xf3bf8f6f, 0x100, (c) => (c.irqCheck = false));
    expect(cpu.irqCheck).toBe(true);
    expect(lastCycles).toBe(3);
    expect(disassemble(0xf3bf8f4f, 4, 0)).toBe('dsb sy');
    expect(disassemble(0xf3bf8f5f, 4, 0)).toBe('dmb sy');
    expect(disassemble(0xf3bf8f6f, 4, 0)).toBe('isb sy');
  });

  it('unallocated miscellaneous-control opcodes are UNDEFINED', () => {
    expect(faultOf(() => stepOne(0xf3bf8f7f))?.cfsr).toBe(CFSR.UNDEFINSTR);
  });
});

describe('decoder table', () => {
  it("no other module's pattern also accepts an encoding of branch-misc or multiply", () => {
    const mine = new Set([...branchMiscPatterns, ...multiplyPatterns]);
    const overlaps = new Set<string>();
    const check = (raw: number, size: 2 | 4): void => {
      const accepting = candidates(raw, size).filter((p) => p.decode(raw, 0x100) !== null);
      if (accepting.length > 1 && accepting.some((p) => mine.has(p))) overlaps.add(accepting.map((p) => p.name).join(' / '));
    };
    for (const p of mine) {
      if (p.size === 2) {
        for (let raw = 0; raw < 0x10000; raw++) if ((raw & p.mask) === p.match) check(raw, 2);
      } else {
        let seed = p.match | 1;
        for (let i = 0; i < 2000; i++) {
          seed ^= seed << 13;
          seed ^= seed >>> 17;
          seed ^= seed << 5;
          check(((seed & ~p.mask) | p.match) >>> 0, 4);
        }
      }
    }
    expect([...overlaps]).toEqual([]);
  });
});
