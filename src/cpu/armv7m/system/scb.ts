/**
 * System Control Block (ARM ARM B3.2), the debug control registers DHCSR/DCRSR/DCRDR/DEMCR (C1.6) and the
 * FP extension registers (CPACR, FPCCR, FPCAR, FPDSCR, MVFR0/1). Offsets are relative to the SCS base
 * 0xE000E000. Exception state is held by the exception model; this block is its register view.
 */
import type { CortexM4 } from '../cpu.js';
import { DEMCR, FPCCR, type ExceptionModel } from '../exceptions.js';
import { Exc } from '../faults.js';
import { merge, type WordRegisters } from './lanes.js';

/** Cortex-M4 r0p1 (Cortex-M4 TRM 4.3.1). */
export const CPUID_CORTEX_M4 = 0x410fc241;

/** Cortex-M4 processor feature registers ID_PFR0..ID_ISAR4 (Cortex-M4 TRM 4.1, values for r0p1). */
const FEATURE_REGS: Readonly<Record<number, number>> = {
  0xd40: 0x0000_0030, // ID_PFR0
  0xd44: 0x0000_0200, // ID_PFR1
  0xd48: 0x0010_0000, // ID_DFR0
  0xd4c: 0x0000_0000, // ID_AFR0
  0xd50: 0x0010_0030, // ID_MMFR0
  0xd54: 0x0000_0000, // ID_MMFR1
  0xd58: 0x0100_0000, // ID_MMFR2
  0xd5c: 0x0000_0000, // ID_MMFR3
  0xd60: 0x0110_1110, // ID_ISAR0
  0xd64: 0x0211_1000, // ID_ISAR1
  0xd68: 0x2111_2231, // ID_ISAR2
  0xd6c: 0x0111_1110, // ID_ISAR3
  0xd70: 0x0131_0132, // ID_ISAR4
};

/** MVFR0/MVFR1 of the Cortex-M4 FPU (single precision, FPv4-SP). */
export const MVFR0_M4 = 0x1011_0021;
export const MVFR1_M4 = 0x1100_0011;

const ICSR_NMIPENDSET = 1 << 31;
const ICSR_PENDSVSET = 1 << 28;
const ICSR_PENDSVCLR = 1 << 27;
const ICSR_PENDSTSET = 1 << 26;
const ICSR_PENDSTCLR = 1 << 25;
const ICSR_ISRPENDING = 1 << 22;
const ICSR_RETTOBASE = 1 << 11;

const AIRCR_VECTKEY = 0x05fa;
const AIRCR_VECTKEYSTAT = 0xfa05;
const AIRCR_SYSRESETREQ = 1 << 2;
const AIRCR_VECTCLRACTIVE = 1 << 1;

/** SHCSR active/pending bit → exception number. */
const SHCSR_MAP: readonly (readonly [bit: number, exc: number, pending: boolean])[] = [
  [0, Exc.MemManage, false],
  [1, Exc.BusFault, false],
  [3, Exc.UsageFault, false],
  [7, Exc.SVCall, false],
  [8, Exc.DebugMonitor, false],
  [10, Exc.PendSV, false],
  [11, Exc.SysTick, false],
  [12, Exc.UsageFault, true],
  [13, Exc.MemManage, true],
  [14, Exc.BusFault, true],
  [15, Exc.SVCall, true],
];

/** System exceptions with a programmable priority (the other SHPR bytes are reserved, RAZ/WI). */
function isShprSlot(n: number): boolean {
  return n === Exc.MemManage || n === Exc.BusFault || n === Exc.UsageFault || n === Exc.SVCall || n === Exc.DebugMonitor || n === Exc.PendSV || n === Exc.SysTick;
}

export interface ScbOptions {
  /** Called for AIRCR.SYSRESETREQ (outside instruction execution is the caller's business). */
  requestSystemReset(): void;
}

export class Scb implements WordRegisters {
  constructor(
    private readonly cpu: CortexM4,
    private readonly exc: ExceptionModel,
    private readonly opts: ScbOptions,
  ) {}

  reset(): void {
    // All SCB state lives in the exception model, which resets it.
  }

  /** Priority byte of a system exception, as SHPR shows it (reserved slots read as zero). */
  private shprByte(n: number): number {
    return isShprSlot(n) ? this.exc.prio[n]! & 0xff : 0;
  }

  readWord(offset: number): number {
    const exc = this.exc;
    const cpu = this.cpu;
    switch (offset) {
      case 0xd00: return CPUID_CORTEX_M4;
      case 0xd04: {
        let v = cpu.ipsr & 0x1ff;
        if (cpu.ipsr !== 0 && exc.activeCount === 1 && exc.active[cpu.ipsr] !== 0) v |= ICSR_RETTOBASE;
        v |= (exc.pendingException() & 0x1ff) << 12;
        if (exc.isrPending()) v |= ICSR_ISRPENDING;
        if (exc.pending[Exc.SysTick]) v |= ICSR_PENDSTSET;
        if (exc.pending[Exc.PendSV]) v |= ICSR_PENDSVSET;
        if (exc.pending[Exc.NMI]) v |= ICSR_NMIPENDSET;
        return v >>> 0;
      }
      case 0xd08: return exc.vtor >>> 0;
      case 0xd0c: return ((AIRCR_VECTKEYSTAT << 16) | (exc.prigroup << 8)) >>> 0;
      case 0xd10: return exc.scr;
      case 0xd14: return exc.ccr;
      case 0xd18:
      case 0xd1c:
      case 0xd20: {
        const n0 = 4 + (offset - 0xd18);
        let v = 0;
        for (let i = 0; i < 4; i++) v |= this.shprByte(n0 + i) << (8 * i);
        return v >>> 0;
      }
      case 0xd24: {
        let v = exc.shcsr;
        for (const [bit, n, pend] of SHCSR_MAP) if ((pend ? exc.pending[n] : exc.active[n]) !== 0) v |= 1 << bit;
        return v >>> 0;
      }
      case 0xd28: return exc.cfsr >>> 0;
      case 0xd2c: return exc.hfsr >>> 0;
      case 0xd30: return exc.dfsr >>> 0;
      case 0xd34: return exc.mmfar >>> 0;
      case 0xd38: return exc.bfar >>> 0;
      case 0xd3c: return exc.afsr >>> 0;
      case 0xd88: return cpu.cpacr >>> 0;
      case 0xdf0: return 0; // DHCSR: no debugger (C_DEBUGEN=0)
      case 0xdf4: return 0; // DCRSR (write-only)
      case 0xdf8: return 0; // DCRDR
      case 0xdfc: return (exc.demcr | (exc.pending[Exc.DebugMonitor] ? DEMCR.MON_PEND : 0)) >>> 0;
      case 0xf34: return exc.fpccr >>> 0;
      case 0xf38: return exc.fpcar >>> 0;
      case 0xf3c: return exc.fpdscr >>> 0;
      case 0xf40: return MVFR0_M4;
      case 0xf44: return MVFR1_M4;
      case 0xf48: return 0; // MVFR2 does not exist on the Cortex-M4
      default: return FEATURE_REGS[offset] ?? 0;
    }
  }

  writeWord(offset: number, value: number, mask: number): void {
    const exc = this.exc;
    const cpu = this.cpu;
    const v = value & mask;
    switch (offset) {
      case 0xd04:
        if (v & ICSR_NMIPENDSET) exc.setPending(Exc.NMI);
        if (v & ICSR_PENDSVSET) exc.setPending(Exc.PendSV);
        else if (v & ICSR_PENDSVCLR) exc.clearPending(Exc.PendSV);
        if (v & ICSR_PENDSTSET) exc.setPending(Exc.SysTick);
        else if (v & ICSR_PENDSTCLR) exc.clearPending(Exc.SysTick);
        break;
      case 0xd08:
        // TBLOFF is bits [31:7] (ARMv7-M); the low 7 bits are RAZ/WI.
        exc.vtor = merge(exc.vtor, value, mask & 0xffffff80);
        break;
      case 0xd0c:
        // Writes without VECTKEY in the upper half are ignored (a narrow write cannot carry the whole key).
        if ((mask & 0xffff0000) >>> 0 !== 0xffff0000 || value >>> 16 !== AIRCR_VECTKEY) break;
        if (mask & 0x700) exc.setPrigroup((value >>> 8) & 7);
        if (v & AIRCR_VECTCLRACTIVE) exc.clearAllActive();
        if (v & AIRCR_SYSRESETREQ) this.opts.requestSystemReset();
        break;
      case 0xd10:
        exc.scr = merge(exc.scr, value, mask & 0x16);
        break;
      case 0xd14:
        exc.setCcr(merge(exc.ccr, value, mask));
        break;
      case 0xd18:
      case 0xd1c:
      case 0xd20: {
        const n0 = 4 + (offset - 0xd18);
        for (let i = 0; i < 4; i++) {
          if (((mask >>> (8 * i)) & 0xff) === 0) continue;
          if (isShprSlot(n0 + i)) exc.setPriority(n0 + i, (value >>> (8 * i)) & 0xff);
        }
        break;
      }
      case 0xd24: {
        exc.shcsr = merge(exc.shcsr, value, mask & 0x7_0000);
        for (const [bit, n, pend] of SHCSR_MAP) {
          if (((mask >>> bit) & 1) === 0) continue;
          const on = ((value >>> bit) & 1) !== 0;
          if (pend) {
            if (on) exc.setPending(n);
            else exc.clearPending(n);
          } else exc.setActive(n, on);
        }
        cpu.irqCheck = true;
        break;
      }
      case 0xd28:
        exc.cfsr = (exc.cfsr & ~v) >>> 0;
        break;
      case 0xd2c:
        exc.hfsr = (exc.hfsr & ~v) >>> 0;
        break;
      case 0xd30:
        exc.dfsr = (exc.dfsr & ~v) >>> 0;
        break;
      case 0xd34:
        exc.mmfar = merge(exc.mmfar, value, mask);
        break;
      case 0xd38:
        exc.bfar = merge(exc.bfar, value, mask);
        break;
      case 0xd3c:
        exc.afsr = (exc.afsr & ~v) >>> 0;
        break;
      case 0xd88:
        // Only CP10/CP11 exist (the FPU); other coprocessor fields are RAZ/WI.
        cpu.cpacr = merge(cpu.cpacr, value, mask & 0x00f0_0000);
        break;
      case 0xdfc:
        // MON_PEND pends DebugMonitor; TRCENA, MON_EN/STEP/REQ and the vector-catch bits are stored.
        exc.demcr = merge(exc.demcr, value, mask & 0x010d_07f1);
        if (v & DEMCR.MON_PEND) exc.setPending(Exc.DebugMonitor);
        else if (mask & DEMCR.MON_PEND) exc.clearPending(Exc.DebugMonitor);
        break;
      case 0xf34:
        exc.fpccr = merge(
          exc.fpccr,
          value,
          mask & (FPCCR.LSPACT | FPCCR.USER | FPCCR.THREAD | FPCCR.HFRDY | FPCCR.MMRDY | FPCCR.BFRDY | FPCCR.MONRDY | FPCCR.LSPEN | FPCCR.ASPEN),
        );
        break;
      case 0xf38:
        exc.fpcar = merge(exc.fpcar, value, mask & 0xfffffff8);
        break;
      case 0xf3c:
        exc.fpdscr = merge(exc.fpdscr, value, mask & 0x07c0_0000);
        break;
      default:
        break; // read-only or reserved: WI
    }
  }
}
