/**
 * SysTick (ARM ARM B3.3): a 24-bit down-counter clocked by the core clock (CSR.CLKSOURCE=1) or by an
 * external reference clock (CLKSOURCE=0). No per-cycle work: the count is computed from the CPU's cycle
 * counter, and one scheduler event fires per wrap (the 1→0 transition) to set COUNTFLAG and pend the
 * exception. Offsets are relative to 0xE000E010: CSR 0x0, RVR 0x4, CVR 0x8, CALIB 0xC.
 */
import type { Scheduler, ScheduledEvent } from '../../../core/scheduler.js';
import type { CortexM4 } from '../cpu.js';
import type { ExceptionModel } from '../exceptions.js';
import { Exc } from '../faults.js';
import { merge, type WordRegisters } from './lanes.js';

export const SYST_CSR = {
  ENABLE: 1 << 0,
  TICKINT: 1 << 1,
  CLKSOURCE: 1 << 2,
  COUNTFLAG: 1 << 16,
} as const;

export interface SysTickOptions {
  cpuHz: number;
  /** External reference clock in Hz (CLKSOURCE=0); default cpuHz / 8. */
  externalHz?: number;
}

export class SysTick implements WordRegisters {
  /** CSR bits ENABLE/TICKINT/CLKSOURCE as written; COUNTFLAG separately. */
  private csr = 0;
  private countFlag = 0;
  private rvr = 0;
  /** Counter value at `baseCycle` (the last reconfiguration). */
  private baseValue = 0;
  private baseCycle = 0;
  /** Index m of the next wrap: wraps happen at tick baseValue + (rvr+1)*m. */
  private nextWrap = 0;
  private readonly ev: ScheduledEvent;
  /** CPU cycles per external tick. */
  private readonly extRatio: number;
  readonly calib: number;
  /** Set by attachCoreSystem: debugger reads of CSR leave COUNTFLAG alone. */
  debugFlag: { readonly active: boolean } = { active: false };

  constructor(
    private readonly cpu: CortexM4,
    private readonly exc: ExceptionModel,
    private readonly scheduler: Scheduler,
    opts: SysTickOptions,
  ) {
    const ext = opts.externalHz ?? opts.cpuHz / 8;
    this.extRatio = opts.cpuHz / ext;
    // CALIB: TENMS = ticks in 10 ms of the reference clock, minus 1; SKEW when that is not exact.
    const tenms = ext / 100;
    this.calib = ((Number.isInteger(tenms) ? 0 : 1 << 30) | ((Math.floor(tenms) - 1) & 0xffffff)) >>> 0;
    this.ev = scheduler.event('systick', () => this.onWrap());
  }

  reset(): void {
    this.scheduler.cancel(this.ev);
    this.csr = 0;
    this.countFlag = 0;
    this.rvr = 0;
    this.baseValue = 0;
    this.baseCycle = this.cpu.cycles;
  }

  private get enabled(): boolean {
    return (this.csr & SYST_CSR.ENABLE) !== 0;
  }

  /** Ticks of the selected clock since `baseCycle`. */
  private ticks(): number {
    const dc = this.cpu.cycles - this.baseCycle;
    return this.csr & SYST_CSR.CLKSOURCE ? dc : Math.floor(dc / this.extRatio);
  }

  /** The live counter value. */
  current(): number {
    if (!this.enabled) return this.baseValue;
    const k = this.ticks();
    const v0 = this.baseValue;
    if (k <= v0) return v0 - k;
    if (this.rvr === 0) return 0;
    return this.rvr - ((k - v0 - 1) % (this.rvr + 1));
  }

  /** Freezes the count under the current configuration before a change. */
  private rebase(): void {
    this.baseValue = this.current();
    this.baseCycle = this.cpu.cycles;
    this.nextWrap = this.baseValue > 0 ? 0 : 1;
  }

  private schedule(): void {
    if (!this.enabled || (this.nextWrap > 0 && this.rvr === 0)) {
      this.scheduler.cancel(this.ev);
      return;
    }
    const tick = this.baseValue + (this.rvr + 1) * this.nextWrap;
    const dc = this.csr & SYST_CSR.CLKSOURCE ? tick : Math.ceil(tick * this.extRatio);
    this.scheduler.scheduleAt(this.ev, this.baseCycle + dc);
  }

  private onWrap(): void {
    this.countFlag = 1;
    if (this.csr & SYST_CSR.TICKINT) this.exc.setPending(Exc.SysTick);
    this.nextWrap++;
    this.schedule();
  }

  readWord(offset: number): number {
    switch (offset) {
      case 0x0: {
        const v = this.csr | (this.countFlag << 16);
        if (!this.debugFlag.active) this.countFlag = 0; // COUNTFLAG clears on a read by software
        return v >>> 0;
      }
      case 0x4: return this.rvr;
      case 0x8: return this.current();
      case 0xc: return this.calib;
      default: return 0;
    }
  }

  writeWord(offset: number, value: number, mask: number): void {
    switch (offset) {
      case 0x0:
        this.rebase();
        this.csr = merge(this.csr, value, mask & 7);
        this.rebase();
        this.schedule();
        break;
      case 0x4:
        // The new reload value takes effect at the next reload; rebasing keeps the current count.
        this.rebase();
        this.rvr = merge(this.rvr, value, mask & 0xffffff);
        this.rebase();
        this.schedule();
        break;
      case 0x8:
        // Any write clears the counter and COUNTFLAG; no exception.
        this.rebase();
        this.baseValue = 0;
        this.nextWrap = 1;
        this.countFlag = 0;
        this.schedule();
        break;
      default:
        break;
    }
  }
}
