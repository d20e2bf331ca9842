/**
 * Declarative register maps for memory-mapped peripherals (the Renode idea: a chip is mostly tables).
 *
 * A `RegisterBank` holds 32-bit registers described by `RegisterSpec`s: offset, reset value, which bits
 * software may write, which are write-1-to-clear, and optional hooks for side effects. Byte and halfword
 * accesses read or merge into the containing word (byte lanes), which is how the AHB/APB peripherals of
 * the Cortex-M parts we model behave unless a hook says otherwise.
 */
import type { MmioHandler } from './bus.js';

export interface RegisterSpec {
  /** Name as in the reference manual, e.g. "USART_SR". */
  readonly name: string;
  readonly offset: number;
  readonly reset?: number;
  /** Bits software can write (default: all). Others keep their value on writes. */
  readonly writable?: number;
  /** Bits cleared by writing 1 (and unaffected by writing 0). */
  readonly w1c?: number;
  /** Bits cleared by writing 0 (rc_w0, as in STM32 status registers); writing 1 leaves them. */
  readonly w0c?: number;
  /** Computes the value read (e.g. a FIFO pop, a live counter); the stored value is passed in. */
  readonly read?: (stored: number) => number;
  /**
   * Called after a write with the new stored value and the previous one. May rewrite the register with
   * `bank.set`. `written` is the raw value software wrote (before masks), for command registers.
   */
  readonly write?: (value: number, old: number, written: number) => void;
}

export interface RegisterBankOptions {
  /** What an access to an offset with no register does: read as zero/ignore writes (default), or call `onUnmapped`. */
  onUnmapped?: (offset: number, write: boolean, value: number) => number;
}

export class RegisterBank implements MmioHandler {
  /** Current stored values, indexed by offset / 4. */
  readonly values: Uint32Array;
  private readonly specs: (RegisterSpec | undefined)[];
  private readonly byName = new Map<string, RegisterSpec>();

  constructor(
    readonly name: string,
    specs: readonly RegisterSpec[],
    private readonly opts: RegisterBankOptions = {},
  ) {
    const words = specs.reduce((m, s) => Math.max(m, (s.offset >> 2) + 1), 0);
    this.values = new Uint32Array(words);
    this.specs = new Array<RegisterSpec | undefined>(words);
    for (const s of specs) {
      if (s.offset & 3) throw new Error(`${name}: register ${s.name} offset 0x${s.offset.toString(16)} is not word aligned`);
      if (this.specs[s.offset >> 2]) throw new Error(`${name}: two registers at offset 0x${s.offset.toString(16)}`);
      this.specs[s.offset >> 2] = s;
      this.byName.set(s.name, s);
    }
    this.reset();
  }

  reset(): void {
    for (let i = 0; i < this.specs.length; i++) this.values[i] = this.specs[i]?.reset ?? 0;
  }

  /** Stored value of a register by name (no read hook). */
  get(name: string): number {
    return this.values[this.spec(name).offset >> 2]!;
  }

  /** Sets the stored value (device-side update; no hooks, no masks). */
  set(name: string, value: number): void {
    this.values[this.spec(name).offset >> 2] = value >>> 0;
  }

  /** Sets or clears bits of the stored value. */
  setBits(name: string, bits: number, on: boolean): void {
    const i = this.spec(name).offset >> 2;
    this.values[i] = on ? this.values[i]! | bits : this.values[i]! & ~bits;
  }

  private spec(name: string): RegisterSpec {
    const s = this.byName.get(name);
    if (s === undefined) throw new Error(`${this.name}: no register ${name}`);
    return s;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const i = offset >> 2;
    const s = this.specs[i];
    let word: number;
    if (s === undefined) {
      word = this.opts.onUnmapped ? this.opts.onUnmapped(offset & ~3, false, 0) : 0;
    } else {
      word = s.read ? s.read(this.values[i]!) : this.values[i]!;
    }
    if (size === 4) return word >>> 0;
    const shift = (offset & 3) * 8;
    return (word >>> shift) & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    const i = offset >> 2;
    const s = this.specs[i];
    if (s === undefined) {
      if (this.opts.onUnmapped) this.opts.onUnmapped(offset & ~3, true, value);
      return;
    }
    const old = this.values[i]!;
    let laneMask = 0xffffffff;
    let v = value >>> 0;
    if (size !== 4) {
      const shift = (offset & 3) * 8;
      laneMask = ((size === 2 ? 0xffff : 0xff) << shift) >>> 0;
      v = (v << shift) >>> 0;
    }
    const writable = (s.writable ?? 0xffffffff) & laneMask;
    let next = (old & ~writable) | (v & writable);
    if (s.w1c) next = (next & ~s.w1c) | (old & s.w1c & ~(v & laneMask));
    if (s.w0c) next = (next & ~s.w0c) | (old & s.w0c & (v | ~laneMask));
    this.values[i] = next >>> 0;
    if (s.write) s.write(this.values[i]!, old, v);
  }
}
