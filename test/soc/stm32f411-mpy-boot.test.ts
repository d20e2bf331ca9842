/**
 * MicroPython's NUCLEO_F411RE boot path without MicroPython: test/firmware/f411/src/mpy_boot.c walks the
 * same registers (HSE bypass, PLL 96 MHz, wait states, SWS, USART2 BRR 0xD0, SysTick via an SRAM vector
 * table, bit-band, PC13, LSI, RX interrupt, sector erase + word programming) and checks them against
 * RM0383 itself; here we also check the machine state it leaves behind. docs/real-firmware.md has the
 * real firmware run.
 */
import { describe, expect, it } from 'vitest';
import { runF411Program } from '../firmware/f411/programs.js';

describe('MicroPython boot path on NUCLEO_F411RE (our mpy_boot.c)', () => {
  const r = runF411Program('mpy_boot');

  it('passes every register check and exits 0', () => {
    expect(r.stdout).not.toMatch(/FAIL/);
    expect(r.stdout).toContain('96 MHz: console at BRR 0xD0');
    expect(r.reason).toBe('exit');
    expect(r.status).toBe(0);
  });

  it('leaves the clock tree at 96 MHz SYSCLK, 24 MHz PCLK1, 48 MHz PCLK2', () => {
    const soc = r.machine.soc as unknown as { currentHz?: () => number };
    expect(soc.currentHz?.()).toBe(96_000_000);
  });

  it('keeps the programmed FAT-like words in flash sector 1 and the rest erased', () => {
    const word = (a: number) => r.machine.bus.read32(a);
    expect(word(0x0800_4000) >>> 0).toBe(0x903c58eb);
    expect(word(0x0800_400c) >>> 0).toBe(0x00020200);
    expect(word(0x0800_4010) >>> 0).toBe(0xffffffff);
    expect(word(0x0800_7ffc) >>> 0).toBe(0xaa550000);
  });

  it('spends about the typical 250 ms erase (x32) plus start-up in virtual time, not seconds', () => {
    const s = r.machine.seconds;
    expect(s).toBeGreaterThan(0.25);
    expect(s).toBeLessThan(0.5);
  });
});
