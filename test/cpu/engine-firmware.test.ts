/**
 * The translating engine must be indistinguishable from the interpreter: every test firmware program runs
 * under both engines and UART output, exit status, stop reason, instruction and cycle counts must match
 * exactly (and match QEMU's recorded output, which the firmware suite checks for the interpreter).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EngineKind } from '../../src/cpu/armv7m/cpu.js';
import { Machine } from '../../src/core/machine.js';
import { loadImageBytes } from '../../src/image/load.js';
import { PROGRAMS, PROGRAM_INPUT, elfPath, expected } from '../firmware/programs.js';

interface Outcome {
  stdout: string;
  reason: string;
  exitCode: number;
  instructions: number;
  cycles: number;
  translated: number;
}

function runProgram(name: string, engine: EngineKind): Outcome {
  const elf = elfPath(name);
  const out: number[] = [];
  const m = new Machine({ board: 'mps2-an386', engine, semihosting: { write: (_s, bytes) => out.push(...bytes) } });
  const io = PROGRAM_INPUT[name];
  let sent = io === undefined;
  m.console.onTransmit((b) => {
    out.push(b);
    if (!sent && Buffer.from(out).toString('latin1').endsWith(io!.after)) {
      sent = true;
      m.console.inject(Buffer.from(io!.input, 'latin1'));
    }
  });
  m.loadImage(loadImageBytes(new Uint8Array(readFileSync(elf)), elf));
  m.reset();
  const r = m.run({ maxInstructions: 200_000_000, timeoutCycles: 25_000_000 * 120 });
  return {
    stdout: Buffer.from(out).toString('latin1'),
    reason: r.reason,
    exitCode: r.exitCode,
    instructions: r.instructions,
    cycles: r.cycles,
    translated: m.cpu.translatedBlocks,
  };
}

describe('jit vs interpreter on the test firmware', () => {
  for (const name of PROGRAMS) {
    it.skipIf(!existsSync(elfPath(name)))(`${name} (skipped when test/firmware/bin/${name}.elf is missing)`, () => {
      const a = runProgram(name, 'interp');
      const b = runProgram(name, 'jit');
      expect(a.translated).toBe(0);
      expect(b.translated).toBeGreaterThan(0);
      expect({ ...b, translated: 0 }).toEqual({ ...a, translated: 0 });
      // Both agree with what QEMU printed.
      const exp = expected(name);
      expect(b.stdout).toBe(exp.stdout);
    }, 60_000);
  }
});
