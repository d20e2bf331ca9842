/**
 * STM32F411 DMA1/DMA2 (RM0383 §9): LISR, HISR, LIFCR, HIFCR and 8 streams × (CR, NDTR, PAR, M0AR, M1AR, FCR).
 *
 * - Each stream serves the request of the channel CHSEL selects (request lines come from peripherals
 *   through `requestLine(stream, channel)`, mapped by `STM32F411_DMA_REQUESTS`, RM0383 tables 27/28).
 * - Peripheral-to-memory and memory-to-peripheral: every service of an active request moves one
 *   peripheral-size item (single transfers; bursts are not modelled) a few cycles (`SERVICE_CYCLES`) after
 *   the request rises, and again while it stays high. The FIFO packs/unpacks between PSIZE and MSIZE
 *   (direct mode forces MSIZE = PSIZE). NDTR counts peripheral-size items and decrements live.
 * - Memory-to-memory (DMA2 only; DMA1 has no bus-matrix path for it → TEIF): PAR is the source, M0AR the
 *   destination; items move in chunks of up to `M2M_CHUNK` at `M2M_CYCLES_PER_ITEM` cycles per item (a
 *   chunk lands at its end), split at the half-way point so HTIF comes exactly when half is done; NDTR
 *   counts down chunk by chunk.
 * - HTIF when half the items are done, TCIF at the end; circular mode reloads NDTR and the addresses;
 *   double-buffer mode (DBM, implies circular) toggles CT and switches between M0AR and M1AR. Without
 *   either, the stream disables itself (EN=0). Clearing EN during a transfer stops it and sets TCIF.
 * - TEIF + EN=0 on a bus error, on a DMA1 peripheral address outside APB1 (DMA1's peripheral port only
 *   reaches APB1), and for a DIR of 11. DMEIF/FEIF are never set (FIFO thresholds and burst/FIFO
 *   configuration errors are not checked); FCR.FS reads "empty" (100) unless a packing byte waits.
 * - One NVIC line per stream: (TCIF·TCIE | HTIF·HTIE | TEIF·TEIE | DMEIF·DMEIE | FEIF·FEIE).
 * - Registers of an enabled stream are write-protected except CR's EN and interrupt enables (and M0AR/M1AR
 *   of the buffer not in use in double-buffer mode), as RM0383 §9.5 says.
 */
import { BusError } from '../../core/errors.js';
import { RegisterBank, type RegisterSpec } from '../../core/registers.js';
import type { ScheduledEvent } from '../../core/scheduler.js';
import { warnUnmapped, type IrqOutput, type Stm32DeviceContext } from './device-context.js';

export const DMA_CR = {
  EN: 1 << 0,
  DMEIE: 1 << 1,
  TEIE: 1 << 2,
  HTIE: 1 << 3,
  TCIE: 1 << 4,
  PFCTRL: 1 << 5,
  DIR_SHIFT: 6,
  CIRC: 1 << 8,
  PINC: 1 << 9,
  MINC: 1 << 10,
  PSIZE_SHIFT: 11,
  MSIZE_SHIFT: 13,
  PINCOS: 1 << 15,
  PL_SHIFT: 16,
  DBM: 1 << 18,
  CT: 1 << 19,
  CHSEL_SHIFT: 25,
} as const;

/** Flag bits of one stream inside its 6-bit LISR/HISR field. */
export const DMA_FLAG = { FEIF: 1 << 0, DMEIF: 1 << 2, TEIF: 1 << 3, HTIF: 1 << 4, TCIF: 1 << 5 } as const;
/** Position of stream (n mod 4)'s field in LISR/HISR. */
const FIELD_SHIFT = [0, 6, 16, 22] as const;

/** Cycles between a request and the transfer it causes (arbitration + AHB access). */
export const SERVICE_CYCLES = 4;
/** Memory-to-memory: cycles per item (a read and a write on the AHB). */
export const M2M_CYCLES_PER_ITEM = 2;
/** Memory-to-memory: items moved per scheduler event. */
export const M2M_CHUNK = 16;

export interface DmaConfig {
  name: string;
  base: number;
  /** NVIC number of streams 0–7. */
  irqs: readonly number[];
  /** AHB1ENR/AHB1RSTR bit. */
  rccBit: number;
  /** DMA2 can do memory-to-memory and reach every peripheral; DMA1's peripheral port only reaches APB1. */
  dual: boolean;
}

export const STM32F411_DMAS: readonly DmaConfig[] = [
  { name: 'dma1', base: 0x40026000, irqs: [11, 12, 13, 14, 15, 16, 17, 47], rccBit: 21, dual: false },
  { name: 'dma2', base: 0x40026400, irqs: [56, 57, 58, 59, 60, 68, 69, 70], rccBit: 22, dual: true },
];

/**
 * Request mapping of the SPI, USART, I2C and ADC1 lines (RM0383 table 27 for DMA1, table 28 for DMA2):
 * [dma, stream, channel, source]; sources are `<peripheral>_tx` / `<peripheral>_rx` (ADC1's one request
 * is `adc1_rx`). The I2C rows are the STM32F4 family's (RM0090 has the same); the F411's extra alternatives
 * for I2C3 are not listed.
 */
export const STM32F411_DMA_REQUESTS: readonly (readonly [string, number, number, string])[] = [
  ['dma1', 0, 0, 'spi3_rx'],
  ['dma1', 2, 0, 'spi3_rx'],
  ['dma1', 3, 0, 'spi2_rx'],
  ['dma1', 4, 0, 'spi2_tx'],
  ['dma1', 5, 0, 'spi3_tx'],
  ['dma1', 7, 0, 'spi3_tx'],
  ['dma1', 5, 4, 'usart2_rx'],
  ['dma1', 6, 4, 'usart2_tx'],
  ['dma1', 7, 6, 'usart2_rx'],
  ['dma1', 0, 1, 'i2c1_rx'],
  ['dma1', 5, 1, 'i2c1_rx'],
  ['dma1', 6, 1, 'i2c1_tx'],
  ['dma1', 7, 1, 'i2c1_tx'],
  ['dma1', 2, 7, 'i2c2_rx'],
  ['dma1', 3, 7, 'i2c2_rx'],
  ['dma1', 7, 7, 'i2c2_tx'],
  ['dma1', 2, 3, 'i2c3_rx'],
  ['dma1', 4, 3, 'i2c3_tx'],
  ['dma2', 0, 0, 'adc1_rx'],
  ['dma2', 4, 0, 'adc1_rx'],
  ['dma2', 0, 3, 'spi1_rx'],
  ['dma2', 2, 3, 'spi1_rx'],
  ['dma2', 3, 3, 'spi1_tx'],
  ['dma2', 5, 3, 'spi1_tx'],
  ['dma2', 0, 4, 'spi4_rx'],
  ['dma2', 1, 4, 'spi4_tx'],
  ['dma2', 3, 5, 'spi4_rx'],
  ['dma2', 4, 5, 'spi4_tx'],
  ['dma2', 3, 2, 'spi5_rx'],
  ['dma2', 4, 2, 'spi5_tx'],
  ['dma2', 5, 7, 'spi5_rx'],
  ['dma2', 6, 7, 'spi5_tx'],
  ['dma2', 2, 4, 'usart1_rx'],
  ['dma2', 5, 4, 'usart1_rx'],
  ['dma2', 7, 4, 'usart1_tx'],
  ['dma2', 1, 5, 'usart6_rx'],
  ['dma2', 2, 5, 'usart6_rx'],
  ['dma2', 6, 5, 'usart6_tx'],
  ['dma2', 7, 5, 'usart6_tx'],
];

/** What the DMA's AHB master ports reach: the system bus (throws `BusError` where nothing answers). */
export interface DmaMemory {
  read(addr: number, size: 1 | 2 | 4): number;
  write(addr: number, size: 1 | 2 | 4, value: number): void;
}

export interface DmaRequestLine {
  set(active: boolean): void;
}

/** A peripheral with DMA request outputs (the SPI, USART, I2C and ADC models). */
export interface DmaRequester {
  onDmaRequest: ((req: 'tx' | 'rx', active: boolean) => void) | null;
}

const APB1_START = 0x4000_0000;
const APB1_END = 0x4000_8000;

class Stream {
  flags = 0;
  /** Working pointers, FIFO bytes and the NDTR loaded at enable. */
  curP = 0;
  curM = 0;
  fifo: number[] = [];
  initial = 0;
  halfDone = false;
  constructor(
    readonly index: number,
    readonly irq: IrqOutput,
  ) {}
}

export class Dma {
  readonly regs: RegisterBank;
  private readonly streams: Stream[];
  /** Request levels, index stream·8 + channel. */
  private readonly requests = new Uint8Array(64);
  private readonly serviceEv: ScheduledEvent;
  private readonly m2mEv: ScheduledEvent[];

  constructor(
    private readonly ctx: Stm32DeviceContext,
    readonly config: DmaConfig,
    private readonly mem: DmaMemory,
    /** False while the RCC clock of this DMA is off: nothing moves. */
    private readonly clockOn: () => boolean = () => true,
  ) {
    this.streams = config.irqs.map((n, i) => new Stream(i, ctx.irq(n)));
    this.serviceEv = ctx.scheduler.event(`${config.name}-service`, () => this.service());
    this.m2mEv = this.streams.map((s) => ctx.scheduler.event(`${config.name}-s${s.index}-m2m`, () => this.runM2m(s)));
    const specs: RegisterSpec[] = [
      { name: 'LISR', offset: 0x00, writable: 0, read: () => this.isr(0) },
      { name: 'HISR', offset: 0x04, writable: 0, read: () => this.isr(4) },
      { name: 'LIFCR', offset: 0x08, writable: 0, read: () => 0, write: (_v, _o, w) => this.clearFlags(0, w) },
      { name: 'HIFCR', offset: 0x0c, writable: 0, read: () => 0, write: (_v, _o, w) => this.clearFlags(4, w) },
    ];
    for (let i = 0; i < 8; i++) {
      const o = 0x10 + 0x18 * i;
      const locked = () => (this.cr(i) & DMA_CR.EN) !== 0;
      const guard = (name: string, free: () => boolean = () => false) => (v: number, old: number) => {
        if (locked() && !free()) this.regs.set(name, old);
        else this.regs.set(name, v);
      };
      specs.push(
        { name: `S${i}CR`, offset: o, writable: 0x0fefffff, write: (v, old) => this.writeCr(i, v, old) },
        { name: `S${i}NDTR`, offset: o + 4, writable: 0xffff, write: guard(`S${i}NDTR`) },
        { name: `S${i}PAR`, offset: o + 8, write: guard(`S${i}PAR`) },
        // In double-buffer mode the buffer not in use may be rewritten while the stream runs.
        { name: `S${i}M0AR`, offset: o + 12, write: guard(`S${i}M0AR`, () => (this.cr(i) & (DMA_CR.DBM | DMA_CR.CT)) === (DMA_CR.DBM | DMA_CR.CT)) },
        { name: `S${i}M1AR`, offset: o + 16, write: guard(`S${i}M1AR`, () => (this.cr(i) & (DMA_CR.DBM | DMA_CR.CT)) === DMA_CR.DBM) },
        { name: `S${i}FCR`, offset: o + 20, reset: 0x21, writable: 0x87, read: (v) => this.fcr(i, v), write: guard(`S${i}FCR`) },
      );
    }
    this.regs = new RegisterBank(config.name, specs, { onUnmapped: warnUnmapped(ctx.log, config.name) });
  }

  reset(): void {
    this.ctx.scheduler.cancel(this.serviceEv);
    for (const e of this.m2mEv) this.ctx.scheduler.cancel(e);
    this.regs.reset();
    for (const s of this.streams) {
      s.flags = 0;
      s.fifo = [];
      this.updateIrq(s);
    }
  }

  /** The request input of `channel` on `stream` (a peripheral drives its level). */
  requestLine(stream: number, channel: number): DmaRequestLine {
    const i = stream * 8 + channel;
    return {
      set: (active: boolean) => {
        const was = this.requests[i] === 1;
        this.requests[i] = active ? 1 : 0;
        if (active && !was && this.serves(stream, channel)) this.kick();
      },
    };
  }

  /** Stream flags (the 6-bit field), for tests. */
  streamFlags(stream: number): number {
    return this.streams[stream]!.flags;
  }

  private cr(i: number): number {
    return this.regs.get(`S${i}CR`);
  }

  private serves(stream: number, channel: number): boolean {
    const cr = this.cr(stream);
    return (cr & DMA_CR.EN) !== 0 && ((cr >>> DMA_CR.CHSEL_SHIFT) & 7) === channel;
  }

  private isr(first: number): number {
    let v = 0;
    for (let k = 0; k < 4; k++) v |= this.streams[first + k]!.flags << FIELD_SHIFT[k]!;
    return v >>> 0;
  }

  private clearFlags(first: number, w: number): void {
    for (let k = 0; k < 4; k++) {
      const s = this.streams[first + k]!;
      s.flags &= ~((w >>> FIELD_SHIFT[k]!) & 0x3d);
      this.updateIrq(s);
    }
  }

  private fcr(i: number, stored: number): number {
    const fifo = this.streams[i]!.fifo.length;
    // FS: 100 empty, else 000 (<1/4 full) — the only levels a single-item pack can leave.
    return (stored & 0x87) | ((fifo === 0 ? 4 : 0) << 3);
  }

  private writeCr(i: number, v: number, old: number): void {
    const s = this.streams[i]!;
    if (old & DMA_CR.EN) {
      // Only EN and the interrupt enables can change while the stream runs.
      const free = 0x1f;
      v = (old & ~free) | (v & free);
      this.regs.set(`S${i}CR`, v);
      if (!(v & DMA_CR.EN)) {
        this.ctx.scheduler.cancel(this.m2mEv[i]!);
        s.flags |= DMA_FLAG.TCIF; // stopping a stream ends its transfer (RM0383 §9.3.17)
      }
      this.updateIrq(s);
      return;
    }
    if (!(v & DMA_CR.EN)) {
      this.updateIrq(s);
      return;
    }
    this.enable(s, v);
  }

  private enable(s: Stream, cr: number): void {
    const i = s.index;
    const ndtr = this.regs.get(`S${i}NDTR`);
    const dir = (cr >>> DMA_CR.DIR_SHIFT) & 3;
    if (ndtr === 0) {
      // Nothing to move: the stream does not start.
      this.regs.setBits(`S${i}CR`, DMA_CR.EN, false);
      return;
    }
    if (dir === 3 || (dir === 2 && !this.config.dual)) {
      this.ctx.log.warn(`${this.config.name} stream ${i}: ${dir === 3 ? 'DIR 11 is reserved' : 'memory-to-memory needs DMA2'} (transfer error)`);
      this.fail(s);
      return;
    }
    if (cr & DMA_CR.DBM) this.regs.set(`S${i}CR`, cr | DMA_CR.CIRC);
    s.initial = ndtr;
    s.halfDone = false;
    s.fifo = [];
    s.curP = this.regs.get(`S${i}PAR`);
    s.curM = this.regs.get(cr & DMA_CR.CT ? `S${i}M1AR` : `S${i}M0AR`);
    if (dir === 2) this.ctx.scheduler.schedule(this.m2mEv[i]!, this.m2mChunk(s, ndtr) * M2M_CYCLES_PER_ITEM);
    else if (this.requests[i * 8 + ((cr >>> DMA_CR.CHSEL_SHIFT) & 7)]) this.kick();
    this.updateIrq(s);
  }

  private kick(): void {
    if (!this.serviceEv.scheduled) this.ctx.scheduler.schedule(this.serviceEv, SERVICE_CYCLES);
  }

  /** Serves every stream with an active request once, highest priority first (PL, then stream number). */
  private service(): void {
    if (!this.clockOn()) return;
    const ready = this.streams.filter((s) => this.requestActive(s));
    ready.sort((a, b) => ((this.cr(b.index) >>> DMA_CR.PL_SHIFT) & 3) - ((this.cr(a.index) >>> DMA_CR.PL_SHIFT) & 3) || a.index - b.index);
    for (const s of ready) if (this.requestActive(s)) this.transferItem(s);
    if (this.streams.some((s) => this.requestActive(s))) this.kick();
  }

  private requestActive(s: Stream): boolean {
    const cr = this.cr(s.index);
    if (!(cr & DMA_CR.EN) || ((cr >>> DMA_CR.DIR_SHIFT) & 3) === 2) return false;
    return this.requests[s.index * 8 + ((cr >>> DMA_CR.CHSEL_SHIFT) & 7)] === 1;
  }

  private sizes(cr: number): { p: 1 | 2 | 4; m: 1 | 2 | 4 } {
    const sz = (code: number): 1 | 2 | 4 => (code === 0 ? 1 : code === 1 ? 2 : 4);
    return { p: sz((cr >>> DMA_CR.PSIZE_SHIFT) & 3), m: sz((cr >>> DMA_CR.MSIZE_SHIFT) & 3) };
  }

  /** Memory-side size: MSIZE in FIFO mode (FCR.DMDIS=1), forced to PSIZE in direct mode. */
  private memSize(i: number, cr: number): 1 | 2 | 4 {
    const { p, m } = this.sizes(cr);
    return this.regs.get(`S${i}FCR`) & (1 << 2) ? m : p;
  }

  private peripheralAddressOk(addr: number, size: number): boolean {
    return this.config.dual || (addr >= APB1_START && addr + size <= APB1_END);
  }

  /** One peripheral-size item of a P2M or M2P stream. */
  private transferItem(s: Stream): void {
    const i = s.index;
    const cr = this.cr(i);
    const p = this.sizes(cr).p;
    const m = this.memSize(i, cr);
    const pStep = cr & DMA_CR.PINC ? (cr & DMA_CR.PINCOS ? 4 : p) : 0;
    const mStep = cr & DMA_CR.MINC ? m : 0;
    try {
      if (!this.peripheralAddressOk(s.curP, p)) throw new BusError(s.curP, false, p);
      if (((cr >>> DMA_CR.DIR_SHIFT) & 3) === 0) {
        pushBytes(s.fifo, this.mem.read(s.curP, p), p);
        s.curP += pStep;
        while (s.fifo.length >= m) {
          this.mem.write(s.curM, m, popBytes(s.fifo, m));
          s.curM += mStep;
        }
      } else {
        while (s.fifo.length < p) {
          pushBytes(s.fifo, this.mem.read(s.curM, m), m);
          s.curM += mStep;
        }
        this.mem.write(s.curP, p, popBytes(s.fifo, p));
        s.curP += pStep;
      }
    } catch (e) {
      if (!(e instanceof BusError)) throw e;
      this.ctx.log.warn(`${this.config.name} stream ${i}: transfer error (${e.toString()})`);
      this.fail(s);
      return;
    }
    this.itemsDone(s, 1);
  }

  /** Items of the next memory-to-memory chunk when `n` remain (stopping at the half-way point once). */
  private m2mChunk(s: Stream, n: number): number {
    const toHalf = s.halfDone ? n : n - (s.initial >> 1);
    return Math.min(n, M2M_CHUNK, toHalf > 0 ? toHalf : n);
  }

  private runM2m(s: Stream): void {
    const i = s.index;
    const cr = this.cr(i);
    if (!(cr & DMA_CR.EN)) return;
    const p = this.sizes(cr).p;
    const m = this.memSize(i, cr);
    const pStep = cr & DMA_CR.PINC ? p : 0;
    const mStep = cr & DMA_CR.MINC ? m : 0;
    const total = this.regs.get(`S${i}NDTR`);
    const k = this.m2mChunk(s, total);
    let n = k;
    try {
      for (; n > 0; n--) {
        pushBytes(s.fifo, this.mem.read(s.curP, p), p);
        s.curP += pStep;
        while (s.fifo.length >= m) {
          this.mem.write(s.curM, m, popBytes(s.fifo, m));
          s.curM += mStep;
        }
      }
    } catch (e) {
      if (!(e instanceof BusError)) throw e;
      this.regs.set(`S${i}NDTR`, total - (k - n));
      this.ctx.log.warn(`${this.config.name} stream ${i}: transfer error (${e.toString()})`);
      this.fail(s);
      return;
    }
    this.itemsDone(s, k);
    const left = this.regs.get(`S${i}NDTR`);
    if (this.cr(i) & DMA_CR.EN && left > 0) this.ctx.scheduler.schedule(this.m2mEv[i]!, this.m2mChunk(s, left) * M2M_CYCLES_PER_ITEM);
  }

  /** Counts `k` items down, sets HT/TC, reloads (circular/double buffer) or disables the stream. */
  private itemsDone(s: Stream, k: number): void {
    const i = s.index;
    const ndtr = this.regs.get(`S${i}NDTR`) - k;
    this.regs.set(`S${i}NDTR`, ndtr);
    if (!s.halfDone && ndtr <= s.initial >> 1) {
      s.halfDone = true;
      s.flags |= DMA_FLAG.HTIF;
    }
    if (ndtr === 0) {
      // Leftover packing bytes (NDTR·PSIZE not a multiple of MSIZE) go out one by one.
      const cr = this.cr(i);
      if (((cr >>> DMA_CR.DIR_SHIFT) & 3) !== 1) {
        for (const b of s.fifo.splice(0)) {
          this.mem.write(s.curM, 1, b);
          s.curM += 1;
        }
      }
      s.fifo = [];
      s.flags |= DMA_FLAG.TCIF;
      // Circular/double buffer are not allowed for memory-to-memory (RM0383 §9.3.6): it ends there.
      if (cr & (DMA_CR.CIRC | DMA_CR.DBM) && ((cr >>> DMA_CR.DIR_SHIFT) & 3) !== 2) {
        let next = cr;
        if (cr & DMA_CR.DBM) next ^= DMA_CR.CT;
        this.regs.set(`S${i}CR`, next);
        this.regs.set(`S${i}NDTR`, s.initial);
        s.halfDone = false;
        s.curP = this.regs.get(`S${i}PAR`);
        s.curM = this.regs.get(next & DMA_CR.CT ? `S${i}M1AR` : `S${i}M0AR`);
      } else {
        this.regs.set(`S${i}CR`, cr & ~DMA_CR.EN);
      }
    }
    this.updateIrq(s);
  }

  private fail(s: Stream): void {
    s.flags |= DMA_FLAG.TEIF;
    this.regs.setBits(`S${s.index}CR`, DMA_CR.EN, false);
    this.updateIrq(s);
  }

  private updateIrq(s: Stream): void {
    const cr = this.cr(s.index);
    const f = s.flags;
    const on =
      (f & DMA_FLAG.TCIF && cr & DMA_CR.TCIE) ||
      (f & DMA_FLAG.HTIF && cr & DMA_CR.HTIE) ||
      (f & DMA_FLAG.TEIF && cr & DMA_CR.TEIE) ||
      (f & DMA_FLAG.DMEIF && cr & DMA_CR.DMEIE) ||
      (f & DMA_FLAG.FEIF && this.regs.get(`S${s.index}FCR`) & 0x80);
    s.irq.set(Boolean(on));
  }

  read(offset: number, size: 1 | 2 | 4): number {
    return this.regs.read(offset, size);
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.regs.write(offset, size, value);
  }
}

/** Little-endian bytes of `v` into the FIFO. */
function pushBytes(fifo: number[], v: number, size: number): void {
  for (let k = 0; k < size; k++) fifo.push((v >>> (8 * k)) & 0xff);
}

function popBytes(fifo: number[], size: number): number {
  let v = 0;
  for (let k = 0; k < size; k++) v |= fifo.shift()! << (8 * k);
  return v >>> 0;
}

/**
 * Connects the peripherals' DMA request outputs to the DMA request lines per `STM32F411_DMA_REQUESTS`.
 * `peripherals` maps a name ("spi1", "usart2") to its model; a request reaches every stream it is wired to.
 */
export function connectDmaRequests(dmas: ReadonlyMap<string, Dma>, peripherals: ReadonlyMap<string, DmaRequester>): void {
  for (const [name, p] of peripherals) {
    const lines: Record<'tx' | 'rx', DmaRequestLine[]> = { tx: [], rx: [] };
    for (const [dma, stream, channel, source] of STM32F411_DMA_REQUESTS) {
      const [periph, dir] = source.split('_') as [string, 'tx' | 'rx'];
      if (periph !== name) continue;
      const d = dmas.get(dma);
      if (d) lines[dir].push(d.requestLine(stream, channel));
    }
    const prev = p.onDmaRequest;
    p.onDmaRequest = (req, active) => {
      prev?.(req, active);
      for (const l of lines[req]) l.set(active);
    };
  }
}
