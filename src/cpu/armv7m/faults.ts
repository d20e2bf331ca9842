/**
 * Synchronous guest exceptions raised while executing an instruction. Executors and the bus throw these;
 * the CPU's run loop catches them and hands them to the exception model (which sets CFSR/HFSR, escalates,
 * and enters the handler). Not `Error`s: guest code can raise them at will, so no stack capture.
 */

/** Exception numbers (ARMv7-M B1.5.2). External interrupt n is number 16 + n. */
export const Exc = {
  Reset: 1,
  NMI: 2,
  HardFault: 3,
  MemManage: 4,
  BusFault: 5,
  UsageFault: 6,
  SVCall: 11,
  DebugMonitor: 12,
  PendSV: 14,
  SysTick: 15,
} as const;

/** CFSR bits (MMFSR [7:0], BFSR [15:8], UFSR [31:16]). */
export const CFSR = {
  IACCVIOL: 1 << 0,
  DACCVIOL: 1 << 1,
  MUNSTKERR: 1 << 3,
  MSTKERR: 1 << 4,
  MLSPERR: 1 << 5,
  MMARVALID: 1 << 7,
  IBUSERR: 1 << 8,
  PRECISERR: 1 << 9,
  IMPRECISERR: 1 << 10,
  UNSTKERR: 1 << 11,
  STKERR: 1 << 12,
  LSPERR: 1 << 13,
  BFARVALID: 1 << 15,
  UNDEFINSTR: 1 << 16,
  INVSTATE: 1 << 17,
  INVPC: 1 << 18,
  NOCP: 1 << 19,
  UNALIGNED: 1 << 24,
  DIVBYZERO: 1 << 25,
} as const;

export class GuestFault {
  constructor(
    /** Exc.MemManage, Exc.BusFault, Exc.UsageFault (or Exc.HardFault for direct escalations). */
    readonly exception: number,
    /** The CFSR bit(s) to set. */
    readonly cfsr: number,
    /** Fault address for MMFAR/BFAR, or -1 when not valid. */
    readonly address = -1,
  ) {}
  toString(): string {
    const name = Object.entries(Exc).find(([, v]) => v === this.exception)?.[0] ?? `exception ${this.exception}`;
    const bits = Object.entries(CFSR)
      .filter(([, v]) => (this.cfsr & v) !== 0)
      .map(([k]) => k)
      .join('|');
    return `${name} ${bits}${this.address >= 0 ? ` at 0x${(this.address >>> 0).toString(16).padStart(8, '0')}` : ''}`;
  }
}
