/**
 * Flat binary output as `objcopy -O binary` makes it: from the lowest address to the end of the highest
 * segment, gaps filled with `gapFill`. objcopy's default fill is 0x00 (it leaves holes in the file, which
 * read as zeros), not 0xFF — checked against binutils in test/image/objcopy-compare.test.ts. `base` starts
 * the output lower than the data (filled), `padTo` extends it to an end address (objcopy --pad-to).
 */
import { UserError } from '../core/errors.js';
import { hex32, type Segment } from './image.js';

export interface FlattenOptions {
  gapFill?: number;
  /** Output starts at this address (at or below the lowest data). */
  base?: number;
  /** Output extends (filled) up to this end address. */
  padTo?: number;
}

/** Bigger outputs are almost always an address mistake (flash at 0x08000000 next to RAM at 0x20000000). */
export const MAX_FLAT_SIZE = 256 * 1024 * 1024;

export function flatten(segments: readonly Segment[], opts: FlattenOptions = {}): { address: number; data: Uint8Array } {
  const used = segments.filter((s) => s.data.length > 0);
  let lo = Infinity;
  let hi = 0;
  for (const s of used) {
    lo = Math.min(lo, s.address);
    hi = Math.max(hi, s.address + s.data.length);
  }
  if (used.length === 0) lo = hi = opts.base ?? 0;
  if (opts.base !== undefined) {
    if (opts.base > lo) throw new UserError(`--base ${hex32(opts.base)} is above the lowest data address ${hex32(lo)}`);
    lo = opts.base;
  }
  if (opts.padTo !== undefined && opts.padTo > hi) hi = opts.padTo;
  if (hi - lo > MAX_FLAT_SIZE) throw new UserError(`flat image from ${hex32(lo)} to ${hex32(hi)} would be ${hi - lo} bytes (limit ${MAX_FLAT_SIZE}); are two memories mixed?`);
  const out = new Uint8Array(hi - lo);
  if (opts.gapFill) out.fill(opts.gapFill);
  for (const s of used) out.set(s.data, s.address - lo);
  return { address: lo, data: out };
}
