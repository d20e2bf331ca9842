/**
 * The test programs under test/firmware/bin and what QEMU's mps2-an386 printed for them
 * (test/firmware/expected/<name>.txt, exit status in expected/status.json; regenerate with
 * `npx tsx test/firmware/record-qemu.ts` after `make -C test/firmware`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runQemu, runQemuWithInput, type QemuResult } from '../helpers/qemu.js';

export const FIRMWARE_DIR = dirname(fileURLToPath(import.meta.url));
export const BIN_DIR = join(FIRMWARE_DIR, 'bin');
export const EXPECTED_DIR = join(FIRMWARE_DIR, 'expected');

/** Functional programs, then the reduced-size benchmarks (same code as bench_*, fewer iterations). */
export const PROGRAMS = [
  'hello',
  'exceptions',
  'faults',
  'systick',
  'fpu_lazy',
  'mpu',
  'timers',
  'memory',
  'context_switch',
  'uart_echo',
  'quick_bench_crc32',
  'quick_bench_matmul_int',
  'quick_bench_matmul_float',
  'quick_bench_sort',
  'quick_bench_statemachine',
  'quick_bench_dsp',
] as const;

/** Full-size benchmarks (~1 s each in QEMU), used by `npm run bench`. */
export const BENCHMARKS = [
  'bench_crc32',
  'bench_matmul_int',
  'bench_matmul_float',
  'bench_sort',
  'bench_statemachine',
  'bench_dsp',
] as const;

/**
 * Bytes sent to UART0's receive side (QEMU: stdin; emboard: the console port) for programs that read,
 * and the prompt QEMU must have printed before they are sent.
 */
export const PROGRAM_INPUT: Partial<Record<string, { input: string; after: string }>> = {
  uart_echo: { input: 'hello, uart!\n', after: 'type a line\n' },
};

/** Runs a test program in QEMU, feeding its input if it has one. */
export async function runProgramInQemu(name: string, timeoutMs = 60_000): Promise<QemuResult> {
  const io = PROGRAM_INPUT[name];
  return io === undefined ? runQemu(elfPath(name), timeoutMs) : runQemuWithInput(elfPath(name), io.input, io.after, timeoutMs);
}

export function elfPath(name: string): string {
  return join(BIN_DIR, `${name}.elf`);
}

export interface Expected {
  stdout: string;
  status: number;
}

export function expected(name: string): Expected {
  const statuses = JSON.parse(readFileSync(join(EXPECTED_DIR, 'status.json'), 'utf8')) as Record<string, number>;
  const file = join(EXPECTED_DIR, `${name}.txt`);
  if (!existsSync(file) || statuses[name] === undefined) throw new Error(`no recorded QEMU output for ${name}`);
  return { stdout: readFileSync(file, 'latin1'), status: statuses[name] };
}
