/**
 * The `mps2-an386` machine as QEMU defines it (hw/arm/mps2.c, FPGA image AN386: Cortex-M4F on the ARM
 * MPS2 board), built from the facts of QEMU's model and ARM's AN386 / CMSDK documentation.
 *
 * Memory map (QEMU's; the AN386 PSRAM is at 0x21000000 here, unlike the AN500's 0x60000000):
 *   0x00000000  4 MiB  ZBT SSRAM1 (code; reset vector table at 0)      0x00400000  its mirror
 *   0x01000000 16 KiB  block RAM, mirrored at +0x4000, +0x8000, +0xC000
 *   0x20000000  4 MiB  ZBT SSRAM2&3                                      0x20400000  its mirror
 *   0x21000000 16 MiB  PSRAM
 *   0x22000000 / 0x42000000  bit-band aliases of 0x20000000 / 0x40000000 (1 MiB each, Cortex-M4)
 *   0x40000000 CMSDK APB: timer0 (IRQ 8), timer1 (IRQ 9), dual timer (IRQ 10), UART0-4 at 0x40004000,
 *              0x40005000, 0x40006000, 0x40007000, 0x40009000 (RX/TX IRQs 0/1, 2/3, 4/5, 18/19, 20/21;
 *              overruns of UART0-2 ORed onto IRQ 12), watchdog 0x40008000 (NMI)
 *   0x40020000 SPI (PL022) x5 and I2C (SBCon) x4, 0x40028000 FPGA I/O, 0x4002F000 SCC
 * QEMU maps the reserved gaps, the AHB GPIO, I2S and VGA windows as unimplemented devices (read zero,
 * ignore writes); so do we. We also map the LAN9118 Ethernet window that way (QEMU models the chip).
 * Anything else is unmapped and BusFaults.
 * The NVIC (32 IRQs; QEMU 7.2 implements all 8 priority bits) and SysTick belong to the core system.
 */
import type { Bus } from '../../core/bus.js';
import { RegionKind } from '../../core/bus.js';
import { IrqLine } from '../../core/irq.js';
import type { SocContext, SocFactory, SocInstance } from '../../core/soc.js';
import { CmsdkDualTimer } from './cmsdk-dualtimer.js';
import { CmsdkTimer } from './cmsdk-timer.js';
import { CmsdkUart } from './cmsdk-uart.js';
import { CmsdkWatchdog } from './cmsdk-watchdog.js';
import { Mps2FpgaIo } from './fpgaio.js';
import { addQemuBitBand } from './bitband.js';
import { IrqOrGate } from './irq-or.js';
import { Pl022 } from './pl022.js';
import { SbCon } from './sbcon.js';
import { CMSDK_ID_RANGE, QemuAccess } from './qemu-access.js';
import { AN386_SCC, Mps2Scc } from './scc.js';
import { RazWi } from './unimplemented.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export const AN386 = {
  SSRAM1: 0x0000_0000,
  SSRAM1_MIRROR: 0x0040_0000,
  BLOCKRAM: 0x0100_0000,
  SSRAM23: 0x2000_0000,
  SSRAM23_MIRROR: 0x2040_0000,
  PSRAM: 0x2100_0000,
  TIMER0: 0x4000_0000,
  TIMER1: 0x4000_1000,
  DUALTIMER: 0x4000_2000,
  UART: [0x4000_4000, 0x4000_5000, 0x4000_6000, 0x4000_7000, 0x4000_9000] as const,
  WATCHDOG: 0x4000_8000,
  FPGAIO: 0x4002_8000,
  SCC: 0x4002_f000,
  /** RX interrupt of UART n; its TX interrupt is one more. */
  UART_RX_IRQ: [0, 2, 4, 18, 20] as const,
  UART_OVERRUN_IRQ: 12,
  TIMER0_IRQ: 8,
  TIMER1_IRQ: 9,
  DUALTIMER_IRQ: 10,
  ETHERNET_IRQ: 13,
  /** PL022 interrupts: APB+LCD SPI (ORed), ADC SPI, shield SPIs (ORed). */
  SPI_IRQ: [11, 22, 24] as const,
  /** The watchdog drives NMI: exception 2, i.e. interrupt number 2 - 16 on the controller's numbering. */
  NMI_IRQ: -14,
} as const;

/** QEMU's unimplemented-device windows (reserved space and devices we do not model). */
const UNIMPLEMENTED: readonly [string, number, number][] = [
  ['reserved-1', 0x0080_0000, 0x0080_0000],
  ['reserved-2', 0x0101_0000, 0x1eff_0000],
  ['reserved-3', 0x2080_0000, 0x0080_0000],
  ['cmsdk-apb', 0x4000_0000, 0x0001_0000],
  ['cmsdk-ahb', 0x4001_0000, 0x0001_0000], // includes the four AHB GPIOs (unimplemented in QEMU too)
  ['extra-peripherals', 0x4002_0000, 0x0001_0000], // gaps between SPI, I2C, FPGAIO, SCC; I2S (unimplemented in QEMU too)
  ['reserved-4', 0x4003_0000, 0x001d_0000],
  ['ethernet-lan9118', 0x4020_0000, 0x100], // not modelled
  ['vga', 0x4100_0000, 0x0020_0000],
];

/** Maps RAZ/WI over the parts of [base, base+size) that no region covers yet. */
function fillUnimplemented(bus: Bus, name: string, base: number, size: number): RazWi {
  const handler = new RazWi(name);
  const end = base + size;
  const taken = bus
    .allRegions()
    .filter((r) => r.base < end && r.end > base)
    .map((r) => [r.base, r.end] as const)
    .sort((a, b) => a[0] - b[0]);
  let at = base;
  let n = 0;
  for (const [b, e] of taken) {
    if (b > at) bus.addMmio(`${name}#${n++}`, at, b - at, handler);
    at = Math.max(at, e);
  }
  if (at < end) bus.addMmio(`${name}#${n}`, at, end - at, handler);
  return handler;
}

export const createMps2An386: SocFactory = (ctx: SocContext): SocInstance => {
  const { bus, scheduler } = ctx;
  const devices = new Map<string, unknown>();

  // Memories.
  const ssram1 = bus.addRam('ssram1', AN386.SSRAM1, 4 * MiB);
  bus.addAlias('ssram1-mirror', AN386.SSRAM1_MIRROR, ssram1, 0, 4 * MiB, RegionKind.RAM);
  const blockram = bus.addRam('blockram', AN386.BLOCKRAM, 16 * KiB);
  for (let i = 1; i < 4; i++) bus.addAlias(`blockram-mirror${i}`, AN386.BLOCKRAM + i * 16 * KiB, blockram, 0, 16 * KiB, RegionKind.RAM);
  const ssram23 = bus.addRam('ssram23', AN386.SSRAM23, 4 * MiB);
  bus.addAlias('ssram23-mirror', AN386.SSRAM23_MIRROR, ssram23, 0, 4 * MiB, RegionKind.RAM);
  bus.addRam('psram', AN386.PSRAM, 16 * MiB);
  devices.set('ssram1', ssram1);
  devices.set('ssram23', ssram23);

  // Interrupts.
  const line = (n: number) => new IrqLine(ctx.irq, n);
  const overrun = new IrqOrGate(line(AN386.UART_OVERRUN_IRQ));

  // CMSDK APB subsystem.
  const uarts: CmsdkUart[] = [];
  AN386.UART.forEach((base, i) => {
    const rxIrq = AN386.UART_RX_IRQ[i]!;
    const u = new CmsdkUart(ctx.uart(`uart${i}`), {
      rx: line(rxIrq),
      tx: line(rxIrq + 1),
      // Only UART0-2 have their overrun interrupts wired (to the OR gate); UART3/4's go nowhere.
      txOverrun: i < 3 ? overrun.input(i * 2) : null,
      rxOverrun: i < 3 ? overrun.input(i * 2 + 1) : null,
    });
    bus.addMmio(`uart${i}`, base, 0x1000, new QemuAccess(u.regs, CMSDK_ID_RANGE));
    devices.set(`uart${i}`, u);
    uarts.push(u);
  });
  const timer0 = new CmsdkTimer(scheduler, 'timer0', line(AN386.TIMER0_IRQ));
  const timer1 = new CmsdkTimer(scheduler, 'timer1', line(AN386.TIMER1_IRQ));
  const dualtimer = new CmsdkDualTimer(scheduler, 'dualtimer', line(AN386.DUALTIMER_IRQ));
  const watchdog = new CmsdkWatchdog(scheduler, 'watchdog', line(AN386.NMI_IRQ));
  watchdog.onResetRequest = () => ctx.log.warn('watchdog requested a system reset (not performed: no reset line in the SoC contract)');
  // Byte/halfword accesses behave as in QEMU's models (see qemu-access.ts).
  bus.addMmio('timer0', AN386.TIMER0, 0x1000, new QemuAccess(timer0.regs, CMSDK_ID_RANGE));
  bus.addMmio('timer1', AN386.TIMER1, 0x1000, new QemuAccess(timer1.regs, CMSDK_ID_RANGE));
  bus.addMmio('dualtimer', AN386.DUALTIMER, 0x1000, new QemuAccess(dualtimer.regs, CMSDK_ID_RANGE));
  bus.addMmio('watchdog', AN386.WATCHDOG, 0x1000, new QemuAccess(watchdog.regs, CMSDK_ID_RANGE));

  // FPGA APB subsystem.
  const scc = new Mps2Scc(AN386_SCC);
  const fpgaio = new Mps2FpgaIo(scheduler, ctx.cpuHz);
  bus.addMmio('scc', AN386.SCC, 0x1000, new QemuAccess(scc.regs, null));
  bus.addMmio('fpgaio', AN386.FPGAIO, 0x1000, new QemuAccess(fpgaio.regs, null));

  // SPI (PL022): the ADC one alone on IRQ 22, the APB/LCD pair ORed on IRQ 11, the shield pair on IRQ 24.
  const spiOr11 = new IrqOrGate(line(AN386.SPI_IRQ[0]));
  const spiOr24 = new IrqOrGate(line(AN386.SPI_IRQ[2]));
  const spis: [string, number, { set(level: boolean): void }][] = [
    ['spi-apb', 0x4002_0000, spiOr11.input(0)],
    ['spi-lcd', 0x4002_1000, spiOr11.input(1)],
    ['spi-adc', 0x4002_5000, line(AN386.SPI_IRQ[1])],
    ['spi-shield0', 0x4002_6000, spiOr24.input(0)],
    ['spi-shield1', 0x4002_7000, spiOr24.input(1)],
  ];
  const resettableExtra: { reset(): void }[] = [];
  for (const [name, base, irqOut] of spis) {
    const spi = new Pl022(irqOut);
    bus.addMmio(name, base, 0x1000, new QemuAccess(spi.regs, [0xfe0, 0xfff]));
    devices.set(name, spi);
    resettableExtra.push(spi);
  }
  // I2C (SBCon): touch, audio, shield0, shield1; no interrupts.
  for (const [name, base] of [['i2c-touch', 0x4002_2000], ['i2c-audio', 0x4002_3000], ['i2c-shield0', 0x4002_9000], ['i2c-shield1', 0x4002_a000]] as const) {
    const i2c = new SbCon();
    bus.addMmio(name, base, 0x1000, i2c);
    devices.set(name, i2c);
    resettableExtra.push(i2c);
  }

  for (const [name, base, size] of UNIMPLEMENTED) fillUnimplemented(bus, name, base, size);

  // Cortex-M4 bit-band: 1 MiB of SRAM and of peripherals, each bit a word in a 32 MiB alias.
  addQemuBitBand(bus, 'bitband-sram', 0x2200_0000, 0x2000_0000, 1 * MiB);
  addQemuBitBand(bus, 'bitband-periph', 0x4200_0000, 0x4000_0000, 1 * MiB);

  const resettable = [...uarts, timer0, timer1, dualtimer, watchdog, scc, fpgaio, ...resettableExtra];
  for (const [k, v] of Object.entries({ timer0, timer1, dualtimer, watchdog, scc, fpgaio })) devices.set(k, v);

  const soc: SocInstance = {
    resetVectorBase: AN386.SSRAM1,
    devices,
    reset() {
      for (const d of resettable) d.reset();
    },
  };
  soc.reset();
  return soc;
};
