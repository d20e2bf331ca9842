/**
 * Every STM32F411 test program runs on emboard, prints exactly expected/<name>.txt and exits 0 (no failed
 * register checks); and the committed binaries are what the Makefile rebuilds, byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { F411_BIN, F411_DIR, f411Programs, runF411Program } from './programs.js';

const hasGcc = spawnSync('arm-none-eabi-gcc', ['--version']).status === 0;
const hasMake = spawnSync('make', ['--version']).status === 0;

describe('STM32F411 test programs on emboard', () => {
  for (const name of f411Programs()) {
    it(name, () => {
      const r = runF411Program(name);
      const expected = readFileSync(join(F411_DIR, 'expected', `${name}.txt`), 'latin1');
      expect(r.stdout).toBe(expected);
      expect(r.reason).toBe('exit');
      expect(r.status).toBe(0);
    });
  }

  it('every program has a committed ELF and expected output', () => {
    for (const name of f411Programs()) {
      expect(existsSync(join(F411_BIN, `${name}.elf`)), `${name}.elf`).toBe(true);
      expect(existsSync(join(F411_DIR, 'expected', `${name}.txt`)), `${name}.txt`).toBe(true);
    }
  });

  it.skipIf(!hasGcc || !hasMake)(
    `rebuilds every program byte-identically${hasGcc && hasMake ? '' : ' (skipped: arm-none-eabi-gcc or make missing)'}`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'emboard-f411-'));
      try {
        // The Makefile reaches ../common, so copy both levels.
        cpSync(join(F411_DIR, '..', 'common'), join(dir, 'common'), { recursive: true });
        for (const sub of ['common', 'src']) cpSync(join(F411_DIR, sub), join(dir, 'f411', sub), { recursive: true });
        cpSync(join(F411_DIR, 'Makefile'), join(dir, 'f411', 'Makefile'));
        const r = spawnSync('make', ['-s', '-j2', '-C', join(dir, 'f411')], { encoding: 'utf8' });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        const committed = readdirSync(F411_BIN).sort();
        expect(readdirSync(join(dir, 'f411', 'bin')).sort()).toEqual(committed);
        for (const f of committed) {
          expect(Buffer.compare(readFileSync(join(dir, 'f411', 'bin', f)), readFileSync(join(F411_BIN, f))), f).toBe(0);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
