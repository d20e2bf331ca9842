/**
 * The Cortex-M4 core's system peripherals on the Private Peripheral Bus, and `attachCoreSystem`, which
 * maps them. The System Control Space (0xE000E000–0xE000EFFF) is one MMIO region dispatching to:
 *   0x004 ICTR, 0x008 ACTLR, 0x010 SysTick, 0x100 NVIC, 0xD00 SCB, 0xD88 CPACR, 0xD90 MPU,
 *   0xDF0 debug control, 0xF00 STIR, 0xF34 FPCCR/FPCAR/FPDSCR/MVFR, 0xFD0 identification.
 * Elsewhere on the PPB: ITM 0xE0000000, DWT 0xE0001000, FPB 0xE0002000, TPIU 0xE0040000, ETM 0xE0041000,
 * ROM table 0xE00FF000. Unprivileged accesses to the SCS, DWT and FPB are bus errors (B3.2.1), except
 * STIR when CCR.USERSETMPEND is set.
 */
import type { Bus, MmioHandler } from '../../../core/bus.js';
import { BusError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import type { Scheduler } from '../../../core/scheduler.js';
import type { CortexM4 } from '../cpu.js';
import { CCR } from '../exceptions.js';
import { Itm, makeEtm, makeRomTable, makeTpiu, type ItmSink, type StubComponent } from './debug.js';
import { Dwt } from './dwt.js';
import { Fpb } from './fpb.js';
import { laneRead, laneWrite, merge, wordMmio, coresightId, type WordRegisters } from './lanes.js';
import { Mpu } from './mpu.js';
import { Nvic } from './nvic.js';
import { Scb } from './scb.js';
import { SysTick } from './systick.js';

export { Nvic, Scb, SysTick, Mpu, Dwt, Fpb, Itm };

export const SCS_BASE = 0xe000_e000;
export const ITM_BASE = 0xe000_0000;
export const DWT_BASE = 0xe000_1000;
export const FPB_BASE = 0xe000_2000;
export const TPIU_BASE = 0xe004_0000;
export const ETM_BASE = 0xe004_1000;
export const ROM_TABLE_BASE = 0xe00f_f000;

export interface CoreSystemOptions {
  /** Core clock (cycles per virtual second). */
  cpuHz: number;
  /** SysTick external reference clock (CLKSOURCE=0); default cpuHz / 8. */
  systickExternalHz?: number;
  log: Logger;
  /** External interrupts (default 240). */
  numIrq?: number;
  /** Implemented priority bits (default 8; 4 on STM32F4, 3 on mps2-an386). */
  priorityBits?: number;
  /**
   * AIRCR.SYSRESETREQ. Called from a scheduler event (never inside an instruction), so it may reset the
   * SoC and then call `cpu.reset()`. Default: `cpu.reset()` alone.
   */
  onSystemReset?: () => void;
  /**
   * VTOR value at every reset (the vector table the core boots from). Omitted: reset keeps the value
   * `cpu.exc.vtor` holds when `cpu.reset()` runs, so the caller sets it beforehand.
   */
  resetVectorBase?: number;
  /** ITM stimulus port writes (when ITM and the port are enabled), e.g. for SWO console output. */
  onItmWrite?: ItmSink;
}

export interface CoreSystem {
  /** The NVIC: the InterruptController SoC devices raise their lines on. */
  readonly nvic: Nvic;
  readonly scb: Scb;
  readonly systick: SysTick;
  readonly mpu: Mpu;
  readonly dwt: Dwt;
  readonly fpb: Fpb;
  readonly itm: Itm;
  /**
   * Runs `fn` as a debugger access (GDB stub memory reads/writes): no privilege checks on the PPB and
   * no read side effects (SysTick COUNTFLAG is not cleared).
   */
  debugAccess<T>(fn: () => T): T;
}

/** Shared flag: is the current bus access made by a debugger rather than the CPU? */
interface DebugFlag {
  active: boolean;
}

/** The SCS as one MMIO handler. */
class Scs implements WordRegisters, MmioHandler {
  actlr = 0;
  constructor(
    private readonly cpu: CortexM4,
    private readonly sys: CoreSystem,
    private readonly debug: DebugFlag,
  ) {}

  /** Is `offset` one of the SCB's ranges (SCB proper, debug control, FP extension registers)? */
  private static isScb(offset: number): boolean {
    return (offset >= 0xd00 && offset < 0xd90) || (offset >= 0xdf0 && offset < 0xe00) || (offset >= 0xf34 && offset < 0xf4c);
  }

  readWord(offset: number): number {
    const sys = this.sys;
    if (offset >= 0x010 && offset < 0x020) return sys.systick.readWord(offset - 0x010);
    if (offset >= 0x100 && offset < 0x500) return sys.nvic.readWord(offset - 0x100);
    if (offset >= 0xd90 && offset < 0xdbc) return sys.mpu.readWord(offset - 0xd90);
    if (Scs.isScb(offset)) return sys.scb.readWord(offset);
    switch (offset) {
      case 0x004: return Math.ceil(sys.nvic.numIrq / 32) - 1; // ICTR.INTLINESNUM
      case 0x008: return this.actlr;
      default: return coresightId(offset, [0x0c, 0xb0, 0x0b, 0x00, 0x04], 0xe) ?? 0;
    }
  }

  writeWord(offset: number, value: number, mask: number): void {
    const sys = this.sys;
    if (offset >= 0x010 && offset < 0x020) sys.systick.writeWord(offset - 0x010, value, mask);
    else if (offset >= 0x100 && offset < 0x500) sys.nvic.writeWord(offset - 0x100, value, mask);
    else if (offset >= 0xd90 && offset < 0xdbc) sys.mpu.writeWord(offset - 0xd90, value, mask);
    else if (Scs.isScb(offset)) sys.scb.writeWord(offset, value, mask);
    else if (offset === 0x008) this.actlr = merge(this.actlr, value, mask & 0x307);
    else if (offset === 0xf00) sys.nvic.writeStir(value & mask);
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (!this.cpu.isPrivileged() && !this.debug.active) throw new BusError(SCS_BASE + offset, false, size);
    return laneRead(this, offset, size);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (!this.cpu.isPrivileged() && !this.debug.active && !(offset === 0xf00 && (this.cpu.exc.ccr & CCR.USERSETMPEND) !== 0)) {
      throw new BusError(SCS_BASE + offset, true, size);
    }
    laneWrite(this, offset, size, value);
  }
}

/** Wraps a handler so unprivileged accesses are bus errors. */
function privilegedOnly(cpu: CortexM4, debug: DebugFlag, base: number, h: MmioHandler): MmioHandler {
  return {
    read(offset, size) {
      if (!cpu.isPrivileged() && !debug.active) throw new BusError(base + offset, false, size);
      return h.read(offset, size);
    },
    write(offset, size, value) {
      if (!cpu.isPrivileged() && !debug.active) throw new BusError(base + offset, true, size);
      h.write(offset, size, value);
    },
  };
}

/**
 * Creates the core's system peripherals, maps them on `bus`, and hooks their reset into the CPU's reset.
 * Call once after creating the CPU and before `cpu.reset()`.
 */
export function attachCoreSystem(cpu: CortexM4, bus: Bus, scheduler: Scheduler, opts: CoreSystemOptions): CoreSystem {
  const exc = cpu.exc;
  exc.configure({ numIrq: opts.numIrq ?? 240, priorityBits: opts.priorityBits ?? 8 });
  if (opts.resetVectorBase !== undefined) exc.resetVtor = opts.resetVectorBase;
  const log = opts.log.child({ dev: 'core' });

  // SYSRESETREQ is acted on from a scheduler event: the requesting store completes, the batch ends
  // (scheduling at "now" lowers runUntil), and the reset happens between instructions.
  const resetEvent = scheduler.event('sysresetreq', () => {
    log.debug('system reset requested (AIRCR.SYSRESETREQ)');
    if (opts.onSystemReset) opts.onSystemReset();
    else cpu.reset();
  });
  const nvic = new Nvic(exc);
  const scb = new Scb(cpu, exc, { requestSystemReset: () => scheduler.schedule(resetEvent, 0) });
  const systick = new SysTick(cpu, exc, scheduler, { cpuHz: opts.cpuHz, externalHz: opts.systickExternalHz });
  const mpu = new Mpu(cpu, exc);
  const dwt = new Dwt(cpu);
  const fpb = new Fpb();
  const itm = new Itm(opts.onItmWrite ?? null);
  const debug: DebugFlag = { active: false };
  systick.debugFlag = debug;
  const debugAccess = <T>(fn: () => T): T => {
    const was = debug.active;
    debug.active = true;
    try {
      return fn();
    } finally {
      debug.active = was;
    }
  };
  const sys: CoreSystem = { nvic, scb, systick, mpu, dwt, fpb, itm, debugAccess };
  const scs = new Scs(cpu, sys, debug);
  const stubs: StubComponent[] = [makeTpiu(), makeEtm(), makeRomTable()];

  bus.addMmio('SCS', SCS_BASE, 0x1000, scs);
  bus.addMmio('ITM', ITM_BASE, 0x1000, itm);
  bus.addMmio('DWT', DWT_BASE, 0x1000, privilegedOnly(cpu, debug, DWT_BASE, wordMmio(dwt)));
  bus.addMmio('FPB', FPB_BASE, 0x1000, privilegedOnly(cpu, debug, FPB_BASE, fpb.bank));
  bus.addMmio('TPIU', TPIU_BASE, 0x1000, wordMmio(stubs[0]!));
  bus.addMmio('ETM', ETM_BASE, 0x1000, wordMmio(stubs[1]!));
  bus.addMmio('ROMTABLE', ROM_TABLE_BASE, 0x1000, wordMmio(stubs[2]!));

  exc.onReset(() => {
    scheduler.cancel(resetEvent);
    scs.actlr = 0;
    scb.reset();
    systick.reset();
    mpu.reset();
    dwt.reset();
    fpb.reset();
    itm.reset();
    for (const s of stubs) s.reset();
  });
  return sys;
}
