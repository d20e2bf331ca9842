/**
 * STM32F411 SPI1–5 (RM0383 §20) in SPI master mode: CR1, CR2, SR, DR, CRCPR, RXCRCR, TXCRCR, I2SCFGR, I2SPR.
 *
 * - Timing in virtual time: SCK = PCLK / 2^(BR+1); a frame (8 or 16 bits, CR1.DFF) takes that many SCK
 *   periods. A DR write fills the TX buffer (TXE=0); when the shift register is idle the frame moves on at
 *   once (TXE=1 again, BSY=1) and shifts for one frame time; frames follow back to back while the buffer
 *   refills; BSY drops when the last frame ends with TXE=1.
 * - At the end of a frame the bytes reach every attached `SpiSlave` whose chip select is active (MSB first
 *   on the wire; LSBFIRST reverses the bits of each byte; a 16-bit frame is two bytes, high byte first)
 *   and the MISO value (the AND of the selected slaves' answers, 0xFF with none: the line idles high)
 *   goes into the RX buffer: RXNE=1, or OVR if RXNE was still set (the new frame is lost, RM0383 §20.4.10).
 * - Clear sequences: OVR by a DR read followed by an SR read; MODF by an SR access followed by a CR1
 *   write; CRCERR is rc_w0. MODF: a master whose NSS input is low — with SSM=1 that is SSI=0 (the
 *   hardware NSS pin is not modelled: with SSM=0 it counts as high, or as an output when SSOE=1); MODF
 *   clears SPE and MSTR.
 * - CRC (CRCEN): TXCRCR/RXCRCR follow every frame with the CRCPR polynomial (8 or 16 bits per DFF);
 *   CRCNEXT sends TXCRCR after the current frame, and the received CRC is checked (CRCERR on mismatch).
 * - IRQ = TXE·TXEIE | RXNE·RXNEIE | (OVR|MODF|CRCERR|UDR|FRE)·ERRIE. DMA request levels (TXE·TXDMAEN,
 *   RXNE·RXDMAEN) go to `onDmaRequest`.
 * - BIDIMODE with BIDIOE=1 (transmit only) sends without receiving. A receive-only master (RXONLY, or
 *   BIDIMODE with BIDIOE=0) clocks frames back to back from SPE=1 until SPE=0 (RM0383 §20.3.5), the slaves
 *   seeing 0xFF on the undriven data-out line; TXE is ignored. Slave mode (MSTR=0) and I2S are not
 *   modelled (registers stored).
 */
import { RegisterBank } from '../../core/registers.js';
import type { ScheduledEvent } from '../../core/scheduler.js';
import type { SpiSlave } from '../../devices/spi-slave.js';
import { cyclesPerSecond, DmaRequestLevels, warnUnmapped, type ApbBus, type DmaRequestListener, type IrqOutput, type Stm32DeviceContext } from './device-context.js';

export const SPI_CR1 = {
  CPHA: 1 << 0,
  CPOL: 1 << 1,
  MSTR: 1 << 2,
  BR_SHIFT: 3,
  SPE: 1 << 6,
  LSBFIRST: 1 << 7,
  SSI: 1 << 8,
  SSM: 1 << 9,
  RXONLY: 1 << 10,
  DFF: 1 << 11,
  CRCNEXT: 1 << 12,
  CRCEN: 1 << 13,
  BIDIOE: 1 << 14,
  BIDIMODE: 1 << 15,
} as const;

export const SPI_CR2 = { RXDMAEN: 1 << 0, TXDMAEN: 1 << 1, SSOE: 1 << 2, FRF: 1 << 4, ERRIE: 1 << 5, RXNEIE: 1 << 6, TXEIE: 1 << 7 } as const;

export const SPI_SR = {
  RXNE: 1 << 0,
  TXE: 1 << 1,
  CHSIDE: 1 << 2,
  UDR: 1 << 3,
  CRCERR: 1 << 4,
  MODF: 1 << 5,
  OVR: 1 << 6,
  BSY: 1 << 7,
  FRE: 1 << 8,
} as const;

export interface SpiConfig {
  name: string;
  base: number;
  irq: number;
  apb: ApbBus;
  /** RCC enable/reset bit on its APB bus. */
  rccBit: number;
}

/** SPI1–5: base (RM0383 table 1), NVIC number (table 37), bus and RCC bit (APB1ENR/APB2ENR). */
export const STM32F411_SPIS: readonly SpiConfig[] = [
  { name: 'spi1', base: 0x40013000, irq: 35, apb: 2, rccBit: 12 },
  { name: 'spi2', base: 0x40003800, irq: 36, apb: 1, rccBit: 14 },
  { name: 'spi3', base: 0x40003c00, irq: 51, apb: 1, rccBit: 15 },
  { name: 'spi4', base: 0x40013400, irq: 84, apb: 2, rccBit: 13 },
  { name: 'spi5', base: 0x40015000, irq: 85, apb: 2, rccBit: 20 },
];

const C = SPI_CR1;
const C2 = SPI_CR2;
const S = SPI_SR;

interface Attached {
  slave: SpiSlave;
  selected: () => boolean;
  /** False while the board's SCK/MOSI/MISO pins are not routed to this SPI (the slave sees nothing). */
  linked: () => boolean;
}

function reverse8(b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) if (b & (1 << i)) r |= 0x80 >> i;
  return r;
}

/** One CRC step over `bits` data bits (MSB first), polynomial `poly` (implicit top bit). */
function crcStep(crc: number, data: number, poly: number, bits: number): number {
  const top = 1 << (bits - 1);
  const mask = (1 << bits) - 1;
  for (let i = bits - 1; i >= 0; i--) {
    const inBit = (data >>> i) & 1;
    const fb = (crc & top ? 1 : 0) ^ inBit;
    crc = (crc << 1) & mask;
    if (fb) crc ^= poly & mask;
  }
  return crc;
}

export class Spi {
  readonly regs: RegisterBank;
  private readonly irq: IrqOutput;
  private readonly slaves: Attached[] = [];
  private sr = S.TXE;
  private txBuf = 0;
  private rxBuf = 0;
  /** Frame in the shift register (-1: none), and whether it is the CRC frame. */
  private shifting = -1;
  private shiftingCrc = false;
  private crcPending = false;
  private readonly frameEv: ScheduledEvent;
  /** SR was read while MODF was set (first half of the MODF clear sequence). */
  private modfSeen = false;
  /** DR was read while OVR was set (first half of the OVR clear sequence). */
  private ovrDrRead = false;
  private readonly dmaLevels = new DmaRequestLevels();
  private warnedMode = false;
  /** DMA request level changes: 'tx' (TXE with TXDMAEN) and 'rx' (RXNE with RXDMAEN). */
  onDmaRequest: DmaRequestListener | null = null;

  constructor(
    private readonly ctx: Stm32DeviceContext,
    readonly config: SpiConfig,
  ) {
    this.irq = ctx.irq(config.irq);
    this.frameEv = ctx.scheduler.event(`${config.name}-frame`, () => this.frameDone());
    this.regs = new RegisterBank(config.name, [
      { name: 'CR1', offset: 0x00, writable: 0xffff, write: (v, old) => this.writeCr1(v, old) },
      { name: 'CR2', offset: 0x04, writable: 0xf7, write: () => this.update() },
      { name: 'SR', offset: 0x08, read: () => this.readSr(), write: (_v, _o, w) => this.writeSr(w) },
      { name: 'DR', offset: 0x0c, read: () => this.readDr(), write: (_v, _o, w) => this.writeDr(w) },
      { name: 'CRCPR', offset: 0x10, reset: 0x7, writable: 0xffff },
      { name: 'RXCRCR', offset: 0x14, writable: 0 },
      { name: 'TXCRCR', offset: 0x18, writable: 0 },
      { name: 'I2SCFGR', offset: 0x1c, writable: 0x0fbf },
      { name: 'I2SPR', offset: 0x20, reset: 0x2, writable: 0x3ff },
    ], { onUnmapped: warnUnmapped(ctx.log, config.name) });
  }

  /**
   * Attaches a slave. `selected` tells whether its chip select is active now (see `connectChipSelect`);
   * `linked` whether the SPI's signals reach it (the board checks its pins' alternate functions).
   */
  attach(slave: SpiSlave, selected: () => boolean, linked: () => boolean = () => true): void {
    this.slaves.push({ slave, selected, linked });
  }

  reset(): void {
    this.ctx.scheduler.cancel(this.frameEv);
    this.regs.reset();
    this.sr = S.TXE;
    this.shifting = -1;
    this.shiftingCrc = false;
    this.crcPending = false;
    this.modfSeen = false;
    this.ovrDrRead = false;
    this.update();
  }

  private cr1(): number {
    return this.regs.get('CR1');
  }

  private pclk(): number {
    return this.config.apb === 1 ? this.ctx.clocks.pclk1 : this.ctx.clocks.pclk2;
  }

  /** SCK frequency in Hz: PCLK / 2^(BR+1). */
  get sckHz(): number {
    return this.pclk() / (2 << ((this.cr1() >>> C.BR_SHIFT) & 7));
  }

  private get frameBits(): number {
    return this.cr1() & C.DFF ? 16 : 8;
  }

  /** One frame in scheduler cycles (at least 1). */
  get frameCycles(): number {
    return Math.max(1, Math.round((this.frameBits * cyclesPerSecond(this.ctx)) / this.sckHz));
  }

  private get masterEnabled(): boolean {
    return (this.cr1() & (C.SPE | C.MSTR)) === (C.SPE | C.MSTR);
  }

  private readSr(): number {
    if (this.sr & S.MODF) this.modfSeen = true;
    if (this.ovrDrRead && this.sr & S.OVR) {
      this.sr &= ~S.OVR;
      this.update();
    }
    this.ovrDrRead = false;
    return this.sr;
  }

  private writeSr(w: number): void {
    if (this.sr & S.MODF) this.modfSeen = true;
    if (!(w & S.CRCERR)) this.sr &= ~S.CRCERR; // rc_w0; the other bits are read-only
    this.update();
  }

  private readDr(): number {
    const v = this.rxBuf;
    this.sr &= ~S.RXNE;
    this.ovrDrRead = (this.sr & S.OVR) !== 0;
    this.update();
    return v;
  }

  private writeDr(w: number): void {
    this.txBuf = w & (this.frameBits === 16 ? 0xffff : 0xff);
    this.sr &= ~S.TXE;
    this.startFrame();
    this.update();
  }

  private writeCr1(v: number, old: number): void {
    if (this.modfSeen && this.sr & S.MODF) {
      this.sr &= ~S.MODF;
      this.modfSeen = false;
    } else if (this.sr & S.MODF) {
      // SPE and MSTR cannot be set while MODF is (RM0383 §20.4.8: SR access first, then this write).
      this.regs.set('CR1', v & ~(C.SPE | C.MSTR));
    }
    if (v & C.CRCEN && !(old & C.CRCEN)) {
      this.regs.set('TXCRCR', 0);
      this.regs.set('RXCRCR', 0);
    }
    if (v & C.CRCNEXT && !(old & C.CRCNEXT)) this.crcPending = true;
    if (v & C.SPE && !(v & C.MSTR) && !this.warnedMode) {
      this.warnedMode = true;
      this.ctx.log.warn(`${this.config.name}: slave mode is not modelled (no clocks from outside)`);
    }
    this.checkModeFault();
    this.startFrame();
    this.update();
  }

  /** Master with its NSS input low: MODF, SPE and MSTR cleared (RM0383 §20.4.8). */
  private checkModeFault(): void {
    const cr1 = this.cr1();
    if (!(cr1 & C.MSTR)) return;
    const nssLow = (cr1 & C.SSM) !== 0 && (cr1 & C.SSI) === 0;
    if (!nssLow) return;
    this.sr |= S.MODF;
    this.regs.set('CR1', cr1 & ~(C.SPE | C.MSTR));
    this.ctx.scheduler.cancel(this.frameEv);
    this.shifting = -1;
    this.sr &= ~S.BSY;
  }

  /** Moves the TX buffer (or the pending CRC) into the idle shift register of an enabled master. */
  private startFrame(): void {
    if (this.shifting >= 0 || !this.masterEnabled) return;
    const cr1 = this.cr1();
    if (cr1 & C.RXONLY || (cr1 & C.BIDIMODE && !(cr1 & C.BIDIOE))) {
      // Receive-only master: the clock runs by itself; nothing is transmitted.
      this.shifting = cr1 & C.DFF ? 0xffff : 0xff;
      this.shiftingCrc = false;
    } else if (this.crcPending && this.sr & S.TXE) {
      this.crcPending = false;
      this.regs.setBits('CR1', C.CRCNEXT, false);
      this.shifting = this.regs.get('TXCRCR');
      this.shiftingCrc = true;
    } else if (!(this.sr & S.TXE)) {
      this.shifting = this.txBuf;
      this.shiftingCrc = false;
      this.sr |= S.TXE;
    } else return;
    this.sr |= S.BSY;
    this.ctx.scheduler.schedule(this.frameEv, this.frameCycles);
  }

  /** A frame has shifted: exchange it with the selected slaves, deliver the MISO value. */
  private frameDone(): void {
    const out = this.shifting;
    const isCrc = this.shiftingCrc;
    this.shifting = -1;
    const cr1 = this.cr1();
    const bits = this.frameBits;
    const lsb = (cr1 & C.LSBFIRST) !== 0;
    const bytes = bits === 16 ? [(out >>> 8) & 0xff, out & 0xff] : [out & 0xff];
    if (lsb && bits === 16) bytes.reverse();
    const back: number[] = [];
    for (const b of bytes) {
      const wire = lsb ? reverse8(b) : b;
      let miso = 0xff;
      for (const s of this.slaves) if (s.selected() && s.linked()) miso &= s.slave.transfer(wire) & 0xff;
      back.push(lsb ? reverse8(miso) : miso);
    }
    // LSB first, the low byte of a 16-bit frame is on the wire first.
    const got = bits === 8 ? back[0]! : lsb ? back[0]! | (back[1]! << 8) : (back[0]! << 8) | back[1]!;
    const transmitOnly = (cr1 & C.BIDIMODE) !== 0 && (cr1 & C.BIDIOE) !== 0;
    if (cr1 & C.CRCEN) {
      const poly = this.regs.get('CRCPR');
      const rxOnly = (cr1 & C.RXONLY) !== 0 || ((cr1 & C.BIDIMODE) !== 0 && !(cr1 & C.BIDIOE));
      if (!isCrc && !rxOnly) this.regs.set('TXCRCR', crcStep(this.regs.get('TXCRCR'), out, poly, bits));
      if (isCrc) {
        if (!transmitOnly && got !== this.regs.get('RXCRCR')) this.sr |= S.CRCERR;
      } else if (!transmitOnly) this.regs.set('RXCRCR', crcStep(this.regs.get('RXCRCR'), got, poly, bits));
    }
    if (!transmitOnly) {
      if (this.sr & S.RXNE) this.sr |= S.OVR;
      else {
        this.rxBuf = got;
        this.sr |= S.RXNE;
      }
    }
    this.startFrame();
    if (this.shifting < 0) this.sr &= ~S.BSY;
    this.update();
  }

  private update(): void {
    const sr = this.sr;
    const cr2 = this.regs.get('CR2');
    const irq =
      (sr & S.TXE && cr2 & C2.TXEIE) ||
      (sr & S.RXNE && cr2 & C2.RXNEIE) ||
      (sr & (S.OVR | S.MODF | S.CRCERR | S.UDR | S.FRE) && cr2 & C2.ERRIE);
    this.irq.set(Boolean(irq));
    const tx = (sr & S.TXE) !== 0 && (cr2 & C2.TXDMAEN) !== 0;
    const rx = (sr & S.RXNE) !== 0 && (cr2 & C2.RXDMAEN) !== 0;
    this.dmaLevels.update(tx, rx, this.onDmaRequest);
  }

  /** Current SR without read side effects (tests, debugger). */
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
