/** Pin/net model: driver and pull resolution, floating hold, contention, observers with virtual time. */
import { describe, expect, it } from 'vitest';
import { Button, Led, Pin, createPins } from '../../src/core/pins.js';

describe('Pin', () => {
  it('starts low and floating; a pull decides when nothing drives', () => {
    const p = new Pin('PA0');
    expect(p.level).toBe(false);
    expect(p.floating).toBe(true);
    p.pull('gpio', 'up');
    expect(p.level).toBe(true);
    expect(p.floating).toBe(false);
    p.pull('gpio', 'down');
    expect(p.level).toBe(false);
  });

  it('strong drivers beat pulls; releasing returns to the pull', () => {
    const p = new Pin('PA0');
    p.pull('board', 'up');
    p.drive('button', false);
    expect(p.level).toBe(false);
    expect(p.driven).toBe(true);
    p.drive('button', null);
    expect(p.level).toBe(true);
  });

  it('a floating pin keeps its last level; opposing pulls keep the level too', () => {
    const p = new Pin('PB0');
    p.drive('x', true);
    p.drive('x', null);
    expect(p.floating).toBe(true);
    expect(p.level).toBe(true);
    p.pull('a', 'up');
    p.pull('b', 'down');
    expect(p.level).toBe(true);
    p.pull('a', 'none');
    expect(p.level).toBe(false);
  });

  it('contention between strong drivers reads low and is flagged', () => {
    const p = new Pin('PC0');
    p.drive('gpio', true);
    expect(p.contention).toBe(false);
    p.drive('button', false);
    expect(p.level).toBe(false);
    expect(p.contention).toBe(true);
    p.drive('button', null);
    expect(p.level).toBe(true);
    expect(p.contention).toBe(false);
  });

  it('reports changes (only changes) with the virtual time', () => {
    let now = 0;
    const [p] = createPins('PA', 1, () => now);
    const seen: string[] = [];
    const off = p!.onChange((lvl, t, pin) => seen.push(`${pin.name}=${+lvl}@${t}`));
    now = 100;
    p!.drive('g', true);
    now = 150;
    p!.drive('g', true); // no change
    p!.pull('g', 'down'); // driven: no change
    now = 200;
    p!.drive('g', false);
    off();
    p!.drive('g', true);
    expect(seen).toEqual(['PA0=1@100', 'PA0=0@200']);
  });

  it('an active-low button on a pulled-up pin and an active-low LED', () => {
    const key = new Pin('PA0');
    key.pull('board', 'up');
    const b = new Button(key, 'KEY');
    expect(key.level).toBe(true);
    b.press();
    expect(key.level).toBe(false);
    expect(b.pressed).toBe(true);
    b.release();
    expect(key.level).toBe(true);

    const pc13 = new Pin('PC13');
    const led = new Led(pc13, 'LED', true);
    const toggles: boolean[] = [];
    led.onToggle((on) => toggles.push(on));
    pc13.drive('gpio', true);
    expect(led.on).toBe(false);
    pc13.drive('gpio', false);
    expect(led.on).toBe(true);
    expect(toggles).toEqual([false, true]);
  });
});
