/**
 * A firmware image as loaders produce it: memory segments at load addresses, plus what the file says
 * about entry point and symbols. Formats convert into this and out of it.
 */
export interface Segment {
  /** Load (physical) address. */
  readonly address: number;
  readonly data: Uint8Array;
}

export type ImageFormat = 'elf' | 'ihex' | 'bin' | 'dfu';

export interface FirmwareImage {
  readonly format: ImageFormat;
  /** Where it came from, for messages. */
  readonly source: string;
  /** Sorted by address, non-overlapping. */
  readonly segments: readonly Segment[];
  /** ELF e_entry or HEX start-address record, when the file has one. */
  readonly entry?: number;
  /** Function/object symbols (ELF), address → name, for traces. */
  readonly symbols?: ReadonlyMap<number, string>;
}

/** Lowest address and the end of the highest segment. */
export function imageExtent(img: FirmwareImage): { start: number; end: number } {
  if (img.segments.length === 0) return { start: 0, end: 0 };
  let start = Infinity;
  let end = 0;
  for (const s of img.segments) {
    start = Math.min(start, s.address);
    end = Math.max(end, s.address + s.data.length);
  }
  return { start, end };
}

export function hex32(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}
