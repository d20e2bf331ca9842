/**
 * STM32F411 window watchdog (RM0383 §16), base 0x40002C00, early-wakeup interrupt IRQ 0.
 *
 * The 7-bit counter T (CR[6:0]) counts down every 4096 × 2^WDGTB PCLK1 cycles, free-running (it wraps
 * from 0 to 0x7F while the watchdog is off). Once WDGA is set (only a reset clears it), the machine resets
 * with cause 'window-watchdog' (RCC_CSR.WWDGRSTF) when T6 clears (0x40 → 0x3F), when software writes CR
 * while T > W (refresh outside the window), or when it writes T6 = 0. EWIF is set when the counter reaches
 * 0x40; IRQ 0 = EWIF · CFR.EWI (EWI and WDGA are set-only). The counter is computed from virtual time on
 * each read; `watchdog: false` turns the resets into log lines.
 */
import type { Logger } from '../../core/logger.js';
import { RegisterBank } from '../../core/registers.js';
import type { Scheduler } from '../../core/scheduler.js';
import { warnUnmapped, type IrqOutput } from './device-context.js';

export const WWDG_BASE = 0x4000_2c00;
export const WWDG_IRQ = 0;
const WDGA = 1 << 7;
const EWI = 1 << 9;

export interface WwdgEnvironment {
  scheduler: Scheduler;
  log: Logger;
  irq: IrqOutput;
  seconds(): number;
  cyclesFor(seconds: number): number;
  /** PCLK1 in Hz now. */
  pclk1(): number;
  /** Asks for the watchdog reset (the caller performs it between instructions). */
  expire(why: string): void;
}

export class Stm32Wwdg {
  readonly regs: RegisterBank;
  /** Counter value at `baseSeconds`, with `tick` seconds per decrement from then on. */
  private baseCount = 0x7f;
  private baseSeconds = 0;
  private tick = 1;
  private readonly ewiEvent;
  private readonly resetEvent;

  constructor(private readonly env: WwdgEnvironment) {
    this.regs = new RegisterBank('WWDG', [
      { name: 'CR', offset: 0x00, reset: 0x7f, writable: 0xff, read: (v) => (v & WDGA) | this.counter(), write: (v, old) => this.writeCr(v, old) },
      { name: 'CFR', offset: 0x04, reset: 0x7f, writable: 0x3ff, write: (v, old) => this.writeCfr(v, old) },
      { name: 'SR', offset: 0x08, writable: 0, w0c: 1, write: () => this.updateIrq() },
    ], { onUnmapped: warnUnmapped(env.log, 'wwdg') });
    this.ewiEvent = env.scheduler.event('wwdg-ewi', () => this.earlyWakeup());
    this.resetEvent = env.scheduler.event('wwdg-timeout', () => this.timeout());
    this.reset();
  }

  read(offset: number, size: 1 | 2 | 4): number {
    return this.regs.read(offset, size);
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.regs.write(offset, size, value);
  }

  reset(): void {
    this.regs.reset();
    this.rebase(0x7f);
    this.env.irq.set(false);
  }

  /** PCLK1 changed: keep the count reached so far, continue at the new rate. */
  clockChanged(): void {
    this.rebase(this.counter());
  }

  /** The 7-bit down-counter now. */
  counter(): number {
    const n = Math.floor((this.env.seconds() - this.baseSeconds) / this.tick + 1e-9);
    return (((this.baseCount - n) % 128) + 128) % 128;
  }

  private get active(): boolean {
    return (this.regs.get('CR') & WDGA) !== 0;
  }

  private rebase(count: number): void {
    this.baseCount = count & 0x7f;
    this.baseSeconds = this.env.seconds();
    const pclk1 = this.env.pclk1();
    this.tick = pclk1 > 0 ? (4096 << ((this.regs.get('CFR') >>> 7) & 3)) / pclk1 : Infinity;
    this.schedule();
  }

  /** Events for the counter reaching 0x40 (EWIF) and 0x3F (reset), while active. */
  private schedule(): void {
    const S = this.env.scheduler;
    S.cancel(this.ewiEvent);
    S.cancel(this.resetEvent);
    if (!this.active || this.tick === Infinity) return;
    const c = this.counter();
    const since = this.env.seconds() - this.baseSeconds;
    const at = (ticksFromBase: number) => this.env.cyclesFor(Math.max(0, ticksFromBase * this.tick - since));
    const done = this.baseCount - c; // ticks elapsed since the base (counter has not wrapped while active)
    if (c >= 0x40) {
      S.schedule(this.ewiEvent, at(done + (c - 0x40)));
      S.schedule(this.resetEvent, at(done + (c - 0x3f)));
    }
  }

  private writeCr(v: number, old: number): void {
    const was = this.counter();
    if (old & WDGA) v |= WDGA; // WDGA is cleared only by a reset
    this.regs.set('CR', v & WDGA);
    if (v & WDGA) {
      const w = this.regs.get('CFR') & 0x7f;
      if (old & WDGA && was > w) return this.fail(`refresh outside the window (counter 0x${was.toString(16)} > W 0x${w.toString(16)})`);
      if (!(v & 0x40)) return this.fail('T6 written 0');
    }
    this.rebase(v & 0x7f);
  }

  private writeCfr(v: number, old: number): void {
    const c = this.counter(); // under the previous prescaler
    this.regs.set('CFR', v | (old & EWI)); // EWI is cleared only by a reset
    this.rebase(c);
    this.updateIrq();
  }

  private earlyWakeup(): void {
    this.regs.set('SR', 1);
    this.updateIrq();
  }

  private timeout(): void {
    this.fail('counter reached 0x3F');
  }

  private fail(why: string): void {
    // The reset itself happens from an event; the counter carries on if resets are disabled.
    this.rebase(this.counter());
    this.env.expire(why);
  }

  private updateIrq(): void {
    this.env.irq.set((this.regs.get('SR') & 1) !== 0 && (this.regs.get('CFR') & EWI) !== 0);
  }
}
