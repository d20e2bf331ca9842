/**
 * The unmodified Debian dfu-util 0.11 under tools/libusb-shim (LD_PRELOAD) against `usb-serve`:
 * the committed .so rebuilds byte-identically, `--list` prints the bootloader's interfaces, a download
 * with `:leave` ends (with a hang guard), `-U` reads back, a zero file at 0x0801f000 programs zeros.
 * Served in-process (library wiring of `emboard usb-serve`): first a small fake DfuSe device of the test's
 * own (protocol coverage independent of the model), then the board's real bootloader (src/usb/dfu) over the
 * --flash state file, whose result boots; last the CLI itself.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStores } from '../../src/core/flash-state.js';
import { Machine } from '../../src/core/machine.js';
import { elf2dfu } from '../../src/tools/image-tools.js';
import { BoardDfu } from '../../src/usb/serve/board-dfu.js';
import { UsbServer } from '../../src/usb/serve/server.js';
import type { UsbDevice } from '../../src/usb/device.js';
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

const LIBUSB_H = '/usr/include/libusb-1.0/libusb.h';

describe.skipIf(!HAVE_GCC || !existsSync(LIBUSB_H))('libusb-shim ABI (skipped: needs gcc and libusb-1.0-0-dev for libusb.h)', () => {
  it("declares libusb's public structs with the real header's sizes and field offsets", () => {
    const dir = mkdtempSync(join(tmpdir(), 'shim-abi-'));
    try {
      const src = readFileSync(join(SHIM_DIR, 'libusb-shim.c'), 'utf8');
      const from = src.indexOf('struct libusb_device_descriptor {');
      const to = src.indexOf('/* Opaque to callers');
      expect(from).toBeGreaterThan(0);
      writeFileSync(join(dir, 'shim-structs.h'), src.slice(from, to));
      const fields: [string, string[]][] = [
        ['libusb_device_descriptor', ['bcdUSB', 'idVendor', 'idProduct', 'bcdDevice', 'bNumConfigurations']],
        ['libusb_endpoint_descriptor', ['wMaxPacketSize', 'bSynchAddress', 'extra', 'extra_length']],
        ['libusb_interface_descriptor', ['iInterface', 'endpoint', 'extra', 'extra_length']],
        ['libusb_interface', ['altsetting', 'num_altsetting']],
        ['libusb_config_descriptor', ['wTotalLength', 'MaxPower', 'interface', 'extra', 'extra_length']],
        ['libusb_version', ['nano', 'rc', 'describe']],
      ];
      const body = fields
        .map(([t, fs]) => [`printf("${t} %zu\\n", sizeof(struct ${t}));`, ...fs.map((f) => `printf("${t}.${f} %zu\\n", offsetof(struct ${t}, ${f}));`)].join('\n'))
        .join('\n');
      const prog = (include: string) => `#include <stddef.h>\n#include <stdint.h>\n#include <stdio.h>\n${include}\nint main(void) {\n${body}\nreturn 0;\n}\n`;
      const run = (name: string, include: string) => {
        writeFileSync(join(dir, `${name}.c`), prog(include));
        const cc = spawnSync('gcc', ['-o', join(dir, name), join(dir, `${name}.c`)], { encoding: 'utf8' });
        expect(cc.stderr).toBe('');
        return spawnSync(join(dir, name), { encoding: 'utf8' }).stdout;
      };
      const real = run('real', `#include <${LIBUSB_H}>`);
      expect(real.split('\n').length).toBeGreaterThan(20);
      expect(run('shim', '#include "shim-structs.h"')).toBe(real);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A composite device (CDC ACM-like, with an alternate setting) for the shim's descriptor parsing. */
function compositeDevice(): UsbDevice {
  const config = Uint8Array.of(
    ...[9, 2, 87, 0, 2, 1, 0, 0x80, 50],
    ...[8, 0x0b, 0, 2, 2, 2, 1, 0], // interface association: configuration-level extra
    ...[9, 4, 0, 0, 1, 2, 2, 1, 0],
    ...[5, 0x24, 0, 0x10, 0x01, 5, 0x24, 1, 0, 1, 4, 0x24, 2, 2, 5, 0x24, 6, 0, 1], // CDC functional descriptors
    ...[7, 5, 0x83, 3, 8, 0, 16],
    ...[9, 4, 1, 0, 2, 0x0a, 0, 0, 0],
    ...[7, 5, 0x01, 2, 64, 0, 0],
    ...[7, 5, 0x81, 2, 64, 0, 0],
    ...[9, 4, 1, 1, 0, 0x0a, 0, 0, 0],
    ...[3, 0xff, 0x55], // vendor descriptor after the alternate setting
  );
  const product = 'CDC test';
  return {
    detached: false,
    busReset() {},
    controlTransfer(s) {
      const ack = (d: Uint8Array) => ({ status: 'ack' as const, data: d.subarray(0, s.wLength) });
      if (s.bmRequestType === 0 && (s.bRequest === 5 || s.bRequest === 9)) return ack(new Uint8Array(0));
      if (s.bmRequestType !== 0x80 || s.bRequest !== 6) return { status: 'stall' };
      if (s.wValue === 0x0100) return ack(Uint8Array.of(18, 1, 0, 2, 0xef, 2, 1, 64, 0x09, 0x12, 0x01, 0x00, 0, 1, 0, 2, 0, 1));
      if (s.wValue === 0x0200) return ack(config);
      if (s.wValue === 0x0300) return ack(Uint8Array.of(4, 3, 9, 4));
      if (s.wValue === 0x0302) return ack(Uint8Array.from([2 + 2 * product.length, 3, ...[...Buffer.from(product, 'utf16le')]]));
      return { status: 'stall' };
    },
  };
}

describe.skipIf(!HAVE_GCC || !existsSync(LIBUSB_H))('libusb-shim descriptor parsing for a C client (skipped: needs gcc and libusb-1.0-0-dev)', () => {
  it('presents a composite device as libusb does: IAD as config extra, CDC functional descriptors as interface extra, endpoints, alternate settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shim-dump-'));
    const server = new UsbServer({ socketPath: join(dir, 'usb.sock') });
    try {
      server.attach(compositeDevice());
      await server.listen();
      const exe = join(dir, 'dump');
      const cc = spawnSync('gcc', ['-Wall', '-o', exe, join(import.meta.dirname, 'shim-config-dump.c'), `-L${SHIM_DIR}`, '-l:libusb-shim.so', `-Wl,-rpath,${SHIM_DIR}`], { encoding: 'utf8' });
      expect(cc.stderr).toBe('');
      const r = await runUnderShim(exe, [], server.socketPath, dir);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        [
          'devices 1',
          '1209:0001 bus 1 addr 2 ports 1 configs 1',
          'config 1 total 87 interfaces 2 extra 8',
          ' if 0 alt 0 class 02/02/01 eps 1 extra 19',
          '  ep 83 attr 3 max 8 interval 16 extra 0',
          ' if 1 alt 0 class 0a/00/00 eps 2 extra 0',
          '  ep 01 attr 2 max 64 interval 0 extra 0',
          '  ep 81 attr 2 max 64 interval 0 extra 0',
          ' if 1 alt 1 class 0a/00/00 eps 0 extra 3',
          'config 1: LIBUSB_ERROR_NOT_FOUND',
          'product "CDC test"',
          'claim 5: LIBUSB_ERROR_NOT_FOUND',
          'claim 1: LIBUSB_SUCCESS',
          'stall: LIBUSB_ERROR_PIPE',
          '',
        ].join('\n'),
      );
    } finally {
      await server.close();
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

  it('the hang guard works: a device answering dfuDNBUSY after leave keeps dfu-util polling until killed', async () => {
    const wrongSock = join(dir, 'wrong.sock');
    const wrong = new UsbServer({ socketPath: wrongSock, plug: () => new FakeDfuseDevice(flash, true) });
    await wrong.listen();
    try {
      const r = await runUnderShim('dfu-util', ['-a', '0', '-s', '0x08000000:leave', '-D', 'fw.bin'], wrongSock, dir, 3000);
      expect(r.stdout).toContain('Submitting leave request...');
      expect(r.stdout).not.toContain('Transitioning to dfuMANIFEST state');
      expect(r.timedOut).toBe(true);
    } finally {
      await wrong.close();
    }
  });

  it('with no server, dfu-util fails cleanly with the shim naming the socket', async () => {
    const r = await runUnderShim('dfu-util', ['--list'], join(dir, 'nothing.sock'), dir);
    expect(r.code).toBe(74);
    expect(r.stderr).toContain(`libusb-shim: cannot connect to emboard usb-serve at ${join(dir, 'nothing.sock')}`);
  });
});

describe.skipIf(!HAVE_DFU_UTIL)('dfu-util 0.11 through the shim, the board\'s STM32 DFU bootloader (skipped: needs dfu-util)', () => {
  let dir: string;
  let sock: string;
  let statePath: string;
  let board: BoardDfu;
  let server: UsbServer;
  const left: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shim-f411-'));
    sock = join(dir, 'usb.sock');
    statePath = join(dir, 'state.bin');
    board = new BoardDfu({ board: 'WeAct_F411CE', flashPath: statePath, debounceMs: 10 });
    // The same wiring as `emboard usb-serve`: a fresh bootloader per plug, flash saved when it leaves.
    server = new UsbServer({
      socketPath: sock,
      plug: () => board.createDevice(),
      onDetach: (a) => {
        left.push(a.entry.id);
        board.flush();
      },
    });
    server.attach(board.createDevice());
    await server.listen();
  });

  afterAll(async () => {
    await server.close();
    board.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const dfu = (...args: string[]) => runUnderShim('dfu-util', args, sock, dir);

  it('--list: Found DFU: [0483:df11] ver=2200 … the F411 bootloader\'s four alternate settings', async () => {
    const r = await dfu('--list');
    expect(r.code).toBe(0);
    const found = r.stdout.split('\n').filter((l) => l.startsWith('Found DFU'));
    expect(found).toHaveLength(4);
    expect(found.at(-1)).toMatch(
      /^Found DFU: \[0483:df11\] ver=2200, devnum=2, cfg=1, intf=0, path="1-1", alt=0, name="@Internal Flash {2}\/0x08000000\/04\*016Kg,01\*064Kg,03\*128Kg", serial="[0-9A-F]{12}"$/,
    );
    expect(found[0]).toContain('alt=3, name="@Device Feature/0xFFFF0000/01*004 e"');
  });

  it('-a 0 -s 0x08000000:leave -D hello.bin: flashed, dfuMANIFEST, exit 0 within the hang guard; the device leaves the bus', async () => {
    copyFileSync(HELLO_BIN, join(dir, 'fw.bin'));
    const r = await dfu('-a', '0', '-s', '0x08000000:leave', '-D', 'fw.bin');
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Downloading element to address = 0x08000000, size = 1824');
    expect(r.stdout).toContain('Transitioning to dfuMANIFEST state');
    expect(left).toHaveLength(1);
    expect(server.bus.list()).toHaveLength(0);
    const bin = readFileSync(HELLO_BIN);
    const state = readFileSync(statePath);
    expect(state.length).toBe(512 * 1024);
    expect(state.subarray(0, bin.length).equals(bin)).toBe(true);
    expect(state.subarray(bin.length, 16 * 1024).every((b) => b === 0xff)).toBe(true);
  });

  it('the flashed state file boots the program on the board', () => {
    const out: number[] = [];
    const m = new Machine({ board: 'WeAct_F411CE', semihosting: { write: (_f, bytes) => out.push(...bytes) } });
    m.uart('usart2').onTransmit((b) => out.push(b));
    loadStores(statePath, m.soc.persistentStores!());
    m.reset();
    const r = m.run({ maxInstructions: 50_000_000, timeoutSeconds: 10 });
    expect(Buffer.from(out).toString('latin1')).toContain('hello from the STM32F411\n');
    expect(r.reason).toBe('exit');
    expect(r.exitCode).toBe(0);
  });

  it('-U reads the flash back identically (the next program finds the bootloader re-plugged)', async () => {
    const bin = readFileSync(HELLO_BIN);
    const r = await dfu('-a', '0', '-s', `0x08000000:${bin.length}`, '-U', 'up.bin');
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'up.bin')).equals(bin)).toBe(true);
  });

  it('a file of zeros at 0x0801f000 (the usual "erase"): the bytes become zero, the rest of sector 4 erased', async () => {
    writeFileSync(join(dir, 'zeroes'), new Uint8Array(4096));
    const r = await dfu('-a', '0', '-s', '0x0801f000', '-D', 'zeroes');
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
    board.flush();
    const state = readFileSync(statePath);
    expect(state.subarray(0x1f000, 0x20000).every((b) => b === 0)).toBe(true);
    expect(state.subarray(0x10000, 0x1f000).every((b) => b === 0xff)).toBe(true);
    // The program in sector 0 is untouched.
    expect(state.subarray(0, 1824).equals(readFileSync(HELLO_BIN))).toBe(true);
  });
  it('-a 0 -d 0483:df11 -D firmware.dfu (a DfuSe file from elf2dfu, suffix 0483:df11) programs its element', async () => {
    const elf = join(import.meta.dirname, '../firmware/f411/bin/remap.elf');
    const bin = readFileSync(join(import.meta.dirname, '../firmware/f411/bin/remap.bin'));
    elf2dfu(elf, join(dir, 'firmware.dfu'));
    const r = await dfu('-a', '0', '-d', '0483:df11', '-D', 'firmware.dfu');
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Parsing element 1, address = 0x08000000, size = ${bin.length}`);
    expect(r.stdout).toContain('Done parsing DfuSe file');
    board.flush();
    expect(readFileSync(statePath).subarray(0, bin.length).equals(bin)).toBe(true);
  });
});

describe.skipIf(!HAVE_DFU_UTIL)('emboard usb-serve CLI (skipped: needs dfu-util)', () => {
  it('prints the export line, serves dfu-util, saves the flash, ends with --exit-on-leave; emboard run --flash boots the result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usb-serve-cli-'));
    const sock = join(dir, 'usb.sock');
    const state = join(dir, 'state.bin');
    const root = join(import.meta.dirname, '../..');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'usb-serve', '--board', 'WeAct_F411CE', '--flash', state, '--socket', sock, '--exit-on-leave'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exported = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`usb-serve printed no export line in 45 s: ${out} ${err}`)), 45_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^export (.*)$/m.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(m[1]!);
          }
        });
      });
      expect(exported).toBe(`LD_PRELOAD=${SHIM_SO} EMBOARD_USB=${sock}`);
      expect(statSync(sock).mode & 0o777).toBe(0o600);
      copyFileSync(HELLO_BIN, join(dir, 'fw.bin'));
      const r = await runUnderShim('dfu-util', ['-a', '0', '-s', '0x08000000:leave', '-D', 'fw.bin'], sock, dir);
      expect(r.timedOut).toBe(false);
      expect(r.code).toBe(0);
      expect(r.stderr).not.toContain('libusb-shim');
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(0);
      expect(err).toContain(`emboard usb-serve: the device left DFU mode; flash saved to ${state}`);
      expect(readFileSync(state).subarray(0, 1824).equals(readFileSync(HELLO_BIN))).toBe(true);
      expect(() => statSync(sock)).toThrow();
      // `emboard run --flash` boots what dfu-util flashed (the program prints on USART2, WeAct's console is USART1).
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'run', '-b', 'WeAct_F411CE', '--flash', state, '--semihosting', '--serial', 'usart2=stdio', '--serial', 'usart1=none', '--timeout', '5000'],
        { cwd: root, encoding: 'utf8', timeout: 60_000 },
      );
      expect(run.stdout).toContain('hello from the STM32F411\nok DBGMCU_IDCODE\n');
      expect(run.status).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
