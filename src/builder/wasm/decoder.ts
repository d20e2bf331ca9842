/**
 * WebAssembly binary decoder (core spec 1.0 + sign-extension, bulk memory, multi-value block types)
 * into the typed IR of module.ts. Structural validation only (section order and sizes, LEB128 ranges,
 * index spaces, known opcodes, balanced blocks); every error names the byte offset. Operand types are
 * checked by the code generator as it walks each body.
 */
import { UserError } from '../../core/errors.js';
import {
  BLOCK_EMPTY,
  BLOCK_TYPEIDX,
  type ConstExpr,
  type DataSegment,
  type ElementSegment,
  type Export,
  type FuncBody,
  type FuncType,
  type Import,
  type Insn,
  type Limits,
  type ValType,
  type WasmModule,
} from './module.js';

export class WasmDecodeError extends UserError {
  constructor(
    readonly offset: number,
    what: string,
    source = 'wasm',
  ) {
    super(`${source}: offset 0x${offset.toString(16)}: ${what}`);
  }
}

const VALTYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x70, 0x6f]);

class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
    readonly end = bytes.length,
    readonly source = 'wasm',
  ) {
    this.pos = pos;
  }

  fail(what: string, at = this.pos): never {
    throw new WasmDecodeError(at, what, this.source);
  }

  eof(): boolean {
    return this.pos >= this.end;
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('unexpected end');
    return this.bytes[this.pos++]!;
  }

  /** Unsigned LEB128 up to 32 bits. */
  u32(): number {
    const at = this.pos;
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.u8();
      if (shift === 28 && (b & 0x70) !== 0) this.fail('integer too large', at);
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) this.fail('integer representation too long', at);
    }
    return result >>> 0;
  }

  /** Signed LEB128 of `bits` (≤ 64) bits, as a bigint. */
  sleb(bits: number): bigint {
    const at = this.pos;
    let result = 0n;
    let shift = 0n;
    let b: number;
    const maxBytes = Math.ceil(bits / 7);
    let n = 0;
    do {
      b = this.u8();
      if (++n > maxBytes) this.fail('integer representation too long', at);
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80);
    if (b & 0x40) result -= 1n << shift;
    const lim = 1n << BigInt(bits - 1);
    if (result < -lim || result >= lim) this.fail('integer too large', at);
    return result;
  }

  s32(): number {
    return Number(this.sleb(32));
  }

  bytesN(n: number): Uint8Array {
    if (this.pos + n > this.end) this.fail('unexpected end');
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  name(): string {
    const at = this.pos;
    const n = this.u32();
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.bytesN(n));
    } catch {
      return this.fail('malformed UTF-8 name', at);
    }
  }

  valtype(): ValType {
    const at = this.pos;
    const t = this.u8();
    if (!VALTYPES.has(t)) this.fail(`invalid value type 0x${t.toString(16)}`, at);
    return t as ValType;
  }

  limits(): Limits {
    const at = this.pos;
    const flag = this.u8();
    if (flag > 1) this.fail('invalid limits flag', at);
    const min = this.u32();
    if (flag === 1) {
      const max = this.u32();
      if (max < min) this.fail('size minimum must not be greater than maximum', at);
      return { min, max };
    }
    return { min };
  }

  vec<T>(f: () => T): T[] {
    const n = this.u32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(f());
    return out;
  }
}

/** Opcodes without immediates (numeric, parametric, control without index). */
function plainOpcode(op: number): boolean {
  return op === 0x00 || op === 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || (op >= 0x45 && op <= 0xc4) || op === 0xd1;
}

function readBlockType(r: Reader, ntypes: number): number {
  const at = r.pos;
  const b = r.bytes[r.pos];
  if (b === 0x40) {
    r.pos++;
    return BLOCK_EMPTY;
  }
  if (b !== undefined && VALTYPES.has(b)) {
    r.pos++;
    return b;
  }
  const idx = Number(r.sleb(33));
  if (idx < 0 || idx >= ntypes) r.fail(`unknown type ${idx} in block type`, at);
  return BLOCK_TYPEIDX + idx;
}

/** Reads one instruction. */
function readInsn(r: Reader, ntypes: number): Insn {
  const offset = r.pos;
  const op = r.u8();
  const insn: Insn = { op, offset, a: 0, b: 0 };
  if (plainOpcode(op)) return insn;
  switch (op) {
    case 0x02:
    case 0x03:
    case 0x04:
      insn.a = readBlockType(r, ntypes);
      return insn;
    case 0x0c:
    case 0x0d:
    case 0x10:
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
    case 0x24:
    case 0x25:
    case 0x26:
    case 0xd2:
      insn.a = r.u32();
      return insn;
    case 0x0e: {
      const t = r.vec(() => r.u32());
      t.push(r.u32());
      insn.targets = t;
      return insn;
    }
    case 0x11:
      insn.a = r.u32();
      insn.b = r.u32();
      return insn;
    case 0x1c: {
      const ts = r.vec(() => r.valtype());
      if (ts.length !== 1) r.fail('invalid result arity in typed select', offset);
      insn.op = 0x1b;
      return insn;
    }
    case 0x3f:
    case 0x40:
      if (r.u8() !== 0) r.fail('zero byte expected', offset + 1);
      return insn;
    case 0x41:
      insn.a = r.s32();
      return insn;
    case 0x42:
      insn.big = r.sleb(64);
      return insn;
    case 0x43: {
      const b = r.bytesN(4);
      insn.a = new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
      return insn;
    }
    case 0x44: {
      const b = r.bytesN(8);
      insn.big = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
      return insn;
    }
    case 0xd0:
      insn.a = r.valtype();
      return insn;
    case 0xfc: {
      const sub = r.u32();
      insn.op = 0xfc00 | sub;
      if (sub <= 7) return insn;
      switch (sub) {
        case 8:
          insn.a = r.u32();
          if (r.u8() !== 0) r.fail('zero byte expected');
          return insn;
        case 9:
        case 13:
          insn.a = r.u32();
          return insn;
        case 10:
          if (r.u8() !== 0 || r.u8() !== 0) r.fail('zero byte expected');
          return insn;
        case 11:
          if (r.u8() !== 0) r.fail('zero byte expected');
          return insn;
        case 12:
        case 14:
          insn.a = r.u32();
          insn.b = r.u32();
          return insn;
        case 15:
        case 16:
        case 17:
          insn.a = r.u32();
          return insn;
        default:
          r.fail(`illegal opcode 0xfc ${sub}`, offset);
      }
    }
    // falls through (unreachable: fail throws)
    default:
      if (op >= 0x28 && op <= 0x3e) {
        insn.a = r.u32();
        insn.b = r.u32();
        return insn;
      }
      return r.fail(`illegal opcode 0x${op.toString(16)}`, offset);
  }
}

function readConstExpr(r: Reader): ConstExpr {
  const at = r.pos;
  const i = readInsn(r, 0);
  let e: ConstExpr;
  switch (i.op) {
    case 0x41:
      e = { op: 'i32.const', value: i.a };
      break;
    case 0x42:
      e = { op: 'i64.const', value: i.big! };
      break;
    case 0x43:
      e = { op: 'f32.const', value: i.a };
      break;
    case 0x44:
      e = { op: 'f64.const', value: i.big! };
      break;
    case 0x23:
      e = { op: 'global.get', index: i.a };
      break;
    case 0xd0:
      e = { op: 'ref.null' };
      break;
    case 0xd2:
      e = { op: 'ref.func', index: i.a };
      break;
    default:
      r.fail('constant expression required', at);
  }
  if (r.u8() !== 0x0b) r.fail('constant expression must end with end', r.pos - 1);
  return e;
}

function readBody(r: Reader, ntypes: number): FuncBody {
  const offset = r.pos;
  const locals: ValType[] = [];
  const groups = r.u32();
  let total = 0;
  for (let g = 0; g < groups; g++) {
    const at = r.pos;
    const n = r.u32();
    total += n;
    if (total > 50000) r.fail('too many locals', at);
    const t = r.valtype();
    for (let k = 0; k < n; k++) locals.push(t);
  }
  const code: Insn[] = [];
  let depth = 1;
  while (depth > 0) {
    const i = readInsn(r, ntypes);
    code.push(i);
    if (i.op === 0x02 || i.op === 0x03 || i.op === 0x04) depth++;
    else if (i.op === 0x0b) depth--;
  }
  if (!r.eof()) r.fail('section size mismatch: function body continues after its final end');
  return { locals, code, offset };
}

function readElement(r: Reader): ElementSegment {
  const at = r.pos;
  const flags = r.u32();
  if (flags > 7) r.fail(`invalid element segment flags ${flags}`, at);
  const passiveOrDecl = (flags & 1) !== 0;
  const explicitTable = (flags & 2) !== 0;
  const exprs = (flags & 4) !== 0;
  let table = 0;
  let offset: ConstExpr | undefined;
  if (!passiveOrDecl) {
    if (explicitTable) table = r.u32();
    offset = readConstExpr(r);
  }
  if (passiveOrDecl || explicitTable) {
    const kind = r.u8();
    if (!exprs && kind !== 0x00) r.fail('invalid element kind', r.pos - 1);
    if (exprs && kind !== 0x70) r.fail('invalid element reference type', r.pos - 1);
  }
  const funcs = r.vec(() => {
    if (!exprs) return r.u32();
    const e = readConstExpr(r);
    if (e.op === 'ref.func') return e.index;
    if (e.op === 'ref.null') return null;
    return r.fail('invalid element expression');
  });
  const mode = !passiveOrDecl ? 'active' : explicitTable ? 'declarative' : 'passive';
  return { mode, table, ...(offset ? { offset } : {}), funcs };
}

function readData(r: Reader): DataSegment {
  const at = r.pos;
  const flags = r.u32();
  if (flags === 1) return { mode: 'passive', memory: 0, bytes: r.bytesN(r.u32()) };
  if (flags !== 0 && flags !== 2) r.fail(`invalid data segment flags ${flags}`, at);
  const memory = flags === 2 ? r.u32() : 0;
  const offset = readConstExpr(r);
  return { mode: 'active', memory, offset, bytes: r.bytesN(r.u32()) };
}

function readNames(r: Reader, m: WasmModule): void {
  while (!r.eof()) {
    const id = r.u8();
    const size = r.u32();
    const sub = new Reader(r.bytes, r.pos, r.pos + size, r.source);
    if (id === 0) m.moduleName = sub.name();
    else if (id === 1) {
      const n = sub.u32();
      for (let i = 0; i < n; i++) {
        const idx = sub.u32();
        m.funcNames.set(idx, sub.name());
      }
    }
    r.pos += size;
  }
}

/** Section ids in their required order (data count 12 sits between element 9 and code 10). */
const SECTION_ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 9, 12: 10, 10: 11, 11: 12 };

/** Decodes a module; `source` names the file in error messages. */
export function decodeModule(bytes: Uint8Array, source = 'wasm'): WasmModule {
  const r = new Reader(bytes, 0, bytes.length, source);
  if (bytes.length < 8 || r.u8() !== 0 || r.u8() !== 0x61 || r.u8() !== 0x73 || r.u8() !== 0x6d) r.fail('magic header not detected', 0);
  const version = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true);
  if (version !== 1) r.fail(`unknown binary version ${version}`, 4);
  r.pos = 8;
  const m: WasmModule = { types: [], imports: [], funcs: [], tables: [], memories: [], globals: [], exports: [], elements: [], bodies: [], data: [], funcNames: new Map(), customs: [] };
  let last = 0;
  while (!r.eof()) {
    const secAt = r.pos;
    const id = r.u8();
    const size = r.u32();
    const start = r.pos;
    if (start + size > bytes.length) r.fail('section size out of bounds', secAt);
    const s = new Reader(bytes, start, start + size, source);
    if (id !== 0) {
      const order = SECTION_ORDER[id];
      if (order === undefined) r.fail(`unknown section id ${id}`, secAt);
      if (order <= last) r.fail(`section ${id} out of order or duplicated`, secAt);
      last = order;
    }
    switch (id) {
      case 0: {
        const name = s.name();
        if (name === 'name') {
          try {
            readNames(s, m);
          } catch {
            // A malformed name section is not an error (spec: custom sections are ignored on failure).
          }
        } else m.customs.push({ name, bytes: bytes.subarray(s.pos, s.end) });
        s.pos = s.end;
        break;
      }
      case 1:
        m.types = s.vec((): FuncType => {
          const at = s.pos;
          if (s.u8() !== 0x60) s.fail('integer representation of function type expected (0x60)', at);
          return { params: s.vec(() => s.valtype()), results: s.vec(() => s.valtype()) };
        });
        break;
      case 2:
        m.imports = s.vec((): Import => {
          const module = s.name();
          const name = s.name();
          const at = s.pos;
          const kind = s.u8();
          switch (kind) {
            case 0: {
              const type = s.u32();
              if (type >= m.types.length) s.fail(`unknown type ${type}`, at + 1);
              return { module, name, desc: { kind: 'func', type } };
            }
            case 1:
              return { module, name, desc: { kind: 'table', elem: s.valtype(), limits: s.limits() } };
            case 2:
              return { module, name, desc: { kind: 'memory', limits: s.limits() } };
            case 3: {
              const type = s.valtype();
              const mut = s.u8();
              if (mut > 1) s.fail('invalid mutability', s.pos - 1);
              return { module, name, desc: { kind: 'global', type, mutable: mut === 1 } };
            }
            default:
              return s.fail(`invalid import kind ${kind}`, at);
          }
        });
        break;
      case 3:
        m.funcs = s.vec(() => {
          const at = s.pos;
          const t = s.u32();
          if (t >= m.types.length) s.fail(`unknown type ${t}`, at);
          return t;
        });
        break;
      case 4:
        m.tables = s.vec(() => ({ elem: s.valtype(), limits: s.limits() }));
        break;
      case 5:
        m.memories = s.vec(() => s.limits());
        if (m.memories.length + m.imports.filter((i) => i.desc.kind === 'memory').length > 1) s.fail('multiple memories', start);
        break;
      case 6:
        m.globals = s.vec(() => {
          const type = s.valtype();
          const mut = s.u8();
          if (mut > 1) s.fail('invalid mutability', s.pos - 1);
          return { type, mutable: mut === 1, init: readConstExpr(s) };
        });
        break;
      case 7: {
        const seen = new Set<string>();
        m.exports = s.vec((): Export => {
          const at = s.pos;
          const name = s.name();
          if (seen.has(name)) s.fail(`duplicate export name "${name}"`, at);
          seen.add(name);
          const k = s.u8();
          const kind = (['func', 'table', 'memory', 'global'] as const)[k];
          if (kind === undefined) s.fail(`invalid export kind ${k}`, s.pos - 1);
          return { name, kind, index: s.u32() };
        });
        break;
      }
      case 8:
        m.start = s.u32();
        break;
      case 9:
        m.elements = s.vec(() => readElement(s));
        break;
      case 12:
        m.dataCount = s.u32();
        break;
      case 10: {
        const n = s.u32();
        if (n !== m.funcs.length) s.fail('function and code section have inconsistent lengths', start);
        for (let i = 0; i < n; i++) {
          const bodySize = s.u32();
          const bodyStart = s.pos;
          if (bodyStart + bodySize > s.end) s.fail('function body size out of bounds', bodyStart);
          m.bodies.push(readBody(new Reader(bytes, bodyStart, bodyStart + bodySize, source), m.types.length));
          s.pos = bodyStart + bodySize;
        }
        break;
      }
      case 11:
        m.data = s.vec(() => readData(s));
        if (m.dataCount !== undefined && m.dataCount !== m.data.length) s.fail('data count and data section have inconsistent lengths', start);
        break;
    }
    if (s.pos !== s.end) s.fail('section size mismatch', s.pos);
    r.pos = start + size;
  }
  if (m.funcs.length !== m.bodies.length) r.fail('function and code section have inconsistent lengths', bytes.length);
  checkIndices(m, r);
  return m;
}

/** Index-space checks that need the whole module. */
function checkIndices(m: WasmModule, r: Reader): void {
  const nf = m.imports.filter((i) => i.desc.kind === 'func').length + m.funcs.length;
  const ng = m.imports.filter((i) => i.desc.kind === 'global').length + m.globals.length;
  const nt = m.imports.filter((i) => i.desc.kind === 'table').length + m.tables.length;
  const nm = m.imports.filter((i) => i.desc.kind === 'memory').length + m.memories.length;
  const limit = { func: nf, global: ng, table: nt, memory: nm };
  for (const e of m.exports) if (e.index >= limit[e.kind]) r.fail(`export "${e.name}": unknown ${e.kind} ${e.index}`, 0);
  if (m.start !== undefined && m.start >= nf) r.fail(`unknown start function ${m.start}`, 0);
  for (const b of m.bodies)
    for (const i of b.code) {
      if (i.op === 0x10 && i.a >= nf) r.fail(`unknown function ${i.a}`, i.offset);
      if ((i.op === 0x23 || i.op === 0x24) && i.a >= ng) r.fail(`unknown global ${i.a}`, i.offset);
      if (i.op === 0x11 && (i.a >= m.types.length || i.b >= nt)) r.fail('call_indirect: unknown type or table', i.offset);
      if (((i.op >= 0x28 && i.op <= 0x40) || i.op === 0xfc0a || i.op === 0xfc0b || i.op === 0xfc08) && nm === 0) r.fail('unknown memory 0', i.offset);
    }
}
