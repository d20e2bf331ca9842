/**
 * STM32F411 DMA against RM0383 §9: register layout and reset values, flag positions in LISR/HISR and
 * their clear registers, memory-to-memory (DMA2 only), peripheral flows driven by request lines with
 * channel selection, PSIZE/MSIZE packing, circular and double-buffer modes, HT/TC/TE flags and IRQs,
 * write protection of an enabled stream, and the SPI/USART request mapping (tables 27/28).
 */
import { describe, expect, it } from 'vitest';
import { BusError } from '../../src/core/errors.js';
import { Dma, DMA_CR as C, DMA_FLAG as F, STM32F411_DMAS, STM32F411_DMA_REQUESTS, connectDmaRequests, SERVICE_CYCLES, M2M_CYCLES_PER_ITEM, M2M_CHUNK, type DmaRequester } from '../../src/soc/stm32f411/dma.js';
import { UartPort } from '../../src/core/uart-port.js';
import { STM32F411_USARTS, Usart, USART_CR1, USART_SR } from '../../src/soc/stm32f411/usart.js';
import { makeCtx } from './stm32f411-devices-helpers.js';

const LISR = 0x00;
const HISR = 0x04;
const LIFCR = 0x08;
const HIFCR = 0x0c;
const CR = (s: number) => 0x10 + 0x18 * s;
const NDTR = (s: number) => 0x14 + 0x18 * s;
const PAR = (s: number) => 0x18 + 0x18 * s;
const M0AR = (s: number) => 0x1c + 0x18 * s;
const M1AR = (s: number) => 0x20 + 0x18 * s;
const FCR = (s: number) => 0x24 + 0x18 * s;

const RAM = 0x2000_0000;
const PERIPH = 0x4001_3000; // an APB2 "data register" (SPI1_DR)
const APB1_PERIPH = 0x4000_3800; // SPI2_DR area

/** Flat little-endian memory at RAM, and one data register per peripheral address (logging writes). */
function memory() {
  const ram = new Uint8Array(0x1000);
  const regs = new Map<number, number>();
  const writes: [number, number, number][] = [];
  const inRam = (a: number, n: number) => a >= RAM && a + n <= RAM + ram.length;
  return {
    ram,
    regs,
    writes,
    read(a: number, size: 1 | 2 | 4): number {
      if (inRam(a, size)) {
        let v = 0;
        for (let k = 0; k < size; k++) v |= ram[a - RAM + k]! << (8 * k);
        return v >>> 0;
      }
      if (regs.has(a)) return regs.get(a)!;
      throw new BusError(a, false, size);
    },
    write(a: number, size: 1 | 2 | 4, v: number): void {
      if (inRam(a, size)) {
        for (let k = 0; k < size; k++) ram[a - RAM + k] = (v >>> (8 * k)) & 0xff;
        return;
      }
      if (!regs.has(a)) throw new BusError(a, true, size);
      regs.set(a, v);
      writes.push([a, size, v]);
    },
  };
}

function setup(which = 1) {
  const t = makeCtx({ hclk: 96e6 });
  const mem = memory();
  const dma = new Dma(t.ctx, STM32F411_DMAS[which]!, mem);
  dma.reset();
  return { ...t, mem, dma };
}

describe('STM32F411 DMA', () => {
  it('addresses, stream IRQs and reset values per RM0383', () => {
    expect(STM32F411_DMAS.map((d) => [d.name, d.base, d.irqs, d.rccBit])).toEqual([
      ['dma1', 0x40026000, [11, 12, 13, 14, 15, 16, 17, 47], 21],
      ['dma2', 0x40026400, [56, 57, 58, 59, 60, 68, 69, 70], 22],
    ]);
    const { dma } = setup();
    expect([LISR, HISR, LIFCR, HIFCR].map((o) => dma.read(o, 4))).toEqual([0, 0, 0, 0]);
    for (let s = 0; s < 8; s++) {
      expect([CR(s), NDTR(s), PAR(s), M0AR(s), M1AR(s)].map((o) => dma.read(o, 4))).toEqual([0, 0, 0, 0, 0]);
      expect(dma.read(FCR(s), 4)).toBe(0x21);
    }
  });

  it('memory-to-memory on DMA2: NDTR items at 2 cycles each, HT at half, then TC; disables the stream, IRQ with TCIE', () => {
    const { dma, mem, runTo, irqs } = setup();
    for (let i = 0; i < 64; i++) mem.ram[i] = i + 1;
    dma.write(PAR(0), 4, RAM);
    dma.write(M0AR(0), 4, RAM + 0x100);
    dma.write(NDTR(0), 4, 16);
    dma.write(CR(0), 4, (2 << C.DIR_SHIFT) | C.PINC | C.MINC | (2 << C.PSIZE_SHIFT) | (2 << C.MSIZE_SHIFT) | C.TCIE | C.EN);
    runTo(8 * M2M_CYCLES_PER_ITEM - 1);
    expect(mem.ram[0x100]).toBe(0);
    runTo(8 * M2M_CYCLES_PER_ITEM); // the first half lands: HTIF, NDTR 8
    expect(dma.read(NDTR(0), 4)).toBe(8);
    expect(dma.read(LISR, 4)).toBe(F.HTIF);
    expect([mem.ram[0x11c], mem.ram[0x120]]).toEqual([29, 0]);
    runTo(16 * M2M_CYCLES_PER_ITEM);
    expect(Array.from(mem.ram.subarray(0x100, 0x140))).toEqual(Array.from(mem.ram.subarray(0, 64)));
    expect(dma.read(LISR, 4)).toBe(F.TCIF | F.HTIF);
    expect(dma.read(NDTR(0), 4)).toBe(0);
    expect(dma.read(CR(0), 4) & C.EN).toBe(0);
    expect(irqs.high(56)).toBe(true);
    dma.write(LIFCR, 4, F.TCIF);
    expect(dma.read(LISR, 4)).toBe(F.HTIF);
    expect(irqs.high(56)).toBe(false);
  });

  it('memory-to-memory moves in chunks of M2M_CHUNK items and ignores CIRC', () => {
    const { dma, mem, runTo } = setup();
    for (let i = 0; i < 100; i++) mem.ram[i] = i;
    dma.write(PAR(7), 4, RAM);
    dma.write(M0AR(7), 4, RAM + 0x200);
    dma.write(NDTR(7), 4, 100);
    dma.write(CR(7), 4, (2 << C.DIR_SHIFT) | C.PINC | C.MINC | C.CIRC | C.EN);
    runTo(M2M_CHUNK * M2M_CYCLES_PER_ITEM);
    expect(dma.read(NDTR(7), 4)).toBe(100 - M2M_CHUNK);
    runTo(1000);
    expect(dma.read(NDTR(7), 4)).toBe(0);
    expect(dma.read(CR(7), 4) & C.EN).toBe(0);
    expect(Array.from(mem.ram.subarray(0x200, 0x264))).toEqual(Array.from(mem.ram.subarray(0, 100)));
    expect(dma.read(HISR, 4)).toBe((F.TCIF | F.HTIF) << 22);
  });

  it('memory-to-memory is refused on DMA1 (TEIF, EN cleared)', () => {
    const { dma } = setup(0);
    dma.write(PAR(1), 4, RAM);
    dma.write(M0AR(1), 4, RAM + 0x100);
    dma.write(NDTR(1), 4, 4);
    dma.write(CR(1), 4, (2 << C.DIR_SHIFT) | C.TEIE | C.EN);
    expect(dma.read(LISR, 4)).toBe(F.TEIF << 6);
    expect(dma.read(CR(1), 4) & C.EN).toBe(0);
  });

  it('flag fields: streams 0-3 in LISR at bits 0/6/16/22, 4-7 in HISR; the clear registers read 0', () => {
    const { dma, runTo } = setup();
    for (const s of [3, 6]) {
      dma.write(PAR(s), 4, RAM);
      dma.write(M0AR(s), 4, RAM + 0x200);
      dma.write(NDTR(s), 4, 1);
      dma.write(CR(s), 4, (2 << C.DIR_SHIFT) | C.EN);
    }
    runTo(100);
    expect(dma.read(LISR, 4)).toBe((F.TCIF | F.HTIF) << 22);
    expect(dma.read(HISR, 4)).toBe((F.TCIF | F.HTIF) << 16);
    dma.write(HIFCR, 4, 0x3d << 16);
    expect(dma.read(HISR, 4)).toBe(0);
    expect(dma.read(LIFCR, 4)).toBe(0);
  });

  it('peripheral-to-memory: one item per request of the selected channel, byte → word packing in FIFO mode', () => {
    const { dma, mem, runTo, scheduler } = setup();
    mem.regs.set(PERIPH, 0);
    dma.write(PAR(2), 4, PERIPH);
    dma.write(M0AR(2), 4, RAM + 0x10);
    dma.write(NDTR(2), 4, 8);
    dma.write(FCR(2), 4, 0x04 | 1); // DMDIS: FIFO mode
    dma.write(CR(2), 4, (3 << C.CHSEL_SHIFT) | C.MINC | (2 << C.MSIZE_SHIFT) | C.EN);
    const wrong = dma.requestLine(2, 4);
    wrong.set(true);
    runTo(100);
    expect(dma.read(NDTR(2), 4)).toBe(8); // channel 4 is not selected
    const line = dma.requestLine(2, 3);
    for (let i = 0; i < 8; i++) {
      mem.regs.set(PERIPH, 0xa0 + i);
      line.set(true);
      runTo(scheduler.now + SERVICE_CYCLES);
      line.set(false); // the peripheral drops its request once read (RXNE cleared)
      expect(dma.read(NDTR(2), 4)).toBe(7 - i);
      if (i === 3) expect(dma.read(LISR, 4)).toBe(F.HTIF << 16);
    }
    expect(Array.from(mem.ram.subarray(0x10, 0x18))).toEqual([0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7]);
    expect(dma.read(LISR, 4)).toBe((F.HTIF | F.TCIF) << 16);
    expect(dma.read(FCR(2), 4)).toBe(0x25);
  });

  it('memory-to-peripheral with a level request keeps serving while it stays high (NDTR items, half-words)', () => {
    const { dma, mem, runTo } = setup();
    mem.regs.set(PERIPH, 0);
    for (let i = 0; i < 8; i++) mem.ram[i] = 0x10 + i;
    dma.write(PAR(3), 4, PERIPH);
    dma.write(M0AR(3), 4, RAM);
    dma.write(NDTR(3), 4, 4);
    dma.write(CR(3), 4, (3 << C.CHSEL_SHIFT) | (1 << C.DIR_SHIFT) | C.MINC | (1 << C.PSIZE_SHIFT) | (1 << C.MSIZE_SHIFT) | C.EN);
    dma.requestLine(3, 3).set(true);
    runTo(1000);
    expect(mem.writes).toEqual([
      [PERIPH, 2, 0x1110],
      [PERIPH, 2, 0x1312],
      [PERIPH, 2, 0x1514],
      [PERIPH, 2, 0x1716],
    ]);
    expect(dma.read(CR(3), 4) & C.EN).toBe(0);
  });

  it('circular mode reloads NDTR and the addresses; double-buffer mode toggles CT between M0AR and M1AR', () => {
    const { dma, mem, runTo, scheduler } = setup();
    mem.regs.set(PERIPH, 0x55);
    dma.write(PAR(1), 4, PERIPH);
    dma.write(M0AR(1), 4, RAM);
    dma.write(M1AR(1), 4, RAM + 0x40);
    dma.write(NDTR(1), 4, 2);
    dma.write(CR(1), 4, (3 << C.CHSEL_SHIFT) | C.MINC | C.DBM | C.EN);
    expect(dma.read(CR(1), 4) & C.CIRC).toBe(C.CIRC); // DBM implies circular
    const line = dma.requestLine(1, 3);
    const pulse = () => {
      line.set(true);
      runTo(scheduler.now + SERVICE_CYCLES);
      line.set(false);
    };
    pulse();
    pulse();
    expect(dma.read(CR(1), 4) & C.CT).toBe(C.CT);
    expect(dma.read(NDTR(1), 4)).toBe(2);
    expect(dma.read(CR(1), 4) & C.EN).toBe(C.EN);
    // M0AR may change now (not in use), M1AR not.
    dma.write(M0AR(1), 4, RAM + 0x80);
    dma.write(M1AR(1), 4, RAM + 0x90);
    expect(dma.read(M0AR(1), 4)).toBe(RAM + 0x80);
    expect(dma.read(M1AR(1), 4)).toBe(RAM + 0x40);
    mem.regs.set(PERIPH, 0x66);
    pulse();
    pulse();
    pulse();
    expect(Array.from(mem.ram.subarray(0, 2))).toEqual([0x55, 0x55]);
    expect(Array.from(mem.ram.subarray(0x40, 0x42))).toEqual([0x66, 0x66]);
    expect(mem.ram[0x80]).toBe(0x66); // back to M0AR's new address
    expect(dma.read(CR(1), 4) & C.CT).toBe(0);
  });

  it('an enabled stream is write-protected except EN and the interrupt enables; clearing EN stops it with TCIF', () => {
    const { dma } = setup();
    dma.write(PAR(0), 4, PERIPH);
    dma.write(M0AR(0), 4, RAM);
    dma.write(NDTR(0), 4, 10);
    dma.write(CR(0), 4, (3 << C.CHSEL_SHIFT) | C.EN);
    dma.write(NDTR(0), 4, 3);
    dma.write(PAR(0), 4, 0);
    dma.write(CR(0), 4, (3 << C.CHSEL_SHIFT) | C.MINC | C.TCIE | C.EN);
    expect([dma.read(NDTR(0), 4), dma.read(PAR(0), 4), dma.read(CR(0), 4)]).toEqual([10, PERIPH, (3 << C.CHSEL_SHIFT) | C.TCIE | C.EN]);
    dma.write(CR(0), 4, 0);
    expect(dma.read(LISR, 4)).toBe(F.TCIF);
    dma.write(NDTR(0), 4, 3);
    expect(dma.read(NDTR(0), 4)).toBe(3);
  });

  it('bus errors and DMA1 peripheral addresses outside APB1 give TEIF and disable the stream', () => {
    const { dma, mem, runTo, irqs } = setup(0);
    mem.regs.set(APB1_PERIPH, 0);
    mem.regs.set(PERIPH, 0);
    dma.write(PAR(4), 4, PERIPH); // APB2: unreachable from DMA1's peripheral port
    dma.write(M0AR(4), 4, RAM);
    dma.write(NDTR(4), 4, 4);
    dma.write(CR(4), 4, C.TEIE | C.EN);
    dma.requestLine(4, 0).set(true);
    runTo(100);
    expect(dma.read(HISR, 4)).toBe(F.TEIF);
    expect(irqs.high(15)).toBe(true);
    expect(dma.read(CR(4), 4) & C.EN).toBe(0);
    dma.write(HIFCR, 4, F.TEIF);
    dma.write(PAR(4), 4, APB1_PERIPH);
    dma.write(M0AR(4), 4, 0x6000_0000); // nothing there
    dma.write(CR(4), 4, C.EN);
    runTo(200);
    expect(dma.read(HISR, 4)).toBe(F.TEIF);
  });

  it('request map: SPI1 TX reaches DMA2 stream 3/5 channel 3; USART2 RX DMA1 stream 5 ch 4 and stream 7 ch 6', () => {
    const m = (src: string) => STM32F411_DMA_REQUESTS.filter((r) => r[3] === src).map((r) => r.slice(0, 3));
    expect(m('spi1_tx')).toEqual([
      ['dma2', 3, 3],
      ['dma2', 5, 3],
    ]);
    expect(m('spi1_rx')).toEqual([
      ['dma2', 0, 3],
      ['dma2', 2, 3],
    ]);
    expect(m('usart2_rx')).toEqual([
      ['dma1', 5, 4],
      ['dma1', 7, 6],
    ]);
    expect(m('usart1_tx')).toEqual([['dma2', 7, 4]]);
    // connectDmaRequests drives the mapped lines from a peripheral's onDmaRequest.
    const { dma, mem, runTo } = setup();
    const d1 = setup(0).dma;
    const spi1: DmaRequester = { onDmaRequest: null };
    connectDmaRequests(new Map([['dma1', d1], ['dma2', dma]]), new Map([['spi1', spi1]]));
    mem.regs.set(PERIPH, 0);
    mem.ram[0] = 0x77;
    dma.write(PAR(5), 4, PERIPH);
    dma.write(M0AR(5), 4, RAM);
    dma.write(NDTR(5), 4, 1);
    dma.write(CR(5), 4, (3 << C.CHSEL_SHIFT) | (1 << C.DIR_SHIFT) | C.EN);
    spi1.onDmaRequest!('tx', true);
    runTo(50);
    expect(mem.writes).toEqual([[PERIPH, 1, 0x77]]);
  });

  it('USART2 RX by DMA1 stream 5 channel 4 (table 27): host bytes land in memory, each DR read clears RXNE', () => {
    const t = makeCtx({ hclk: 96e6, pclk1: 24e6 });
    const port = new UartPort('usart2');
    const u = new Usart(t.ctx, STM32F411_USARTS[1]!, port);
    u.reset();
    const base = 0x4000_4400;
    const mem = memory();
    const inUsart = (a: number) => a >= base && a < base + 0x400;
    const dma = new Dma(t.ctx, STM32F411_DMAS[0]!, {
      read: (a, size) => (inUsart(a) ? u.read(a - base, size) : mem.read(a, size)),
      write: (a, size, v) => (inUsart(a) ? u.write(a - base, size, v) : mem.write(a, size, v)),
    });
    dma.reset();
    connectDmaRequests(new Map([['dma1', dma]]), new Map([['usart2', u]]));
    u.write(0x08, 4, 0xd0); // BRR: 115384 Bd at 24 MHz, one 8N1 frame = 8320 CPU cycles
    u.write(0x0c, 4, USART_CR1.UE | USART_CR1.RE);
    u.write(0x14, 4, 1 << 6); // CR3.DMAR
    dma.write(PAR(5), 4, base + 4);
    dma.write(M0AR(5), 4, RAM + 0x20);
    dma.write(NDTR(5), 4, 5);
    dma.write(CR(5), 4, (4 << C.CHSEL_SHIFT) | C.MINC | C.TCIE | C.EN);
    port.inject('hello');
    t.runTo(3 * 8320 + SERVICE_CYCLES);
    expect(dma.read(NDTR(5), 4)).toBe(2);
    expect(dma.read(HISR, 4)).toBe(F.HTIF << 6);
    t.runTo(6 * 8320);
    expect(Buffer.from(mem.ram.subarray(0x20, 0x25)).toString()).toBe('hello');
    expect(dma.read(HISR, 4)).toBe((F.HTIF | F.TCIF) << 6);
    expect(t.irqs.high(16)).toBe(true); // DMA1 stream 5
    expect(u.status & (USART_SR.RXNE | USART_SR.ORE)).toBe(0);
  });
});
