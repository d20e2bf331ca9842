/**
 * Erase and program operations on a non-volatile store (a `PersistentStore`: the F411's internal flash, a
 * SPI NOR flash) with the chip's rules, shared by `emboard erase`, `emboard flash` and the image loading of
 * `emboard run`:
 * - erase works on whole sectors (the store's sector map; a store without one is a single sector), so a
 *   range is rounded out to the sectors it touches;
 * - programming is NOR: new = old AND data (bits only go from 1 to 0), as the FLASH interface does;
 * - `programSegments` erases every sector the data touches first (what a programmer — ST-LINK, DfuSe —
 *   does), then programs; with `erase: false` it only programs, so unerased bits stay 0.
 */
import { UserError } from '../core/errors.js';
import type { PersistentStore } from '../core/soc.js';

export interface Sector {
  readonly offset: number;
  readonly size: number;
}

export function sectorsOf(store: PersistentStore): readonly Sector[] {
  return store.sectors ?? [{ offset: 0, size: store.size }];
}

export interface SectorSpan {
  /** First and last sector index touched. */
  readonly first: number;
  readonly last: number;
  /** The rounded range (store offsets). */
  readonly offset: number;
  readonly length: number;
  /** True when the rounded range is larger than the one asked for. */
  readonly rounded: boolean;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** Address of a store offset as users see it (bus address when mapped). */
export function addressOf(store: PersistentStore, offset: number): number {
  return (store.base ?? 0) + offset;
}

/** The sectors covering store bytes [offset, offset+length); UserError when the range leaves the store. */
export function sectorSpan(store: PersistentStore, offset: number, length: number): SectorSpan {
  if (length <= 0) throw new UserError(`erase length must be positive, got ${length}`);
  if (offset < 0 || offset + length > store.size) {
    const lo = addressOf(store, 0);
    throw new UserError(
      `${hex(addressOf(store, offset))}..${hex(addressOf(store, offset + length - 1))} is outside ${store.name} (${hex(lo)}..${hex(lo + store.size - 1)})`,
    );
  }
  const sectors = sectorsOf(store);
  const first = sectors.findIndex((s) => offset < s.offset + s.size);
  let last = first;
  while (sectors[last]!.offset + sectors[last]!.size < offset + length) last++;
  const start = sectors[first]!.offset;
  const end = sectors[last]!.offset + sectors[last]!.size;
  return { first, last, offset: start, length: end - start, rounded: start !== offset || end !== offset + length };
}

/** Erases sectors first..last (inclusive). */
export function eraseSectors(store: PersistentStore, first: number, last: number): void {
  const sectors = sectorsOf(store);
  if (!(first >= 0 && last < sectors.length && first <= last)) {
    throw new UserError(`${store.name} has sectors 0..${sectors.length - 1}, not ${first === last ? first : `${first}..${last}`}`);
  }
  const start = sectors[first]!.offset;
  const end = sectors[last]!.offset + sectors[last]!.size;
  store.bytes.fill(store.erasedValue, start, end);
  store.invalidate?.(start, end - start);
}

/** NOR programming of `data` at store offset `offset`: each byte becomes old AND new. */
export function programNor(store: PersistentStore, offset: number, data: Uint8Array): void {
  const b = store.bytes;
  for (let i = 0; i < data.length; i++) b[offset + i]! &= data[i]!;
  store.invalidate?.(offset, data.length);
}

export interface StoreSegment {
  /** Offset in the store. */
  readonly offset: number;
  readonly data: Uint8Array;
}

/**
 * Programs segments as a flash programmer does: erase the union of the touched sectors once, then program
 * every segment. Returns the erased sector indices (ascending). The caller has checked the ranges.
 */
export function programSegments(store: PersistentStore, segments: readonly StoreSegment[], opts: { erase?: boolean } = {}): number[] {
  const touched = new Set<number>();
  for (const s of segments) {
    if (s.data.length === 0) continue;
    const span = sectorSpan(store, s.offset, s.data.length);
    for (let i = span.first; i <= span.last; i++) touched.add(i);
  }
  const erased = [...touched].sort((a, b) => a - b);
  if (opts.erase !== false) for (const i of erased) eraseSectors(store, i, i);
  for (const s of segments) programNor(store, s.offset, s.data);
  return opts.erase !== false ? erased : [];
}

/** "sectors 0-4 (0x08000000..0x0801ffff)" for messages. */
export function describeSectors(store: PersistentStore, first: number, last: number): string {
  const sectors = sectorsOf(store);
  const start = sectors[first]!.offset;
  const end = sectors[last]!.offset + sectors[last]!.size;
  const which = first === last ? `sector ${first}` : `sectors ${first}-${last}`;
  return `${which} (${hex(addressOf(store, start))}..${hex(addressOf(store, end - 1))}, ${(end - start) / 1024} KiB)`;
}
