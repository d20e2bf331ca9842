/**
 * The translating engine: runs translated basic blocks, falling back to the interpreter's `step()` for
 * cold code, IT blocks, the MPU fetch check, and the tail of a batch where a whole block might overrun the
 * cycle or instruction budget (so limits stay exactly where the interpreter puts them).
 *
 * Blocks are cached per code region, indexed by halfword like the decode cache, and translated once their
 * start address has been reached HOT_THRESHOLD times. Writes into code memory reach `invalidate` through the
 * same Storage code-watch notification the decode cache uses.
 */
import { RegionKind, type Region, type Storage } from '../../../core/bus.js';
import type { CortexM4 } from '../cpu.js';
import type { DecodedInsn } from '../decoded.js';
import { endsBlock, isIT } from './classify.js';
import { translateBlock, type TranslatedBlock } from './translate.js';

/** Block entries seen before translating (cold code is interpreted). */
export const HOT_THRESHOLD = 8;
/** Longest block, in instructions. */
export const MAX_BLOCK = 48;
const MAX_BLOCK_BYTES = MAX_BLOCK * 4;

/** Marks an address where no block can start (IT, undecodable): interpret it. */
const NO_BLOCK: TranslatedBlock = { fn: () => undefined, n: 0, cycleBound: Infinity };

interface RegionCache {
  region: Region;
  blocks: (TranslatedBlock | undefined)[];
  counts: Uint8Array;
}

export class JitEngine {
  private readonly regions = new Map<Region, RegionCache>();
  private base = 0;
  private size = 0;
  private blocks: (TranslatedBlock | undefined)[] = [];
  private counts: Uint8Array = new Uint8Array(0);
  /** Blocks translated so far (statistics for tests and benchmarks). */
  translated = 0;

  constructor(private readonly cpu: CortexM4) {}

  /** The JIT counterpart of the interpreter's inner loop (same exit conditions). */
  run(): void {
    const cpu = this.cpu;
    while (cpu.cycles < cpu.runUntil && cpu.instructions < cpu.instructionLimit && !cpu.sleeping) {
      if (cpu.irqCheck && cpu.serviceIrqCheck()) return;
      if (cpu.itstate !== 0 || cpu.fetchCheck !== null) {
        cpu.step();
        continue;
      }
      const pc = cpu.pc;
      let off = (pc - this.base) >>> 0;
      if (off >= this.size) {
        if (!this.selectRegion(pc)) {
          cpu.step();
          continue;
        }
        off = (pc - this.base) >>> 0;
      }
      const idx = off >>> 1;
      let b = this.blocks[idx];
      if (b === undefined) {
        if (++this.counts[idx]! < HOT_THRESHOLD) {
          cpu.step();
          continue;
        }
        b = this.translate(pc);
        this.blocks[idx] = b;
      }
      if (b.n === 0 || cpu.cycles + b.cycleBound >= cpu.runUntil || cpu.instructions + b.n > cpu.instructionLimit) {
        cpu.step();
        continue;
      }
      b.fn(cpu);
    }
  }

  /** Drops blocks that may include bytes [offset, offset+length) of `st` (a block starts at most MAX_BLOCK_BYTES earlier). */
  invalidate(st: Storage, offset: number, length: number): void {
    this.forgetSelection();
    for (const rc of this.regions.values()) {
      const r = rc.region;
      if (r.storage !== st) continue;
      const from = Math.max(0, (offset - r.storageOffset - MAX_BLOCK_BYTES) >> 1);
      const to = Math.min(rc.blocks.length, (offset - r.storageOffset + length + 1) >> 1);
      for (let i = from; i < to; i++) {
        rc.blocks[i] = undefined;
        rc.counts[i] = 0;
      }
    }
  }

  /** Drops every block. */
  flush(): void {
    this.forgetSelection();
    for (const rc of this.regions.values()) {
      rc.blocks.fill(undefined);
      rc.counts.fill(0);
    }
  }

  /**
   * Makes the next block lookup select its region again, and forgets regions the bus has retired. A memory
   * remap (Bus.remapAlias) retires the alias region and invalidates its storage; without this the cached
   * base/size/blocks of the retired region stayed selected, so blocks translated from the new mapping were
   * filed under the old region's storage and writes to the new storage never dropped them.
   */
  private forgetSelection(): void {
    this.size = 0;
    for (const r of this.regions.keys()) if (r.size === 0) this.regions.delete(r);
  }

  private selectRegion(pc: number): boolean {
    const r = this.cpu.bus.regionAt(pc);
    if (r === undefined || r.kind === RegionKind.MMIO || r.storage === null || pc >= 0xe0000000) return false;
    let rc = this.regions.get(r);
    if (rc === undefined) {
      rc = { region: r, blocks: new Array<TranslatedBlock | undefined>(r.size >>> 1), counts: new Uint8Array(r.size >>> 1) };
      this.regions.set(r, rc);
    }
    this.base = r.base;
    this.size = r.size;
    this.blocks = rc.blocks;
    this.counts = rc.counts;
    return true;
  }

  /** Collects the block starting at `pc` (within the current region) and translates it. */
  private translate(pc: number): TranslatedBlock {
    const addrs: number[] = [];
    const insns: DecodedInsn[] = [];
    let a = pc;
    while (insns.length < MAX_BLOCK && ((a - this.base) >>> 0) < this.size) {
      let d: DecodedInsn;
      try {
        d = this.cpu.decodedAt(a);
      } catch {
        break; // not fetchable: the interpreter raises the fault when it gets there
      }
      if (isIT(d.raw, d.size)) break;
      addrs.push(a);
      insns.push(d);
      if (endsBlock(d.raw, d.size)) break;
      a = (a + d.size) >>> 0;
    }
    if (insns.length === 0) return NO_BLOCK;
    this.translated++;
    return translateBlock(addrs, insns);
  }
}
