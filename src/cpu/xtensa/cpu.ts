/**
 * The Xtensa LX6 core as configured on the ESP32: windowed AR file, special registers, the
 * fetch/decode-cache/execute loop, zero-overhead loops and exception delivery.
 *
 * State conventions every instruction module relies on:
 * - `ar` is the current window a0..a15 (an Int32Array: int32 values, `>>> 0` where unsigned meaning matters).
 *   The 64 physical registers live in `phys`; `ar` is copied back and reloaded whenever WINDOWBASE changes
 *   (ENTRY, RETW, ROTW, window exceptions, WSR), which is far rarer than register accesses.
 * - While an instruction executes, `pc` is its address and `nextPc` the sequential next address; branches
 *   set `nextPc`. Executors add data-dependent cycles (taken branches) to `cycles` themselves.
 * - Exceptions are thrown as `XtensaException` (or the bus's `BusError`) before any architectural state is
 *   written, and delivered in `run`. Window overflow is checked before an instruction runs (its `wgroup`).
 */
import { Bus, CODE_BLOCK_SHIFT, Region, RegionKind, type Storage } from '../../core/bus.js';
import { BusError } from '../../core/errors.js';
import type { XtDecoded } from './decoded.js';
import { decode, instructionSize } from './decoder.js';
import { XtensaException } from './exceptions.js';
import {
  Cause, PS_CALLINC, PS_EXCM, PS_MASK, PS_OWB, PS_OWB_SHIFT, PS_UM, PS_WOE, RESET_PS, RESET_VECBASE, RESET_VECTOR,
  SR, UR, Vec,
} from './sr.js';

export type XtStopReason = 'breakpoint' | 'instruction-limit' | 'user' | 'halt';

/** Values the ESP32 reports in read-only configuration registers (PRID: PRO_CPU 0xCDCD, APP_CPU 0xABAB). */
export interface XtensaConfig {
  prid?: number;
  /** Reset vector (ESP32: 0x40000400 in the internal ROM). */
  resetVector?: number;
}

export class XtensaCpu {
  // ---- architectural state -------------------------------------------------------------------
  /** The 64 physical address registers (valid for the current window only after `syncWindow`). */
  readonly phys = new Int32Array(64);
  /** The current window, a0..a15. */
  readonly ar = new Int32Array(16);
  windowBase = 0;
  /** WINDOWSTART, 16 bits (one per 4-register group). */
  windowStart = 1;
  pc = 0;
  nextPc = 0;
  /** SAR: shift amount, 6 bits. */
  sar = 0;
  ps = RESET_PS;
  lbeg = 0;
  lend = 0;
  lcount = 0;
  /** Every other special register, by number (EPCn, EPSn, EXCSAVEn, EXCCAUSE, VECBASE, SCOMPARE1, …). */
  readonly sr = new Int32Array(256);
  threadptr = 0;

  // ---- execution bookkeeping -----------------------------------------------------------------
  cycles = 0;
  instructions = 0;
  runUntil = 0;
  instructionLimit = Infinity;
  /** WAITI: the run loop returns; the machine fast-forwards to the next event (interrupts: next session). */
  sleeping = false;
  stopReason: XtStopReason | null = null;
  /** CCOUNT = cycles + ccountOffset (WSR CCOUNT moves the offset). */
  private ccountOffset = 0;
  readonly config: Required<XtensaConfig>;

  // ---- decode cache: one array per code region, indexed by byte offset (instructions are 2 or 3 bytes) ----
  private readonly caches = new Map<Region, (XtDecoded | undefined)[]>();
  private codeRegion: Region | null = null;
  private codeBase = 0;
  private codeSize = 0;
  private codeCache: (XtDecoded | undefined)[] = [];

  constructor(
    readonly bus: Bus,
    config: XtensaConfig = {},
  ) {
    this.config = { prid: config.prid ?? 0xcdcd, resetVector: config.resetVector ?? RESET_VECTOR };
    this.reset();
  }

  reset(): void {
    this.phys.fill(0);
    this.ar.fill(0);
    this.sr.fill(0);
    this.windowBase = 0;
    this.windowStart = 1;
    this.sar = 0;
    this.ps = RESET_PS;
    this.lbeg = this.lend = this.lcount = 0;
    this.threadptr = 0;
    this.sr[SR.VECBASE] = RESET_VECBASE;
    this.sr[SR.ATOMCTL] = 0x28;
    this.sr[SR.PRID] = this.config.prid;
    this.ccountOffset = -this.cycles;
    this.pc = this.nextPc = this.config.resetVector >>> 0;
    this.sleeping = false;
    this.stopReason = null;
  }

  // ---- run loop ------------------------------------------------------------------------------

  /** Runs until `cycles >= untilCycle`, a stop reason, WAITI, or the instruction limit. Only host bugs escape. */
  run(untilCycle: number): void {
    this.runUntil = untilCycle;
    while (this.cycles < this.runUntil && this.stopReason === null && this.instructions < this.instructionLimit && !this.sleeping) {
      try {
        this.runInner();
        return;
      } catch (e) {
        this.deliver(e);
      }
    }
  }

  private runInner(): void {
    while (this.cycles < this.runUntil && this.instructions < this.instructionLimit && !this.sleeping) {
      const pc = this.pc;
      const off = (pc - this.codeBase) >>> 0;
      let d = off < this.codeSize ? this.codeCache[off] : undefined;
      if (d === undefined) d = this.fetchDecode(pc);
      if (d.wgroup !== 0 && (this.ps & (PS_WOE | PS_EXCM)) === PS_WOE && this.windowCheck(d.wgroup)) {
        // Window overflow taken instead of the instruction: counts as one step, like any exception entry.
        this.cycles++;
        this.instructions++;
        continue;
      }
      const seq = (pc + d.size) >>> 0;
      this.nextPc = seq;
      d.exec(this, d);
      this.cycles += d.cycles;
      this.instructions++;
      let np = this.nextPc;
      if (np === seq && seq === this.lend && this.lcount !== 0 && (this.ps & PS_EXCM) === 0) {
        this.lcount = (this.lcount - 1) >>> 0;
        np = this.lbeg;
      }
      this.pc = np;
    }
  }

  /** Executes exactly one instruction (or takes the exception it raises). For tests and debuggers. */
  step(): void {
    const limit = this.instructionLimit;
    this.instructionLimit = this.instructions + 1;
    const saved = this.runUntil;
    try {
      this.run(Infinity);
    } finally {
      this.instructionLimit = limit;
      this.runUntil = saved;
    }
  }

  /**
   * Takes a thrown exception. Entry counts as one step (cycle and instruction) so that a fault loop
   * (e.g. an unmapped vector) still reaches the batch end and the instruction limit.
   */
  private deliver(e: unknown): void {
    this.cycles++;
    this.instructions++;
    if (e instanceof XtensaException) this.exception(e.cause, e.vaddr);
    else if (e instanceof BusError) this.exception(e.write ? Cause.StoreProhibited : Cause.LoadProhibited, e.address);
    else throw e;
  }

  /**
   * General exception entry (ISA "Exception Semantics"): with PS.EXCM clear, EPC1 ← PC, PS.EXCM ← 1 and the
   * kernel or user vector (by PS.UM); with PS.EXCM set, a double exception (DEPC ← PC).
   */
  exception(cause: number, vaddr: number | null = null): void {
    this.sr[SR.EXCCAUSE] = cause;
    if (vaddr !== null) this.sr[SR.EXCVADDR] = vaddr;
    const vecbase = this.sr[SR.VECBASE]! >>> 0;
    if ((this.ps & PS_EXCM) !== 0) {
      this.sr[SR.DEPC] = this.pc;
      this.pc = (vecbase + Vec.DoubleException) >>> 0;
      return;
    }
    this.sr[SR.EPC1] = this.pc;
    const vec = (this.ps & PS_UM) !== 0 ? Vec.User : Vec.Kernel;
    this.ps |= PS_EXCM;
    this.pc = (vecbase + vec) >>> 0;
  }

  // ---- windowed registers ----------------------------------------------------------------------

  /** Copies the current window back into `phys` (before reading `phys` from outside). */
  syncWindow(): void {
    const base = this.windowBase * 4;
    for (let i = 0; i < 16; i++) this.phys[(base + i) & 63] = this.ar[i]!;
  }

  /** Rotates to window base `wb` (mod 16): the old window goes back to `phys`, the new one is loaded. */
  setWindowBase(wb: number): void {
    this.syncWindow();
    this.windowBase = wb & 15;
    const base = this.windowBase * 4;
    for (let i = 0; i < 16; i++) this.ar[i] = this.phys[(base + i) & 63]!;
  }

  /** WINDOWSTART rotated so bit 0 is the group just above WINDOWBASE. */
  private wsAbove(): number {
    const ws = this.windowStart;
    return ((ws | (ws << 16)) >>> (this.windowBase + 1)) & 0xffff;
  }

  /**
   * WindowCheck before an instruction using registers up to group `g` (1..3): when a live frame's
   * registers are in the way, raise the window overflow exception for the nearest such frame. Its kind
   * (4, 8 or 12) is the distance from that frame to the next frame above it. True when raised.
   */
  windowCheck(g: number): boolean {
    const above = this.wsAbove();
    if ((above & ((1 << g) - 1)) === 0) return false;
    const n = 31 - Math.clz32(above & -above) + 1; // groups up to the frame to spill
    const beyond = above >>> n;
    const gap = beyond === 0 ? 3 : 31 - Math.clz32(beyond & -beyond);
    const vec = gap === 0 ? Vec.WindowOverflow4 : gap === 1 ? Vec.WindowOverflow8 : Vec.WindowOverflow12;
    this.ps = (this.ps & ~PS_OWB) | (this.windowBase << PS_OWB_SHIFT) | PS_EXCM;
    this.sr[SR.EPC1] = this.pc;
    this.setWindowBase(this.windowBase + n);
    this.pc = ((this.sr[SR.VECBASE]! >>> 0) + vec) >>> 0;
    return true;
  }

  /** CALLn/CALLXn linkage: a(4n) ← n:return address[29:0], PS.CALLINC ← n. */
  windowedCall(n: number, target: number): void {
    this.ar[n * 4] = ((n << 30) | (this.nextPc & 0x3fffffff)) | 0;
    this.ps = (this.ps & ~PS_CALLINC) | (n << 16);
    this.nextPc = target >>> 0;
  }

  /** RETW / RETW.N (ISA pseudo-code): rotate back by a0[31:30], or raise WindowUnderflow4/8/12. */
  retw(): void {
    const a0 = this.ar[0]!;
    const n = (a0 >>> 30) & 3;
    const wb = this.windowBase;
    const ws = this.windowStart;
    const m = (ws >>> ((wb - 1) & 15)) & 1 ? 1 : (ws >>> ((wb - 2) & 15)) & 1 ? 2 : (ws >>> ((wb - 3) & 15)) & 1 ? 3 : 0;
    if (n === 0 || (m !== 0 && m !== n) || (this.ps & (PS_WOE | PS_EXCM)) !== PS_WOE) {
      // Undefined in the ISA; this configuration raises IllegalInstruction.
      throw new XtensaException(Cause.IllegalInstruction);
    }
    const target = ((this.pc & 0xc0000000) | (a0 & 0x3fffffff)) >>> 0;
    this.setWindowBase(wb - n);
    if ((this.windowStart >>> this.windowBase) & 1) {
      this.windowStart &= ~(1 << wb);
      this.nextPc = target;
      return;
    }
    this.ps = (this.ps & ~PS_OWB) | (wb << PS_OWB_SHIFT) | PS_EXCM;
    this.sr[SR.EPC1] = this.pc;
    const vec = n === 1 ? Vec.WindowUnderflow4 : n === 2 ? Vec.WindowUnderflow8 : Vec.WindowUnderflow12;
    this.nextPc = ((this.sr[SR.VECBASE]! >>> 0) + vec) >>> 0;
  }

  // ---- special registers ---------------------------------------------------------------------

  readSR(n: number): number {
    switch (n) {
      case SR.LBEG: return this.lbeg | 0;
      case SR.LEND: return this.lend | 0;
      case SR.LCOUNT: return this.lcount | 0;
      case SR.SAR: return this.sar;
      case SR.WINDOWBASE: return this.windowBase;
      case SR.WINDOWSTART: return this.windowStart;
      case SR.PS: return this.ps;
      case SR.CCOUNT: return (this.cycles + this.ccountOffset) | 0;
      case SR.INTCLEAR: return 0;
      default: return this.sr[n]!;
    }
  }

  writeSR(n: number, v: number): void {
    switch (n) {
      case SR.LBEG: this.lbeg = v >>> 0; break;
      case SR.LEND: this.lend = v >>> 0; break;
      case SR.LCOUNT: this.lcount = v >>> 0; break;
      case SR.SAR: this.sar = v & 63; break;
      case SR.WINDOWBASE: this.setWindowBase(v & 15); break;
      case SR.WINDOWSTART: this.windowStart = v & 0xffff; break;
      case SR.PS: this.ps = v & PS_MASK; break;
      case SR.CCOUNT: this.ccountOffset = (v >>> 0) - this.cycles; break;
      case SR.INTERRUPT: this.sr[SR.INTERRUPT] |= v; break; // INTSET (software interrupts: next session)
      case SR.INTCLEAR: this.sr[SR.INTERRUPT] &= ~v; break;
      case SR.VECBASE: this.sr[n] = v & ~0x3ff; break;
      case SR.PRID: case SR.CONFIGID0: case SR.CONFIGID1: break; // read-only
      default: this.sr[n] = v;
    }
  }

  readUR(n: number): number {
    if (n === UR.THREADPTR) return this.threadptr;
    throw new XtensaException(Cause.IllegalInstruction);
  }

  writeUR(n: number, v: number): void {
    if (n === UR.THREADPTR) this.threadptr = v | 0;
    else throw new XtensaException(Cause.IllegalInstruction);
  }

  requestStop(reason: XtStopReason): void {
    this.stopReason = reason;
    this.runUntil = 0;
  }

  // ---- memory helpers for executors (alignment per the ESP32's unaligned-exception option) ----

  load32(addr: number): number {
    if (addr & 3) throw new XtensaException(Cause.LoadStoreAlignment, addr >>> 0);
    return this.bus.read32(addr);
  }
  load16(addr: number): number {
    if (addr & 1) throw new XtensaException(Cause.LoadStoreAlignment, addr >>> 0);
    return this.bus.read16(addr);
  }
  store32(addr: number, v: number): void {
    if (addr & 3) throw new XtensaException(Cause.LoadStoreAlignment, addr >>> 0);
    this.bus.write32(addr, v);
  }
  store16(addr: number, v: number): void {
    if (addr & 1) throw new XtensaException(Cause.LoadStoreAlignment, addr >>> 0);
    this.bus.write16(addr, v);
  }

  // ---- fetch and decode cache --------------------------------------------------------------------

  private fetchDecode(pc: number): XtDecoded {
    let region = this.codeRegion;
    if (region === null || !region.contains(pc)) {
      const r = this.bus.regionAt(pc);
      if (r === undefined || r.kind === RegionKind.MMIO) throw new XtensaException(Cause.InstFetchProhibited, pc);
      region = r;
      let cache = this.caches.get(r);
      if (cache === undefined) {
        cache = new Array<XtDecoded | undefined>(r.size);
        this.caches.set(r, cache);
        this.watchStorage(r);
      }
      this.codeRegion = r;
      this.codeBase = r.base;
      this.codeSize = r.size;
      this.codeCache = cache;
    }
    const st = region.storage!;
    const so = pc - region.delta;
    const b0 = st.bytes[so]!;
    const size = instructionSize(b0);
    let raw: number;
    if (pc + size <= region.end) {
      raw = b0 | (st.bytes[so + 1]! << 8) | (size === 3 ? st.bytes[so + 2]! << 16 : 0);
    } else {
      // Straddles the region end: the rest comes through the bus (may fault like a fetch).
      raw = b0;
      for (let i = 1; i < size; i++) {
        try {
          raw |= this.bus.read8(pc + i) << (8 * i);
        } catch {
          throw new XtensaException(Cause.InstFetchProhibited, (pc + i) >>> 0);
        }
      }
    }
    const d = decode(raw, size, pc);
    st.codeWatch[so >>> CODE_BLOCK_SHIFT] = 1;
    st.codeWatch[(so + size - 1) >>> CODE_BLOCK_SHIFT] = 1;
    this.codeCache[pc - region.base] = d;
    return d;
  }

  private watchStorage(r: Region): void {
    const st: Storage = r.storage!;
    st.onCodeWrite((offset, length) => {
      for (const [region, cache] of this.caches) {
        if (region.storage !== st) continue;
        // An instruction starting up to 2 bytes before the write also covers it.
        const from = Math.max(0, offset - region.storageOffset - 2);
        const to = Math.min(cache.length, offset - region.storageOffset + length);
        for (let i = from; i < to; i++) cache[i] = undefined;
      }
    });
  }

  /** The decoded instruction at `pc` (through the cache), for traces and tests. */
  decodedAt(pc: number): XtDecoded {
    const off = (pc - this.codeBase) >>> 0;
    return (off < this.codeSize ? this.codeCache[off] : undefined) ?? this.fetchDecode(pc);
  }

  flushDecodeCache(): void {
    for (const cache of this.caches.values()) cache.fill(undefined);
  }
}
