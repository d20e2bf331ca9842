/** The STM32F411 boards as whole machines: memory map, identification, bit-band, a polling program, resets. */
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../src/boards/board.js';
import { BusError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/logger.js';
import { Machine } from '../../src/core/machine.js';
import type { Stm32f411Instance } from '../../src/soc/stm32f411/index.js';

const HSI = 16_000_000;

function faults(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch (e) {
    if (e instanceof BusError) return true;
    throw e;
  }
}

/** Thumb code at 0x08000100: set RCC_CR.HSEON, poll HSERDY, then sleep in a WFI loop. */
const POLL_HSE = [
  0x4805, // ldr r0, [pc, #20]   → RCC_CR address (0x118)
  0x4a06, // ldr r2, [pc, #24]   → HSEON mask (0x11c)
  0x6801, // ldr r1, [r0]
  0x4311, // orrs r1, r2
  0x6001, // str r1, [r0]
  0x0052, // lsls r2, r2, #1    → HSERDY mask
  0x6801, // loop: ldr r1, [r0]
  0x4211, // tst r1, r2
  0xd0fc, // beq loop
  0xbf30, // park: wfi
  0xe7fd, // b park
  0xbf00, // nop (literal alignment)
];

const RCC_AHB1ENR = 0x4002_3830;
const RCC_APB1ENR = 0x4002_3840;

/** Sets bits of an RCC enable register (peripherals read 0 and ignore writes while their clock is off). */
function enable(m: Machine, reg: number, bits: number): void {
  m.bus.write32(reg, m.bus.read32(reg) | bits);
}

function programImage(code: number[], literals: number[]): Uint8Array {
  const img = new Uint8Array(0x100 + code.length * 2 + literals.length * 4);
  const v = new DataView(img.buffer);
  v.setUint32(0, 0x2002_0000, true); // initial SP: top of SRAM
  v.setUint32(4, 0x0800_0101, true); // reset handler (Thumb)
  code.forEach((h, i) => v.setUint16(0x100 + 2 * i, h, true));
  literals.forEach((w, i) => v.setUint32(0x100 + code.length * 2 + 4 * i, w, true));
  return img;
}

describe('NUCLEO_F411RE machine', () => {
  it('builds from the board file with the F411 memory map', () => {
    const m = new Machine({ board: 'NUCLEO_F411RE' });
    const { bus } = m;
    expect(m.board.console).toBe('usart2');
    expect(bus.read32(0xe004_2000) >>> 0).toBe(0x1000_6431); // DBGMCU_IDCODE: DEV_ID 0x431, REV_ID 0x1000
    expect(bus.read16(0x1fff_7a22)).toBe(512); // flash size in KiB
    expect(bus.readBytes(0x1fff_7a10, 12).some((b) => b !== 0xff)).toBe(true); // a unique ID is there
    bus.write32(0x2001_fffc, 0x1234_5678);
    expect(bus.read32(0x2001_fffc)).toBe(0x1234_5678);
    expect(faults(() => bus.read32(0x2002_0000))).toBe(true); // 128 KiB of SRAM, nothing after it
    expect(faults(() => bus.read32(0x0808_0000))).toBe(true); // 512 KiB of flash
    expect(bus.read32(0x0800_0000) >>> 0).toBe(0xffff_ffff); // erased
    expect(bus.read32(0x1fff_c000) & 0xffff).toBe(0xaaec); // RDP level 0, factory user options
  });

  it('reads unimplemented peripheral windows as 0 and warns once per register', () => {
    const lines: string[] = [];
    const m = new Machine({ board: 'NUCLEO_F411RE', log: createLogger('warn', 'text', (l) => lines.push(l)) });
    expect(m.bus.read32(0x4001_2c00)).toBe(0); // an SDIO register (DMA1, the earlier example, is modelled now)
    m.bus.write32(0x4001_2c00, 5);
    expect(m.bus.read32(0x4001_2c04)).toBe(0);
    expect(m.bus.read32(0x5000_0000)).toBe(0); // USB OTG FS
    const sdio = lines.filter((l) => l.includes('SDIO'));
    expect(sdio).toHaveLength(2);
    expect(sdio[0]).toContain('0x40012c00');
    expect(lines.some((l) => l.includes('USB_OTG_FS'))).toBe(true);
    expect(faults(() => m.bus.read32(0x4000_1000))).toBe(true); // reserved space between windows
    expect(m.bus.read32(0x4002_3890)).toBe(0); // a reserved RCC offset: 0, warned once
    m.bus.read32(0x4002_3890);
    expect(lines.filter((l) => l.includes('rcc: access to reserved offset 0x90'))).toHaveLength(1);
  });

  it('maps the peripheral bit-band alias: a word write at 0x42470040 sets RCC_CR.HSEON', () => {
    const m = new Machine({ board: 'NUCLEO_F411RE' });
    m.bus.write32(0x4200_0000 + 0x2_3800 * 32 + 16 * 4, 1);
    expect(m.bus.read32(0x4002_3800) & (1 << 16)).toBe(1 << 16);
    expect(m.bus.read32(0x4200_0000 + 0x2_3800 * 32 + 1 * 4)).toBe(1); // HSIRDY through the alias
    m.bus.write32(0x2200_0000 + 4 * 8 * 0x10 + 3 * 4, 1); // SRAM bit-band: byte 0x10, bit 3
    expect(m.bus.read8(0x2000_0010)).toBe(8);
  });

  it('runs a program that waits for HSERDY: 2 ms of virtual time at the 16 MHz HSI', () => {
    const m = new Machine({ board: 'NUCLEO_F411RE' });
    m.bus.load(0x0800_0000, programImage(POLL_HSE, [0x4002_3800, 0x0001_0000]));
    m.reset();
    const r = m.run({ timeoutCycles: HSI }); // at most one virtual second
    expect(r.reason).toBe('halt'); // parked in WFI with nothing scheduled
    expect(m.cpu.r[1]! & (1 << 17)).toBe(1 << 17);
    expect(r.cycles).toBeGreaterThanOrEqual(2e-3 * HSI);
    expect(r.cycles).toBeLessThan(2e-3 * HSI + 100);
  });

  it('records why it reset in RCC_CSR: power-on, then SYSRESETREQ adds SFTRSTF; RMVF clears', () => {
    const m = new Machine({ board: 'NUCLEO_F411RE' });
    m.bus.load(0x0800_0000, programImage(POLL_HSE, [0x4002_3800, 0x0001_0000]));
    m.reset('power-on');
    expect(m.bus.read32(0x4002_3874) >>> 0).toBe(0x0e00_0000);
    m.bus.write32(0x4002_3874, 1 << 24); // RMVF
    m.bus.write32(0xe000_ed0c, 0x05fa_0004); // AIRCR: VECTKEY | SYSRESETREQ
    m.run({ maxInstructions: 1 });
    expect(m.bus.read32(0x4002_3874) >>> 0).toBe(0x1400_0000); // SFTRSTF | PINRSTF
    expect(m.bus.read32(0x4002_3800) & (1 << 16)).toBe(0); // RCC back to reset values
  });

  it('with boot0 boots the generated system-memory image, which parks the core in WFI', () => {
    const spec = loadBoard('NUCLEO_F411RE');
    const m = new Machine({ board: { ...spec, options: { ...spec.options, boot0: true } } });
    m.reset();
    const r = m.run({ maxInstructions: 100 });
    expect(r.reason).toBe('halt');
    expect(m.cpu.pc >>> 0).toBeGreaterThanOrEqual(0x1fff_0200);
    expect(m.cpu.pc >>> 0).toBeLessThan(0x1fff_0204);
    expect(m.cpu.r[13]! >>> 0).toBe(0x2002_0000);
  });

  it('exposes flash contents as a Storage for persistence', () => {
    const m = new Machine({ board: 'NUCLEO_F411RE' });
    const soc = m.soc as Stm32f411Instance;
    m.bus.load(0x0800_0010, Uint8Array.of(1, 2, 3));
    expect(Array.from(soc.flashStorage.bytes.subarray(0x10, 0x13))).toEqual([1, 2, 3]);
    expect(soc.flashStorage.size).toBe(512 * 1024);
  });
});

describe('NUCLEO_F411RE pins', () => {
  it('reads the released B1 button on PC13 as 1 (external pull-up) and 0 when pressed', () => {
    const m = new Machine({ board: 'NUCLEO_F411RE' });
    const soc = m.soc as Stm32f411Instance;
    const idrC = () => m.bus.read32(0x4002_0810);
    expect(idrC()).toBe(0); // GPIOC clock off: reads 0
    enable(m, RCC_AHB1ENR, 1 << 2);
    expect((idrC() >>> 13) & 1).toBe(1);
    const [b1] = soc.devices.get('buttons') as { press(): void; release(): void }[];
    b1!.press();
    expect((idrC() >>> 13) & 1).toBe(0);
    b1!.release();
    expect((idrC() >>> 13) & 1).toBe(1);
  });

  it('turns LD2 (PA5) on and off through GPIOA, logging each change at info level', () => {
    const lines: string[] = [];
    const m = new Machine({ board: 'NUCLEO_F411RE', log: createLogger('info', 'text', (l) => lines.push(l)) });
    enable(m, RCC_AHB1ENR, 1 << 0);
    m.bus.write32(0x4002_0000, (m.bus.read32(0x4002_0000) & ~(3 << 10)) | (1 << 10)); // PA5 output
    m.bus.write32(0x4002_0018, 1 << 5); // BSRR set
    m.bus.write32(0x4002_0018, 1 << (5 + 16)); // BSRR reset
    const led = lines.filter((l) => l.includes('LED LD2'));
    expect(led.map((l) => l.trim().split(' ').pop())).toEqual(['on', 'off']);
  });
});

describe('NUCLEO_F411RE clock gating', () => {
  it('ignores a peripheral while its RCC enable bit is 0 (reads 0, writes dropped, one warning) and keeps its state', () => {
    const lines: string[] = [];
    const m = new Machine({ board: 'NUCLEO_F411RE', log: createLogger('warn', 'text', (l) => lines.push(l)) });
    m.bus.write32(0x4000_7000, 0x100); // PWR_CR.DBP without PWREN
    expect(m.bus.read32(0x4000_7000)).toBe(0);
    enable(m, RCC_APB1ENR, 1 << 28);
    expect(m.bus.read32(0x4000_7000)).toBe(0x8000); // reset value: the write was dropped
    m.bus.write32(0x4000_7000, 0x8100);
    m.bus.write32(RCC_APB1ENR, 0);
    expect(m.bus.read32(0x4000_7000)).toBe(0);
    enable(m, RCC_APB1ENR, 1 << 28);
    expect(m.bus.read32(0x4000_7000)).toBe(0x8100);
    expect(lines.filter((l) => l.includes('PWR accessed with its clock disabled'))).toHaveLength(1);
  });
});

describe('NUCLEO_F411RE console', () => {
  it('sends USART2 bytes to the board console at the programmed baud rate', () => {
    const m = new Machine({ board: 'NUCLEO_F411RE' });
    const out: number[] = [];
    m.console.onTransmit((b) => out.push(b));
    m.bus.load(0x0800_0000, programImage([0xbf30, 0xe7fd], [])); // wfi loop
    m.reset();
    enable(m, RCC_APB1ENR, 1 << 17); // USART2EN
    m.bus.write32(0x4000_4408, 0x8b); // BRR: 16 MHz / 0x8B ≈ 115108 Bd
    m.bus.write32(0x4000_440c, 0x2008); // CR1: UE | TE
    m.bus.write32(0x4000_4404, 0x41);
    const start = m.cpu.cycles;
    expect(m.run({ timeoutCycles: HSI }).reason).toBe('halt');
    expect(out).toEqual([0x41]);
    // An idle preamble and one 10-bit frame: 20 bit times of 0x8B cycles.
    expect(m.cpu.cycles - start).toBeGreaterThanOrEqual(20 * 0x8b - 2);
    expect(m.cpu.cycles - start).toBeLessThanOrEqual(20 * 0x8b + 2);
  });
});

describe('NUCLEO_F411RE timers', () => {
  it('counts TIM2 from the APB1 timer clock: PSC 15, ARR 999 at 16 MHz is an update every 1 ms', () => {
    const m = new Machine({ board: 'NUCLEO_F411RE' });
    m.bus.load(0x0800_0000, programImage([0xbf30, 0xe7fd], [])); // wfi loop
    m.reset();
    enable(m, RCC_APB1ENR, 1 << 0); // TIM2EN
    m.bus.write32(0x4000_0028, 15); // PSC
    m.bus.write32(0x4000_002c, 999); // ARR
    m.bus.write32(0x4000_0014, 1); // EGR.UG: load PSC
    m.bus.write32(0x4000_0010, 0); // clear UIF
    m.bus.write32(0x4000_000c, 1); // DIER.UIE (keeps an event scheduled)
    m.bus.write32(0x4000_0000, 1); // CR1.CEN
    m.run({ timeoutCycles: 15_900 });
    expect(m.bus.read32(0x4000_0010) & 1).toBe(0);
    m.run({ timeoutCycles: 200 });
    expect(m.bus.read32(0x4000_0010) & 1).toBe(1);
  });
});

describe('NUCLEO_F411RE PWM on the LED', () => {
  it('drives LD2 (PA5 = TIM2_CH1, AF1) with PWM: on for CCR1 = 250 µs of every 1 ms period', () => {
    const m = new Machine({ board: 'NUCLEO_F411RE' });
    const soc = m.soc as Stm32f411Instance;
    const [ld2] = soc.devices.get('leds') as { onToggle(cb: (on: boolean, t: number) => void): void }[];
    const edges: [boolean, number][] = [];
    ld2!.onToggle((on, t) => edges.push([on, t]));
    m.bus.load(0x0800_0000, programImage([0xbf30, 0xe7fd], [])); // wfi loop
    m.reset();
    enable(m, RCC_AHB1ENR, 1 << 0);
    enable(m, RCC_APB1ENR, 1 << 0);
    m.bus.write32(0x4002_0000, (m.bus.read32(0x4002_0000) & ~(3 << 10)) | (2 << 10)); // PA5 alternate function
    m.bus.write32(0x4002_0020, 1 << 20); // AFRL: PA5 → AF1
    m.bus.write32(0x4000_0028, 15); // PSC: 1 MHz
    m.bus.write32(0x4000_002c, 999); // ARR: 1 ms
    m.bus.write32(0x4000_0034, 250); // CCR1
    m.bus.write32(0x4000_0018, 0x60); // CCMR1: OC1M = PWM mode 1
    m.bus.write32(0x4000_0020, 1); // CCER: CC1E
    m.bus.write32(0x4000_0014, 1); // EGR.UG
    m.bus.write32(0x4000_0000, 1); // CR1.CEN
    m.run({ timeoutCycles: 2.1e-3 * HSI });
    const on = edges.filter(([o]) => o).map(([, t]) => t);
    const off = edges.filter(([o]) => !o).map(([, t]) => t);
    expect(on.length).toBeGreaterThanOrEqual(2);
    expect(off[0]! - on[0]!).toBe(250e-6 * HSI);
    expect(on[1]! - on[0]!).toBe(1e-3 * HSI);
  });
});

describe('WeAct_F411CE machine', () => {
  it('has a 25 MHz HSE and USART1 as console', () => {
    const m = new Machine({ board: 'WeAct_F411CE' });
    expect(m.board.console).toBe('usart1');
    const soc = m.soc as Stm32f411Instance;
    m.bus.load(0x0800_0000, programImage([0xbf30, 0xe7fd], [])); // wfi loop: time passes only through events
    m.reset();
    m.bus.write32(0x4002_3800, m.bus.read32(0x4002_3800) | (1 << 16));
    m.bus.write32(0x4002_3804, 25 | (192 << 6) | (1 << 22) | (4 << 24));
    expect(m.run({ timeoutCycles: HSI }).reason).toBe('halt');
    expect(m.bus.read32(0x4002_3800) & (1 << 17)).toBe(1 << 17);
    m.bus.write32(0x4002_3800, m.bus.read32(0x4002_3800) | (1 << 24));
    expect(m.run({ timeoutCycles: HSI }).reason).toBe('halt');
    m.bus.write32(0x4002_3808, 2);
    expect((m.bus.read32(0x4002_3808) >>> 2) & 3).toBe(2);
    expect(soc.rcc.clocks.sysclk).toBe(96e6);
    expect(soc.rcc.tree.pllQ).toBe(48e6);
  });
});
