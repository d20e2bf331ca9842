/**
 * docs/PERFORMANCE.md is partly generated: each benchmark kind owns one block between
 * `<!-- bench:KIND begin -->` and `<!-- bench:KIND end -->`; everything outside the blocks is hand-written
 * and kept. A kind whose block is missing gets it after the last generated block (or at the end of the file).
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

export const beginMarker = (kind: string) => `<!-- bench:${kind} begin -->`;
export const endMarker = (kind: string) => `<!-- bench:${kind} end -->`;

/** `doc` with the block of `kind` replaced by `body` (or appended); the rest is returned unchanged. */
export function replaceBlock(doc: string, kind: string, body: string): string {
  const b = beginMarker(kind);
  const e = endMarker(kind);
  const block = `${b}\n${body.replace(/\n+$/, '')}\n${e}`;
  const i = doc.indexOf(b);
  if (i < 0) {
    const ends = [...doc.matchAll(/<!-- bench:[\w-]+ end -->/g)];
    const last = ends[ends.length - 1];
    if (last === undefined) return `${doc.replace(/\n*$/, '\n\n')}${block}\n`;
    const at = last.index + last[0].length;
    return `${doc.slice(0, at)}\n\n${block}${doc.slice(at)}`;
  }
  const j = doc.indexOf(e, i + b.length);
  if (j < 0) throw new Error(`PERFORMANCE.md: ${b} has no ${e}`);
  return doc.slice(0, i) + block + doc.slice(j + e.length);
}

/** The conditions of a measurement, as list lines for a generated block. */
export function conditions(command: string): string[] {
  const la = loadavg().map((x) => x.toFixed(2)).join(', ');
  return [
    `- Date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
    `- Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}`,
    `- QEMU: ${qemuVersion() ?? 'not installed'}`,
    `- Load average at the start (1, 5, 15 min): ${la}`,
    `- Command: \`${command}\``,
  ];
}

let qv: string | null | undefined;
export function qemuVersion(): string | null {
  if (qv !== undefined) return qv;
  try {
    qv = execFileSync('qemu-system-arm', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
  } catch {
    qv = null;
  }
  return qv;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export const fmt = (v: number | undefined, d = 1) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));
