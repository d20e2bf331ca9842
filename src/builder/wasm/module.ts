/** Typed IR of a decoded WebAssembly module (MVP + sign-extension + bulk memory opcodes). */

export const ValType = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, funcref: 0x70, externref: 0x6f } as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface Limits {
  min: number;
  max?: number;
}

export type ImportDesc =
  | { kind: 'func'; type: number }
  | { kind: 'table'; elem: ValType; limits: Limits }
  | { kind: 'memory'; limits: Limits }
  | { kind: 'global'; type: ValType; mutable: boolean };

export interface Import {
  module: string;
  name: string;
  desc: ImportDesc;
}

export interface Export {
  name: string;
  kind: 'func' | 'table' | 'memory' | 'global';
  index: number;
}

/** A constant expression: only the forms MVP allows (a const or global.get of an imported global). */
export type ConstExpr = { op: 'i32.const' | 'i64.const' | 'f32.const' | 'f64.const'; value: number | bigint } | { op: 'global.get'; index: number } | { op: 'ref.null' } | { op: 'ref.func'; index: number };

export interface Global {
  type: ValType;
  mutable: boolean;
  init: ConstExpr;
}

export interface ElementSegment {
  mode: 'active' | 'passive' | 'declarative';
  table: number;
  offset?: ConstExpr;
  /** Function indices (null = ref.null). */
  funcs: (number | null)[];
}

export interface DataSegment {
  mode: 'active' | 'passive';
  memory: number;
  offset?: ConstExpr;
  bytes: Uint8Array;
}

/** One decoded instruction. `imm` layout depends on the opcode (see decoder.ts `readInsn`). */
export interface Insn {
  /** Opcode: one byte, or 0xfc00 | sub-opcode for the 0xFC prefix. */
  op: number;
  /** Byte offset of the opcode in the module (for error messages). */
  offset: number;
  /** Main immediate: index, constant (i32 as number), align for memory ops, block type. */
  a: number;
  /** Second immediate: memory offset, table index of call_indirect. */
  b: number;
  /** i64 constants. */
  big?: bigint;
  /** br_table targets (the default last). */
  targets?: number[];
}

/** Block type: -1 = empty, a ValType (single result), or a type index ≥ 0 encoded as 0x10000 + index. */
export const BLOCK_EMPTY = -1;
export const BLOCK_TYPEIDX = 0x10000;

export interface FuncBody {
  /** Declared locals (not params), expanded. */
  locals: ValType[];
  code: Insn[];
  /** Offset of the body in the module. */
  offset: number;
}

export interface WasmModule {
  types: FuncType[];
  imports: Import[];
  /** Type index of each defined (non-imported) function. */
  funcs: number[];
  tables: { elem: ValType; limits: Limits }[];
  memories: Limits[];
  globals: Global[];
  exports: Export[];
  start?: number;
  elements: ElementSegment[];
  bodies: FuncBody[];
  data: DataSegment[];
  dataCount?: number;
  /** From the custom "name" section: function index → name. */
  funcNames: Map<number, string>;
  moduleName?: string;
  /** Other custom sections by name. */
  customs: { name: string; bytes: Uint8Array }[];
}

/** The import count of a kind: imported entities come first in each index space. */
export function importCount(m: WasmModule, kind: ImportDesc['kind']): number {
  return m.imports.filter((i) => i.desc.kind === kind).length;
}

/** Type of function `index` in the function index space (imports first). */
export function funcTypeOf(m: WasmModule, index: number): FuncType {
  const imported = m.imports.filter((i) => i.desc.kind === 'func');
  if (index < imported.length) return m.types[(imported[index]!.desc as { type: number }).type]!;
  return m.types[m.funcs[index - imported.length]!]!;
}
