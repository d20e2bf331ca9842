/**
 * STM32F411 timers against RM0383 §12–14: reset values, CNT as a function of virtual time, PSC/ARR
 * preload, update period (PSC+1)(ARR+1)/TIMCLK, UG/URS/UDIS, one-pulse mode, compare flags and
 * interrupts, down and center-aligned counting, PWM output edges. TIMCLK = HCLK = 96 MHz here, so one
 * timer-clock tick is one CPU cycle.
 */
import { describe, expect, it } from 'vitest';
import { createPins, type DriveLevel } from '../../src/core/pins.js';
import { GpioPort } from '../../src/soc/stm32f411/gpio.js';
import { STM32F411_TIMERS, TIM_CR1, TIM_SR, Timer, connectTimerPins } from '../../src/soc/stm32f411/tim.js';
import { makeCtx } from './stm32f411-devices-helpers.js';

const CR1 = 0x00;
const DIER = 0x0c;
const SR = 0x10;
const EGR = 0x14;
const CCMR1 = 0x18;
const CCER = 0x20;
const CNT = 0x24;
const PSC = 0x28;
const ARR = 0x2c;
const CCR1 = 0x34;
const CCR2 = 0x38;

function timer(name: string, clocks = {}) {
  const t = makeCtx(clocks);
  const cfg = STM32F411_TIMERS.find((x) => x.name === name)!;
  const tim = new Timer(t.ctx, cfg);
  tim.reset();
  const at = (time: number) => {
    t.runTo(time);
    return tim.read(CNT, 4);
  };
  return { ...t, tim, at };
}

describe('STM32F411 timers', () => {
  it('reset values: ARR all ones (32-bit on TIM2/5), counters stopped at 0; IRQ numbers per RM0383', () => {
    const t2 = timer('tim2').tim;
    const t3 = timer('tim3').tim;
    expect(t2.read(ARR, 4)).toBe(0xffffffff);
    expect(t3.read(ARR, 4)).toBe(0xffff);
    for (const off of [CR1, DIER, SR, CNT, PSC, CCR1]) expect(t3.read(off, 4)).toBe(0);
    const irq = Object.fromEntries(STM32F411_TIMERS.map((x) => [x.name, x.irqs.update]));
    expect(irq).toEqual({ tim1: 25, tim2: 28, tim3: 29, tim4: 30, tim5: 50, tim9: 24, tim10: 25, tim11: 26 });
    expect(STM32F411_TIMERS[0]!.irqs).toEqual({ update: 25, cc: 27, trigger: 26, break: 24 });
  });

  it('CNT is computed from virtual time; PSC applies after UG', () => {
    const { tim, at, runTo } = timer('tim3');
    tim.write(PSC, 4, 95); // 1 MHz counter clock
    tim.write(ARR, 4, 999);
    tim.write(EGR, 4, 1); // UG loads PSC and sets UIF (URS=0)
    expect(tim.read(SR, 4)).toBe(TIM_SR.UIF);
    tim.write(SR, 4, 0);
    runTo(1000);
    tim.write(CR1, 4, TIM_CR1.CEN);
    expect(at(1000 + 96 * 500 - 1)).toBe(499);
    expect(at(1000 + 96 * 500)).toBe(500);
    expect(tim.read(SR, 4)).toBe(0);
    expect(at(1000 + 96 * 1003)).toBe(3); // wrapped after 999
    // Flags set lazily, without an interrupt. CCR1–4 = 0 match at CNT = 0 too (frozen output compare
    // still flags matches), as on the silicon.
    expect(tim.read(SR, 4)).toBe(0x1f);
    tim.write(CR1, 4, 0); // stop: CNT freezes
    expect(at(1000 + 96 * 2000)).toBe(3);
  });

  it('PSC is preloaded: without UG the first period runs at the old prescaler', () => {
    const { tim, at } = timer('tim4');
    tim.write(PSC, 4, 95);
    tim.write(ARR, 4, 9);
    tim.write(CR1, 4, TIM_CR1.CEN);
    expect(at(9)).toBe(9); // still PSC=0
    expect(at(10)).toBe(0); // UEV: PSC=95 from now on
    expect(at(10 + 96 * 5 - 1)).toBe(4);
    expect(at(10 + 96 * 5)).toBe(5);
    expect(tim.read(PSC, 4)).toBe(95);
  });

  it('update interrupt every (PSC+1)(ARR+1)/TIMCLK: 1 ms on TIM2 with PSC 9599, ARR 9', () => {
    const { tim, irqs, runTo, scheduler } = timer('tim2');
    tim.write(PSC, 4, 9599);
    tim.write(ARR, 4, 9);
    tim.write(EGR, 4, 1);
    tim.write(SR, 4, 0);
    tim.write(DIER, 4, 1);
    tim.write(CR1, 4, TIM_CR1.CEN);
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      runTo(scheduler.nextTime);
      expect(irqs.high(28)).toBe(true);
      seen.push(scheduler.now);
      tim.write(SR, 4, ~TIM_SR.UIF); // the handler clears UIF
      expect(irqs.high(28)).toBe(false);
    }
    expect(seen).toEqual([96000, 192000, 288000]);
  });

  it('no scheduler events for a free-running timer without interrupts or outputs', () => {
    const { tim, scheduler } = timer('tim3');
    tim.write(ARR, 4, 99);
    tim.write(CR1, 4, TIM_CR1.CEN);
    expect(scheduler.pending).toBe(0);
    tim.write(DIER, 4, 1);
    expect(scheduler.pending).toBe(1);
  });

  it('one-pulse mode: CEN clears at the update event and the counter stays at 0', () => {
    const { tim, at } = timer('tim3');
    tim.write(ARR, 4, 99);
    tim.write(CR1, 4, TIM_CR1.OPM | TIM_CR1.CEN);
    expect(at(50)).toBe(50);
    expect(at(100)).toBe(0);
    expect(tim.read(CR1, 4) & TIM_CR1.CEN).toBe(0);
    expect(tim.read(SR, 4) & TIM_SR.UIF).toBe(TIM_SR.UIF);
    expect(at(1000)).toBe(0);
  });

  it('compare match sets CCxIF when CNT reaches CCRx and interrupts with CCxIE; CCR > ARR never matches', () => {
    const { tim, irqs, runTo } = timer('tim3');
    tim.write(ARR, 4, 999);
    tim.write(CCR1, 4, 250);
    tim.write(CCR2, 4, 1500);
    tim.write(DIER, 4, 1 << 1); // CC1IE
    tim.write(CR1, 4, TIM_CR1.CEN);
    runTo(249);
    expect(tim.read(SR, 4)).toBe(0);
    runTo(250);
    expect(irqs.rises).toEqual([[29, 250]]);
    expect(tim.read(SR, 4)).toBe(TIM_SR.CC1IF);
    tim.write(SR, 4, 0);
    runTo(5000);
    expect(tim.read(SR, 4) & (TIM_SR.CC1IF | TIM_SR.CC2IF)).toBe(TIM_SR.CC1IF);
    expect(irqs.rises.map((r) => r[1])).toEqual([250, 1250]);
  });

  it('URS=1 keeps UG from setting UIF; UDIS=1 suppresses the overflow flag', () => {
    const { tim, at } = timer('tim3');
    tim.write(CR1, 4, TIM_CR1.URS);
    tim.write(EGR, 4, 1);
    expect(tim.read(SR, 4)).toBe(0);
    tim.write(ARR, 4, 9);
    tim.write(CR1, 4, TIM_CR1.UDIS | TIM_CR1.CEN);
    expect(at(25)).toBe(5);
    expect(tim.read(SR, 4) & TIM_SR.UIF).toBe(0);
  });

  it('ARR: immediate without ARPE, at the next update with ARPE', () => {
    const { tim, at } = timer('tim3');
    tim.write(ARR, 4, 99);
    tim.write(CR1, 4, TIM_CR1.CEN);
    expect(at(40)).toBe(40);
    tim.write(ARR, 4, 49);
    expect(at(50)).toBe(0); // wrapped at the new ARR
    tim.write(CR1, 4, TIM_CR1.CEN | TIM_CR1.ARPE);
    tim.write(ARR, 4, 9);
    expect(at(99)).toBe(49); // old ARR still active
    expect(at(100)).toBe(0);
    expect(at(110)).toBe(0); // new period 10
    expect(at(115)).toBe(5);
  });

  it('down-counting: starts at ARR after UG and underflows to ARR', () => {
    const { tim, at } = timer('tim3');
    tim.write(ARR, 4, 9);
    tim.write(CR1, 4, TIM_CR1.DIR);
    tim.write(EGR, 4, 1);
    tim.write(SR, 4, 0);
    tim.write(CR1, 4, TIM_CR1.DIR | TIM_CR1.CEN);
    expect(at(0)).toBe(9);
    expect(at(9)).toBe(0);
    expect(tim.read(SR, 4)).toBe(0x1e); // CCR1–4 = 0 matched at CNT 0; no update yet
    expect(at(10)).toBe(9);
    expect(tim.read(SR, 4) & TIM_SR.UIF).toBe(TIM_SR.UIF);
  });

  it('center-aligned: 0..ARR..1 with updates at both ends; DIR reads the direction', () => {
    const { tim, at } = timer('tim3');
    tim.write(ARR, 4, 4);
    tim.write(CR1, 4, (1 << 5) | TIM_CR1.CEN);
    const seq = [];
    for (let t = 0; t <= 9; t++) seq.push(at(t));
    expect(seq).toEqual([0, 1, 2, 3, 4, 3, 2, 1, 0, 1]);
    at(6);
    expect(tim.read(CR1, 4) & TIM_CR1.DIR).toBe(TIM_CR1.DIR);
  });

  it('32-bit TIM2 counts past 0xFFFF; 16-bit TIM3 masks CNT and ARR', () => {
    const a = timer('tim2');
    a.tim.write(CR1, 4, TIM_CR1.CEN);
    expect(a.at(0x12345)).toBe(0x12345);
    const b = timer('tim3');
    b.tim.write(ARR, 4, 0x12345);
    expect(b.tim.read(ARR, 4)).toBe(0x2345);
  });

  it('PWM mode 1 on CH1: high while CNT < CCR1, edges delivered at their virtual times; CC1P inverts', () => {
    const { tim, runTo, scheduler } = timer('tim2');
    const edges: [DriveLevel, number][] = [];
    tim.attachOutput(0, (l) => edges.push([l, scheduler.now]));
    expect(edges).toEqual([[null, 0]]); // output disabled
    tim.write(ARR, 4, 99);
    tim.write(CCR1, 4, 25);
    tim.write(CCMR1, 4, 6 << 4); // OC1M = PWM mode 1
    tim.write(CCER, 4, 1); // CC1E
    tim.write(CR1, 4, TIM_CR1.CEN);
    runTo(260);
    expect(edges).toEqual([
      [null, 0],
      [true, 0],
      [false, 25],
      [true, 100],
      [false, 125],
      [true, 200],
      [false, 225],
    ]);
    tim.write(CCER, 4, 3); // CC1P: active low
    expect(edges.at(-1)).toEqual([true, 260]);
    expect(tim.outputLevel(0)).toBe(true);
  });

  it('TIM1 outputs need BDTR.MOE', () => {
    const { tim } = timer('tim1');
    tim.write(CCMR1, 4, 5 << 4); // force active
    tim.write(CCER, 4, 1);
    expect(tim.outputLevel(0)).toBe(null);
    tim.write(0x44, 4, 0x8000);
    expect(tim.outputLevel(0)).toBe(true);
  });

  it('toggle-on-match mode flips OC1REF once per match', () => {
    const { tim, runTo } = timer('tim3');
    tim.write(ARR, 4, 9);
    tim.write(CCR1, 4, 3);
    tim.write(CCMR1, 4, 3 << 4);
    tim.write(CCER, 4, 1);
    tim.write(CR1, 4, TIM_CR1.CEN);
    runTo(3);
    expect(tim.outputLevel(0)).toBe(false);
    tim.read(SR, 4);
    expect(tim.outputLevel(0)).toBe(true);
    runTo(33); // matches at 13, 23, 33
    tim.read(SR, 4);
    expect(tim.outputLevel(0)).toBe(false);
  });

  it('the period follows the timer clock read from RCC', () => {
    const { tim, at, clocks } = timer('tim3', { timclk1: 48e6 });
    tim.write(ARR, 4, 999);
    tim.write(CR1, 4, TIM_CR1.CEN);
    expect(at(200)).toBe(100); // 2 CPU cycles per tick
    (clocks as { timclk1: number }).timclk1 = 96e6;
    expect(at(300)).toBe(200); // re-based at the previous access, 1 cycle per tick now
  });
});

describe('timer channel pins', () => {
  it('TIM2_CH1 PWM reaches PA5 (AF1) as LED edges; with AF2 selected the pin ignores TIM2', () => {
    const { tim, runTo, scheduler } = timer('tim2');
    const pins = createPins('PA', 16, () => scheduler.now);
    const gpioa = new GpioPort('A', pins);
    connectTimerPins(tim, { A: gpioa });
    const led: string[] = [];
    pins[5]!.onChange((l, t) => led.push(`${+l}@${t}`));
    gpioa.write(0x00, 4, 0xa8000000 | (2 << 10)); // PA5 AF
    gpioa.write(0x20, 4, 1 << 20); // AF1
    tim.write(ARR, 4, 999);
    tim.write(CCR1, 4, 100);
    tim.write(CCMR1, 4, 6 << 4);
    tim.write(CCER, 4, 1);
    tim.write(CR1, 4, TIM_CR1.CEN);
    runTo(2050);
    expect(led).toEqual(['1@0', '0@100', '1@1000', '0@1100', '1@2000']);
    gpioa.write(0x20, 4, 2 << 20); // AF2 (TIM5_CH1 is on PA0, nothing on PA5): pin released
    expect(pins[5]!.driven).toBe(false);
  });
});

describe('CNT written above ARR', () => {
  it('counting up runs on to the end of the 16-bit range, wraps to 0 with an update, then uses ARR', () => {
    const { tim, at } = timer('tim3');
    tim.write(ARR, 4, 99);
    tim.write(CNT, 4, 0xfff0);
    tim.write(CR1, 4, TIM_CR1.CEN);
    expect(at(15)).toBe(0xffff);
    expect(tim.read(SR, 4) & TIM_SR.UIF).toBe(0);
    expect(at(16)).toBe(0);
    expect(tim.read(SR, 4) & TIM_SR.UIF).toBe(TIM_SR.UIF);
    expect(at(16 + 100)).toBe(0);
    expect(at(16 + 150)).toBe(50);
  });

  it('counting down comes down through ARR and underflows after reaching 0', () => {
    const { tim, at } = timer('tim3');
    tim.write(ARR, 4, 9);
    tim.write(CR1, 4, TIM_CR1.DIR);
    tim.write(CNT, 4, 20);
    tim.write(DIER, 4, 1);
    tim.write(CR1, 4, TIM_CR1.DIR | TIM_CR1.CEN);
    expect(at(11)).toBe(9);
    expect(tim.read(SR, 4) & TIM_SR.UIF).toBe(0);
    expect(at(20)).toBe(0);
    expect(at(21)).toBe(9);
    expect(tim.read(SR, 4) & TIM_SR.UIF).toBe(TIM_SR.UIF);
  });
});

describe('TIM1 repetition counter', () => {
  it('RCR = 2: an update (UIF, IRQ 25) every third overflow', () => {
    const { tim, irqs, runTo, at } = timer('tim1');
    tim.write(ARR, 4, 9);
    tim.write(0x30, 4, 2); // RCR
    tim.write(EGR, 4, 1); // loads RCR
    tim.write(SR, 4, 0);
    tim.write(DIER, 4, 1);
    tim.write(CR1, 4, TIM_CR1.CEN);
    expect(at(25)).toBe(5);
    expect(tim.read(SR, 4) & TIM_SR.UIF).toBe(0);
    runTo(30);
    expect(irqs.rises).toEqual([[25, 30]]);
    tim.write(SR, 4, 0);
    runTo(65);
    expect(irqs.rises).toEqual([
      [25, 30],
      [25, 60],
    ]);
  });
});
