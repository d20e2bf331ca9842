/**
 * The committed ELF/BIN files are what `make -C test/firmware` produces from the committed sources, and
 * the build is deterministic: a fresh build in another directory gives byte-identical files.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN_DIR, FIRMWARE_DIR } from './programs.js';

const hasGcc = spawnSync('arm-none-eabi-gcc', ['--version']).status === 0;
const hasMake = spawnSync('make', ['--version']).status === 0;

describe('test firmware build', () => {
  it.skipIf(!hasGcc || !hasMake)(
    `rebuilds every program byte-identically${hasGcc && hasMake ? '' : ' (skipped: arm-none-eabi-gcc or make missing)'}`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'emboard-fw-'));
      try {
        for (const sub of ['common', 'src']) cpSync(join(FIRMWARE_DIR, sub), join(dir, sub), { recursive: true });
        cpSync(join(FIRMWARE_DIR, 'Makefile'), join(dir, 'Makefile'));
        const r = spawnSync('make', ['-s', '-j2', '-C', dir], { encoding: 'utf8' });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        const committed = readdirSync(BIN_DIR).sort();
        expect(readdirSync(join(dir, 'bin')).sort()).toEqual(committed);
        for (const f of committed) {
          expect(Buffer.compare(readFileSync(join(dir, 'bin', f)), readFileSync(join(BIN_DIR, f))), f).toBe(0);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
