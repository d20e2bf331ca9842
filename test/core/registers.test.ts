import { describe, expect, it } from 'vitest';
import { RegisterBank } from '../../src/core/registers.js';

describe('RegisterBank', () => {
  it('applies reset values, writable masks, w1c/w0c bits and byte lanes', () => {
    const writes: number[] = [];
    const bank = new RegisterBank('dev', [
      { name: 'CR', offset: 0, reset: 0x10, writable: 0xff },
      { name: 'SR', offset: 4, reset: 0xc0, w0c: 0x40 },
      { name: 'ISR', offset: 8, reset: 0x3, w1c: 0x3, writable: 0 },
      { name: 'DR', offset: 0xc, write: (v) => writes.push(v) },
    ]);
    expect(bank.read(0, 4)).toBe(0x10);
    bank.write(0, 4, 0xffff_ffff);
    expect(bank.get('CR')).toBe(0xff);
    bank.write(4, 4, ~0x40 >>> 0); // rc_w0: writing 0 clears bit 6 only
    expect(bank.get('SR') & 0xc0).toBe(0x80);
    bank.write(8, 4, 0x1);
    expect(bank.get('ISR')).toBe(0x2);
    bank.write(0xd, 1, 0xab); // byte lane 1
    expect(writes).toEqual([0xab00]);
    expect(bank.read(0xd, 1)).toBe(0xab);
    expect(bank.read(0x40, 4)).toBe(0); // RAZ outside the map
  });
});
