/** Finds a byte pattern in a stream fed one byte at a time (a rolling window; patterns are short). */
export class StreamMatcher {
  private readonly window: Uint8Array;
  private filled = 0;
  constructor(readonly pattern: Uint8Array) {
    this.window = new Uint8Array(pattern.length);
  }
  /** True when the bytes fed so far end with the pattern (an empty pattern matches at once). */
  feed(byte: number): boolean {
    const n = this.pattern.length;
    if (n === 0) return true;
    this.window.copyWithin(0, 1);
    this.window[n - 1] = byte;
    if (this.filled < n) this.filled++;
    if (this.filled < n) return false;
    for (let i = 0; i < n; i++) if (this.window[i] !== this.pattern[i]) return false;
    return true;
  }
  reset(): void {
    this.filled = 0;
  }
}

/** The last `max` bytes of a stream, for "last output lines" reports. */
export class TailBuffer {
  private buf: number[] = [];
  constructor(private readonly max = 8192) {}
  push(b: number): void {
    this.buf.push(b);
    if (this.buf.length > this.max * 2) this.buf = this.buf.slice(-this.max);
  }
  /** The last `lines` lines as text (control bytes other than tab/newline shown as \xHH). */
  lines(lines = 10): string {
    const text = Buffer.from(this.buf.slice(-this.max)).toString('latin1');
    const shown = text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => (c === '\r' ? '' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
    const all = shown.split('\n');
    if (all.length && all[all.length - 1] === '') all.pop();
    return all.slice(-lines).join('\n');
  }
}
