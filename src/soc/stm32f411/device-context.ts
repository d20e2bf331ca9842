/**
 * What every STM32F411 device class gets from the SoC factory: the scheduler, a logger, IRQ lines by
 * NVIC number and the live clock tree. Device-specific needs (a UART port, pins, the EXTI) are extra
 * constructor arguments of each class.
 */
import type { IrqLine } from '../../core/irq.js';
import type { Logger } from '../../core/logger.js';
import type { Scheduler } from '../../core/scheduler.js';

/**
 * The clock tree as RCC computes it, in Hz, read live (getters) so devices follow RCC changes.
 * Defined here until src/soc/stm32f411/clocks.ts exists; that module should re-export or satisfy this shape.
 */
export interface Stm32Clocks {
  readonly sysclk: number;
  readonly hclk: number;
  readonly pclk1: number;
  readonly pclk2: number;
  /** Clock of the timers on APB1 (TIM2–5): PCLK1, or 2×PCLK1 when the APB1 prescaler is not 1. */
  readonly timclk1: number;
  /** Clock of the timers on APB2 (TIM1, TIM9–11). */
  readonly timclk2: number;
}

/** Anything with a level input: an IrqLine, or an input of an OR gate for IRQ numbers two devices share. */
export interface IrqOutput {
  set(level: boolean): void;
}

export interface Stm32DeviceContext {
  scheduler: Scheduler;
  log: Logger;
  /**
   * The NVIC input `n`. The factory must hand out one shared (OR-ed) input per device when devices share
   * a number (TIM1_UP/TIM10 on 25, TIM1_BRK/TIM9 on 24, TIM1_TRG_COM/TIM11 on 26): an IrqLine per device
   * would let one device's low level clear the other's request.
   */
  irq(n: number): IrqLine | IrqOutput;
  clocks: Stm32Clocks;
  /**
   * Scheduler cycles per second. Default: HCLK — the core (and so the cycle counter) runs at HCLK. A
   * factory that keeps virtual time at a fixed rate instead passes that rate here.
   */
  cpuHz?: () => number;
}

/** Scheduler cycles per second for `ctx`. */
export function cyclesPerSecond(ctx: Stm32DeviceContext): number {
  return ctx.cpuHz ? ctx.cpuHz() : ctx.clocks.hclk;
}

/** Which APB bus clocks a peripheral. */
export type ApbBus = 1 | 2;

/**
 * A RegisterBank `onUnmapped` handler for reserved offsets: reads 0, ignores writes, and logs each offset
 * once at warn level so firmware poking at something we do not model never goes unnoticed.
 */
export function warnUnmapped(log: Logger | undefined, device: string): (offset: number, write: boolean, value: number) => number {
  const seen = new Set<number>();
  return (offset, write) => {
    if (log && !seen.has(offset)) {
      seen.add(offset);
      log.warn({ device, offset: `0x${offset.toString(16)}`, write }, `${device}: access to reserved offset 0x${offset.toString(16)} (reads 0)`);
    }
    return 0;
  };
}

/** A peripheral's DMA request listener (the DMA model): request kind and its new level. */
export type DmaRequestListener = (req: 'tx' | 'rx', active: boolean) => void;

/** The TX/RX DMA request levels of a peripheral, passed on to its listener only when they change. */
export class DmaRequestLevels {
  private tx = false;
  private rx = false;

  update(tx: boolean, rx: boolean, listener: DmaRequestListener | null): void {
    if (tx !== this.tx) {
      this.tx = tx;
      listener?.('tx', tx);
    }
    if (rx !== this.rx) {
      this.rx = rx;
      listener?.('rx', rx);
    }
  }
}
