/** STM32F411 ADC1 (RM0383 §11): conversions in virtual time, sequences, resolution/alignment, internal channels, IRQ 18. */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { Machine } from '../../src/core/machine.js';
import { ADC_SR, Stm32Adc } from '../../src/soc/stm32f411/adc.js';
import { makeCtx } from './stm32f411-devices-helpers.js';

const HZ = 16_000_000;
const SR = 0x00, CR1 = 0x04, CR2 = 0x08, SMPR1 = 0x0c, SMPR2 = 0x10, JOFR1 = 0x14, SQR1 = 0x2c, SQR3 = 0x34, JSQR = 0x38, JDR1 = 0x3c, DR = 0x4c, CCR = 0x304;
const ADON = 1, CONT = 2, EOCS = 1 << 10, ALIGN = 1 << 11, SWSTART = 1 << 30, JSWSTART = 1 << 22;

function setup(pclk2 = 16_000_000) {
  const { scheduler, runTo } = makeCtx();
  let irq = false;
  const adc = new Stm32Adc({
    scheduler,
    log: silentLogger(),
    irq: { set: (l) => (irq = l) },
    pclk2: () => pclk2,
    cyclesFor: (s) => Math.max(1, Math.round(s * HZ)),
  });
  return { adc, irq: () => irq, at: (s: number) => runTo(Math.round(s * HZ)), now: () => scheduler.now / HZ };
}

describe('STM32F411 ADC1', () => {
  it('has the RM0383 reset values', () => {
    const { adc } = setup();
    expect(adc.read(SR, 4)).toBe(0);
    expect(adc.read(0x24, 4)).toBe(0xfff); // HTR
    expect(adc.read(CR2, 4)).toBe(0);
    expect(adc.read(CCR, 4)).toBe(0);
  });

  it('converts one channel in (SMP + 12) ADCCLK cycles and clears EOC when DR is read', () => {
    const { adc, irq, at } = setup();
    adc.setPinVoltage('PA1', 1.65);
    adc.write(SMPR2, 4, 7 << 3); // channel 1: 480 cycles
    adc.write(SQR3, 4, 1);
    adc.write(CR1, 4, 1 << 5); // EOCIE
    adc.write(CR2, 4, ADON);
    adc.write(CR2, 4, ADON | SWSTART);
    expect(adc.read(CR2, 4) & SWSTART).toBe(0);
    expect(adc.read(SR, 4)).toBe(ADC_SR.STRT);
    const t = (480 + 12) / 8e6; // PCLK2 16 MHz / 2
    at(t * 0.99);
    expect(adc.read(SR, 4) & ADC_SR.EOC).toBe(0);
    at(t * 1.01);
    expect(adc.read(SR, 4)).toBe(ADC_SR.STRT | ADC_SR.EOC);
    expect(irq()).toBe(true);
    expect(adc.read(DR, 4)).toBe(2048); // 1.65 V of 3.3 V
    expect(adc.read(SR, 4)).toBe(ADC_SR.STRT);
    expect(irq()).toBe(false);
  });

  it('scans SQ1..SQ(L+1) with EOC per conversion (EOCS) and honours RES and ALIGN', () => {
    const { adc, at } = setup();
    adc.setPinVoltage('PA0', 0.5);
    adc.setPinVoltage('PB0', 3.3); // channel 8
    adc.setPinVoltage('PC5', 0); // channel 15
    adc.write(SQR1, 4, 2 << 20); // L = 2: three conversions
    adc.write(SQR3, 4, 0 | (8 << 5) | (15 << 10));
    adc.write(CR1, 4, 1 << 8); // SCAN, 12 bit
    adc.write(CR2, 4, ADON | EOCS | SWSTART);
    const got: number[] = [];
    for (let i = 1; i <= 3; i++) {
      at(i * (15 / 8e6) + 1e-8);
      got.push(adc.read(DR, 4));
    }
    expect(got).toEqual([620, 4095, 0]);
    adc.write(CR1, 4, (1 << 8) | (1 << 24)); // 10-bit
    adc.write(CR2, 4, ADON | EOCS | ALIGN | SWSTART);
    at(3 * (15 / 8e6) + 13 / 8e6 + 1e-8);
    expect(adc.read(DR, 4)).toBe(155 << 6); // 10-bit code of 0.5 V, left aligned
  });

  it('reads VREFINT (ch 17) and the temperature sensor (ch 18) with TSVREFE, VBAT/4 with VBATE', () => {
    const { adc, at, now } = setup();
    const convert = (ch: number) => {
      adc.write(SQR3, 4, ch);
      adc.write(CR2, 4, ADON | SWSTART);
      at(now() + 1e-3);
      return adc.read(DR, 4);
    };
    expect(convert(17)).toBe(0);
    adc.write(CCR, 4, 1 << 23);
    expect(convert(17)).toBe(1502); // 1.21 V
    expect(convert(18)).toBe(943); // 0.76 V at 25 °C
    adc.setTemperature(45);
    expect(convert(18)).toBe(1005); // 0.81 V
    adc.write(CCR, 4, (1 << 23) | (1 << 22));
    expect(convert(18)).toBe(1024); // 3.3 V / 4
  });

  it('continuous mode keeps converting and flags an overrun when DR is not read (EOCS)', () => {
    const { adc, at } = setup();
    adc.write(CR2, 4, ADON | CONT | EOCS | SWSTART);
    at(15 / 8e6 + 1e-8);
    expect(adc.read(SR, 4) & (ADC_SR.EOC | ADC_SR.OVR)).toBe(ADC_SR.EOC);
    at(2 * (15 / 8e6) + 1e-8);
    expect(adc.read(SR, 4) & ADC_SR.OVR).toBe(ADC_SR.OVR);
    adc.write(CR2, 4, 0); // ADON off stops it
    adc.write(SR, 4, 0);
    at(1e-3);
    expect(adc.read(SR, 4)).toBe(0);
  });

  it('converts the injected group into JDRx minus JOFRx', () => {
    const { adc, at } = setup();
    adc.setPinVoltage('PA3', 1.0); // 1241
    adc.setPinVoltage('PA4', 2.0); // 2482
    adc.write(JSQR, 4, (1 << 20) | (3 << 10) | (4 << 15)); // JL = 1: JSQ3, JSQ4
    adc.write(JOFR1, 4, 41);
    adc.write(SMPR1, 4, 0);
    adc.write(CR2, 4, ADON | JSWSTART);
    at(2 * (15 / 8e6) + 1e-8);
    expect(adc.read(SR, 4)).toBe(ADC_SR.JSTRT | ADC_SR.JEOC);
    expect(adc.read(JDR1, 4)).toBe(1200);
    expect(adc.read(JDR1 + 4, 4)).toBe(2482);
  });
});

describe('ADC1 DMA request', () => {
  it('goes active with each result while CR2.DMA is set and inactive when DR is read', () => {
    const { adc, at } = setup();
    const seen: boolean[] = [];
    adc.onDmaRequest = (req, active) => req === 'rx' && seen.push(active);
    adc.write(CR2, 4, ADON | (1 << 8) | SWSTART); // DMA
    at(15 / 8e6 + 1e-8);
    expect(seen).toEqual([true]);
    adc.read(DR, 4);
    expect(seen).toEqual([true, false]);
  });
});

describe('ADC1 in the SoC', () => {
  it('has the factory calibration values and board voltages', () => {
    const base = new Machine({ board: 'NUCLEO_F411RE' }).board;
    const m = new Machine({ board: { ...base, options: { ...base.options, adcVolts: { PA0: 1.65 } } } });
    expect(m.bus.read16(0x1fff_7a2a)).toBe(1502); // VREFINT_CAL
    expect(m.bus.read16(0x1fff_7a2c)).toBe(959); // TS_CAL1 (30 °C)
    expect(m.bus.read16(0x1fff_7a2e)).toBe(1207); // TS_CAL2 (110 °C)
    expect((m.soc.devices.get('adc1') as Stm32Adc).channelVolts(0)).toBe(1.65);
    expect(() => new Machine({ board: { ...base, options: { ...base.options, adcVolts: { PD0: 1 } } } })).toThrow(/adcVolts: ADC1: PD0 is not an ADC1 input/);
  });
});
