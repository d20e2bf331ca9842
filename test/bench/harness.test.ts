/**
 * The benchmark harness works (no timing assertions): generated blocks replace only themselves in
 * PERFORMANCE.md, and a tiny run of the interrupt benchmark prints QEMU's recorded output in both engines
 * and writes its block into a scratch copy of the document.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RX_BYTES, TICKS, runIrqInEmboard } from '../../bench/irq.js';
import { replaceBlock } from '../../bench/perf-doc.js';
import { packageRoot } from '../../src/core/paths.js';

const root = packageRoot();

describe('PERFORMANCE.md generated blocks', () => {
  const doc = '# P\n\nhand 1\n\n<!-- bench:cpu begin -->\nold cpu\n<!-- bench:cpu end -->\n\n## MicroPython\nhand 2\n';

  it('replaces only its own block and keeps the hand-written text', () => {
    const out = replaceBlock(doc, 'cpu', 'new cpu\n');
    expect(out).toBe(doc.replace('old cpu', 'new cpu'));
    expect(replaceBlock(out, 'cpu', 'new cpu')).toBe(out); // idempotent
  });

  it('puts a missing block after the last generated one, or at the end', () => {
    const out = replaceBlock(doc, 'irq', 'irq table');
    expect(out).toBe(doc.replace('<!-- bench:cpu end -->\n', '<!-- bench:cpu end -->\n\n<!-- bench:irq begin -->\nirq table\n<!-- bench:irq end -->\n'));
    expect(replaceBlock('# P\nhand\n', 'boot', 'b')).toBe('# P\nhand\n\n<!-- bench:boot begin -->\nb\n<!-- bench:boot end -->\n');
  });

  it('refuses a begin marker without its end', () => {
    expect(() => replaceBlock('<!-- bench:cpu begin -->\nx\n', 'cpu', 'y')).toThrow(/has no <!-- bench:cpu end -->/);
  });

  it('the committed document has one pair of markers per block', () => {
    const text = readFileSync(join(root, 'docs/PERFORMANCE.md'), 'utf8');
    for (const m of text.matchAll(/<!-- bench:(\w+) begin -->/g)) {
      expect(text.split(`<!-- bench:${m[1]} begin -->`).length).toBe(2);
      expect(text.split(`<!-- bench:${m[1]} end -->`).length).toBe(2);
    }
  });
});

describe('interrupt benchmark', () => {
  const expected = readFileSync(join(root, 'test/firmware/expected/bench_irq.txt'), 'latin1');

  it.each(['interp', 'jit'] as const)('bench_irq under %s prints what QEMU printed, in 2 s of virtual time', (engine) => {
    const r = runIrqInEmboard(join(root, 'test/firmware/bin/bench_irq.elf'), engine);
    expect(r.output).toBe(expected);
    expect(r.exitCode).toBe(0);
    // The guest waits for TICKS SysTick periods; its RX input (one byte per 1.5 ms) ends before that.
    expect(r.virtualS).toBeCloseTo(TICKS / 1000, 2);
    expect(expected).toContain(`rx bytes ${RX_BYTES}`);
  });

  it('bench/run.ts --kind irq writes only the irq block of the document it is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emboard-bench-test-'));
    try {
      const doc = join(dir, 'PERF.md');
      writeFileSync(doc, '# P\n\nhand-written\n');
      execFileSync(process.execPath, ['--import', 'tsx', join(root, 'bench/run.ts'), '--kind', 'irq', '--reps', '1', '--no-qemu', '--engine', 'jit', '--doc', doc], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const text = readFileSync(doc, 'utf8');
      expect(text.startsWith('# P\n\nhand-written\n\n<!-- bench:irq begin -->\n## Interrupt-heavy: bench_irq\n')).toBe(true);
      expect(text).toMatch(/\| emboard jit \| [\d.]+ \| 2\.000 \| 3000 \| [\d.]+ \| [\d.]+ \| yes \|/);
      expect(text).toMatch(/- Load average at the start \(1, 5, 15 min\): [\d.]+, [\d.]+, [\d.]+/);
      expect(text.trimEnd().endsWith('<!-- bench:irq end -->')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
