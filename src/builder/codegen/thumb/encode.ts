/**
 * Thumb-2 instruction encodings (ARMv7E-M with FPv4-SP), the subset the code generator uses.
 * 16-bit encodings are returned as numbers ≤ 0xffff, 32-bit ones as (hw1 << 16 | hw2) >>> 0, the form
 * our decoder (src/cpu/armv7m/decoder.ts) and test/helpers/cpu-harness.ts take. Field layouts follow
 * the ARMv7-M ARM chapter A5/A6 encodings named in each comment.
 */

export const SP = 13;
export const LR = 14;
export const PC = 15;
export const IP = 12;

/** Condition codes (A7.3). */
export const Cond = { EQ: 0, NE: 1, HS: 2, LO: 3, MI: 4, PL: 5, VS: 6, VC: 7, HI: 8, LS: 9, GE: 10, LT: 11, GT: 12, LE: 13, AL: 14 } as const;
export type Cond = (typeof Cond)[keyof typeof Cond];

export function invertCond(c: Cond): Cond {
  return (c ^ 1) as Cond;
}

function w32(hw1: number, hw2: number): number {
  return ((hw1 << 16) | (hw2 & 0xffff)) >>> 0;
}

function checkReg(r: number, what = 'register'): void {
  if (!Number.isInteger(r) || r < 0 || r > 15) throw new RangeError(`bad ${what} ${r}`);
}

/**
 * ThumbExpandImm inverse (A5.3.2): the 12-bit i:imm3:imm8 field for `value`, or -1 when the value is
 * not a modified immediate.
 */
export function modImm(value: number): number {
  const v = value >>> 0;
  if (v <= 0xff) return v;
  const b = v & 0xff;
  if (v === ((b << 16) | b) >>> 0 && b !== 0) return 0x100 | b;
  const b1 = (v >>> 8) & 0xff;
  if (v === ((b1 << 24) | (b1 << 8)) >>> 0 && b1 !== 0) return 0x200 | b1;
  if (v === ((b1 << 24) | (b1 << 16) | (b1 << 8) | b1) >>> 0 && b1 !== 0) return 0x300 | b1;
  // Rotated 8-bit value 1bcdefgh ror n, n in 8..31.
  for (let rot = 8; rot < 32; rot++) {
    const unrot = ((v << rot) | (v >>> (32 - rot))) >>> 0;
    if (unrot <= 0xff && unrot >= 0x80) return (rot << 7) | (unrot & 0x7f);
  }
  return -1;
}

/** Data-processing opcodes of the 32-bit modified-immediate and shifted-register forms (A5.3.1, A5.3.11). */
export const DpOp = { AND: 0, BIC: 1, ORR: 2, ORN: 3, EOR: 4, ADD: 8, ADC: 10, SBC: 11, SUB: 13, RSB: 14 } as const;
export type DpOp = (typeof DpOp)[keyof typeof DpOp];

/** <op>{S}.W Rd, Rn, #imm (T1/T3 modified immediate). Throws when imm is not encodable. */
export function dpImm(op: DpOp, s: boolean, rd: number, rn: number, imm: number): number {
  const f = modImm(imm);
  if (f < 0) throw new RangeError(`0x${(imm >>> 0).toString(16)} is not a modified immediate`);
  checkReg(rd);
  checkReg(rn);
  return w32(0xf000 | ((f >> 11) << 10) | (op << 5) | (s ? 0x10 : 0) | rn, (((f >> 8) & 7) << 12) | (rd << 8) | (f & 0xff));
}

export const Shift = { LSL: 0, LSR: 1, ASR: 2, ROR: 3 } as const;
export type Shift = (typeof Shift)[keyof typeof Shift];

/** <op>{S}.W Rd, Rn, Rm{, shift #n} (T2/T3 shifted register). */
export function dpReg(op: DpOp, s: boolean, rd: number, rn: number, rm: number, shift: Shift = 0, amount = 0): number {
  checkReg(rd);
  checkReg(rn);
  checkReg(rm);
  return w32(0xea00 | (op << 5) | (s ? 0x10 : 0) | rn, (((amount >> 2) & 7) << 12) | (rd << 8) | ((amount & 3) << 6) | (shift << 4) | rm);
}

export const cmpImm = (rn: number, imm: number): number => dpImm(DpOp.SUB, true, 15, rn, imm);
export const cmnImm = (rn: number, imm: number): number => dpImm(DpOp.ADD, true, 15, rn, imm);
export const cmpReg = (rn: number, rm: number): number => dpReg(DpOp.SUB, true, 15, rn, rm);
export const tstImm = (rn: number, imm: number): number => dpImm(DpOp.AND, true, 15, rn, imm);
export const movImm = (rd: number, imm: number, s = false): number => dpImm(DpOp.ORR, s, rd, 15, imm);
export const mvnImm = (rd: number, imm: number): number => dpImm(DpOp.ORN, false, rd, 15, imm);
/** MOV.W Rd, Rm, <shift> #n (shift by immediate; LSR/ASR n = 32 is encoded as 0). */
export const shiftImm = (shift: Shift, rd: number, rm: number, n: number, s = false): number => dpReg(DpOp.ORR, s, rd, 15, rm, shift, n & 31);

/** LSL/LSR/ASR/ROR{S}.W Rd, Rn, Rm (register-controlled shift, A6.7.69 T2). */
export function shiftReg(shift: Shift, rd: number, rn: number, rm: number, s = false): number {
  return w32(0xfa00 | (shift << 5) | (s ? 0x10 : 0) | rn, 0xf000 | (rd << 8) | rm);
}

/** MOV Rd, Rm (16-bit T1, any registers, flags untouched). */
export function movReg(rd: number, rm: number): number {
  checkReg(rd);
  checkReg(rm);
  return 0x4600 | ((rd >> 3) << 7) | (rm << 3) | (rd & 7);
}

function movwt(base: number, rd: number, imm16: number): number {
  checkReg(rd);
  const v = imm16 & 0xffff;
  return w32(base | (((v >> 11) & 1) << 10) | (v >> 12), (((v >> 8) & 7) << 12) | (rd << 8) | (v & 0xff));
}
/** MOVW Rd, #imm16 (T3). */
export const movw = (rd: number, imm16: number): number => movwt(0xf240, rd, imm16);
/** MOVT Rd, #imm16 (T1). */
export const movt = (rd: number, imm16: number): number => movwt(0xf2c0, rd, imm16);

/** ADDW/SUBW Rd, Rn, #imm12 (T4, no flags). */
export function addw(rd: number, rn: number, imm12: number): number {
  if (imm12 < 0 || imm12 > 4095) throw new RangeError(`addw immediate ${imm12}`);
  return w32(0xf200 | ((imm12 >> 11) << 10) | rn, (((imm12 >> 8) & 7) << 12) | (rd << 8) | (imm12 & 0xff));
}
export function subw(rd: number, rn: number, imm12: number): number {
  if (imm12 < 0 || imm12 > 4095) throw new RangeError(`subw immediate ${imm12}`);
  return w32(0xf2a0 | ((imm12 >> 11) << 10) | rn, (((imm12 >> 8) & 7) << 12) | (rd << 8) | (imm12 & 0xff));
}

// Multiply and divide (A5.3.16, A5.3.17).
export const mul = (rd: number, rn: number, rm: number): number => w32(0xfb00 | rn, 0xf000 | (rd << 8) | rm);
export const mla = (rd: number, rn: number, rm: number, ra: number): number => w32(0xfb00 | rn, (ra << 12) | (rd << 8) | rm);
export const mls = (rd: number, rn: number, rm: number, ra: number): number => w32(0xfb00 | rn, (ra << 12) | (rd << 8) | 0x10 | rm);
export const smull = (rdLo: number, rdHi: number, rn: number, rm: number): number => w32(0xfb80 | rn, (rdLo << 12) | (rdHi << 8) | rm);
export const umull = (rdLo: number, rdHi: number, rn: number, rm: number): number => w32(0xfba0 | rn, (rdLo << 12) | (rdHi << 8) | rm);
export const sdiv = (rd: number, rn: number, rm: number): number => w32(0xfb90 | rn, 0xf0f0 | (rd << 8) | rm);
export const udiv = (rd: number, rn: number, rm: number): number => w32(0xfbb0 | rn, 0xf0f0 | (rd << 8) | rm);

// Miscellaneous (A5.3.18): the register is repeated in both halves as the encoding requires.
export const clz = (rd: number, rm: number): number => w32(0xfab0 | rm, 0xf080 | (rd << 8) | rm);
export const rbit = (rd: number, rm: number): number => w32(0xfa90 | rm, 0xf0a0 | (rd << 8) | rm);
export const rev = (rd: number, rm: number): number => w32(0xfa90 | rm, 0xf080 | (rd << 8) | rm);
export const rev16 = (rd: number, rm: number): number => w32(0xfa90 | rm, 0xf090 | (rd << 8) | rm);
export const revsh = (rd: number, rm: number): number => w32(0xfa90 | rm, 0xf0b0 | (rd << 8) | rm);

// Extends (A5.3.12), rotation 0.
export const sxtb = (rd: number, rm: number): number => w32(0xfa4f, 0xf080 | (rd << 8) | rm);
export const sxth = (rd: number, rm: number): number => w32(0xfa0f, 0xf080 | (rd << 8) | rm);
export const uxtb = (rd: number, rm: number): number => w32(0xfa5f, 0xf080 | (rd << 8) | rm);
export const uxth = (rd: number, rm: number): number => w32(0xfa1f, 0xf080 | (rd << 8) | rm);

/** Load/store kinds: hw1 high bits of the 32-bit single-data forms (A5.3.7–A5.3.10). */
export const Mem = { STRB: 0xf800, STRH: 0xf820, STR: 0xf840, LDRB: 0xf810, LDRH: 0xf830, LDR: 0xf850, LDRSB: 0xf910, LDRSH: 0xf930 } as const;
export type Mem = (typeof Mem)[keyof typeof Mem];

/**
 * <op>.W Rt, [Rn, #off]: imm12 form (T3) for 0..4095, imm8 form (T4, P=1 U=0 W=0) for -255..-1.
 */
export function memImm(op: Mem, rt: number, rn: number, off: number): number {
  checkReg(rt);
  checkReg(rn);
  if (off >= 0 && off <= 4095) return w32(op | 0x80 | rn, (rt << 12) | off);
  if (off < 0 && off >= -255) return w32(op | rn, (rt << 12) | 0xc00 | -off);
  throw new RangeError(`load/store offset ${off}`);
}

/** <op>.W Rt, [Rn, Rm, LSL #shift] (T2). */
export function memReg(op: Mem, rt: number, rn: number, rm: number, shift = 0): number {
  return w32(op | rn, (rt << 12) | ((shift & 3) << 4) | rm);
}

/** LDRD/STRD Rt, Rt2, [Rn, #off] (offset form, off a multiple of 4 in -1020..1020). */
export function ldrd(rt: number, rt2: number, rn: number, off: number, load = true): number {
  if (off % 4 !== 0 || Math.abs(off) > 1020) throw new RangeError(`ldrd/strd offset ${off}`);
  const u = off >= 0 ? 1 : 0;
  return w32(0xe940 | (u << 7) | (load ? 0x10 : 0) | rn, (rt << 12) | (rt2 << 8) | (Math.abs(off) >> 2));
}

/** LDM/STM Rn{!}, {list}: increment-after (T2). */
export function ldm(rn: number, list: number, writeback: boolean): number {
  return w32(0xe890 | (writeback ? 0x20 : 0) | rn, list);
}
export function stm(rn: number, list: number, writeback: boolean): number {
  return w32(0xe880 | (writeback ? 0x20 : 0) | rn, list);
}
/** PUSH {list} (STMDB SP!, T2; the 16-bit form when only r0–r7 and LR). */
export function push(list: number): number {
  if ((list & ~0x40ff) === 0) return 0xb400 | ((list >> 14) & 1) << 8 | (list & 0xff);
  return w32(0xe92d, list);
}
/** POP {list} (LDMIA SP!, T2; the 16-bit form when only r0–r7 and PC). */
export function pop(list: number): number {
  if ((list & ~0x80ff) === 0) return 0xbc00 | ((list >> 15) & 1) << 8 | (list & 0xff);
  return w32(0xe8bd, list);
}

/** Branch offsets are relative to the instruction address + 4. */
function checkBranch(off: number, bits: number, what: string): void {
  if ((off & 1) !== 0 || off < -(2 ** (bits - 1)) || off >= 2 ** (bits - 1)) throw new RangeError(`${what} offset ${off} out of range`);
}

function bT4(off: number, link: boolean): number {
  checkBranch(off, 25, link ? 'BL' : 'B.W');
  const s = off < 0 ? 1 : 0;
  const i1 = (off >> 23) & 1;
  const i2 = (off >> 22) & 1;
  const j1 = (~(i1 ^ s)) & 1;
  const j2 = (~(i2 ^ s)) & 1;
  return w32(0xf000 | (s << 10) | ((off >> 12) & 0x3ff), (link ? 0xd000 : 0x9000) | (j1 << 13) | (j2 << 11) | ((off >> 1) & 0x7ff));
}
/** B.W label (T4, ±16 MiB). */
export const bW = (off: number): number => bT4(off, false);
/** BL label (T1, ±16 MiB). */
export const bl = (off: number): number => bT4(off, true);

/** B<cond>.W label (T3, ±1 MiB). */
export function bcondW(cond: Cond, off: number): number {
  checkBranch(off, 21, 'B<cond>.W');
  const s = off < 0 ? 1 : 0;
  const j2 = (off >> 19) & 1;
  const j1 = (off >> 18) & 1;
  return w32(0xf000 | (s << 10) | (cond << 6) | ((off >> 12) & 0x3f), 0x8000 | (j1 << 13) | (j2 << 11) | ((off >> 1) & 0x7ff));
}
/** B<cond> label (16-bit T1, -256..254). */
export function bcond16(cond: Cond, off: number): number {
  checkBranch(off, 9, 'B<cond>');
  return 0xd000 | (cond << 8) | ((off >> 1) & 0xff);
}
/** B label (16-bit T2, -2048..2046). */
export function b16(off: number): number {
  checkBranch(off, 12, 'B');
  return 0xe000 | ((off >> 1) & 0x7ff);
}
/** CBZ/CBNZ Rn, label (forward 0..126, Rn in r0–r7). */
export function cbz(rn: number, off: number, nonzero = false): number {
  if (rn > 7 || off < 0 || off > 126 || (off & 1)) throw new RangeError(`cbz r${rn} offset ${off}`);
  return (nonzero ? 0xb900 : 0xb100) | ((off >> 6) << 9) | (((off >> 1) & 0x1f) << 3) | rn;
}
/**
 * IT block: `pattern` is the then/else string after the first (e.g. '' for IT, 'E' for ITE, 'TT' for ITTT).
 */
export function it(first: Cond, pattern = ''): number {
  if (pattern.length > 3) throw new RangeError('IT block too long');
  let mask = 0;
  const fc0 = first & 1;
  for (let i = 0; i < pattern.length; i++) {
    const bit = pattern[i] === 'T' ? fc0 : fc0 ^ 1;
    mask |= bit << (3 - i);
  }
  mask |= 1 << (3 - pattern.length);
  return 0xbf00 | (first << 4) | mask;
}
export const bx = (rm: number): number => 0x4700 | (rm << 3);
export const blx = (rm: number): number => 0x4780 | (rm << 3);
export const tbb = (rn: number, rm: number): number => w32(0xe8d0 | rn, 0xf000 | rm);
export const tbh = (rn: number, rm: number): number => w32(0xe8d0 | rn, 0xf010 | rm);
export const nop = (): number => 0xbf00;
export const bkpt = (imm: number): number => 0xbe00 | (imm & 0xff);
export const udf = (imm: number): number => 0xde00 | (imm & 0xff);

// VFP single precision (A6.4). Sd/Sn/Sm are S register numbers 0–31: Vd = s >> 1, D = s & 1.
function vfp3(base: number, sd: number, sn: number, sm: number): number {
  return (base | ((sd & 1) << 22) | ((sn >> 1) << 16) | ((sd >> 1) << 12) | ((sn & 1) << 7) | ((sm & 1) << 5) | (sm >> 1)) >>> 0;
}
export const vadd = (sd: number, sn: number, sm: number): number => vfp3(0xee300a00, sd, sn, sm);
export const vsub = (sd: number, sn: number, sm: number): number => vfp3(0xee300a40, sd, sn, sm);
export const vmul = (sd: number, sn: number, sm: number): number => vfp3(0xee200a00, sd, sn, sm);
export const vdiv = (sd: number, sn: number, sm: number): number => vfp3(0xee800a00, sd, sn, sm);
const vfp2 = (base: number, sd: number, sm: number): number => vfp3(base, sd, 0, sm);
export const vabs = (sd: number, sm: number): number => vfp2(0xeeb00ac0, sd, sm);
export const vneg = (sd: number, sm: number): number => vfp2(0xeeb10a40, sd, sm);
export const vsqrt = (sd: number, sm: number): number => vfp2(0xeeb10ac0, sd, sm);
export const vmovS = (sd: number, sm: number): number => vfp2(0xeeb00a40, sd, sm);
/** VCMP{E}.F32 Sd, Sm. */
export const vcmp = (sd: number, sm: number, e = false): number => vfp2(e ? 0xeeb40ac0 : 0xeeb40a40, sd, sm);
/** VCMP{E}.F32 Sd, #0.0. */
export const vcmpZero = (sd: number, e = false): number => vfp2(e ? 0xeeb50ac0 : 0xeeb50a40, sd, 0);
/** VMRS APSR_nzcv, FPSCR. */
export const vmrsFlags = (): number => 0xeef1fa10;
/** VCVT.F32.S32 / .F32.U32 Sd, Sm (int → float, FPSCR rounding). */
export const vcvtFromInt = (sd: number, sm: number, signed: boolean): number => vfp2(signed ? 0xeeb80ac0 : 0xeeb80a40, sd, sm);
/** VCVT.S32.F32 / .U32.F32 Sd, Sm (float → int, round towards zero). */
export const vcvtToInt = (sd: number, sm: number, signed: boolean): number => vfp2(signed ? 0xeebd0ac0 : 0xeebc0ac0, sd, sm);
/** VMOV Sn, Rt. */
export const vmovToS = (sn: number, rt: number): number => (0xee000a10 | ((sn >> 1) << 16) | (rt << 12) | ((sn & 1) << 7)) >>> 0;
/** VMOV Rt, Sn. */
export const vmovFromS = (rt: number, sn: number): number => (0xee100a10 | ((sn >> 1) << 16) | (rt << 12) | ((sn & 1) << 7)) >>> 0;
/** VLDR/VSTR Sd, [Rn, #off] (off a multiple of 4, -1020..1020). */
export function vldr(sd: number, rn: number, off: number, load = true): number {
  if (off % 4 !== 0 || Math.abs(off) > 1020) throw new RangeError(`vldr/vstr offset ${off}`);
  const u = off >= 0 ? 1 : 0;
  return ((load ? 0xed100a00 : 0xed000a00) | (u << 23) | ((sd & 1) << 22) | (rn << 16) | ((sd >> 1) << 12) | (Math.abs(off) >> 2)) >>> 0;
}
