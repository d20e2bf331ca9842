/**
 * `emboard run --boot0 --usb-serve`: the running chip's system bootloader on the usb-serve socket, and the
 * jump to the application on DFU leave (src/usb/serve/machine-dfu.ts).
 *
 * In-process: `runFirmware` with the attach hook, the DFU device driven through the socket protocol
 * (docs/usb-serve.md) with the DfuSe requests of ST AN3156 — a hand-assembled program is written to
 * sector 5 and left to at 0x08020000, so MSP, PC and VTOR must come from that table; a parked bootloader
 * nobody flashes ends at --timeout. Then the CLI with the real dfu-util 0.11 under the shim.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import type { Machine } from '../../src/core/machine.js';
import { silentLogger } from '../../src/core/logger.js';
import { runFirmware } from '../../src/core/run-firmware.js';
import { MachineDfu } from '../../src/usb/serve/machine-dfu.js';
import { Op } from '../../src/usb/serve/protocol.js';
import { hasTool, runUnderShim, ServeClient, SHIM_SO, u16, u32 } from './serve-client.js';

const HELLO_BIN = join(import.meta.dirname, '../firmware/f411/bin/hello.bin');
const ROOT = join(import.meta.dirname, '../..');
const HAVE_DFU_UTIL = hasTool('dfu-util');
const HAVE_SHIM = existsSync(SHIM_SO);

const APP_BASE = 0x0802_0000; // sector 5
const APP_SP = 0x2000_4000;

/**
 * A program linked at 0x08020000: vector table (MSP, reset vector), then semihosting SYS_EXIT with
 * ADP_Stopped_ApplicationExit (exit status 0) and a loop.
 */
function tinyApp(): Uint8Array {
  const img = new Uint8Array(0x20).fill(0xff);
  const v = new DataView(img.buffer);
  v.setUint32(0, APP_SP, true);
  v.setUint32(4, (APP_BASE + 0x10) | 1, true);
  const code = [
    0x2018, // movs r0, #0x18 (SYS_EXIT)
    0x4901, // ldr r1, [pc, #4] → the word at +0x18
    0xbeab, // bkpt 0xab
    0xe7fe, // b .
  ];
  code.forEach((h, i) => v.setUint16(0x10 + 2 * i, h, true));
  v.setUint32(0x18, 0x20026, true);
  return img;
}

/** A program at 0x08020000 that resets the chip at once (SCB_AIRCR = VECTKEY | SYSRESETREQ). */
function resettingApp(): Uint8Array {
  const img = new Uint8Array(0x24).fill(0xff);
  const v = new DataView(img.buffer);
  v.setUint32(0, APP_SP, true);
  v.setUint32(4, (APP_BASE + 0x10) | 1, true);
  const code = [
    0x4802, // ldr r0, [pc, #8] → the word at +0x1c
    0x4903, // ldr r1, [pc, #12] → the word at +0x20
    0x6001, // str r1, [r0]
    0xe7fe, // b .
  ];
  code.forEach((h, i) => v.setUint16(0x10 + 2 * i, h, true));
  v.setUint32(0x1c, 0xe000_ed0c, true);
  v.setUint32(0x20, 0x05fa_0004, true);
  return img;
}

/** A DFU host on the usb-serve protocol: DfuSe commands and writes as AN3156 orders them. */
class DfuHost {
  private handle = 0;
  constructor(private readonly c: ServeClient) {}

  async open(): Promise<void> {
    expect((await this.c.call(Op.HELLO, u32(1))).result).toBe(0);
    const list = await this.c.call(Op.LIST);
    expect(list.result).toBe(1);
    const id = new DataView(list.payload.buffer, list.payload.byteOffset).getUint32(0, true);
    const open = await this.c.call(Op.OPEN, u32(id));
    expect(open.result).toBe(0);
    this.handle = new DataView(open.payload.buffer, open.payload.byteOffset).getUint32(0, true);
    expect((await this.c.call(Op.CLAIM, [...u32(this.handle), 0, 0])).result).toBe(0);
    expect((await this.c.call(Op.SET_ALT, [...u32(this.handle), 0, 0])).result).toBe(0);
  }

  private dnload(block: number, data: Uint8Array): Promise<{ result: number }> {
    return this.c.call(Op.CONTROL, [...u32(this.handle), 0x21, 1, ...u16(block), ...u16(0), ...u16(data.length), ...data]);
  }

  /** GETSTATUS → [bStatus, bState]. */
  async status(): Promise<[number, number]> {
    const r = await this.c.call(Op.CONTROL, [...u32(this.handle), 0xa1, 3, ...u16(0), ...u16(0), ...u16(6)]);
    expect(r.result).toBe(6);
    return [r.payload[0]!, r.payload[4]!];
  }

  /** DNLOAD, then the two GETSTATUS that run it (dfuDNBUSY) and report it (dfuDNLOAD-IDLE, status OK). */
  async run(block: number, data: Uint8Array): Promise<void> {
    expect((await this.dnload(block, data)).result).toBe(data.length);
    expect(await this.status()).toEqual([0, 4]); // OK, dfuDNBUSY
    expect(await this.status()).toEqual([0, 5]); // OK, dfuDNLOAD-IDLE
  }

  command(cmd: number, address: number): Promise<void> {
    return this.run(0, Uint8Array.of(cmd, ...u32(address)));
  }

  /** Zero-length DNLOAD after a Set Address: GETSTATUS answers dfuMANIFEST and the device leaves. */
  async leave(address: number): Promise<void> {
    await this.command(0x21, address);
    expect((await this.dnload(0, new Uint8Array(0))).result).toBe(0);
    expect(await this.status()).toEqual([0, 7]); // OK, dfuMANIFEST
  }
}

describe('emboard run --boot0 with the DFU device served (in-process)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'boot0-serve-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('erase + write sector 5, leave to 0x08020000: the application starts with MSP, PC and VTOR from its table; the state file holds it', async () => {
    const sock = join(dir, 'a.sock');
    const statePath = join(dir, 'a.bin');
    let dfu: MachineDfu | null = null;
    let machine: Machine | null = null;
    let served!: () => void;
    const ready = new Promise<void>((r) => (served = r));
    const notices: string[] = [];
    const run = runFirmware({
      board: 'WeAct_F411CE',
      flashState: statePath,
      flashSaveDelayMs: 10,
      boardOverrides: { boot0: true },
      semihosting: true,
      timeoutMs: 60_000,
      log: silentLogger(),
      output: () => undefined,
      onMachine: (m) => (machine = m),
      attach: async (m, state) => {
        dfu = await MachineDfu.start({ machine: m, state, socketPath: sock, notice: (l) => notices.push(l) });
        served();
        return dfu;
      },
    });
    await ready;
    const client = await ServeClient.connect(sock);
    try {
      const host = new DfuHost(client);
      await host.open();
      const app = tinyApp();
      await host.command(0x41, APP_BASE); // erase sector 5
      await host.command(0x21, APP_BASE);
      await host.run(2, app);
      await host.leave(APP_BASE);
      // The device left the bus; nothing is plugged in again while the application runs.
      expect((await client.call(Op.LIST)).result).toBe(0);
    } finally {
      await client.close();
    }
    const { result } = await run;
    expect(result.reason).toBe('exit');
    expect(result.exitCode).toBe(0);
    const m = machine as Machine | null;
    expect(m!.cpu.exc.vtor).toBe(APP_BASE);
    expect(m!.cpu.r[13]! >>> 0).toBe(APP_SP);
    expect(m!.cpu.pc >>> 0).toBe(APP_BASE + 0x16); // the semihosting BKPT (third instruction) completed
    expect((dfu as MachineDfu | null)!.leaves).toEqual([APP_BASE]);
    expect(notices.at(-1)).toBe(`emboard run: the device left DFU mode; flash saved to ${statePath}; starting the application at 0x08020000`);
    const state = readFileSync(statePath);
    expect(state.subarray(0x20000, 0x20020).equals(Buffer.from(tinyApp()))).toBe(true);
    expect(state.subarray(0x20020, 0x40000).every((b) => b === 0xff)).toBe(true);
    expect(existsSync(sock)).toBe(false);
  }, 30_000);

  it('an application that resets the chip (BOOT0 still high) brings the bootloader back; the next download replaces the decoded code', async () => {
    const sock = join(dir, 'r.sock');
    let dfu: MachineDfu | null = null;
    let served!: () => void;
    const ready = new Promise<void>((r) => (served = r));
    const notices: string[] = [];
    const run = runFirmware({
      board: 'WeAct_F411CE',
      boardOverrides: { boot0: true },
      semihosting: true,
      timeoutMs: 60_000,
      log: silentLogger(),
      output: () => undefined,
      attach: async (m, state) => {
        dfu = await MachineDfu.start({ machine: m, state, socketPath: sock, notice: (l) => notices.push(l) });
        served();
        return dfu;
      },
    });
    await ready;
    const flashAndLeave = async (img: Uint8Array) => {
      const client = await ServeClient.connect(sock);
      try {
        const host = new DfuHost(client);
        await host.open();
        await host.command(0x41, APP_BASE);
        await host.command(0x21, APP_BASE);
        await host.run(2, img);
        await host.leave(APP_BASE);
      } finally {
        await client.close();
      }
    };
    await flashAndLeave(resettingApp());
    // The reset parks the core in system memory again; the device is back for the next program.
    for (let i = 0; i < 200 && !notices.some((n) => n.includes('bootloader again')); i++) await new Promise((r) => setTimeout(r, 10));
    expect(notices).toContain('emboard run: the chip is in its bootloader again; the DFU device is back on the bus');
    await flashAndLeave(tinyApp());
    const { result } = await run;
    // Stale decoded instructions of the first program would reset forever (until the 60 s timeout).
    expect(result.reason).toBe('exit');
    expect(result.exitCode).toBe(0);
    expect((dfu as MachineDfu | null)!.leaves).toEqual([APP_BASE, APP_BASE]);
  }, 30_000);

  it('a parked bootloader nobody flashes keeps the run alive until --timeout (virtual time follows the host clock)', async () => {
    const sock = join(dir, 'b.sock');
    const t0 = performance.now();
    const { result } = await runFirmware({
      board: 'WeAct_F411CE',
      boardOverrides: { boot0: true },
      timeoutMs: 300,
      log: silentLogger(),
      output: () => undefined,
      attach: (m, state) => MachineDfu.start({ machine: m, state, socketPath: sock }),
    });
    const ms = performance.now() - t0;
    expect(result.reason).toBe('timeout');
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(existsSync(sock)).toBe(false);
  }, 20_000);

  it('without the attachment the parked core ends the run at once (today\'s --boot0 without --usb-serve)', async () => {
    const { result } = await runFirmware({ board: 'WeAct_F411CE', boardOverrides: { boot0: true }, log: silentLogger(), output: () => undefined });
    expect(result.reason).toBe('halt');
  });

  it('a board without the F411 bootloader is a one-line UserError', async () => {
    const run = runFirmware({
      board: 'mps2-an386',
      demo: true,
      log: silentLogger(),
      output: () => undefined,
      attach: (m, state) => MachineDfu.start({ machine: m, state, socketPath: join(dir, 'c.sock') }),
    });
    await expect(run).rejects.toThrow(UserError);
    await expect(run).rejects.toThrow("--board mps2-an386: no emulated USB DFU bootloader for SoC 'mps2-an386' (STM32F411 boards only)");
  });
});

describe('emboard run --usb-serve without --boot0', () => {
  it('is a one-line usage error (exit 2); nothing is served', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'run', '-b', 'WeAct_F411CE', '--usb-serve', '/nonexistent/x.sock', HELLO_BIN], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--usb-serve serves the system bootloader: give --boot0 with it');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
  }, 60_000);
});

describe.skipIf(!HAVE_DFU_UTIL || !HAVE_SHIM)('emboard run --boot0 --usb-serve with the real dfu-util (skipped: needs dfu-util and the built tools/libusb-shim)', () => {
  it('export line on stderr; dfu-util -a 0 -s 0x08000000:leave -D hello.bin; the application prints in the same run; the state file holds hello.bin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boot0-serve-cli-'));
    const sock = join(dir, 'usb.sock');
    const state = join(dir, 'state.bin');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'run', '--boot0', '--usb-serve', sock, '--flash', state, '-b', 'WeAct_F411CE', '--semihosting',
        // hello prints on USART2; the WeAct console is USART1.
        '--serial', 'usart2=stdio', '--serial', 'usart1=none'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exported = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no export line in 45 s: ${out} ${err}`)), 45_000);
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /^export (.*)$/m.exec(err);
          if (m) {
            clearTimeout(t);
            resolve(m[1]!);
          }
        });
      });
      expect(exported).toBe(`LD_PRELOAD=${SHIM_SO} EMBOARD_USB=${sock}`);
      expect(err).toContain(`emboard run: STM32 DFU bootloader [0483:df11] of WeAct_F411CE on ${sock} (flash state ${state})`);
      expect(out).toBe(''); // the parked bootloader prints nothing
      copyFileSync(HELLO_BIN, join(dir, 'fw.bin'));
      const r = await runUnderShim('dfu-util', ['-a', '0', '-s', '0x08000000:leave', '-D', 'fw.bin'], sock, dir);
      expect(r.timedOut).toBe(false);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Transitioning to dfuMANIFEST state');
      expect(r.stderr).not.toContain('libusb-shim');
      const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('close', resolve)));
      expect(out).toBe(readFileSync(join(ROOT, 'test/firmware/f411/expected/hello.txt'), 'utf8'));
      expect(code).toBe(0);
      expect(err).toContain(`emboard run: the device left DFU mode; flash saved to ${state}; starting the application at 0x08000000`);
      const bin = readFileSync(HELLO_BIN);
      const flash = readFileSync(state);
      expect(flash.length).toBe(512 * 1024);
      expect(flash.subarray(0, bin.length).equals(bin)).toBe(true);
      expect(existsSync(sock)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('stays up between host programs (two dfu-util --list runs find the device) and ends on SIGTERM with exit 0, socket removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boot0-serve-term-'));
    const sock = join(dir, 'usb.sock');
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'run', '--boot0', '--usb-serve', sock, '-b', 'WeAct_F411CE'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let err = '';
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no export line in 45 s: ${err}`)), 45_000);
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (/^export /m.test(err)) {
            clearTimeout(t);
            resolve();
          }
        });
      });
      expect(err).toContain(`on ${sock}; DFU leave starts the application`); // no --flash: no state named
      for (let i = 0; i < 2; i++) {
        const r = await runUnderShim('dfu-util', ['--list'], sock, dir);
        expect(r.code).toBe(0);
        expect(r.stdout.split('\n').filter((l) => l.startsWith('Found DFU: [0483:df11]'))).toHaveLength(4);
      }
      expect(child.exitCode).toBeNull();
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      child.kill('SIGTERM');
      expect(await closed).toBe(0);
      expect(existsSync(sock)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
