import { describe, expect, it } from 'vitest';
import { XtAsm } from '../../../src/cpu/xtensa/asm.js';
import type { XtensaCpu } from '../../../src/cpu/xtensa/cpu.js';
import { Cause, SR } from '../../../src/cpu/xtensa/sr.js';
import { DRAM, IRAM, makeCpu } from './helpers.js';
import { vectors } from './window-handlers.js';

const STACK = DRAM + 0x8000;
const SCRATCH = DRAM + 0xf000;

/** Root code at WINDOWBASE 0: PS.WOE on, a1 = stack, a fake caller sp at [a1 − 12]; then `body`. */
function program(body: (a: XtAsm) => void): XtAsm {
  const a = new XtAsm(IRAM + 0x400);
  a.j('code').align(4).label('stack').word(STACK).label('scratch').word(SCRATCH).label('code');
  a.movi(2, 1).slli(2, 2, 18).wsr(2, 'ps').sync('rsync');
  a.l32r(1, 'stack').l32r(3, 'scratch').s32e(3, 1, -12);
  body(a);
  return a;
}

/** Runs to BREAK, counting arrivals at each window vector. */
function runCounting(a: XtAsm, max = 200000): { cpu: XtensaCpu; hits: Map<number, number> } {
  const cpu = makeCpu();
  const v = new XtAsm(IRAM);
  vectors(v);
  cpu.bus.load(IRAM, v.assemble());
  cpu.bus.load(IRAM + 0x400, a.assemble());
  cpu.writeSR(SR.VECBASE, IRAM);
  cpu.ps = 0;
  cpu.pc = IRAM + 0x400;
  const hits = new Map<number, number>();
  for (let i = 0; i < max && cpu.stopReason === null; i++) {
    const off = cpu.pc - IRAM;
    if (off < 0x400) hits.set(off, (hits.get(off) ?? 0) + 1);
    cpu.step();
  }
  return { cpu, hits };
}

describe('xtensa windowed calls', () => {
  it('CALL8/ENTRY/RETW recursion 20 deep spills through WindowOverflow8 and restores through WindowUnderflow8', () => {
    const a = program((a) => {
      a.movi(10, 20).call(2, 'f').mov(2, 10).break_(1, 15);
      // f(n) = n == 0 ? 0 : 3n + f(n − 1), keeping 3n in a7 (extra save area) across the call.
      a.align(4).label('f').entry(1, 48).bz('beqz', 2, 'zero');
      a.op('addx2', 7, 2, 2).addi(10, 2, -1).call(2, 'f').add(2, 7, 10).retw();
      a.label('zero').movi(2, 0).retw_n();
    });
    const { cpu, hits } = runCounting(a);
    expect(cpu.pc).toBeGreaterThan(IRAM + 0x400); // stopped at the final BREAK, not a vector
    expect(cpu.ar[2]).toBe(630);
    expect(cpu.ar[1]).toBe(STACK);
    const of8 = hits.get(0x80) ?? 0;
    // 22 frames (root + f(20)..f(0)) of 2 groups each; 16 groups hold 8 of them, so 14 must be spilled.
    expect(of8).toBe(14);
    expect(hits.get(0xc0)).toBe(of8); // every spilled frame comes back exactly once
    expect(hits.get(0x300)).toBeUndefined();
    expect(cpu.windowBase).toBe(0);
    expect(cpu.windowStart).toBe(1);
  });

  it('CALL4 recursion 30 deep uses WindowOverflow4/WindowUnderflow4', () => {
    const a = program((a) => {
      a.movi(6, 30).call(1, 'g').mov(2, 6).break_(1, 15);
      a.align(4).label('g').entry(1, 32).bz('beqz', 2, 'zero');
      a.addi(6, 2, -1).call(1, 'g').add(2, 2, 6).retw();
      a.label('zero').movi(2, 0).retw();
    });
    const { cpu, hits } = runCounting(a);
    expect(cpu.ar[2]).toBe(465);
    const of4 = hits.get(0x00) ?? 0;
    expect(of4).toBeGreaterThan(5);
    expect(hits.get(0x40)).toBe(of4);
  });

  it('CALLX12 recursion keeps a4..a11 through WindowOverflow12/WindowUnderflow12', () => {
    const a = program((a) => {
      a.j('c2').align(4).label('haddr').word(() => a.addr('h')).label('c2');
      a.l32r(4, 'haddr').movi(14, 10).callx(3, 4).mov(2, 14).break_(1, 15);
      // h(n) = n == 0 ? 0 : n + 2n + h(n − 1), with n in a11 and 2n in a4.
      a.align(4).label('h').entry(1, 64).bz('beqz', 2, 'zero');
      a.mov(11, 2).add(4, 2, 2).l32r(5, 'haddr').addi(14, 2, -1).callx(3, 5).add(2, 11, 4).add(2, 2, 14).retw();
      a.label('zero').movi(2, 0).retw();
    });
    const { cpu, hits } = runCounting(a);
    expect(cpu.ar[2]).toBe(165);
    const of12 = hits.get(0x100) ?? 0;
    expect(of12).toBeGreaterThan(2);
    expect(hits.get(0x140)).toBe(of12);
  });

  it('a window overflow records OWB and EPC1, rotates to the frame to spill and sets EXCM', () => {
    // Hand-made state: frames at WB 0 (current, CALL8 size) and WB 2 (an old frame) — touching a8 (group 2) must spill WB 2.
    const cpu = makeCpu();
    const v = new XtAsm(IRAM);
    v.org(IRAM + 0x100).break_(1, 8);
    cpu.bus.load(IRAM, v.assemble());
    const a = new XtAsm(IRAM + 0x400);
    a.movi(8, 1);
    cpu.bus.load(IRAM + 0x400, a.assemble());
    cpu.writeSR(SR.VECBASE, IRAM);
    cpu.ps = 1 << 18;
    cpu.windowStart = 0b10000101; // frames at 0, 2 and 7: WB 2's frame extends to WB 7 → overflow12
    cpu.pc = IRAM + 0x400;
    cpu.step();
    expect(cpu.pc).toBe(IRAM + 0x100);
    expect(cpu.windowBase).toBe(2);
    expect((cpu.ps >>> 8) & 15).toBe(0);
    expect(cpu.ps & 0x10).toBe(0x10);
    expect(cpu.sr[SR.EPC1]).toBe(IRAM + 0x400);
  });

  it('MOVSP raises Alloca when no caller frame is live, and moves otherwise; ROTW rotates', () => {
    const a = new XtAsm(IRAM + 0x400);
    a.movi(2, 5).movsp(3, 2);
    const cpu = makeCpu();
    const v = new XtAsm(IRAM);
    v.org(IRAM + 0x300).break_(1, 1);
    cpu.bus.load(IRAM, v.assemble());
    cpu.bus.load(IRAM + 0x400, a.assemble());
    cpu.writeSR(SR.VECBASE, IRAM);
    cpu.ps = 1 << 18;
    cpu.pc = IRAM + 0x400;
    cpu.windowBase = 4;
    cpu.windowStart = 1 << 4;
    cpu.run(Infinity);
    expect(cpu.sr[SR.EXCCAUSE]).toBe(Cause.Alloca);
    cpu.stopReason = null;
    cpu.windowStart = (1 << 4) | (1 << 2);
    cpu.ps = 1 << 18;
    cpu.pc = IRAM + 0x403;
    cpu.step();
    expect(cpu.ar[3]).toBe(5);
    // ROTW 3 then ROTW −3: a register written in between is visible 12 registers lower after rotating back.
    const b = new XtAsm(IRAM + 0x500);
    b.rotw(3).movi(0, 99).rotw(-3).break_(1, 15);
    cpu.bus.load(IRAM + 0x500, b.assemble());
    cpu.ps = 0;
    cpu.pc = IRAM + 0x500;
    cpu.run(Infinity);
    expect(cpu.windowBase).toBe(4);
    expect(cpu.ar[12]).toBe(99);
  });

  it('RETW with a0[31:30] = 0 is an IllegalInstruction', () => {
    const a = program((a) => a.movi(0, 0x10).retw());
    const { cpu } = runCounting(a, 100);
    expect(cpu.sr[SR.EXCCAUSE]).toBe(Cause.IllegalInstruction);
  });
});
