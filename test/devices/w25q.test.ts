/**
 * W25Q SPI NOR flash against the W25QxxJV datasheets: IDs, status registers, WEL rules, page program
 * (256-byte wrap, AND), reads, erases with their typical BUSY times, power-down, reset, and the
 * "spi-flash" persistent store. Time: 1 cycle = 1 µs here (cyclesFor = s·1e6).
 */
import { describe, expect, it } from 'vitest';
import { Pin } from '../../src/core/pins.js';
import { connectChipSelect, connectSpiPins } from '../../src/devices/spi-slave.js';
import { W25q, W25Q_CHIPS, W25Q_SR1 } from '../../src/devices/w25q.js';

function setup(chip = 'w25q64') {
  const clock = { t: 0 };
  const f = new W25q({ chip: W25Q_CHIPS[chip]!, now: () => clock.t, cyclesFor: (s) => s * 1e6 });
  f.powerOn();
  /** One chip-select cycle: sends `bytes` (+ `read` zero bytes) and returns what came back after them. */
  const cmd = (bytes: number[], read = 0): number[] => {
    f.select(true);
    for (const b of bytes) f.transfer(b);
    const out: number[] = [];
    for (let i = 0; i < read; i++) out.push(f.transfer(0));
    f.select(false);
    return out;
  };
  const addr = (a: number) => [(a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff];
  const status = () => cmd([0x05], 1)[0]!;
  return { f, clock, cmd, addr, status };
}

describe('W25Q SPI flash', () => {
  it('JEDEC ID (9Fh) of each family member', () => {
    const ids: Record<string, number[]> = { w25q16: [0xef, 0x40, 0x15], w25q32: [0xef, 0x40, 0x16], w25q64: [0xef, 0x40, 0x17], w25q128: [0xef, 0x40, 0x18] };
    for (const [name, id] of Object.entries(ids)) {
      const { cmd, f } = setup(name);
      expect(cmd([0x9f], 3), name).toEqual(id);
      expect(f.store.size).toBe({ w25q16: 2, w25q32: 4, w25q64: 8, w25q128: 16 }[name]! * 1024 * 1024);
    }
  });

  it('90h gives manufacturer then device ID, swapped with address 000001h; 4Bh an 8-byte unique ID', () => {
    const { cmd } = setup();
    expect(cmd([0x90, 0, 0, 0], 4)).toEqual([0xef, 0x16, 0xef, 0x16]);
    expect(cmd([0x90, 0, 0, 1], 2)).toEqual([0x16, 0xef]);
    const uid = cmd([0x4b, 0, 0, 0, 0], 8);
    expect(uid).toHaveLength(8);
    expect(uid.some((b) => b !== 0xff)).toBe(true);
    expect(cmd([0x4b, 0, 0, 0, 0], 8)).toEqual(uid);
  });

  it('status registers reset to SR1 0, SR2 0, SR3 0x60; 06h/04h set and clear WEL', () => {
    const { cmd, status } = setup();
    expect(status()).toBe(0);
    expect(cmd([0x35], 1)).toEqual([0]);
    expect(cmd([0x15], 1)).toEqual([0x60]);
    cmd([0x06]);
    expect(status()).toBe(W25Q_SR1.WEL);
    expect(cmd([0x05], 3)).toEqual([2, 2, 2]); // status repeats while CS stays low
    cmd([0x04]);
    expect(status()).toBe(0);
  });

  it('page program needs WEL, ANDs into the array, wraps inside the page, then BUSY 0.4 ms and WEL clears', () => {
    const { f, cmd, addr, status, clock } = setup();
    cmd([0x02, ...addr(0x1000), 0x12]);
    expect(f.memory[0x1000]).toBe(0xff); // no WEL: ignored
    cmd([0x06]);
    cmd([0x02, ...addr(0x10fe), 0xa5, 0x5a, 0x0f]); // 0x10fe, 0x10ff, then wraps to 0x1000
    expect([f.memory[0x10fe], f.memory[0x10ff], f.memory[0x1000], f.memory[0x1100]]).toEqual([0xa5, 0x5a, 0x0f, 0xff]);
    expect(status()).toBe(W25Q_SR1.BUSY | W25Q_SR1.WEL);
    expect(cmd([0x03, ...addr(0x10fe)], 1)).toEqual([0xff]); // ignored while busy: MISO floats
    clock.t = 399;
    expect(status() & W25Q_SR1.BUSY).toBe(1);
    clock.t = 400;
    expect(status()).toBe(0);
    cmd([0x06]);
    cmd([0x02, ...addr(0x10fe), 0xf0]); // AND: 0xa5 & 0xf0
    clock.t = 1000;
    expect(cmd([0x03, ...addr(0x10fe)], 3)).toEqual([0xa0, 0x5a, 0xff]);
    expect(cmd([0x0b, ...addr(0x10fe), 0], 2)).toEqual([0xa0, 0x5a]); // fast read: one dummy byte
  });

  it('reads issued while BUSY get no data; read status still works', () => {
    const { f, cmd, addr } = setup();
    f.memory[5] = 0x42;
    cmd([0x06]);
    cmd([0x20, ...addr(0x8000)]);
    f.select(true);
    for (const b of [0x03, ...addr(5)]) f.transfer(b);
    expect(f.transfer(0)).toBe(0xff);
    f.select(false);
    expect(cmd([0x05], 1)).toEqual([3]);
  });

  it('erases: 4K 45 ms, 32K 120 ms, 64K 150 ms, chip (W25Q64) 20 s, aligned down, WEL cleared', () => {
    const { f, cmd, addr, status, clock } = setup();
    const cases: [number, number, number][] = [
      [0x20, 4096, 45_000],
      [0x52, 32768, 120_000],
      [0xd8, 65536, 150_000],
    ];
    for (const [op, size, us] of cases) {
      f.memory.fill(0);
      cmd([0x06]);
      cmd([op, ...addr(3 * size + 17)]);
      expect(f.memory[3 * size - 1]).toBe(0);
      expect(f.memory[3 * size]).toBe(0xff);
      expect(f.memory[4 * size - 1]).toBe(0xff);
      expect(f.memory[4 * size]).toBe(0);
      const t0 = clock.t;
      clock.t = t0 + us - 1;
      expect(status(), `op ${op.toString(16)}`).toBe(3);
      clock.t = t0 + us;
      expect(status()).toBe(0);
    }
    f.memory.fill(0);
    cmd([0x06]);
    cmd([0xc7]);
    expect(f.memory.every((b) => b === 0xff)).toBe(true);
    clock.t += 19_999_999;
    expect(status() & 1).toBe(1);
    clock.t += 1;
    expect(status()).toBe(0);
    cmd([0x06]);
    f.memory.fill(0);
    cmd([0x60]);
    expect(f.memory[12345]).toBe(0xff);
  });

  it('write status: non-volatile (needs WEL, BUSY 10 ms) vs 50h volatile (no WEL, no BUSY, lost on reset)', () => {
    const { cmd, status, clock } = setup();
    cmd([0x01, 0x1c]);
    expect(status()).toBe(0); // no WEL: ignored
    cmd([0x06]);
    cmd([0x01, 0x1c]); // BP0-2
    expect(status()).toBe(0x1c | 3);
    clock.t += 10_000;
    expect(status()).toBe(0x1c);
    cmd([0x50]);
    cmd([0x31, 0x02]); // QE, volatile
    expect(status()).toBe(0x1c);
    expect(cmd([0x35], 1)).toEqual([0x02]);
    cmd([0x66]);
    cmd([0x99]);
    expect(cmd([0x35], 1)).toEqual([0x00]); // volatile value replaced by the non-volatile one
    expect(status()).toBe(0x1c);
    cmd([0x99]); // without 66h first: no reset
  });

  it('power-down ignores everything but ABh; ABh releases and returns the device ID', () => {
    const { f, cmd, status } = setup();
    cmd([0xb9]);
    expect(f.isPoweredDown).toBe(true);
    expect(cmd([0x9f], 3)).toEqual([0xff, 0xff, 0xff]);
    expect(status()).toBe(0xff);
    cmd([0x06]);
    expect(cmd([0xab, 0, 0, 0], 2)).toEqual([0x16, 0x16]);
    expect(f.isPoweredDown).toBe(false);
    expect(status()).toBe(0); // the 06h sent in power-down was ignored
  });

  it('is the "spi-flash" persistent store: 4 KiB sectors, change listeners after program/erase', () => {
    const { f, cmd, addr, clock } = setup('w25q16');
    const changes: [number, number][] = [];
    f.store.onChange((o, l) => changes.push([o, l]));
    expect(f.store.name).toBe('spi-flash');
    expect(f.store.erasedValue).toBe(0xff);
    expect(f.store.sectors).toHaveLength(512);
    expect(f.store.bytes).toBe(f.memory);
    cmd([0x06]);
    cmd([0x02, ...addr(0x2010), 1, 2, 3]);
    clock.t += 1000;
    cmd([0x06]);
    cmd([0x20, ...addr(0x2010)]);
    expect(changes).toEqual([
      [0x2010, 3],
      [0x2000, 4096],
    ]);
  });

  it('block protection: BP/TB/SEC/CMP ranges per part, protected program/erase ignored', () => {
    const M = 1024 * 1024;
    const K = 1024;
    const range = (chip: string, sr1: number, sr2 = 0) => {
      const { cmd, f, clock } = setup(chip);
      cmd([0x50]);
      cmd([0x01, sr1, sr2]);
      clock.t += 1;
      return f.protectedRange();
    };
    expect(range('w25q64', 0)).toEqual([8 * M, 8 * M]);
    expect(range('w25q64', 1 << 2)).toEqual([8 * M - 128 * K, 8 * M]); // BP=001: upper 1/64
    expect(range('w25q64', 6 << 2)).toEqual([4 * M, 8 * M]); // BP=110: upper half
    expect(range('w25q64', (2 << 2) | 0x20)).toEqual([0, 256 * K]); // TB: lower 256 KiB
    expect(range('w25q64', 7 << 2)).toEqual([0, 8 * M]);
    expect(range('w25q64', (1 << 2) | 0x40)).toEqual([8 * M - 4 * K, 8 * M]); // SEC: 4 KiB
    expect(range('w25q64', (5 << 2) | 0x40 | 0x20)).toEqual([0, 32 * K]);
    expect(range('w25q64', 1 << 2, 0x40)).toEqual([0, 8 * M - 128 * K]); // CMP: everything else
    expect(range('w25q128', 1 << 2)).toEqual([16 * M - 256 * K, 16 * M]);
    expect(range('w25q32', 1 << 2)).toEqual([4 * M - 64 * K, 4 * M]);
    expect(range('w25q16', 6 << 2)).toEqual([0, 2 * M]); // 64 KiB·32 = everything

    const { f, cmd, addr, status, clock } = setup();
    cmd([0x50]);
    cmd([0x01, 1 << 2]); // upper 128 KiB
    cmd([0x06]);
    cmd([0x02, ...addr(8 * M - 256), 0]);
    expect(f.memory[8 * M - 256]).toBe(0xff);
    expect(status()).toBe((1 << 2) | 2); // not busy, WEL still set
    cmd([0xd8, ...addr(8 * M - 64 * K)]);
    cmd([0xc7]);
    expect(status() & 1).toBe(0);
    cmd([0x02, ...addr(8 * M - 128 * K - 256), 0]); // just below the protected range
    expect(f.memory[8 * M - 128 * K - 256]).toBe(0);
    clock.t += 1000;
    expect(status()).toBe(1 << 2);
  });

  it('peek() shows the next MISO byte without consuming anything', () => {
    const { f } = setup();
    f.memory[0x10] = 0x42;
    f.select(true);
    f.transfer(0x03);
    for (const b of [0, 0, 0x10]) f.transfer(b);
    expect(f.peek()).toBe(0x42);
    expect(f.peek()).toBe(0x42);
    expect(f.transfer(0)).toBe(0x42);
    expect(f.peek()).toBe(0xff);
    f.select(false);
  });

  for (const mode of [0, 3]) {
    it(`bit-banged SPI mode ${mode} through the pins: JEDEC ID and a read`, () => {
      const { f } = setup();
      f.memory[0x123] = 0x5a;
      const pins = { cs: new Pin('CS'), sck: new Pin('SCK'), mosi: new Pin('MOSI'), miso: new Pin('MISO') };
      pins.cs.drive('mcu', true);
      pins.sck.drive('mcu', mode === 3);
      connectChipSelect(pins.cs, f);
      connectSpiPins(pins, f);
      const xfer = (b: number) => {
        let r = 0;
        for (let i = 7; i >= 0; i--) {
          if (mode === 3) pins.sck.drive('mcu', false); // mode 3: data changes on the falling edge
          pins.mosi.drive('mcu', ((b >>> i) & 1) === 1);
          pins.sck.drive('mcu', true);
          r = (r << 1) | (pins.miso.level ? 1 : 0);
          if (mode === 0) pins.sck.drive('mcu', false);
        }
        return r;
      };
      const cmd = (bytes: number[], n: number) => {
        pins.cs.drive('mcu', false);
        bytes.forEach(xfer);
        const out = Array.from({ length: n }, () => xfer(0));
        pins.cs.drive('mcu', true);
        return out;
      };
      expect(cmd([0x9f], 3)).toEqual([0xef, 0x40, 0x17]);
      expect(cmd([0x03, 0, 1, 0x23], 2)).toEqual([0x5a, 0xff]);
      cmd([0x06], 0);
      expect(f.status(0)).toBe(W25Q_SR1.WEL);
    });
  }
});
