/** The WebAssembly decoder: sections into IR, and malformed input rejected with the byte offset. */
import { describe, expect, it } from 'vitest';
import { decodeModule, WasmDecodeError } from '../../src/builder/wasm/decoder.js';
import { compileModule } from '../../src/builder/codegen/compile.js';
import { UserError } from '../../src/core/errors.js';
import { emitModule, I32, I64, op, uleb } from './wasm-emit.js';

const HEADER = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];

function errorOf(bytes: number[] | Uint8Array): WasmDecodeError {
  try {
    decodeModule(Uint8Array.from(bytes), 'x.wasm');
  } catch (e) {
    expect(e).toBeInstanceOf(WasmDecodeError);
    expect(e).toBeInstanceOf(UserError);
    return e as WasmDecodeError;
  }
  throw new Error('no error');
}

describe('wasm decoder', () => {
  it('decodes every section kind of a module into the IR', () => {
    const bytes = emitModule({
      types: [{ params: [I32, I32], results: [I32] }, { params: [], results: [] }],
      imports: [{ module: 'env', name: 'put', type: 1 }],
      funcs: [
        { type: 0, locals: [I32, I64], body: [...op.local_get(0), ...op.local_get(1), 0x6a] },
        { type: 1, body: [...op.block(), ...op.i32_const(-5), ...op.drop, ...op.end] },
      ],
      table: 3,
      memory: { min: 1, max: 4 },
      globals: [{ type: I32, mutable: true, init: -2 }],
      exports: [{ name: 'add', index: 1 }, { name: 'mem', kind: 2, index: 0 }],
      start: 2,
      elems: [{ offset: 1, funcs: [1, 2] }],
      data: [{ offset: 8, bytes: [1, 2, 3] }],
    });
    // A name section: module name "m", function 1 named "add".
    const sub0 = [0, 2, 1, 0x6d];
    const sub1 = [1, ...uleb(1 + 1 + 1 + 3), 1, 1, 3, 0x61, 0x64, 0x64];
    const payload = [4, 0x6e, 0x61, 0x6d, 0x65, ...sub0, ...sub1];
    const withNames = Uint8Array.from([...bytes, 0, ...uleb(payload.length), ...payload]);
    const m = decodeModule(withNames);
    expect(m.types).toEqual([{ params: [I32, I32], results: [I32] }, { params: [], results: [] }]);
    expect(m.imports).toEqual([{ module: 'env', name: 'put', desc: { kind: 'func', type: 1 } }]);
    expect(m.funcs).toEqual([0, 1]);
    expect(m.tables).toEqual([{ elem: 0x70, limits: { min: 3 } }]);
    expect(m.memories).toEqual([{ min: 1, max: 4 }]);
    expect(m.globals).toEqual([{ type: I32, mutable: true, init: { op: 'i32.const', value: -2 } }]);
    expect(m.exports).toEqual([{ name: 'add', kind: 'func', index: 1 }, { name: 'mem', kind: 'memory', index: 0 }]);
    expect(m.start).toBe(2);
    expect(m.elements).toEqual([{ mode: 'active', table: 0, offset: { op: 'i32.const', value: 1 }, funcs: [1, 2] }]);
    expect(m.data.map((d) => [d.mode, d.offset, [...d.bytes]])).toEqual([['active', { op: 'i32.const', value: 8 }, [1, 2, 3]]]);
    expect(m.bodies[0]!.locals).toEqual([I32, I64]);
    expect(m.bodies[0]!.code.map((i) => [i.op, i.a])).toEqual([[0x20, 0], [0x20, 1], [0x6a, 0], [0x0b, 0]]);
    expect(m.bodies[1]!.code.map((i) => [i.op, i.a])).toEqual([[0x02, -1], [0x41, -5], [0x1a, 0], [0x0b, 0], [0x0b, 0]]);
    expect(m.moduleName).toBe('m');
    expect(m.funcNames.get(1)).toBe('add');
    // Instruction offsets point at the opcode byte in the module.
    const i32c = m.bodies[1]!.code[1]!;
    expect(withNames[i32c.offset]).toBe(0x41);
  });

  it('rejects malformed modules naming the byte offset', () => {
    expect(errorOf([0, 0x61, 0x73, 0x6e, 1, 0, 0, 0]).offset).toBe(0);
    expect(errorOf([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]).message).toBe('x.wasm: offset 0x4: unknown binary version 2');
    expect(errorOf([...HEADER, 13, 0]).message).toMatch(/offset 0x8: unknown section id 13/);
    // Type section twice: the second is out of order.
    expect(errorOf([...HEADER, 1, 1, 0, 1, 1, 0]).message).toMatch(/offset 0xb: section 1 out of order/);
    // Section size beyond the end.
    expect(errorOf([...HEADER, 1, 5, 0]).offset).toBe(8);
    // Over-long LEB128 count in the type section at offset 10.
    expect(errorOf([...HEADER, 1, 6, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).message).toMatch(/offset 0xa: integer representation too long/);
    // Bad value type in a function type: offset 13.
    expect(errorOf([...HEADER, 1, 4, 1, 0x60, 1, 0x55]).message).toMatch(/offset 0xd: invalid value type 0x55/);
  });

  it('rejects an illegal opcode and a bad index at the instruction offset', () => {
    const good = emitModule({ types: [{ params: [], results: [] }], funcs: [{ type: 0, body: [0x01] }] });
    const at = good.lastIndexOf(0x01);
    const bad = Uint8Array.from(good);
    bad[at] = 0xff;
    expect(errorOf(bad).message).toBe(`x.wasm: offset 0x${at.toString(16)}: illegal opcode 0xff`);
    const call = emitModule({ types: [{ params: [], results: [] }], funcs: [{ type: 0, body: op.call(7) }] });
    const e = errorOf(call);
    expect(e.message).toMatch(/unknown function 7/);
    expect(call[e.offset]).toBe(0x10);
    const mem = emitModule({ types: [{ params: [], results: [I32] }], funcs: [{ type: 0, body: op.memory_size }] });
    expect(errorOf(mem).message).toMatch(/unknown memory 0/);
  });

  it('function and code sections must agree', () => {
    expect(errorOf([...HEADER, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0]).message).toMatch(/inconsistent lengths/);
  });

  it('codegen reports unsupported types and stack underflow at the instruction offset', () => {
    const i64 = emitModule({ types: [{ params: [I64], results: [] }], funcs: [{ type: 0, body: [] }] });
    expect(() => compileModule(i64, { source: 'y.wasm' })).toThrow(/y\.wasm: offset 0x[0-9a-f]+: i64 values are not supported by this backend yet/);
    const under = emitModule({ types: [{ params: [], results: [I32] }], funcs: [{ type: 0, body: [0x6a] }] });
    let e: unknown;
    try {
      compileModule(under);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(WasmDecodeError);
    expect(under[(e as WasmDecodeError).offset]).toBe(0x6a);
    const big = emitModule({ types: [{ params: [], results: [] }], funcs: [{ type: 0, locals: Array.from({ length: 1100 }, () => I32), body: [] }] });
    expect(() => compileModule(big, { source: 'z.wasm' })).toThrow(/z\.wasm: offset 0x[0-9a-f]+: function frame of 44\d\d bytes exceeds this backend's 4 KiB limit/);
  });
});
