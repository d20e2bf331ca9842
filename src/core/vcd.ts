/**
 * Value Change Dump (IEEE 1364-2005 §18, the four-state VCD GTKWave reads) of pin levels in virtual time.
 *
 * Layout written:
 *   $date / $version / $timescale 1 ns
 *   $scope module <board> $end
 *     $scope module GPIOA $end  $var wire 1 <id> PA0 $end … $upscope $end   (one scope per port)
 *     $scope module leds $end   $var wire 1 <id of its pin> LD2 $end …      (aliases: same identifier code)
 *   $upscope $end
 *   $enddefinitions $end
 *   #0 $dumpvars <initial values> $end
 *   #<ns> <value><id> …   (one time record per instant with changes; times strictly increase)
 *   #<final ns>           (the end of the run, so viewers show the last interval)
 *
 * Identifier codes are strings of printable ASCII '!'..'~' (94 symbols, base-94 for more signals).
 * Output is buffered and written with plain writes; `close()` flushes. Times come from the caller's clock
 * (virtual seconds), never the wall clock.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { UserError } from './errors.js';
import type { Pin } from './pins.js';

/** Identifier code number n: '!'..'~', then two characters, … */
export function vcdId(n: number): string {
  let s = '';
  do {
    s += String.fromCharCode(33 + (n % 94));
    n = Math.floor(n / 94);
  } while (n > 0);
  return s;
}

export interface VcdSignalGroup {
  /** Scope name (e.g. GPIOA). */
  readonly scope: string;
  readonly pins: readonly Pin[];
}

export interface VcdOptions {
  /** Top scope name (the board). */
  readonly top: string;
  readonly groups: readonly VcdSignalGroup[];
  /** Extra names for pins (LEDs, buttons), listed in their own scopes with the pin's identifier. */
  readonly aliases?: readonly { readonly scope: string; readonly name: string; readonly pin: Pin }[];
  /** Virtual time now, in seconds. */
  readonly seconds: () => number;
  /** `$date` text (given by the caller so output can be reproducible). */
  readonly date?: string;
}

/** Scope and variable names must not contain white space (they are VCD tokens). */
function token(s: string): string {
  return s.replace(/\s+/g, '_') || '_';
}

export class VcdWriter {
  private readonly fd: number;
  private buf = '';
  private lastNs = 0;
  private closed = false;
  private readonly ids = new Map<Pin, string>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    readonly path: string,
    private readonly o: VcdOptions,
  ) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UserError(`--vcd ${path}: cannot create file${code ? ` (${code})` : ''}`);
    }
    let n = 0;
    const lines: string[] = [];
    lines.push(`$date ${o.date ?? 'emboard run'} $end`);
    lines.push('$version emboard VCD writer $end');
    lines.push('$timescale 1 ns $end');
    lines.push(`$scope module ${token(o.top)} $end`);
    for (const g of o.groups) {
      lines.push(`$scope module ${token(g.scope)} $end`);
      for (const p of g.pins) {
        const id = vcdId(n++);
        this.ids.set(p, id);
        lines.push(`$var wire 1 ${id} ${token(p.name)} $end`);
      }
      lines.push('$upscope $end');
    }
    const byScope = new Map<string, { name: string; pin: Pin }[]>();
    for (const a of o.aliases ?? []) {
      if (!this.ids.has(a.pin)) continue;
      let l = byScope.get(a.scope);
      if (l === undefined) byScope.set(a.scope, (l = []));
      l.push(a);
    }
    for (const [scope, list] of byScope) {
      lines.push(`$scope module ${token(scope)} $end`);
      for (const a of list) lines.push(`$var wire 1 ${this.ids.get(a.pin)!} ${token(a.name)} $end`);
      lines.push('$upscope $end');
    }
    lines.push('$upscope $end');
    lines.push('$enddefinitions $end');
    this.lastNs = this.nowNs();
    lines.push(`#${this.lastNs}`);
    lines.push('$dumpvars');
    for (const [p, id] of this.ids) lines.push(`${p.level ? 1 : 0}${id}`);
    lines.push('$end');
    this.buf = `${lines.join('\n')}\n`;
    for (const [p, id] of this.ids) this.unsubscribe.push(p.onChange((level) => this.change(id, level)));
  }

  private nowNs(): number {
    return Math.max(0, Math.round(this.o.seconds() * 1e9));
  }

  private change(id: string, level: boolean): void {
    if (this.closed) return;
    // Times never go backwards in a VCD; a change in the same nanosecond joins that time record.
    const ns = Math.max(this.lastNs, this.nowNs());
    if (ns !== this.lastNs) {
      this.buf += `#${ns}\n`;
      this.lastNs = ns;
    }
    this.buf += `${level ? 1 : 0}${id}\n`;
    if (this.buf.length > 1 << 16) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0) return;
    writeSync(this.fd, this.buf);
    this.buf = '';
  }

  /** Writes the final time record and closes the file. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubscribe) u();
    const end = this.nowNs();
    if (end > this.lastNs) this.buf += `#${end}\n`;
    this.flush();
    closeSync(this.fd);
  }
}
