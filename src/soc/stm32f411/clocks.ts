/**
 * The STM32F411 clock tree (RM0383 §6.2, figure 12) as a pure function of the RCC register values:
 * SYSCLK from HSI/HSE/PLL (CFGR.SWS), AHB prescaler → HCLK, APB1/APB2 prescalers → PCLK1/PCLK2, and the
 * timer clocks (×1 when the APB prescaler is 1, else ×2; with DCKCFGR.TIMPRE: HCLK when the prescaler is
 * 1, 2 or 4, else ×4).
 */

/** Bus and kernel clocks in Hz; live values, recomputed whenever RCC registers change. */
export interface Stm32Clocks {
  readonly sysclk: number;
  readonly hclk: number;
  readonly pclk1: number;
  readonly pclk2: number;
  readonly timclk1: number;
  readonly timclk2: number;
}

export const HSI_HZ = 16_000_000;
/** LSI RC oscillator, typical (datasheet: 17–47 kHz, 32 kHz typical). */
export const LSI_HZ = 32_000;

/** Register values the clock tree depends on. */
export interface ClockRegisters {
  cr: number;
  pllcfgr: number;
  cfgr: number;
  pllI2sCfgr: number;
  dckcfgr: number;
  bdcr: number;
}

export interface ClockTree extends Stm32Clocks {
  /** Main PLL VCO output and its P (system) and Q (USB/SDIO, 48 MHz) outputs. */
  readonly pllVco: number;
  readonly pllP: number;
  readonly pllQ: number;
  /** PLLI2S R output (I2S clock). */
  readonly pllI2sR: number;
  /** RTC/LCD clock selected by BDCR.RTCSEL (0 when none). */
  readonly rtcclk: number;
}

/** AHB prescaler, CFGR.HPRE: 0xxx → 1, 1000..1111 → 2, 4, 8, 16, 64, 128, 256, 512 (no 32). */
export function ahbDivider(hpre: number): number {
  return hpre < 8 ? 1 : ([2, 4, 8, 16, 64, 128, 256, 512][hpre - 8] ?? 1);
}

/** APB prescaler, CFGR.PPREx: 0xx → 1, 100..111 → 2, 4, 8, 16. */
export function apbDivider(ppre: number): number {
  return ppre < 4 ? 1 : 1 << (ppre - 3);
}

function timerClock(hclk: number, pclk: number, apbDiv: number, timpre: boolean): number {
  if (!timpre) return apbDiv === 1 ? pclk : 2 * pclk;
  return apbDiv <= 4 ? hclk : 4 * pclk;
}

export function computeClocks(r: ClockRegisters, hseHz: number, lseHz: number): ClockTree {
  const hseReady = (r.cr & (1 << 17)) !== 0;
  const hse = hseReady ? hseHz : 0;
  const pllSrc = r.pllcfgr & (1 << 22) ? hse : HSI_HZ;
  const m = r.pllcfgr & 0x3f;
  const n = (r.pllcfgr >>> 6) & 0x1ff;
  const p = 2 * (((r.pllcfgr >>> 16) & 3) + 1);
  const q = (r.pllcfgr >>> 24) & 0xf;
  // M = 0/1 and Q = 0/1 are "wrong configurations" in RM0383; they yield no clock here.
  const pllIn = m >= 2 ? pllSrc / m : 0;
  const pllVco = pllIn * n;
  const pllP = pllVco / p;
  const pllQ = q >= 2 ? pllVco / q : 0;
  const i2sM = r.pllI2sCfgr & 0x3f;
  const i2sN = (r.pllI2sCfgr >>> 6) & 0x1ff;
  const i2sR = (r.pllI2sCfgr >>> 28) & 7;
  const pllI2sR = i2sM >= 2 && i2sR >= 2 ? ((pllSrc / i2sM) * i2sN) / i2sR : 0;

  const sws = (r.cfgr >>> 2) & 3;
  const sysclk = sws === 0 ? HSI_HZ : sws === 1 ? hse : sws === 2 ? pllP : HSI_HZ;
  const hclk = sysclk / ahbDivider((r.cfgr >>> 4) & 0xf);
  const d1 = apbDivider((r.cfgr >>> 10) & 7);
  const d2 = apbDivider((r.cfgr >>> 13) & 7);
  const pclk1 = hclk / d1;
  const pclk2 = hclk / d2;
  const timpre = (r.dckcfgr & (1 << 24)) !== 0;

  const rtcsel = (r.bdcr >>> 8) & 3;
  const rtcpre = (r.cfgr >>> 16) & 0x1f;
  const rtcclk = rtcsel === 1 ? (r.bdcr & 2 ? lseHz : 0) : rtcsel === 2 ? LSI_HZ : rtcsel === 3 && rtcpre >= 2 ? hse / rtcpre : 0;

  return {
    sysclk,
    hclk,
    pclk1,
    pclk2,
    timclk1: timerClock(hclk, pclk1, d1, timpre),
    timclk2: timerClock(hclk, pclk2, d2, timpre),
    pllVco,
    pllP,
    pllQ,
    pllI2sR,
    rtcclk,
  };
}
