/** STM32F411 USB OTG FS register block (RM0383 §22.16): reset values, soft reset/flush polls that finish, CMOD, IRQ 67. */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/core/machine.js';
import { Stm32OtgFs } from '../../src/soc/stm32f411/otg-fs.js';

function setup() {
  let irq = false;
  const otg = new Stm32OtgFs({ set: (l) => (irq = l) });
  return { otg, irq: () => irq };
}

describe('STM32F411 USB OTG FS registers', () => {
  it('reads the RM0383 reset values', () => {
    const { otg } = setup();
    const r = (o: number) => otg.read(o, 4) >>> 0;
    expect(r(0x03c)).toBe(0x0000_1200); // CID
    expect(r(0x010)).toBe(0x8000_0000); // GRSTCTL: AHBIDL
    expect(r(0x014)).toBe(0x0400_0020); // GINTSTS: PTXFE | NPTXFE, CMOD = device
    expect(r(0x00c)).toBe(0x0000_0a00); // GUSBCFG
    expect(r(0x024)).toBe(0x0000_0200); // GRXFSIZ
    expect(r(0x02c)).toBe(0x0008_0200); // HNPTXSTS
    expect(r(0x404)).toBe(0x0000_ea60); // HFIR
    expect(r(0x800)).toBe(0x0220_0000); // DCFG
    expect(r(0x808)).toBe(0x0000_0010); // DSTS
    expect(r(0xb00)).toBe(0x0000_8000); // DOEPCTL0: USBAEP
  });

  it('finishes a core soft reset and FIFO flushes at once, keeping AHBIDL', () => {
    const { otg } = setup();
    otg.write(0x014, 4, 0xffff_ffff); // clear what can be cleared
    otg.write(0x010, 4, 1); // CSRST
    expect(otg.read(0x010, 4) >>> 0).toBe(0x8000_0000);
    expect(otg.read(0x014, 4) >>> 0).toBe(0x0400_0020);
    otg.write(0x010, 4, (0x10 << 6) | (1 << 5)); // TXFFLSH, all FIFOs
    expect(otg.read(0x010, 4) & (1 << 5)).toBe(0);
    expect((otg.read(0x010, 4) >>> 6) & 0x1f).toBe(0x10);
  });

  it('reports host or device mode in GINTSTS.CMOD and raises IRQ 67 only for unmasked, enabled interrupts', () => {
    const { otg, irq } = setup();
    otg.write(0x00c, 4, (otg.read(0x00c, 4) | (1 << 29)) >>> 0); // FHMOD
    expect(otg.read(0x014, 4) & 1).toBe(1);
    otg.write(0x00c, 4, (otg.read(0x00c, 4) & ~(1 << 29)) | (1 << 30)); // FDMOD
    expect(otg.read(0x014, 4) & 1).toBe(0);
    otg.write(0x018, 4, 1 << 5); // NPTXFEM
    expect(irq()).toBe(false);
    otg.write(0x008, 4, 1); // GINT
    expect(irq()).toBe(true);
    otg.write(0x018, 4, 1 << 12); // USBRST only: never happens without a bus
    expect(irq()).toBe(false);
  });

  it('is mapped at 0x50000000 behind RCC_AHB2ENR.OTGFSEN', () => {
    const m = new Machine({ board: 'NUCLEO_F411RE' });
    expect(m.bus.read32(0x5000_003c)).toBe(0);
    m.bus.write32(0x4002_3834, 1 << 7);
    expect(m.bus.read32(0x5000_003c)).toBe(0x1200);
    expect(m.bus.read32(0x5000_1000)).toBe(0); // FIFO window
  });
});
