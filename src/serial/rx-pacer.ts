/**
 * Host → guest bytes at the serial line's pace in virtual time: one byte per frame time (start + 8 data +
 * stop bits = 10 bit times at `baud`), delivered by a scheduler event, so typed input arrives as it would
 * over a wire and the run stays deterministic. `instant` hands every byte over at once.
 *
 * The endpoint is told which mode it gets (`rxPaced`): paced bytes are on a wire, and the device model
 * may lose one the guest has not read in time (CMSDK RXOVERRUN, STM32 ORE); instant bytes wait in the port
 * until the model takes them (flow control), so nothing overruns.
 *
 * The frame time follows the core clock as it is when each byte is scheduled (`hz`), so a guest that
 * switches to its PLL still receives at the line rate in virtual seconds.
 */
import type { ScheduledEvent, Scheduler } from '../core/scheduler.js';
import type { SerialEndpoint } from './endpoint.js';

export class RxPacer {
  private queue: number[] = [];
  private head = 0;
  private readonly ev: ScheduledEvent;
  /** Called when the queue has drained (after the last byte went to the endpoint). */
  onDrained: (() => void) | null = null;

  constructor(
    private readonly endpoint: SerialEndpoint,
    private readonly scheduler: Scheduler,
    private readonly hz: () => number,
    private readonly baud: number,
    private readonly instant = false,
  ) {
    endpoint.rxPaced = !instant;
    this.ev = scheduler.event(`serial-rx-${endpoint.label}`, () => this.tick());
  }

  /** One frame (start + 8 data + stop bits) in core cycles at the current clock. */
  get cyclesPerByte(): number {
    return Math.max(1, Math.round((this.hz() * 10) / this.baud));
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
