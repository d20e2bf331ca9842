/** The decoded-instruction cache must never run stale code: writes into code drop the affected decodes. */
import { describe, expect, it } from 'vitest';
import { makeCpu, stepN } from '../helpers/cpu-harness.js';

describe('decode cache invalidation', () => {
  it('a second write into an already-invalidated 256-byte block still drops the stale decode', () => {
    // movs r0,#1 ; movs r1,#2 at 0x100, executed once so both are cached.
    const { cpu, bus } = makeCpu([0x2001, 0x2102]);
    stepN(cpu, 2);
    expect([cpu.r[0], cpu.r[1]]).toEqual([1, 2]);
    bus.write16(0x100, 0x2005); // movs r0,#5
    bus.write16(0x102, 0x2107); // movs r1,#7
    cpu.pc = 0x100;
    stepN(cpu, 2);
    expect([cpu.r[0], cpu.r[1]]).toEqual([5, 7]);
  });

  it('a write to the second half of a 32-bit instruction straddling a block boundary is seen', () => {
    // At 0x1fe: mov.w r2, #1 (f04f 0201), crossing the 0x200 block boundary; then change its immediate.
    const code = new Array<number>((0x1fe - 0x100) / 2).fill(0xbf00); // NOPs up to 0x1fe
    const { cpu, bus } = makeCpu([...code, 0xf04f0201]);
    stepN(cpu, code.length + 1);
    expect(cpu.r[2]).toBe(1);
    bus.write16(0x200, 0x0203); // mov.w r2, #3
    cpu.pc = 0x1fe;
    cpu.step();
    expect(cpu.r[2]).toBe(3);
  });

  it('loading new code over executed code (flash programming, loaders) drops decodes', () => {
    const { cpu, bus } = makeCpu([0x2001]);
    cpu.step();
    bus.load(0x100, Uint8Array.of(0x09, 0x20)); // movs r0,#9
    cpu.pc = 0x100;
    cpu.step();
    expect(cpu.r[0]).toBe(9);
  });
});
