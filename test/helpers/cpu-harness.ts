/**
 * Test harness for instruction tests: a bare Cortex-M4 with RAM at 0x0 (code) and 0x20000000 (data),
 * code given as halfwords or 32-bit Thumb-2 words (hw1 << 16 | hw2), run for a number of instructions.
 */
import { Bus } from '../../src/core/bus.js';
import { CortexM4 } from '../../src/cpu/armv7m/cpu.js';

export const CODE_BASE = 0x0000_0000;
export const DATA_BASE = 0x2000_0000;
export const STACK_TOP = 0x2001_0000;

export interface Harness {
  bus: Bus;
  cpu: CortexM4;
}

/** Encodes instructions into little-endian halfwords. Numbers > 0xffff are 32-bit Thumb-2 (hw1 first). */
export function assembleWords(insns: readonly number[]): Uint8Array {
  const out: number[] = [];
  for (const i of insns) {
    if (i > 0xffff) {
      const hw1 = i >>> 16;
      const hw2 = i & 0xffff;
      out.push(hw1 & 0xff, hw1 >>> 8, hw2 & 0xff, hw2 >>> 8);
    } else out.push(i & 0xff, i >>> 8);
  }
  return Uint8Array.from(out);
}

/** A core with RAM code at 0 (1 MiB) and data at 0x20000000 (256 KiB), reset vector pointing at 0x100. */
export function makeCpu(code: readonly number[] = [], codeAt = 0x100): Harness {
  const bus = new Bus();
  bus.addRam('code', CODE_BASE, 0x10_0000);
  bus.addRam('data', DATA_BASE, 0x4_0000);
  const vec = new Uint8Array(8);
  new DataView(vec.buffer).setUint32(0, STACK_TOP, true);
  new DataView(vec.buffer).setUint32(4, codeAt | 1, true);
  bus.load(0, vec);
  bus.load(codeAt, assembleWords(code));
  const cpu = new CortexM4(bus);
  cpu.reset();
  return { bus, cpu };
}

/** Executes `count` instructions one by one (faults propagate as thrown GuestFault/BusError). */
export function stepN(cpu: CortexM4, count: number): void {
  for (let i = 0; i < count; i++) cpu.step();
}

/** Runs `code` with the given registers set, for as many instructions as there are in `code`. */
export function exec(code: readonly number[], regs: Partial<Record<number, number>> = {}, flags: Partial<{ n: number; z: number; c: number; v: number; q: number; ge: number }> = {}): Harness {
  const h = makeCpu(code);
  for (const [k, v] of Object.entries(regs)) h.cpu.r[Number(k)] = v!;
  Object.assign(h.cpu, flags);
  stepN(h.cpu, code.length);
  return h;
}

/** A core with `code` at 0x100, registers set, and `words` stored from DATA_BASE upward. */
export function makeCpuWithData(code: readonly number[], regs: Record<number, number> = {}, words: readonly number[] = []): Harness {
  const h = makeCpu(code);
  words.forEach((w, i) => h.bus.write32(DATA_BASE + 4 * i, w));
  for (const [k, v] of Object.entries(regs)) h.cpu.r[Number(k)] = v;
  return h;
}

/** What `f` throws (a GuestFault, BusError, …), or null when it returns. */
export function thrown(f: () => void): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
}
