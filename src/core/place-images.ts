/**
 * Firmware images given to `emboard run` (and `emboard flash`): `FILE` or `FILE@ADDR` arguments, loaded,
 * checked against the board's memory map as a whole, then placed — into flash as a programmer would
 * (erase the touched sectors, then program; src/tools/flash-ops.ts), elsewhere (SRAM) by plain copy.
 *
 * Rules:
 * - ELF, Intel HEX and DfuSe carry their own addresses; `@ADDR` is only for raw binaries (else an error).
 * - A raw binary goes to its `@ADDR`, else `--base`, else the board's flash base. On a board with
 *   persistent flash it must lie inside that flash (a raw binary is a flash image).
 * - Every segment must lie inside one memory region; segments of different files must not overlap.
 * - Everything is checked before anything is written, so a bad argument changes nothing (the caller
 *   writes the --flash state file only after placement succeeded).
 */
import { UserError } from './errors.js';
import type { FirmwareImage, ImageFormat } from '../image/image.js';
import { detectFormat, loadImageBytes } from '../image/load.js';
import type { Machine } from './machine.js';
import type { PersistentStore } from './soc.js';
import { readFileSync } from 'node:fs';
import { programSegments, type StoreSegment } from '../tools/flash-ops.js';

export interface ImageArg {
  readonly path: string;
  /** `@ADDR` load address (raw binaries only). */
  readonly address?: number;
}

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/**
 * `fw.bin@0x08020000` → path + address. The split is at the last '@' when what follows looks like a
 * number (starts with a digit); a malformed number there is an error, anything else is part of the name.
 */
export function parseImageArg(arg: string): ImageArg {
  const at = arg.lastIndexOf('@');
  if (at < 0) return { path: arg };
  const tail = arg.slice(at + 1);
  const path = arg.slice(0, at);
  if (tail === '') throw new UserError(`${arg}: '@' without an address (write FILE@0x08000000)`);
  if (!/^[0-9]/.test(tail)) return { path: arg };
  const n = Number(tail.replace(/_/g, ''));
  if (!/^(0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)$/.test(tail) || !Number.isInteger(n) || n > 0xffffffff) {
    throw new UserError(`${arg}: bad load address '@${tail}' (write FILE@0x08000000)`);
  }
  if (path === '') throw new UserError(`${arg}: no file name before '@'`);
  return { path, address: n };
}

export interface LoadImagesOptions {
  format?: ImageFormat;
  /** `--base` for raw binaries without `@ADDR`. */
  base?: number;
}

/** Reads and parses every image argument (UserError naming the file on the first bad one). */
export function loadImageArgs(machine: Machine, args: readonly ImageArg[], opts: LoadImagesOptions = {}): FirmwareImage[] {
  const flash = flashStore(machine);
  return args.map((a) => {
    let data: Uint8Array;
    try {
      data = new Uint8Array(readFileSync(a.path));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UserError(`${a.path}: cannot read firmware file${code ? ` (${code})` : ''}`);
    }
    const format = opts.format ?? detectFormat(data);
    if (a.address !== undefined && format !== 'bin') {
      throw new UserError(`${a.path}@${hex(a.address)}: only raw binaries take @ADDR (this ${format} file carries its own addresses)`);
    }
    const base = a.address ?? opts.base ?? machine.board.flashBase ?? 0;
    const img = loadImageBytes(data, a.path, { format, base });
    if (format === 'bin' && flash?.base !== undefined) {
      const lo = flash.base;
      const hi = flash.base + flash.size;
      if (base < lo || base >= hi) {
        throw new UserError(`${a.path}: raw binary at ${hex(base)} is outside ${flash.name} (${hex(lo)}..${hex(hi - 1)}); give @ADDR or --base inside it`);
      }
      if (base + data.length > hi) {
        throw new UserError(`${a.path}: ${data.length} bytes at ${hex(base)} do not fit in ${flash.name} (ends at ${hex(hi - 1)}, ${flash.size / 1024} KiB)`);
      }
    }
    return img;
  });
}

/** The board's memory-mapped persistent flash ("flash" with a bus base), if any. */
export function flashStore(machine: Machine): PersistentStore | undefined {
  return machine.soc.persistentStores?.().find((s) => s.base !== undefined);
}

export interface Placement {
  /** Per store name: the sectors erased before programming. */
  readonly erased: ReadonlyMap<string, number[]>;
  /** Bytes placed in total. */
  readonly bytes: number;
}

/** Checks every segment of every image against the memory map and the other images; throws UserError. */
export function checkImages(machine: Machine, images: readonly FirmwareImage[]): void {
  const seen: { lo: number; hi: number; src: string; n: number }[] = [];
  for (const [n, img] of images.entries()) {
    for (const s of img.segments) {
      if (s.data.length === 0) continue;
      const lo = s.address >>> 0;
      const hi = lo + s.data.length;
      const r = machine.bus.regionAt(lo);
      if (r === undefined || r.storage === null) {
        throw new UserError(`${img.source}: segment at 0x${lo.toString(16)} (${s.data.length} bytes) is outside the memory of board ${machine.board.name}`);
      }
      if (hi > r.end) {
        throw new UserError(
          `${img.source}: segment at ${hex(lo)} (${s.data.length} bytes) runs past the end of ${r.name} at ${hex(r.end - 1)} (image larger than ${r.name}?)`,
        );
      }
      for (const o of seen) {
        if (o.n !== n && lo < o.hi && o.lo < hi) {
          throw new UserError(`${img.source}: ${hex(lo)}..${hex(hi - 1)} overlaps ${o.src} (${hex(o.lo)}..${hex(o.hi - 1)})`);
        }
      }
      seen.push({ lo, hi, src: img.source, n });
    }
  }
}

/**
 * Places checked images: segments in a persistent store (through any alias of it) are programmed like a
 * flash programmer does (touched sectors erased once, then NOR-programmed); the rest is copied.
 */
export function placeImages(machine: Machine, images: readonly FirmwareImage[]): Placement {
  checkImages(machine, images);
  const stores = machine.soc.persistentStores?.() ?? [];
  const perStore = new Map<PersistentStore, StoreSegment[]>();
  let bytes = 0;
  for (const img of images) {
    for (const s of img.segments) {
      if (s.data.length === 0) continue;
      bytes += s.data.length;
      const r = machine.bus.regionAt(s.address)!;
      const store = stores.find((st) => st.bytes === r.storage!.bytes);
      if (store === undefined) {
        machine.bus.load(s.address, s.data);
        continue;
      }
      let list = perStore.get(store);
      if (list === undefined) perStore.set(store, (list = []));
      list.push({ offset: (s.address >>> 0) - r.delta, data: s.data });
    }
  }
  const erased = new Map<string, number[]>();
  for (const [store, segs] of perStore) erased.set(store.name, programSegments(store, segs));
  return { erased, bytes };
}
