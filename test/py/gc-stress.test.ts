/**
 * The corpus again with a collection before every allocation and a small heap: an object the VM forgot to
 * root (or a miscounted stack) is freed at once and the output differs.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadPyWasm } from '../../firmware/ports/host/node/vm-host.js';
import { runPy } from './helpers.js';

const dir = import.meta.dirname;
const python = '/usr/bin/python3';
const hasPython = existsSync(python);
const clean = readdirSync(dir)
  .filter((f) => f.endsWith('.py'))
  .map((f) => f.slice(0, -3))
  .sort();

function expected(name: string): string {
  const exp = join(dir, `${name}.exp`);
  if (existsSync(exp)) return readFileSync(exp, 'utf8');
  return execFileSync(python, [join(dir, `${name}.py`)], { encoding: 'utf8', cwd: dir });
}

describe.skipIf(!hasPython)(`corpus under GC stress${hasPython ? '' : ' (skipped: python3 missing)'}`, () => {
  beforeAll(async () => {
    await loadPyWasm();
  });
  for (const name of clean) {
    it(`${name}.py`, async () => {
      const src = readFileSync(join(dir, `${name}.py`), 'utf8');
      const got = await runPy(src, `${name}.py`, { heapBytes: 128 * 1024, gcStress: true });
      expect(got.err).toBe('');
      expect(got.out).toBe(expected(name));
    });
  }
});
