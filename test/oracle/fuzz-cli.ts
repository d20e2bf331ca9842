/**
 * `npm run fuzz -- --count 1e7 [--seed N] [--class alu|mem|branch|dsp|vfp|all] [--len 48]`
 * Long differential runs against Unicorn (see docs/testing-cpu.md). Exit code 1 when a divergence that
 * is not in the allowlist shows up. `--replay SEED:STREAM@BASE --class C` traces one stream step by step;
 * `--raw N` is an exploration over uniformly random encodings (see docs/testing-cpu.md).
 */
import { Command } from 'commander';
import { knownReason } from './allowlist.js';
import { DiffRunner, formatDivergence } from './diff.js';
import { INSN_CLASSES, type InsnClass } from './generators.js';
import { unicornAvailable, unicornUnavailableReason } from './unicorn.js';

const program = new Command()
  .name('fuzz')
  .description('Differential fuzzing of the Cortex-M4 core against Unicorn 2')
  .option('--count <n>', 'instructions in total (e.g. 1e7)', '1e6')
  .option('--seed <n>', 'PRNG seed (default: time-based)')
  .option('--class <c>', `instruction class: ${INSN_CLASSES.join('|')}|all`, 'all')
  .option('--len <n>', 'instructions per stream', '48')
  .option('--max <n>', 'stop after this many new divergences', '20')
  .option('--replay <seed:stream@base>', 'trace one stream (needs --class)')
  .option('--raw <n>', 'exploration: n uniformly random encodings; tally where only one core refuses')
  .parse();

const opts = program.opts<{ count: string; seed?: string; class: string; len: string; max: string; replay?: string; raw?: string }>();
if (!unicornAvailable) {
  console.error(`libunicorn2 not available: ${unicornUnavailableReason()}`);
  process.exit(2);
}
const classes: InsnClass[] = opts.class === 'all' ? [...INSN_CLASSES] : [opts.class as InsnClass];
if (!classes.every((c) => INSN_CLASSES.includes(c))) {
  console.error(`unknown class ${opts.class}`);
  process.exit(2);
}
const runner = new DiffRunner();
let failed = 0;
try {
  if (opts.raw !== undefined) {
    const tally = runner.exploreRaw(Number(opts.raw), Number(opts.seed ?? '1'));
    for (const [k, v] of [...tally].sort((a, b) => b[1].n - a[1].n)) console.log(`${String(v.n).padStart(6)}  ${k}  e.g. 0x${v.example.toString(16)}`);
  } else if (opts.replay !== undefined) {
    const m = /^(\d+):(\d+)@(0x[0-9a-f]+|\d+)$/i.exec(opts.replay);
    if (m === null || classes.length !== 1) throw new Error('--replay wants SEED:STREAM@BASE and one --class');
    const d = runner.runStream(classes[0]!, Number(m[1]), Number(m[2]), Number(opts.len), undefined, Number(m[3]), (l) => console.log(l));
    if (d !== null) {
      console.log(formatDivergence(d));
      failed++;
    } else console.log('no divergence');
  } else {
    const total = Number(opts.count);
    const seed = opts.seed !== undefined ? Number(opts.seed) : Date.now() % 0x7fffffff;
    console.log(`seed ${seed}, ${total} instructions over ${classes.join(', ')}`);
    let done = 0;
    let secs = 0;
    for (const cls of classes) {
      const per = Math.ceil(total / classes.length);
      // Chunks, so progress shows and a long run can be interrupted with partial results.
      for (let chunk = 0; chunk * 100_000 < per; chunk++) {
        const st = runner.run({ cls, seed: (seed + chunk * 0x9e3779b1) >>> 0, instructions: Math.min(100_000, per - chunk * 100_000), streamLength: Number(opts.len), maxDivergences: Number(opts.max), allow: knownReason });
        done += st.executed;
        secs += st.seconds;
        for (const d of st.divergences) console.log(formatDivergence(d));
        failed += st.divergences.length;
        const known = [...st.allowed].map(([t, n]) => `${t}×${n}`).join(', ');
        console.log(`[${cls}] chunk ${chunk}: ${st.executed} insns, ${st.divergences.length} new divergences${known ? `, known: ${known}` : ''}; total ${done} at ${Math.round(done / secs)}/s`);
        if (failed >= Number(opts.max)) break;
      }
      if (failed >= Number(opts.max)) break;
    }
  }
} finally {
  runner.close();
}
process.exit(failed > 0 ? 1 : 0);
