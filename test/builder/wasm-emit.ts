/** A tiny WebAssembly binary emitter for tests (no wabt): modules from plain descriptions, bodies from byte helpers. */

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;

export function uleb(n: number): number[] {
  const out: number[] = [];
  n >>>= 0;
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(v: number | bigint): number[] {
  let n = BigInt(v);
  const out: number[] = [];
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    if ((n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function str(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** Instruction helpers: each returns the bytes of one instruction. */
export const op = {
  unreachable: [0x00],
  nop: [0x01],
  block: (bt = 0x40) => [0x02, ...(bt >= 0 && bt < 0x40 ? sleb(bt) : [bt])],
  loop: (bt = 0x40) => [0x03, ...(bt >= 0 && bt < 0x40 ? sleb(bt) : [bt])],
  if: (bt = 0x40) => [0x04, ...(bt >= 0 && bt < 0x40 ? sleb(bt) : [bt])],
  else: [0x05],
  end: [0x0b],
  br: (l: number) => [0x0c, ...uleb(l)],
  br_if: (l: number) => [0x0d, ...uleb(l)],
  br_table: (ls: number[], def: number) => [0x0e, ...vec(ls.map(uleb)), ...uleb(def)],
  return: [0x0f],
  call: (f: number) => [0x10, ...uleb(f)],
  call_indirect: (t: number) => [0x11, ...uleb(t), 0],
  drop: [0x1a],
  select: [0x1b],
  local_get: (i: number) => [0x20, ...uleb(i)],
  local_set: (i: number) => [0x21, ...uleb(i)],
  local_tee: (i: number) => [0x22, ...uleb(i)],
  global_get: (i: number) => [0x23, ...uleb(i)],
  global_set: (i: number) => [0x24, ...uleb(i)],
  load: (opc: number, offset = 0, align = 0) => [opc, ...uleb(align), ...uleb(offset)],
  memory_size: [0x3f, 0],
  memory_grow: [0x40, 0],
  i32_const: (v: number) => [0x41, ...sleb(v | 0)],
  memory_copy: [0xfc, 10, 0, 0],
  memory_fill: [0xfc, 11, 0],
};

export interface FuncDesc {
  type: number;
  locals?: number[];
  body: number[];
}

export interface ModuleDesc {
  types: { params: number[]; results: number[] }[];
  imports?: { module: string; name: string; type: number }[];
  funcs: FuncDesc[];
  table?: number;
  memory?: { min: number; max?: number };
  globals?: { type: number; mutable: boolean; init: number }[];
  exports?: { name: string; kind?: number; index: number }[];
  start?: number;
  elems?: { offset: number; funcs: number[] }[];
  data?: { offset: number; bytes: number[] }[];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

export function emitModule(d: ModuleDesc): Uint8Array {
  const out: number[] = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  out.push(...section(1, vec(d.types.map((t) => [0x60, ...vec(t.params.map((p) => [p])), ...vec(t.results.map((r) => [r]))]))));
  if (d.imports?.length) out.push(...section(2, vec(d.imports.map((i) => [...str(i.module), ...str(i.name), 0, ...uleb(i.type)]))));
  out.push(...section(3, vec(d.funcs.map((f) => uleb(f.type)))));
  if (d.table !== undefined) out.push(...section(4, vec([[0x70, 0, ...uleb(d.table)]])));
  if (d.memory) out.push(...section(5, vec([d.memory.max === undefined ? [0, ...uleb(d.memory.min)] : [1, ...uleb(d.memory.min), ...uleb(d.memory.max)]])));
  if (d.globals?.length) out.push(...section(6, vec(d.globals.map((g) => [g.type, g.mutable ? 1 : 0, 0x41, ...sleb(g.init), 0x0b]))));
  if (d.exports?.length) out.push(...section(7, vec(d.exports.map((e) => [...str(e.name), e.kind ?? 0, ...uleb(e.index)]))));
  if (d.start !== undefined) out.push(...section(8, uleb(d.start)));
  if (d.elems?.length) out.push(...section(9, vec(d.elems.map((e) => [0, 0x41, ...sleb(e.offset), 0x0b, ...vec(e.funcs.map(uleb))]))));
  out.push(
    ...section(
      10,
      vec(
        d.funcs.map((f) => {
          const locals = f.locals ?? [];
          const body = [...vec(locals.map((t) => [1, t])), ...f.body, 0x0b];
          return [...uleb(body.length), ...body];
        }),
      ),
    ),
  );
  if (d.data?.length) out.push(...section(11, vec(d.data.map((s) => [0, 0x41, ...sleb(s.offset), 0x0b, ...vec(s.bytes.map((b) => [b]))]))));
  return Uint8Array.from(out);
}
