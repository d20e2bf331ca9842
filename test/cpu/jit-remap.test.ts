/**
 * JIT after a SYSCFG_MEMRMP remap (RM0383 §7.2.1): a block translated through the address-0 alias must not
 * outlive the mapping. The engine used to keep the retired alias region selected (its base, size and block
 * table), so code translated after the remap from SRAM was filed under the old flash alias, and a later write
 * to that SRAM (self-modifying code) did not drop it. Both engines must see the modified instruction.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/core/machine.js';
import type { EngineKind } from '../../src/cpu/armv7m/cpu.js';

const MEMRMP = 0x4001_3800;
const APB2ENR = 0x4002_3844;
const h16 = (...hs: number[]) => new Uint8Array(Uint16Array.from(hs).buffer);

function loopMachine(engine: EngineKind): Machine {
  const m = new Machine({ board: 'NUCLEO_F411RE', engine });
  // Vectors: SP, reset at 0x100 (through the alias at 0). 0x100: adds r1,#1 ; b 0x100.
  m.bus.load(0x0800_0000, new Uint8Array(Uint32Array.of(0x2002_0000, 0x101).buffer));
  m.bus.load(0x0800_0100, h16(0x3101, 0xe7fd));
  // The same offset in SRAM: adds r1,#2 ; b 0x100.
  m.bus.load(0x2000_0100, h16(0x3102, 0xe7fd));
  m.reset();
  return m;
}

describe.each(['interp', 'jit'] as const)('remap under engine %s', (engine) => {
  it('code run through address 0 follows MEM_MODE and later writes to the SRAM behind it', () => {
    const m = loopMachine(engine);
    const step = (n: number) => {
      const before = m.cpu.r[1]!;
      m.run({ maxInstructions: n });
      return m.cpu.r[1]! - before;
    };
    expect(step(200)).toBe(100); // flash: +1 per loop
    if (engine === 'jit') expect(m.cpu.translatedBlocks).toBeGreaterThan(0);
    m.bus.write32(APB2ENR, 1 << 14);
    m.bus.write32(MEMRMP, 3); // SRAM at 0, while the core's PC is in the alias
    expect(step(200)).toBe(200); // SRAM: +2
    m.bus.load(0x2000_0100, h16(0x3103)); // self-modifying code: adds r1,#3
    expect(step(200)).toBe(300);
    m.bus.write32(MEMRMP, 0); // flash again
    expect(step(200)).toBe(100);
  });
});
