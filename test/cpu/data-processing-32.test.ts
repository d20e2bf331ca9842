/**
 * 32-bit Thumb-2 data-processing instructions (ARM ARM DDI0403E A5.3). Expected values are worked out by
 * hand from the ARM ARM pseudocode (ThumbExpandImm_C, DecodeImmShift, Shift_C, AddWithCarry, SignedSatQ, ...).
 */
import { describe, expect, it } from 'vitest';
import { decode, disassemble } from '../../src/cpu/armv7m/decoder.js';
import { GuestFault } from '../../src/cpu/armv7m/faults.js';
import { exec, makeCpu, stepN } from '../helpers/cpu-harness.js';

// ---- encoders (A5.3 encoding diagrams); results are (hw1 << 16 | hw2) >>> 0 ----
const t32 = (hw1: number, hw2: number): number => ((hw1 << 16) | hw2) >>> 0;
const MI = { AND: 0, BIC: 1, ORR: 2, ORN: 3, EOR: 4, ADD: 8, ADC: 10, SBC: 11, SUB: 13, RSB: 14 };
/** Data processing (modified immediate): op, S, Rn, Rd, imm12 = i:imm3:imm8. */
const modImm = (op: number, s: number, n: number, d: number, imm12: number): number =>
  t32(0xf000 | (((imm12 >> 11) & 1) << 10) | (op << 5) | (s << 4) | n, (((imm12 >> 8) & 7) << 12) | (d << 8) | (imm12 & 0xff));
/** Data processing (plain binary immediate): op (5 bits), Rn, Rd, low 12 bits as i:imm3:imm8. */
const plain = (op5: number, n: number, d: number, imm12: number): number =>
  t32(0xf200 | (((imm12 >> 11) & 1) << 10) | (op5 << 4) | n, (((imm12 >> 8) & 7) << 12) | (d << 8) | (imm12 & 0xff));
const movw = (d: number, v: number): number => plain(0b00100, v >>> 12, d, v & 0xfff);
const movt = (d: number, v: number): number => plain(0b01100, v >>> 12, d, v & 0xfff);
const addw = (d: number, n: number, v: number): number => plain(0b00000, n, d, v);
const subw = (d: number, n: number, v: number): number => plain(0b01010, n, d, v);
/** Saturate/bitfield layout: imm3:imm2 = imm5, low 5 bits = field. */
const satBf = (op5: number, n: number, d: number, imm5: number, low5: number): number =>
  t32(0xf200 | (op5 << 4) | n, (((imm5 >> 2) & 7) << 12) | (d << 8) | ((imm5 & 3) << 6) | low5);
const ssat = (d: number, satTo: number, n: number, asr = false, amount = 0): number => satBf(asr ? 0b10010 : 0b10000, n, d, amount, satTo - 1);
const usat = (d: number, satTo: number, n: number, asr = false, amount = 0): number => satBf(asr ? 0b11010 : 0b11000, n, d, amount, satTo);
const sbfx = (d: number, n: number, lsb: number, width: number): number => satBf(0b10100, n, d, lsb, width - 1);
const ubfx = (d: number, n: number, lsb: number, width: number): number => satBf(0b11100, n, d, lsb, width - 1);
const bfi = (d: number, n: number, lsb: number, width: number): number => satBf(0b10110, n, d, lsb, lsb + width - 1);
const bfc = (d: number, lsb: number, width: number): number => bfi(d, 15, lsb, width);
/** Data processing (shifted register): op, S, Rn, Rd, type, imm5, Rm. */
const shReg = (op: number, s: number, n: number, d: number, type: number, imm5: number, m: number): number =>
  t32(0xea00 | (op << 5) | (s << 4) | n, (((imm5 >> 2) & 7) << 12) | (d << 8) | ((imm5 & 3) << 6) | (type << 4) | m);
const regShift = (type: number, s: number, d: number, n: number, m: number): number => t32(0xfa00 | (type << 5) | (s << 4) | n, 0xf000 | (d << 8) | m);
/** SXTH 000, UXTH 001, SXTB 100, UXTB 101; rot in units of 8 bits. */
const extend = (op3: number, d: number, m: number, rot: number): number => t32(0xfa0f | (op3 << 4), 0xf080 | (d << 8) | (rot << 4) | m);
const misc = (op1: number, op2: number, d: number, m: number, n = m): number => t32(0xfa80 | (op1 << 4) | n, 0xf080 | (d << 8) | (op2 << 4) | m);
const CLZ = [3, 0];
const REV = [1, 0];
const REV16 = [1, 1];
const RBIT = [1, 2];
const REVSH = [1, 3];

const NOP_MOV = 0x46c0; // mov r8, r8

type Flags = Partial<{ n: number; z: number; c: number; v: number; q: number }>;

function u(x: number): number {
  return x >>> 0;
}
function flags(cpu: { n: number; z: number; c: number; v: number }): string {
  return `${cpu.n ? 'N' : '-'}${cpu.z ? 'Z' : '-'}${cpu.c ? 'C' : '-'}${cpu.v ? 'V' : '-'}`;
}
function run1(code: number, regs: Record<number, number>, f: Flags = {}) {
  return exec([code], regs, f).cpu;
}
function isUndefined(code: number): boolean {
  try {
    run1(code, {});
  } catch (e) {
    return e instanceof GuestFault;
  }
  return false;
}

describe('modified immediate: ThumbExpandImm and carry-out', () => {
  it('ANDS with a rotated constant takes C from bit 31 of the constant', () => {
    const cpu = run1(modImm(MI.AND, 1, 1, 0, 0x400), { 1: -1 }, { v: 1 });
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    expect(flags(cpu)).toBe('N-CV');
  });
  it('ANDS with an unrotated constant keeps C', () => {
    let cpu = run1(modImm(MI.AND, 1, 1, 0, 0x0ff), { 1: 0x100 }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
    cpu = run1(modImm(MI.AND, 1, 1, 0, 0x3ab), { 1: -1 }, { c: 1 }); // 0xabababab, unrotated
    expect(u(cpu.r[0]!)).toBe(0xabababab);
    expect(flags(cpu)).toBe('N-C-');
  });
  it('ORRS with a rotated constant whose bit 31 is 0 clears C', () => {
    const cpu = run1(modImm(MI.ORR, 1, 1, 0, 0xf7f), { 1: 0 }, { c: 1 }); // 0xff ror 30 = 0x3fc
    expect(u(cpu.r[0]!)).toBe(0x3fc);
    expect(flags(cpu)).toBe('----');
  });
  it('replicated byte patterns and rotations', () => {
    const { cpu } = exec([
      modImm(MI.ORR, 0, 15, 0, 0x1ab),
      modImm(MI.ORR, 0, 15, 1, 0x2ab),
      modImm(MI.ORR, 0, 15, 2, 0x3ab),
      modImm(MI.ORR, 0, 15, 3, 0xd80), // 0x80 ror 27 = 0x1000
      modImm(MI.ORN, 0, 15, 4, 0x000), // MVN #0
    ]);
    expect(u(cpu.r[0]!)).toBe(0x00ab00ab);
    expect(u(cpu.r[1]!)).toBe(0xab00ab00);
    expect(u(cpu.r[2]!)).toBe(0xabababab);
    expect(u(cpu.r[3]!)).toBe(0x1000);
    expect(u(cpu.r[4]!)).toBe(0xffffffff);
  });
  it('MOVS/MVNS: N, Z from the result, C from the constant', () => {
    let cpu = run1(modImm(MI.ORR, 1, 15, 0, 0x400), {}, { z: 1 });
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    expect(flags(cpu)).toBe('N-C-');
    cpu = run1(modImm(MI.ORN, 1, 15, 0, 0x400), {});
    expect(u(cpu.r[0]!)).toBe(0x7fffffff);
    expect(flags(cpu)).toBe('--C-');
    cpu = run1(modImm(MI.ORR, 1, 15, 0, 0x000), { 0: 5 }, { n: 1, c: 1, v: 1 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZCV');
  });
  it('BIC, ORN, EOR', () => {
    const { cpu } = exec([
      modImm(MI.BIC, 0, 1, 0, 0x0ff),
      modImm(MI.ORN, 0, 1, 2, 0x0ff),
      modImm(MI.EOR, 0, 1, 3, 0x3ff),
    ], { 1: 0x12345678 }, { n: 1, z: 1 });
    expect(u(cpu.r[0]!)).toBe(0x12345600);
    expect(u(cpu.r[2]!)).toBe(0xffffff78);
    expect(u(cpu.r[3]!)).toBe(0xedcba987);
    expect(flags(cpu)).toBe('NZ--'); // no S: untouched
  });
  it('TST/TEQ (immediate)', () => {
    let cpu = run1(modImm(MI.EOR, 1, 1, 15, 0x400), { 1: 0x80000000 | 0 }); // TEQ r1, #0x80000000
    expect(flags(cpu)).toBe('-ZC-');
    cpu = run1(modImm(MI.AND, 1, 1, 15, 0x001), { 1: 3 }, { c: 1, v: 1 }); // TST r1, #1
    expect(flags(cpu)).toBe('--CV');
    expect(u(cpu.r[1]!)).toBe(3);
  });
  it('UNPREDICTABLE constants and registers are UNDEFINED', () => {
    expect(isUndefined(modImm(MI.AND, 0, 1, 0, 0x100))).toBe(true); // 0x00XY00XY with XY = 0
    expect(isUndefined(modImm(MI.AND, 0, 1, 13, 0x001))).toBe(true); // Rd = SP
    expect(isUndefined(modImm(MI.ADD, 0, 15, 0, 0x001))).toBe(true); // ADD T3 with Rn = PC
    expect(isUndefined(modImm(MI.ADC, 0, 1, 15, 0x001))).toBe(true);
  });
});

describe('modified immediate: arithmetic', () => {
  it('ADD.W / ADDS.W', () => {
    let cpu = run1(modImm(MI.ADD, 0, 1, 0, 0xd80), { 1: 5 }, { z: 1 });
    expect(u(cpu.r[0]!)).toBe(0x1005);
    expect(flags(cpu)).toBe('-Z--');
    cpu = run1(modImm(MI.ADD, 1, 1, 0, 1), { 1: -1 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
    cpu = run1(modImm(MI.ADD, 1, 1, 0, 1), { 1: 0x7fffffff });
    expect(flags(cpu)).toBe('N--V');
  });
  it('SUBS.W / CMP.W / CMN.W at the boundaries', () => {
    let cpu = run1(modImm(MI.SUB, 1, 1, 0, 1), { 1: 0x80000000 | 0 });
    expect(u(cpu.r[0]!)).toBe(0x7fffffff);
    expect(flags(cpu)).toBe('--CV');
    cpu = run1(modImm(MI.SUB, 1, 1, 15, 0x400), { 1: 0 }); // CMP r1, #0x80000000
    expect(flags(cpu)).toBe('N--V');
    cpu = run1(modImm(MI.ADD, 1, 1, 15, 1), { 1: -1 }); // CMN r1, #1
    expect(flags(cpu)).toBe('-ZC-');
    cpu = run1(modImm(MI.SUB, 1, 13, 15, 0), {}); // CMP sp, #0
    expect(flags(cpu)).toBe('--C-');
  });
  it('ADC/SBC (immediate) use the carry', () => {
    let cpu = run1(modImm(MI.ADC, 0, 1, 0, 1), { 1: 5 }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(7);
    expect(flags(cpu)).toBe('--C-');
    cpu = run1(modImm(MI.ADC, 1, 1, 0, 1), { 1: -2 }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
    cpu = run1(modImm(MI.SBC, 0, 1, 0, 1), { 1: 5 }, { c: 0 });
    expect(u(cpu.r[0]!)).toBe(3);
    cpu = run1(modImm(MI.SBC, 1, 1, 0, 0), { 1: 0 }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
    cpu = run1(modImm(MI.SBC, 1, 1, 0, 0), { 1: 0 }, { c: 0 });
    expect(u(cpu.r[0]!)).toBe(0xffffffff);
    expect(flags(cpu)).toBe('N---');
  });
  it('RSB.W / RSBS.W', () => {
    let cpu = run1(modImm(MI.RSB, 0, 1, 0, 100), { 1: 1 });
    expect(u(cpu.r[0]!)).toBe(99);
    cpu = run1(modImm(MI.RSB, 1, 1, 0, 0), { 1: 0x80000000 | 0 });
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    expect(flags(cpu)).toBe('N--V');
  });
  it('ADD.W/SUB.W with SP', () => {
    const { cpu } = exec([modImm(MI.ADD, 0, 13, 13, 16), modImm(MI.SUB, 0, 13, 0, 4), modImm(MI.SUB, 1, 13, 13, 8)]);
    expect(u(cpu.r[0]!)).toBe(0x20010010 - 4);
    expect(u(cpu.r[13]!)).toBe(0x20010008);
    expect(flags(cpu)).toBe('--C-');
  });
});

describe('plain binary immediate', () => {
  it('ADDW/SUBW with 12-bit immediates, no flags', () => {
    const { cpu } = exec([addw(0, 1, 0xfff), subw(2, 1, 0xfff), addw(3, 13, 1), subw(13, 13, 0x10)], { 1: 0x1000 }, { z: 1 });
    expect(u(cpu.r[0]!)).toBe(0x1fff);
    expect(u(cpu.r[2]!)).toBe(1);
    expect(u(cpu.r[3]!)).toBe(0x20010001);
    expect(u(cpu.r[13]!)).toBe(0x2000fff0);
    expect(flags(cpu)).toBe('-Z--');
  });
  it('ADR.W (add and subtract forms) from Align(PC, 4)', () => {
    const { cpu } = exec([NOP_MOV, addw(0, 15, 0x123), subw(1, 15, 0x4)]);
    expect(u(cpu.r[0]!)).toBe(0x104 + 0x123); // at 0x102: Align(0x106, 4) = 0x104
    expect(u(cpu.r[1]!)).toBe(0x108 - 4); // at 0x106: Align(0x10a, 4) = 0x108
  });
  it('MOVW/MOVT', () => {
    const { cpu } = exec([movw(0, 0x1234), movw(1, 0xffff), movt(1, 0x8765), movt(2, 0)], { 2: -1 });
    expect(u(cpu.r[0]!)).toBe(0x1234);
    expect(u(cpu.r[1]!)).toBe(0x8765ffff);
    expect(u(cpu.r[2]!)).toBe(0x0000ffff);
  });
  it('SSAT saturates and sets Q', () => {
    let cpu = run1(ssat(0, 8, 1), { 1: 200 });
    expect(cpu.r[0]).toBe(127);
    expect(cpu.q).toBe(1);
    cpu = run1(ssat(0, 8, 1), { 1: -200 });
    expect(cpu.r[0]).toBe(-128);
    expect(cpu.q).toBe(1);
    cpu = run1(ssat(0, 8, 1), { 1: -128 });
    expect(cpu.r[0]).toBe(-128);
    expect(cpu.q).toBe(0);
    cpu = run1(ssat(0, 8, 1, false, 4), { 1: 10 }); // 160 > 127
    expect(cpu.r[0]).toBe(127);
    expect(cpu.q).toBe(1);
    cpu = run1(ssat(0, 16, 1, true, 1), { 1: -70000 }); // -35000 < -32768
    expect(cpu.r[0]).toBe(-32768);
    cpu = run1(ssat(0, 32, 1), { 1: 0x80000000 | 0 });
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    expect(cpu.q).toBe(0);
    cpu = run1(ssat(0, 1, 1), { 1: 1 }); // range -1..0
    expect(cpu.r[0]).toBe(0);
    expect(cpu.q).toBe(1);
  });
  it('SSAT leaves Q set (sticky) when it does not saturate', () => {
    const cpu = run1(ssat(0, 8, 1), { 1: 5 }, { q: 1 });
    expect(cpu.r[0]).toBe(5);
    expect(cpu.q).toBe(1);
  });
  it('USAT saturates to 0..2^n-1 and sets Q', () => {
    let cpu = run1(usat(0, 8, 1), { 1: 300 });
    expect(cpu.r[0]).toBe(255);
    expect(cpu.q).toBe(1);
    cpu = run1(usat(0, 8, 1), { 1: -1 });
    expect(cpu.r[0]).toBe(0);
    expect(cpu.q).toBe(1);
    cpu = run1(usat(0, 0, 1), { 1: 5 });
    expect(cpu.r[0]).toBe(0);
    expect(cpu.q).toBe(1);
    cpu = run1(usat(0, 31, 1), { 1: 0x7fffffff });
    expect(cpu.r[0]).toBe(0x7fffffff);
    expect(cpu.q).toBe(0);
    cpu = run1(usat(0, 8, 1, true, 31), { 1: 0x80000000 | 0 }); // -1 after ASR #31
    expect(cpu.r[0]).toBe(0);
    expect(cpu.q).toBe(1);
  });
  it('SSAT16/USAT16 encodings (ASR #0) are not SSAT/USAT', () => {
    expect(decode(ssat(0, 8, 1, true, 0), 4, 0x100).pattern?.name).not.toBe('SSAT T1');
    expect(decode(usat(0, 8, 1, true, 0), 4, 0x100).pattern?.name).not.toBe('USAT T1');
  });
  it('SBFX/UBFX at widths 1 and 32', () => {
    const { cpu } = exec([
      sbfx(0, 1, 0, 1),
      sbfx(2, 3, 31, 1),
      sbfx(4, 5, 0, 32),
      ubfx(6, 5, 4, 8),
      ubfx(7, 3, 31, 1),
      ubfx(8, 5, 0, 32),
      sbfx(9, 10, 4, 8),
    ], { 1: 1, 3: 0x80000000 | 0, 5: 0x12345678, 10: 0xf80 });
    expect(u(cpu.r[0]!)).toBe(0xffffffff);
    expect(u(cpu.r[2]!)).toBe(0xffffffff);
    expect(u(cpu.r[4]!)).toBe(0x12345678);
    expect(u(cpu.r[6]!)).toBe(0x67);
    expect(u(cpu.r[7]!)).toBe(1);
    expect(u(cpu.r[8]!)).toBe(0x12345678);
    expect(u(cpu.r[9]!)).toBe(0xfffffff8);
  });
  it('BFI/BFC at widths 1 and 32', () => {
    const { cpu } = exec([bfi(0, 1, 8, 4), bfi(2, 3, 31, 1), bfi(4, 5, 0, 32), bfc(6, 0, 32), bfc(7, 4, 1)], {
      0: -1, 1: 0xfffffff5 | 0, 2: 0, 3: 1, 4: 0, 5: 0xcafef00d | 0, 6: -1, 7: 0xff,
    });
    expect(u(cpu.r[0]!)).toBe(0xfffff5ff);
    expect(u(cpu.r[2]!)).toBe(0x80000000);
    expect(u(cpu.r[4]!)).toBe(0xcafef00d);
    expect(u(cpu.r[6]!)).toBe(0);
    expect(u(cpu.r[7]!)).toBe(0xef);
  });
  it('UNPREDICTABLE field values are UNDEFINED', () => {
    expect(isUndefined(sbfx(0, 1, 16, 17))).toBe(true); // lsb + width > 32
    expect(isUndefined(satBf(0b10110, 1, 0, 8, 7))).toBe(true); // BFI msb < lsb
    expect(isUndefined(movw(13, 1))).toBe(true);
    expect(isUndefined(ssat(15, 8, 1))).toBe(true);
  });
});

describe('shifted register', () => {
  it('ADD.W with LSL #3', () => {
    const cpu = run1(shReg(MI.ADD, 0, 1, 0, 0, 3, 2), { 1: 1, 2: 2 });
    expect(cpu.r[0]).toBe(17);
  });
  it('ANDS.W with LSR #32 takes C from bit 31 of Rm', () => {
    const cpu = run1(shReg(MI.AND, 1, 1, 0, 1, 0, 2), { 1: -1, 2: 0x80000000 | 0 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
  });
  it('logical S forms with LSL #0 keep C', () => {
    const cpu = run1(shReg(MI.EOR, 1, 1, 0, 0, 0, 2), { 1: 1, 2: 1 }, { c: 1, v: 1 });
    expect(flags(cpu)).toBe('-ZCV');
  });
  it('MOVS.W RRX shifts C in and bit 0 out', () => {
    let cpu = run1(shReg(MI.ORR, 1, 15, 0, 3, 0, 1), { 1: 1 }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    expect(flags(cpu)).toBe('N-C-');
    cpu = run1(shReg(MI.ORR, 1, 15, 0, 3, 0, 1), { 1: 2 }, { c: 0 });
    expect(u(cpu.r[0]!)).toBe(1);
    expect(flags(cpu)).toBe('----');
  });
  it('ROR #8, ASR #32, LSL #31 (MOV forms)', () => {
    const { cpu } = exec([shReg(MI.ORR, 0, 15, 0, 3, 8, 1), shReg(MI.ORR, 1, 15, 2, 2, 0, 3), shReg(MI.ORR, 0, 15, 4, 0, 31, 1)], {
      1: 0x12345678, 3: 0x80000000 | 0,
    });
    expect(u(cpu.r[0]!)).toBe(0x78123456);
    expect(u(cpu.r[2]!)).toBe(0xffffffff);
    expect(u(cpu.r[4]!)).toBe(0);
    expect(flags(cpu)).toBe('N-C-'); // from the ASRS #32
  });
  it('TST.W with a shift sets C from the shifter', () => {
    const cpu = run1(shReg(MI.AND, 1, 1, 15, 0, 1, 1), { 1: 0x80000000 | 0 });
    expect(flags(cpu)).toBe('-ZC-');
  });
  it('TEQ.W and CMP.W / CMN.W', () => {
    let cpu = run1(shReg(MI.EOR, 1, 1, 15, 0, 0, 2), { 1: -1, 2: 0x7fffffff });
    expect(flags(cpu)).toBe('N---');
    cpu = run1(shReg(MI.SUB, 1, 1, 15, 0, 0, 2), { 1: 0x80000000 | 0, 2: 1 });
    expect(flags(cpu)).toBe('--CV');
    cpu = run1(shReg(MI.ADD, 1, 1, 15, 1, 1, 2), { 1: 1, 2: -2 }); // CMN r1, r2, LSR #1: 1 + 0x7fffffff
    expect(flags(cpu)).toBe('N--V');
  });
  it('ADDS.W/SUBS.W with shifts at the boundaries', () => {
    let cpu = run1(shReg(MI.ADD, 1, 1, 0, 2, 1, 2), { 1: 0x7fffffff, 2: 2 });
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    expect(flags(cpu)).toBe('N--V');
    cpu = run1(shReg(MI.SUB, 1, 1, 0, 0, 31, 2), { 1: 0, 2: 1 });
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    expect(flags(cpu)).toBe('N--V');
  });
  it('ADC.W/SBC.W/RSB.W/BIC.W/ORN/MVN.W (register)', () => {
    const { cpu } = exec([
      shReg(MI.ADC, 0, 1, 0, 0, 1, 2), // 10 + 3*2 + C(1)
      shReg(MI.SBC, 0, 1, 3, 0, 0, 2), // 10 - 3 - NOT(C)
      shReg(MI.RSB, 0, 1, 4, 0, 1, 2), // 3*2 - 10
      shReg(MI.BIC, 0, 5, 6, 1, 4, 5), // 0xff & ~(0xff >> 4)
      shReg(MI.ORN, 0, 7, 8, 0, 0, 7), // 0 | ~0
      shReg(MI.ORN, 0, 15, 9, 0, 8, 5), // MVN r9, r5, LSL #8
    ], { 1: 10, 2: 3, 5: 0xff, 7: 0 }, { c: 1 });
    expect(cpu.r[0]).toBe(17);
    expect(cpu.r[3]).toBe(7);
    expect(cpu.r[4]).toBe(-4);
    expect(u(cpu.r[6]!)).toBe(0xf0);
    expect(u(cpu.r[8]!)).toBe(0xffffffff);
    expect(u(cpu.r[9]!)).toBe(0xffff00ff);
  });
  it('BICS.W/ORNS.W/MVNS.W take C from the shifter', () => {
    let cpu = run1(shReg(MI.BIC, 1, 1, 0, 1, 1, 2), { 1: 0x80000000 | 0, 2: 1 }); // operand 0, carry-out 1
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    expect(flags(cpu)).toBe('N-C-');
    cpu = run1(shReg(MI.ORN, 1, 1, 0, 0, 1, 2), { 1: 0, 2: 0x80000000 | 0 }, { v: 1 }); // ~0 = all ones
    expect(u(cpu.r[0]!)).toBe(0xffffffff);
    expect(flags(cpu)).toBe('N-CV');
    cpu = run1(shReg(MI.ORN, 1, 15, 0, 2, 0, 2), { 2: 0x80000000 | 0 }); // MVNS r0, r2, ASR #32
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
  });
  it('ADCS.W/SBCS.W/RSBS.W (register) flags', () => {
    let cpu = run1(shReg(MI.ADC, 1, 1, 0, 0, 0, 2), { 1: 0x7fffffff, 2: 0 }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    expect(flags(cpu)).toBe('N--V');
    cpu = run1(shReg(MI.SBC, 1, 1, 0, 0, 0, 2), { 1: 0, 2: 0 }, { c: 0 });
    expect(u(cpu.r[0]!)).toBe(0xffffffff);
    expect(flags(cpu)).toBe('N---');
    cpu = run1(shReg(MI.RSB, 1, 1, 0, 0, 0, 2), { 1: 1, 2: 0x80000000 | 0 }); // 0x80000000 - 1
    expect(u(cpu.r[0]!)).toBe(0x7fffffff);
    expect(flags(cpu)).toBe('--CV');
  });
  it('32-bit S forms set flags inside IT blocks too', () => {
    const h = makeCpu([shReg(MI.AND, 1, 1, 0, 0, 0, 2)]);
    h.cpu.r[1] = 1;
    h.cpu.r[2] = 2;
    h.cpu.itstate = 0xe8; // IT AL
    stepN(h.cpu, 1);
    expect(h.cpu.r[0]).toBe(0);
    expect(flags(h.cpu)).toBe('-Z--');
  });
  it('ADD.W/SUB.W with SP operands', () => {
    const { cpu } = exec([shReg(MI.ADD, 0, 13, 13, 0, 2, 0), shReg(MI.SUB, 0, 13, 1, 0, 0, 0), shReg(MI.ORR, 0, 15, 2, 0, 0, 13)], { 0: 4 });
    expect(u(cpu.r[13]!)).toBe(0x20010010);
    expect(u(cpu.r[1]!)).toBe(0x2001000c);
    expect(u(cpu.r[2]!)).toBe(0x20010010);
  });
  it('MOV.W SP, Rm masks bits [1:0]', () => {
    const cpu = run1(shReg(MI.ORR, 0, 15, 13, 0, 0, 0), { 0: 0x20000123 });
    expect(u(cpu.r[13]!)).toBe(0x20000120);
  });
  it('UNPREDICTABLE register choices are UNDEFINED', () => {
    expect(isUndefined(shReg(MI.ADD, 0, 13, 13, 0, 4, 0))).toBe(true); // SP with LSL #4
    expect(isUndefined(shReg(MI.ORR, 1, 15, 0, 0, 0, 13))).toBe(true); // MOVS.W r0, sp
    expect(isUndefined(shReg(MI.AND, 0, 1, 0, 0, 0, 15))).toBe(true);
    expect(isUndefined(shReg(MI.ADD, 0, 1, 13, 0, 0, 2))).toBe(true);
  });
});

describe('register-controlled shifts (.W)', () => {
  it('LSL.W uses the bottom byte; no flags without S', () => {
    const cpu = run1(regShift(0, 0, 0, 1, 2), { 1: 3, 2: 0x101 }, { z: 1 });
    expect(cpu.r[0]).toBe(6);
    expect(flags(cpu)).toBe('-Z--');
  });
  it('LSLS.W #32, LSRS.W #33, ASRS.W #0, RORS.W #36', () => {
    let cpu = run1(regShift(0, 1, 0, 1, 2), { 1: 1, 2: 32 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
    cpu = run1(regShift(1, 1, 0, 1, 2), { 1: -1, 2: 33 }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-Z--');
    cpu = run1(regShift(2, 1, 0, 1, 2), { 1: -8, 2: 0 }, { c: 1 });
    expect(cpu.r[0]).toBe(-8);
    expect(flags(cpu)).toBe('N-C-');
    cpu = run1(regShift(3, 1, 0, 1, 2), { 1: 0x12345678, 2: 36 });
    expect(u(cpu.r[0]!)).toBe(0x81234567);
    expect(flags(cpu)).toBe('N-C-');
  });
});

describe('SXTB/SXTH/UXTB/UXTH (32-bit, with rotation)', () => {
  it('rotates before extending', () => {
    const { cpu } = exec([extend(0b100, 0, 1, 1), extend(0b001, 2, 3, 2), extend(0b101, 4, 5, 3), extend(0b000, 6, 1, 0)], {
      1: 0x12348056, 3: 0xabcd1234 | 0, 5: 0x12345678,
    });
    expect(u(cpu.r[0]!)).toBe(0xffffff80); // ror 8 → 0x56123480
    expect(u(cpu.r[2]!)).toBe(0xabcd);
    expect(u(cpu.r[4]!)).toBe(0x12);
    expect(u(cpu.r[6]!)).toBe(0xffff8056);
  });
  it('the Rn != 1111 forms (SXTAB etc.) are not these', () => {
    const raw = (extend(0b100, 0, 1, 0) & ~0x000f0000) >>> 0; // Rn = r0
    expect(decode(raw, 4, 0x100).pattern?.name).not.toBe('SXTB T2');
  });
});

describe('CLZ, RBIT, REV, REV16, REVSH (32-bit)', () => {
  it('CLZ', () => {
    const { cpu } = exec([misc(CLZ[0]!, CLZ[1]!, 0, 1), misc(CLZ[0]!, CLZ[1]!, 2, 3), misc(CLZ[0]!, CLZ[1]!, 4, 5)], {
      1: 0, 3: 1, 5: 0x80000000 | 0,
    });
    expect(cpu.r[0]).toBe(32);
    expect(cpu.r[2]).toBe(31);
    expect(cpu.r[4]).toBe(0);
  });
  it('RBIT', () => {
    const { cpu } = exec([misc(RBIT[0]!, RBIT[1]!, 0, 1), misc(RBIT[0]!, RBIT[1]!, 2, 3)], { 1: 1, 3: 0x12345678 });
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    expect(u(cpu.r[2]!)).toBe(0x1e6a2c48);
  });
  it('REV.W/REV16.W/REVSH.W', () => {
    const { cpu } = exec([misc(REV[0]!, REV[1]!, 0, 1), misc(REV16[0]!, REV16[1]!, 2, 1), misc(REVSH[0]!, REVSH[1]!, 3, 1)], {
      1: 0x12345680,
    });
    expect(u(cpu.r[0]!)).toBe(0x80563412);
    expect(u(cpu.r[2]!)).toBe(0x34128056);
    expect(u(cpu.r[3]!)).toBe(0xffff8056);
  });
  it('the two copies of Rm must agree', () => {
    expect(isUndefined(misc(CLZ[0]!, CLZ[1]!, 0, 1, 2))).toBe(true);
  });
});

describe('cycles', () => {
  it('32-bit data processing costs 1 cycle', () => {
    const h = makeCpu([shReg(MI.ADD, 0, 1, 0, 0, 3, 2), movw(0, 1)]);
    const before = h.cpu.cycles;
    stepN(h.cpu, 2);
    expect(h.cpu.cycles - before).toBe(2);
  });
});

describe('disassembly', () => {
  const cases: [number, string][] = [
    [modImm(MI.ADD, 0, 1, 0, 4), 'add.w r0, r1, #4'],
    [modImm(MI.AND, 1, 1, 0, 0x400), 'ands.w r0, r1, #0x80000000'],
    [modImm(MI.ORR, 0, 15, 2, 0x3ab), 'mov.w r2, #0xabababab'],
    [modImm(MI.ORN, 1, 15, 2, 0), 'mvns.w r2, #0'],
    [modImm(MI.SUB, 1, 1, 15, 0x400), 'cmp.w r1, #0x80000000'],
    [modImm(MI.EOR, 1, 1, 15, 1), 'teq r1, #1'],
    [modImm(MI.ORN, 0, 1, 2, 0xff), 'orn r2, r1, #255'],
    [shReg(MI.ADD, 0, 1, 0, 0, 3, 2), 'add.w r0, r1, r2, lsl #3'],
    [shReg(MI.AND, 1, 1, 0, 1, 0, 2), 'ands.w r0, r1, r2, lsr #32'],
    [shReg(MI.ORR, 1, 15, 0, 3, 0, 1), 'rrxs r0, r1'],
    [shReg(MI.ORR, 0, 15, 0, 0, 3, 1), 'lsl.w r0, r1, #3'],
    [shReg(MI.ORR, 0, 15, 0, 3, 8, 1), 'ror r0, r1, #8'],
    [shReg(MI.ORR, 0, 15, 0, 0, 0, 1), 'mov.w r0, r1'],
    [shReg(MI.SUB, 1, 1, 15, 2, 5, 2), 'cmp.w r1, r2, asr #5'],
    [movw(0, 0x1234), 'movw r0, #0x1234'],
    [movt(0, 0x8765), 'movt r0, #0x8765'],
    [addw(0, 1, 0xfff), 'addw r0, r1, #0xfff'],
    [addw(0, 15, 8), 'adr.w r0, 0x0000010c'],
    [ssat(0, 8, 1, false, 4), 'ssat r0, #8, r1, lsl #4'],
    [usat(0, 8, 1, true, 2), 'usat r0, #8, r1, asr #2'],
    [sbfx(0, 1, 4, 8), 'sbfx r0, r1, #4, #8'],
    [bfi(0, 1, 8, 4), 'bfi r0, r1, #8, #4'],
    [bfc(0, 4, 1), 'bfc r0, #4, #1'],
    [regShift(0, 1, 0, 1, 2), 'lsls.w r0, r1, r2'],
    [extend(0b100, 0, 1, 1), 'sxtb.w r0, r1, ror #8'],
    [misc(CLZ[0]!, CLZ[1]!, 0, 1), 'clz r0, r1'],
    [misc(RBIT[0]!, RBIT[1]!, 0, 1), 'rbit r0, r1'],
    [misc(REV[0]!, REV[1]!, 0, 1), 'rev.w r0, r1'],
  ];
  it.each(cases)('%i → %s', (raw, text) => {
    expect(disassemble(raw, 4, 0x100)).toBe(text);
  });
});
