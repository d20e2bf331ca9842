/** `emboard console`: screen-style terminal client for tcp:HOST:PORT, a PTY, or a serial device (src/serial/console-client.ts). */
import { type Command, Option } from 'commander';
import { UserError } from '../../core/errors.js';
import { runConsole } from '../../serial/console-client.js';

export function registerConsole(program: Command): void {
  program
    .command('console')
    .description('terminal client for a serial line: tcp:HOST:PORT, an emboard PTY (or its pty:PATH link), or a device such as /dev/ttyACM0')
    .argument('<target>', 'tcp:HOST:PORT or a device path')
    .argument('[baud]', 'line rate for a device (default 115200)')
    .option('-L, --log <file>', 'append every received byte to FILE (like screen -L)')
    .option('--lf-to-crlf', 'show a received LF as CR LF (for guests that print bare LF)')
    .addOption(new Option('--enter <seq>', 'what the Enter key sends').choices(['cr', 'lf', 'crlf']).default('cr'))
    .option('--echo', 'local echo of typed bytes')
    .action(async (target: string, baudText: string | undefined, opts: Record<string, unknown>) => {
      const baud = baudText !== undefined ? Number(baudText) : undefined;
      if (baud !== undefined && !(Number.isInteger(baud) && baud > 0)) throw new UserError(`console: baud rate '${baudText}' is not a positive integer`);
      const why = await runConsole({
        target,
        baud,
        log: opts.log as string | undefined,
        lfToCrlf: Boolean(opts.lfToCrlf),
        enter: opts.enter as 'cr' | 'lf' | 'crlf',
        echo: Boolean(opts.echo),
        input: process.stdin,
        write: (b) => void process.stdout.write(b),
        notice: (line) => void process.stderr.write(`${line}${process.stdin.isTTY ? '\r\n' : '\n'}`),
      });
      if (why === 'closed') process.stderr.write(`emboard console: ${target} closed${process.stdin.isTTY ? '\r\n' : '\n'}`);
      process.exitCode = 0;
    });
}
