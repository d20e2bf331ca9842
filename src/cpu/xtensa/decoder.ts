/**
 * Xtensa decoder: the union of every instruction module's pattern table, bucketed by op0 (which also
 * gives the length: op0 0..7 are 24-bit, 8..13 the 16-bit code-density forms). Within a bucket the
 * candidates are ordered most-specific first and the first whose `decode` accepts wins; nothing accepting
 * means IllegalInstruction (an instruction too, never a host exception).
 */
import { XtDecoded, type XtExec, type XtPattern } from './decoded.js';
import { XtensaException } from './exceptions.js';
import { Cause } from './sr.js';
import { patterns as alu } from './isa/alu.js';
import { patterns as loadStore } from './isa/loadstore.js';
import { patterns as branch } from './isa/branch.js';
import { patterns as windowed } from './isa/windowed.js';
import { patterns as system } from './isa/system.js';
import { patterns as narrow } from './isa/narrow.js';

export const ALL_PATTERNS: readonly XtPattern[] = [...alu, ...loadStore, ...branch, ...windowed, ...system, ...narrow];

/**
 * Instruction length from the first byte (little-endian: op0 is its low nibble). op0 14 and 15 are
 * reserved in this configuration (no FLIX); they are decoded as 3-byte illegal instructions.
 */
export function instructionSize(byte0: number): 2 | 3 {
  const o = byte0 & 15;
  return o >= 8 && o <= 13 ? 2 : 3;
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

let buckets: XtPattern[][] | null = null;

function build(): XtPattern[][] {
  const b: XtPattern[][] = [];
  for (let o = 0; o < 16; o++) {
    b[o] = ALL_PATTERNS.filter((p) => (p.mask & 15) === 15 && (p.match & 15) === o).sort((x, y) => popcount(y.mask) - popcount(x.mask));
  }
  return b;
}

/** The patterns that match `raw`, in the order they are tried (tests use this to find overlaps). */
export function candidates(raw: number): readonly XtPattern[] {
  buckets ??= build();
  return buckets[raw & 15]!.filter((p) => ((raw ^ p.match) & p.mask) === 0);
}

export const execIllegal: XtExec = () => {
  throw new XtensaException(Cause.IllegalInstruction);
};

const illegalPattern: XtPattern = {
  name: 'ILLEGAL',
  size: 3,
  mask: 0,
  match: 0,
  decode: () => null,
  disasm: (raw) => `.illegal 0x${raw.toString(16)}`,
};

/** Decodes `raw` (size 2 or 3) at `pc`. Never returns null: an illegal encoding is an instruction too. */
export function decode(raw: number, size: 2 | 3, pc: number): XtDecoded {
  buckets ??= build();
  for (const p of buckets[raw & 15]!) {
    if (((raw ^ p.match) & p.mask) !== 0) continue;
    const d = p.decode(raw, pc);
    if (d !== null) {
      d.pattern = p;
      return d;
    }
  }
  const d = new XtDecoded(execIllegal, raw, size);
  d.pattern = illegalPattern;
  return d;
}

export function disassemble(raw: number, size: 2 | 3, pc: number): string {
  const d = decode(raw, size, pc);
  return d.pattern ? d.pattern.disasm(raw, pc) : '?';
}
