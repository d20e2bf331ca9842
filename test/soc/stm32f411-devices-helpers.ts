/** Shared fixtures for the STM32F411 device tests: a scheduler, fixed clocks and recording IRQ lines. */
import { Scheduler } from '../../src/core/scheduler.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Stm32Clocks, Stm32DeviceContext } from '../../src/soc/stm32f411/device-context.js';

export class IrqRecorder {
  readonly levels = new Map<number, boolean>();
  /** Every rising edge as [irq, time]. */
  readonly rises: [number, number][] = [];
  constructor(private readonly sched: Scheduler) {}
  line(n: number) {
    return {
      set: (level: boolean) => {
        if (level && !this.levels.get(n)) this.rises.push([n, this.sched.now]);
        this.levels.set(n, level);
      },
    };
  }
  high(n: number): boolean {
    return this.levels.get(n) ?? false;
  }
}

export function makeCtx(clocks: Partial<Stm32Clocks> = {}) {
  const clock = { cycles: 0, runUntil: Infinity };
  const scheduler = new Scheduler(clock);
  const irqs = new IrqRecorder(scheduler);
  const c: Stm32Clocks = { sysclk: 96e6, hclk: 96e6, pclk1: 48e6, pclk2: 96e6, timclk1: 96e6, timclk2: 96e6, ...clocks };
  const ctx: Stm32DeviceContext = { scheduler, log: silentLogger(), irq: (n) => irqs.line(n), clocks: c };
  /** Advances virtual time to `t`, firing due events on the way (as the CPU's run loop does). */
  const runTo = (t: number) => {
    while (scheduler.nextTime <= t) {
      clock.cycles = scheduler.nextTime;
      scheduler.runDue();
    }
    clock.cycles = t;
  };
  return { ctx, scheduler, clock, irqs, clocks: c, runTo };
}
