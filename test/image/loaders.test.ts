import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { detectFormat, loadImageBytes, loadImageFile } from '../../src/image/load.js';

const DEMO = join(__dirname, '../firmware/demo/demo.elf');

function hasTool(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const haveObjcopy = hasTool('arm-none-eabi-objcopy');

describe('firmware loaders', () => {
  it('reads an ELF: loadable segments at their load addresses, entry point, function symbols', () => {
    const img = loadImageFile(DEMO);
    expect(img.format).toBe('elf');
    expect(img.segments[0]!.address).toBe(0);
    const vec = new DataView(img.segments[0]!.data.buffer, img.segments[0]!.data.byteOffset);
    expect(vec.getUint32(0, true)).toBe(0x20400000); // __stack_top
    expect(img.entry! & ~1).toBe(vec.getUint32(4, true) & ~1);
    expect([...img.symbols!.values()]).toContain('reset_handler');
  });

  it.skipIf(!haveObjcopy)('places ELF bytes exactly as objcopy -O binary does (needs arm-none-eabi-objcopy)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emboard-'));
    const bin = join(dir, 'demo.bin');
    execFileSync('arm-none-eabi-objcopy', ['-O', 'binary', DEMO, bin]);
    const expected = new Uint8Array(readFileSync(bin));
    const img = loadImageFile(DEMO);
    const flat = new Uint8Array(expected.length);
    for (const s of img.segments) flat.set(s.data, s.address - img.segments[0]!.address);
    expect(Buffer.from(flat).equals(Buffer.from(expected))).toBe(true);
  });

  it.skipIf(!haveObjcopy)('reads Intel HEX written by objcopy, with extended linear addresses (needs arm-none-eabi-objcopy)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emboard-'));
    const hex = join(dir, 'demo.hex');
    execFileSync('arm-none-eabi-objcopy', ['-O', 'ihex', '--change-addresses', '0x08000000', DEMO, hex]);
    const img = loadImageFile(hex);
    expect(img.format).toBe('ihex');
    expect(img.segments[0]!.address).toBe(0x08000000);
    const elf = loadImageFile(DEMO);
    expect(Buffer.from(img.segments[0]!.data.subarray(0, 64)).equals(Buffer.from(elf.segments[0]!.data.subarray(0, 64)))).toBe(true);
  });

  it('detects formats and loads raw binaries at the given base', () => {
    expect(detectFormat(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46))).toBe('elf');
    expect(detectFormat(new TextEncoder().encode(':020000040800F2\n'))).toBe('ihex');
    expect(detectFormat(Uint8Array.of(0, 0, 1, 0x20))).toBe('bin');
    const img = loadImageBytes(Uint8Array.of(1, 2, 3), 'x.bin', { base: 0x08000000 });
    expect(img.segments).toEqual([{ address: 0x08000000, data: Uint8Array.of(1, 2, 3) }]);
  });

  it('reports bad input in one line naming the file and the offset', () => {
    const elf = new Uint8Array(readFileSync(DEMO)).slice(0, 60);
    elf[4] = 2; // ELFCLASS64
    expect(() => loadImageBytes(elf, 'bad.elf')).toThrow(/^bad\.elf: bad ELF file: not a 32-bit ELF \(EI_CLASS\) \(at offset 0x00000004\)$/);
    const truncated = new Uint8Array(readFileSync(DEMO)).slice(0, 40);
    expect(() => loadImageBytes(truncated, 'short.elf')).toThrow(UserError);
    expect(() => loadImageBytes(new TextEncoder().encode(':0400000001020304FF\n'), 'bad.hex')).toThrow(/^bad\.hex: bad Intel HEX file/);
    const dir = mkdtempSync(join(tmpdir(), 'emboard-'));
    writeFileSync(join(dir, 'empty.bin'), '');
    expect(() => loadImageFile(join(dir, 'empty.bin'))).toThrow(/empty\.bin: empty file/);
    expect(() => loadImageFile(join(dir, 'missing.elf'))).toThrow(/missing\.elf: cannot read firmware file \(ENOENT\)/);
  });
});
