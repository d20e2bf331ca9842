/** The mps2-an386 memory map and wiring, checked against QEMU's hw/arm/mps2.c facts. */
import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/core/bus.js';
import { BusError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { UartPort } from '../../src/core/uart-port.js';
import { AN386, createMps2An386 } from '../../src/soc/mps2/an386.js';
import { loadBoard } from '../../src/boards/board.js';
import { clocked, RecordingIrq } from './mps2-helpers.js';

function build() {
  const bus = new Bus();
  const c = clocked();
  const irq = new RecordingIrq();
  const ports = new Map<string, UartPort>();
  const soc = createMps2An386(
    {
      bus,
      scheduler: c.scheduler,
      irq,
      log: silentLogger(),
      cpuHz: 25_000_000,
      uart(label) {
        let p = ports.get(label);
        if (!p) ports.set(label, (p = new UartPort(label)));
        return p;
      },
    },
    {},
  );
  return { bus, soc, irq, ports, ...c };
}

function faults(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch (e) {
    if (e instanceof BusError) return true;
    throw e;
  }
}

describe('mps2-an386 memory map', () => {
  it('boots from SSRAM1 at 0 and mirrors it at 0x00400000', () => {
    const { bus, soc } = build();
    expect(soc.resetVectorBase).toBe(0);
    bus.write32(0x0000_0100, 0x1234_5678);
    expect(bus.read32(0x0040_0100)).toBe(0x1234_5678);
    bus.write32(0x007f_fffc, -1);
    expect(bus.read32(0x003f_fffc)).toBe(-1);
  });

  it('has 16 KiB block RAM at 0x01000000 with three mirrors', () => {
    const { bus } = build();
    bus.write8(0x0100_0010, 0xab);
    for (const m of [0x0100_4010, 0x0100_8010, 0x0100_c010]) expect(bus.read8(m)).toBe(0xab);
  });

  it('has SSRAM2&3 at 0x20000000 (mirrored at 0x20400000) and 16 MiB PSRAM at 0x21000000', () => {
    const { bus } = build();
    bus.write32(0x2000_0040, 0x0bad_cafe);
    expect(bus.read32(0x2040_0040)).toBe(0x0bad_cafe);
    bus.write32(0x21ff_fffc, 0x600d);
    expect(bus.read32(0x21ff_fffc)).toBe(0x600d);
  });

  it('reads zero and ignores writes in QEMU\'s unimplemented windows, BusFaults elsewhere', () => {
    const { bus } = build();
    for (const a of [0x0080_0000, 0x0101_0000, 0x1fff_fffc, 0x2080_0000, 0x4000_3000, 0x4001_0000, 0x4002_4000, 0x4002_b000, 0x4003_0000, 0x4020_0000, 0x4100_0000]) {
      bus.write32(a, 0xffff_ffff);
      expect(bus.read32(a)).toBe(0);
    }
    for (const a of [0x2400_0000, 0x3000_0000, 0x4020_0100, 0x4120_0000, 0x5000_0010, 0x6000_0000, 0xa000_0000]) {
      expect(faults(() => bus.read32(a))).toBe(true);
    }
  });

  it('has the Cortex-M4 bit-band aliases over SRAM and peripherals', () => {
    const { bus } = build();
    bus.write32(0x2000_0004, 0);
    bus.write32(0x2200_0000 + 4 * 32 + 3 * 4, 1); // bit 3 of byte 0x20000004
    expect(bus.read32(0x2000_0004)).toBe(8);
    expect(bus.read32(0x2200_0000 + 4 * 32 + 3 * 4)).toBe(1);
    // Peripheral alias: SCC_ID bit 5 (0x41043860 has bit 5 set, bit 0 clear).
    const sccId = 0x4002_fffc - 0x4000_0000;
    expect(bus.read32(0x4200_0000 + sccId * 32 + 5 * 4)).toBe(1);
    expect(bus.read32(0x4200_0000 + sccId * 32)).toBe(0);
    // Bit 11 lives in byte 1: a word alias access reads the whole register (a byte read at +1 would give 0).
    expect(bus.read32(0x4200_0000 + sccId * 32 + 11 * 4)).toBe(1);
    expect(bus.read32(0x4200_0000 + sccId * 32 + 10 * 4)).toBe(0);
  });
});

describe('mps2-an386 devices', () => {
  it('identifies as AN386 in the SCC', () => {
    const { bus } = build();
    expect(bus.read32(0x4002_fffc) >>> 0).toBe(0x4104_3860);
    expect(bus.read32(0x4002_fff8)).toBe(0x0020_0008);
    expect(bus.read32(0x4002_f010)).toBe(2); // CFG_REG4
    expect(bus.read32(0x4002_f0a8)).toBe(0x10_0000); // SYS_CFGCTRL reset
    // Configuration channel: read OSCCLK[2] (function 1, device 2).
    bus.write32(0x4002_f0a8, (1 << 31) | (1 << 20) | 2);
    expect(bus.read32(0x4002_f0ac)).toBe(1); // DONE
    expect(bus.read32(0x4002_f0a0)).toBe(25_000_000);
    bus.write32(0x4002_f0a8, (1 << 31) | (2 << 20) | 0); // bad function → DONE | ERROR
    expect(bus.read32(0x4002_f0ac)).toBe(3);
  });

  it('routes UART bytes to uartN ports and their interrupts to QEMU\'s IRQ numbers', () => {
    const { bus, ports, irq } = build();
    const out: string[] = [];
    ports.get('uart3')!.onTransmit((b) => out.push(String.fromCharCode(b)));
    const base = AN386.UART[3];
    bus.write32(base + 0x08, 0x5); // TX_EN | TX_INTEN
    bus.write32(base, 0x68);
    expect(out.join('')).toBe('h');
    expect(irq.high(19)).toBe(true); // UART3 TX = 18 + 1
    ports.get('uart4')!.inject('x');
    bus.write32(AN386.UART[4] + 0x08, 0xa); // RX_EN | RX_INTEN
    expect(irq.high(20)).toBe(true);
    expect(bus.read32(AN386.UART[4])).toBe(0x78);
  });

  it('ORs the UART0-2 overrun interrupts onto IRQ 12 (UART3/4 not wired)', () => {
    const { bus, irq } = build();
    bus.write32(AN386.UART[1] + 0x08, 0x10); // TXO_INTEN, TX disabled
    bus.write32(AN386.UART[1], 1);
    bus.write32(AN386.UART[1], 2); // overrun
    expect(irq.high(12)).toBe(true);
    bus.write32(AN386.UART[3] + 0x08, 0x10);
    bus.write32(AN386.UART[3], 1);
    bus.write32(AN386.UART[3], 2);
    bus.write32(AN386.UART[1] + 0x0c, 4); // clear UART1 TXO
    expect(irq.high(12)).toBe(false);
  });

  it('wires timer0/1 and the dual timer to IRQs 8, 9, 10', () => {
    const { bus, irq, advance } = build();
    bus.write32(AN386.TIMER0 + 8, 10);
    bus.write32(AN386.TIMER0, 9);
    bus.write32(AN386.TIMER1 + 8, 20);
    bus.write32(AN386.TIMER1, 9);
    bus.write32(AN386.DUALTIMER, 30);
    bus.write32(AN386.DUALTIMER + 8, 0xe2);
    advance(10);
    expect([irq.high(8), irq.high(9), irq.high(10)]).toEqual([true, false, false]);
    advance(10);
    expect([irq.high(8), irq.high(9), irq.high(10)]).toEqual([true, true, false]);
    advance(10);
    expect(irq.high(10)).toBe(true);
  });

  it('counts FPGAIO CLK100HZ and COUNTER in virtual time; LED0 keeps 2 bits', () => {
    const { bus, advance } = build();
    advance(25_000_000 / 100 * 3 + 5);
    expect(bus.read32(AN386.FPGAIO + 0x14)).toBe(3);
    expect(bus.read32(AN386.FPGAIO + 0x10)).toBe(0);
    expect(bus.read32(AN386.FPGAIO + 0x18)).toBe(750_005); // PRESCALE 0: +1 per 25 MHz tick
    bus.write32(AN386.FPGAIO + 0x1c, 4); // PRESCALE 4: COUNTER +1 every 5 ticks
    bus.write32(AN386.FPGAIO + 0x18, 0);
    bus.write32(AN386.FPGAIO + 0x20, 4);
    advance(50);
    expect(bus.read32(AN386.FPGAIO + 0x18)).toBe(10);
    bus.write32(AN386.FPGAIO, 0xff);
    expect(bus.read32(AN386.FPGAIO)).toBe(3);
  });

  it('answers byte and halfword accesses the way QEMU\'s device models do', () => {
    const { bus } = build();
    // SCC (no ID range): lane 0 gives the low byte/halfword of the register, other lanes read 0.
    expect([0, 1, 2, 3].map((i) => bus.read8(0x4002_fffc + i))).toEqual([0x60, 0, 0, 0]);
    expect([bus.read16(0x4002_fffc), bus.read16(0x4002_fffe)]).toEqual([0x3860, 0]);
    // CMSDK timer: unaligned offsets inside 0xFD0-0xFFC still hit the ID word.
    expect([bus.read8(AN386.TIMER0 + 0xfe0), bus.read8(AN386.TIMER0 + 0xfe1)]).toEqual([0x22, 0x22]);
    // A byte store at lane 0 writes the zero-extended byte to the whole register; other lanes are ignored.
    bus.write32(AN386.TIMER0 + 8, 0x1122_3344);
    bus.write8(AN386.TIMER0 + 8, 0x55);
    expect(bus.read32(AN386.TIMER0 + 8)).toBe(0x55);
    bus.write8(AN386.TIMER0 + 9, 0x66);
    expect(bus.read32(AN386.TIMER0 + 8)).toBe(0x55);
    bus.write32(AN386.DUALTIMER, 0x1122_3344);
    bus.write8(AN386.DUALTIMER + 1, 0x55);
    expect(bus.read32(AN386.DUALTIMER)).toBe(0x1122_3344);
    expect(bus.read8(AN386.DUALTIMER + 1)).toBe(0);
  });

  it('has PL022 SPI ports (no slave: transfers read 0, loopback echoes) on IRQs 11/22/24', () => {
    const { bus, irq } = build();
    const spi = 0x4002_5000;
    expect(bus.read32(spi + 0x0c)).toBe(0x3); // SR: TFE | TNF
    expect(bus.read32(spi + 0x18)).toBe(0x8); // RIS: TX
    expect([0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0].map((o) => bus.read32(spi + o))).toEqual([0x22, 0x10, 0x04, 0x00, 0x0d]);
    bus.write32(spi, 0x7); // 8-bit frames
    bus.write32(spi + 8, 0x1a5); // queued while disabled, masked to 8 bits
    expect(bus.read32(spi + 0x0c)).toBe(0x12); // TNF | BSY
    bus.write32(spi + 4, 0x3); // SSE | LBM
    expect(bus.read32(spi + 0x0c)).toBe(0x7); // TFE | TNF | RNE
    expect(bus.read32(spi + 8)).toBe(0xa5);
    bus.write32(spi + 4, 0x2); // SSE, no loopback: nothing attached
    bus.write32(spi + 8, 0x42);
    expect(bus.read32(spi + 8)).toBe(0);
    bus.write32(spi + 0x14, 0x8); // TXIM: TX FIFO at most half full → IRQ 22
    expect(irq.high(22)).toBe(true);
    bus.write32(0x4002_0000 + 0x14, 0x8);
    expect(irq.high(11)).toBe(true);
  });

  it('has SBCon I2C controllers whose lines read back as driven', () => {
    const { bus } = build();
    expect(bus.read32(0x4002_2000)).toBe(0);
    bus.write32(0x4002_2000, 0xffff_ffff);
    expect(bus.read32(0x4002_2000)).toBe(3);
    bus.write32(0x4002_2004, 1);
    expect(bus.read32(0x4002_2000)).toBe(2);
  });

  it('reset() returns devices to their reset state', () => {
    const { bus, soc } = build();
    bus.write32(AN386.UART[0] + 0x10, 16);
    bus.write32(0x4002_f004, 3);
    soc.reset();
    expect(bus.read32(AN386.UART[0] + 0x10)).toBe(0);
    expect(bus.read32(0x4002_f004)).toBe(0);
  });
});

describe('boards/mps2-an386.json', () => {
  it('describes the QEMU machine: 25 MHz, console uart0, 32 IRQs', () => {
    const b = loadBoard('mps2-an386');
    expect(b.soc).toBe('mps2-an386');
    expect(b.cpuHz).toBe(25_000_000);
    expect(b.console).toBe('uart0');
    expect(b.nvic).toEqual({ irqs: 32, priorityBits: 8 });
  });
});
