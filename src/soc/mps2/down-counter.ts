/**
 * A down-counter clocked in virtual time, the common core of the CMSDK APB timer, dual-timer modules and
 * watchdog. Nothing runs per cycle: the count is computed from the start time when read, and one
 * scheduler event is queued for the next 1 → 0 transition.
 *
 * Semantics follow what QEMU's CMSDK models get from their ptimer policies (wrap after one period,
 * trigger only on decrement, no immediate reload): the counter decrements once per `divisor` cycles,
 * `onZero` fires when it goes from 1 to 0, it then holds 0 for one tick and reloads `limit` (periodic),
 * so a periodic counter fires every `limit + 1` ticks. Starting from 0 fires nothing until after the
 * first reload. A one-shot counter stops at 0.
 */
import type { ScheduledEvent, Scheduler } from '../../core/scheduler.js';

export class DownCounter {
  /** Reload value. */
  limit = 0;
  /** Cycles per decrement (prescaler). */
  divisor = 1;
  private running = false;
  private oneshot = false;
  /** Count at `startTime` (or the frozen count while stopped). */
  private startValue = 0;
  private startTime = 0;
  /** Index (k) of the next zero crossing measured from `startTime`, see `zeroTick`. */
  private nextK = 0;
  private readonly event: ScheduledEvent;

  constructor(
    private readonly scheduler: Scheduler,
    name: string,
    private readonly onZero: () => void,
  ) {
    this.event = scheduler.event(name, () => this.fire());
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Tick (from startTime) of the k-th zero crossing: the first at startValue, then every limit + 1. */
  private zeroTick(k: number): number {
    return this.startValue + k * (this.limit + 1);
  }

  /** Current count. */
  get count(): number {
    if (!this.running) return this.startValue;
    const elapsed = Math.floor((this.scheduler.now - this.startTime) / this.divisor);
    if (elapsed <= this.startValue) return this.startValue - elapsed;
    if (this.oneshot || this.limit === 0) return 0;
    const e = (elapsed - this.startValue - 1) % (this.limit + 1);
    return this.limit - e;
  }

  /** Re-bases the count at the current time (call before changing limit, divisor or mode). */
  private rebase(): void {
    const c = this.count;
    this.startValue = c;
    this.startTime = this.scheduler.now;
  }

  setCount(value: number): void {
    this.startValue = value >>> 0;
    this.startTime = this.scheduler.now;
    this.reschedule();
  }

  /** Sets the reload value; `reload` also loads it into the counter (QEMU's ptimer_set_limit(.., 1)). */
  setLimit(limit: number, reload: boolean): void {
    if (this.running && !reload) this.rebase();
    this.limit = limit >>> 0;
    if (reload) {
      this.startValue = this.limit;
      this.startTime = this.scheduler.now;
    }
    this.reschedule();
  }

  setDivisor(divisor: number): void {
    if (this.running) this.rebase();
    this.divisor = divisor;
    this.reschedule();
  }

  run(oneshot: boolean): void {
    if (this.running) this.rebase();
    else this.startTime = this.scheduler.now;
    this.running = true;
    this.oneshot = oneshot;
    this.reschedule();
  }

  stop(): void {
    if (!this.running) return;
    this.rebase();
    this.running = false;
    this.scheduler.cancel(this.event);
  }

  private reschedule(): void {
    if (!this.running) {
      this.scheduler.cancel(this.event);
      return;
    }
    // A one-shot counter (or a periodic one with nothing to reload) only crosses zero once.
    const periodic = !this.oneshot && this.limit !== 0;
    if (this.startValue === 0 && !periodic) {
      // Already at zero: nothing more will happen; a one-shot counter at zero is stopped.
      if (this.oneshot || this.limit === 0) {
        this.running = false;
        this.scheduler.cancel(this.event);
      }
      return;
    }
    this.nextK = this.startValue === 0 ? 1 : 0;
    this.scheduler.scheduleAt(this.event, this.startTime + this.zeroTick(this.nextK) * this.divisor);
  }

  private fire(): void {
    const periodic = !this.oneshot && this.limit !== 0;
    if (periodic) {
      this.nextK++;
      this.scheduler.scheduleAt(this.event, this.startTime + this.zeroTick(this.nextK) * this.divisor);
    } else {
      this.startValue = 0;
      this.startTime = this.scheduler.now;
      this.running = false;
    }
    this.onZero();
  }
}
