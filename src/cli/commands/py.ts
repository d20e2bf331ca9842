/**
 * `emboard py [script.py]`: the MicroPython-compatible VM of firmware/py, host build (WebAssembly in Node,
 * like MicroPython's unix port). With a script: runs it, exit status 1 after an uncaught exception (the
 * traceback on stderr), sys.exit(n) exits with n. Without: the REPL on stdin/stdout.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { UserError } from '../../core/errors.js';
import { PyVm } from '../../../firmware/ports/host/node/vm-host.js';

interface PyOptions {
  heap: string;
  command?: string;
}

function parseHeap(text: string): number {
  const m = /^(\d+)([kKmM]?)$/.exec(text);
  if (!m) throw new UserError(`--heap: expected a size like 65536, 64k or 1m, got '${text}'`);
  const n = Number(m[1]) * (m[2] === '' ? 1 : m[2].toLowerCase() === 'k' ? 1024 : 1024 * 1024);
  if (n < 4096 || n > 256 * 1024 * 1024) throw new UserError(`--heap: ${text} is outside 4k..256m`);
  return n;
}

export function registerPy(program: Command): void {
  program
    .command('py')
    .description('run Python on the MicroPython-compatible VM (host build): a script, -c CODE, or the REPL')
    .argument('[script]', 'Python file to run (without it: the REPL)')
    .option('--heap <size>', 'heap size of the VM (bytes, or with k/m; MicroPython unix port: 1m)', '1m')
    .option('-c, --command <code>', 'run this program text')
    .action(async (script: string | undefined, opts: PyOptions) => {
      const heapBytes = parseHeap(opts.heap);
      // `emboard py x.py | head`: a closed pipe ends the program quietly, as for other CLI tools.
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
        throw e;
      });
      if (opts.command !== undefined || script !== undefined) {
        let source: Buffer;
        let name: string;
        if (opts.command !== undefined) {
          source = Buffer.from(opts.command, 'utf8');
          name = '<stdin>';
        } else {
          name = script!;
          try {
            source = readFileSync(name);
          } catch (e) {
            throw new UserError(`${name}: cannot read: ${(e as Error).message}`);
          }
        }
        const vm = await PyVm.create({ heapBytes });
        process.exitCode = vm.runScript(source, name);
        return;
      }
      await repl(heapBytes);
    });
}

/** The REPL: bytes from stdin are pushed into the VM as they come; the event loop never blocks on input. */
async function repl(heapBytes: number): Promise<void> {
  const vm = await PyVm.create({ heapBytes });
  const stdin = process.stdin;
  const tty = stdin.isTTY === true;
  if (tty) stdin.setRawMode(true);
  vm.replStart(tty);
  await new Promise<void>((resolve) => {
    let done = false;
    const finish = (status: number): void => {
      if (done) return;
      done = true;
      if (tty) stdin.setRawMode(false);
      stdin.pause();
      process.exitCode = status;
      resolve();
    };
    stdin.on('data', (chunk: Buffer) => {
      const status = vm.replInput(chunk);
      if (status !== undefined) finish(status);
    });
    stdin.on('end', () => finish(0));
  });
}
