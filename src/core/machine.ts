/**
 * A Machine is one board instance: bus, CPU, scheduler, core system (NVIC, SysTick, …), the SoC's
 * devices, and the host-facing ports. It owns the run loop. No globals: several machines can live in
 * one process.
 *
 * Run loop: the CPU runs in batches up to the next scheduled event (or the caller's limit), then due
 * events fire. When the CPU sleeps (WFI/WFE) virtual time jumps straight to the next event.
 */
import { loadBoard, type BoardSpec } from '../boards/board.js';
import { CortexM4, type EngineKind, type StopReason } from '../cpu/armv7m/cpu.js';
import { SOC_FACTORIES } from '../soc/index.js';
import { Semihosting, type SemihostingOptions } from '../cpu/armv7m/semihosting.js';
import { attachCoreSystem, type CoreSystem } from '../cpu/armv7m/system/index.js';
import { SCR } from '../cpu/armv7m/exceptions.js';
import { Bus } from './bus.js';
import { UserError } from './errors.js';
import type { FirmwareImage } from '../image/image.js';
import type { InterruptController } from './irq.js';
import { silentLogger, type Logger } from './logger.js';
import { Scheduler } from './scheduler.js';
import type { ResetCause, SocInstance } from './soc.js';
import { UartPort } from './uart-port.js';

export interface MachineOptions {
  /** Board name (boards/NAME.json) or a loaded spec. */
  board: string | BoardSpec;
  log?: Logger;
  /** ARM semihosting (off unless given): console sinks, file root, command line. */
  semihosting?: Omit<SemihostingOptions, 'cpuHz' | 'log'>;
  /** CPU execution engine (default 'interp', the reference interpreter). */
  engine?: EngineKind;
}

export interface RunOptions {
  /** Stop with 'timeout' after this many cycles of virtual time (from now). */
  timeoutCycles?: number;
  /**
   * Stop with 'timeout' after this many seconds of virtual time (from now). Unlike cycles, this follows
   * clock changes (an STM32 switching to its PLL): the deadline is re-converted at every slice.
   */
  timeoutSeconds?: number;
  /** Stop with 'instruction-limit' after this many instructions (from now). */
  maxInstructions?: number;
}

export interface RunResult {
  reason: StopReason;
  exitCode: number;
  cycles: number;
  instructions: number;
}

/** Forwards device interrupts to whichever controller the core system installs. */
class InterruptForwarder implements InterruptController {
  target: InterruptController | null = null;
  setIrqLevel(irq: number, level: boolean): void {
    this.target?.setIrqLevel(irq, level);
  }
  pulseIrq(irq: number): void {
    this.target?.pulseIrq(irq);
  }
}

/** Batch size when nothing is scheduled, so async runs yield to host I/O regularly. */
const IDLE_SLICE_CYCLES = 1_000_000;

export class Machine {
  readonly board: BoardSpec;
  readonly bus = new Bus();
  readonly cpu: CortexM4;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  readonly soc: SocInstance;
  /** NVIC, SCB, SysTick, MPU, DWT, FPB: the Cortex-M4's own peripherals. */
  readonly system: CoreSystem;
  readonly irq = new InterruptForwarder();
  readonly semihosting: Semihosting | null = null;
  private readonly uarts = new Map<string, UartPort>();
  private stopRequested: StopReason | null = null;
  /**
   * Deep-sleep state for SocInstance.deepSleep/deepWake: 0 none, 1 deep sleep, 2 powered down (wakes only
   * by reset), 3 clock stopped (wakes once soc.deepSleepWakeup() says so).
   */
  private deepSleepState: 0 | 1 | 2 | 3 = 0;

  constructor(opts: MachineOptions) {
    this.board = typeof opts.board === 'string' ? loadBoard(opts.board) : opts.board;
    this.log = opts.log ?? silentLogger();
    this.cpu = new CortexM4(this.bus);
    if (opts.engine !== undefined) this.cpu.engine = opts.engine;
    this.scheduler = new Scheduler(this.cpu);
    this.system = attachCoreSystem(this.cpu, this.bus, this.scheduler, {
      cpuHz: this.board.cpuHz,
      systickExternalHz: this.board.systick?.externalHz,
      log: this.log.child({ core: 'cortex-m4' }),
      numIrq: this.board.nvic?.irqs,
      priorityBits: this.board.nvic?.priorityBits,
      onSystemReset: () => this.reset('software'),
    });
    this.irq.target = this.system.nvic;
    if (opts.semihosting) {
      this.semihosting = new Semihosting({ ...opts.semihosting, cpuHz: this.board.cpuHz, log: this.log.child({ semihosting: true }) });
      this.cpu.semihosting = this.semihosting;
    }
    const factory = SOC_FACTORIES.get(this.board.soc);
    if (factory === undefined) throw new UserError(`board ${this.board.name}: unknown SoC '${this.board.soc}'`);
    this.soc = factory(
      {
        bus: this.bus,
        scheduler: this.scheduler,
        irq: this.irq,
        log: this.log.child({ soc: this.board.soc }),
        cpuHz: this.board.cpuHz,
        uart: (label) => this.uart(label),
        requestSystemReset: (cause) => this.reset(cause),
        signalEvent: () => {
          this.cpu.exc.sev();
          this.cpu.irqCheck = true;
        },
      },
      this.board.options ?? {},
    );
    this.cpu.exc.vtor = this.soc.resetVectorBase;
  }

  /** The host side of a guest UART by label ("uart0", "usart2"); the console is `board.console`. */
  uart(label: string): UartPort {
    let p = this.uarts.get(label);
    if (p === undefined) {
      p = new UartPort(label);
      this.uarts.set(label, p);
    }
    return p;
  }

  /** Labels of the UARTs the SoC created (for `--serial LABEL=…` checks). */
  get uartLabels(): string[] {
    return [...this.uarts.keys()];
  }

  get console(): UartPort {
    return this.uart(this.board.console);
  }

  /** Copies an image's segments into memory (flash included); throws UserError for unmapped addresses. */
  loadImage(img: FirmwareImage): void {
    for (const s of img.segments) {
      try {
        this.bus.load(s.address, s.data);
      } catch {
        throw new UserError(
          `${img.source}: segment at 0x${s.address.toString(16)} (${s.data.length} bytes) is outside the memory of board ${this.board.name}`,
        );
      }
    }
  }

  /** System reset: peripherals, then the core (vector fetch). `cause` defaults to the reset pin. */
  reset(cause: ResetCause = 'pin'): void {
    this.deepSleepState = 0;
    this.soc.reset(cause);
    this.cpu.exc.vtor = this.soc.resetVectorBase;
    this.cpu.reset();
  }

  /** Called by `stop()` so that a host-side wait (runAsync's `idleWait`) can end at once. */
  onStopRequested: (() => void) | null = null;

  /** Asks a running loop to stop at the next batch boundary (from a signal handler or another task). */
  stop(reason: StopReason = 'user'): void {
    this.stopRequested = reason;
    this.cpu.runUntil = 0;
    this.onStopRequested?.();
  }

  /** Virtual time in seconds. */
  get seconds(): number {
    return this.soc.virtualSeconds ? this.soc.virtualSeconds() : this.cpu.cycles / this.board.cpuHz;
  }

  /** Current core clock in Hz (cycles per virtual second): the SoC's live clock tree, else the board's. */
  get hz(): number {
    return this.soc.currentHz ? this.soc.currentHz() : this.board.cpuHz;
  }

  /** Runs synchronously until a stop reason. Without limits this may not return: tests pass limits. */
  run(opts: RunOptions = {}): RunResult {
    const limits = this.beginRun(opts);
    for (;;) {
      const end = limits.end();
      // With a deadline in seconds, slice so clock changes are seen; otherwise one long slice.
      const r = this.slice(end, opts.timeoutSeconds !== undefined ? this.cpu.cycles + this.hz / 100 : Infinity);
      if (r !== null) return r;
    }
  }

  /**
   * Runs until a stop reason, yielding to the host event loop between slices (so UART input, signals
   * and sockets are served). `realtime` paces virtual time to the wall clock (never ahead of it).
   * `idleWait` is awaited when the CPU sleeps with nothing scheduled (e.g. waiting for host input);
   * without it such a state ends the run with 'halt'.
   */
  async runAsync(opts: RunOptions & { realtime?: boolean; idleWait?: () => Promise<void> } = {}): Promise<RunResult> {
    const limits = this.beginRun(opts);
    const wallStart = performance.now();
    const secondsStart = this.seconds;
    // Virtual milliseconds ahead of the wall clock since the run began (realtime pacing only).
    const ahead = () => (this.seconds - secondsStart) * 1000 - (performance.now() - wallStart);
    for (;;) {
      const end = limits.end();
      const r = this.slice(end, Math.min(end, this.cpu.cycles + this.hz / 100));
      if (r !== null) {
        if (r.reason === 'halt' && opts.idleWait && this.stopRequested === null) {
          await opts.idleWait();
          this.cpu.stopReason = null;
          continue;
        }
        // Paced runs never end ahead of the wall clock: the last slice is waited out too.
        if (opts.realtime && ahead() > 0) await sleepMs(ahead());
        return r;
      }
      if (opts.realtime && ahead() > 1) await sleepMs(ahead());
      else await new Promise((res) => setImmediate(res));
    }
  }

  /** Resets the stop state and instruction budget; returns the cycle deadline, re-evaluated per slice. */
  private beginRun(opts: RunOptions): { end(): number } {
    this.stopRequested = null;
    this.cpu.stopReason = null;
    this.cpu.instructionLimit = opts.maxInstructions !== undefined ? this.cpu.instructions + opts.maxInstructions : Infinity;
    const fixed = opts.timeoutCycles !== undefined ? this.cpu.cycles + opts.timeoutCycles : Infinity;
    if (opts.timeoutSeconds === undefined) return { end: () => fixed };
    const deadline = this.seconds + opts.timeoutSeconds;
    return {
      end: () => Math.min(fixed, this.cpu.cycles + Math.max(0, Math.ceil((deadline - this.seconds) * this.hz - 1e-6))),
    };
  }

  /** Runs until `sliceEnd` (or a stop). Returns a result when the run is over, null to continue. */
  private slice(end: number, sliceEnd: number): RunResult | null {
    const cpu = this.cpu;
    const sched = this.scheduler;
    const limit = Math.min(end, sliceEnd);
    while (cpu.cycles < limit) {
      if (this.stopRequested !== null) return this.result(this.stopRequested);
      if (cpu.stopReason !== null) return this.result(cpu.stopReason);
      if (cpu.instructions >= cpu.instructionLimit) return this.result('instruction-limit');
      // Powered down or clock stopped: the core model wakes itself when an exception becomes pending; this one stays off.
      if (this.deepSleepState >= 2) cpu.sleeping = true;
      if (cpu.sleeping) {
        if (this.deepSleepState === 0 && cpu.exc.scr & SCR.SLEEPDEEP && this.soc.deepSleep) {
          const kind = this.soc.deepSleep();
          this.deepSleepState = kind === 'powered-down' ? 2 : kind === 'clock-stopped' ? 3 : 1;
        }
        if (this.deepSleepState === 3 && this.soc.deepSleepWakeup?.()) {
          this.deepSleepState = 1; // a wake-up source is active: pending interrupts count again
          cpu.exc.checkPending();
          continue;
        }
        // Fast-forward: nothing happens until the next event.
        const next = sched.nextTime;
        if (next === Infinity) return this.result('halt');
        cpu.cycles = Math.max(cpu.cycles, Math.min(next, end));
        if (cpu.cycles >= end) break;
        sched.runDue();
        cpu.irqCheck = true;
        // An event that made an interrupt pending wakes the core through checkPending (not a powered-down one).
        if (this.deepSleepState < 2) cpu.exc.checkPending();
        continue;
      }
      if (this.deepSleepState !== 0) {
        this.deepSleepState = 0;
        this.soc.deepWake?.();
      }
      const target = Math.min(sched.nextTime, limit, cpu.cycles + IDLE_SLICE_CYCLES);
      cpu.run(target);
      if (sched.nextTime <= cpu.cycles) sched.runDue();
    }
    if (this.stopRequested !== null) return this.result(this.stopRequested);
    if (cpu.stopReason !== null) return this.result(cpu.stopReason);
    if (cpu.cycles >= end) return this.result('timeout');
    return null;
  }

  private result(reason: StopReason): RunResult {
    return { reason, exitCode: this.cpu.exitCode, cycles: this.cpu.cycles, instructions: this.cpu.instructions };
  }
}

/** Timer resolution is whole milliseconds; round up so a wait never ends early. */
function sleepMs(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, Math.ceil(ms)));
}

export function createMachine(opts: MachineOptions): Machine {
  return new Machine(opts);
}
