/** `emboard run`: boot a firmware image on a board (library: src/core/run-firmware.ts). */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { EmulationError, UserError } from '../../core/errors.js';
import { createLogger, LOG_LEVELS, type LogFormat, type LogLevel } from '../../core/logger.js';
import { runFirmware, TRACE_KINDS, type TraceKind } from '../../core/run-firmware.js';
import { parseButtonSpec, SPI_FLASH_CHIPS, type SpiFlashChip } from '../../core/board-overrides.js';
import { parseImageArg } from '../../core/place-images.js';
import { formatRegisters } from '../../cpu/armv7m/dump.js';
import { parseAddress, parseNumber } from './parse.js';
import { parseSerialSpec } from '../../serial/spec.js';
import { inputArg, unescapeArg } from '../../serial/text-arg.js';
import { MachineDfu, shimExportLine } from '../../usb/serve/machine-dfu.js';
import { defaultSocketPath } from '../../usb/serve/server.js';
import type { Machine } from '../../core/machine.js';
import type { FlashState } from '../../core/flash-state.js';
import type { Logger } from '../../core/logger.js';
import { resolve } from 'node:path';

const EXIT_TIMEOUT = 124;

function parseTrace(v: string, prev: TraceKind[] = []): TraceKind[] {
  for (const k of v.split(',')) {
    if (!TRACE_KINDS.includes(k as TraceKind)) throw new InvalidArgumentError(`unknown trace '${k}' (known: ${TRACE_KINDS.join(', ')})`);
    prev.push(k as TraceKind);
  }
  return prev;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** `8000000`, `8MHz`, `25M`, `32.768kHz` → Hz. */
function parseHz(v: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(hz|khz|k|mhz|m)?$/i.exec(v.trim());
  if (m === null) throw new InvalidArgumentError(`--hse expects a frequency such as 8000000 or 25MHz, got '${v}'`);
  const unit = (m[2] ?? '').toLowerCase();
  return Math.round(Number(m[1]) * (unit.startsWith('m') ? 1e6 : unit.startsWith('k') ? 1e3 : 1));
}


/** Last console lines, for the stderr report of a timeout or an unmet script. */
function reportTail(tail: string): void {
  if (tail) process.stderr.write(`emboard: last console output:\n${tail}\n`);
}

/** `--usb-serve [SOCKET]`: the bootloader's DFU device on the socket; notices on stderr (stdout is the console). */
async function serveBootloader(m: Machine, state: FlashState | null, socket: unknown, log: Logger): Promise<MachineDfu> {
  const eol = process.stdin.isTTY ? '\r\n' : '\n';
  const notice = (line: string) => void process.stderr.write(`${line}${eol}`);
  const socketPath = resolve(typeof socket === 'string' ? socket : defaultSocketPath());
  const dfu = await MachineDfu.start({ machine: m, state, socketPath, log, notice });
  notice(`emboard run: STM32 DFU bootloader [0483:df11] of ${m.board.name} on ${socketPath}${state ? ` (flash state ${state.path})` : ''}; DFU leave starts the application`);
  notice(shimExportLine(socketPath));
  return dfu;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('boot a firmware image (ELF, raw binary, Intel HEX or DfuSe) on a board; the console UART is stdin/stdout')
    .argument('[files...]', 'firmware files (format detected; see --format); raw binaries as FILE@ADDR, e.g. fw0.bin@0x08000000 fw1.bin@0x08020000')
    .requiredOption('-b, --board <name>', 'board to emulate (see `emboard boards`)')
    .option('--demo', "run the board's built-in demo firmware instead of a file")
    .addOption(new Option('--format <fmt>', 'firmware format instead of detection').choices(['elf', 'ihex', 'bin', 'dfu']))
    .option('--base <addr>', 'load address of a raw binary (default: the board flash base)', parseAddress)
    .option('--flash <file>', "keep the board's flash in FILE between runs (raw image; SPI flash in FILE.spi); created from the image on first use")
    .option('--boot0', 'boot from system memory (BOOT0 high) instead of flash')
    .option('--usb-serve [socket]', "with --boot0: serve the bootloader's USB DFU device on a Unix socket for real dfu-util (as `emboard usb-serve`); DFU leave starts the application in this run")
    .option('--hse <hz>', 'HSE crystal frequency (e.g. 8000000 or 25MHz; 0 = none)', parseHz)
    .addOption(new Option('--spi-flash <chip>', 'fit a W25Q SPI NOR flash on the board footprint').choices(SPI_FLASH_CHIPS))
    .option('--button <spec>', 'press/release a board button in virtual time: NAME=pressed@100ms[,released@300ms] (repeatable)', collect)
    .option('--vcd <file>', 'write every GPIO pin change with its virtual time as a VCD file (GTKWave)')
    .option('--no-watchdog', 'IWDG/WWDG expiries are logged instead of resetting the board (registers still work)')
    .option('--reset-after <ms>', 'reset the board (NRST pin) after this much virtual time', parseNumber('--reset-after'))
    .option('--semihosting', 'enable ARM semihosting (guest console I/O, exit code, clock); file access needs --semihosting-root')
    .option('--semihosting-root <dir>', 'folder the guest may open/create files in through semihosting (nothing outside it)')
    .option('--semihosting-cmdline <text>', 'command line the guest gets from SYS_GET_CMDLINE')
    .option('--timeout <ms>', 'stop after this much virtual time (exit 124)', parseNumber('--timeout'))
    .option('--max-instructions <n>', 'stop after this many instructions (exit 124)', parseNumber('--max-instructions'))
    .option('--realtime', 'pace virtual time to the wall clock')
    .option('--serial <label=backend>', 'UART backend, repeatable: stdio (default for the console), pty, pty:PATH, tcp:[HOST:]PORT[,wait], file:PATH, none; LABEL= defaults to the console', collect)
    .option('--input <text>', 'type TEXT (C escapes: \\r \\n \\xHH) or @FILE into the console at the line rate', )
    .option('--until <text>', 'stop with exit 0 as soon as the console output contains TEXT')
    .option('--expect <text>', 'wait for TEXT on the console (repeatable; pairs with --send in order)', collect)
    .option('--send <text>', 'type TEXT after the matching --expect', collect)
    .option('--exit-on-eof', 'stop when stdin (a pipe or file) ends, once the guest has read it')
    .option('--baud <rate>', 'line rate for typed input in virtual time (default 115200)', parseNumber('--baud'))
    .option('--uart-instant', 'hand host input to the UART at once instead of at the line rate')
    .option('--trace <kinds>', `trace to stderr: ${TRACE_KINDS.join(', ')} (comma-separated, repeatable)`, parseTrace)
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('warn'))
    .addOption(new Option('--log-format <fmt>', 'log line format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--engine <kind>', 'CPU engine: interp (reference interpreter) or jit (block translator)').choices(['interp', 'jit']).default('interp'))
    .action(async (files: string[], opts: Record<string, unknown>) => {
      const log = createLogger(opts.logLevel as LogLevel, opts.logFormat as LogFormat);
      if (files.length === 0 && !opts.demo && opts.flash === undefined && !opts.boot0) throw new UserError('run: no firmware file given (or use --demo, or --flash with an existing state file)');
      if (files.length > 0 && opts.demo) throw new UserError('run: --demo runs the built-in firmware; give no firmware file with it');
      const images = files.map(parseImageArg);
      const buttons = ((opts.button as string[] | undefined) ?? []).map(parseButtonSpec);
      const expect = ((opts.expect as string[] | undefined) ?? []).map((t) => unescapeArg(t, '--expect'));
      const send = ((opts.send as string[] | undefined) ?? []).map((t) => unescapeArg(t, '--send'));
      if (send.length > expect.length) throw new UserError(`--send: ${send.length} --send for ${expect.length} --expect (each --send follows an --expect)`);
      const baud = opts.baud as number | undefined;
      if (opts.usbServe !== undefined && !opts.boot0) throw new UserError('--usb-serve serves the system bootloader: give --boot0 with it');
      if (baud !== undefined && !(baud > 0)) throw new UserError('--baud expects a positive number');
      const { machine, result, session } = await runFirmware({
        board: opts.board as string,
        images,
        demo: Boolean(opts.demo),
        flashState: opts.flash as string | undefined,
        boardOverrides: {
          boot0: opts.boot0 === true ? true : undefined,
          hseHz: opts.hse as number | undefined,
          spiFlash: opts.spiFlash as SpiFlashChip | undefined,
          watchdog: opts.watchdog === false ? false : undefined,
        },
        buttons,
        vcd: opts.vcd as string | undefined,
        resetAfterMs: opts.resetAfter as number | undefined,
        format: opts.format as 'elf' | 'ihex' | 'bin' | 'dfu' | undefined,
        base: opts.base as number | undefined,
        timeoutMs: opts.timeout as number | undefined,
        maxInstructions: opts.maxInstructions as number | undefined,
        realtime: Boolean(opts.realtime),
        trace: opts.trace as TraceKind[] | undefined,
        log,
        semihosting: Boolean(opts.semihosting) || opts.semihostingRoot !== undefined,
        semihostingRoot: opts.semihostingRoot as string | undefined,
        semihostingCmdline: opts.semihostingCmdline as string | undefined,
        output: (bytes) => void process.stdout.write(bytes),
        errorOutput: (bytes) => void process.stderr.write(bytes),
        attach: opts.usbServe !== undefined ? (m, state) => serveBootloader(m, state, opts.usbServe, log) : undefined,
        onMachine: (m) => {
          m.cpu.engine = opts.engine as 'interp' | 'jit';
          // Stop cleanly (the --flash state and --vcd files are written on the way out).
          for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => m.stop('user'));
        },
        serial: {
          specs: ((opts.serial as string[] | undefined) ?? []).map(parseSerialSpec), // UserError: one line, exit 2
          stdio: { input: process.stdin, write: (bytes) => void process.stdout.write(bytes) },
          // Notices go to stderr; on a raw terminal a bare LF would not return the carriage.
          notice: (line) => void process.stderr.write(`${line}${process.stdin.isTTY ? '\r\n' : '\n'}`),
          script: {
            input: opts.input !== undefined ? inputArg(opts.input as string) : undefined,
            until: opts.until !== undefined ? unescapeArg(opts.until as string, '--until') : undefined,
            expect,
            send,
          },
          exitOnEof: Boolean(opts.exitOnEof),
          baud,
          instant: Boolean(opts.uartInstant),
        },
      });
      if (session?.finished) {
        process.exitCode = 0;
        return;
      }
      switch (result.reason) {
        case 'exit':
          if (session?.scriptPending) {
            // A script that never saw its text failed, whatever status the guest chose.
            process.stderr.write(`emboard: the guest exited (status ${result.exitCode}) before the --until/--expect text appeared\n`);
            reportTail(session.tail.lines());
            process.exitCode = result.exitCode !== 0 ? result.exitCode : 1;
          } else process.exitCode = result.exitCode;
          break;
        case 'timeout':
        case 'instruction-limit':
          process.stderr.write(`emboard: ${result.reason === 'timeout' ? 'virtual time limit' : 'instruction limit'} reached after ${result.instructions} instructions, ${result.cycles} cycles\n`);
          if (session) reportTail(session.tail.lines());
          process.exitCode = EXIT_TIMEOUT;
          break;
        case 'lockup': {
          const f = machine.cpu.exc.lastFault;
          throw new EmulationError(`core lockup${f ? ` after ${f.toString()}` : ''}\n${formatRegisters(machine.cpu)}`);
        }
        case 'breakpoint':
          throw new EmulationError(`stopped at breakpoint\n${formatRegisters(machine.cpu)}`);
        default:
          if (session?.scriptPending && result.reason === 'halt') {
            // Idle with no input source left: nothing can happen any more. With --timeout that is the
            // timeout (virtual time would just run out); without it, a failed script.
            const timed = opts.timeout !== undefined;
            process.stderr.write(`emboard: ${timed ? 'virtual time limit reached: ' : ''}the guest went idle with no input left before the --until/--expect text appeared\n`);
            reportTail(session.tail.lines());
            process.exitCode = timed ? EXIT_TIMEOUT : 1;
          } else process.exitCode = 0;
      }
    });
}
