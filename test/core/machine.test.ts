/** Machine-level properties: determinism, no shared state between machines, sleep fast-forward, limits. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/core/machine.js';
import { loadImageFile } from '../../src/image/load.js';

const BIN = join(__dirname, '../firmware/bin');

function boot(elf: string): { m: Machine; out: number[] } {
  const out: number[] = [];
  const m = new Machine({ board: 'mps2-an386', semihosting: { write: (_s, b) => out.push(...b) } });
  m.loadImage(loadImageFile(join(BIN, elf)));
  m.reset();
  m.console.onTransmit((b) => out.push(b));
  return { m, out };
}

describe('Machine', () => {
  it('is deterministic and keeps no global state: two machines in one process, interleaved, agree exactly', () => {
    const a = boot('systick.elf');
    const b = boot('systick.elf');
    // Interleave slices of both so any shared state would show up as a difference.
    let ra = a.m.run({ maxInstructions: 50_000 });
    let rb = b.m.run({ maxInstructions: 50_000 });
    while (ra.reason === 'instruction-limit' || rb.reason === 'instruction-limit') {
      if (ra.reason === 'instruction-limit') ra = a.m.run({ maxInstructions: 50_000 });
      if (rb.reason === 'instruction-limit') rb = b.m.run({ maxInstructions: 37_000 });
    }
    expect(ra.reason).toBe('exit');
    expect(rb).toEqual(ra);
    expect(Buffer.from(b.out).equals(Buffer.from(a.out))).toBe(true);
    expect(Buffer.from(a.out).toString()).toContain('ticks');
  });

  it('fast-forwards virtual time while the core sleeps in WFI', () => {
    // systick.elf waits for 1 kHz SysTick interrupts with WFI: ~100 ms of virtual time with few instructions.
    const { m } = boot('systick.elf');
    const r = m.run({ maxInstructions: 50_000_000 });
    expect(r.reason).toBe('exit');
    expect(m.seconds).toBeGreaterThan(0.09);
    expect(r.instructions).toBeLessThan(r.cycles / 2);
  });

  it('stops at the virtual-time and instruction limits exactly where asked', () => {
    const { m } = boot('bench_crc32.elf');
    const t = m.run({ timeoutCycles: 100_000 });
    expect(t.reason).toBe('timeout');
    expect(t.cycles).toBeGreaterThanOrEqual(100_000);
    expect(t.cycles).toBeLessThan(100_000 + 64);
    const n = m.run({ maxInstructions: 12_345 });
    expect(n.reason).toBe('instruction-limit');
    expect(n.instructions - t.instructions).toBe(12_345);
  });

  it('resets on AIRCR.SYSRESETREQ through the machine (vector fetch again)', () => {
    const { m } = boot('hello.elf');
    m.run({ maxInstructions: 1000 });
    const sp0 = m.bus.read32(0);
    m.bus.write32(0xe000ed0c, 0x05fa0004); // VECTKEY | SYSRESETREQ
    m.run({ maxInstructions: 1 });
    expect(m.cpu.getMsp() >>> 0).toBe(sp0 >>> 0);
  });

  it('runAsync with realtime paces virtual time to the wall clock', async () => {
    // systick.elf spends ~100 ms of virtual time mostly asleep in WFI; unpaced it takes a few ms of wall
    // time on an idle machine, so finishing no earlier than its virtual time shows the pacing. (No
    // comparison with an unpaced run: under load that would be a race, not a property.)
    const paced = boot('systick.elf');
    const t1 = performance.now();
    const r = await paced.m.runAsync({ maxInstructions: 50_000_000, realtime: true });
    const pacedMs = performance.now() - t1;
    expect(r.reason).toBe('exit');
    const virtualMs = paced.m.seconds * 1000;
    expect(virtualMs).toBeGreaterThan(90);
    expect(pacedMs).toBeGreaterThanOrEqual(virtualMs); // never ahead of the wall clock
  });
});

describe('Machine virtual time on a SoC whose clock changes', () => {
  it('counts seconds and --timeout in the SoC clock tree, not the reset clock (STM32F411 at 96 MHz)', () => {
    const m = new Machine({ board: 'NUCLEO_F411RE' });
    // Firmware: vector table (SP, reset → 0x08000009) and `b .` at 0x08000008.
    m.bus.load(0x08000000, Uint8Array.of(0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08, 0xfe, 0xe7));
    m.reset();
    // Program the clock tree directly as firmware would: HSE bypass 8 MHz, PLL M=8 N=192 P=2 → 96 MHz.
    const RCC = 0x40023800;
    m.bus.write32(0x40023c00, 0x3); // FLASH_ACR latency 3
    m.bus.write32(RCC + 0x00, m.bus.read32(RCC) | (1 << 16) | (1 << 18)); // HSEON, HSEBYP
    m.bus.write32(RCC + 0x04, 8 | (192 << 6) | (0 << 16) | (1 << 22) | (4 << 24)); // PLLCFGR
    m.run({ timeoutCycles: 100_000 });
    m.bus.write32(RCC + 0x00, m.bus.read32(RCC) | (1 << 24)); // PLLON
    m.run({ timeoutCycles: 100_000 });
    m.bus.write32(RCC + 0x08, 2); // SW = PLL
    expect(m.hz).toBe(96_000_000);
    const s0 = m.seconds;
    const c0 = m.cpu.cycles;
    const r = m.run({ timeoutSeconds: 0.01 });
    expect(r.reason).toBe('timeout');
    expect(m.seconds - s0).toBeCloseTo(0.01, 6);
    expect(m.cpu.cycles - c0).toBeGreaterThanOrEqual(960_000 - 1);
    expect(m.cpu.cycles - c0).toBeLessThan(960_000 + 64);
  });
});
