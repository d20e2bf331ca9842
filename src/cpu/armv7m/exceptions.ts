/**
 * The ARMv7-M exception model (ARM ARM B1.5): reset, priorities, pending/active state, entry (stacking),
 * return (EXC_RETURN), fault escalation and lockup.
 *
 * FIRST CUT: only reset and lockup-on-fault are real; the full model replaces this file.
 */
import type { CortexM4 } from './cpu.js';
import type { GuestFault } from './faults.js';

export class ExceptionModel {
  /** VTOR (SCB). */
  vtor = 0;
  /** The last fault delivered (for the register dump on lockup). */
  lastFault: GuestFault | null = null;

  constructor(private readonly cpu: CortexM4) {}

  /** Takes the reset exception: MSP from vector 0, PC from vector 1. */
  reset(): void {
    const cpu = this.cpu;
    cpu.r[13] = cpu.bus.read32(this.vtor) & ~3;
    const pc = cpu.bus.read32(this.vtor + 4);
    cpu.pc = (pc & ~1) >>> 0;
    cpu.tbit = pc & 1;
    if (cpu.tbit === 0) cpu.irqCheck = true;
  }

  /** Current execution priority (ARM ARM B1.5.4): -1 with FAULTMASK... 256 in thread mode with no boost. */
  executionPriority(): number {
    return this.cpu.faultmask ? -1 : 256;
  }

  /** Called before an instruction when `cpu.irqCheck` was set: take the highest pending exception that can preempt. */
  checkPending(): void {}

  /** A synchronous fault raised by the current instruction. */
  fault(f: GuestFault): void {
    this.lastFault = f;
    this.cpu.requestStop('lockup');
  }

  /** SVC #imm executed. */
  svc(_imm: number): void {
    this.cpu.requestStop('lockup');
  }

  /** BKPT (not semihosting): a debug event; with no debugger attached this escalates to HardFault. */
  debugEvent(_imm: number): void {
    this.cpu.requestStop('breakpoint');
  }

  /** BX/POP/LDR to an EXC_RETURN value in handler mode. */
  exceptionReturn(_excReturn: number): void {
    this.cpu.requestStop('lockup');
  }

  /** WFI: sleep until an interrupt is pending. */
  wfi(): void {
    this.cpu.sleeping = true;
  }

  /** WFE: sleep unless the event register is set. */
  wfe(): void {
    this.cpu.sleeping = true;
  }

  /** SEV: set the event register. */
  sev(): void {}

  /**
   * Called by every FP instruction before it touches FP state: CPACR check (UsageFault NOCP when denied),
   * lazy FP state preservation (FPCCR.LSPACT), and CONTROL.FPCA update.
   */
  fpuAccess(): void {}
}
