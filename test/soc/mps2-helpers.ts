/** Shared fixtures for the mps2 device tests: a virtual clock and an interrupt controller that records levels. */
import type { InterruptController } from '../../src/core/irq.js';
import { Scheduler } from '../../src/core/scheduler.js';

export class RecordingIrq implements InterruptController {
  readonly level = new Map<number, boolean>();
  readonly pulses: number[] = [];
  setIrqLevel(irq: number, level: boolean): void {
    this.level.set(irq, level);
  }
  pulseIrq(irq: number): void {
    this.pulses.push(irq);
  }
  high(irq: number): boolean {
    return this.level.get(irq) ?? false;
  }
}

export interface Clocked {
  scheduler: Scheduler;
  clock: { cycles: number; runUntil: number };
  /** Advances virtual time by `cycles`, firing every event due on the way in order. */
  advance(cycles: number): void;
}

export function clocked(): Clocked {
  const clock = { cycles: 0, runUntil: 0 };
  const scheduler = new Scheduler(clock);
  return {
    scheduler,
    clock,
    advance(cycles: number) {
      const end = clock.cycles + cycles;
      while (scheduler.nextTime <= end) {
        clock.cycles = scheduler.nextTime;
        scheduler.runDue();
      }
      clock.cycles = end;
    },
  };
}
