/**
 * Exception model with real instructions from the ISA modules: returns through POP/LDR PC (which write
 * SP back after LoadWritePC), FP instructions triggering lazy state preservation, SVC from PSP threads.
 */
import { describe, expect, it } from 'vitest';
import { Exc } from '../../src/cpu/armv7m/faults.js';
import { FPCCR } from '../../src/cpu/armv7m/exceptions.js';
import { STACK_TOP } from '../helpers/cpu-harness.js';
import { B_SELF, NOP, SCS, SVC0, handlerAddr, makeSys, runInsns, setHandler, u32 } from './exceptions-harness.js';

const PUSH_R4_LR = 0xb510;
const POP_R4_PC = 0xbd10;
const MOVS_R4_7 = 0x2407;
const LDR_PC_SP_POST4 = 0xf85d_fb04; // LDR pc, [sp], #4
const PUSH_LR = 0xb500;
const VMOV_S0_1 = 0xeeb7_0a00; // VMOV.F32 s0, #1.0
const VADD_S0_S0_S1 = 0xee30_0a20; // VADD.F32 s0, s0, s1

describe('exception return through load instructions', () => {
  it('POP {r4, pc} with EXC_RETURN unstacks after the SP write-back', () => {
    const h = makeSys([NOP, NOP, B_SELF]);
    setHandler(h, Exc.PendSV, [PUSH_R4_LR, MOVS_R4_7, POP_R4_PC]);
    h.cpu.r[4] = 0x44;
    h.bus.write32(SCS.ICSR, 1 << 28);
    runInsns(h, 3); // entry, then PUSH, MOVS, POP: the return is requested
    expect(h.cpu.ipsr).toBe(Exc.PendSV);
    runInsns(h, 1); // the return completes before the NOP at 0x100 runs in thread mode
    expect(h.cpu.ipsr).toBe(0);
    expect(h.cpu.r[4]).toBe(0x44);
    expect(u32(h.cpu.r[13]!)).toBe(STACK_TOP);
    expect(h.cpu.pc).toBe(0x102);
  });

  it('completePendingReturn() finishes a return right after the instruction (debugger single-step)', () => {
    const h = makeSys([NOP, NOP, B_SELF]);
    h.bus.write32(SCS.ICSR, 1 << 28);
    runInsns(h, 1); // entry + BX LR
    expect(h.cpu.exc.returnRequested).toBe(true);
    expect(h.cpu.pc).toBe(0xfffffff9);
    h.cpu.exc.completePendingReturn();
    expect(h.cpu.exc.returnRequested).toBe(false);
    expect(h.cpu.pc).toBe(0x100);
    expect(h.cpu.ipsr).toBe(0);
  });

  it('LDR pc, [sp], #4 with EXC_RETURN returns to a PSP thread', () => {
    const h = makeSys([NOP, NOP, NOP, B_SELF]);
    setHandler(h, Exc.PendSV, [PUSH_LR, LDR_PC_SP_POST4]);
    h.cpu.setPsp(0x2000_8000);
    h.cpu.writeSpecial(20, 2, 0);
    h.bus.write32(SCS.ICSR, 1 << 28);
    runInsns(h, 3);
    expect(h.cpu.ipsr).toBe(0);
    expect(u32(h.cpu.r[13]!)).toBe(0x2000_8000);
    expect(u32(h.cpu.getMsp())).toBe(STACK_TOP);
    expect(h.cpu.pc).toBe(0x102);
  });

  it('SVC from an unprivileged PSP thread, handler returns with BX LR', () => {
    const h = makeSys([SVC0, NOP, B_SELF]);
    h.cpu.setPsp(0x2000_8000);
    h.cpu.writeSpecial(20, 3, 0); // SPSEL | nPRIV
    runInsns(h, 1);
    expect(h.cpu.exc.pending[Exc.SVCall]).toBe(1);
    h.cpu.exc.checkPending(); // what the loop does before the next instruction
    expect(h.cpu.ipsr).toBe(Exc.SVCall);
    expect(h.cpu.isPrivileged()).toBe(true);
    expect(u32(h.cpu.r[14]!)).toBe(0xfffffffd);
    runInsns(h, 1); // handler's BX LR
    runInsns(h, 1); // NOP after SVC
    expect(h.cpu.ipsr).toBe(0);
    expect(h.cpu.control).toBe(3);
    expect(h.cpu.pc).toBe(0x104);
    expect(u32(h.cpu.r[13]!)).toBe(0x2000_8000);
  });
});

describe('lazy FP stacking with FP instructions', () => {
  it('an FP instruction in the handler saves the thread FP state; return restores it', () => {
    const h = makeSys([VMOV_S0_1, NOP, NOP, B_SELF]);
    h.bus.write32(SCS.CPACR, 0xf << 20);
    runInsns(h, 1); // VMOV in thread: CONTROL.FPCA = 1
    expect(h.cpu.control & 4).toBe(4);
    expect(u32(h.cpu.s[0]!)).toBe(0x3f80_0000);
    h.cpu.s[1] = 0x4000_0000; // 2.0
    setHandler(h, Exc.PendSV, [VADD_S0_S0_S1, 0x4770]);
    h.bus.write32(SCS.ICSR, 1 << 28);
    runInsns(h, 1); // entry + VADD (triggers preservation)
    const frame = STACK_TOP - 0x68;
    expect(h.cpu.pc).toBe(handlerAddr(Exc.PendSV) + 4);
    expect(u32(h.bus.read32(frame + 0x20))).toBe(0x3f80_0000);
    expect(u32(h.cpu.s[0]!)).toBe(0x4040_0000); // 3.0 in the handler
    expect(u32(h.bus.read32(SCS.FPCCR)) & FPCCR.LSPACT).toBe(0);
    runInsns(h, 2); // BX LR, then the NOP at 0x104
    expect(h.cpu.ipsr).toBe(0);
    expect(u32(h.cpu.s[0]!)).toBe(0x3f80_0000);
    expect(u32(h.cpu.r[13]!)).toBe(STACK_TOP);
  });

  it('an FP instruction with CP10 disabled escalates NOCP to HardFault', () => {
    const h = makeSys([VMOV_S0_1, B_SELF]);
    runInsns(h, 1);
    expect(h.cpu.ipsr).toBe(Exc.HardFault);
    expect(u32(h.bus.read32(SCS.CFSR))).toBe(1 << 19);
  });
});
