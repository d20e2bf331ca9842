/**
 * Byte identity with GNU objcopy on a corpus of our own files: every ELF in test/firmware/bin, the
 * fixtures/lma.elf (data with LMA ≠ VMA, a gap), objcopy-relocated variants (flash at 0x08000000, a
 * section outside every segment, a section straddling a 64 KiB window), Intel HEX written by objcopy and
 * raw binaries at bases that exercise 02/03/04/05 records. Skips visibly without arm-none-eabi-objcopy.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin2hex, elf2bin, elf2hex, hex2bin } from '../../src/tools/image-tools.js';

const OBJCOPY = 'arm-none-eabi-objcopy';
function has(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const haveObjcopy = has(OBJCOPY);
const FIRMWARE = join(__dirname, '../firmware/bin');
const LMA = join(__dirname, 'fixtures/lma.elf');

function objcopy(...args: string[]): void {
  execFileSync(OBJCOPY, args, { stdio: ['ignore', 'ignore', 'ignore'] });
}
const same = (a: string, b: string) => Buffer.compare(readFileSync(a), readFileSync(b)) === 0;

/** Pseudo-random but reproducible bytes (no Math.random in tests). */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe.skipIf(!haveObjcopy)('byte identity with arm-none-eabi-objcopy (skipped without binutils-arm-none-eabi)', () => {
  const dir = haveObjcopy ? mkdtempSync(join(tmpdir(), 'emboard-objcopy-')) : '';
  const elfs = (): string[] => {
    const list = readdirSync(FIRMWARE)
      .filter((f) => f.endsWith('.elf'))
      .map((f) => join(FIRMWARE, f));
    list.push(LMA);
    const hello = join(FIRMWARE, 'hello.elf');
    const blob = join(dir, 'blob.bin');
    writeFileSync(blob, bytes(100, 7));
    const v1 = join(dir, 'flash.elf');
    objcopy('--change-addresses', '0x08000000', hello, v1);
    const v2 = join(dir, 'extra.elf');
    const add = ['--add-section', `.extra=${blob}`, '--set-section-flags', '.extra=alloc,load,contents,data'];
    objcopy(...add, '--change-section-address', '.extra=0x1000', hello, v2);
    const v3 = join(dir, 'straddle.elf');
    objcopy(...add, '--change-section-address', '.extra=0xfff0', hello, v3);
    const v4 = join(dir, 'lma-high.elf');
    objcopy('--change-addresses', '0x00ff0000', LMA, v4);
    return [...list, v1, v2, v3, v4];
  };

  it('elf2bin = objcopy -O binary and elf2hex = objcopy -O ihex for every ELF of the corpus', () => {
    const corpus = elfs();
    expect(corpus.length).toBeGreaterThanOrEqual(20);
    for (const elf of corpus) {
      const ref = join(dir, 'ref');
      const ours = join(dir, 'ours');
      objcopy('-O', 'binary', elf, ref);
      elf2bin(elf, ours);
      expect(same(ref, ours), `${elf} (binary)`).toBe(true);
      objcopy('-O', 'ihex', elf, ref);
      elf2hex(elf, ours);
      expect(same(ref, ours), `${elf} (ihex)`).toBe(true);
    }
  });

  it('elf2bin --gap-fill and --pad-to = objcopy --gap-fill/--pad-to', () => {
    const ref = join(dir, 'ref');
    const ours = join(dir, 'ours');
    objcopy('-O', 'binary', '--gap-fill', '0xff', LMA, ref);
    elf2bin(LMA, ours, { gapFill: 0xff });
    expect(same(ref, ours)).toBe(true);
    objcopy('-O', 'binary', '--gap-fill', '0xa5', '--pad-to', '0x08080000', LMA, ref);
    elf2bin(LMA, ours, { gapFill: 0xa5, padTo: 0x08080000 });
    expect(same(ref, ours)).toBe(true);
    expect(readFileSync(ours).length).toBe(0x80000);
  });

  it('hex2bin = objcopy -I ihex -O binary on HEX files objcopy wrote (gaps 0x00 by default, --gap-fill, --pad-to)', () => {
    const hexes: string[] = [];
    for (const elf of [...elfs().slice(-5), join(FIRMWARE, 'uart_echo.elf')]) {
      const h = join(dir, `h${hexes.length}.hex`);
      objcopy('-O', 'ihex', elf, h);
      hexes.push(h);
    }
    const ref = join(dir, 'ref');
    const ours = join(dir, 'ours');
    for (const h of hexes) {
      objcopy('-I', 'ihex', '-O', 'binary', h, ref);
      hex2bin(h, ours);
      expect(same(ref, ours), h).toBe(true);
      objcopy('-I', 'ihex', '-O', 'binary', '--gap-fill', '0xff', h, ref);
      hex2bin(h, ours, { gapFill: 0xff });
      expect(same(ref, ours), `${h} --gap-fill 0xff`).toBe(true);
    }
    const gappy = hexes[hexes.length - 2]!; // lma-high: data at 0x08ff0000.. and 0x09050000..
    objcopy('-I', 'ihex', '-O', 'binary', '--pad-to', '0x09060000', gappy, ref);
    hex2bin(gappy, ours, { padTo: 0x09060000 });
    expect(same(ref, ours)).toBe(true);
    // --base has no objcopy spelling; it must equal the objcopy output with the leading fill prepended.
    objcopy('-I', 'ihex', '-O', 'binary', '--gap-fill', '0xff', gappy, ref);
    hex2bin(gappy, ours, { base: 0x08fe0000, gapFill: 0xff });
    const expected = Buffer.concat([Buffer.alloc(0x10000, 0xff), readFileSync(ref)]);
    expect(Buffer.compare(expected, readFileSync(ours))).toBe(0);
  });

  it('bin2hex --base = objcopy -I binary -O ihex --change-addresses (02/03/04/05 records, 64 KiB windows)', () => {
    const bin = join(dir, 'in.bin');
    writeFileSync(bin, bytes(70_000, 99)); // crosses two 64 KiB windows wherever it starts
    const ref = join(dir, 'ref.hex');
    const ours = join(dir, 'ours.hex');
    for (const base of [0, 0x1234, 0xfff8, 0xffff8, 0xf0005, 0x08000000, 0x0800fff8, 0x2001ffff]) {
      objcopy('-I', 'binary', '-O', 'ihex', '--change-addresses', `0x${base.toString(16)}`, bin, ref);
      bin2hex(bin, ours, { base });
      expect(same(ref, ours), `base 0x${base.toString(16)}`).toBe(true);
    }
    // --start S is objcopy's --set-start (S - base) before --change-addresses adds the base back.
    objcopy('-I', 'binary', '-O', 'ihex', '--set-start', '0x101', '--change-addresses', '0x08000000', bin, ref);
    bin2hex(bin, ours, { base: 0x08000000, start: 0x08000101 });
    expect(same(ref, ours)).toBe(true);
    expect(readFileSync(ours, 'latin1')).toContain(':0400000508000101ED\r\n');
    // Hand-written HEX: lower case, LF ends, a blank line, 02 then 04 records without reset, 03 start.
    const hand = join(dir, 'hand.hex');
    writeFileSync(
      hand,
      [':0400000001020304f2', '', ':020000021000ec', ':02fffe00aabb9c', ':020000040001f9', ':0300200011223377', ':0400000300001234b3', ':00000001ff', ''].join('\n'),
    );
    const handRef = join(dir, 'hand-ref.bin');
    const handOurs = join(dir, 'hand-ours.bin');
    objcopy('-I', 'ihex', '-O', 'binary', hand, handRef);
    hex2bin(hand, handOurs);
    expect(Buffer.compare(readFileSync(handRef), readFileSync(handOurs))).toBe(0);
    expect(readFileSync(handOurs).length).toBe(0x20023) // 02 and 04 bases add up, as in binutils;
    // And objcopy reads ours back to the same bytes.
    objcopy('-I', 'ihex', '-O', 'binary', ours, ref);
    expect(Buffer.compare(readFileSync(ref), readFileSync(bin))).toBe(0);
  });
});
