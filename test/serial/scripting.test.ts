/**
 * `emboard run` scripting flags end to end (child process, stdin a pipe) and input pacing in virtual time
 * (in-process). Firmware: test/firmware/bin/uart_echo.elf, which prints a prompt, reads one line through the
 * UART0 RX interrupt and echoes it in upper case, then exits through semihosting.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { runFirmware } from '../../src/core/run-firmware.js';
import type { ConsoleScript } from '../../src/serial/session.js';

const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'src/cli/main.ts');
const ECHO = join(ROOT, 'test/firmware/bin/uart_echo.elf');
const PROMPT = 'uart echo test: type a line\n';

function emboard(args: string[], input = '') {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'run', '-b', 'mps2-an386', '--semihosting', ...args], {
    cwd: ROOT,
    input,
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

describe('emboard run: pipes and scripting', () => {
  it('passes piped stdin and the guest output through byte for byte (no CR added)', () => {
    const r = emboard([ECHO], 'hello, uart!\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.toString('latin1')).toBe(
      `${PROMPT}got 12 chars, one or more RX interrupts\nupper: HELLO, UART!\nSTATE=0 INTSTATUS=0\n`,
    );
  });

  it('--input types text (escapes, @file) and --until ends with 0 as soon as the text is seen', () => {
    const r = emboard([ECHO, '--input', 'abc\\n', '--until', 'upper: ABC']);
    expect(r.status).toBe(0);
    // Stopped right at the match: the rest of the guest's output never came.
    expect(r.stdout.toString()).toBe(`${PROMPT}got 3 chars, one or more RX interrupts\nupper: ABC`);
    const dir = mkdtempSync(join(tmpdir(), 'emboard-serial-'));
    writeFileSync(join(dir, 'in.txt'), 'from a file\n');
    const f = emboard([ECHO, '--input', `@${join(dir, 'in.txt')}`, '--until', 'FROM A FILE']);
    expect(f.status).toBe(0);
    expect(f.stdout.toString()).toMatch(/upper: FROM A FILE$/);
  });

  it('--expect/--send pairs drive a dialogue; the last --expect ends it with 0', () => {
    const r = emboard([ECHO, '--expect', 'type a line\\n', '--send', 'xy\\n', '--expect', 'upper: XY']);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe(`${PROMPT}got 2 chars, one or more RX interrupts\nupper: XY`);
  });

  it('--timeout ends an unmet script with 124 and the last console lines on stderr', () => {
    const r = emboard([ECHO, '--until', 'never printed', '--timeout', '50']);
    expect(r.status).toBe(124);
    expect(r.stderr).toContain('emboard: virtual time limit reached');
    expect(r.stderr).toContain('emboard: last console output:\nuart echo test: type a line\n');
  });

  it('without --timeout an unmet script whose guest can no longer get input exits 1', () => {
    const r = emboard([ECHO, '--until', 'never printed']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^emboard: the guest went idle with no input left before the --until\/--expect text appeared\n/);
  });

  it('rejects bad scripting and serial flags with one-line errors (exit 2)', () => {
    const s = emboard([ECHO, '--send', 'x']);
    expect(s.status).toBe(2);
    expect(s.stderr).toBe('emboard: --send: 1 --send for 0 --expect (each --send follows an --expect)\n');
    const u = emboard([ECHO, '--serial', 'uart9=pty']);
    expect(u.status).toBe(2);
    expect(u.stderr).toBe("emboard: --serial uart9=…: no UART 'uart9' on this board (known: uart0, uart1, uart2, uart3, uart4)\n");
    const b = emboard([ECHO, '--serial', 'uart0=tcp:70000']);
    expect(b.status).toBe(2);
    expect(b.stderr).toBe("emboard: --serial tcp:70000: '70000' is not a TCP port (0-65535; 0 picks a free one)\n");
    const i = emboard([ECHO, '--input', '@/nonexistent/in.txt']);
    expect(i.status).toBe(2);
    expect(i.stderr).toBe('emboard: --input @/nonexistent/in.txt: cannot read /nonexistent/in.txt (ENOENT)\n');
  });

  it('file: backend writes the console to a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emboard-serial-'));
    const log = join(dir, 'console.log');
    const r = emboard([ECHO, '--serial', `uart0=file:${log}`, '--input', 'q\\n']);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe('');
    expect(readFileSync(log, 'latin1')).toBe(`${PROMPT}got 1 chars, one or more RX interrupts\nupper: Q\nSTATE=0 INTSTATUS=0\n`);
  });
});

/** Runs uart_echo in-process with a console script; returns the run result, the session and the output. */
async function runEcho(script: ConsoleScript, opts: { baud?: number; instant?: boolean } = {}) {
  const stdin = new PassThrough();
  stdin.end();
  let out = '';
  const { result, session } = await runFirmware({
    board: 'mps2-an386',
    file: ECHO,
    semihosting: true,
    log: silentLogger(),
    output: () => undefined,
    serial: {
      specs: [],
      stdio: { input: stdin, write: (b) => (out += Buffer.from(b).toString()) },
      notice: () => undefined,
      script,
      ...opts,
    },
  });
  return { result, session, out };
}

/** Runs uart_echo in-process with typed input; returns the virtual cycle count when the echo appeared. */
async function cyclesToEcho(opts: { baud?: number; instant?: boolean }, text = 'abcdefghij\n') {
  const { result, session, out } = await runEcho({ input: Buffer.from(text), until: Buffer.from('upper: ') }, opts);
  expect(session?.finished).toBe('until');
  expect(out).toContain(`got ${text.length - 1} chars`);
  return result.cycles;
}

describe('typed input is paced in virtual time', () => {
  it('one byte per frame time (10 bits at the baud rate): 11 bytes at 9600 baud take about 11 × 26042 cycles at 25 MHz', async () => {
    const slow = await cyclesToEcho({ baud: 9600 });
    const frame = Math.round((25e6 * 10) / 9600);
    expect(slow).toBeGreaterThanOrEqual(11 * frame);
    expect(slow).toBeLessThan(12 * frame);
    const fast = await cyclesToEcho({ baud: 115200 });
    expect(fast).toBeGreaterThanOrEqual(11 * Math.round(25e6 * 10 / 115200));
    expect(fast).toBeLessThan(slow / 5);
    const instant = await cyclesToEcho({ instant: true });
    expect(instant).toBeLessThan(Math.round(25e6 * 10 / 115200)); // all bytes there before one frame time
  });

  it('is deterministic: the same input gives the same cycle count', async () => {
    expect(await cyclesToEcho({ baud: 115200 })).toBe(await cyclesToEcho({ baud: 115200 }));
  });
});

describe('--until together with --expect/--send', () => {
  it('a guest that exits before the --until text fails the run (exit 1, the reason and last lines on stderr)', () => {
    const r = emboard([ECHO, '--input', 'abc\\n', '--until', 'never printed']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^emboard: the guest exited \(status 0\) before the --until\/--expect text appeared\n/);
    expect(r.stderr).toContain('upper: ABC');
  });

  it('the run goes on after the last --send until the --until text appears', async () => {
    const { session, out } = await runEcho({
      expect: [Buffer.from('type a line\n')],
      send: [Buffer.from('xy\n')],
      until: Buffer.from('upper: XY'),
    });
    expect(session?.finished).toBe('until');
    expect(out).toContain('upper: XY');
  });
});
