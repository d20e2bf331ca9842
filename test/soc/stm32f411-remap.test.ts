/**
 * SYSCFG_MEMRMP at run time (RM0383 §7.2.1): the alias at 0 follows MEM_MODE, a system reset restores the
 * boot pins' choice, and Bus.remapAlias drops decodes cached from the old mapping. The firmware side
 * (code running at address 0 while it remaps) is test/firmware/f411/src/remap.c.
 */
import { describe, expect, it } from 'vitest';
import { Bus, RegionKind } from '../../src/core/bus.js';
import { Machine } from '../../src/core/machine.js';
import type { Stm32f411Instance } from '../../src/soc/stm32f411/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadImageBytes } from '../../src/image/load.js';
import { F411_BIN, runF411Program } from '../firmware/f411/programs.js';

const MEMRMP = 0x4001_3800;
const APB2ENR = 0x4002_3844;

describe('STM32F411 memory remap', () => {
  it('address 0 follows MEM_MODE; a pin reset maps the boot memory again', () => {
    const m = new Machine({ board: 'NUCLEO_F411RE' });
    const soc = m.soc as Stm32f411Instance;
    m.bus.load(0x0800_0000, Uint8Array.of(0x11, 0x22, 0x33, 0x44));
    m.bus.write32(0x2000_0000, 0x5566_7788);
    expect(m.bus.read32(0) >>> 0).toBe(0x4433_2211);
    m.bus.write32(APB2ENR, 1 << 14);
    m.bus.write32(MEMRMP, 3);
    expect(m.bus.read32(0) >>> 0).toBe(0x5566_7788);
    expect(m.bus.regionAt(0)!.storage).toBe(soc.sram);
    expect(() => m.bus.read32(0x2_0000)).toThrow(); // SRAM alias is 128 KiB: beyond it nothing answers
    m.bus.write32(MEMRMP, 1);
    expect(m.bus.read32(0) >>> 0).toBe(0x2002_0000);
    expect(m.bus.read32(0x7a22) & 0xffff).toBe(512); // flash size word through the alias
    m.bus.write32(MEMRMP, 3);
    m.reset('pin');
    expect(m.bus.read32(MEMRMP)).toBe(0);
    expect(m.bus.read32(0) >>> 0).toBe(0x4433_2211);
    expect(m.bus.read32(0x2000_0000) >>> 0).toBe(0x5566_7788); // RAM kept across the reset
  });

  it('boot: "sram" starts with SRAM at 0 and MEMRMP = 3', () => {
    const m = new Machine({ board: { ...new Machine({ board: 'NUCLEO_F411RE' }).board, options: { boot: 'sram' } } });
    m.bus.write32(APB2ENR, 1 << 14);
    expect(m.bus.read32(MEMRMP) & 3).toBe(3);
    m.bus.write32(0x2000_0010, 0x1234_5678);
    expect(m.bus.read32(0x10)).toBe(0x1234_5678);
  });

  it('Bus.remapAlias retires the old region and invalidates its decodes', () => {
    const bus = new Bus();
    const a = bus.addRom('a', 0x1000_0000, 0x2000);
    const b = bus.addRam('b', 0x2000_0000, 0x1000);
    bus.addAlias('alias', 0, a, 0, 0x2000, RegionKind.ROM);
    const old = bus.regionAt(0)!;
    const seen: [number, number][] = [];
    a.onCodeWrite((o, l) => seen.push([o, l]));
    a.codeWatch[1] = 1; // block 1 holds decoded code
    bus.remapAlias('alias', b, 0, 0x1000, RegionKind.RAM);
    expect(old.contains(0)).toBe(false);
    expect(bus.regionAt(0)!.storage).toBe(b);
    expect(bus.regionAt(0x1800)).toBeUndefined();
    expect(seen).toEqual([[0x100, 0x100]]);
    bus.write32(4, 7);
    expect(b.view.getUint32(4, true)).toBe(7);
  });

  it('the remap firmware passes every check (code running at 0 while it remaps)', () => {
    const r = runF411Program('remap');
    expect(r.stdout).not.toContain('FAIL');
    expect(r.stdout).toContain('ok switch to SRAM while running at 0: next instructions from SRAM');
    expect(r.status).toBe(0);
  });

  it('the same with the block-translating engine (--engine jit)', () => {
    const out: number[] = [];
    const m = new Machine({ board: 'NUCLEO_F411RE', engine: 'jit', semihosting: { write: (_s, b) => void out.push(...b) } });
    m.console.onTransmit((b) => void out.push(b));
    const elf = join(F411_BIN, 'remap.elf');
    m.loadImage(loadImageBytes(new Uint8Array(readFileSync(elf)), elf));
    m.reset();
    const r = m.run({ maxInstructions: 5_000_000 });
    const text = Buffer.from(out).toString('latin1');
    expect(text).not.toContain('FAIL');
    expect(text).toContain('ok switch back to flash while running from SRAM at 0');
    expect(r.reason).toBe('exit');
    expect(r.exitCode).toBe(0);
  });
});
