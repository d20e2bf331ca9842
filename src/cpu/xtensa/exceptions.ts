/**
 * Exceptions raised by executors: thrown (a plain class, no stack capture) and delivered once in the
 * CPU's run loop, with `cpu.pc` still the faulting instruction's address (EPC1/DEPC get it).
 */
import type { Cause } from './sr.js';

export class XtensaException {
  constructor(
    readonly cause: Cause | number,
    /** EXCVADDR for memory-related causes; null leaves EXCVADDR alone. */
    readonly vaddr: number | null = null,
  ) {}
  toString(): string {
    return `xtensa exception cause ${this.cause}${this.vaddr !== null ? ` at 0x${(this.vaddr >>> 0).toString(16)}` : ''}`;
  }
}
