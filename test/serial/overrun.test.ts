/**
 * RX overrun (issue 4 "Timing"): paced host input is a wire, and a guest that does not read in time loses
 * bytes as on hardware; `--uart-instant` (and direct injection) is flow-controlled and never overruns.
 * CMSDK APB UART (mps2-an386): STATE.RXOVERRUN (bit 3, W1C), INTSTATUS.RXO (bit 3, with CTRL.RXO_INTEN),
 * the overrun IRQ (12 on an386), the newest byte left in DATA as QEMU's model documents. The STM32F411
 * USART's ORE path runs in test/firmware/f411/src/uart_echo.c ("ore" line) and end to end in f411-serial.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IrqLine } from '../../src/core/irq.js';
import { UartPort } from '../../src/core/uart-port.js';
import { CmsdkUart, UART_CTRL, UART_INT, UART_STATE } from '../../src/soc/mps2/cmsdk-uart.js';
import { clocked, RecordingIrq } from '../soc/mps2-helpers.js';
import { RxPacer } from '../../src/serial/rx-pacer.js';

const ROOT = join(__dirname, '../..');
const FW = join(ROOT, 'test/firmware/bin/uart_overrun.elf');
const DATA = 0x00;
const STATE = 0x04;
const CTRL = 0x08;
const INTSTATUS = 0x0c;

function make(paced: boolean) {
  const irq = new RecordingIrq();
  const port = new UartPort('uart0');
  port.rxPaced = paced;
  const u = new CmsdkUart(port, { rx: new IrqLine(irq, 0), tx: new IrqLine(irq, 1), txOverrun: null, rxOverrun: new IrqLine(irq, 12) });
  u.reset();
  return { r: u.regs, irq, port };
}

describe('CMSDK UART RX overrun', () => {
  it('paced input: a byte arriving while RXFULL sets RXOVERRUN, replaces DATA, raises RXO and the overrun IRQ; W1C clears it', () => {
    const { r, irq, port } = make(true);
    r.write(CTRL, 4, UART_CTRL.RX_EN | UART_CTRL.RXO_INTEN);
    port.inject('a');
    expect(r.read(STATE, 4)).toBe(UART_STATE.RXFULL);
    expect(irq.high(12)).toBe(false);
    port.inject('b');
    port.inject('c');
    expect(r.read(STATE, 4)).toBe(UART_STATE.RXFULL | UART_STATE.RXOVERRUN);
    expect(r.read(INTSTATUS, 4)).toBe(UART_INT.RXO);
    expect(irq.high(12)).toBe(true);
    expect(port.rxPending).toBe(0); // lost, not queued
    expect(r.read(DATA, 4)).toBe(0x63);
    expect(r.read(STATE, 4)).toBe(UART_STATE.RXOVERRUN); // reading DATA does not clear the overrun
    r.write(STATE, 4, UART_STATE.RXOVERRUN);
    expect(r.read(STATE, 4)).toBe(0);
    expect(irq.high(12)).toBe(false);
  });

  it('paced input: INTSTATUS.RXO write-1-to-clear also clears STATE.RXOVERRUN; without RXO_INTEN no RXO interrupt', () => {
    const { r, irq, port } = make(true);
    r.write(CTRL, 4, UART_CTRL.RX_EN);
    port.inject('x');
    port.inject('y');
    expect(r.read(STATE, 4)).toBe(UART_STATE.RXFULL | UART_STATE.RXOVERRUN);
    expect(r.read(INTSTATUS, 4)).toBe(0);
    expect(irq.high(12)).toBe(false);
    r.write(CTRL, 4, UART_CTRL.RX_EN | UART_CTRL.RXO_INTEN);
    expect(irq.high(12)).toBe(true);
    r.write(INTSTATUS, 4, UART_INT.RXO);
    expect(r.read(STATE, 4)).toBe(UART_STATE.RXFULL);
    expect(irq.high(12)).toBe(false);
  });

  it('unpaced input (instant, direct injection) is flow-controlled: bytes wait, nothing overruns', () => {
    const { r, port } = make(false);
    r.write(CTRL, 4, UART_CTRL.RX_EN | UART_CTRL.RXO_INTEN);
    port.inject('abc');
    port.inject('d');
    expect(r.read(STATE, 4)).toBe(UART_STATE.RXFULL);
    expect([0, 1, 2, 3].map(() => r.read(DATA, 4))).toEqual([0x61, 0x62, 0x63, 0x64]);
    expect(r.read(STATE, 4)).toBe(0);
  });

  it('paced input while RX is disabled waits for RX_EN (sender held off, not lost)', () => {
    const { r, port } = make(true);
    port.inject('p');
    port.inject('q');
    expect(port.rxPending).toBe(2);
    r.write(CTRL, 4, UART_CTRL.RX_EN);
    expect(r.read(DATA, 4)).toBe(0x70);
    expect(r.read(DATA, 4)).toBe(0x71);
    expect(r.read(STATE, 4) & UART_STATE.RXOVERRUN).toBe(0);
  });

  it('RxPacer marks the endpoint paced (or not) and spaces bytes one frame apart at the live clock', () => {
    const c = clocked();
    const port = new UartPort('uart0');
    const got: number[] = [];
    port.onRxAvailable = () => {
      while (port.rxPending) got.push(port.takeRx(), c.clock.cycles);
    };
    let hz = 16e6;
    const pacer = new RxPacer(port, c.scheduler, () => hz, 115200);
    expect(port.rxPaced).toBe(true);
    pacer.push(Uint8Array.of(1, 2, 3));
    c.advance(1389);
    expect(got).toEqual([1, 1389]); // 10 bits at 115200 baud, 16 MHz: 1388.9 cycles
    hz = 100e6; // the guest switched to its PLL: frames scheduled from now on are 8681 cycles
    c.advance(1389 + 8681);
    expect(got).toEqual([1, 1389, 2, 2778, 3, 2778 + 8681]);
    const instant = new UartPort('uart1');
    new RxPacer(instant, c.scheduler, () => hz, 115200, true);
    expect(instant.rxPaced).toBe(false);
  });
});

describe('emboard run: overrun seen by the guest (test/firmware/src/uart_overrun.c)', () => {
  const run = (...extra: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'run', '-b', 'mps2-an386', '--semihosting', FW, '--input', 'abcdef', ...extra], {
      cwd: ROOT,
      input: '',
      timeout: 60_000,
    });

  it('at 115200 baud a guest that does not read loses bytes: RXOVERRUN, RXO, IRQ 12 pending, DATA holds the last byte', () => {
    const r = run();
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe(
      'uart overrun test: type 6 bytes\nSTATE=a INTSTATUS=8 IRQ12 pending=1 DATA=f\nafter clearing: STATE=0 INTSTATUS=0\nrest: \n',
    );
  });

  it('with --uart-instant nothing is lost: DATA holds the first byte and the rest follow', () => {
    const r = run('--uart-instant');
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe(
      'uart overrun test: type 6 bytes\nSTATE=2 INTSTATUS=0 IRQ12 pending=0 DATA=a\nafter clearing: STATE=2 INTSTATUS=0\nrest: bcdef\n',
    );
  });

  it('--input @FILE goes at the same UART pace as --input TEXT (the same overrun)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emboard-overrun-'));
    writeFileSync(join(dir, 'in.bin'), 'abcdef');
    const args = ['run', '-b', 'mps2-an386', '--semihosting', FW, '--input', `@${join(dir, 'in.bin')}`];
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, input: '', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toContain('STATE=a INTSTATUS=8 IRQ12 pending=1 DATA=f\n');
  });

  it('at 1200 baud fewer bytes have arrived when the guest looks (the fourth, d)', () => {
    const r = run('--baud', '1200');
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toContain('STATE=a INTSTATUS=8 IRQ12 pending=1 DATA=d\n');
  });
});
