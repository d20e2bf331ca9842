/**
 * STM32F411 real-time clock (RM0383 §17), base 0x40002800, in the backup domain.
 *
 * Clock: RTCCLK = LSE, LSI or HSE/RTCPRE per RCC_BDCR.RTCSEL, running only with BDCR.RTCEN and (for
 * LSE/LSI) its ready flag. ck_apre = RTCCLK / (PREDIV_A + 1) drives the sub-second down-counter SSR
 * (reloaded with PREDIV_S); each reload is one calendar second (ck_spre). The calendar (TR/DR, BCD,
 * 24 h or 12 h with PM) is kept lazily: every register access, RCC change and scheduled event first
 * brings it up to the current virtual time (`sync`), so nothing ticks per second unless an alarm or the
 * wake-up timer is enabled.
 *
 * Protection: every write needs PWR_CR.DBP; all registers but ISR's flags, TAFCR and BKPxR additionally
 * need the WPR key sequence 0xCA, 0x53 (any other WPR write locks again). TR/DR/PRER are writable in
 * initialisation mode only (INITF, set two RTCCLK periods after INIT); the calendar is stopped while INIT
 * is set. RSF is set two RTCCLK periods after being cleared or after leaving init mode.
 *
 * Outputs: (ALRAF·ALRAIE | ALRBF·ALRBIE) → EXTI line 17 (RTC_Alarm, IRQ 41); WUTF·WUTIE → EXTI 22
 * (RTC_WKUP, IRQ 3); TSF·TSIE → EXTI 21 (no time-stamp or tamper input exists, so it stays low).
 *
 * The RTC and its 20 backup registers survive system resets; a power-on reset or RCC_BDCR.BDRST clears
 * them. Alarms with ALRMxSSR.MASKSS > 0 compare SS[MASKSS-1:0] at every ck_apre tick (the RTC then
 * wakes at the ck_apre rate while such an alarm is enabled). Not modelled: smooth calibration (CALR
 * stored), coarse calibration (CALIBR stored), time stamp, tamper,
 * the RTC_AF1 output.
 */
import type { Logger } from '../../core/logger.js';
import { RegisterBank, type RegisterSpec } from '../../core/registers.js';
import type { Scheduler } from '../../core/scheduler.js';
import { warnUnmapped } from './device-context.js';

export const RTC_BASE = 0x4000_2800;
export const RTC_EXTI = { alarm: 17, tamperStamp: 21, wakeup: 22 } as const;

export const RTC_ISR = {
  ALRAWF: 1 << 0,
  ALRBWF: 1 << 1,
  WUTWF: 1 << 2,
  SHPF: 1 << 3,
  INITS: 1 << 4,
  RSF: 1 << 5,
  INITF: 1 << 6,
  INIT: 1 << 7,
  ALRAF: 1 << 8,
  ALRBF: 1 << 9,
  WUTF: 1 << 10,
  TSF: 1 << 11,
  TSOVF: 1 << 12,
  TAMP1F: 1 << 13,
  TAMP2F: 1 << 14,
} as const;

export const RTC_CR = {
  WUCKSEL: 7,
  FMT: 1 << 6,
  BYPSHAD: 1 << 5,
  ALRAE: 1 << 8,
  ALRBE: 1 << 9,
  WUTE: 1 << 10,
  ALRAIE: 1 << 12,
  ALRBIE: 1 << 13,
  WUTIE: 1 << 14,
  TSIE: 1 << 15,
  ADD1H: 1 << 16,
  SUB1H: 1 << 17,
} as const;

/** ISR flags software clears by writing 0 (rc_w0); they need no WPR unlock. */
const ISR_FLAGS = RTC_ISR.ALRAF | RTC_ISR.ALRBF | RTC_ISR.WUTF | RTC_ISR.TSF | RTC_ISR.TSOVF | RTC_ISR.TAMP1F | RTC_ISR.TAMP2F;
const BKP_COUNT = 20;

/** What the RTC needs from the rest of the SoC (RCC/PWR/EXTI), as functions so tests can drive them. */
export interface RtcEnvironment {
  scheduler: Scheduler;
  log: Logger;
  /** RTCCLK in Hz now (0 when RTCEN is off or the selected oscillator is not ready). */
  rtcHz(): number;
  /** Virtual seconds now (integrated over HCLK changes). */
  seconds(): number;
  /** Scheduler cycles for a delay in seconds at the current HCLK. */
  cyclesFor(seconds: number): number;
  /** PWR_CR.DBP. */
  backupWritable(): boolean;
  /** Drives an EXTI input line. */
  setExtiLine(line: number, level: boolean): void;
}

/** Calendar fields in 24-hour form; month 1–12, day 1–31, weekday 1–7 (Monday = 1), year 0–99. */
export interface RtcDateTime {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const bcd = (v: number): number => ((Math.floor(v / 10) % 10) << 4) | v % 10;
const unbcd = (b: number): number => ((b >>> 4) & 0xf) * 10 + (b & 0xf);

export function decodeCalendar(tr: number, dr: number): RtcDateTime {
  let hours = unbcd((tr >>> 16) & 0x3f);
  if (tr & (1 << 22)) hours = (hours % 12) + 12; // PM (12-hour format)
  return {
    year: unbcd((dr >>> 16) & 0xff),
    month: unbcd((dr >>> 8) & 0x1f),
    day: unbcd(dr & 0x3f),
    weekday: (dr >>> 13) & 7,
    hours,
    minutes: unbcd((tr >>> 8) & 0x7f),
    seconds: unbcd(tr & 0x7f),
  };
}

export function encodeCalendar(t: RtcDateTime, twelveHour: boolean): { tr: number; dr: number } {
  let h = t.hours;
  let pm = 0;
  if (twelveHour) {
    pm = h >= 12 ? 1 : 0;
    h = h % 12 === 0 ? 12 : h % 12;
  }
  const tr = (pm << 22) | (bcd(h) << 16) | (bcd(t.minutes) << 8) | bcd(t.seconds);
  const dr = (bcd(t.year) << 16) | ((t.weekday & 7) << 13) | (bcd(t.month) << 8) | bcd(t.day);
  return { tr, dr };
}

/** Adds `n` seconds to a calendar (years 2000–2099 rules: every year divisible by 4 is a leap year). */
export function addSeconds(t: RtcDateTime, n: number): RtcDateTime {
  // Date.UTC is pure arithmetic here (no wall clock); 2000..2099 has the RTC's leap-year rule.
  const ms = Date.UTC(2000 + t.year, t.month - 1, t.day, t.hours, t.minutes, t.seconds) + n * 1000;
  const d = new Date(ms);
  const days = Math.floor((ms - Date.UTC(2000 + t.year, t.month - 1, t.day)) / 86_400_000);
  const wd = t.weekday === 0 ? 0 : ((((t.weekday - 1 + days) % 7) + 7) % 7) + 1;
  return {
    year: (d.getUTCFullYear() - 2000) % 100,
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: wd,
    hours: d.getUTCHours(),
    minutes: d.getUTCMinutes(),
    seconds: d.getUTCSeconds(),
  };
}

/** Does alarm register `alrm` (ALRMAR/ALRMBR layout) match the calendar? */
export function alarmMatches(alrm: number, tr: number, dr: number, twelveHour: boolean): boolean {
  if (!(alrm & (1 << 7)) && (alrm & 0x7f) !== (tr & 0x7f)) return false; // seconds (MSK1)
  if (!(alrm & (1 << 15)) && ((alrm >>> 8) & 0x7f) !== ((tr >>> 8) & 0x7f)) return false; // minutes (MSK2)
  if (!(alrm & (1 << 23))) {
    // Hours (MSK3), with PM in 12-hour format.
    if (((alrm >>> 16) & 0x3f) !== ((tr >>> 16) & 0x3f)) return false;
    if (twelveHour && ((alrm >>> 22) & 1) !== ((tr >>> 22) & 1)) return false;
  }
  if (!(alrm & (1 << 31))) {
    // Date or weekday (MSK4, WDSEL).
    if (alrm & (1 << 30)) {
      if (((alrm >>> 24) & 0xf) !== ((dr >>> 13) & 7)) return false;
    } else if (((alrm >>> 24) & 0x3f) !== (dr & 0x3f)) return false;
  }
  return true;
}

export class Stm32Rtc {
  readonly regs: RegisterBank;
  private unlockStep = 0;
  /** Shadow-register lock (see `read`): the TR/DR values a read sequence returns. */
  private shadow: { tr: number; dr: number; trLocked: boolean } | null = null;
  /** Virtual seconds of the last `sync`. */
  private lastSeconds = 0;
  /** RTCCLK used since `lastSeconds`. */
  private rate = 0;
  /** RTCCLK periods accumulated toward the next ck_apre tick. */
  private apreAcc = 0;
  /** RTCCLK periods accumulated toward the next wake-up clock tick (RTCCLK/n modes). */
  private wakeAcc = 0;
  /** Wake-up clock ticks until WUTF. */
  private wakeLeft = 0;
  /** Seconds at which INITF / RSF become 1 (Infinity: not pending). */
  private initfAt = Infinity;
  private rsfAt = Infinity;
  private readonly event;
  private readonly warned = new Set<string>();

  constructor(private readonly env: RtcEnvironment) {
    const protectedReg = (name: string, offset: number, reset: number, writable: number, write?: RegisterSpec['write']): RegisterSpec => ({
      name,
      offset,
      reset,
      writable,
      write: (v, old, w) => {
        if (!this.unlocked(name)) return this.regs.set(name, old);
        write?.(v, old, w);
      },
    });
    const specs: RegisterSpec[] = [
      protectedReg('TR', 0x00, 0, 0x007f_7f7f, (v, old) => this.calendarWrite('TR', v, old)),
      protectedReg('DR', 0x04, 0x0000_2101, 0x00ff_ff3f, (v, old) => this.calendarWrite('DR', v, old)),
      protectedReg('CR', 0x08, 0, 0x00ff_ffff, (v, old) => this.writeCr(v, old)),
      {
        name: 'ISR',
        offset: 0x0c,
        reset: RTC_ISR.ALRAWF | RTC_ISR.ALRBWF | RTC_ISR.WUTWF,
        writable: RTC_ISR.INIT | RTC_ISR.RSF | ISR_FLAGS,
        read: () => this.readIsr(),
        write: (v, old, w) => this.writeIsr(v, old, w),
      },
      protectedReg('PRER', 0x10, 0x007f_00ff, 0x007f_7fff, (v, old) => this.calendarWrite('PRER', v, old)),
      protectedReg('WUTR', 0x14, 0x0000_ffff, 0xffff, (v, old) => {
        if (!(this.regs.get('ISR') & RTC_ISR.WUTWF)) this.regs.set('WUTR', old); // only while WUTE = 0
      }),
      protectedReg('CALIBR', 0x18, 0, 0x9f),
      protectedReg('ALRMAR', 0x1c, 0, 0xffff_ffff, (v, old) => {
        if (!(this.regs.get('ISR') & RTC_ISR.ALRAWF)) this.regs.set('ALRMAR', old);
      }),
      protectedReg('ALRMBR', 0x20, 0, 0xffff_ffff, (v, old) => {
        if (!(this.regs.get('ISR') & RTC_ISR.ALRBWF)) this.regs.set('ALRMBR', old);
      }),
      { name: 'WPR', offset: 0x24, writable: 0, read: () => 0, write: (_v, _o, w) => this.writeWpr(w & 0xff) },
      { name: 'SSR', offset: 0x28, writable: 0 },
      protectedReg('SHIFTR', 0x2c, 0, 0, (_v, _o, w) => this.shift(w)),
      { name: 'TSTR', offset: 0x30, writable: 0 },
      { name: 'TSDR', offset: 0x34, writable: 0 },
      protectedReg('CALR', 0x3c, 0, 0xe1ff),
      { name: 'TAFCR', offset: 0x40, writable: 0x00ef_f7ff },
      protectedReg('ALRMASSR', 0x44, 0, 0x0f00_7fff),
      protectedReg('ALRMBSSR', 0x48, 0, 0x0f00_7fff),
      { name: 'TSSSR', offset: 0x38, writable: 0 },
    ];
    for (let i = 0; i < BKP_COUNT; i++) specs.push({ name: `BKP${i}R`, offset: 0x50 + 4 * i });
    const bank = new RegisterBank('RTC', specs, { onUnmapped: warnUnmapped(env.log, 'rtc') });
    // TR, DR and SSR read the running calendar.
    this.regs = bank;
    this.event = env.scheduler.event('rtc', () => this.sync());
    this.powerOnReset();
  }

  /** MMIO: DBP gates every write (the backup domain is write-protected after reset). */
  read(offset: number, size: 1 | 2 | 4): number {
    const w = offset & ~3;
    if (w !== 0x00 && w !== 0x04 && w !== 0x28) return this.regs.read(offset, size);
    // Shadow registers (BYPSHAD = 0): reading SSR locks TR and DR, reading TR locks DR, until DR is read,
    // so a time and date read in that order always belong together.
    const bypass = (this.regs.get('CR') & RTC_CR.BYPSHAD) !== 0;
    let v: number;
    if (w === 0x28) {
      this.sync();
      v = this.regs.get('SSR');
      if (!bypass) this.shadow = { tr: this.regs.get('TR'), dr: this.regs.get('DR'), trLocked: true };
    } else if (w === 0x00) {
      if (this.shadow?.trLocked && !bypass) {
        v = this.shadow.tr;
        this.shadow.trLocked = false;
      } else {
        this.sync();
        v = this.regs.get('TR');
        if (!bypass) this.shadow = { tr: v, dr: this.shadow?.dr ?? this.regs.get('DR'), trLocked: false }; // DR stays locked from the first read
      }
    } else if (this.shadow && !bypass) {
      v = this.shadow.dr;
      this.shadow = null;
    } else {
      this.sync();
      v = this.regs.get('DR');
    }
    const shift = (offset & 3) * 8;
    return size === 4 ? v >>> 0 : (v >>> shift) & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (!this.env.backupWritable()) {
      this.warnOnce('dbp', 'RTC write ignored: backup domain write-protected (PWR_CR.DBP = 0)');
      return;
    }
    this.sync();
    this.regs.write(offset, size, value);
    this.sync();
  }

  /** Power-on or backup-domain reset: the whole RTC, calendar and backup registers. */
  powerOnReset(): void {
    this.regs.reset();
    this.unlockStep = 0;
    this.shadow = null;
    this.apreAcc = this.wakeAcc = 0;
    this.initfAt = this.rsfAt = Infinity;
    this.lastSeconds = this.env.seconds();
    this.rate = this.env.rtcHz();
    this.env.scheduler.cancel(this.event);
    this.outputs();
  }

  /**
   * Brings the calendar, sub-second counter and wake-up timer up to now, sets flags, drives the EXTI
   * lines and schedules the next moment anything can happen. Called on every access and by RCC changes.
   */
  sync(): void {
    const now = this.env.seconds();
    const dt = Math.max(0, now - this.lastSeconds);
    this.lastSeconds = now;
    if (this.rate > 0 && dt > 0) this.advance(dt * this.rate);
    const rate = this.env.rtcHz();
    if (rate !== this.rate) {
      // Shadow copies (RSF) start with the clock; without a clock nothing completes.
      if (rate === 0) this.initfAt = this.rsfAt = Infinity;
      else if (this.rate === 0 && this.calendarRunning && !(this.regs.get('ISR') & RTC_ISR.RSF)) this.rsfAt = now + 2 / rate;
      this.rate = rate;
    }
    this.outputs();
    this.scheduleNext();
  }

  /** The calendar now (24-hour form), for tests and the debugger. */
  dateTime(): RtcDateTime {
    this.sync();
    return decodeCalendar(this.regs.get('TR'), this.regs.get('DR'));
  }

  // ---- time keeping -----------------------------------------------------------------------------

  private get preA(): number {
    return ((this.regs.get('PRER') >>> 16) & 0x7f) + 1;
  }
  private get preS(): number {
    return (this.regs.get('PRER') & 0x7fff) + 1;
  }
  private get calendarRunning(): boolean {
    return !(this.regs.get('ISR') & RTC_ISR.INIT);
  }

  /** Advances by `ticks` RTCCLK periods (fractional). */
  private advance(ticks: number): void {
    const cr = this.regs.get('CR');
    if (this.calendarRunning) {
      this.apreAcc += ticks;
      const n = Math.floor(this.apreAcc / this.preA + 1e-9);
      if (n > 0) {
        this.apreAcc = Math.max(0, this.apreAcc - n * this.preA);
        this.apreTicks(n);
      }
    }
    const sel = cr & RTC_CR.WUCKSEL;
    if (cr & RTC_CR.WUTE && sel < 4) {
      const div = 16 >> sel;
      this.wakeAcc += ticks;
      const n = Math.floor(this.wakeAcc / div + 1e-9);
      if (n > 0) {
        this.wakeAcc = Math.max(0, this.wakeAcc - n * div);
        this.wakeTicks(n);
      }
    }
  }

  /** `n` ck_apre ticks: the sub-second counter counts down from PREDIV_S; each reload is a second. */
  private apreTicks(n: number): void {
    if (this.subSecondAlarms() && n <= 1_000_000) {
      // Sub-second alarms compare SSR at every ck_apre tick (events keep n small then).
      for (let i = 0; i < n; i++) {
        this.apreTicksPlain(1);
        this.checkSubSecondAlarms();
      }
      return;
    }
    this.apreTicksPlain(n);
  }

  private apreTicksPlain(n: number): void {
    const ss = this.regs.get('SSR');
    const preS = this.preS;
    // Ticks until the next reload: ss + 1 (SSR may exceed PREDIV_S after a shift).
    if (n <= ss) {
      this.regs.set('SSR', ss - n);
      return;
    }
    const rest = n - (ss + 1);
    const seconds = 1 + Math.floor(rest / preS);
    this.regs.set('SSR', preS - 1 - (rest % preS));
    this.secondsElapsed(seconds);
  }

  private secondsElapsed(n: number): void {
    const cr = this.regs.get('CR');
    const alarms = cr & (RTC_CR.ALRAE | RTC_CR.ALRBE);
    // One step per second while an alarm could match in between (events keep n at 1 then).
    const step = alarms && n <= 200_000 ? 1 : n;
    for (let done = 0; done < n; done += step) {
      const s = Math.min(step, n - done);
      this.setCalendar(addSeconds(this.calendar(), s));
      if (alarms) this.checkAlarms();
    }
    const sel = cr & RTC_CR.WUCKSEL;
    if (cr & RTC_CR.WUTE && sel >= 4) this.wakeTicks(n);
  }

  private wakeTicks(n: number): void {
    if (n < this.wakeLeft) {
      this.wakeLeft -= n;
      return;
    }
    const period = this.wakePeriod();
    this.wakeLeft = period - ((n - this.wakeLeft) % period);
    this.regs.setBits('ISR', RTC_ISR.WUTF, true);
  }

  /** Wake-up timer period in wake-up clock ticks: WUT + 1 (plus 2^16 with WUCKSEL = 11x). */
  private wakePeriod(): number {
    const sel = this.regs.get('CR') & RTC_CR.WUCKSEL;
    return (this.regs.get('WUTR') & 0xffff) + 1 + (sel >= 6 ? 0x1_0000 : 0);
  }

  /** Alarms A and B: enable bit, flag, date/time register, sub-second register. */
  private static readonly ALARMS = [
    { en: RTC_CR.ALRAE, flag: RTC_ISR.ALRAF, reg: 'ALRMAR', ssr: 'ALRMASSR' },
    { en: RTC_CR.ALRBE, flag: RTC_ISR.ALRBF, reg: 'ALRMBR', ssr: 'ALRMBSSR' },
  ] as const;

  /** MASKSS of an alarm: 0 = whole seconds; n compares SS[n-1:0] at every ck_apre tick. */
  private maskSs(ssr: 'ALRMASSR' | 'ALRMBSSR'): number {
    return (this.regs.get(ssr) >>> 24) & 0xf;
  }

  /** Is an enabled alarm comparing sub-seconds (MASKSS > 0)? */
  private subSecondAlarms(): boolean {
    const cr = this.regs.get('CR');
    return Stm32Rtc.ALARMS.some((a) => cr & a.en && this.maskSs(a.ssr) > 0);
  }

  /** Whole-second alarms (MASKSS = 0): checked when the seconds unit increments. */
  private checkAlarms(): void {
    const cr = this.regs.get('CR');
    const fmt = (cr & RTC_CR.FMT) !== 0;
    for (const a of Stm32Rtc.ALARMS) {
      if (!(cr & a.en) || this.maskSs(a.ssr) > 0) continue;
      if (alarmMatches(this.regs.get(a.reg), this.regs.get('TR'), this.regs.get('DR'), fmt)) this.regs.setBits('ISR', a.flag, true);
    }
  }

  /** Sub-second alarms: the date/time fields and SS[MASKSS-1:0] match after this ck_apre tick. */
  private checkSubSecondAlarms(): void {
    const cr = this.regs.get('CR');
    const fmt = (cr & RTC_CR.FMT) !== 0;
    for (const a of Stm32Rtc.ALARMS) {
      const m = this.maskSs(a.ssr);
      if (!(cr & a.en) || m === 0) continue;
      const mask = m >= 15 ? 0x7fff : (1 << m) - 1;
      if ((this.regs.get('SSR') & mask) !== (this.regs.get(a.ssr) & mask)) continue;
      if (alarmMatches(this.regs.get(a.reg), this.regs.get('TR'), this.regs.get('DR'), fmt)) this.regs.setBits('ISR', a.flag, true);
    }
  }

  private calendar(): RtcDateTime {
    return decodeCalendar(this.regs.get('TR'), this.regs.get('DR'));
  }

  private setCalendar(t: RtcDateTime): void {
    const { tr, dr } = encodeCalendar(t, (this.regs.get('CR') & RTC_CR.FMT) !== 0);
    this.regs.set('TR', tr);
    this.regs.set('DR', dr);
  }

  /** Schedules the next event: a second boundary while alarms or a 1 Hz wake-up run, or the wake-up tick. */
  private scheduleNext(): void {
    const S = this.env.scheduler;
    const cr = this.regs.get('CR');
    let ticks = Infinity;
    const sel = cr & RTC_CR.WUCKSEL;
    const secondsMatter = cr & (RTC_CR.ALRAE | RTC_CR.ALRBE) || (cr & RTC_CR.WUTE && sel >= 4);
    if (this.rate > 0 && this.calendarRunning && secondsMatter) {
      // Sub-second alarms: the next ck_apre tick; otherwise the next second boundary.
      const apre = this.subSecondAlarms() ? 1 : this.regs.get('SSR') + 1;
      ticks = apre * this.preA - this.apreAcc;
    }
    if (this.rate > 0 && cr & RTC_CR.WUTE && sel < 4) ticks = Math.min(ticks, this.wakeLeft * (16 >> sel) - this.wakeAcc);
    if (ticks === Infinity) S.cancel(this.event);
    else S.schedule(this.event, this.env.cyclesFor(Math.max(0, ticks) / this.rate));
  }

  // ---- registers --------------------------------------------------------------------------------

  private unlocked(name: string): boolean {
    if (this.unlockStep === 2) return true;
    this.warnOnce(`wpr-${name}`, `RTC_${name} write ignored: write protection active (RTC_WPR key 0xCA, 0x53 not written)`);
    return false;
  }

  private writeWpr(key: number): void {
    if (key === 0xca) this.unlockStep = 1;
    else if (key === 0x53 && this.unlockStep === 1) this.unlockStep = 2;
    else this.unlockStep = 0;
  }

  private readIsr(): number {
    const now = this.env.seconds();
    let v = this.regs.get('ISR');
    if (now >= this.initfAt) v |= RTC_ISR.INITF;
    if (now >= this.rsfAt) {
      v |= RTC_ISR.RSF;
      this.rsfAt = Infinity;
    }
    if (this.regs.get('CR') & RTC_CR.BYPSHAD) v &= ~RTC_ISR.RSF; // no shadow copies in bypass mode
    v = (v & ~RTC_ISR.INITS) | ((this.regs.get('DR') >>> 16) & 0xff ? RTC_ISR.INITS : 0);
    this.regs.set('ISR', v & ~RTC_ISR.INITS);
    return v;
  }

  private writeIsr(next: number, old: number, written: number): void {
    let v = (next & ~ISR_FLAGS) | (old & ISR_FLAGS & written); // the flags are rc_w0
    const ctl = RTC_ISR.INIT | RTC_ISR.RSF;
    // ISR[7:0] is write-protected (the flags in ISR[13:8] are not).
    if ((v ^ old) & ctl && !this.unlocked('ISR')) v = (v & ~ctl) | (old & ctl);
    if (v & RTC_ISR.RSF && !(old & RTC_ISR.RSF)) v &= ~RTC_ISR.RSF; // software can only clear RSF
    const now = this.env.seconds();
    const later = this.rate > 0 ? now + 2 / this.rate : Infinity;
    if (v & RTC_ISR.INIT && !(old & RTC_ISR.INIT)) {
      // Entering init mode: the calendar stops, RSF clears; INITF follows after about two RTCCLK periods.
      v &= ~RTC_ISR.RSF;
      this.rsfAt = Infinity;
      this.initfAt = later;
      if (this.rate === 0) this.warnOnce('initf', 'RTC: INIT set without a running RTC clock (RTCEN/RTCSEL/oscillator); INITF stays 0');
    } else if (!(v & RTC_ISR.INIT) && old & RTC_ISR.INIT) {
      v &= ~RTC_ISR.INITF;
      this.initfAt = Infinity;
      this.rsfAt = later;
    } else if (old & RTC_ISR.RSF && !(v & RTC_ISR.RSF)) {
      this.rsfAt = later; // the next shadow copy sets it again
    }
    this.regs.set('ISR', v);
  }

  /** TR, DR, PRER: only in initialisation mode (INITF); the prescalers restart from the new value. */
  private calendarWrite(name: 'TR' | 'DR' | 'PRER', v: number, old: number): void {
    if (this.env.seconds() < this.initfAt) {
      this.regs.set(name, old);
      this.warnOnce(`init-${name}`, `RTC_${name} write ignored: not in initialisation mode (INITF = 0)`);
      return;
    }
    this.apreAcc = 0;
    this.shadow = null;
    this.regs.set('SSR', this.regs.get('PRER') & 0x7fff);
  }

  private writeCr(v: number, old: number): void {
    let isr = this.regs.get('ISR');
    const fell = old & ~v;
    const rose = v & ~old;
    if (fell & RTC_CR.ALRAE) isr |= RTC_ISR.ALRAWF;
    if (rose & RTC_CR.ALRAE) isr &= ~RTC_ISR.ALRAWF;
    if (fell & RTC_CR.ALRBE) isr |= RTC_ISR.ALRBWF;
    if (rose & RTC_CR.ALRBE) isr &= ~RTC_ISR.ALRBWF;
    if (fell & RTC_CR.WUTE) isr |= RTC_ISR.WUTWF;
    if (rose & RTC_CR.WUTE) {
      isr &= ~RTC_ISR.WUTWF;
      this.wakeAcc = 0;
      this.wakeLeft = this.wakePeriod();
      // The 1 Hz clocks tick on second boundaries: the partial second now does not count.
    }
    // ADD1H/SUB1H: one hour summer/winter time step, outside init mode; the bits read 0.
    if (v & (RTC_CR.ADD1H | RTC_CR.SUB1H)) {
      const t = this.calendar();
      if (v & RTC_CR.ADD1H) this.setCalendar(addSeconds(t, 3600));
      else if (t.hours > 0) this.setCalendar(addSeconds(t, -3600));
      v &= ~(RTC_CR.ADD1H | RTC_CR.SUB1H);
    }
    // Switching FMT re-encodes the hours (the counters keep the same time).
    if ((v ^ old) & RTC_CR.FMT) {
      const t = decodeCalendar(this.regs.get('TR'), this.regs.get('DR'));
      this.regs.set('CR', v);
      this.setCalendar(t);
    }
    this.regs.set('CR', v);
    this.regs.set('ISR', isr);
  }

  /** SHIFTR: SUBFS delays the clock by SUBFS ck_apre periods; ADD1S advances it by one second. */
  private shift(w: number): void {
    if (!this.calendarRunning) return;
    if (w & (1 << 31)) this.secondsElapsed(1);
    this.regs.set('SSR', this.regs.get('SSR') + (w & 0x7fff));
    this.regs.set('SHIFTR', 0);
  }

  private outputs(): void {
    const isr = this.regs.get('ISR');
    const cr = this.regs.get('CR');
    const alarm = (isr & RTC_ISR.ALRAF && cr & RTC_CR.ALRAIE) || (isr & RTC_ISR.ALRBF && cr & RTC_CR.ALRBIE);
    this.env.setExtiLine(RTC_EXTI.alarm, Boolean(alarm));
    this.env.setExtiLine(RTC_EXTI.wakeup, Boolean(isr & RTC_ISR.WUTF && cr & RTC_CR.WUTIE));
    this.env.setExtiLine(RTC_EXTI.tamperStamp, Boolean(isr & RTC_ISR.TSF && cr & RTC_CR.TSIE));
  }

  private warnOnce(key: string, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.env.log.warn(msg);
  }
}
