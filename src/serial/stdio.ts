/**
 * stdio backend. On a TTY: raw mode with screen's escape keys (escape-keys.ts), the terminal restored on
 * close. On a pipe or file: bytes pass through unchanged; EOF only ends the run with `--exit-on-eof`.
 * Output is written byte for byte (no CR added: as with screen on a real board, the guest's bytes are shown
 * as they are).
 */
import type { Readable } from 'node:stream';
import { type BackendContext, OutputBatcher, type SerialBackend } from './backend.js';
import { ESCAPE_HELP, EscapeDecoder } from './escape-keys.js';

export interface StdioStreams {
  input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  write: (bytes: Uint8Array) => void;
}

export class StdioBackend implements SerialBackend {
  private readonly out: OutputBatcher;
  private readonly unsubscribe: () => void;
  private raw = false;
  private live = true;

  constructor(
    private readonly ctx: BackendContext,
    private readonly io: StdioStreams,
  ) {
    this.out = new OutputBatcher(io.write);
    this.unsubscribe = ctx.endpoint.onTransmit((b) => this.out.push(b));
    const input = io.input;
    ctx.liveSources(1);
    if (input.isTTY && input.setRawMode) {
      input.setRawMode(true);
      this.raw = true;
      const dec = new EscapeDecoder(
        (bytes) => ctx.input(bytes),
        (cmd) => {
          if (cmd === 'quit') ctx.quit();
          else if (cmd === 'reset') {
            ctx.notice('emboard: board reset (Ctrl-A r)');
            ctx.reset();
          } else ctx.notice(ESCAPE_HELP);
        },
      );
      input.on('data', (d: Buffer) => dec.feed(new Uint8Array(d)));
    } else {
      input.on('data', (d: Buffer) => ctx.input(new Uint8Array(d)));
    }
    input.on('end', () => this.ended());
    input.on('error', () => this.ended());
  }

  private ended(): void {
    if (!this.live) return;
    this.live = false;
    this.ctx.liveSources(-1);
    this.ctx.eof();
  }

  close(): void {
    this.out.flush();
    this.unsubscribe();
    if (this.raw) this.io.input.setRawMode?.(false);
    this.io.input.pause();
    this.io.input.destroy(); // let the process end: nothing reads the console any more
  }
}
