/**
 * STM32F411 GPIO port (RM0383 §8): MODER, OTYPER, OSPEEDR, PUPDR, IDR, ODR, BSRR, LCKR, AFRL, AFRH.
 *
 * The port drives a `Pin` (src/core/pins.ts) per bit: output mode drives ODR (push-pull, or open-drain
 * releasing the pin for a 1), alternate-function mode drives what the peripheral wired to the pin gives
 * `setAlternateOutput`, input and analog modes release it. PUPDR adds the internal weak pull (off in
 * analog mode). IDR samples the resolved pin level (so it sees buttons, pulls and contention); analog pins
 * read 0 (Schmitt trigger off). A floating input reads its last level (see pins.ts).
 *
 * BSRR: when a set and a reset bit of the same pin are both written, set wins (RM0383 §8.4.7).
 * LCKR: the key sequence is write LCKK=1+LCK, write LCKK=0+LCK, write LCKK=1+LCK with LCK[15:0] unchanged;
 * the lock takes effect on the third write (the reads that follow in RM0383's sequence only confirm it) and
 * freezes MODER/OTYPER/OSPEEDR/PUPDR/AFR of the locked pins and LCKR itself until reset. A write that
 * breaks the sequence aborts it.
 */
import { RegisterBank } from '../../core/registers.js';
import type { Logger } from '../../core/logger.js';
import type { DriveLevel, Pin } from '../../core/pins.js';
import { warnUnmapped } from './device-context.js';

export const GPIO_MODE = { INPUT: 0, OUTPUT: 1, ALTERNATE: 2, ANALOG: 3 } as const;
const LCKK = 1 << 16;

export interface GpioResetValues {
  moder: number;
  ospeedr: number;
  pupdr: number;
}

/**
 * Port reset values. PA13/PA14/PA15 (SWDIO, SWCLK, JTDI) and PB3/PB4 (SWO, NJTRST) come out of reset in
 * their debug alternate function with pulls (PA15, PA13, PB4 up; PA14 down) and PA13/PB3 at high speed.
 * RM0383 prints MODER 0x0C000000 for port A; the silicon and ST's SVD give 0xA8000000 (PA13–15 in AF mode),
 * which is what a debugger reads, so that is used.
 */
export function gpioResetValues(port: string): GpioResetValues {
  if (port === 'A') return { moder: 0xa8000000, ospeedr: 0x0c000000, pupdr: 0x64000000 };
  if (port === 'B') return { moder: 0x00000280, ospeedr: 0x000000c0, pupdr: 0x00000100 };
  return { moder: 0, ospeedr: 0, pupdr: 0 };
}

/** GPIO ports of the STM32F411 with base addresses (AHB1) and EXTICR port codes (RM0383 §7.2.3). */
export const STM32F411_GPIO_PORTS = [
  { port: 'A', base: 0x40020000, code: 0 },
  { port: 'B', base: 0x40020400, code: 1 },
  { port: 'C', base: 0x40020800, code: 2 },
  { port: 'D', base: 0x40020c00, code: 3 },
  { port: 'E', base: 0x40021000, code: 4 },
  { port: 'H', base: 0x40021c00, code: 7 },
] as const;

/** Expands a 16-bit pin mask to the 2-bit-per-pin field mask (MODER, OSPEEDR, PUPDR). */
function mask2(pins: number): number {
  let m = 0;
  for (let i = 0; i < 16; i++) if (pins & (1 << i)) m |= 3 << (2 * i);
  return m >>> 0;
}
/** Expands an 8-pin group of a 16-bit mask to the 4-bit-per-pin AFR mask (`first` = 0 or 8). */
function mask4(pins: number, first: number): number {
  let m = 0;
  for (let i = 0; i < 8; i++) if (pins & (1 << (first + i))) m |= 0xf << (4 * i);
  return m >>> 0;
}

export class GpioPort {
  readonly regs: RegisterBank;
  /**
   * Per pin, the level each alternate-function peripheral outputs, keyed by AF number (-1: whatever AF is
   * selected). The pin shows the entry of the AF its AFR field selects; a missing entry releases it.
   */
  private readonly afOut: Map<number, DriveLevel>[] = Array.from({ length: 16 }, () => new Map<number, DriveLevel>());
  private lockStep = 0;
  private lockValue = 0;
  private readonly source: string;

  constructor(
    /** Port letter, 'A'..'E' or 'H'. */
    readonly port: string,
    /** The 16 package pins of this port (PA0..PA15). */
    readonly pins: readonly Pin[],
    /** Where accesses to reserved offsets are reported (once each). */
    log?: Logger,
  ) {
    if (pins.length !== 16) throw new Error(`GPIO${port}: needs 16 pins, got ${pins.length}`);
    this.source = `gpio${port}`;
    const rv = gpioResetValues(port);
    const cfg = (name: string, offset: number, reset: number, lockMask: () => number, writable = 0xffffffff) => ({
      name,
      offset,
      reset,
      writable,
      write: (v: number, old: number) => {
        const locked = lockMask();
        if (locked) this.regs.set(name, (v & ~locked) | (old & locked));
        this.apply();
      },
    });
    this.regs = new RegisterBank(`gpio${port}`, [
      cfg('MODER', 0x00, rv.moder, () => mask2(this.lockedPins())),
      cfg('OTYPER', 0x04, 0, () => this.lockedPins(), 0xffff),
      cfg('OSPEEDR', 0x08, rv.ospeedr, () => mask2(this.lockedPins())),
      cfg('PUPDR', 0x0c, rv.pupdr, () => mask2(this.lockedPins())),
      { name: 'IDR', offset: 0x10, writable: 0, read: () => this.idr() },
      { name: 'ODR', offset: 0x14, writable: 0xffff, write: () => this.apply() },
      { name: 'BSRR', offset: 0x18, writable: 0, read: () => 0, write: (_v, _o, w) => this.writeBsrr(w) },
      { name: 'LCKR', offset: 0x1c, writable: 0, write: (_v, _o, w) => this.writeLckr(w) },
      cfg('AFRL', 0x20, 0, () => mask4(this.lockedPins(), 0)),
      cfg('AFRH', 0x24, 0, () => mask4(this.lockedPins(), 8)),
    ], { onUnmapped: warnUnmapped(log, `gpio${port}`) });
    this.apply();
  }

  reset(): void {
    this.regs.reset();
    this.lockStep = 0;
    this.apply();
  }

  /** Pins whose configuration is frozen (LCKR.LCKK set). */
  private lockedPins(): number {
    const l = this.regs.get('LCKR');
    return l & LCKK ? l & 0xffff : 0;
  }

  get locked(): boolean {
    return (this.regs.get('LCKR') & LCKK) !== 0;
  }

  mode(pin: number): number {
    return (this.regs.get('MODER') >>> (2 * pin)) & 3;
  }

  /** Alternate function number selected for `pin` in AFRL/AFRH. */
  alternateFunction(pin: number): number {
    const r = pin < 8 ? this.regs.get('AFRL') : this.regs.get('AFRH');
    return (r >>> (4 * (pin & 7))) & 0xf;
  }

  /**
   * Called by a peripheral that can drive `pin` as alternate function `af` (timer channel, USART TX…) with
   * the level it outputs; `af` -1 applies whatever AF is selected.
   */
  setAlternateOutput(pin: number, level: DriveLevel, af = -1): void {
    const m = this.afOut[pin]!;
    if (m.get(af) === level && m.has(af)) return;
    m.set(af, level);
    if (this.mode(pin) === GPIO_MODE.ALTERNATE) this.applyPin(pin);
  }

  /** The level the selected alternate function drives on `pin`. */
  private alternateLevel(pin: number): DriveLevel {
    const m = this.afOut[pin]!;
    const af = this.alternateFunction(pin);
    return m.has(af) ? m.get(af)! : (m.get(-1) ?? null);
  }

  /** IDR: the sampled pin levels; analog-mode pins read 0. */
  idr(): number {
    let v = 0;
    for (let i = 0; i < 16; i++) if (this.pins[i]!.level && this.mode(i) !== GPIO_MODE.ANALOG) v |= 1 << i;
    return v;
  }

  private writeBsrr(w: number): void {
    const set = w & 0xffff;
    const clr = (w >>> 16) & 0xffff;
    // Set has priority over reset for the same pin (RM0383 §8.4.7).
    this.regs.set('ODR', ((this.regs.get('ODR') & ~clr) | set) & 0xffff);
    this.apply();
  }

  private writeLckr(w: number): void {
    if (this.locked) return; // frozen until reset
    const value = w & 0xffff;
    const key = (w & LCKK) !== 0;
    // LCK[15:0] are plain read/write bits until the lock takes effect.
    this.regs.set('LCKR', value);
    if (this.lockStep === 1 && !key && value === this.lockValue) this.lockStep = 2;
    else if (this.lockStep === 2 && key && value === this.lockValue) {
      this.lockStep = 0;
      this.regs.set('LCKR', value | LCKK);
    } else if (key) {
      this.lockStep = 1;
      this.lockValue = value;
    } else this.lockStep = 0;
  }

  private apply(): void {
    for (let i = 0; i < 16; i++) this.applyPin(i);
  }

  /** Drives pin `i` from its mode, output type, ODR/AF level and pull. */
  private applyPin(i: number): void {
    const mode = this.mode(i);
    const openDrain = ((this.regs.get('OTYPER') >>> i) & 1) !== 0;
    let level: DriveLevel = null;
    if (mode === GPIO_MODE.OUTPUT) level = ((this.regs.get('ODR') >>> i) & 1) !== 0;
    else if (mode === GPIO_MODE.ALTERNATE) level = this.alternateLevel(i);
    if (openDrain && level === true) level = null;
    const pupd = (this.regs.get('PUPDR') >>> (2 * i)) & 3;
    const pin = this.pins[i]!;
    // Pull first, then drive: a pin switching from driven to pulled never shows a spurious glitch.
    pin.pull(this.source, mode === GPIO_MODE.ANALOG ? 'none' : pupd === 1 ? 'up' : pupd === 2 ? 'down' : 'none');
    pin.drive(this.source, level);
  }

  // MmioHandler
  read(offset: number, size: 1 | 2 | 4): number {
    return this.regs.read(offset, size);
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.regs.write(offset, size, value);
  }
}
