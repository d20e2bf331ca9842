/**
 * ARM PrimeCell PL022 synchronous serial port (ARM DDI0194), as on the AN386's SPI windows. Nothing is
 * attached to the buses, so a transfer shifts in zeros (or the transmitted word in loopback, CR1.LBM).
 * Transfers complete at once when the port is enabled (CR1.SSE), stalling only if the 8-entry receive
 * FIFO is full, like QEMU's model. Registers: CR0 (frame size in DSS), CR1, DR, SR (TFE, TNF, RNE, RFF,
 * BSY), CPSR, IMSC, RIS, MIS, ICR (clears ROR, RT), DMACR (reads 0), PeriphID/PCellID at 0xFE0-0xFFC.
 */
import { RegisterBank } from '../../core/registers.js';
import type { IrqOutput } from './cmsdk-uart.js';

const PL022_ID = [0x22, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
export const SSP_SR = { TFE: 1, TNF: 2, RNE: 4, RFF: 8, BSY: 0x10 } as const;
export const SSP_INT = { ROR: 1, RT: 2, RX: 4, TX: 8 } as const;
const FIFO = 8;

export class Pl022 {
  readonly regs: RegisterBank;
  private cr0 = 0;
  private cr1 = 0;
  private cpsr = 0;
  private im = 0;
  private is: number = SSP_INT.TX;
  private sr: number = SSP_SR.TFE | SSP_SR.TNF;
  private bitmask = 0;
  private readonly tx: number[] = [];
  private readonly rx: number[] = [];

  constructor(private readonly irq: IrqOutput | null) {
    this.regs = new RegisterBank('pl022', [
      {
        name: 'SSPCR0',
        offset: 0x00,
        read: () => this.cr0,
        write: (_v, _o, w) => {
          this.cr0 = w >>> 0;
          this.bitmask = (1 << ((w & 15) + 1)) - 1; // DSS: data size - 1
        },
      },
      {
        name: 'SSPCR1',
        offset: 0x04,
        read: () => this.cr1,
        write: (_v, _o, w) => {
          this.cr1 = w >>> 0;
          this.transfer();
        },
      },
      { name: 'SSPDR', offset: 0x08, read: () => this.readDr(), write: (_v, _o, w) => this.writeDr(w) },
      { name: 'SSPSR', offset: 0x0c, read: () => this.sr, write: () => {} },
      { name: 'SSPCPSR', offset: 0x10, read: () => this.cpsr, write: (_v, _o, w) => (this.cpsr = w & 0xff) },
      {
        name: 'SSPIMSC',
        offset: 0x14,
        read: () => this.im,
        write: (_v, _o, w) => {
          this.im = w >>> 0;
          this.update();
        },
      },
      { name: 'SSPRIS', offset: 0x18, read: () => this.is, write: () => {} },
      { name: 'SSPMIS', offset: 0x1c, read: () => this.is & this.im, write: () => {} },
      { name: 'SSPICR', offset: 0x20, read: () => 0, write: (_v, _o, w) => (this.is &= ~(w & (SSP_INT.ROR | SSP_INT.RT))) },
      { name: 'SSPDMACR', offset: 0x24, read: () => 0, write: () => {} },
      ...PL022_ID.map((v, i) => ({ name: `ID${i}`, offset: 0xfe0 + 4 * i, reset: v, writable: 0 })),
    ]);
  }

  reset(): void {
    this.tx.length = 0;
    this.rx.length = 0;
    this.im = 0;
    this.is = SSP_INT.TX;
    this.sr = SSP_SR.TFE | SSP_SR.TNF;
    this.regs.reset();
    this.irq?.set(false);
  }

  private readDr(): number {
    if (this.rx.length === 0) return 0;
    const v = this.rx.shift()!;
    this.transfer();
    return v;
  }

  private writeDr(w: number): void {
    if (this.tx.length >= FIFO) return;
    this.tx.push(w & this.bitmask);
    this.transfer();
  }

  private transfer(): void {
    if (this.cr1 & 2) {
      const loopback = (this.cr1 & 1) !== 0;
      while (this.tx.length && this.rx.length < FIFO) {
        const v = this.tx.shift()!;
        this.rx.push((loopback ? v : 0) & this.bitmask); // no slave: the bus reads zeros
      }
    }
    this.update();
  }

  private update(): void {
    const t = this.tx.length;
    const r = this.rx.length;
    this.sr = (t === 0 ? SSP_SR.TFE : 0) | (t !== FIFO ? SSP_SR.TNF : 0) | (r ? SSP_SR.RNE : 0) | (r === FIFO ? SSP_SR.RFF : 0) | (t ? SSP_SR.BSY : 0);
    this.is = (r >= 4 ? SSP_INT.RX : 0) | (t <= 4 ? SSP_INT.TX : 0);
    this.irq?.set((this.is & this.im) !== 0);
  }
}
