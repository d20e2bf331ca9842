/**
 * Stop and Standby (RM0383 §5.3) for the STM32F411: what happens when the core sleeps with
 * SCB_SCR.SLEEPDEEP (the machine calls SocInstance.deepSleep/deepWake).
 *
 * - Stop (PWR_CR.PDDS = 0): the core clock is stopped ('clock-stopped'): only an EXTI line (pending and
 *   unmasked in EXTI_IMR: a pin, the RTC alarm/wake-up, …) wakes the core, through its interrupt as usual;
 *   an EXTI event line (EMR) wakes a WFE through the core's event input.
 *   SysTick, TIMx and the other HCLK/PCLK devices keep counting in our model (their interrupts cannot wake
 *   the core, but one that became pending is taken after the wake-up). On wake-up the system clock is the
 *   HSI, HSE and the PLLs are off (rcc.stopModeExit).
 * - Standby (PDDS = 1): SBF is set, the I/Os go to their reset state (high impedance), and the core stays
 *   off whatever interrupt is pending. Wake-up: WKUP pin (PA0) rising edge with PWR_CSR.EWUP, RTC alarm A/B,
 *   wake-up timer or time stamp with its interrupt enabled (WUF set), an IWDG reset or the reset pin. The
 *   chip restarts as after a reset: SRAM is lost (we clear it to 0), the backup domain (RTC, BDCR, backup
 *   registers) and PWR_CSR.SBF survive, RCC_CSR gets no new flag ('standby-wakeup').
 */
import type { Storage } from '../../core/bus.js';
import type { Logger } from '../../core/logger.js';
import type { Pin } from '../../core/pins.js';
import type { Scheduler } from '../../core/scheduler.js';
import type { ResetCause } from '../../core/soc.js';
import type { Exti } from './exti.js';
import type { Stm32Pwr } from './pwr.js';
import type { Stm32Rcc } from './rcc.js';

export interface LowPowerWiring {
  pwr: Stm32Pwr;
  rcc: Stm32Rcc;
  scheduler: Scheduler;
  log: Logger;
  /** PA0 = WKUP. */
  wakeupPin: Pin | undefined;
  sram: Storage;
  /** GPIO ports: Standby puts every pin back to its reset state. */
  gpioPorts: readonly { reset(): void }[];
  requestSystemReset: ((cause: ResetCause) => void) | undefined;
  exti: Exti;
  /** The core's event input (SocContext.signalEvent): EXTI event lines (EMR) drive it. */
  signalEvent: (() => void) | undefined;
}

export interface LowPower {
  deepSleep(): 'powered-down' | 'clock-stopped' | undefined;
  /** Stop mode: an EXTI line is pending (and unmasked), so the core may wake. */
  deepSleepWakeup(): boolean;
  deepWake(): void;
  /** Part of the SoC reset for `cause` (the Standby wake-up loses SRAM). */
  reset(cause: ResetCause): void;
}

export function wireLowPower(w: LowPowerWiring): LowPower {
  const { pwr, rcc, log } = w;
  let stopped = false;
  let stopEvent = false; // an EXTI event (EMR) since Stop began: wakes a WFE
  const prevOnEvent = w.exti.onEvent;
  w.exti.onEvent = (line) => {
    prevOnEvent?.(line);
    if (stopped) stopEvent = true;
    w.signalEvent?.();
  };
  const wakeReset = w.scheduler.event('pwr-standby-wakeup', () => {
    if (w.requestSystemReset) w.requestSystemReset('standby-wakeup');
    else log.warn('Standby wake-up but no machine performs resets');
  });
  // Reset from a scheduler event: wake-up sources report from inside register accesses or pin changes.
  pwr.onStandbyWake(() => w.scheduler.schedule(wakeReset, 0));
  w.wakeupPin?.onChange((level) => {
    if (level && pwr.wakeupPinEnabled) pwr.wakeupEvent();
  });
  pwr.onWakeupPinEnable(() => {
    if (w.wakeupPin?.level) pwr.wakeupEvent();
  });
  return {
    deepSleep() {
      const mode = pwr.enterDeepSleep();
      log.debug(`PWR: core in ${mode === 'stop' ? 'Stop' : 'Standby'} mode`);
      if (mode === 'stop') {
        stopped = true;
        stopEvent = false;
        return 'clock-stopped';
      }
      for (const p of w.gpioPorts) p.reset();
      return 'powered-down';
    },
    deepSleepWakeup() {
      return stopEvent || (w.exti.regs.get('PR') & w.exti.regs.get('IMR')) !== 0;
    },
    deepWake() {
      if (!stopped) return;
      stopped = false;
      log.debug('PWR: wake-up from Stop mode, system clock HSI');
      rcc.stopModeExit();
    },
    reset(cause) {
      stopped = false;
      w.scheduler.cancel(wakeReset);
      if (cause === 'standby-wakeup') {
        w.sram.bytes.fill(0);
        w.sram.invalidate(0, w.sram.bytes.length);
      }
    },
  };
}
