#!/usr/bin/env node
/**
 * The `emboard` command: commander wiring only. Each command calls a library function and maps its
 * outcome to output and an exit code. UserErrors print one line and exit 2 (or their code); anything
 * else is a bug and says so.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { listBoards, loadBoard } from '../boards/board.js';
import { EmulationError, UserError } from '../core/errors.js';
import { createLogger, LOG_LEVELS, type LogFormat, type LogLevel } from '../core/logger.js';
import { runFirmware, TRACE_KINDS, type TraceKind } from '../core/run-firmware.js';
import { formatRegisters } from '../cpu/armv7m/dump.js';

const EXIT_TIMEOUT = 124;

function parseNumber(flag: string) {
  return (v: string): number => {
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${flag} expects a non-negative number, got '${v}'`);
    return n;
  };
}

function parseAddress(v: string): number {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError(`expects an address such as 0x08000000, got '${v}'`);
  return n;
}

function parseTrace(v: string, prev: TraceKind[] = []): TraceKind[] {
  for (const k of v.split(',')) {
    if (!TRACE_KINDS.includes(k as TraceKind)) throw new InvalidArgumentError(`unknown trace '${k}' (known: ${TRACE_KINDS.join(', ')})`);
    prev.push(k as TraceKind);
  }
  return prev;
}

const program = new Command();
program
  .name('emboard')
  .description('Instruction-level board emulator: boots microcontroller firmware headless.')
  .version('0.1.0')
  .exitOverride()
  .showHelpAfterError('(add --help for usage)')
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

program
  .command('run')
  .description('boot a firmware image (ELF, raw binary or Intel HEX) on a board; the console UART is stdin/stdout')
  .argument('[file]', 'firmware file (format detected; see --format)')
  .requiredOption('-b, --board <name>', 'board to emulate (see `emboard boards`)')
  .option('--demo', "run the board's built-in demo firmware instead of a file")
  .addOption(new Option('--format <fmt>', 'firmware format instead of detection').choices(['elf', 'ihex', 'bin']))
  .option('--base <addr>', 'load address of a raw binary (default: the board flash base)', parseAddress)
  .option('--semihosting', 'enable ARM semihosting (guest console I/O, exit code, clock); file access needs --semihosting-root')
  .option('--semihosting-root <dir>', 'folder the guest may open/create files in through semihosting (nothing outside it)')
  .option('--semihosting-cmdline <text>', 'command line the guest gets from SYS_GET_CMDLINE')
  .option('--timeout <ms>', 'stop after this much virtual time (exit 124)', parseNumber('--timeout'))
  .option('--max-instructions <n>', 'stop after this many instructions (exit 124)', parseNumber('--max-instructions'))
  .option('--realtime', 'pace virtual time to the wall clock')
  .option('--trace <kinds>', `trace to stderr: ${TRACE_KINDS.join(', ')} (comma-separated, repeatable)`, parseTrace)
  .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('warn'))
  .addOption(new Option('--log-format <fmt>', 'log line format').choices(['text', 'json']).default('text'))
  .action(async (file: string | undefined, opts: Record<string, unknown>) => {
    const log = createLogger(opts.logLevel as LogLevel, opts.logFormat as LogFormat);
    if (file === undefined && !opts.demo) throw new UserError('run: no firmware file given (or use --demo)');
    const stdin = process.stdin;
    let wake: (() => void) | null = null;
    const { machine, result } = await runFirmware({
      board: opts.board as string,
      file,
      demo: Boolean(opts.demo),
      format: opts.format as 'elf' | 'ihex' | 'bin' | undefined,
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
      onMachine: (m) => {
        if (stdin.isTTY) stdin.setRawMode(true);
        stdin.on('data', (d: Buffer) => {
          m.console.inject(new Uint8Array(d));
          wake?.();
        });
        process.on('SIGINT', () => m.stop('user'));
      },
      idleWait: () => new Promise<void>((res) => (wake = res)),
    });
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
    stdin.destroy(); // let the process end: nothing reads the console any more
    switch (result.reason) {
      case 'exit':
        process.exitCode = result.exitCode;
        break;
      case 'timeout':
      case 'instruction-limit':
        process.stderr.write(`emboard: ${result.reason === 'timeout' ? 'virtual time limit' : 'instruction limit'} reached after ${result.instructions} instructions, ${result.cycles} cycles\n`);
        process.exitCode = EXIT_TIMEOUT;
        break;
      case 'lockup': {
        const f = machine.cpu.exc.lastFault;
        throw new EmulationError(`core lockup${f ? ` after ${f.toString()}` : ''}\n${formatRegisters(machine.cpu)}`);
      }
      case 'breakpoint':
        throw new EmulationError(`stopped at breakpoint\n${formatRegisters(machine.cpu)}`);
      default:
        process.exitCode = 0;
    }
  });

program
  .command('boards')
  .description('list the boards emboard can emulate')
  .action(() => {
    for (const name of listBoards()) {
      const b = loadBoard(name);
      process.stdout.write(`${name.padEnd(20)} ${b.description ?? ''}\n`);
    }
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    // commander already printed the message; bad usage is exit 2, help/version exit 0.
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof UserError) {
    process.stderr.write(`emboard: ${e.message}\n`);
    process.exitCode = e.exitCode;
  } else if (e instanceof EmulationError) {
    process.stderr.write(`emboard: ${e.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`emboard: internal error (this is a bug, please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 70;
  }
});
