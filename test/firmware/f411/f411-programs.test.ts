/**
 * Every STM32F411 test program runs on emboard, prints exactly expected/<name>.txt and exits 0 (no failed
 * register checks); and the committed binaries are what the Makefile rebuilds, byte for byte.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectRebuildIdentical, hasFirmwareToolchain } from '../rebuild.js';
import { F411_BIN, F411_DIR, f411Programs, runF411Program } from './programs.js';

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

  it.skipIf(!hasFirmwareToolchain)(
    `rebuilds every program byte-identically${hasFirmwareToolchain ? '' : ' (skipped: arm-none-eabi-gcc or make missing)'}`,
    () => {
      // The Makefile reaches ../common, so copy both levels.
      const copies: [string, string][] = [
        [join(F411_DIR, '..', 'common'), 'common'],
        ...['common', 'src', 'Makefile'].map((f): [string, string] => [join(F411_DIR, f), join('f411', f)]),
      ];
      expectRebuildIdentical(copies, 'f411', F411_BIN);
    },
  );
});
