/**
 * The ARMv7-M exception model (ARM ARM DDI0403E B1.5): reset, priorities, pending/active state, entry
 * (stacking, lazy FP), return (EXC_RETURN, tail-chaining), fault escalation, lockup, WFI/WFE/SEV.
 *
 * All exception state lives here; the NVIC and SCB register blocks (system/*.ts) are views onto it.
 * Exception numbers index the per-exception arrays: 1 Reset … 15 SysTick, 16 + n for external interrupt n.
 *
 * Timing of entry/return relative to the CPU loop:
 * - Asynchronous exceptions are taken in `checkPending()`, between instructions (`cpu.pc` = return address).
 * - Faults arrive in `fault()` after the faulting instruction threw (`cpu.pc` = the faulting instruction).
 * - SVC pends SVCall and sets `irqCheck`, so it is taken right after the SVC completes (return address = next insn).
 * - Exception return is requested from inside an instruction (`bxWritePC`); it is performed at the next
 *   `checkPending()`, i.e. after the instruction has finished all its writes (POP/LDM write SP back *after*
 *   LoadWritePC in the ARM ARM pseudocode). Until then `cpu.pc` reads as the EXC_RETURN value.
 */
import { BusError } from '../../core/errors.js';
import type { CortexM4 } from './cpu.js';
import { CFSR, Exc, GuestFault } from './faults.js';

/** HFSR bits. */
export const HFSR = {
  VECTTBL: 1 << 1,
  FORCED: 1 << 30,
  DEBUGEVT: 0x8000_0000,
} as const;

/** DFSR bits. */
export const DFSR = {
  HALTED: 1 << 0,
  BKPT: 1 << 1,
  DWTTRAP: 1 << 2,
  VCATCH: 1 << 3,
  EXTERNAL: 1 << 4,
} as const;

/** DEMCR bits used by the exception model. */
export const DEMCR = {
  MON_EN: 1 << 16,
  MON_PEND: 1 << 17,
  TRCENA: 1 << 24,
} as const;

/** CCR bits. */
export const CCR = {
  NONBASETHRDENA: 1 << 0,
  USERSETMPEND: 1 << 1,
  UNALIGN_TRP: 1 << 3,
  DIV_0_TRP: 1 << 4,
  BFHFNMIGN: 1 << 8,
  STKALIGN: 1 << 9,
} as const;

/** SCR bits. */
export const SCR = {
  SLEEPONEXIT: 1 << 1,
  SLEEPDEEP: 1 << 2,
  SEVONPEND: 1 << 4,
} as const;

/** FPCCR bits. */
export const FPCCR = {
  LSPACT: 1 << 0,
  USER: 1 << 1,
  THREAD: 1 << 3,
  HFRDY: 1 << 4,
  MMRDY: 1 << 5,
  BFRDY: 1 << 6,
  MONRDY: 1 << 8,
  LSPEN: 1 << 30,
  ASPEN: 0x8000_0000,
} as const;

/** SHCSR enable bits (the active/pending bits are views of the model's arrays). */
export const SHCSR = {
  MEMFAULTENA: 1 << 16,
  BUSFAULTENA: 1 << 17,
  USGFAULTENA: 1 << 18,
} as const;

/** Cycle costs of exception entry, tail-chaining and return on the Cortex-M4 (TRM: 12 / 6 / 10 with zero wait states). */
const ENTRY_CYCLES = 12;
const TAILCHAIN_CYCLES = 6;
const RETURN_CYCLES = 10;

const enum Sleep {
  None = 0,
  Wfi = 1,
  Wfe = 2,
}

export interface ExceptionConfig {
  /** Number of external interrupts (1..240). */
  numIrq?: number;
  /** Implemented priority bits (2..8); unimplemented low bits of every priority field read as zero. */
  priorityBits?: number;
}

export class ExceptionModel {
  /** VTOR (SCB). */
  vtor = 0;
  /**
   * VTOR loaded by every reset, or null to keep whatever `vtor` holds when reset() runs (the caller
   * then sets `vtor` before resetting, as a machine whose boot address depends on the SoC may).
   */
  resetVtor: number | null = null;
  /** The last fault delivered (for the register dump on lockup). */
  lastFault: GuestFault | null = null;
  /** With a debugger attached, BKPT stops the CPU ('breakpoint') instead of escalating to HardFault. */
  bkptStops = false;
  /** Observer for `--trace exc`: exception entry (number, return address), return (number, EXC_RETURN), lockup. */
  trace: ((event: 'entry' | 'return' | 'tail-chain' | 'lockup', exception: number, value: number) => void) | null = null;

  numIrq = 240;
  priorityBits = 8;
  /** Byte mask of the implemented priority bits, e.g. 0xf0 for 4 bits. */
  prioMask = 0xff;
  /** Number of exception slots: 16 + numIrq. */
  count = 256;

  /** Per-exception state, indexed by exception number. */
  pending = new Uint8Array(256);
  active = new Uint8Array(256);
  /** NVIC enables for external interrupts (system exceptions have 1; fault enables are in `shcsr`). */
  enabled = new Uint8Array(256);
  /** Level of device interrupt lines (level-sensitive re-pending). */
  level = new Uint8Array(256);
  /** Priority: -3/-2/-1 for Reset/NMI/HardFault, otherwise the 8-bit field with unimplemented bits zero. */
  prio = new Int16Array(256);
  pendingCount = 0;
  activeCount = 0;

  /** AIRCR.PRIGROUP. */
  prigroup = 0;
  /** Mask giving the group priority of a non-negative priority (`prio & groupMask`). */
  groupMask = 0xfe;

  cfsr = 0;
  hfsr = 0;
  dfsr = 0;
  mmfar = 0;
  bfar = 0;
  afsr = 0;
  /** SHCSR fault-enable bits (16..18). */
  shcsr = 0;
  ccr: number = CCR.STKALIGN;
  scr = 0;
  fpccr: number = FPCCR.ASPEN | FPCCR.LSPEN;
  fpcar = 0;
  fpdscr = 0;
  /** DEMCR (debug exception and monitor control): MON_EN routes BKPT to the DebugMonitor exception. */
  demcr = 0;
  /** The event register (WFE/SEV). */
  eventRegister = 0;

  private sleepKind = Sleep.None;
  /** EXC_RETURN requested by the current instruction, performed at the next checkPending(); -1 when none. */
  private returnPending = -1;
  private entryLr = 0;
  private readonly resetHooks: (() => void)[] = [];

  constructor(private readonly cpu: CortexM4) {
    this.configure({});
  }

  /** Sets the NVIC size and implemented priority bits (call before reset). */
  configure(cfg: ExceptionConfig): void {
    const numIrq = Math.max(1, Math.min(240, cfg.numIrq ?? this.numIrq));
    this.numIrq = numIrq;
    this.priorityBits = Math.max(2, Math.min(8, cfg.priorityBits ?? this.priorityBits));
    this.prioMask = (0xff << (8 - this.priorityBits)) & 0xff;
    this.count = 16 + numIrq;
    this.pending = new Uint8Array(this.count);
    this.active = new Uint8Array(this.count);
    this.enabled = new Uint8Array(this.count);
    this.level = new Uint8Array(this.count);
    this.prio = new Int16Array(this.count);
    this.resetState();
  }

  /** Registers a callback run on every reset, before the reset vector is fetched (system blocks reset here). */
  onReset(hook: () => void): void {
    this.resetHooks.push(hook);
  }

  private resetState(): void {
    this.pending.fill(0);
    this.active.fill(0);
    this.level.fill(0);
    this.prio.fill(0);
    this.prio[Exc.Reset] = -3;
    this.prio[Exc.NMI] = -2;
    this.prio[Exc.HardFault] = -1;
    this.enabled.fill(1, 0, 16);
    this.enabled.fill(0, 16);
    this.pendingCount = 0;
    this.activeCount = 0;
    this.setPrigroup(0);
    this.cfsr = this.hfsr = this.dfsr = this.mmfar = this.bfar = this.afsr = 0;
    this.shcsr = 0;
    this.scr = 0;
    this.fpccr = FPCCR.ASPEN | FPCCR.LSPEN;
    this.fpcar = 0;
    this.fpdscr = 0;
    this.demcr = 0;
    this.eventRegister = 0;
    this.sleepKind = Sleep.None;
    this.returnPending = -1;
    this.lastFault = null;
    if (this.resetVtor !== null) this.vtor = this.resetVtor >>> 0;
    this.cpu.cpacr = 0;
    this.setCcr(CCR.STKALIGN);
  }

  /** Takes the reset exception: resets exception state and system blocks, then MSP from vector 0, PC from vector 1. */
  reset(): void {
    const cpu = this.cpu;
    this.resetState();
    for (const h of this.resetHooks) h();
    cpu.r[14] = -1; // LR resets to 0xFFFFFFFF on the Cortex-M4
    try {
      cpu.r[13] = cpu.bus.read32(this.vtor) & ~3;
      const pc = cpu.bus.read32(this.vtor + 4);
      cpu.pc = cpu.nextPc = (pc & ~1) >>> 0;
      cpu.tbit = pc & 1;
    } catch (e) {
      if (!(e instanceof BusError)) throw e;
      this.hfsr |= HFSR.VECTTBL;
      this.lockup(new GuestFault(Exc.HardFault, 0, e.address));
      return;
    }
    if (cpu.tbit === 0) cpu.irqCheck = true;
  }

  // ---- register-level helpers used by the SCB/NVIC views ------------------------------------------

  setPrigroup(v: number): void {
    this.prigroup = v & 7;
    this.groupMask = (0xff << (this.prigroup + 1)) & 0xff;
    this.cpu.irqCheck = true;
    if (this.cpu.sleeping) this.wakeIfNeeded();
  }

  setCcr(v: number): void {
    this.ccr = v & (CCR.NONBASETHRDENA | CCR.USERSETMPEND | CCR.UNALIGN_TRP | CCR.DIV_0_TRP | CCR.BFHFNMIGN | CCR.STKALIGN);
    this.cpu.unalignTrap = (this.ccr & CCR.UNALIGN_TRP) !== 0;
    this.cpu.div0Trap = (this.ccr & CCR.DIV_0_TRP) !== 0;
  }

  /** Sets the priority field of a configurable exception (4..15 or an IRQ); fixed ones ignore it. */
  setPriority(n: number, value: number): void {
    if (n < 4 || n >= this.count) return;
    this.prio[n] = value & this.prioMask;
    this.cpu.irqCheck = true;
    if (this.cpu.sleeping && this.pending[n]) this.wakeIfNeeded();
  }

  /** Group priority of exception `n` (PRIGROUP applied; negative fixed priorities unchanged). */
  groupPriority(n: number): number {
    const p = this.prio[n]!;
    return p < 0 ? p : p & this.groupMask;
  }

  setPending(n: number): void {
    if (this.pending[n] === 0) {
      this.pending[n] = 1;
      this.pendingCount++;
      if (this.scr & SCR.SEVONPEND) this.eventRegister = 1;
    }
    this.cpu.irqCheck = true;
    if (this.cpu.sleeping) this.wakeIfNeeded();
  }

  clearPending(n: number): void {
    if (this.pending[n] !== 0) {
      this.pending[n] = 0;
      this.pendingCount--;
    }
  }

  setEnabled(n: number, on: boolean): void {
    this.enabled[n] = on ? 1 : 0;
    this.cpu.irqCheck = true;
    if (on && this.cpu.sleeping && this.pending[n]) this.wakeIfNeeded();
  }

  /** Sets/clears an active bit directly (SHCSR writes, VECTCLRACTIVE). */
  setActive(n: number, on: boolean): void {
    if (on && this.active[n] === 0) {
      this.active[n] = 1;
      this.activeCount++;
    } else if (!on && this.active[n] !== 0) {
      this.active[n] = 0;
      this.activeCount--;
    }
    this.cpu.irqCheck = true;
  }

  /** A device interrupt line changed (level-sensitive: stays pending while high). */
  setIrqLevel(irq: number, level: boolean): void {
    const n = 16 + irq;
    if (irq < 0 || n >= this.count) return;
    this.level[n] = level ? 1 : 0;
    if (level) this.setPending(n);
  }

  /** The highest-priority pending exception that is enabled, ignoring masks (ICSR.VECTPENDING), or 0. */
  pendingException(): number {
    if (this.pendingCount === 0) return 0;
    const pending = this.pending;
    const enabled = this.enabled;
    const prio = this.prio;
    let best = 0;
    let bestPri = 0x7fff;
    for (let i = 1; i < this.count; i++) {
      if (pending[i] !== 0 && enabled[i] !== 0 && prio[i]! < bestPri) {
        best = i;
        bestPri = prio[i]!;
      }
    }
    return best;
  }

  /** ICSR.ISRPENDING: is any external interrupt pending? */
  isrPending(): boolean {
    for (let i = 16; i < this.count; i++) if (this.pending[i]) return true;
    return false;
  }

  /**
   * Current execution priority (ARM ARM B1.5.4 ExecutionPriority()): the group priority of the highest
   * active exception, lowered by BASEPRI/PRIMASK/FAULTMASK; 256 in thread mode with no boost.
   */
  executionPriority(ignorePrimask = false): number {
    const cpu = this.cpu;
    let highest = 256;
    if (this.activeCount !== 0) {
      const active = this.active;
      const prio = this.prio;
      for (let i = 1; i < this.count; i++) if (active[i] !== 0 && prio[i]! < highest) highest = prio[i]!;
      if (highest >= 0 && highest < 256) highest &= this.groupMask;
    }
    let boosted = 256;
    const basepri = cpu.basepri & this.prioMask; // unimplemented BASEPRI bits are RAZ
    if (basepri !== 0) boosted = basepri & this.groupMask;
    if (cpu.primask !== 0 && !ignorePrimask) boosted = 0;
    if (cpu.faultmask !== 0) boosted = -1;
    return boosted < highest ? boosted : highest;
  }

  /** Is the execution priority negative (HardFault/NMI active or FAULTMASK set)? The MPU's HFNMIENA test. */
  negativePriority(): boolean {
    return this.cpu.faultmask !== 0 || this.active[Exc.HardFault] !== 0 || this.active[Exc.NMI] !== 0;
  }

  // ---- the CPU's entry points -----------------------------------------------------------------------

  /** Called before an instruction when `cpu.irqCheck` was set: finish an exception return, wake, take the highest pending exception that can preempt. */
  checkPending(): void {
    const cpu = this.cpu;
    if (this.returnPending !== -1) {
      this.completePendingReturn();
      if (cpu.stopReason !== null) return;
    }
    if (cpu.sleeping) {
      if (!this.wakeCondition()) {
        cpu.irqCheck = true; // re-check on the next run() while asleep
        return;
      }
      this.wake();
    }
    if (this.pendingCount === 0) return;
    const n = this.pendingException();
    if (n !== 0 && this.groupPriority(n) < this.executionPriority()) this.enter(n, cpu.pc);
  }

  /** A synchronous fault raised by the current instruction (`cpu.pc` is the faulting instruction). */
  fault(f: GuestFault): void {
    this.lastFault = f;
    this.returnPending = -1; // the faulting instruction has no effect, including a requested exception return
    this.cfsr |= f.cfsr;
    if (f.address >= 0) {
      if (f.cfsr & CFSR.MMARVALID) this.mmfar = f.address >>> 0;
      if (f.cfsr & CFSR.BFARVALID) this.bfar = f.address >>> 0;
    }
    const n = this.resolveFault(f.exception);
    if (n === 0) {
      this.lockup(f);
      return;
    }
    this.enter(n, this.cpu.pc);
  }

  /** SVC #imm executed: SVCall is taken after this instruction, or escalates to HardFault if it cannot preempt. */
  svc(_imm: number): void {
    const ep = this.executionPriority();
    if (this.groupPriority(Exc.SVCall) < ep) {
      this.setPending(Exc.SVCall);
      return;
    }
    if (ep <= -1) {
      this.lockup(new GuestFault(Exc.HardFault, 0));
      return;
    }
    this.hfsr |= HFSR.FORCED;
    this.setPending(Exc.HardFault);
  }

  /**
   * BKPT (not semihosting): halts with a debugger attached; otherwise the DebugMonitor exception when
   * DEMCR.MON_EN is set and it can preempt, else HardFault (HFSR.DEBUGEVT). The return address is the BKPT.
   */
  debugEvent(_imm: number): void {
    this.dfsr |= DFSR.BKPT;
    if (this.bkptStops) {
      this.cpu.nextPc = this.cpu.pc; // halted at the BKPT, as a Cortex-M core halts in debug state
      this.cpu.requestStop('breakpoint');
      return;
    }
    if ((this.demcr & DEMCR.MON_EN) !== 0 && this.groupPriority(Exc.DebugMonitor) < this.executionPriority()) {
      throw new GuestFault(Exc.DebugMonitor, 0);
    }
    this.hfsr |= HFSR.DEBUGEVT;
    throw new GuestFault(Exc.HardFault, 0);
  }

  /** BX/POP/LDR to an EXC_RETURN value in handler mode: performed once the current instruction has completed. */
  exceptionReturn(excReturn: number): void {
    this.returnPending = excReturn >>> 0;
    this.cpu.nextPc = excReturn >>> 0;
    this.cpu.irqCheck = true;
  }

  /** Is an exception return requested by the last instruction still to be performed? */
  get returnRequested(): boolean {
    return this.returnPending !== -1;
  }

  /**
   * Performs a requested exception return now (unstacking, or tail-chaining into a pending exception),
   * without taking new interrupts otherwise. For debuggers single-stepping over BX LR / POP {pc}: after
   * it, `cpu.pc` is the real return target instead of the EXC_RETURN value.
   */
  completePendingReturn(): void {
    if (this.returnPending === -1) return;
    const er = this.returnPending;
    this.returnPending = -1;
    this.doReturn(er);
  }

  /** WFI: sleep until an exception that would preempt if PRIMASK were clear is pending. */
  wfi(): void {
    if (this.wfiWake()) return;
    this.cpu.sleeping = true;
    this.sleepKind = Sleep.Wfi;
    this.cpu.irqCheck = true;
  }

  /** WFE: consume the event register, or sleep until an event or a preempting exception. */
  wfe(): void {
    if (this.eventRegister !== 0) {
      this.eventRegister = 0;
      return;
    }
    this.cpu.sleeping = true;
    this.sleepKind = Sleep.Wfe;
    this.cpu.irqCheck = true;
  }

  /** SEV: set the event register (single core: our own). */
  sev(): void {
    this.eventRegister = 1;
  }

  /**
   * Called by every FP instruction before it touches FP state (ARM ARM ExecuteFPCheck): CPACR check
   * (UsageFault NOCP when denied), lazy FP state preservation (FPCCR.LSPACT), and CONTROL.FPCA update.
   */
  fpuAccess(): void {
    const cpu = this.cpu;
    const cp10 = (cpu.cpacr >>> 20) & 3;
    if (cp10 !== 3 && (cp10 !== 1 || !cpu.isPrivileged())) cpu.noCoprocessor();
    if (this.fpccr & FPCCR.LSPACT) this.preserveFpState();
    if ((this.fpccr & FPCCR.ASPEN) !== 0 && (cpu.control & 4) === 0) {
      cpu.fpscr = (cpu.fpscr & ~0x07c0_0000) | (this.fpdscr & 0x07c0_0000);
      cpu.control |= 4; // FPCA: no stack change, so no need for setModeAndControl
    }
  }

  /** Did the core lock up, or is it sleeping? (For the machine's loop and register dumps.) */
  get sleepingOnWfe(): boolean {
    return this.cpu.sleeping && this.sleepKind === Sleep.Wfe;
  }

  /** Clears all active state (AIRCR.VECTCLRACTIVE); IPSR is left alone as the debugger is expected to fix it. */
  clearAllActive(): void {
    this.active.fill(0);
    this.activeCount = 0;
    this.cpu.irqCheck = true;
  }

  // ---- internals ------------------------------------------------------------------------------------

  private lockup(f: GuestFault): void {
    if (this.trace !== null) this.trace('lockup', f.exception, this.cpu.pc);
    this.lastFault = f;
    this.cpu.sleeping = false;
    this.cpu.requestStop('lockup');
  }

  private wfiWake(): boolean {
    const n = this.pendingException();
    return n !== 0 && this.groupPriority(n) < this.executionPriority(true);
  }

  private wakeCondition(): boolean {
    if (this.sleepKind === Sleep.Wfe) {
      if (this.eventRegister !== 0) return true;
      const n = this.pendingException();
      return n !== 0 && this.groupPriority(n) < this.executionPriority();
    }
    return this.wfiWake();
  }

  private wake(): void {
    if (this.sleepKind === Sleep.Wfe) this.eventRegister = 0;
    this.sleepKind = Sleep.None;
    this.cpu.sleeping = false;
  }

  /** Wakes the core if the new pending/enable state is a wake-up event. */
  private wakeIfNeeded(): void {
    if (this.wakeCondition()) this.wake();
  }

  /**
   * Which exception a fault of type `exc` is taken as (B1.5.6 priority escalation): the configurable
   * fault itself when enabled and able to preempt, else HardFault (HFSR.FORCED); 0 means lockup.
   */
  private resolveFault(exc: number): number {
    const ep = this.executionPriority();
    if (exc >= Exc.MemManage && exc <= Exc.UsageFault) {
      const ena = (this.shcsr >>> (16 + exc - Exc.MemManage)) & 1;
      if (ena !== 0 && this.groupPriority(exc) < ep) return exc;
      this.hfsr |= HFSR.FORCED;
      exc = Exc.HardFault;
    }
    if (exc === Exc.HardFault && ep <= -1) return 0;
    return exc;
  }

  private deactivate(n: number): void {
    if (this.active[n] !== 0) {
      this.active[n] = 0;
      this.activeCount--;
    }
    if (n >= 16 && this.level[n] !== 0) this.setPending(n); // level-sensitive line still high
  }

  /** Exception entry: stack, then take `n` (or the derived fault if stacking failed). */
  private enter(n: number, returnAddress: number): void {
    if (this.trace !== null) this.trace('entry', n, returnAddress);
    const err = this.pushStack(returnAddress);
    this.cpu.cycles += ENTRY_CYCLES;
    if (err !== 0) {
      // Derived exception: the stacking fault is taken instead (the frame space stays reserved); an
      // interrupted asynchronous exception stays pending. A stacking fault that cannot be handled locks up.
      this.cfsr |= err;
      const derived = this.resolveFault(err & (CFSR.MSTKERR | CFSR.MLSPERR) ? Exc.MemManage : Exc.BusFault);
      if (derived === 0 || n === Exc.HardFault || n === Exc.NMI) {
        this.lockup(new GuestFault(Exc.HardFault, err));
        return;
      }
      n = derived;
    }
    this.taken(n, this.entryLr);
  }

  /**
   * PushStack (B1.5.6): the basic 8-word frame, or the 26-word FP frame when CONTROL.FPCA (lazy: space
   * reserved and FPCAR/LSPACT set when FPCCR.LSPEN). Sets `entryLr` to the EXC_RETURN value.
   * Returns 0, or the CFSR bit of a stacking error.
   */
  private pushStack(returnAddress: number): number {
    const cpu = this.cpu;
    const fpca = (cpu.control & 4) !== 0;
    const frameSize = fpca ? 0x68 : 0x20;
    const forceAlign = fpca || (this.ccr & CCR.STKALIGN) !== 0;
    const sp = cpu.r[13]! >>> 0;
    const realign = forceAlign && (sp & 4) !== 0 ? 1 : 0;
    const frame = ((sp - frameSize) & (forceAlign ? ~7 : ~3)) >>> 0;
    if (cpu.ipsr !== 0) this.entryLr = fpca ? 0xffffffe1 : 0xfffffff1;
    else if ((cpu.control & 2) === 0) this.entryLr = fpca ? 0xffffffe9 : 0xfffffff9;
    else this.entryLr = fpca ? 0xffffffed : 0xfffffffd;
    const xpsr = (cpu.xpsr & ~(1 << 9)) | (realign << 9);
    cpu.r[13] = frame;
    const mem = cpu.mem;
    try {
      mem.write32(frame, cpu.r[0]!);
      mem.write32(frame + 4, cpu.r[1]!);
      mem.write32(frame + 8, cpu.r[2]!);
      mem.write32(frame + 12, cpu.r[3]!);
      mem.write32(frame + 16, cpu.r[12]!);
      mem.write32(frame + 20, cpu.r[14]!);
      mem.write32(frame + 24, returnAddress);
      mem.write32(frame + 28, xpsr);
      if (fpca) {
        if ((this.fpccr & FPCCR.LSPEN) === 0) {
          for (let i = 0; i < 16; i++) mem.write32(frame + 0x20 + 4 * i, cpu.s[i]!);
          mem.write32(frame + 0x60, cpu.fpscr);
        } else {
          this.updateFpccr(frame);
        }
      }
    } catch (e) {
      if (e instanceof GuestFault && e.exception === Exc.MemManage) return CFSR.MSTKERR;
      if (e instanceof BusError || e instanceof GuestFault) return CFSR.STKERR;
      throw e;
    }
    return 0;
  }

  /** UpdateFPCCR: record where the lazy FP state goes and which fault handlers could run to save it. */
  private updateFpccr(frame: number): void {
    const cpu = this.cpu;
    let f = this.fpccr & (FPCCR.LSPEN | FPCCR.ASPEN);
    f |= FPCCR.LSPACT;
    if (!cpu.isPrivileged()) f |= FPCCR.USER;
    if (cpu.ipsr === 0) f |= FPCCR.THREAD;
    const ep = this.executionPriority();
    if (-1 < ep) f |= FPCCR.HFRDY;
    if ((this.shcsr & SHCSR.MEMFAULTENA) && this.groupPriority(Exc.MemManage) < ep) f |= FPCCR.MMRDY;
    if ((this.shcsr & SHCSR.BUSFAULTENA) && this.groupPriority(Exc.BusFault) < ep) f |= FPCCR.BFRDY;
    if ((this.demcr & DEMCR.MON_EN) !== 0 && this.groupPriority(Exc.DebugMonitor) < ep) f |= FPCCR.MONRDY;
    this.fpccr = f >>> 0;
    this.fpcar = (frame + 0x20) & ~7;
  }

  /** PreserveFPState: the first FP instruction after a lazy entry stores S0–S15/FPSCR into the reserved frame. */
  private preserveFpState(): void {
    const cpu = this.cpu;
    const base = this.fpcar;
    try {
      for (let i = 0; i < 16; i++) cpu.mem.write32(base + 4 * i, cpu.s[i]!);
      cpu.mem.write32(base + 0x40, cpu.fpscr);
    } catch (e) {
      if (e instanceof GuestFault && e.exception === Exc.MemManage) throw new GuestFault(Exc.MemManage, CFSR.MLSPERR);
      if (e instanceof BusError || e instanceof GuestFault) throw new GuestFault(Exc.BusFault, CFSR.LSPERR);
      throw e;
    }
    this.fpccr &= ~FPCCR.LSPACT;
  }

  /** ExceptionTaken (B1.5.6): vector fetch, handler mode, active, PC. `lr` is the EXC_RETURN value. */
  private taken(n: number, lr: number): void {
    const cpu = this.cpu;
    let vec: number;
    try {
      vec = cpu.bus.read32(this.vtor + 4 * n);
    } catch (e) {
      if (!(e instanceof BusError)) throw e;
      // Vector read error: HardFault (VECTTBL), unless that is what we were entering.
      this.hfsr |= HFSR.VECTTBL;
      if (n === Exc.HardFault || n === Exc.NMI || this.executionPriority() <= -1) {
        this.lockup(new GuestFault(Exc.HardFault, 0, e.address));
        return;
      }
      n = Exc.HardFault;
      try {
        vec = cpu.bus.read32(this.vtor + 4 * n);
      } catch (e2) {
        if (!(e2 instanceof BusError)) throw e2;
        this.lockup(new GuestFault(Exc.HardFault, 0, e2.address));
        return;
      }
    }
    cpu.r[14] = lr | 0;
    cpu.setModeAndControl(n, cpu.control & ~6); // handler mode: SPSEL=0, FPCA=0
    if (this.active[n] === 0) {
      this.active[n] = 1;
      this.activeCount++;
    }
    this.clearPending(n);
    cpu.itstate = 0;
    cpu.exclusiveAddr = -1;
    this.eventRegister = 1;
    cpu.pc = cpu.nextPc = (vec & ~1) >>> 0;
    cpu.tbit = vec & 1;
    if (cpu.tbit === 0) this.fault(new GuestFault(Exc.UsageFault, CFSR.INVSTATE));
  }

  /** A fault detected during exception return: taken without stacking (the frame stays), LR = EXC_RETURN. */
  private returnFault(exc: number, cfsrBit: number, er: number): void {
    const f = new GuestFault(exc, cfsrBit);
    this.lastFault = f;
    this.cfsr |= cfsrBit;
    const n = this.resolveFault(exc);
    if (n === 0) {
      this.lockup(f);
      return;
    }
    this.cpu.cycles += TAILCHAIN_CYCLES;
    this.taken(n, er);
  }

  /** ExceptionReturn (B1.5.8) with tail-chaining and PopStack. */
  private doReturn(er: number): void {
    const cpu = this.cpu;
    if (this.trace !== null) this.trace('return', cpu.ipsr, er);
    const n = cpu.ipsr;
    const nested = this.activeCount;
    const kind = er & 0xf;
    let invalid = (er & 0x0fff_ffe0) !== 0x0fff_ffe0 || this.active[n] === 0;
    if (!invalid) {
      if (kind === 1) invalid = nested === 1;
      else if (kind === 9 || kind === 0xd) invalid = nested !== 1 && (this.ccr & CCR.NONBASETHRDENA) === 0;
      else invalid = true;
    }
    this.deactivate(n);
    if (invalid) {
      this.returnFault(Exc.UsageFault, CFSR.INVPC, er);
      return;
    }
    // Tail-chain: a pending exception that would preempt the context we return to is taken on the same frame.
    if (this.pendingCount !== 0) {
      const p = this.pendingException();
      if (p !== 0 && this.groupPriority(p) < this.executionPriority()) {
        cpu.cycles += TAILCHAIN_CYCLES;
        if (this.trace !== null) this.trace('tail-chain', p, er);
        this.taken(p, er);
        return;
      }
    }
    const toThread = kind !== 1;
    const fpFrame = (er & 0x10) === 0;
    const savedControl = cpu.control;
    // Switch mode first so the unstacking accesses use the privilege of the returned-to context.
    let control = savedControl & ~6;
    if (kind === 0xd) control |= 2;
    cpu.setModeAndControl(toThread ? 0 : n, control);
    const sp = (kind === 0xd ? cpu.getPsp() : cpu.getMsp()) >>> 0;
    const mem = cpu.mem;
    let r0: number, r1: number, r2: number, r3: number, r12: number, lr: number, pc: number, psr: number;
    try {
      r0 = mem.read32(sp);
      r1 = mem.read32(sp + 4);
      r2 = mem.read32(sp + 8);
      r3 = mem.read32(sp + 12);
      r12 = mem.read32(sp + 16);
      lr = mem.read32(sp + 20);
      pc = mem.read32(sp + 24);
      psr = mem.read32(sp + 28);
      if (fpFrame) {
        if (this.fpccr & FPCCR.LSPACT) {
          this.fpccr &= ~FPCCR.LSPACT; // the registers still hold the interrupted context's values
        } else {
          for (let i = 0; i < 16; i++) cpu.s[i] = mem.read32(sp + 0x20 + 4 * i);
          cpu.fpscr = mem.read32(sp + 0x60);
        }
      }
    } catch (e) {
      if (!(e instanceof BusError || e instanceof GuestFault)) throw e;
      cpu.setModeAndControl(n, savedControl & ~2);
      const mm = e instanceof GuestFault && e.exception === Exc.MemManage;
      this.returnFault(mm ? Exc.MemManage : Exc.BusFault, mm ? CFSR.MUNSTKERR : CFSR.UNSTKERR, er);
      return;
    }
    const newIpsr = psr & 0x1ff;
    if (toThread !== (newIpsr === 0)) {
      // IPSR in the frame contradicts EXC_RETURN: INVPC with the frame left in place.
      cpu.setModeAndControl(n, savedControl & ~2);
      this.returnFault(Exc.UsageFault, CFSR.INVPC, er);
      return;
    }
    const forceAlign = fpFrame || (this.ccr & CCR.STKALIGN) !== 0;
    let newSp = sp + (fpFrame ? 0x68 : 0x20);
    if (forceAlign && (psr & (1 << 9)) !== 0) newSp |= 4;
    if (kind === 0xd) cpu.setPsp(newSp);
    else cpu.setMsp(newSp);
    cpu.r[0] = r0;
    cpu.r[1] = r1;
    cpu.r[2] = r2;
    cpu.r[3] = r3;
    cpu.r[12] = r12;
    cpu.r[14] = lr;
    cpu.setModeAndControl(newIpsr, fpFrame ? cpu.control | 4 : cpu.control & ~4);
    cpu.setXpsrFlags(psr);
    cpu.pc = cpu.nextPc = (pc & ~1) >>> 0;
    cpu.exclusiveAddr = -1;
    this.eventRegister = 1;
    cpu.cycles += RETURN_CYCLES;
    if (cpu.tbit === 0) {
      this.fault(new GuestFault(Exc.UsageFault, CFSR.INVSTATE));
      return;
    }
    if (toThread && nested === 1 && (this.scr & SCR.SLEEPONEXIT) !== 0) {
      cpu.sleeping = true;
      this.sleepKind = Sleep.Wfi;
      cpu.irqCheck = true;
    }
  }
}
