/**
 * A bare core with the system peripherals attached (NVIC/SCB/SysTick/MPU…) for exception-model tests.
 * Handlers are placed at HANDLER_BASE + 0x40 * n and default to `BX LR` (0x4770).
 */
import { Scheduler } from '../../src/core/scheduler.js';
import { silentLogger } from '../../src/core/logger.js';
import { attachCoreSystem, type CoreSystem } from '../../src/cpu/armv7m/system/index.js';
import { assembleWords, makeCpu, type Harness } from '../helpers/cpu-harness.js';

export const HANDLER_BASE = 0x1000;
export const BX_LR = 0x4770;
export const NOP = 0xbf00;
export const B_SELF = 0xe7fe;
export const SVC0 = 0xdf00;
export const WFI = 0xbf30;

export interface SysHarness extends Harness {
  sys: CoreSystem;
  sched: Scheduler;
}

export function handlerAddr(n: number): number {
  return HANDLER_BASE + 0x40 * n;
}

/** A core with thread code at 0x100, every vector pointing at its own BX LR handler. */
export function makeSys(code: readonly number[] = [B_SELF], opts: { priorityBits?: number; numIrq?: number; cpuHz?: number; systickExternalHz?: number } = {}): SysHarness {
  const h = makeCpu(code);
  const sched = new Scheduler(h.cpu);
  const sys = attachCoreSystem(h.cpu, h.bus, sched, {
    cpuHz: opts.cpuHz ?? 8_000_000,
    systickExternalHz: opts.systickExternalHz,
    log: silentLogger(),
    numIrq: opts.numIrq ?? 32,
    priorityBits: opts.priorityBits ?? 4,
    resetVectorBase: 0,
  });
  for (let n = 2; n < 16 + (opts.numIrq ?? 32); n++) {
    h.bus.write32(4 * n, handlerAddr(n) | 1);
    h.bus.load(handlerAddr(n), assembleWords([BX_LR]));
  }
  h.cpu.reset();
  return { ...h, sys, sched };
}

/** Replaces handler `n`'s code. */
export function setHandler(h: Harness, n: number, code: readonly number[]): void {
  h.bus.load(handlerAddr(n), assembleWords(code));
}

/** Runs `n` instructions through the CPU loop (faults and exceptions delivered as on the real loop). */
export function runInsns(h: Harness, n: number): void {
  h.cpu.instructionLimit = h.cpu.instructions + n;
  h.cpu.run(Infinity);
  h.cpu.instructionLimit = Infinity;
}

export const SCS = {
  ICTR: 0xe000e004,
  STCSR: 0xe000e010,
  STRVR: 0xe000e014,
  STCVR: 0xe000e018,
  STCALIB: 0xe000e01c,
  ISER0: 0xe000e100,
  ICER0: 0xe000e180,
  ISPR0: 0xe000e200,
  ICPR0: 0xe000e280,
  IABR0: 0xe000e300,
  IPR0: 0xe000e400,
  CPUID: 0xe000ed00,
  ICSR: 0xe000ed04,
  VTOR: 0xe000ed08,
  AIRCR: 0xe000ed0c,
  SCR: 0xe000ed10,
  CCR: 0xe000ed14,
  SHPR1: 0xe000ed18,
  SHPR2: 0xe000ed1c,
  SHPR3: 0xe000ed20,
  SHCSR: 0xe000ed24,
  CFSR: 0xe000ed28,
  HFSR: 0xe000ed2c,
  DFSR: 0xe000ed30,
  MMFAR: 0xe000ed34,
  BFAR: 0xe000ed38,
  CPACR: 0xe000ed88,
  MPU_TYPE: 0xe000ed90,
  MPU_CTRL: 0xe000ed94,
  MPU_RNR: 0xe000ed98,
  MPU_RBAR: 0xe000ed9c,
  MPU_RASR: 0xe000eda0,
  DEMCR: 0xe000edfc,
  STIR: 0xe000ef00,
  FPCCR: 0xe000ef34,
  FPCAR: 0xe000ef38,
  FPDSCR: 0xe000ef3c,
  MVFR0: 0xe000ef40,
  MVFR1: 0xe000ef44,
} as const;

export const u32 = (x: number): number => x >>> 0;
