/**
 * A pin/net model usable by any SoC: one `Pin` per package pin, driven by any number of sources (a GPIO
 * output stage, a peripheral's alternate function, a board's button or a test) and pulled by weak
 * resistors (the GPIO's internal pull-up/down, a board's external resistor).
 *
 * Resolution, chosen to match digital logic with CMOS inputs:
 * - Strong drivers win over pulls. If strong drivers disagree (contention) the pin reads low — the
 *   wired-AND result of an open-drain bus, and the most common real outcome of a push-pull fight against a
 *   grounded button — and `contention` is set so a board/test can report it.
 * - With no strong driver, pulls decide: only ups → high, only downs → low. Both at once (a divider) keeps
 *   the previous level.
 * - Nothing at all (floating): the pin keeps its last level (the input capacitance holds it), 0 at first.
 *   Real silicon reads noise; a stable value keeps runs reproducible.
 *
 * Observers get every level change with its virtual timestamp (scheduler cycles), for LED logging and VCD.
 */

/** A pin's level as a driver sees it: true high, false low, null released (high impedance). */
export type DriveLevel = boolean | null;
export type Pull = 'up' | 'down' | 'none';
export type PinListener = (level: boolean, time: number, pin: Pin) => void;

export class Pin {
  private readonly drivers = new Map<string, boolean>();
  private readonly pulls = new Map<string, 'up' | 'down'>();
  private readonly listeners: PinListener[] = [];
  private current = false;
  /** True while strong drivers disagree. */
  contention = false;

  constructor(
    readonly name: string,
    /** Virtual time source (the scheduler's `now`), stamped on every change. */
    private readonly now: () => number = () => 0,
  ) {}

  get level(): boolean {
    return this.current;
  }

  /** True when neither a driver nor a pull determines the level. */
  get floating(): boolean {
    return this.drivers.size === 0 && this.pulls.size === 0;
  }

  /** True when some strong driver holds the pin (as opposed to pulls or nothing). */
  get driven(): boolean {
    return this.drivers.size !== 0;
  }

  /** Sets (or with null releases) the strong drive of `source`. */
  drive(source: string, level: DriveLevel): void {
    if (level === null) {
      if (!this.drivers.delete(source)) return;
    } else {
      if (this.drivers.get(source) === level) return;
      this.drivers.set(source, level);
    }
    this.resolve();
  }

  /** Sets the weak pull of `source` ('none' removes it). */
  pull(source: string, pull: Pull): void {
    if (pull === 'none') {
      if (!this.pulls.delete(source)) return;
    } else {
      if (this.pulls.get(source) === pull) return;
      this.pulls.set(source, pull);
    }
    this.resolve();
  }

  /** Subscribes to level changes; returns the unsubscribe function. */
  onChange(listener: PinListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private resolve(): void {
    let hi = false;
    let lo = false;
    for (const v of this.drivers.values()) {
      if (v) hi = true;
      else lo = true;
    }
    this.contention = hi && lo;
    let next = this.current;
    if (hi || lo) {
      next = hi && !lo;
    } else {
      let up = false;
      let down = false;
      for (const p of this.pulls.values()) {
        if (p === 'up') up = true;
        else down = true;
      }
      if (up !== down) next = up;
    }
    if (next === this.current) return;
    this.current = next;
    const t = this.now();
    for (const l of this.listeners.slice()) l(next, t, this);
  }
}

/** Creates `count` pins named `${prefix}${i}` (e.g. PA0..PA15) sharing one time source. */
export function createPins(prefix: string, count: number, now: () => number): Pin[] {
  return Array.from({ length: count }, (_, i) => new Pin(`${prefix}${i}`, now));
}

/**
 * A push button between a pin and a rail: pressed, it drives the pin to its active level (low for the
 * usual button to ground); released, it lets go. Boards add their external pull resistor separately.
 */
export class Button {
  private down = false;
  constructor(
    readonly pin: Pin,
    readonly name: string,
    readonly activeLow = true,
  ) {}

  get pressed(): boolean {
    return this.down;
  }

  set(pressed: boolean): void {
    this.down = pressed;
    this.pin.drive(`button:${this.name}`, pressed ? !this.activeLow : null);
  }
  press(): void {
    this.set(true);
  }
  release(): void {
    this.set(false);
  }
}

/**
 * An LED on a pin; `activeLow` when it sits between VDD and the pin (WeAct's PC13). Reports on/off changes
 * with their virtual time so a board can log them.
 */
export class Led {
  constructor(
    readonly pin: Pin,
    readonly name: string,
    readonly activeLow = false,
  ) {}

  get on(): boolean {
    return this.pin.level !== this.activeLow;
  }

  onToggle(listener: (on: boolean, time: number) => void): () => void {
    return this.pin.onChange((level, time) => listener(level !== this.activeLow, time));
  }
}
