/**
 * CMSDK APB timer (ARM DDI0479): a 32-bit down-counter at PCLK with reload and one interrupt.
 * CTRL 0x00 (EN, SELEXTEN, SELEXTCLK, IRQEN), VALUE 0x04, RELOAD 0x08, INTSTATUS 0x0C (W1C), PID/CID.
 * The interrupt is latched when the counter goes 1 → 0 with IRQEN set and stays until cleared.
 * Writing RELOAD also loads the counter; writing VALUE sets the count. EXTIN is not modelled (as in QEMU).
 */
import type { Scheduler } from '../../core/scheduler.js';
import { RegisterBank } from '../../core/registers.js';
import { DownCounter } from './down-counter.js';
import type { IrqOutput } from './cmsdk-uart.js';

const TIMER_ID = [0x04, 0x00, 0x00, 0x00, 0x22, 0xb8, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export const TIMER_CTRL = { EN: 1, SELEXTEN: 2, SELEXTCLK: 4, IRQEN: 8 } as const;

export class CmsdkTimer {
  readonly regs: RegisterBank;
  private ctrl = 0;
  private intstatus = 0;
  private readonly counter: DownCounter;

  constructor(
    scheduler: Scheduler,
    name: string,
    private readonly irq: IrqOutput | null,
  ) {
    this.counter = new DownCounter(scheduler, name, () => this.tick());
    const id = TIMER_ID.map((v, i) => ({ name: `PID_CID${i}`, offset: 0xfd0 + 4 * i, reset: v, writable: 0 }));
    this.regs = new RegisterBank('cmsdk-timer', [
      { name: 'CTRL', offset: 0x00, read: () => this.ctrl, write: (_v, _o, w) => this.writeCtrl(w) },
      { name: 'VALUE', offset: 0x04, read: () => this.counter.count, write: (_v, _o, w) => this.writeValue(w >>> 0) },
      { name: 'RELOAD', offset: 0x08, read: () => this.counter.limit, write: (_v, _o, w) => this.writeReload(w >>> 0) },
      {
        name: 'INTSTATUS',
        offset: 0x0c,
        read: () => this.intstatus,
        write: (_v, _o, w) => {
          this.intstatus &= ~(w & 1);
          this.update();
        },
      },
      ...id,
    ]);
  }

  reset(): void {
    this.ctrl = 0;
    this.intstatus = 0;
    this.counter.stop();
    this.counter.setLimit(0, true);
    this.regs.reset();
    this.update();
  }

  private writeCtrl(v: number): void {
    this.ctrl = v & 0xf;
    if (this.ctrl & TIMER_CTRL.EN) this.counter.run(this.counter.limit === 0);
    else this.counter.stop();
  }

  private writeReload(v: number): void {
    if (v === 0) this.counter.stop();
    this.counter.setLimit(v, true);
    // An expired one-shot run (reload was 0) restarts as a periodic one.
    if (v !== 0 && this.ctrl & TIMER_CTRL.EN) this.counter.run(false);
  }

  private writeValue(v: number): void {
    if (v === 0 && this.counter.limit === 0) this.counter.stop();
    this.counter.setCount(v);
    if (v !== 0 && this.ctrl & TIMER_CTRL.EN) this.counter.run(this.counter.limit === 0);
  }

  private tick(): void {
    if (this.ctrl & TIMER_CTRL.IRQEN) {
      this.intstatus = 1;
      this.update();
    }
  }

  private update(): void {
    this.irq?.set(this.intstatus !== 0);
  }
}
