/** Runs one ELF on mps2-an386 in-process and times start-up and the execute phase separately. */
import { readFileSync } from 'node:fs';
import type { EngineKind } from '../src/cpu/armv7m/cpu.js';
import { Machine } from '../src/core/machine.js';
import { loadImageBytes } from '../src/image/load.js';

export interface BenchRun {
  startupMs: number;
  execMs: number;
  instructions: number;
  reason: string;
  output: string;
  cycles: number;
}

export function runElfForBench(path: string, engine: EngineKind = 'interp', board = 'mps2-an386'): BenchRun {
  const t0 = performance.now();
  const m = new Machine({ board, engine });
  m.cpu.semihosting = {
    // Exit-only semihosting, enough for the benchmarks' SYS_EXIT.
    call(cpu) {
      if (cpu.r[0] === 0x18) cpu.requestStop('exit', cpu.r[1] === 0x20026 ? 0 : 1);
      else cpu.r[0] = -1;
    },
  };
  m.loadImage(loadImageBytes(new Uint8Array(readFileSync(path)), path));
  m.reset();
  const chunks: number[] = [];
  m.console.onTransmit((b) => chunks.push(b));
  const t1 = performance.now();
  const r = m.run({ timeoutCycles: 25_000_000 * 600 });
  const t2 = performance.now();
  return {
    startupMs: t1 - t0,
    execMs: t2 - t1,
    instructions: r.instructions,
    reason: r.reason,
    cycles: r.cycles,
    output: Buffer.from(chunks).toString('latin1'),
  };
}
