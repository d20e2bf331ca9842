/** STM32F411 I2C master (RM0383 §18) with byte-level devices: START/address/ADDR clearing, transmit, the 1/2/N-byte receive methods, NACK. */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { Machine } from '../../src/core/machine.js';
import { Eeprom24c02 } from '../../src/devices/eeprom-24c02.js';
import { I2C_SR1, I2C_SR2, Stm32I2c, STM32F411_I2CS } from '../../src/soc/stm32f411/i2c.js';
import { makeCtx } from './stm32f411-devices-helpers.js';

const HZ = 16_000_000;
const CR1 = 0x00, CR2 = 0x04, DR = 0x10, SR1 = 0x14, SR2 = 0x18, CCR = 0x1c, TRISE = 0x20;
const PE = 1, START = 1 << 8, STOP = 1 << 9, ACK = 1 << 10, POS = 1 << 11;

function setup() {
  const { scheduler, runTo } = makeCtx();
  const irqs = { ev: false, er: false };
  const i2c = new Stm32I2c(STM32F411_I2CS[0]!, {
    scheduler,
    log: silentLogger(),
    eventIrq: { set: (l) => (irqs.ev = l) },
    errorIrq: { set: (l) => (irqs.er = l) },
    pclk1: () => 16_000_000,
    cyclesFor: (s) => Math.max(1, Math.round(s * HZ)),
  });
  const eeprom = new Eeprom24c02(0x50);
  i2c.attach(eeprom);
  const now = () => scheduler.now / HZ;
  /** Polls SR1 until `bit` is set, advancing virtual time 1 µs per poll; returns the time waited. */
  const wait = (bit: number) => {
    const t0 = now();
    for (let i = 0; i < 10_000; i++) {
      if (i2c.read(SR1, 4) & bit) return now() - t0;
      runTo(scheduler.now + 16);
    }
    throw new Error(`SR1 bit 0x${bit.toString(16)} never set (SR1 0x${i2c.read(SR1, 4).toString(16)})`);
  };
  i2c.write(CR2, 4, 16); // FREQ = 16 MHz
  i2c.write(CCR, 4, 80); // standard mode 100 kHz: 10 µs per SCL period
  i2c.write(TRISE, 4, 17);
  i2c.write(CR1, 4, PE);
  const address = (a: number, read: boolean) => {
    i2c.write(CR1, 4, i2c.read(CR1, 4) | START);
    wait(I2C_SR1.SB);
    i2c.write(DR, 4, (a << 1) | (read ? 1 : 0));
  };
  const clearAddr = () => {
    i2c.read(SR1, 4);
    return i2c.read(SR2, 4);
  };
  const writeBytes = (a: number, bytes: number[]) => {
    address(a, false);
    wait(I2C_SR1.ADDR);
    clearAddr();
    for (const b of bytes) {
      wait(I2C_SR1.TXE);
      i2c.write(DR, 4, b);
    }
    wait(I2C_SR1.BTF);
  };
  return { i2c, eeprom, irqs, wait, now, address, clearAddr, writeBytes, at: (s: number) => runTo(Math.round(s * HZ)) };
}

describe('STM32F411 I2C master', () => {
  it('has the RM0383 reset values', () => {
    const { i2c } = setup();
    i2c.write(CR1, 4, 1 << 15); // SWRST
    i2c.write(CR1, 4, 0);
    expect(i2c.read(TRISE, 4)).toBe(2);
    expect(i2c.read(SR1, 4)).toBe(0);
    expect(i2c.read(CCR, 4)).toBe(0);
  });

  it('START takes one SCL period, the address nine; ADDR clears on SR1 then SR2 read', () => {
    const { i2c, wait, address, irqs } = setup();
    i2c.write(CR2, 4, 16 | (1 << 9)); // ITEVTEN
    i2c.write(CR1, 4, PE | START);
    expect(wait(I2C_SR1.SB)).toBeCloseTo(10e-6, 6);
    expect(i2c.read(SR2, 4) & (I2C_SR2.MSL | I2C_SR2.BUSY)).toBe(I2C_SR2.MSL | I2C_SR2.BUSY);
    expect(i2c.read(CR1, 4) & START).toBe(0);
    expect(irqs.ev).toBe(true);
    i2c.read(SR1, 4);
    i2c.write(DR, 4, 0x50 << 1);
    expect(i2c.read(SR1, 4) & I2C_SR1.SB).toBe(0);
    expect(wait(I2C_SR1.ADDR)).toBeCloseTo(90e-6, 6);
    expect(i2c.read(SR2, 4) & I2C_SR2.TRA).toBe(I2C_SR2.TRA);
    // SR2 was read after SR1 (in wait): ADDR is clear now; another SR2 read alone would not have done it.
    expect(i2c.read(SR1, 4) & I2C_SR1.ADDR).toBe(0);
    expect(i2c.read(SR1, 4) & I2C_SR1.TXE).toBe(I2C_SR1.TXE);
    void address;
  });

  it('writes bytes to the EEPROM with TxE/BTF, then STOP releases the bus', () => {
    const { i2c, eeprom, writeBytes } = setup();
    writeBytes(0x50, [0x10, 0xde, 0xad, 0xbe, 0xef]);
    i2c.write(CR1, 4, PE | STOP);
    expect(i2c.read(SR2, 4) & (I2C_SR2.MSL | I2C_SR2.BUSY)).toBe(0);
    expect(i2c.read(CR1, 4) & STOP).toBe(0);
    expect([...eeprom.memory.subarray(0x10, 0x14)]).toEqual([0xde, 0xad, 0xbe, 0xef]);
  });

  it('sets AF when no device answers the address', () => {
    const { i2c, address, wait, irqs } = setup();
    i2c.write(CR2, 4, 16 | (1 << 8)); // ITERREN
    address(0x3c, false);
    wait(I2C_SR1.AF);
    expect(i2c.read(SR1, 4) & I2C_SR1.ADDR).toBe(0);
    expect(irqs.er).toBe(true);
    i2c.write(CR1, 4, PE | STOP);
    i2c.write(SR1, 4, ~I2C_SR1.AF & 0xffff);
    expect(irqs.er).toBe(false);
    expect(i2c.read(SR2, 4) & I2C_SR2.BUSY).toBe(0);
  });

  it('receives one byte (ACK cleared before ADDR, STOP after), two with POS, and N with the BTF method', () => {
    const { i2c, eeprom, address, wait, writeBytes, clearAddr } = setup();
    eeprom.memory.set([1, 2, 3, 4, 5, 6], 0x20);
    const setPointer = (p: number) => {
      writeBytes(0x50, [p]);
      i2c.write(CR1, 4, PE | START); // repeated START
    };
    // One byte.
    setPointer(0x20);
    wait(I2C_SR1.SB);
    i2c.write(DR, 4, (0x50 << 1) | 1);
    wait(I2C_SR1.ADDR);
    i2c.write(CR1, 4, PE); // ACK = 0
    clearAddr();
    expect(i2c.read(SR2, 4) & I2C_SR2.TRA).toBe(0);
    i2c.write(CR1, 4, PE | STOP);
    wait(I2C_SR1.RXNE);
    expect(i2c.read(DR, 4)).toBe(1);
    expect(i2c.read(SR2, 4) & I2C_SR2.BUSY).toBe(0);
    // Two bytes: POS and ACK, clear ADDR, clear ACK, wait BTF, STOP, read twice.
    setPointer(0x21);
    wait(I2C_SR1.SB);
    i2c.write(CR1, 4, PE | POS | ACK);
    i2c.write(DR, 4, (0x50 << 1) | 1);
    wait(I2C_SR1.ADDR);
    clearAddr();
    i2c.write(CR1, 4, PE | POS);
    wait(I2C_SR1.BTF);
    i2c.write(CR1, 4, PE | POS | STOP);
    expect([i2c.read(DR, 4), i2c.read(DR, 4)]).toEqual([2, 3]);
    expect(i2c.read(SR1, 4) & (I2C_SR1.RXNE | I2C_SR1.BTF)).toBe(0);
    // Three bytes (N > 2): wait BTF, ACK = 0, read N-2, wait BTF, STOP, read N-1 and N.
    i2c.write(CR1, 4, PE | ACK);
    address(0x50, false);
    wait(I2C_SR1.ADDR);
    clearAddr();
    wait(I2C_SR1.TXE);
    i2c.write(DR, 4, 0x23);
    wait(I2C_SR1.BTF);
    address(0x50, true);
    wait(I2C_SR1.ADDR);
    clearAddr();
    wait(I2C_SR1.BTF);
    i2c.write(CR1, 4, PE);
    const a = i2c.read(DR, 4);
    wait(I2C_SR1.BTF);
    i2c.write(CR1, 4, PE | STOP);
    expect([a, i2c.read(DR, 4), i2c.read(DR, 4)]).toEqual([4, 5, 6]);
    expect(i2c.read(SR2, 4) & I2C_SR2.BUSY).toBe(0);
  });
});

describe('I2C DMA requests', () => {
  it('requests tx while TxE (DMAEN) in a transmission and rx while RxNE', () => {
    const { i2c, eeprom, address, wait, clearAddr } = setup();
    const seen: string[] = [];
    i2c.onDmaRequest = (req, active) => seen.push(`${req}:${active}`);
    i2c.write(CR2, 4, 16 | (1 << 11)); // DMAEN
    address(0x50, false);
    wait(I2C_SR1.ADDR);
    clearAddr();
    expect(seen).toEqual(['tx:true']);
    i2c.write(DR, 4, 0x40); // into the shift register at once: TxE stays 1
    i2c.write(DR, 4, 0x77); // DR full: TxE 0
    expect(seen).toEqual(['tx:true', 'tx:false']);
    wait(I2C_SR1.BTF);
    i2c.write(CR1, 4, PE | STOP);
    expect(eeprom.memory[0x40]).toBe(0x77);
    expect(seen.at(-1)).toBe('tx:false');
    address(0x50, true);
    wait(I2C_SR1.ADDR);
    clearAddr();
    i2c.write(CR1, 4, PE | STOP);
    wait(I2C_SR1.RXNE);
    expect(seen.at(-1)).toBe('rx:true');
    i2c.read(DR, 4);
    expect(seen.at(-1)).toBe('rx:false');
  });
});

describe('I2C in the SoC', () => {
  it('attaches board i2cDevices and rejects unknown types', () => {
    const base = new Machine({ board: 'NUCLEO_F411RE' }).board;
    const m = new Machine({ board: { ...base, options: { ...base.options, i2cDevices: [{ bus: 'i2c1', type: '24c02', address: 0x50 }] } } });
    expect(m.soc.devices.get('i2c1')).toBeInstanceOf(Stm32I2c);
    expect(() => new Machine({ board: { ...base, options: { ...base.options, i2cDevices: [{ bus: 'i2c1', type: 'lcd' }] } } })).toThrow(/type must be one of 24c02/);
  });
});
