/**
 * The system bus: a 4 GiB address space split into 4 KiB pages, each page pointing at the region that
 * covers it entirely (fast path: RAM/ROM reads and RAM writes go straight to a DataView) or at nothing,
 * in which case the slow path searches the region list (MMIO devices, small regions, unmapped → BusError).
 *
 * Conventions (every caller relies on them):
 * - Addresses are taken modulo 2^32 (`addr >>> 0`); callers may pass signed int32 values.
 * - `read32` returns a signed int32 (`| 0`); `read16`/`read8` return zero-extended values.
 * - Multi-byte accesses are little-endian; unaligned ones are allowed here (alignment faults are the CPU's job).
 * - An access nothing answers throws `BusError`; the CPU turns that into a BusFault.
 *
 * Backing memory is a `Storage`; several regions may view one storage (aliases, e.g. flash at 0 and at
 * 0x08000000). A storage tracks which 256-byte blocks hold decoded code so writes invalidate the CPU's cache.
 */
import { BusError } from './errors.js';

export const PAGE_SHIFT = 12;
const PAGE_COUNT = 1 << (32 - PAGE_SHIFT);
/** Code-watch granularity: a write into a watched block drops cached decodes of that block. */
export const CODE_BLOCK_SHIFT = 8;

export const enum RegionKind {
  RAM = 0,
  ROM = 1,
  MMIO = 2,
}

/** The bus-facing side of a memory-mapped device. Offsets are relative to the region base. */
export interface MmioHandler {
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

/** Receives notice that bytes [offset, offset+length) of a storage changed while they held decoded code. */
export type CodeWriteListener = (offset: number, length: number) => void;

export class Storage {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** One flag per 256-byte block: set while some decode cache holds instructions from it. */
  readonly codeWatch: Uint8Array;
  private readonly listeners: CodeWriteListener[] = [];

  constructor(
    readonly size: number,
    fill = 0,
  ) {
    // 4 slack bytes so an unaligned access at the very end stays inside the buffer (reads see zeros).
    this.bytes = new Uint8Array(size + 4);
    if (fill) this.bytes.fill(fill, 0, size);
    this.view = new DataView(this.bytes.buffer);
    this.codeWatch = new Uint8Array((size >>> CODE_BLOCK_SHIFT) + 1);
  }

  onCodeWrite(listener: CodeWriteListener): void {
    this.listeners.push(listener);
  }

  /**
   * Called after any write into a watched block (and by anyone who modifies `bytes` directly).
   * A watched block stops being watched here, so listeners are told about the whole blocks (not just the
   * written bytes): every decode cached from them must go, or a later write there would go unnoticed.
   */
  invalidate(offset: number, length: number): void {
    const first = offset >>> CODE_BLOCK_SHIFT;
    const last = (offset + length - 1) >>> CODE_BLOCK_SHIFT;
    let lo = -1;
    let hi = -1;
    for (let b = first; b <= last && b < this.codeWatch.length; b++) {
      if (this.codeWatch[b]) {
        this.codeWatch[b] = 0;
        if (lo < 0) lo = b;
        hi = b;
      }
    }
    if (lo >= 0) {
      const start = lo << CODE_BLOCK_SHIFT;
      const end = (hi + 1) << CODE_BLOCK_SHIFT;
      for (const l of this.listeners) l(start, end - start);
    }
  }
}

export class Region {
  /** `base - storageOffset`: subtract from an address to get the storage offset. */
  readonly delta: number;
  constructor(
    readonly name: string,
    readonly kind: RegionKind,
    readonly base: number,
    readonly size: number,
    readonly storage: Storage | null,
    readonly storageOffset: number,
    readonly mmio: MmioHandler | null,
    /** ROM only: called for CPU writes (e.g. a flash controller in programming mode); absent → BusError. */
    readonly romWrite: ((offset: number, size: 1 | 2 | 4, value: number) => void) | null,
  ) {
    this.delta = base - storageOffset;
  }
  get end(): number {
    return this.base + this.size;
  }
  contains(addr: number): boolean {
    return addr >= this.base && addr < this.base + this.size;
  }
}

export interface RamOptions {
  fill?: number;
}

export class Bus {
  /** Page → region covering the whole page; undefined → slow path. */
  private readonly pages: (Region | undefined)[] = new Array<Region | undefined>(PAGE_COUNT);
  private readonly regions: Region[] = [];
  /** Page → every region touching it, for the slow path (MMIO, partial pages); undefined → unmapped. */
  private readonly slowPages: (Region[] | undefined)[] = new Array<Region[] | undefined>(PAGE_COUNT);
  /** Optional observer of slow-path (MMIO) accesses, for `--trace mmio`. */
  mmioTrace: ((region: Region, offset: number, size: number, write: boolean, value: number) => void) | null = null;

  // ---- building the map -------------------------------------------------------------------------

  /** Adds RAM backed by a new storage and returns that storage. */
  addRam(name: string, base: number, size: number, opts: RamOptions = {}): Storage {
    const st = new Storage(size, opts.fill ?? 0);
    this.add(new Region(name, RegionKind.RAM, base >>> 0, size, st, 0, null, null));
    return st;
  }

  /** Adds ROM (read-only to the CPU) backed by a new storage, e.g. flash; `romWrite` handles CPU writes. */
  addRom(
    name: string,
    base: number,
    size: number,
    fill = 0xff,
    romWrite: Region['romWrite'] = null,
  ): Storage {
    const st = new Storage(size, fill);
    this.add(new Region(name, RegionKind.ROM, base >>> 0, size, st, 0, null, romWrite));
    return st;
  }

  /** Maps an existing storage (or part of it) at another address: flash mirrored at 0, RAM aliases. */
  addAlias(name: string, base: number, target: Storage, offset: number, size: number, kind: RegionKind.RAM | RegionKind.ROM, romWrite: Region['romWrite'] = null): void {
    this.add(new Region(name, kind, base >>> 0, size, target, offset, null, romWrite));
  }

  /**
   * Re-points the RAM/ROM alias `name` at another storage at run time (STM32 SYSCFG_MEMRMP). The old
   * region is unmapped and retired (size 0, so a CPU still holding it looks the address up again), and
   * its storage range is invalidated, which drops every decode cached from it through the usual
   * code-write listeners.
   */
  remapAlias(name: string, target: Storage, offset: number, size: number, kind: RegionKind.RAM | RegionKind.ROM, romWrite: Region['romWrite'] = null): void {
    const i = this.regions.findIndex((r) => r.name === name);
    if (i < 0) throw new Error(`remapAlias: no region ${name}`);
    const old = this.regions[i]!;
    this.regions.splice(i, 1);
    for (let p = Math.floor(old.base / (1 << PAGE_SHIFT)); p < Math.ceil(old.end / (1 << PAGE_SHIFT)); p++) {
      if (this.pages[p] === old) this.pages[p] = undefined;
      const list = this.slowPages[p];
      if (list !== undefined) {
        const rest = list.filter((r) => r !== old);
        this.slowPages[p] = rest.length ? rest : undefined;
      }
    }
    const oldSize = old.size;
    (old as { size: number }).size = 0; // Region is immutable except for this retirement
    this.add(new Region(name, kind, old.base, size, target, offset, null, romWrite));
    old.storage?.invalidate(old.storageOffset, oldSize);
  }

  addMmio(name: string, base: number, size: number, handler: MmioHandler): void {
    this.add(new Region(name, RegionKind.MMIO, base >>> 0, size, null, 0, handler, null));
  }

  /**
   * Adds a Cortex-M bit-band alias: each word at `aliasBase + 4*(8*n + b)` reads/writes bit b of byte
   * `targetBase + n`. Accesses go through the bus, so they reach RAM and devices alike.
   */
  addBitBand(name: string, aliasBase: number, targetBase: number, targetSize: number): void {
    const handler: MmioHandler = {
      read: (offset, size) => {
        const byteAddr = targetBase + (offset >>> 5);
        const bit = (offset >>> 2) & 7;
        const v = this.read8(byteAddr);
        void size;
        return (v >>> bit) & 1;
      },
      write: (offset, size, value) => {
        const byteAddr = targetBase + (offset >>> 5);
        const bit = (offset >>> 2) & 7;
        // Read-modify-write with the alias access size, as the Cortex-M4 TRM describes.
        if (size === 4) {
          const wordAddr = byteAddr & ~3;
          const wbit = ((byteAddr & 3) << 3) + bit;
          const old = this.read32(wordAddr);
          this.write32(wordAddr, value & 1 ? old | (1 << wbit) : old & ~(1 << wbit));
        } else if (size === 2) {
          const hAddr = byteAddr & ~1;
          const hbit = ((byteAddr & 1) << 3) + bit;
          const old = this.read16(hAddr);
          this.write16(hAddr, value & 1 ? old | (1 << hbit) : old & ~(1 << hbit));
        } else {
          const old = this.read8(byteAddr);
          this.write8(byteAddr, value & 1 ? old | (1 << bit) : old & ~(1 << bit));
        }
      },
    };
    this.addMmio(name, aliasBase, targetSize * 32, handler);
  }

  private add(r: Region): void {
    for (const o of this.regions) {
      if (r.base < o.end && o.base < r.end) {
        throw new Error(`region ${r.name} [0x${r.base.toString(16)}..) overlaps ${o.name}`);
      }
    }
    this.regions.push(r);
    this.regions.sort((a, b) => a.base - b.base);
    for (let p = Math.floor(r.base / (1 << PAGE_SHIFT)); p < Math.ceil(r.end / (1 << PAGE_SHIFT)); p++) {
      (this.slowPages[p] ??= []).push(r);
    }
    if (r.kind === RegionKind.MMIO) return; // MMIO always takes the slow path
    const first = Math.ceil(r.base / (1 << PAGE_SHIFT));
    const last = Math.floor(r.end / (1 << PAGE_SHIFT)); // exclusive
    for (let p = first; p < last; p++) this.pages[p] = r;
  }

  /** The region containing `addr`, or undefined. */
  regionAt(addr: number): Region | undefined {
    addr >>>= 0;
    const fast = this.pages[addr >>> PAGE_SHIFT];
    if (fast !== undefined) return fast;
    const list = this.slowPages[addr >>> PAGE_SHIFT];
    if (list !== undefined) for (const r of list) if (addr >= r.base && addr < r.end) return r;
    return undefined;
  }

  allRegions(): readonly Region[] {
    return this.regions;
  }

  // ---- CPU accesses -----------------------------------------------------------------------------

  read32(addr: number): number {
    const r = this.pages[addr >>> PAGE_SHIFT];
    if (r !== undefined) return r.storage!.view.getInt32((addr >>> 0) - r.delta, true);
    return this.slowRead(addr >>> 0, 4) | 0;
  }

  read16(addr: number): number {
    const r = this.pages[addr >>> PAGE_SHIFT];
    if (r !== undefined) return r.storage!.view.getUint16((addr >>> 0) - r.delta, true);
    return this.slowRead(addr >>> 0, 2) & 0xffff;
  }

  read8(addr: number): number {
    const r = this.pages[addr >>> PAGE_SHIFT];
    if (r !== undefined) return r.storage!.bytes[(addr >>> 0) - r.delta]!;
    return this.slowRead(addr >>> 0, 1) & 0xff;
  }

  write32(addr: number, value: number): void {
    const r = this.pages[addr >>> PAGE_SHIFT];
    if (r !== undefined && r.kind === RegionKind.RAM) {
      const st = r.storage!;
      const off = (addr >>> 0) - r.delta;
      st.view.setInt32(off, value, true);
      if (st.codeWatch[off >>> CODE_BLOCK_SHIFT] || st.codeWatch[(off + 3) >>> CODE_BLOCK_SHIFT]) st.invalidate(off, 4);
      return;
    }
    this.slowWrite(addr >>> 0, 4, value);
  }

  write16(addr: number, value: number): void {
    const r = this.pages[addr >>> PAGE_SHIFT];
    if (r !== undefined && r.kind === RegionKind.RAM) {
      const st = r.storage!;
      const off = (addr >>> 0) - r.delta;
      st.view.setUint16(off, value, true);
      if (st.codeWatch[off >>> CODE_BLOCK_SHIFT] || st.codeWatch[(off + 1) >>> CODE_BLOCK_SHIFT]) st.invalidate(off, 2);
      return;
    }
    this.slowWrite(addr >>> 0, 2, value & 0xffff);
  }

  write8(addr: number, value: number): void {
    const r = this.pages[addr >>> PAGE_SHIFT];
    if (r !== undefined && r.kind === RegionKind.RAM) {
      const st = r.storage!;
      const off = (addr >>> 0) - r.delta;
      st.bytes[off] = value;
      if (st.codeWatch[off >>> CODE_BLOCK_SHIFT]) st.invalidate(off, 1);
      return;
    }
    this.slowWrite(addr >>> 0, 1, value & 0xff);
  }

  private find(addr: number, size: number): Region | undefined {
    const list = this.slowPages[addr >>> PAGE_SHIFT];
    if (list === undefined) return undefined;
    for (const r of list) {
      if (addr >= r.base && addr + size <= r.end) return r;
    }
    return undefined;
  }

  private slowRead(addr: number, size: 1 | 2 | 4): number {
    const r = this.find(addr, size);
    if (r === undefined) throw new BusError(addr, false, size);
    const off = addr - r.base;
    if (r.kind === RegionKind.MMIO) {
      const v = r.mmio!.read(off, size);
      if (this.mmioTrace) this.mmioTrace(r, off, size, false, v);
      return v;
    }
    const so = addr - r.delta;
    const view = r.storage!.view;
    return size === 4 ? view.getInt32(so, true) : size === 2 ? view.getUint16(so, true) : view.getUint8(so);
  }

  private slowWrite(addr: number, size: 1 | 2 | 4, value: number): void {
    const r = this.find(addr, size);
    if (r === undefined) throw new BusError(addr, true, size);
    const off = addr - r.base;
    if (r.kind === RegionKind.MMIO) {
      if (this.mmioTrace) this.mmioTrace(r, off, size, true, value);
      r.mmio!.write(off, size, size === 4 ? value >>> 0 : value);
      return;
    }
    if (r.kind === RegionKind.ROM) {
      if (r.romWrite === null) throw new BusError(addr, true, size);
      r.romWrite(addr - r.delta, size, size === 4 ? value >>> 0 : value);
      return;
    }
    const st = r.storage!;
    const so = addr - r.delta;
    if (size === 4) st.view.setInt32(so, value, true);
    else if (size === 2) st.view.setUint16(so, value, true);
    else st.view.setUint8(so, value);
    st.invalidate(so, size);
  }

  // ---- debug/loader accesses (no side effects on devices' state machines beyond plain reads) ------

  /** Copies `data` into memory at `addr`, ROM included (loaders, flash state files). Throws BusError if unmapped. */
  load(addr: number, data: Uint8Array): void {
    let i = 0;
    addr >>>= 0;
    while (i < data.length) {
      const a = addr + i;
      const r = this.regionAt(a);
      if (r === undefined || r.storage === null) throw new BusError(a, true, 1);
      const so = a - r.delta;
      const n = Math.min(data.length - i, r.end - a);
      r.storage.bytes.set(data.subarray(i, i + n), so);
      r.storage.invalidate(so, n);
      i += n;
    }
  }

  /** Reads `length` bytes through the bus (devices included) for debuggers and tests. */
  readBytes(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.read8(addr + i);
    return out;
  }
}
