/**
 * STM32F411 I2C1–3 in master mode (RM0383 §18): I2C1 0x40005400 (IRQ 31 event, 32 error), I2C2 0x40005800
 * (33, 34), I2C3 0x40005C00 (72, 73).
 *
 * The bus is modelled at byte level with `I2cDevice`s (src/devices/i2c-device.ts) attached by address.
 * Timing in virtual time from CCR and PCLK1: an SCL period is 2·CCR (standard mode), 3·CCR (fast, DUTY 0)
 * or 25·CCR (fast, DUTY 1) PCLK1 cycles; a START takes one period, an address or data byte nine.
 *
 * Master sequence (RM0383 §18.3.3): START → SB (and MSL, BUSY); SR1 read + DR write of the address → the
 * address byte; ACK → ADDR (TRA = transmitter), no device / NACK → AF. ADDR clears by reading SR1 then SR2.
 * Transmitter: TxE while DR is empty; a byte moves from DR to the shift register at once if it is idle;
 * the device's NACK sets AF; BTF when a byte ended with DR empty. Receiver: bytes are received while ADDR
 * is clear, ACKed per CR1.ACK at the end of the byte (with POS, per ACK at its start — the N = 2 method);
 * RxNE when DR is full, BTF (clock stretched) when another byte waits in the shift register; reception
 * stops after a NACKed byte. STOP (or START for a repeated start) is generated once the byte under way
 * ends. Event IRQ: SB, ADDR, BTF, STOPF (+ TxE, RxNE with ITBUFEN) with ITEVTEN; error IRQ: BERR, ARLO,
 * AF, OVR, PECERR, TIMEOUT, SMBALERT with ITERREN. Not modelled: slave mode, 10-bit addresses (AF), SMBus,
 * PEC, DMA requests, arbitration loss (single master).
 */
import type { Logger } from '../../core/logger.js';
import { RegisterBank } from '../../core/registers.js';
import type { Scheduler } from '../../core/scheduler.js';
import type { I2cDevice } from '../../devices/i2c-device.js';
import { warnUnmapped, type IrqOutput } from './device-context.js';

export interface I2cConfig {
  readonly name: string;
  readonly base: number;
  readonly eventIrq: number;
  readonly errorIrq: number;
  /** RCC_APB1ENR/APB1RSTR bit. */
  readonly rccBit: number;
}

export const STM32F411_I2CS: readonly I2cConfig[] = [
  { name: 'i2c1', base: 0x4000_5400, eventIrq: 31, errorIrq: 32, rccBit: 21 },
  { name: 'i2c2', base: 0x4000_5800, eventIrq: 33, errorIrq: 34, rccBit: 22 },
  { name: 'i2c3', base: 0x4000_5c00, eventIrq: 72, errorIrq: 73, rccBit: 23 },
];

export const I2C_SR1 = {
  SB: 1 << 0,
  ADDR: 1 << 1,
  BTF: 1 << 2,
  ADD10: 1 << 3,
  STOPF: 1 << 4,
  RXNE: 1 << 6,
  TXE: 1 << 7,
  BERR: 1 << 8,
  ARLO: 1 << 9,
  AF: 1 << 10,
  OVR: 1 << 11,
} as const;
export const I2C_SR2 = { MSL: 1 << 0, BUSY: 1 << 1, TRA: 1 << 2 } as const;
const CR1 = { PE: 1 << 0, START: 1 << 8, STOP: 1 << 9, ACK: 1 << 10, POS: 1 << 11, SWRST: 1 << 15 } as const;
const CR2 = { ITERREN: 1 << 8, ITEVTEN: 1 << 9, ITBUFEN: 1 << 10, DMAEN: 1 << 11 } as const;
const ERRORS = 0xdf00;

export interface I2cEnvironment {
  scheduler: Scheduler;
  log: Logger;
  eventIrq: IrqOutput;
  errorIrq: IrqOutput;
  pclk1(): number;
  cyclesFor(seconds: number): number;
}

type Phase = 'idle' | 'start' | 'address' | 'addressed' | 'tx' | 'rx';

export class Stm32I2c {
  readonly regs: RegisterBank;
  private readonly devices = new Map<number, I2cDevice>();
  private target: I2cDevice | null = null;
  private phase: Phase = 'idle';
  /** SR1 was read since the last SR2/DR access (the clear sequences of SB, ADDR, BTF). */
  private sr1Read = false;
  /** Byte in the shift register being sent. */
  private shifter: number | null = null;
  /** Received byte held in the shift register while DR is full (BTF, clock stretched). */
  private rxHeld: number | null = null;
  /** ACK sent for the last received byte. */
  private rxAcked = true;
  /** DR holds a byte to send (TxE = 0). */
  private txPending = false;
  private rxAckAtStart = true;
  private readonly event;
  private dmaLevels = { tx: false, rx: false };
  /**
   * DMA request outputs (dma.ts's DmaRequester shape): 'tx' while TxE in a transmission, 'rx' while RxNE,
   * both only with CR2.DMAEN. Not yet in dma.ts's request table; CR2.LAST (NACK after the DMA's last byte)
   * is not modelled.
   */
  onDmaRequest: ((req: 'tx' | 'rx', active: boolean) => void) | null = null;

  constructor(
    readonly config: I2cConfig,
    private readonly env: I2cEnvironment,
  ) {
    this.regs = new RegisterBank(config.name.toUpperCase(), [
      { name: 'CR1', offset: 0x00, writable: 0xbffb, write: (v, old) => this.writeCr1(v, old) },
      { name: 'CR2', offset: 0x04, writable: 0x1f3f, write: () => this.updateIrq() },
      { name: 'OAR1', offset: 0x08, writable: 0x83ff, reset: 0 },
      { name: 'OAR2', offset: 0x0c, writable: 0xff },
      { name: 'DR', offset: 0x10, writable: 0xff, read: () => this.readDr(), write: (v) => this.writeDr(v & 0xff) },
      { name: 'SR1', offset: 0x14, writable: 0, w0c: ERRORS, read: (v) => this.readSr1(v), write: () => this.updateIrq() },
      { name: 'SR2', offset: 0x18, writable: 0, read: (v) => this.readSr2(v) },
      { name: 'CCR', offset: 0x1c, writable: 0xcfff },
      { name: 'TRISE', offset: 0x20, reset: 2, writable: 0x3f },
      { name: 'FLTR', offset: 0x24, writable: 0x1f },
    ], { onUnmapped: warnUnmapped(env.log, config.name) });
    this.event = env.scheduler.event(`${config.name}-bus`, () => this.busEvent());
  }

  read(offset: number, size: 1 | 2 | 4): number {
    return this.regs.read(offset, size);
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.regs.write(offset, size, value);
  }

  /** Connects a device at its 7-bit address (one per address). */
  attach(device: I2cDevice): void {
    if (this.devices.has(device.address)) throw new Error(`${this.config.name}: two devices at address 0x${device.address.toString(16)}`);
    this.devices.set(device.address, device);
  }

  reset(): void {
    this.env.scheduler.cancel(this.event);
    this.regs.reset();
    this.target = null;
    this.phase = 'idle';
    this.sr1Read = false;
    this.shifter = null;
    this.rxHeld = null;
    this.txPending = false;
    this.updateIrq();
  }

  /** One SCL period in seconds from CCR and PCLK1 (CCR = 0: 100 kHz). */
  sclPeriod(): number {
    const ccr = this.regs.get('CCR');
    const n = ccr & 0xfff;
    const pclk1 = this.env.pclk1();
    if (n === 0 || pclk1 === 0) return 1e-5;
    const mult = ccr & (1 << 15) ? (ccr & (1 << 14) ? 25 : 3) : 2;
    return (mult * n) / pclk1;
  }

  // ---- registers --------------------------------------------------------------------------------

  private sr1(): number {
    return this.regs.get('SR1');
  }
  private setSr1(bits: number, on: boolean): void {
    this.regs.setBits('SR1', bits, on);
    this.updateIrq();
  }
  private setSr2(bits: number, on: boolean): void {
    this.regs.setBits('SR2', bits, on);
  }

  private writeCr1(v: number, old: number): void {
    if (v & CR1.SWRST) {
      // Software reset: everything but CR1.SWRST itself returns to reset values.
      this.reset();
      this.regs.set('CR1', CR1.SWRST);
      return;
    }
    if (!(v & CR1.PE)) {
      if (old & CR1.PE) {
        // PE = 0: the interface is released; flags and the bus state are cleared.
        this.env.scheduler.cancel(this.event);
        this.target = null;
        this.phase = 'idle';
        this.shifter = null;
        this.rxHeld = null;
        this.txPending = false;
        this.regs.set('SR1', 0);
        this.regs.set('SR2', 0);
      }
      this.regs.set('CR1', v & ~(CR1.START | CR1.STOP));
      this.updateIrq();
      return;
    }
    const rose = v & ~old;
    if (rose & CR1.START && (this.phase === 'idle' || this.busIdleForCondition())) this.generateStart();
    if (rose & CR1.STOP && this.busIdleForCondition()) this.generateStop();
  }

  /** Can a START/STOP go out now (no byte under way)? */
  private busIdleForCondition(): boolean {
    return !this.event.scheduled || this.phase === 'idle';
  }

  private readSr1(v: number): number {
    this.sr1Read = true;
    return v;
  }

  private readSr2(v: number): number {
    if (this.sr1Read && this.sr1() & I2C_SR1.ADDR) {
      this.sr1Read = false;
      this.setSr1(I2C_SR1.ADDR, false);
      this.addressCleared();
    }
    return v;
  }

  private readDr(): number {
    const v = this.regs.get('DR');
    const sr1 = this.sr1();
    if (this.sr1Read && sr1 & I2C_SR1.BTF) this.setSr1(I2C_SR1.BTF, false);
    this.sr1Read = false;
    if (sr1 & I2C_SR1.RXNE) {
      if (this.rxHeld !== null) {
        // The byte held in the shift register (BTF) moves to DR; the clock is released.
        this.regs.set('DR', this.rxHeld);
        this.rxHeld = null;
        this.setSr1(I2C_SR1.BTF, false);
        if (this.phase === 'rx') this.afterReceive();
      } else this.setSr1(I2C_SR1.RXNE, false);
    }
    return v;
  }

  private writeDr(v: number): void {
    const sr1 = this.sr1();
    const sr1Read = this.sr1Read;
    this.sr1Read = false;
    if (sr1 & I2C_SR1.SB && sr1Read) {
      // Address phase: SB cleared by SR1 read + DR write.
      this.setSr1(I2C_SR1.SB, false);
      this.phase = 'address';
      this.env.scheduler.schedule(this.event, this.env.cyclesFor(9 * this.sclPeriod()));
      return;
    }
    if (this.phase !== 'tx') return;
    if (sr1 & I2C_SR1.BTF) this.setSr1(I2C_SR1.BTF, false); // the transfer resumes
    if (this.shifter === null) this.shiftOut(v);
    else {
      this.txPending = true;
      this.setSr1(I2C_SR1.TXE, false);
    }
  }

  // ---- bus --------------------------------------------------------------------------------------

  private generateStart(): void {
    this.phase = 'start';
    this.env.scheduler.schedule(this.event, this.env.cyclesFor(this.sclPeriod()));
  }

  private generateStop(): void {
    this.env.scheduler.cancel(this.event);
    this.target?.stop();
    this.target = null;
    this.phase = 'idle';
    this.shifter = null;
    this.txPending = false;
    this.regs.setBits('CR1', CR1.STOP, false);
    this.regs.setBits('SR1', I2C_SR1.TXE | I2C_SR1.BTF | I2C_SR1.ADDR, false);
    this.setSr2(I2C_SR2.MSL | I2C_SR2.BUSY | I2C_SR2.TRA, false);
    this.updateIrq();
  }

  private shiftOut(byte: number): void {
    this.shifter = byte;
    this.txPending = false;
    this.setSr1(I2C_SR1.TXE, true);
    this.env.scheduler.schedule(this.event, this.env.cyclesFor(9 * this.sclPeriod()));
  }

  private addressCleared(): void {
    if (this.phase !== 'addressed') return;
    if (this.regs.get('SR2') & I2C_SR2.TRA) {
      this.phase = 'tx';
      this.setSr1(I2C_SR1.TXE, true);
    } else {
      this.phase = 'rx';
      this.receiveNext();
    }
  }

  private receiveNext(): void {
    this.rxAckAtStart = (this.regs.get('CR1') & CR1.ACK) !== 0;
    this.env.scheduler.schedule(this.event, this.env.cyclesFor(9 * this.sclPeriod()));
  }

  /** A START, address byte, data byte or received byte has ended on the bus. */
  private busEvent(): void {
    const cr1 = this.regs.get('CR1');
    switch (this.phase) {
      case 'start':
        this.regs.setBits('CR1', CR1.START, false);
        this.regs.setBits('SR1', I2C_SR1.TXE | I2C_SR1.BTF, false);
        this.shifter = null;
        this.txPending = false;
        this.setSr2(I2C_SR2.MSL | I2C_SR2.BUSY, true);
        this.setSr1(I2C_SR1.SB, true);
        return;
      case 'address': {
        const a = this.regs.get('DR');
        const read = (a & 1) !== 0;
        const dev = this.devices.get(a >>> 1) ?? null;
        if (this.target !== null && this.target !== dev) this.target.stop(); // repeated START to another device
        this.target = dev;
        if (dev === null || !dev.start(read)) {
          this.env.log.debug(`${this.config.name}: no ACK from address 0x${(a >>> 1).toString(16)}`);
          this.phase = 'idle';
          this.setSr1(I2C_SR1.AF, true);
          return this.pendingCondition(cr1);
        }
        this.phase = 'addressed';
        this.setSr2(I2C_SR2.TRA, !read);
        this.setSr1(I2C_SR1.ADDR, true);
        return;
      }
      case 'tx': {
        const byte = this.shifter!;
        this.shifter = null;
        const ack = this.target!.write(byte);
        if (!ack) {
          this.setSr1(I2C_SR1.AF, true);
          this.txPending = false;
          return this.pendingCondition(cr1);
        }
        if (this.txPending) this.shiftOut(this.regs.get('DR'));
        else {
          this.setSr1(I2C_SR1.BTF, true);
          this.pendingCondition(cr1);
        }
        return;
      }
      case 'rx': {
        const byte = this.target!.read() & 0xff;
        const ack = cr1 & CR1.POS ? this.rxAckAtStart : (cr1 & CR1.ACK) !== 0;
        if (this.sr1() & I2C_SR1.RXNE) {
          this.rxHeld = byte; // DR full: hold it, stretch the clock
          this.setSr1(I2C_SR1.BTF, true);
          this.rxAcked = ack;
          return;
        }
        this.regs.set('DR', byte);
        this.setSr1(I2C_SR1.RXNE, true);
        this.rxAcked = ack;
        this.afterReceive();
        return;
      }
      default:
    }
  }

  /** After a received byte reached DR: continue, or end with the requested STOP/START. */
  private afterReceive(): void {
    const cr1 = this.regs.get('CR1');
    if (this.rxAcked && !(cr1 & (CR1.STOP | CR1.START))) this.receiveNext();
    else this.pendingCondition(cr1);
  }

  /** The bus is between bytes: a requested STOP or repeated START goes out now. */
  private pendingCondition(cr1: number): void {
    if (cr1 & CR1.STOP) this.generateStop();
    else if (cr1 & CR1.START) this.generateStart();
  }

  private updateIrq(): void {
    const sr1 = this.regs.get('SR1');
    const cr2 = this.regs.get('CR2');
    let ev = sr1 & (I2C_SR1.SB | I2C_SR1.ADDR | I2C_SR1.BTF | I2C_SR1.ADD10 | I2C_SR1.STOPF);
    if (cr2 & CR2.ITBUFEN) ev |= sr1 & (I2C_SR1.TXE | I2C_SR1.RXNE);
    this.env.eventIrq.set((cr2 & CR2.ITEVTEN) !== 0 && ev !== 0);
    this.env.errorIrq.set((cr2 & CR2.ITERREN) !== 0 && (sr1 & ERRORS) !== 0);
    const dma = (cr2 & CR2.DMAEN) !== 0;
    this.dmaOut('tx', dma && this.phase === 'tx' && (sr1 & I2C_SR1.TXE) !== 0);
    this.dmaOut('rx', dma && (sr1 & I2C_SR1.RXNE) !== 0);
  }

  private dmaOut(req: 'tx' | 'rx', active: boolean): void {
    if (this.dmaLevels[req] === active) return;
    this.dmaLevels[req] = active;
    this.onDmaRequest?.(req, active);
  }
}
