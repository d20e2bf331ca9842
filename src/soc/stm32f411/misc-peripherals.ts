/**
 * Wiring of the F411's RTC, IWDG, WWDG, CRC, ADC1, I2C1–3 and USB OTG FS register block into the SoC:
 * their RCC clock gates and reset bits, EXTI lines, IRQs, board options (`watchdog`, `adcVolts`,
 * `i2cDevices` are read here) and how each reacts to a system or power-on reset.
 */
import type { Bus } from '../../core/bus.js';
import type { ResetCause } from '../../core/soc.js';
import type { Stm32DeviceContext } from './device-context.js';
import type { Exti } from './exti.js';
import type { Stm32Pwr } from './pwr.js';
import { BDCR, CSR, type Stm32Rcc } from './rcc.js';
import { RTC_BASE, Stm32Rtc } from './rtc.js';

export interface MiscWiring {
  readonly devices: ReadonlyMap<string, unknown>;
  readonly rtc: Stm32Rtc;
  /** System reset (`cause`): every device but the backup domain; power-on clears that too. */
  reset(cause: ResetCause): void;
}

export interface MiscWiringInputs {
  bus: Bus;
  ctx: Stm32DeviceContext;
  rcc: Stm32Rcc;
  pwr: Stm32Pwr;
  exti: Exti;
  options: Readonly<Record<string, unknown>>;
}

/** RTCCLK as the RTC sees it: RTCEN on, the selected oscillator ready (RM0383 §6.2.8). */
function rtcClock(rcc: Stm32Rcc): number {
  const bdcr = rcc.regs.get('BDCR');
  if (!(bdcr & BDCR.RTCEN)) return 0;
  if (((bdcr >>> 8) & 3) === 2 && !(rcc.regs.get('CSR') & CSR.LSIRDY)) return 0;
  return rcc.tree.rtcclk;
}

export function wireMiscPeripherals(w: MiscWiringInputs): MiscWiring {
  const { bus, ctx, rcc, pwr, exti } = w;
  const devices = new Map<string, unknown>();

  const rtc = new Stm32Rtc({
    scheduler: ctx.scheduler,
    log: ctx.log.child({ dev: 'rtc' }),
    rtcHz: () => rtcClock(rcc),
    seconds: () => rcc.secondsAt(),
    cyclesFor: (s) => rcc.cyclesFor(s),
    backupWritable: () => pwr.backupWritable,
    setExtiLine: (line, level) => exti.setLine(line, level),
  });
  // The RTC's APB interface has no enable bit on the F411: always accessible.
  bus.addMmio('RTC', RTC_BASE, 0x400, rtc);
  rcc.onBackupDomain((domainReset) => (domainReset ? rtc.powerOnReset() : rtc.sync()));
  devices.set('rtc', rtc);

  return {
    devices,
    rtc,
    reset(cause) {
      if (cause === 'power-on') rtc.powerOnReset();
    },
  };
}
