/**
 * The committed ELF/BIN files are what `make -C test/firmware` produces from the committed sources, and
 * the build is deterministic: a fresh build in another directory gives byte-identical files.
 */
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { BIN_DIR, FIRMWARE_DIR } from './programs.js';
import { expectRebuildIdentical, hasFirmwareToolchain } from './rebuild.js';

describe('test firmware build', () => {
  it.skipIf(!hasFirmwareToolchain)(
    `rebuilds every program byte-identically${hasFirmwareToolchain ? '' : ' (skipped: arm-none-eabi-gcc or make missing)'}`,
    () => {
      const copies: [string, string][] = ['common', 'src', 'Makefile'].map((f) => [join(FIRMWARE_DIR, f), f]);
      expectRebuildIdentical(copies, '.', BIN_DIR);
    },
  );
});
