/**
 * Shared pieces of the DSP-extension modules (dsp.ts, dsp-parallel.ts, dsp-multiply.ts): field extraction,
 * register names, the pattern builder and lane saturation.
 *
 * Decision for every DSP encoding: register choices the ARM ARM calls UNPREDICTABLE (BadReg: SP or PC;
 * RdHi == RdLo) and set "should be" bits ((0)/(1) in the encoding diagrams) with the wrong value are
 * treated as UNDEFINED (the decoder declines, so nobody accepts them), rather than guessing what a given
 * core does.
 */
import { bits, DecodedInsn, type Exec, type Pattern } from '../decoded.js';

export const REG_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc'] as const;

/** Register name for a 4-bit field. */
export function reg(n: number): string {
  return REG_NAMES[n & 15]!;
}

/** BadReg(n) of the ARM ARM: SP or PC. */
export function badReg(n: number): boolean {
  return n === 13 || n === 15;
}

/** hw1[3:0]: Rn of every DSP encoding. */
export function fRn(raw: number): number {
  return (raw >>> 16) & 15;
}
/** hw2[11:8]: Rd (RdHi in the long multiplies). */
export function fRd(raw: number): number {
  return (raw >>> 8) & 15;
}
/** hw2[15:12]: Ra (RdLo in the long multiplies). */
export function fRa(raw: number): number {
  return (raw >>> 12) & 15;
}
/** hw2[3:0]: Rm. */
export function fRm(raw: number): number {
  return raw & 15;
}

/** A 32-bit pattern from a 32-character bit spec (see `bits`). */
export function pat(name: string, spec: string, decode: (raw: number) => DecodedInsn | null, disasm: (raw: number) => string): Pattern {
  const { mask, match } = bits(spec);
  return { name, size: 4, mask, match, decode, disasm };
}

/** A single-cycle 32-bit DSP instruction (Cortex-M4 TRM: all DSP instructions issue in one cycle). */
export function insn(exec: Exec, raw: number, a = 0, b = 0, c = 0, d = 0, e = 0, f = 0): DecodedInsn {
  return new DecodedInsn(exec, raw, 4, 1, a, b, c, d, e, f);
}

/** SignedSat(x, 16) of a lane (no Q: the parallel Q-forms do not touch APSR.Q). */
export function ssat16(x: number): number {
  return x > 0x7fff ? 0x7fff : x < -0x8000 ? -0x8000 : x;
}
/** UnsignedSat(x, 16). */
export function usat16(x: number): number {
  return x > 0xffff ? 0xffff : x < 0 ? 0 : x;
}
/** SignedSat(x, 8). */
export function ssat8(x: number): number {
  return x > 0x7f ? 0x7f : x < -0x80 ? -0x80 : x;
}
/** UnsignedSat(x, 8). */
export function usat8(x: number): number {
  return x > 0xff ? 0xff : x < 0 ? 0 : x;
}
