/**
 * STM32F411 USART against RM0383 §19: reset values, baud from PCLK/BRR (OVER8), TXE/TC/RXNE/ORE/IDLE
 * timing in virtual time, the SR-then-DR clear sequences, interrupts and DMA request levels.
 *
 * Numbers: USART2 on APB1 at PCLK1 = 24 MHz with BRR = 0xD0 (MicroPython's NUCLEO_F411RE set-up) gives
 * 24e6 / 208 = 115384.6 baud; with HCLK = 96 MHz one bit is 208 · 4 = 832 CPU cycles and an 8N1 frame
 * (10 bits) 8320 cycles.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { UartPort } from '../../src/core/uart-port.js';
import { USART_CR1 as C, USART_SR as S, Usart, STM32F411_USARTS } from '../../src/soc/stm32f411/usart.js';
import { makeCtx } from './stm32f411-devices-helpers.js';

const SR = 0x00;
const DR = 0x04;
const BRR = 0x08;
const CR1 = 0x0c;
const CR2 = 0x10;
const CR3 = 0x14;
const GTPR = 0x18;
const FRAME = 8320;

function setup() {
  const t = makeCtx({ hclk: 96e6, pclk1: 24e6 });
  const port = new UartPort('usart2');
  const sent: [number, number][] = [];
  port.onTransmit((b) => sent.push([b, t.scheduler.now]));
  const u = new Usart(t.ctx, STM32F411_USARTS[1]!, port);
  u.reset();
  u.write(BRR, 4, 0xd0);
  return { ...t, u, port, sent };
}

describe('STM32F411 USART', () => {
  it('resets with TXE and TC set, everything else zero; IRQ numbers and buses per RM0383', () => {
    const { u } = setup();
    expect(u.read(SR, 4)).toBe(0xc0);
    u.reset();
    for (const off of [BRR, CR1, CR2, CR3, GTPR]) expect(u.read(off, 4)).toBe(0);
    expect(STM32F411_USARTS.map((x) => [x.name, x.base, x.irq, x.apb])).toEqual([
      ['usart1', 0x40011000, 37, 2],
      ['usart2', 0x40004400, 38, 1],
      ['usart6', 0x40011400, 71, 2],
    ]);
  });

  it('baud rate and frame length follow BRR, OVER8, M and STOP', () => {
    const { u } = setup();
    expect(u.baudRate).toBeCloseTo(115384.6, 1);
    expect(u.frameCycles).toBe(FRAME);
    u.write(CR1, 4, C.M); // 9 data bits
    expect(u.frameCycles).toBe(11 * 832);
    u.write(CR1, 4, 0);
    u.write(CR2, 4, 2 << 12); // 2 stop bits
    expect(u.frameCycles).toBe(11 * 832);
    u.write(CR2, 4, 0);
    // OVER8: USARTDIV = mantissa + fraction/8, baud = PCLK / (8·USARTDIV): BRR 0x1A0 → 26 → 8·26 = 208 ticks.
    u.write(CR1, 4, C.OVER8);
    u.write(BRR, 4, 0x1a0);
    expect(u.baudRate).toBeCloseTo(115384.6, 1);
    u.write(BRR, 4, 0x1a3); // 8·26 + 3 = 211 ticks per bit
    expect(u.baudRate).toBeCloseTo(24e6 / 211, 3);
  });

  it('TX: TE sends an idle preamble; DR moves to the shift register at once when idle; TC one frame later', () => {
    const { u, sent, runTo } = setup();
    u.write(CR1, 4, C.UE | C.TE);
    runTo(FRAME); // preamble done
    u.read(SR, 4);
    u.write(DR, 4, 0x41);
    expect(u.status & (S.TXE | S.TC)).toBe(S.TXE); // TXE back at once; TC cleared by SR read + DR write
    u.write(DR, 4, 0x42); // waits in TDR
    expect(u.status & S.TXE).toBe(0);
    runTo(2 * FRAME - 1);
    expect(sent).toEqual([]);
    runTo(2 * FRAME);
    expect(sent).toEqual([[0x41, 2 * FRAME]]);
    expect(u.status & (S.TXE | S.TC)).toBe(S.TXE); // 0x42 moved on, still sending
    runTo(3 * FRAME);
    expect(sent).toEqual([
      [0x41, 2 * FRAME],
      [0x42, 3 * FRAME],
    ]);
    expect(u.status & (S.TXE | S.TC)).toBe(S.TXE | S.TC);
  });

  it('TX: a byte written during the preamble waits for it; TC is only cleared by SR-read-then-DR-write or writing 0', () => {
    const { u, sent, runTo } = setup();
    u.write(CR1, 4, C.UE | C.TE);
    u.write(DR, 4, 0x31); // no SR read before: TC stays set
    expect(u.status & (S.TXE | S.TC)).toBe(S.TC);
    runTo(FRAME);
    expect(u.status & S.TXE).toBe(S.TXE);
    u.write(SR, 4, ~S.TC); // rc_w0
    expect(u.status & S.TC).toBe(0);
    runTo(2 * FRAME);
    expect(sent).toEqual([[0x31, 2 * FRAME]]);
    expect(u.status & S.TC).toBe(S.TC);
  });

  it('TX: nothing leaves while TE is off; the byte waits in TDR', () => {
    const { u, sent, runTo } = setup();
    u.write(CR1, 4, C.UE);
    u.write(DR, 4, 0x55);
    runTo(5 * FRAME);
    expect(sent).toEqual([]);
    expect(u.status & S.TXE).toBe(0);
    u.write(CR1, 4, C.UE | C.TE);
    runTo(7 * FRAME);
    expect(sent).toEqual([[0x55, 7 * FRAME]]);
  });

  it('RX: bytes arrive one frame apart; a missed read sets ORE and loses the byte; SR then DR clears ORE', () => {
    const { u, port, runTo } = setup();
    port.rxPaced = true; // bytes on a wire, as the console's paced input delivers them
    u.write(CR1, 4, C.UE | C.RE);
    port.inject('ABC');
    runTo(FRAME - 1);
    expect(u.status & S.RXNE).toBe(0);
    runTo(FRAME);
    expect(u.status & S.RXNE).toBe(S.RXNE);
    runTo(2 * FRAME); // 'B' completes while 'A' is unread
    expect(u.status & (S.RXNE | S.ORE)).toBe(S.RXNE | S.ORE);
    expect(u.read(DR, 4)).toBe(0x41); // DR read without SR read: ORE stays
    expect(u.status & (S.RXNE | S.ORE)).toBe(S.ORE);
    expect(u.read(SR, 4) & S.ORE).toBe(S.ORE);
    u.read(DR, 4);
    expect(u.status & S.ORE).toBe(0);
    runTo(3 * FRAME);
    expect(u.read(DR, 4)).toBe(0x43); // 'B' was lost
  });

  it('RX with unpaced host input (--uart-instant): a byte waits while RDR is unread, no ORE, nothing lost', () => {
    const { u, port, runTo } = setup();
    u.write(CR1, 4, C.UE | C.RE);
    port.inject('ABC');
    runTo(3 * FRAME); // only 'A' taken: 'B' is held back, not lost
    expect(u.status & (S.RXNE | S.ORE)).toBe(S.RXNE);
    expect(u.read(DR, 4)).toBe(0x41);
    runTo(4 * FRAME - 1);
    expect(u.status & S.RXNE).toBe(0);
    runTo(4 * FRAME); // 'B' one frame after the read
    expect(u.read(DR, 4)).toBe(0x42);
    runTo(5 * FRAME);
    expect(u.read(DR, 4)).toBe(0x43);
    expect(u.status & S.ORE).toBe(0);
  });

  it('RX: IDLE after an idle frame, once per reception, cleared by SR then DR', () => {
    const { u, port, runTo } = setup();
    u.write(CR1, 4, C.UE | C.RE);
    port.inject('x');
    runTo(FRAME);
    u.read(DR, 4);
    runTo(2 * FRAME - 1);
    expect(u.status & S.IDLE).toBe(0);
    runTo(2 * FRAME);
    expect(u.status & S.IDLE).toBe(S.IDLE);
    u.read(SR, 4);
    u.read(DR, 4);
    expect(u.status & S.IDLE).toBe(0);
    runTo(10 * FRAME);
    expect(u.status & S.IDLE).toBe(0); // not again until a new byte
  });

  it('RX: bytes wait in the port until RE is set', () => {
    const { u, port, runTo } = setup();
    u.write(CR1, 4, C.UE);
    port.inject('z');
    runTo(3 * FRAME);
    expect(u.status & S.RXNE).toBe(0);
    u.write(CR1, 4, C.UE | C.RE);
    runTo(4 * FRAME);
    expect(u.read(DR, 4)).toBe(0x7a);
  });

  it('interrupts follow TXEIE, TCIE, RXNEIE (also for ORE), IDLEIE on IRQ 38', () => {
    const { u, port, irqs, runTo } = setup();
    u.write(CR1, 4, C.UE | C.TXEIE);
    expect(irqs.high(38)).toBe(true); // TXE set at reset
    u.write(CR1, 4, C.UE | C.TE | C.TCIE);
    expect(irqs.high(38)).toBe(true); // TC set at reset
    u.read(SR, 4);
    u.write(DR, 4, 1);
    expect(irqs.high(38)).toBe(false);
    runTo(2 * FRAME);
    expect(irqs.high(38)).toBe(true);
    u.write(CR1, 4, C.UE | C.RE | C.RXNEIE);
    expect(irqs.high(38)).toBe(false);
    port.inject('q');
    runTo(3 * FRAME);
    expect(irqs.high(38)).toBe(true);
    u.read(DR, 4);
    expect(irqs.high(38)).toBe(false);
    u.write(CR1, 4, C.UE | C.RE | C.IDLEIE);
    runTo(4 * FRAME);
    expect(irqs.high(38)).toBe(true);
  });

  it('parity: with PCE and M=0 the host sees 7 data bits; a received byte gets its parity bit in bit 7', () => {
    const { u, port, sent, runTo } = setup();
    u.write(CR1, 4, C.UE | C.TE | C.RE | C.PCE); // even parity
    runTo(FRAME);
    u.write(DR, 4, 0xc1);
    port.inject(new Uint8Array([0x03]));
    runTo(2 * FRAME);
    expect(sent).toEqual([[0x41, 2 * FRAME]]);
    expect(u.read(DR, 4)).toBe(0x03); // two ones: even parity bit 0
    u.write(CR1, 4, C.UE | C.TE | C.RE | C.PCE | C.PS); // odd
    port.inject(new Uint8Array([0x03]));
    runTo(3 * FRAME);
    expect(u.read(DR, 4)).toBe(0x83);
  });

  it('DMA requests: TXE with DMAT and RXNE with DMAR, as level changes', () => {
    const { u, port, runTo } = setup();
    const reqs: string[] = [];
    u.onDmaRequest = (r, on) => reqs.push(`${r}=${+on}`);
    u.write(CR1, 4, C.UE | C.TE | C.RE);
    u.write(CR3, 4, (1 << 7) | (1 << 6));
    expect(u.read(CR3, 4)).toBe(0xc0);
    expect(reqs).toEqual(['tx=1']);
    u.write(DR, 4, 0x10);
    expect(reqs).toEqual(['tx=1', 'tx=0']);
    port.inject('r');
    runTo(FRAME);
    expect(reqs).toEqual(['tx=1', 'tx=0', 'tx=1', 'rx=1']);
    u.read(DR, 4);
    expect(reqs.at(-1)).toBe('rx=0');
  });

  it('bit time follows the clock tree: PCLK read live', () => {
    const t = makeCtx({ hclk: 16e6, pclk1: 16e6 });
    const u = new Usart(t.ctx, STM32F411_USARTS[1]!, new UartPort('u'));
    u.write(BRR, 4, 0x8b); // 16 MHz / 139 = 115107 baud
    expect(u.frameCycles).toBe(1390);
    (t.clocks as { pclk1: number }).pclk1 = 8e6; // APB1 prescaler 2: a bit is 139 ticks of 8 MHz = 278 cycles
    expect(u.frameCycles).toBe(2780);
  });
});

describe('reserved offsets', () => {
  it('read 0 and are logged once at warn level', () => {
    const lines: string[] = [];
    const t = makeCtx();
    t.ctx.log = createLogger('warn', 'json', (l) => lines.push(l));
    const u = new Usart(t.ctx, STM32F411_USARTS[0]!, new UartPort('usart1'));
    expect(u.read(0x20, 4)).toBe(0);
    u.write(0x20, 4, 5);
    expect(u.read(0x20, 4)).toBe(0);
    expect(lines.length).toBe(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, device: 'usart1', offset: '0x20' });
  });
});
