/**
 * Host → guest bytes at the serial line's pace in virtual time: one byte per frame time (start + 8 data +
 * stop bits = 10 bit times at `baud`), delivered by a scheduler event, so typed input arrives as it would
 * over a wire and the run stays deterministic. `instant` hands every byte over at once.
 *
 * The device model decides what happens to a byte nobody reads (the CMSDK UART model keeps them queued in
 * its UartPort; overruns are up to the model).
 */
import type { ScheduledEvent, Scheduler } from '../core/scheduler.js';
import type { SerialEndpoint } from './endpoint.js';

export class RxPacer {
  private queue: number[] = [];
  private head = 0;
  private readonly ev: ScheduledEvent;
  readonly cyclesPerByte: number;
  /** Called when the queue has drained (after the last byte went to the endpoint). */
  onDrained: (() => void) | null = null;

  constructor(
    private readonly endpoint: SerialEndpoint,
    private readonly scheduler: Scheduler,
    cpuHz: number,
    baud: number,
    private readonly instant = false,
  ) {
    this.cyclesPerByte = Math.max(1, Math.round((cpuHz * 10) / baud));
    this.ev = scheduler.event(`serial-rx-${endpoint.label}`, () => this.tick());
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  push(bytes: Uint8Array): void {
    if (!bytes.length) return;
    if (this.instant) {
      this.endpoint.inject(bytes);
      this.onDrained?.();
      return;
    }
    for (const b of bytes) this.queue.push(b);
    if (!this.ev.scheduled) this.scheduler.schedule(this.ev, this.cyclesPerByte);
  }

  private tick(): void {
    if (this.head < this.queue.length) this.endpoint.inject(Uint8Array.of(this.queue[this.head++]!));
    if (this.head < this.queue.length) this.scheduler.schedule(this.ev, this.cyclesPerByte);
    else {
      this.queue = [];
      this.head = 0;
      this.onDrained?.();
    }
  }

  /** Drops queued input (board reset). */
  clear(): void {
    this.queue = [];
    this.head = 0;
    this.scheduler.cancel(this.ev);
  }
}
