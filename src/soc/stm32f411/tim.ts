/**
 * STM32F411 timers (RM0383 §12–§14): advanced TIM1 (basics), general-purpose TIM2–5 and TIM9–11.
 *
 * No per-tick work: the counter is a function of virtual time. While counting, tick u (an unbounded
 * counter-clock index) happens at `baseTime + (u − basePhase)·cpt` cycles, cpt = (PSC+1) · cpuHz / timclk;
 * CNT is u folded into the period — edge-aligned up (0..ARR), down (ARR..0) or center-aligned
 * (0..ARR..1, period 2·ARR). Update events (UEV) happen at the period boundaries (and at the top in
 * center-aligned mode); compare matches where CNT = CCRx.
 *
 * Flags are brought up to date lazily (`sync`) before every register access. The one scheduler event only
 * targets what needs exact timing: the next UEV when UIE/UDE is set, a preload (PSC, ARR with ARPE, CCR with
 * OCxPE) is pending, or OPM must stop the counter; the next match of a channel with CCxIE/CCxDE; and the
 * edges of channel outputs someone watches (PWM on a pin for an LED). A free-running timer nobody listens
 * to costs nothing.
 *
 * Rules (RM0383): PSC is always preloaded (takes effect at UEV); ARR is preloaded when ARPE=1; UG reinitialises
 * the counter (0, or ARR when counting down) and the prescaler, loads the shadows and sets UIF unless URS=1
 * (neither with UDIS=1 except the counter reset); UDIS=1 suppresses UEV; OPM clears CEN at the next UEV; a
 * counter with ARR=0 is blocked; CNT written above ARR counts on to the end of its range (up) and wraps.
 * PWM mode 1: OCxREF high while CNT < CCRx counting up, while CNT ≤ CCRx counting down (mode 2 inverted);
 * CCxP inverts the output; CCxE (and BDTR.MOE on TIM1) enables it. Not modelled: slave/master modes,
 * input capture, dead time and complementary outputs, DMA bursts (stored only). TIM1's repetition counter
 * is: RCR is preloaded, and UIF/shadow loads/OPM stop happen on every (RCR+1)-th overflow.
 * Clock changes are noticed at the next register access or event (the counter is re-based then).
 */
import type { DriveLevel } from '../../core/pins.js';
import { RegisterBank } from '../../core/registers.js';
import type { ScheduledEvent } from '../../core/scheduler.js';
import { cyclesPerSecond, warnUnmapped, type ApbBus, type IrqOutput, type Stm32DeviceContext } from './device-context.js';

export const TIM_CR1 = { CEN: 1, UDIS: 2, URS: 4, OPM: 8, DIR: 0x10, CMS: 0x60, ARPE: 0x80 } as const;
export const TIM_SR = { UIF: 1, CC1IF: 2, CC2IF: 4, CC3IF: 8, CC4IF: 0x10, COMIF: 0x20, TIF: 0x40, BIF: 0x80 } as const;
export const TIM_DIER = { UIE: 1, CC1IE: 2, TIE: 0x40, BIE: 0x80, UDE: 0x100, CC1DE: 0x200 } as const;

export interface TimerConfig {
  name: string;
  apb: ApbBus;
  bits: 16 | 32;
  channels: 1 | 2 | 4;
  /** TIM1: BDTR.MOE gates the outputs; separate update/CC/trigger/break vectors. */
  advanced?: boolean;
  /** Only counts up (TIM9–11: no DIR/CMS). */
  upOnly?: boolean;
  /** NVIC numbers; equal numbers share one line. */
  irqs: { update: number; cc: number; trigger: number; break?: number };
}

/** The F411's timers (RM0383 Table 1 and Table 37). */
export const STM32F411_TIMERS: readonly (TimerConfig & { base: number })[] = [
  { name: 'tim1', base: 0x40010000, apb: 2, bits: 16, channels: 4, advanced: true, irqs: { update: 25, cc: 27, trigger: 26, break: 24 } },
  { name: 'tim2', base: 0x40000000, apb: 1, bits: 32, channels: 4, irqs: { update: 28, cc: 28, trigger: 28 } },
  { name: 'tim3', base: 0x40000400, apb: 1, bits: 16, channels: 4, irqs: { update: 29, cc: 29, trigger: 29 } },
  { name: 'tim4', base: 0x40000800, apb: 1, bits: 16, channels: 4, irqs: { update: 30, cc: 30, trigger: 30 } },
  { name: 'tim5', base: 0x40000c00, apb: 1, bits: 32, channels: 4, irqs: { update: 50, cc: 50, trigger: 50 } },
  { name: 'tim9', base: 0x40014000, apb: 2, bits: 16, channels: 2, upOnly: true, irqs: { update: 24, cc: 24, trigger: 24 } },
  { name: 'tim10', base: 0x40014400, apb: 2, bits: 16, channels: 1, upOnly: true, irqs: { update: 25, cc: 25, trigger: 25 } },
  { name: 'tim11', base: 0x40014800, apb: 2, bits: 16, channels: 1, upOnly: true, irqs: { update: 26, cc: 26, trigger: 26 } },
];

/**
 * Timer channel pins of the F411 (datasheet DS10314 alternate-function table): timer → channel (0-based)
 * → [pin name, AF number]. TIM1/TIM2 are AF1, TIM3–5 AF2, TIM9–11 AF3.
 */
export const STM32F411_TIMER_PINS: Readonly<Record<string, readonly (readonly [string, number])[][]>> = {
  tim1: [[['A8', 1], ['E9', 1]], [['A9', 1], ['E11', 1]], [['A10', 1], ['E13', 1]], [['A11', 1], ['E14', 1]]],
  tim2: [[['A0', 1], ['A5', 1], ['A15', 1]], [['A1', 1], ['B3', 1]], [['A2', 1], ['B10', 1]], [['A3', 1]]],
  tim3: [[['A6', 2], ['B4', 2], ['C6', 2]], [['A7', 2], ['B5', 2], ['C7', 2]], [['B0', 2], ['C8', 2]], [['B1', 2], ['C9', 2]]],
  tim4: [[['B6', 2], ['D12', 2]], [['B7', 2], ['D13', 2]], [['B8', 2], ['D14', 2]], [['B9', 2], ['D15', 2]]],
  tim5: [[['A0', 2]], [['A1', 2]], [['A2', 2]], [['A3', 2]]],
  tim9: [[['A2', 3], ['E5', 3]], [['A3', 3], ['E6', 3]]],
  tim10: [[['B8', 3]]],
  tim11: [[['B9', 3]]],
};

/** What connectTimerPins needs of a GPIO port. */
export interface AlternateOutputPort {
  setAlternateOutput(pin: number, level: DriveLevel, af: number): void;
}

/** Routes every channel of `timer` to its alternate-function pins on the given ports (by letter). */
export function connectTimerPins(timer: Timer, ports: Readonly<Record<string, AlternateOutputPort | undefined>>): void {
  const table = STM32F411_TIMER_PINS[timer.config.name];
  if (!table) return;
  table.forEach((pins, ch) => {
    const targets = pins.flatMap(([name, af]) => {
      const port = ports[name[0]!];
      return port ? [{ port, pin: Number(name.slice(1)), af }] : [];
    });
    if (targets.length) timer.attachOutput(ch, (level) => targets.forEach((t) => t.port.setAlternateOutput(t.pin, level, t.af)));
  });
}

const EPS = 1e-9;
/** Reads that must not go through sync (write-only or static registers). */
const NO_SYNC_READ = new Set([0x14]);

export class Timer {
  readonly regs: RegisterBank;
  private readonly ev: ScheduledEvent;
  private readonly max: number;
  private readonly lines: { out: IrqOutput; mask: number }[] = [];
  private running = false;
  private baseTime = 0;
  private basePhase = 0;
  private cpt = 1;
  private lastSync = 0;
  private arrShadow: number;
  private pscShadow = 0;
  private readonly ccrShadow = [0, 0, 0, 0];
  /** TIM1 repetition counter: RCR shadow, and overflows left before the next UEV. */
  private rcrShadow = 0;
  private repLeft = 0;
  /** OCxREF state of the stateful compare modes (frozen, active/inactive on match, toggle). */
  private readonly ocState = [false, false, false, false];
  private readonly sinks: (((level: DriveLevel) => void) | null)[] = [null, null, null, null];
  /** Last level reported to each sink (undefined: nothing reported yet). */
  private readonly outLevel: (DriveLevel | undefined)[] = [undefined, undefined, undefined, undefined];

  constructor(
    private readonly ctx: Stm32DeviceContext,
    readonly config: TimerConfig,
  ) {
    this.max = config.bits === 32 ? 0xffffffff : 0xffff;
    this.arrShadow = this.max;
    this.ev = ctx.scheduler.event(config.name, (t) => this.onEvent(t));
    // Which SR/DIER bits each NVIC line carries.
    const byIrq = new Map<number, number>();
    const add = (n: number | undefined, mask: number) => {
      if (n !== undefined) byIrq.set(n, (byIrq.get(n) ?? 0) | mask);
    };
    add(config.irqs.update, TIM_SR.UIF);
    add(config.irqs.cc, 0x1e);
    add(config.irqs.trigger, TIM_SR.TIF | TIM_SR.COMIF);
    add(config.irqs.break ?? config.irqs.update, TIM_SR.BIF);
    for (const [n, mask] of byIrq) this.lines.push({ out: ctx.irq(n), mask });

    const W = this.max;
    const cr1Writable = config.upOnly ? 0x38f : 0x3ff;
    const ccr = (i: number) => ({
      name: `CCR${i + 1}`,
      offset: 0x34 + 4 * i,
      writable: i < config.channels ? W : 0,
      write: (v: number) => {
        if (!this.preloadCcr(i)) this.ccrShadow[i] = v;
      },
    });
    this.regs = new RegisterBank(config.name, [
      { name: 'CR1', offset: 0x00, writable: cr1Writable, read: (v) => this.readCr1(v), write: (v, old) => this.writeCr1(v, old) },
      { name: 'CR2', offset: 0x04, writable: 0x7ff5 },
      { name: 'SMCR', offset: 0x08, writable: 0xfff7 },
      { name: 'DIER', offset: 0x0c, writable: config.advanced ? 0x7fff : 0x5f5f },
      { name: 'SR', offset: 0x10, writable: 0, w0c: 0x1eff },
      { name: 'EGR', offset: 0x14, writable: 0, read: () => 0, write: (_v, _o, w) => this.writeEgr(w) },
      { name: 'CCMR1', offset: 0x18 },
      { name: 'CCMR2', offset: 0x1c },
      { name: 'CCER', offset: 0x20, writable: 0xffff },
      { name: 'CNT', offset: 0x24, writable: W, read: () => this.cnt, write: (v) => this.setCnt(v) },
      { name: 'PSC', offset: 0x28, writable: 0xffff },
      {
        name: 'ARR',
        offset: 0x2c,
        writable: W,
        reset: W,
        write: (v) => {
          if (!(this.regs.get('CR1') & TIM_CR1.ARPE)) this.setArrShadow(v);
        },
      },
      { name: 'RCR', offset: 0x30, writable: config.advanced ? 0xff : 0 },
      ccr(0),
      ccr(1),
      ccr(2),
      ccr(3),
      { name: 'BDTR', offset: 0x44, writable: config.advanced ? 0xffff : 0 },
      { name: 'DCR', offset: 0x48, writable: 0x1f1f },
      { name: 'DMAR', offset: 0x4c },
      { name: 'OR', offset: 0x50, writable: 0xffff },
    ], { onUnmapped: warnUnmapped(ctx.log, config.name) });
  }

  reset(): void {
    this.ctx.scheduler.cancel(this.ev);
    this.regs.reset();
    this.running = false;
    this.basePhase = 0;
    this.baseTime = this.now;
    this.lastSync = this.now;
    this.arrShadow = this.max;
    this.pscShadow = 0;
    this.ccrShadow.fill(0);
    this.rcrShadow = 0;
    this.repLeft = 0;
    this.ocState.fill(false);
    this.cpt = this.computeCpt();
    this.update();
  }

  private get now(): number {
    return this.ctx.scheduler.now;
  }

  /** Timer kernel clock: TIMCLK of its APB bus. */
  get timclk(): number {
    return this.config.apb === 1 ? this.ctx.clocks.timclk1 : this.ctx.clocks.timclk2;
  }

  private computeCpt(): number {
    return ((this.pscShadow + 1) * cyclesPerSecond(this.ctx)) / this.timclk;
  }

  // ---- counter geometry -------------------------------------------------------------------------

  private get cms(): number {
    return this.config.upOnly ? 0 : (this.regs.get('CR1') >>> 5) & 3;
  }
  private get down(): boolean {
    return !this.config.upOnly && this.cms === 0 && (this.regs.get('CR1') & TIM_CR1.DIR) !== 0;
  }
  /** Ticks per counter period (0: blocked, ARR = 0). */
  private get period(): number {
    const arr = this.arrShadow;
    if (arr === 0) return 0;
    return this.cms ? 2 * arr : arr + 1;
  }

  private uAt(t: number): number {
    if (!this.running || this.period === 0) return this.basePhase;
    return this.basePhase + Math.floor((t - this.baseTime) / this.cpt + EPS);
  }
  private timeOfU(u: number): number {
    return this.baseTime + Math.ceil((u - this.basePhase) * this.cpt - EPS);
  }

  private cntOf(u: number): number {
    const arr = this.arrShadow;
    if (u < 0) return this.down ? arr - u : u + this.max + 1;
    const P = this.period;
    if (P === 0) return this.basePhase < 0 ? 0 : this.basePhase;
    const ph = u % P;
    if (this.cms) return ph <= arr ? ph : 2 * arr - ph;
    return this.down ? arr - ph : ph;
  }

  /** Phase for a counter value (the up-counting half in center-aligned mode unless `downHalf`). */
  private phaseOf(cnt: number, downHalf = false): number {
    const arr = this.arrShadow;
    if (this.cms) return downHalf && cnt > 0 && cnt < arr ? 2 * arr - cnt : Math.min(cnt, arr);
    if (this.down) return arr - cnt;
    return cnt <= arr ? cnt : cnt - (this.max + 1);
  }

  /** Normalised phase of u (kept small so it stays exact as a double). */
  private norm(u: number): number {
    const P = this.period;
    return u < 0 || P === 0 ? u : u % P;
  }

  /** Whether the counter is in the down half of a center-aligned period at phase u. */
  private downHalfAt(u: number): boolean {
    return this.cms !== 0 && u >= 0 && this.period > 0 && u % this.period > this.arrShadow;
  }

  /**
   * Smallest u > a with u ≡ r (mod P), for a UEV or match residue r. Phases below 0 (CNT written above
   * ARR) hold no residue: counting up, the wrap to 0 at u = 0 is the first UEV; counting down, the counter
   * first comes down to ARR at u = 0, so the first underflow is at u = P.
   */
  private nextU(a: number, r: number): number {
    return Timer.nextRes(Math.max(a, this.down ? 0 : -1), r, this.period);
  }

  /** Smallest u > a with u ≡ r (mod P). */
  private static nextRes(a: number, r: number, P: number): number {
    let d = (((r - a) % P) + P) % P;
    if (d === 0) d = P;
    return a + d;
  }
  /** How many u in (a, b] have u ≡ r (mod P). */
  private static countRes(a: number, b: number, r: number, P: number): number {
    return Math.floor((b - r) / P) - Math.floor((a - r) / P);
  }

  private uevResidues(): number[] {
    return this.cms ? [0, this.arrShadow] : [0];
  }

  private matchResidues(ch: number): number[] {
    const c = this.ccrShadow[ch]!;
    const arr = this.arrShadow;
    if (c > arr) return [];
    if (this.cms) return c === 0 || c === arr ? [c] : [c, 2 * arr - c];
    return [this.down ? arr - c : c];
  }

  /** Live CNT. */
  get cnt(): number {
    return this.cntOf(this.uAt(this.now)) & this.max;
  }

  // ---- preload and the update event ---------------------------------------------------------------

  private preloadCcr(ch: number): boolean {
    const ccmr = this.regs.get(ch < 2 ? 'CCMR1' : 'CCMR2');
    return ((ccmr >>> (ch & 1 ? 11 : 3)) & 1) !== 0;
  }

  /** A UEV would change something (so each UEV must be processed at its own time). */
  private uevChangesState(): boolean {
    const cr1 = this.regs.get('CR1');
    // With a repetition count every overflow must be counted (only the last one is an UEV).
    if (this.repLeft > 0 || this.rcrShadow > 0 || this.regs.get('RCR') !== this.rcrShadow) return true;
    if (cr1 & TIM_CR1.OPM) return true;
    if (cr1 & TIM_CR1.UDIS) return false;
    if (this.regs.get('PSC') !== this.pscShadow) return true;
    if (cr1 & TIM_CR1.ARPE && this.regs.get('ARR') !== this.arrShadow) return true;
    for (let i = 0; i < this.config.channels; i++) {
      if (this.preloadCcr(i) && this.regs.get(`CCR${i + 1}`) !== this.ccrShadow[i]) return true;
    }
    return false;
  }

  /** Loads the shadow registers (on UEV or UG). */
  private loadShadows(): void {
    this.pscShadow = this.regs.get('PSC');
    this.arrShadow = this.regs.get('ARR');
    for (let i = 0; i < 4; i++) this.ccrShadow[i] = this.regs.get(`CCR${i + 1}`);
    this.rcrShadow = this.regs.get('RCR');
    this.repLeft = this.rcrShadow;
  }

  /** Re-bases the counter at time t keeping its value (after a change of ARR, PSC, mode or clock). */
  private rebase(t: number, cnt: number, downHalf: boolean): void {
    this.cpt = this.computeCpt();
    this.basePhase = this.phaseOf(cnt, downHalf);
    this.baseTime = t;
    this.lastSync = t;
  }

  private setArrShadow(v: number): void {
    const u = this.uAt(this.now);
    const cnt = this.cntOf(u);
    const dh = this.downHalfAt(u);
    this.arrShadow = v;
    this.rebase(this.now, cnt, dh);
  }

  /** Brings flags, counter state and compare outputs up to time t. */
  private sync(t: number): void {
    if (t <= this.lastSync && this.running) return;
    if (!this.running || this.period === 0) {
      this.lastSync = Math.max(this.lastSync, t);
      return;
    }
    if (Math.abs(this.computeCpt() - this.cpt) > EPS * this.cpt) {
      // The kernel clock changed (RCC): re-base at the last sync, as if the change happened then.
      const u = this.uAt(this.lastSync);
      this.rebase(this.lastSync, this.cntOf(u), this.downHalfAt(u));
    }
    for (;;) {
      const a = this.uAt(this.lastSync);
      const b = this.uAt(t);
      if (b <= a) break;
      let ue = Infinity;
      let res = 0;
      for (const r of this.uevResidues()) {
        const n = this.nextU(a, r);
        if (n < ue) {
          ue = n;
          res = r;
        }
      }
      const step = ue <= b && this.uevChangesState();
      const end = step ? ue : b;
      this.applyMatches(a, end);
      if (!step) {
        if (ue <= end && !(this.regs.get('CR1') & TIM_CR1.UDIS)) this.regs.setBits('SR', TIM_SR.UIF, true);
        break;
      }
      this.updateEvent(this.timeOfU(ue), res);
      if (!this.running) break;
    }
    this.lastSync = Math.max(this.lastSync, t);
  }

  /**
   * An overflow/underflow processed at its own time t (residue `res`: 0, or ARR at the center-aligned top):
   * an UEV unless the repetition counter still runs (TIM1 RCR: one UEV every RCR+1 overflows).
   */
  private updateEvent(t: number, res: number): void {
    const cr1 = this.regs.get('CR1');
    const top = res !== 0;
    if (this.repLeft > 0) {
      this.repLeft--;
      this.baseTime = t;
      this.lastSync = t;
      this.basePhase = top ? this.arrShadow : 0;
      return;
    }
    if (!(cr1 & TIM_CR1.UDIS)) {
      this.regs.setBits('SR', TIM_SR.UIF, true);
      this.loadShadows();
    }
    this.cpt = this.computeCpt();
    this.baseTime = t;
    this.lastSync = t;
    this.basePhase = top ? this.arrShadow : 0;
    if (cr1 & TIM_CR1.OPM) {
      this.running = false;
      this.regs.set('CR1', cr1 & ~TIM_CR1.CEN);
    }
  }

  /** Sets CCxIF and the stateful OCxREF for compare matches at u in (a, b]. */
  private applyMatches(a: number, b: number): void {
    const P = this.period;
    const from = Math.max(a, -1);
    for (let ch = 0; ch < this.config.channels; ch++) {
      if (this.ccs(ch) !== 0) continue; // input capture: no inputs modelled
      let n = 0;
      for (const r of this.matchResidues(ch)) n += Timer.countRes(from, b, r, P);
      if (n === 0) continue;
      this.regs.setBits('SR', TIM_SR.CC1IF << ch, true);
      const m = this.ocMode(ch);
      if (m === 1) this.ocState[ch] = true;
      else if (m === 2) this.ocState[ch] = false;
      else if (m === 3 && n & 1) this.ocState[ch] = !this.ocState[ch];
    }
  }

  private ccs(ch: number): number {
    return (this.regs.get(ch < 2 ? 'CCMR1' : 'CCMR2') >>> (ch & 1 ? 8 : 0)) & 3;
  }
  private ocMode(ch: number): number {
    return (this.regs.get(ch < 2 ? 'CCMR1' : 'CCMR2') >>> (ch & 1 ? 12 : 4)) & 7;
  }

  // ---- scheduling ------------------------------------------------------------------------------

  private watched(ch: number): boolean {
    if (!this.sinks[ch] || this.ccs(ch) !== 0) return false;
    const m = this.ocMode(ch);
    return m >= 1 && m <= 3 ? true : m >= 6;
  }

  private reschedule(): void {
    const sch = this.ctx.scheduler;
    if (!this.running || this.period === 0) {
      sch.cancel(this.ev);
      return;
    }
    const now = this.now;
    const a = this.uAt(now);
    const dier = this.regs.get('DIER');
    const cr1 = this.regs.get('CR1');
    let pwm = false;
    for (let ch = 0; ch < this.config.channels; ch++) if (this.watched(ch) && this.ocMode(ch) >= 6) pwm = true;
    let next = Infinity;
    const wantUev = ((dier & (TIM_DIER.UIE | TIM_DIER.UDE)) !== 0 && !(cr1 & TIM_CR1.UDIS)) || this.uevChangesState() || pwm;
    if (wantUev) for (const r of this.uevResidues()) next = Math.min(next, this.nextU(a, r));
    for (let ch = 0; ch < this.config.channels; ch++) {
      const irqOrDma = dier & ((TIM_DIER.CC1IE | TIM_DIER.CC1DE) << ch);
      if (!irqOrDma && !this.watched(ch)) continue;
      if (this.ccs(ch) !== 0) continue;
      for (const r of this.matchResidues(ch)) next = Math.min(next, this.nextU(a, r));
    }
    if (next === Infinity) sch.cancel(this.ev);
    else sch.scheduleAt(this.ev, Math.max(this.timeOfU(next), now + 1));
  }

  private onEvent(t: number): void {
    this.sync(t);
    this.update();
  }

  /** Recomputes IRQ lines and outputs, and schedules the next event. */
  private update(): void {
    const active = this.regs.get('SR') & this.regs.get('DIER') & 0xff;
    for (const l of this.lines) l.out.set((active & l.mask) !== 0);
    this.updateOutputs();
    this.reschedule();
  }

  // ---- outputs ---------------------------------------------------------------------------------

  /** OCx output level: null while the output is disabled or the channel is an input. */
  outputLevel(ch: number): DriveLevel {
    if (ch >= this.config.channels || this.ccs(ch) !== 0) return null;
    const ccer = this.regs.get('CCER');
    if (!((ccer >>> (4 * ch)) & 1)) return null;
    if (this.config.advanced && !(this.regs.get('BDTR') & 0x8000)) return null;
    const m = this.ocMode(ch);
    let ref: boolean;
    if (m <= 3) ref = this.ocState[ch]!;
    else if (m === 4) ref = false;
    else if (m === 5) ref = true;
    else {
      const u = this.uAt(this.now);
      const cnt = this.cntOf(u);
      const c = this.ccrShadow[ch]!;
      const countingDown = this.down || this.downHalfAt(u);
      ref = countingDown ? cnt <= c : cnt < c;
      if (m === 7) ref = !ref;
    }
    const inverted = ((ccer >>> (4 * ch + 1)) & 1) !== 0;
    return ref !== inverted;
  }

  /** Routes channel `ch` (0-based) to a pin: `sink` gets every output change (e.g. GpioPort.setAlternateOutput). */
  attachOutput(ch: number, sink: ((level: DriveLevel) => void) | null): void {
    this.sinks[ch] = sink;
    this.outLevel[ch] = undefined; // report the current level to the new sink
    this.update();
  }

  private updateOutputs(): void {
    for (let ch = 0; ch < this.config.channels; ch++) {
      const sink = this.sinks[ch];
      if (!sink) continue;
      const lvl = this.outputLevel(ch);
      if (lvl !== this.outLevel[ch]) {
        this.outLevel[ch] = lvl;
        sink(lvl);
      }
    }
  }

  // ---- register side effects -------------------------------------------------------------------

  private readCr1(v: number): number {
    if (!this.cms) return v;
    // In center-aligned mode DIR is read-only and shows the current direction.
    return this.downHalfAt(this.uAt(this.now)) ? v | TIM_CR1.DIR : v & ~TIM_CR1.DIR;
  }

  private writeCr1(v: number, old: number): void {
    const now = this.now;
    const geometry = TIM_CR1.DIR | TIM_CR1.CMS;
    if ((v ^ old) & geometry) {
      // Keep the count across a direction/mode change (evaluated with the old mode).
      this.regs.set('CR1', old);
      const u = this.uAt(now);
      const cnt = this.cntOf(u);
      this.regs.set('CR1', v);
      this.rebase(now, cnt, false);
    }
    if (v & TIM_CR1.CEN && !(old & TIM_CR1.CEN)) {
      this.running = true;
      this.cpt = this.computeCpt();
      this.basePhase = this.norm(this.basePhase);
      this.baseTime = now;
      this.lastSync = now;
    } else if (!(v & TIM_CR1.CEN) && old & TIM_CR1.CEN) {
      this.basePhase = this.norm(this.uAt(now));
      this.running = false;
    }
  }

  private setCnt(v: number): void {
    const dh = this.downHalfAt(this.uAt(this.now));
    this.rebase(this.now, v >>> 0, dh);
  }

  private writeEgr(w: number): void {
    const cr1 = this.regs.get('CR1');
    if (w & 1) {
      // UG: reinitialise counter and prescaler; load shadows and flag UIF unless UDIS (UIF also not with URS).
      if (!(cr1 & TIM_CR1.UDIS)) {
        this.loadShadows();
        if (!(cr1 & TIM_CR1.URS)) this.regs.setBits('SR', TIM_SR.UIF, true);
      }
      this.rebase(this.now, this.down ? this.arrShadow : 0, false);
    }
    const chMask = ((1 << this.config.channels) - 1) << 1;
    this.regs.setBits('SR', w & (chMask | TIM_SR.TIF | (this.config.advanced ? TIM_SR.COMIF | TIM_SR.BIF : 0)), true);
  }

  // MmioHandler: every access first brings the counter and flags up to date.
  read(offset: number, size: 1 | 2 | 4): number {
    if (!NO_SYNC_READ.has(offset & ~3)) this.sync(this.now);
    return this.regs.read(offset, size);
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.sync(this.now);
    this.regs.write(offset, size, value);
    this.update();
  }
}
