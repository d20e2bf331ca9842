/**
 * Wiring of SPI1–5, DMA1/DMA2 and the board's optional W25Q SPI flash into the F411 SoC.
 *
 * Board data (options):
 *   spiFlash        chip name ("w25q16" | "w25q32" | "w25q64" | "w25q128"), absent/null/false = no chip
 *                   (`--spi-flash` sets it)
 *   spiFlashPins    { spi: "spi1", cs: "PA4", sck: "PA5", miso: "PA6", mosi: "PA7", af?: 5 } — where the chip
 *                   sits. /CS has a pull-up (the chip is deselected while the GPIO floats). The chip sees the
 *                   bus only while SCK/MISO/MOSI are in alternate-function mode with that AF (default AF5
 *                   for SPI1/2/4, AF6 for SPI3/5); a frame sent otherwise is logged once and lost. A master
 *                   bit-banging the same pins as GPIOs (SPI mode 0/3) reaches the chip too (`connectSpiPins`).
 *   spiFlashTimeScale  multiplies the chip's busy times (default 1 = datasheet typical)
 */
import type { Bus } from '../../core/bus.js';
import { UserError } from '../../core/errors.js';
import type { Pin } from '../../core/pins.js';
import type { PersistentStore } from '../../core/soc.js';
import { connectChipSelect, connectSpiPins } from '../../devices/spi-slave.js';
import { W25q, W25Q_CHIPS, w25qChip } from '../../devices/w25q.js';
import type { Stm32DeviceContext } from './device-context.js';
import { connectDmaRequests, Dma, STM32F411_DMAS, type DmaMemory, type DmaRequester } from './dma.js';
import { GPIO_MODE, type GpioPort } from './gpio.js';
import { clockGated } from './peripherals.js';
import type { RccBusName, Stm32Rcc } from './rcc.js';
import { Spi, STM32F411_SPIS } from './spi.js';
import type { Usart } from './usart.js';

export interface SpiDmaWiring {
  readonly spis: Map<string, Spi>;
  readonly dmas: Map<string, Dma>;
  readonly spiFlash: W25q | null;
  /** Devices by name for `soc.devices` (spi1…spi5, dma1, dma2, spiflash). */
  readonly devices: Map<string, unknown>;
  readonly resettable: { reset(): void }[];
  /** The W25Q's "spi-flash" store when the board has the chip. */
  readonly stores: PersistentStore[];
}

/** The bus as the DMA's AHB master ports see it. */
function dmaMemory(bus: Bus): DmaMemory {
  return {
    read: (a, size) => (size === 4 ? bus.read32(a) >>> 0 : size === 2 ? bus.read16(a) : bus.read8(a)),
    write: (a, size, v) => (size === 4 ? bus.write32(a, v) : size === 2 ? bus.write16(a, v) : bus.write8(a, v)),
  };
}

export function wireSpiDma(
  bus: Bus,
  ctx: Stm32DeviceContext,
  rcc: Stm32Rcc,
  ports: ReadonlyMap<string, GpioPort>,
  pins: ReadonlyMap<string, Pin>,
  usarts: ReadonlyMap<string, Usart>,
  options: Readonly<Record<string, unknown>>,
): SpiDmaWiring {
  const devices = new Map<string, unknown>();
  const resets = new Map<string, { reset(): void }>();

  const spis = new Map<string, Spi>();
  for (const cfg of STM32F411_SPIS) {
    const s = new Spi({ ...ctx, log: ctx.log.child({ dev: cfg.name }) }, cfg);
    const busName: RccBusName = cfg.apb === 1 ? 'APB1' : 'APB2';
    bus.addMmio(cfg.name.toUpperCase(), cfg.base, 0x400, clockGated(s.regs, rcc, busName, cfg.rccBit, cfg.name.toUpperCase(), ctx.log));
    spis.set(cfg.name, s);
    resets.set(`${busName}:${cfg.rccBit}`, s);
  }

  const dmas = new Map<string, Dma>();
  const mem = dmaMemory(bus);
  for (const cfg of STM32F411_DMAS) {
    const d = new Dma({ ...ctx, log: ctx.log.child({ dev: cfg.name }) }, cfg, mem, () => rcc.isEnabled('AHB1', cfg.rccBit));
    bus.addMmio(cfg.name.toUpperCase(), cfg.base, 0x400, clockGated(d.regs, rcc, 'AHB1', cfg.rccBit, cfg.name.toUpperCase(), ctx.log));
    dmas.set(cfg.name, d);
    resets.set(`AHB1:${cfg.rccBit}`, d);
  }
  const requesters = new Map<string, DmaRequester>([...spis, ...usarts]);
  connectDmaRequests(dmas, requesters);
  rcc.onPeripheralReset((busName, bit) => resets.get(`${busName}:${bit}`)?.reset());

  const spiFlash = wireSpiFlash(ctx, rcc, spis, ports, pins, options);
  for (const [k, v] of [...spis, ...dmas]) devices.set(k, v);
  if (spiFlash) devices.set('spiflash', spiFlash);
  return {
    spis,
    dmas,
    spiFlash,
    devices,
    resettable: [...spis.values(), ...dmas.values()],
    stores: spiFlash ? [spiFlash.store] : [],
  };
}

const DEFAULT_AF: Readonly<Record<string, number>> = { spi1: 5, spi2: 5, spi3: 6, spi4: 5, spi5: 6 };

function wireSpiFlash(
  ctx: Stm32DeviceContext,
  rcc: Stm32Rcc,
  spis: ReadonlyMap<string, Spi>,
  ports: ReadonlyMap<string, GpioPort>,
  pins: ReadonlyMap<string, Pin>,
  options: Readonly<Record<string, unknown>>,
): W25q | null {
  let want = options.spiFlash;
  let footprint = options.spiFlashPins;
  if (typeof want === 'object' && want !== null) {
    // Older board files: the footprint itself in "spiFlash", with the fitted chip (or null) in "default".
    footprint ??= want;
    want = (want as Record<string, unknown>).default ?? null;
  }
  if (want === undefined || want === null || want === false || want === 'none') return null;
  if (typeof want !== 'string') throw new UserError('stm32f411: option "spiFlash" must be a chip name (w25q16, w25q32, w25q64, w25q128)');
  const chip = w25qChip(want);
  if (chip === undefined) throw new UserError(`stm32f411: unknown SPI flash "${want}" (known: ${Object.keys(W25Q_CHIPS).join(', ')})`);
  const raw = footprint as Record<string, unknown> | undefined;
  if (raw === undefined || raw === null || typeof raw !== 'object') throw new UserError('stm32f411: option "spiFlash" needs the board\'s "spiFlashPins" ({spi, cs, sck, miso, mosi})');
  const str = (k: string): string => {
    const v = raw[k];
    if (typeof v !== 'string') throw new UserError(`stm32f411: "spiFlashPins.${k}" must be a string`);
    return v;
  };
  const spiName = str('spi').toLowerCase();
  const spi = spis.get(spiName);
  if (spi === undefined) throw new UserError(`stm32f411: "spiFlashPins.spi" names no SPI: ${spiName}`);
  const pinOf = (k: string): Pin => {
    const name = str(k).toUpperCase();
    const p = pins.get(name);
    if (p === undefined) throw new UserError(`stm32f411: "spiFlashPins.${k}" names no pin: ${name}`);
    return p;
  };
  const af = typeof raw.af === 'number' ? raw.af : DEFAULT_AF[spiName]!;
  const signals = (['sck', 'miso', 'mosi'] as const).map((k) => {
    const name = str(k).toUpperCase();
    pinOf(k);
    return { port: ports.get(name[1]!)!, bit: Number(name.slice(2)), name };
  });
  const scale = options.spiFlashTimeScale;
  if (scale !== undefined && (typeof scale !== 'number' || !(scale >= 0))) throw new UserError('stm32f411: option "spiFlashTimeScale" must be a non-negative number');
  const flash = new W25q({
    chip,
    now: () => ctx.scheduler.now,
    cyclesFor: (s) => rcc.cyclesFor(s),
    log: ctx.log.child({ dev: 'spiflash' }),
    timeScale: scale ?? 1,
  });
  flash.powerOn();
  const cs = pinOf('cs');
  cs.pull('board:spi-flash-cs', 'up');
  let warned = false;
  const linked = () => {
    const ok = signals.every((s) => s.port.mode(s.bit) === GPIO_MODE.ALTERNATE && s.port.alternateFunction(s.bit) === af);
    if (!ok && !warned) {
      warned = true;
      const list = signals.map((s) => s.name).join('/');
      ctx.log.warn(`${spiName}: frame sent to the SPI flash while ${list} are not all in alternate function ${af}; the chip sees nothing`);
    }
    return ok;
  };
  spi.attach(flash, connectChipSelect(cs, flash), linked);
  // Bit-banged SPI (GPIO outputs, MicroPython's soft SPI) reaches the chip through the pins themselves.
  connectSpiPins({ cs, sck: pinOf('sck'), mosi: pinOf('mosi'), miso: pinOf('miso') }, flash, 'spiflash');
  return flash;
}
