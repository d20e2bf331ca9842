/**
 * `npm run bench`: CPU-bound programs of ours (test/firmware/bin/bench_NAME.elf, built for mps2-an386) run in
 * emboard and, side by side in the same run, in qemu-system-arm. Reports emulated MIPS for both (instructions
 * retired by emboard / wall time of the execute phase; QEMU's start-up is measured with an empty program and
 * subtracted) and the ratio, then writes docs/PERFORMANCE.md. Numbers, not assertions: nothing here fails a build.
 *
 * Options: --reps N (default 3), --only NAME, --no-qemu, --no-write.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, join, relative } from 'node:path';
import { packageRoot } from '../src/core/paths.js';
import { runElfForBench, type BenchRun } from './emboard-runner.js';

interface Row {
  name: string;
  instructions: number;
  emboardMs: number;
  emboardStartupMs: number;
  emboardMips: number;
  qemuMs?: number;
  qemuMips?: number;
  ratio?: number;
  outputMatches?: boolean;
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
  const runs: BenchRun[] = [];
  for (let i = 0; i < reps; i++) runs.push(runElfForBench(elf));
  const best = runs.reduce((a, b) => (a.execMs <= b.execMs ? a : b));
  const row: Row = {
    name,
    instructions: best.instructions,
    emboardMs: best.execMs,
    emboardStartupMs: median(runs.map((r) => r.startupMs)),
    emboardMips: best.instructions / best.execMs / 1000,
  };
  if (qv) {
    const q = Array.from({ length: reps }, () => runQemu(elf));
    const qBest = Math.min(...q.map((x) => x.ms)) - qemuStartup;
    row.qemuMs = Math.max(qBest, 0.001);
    row.qemuMips = best.instructions / row.qemuMs / 1000;
    row.ratio = row.emboardMips / row.qemuMips;
    row.outputMatches = q[0]!.stdout.replace(/\r/g, '') === best.output.replace(/\r/g, '');
  }
  rows.push(row);
  process.stderr.write(`${name}: ${row.emboardMips.toFixed(1)} MIPS${row.qemuMips ? ` vs qemu ${row.qemuMips.toFixed(1)} MIPS` : ''}\n`);
}

const fmt = (v: number | undefined, d = 1) => (v === undefined ? '–' : v.toFixed(d));
const table = [
  '| program | instructions | emboard exec ms | emboard MIPS | qemu exec ms | qemu MIPS | emboard/qemu | same output |',
  '|---|---:|---:|---:|---:|---:|---:|---|',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.instructions} | ${fmt(r.emboardMs)} | ${fmt(r.emboardMips)} | ${fmt(r.qemuMs)} | ${fmt(r.qemuMips)} | ${fmt(r.ratio, 2)} | ${r.outputMatches === undefined ? '–' : r.outputMatches ? 'yes' : 'NO'} |`,
  ),
].join('\n');
process.stdout.write(table + '\n');

if (write) {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const doc = `# Performance

Numbers from \`npm run bench\` (bench/run.ts). Emulated MIPS = instructions retired by emboard / wall time of
the execute phase (machine construction and ELF loading are reported separately as start-up). QEMU runs the
same ELF (\`qemu-system-arm -M mps2-an386 -nographic -semihosting -kernel X.elf\`); its start-up, measured on
the demo program that exits at once, is subtracted, and the instruction count is emboard's for the same
program (the programs are deterministic, so both execute the same instructions). Best of ${reps} runs.

- Date: ${new Date().toISOString().slice(0, 10)}
- Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}
- QEMU: ${qv ?? 'not installed'}${qv ? ` (start-up ${qemuStartup.toFixed(0)} ms subtracted)` : ''}
- emboard start-up (machine + ELF load), median: ${fmt(median(rows.map((r) => r.emboardStartupMs)))} ms
- Command: \`npm run bench\`

${table}

Programs: ${rows.map((r) => `\`${relative(root, elfs.find((e) => basename(e, '.elf') === r.name)!)}\``).join(', ')}.
`;
  writeFileSync(join(root, 'docs/PERFORMANCE.md'), doc);
  process.stderr.write('wrote docs/PERFORMANCE.md\n');
}
