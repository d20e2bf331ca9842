/**
 * STM32F411 external interrupt/event controller (RM0383 §10.2): IMR, EMR, RTSR, FTSR, SWIER, PR.
 *
 * Lines 0–15 come from GPIO pins through SYSCFG_EXTICR (see syscfg.ts, which calls `setLine`); 16 PVD,
 * 17 RTC alarm, 18 USB OTG FS wakeup, 21 RTC tamper/time stamp, 22 RTC wakeup are inputs other models
 * drive with `setLine` (19 and 20 do not exist on the F411).
 *
 * Per RM0383's block diagram the interrupt mask gates the edge before the pending register: an enabled
 * edge sets PR only when IMR is set (and EMR emits an event pulse). PR bits are cleared by writing 1;
 * clearing PR also clears the SWIER bit. Writing 1 to a SWIER bit that is 0 acts as an edge (sets PR when
 * IMR is set). The NVIC inputs are levels: PR AND IMR of the lines of each vector.
 */
import { RegisterBank } from '../../core/registers.js';
import { warnUnmapped, type IrqOutput, type Stm32DeviceContext } from './device-context.js';

/** Lines that exist on the F411: 0–18, 21, 22. */
export const EXTI_LINES_MASK = 0x0067ffff;

/** NVIC numbers by line group (RM0383 Table 37). */
export const EXTI_IRQS: readonly { lines: number; irq: number }[] = [
  { lines: 1 << 0, irq: 6 },
  { lines: 1 << 1, irq: 7 },
  { lines: 1 << 2, irq: 8 },
  { lines: 1 << 3, irq: 9 },
  { lines: 1 << 4, irq: 10 },
  { lines: 0x03e0, irq: 23 }, // EXTI9_5
  { lines: 0xfc00, irq: 40 }, // EXTI15_10
  { lines: 1 << 16, irq: 1 }, // PVD
  { lines: 1 << 17, irq: 41 }, // RTC_Alarm
  { lines: 1 << 18, irq: 42 }, // OTG_FS_WKUP
  { lines: 1 << 21, irq: 2 }, // TAMP_STAMP
  { lines: 1 << 22, irq: 3 }, // RTC_WKUP
];

export const EXTI_BASE = 0x40013c00;

export class Exti {
  readonly regs: RegisterBank;
  /** Current input level of every line (for edge detection). */
  private levels = 0;
  private readonly outs: { lines: number; out: IrqOutput }[];
  /** Called with the line number on each event (EMR), for a future WFE/SEV model. */
  onEvent: ((line: number) => void) | null = null;

  constructor(ctx: Stm32DeviceContext) {
    this.outs = EXTI_IRQS.map((g) => ({ lines: g.lines, out: ctx.irq(g.irq) }));
    const M = EXTI_LINES_MASK;
    this.regs = new RegisterBank('exti', [
      { name: 'IMR', offset: 0x00, writable: M, write: () => this.update() },
      { name: 'EMR', offset: 0x04, writable: M },
      { name: 'RTSR', offset: 0x08, writable: M },
      { name: 'FTSR', offset: 0x0c, writable: M },
      { name: 'SWIER', offset: 0x10, writable: M, write: (v, old) => this.trigger((v & ~old) >>> 0) },
      {
        name: 'PR',
        offset: 0x14,
        writable: 0,
        w1c: M,
        write: (_v, _o, w) => {
          // Clearing PR also clears the matching SWIER bits (RM0383 §10.3.5).
          this.regs.set('SWIER', this.regs.get('SWIER') & ~w);
          this.update();
        },
      },
    ], { onUnmapped: warnUnmapped(ctx.log, 'exti') });
  }

  reset(): void {
    this.regs.reset();
    this.update();
  }

  /** Drives input `line` (GPIO through SYSCFG, or the PVD/RTC/USB models); edges trigger per RTSR/FTSR. */
  setLine(line: number, level: boolean): void {
    const bit = 1 << line;
    const was = (this.levels & bit) !== 0;
    if (was === level) return;
    this.levels = level ? this.levels | bit : this.levels & ~bit;
    const sel = level ? this.regs.get('RTSR') : this.regs.get('FTSR');
    if (sel & bit) this.trigger(bit);
  }

  /** Records a line's level without edge detection (the SYSCFG mux switching to another port). */
  syncLine(line: number, level: boolean): void {
    const bit = 1 << line;
    this.levels = level ? this.levels | bit : this.levels & ~bit;
  }

  /** An edge (or SWIER) on the lines in `bits`. */
  private trigger(bits: number): void {
    bits &= EXTI_LINES_MASK;
    if (!bits) return;
    const pend = bits & this.regs.get('IMR');
    if (pend) {
      this.regs.set('PR', this.regs.get('PR') | pend);
      this.update();
    }
    const ev = bits & this.regs.get('EMR');
    if (ev && this.onEvent) for (let l = 0; l < 23; l++) if (ev & (1 << l)) this.onEvent(l);
  }

  private update(): void {
    const active = this.regs.get('PR') & this.regs.get('IMR');
    for (const o of this.outs) o.out.set((active & o.lines) !== 0);
  }

  read(offset: number, size: 1 | 2 | 4): number {
    return this.regs.read(offset, size);
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.regs.write(offset, size, value);
  }
}
