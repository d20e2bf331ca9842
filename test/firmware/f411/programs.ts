/**
 * The STM32F411 test programs (src/*.c, built into bin/ by this folder's Makefile) and how to run them.
 * Each source starts with a header comment `/* emboard: {JSON} *\/` giving its run settings; the program
 * checks the registers against RM0383 itself and exits (semihosting) with the number of failed checks.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBoard, type BoardSpec } from '../../../src/boards/board.js';
import { Machine } from '../../../src/core/machine.js';
import { loadImageBytes } from '../../../src/image/load.js';

export const F411_DIR = dirname(fileURLToPath(import.meta.url));
export const F411_BIN = join(F411_DIR, 'bin');

export interface F411ProgramSettings {
  /** Board file name (default NUCLEO_F411RE). */
  board?: string;
  /** Overrides merged into the board's `options` (e.g. {"spiFlash": "w25q64"}). */
  options?: Record<string, unknown>;
  /** Text typed into the console once the output ends with `after`. */
  input?: { after: string; text: string };
  /** Instruction budget (default 50 M) and virtual-time budget in ms (default 10 s). */
  maxInstructions?: number;
  timeoutMs?: number;
}

export function f411Programs(): string[] {
  return readdirSync(join(F411_DIR, 'src'))
    .filter((f) => f.endsWith('.c'))
    .map((f) => f.slice(0, -2))
    .sort();
}

export function programSettings(name: string): F411ProgramSettings {
  const src = readFileSync(join(F411_DIR, 'src', `${name}.c`), 'utf8');
  const m = /^\/\* emboard: (\{.*\}) \*\//.exec(src);
  if (m === null) throw new Error(`${name}.c: first line must be /* emboard: {JSON} */`);
  return JSON.parse(m[1]!) as F411ProgramSettings;
}

export interface F411Result {
  stdout: string;
  status: number;
  reason: string;
  instructions: number;
  /** The machine after the run, for tests that inspect pins or flash. */
  machine: Machine;
}

export function runF411Program(name: string, overrides: F411ProgramSettings = {}): F411Result {
  const s = { ...programSettings(name), ...overrides };
  const base = loadBoard(s.board ?? 'NUCLEO_F411RE');
  const board: BoardSpec = { ...base, options: { ...base.options, ...s.options } };
  const out: number[] = [];
  const m = new Machine({ board, semihosting: { write: (_f, bytes) => out.push(...bytes) } });
  let sent = s.input === undefined;
  // The runtime (common/lib.c) prints on USART2 whatever the board's console is (WeAct's is USART1).
  const con = m.uart('usart2');
  // Input is typed on a wire, as the CLI's paced console delivers it (an unread byte can be overrun).
  con.rxPaced = true;
  con.onTransmit((b) => {
    out.push(b);
    if (!sent && Buffer.from(out).toString('latin1').endsWith(s.input!.after)) {
      sent = true;
      con.inject(Buffer.from(s.input!.text, 'latin1'));
    }
  });
  const elf = join(F411_BIN, `${name}.elf`);
  m.loadImage(loadImageBytes(new Uint8Array(readFileSync(elf)), elf));
  m.reset();
  const r = m.run({ maxInstructions: s.maxInstructions ?? 50_000_000, timeoutSeconds: (s.timeoutMs ?? 10_000) / 1000 });
  return {
    stdout: Buffer.from(out).toString('latin1'),
    status: r.reason === 'exit' ? r.exitCode : -1,
    reason: r.reason,
    instructions: r.instructions,
    machine: m,
  };
}
