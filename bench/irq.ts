/**
 * Interrupt-heavy benchmark: test/firmware/bin/bench_irq.elf (mps2-an386: SysTick 1 kHz, one UART0 RX
 * interrupt per byte, WFI idle) for TICKS ms of virtual time, in emboard (each engine, in-process) and in
 * qemu-system-arm. Reports, for the execute phase:
 * - event overhead: host µs of wall time per interrupt taken (everything included: the handlers' code, the
 *   idle fast-forward, the device models), and
 * - idle fast-forward: virtual seconds per wall second.
 * emboard gets the bytes at a fixed virtual rate (one every RX_PERIOD_MS of virtual time, scheduled on the
 * machine's scheduler); QEMU reads them from a stdin pipe and hands them over as fast as the guest takes
 * them (the CMSDK UART holds one byte; QEMU's chardev waits for room). QEMU runs twice: without icount its
 * virtual clock is the host clock, so it can only idle in real time (fast-forward 1.0 by construction);
 * with `-icount shift=5,sleep=off` (32 ns per instruction, ~31 MHz) virtual time follows the instruction
 * count and WFI skips straight to the next timer, which is the mode comparable to emboard. QEMU's wall time
 * is the process's minus its start-up (the demo program that exits at once, same flags).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineKind } from '../src/cpu/armv7m/cpu.js';
import { Machine } from '../src/core/machine.js';
import { loadImageBytes } from '../src/image/load.js';
import { fmt, median, qemuVersion } from './perf-doc.js';

/** Must match TICKS and RX_BYTES in test/firmware/src/bench_irq.c. */
export const TICKS = 2000;
export const RX_BYTES = 1000;
const RX_PERIOD_MS = 1.5;
const CPU_HZ = 25_000_000;
const QEMU_ICOUNT = 'shift=5,sleep=off';

/** The bytes sent: printable (no QEMU mux escape), deterministic. */
export function irqInput(): Uint8Array {
  return Uint8Array.from({ length: RX_BYTES }, (_, i) => 33 + ((i * 7) % 90));
}

export interface IrqRun {
  startupMs: number;
  execMs: number;
  virtualS: number;
  instructions: number;
  output: string;
  exitCode: number;
}

export function runIrqInEmboard(elf: string, engine: EngineKind): IrqRun {
  const t0 = performance.now();
  const m = new Machine({ board: 'mps2-an386', engine });
  m.cpu.semihosting = {
    call(cpu) {
      if (cpu.r[0] === 0x18) cpu.requestStop('exit', cpu.r[1] === 0x20026 ? 0 : 1);
      else cpu.r[0] = -1;
    },
  };
  m.loadImage(loadImageBytes(new Uint8Array(readFileSync(elf)), elf));
  m.reset();
  const out: number[] = [];
  m.console.onTransmit((b) => out.push(b));
  const input = irqInput();
  const period = Math.round((CPU_HZ * RX_PERIOD_MS) / 1000);
  let sent = 0;
  const rx = m.scheduler.event('bench-rx', () => {
    m.console.inject(input.subarray(sent, sent + 1));
    if (++sent < input.length) m.scheduler.schedule(rx, period);
  });
  m.scheduler.schedule(rx, period);
  // The first instruction allocates the decode cache of the 4 MiB SSRAM1 region (2 M entries): a fixed
  // cost of the machine, counted as start-up rather than as interrupt overhead.
  m.run({ maxInstructions: 1 });
  const c0 = m.cpu.cycles;
  const t1 = performance.now();
  const r = m.run({ timeoutCycles: CPU_HZ * 30 });
  const t2 = performance.now();
  return {
    startupMs: t1 - t0,
    execMs: t2 - t1,
    virtualS: (m.cpu.cycles - c0) / CPU_HZ,
    instructions: r.instructions,
    output: Buffer.from(out).toString('latin1'),
    exitCode: r.reason === 'exit' ? r.exitCode : -1,
  };
}

export function runIrqInQemu(elf: string, icount: boolean): { ms: number; output: string; status: number | null } {
  const args = ['-M', 'mps2-an386', '-nographic', '-semihosting', ...(icount ? ['-icount', QEMU_ICOUNT] : []), '-kernel', elf];
  const t0 = performance.now();
  const r = spawnSync('qemu-system-arm', args, { input: irqInput(), encoding: 'latin1', timeout: 60_000 });
  return { ms: performance.now() - t0, output: (r.stdout ?? '').replace(/\r/g, ''), status: r.status };
}

export interface IrqBenchOptions {
  root: string;
  reps: number;
  engines: EngineKind[];
  useQemu: boolean;
}

interface IrqRow {
  name: string;
  execMs: number;
  virtualS: number;
  output: string;
}

/** Runs the benchmark, prints its table, returns the body of the `irq` block of PERFORMANCE.md. */
export function runIrqBench(o: IrqBenchOptions): string {
  const elf = join(o.root, 'test/firmware/bin/bench_irq.elf');
  const expected = readFileSync(join(o.root, 'test/firmware/expected/bench_irq.txt'), 'latin1');
  const irqs = TICKS + RX_BYTES;
  const rows: IrqRow[] = [];
  for (const engine of o.engines) {
    const runs = Array.from({ length: o.reps }, () => runIrqInEmboard(elf, engine));
    const ms = median(runs.map((r) => r.execMs));
    rows.push({ name: `emboard ${engine}`, execMs: ms, virtualS: runs[0]!.virtualS, output: runs[0]!.output });
    process.stderr.write(`bench_irq [${engine}]: ${fmt((ms * 1000) / irqs, 2)} µs/irq, ${fmt(runs[0]!.virtualS / (ms / 1000))} virtual s/s\n`);
  }
  const qv = o.useQemu ? qemuVersion() : null;
  if (qv !== null) {
    const demo = join(o.root, 'test/firmware/demo/demo.elf');
    for (const icount of [false, true]) {
      const startup = median(Array.from({ length: o.reps }, () => runIrqInQemu(demo, icount).ms));
      const runs = Array.from({ length: o.reps }, () => runIrqInQemu(elf, icount));
      const ms = Math.max(median(runs.map((r) => r.ms)) - startup, 0.001);
      // Virtual time is what the guest waited for: TICKS SysTick periods (the input is done long before).
      rows.push({ name: icount ? `qemu -icount ${QEMU_ICOUNT}` : 'qemu (no icount)', execMs: ms, virtualS: TICKS / 1000, output: runs[0]!.output });
      process.stderr.write(`bench_irq [qemu${icount ? ' icount' : ''}]: ${fmt((ms * 1000) / irqs, 2)} µs/irq\n`);
    }
  }
  const table = [
    '| engine | execute ms | virtual s | interrupts | µs per interrupt | virtual s per wall s | output = QEMU recording |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${fmt(r.execMs)} | ${fmt(r.virtualS, 3)} | ${irqs} | ${fmt((r.execMs * 1000) / irqs, 2)} | ${fmt(r.virtualS / (r.execMs / 1000))} | ${r.output === expected ? 'yes' : 'NO'} |`,
    ),
  ].join('\n');
  process.stdout.write(`${table}\n`);
  return [
    '## Interrupt-heavy: bench_irq',
    '',
    `\`test/firmware/bin/bench_irq.elf\` on mps2-an386: SysTick at 1 kHz for ${TICKS} ticks, ${RX_BYTES} bytes into UART0 with one`,
    'RX interrupt each, WFI in between; it prints a checksum of the bytes (the same text as QEMU 7.2 printed,',
    '`test/firmware/expected/bench_irq.txt`). Interrupts taken = ticks + bytes. µs per interrupt = wall time of',
    'the execute phase / interrupts (handler code and idle skipping included); virtual s per wall s = idle',
    `fast-forward. emboard receives one byte every ${RX_PERIOD_MS} ms of virtual time (scheduler event); QEMU reads`,
    'them from a stdin pipe as fast as the guest takes them. Without icount QEMU\'s virtual clock is the host',
    `clock, so it idles in real time; with \`-icount ${QEMU_ICOUNT}\` virtual time follows the instruction count and`,
    'WFI skips to the next timer (the comparable mode). QEMU wall = process time minus its start-up (demo',
    'program, same flags). emboard\'s execute phase starts after the first instruction (whose fetch allocates',
    `the decode cache of the 4 MiB code region, a fixed cost). Median of ${o.reps} runs, all in one process.`,
    '',
    table,
  ].join('\n');
}
