/**
 * The test/py corpus: each script's stdout on the VM must equal CPython's (Debian python3), or NAME.exp where
 * MicroPython deliberately differs (gc.mem_free and friends exist only there).
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPyWasm } from '../../firmware/ports/host/node/vm-host.js';
import { runPy } from './helpers.js';

const dir = join(import.meta.dirname, '.');
const scripts = readdirSync(dir).filter((f) => f.endsWith('.py')).sort();
const python = '/usr/bin/python3';
const hasPython = existsSync(python);

function expected(name: string): string | undefined {
  const exp = join(dir, name.replace(/\.py$/, '.exp'));
  if (existsSync(exp)) return readFileSync(exp, 'utf8');
  if (!hasPython) return undefined;
  return execFileSync(python, [join(dir, name)], { encoding: 'utf8', cwd: dir });
}

describe('python corpus (test/py/*.py) vs CPython', () => {
  beforeAll(async () => {
    await loadPyWasm(); // compiles the VM once (cached by source hash)
  });

  for (const name of scripts) {
    const hasExp = existsSync(join(dir, name.replace(/\.py$/, '.exp')));
    it.skipIf(!hasExp && !hasPython)(`${name}${!hasExp && !hasPython ? ' (skipped: python3 missing)' : ''}`, async () => {
      const want = expected(name)!;
      const got = await runPy(readFileSync(join(dir, name), 'utf8'), name);
      expect(got.err).toBe('');
      expect(got.out).toBe(want);
      expect(got.status).toBe(0);
    });
  }
});
