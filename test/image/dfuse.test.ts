/**
 * DfuSe v1.1a files and the DFU suffix: layout per ST UM0391, CRC as dfu-util's `dfu-suffix` computes
 * and checks it, identity with dfu-util's `dfuse-pack` (both skip visibly without dfu-util), and the
 * DfuSe round trips of the image tools.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32, dfuCrc } from '../../src/image/crc32.js';
import { addDfuSuffix, buildDfuSe, parseDfuSe } from '../../src/image/dfuse.js';
import { loadImageFile } from '../../src/image/load.js';
import { bin2dfu, dfu2bin, elf2dfu, hex2dfu } from '../../src/tools/image-tools.js';

function has(cmd: string, arg = '--version'): boolean {
  return spawnSync(cmd, [arg], { stdio: 'ignore' }).error === undefined;
}
const haveDfuSuffix = has('dfu-suffix', '-V');
const haveDfusePack = has('dfuse-pack', '--help');
const LMA = join(__dirname, 'fixtures/lma.elf');
const tmp = () => mkdtempSync(join(tmpdir(), 'emboard-dfu-'));
const u32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint32(o, true);
const u16 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint16(o, true);
const ascii = (b: Uint8Array, o: number, n: number) => Buffer.from(b.subarray(o, o + n)).toString('latin1');

function payload(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);
}

describe('CRC-32', () => {
  it('is the IEEE CRC; the DFU suffix keeps the register without the final inversion', () => {
    const check = new TextEncoder().encode('123456789');
    expect(crc32(check)).toBe(0xcbf43926); // the catalogue check value
    expect(dfuCrc(check)).toBe(~0xcbf43926 >>> 0);
  });
});

describe('DfuSe layout (UM0391)', () => {
  const data = payload(10);
  const f = buildDfuSe([{ alt: 1, name: 'ST...', elements: [{ address: 0x08004000, data }] }], { vid: 0x0483, pid: 0xdf11, device: 0x2200 });

  it('prefix, target prefix, element and suffix fields at their offsets', () => {
    expect(f.length).toBe(11 + 274 + 8 + 10 + 16);
    expect(ascii(f, 0, 5)).toBe('DfuSe');
    expect(f[5]).toBe(1);
    expect(u32(f, 6)).toBe(f.length); // DFUImageSize counts the suffix too, as dfuse-pack writes it
    expect(f[10]).toBe(1);
    expect(ascii(f, 11, 6)).toBe('Target');
    expect(f[17]).toBe(1); // bAlternateSetting
    expect(u32(f, 18)).toBe(1); // bTargetNamed
    expect(ascii(f, 22, 6)).toBe('ST...\0');
    expect(u32(f, 277)).toBe(18); // dwTargetSize: element header + data
    expect(u32(f, 281)).toBe(1); // dwNbElements
    expect(u32(f, 285)).toBe(0x08004000);
    expect(u32(f, 289)).toBe(10);
    expect([...f.subarray(293, 303)]).toEqual([...data]);
    const s = f.length - 16;
    expect(u16(f, s)).toBe(0x2200);
    expect(u16(f, s + 2)).toBe(0xdf11);
    expect(u16(f, s + 4)).toBe(0x0483);
    expect(u16(f, s + 6)).toBe(0x011a);
    expect(ascii(f, s + 8, 3)).toBe('UFD');
    expect(f[s + 11]).toBe(16);
    expect(u32(f, s + 12)).toBe(dfuCrc(f.subarray(0, s + 12)));
  });

  it('reads back what it writes, several targets and elements, unnamed targets', () => {
    const targets = [
      { alt: 0, name: 'Internal Flash', elements: [{ address: 0x08000000, data: payload(5) }, { address: 0x08010000, data: payload(3) }] },
      { alt: 1, name: undefined, elements: [{ address: 0x1fffc000, data: payload(16) }] },
    ];
    const parsed = parseDfuSe(buildDfuSe(targets, { vid: 1, pid: 2, device: 3 }), 'x.dfu');
    expect(parsed.targets).toEqual(targets);
    expect(parsed.suffix).toMatchObject({ vid: 1, pid: 2, device: 3, bcdDfu: 0x011a, length: 16 });
  });
});

describe.skipIf(!haveDfuSuffix)('against dfu-util 0.11 dfu-suffix (skipped without Debian dfu-util)', () => {
  it('dfu-suffix -a on our DfuSe body gives exactly our file; dfu-suffix -c reads our fields and CRC', () => {
    const dir = tmp();
    const bin = join(dir, 'fw.bin');
    writeFileSync(bin, payload(3000));
    const ours = join(dir, 'ours.dfu');
    bin2dfu(bin, ours);
    const file = new Uint8Array(readFileSync(ours));
    const body = join(dir, 'body.dfu');
    writeFileSync(body, file.subarray(0, file.length - 16));
    execFileSync('dfu-suffix', ['-v', '0483', '-p', 'df11', '-d', 'ffff', '-S', '011a', '-a', body], { stdio: 'ignore' });
    expect(Buffer.compare(readFileSync(body), file)).toBe(0);
    const out = execFileSync('dfu-suffix', ['-c', ours], { encoding: 'utf8' });
    expect(out).toMatch(/BCD device:\s+0xFFFF/);
    expect(out).toMatch(/Product ID:\s+0xDF11/);
    expect(out).toMatch(/Vendor ID:\s+0x0483/);
    expect(out).toMatch(/BCD DFU:\s+0x011A/);
    const crc = u32(file, file.length - 4).toString(16).toUpperCase().padStart(8, '0');
    expect(out).toContain(`CRC:\t\t0x${crc}`);
  });

  it('dfu-suffix and we both refuse a CRC-broken file with the same words', () => {
    const dir = tmp();
    const bin = join(dir, 'fw.bin');
    writeFileSync(bin, payload(100));
    const dfu = join(dir, 'fw.dfu');
    bin2dfu(bin, dfu);
    const b = new Uint8Array(readFileSync(dfu));
    b[300] ^= 1;
    writeFileSync(dfu, b);
    const r = spawnSync('dfu-suffix', ['-c', dfu], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('DFU suffix CRC does not match');
    expect(() => dfu2bin(dfu, join(dir, 'out.bin'))).toThrow(/DFU suffix CRC does not match/);
  });

  it('dfu2bin strips the suffix of a plain DFU file made by dfu-suffix -a', () => {
    const dir = tmp();
    const raw = payload(77);
    const f = join(dir, 'plain.dfu');
    writeFileSync(f, raw);
    execFileSync('dfu-suffix', ['-v', '1234', '-p', '5678', '-a', f], { stdio: 'ignore' });
    expect(new Uint8Array(readFileSync(f))).toEqual(addDfuSuffix(raw, { vid: 0x1234, pid: 0x5678, device: 0xffff, bcdDfu: 0x0100 }));
    const out = join(dir, 'plain.bin');
    dfu2bin(f, out);
    expect(new Uint8Array(readFileSync(out))).toEqual(raw);
  });
});

describe.skipIf(!haveDfusePack)('against dfu-util 0.11 dfuse-pack (skipped without Debian dfu-util)', () => {
  it('bin2dfu --device 0 is byte-identical to dfuse-pack -b ADDR:file (default 0483:df11, "ST...")', () => {
    const dir = tmp();
    const bin = join(dir, 'fw.bin');
    writeFileSync(bin, payload(5000));
    const ref = join(dir, 'ref.dfu');
    execFileSync('dfuse-pack', ['-b', `0x08004000:${bin}`, ref], { stdio: 'ignore' });
    const ours = join(dir, 'ours.dfu');
    bin2dfu(bin, ours, { base: 0x08004000, device: 0 });
    expect(Buffer.compare(readFileSync(ref), readFileSync(ours))).toBe(0);
  });
});

describe('DfuSe tools', () => {
  it('bin2dfu → dfu2bin returns the binary; the defaults are ST bootloader ones', () => {
    const dir = tmp();
    const bin = join(dir, 'fw.bin');
    writeFileSync(bin, payload(1234));
    const dfu = join(dir, 'fw.dfu');
    bin2dfu(bin, dfu);
    const p = parseDfuSe(new Uint8Array(readFileSync(dfu)), dfu);
    expect(p.suffix).toMatchObject({ vid: 0x0483, pid: 0xdf11, device: 0xffff });
    expect(p.targets).toHaveLength(1);
    expect(p.targets[0]).toMatchObject({ alt: 0, name: 'ST...' });
    expect(p.targets[0]!.elements[0]!.address).toBe(0x08000000);
    const back = join(dir, 'back.bin');
    dfu2bin(dfu, back);
    expect(Buffer.compare(readFileSync(back), readFileSync(bin))).toBe(0);
  });

  it('elf2dfu: one element per contiguous load range (vectors+text+.data initialisers, then the config block)', () => {
    const dir = tmp();
    const dfu = join(dir, 'lma.dfu');
    elf2dfu(LMA, dfu, { alt: 2, name: 'Flash', vid: 0x1209, pid: 0x0001, device: 0x0100 });
    const p = parseDfuSe(new Uint8Array(readFileSync(dfu)), dfu);
    expect(p.suffix).toMatchObject({ vid: 0x1209, pid: 0x0001, device: 0x0100 });
    expect(p.targets[0]).toMatchObject({ alt: 2, name: 'Flash' });
    const els = p.targets[0]!.elements;
    expect(els.map((e) => [e.address, e.data.length])).toEqual([
      [0x08000000, 8 + 12 + 15],
      [0x08060000, 20],
    ]);
    expect(Buffer.from(els[1]!.data).toString()).toBe('emboard config block');
    expect(u32(els[0]!.data, 0x14)).toBe(0x11223344); // .data initialiser right after .text, at its LMA
    const one = join(dir, 'cfg.bin');
    dfu2bin(dfu, one, { element: 1 });
    expect(readFileSync(one, 'utf8')).toBe('emboard config block');
    const results = dfu2bin(dfu, join(dir, 'part.bin'), { each: true });
    expect(results.map((r) => r.path)).toEqual([join(dir, 'part.0.bin'), join(dir, 'part.1.bin')]);
    expect(readFileSync(join(dir, 'part.1.bin'), 'utf8')).toBe('emboard config block');
    // `emboard run` loads every element at its address.
    const img = loadImageFile(dfu);
    expect(img.format).toBe('dfu');
    expect(img.segments.map((s) => s.address)).toEqual([0x08000000, 0x08060000]);
  });

  it('hex2dfu keeps the HEX addresses; an empty --name writes an unnamed target', () => {
    const dir = tmp();
    const hex = join(dir, 'fw.hex');
    writeFileSync(hex, ':020000040800F2\r\n:0400000001020304F2\r\n:0400040005060708DE\r\n:00000001FF\r\n');
    const dfu = join(dir, 'fw.dfu');
    hex2dfu(hex, dfu, { name: '' });
    const p = parseDfuSe(new Uint8Array(readFileSync(dfu)), dfu);
    expect(p.targets[0]!.name).toBeUndefined();
    expect(p.targets[0]!.elements).toEqual([{ address: 0x08000000, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }]);
  });
});
