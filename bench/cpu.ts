/**
 * CPU-bound benchmark: our programs (test/firmware/bin/bench_NAME.elf, mps2-an386) in emboard and, side by
 * side in the same run, in qemu-system-arm. Emulated MIPS = instructions retired by emboard / wall time of the
 * execute phase (QEMU's start-up is measured with an empty program and subtracted); median of the runs.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { EngineKind } from '../src/cpu/armv7m/cpu.js';
import { runElfForBench, type BenchRun } from './emboard-runner.js';
import { fmt, median, qemuVersion } from './perf-doc.js';

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

export interface CpuBenchOptions {
  root: string;
  reps: number;
  engines: EngineKind[];
  useQemu: boolean;
  /** Substring of the program names to run. */
  only?: string;
}

/** bench_*.elf except the interrupt benchmark (bench/irq.ts), which is not CPU-bound. */
function findBenchElfs(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...findBenchElfs(p));
    else if (/^bench_.*\.elf$/.test(e) && e !== 'bench_irq.elf') out.push(p);
  }
  return out.sort();
}

function runQemu(elf: string): { ms: number; stdout: string; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync('qemu-system-arm', ['-M', 'mps2-an386', '-nographic', '-semihosting', '-kernel', elf], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { ms: performance.now() - t0, stdout: r.stdout ?? '', status: r.status };
}

/** The fixed text of the cpu block that explains the engines. */
const ENGINES_DOC = [
  '### Execution engines',
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
].join('\n');

/** Runs the benchmark, prints its table, returns the body of the `cpu` block of PERFORMANCE.md. */
export function runCpuBench(o: CpuBenchOptions): string {
  const { root, reps, engines } = o;
  const elfs = findBenchElfs(join(root, 'test/firmware')).filter((p) => !o.only || basename(p).includes(o.only));
  if (elfs.length === 0) throw new Error('no bench_*.elf under test/firmware (run make -C test/firmware)');
  const qv = o.useQemu ? qemuVersion() : null;
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

  return [
    '## CPU-bound programs',
    '',
    'Emulated MIPS = instructions retired by emboard / wall time of the execute phase (machine construction and',
    'ELF loading are reported separately as start-up). QEMU runs the same ELF (`qemu-system-arm -M mps2-an386',
    '-nographic -semihosting -kernel X.elf`); its start-up, measured on the demo program that exits at once, is',
    'subtracted, and the instruction count is emboard\'s for the same program (the programs are deterministic, so',
    `both execute the same instructions). Median of ${reps} runs.`,
    '',
    `- QEMU start-up subtracted: ${qv ? `${qemuStartup.toFixed(0)} ms` : '–'}`,
    `- emboard start-up (machine + ELF load), median: ${fmt(median(rows.flatMap((r) => Object.values(r.engines).map((e) => e.startupMs))))} ms`,
    '',
    table,
    '',
    `Programs: ${rows.map((r) => `\`${relative(root, elfs.find((e) => basename(e, '.elf') === r.name)!)}\``).join(', ')}.`,
    '',
    ENGINES_DOC,
  ].join('\n');
}
