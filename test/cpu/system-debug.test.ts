import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/core/scheduler.js';
import { silentLogger } from '../../src/core/logger.js';
import { BusError } from '../../src/core/errors.js';
import { attachCoreSystem } from '../../src/cpu/armv7m/system/index.js';
import { makeCpu } from '../helpers/cpu-harness.js';
import { SCS, makeSys, u32 } from './exceptions-harness.js';

const DWT_CTRL = 0xe000_1000;
const DWT_CYCCNT = 0xe000_1004;
const DWT_PCSR = 0xe000_101c;
const DWT_COMP0 = 0xe000_1020;
const FP_CTRL = 0xe000_2000;
const FP_COMP0 = 0xe000_2008;
const ITM_STIM0 = 0xe000_0000;
const ITM_TER = 0xe000_0e00;
const ITM_TCR = 0xe000_0e80;
const ROM = 0xe00f_f000;

describe('DWT', () => {
  it('CTRL reports 4 comparators; CYCCNT counts cycles only while CYCCNTENA', () => {
    const h = makeSys();
    expect(u32(h.bus.read32(DWT_CTRL))).toBe(0x4000_0000);
    h.cpu.cycles += 100;
    expect(h.bus.read32(DWT_CYCCNT)).toBe(0);
    h.bus.write32(SCS.DEMCR, 1 << 24); // TRCENA, as firmware does
    h.bus.write32(DWT_CYCCNT, 0);
    h.bus.write32(DWT_CTRL, 1);
    expect(u32(h.bus.read32(DWT_CTRL))).toBe(0x4000_0001);
    h.cpu.cycles += 1234;
    expect(h.bus.read32(DWT_CYCCNT)).toBe(1234);
    h.bus.write32(DWT_CTRL, 0);
    h.cpu.cycles += 1000;
    expect(h.bus.read32(DWT_CYCCNT)).toBe(1234);
    h.bus.write32(DWT_CYCCNT, 0xffff_fff0);
    h.bus.write32(DWT_CTRL, 1);
    h.cpu.cycles += 0x20;
    expect(h.bus.read32(DWT_CYCCNT)).toBe(0x10); // wraps at 32 bits
    expect(u32(h.bus.read32(SCS.DEMCR))).toBe(1 << 24);
  });

  it('stores comparators and samples the PC', () => {
    const h = makeSys();
    h.bus.write32(DWT_COMP0, 0x2000_0000);
    expect(u32(h.bus.read32(DWT_COMP0))).toBe(0x2000_0000);
    expect(u32(h.bus.read32(DWT_PCSR))).toBe(0x100);
  });
});

describe('FPB', () => {
  it('FP_CTRL reads NUM_CODE=6, NUM_LIT=2; ENABLE needs KEY; comparators are stored', () => {
    const h = makeSys();
    expect(u32(h.bus.read32(FP_CTRL))).toBe(0x260);
    h.bus.write32(FP_CTRL, 1); // KEY clear: ignored
    expect(u32(h.bus.read32(FP_CTRL))).toBe(0x260);
    h.bus.write32(FP_CTRL, 3);
    expect(u32(h.bus.read32(FP_CTRL))).toBe(0x261);
    h.bus.write32(FP_COMP0 + 4 * 7, 0x0000_1235);
    expect(u32(h.bus.read32(FP_COMP0 + 4 * 7))).toBe(0x0000_1235 & 0xdfff_fffd);
    expect(h.bus.read32(0xe000_2fe0) & 0xff).toBe(0x03); // PIDR0: FPB
  });

  it('is privileged-only', () => {
    const h = makeSys();
    h.cpu.control = 1;
    expect(() => h.bus.read32(FP_CTRL)).toThrow(BusError);
    expect(() => h.bus.read32(DWT_CTRL)).toThrow(BusError);
    h.cpu.control = 0;
  });
});

describe('ITM, TPIU, ROM table', () => {
  it('stimulus ports report FIFO ready and forward writes when ITM and the port are enabled', () => {
    const { bus, cpu } = makeCpu();
    const sched = new Scheduler(cpu);
    const got: [number, number, number][] = [];
    attachCoreSystem(cpu, bus, sched, { cpuHz: 1e6, log: silentLogger(), onItmWrite: (p, v, s) => got.push([p, v, s]) });
    cpu.reset();
    expect(bus.read32(ITM_STIM0)).toBe(1);
    bus.write8(ITM_STIM0, 0x41); // ITM disabled: dropped
    bus.write32(ITM_TER, 1);
    bus.write32(ITM_TCR, 1);
    bus.write8(ITM_STIM0, 0x42);
    bus.write32(ITM_STIM0 + 4, 0x43); // port 1 not enabled
    expect(got).toEqual([[0, 0x42, 1]]);
  });

  it('the ROM table lists the SCS, DWT, FPB, ITM, TPIU and ETM, then ends', () => {
    const { bus } = makeSys();
    const entries = [0, 1, 2, 3, 4, 5, 6].map((i) => u32(bus.read32(ROM + 4 * i)));
    expect(entries).toEqual([0xfff0_f003, 0xfff0_2003, 0xfff0_3003, 0xfff0_1003, 0xfff4_1003, 0xfff4_2003, 0]);
    // Each entry's offset leads to a component with a CoreSight CIDR block.
    for (const e of entries.slice(0, 6)) {
      const base = (ROM + (e & ~0xfff)) >>> 0;
      expect([0xff0, 0xff8, 0xffc].map((o) => bus.read32(base + o) & 0xff)).toEqual([0x0d, 0x05, 0xb1]);
    }
    expect(bus.read32(ROM + 0xff4) & 0xff).toBe(0x10); // class 1: ROM table
    expect(bus.read32(ROM + 0xfcc)).toBe(1); // MEMTYPE.SYSMEM
    expect(bus.read32(0xe004_0000)).toBe(0xf); // TPIU SSPSR
    expect(bus.read32(0xe004_0300)).toBe(0x8); // TPIU FFSR
  });
});
