/**
 * `npm run bench`: CPU-bound programs of ours (test/firmware/bin/bench_NAME.elf, built for mps2-an386) run in
 * emboard and, side by side in the same run, in qemu-system-arm. Reports emulated MIPS for both (instructions
 * retired by emboard / wall time of the execute phase; QEMU's start-up is measured with an empty program and
 * subtracted) and the ratio, then writes docs/PERFORMANCE.md. Numbers, not assertions: nothing here fails a build.
 *
 * Options: --reps N (default 3), --only NAME, --no-qemu, --no-write, --engine interp|jit|both (default both).
 * Each engine's figure is the median of the N runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, join, relative } from 'node:path';
import { packageRoot } from '../src/core/paths.js';
import type { EngineKind } from '../src/cpu/armv7m/cpu.js';
import { runElfForBench, type BenchRun } from './emboard-runner.js';

interface EngineRow {
  ms: number;
  mips: number;
  startupMs: number;
  output: string;
  instructions: number;
  cycles: number;
}

interface Row {
  name: string;
  instructions: number;
  engines: Partial<Record<EngineKind, EngineRow>>;
  qemuMs?: number;
  qemuMips?: number;
  outputMatches?: boolean;
  /** Both engines retired the same instructions and cycles and printed the same output. */
  enginesAgree?: boolean;
}

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const reps = Number(opt('--reps') ?? 3);
const only = opt('--only');
const useQemu = !args.includes('--no-qemu');
const write = !args.includes('--no-write');
const engineArg = opt('--engine') ?? 'both';
if (!['interp', 'jit', 'both'].includes(engineArg)) {
  process.stderr.write(`bench: --engine must be interp, jit or both (got ${engineArg})\n`);
  process.exit(2);
}
const engines: EngineKind[] = engineArg === 'both' ? ['interp', 'jit'] : [engineArg as EngineKind];

function findBenchElfs(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...findBenchElfs(p));
    else if (/^bench_.*\.elf$/.test(e)) out.push(p);
  }
  return out.sort();
}

function qemuVersion(): string | null {
  try {
    return execFileSync('qemu-system-arm', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
  } catch {
    return null;
  }
}

function runQemu(elf: string): { ms: number; stdout: string; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync('qemu-system-arm', ['-M', 'mps2-an386', '-nographic', '-semihosting', '-kernel', elf], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { ms: performance.now() - t0, stdout: r.stdout ?? '', status: r.status };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const root = packageRoot();
const elfs = findBenchElfs(join(root, 'test/firmware')).filter((p) => !only || basename(p).includes(only));
if (elfs.length === 0) {
  process.stderr.write('bench: no bench_*.elf under test/firmware (run make -C test/firmware)\n');
  process.exit(1);
}
const qv = useQemu ? qemuVersion() : null;
// QEMU start-up: the demo exits immediately after a few thousand instructions.
const qemuStartup = qv ? median(Array.from({ length: reps }, () => runQemu(join(root, 'test/firmware/demo/demo.elf')).ms)) : 0;

const rows: Row[] = [];
for (const elf of elfs) {
  const name = basename(elf, '.elf');
  const row: Row = { name, instructions: 0, engines: {} };
  for (const engine of engines) {
    const runs: BenchRun[] = [];
    for (let i = 0; i < reps; i++) runs.push(runElfForBench(elf, engine));
    const ms = median(runs.map((r) => r.execMs));
    const r0 = runs[0]!;
    row.instructions = r0.instructions;
    row.engines[engine] = { ms, mips: r0.instructions / ms / 1000, startupMs: median(runs.map((r) => r.startupMs)), output: r0.output, instructions: r0.instructions, cycles: r0.cycles };
    process.stderr.write(`${name} [${engine}]: ${(r0.instructions / ms / 1000).toFixed(1)} MIPS\n`);
  }
  const results = Object.values(row.engines);
  if (results.length > 1) row.enginesAgree = results.every((e) => e.output === results[0]!.output && e.instructions === results[0]!.instructions && e.cycles === results[0]!.cycles);
  if (qv) {
    const q = Array.from({ length: reps }, () => runQemu(elf));
    row.qemuMs = Math.max(median(q.map((x) => x.ms)) - qemuStartup, 0.001);
    row.qemuMips = row.instructions / row.qemuMs / 1000;
    row.outputMatches = q[0]!.stdout.replace(/\r/g, '') === results[0]!.output.replace(/\r/g, '');
    process.stderr.write(`${name} [qemu]: ${row.qemuMips.toFixed(1)} MIPS\n`);
  }
  rows.push(row);
}

const fmt = (v: number | undefined, d = 1) => (v === undefined ? '–' : v.toFixed(d));
const yesNo = (v: boolean | undefined) => (v === undefined ? '–' : v ? 'yes' : 'NO');
const table = [
  `| program | instructions | ${engines.map((e) => `${e} ms | ${e} MIPS`).join(' | ')} | qemu ms | qemu MIPS | ${engines.map((e) => `${e}/qemu`).join(' | ')} | output = qemu |${engines.length > 1 ? ' engines agree |' : ''}`,
  `|---|---:|${engines.map(() => '---:|---:|').join('')}---:|---:|${engines.map(() => '---:|').join('')}---|${engines.length > 1 ? '---|' : ''}`,
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.instructions} | ${engines.map((e) => `${fmt(r.engines[e]?.ms)} | ${fmt(r.engines[e]?.mips)}`).join(' | ')} | ${fmt(r.qemuMs)} | ${fmt(r.qemuMips)} | ${engines
        .map((e) => fmt(r.qemuMips && r.engines[e] ? r.engines[e].mips / r.qemuMips : undefined, 2))
        .join(' | ')} | ${yesNo(r.outputMatches)} |${engines.length > 1 ? ` ${yesNo(r.enginesAgree)} |` : ''}`,
  ),
].join('\n');
process.stdout.write(table + '\n');

/** The fixed part of docs/PERFORMANCE.md that explains the engines and how to measure. */
const ENGINES_DOC = [
  '## Execution engines',
  '',
  'emboard has two CPU engines, chosen with `emboard run --engine interp|jit` (Machine/CortexM4 option `engine`,',
  'default `interp`):',
  '',
  '- **interp** (src/cpu/armv7m/cpu.ts): the reference interpreter. Each instruction is decoded once per address',
  '  into a `DecodedInsn` (cached per code region, indexed by halfword, dropped when code memory is written);',
  '  the loop fetches the cached decode and calls its executor.',
  '- **jit** (src/cpu/armv7m/jit/): a basic-block translator. A block start reached 8 times is translated: up',
  '  to 48 straight-line instructions (ending at branches, PC writes, IT, hints and system instructions) become',
  "  one JavaScript function built with `new Function`, which calls each instruction's own executor with its",
  '  `DecodedInsn` (monomorphic call sites that V8 can inline). Cycle/instruction accounting is summed and',
  '  committed only before instructions that can observe it (memory, system) and at exits; `nextPc` is checked',
  '  after every instruction that can name the PC, and after memory/system instructions the block also leaves for a pending interrupt',
  '  check, sleep/stop, a moved batch end, the MPU fetch check or a code write. IT blocks, MPU-checked fetches,',
  '  traces, cold code and the tail of a batch whose budget is smaller than a block run in the interpreter, so',
  '  limits, faults (at the faulting instruction, the preceding ones committed) and interrupts land exactly where',
  '  the interpreter puts them. test/cpu/engine-firmware.test.ts, jit-differential.test.ts and',
  '  jit-exactness.test.ts require identical output, state, instruction and cycle counts from both engines.',
  '',
  'All programs run in one Node process, engine after engine; the machine may be shared with other work, so',
  'compare engines within one table rather than across dates.',
  '',
].join('\n');

if (write) {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const doc = `# Performance

Numbers from \`npm run bench\` (bench/run.ts). Emulated MIPS = instructions retired by emboard / wall time of
the execute phase (machine construction and ELF loading are reported separately as start-up). QEMU runs the
same ELF (\`qemu-system-arm -M mps2-an386 -nographic -semihosting -kernel X.elf\`); its start-up, measured on
the demo program that exits at once, is subtracted, and the instruction count is emboard's for the same
program (the programs are deterministic, so both execute the same instructions). Median of ${reps} runs.

- Date: ${new Date().toISOString().slice(0, 10)}
- Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}
- QEMU: ${qv ?? 'not installed'}${qv ? ` (start-up ${qemuStartup.toFixed(0)} ms subtracted)` : ''}
- emboard start-up (machine + ELF load), median: ${fmt(median(rows.flatMap((r) => Object.values(r.engines).map((e) => e.startupMs))))} ms
- Command: \`npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}\`

${table}

${ENGINES_DOC}
Programs: ${rows.map((r) => `\`${relative(root, elfs.find((e) => basename(e, '.elf') === r.name)!)}\``).join(', ')}.
`;
  writeFileSync(join(root, 'docs/PERFORMANCE.md'), doc);
  process.stderr.write('wrote docs/PERFORMANCE.md\n');
}
