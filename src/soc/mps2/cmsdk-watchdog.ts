/**
 * CMSDK APB watchdog (ARM DDI0479): a 32-bit down-counter at WDOGCLK. The first time it reaches zero it
 * latches the interrupt (on the AN386 wired to NMI) and reloads; the second time, with the interrupt
 * still set and RESEN, it requests a system reset. WDOGLOCK (0xC00) blocks writes unless 0x1ACCE551 was
 * written. WDOGLOAD 0x00, WDOGVALUE 0x04, WDOGCONTROL 0x08 (INTEN, RESEN), WDOGINTCLR 0x0C, WDOGRIS 0x10,
 * WDOGMIS 0x14, WDOGITCR 0xF00, WDOGITOP 0xF04, PID/CID. The counter runs only while INTEN is set.
 */
import type { Scheduler } from '../../core/scheduler.js';
import { RegisterBank } from '../../core/registers.js';
import { DownCounter } from './down-counter.js';
import type { IrqOutput } from './cmsdk-uart.js';

const WDOG_ID = [0x04, 0x00, 0x00, 0x00, 0x24, 0xb8, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
export const WDOG_UNLOCK = 0x1acce551;

export class CmsdkWatchdog {
  readonly regs: RegisterBank;
  private control = 0;
  private intstatus = 0;
  private resetstatus = 0;
  private lock = 0;
  private itcr = 0;
  private itop = 0;
  private readonly counter: DownCounter;
  /** Called when the watchdog asks for a system reset (the SoC wires it to the machine, or logs it). */
  onResetRequest: (() => void) | null = null;

  constructor(
    scheduler: Scheduler,
    name: string,
    private readonly irq: IrqOutput | null,
  ) {
    this.counter = new DownCounter(scheduler, name, () => this.expired());
    const guarded = (f: (w: number) => void) => (_v: number, _o: number, w: number) => {
      if (!this.lock) f(w >>> 0);
    };
    this.regs = new RegisterBank('cmsdk-watchdog', [
      { name: 'WDOGLOAD', offset: 0x00, read: () => this.counter.limit, write: guarded((w) => this.counter.setLimit(w, true)) },
      { name: 'WDOGVALUE', offset: 0x04, read: () => this.counter.count, write: () => {} },
      { name: 'WDOGCONTROL', offset: 0x08, read: () => this.control, write: guarded((w) => this.writeControl(w)) },
      {
        name: 'WDOGINTCLR',
        offset: 0x0c,
        read: () => 0,
        write: guarded(() => {
          this.intstatus = 0;
          this.counter.setCount(this.counter.limit);
          this.update();
        }),
      },
      { name: 'WDOGRIS', offset: 0x10, read: () => this.intstatus, write: () => {} },
      { name: 'WDOGMIS', offset: 0x14, read: () => (this.intstatus && this.control & 1 ? 1 : 0), write: () => {} },
      {
        name: 'WDOGLOCK',
        offset: 0xc00,
        read: () => this.lock,
        write: (_v, _o, w) => (this.lock = w >>> 0 === WDOG_UNLOCK ? 0 : 1),
      },
      {
        name: 'WDOGITCR',
        offset: 0xf00,
        read: () => this.itcr,
        write: guarded((w) => {
          this.itcr = w & 1;
          this.update();
        }),
      },
      {
        name: 'WDOGITOP',
        offset: 0xf04,
        read: () => 0,
        write: guarded((w) => {
          this.itop = w & 3;
          this.update();
        }),
      },
      ...WDOG_ID.map((v, i) => ({ name: `PID_CID${i}`, offset: 0xfd0 + 4 * i, reset: v, writable: 0 })),
    ]);
  }

  reset(): void {
    this.control = 0;
    this.intstatus = 0;
    this.resetstatus = 0;
    this.lock = 0;
    this.itcr = 0;
    this.itop = 0;
    this.counter.stop();
    this.counter.setLimit(0xffffffff, true);
    this.regs.reset();
    this.update();
  }

  private writeControl(w: number): void {
    const prev = this.control;
    this.control = w & 3;
    if ((this.control ^ prev) & 1) {
      if (this.control & 1) {
        // Enabling the interrupt reloads the counter and starts it.
        this.counter.setCount(this.counter.limit);
        this.counter.run(false);
      } else {
        this.counter.stop();
      }
    }
    this.update();
  }

  private expired(): void {
    if (!this.intstatus) {
      this.intstatus = 1;
    } else {
      this.resetstatus = 1;
      this.counter.stop();
    }
    this.update();
  }

  private update(): void {
    let int: boolean;
    let res: boolean;
    if (this.itcr) {
      int = (this.itop & 2) !== 0;
      res = (this.itop & 1) !== 0;
    } else {
      int = this.intstatus !== 0 && (this.control & 1) !== 0;
      res = this.resetstatus !== 0 && (this.control & 2) !== 0;
    }
    this.irq?.set(int);
    if (res) this.onResetRequest?.();
  }
}
