/**
 * `emboard dfu-util` against the real thing: Debian's unmodified dfu-util 0.11, loaded with our libusb
 * shim (tools/libusb-shim) and talking to the same board bootloader model through `usb-serve`'s server,
 * runs the same command as our dfu-util. stdout, stderr, the exit code and the resulting flash state file
 * must be identical. Two things are normalised: the device number (usb-serve numbers re-plugs) and
 * back-to-back identical progress-bar redraws (dfu-util also redraws once per wall-clock second).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addDfuSuffix, buildDfuSe } from '../../../src/image/dfuse.js';
import { BoardDfu } from '../../../src/usb/serve/board-dfu.js';
import { UsbServer } from '../../../src/usb/serve/server.js';
import { dfu, tempDir } from './helpers.js';

const ROOT = join(import.meta.dirname, '../../..');
const SHIM = join(ROOT, 'tools/libusb-shim/libusb-shim.so');
const HAVE = spawnSync('dfu-util', ['-V'], { encoding: 'utf8' }).status === 0 && existsSync(SHIM);
const HELLO = new Uint8Array(readFileSync(join(ROOT, 'test/firmware/f411/bin/hello.bin')));
const BOARD = 'WeAct_F411CE';

function runReal(args: string[], sock: string, cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('dfu-util', args, { cwd, env: { ...process.env, LD_PRELOAD: SHIM, EMBOARD_USB: sock } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('latin1')));
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, out, err });
    });
  });
}

function normalise(s: string): string {
  const parts = s.replace(/devnum=\d+/g, 'devnum=N').split('\r');
  return parts.filter((p, i) => i === 0 || p !== parts[i - 1]).join('\r');
}

describe.skipIf(!HAVE)('emboard dfu-util vs Debian dfu-util 0.11 through the libusb shim (skipped: needs dfu-util)', () => {
  const dir = tempDir();
  const w = (name: string, data: Uint8Array) => writeFileSync(join(dir, name), data);
  w('hello.bin', HELLO);
  w('zeroes', new Uint8Array(4096));
  w('r16.bin', new Uint8Array(16).fill(0x42));
  w('ob.bin', Uint8Array.from([0xec, 0xaa, 0x13, 0x55, 0xff, 0xff, 0xff, 0xff, 0xfe, 0x0f, 0x01, 0xf0, 0xff, 0xff, 0xff, 0xff]));
  const dfuse = (elements: { address: number; data: Uint8Array }[], vid = 0x0483, pid = 0xdf11) => buildDfuSe([{ alt: 0, name: 'ST...', elements }], { vid, pid, device: 0xffff });
  w('two-el.dfu', dfuse([{ address: 0x08000000, data: HELLO }, { address: 0x08004100, data: HELLO.subarray(0, 100) }]));
  w('vid.dfu', dfuse([{ address: 0x08000000, data: HELLO }], 0x1234, 0x5678));
  const body = dfuse([{ address: 0x08000000, data: HELLO }]).slice(0, -16);
  body[10] = 2;
  w('two-targets.dfu', addDfuSuffix(body, { vid: 0x0483, pid: 0xdf11, device: 0xffff, bcdDfu: 0x011a }));
  const initial = new Uint8Array(512 * 1024);
  for (let i = 0; i < initial.length; i++) initial[i] = (i * 31 + (i >>> 10)) & 0xff;

  const cases: [string, string[]][] = [
    ['--list', ['--list']],
    ['raw download with :leave', ['-a', '0', '-s', '0x08000000:leave', '-D', 'hello.bin']],
    ['-v -v raw download with :leave', ['-v', '-v', '-a', '0', '-s', '0x08000000:leave', '-D', 'hello.bin']],
    ['.dfu with two elements, -a 0', ['-a', '0', '-D', 'two-el.dfu']],
    ['.dfu without -a', ['-D', 'two-el.dfu']],
    ['zero file at 0x0801f000', ['-a', '0', '-s', '0x0801f000', '-D', 'zeroes']],
    ['upload with a length', ['-a', '0', '-s', '0x08000000:4096', '-U', 'up.bin']],
    ['upload to the end of the segment', ['-a', '0', '-s', '0x08008000', '-U', 'up.bin']],
    ['upload without an address', ['-a', '0', '-U', 'up.bin']],
    ['option bytes upload (alt 1)', ['-a', '1', '-s', '0x1FFFC000', '-U', 'up.bin']],
    ['mass erase, download, leave', ['-a', '0', '-s', '0x08000000:mass-erase:force:leave', '-D', 'hello.bin']],
    ['-R after a download', ['-a', '0', '-s', '0x08000000', '-R', '-D', 'r16.bin']],
    ['address below the flash', ['-a', '0', '-s', '0x07fffff8', '-D', 'r16.bin']],
    ['no -a with a raw file', ['-s', '0x08000000', '-D', 'r16.bin']],
    ['.dfu for another product with -d', ['-d', '0483:df11', '-a', '0', '-D', 'vid.dfu']],
    ['.dfu for another product without -d', ['-a', '0', '-D', 'vid.dfu']],
    ['.dfu with a missing second target', ['-a', '0', '-D', 'two-targets.dfu']],
    ['unprotect without force', ['-a', '0', '-s', ':unprotect']],
    ['unprotect with force (device erases and resets)', ['-a', '0', '-s', ':unprotect:force']],
    ['option bytes write with :will-reset', ['-a', '1', '-s', '0x1FFFC000:will-reset', '-D', 'ob.bin']],
    ['OTP write (alt 2)', ['-a', '2', '-s', '0x1FFF7800', '-D', 'r16.bin']],
    ['-t 1024 overrides the transfer size', ['-a', '0', '-t', '1024', '-s', '0x08000000', '-D', 'hello.bin']],
    ['-Z with a DfuSe upload', ['-a', '0', '-Z', '100', '-s', '0x08000000:64', '-U', 'up.bin']],
    ['-e on a DFU-mode device', ['-e', '-a', '0']],
    ['-s modifiers by prefix: ":l" is leave', ['-a', '0', '-s', '0x08000000:l', '-D', 'r16.bin']],
    ['-s prefix quirk runs into the next word (":lea" then "D")', ['-a', '0', '-s', '0x08000000:lea', '-D', 'r16.bin']],
    ['-s prefix quirk inside the string (":lea:force" then "orce")', ['-a', '0', '-s', '0x08000000:lea:force', '-D', 'r16.bin']],
    ['-s prefix quirk with --dfuse-address= (":f" then "up.bin")', ['-a', '0', '--dfuse-address=0x08000000:0x10:f', '-U', 'up.bin']],
    ['upload running past the end of the flash (:force): the device stalls, the part read is kept', ['-a', '0', '-s', '0x0807f000:force:8192', '-U', 'up.bin']],
  ];

  it.each(cases)('%s', async (_name, args) => {
    const realState = join(dir, 'real.bin');
    const ourState = join(dir, 'ours.bin');
    writeFileSync(realState, initial);
    writeFileSync(ourState, initial);
    rmSync(join(dir, 'up.bin'), { force: true });
    const sock = join(dir, 'usb.sock');
    const board = new BoardDfu({ board: BOARD, flashPath: realState, debounceMs: 10 });
    const server = new UsbServer({ socketPath: sock, plug: () => board.createDevice(), onDetach: () => board.flush() });
    server.attach(board.createDevice());
    await server.listen();
    let real;
    try {
      real = await runReal(args, sock, dir);
    } finally {
      await server.close();
      board.close();
    }
    const realUp = existsSync(join(dir, 'up.bin')) ? readFileSync(join(dir, 'up.bin')) : null;
    rmSync(join(dir, 'up.bin'), { force: true });
    const cwd = process.cwd();
    process.chdir(dir);
    let ours;
    try {
      ours = dfu([...args, '--board', BOARD, '--flash', ourState]);
    } finally {
      process.chdir(cwd);
    }
    expect({ code: ours.code, out: normalise(ours.out), err: ours.err }).toEqual({ code: real.code, out: normalise(real.out), err: real.err });
    expect(Buffer.compare(readFileSync(ourState), readFileSync(realState))).toBe(0);
    const ourUp = existsSync(join(dir, 'up.bin')) ? readFileSync(join(dir, 'up.bin')) : null;
    expect(ourUp === null ? null : Buffer.compare(ourUp, realUp ?? Buffer.alloc(0))).toBe(realUp === null ? null : 0);
    copyFileSync(ourState, join(dir, 'last.bin'));
  });
});
