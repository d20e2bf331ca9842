/**
 * STM32F411 CRC calculation unit (RM0383 §4), base 0x40023000: CRC-32 (Ethernet) polynomial 0x04C11DB7,
 * initial value 0xFFFFFFFF, 32-bit data words processed most significant bit first, no reflection and
 * no final XOR. A write to DR feeds one word (byte and halfword writes feed the whole bus word as the
 * AHB write puts it: the lane value placed in the word, the other lanes zero — firmware uses words); IDR
 * is a free 8-bit scratch register; CR.RESET (write 1, reads 0) reloads DR with 0xFFFFFFFF.
 */
import type { Logger } from '../../core/logger.js';
import { RegisterBank } from '../../core/registers.js';
import { warnUnmapped } from './device-context.js';

export const CRC_BASE = 0x4002_3000;
export const CRC32_POLY = 0x04c1_1db7;

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x8000_0000 ? (c << 1) ^ CRC32_POLY : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** One 32-bit word into the CRC, MSB first (the unit's four AHB cycles). */
export function crc32Word(crc: number, word: number): number {
  let c = (crc ^ word) >>> 0;
  for (let i = 0; i < 4; i++) c = ((c << 8) ^ TABLE[c >>> 24]!) >>> 0;
  return c;
}

export class Stm32Crc {
  readonly regs: RegisterBank;

  constructor(log?: Logger) {
    this.regs = new RegisterBank('CRC', [
      { name: 'DR', offset: 0x00, reset: 0xffff_ffff, write: (_v, old, w) => this.regs.set('DR', crc32Word(old, w)) },
      { name: 'IDR', offset: 0x04, writable: 0xff },
      { name: 'CR', offset: 0x08, writable: 0, write: (_v, _o, w) => w & 1 && this.regs.set('DR', 0xffff_ffff) },
    ], { onUnmapped: warnUnmapped(log, 'crc') });
  }

  read(offset: number, size: 1 | 2 | 4): number {
    return this.regs.read(offset, size);
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.regs.write(offset, size, value);
  }
  reset(): void {
    this.regs.reset();
  }
}
