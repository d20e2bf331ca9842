/** Helpers for builder tests that compare with Debian's arm-none-eabi binutils/gcc (skipped without them). */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** EMBOARD_NO_ARM_TOOLCHAIN=1 makes the tests behave as on a machine without the Debian packages. */
export function hasTool(name: string): boolean {
  if (process.env.EMBOARD_NO_ARM_TOOLCHAIN) return false;
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Memoised setup for skip-able suites: vitest runs describe bodies even when the suite is skipped. */
export function once<T>(f: () => T): () => T {
  let v: { value: T } | undefined;
  return () => (v ??= { value: f() }).value;
}
export const HAVE_BINUTILS = hasTool('arm-none-eabi-readelf') && hasTool('arm-none-eabi-objdump') && hasTool('arm-none-eabi-ld');
export const HAVE_GCC = HAVE_BINUTILS && hasTool('arm-none-eabi-gcc');

/** Runs a tool; returns stdout and stderr (stderr must be checked by callers for warnings). */
export function run(tool: string, args: string[], cwd?: string): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(tool, args, { cwd, encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'emboard-builder-'));
}

export function writeTemp(dir: string, name: string, data: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

export const GCC_FLAGS = ['-mcpu=cortex-m4', '-mthumb', '-O2', '-ffunction-sections', '-fdata-sections', '-ffreestanding', '-fno-builtin', '-std=gnu11'];

export function compile(src: string, out: string): void {
  execFileSync('arm-none-eabi-gcc', ['-c', ...GCC_FLAGS, '-o', out, src]);
}
