/**
 * The committed test binaries are what `make` rebuilds from the committed sources, byte for byte: copies
 * the given folders into a scratch directory, runs make there and compares its bin/ with the committed one.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

export const hasFirmwareToolchain =
  spawnSync('arm-none-eabi-gcc', ['--version']).status === 0 && spawnSync('make', ['--version']).status === 0;

/** `copies` are [source folder or file, path inside the scratch dir]; make runs in `makeDir`, output in its bin/. */
export function expectRebuildIdentical(copies: [string, string][], makeDir: string, committedBin: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'emboard-fw-'));
  try {
    for (const [from, to] of copies) cpSync(from, join(dir, to), { recursive: true });
    const r = spawnSync('make', ['-s', '-j2', '-C', join(dir, makeDir)], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const committed = readdirSync(committedBin).sort();
    const built = join(dir, makeDir, 'bin');
    expect(readdirSync(built).sort()).toEqual(committed);
    for (const f of committed) {
      expect(Buffer.compare(readFileSync(join(built, f)), readFileSync(join(committedBin, f))), f).toBe(0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
