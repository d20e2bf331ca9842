import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/core/bus.js';
import { BusError } from '../../src/core/errors.js';

describe('Bus', () => {
  it('reads and writes RAM little-endian, unaligned included', () => {
    const bus = new Bus();
    bus.addRam('sram', 0x20000000, 0x10000);
    bus.write32(0x20000000, 0x11223344);
    expect(bus.read8(0x20000000)).toBe(0x44);
    expect(bus.read16(0x20000002)).toBe(0x1122);
    expect(bus.read32(0x20000001) >>> 0).toBe(0x00112233);
    bus.write16(0x20000003, 0xbeef);
    expect(bus.read32(0x20000000) >>> 0).toBe(0xef223344);
  });

  it('turns unmapped accesses into BusError, never a host exception', () => {
    const bus = new Bus();
    bus.addRam('sram', 0x20000000, 0x1000);
    expect(() => bus.read32(0x30000000)).toThrow(BusError);
    expect(() => bus.write8(0x1fffffff, 1)).toThrow(BusError);
  });

  it('refuses CPU writes to ROM unless a romWrite hook exists', () => {
    const bus = new Bus();
    const flash = bus.addRom('flash', 0x08000000, 0x4000);
    expect(bus.read32(0x08000000)).toBe(-1);
    expect(() => bus.write32(0x08000000, 0)).toThrow(BusError);
    bus.load(0x08000000, Uint8Array.of(1, 2, 3, 4));
    expect(flash.bytes[3]).toBe(4);
  });

  it('mirrors a storage through an alias region', () => {
    const bus = new Bus();
    const flash = bus.addRom('flash', 0x08000000, 0x4000);
    bus.addAlias('boot alias', 0, flash, 0, 0x4000, 1);
    bus.load(0x08000010, Uint8Array.of(0xaa));
    expect(bus.read8(0x10)).toBe(0xaa);
  });

  it('bit-band alias reads and sets single bits of SRAM', () => {
    const bus = new Bus();
    bus.addRam('sram', 0x20000000, 0x10000);
    bus.addBitBand('sram bit-band', 0x22000000, 0x20000000, 0x10000);
    bus.write32(0x20000004, 0);
    bus.write32(0x22000000 + 4 * 32 + 4 * 5, 1); // byte 4, bit 5
    expect(bus.read32(0x20000004)).toBe(1 << 5);
    expect(bus.read32(0x22000000 + 4 * 32 + 4 * 5)).toBe(1);
    bus.write8(0x22000000 + 4 * 32 + 4 * 5, 0);
    expect(bus.read32(0x20000004)).toBe(0);
  });

  it('dispatches MMIO accesses with offset and size', () => {
    const bus = new Bus();
    const seen: string[] = [];
    bus.addMmio('dev', 0x40000000, 0x400, {
      read: (o, s) => (seen.push(`r${s}@${o}`), 0x1234),
      write: (o, s, v) => void seen.push(`w${s}@${o}=${v.toString(16)}`),
    });
    expect(bus.read16(0x40000010)).toBe(0x1234);
    bus.write32(0x40000020, 0xdeadbeef);
    expect(seen).toEqual(['r2@16', 'w4@32=deadbeef']);
  });
});
