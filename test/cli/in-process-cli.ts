/**
 * Runs `emboard …` inside the test process (commander + the real command modules), mapping errors to exit
 * codes the way src/cli/main.ts does. Much faster than a child process for the many bad-input cases; only
 * for commands that fail before they start a machine run or that do not read stdin.
 */
import { Command, CommanderError } from 'commander';
import { registerCommands } from '../../src/cli/commands/index.js';
import { EmulationError, UserError } from '../../src/core/errors.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cliInProcess(args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const program = new Command();
  program
    .name('emboard')
    .exitOverride()
    .configureOutput({ writeErr: (s) => void (stderr += s), writeOut: (s) => void (stdout += s) });
  registerCommands(program);
  const realOut = process.stdout.write.bind(process.stdout);
  const realErr = process.stderr.write.bind(process.stderr);
  const capture = (sink: 'out' | 'err') =>
    ((chunk: string | Uint8Array) => {
      const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
      if (sink === 'out') stdout += s;
      else stderr += s;
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture('out');
  process.stderr.write = capture('err');
  const before = process.exitCode;
  let code = 0;
  try {
    await program.parseAsync(['node', 'emboard', ...args]);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : 2;
    else if (e instanceof UserError) {
      stderr += `emboard: ${e.message}\n`;
      code = e.exitCode;
    } else if (e instanceof EmulationError) {
      stderr += `emboard: ${e.message}\n`;
      code = 1;
    } else throw e;
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
    process.exitCode = before;
  }
  return { code, stdout, stderr };
}
