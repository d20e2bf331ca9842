/**
 * A serial backend connects one guest endpoint (UART or, later, a USB CDC ACM function) to something on the
 * host. It subscribes to the endpoint's output itself and hands host input to `ctx.input`, which paces it in
 * virtual time and wakes a sleeping machine.
 */
import type { SerialEndpoint } from './endpoint.js';

export interface BackendContext {
  readonly endpoint: SerialEndpoint;
  /** Host → guest bytes (paced at the line's baud rate in virtual time, or instant). */
  input(bytes: Uint8Array): void;
  /** One line for the user (stderr in the CLI). */
  notice(line: string): void;
  /** Input sources that may still deliver bytes: +1 when one opens, -1 when it ends for good. */
  liveSources(delta: 1 | -1): void;
  /** Escape keys: end the session, reset the board. */
  quit(): void;
  reset(): void;
  /** An input source reached EOF (pipes): ends the run when the user asked for `--exit-on-eof`. */
  eof(): void;
  /** Resolves when the session is told to stop (quit key, SIGINT): setup waits give up then. */
  readonly stopped: Promise<void>;
}

export interface SerialBackend {
  /** Finishes setup that may wait (a TCP `,wait` listener waits for its first client here). */
  open?(): Promise<void>;
  close(): void | Promise<void>;
}

/** Collects bytes and hands them over once per event-loop turn (a write per byte would dominate run time). */
export class OutputBatcher {
  private pending: number[] = [];
  private scheduled = false;
  constructor(private readonly sink: (bytes: Uint8Array) => void) {}
  push(byte: number): void {
    this.pending.push(byte);
    if (this.pending.length >= 65536) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }
  flush(): void {
    this.scheduled = false;
    if (!this.pending.length) return;
    const out = Uint8Array.from(this.pending);
    this.pending = [];
    this.sink(out);
  }
}
