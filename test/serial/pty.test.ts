/**
 * pty backend: the slave opened by Node (detach and re-attach), then real terminal programs (picocom, screen)
 * and the stdio escape keys on a real terminal, all driven inside tmux (send-keys, capture-pane). Tools that
 * are missing skip visibly. No wall-clock thresholds: every wait polls for a condition, with a generous cap.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadStream, WriteStream } from 'node:tty';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'src/cli/main.ts');
const ECHO = join(ROOT, 'test/firmware/bin/uart_echo.elf');
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const HAVE_KOFFI = (() => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('koffi');
    return process.platform === 'linux';
  } catch {
    return false;
  }
})();

async function until<T>(what: string, probe: () => T | undefined | false, capMs = 60_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    // The cap only turns a hang into a readable failure; no result depends on it.
    if (Date.now() - start > capMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill();
});

/** Starts `emboard run` with a PTY console in the background; resolves with the slave path from its notice. */
async function startWithPty(extra: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'run', '-b', 'mps2-an386', '--semihosting', ECHO, ...extra], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const slave = await until('the PTY notice', () => /^char device redirected to (\/dev\/pts\/\d+) \(label uart0\)/m.exec(stderr)?.[1]);
  return { child, slave, exited, stderr: () => stderr };
}

function openSlave(path: string) {
  const fd = openSync(path, 'r+');
  const r = new ReadStream(fd);
  const w = new WriteStream(fd);
  let got = '';
  r.on('data', (d) => (got += d.toString('latin1')));
  r.on('error', () => undefined);
  // write resolves once the bytes are in the PTY: closing before that could drop them (a test race seen under load).
  return { got: () => got, write: (s: string) => new Promise<void>((res) => w.write(s, () => res())), close: () => (r.destroy(), w.destroy()) };
}

describe.skipIf(!HAVE_KOFFI)(`pty backend (koffi; Linux)${HAVE_KOFFI ? '' : ' (skipped: koffi or Linux missing)'}`, () => {
  it('announces the slave like QEMU, makes the pty:PATH symlink, and survives a client leaving and another attaching', async () => {
    const link = join(mkdtempSync(join(tmpdir(), 'emboard-pty-')), 'ttyACM0');
    const { slave, exited, stderr } = await startWithPty(['--serial', `uart0=pty:${link}`]);
    expect(stderr()).toContain(`char device redirected to ${slave} (label uart0), linked from ${link}`);
    expect(readlinkSync(link)).toBe(slave);
    const first = openSlave(link);
    await until('the prompt on the first client', () => first.got().includes('type a line'));
    await first.write('ab');
    first.close();
    const second = openSlave(link);
    await second.write('c\n');
    await until('the echo on the second client', () => second.got().includes('upper: ABC\n'));
    second.close();
    expect(await exited).toBe(0);
    expect(existsSync(link)).toBe(false); // symlink removed at exit
  });

  it('refuses to replace a regular file with the symlink', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emboard-pty-'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'run', '-b', 'mps2-an386', ECHO, '--serial', `pty:${dir}`], { cwd: ROOT, input: '' });
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toBe(`emboard: --serial uart0=pty:${dir}: ${dir} exists and is not a symlink; not replacing it\n`);
    expect(lstatSync(dir).isDirectory()).toBe(true);
  });
});

/** A private tmux server for one test. */
function tmux(sock: string) {
  const run = (...args: string[]) => execFileSync('tmux', ['-L', sock, ...args], { encoding: 'utf8' });
  return {
    start: (cmd: string) => run('new-session', '-d', '-s', 't', '-x', '120', '-y', '40', cmd),
    keys: (...keys: string[]) => run('send-keys', '-t', 't', ...keys),
    screen: () => {
      try {
        return run('capture-pane', '-p', '-t', 't', '-S', '-200');
      } catch {
        return '';
      }
    },
    alive: () => spawnSync('tmux', ['-L', sock, 'has-session', '-t', 't']).status === 0,
    kill: () => spawnSync('tmux', ['-L', sock, 'kill-server']),
  };
}

/** How many open descriptors (all processes) point at `dev`: emboard holds one; a client adds one. */
function openers(dev: string): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === dev) n++;
      } catch {
        /* gone */
      }
    }
  }
  return n;
}

const TERMS = has('tmux') && has('picocom') && has('screen') && HAVE_KOFFI;

describe.skipIf(!TERMS)(`real terminal programs on the PTY${TERMS ? '' : ' (skipped: tmux, picocom, screen or koffi missing)'}`, () => {
  it('picocom types half a line and quits (Ctrl-A Ctrl-X); screen attaches to the same link, finishes the line and shows the echo', async () => {
    const link = join(mkdtempSync(join(tmpdir(), 'emboard-pty-')), 'ttyACM0');
    const { exited, slave } = await startWithPty(['--serial', `uart0=pty:${link}`]);
    const p = tmux(`emboard-test-${process.pid}-a`);
    const t = tmux(`emboard-test-${process.pid}-a2`);
    try {
      // picocom flushes pending input when it opens the port, so the early prompt is gone: wait for it to be ready.
      p.start(`picocom -b 115200 ${link}; echo PICOCOM-DONE; sleep 600`);
      await until('picocom to be ready', () => p.screen().includes('Terminal ready'));
      p.keys('-l', 'hel');
      p.keys('C-a', 'C-x'); // picocom: exit
      await until('picocom to quit', () => p.screen().includes('PICOCOM-DONE'));
      await until('picocom to close the port', () => openers(slave) === 1);
      // screen logs what it shows (-L -Logfile): the window itself closes when emboard exits.
      const log = join(mkdtempSync(join(tmpdir(), 'emboard-screen-')), 'screen.log');
      t.start(`screen -L -Logfile ${log} ${link} 115200; echo SCREEN-DONE; sleep 600`);
      await until('screen to open the port', () => openers(slave) >= 2);
      t.keys('-l', 'lo');
      t.keys('C-j'); // the firmware ends a line at LF
      expect(await exited).toBe(0); // the guest got "hello\n" (half from picocom, half from screen) and exited
      // emboard closing the PTY ends screen's session, as unplugging a board does.
      await until('screen to end', () => t.screen().includes('SCREEN-DONE'));
      expect(readFileSync(log, 'latin1')).toContain('upper: HELLO');
    } finally {
      p.kill();
      t.kill();
    }
  });
});

describe.skipIf(!TERMS)(`screen's own Ctrl-A k on the PTY${TERMS ? '' : ' (skipped: tmux, picocom, screen or koffi missing)'}`, () => {
  it('screen types half a line and is killed with Ctrl-A k y; emboard keeps the PTY, picocom re-attaches and finishes the line', async () => {
    const link = join(mkdtempSync(join(tmpdir(), 'emboard-pty-')), 'ttyACM0');
    const { exited, slave } = await startWithPty(['--serial', `uart0=pty:${link}`]);
    const sc = tmux(`emboard-test-${process.pid}-d`);
    const pc = tmux(`emboard-test-${process.pid}-d2`);
    try {
      sc.start(`screen ${link} 115200; echo SCREEN-DONE; sleep 600`);
      await until('screen to open the port', () => openers(slave) >= 2);
      sc.keys('-l', 'scr');
      sc.keys('C-a', 'k');
      await until('the kill prompt', () => /Really kill this window/.test(sc.screen()));
      sc.keys('y');
      await until('screen to quit', () => sc.screen().includes('SCREEN-DONE'));
      await until('screen to close the port', () => openers(slave) === 1);
      pc.start(`picocom -b 115200 ${link}; echo PICOCOM-DONE; sleep 600`);
      await until('picocom to be ready', () => pc.screen().includes('Terminal ready'));
      pc.keys('-l', 'een');
      pc.keys('C-j');
      expect(await exited).toBe(0); // the guest got "screen\n" from the two clients and exited
      await until('the echo in picocom', () => pc.screen().includes('upper: SCREEN'));
    } finally {
      sc.kill();
      pc.kill();
    }
  });
});

describe.skipIf(!has('tmux'))(`stdio on a real terminal (tmux): screen-style escape keys${has('tmux') ? '' : ' (skipped: tmux missing)'}`, () => {
  it('Ctrl-A ? shows the keys, Ctrl-A a sends Ctrl-A, Ctrl-A r resets the board, Ctrl-A k quits with 0 and restores the terminal', async () => {
    const t = tmux(`emboard-test-${process.pid}-b`);
    const cmd = `cd ${ROOT} && ${process.execPath} --import tsx ${CLI} run -b mps2-an386 --semihosting ${ECHO}; echo EXIT=$?; stty -a | grep -o -- '-\\?icanon'; sleep 600`;
    try {
      t.start(cmd);
      await until('the prompt', () => t.screen().includes('type a line'));
      t.keys('C-a', '?');
      await until('the help line', () => t.screen().includes('Ctrl-A k or Ctrl-A \\ quit'));
      t.keys('C-a', 'r');
      await until('the prompt after reset', () => t.screen().split('uart echo test: type a line').length === 3);
      t.keys('C-a', 'a');
      t.keys('-l', 'x');
      t.keys('C-j');
      // The firmware counts the Ctrl-A it received as a character: got 2 chars.
      await until('the echo', () => t.screen().includes('got 2 chars'));
      await until('the exit', () => /EXIT=0/.test(t.screen()));
      expect(t.screen()).toMatch(/EXIT=0\s+icanon/); // canonical mode back on: terminal restored
    } finally {
      t.kill();
    }
  });

  it('Ctrl-A k quits a waiting guest with exit 0', async () => {
    const t = tmux(`emboard-test-${process.pid}-c`);
    const cmd = `cd ${ROOT} && ${process.execPath} --import tsx ${CLI} run -b mps2-an386 --semihosting ${ECHO}; echo EXIT=$?; stty -a | grep -o -- '-\\?icanon'; sleep 600`;
    try {
      t.start(cmd);
      await until('the prompt', () => t.screen().includes('type a line'));
      t.keys('C-a', 'k');
      await until('the exit', () => /EXIT=\d+/.test(t.screen()));
      expect(t.screen()).toMatch(/EXIT=0\s+icanon/);
    } finally {
      t.kill();
    }
  });
});
