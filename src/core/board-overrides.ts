/**
 * Board-level settings from the command line: option overrides (`--boot0`, `--hse`, `--spi-flash`),
 * scheduled button presses (`--button KEY=pressed@100ms,released@300ms`) and actions at a virtual time.
 */
import { loadBoard, type BoardSpec } from '../boards/board.js';
import { UserError } from './errors.js';
import type { Machine } from './machine.js';
import type { Button } from './pins.js';

export const SPI_FLASH_CHIPS = ['w25q16', 'w25q32', 'w25q64', 'w25q128'] as const;
export type SpiFlashChip = (typeof SPI_FLASH_CHIPS)[number];

export interface BoardOverrides {
  /** Boot from system memory (BOOT0 high). */
  boot0?: boolean;
  /** HSE crystal/oscillator frequency in Hz (0: none fitted). */
  hseHz?: number;
  /** W25Q chip fitted on the board's SPI flash footprint. */
  spiFlash?: SpiFlashChip;
  /** false (`--no-watchdog`): IWDG/WWDG expiries are logged instead of resetting the board. */
  watchdog?: boolean;
}

/** SoCs that understand each override (board option name). */
const SUPPORTED: Readonly<Record<keyof BoardOverrides, readonly string[]>> = {
  boot0: ['stm32f411'],
  hseHz: ['stm32f411'],
  spiFlash: ['stm32f411'],
  watchdog: ['stm32f411'],
};
const FLAG: Readonly<Record<keyof BoardOverrides, string>> = { boot0: '--boot0', hseHz: '--hse', spiFlash: '--spi-flash', watchdog: '--no-watchdog' };

/** The board spec with the overrides merged into its options; UserError for a board that has no such option. */
export function applyBoardOverrides(board: string | BoardSpec, o: BoardOverrides): BoardSpec {
  const spec = typeof board === 'string' ? loadBoard(board) : board;
  const options: Record<string, unknown> = { ...spec.options };
  for (const k of Object.keys(o) as (keyof BoardOverrides)[]) {
    const v = o[k];
    if (v === undefined || (v === false && k !== 'watchdog')) continue;
    if (!SUPPORTED[k].includes(spec.soc)) throw new UserError(`${FLAG[k]}: board ${spec.name} (${spec.soc}) has no such option`);
    if (k === 'hseHz' && (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 50e6)) {
      throw new UserError(`--hse: ${String(v)} Hz is not an HSE frequency (0 for none, up to 50 MHz with bypass)`);
    }
    if (k === 'spiFlash') {
      // Older board files describe the footprint in "spiFlash" itself; the SoC reads it from "spiFlashPins".
      if (options.spiFlashPins === undefined && typeof options.spiFlash === 'object' && options.spiFlash !== null) options.spiFlashPins = options.spiFlash;
      if (options.spiFlashPins === undefined) throw new UserError(`--spi-flash: board ${spec.name} has no SPI flash footprint (see emboard boards ${spec.name})`);
    }
    if (k === 'boot0') {
      options.boot0 = true;
      delete options.boot;
    } else options[k] = v;
  }
  return { ...spec, options };
}

/** `100ms`, `2.5s`, `250us`, `1000ns`, or a bare number of milliseconds → seconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|us|µs|ns)?$/.exec(text.trim());
  if (m === null) throw new UserError(`${flag}: bad time '${text}' (write e.g. 100ms, 1.5s, 250us)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return n * (unit === 's' ? 1 : unit === 'ms' ? 1e-3 : unit === 'ns' ? 1e-9 : 1e-6);
}

export interface ButtonAction {
  readonly pressed: boolean;
  /** Virtual time from power-on, in seconds. */
  readonly seconds: number;
}

export interface ButtonSchedule {
  readonly name: string;
  readonly actions: readonly ButtonAction[];
}

/** `KEY=pressed@100ms,released@300ms` (also press/release, down/up). */
export function parseButtonSpec(spec: string): ButtonSchedule {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UserError(`--button: expected NAME=pressed@TIME[,released@TIME], got '${spec}'`);
  const name = spec.slice(0, eq);
  const actions = spec
    .slice(eq + 1)
    .split(',')
    .map((part) => {
      const m = /^(pressed|press|down|released|release|up)@(.+)$/.exec(part.trim());
      if (m === null) throw new UserError(`--button ${name}: expected pressed@TIME or released@TIME, got '${part}'`);
      return { pressed: m[1] === 'pressed' || m[1] === 'press' || m[1] === 'down', seconds: parseDuration(m[2]!, `--button ${name}`) };
    });
  for (let i = 1; i < actions.length; i++) {
    if (actions[i]!.seconds < actions[i - 1]!.seconds) throw new UserError(`--button ${name}: times must not go backwards ('${spec}')`);
  }
  return { name, actions };
}

/**
 * Runs `fn` when the machine's virtual time reaches `seconds` (from power-on). Scheduler cycles follow
 * the core clock, which may change meanwhile (STM32 PLL switch), so the event re-checks the time when it
 * fires and re-arms itself for the rest.
 */
export function atVirtualTime(machine: Machine, seconds: number, name: string, fn: () => void): void {
  const s = machine.scheduler;
  const arm = () => {
    const rest = seconds - machine.seconds;
    const cycles = Math.ceil(rest * machine.hz - 1e-6);
    if (cycles <= 0) return false;
    s.schedule(ev, cycles);
    return true;
  };
  const ev = s.event(name, () => {
    if (!arm()) fn();
  });
  if (!arm()) fn();
}

/** Schedules every button action on the board's named buttons; UserError for an unknown name. */
export function scheduleButtons(machine: Machine, schedules: readonly ButtonSchedule[]): void {
  const buttons = (machine.soc.devices.get('buttons') as Button[] | undefined) ?? [];
  for (const sch of schedules) {
    const b = buttons.find((x) => x.name.toLowerCase() === sch.name.toLowerCase());
    if (b === undefined) {
      throw new UserError(`--button: board ${machine.board.name} has no button '${sch.name}' (buttons: ${buttons.map((x) => x.name).join(', ') || 'none'})`);
    }
    for (const a of sch.actions) {
      atVirtualTime(machine, a.seconds, `button-${b.name}`, () => {
        b.set(a.pressed);
        machine.log.info({ button: b.name, ms: machine.seconds * 1000 }, `button ${b.name} ${a.pressed ? 'pressed' : 'released'} at ${formatMs(machine.seconds)}`);
      });
    }
  }
}

export function formatMs(seconds: number): string {
  return `${(seconds * 1000).toFixed(3)} ms`;
}
