/**
 * `emboard run` as a library function: build the board, load the firmware, wire the console and traces,
 * run, and report why it stopped. The CLI only parses flags and prints what this returns.
 */
import { join } from 'node:path';
import { disassemble } from '../cpu/armv7m/decoder.js';
import { UserError } from './errors.js';
import type { FirmwareImage, ImageFormat } from '../image/image.js';
import { applyBoardOverrides, atVirtualTime, formatMs, scheduleButtons, type BoardOverrides, type ButtonSchedule } from './board-overrides.js';
import { openFlashState, type FlashState } from './flash-state.js';
import { loadImageArgs, placeImages, type ImageArg } from './place-images.js';
import type { Pin } from './pins.js';
import { VcdWriter } from './vcd.js';
import type { Logger } from './logger.js';
import { Machine, type RunResult } from './machine.js';
import type { CortexM4 } from '../cpu/armv7m/cpu.js';
import { SerialSession, type ConsoleScript } from '../serial/session.js';
import { resolveSerialSpecs, type SerialSpec } from '../serial/spec.js';
import type { StdioStreams } from '../serial/stdio.js';

const EXCEPTION_NAMES: Record<number, string> = {
  1: 'Reset', 2: 'NMI', 3: 'HardFault', 4: 'MemManage', 5: 'BusFault', 6: 'UsageFault', 11: 'SVCall', 12: 'DebugMonitor', 14: 'PendSV', 15: 'SysTick',
};

export type TraceKind = 'in_asm' | 'mmio' | 'exc';
export const TRACE_KINDS: readonly TraceKind[] = ['in_asm', 'mmio', 'exc'];

export interface RunFirmwareOptions {
  board: string;
  /** Firmware file; omitted with `demo`. */
  file?: string;
  /** Several images (`FILE[@ADDR]`), placed together; used instead of `file`. */
  images?: readonly ImageArg[];
  /** `--flash FILE`: the board's persistent memories (src/core/flash-state.ts). */
  flashState?: string;
  /** Host milliseconds between a flash change and its save to the state file (default 200). */
  flashSaveDelayMs?: number;
  /** `--boot0`, `--hse`, `--spi-flash`. */
  boardOverrides?: BoardOverrides;
  /** `--button NAME=pressed@T,released@T` schedules. */
  buttons?: readonly ButtonSchedule[];
  /** `--vcd FILE`: every GPIO pin change with its virtual time. */
  vcd?: string;
  /** `--reset-after MS`: a reset-pin (NRST) system reset at this virtual time. */
  resetAfterMs?: number;
  /** Run the board's built-in demo firmware. */
  demo?: boolean;
  format?: ImageFormat;
  base?: number;
  /** Virtual-time limit in milliseconds. */
  timeoutMs?: number;
  maxInstructions?: number;
  realtime?: boolean;
  trace?: readonly TraceKind[];
  log: Logger;
  /** ARM semihosting (BKPT 0xAB); implied by `demo`, which exits through SYS_EXIT. */
  semihosting?: boolean;
  /** Folder the guest's semihosting file operations are confined to (none: file operations refused). */
  semihostingRoot?: string;
  /** SYS_GET_CMDLINE answer. */
  semihostingCmdline?: string;
  /** Semihosting stderr (stream 2) output; defaults to `output`. */
  errorOutput?: (bytes: Uint8Array) => void;
  /** Semihosting console input (SYS_READC/SYS_READ on :tt). */
  semihostingRead?: (max: number) => Uint8Array | null;
  /** Guest console output. */
  output: (bytes: Uint8Array) => void;
  /** Bytes for the console UART's receive side (e.g. stdin), pushed by the caller through `machine.console.inject`. */
  onMachine?: (m: Machine) => void;
  /** Wait for host input when the guest sleeps with nothing scheduled (interactive use). */
  idleWait?: () => Promise<void>;
  /**
   * Host services on the running machine (`--usb-serve`), started after the reset, before the run, with
   * the `--flash` state. Their `idleWait` is asked first when the guest sleeps with nothing scheduled
   * (null: nothing to wait for, the usual rule applies); `close` runs when the run ends, before the
   * state's last save.
   */
  attach?: (machine: Machine, state: FlashState | null) => Promise<RunAttachment>;
  /**
   * Serial backends (`--serial`), scripting and stdio. When given, the console UART goes to its backend
   * (stdio by default) instead of `output`, and the session's idle wait replaces `idleWait`.
   */
  serial?: {
    specs: readonly SerialSpec[];
    stdio: StdioStreams;
    notice: (line: string) => void;
    script?: ConsoleScript;
    exitOnEof?: boolean;
    baud?: number;
    instant?: boolean;
  };
}

export interface RunAttachment {
  idleWait?(): Promise<void> | null;
  close(): Promise<void>;
}

export interface RunFirmwareOutcome {
  machine: Machine;
  result: RunResult;
  /** The serial session when `serial` was given: why it ended the run, the console's last output. */
  session?: SerialSession;
}

export async function runFirmware(o: RunFirmwareOptions): Promise<RunFirmwareOutcome> {
  const machine = new Machine({
    board: o.boardOverrides ? applyBoardOverrides(o.board, o.boardOverrides) : o.board,
    log: o.log,
    semihosting:
      o.semihosting || o.demo
        ? {
            write: (stream, bytes) => (stream === 2 && o.errorOutput ? o.errorOutput(bytes) : o.output(bytes)),
            read: o.semihostingRead,
            root: o.semihostingRoot,
            cmdline: o.semihostingCmdline,
          }
        : undefined,
  });
  // Nothing below writes the state file until every argument has been checked and placed.
  const state: FlashState | null = o.flashState !== undefined ? openFlashState(o.flashState, machine.soc, { log: o.log, debounceMs: o.flashSaveDelayMs }) : null;
  let args: readonly ImageArg[] = o.images ?? (o.file !== undefined ? [{ path: o.file }] : []);
  if (o.demo) {
    if (!machine.board.demo) throw new UserError(`board ${machine.board.name} has no built-in demo firmware`);
    args = [{ path: join(machine.board.dir, machine.board.demo) }];
  }
  // Booting the system-memory bootloader needs no application (blank flash is what it expects).
  if (args.length === 0 && !o.boardOverrides?.boot0 && (state === null || state.created)) {
    throw new UserError(state ? `no firmware file given and ${state.path} does not exist yet` : 'no firmware file given (or use --demo)');
  }
  const images = loadImageArgs(machine, args, { format: o.format, base: o.base });
  const placed = placeImages(machine, images);
  const image: FirmwareImage | undefined = images.find((i) => i.symbols) ?? images[0];
  if (o.buttons?.length) scheduleButtons(machine, o.buttons); // checks the names before any write
  const pins = o.vcd !== undefined || o.log.isLevelEnabled('info') ? boardPins(machine) : [];
  if (o.vcd !== undefined && pins.length === 0) throw new UserError(`--vcd: board ${machine.board.name} has no GPIO pins to record`);
  const vcd = o.vcd !== undefined ? new VcdWriter(o.vcd, { top: machine.board.name, groups: pinGroups(pins), aliases: pinAliases(machine), seconds: () => machine.seconds }) : null;
  if (state) {
    if (images.length > 0 || state.missing.length > 0) {
      state.markAllDirty();
      for (const [name, sectors] of placed.erased) if (sectors.length) o.log.info(`${state.path}: ${name} sectors ${sectors.join(', ')} erased and programmed from the image`);
    }
    state.flush();
    state.watch();
  }
  if (o.log.isLevelEnabled('info')) {
    const pl = o.log.child({ pins: true });
    for (const p of pins) p.onChange((level) => pl.info(`${p.name} ${level ? 1 : 0} at ${formatMs(machine.seconds)}`));
  }
  machine.reset();
  if (o.resetAfterMs !== undefined) {
    atVirtualTime(machine, o.resetAfterMs / 1000, 'reset-after', () => {
      o.log.info(`reset (NRST) at ${formatMs(machine.seconds)}`);
      machine.reset('pin');
    });
  }

  // Console: batch bytes and hand them over once per slice (writing per byte would dominate run time).
  let pending: number[] = [];
  const flush = () => {
    if (pending.length) {
      o.output(Uint8Array.from(pending));
      pending = [];
    }
  };
  let session: SerialSession | undefined;
  if (o.serial) {
    const backends = resolveSerialSpecs(o.serial.specs, machine.board.console, machine.uartLabels);
    session = new SerialSession({ machine, backends, ...o.serial });
  } else {
    machine.console.onTransmit((b) => {
      pending.push(b);
      if (pending.length >= 4096) flush();
    });
  }
  const flushTimer = setInterval(flush, 20);

  if (o.trace?.length) installTraces(machine, o.trace, o.log, image?.symbols);
  o.onMachine?.(machine);
  let attachment: RunAttachment | null = null;
  try {
    await session?.open();
    // Stopped while a backend was still waiting (Ctrl-A k or SIGINT before a TCP client came): no run.
    if (session?.stopRequested) return { machine, result: { reason: 'user', exitCode: 0, cycles: machine.cpu.cycles, instructions: machine.cpu.instructions }, session };
    attachment = o.attach ? await o.attach(machine, state) : null;
    const baseIdle = session?.idleWait ?? o.idleWait;
    const attached = attachment;
    const idleWait = attached?.idleWait
      ? () => {
          const w = attached.idleWait?.() ?? null;
          if (w !== null) return w;
          if (baseIdle) return baseIdle();
          machine.stop('halt'); // nothing else to wait for: the run ends as without the attachment
          return Promise.resolve();
        }
      : baseIdle;
    const result = await machine.runAsync({
      timeoutSeconds: o.timeoutMs !== undefined ? o.timeoutMs / 1000 : undefined,
      maxInstructions: o.maxInstructions,
      realtime: o.realtime,
      idleWait,
    });
    return { machine, result, session };
  } finally {
    clearInterval(flushTimer);
    flush();
    vcd?.close();
    await attachment?.close();
    await session?.close();
    state?.close();
  }
}

/** Every GPIO pin of the board (the SoC's `pins` device), in port order. */
function boardPins(m: Machine): Pin[] {
  const pins = m.soc.devices.get('pins') as ReadonlyMap<string, Pin> | undefined;
  return pins ? [...pins.values()] : [];
}

/** Pins grouped by port for the VCD scopes: PA0..PA15 → GPIOA. */
function pinGroups(pins: readonly Pin[]): { scope: string; pins: Pin[] }[] {
  const groups = new Map<string, Pin[]>();
  for (const p of pins) {
    const port = /^P([A-Z])\d+$/.exec(p.name)?.[1];
    const scope = port ? `GPIO${port}` : 'pins';
    let g = groups.get(scope);
    if (g === undefined) groups.set(scope, (g = []));
    g.push(p);
  }
  return [...groups].map(([scope, list]) => ({ scope, pins: list }));
}

/** The board's LEDs and buttons as extra VCD names for their pins. */
function pinAliases(m: Machine): { scope: string; name: string; pin: Pin }[] {
  const leds = (m.soc.devices.get('leds') as { name: string; pin: Pin }[] | undefined) ?? [];
  const buttons = (m.soc.devices.get('buttons') as { name: string; pin: Pin }[] | undefined) ?? [];
  return [...leds.map((l) => ({ scope: 'leds', name: l.name, pin: l.pin })), ...buttons.map((b) => ({ scope: 'buttons', name: b.name, pin: b.pin }))];
}

function installTraces(m: Machine, kinds: readonly TraceKind[], log: Logger, symbols?: ReadonlyMap<number, string>): void {
  if (kinds.includes('in_asm')) {
    const tl = log.child({ trace: 'in_asm' }, { level: 'info' });
    m.cpu.tracer = (cpu: CortexM4) => {
      const d = cpu.decodedAt(cpu.pc);
      const sym = symbols?.get(cpu.pc);
      const raw = d.size === 4 ? `${(d.raw >>> 16).toString(16).padStart(4, '0')} ${(d.raw & 0xffff).toString(16).padStart(4, '0')}` : d.raw.toString(16).padStart(4, '0').padEnd(9);
      tl.info(`${sym ? `<${sym}>\n` : ''}0x${cpu.pc.toString(16).padStart(8, '0')}:  ${raw}  ${disassemble(d.raw, d.size as 2 | 4, cpu.pc)}`);
    };
  }
  if (kinds.includes('exc')) {
    const el = log.child({ trace: 'exc' }, { level: 'info' });
    const name = (n: number) => EXCEPTION_NAMES[n] ?? `IRQ ${n - 16}`;
    m.cpu.exc.trace = (event, n, value) => {
      const at = `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
      if (event === 'entry') el.info(`exception entry: ${name(n)} (${n}), return address ${at}, cycle ${m.cpu.cycles}`);
      else if (event === 'tail-chain') el.info(`tail-chain into ${name(n)} (${n}), cycle ${m.cpu.cycles}`);
      else if (event === 'return') el.info(`exception return from ${name(n)} (${n}) with EXC_RETURN ${at}, cycle ${m.cpu.cycles}`);
      else el.info(`lockup: ${name(n)} at pc ${at}, cycle ${m.cpu.cycles}`);
    };
  }
  if (kinds.includes('mmio')) {
    const ml = log.child({ trace: 'mmio' }, { level: 'info' });
    m.bus.mmioTrace = (region, offset, size, write, value) => {
      ml.info(`${write ? 'write' : 'read '} ${region.name}+0x${offset.toString(16)} (${size * 8}-bit) ${write ? '<-' : '->'} 0x${(value >>> 0).toString(16)}`);
    };
  }
}
