/**
 * A raw-REPL exchange (MicroPython's framing: Ctrl-A, Ctrl-B, Ctrl-C, Ctrl-D, the soft reset and the raw-paste
 * request Ctrl-E A Ctrl-A that mpremote sends) over the tcp backend against
 * test/firmware/bin/raw_repl.elf, which answers with the length and byte sum of each program: every byte,
 * the control bytes included, must pass through unchanged in both directions.
 */
import { mkdtempSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex, PassThrough } from 'node:stream';
import { ReadStream, WriteStream } from 'node:tty';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import type { Machine } from '../../src/core/machine.js';
import { runFirmware } from '../../src/core/run-firmware.js';
import { parseSerialSpec } from '../../src/serial/spec.js';
import { RawReplClient } from './raw-repl-client.js';

const FW = join(__dirname, '../../test/firmware/bin/raw_repl.elf');

const sum = (b: Buffer) => b.reduce((a, x) => a + x, 0);

describe('raw REPL over tcp', () => {
  it('enters raw mode, soft-resets, is refused raw-paste, runs programs (stdout and error parts), leaves raw mode', async () => {
    let machine: Machine | null = null;
    let listening: (port: number) => void = () => undefined;
    const port = new Promise<number>((r) => (listening = r));
    const run = runFirmware({
      board: 'mps2-an386',
      file: FW,
      log: silentLogger(),
      output: () => undefined,
      onMachine: (m) => (machine = m),
      serial: {
        specs: [parseSerialSpec('uart0=tcp:0,wait')],
        stdio: { input: new PassThrough(), write: () => undefined },
        notice: (line) => {
          const m = /listening on tcp:127\.0\.0\.1:(\d+)/.exec(line);
          if (m) listening(Number(m[1]));
        },
      },
    });
    const sock = connect(await port, '127.0.0.1');
    const repl = new RawReplClient(sock);
    await repl.readUntil('>>> ');
    await repl.enterRaw();
    expect(await repl.softReset()).toBe('OK\r\nMPY: ');
    expect(await repl.rawPasteProbe()).toBe('R\x00');
    const code = Buffer.from('print(1+1)\r\nx = "\x05\x1b[0m\xff"\n', 'latin1');
    expect(await repl.exec(code)).toEqual({ out: `len=${code.length} sum=${sum(code)}\r\n`, err: '' });
    const bad = Buffer.from('raise ValueError', 'latin1');
    expect(await repl.exec(bad)).toEqual({ out: `len=${bad.length} sum=${sum(bad)}\r\n`, err: 'Error: raise\r\n' });
    // Ctrl-C inside raw mode drops a half-typed program.
    sock.write('garbage\x03');
    expect(await repl.exec('ok')).toEqual({ out: `len=2 sum=${sum(Buffer.from('ok'))}\r\n`, err: '' });
    expect(await repl.exitRaw()).toBe('\r\nemboard raw-REPL framing test\r\n');
    sock.destroy();
    // The guest sleeps waiting for input; stop() must end the wait (as Ctrl-C does).
    (machine as Machine | null)?.stop('user');
    expect((await run).result.reason).toBe('user');
  });
});

describe.skipIf(process.platform !== 'linux')(`raw REPL over the PTY (mpremote's path)${process.platform === 'linux' ? '' : ' (skipped: not Linux)'}`, () => {
  it('the same framing through pty:PATH, with a client that opens the link as mpremote does', async () => {
    const link = join(mkdtempSync(join(tmpdir(), 'emboard-rawrepl-')), 'ttyACM0');
    let machine: Machine | null = null;
    let ready: () => void = () => undefined;
    const opened = new Promise<void>((r) => (ready = r));
    const run = runFirmware({
      board: 'mps2-an386',
      file: FW,
      log: silentLogger(),
      output: () => undefined,
      onMachine: (m) => (machine = m),
      serial: {
        specs: [parseSerialSpec(`uart0=pty:${link}`)],
        stdio: { input: new PassThrough(), write: () => undefined },
        notice: (line) => line.includes('char device redirected') && setImmediate(ready),
      },
    });
    await opened;
    const fd = openSync(link, 'r+');
    const io = Duplex.from({ readable: new ReadStream(fd), writable: new WriteStream(fd) });
    io.on('error', () => undefined);
    const repl = new RawReplClient(io);
    await repl.enterRaw();
    expect(await repl.softReset()).toMatch(/OK\r\nMPY: $/);
    expect(await repl.rawPasteProbe()).toBe('R\x00');
    const code = Buffer.from('import machine\r\nprint("\x05\x1b\x7f\xe9")\n', 'latin1'); // Ctrl-A..D are framing in raw mode
    expect(await repl.exec(code)).toEqual({ out: `len=${code.length} sum=${sum(code)}\r\n`, err: '' });
    expect(await repl.exitRaw()).toBe('\r\nemboard raw-REPL framing test\r\n');
    io.destroy();
    (machine as Machine | null)?.stop('user');
    expect((await run).result.reason).toBe('user');
  });
});
