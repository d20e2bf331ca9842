/**
 * Wiring of the F411's RTC, IWDG, WWDG, CRC, ADC1, I2C1–3 and USB OTG FS register block into the SoC:
 * their RCC clock gates and reset bits, EXTI lines, IRQs, board options (`watchdog`, `adcVolts`,
 * `i2cDevices` are read here) and how each reacts to a system or power-on reset.
 */
import type { Bus } from '../../core/bus.js';
import { UserError } from '../../core/errors.js';
import type { ResetCause } from '../../core/soc.js';
import type { Stm32DeviceContext } from './device-context.js';
import { ADC1_BASE, ADC_IRQ, calibrationBytes, Stm32Adc, VREFINT_CAL_ADDR } from './adc.js';
import { CRC_BASE, Stm32Crc } from './crc.js';
import type { Exti } from './exti.js';
import { Eeprom24c02 } from '../../devices/eeprom-24c02.js';
import { Stm32I2c, STM32F411_I2CS } from './i2c.js';
import { OTG_FS_BASE, OTG_FS_IRQ, OTG_FS_SIZE, Stm32OtgFs } from './otg-fs.js';
import { IWDG_BASE, Stm32Iwdg } from './iwdg.js';
import { clockGated } from './peripherals.js';
import type { Stm32Pwr } from './pwr.js';
import { BDCR, CSR, type Stm32Rcc } from './rcc.js';
import type { DmaRequester } from './dma.js';
import { RTC_BASE, Stm32Rtc } from './rtc.js';
import { Stm32Wwdg, WWDG_BASE, WWDG_IRQ } from './wwdg.js';

export interface MiscWiring {
  readonly devices: ReadonlyMap<string, unknown>;
  readonly rtc: Stm32Rtc;
  /** ADC1 and I2C1–3 DMA request outputs by name, for connectDmaRequests (dma.ts). */
  readonly dmaRequesters: ReadonlyMap<string, DmaRequester>;
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
  /** The machine's reset (SocContext.requestSystemReset); absent outside a machine. */
  requestSystemReset?: (cause: ResetCause) => void;
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

  let rtcLines = 0; // RTC outputs to EXTI lines, last level (bit per line)
  const rtc = new Stm32Rtc({
    scheduler: ctx.scheduler,
    log: ctx.log.child({ dev: 'rtc' }),
    rtcHz: () => rtcClock(rcc),
    seconds: () => rcc.secondsAt(),
    cyclesFor: (s) => rcc.cyclesFor(s),
    backupWritable: () => pwr.backupWritable,
    setExtiLine: (line, level) => {
      // A rising RTC event output (alarm, wake-up, time stamp with its interrupt enabled) is also a PWR
      // wake-up event: WUF, and the end of Standby (RM0383 §5.3.7).
      const bit = 1 << line;
      if (level && !(rtcLines & bit)) pwr.wakeupEvent();
      rtcLines = level ? rtcLines | bit : rtcLines & ~bit;
      exti.setLine(line, level);
    },
  });
  // The RTC's APB interface has no enable bit on the F411: always accessible.
  bus.addMmio('RTC', RTC_BASE, 0x400, rtc);
  rcc.onBackupDomain((domainReset) => (domainReset ? rtc.powerOnReset() : rtc.sync()));
  devices.set('rtc', rtc);

  // Watchdogs: the reset happens from a scheduler event, between instructions (a WWDG window violation is
  // detected inside a register write). Board option `watchdog: false` (--no-watchdog) only logs.
  const watchdog = w.options.watchdog ?? true;
  if (typeof watchdog !== 'boolean') throw new UserError('stm32f411: option "watchdog" must be true or false');
  let pendingCause: ResetCause = 'independent-watchdog';
  const suppressed = new Set<ResetCause>();
  const resetEvent = ctx.scheduler.event('watchdog-reset', () => {
    if (w.requestSystemReset) w.requestSystemReset(pendingCause);
    else ctx.log.warn(`${pendingCause} reset requested but no machine performs resets`);
  });
  const expire = (cause: ResetCause, why: string) => {
    if (!watchdog) {
      // Once at warn per watchdog, then debug: an unserviced watchdog expires again every period.
      const msg = `${cause}: ${why}; reset suppressed (watchdog disabled)`;
      if (suppressed.has(cause)) ctx.log.debug(msg);
      else ctx.log.warn(`${msg}; further expiries at debug level`);
      suppressed.add(cause);
      return;
    }
    ctx.log.info(`${cause} reset: ${why}`);
    pendingCause = cause;
    ctx.scheduler.schedule(resetEvent, 0);
  };
  const secondsNow = () => rcc.secondsAt();
  const cyclesFor = (s: number) => rcc.cyclesFor(s);
  const iwdg = new Stm32Iwdg({
    scheduler: ctx.scheduler,
    log: ctx.log.child({ dev: 'iwdg' }),
    seconds: secondsNow,
    cyclesFor,
    expire: () => expire('independent-watchdog', 'IWDG counter reached 0'),
  });
  bus.addMmio('IWDG', IWDG_BASE, 0x400, iwdg); // no clock enable bit: always accessible
  const wwdg = new Stm32Wwdg({
    scheduler: ctx.scheduler,
    log: ctx.log.child({ dev: 'wwdg' }),
    irq: ctx.irq(WWDG_IRQ),
    seconds: secondsNow,
    cyclesFor,
    pclk1: () => rcc.clocks.pclk1,
    expire: (why) => expire('window-watchdog', `WWDG ${why}`),
  });
  bus.addMmio('WWDG', WWDG_BASE, 0x400, clockGated(wwdg, rcc, 'APB1', 11, 'WWDG', ctx.log));
  rcc.onClockChange(() => {
    iwdg.clockChanged();
    wwdg.clockChanged();
  });
  devices.set('iwdg', iwdg);
  devices.set('wwdg', wwdg);

  const crc = new Stm32Crc(ctx.log.child({ dev: 'crc' }));
  bus.addMmio('CRC', CRC_BASE, 0x400, clockGated(crc, rcc, 'AHB1', 12, 'CRC', ctx.log));
  devices.set('crc', crc);

  const adc = new Stm32Adc({
    scheduler: ctx.scheduler,
    log: ctx.log.child({ dev: 'adc1' }),
    irq: ctx.irq(ADC_IRQ),
    pclk2: () => rcc.clocks.pclk2,
    cyclesFor,
  });
  const adcVolts = w.options.adcVolts ?? {};
  if (typeof adcVolts !== 'object' || adcVolts === null || Array.isArray(adcVolts)) {
    throw new UserError('stm32f411: option "adcVolts" must be an object such as {"PA0": 1.65}');
  }
  for (const [pin, v] of Object.entries(adcVolts as Record<string, unknown>)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new UserError(`stm32f411: adcVolts.${pin} must be a non-negative number of volts`);
    try {
      adc.setPinVoltage(pin, v);
    } catch (e) {
      throw new UserError(`stm32f411: adcVolts: ${(e as Error).message}`);
    }
  }
  bus.addMmio('ADC1', ADC1_BASE, 0x400, clockGated(adc, rcc, 'APB2', 8, 'ADC1', ctx.log));
  // Factory calibration values next to the flash-size word (absent from the system-memory image).
  bus.load(VREFINT_CAL_ADDR, calibrationBytes());
  devices.set('adc1', adc);

  const i2cs = new Map<string, Stm32I2c>();
  for (const cfg of STM32F411_I2CS) {
    const i2c = new Stm32I2c(cfg, {
      scheduler: ctx.scheduler,
      log: ctx.log.child({ dev: cfg.name }),
      eventIrq: ctx.irq(cfg.eventIrq),
      errorIrq: ctx.irq(cfg.errorIrq),
      pclk1: () => rcc.clocks.pclk1,
      cyclesFor,
    });
    bus.addMmio(cfg.name.toUpperCase(), cfg.base, 0x400, clockGated(i2c, rcc, 'APB1', cfg.rccBit, cfg.name.toUpperCase(), ctx.log));
    i2cs.set(cfg.name, i2c);
    devices.set(cfg.name, i2c);
  }
  attachI2cDevices(w.options.i2cDevices, i2cs);

  const otg = new Stm32OtgFs(ctx.irq(OTG_FS_IRQ), ctx.log.child({ dev: 'otg_fs' }));
  bus.addMmio('USB_OTG_FS', OTG_FS_BASE, OTG_FS_SIZE, clockGated(otg, rcc, 'AHB2', 7, 'USB_OTG_FS', ctx.log));
  devices.set('otg_fs', otg);

  // RCC xxxRSTR bits of the devices here.
  const resets = new Map<string, { reset(): void }>([
    ['APB1:11', wwdg],
    ['AHB1:12', crc],
    ['APB2:8', adc],
    ['AHB2:7', otg],
    ...STM32F411_I2CS.map((c) => [`APB1:${c.rccBit}`, i2cs.get(c.name)!] as const),
  ]);
  rcc.onPeripheralReset((busName, bit) => resets.get(`${busName}:${bit}`)?.reset());

  return {
    devices,
    rtc,
    dmaRequesters: new Map<string, DmaRequester>([['adc1', adc], ...i2cs]),
    reset(cause) {
      if (cause === 'power-on') rtc.powerOnReset();
      ctx.scheduler.cancel(resetEvent);
      iwdg.reset();
      for (const d of resets.values()) d.reset();
    },
  };
}

/** I2C device types a board file can attach (`i2cDevices: [{"bus": "i2c1", "type": "24c02", "address": 80}]`). */
const I2C_DEVICE_TYPES = { '24c02': (address: number) => new Eeprom24c02(address) } as const;

function attachI2cDevices(raw: unknown, i2cs: ReadonlyMap<string, Stm32I2c>): void {
  if (raw === undefined) return;
  if (!Array.isArray(raw)) throw new UserError('stm32f411: option "i2cDevices" must be a list');
  for (const d of raw as Record<string, unknown>[]) {
    const i2c = typeof d.bus === 'string' ? i2cs.get(d.bus) : undefined;
    if (i2c === undefined) throw new UserError(`stm32f411: i2cDevices: bus must be one of ${[...i2cs.keys()].join(', ')}`);
    const make = I2C_DEVICE_TYPES[d.type as keyof typeof I2C_DEVICE_TYPES] as ((a: number) => Eeprom24c02) | undefined;
    if (make === undefined) throw new UserError(`stm32f411: i2cDevices: type must be one of ${Object.keys(I2C_DEVICE_TYPES).join(', ')}`);
    const address = d.address ?? 0x50;
    if (typeof address !== 'number' || !Number.isInteger(address) || address < 0 || address > 0x7f) {
      throw new UserError('stm32f411: i2cDevices: address must be a 7-bit number');
    }
    i2c.attach(make(address));
  }
}
