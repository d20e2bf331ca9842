import { describe, expect, it } from 'vitest';
import { Exc } from '../../src/cpu/armv7m/faults.js';
import { SCS, makeSys, u32, type SysHarness } from './exceptions-harness.js';

const ENABLE = 1;
const TICKINT = 2;
const CLKSOURCE = 4;
const COUNTFLAG = 1 << 16;

/** Advances virtual time by `n` cycles without executing instructions, running due events. */
function advance(h: SysHarness, n: number): void {
  h.cpu.cycles += n;
  h.sched.runDue();
}

describe('SysTick', () => {
  it('resets disabled with zero counters and reports CALIB for the reference clock', () => {
    const h = makeSys(undefined, { cpuHz: 8_000_000, systickExternalHz: 1_000_000 });
    expect(h.bus.read32(SCS.STCSR)).toBe(0);
    expect(h.bus.read32(SCS.STRVR)).toBe(0);
    expect(h.bus.read32(SCS.STCVR)).toBe(0);
    expect(u32(h.bus.read32(SCS.STCALIB))).toBe(9999); // TENMS, exact (no SKEW), NOREF=0
    const h2 = makeSys(undefined, { cpuHz: 16_000_000 }); // default reference clock = core / 8 = 2 MHz
    expect(u32(h2.bus.read32(SCS.STCALIB))).toBe(19999);
  });

  it('counts core cycles down from RVR, wraps every RVR+1 cycles, sets COUNTFLAG (cleared on read)', () => {
    const h = makeSys();
    h.bus.write32(SCS.STRVR, 99);
    h.bus.write32(SCS.STCVR, 1234); // any write clears the counter
    expect(h.bus.read32(SCS.STCVR)).toBe(0);
    h.bus.write32(SCS.STCSR, ENABLE | CLKSOURCE);
    advance(h, 1);
    expect(h.bus.read32(SCS.STCVR)).toBe(99); // reload on the first tick
    advance(h, 49);
    expect(h.bus.read32(SCS.STCVR)).toBe(50);
    expect(h.bus.read32(SCS.STCSR) & COUNTFLAG).toBe(0);
    advance(h, 50); // tick 100: 1 -> 0
    expect(h.bus.read32(SCS.STCVR)).toBe(0);
    expect(h.sys.debugAccess(() => h.bus.read32(SCS.STCSR)) & COUNTFLAG).toBe(COUNTFLAG); // debugger read: kept
    expect(h.bus.read32(SCS.STCSR) & COUNTFLAG).toBe(COUNTFLAG);
    expect(h.bus.read32(SCS.STCSR) & COUNTFLAG).toBe(0);
    expect(h.cpu.exc.pending[Exc.SysTick]).toBe(0); // TICKINT clear
    advance(h, 1);
    expect(h.bus.read32(SCS.STCVR)).toBe(99);
    advance(h, 99);
    expect(h.bus.read32(SCS.STCSR) & COUNTFLAG).toBe(COUNTFLAG);
  });

  it('pends the SysTick exception on each wrap with TICKINT', () => {
    const h = makeSys();
    h.bus.write32(SCS.STRVR, 999);
    h.bus.write32(SCS.STCSR, ENABLE | TICKINT | CLKSOURCE);
    advance(h, 999);
    expect(h.cpu.exc.pending[Exc.SysTick]).toBe(0);
    advance(h, 1);
    expect(h.cpu.exc.pending[Exc.SysTick]).toBe(1);
    h.cpu.exc.checkPending();
    expect(h.cpu.ipsr).toBe(Exc.SysTick);
    expect(h.sched.nextTime).toBe(2000); // one event per wrap: the next one, RVR+1 cycles later
  });

  it('uses the external reference clock with CLKSOURCE=0', () => {
    const h = makeSys(undefined, { cpuHz: 8_000_000 }); // reference = 1 MHz, 8 cycles per tick
    h.bus.write32(SCS.STRVR, 9);
    h.bus.write32(SCS.STCSR, ENABLE | TICKINT);
    advance(h, 8 * 5);
    expect(h.bus.read32(SCS.STCVR)).toBe(5); // ticks 1..5: 9,8,7,6,5
    advance(h, 8 * 5 - 1);
    expect(h.cpu.exc.pending[Exc.SysTick]).toBe(0);
    advance(h, 1);
    expect(h.cpu.exc.pending[Exc.SysTick]).toBe(1);
  });

  it('freezes when disabled and continues from the frozen value', () => {
    const h = makeSys();
    h.bus.write32(SCS.STRVR, 99);
    h.bus.write32(SCS.STCSR, ENABLE | CLKSOURCE);
    advance(h, 31);
    expect(h.bus.read32(SCS.STCVR)).toBe(69);
    h.bus.write32(SCS.STCSR, CLKSOURCE);
    advance(h, 500);
    expect(h.bus.read32(SCS.STCVR)).toBe(69);
    h.bus.write32(SCS.STCSR, ENABLE | CLKSOURCE);
    advance(h, 69);
    expect(h.bus.read32(SCS.STCSR) & COUNTFLAG).toBe(COUNTFLAG);
  });

  it('a new RVR takes effect at the next reload', () => {
    const h = makeSys();
    h.bus.write32(SCS.STRVR, 99);
    h.bus.write32(SCS.STCSR, ENABLE | CLKSOURCE);
    advance(h, 11); // value 89
    h.bus.write32(SCS.STRVR, 9);
    expect(h.bus.read32(SCS.STCVR)).toBe(89);
    advance(h, 89); // reaches 0
    expect(h.bus.read32(SCS.STCSR) & COUNTFLAG).toBe(COUNTFLAG);
    advance(h, 1);
    expect(h.bus.read32(SCS.STCVR)).toBe(9);
  });

  it('with the CPU loop: a SysTick handler runs every period', () => {
    const h = makeSys([0xe7fe]); // B .
    let entries = 0;
    h.cpu.tracer = (c) => {
      if (c.pc === 0x1000 + 0x40 * Exc.SysTick) entries++;
    };
    h.bus.write32(SCS.STRVR, 999);
    h.bus.write32(SCS.STCSR, ENABLE | TICKINT | CLKSOURCE);
    while (h.cpu.cycles < 10_500) {
      h.cpu.run(Math.min(h.sched.nextTime, 10_500));
      h.sched.runDue();
    }
    expect(entries).toBe(10);
    h.cpu.tracer = null;
  });
});
