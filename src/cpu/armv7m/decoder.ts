/**
 * Thumb/Thumb-2 decoder: the union of every instruction module's pattern table.
 *
 * 16-bit encodings are resolved through a 64 Ki-entry table of candidate lists built on first use;
 * 32-bit encodings through buckets keyed by hw1's top 7 bits (op1:op2 field space of the ARM ARM, A5.3).
 * Within a bucket candidates are ordered most-specific first (most mask bits), and the first whose
 * `decode` accepts wins. Decoding happens once per address thanks to the CPU's cache, so clarity wins
 * over speed here.
 */
import { DecodedInsn, type Pattern } from './decoded.js';
import { patterns as dataProcessing } from './isa/data-processing.js';
import { patterns as branchMisc } from './isa/branch-misc.js';
import { patterns as loadStore } from './isa/load-store.js';
import { patterns as multiply } from './isa/multiply.js';
import { patterns as dsp } from './isa/dsp.js';
import { patterns as vfp } from './isa/vfp.js';
import type { Exec } from './decoded.js';

export const ALL_PATTERNS: readonly Pattern[] = [...dataProcessing, ...branchMisc, ...loadStore, ...multiply, ...dsp, ...vfp];

/** Is this first halfword the start of a 32-bit instruction? (ARM ARM A5.1: hw1[15:11] in 11101/11110/11111) */
export function isThumb32(hw1: number): boolean {
  return (hw1 & 0xf800) >= 0xe800;
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function bySpecificity(a: Pattern, b: Pattern): number {
  return popcount(b.mask) - popcount(a.mask);
}

let table16: (Pattern[] | undefined)[] | null = null;
let buckets32: Pattern[][] | null = null;
let p16: Pattern[] = [];
let index16 = new Map<Pattern, number>();
const shared16 = new Map<string, Pattern[]>();

function build(): void {
  p16 = ALL_PATTERNS.filter((p) => p.size === 2).sort(bySpecificity);
  index16 = new Map(p16.map((p, i) => [p, i]));
  const p32 = ALL_PATTERNS.filter((p) => p.size === 4).sort(bySpecificity);
  // Filled per encoding on first use (start-up time: a program meets a few thousand of the 65536).
  table16 = new Array<Pattern[] | undefined>(0x10000);
  buckets32 = [];
  for (let k = 0; k < 128; k++) {
    const key = (k << 25) >>> 0;
    buckets32[k] = p32.filter((p) => ((key ^ p.match) & p.mask & 0xfe000000) === 0);
  }
}

/** The candidate list of a 16-bit encoding; encodings with the same list share one array (heap). */
function fill16(raw: number): Pattern[] {
  const c = isThumb32(raw) ? [] : p16.filter((p) => (raw & p.mask) === p.match);
  const key = c.map((p) => index16.get(p)).join(',');
  let list = shared16.get(key);
  if (list === undefined) shared16.set(key, (list = c));
  table16![raw] = list;
  return list;
}

/** The patterns that match `raw` in the order they are tried (tests use this to find overlaps). */
export function candidates(raw: number, size: 2 | 4): readonly Pattern[] {
  if (table16 === null) build();
  if (size === 2) return table16![raw & 0xffff] ?? fill16(raw & 0xffff);
  return buckets32![raw >>> 25]!.filter((p) => ((raw ^ p.match) & p.mask) === 0);
}

/** Executor for encodings nobody accepts: UsageFault UNDEFINSTR. */
export const execUndefined: Exec = (cpu) => cpu.undefinedInstruction();

const undefinedPattern: Pattern = {
  name: 'UNDEFINED',
  size: 2,
  mask: 0,
  match: 0,
  decode: () => null,
  disasm: (raw) => `udf (undefined encoding 0x${raw.toString(16)})`,
};

/** Decodes the instruction `raw` (size 2 or 4) at address `pc`. Never returns null: UNDEFINED is an instruction too. */
export function decode(raw: number, size: 2 | 4, pc: number): DecodedInsn {
  if (table16 === null) build();
  if (size === 2) {
    for (const p of table16![raw] ?? fill16(raw)) {
      const d = p.decode(raw, pc);
      if (d !== null) {
        d.pattern = p;
        return d;
      }
    }
  } else {
    for (const p of buckets32![raw >>> 25]!) {
      if (((raw ^ p.match) & p.mask) !== 0) continue;
      const d = p.decode(raw, pc);
      if (d !== null) {
        d.pattern = p;
        return d;
      }
    }
  }
  return new DecodedInsn(execUndefined, raw, size, 1, 0, 0, 0, 0, 0, 0, undefinedPattern);
}

/** Unified-syntax text of the instruction at `pc`. */
export function disassemble(raw: number, size: 2 | 4, pc: number): string {
  const d = decode(raw, size, pc);
  return d.pattern ? d.pattern.disasm(raw, pc) : '?';
}
