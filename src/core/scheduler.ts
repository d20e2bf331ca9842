/**
 * Virtual time. The clock is the CPU's cycle counter; devices schedule callbacks at a cycle count.
 * Nothing here reads the wall clock: the same program and inputs give the same event order every run.
 *
 * Events are kept in a small binary heap ordered by (time, sequence) so equal times fire in
 * scheduling order. `nextTime` is cached so the run loop can read it without a call.
 */
export type EventCallback = (now: number) => void;

export class ScheduledEvent {
  /** Heap index while queued, -1 otherwise. */
  index = -1;
  time = 0;
  seq = 0;
  constructor(
    readonly name: string,
    readonly callback: EventCallback,
  ) {}
  get scheduled(): boolean {
    return this.index >= 0;
  }
}

/**
 * What the scheduler needs from whatever counts cycles (the CPU): the current count, and the end of the
 * batch it is running, which the scheduler lowers when an event is scheduled before it.
 */
export interface Clock {
  cycles: number;
  runUntil: number;
}

export class Scheduler {
  constructor(readonly clock: Clock = { cycles: 0, runUntil: 0 }) {}

  /** Current virtual time in cycles (the CPU's counter, exact even in the middle of a batch). */
  get now(): number {
    return this.clock.cycles;
  }
  /** Time of the earliest queued event, Infinity when none. */
  nextTime = Infinity;
  private heap: ScheduledEvent[] = [];
  private seq = 0;

  /** Creates a reusable event; schedule it with `schedule`/`scheduleAt`. Allocate once per device, not per firing. */
  event(name: string, callback: EventCallback): ScheduledEvent {
    return new ScheduledEvent(name, callback);
  }

  /** Fires `ev` `delay` cycles from now (re-scheduling moves it). */
  schedule(ev: ScheduledEvent, delay: number): void {
    this.scheduleAt(ev, this.now + Math.max(0, delay));
  }

  scheduleAt(ev: ScheduledEvent, time: number): void {
    if (ev.index >= 0) this.remove(ev);
    ev.time = time;
    ev.seq = this.seq++;
    ev.index = this.heap.length;
    this.heap.push(ev);
    this.up(ev.index);
    this.nextTime = this.heap[0]!.time;
    if (time < this.clock.runUntil) this.clock.runUntil = time;
  }

  cancel(ev: ScheduledEvent): void {
    if (ev.index >= 0) this.remove(ev);
    this.nextTime = this.heap.length ? this.heap[0]!.time : Infinity;
  }

  /** Runs every event due at or before `now`, in time order. Callbacks may schedule more events. */
  runDue(now: number = this.clock.cycles): void {
    const heap = this.heap;
    while (heap.length && heap[0]!.time <= now) {
      const ev = heap[0]!;
      this.remove(ev);
      this.nextTime = heap.length ? heap[0]!.time : Infinity;
      ev.callback(ev.time);
    }
    this.nextTime = heap.length ? heap[0]!.time : Infinity;
  }

  get pending(): number {
    return this.heap.length;
  }

  private less(a: ScheduledEvent, b: ScheduledEvent): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private remove(ev: ScheduledEvent): void {
    const heap = this.heap;
    const i = ev.index;
    const last = heap.pop()!;
    ev.index = -1;
    if (last !== ev) {
      heap[i] = last;
      last.index = i;
      this.up(i);
      this.down(last.index);
    }
  }

  private up(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(heap[i]!, heap[p]!)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && this.less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && this.less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    const heap = this.heap;
    const x = heap[a]!;
    const y = heap[b]!;
    heap[a] = y;
    heap[b] = x;
    x.index = b;
    y.index = a;
  }
}
