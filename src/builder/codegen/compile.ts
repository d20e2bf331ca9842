/**
 * compileModule: a WebAssembly module → one relocatable ObjectFile (src/builder/object.ts) of Thumb-2 code.
 *
 * Sections: `.text.<name>` per function, `.text.__wasm_init`, `.data.wasm_globals`, `.data.wasm_memory_size`,
 * `.bss.wasm_memory` (linear memory at its configured maximum), `.rodata.wasm_table` (call_indirect),
 * `.rodata.wasm_data` (active data segments, copied by __wasm_init). Symbols and registers: see abi.ts.
 *
 * Symbol naming: defined function i is `__wasm_f<i>` (local); an export adds a global alias with the export
 * name; an imported function `env.name` is the undefined symbol `name`, any other module `module_name`.
 */
import type { ObjectFile, ObjectSection, ObjectSymbol } from '../object.js';
import { RelocType } from '../object.js';
import { decodeModule, WasmDecodeError } from '../wasm/decoder.js';
import { ValType, importCount, type ConstExpr, type FuncType, type WasmModule } from '../wasm/module.js';
import { SYM } from './abi.js';
import { compileFunction, type ModuleContext } from './function.js';
import { ThumbAsm } from './thumb/asm.js';
import * as E from './thumb/encode.js';
import { Cond, DpOp, Mem } from './thumb/encode.js';

export interface CompileOptions {
  /** Name for error messages and the object's file symbol. */
  source?: string;
  /**
   * Largest linear memory in 64 KiB pages (the .bss reserved for it). Default: the module's maximum, else
   * its minimum. memory.grow beyond it returns -1. Must be ≥ the module's minimum.
   */
  maxMemoryPages?: number;
}

export const PAGE = 65536;

export function importSymbol(module: string, name: string): string {
  return module === 'env' ? name : `${module}_${name}`;
}

function sigKey(t: FuncType): string {
  return `${t.params.join(',')}:${t.results.join(',')}`;
}

function constI32(e: ConstExpr | undefined, what: string, source: string): number {
  if (e === undefined || e.op !== 'i32.const') throw new WasmDecodeError(0, `${what}: only i32.const initialisers are supported`, source);
  return e.value as number;
}

export function compileModule(wasm: Uint8Array | WasmModule, options: CompileOptions = {}): ObjectFile {
  const source = options.source ?? 'module.wasm';
  const m = wasm instanceof Uint8Array ? decodeModule(wasm, source) : wasm;
  const nFuncImports = importCount(m, 'func');
  if (m.imports.some((i) => i.desc.kind === 'memory' || i.desc.kind === 'table')) throw new WasmDecodeError(0, 'imported memories and tables are not supported (the module must define its own)', source);

  // Canonical signature ids: the first type index with the same signature.
  const sigIds = new Map<string, number>();
  const sigId = (ti: number): number => {
    const k = sigKey(m.types[ti]!);
    if (!sigIds.has(k)) sigIds.set(k, sigIds.size);
    return sigIds.get(k)!;
  };
  m.types.forEach((_, i) => sigId(i));

  const mem = m.memories[0];
  const minPages = mem?.min ?? 0;
  const maxPages = Math.min(options.maxMemoryPages ?? mem?.max ?? minPages, mem?.max ?? 65535, 65535);
  if (maxPages < minPages) throw new WasmDecodeError(0, `memory needs ${minPages} pages but at most ${maxPages} are configured`, source);

  const tableSize = m.tables[0]?.limits.min ?? 0;
  const funcSymbol = (i: number): string => {
    if (i < nFuncImports) {
      const imp = m.imports.filter((x) => x.desc.kind === 'func')[i]!;
      return importSymbol(imp.module, imp.name);
    }
    return `__wasm_f${i}`;
  };
  const ctx: ModuleContext = { module: m, funcSymbol, sigId, tableSize, maxPages, source };

  const sections: ObjectSection[] = [];
  const symbols: ObjectSymbol[] = [];
  const defined = new Set<string>();
  const addSection = (s: ObjectSection): number => sections.push(s) - 1;
  const define = (name: string, section: number, value: number, size: number, binding: ObjectSymbol['binding'], type: ObjectSymbol['type']): void => {
    symbols.push({ name, section, value, size, binding, type });
    defined.add(name);
  };

  // Functions.
  const exportedNames = new Map<number, string[]>();
  for (const e of m.exports) if (e.kind === 'func') exportedNames.set(e.index, [...(exportedNames.get(e.index) ?? []), e.name]);
  m.bodies.forEach((body, k) => {
    const index = nFuncImports + k;
    const fn = compileFunction(ctx, index, body);
    const names = exportedNames.get(index);
    const secName = `.text.${names?.[0] ?? m.funcNames.get(index) ?? `__wasm_f${index}`}`;
    const si = addSection({ name: secName, kind: 'text', data: fn.code, size: fn.code.length, align: 4, relocs: fn.relocs });
    define(funcSymbol(index), si, 0, fn.code.length, 'local', 'func');
    for (const n of names ?? []) define(n, si, 0, fn.code.length, 'global', 'func');
  });

  // Globals (i32 only for now), one word each, initialised statically.
  const globalsData = new Uint8Array(m.globals.length * 4);
  m.globals.forEach((g, i) => {
    if (g.type !== ValType.i32) throw new WasmDecodeError(0, `global ${i}: only i32 globals are supported yet`, source);
    new DataView(globalsData.buffer).setInt32(i * 4, constI32(g.init, `global ${i}`, source), true);
  });
  if (m.globals.length > 0) {
    const gsec = addSection({ name: '.data.wasm_globals', kind: 'data', data: globalsData, size: globalsData.length, align: 4, relocs: [] });
    define(SYM.globals, gsec, 0, globalsData.length, 'local', 'object');
    const nGlobalImports = importCount(m, 'global');
    for (const e of m.exports) if (e.kind === 'global') define(e.name, gsec, (e.index - nGlobalImports) * 4, 4, 'global', 'object');
  }

  // Linear memory.
  const sizeWord = new Uint8Array(4);
  new DataView(sizeWord.buffer).setUint32(0, minPages * PAGE, true);
  const szsec = addSection({ name: '.data.wasm_memory_size', kind: 'data', data: sizeWord, size: 4, align: 4, relocs: [] });
  define(SYM.memorySize, szsec, 0, 4, 'global', 'object');
  const memsec = addSection({ name: '.bss.wasm_memory', kind: 'bss', data: new Uint8Array(0), size: maxPages * PAGE, align: 8, relocs: [] });
  define(SYM.memory, memsec, 0, maxPages * PAGE, 'global', 'object');

  // Table: 8-byte entries {signature id, function address}; empty entries have id -1 and address 0.
  if (m.tables.length > 0) {
    const data = new Uint8Array(tableSize * 8);
    const dv = new DataView(data.buffer);
    for (let i = 0; i < tableSize; i++) dv.setInt32(i * 8, -1, true);
    const relocs: ObjectSection['relocs'] = [];
    for (const seg of m.elements) {
      if (seg.mode !== 'active') continue;
      const base = constI32(seg.offset, 'element segment offset', source);
      seg.funcs.forEach((f, j) => {
        const slot = base + j;
        if (slot >= tableSize) throw new WasmDecodeError(0, `element segment writes table entry ${slot} beyond size ${tableSize}`, source);
        if (f === null) return;
        const typeIndex = f < nFuncImports ? (m.imports.filter((x) => x.desc.kind === 'func')[f]!.desc as { type: number }).type : m.funcs[f - nFuncImports]!;
        dv.setInt32(slot * 8, sigId(typeIndex), true);
        // R_ARM_ABS32 to a function symbol: the linker adds the Thumb bit ((S + A) | T).
        relocs.push({ offset: slot * 8 + 4, type: RelocType.R_ARM_ABS32, symbol: funcSymbol(f), addend: 0 });
      });
    }
    const tsec = addSection({ name: '.rodata.wasm_table', kind: 'rodata', data, size: data.length, align: 4, relocs });
    define(SYM.table, tsec, 0, data.length, 'local', 'object');
  }

  // Data segments and __wasm_init.
  const init = new ThumbAsm();
  init.emit(E.push(0x4010)); // r4, lr: keeps sp 8-byte aligned for the start function
  const active = m.data.filter((s) => s.mode === 'active');
  if (active.length > 0) {
    const total = active.reduce((n, s) => n + s.bytes.length, 0);
    const blob = new Uint8Array(total);
    let off = 0;
    for (const seg of active) {
      const dest = constI32(seg.offset, 'data segment offset', source) >>> 0;
      if (dest + seg.bytes.length > minPages * PAGE) throw new WasmDecodeError(0, `data segment at ${dest} (+${seg.bytes.length}) is outside the initial memory`, source);
      blob.set(seg.bytes, off);
      if (seg.bytes.length > 0) {
        // r0 = source, r1 = destination, r2 = count; byte loop.
        init.addressOf(0, SYM.data, off);
        init.addressOf(1, SYM.memory, dest);
        init.emit(E.movw(2, seg.bytes.length & 0xffff));
        if (seg.bytes.length > 0xffff) init.emit(E.movt(2, seg.bytes.length >>> 16));
        const loop = init.label();
        init.bind(loop);
        init.emit(E.memImm(Mem.LDRB, 3, 0, 0));
        init.emit(E.dpImm(DpOp.ADD, false, 0, 0, 1));
        init.emit(E.memImm(Mem.STRB, 3, 1, 0));
        init.emit(E.dpImm(DpOp.ADD, false, 1, 1, 1));
        init.emit(E.dpImm(DpOp.SUB, true, 2, 2, 1));
        init.bcond(Cond.NE, loop);
      }
      off += seg.bytes.length;
    }
    const dsec = addSection({ name: '.rodata.wasm_data', kind: 'rodata', data: blob, size: blob.length, align: 4, relocs: [] });
    define(SYM.data, dsec, 0, blob.length, 'local', 'object');
  }
  if (m.start !== undefined) init.callSymbol(funcSymbol(m.start));
  init.emit(E.pop(0x8010));
  const initCode = init.finish();
  const isec = addSection({ name: '.text.__wasm_init', kind: 'text', data: initCode, size: initCode.length, align: 4, relocs: init.relocs });
  define(SYM.init, isec, 0, initCode.length, 'global', 'func');

  // Undefined symbols: every relocation target not defined here (imports, __wasm_trap).
  for (const s of sections)
    for (const r of s.relocs)
      if (!defined.has(r.symbol)) {
        symbols.push({ name: r.symbol, section: -1, value: 0, size: 0, binding: 'global', type: 'notype' });
        defined.add(r.symbol);
      }
  return { name: source, sections, symbols };
}
