/** STM32F411 RCC and clock tree against RM0383 §6 and the datasheet's start-up times. */
import { describe, expect, it } from 'vitest';
import { IrqLine } from '../../src/core/irq.js';
import { silentLogger } from '../../src/core/logger.js';
import { ahbDivider, apbDivider, computeClocks } from '../../src/soc/stm32f411/clocks.js';
import { BDCR, CR, CSR, RCC_IRQ, Stm32Rcc } from '../../src/soc/stm32f411/rcc.js';
import { clocked, RecordingIrq } from './mps2-helpers.js';

const HSI = 16_000_000;

function build(opts: { hseHz?: number; lseHz?: number } = {}) {
  const c = clocked();
  const irq = new RecordingIrq();
  let dbp = false;
  const rcc = new Stm32Rcc({
    scheduler: c.scheduler,
    log: silentLogger(),
    irq: new IrqLine(irq, RCC_IRQ),
    hseHz: opts.hseHz ?? 8_000_000,
    lseHz: opts.lseHz ?? 32_768,
    backupWritable: () => dbp,
  });
  rcc.reset('power-on');
  const r = rcc.regs;
  const rd = (off: number) => r.read(off, 4);
  const wr = (off: number, v: number) => r.write(off, 4, v >>> 0);
  return { ...c, rcc, irq, rd, wr, setDbp: (v: boolean) => (dbp = v) };
}

/** MicroPython's NUCLEO_F411RE clock set-up: HSE 8 MHz bypass, PLL M=8 N=192 P=2 Q=4, AHB /1, APB1 /4, APB2 /2. */
function nucleoClockSetup(t: ReturnType<typeof build>) {
  t.wr(0x00, t.rd(0x00) | CR.HSEBYP | CR.HSEON);
  t.advance(t.rcc.cyclesFor(1e-6));
  expect(t.rd(0x00) & CR.HSERDY).toBe(CR.HSERDY);
  t.wr(0x04, 8 | (192 << 6) | (0 << 16) | (1 << 22) | (4 << 24));
  t.wr(0x00, t.rd(0x00) | CR.PLLON);
  t.advance(t.rcc.cyclesFor(75e-6));
  expect(t.rd(0x00) & CR.PLLRDY).toBe(CR.PLLRDY);
  t.wr(0x08, (0b101 << 10) | (0b100 << 13) | 2);
}

describe('STM32F411 RCC reset values (RM0383 §6.3)', () => {
  it('resets to HSI on and ready, the documented PLL configuration and the power-on flags', () => {
    const { rd } = build();
    expect(rd(0x00) & 0xff).toBe(0x83); // HSION | HSIRDY | HSITRIM = 0x10
    expect(rd(0x04)).toBe(0x2400_3010);
    expect(rd(0x08)).toBe(0);
    expect(rd(0x0c)).toBe(0);
    for (const off of [0x10, 0x14, 0x20, 0x24, 0x30, 0x34, 0x40, 0x44, 0x70, 0x80, 0x8c]) expect(rd(off)).toBe(0);
    expect(rd(0x74)).toBe(0x0e00_0000); // PORRSTF | PINRSTF | BORRSTF
    expect(rd(0x84)).toBe(0x2400_3010);
    expect(rd(0x54)).toBe(0x80);
    expect(rd(0x60)).toBe(0x10e2_c80f);
  });

  it('runs from HSI at 16 MHz: SYSCLK = HCLK = PCLK1 = PCLK2 = timer clocks', () => {
    const { rcc } = build();
    expect({ ...rcc.clocks }).toMatchObject({ sysclk: HSI, hclk: HSI, pclk1: HSI, pclk2: HSI, timclk1: HSI, timclk2: HSI });
  });
});

describe('STM32F411 oscillators and PLL in virtual time', () => {
  it('sets HSERDY 2 ms (typical crystal start-up) after HSEON, not before', () => {
    const t = build();
    t.wr(0x00, t.rd(0x00) | CR.HSEON);
    t.advance(2e-3 * HSI - 1);
    expect(t.rd(0x00) & CR.HSERDY).toBe(0);
    t.advance(1);
    expect(t.rd(0x00) & CR.HSERDY).toBe(CR.HSERDY);
    t.wr(0x00, t.rd(0x00) & ~CR.HSEON);
    expect(t.rd(0x00) & CR.HSERDY).toBe(0);
  });

  it('never sets HSERDY on a board without HSE', () => {
    const t = build({ hseHz: 0 });
    t.wr(0x00, t.rd(0x00) | CR.HSEON);
    t.advance(HSI); // one second
    expect(t.rd(0x00) & CR.HSERDY).toBe(0);
  });

  it('locks the PLL 75 µs after PLLON; the system clock switches only once the PLL is ready', () => {
    const t = build();
    t.wr(0x00, t.rd(0x00) | CR.HSEBYP | CR.HSEON);
    t.advance(100);
    t.wr(0x04, 8 | (192 << 6) | (1 << 22) | (4 << 24));
    t.wr(0x00, t.rd(0x00) | CR.PLLON);
    t.wr(0x08, 2); // SW = PLL before it is ready
    expect((t.rd(0x08) >>> 2) & 3).toBe(0);
    t.advance(75e-6 * HSI - 1);
    expect(t.rd(0x00) & CR.PLLRDY).toBe(0);
    t.advance(1);
    expect(t.rd(0x00) & CR.PLLRDY).toBe(CR.PLLRDY);
    expect((t.rd(0x08) >>> 2) & 3).toBe(2); // SWS = PLL
    expect(t.rcc.clocks.sysclk).toBe(96_000_000);
  });

  it("computes MicroPython's NUCLEO_F411RE tree: 96 MHz SYSCLK/HCLK, PCLK1 24 MHz, PCLK2 48 MHz, USB 48 MHz", () => {
    const t = build();
    const live = t.rcc.clocks;
    let changes = 0;
    t.rcc.onClockChange(() => changes++);
    nucleoClockSetup(t);
    expect(t.rcc.clocks).toBe(live); // the same live object, updated in place
    expect(live).toMatchObject({ sysclk: 96e6, hclk: 96e6, pclk1: 24e6, pclk2: 48e6, timclk1: 48e6, timclk2: 96e6 });
    expect(t.rcc.tree.pllQ).toBe(48e6);
    expect(t.rcc.tree.pllVco).toBe(192e6);
    expect(changes).toBeGreaterThan(0);
    // USART2 BRR 0xD0 (mantissa 13, fraction 0, OVER8 = 0) gives 115384 Bd from 24 MHz: 0.16 % off 115200.
    expect(Math.abs(live.pclk1 / 0xd0 / 115200 - 1)).toBeLessThan(0.002);
    // Delays now count HCLK cycles: 1 ms is 96000 cycles.
    expect(t.rcc.cyclesFor(1e-3)).toBe(96_000);
  });

  it('integrates virtual seconds over HCLK changes (16 MHz HSI, then the 96 MHz PLL)', () => {
    const t = build();
    t.advance(HSI / 1000); // 1 ms at 16 MHz
    expect(t.rcc.secondsAt()).toBeCloseTo(1e-3, 12);
    nucleoClockSetup(t); // 1 µs + 75 µs at 16 MHz
    const switched = t.clock.cycles;
    expect(t.rcc.secondsAt()).toBeCloseTo(switched / HSI, 12);
    t.advance(96_000_000 / 10); // 100 ms at 96 MHz
    expect(t.rcc.secondsAt()).toBeCloseTo(switched / HSI + 0.1, 12);
  });

  it('keeps the clock that drives SYSCLK running (HSION/PLLON cannot be cleared while in use)', () => {
    const t = build();
    t.wr(0x00, t.rd(0x00) & ~CR.HSION);
    expect(t.rd(0x00) & (CR.HSION | CR.HSIRDY)).toBe(CR.HSION | CR.HSIRDY);
    nucleoClockSetup(t);
    t.wr(0x00, t.rd(0x00) & ~CR.PLLON);
    expect(t.rd(0x00) & CR.PLLRDY).toBe(CR.PLLRDY);
    t.wr(0x00, t.rd(0x00) & ~CR.HSEON);
    expect(t.rd(0x00) & CR.HSERDY).toBe(CR.HSERDY);
    // Back to HSI, then the PLL may stop.
    t.wr(0x08, t.rd(0x08) & ~3);
    expect((t.rd(0x08) >>> 2) & 3).toBe(0);
    t.wr(0x00, t.rd(0x00) & ~CR.PLLON);
    expect(t.rd(0x00) & CR.PLLRDY).toBe(0);
    expect(t.rcc.clocks.sysclk).toBe(HSI);
  });

  it('HSEBYP is writable only while HSE is off', () => {
    const t = build();
    t.wr(0x00, t.rd(0x00) | CR.HSEON);
    t.wr(0x00, t.rd(0x00) | CR.HSEBYP);
    expect(t.rd(0x00) & CR.HSEBYP).toBe(0);
  });

  it('LSI: LSIRDY 15 µs after LSION; LSE (backup domain) needs PWR_CR.DBP and starts in 2 s', () => {
    const t = build();
    t.wr(0x74, CSR.LSION);
    t.advance(15e-6 * HSI);
    expect(t.rd(0x74) & CSR.LSIRDY).toBe(CSR.LSIRDY);
    t.wr(0x70, BDCR.LSEON);
    expect(t.rd(0x70)).toBe(0); // write-protected
    t.setDbp(true);
    t.wr(0x70, BDCR.LSEON | (1 << 8) | BDCR.RTCEN);
    t.advance(2 * HSI - 1);
    expect(t.rd(0x70) & BDCR.LSERDY).toBe(0);
    t.advance(1);
    expect(t.rd(0x70) & BDCR.LSERDY).toBe(BDCR.LSERDY);
    expect(t.rcc.tree.rtcclk).toBe(32_768);
  });

  it('RTCSEL is write-once until a backup domain reset (BDRST clears the whole register)', () => {
    const t = build();
    t.setDbp(true);
    t.wr(0x70, 2 << 8); // RTCSEL = LSI
    t.wr(0x70, 1 << 8);
    expect((t.rd(0x70) >>> 8) & 3).toBe(2);
    t.wr(0x70, BDCR.BDRST | (2 << 8));
    expect(t.rd(0x70)).toBe(BDCR.BDRST);
    t.wr(0x70, 0);
    t.wr(0x70, 1 << 8);
    expect((t.rd(0x70) >>> 8) & 3).toBe(1);
  });

  it('raises the RCC interrupt (IRQ 5) for an enabled ready flag and clears it with xxxRDYC', () => {
    const t = build();
    t.wr(0x0c, 1 << (8 + 3)); // HSERDYIE
    t.wr(0x00, t.rd(0x00) | CR.HSEON);
    t.advance(2e-3 * HSI);
    expect(t.rd(0x0c) & (1 << 3)).toBe(1 << 3);
    expect(t.irq.high(RCC_IRQ)).toBe(true);
    t.wr(0x0c, (1 << (8 + 3)) | (1 << (16 + 3)));
    expect(t.rd(0x0c) & 0xff).toBe(0);
    expect(t.rd(0x0c) >>> 16).toBe(0); // clear bits read 0
    expect(t.irq.high(RCC_IRQ)).toBe(false);
  });
});

describe('STM32F411 clock tree arithmetic (RM0383 §6.3.3, §6.3.25)', () => {
  it('decodes the AHB and APB prescalers (no /32 on AHB)', () => {
    expect([0, 7, 8, 9, 10, 11, 12, 13, 14, 15].map(ahbDivider)).toEqual([1, 1, 2, 4, 8, 16, 64, 128, 256, 512]);
    expect([0, 3, 4, 5, 6, 7].map(apbDivider)).toEqual([1, 1, 2, 4, 8, 16]);
  });

  it('doubles timer clocks when the APB prescaler is not 1; TIMPRE gives HCLK up to /4, else 4×PCLK', () => {
    const base = { cr: 0x83, pllcfgr: 0x2400_3010, pllI2sCfgr: 0, bdcr: 0 };
    const c = (ppre1: number, ppre2: number, timpre: boolean) =>
      computeClocks({ ...base, cfgr: (ppre1 << 10) | (ppre2 << 13), dckcfgr: timpre ? 1 << 24 : 0 }, 0, 0);
    expect(c(0, 0, false)).toMatchObject({ timclk1: HSI, timclk2: HSI });
    expect(c(0b101, 0b100, false)).toMatchObject({ pclk1: 4e6, timclk1: 8e6, pclk2: 8e6, timclk2: 16e6 });
    expect(c(0b101, 0b110, true)).toMatchObject({ timclk1: HSI, pclk2: 2e6, timclk2: 8e6 });
  });

  it("computes the WeAct 25 MHz configuration (M=25 N=192 P=2 Q=4 → 96 MHz, 48 MHz USB)", () => {
    const t = computeClocks(
      { cr: (1 << 17) | 0x83, pllcfgr: 25 | (192 << 6) | (1 << 22) | (4 << 24), cfgr: 0b1000, pllI2sCfgr: 0, dckcfgr: 0, bdcr: 0 },
      25_000_000,
      0,
    );
    expect(t.sysclk).toBe(96e6);
    expect(t.pllQ).toBe(48e6);
  });
});

describe('STM32F411 reset flags and gating', () => {
  it('accumulates reset flags across resets until RMVF; BDCR survives system resets', () => {
    const t = build();
    t.setDbp(true);
    t.wr(0x70, BDCR.LSEON);
    t.rcc.reset('software');
    expect(t.rd(0x74) >>> 24).toBe((CSR.PORRSTF | CSR.PINRSTF | CSR.BORRSTF | CSR.SFTRSTF) >>> 24);
    expect(t.rd(0x70) & BDCR.LSEON).toBe(BDCR.LSEON);
    t.wr(0x74, CSR.RMVF);
    expect(t.rd(0x74)).toBe(0);
    t.rcc.reset('independent-watchdog');
    expect(t.rd(0x74)).toBe((CSR.IWDGRSTF | CSR.PINRSTF) >>> 0);
    t.rcc.reset('pin');
    expect(t.rd(0x74)).toBe((CSR.IWDGRSTF | CSR.PINRSTF) >>> 0);
    t.rcc.reset('power-on');
    expect(t.rd(0x74)).toBe(0x0e00_0000);
    expect(t.rd(0x70)).toBe(0);
  });

  it('reports enables and peripheral resets per bus', () => {
    const t = build();
    const resets: string[] = [];
    t.rcc.onPeripheralReset((bus, bit) => resets.push(`${bus}:${bit}`));
    t.wr(0x40, 1 << 17); // USART2EN
    expect(t.rcc.isEnabled('APB1', 17)).toBe(true);
    expect(t.rcc.isEnabled('APB2', 4)).toBe(false);
    t.wr(0x44, 1 << 31); // not an F411 peripheral: stays 0
    expect(t.rd(0x44)).toBe(0);
    t.wr(0x10, 1 << 2); // GPIOCRST
    t.wr(0x10, 0);
    expect(resets).toEqual(['AHB1:2']);
  });
});
