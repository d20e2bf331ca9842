/**
 * `emboard console` against `emboard run`: over TCP with a pipe (log file, exit when the line closes), and on
 * the PTY inside tmux (a real terminal: raw mode, Ctrl-A k quits and restores the terminal, a second console
 * attaches to the same link and finishes the dialogue). Waits poll for conditions (no timing thresholds).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'src/cli/main.ts');
const ECHO = join(ROOT, 'test/firmware/bin/uart_echo.elf');
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

async function until<T>(what: string, probe: () => T | undefined | false, capMs = 60_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() - start > capMs) throw new Error(`gave up waiting for ${what}`); // turns a hang into a message
    await new Promise((r) => setTimeout(r, 50));
  }
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill();
});

function emboard(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d.toString('latin1')));
  child.stderr!.on('data', (d) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

describe('emboard console over tcp', () => {
  it('carries a dialogue from a pipe, logs received bytes (-L), and ends when emboard closes the line', async () => {
    const board = emboard(['run', '-b', 'mps2-an386', '--semihosting', ECHO, '--serial', 'tcp:0,wait']);
    const target = await until('the listening notice', () => /tcp:127\.0\.0\.1:\d+/.exec(board.stderr())?.[0]);
    const log = join(mkdtempSync(join(tmpdir(), 'emboard-console-')), 'rx.log');
    const con = emboard(['console', target, '-L', log]);
    await until('the prompt', () => con.stdout().includes('type a line\n'));
    con.child.stdin!.write('over the console\n');
    expect(await board.exited).toBe(0);
    expect(await con.exited).toBe(0);
    const expected = 'uart echo test: type a line\ngot 16 chars, one or more RX interrupts\nupper: OVER THE CONSOLE\nSTATE=0 INTSTATUS=0\n';
    expect(con.stdout()).toBe(expected);
    expect(readFileSync(log, 'latin1')).toBe(expected);
    expect(con.stderr()).toBe(`emboard console: ${target} closed\n`);
  });

  it('fails with one line when nothing listens', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'console', 'tcp:127.0.0.1:1'], { cwd: ROOT, input: '' });
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toBe('emboard: console tcp:127.0.0.1:1: cannot connect (ECONNREFUSED)\n');
  });
});

const TMUX = has('tmux');

describe.skipIf(!TMUX)(`emboard console on the PTY in a real terminal${TMUX ? '' : ' (skipped: tmux missing)'}`, () => {
  it('Ctrl-A k quits (exit 0, terminal restored); a second console re-attaches and finishes the line', async () => {
    const link = join(mkdtempSync(join(tmpdir(), 'emboard-console-')), 'ttyEMB');
    const board = emboard(['run', '-b', 'mps2-an386', '--semihosting', ECHO, '--serial', `pty:${link}`]);
    await until('the PTY notice', () => board.stderr().includes('char device redirected to'));
    const sock = `emboard-console-${process.pid}`;
    const t = (...a: string[]) => execFileSync('tmux', ['-L', sock, ...a], { encoding: 'utf8' });
    const screen = () => t('capture-pane', '-p', '-t', 's', '-S', '-200');
    const cmd = (n: number) => `${process.execPath} --import tsx ${CLI} console ${link} 115200 --enter lf --lf-to-crlf; echo EXIT${n}=$?; stty -a | grep -o -- '-\\?icanon'`;
    try {
      t('new-session', '-d', '-s', 's', '-x', '120', '-y', '40', `cd ${ROOT}; ${cmd(1)}; ${cmd(2)}; sleep 600`);
      await until('the first console', () => screen().includes('Ctrl-A k to quit'));
      t('send-keys', '-t', 's', '-l', 'ab');
      t('send-keys', '-t', 's', 'C-a', 'k');
      await until('the first console to quit', () => /EXIT1=0\s+icanon/.test(screen()));
      await until('the second console', () => screen().split('Ctrl-A k to quit').length === 3);
      t('send-keys', '-t', 's', '-l', 'cd');
      t('send-keys', '-t', 's', 'Enter'); // sent as LF (--enter lf), which ends the firmware's line
      expect(await board.exited).toBe(0);
      await until('the echo and the second exit', () => /upper: ABCD/.test(screen()) && /EXIT2=0/.test(screen()));
    } finally {
      spawnSync('tmux', ['-L', sock, 'kill-server']);
    }
  });
});
