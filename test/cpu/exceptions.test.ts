import { describe, expect, it } from 'vitest';
import { Exc, CFSR, GuestFault } from '../../src/cpu/armv7m/faults.js';
import { FPCCR, HFSR } from '../../src/cpu/armv7m/exceptions.js';
import { STACK_TOP } from '../helpers/cpu-harness.js';
import { BX_LR, NOP, B_SELF, SVC0, SCS, handlerAddr, makeSys, runInsns, setHandler, u32, type SysHarness } from './exceptions-harness.js';

const MOVS_R0_55 = 0x2055;

function frame(h: SysHarness, at: number, words = 8): number[] {
  const out: number[] = [];
  for (let i = 0; i < words; i++) out.push(u32(h.bus.read32(at + 4 * i)));
  return out;
}

/** Pends PendSV and lets the exception model take it (as the CPU loop would between instructions). */
function takePendSV(h: SysHarness): void {
  h.bus.write32(SCS.ICSR, 1 << 28);
  h.cpu.exc.checkPending();
}

describe('exception entry and return', () => {
  it('stacks the basic frame on MSP, sets IPSR/LR/PC, and unstacks on BX LR', () => {
    const h = makeSys([NOP, NOP, NOP, B_SELF]);
    const { cpu } = h;
    runInsns(h, 1); // pc = 0x102
    for (const [i, v] of [[0, 0x10], [1, 0x11], [2, 0x12], [3, 0x13], [12, 0x1c], [14, 0x0eee]] as const) cpu.r[i] = v;
    cpu.n = 1;
    cpu.z = 1;
    cpu.q = 1;
    setHandler(h, Exc.PendSV, [MOVS_R0_55, BX_LR]);
    takePendSV(h);
    expect(cpu.ipsr).toBe(Exc.PendSV);
    expect(cpu.pc).toBe(handlerAddr(Exc.PendSV));
    expect(u32(cpu.r[14]!)).toBe(0xfffffff9);
    expect(u32(cpu.r[13]!)).toBe(STACK_TOP - 0x20);
    expect(frame(h, STACK_TOP - 0x20)).toEqual([0x10, 0x11, 0x12, 0x13, 0x1c, 0x0eee, 0x102, 0xc900_0000]);
    expect(cpu.exc.active[Exc.PendSV]).toBe(1);
    expect(cpu.exc.pending[Exc.PendSV]).toBe(0);
    // ICSR: VECTACTIVE = 14, RETTOBASE (only one active)
    expect(u32(h.bus.read32(SCS.ICSR)) & 0x9ff).toBe(0x800 | 14);
    runInsns(h, 2); // MOVS r0,#0x55 ; BX LR (the return completes before the next instruction)
    expect(cpu.r[0]).toBe(0x55);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(0);
    expect(cpu.pc).toBe(0x102);
    expect(cpu.r[0]).toBe(0x10);
    expect(cpu.r[14]).toBe(0x0eee);
    expect(u32(cpu.r[13]!)).toBe(STACK_TOP);
    expect([cpu.n, cpu.z, cpu.c, cpu.v, cpu.q]).toEqual([1, 1, 0, 0, 1]);
    expect(cpu.exc.activeCount).toBe(0);
  });

  it('realigns the frame to 8 bytes (STKALIGN) and records it in stacked xPSR bit 9', () => {
    const h = makeSys();
    h.cpu.r[13] = STACK_TOP - 4;
    takePendSV(h);
    const fp = STACK_TOP - 0x28; // (0x2000fffc - 0x20) & ~7
    expect(u32(h.cpu.r[13]!)).toBe(fp);
    expect(frame(h, fp)[7]! & (1 << 9)).toBe(1 << 9);
    h.cpu.exc.exceptionReturn(0xfffffff9);
    h.cpu.exc.checkPending();
    expect(u32(h.cpu.r[13]!)).toBe(STACK_TOP - 4);
  });

  it('without STKALIGN stacks at a 4-byte boundary and leaves bit 9 clear', () => {
    const h = makeSys();
    h.bus.write32(SCS.CCR, 0);
    h.cpu.r[13] = STACK_TOP - 4;
    takePendSV(h);
    expect(u32(h.cpu.r[13]!)).toBe(STACK_TOP - 0x24);
    expect(frame(h, STACK_TOP - 0x24)[7]! & (1 << 9)).toBe(0);
  });

  it('stacks on PSP in thread mode with SPSEL, returns with EXC_RETURN 0xFFFFFFFD', () => {
    const h = makeSys();
    const { cpu } = h;
    cpu.setPsp(0x2000_8000);
    cpu.writeSpecial(20, 2, 0); // CONTROL.SPSEL = 1
    expect(u32(cpu.r[13]!)).toBe(0x2000_8000);
    takePendSV(h);
    expect(u32(cpu.r[14]!)).toBe(0xfffffffd);
    expect(u32(cpu.r[13]!)).toBe(STACK_TOP); // handler runs on MSP
    expect(cpu.getPsp() >>> 0).toBe(0x2000_8000 - 0x20);
    expect(u32(h.bus.read32(0x2000_8000 - 0x20 + 24))).toBe(0x100);
    expect(cpu.control & 2).toBe(0);
    cpu.exc.exceptionReturn(0xfffffffd);
    cpu.exc.checkPending();
    expect(cpu.control & 2).toBe(2);
    expect(u32(cpu.r[13]!)).toBe(0x2000_8000);
    expect(u32(cpu.getMsp())).toBe(STACK_TOP);
  });

  it('a higher-priority interrupt preempts a handler: LR = 0xFFFFFFF1, nested frame on MSP', () => {
    const h = makeSys();
    const { bus, cpu } = h;
    bus.write32(SCS.ISER0, 0b11);
    bus.write8(SCS.IPR0 + 0, 0x80);
    bus.write8(SCS.IPR0 + 1, 0x40);
    bus.write32(SCS.ISPR0, 0b01);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(16);
    bus.write32(SCS.ISPR0, 0b10);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(17);
    expect(u32(cpu.r[14]!)).toBe(0xfffffff1);
    expect(u32(cpu.r[13]!)).toBe(STACK_TOP - 0x40);
    expect(u32(bus.read32(STACK_TOP - 0x40 + 24))).toBe(handlerAddr(16));
    expect(u32(bus.read32(STACK_TOP - 0x40 + 28)) & 0x1ff).toBe(16); // stacked IPSR
    expect(bus.read32(SCS.IABR0)).toBe(0b11);
    // Return to the IRQ0 handler, then to thread.
    cpu.exc.exceptionReturn(0xfffffff1);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(16);
    expect(cpu.pc).toBe(handlerAddr(16));
    expect(u32(cpu.r[13]!)).toBe(STACK_TOP - 0x20);
  });

  it('ICSR.RETTOBASE is clear while a preempted exception is active', () => {
    const h = makeSys();
    const { bus, cpu } = h;
    bus.write32(SCS.ISER0, 1);
    bus.write8(SCS.SHPR3 + 2, 0x80); // PendSV below IRQ0
    takePendSV(h);
    expect(u32(bus.read32(SCS.ICSR)) & (1 << 11)).toBe(1 << 11);
    bus.write32(SCS.ISPR0, 1);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(16);
    expect(u32(bus.read32(SCS.ICSR)) & (1 << 11)).toBe(0);
  });

  it('SHCSR pended bits make system exceptions pending', () => {
    const h = makeSys();
    h.bus.write32(SCS.SHCSR, 1 << 15); // SVCALLPENDED
    expect(h.cpu.exc.pending[Exc.SVCall]).toBe(1);
    h.cpu.exc.checkPending();
    expect(h.cpu.ipsr).toBe(Exc.SVCall);
    expect(u32(h.bus.read32(SCS.SHCSR))).toBe(1 << 7); // SVCALLACT, no longer pended
  });

  it('a lower or equal priority interrupt does not preempt; ICSR shows it pending', () => {
    const h = makeSys();
    const { bus, cpu } = h;
    bus.write32(SCS.ISER0, 0b11);
    bus.write8(SCS.IPR0 + 0, 0x40);
    bus.write8(SCS.IPR0 + 1, 0x40);
    bus.write32(SCS.ISPR0, 0b01);
    cpu.exc.checkPending();
    bus.write32(SCS.ISPR0, 0b10);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(16);
    const icsr = u32(bus.read32(SCS.ICSR));
    expect((icsr >>> 12) & 0x1ff).toBe(17); // VECTPENDING
    expect(icsr & (1 << 22)).not.toBe(0); // ISRPENDING
    expect(icsr & 0x1ff).toBe(16);
  });

  it('PRIGROUP splits priority into group and subpriority: same group never preempts', () => {
    const h = makeSys();
    const { bus, cpu } = h;
    bus.write32(SCS.ISER0, 0b111);
    bus.write8(SCS.IPR0 + 0, 0x90);
    bus.write8(SCS.IPR0 + 1, 0x80);
    bus.write8(SCS.IPR0 + 2, 0x80);
    bus.write32(SCS.AIRCR, 0x05fa_0000 | (5 << 8)); // group = bits [7:6]
    expect(u32(bus.read32(SCS.AIRCR))).toBe(0xfa05_0500);
    bus.write32(SCS.ISPR0, 0b001);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(16);
    bus.write32(SCS.ISPR0, 0b010); // 0x80 vs 0x90: both group 0x80
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(16);
    // With PRIGROUP=3 the group is bits [7:4]: 0x80 < 0x90 preempts.
    bus.write32(SCS.AIRCR, 0x05fa_0000 | (3 << 8));
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(17);
  });

  it('among pending exceptions takes the lowest priority value, then the lowest number', () => {
    const h = makeSys();
    const { bus, cpu } = h;
    bus.write32(SCS.ISER0, 0b111);
    bus.write8(SCS.IPR0 + 0, 0x90);
    bus.write8(SCS.IPR0 + 1, 0x80);
    bus.write8(SCS.IPR0 + 2, 0x80);
    bus.write32(SCS.AIRCR, 0x05fa_0000 | (5 << 8));
    bus.write32(SCS.ISPR0, 0b111);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(17);
  });

  it('ignores AIRCR writes without VECTKEY', () => {
    const h = makeSys();
    h.bus.write32(SCS.AIRCR, 5 << 8);
    expect(u32(h.bus.read32(SCS.AIRCR))).toBe(0xfa05_0000);
  });

  it('tail-chains into a pending exception without unstacking, keeping EXC_RETURN', () => {
    const h = makeSys();
    const { bus, cpu } = h;
    bus.write32(SCS.ISER0, 0b11);
    bus.write8(SCS.IPR0 + 0, 0x40);
    bus.write8(SCS.IPR0 + 1, 0x80);
    bus.write32(SCS.ISPR0, 0b01);
    cpu.exc.checkPending();
    bus.write32(SCS.ISPR0, 0b10);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(16);
    bus.write32(STACK_TOP - 0x20, 0xdead); // stacked r0: must not be reloaded during the tail-chain
    runInsns(h, 1); // BX LR in the IRQ0 handler
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(17);
    expect(u32(cpu.r[14]!)).toBe(0xfffffff9);
    expect(u32(cpu.r[13]!)).toBe(STACK_TOP - 0x20);
    expect(cpu.r[0]).not.toBe(0xdead);
    expect(cpu.exc.active[16]).toBe(0);
    runInsns(h, 1);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(0);
    expect(cpu.r[0]).toBe(0xdead);
    expect(cpu.pc).toBe(0x100);
  });

  it('runs the whole sequence through the CPU loop (thread → IRQ → tail-chain → thread)', () => {
    const h = makeSys([NOP, NOP, NOP, NOP, B_SELF]);
    const { bus, cpu } = h;
    const order: number[] = [];
    cpu.tracer = (c) => {
      if (c.pc >= 0x1000) order.push(c.ipsr);
    };
    bus.write32(SCS.ISER0, 0b11);
    bus.write8(SCS.IPR0 + 0, 0x40);
    bus.write8(SCS.IPR0 + 1, 0x40);
    bus.write32(SCS.ISPR0, 0b11);
    runInsns(h, 3);
    expect(order).toEqual([16, 17]);
    expect(cpu.ipsr).toBe(0);
    expect(cpu.pc).toBe(0x102);
    cpu.tracer = null;
  });
});

describe('masking', () => {
  it('PRIMASK blocks configurable-priority exceptions but not NMI', () => {
    const h = makeSys();
    const { bus, cpu } = h;
    cpu.writeSpecial(16, 1, 0);
    bus.write32(SCS.ISER0, 1);
    bus.write32(SCS.ISPR0, 1);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(0);
    bus.write32(SCS.ICSR, 1 << 31);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(Exc.NMI);
    cpu.exc.exceptionReturn(0xfffffff9);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(0);
    cpu.writeSpecial(16, 0, 0);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(16);
  });

  it('BASEPRI masks priorities >= its group value; unimplemented BASEPRI bits are ignored', () => {
    const h = makeSys();
    const { bus, cpu } = h;
    bus.write32(SCS.ISER0, 0b11);
    bus.write8(SCS.IPR0 + 0, 0x80);
    bus.write8(SCS.IPR0 + 1, 0x70);
    cpu.writeSpecial(17, 0x80, 0);
    bus.write32(SCS.ISPR0, 0b01);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(0);
    bus.write32(SCS.ISPR0, 0b10);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(17);
    const h2 = makeSys();
    h2.bus.write32(SCS.ISER0, 1);
    h2.cpu.writeSpecial(17, 0x08, 0); // reads as 0 with 4 priority bits: no masking
    h2.bus.write32(SCS.ISPR0, 1);
    h2.cpu.exc.checkPending();
    expect(h2.cpu.ipsr).toBe(16);
  });

  it('FAULTMASK raises the execution priority to -1', () => {
    const h = makeSys();
    h.cpu.faultmask = 1;
    expect(h.cpu.exc.executionPriority()).toBe(-1);
    h.cpu.faultmask = 0;
    h.cpu.primask = 1;
    expect(h.cpu.exc.executionPriority()).toBe(0);
  });
});

describe('faults', () => {
  it('escalates a disabled UsageFault to HardFault with HFSR.FORCED', () => {
    const h = makeSys();
    const { bus, cpu } = h;
    cpu.exc.fault(new GuestFault(Exc.UsageFault, CFSR.UNDEFINSTR));
    expect(cpu.ipsr).toBe(Exc.HardFault);
    expect(u32(bus.read32(SCS.HFSR))).toBe(HFSR.FORCED);
    expect(u32(bus.read32(SCS.CFSR))).toBe(CFSR.UNDEFINSTR);
    expect(u32(bus.read32(STACK_TOP - 0x20 + 24))).toBe(0x100); // the faulting instruction
    // CFSR and HFSR are write-one-to-clear; UFSR is byte-addressable at CFSR+2.
    bus.write8(SCS.CFSR + 2, 0x01);
    expect(bus.read32(SCS.CFSR)).toBe(0);
    bus.write32(SCS.HFSR, HFSR.FORCED);
    expect(bus.read32(SCS.HFSR)).toBe(0);
  });

  it('takes an enabled UsageFault directly', () => {
    const h = makeSys();
    h.bus.write32(SCS.SHCSR, 1 << 18);
    h.cpu.exc.fault(new GuestFault(Exc.UsageFault, CFSR.DIVBYZERO));
    expect(h.cpu.ipsr).toBe(Exc.UsageFault);
    expect(h.bus.read32(SCS.HFSR)).toBe(0);
    expect(u32(h.bus.read32(SCS.SHCSR))).toBe((1 << 18) | (1 << 3)); // USGFAULTENA | USGFAULTACT
  });

  it('escalates an enabled fault that cannot preempt the current priority', () => {
    const h = makeSys();
    const { bus, cpu } = h;
    bus.write32(SCS.SHCSR, 1 << 18);
    bus.write8(SCS.SHPR1 + 2, 0x40); // UsageFault priority 0x40
    bus.write32(SCS.ISER0, 1);
    bus.write8(SCS.IPR0, 0x20);
    bus.write32(SCS.ISPR0, 1);
    cpu.exc.checkPending();
    cpu.exc.fault(new GuestFault(Exc.UsageFault, CFSR.UNALIGNED));
    expect(cpu.ipsr).toBe(Exc.HardFault);
    expect(u32(bus.read32(SCS.HFSR))).toBe(HFSR.FORCED);
  });

  it('records MMFAR/BFAR only with their VALID bits', () => {
    const h = makeSys();
    h.bus.write32(SCS.SHCSR, 0x7_0000);
    h.cpu.exc.fault(new GuestFault(Exc.BusFault, CFSR.PRECISERR | CFSR.BFARVALID, 0x6000_0004));
    expect(u32(h.bus.read32(SCS.BFAR))).toBe(0x6000_0004);
    expect(u32(h.bus.read32(SCS.CFSR))).toBe(CFSR.PRECISERR | CFSR.BFARVALID);
    expect(h.cpu.ipsr).toBe(Exc.BusFault);
  });

  it('delivers a bus error from the run loop as a precise BusFault with BFAR', () => {
    const LDR_R0_R1 = 0x6808;
    const h = makeSys([LDR_R0_R1, B_SELF]);
    h.cpu.r[1] = 0x6000_0000;
    runInsns(h, 1);
    expect(h.cpu.ipsr).toBe(Exc.HardFault);
    expect(u32(h.bus.read32(SCS.CFSR))).toBe(CFSR.PRECISERR | CFSR.BFARVALID);
    expect(u32(h.bus.read32(SCS.BFAR))).toBe(0x6000_0000);
    expect(u32(h.bus.read32(SCS.HFSR))).toBe(HFSR.FORCED);
  });

  it('locks up on a fault inside HardFault, keeping lastFault', () => {
    const h = makeSys();
    h.cpu.exc.fault(new GuestFault(Exc.UsageFault, CFSR.UNDEFINSTR));
    expect(h.cpu.ipsr).toBe(Exc.HardFault);
    const f = new GuestFault(Exc.BusFault, CFSR.PRECISERR | CFSR.BFARVALID, 0x6000_0000);
    h.cpu.exc.fault(f);
    expect(h.cpu.stopReason).toBe('lockup');
    expect(h.cpu.exc.lastFault).toBe(f);
  });

  it('locks up on a fault in NMI and with FAULTMASK set', () => {
    const h = makeSys();
    h.bus.write32(SCS.ICSR, 1 << 31);
    h.cpu.exc.checkPending();
    h.cpu.exc.fault(new GuestFault(Exc.UsageFault, CFSR.UNDEFINSTR));
    expect(h.cpu.stopReason).toBe('lockup');
    const h2 = makeSys();
    h2.cpu.faultmask = 1;
    h2.cpu.exc.fault(new GuestFault(Exc.UsageFault, CFSR.UNDEFINSTR));
    expect(h2.cpu.stopReason).toBe('lockup');
  });

  it('a vector table read error escalates to HardFault with VECTTBL', () => {
    const h = makeSys();
    h.bus.write32(SCS.ISER0, 1);
    // IRQ0's vector (offset 0x40) lies beyond the 1 MiB code RAM; HardFault's (offset 0xc) inside it.
    h.cpu.exc.vtor = 0x000f_fff0;
    h.bus.write32(0x000f_fff0 + 4 * Exc.HardFault, handlerAddr(Exc.HardFault) | 1);
    h.bus.write32(SCS.ISPR0, 1);
    h.cpu.exc.checkPending();
    expect(h.cpu.ipsr).toBe(Exc.HardFault);
    expect(u32(h.bus.read32(SCS.HFSR)) & HFSR.VECTTBL).toBe(HFSR.VECTTBL);
  });

  it('a vector with bit 0 clear faults with INVSTATE at the handler', () => {
    const h = makeSys();
    h.bus.write32(4 * Exc.PendSV, handlerAddr(Exc.PendSV)); // Thumb bit clear
    takePendSV(h);
    expect(h.cpu.ipsr).toBe(Exc.HardFault);
    expect(u32(h.bus.read32(SCS.CFSR))).toBe(CFSR.INVSTATE);
    expect(u32(h.bus.read32(STACK_TOP - 0x40 + 24))).toBe(handlerAddr(Exc.PendSV));
  });

  it('a stacking error is reported as STKERR and the BusFault/HardFault is taken', () => {
    const h = makeSys();
    h.cpu.r[13] = 0x3000_0000; // below it nothing is mapped
    takePendSV(h);
    expect(h.cpu.ipsr).toBe(Exc.HardFault);
    expect(u32(h.bus.read32(SCS.CFSR)) & CFSR.STKERR).toBe(CFSR.STKERR);
    expect(h.cpu.exc.pending[Exc.PendSV]).toBe(1); // the interrupted asynchronous exception stays pending
  });
});

describe('exception return checks', () => {
  it('EXC_RETURN to handler mode with only one active exception is INVPC (frame kept, LR = EXC_RETURN)', () => {
    const h = makeSys();
    takePendSV(h);
    h.cpu.exc.exceptionReturn(0xfffffff1);
    h.cpu.exc.checkPending();
    expect(h.cpu.ipsr).toBe(Exc.HardFault);
    expect(u32(h.bus.read32(SCS.CFSR))).toBe(CFSR.INVPC);
    expect(u32(h.cpu.r[14]!)).toBe(0xfffffff1);
    expect(u32(h.cpu.r[13]!)).toBe(STACK_TOP - 0x20);
    expect(h.cpu.exc.active[Exc.PendSV]).toBe(0);
  });

  it('an unstacking bus error is UNSTKERR, taken as a fault with LR = EXC_RETURN', () => {
    const h = makeSys();
    takePendSV(h);
    h.cpu.r[13] = 0x3000_0000; // the handler corrupted MSP: the frame is unreadable
    h.cpu.exc.exceptionReturn(0xfffffff9);
    h.cpu.exc.checkPending();
    expect(h.cpu.ipsr).toBe(Exc.HardFault);
    expect(u32(h.bus.read32(SCS.CFSR))).toBe(CFSR.UNSTKERR);
    expect(u32(h.bus.read32(SCS.HFSR))).toBe(HFSR.FORCED);
    expect(u32(h.cpu.r[14]!)).toBe(0xfffffff9);
    expect(h.cpu.exc.active[Exc.PendSV]).toBe(0);
  });

  it('a reserved EXC_RETURN value is INVPC', () => {
    const h = makeSys();
    h.bus.write32(SCS.SHCSR, 1 << 18);
    takePendSV(h);
    h.cpu.exc.exceptionReturn(0xfffffff5);
    h.cpu.exc.checkPending();
    expect(h.cpu.ipsr).toBe(Exc.UsageFault);
    expect(u32(h.bus.read32(SCS.CFSR))).toBe(CFSR.INVPC);
  });

  it('returning to thread with other exceptions active needs CCR.NONBASETHRDENA', () => {
    const h = makeSys();
    const { bus, cpu } = h;
    bus.write32(SCS.ISER0, 0b11);
    bus.write8(SCS.IPR0 + 0, 0x80);
    bus.write8(SCS.IPR0 + 1, 0x40);
    bus.write32(SCS.ISPR0, 1);
    cpu.exc.checkPending();
    bus.write32(SCS.ISPR0, 2);
    cpu.exc.checkPending();
    cpu.exc.exceptionReturn(0xfffffff9);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(Exc.HardFault);
    expect(u32(bus.read32(SCS.CFSR))).toBe(CFSR.INVPC);
  });
});

describe('SVC and BKPT', () => {
  it('SVC is taken after the instruction with the next instruction as return address', () => {
    const h = makeSys([NOP, SVC0, NOP, B_SELF]);
    runInsns(h, 2);
    h.cpu.exc.checkPending();
    expect(h.cpu.ipsr).toBe(Exc.SVCall);
    expect(u32(h.bus.read32(STACK_TOP - 0x20 + 24))).toBe(0x104);
  });

  it('SVC with PRIMASK set escalates to HardFault (FORCED)', () => {
    const h = makeSys([SVC0, NOP, B_SELF]);
    h.cpu.writeSpecial(16, 1, 0);
    runInsns(h, 1);
    h.cpu.exc.checkPending();
    expect(h.cpu.ipsr).toBe(Exc.HardFault);
    expect(u32(h.bus.read32(SCS.HFSR))).toBe(HFSR.FORCED);
  });

  it('SVC inside HardFault locks up', () => {
    const h = makeSys();
    setHandler(h, Exc.HardFault, [SVC0]);
    h.cpu.exc.fault(new GuestFault(Exc.UsageFault, CFSR.UNDEFINSTR));
    runInsns(h, 1);
    expect(h.cpu.stopReason).toBe('lockup');
  });

  it('BKPT with no debugger escalates to HardFault with DEBUGEVT and DFSR.BKPT', () => {
    const h = makeSys([NOP, 0xbe01, B_SELF]);
    runInsns(h, 2);
    expect(h.cpu.ipsr).toBe(Exc.HardFault);
    expect(u32(h.bus.read32(SCS.HFSR))).toBe(HFSR.DEBUGEVT);
    expect(u32(h.bus.read32(SCS.DFSR))).toBe(2);
    expect(u32(h.bus.read32(STACK_TOP - 0x20 + 24))).toBe(0x102);
  });

  it('BKPT with DEMCR.MON_EN takes the DebugMonitor exception at the BKPT address', () => {
    const h = makeSys([0xbe01, B_SELF]);
    h.bus.write32(SCS.DEMCR, 1 << 16);
    h.cpu.exc.bkptStops = false;
    runInsns(h, 1); // BKPT faults, DebugMonitor entered, its BX LR executes
    expect(h.cpu.ipsr).toBe(Exc.DebugMonitor);
    expect(h.cpu.exc.returnRequested).toBe(true);
    expect(u32(h.bus.read32(STACK_TOP - 0x20 + 24))).toBe(0x100);
    expect(h.bus.read32(SCS.HFSR)).toBe(0);
    h.bus.write32(SCS.DEMCR, (1 << 16) | (1 << 17)); // MON_PEND
    expect(h.cpu.exc.pending[Exc.DebugMonitor]).toBe(1);
    expect(u32(h.bus.read32(SCS.DEMCR))).toBe((1 << 16) | (1 << 17));
  });

  it('BKPT stops the CPU when a debugger is attached', () => {
    const h = makeSys([0xbe01, B_SELF]);
    h.cpu.exc.bkptStops = true;
    runInsns(h, 1);
    expect(h.cpu.stopReason).toBe('breakpoint');
    expect(h.cpu.pc).toBe(0x100);
  });
});

describe('lazy FP stacking', () => {
  function fpSetup(): SysHarness {
    const h = makeSys();
    h.bus.write32(SCS.CPACR, 0xf << 20);
    for (let i = 0; i < 32; i++) h.cpu.s[i] = 0x3f80_0000 + i;
    h.cpu.exc.fpuAccess(); // an FP instruction in thread mode: ASPEN sets CONTROL.FPCA, FPSCR[26:22] from FPDSCR
    expect(h.cpu.control & 4).toBe(4);
    h.cpu.fpscr = 0x0300_0000;
    return h;
  }

  it('reserves a 0x68-byte frame, sets FPCAR/LSPACT and EXC_RETURN 0xFFFFFFE9', () => {
    const h = fpSetup();
    takePendSV(h);
    const fp = STACK_TOP - 0x68;
    expect(u32(h.cpu.r[13]!)).toBe(fp);
    expect(u32(h.cpu.r[14]!)).toBe(0xffffffe9);
    expect(u32(h.bus.read32(SCS.FPCAR))).toBe(fp + 0x20);
    const fpccr = u32(h.bus.read32(SCS.FPCCR));
    // MMRDY/BFRDY need the fault enabled, MONRDY needs DEMCR.MON_EN (ARM ARM UpdateFPCCR).
    expect(fpccr).toBe(u32(FPCCR.ASPEN | FPCCR.LSPEN | FPCCR.LSPACT | FPCCR.THREAD | FPCCR.HFRDY));
    expect(h.cpu.control & 4).toBe(0);
    expect(h.bus.read32(fp + 0x20)).toBe(0); // lazy: nothing stored yet
  });

  it('FPCCR.MMRDY/BFRDY/MONRDY are set when those handlers could run', () => {
    const h = fpSetup();
    h.bus.write32(SCS.SHCSR, 0x3_0000); // MEMFAULTENA | BUSFAULTENA
    h.bus.write32(SCS.DEMCR, 1 << 16); // MON_EN
    h.cpu.writeSpecial(20, 5, 0); // unprivileged thread (FPCA kept)
    h.cpu.exc.setPending(Exc.PendSV); // (the SCS is not accessible unprivileged)
    h.cpu.exc.checkPending();
    expect(u32(h.bus.read32(SCS.FPCCR)) & 0x17b).toBe(FPCCR.LSPACT | FPCCR.USER | FPCCR.THREAD | FPCCR.HFRDY | FPCCR.MMRDY | FPCCR.BFRDY | FPCCR.MONRDY);
  });

  it('the first FP instruction in the handler preserves S0–S15/FPSCR; return restores them', () => {
    const h = fpSetup();
    takePendSV(h);
    const fp = STACK_TOP - 0x68;
    h.cpu.exc.fpuAccess();
    expect(u32(h.bus.read32(SCS.FPCCR)) & FPCCR.LSPACT).toBe(0);
    expect(u32(h.bus.read32(fp + 0x20))).toBe(0x3f80_0000);
    expect(u32(h.bus.read32(fp + 0x20 + 15 * 4))).toBe(0x3f80_000f);
    expect(u32(h.bus.read32(fp + 0x60))).toBe(0x0300_0000);
    expect(h.cpu.control & 4).toBe(4);
    h.cpu.s[0] = 0;
    h.cpu.s[16] = 0x1234; // S16–S31 are callee-saved: not part of the frame
    h.cpu.fpscr = 0;
    h.cpu.exc.exceptionReturn(0xffffffe9);
    h.cpu.exc.checkPending();
    expect(h.cpu.s[0]).toBe(0x3f80_0000);
    expect(h.cpu.s[16]).toBe(0x1234);
    expect(h.cpu.fpscr).toBe(0x0300_0000);
    expect(u32(h.cpu.r[13]!)).toBe(STACK_TOP);
    expect(h.cpu.control & 4).toBe(4);
  });

  it('returning with LSPACT still set discards the reserved space without reloading', () => {
    const h = fpSetup();
    takePendSV(h);
    h.cpu.s[0] = 0x77; // not an FP instruction: stands for "registers still hold the thread's values"
    h.cpu.exc.exceptionReturn(0xffffffe9);
    h.cpu.exc.checkPending();
    expect(h.cpu.s[0]).toBe(0x77);
    expect(u32(h.bus.read32(SCS.FPCCR)) & FPCCR.LSPACT).toBe(0);
    expect(u32(h.cpu.r[13]!)).toBe(STACK_TOP);
  });

  it('with LSPEN=0 stacks S0–S15 immediately; nested FP context gives 0xFFFFFFE1', () => {
    const h = fpSetup();
    h.bus.write32(SCS.FPCCR, FPCCR.ASPEN);
    takePendSV(h);
    expect(u32(h.bus.read32(STACK_TOP - 0x68 + 0x20 + 4))).toBe(0x3f80_0001);
    h.cpu.exc.fpuAccess();
    h.bus.write32(SCS.ISER0, 1);
    h.bus.write32(SCS.ISPR0, 1);
    h.cpu.exc.checkPending(); // IRQ0 (priority 0) preempts PendSV (priority 0? no: equal) — set PendSV lower
    expect(h.cpu.ipsr).toBe(Exc.PendSV);
    h.bus.write8(SCS.SHPR3 + 2, 0xf0);
    h.cpu.exc.checkPending();
    expect(h.cpu.ipsr).toBe(16);
    expect(u32(h.cpu.r[14]!)).toBe(0xffffffe1);
  });

  it('an FP context on PSP gives EXC_RETURN 0xFFFFFFED and an aligned 0x68 frame on PSP', () => {
    const h = fpSetup();
    h.cpu.setPsp(0x2000_8004);
    h.cpu.writeSpecial(20, 6, 0); // SPSEL | FPCA
    takePendSV(h);
    expect(u32(h.cpu.r[14]!)).toBe(0xffffffed);
    const fp = (0x2000_8004 - 0x68) & ~7;
    expect(u32(h.cpu.getPsp())).toBe(fp);
    expect(u32(h.bus.read32(fp + 28)) & (1 << 9)).toBe(1 << 9); // realigned
    h.cpu.exc.exceptionReturn(0xffffffed);
    h.cpu.exc.checkPending();
    expect(u32(h.cpu.r[13]!)).toBe(0x2000_8004);
    expect(h.cpu.control).toBe(6);
  });

  it('FP instructions with CPACR denying access raise NOCP', () => {
    const h = makeSys();
    expect(() => h.cpu.exc.fpuAccess()).toThrow(GuestFault);
    h.bus.write32(SCS.CPACR, 0x5 << 20); // privileged only
    expect(() => h.cpu.exc.fpuAccess()).not.toThrow();
    h.cpu.writeSpecial(20, 1, 0); // unprivileged thread
    expect(() => h.cpu.exc.fpuAccess()).toThrow(GuestFault);
  });
});

describe('WFI / WFE', () => {
  const WFI = 0xbf30;
  const WFE = 0xbf20;
  const SEV = 0xbf40;

  it('WFI sleeps until an enabled interrupt is pending, which is then taken', () => {
    const h = makeSys([WFI, NOP, B_SELF]);
    runInsns(h, 5);
    expect(h.cpu.sleeping).toBe(true);
    expect(h.cpu.pc).toBe(0x102);
    h.bus.write32(SCS.ISPR0, 1); // disabled: no wake
    expect(h.cpu.sleeping).toBe(true);
    h.bus.write32(SCS.ISER0, 1);
    expect(h.cpu.sleeping).toBe(false);
    h.cpu.exc.checkPending();
    expect(h.cpu.ipsr).toBe(16);
  });

  it('with PRIMASK set an interrupt wakes WFI but is not taken', () => {
    const h = makeSys([WFI, NOP, B_SELF]);
    h.cpu.writeSpecial(16, 1, 0);
    h.bus.write32(SCS.ISER0, 1);
    runInsns(h, 5);
    expect(h.cpu.sleeping).toBe(true);
    h.bus.write32(SCS.ISPR0, 1);
    expect(h.cpu.sleeping).toBe(false);
    runInsns(h, 1);
    expect(h.cpu.ipsr).toBe(0);
    expect(h.cpu.pc).toBe(0x104);
  });

  it('WFE consumes a set event register; otherwise sleeps until SEVONPEND sees a new pending interrupt', () => {
    const h = makeSys([SEV, WFE, WFE, NOP, B_SELF]);
    runInsns(h, 2);
    expect(h.cpu.sleeping).toBe(false);
    runInsns(h, 1);
    expect(h.cpu.sleeping).toBe(true);
    h.bus.write32(SCS.SCR, 1 << 4);
    h.bus.write32(SCS.ISPR0, 1); // disabled, but SEVONPEND makes it an event
    expect(h.cpu.sleeping).toBe(false);
    expect(h.cpu.exc.eventRegister).toBe(0);
  });

  it('SLEEPONEXIT sleeps on return to thread mode', () => {
    const h = makeSys();
    h.bus.write32(SCS.SCR, 1 << 1);
    takePendSV(h);
    h.cpu.exc.exceptionReturn(0xfffffff9);
    h.cpu.exc.checkPending();
    expect(h.cpu.ipsr).toBe(0);
    expect(h.cpu.sleeping).toBe(true);
  });
});

describe('level-sensitive interrupts', () => {
  it('re-pend after the handler returns while the line is still high', () => {
    const h = makeSys();
    const { bus, cpu, sys } = h;
    bus.write32(SCS.ISER0, 1 << 3);
    sys.nvic.setIrqLevel(3, true);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(19);
    expect(sys.nvic.isPending(3)).toBe(false);
    cpu.exc.exceptionReturn(0xfffffff9);
    cpu.exc.checkPending(); // tail-chains straight back into IRQ3
    expect(cpu.ipsr).toBe(19);
    sys.nvic.setIrqLevel(3, false);
    cpu.exc.exceptionReturn(0xfffffff9);
    cpu.exc.checkPending();
    expect(cpu.ipsr).toBe(0);
    expect(sys.nvic.isPending(3)).toBe(false);
  });

  it('pulses pend once', () => {
    const h = makeSys();
    h.sys.nvic.pulseIrq(2);
    expect(u32(h.bus.read32(SCS.ISPR0))).toBe(1 << 2);
    h.bus.write32(SCS.ICPR0, 1 << 2);
    expect(h.bus.read32(SCS.ISPR0)).toBe(0);
  });
});
