/**
 * dfu-util's progress bar: "\r<desc>\t[<25 cells>] <pct>% <bytes> bytes", redrawn when the bar grows,
 * then "\n<desc> done.\n" at 100%. The C tool also redraws once a second; being deterministic, we redraw
 * only when the number of cells changes (the lines differ only by how often an identical bar repeats).
 * Like the C static, the last cell count survives across bars.
 */
const WIDTH = 25;

export class ProgressBar {
  private last = -1;
  constructor(private readonly out: (s: string) => void) {}

  draw(desc: string, curr: number, max: number): void {
    if (max < curr) max = curr + 1;
    if (max === 0 && curr === 0) max = 1;
    const cells = Math.min(WIDTH, Math.floor((WIDTH * curr) / max));
    if (cells === this.last) return;
    this.last = cells;
    const bar = '='.repeat(cells) + ' '.repeat(WIDTH - cells);
    const pct = Math.floor((100 * curr) / max);
    this.out(`\r${desc}\t[${bar}] ${String(pct).padStart(3)}% ${String(curr).padStart(12)} bytes`);
    if (cells === WIDTH) this.out(`\n${desc} done.\n`);
  }
}
