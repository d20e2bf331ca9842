/** STM32F411 GPIO port against RM0383 §8: reset values, BSRR priority, LCKR sequence, IDR from the pin net. */
import { describe, expect, it } from 'vitest';
import { Button, createPins } from '../../src/core/pins.js';
import { GpioPort } from '../../src/soc/stm32f411/gpio.js';

const MODER = 0x00;
const OTYPER = 0x04;
const OSPEEDR = 0x08;
const PUPDR = 0x0c;
const IDR = 0x10;
const ODR = 0x14;
const BSRR = 0x18;
const LCKR = 0x1c;
const AFRL = 0x20;
const AFRH = 0x24;

function port(letter = 'A') {
  let now = 0;
  const pins = createPins(`P${letter}`, 16, () => now);
  const g = new GpioPort(letter, pins);
  return { g, pins, setNow: (t: number) => (now = t) };
}

describe('STM32F411 GPIO', () => {
  it('reset values: port A and B hold the debug pins, others are zero', () => {
    const a = port('A').g;
    expect(a.read(MODER, 4)).toBe(0xa8000000);
    expect(a.read(OSPEEDR, 4)).toBe(0x0c000000);
    expect(a.read(PUPDR, 4)).toBe(0x64000000);
    const b = port('B').g;
    expect(b.read(MODER, 4)).toBe(0x00000280);
    expect(b.read(OSPEEDR, 4)).toBe(0x000000c0);
    expect(b.read(PUPDR, 4)).toBe(0x00000100);
    const c = port('C').g;
    for (const off of [MODER, OTYPER, OSPEEDR, PUPDR, ODR, LCKR, AFRL, AFRH]) expect(c.read(off, 4)).toBe(0);
    // Port A's pulls show in IDR: PA15 and PA13 pulled up, PA14 down.
    expect(a.read(IDR, 4)).toBe(0xa000);
  });

  it('output mode drives ODR onto the pin; BSRR set wins over reset; BSRR reads 0', () => {
    const { g, pins } = port('C');
    g.write(MODER, 4, 1 << 26); // PC13 output
    g.write(BSRR, 4, 1 << 13);
    expect(pins[13]!.level).toBe(true);
    expect(g.read(ODR, 4)).toBe(0x2000);
    g.write(BSRR, 4, (1 << (13 + 16)) | (1 << 13)); // both: set has priority
    expect(g.read(ODR, 4)).toBe(0x2000);
    g.write(BSRR, 4, 1 << (13 + 16));
    expect(g.read(ODR, 4)).toBe(0);
    expect(pins[13]!.level).toBe(false);
    expect(g.read(BSRR, 4)).toBe(0);
    // A halfword write to the upper half of BSRR resets.
    g.write(ODR, 4, 0xffff);
    g.write(BSRR + 2, 2, 0x0001);
    expect(g.read(ODR, 4)).toBe(0xfffe);
    expect(g.read(ODR, 4) & ~0xffff).toBe(0);
  });

  it('IDR follows pulls, external drivers and the output; analog pins read 0', () => {
    const { g, pins } = port('C');
    expect(g.read(IDR, 4)).toBe(0);
    g.write(PUPDR, 4, 1 << 26); // PC13 pull-up
    expect(g.read(IDR, 4)).toBe(0x2000);
    const b1 = new Button(pins[13]!, 'B1');
    b1.press();
    expect(g.read(IDR, 4)).toBe(0);
    b1.release();
    expect(g.read(IDR, 4)).toBe(0x2000);
    g.write(PUPDR, 4, 2 << 26); // pull-down
    expect(g.read(IDR, 4)).toBe(0);
    g.write(MODER, 4, 3 << 26); // analog: pull off, input reads 0
    pins[13]!.drive('ext', true);
    expect(g.read(IDR, 4)).toBe(0);
    g.write(MODER, 4, 0);
    expect(g.read(IDR, 4)).toBe(0x2000);
  });

  it('open-drain output releases the pin for 1 and pulls it low for 0', () => {
    const { g, pins } = port('B');
    g.write(MODER, 4, 1 << 16); // PB8 output
    g.write(OTYPER, 4, 1 << 8);
    g.write(PUPDR, 4, 1 << 16); // pull-up
    g.write(ODR, 4, 1 << 8);
    expect(pins[8]!.driven).toBe(false);
    expect(pins[8]!.level).toBe(true);
    g.write(ODR, 4, 0);
    expect(pins[8]!.level).toBe(false);
    // Another open-drain device on the bus pulls low: IDR shows it although ODR is 1.
    g.write(ODR, 4, 1 << 8);
    pins[8]!.drive('i2c-slave', false);
    expect(g.read(IDR, 4) & 0x100).toBe(0);
  });

  it('alternate-function mode drives what the peripheral outputs; AFRL/AFRH select the function', () => {
    const { g, pins } = port('A');
    g.write(MODER, 4, 0xa8000000 | (2 << 10)); // PA5 AF
    g.write(AFRL, 4, 1 << 20); // AF1 (TIM2_CH1)
    g.write(AFRH, 4, 0x7 << 4); // PA9 AF7
    expect(g.alternateFunction(5)).toBe(1);
    expect(g.alternateFunction(9)).toBe(7);
    g.setAlternateOutput(5, true);
    expect(pins[5]!.level).toBe(true);
    g.setAlternateOutput(5, false);
    expect(pins[5]!.level).toBe(false);
    g.setAlternateOutput(6, true); // PA6 not in AF mode: no effect
    expect(pins[6]!.driven).toBe(false);
  });

  it('pin changes carry the virtual time of the register write', () => {
    const { g, pins, setNow } = port('A');
    const log: string[] = [];
    pins[5]!.onChange((l, t) => log.push(`${+l}@${t}`));
    g.write(MODER, 4, 0xa8000000 | (1 << 10));
    setNow(1000);
    g.write(BSRR, 4, 1 << 5);
    setNow(2500);
    g.write(BSRR, 4, 1 << 21);
    expect(log).toEqual(['1@1000', '0@2500']);
  });

  it('LCKR: the key sequence locks the selected pins configuration until reset', () => {
    const { g } = port('C');
    const key = 1 << 16;
    g.write(LCKR, 4, key | 0x2000);
    g.write(LCKR, 4, 0x2000);
    g.write(LCKR, 4, key | 0x2000);
    expect(g.read(LCKR, 4)).toBe(key | 0x2000);
    expect(g.read(LCKR, 4) & key).toBe(key);
    expect(g.locked).toBe(true);
    // PC13's MODER/PUPDR/OTYPER/AFRH fields are frozen; other pins stay writable.
    g.write(MODER, 4, 0xffffffff);
    expect(g.read(MODER, 4)).toBe((0xffffffff & ~(3 << 26)) >>> 0);
    g.write(OTYPER, 4, 0xffff);
    expect(g.read(OTYPER, 4)).toBe(0xdfff);
    g.write(AFRH, 4, 0xffffffff);
    expect(g.read(AFRH, 4)).toBe(0xff0fffff);
    // LCKR itself is frozen; ODR/BSRR still work.
    g.write(LCKR, 4, 0);
    expect(g.read(LCKR, 4)).toBe(key | 0x2000);
    g.reset();
    expect(g.locked).toBe(false);
    g.write(MODER, 4, 1 << 26);
    expect(g.read(MODER, 4)).toBe(1 << 26);
  });

  it('LCKR: a broken sequence (changed LCK value or wrong key order) does not lock', () => {
    const { g } = port('C');
    const key = 1 << 16;
    g.write(LCKR, 4, key | 0x0001);
    g.write(LCKR, 4, 0x0003); // value changed
    g.write(LCKR, 4, key | 0x0003);
    expect(g.locked).toBe(false);
    g.reset();
    g.write(LCKR, 4, 0x0003); // LCKK=0 first: not a sequence start
    g.write(LCKR, 4, key | 0x0003); // step 1
    g.write(LCKR, 4, key | 0x0003); // step 2 must have LCKK=0: restarts at step 1
    expect(g.locked).toBe(false);
    expect(g.read(LCKR, 4)).toBe(0x0003); // LCK bits read back, LCKK clear
    g.write(MODER, 4, 1);
    expect(g.read(MODER, 4)).toBe(1);
  });
});
