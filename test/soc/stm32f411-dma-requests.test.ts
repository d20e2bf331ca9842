/**
 * DMA request lines of ADC1 and I2C1–3 on the whole F411 machine (RM0383 tables 27/28): ADC1 → DMA2
 * stream 0 or 4 channel 0; I2C1 TX → DMA1 stream 6/7 channel 1, RX → stream 0/5 channel 1; I2C2 RX →
 * DMA1 stream 2/3 channel 7, TX → stream 7 channel 7; I2C3 RX → DMA1 stream 2 channel 3, TX → stream 4
 * channel 3. Registers are written through the bus as firmware would.
 */
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../src/boards/board.js';
import { Machine } from '../../src/core/machine.js';
import type { Eeprom24c02 } from '../../src/devices/eeprom-24c02.js';
import { DMA_CR as C, STM32F411_DMA_REQUESTS } from '../../src/soc/stm32f411/dma.js';

const RCC_AHB1ENR = 0x4002_3830;
const RCC_APB1ENR = 0x4002_3840;
const RCC_APB2ENR = 0x4002_3844;
const DMA1 = 0x4002_6000;
const DMA2 = 0x4002_6400;
const S = (dma: number, s: number, reg: number) => dma + 0x10 + 0x18 * s + reg; // CR 0, NDTR 4, PAR 8, M0AR 0xC
const ADC1 = 0x4001_2000;
const RAM = 0x2000_1000;

function machine(options: Record<string, unknown> = {}): Machine {
  const base = loadBoard('NUCLEO_F411RE');
  const m = new Machine({ board: { ...base, options: { ...base.options, ...options } } });
  // The core parks in `wfi; b .` so virtual time runs while the test drives the registers.
  const img = new Uint8Array(12);
  const v = new DataView(img.buffer);
  v.setUint32(0, 0x2002_0000, true);
  v.setUint32(4, 0x0800_0009, true);
  v.setUint16(8, 0xbf30, true); // wfi
  v.setUint16(10, 0xe7fd, true); // b wfi
  m.bus.load(0x0800_0000, img);
  m.reset();
  return m;
}

function setBits(m: Machine, addr: number, bits: number): void {
  m.bus.write32(addr, m.bus.read32(addr) | bits);
}

function stream(m: Machine, dma: number, s: number, channel: number, par: number, dir: number, size: number, n: number): void {
  m.bus.write32(S(dma, s, 8), par);
  m.bus.write32(S(dma, s, 0xc), RAM);
  m.bus.write32(S(dma, s, 4), n);
  m.bus.write32(S(dma, s, 0), (channel << C.CHSEL_SHIFT) | C.MINC | (size << C.PSIZE_SHIFT) | (size << C.MSIZE_SHIFT) | (dir << C.DIR_SHIFT) | C.EN);
}

describe('ADC1 → DMA2', () => {
  for (const s of [0, 4]) {
    it(`a SCAN sequence of three channels lands in SRAM through stream ${s} channel 0`, () => {
      const m = machine({ adcVolts: { PA0: 0.825, PA1: 3.3, PA4: 1.65 } });
      setBits(m, RCC_AHB1ENR, 1 << 22); // DMA2EN
      setBits(m, RCC_APB2ENR, 1 << 8); // ADC1EN
      stream(m, DMA2, s, 0, ADC1 + 0x4c, 0, 1, 3); // ADC_DR → SRAM, 16-bit items
      m.bus.write32(ADC1 + 0x2c, 2 << 20); // SQR1: L = 2 (three conversions)
      m.bus.write32(ADC1 + 0x34, 0 | (1 << 5) | (4 << 10)); // SQR3: channels 0, 1, 4
      m.bus.write32(ADC1 + 0x04, 1 << 8); // CR1: SCAN
      m.bus.write32(ADC1 + 0x08, (1 << 8) | 1); // CR2: DMA, ADON
      m.bus.write32(ADC1 + 0x08, m.bus.read32(ADC1 + 0x08) | (1 << 30)); // SWSTART
      m.run({ timeoutSeconds: 0.001 });
      expect([m.bus.read16(RAM), m.bus.read16(RAM + 2), m.bus.read16(RAM + 4)]).toEqual([1024, 4095, 2048]);
      expect(m.bus.read32(S(DMA2, s, 4))).toBe(0); // NDTR
      const tcif = s === 0 ? m.bus.read32(DMA2) & (1 << 5) : m.bus.read32(DMA2 + 4) & (1 << 5); // LISR / HISR
      expect(tcif).not.toBe(0);
      expect(m.bus.read32(ADC1) & (1 << 5)).toBe(0); // OVR: DMA read every result in time
    });
  }

  it('a stream on another channel does not take the ADC request', () => {
    const m = machine({ adcVolts: { PA0: 1.65 } });
    setBits(m, RCC_AHB1ENR, 1 << 22);
    setBits(m, RCC_APB2ENR, 1 << 8);
    stream(m, DMA2, 0, 3, ADC1 + 0x4c, 0, 1, 1); // channel 3 is SPI1_RX
    m.bus.write32(ADC1 + 0x08, (1 << 8) | 1);
    m.bus.write32(ADC1 + 0x08, m.bus.read32(ADC1 + 0x08) | (1 << 30));
    m.run({ timeoutSeconds: 0.001 });
    expect(m.bus.read32(S(DMA2, 0, 4))).toBe(1);
    expect(m.bus.read32(ADC1) & 2).toBe(2); // EOC still set: nobody read DR
  });
});

describe('I2C1 → DMA1 with a 24C02 EEPROM', () => {
  const I2C1 = 0x4000_5400;
  const CR1 = I2C1;
  const CR2 = I2C1 + 4;
  const DR = I2C1 + 0x10;
  const SR1 = I2C1 + 0x14;
  const SR2 = I2C1 + 0x18;

  function until(m: Machine, what: () => boolean): void {
    for (let i = 0; i < 200 && !what(); i++) m.run({ timeoutSeconds: 0.00005 });
    expect(what()).toBe(true);
  }

  function begin(m: Machine, addressByte: number): void {
    setBits(m, CR1, 1 << 8); // START
    until(m, () => (m.bus.read32(SR1) & 1) !== 0); // SB
    m.bus.write32(DR, addressByte);
    until(m, () => (m.bus.read32(SR1) & 2) !== 0); // ADDR
  }

  it('writes by TX requests (stream 6 channel 1) and reads back by RX requests (stream 0 channel 1)', () => {
    const m = machine({ i2cDevices: [{ bus: 'i2c1', type: '24c02', address: 0x50 }] });
    setBits(m, RCC_AHB1ENR, 1 << 21); // DMA1EN
    setBits(m, RCC_APB1ENR, 1 << 21); // I2C1EN
    m.bus.write32(CR2, 16); // FREQ 16 MHz
    m.bus.write32(I2C1 + 0x1c, 80); // CCR: 100 kHz
    m.bus.write32(CR1, 1); // PE
    [0x10, 0xa1, 0xb2, 0xc3].forEach((b, i) => m.bus.write8(RAM + i, b)); // word address 0x10, then data
    stream(m, DMA1, 6, 1, DR, 1, 0, 4); // memory → I2C1_DR, bytes
    setBits(m, CR2, 1 << 11); // DMAEN
    begin(m, 0xa0);
    m.bus.read32(SR1);
    m.bus.read32(SR2); // ADDR cleared: TxE requests the DMA
    until(m, () => m.bus.read32(S(DMA1, 6, 4)) === 0 && (m.bus.read32(SR1) & 4) !== 0); // NDTR 0, BTF
    setBits(m, CR1, 1 << 9); // STOP
    m.run({ timeoutSeconds: 0.0002 });
    const eeprom = findEeprom(m);
    expect([...eeprom.memory.subarray(0x10, 0x13)]).toEqual([0xa1, 0xb2, 0xc3]);

    // Random read: write the word address by CPU, then read 3 bytes by DMA (LAST: NACK on the last one).
    m.bus.write32(CR2, 16);
    begin(m, 0xa0);
    m.bus.read32(SR1);
    m.bus.read32(SR2);
    m.bus.write32(DR, 0x10);
    until(m, () => (m.bus.read32(SR1) & 4) !== 0); // BTF
    for (let i = 0; i < 4; i++) m.bus.write8(RAM + i, 0);
    stream(m, DMA1, 0, 1, DR, 0, 0, 3); // I2C1_DR → memory
    m.bus.write32(CR2, 16 | (1 << 11) | (1 << 12)); // DMAEN | LAST
    setBits(m, CR1, 1 << 10); // ACK
    begin(m, 0xa1);
    m.bus.read32(SR1);
    m.bus.read32(SR2);
    until(m, () => m.bus.read32(S(DMA1, 0, 4)) === 0);
    setBits(m, CR1, 1 << 9); // STOP
    m.run({ timeoutSeconds: 0.0002 });
    expect([m.bus.read8(RAM), m.bus.read8(RAM + 1), m.bus.read8(RAM + 2)]).toEqual([0xa1, 0xb2, 0xc3]);
  });
});

/** The EEPROM attached by the board option (the I2C model keeps its devices private). */
function findEeprom(m: Machine): Eeprom24c02 {
  const i2c = m.soc.devices.get('i2c1') as unknown as { devices: Map<number, Eeprom24c02> };
  return i2c.devices.get(0x50)!;
}

describe('request table (RM0383 tables 27/28)', () => {
  it('has the ADC1 and I2C rows', () => {
    const rows = STM32F411_DMA_REQUESTS.filter(([, , , src]) => /^(adc1|i2c)/.test(src)).map((r) => r.join(' '));
    expect(rows.sort()).toEqual(
      [
        'dma2 0 0 adc1_rx',
        'dma2 4 0 adc1_rx',
        'dma1 0 1 i2c1_rx',
        'dma1 5 1 i2c1_rx',
        'dma1 6 1 i2c1_tx',
        'dma1 7 1 i2c1_tx',
        'dma1 2 7 i2c2_rx',
        'dma1 3 7 i2c2_rx',
        'dma1 7 7 i2c2_tx',
        'dma1 2 3 i2c3_rx',
        'dma1 4 3 i2c3_tx',
      ].sort(),
    );
  });
});
