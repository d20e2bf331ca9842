/**
 * FPv4-SP instructions end to end: encodings from the ARM ARM diagrams, executed on the harness core,
 * expected bit patterns derived by hand from the pseudocode.
 */
import { describe, expect, it } from 'vitest';
import { DATA_BASE, makeCpu, stepN } from '../helpers/cpu-harness.js';
import { disassemble } from '../../src/cpu/armv7m/decoder.js';
import { CFSR } from '../../src/cpu/armv7m/faults.js';
import type { CortexM4 } from '../../src/cpu/armv7m/cpu.js';

const IOC = 1, DZC = 2, OFC = 4, UFC = 8, IXC = 16, IDC = 128;
const FZ = 1 << 24, DN = 1 << 25, AHP = 1 << 26;
const RP = 1 << 22, RM = 2 << 22, RZ = 3 << 22;
const ONE = 0x3f800000, TWO = 0x40000000, HALF = 0x3f000000;
const NEG = 0x80000000 | 0;
const QNAN1 = 0x7fc00001, SNAN1 = 0x7f800001, INF = 0x7f800000;

// ---- encoders (field layout of A6.4 / A6.5 / A6.6) ---------------------------------------------------------

const w = (hw1: number, hw2: number): number => ((hw1 << 16) | hw2) >>> 0;

/** Data-processing: bit 23, bits 21:20, op (bit 6), Sd, Sn, Sm. */
function dp(b23: number, opc: number, op: number, d: number, n: number, m: number): number {
  const hw1 = 0xee00 | (b23 << 7) | ((d & 1) << 6) | (opc << 4) | (n >>> 1);
  const hw2 = ((d >>> 1) << 12) | 0xa00 | ((n & 1) << 7) | (op << 6) | ((m & 1) << 5) | (m >>> 1);
  return w(hw1, hw2);
}
const VMLA = (d: number, n: number, m: number) => dp(0, 0, 0, d, n, m);
const VMLS = (d: number, n: number, m: number) => dp(0, 0, 1, d, n, m);
const VNMLS = (d: number, n: number, m: number) => dp(0, 1, 0, d, n, m);
const VNMLA = (d: number, n: number, m: number) => dp(0, 1, 1, d, n, m);
const VMUL = (d: number, n: number, m: number) => dp(0, 2, 0, d, n, m);
const VNMUL = (d: number, n: number, m: number) => dp(0, 2, 1, d, n, m);
const VADD = (d: number, n: number, m: number) => dp(0, 3, 0, d, n, m);
const VSUB = (d: number, n: number, m: number) => dp(0, 3, 1, d, n, m);
const VDIV = (d: number, n: number, m: number) => dp(1, 0, 0, d, n, m);
const VFNMS = (d: number, n: number, m: number) => dp(1, 1, 0, d, n, m);
const VFNMA = (d: number, n: number, m: number) => dp(1, 1, 1, d, n, m);
const VFMA = (d: number, n: number, m: number) => dp(1, 2, 0, d, n, m);
const VFMS = (d: number, n: number, m: number) => dp(1, 2, 1, d, n, m);
/** Other data-processing (opc1 = 1x11): `n` carries opc2:opc3<1>, op bit 6 = 1. */
const other = (sel: number, d: number, m: number) => dp(1, 3, 1, d, sel, m);
const VMOVr = (d: number, m: number) => other(0, d, m);
const VABS = (d: number, m: number) => other(1, d, m);
const VNEG = (d: number, m: number) => other(2, d, m);
const VSQRT = (d: number, m: number) => other(3, d, m);
const VCVTB_F32_F16 = (d: number, m: number) => other(4, d, m);
const VCVTT_F32_F16 = (d: number, m: number) => other(5, d, m);
const VCVTB_F16_F32 = (d: number, m: number) => other(6, d, m);
const VCVTT_F16_F32 = (d: number, m: number) => other(7, d, m);
const VCMP = (d: number, m: number) => other(8, d, m);
const VCMPE = (d: number, m: number) => other(9, d, m);
const VCMP0 = (d: number) => other(10, d, 0);
const VCMPE0 = (d: number) => other(11, d, 0);
const VCVT_F32_U32 = (d: number, m: number) => other(16, d, m);
const VCVT_F32_S32 = (d: number, m: number) => other(17, d, m);
const VCVTR_U32_F32 = (d: number, m: number) => other(24, d, m);
const VCVT_U32_F32 = (d: number, m: number) => other(25, d, m);
const VCVTR_S32_F32 = (d: number, m: number) => other(26, d, m);
const VCVT_S32_F32 = (d: number, m: number) => other(27, d, m);
/** VCVT fixed-point: toFixed, unsigned, size 16/32, fbits; operates on Sd in place. */
function VCVTfix(toFixed: number, unsigned: number, size: number, fbits: number, d: number): number {
  const sel = ((8 | (toFixed << 2) | 2 | unsigned) << 1) | (size === 32 ? 1 : 0);
  return other(sel, d, size - fbits);
}
function VMOVimm(d: number, imm8: number): number {
  return w(0xeeb0 | ((d & 1) << 6) | (imm8 >>> 4), ((d >>> 1) << 12) | 0xa00 | (imm8 & 0xf));
}
/** VLDR/VSTR: load, double, Rn, signed byte offset (multiple of 4). */
function VLDST(load: number, dbl: number, vd: number, rn: number, off: number): number {
  const u = off >= 0 ? 1 : 0;
  const imm8 = Math.abs(off) >>> 2;
  const dbit = dbl ? vd >>> 4 : vd & 1;
  const v = dbl ? vd & 0xf : vd >>> 1;
  return w(0xed00 | (u << 7) | (dbit << 6) | (load << 4) | rn, (v << 12) | 0xa00 | (dbl << 8) | imm8);
}
/** VLDM/VSTM: p, u, w, load, double, first register, Rn, imm8. */
function VLDM(p: number, u: number, wb: number, load: number, dbl: number, vd: number, rn: number, imm8: number): number {
  const dbit = dbl ? vd >>> 4 : vd & 1;
  const v = dbl ? vd & 0xf : vd >>> 1;
  return w(0xec00 | (p << 8) | (u << 7) | (dbit << 6) | (wb << 5) | (load << 4) | rn, (v << 12) | 0xa00 | (dbl << 8) | imm8);
}
const VMOV_S_R = (n: number, t: number) => w(0xee00 | (n >>> 1), (t << 12) | 0xa10 | ((n & 1) << 7));
const VMOV_R_S = (t: number, n: number) => w(0xee10 | (n >>> 1), (t << 12) | 0xa10 | ((n & 1) << 7));
const VMRS = (t: number) => w(0xeef1, (t << 12) | 0xa10);
const VMSR = (t: number) => w(0xeee1, (t << 12) | 0xa10);

/** Enables CP10/CP11 full access, and sets CONTROL.FPCA so that the first FP instruction does not load FPDSCR. */
function fpuOn(cpu: CortexM4): CortexM4 {
  cpu.cpacr = 0xf << 20;
  cpu.control |= 4;
  return cpu;
}

/** makeCpu with the FPU enabled. */
function makeFpu(code: number[]): ReturnType<typeof makeCpu> {
  const h = makeCpu(code);
  fpuOn(h.cpu);
  return h;
}

function cpuWith(code: number[], s: Record<number, number>, fpscr = 0, regs: Record<number, number> = {}): CortexM4 {
  const { cpu } = makeFpu(code);
  for (const [k, v] of Object.entries(s)) cpu.s[Number(k)] = v;
  for (const [k, v] of Object.entries(regs)) cpu.r[Number(k)] = v;
  cpu.fpscr = fpscr;
  stepN(cpu, code.length);
  return cpu;
}

/** Runs one instruction writing S0 from S1, S2 (and S0 as accumulator); returns [S0, FPSCR]. */
function op3(insn: number, s1: number, s2: number, fpscr = 0, s0 = 0): [number, number] {
  const cpu = cpuWith([insn], { 0: s0, 1: s1, 2: s2 }, fpscr);
  return [cpu.s[0]!, cpu.fpscr];
}

describe('VFP disassembly', () => {
  const cases: [number, string][] = [
    [0xee300a81, 'vadd.f32 s0, s1, s2'],
    [0xee200a20, 'vmul.f32 s0, s0, s1'],
    [0xee800a20, 'vdiv.f32 s0, s0, s1'],
    [0xeeb10ac0, 'vsqrt.f32 s0, s0'],
    [0xeebd0ac0, 'vcvt.s32.f32 s0, s0'],
    [0xeebd0a40, 'vcvtr.s32.f32 s0, s0'],
    [0xeeb80ae0, 'vcvt.f32.s32 s0, s1'],
    [0xeeb50ac0, 'vcmpe.f32 s0, #0.0'],
    [0xeeb40a60, 'vcmp.f32 s0, s1'],
    [0xeeb70a00, 'vmov.f32 s0, #1.0'],
    [0xeef00a40, 'vmov.f32 s1, s0'],
    [0xed900a01, 'vldr s0, [r0, #4]'],
    [0xed100b02, 'vldr d0, [r0, #-8]'],
    [0xed2d8b04, 'vpush {d8-d9}'],
    [0xecbd8b04, 'vpop {d8-d9}'],
    [0xed2d8a01, 'vpush {s16}'],
    [0xec900a04, 'vldmia r0, {s0-s3}'],
    [0xed210b04, 'vstmdb r1!, {d0-d1}'],
    [0xeef1fa10, 'vmrs APSR_nzcv, fpscr'],
    [0xeef10a10, 'vmrs r0, fpscr'],
    [0xeee10a10, 'vmsr fpscr, r0'],
    [0xee000a10, 'vmov s0, r0'],
    [0xee101a90, 'vmov r1, s1'],
    [0xec510b10, 'vmov r0, r1, d0'],
    [0xec410a10, 'vmov s0, s1, r0, r1'],
    [0xee200b10, 'vmov.32 d0[1], r0'],
    [0xeeb20ac0, 'vcvtt.f32.f16 s0, s0'],
    [0xeeb30a40, 'vcvtb.f16.f32 s0, s0'],
    [0xeebe0ac8, 'vcvt.s32.f32 s0, s0, #16'],
    [0xee000a81, 'vmla.f32 s0, s1, s2'],
    [0xeea00a81, 'vfma.f32 s0, s1, s2'],
    [0xee100ac1, 'vnmla.f32 s0, s1, s2'],
  ];
  for (const [raw, text] of cases) {
    it(text, () => expect(disassemble(raw, 4, 0x100)).toBe(text));
  }

  it('double-precision data processing (sz=1) is UNDEFINED on FPv4-SP', () => {
    const { cpu } = makeFpu([0xee300b01]); // vadd.f64 d0, d0, d1
    expect(() => cpu.step()).toThrow(expect.objectContaining({ cfsr: CFSR.UNDEFINSTR }));
  });

  it('every FP instruction goes through the CPACR check: NOCP with the FPU disabled', () => {
    const { cpu } = makeCpu([VADD(0, 1, 2)]);
    expect(() => cpu.step()).toThrow(expect.objectContaining({ cfsr: CFSR.NOCP }));
    expect(cpu.s[0]).toBe(0);
  });
});

describe('VADD/VSUB/VMUL/VDIV', () => {
  it('VADD 1 + 2^-24 ties to even in RN, rounds up in RP; flags are cumulative', () => {
    expect(op3(VADD(0, 1, 2), ONE, 0x33800000)).toEqual([ONE, IXC]);
    expect(op3(VADD(0, 1, 2), ONE, 0x33800000, RP)).toEqual([0x3f800001, RP | IXC]);
    expect(op3(VADD(0, 1, 2), ONE, ONE, IOC | DZC)).toEqual([TWO, IOC | DZC]);
  });

  it('VSUB x - x gives +0, or -0 when rounding toward minus infinity', () => {
    expect(op3(VSUB(0, 1, 2), TWO, TWO)).toEqual([0, 0]);
    expect(op3(VSUB(0, 1, 2), TWO, TWO, RM)).toEqual([NEG, RM]);
    expect(op3(VSUB(0, 1, 2), TWO, TWO, RZ)).toEqual([0, RZ]);
  });

  it('NaN operands: sNaN in either position wins and is quietened; qNaN passes; DN', () => {
    expect(op3(VADD(0, 1, 2), QNAN1, SNAN1 | NEG)).toEqual([0xffc00001 | 0, IOC]);
    expect(op3(VADD(0, 1, 2), SNAN1, QNAN1)).toEqual([0x7fc00001, IOC]);
    expect(op3(VMUL(0, 1, 2), ONE, QNAN1)).toEqual([QNAN1, 0]);
    expect(op3(VMUL(0, 1, 2), QNAN1 | NEG, 0x7fc00002)).toEqual([QNAN1 | NEG, 0]);
    expect(op3(VDIV(0, 1, 2), 0x7fc12345, ONE, DN)).toEqual([0x7fc00000, DN]);
    expect(op3(VSUB(0, 1, 2), ONE, QNAN1 | NEG)).toEqual([QNAN1 | NEG, 0]); // operand sign kept
  });

  it('infinities: inf - inf invalid, inf * 0 invalid, 1/0 divide-by-zero, 1/inf = 0', () => {
    expect(op3(VSUB(0, 1, 2), INF, INF)).toEqual([0x7fc00000, IOC]);
    expect(op3(VMUL(0, 1, 2), INF | NEG, 0)).toEqual([0x7fc00000, IOC]);
    expect(op3(VDIV(0, 1, 2), ONE | NEG, 0)).toEqual([INF | NEG, DZC]);
    expect(op3(VDIV(0, 1, 2), ONE, INF | NEG)).toEqual([NEG, 0]);
    expect(op3(VADD(0, 1, 2), INF, ONE)).toEqual([INF, 0]);
  });

  it('overflow: infinity in RN/RP, max normal in RZ/RM for positive results', () => {
    expect(op3(VADD(0, 1, 2), 0x7f7fffff, 0x7f7fffff)).toEqual([INF, OFC | IXC]);
    expect(op3(VADD(0, 1, 2), 0x7f7fffff, 0x7f7fffff, RZ)).toEqual([0x7f7fffff, RZ | OFC | IXC]);
    expect(op3(VADD(0, 1, 2), 0x7f7fffff, 0x7f7fffff, RM)).toEqual([0x7f7fffff, RM | OFC | IXC]);
    expect(op3(VADD(0, 1, 2), 0x7f7fffff, 0x7f7fffff, RP)).toEqual([INF, RP | OFC | IXC]);
  });

  it('denormals: kept with FZ off; flushed inputs set IDC, flushed outputs set UFC with FZ on', () => {
    // 2^-149 + 2^-149 = 2^-148: exact denormal, no flags
    expect(op3(VADD(0, 1, 2), 1, 1)).toEqual([2, 0]);
    expect(op3(VADD(0, 1, 2), 1, 1, FZ)).toEqual([0, FZ | IDC]);
    // 2^-126 * 0.5 = 2^-127: exact denormal 0x00400000; with FZ the output is flushed: UFC
    expect(op3(VMUL(0, 1, 2), 0x00800000, HALF)).toEqual([0x00400000, 0]);
    expect(op3(VMUL(0, 1, 2), 0x00800000, HALF, FZ)).toEqual([0, FZ | UFC]);
    // 2^-149 * 0.5 rounds to 0 in RN (tie to even): underflow and inexact
    expect(op3(VMUL(0, 1, 2), 1, HALF)).toEqual([0, UFC | IXC]);
  });

  it('VDIV rounds correctly in each mode: 1/3', () => {
    const three = 0x40400000;
    expect(op3(VDIV(0, 1, 2), ONE, three)).toEqual([0x3eaaaaab, IXC]);
    expect(op3(VDIV(0, 1, 2), ONE, three, RZ)).toEqual([0x3eaaaaaa, RZ | IXC]);
    expect(op3(VDIV(0, 1, 2), ONE | NEG, three, RM)).toEqual([0xbeaaaaab | 0, RM | IXC]);
    expect(op3(VDIV(0, 1, 2), ONE | NEG, three, RP)).toEqual([0xbeaaaaaa | 0, RP | IXC]);
  });
});

describe('multiply-accumulate', () => {
  const X = 0x3f800800; // 1 + 2^-12
  const C = 0xbf801000 | 0; // -(1 + 2^-11)
  it('VMLA is chained (product rounded) and VFMA fused (exact): (1+2^-12)^2 - (1+2^-11)', () => {
    expect(op3(VMLA(0, 1, 2), X, X, 0, C)).toEqual([0, IXC]);
    expect(op3(VFMA(0, 1, 2), X, X, 0, C)).toEqual([0x33800000, 0]); // 2^-24
  });

  it('VMLS / VNMLA / VNMLS / VNMUL signs: d=1, n*m=6', () => {
    const six = 0x40c00000, three = 0x40400000;
    expect(op3(VMLS(0, 1, 2), TWO, three, 0, ONE)).toEqual([0xc0a00000 | 0, 0]); // 1 - 6 = -5
    expect(op3(VNMLA(0, 1, 2), TWO, three, 0, ONE)).toEqual([0xc0e00000 | 0, 0]); // -1 - 6 = -7
    expect(op3(VNMLS(0, 1, 2), TWO, three, 0, ONE)).toEqual([0x40a00000, 0]); // -1 + 6 = 5
    expect(op3(VNMUL(0, 1, 2), TWO, three)).toEqual([six | NEG, 0]);
    expect(op3(VFMS(0, 1, 2), TWO, three, 0, ONE)).toEqual([0xc0a00000 | 0, 0]); // 1 - 6
    expect(op3(VFNMA(0, 1, 2), TWO, three, 0, ONE)).toEqual([0xc0e00000 | 0, 0]); // -1 - 6
    expect(op3(VFNMS(0, 1, 2), TWO, three, 0, ONE)).toEqual([0x40a00000, 0]); // -1 + 6
  });

  it('negations apply to NaN operands too (FPNeg flips the sign bit before NaN processing)', () => {
    expect(op3(VFNMA(0, 1, 2), ONE, ONE, 0, QNAN1)).toEqual([QNAN1 | NEG, 0]); // -Sd
    expect(op3(VFMS(0, 1, 2), QNAN1, ONE, 0, ONE)).toEqual([QNAN1 | NEG, 0]); // -Sn
    expect(op3(VNMUL(0, 1, 2), QNAN1, ONE)).toEqual([QNAN1 | NEG, 0]);
    expect(op3(VMLS(0, 1, 2), SNAN1, ONE, 0, ONE)).toEqual([0xffc00001 | 0, IOC]); // FPNeg(product NaN)
    // chained: the accumulator's sNaN wins over the product's qNaN in FPAdd(Sd, product)
    expect(op3(VMLA(0, 1, 2), QNAN1, ONE, 0, SNAN1 | NEG)).toEqual([0xffc00001 | 0, IOC]);
  });

  it('fused NaN order: addend, op1, op2; inf*0 + qNaN gives the default NaN', () => {
    expect(op3(VFMA(0, 1, 2), 0x7fc00002, SNAN1, 0, QNAN1)).toEqual([0x7fc00001, IOC]);
    expect(op3(VFMA(0, 1, 2), 0x7fc00002, 0x7fc00003, 0, ONE)).toEqual([0x7fc00002, 0]);
    expect(op3(VFMA(0, 1, 2), INF, 0, 0, QNAN1)).toEqual([0x7fc00000, IOC]);
  });

  it('VNMUL negates even the default NaN of an invalid product (FPNeg after FPMul)', () => {
    expect(op3(VNMUL(0, 1, 2), INF, 0)).toEqual([0xffc00000 | 0, IOC]);
    // VMLS: FPAdd(Sd, FPNeg(default NaN)) propagates the negated quiet NaN when DN is off
    expect(op3(VMLS(0, 1, 2), INF, 0, 0, ONE)).toEqual([0xffc00000 | 0, IOC]);
    expect(op3(VMLS(0, 1, 2), INF, 0, DN, ONE)).toEqual([0x7fc00000, DN | IOC]);
  });

  it('VMLA accumulates flags of both steps: product overflow then inf + x', () => {
    expect(op3(VMLA(0, 1, 2), 0x7f7fffff, TWO, 0, ONE)).toEqual([INF, OFC | IXC]);
  });
});

describe('VSQRT, VABS, VNEG, VMOV', () => {
  it('VSQRT: exact 4 -> 2, 2 inexact per mode, negative -> default NaN + IOC, -0 -> -0', () => {
    expect(op3(VSQRT(0, 1), 0x40800000, 0)).toEqual([TWO, 0]);
    expect(op3(VSQRT(0, 1), TWO, 0)).toEqual([0x3fb504f3, IXC]); // sqrt 2 = 1.41421354 (RN)
    expect(op3(VSQRT(0, 1), TWO, 0, RP)).toEqual([0x3fb504f4, RP | IXC]);
    expect(op3(VSQRT(0, 1), ONE | NEG, 0)).toEqual([0x7fc00000, IOC]);
    expect(op3(VSQRT(0, 1), NEG, 0)).toEqual([NEG, 0]);
    expect(op3(VSQRT(0, 1), SNAN1 | NEG, 0)).toEqual([0xffc00001 | 0, IOC]);
  });

  it('VABS/VNEG/VMOV keep signalling NaNs and raise nothing, even with FZ and a denormal', () => {
    expect(op3(VABS(0, 1), SNAN1 | NEG, 0)).toEqual([SNAN1, 0]);
    expect(op3(VNEG(0, 1), SNAN1, 0)).toEqual([SNAN1 | NEG, 0]);
    expect(op3(VMOVr(0, 1), SNAN1, 0)).toEqual([SNAN1, 0]);
    expect(op3(VNEG(0, 1), 1, 0, FZ)).toEqual([1 | NEG, FZ]);
  });

  it('VMOV immediate expands imm8 (VFPExpandImm)', () => {
    expect(cpuWith([VMOVimm(3, 0x70)], {}).s[3]).toBe(ONE); // 1.0
    expect(cpuWith([VMOVimm(0, 0x00)], {}).s[0]).toBe(TWO); // 2.0
    expect(cpuWith([VMOVimm(0, 0xe0)], {}).s[0]).toBe(0xbf000000 | 0); // -0.5
    expect(cpuWith([VMOVimm(0, 0xc0)], {}).s[0]).toBe(0xbe000000 | 0); // -0.125
    expect(cpuWith([VMOVimm(0, 0x7f)], {}).s[0]).toBe(0x3ff80000); // 1.9375
  });

  it('VMOV between core and single registers, two singles, a D register and a D-register half', () => {
    let cpu = cpuWith([VMOV_S_R(5, 3), VMOV_R_S(4, 5)], {}, 0, { 3: SNAN1 });
    expect([cpu.s[5], cpu.r[4]]).toEqual([SNAN1, SNAN1]);
    cpu = cpuWith([w(0xec41, 0x0a10 | 0x20 | 1)], {}, 0, { 0: 11, 1: 22 }); // vmov s3, s4, r0, r1
    expect([cpu.s[3], cpu.s[4]]).toEqual([11, 22]);
    cpu = cpuWith([w(0xec51, 0x2b13)], { 6: 33, 7: 44 }); // vmov r2, r1, d3
    expect([cpu.r[2], cpu.r[1]]).toEqual([33, 44]);
    cpu = cpuWith([w(0xec41, 0x0b12)], {}, 0, { 0: 55, 1: 66 }); // vmov d2, r0, r1
    expect([cpu.s[4], cpu.s[5]]).toEqual([55, 66]);
    cpu = cpuWith([w(0xee21, 0x0b10), w(0xee31, 0x5b10)], {}, 0, { 0: 77 }); // vmov.32 d1[1], r0; vmov.32 r5, d1[1]
    expect([cpu.s[3], cpu.s[2], cpu.r[5]]).toEqual([77, 0, 77]);
  });
});

describe('cycle counts (Cortex-M4 TRM FPU table)', () => {
  const cases: [string, number, number][] = [
    ['VADD', VADD(0, 1, 2), 1],
    ['VSUB', VSUB(0, 1, 2), 1],
    ['VMUL', VMUL(0, 1, 2), 1],
    ['VNMUL', VNMUL(0, 1, 2), 1],
    ['VMLA', VMLA(0, 1, 2), 3],
    ['VNMLS', VNMLS(0, 1, 2), 3],
    ['VFMA', VFMA(0, 1, 2), 3],
    ['VFNMA', VFNMA(0, 1, 2), 3],
    ['VDIV', VDIV(0, 1, 2), 14],
    ['VSQRT', VSQRT(0, 1), 14],
    ['VABS', VABS(0, 1), 1],
    ['VCMP', VCMP(0, 1), 1],
    ['VCVT', VCVT_S32_F32(0, 1), 1],
    ['VMOV imm', VMOVimm(0, 0x70), 1],
    ['VMOV s, r', VMOV_S_R(0, 1), 1],
    ['VMRS', VMRS(0), 1],
    ['VMSR', VMSR(0), 1],
  ];
  for (const [name, insn, cycles] of cases) {
    it(`${name}: ${cycles}`, () => expect(cpuWith([insn], { 1: ONE, 2: TWO }).cycles).toBe(cycles));
  }
});

describe('conditional execution', () => {
  it('VADD inside an IT block is skipped when the condition fails', () => {
    const { cpu } = makeFpu([0xbf08, VADD(0, 1, 2)]); // IT EQ; VADDEQ.F32 s0, s1, s2
    cpu.s[1] = ONE;
    cpu.s[2] = ONE;
    cpu.z = 0;
    stepN(cpu, 2);
    expect(cpu.s[0]).toBe(0);
    const h = makeFpu([0xbf08, VADD(0, 1, 2)]);
    h.cpu.s[1] = ONE;
    h.cpu.s[2] = ONE;
    h.cpu.z = 1;
    stepN(h.cpu, 2);
    expect(h.cpu.s[0]).toBe(TWO);
  });
});

describe('VCMP/VCMPE and VMRS', () => {
  const nzcv = (f: number): number => f >>> 28;
  it('less / equal / greater / unordered', () => {
    expect(nzcv(op3(VCMP(1, 2), ONE, TWO)[1])).toBe(0b1000);
    expect(nzcv(op3(VCMP(1, 2), NEG, 0)[1])).toBe(0b0110); // -0 == +0
    expect(nzcv(op3(VCMP(1, 2), TWO, ONE)[1])).toBe(0b0010);
    expect(op3(VCMP(1, 2), QNAN1, ONE)).toEqual([0, 0x30000000]);
    expect(op3(VCMP(1, 2), SNAN1, ONE)).toEqual([0, 0x30000000 | IOC]);
    expect(op3(VCMPE(1, 2), QNAN1, ONE)).toEqual([0, 0x30000000 | IOC]);
    expect(op3(VCMPE(1, 2), ONE, ONE)).toEqual([0, 0x60000000]);
  });

  it('compare with #0.0, flushing a denormal with FZ (IDC)', () => {
    expect(nzcv(op3(VCMP0(1), 1, 0)[1])).toBe(0b0010);
    expect(op3(VCMP0(1), 1, 0, FZ)).toEqual([0, 0x60000000 | FZ | IDC]);
    expect(op3(VCMPE0(1), QNAN1, 0)).toEqual([0, 0x30000000 | IOC]);
  });

  it('VMRS APSR_nzcv copies FPSCR.NZCV to the APSR flags; VMRS Rt reads FPSCR', () => {
    const cpu = cpuWith([VCMP(1, 2), VMRS(15), VMRS(3)], { 1: QNAN1, 2: ONE });
    expect([cpu.n, cpu.z, cpu.c, cpu.v]).toEqual([0, 0, 1, 1]);
    expect(cpu.r[3]! >>> 0).toBe(0x30000000);
    const c2 = cpuWith([VCMP(1, 2), VMRS(15)], { 1: ONE, 2: TWO });
    expect([c2.n, c2.z, c2.c, c2.v]).toEqual([1, 0, 0, 0]);
  });

  it('VMSR writes only the implemented FPSCR bits', () => {
    const cpu = cpuWith([VMSR(2)], {}, 0, { 2: -1 });
    expect(cpu.fpscr >>> 0).toBe(0xf7c0009f);
  });
});

describe('VCVT', () => {
  it('float to integer: VCVT rounds toward zero, VCVTR uses FPSCR', () => {
    expect(op3(VCVT_S32_F32(0, 1), 0xbfc00000 | 0, 0)).toEqual([-1, IXC]); // -1.5 -> -1
    expect(op3(VCVTR_S32_F32(0, 1), 0xbfc00000 | 0, 0)).toEqual([-2, IXC]); // RN tie to even
    expect(op3(VCVTR_S32_F32(0, 1), 0x40200000, 0, RP)).toEqual([3, RP | IXC]); // 2.5 RP
    expect(op3(VCVT_S32_F32(0, 1), 0x4f000000, 0)).toEqual([0x7fffffff, IOC]); // 2^31
    expect(op3(VCVT_S32_F32(0, 1), 0xcf000001 | 0, 0)).toEqual([NEG, IOC]); // < -2^31
    expect(op3(VCVT_S32_F32(0, 1), QNAN1, 0)).toEqual([0, IOC]);
    expect(op3(VCVT_U32_F32(0, 1), INF | NEG, 0)).toEqual([0, IOC]);
    expect(op3(VCVT_U32_F32(0, 1), 0x4f7fffff, 0)).toEqual([0xffffff00 | 0, 0]);
    expect(op3(VCVTR_U32_F32(0, 1), 0xbf000000 | 0, 0, RM)).toEqual([0, RM | IOC]); // -0.5 -> -1 saturates
    expect(op3(VCVTR_U32_F32(0, 1), 0xbf000000 | 0, 0, RZ)).toEqual([0, RZ | IXC]);
  });

  it('integer to float rounds per FPSCR', () => {
    expect(op3(VCVT_F32_S32(0, 1), -1, 0)).toEqual([0xbf800000 | 0, 0]);
    expect(op3(VCVT_F32_U32(0, 1), -1, 0)).toEqual([0x4f800000, IXC]); // 2^32-1 -> 2^32
    expect(op3(VCVT_F32_U32(0, 1), -1, 0, RZ)).toEqual([0x4f7fffff, RZ | IXC]);
    expect(op3(VCVT_F32_S32(0, 1), 0x7fffffff, 0, RM)).toEqual([0x4effffff, RM | IXC]);
  });

  it('fixed-point conversions in place', () => {
    // 1.5 -> s32 with 16 fraction bits = 0x18000
    expect(cpuWith([VCVTfix(1, 0, 32, 16, 4)], { 4: 0x3fc00000 }).s[4]).toBe(0x18000);
    // -1.0 -> s16 Q15 = 0xffff8000 (sign-extended)
    expect(cpuWith([VCVTfix(1, 0, 16, 15, 4)], { 4: 0xbf800000 | 0 }).s[4]).toBe(0xffff8000 | 0);
    // 1.0 -> s16 Q15 saturates to 0x7fff with IOC
    const c = cpuWith([VCVTfix(1, 0, 16, 15, 4)], { 4: ONE });
    expect([c.s[4], c.fpscr]).toEqual([0x7fff, IOC]);
    // u16 0x8000 with 16 fraction bits -> 0.5 (upper bits of the source ignored)
    expect(cpuWith([VCVTfix(0, 1, 16, 16, 4)], { 4: 0x12348000 }).s[4]).toBe(HALF);
    // s32 -3 with 1 fraction bit -> -1.5
    expect(cpuWith([VCVTfix(0, 0, 32, 1, 4)], { 4: -3 }).s[4]).toBe(0xbfc00000 | 0);
  });

  it('half precision: IEEE conversions, bottom and top halves, other half preserved', () => {
    let c = cpuWith([VCVTB_F16_F32(0, 1), VCVTT_F16_F32(0, 2)], { 0: 0x12345678, 1: ONE, 2: 0xc7ffe000 | 0 }); // 1.0, -131008
    expect(c.s[0]! >>> 0).toBe(0xfc003c00); // top: -131008 overflows to -inf in RN
    expect(c.fpscr).toBe(OFC | IXC);
    c = cpuWith([VCVTB_F16_F32(0, 1)], { 1: 0x477fe000 }); // 65504 = max half
    expect([c.s[0], c.fpscr]).toEqual([0x7bff, 0]);
    c = cpuWith([VCVTB_F16_F32(0, 1)], { 1: 0x477ff000 }); // 65520: tie between 65504 and 65536 -> overflow in RN
    expect([c.s[0], c.fpscr]).toEqual([0x7c00, OFC | IXC]);
    c = cpuWith([VCVTB_F16_F32(0, 1)], { 1: 0x477ff000 }, RZ);
    expect([c.s[0], c.fpscr]).toEqual([0x7bff, RZ | IXC]);
    c = cpuWith([VCVTB_F16_F32(0, 1)], { 1: 0x33800000 }); // 2^-24: smallest half denormal
    expect([c.s[0], c.fpscr]).toEqual([0x0001, 0]);
    c = cpuWith([VCVTB_F16_F32(0, 1)], { 1: 0x33000000 }); // 2^-25: tie -> 0, underflow
    expect([c.s[0], c.fpscr]).toEqual([0, UFC | IXC]);
    c = cpuWith([VCVTB_F16_F32(0, 1)], { 1: 0x33800000 }, FZ); // FZ does not flush half results
    expect([c.s[0], c.fpscr]).toEqual([1, FZ]);
    c = cpuWith([VCVTB_F16_F32(0, 1)], { 1: 0x33000001 }, FZ | RP); // just above 2^-25, RP: up to 2^-24
    expect([c.s[0], c.fpscr]).toEqual([1, FZ | RP | UFC | IXC]);
    c = cpuWith([VCVTB_F16_F32(0, 1)], { 1: 0x00000001 }, FZ | RP); // a denormal single input is flushed: IDC
    expect([c.s[0], c.fpscr]).toEqual([0, FZ | RP | IDC]);
    c = cpuWith([VCVTB_F16_F32(0, 1)], { 1: SNAN1 | 0x2000 }); // sNaN payload bit 13 -> half frac bit 0
    expect([c.s[0], c.fpscr]).toEqual([0x7e01, IOC]);
    c = cpuWith([VCVTB_F16_F32(0, 1)], { 1: INF | NEG });
    expect([c.s[0], c.fpscr]).toEqual([0xfc00, 0]);
  });

  it('half precision to single: denormals exact, NaNs quietened, DN', () => {
    let c = cpuWith([VCVTB_F32_F16(0, 1), VCVTT_F32_F16(2, 1)], { 1: (0xc000 << 16) | 0x0001 }); // top -2.0, bottom 2^-24
    expect([c.s[0], c.s[2], c.fpscr]).toEqual([0x33800000, 0xc0000000 | 0, 0]);
    c = cpuWith([VCVTB_F32_F16(0, 1)], { 1: 0x7c01 }); // half sNaN
    expect([c.s[0], c.fpscr]).toEqual([0x7fc02000, IOC]);
    c = cpuWith([VCVTB_F32_F16(0, 1)], { 1: 0xfe00 }, DN);
    expect([c.s[0], c.fpscr]).toEqual([0x7fc00000, DN]);
    c = cpuWith([VCVTB_F32_F16(0, 1)], { 1: 0x7c00 });
    expect(c.s[0]).toBe(INF);
  });

  it('alternative half precision (AHP): no infinities or NaNs, range to 131008', () => {
    let c = cpuWith([VCVTB_F16_F32(0, 1)], { 1: 0x47ffe000 }, AHP); // 131008
    expect([c.s[0], c.fpscr]).toEqual([0x7fff, AHP]);
    c = cpuWith([VCVTB_F16_F32(0, 1)], { 1: 0x48000000 }, AHP); // 131072 saturates, IOC not OFC
    expect([c.s[0], c.fpscr]).toEqual([0x7fff, AHP | IOC]);
    c = cpuWith([VCVTB_F16_F32(0, 1)], { 1: INF | NEG }, AHP);
    expect([c.s[0], c.fpscr]).toEqual([0xffff, AHP | IOC]);
    c = cpuWith([VCVTB_F16_F32(0, 1)], { 1: QNAN1 }, AHP);
    expect([c.s[0], c.fpscr]).toEqual([0, AHP | IOC]);
    c = cpuWith([VCVTB_F32_F16(0, 1)], { 1: 0x7c00 }, AHP); // exponent 31 is a normal number: 65536
    expect([c.s[0], c.fpscr]).toEqual([0x47800000, AHP]);
  });
});

describe('loads, stores, VLDM/VSTM/VPUSH/VPOP', () => {
  it('VLDR/VSTR single and double with offsets; sNaN bits survive memory', () => {
    const { cpu, bus } = makeFpu([VLDST(1, 0, 3, 0, 8), VLDST(1, 1, 2, 0, -8), VLDST(0, 0, 3, 1, 0), VLDST(0, 1, 2, 1, 4)]);
    bus.write32(DATA_BASE + 0x18, SNAN1);
    bus.write32(DATA_BASE + 0x8, 0x11111111);
    bus.write32(DATA_BASE + 0xc, 0x22222222);
    cpu.r[0] = DATA_BASE + 0x10;
    cpu.r[1] = DATA_BASE + 0x100;
    stepN(cpu, 4);
    expect([cpu.s[3], cpu.s[4], cpu.s[5]]).toEqual([SNAN1, 0x11111111, 0x22222222]);
    expect(bus.read32(DATA_BASE + 0x100)).toBe(SNAN1);
    expect([bus.read32(DATA_BASE + 0x104), bus.read32(DATA_BASE + 0x108)]).toEqual([0x11111111, 0x22222222]);
    expect(cpu.cycles).toBe(2 + 3 + 2 + 3);
  });

  it('VLDR literal uses Align(PC, 4)', () => {
    // at 0x102: PC = 0x106, Align = 0x104, +4 -> 0x108
    const { cpu, bus } = makeFpu([0xbf00, VLDST(1, 0, 0, 15, 4)]);
    bus.write32(0x108, 0x40490fdb);
    stepN(cpu, 2);
    expect(cpu.s[0]).toBe(0x40490fdb);
  });

  it('unaligned VLDR is a UsageFault (UNALIGNED) whatever CCR says', () => {
    const { cpu } = makeFpu([VLDST(1, 0, 0, 0, 0)]);
    cpu.r[0] = DATA_BASE + 2;
    expect(() => cpu.step()).toThrow(expect.objectContaining({ cfsr: CFSR.UNALIGNED }));
  });

  it('VPUSH {d8-d9} / VPOP: layout (low word first), SP writeback, cycles 1+N', () => {
    const { cpu, bus } = makeFpu([0xed2d8b04, 0xecbd8b04]);
    cpu.s.set([1, 2, 3, 4], 16);
    const sp = cpu.r[13]!;
    cpu.step();
    expect(cpu.r[13]).toBe(sp - 16);
    expect([0, 4, 8, 12].map((o) => bus.read32(sp - 16 + o))).toEqual([1, 2, 3, 4]);
    expect(cpu.cycles).toBe(5);
    cpu.s.fill(0);
    cpu.step();
    expect(cpu.r[13]).toBe(sp);
    expect(Array.from(cpu.s.subarray(16, 20))).toEqual([1, 2, 3, 4]);
  });

  it('VLDMIA without writeback, VSTMDB with writeback, single-precision lists', () => {
    const { cpu, bus } = makeFpu([VLDM(0, 1, 0, 1, 0, 1, 0, 3), VLDM(1, 0, 1, 0, 0, 1, 2, 3)]);
    cpu.r[0] = DATA_BASE;
    cpu.r[2] = DATA_BASE + 0x40;
    bus.write32(DATA_BASE, 10);
    bus.write32(DATA_BASE + 4, 20);
    bus.write32(DATA_BASE + 8, 30);
    stepN(cpu, 2);
    expect(cpu.r[0]).toBe(DATA_BASE);
    expect([cpu.s[1], cpu.s[2], cpu.s[3]]).toEqual([10, 20, 30]);
    expect(cpu.r[2]).toBe(DATA_BASE + 0x40 - 12);
    expect([0x34, 0x38, 0x3c].map((o) => bus.read32(DATA_BASE + o))).toEqual([10, 20, 30]);
  });

  it('VLDMIA with writeback of D registers', () => {
    const { cpu, bus } = makeFpu([VLDM(0, 1, 1, 1, 1, 1, 4, 4)]); // vldmia r4!, {d1-d2}
    cpu.r[4] = DATA_BASE;
    for (let i = 0; i < 4; i++) bus.write32(DATA_BASE + 4 * i, 100 + i);
    cpu.step();
    expect(Array.from(cpu.s.subarray(2, 6))).toEqual([100, 101, 102, 103]);
    expect(cpu.r[4]).toBe(DATA_BASE + 16);
  });
});
