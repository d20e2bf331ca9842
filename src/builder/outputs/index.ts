/**
 * Build outputs from a linked image: firmware.elf, .bin (objcopy -O binary layout), .hex, .dfu (DfuSe, one
 * target), the map file and the size summary. The .bin/.hex/.dfu writers are the image tools' own
 * (src/image); this module only turns the linked image into load segments (at their LMAs).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { flatten } from '../../image/bin-writer.js';
import { buildDfuSe } from '../../image/dfuse.js';
import type { Segment } from '../../image/image.js';
import { writeIntelHex } from '../../image/ihex-writer.js';
import { writeOutputFile } from '../../image/file-io.js';
import { writeExecutable } from '../elf/write-exec.js';
import type { LinkedImage } from '../link/linker.js';
import type { FloatAbi } from '../elf/format.js';
import { mapFile } from './map.js';
import { sizeOf, sizeReport, type SizeSummary } from './size.js';

export { mapFile } from './map.js';
export { sizeOf, sizeReport, sizeLine, SIZE_HEADER, type SizeSummary } from './size.js';

export interface DfuIds {
  vid: number;
  pid: number;
  /** bcdDevice; 0xffff = any. */
  device: number;
}

/** ST's DFU bootloader IDs (0483:df11), what `dfu-util -D` against an STM32 in system-memory boot expects. */
export const STM32_DFU_IDS: DfuIds = { vid: 0x0483, pid: 0xdf11, device: 0xffff };

export interface BuildOutputs {
  elf: Uint8Array;
  bin: Uint8Array;
  /** Address of the first .bin byte (the lowest LMA). */
  binAddress: number;
  hex: string;
  dfu: Uint8Array;
  map: string;
  size: SizeSummary;
}

/** Contents to load, at their load addresses (what objcopy -O binary/ihex would take from the ELF). */
export function loadSegments(image: LinkedImage): Segment[] {
  return image.sections
    .filter((s) => !s.nobits && s.size > 0)
    .map((s) => ({ address: s.lma, data: s.data }))
    .sort((a, b) => a.address - b.address);
}

function contiguousRuns(segs: readonly Segment[]): Segment[] {
  const out: { address: number; parts: Uint8Array[]; end: number }[] = [];
  for (const s of segs) {
    const last = out.at(-1);
    if (last && last.end === s.address) {
      last.parts.push(s.data);
      last.end += s.data.length;
    } else out.push({ address: s.address, parts: [s.data], end: s.address + s.data.length });
  }
  return out.map((r) => {
    const data = new Uint8Array(r.end - r.address);
    let o = 0;
    for (const p of r.parts) {
      data.set(p, o);
      o += p.length;
    }
    return { address: r.address, data };
  });
}

export interface OutputOptions {
  dfuIds?: DfuIds;
  floatAbi?: FloatAbi;
}

export function makeOutputs(image: LinkedImage, opts: OutputOptions = {}): BuildOutputs {
  const segments = loadSegments(image);
  const flat = flatten(segments);
  return {
    elf: writeExecutable(image, { floatAbi: opts.floatAbi }),
    bin: flat.data,
    binAddress: flat.address,
    hex: writeIntelHex(segments, image.entry),
    // One DfuSe element per contiguous run, target "ST..." on alt 0, as `emboard elf2dfu` writes it.
    dfu: buildDfuSe([{ alt: 0, name: 'ST...', elements: contiguousRuns(segments) }], opts.dfuIds ?? STM32_DFU_IDS),
    map: mapFile(image),
    size: sizeOf(image),
  };
}

/** Writes <dir>/<base>.elf/.bin/.hex/.dfu/.map; returns the paths and the size report text. */
export function writeOutputs(dir: string, image: LinkedImage, base = 'firmware', opts: OutputOptions = {}): { files: string[]; sizeText: string } {
  mkdirSync(dir, { recursive: true });
  const o = makeOutputs(image, opts);
  const files: [string, Uint8Array | string][] = [
    [`${base}.elf`, o.elf],
    [`${base}.bin`, o.bin],
    [`${base}.hex`, o.hex],
    [`${base}.dfu`, o.dfu],
    [`${base}.map`, o.map],
  ];
  for (const [n, d] of files) writeOutputFile(join(dir, n), d);
  return { files: files.map(([n]) => join(dir, n)), sizeText: sizeReport(image, join(dir, `${base}.elf`)) };
}
