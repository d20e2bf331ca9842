/**
 * `emboard erase` and `emboard flash` as library functions: they work on a board's `--flash` state file
 * through the same code as `emboard run` (src/core/flash-state.ts) and the chip's sector map.
 *
 * - erase: `all`, one `sector`, or `start`+`length` (rounded out to whole sectors, and the result says so).
 * - flash: erases the sectors the image touches, then programs it with NOR semantics (new = old AND data),
 *   which after the erase is the image itself; bytes of a touched sector outside the image read 0xFF, as
 *   after ST-LINK/DfuSe programming. `noErase` skips the erase: then only 1→0 bit changes happen, like a
 *   program operation on the chip without a prior erase.
 * Every check happens before the state file is written; a failed command leaves it byte-for-byte as it was.
 */
import { Machine } from '../core/machine.js';
import { UserError } from '../core/errors.js';
import { openFlashState, saveStores, storeFilePath, type FlashState } from '../core/flash-state.js';
import { checkImages, flashStore, loadImageArgs } from '../core/place-images.js';
import type { PersistentStore } from '../core/soc.js';
import type { ImageFormat } from '../image/image.js';
import { describeSectors, eraseSectors, programSegments, sectorSpan, sectorsOf, type StoreSegment } from './flash-ops.js';

/** Board used when `--board` is not given (both F411 boards have the same flash). */
export const DEFAULT_FLASH_BOARD = 'NUCLEO_F411RE';

interface Target {
  machine: Machine;
  state: FlashState;
  store: PersistentStore;
}

function openTarget(board: string | undefined, statePath: string): Target {
  const machine = new Machine({ board: board ?? DEFAULT_FLASH_BOARD });
  const store = flashStore(machine);
  if (store === undefined) throw new UserError(`board ${machine.board.name} has no internal flash to erase or program`);
  const state = openFlashState(statePath, machine.soc);
  return { machine, state, store };
}

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

export interface EraseOptions {
  flash: string;
  board?: string;
  all?: boolean;
  sector?: number;
  start?: number;
  length?: number;
}

/** Erases part of the state file's internal flash; returns the report lines. */
export function eraseFlash(o: EraseOptions): string[] {
  const modes = [o.all === true, o.sector !== undefined, o.start !== undefined || o.length !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UserError('erase: give exactly one of --all, --sector N, or --start ADDR --length N');
  if ((o.start === undefined) !== (o.length === undefined)) throw new UserError('erase: --start and --length go together');
  const { state, store } = openTarget(o.board, o.flash);
  const sectors = sectorsOf(store);
  const lines: string[] = [];
  let first: number;
  let last: number;
  if (o.all) {
    first = 0;
    last = sectors.length - 1;
  } else if (o.sector !== undefined) {
    if (!Number.isInteger(o.sector) || o.sector < 0 || o.sector >= sectors.length) {
      throw new UserError(`erase: --sector ${o.sector}: ${store.name} has sectors 0..${sectors.length - 1}`);
    }
    first = last = o.sector;
  } else {
    const base = store.base ?? 0;
    if (o.length! <= 0 || !Number.isInteger(o.length)) throw new UserError(`erase: --length must be a positive whole number of bytes, got ${o.length}`);
    const span = sectorSpan(store, o.start! - base, o.length!);
    first = span.first;
    last = span.last;
    if (span.rounded) {
      lines.push(`erase: ${hex(o.start!)}..${hex(o.start! + o.length! - 1)} rounded out to whole ${describeSectors(store, first, last)}`);
    }
  }
  eraseSectors(store, first, last);
  saveStores(state.path, [store]);
  lines.push(`erased ${describeSectors(store, first, last)} in ${storeFilePath(state.path, store.name)}`);
  return lines;
}

export interface FlashOptions {
  flash: string;
  board?: string;
  file: string;
  /** Load address of a raw binary (default: the flash base). */
  address?: number;
  format?: ImageFormat;
  /** Program without erasing first (NOR: bits only go 1 → 0). */
  noErase?: boolean;
}

/** Programs an image into the state file's internal flash; returns the report lines. */
export function flashImage(o: FlashOptions): string[] {
  const { machine, state, store } = openTarget(o.board, o.flash);
  const [img] = loadImageArgs(machine, [{ path: o.file }], { format: o.format, base: o.address });
  if (o.address !== undefined && img!.format !== 'bin') {
    throw new UserError(`${o.file}: --address is only for raw binaries (this ${img!.format} file carries its own addresses)`);
  }
  checkImages(machine, [img!]);
  const base = store.base ?? 0;
  const segs: StoreSegment[] = [];
  let bytes = 0;
  for (const s of img!.segments) {
    if (s.data.length === 0) continue;
    const lo = s.address >>> 0;
    if (lo < base || lo + s.data.length > base + store.size) {
      throw new UserError(`${o.file}: segment at ${hex(lo)} (${s.data.length} bytes) is not in ${store.name} (${hex(base)}..${hex(base + store.size - 1)})`);
    }
    segs.push({ offset: lo - base, data: s.data });
    bytes += s.data.length;
  }
  if (segs.length === 0) throw new UserError(`${o.file}: no data to program`);
  const erased = programSegments(store, segs, { erase: !o.noErase });
  saveStores(state.path, [store]);
  const lines: string[] = [];
  if (erased.length) lines.push(`erased ${runs(erased).map(([a, b]) => describeSectors(store, a, b)).join(', ')}`);
  const ranges = segs.map((s) => `${hex(base + s.offset)}..${hex(base + s.offset + s.data.length - 1)}`).join(', ');
  lines.push(`programmed ${bytes} bytes from ${o.file} at ${ranges} into ${storeFilePath(state.path, store.name)}${o.noErase ? ' (no erase: NOR AND with the old contents)' : ''}`);
  return lines;
}

/** [0,1,2,5] → [[0,2],[5,5]]. */
function runs(xs: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const x of xs) {
    const l = out[out.length - 1];
    if (l && l[1] === x - 1) l[1] = x;
    else out.push([x, x]);
  }
  return out;
}
