/**
 * The image tools through the real CLI (node --import tsx src/cli/main.ts, as test/cli/run.test.ts):
 * silent on success, -v says what was written, `info` prints its facts; plus `info` through the library.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/image/crc32.js';
import { elf2dfu, info } from '../../src/tools/image-tools.js';

const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'src/cli/main.ts');
const LMA = join(__dirname, 'fixtures/lma.elf');

function emboard(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('emboard info', () => {
  it('describes an ELF: sections at their load addresses, entry, vector table, flat CRC32', () => {
    const lines = info(LMA);
    expect(lines).toEqual([
      `file:        ${LMA} (${readFileSync(LMA).length} bytes)`,
      'format:      ELF32 little-endian ARM executable',
      'segment 0:   0x08000000-0x08000007        8 bytes  .isr_vector',
      'segment 1:   0x08000008-0x08000013       12 bytes  .text',
      'segment 2:   0x08000014-0x08000022       15 bytes  .data',
      'segment 3:   0x08060000-0x08060013       20 bytes  .cfg',
      'entry:       0x08000009',
      'initial SP:  0x20020000 (vector table at 0x08000000)',
      'reset:       0x08000009',
      'size:        55 bytes in 4 segment(s)',
      expect.stringMatching(/^crc32: {7}0x[0-9a-f]{8} \(flat image 0x08000000-0x08060014, 393236 bytes, gaps 0x00\)$/),
    ]);
  });

  it('describes a raw binary at --base with the CRC32 of its bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emboard-info-'));
    const bin = join(dir, 'fw.bin');
    const data = Buffer.alloc(64, 0x5a);
    data.writeUInt32LE(0x20001000, 0);
    data.writeUInt32LE(0x08000041, 4);
    writeFileSync(bin, data);
    const lines = info(bin, { base: 0x08000000 });
    expect(lines).toContain('format:      raw binary, loaded at 0x08000000');
    expect(lines).toContain('segment 0:   0x08000000-0x0800003f       64 bytes');
    expect(lines).toContain('initial SP:  0x20001000 (vector table at 0x08000000)');
    expect(lines).toContain('reset:       0x08000041');
    expect(lines).toContain(`crc32:       0x${crc32(data).toString(16).padStart(8, '0')} (flat image 0x08000000-0x08000040, 64 bytes, gaps 0x00)`);
  });
});

describe('image tools CLI', () => {
  it('is silent on success, -v reports, and the results chain: elf2hex → hex2dfu → dfu2bin --each → info', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emboard-tools-cli-'));
    const hex = join(dir, 'lma.hex');
    const quiet = emboard(['elf2hex', LMA, hex]);
    expect(quiet).toEqual({ status: 0, stdout: '', stderr: '' });
    const dfu = join(dir, 'lma.dfu');
    const v = emboard(['hex2dfu', '-v', '--name', 'Internal Flash', hex, dfu]);
    expect(v.status).toBe(0);
    expect(v.stdout).toBe(`hex2dfu: wrote ${dfu} (${readFileSync(dfu).length} bytes; 0x08000000-0x08000023, 0x08060000-0x08060014)\n`);
    const parts = emboard(['dfu2bin', '--each', dfu, join(dir, 'part.bin')]);
    expect(parts.status).toBe(0);
    expect(readFileSync(join(dir, 'part.1.bin'), 'utf8')).toBe('emboard config block');
    const i = emboard(['info', dfu]);
    expect(i.status).toBe(0);
    expect(i.stdout).toContain('format:      DfuSe v1.1a, 1 target(s)\n');
    expect(i.stdout).toMatch(/dfu suffix: {2}VID 0x0483 PID 0xdf11 device 0xffff bcdDFU 0x011a CRC 0x[0-9a-f]{8} \(ok\)\n/);
    expect(i.stdout).toContain('segment 1:   0x08060000-0x08060013       20 bytes  target 0 alt 0 "Internal Flash" element 1\n');
    expect(i.stdout).toContain('initial SP:  0x20020000 (vector table at 0x08000000)\n');
  });

  it('emboard run boots a .dfu made by elf2dfu (hello firmware, semihosting exit 0)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emboard-tools-cli-'));
    const dfu = join(dir, 'hello.dfu');
    elf2dfu(join(ROOT, 'test/firmware/bin/hello.elf'), dfu);
    const r = emboard(['run', '-b', 'mps2-an386', '--semihosting', '--max-instructions', '2000000', dfu]);
    expect(r.stdout).toContain('Hello from emboard test firmware on mps2-an386!');
    expect(r.status).toBe(0);
  });
});
