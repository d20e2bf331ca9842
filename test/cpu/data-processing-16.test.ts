/**
 * 16-bit Thumb data-processing instructions (ARM ARM DDI0403E A5.2). Expected values are worked out by hand
 * from the ARM ARM pseudocode (AddWithCarry, Shift_C, the setflags = !InITBlock() rule).
 */
import { describe, expect, it } from 'vitest';
import { disassemble } from '../../src/cpu/armv7m/decoder.js';
import { exec, makeCpu, stepN } from '../helpers/cpu-harness.js';

type Flags = Partial<{ n: number; z: number; c: number; v: number; q: number }>;

// ---- encoders (A5.2 encoding diagrams) ----
const lslImm = (d: number, m: number, i: number): number => (i << 6) | (m << 3) | d;
const lsrImm = (d: number, m: number, i: number): number => 0x0800 | (i << 6) | (m << 3) | d;
const asrImm = (d: number, m: number, i: number): number => 0x1000 | (i << 6) | (m << 3) | d;
const addReg = (d: number, n: number, m: number): number => 0x1800 | (m << 6) | (n << 3) | d;
const subReg = (d: number, n: number, m: number): number => 0x1a00 | (m << 6) | (n << 3) | d;
const addImm3 = (d: number, n: number, i: number): number => 0x1c00 | (i << 6) | (n << 3) | d;
const subImm3 = (d: number, n: number, i: number): number => 0x1e00 | (i << 6) | (n << 3) | d;
const movImm = (d: number, i: number): number => 0x2000 | (d << 8) | i;
const cmpImm = (n: number, i: number): number => 0x2800 | (n << 8) | i;
const addImm8 = (dn: number, i: number): number => 0x3000 | (dn << 8) | i;
const subImm8 = (dn: number, i: number): number => 0x3800 | (dn << 8) | i;
const DP = { AND: 0, EOR: 1, LSL: 2, LSR: 3, ASR: 4, ADC: 5, SBC: 6, ROR: 7, TST: 8, RSB: 9, CMP: 10, CMN: 11, ORR: 12, BIC: 14, MVN: 15 };
const dp = (op: number, dn: number, m: number): number => 0x4000 | (op << 6) | (m << 3) | dn;
const hi = (base: number, d: number, m: number): number => base | ((d & 8) << 4) | (m << 3) | (d & 7);
const addHi = (d: number, m: number): number => hi(0x4400, d, m);
const cmpHi = (n: number, m: number): number => hi(0x4500, n, m);
const movHi = (d: number, m: number): number => hi(0x4600, d, m);
const adr = (d: number, i8: number): number => 0xa000 | (d << 8) | i8;
const addSpImm8 = (d: number, i8: number): number => 0xa800 | (d << 8) | i8;
const addSp7 = (i7: number): number => 0xb000 | i7;
const subSp7 = (i7: number): number => 0xb080 | i7;
const ext = (op: number, d: number, m: number): number => 0xb200 | (op << 6) | (m << 3) | d;
const rev = (op: number, d: number, m: number): number => 0xba00 | (op << 6) | (m << 3) | d;

const NOP_MOV = movHi(8, 8); // mov r8, r8: no flags, used to shift code to a halfword-aligned PC

function u(x: number): number {
  return x >>> 0;
}

function flags(cpu: { n: number; z: number; c: number; v: number }): string {
  return `${cpu.n ? 'N' : '-'}${cpu.z ? 'Z' : '-'}${cpu.c ? 'C' : '-'}${cpu.v ? 'V' : '-'}`;
}

/** Runs one instruction with the given registers/flags; `inIT` puts it in a one-instruction IT AL block. */
function run1(code: number, regs: Record<number, number>, f: Flags = {}, inIT = false) {
  const h = makeCpu([code]);
  for (const [k, v] of Object.entries(regs)) h.cpu.r[Number(k)] = v;
  Object.assign(h.cpu, f);
  if (inIT) h.cpu.itstate = 0xe8; // IT AL: firstcond = 1110, mask = 1000
  stepN(h.cpu, 1);
  return h.cpu;
}

describe('shift (immediate) T1', () => {
  it('LSLS #1 shifts bit 31 into C', () => {
    const cpu = run1(lslImm(0, 1, 1), { 1: 0x80000001 });
    expect(u(cpu.r[0]!)).toBe(2);
    expect(flags(cpu)).toBe('--C-');
  });
  it('LSLS #31 takes C from bit 1', () => {
    const cpu = run1(lslImm(0, 1, 31), { 1: 3 }, { v: 1 });
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    expect(flags(cpu)).toBe('N-CV'); // V untouched
  });
  it('imm5 = 0 is MOVS: N, Z set, C preserved', () => {
    let cpu = run1(lslImm(0, 1, 0), { 1: 0 }, { c: 1 });
    expect(flags(cpu)).toBe('-ZC-');
    cpu = run1(lslImm(0, 1, 0), { 1: 0x80000000 }, { c: 0 });
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    expect(flags(cpu)).toBe('N---');
  });
  it('LSRS #32 (imm5 = 0) gives 0 and C = bit 31', () => {
    const cpu = run1(lsrImm(0, 1, 0), { 1: 0x80000000 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
  });
  it('LSRS #1 and #31', () => {
    let cpu = run1(lsrImm(0, 1, 1), { 1: 1 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
    cpu = run1(lsrImm(2, 3, 31), { 3: 0xc0000000 });
    expect(u(cpu.r[2]!)).toBe(1);
    expect(flags(cpu)).toBe('--C-');
  });
  it('ASRS #32 fills with the sign and C = bit 31', () => {
    let cpu = run1(asrImm(0, 1, 0), { 1: 0x80000000 });
    expect(u(cpu.r[0]!)).toBe(0xffffffff);
    expect(flags(cpu)).toBe('N-C-');
    cpu = run1(asrImm(0, 1, 0), { 1: 0x7fffffff }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-Z--');
  });
  it('ASRS #1', () => {
    const cpu = run1(asrImm(0, 1, 1), { 1: 0x80000001 | 0 });
    expect(u(cpu.r[0]!)).toBe(0xc0000000);
    expect(flags(cpu)).toBe('N-C-');
  });
});

describe('ADD/SUB (register, immediate) T1/T2, MOV/CMP (immediate)', () => {
  it('ADDS overflow at 0x7fffffff + 1', () => {
    const cpu = run1(addReg(0, 1, 2), { 1: 0x7fffffff, 2: 1 });
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    expect(flags(cpu)).toBe('N--V');
  });
  it('ADDS carry at 0xffffffff + 1', () => {
    const cpu = run1(addReg(0, 1, 2), { 1: -1, 2: 1 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
  });
  it('ADDS 0x80000000 + 0x80000000 sets Z, C and V', () => {
    const cpu = run1(addReg(0, 1, 2), { 1: 0x80000000 | 0, 2: 0x80000000 | 0 });
    expect(flags(cpu)).toBe('-ZCV');
  });
  it('SUBS 0 - 1 borrows (C = 0)', () => {
    const cpu = run1(subReg(0, 1, 2), { 1: 0, 2: 1 }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(0xffffffff);
    expect(flags(cpu)).toBe('N---');
  });
  it('SUBS 0x80000000 - 1 overflows', () => {
    const cpu = run1(subReg(0, 1, 2), { 1: 0x80000000 | 0, 2: 1 });
    expect(u(cpu.r[0]!)).toBe(0x7fffffff);
    expect(flags(cpu)).toBe('--CV');
  });
  it('SUBS equal operands: Z and C', () => {
    const cpu = run1(subReg(3, 4, 5), { 4: 12345, 5: 12345 });
    expect(u(cpu.r[3]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
  });
  it('ADDS/SUBS 3-bit immediate', () => {
    let cpu = run1(addImm3(0, 1, 7), { 1: -7 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
    cpu = run1(subImm3(0, 1, 7), { 1: 6 });
    expect(u(cpu.r[0]!)).toBe(0xffffffff);
    expect(flags(cpu)).toBe('N---');
  });
  it('ADDS/SUBS 8-bit immediate', () => {
    let cpu = run1(addImm8(2, 255), { 2: 0x7fffff01 });
    expect(u(cpu.r[2]!)).toBe(0x80000000);
    expect(flags(cpu)).toBe('N--V');
    cpu = run1(subImm8(2, 255), { 2: 255 });
    expect(u(cpu.r[2]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
  });
  it('MOVS #imm8 sets N = 0 and Z, keeps C and V', () => {
    let cpu = run1(movImm(7, 0), { 7: 5 }, { n: 1, c: 1, v: 1 });
    expect(u(cpu.r[7]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZCV');
    cpu = run1(movImm(7, 0xff), {}, { z: 1 });
    expect(u(cpu.r[7]!)).toBe(0xff);
    expect(flags(cpu)).toBe('----');
  });
  it('CMP #imm8 flags', () => {
    let cpu = run1(cmpImm(0, 1), { 0: 0x80000000 | 0 });
    expect(flags(cpu)).toBe('--CV');
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    cpu = run1(cmpImm(0, 5), { 0: 4 });
    expect(flags(cpu)).toBe('N---');
  });
});

describe('data processing group (A5.2.2)', () => {
  it('ANDS/EORS/ORRS/BICS/MVNS set N, Z and keep C, V', () => {
    let cpu = run1(dp(DP.AND, 0, 1), { 0: 0xf0f0f0f0 | 0, 1: 0x0f0f0f0f }, { c: 1, v: 1 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZCV');
    cpu = run1(dp(DP.EOR, 0, 1), { 0: 0xff00ff00 | 0, 1: 0x0f0f0f0f });
    expect(u(cpu.r[0]!)).toBe(0xf00ff00f);
    expect(flags(cpu)).toBe('N---');
    cpu = run1(dp(DP.ORR, 0, 1), { 0: 0x12, 1: 0x21 });
    expect(u(cpu.r[0]!)).toBe(0x33);
    cpu = run1(dp(DP.BIC, 0, 1), { 0: 0xff, 1: 0x0f }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(0xf0);
    expect(flags(cpu)).toBe('--C-');
    cpu = run1(dp(DP.MVN, 0, 1), { 1: -1 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-Z--');
  });
  it('TST sets N, Z only and writes nothing', () => {
    const cpu = run1(dp(DP.TST, 0, 1), { 0: 0x80000001 | 0, 1: 0x80000000 | 0 }, { c: 1, v: 1 });
    expect(u(cpu.r[0]!)).toBe(0x80000001);
    expect(flags(cpu)).toBe('N-CV');
  });
  it('LSLS (register) uses the bottom byte: 0 keeps C, 32 gives C = bit 0, 33 clears all', () => {
    let cpu = run1(dp(DP.LSL, 0, 1), { 0: 0x80000001 | 0, 1: 0x100 }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(0x80000001);
    expect(flags(cpu)).toBe('N-C-');
    cpu = run1(dp(DP.LSL, 0, 1), { 0: 0x80000001 | 0, 1: 0x120 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
    cpu = run1(dp(DP.LSL, 0, 1), { 0: -1, 1: 33 }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-Z--');
    cpu = run1(dp(DP.LSL, 0, 1), { 0: 0x40000001, 1: 1 });
    expect(u(cpu.r[0]!)).toBe(0x80000002);
    expect(flags(cpu)).toBe('N---');
  });
  it('LSRS (register) by 32 and 255', () => {
    let cpu = run1(dp(DP.LSR, 0, 1), { 0: 0x80000000 | 0, 1: 32 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
    cpu = run1(dp(DP.LSR, 0, 1), { 0: -1, 1: 255 }, { c: 1 });
    expect(flags(cpu)).toBe('-Z--');
    cpu = run1(dp(DP.LSR, 0, 1), { 0: 0x80000003 | 0, 1: 1 });
    expect(u(cpu.r[0]!)).toBe(0x40000001);
    expect(flags(cpu)).toBe('--C-');
  });
  it('ASRS (register) by 40 fills with the sign, C = bit 31', () => {
    let cpu = run1(dp(DP.ASR, 0, 1), { 0: 0x80000000 | 0, 1: 40 });
    expect(u(cpu.r[0]!)).toBe(0xffffffff);
    expect(flags(cpu)).toBe('N-C-');
    cpu = run1(dp(DP.ASR, 0, 1), { 0: 0x40000000, 1: 32 }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-Z--');
  });
  it('RORS (register): by 4, by 32 (value kept, C = bit 31), by 0 (C kept)', () => {
    let cpu = run1(dp(DP.ROR, 0, 1), { 0: 0x12345678, 1: 4 });
    expect(u(cpu.r[0]!)).toBe(0x81234567);
    expect(flags(cpu)).toBe('N-C-');
    cpu = run1(dp(DP.ROR, 0, 1), { 0: 0x80000000 | 0, 1: 32 });
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    expect(flags(cpu)).toBe('N-C-');
    cpu = run1(dp(DP.ROR, 0, 1), { 0: 0x7fffffff, 1: 0x300 }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(0x7fffffff);
    expect(flags(cpu)).toBe('--C-');
  });
  it('ADCS with carry in', () => {
    let cpu = run1(dp(DP.ADC, 0, 1), { 0: -1, 1: 0 }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
    cpu = run1(dp(DP.ADC, 0, 1), { 0: 0x7fffffff, 1: 0 }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    expect(flags(cpu)).toBe('N--V');
  });
  it('SBCS subtracts NOT(C)', () => {
    let cpu = run1(dp(DP.SBC, 0, 1), { 0: 5, 1: 3 }, { c: 0 });
    expect(u(cpu.r[0]!)).toBe(1);
    expect(flags(cpu)).toBe('--C-');
    cpu = run1(dp(DP.SBC, 0, 1), { 0: 5, 1: 3 }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(2);
    cpu = run1(dp(DP.SBC, 0, 1), { 0: 0, 1: 0 }, { c: 0 });
    expect(u(cpu.r[0]!)).toBe(0xffffffff);
    expect(flags(cpu)).toBe('N---');
    cpu = run1(dp(DP.SBC, 0, 1), { 0: 0x80000000 | 0, 1: 0 }, { c: 0 });
    expect(u(cpu.r[0]!)).toBe(0x7fffffff);
    expect(flags(cpu)).toBe('--CV');
  });
  it('RSBS #0 (negate)', () => {
    let cpu = run1(dp(DP.RSB, 0, 1), { 1: 0 });
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('-ZC-');
    cpu = run1(dp(DP.RSB, 0, 1), { 1: 1 }, { c: 1 });
    expect(u(cpu.r[0]!)).toBe(0xffffffff);
    expect(flags(cpu)).toBe('N---');
    cpu = run1(dp(DP.RSB, 0, 1), { 1: 0x80000000 | 0 });
    expect(u(cpu.r[0]!)).toBe(0x80000000);
    expect(flags(cpu)).toBe('N--V');
  });
  it('CMP/CMN (register) at the boundaries', () => {
    let cpu = run1(dp(DP.CMP, 0, 1), { 0: 0x80000000 | 0, 1: 1 });
    expect(flags(cpu)).toBe('--CV');
    cpu = run1(dp(DP.CMP, 0, 1), { 0: 1, 1: -1 });
    expect(flags(cpu)).toBe('----');
    cpu = run1(dp(DP.CMN, 0, 1), { 0: 0x7fffffff, 1: 1 });
    expect(flags(cpu)).toBe('N--V');
    cpu = run1(dp(DP.CMN, 0, 1), { 0: -1, 1: 1 });
    expect(flags(cpu)).toBe('-ZC-');
    expect(u(cpu.r[0]!)).toBe(0xffffffff);
  });
});

describe('16-bit flag setting inside IT blocks', () => {
  it('ADDS in an IT block writes the result but not the flags', () => {
    const cpu = run1(addReg(0, 1, 2), { 1: -1, 2: 1 }, { n: 1 }, true);
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('N---');
  });
  it('MOVS, LSLS (register), SUBS #imm8 and ANDS leave flags alone in IT', () => {
    let cpu = run1(movImm(0, 0), { 0: 9 }, {}, true);
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('----');
    cpu = run1(dp(DP.LSL, 0, 1), { 0: 1, 1: 32 }, {}, true);
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('----');
    cpu = run1(subImm8(0, 1), { 0: 1 }, {}, true);
    expect(flags(cpu)).toBe('----');
    cpu = run1(lsrImm(0, 1, 0), { 1: 0x80000000 | 0 }, {}, true);
    expect(flags(cpu)).toBe('----');
    cpu = run1(dp(DP.AND, 0, 1), { 0: 0, 1: 0 }, {}, true);
    expect(flags(cpu)).toBe('----');
  });
  it('CMP, CMN and TST set flags even inside IT', () => {
    let cpu = run1(cmpImm(0, 0), { 0: 0 }, {}, true);
    expect(flags(cpu)).toBe('-ZC-');
    cpu = run1(dp(DP.TST, 0, 1), { 0: 0, 1: 0 }, {}, true);
    expect(flags(cpu)).toBe('-Z--');
    cpu = run1(cmpHi(8, 9), { 8: 3, 9: 3 }, {}, true);
    expect(flags(cpu)).toBe('-ZC-');
  });
});

describe('special data: ADD/CMP/MOV with high registers', () => {
  it('ADD r8, r1 and MOV r0, r9 do not touch flags', () => {
    const { cpu } = exec([addHi(8, 1), movHi(0, 8)], { 8: -1, 1: 1 }, { n: 1, c: 1 });
    expect(u(cpu.r[8]!)).toBe(0);
    expect(u(cpu.r[0]!)).toBe(0);
    expect(flags(cpu)).toBe('N-C-');
  });
  it('ADD SP, r1 and ADD r2, SP (SP plus register)', () => {
    const { cpu } = exec([addHi(13, 1), addHi(2, 13)], { 1: 0x100, 2: 4 });
    expect(u(cpu.r[13]!)).toBe(0x20010100);
    expect(u(cpu.r[2]!)).toBe(0x20010104);
  });
  it('writes to SP ignore bits [1:0]', () => {
    const { cpu } = exec([movHi(13, 0)], { 0: 0x20000ffe });
    expect(u(cpu.r[13]!)).toBe(0x20000ffc);
  });
  it('ADD r0, PC reads the instruction address + 4', () => {
    const { cpu } = exec([addHi(0, 15)], { 0: 1 });
    expect(u(cpu.r[0]!)).toBe(0x105);
  });
  it('MOV r0, PC', () => {
    const { cpu } = exec([NOP_MOV, movHi(0, 15)]);
    expect(u(cpu.r[0]!)).toBe(0x106);
  });
  it('ADD PC, r0 branches to PC + r0 (bit 0 cleared) and costs 3 cycles', () => {
    const h = makeCpu([addHi(15, 0)]);
    h.cpu.r[0] = 0x21;
    const before = h.cpu.cycles;
    stepN(h.cpu, 1);
    expect(h.cpu.pc).toBe(0x124);
    expect(h.cpu.cycles - before).toBe(3);
  });
  it('MOV PC, r1 branches', () => {
    const h = makeCpu([movHi(15, 1)]);
    h.cpu.r[1] = 0x201;
    const before = h.cpu.cycles;
    stepN(h.cpu, 1);
    expect(h.cpu.pc).toBe(0x200);
    expect(h.cpu.cycles - before).toBe(3);
  });
  it('CMP r8, r0 sets flags', () => {
    const { cpu } = exec([cmpHi(8, 0)], { 8: 0x7fffffff, 0: -1 });
    expect(flags(cpu)).toBe('N--V');
  });
  it('ordinary instructions cost 1 cycle', () => {
    const h = makeCpu([addReg(0, 1, 2)]);
    const before = h.cpu.cycles;
    stepN(h.cpu, 1);
    expect(h.cpu.cycles - before).toBe(1);
  });
});

describe('ADR and SP arithmetic', () => {
  it('ADR uses Align(PC, 4)', () => {
    let { cpu } = exec([adr(0, 2)]); // at 0x100: Align(0x104, 4) + 8
    expect(u(cpu.r[0]!)).toBe(0x10c);
    ({ cpu } = exec([NOP_MOV, adr(1, 255)])); // at 0x102: Align(0x106, 4) + 1020
    expect(u(cpu.r[1]!)).toBe(0x104 + 1020);
  });
  it('ADD Rd, SP, #imm8*4; ADD SP, #imm7*4; SUB SP, #imm7*4', () => {
    const { cpu } = exec([addSpImm8(3, 255), subSp7(127), addSp7(1)], {}, { z: 1 });
    expect(u(cpu.r[3]!)).toBe(0x20010000 + 1020);
    expect(u(cpu.r[13]!)).toBe(0x20010000 - 508 + 4);
    expect(flags(cpu)).toBe('-Z--');
  });
});

describe('extend and reverse', () => {
  it('SXTH/SXTB/UXTH/UXTB', () => {
    const { cpu } = exec([ext(0, 0, 4), ext(1, 1, 4), ext(2, 2, 4), ext(3, 3, 4)], { 4: 0x12348680 });
    expect(u(cpu.r[0]!)).toBe(0xffff8680);
    expect(u(cpu.r[1]!)).toBe(0xffffff80);
    expect(u(cpu.r[2]!)).toBe(0x8680);
    expect(u(cpu.r[3]!)).toBe(0x80);
  });
  it('SXTH/SXTB of positive values', () => {
    const { cpu } = exec([ext(0, 0, 4), ext(1, 1, 4)], { 4: 0xffff7f7f | 0 });
    expect(u(cpu.r[0]!)).toBe(0x7f7f);
    expect(u(cpu.r[1]!)).toBe(0x7f);
  });
  it('REV/REV16/REVSH', () => {
    const { cpu } = exec([rev(0, 0, 4), rev(1, 1, 4), rev(3, 2, 4), rev(3, 3, 5)], { 4: 0x12345680, 5: 0x0000807f });
    expect(u(cpu.r[0]!)).toBe(0x80563412);
    expect(u(cpu.r[1]!)).toBe(0x34128056);
    expect(u(cpu.r[2]!)).toBe(0xffff8056);
    expect(u(cpu.r[3]!)).toBe(0x7f80);
  });
  it('REV encoding 10 is not REV (left to others / UNDEFINED)', () => {
    expect(disassemble(rev(2, 0, 1), 2, 0x100)).not.toMatch(/^rev/);
  });
});

describe('disassembly', () => {
  const cases: [number, string][] = [
    [lslImm(0, 1, 2), 'lsls r0, r1, #2'],
    [lslImm(0, 1, 0), 'movs r0, r1'],
    [lsrImm(0, 1, 0), 'lsrs r0, r1, #32'],
    [addImm3(0, 1, 4), 'adds r0, r1, #4'],
    [subReg(0, 1, 2), 'subs r0, r1, r2'],
    [movImm(3, 200), 'movs r3, #200'],
    [cmpImm(3, 1), 'cmp r3, #1'],
    [addImm8(3, 1), 'adds r3, #1'],
    [dp(DP.RSB, 0, 1), 'rsbs r0, r1, #0'],
    [dp(DP.ROR, 0, 1), 'rors r0, r1'],
    [dp(DP.TST, 0, 1), 'tst r0, r1'],
    [addHi(13, 1), 'add sp, r1'],
    [movHi(8, 15), 'mov r8, pc'],
    [cmpHi(8, 1), 'cmp r8, r1'],
    [adr(0, 2), 'adr r0, 0x0000010c'],
    [addSpImm8(1, 4), 'add r1, sp, #16'],
    [subSp7(4), 'sub sp, #16'],
    [ext(3, 0, 1), 'uxtb r0, r1'],
    [rev(3, 0, 1), 'revsh r0, r1'],
  ];
  it.each(cases)('%i → %s', (raw, text) => {
    expect(disassemble(raw, 2, 0x100)).toBe(text);
  });
});
