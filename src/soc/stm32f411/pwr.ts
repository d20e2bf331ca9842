/**
 * STM32F411 power controller (RM0383 §5.4), base 0x40007000: PWR_CR (VOS voltage scaling, DBP backup-domain
 * write access, LPDS/FPDS/… stored, PDDS choosing Stop or Standby for deep sleep) and PWR_CSR (WUF, SBF,
 * EWUP, BRE). The regulator is always "ready": VOSRDY reads 1 (the scale transition time is not modelled).
 *
 * Low-power modes (RM0383 §5.3): `enterDeepSleep()` is called when the core sleeps with SCB_SCR.SLEEPDEEP
 * (low-power.ts wires it to the machine). PDDS = 0 is Stop; PDDS = 1 is Standby: SBF is set at entry, and a
 * wake-up event (`wakeupEvent`: WKUP pin rising edge with EWUP, RTC alarm/wake-up/time stamp with its
 * interrupt enabled) sets WUF and asks for the reset that restarts the chip. WUF is also set by those events
 * outside Standby, as the manual describes. SBF survives system resets (only power-on or CSBF clear it);
 * WUF survives only the Standby wake-up reset (a system reset clears it).
 */
import type { Logger } from '../../core/logger.js';
import { RegisterBank } from '../../core/registers.js';
import type { ResetCause } from '../../core/soc.js';
import { warnUnmapped } from './device-context.js';

export const PWR_BASE = 0x4000_7000;
export const PWR_CR_DBP = 1 << 8;
export const PWR_CR_PDDS = 1 << 1;
export const PWR_CSR_WUF = 1 << 0;
export const PWR_CSR_SBF = 1 << 1;
export const PWR_CSR_EWUP = 1 << 8;
export const PWR_CSR_VOSRDY = 1 << 14;

export type DeepSleepMode = 'stop' | 'standby';

export class Stm32Pwr {
  readonly regs: RegisterBank;
  /** True from Standby entry until the reset that ends it. */
  private inStandby = false;
  private standbyWakeListener: (() => void) | null = null;
  private ewupListener: (() => void) | null = null;

  /** `log` receives accesses to reserved offsets (once each). */
  constructor(log?: Logger) {
    this.regs = new RegisterBank('PWR', [
      // Reset 0x00008000: VOS = 10 (scale 2). CWUF (bit 2) and CSBF (bit 3) are write-1 actions that read 0.
      {
        name: 'CR',
        offset: 0x00,
        reset: 0x0000_8000,
        writable: 0x0030_efff,
        write: (v) => {
          const csr = this.regs.get('CSR');
          let next = csr;
          if (v & 4) next &= ~PWR_CSR_WUF; // CWUF
          if (v & 8) next &= ~PWR_CSR_SBF; // CSBF
          this.regs.set('CSR', next);
          this.regs.set('CR', v & ~0xc);
        },
      },
      {
        name: 'CSR',
        offset: 0x04,
        reset: PWR_CSR_VOSRDY,
        writable: PWR_CSR_EWUP | (1 << 9),
        write: (v, old) => {
          this.regs.set('CSR', v);
          // Enabling EWUP while WKUP is already high is a wake-up event (RM0383 §5.4.2, WUF note).
          if (v & PWR_CSR_EWUP && !(old & PWR_CSR_EWUP)) this.ewupListener?.();
        },
      },
    ], { onUnmapped: warnUnmapped(log, 'pwr') });
  }

  /** PWR_CR.DBP: the RTC, RTC backup registers and RCC_BDCR are writable. */
  get backupWritable(): boolean {
    return (this.regs.get('CR') & PWR_CR_DBP) !== 0;
  }

  /** PWR_CSR.EWUP: the WKUP pin (PA0) is a wake-up source. */
  get wakeupPinEnabled(): boolean {
    return (this.regs.get('CSR') & PWR_CSR_EWUP) !== 0;
  }

  get standby(): boolean {
    return this.inStandby;
  }

  /** Called when Standby ends by a wake-up event (the owner resets the chip, between instructions). */
  onStandbyWake(cb: () => void): void {
    this.standbyWakeListener = cb;
  }

  /** Called when software sets EWUP (the owner checks whether WKUP is already high). */
  onWakeupPinEnable(cb: () => void): void {
    this.ewupListener = cb;
  }

  /** The core sleeps with SLEEPDEEP: PDDS chooses the mode; Standby sets SBF at entry. */
  enterDeepSleep(): DeepSleepMode {
    if (!(this.regs.get('CR') & PWR_CR_PDDS)) return 'stop';
    this.regs.setBits('CSR', PWR_CSR_SBF, true);
    this.inStandby = true;
    return 'standby';
  }

  /** A wake-up event (WKUP pin, RTC): sets WUF; ends Standby (the listener resets the chip). */
  wakeupEvent(): void {
    this.regs.setBits('CSR', PWR_CSR_WUF, true);
    if (!this.inStandby) return;
    this.inStandby = false;
    this.standbyWakeListener?.();
  }

  /** Power-on clears everything; other resets keep SBF, and WUF only across the Standby wake-up. */
  reset(cause: ResetCause = 'power-on'): void {
    const keep = this.regs.get('CSR') & (cause === 'power-on' ? 0 : cause === 'standby-wakeup' ? PWR_CSR_SBF | PWR_CSR_WUF : PWR_CSR_SBF);
    this.inStandby = false;
    this.regs.reset();
    this.regs.setBits('CSR', keep, true);
  }
}
