/** STM32F411 CRC unit (RM0383 §4): CRC-32 poly 0x04C11DB7, init 0xFFFFFFFF, words MSB first, RESET, IDR. */
import { describe, expect, it } from 'vitest';
import { Stm32Crc } from '../../src/soc/stm32f411/crc.js';

/** Bit-serial reference: CRC-32/MPEG-2 (no reflection, no final XOR) over bytes. */
function mpeg2(bytes: Iterable<number>, crc = 0xffff_ffff): number {
  for (const b of bytes) {
    crc ^= b << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000_0000 ? (crc << 1) ^ 0x04c1_1db7 : crc << 1;
    crc >>>= 0;
  }
  return crc >>> 0;
}

describe('STM32F411 CRC', () => {
  it('resets DR to 0xFFFFFFFF and computes the documented value for 0x12345678', () => {
    const c = new Stm32Crc();
    expect(c.read(0, 4) >>> 0).toBe(0xffff_ffff);
    c.write(0, 4, 0x1234_5678);
    expect(c.read(0, 4) >>> 0).toBe(0xdf8a_8a2b); // the value ST's application notes quote
  });

  it('matches CRC-32/MPEG-2 over the words taken MSB first', () => {
    const c = new Stm32Crc();
    const words = [0x3132_3334, 0x3536_3738, 0xdead_beef, 0, 0xffff_ffff];
    const bytes: number[] = [];
    for (const w of words) {
      c.write(0, 4, w);
      bytes.push(w >>> 24, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff);
    }
    expect(c.read(0, 4) >>> 0).toBe(mpeg2(bytes));
    expect(mpeg2(Buffer.from('123456789'))).toBe(0x0376_e6e7); // the reference itself: CRC-32/MPEG-2 check value
  });

  it('CR.RESET reloads DR and reads 0; IDR keeps 8 bits', () => {
    const c = new Stm32Crc();
    c.write(0, 4, 1);
    c.write(4, 4, 0x1a5);
    c.write(8, 4, 1);
    expect(c.read(0, 4) >>> 0).toBe(0xffff_ffff);
    expect(c.read(8, 4)).toBe(0);
    expect(c.read(4, 4)).toBe(0xa5); // RESET does not touch IDR
  });
});
