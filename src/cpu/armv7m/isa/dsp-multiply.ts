/**
 * ARMv7E-M DSP multiplies (ARM ARM A5.3.16 and the DSP rows of A5.3.17):
 * SMLA<x><y>/SMUL<x><y>, SMLAW<y>/SMULW<y>, SMLAD(X)/SMUAD(X), SMLSD(X)/SMUSD(X), SMMLA(R)/SMMUL(R),
 * SMMLS(R), USADA8/USAD8, SMLAL<x><y>, SMLALD(X), SMLSLD(X), UMAAL.
 *
 * Exactness without BigInt: 16x16 and 32x16 products and their sums stay far below 2^53, so plain doubles are
 * exact; 32x32 products go through `umul64`/`smul64`, which build the 64-bit result from 16-bit pieces into
 * the module-level pair `pHi:pLo` (no allocation). `x | 0` keeps the low 32 bits of any exact double.
 * Half and swap selections (x, y, X) are decoded into shift/rotate amounts, so one executor serves all of
 * an instruction's variants without a run-time switch.
 */
import type { CortexM4 } from '../cpu.js';
import type { Exec, Pattern } from '../decoded.js';
import { badReg, fRa, fRd, fRm, fRn, insn, pat, reg } from './dsp-common.js';

const TWO32 = 4294967296;

/** High and low words (int32) of the last 64-bit product. */
let pHi = 0;
let pLo = 0;

/** Unsigned 32x32 → 64-bit product of the bit patterns a and b, into pHi:pLo. */
function umul64(a: number, b: number): void {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  pLo = (mid << 16) | (p00 & 0xffff);
  pHi = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** Signed 32x32 → 64-bit product into pHi:pLo: the unsigned product minus the two's-complement corrections. */
function smul64(a: number, b: number): void {
  umul64(a, b);
  pHi = (pHi - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
}

/** ROR(x, rot) for rot in 0..31 (rot 0: `x << 32` is `x << 0` in JS, so the expression still yields x). */
function ror(x: number, rot: number): number {
  return (x >>> rot) | (x << (32 - rot));
}

// ---- SMLA<x><y>, SMUL<x><y>: a=Rd b=Rn c=Rm d=Ra e=shift selecting Rn's half f=shift selecting Rm's half ----
// operand = (R << s) >> 16 with s = 16 for the bottom half, 0 for the top half.

const execSMLAxy: Exec = (cpu, d) => {
  const result = ((cpu.r[d.b] << d.e) >> 16) * ((cpu.r[d.c] << d.f) >> 16) + cpu.r[d.d];
  const r = result | 0;
  cpu.r[d.a] = r;
  if (r !== result) cpu.q = 1;
};

const execSMULxy: Exec = (cpu, d) => {
  // |product| <= 2^30: always an int32.
  cpu.r[d.a] = ((cpu.r[d.b] << d.e) >> 16) * ((cpu.r[d.c] << d.f) >> 16);
};

// ---- SMLAW<y>, SMULW<y>: f selects Rm's half; result<47:16> of a 48-bit product (exact in a double) ----

const execSMLAWy: Exec = (cpu, d) => {
  const result = Math.floor((cpu.r[d.b] * ((cpu.r[d.c] << d.f) >> 16) + cpu.r[d.d] * 65536) / 65536);
  const r = result | 0;
  cpu.r[d.a] = r;
  if (r !== result) cpu.q = 1;
};

const execSMULWy: Exec = (cpu, d) => {
  cpu.r[d.a] = Math.floor((cpu.r[d.b] * ((cpu.r[d.c] << d.f) >> 16)) / 65536) | 0;
};

// ---- SMLAD(X), SMUAD(X), SMLSD(X), SMUSD(X): e = rotation of Rm (16 for the X forms, else 0) ----

const execSMLAD: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = ror(cpu.r[d.c], d.e);
  const result = ((n << 16) >> 16) * ((m << 16) >> 16) + (n >> 16) * (m >> 16) + cpu.r[d.d];
  const r = result | 0;
  cpu.r[d.a] = r;
  if (r !== result) cpu.q = 1;
};

const execSMUAD: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = ror(cpu.r[d.c], d.e);
  const result = ((n << 16) >> 16) * ((m << 16) >> 16) + (n >> 16) * (m >> 16);
  const r = result | 0;
  cpu.r[d.a] = r;
  if (r !== result) cpu.q = 1; // only 0x8000*0x8000 + 0x8000*0x8000 = 2^31 overflows
};

const execSMLSD: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = ror(cpu.r[d.c], d.e);
  const result = ((n << 16) >> 16) * ((m << 16) >> 16) - (n >> 16) * (m >> 16) + cpu.r[d.d];
  const r = result | 0;
  cpu.r[d.a] = r;
  if (r !== result) cpu.q = 1;
};

const execSMUSD: Exec = (cpu, d) => {
  // The difference of two 16x16 products always fits: no overflow, Q untouched (as the pseudocode says).
  const n = cpu.r[d.b];
  const m = ror(cpu.r[d.c], d.e);
  cpu.r[d.a] = ((n << 16) >> 16) * ((m << 16) >> 16) - (n >> 16) * (m >> 16);
};

// ---- SMMLA(R), SMMLS(R), SMMUL(R): e = the R bit; the rounding constant is e * 0x80000000 (kept out of the
// field itself so DecodedInsn fields stay small integers for V8) ----

const execSMMLA: Exec = (cpu, d) => {
  // result = (Ra << 32) + Rn*Rm + round; Rd = result<63:32>
  smul64(cpu.r[d.b], cpu.r[d.c]);
  const lo = (pLo >>> 0) + d.e * 0x80000000;
  cpu.r[d.a] = (pHi + cpu.r[d.d] + (lo >= TWO32 ? 1 : 0)) | 0;
};

const execSMMLS: Exec = (cpu, d) => {
  // result = (Ra << 32) - Rn*Rm + round = ((Ra - pHi) << 32) + (round - pLo); borrow when the low part is negative
  smul64(cpu.r[d.b], cpu.r[d.c]);
  const lo = d.e * 0x80000000 - (pLo >>> 0);
  cpu.r[d.a] = (cpu.r[d.d] - pHi - (lo < 0 ? 1 : 0)) | 0;
};

const execSMMUL: Exec = (cpu, d) => {
  smul64(cpu.r[d.b], cpu.r[d.c]);
  const lo = (pLo >>> 0) + d.e * 0x80000000;
  cpu.r[d.a] = (pHi + (lo >= TWO32 ? 1 : 0)) | 0;
};

// ---- USAD8, USADA8 ----

function absDiff8(n: number, m: number): number {
  const d0 = (n & 0xff) - (m & 0xff);
  const d1 = ((n >>> 8) & 0xff) - ((m >>> 8) & 0xff);
  const d2 = ((n >>> 16) & 0xff) - ((m >>> 16) & 0xff);
  const d3 = (n >>> 24) - (m >>> 24);
  return (d0 < 0 ? -d0 : d0) + (d1 < 0 ? -d1 : d1) + (d2 < 0 ? -d2 : d2) + (d3 < 0 ? -d3 : d3);
}

const execUSAD8: Exec = (cpu, d) => {
  cpu.r[d.a] = absDiff8(cpu.r[d.b], cpu.r[d.c]);
};

const execUSADA8: Exec = (cpu, d) => {
  cpu.r[d.a] = (cpu.r[d.d] + absDiff8(cpu.r[d.b], cpu.r[d.c])) | 0;
};

// ---- long forms: a=RdLo b=RdHi c=Rn d=Rm e,f = half shifts or rotation ----

/** RdHi:RdLo += v, for an exact integer |v| <= 2^31 (so the low-word sum lies in [-2^31, 2^32 + 2^31]). */
function accumulate64(cpu: CortexM4, dLo: number, dHi: number, v: number): void {
  const sum = (cpu.r[dLo] >>> 0) + v;
  cpu.r[dHi] = (cpu.r[dHi] + (sum < 0 ? -1 : sum >= TWO32 ? 1 : 0)) | 0;
  cpu.r[dLo] = sum | 0;
}

const execSMLALxy: Exec = (cpu, d) => {
  accumulate64(cpu, d.a, d.b, ((cpu.r[d.c] << d.e) >> 16) * ((cpu.r[d.d] << d.f) >> 16));
};

const execSMLALD: Exec = (cpu, d) => {
  const n = cpu.r[d.c];
  const m = ror(cpu.r[d.d], d.e);
  accumulate64(cpu, d.a, d.b, ((n << 16) >> 16) * ((m << 16) >> 16) + (n >> 16) * (m >> 16));
};

const execSMLSLD: Exec = (cpu, d) => {
  const n = cpu.r[d.c];
  const m = ror(cpu.r[d.d], d.e);
  accumulate64(cpu, d.a, d.b, ((n << 16) >> 16) * ((m << 16) >> 16) - (n >> 16) * (m >> 16));
};

const execUMAAL: Exec = (cpu, d) => {
  // Rn*Rm + RdHi + RdLo <= 2^64 - 1: the low-word sum is < 3*2^32, its carry 0..2.
  umul64(cpu.r[d.c], cpu.r[d.d]);
  const sum = (pLo >>> 0) + (cpu.r[d.a] >>> 0) + (cpu.r[d.b] >>> 0);
  const carry = sum >= 2 * TWO32 ? 2 : sum >= TWO32 ? 1 : 0;
  cpu.r[d.b] = (pHi + carry) | 0;
  cpu.r[d.a] = sum | 0;
};

// ---- decoders ----

const XY = ['bb', 'bt', 'tb', 'tt'] as const;
/** "xy" suffix from hw2[5:4] = N:M. */
function xy(raw: number): string {
  return XY[(raw >>> 4) & 3]!;
}
/** Shift that selects Rn's half from N (hw2[5]): top → 0, bottom → 16. */
function nShift(raw: number): number {
  return raw & 0x20 ? 0 : 16;
}
/** Shift that selects Rm's half from M (hw2[4]). */
function mShift(raw: number): number {
  return raw & 0x10 ? 0 : 16;
}
/** Suffix letter when hw2[4] is set (X or R forms). */
function bit4(raw: number, letter: string): string {
  return raw & 0x10 ? letter : '';
}

/** Rd, Rn, Rm (and Ra unless `noRa`) all may not be SP/PC. */
function bad3(raw: number): boolean {
  return badReg(fRd(raw)) || badReg(fRn(raw)) || badReg(fRm(raw));
}
function bad4(raw: number): boolean {
  return bad3(raw) || badReg(fRa(raw));
}
/** Long forms: RdLo, RdHi, Rn, Rm not SP/PC, and RdHi != RdLo. */
function badLong(raw: number): boolean {
  return bad4(raw) || fRa(raw) === fRd(raw);
}

function dis3(m: string, raw: number): string {
  return `${m} ${reg(fRd(raw))}, ${reg(fRn(raw))}, ${reg(fRm(raw))}`;
}
function dis4(m: string, raw: number): string {
  return `${m} ${reg(fRd(raw))}, ${reg(fRn(raw))}, ${reg(fRm(raw))}, ${reg(fRa(raw))}`;
}
function disLong(m: string, raw: number): string {
  return `${m} ${reg(fRa(raw))}, ${reg(fRd(raw))}, ${reg(fRn(raw))}, ${reg(fRm(raw))}`;
}

export const multiplyPatterns: Pattern[] = [
  // A5.3.16: 11111011 0 op1 Rn | Ra Rd 00 op2 Rm. The Ra=1111 (no accumulate) forms have the more specific mask;
  // the accumulating forms also decline Ra=1111 in case they are tried first.
  pat('SMLA<x><y> T1', '11111011_0001_xxxx_xxxx_xxxx_00xx_xxxx',
    (raw) => (bad4(raw) ? null : insn(execSMLAxy, raw, fRd(raw), fRn(raw), fRm(raw), fRa(raw), nShift(raw), mShift(raw))),
    (raw) => dis4(`smla${xy(raw)}`, raw)),
  pat('SMUL<x><y> T1', '11111011_0001_xxxx_1111_xxxx_00xx_xxxx',
    (raw) => (bad3(raw) ? null : insn(execSMULxy, raw, fRd(raw), fRn(raw), fRm(raw), 0, nShift(raw), mShift(raw))),
    (raw) => dis3(`smul${xy(raw)}`, raw)),
  pat('SMLAW<y> T1', '11111011_0011_xxxx_xxxx_xxxx_000x_xxxx',
    (raw) => (bad4(raw) ? null : insn(execSMLAWy, raw, fRd(raw), fRn(raw), fRm(raw), fRa(raw), 0, mShift(raw))),
    (raw) => dis4(`smlaw${raw & 0x10 ? 't' : 'b'}`, raw)),
  pat('SMULW<y> T1', '11111011_0011_xxxx_1111_xxxx_000x_xxxx',
    (raw) => (bad3(raw) ? null : insn(execSMULWy, raw, fRd(raw), fRn(raw), fRm(raw), 0, 0, mShift(raw))),
    (raw) => dis3(`smulw${raw & 0x10 ? 't' : 'b'}`, raw)),
  pat('SMLAD T1', '11111011_0010_xxxx_xxxx_xxxx_000x_xxxx',
    (raw) => (bad4(raw) ? null : insn(execSMLAD, raw, fRd(raw), fRn(raw), fRm(raw), fRa(raw), raw & 0x10 ? 16 : 0)),
    (raw) => dis4(`smlad${bit4(raw, 'x')}`, raw)),
  pat('SMUAD T1', '11111011_0010_xxxx_1111_xxxx_000x_xxxx',
    (raw) => (bad3(raw) ? null : insn(execSMUAD, raw, fRd(raw), fRn(raw), fRm(raw), 0, raw & 0x10 ? 16 : 0)),
    (raw) => dis3(`smuad${bit4(raw, 'x')}`, raw)),
  pat('SMLSD T1', '11111011_0100_xxxx_xxxx_xxxx_000x_xxxx',
    (raw) => (bad4(raw) ? null : insn(execSMLSD, raw, fRd(raw), fRn(raw), fRm(raw), fRa(raw), raw & 0x10 ? 16 : 0)),
    (raw) => dis4(`smlsd${bit4(raw, 'x')}`, raw)),
  pat('SMUSD T1', '11111011_0100_xxxx_1111_xxxx_000x_xxxx',
    (raw) => (bad3(raw) ? null : insn(execSMUSD, raw, fRd(raw), fRn(raw), fRm(raw), 0, raw & 0x10 ? 16 : 0)),
    (raw) => dis3(`smusd${bit4(raw, 'x')}`, raw)),
  pat('SMMLA T1', '11111011_0101_xxxx_xxxx_xxxx_000x_xxxx',
    (raw) => (bad4(raw) ? null : insn(execSMMLA, raw, fRd(raw), fRn(raw), fRm(raw), fRa(raw), (raw >>> 4) & 1)),
    (raw) => dis4(`smmla${bit4(raw, 'r')}`, raw)),
  pat('SMMUL T1', '11111011_0101_xxxx_1111_xxxx_000x_xxxx',
    (raw) => (bad3(raw) ? null : insn(execSMMUL, raw, fRd(raw), fRn(raw), fRm(raw), 0, (raw >>> 4) & 1)),
    (raw) => dis3(`smmul${bit4(raw, 'r')}`, raw)),
  // SMMLS has no Ra=1111 alias: Ra = PC is UNPREDICTABLE, declined by bad4.
  pat('SMMLS T1', '11111011_0110_xxxx_xxxx_xxxx_000x_xxxx',
    (raw) => (bad4(raw) ? null : insn(execSMMLS, raw, fRd(raw), fRn(raw), fRm(raw), fRa(raw), (raw >>> 4) & 1)),
    (raw) => dis4(`smmls${bit4(raw, 'r')}`, raw)),
  pat('USADA8 T1', '11111011_0111_xxxx_xxxx_xxxx_0000_xxxx',
    (raw) => (bad4(raw) ? null : insn(execUSADA8, raw, fRd(raw), fRn(raw), fRm(raw), fRa(raw))),
    (raw) => dis4('usada8', raw)),
  pat('USAD8 T1', '11111011_0111_xxxx_1111_xxxx_0000_xxxx',
    (raw) => (bad3(raw) ? null : insn(execUSAD8, raw, fRd(raw), fRn(raw), fRm(raw))),
    (raw) => dis3('usad8', raw)),

  // A5.3.17: 11111011 1 op1 Rn | RdLo RdHi op2 Rm (RdLo = hw2[15:12], RdHi = hw2[11:8]).
  pat('SMLAL<x><y> T1', '11111011_1100_xxxx_xxxx_xxxx_10xx_xxxx',
    (raw) => (badLong(raw) ? null : insn(execSMLALxy, raw, fRa(raw), fRd(raw), fRn(raw), fRm(raw), nShift(raw), mShift(raw))),
    (raw) => disLong(`smlal${xy(raw)}`, raw)),
  pat('SMLALD T1', '11111011_1100_xxxx_xxxx_xxxx_110x_xxxx',
    (raw) => (badLong(raw) ? null : insn(execSMLALD, raw, fRa(raw), fRd(raw), fRn(raw), fRm(raw), raw & 0x10 ? 16 : 0)),
    (raw) => disLong(`smlald${bit4(raw, 'x')}`, raw)),
  pat('SMLSLD T1', '11111011_1101_xxxx_xxxx_xxxx_110x_xxxx',
    (raw) => (badLong(raw) ? null : insn(execSMLSLD, raw, fRa(raw), fRd(raw), fRn(raw), fRm(raw), raw & 0x10 ? 16 : 0)),
    (raw) => disLong(`smlsld${bit4(raw, 'x')}`, raw)),
  pat('UMAAL T1', '11111011_1110_xxxx_xxxx_xxxx_0110_xxxx',
    (raw) => (badLong(raw) ? null : insn(execUMAAL, raw, fRa(raw), fRd(raw), fRn(raw), fRm(raw))),
    (raw) => disLong('umaal', raw)),
];
