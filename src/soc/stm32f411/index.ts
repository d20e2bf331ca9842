/**
 * The STM32F411xC/E SoC (RM0383 §2.3 memory map):
 *   0x00000000  boot alias: main flash (BOOT0 = 0), system memory (`boot0`), or SRAM (`boot: "sram"`)
 *   0x08000000  512 KiB main flash (FLASH interface programs/erases it; CPU writes go to `romWrite`)
 *   0x1FFF0000  system memory page: placeholder bootloader, OTP 0x1FFF7800, UID 0x1FFF7A10, size 0x1FFF7A22
 *   0x1FFFC000  option bytes (read-only view)
 *   0x20000000  128 KiB SRAM            0x22000000 its bit-band alias
 *   0x40000000  peripherals (APB1, APB2, AHB1)   0x42000000 bit-band alias of 0x40000000..0x400FFFFF
 *   0x50000000  USB OTG FS (AHB2)
 *   0xE0042000  DBGMCU
 * Every peripheral window of the memory map that no model covers yet is an UnimplementedPeripheral
 * (reads 0, logs each register once at warn). Reserved space between windows is unmapped (BusFault).
 *
 * Options (board "options", all optional): hseHz (0 = none), hseBypass, lseHz, boot0 (boot from system
 * memory), boot ("flash" | "system" | "sram"), uid (24 hex digits), flashTimeScale (multiplies flash
 * program/erase times), leds/buttons/consolePins (board data for the GPIO layer).
 */
import { RegionKind, type Storage } from '../../core/bus.js';
import { UserError } from '../../core/errors.js';
import { IrqLine } from '../../core/irq.js';
import type { PersistentStore, ResetCause, SocContext, SocFactory, SocInstance } from '../../core/soc.js';
import { FLASH_BASE, FLASH_IF_BASE, FLASH_IRQ, FLASH_SIZE, SECTORS, Stm32Flash } from './flash.js';
import { clockGated, makeDeviceContext, wireGpio, wireTimers, wireUsarts } from './peripherals.js';
import { PWR_BASE, Stm32Pwr } from './pwr.js';
import { wireMiscPeripherals } from './misc-peripherals.js';
import { wireLowPower } from './low-power.js';
import { RCC_BASE, RCC_IRQ, Stm32Rcc } from './rcc.js';
import { wireSpiDma } from './spi-dma-wiring.js';
import { connectDmaRequests } from './dma.js';
import {
  createDbgmcu,
  DBGMCU_BASE,
  defaultUid,
  fillSystemPage,
  OPTION_BYTES_BASE,
  optionBytesView,
  OTP_OFFSET,
  SYSTEM_MEMORY_BASE,
  SYSTEM_PAGE_SIZE,
} from './system-memory.js';
import { UnimplementedPeripheral } from './unimplemented.js';

const KiB = 1024;
const MiB = 1024 * KiB;
export const SRAM_BASE = 0x2000_0000;
export const SRAM_SIZE = 128 * KiB;
export const HSI_RESET_HZ = 16_000_000;

/** Peripheral windows of RM0383 table 1 (name, base, size). */
export const F411_PERIPHERALS: readonly (readonly [string, number, number])[] = [
  ['TIM2', 0x4000_0000, 0x400],
  ['TIM3', 0x4000_0400, 0x400],
  ['TIM4', 0x4000_0800, 0x400],
  ['TIM5', 0x4000_0c00, 0x400],
  ['RTC', 0x4000_2800, 0x400],
  ['WWDG', 0x4000_2c00, 0x400],
  ['IWDG', 0x4000_3000, 0x400],
  ['I2S2ext', 0x4000_3400, 0x400],
  ['SPI2', 0x4000_3800, 0x400],
  ['SPI3', 0x4000_3c00, 0x400],
  ['I2S3ext', 0x4000_4000, 0x400],
  ['USART2', 0x4000_4400, 0x400],
  ['I2C1', 0x4000_5400, 0x400],
  ['I2C2', 0x4000_5800, 0x400],
  ['I2C3', 0x4000_5c00, 0x400],
  ['PWR', 0x4000_7000, 0x400],
  ['TIM1', 0x4001_0000, 0x400],
  ['USART1', 0x4001_1000, 0x400],
  ['USART6', 0x4001_1400, 0x400],
  ['ADC1', 0x4001_2000, 0x400],
  ['SDIO', 0x4001_2c00, 0x400],
  ['SPI1', 0x4001_3000, 0x400],
  ['SPI4', 0x4001_3400, 0x400],
  ['SYSCFG', 0x4001_3800, 0x400],
  ['EXTI', 0x4001_3c00, 0x400],
  ['TIM9', 0x4001_4000, 0x400],
  ['TIM10', 0x4001_4400, 0x400],
  ['TIM11', 0x4001_4800, 0x400],
  ['SPI5', 0x4001_5000, 0x400],
  ['GPIOA', 0x4002_0000, 0x400],
  ['GPIOB', 0x4002_0400, 0x400],
  ['GPIOC', 0x4002_0800, 0x400],
  ['GPIOD', 0x4002_0c00, 0x400],
  ['GPIOE', 0x4002_1000, 0x400],
  ['GPIOH', 0x4002_1c00, 0x400],
  ['CRC', 0x4002_3000, 0x400],
  ['RCC', 0x4002_3800, 0x400],
  ['FLASH', 0x4002_3c00, 0x400],
  ['DMA1', 0x4002_6000, 0x400],
  ['DMA2', 0x4002_6400, 0x400],
  ['USB_OTG_FS', 0x5000_0000, 0x40000],
];

export type BootMode = 'flash' | 'system' | 'sram';

export interface Stm32f411Options {
  readonly hseHz: number;
  readonly hseBypass: boolean;
  readonly lseHz: number;
  readonly boot: BootMode;
  readonly uid: Uint8Array | null;
  readonly flashTimeScale: number;
}

/** Reads the board options, rejecting ill-typed values with a one-line UserError. */
export function parseOptions(raw: Readonly<Record<string, unknown>>): Stm32f411Options {
  const num = (k: string, dflt: number): number => {
    const v = raw[k];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new UserError(`stm32f411: option "${k}" must be a non-negative number`);
    return v;
  };
  const bool = (k: string): boolean => {
    const v = raw[k];
    if (v === undefined) return false;
    if (typeof v !== 'boolean') throw new UserError(`stm32f411: option "${k}" must be true or false`);
    return v;
  };
  let boot: BootMode = bool('boot0') ? 'system' : 'flash';
  if (raw.boot !== undefined) {
    if (raw.boot !== 'flash' && raw.boot !== 'system' && raw.boot !== 'sram') throw new UserError('stm32f411: option "boot" must be "flash", "system" or "sram"');
    boot = raw.boot;
  }
  let uid: Uint8Array | null = null;
  if (raw.uid !== undefined) {
    if (typeof raw.uid !== 'string' || !/^[0-9a-fA-F]{24}$/.test(raw.uid)) throw new UserError('stm32f411: option "uid" must be 24 hex digits');
    uid = Uint8Array.from(raw.uid.match(/../g)!.map((h) => parseInt(h, 16)));
  }
  return { hseHz: num('hseHz', 0), hseBypass: bool('hseBypass'), lseHz: num('lseHz', 0), boot, uid, flashTimeScale: num('flashTimeScale', 1) };
}

/** What the F411 SoC instance offers beyond the generic contract (tests, persistence, other devices). */
export interface Stm32f411Instance extends SocInstance {
  readonly rcc: Stm32Rcc;
  readonly flash: Stm32Flash;
  readonly pwr: Stm32Pwr;
  /** Main flash contents (to persist with `--flash FILE`). */
  readonly flashStorage: Storage;
  readonly sram: Storage;
  readonly systemMemory: Storage;
  /** Virtual seconds since power-on, integrated over HCLK changes (one scheduler cycle = one HCLK cycle). */
  virtualSeconds(): number;
  /** HCLK now: the core clock that scheduler cycles count. */
  currentHz(): number;
  /**
   * SYSCFG_MEMRMP hook: what appears at address 0 (flash, system memory or SRAM). Re-points the bus alias;
   * decodes cached from the old mapping are dropped (Bus.remapAlias). A system reset restores the boot pins' choice.
   */
  remapMemory(mode: BootMode): void;
  /**
   * What `--flash FILE` keeps: internal flash ("flash"), then any board device's store (the W25Q SPI
   * flash pushes its "spi-flash" store with `addPersistentStore` when the board has one).
   */
  persistentStores(): readonly PersistentStore[];
  addPersistentStore(store: PersistentStore): void;
}

export const createStm32f411: SocFactory = (ctx: SocContext, rawOptions): Stm32f411Instance => {
  const opts = parseOptions(rawOptions);
  const { bus, scheduler } = ctx;
  const log = ctx.log;
  const devices = new Map<string, unknown>();
  const line = (n: number) => new IrqLine(ctx.irq, n);
  if (ctx.cpuHz !== HSI_RESET_HZ) log.warn(`stm32f411: board cpuHz ${ctx.cpuHz} differs from the HSI (${HSI_RESET_HZ} Hz) the chip resets to`);

  // Power and clocks first: everything else converts time with the RCC's HCLK.
  const pwr = new Stm32Pwr(log.child({ dev: 'pwr' }));
  const rcc = new Stm32Rcc({
    scheduler,
    log: log.child({ dev: 'rcc' }),
    irq: line(RCC_IRQ),
    hseHz: opts.hseHz,
    lseHz: opts.lseHz,
    backupWritable: () => pwr.backupWritable,
  });

  // Memories.
  let flash: Stm32Flash | null = null;
  const flashWrite = (offset: number, size: 1 | 2 | 4, value: number) => flash!.programMain(offset, size, value);
  const flashStorage = bus.addRom('flash', FLASH_BASE, FLASH_SIZE, 0xff, flashWrite);
  const sysWrite = (offset: number, size: 1 | 2 | 4, value: number) => flash!.programSystem(offset, size, value, SYSTEM_MEMORY_BASE);
  const systemMemory = bus.addRom('system-memory', SYSTEM_MEMORY_BASE, SYSTEM_PAGE_SIZE, 0xff, sysWrite);
  fillSystemPage(systemMemory.bytes, {
    initialSp: SRAM_BASE + SRAM_SIZE,
    uid: opts.uid ?? defaultUid(String(rawOptions.mcu ?? 'STM32F411')),
    flashKiB: FLASH_SIZE / KiB,
  });
  const sram = bus.addRam('sram', SRAM_BASE, SRAM_SIZE);
  // What address 0 shows: the boot pins choose at reset, SYSCFG_MEMRMP.MEM_MODE at run time.
  const aliasOf = (mode: BootMode): [Storage, number, RegionKind.RAM | RegionKind.ROM, ((o: number, s: 1 | 2 | 4, v: number) => void) | null] =>
    mode === 'flash' ? [flashStorage, FLASH_SIZE, RegionKind.ROM, flashWrite]
      : mode === 'system' ? [systemMemory, SYSTEM_PAGE_SIZE, RegionKind.ROM, sysWrite]
        : [sram, SRAM_SIZE, RegionKind.RAM, null];
  let aliasMode: BootMode = opts.boot;
  {
    const [st, size, kind, write] = aliasOf(aliasMode);
    bus.addAlias('boot-alias', 0, st, 0, size, kind, write);
  }

  flash = new Stm32Flash({
    scheduler,
    log: log.child({ dev: 'flash' }),
    irq: line(FLASH_IRQ),
    storage: flashStorage,
    otp: { storage: systemMemory, offset: OTP_OFFSET },
    cyclesFor: (s) => rcc.cyclesFor(s),
    timeScale: opts.flashTimeScale,
  });
  const fl = flash;
  const persistent: PersistentStore[] = [
    {
      name: 'flash',
      bytes: flashStorage.bytes,
      size: FLASH_SIZE,
      erasedValue: 0xff,
      base: FLASH_BASE,
      sectors: SECTORS,
      onChange: (l) => fl.onContentChange(l),
      invalidate: (offset, length) => flashStorage.invalidate(offset, length),
    },
  ];
  bus.addMmio('option-bytes', OPTION_BYTES_BASE, 16, optionBytesView(() => fl.optionBytes));
  const dbgmcu = createDbgmcu(log.child({ dev: 'dbgmcu' }));
  bus.addMmio('DBGMCU', DBGMCU_BASE, 0x400, dbgmcu);

  // Peripherals.
  bus.addMmio('RCC', RCC_BASE, 0x400, rcc.regs);
  bus.addMmio('FLASH', FLASH_IF_BASE, 0x400, fl.regs);
  bus.addMmio('PWR', PWR_BASE, 0x400, clockGated(pwr.regs, rcc, 'APB1', 28, 'PWR', log)); // PWREN
  const dctx = makeDeviceContext(scheduler, log, ctx.irq, rcc);
  const bootCode = opts.boot === 'flash' ? 0 : opts.boot === 'system' ? 1 : 3;
  const gpio = wireGpio(bus, dctx, rcc, rawOptions, bootCode, (mode) => soc.remapMemory(mode === 1 ? 'system' : mode === 3 ? 'sram' : 'flash'));
  const usarts = wireUsarts(bus, dctx, rcc, (label) => ctx.uart(label));
  const timers = wireTimers(bus, dctx, rcc, gpio.ports);
  // TODO(issue 3): SPI, DMA, RTC, IWDG/WWDG, CRC, ADC, I2C, USB OTG FS registers.
  const misc = wireMiscPeripherals({ bus, ctx: dctx, rcc, pwr, exti: gpio.exti, options: rawOptions, requestSystemReset: ctx.requestSystemReset });

  // Stop/Standby (WFI with SLEEPDEEP): wake-up sources, SRAM loss, clocks after Stop.
  const lowPower = wireLowPower({ pwr, rcc, scheduler, log: log.child({ dev: 'pwr' }), sram, gpioPorts: [...gpio.ports.values()], wakeupPin: gpio.pins.get('PA0'), requestSystemReset: ctx.requestSystemReset, exti: gpio.exti, signalEvent: ctx.signalEvent });
  const resettable: { reset(): void }[] = [fl, dbgmcu, ...gpio.resettable, ...usarts.values(), ...timers.values()];
  // SPI1–5, DMA1/2 and the board's optional W25Q SPI flash ("spi-flash" store for --flash).
  const spiDma = wireSpiDma(bus, dctx, rcc, gpio.ports, gpio.pins, usarts, rawOptions);
  resettable.push(...spiDma.resettable);
  persistent.push(...spiDma.stores);
  connectDmaRequests(spiDma.dmas, misc.dmaRequesters); // ADC1, I2C1–3 → DMA1/DMA2
  for (const [k, v] of spiDma.devices) devices.set(k, v);
  for (const [name, base, size] of F411_PERIPHERALS) {
    if (bus.regionAt(base) !== undefined) continue;
    bus.addMmio(name, base, size, new UnimplementedPeripheral(name, base, log.child({ dev: name.toLowerCase() })));
  }

  // Cortex-M4 bit-band regions: SRAM and peripherals.
  bus.addBitBand('bitband-sram', 0x2200_0000, SRAM_BASE, 1 * MiB);
  bus.addBitBand('bitband-periph', 0x4200_0000, 0x4000_0000, 1 * MiB);

  for (const [k, v] of Object.entries({ rcc, flash: fl, pwr, dbgmcu, flashStorage, sram, systemMemory })) devices.set(k, v);
  for (const [port, g] of gpio.ports) devices.set(`gpio${port.toLowerCase()}`, g);
  for (const [name, u] of usarts) devices.set(name, u);
  for (const [name, t] of timers) devices.set(name, t);
  for (const [k, v] of Object.entries({ exti: gpio.exti, syscfg: gpio.syscfg, pins: gpio.pins, leds: gpio.leds, buttons: gpio.buttons })) devices.set(k, v);
  for (const [k, v] of misc.devices) devices.set(k, v);

  const soc: Stm32f411Instance = {
    resetVectorBase: 0,
    devices,
    rcc,
    flash: fl,
    pwr,
    flashStorage,
    sram,
    systemMemory,
    reset(cause: ResetCause = 'pin') {
      lowPower.reset(cause);
      pwr.reset(cause);
      for (const d of resettable) d.reset();
      misc.reset(cause);
      rcc.reset(cause);
    },
    persistentStores: () => persistent,
    addPersistentStore: (store) => void persistent.push(store),
    virtualSeconds: () => rcc.secondsAt(),
    currentHz: () => rcc.clocks.hclk,
    deepSleep: () => lowPower.deepSleep(),
    deepSleepWakeup: () => lowPower.deepSleepWakeup(),
    deepWake: () => lowPower.deepWake(),
    remapMemory(mode: BootMode) {
      if (mode === aliasMode) return;
      const [st, size, kind, write] = aliasOf(mode);
      bus.remapAlias('boot-alias', st, 0, size, kind, write);
      log.debug(`SYSCFG_MEMRMP: address 0 now shows ${mode} (was ${aliasMode})`);
      aliasMode = mode;
    },
  };
  soc.reset('power-on');
  return soc;
};
