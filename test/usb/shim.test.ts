/**
 * The unmodified Debian dfu-util 0.11 under tools/libusb-shim (LD_PRELOAD) against `usb-serve`:
 * the committed .so rebuilds byte-identically, `--list` prints the bootloader's interfaces, a download
 * with `:leave` ends (with a hang guard), `-U` reads back, a zero file at 0x0801f000 programs zeros.
 * These run against the test's fake DfuSe device (test/usb/fake-dfuse-device.ts), served in-process.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsbServer } from '../../src/usb/serve/server.js';
import { FakeDfuseDevice, FAKE_ALT0, FAKE_FLASH_BASE } from './fake-dfuse-device.js';
import { hasTool, runUnderShim, SHIM_DIR, SHIM_SO } from './serve-client.js';

const HAVE_GCC = hasTool('gcc') && hasTool('make');
const HAVE_DFU_UTIL = hasTool('dfu-util');
const HELLO_BIN = join(import.meta.dirname, '../firmware/f411/bin/hello.bin');

describe.skipIf(!HAVE_GCC)('libusb-shim build (skipped: needs gcc and make)', () => {
  it('rebuilds byte-identically to the committed libusb-shim.so, exporting only libusb_* symbols', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shim-build-'));
    try {
      const out = join(dir, 'libusb-shim.so');
      const r = spawnSync('make', ['-s', '-B', '-C', SHIM_DIR, `OUT=${out}`], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(readFileSync(out).equals(readFileSync(SHIM_SO))).toBe(true);
      const nm = spawnSync('nm', ['-D', '--defined-only', SHIM_SO], { encoding: 'utf8' });
      const names = nm.stdout.trim().split('\n').map((l) => l.split(' ').pop());
      expect(names.every((n) => n!.startsWith('libusb_'))).toBe(true);
      // Every libusb function dfu-util imports is there.
      const imports = spawnSync('objdump', ['-T', '/usr/bin/dfu-util'], { encoding: 'utf8' });
      if (imports.status === 0) {
        const needed = [...imports.stdout.matchAll(/\*UND\*.*\s(libusb_\w+)$/gm)].map((m) => m[1]);
        expect(needed.length).toBeGreaterThan(15);
        expect(needed.filter((n) => !names.includes(n))).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!HAVE_DFU_UTIL)('dfu-util 0.11 through the shim, fake DfuSe device (skipped: needs dfu-util)', () => {
  let dir: string;
  let sock: string;
  let server: UsbServer;
  const flash = new Uint8Array(512 * 1024).fill(0xff);
  const devices: FakeDfuseDevice[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shim-dfu-'));
    sock = join(dir, 'usb.sock');
    server = new UsbServer({
      socketPath: sock,
      plug: () => {
        const d = new FakeDfuseDevice(flash);
        devices.push(d);
        return d;
      },
    });
    await server.listen();
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const dfu = (...args: string[]) => runUnderShim('dfu-util', args, sock, dir);

  it('--list shows the bootloader interfaces like on hardware', async () => {
    const r = await dfu('--list');
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `Found DFU: [0483:df11] ver=2200, devnum=2, cfg=1, intf=0, path="1-1", alt=0, name="${FAKE_ALT0}", serial="FAKE00000001"`,
    );
    expect(r.stdout).toContain('alt=1, name="@Option Bytes  /0x1FFFC000/01*016 e"');
  });

  it('-a 0 -s 0x08000000:leave -D flashes the program and returns 0 (no hang on leave)', async () => {
    copyFileSync(HELLO_BIN, join(dir, 'fw.bin'));
    const r = await dfu('-a', '0', '-s', '0x08000000:leave', '-D', 'fw.bin');
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('File downloaded successfully');
    expect(r.stdout).toContain('Submitting leave request...');
    expect(r.stdout).toContain('Transitioning to dfuMANIFEST state');
    const bin = readFileSync(HELLO_BIN);
    expect(Buffer.from(flash.subarray(0, bin.length)).equals(bin)).toBe(true);
    expect(devices.at(-1)!.detached).toBe(true);
    // The device left the bus: dfu-util run again in the same breath would re-plug (new program).
    expect(server.bus.list()).toHaveLength(0);
  });

  it('-U reads the flash back identically', async () => {
    const bin = readFileSync(HELLO_BIN);
    const r = await dfu('-a', '0', '-s', `0x08000000:${bin.length}`, '-U', 'up.bin');
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'up.bin')).equals(bin)).toBe(true);
  });

  it('a file of zeros at 0x0801f000 erases its sector and programs zeros', async () => {
    flash.fill(0x5a, 0x1e000, 0x20000);
    writeFileSync(join(dir, 'zeroes'), new Uint8Array(4096));
    const r = await dfu('-a', '0', '-s', '0x0801f000', '-D', 'zeroes');
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
    const at = 0x0801f000 - FAKE_FLASH_BASE;
    expect(flash.subarray(at, at + 4096).every((b) => b === 0)).toBe(true);
    // The rest of the 64 KiB sector 4 was erased by the page erase dfu-util sent first.
    expect(flash.subarray(0x1e000, at).every((b) => b === 0xff)).toBe(true);
  });

  it('with no server, dfu-util fails cleanly with the shim naming the socket', async () => {
    const r = await runUnderShim('dfu-util', ['--list'], join(dir, 'nothing.sock'), dir);
    expect(r.code).toBe(74);
    expect(r.stderr).toContain(`libusb-shim: cannot connect to emboard usb-serve at ${join(dir, 'nothing.sock')}`);
  });
});
