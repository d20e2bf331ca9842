/**
 * The decoded form of one Thumb instruction, cached per address by the CPU.
 *
 * Every decoder produces `DecodedInsn` objects of this one shape (so the hot loop's property loads stay
 * monomorphic); what `a`..`f` mean is private to the executor that the decoder picked. Anything that can be
 * computed at decode time (register numbers, expanded immediates, PC-relative targets — the address of the
 * instruction is known when decoding) should be, so executors do the least work.
 */
import type { CortexM4 } from './cpu.js';

/** Executes one decoded instruction. Must not allocate. Reads/writes `cpu` state; sets `cpu.nextPc` to branch. */
export type Exec = (cpu: CortexM4, d: DecodedInsn) => void;

export class DecodedInsn {
  constructor(
    /** Semantics of this instruction. */
    public exec: Exec,
    /** The encoding: 16-bit value, or (hw1 << 16 | hw2) >>> 0 for 32-bit instructions. */
    public raw: number,
    /** Size in bytes: 2 or 4. */
    public size: number,
    /** Base cost in cycles (Cortex-M4 TRM timings); executors add the data-dependent part. */
    public cycles: number,
    public a = 0,
    public b = 0,
    public c = 0,
    public d = 0,
    public e = 0,
    public f = 0,
    /** The pattern that decoded it, for disassembly and traces. */
    public pattern: Pattern | null = null,
  ) {}
}

/**
 * One encoding in a decoder table, as in the ARM ARM's encoding diagrams: `(raw & mask) === match`.
 * For 32-bit encodings, raw is (hw1 << 16 | hw2) >>> 0 and mask/match use the same layout.
 * When several patterns match, the one with the most mask bits wins; `decode` returning null means
 * "not mine after all" (e.g. a field value that the ARM ARM sends to another encoding) and the next
 * most specific pattern is tried. If none accepts, the instruction is UNDEFINED.
 */
export interface Pattern {
  /** Mnemonic and encoding name from the ARM ARM, e.g. "ADD (register) T2". */
  readonly name: string;
  readonly size: 2 | 4;
  readonly mask: number;
  readonly match: number;
  /** `pc` is the address of the instruction itself. Returns the decoded form, or null to decline. */
  decode(raw: number, pc: number): DecodedInsn | null;
  /** Unified-syntax disassembly, e.g. "adds r0, r1, #4"; `pc` as above (for branch targets, literals). */
  disasm(raw: number, pc: number): string;
}

/** Helper for tables: builds a pattern from a bit string like "0100_0000_01xx_xxxx" (x = don't care). */
export function bits(spec: string): { mask: number; match: number } {
  const s = spec.replace(/[_ ]/g, '');
  if (s.length !== 16 && s.length !== 32) throw new Error(`pattern "${spec}" must have 16 or 32 bits`);
  let mask = 0;
  let match = 0;
  for (const ch of s) {
    mask = mask * 2;
    match = match * 2;
    if (ch === '0') mask += 1;
    else if (ch === '1') {
      mask += 1;
      match += 1;
    } else if (ch !== 'x' && ch !== 'X') throw new Error(`bad bit "${ch}" in pattern "${spec}"`);
  }
  return { mask: mask >>> 0, match: match >>> 0 };
}
