/**
 * `emboard erase` / `emboard flash` on a --flash state file: the F411 sector map (RM0383 table 5:
 * 4×16K, 1×64K, 3×128K), rounding of erase ranges, programmer semantics (erase touched sectors, then
 * NOR-program), `--no-erase` NOR AND, and bad input leaving the state file byte-for-byte untouched.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFirmware } from '../../src/core/run-firmware.js';
import { silentLogger } from '../../src/core/logger.js';
import { sectorSpan, programSegments } from '../../src/tools/flash-ops.js';
import type { PersistentStore } from '../../src/core/soc.js';
import { F411_BIN } from '../firmware/f411/programs.js';
import { cliInProcess } from './in-process-cli.js';

const KiB = 1024;
const HELLO_ELF = join(F411_BIN, 'hello.elf');
const HELLO_BIN = join(F411_BIN, 'hello.bin');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'emboard-ft-'));
}

/** A state file filled with `fill`. */
function state(fill: number): string {
  const path = join(tmp(), 'state.bin');
  writeFileSync(path, Buffer.alloc(512 * KiB, fill));
  return path;
}

const emboard = (...args: string[]) => cliInProcess(args);

/** Offsets where `data` differs from `fill`, as [first, last] runs. */
function changed(data: Buffer, fill: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < data.length; i++) {
    if (data[i] === fill) continue;
    const l = out[out.length - 1];
    if (l && l[1] === i - 1) l[1] = i;
    else out.push([i, i]);
  }
  return out;
}

describe('emboard erase', () => {
  it('--sector N erases exactly that sector of the RM0383 map', async () => {
    for (const [n, lo, size] of [
      [0, 0x0000, 16],
      [3, 0xc000, 16],
      [4, 0x10000, 64],
      [5, 0x20000, 128],
      [7, 0x60000, 128],
    ] as const) {
      const path = state(0x00);
      const r = await emboard('erase', '--flash', path, '--sector', String(n));
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`erased sector ${n} (`);
      expect(changed(readFileSync(path), 0x00)).toEqual([[lo, lo + size * KiB - 1]]);
      expect(readFileSync(path)[lo]).toBe(0xff);
    }
  });

  it('--start/--length round out to whole sectors and say so', async () => {
    const path = state(0x00);
    const r = await emboard('erase', '--flash', path, '--start', '0x08003ff0', '--length', '0x20');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'erase: 0x08003ff0..0x0800400f rounded out to whole sectors 0-1 (0x08000000..0x08007fff, 32 KiB)\n' +
        `erased sectors 0-1 (0x08000000..0x08007fff, 32 KiB) in ${path}\n`,
    );
    expect(changed(readFileSync(path), 0x00)).toEqual([[0, 0x7fff]]);
    // An exact sector range is not "rounded".
    const exact = await emboard('erase', '--flash', path, '--start', '0x08010000', '--length', '65536');
    expect(exact.stdout).toBe(`erased sector 4 (0x08010000..0x0801ffff, 64 KiB) in ${path}\n`);
  });

  it('--all erases every sector; a missing state file is created erased', async () => {
    const path = state(0x12);
    expect((await emboard('erase', '--flash', path, '--all')).code).toBe(0);
    expect(changed(readFileSync(path), 0xff)).toEqual([]);
    const fresh = join(tmp(), 'new.bin');
    expect((await emboard('erase', '--flash', fresh, '--sector', '0')).code).toBe(0);
    expect(changed(readFileSync(fresh), 0xff)).toEqual([]);
    expect(readFileSync(fresh).length).toBe(512 * KiB);
  });
});

describe('emboard flash', () => {
  it('erases the sectors the image touches, then programs it; the rest of the flash is kept', async () => {
    const path = state(0x00);
    const bin = readFileSync(HELLO_BIN);
    const r = await emboard('flash', '--flash', path, HELLO_BIN, '--address', '0x08020000');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'erased sector 5 (0x08020000..0x0803ffff, 128 KiB)\n' +
        `programmed ${bin.length} bytes from ${HELLO_BIN} at 0x08020000..0x${(0x08020000 + bin.length - 1).toString(16).padStart(8, '0')} into ${path}\n`,
    );
    const data = readFileSync(path);
    expect(Buffer.compare(data.subarray(0x20000, 0x20000 + bin.length), bin)).toBe(0);
    expect(changed(data.subarray(0x20000 + bin.length, 0x40000), 0xff)).toEqual([]); // rest of sector 5 erased
    expect(changed(data.subarray(0, 0x20000), 0x00)).toEqual([]); // sectors 0-4 untouched
    expect(changed(data.subarray(0x40000), 0x00)).toEqual([]); // sectors 6-7 untouched
  });

  it('an ELF goes to its own addresses and then boots with emboard run --flash', async () => {
    const path = state(0xff);
    const r = await emboard('flash', '--flash', path, HELLO_ELF);
    expect(r.code).toBe(0);
    const bin = readFileSync(HELLO_BIN);
    expect(Buffer.compare(readFileSync(path).subarray(0, bin.length), bin)).toBe(0);
    const out: number[] = [];
    const run = await runFirmware({ board: 'NUCLEO_F411RE', flashState: path, log: silentLogger(), semihosting: true, timeoutMs: 1000, output: (b) => void out.push(...b) });
    expect(Buffer.from(out).toString()).toContain('hello from the STM32F411');
    expect(run.result.exitCode).toBe(0);
  });

  it('--no-erase programs like the chip without an erase: new = old AND data', async () => {
    const path = state(0x0f);
    const img = join(tmp(), 'x.bin');
    writeFileSync(img, Buffer.from([0xf3, 0xff, 0x00, 0xa5]));
    const r = await emboard('flash', '--flash', path, img, '--no-erase');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(no erase: NOR AND with the old contents)');
    const data = readFileSync(path);
    expect([...data.subarray(0, 5)]).toEqual([0x03, 0x0f, 0x00, 0x05, 0x0f]);
  });

  it('sector arithmetic of the store API', () => {
    const store: PersistentStore = {
      name: 'flash',
      bytes: new Uint8Array(512 * KiB),
      size: 512 * KiB,
      erasedValue: 0xff,
      base: 0x0800_0000,
      sectors: [16, 16, 16, 16, 64, 128, 128, 128].map((k, i, a) => ({ offset: a.slice(0, i).reduce((x, y) => x + y, 0) * KiB, size: k * KiB })),
      onChange() {},
    };
    expect(sectorSpan(store, 0x10000, 1)).toEqual({ first: 4, last: 4, offset: 0x10000, length: 0x10000, rounded: true });
    expect(sectorSpan(store, 0, 512 * KiB)).toEqual({ first: 0, last: 7, offset: 0, length: 512 * KiB, rounded: false });
    expect(() => sectorSpan(store, 0x7ffff, 2)).toThrow('0x0807ffff..0x08080000 is outside flash (0x08000000..0x0807ffff)');
    // Two segments in one sector: the sector is erased once, both survive.
    expect(programSegments(store, [{ offset: 0, data: Uint8Array.of(1) }, { offset: 0x100, data: Uint8Array.of(2) }])).toEqual([0]);
    expect([store.bytes[0], store.bytes[1], store.bytes[0x100]]).toEqual([1, 0xff, 2]);
  });
});

describe('erase/flash: bad input leaves the state file untouched (one line, exit 2)', () => {
  const dir = tmp();
  const sramElf = join(dir, 'sram.elf');
  // ELF32 ARM with one PT_LOAD of 16 bytes at 0x20000000 (SRAM: not flash).
  const elf = Buffer.alloc(52 + 32 + 16);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0);
  elf.writeUInt16LE(2, 16);
  elf.writeUInt16LE(40, 18);
  elf.writeUInt32LE(1, 20);
  elf.writeUInt32LE(52, 28);
  elf.writeUInt16LE(52, 40);
  elf.writeUInt16LE(32, 42);
  elf.writeUInt16LE(1, 44);
  elf.writeUInt32LE(1, 52);
  elf.writeUInt32LE(84, 56);
  elf.writeUInt32LE(0x2000_0000, 60);
  elf.writeUInt32LE(0x2000_0000, 64);
  elf.writeUInt32LE(16, 68);
  elf.writeUInt32LE(16, 72);
  writeFileSync(sramElf, elf);
  const big = join(dir, 'big.bin');
  writeFileSync(big, Buffer.alloc(520 * KiB));
  const hexNotHex = join(dir, 'not.hex');
  writeFileSync(hexNotHex, ':10000000zz\n');

  const cases: [string, string[], RegExp][] = [
    ['erase: sector beyond the map', ['erase', '--sector', '8'], /erase: --sector 8: flash has sectors 0\.\.7/],
    ['erase: range outside flash', ['erase', '--start', '0x08080000', '--length', '16'], /0x08080000\.\.0x0808000f is outside flash \(0x08000000\.\.0x0807ffff\)/],
    ['erase: range crossing the end of flash', ['erase', '--start', '0x0807fff0', '--length', '0x20'], /is outside flash/],
    ['erase: two modes', ['erase', '--all', '--sector', '1'], /give exactly one of --all, --sector N, or --start ADDR --length N/],
    ['erase: no mode', ['erase'], /give exactly one of/],
    ['erase: --start without --length', ['erase', '--start', '0x08000000'], /--start and --length go together/],
    ['erase: zero length', ['erase', '--start', '0x08000000', '--length', '0'], /--length must be a positive whole number of bytes, got 0/],
    ['erase: bad --sector', ['erase', '--sector', 'two'], /--sector expects a whole number/],
    ['erase: bad --start', ['erase', '--start', '0x0800zz00', '--length', '4'], /expects an address such as 0x08000000, got '0x0800zz00'/],
    ['flash: image outside flash (SRAM ELF)', ['flash', sramElf], /sram\.elf: segment at 0x20000000 \(16 bytes\) is not in flash \(0x08000000\.\.0x0807ffff\)/],
    ['flash: raw binary larger than flash', ['flash', big], /big\.bin: 532480 bytes at 0x08000000 do not fit in flash/],
    ['flash: --address outside flash', ['flash', HELLO_BIN, '--address', '0x20000000'], /hello\.bin: raw binary at 0x20000000 is outside flash/],
    ['flash: --address with an ELF', ['flash', HELLO_ELF, '--address', '0x08000000'], /hello\.elf: --address is only for raw binaries \(this elf file carries its own addresses\)/],
    ['flash: missing file', ['flash', join(dir, 'none.bin')], /none\.bin: cannot read firmware file \(ENOENT\)/],
    ['flash: a directory as file', ['flash', dir], /cannot read firmware file \(EISDIR\)/],
    ['flash: broken Intel HEX', ['flash', hexNotHex, '--format', 'ihex'], /not\.hex/],
    ['flash: unknown board', ['flash', HELLO_ELF, '--board', 'NOPE'], /unknown board 'NOPE'/],
    ['flash: board without flash', ['flash', HELLO_ELF, '--board', 'mps2-an386'], /board mps2-an386 has no internal flash to erase or program/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const d = tmp();
      const path = join(d, 'state.bin');
      const bytes = Buffer.alloc(512 * KiB);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 9)) & 0xff;
      writeFileSync(path, bytes);
      const [cmd, ...rest] = args;
      const r = await emboard(cmd!, '--flash', path, ...rest);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('(add --help')).length).toBe(1);
      expect(r.stdout).toBe('');
      expect(Buffer.compare(readFileSync(path), bytes)).toBe(0);
      expect(readdirSync(d)).toEqual(['state.bin']);
    });
  }

  it('a state file of the wrong size', async () => {
    const path = join(tmp(), 'state.bin');
    writeFileSync(path, Buffer.alloc(256 * KiB, 0x44));
    for (const args of [['erase', '--all'], ['flash', HELLO_ELF]]) {
      const [cmd, ...rest] = args;
      const r = await emboard(cmd!, '--flash', path, ...rest);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`emboard: ${path}: flash state file is 262144 bytes but this board's flash is 524288 bytes (another board's file?)\n`);
      expect(Buffer.compare(readFileSync(path), Buffer.alloc(256 * KiB, 0x44))).toBe(0);
    }
  });
});
