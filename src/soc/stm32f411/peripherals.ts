/**
 * Wiring of the F411's GPIO/EXTI/SYSCFG device classes into the SoC: their device context (scheduler,
 * logger, shared IRQ inputs, live clocks), the pins of every port, the board's LEDs and buttons, and the
 * RCC peripheral-reset lines. The device classes themselves live in gpio.ts, exti.ts, syscfg.ts, usart.ts, tim.ts.
 */
import type { Bus, MmioHandler } from '../../core/bus.js';
import type { InterruptController } from '../../core/irq.js';
import type { Logger } from '../../core/logger.js';
import { Button, createPins, Led, type Pin } from '../../core/pins.js';
import type { Scheduler } from '../../core/scheduler.js';
import { UserError } from '../../core/errors.js';
import type { IrqOutput, Stm32DeviceContext } from './device-context.js';
import { Exti, EXTI_BASE } from './exti.js';
import { GpioPort, STM32F411_GPIO_PORTS } from './gpio.js';
import type { RccBusName, Stm32Rcc } from './rcc.js';
import { Syscfg, SYSCFG_BASE } from './syscfg.js';
import { STM32F411_USARTS, Usart } from './usart.js';
import { connectTimerPins, STM32F411_TIMERS, Timer } from './tim.js';
import type { UartPort } from '../../core/uart-port.js';

/**
 * NVIC inputs shared by several devices (TIM1_UP/TIM10 on 25 …): each `input()` is one device's level,
 * the line is high while any input is.
 */
class SharedIrqLine {
  private readonly high = new Set<number>();
  private count = 0;
  constructor(
    private readonly controller: InterruptController,
    private readonly irq: number,
  ) {}
  input(): IrqOutput {
    const id = this.count++;
    return {
      set: (level: boolean) => {
        const was = this.high.size > 0;
        if (level) this.high.add(id);
        else this.high.delete(id);
        const now = this.high.size > 0;
        if (now !== was) this.controller.setIrqLevel(this.irq, now);
      },
    };
  }
}

/**
 * A peripheral behind its RCC clock enable: while the xxxENR bit is 0 the registers read 0 and ignore
 * writes, as on the chip (the peripheral's state is kept). The first such access is logged at warn level,
 * since it is nearly always a missing clock enable in the firmware.
 */
export function clockGated(h: MmioHandler, rcc: Stm32Rcc, busName: RccBusName, bit: number, name: string, log: Logger): MmioHandler {
  let warned = false;
  const warn = () => {
    if (warned) return;
    warned = true;
    log.warn(`${name} accessed with its clock disabled (RCC_${busName}ENR bit ${bit}): reads 0, writes ignored`);
  };
  return {
    read(offset, size) {
      if (rcc.isEnabled(busName, bit)) return h.read(offset, size);
      warn();
      return 0;
    },
    write(offset, size, value) {
      if (rcc.isEnabled(busName, bit)) h.write(offset, size, value);
      else warn();
    },
  };
}

export function makeDeviceContext(scheduler: Scheduler, log: Logger, controller: InterruptController, rcc: Stm32Rcc): Stm32DeviceContext {
  const lines = new Map<number, SharedIrqLine>();
  return {
    scheduler,
    log,
    clocks: rcc.clocks,
    irq(n: number): IrqOutput {
      let l = lines.get(n);
      if (l === undefined) lines.set(n, (l = new SharedIrqLine(controller, n)));
      return l.input();
    },
  };
}

interface BoardPart {
  name: string;
  pin: string;
  activeLow: boolean;
  pull?: 'up' | 'down';
}

function parts(raw: unknown, what: string): BoardPart[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new UserError(`stm32f411: option "${what}" must be a list`);
  return raw.map((p: unknown) => {
    const o = p as Record<string, unknown>;
    if (typeof o.name !== 'string' || typeof o.pin !== 'string') throw new UserError(`stm32f411: every entry of "${what}" needs "name" and "pin"`);
    const pull = o.externalPull === 'up' || o.externalPull === 'down' ? o.externalPull : undefined;
    return { name: o.name, pin: o.pin.toUpperCase(), activeLow: o.activeLow === true, pull };
  });
}

/** AHB1ENR/AHB1RSTR bit of each GPIO port. */
const GPIO_ENABLE_BIT: Readonly<Record<string, number>> = { A: 0, B: 1, C: 2, D: 3, E: 4, H: 7 };

export interface GpioWiring {
  readonly ports: Map<string, GpioPort>;
  readonly pins: Map<string, Pin>;
  readonly exti: Exti;
  readonly syscfg: Syscfg;
  readonly leds: Led[];
  readonly buttons: Button[];
  readonly resettable: { reset(): void }[];
}

/** Maps GPIOA–E/H, EXTI and SYSCFG; creates the board's LEDs (logged at info) and buttons. */
export function wireGpio(
  bus: Bus,
  ctx: Stm32DeviceContext,
  rcc: Stm32Rcc,
  options: Readonly<Record<string, unknown>>,
  bootMode: number,
  onRemap: (mode: number) => void,
): GpioWiring {
  const now = () => ctx.scheduler.now;
  const ports = new Map<string, GpioPort>();
  const pins = new Map<string, Pin>();
  const byCode: (Pin[] | undefined)[] = [];
  for (const { port, base, code } of STM32F411_GPIO_PORTS) {
    const portPins = createPins(`P${port}`, 16, now);
    portPins.forEach((p) => pins.set(p.name, p));
    byCode[code] = portPins;
    const g = new GpioPort(port, portPins, ctx.log);
    ports.set(port, g);
    bus.addMmio(`GPIO${port}`, base, 0x400, clockGated(g.regs, rcc, 'AHB1', GPIO_ENABLE_BIT[port]!, `GPIO${port}`, ctx.log));
  }
  const exti = new Exti(ctx);
  bus.addMmio('EXTI', EXTI_BASE, 0x400, exti.regs);
  const syscfg = new Syscfg(exti, byCode, bootMode, ctx.log);
  syscfg.onRemap = onRemap;
  bus.addMmio('SYSCFG', SYSCFG_BASE, 0x400, clockGated(syscfg.regs, rcc, 'APB2', 14, 'SYSCFG', ctx.log));

  const pinOf = (name: string, what: string): Pin => {
    const p = pins.get(name);
    if (p === undefined) throw new UserError(`stm32f411: ${what} on unknown pin ${name}`);
    return p;
  };
  const leds = parts(options.leds, 'leds').map((l) => {
    const led = new Led(pinOf(l.pin, `LED ${l.name}`), l.name, l.activeLow);
    led.onToggle((on, t) => ctx.log.info({ led: l.name, pin: l.pin, cycles: t }, `LED ${l.name} ${on ? 'on' : 'off'}`));
    return led;
  });
  const buttons = parts(options.buttons, 'buttons').map((b) => {
    const pin = pinOf(b.pin, `button ${b.name}`);
    if (b.pull) pin.pull(`board:${b.name}`, b.pull);
    return new Button(pin, b.name, b.activeLow);
  });

  // RCC xxxRSTR bits → device reset.
  const resets = new Map<string, { reset(): void }>();
  for (const [port, g] of ports) resets.set(`AHB1:${GPIO_ENABLE_BIT[port]}`, g);
  resets.set('APB2:14', syscfg);
  rcc.onPeripheralReset((busName: RccBusName, bit: number) => resets.get(`${busName}:${bit}`)?.reset());

  return { ports, pins, exti, syscfg, leds, buttons, resettable: [...ports.values(), exti, syscfg] };
}

/** RCC reset/enable bit of each USART: USART1 APB2 bit 4, USART2 APB1 bit 17, USART6 APB2 bit 5. */
const USART_RESET: Readonly<Record<string, string>> = { usart1: 'APB2:4', usart2: 'APB1:17', usart6: 'APB2:5' };

/** Maps USART1/2/6; each talks to the host port of its own name (`usart2` is the NUCLEO console). */
export function wireUsarts(bus: Bus, ctx: Stm32DeviceContext, rcc: Stm32Rcc, uart: (label: string) => UartPort): Map<string, Usart> {
  const out = new Map<string, Usart>();
  for (const cfg of STM32F411_USARTS) {
    const u = new Usart(ctx, cfg, uart(cfg.name));
    const [busName, bit] = USART_RESET[cfg.name]!.split(':') as [RccBusName, string];
    bus.addMmio(cfg.name.toUpperCase(), cfg.base, 0x400, clockGated(u.regs, rcc, busName, Number(bit), cfg.name.toUpperCase(), ctx.log));
    out.set(cfg.name, u);
  }
  rcc.onPeripheralReset((busName, bit) => {
    for (const [name, u] of out) if (USART_RESET[name] === `${busName}:${bit}`) u.reset();
  });
  return out;
}

/** RCC reset/enable bit of each timer: TIM2-5 APB1 bits 0-3, TIM1 APB2 bit 0, TIM9-11 APB2 bits 16-18. */
const TIMER_RESET: Readonly<Record<string, string>> = {
  tim1: 'APB2:0',
  tim2: 'APB1:0',
  tim3: 'APB1:1',
  tim4: 'APB1:2',
  tim5: 'APB1:3',
  tim9: 'APB2:16',
  tim10: 'APB2:17',
  tim11: 'APB2:18',
};

/**
 * Maps TIM1-5 and TIM9-11 (each timer is its own MMIO handler: it brings its counter up to date first) and
 * routes their channels to the alternate-function pins of `ports`.
 */
export function wireTimers(bus: Bus, ctx: Stm32DeviceContext, rcc: Stm32Rcc, ports: ReadonlyMap<string, GpioPort>): Map<string, Timer> {
  const byLetter = Object.fromEntries(ports);
  const out = new Map<string, Timer>();
  for (const cfg of STM32F411_TIMERS) {
    const t = new Timer(ctx, cfg);
    const [busName, bit] = TIMER_RESET[cfg.name]!.split(':') as [RccBusName, string];
    bus.addMmio(cfg.name.toUpperCase(), cfg.base, 0x400, clockGated(t, rcc, busName, Number(bit), cfg.name.toUpperCase(), ctx.log));
    connectTimerPins(t, byLetter);
    out.set(cfg.name, t);
  }
  rcc.onPeripheralReset((busName, bit) => {
    for (const [name, t] of out) if (TIMER_RESET[name] === `${busName}:${bit}`) t.reset();
  });
  return out;
}
