/**
 * The Cortex-M4 core: register file, flags, the fetch/decode-cache/execute loop, and the PC-writing rules.
 *
 * State conventions every instruction module relies on:
 * - `r` is an Int32Array: values are int32; use `>>> 0` where unsigned meaning matters.
 * - While an instruction executes, `r[15]` holds its address + 4 (the architectural PC read value) and
 *   `nextPc` holds the address of the next instruction; branches change `nextPc` through
 *   `branchWritePC` / `bxWritePC` / `loadWritePC` / `aluWritePC`, never `r[15]` directly.
 * - Flags live in separate 0/1 fields (`n z c v q`), GE in a 4-bit field; `xpsr` packs them.
 * - `inIT` says whether the current instruction is inside an IT block (16-bit data-processing
 *   instructions then do not set flags). `itstate` is EPSR.IT for the *next* instruction.
 * - Memory goes through `cpu.mem` (the bus, or the MPU's checking front when the MPU is enabled).
 * - Faults are raised by throwing `GuestFault` (or the bus's `BusError`); the instruction then has no
 *   architectural effect beyond what it already wrote, and the exception model takes over.
 */
import { Bus, CODE_BLOCK_SHIFT, Region, RegionKind, type Storage } from '../../core/bus.js';
import { BusError } from '../../core/errors.js';
import type { DecodedInsn } from './decoded.js';
import { decode, isThumb32 } from './decoder.js';
import { CFSR, Exc, GuestFault } from './faults.js';
import { ExceptionModel } from './exceptions.js';
import { JitEngine } from './jit/engine.js';

/** The memory interface instructions use: the bus itself, or a checking front (MPU). */
export interface MemoryPort {
  read8(addr: number): number;
  read16(addr: number): number;
  read32(addr: number): number;
  write8(addr: number, value: number): void;
  write16(addr: number, value: number): void;
  write32(addr: number, value: number): void;
}

/** Execution engine: the interpreter (reference) or the block translator (src/cpu/armv7m/jit). */
export type EngineKind = 'interp' | 'jit';

export type StopReason =
  | 'exit' // the guest asked to exit (semihosting SYS_EXIT)
  | 'breakpoint' // a debugger breakpoint, or BKPT with no handler configured to stop on
  | 'timeout' // virtual time limit reached
  | 'instruction-limit'
  | 'lockup' // fault while in a fault handler: the core locks up
  | 'user' // stop() called from outside
  | 'halt'; // the board stopped the CPU (e.g. WFI with nothing left to wake it)

/** Handler for BKPT 0xAB (ARM semihosting); set by the machine when `--semihosting` is on. */
export interface SemihostingHandler {
  call(cpu: CortexM4): void;
}

export class CortexM4 {
  // ---- architectural state -------------------------------------------------------------------
  readonly r = new Int32Array(16);
  n = 0;
  z = 0;
  c = 0;
  v = 0;
  q = 0;
  /** APSR.GE[3:0]. */
  ge = 0;
  /** EPSR.IT[7:0] for the next instruction (0 outside IT blocks). */
  itstate = 0;
  /** EPSR.T; clearing it makes the next instruction fault with INVSTATE. */
  tbit = 1;
  /** IPSR: current exception number, 0 in thread mode. */
  ipsr = 0;
  primask = 0;
  faultmask = 0;
  basepri = 0;
  /** CONTROL: bit 0 nPRIV, bit 1 SPSEL, bit 2 FPCA. */
  control = 0;
  /** The stack pointer that is not currently r[13] (PSP in handler mode or with SPSEL=0, else MSP). */
  otherSp = 0;
  /** Single-precision registers S0–S31 as raw bits (D-registers are pairs). Raw bits keep NaN payloads intact. */
  readonly s = new Int32Array(32);
  fpscr = 0;
  /** SCB CPACR (CP10/CP11 access); the exception model's fpuAccess() checks it. */
  cpacr = 0;

  // ---- execution bookkeeping -----------------------------------------------------------------
  /** Address of the instruction being executed (or about to be). Unsigned. */
  pc = 0;
  /** Address of the next instruction; executors change it to branch. */
  nextPc = 0;
  /** Is the current instruction inside an IT block? */
  inIT = false;
  /** Carry-out of the last shifter operation (see alu.ts). */
  shifterCarry = 0;
  /** Set by the saturation helpers: did the last saturation clamp? */
  sat = 0;
  /** Virtual time in cycles. */
  cycles = 0;
  /** Retired instructions. */
  instructions = 0;
  /** End of the current batch; the scheduler lowers it when an earlier event is queued. */
  runUntil = 0;
  /** Instruction budget for `run`; the loop stops when `instructions` reaches it. */
  instructionLimit = Infinity;
  /** Re-evaluate pending exceptions (and the T bit) before the next instruction. */
  irqCheck = true;
  /** In WFI/WFE sleep: the run loop returns and the machine fast-forwards to the next event. */
  sleeping = false;
  stopReason: StopReason | null = null;
  /** Guest exit code for 'exit' stops. */
  exitCode = 0;

  /** CCR.UNALIGN_TRP and CCR.DIV_0_TRP, mirrored here for the executors' fast checks. */
  unalignTrap = false;
  div0Trap = false;

  /** Exclusive monitor (local): address tagged by LDREX, or -1 when open. */
  exclusiveAddr = -1;

  mem: MemoryPort;
  readonly exc: ExceptionModel;
  semihosting: SemihostingHandler | null = null;
  /** Instruction-fetch permission check, installed by the MPU while it is enabled (throws MemManage IACCVIOL). */
  fetchCheck: ((pc: number) => void) | null = null;
  /** Called before every instruction when set (instruction traces, breakpoints); selects the slower loop. */
  tracer: ((cpu: CortexM4) => void) | null = null;
  /** Bumped whenever cached decodes are dropped (code written): translated blocks stop when it changes. */
  codeEpoch = 0;
  /** The translating engine when `engine` is 'jit' (the traced loop always interprets). */
  private jit: JitEngine | null = null;

  // ---- decode cache: one array of decoded instructions per code region, indexed by halfword ----
  private readonly caches = new Map<Region, (DecodedInsn | undefined)[]>();
  private codeRegion: Region | null = null;
  private codeBase = 0;
  private codeSize = 0;
  private codeCache: (DecodedInsn | undefined)[] = [];

  constructor(readonly bus: Bus) {
    this.mem = bus;
    this.exc = new ExceptionModel(this);
  }

  // ---- reset and the run loop ----------------------------------------------------------------

  /** Power-on / system reset of the core: registers to reset values, then the exception model's reset (vector fetch). */
  reset(): void {
    this.r.fill(0);
    this.n = this.z = this.c = this.v = this.q = this.ge = 0;
    this.itstate = 0;
    this.tbit = 1;
    this.ipsr = 0;
    this.primask = this.faultmask = this.basepri = this.control = 0;
    this.otherSp = 0;
    this.s.fill(0);
    this.fpscr = 0;
    this.exclusiveAddr = -1;
    this.sleeping = false;
    this.stopReason = null;
    this.irqCheck = true;
    this.mem = this.bus;
    this.exc.reset();
  }

  get engine(): EngineKind {
    return this.jit === null ? 'interp' : 'jit';
  }

  set engine(kind: EngineKind) {
    if (kind === this.engine) return;
    this.jit = kind === 'jit' ? new JitEngine(this) : null;
  }

  /** Blocks translated so far by the JIT (0 for the interpreter). */
  get translatedBlocks(): number {
    return this.jit?.translated ?? 0;
  }

  /**
   * Runs until `cycles >= untilCycle`, a stop reason, sleep, or the instruction limit.
   * Faults are delivered to the exception model inside the loop; only host bugs escape.
   */
  run(untilCycle: number): void {
    this.runUntil = untilCycle;
    while (this.cycles < this.runUntil && this.stopReason === null && this.instructions < this.instructionLimit) {
      try {
        if (this.tracer !== null) this.runTraced();
        else if (this.jit !== null) this.jit.run();
        else this.runInner();
        return;
      } catch (e) {
        this.deliverFault(e);
      }
    }
  }

  private runInner(): void {
    // `sleeping` is tested every iteration because WFI/WFE set it from inside an instruction.
    while (this.cycles < this.runUntil && this.instructions < this.instructionLimit && !this.sleeping) {
      if (this.irqCheck && this.serviceIrqCheck()) return;
      // step() by hand for the common case (no IT state, no MPU fetch check, decode cached): one lookup, one call.
      const pc = this.pc;
      const off = (pc - this.codeBase) >>> 0;
      const d = off < this.codeSize ? this.codeCache[off >>> 1] : undefined;
      if (d === undefined || this.itstate !== 0 || this.fetchCheck !== null) {
        this.step();
        continue;
      }
      this.nextPc = (pc + d.size) >>> 0;
      this.r[15] = pc + 4;
      this.inIT = false;
      d.exec(this, d);
      this.cycles += d.cycles;
      this.instructions++;
      this.pc = this.nextPc;
    }
  }

  /** Handles a pending `irqCheck`: INVSTATE, then exception entry. True when the loop must return. (Engines' loops call it.) */
  serviceIrqCheck(): boolean {
    this.irqCheck = false;
    if (this.tbit === 0) throw new GuestFault(Exc.UsageFault, CFSR.INVSTATE);
    this.exc.checkPending();
    return this.stopReason !== null || this.sleeping;
  }

  /** The same loop with a hook before each instruction (traces, debugger breakpoints); kept apart so the fast loop stays lean. */
  private runTraced(): void {
    const tracer = this.tracer!;
    while (this.cycles < this.runUntil && this.instructions < this.instructionLimit && !this.sleeping) {
      if (this.irqCheck && this.serviceIrqCheck()) return;
      tracer(this);
      if (this.stopReason !== null) return;
      this.step();
    }
  }

  /** Executes exactly one instruction (faults propagate as exceptions; `run` catches them). */
  step(): void {
    const pc = this.pc;
    if (this.fetchCheck !== null) this.fetchCheck(pc);
    const off = (pc - this.codeBase) >>> 0;
    let d = off < this.codeSize ? this.codeCache[off >>> 1] : undefined;
    if (d === undefined) d = this.fetchDecode(pc);
    const it = this.itstate;
    this.nextPc = (pc + d.size) >>> 0;
    this.r[15] = pc + 4;
    if (it !== 0) {
      this.itstate = (it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
      this.inIT = true;
      if (!this.conditionPassed(it >>> 4)) {
        this.cycles += 1;
        this.instructions++;
        this.pc = this.nextPc;
        return;
      }
      try {
        d.exec(this, d);
      } catch (e) {
        this.itstate = it; // the faulting instruction re-executes with its own IT state
        throw e;
      }
    } else {
      this.inIT = false;
      d.exec(this, d);
    }
    this.cycles += d.cycles;
    this.instructions++;
    this.pc = this.nextPc;
  }

  private deliverFault(e: unknown): void {
    let f: GuestFault;
    if (e instanceof GuestFault) f = e;
    else if (e instanceof BusError) f = new GuestFault(Exc.BusFault, CFSR.PRECISERR | CFSR.BFARVALID, e.address);
    else throw e;
    this.exc.fault(f);
  }

  /** Decodes the instruction at `pc`, caching it; throws a fetch fault for non-executable addresses. */
  private fetchDecode(pc: number): DecodedInsn {
    let region = this.codeRegion;
    if (region === null || !region.contains(pc)) {
      const r = this.bus.regionAt(pc);
      if (r === undefined || r.kind === RegionKind.MMIO || (pc >= 0xe0000000 && pc < 0xffffffff)) {
        // System space is execute-never; unmapped/MMIO has nothing to fetch.
        if (pc >= 0x40000000 && pc < 0x60000000) throw new GuestFault(Exc.MemManage, CFSR.IACCVIOL);
        if (pc >= 0xa0000000) throw new GuestFault(Exc.MemManage, CFSR.IACCVIOL);
        throw new GuestFault(Exc.BusFault, CFSR.IBUSERR);
      }
      region = r;
      let cache = this.caches.get(r);
      if (cache === undefined) {
        cache = new Array<DecodedInsn | undefined>(r.size >>> 1);
        this.caches.set(r, cache);
        this.watchStorage(r);
      }
      this.codeRegion = r;
      this.codeBase = r.base;
      this.codeSize = r.size;
      this.codeCache = cache;
    }
    const st = region.storage!;
    const so = pc - region.delta;
    const hw1 = st.view.getUint16(so, true);
    let d: DecodedInsn;
    if (isThumb32(hw1)) {
      const hw2 = so + 2 < st.size ? st.view.getUint16(so + 2, true) : this.bus.read16(pc + 2);
      d = decode(((hw1 << 16) | hw2) >>> 0, 4, pc);
      st.codeWatch[(so + 2) >>> CODE_BLOCK_SHIFT] = 1;
    } else {
      d = decode(hw1, 2, pc);
    }
    st.codeWatch[so >>> CODE_BLOCK_SHIFT] = 1;
    this.codeCache[(pc - region.base) >>> 1] = d;
    return d;
  }

  /** Drops cached decodes when code bytes change (self-modifying code, flash programming, loaders). */
  private watchStorage(r: Region): void {
    const st: Storage = r.storage!;
    st.onCodeWrite((offset, length) => {
      this.codeEpoch++;
      this.jit?.invalidate(st, offset, length);
      for (const [region, cache] of this.caches) {
        if (region.storage !== st) continue;
        // A 32-bit instruction starting 2 bytes before the write also covers it.
        const from = Math.max(0, (offset - region.storageOffset - 2) >> 1);
        const to = Math.min(cache.length, (offset - region.storageOffset + length + 1) >> 1);
        for (let i = from; i < to; i++) cache[i] = undefined;
      }
    });
  }

  /** The decoded instruction at `pc` (through the cache), for traces and debuggers. */
  decodedAt(pc: number): DecodedInsn {
    const off = (pc - this.codeBase) >>> 0;
    return (off < this.codeSize ? this.codeCache[off >>> 1] : undefined) ?? this.fetchDecode(pc);
  }

  /** Drops every cached decode (e.g. after a memory map change). */
  flushDecodeCache(): void {
    for (const cache of this.caches.values()) cache.fill(undefined);
    this.codeEpoch++;
    this.jit?.flush();
  }

  // ---- helpers for instruction modules ----------------------------------------------------------

  /** ConditionPassed for condition code `cond` (0..15). */
  conditionPassed(cond: number): boolean {
    switch (cond) {
      case 0: return this.z === 1;
      case 1: return this.z === 0;
      case 2: return this.c === 1;
      case 3: return this.c === 0;
      case 4: return this.n === 1;
      case 5: return this.n === 0;
      case 6: return this.v === 1;
      case 7: return this.v === 0;
      case 8: return this.c === 1 && this.z === 0;
      case 9: return this.c === 0 || this.z === 1;
      case 10: return this.n === this.v;
      case 11: return this.n !== this.v;
      case 12: return this.z === 0 && this.n === this.v;
      case 13: return this.z === 1 || this.n !== this.v;
      default: return true;
    }
  }

  /** BranchWritePC: plain branch, bit 0 ignored. */
  branchWritePC(addr: number): void {
    this.nextPc = (addr & ~1) >>> 0;
  }

  /** ALUWritePC (ARMv7-M: same as BranchWritePC). */
  aluWritePC(addr: number): void {
    this.nextPc = (addr & ~1) >>> 0;
  }

  /** BXWritePC: interworking branch; EXC_RETURN in handler mode; bit 0 clear → INVSTATE on the next instruction. */
  bxWritePC(addr: number): void {
    if (this.ipsr !== 0 && addr >>> 28 === 0xf) {
      this.exc.exceptionReturn(addr >>> 0);
      return;
    }
    if ((addr & 1) === 0) {
      this.tbit = 0;
      this.irqCheck = true;
    }
    this.nextPc = (addr & ~1) >>> 0;
  }

  /** LoadWritePC (ARMv7-M: same as BXWritePC). */
  loadWritePC(addr: number): void {
    this.bxWritePC(addr);
  }

  /** UNDEFINED instruction: UsageFault UNDEFINSTR. */
  undefinedInstruction(): never {
    throw new GuestFault(Exc.UsageFault, CFSR.UNDEFINSTR);
  }

  /** Unaligned access that the architecture forbids (or CCR.UNALIGN_TRP): UsageFault UNALIGNED. */
  unalignedFault(): never {
    throw new GuestFault(Exc.UsageFault, CFSR.UNALIGNED);
  }

  /** Coprocessor access while CPACR denies it (FPU disabled): UsageFault NOCP. */
  noCoprocessor(): never {
    throw new GuestFault(Exc.UsageFault, CFSR.NOCP);
  }

  /** BKPT #imm: semihosting for 0xAB when enabled, otherwise a debug event (the exception model decides). */
  bkpt(imm: number): void {
    if (imm === 0xab && this.semihosting !== null) {
      this.semihosting.call(this);
      return;
    }
    this.exc.debugEvent(imm);
  }

  /** Stops the run loop at the next instruction boundary. */
  requestStop(reason: StopReason, exitCode = 0): void {
    this.stopReason = reason;
    this.exitCode = exitCode;
    this.runUntil = 0;
  }

  // ---- special registers ----------------------------------------------------------------------

  /** Is PSP the active stack pointer (thread mode with CONTROL.SPSEL)? */
  usingPsp(): boolean {
    return this.ipsr === 0 && (this.control & 2) !== 0;
  }

  isPrivileged(): boolean {
    return this.ipsr !== 0 || (this.control & 1) === 0;
  }

  getMsp(): number {
    return this.usingPsp() ? this.otherSp : this.r[13]!;
  }

  getPsp(): number {
    return this.usingPsp() ? this.r[13]! : this.otherSp;
  }

  setMsp(v: number): void {
    if (this.usingPsp()) this.otherSp = v & ~3;
    else this.r[13] = v & ~3;
  }

  setPsp(v: number): void {
    if (this.usingPsp()) this.r[13] = v & ~3;
    else this.otherSp = v & ~3;
  }

  /** Changes IPSR and/or CONTROL, swapping r[13] with the other SP if the active stack changes. */
  setModeAndControl(ipsr: number, control: number): void {
    const before = this.usingPsp();
    this.ipsr = ipsr;
    this.control = control;
    if (this.usingPsp() !== before) {
      const t = this.r[13]!;
      this.r[13] = this.otherSp;
      this.otherSp = t;
    }
  }

  get apsr(): number {
    return ((this.n << 31) | (this.z << 30) | (this.c << 29) | (this.v << 28) | (this.q << 27) | (this.ge << 16)) >>> 0;
  }

  set apsr(v: number) {
    this.n = (v >>> 31) & 1;
    this.z = (v >>> 30) & 1;
    this.c = (v >>> 29) & 1;
    this.v = (v >>> 28) & 1;
    this.q = (v >>> 27) & 1;
    this.ge = (v >>> 16) & 0xf;
  }

  /** EPSR: T bit and IT/ICI bits (IT[1:0] at 26:25, IT[7:2] at 15:10). */
  get epsr(): number {
    return ((this.tbit << 24) | ((this.itstate & 3) << 25) | ((this.itstate >>> 2) << 10)) >>> 0;
  }

  get xpsr(): number {
    return (this.apsr | this.epsr | this.ipsr) >>> 0;
  }

  /** Restores xPSR from an exception frame (exception return). IPSR is the exception model's business. */
  setXpsrFlags(v: number): void {
    this.apsr = v;
    this.tbit = (v >>> 24) & 1;
    this.itstate = ((v >>> 25) & 3) | (((v >>> 10) & 0x3f) << 2);
    if (this.tbit === 0) this.irqCheck = true;
  }

  /**
   * MRS: reads a special register by its SYSm number (ARMv7-M B5.2.2).
   * Unprivileged reads of privileged-only registers return 0.
   */
  readSpecial(sysm: number): number {
    switch (sysm) {
      case 0: return this.apsr;
      case 1: return (this.apsr | this.ipsr) >>> 0; // IAPSR
      case 2: return this.apsr; // EAPSR: EPSR reads as zero
      case 3: return (this.apsr | this.ipsr) >>> 0; // xPSR, EPSR bits read as zero
      case 5: return this.ipsr;
      case 6: return 0; // EPSR
      case 7: return this.ipsr; // IEPSR
      case 8: return this.isPrivileged() ? this.getMsp() >>> 0 : 0;
      case 9: return this.isPrivileged() ? this.getPsp() >>> 0 : 0;
      case 16: return this.primask;
      case 17: case 18: return this.basepri;
      case 19: return this.faultmask;
      case 20: return this.control;
      default: return 0;
    }
  }

  /**
   * MSR: writes a special register. `mask` is the instruction's mask field (bit 1: NZCVQ, bit 0: GE) for APSR forms.
   * Unprivileged writes to privileged registers are ignored, as the architecture says.
   */
  writeSpecial(sysm: number, value: number, mask: number): void {
    if (sysm <= 3) {
      if (mask & 2) {
        this.n = (value >>> 31) & 1;
        this.z = (value >>> 30) & 1;
        this.c = (value >>> 29) & 1;
        this.v = (value >>> 28) & 1;
        this.q = (value >>> 27) & 1;
      }
      if (mask & 1) this.ge = (value >>> 16) & 0xf;
      return;
    }
    if (!this.isPrivileged()) return;
    switch (sysm) {
      case 8: this.setMsp(value); break;
      case 9: this.setPsp(value); break;
      case 16: this.primask = value & 1; this.irqCheck = true; break;
      case 17: this.basepri = value & 0xff; this.irqCheck = true; break;
      case 18: {
        // BASEPRI_MAX: only raises the priority boost
        const v = value & 0xff;
        if (v !== 0 && (v < this.basepri || this.basepri === 0)) this.basepri = v;
        this.irqCheck = true;
        break;
      }
      case 19: if (this.exc.executionPriority() > -1) this.faultmask = value & 1; this.irqCheck = true; break;
      case 20: {
        // SPSEL is writable only in thread mode; FPCA only with an FPU.
        let c = (this.control & ~1) | (value & 1);
        if (this.ipsr === 0) c = (c & ~2) | (value & 2);
        c = (c & ~4) | (value & 4);
        this.setModeAndControl(this.ipsr, c);
        break;
      }
      default: break;
    }
  }
}
