/**
 * `npm run bench`: the benchmarks of issue 6, each writing its own generated block of docs/PERFORMANCE.md
 * (bench/perf-doc.ts; hand-written text outside the blocks is kept):
 * - cpu  (bench/cpu.ts): CPU-bound programs, emboard vs qemu-system-arm, emulated MIPS;
 * - irq  (bench/irq.ts): interrupt-heavy program, µs per interrupt and idle fast-forward;
 * - boot (bench/boot.ts): NUCLEO_F411RE process start to prompt through the CLI, RSS at the prompt.
 * Numbers, not assertions: nothing here fails a build.
 *
 * Options: --kind cpu,irq,boot (default all), --reps N (default 3), --only NAME (cpu programs), --no-qemu,
 * --no-write, --doc PATH (default docs/PERFORMANCE.md), --engine interp|jit|both (default both).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../src/core/paths.js';
import type { EngineKind } from '../src/cpu/armv7m/cpu.js';
import { runBootBench } from './boot.js';
import { runCpuBench } from './cpu.js';
import { runIrqBench } from './irq.js';
import { conditions, replaceBlock } from './perf-doc.js';

const KINDS = ['cpu', 'irq', 'boot'] as const;
type Kind = (typeof KINDS)[number];

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const fail = (msg: string): never => {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
};
const reps = Number(opt('--reps') ?? 3);
if (!Number.isInteger(reps) || reps < 1) fail(`--reps must be a positive integer (got ${opt('--reps')})`);
const useQemu = !args.includes('--no-qemu');
const write = !args.includes('--no-write');
const engineArg = opt('--engine') ?? 'both';
if (!['interp', 'jit', 'both'].includes(engineArg)) fail(`--engine must be interp, jit or both (got ${engineArg})`);
const engines: EngineKind[] = engineArg === 'both' ? ['interp', 'jit'] : [engineArg as EngineKind];
const kinds = (opt('--kind') ?? KINDS.join(',')).split(',') as Kind[];
for (const k of kinds) if (!KINDS.includes(k)) fail(`--kind takes ${KINDS.join(', ')} (got ${k})`);

const root = packageRoot();
const docPath = resolve(opt('--doc') ?? join(root, 'docs/PERFORMANCE.md'));
const command = `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;

for (const kind of kinds) {
  // Conditions are taken before each kind runs, so the load average is the one it ran under.
  const head = conditions(command);
  let body: string;
  if (kind === 'cpu') body = runCpuBench({ root, reps, engines, useQemu, only: opt('--only') });
  else if (kind === 'irq') body = runIrqBench({ root, reps, engines, useQemu });
  else body = await runBootBench({ root, reps });
  // The section heading stays first; the conditions follow it.
  const [heading, ...rest] = body.split('\n');
  const block = [heading, '', ...head, ...rest].join('\n');
  if (write) {
    const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Performance\n';
    writeFileSync(docPath, replaceBlock(doc, kind, block));
    process.stderr.write(`wrote the ${kind} block of ${docPath}\n`);
  }
}
