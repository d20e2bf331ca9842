import { describe, expect, it, vi } from 'vitest';
import { Scheduler } from '../../src/core/scheduler.js';
import { silentLogger } from '../../src/core/logger.js';
import { BusError } from '../../src/core/errors.js';
import { attachCoreSystem } from '../../src/cpu/armv7m/system/index.js';
import { Exc } from '../../src/cpu/armv7m/faults.js';
import { makeCpu } from '../helpers/cpu-harness.js';
import { SCS, makeSys, u32 } from './exceptions-harness.js';

describe('SCB reset values and identification', () => {
  it('matches the Cortex-M4 r0p1', () => {
    const { bus } = makeSys();
    expect(u32(bus.read32(SCS.CPUID))).toBe(0x410fc241);
    expect(u32(bus.read32(SCS.CCR))).toBe(0x200); // STKALIGN
    expect(u32(bus.read32(SCS.AIRCR))).toBe(0xfa05_0000);
    expect(bus.read32(SCS.VTOR)).toBe(0);
    expect(bus.read32(SCS.SCR)).toBe(0);
    expect(bus.read32(SCS.SHCSR)).toBe(0);
    expect(bus.read32(SCS.CPACR)).toBe(0);
    expect(u32(bus.read32(SCS.FPCCR))).toBe(0xc000_0000); // ASPEN | LSPEN
    expect(u32(bus.read32(SCS.MVFR0))).toBe(0x1011_0021);
    expect(u32(bus.read32(SCS.MVFR1))).toBe(0x1100_0011);
    expect(bus.read32(SCS.ICTR)).toBe(0); // 32 interrupts: INTLINESNUM = 0
    expect(u32(bus.read32(0xe000ed40))).toBe(0x30); // ID_PFR0
    expect(bus.read32(0xe000efe0) & 0xff).toBe(0x0c); // SCS PIDR0
    expect(bus.read32(0xe000eff4) & 0xff).toBe(0xe0); // CIDR1: class 0xE
  });

  it('ICTR reflects the number of interrupt lines', () => {
    const { bus } = makeSys(undefined, { numIrq: 82 });
    expect(bus.read32(SCS.ICTR)).toBe(2);
  });
});

describe('SCB registers', () => {
  it('VTOR ignores bits [6:0] and moves the vector table', () => {
    const h = makeSys();
    h.bus.write32(SCS.VTOR, 0x0002_00ff);
    expect(u32(h.bus.read32(SCS.VTOR))).toBe(0x0002_0080);
    h.bus.write32(0x0002_0080 + 4 * Exc.PendSV, 0x0000_3001);
    h.bus.write32(SCS.ICSR, 1 << 28);
    h.cpu.exc.checkPending();
    expect(h.cpu.pc).toBe(0x3000);
  });

  it('ICSR sets and clears PendSV/SysTick pending state', () => {
    const h = makeSys();
    h.cpu.primask = 1; // keep them pending
    h.bus.write32(SCS.ICSR, (1 << 28) | (1 << 26));
    expect(u32(h.bus.read32(SCS.ICSR)) & ((1 << 28) | (1 << 26))).toBe((1 << 28) | (1 << 26));
    expect((u32(h.bus.read32(SCS.ICSR)) >>> 12) & 0x1ff).toBe(Exc.PendSV); // equal priority: lower number wins
    h.bus.write32(SCS.ICSR, (1 << 27) | (1 << 25));
    expect(u32(h.bus.read32(SCS.ICSR)) & ((1 << 28) | (1 << 26))).toBe(0);
    expect((u32(h.bus.read32(SCS.ICSR)) >>> 12) & 0x1ff).toBe(0);
  });

  it('SHPR fields keep only the implemented priority bits; reserved bytes read as zero', () => {
    const h = makeSys(); // 4 priority bits
    h.bus.write32(SCS.SHPR1, 0xffff_ffff);
    expect(u32(h.bus.read32(SCS.SHPR1))).toBe(0x00f0_f0f0); // byte 3 (exception 7) reserved
    h.bus.write32(SCS.SHPR2, 0xffff_ffff);
    expect(u32(h.bus.read32(SCS.SHPR2))).toBe(0xf000_0000); // only SVCall
    h.bus.write8(SCS.SHPR3 + 3, 0x5a);
    h.bus.write8(SCS.SHPR3 + 1, 0x5a); // exception 13: reserved
    expect(u32(h.bus.read32(SCS.SHPR3))).toBe(0x5000_0000);
    expect(h.cpu.exc.prio[Exc.SysTick]).toBe(0x50);
  });

  it('SHCSR enable bits are read/write and the active/pending bits reflect state', () => {
    const h = makeSys();
    h.bus.write32(SCS.SHCSR, 0x7_0000);
    expect(u32(h.bus.read32(SCS.SHCSR))).toBe(0x7_0000);
    h.bus.write32(SCS.ICSR, 1 << 28);
    h.cpu.exc.checkPending();
    expect(u32(h.bus.read32(SCS.SHCSR))).toBe(0x7_0000 | (1 << 10)); // PENDSVACT
  });

  it('CCR mirrors UNALIGN_TRP and DIV_0_TRP into the CPU', () => {
    const h = makeSys();
    h.bus.write32(SCS.CCR, 0x218);
    expect(h.cpu.unalignTrap).toBe(true);
    expect(h.cpu.div0Trap).toBe(true);
    expect(u32(h.bus.read32(SCS.CCR))).toBe(0x218);
    h.bus.write32(SCS.CCR, 0x200);
    expect(h.cpu.unalignTrap).toBe(false);
    expect(h.cpu.div0Trap).toBe(false);
    h.bus.write32(SCS.CCR, 0xffff_ffff);
    expect(u32(h.bus.read32(SCS.CCR))).toBe(0x31b);
  });

  it('CPACR keeps only CP10/CP11; SCR keeps SLEEPONEXIT/SLEEPDEEP/SEVONPEND', () => {
    const h = makeSys();
    h.bus.write32(SCS.CPACR, 0xffff_ffff);
    expect(u32(h.bus.read32(SCS.CPACR))).toBe(0x00f0_0000);
    expect(h.cpu.cpacr).toBe(0x00f0_0000);
    h.bus.write32(SCS.SCR, 0xff);
    expect(h.bus.read32(SCS.SCR)).toBe(0x16);
  });

  it('AIRCR.VECTCLRACTIVE clears active state; SYSRESETREQ resets from a scheduler event', () => {
    const h = makeSys();
    h.bus.write32(SCS.ICSR, 1 << 28);
    h.cpu.exc.checkPending();
    h.bus.write32(SCS.AIRCR, 0x05fa_0002);
    expect(h.cpu.exc.activeCount).toBe(0);
    h.cpu.r[5] = 55;
    h.bus.write32(SCS.VTOR, 0x80);
    h.bus.write32(SCS.AIRCR, 0x05fa_0004);
    expect(h.cpu.r[5]).toBe(55); // nothing happens inside the store
    h.sched.runDue();
    expect(h.cpu.r[5]).toBe(0);
    expect(h.cpu.pc).toBe(0x100);
    expect(h.bus.read32(SCS.VTOR)).toBe(0);
  });

  it('SYSRESETREQ calls onSystemReset when given', () => {
    const { bus, cpu } = makeCpu();
    const sched = new Scheduler(cpu);
    const onSystemReset = vi.fn();
    attachCoreSystem(cpu, bus, sched, { cpuHz: 1e6, log: silentLogger(), onSystemReset });
    cpu.reset();
    bus.write32(SCS.AIRCR, 0x05fa_0004);
    sched.runDue();
    expect(onSystemReset).toHaveBeenCalledOnce();
  });

  it('the FP registers: FPCAR aligned to 8, FPDSCR bits 26:22', () => {
    const h = makeSys();
    h.bus.write32(SCS.FPCAR, 0x2000_0007);
    expect(u32(h.bus.read32(SCS.FPCAR))).toBe(0x2000_0000);
    h.bus.write32(SCS.FPDSCR, 0xffff_ffff);
    expect(u32(h.bus.read32(SCS.FPDSCR))).toBe(0x07c0_0000);
  });

  it('unprivileged accesses to the SCS are bus errors, except STIR with USERSETMPEND', () => {
    const h = makeSys();
    h.bus.write32(SCS.ISER0, 1 << 4);
    h.cpu.writeSpecial(20, 1, 0); // CONTROL.nPRIV
    expect(() => h.bus.read32(SCS.CPUID)).toThrow(BusError);
    expect(() => h.bus.write32(SCS.STIR, 4)).toThrow(BusError);
    h.cpu.control = 0;
    h.bus.write32(SCS.CCR, 0x202);
    h.cpu.control = 1;
    h.bus.write32(SCS.STIR, 4);
    expect(h.sys.debugAccess(() => h.bus.read32(SCS.ISPR0))).toBe(1 << 4); // a debugger may read it
    expect(() => h.bus.read32(SCS.ISPR0)).toThrow(BusError);
    h.cpu.control = 0;
  });
});

describe('NVIC registers', () => {
  it('ISER/ICER set and clear enables; bits beyond the implemented lines are RAZ/WI', () => {
    const { bus } = makeSys(); // 32 lines
    bus.write32(SCS.ISER0, 0x8000_0011);
    expect(u32(bus.read32(SCS.ISER0))).toBe(0x8000_0011);
    expect(u32(bus.read32(SCS.ICER0))).toBe(0x8000_0011);
    bus.write32(SCS.ICER0, 0x10);
    expect(u32(bus.read32(SCS.ISER0))).toBe(0x8000_0001);
    bus.write32(SCS.ISER0 + 4, 0xffff_ffff);
    expect(bus.read32(SCS.ISER0 + 4)).toBe(0);
  });

  it('ISPR/ICPR set and clear pending; IABR is read-only', () => {
    const h = makeSys();
    h.bus.write32(SCS.ISPR0, 0b1010);
    expect(h.bus.read32(SCS.ISPR0)).toBe(0b1010);
    expect(h.bus.read32(SCS.ICPR0)).toBe(0b1010);
    h.bus.write32(SCS.ICPR0, 0b0010);
    expect(h.bus.read32(SCS.ISPR0)).toBe(0b1000);
    h.bus.write32(SCS.IABR0, 0xff);
    expect(h.bus.read32(SCS.IABR0)).toBe(0);
  });

  it('IPR is byte-accessible and keeps only the implemented high bits', () => {
    const { bus } = makeSys(); // 4 priority bits
    bus.write8(SCS.IPR0 + 1, 0xff);
    bus.write8(SCS.IPR0 + 2, 0x37);
    expect(u32(bus.read32(SCS.IPR0))).toBe(0x0030_f000);
    expect(bus.read8(SCS.IPR0 + 1)).toBe(0xf0);
    bus.write16(SCS.IPR0 + 2, 0xa0b0);
    expect(u32(bus.read32(SCS.IPR0))).toBe(0xa0b0_f000);
    const h3 = makeSys(undefined, { priorityBits: 3 });
    h3.bus.write32(SCS.IPR0, 0xffff_ffff);
    expect(u32(h3.bus.read32(SCS.IPR0))).toBe(0xe0e0_e0e0);
  });

  it('STIR pends the interrupt given by INTID', () => {
    const { bus } = makeSys();
    bus.write32(SCS.STIR, 5);
    expect(bus.read32(SCS.ISPR0)).toBe(1 << 5);
  });

  it('ICPR on a level-sensitive line that is still high leaves it pending', () => {
    const h = makeSys();
    h.sys.nvic.setIrqLevel(1, true);
    h.bus.write32(SCS.ICPR0, 2);
    expect(h.bus.read32(SCS.ISPR0)).toBe(2);
    h.sys.nvic.setIrqLevel(1, false);
    h.bus.write32(SCS.ICPR0, 2);
    expect(h.bus.read32(SCS.ISPR0)).toBe(0);
  });
});
