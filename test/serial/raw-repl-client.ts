/**
 * A small client for MicroPython's raw REPL (the protocol mpremote speaks): Ctrl-C twice to interrupt,
 * Ctrl-A to enter raw mode and wait for "raw REPL; CTRL-B to exit\r\n>", then per program: the code, Ctrl-D,
 * "OK", stdout up to Ctrl-D, stderr up to Ctrl-D, ">". Ctrl-B returns to the friendly REPL.
 */
import type { Duplex } from 'node:stream';

export class RawReplClient {
  private buf = Buffer.alloc(0);
  private waiter: (() => void) | null = null;

  constructor(private readonly io: Duplex) {
    io.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiter?.();
    });
  }

  /** Consumes input up to and including `marker`; returns what came before it. */
  async readUntil(marker: string | Buffer): Promise<Buffer> {
    const m = typeof marker === 'string' ? Buffer.from(marker, 'latin1') : marker;
    for (;;) {
      const i = this.buf.indexOf(m);
      if (i >= 0) {
        const before = this.buf.subarray(0, i);
        this.buf = this.buf.subarray(i + m.length);
        return before;
      }
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  async enterRaw(): Promise<void> {
    this.io.write('\r\x03\x03');
    this.io.write('\x01');
    await this.readUntil('raw REPL; CTRL-B to exit\r\n>');
  }

  /** Runs one program; returns its stdout and stderr parts. */
  async exec(code: string | Buffer): Promise<{ out: string; err: string }> {
    this.io.write(code);
    this.io.write('\x04');
    await this.readUntil('OK');
    const out = (await this.readUntil('\x04')).toString('latin1');
    const err = (await this.readUntil('\x04')).toString('latin1');
    await this.readUntil('>');
    return { out, err };
  }

  /** Ctrl-D on an empty program: MicroPython's soft reset, then the raw banner again (mpremote's connect). */
  async softReset(): Promise<string> {
    this.io.write('\x04');
    const before = (await this.readUntil('soft reboot\r\n')).toString('latin1');
    await this.readUntil('raw REPL; CTRL-B to exit\r\n>');
    return before;
  }

  /** Asks for raw-paste mode (Ctrl-E 'A' Ctrl-A); returns the two-byte answer ("R\x00": not supported). */
  async rawPasteProbe(): Promise<string> {
    this.io.write('\x05A\x01');
    for (;;) {
      if (this.buf.length >= 2) {
        const r = this.buf.subarray(0, 2).toString('latin1');
        this.buf = this.buf.subarray(2);
        return r;
      }
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  async exitRaw(): Promise<string> {
    this.io.write('\x02');
    return (await this.readUntil('>>> ')).toString('latin1');
  }
}
