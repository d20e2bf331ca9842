/** STM32F411 IWDG (RM0383 §15) and WWDG (§16): keys, prescalers, timeouts in virtual time, window, EWI, machine resets. */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { Machine } from '../../src/core/machine.js';
import { applyBoardOverrides } from '../../src/core/board-overrides.js';
import { IWDG_SR, Stm32Iwdg } from '../../src/soc/stm32f411/iwdg.js';
import { Stm32Wwdg } from '../../src/soc/stm32f411/wwdg.js';
import { makeCtx } from './stm32f411-devices-helpers.js';

const HZ = 16_000_000;
const KR = 0x00, PR = 0x04, RLR = 0x08, SR = 0x0c;

function iwdgSetup() {
  const { scheduler, runTo } = makeCtx();
  const expiries: number[] = [];
  const iwdg = new Stm32Iwdg({
    scheduler,
    log: silentLogger(),
    seconds: () => scheduler.now / HZ,
    cyclesFor: (s) => Math.max(1, Math.round(s * HZ)),
    expire: () => expiries.push(scheduler.now / HZ),
  });
  return { iwdg, expiries, at: (s: number) => runTo(Math.round(s * HZ)) };
}

describe('STM32F411 IWDG', () => {
  it('has RLR 0xFFF and PR 0 after reset, and does not run before 0xCCCC', () => {
    const { iwdg, expiries, at } = iwdgSetup();
    expect(iwdg.read(RLR, 4)).toBe(0xfff);
    expect(iwdg.read(PR, 4)).toBe(0);
    at(10);
    expect(expiries).toEqual([]);
  });

  it('protects PR/RLR until 0x5555 and shows PVU/RVU for five LSI periods', () => {
    const { iwdg, at } = iwdgSetup();
    iwdg.write(PR, 4, 3);
    expect(iwdg.read(PR, 4)).toBe(0);
    iwdg.write(KR, 4, 0x5555);
    iwdg.write(PR, 4, 3);
    iwdg.write(RLR, 4, 100);
    expect(iwdg.read(PR, 4)).toBe(3);
    expect(iwdg.read(RLR, 4)).toBe(100);
    expect(iwdg.read(SR, 4)).toBe(IWDG_SR.PVU | IWDG_SR.RVU);
    at(4.9 / 32_000);
    expect(iwdg.read(SR, 4)).toBe(IWDG_SR.PVU | IWDG_SR.RVU);
    at(5.1 / 32_000);
    expect(iwdg.read(SR, 4)).toBe(0);
    iwdg.write(KR, 4, 0x1234); // any other key locks
    iwdg.write(RLR, 4, 7);
    expect(iwdg.read(RLR, 4)).toBe(100);
  });

  it('expires (RLR+1) x 4 x 2^PR LSI periods after the last reload', () => {
    const { iwdg, expiries, at } = iwdgSetup();
    iwdg.write(KR, 4, 0x5555);
    iwdg.write(PR, 4, 1); // /8
    iwdg.write(RLR, 4, 399); // 400 x 8 / 32000 = 100 ms
    iwdg.write(KR, 4, 0xcccc);
    expect(iwdg.timeoutSeconds()).toBeCloseTo(0.1, 9);
    at(0.09);
    iwdg.write(KR, 4, 0xaaaa); // refresh: next expiry at 0.19
    at(0.189);
    expect(expiries).toEqual([]);
    at(0.191);
    expect(expiries).toHaveLength(1);
    expect(expiries[0]).toBeCloseTo(0.19, 6);
    iwdg.reset(); // a system reset stops it
    at(1);
    expect(expiries).toHaveLength(1);
  });
});

function wwdgSetup(pclk1 = 16_000_000) {
  const { scheduler, runTo } = makeCtx();
  const resets: [string, number][] = [];
  let irq = false;
  const w = new Stm32Wwdg({
    scheduler,
    log: silentLogger(),
    irq: { set: (l) => (irq = l) },
    seconds: () => scheduler.now / HZ,
    cyclesFor: (s) => Math.max(1, Math.round(s * HZ)),
    pclk1: () => pclk1,
    expire: (why) => resets.push([why, scheduler.now / HZ]),
  });
  return { w, resets, irq: () => irq, at: (s: number) => runTo(Math.round(s * HZ)) };
}

describe('STM32F411 WWDG', () => {
  const CR = 0x00, CFR = 0x04, WSR = 0x08;
  const tick = (4096 * 8) / 16_000_000; // WDGTB = 3 at PCLK1 16 MHz: 2.048 ms

  it('resets to CR 0x7F, CFR 0x7F and counts down free-running', () => {
    const { w, at } = wwdgSetup();
    expect(w.read(CR, 4)).toBe(0x7f);
    expect(w.read(CFR, 4)).toBe(0x7f);
    at(4096 * 10.5 / 16_000_000);
    expect(w.read(CR, 4)).toBe(0x7f - 10);
  });

  it('times out when T6 clears, with the early-wakeup interrupt at 0x40', () => {
    const { w, resets, irq, at } = wwdgSetup();
    w.write(CFR, 4, (1 << 9) | (3 << 7) | 0x7f); // EWI, WDGTB = 3, W = 0x7F
    w.write(CR, 4, 0x80 | 0x7f);
    at(tick * 62.9);
    expect(irq()).toBe(false);
    at(tick * 63.1);
    expect(w.read(CR, 4)).toBe(0x80 | 0x40);
    expect(irq()).toBe(true);
    expect(w.read(WSR, 4)).toBe(1);
    w.write(WSR, 4, 0);
    expect(irq()).toBe(false);
    at(tick * 63.9);
    expect(resets).toEqual([]);
    at(tick * 64.1);
    expect(resets).toHaveLength(1);
    expect(resets[0]![1]).toBeCloseTo(tick * 64, 6);
  });

  it('resets on a refresh while the counter is above the window, and on T6 = 0', () => {
    const { w, resets, at } = wwdgSetup();
    w.write(CFR, 4, (3 << 7) | 0x50);
    w.write(CR, 4, 0x80 | 0x7f);
    at(tick * 40.5); // counter 0x57 > W
    w.write(CR, 4, 0x7f);
    expect(resets.map((r) => r[0])).toEqual(['refresh outside the window (counter 0x57 > W 0x50)']);
    const b = wwdgSetup();
    b.w.write(CFR, 4, (3 << 7) | 0x50);
    b.w.write(CR, 4, 0x80 | 0x7f);
    b.at(tick * 48.5); // counter 0x4F < W: a good refresh
    b.w.write(CR, 4, 0x7f);
    expect(b.resets).toEqual([]);
    expect(b.w.read(CR, 4)).toBe(0xff); // WDGA stays set
    b.at(tick * 97); // in the window again
    b.w.write(CR, 4, 0x3f);
    expect(b.resets.map((r) => r[0])).toEqual(['T6 written 0']);
  });
});

describe('watchdog resets in the machine', () => {
  it('an IWDG expiry resets the core with RCC_CSR.IWDGRSTF; watchdog: false only logs', () => {
    for (const watchdog of [true, false]) {
      const base = new Machine({ board: 'NUCLEO_F411RE' }).board;
      const m = new Machine({ board: { ...base, options: { ...base.options, watchdog } } });
      // An endless loop at 0x08000100 (b .).
      m.bus.load(0x0800_0000, new Uint8Array([0, 0, 2, 0x20, 0x01, 0x01, 0, 0x08]));
      m.bus.load(0x0800_0100, new Uint8Array([0xfe, 0xe7]));
      m.reset();
      m.bus.write32(0x4002_3874, 1 << 24); // RMVF
      m.bus.write32(0x4000_3000, 0x5555);
      m.bus.write32(0x4000_3008, 31); // 32 x 4 / 32 kHz = 4 ms
      m.bus.write32(0x4000_3000, 0xcccc);
      m.run({ timeoutSeconds: 0.005 });
      const csr = m.bus.read32(0x4002_3874) >>> 0;
      expect((csr >>> 29) & 1, `watchdog ${watchdog}`).toBe(watchdog ? 1 : 0);
      expect((m.soc.devices.get('iwdg') as Stm32Iwdg).started).toBe(!watchdog);
    }
  });
});

describe('--no-watchdog', () => {
  it('becomes the board option watchdog: false (F411 boards only)', () => {
    expect(applyBoardOverrides('NUCLEO_F411RE', { watchdog: false }).options?.watchdog).toBe(false);
    expect(applyBoardOverrides('NUCLEO_F411RE', {}).options?.watchdog).toBeUndefined();
    expect(() => applyBoardOverrides('mps2-an386', { watchdog: false })).toThrow(/--no-watchdog: board mps2-an386/);
  });
});
