/**
 * NVIC registers (ARM ARM B3.4), offsets relative to 0xE000E100: ISER 0x000, ICER 0x080, ISPR 0x100,
 * ICPR 0x180, IABR 0x200, IPR 0x300..0x3EF (byte-accessible); and STIR (0xE000EF00). The state lives in
 * the exception model; this is its register view and the `InterruptController` SoC devices drive.
 */
import type { InterruptController } from '../../../core/irq.js';
import type { ExceptionModel } from '../exceptions.js';
import type { WordRegisters } from './lanes.js';

export class Nvic implements InterruptController, WordRegisters {
  constructor(private readonly exc: ExceptionModel) {}

  get numIrq(): number {
    return this.exc.numIrq;
  }

  // ---- InterruptController -----------------------------------------------------------------------

  setIrqLevel(irq: number, level: boolean): void {
    this.exc.setIrqLevel(irq, level);
  }

  pulseIrq(irq: number): void {
    if (irq >= 0 && irq < this.exc.numIrq) this.exc.setPending(16 + irq);
  }

  // ---- convenience for tests and debuggers -------------------------------------------------------

  isPending(irq: number): boolean {
    return this.exc.pending[16 + irq] === 1;
  }
  isActive(irq: number): boolean {
    return this.exc.active[16 + irq] === 1;
  }
  isEnabled(irq: number): boolean {
    return this.exc.enabled[16 + irq] === 1;
  }

  // ---- registers ---------------------------------------------------------------------------------

  private bits(arr: Uint8Array, word: number): number {
    let v = 0;
    const first = 16 + 32 * word;
    const last = Math.min(first + 32, this.exc.count);
    for (let n = first; n < last; n++) if (arr[n] !== 0) v |= 1 << (n - first);
    return v >>> 0;
  }

  readWord(offset: number): number {
    const exc = this.exc;
    if (offset < 0x300) {
      const word = (offset & 0x7f) >>> 2;
      if (word >= 16) return 0;
      switch (offset >>> 7) {
        case 0: // ISER
        case 1: // ICER
          return this.bits(exc.enabled, word);
        case 2: // ISPR
        case 3: // ICPR
          return this.bits(exc.pending, word);
        case 4: // IABR
          return this.bits(exc.active, word);
        default:
          return 0;
      }
    }
    if (offset < 0x3f0) {
      const n = 16 + (offset - 0x300);
      let v = 0;
      for (let i = 0; i < 4; i++) if (n + i < exc.count) v |= (exc.prio[n + i]! & 0xff) << (8 * i);
      return v >>> 0;
    }
    return 0;
  }

  writeWord(offset: number, value: number, mask: number): void {
    const exc = this.exc;
    if (offset < 0x280) {
      const word = (offset & 0x7f) >>> 2;
      if (word >= 16) return;
      const bits = value & mask;
      const op = offset >>> 7;
      for (let b = 0; b < 32; b++) {
        if (((bits >>> b) & 1) === 0) continue;
        const n = 16 + 32 * word + b;
        if (n >= exc.count) break;
        if (op === 0) exc.setEnabled(n, true);
        else if (op === 1) exc.setEnabled(n, false);
        else if (op === 2) exc.setPending(n);
        else {
          exc.clearPending(n);
          // A level-sensitive line that is still high re-pends at once (unless its handler is running).
          if (exc.level[n] !== 0 && exc.active[n] === 0) exc.setPending(n);
        }
      }
      return;
    }
    if (offset >= 0x300 && offset < 0x3f0) {
      const n = 16 + (offset - 0x300);
      for (let i = 0; i < 4; i++) {
        if (((mask >>> (8 * i)) & 0xff) === 0) continue;
        if (n + i < exc.count) exc.setPriority(n + i, (value >>> (8 * i)) & 0xff);
      }
    }
  }

  /** STIR: software-triggered interrupt (INTID in bits 8:0). */
  writeStir(value: number): void {
    const irq = value & 0x1ff;
    if (irq < this.exc.numIrq) this.exc.setPending(16 + irq);
  }
}
