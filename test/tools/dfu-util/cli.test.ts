/**
 * `emboard dfu-util` through the real CLI, side by side with Debian's dfu-util 0.11 where the real tool
 * needs no device (help, version, banner, option errors, file errors — same stdout, stderr and exit
 * code), and the end-to-end flow: flash hello.bin with `-s 0x08000000:leave` into a state file, then
 * `emboard run --flash` boots it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dfu, tempDir } from './helpers.js';

const ROOT = join(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'src/cli/main.ts');
const HELLO = join(ROOT, 'test/firmware/f411/bin/hello.bin');
const hasDfuUtil = spawnSync('dfu-util', ['-V'], { encoding: 'utf8' }).status === 0;
const dir = tempDir();

function emboard(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function real(args: string[]) {
  const r = spawnSync('dfu-util', args, { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('emboard dfu-util end to end', () => {
  it('flash hello.bin with :leave into a state file, then emboard run --flash boots it', () => {
    const state = join(dir, 'e2e.bin');
    const d = emboard(['dfu-util', '-a', '0', '-s', '0x08000000:leave', '-D', HELLO, '--board', 'NUCLEO_F411RE', '--flash', state]);
    expect(d.code).toBe(0);
    expect(d.out).toContain('File downloaded successfully\nSubmitting leave request...\nTransitioning to dfuMANIFEST state\n');
    expect(readFileSync(state).length).toBe(512 * 1024);
    const r = emboard(['run', '-b', 'NUCLEO_F411RE', '--flash', state, '--semihosting']);
    expect(r.out).toBe(readFileSync(join(ROOT, 'test/firmware/f411/expected/hello.txt'), 'utf8'));
    expect(r.code).toBe(0);
  });
});

describe.skipIf(!hasDfuUtil)('emboard dfu-util side by side with Debian dfu-util 0.11 (skipped: dfu-util not installed)', () => {
  const file = join(dir, 'sbs.bin');
  writeFileSync(file, new Uint8Array(100).fill(7));
  const subdir = join(dir, 'adir');
  mkdirSync(subdir, { recursive: true });
  const same: [string, string[]][] = [
    ['--help', ['--help']],
    ['-h', ['-h']],
    ['-V', ['-V']],
    ['--version', ['--version']],
    ['no mode', []],
    ['unknown long option', ['--bogus']],
    ['unknown short option', ['-x']],
    ['ambiguous --d', ['--d', 'x']],
    ['ambiguous --de', ['--de']],
    ['--list with an argument', ['--list=3']],
    ['missing argument', ['-D']],
    ['bad number', ['-t', 'abc', '-l']],
    ['empty number', ['--transfer-size=', '-l']],
    ['bad --cfg', ['-c', 'x', '-l']],
    ['bad -Z', ['-Z', '10x', '-l']],
    ['unexpected argument', ['-l', 'extra']],
    ['missing file', ['-D', join(dir, 'missing.bin')]],
    ['directory as file', ['-D', subdir]],
  ];
  // Ours in-process (the same code the CLI runs; spawning emboard for each costs seconds), theirs spawned.
  it.each(same)('%s: same stdout, stderr and exit code', (_n, args) => {
    const r = dfu(args);
    expect({ code: r.code, out: r.out, err: r.err }).toEqual(real(args));
  });

  it('through the CLI: commander hands -V and everything after `dfu-util` to our parser', () => {
    expect(emboard(['dfu-util', '-V', '-x'])).toEqual(real(['-V', '-x']));
  });

  it('-l: the same banner; our bus then lists the bootloader (the real one has no device here)', () => {
    const ours = dfu(['-l']);
    const theirs = real(['-l']);
    expect(theirs.code).toBe(0);
    expect(ours.code).toBe(0);
    expect(ours.out.startsWith(theirs.out)).toBe(true);
    expect(ours.out.slice(theirs.out.length).split('\n').filter(Boolean)).toHaveLength(4);
  });

  it('a raw file: the same suffix warnings before the device part', () => {
    const ours = dfu(['-a', '0', '-s', '0x08000000', '-D', file]);
    const theirs = real(['-a', '0', '-s', '0x08000000', '-D', file]);
    expect(theirs.err.split('\n').slice(0, 2)).toEqual(ours.err.split('\n').slice(0, 2));
    expect(ours.code).toBe(0);
  });
});
