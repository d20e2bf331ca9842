/**
 * MPS2 FPGA I/O block (AN386 "FPGA system control and I/O", 0x40028000): LED0 (2 user LEDs), BUTTON
 * (reads 0), CLK1HZ / CLK100HZ (free-running counters), COUNTER + PRESCALE/PSCNTR (COUNTER increments
 * each time PSCNTR, clocked at 25 MHz, reloads from PRESCALE), MISC (read as written).
 * Everything derives from virtual time (the scheduler's cycle count), never the wall clock.
 */
import type { Scheduler } from '../../core/scheduler.js';
import { RegisterBank } from '../../core/registers.js';

export class Mps2FpgaIo {
  readonly regs: RegisterBank;
  private led0 = 0;
  private prescale = 0;
  private misc = 0;
  /** Cycle time at which CLK1HZ / CLK100HZ were 0. */
  private clk1hzBase = 0;
  private clk100hzBase = 0;
  private counter = 0;
  private pscntr = 0;
  /** Time (cycles) of the last PSCNTR tick accounted for in counter/pscntr. */
  private syncTime = 0;
  onLeds: ((leds: number) => void) | null = null;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly cpuHz: number,
    /** Prescale counter clock (25 MHz on the AN386). */
    private readonly prescaleHz = 25_000_000,
    private readonly numLeds = 2,
  ) {
    this.regs = new RegisterBank('mps2-fpgaio', [
      {
        name: 'LED0',
        offset: 0x00,
        read: () => this.led0,
        write: (_v, _o, w) => {
          this.led0 = w & ((1 << this.numLeds) - 1);
          this.onLeds?.(this.led0);
        },
      },
      { name: 'BUTTON', offset: 0x08, read: () => 0, write: () => {} },
      { name: 'CLK1HZ', offset: 0x10, read: () => this.clk(this.clk1hzBase, 1), write: (_v, _o, w) => (this.clk1hzBase = this.base(w, 1)) },
      {
        name: 'CLK100HZ',
        offset: 0x14,
        read: () => this.clk(this.clk100hzBase, 100),
        write: (_v, _o, w) => (this.clk100hzBase = this.base(w, 100)),
      },
      {
        name: 'COUNTER',
        offset: 0x18,
        read: () => {
          this.resync();
          return this.counter;
        },
        write: (_v, _o, w) => {
          this.resync();
          this.counter = w >>> 0;
        },
      },
      {
        name: 'PRESCALE',
        offset: 0x1c,
        read: () => this.prescale,
        write: (_v, _o, w) => {
          this.resync();
          this.prescale = w >>> 0;
        },
      },
      {
        name: 'PSCNTR',
        offset: 0x20,
        read: () => {
          this.resync();
          return this.pscntr;
        },
        write: (_v, _o, w) => {
          this.resync();
          this.pscntr = w >>> 0;
        },
      },
      { name: 'MISC', offset: 0x4c, read: () => this.misc, write: (_v, _o, w) => (this.misc = w >>> 0) },
    ]);
  }

  reset(): void {
    const now = this.scheduler.now;
    this.led0 = 0;
    this.prescale = 0;
    this.misc = 0;
    this.clk1hzBase = now;
    this.clk100hzBase = now;
    this.counter = 0;
    this.pscntr = 0;
    this.syncTime = now;
    this.regs.reset();
  }

  private clk(base: number, hz: number): number {
    return Math.floor(((this.scheduler.now - base) * hz) / this.cpuHz) >>> 0;
  }

  private base(count: number, hz: number): number {
    return this.scheduler.now - ((count >>> 0) * this.cpuHz) / hz;
  }

  /** Brings COUNTER/PSCNTR up to date: PSCNTR counts down at prescaleHz, reloads from PRESCALE one tick after 0, COUNTER increments on reload. */
  private resync(): void {
    const cyclesPerTick = this.cpuHz / this.prescaleHz;
    const ticks = Math.floor((this.scheduler.now - this.syncTime) / cyclesPerTick);
    if (ticks <= 0) return;
    if (ticks < this.pscntr) {
      this.pscntr -= ticks;
    } else if (this.prescale === 0) {
      this.counter = (this.counter + ticks - this.pscntr) >>> 0;
      this.pscntr = 0;
    } else {
      const y = ticks - this.pscntr + this.prescale;
      this.pscntr = this.prescale - (y % (this.prescale + 1));
      this.counter = (this.counter + Math.floor(y / (this.prescale + 1))) >>> 0;
    }
    this.syncTime += ticks * cyclesPerTick;
  }
}
