/**
 * The linker: ObjectFiles + a parsed GNU ld script → a LinkedImage (placed, relocated output sections and a
 * symbol table). Steps: symbol resolution (strong/weak/undefined), assignment of input sections to output
 * sections (first matching pattern wins, as in ld), reachability from ENTRY and KEEP (ld's --gc-sections),
 * layout with VMA/LMA and memory regions (iterated until forward references settle), relocation.
 * `src/builder/elf/write-exec.ts` turns the result into an ELF executable.
 */
import { UserError } from '../../core/errors.js';
import type { ObjectFile, ObjectSection, ObjectSymbol } from '../object.js';
import { RelocType } from '../object.js';
import { writeResult } from '../elf/reloc-fields.js';
import { matches, matchesFile } from './pattern.js';
import { evalBinary, type Assignment, type Expr, type InputSpec, type LinkerScript, type MemoryRegion, type OutputSection } from './script.js';

export interface LinkOptions {
  /** Drop input sections unreachable from ENTRY and KEEP (default true, like `--gc-sections`). */
  gcSections?: boolean;
  /** Overrides the script's ENTRY. */
  entry?: string;
}

export interface PlacedInput {
  object: string;
  objectIndex: number;
  section: ObjectSection;
  sectionIndex: number;
  vma: number;
  lma: number;
}

export interface LinkedSection {
  name: string;
  vma: number;
  lma: number;
  size: number;
  align: number;
  nobits: boolean;
  kind: 'text' | 'rodata' | 'data' | 'bss';
  /** Contents (empty for nobits). */
  data: Uint8Array;
  inputs: PlacedInput[];
  region?: string;
  lmaRegion?: string;
}

export interface LinkedSymbol {
  name: string;
  /** Final value; Thumb functions carry the interworking bit. */
  value: number;
  size: number;
  binding: 'local' | 'global' | 'weak';
  type: ObjectSymbol['type'] | 'file';
  /** Output section name, or undefined for absolute symbols. */
  section?: string;
  /** Defining object, undefined for script symbols. */
  object?: string;
}

export interface LinkedImage {
  entry: number;
  entrySymbol?: string;
  sections: LinkedSection[];
  symbols: LinkedSymbol[];
  memory: MemoryRegion[];
  /** Input sections dropped by /DISCARD/ or garbage collection: "object(section)". */
  discarded: string[];
  /** Non-fatal notes (orphan sections placed by heuristic, missing entry symbol). */
  warnings: string[];
}

type Key = string;
const key = (o: number, s: number): Key => `${o}:${s}`;

interface Def {
  obj: number;
  sym: ObjectSymbol;
}

export function link(objects: readonly ObjectFile[], script: LinkerScript, opts: LinkOptions = {}): LinkedImage {
  const warnings: string[] = [];
  const file = script.file;

  // ---- 1. global symbol table
  const globals = new Map<string, Def>();
  objects.forEach((o, oi) => {
    for (const s of o.symbols) {
      if (s.binding === 'local' || s.section === -1) continue;
      const prev = globals.get(s.name);
      // Tentative definitions (-fcommon, read as a COMMON section each) merge: a real definition wins, else the largest.
      const common = (d: Def) => objects[d.obj]!.sections[d.sym.section]?.name === 'COMMON';
      const mine = { obj: oi, sym: s };
      if (!prev || (prev.sym.binding === 'weak' && s.binding === 'global')) globals.set(s.name, mine);
      else if (common(mine) && (!common(prev) || prev.sym.size >= s.size)) continue;
      else if (common(prev)) globals.set(s.name, mine);
      else if (prev.sym.binding === 'global' && s.binding === 'global')
        throw new UserError(`multiple definition of '${s.name}': first defined in ${objects[prev.obj]!.name}, again in ${o.name}`);
    }
  });
  const localDefs = objects.map((o) => {
    const m = new Map<string, ObjectSymbol>();
    for (const s of o.symbols) if (s.binding === 'local' && s.section !== -1 && !s.name.startsWith('$') && !m.has(s.name)) m.set(s.name, s);
    return m;
  });
  const sectionByName = objects.map((o) => {
    const m = new Map<string, number>();
    o.sections.forEach((s, i) => {
      if (!m.has(s.name)) m.set(s.name, i);
    });
    return m;
  });
  const weakRefs = objects.map((o) => new Set(o.symbols.filter((s) => s.section === -1 && s.binding === 'weak').map((s) => s.name)));

  // Script-assigned symbols (PROVIDE ones only count when nothing else defines them).
  const outputs = script.statements.filter((s): s is OutputSection => s.kind === 'output');
  const scriptAssigns: Assignment[] = [];
  for (const st of script.statements) {
    if (st.kind === 'assign') scriptAssigns.push(st);
    else for (const it of st.items) if (it.kind === 'assign') scriptAssigns.push(it);
  }
  const scriptDefined = new Set(scriptAssigns.filter((a) => a.target !== '.' && !(a.provide && globals.has(a.target))).map((a) => a.target));

  type Target = { kind: 'section'; obj: number; sec: number; offset: number; sym?: ObjectSymbol } | { kind: 'abs'; value: number; sym?: ObjectSymbol } | { kind: 'script'; name: string } | { kind: 'weak0' };
  const resolve = (oi: number, name: string): Target | undefined => {
    const local = localDefs[oi]!.get(name);
    const pick = (obj: number, s: ObjectSymbol): Target => (s.section === -2 ? { kind: 'abs', value: s.value, sym: s } : { kind: 'section', obj, sec: s.section, offset: s.value, sym: s });
    if (local) return pick(oi, local);
    const g = globals.get(name);
    if (g) return pick(g.obj, g.sym);
    const sec = sectionByName[oi]!.get(name);
    if (sec !== undefined) return { kind: 'section', obj: oi, sec, offset: 0 };
    if (scriptDefined.has(name)) return { kind: 'script', name };
    if (weakRefs[oi]!.has(name)) return { kind: 'weak0' };
    return undefined;
  };

  // ---- 2. input section → output section assignment (first matching spec in script order)
  const specOf = new Map<Key, { out: OutputSection; spec: InputSpec }>();
  for (const out of outputs) {
    for (const it of out.items) {
      if (it.kind !== 'input') continue;
      objects.forEach((o, oi) => {
        if (!matchesFile(it.file, o.name)) return;
        o.sections.forEach((s, si) => {
          const k = key(oi, si);
          if (specOf.has(k)) return;
          const hit = it.sections.some((p) => matches(p, s.name) || (p === 'COMMON' && s.name === 'COMMON'));
          if (hit) specOf.set(k, { out, spec: it });
        });
      });
    }
  }

  // ---- 3. reachability
  const discarded: string[] = [];
  const isDiscard = (k: Key) => specOf.get(k)?.out.name === '/DISCARD/';
  const live = new Set<Key>();
  const gc = opts.gcSections ?? true;
  const entryName = opts.entry ?? script.entry;
  const work: Key[] = [];
  const mark = (k: Key) => {
    if (!live.has(k) && !isDiscard(k)) {
      live.add(k);
      work.push(k);
    }
  };
  objects.forEach((o, oi) =>
    o.sections.forEach((_, si) => {
      const k = key(oi, si);
      if (!gc || specOf.get(k)?.spec.keep) mark(k);
    }),
  );
  const markSymbol = (name: string) => {
    const g = globals.get(name);
    if (g && g.sym.section >= 0) mark(key(g.obj, g.sym.section));
  };
  if (entryName) markSymbol(entryName);
  // Symbols the script's expressions name stay alive too (ld keeps what the script refers to).
  const exprSymbols = (e: Expr, acc: string[]): string[] => {
    if (e.k === 'sym') acc.push(e.name);
    else if (e.k === 'un') exprSymbols(e.a, acc);
    else if (e.k === 'bin') [e.a, e.b].forEach((x) => exprSymbols(x, acc));
    else if (e.k === 'cond') [e.c, e.a, e.b].forEach((x) => exprSymbols(x, acc));
    else if (e.k === 'call') e.args.forEach((a) => exprSymbols(a, acc));
    return acc;
  };
  const scriptRefs = new Set<string>();
  for (const a of scriptAssigns) for (const n of exprSymbols(a.expr, [])) scriptRefs.add(n);
  for (const n of scriptRefs) markSymbol(n);
  while (work.length) {
    const k = work.pop()!;
    const [oi, si] = k.split(':').map(Number) as [number, number];
    const sec = objects[oi]!.sections[si]!;
    for (const r of sec.relocs) {
      const t = resolve(oi, r.symbol);
      if (t === undefined) throw new UserError(`${objects[oi]!.name}: undefined reference to '${r.symbol}' (from ${sec.name}+0x${r.offset.toString(16)})`);
      if (t.kind === 'section') {
        const tk = key(t.obj, t.sec);
        if (isDiscard(tk)) throw new UserError(`${objects[oi]!.name}: '${r.symbol}' referenced from ${sec.name} is in ${objects[t.obj]!.sections[t.sec]!.name}, discarded by /DISCARD/ in ${file}`);
        mark(tk);
      }
    }
  }
  objects.forEach((o, oi) =>
    o.sections.forEach((s, si) => {
      if (!live.has(key(oi, si))) discarded.push(`${o.name}(${s.name})`);
    }),
  );

  // ---- 4. orphans: live inputs no pattern matched get an output section of their own name, after the last
  // output section holding the same kind of input (ld's orphan heuristic, simplified).
  const plan: (Assignment | OutputSection)[] = [...script.statements];
  const orphanInputs = new Map<string, Key[]>();
  for (const k of live) {
    if (specOf.has(k)) continue;
    const [oi, si] = k.split(':').map(Number) as [number, number];
    const nm = objects[oi]!.sections[si]!.name;
    if (!orphanInputs.has(nm)) orphanInputs.set(nm, []);
    orphanInputs.get(nm)!.push(k);
  }
  const orphanSpec = new Map<Key, { out: OutputSection; spec: InputSpec }>();
  for (const [nm, keys] of orphanInputs) {
    const [oi, si] = keys[0]!.split(':').map(Number) as [number, number];
    const kind = objects[oi]!.sections[si]!.kind;
    let anchor = -1;
    plan.forEach((out, i) => {
      if (out.kind !== 'output' || out.name === '/DISCARD/') return;
      for (const [k, v] of specOf) {
        if (v.out !== out || !live.has(k)) continue;
        const [a, b] = k.split(':').map(Number) as [number, number];
        if (objects[a]!.sections[b]!.kind === kind) anchor = i;
      }
    });
    const spec: InputSpec = { kind: 'input', file: '*', sections: [nm], keep: false, sort: false, line: 0 };
    const anchorOut = anchor >= 0 ? (plan[anchor] as OutputSection) : undefined;
    const out: OutputSection = { kind: 'output', name: nm, noload: false, items: [spec], line: 0, region: anchorOut?.region, lmaRegion: anchorOut?.lmaRegion };
    plan.splice(anchor + 1, 0, out);
    for (const k of keys) orphanSpec.set(k, { out, spec });
    warnings.push(`orphan section ${nm} placed after ${anchorOut?.name ?? 'the start'}`);
  }
  const placementOf = (k: Key) => specOf.get(k) ?? orphanSpec.get(k);
  const inputsOfSpec = new Map<InputSpec, Key[]>();
  objects.forEach((o, oi) =>
    o.sections.forEach((_, si) => {
      const k = key(oi, si);
      if (!live.has(k)) return;
      const p = placementOf(k)!;
      if (!inputsOfSpec.has(p.spec)) inputsOfSpec.set(p.spec, []);
      inputsOfSpec.get(p.spec)!.push(k);
    }),
  );
  for (const [spec, keys] of inputsOfSpec) {
    if (!spec.sort) continue;
    const nameOf = (k: Key) => {
      const [a, b] = k.split(':').map(Number) as [number, number];
      return objects[a]!.sections[b]!.name;
    };
    keys.sort((x, y) => (nameOf(x) < nameOf(y) ? -1 : nameOf(x) > nameOf(y) ? 1 : 0));
  }

  // ---- 5. layout, repeated while forward references change values
  const regions = new Map(script.memory.map((m) => [m.name, m]));
  const regionOf = (n: string | undefined, line: number): MemoryRegion | undefined => {
    if (n === undefined) return undefined;
    const r = regions.get(n);
    if (!r) throw new UserError(`${file}:${line}: memory region ${n} is not defined in MEMORY`);
    return r;
  };
  let prevSymbols = new Map<string, { value: number; section?: string }>();
  let prevSections = new Map<string, { vma: number; lma: number; size: number; align: number }>();
  let prevAddr = new Map<Key, { vma: number; lma: number }>();
  let layout: ReturnType<typeof doLayout> | undefined;
  for (let pass = 0; pass < 4; pass++) {
    layout = doLayout();
    prevAddr = layout.addrOf;
    const same =
      layout.scriptSymbols.size === prevSymbols.size &&
      [...layout.scriptSymbols].every(([n, v]) => prevSymbols.get(n)?.value === v.value) &&
      [...layout.sectionInfo].every(([n, v]) => {
        const p = prevSections.get(n);
        return p && p.vma === v.vma && p.lma === v.lma && p.size === v.size;
      });
    prevSymbols = layout.scriptSymbols;
    prevSections = layout.sectionInfo;
    if (same && pass > 0) break;
  }
  const { sections, scriptSymbols, addrOf } = layout!;

  function doLayout() {
    const cursor = new Map<string, number>(script.memory.map((m) => [m.name, m.origin]));
    const lastDelta = new Map<string, { delta: number; lmaRegion?: string }>();
    const scriptSymbols = new Map<string, { value: number; section?: string }>();
    const sectionInfo = new Map<string, { vma: number; lma: number; size: number; align: number }>();
    const addrOf = new Map<Key, { vma: number; lma: number }>();
    const sections: LinkedSection[] = [];
    let dot = 0;

    const symbolValue = (name: string, line: number): number => {
      const s = scriptSymbols.get(name) ?? prevSymbols.get(name);
      if (s) return s.value;
      const g = globals.get(name);
      if (g) {
        if (g.sym.section === -2) return g.sym.value;
        const a = addrOf.get(key(g.obj, g.sym.section)) ?? prevAddr.get(key(g.obj, g.sym.section));
        if (a) return (a.vma + g.sym.value + (isThumbFunc(objects[g.obj]!, g.sym) ? 1 : 0)) >>> 0;
        return 0;
      }
      if (scriptDefined.has(name)) return 0; // defined later in the script: settles on the next pass
      throw new UserError(`${file}:${line}: undefined symbol '${name}' referenced in expression`);
    };
    const section = (name: string, line: number) => {
      const s = sectionInfo.get(name) ?? prevSections.get(name);
      if (!s && !outputs.some((o) => o.name === name)) throw new UserError(`${file}:${line}: undefined section '${name}' referenced in expression`);
      return s ?? { vma: 0, lma: 0, size: 0, align: 1 };
    };
    const ev = (e: Expr, line: number): number => {
      switch (e.k) {
        case 'num':
          return e.v >>> 0;
        case 'dot':
          return dot;
        case 'sym':
          return symbolValue(e.name, line);
        case 'un': {
          const a = ev(e.a, line);
          return e.op === '-' ? -a >>> 0 : e.op === '~' ? ~a >>> 0 : e.op === '!' ? +!a : a;
        }
        case 'bin':
          return evalBinary(e.op, ev(e.a, line), ev(e.b, line));
        case 'cond':
          return ev(e.c, line) ? ev(e.a, line) : ev(e.b, line);
        case 'nameFn':
          switch (e.fn) {
            case 'ORIGIN':
              return regionOf(e.name, line)!.origin;
            case 'LENGTH':
              return regionOf(e.name, line)!.length;
            case 'ADDR':
              return section(e.name, line).vma;
            case 'LOADADDR':
              return section(e.name, line).lma;
            case 'SIZEOF':
              return section(e.name, line).size;
            case 'ALIGNOF':
              return section(e.name, line).align;
            default: // DEFINED
              return +(globals.has(e.name) || scriptSymbols.has(e.name));
          }
        case 'call': {
          const args = e.args.map((a) => ev(a, line));
          switch (e.fn) {
            case 'ALIGN':
              return args.length === 1 ? alignUp(dot, args[0]!) : alignUp(args[0]!, args[1]!);
            case 'MAX':
              return Math.max(args[0]!, args[1] ?? 0);
            case 'MIN':
              return Math.min(args[0]!, args[1] ?? 0);
            case 'LOG2CEIL':
              return args[0]! <= 1 ? 0 : 32 - Math.clz32(args[0]! - 1);
            default: // ABSOLUTE, NEXT(align)
              return e.fn === 'NEXT' ? alignUp(dot, args[0]!) : args[0]!;
          }
        }
      }
    };
    const assign = (a: Assignment, inSection: OutputSection | undefined, sectionStart: number) => {
      if (a.target === '.') {
        let v = ev(a.expr, a.line);
        // Inside an output section a constant is an offset from the section start (ld semantics).
        if (inSection && a.op === '=' && a.expr.k === 'num') v = (sectionStart + v) >>> 0;
        const nv = a.op === '=' ? v : applyOp(a.op, dot, v);
        if (inSection && nv < dot) throw new UserError(`${file}:${a.line}: cannot move the location counter backwards (from 0x${dot.toString(16)} to 0x${nv.toString(16)})`);
        dot = nv >>> 0;
        return;
      }
      if (a.provide && globals.has(a.target)) return;
      const old = scriptSymbols.get(a.target)?.value ?? 0;
      const v = ev(a.expr, a.line);
      scriptSymbols.set(a.target, { value: a.op === '=' ? v : applyOp(a.op, old, v), section: inSection?.name });
    };

    for (const st of plan) {
      if (st.kind === 'assign') {
        assign(st, undefined, 0);
        continue;
      }
      if (st.name === '/DISCARD/') continue;
      const region = regionOf(st.region, st.line);
      const lmaRegion = regionOf(st.lmaRegion, st.line);
      const inputs: Key[] = [];
      for (const it of st.items) if (it.kind === 'input') inputs.push(...(inputsOfSpec.get(it) ?? []));
      const secs = inputs.map((k) => {
        const [a, b] = k.split(':').map(Number) as [number, number];
        return objects[a]!.sections[b]!;
      });
      let align = Math.max(1, ...secs.map((s) => s.align));
      if (st.align) align = Math.max(align, ev(st.align, st.line));
      let vma: number;
      if (st.address) vma = ev(st.address, st.line);
      else if (region) vma = alignUp(cursor.get(region.name)!, align);
      else vma = alignUp(dot, align);
      dot = vma;
      const placed: PlacedInput[] = [];
      const dataItems: { at: number; size: number; value: number }[] = [];
      for (const it of st.items) {
        if (it.kind === 'assign') assign(it, st, vma);
        else if (it.kind === 'data') {
          dataItems.push({ at: dot - vma, size: it.size, value: ev(it.expr, it.line) });
          dot += it.size;
        } else
          for (const k of inputsOfSpec.get(it) ?? []) {
            const [a, b] = k.split(':').map(Number) as [number, number];
            const s = objects[a]!.sections[b]!;
            dot = alignUp(dot, s.align);
            placed.push({ object: objects[a]!.name, objectIndex: a, section: s, sectionIndex: b, vma: dot, lma: 0 });
            dot += s.size;
          }
      }
      const size = dot - vma;
      const nobits = st.noload || (dataItems.length === 0 && placed.every((p) => p.section.kind === 'bss'));
      let lma: number;
      let effLmaRegion = lmaRegion?.name;
      if (st.at) lma = ev(st.at, st.line);
      else if (lmaRegion) lma = alignUp(cursor.get(lmaRegion.name)!, align);
      else if (region && !st.address && lastDelta.has(region.name)) {
        const d = lastDelta.get(region.name)!;
        lma = (vma + d.delta) >>> 0;
        effLmaRegion = d.lmaRegion;
      } else lma = vma;
      for (const p of placed) {
        p.lma = (lma + (p.vma - vma)) >>> 0;
        addrOf.set(key(p.objectIndex, p.sectionIndex), { vma: p.vma, lma: p.lma });
      }
      if (region) {
        cursor.set(region.name, vma + size);
        lastDelta.set(region.name, { delta: lma - vma, lmaRegion: effLmaRegion });
        checkFits(region, vma, size, st.name);
      }
      if (effLmaRegion && !nobits && effLmaRegion !== region?.name) {
        const r = regions.get(effLmaRegion)!;
        cursor.set(r.name, lma + size);
        checkFits(r, lma, size, st.name);
      }
      dot = vma + size;
      const kinds = new Set(placed.map((p) => p.section.kind));
      const kind = kinds.has('text') ? 'text' : kinds.has('data') || (kinds.has('bss') && !kinds.has('rodata')) ? (nobits ? 'bss' : 'data') : 'rodata';
      const data = nobits ? new Uint8Array(0) : new Uint8Array(size);
      for (const d of dataItems) for (let i = 0; i < Math.min(d.size, 4); i++) data[d.at + i] = (d.value >>> (8 * i)) & 0xff;
      if (st.fill !== undefined && !nobits) data.fill(st.fill & 0xff);
      sectionInfo.set(st.name, { vma, lma, size, align });
      sections.push({ name: st.name, vma, lma, size, align, nobits, kind, data, inputs: placed, region: region?.name, lmaRegion: effLmaRegion });
    }
    return { sections, scriptSymbols, sectionInfo, addrOf };
  }

  function checkFits(r: MemoryRegion, start: number, size: number, name: string) {
    const end = start + size;
    if (start < r.origin || end > r.origin + r.length) {
      const over = end - (r.origin + r.length);
      throw new UserError(
        over > 0 ? `section ${name} does not fit in region ${r.name}: region ${r.name} overflowed by ${over} bytes` : `section ${name} at 0x${start.toString(16)} is below region ${r.name} (0x${r.origin.toString(16)})`,
      );
    }
  }

  // ---- 6. contents and relocation
  const symAddress = (oi: number, t: Exclude<Target, { kind: 'script' } | { kind: 'weak0' }>): number => {
    if (t.kind === 'abs') return t.value >>> 0;
    const a = addrOf.get(key(t.obj, t.sec));
    if (!a) throw new UserError(`${objects[oi]!.name}: reference to ${t.sym?.name ?? objects[t.obj]!.sections[t.sec]!.name} in a section that was not placed`);
    return (a.vma + t.offset) >>> 0;
  };
  for (const out of sections) {
    for (const p of out.inputs) {
      const s = p.section;
      if (out.nobits || s.kind === 'bss') continue;
      const buf = out.data;
      const base = p.vma - out.vma;
      buf.set(s.data.subarray(0, s.size), base);
      for (const r of s.relocs) {
        const t = resolve(p.objectIndex, r.symbol)!;
        let S: number;
        let T = 0;
        if (t.kind === 'script') S = scriptSymbols.get(r.symbol)?.value ?? 0;
        else if (t.kind === 'weak0') S = 0;
        else {
          S = symAddress(p.objectIndex, t);
          if (t.sym && isThumbFunc(objects[t.kind === 'section' ? t.obj : p.objectIndex]!, t.sym)) T = 1;
        }
        const P = (p.vma + r.offset) >>> 0;
        const A = r.addend;
        let v: number;
        switch (r.type) {
          case RelocType.R_ARM_ABS32:
          case RelocType.R_ARM_TARGET1:
          case RelocType.R_ARM_THM_MOVW_ABS_NC:
            v = ((S + A) | T) >>> 0;
            break;
          case RelocType.R_ARM_THM_MOVT_ABS:
            v = (S + A) >>> 0;
            break;
          case RelocType.R_ARM_REL32:
            v = (((S + A) | T) - P) | 0;
            break;
          case RelocType.R_ARM_PREL31:
          case RelocType.R_ARM_THM_CALL:
          case RelocType.R_ARM_THM_JUMP24:
          case RelocType.R_ARM_THM_JUMP19:
          case RelocType.R_ARM_THM_JUMP11:
          case RelocType.R_ARM_THM_JUMP8:
            // A branch to an undefined weak symbol goes to the next instruction (callers test the pointer first).
            v = t.kind === 'weak0' && r.type !== RelocType.R_ARM_PREL31 ? 0 : (((S + A) | T) - P) | 0;
            break;
          default: // THM_PC8, THM_PC12, THM_ALU_PREL_11_0: relative to Align(P, 4)
            v = ((S + A) - (P & ~3)) | 0;
        }
        const why = writeResult(r.type, buf, base + r.offset, v);
        if (why) throw new UserError(`${p.object}: ${s.name}+0x${r.offset.toString(16)}: relocation against '${r.symbol}' does not fit: ${why}`);
      }
    }
  }

  // ---- 7. symbols
  const outOf = (vma: number, preferred?: string): string | undefined => {
    if (preferred && sections.some((s) => s.name === preferred && s.size > 0)) return preferred;
    return sections.find((s) => s.size > 0 && vma >= s.vma && vma < s.vma + s.size)?.name;
  };
  const outputOf = new Map<Key, string>();
  for (const out of sections) for (const p of out.inputs) outputOf.set(key(p.objectIndex, p.sectionIndex), out.name);
  const symbols: LinkedSymbol[] = [];
  objects.forEach((o, oi) => {
    const locals = o.symbols.filter((s) => s.binding === 'local' && s.section !== -1 && s.type !== 'section');
    if (locals.length) symbols.push({ name: o.name, value: 0, size: 0, binding: 'local', type: 'file', object: o.name });
    for (const s of locals) {
      const v = placedValue(oi, s);
      if (v) symbols.push({ name: s.name, value: v.value, size: s.size, binding: 'local', type: s.type, section: v.section, object: o.name });
    }
  });
  for (const [name, d] of globals) {
    const v = placedValue(d.obj, d.sym);
    if (v) symbols.push({ name, value: v.value, size: d.sym.size, binding: d.sym.binding, type: d.sym.type, section: v.section, object: objects[d.obj]!.name });
  }
  for (const [name, s] of scriptSymbols) {
    if (globals.has(name)) continue;
    const a = scriptAssigns.find((x) => x.target === name);
    // ld emits a PROVIDEd symbol only when something refers to it (an object or the script itself).
    if (a?.provide && !objects.some((o) => o.symbols.some((x) => x.name === name && x.section === -1)) && !scriptRefs.has(name)) continue;
    symbols.push({ name, value: s.value, size: 0, binding: 'global', type: 'notype', section: s.section ? outOf(s.value, s.section) : outOf(s.value) });
  }
  function placedValue(oi: number, s: ObjectSymbol): { value: number; section?: string } | undefined {
    if (s.section === -2) return { value: s.value >>> 0 };
    const a = addrOf.get(key(oi, s.section));
    if (!a) return undefined;
    const vma = (a.vma + s.value) >>> 0;
    return { value: (vma | (isThumbFunc(objects[oi]!, s) ? 1 : 0)) >>> 0, section: outputOf.get(key(oi, s.section)) };
  }

  // ---- 8. entry
  let entry = 0;
  if (entryName) {
    const e = symbols.find((s) => s.name === entryName && s.binding !== 'local');
    if (e) entry = e.value;
    else warnings.push(`entry symbol ${entryName} not found; entry set to 0`);
  }
  return { entry, entrySymbol: entryName, sections: sections.filter((s) => s.size > 0 || s.inputs.length > 0), symbols, memory: script.memory, discarded, warnings };
}

/** Thumb functions get the interworking bit in addresses (Cortex-M code is all Thumb). */
function isThumbFunc(o: ObjectFile, s: ObjectSymbol): boolean {
  return s.type === 'func' && s.section >= 0 && o.sections[s.section]?.kind === 'text';
}

function alignUp(v: number, a: number): number {
  if (a <= 1) return v >>> 0;
  return (Math.ceil(v / a) * a) >>> 0;
}

function applyOp(op: Assignment['op'], old: number, v: number): number {
  return evalBinary(op.slice(0, -1), old, v);
}
