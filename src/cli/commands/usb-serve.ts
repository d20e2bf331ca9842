/** `emboard usb-serve`: the board's USB DFU bootloader for real libusb tools (docs/usb-serve.md). */
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { createLogger, LOG_LEVELS, type LogFormat, type LogLevel } from '../../core/logger.js';
import { packageRoot } from '../../core/paths.js';
import { BoardDfu } from '../../usb/serve/board-dfu.js';
import { defaultSocketPath, UsbServer } from '../../usb/serve/server.js';

/** Quotes a path for a POSIX shell line only when it needs it. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function registerUsbServe(program: Command): void {
  program
    .command('usb-serve')
    .description("serve the board's USB DFU bootloader on a Unix socket for real libusb tools (LD_PRELOAD tools/libusb-shim)")
    .requiredOption('-b, --board <name>', 'board whose bootloader to serve (STM32F411 boards)')
    .option('--flash <file>', 'flash state file: loaded at start, rewritten after every change (as `emboard run --flash`)')
    .option('--socket <path>', 'Unix socket to create, mode 0600 (default $XDG_RUNTIME_DIR/emboard-usb.sock or /tmp/emboard-usb-UID.sock)')
    .option('--exit-on-leave', 'stop once the device leaves DFU mode (dfu-util -s ADDR:leave) instead of re-plugging it for the next program')
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('warn'))
    .addOption(new Option('--log-format <fmt>', 'log line format').choices(['text', 'json']).default('text'))
    .action(async (opts: Record<string, unknown>) => {
      const log = createLogger(opts.logLevel as LogLevel, opts.logFormat as LogFormat);
      const socketPath = resolve((opts.socket as string | undefined) ?? defaultSocketPath());
      const flashPath = opts.flash as string | undefined;
      const board = new BoardDfu({ board: opts.board as string, flashPath, log });
      let server: UsbServer | null = null;
      let stopping: Promise<void> | null = null;
      let left = false;
      let finish!: (e?: unknown) => void;
      const finished = new Promise<void>((ok, fail) => (finish = (e) => (e === undefined ? ok() : fail(e))));
      // Stops once (signal or --exit-on-leave): closes the socket, then writes the flash state.
      const stop = () =>
        (stopping ??= (async () => {
          await server?.close();
          board.close();
        })().then(() => finish(), (e: unknown) => finish(e)));
      server = new UsbServer({
        socketPath,
        log,
        plug: () => board.createDevice(),
        onDetach: () => {
          board.flush();
          left = true;
          process.stderr.write(`emboard usb-serve: the device left DFU mode${flashPath ? `; flash saved to ${flashPath}` : ''}\n`);
        },
        // --exit-on-leave stops when the program that made the device leave has disconnected, so its
        // last calls (libusb_close, libusb_exit) are still answered.
        onDisconnect: (remaining) => {
          if (opts.exitOnLeave && left && remaining === 0) void stop();
        },
      });
      server.attach(board.createDevice());
      await server.listen();
      const shim = join(packageRoot(), 'tools', 'libusb-shim', 'libusb-shim.so');
      process.stdout.write(
        `emboard usb-serve: STM32 DFU bootloader [0483:df11] of ${board.machine.board.name} on ${socketPath}` +
          `${flashPath ? ` (flash state ${flashPath})` : ' (no --flash: changes end with the server)'}; Ctrl-C stops\n` +
          `export LD_PRELOAD=${shellWord(shim)} EMBOARD_USB=${shellWord(socketPath)}\n`,
      );
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      await finished;
    });
}
