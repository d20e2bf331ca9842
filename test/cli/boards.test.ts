/** `emboard boards [NAME]`: MCU, clocks, memory map (from the SoC model's bus), console, LEDs, buttons. */
import { describe, expect, it } from 'vitest';
import { cliInProcess } from './in-process-cli.js';

describe('emboard boards', () => {
  it('lists every board with MCU, clocks, memory, console, LEDs and buttons', async () => {
    const r = await cliInProcess(['boards']);
    expect(r.code).toBe(0);
    const blocks = r.stdout.trimEnd().split('\n\n');
    expect(blocks.map((b) => b.split('\n')[0])).toEqual(['NUCLEO_F411RE', 'WeAct_F411CE', 'mps2-an386']);
    const nucleo = blocks[0]!;
    expect(nucleo).toContain('  MCU      STM32F411RET6 (SoC model stm32f411)');
    expect(nucleo).toContain('  clocks   core 16 MHz at reset, HSE 8 MHz (bypass), LSE 32.768 kHz');
    expect(nucleo).toContain('  memory   flash 512 KiB at 0x08000000, system-memory 32 KiB at 0x1fff0000, sram 128 KiB at 0x20000000');
    expect(nucleo).toContain('  console  usart2 (TX PA2, RX PA3)');
    expect(nucleo).toContain('  LEDs     LD2 on PA5, green');
    expect(nucleo).toContain('  buttons  B1 on PC13 (active low), external pull-up');
    const weact = blocks[1]!;
    expect(weact).toContain('HSE 25 MHz crystal');
    expect(weact).toContain('  console  usart1 (TX PA9, RX PA10)');
    expect(weact).toContain('  LEDs     LED on PC13 (active low), blue');
    expect(weact).toContain('  buttons  KEY on PA0 (active low)');
    const mps2 = blocks[2]!;
    expect(mps2).toContain('  memory   ssram1 4 MiB at 0x00000000, blockram 16 KiB at 0x01000000, ssram23 4 MiB at 0x20000000, psram 16 MiB at 0x21000000');
    expect(mps2).toContain('  LEDs     none');
  });

  it('NAME gives the full memory map with aliases, the flash sectors and the optional parts', async () => {
    const r = await cliInProcess(['boards', 'WeAct_F411CE']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('    0x00000000..0x0007ffff  512 KiB  ROM  boot-alias (alias)\n');
    expect(r.stdout).toContain('    0x08000000..0x0807ffff  512 KiB  ROM  flash\n');
    expect(r.stdout).toContain('    0x20000000..0x2001ffff  128 KiB  RAM  sram\n');
    expect(r.stdout).toContain('  flash sectors  4×16 KiB, 1×64 KiB, 3×128 KiB\n');
    expect(r.stdout).toMatch(/SPI flash footprint on spi1 \(CS PA4, SCK PA5, MISO PA6, MOSI PA7\)/);
    expect(r.stdout).toContain('USB on PA11/PA12');
  });

  it('an unknown board is a one-line error, exit 2', async () => {
    const r = await cliInProcess(['boards', 'NUCLEO_F999']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^emboard: unknown board 'NUCLEO_F999' \(known: NUCLEO_F411RE, WeAct_F411CE, mps2-an386\)\n$/);
  });
});
