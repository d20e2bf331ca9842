/**
 * `emboard console DEVICE BAUD` on a serial device through the serialport package. A socat PTY pair
 * (`socat pty,raw,echo=0 pty,raw,echo=0`) stands in for a USB serial adapter: the console opens one end,
 * and a stand-in board (this test) answers on the other in upper case. Checks: the dialogue byte for byte,
 * -L (untranslated), --lf-to-crlf, --echo, the baud rate on the line (stty), the exclusive lock, Enter
 * translation on a real terminal (tmux), and the client ending when the device goes away.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadStream, WriteStream } from 'node:tty';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { type ConsoleOptions, runConsole } from '../../src/serial/console-client.js';

const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'src/cli/main.ts');
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const SOCAT = has('socat') && has('stty') && process.platform === 'linux';

async function until<T>(what: string, probe: () => T | undefined | false, capMs = 60_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() - start > capMs) throw new Error(`gave up waiting for ${what}`); // a hang becomes a message
    await new Promise((r) => setTimeout(r, 50));
  }
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill();
});

/** A socat PTY pair: `host` for the console, `board` for the stand-in board. */
async function ptyPair() {
  const dir = mkdtempSync(join(tmpdir(), 'emboard-socat-'));
  const host = join(dir, 'ttyUSB0');
  const board = join(dir, 'board');
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${board}`, `pty,raw,echo=0,link=${host}`], { stdio: 'ignore' });
  children.push(socat);
  await until('socat links', () => existsSync(host) && existsSync(board));
  return { dir, host, board, socat };
}

/** The stand-in board: answers every byte in upper case; records what it got. */
function standInBoard(path: string, banner = '') {
  const fd = openSync(path, 'r+');
  const r = new ReadStream(fd);
  const w = new WriteStream(fd);
  let got = '';
  r.on('data', (d: Buffer) => {
    got += d.toString('latin1');
    w.write(d.toString('latin1').toUpperCase());
  });
  r.on('error', () => undefined);
  if (banner) w.write(banner);
  return { got: () => got, write: (s: string) => w.write(s), close: () => (r.destroy(), w.destroy()) };
}

/** In-process options for runConsole (errors at open are all these tests need from it). */
function consoleOpts(target: string): ConsoleOptions {
  return { target, input: new PassThrough(), write: () => undefined, notice: () => undefined };
}

function consoleClient(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'console', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d.toString('latin1')));
  child.stderr!.on('data', (d) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

describe.skipIf(!SOCAT)(`emboard console on a serial device (socat PTY pair)${SOCAT ? '' : ' (skipped: socat, stty or Linux missing)'}`, () => {
  it('carries bytes both ways at the given baud, logs them untranslated, holds the port exclusively, ends when the device goes away', async () => {
    const { dir, host, board, socat } = await ptyPair();
    const b = standInBoard(board);
    const log = join(dir, 'rx.log');
    const con = consoleClient([host, '9600', '-L', log, '--lf-to-crlf']);
    con.child.stdin!.write('hello\nworld\n');
    await until('the answer', () => con.stdout().includes('WORLD\r\n'));
    expect(b.got()).toBe('hello\nworld\n'); // no translation on the way out from a pipe
    expect(con.stdout()).toBe('HELLO\r\nWORLD\r\n'); // --lf-to-crlf on display
    expect(readFileSync(log, 'latin1')).toBe('HELLO\nWORLD\n'); // -L keeps the bytes as received
    // serialport set the line to 9600 baud, raw (what stty reports for the open device).
    const stty = execFileSync('stty', ['-F', host, '-a'], { encoding: 'utf8' });
    expect(stty).toMatch(/speed 9600 baud/);
    expect(stty).toMatch(/-icanon/);
    expect(stty).toMatch(/-echo\b/);
    // A second client is refused while the first holds the port (like screen's lock on a real board).
    await expect(runConsole(consoleOpts(host))).rejects.toThrow(UserError);
    await expect(runConsole(consoleOpts(host))).rejects.toThrow(new RegExp(`^console ${host.replace(/[/.]/g, '\\$&')}: cannot open \\(.*lock.*\\)$`, 'i'));
    // The adapter goes away (socat exits and closes both PTYs): the client ends with 0 and says so.
    b.close();
    socat.kill();
    expect(await con.exited).toBe(0);
    expect(con.stderr()).toBe(`emboard console: ${host} closed\n`);
  });

  it('--echo shows typed bytes locally; a missing device is a one-line UserError', async () => {
    const { host, board } = await ptyPair();
    standInBoard(board);
    const con = consoleClient([host, '--echo']);
    con.child.stdin!.write('ab');
    await until('echo and answer', () => con.stdout().length >= 4);
    expect([...con.stdout()].sort().join('')).toBe('ABab'); // local echo and the answer, in either order
    con.child.stdin!.end();
    expect(await con.exited).toBe(0); // stdin EOF ends a piped client
    await expect(runConsole(consoleOpts('/nonexistent/ttyUSB9'))).rejects.toThrow(
      new UserError('console /nonexistent/ttyUSB9: cannot open (No such file or directory, cannot open /nonexistent/ttyUSB9)'),
    );
  });
});

const TMUX = SOCAT && has('tmux');

describe.skipIf(!TMUX)(`emboard console on a serial device in a real terminal${TMUX ? '' : ' (skipped: socat, tmux or Linux missing)'}`, () => {
  it('Ctrl-A ? shows the keys; Enter sends CR by default and CR LF with --enter crlf; Ctrl-A k and Ctrl-A \\ quit with 0 and restore the terminal', async () => {
    const { host, board } = await ptyPair();
    const b = standInBoard(board, 'board ready\r\n');
    const sock = `emboard-condev-${process.pid}`;
    const t = (...a: string[]) => execFileSync('tmux', ['-L', sock, ...a], { encoding: 'utf8' });
    const screen = () => t('capture-pane', '-p', '-t', 's', '-S', '-100');
    const cmd = (n: number, extra: string) => `${process.execPath} --import tsx ${CLI} console ${host} 115200 ${extra}; echo EXIT${n}=$?; stty -a | grep -o -- '-\\?icanon'`;
    try {
      t('new-session', '-d', '-s', 's', '-x', '120', '-y', '30', `cd ${ROOT}; ${cmd(1, '')}; ${cmd(2, '--enter crlf')}; sleep 600`);
      await until('the first console', () => screen().includes('Ctrl-A k to quit'));
      t('send-keys', '-t', 's', 'C-a', '?');
      await until('the key help', () => screen().includes('Ctrl-A k or Ctrl-A \\ quit, Ctrl-A a send Ctrl-A, Ctrl-A ? this help'));
      t('send-keys', '-t', 's', '-l', 'x');
      t('send-keys', '-t', 's', 'Enter');
      await until('the board to get x CR', () => b.got() === 'x\r');
      t('send-keys', '-t', 's', 'C-a', 'k');
      await until('the first console to quit', () => /EXIT1=0\s+icanon/.test(screen()));
      await until('the second console', () => screen().split('Ctrl-A k to quit').length === 3);
      t('send-keys', '-t', 's', '-l', 'y');
      t('send-keys', '-t', 's', 'Enter');
      await until('the board to get y CR LF', () => b.got() === 'x\ry\r\n');
      await until('the answer on screen', () => screen().includes('Y'));
      t('send-keys', '-t', 's', 'C-a', '\\');
      await until('the second console to quit', () => /EXIT2=0\s+icanon/.test(screen()));
    } finally {
      spawnSync('tmux', ['-L', sock, 'kill-server']);
    }
  });
});
