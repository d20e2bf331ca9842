/**
 * Boot benchmark: wall time from process start of `node dist/src/cli/main.js run -b NUCLEO_F411RE …` (CLI
 * start-up included) to the first console byte and to the `>>> ` prompt, and the emulator's RSS at the
 * prompt (VmRSS and the peak VmHWM from /proc/PID/status). Programs:
 * - our fixture test/firmware/f411/bin/prompt.elf (MicroPython's clock set-up, banner, prompt); Enter ends it;
 * - MicroPython when EMBOARD_MPY_ELF names its firmware.elf (docs/real-firmware.md). It runs with a --flash
 *   file in a temporary folder; the first run formats the filesystem (2.9 s of virtual time) and is not
 *   counted, so the figures are for a board whose filesystem exists.
 * Also times the parts before the run: `node -e 0` (Node itself) and `emboard run --help` (Node + the modules
 * `run` imports), so the remainder is board construction, image loading and emulation.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, median } from './perf-doc.js';

export interface BootRun {
  firstByteMs: number;
  promptMs: number;
  rssMb: number;
  hwmMb: number;
}

function procKb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** One run of the CLI until `prompt` appears on stdout; then `finish` (text typed, or a kill). */
export function bootOnce(root: string, args: string[], prompt: string, finish: string | null, timeoutMs = 60_000): Promise<BootRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(root, 'dist/src/cli/main.js'), 'run', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let firstByteMs = NaN;
    let result: BootRun | null = null;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`boot: no ${JSON.stringify(prompt)} within ${timeoutMs} ms (output ${JSON.stringify(out.slice(-200))}, stderr ${err.slice(-300)})`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => (err += d.toString('latin1')));
    child.stdout.on('data', (d: Buffer) => {
      const t = performance.now() - t0;
      if (Number.isNaN(firstByteMs)) firstByteMs = t;
      out += d.toString('latin1');
      if (result === null && out.includes(prompt)) {
        result = { firstByteMs, promptMs: t, rssMb: procKb(child.pid!, 'VmRSS') / 1024, hwmMb: procKb(child.pid!, 'VmHWM') / 1024 };
        if (finish === null) child.kill('SIGTERM');
        else child.stdin.write(finish);
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      if (result !== null) resolve(result);
      else reject(new Error(`boot: exited before ${JSON.stringify(prompt)}: ${err.slice(-300)}`));
    });
  });
}

/**
 * In a fresh Node process (dist JS): ms from the script's start to the end of each phase of what
 * `emboard run` does: importing the run command's modules, building the board, loading the image, running
 * to the prompt.
 */
const PHASES_SCRIPT = `
const t0 = performance.now();
const out = {};
const lap = (k) => { out[k] = performance.now() - t0; };
const [root, elf] = process.argv.slice(1);
await import(root + '/dist/src/cli/commands/run.js');
const { Machine } = await import(root + '/dist/src/core/machine.js');
const { loadImageBytes } = await import(root + '/dist/src/image/load.js');
const { readFileSync } = await import('node:fs');
lap('import');
const m = new Machine({ board: 'NUCLEO_F411RE' });
lap('machine');
m.loadImage(loadImageBytes(new Uint8Array(readFileSync(elf)), elf));
m.reset();
lap('load');
let s = '';
m.uart('usart2').onTransmit((b) => { s += String.fromCharCode(b); if (s.endsWith('>>> ')) m.cpu.requestStop('exit', 0); });
m.run({ maxInstructions: 5e6 });
lap('run');
process.stdout.write(JSON.stringify(out));
`;

type Phases = Record<'import' | 'machine' | 'load' | 'run', number>;

function phasesOnce(root: string, elf: string): Phases {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', PHASES_SCRIPT, root, elf], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`boot phases: ${r.stderr}`);
  return JSON.parse(r.stdout) as Phases;
}

function wallMs(cmd: string, args: string[]): number {
  const t0 = performance.now();
  spawnSync(cmd, args, { stdio: 'ignore' });
  return performance.now() - t0;
}

export interface BootBenchOptions {
  root: string;
  reps: number;
}

interface BootRow {
  name: string;
  runs: BootRun[];
}

/** Runs the benchmark, prints its table, returns the body of the `boot` block of PERFORMANCE.md. */
export async function runBootBench(o: BootBenchOptions): Promise<string> {
  const main = join(o.root, 'dist/src/cli/main.js');
  if (!existsSync(main)) throw new Error('boot benchmark: dist/src/cli/main.js missing (npm run build)');
  const reps = Math.max(o.reps, 3);
  const nodeMs = median(Array.from({ length: reps }, () => wallMs(process.execPath, ['-e', '0'])));
  const helpMs = median(Array.from({ length: reps }, () => wallMs(process.execPath, [main, 'run', '--help'])));
  const fixture = join(o.root, 'test/firmware/f411/bin/prompt.elf');
  const ph = Array.from({ length: reps }, () => phasesOnce(o.root, fixture));
  const at = (k: keyof Phases) => median(ph.map((p) => p[k]));
  const phases = `import ${fmt(at('import'), 0)} ms, board construction ${fmt(at('machine') - at('import'), 0)} ms, image load ${fmt(at('load') - at('machine'), 0)} ms, run to the prompt ${fmt(at('run') - at('load'), 0)} ms`;
  const rows: BootRow[] = [];
  for (const engine of ['interp', 'jit']) {
    const runs: BootRun[] = [];
    for (let i = 0; i < reps; i++) runs.push(await bootOnce(o.root, ['-b', 'NUCLEO_F411RE', '--semihosting', '--engine', engine, fixture], '>>> ', '\r'));
    rows.push({ name: `prompt.elf (fixture), ${engine}`, runs });
  }
  const mpy = process.env['EMBOARD_MPY_ELF'];
  let mpyNote = 'MicroPython: skipped (set EMBOARD_MPY_ELF to its firmware.elf, see docs/real-firmware.md).';
  if (mpy !== undefined && existsSync(mpy)) {
    const dir = mkdtempSync(join(tmpdir(), 'emboard-bench-'));
    try {
      const flash = join(dir, 'flash.bin');
      for (const engine of ['interp', 'jit']) {
        const args = ['-b', 'NUCLEO_F411RE', '--engine', engine, '--flash', flash, mpy];
        if (!existsSync(flash)) await bootOnce(o.root, args, '>>> ', null, 300_000); // formats the filesystem
        const runs: BootRun[] = [];
        for (let i = 0; i < reps; i++) runs.push(await bootOnce(o.root, args, '>>> ', null));
        rows.push({ name: `MicroPython, filesystem present, ${engine}`, runs });
      }
      mpyNote = `MicroPython: \`${mpy}\` (EMBOARD_MPY_ELF), with a --flash file formatted by an uncounted first run.`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const table = [
    '| program, engine | first byte ms | prompt ms | RSS at prompt MB | peak RSS MB |',
    '|---|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${fmt(median(r.runs.map((x) => x.firstByteMs)), 0)} | ${fmt(median(r.runs.map((x) => x.promptMs)), 0)} | ${fmt(median(r.runs.map((x) => x.rssMb)))} | ${fmt(median(r.runs.map((x) => x.hwmMb)))} |`,
    ),
  ].join('\n');
  process.stdout.write(`node -e 0: ${nodeMs.toFixed(0)} ms; emboard run --help: ${helpMs.toFixed(0)} ms; after Node's start-up: ${phases}\n${table}\n`);
  return [
    '## Boot: NUCLEO_F411RE, process start to prompt',
    '',
    'Wall time from spawning `node dist/src/cli/main.js run -b NUCLEO_F411RE [--semihosting] --engine E FILE`',
    '(Node and CLI start-up included) to the first byte on stdout and to `>>> `, and the process\'s RSS',
    '(/proc/PID/status VmRSS, and the peak VmHWM) at the prompt. Fixture: `test/firmware/f411/src/prompt.c`',
    `(HSE 8 MHz bypass, PLL to 96 MHz, USART2 at BRR 0xD0, banner, \`>>> \`). Median of ${reps} runs.`,
    `Targets (issue 6): prompt < 100 ms, RSS < 100 MB.`,
    '',
    `- Where the time goes: \`node -e 0\` ${nodeMs.toFixed(0)} ms (Node itself); \`emboard run --help\` ${helpMs.toFixed(0)} ms (Node + the`,
    '  modules `run` imports); the rest of "prompt ms" is board construction, image loading and emulation.',
    `- The same steps timed inside one fresh Node process (fixture, interp; from the script's start): ${phases}.`,
    `- ${mpyNote}`,
    '',
    table,
  ].join('\n');
}
