/**
 * The serial backends on the STM32F411 boards' USARTs (issue 4: "then with the F411 boards' UARTs"), end to
 * end with test/firmware/f411/src/uart_echo.c: an interrupt-driven line echo on USART1, USART2 and USART6
 * (upper case and length; "bye" exits 0, "ore" on USART2 runs the RM0383 overrun checks).
 * NUCLEO_F411RE's console is usart2, WeAct_F411CE's usart1; usart6 is reached with --serial usart6=….
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ReadStream, WriteStream } from 'node:tty';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { runFirmware } from '../../src/core/run-firmware.js';
import { parseSerialSpec } from '../../src/serial/spec.js';

const ROOT = join(__dirname, '../..');
const FW = join(ROOT, 'test/firmware/f411/bin/uart_echo.elf');
const banner = (u: string) => `${u} echo: type lines; 'ore' on usart2 tests overrun, 'bye' ends\n`;
const HAVE_PTY = (() => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('koffi');
    return process.platform === 'linux';
  } catch {
    return false;
  }
})();

function cli(board: string, args: string[], input = '') {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'run', '-b', board, '--semihosting', FW, ...args], {
    cwd: ROOT,
    input,
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString() };
}

/** In-process run with --serial specs; `ready(notice)` sees every backend notice. */
function runIn(board: string, specs: string[], ready: (notice: string) => void) {
  let stdout = '';
  const run = runFirmware({
    board,
    file: FW,
    semihosting: true,
    log: silentLogger(),
    output: () => undefined,
    serial: {
      specs: specs.map(parseSerialSpec),
      stdio: { input: new PassThrough(), write: (b) => (stdout += Buffer.from(b).toString('latin1')) },
      notice: (line) => setImmediate(() => ready(line)),
    },
  });
  return { run, stdout: () => stdout };
}

describe('F411 USARTs through every backend (uart_echo.c)', () => {
  it('NUCLEO_F411RE usart2 on stdio: a pipe passes through byte for byte (CR LF and LF lines)', () => {
    const r = cli('NUCLEO_F411RE', [], 'hello\r\nnucleo\nbye\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${banner('usart2')}usart2: HELLO (5 chars)\nusart2: NUCLEO (6 chars)\nusart2: BYE (3 chars)\n`);
  });

  it('NUCLEO_F411RE: --expect/--send drive the USART2 overrun check at the line rate; --input to usart2=file:', () => {
    const r = cli('NUCLEO_F411RE', ['--expect', "'bye' ends\\n", '--send', 'ore\\n12hi\\n', '--expect', 'usart2: HI (2 chars)\\n']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      `${banner('usart2')}ok ORE set by a byte arriving while RXNE is set\nok RDR keeps the unread byte\nok SR read then DR read clears ORE and RXNE\nusart2: HI (2 chars)\n`,
    );
    const dir = mkdtempSync(join(tmpdir(), 'emboard-f411-'));
    const u = cli('NUCLEO_F411RE', ['--serial', `usart2=file:${join(dir, 'usart2.log')}`, '--input', 'abc\\rbye\\r']);
    expect(u.status).toBe(0);
    expect(u.stdout).toBe('');
    expect(readFileSync(join(dir, 'usart2.log'), 'latin1')).toBe(`${banner('usart2')}usart2: ABC (3 chars)\nusart2: BYE (3 chars)\n`);
  });

  it('NUCLEO_F411RE: --timeout ends an unmet --until with 124 and the last USART2 lines on stderr', () => {
    const r = cli('NUCLEO_F411RE', ['--until', 'never printed', '--timeout', '30']);
    expect(r.status).toBe(124);
    expect(r.stderr).toContain(`emboard: last console output:\n${banner('usart2')}`);
  });

  it('usart2=none on NUCLEO_F411RE: the console goes nowhere and stdin is not read; an idle guest with no input source ends the run', () => {
    const r = cli('NUCLEO_F411RE', ['--serial', 'usart2=none'], 'bye\n');
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('usart6=tcp:0,wait on NUCLEO_F411RE holds the guest until a client connects, then echoes over TCP', async () => {
    let reply: Promise<string> | null = null;
    const { run, stdout } = runIn('NUCLEO_F411RE', ['usart6=tcp:0,wait'], (line) => {
      const m = /^char device listening on tcp:127\.0\.0\.1:(\d+) \(label usart6\)$/.exec(line);
      if (!m) return;
      reply = new Promise((resolve, reject) => {
        let got = '';
        const s = connect(Number(m[1]), '127.0.0.1', () => s.write('six\r\nbye\r\n'));
        s.on('data', (d) => (got += d.toString('latin1')));
        s.on('end', () => resolve(got));
        s.on('error', reject);
      });
    });
    const { result } = await run;
    expect(result.reason).toBe('exit');
    expect(result.exitCode).toBe(0);
    expect(await reply!).toBe(`${banner('usart6')}usart6: SIX (3 chars)\nusart6: BYE (3 chars)\n`);
    expect(stdout()).toBe(banner('usart2')); // the console stayed on stdio
  });

  it.skipIf(!HAVE_PTY)(`WeAct_F411CE: console usart1 on pty:PATH, usart2 on none${HAVE_PTY ? '' : ' (skipped: koffi or Linux missing)'}`, async () => {
    const link = join(mkdtempSync(join(tmpdir(), 'emboard-f411-')), 'ttyACM0');
    let got = '';
    const { run, stdout } = runIn('WeAct_F411CE', [`usart1=pty:${link}`, 'usart2=none'], (line) => {
      if (!line.includes('(label usart1)')) return;
      const fd = openSync(link, 'r+');
      const r = new ReadStream(fd);
      const w = new WriteStream(fd);
      r.on('data', (d: Buffer) => {
        got += d.toString('latin1');
        if (got.endsWith("'bye' ends\n")) w.write('weact\rbye\r');
      });
      r.on('error', () => undefined);
    });
    const { result } = await run;
    expect(result.reason).toBe('exit');
    expect(got).toBe(`${banner('usart1')}usart1: WEACT (5 chars)\nusart1: BYE (3 chars)\n`);
    expect(stdout()).toBe('');
    expect(existsSync(link)).toBe(false);
  });
});

const TMUX = spawnSync('sh', ['-c', 'command -v tmux']).status === 0;

describe.skipIf(!TMUX)(`WeAct_F411CE usart1 on stdio in a real terminal (tmux)${TMUX ? '' : ' (skipped: tmux missing)'}`, () => {
  it('a typed line (Enter is CR) comes back; Ctrl-A r resets the F411 (banner again); Ctrl-A k quits with 0', async () => {
    const sock = `emboard-f411-${process.pid}`;
    const t = (...a: string[]) => execFileSync('tmux', ['-L', sock, ...a], { encoding: 'utf8' });
    const screen = () => t('capture-pane', '-p', '-t', 's', '-S', '-100');
    const until = async (what: string, probe: () => boolean) => {
      for (const start = Date.now(); !probe(); await new Promise((r) => setTimeout(r, 50)))
        if (Date.now() - start > 60_000) throw new Error(`gave up waiting for ${what}`);
    };
    try {
      t('new-session', '-d', '-s', 's', '-x', '120', '-y', '30', `cd ${ROOT}; ${process.execPath} --import tsx src/cli/main.ts run -b WeAct_F411CE --semihosting ${FW}; echo EXIT=$?; sleep 600`);
      await until('the banner', () => screen().includes('usart1 echo: type lines'));
      t('send-keys', '-t', 's', '-l', 'blackpill');
      t('send-keys', '-t', 's', 'Enter');
      await until('the echo', () => screen().includes('usart1: BLACKPILL (9 chars)'));
      t('send-keys', '-t', 's', 'C-a', 'r');
      await until('the banner after reset', () => screen().split('usart1 echo: type lines').length === 3);
      expect(screen()).toContain('emboard: board reset (Ctrl-A r)');
      t('send-keys', '-t', 's', 'C-a', 'k');
      await until('the exit', () => /EXIT=\d+/.test(screen()));
      expect(screen()).toContain('EXIT=0');
    } finally {
      spawnSync('tmux', ['-L', sock, 'kill-server']);
    }
  });
});
