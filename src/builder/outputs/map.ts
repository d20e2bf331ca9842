/**
 * A link map in the spirit of ld's -Map (our own layout): memory regions with use, output sections with VMA,
 * LMA, size and alignment, each input section with its address, size and object, the symbols inside it,
 * then the discarded input sections and the script/absolute symbols.
 */
import type { LinkedImage, LinkedSymbol } from '../link/linker.js';

const h = (v: number) => '0x' + (v >>> 0).toString(16).padStart(8, '0');

export function mapFile(image: LinkedImage): string {
  const lines: string[] = [];
  lines.push('Memory regions', '', 'Name             Origin       Length       Used         Use%');
  for (const m of image.memory) {
    let used = 0;
    for (const s of image.sections) {
      if (s.region === m.name) used += s.size;
      if (s.lmaRegion === m.name && s.lmaRegion !== s.region && !s.nobits) used += s.size;
    }
    const pct = m.length ? ((used * 100) / m.length).toFixed(2) + '%' : '-';
    lines.push(`${m.name.padEnd(16)} ${h(m.origin)}   ${h(m.length)}   ${h(used)}   ${pct}`);
  }
  // Symbols per (object, output section), sorted by address, so each input section finds its own by bisection.
  const groups = new Map<string, { addr: number; sym: LinkedSymbol }[]>();
  for (const y of image.symbols) {
    if (y.type === 'file' || y.object === undefined || y.section === undefined || y.name.startsWith('$')) continue;
    const k = `${y.object}\0${y.section}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push({ addr: (y.value & ~(y.type === 'func' ? 1 : 0)) >>> 0, sym: y });
  }
  for (const g of groups.values()) g.sort((a, b) => a.addr - b.addr);
  const symbolsIn = (object: string, section: string, lo: number, hi: number): LinkedSymbol[] => {
    const g = groups.get(`${object}\0${section}`) ?? [];
    let a = 0;
    let b = g.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (g[m]!.addr < lo) a = m + 1;
      else b = m;
    }
    const out: LinkedSymbol[] = [];
    for (let i = a; i < g.length && (g[i]!.addr < hi || (hi === lo && g[i]!.addr === lo)); i++) out.push(g[i]!.sym);
    return out;
  };
  lines.push('', 'Output sections', '', 'Section              VMA          LMA          Size         Align  Region');
  for (const s of image.sections) {
    const region = (s.region ?? '-') + (s.lmaRegion && s.lmaRegion !== s.region ? ` AT> ${s.lmaRegion}` : '');
    lines.push(`${s.name.padEnd(20)} ${h(s.vma)}   ${h(s.lma)}   ${h(s.size)}   ${String(s.align).padEnd(6)} ${region}${s.nobits ? ' (NOBITS)' : ''}`);
    for (const p of s.inputs) {
      lines.push(` ${p.section.name.padEnd(19)} ${h(p.vma)}   ${h(p.lma)}   ${h(p.section.size)}          ${p.object}`);
      const syms = symbolsIn(p.object, s.name, p.vma, p.vma + p.section.size);
      for (const y of syms) lines.push(`${' '.repeat(21)}${h(y.value)}   ${y.binding === 'local' ? '' : 'global '}${y.name}`);
    }
  }
  const script = image.symbols.filter((y) => y.object === undefined).sort((a, b) => a.value - b.value);
  if (script.length) {
    lines.push('', 'Linker script symbols', '');
    for (const y of script) lines.push(`${h(y.value)}   ${y.name}${y.section ? ` (${y.section})` : ''}`);
  }
  if (image.discarded.length) {
    lines.push('', 'Discarded input sections (/DISCARD/ and garbage collection)', '');
    for (const d of image.discarded) lines.push(` ${d}`);
  }
  if (image.warnings.length) {
    lines.push('', 'Warnings', '');
    for (const w of image.warnings) lines.push(` ${w}`);
  }
  return lines.join('\n') + '\n';
}
