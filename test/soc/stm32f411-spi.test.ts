/**
 * STM32F411 SPI against RM0383 §20: reset values, byte time from PCLK/BR, TXE/RXNE/BSY sequencing,
 * OVR and MODF with their clear sequences, 16-bit and LSB-first frames, CRC, interrupts, DMA requests,
 * and the exchange with an attached slave.
 *
 * Numbers: SPI1 on APB2 at PCLK2 = 96 MHz = HCLK; BR = 2 (÷8) gives SCK 12 MHz, so an 8-bit frame takes
 * 8 SCK periods = 64 CPU cycles.
 */
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../src/boards/board.js';
import { createLogger } from '../../src/core/logger.js';
import { Machine } from '../../src/core/machine.js';
import type { SpiSlave } from '../../src/devices/spi-slave.js';
import { Spi, SPI_CR1 as C, SPI_CR2 as C2, SPI_SR as S, STM32F411_SPIS } from '../../src/soc/stm32f411/spi.js';
import { makeCtx } from './stm32f411-devices-helpers.js';

const CR1 = 0x00;
const CR2 = 0x04;
const SR = 0x08;
const DR = 0x0c;
const CRCPR = 0x10;
const RXCRCR = 0x14;
const TXCRCR = 0x18;
const I2SCFGR = 0x1c;
const I2SPR = 0x20;
const MASTER = C.MSTR | C.SSM | C.SSI | (2 << C.BR_SHIFT);

/** A slave that records what it receives and answers with the complement (or `answer`). */
class EchoSlave implements SpiSlave {
  got: number[] = [];
  selects: boolean[] = [];
  constructor(private readonly answer?: (b: number) => number) {}
  select(a: boolean) {
    this.selects.push(a);
  }
  transfer(b: number) {
    this.got.push(b);
    return this.answer ? this.answer(b) : ~b & 0xff;
  }
}

function setup() {
  const t = makeCtx({ hclk: 96e6, pclk2: 96e6 });
  const spi = new Spi(t.ctx, STM32F411_SPIS[0]!);
  spi.reset();
  const slave = new EchoSlave();
  let cs = true;
  spi.attach(slave, () => cs);
  const dma: [string, boolean, number][] = [];
  spi.onDmaRequest = (r, a) => dma.push([r, a, t.scheduler.now]);
  return { ...t, spi, slave, dma, setCs: (v: boolean) => (cs = v) };
}

describe('STM32F411 SPI', () => {
  it('reset values, addresses, IRQs and RCC bits per RM0383', () => {
    const { spi } = setup();
    expect([CR1, CR2, SR, DR, CRCPR, RXCRCR, TXCRCR, I2SCFGR, I2SPR].map((o) => spi.read(o, 4))).toEqual([0, 0, 2, 0, 7, 0, 0, 0, 2]);
    expect(STM32F411_SPIS.map((s) => [s.name, s.base, s.irq, s.apb, s.rccBit])).toEqual([
      ['spi1', 0x40013000, 35, 2, 12],
      ['spi2', 0x40003800, 36, 1, 14],
      ['spi3', 0x40003c00, 51, 1, 15],
      ['spi4', 0x40013400, 84, 2, 13],
      ['spi5', 0x40015000, 85, 2, 20],
    ]);
  });

  it('SCK = PCLK / 2^(BR+1); a frame takes 8 or 16 SCK periods', () => {
    const { spi } = setup();
    for (let br = 0; br < 8; br++) {
      spi.write(CR1, 4, C.MSTR | (br << C.BR_SHIFT));
      expect(spi.sckHz).toBe(96e6 / 2 ** (br + 1));
      expect(spi.frameCycles).toBe(8 * 2 ** (br + 1));
    }
    spi.write(CR1, 4, C.MSTR | C.DFF);
    expect(spi.frameCycles).toBe(32);
  });

  it('master full duplex: TXE at once, BSY for one frame, RXNE with the slave answer; DR read clears RXNE', () => {
    const { spi, slave, runTo, scheduler } = setup();
    spi.write(CR1, 4, MASTER | C.SPE);
    spi.write(DR, 1, 0x3c);
    expect(spi.read(SR, 4)).toBe(S.TXE | S.BSY);
    spi.write(DR, 1, 0x5a); // fills the TX buffer behind the shifting frame
    expect(spi.read(SR, 4)).toBe(S.BSY);
    runTo(63);
    expect(slave.got).toEqual([]);
    runTo(64);
    expect(slave.got).toEqual([0x3c]);
    expect(spi.read(SR, 4)).toBe(S.TXE | S.BSY | S.RXNE);
    expect(spi.read(DR, 4)).toBe(0xc3);
    expect(spi.read(SR, 4) & S.RXNE).toBe(0);
    runTo(128);
    expect(scheduler.now).toBe(128);
    expect(spi.read(SR, 4)).toBe(S.TXE | S.RXNE); // BSY drops with the last frame
    expect(spi.read(DR, 4)).toBe(0xa5);
    expect(slave.got).toEqual([0x3c, 0x5a]);
  });

  it('no frame without SPE or MSTR; a deselected slave sees nothing and MISO reads 0xFF', () => {
    const { spi, slave, runTo, setCs } = setup();
    spi.write(CR1, 4, MASTER);
    spi.write(DR, 1, 1);
    runTo(1000);
    expect(spi.read(SR, 4)).toBe(0); // TXE=0: the byte waits
    setCs(false);
    spi.write(CR1, 4, MASTER | C.SPE);
    runTo(2000);
    expect(slave.got).toEqual([]);
    expect(spi.read(DR, 4)).toBe(0xff);
  });

  it('OVR when a frame arrives with RXNE set; cleared by DR read then SR read; IRQ with ERRIE', () => {
    const { spi, runTo, irqs } = setup();
    spi.write(CR1, 4, MASTER | C.SPE);
    spi.write(CR2, 4, C2.ERRIE);
    spi.write(DR, 1, 0x01);
    runTo(64);
    spi.write(DR, 1, 0x02);
    runTo(128);
    expect(spi.status & S.OVR).toBe(S.OVR);
    expect(irqs.high(35)).toBe(true);
    expect(spi.read(DR, 4)).toBe(0xfe); // the first frame stays, the second is lost
    expect(spi.read(SR, 4) & S.OVR).toBe(0);
    expect(irqs.high(35)).toBe(false);
  });

  it('MODF: master with SSM=1, SSI=0 clears SPE and MSTR; cleared by SR access then CR1 write', () => {
    const { spi } = setup();
    spi.write(CR1, 4, C.MSTR | C.SSM | C.SPE);
    spi.write(CR1, 4, MASTER | C.SPE); // no SR access yet: SPE/MSTR stay cleared
    expect(spi.read(CR1, 4) & (C.SPE | C.MSTR)).toBe(0);
    expect(spi.read(SR, 4) & S.MODF).toBe(S.MODF);
    expect(spi.read(CR1, 4) & (C.SPE | C.MSTR)).toBe(0);
    spi.write(CR1, 4, MASTER | C.SPE);
    expect(spi.read(SR, 4) & S.MODF).toBe(0);
    expect(spi.read(CR1, 4) & (C.SPE | C.MSTR)).toBe(C.SPE | C.MSTR);
  });

  it('16-bit frames go out high byte first; LSBFIRST reverses the bits on the wire', () => {
    const { spi, slave, runTo } = setup();
    spi.write(CR1, 4, MASTER | C.DFF | C.SPE);
    spi.write(DR, 2, 0x1234);
    runTo(128);
    expect(slave.got).toEqual([0x12, 0x34]);
    expect(spi.read(DR, 4)).toBe(0xedcb);
    spi.write(CR1, 4, MASTER | C.LSBFIRST | C.SPE);
    spi.write(DR, 1, 0x01);
    runTo(256);
    expect(slave.got.at(-1)).toBe(0x80);
    expect(spi.read(DR, 4)).toBe(0xfe);
  });

  it('TXEIE/RXNEIE interrupts and TX/RX DMA request levels', () => {
    const { spi, runTo, irqs, dma } = setup();
    spi.write(CR1, 4, MASTER | C.SPE);
    spi.write(CR2, 4, C2.TXEIE);
    expect(irqs.high(35)).toBe(true);
    spi.write(CR2, 4, C2.RXNEIE | C2.TXDMAEN | C2.RXDMAEN);
    expect(irqs.high(35)).toBe(false);
    expect(dma).toEqual([['tx', true, 0]]);
    spi.write(DR, 1, 7);
    runTo(64);
    expect(irqs.high(35)).toBe(true);
    // The byte moves to the idle shift register at once, so the TX request never drops.
    expect(dma.slice(1)).toEqual([['rx', true, 64]]);
    spi.read(DR, 4);
    expect(dma.at(-1)).toEqual(['rx', false, 64]);
  });

  it('CRC-8 with the reset polynomial 7: CRCNEXT sends TXCRCR, a matching answer leaves CRCERR clear', () => {
    // Loopback slave: MISO = MOSI, so the received CRC is the transmitted one.
    const loop = new EchoSlave((b) => b);
    const t = makeCtx({ hclk: 96e6, pclk2: 96e6 });
    const s2 = new Spi(t.ctx, STM32F411_SPIS[0]!);
    s2.attach(loop, () => true);
    s2.write(CR1, 4, MASTER | C.CRCEN | C.SPE);
    s2.write(DR, 1, 0x31);
    s2.write(CR1, 4, MASTER | C.CRCEN | C.CRCNEXT | C.SPE);
    t.runTo(200);
    // CRC-8 (x^8+x^2+x+1, init 0) of 0x31 = 0x97.
    expect(s2.read(TXCRCR, 4)).toBe(0x97);
    expect(loop.got).toEqual([0x31, 0x97]);
    expect(s2.read(SR, 4) & S.CRCERR).toBe(0);
    expect(s2.read(CR1, 4) & C.CRCNEXT).toBe(0);
  });

  it('CRC-16 (DFF=1) with polynomial 0x8005 over one frame 0x1234 gives 0xECBB in TXCRCR and RXCRCR', () => {
    const t = makeCtx({ hclk: 96e6, pclk2: 96e6 });
    const s2 = new Spi(t.ctx, STM32F411_SPIS[0]!);
    s2.attach(new EchoSlave((b) => b), () => true);
    s2.write(CRCPR, 4, 0x8005);
    s2.write(CR1, 4, MASTER | C.DFF | C.CRCEN | C.SPE);
    s2.write(DR, 2, 0x1234);
    t.runTo(200);
    expect(s2.read(TXCRCR, 4)).toBe(0xecbb);
    expect(s2.read(RXCRCR, 4)).toBe(0xecbb);
  });

  it('CRCERR when the received CRC differs; rc_w0 clear', () => {
    const { spi, runTo } = setup(); // complement slave: RX CRC never matches
    spi.write(CR1, 4, MASTER | C.CRCEN | C.SPE);
    spi.write(DR, 1, 0x31);
    spi.write(CR1, 4, MASTER | C.CRCEN | C.CRCNEXT | C.SPE);
    runTo(200);
    expect(spi.read(SR, 4) & S.CRCERR).toBe(S.CRCERR);
    spi.write(SR, 4, ~S.CRCERR);
    expect(spi.read(SR, 4) & S.CRCERR).toBe(0);
  });

  it('RXONLY master clocks frames by itself from SPE=1 until SPE=0; the slave sees 0xFF', () => {
    const { spi, setCs, runTo } = setup();
    setCs(false); // only the counting slave below is selected
    let n = 0;
    const answers = new EchoSlave(() => 0x10 + n++);
    spi.attach(answers, () => true);
    spi.write(CR1, 4, MASTER | C.RXONLY | C.SPE);
    expect(spi.read(SR, 4) & S.BSY).toBe(S.BSY);
    const got: number[] = [];
    for (const t of [64, 128, 192]) {
      runTo(t);
      got.push(spi.read(DR, 4) & 0xff);
    }
    expect(got).toEqual([0x10, 0x11, 0x12]);
    expect(answers.got).toEqual([0xff, 0xff, 0xff]);
    spi.write(CR1, 4, MASTER | C.RXONLY); // SPE=0: the frame in flight still completes
    runTo(1000);
    expect(answers.got).toHaveLength(4);
    expect(spi.read(SR, 4) & S.BSY).toBe(0);
  });

  it('BIDIMODE with BIDIOE=0 receives the slave data the same way', () => {
    const { spi, setCs, runTo } = setup();
    setCs(false);
    let n = 0;
    spi.attach(new EchoSlave(() => 0x10 + n++), () => true);
    spi.write(CR1, 4, MASTER | C.BIDIMODE | C.SPE);
    const got: number[] = [];
    for (const t of [64, 128]) {
      runTo(t);
      got.push(spi.read(DR, 4));
    }
    expect(got).toEqual([0x10, 0x11]);
    spi.write(CR1, 4, MASTER | C.BIDIMODE);
  });

  it('BIDIMODE+BIDIOE transmits without receiving; RXONLY and BIDI bits read back', () => {
    const { spi, slave, runTo } = setup();
    spi.write(CR1, 4, MASTER | C.BIDIMODE | C.BIDIOE | C.SPE);
    spi.write(DR, 1, 0x99);
    runTo(64);
    expect(slave.got).toEqual([0x99]);
    expect(spi.read(SR, 4) & S.RXNE).toBe(0);
    spi.write(CR1, 4, MASTER | C.RXONLY);
    expect(spi.read(CR1, 4)).toBe(MASTER | C.RXONLY);
  });

  it('reset() returns to the reset state and stops a frame in flight', () => {
    const { spi, slave, runTo } = setup();
    spi.write(CR1, 4, MASTER | C.SPE);
    spi.write(DR, 1, 1);
    spi.reset();
    runTo(1000);
    expect(slave.got).toEqual([]);
    expect(spi.read(SR, 4)).toBe(S.TXE);
    expect(spi.read(CR1, 4)).toBe(0);
  });
});

describe('STM32F411 SPI1 + W25Q64 on the WeAct board (test/firmware/f411 programs)', () => {
  it('the dma program leaves its page in the "spi-flash" store; soc.devices has spi1-5, dma1/2, spiflash', async () => {
    const { runF411Program } = await import('../firmware/f411/programs.js');
    const r = runF411Program('dma');
    expect(r.status).toBe(0);
    const soc = r.machine.soc;
    const store = soc.persistentStores?.().find((s) => s.name === 'spi-flash');
    expect(store?.size).toBe(8 * 1024 * 1024);
    expect(Array.from(store!.bytes.subarray(0x3000, 0x3004))).toEqual([3, 10, 17, 24]);
    expect(store!.bytes[0x3100]).toBe(0xff);
    for (const d of ['spi1', 'spi2', 'spi3', 'spi4', 'spi5', 'dma1', 'dma2', 'spiflash']) expect(soc.devices.has(d), d).toBe(true);
  });

  it('without the spiFlash option nothing answers on SPI1 (MISO idles high) and there is no "spi-flash" store', async () => {
    const { runF411Program } = await import('../firmware/f411/programs.js');
    const r = runF411Program('spi_w25q', { options: { spiFlash: null }, maxInstructions: 2_000_000 }); // it then polls BUSY (0xFF) forever
    expect(r.stdout).toContain('FAIL JEDEC ID (9Fh) W25Q64: got 0x00ffffff want 0x00ef4017');
    expect(r.machine.soc.persistentStores?.().map((s) => s.name)).toEqual(['flash']);
  });

  it('the chip sees SPI1 only while PA5-7 are in AF5; /CS idles high through its pull-up', () => {
    const base = loadBoard('WeAct_F411CE');
    const lines: string[] = [];
    const m = new Machine({ board: { ...base, options: { ...base.options, spiFlash: 'w25q64' } }, log: createLogger('warn', 'text', (l) => lines.push(l)) });
    const b = m.bus;
    const clock = m.scheduler.clock;
    const wait = (cycles: number) => {
      const end = clock.cycles + cycles;
      while (m.scheduler.nextTime <= end) {
        clock.cycles = m.scheduler.nextTime;
        m.scheduler.runDue();
      }
      clock.cycles = end;
    };
    const gpioa = 0x40020000;
    const spi1 = 0x40013000;
    b.write32(0x40023830, 1); // RCC_AHB1ENR: GPIOAEN
    b.write32(0x40023844, 1 << 12); // RCC_APB2ENR: SPI1EN
    expect(((b.read32(gpioa + 0x10) >>> 4) & 1) === 1).toBe(true); // PA4 reads high: pull-up
    b.write32(gpioa + 0x00, (b.read32(gpioa) & ~(3 << 8)) | (1 << 8)); // PA4 output, ODR 0: /CS low
    b.write32(spi1, 0x4 | 0x200 | 0x100 | 0x40); // MSTR SSM SSI SPE
    const jedec = () => {
      const got: number[] = [];
      for (const byte of [0x9f, 0, 0, 0]) {
        b.write8(spi1 + 0x0c, byte);
        wait(100);
        got.push(b.read8(spi1 + 0x0c));
      }
      b.write32(gpioa + 0x18, 1 << 4); // /CS high ends the command
      b.write32(gpioa + 0x18, 1 << 20);
      return got;
    };
    expect(jedec()).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(lines.some((l) => l.includes('PA5/PA6/PA7 are not all in alternate function 5'))).toBe(true);
    b.write32(gpioa + 0x20, (b.read32(gpioa + 0x20) & ~0xfff00000) | 0x55500000); // AFRL: PA5-7 AF5
    b.write32(gpioa + 0x00, (b.read32(gpioa) & ~(0x3f << 10)) | (0x2a << 10)); // PA5-7 alternate
    expect(jedec()).toEqual([0xff, 0xef, 0x40, 0x17]);
  });

  it('a bit-banging master on PA4-7 as GPIOs (software SPI, mode 0) reads the JEDEC ID', () => {
    const base = loadBoard('WeAct_F411CE');
    const m = new Machine({ board: { ...base, options: { ...base.options, spiFlash: 'w25q16' } } });
    const b = m.bus;
    const gpioa = 0x40020000;
    b.write32(0x40023830, 1); // GPIOAEN
    b.write32(gpioa + 0x18, (1 << 4) | (1 << (5 + 16))); // /CS high, SCK low
    // PA4, PA5, PA7 outputs; PA6 input.
    b.write32(gpioa, (b.read32(gpioa) & ~(0xff << 8)) | (1 << 8) | (1 << 10) | (1 << 14));
    const bit = (pin: number, v: number) => b.write32(gpioa + 0x18, v ? 1 << pin : 1 << (pin + 16));
    const xfer = (byte: number) => {
      let r = 0;
      for (let i = 7; i >= 0; i--) {
        bit(7, (byte >>> i) & 1);
        bit(5, 1);
        r = (r << 1) | ((b.read32(gpioa + 0x10) >>> 6) & 1);
        bit(5, 0);
      }
      return r;
    };
    bit(4, 0);
    const id = [0x9f, 0, 0, 0].map(xfer);
    bit(4, 1);
    expect(id).toEqual([0xff, 0xef, 0x40, 0x15]);
  });

  it('older board files: the footprint in "spiFlash" with the fitted chip in "default"', () => {
    const base = loadBoard('WeAct_F411CE');
    const { spiFlashPins, ...rest } = base.options as Record<string, unknown>;
    const withChip = new Machine({ board: { ...base, options: { ...rest, spiFlash: { ...(spiFlashPins as object), default: 'w25q32' } } } });
    expect((withChip.soc.devices.get('spiflash') as { chip: { name: string } }).chip.name).toBe('w25q32');
    const without = new Machine({ board: { ...base, options: { ...rest, spiFlash: { ...(spiFlashPins as object), default: null } } } });
    expect(without.soc.devices.has('spiflash')).toBe(false);
    expect(() => new Machine({ board: { ...base, options: { ...rest, spiFlash: 'w25q80' } } })).toThrow(/unknown SPI flash "w25q80"/);
    expect(() => new Machine({ board: { ...base, options: { ...rest, spiFlash: 'w25q64' } } })).toThrow(/needs the board's "spiFlashPins"/);
  });
});
