/**
 * Multiply and divide (multiply.ts). Encodings hand-assembled from the ARM ARM diagrams; 64-bit results are
 * checked against hand-derived values at the extremes and against BigInt arithmetic for many operand pairs.
 */
import { describe, expect, it } from 'vitest';
import { disassemble } from '../../src/cpu/armv7m/decoder.js';
import { CFSR, Exc, GuestFault } from '../../src/cpu/armv7m/faults.js';
import { smulHi, umulHi } from '../../src/cpu/armv7m/isa/multiply.js';
import { exec, makeCpu } from '../helpers/cpu-harness.js';

function faultOf(fn: () => void): GuestFault | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof GuestFault) return e;
    throw e;
  }
  return undefined;
}

const u32 = (x: number): number => x >>> 0;

/** 32-bit encodings of the A5.3.16/17 group: hw1 = 1111 1011 0/1 op1 Rn; hw2 = Ra/RdLo Rd/RdHi op2 Rm. */
const t32 = (hw1: number, hw2: number): number => ((hw1 << 16) | hw2) >>> 0;
const mul = (d: number, n: number, m: number): number => t32(0xfb00 | n, 0xf000 | (d << 8) | m);
const mla = (d: number, n: number, m: number, a: number): number => t32(0xfb00 | n, (a << 12) | (d << 8) | m);
const mls = (d: number, n: number, m: number, a: number): number => t32(0xfb00 | n, (a << 12) | (d << 8) | 0x10 | m);
const smull = (lo: number, hi: number, n: number, m: number): number => t32(0xfb80 | n, (lo << 12) | (hi << 8) | m);
const umull = (lo: number, hi: number, n: number, m: number): number => t32(0xfba0 | n, (lo << 12) | (hi << 8) | m);
const smlal = (lo: number, hi: number, n: number, m: number): number => t32(0xfbc0 | n, (lo << 12) | (hi << 8) | m);
const umlal = (lo: number, hi: number, n: number, m: number): number => t32(0xfbe0 | n, (lo << 12) | (hi << 8) | m);
const sdiv = (d: number, n: number, m: number): number => t32(0xfb90 | n, 0xf0f0 | (d << 8) | m);
const udiv = (d: number, n: number, m: number): number => t32(0xfbb0 | n, 0xf0f0 | (d << 8) | m);
/** MULS Rdm, Rn, Rdm (T1) */
const muls = (dm: number, n: number): number => 0x4340 | (n << 3) | dm;

describe('encodings and disassembly', () => {
  it('matches well-known assembler output', () => {
    expect(mul(0, 1, 2)).toBe(0xfb01f002);
    expect(umull(0, 1, 2, 3)).toBe(0xfba20103);
    expect(sdiv(0, 1, 2)).toBe(0xfb91f0f2);
    expect(muls(0, 1)).toBe(0x4348);
    expect(disassemble(0x4348, 2, 0)).toBe('muls r0, r1, r0');
    expect(disassemble(0xfb01f002, 4, 0)).toBe('mul r0, r1, r2');
    expect(disassemble(0xfb013002, 4, 0)).toBe('mla r0, r1, r2, r3');
    expect(disassemble(0xfb013012, 4, 0)).toBe('mls r0, r1, r2, r3');
    expect(disassemble(0xfba20103, 4, 0)).toBe('umull r0, r1, r2, r3');
    expect(disassemble(0xfb820103, 4, 0)).toBe('smull r0, r1, r2, r3');
    expect(disassemble(0xfbe20103, 4, 0)).toBe('umlal r0, r1, r2, r3');
    expect(disassemble(0xfbc20103, 4, 0)).toBe('smlal r0, r1, r2, r3');
    expect(disassemble(0xfb91f0f2, 4, 0)).toBe('sdiv r0, r1, r2');
    expect(disassemble(0xfbbcfafb, 4, 0)).toBe('udiv r10, r12, r11');
  });
});

describe('MUL (16-bit)', () => {
  it('sets N and Z outside an IT block, leaves C and V', () => {
    let { cpu } = exec([muls(0, 1)], { 0: 0x10000, 1: 0x10000 }, { n: 1, z: 0, c: 1, v: 1 });
    expect(cpu.r[0]).toBe(0); // 2^32 wraps to 0
    expect([cpu.n, cpu.z, cpu.c, cpu.v]).toEqual([0, 1, 1, 1]);
    ({ cpu } = exec([muls(2, 3)], { 2: -3, 3: 5 }, { n: 0, z: 1, c: 0, v: 0 }));
    expect(cpu.r[2]).toBe(-15);
    expect([cpu.n, cpu.z, cpu.c, cpu.v]).toEqual([1, 0, 0, 0]);
  });

  it('sets no flags inside an IT block', () => {
    // it eq; muls r0, r1, r0 (result 0 would set Z, negative would set N: neither may change)
    const { cpu } = exec([0xbf08, muls(0, 1)], { 0: 0, 1: 7 }, { z: 1, n: 1 });
    expect(cpu.r[0]).toBe(0);
    expect([cpu.n, cpu.z]).toEqual([1, 1]);
    const c2 = exec([0xbf08, muls(0, 1)], { 0: -1, 1: 7 }, { z: 1, n: 0 }).cpu;
    expect(c2.r[0]).toBe(-7);
    expect([c2.n, c2.z]).toEqual([0, 1]);
  });

  it('keeps the low 32 bits of the product', () => {
    const { cpu } = exec([muls(4, 5)], { 4: 0x12345678, 5: 0x9abcdef0 | 0 });
    // 0x12345678 * 0x9abcdef0 = 0x0b00ea4e_242d2080
    expect(u32(cpu.r[4])).toBe(0x242d2080);
  });
});

describe('MUL / MLA / MLS (32-bit)', () => {
  it('MUL keeps the low word; flags untouched', () => {
    const { cpu } = exec([mul(8, 9, 10)], { 9: -1, 10: -1 }, { n: 1, z: 1, c: 1, v: 1 });
    expect(cpu.r[8]).toBe(1);
    expect([cpu.n, cpu.z, cpu.c, cpu.v]).toEqual([1, 1, 1, 1]);
  });

  it('MLA adds and wraps', () => {
    const { cpu } = exec([mla(0, 1, 2, 3)], { 1: 0x10000, 2: 0xffff, 3: 0x10000 });
    // 0xffff0000 + 0x10000 = 2^32 → 0
    expect(cpu.r[0]).toBe(0);
    const c2 = exec([mla(12, 12, 12, 12)], { 12: 3 }).cpu; // Rd = Rn = Rm = Ra
    expect(c2.r[12]).toBe(12);
  });

  it('MLS subtracts the product from Ra', () => {
    const { cpu } = exec([mls(0, 1, 2, 3)], { 1: 3, 2: 4, 3: 10 });
    expect(cpu.r[0]).toBe(-2);
    const c2 = exec([mls(0, 1, 2, 3)], { 1: 0x80000000 | 0, 2: 1, 3: 0 }).cpu;
    expect(u32(c2.r[0])).toBe(0x80000000);
  });

  it('cost 1 cycle each (Cortex-M4)', () => {
    for (const insn of [mul(0, 1, 2), mla(0, 1, 2, 3), mls(0, 1, 2, 3), umull(0, 1, 2, 3), smlal(0, 1, 2, 3)]) {
      const { cpu } = makeCpu([insn]);
      cpu.step();
      expect(cpu.cycles).toBe(1);
    }
  });
});

describe('long multiplies', () => {
  /** Runs one long multiply with RdLo=r0, RdHi=r1, Rn=r2, Rm=r3 and the given accumulator; returns [lo, hi] unsigned. */
  const long = (insn: number, n: number, m: number, lo = 0, hi = 0): [number, number] => {
    const { cpu } = exec([insn], { 0: lo | 0, 1: hi | 0, 2: n | 0, 3: m | 0 });
    return [u32(cpu.r[0]), u32(cpu.r[1])];
  };

  it('UMULL 0xffffffff * 0xffffffff = 0xfffffffe_00000001', () => {
    expect(long(umull(0, 1, 2, 3), 0xffffffff, 0xffffffff)).toEqual([0x00000001, 0xfffffffe]);
    expect(long(umull(0, 1, 2, 3), 0x80000000, 2)).toEqual([0, 1]);
    expect(long(umull(0, 1, 2, 3), 0xffffffff, 0)).toEqual([0, 0]);
  });

  it('SMULL at the extremes', () => {
    expect(long(smull(0, 1, 2, 3), 0xffffffff, 0xffffffff)).toEqual([1, 0]); // -1 * -1
    expect(long(smull(0, 1, 2, 3), 0x80000000, 0x80000000)).toEqual([0, 0x40000000]); // 2^62
    // -2^31 * (2^31 - 1) = -2^62 + 2^31 = 0xc0000000_80000000
    expect(long(smull(0, 1, 2, 3), 0x80000000, 0x7fffffff)).toEqual([0x80000000, 0xc0000000]);
    expect(long(smull(0, 1, 2, 3), 0xffffffff, 1)).toEqual([0xffffffff, 0xffffffff]); // -1
    expect(long(smull(0, 1, 2, 3), 0x7fffffff, 0x7fffffff)).toEqual([0x00000001, 0x3fffffff]);
  });

  it('UMLAL carries from the low word into the high word, and wraps at 64 bits', () => {
    expect(long(umlal(0, 1, 2, 3), 1, 1, 0xffffffff, 0)).toEqual([0, 1]);
    expect(long(umlal(0, 1, 2, 3), 1, 1, 0xffffffff, 0xffffffff)).toEqual([0, 0]);
    // 0xffffffff^2 + 0xffffffff_ffffffff = 0xfffffffe_00000001 + 2^64 - 1 → 0xfffffffe_00000000
    expect(long(umlal(0, 1, 2, 3), 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)).toEqual([0, 0xfffffffe]);
    // maximum sum without wrap: 0xfffffffe_00000001 + 0x00000001_fffffffe = 0xffffffff_ffffffff
    expect(long(umlal(0, 1, 2, 3), 0xffffffff, 0xffffffff, 0xfffffffe, 1)).toEqual([0xffffffff, 0xffffffff]);
  });

  it('SMLAL adds a signed product to a 64-bit accumulator', () => {
    expect(long(smlal(0, 1, 2, 3), 0xffffffff, 1, 0xffffffff, 0)).toEqual([0xfffffffe, 0]); // (2^32-1) + -1
    expect(long(smlal(0, 1, 2, 3), 0xffffffff, 1, 0, 0)).toEqual([0xffffffff, 0xffffffff]); // 0 + -1
    expect(long(smlal(0, 1, 2, 3), 1, 1, 0xffffffff, 0x7fffffff)).toEqual([0, 0x80000000]); // INT64_MAX + 1 wraps
    expect(long(smlal(0, 1, 2, 3), 0x80000000, 0x80000000, 0, 0xc0000000)).toEqual([0, 0]); // -2^62 + 2^62
  });

  it('reads operands before writing results (RdLo/RdHi alias Rn/Rm)', () => {
    // smull r0, r1, r0, r1
    const { cpu } = exec([smull(0, 1, 0, 1)], { 0: -2, 1: 3 });
    expect([u32(cpu.r[0]), u32(cpu.r[1])]).toEqual([0xfffffffa, 0xffffffff]);
    // umlal r2, r3, r2, r3: acc = r3:r2 = 0x00000002_00000003; product 3*2 = 6 → 0x00000002_00000009
    const c2 = exec([umlal(2, 3, 2, 3)], { 2: 3, 3: 2 }).cpu;
    expect([c2.r[2], c2.r[3]]).toEqual([9, 2]);
  });

  it('agrees with 64-bit BigInt arithmetic over edge and pseudo-random operands', () => {
    const edges = [0, 1, 2, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0xfffffffe, 0x0000ffff, 0x00010000, 0xffff0000, 0x12345678, 0x9abcdef0];
    let seed = 0x2545f491;
    const rand = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    const values = [...edges];
    for (let i = 0; i < 40; i++) values.push(rand());
    const M64 = (1n << 64n) - 1n;
    const s32 = (x: number): bigint => BigInt(x | 0);
    const u = (x: number): bigint => BigInt(x >>> 0);
    for (const a of values) {
      for (const b of values.slice(0, 20)) {
        const up = u(a) * u(b);
        const sp = (s32(a) * s32(b)) & M64;
        expect(u32(umulHi(a | 0, b | 0)), `umulHi ${a} ${b}`).toBe(Number(up >> 32n));
        expect(u32(smulHi(a | 0, b | 0)), `smulHi ${a} ${b}`).toBe(Number(sp >> 32n));
      }
    }
    // a few full instruction runs with accumulators
    for (let i = 0; i < 30; i++) {
      const [a, b, lo, hi] = [rand(), rand(), rand(), rand()];
      const acc = (u(hi) << 32n) | u(lo);
      const uml = (acc + u(a) * u(b)) & M64;
      const sml = (acc + s32(a) * s32(b)) & M64;
      expect(long(umlal(0, 1, 2, 3), a, b, lo, hi)).toEqual([Number(uml & 0xffffffffn), Number(uml >> 32n)]);
      expect(long(smlal(0, 1, 2, 3), a, b, lo, hi)).toEqual([Number(sml & 0xffffffffn), Number(sml >> 32n)]);
    }
  });

  it('RdHi == RdLo, or sp/pc operands, are UNPREDICTABLE: UNDEFINED here', () => {
    for (const insn of [umull(0, 0, 2, 3), smlal(4, 4, 2, 3), umull(13, 1, 2, 3), smull(0, 15, 2, 3), umlal(0, 1, 13, 3), mul(0, 1, 15), mla(0, 1, 2, 13), sdiv(13, 1, 2)]) {
      const { cpu } = makeCpu([insn]);
      expect(faultOf(() => cpu.step())?.cfsr, insn.toString(16)).toBe(CFSR.UNDEFINSTR);
    }
  });
});

describe('SDIV / UDIV', () => {
  const div = (insn: number, n: number, m: number, trap = false): { q: number; cycles: number; fault?: GuestFault } => {
    const { cpu } = makeCpu([insn]);
    cpu.div0Trap = trap;
    cpu.r[0] = 0x5a5a;
    cpu.r[1] = n | 0;
    cpu.r[2] = m | 0;
    const fault = faultOf(() => cpu.step());
    return { q: cpu.r[0], cycles: cpu.cycles, fault };
  };
  const S = sdiv(0, 1, 2);
  const U = udiv(0, 1, 2);

  it('SDIV rounds toward zero', () => {
    expect(div(S, 7, 2).q).toBe(3);
    expect(div(S, -7, 2).q).toBe(-3);
    expect(div(S, 7, -2).q).toBe(-3);
    expect(div(S, -7, -2).q).toBe(3);
    expect(div(S, 1, 2).q).toBe(0);
    expect(div(S, 0x7fffffff, 1).q).toBe(0x7fffffff);
    expect(div(S, 0x80000000, 2).q).toBe(-0x40000000);
    expect(div(S, 0x80000000, 0x7fffffff).q).toBe(-1);
  });

  it('SDIV INT_MIN / -1 = INT_MIN (no overflow indication)', () => {
    expect(u32(div(S, 0x80000000, -1).q)).toBe(0x80000000);
  });

  it('UDIV treats operands as unsigned', () => {
    expect(u32(div(U, 0xffffffff, 1).q)).toBe(0xffffffff);
    expect(div(U, 0xffffffff, 0xffffffff).q).toBe(1);
    expect(div(U, 0xfffffffe, 0xffffffff).q).toBe(0);
    expect(div(U, 0x80000000, 2).q).toBe(0x40000000);
    expect(div(U, 100, 7).q).toBe(14);
  });

  it('division by zero returns 0 when CCR.DIV_0_TRP is clear', () => {
    expect(div(S, 5, 0)).toEqual({ q: 0, cycles: 2, fault: undefined });
    expect(div(U, 0xffffffff, 0)).toEqual({ q: 0, cycles: 2, fault: undefined });
  });

  it('division by zero raises UsageFault DIVBYZERO when trapping, leaving Rd unchanged', () => {
    for (const insn of [S, U]) {
      const r = div(insn, 5, 0, true);
      expect(r.fault?.exception).toBe(Exc.UsageFault);
      expect(r.fault?.cfsr).toBe(CFSR.DIVBYZERO);
      expect(r.q).toBe(0x5a5a);
    }
    // trapping enabled, non-zero divisor: normal
    expect(div(S, 9, 3, true).q).toBe(3);
  });

  it('cycles: 2 + significant quotient bits / 4 (2..10, within the TRM 2–12 range)', () => {
    expect(div(U, 3, 7).cycles).toBe(2); // quotient 0
    expect(div(U, 100, 10).cycles).toBe(3); // quotient 10: 4 bits
    expect(div(U, 0xffffffff, 1).cycles).toBe(10); // 32 bits
    expect(div(S, 0x80000000, -1).cycles).toBe(10); // |INT_MIN| has 32 bits
    expect(div(S, -100, 10).cycles).toBe(3); // |-10|: 4 bits
  });
});
