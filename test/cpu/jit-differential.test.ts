/**
 * Random-program differential test: the translating engine against the interpreter (the reference).
 *
 * Programs are random instruction streams from the oracle generators (all classes: ALU, memory, branches with
 * IT blocks, DSP, VFP) laid out in RAM and closed into a loop so blocks become hot and get translated. Register
 * setups are deliberately not applied, so programs also fault, branch wildly and run into garbage; fault
 * handlers skip the faulting halfword, so execution goes on. Some programs point registers into their own code
 * (self-modifying code through stores). Both engines run the same sequence of batches with random cycle ends,
 * random instruction limits and PendSV raised between batches; after every batch the complete architectural
 * state, the counters and memory must be identical.
 */
import { describe, expect, it } from 'vitest';
import type { CortexM4 } from '../../src/cpu/armv7m/cpu.js';
import { Exc } from '../../src/cpu/armv7m/faults.js';
import { INSN_CLASSES, Rng, generateStream, type InsnClass } from '../oracle/generators.js';
import { DATA_BASE, STACK_TOP, assembleWords, makeCpu, type Harness } from '../helpers/cpu-harness.js';

const START = 0x100;
const FAULT_HANDLER = 0x80;
const PENDSV_HANDLER = 0xa0;

function buildProgram(cls: InsnClass, seed: number, smc: boolean): { image: Uint8Array; regs: number[] } {
  const rng = new Rng(seed);
  const stream = generateStream(rng, cls, 120, START);
  const image = new Uint8Array(START + stream.bytes.length + 2);
  const dv = new DataView(image.buffer);
  dv.setUint32(0, STACK_TOP, true);
  dv.setUint32(4, START | 1, true);
  for (let v = 2; v < 32; v++) dv.setUint32(v * 4, (v === Exc.PendSV ? PENDSV_HANDLER : FAULT_HANDLER) | 1, true);
  // Fault handler: stacked PC += 2 (skip a halfword), return. PendSV: plain return.
  image.set(assembleWords([0x9806, 0x3002, 0x9006, 0x4770]), FAULT_HANDLER);
  image.set(assembleWords([0x4770]), PENDSV_HANDLER);
  image.set(stream.bytes, START);
  // Close the loop: B back to START (T2: target = pc + 4 + imm11 * 2).
  const at = START + stream.bytes.length;
  const imm = ((START - (at + 4)) >> 1) & 0x7ff;
  dv.setUint16(at, 0xe000 | imm, true);
  const regs: number[] = [];
  for (let i = 0; i < 13; i++) {
    // Mostly data RAM; with `smc`, a few registers point into the program itself.
    regs.push(smc && i >= 4 && i <= 7 ? START + 8 * rng.int(stream.bytes.length >>> 3) : DATA_BASE + 0x100 * i + 4 * rng.int(32));
  }
  return { image, regs };
}

function boot(image: Uint8Array, regs: number[], engine: 'interp' | 'jit'): Harness {
  const h = makeCpu([]);
  h.bus.load(0, image);
  h.cpu.engine = engine;
  h.cpu.reset();
  h.cpu.cpacr = 0xf << 20;
  regs.forEach((v, i) => (h.cpu.r[i] = v));
  return h;
}

function snapshot(h: Harness): Record<string, unknown> {
  const c: CortexM4 = h.cpu;
  return {
    r: [...c.r],
    s: [...c.s],
    flags: [c.n, c.z, c.c, c.v, c.q, c.ge, c.itstate, c.tbit, c.ipsr, c.control, c.primask, c.fpscr],
    pc: c.pc,
    cycles: c.cycles,
    instructions: c.instructions,
    stop: c.stopReason,
    sleeping: c.sleeping,
    code: Buffer.from(h.bus.readBytes(0, 0x600)).toString('hex'),
    data: Buffer.from(h.bus.readBytes(DATA_BASE, 0x2000)).toString('hex'),
    stack: Buffer.from(h.bus.readBytes(STACK_TOP - 0x200, 0x200)).toString('hex'),
  };
}

function compare(cls: InsnClass, seed: number, smc: boolean): number {
  const { image, regs } = buildProgram(cls, seed, smc);
  const a = boot(image, regs, 'interp');
  const b = boot(image, regs, 'jit');
  const rng = new Rng(seed ^ 0x5a5a);
  for (let batch = 0; batch < 200; batch++) {
    const until = a.cpu.cycles + 1 + rng.int(400);
    const limit = rng.chance(0.3) ? a.cpu.instructions + 1 + rng.int(100) : Infinity;
    const pend = rng.chance(0.1);
    for (const h of [a, b]) {
      h.cpu.instructionLimit = limit;
      if (pend) {
        h.cpu.exc.setPending(Exc.PendSV);
        h.cpu.irqCheck = true;
      }
      h.cpu.run(until);
    }
    expect(snapshot(b), `${cls} seed ${seed} batch ${batch}`).toEqual(snapshot(a));
    if (a.cpu.stopReason !== null) break;
  }
  return b.cpu.translatedBlocks;
}

describe('jit vs interpreter on random programs', () => {
  for (const cls of INSN_CLASSES) {
    it(`${cls} streams`, () => {
      let translated = 0;
      for (let seed = 1; seed <= 6; seed++) translated += compare(cls, seed * 7919 + cls.length, false);
      expect(translated).toBeGreaterThan(0);
    });
  }
  it('self-modifying code (stores into the running program)', () => {
    let translated = 0;
    for (const cls of ['mem', 'alu', 'branch'] as const) for (let seed = 1; seed <= 6; seed++) translated += compare(cls, seed * 104729, true);
    expect(translated).toBeGreaterThan(0);
  });
});
