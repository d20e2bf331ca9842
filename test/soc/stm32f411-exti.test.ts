/** STM32F411 EXTI and SYSCFG (RM0383 §7, §10.2): edge selection, mask, PR rc_w1, SWIER, EXTICR port mapping. */
import { describe, expect, it } from 'vitest';
import { Button, createPins, type Pin } from '../../src/core/pins.js';
import { Exti } from '../../src/soc/stm32f411/exti.js';
import { GpioPort } from '../../src/soc/stm32f411/gpio.js';
import { Syscfg } from '../../src/soc/stm32f411/syscfg.js';
import { makeCtx } from './stm32f411-devices-helpers.js';

const IMR = 0x00;
const EMR = 0x04;
const RTSR = 0x08;
const FTSR = 0x0c;
const SWIER = 0x10;
const PR = 0x14;

function setup() {
  const t = makeCtx();
  const exti = new Exti(t.ctx);
  const pins: Pin[][] = [];
  const ports = ['A', 'B', 'C'].map((l, code) => {
    pins[code] = createPins(`P${l}`, 16, () => t.scheduler.now);
    return new GpioPort(l, pins[code]!);
  });
  const syscfg = new Syscfg(exti, pins, 0);
  return { ...t, exti, syscfg, ports, pins };
}

describe('STM32F411 EXTI', () => {
  it('reset values are zero; only lines 0-18, 21, 22 are writable', () => {
    const { exti } = setup();
    for (const off of [IMR, EMR, RTSR, FTSR, SWIER, PR]) expect(exti.read(off, 4)).toBe(0);
    exti.write(IMR, 4, 0xffffffff);
    expect(exti.read(IMR, 4)).toBe(0x0067ffff);
  });

  it('a falling edge on the mapped pin sets PR and raises EXTI15_10 (IRQ 40); PR clears by writing 1', () => {
    const { exti, syscfg, pins, irqs } = setup();
    const pc13 = pins[2]![13]!;
    pc13.pull('board', 'up');
    syscfg.write(0x14, 4, 2 << 4); // EXTICR4: line 13 → port C
    exti.write(FTSR, 4, 1 << 13);
    exti.write(IMR, 4, 1 << 13);
    const b1 = new Button(pc13, 'B1');
    b1.press();
    expect(exti.read(PR, 4)).toBe(1 << 13);
    expect(irqs.high(40)).toBe(true);
    b1.release(); // rising edge not selected
    exti.write(PR, 4, 0); // writing 0 does nothing
    expect(exti.read(PR, 4)).toBe(1 << 13);
    exti.write(PR, 4, 1 << 13);
    expect(exti.read(PR, 4)).toBe(0);
    expect(irqs.high(40)).toBe(false);
  });

  it('rising, falling and both-edge selection; IRQ numbers per line group', () => {
    const { exti, syscfg, pins, irqs } = setup();
    syscfg.write(0x08, 4, 0x0001); // line 0 → port B, lines 1–3 port A
    exti.write(IMR, 4, 0xffff);
    exti.write(RTSR, 4, 1 << 0);
    exti.write(FTSR, 4, (1 << 5) | (1 << 0));
    exti.write(RTSR, 4, (1 << 0) | (1 << 4));
    const pb0 = pins[1]![0]!;
    pb0.drive('t', true);
    expect(exti.read(PR, 4)).toBe(1);
    expect(irqs.high(6)).toBe(true); // EXTI0
    exti.write(PR, 4, 1);
    pb0.drive('t', false); // falling also selected
    expect(exti.read(PR, 4)).toBe(1);
    exti.write(PR, 4, 1);
    pins[0]![0]!.drive('t', true); // PA0 is not mapped to line 0
    expect(exti.read(PR, 4)).toBe(0);
    pins[0]![4]!.drive('t', true); // PA4 rising → EXTI4 (IRQ 10)
    expect(irqs.high(10)).toBe(true);
    pins[0]![5]!.drive('t', true); // PA5 rising not selected
    expect(irqs.high(23)).toBe(false);
    pins[0]![5]!.drive('t', false); // falling → EXTI9_5 (IRQ 23)
    expect(irqs.high(23)).toBe(true);
  });

  it('a masked line does not become pending; events go out through EMR', () => {
    const { exti, pins, irqs } = setup();
    const events: number[] = [];
    exti.onEvent = (l) => events.push(l);
    exti.write(RTSR, 4, 1 << 3);
    exti.write(EMR, 4, 1 << 3);
    pins[0]![3]!.drive('t', true);
    expect(exti.read(PR, 4)).toBe(0);
    expect(irqs.high(9)).toBe(false);
    expect(events).toEqual([3]);
  });

  it('SWIER sets PR when the line is unmasked; clearing PR clears SWIER', () => {
    const { exti, irqs } = setup();
    exti.write(IMR, 4, 1 << 22);
    exti.write(SWIER, 4, 1 << 22);
    expect(exti.read(PR, 4)).toBe(1 << 22);
    expect(exti.read(SWIER, 4)).toBe(1 << 22);
    expect(irqs.high(3)).toBe(true); // RTC_WKUP
    exti.write(SWIER, 4, 1 << 22); // already 1: no new request
    exti.write(PR, 4, 1 << 22);
    expect(exti.read(SWIER, 4)).toBe(0);
    expect(exti.read(PR, 4)).toBe(0);
    exti.write(SWIER, 4, 1 << 1); // masked line: no pending
    expect(exti.read(PR, 4)).toBe(0);
  });

  it('lines 16-22 are driven by other models: PVD (IRQ 1), RTC alarm (41)', () => {
    const { exti, irqs } = setup();
    exti.write(IMR, 4, (1 << 16) | (1 << 17));
    exti.write(RTSR, 4, (1 << 16) | (1 << 17));
    exti.setLine(17, true);
    expect(irqs.high(41)).toBe(true);
    expect(irqs.high(1)).toBe(false);
    exti.setLine(16, true);
    expect(irqs.high(1)).toBe(true);
  });

  it('switching EXTICR to another port records its level without a spurious edge', () => {
    const { exti, syscfg, pins } = setup();
    exti.write(IMR, 4, 1 << 2);
    exti.write(RTSR, 4, 1 << 2);
    exti.write(FTSR, 4, 1 << 2);
    pins[2]![2]!.drive('t', true); // PC2 high while line 2 listens to PA2
    expect(exti.read(PR, 4)).toBe(0);
    syscfg.write(0x08, 4, 2 << 8); // line 2 → port C
    expect(exti.read(PR, 4)).toBe(0);
    pins[2]![2]!.drive('t', false);
    expect(exti.read(PR, 4)).toBe(1 << 2);
  });
});

describe('STM32F411 SYSCFG', () => {
  it('MEMRMP resets to the boot mode and reports remaps; EXTICR is 16 bits; CMPCR READY follows CMP_PD', () => {
    const t = makeCtx();
    const exti = new Exti(t.ctx);
    const s = new Syscfg(exti, [], 1);
    const remaps: number[] = [];
    s.onRemap = (m) => remaps.push(m);
    expect(s.read(0x00, 4)).toBe(1);
    s.write(0x00, 4, 3);
    expect(s.read(0x00, 4)).toBe(3);
    s.write(0x00, 4, 0xff);
    expect(remaps).toEqual([3]);
    s.write(0x0c, 4, 0xffffffff);
    expect(s.read(0x0c, 4)).toBe(0xffff);
    expect(s.portOf(4)).toBe(0xf);
    s.write(0x04, 4, 0xffffffff);
    expect(s.read(0x04, 4)).toBe(1 << 16);
    expect(s.read(0x20, 4)).toBe(0);
    s.write(0x20, 4, 0xffffffff);
    expect(s.read(0x20, 4)).toBe(0x101);
    s.reset();
    expect(s.read(0x00, 4)).toBe(1);
    expect(remaps).toEqual([3, 1]);
  });
});
