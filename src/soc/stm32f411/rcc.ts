/**
 * STM32F411 reset and clock control (RM0383 §6.3), base 0x40023800, RCC global interrupt IRQ 5.
 *
 * Oscillators and PLLs get their ready flag after a start-up delay in virtual time (datasheet typical
 * values, see START_UP); the system clock switch (CFGR.SW → SWS) happens once the selected source is
 * ready. The clock tree (clocks.ts) is recomputed on every change and published through the live
 * `clocks` object, which devices keep a reference to. Reset/enable registers gate peripherals
 * (`isEnabled`, `onPeripheralReset`). CSR keeps the reset flags across system resets; BDCR (backup
 * domain) survives system resets and is writable only while PWR_CR.DBP is set.
 *
 * Virtual time is CPU cycles, i.e. HCLK cycles: a delay of t seconds is t × HCLK cycles at the time
 * it is scheduled (`cyclesFor`).
 */
import type { IrqLine } from '../../core/irq.js';
import type { Logger } from '../../core/logger.js';
import { RegisterBank } from '../../core/registers.js';
import type { ScheduledEvent, Scheduler } from '../../core/scheduler.js';
import type { ResetCause } from '../../core/soc.js';
import { warnUnmapped } from './device-context.js';
import { computeClocks, HSI_HZ, type ClockTree, type Stm32Clocks } from './clocks.js';

export type { Stm32Clocks } from './clocks.js';
export type RccBusName = 'AHB1' | 'AHB2' | 'APB1' | 'APB2';

export const RCC_BASE = 0x4002_3800;
export const RCC_IRQ = 5;

/** Start-up times in seconds (STM32F411 datasheet typical values). */
export const START_UP = {
  /** tsu(HSI), HSI oscillator start-up. */
  hsi: 2.2e-6,
  /** tsu(HSE), 8 MHz crystal, typical 2 ms. */
  hse: 2e-3,
  /** External clock in bypass mode: a few cycles of the input; we take 1 µs. */
  hseBypass: 1e-6,
  /** tLOCK, PLL lock time (VCO 100 MHz), typical 75 µs (max 200 µs). */
  pll: 75e-6,
  /** tsu(LSI), typical 15 µs. */
  lsi: 15e-6,
  /** tsu(LSE), 32.768 kHz crystal, typical 2 s. */
  lse: 2,
} as const;

export const CR = {
  HSION: 1 << 0,
  HSIRDY: 1 << 1,
  HSEON: 1 << 16,
  HSERDY: 1 << 17,
  HSEBYP: 1 << 18,
  CSSON: 1 << 19,
  PLLON: 1 << 24,
  PLLRDY: 1 << 25,
  PLLI2SON: 1 << 26,
  PLLI2SRDY: 1 << 27,
} as const;

export const CSR = {
  LSION: 1 << 0,
  LSIRDY: 1 << 1,
  RMVF: 1 << 24,
  BORRSTF: 1 << 25,
  PINRSTF: 1 << 26,
  PORRSTF: 1 << 27,
  SFTRSTF: 1 << 28,
  IWDGRSTF: 1 << 29,
  WWDGRSTF: 1 << 30,
  LPWRRSTF: 1 << 31,
} as const;

export const BDCR = { LSEON: 1 << 0, LSERDY: 1 << 1, LSEBYP: 1 << 2, RTCEN: 1 << 15, BDRST: 1 << 16 } as const;

/** CIR ready-interrupt flags (bits 0..5); IE at +8, clear at +16. */
const CIR_FLAG = { LSI: 1 << 0, LSE: 1 << 1, HSI: 1 << 2, HSE: 1 << 3, PLL: 1 << 4, PLLI2S: 1 << 5 } as const;

/** Which peripheral bits exist (RSTR/ENR/LPENR masks) on the F411. */
export const BUS_BITS: Readonly<Record<RccBusName, number>> = {
  AHB1: 0x0060_109f, // GPIOA-E, GPIOH, CRC, DMA1, DMA2 (the LPENR adds FLITF bit 15 and SRAM1 bit 16)
  AHB2: 0x0000_0080, // OTG FS
  APB1: 0x10e2_c80f, // TIM2-5, WWDG, SPI2/3, USART2, I2C1-3, PWR
  APB2: 0x0017_7931, // TIM1, USART1/6, ADC1, SDIO, SPI1/4, SYSCFG, TIM9-11, SPI5
};
const AHB1_LP_EXTRA = (1 << 15) | (1 << 16);

const ENR_NAME: Readonly<Record<RccBusName, string>> = { AHB1: 'AHB1ENR', AHB2: 'AHB2ENR', APB1: 'APB1ENR', APB2: 'APB2ENR' };

/** RESET FLAGS set by each cause (any internal reset also drives NRST low, hence PINRSTF). */
const RESET_FLAGS: Readonly<Record<ResetCause, number>> = {
  'power-on': CSR.PORRSTF | CSR.PINRSTF | CSR.BORRSTF,
  pin: CSR.PINRSTF,
  software: CSR.SFTRSTF | CSR.PINRSTF,
  'independent-watchdog': CSR.IWDGRSTF | CSR.PINRSTF,
  'window-watchdog': CSR.WWDGRSTF | CSR.PINRSTF,
  'low-power': CSR.LPWRRSTF | CSR.PINRSTF,
  // Leaving Standby by a wake-up event adds no RCC_CSR flag (PWR_CSR.SBF tells it; RM0383 §5.4.2).
  'standby-wakeup': 0,
};

export interface RccOptions {
  scheduler: Scheduler;
  log: Logger;
  irq: IrqLine;
  /** HSE frequency on the board (0: no HSE, HSERDY never sets). */
  hseHz: number;
  /** LSE crystal frequency (0: none). */
  lseHz: number;
  /** PWR_CR.DBP: is the backup domain (BDCR) writable? */
  backupWritable: () => boolean;
}

interface Oscillator {
  readonly name: string;
  readonly reg: 'CR' | 'CSR' | 'BDCR';
  readonly on: number;
  readonly rdy: number;
  readonly cirFlag: number;
  readonly delay: () => number;
  /** Extra readiness condition (the PLLs need their input clock). */
  readonly canLock: () => boolean;
  event?: ScheduledEvent;
}

export class Stm32Rcc {
  readonly regs: RegisterBank;
  /** Live clock values: the same object for the machine's lifetime, updated in place. */
  readonly clocks: Stm32Clocks;
  private current: ClockTree;
  private readonly live: { -readonly [K in keyof ClockTree]: number };
  private readonly clockListeners: (() => void)[] = [];
  private readonly resetListeners: ((bus: RccBusName, bit: number) => void)[] = [];
  private readonly backupListeners: ((domainReset: boolean) => void)[] = [];
  private readonly oscillators: Oscillator[];
  /** Virtual seconds at `anchorCycles`, the cycle count of the last HCLK change. */
  private anchorSeconds = 0;
  private anchorCycles = 0;

  constructor(private readonly o: RccOptions) {
    const S = o.scheduler;
    this.regs = new RegisterBank('RCC', [
      { name: 'CR', offset: 0x00, reset: 0x0000_7883, writable: 0x050d_00f9, write: (v, old) => this.writeCr(v, old) },
      { name: 'PLLCFGR', offset: 0x04, reset: 0x2400_3010, writable: 0x0f43_7fff, write: () => this.update() },
      { name: 'CFGR', offset: 0x08, reset: 0, writable: 0xffff_fff3, write: () => this.update() },
      { name: 'CIR', offset: 0x0c, reset: 0, writable: 0x0000_3f00, write: (_v, _o, w) => this.writeCir(w) },
      { name: 'AHB1RSTR', offset: 0x10, writable: BUS_BITS.AHB1, write: (v, old) => this.peripheralReset('AHB1', v, old) },
      { name: 'AHB2RSTR', offset: 0x14, writable: BUS_BITS.AHB2, write: (v, old) => this.peripheralReset('AHB2', v, old) },
      { name: 'APB1RSTR', offset: 0x20, writable: BUS_BITS.APB1, write: (v, old) => this.peripheralReset('APB1', v, old) },
      { name: 'APB2RSTR', offset: 0x24, writable: BUS_BITS.APB2, write: (v, old) => this.peripheralReset('APB2', v, old) },
      { name: 'AHB1ENR', offset: 0x30, writable: BUS_BITS.AHB1, write: () => this.notify() },
      { name: 'AHB2ENR', offset: 0x34, writable: BUS_BITS.AHB2, write: () => this.notify() },
      { name: 'APB1ENR', offset: 0x40, writable: BUS_BITS.APB1, write: () => this.notify() },
      { name: 'APB2ENR', offset: 0x44, writable: BUS_BITS.APB2, write: () => this.notify() },
      { name: 'AHB1LPENR', offset: 0x50, reset: BUS_BITS.AHB1 | AHB1_LP_EXTRA, writable: BUS_BITS.AHB1 | AHB1_LP_EXTRA },
      { name: 'AHB2LPENR', offset: 0x54, reset: BUS_BITS.AHB2, writable: BUS_BITS.AHB2 },
      { name: 'APB1LPENR', offset: 0x60, reset: BUS_BITS.APB1, writable: BUS_BITS.APB1 },
      { name: 'APB2LPENR', offset: 0x64, reset: BUS_BITS.APB2, writable: BUS_BITS.APB2 },
      { name: 'BDCR', offset: 0x70, reset: 0, writable: 0x0001_830d, write: (v, old) => this.writeBdcr(v, old) },
      { name: 'CSR', offset: 0x74, reset: CSR.PORRSTF | CSR.PINRSTF | CSR.BORRSTF, writable: CSR.LSION, write: (v, old, w) => this.writeCsr(v, old, w) },
      { name: 'SSCGR', offset: 0x80, reset: 0, writable: 0xcfff_ffff },
      { name: 'PLLI2SCFGR', offset: 0x84, reset: 0x2400_3010, writable: 0x7000_7fff, write: () => this.update() },
      { name: 'DCKCFGR', offset: 0x8c, reset: 0, writable: 0x0100_0000, write: () => this.update() },
    ], { onUnmapped: warnUnmapped(o.log, 'rcc') });
    const cr = () => this.regs.get('CR');
    const pllInputReady = () => (this.regs.get('PLLCFGR') & (1 << 22) ? (cr() & CR.HSERDY) !== 0 : (cr() & CR.HSIRDY) !== 0);
    this.oscillators = [
      { name: 'HSI', reg: 'CR', on: CR.HSION, rdy: CR.HSIRDY, cirFlag: CIR_FLAG.HSI, delay: () => START_UP.hsi, canLock: () => true },
      {
        name: 'HSE',
        reg: 'CR',
        on: CR.HSEON,
        rdy: CR.HSERDY,
        cirFlag: CIR_FLAG.HSE,
        delay: () => (cr() & CR.HSEBYP ? START_UP.hseBypass : START_UP.hse),
        canLock: () => o.hseHz > 0,
      },
      { name: 'PLL', reg: 'CR', on: CR.PLLON, rdy: CR.PLLRDY, cirFlag: CIR_FLAG.PLL, delay: () => START_UP.pll, canLock: pllInputReady },
      { name: 'PLLI2S', reg: 'CR', on: CR.PLLI2SON, rdy: CR.PLLI2SRDY, cirFlag: CIR_FLAG.PLLI2S, delay: () => START_UP.pll, canLock: pllInputReady },
      { name: 'LSI', reg: 'CSR', on: CSR.LSION, rdy: CSR.LSIRDY, cirFlag: CIR_FLAG.LSI, delay: () => START_UP.lsi, canLock: () => true },
      { name: 'LSE', reg: 'BDCR', on: BDCR.LSEON, rdy: BDCR.LSERDY, cirFlag: CIR_FLAG.LSE, delay: () => START_UP.lse, canLock: () => o.lseHz > 0 },
    ];
    for (const osc of this.oscillators) osc.event = S.event(`rcc-${osc.name.toLowerCase()}-ready`, () => this.ready(osc));
    this.current = this.compute();
    this.live = { ...this.current };
    this.clocks = this.live;
  }

  /** The full clock tree (PLL outputs, RTC clock) as last computed. */
  get tree(): ClockTree {
    return this.current;
  }

  onClockChange(cb: () => void): void {
    this.clockListeners.push(cb);
  }

  /** Called when software sets a bit of an xxxRSTR register (the peripheral goes to its reset state). */
  onPeripheralReset(cb: (bus: RccBusName, bit: number) => void): void {
    this.resetListeners.push(cb);
  }

  /**
   * Called after every RCC update that may change the RTC's clock (BDCR/CSR writes, LSE/LSI ready, HCLK
   * changes), with `domainReset` true when software sets BDCR.BDRST (the RTC and its backup registers reset).
   */
  onBackupDomain(cb: (domainReset: boolean) => void): void {
    this.backupListeners.push(cb);
  }

  /** Is the peripheral's clock enabled (xxxENR bit)? */
  isEnabled(busName: RccBusName, bit: number): boolean {
    return ((this.regs.get(ENR_NAME[busName]) >>> bit) & 1) === 1;
  }

  /**
   * Virtual time in seconds at cycle count `cycles` (default now): cycles are HCLK cycles, so this
   * integrates over every HCLK change (the machine's fixed `cpuHz` is only right until the PLL starts).
   */
  secondsAt(cycles: number = this.o.scheduler.now): number {
    return this.anchorSeconds + (cycles - this.anchorCycles) / this.live.hclk;
  }

  /** Virtual-time cycles (HCLK cycles) for a delay in seconds, at the current HCLK; at least 1. */
  cyclesFor(seconds: number): number {
    return Math.max(1, Math.round(seconds * this.live.hclk));
  }

  /**
   * System reset: every register but BDCR (backup domain) and the CSR reset flags returns to its reset
   * value; the flags of `cause` are added. A power-on reset also clears the backup domain.
   */
  reset(cause: ResetCause): void {
    const flags = this.regs.get('CSR') & 0xfe00_0000;
    const bdcr = this.regs.get('BDCR');
    for (const osc of this.oscillators) if (osc.event) this.o.scheduler.cancel(osc.event);
    this.regs.reset();
    if (cause === 'power-on') this.regs.set('CSR', RESET_FLAGS['power-on']);
    else {
      this.regs.set('CSR', flags | RESET_FLAGS[cause]);
      this.regs.set('BDCR', bdcr);
    }
    this.o.irq.set(false);
    this.update();
  }

  /**
   * Leaving Stop mode (RM0383 §5.3.6): the PLLs and the HSE were stopped, so the chip wakes up running
   * from the HSI (ready at once: the wake-up waits for it). SW/SWS = HSI; HSEBYP and the PLL
   * configuration are kept. Called before the first instruction after the wake-up.
   */
  stopModeExit(): void {
    for (const osc of this.oscillators) if (osc.reg === 'CR' && osc.name !== 'HSI') this.o.scheduler.cancel(osc.event!);
    const stopped = CR.HSEON | CR.HSERDY | CR.PLLON | CR.PLLRDY | CR.PLLI2SON | CR.PLLI2SRDY;
    this.regs.set('CR', (this.regs.get('CR') & ~stopped) | CR.HSION | CR.HSIRDY);
    this.regs.set('CFGR', this.regs.get('CFGR') & ~0xf);
    this.update();
  }

  // ---- register behaviour ---------------------------------------------------------------------

  private writeCr(v: number, old: number): void {
    const sws = (this.regs.get('CFGR') >>> 2) & 3;
    const pllSrcHse = (this.regs.get('PLLCFGR') & (1 << 22)) !== 0;
    // A clock in use (directly, or through the PLL feeding SYSCLK) cannot be stopped (RM0383 §6.3.1).
    if (!(v & CR.HSION) && (sws === 0 || (sws === 2 && !pllSrcHse))) v |= CR.HSION;
    if (!(v & CR.HSEON) && old & CR.HSEON && (sws === 1 || (sws === 2 && pllSrcHse))) v |= CR.HSEON;
    if (!(v & CR.PLLON) && sws === 2) v |= CR.PLLON;
    // HSEBYP can only be written while the HSE is off.
    if (old & CR.HSEON) v = (v & ~CR.HSEBYP) | (old & CR.HSEBYP);
    this.regs.set('CR', v);
    this.oscillatorsChanged('CR', v, old);
  }

  private writeCsr(v: number, old: number, written: number): void {
    if (written & CSR.RMVF) v &= ~0xff00_0000; // RMVF clears every reset flag and reads 0
    this.regs.set('CSR', v);
    this.oscillatorsChanged('CSR', v, old);
  }

  private writeBdcr(v: number, old: number): void {
    if (!this.o.backupWritable()) {
      this.regs.set('BDCR', old);
      this.o.log.debug('RCC_BDCR write ignored: backup domain write-protected (PWR_CR.DBP = 0)');
      return;
    }
    if (v & BDCR.BDRST) v = BDCR.BDRST; // the backup domain reset clears everything while BDRST is set
    else {
      // LSEBYP only while the LSE is off; RTCSEL is set once until a backup domain reset.
      if (old & BDCR.LSEON) v = (v & ~BDCR.LSEBYP) | (old & BDCR.LSEBYP);
      if (old & 0x300) v = (v & ~0x300) | (old & 0x300);
    }
    this.regs.set('BDCR', v);
    if (v & BDCR.BDRST && !(old & BDCR.BDRST)) for (const cb of this.backupListeners) cb(true);
    this.oscillatorsChanged('BDCR', v, old);
  }

  private writeCir(written: number): void {
    let v = this.regs.get('CIR');
    v &= ~((written >>> 16) & 0x3f); // xxxRDYC clear the flags
    if (written & (1 << 23)) v &= ~(1 << 7); // CSSC
    this.regs.set('CIR', v & 0x3fbf);
    this.updateIrq();
  }

  private peripheralReset(bus: RccBusName, v: number, old: number): void {
    const rising = v & ~old;
    for (let bit = 0; bit < 32; bit++) if ((rising >>> bit) & 1) for (const cb of this.resetListeners) cb(bus, bit);
  }

  private oscillatorsChanged(reg: Oscillator['reg'], v: number, old: number): void {
    for (const osc of this.oscillators) {
      if (osc.reg !== reg) continue;
      if (v & osc.on && !(old & osc.on)) this.o.scheduler.schedule(osc.event!, this.cyclesFor(osc.delay()));
      else if (!(v & osc.on) && old & osc.on) {
        this.o.scheduler.cancel(osc.event!);
        this.regs.setBits(reg, osc.rdy, false);
      }
    }
    this.update();
  }

  private ready(osc: Oscillator): void {
    if (!(this.regs.get(osc.reg) & osc.on)) return;
    if (!osc.canLock()) {
      // A PLL whose input is not running yet tries again later; a missing crystal never starts.
      if (osc.name.startsWith('PLL')) this.o.scheduler.schedule(osc.event!, this.cyclesFor(osc.delay()));
      else this.o.log.warn(`RCC: ${osc.name} enabled but the board has no ${osc.name} clock; ${osc.name}RDY stays 0`);
      return;
    }
    this.regs.setBits(osc.reg, osc.rdy, true);
    const cir = this.regs.get('CIR');
    if (cir & (osc.cirFlag << 8)) this.regs.set('CIR', cir | osc.cirFlag);
    this.o.log.debug(`RCC: ${osc.name} ready`);
    this.update();
  }

  /** Performs a pending clock switch, recomputes the tree and tells listeners when it changed. */
  private update(): void {
    const cfgr = this.regs.get('CFGR');
    const sw = cfgr & 3;
    const cr = this.regs.get('CR');
    const readyBit = [CR.HSIRDY, CR.HSERDY, CR.PLLRDY, 0][sw]!;
    if (readyBit && cr & readyBit && ((cfgr >>> 2) & 3) !== sw) this.regs.set('CFGR', (cfgr & ~0xc) | (sw << 2));
    this.updateIrq();
    const t = this.compute();
    this.current = t;
    const l = this.live;
    if (t.hclk !== l.hclk) {
      const now = this.o.scheduler.now;
      this.anchorSeconds = this.secondsAt(now);
      this.anchorCycles = now;
    }
    let changed = false;
    for (const k of Object.keys(t) as (keyof ClockTree)[]) {
      if (l[k] !== t[k]) {
        l[k] = t[k];
        changed = true;
      }
    }
    for (const cb of this.backupListeners) cb(false);
    if (changed) {
      this.o.log.debug(`RCC: SYSCLK ${t.sysclk} Hz, HCLK ${t.hclk}, PCLK1 ${t.pclk1}, PCLK2 ${t.pclk2}`);
      this.notify();
    }
  }

  private notify(): void {
    for (const cb of this.clockListeners) cb();
  }

  private updateIrq(): void {
    const cir = this.regs.get('CIR');
    this.o.irq.set((cir & (cir >>> 8) & 0x3f) !== 0);
  }

  private compute(): ClockTree {
    const r = this.regs;
    return computeClocks(
      {
        cr: r.get('CR'),
        pllcfgr: r.get('PLLCFGR'),
        cfgr: r.get('CFGR'),
        pllI2sCfgr: r.get('PLLI2SCFGR'),
        dckcfgr: r.get('DCKCFGR'),
        bdcr: r.get('BDCR'),
      },
      this.o.hseHz,
      this.o.lseHz,
    );
  }
}

export { HSI_HZ };
