/**
 * Hand-written programs for the translating engine's exactness at the places a block must stop early:
 * code written by the block itself, an interrupt made pending by a store in the middle of a block, the
 * batch end moved by a device, a fault in the middle of a block, and instruction/cycle limits at every
 * position. Each program runs on both engines; expected values are worked out by hand from the program.
 */
import { describe, expect, it } from 'vitest';
import type { CortexM4 } from '../../src/cpu/armv7m/cpu.js';
import { Exc } from '../../src/cpu/armv7m/faults.js';
import { assembleWords, makeCpu, type Harness } from '../helpers/cpu-harness.js';

const FAULT_HANDLER = 0x80;
const PENDSV_HANDLER = 0xa0;

/** A core with the program at 0x100, fault vectors → FAULT_HANDLER (skips the faulting halfword, counts in r7), PendSV → r6 = r0. */
function machine(code: number[], engine: 'interp' | 'jit', regs: Record<number, number>): Harness {
  const h = makeCpu(code);
  const vt = new Uint8Array(64);
  const dv = new DataView(vt.buffer);
  for (let v = 2; v < 16; v++) dv.setUint32(v * 4, (v === Exc.PendSV ? PENDSV_HANDLER : FAULT_HANDLER) | 1, true);
  h.bus.load(8, vt.subarray(8));
  // ldr r3,[sp,#24]; adds r3,#2; str r3,[sp,#24]; adds r7,#1; bx lr
  h.bus.load(FAULT_HANDLER, assembleWords([0x9b06, 0x3302, 0x9306, 0x3701, 0x4770]));
  // mov r6, r0; bx lr
  h.bus.load(PENDSV_HANDLER, assembleWords([0x4606, 0x4770]));
  h.cpu.engine = engine;
  for (const [k, v] of Object.entries(regs)) h.cpu.r[Number(k)] = v;
  return h;
}

function state(c: CortexM4): unknown {
  return { r: [...c.r], pc: c.pc, cycles: c.cycles, instructions: c.instructions, flags: [c.n, c.z, c.c, c.v], ipsr: c.ipsr };
}

function both(code: number[], regs: Record<number, number>, drive: (h: Harness) => void): [Harness, Harness] {
  const a = machine(code, 'interp', regs);
  const b = machine(code, 'jit', regs);
  drive(a);
  drive(b);
  expect(state(b.cpu)).toEqual(state(a.cpu));
  return [a, b];
}

describe('translating engine: exact where blocks must stop', () => {
  it('a store that rewrites the next instruction of the same block takes effect at once', () => {
    // 0x100 eors r2,r5 ; str r2,[r1] ; (patched: adds r0,#1 / #2) ; adds r3,#1 ; cmp r3,r4 ; bne 0x100 ; b .
    const code = [0x406a, 0x600a, 0x3001, 0x3301, 0x42a3, 0xd1f9, 0xe7fe];
    const [a, b] = both(code, { 1: 0x104, 2: 0x3301_3001, 4: 100, 5: 3 }, (h) => h.cpu.run(100_000));
    // The patched instruction alternates adds #2 / adds #1 each iteration: 50 * 3.
    expect(a.cpu.r[0]).toBe(150);
    expect(b.cpu.r[0]).toBe(150);
    expect(b.cpu.translatedBlocks).toBeGreaterThan(0);
  });

  it('code written by a device during a block (DMA-like) takes effect at the next instruction', () => {
    // 0x100 str r0,[r1] ; adds r3,#1 ; adds r0,#1 (patched to #2 by the 50th store) ; cmp r3,r4 ; bne 0x100 ; b .
    const code = [0x6008, 0x3301, 0x3001, 0x42a3, 0xd1fa, 0xe7fe];
    const mk = (engine: 'interp' | 'jit'): Harness => {
      const h = machine(code, engine, { 1: 0x4000_0000, 4: 100 });
      let writes = 0;
      h.bus.addMmio('dma', 0x4000_0000, 0x1000, {
        read: () => 0,
        write: () => {
          if (++writes === 50) h.bus.write16(0x104, 0x3002);
        },
      });
      h.cpu.run(100_000);
      return h;
    };
    const a = mk('interp');
    const b = mk('jit');
    expect(state(b.cpu)).toEqual(state(a.cpu));
    expect(b.cpu.r[0]).toBe(49 + 51 * 2);
    expect(b.cpu.translatedBlocks).toBeGreaterThan(0);
  });

  it('a fault of a register-only instruction (UDIV by zero, DIV_0_TRP) in mid-block counts exactly', () => {
    // adds r5,#1 ; subs r6,#1 ; udiv r2,r5,r6 ; adds r0,#1 ; cmp r0,r4 ; bne 0x100 ; b .
    const code = [0x3501, 0x3e01, 0xfbb5f2f6, 0x3001, 0x42a0, 0xd1f8, 0xe7fe];
    const [a, b] = both(code, { 4: 30, 6: 20 }, (h) => {
      // HardFault handler that skips 4 bytes (the 32-bit UDIV): ldr r3,[sp,#24]; adds r3,#4; str r3,[sp,#24]; adds r7,#1; bx lr
      h.bus.load(0xc0, assembleWords([0x9b06, 0x3304, 0x9306, 0x3701, 0x4770]));
      h.bus.write32(3 * 4, 0xc1);
      h.cpu.div0Trap = true;
      h.cpu.run(100_000);
    });
    for (const h of [a, b]) {
      expect(h.cpu.r[0]).toBe(30);
      expect(h.cpu.r[7]).toBe(1); // the 20th iteration divides by zero
    }
    expect(b.cpu.translatedBlocks).toBeGreaterThan(0);
  });

  it('an interrupt made pending by a store is taken right after that store', () => {
    const code = [0x3001, 0x6008, 0x3001, 0x3001, 0x42a0, 0xd1f9, 0xe7fe];
    const mk = (engine: 'interp' | 'jit'): Harness => {
      const h = machine(code, engine, { 1: 0x4000_0000, 4: 300 });
      h.bus.addMmio('pend', 0x4000_0000, 0x1000, {
        read: () => 0,
        write: () => {
          h.cpu.exc.setPending(Exc.PendSV);
          h.cpu.irqCheck = true;
        },
      });
      h.cpu.run(100_000);
      return h;
    };
    const a = mk('interp');
    const b = mk('jit');
    expect(state(b.cpu)).toEqual(state(a.cpu));
    // PendSV records r0 as stored by the last iteration (3k + 1 for k = 99), not the loop's final 300.
    expect(b.cpu.r[6]).toBe(298);
    expect(b.cpu.translatedBlocks).toBeGreaterThan(0);
  });

  it('a device lowering the batch end in the middle of a block stops after that instruction', () => {
    const code = [0x3001, 0x6008, 0x3001, 0x3001, 0x42a0, 0xd1f9, 0xe7fe];
    const mk = (engine: 'interp' | 'jit'): Harness => {
      const h = machine(code, engine, { 1: 0x4000_0000, 4: 300 });
      let writes = 0;
      h.bus.addMmio('timer', 0x4000_0000, 0x1000, {
        read: () => 0,
        write: () => {
          if (++writes === 50) h.cpu.runUntil = h.cpu.cycles; // as the scheduler does for an earlier event
        },
      });
      h.cpu.run(100_000);
      return h;
    };
    const a = mk('interp');
    const b = mk('jit');
    expect(state(b.cpu)).toEqual(state(a.cpu));
    expect(b.cpu.pc).toBe(0x104); // right after the 50th store
    expect(b.cpu.r[0]).toBe(3 * 49 + 1);
  });

  it('a fault in the middle of a block commits the instructions before it and restarts at the faulting one', () => {
    // adds r0,#4 ; adds r5,#1 ; ldr r2,[r1,r0] ; adds r6,#1 ; cmp r0,r4 ; bne ; b .
    const code = [0x3004, 0x3501, 0x580a, 0x3601, 0x42a0, 0xd1f9, 0xe7fe];
    const [a, b] = both(code, { 1: 0x2003_ff00, 4: 0x200 }, (h) => h.cpu.run(100_000));
    // 128 iterations; r1 + r0 is past the end of data RAM from r0 = 0x100 on: 65 BusFaults (escalated to HardFault).
    for (const h of [a, b]) {
      expect(h.cpu.r[5]).toBe(128);
      expect(h.cpu.r[6]).toBe(128);
      expect(h.cpu.r[7]).toBe(65);
    }
    expect(b.cpu.translatedBlocks).toBeGreaterThan(0);
  });

  it('instruction limits and cycle ends stop at exactly the same instruction as the interpreter', () => {
    const code = [0x3004, 0x3501, 0x580a, 0x3601, 0x42a0, 0xd1f9, 0xe7fe];
    for (let k = 1; k <= 400; k += 47) {
      both(code, { 1: 0x2003_ff00, 4: 0x200 }, (h) => {
        h.cpu.instructionLimit = 300 + k;
        h.cpu.run(100_000);
      });
      both(code, { 1: 0x2003_ff00, 4: 0x200 }, (h) => {
        h.cpu.run(200 + k);
        h.cpu.run(500 + 3 * k);
      });
    }
  });
});
