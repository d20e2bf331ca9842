/** dfu-util 0.11's -s parsing, quirks included (each expectation observed with the real tool). */
import { describe, expect, it } from 'vitest';
import { parseDfuseOptions } from '../../../src/tools/dfu-util/dfuse.js';

describe('dfu-util -s option string', () => {
  it('address, modifiers and a length', () => {
    expect(parseDfuseOptions('0x08000000:leave:mass-erase:force:4096')).toMatchObject({ address: 0x08000000, addressPresent: true, leave: true, massErase: true, force: true, length: 4096 });
    expect(parseDfuseOptions(':will-reset')).toMatchObject({ addressPresent: false, willReset: true });
    expect(parseDfuseOptions('134217728::unprotect')).toMatchObject({ address: 0x08000000, unprotect: true });
    expect(parseDfuseOptions('')).toMatchObject({ address: 0, addressPresent: true });
  });
  it('a modifier matches any prefix of it', () => {
    expect(parseDfuseOptions('0x08000000:l')).toMatchObject({ leave: true });
    expect(parseDfuseOptions('0x08000000:m:f')).toMatchObject({ massErase: true, force: false }); // ":m" skips 10 characters
  });
  it('the cursor moves by the whole modifier: into the rest of the string, or the next argument words', () => {
    expect(() => parseDfuseOptions('0x08000000:lea:force')).toThrow('Invalid dfuse modifier: orce');
    expect(() => parseDfuseOptions('0x08000000:lea', ['-D', 'fw.bin'])).toThrow('Invalid dfuse modifier: D');
    expect(() => parseDfuseOptions('0x08000000:0x10:f', ['-U', 'up.bin'])).toThrow('Invalid dfuse modifier: up.bin');
    expect(parseDfuseOptions('0x08000000:lea', [])).toMatchObject({ leave: true }); // runs off the end: stops
  });
  it('bad words', () => {
    expect(() => parseDfuseOptions('zz:leave')).toThrow('Invalid dfuse address: zz:leave');
    expect(() => parseDfuseOptions('0x08000000:leavex')).toThrow('Invalid dfuse modifier: leavex');
    expect(() => parseDfuseOptions('0x0800000g')).toThrow('Invalid dfuse address: 0x0800000g');
  });
});
