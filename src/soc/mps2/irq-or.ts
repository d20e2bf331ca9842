/** An OR gate of interrupt inputs driving one IrqLine (the AN386 ORs the UART overrun interrupts onto IRQ 12). */
import type { IrqLine } from '../../core/irq.js';

export class IrqOrGate {
  private bits = 0;
  constructor(private readonly out: IrqLine) {}

  /** A settable input (index < 31) with the same interface devices use for their lines. */
  input(index: number): { set(level: boolean): void } {
    const bit = 1 << index;
    return {
      set: (level: boolean) => {
        this.bits = level ? this.bits | bit : this.bits & ~bit;
        this.out.set(this.bits !== 0);
      },
    };
  }
}
