/**
 * CMSDK APB timer, dual timer and watchdog in virtual time. Expected times follow the counter rules
 * QEMU's models use: one decrement per (prescaled) cycle, the interrupt on the 1 → 0 step, then 0 held
 * for one tick before the reload, so a periodic timer interrupts every RELOAD + 1 ticks.
 */
import { describe, expect, it } from 'vitest';
import { IrqLine } from '../../src/core/irq.js';
import { CmsdkDualTimer } from '../../src/soc/mps2/cmsdk-dualtimer.js';
import { CmsdkTimer } from '../../src/soc/mps2/cmsdk-timer.js';
import { CmsdkWatchdog, WDOG_UNLOCK } from '../../src/soc/mps2/cmsdk-watchdog.js';
import { clocked, RecordingIrq } from './mps2-helpers.js';

describe('CMSDK APB timer', () => {
  function make() {
    const c = clocked();
    const irq = new RecordingIrq();
    const t = new CmsdkTimer(c.scheduler, 'timer0', new IrqLine(irq, 8));
    t.reset();
    return { ...c, t, r: t.regs, irq };
  }

  it('resets to zero with the timer peripheral ID', () => {
    const { r } = make();
    expect([0, 4, 8, 0xc].map((o) => r.read(o, 4))).toEqual([0, 0, 0, 0]);
    expect(r.read(0xfe0, 4)).toBe(0x22);
  });

  it('counts down from RELOAD and interrupts every RELOAD+1 cycles with IRQEN', () => {
    const { r, irq, advance } = make();
    r.write(0x08, 4, 99); // RELOAD (also loads VALUE)
    expect(r.read(0x04, 4)).toBe(99);
    r.write(0x00, 4, 0x9); // EN | IRQEN
    advance(10);
    expect(r.read(0x04, 4)).toBe(89);
    advance(88); // t = 98: VALUE 1
    expect(r.read(0x04, 4)).toBe(1);
    expect(irq.high(8)).toBe(false);
    advance(1); // t = 99: 1 → 0
    expect(r.read(0x04, 4)).toBe(0);
    expect(r.read(0x0c, 4)).toBe(1);
    expect(irq.high(8)).toBe(true);
    advance(1); // t = 100: reload
    expect(r.read(0x04, 4)).toBe(99);
    r.write(0x0c, 4, 1); // W1C
    expect(irq.high(8)).toBe(false);
    advance(99); // t = 199: second zero crossing
    expect(irq.high(8)).toBe(true);
  });

  it('does not latch INTSTATUS without IRQEN, and stops counting when disabled', () => {
    const { r, irq, advance } = make();
    r.write(0x08, 4, 9);
    r.write(0x00, 4, 0x1);
    advance(25);
    expect(r.read(0x0c, 4)).toBe(0);
    expect(irq.high(8)).toBe(false);
    const v = r.read(0x04, 4);
    r.write(0x00, 4, 0);
    advance(1000);
    expect(r.read(0x04, 4)).toBe(v);
  });

  it('with RELOAD = 0 counts VALUE down once (one-shot) and stops at 0', () => {
    const { r, irq, advance } = make();
    r.write(0x04, 4, 50);
    r.write(0x00, 4, 0x9);
    advance(50);
    expect(irq.high(8)).toBe(true);
    r.write(0x0c, 4, 1);
    advance(10_000);
    expect(r.read(0x04, 4)).toBe(0);
    expect(irq.high(8)).toBe(false);
  });
});

describe('CMSDK APB dual timer', () => {
  function make() {
    const c = clocked();
    const irq = new RecordingIrq();
    const t = new CmsdkDualTimer(c.scheduler, 'dualtimer', new IrqLine(irq, 10), new IrqLine(irq, 30), new IrqLine(irq, 31));
    t.reset();
    return { ...c, t, r: t.regs, irq };
  }

  it('resets to free-running 16-bit with INTEN set and VALUE reading 0xFFFFFFFF', () => {
    const { r } = make();
    expect(r.read(0x08, 4)).toBe(0x20);
    expect(r.read(0x04, 4)).toBe(0xffffffff);
    expect(r.read(0x00, 4)).toBe(0);
    expect(r.read(0x28, 4)).toBe(0x20);
    expect(r.read(0xfe0, 4)).toBe(0x23);
  });

  it('periodic 32-bit mode with prescale 16 interrupts every (LOAD+1)*16 cycles; MIS needs INTEN', () => {
    const { r, irq, advance } = make();
    r.write(0x00, 4, 9); // LOAD
    r.write(0x08, 4, 0x80 | 0x40 | 0x20 | 0x04 | 0x02); // ENABLE | periodic | INTEN | /16 | 32-bit
    advance(16 * 9 - 1);
    expect(irq.high(10)).toBe(false);
    advance(1);
    expect(r.read(0x10, 4)).toBe(1); // RIS
    expect(r.read(0x14, 4)).toBe(1); // MIS
    expect(irq.high(10)).toBe(true);
    expect(irq.high(30)).toBe(true);
    expect(irq.high(31)).toBe(false);
    r.write(0x0c, 4, 0); // INTCLR (any value)
    expect(irq.high(10)).toBe(false);
    advance(16 * 10);
    expect(irq.high(10)).toBe(true);
    // Clearing INTEN masks the output but RIS stays.
    r.write(0x08, 4, 0x80 | 0x40 | 0x04 | 0x02);
    expect(r.read(0x10, 4)).toBe(1);
    expect(r.read(0x14, 4)).toBe(0);
    expect(irq.high(10)).toBe(false);
  });

  it('one-shot mode stops at zero', () => {
    const { r, advance } = make();
    r.write(0x20, 4, 100); // timer 2 LOAD
    r.write(0x28, 4, 0x80 | 0x02 | 0x01); // ENABLE | 32-bit | ONESHOT
    advance(100);
    expect(r.read(0x30, 4)).toBe(1);
    expect(r.read(0x34, 4)).toBe(0); // INTEN clear
    advance(500);
    expect(r.read(0x24, 4)).toBe(0);
  });

  it('16-bit free-running mode wraps at 0xFFFF and keeps the upper VALUE bits', () => {
    const { r, advance } = make();
    r.write(0x08, 4, 0x80); // ENABLE, free-running, 16-bit, /1
    advance(0x10); // 0xFFFF - 0x10
    expect(r.read(0x04, 4)).toBe(0xffffffef);
    advance(0xffef + 1); // reaches 0 and then reloads 0xFFFF one tick later
    expect(r.read(0x04, 4)).toBe(0xffffffff);
  });

  it('BGLOAD changes the reload value without touching the count', () => {
    const { r, advance } = make();
    r.write(0x00, 4, 1000);
    r.write(0x08, 4, 0x80 | 0x40 | 0x02);
    advance(100);
    r.write(0x18, 4, 10);
    expect(r.read(0x04, 4)).toBe(900);
    expect(r.read(0x00, 4)).toBe(10);
    advance(900 + 1);
    expect(r.read(0x04, 4)).toBe(10);
  });

  it('integration test mode drives the outputs from TIMERITOP', () => {
    const { r, irq } = make();
    r.write(0xf00, 4, 1);
    r.write(0xf04, 4, 2);
    expect(irq.high(31)).toBe(true);
    expect(irq.high(10)).toBe(true);
    r.write(0xf00, 4, 0);
    expect(irq.high(10)).toBe(false);
  });
});

describe('CMSDK APB watchdog', () => {
  function make() {
    const c = clocked();
    const irq = new RecordingIrq();
    const w = new CmsdkWatchdog(c.scheduler, 'wdog', new IrqLine(irq, -14));
    let resets = 0;
    w.onResetRequest = () => resets++;
    w.reset();
    return { ...c, w, r: w.regs, irq, resets: () => resets };
  }

  it('resets with LOAD/VALUE 0xFFFFFFFF, stopped, unlocked', () => {
    const { r, advance } = make();
    expect(r.read(0x00, 4)).toBe(0xffffffff);
    advance(1000);
    expect(r.read(0x04, 4)).toBe(0xffffffff);
    expect(r.read(0xc00, 4)).toBe(0);
    expect(r.read(0xfe0, 4)).toBe(0x24);
  });

  it('interrupts on the first expiry, requests reset on the second when RESEN', () => {
    const { r, irq, advance, resets } = make();
    r.write(0x00, 4, 1000);
    r.write(0x08, 4, 3); // INTEN | RESEN
    advance(1000);
    expect(irq.high(-14)).toBe(true);
    expect(r.read(0x10, 4)).toBe(1);
    expect(resets()).toBe(0);
    advance(1001);
    expect(resets()).toBe(1);
  });

  it('INTCLR reloads the counter; the lock blocks writes until 0x1ACCE551', () => {
    const { r, irq, advance, resets } = make();
    r.write(0x00, 4, 1000);
    r.write(0x08, 4, 3);
    advance(1000);
    r.write(0x0c, 4, 1);
    expect(irq.high(-14)).toBe(false);
    expect(r.read(0x04, 4)).toBe(1000);
    r.write(0xc00, 4, 0); // lock
    expect(r.read(0xc00, 4)).toBe(1);
    r.write(0x08, 4, 0); // ignored
    expect(r.read(0x08, 4)).toBe(3);
    r.write(0xc00, 4, WDOG_UNLOCK);
    r.write(0x08, 4, 0);
    expect(r.read(0x08, 4)).toBe(0);
    advance(5000);
    expect(resets()).toBe(0);
  });
});
