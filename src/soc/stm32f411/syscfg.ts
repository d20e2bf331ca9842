/**
 * STM32F411 system configuration controller (RM0383 §7): MEMRMP, PMC, EXTICR1–4, CMPCR.
 *
 * - MEMRMP.MEM_MODE (bits 1:0): what appears at 0x00000000 — 00 main flash, 01 system flash, 11 SRAM1
 *   (10 is reserved on the F411). Its reset value is the boot mode the BOOT pins select, given by the
 *   factory; every change calls `onRemap` so the SoC can re-point the alias.
 * - EXTICR1–4: 4 bits per EXTI line 0–15 choosing the port (0 A … 4 E, 7 H). SYSCFG forwards level
 *   changes of the selected pin to the EXTI; switching the mux only records the new pin's level (no edge).
 * - CMPCR: CMP_PD (bit 0) powers the I/O compensation cell; READY (bit 8) follows it at once (the cell's
 *   start-up is not modelled).
 * - PMC: ADC1DC2 (bit 16) stored.
 */
import type { Logger } from '../../core/logger.js';
import type { Pin } from '../../core/pins.js';
import { warnUnmapped } from './device-context.js';
import { RegisterBank } from '../../core/registers.js';
import type { Exti } from './exti.js';

export const SYSCFG_BASE = 0x40013800;
export const MEM_MODE = { FLASH: 0, SYSTEM: 1, SRAM: 3 } as const;

export class Syscfg {
  readonly regs: RegisterBank;
  /** Called after MEM_MODE changes (and on reset) with the new mode. */
  onRemap: ((mode: number) => void) | null = null;

  constructor(
    private readonly exti: Exti,
    /** Pins by EXTICR port code (index 0 = port A … 7 = port H); missing ports read as unconnected. */
    private readonly portPins: readonly (readonly Pin[] | undefined)[],
    /** MEM_MODE at reset, from the BOOT pins (BOOT0=0: flash; BOOT0=1, BOOT1=0: system memory). */
    private readonly bootMode = 0,
    /** Where accesses to reserved offsets are reported (once each). */
    log?: Logger,
  ) {
    const exticr = (n: number) => ({
      name: `EXTICR${n + 1}`,
      offset: 0x08 + 4 * n,
      writable: 0xffff,
      write: () => this.remapLines(4 * n),
    });
    this.regs = new RegisterBank('syscfg', [
      {
        name: 'MEMRMP',
        offset: 0x00,
        reset: bootMode & 3,
        writable: 3,
        write: (v, old) => {
          if ((v & 3) !== (old & 3)) this.onRemap?.(v & 3);
        },
      },
      { name: 'PMC', offset: 0x04, writable: 1 << 16 },
      exticr(0),
      exticr(1),
      exticr(2),
      exticr(3),
      {
        name: 'CMPCR',
        offset: 0x20,
        writable: 1,
        write: (v) => this.regs.set('CMPCR', (v & 1) | ((v & 1) << 8)),
      },
    ], { onUnmapped: warnUnmapped(log, 'syscfg') });
    portPins.forEach((pins, code) => {
      pins?.forEach((pin, line) => pin.onChange((level) => this.pinChanged(code, line, level)));
    });
    this.remapLines(0, 16);
  }

  reset(): void {
    this.regs.reset();
    this.remapLines(0, 16);
    this.onRemap?.(this.bootMode & 3);
  }

  /** The port code EXTI line `line` (0–15) listens to. */
  portOf(line: number): number {
    const r = this.regs.values[2 + (line >> 2)]!;
    return (r >>> (4 * (line & 3))) & 0xf;
  }

  private pinChanged(code: number, line: number, level: boolean): void {
    if (this.portOf(line) === code) this.exti.setLine(line, level);
  }

  private remapLines(first: number, count = 4): void {
    for (let l = first; l < first + count; l++) {
      const pin = this.portPins[this.portOf(l)]?.[l];
      this.exti.syncLine(l, pin?.level ?? false);
    }
  }

  read(offset: number, size: 1 | 2 | 4): number {
    return this.regs.read(offset, size);
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.regs.write(offset, size, value);
  }
}
