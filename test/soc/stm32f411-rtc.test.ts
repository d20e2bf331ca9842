/** STM32F411 RTC (RM0383 §17): write protection, init mode, BCD calendar in virtual time, alarms, wake-up, backup registers. */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/core/machine.js';
import { silentLogger } from '../../src/core/logger.js';
import { addSeconds, decodeCalendar, RTC_ISR, Stm32Rtc } from '../../src/soc/stm32f411/rtc.js';
import { makeCtx } from './stm32f411-devices-helpers.js';

const HZ = 16_000_000;
const TR = 0x00, DR = 0x04, CR = 0x08, ISR = 0x0c, PRER = 0x10, WUTR = 0x14, ALRMAR = 0x1c, WPR = 0x24, SSR = 0x28, BKP0R = 0x50;

function setup(rtcHz = 32_768) {
  const { scheduler, runTo } = makeCtx();
  const env = { hz: rtcHz, dbp: true, lines: new Map<number, boolean>(), rises: [] as [number, number][] };
  const rtc = new Stm32Rtc({
    scheduler,
    log: silentLogger(),
    rtcHz: () => env.hz,
    seconds: () => scheduler.now / HZ,
    cyclesFor: (s) => Math.max(1, Math.round(s * HZ)),
    backupWritable: () => env.dbp,
    setExtiLine: (line, level) => {
      if (level && !env.lines.get(line)) env.rises.push([line, scheduler.now / HZ]);
      env.lines.set(line, level);
    },
  });
  const at = (seconds: number) => runTo(Math.round(seconds * HZ));
  const unlock = () => {
    rtc.write(WPR, 4, 0xca);
    rtc.write(WPR, 4, 0x53);
  };
  /** The HAL sequence: unlock, INIT, wait INITF, write prescalers/time/date, leave INIT. */
  const init = (tr: number, dr: number, prer = 0x007f_00ff) => {
    unlock();
    rtc.write(ISR, 4, 0xffff_ffff);
    let t = scheduler.now / HZ;
    while (!(rtc.read(ISR, 4) & RTC_ISR.INITF)) at((t += 1e-5));
    rtc.write(PRER, 4, prer);
    rtc.write(TR, 4, tr);
    rtc.write(DR, 4, dr);
    rtc.write(ISR, 4, rtc.read(ISR, 4) & ~RTC_ISR.INIT);
  };
  return { rtc, env, at, unlock, init, scheduler };
}

describe('STM32F411 RTC', () => {
  it('has the RM0383 reset values', () => {
    const { rtc } = setup();
    expect(rtc.read(DR, 4)).toBe(0x0000_2101); // Monday, 01 January 00
    expect(rtc.read(TR, 4)).toBe(0);
    expect(rtc.read(ISR, 4) & 0x7f).toBe(0x07); // ALRAWF | ALRBWF | WUTWF, RSF not yet
    expect(rtc.read(PRER, 4)).toBe(0x007f_00ff);
    expect(rtc.read(WUTR, 4)).toBe(0xffff);
  });

  it('ignores writes without PWR_CR.DBP, and protected registers without the WPR key', () => {
    const { rtc, env, unlock } = setup();
    env.dbp = false;
    rtc.write(BKP0R, 4, 0x1234);
    expect(rtc.read(BKP0R, 4)).toBe(0);
    env.dbp = true;
    rtc.write(BKP0R, 4, 0x1234); // backup registers: DBP is enough
    expect(rtc.read(BKP0R, 4)).toBe(0x1234);
    rtc.write(WUTR, 4, 5);
    expect(rtc.read(WUTR, 4)).toBe(0xffff);
    unlock();
    rtc.write(WUTR, 4, 5);
    expect(rtc.read(WUTR, 4)).toBe(5);
    rtc.write(WPR, 4, 0xff); // any other key locks again
    rtc.write(WUTR, 4, 7);
    expect(rtc.read(WUTR, 4)).toBe(5);
    rtc.write(WPR, 4, 0x53); // wrong order
    rtc.write(WPR, 4, 0xca);
    rtc.write(WUTR, 4, 7);
    expect(rtc.read(WUTR, 4)).toBe(5);
  });

  it('accepts TR/DR only in init mode, INITF two RTCCLK periods after INIT', () => {
    const { rtc, unlock, at } = setup();
    unlock();
    rtc.write(TR, 4, 0x0012_3456);
    expect(rtc.read(TR, 4)).toBe(0);
    rtc.write(ISR, 4, RTC_ISR.INIT);
    expect(rtc.read(ISR, 4) & RTC_ISR.INITF).toBe(0);
    at(1.9 / 32_768);
    expect(rtc.read(ISR, 4) & RTC_ISR.INITF).toBe(0);
    at(2.1 / 32_768);
    expect(rtc.read(ISR, 4) & RTC_ISR.INITF).toBe(RTC_ISR.INITF);
    rtc.write(TR, 4, 0x0012_3456);
    expect(rtc.read(TR, 4)).toBe(0x0012_3456);
    at(3); // stopped while INIT is set
    expect(rtc.read(TR, 4)).toBe(0x0012_3456);
  });

  it('INITF never comes without an RTC clock', () => {
    const { rtc, unlock, at } = setup(0);
    unlock();
    rtc.write(ISR, 4, RTC_ISR.INIT);
    at(0.5);
    expect(rtc.read(ISR, 4) & RTC_ISR.INITF).toBe(0);
  });

  it('counts the BCD calendar from ck_spre across midnight and 29 February, with SSR and RSF', () => {
    const { rtc, init, at, scheduler } = setup();
    init(0x0023_5958, 0x0024_6228); // 23:59:58, Wednesday 28 Feb 2024
    const t0 = scheduler.now / HZ;
    expect(rtc.read(ISR, 4) & RTC_ISR.RSF).toBe(0);
    at(t0 + 3 / 32_768);
    expect(rtc.read(ISR, 4) & (RTC_ISR.RSF | RTC_ISR.INITS)).toBe(RTC_ISR.RSF | RTC_ISR.INITS);
    at(t0 + 0.5);
    expect(rtc.read(SSR, 4)).toBe(127); // PREDIV_S 255 counting down at 256 Hz: 128 ticks gone
    expect(rtc.read(TR, 4)).toBe(0x0023_5958);
    rtc.read(DR, 4); // unlocks the shadows
    at(t0 + 2.001);
    expect(rtc.read(TR, 4)).toBe(0);
    expect(rtc.read(DR, 4)).toBe(0x0024_8229); // Thursday 29 Feb 2024
    at(t0 + 86_400 + 2.001);
    expect(rtc.read(DR, 4)).toBe(0x0024_a301); // Friday 1 March
  });

  it('sets the wake-up flag every WUTR+1 ticks of the selected clock and drives EXTI line 22', () => {
    const { rtc, env, init, at, scheduler } = setup();
    init(0, 0x2101);
    const t0 = scheduler.now / HZ;
    rtc.write(CR, 4, 0); // WUTE = 0: WUTR writable
    rtc.write(WUTR, 4, 2047); // RTCCLK/16 = 2048 Hz → 1 s
    rtc.write(CR, 4, (1 << 14) | (1 << 10) | 0); // WUTIE | WUTE, WUCKSEL = RTCCLK/16
    at(t0 + 0.999);
    expect(rtc.read(ISR, 4) & RTC_ISR.WUTF).toBe(0);
    at(t0 + 1.001);
    expect(rtc.read(ISR, 4) & RTC_ISR.WUTF).toBe(RTC_ISR.WUTF);
    expect(env.lines.get(22)).toBe(true);
    expect(env.rises.filter(([l]) => l === 22)[0]![1]).toBeCloseTo(t0 + 1, 4);
    rtc.write(ISR, 4, ~RTC_ISR.WUTF);
    expect(env.lines.get(22)).toBe(false);
    at(t0 + 2.001);
    expect(env.rises.filter(([l]) => l === 22)).toHaveLength(2);
    expect(env.rises.filter(([l]) => l === 22)[1]![1]).toBeCloseTo(t0 + 2, 4);
  });

  it('raises alarm A when the unmasked seconds match and drives EXTI line 17', () => {
    const { rtc, env, init, at, scheduler } = setup();
    init(0x0010_0000, 0x2101); // 10:00:00
    const t0 = scheduler.now / HZ;
    rtc.write(CR, 4, 0);
    rtc.write(ALRMAR, 4, 0x8080_8005 & ~0x80); // MSK4|MSK3|MSK2, seconds = 05 compared
    rtc.write(CR, 4, (1 << 12) | (1 << 8)); // ALRAIE | ALRAE
    expect(rtc.read(ISR, 4) & RTC_ISR.ALRAWF).toBe(0);
    at(t0 + 4.99);
    expect(rtc.read(ISR, 4) & RTC_ISR.ALRAF).toBe(0);
    at(t0 + 5.01);
    expect(rtc.read(ISR, 4) & RTC_ISR.ALRAF).toBe(RTC_ISR.ALRAF);
    expect(env.rises.find(([l]) => l === 17)![1]).toBeCloseTo(t0 + 5, 4);
  });

  it('reads RSF 0 in shadow-bypass mode (BYPSHAD)', () => {
    const { rtc, init, at, scheduler, unlock } = setup();
    init(0, 0x2101);
    at(scheduler.now / HZ + 1e-3);
    expect(rtc.read(ISR, 4) & RTC_ISR.RSF).toBe(RTC_ISR.RSF);
    unlock();
    rtc.write(CR, 4, 1 << 5);
    expect(rtc.read(ISR, 4) & RTC_ISR.RSF).toBe(0);
  });

  it('matches the sub-seconds of ALRMASSR with MASKSS at the ck_apre tick', () => {
    const { rtc, env, init, at, scheduler } = setup();
    init(0x0010_0000, 0x2101); // 10:00:00, SSR restarts at PREDIV_S = 255 (256 Hz ticks)
    const t0 = scheduler.now / HZ;
    rtc.write(CR, 4, 0);
    rtc.write(ALRMAR, 4, 0x8080_8005 & ~0x80); // seconds = 05
    rtc.write(0x44, 4, (15 << 24) | 0x80); // ALRMASSR: MASKSS 15, SS = 128
    rtc.write(CR, 4, (1 << 12) | (1 << 8));
    const fire = t0 + 5 + 127 / 256;
    at(fire - 0.5 / 256);
    expect(rtc.read(ISR, 4) & RTC_ISR.ALRAF).toBe(0);
    at(fire + 0.5 / 256);
    expect(rtc.read(ISR, 4) & RTC_ISR.ALRAF).toBe(RTC_ISR.ALRAF);
    expect(rtc.read(SSR, 4)).toBe(128);
    expect(env.rises.find(([l]) => l === 17)![1]).toBeCloseTo(fire, 5);
  });

  it('locks the shadow DR from a TR read (and TR+DR from an SSR read) until DR is read', () => {
    const { rtc, init, at, scheduler } = setup();
    init(0x0023_5959, 0x0024_6228); // 23:59:59 Wednesday 28 Feb 2024
    const t0 = scheduler.now / HZ;
    at(t0 + 0.5);
    expect(rtc.read(SSR, 4)).toBe(127);
    at(t0 + 1.5); // past midnight
    expect(rtc.read(TR, 4)).toBe(0x0023_5959); // locked by the SSR read
    expect(rtc.read(DR, 4)).toBe(0x0024_6228);
    expect(rtc.read(TR, 4)).toBe(0);
    at(t0 + 2.5);
    expect(rtc.read(TR, 4)).toBe(0x0000_0001);
    expect(rtc.read(DR, 4)).toBe(0x0024_8229); // locked at the first TR read, already the new day
  });

  it('keeps 12-hour format with PM', () => {
    const { rtc, init, at, scheduler, unlock } = setup();
    init(0x0011_5959, 0x2101); // 11:59:59 (24 h)
    unlock();
    rtc.write(CR, 4, 1 << 6); // FMT = 12 h: re-encoded as 11:59:59 AM
    at(scheduler.now / HZ + 1.01);
    const tr = rtc.read(TR, 4);
    expect(tr).toBe((1 << 22) | 0x0012_0000); // 12:00:00 PM
    expect(decodeCalendar(tr, 0x2101).hours).toBe(12);
  });

  it('adds seconds with the RTC leap-year and weekday rules', () => {
    const t = addSeconds({ year: 23, month: 12, day: 31, weekday: 7, hours: 23, minutes: 59, seconds: 59 }, 1);
    expect(t).toEqual({ year: 24, month: 1, day: 1, weekday: 1, hours: 0, minutes: 0, seconds: 0 });
  });
});

describe('STM32F411 RTC in the SoC', () => {
  const RTC = 0x4000_2800;
  const RCC_BDCR = 0x4002_3870, RCC_CSR = 0x4002_3874, RCC_APB1ENR = 0x4002_3840, PWR_CR = 0x4000_7000;

  function boot() {
    const m = new Machine({ board: 'NUCLEO_F411RE' });
    m.bus.write32(RCC_APB1ENR, 1 << 28); // PWREN
    m.bus.write32(PWR_CR, m.bus.read32(PWR_CR) | (1 << 8)); // DBP
    return m;
  }

  it('keeps the backup registers across a system reset; BDRST and power-on clear them', () => {
    const m = boot();
    m.bus.write32(RTC + BKP0R + 19 * 4, 0xdead_beef);
    m.reset('independent-watchdog');
    expect(m.bus.read32(RTC + BKP0R + 19 * 4) >>> 0).toBe(0xdead_beef);
    m.bus.write32(RCC_APB1ENR, 1 << 28);
    m.bus.write32(PWR_CR, m.bus.read32(PWR_CR) | (1 << 8));
    m.bus.write32(RCC_BDCR, 1 << 16); // BDRST
    expect(m.bus.read32(RTC + BKP0R + 19 * 4)).toBe(0);
    m.bus.write32(RCC_BDCR, 0);
    m.bus.write32(RTC + BKP0R, 7);
    m.reset('power-on');
    expect(m.bus.read32(RTC + BKP0R)).toBe(0);
  });

  it('runs from the LSI once LSIRDY and RTCEN are set (32 kHz: PREDIV_S 249 gives 1 Hz)', () => {
    const m = boot();
    m.bus.write32(RCC_CSR, 1); // LSION
    m.bus.write32(RCC_BDCR, (2 << 8) | (1 << 15)); // RTCSEL = LSI, RTCEN
    m.scheduler.runDue(0);
    const rtc = m.soc.devices.get('rtc') as Stm32Rtc;
    expect(rtc.read(ISR, 4) & RTC_ISR.RSF).toBe(0);
    m.cpu.cycles = 16_000; // 1 ms at 16 MHz: LSI ready after 15 µs, two RTCCLK periods later RSF
    m.scheduler.runDue();
    m.cpu.cycles += 16_000;
    expect(rtc.read(ISR, 4) & RTC_ISR.RSF).toBe(RTC_ISR.RSF);
    m.bus.write32(RTC + WPR, 0xca);
    m.bus.write32(RTC + WPR, 0x53);
    m.bus.write32(RTC + ISR, 1 << 7);
    m.cpu.cycles += 16_000;
    expect(m.bus.read32(RTC + ISR) & RTC_ISR.INITF).toBe(RTC_ISR.INITF);
    m.bus.write32(RTC + PRER, (127 << 16) | 249);
    m.bus.write32(RTC + TR, 0x0000_0000);
    m.bus.write32(RTC + ISR, 0);
    m.cpu.cycles += 16_000_000 * 3 + 16_000;
    expect(m.bus.read32(RTC + TR)).toBe(0x0000_0003);
  });
});
