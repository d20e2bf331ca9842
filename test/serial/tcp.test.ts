/**
 * tcp: backend with a node client (in-process run), and --exit-on-eof with a pipe (child process).
 * Firmware: uart_echo.elf (prompt, one line in, upper-case echo, semihosting exit).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { runFirmware } from '../../src/core/run-firmware.js';
import { parseSerialSpec } from '../../src/serial/spec.js';

const ROOT = join(__dirname, '../..');
const ECHO = join(ROOT, 'test/firmware/bin/uart_echo.elf');
const PROMPT = 'uart echo test: type a line\n';

function runWithTcp(spec: string, onListening: (port: number, notices: string[]) => void) {
  const stdin = new PassThrough(); // never ends: a terminal nobody types into
  const notices: string[] = [];
  let stdout = '';
  const run = runFirmware({
    board: 'mps2-an386',
    file: ECHO,
    semihosting: true,
    log: silentLogger(),
    output: () => undefined,
    serial: {
      specs: [parseSerialSpec(spec)],
      stdio: { input: stdin, write: (b) => (stdout += Buffer.from(b).toString()) },
      notice: (line) => {
        notices.push(line);
        const m = /^char device listening on tcp:127\.0\.0\.1:(\d+) \(label uart0\)$/.exec(line);
        if (m) setImmediate(() => onListening(Number(m[1]), notices));
      },
    },
  });
  return { run, notices, stdout: () => stdout };
}

function client(port: number, send: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const s = connect(port, '127.0.0.1', () => s.write(send));
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('end', () => resolve(got));
    s.on('error', reject);
  });
}

describe('tcp: backend', () => {
  it('tcp:0,wait holds the guest until a client connects, then carries the whole dialogue', async () => {
    let reply: Promise<string> | null = null;
    const { run, notices, stdout } = runWithTcp('uart0=tcp:0,wait', (port) => (reply = client(port, 'over tcp\n')));
    const { result } = await run;
    expect(result.reason).toBe('exit');
    expect(notices[1]).toMatch(/^emboard: waiting for connection on tcp:127\.0\.0\.1:\d+ \(label uart0\)$/);
    expect(await reply!).toBe(`${PROMPT}got 8 chars, one or more RX interrupts\nupper: OVER TCP\nSTATE=0 INTSTATUS=0\n`);
    expect(stdout()).toBe(''); // the console went to TCP, not stdout
  });

  it('binds to loopback by default and refuses a port in use with a one-line error', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const { run } = runWithTcp(`uart0=tcp:${port}`, () => undefined);
      await expect(run).rejects.toThrow(UserError);
      await expect(run).rejects.toThrow(`--serial uart0=tcp:127.0.0.1:${port}: cannot listen (EADDRINUSE)`);
    } finally {
      busy.close();
    }
  });
});

describe('tcp: backend, stopping', () => {
  it('SIGINT while ,wait still waits for a client ends the run at once (exit 0)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'run', '-b', 'mps2-an386', '--semihosting', ECHO, '--serial', 'tcp:0,wait'], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d.toString();
      if (stderr.includes('waiting for connection')) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
  });
});

describe('stdin pipe EOF', () => {
  const cli = (args: string[], input: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'run', '-b', 'mps2-an386', ...args], { cwd: ROOT, input, timeout: 60_000 });

  it('EOF alone does not stop a running guest; with --exit-on-eof it does (exit 0)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emboard-eof-'));
    const spin = join(dir, 'spin.bin'); // vector table (SP, reset → 0x41), then `b .` at 0x40
    const img = Buffer.alloc(0x42);
    img.writeUInt32LE(0x20001000, 0);
    img.writeUInt32LE(0x41, 4);
    img.writeUInt16LE(0xe7fe, 0x40);
    writeFileSync(spin, img);
    expect(cli([spin, '--timeout', '200'], 'x').status).toBe(124);
    expect(cli([spin, '--timeout', '200', '--exit-on-eof'], 'x').status).toBe(0);
  });

  it('--exit-on-eof still delivers every piped byte first (the guest answers the whole line)', () => {
    const r = cli(['--semihosting', ECHO, '--exit-on-eof', '--baud', '1200'], 'slow line\n');
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toContain('upper: SLOW LINE\n');
  });
});
