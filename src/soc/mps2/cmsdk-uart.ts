/**
 * CMSDK APB UART (ARM DDI0479, "Cortex-M System Design Kit TRM"), as QEMU's mps2 machines model it:
 * one-byte TX and RX buffers, 8N1 at PCLK / BAUDDIV.
 *
 * Registers: DATA 0x00, STATE 0x04 (TXFULL, RXFULL, TXOVERRUN, RXOVERRUN; overruns are W1C), CTRL 0x08
 * (TX_EN, RX_EN, TX_INTEN, RX_INTEN, TXO_INTEN, RXO_INTEN, HSTEST), INTSTATUS 0x0C (TX, RX, TXO, RXO; W1C,
 * TXO/RXO are STATE overrun AND the CTRL enable), BAUDDIV 0x10 (20 bits), PID/CID at 0xFD0-0xFFC.
 *
 * Timing decision: like QEMU, a byte written to DATA leaves at once when TX is enabled (TXFULL is set and
 * cleared within the write, and the TX interrupt follows the full→empty transition); TXFULL stays set
 * while TX is disabled, and the byte goes out when TX is enabled.
 *
 * RX: a byte is taken from the host port whenever RX is enabled and the holding register is empty. When
 * the port's bytes are paced (`rxPaced`: one per frame time, as on a wire), a byte that arrives while
 * RXFULL is still set overruns: STATE.RXOVERRUN is set (INTSTATUS.RXO and the overrun IRQ when
 * CTRL.RXO_INTEN) and the new byte replaces the unread one, as QEMU's model documents for the hardware.
 * Unpaced input (direct injection, `--uart-instant`) is flow-controlled: bytes wait in the port until DATA
 * is read, so it never overruns. Bytes sent while RX is disabled also wait in the port (decision: a
 * sender held off rather than bytes lost, so input piped before the guest enables RX still arrives).
 */
import { RegisterBank } from '../../core/registers.js';
import type { UartPort } from '../../core/uart-port.js';

export const UART_STATE = { TXFULL: 1, RXFULL: 2, TXOVERRUN: 4, RXOVERRUN: 8 } as const;
export const UART_CTRL = { TX_EN: 1, RX_EN: 2, TX_INTEN: 4, RX_INTEN: 8, TXO_INTEN: 0x10, RXO_INTEN: 0x20, HSTEST: 0x40 } as const;
export const UART_INT = { TX: 1, RX: 2, TXO: 4, RXO: 8 } as const;

/** PID4..PID7, PID0..PID3, CID0..CID3 (part 0x821: APB UART). */
const UART_ID = [0x04, 0x00, 0x00, 0x00, 0x21, 0xb8, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

/** Anything with a `set(level)`: an IrqLine or an input of an OR gate; null when not wired. */
export interface IrqOutput {
  set(level: boolean): void;
}

export interface CmsdkUartIrqs {
  tx: IrqOutput | null;
  rx: IrqOutput | null;
  txOverrun: IrqOutput | null;
  rxOverrun: IrqOutput | null;
}

export class CmsdkUart {
  readonly regs: RegisterBank;
  private state = 0;
  private ctrl = 0;
  private intstatus = 0;
  private bauddiv = 0;
  private txbuf = 0;
  private rxbuf = 0;

  constructor(
    readonly port: UartPort,
    private readonly irqs: CmsdkUartIrqs,
  ) {
    const id = UART_ID.map((v, i) => ({ name: `PID_CID${i}`, offset: 0xfd0 + 4 * i, reset: v, writable: 0 }));
    this.regs = new RegisterBank('cmsdk-uart', [
      { name: 'DATA', offset: 0x00, read: () => this.readData(), write: (_v, _o, w) => this.writeData(w & 0xff) },
      { name: 'STATE', offset: 0x04, read: () => this.state, write: (_v, _o, w) => this.writeState(w) },
      { name: 'CTRL', offset: 0x08, read: () => this.ctrl, write: (_v, _o, w) => this.writeCtrl(w) },
      { name: 'INTSTATUS', offset: 0x0c, read: () => this.intstatus, write: (_v, _o, w) => this.writeIntStatus(w) },
      { name: 'BAUDDIV', offset: 0x10, read: () => this.bauddiv, write: (_v, _o, w) => (this.bauddiv = w & 0xfffff) },
      ...id,
    ]);
    port.onRxAvailable = () => this.rxArrived();
  }

  reset(): void {
    this.state = 0;
    this.ctrl = 0;
    this.intstatus = 0;
    this.bauddiv = 0;
    this.txbuf = 0;
    this.rxbuf = 0;
    this.regs.reset();
    this.update();
  }

  /** Baud rate the guest programmed (PCLK / BAUDDIV), or 0 while BAUDDIV is below the legal minimum of 16. */
  baudRate(pclkHz: number): number {
    return this.bauddiv >= 16 ? Math.floor(pclkHz / this.bauddiv) : 0;
  }

  private readData(): number {
    const v = this.rxbuf;
    this.state &= ~UART_STATE.RXFULL;
    this.update();
    this.pollRx();
    return v;
  }

  private writeData(byte: number): void {
    this.txbuf = byte;
    if (this.state & UART_STATE.TXFULL) {
      this.state |= UART_STATE.TXOVERRUN;
      this.update();
      return;
    }
    this.state |= UART_STATE.TXFULL;
    this.transmit();
  }

  /** Sends the buffered byte if TX is enabled; the full → empty transition raises the TX interrupt. */
  private transmit(): void {
    if (!(this.ctrl & UART_CTRL.TX_EN) || !(this.state & UART_STATE.TXFULL)) return;
    this.port.transmit(this.txbuf);
    this.state &= ~UART_STATE.TXFULL;
    if (this.ctrl & UART_CTRL.TX_INTEN) this.intstatus |= UART_INT.TX;
    this.update();
  }

  private writeState(v: number): void {
    this.state &= ~(v & (UART_STATE.TXOVERRUN | UART_STATE.RXOVERRUN));
    this.update();
  }

  private writeCtrl(v: number): void {
    this.ctrl = v & 0x7f;
    this.update();
    this.transmit(); // a byte held while TX was disabled goes out now
    this.pollRx();
  }

  private writeIntStatus(v: number): void {
    // Clearing TXO/RXO clears the overrun bits in STATE, which INTSTATUS reflects.
    this.state &= ~(v & (UART_INT.TXO | UART_INT.RXO));
    this.intstatus &= ~v;
    this.update();
  }

  /** Host bytes arrived: take one now, or (paced input finding RXFULL set) overrun with it. */
  private rxArrived(): void {
    if (this.ctrl & UART_CTRL.RX_EN && this.state & UART_STATE.RXFULL && this.port.rxPaced) {
      const b = this.port.takeRx();
      if (b < 0) return;
      this.rxbuf = b;
      this.state |= UART_STATE.RXOVERRUN;
      if (this.ctrl & UART_CTRL.RX_INTEN) this.intstatus |= UART_INT.RX;
      this.update();
      return;
    }
    this.pollRx();
  }

  /** Takes one byte from the host when RX is enabled and the holding register is empty. */
  private pollRx(): void {
    if (!(this.ctrl & UART_CTRL.RX_EN) || this.state & UART_STATE.RXFULL) return;
    const b = this.port.takeRx();
    if (b < 0) return;
    this.rxbuf = b;
    this.state |= UART_STATE.RXFULL;
    if (this.ctrl & UART_CTRL.RX_INTEN) this.intstatus |= UART_INT.RX;
    this.update();
  }

  /** Recomputes TXO/RXO (STATE overrun AND CTRL enable) and drives the interrupt lines. */
  private update(): void {
    const omask = UART_INT.TXO | UART_INT.RXO;
    this.intstatus = (this.intstatus & ~omask) | (this.state & (this.ctrl >> 2) & omask);
    const s = this.intstatus;
    this.irqs.tx?.set((s & UART_INT.TX) !== 0);
    this.irqs.rx?.set((s & UART_INT.RX) !== 0);
    this.irqs.txOverrun?.set((s & UART_INT.TXO) !== 0);
    this.irqs.rxOverrun?.set((s & UART_INT.RXO) !== 0);
  }
}

