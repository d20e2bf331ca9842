/**
 * STM32F411 low-power modes (RM0383 §5.3): WFI/WFE with SCB_SCR.SLEEPDEEP through the machine's deep-sleep
 * hook. Stop: wake-up by interrupt, HSI afterwards (timed in virtual time with lowpower.c). Standby: no
 * interrupt wakes the core; the WKUP pin, the RTC, the IWDG and the reset pin do, with PWR_CSR.SBF/WUF,
 * RCC_CSR flags and SRAM as the manual says.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/core/machine.js';
import { loadImageBytes } from '../../src/image/load.js';
import type { Stm32f411Instance } from '../../src/soc/stm32f411/index.js';
import { F411_BIN } from '../firmware/f411/programs.js';

const RCC_CSR = 0x4002_3874;
const RCC_APB1ENR = 0x4002_3840;
const PWR_CR = 0x4000_7000;
const PWR_CSR = 0x4000_7004;
const SCB_SCR = 0xe000_ed10;
const SYST_CSR = 0xe000_e010;
const SYST_RVR = 0xe000_e014;
const IWDG_KR = 0x4000_3000;
const SBF = 2;
const WUF = 1;
const EWUP = 1 << 8;
const PDDS = 2;
const SLEEPDEEP = 4;
const RCC_FLAGS = 0xfe00_0000;

describe('lowpower.c (Stop, then Standby woken by the RTC)', () => {
  for (const engine of ['interp', 'jit'] as const) it(`sleeps 100 ms in Stop and in Standby, LD2 marking the sleeps; every RM0383 check passes (${engine})`, () => {
    const out: number[] = [];
    const m = new Machine({ board: 'NUCLEO_F411RE', engine, semihosting: { write: (_f, b) => out.push(...b) } });
    m.uart('usart2').onTransmit((b) => out.push(b));
    const soc = m.soc as Stm32f411Instance;
    const pins = m.soc.devices.get('pins') as Map<string, { onChange(l: (level: boolean) => void): void }>;
    const led: [boolean, number][] = [];
    pins.get('PA5')!.onChange((level) => led.push([level, soc.virtualSeconds()]));
    const elf = join(F411_BIN, 'lowpower.elf');
    m.loadImage(loadImageBytes(new Uint8Array(readFileSync(elf)), elf));
    m.reset();
    const r = m.run({ timeoutSeconds: 3 });
    const text = Buffer.from(out).toString('latin1');
    expect(text).not.toContain('FAIL');
    expect(text).toContain('after Standby');
    expect(r.reason).toBe('exit');
    expect(r.exitCode).toBe(0);
    // on (Stop) → off (woken), on (Standby entry; released, a floating pin keeps its level in the net
    // model) → off (restarted program configures PA5) → on → off (done)
    expect(led.map(([l]) => l)).toEqual([true, false, true, false, true, false]);
    const at = led.map(([, t]) => t);
    expect(at[1]! - at[0]!).toBeGreaterThan(0.099);
    expect(at[1]! - at[0]!).toBeLessThan(0.101);
    // The RTC wake-up timer was restarted just before the LED went on: the restart comes 100 ms later.
    expect(at[3]! - at[2]!).toBeGreaterThan(0.099);
    expect(at[3]! - at[2]!).toBeLessThan(0.102);
    expect(at[4]! - at[3]!).toBeLessThan(0.001);
  });
});

/** A machine parked in `wfi; b .` (or `wfe; b .`) at 0x08000104, every exception handler a `bx lr` at 0x08000100. */
function parked(wait: 'wfi' | 'wfe' = 'wfi'): { m: Machine; soc: Stm32f411Instance } {
  const img = new Uint8Array(0x108);
  const v = new DataView(img.buffer);
  v.setUint32(0, 0x2002_0000, true);
  v.setUint32(4, 0x0800_0105, true);
  for (let i = 2; i < 48; i++) v.setUint32(4 * i, 0x0800_0101, true);
  v.setUint16(0x100, 0x4770, true); // bx lr
  v.setUint16(0x104, wait === 'wfi' ? 0xbf30 : 0xbf20, true); // wfi / wfe
  v.setUint16(0x106, 0xe7fd, true); // b wfi
  const m = new Machine({ board: 'NUCLEO_F411RE' });
  m.bus.load(0x0800_0000, img);
  m.reset();
  m.bus.write32(RCC_APB1ENR, m.bus.read32(RCC_APB1ENR) | (1 << 28)); // PWREN
  m.bus.write32(RCC_CSR, m.bus.read32(RCC_CSR) | (1 << 24)); // RMVF: no flags before the test
  return { m, soc: m.soc as Stm32f411Instance };
}

/** Enters Standby with a 1 ms SysTick interrupt running (which must not wake the core). */
function enterStandby(m: Machine): void {
  m.bus.write32(PWR_CR, m.bus.read32(PWR_CR) | PDDS);
  m.bus.write32(SCB_SCR, SLEEPDEEP);
  m.bus.write32(SYST_RVR, 16_000 - 1);
  m.bus.write32(SYST_CSR, 7);
  m.bus.write32(0x2000_8000, 0xdead_beef); // an SRAM word that Standby must lose
  m.run({ timeoutSeconds: 0.01 });
}

describe('Standby (PDDS = 1)', () => {
  it('ignores pending interrupts: the core stays off, SBF is set at entry, the I/Os are released', () => {
    const { m, soc } = parked();
    m.bus.write32(0x4002_3830, 1); // GPIOAEN
    m.bus.write32(0x4002_0000, m.bus.read32(0x4002_0000) | (1 << 10)); // PA5 output
    m.bus.write32(0x4002_0018, 1 << 5); // PA5 high (LD2 on)
    const pa5 = (m.soc.devices.get('pins') as Map<string, { driven: boolean }>).get('PA5')!;
    expect(pa5.driven).toBe(true);
    enterStandby(m);
    expect(pa5.driven).toBe(false); // high impedance in Standby
    expect(soc.pwr.standby).toBe(true);
    expect(m.cpu.sleeping).toBe(true);
    expect(m.cpu.pc).toBe(0x0800_0106);
    expect(m.bus.read32(PWR_CSR) & SBF).toBe(SBF);
    expect(m.bus.read32(SYST_CSR) & (1 << 16)).not.toBe(0); // SysTick did count down meanwhile
    m.run({ timeoutSeconds: 0.05 });
    expect(m.cpu.pc).toBe(0x0800_0106);
    expect(m.bus.read32(0x2000_8000) >>> 0).toBe(0xdead_beef);
  });

  it('WKUP pin rising edge with EWUP: reset with SBF and WUF, SRAM lost, no RCC_CSR flag', () => {
    const { m, soc } = parked();
    m.bus.write32(PWR_CSR, EWUP);
    enterStandby(m);
    const pa0 = (m.soc.devices.get('pins') as Map<string, { drive(s: string, l: boolean): void }>).get('PA0')!;
    pa0.drive('test', true);
    const resets = m.cpu.instructions;
    m.run({ timeoutSeconds: 0.001 });
    expect(soc.pwr.standby).toBe(false);
    expect(m.cpu.instructions).toBeGreaterThan(resets); // restarted: ran to its WFI again
    expect(m.bus.read32(0x2000_8000)).toBe(0);
    expect(m.bus.read32(SCB_SCR)).toBe(0);
    m.bus.write32(RCC_APB1ENR, 1 << 28);
    expect(m.bus.read32(PWR_CSR) & (SBF | WUF)).toBe(SBF | WUF);
    expect(m.bus.read32(PWR_CSR) & EWUP).toBe(0); // PWR registers back to reset values
    expect(m.bus.read32(RCC_CSR) & RCC_FLAGS).toBe(0);
    expect(m.cpu.pc).toBe(0x0800_0106); // parked in WFI again, an ordinary sleep now
  });

  it('setting EWUP while WKUP is already high is a wake-up event', () => {
    const { m, soc } = parked();
    const pa0 = (m.soc.devices.get('pins') as Map<string, { drive(s: string, l: boolean): void }>).get('PA0')!;
    pa0.drive('test', true);
    enterStandby(m);
    expect(soc.pwr.standby).toBe(true); // EWUP is 0: the high pin is not a source
    m.bus.write32(PWR_CSR, EWUP);
    m.run({ timeoutSeconds: 0.001 });
    expect(soc.pwr.standby).toBe(false);
    m.bus.write32(RCC_APB1ENR, 1 << 28);
    expect(m.bus.read32(PWR_CSR) & (SBF | WUF)).toBe(SBF | WUF);
  });

  it('IWDG timeout wakes it with IWDGRSTF (SBF kept, WUF clear)', () => {
    const { m, soc } = parked();
    m.bus.write32(IWDG_KR, 0xcccc); // start: 4096 × 4 / 32 kHz = 512 ms at reset values
    enterStandby(m);
    m.run({ timeoutSeconds: 0.6 });
    expect(soc.pwr.standby).toBe(false);
    m.bus.write32(RCC_APB1ENR, 1 << 28);
    expect(m.bus.read32(RCC_CSR) & RCC_FLAGS).toBe((1 << 29) | (1 << 26)); // IWDGRSTF | PINRSTF
    expect(m.bus.read32(PWR_CSR) & (SBF | WUF)).toBe(SBF);
  });

  it('the reset pin wakes it with PINRSTF; a power-on reset clears SBF', () => {
    const { m, soc } = parked();
    enterStandby(m);
    m.reset('pin');
    m.run({ timeoutSeconds: 0.001 });
    expect(soc.pwr.standby).toBe(false);
    expect(m.cpu.pc).toBe(0x0800_0106);
    m.bus.write32(RCC_APB1ENR, 1 << 28);
    expect(m.bus.read32(RCC_CSR) & RCC_FLAGS).toBe(1 << 26);
    expect(m.bus.read32(PWR_CSR) & SBF).toBe(SBF);
    m.reset('power-on');
    m.bus.write32(RCC_APB1ENR, 1 << 28);
    expect(m.bus.read32(PWR_CSR) & SBF).toBe(0);
  });

  it('WFI without SLEEPDEEP is an ordinary sleep even with PDDS set (SysTick wakes the core)', () => {
    const { m, soc } = parked();
    m.bus.write32(PWR_CR, m.bus.read32(PWR_CR) | PDDS);
    m.bus.write32(SYST_RVR, 16_000 - 1);
    m.bus.write32(SYST_CSR, 7);
    const before = m.cpu.instructions;
    m.run({ timeoutSeconds: 0.01 });
    expect(soc.pwr.standby).toBe(false);
    expect(m.bus.read32(PWR_CSR) & SBF).toBe(0);
    expect(m.cpu.instructions - before).toBeGreaterThanOrEqual(20); // ~10 wake-ups: handler + loop
  });
});

describe('Stop (PDDS = 0)', () => {
  it('SysTick does not wake the core (its clock is stopped); an EXTI line does, and the clock is then the HSI', () => {
    const { m, soc } = parked();
    m.bus.write32(0x4002_3800, m.bus.read32(0x4002_3800) | (1 << 18) | (1 << 16)); // HSEBYP | HSEON
    m.run({ timeoutSeconds: 0.001 });
    m.bus.write32(0x4002_3808, 1); // SW = HSE
    expect(soc.rcc.clocks.hclk).toBe(8_000_000);
    m.bus.write32(SCB_SCR, SLEEPDEEP);
    m.bus.write32(SYST_RVR, 8000 - 1); // 1 ms at 8 MHz, interrupt enabled
    m.bus.write32(SYST_CSR, 7);
    const asleep = m.cpu.instructions;
    m.run({ timeoutSeconds: 0.005 });
    expect(m.cpu.sleeping).toBe(true);
    expect(m.cpu.instructions - asleep).toBeLessThanOrEqual(1); // at most the WFI: no SysTick handler ran
    expect(soc.rcc.clocks.hclk).toBe(8_000_000); // still asleep: the switch happens at wake-up
    m.bus.write32(SYST_CSR, 0);
    m.bus.write32(0xe000_ed04, 1 << 25); // ICSR.PENDSTCLR
    m.bus.write32(0xe000_e100, 1 << 6); // NVIC: EXTI0 (IRQ 6)
    m.bus.write32(0x4001_3c00, 1); // EXTI_IMR line 0
    m.bus.write32(0x4001_3c10, 1); // EXTI_SWIER line 0 → PR
    m.run({ timeoutSeconds: 0.0001 });
    expect(m.cpu.instructions).toBeGreaterThan(asleep + 1);
    expect(soc.rcc.clocks.hclk).toBe(16_000_000);
    expect(m.bus.read32(0x4002_3808) & 0xf).toBe(0); // SW = SWS = HSI
    expect(m.bus.read32(0x4002_3800) & ((1 << 16) | (1 << 17))).toBe(0);
    expect(m.bus.read32(PWR_CSR) & SBF).toBe(0);
  });

  it('WFE: an EXTI event line (EMR) wakes the core through its event input; a line without IMR/EMR does not', () => {
    const { m, soc } = parked('wfe');
    m.bus.write32(0x4002_3844, 1 << 14); // SYSCFGEN
    m.bus.write32(SCB_SCR, SLEEPDEEP);
    m.run({ timeoutSeconds: 0.002 });
    const asleep = m.cpu.instructions;
    m.bus.write32(0x4001_3c10, 1); // SWIER line 0 with IMR = EMR = 0: nothing
    m.run({ timeoutSeconds: 0.002 });
    expect(m.cpu.instructions).toBe(asleep);
    expect(m.cpu.sleeping).toBe(true);
    m.bus.write32(0x4001_3c04, 2); // EMR line 1 (SWIER bit 0 stays set without IMR, as on the chip)
    m.bus.write32(0x4001_3c10, 3); // SWIER line 1 → event
    m.run({ timeoutSeconds: 0.0001 });
    expect(m.cpu.instructions - asleep).toBe(2); // woke: `b` back to the WFE, which sleeps again
    expect(m.bus.read32(0x4001_3c14) & 3).toBe(0); // no PR: an event, not an interrupt
    expect(soc.pwr.standby).toBe(false);
  });
});
