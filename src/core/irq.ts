/**
 * How devices raise interrupts: an `InterruptController` (the NVIC on Cortex-M) takes level changes and
 * pulses on numbered lines; devices hold `IrqLine`s bound to one number so they never see the controller.
 */
export interface InterruptController {
  /** Level-sensitive input: the line stays pending while high (re-pends after the handler if still high). */
  setIrqLevel(irq: number, level: boolean): void;
  /** Edge/pulse: makes the interrupt pending once. */
  pulseIrq(irq: number): void;
}

export class IrqLine {
  private level = false;
  constructor(
    private readonly controller: InterruptController,
    readonly irq: number,
  ) {}
  set(level: boolean): void {
    if (level === this.level) return;
    this.level = level;
    this.controller.setIrqLevel(this.irq, level);
  }
  pulse(): void {
    this.controller.pulseIrq(this.irq);
  }
  get high(): boolean {
    return this.level;
  }
}

/** A controller that ignores everything (devices built alone in unit tests). */
export const NO_INTERRUPTS: InterruptController = {
  setIrqLevel() {},
  pulseIrq() {},
};
