/**
 * The serial side of one `emboard run`: a backend per guest UART (`--serial`), paced host input, the
 * console script (`--input`, `--until`, `--expect/--send`) and the wake-up of a machine that sleeps waiting
 * for host input. The session ends the run through `machine.stop('user')` and says why in `finished`.
 */
import type { Machine } from '../core/machine.js';
import type { BackendContext, SerialBackend } from './backend.js';
import type { SerialEndpoint } from './endpoint.js';
import { FileBackend } from './file.js';
import { StreamMatcher, TailBuffer } from './matcher.js';
import { PtyBackend } from './pty.js';
import { RxPacer } from './rx-pacer.js';
import type { BackendSpec } from './spec.js';
import { StdioBackend, type StdioStreams } from './stdio.js';
import { TcpBackend } from './tcp.js';

export interface ConsoleScript {
  /** Typed into the console from the start. */
  input?: Uint8Array;
  /** Ends the run (exit 0) as soon as the console output contains it. */
  until?: Uint8Array;
  /** Dialogue: wait for expect[i], then type send[i] (if any); done after the last expect and its send. */
  expect?: Uint8Array[];
  send?: Uint8Array[];
}

export interface SerialSessionOptions {
  machine: Machine;
  backends: ReadonlyMap<string, BackendSpec>;
  stdio: StdioStreams;
  notice: (line: string) => void;
  script?: ConsoleScript;
  exitOnEof?: boolean;
  /** Line rate for paced input (default 115200). */
  baud?: number;
  /** Hand host input to the UART at once instead of at the line rate. */
  instant?: boolean;
  /**
   * Endpoints that are not UARTs (a USB CDC ACM function, `usb0`): asked first for each backend label,
   * the machine's UART by that label otherwise. Backends, pacing and scripting treat both alike.
   */
  endpoint?: (label: string) => SerialEndpoint | undefined;
}

/** Why the session ended the run: script satisfied, user quit (Ctrl-A k), stdin EOF with --exit-on-eof. */
export type SessionEnd = 'until' | 'script' | 'quit' | 'eof';

/** Virtual time the guest gets to answer after the last piped byte before `--exit-on-eof` stops it (and to show it reads on). */
const EOF_GRACE_SECONDS = 0.05;

export class SerialSession {
  finished: SessionEnd | null = null;
  readonly tail = new TailBuffer();
  private readonly backends: SerialBackend[] = [];
  private readonly pacers = new Map<string, RxPacer>();
  private live = 0;
  private waiter: (() => void) | null = null;
  private eofSeen = false;
  /** Set when the user or a caller stopped the session (possibly before the run started). */
  stopRequested = false;
  private resolveStopped: () => void = () => undefined;
  private readonly stopped = new Promise<void>((r) => (this.resolveStopped = r));

  constructor(private readonly o: SerialSessionOptions) {
    const m = o.machine;
    m.console.onTransmit((b) => this.tail.push(b));
    m.onStopRequested = () => {
      // Ctrl-C (SIGINT) or a test stopping a sleeping guest, or a TCP ,wait still waiting
      this.stopRequested = true;
      this.resolveStopped();
      this.wake();
    };
    for (const [label, spec] of o.backends) {
      const endpoint: SerialEndpoint = o.endpoint?.(label) ?? m.uart(label);
      const pacer = new RxPacer(endpoint, m.scheduler, () => m.hz, o.baud ?? 115200, o.instant);
      this.pacers.set(label, pacer);
      const ctx: BackendContext = {
        endpoint,
        input: (bytes) => {
          pacer.push(bytes);
          this.wake();
        },
        notice: o.notice,
        liveSources: (d) => {
          this.live += d;
          this.wake();
        },
        quit: () => this.end('quit'),
        reset: () => {
          for (const p of this.pacers.values()) p.clear();
          m.reset();
          this.wake();
        },
        eof: () => this.onEof(),
        stopped: this.stopped,
      };
      try {
        const b = this.create(ctx, spec);
        if (b) this.backends.push(b);
      } catch (e) {
        void this.close(); // e.g. restore the terminal the stdio backend put in raw mode
        throw e;
      }
    }
    if (o.script) this.installScript(o.script);
  }

  private create(ctx: BackendContext, spec: BackendSpec): SerialBackend | null {
    switch (spec.kind) {
      case 'stdio':
        return new StdioBackend(ctx, this.o.stdio);
      case 'file':
        return new FileBackend(ctx, spec.path);
      case 'tcp':
        return new TcpBackend(ctx, spec.host, spec.port, spec.wait);
      case 'pty':
        return new PtyBackend(ctx, spec.link);
      case 'none':
        return null;
    }
  }

  /** Binds listeners, creates PTYs; a `,wait` TCP backend holds here until its first client. */
  async open(): Promise<void> {
    for (const b of this.backends) await b.open?.();
  }

  async close(): Promise<void> {
    for (const b of this.backends) await b.close();
    this.wake();
  }

  /** For `runAsync`: resolves on host input; ends the run when no input can ever come (all sources gone). */
  idleWait = (): Promise<void> => {
    if (this.live <= 0 || this.finished !== null) {
      if (this.finished === null && this.eofSeen && this.o.exitOnEof) this.finished = 'eof';
      this.o.machine.stop(this.finished !== null ? 'user' : 'halt');
      return Promise.resolve();
    }
    return new Promise<void>((res) => (this.waiter = res));
  };

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private end(why: SessionEnd): void {
    if (this.finished !== null) return;
    this.finished = why;
    this.o.machine.stop('user');
    this.wake();
  }

  private onEof(): void {
    this.eofSeen = true;
    if (!this.o.exitOnEof) return;
    // Give the guest the piped bytes and a little virtual time to answer, then stop.
    const m = this.o.machine;
    const pacer = this.pacers.get(m.board.console);
    const stopLater = () => {
      // Stop when the guest has read everything, or has stopped reading (no progress over a grace period).
      let last = -1;
      const ev = m.scheduler.event('serial-eof', () => {
        const left = m.console.rxPending;
        if (left === 0 || left === last) this.end('eof');
        else {
          last = left;
          m.scheduler.schedule(ev, Math.round(m.hz * EOF_GRACE_SECONDS));
        }
      });
      m.scheduler.schedule(ev, Math.round(m.hz * EOF_GRACE_SECONDS));
      this.wake();
    };
    if (pacer && pacer.pending > 0) pacer.onDrained = () => {
      pacer.onDrained = null;
      stopLater();
    };
    else stopLater();
  }

  private installScript(s: ConsoleScript): void {
    const m = this.o.machine;
    const pacer = this.pacers.get(m.board.console)!;
    if (s.input?.length) pacer.push(s.input);
    if (s.until) {
      const until = new StreamMatcher(s.until);
      m.console.onTransmit((b) => {
        if (until.feed(b)) this.end('until');
      });
    }
    const expects = s.expect ?? [];
    const sends = s.send ?? [];
    if (!expects.length) return;
    let step = 0;
    let matcher = new StreamMatcher(expects[0]!);
    m.console.onTransmit((b) => {
      if (step >= expects.length || !matcher.feed(b)) return;
      const send = sends[step];
      step++;
      if (step < expects.length) matcher = new StreamMatcher(expects[step]!);
      // With an --until pending the run goes on after the last step: the --until text ends it.
      const last = step >= expects.length && s.until === undefined;
      if (send?.length) {
        pacer.push(send);
        if (last) pacer.onDrained = () => this.end('script');
      } else if (last) this.end('script');
    });
  }

  /** Script steps not reached when the run ended otherwise (for the error message). */
  get scriptPending(): boolean {
    const s = this.o.script;
    return this.finished === null && s !== undefined && (s.until !== undefined || (s.expect?.length ?? 0) > 0);
  }
}
