#!/usr/bin/env node
/**
 * The `emboard` command: commander wiring only. Each command calls a library function and maps its
 * outcome to output and an exit code. UserErrors print one line and exit 2 (or their code); anything
 * else is a bug and says so.
 */
import { Command, CommanderError } from 'commander';
import { EmulationError, UserError } from '../core/errors.js';

const program = new Command();
program
  .name('emboard')
  .description('Instruction-level board emulator: boots microcontroller firmware headless.')
  .version('0.1.0')
  .exitOverride()
  .showHelpAfterError('(add --help for usage)')
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

// `emboard run` loads only its own command module: the others (DFU, USB, image tools) cost start-up time
// that counts in the boot benchmark (docs/PERFORMANCE.md). Every other invocation registers everything.
if (process.argv[2] === 'run') (await import('./commands/run.js')).registerRun(program);
else (await import('./commands/index.js')).registerCommands(program);

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
