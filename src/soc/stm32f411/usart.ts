/**
 * STM32F411 USART1/2/6 (RM0383 §19) in asynchronous mode: SR, DR, BRR, CR1, CR2, CR3, GTPR.
 *
 * Timing in virtual time at the programmed baud rate:
 * - Bit time = USARTDIV in bus-clock ticks: BRR with OVER8=0, 8·mantissa + BRR[2:0] with OVER8=1
 *   (baud = fPCLK / (8·(2−OVER8)·USARTDIV)). A frame is start + 8 or 9 data bits (M; parity, when
 *   enabled, is the last data bit) + 1, 0.5, 2 or 1.5 stop bits (CR2.STOP).
 * - TX: a DR write fills TDR (TXE=0); when the shift register is idle the byte moves on at once (TXE=1
 *   again) and leaves the line one frame later, when it reaches the host port; TC is set when a frame ends
 *   with TDR empty. Setting TE sends an idle frame (the preamble) first.
 * - RX: bytes injected into the UartPort arrive one frame apart while UE and RE are set (until then they
 *   wait in the port, as if the sender were flow-controlled). A byte arriving while RXNE is still set is
 *   lost and sets ORE (paced input only: unpaced `--uart-instant` input waits until RDR is read); an idle
 *   frame after the last byte sets IDLE (once per reception).
 * - Flags cleared by "read SR then read DR" (PE, FE, NF, ORE, IDLE) and "read SR then write DR" (TC) clear
 *   only if they were set when SR was read. TC, RXNE, LBD, CTS are also rc_w0.
 * - Interrupt line: TXE·TXEIE | TC·TCIE | (RXNE|ORE)·RXNEIE | IDLE·IDLEIE | PE·PEIE | LBD·LBDIE |
 *   CTS·CTSIE | (FE|NF|ORE)·EIE·DMAR.
 * - DMA: CR3.DMAT/DMAR are stored; `onDmaRequest` receives the TX (TXE·DMAT) and RX (RXNE·DMAR) request
 *   levels when they change, for a DMA model.
 * Synchronous, smartcard, IrDA, LIN break and half-duplex modes are not modelled (registers store).
 */
import { RegisterBank } from '../../core/registers.js';
import type { ScheduledEvent } from '../../core/scheduler.js';
import type { UartPort } from '../../core/uart-port.js';
import { cyclesPerSecond, DmaRequestLevels, warnUnmapped, type ApbBus, type DmaRequestListener, type IrqOutput, type Stm32DeviceContext } from './device-context.js';

export const USART_SR = {
  PE: 1 << 0,
  FE: 1 << 1,
  NF: 1 << 2,
  ORE: 1 << 3,
  IDLE: 1 << 4,
  RXNE: 1 << 5,
  TC: 1 << 6,
  TXE: 1 << 7,
  LBD: 1 << 8,
  CTS: 1 << 9,
} as const;

export const USART_CR1 = {
  SBK: 1 << 0,
  RWU: 1 << 1,
  RE: 1 << 2,
  TE: 1 << 3,
  IDLEIE: 1 << 4,
  RXNEIE: 1 << 5,
  TCIE: 1 << 6,
  TXEIE: 1 << 7,
  PEIE: 1 << 8,
  PS: 1 << 9,
  PCE: 1 << 10,
  WAKE: 1 << 11,
  M: 1 << 12,
  UE: 1 << 13,
  OVER8: 1 << 15,
} as const;

export const USART_CR3 = { EIE: 1 << 0, DMAR: 1 << 6, DMAT: 1 << 7, CTSIE: 1 << 10 } as const;

export interface UsartConfig {
  name: string;
  irq: number;
  apb: ApbBus;
}

/** The F411's USARTs: base address, NVIC number, APB bus (RM0383 Table 1, Table 37). */
export const STM32F411_USARTS: readonly (UsartConfig & { base: number })[] = [
  { name: 'usart1', base: 0x40011000, irq: 37, apb: 2 },
  { name: 'usart2', base: 0x40004400, irq: 38, apb: 1 },
  { name: 'usart6', base: 0x40011400, irq: 71, apb: 2 },
];

const S = USART_SR;
const C = USART_CR1;

export class Usart {
  readonly regs: RegisterBank;
  private readonly irq: IrqOutput;
  private sr = S.TXE | S.TC;
  private tdr = 0;
  private rdr = 0;
  /** A frame (data or the TE preamble) is in the TX shift register. */
  private txBusy = false;
  private txShift = -1; // byte being sent, -1 for the idle preamble
  private readonly txEv: ScheduledEvent;
  private readonly rxEv: ScheduledEvent;
  private readonly idleEv: ScheduledEvent;
  /** A byte arrived since IDLE was last set (IDLE is set once per reception). */
  private rxSinceIdle = false;
  /** SR bits as of the last SR read (for the read-SR-then-access-DR clear sequences). */
  private srSeen = 0;
  private readonly dmaLevels = new DmaRequestLevels();
  /** Receives DMA request level changes: 'tx' (TXE with DMAT) and 'rx' (RXNE with DMAR). */
  onDmaRequest: DmaRequestListener | null = null;

  constructor(
    private readonly ctx: Stm32DeviceContext,
    readonly config: UsartConfig,
    readonly port: UartPort,
  ) {
    this.irq = ctx.irq(config.irq);
    const sch = ctx.scheduler;
    this.txEv = sch.event(`${config.name}-tx`, () => this.txFrameDone());
    this.rxEv = sch.event(`${config.name}-rx`, () => this.rxFrameDone());
    this.idleEv = sch.event(`${config.name}-idle`, () => this.idleDetected());
    this.regs = new RegisterBank(config.name, [
      { name: 'SR', offset: 0x00, read: () => this.readSr(), write: (_v, _o, w) => this.writeSr(w) },
      { name: 'DR', offset: 0x04, read: () => this.readDr(), write: (_v, _o, w) => this.writeDr(w) },
      { name: 'BRR', offset: 0x08, writable: 0xffff },
      { name: 'CR1', offset: 0x0c, writable: 0xbfff, write: (v, old) => this.writeCr1(v, old) },
      { name: 'CR2', offset: 0x10, writable: 0x7f7f, write: () => this.update() },
      { name: 'CR3', offset: 0x14, writable: 0x0fff, write: () => this.update() },
      { name: 'GTPR', offset: 0x18, writable: 0xffff },
    ], { onUnmapped: warnUnmapped(ctx.log, config.name) });
    port.onRxAvailable = () => this.kickRx();
  }

  reset(): void {
    const sch = this.ctx.scheduler;
    sch.cancel(this.txEv);
    sch.cancel(this.rxEv);
    sch.cancel(this.idleEv);
    this.regs.reset();
    this.sr = S.TXE | S.TC;
    this.srSeen = 0;
    this.txBusy = false;
    this.rxSinceIdle = false;
    this.update();
  }

  private cr1(): number {
    return this.regs.get('CR1');
  }

  /** Bus clock of this USART in Hz. */
  private pclk(): number {
    return this.config.apb === 1 ? this.ctx.clocks.pclk1 : this.ctx.clocks.pclk2;
  }

  /** USARTDIV·(8·(2−OVER8)) in bus-clock ticks per bit; 0 while BRR is not programmed. */
  private ticksPerBit(): number {
    const brr = this.regs.get('BRR');
    if (this.cr1() & C.OVER8) return (brr >>> 4) * 8 + (brr & 7);
    return brr;
  }

  /** Baud rate the guest programmed, 0 when BRR is 0. */
  get baudRate(): number {
    const t = this.ticksPerBit();
    return t ? this.pclk() / t : 0;
  }

  /** Bits per frame: start, data (8/9), stop (CR2.STOP: 00 → 1, 01 → 0.5, 10 → 2, 11 → 1.5). */
  get frameBits(): number {
    const stop = [1, 0.5, 2, 1.5][(this.regs.get('CR2') >>> 12) & 3]!;
    return 1 + (this.cr1() & C.M ? 9 : 8) + stop;
  }

  /** One frame in scheduler cycles (at least 1; an unprogrammed BRR counts as 16 ticks per bit). */
  get frameCycles(): number {
    const ticks = this.ticksPerBit() || 16;
    return Math.max(1, Math.round((this.frameBits * ticks * cyclesPerSecond(this.ctx)) / this.pclk()));
  }

  private get txEnabled(): boolean {
    return (this.cr1() & (C.UE | C.TE)) === (C.UE | C.TE);
  }
  private get rxEnabled(): boolean {
    return (this.cr1() & (C.UE | C.RE)) === (C.UE | C.RE);
  }

  private readSr(): number {
    this.srSeen = this.sr;
    return this.sr;
  }

  private writeSr(w: number): void {
    // TC, RXNE, LBD and CTS are rc_w0: writing 0 clears, 1 leaves; the other bits are read-only.
    const rc = S.TC | S.RXNE | S.LBD | S.CTS;
    this.sr &= ~(rc & ~w);
    this.update();
    this.kickRx();
  }

  private readDr(): number {
    let v = this.rdr;
    const cr1 = this.cr1();
    if (cr1 & C.PCE) {
      // The parity bit is the MSB of the data field; a byte from the host always has correct parity.
      const bits = cr1 & C.M ? 8 : 7;
      v &= (1 << bits) - 1;
      if (this.parity(v) !== 0) v |= 1 << bits;
    }
    const clear = this.srSeen & (S.PE | S.FE | S.NF | S.ORE | S.IDLE);
    this.sr &= ~(clear | S.RXNE);
    this.srSeen &= ~clear;
    this.update();
    this.kickRx();
    return v;
  }

  /** The parity bit for data `v`: even parity (PS=0) makes the total number of ones even. */
  private parity(v: number): number {
    let p = 0;
    for (let x = v; x; x &= x - 1) p ^= 1;
    return this.cr1() & C.PS ? p ^ 1 : p;
  }

  private writeDr(w: number): void {
    this.tdr = w & 0x1ff;
    if (this.srSeen & S.TC) {
      this.sr &= ~S.TC;
      this.srSeen &= ~S.TC;
    }
    this.sr &= ~S.TXE;
    this.startTx();
    this.update();
  }

  private writeCr1(v: number, old: number): void {
    const en = C.UE | C.TE;
    // TE (with UE) going on queues an idle frame, the preamble.
    if ((v & en) === en && (old & en) !== en && !this.txBusy) {
      this.txBusy = true;
      this.txShift = -1;
      this.ctx.scheduler.schedule(this.txEv, this.frameCycles);
    }
    this.startTx();
    this.kickRx();
    this.update();
  }

  /** Moves TDR to the shift register when it is idle and the transmitter is enabled. */
  private startTx(): void {
    if (this.txBusy || this.sr & S.TXE || !this.txEnabled) return;
    this.txShift = this.tdr;
    this.txBusy = true;
    this.sr |= S.TXE;
    this.ctx.scheduler.schedule(this.txEv, this.frameCycles);
  }

  private txFrameDone(): void {
    this.txBusy = false;
    const sent = this.txShift;
    if (sent >= 0) {
      // The host sees the data field: 7 bits with parity in a 8-bit frame, else the low 8 bits.
      const cr1 = this.cr1();
      this.port.transmit(cr1 & C.PCE && !(cr1 & C.M) ? sent & 0x7f : sent & 0xff);
    }
    this.startTx();
    if (!this.txBusy && sent >= 0) this.sr |= S.TC;
    this.update();
  }

  /** Starts receiving the next host byte if the receiver is on and idle. */
  private kickRx(): void {
    if (!this.rxEnabled || this.rxEv.scheduled || this.port.rxPending === 0) return;
    this.ctx.scheduler.cancel(this.idleEv);
    this.ctx.scheduler.schedule(this.rxEv, this.frameCycles);
  }

  private rxFrameDone(): void {
    // Unpaced host input (--uart-instant) is flow-controlled instead of overrunning: the byte waits in the
    // port until firmware has read RDR, then comes one frame later (kickRx from the RXNE clear).
    if (this.sr & S.RXNE && !this.port.rxPaced) return;
    const b = this.port.takeRx();
    if (b >= 0) {
      if (this.sr & S.RXNE) {
        this.sr |= S.ORE; // RDR keeps the unread byte; this one is lost
      } else {
        this.rdr = b;
        this.sr |= S.RXNE;
      }
      this.rxSinceIdle = true;
    }
    if (this.rxEnabled && this.port.rxPending > 0) this.ctx.scheduler.schedule(this.rxEv, this.frameCycles);
    else this.ctx.scheduler.schedule(this.idleEv, this.frameCycles);
    this.update();
  }

  private idleDetected(): void {
    if (!this.rxSinceIdle || !this.rxEnabled) return;
    this.rxSinceIdle = false;
    this.sr |= S.IDLE;
    this.update();
  }

  private update(): void {
    const sr = this.sr;
    const cr1 = this.cr1();
    const cr2 = this.regs.get('CR2');
    const cr3 = this.regs.get('CR3');
    const irq =
      (sr & S.TXE && cr1 & C.TXEIE) ||
      (sr & S.TC && cr1 & C.TCIE) ||
      (sr & (S.RXNE | S.ORE) && cr1 & C.RXNEIE) ||
      (sr & S.IDLE && cr1 & C.IDLEIE) ||
      (sr & S.PE && cr1 & C.PEIE) ||
      (sr & S.LBD && cr2 & (1 << 6)) ||
      (sr & S.CTS && cr3 & USART_CR3.CTSIE) ||
      (sr & (S.FE | S.NF | S.ORE) && cr3 & USART_CR3.EIE && cr3 & USART_CR3.DMAR);
    this.irq.set(Boolean(irq));
    const tx = (sr & S.TXE) !== 0 && (cr3 & USART_CR3.DMAT) !== 0;
    const rx = (sr & S.RXNE) !== 0 && (cr3 & USART_CR3.DMAR) !== 0;
    this.dmaLevels.update(tx, rx, this.onDmaRequest);
  }

  /** Current SR without the read side effect (tests, debugger). */
  get status(): number {
    return this.sr;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    return this.regs.read(offset, size);
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.regs.write(offset, size, value);
  }
}
