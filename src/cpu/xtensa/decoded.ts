/**
 * The decoded form of one Xtensa instruction, cached per address by the CPU (same idea as the ARM core's
 * src/cpu/armv7m/decoded.ts): one object shape for every instruction, operand fields `a`..`e` whose meaning
 * is private to the executor the decoder picked, PC-relative targets computed at decode time.
 */
import type { XtensaCpu } from './cpu.js';

/** Executes one decoded instruction. Reads/writes `cpu` state; sets `cpu.nextPc` to branch. */
export type XtExec = (cpu: XtensaCpu, d: XtDecoded) => void;

export class XtDecoded {
  constructor(
    public exec: XtExec,
    /** The encoding (24-bit or 16-bit value as read little-endian). */
    public raw: number,
    /** Size in bytes: 3 or 2. */
    public size: number,
    public a = 0,
    public b = 0,
    public c = 0,
    public d = 0,
    public e = 0,
    /**
     * Window check: the highest 4-register group (register number >> 2) any AR operand uses, 0..3.
     * Instructions touching a4..a15 may need a window overflow first (ISA "WindowCheck").
     */
    public wgroup = 0,
    /** Base cost in cycles; executors add the data-dependent part (taken branches). */
    public cycles = 1,
    public pattern: XtPattern | null = null,
  ) {}
}

/**
 * One encoding in a decoder table: `(raw & mask) === match` with the Xtensa field layout
 * (op2[23:20] op1[19:16] r[15:12] s[11:8] t[7:4] op0[3:0]; narrow forms use the low 16 bits).
 * The pattern with the most mask bits wins; `decode` returning null declines (next pattern is tried).
 */
export interface XtPattern {
  readonly name: string;
  readonly size: 2 | 3;
  readonly mask: number;
  readonly match: number;
  /** `pc` is the instruction's own address. */
  decode(raw: number, pc: number): XtDecoded | null;
  disasm(raw: number, pc: number): string;
}

/** Instruction fields (ISA reference "Instruction Formats"). */
export const op0 = (x: number): number => x & 15;
export const fT = (x: number): number => (x >>> 4) & 15;
export const fS = (x: number): number => (x >>> 8) & 15;
export const fR = (x: number): number => (x >>> 12) & 15;
export const op1 = (x: number): number => (x >>> 16) & 15;
export const op2 = (x: number): number => (x >>> 20) & 15;
export const imm8 = (x: number): number => (x >>> 16) & 0xff;
/** m and n: the two-bit halves of t (bits 7:6 and 5:4). */
export const fM = (x: number): number => (x >>> 6) & 3;
export const fN = (x: number): number => (x >>> 4) & 3;

export const sext = (v: number, bits: number): number => (v << (32 - bits)) >> (32 - bits);

export type FieldName = 'op0' | 't' | 's' | 'r' | 'op1' | 'op2' | 'm' | 'n' | 'imm8';
const FIELD: Record<FieldName, [number, number]> = {
  op0: [0, 4],
  t: [4, 4],
  s: [8, 4],
  r: [12, 4],
  op1: [16, 4],
  op2: [20, 4],
  m: [6, 2],
  n: [4, 2],
  imm8: [16, 8],
};

/** mask/match for fixed field values, e.g. `{ op0: 0, op1: 0, op2: 8 }` is ADD. */
export function fields(f: Partial<Record<FieldName, number>>): { mask: number; match: number } {
  let mask = 0;
  let match = 0;
  for (const [k, v] of Object.entries(f) as [FieldName, number][]) {
    const [pos, width] = FIELD[k];
    const m = ((1 << width) - 1) << pos;
    mask |= m;
    match |= (v << pos) & m;
  }
  return { mask: mask >>> 0, match: match >>> 0 };
}

export const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;
