/**
 * CMSDK APB dual-input timer (ARM DDI0479; SP804-like): two modules at 0x00 and 0x20, each with LOAD,
 * VALUE, CONTROL (ONESHOT, SIZE 16/32, PRESCALE /1 /16 /256, INTEN, MODE periodic/free-running,
 * ENABLE), INTCLR, RIS, MIS, BGLOAD; TIMERITCR/TIMERITOP integration test registers; PID/CID.
 * The AN386 wires only the combined interrupt (TIMINTC) to IRQ 10.
 * Reset state as QEMU's: CONTROL = INTEN, free-running 16-bit, VALUE reads 0xFFFFFFFF.
 */
import type { Scheduler } from '../../core/scheduler.js';
import { RegisterBank, type RegisterSpec } from '../../core/registers.js';
import { DownCounter } from './down-counter.js';
import type { IrqOutput } from './cmsdk-uart.js';

const DUALTIMER_ID = [0x04, 0x00, 0x00, 0x00, 0x23, 0xb8, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export const DT_CONTROL = { ONESHOT: 1, SIZE: 2, PRESCALE: 0xc, INTEN: 0x20, MODE: 0x40, ENABLE: 0x80 } as const;
const VALID = 0xef;

function divisorOf(control: number): number {
  const p = (control >> 2) & 3;
  return p === 0 ? 1 : p === 1 ? 16 : 256; // 0b11 is undefined; treated as /256 like QEMU
}

/** One timer module. The counter's limit/count hold 16-bit values in 16-bit mode; `load`/`value` keep the full 32 bits. */
class DualTimerModule {
  control: number = DT_CONTROL.INTEN;
  intstatus = 0;
  load = 0;
  /** Upper bits of VALUE while in 16-bit mode (QEMU keeps the last 32-bit value there). */
  value = 0xffffffff;
  readonly counter: DownCounter;

  constructor(
    scheduler: Scheduler,
    name: string,
    private readonly changed: () => void,
  ) {
    this.counter = new DownCounter(scheduler, name, () => {
      this.intstatus = 1;
      this.changed();
    });
  }

  reset(): void {
    this.control = DT_CONTROL.INTEN;
    this.intstatus = 0;
    this.load = 0;
    this.value = 0xffffffff;
    this.counter.stop();
    this.counter.setLimit(0xffff, true);
    this.counter.setDivisor(1);
  }

  get masked(): boolean {
    return this.intstatus !== 0 && (this.control & DT_CONTROL.INTEN) !== 0;
  }

  private get is32(): boolean {
    return (this.control & DT_CONTROL.SIZE) !== 0;
  }

  private get periodic(): boolean {
    return (this.control & DT_CONTROL.MODE) !== 0;
  }

  readLoad(): number {
    if (!this.periodic) return this.load >>> 0;
    const l = this.counter.limit;
    return this.is32 ? l : ((this.load & 0xffff0000) | (l & 0xffff)) >>> 0;
  }

  readValue(): number {
    const c = this.counter.count;
    return this.is32 ? c : ((this.value & 0xffff0000) | (c & 0xffff)) >>> 0;
  }

  writeLoad(v: number): void {
    this.load = v;
    this.value = v;
    const lim = this.is32 ? v : v & 0xffff;
    if (!this.periodic) {
      // Free-running: no limit change, but the count is loaded.
      this.counter.setCount(lim);
      return;
    }
    if (lim === 0) this.counter.stop();
    this.counter.setLimit(lim, true);
    if (lim !== 0 && this.control & DT_CONTROL.ENABLE) this.counter.run((this.control & DT_CONTROL.ONESHOT) !== 0);
  }

  writeBgLoad(v: number): void {
    this.load = v;
    if (!this.periodic) return;
    this.counter.setLimit(this.is32 ? v : v & 0xffff, false);
  }

  writeControl(newctrl: number): void {
    newctrl &= VALID;
    const changed = this.control ^ newctrl;
    const c = this.counter;
    if (changed & ~newctrl & DT_CONTROL.ENABLE) c.stop();
    if (changed & DT_CONTROL.PRESCALE) c.setDivisor(divisorOf(newctrl));
    if (changed & DT_CONTROL.MODE) {
      let lim: number;
      if (newctrl & DT_CONTROL.MODE) {
        lim = this.load;
      } else {
        lim = c.limit;
        if (!(this.control & DT_CONTROL.SIZE)) lim = ((this.load & 0xffff0000) | (lim & 0xffff)) >>> 0;
        this.load = lim;
        lim = 0xffffffff;
      }
      if (!(this.control & DT_CONTROL.SIZE)) lim &= 0xffff;
      c.setLimit(lim >>> 0, false);
    }
    if (changed & DT_CONTROL.SIZE) {
      let value = c.count;
      let lim = c.limit;
      if (newctrl & DT_CONTROL.SIZE) {
        value = ((this.value & 0xffff0000) | (value & 0xffff)) >>> 0;
      } else {
        this.value = value;
        value &= 0xffff;
      }
      if (newctrl & DT_CONTROL.MODE) {
        if (newctrl & DT_CONTROL.SIZE) lim = ((this.load & 0xffff0000) | (lim & 0xffff)) >>> 0;
        else {
          this.load = lim;
          lim &= 0xffff;
        }
      } else {
        lim = newctrl & DT_CONTROL.SIZE ? 0xffffffff : 0xffff;
      }
      c.setCount(value);
      c.setLimit(lim, false);
    }
    this.control = newctrl;
    // Started even if ENABLE did not change, so an expired one-shot restarts (as QEMU does).
    if (newctrl & DT_CONTROL.ENABLE) c.run((newctrl & DT_CONTROL.ONESHOT) !== 0);
  }
}

export class CmsdkDualTimer {
  readonly regs: RegisterBank;
  private readonly mods: [DualTimerModule, DualTimerModule];
  private itcr = 0;
  private itop = 0;

  constructor(
    scheduler: Scheduler,
    name: string,
    private readonly irqCombined: IrqOutput | null,
    private readonly irq1: IrqOutput | null = null,
    private readonly irq2: IrqOutput | null = null,
  ) {
    const update = () => this.update();
    this.mods = [new DualTimerModule(scheduler, `${name}.1`, update), new DualTimerModule(scheduler, `${name}.2`, update)];
    const specs: RegisterSpec[] = [];
    for (let t = 0; t < 2; t++) {
      const m = this.mods[t]!;
      const b = t * 0x20;
      const n = `TIMER${t + 1}`;
      specs.push(
        { name: `${n}LOAD`, offset: b + 0x00, read: () => m.readLoad(), write: (_v, _o, w) => m.writeLoad(w >>> 0) },
        { name: `${n}VALUE`, offset: b + 0x04, read: () => m.readValue(), write: () => {} },
        {
          name: `${n}CONTROL`,
          offset: b + 0x08,
          read: () => m.control,
          write: (_v, _o, w) => {
            m.writeControl(w);
            this.update();
          },
        },
        {
          name: `${n}INTCLR`,
          offset: b + 0x0c,
          read: () => 0,
          write: () => {
            m.intstatus = 0;
            this.update();
          },
        },
        { name: `${n}RIS`, offset: b + 0x10, read: () => m.intstatus, write: () => {} },
        { name: `${n}MIS`, offset: b + 0x14, read: () => (m.masked ? 1 : 0), write: () => {} },
        { name: `${n}BGLOAD`, offset: b + 0x18, read: () => m.readLoad(), write: (_v, _o, w) => m.writeBgLoad(w >>> 0) },
      );
    }
    specs.push(
      {
        name: 'TIMERITCR',
        offset: 0xf00,
        read: () => this.itcr,
        write: (_v, _o, w) => {
          this.itcr = w & 1;
          this.update();
        },
      },
      {
        name: 'TIMERITOP',
        offset: 0xf04,
        read: () => 0, // write-only
        write: (_v, _o, w) => {
          this.itop = w & 3;
          this.update();
        },
      },
      ...DUALTIMER_ID.map((v, i) => ({ name: `PID_CID${i}`, offset: 0xfd0 + 4 * i, reset: v, writable: 0 })),
    );
    this.regs = new RegisterBank('cmsdk-dualtimer', specs);
  }

  reset(): void {
    for (const m of this.mods) m.reset();
    this.itcr = 0;
    this.itop = 0;
    this.regs.reset();
    this.update();
  }

  private update(): void {
    let i1: boolean;
    let i2: boolean;
    if (this.itcr) {
      i1 = (this.itop & 1) !== 0;
      i2 = (this.itop & 2) !== 0;
    } else {
      i1 = this.mods[0].masked;
      i2 = this.mods[1].masked;
    }
    this.irq1?.set(i1);
    this.irq2?.set(i2);
    this.irqCombined?.set(i1 || i2);
  }
}
