/**
 * Differential test: random valid Thumb-2 instruction streams run on our Cortex-M4 and on Unicorn 2's
 * (libunicorn2 through koffi), state compared after every instruction. See docs/testing-cpu.md.
 * Needs libunicorn2; without it the suite is skipped visibly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patterns as dataProcessing } from '../../src/cpu/armv7m/isa/data-processing.js';
import { patterns as branchMisc } from '../../src/cpu/armv7m/isa/branch-misc.js';
import { patterns as loadStore } from '../../src/cpu/armv7m/isa/load-store.js';
import { patterns as multiply } from '../../src/cpu/armv7m/isa/multiply.js';
import { patterns as dsp } from '../../src/cpu/armv7m/isa/dsp.js';
import { patterns as vfp } from '../../src/cpu/armv7m/isa/vfp.js';
import { knownReason } from '../oracle/allowlist.js';
import { DiffRunner, formatDivergence, type DiffStats } from '../oracle/diff.js';
import { CLASS_MODULES, INSN_CLASSES, type InsnClass } from '../oracle/generators.js';
import { unicornAvailable, unicornUnavailableReason } from '../oracle/unicorn.js';

const MODULE_PATTERNS: Record<string, readonly unknown[]> = {
  'data-processing': dataProcessing,
  'branch-misc': branchMisc,
  'load-store': loadStore,
  multiply,
  dsp,
  vfp,
};

/** Instructions per class: 1.05 M in total. DIFF_SCALE scales it (e.g. 0.1 for a quick run). */
const SCALE = Number(process.env.DIFF_SCALE ?? '1');
const BUDGET: Record<InsnClass, number> = { alu: 300_000, mem: 250_000, branch: 150_000, dsp: 200_000, vfp: 150_000 };
const SEED = Number(process.env.DIFF_SEED ?? '20261125');

function emptyModules(cls: InsnClass): string[] {
  return CLASS_MODULES[cls].filter((m) => MODULE_PATTERNS[m]!.length === 0);
}

if (!unicornAvailable) {
  describe('differential test against Unicorn', () => {
    it.skip(`libunicorn2 not installed: ${unicornUnavailableReason()}`, () => {});
  });
}

describe.skipIf(!unicornAvailable)('differential test against Unicorn (Cortex-M4)', () => {
  let runner: DiffRunner;
  const results: DiffStats[] = [];
  beforeAll(() => {
    runner = new DiffRunner();
  });
  afterAll(() => {
    runner?.close();
    if (results.length === 0) return;
    const total = results.reduce((s, r) => s + r.executed, 0);
    const secs = results.reduce((s, r) => s + r.seconds, 0);
    console.log(`differential total: ${total} instructions in ${secs.toFixed(1)} s = ${Math.round(total / secs)} instructions/s`);
  });

  for (const cls of INSN_CLASSES) {
    const empty = emptyModules(cls);
    if (empty.length === CLASS_MODULES[cls].length) {
      it.skip(`${cls}: skipped, instruction module(s) ${empty.join(', ')} have no patterns yet`, () => {});
      continue;
    }
    it(`${cls}: ${Math.round(BUDGET[cls] * SCALE)} random instructions agree with Unicorn (seed ${SEED})`, () => {
      const st = runner.run({ cls, seed: SEED, instructions: Math.round(BUDGET[cls] * SCALE), maxDivergences: 20, allow: knownReason });
      results.push(st);
      const allowed = [...st.allowed].map(([t, n]) => `${t} ×${n}`).join(', ');
      console.log(
        `[${cls}] ${st.executed} instructions, ${st.streams} streams, ${st.agreedFaults} agreed faults, ${st.seconds.toFixed(1)} s ` +
          `(${Math.round(st.executed / st.seconds)}/s)${allowed ? `; known divergences: ${allowed}` : ''}`,
      );
      expect(st.divergences.map(formatDivergence)).toEqual([]);
      expect(st.executed).toBeGreaterThan(BUDGET[cls] * SCALE * 0.9);
    });
  }
});
