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
import { CLASS_MODULES, DATA_WINDOW, INSN_CLASSES, TEMPLATES, type InsnClass } from '../oracle/generators.js';
import { GuestFault, Exc, CFSR } from '../../src/cpu/armv7m/faults.js';
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
  // The default reporter folds fully skipped files into a count; say why on stderr as well.
  console.warn(`diff-unicorn: skipped, libunicorn2 not installed: ${unicornUnavailableReason()}`);
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

/** The comparison itself must be able to fail: inject wrong results into our core and expect reports. */
describe.skipIf(!unicornAvailable)('differential runner self-test (injected bugs are caught)', () => {
  const inject = (cls: InsnClass, corrupt: (r: DiffRunner) => void, expected: RegExp): void => {
    const r = new DiffRunner();
    try {
      const original = r.cpu.step.bind(r.cpu);
      let n = 0;
      r.cpu.step = (): void => {
        original();
        if (++n === 25) corrupt(r);
      };
      const st = r.run({ cls, seed: 7, instructions: 400, maxDivergences: 1, allow: knownReason });
      expect(st.divergences).toHaveLength(1);
      expect(formatDivergence(st.divergences[0]!)).toMatch(expected);
    } finally {
      r.close();
    }
  };
  it('a wrong register value', () => inject('alu', (r) => (r.cpu.r[3]! ^= 0x10), /r3: ours=/));
  it('a wrong flag', () => inject('alu', (r) => (r.cpu.c ^= 1), /xpsr: ours=.*xor 0x20000000/));
  it('a wrong memory byte', () => inject('mem', (r) => r.bus.write8(DATA_WINDOW + 0x1000, r.bus.read8(DATA_WINDOW + 0x1000) ^ 0x40), /mem\[0x20001000\]/));
  it('a wrong S register and FPSCR bit', () => inject('vfp', (r) => { r.cpu.s[7]! ^= 1; r.cpu.fpscr ^= 0x10; }, /fpscr: ours=.*s7: ours=/));
  it('a fault only our core raises', () => inject('dsp', () => { throw new GuestFault(Exc.UsageFault, CFSR.UNDEFINSTR); }, /fault-ours-only/));
  it('every generator template is accepted by Unicorn', () => {
    // Guards the generators: a template Unicorn refuses would be an invalid (or UNPREDICTABLE) encoding.
    const r = new DiffRunner();
    try {
      for (const cls of INSN_CLASSES) {
        const st = r.run({ cls, seed: 3, instructions: 20 * TEMPLATES[cls].length, maxDivergences: 1000 });
        const unicornRefused = st.divergences.filter((d) => d.kind === 'fault-unicorn-only').map((d) => d.template);
        expect(unicornRefused).toEqual([]);
      }
    } finally {
      r.close();
    }
  });
});
