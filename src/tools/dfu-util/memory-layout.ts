/**
 * DfuSe memory maps as alternate-setting names describe them (ST UM0424): `@NAME/0xADDR/N*SIZE[BKM]T,…`
 * where T is a letter a..g whose value − 'a' + 1 is a bit set: 1 readable, 2 erasable, 4 writeable.
 * Each `N*SIZE` run is one segment whose page size is SIZE, as dfu-util's parser builds them.
 */
export const READABLE = 1;
export const ERASABLE = 2;
export const WRITEABLE = 4;

export interface MemSegment {
  readonly start: number;
  /** Last byte (inclusive), as dfu-util keeps it. */
  readonly end: number;
  readonly pageSize: number;
  readonly memtype: number;
}

export interface MemLayout {
  readonly name: string;
  readonly segments: readonly MemSegment[];
  /** Lines dfu-util prints while parsing (-v segment lines, warnings go to `warnings`). */
  readonly verboseLines: readonly string[];
  readonly warnings: readonly string[];
}

export function parseMemoryLayout(desc: string): MemLayout | null {
  const m = /^@([^/]+)/.exec(desc);
  if (!m) return null;
  const name = m[1]!;
  let rest = desc.slice(m[0].length);
  const segments: MemSegment[] = [];
  const verboseLines: string[] = [];
  const warnings: string[] = [];
  let count = 0;
  for (;;) {
    const a = /^\/0x([0-9a-fA-F]+)\//.exec(rest);
    if (!a) break;
    let address = parseInt(a[1]!, 16) >>> 0;
    rest = rest.slice(a[0].length);
    for (;;) {
      const s = /^\s*([+-]?\d+)\*\s*([+-]?\d+)(.)([^,/]*)/.exec(rest);
      if (!s) break;
      rest = rest.slice(s[0].length);
      count++;
      const sectors = parseInt(s[1]!, 10);
      let size = parseInt(s[2]!, 10);
      const mult = s[3]!;
      let type = s[4]!;
      if (mult === 'K') size *= 1024;
      else if (mult === 'M') size *= 1024 * 1024;
      else if (mult >= 'a' && mult <= 'g') {
        if (!type) type = mult;
      } else if (mult !== 'B') {
        warnings.push(`Non-valid multiplier '${mult}', assuming bytes`);
      }
      const t = type.charCodeAt(0);
      if (!(t >= 0x61 && t <= 0x67)) {
        warnings.push(`Parsing type identifier '${type}' failed for segment ${count}`);
      } else {
        const memtype = (t - 0x61 + 1) & 7;
        const flags = `${memtype & READABLE ? 'r' : ''}${memtype & ERASABLE ? 'e' : ''}${memtype & WRITEABLE ? 'w' : ''}`;
        verboseLines.push(
          `Memory segment at 0x${hex8(address)} ${String(sectors).padStart(3)} x ${String(size).padStart(4)} = ${String(sectors * size).padStart(5)} (${flags})`,
        );
        segments.push({ start: address, end: (address + sectors * size - 1) >>> 0, pageSize: size, memtype });
      }
      address = (address + sectors * size) >>> 0;
      if (rest.startsWith(',')) rest = rest.slice(1);
      else break;
    }
  }
  return { name, segments, verboseLines, warnings };
}

export function findSegment(layout: MemLayout, address: number): MemSegment | null {
  const a = address >>> 0;
  return layout.segments.find((s) => a >= s.start && a <= s.end) ?? null;
}

export function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

export function hex4(n: number): string {
  return (n & 0xffff).toString(16).padStart(4, '0');
}
