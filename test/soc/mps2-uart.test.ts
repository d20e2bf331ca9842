/** CMSDK APB UART register behaviour (ARM DDI0479 and QEMU's cmsdk-apb-uart model). */
import { describe, expect, it } from 'vitest';
import { IrqLine } from '../../src/core/irq.js';
import { UartPort } from '../../src/core/uart-port.js';
import { CmsdkUart, UART_CTRL, UART_INT, UART_STATE } from '../../src/soc/mps2/cmsdk-uart.js';
import { RecordingIrq } from './mps2-helpers.js';

const DATA = 0x00;
const STATE = 0x04;
const CTRL = 0x08;
const INTSTATUS = 0x0c;
const BAUDDIV = 0x10;

function make() {
  const irq = new RecordingIrq();
  const port = new UartPort('uart0');
  const sent: number[] = [];
  port.onTransmit((b) => sent.push(b));
  const u = new CmsdkUart(port, {
    rx: new IrqLine(irq, 0),
    tx: new IrqLine(irq, 1),
    txOverrun: new IrqLine(irq, 12),
    rxOverrun: new IrqLine(irq, 13),
  });
  u.reset();
  return { u, r: u.regs, irq, port, sent };
}

describe('CMSDK APB UART', () => {
  it('resets to zero and has the CMSDK UART peripheral ID', () => {
    const { r } = make();
    for (const off of [DATA, STATE, CTRL, INTSTATUS, BAUDDIV]) expect(r.read(off, 4)).toBe(0);
    // PID0 = 0x21 (part number 0x821 low byte), PID1 = 0xB8, PID2 = 0x1B, CID0..3 = 0D F0 05 B1.
    expect([0xfe0, 0xfe4, 0xfe8, 0xfd0].map((o) => r.read(o, 4))).toEqual([0x21, 0xb8, 0x1b, 0x04]);
    expect([0xff0, 0xff4, 0xff8, 0xffc].map((o) => r.read(o, 4))).toEqual([0x0d, 0xf0, 0x05, 0xb1]);
  });

  it('transmits immediately with TX_EN and leaves TXFULL clear', () => {
    const { r, sent } = make();
    r.write(CTRL, 4, UART_CTRL.TX_EN);
    r.write(DATA, 4, 0x141); // only the low byte is data
    r.write(DATA, 1, 0x42);
    expect(sent).toEqual([0x41, 0x42]);
    expect(r.read(STATE, 4) & UART_STATE.TXFULL).toBe(0);
  });

  it('holds a byte with TXFULL while TX is disabled; a second write overruns; enabling TX sends the held byte', () => {
    const { r, sent, irq } = make();
    r.write(DATA, 4, 0x31);
    expect(sent).toEqual([]);
    expect(r.read(STATE, 4)).toBe(UART_STATE.TXFULL);
    r.write(DATA, 4, 0x32); // buffer full: TXOVERRUN, the byte replaces the held one (QEMU keeps the last)
    expect(r.read(STATE, 4)).toBe(UART_STATE.TXFULL | UART_STATE.TXOVERRUN);
    // TXO in INTSTATUS is STATE.TXOVERRUN AND CTRL.TXO_INTEN: not enabled yet.
    expect(r.read(INTSTATUS, 4)).toBe(0);
    r.write(CTRL, 4, UART_CTRL.TXO_INTEN);
    expect(r.read(INTSTATUS, 4)).toBe(UART_INT.TXO);
    expect(irq.high(12)).toBe(true);
    // W1C on STATE clears the overrun and with it the interrupt.
    r.write(STATE, 4, UART_STATE.TXOVERRUN | UART_STATE.TXFULL);
    expect(r.read(STATE, 4)).toBe(UART_STATE.TXFULL); // TXFULL is read-only
    expect(irq.high(12)).toBe(false);
    r.write(CTRL, 4, UART_CTRL.TX_EN);
    expect(sent).toEqual([0x32]);
    expect(r.read(STATE, 4)).toBe(0);
  });

  it('raises the TX interrupt on each full→empty transition with TX_INTEN, cleared by writing INTSTATUS', () => {
    const { r, irq } = make();
    r.write(CTRL, 4, UART_CTRL.TX_EN | UART_CTRL.TX_INTEN);
    expect(irq.high(1)).toBe(false); // enabling alone does not interrupt
    r.write(DATA, 4, 0x55);
    expect(r.read(INTSTATUS, 4)).toBe(UART_INT.TX);
    expect(irq.high(1)).toBe(true);
    r.write(INTSTATUS, 4, UART_INT.RX); // other bits: no effect on TX
    expect(irq.high(1)).toBe(true);
    r.write(INTSTATUS, 4, UART_INT.TX);
    expect(irq.high(1)).toBe(false);
    expect(r.read(INTSTATUS, 4)).toBe(0);
  });

  it('receives one byte at a time from the port when RX_EN, with RXFULL and the RX interrupt', () => {
    const { r, irq, port } = make();
    port.inject('AB');
    expect(r.read(STATE, 4) & UART_STATE.RXFULL).toBe(0); // RX disabled: bytes wait in the port
    r.write(CTRL, 4, UART_CTRL.RX_EN | UART_CTRL.RX_INTEN);
    expect(r.read(STATE, 4)).toBe(UART_STATE.RXFULL);
    expect(irq.high(0)).toBe(true);
    expect(port.rxPending).toBe(1);
    // Reading DATA returns the byte, clears RXFULL, and the next byte is taken at once.
    expect(r.read(DATA, 4)).toBe(0x41);
    expect(r.read(STATE, 4)).toBe(UART_STATE.RXFULL);
    r.write(INTSTATUS, 4, UART_INT.RX);
    expect(irq.high(0)).toBe(false);
    expect(r.read(DATA, 4)).toBe(0x42);
    expect(r.read(STATE, 4)).toBe(0);
    // Reading DATA does not clear the latched RX interrupt; only a new byte sets it again.
    expect(r.read(INTSTATUS, 4)).toBe(0);
    port.inject('C');
    expect(r.read(INTSTATUS, 4)).toBe(UART_INT.RX);
    expect(r.read(DATA, 1)).toBe(0x43);
    expect(r.read(INTSTATUS, 4)).toBe(UART_INT.RX);
  });

  it('keeps BAUDDIV to 20 bits and computes the baud rate from PCLK', () => {
    const { u, r } = make();
    r.write(BAUDDIV, 4, 0xfff_ffff);
    expect(r.read(BAUDDIV, 4)).toBe(0xfffff);
    r.write(BAUDDIV, 4, 217);
    expect(u.baudRate(25_000_000)).toBe(115207);
    r.write(BAUDDIV, 4, 15); // below the legal minimum of 16
    expect(u.baudRate(25_000_000)).toBe(0);
  });

  it('masks CTRL to 7 bits', () => {
    const { r } = make();
    r.write(CTRL, 4, 0xffff_ffff);
    expect(r.read(CTRL, 4)).toBe(0x7f);
  });
});
