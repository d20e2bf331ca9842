/** `emboard run`: boot a firmware image on a board (library: src/core/run-firmware.ts). */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { EmulationError, UserError } from '../../core/errors.js';
import { createLogger, LOG_LEVELS, type LogFormat, type LogLevel } from '../../core/logger.js';
import { runFirmware, TRACE_KINDS, type TraceKind } from '../../core/run-firmware.js';
import { formatRegisters } from '../../cpu/armv7m/dump.js';
import { parseAddress, parseNumber } from './parse.js';

const EXIT_TIMEOUT = 124;

function parseTrace(v: string, prev: TraceKind[] = []): TraceKind[] {
  for (const k of v.split(',')) {
    if (!TRACE_KINDS.includes(k as TraceKind)) throw new InvalidArgumentError(`unknown trace '${k}' (known: ${TRACE_KINDS.join(', ')})`);
    prev.push(k as TraceKind);
  }
  return prev;
}

export function registerRun(program: Command): void {
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
}
