/**
 * `emboard run` as a library function: build the board, load the firmware, wire the console and traces,
 * run, and report why it stopped. The CLI only parses flags and prints what this returns.
 */
import { join } from 'node:path';
import { disassemble } from '../cpu/armv7m/decoder.js';
import { UserError } from './errors.js';
import { loadImageFile } from '../image/load.js';
import type { ImageFormat } from '../image/image.js';
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

export interface RunFirmwareOutcome {
  machine: Machine;
  result: RunResult;
  /** The serial session when `serial` was given: why it ended the run, the console's last output. */
  session?: SerialSession;
}

export async function runFirmware(o: RunFirmwareOptions): Promise<RunFirmwareOutcome> {
  const machine = new Machine({
    board: o.board,
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
  let path = o.file;
  if (o.demo) {
    if (!machine.board.demo) throw new UserError(`board ${machine.board.name} has no built-in demo firmware`);
    path = join(machine.board.dir, machine.board.demo);
  }
  if (path === undefined) throw new UserError('no firmware file given (or use --demo)');
  const image = loadImageFile(path, { format: o.format, base: o.base ?? machine.board.flashBase ?? 0 });
  machine.loadImage(image);
  machine.reset();

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

  if (o.trace?.length) installTraces(machine, o.trace, o.log, image.symbols);
  o.onMachine?.(machine);
  try {
    await session?.open();
    // Stopped while a backend was still waiting (Ctrl-A k or SIGINT before a TCP client came): no run.
    if (session?.stopRequested) return { machine, result: { reason: 'user', exitCode: 0, cycles: machine.cpu.cycles, instructions: machine.cpu.instructions }, session };
    const result = await machine.runAsync({
      timeoutSeconds: o.timeoutMs !== undefined ? o.timeoutMs / 1000 : undefined,
      maxInstructions: o.maxInstructions,
      realtime: o.realtime,
      idleWait: session?.idleWait ?? o.idleWait,
    });
    return { machine, result, session };
  } finally {
    clearInterval(flushTimer);
    flush();
    await session?.close();
  }
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
