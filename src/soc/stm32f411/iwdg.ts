/**
 * STM32F411 independent watchdog (RM0383 §15), base 0x40003000, clocked by the LSI (32 kHz typical).
 *
 * KR keys: 0xCCCC starts the watchdog (the LSI is forced on; we count at LSI_HZ whether or not RCC_CSR
 * shows it), 0xAAAA reloads the down-counter from RLR, 0x5555 unlocks PR/RLR (any other key locks them).
 * A PR or RLR write sets PVU/RVU in SR for five LSI periods (the transfer to the LSI domain). The counter
 * runs in virtual time from each reload: it reaches 0 after (RLR + 1) × 4 × 2^PR LSI periods, and then
 * the machine resets with cause 'independent-watchdog' (RCC_CSR.IWDGRSTF) — unless the board disables
 * watchdog resets (`watchdog: false`, `--no-watchdog`), which logs the expiry and keeps counting.
 * A system reset stops the watchdog (software watchdog; the WDG_SW option byte start is not modelled).
 */
import type { Logger } from '../../core/logger.js';
import { RegisterBank } from '../../core/registers.js';
import type { Scheduler } from '../../core/scheduler.js';
import { LSI_HZ } from './clocks.js';
import { warnUnmapped } from './device-context.js';

export const IWDG_BASE = 0x4000_3000;
export const IWDG_SR = { PVU: 1 << 0, RVU: 1 << 1 } as const;

export interface WatchdogEnvironment {
  scheduler: Scheduler;
  log: Logger;
  /** Virtual seconds now. */
  seconds(): number;
  /** Scheduler cycles for a delay in seconds at the current HCLK. */
  cyclesFor(seconds: number): number;
  /** Called (from a scheduler event) when the watchdog resets the machine. */
  expire(): void;
}

export class Stm32Iwdg {
  readonly regs: RegisterBank;
  private unlocked = false;
  private running = false;
  /** Virtual seconds at which the counter reaches 0. */
  private deadline = Infinity;
  private pvuUntil = -Infinity;
  private rvuUntil = -Infinity;
  private readonly event;

  constructor(private readonly env: WatchdogEnvironment) {
    this.regs = new RegisterBank('IWDG', [
      { name: 'KR', offset: 0x00, writable: 0, read: () => 0, write: (_v, _o, w) => this.key(w & 0xffff) },
      { name: 'PR', offset: 0x04, writable: 7, write: (_v, old) => this.protectedWrite('PR', old) },
      { name: 'RLR', offset: 0x08, reset: 0xfff, writable: 0xfff, write: (_v, old) => this.protectedWrite('RLR', old) },
      { name: 'SR', offset: 0x0c, writable: 0, read: () => this.status() },
    ], { onUnmapped: warnUnmapped(env.log, 'iwdg') });
    this.event = env.scheduler.event('iwdg-expiry', () => this.expired());
  }

  read(offset: number, size: 1 | 2 | 4): number {
    return this.regs.read(offset, size);
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.regs.write(offset, size, value);
  }

  /** Is the watchdog counting? */
  get started(): boolean {
    return this.running;
  }

  /** Seconds from a reload to the reset: (RLR + 1) × 4 × 2^PR / LSI (PR 6 and 7 both divide by 256). */
  timeoutSeconds(): number {
    const div = 4 << Math.min(this.regs.get('PR'), 6);
    return ((this.regs.get('RLR') + 1) * div) / LSI_HZ;
  }

  /** Virtual seconds left before the reset (Infinity when stopped). */
  remainingSeconds(): number {
    return this.running ? this.deadline - this.env.seconds() : Infinity;
  }

  reset(): void {
    this.regs.reset();
    this.unlocked = false;
    this.running = false;
    this.deadline = Infinity;
    this.pvuUntil = this.rvuUntil = -Infinity;
    this.env.scheduler.cancel(this.event);
  }

  /** HCLK changed: scheduler cycles per second changed, so re-place the expiry event. */
  clockChanged(): void {
    if (this.running) this.schedule();
  }

  private key(k: number): void {
    if (k === 0x5555) {
      this.unlocked = true;
      return;
    }
    this.unlocked = false;
    if (k === 0xcccc) {
      if (!this.running) this.env.log.debug(`IWDG started: ${(this.timeoutSeconds() * 1000).toFixed(3)} ms timeout`);
      this.running = true;
      this.reload();
    } else if (k === 0xaaaa) this.reload();
  }

  private reload(): void {
    if (!this.running) return;
    this.deadline = this.env.seconds() + this.timeoutSeconds();
    this.schedule();
  }

  private schedule(): void {
    this.env.scheduler.schedule(this.event, this.env.cyclesFor(Math.max(0, this.deadline - this.env.seconds())));
  }

  private protectedWrite(name: 'PR' | 'RLR', old: number): void {
    if (!this.unlocked) {
      this.regs.set(name, old);
      return;
    }
    const busy = this.env.seconds() + 5 / LSI_HZ;
    if (name === 'PR') this.pvuUntil = busy;
    else this.rvuUntil = busy;
  }

  private status(): number {
    const now = this.env.seconds();
    return (now < this.pvuUntil ? IWDG_SR.PVU : 0) | (now < this.rvuUntil ? IWDG_SR.RVU : 0);
  }

  private expired(): void {
    if (!this.running) return;
    // Reset disabled: the counter wraps (reloads) and the expiry is logged each time.
    this.deadline = this.env.seconds() + this.timeoutSeconds();
    this.schedule();
    this.env.expire();
  }
}
