/**
 * `emboard console`: a screen-style terminal client for a serial line. Targets: `tcp:HOST:PORT` (emboard's
 * tcp backend, or any raw TCP serial server), or a serial device path (emboard's PTY or its pty:PATH link,
 * /dev/ttyACM0, /dev/ttyUSB0, COM3) opened through the `serialport` package at the given baud rate.
 *
 * Keys as in `emboard run`'s stdio: Ctrl-A k or Ctrl-A \ quit, Ctrl-A a sends Ctrl-A, Ctrl-A ? help.
 * Options: `log` (like screen -L: the received bytes, untranslated), `lfToCrlf` (show a received LF as
 * CR LF), `enter` (what the Enter key, CR on a raw terminal, sends: cr, lf or crlf), `echo` (local echo).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import { UserError } from '../core/errors.js';
import { ESCAPE_HELP, EscapeDecoder } from './escape-keys.js';

export interface ConsoleOptions {
  target: string;
  baud?: number;
  log?: string;
  lfToCrlf?: boolean;
  enter?: 'cr' | 'lf' | 'crlf';
  echo?: boolean;
  input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  write: (bytes: Uint8Array) => void;
  notice: (line: string) => void;
}

/** A bidirectional byte link to the target. */
interface Link {
  send(bytes: Uint8Array): void;
  onData(cb: (bytes: Uint8Array) => void): void;
  onClose(cb: () => void): void;
  close(): void;
}

function tcpLink(target: string): Promise<Link> {
  const m = /^tcp:(?:(.*):)?(\d+)$/.exec(target);
  if (!m) throw new UserError(`console ${target}: expected tcp:HOST:PORT`);
  const host = (m[1] || '127.0.0.1').replace(/^\[(.*)\]$/, '$1');
  const port = Number(m[2]);
  return new Promise((resolve, reject) => {
    const s = connect(port, host);
    s.once('error', (e: NodeJS.ErrnoException) => reject(new UserError(`console ${target}: cannot connect (${e.code ?? e.message})`)));
    s.once('connect', () => {
      s.setNoDelay(true);
      resolve({
        send: (b) => void s.write(b),
        onData: (cb) => s.on('data', (d: Buffer) => cb(new Uint8Array(d))),
        onClose: (cb) => {
          s.on('close', cb);
          s.on('error', cb);
        },
        close: () => s.destroy(),
      });
    });
  });
}

/** Line rate when the user gives none (what MicroPython boards and most USB serial adapters use). */
export const DEFAULT_BAUD = 115200;

/**
 * A serial device through the `serialport` package (prebuilt bindings: Linux, macOS, Windows COM ports):
 * raw 8N1 at `baud`, an exclusive lock like screen's, and a `close` when the device goes away (a board
 * unplugged, emboard's PTY closing).
 */
async function deviceLink(path: string, baud: number | undefined): Promise<Link> {
  let SerialPort: typeof import('serialport').SerialPort;
  try {
    ({ SerialPort } = await import('serialport'));
  } catch (e) {
    throw new UserError(`console ${path}: serial devices need the serialport package, which failed to load (${(e as Error).message.split('\n')[0]})`);
  }
  const port = new SerialPort({ path, baudRate: baud ?? DEFAULT_BAUD, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((e) => (e ? reject(new UserError(`console ${path}: cannot open (${e.message.replace(/^Error:?\s*/, '')})`)) : resolve())),
  );
  return {
    send: (b) => void port.write(Buffer.from(b)),
    onData: (cb) => port.on('data', (d: Buffer) => cb(new Uint8Array(d))),
    onClose: (cb) => {
      port.on('close', cb);
      port.on('error', cb);
    },
    close: () => {
      if (port.isOpen) port.close(() => undefined);
    },
  };
}

/** Runs the client until the user quits or the line closes. Resolves with the reason. */
export async function runConsole(o: ConsoleOptions): Promise<'quit' | 'closed' | 'eof'> {
  const link = o.target.startsWith('tcp:') ? await tcpLink(o.target) : await deviceLink(o.target, o.baud);
  const logFd = o.log !== undefined ? openLog(o.log) : null;
  const input = o.input;
  const raw = Boolean(input.isTTY && input.setRawMode);
  const enter = o.enter === 'lf' ? [10] : o.enter === 'crlf' ? [13, 10] : [13];
  return new Promise((resolve) => {
    let done = false;
    const finish = (why: 'quit' | 'closed' | 'eof') => {
      if (done) return;
      done = true;
      if (raw) input.setRawMode!(false);
      input.pause();
      input.destroy();
      link.close();
      if (logFd !== null) closeSync(logFd);
      resolve(why);
    };
    link.onData((bytes) => {
      if (logFd !== null) writeSync(logFd, bytes);
      o.write(o.lfToCrlf ? lfToCrlf(bytes) : bytes);
    });
    link.onClose(() => finish('closed'));
    const send = (bytes: Uint8Array) => {
      const out: number[] = [];
      for (const b of bytes) {
        if (b === 13 && raw) out.push(...enter);
        else out.push(b);
      }
      const u = Uint8Array.from(out);
      if (o.echo) o.write(o.lfToCrlf ? lfToCrlf(u) : u);
      link.send(u);
    };
    if (raw) {
      input.setRawMode!(true);
      o.notice(`emboard console: connected to ${o.target}; Ctrl-A ? for keys, Ctrl-A k to quit`);
      const dec = new EscapeDecoder(send, (cmd) => {
        if (cmd === 'quit') finish('quit');
        else if (cmd === 'help') o.notice(ESCAPE_HELP.replace(', Ctrl-A r reset the board', ''));
        else o.notice('emboard console: Ctrl-A r (reset) only works in `emboard run`');
      });
      input.on('data', (d: Buffer) => dec.feed(new Uint8Array(d)));
    } else input.on('data', (d: Buffer) => send(new Uint8Array(d)));
    input.on('end', () => {
      if (!raw) finish('eof');
    });
  });
}

function openLog(path: string): number {
  try {
    return openSync(path, 'a');
  } catch (e) {
    throw new UserError(`-L ${path}: cannot open the log file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

function lfToCrlf(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const b of bytes) {
    if (b === 10) out.push(13);
    out.push(b);
  }
  return Uint8Array.from(out);
}
