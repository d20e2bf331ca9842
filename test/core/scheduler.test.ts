import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/core/scheduler.js';

describe('Scheduler', () => {
  it('fires events in time order, ties in scheduling order, and lowers the running batch end', () => {
    const clock = { cycles: 0, runUntil: 1000 };
    const s = new Scheduler(clock);
    const fired: string[] = [];
    const a = s.event('a', (t) => fired.push(`a@${t}`));
    const b = s.event('b', (t) => fired.push(`b@${t}`));
    const c = s.event('c', (t) => fired.push(`c@${t}`));
    s.schedule(a, 50);
    s.schedule(b, 10);
    s.schedule(c, 50);
    expect(clock.runUntil).toBe(10);
    expect(s.nextTime).toBe(10);
    clock.cycles = 60;
    s.runDue();
    expect(fired).toEqual(['b@10', 'a@50', 'c@50']);
    expect(s.nextTime).toBe(Infinity);
  });

  it('cancels and reschedules', () => {
    const s = new Scheduler();
    const fired: number[] = [];
    const e = s.event('e', (t) => fired.push(t));
    s.schedule(e, 5);
    s.schedule(e, 7);
    s.runDue(6);
    expect(fired).toEqual([]);
    s.cancel(e);
    s.runDue(100);
    expect(fired).toEqual([]);
    expect(e.scheduled).toBe(false);
  });
});
