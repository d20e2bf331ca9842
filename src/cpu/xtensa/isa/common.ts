/** Shared helpers for the instruction tables. */
import { XtDecoded, fields, type FieldName, type XtExec, type XtPattern } from '../decoded.js';

type Fields = Partial<Record<FieldName, number>>;

/** A table row: fixed fields, a decoder (null declines) and a disassembler. */
export function insn(
  name: string,
  size: 2 | 3,
  f: Fields,
  decode: (raw: number, pc: number) => XtDecoded | null,
  disasm: (raw: number, pc: number) => string,
): XtPattern {
  const { mask, match } = fields(f);
  return { name, size, mask, match, decode, disasm };
}

/** Builds a decoded instruction; `regs` are the AR numbers it touches (for the window check). */
export function mk(exec: XtExec, raw: number, size: number, a: number, b: number, c: number, d: number, e: number, regs: readonly number[]): XtDecoded {
  let g = 0;
  for (const r of regs) if (r >> 2 > g) g = r >> 2;
  return new XtDecoded(exec, raw, size, a, b, c, d, e, g);
}

export const reg = (n: number): string => `a${n}`;
