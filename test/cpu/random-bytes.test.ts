/**
 * Robustness: random bytes as firmware (random vector table, random code) on a bare core as in the test
 * harness. Whatever the bytes, running them must end in one of the architectural outcomes — instructions
 * execute, faults are delivered to the exception model (a stop reason such as 'lockup'), the core sleeps,
 * or the instruction budget runs out — and never in a host exception escaping (TypeError, RangeError, an
 * assertion, an infinite loop in the decoder...).
 */
import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/core/bus.js';
import { BusError } from '../../src/core/errors.js';
import { CortexM4 } from '../../src/cpu/armv7m/cpu.js';
import { GuestFault } from '../../src/cpu/armv7m/faults.js';
import { Rng } from '../oracle/generators.js';

const SEEDS = Number(process.env.RANDOM_BYTES_SEEDS ?? '3000');
const CODE_SIZE = 0x4000;

/**
 * One machine with the harness layout, reused across seeds (a fresh Bus costs ~60 ms: its page table and
 * decode caches): each seed reloads the code area with random bytes and resets the core.
 */
let machine: { cpu: CortexM4; bus: Bus } | null = null;

/** Code RAM filled with random bytes, vector table random but mostly plausible, core reset. */
function randomMachine(seed: number): { cpu: CortexM4; bus: Bus } {
  const rng = new Rng(seed);
  if (machine === null) {
    const bus = new Bus();
    bus.addRam('code', 0, 0x10_0000);
    bus.addRam('data', 0x2000_0000, 0x4_0000);
    machine = { bus, cpu: new CortexM4(bus) };
  }
  const { bus, cpu } = machine;
  const code = new Uint8Array(CODE_SIZE);
  for (let i = 0; i < code.length; i += 4) new DataView(code.buffer).setUint32(i, rng.u32(), true);
  // Some seeds get "Thumb-looking" code: halfwords drawn from the 16-bit space only, which decodes into
  // many more real instructions (loads/stores/branches) than uniformly random 32-bit patterns.
  if (rng.chance(0.5)) for (let i = 0; i < code.length; i += 2) new DataView(code.buffer).setUint16(i, rng.u32() & 0xe7ff, true);
  const vec = new DataView(code.buffer);
  // SP: usually top of data RAM, sometimes anything. Reset PC: usually inside the code, odd; sometimes anything.
  vec.setUint32(0, rng.chance(0.8) ? 0x2004_0000 : rng.u32(), true);
  vec.setUint32(4, rng.chance(0.8) ? (0x40 + 2 * rng.int((CODE_SIZE - 0x40) / 2)) | 1 : rng.u32(), true);
  // No decode-cache flush: reloading the code through the bus must drop the previous seed's decodes
  // by itself (the self-modifying-code path), so this test exercises that too.
  bus.load(0, code);
  cpu.reset();
  cpu.cycles = 0;
  cpu.instructions = 0;
  cpu.instructionLimit = Infinity;
  return { cpu, bus };
}

function isGuestOutcome(e: unknown): boolean {
  return e instanceof GuestFault || e instanceof BusError;
}

describe('random bytes as firmware never raise a host exception', () => {
  it(`cpu.run(): ${SEEDS} seeds end in execution, a delivered fault, sleep, or the budget`, () => {
    const outcomes = new Map<string, number>();
    let executed = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const { cpu } = randomMachine(seed);
      cpu.instructionLimit = 2000;
      try {
        // A few batches: after WFI/WFE sleep the machine would fast-forward; here we wake it and go on.
        for (let batch = 0; batch < 4 && cpu.stopReason === null && cpu.instructions < cpu.instructionLimit; batch++) {
          cpu.sleeping = false;
          cpu.run(cpu.cycles + 1_000_000);
        }
      } catch (e) {
        throw new Error(`seed ${seed}: host exception escaped cpu.run at pc=0x${cpu.pc.toString(16)}: ${e instanceof Error ? e.stack : String(e)}`);
      }
      executed += cpu.instructions;
      const outcome = cpu.stopReason ?? (cpu.instructions >= cpu.instructionLimit ? 'instruction-limit' : cpu.sleeping ? 'sleep' : 'cycles');
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    console.log(`random firmware: ${SEEDS} seeds, ${executed} instructions; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
    // The run loop stops with a reason; anything outside the StopReason set would be a bug.
    for (const k of outcomes.keys()) expect(['exit', 'breakpoint', 'timeout', 'instruction-limit', 'lockup', 'user', 'halt', 'sleep', 'cycles']).toContain(k);
    // Both kinds of ending must show up, or the test is not exercising anything.
    expect(outcomes.get('lockup') ?? 0).toBeGreaterThan(0);
    expect(executed).toBeGreaterThan(SEEDS);
  });

  it(`cpu.step(): ${SEEDS} seeds only ever throw GuestFault or BusError`, () => {
    let faults = 0;
    let steps = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const { cpu } = randomMachine(seed ^ 0x5a5a5a5a);
      for (let i = 0; i < 500; i++) {
        try {
          cpu.step();
          steps++;
        } catch (e) {
          if (!isGuestOutcome(e)) {
            throw new Error(`seed ${seed ^ 0x5a5a5a5a}: host exception from cpu.step at pc=0x${cpu.pc.toString(16)}: ${e instanceof Error ? e.stack : String(e)}`);
          }
          faults++;
          break; // exception entry is the run loop's job; stepping on would re-execute the faulting instruction
        }
        if (cpu.stopReason !== null || cpu.sleeping) break;
      }
    }
    console.log(`random firmware (step): ${steps} instructions, ${faults} guest faults`);
    expect(faults).toBeGreaterThan(0);
    expect(steps).toBeGreaterThan(SEEDS);
  });

});
