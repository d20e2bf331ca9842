/**
 * Codegen differential tests: the same wasm module runs in Node's WebAssembly (the reference), on our
 * Cortex-M4 and (when libunicorn2 is installed) on Unicorn; results and traps must agree.
 */
import { describe, expect, it } from 'vitest';
import { compileModule } from '../../src/builder/codegen/compile.js';
import { TrapReason } from '../../src/builder/codegen/abi.js';
import * as E from '../../src/builder/codegen/thumb/encode.js';
import { unicornAvailable, unicornUnavailableReason } from '../oracle/unicorn.js';
import { EmboardRunner, link, UnicornRunner, type ImportStubs, type Outcome, type Runner } from './codegen-harness.js';
import { emitModule, I32, op, type ModuleDesc } from './wasm-emit.js';

type Call = [name: string, args: number[]];

/** The part of Node's WebAssembly API used here (the project's TypeScript lib has no wasm typings). */
interface WasmInstance {
  exports: Record<string, unknown>;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  RuntimeError: new () => Error;
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Node's outcome, with V8's trap messages mapped to our reason codes. */
function nodeCall(inst: WasmInstance, name: string, args: number[]): Outcome {
  const f = inst.exports[name] as (...a: number[]) => number;
  try {
    return { value: f(...args) | 0 };
  } catch (e) {
    if (!(e instanceof Wasm.RuntimeError)) throw e;
    const m = e.message;
    const table: [RegExp, number][] = [
      [/unreachable/, TrapReason.unreachable],
      [/divide by zero|remainder by zero/, TrapReason.divideByZero],
      [/unrepresentable|overflow/, TrapReason.integerOverflow],
      [/memory access out of bounds/, TrapReason.memoryOutOfBounds],
      [/signature mismatch|null function/, TrapReason.indirectCallMismatch],
      [/table index is out of bounds/, TrapReason.tableOutOfBounds],
    ];
    const hit = table.find(([re]) => re.test(m));
    if (!hit) throw new Error(`unmapped trap message: ${m}`);
    return { trap: hit[1] };
  }
}

interface Check {
  desc: ModuleDesc;
  calls: Call[];
  /** JS implementations of imports (Node) and their Thumb equivalents (CPU). */
  js?: Record<string, (...a: number[]) => number>;
  thumb?: ImportStubs;
  maxMemoryPages?: number;
}

function runAll(runner: Runner, calls: Call[]): Outcome[] {
  try {
    return calls.map(([n, a]) => runner.call(n, a));
  } finally {
    runner.close();
  }
}

function prepare(c: Check): { expected: Outcome[]; img: ReturnType<typeof link> } {
  const bytes = emitModule(c.desc);
  const inst = new Wasm.Instance(new Wasm.Module(bytes), { env: c.js ?? {} });
  const expected = c.calls.map(([n, a]) => nodeCall(inst, n, a));
  const obj = compileModule(bytes, { source: 'test.wasm', ...(c.maxMemoryPages !== undefined ? { maxMemoryPages: c.maxMemoryPages } : {}) });
  return { expected, img: link(obj, c.thumb) };
}

function label(calls: Call[], i: number): string {
  return `${calls[i]![0]}(${calls[i]![1].join(', ')})`;
}

function compare(got: Outcome[], expected: Outcome[], calls: Call[]): void {
  const bad = got.flatMap((g, i) => (JSON.stringify(g) === JSON.stringify(expected[i]) ? [] : [`${label(calls, i)}: got ${JSON.stringify(g)}, want ${JSON.stringify(expected[i])}`]));
  expect(bad.slice(0, 10)).toEqual([]);
}

/** Registers one module: an emboard test and a Unicorn test (skipped visibly without libunicorn2). */
function differential(name: string, make: () => Check): void {
  it(`${name}: emboard = Node`, () => {
    const c = make();
    const { expected, img } = prepare(c);
    compare(runAll(new EmboardRunner(img), c.calls), expected, c.calls);
  });
  it.skipIf(!unicornAvailable)(`${name}: Unicorn = Node${unicornAvailable ? '' : ` (skipped: ${unicornUnavailableReason()})`}`, () => {
    const c = make();
    const { expected, img } = prepare(c);
    compare(runAll(new UnicornRunner(img), c.calls), expected, c.calls);
  });
}

const EDGE = [0, 1, -1, 2, 5, -7, 31, 32, 33, 0x7fffffff, -0x80000000, 0x12345678, 0x80000001 | 0, 0xff, 0x10000];

const BINOPS: [string, number][] = [
  ['add', 0x6a], ['sub', 0x6b], ['mul', 0x6c], ['div_s', 0x6d], ['div_u', 0x6e], ['rem_s', 0x6f], ['rem_u', 0x70],
  ['and', 0x71], ['or', 0x72], ['xor', 0x73], ['shl', 0x74], ['shr_s', 0x75], ['shr_u', 0x76], ['rotl', 0x77], ['rotr', 0x78],
  ['eq', 0x46], ['ne', 0x47], ['lt_s', 0x48], ['lt_u', 0x49], ['gt_s', 0x4a], ['gt_u', 0x4b], ['le_s', 0x4c], ['le_u', 0x4d], ['ge_s', 0x4e], ['ge_u', 0x4f],
];
const UNOPS: [string, number][] = [['eqz', 0x45], ['clz', 0x67], ['ctz', 0x68], ['popcnt', 0x69], ['extend8_s', 0xc0], ['extend16_s', 0xc1]];

const II_I = { params: [I32, I32], results: [I32] };
const I_I = { params: [I32], results: [I32] };

function numericModule(ops: [string, number][], arity: 1 | 2, deep: boolean): Check {
  // `deep` evaluates with 7 values under the operands so both use frame slots (spilled homes).
  const pad = deep ? [...Array.from({ length: 7 }, () => op.i32_const(0x55)).flat()] : [];
  const unpad = deep ? Array.from({ length: 7 }, () => op.drop).flat() : [];
  const funcs = ops.map(([, opc]) => ({
    type: 0,
    body: deep
      ? [...pad, ...op.local_get(0), ...(arity === 2 ? op.local_get(1) : []), opc, ...op.local_set(arity === 2 ? 2 : 1), ...unpad, ...op.local_get(arity === 2 ? 2 : 1)]
      : [...op.local_get(0), ...(arity === 2 ? op.local_get(1) : []), opc],
    ...(deep ? { locals: [I32] } : {}),
  }));
  const calls: Call[] = [];
  // The spilled variant checks the frame homes, so a smaller edge set is enough there.
  const edges = deep ? EDGE.filter((_, i) => i % 2 === 0) : EDGE;
  for (const [n] of ops)
    for (const a of edges)
      if (arity === 1) calls.push([n, [a]]);
      else for (const b of edges) calls.push([n, [a, b]]);
  return { desc: { types: [arity === 2 ? II_I : I_I], funcs, exports: ops.map(([n], i) => ({ name: n, index: i })) }, calls };
}

describe('codegen i32 numeric ops (every edge pair)', () => {
  differential('binary ops in registers', () => numericModule(BINOPS, 2, false));
  differential('binary ops on spilled stack slots', () => numericModule(BINOPS, 2, true));
  differential('unary ops', () => numericModule(UNOPS, 1, false));
  differential('unary ops on spilled stack slots', () => numericModule(UNOPS, 1, true));
  differential('constants and select', () => {
    const consts = [0, 1, 255, 256, 0xff00, 0x12345678, -1, -256, 0x7fffffff, -0x80000000, 0xffff, 0x10000, 0xabcd0000 | 0];
    const funcs = consts.map((v) => ({ type: 0, body: op.i32_const(v) }));
    funcs.push({ type: 1, body: [...op.local_get(0), ...op.local_get(1), ...op.local_get(2), ...op.select] });
    return {
      desc: { types: [{ params: [], results: [I32] }, { params: [I32, I32, I32], results: [I32] }], funcs, exports: funcs.map((_, i) => ({ name: `f${i}`, index: i })) },
      calls: [...consts.map((_, i): Call => [`f${i}`, []]), [`f${consts.length}`, [10, 20, 0]], [`f${consts.length}`, [10, 20, 1]], [`f${consts.length}`, [10, 20, -5]]],
    };
  });
});

describe('codegen control flow', () => {
  differential('loops, blocks, if/else, br_if with values, br_table, return', () => {
    const types = [I_I, II_I, { params: [], results: [] }];
    const funcs = [
      // 0 fact(n): loop with br_if
      { type: 0, locals: [I32], body: [...op.i32_const(1), ...op.local_set(1), ...op.block(), ...op.loop(), ...op.local_get(0), ...op.i32_const(1), 0x4c, ...op.br_if(1), ...op.local_get(1), ...op.local_get(0), 0x6c, ...op.local_set(1), ...op.local_get(0), ...op.i32_const(1), 0x6b, ...op.local_set(0), ...op.br(0), ...op.end, ...op.end, ...op.local_get(1)] },
      // 1 fib(n) recursive
      { type: 0, body: [...op.local_get(0), ...op.i32_const(2), 0x48, ...op.if(I32), ...op.local_get(0), ...op.else, ...op.local_get(0), ...op.i32_const(1), 0x6b, ...op.call(1), ...op.local_get(0), ...op.i32_const(2), 0x6b, ...op.call(1), 0x6a, ...op.end] },
      // 2 switch(n): br_table over 4 cases + default, each returns a distinct value
      { type: 0, body: [...op.block(), ...op.block(), ...op.block(), ...op.block(), ...op.block(), ...op.local_get(0), ...op.br_table([0, 1, 2, 3, 1], 4), ...op.end, ...op.i32_const(100), ...op.return, ...op.end, ...op.i32_const(101), ...op.return, ...op.end, ...op.i32_const(102), ...op.return, ...op.end, ...op.i32_const(103), ...op.return, ...op.end, ...op.i32_const(-1)] },
      // 3 br_if carrying a value out of a block, under other stack values (needs moves)
      { type: 1, body: [...op.i32_const(1000), ...op.block(I32), ...op.i32_const(7), ...op.i32_const(8), ...op.local_get(0), ...op.br_if(1), ...op.drop, ...op.drop, ...op.local_get(1), ...op.end, 0x6a] },
      // 4 br_table carrying a value with a mix of targets
      { type: 1, body: [...op.block(I32), ...op.block(I32), ...op.i32_const(5), ...op.local_get(1), ...op.i32_const(3), ...op.local_get(0), ...op.br_table([0, 1, 0], 1), ...op.end, ...op.i32_const(10), 0x6a, ...op.end, ...op.i32_const(1000), 0x6a] },
      // 5 if without else, nested blocks, early return from inside a loop
      { type: 0, locals: [I32], body: [...op.local_get(0), ...op.if(), ...op.i32_const(42), ...op.local_set(1), ...op.end, ...op.loop(), ...op.local_get(1), ...op.i32_const(50), 0x4a, ...op.if(), ...op.local_get(1), ...op.return, ...op.end, ...op.local_get(1), ...op.i32_const(1), 0x6a, ...op.local_set(1), ...op.br(0), ...op.end, ...op.unreachable] },
      // 6 unreachable
      { type: 2, body: [...op.unreachable] },
      // 7 a loop with a block parameter (multi-value block type 1: [i32 i32] -> [i32])... uses type index 0 ([i32]->[i32])
      { type: 0, body: [...op.local_get(0), ...op.loop(0), ...op.i32_const(3), 0x6a, ...op.local_tee(0), ...op.local_get(0), ...op.i32_const(20), 0x48, ...op.br_if(0), ...op.end, ...op.local_get(0), 0x6a] },
    ];
    const calls: Call[] = [];
    for (const n of [0, 1, 2, 5, 10, 12]) calls.push(['fact', [n]]);
    for (const n of [0, 1, 2, 10, 15]) calls.push(['fib', [n]]);
    for (const n of [-1, 0, 1, 2, 3, 4, 5, 100]) calls.push(['switch', [n]]);
    for (const c of [0, 1, -1]) calls.push(['brif', [c, 9]]);
    for (const n of [0, 1, 2, 3, 4, -1]) calls.push(['brtable', [n, 9]]);
    for (const n of [0, 1]) calls.push(['early', [n]]);
    calls.push(['trap', []]);
    for (const n of [0, 5, 30]) calls.push(['looparam', [n]]);
    return { desc: { types, funcs, exports: ['fact', 'fib', 'switch', 'brif', 'brtable', 'early', 'trap', 'looparam'].map((name, index) => ({ name, index })) }, calls };
  });

  differential('calls with stack arguments, deep expressions, imports', () => {
    const seven = { params: [I32, I32, I32, I32, I32, I32, I32], results: [I32] };
    const weighted = [...[0, 1, 2, 3, 4, 5, 6].flatMap((k) => [...op.local_get(k), ...op.i32_const(k + 1), 0x6c]), ...Array.from({ length: 6 }, () => 0x6a)];
    const funcs = [
      // 1 w7(a..g) = Σ (k+1)·x_k, with all 14 operands on the stack before the adds (spills)
      { type: 1, body: weighted },
      // 2 callw7(a) = w7(a, a+1, …, a+6) + add3(a, 1, 2) (import 0)
      { type: 0, body: [...[0, 1, 2, 3, 4, 5, 6].flatMap((k) => [...op.local_get(0), ...op.i32_const(k), 0x6a]), ...op.call(1), ...op.local_get(0), ...op.i32_const(1), ...op.i32_const(2), ...op.call(0), 0x6a] },
    ];
    return {
      desc: { types: [I_I, seven, { params: [I32, I32, I32], results: [I32] }], imports: [{ module: 'env', name: 'add3', type: 2 }], funcs, exports: [{ name: 'w7', index: 1 }, { name: 'callw7', index: 2 }] },
      js: { add3: (a: number, b: number, c: number) => (a + b + c) | 0 },
      thumb: { add3: [E.dpReg(E.DpOp.ADD, false, 0, 0, 1), E.dpReg(E.DpOp.ADD, false, 0, 0, 2), E.bx(14)] },
      calls: [['w7', [1, 2, 3, 4, 5, 6, 7]], ['w7', [-1, 0x7fffffff, 3, -4, 5, 6, -0x80000000]], ['callw7', [0]], ['callw7', [1000]], ['callw7', [-3]]],
    };
  });

  differential('call_indirect: hit, signature mismatch, null entry, index out of bounds', () => {
    const types = [I_I, II_I, { params: [I32, I32], results: [I32] }];
    const funcs = [
      { type: 0, body: [...op.local_get(0), ...op.i32_const(1), 0x6a] }, // inc
      { type: 1, body: [...op.local_get(0), ...op.local_get(1), 0x6b] }, // sub
      { type: 0, body: [...op.local_get(0), ...op.i32_const(2), 0x6c] }, // dbl
      // callI(idx, x) = table[idx](x) as [i32]->[i32]
      { type: 1, body: [...op.local_get(1), ...op.local_get(0), ...op.call_indirect(0)] },
      // callII(idx, x) = table[idx](x, 3) as type 2 (structurally equal to type 1)
      { type: 1, body: [...op.local_get(1), ...op.i32_const(3), ...op.local_get(0), ...op.call_indirect(2)] },
    ];
    return {
      desc: { types, funcs, table: 5, elems: [{ offset: 0, funcs: [0, 1, 2] }, { offset: 4, funcs: [2] }], exports: [{ name: 'callI', index: 3 }, { name: 'callII', index: 4 }] },
      calls: [['callI', [0, 5]], ['callI', [2, 5]], ['callI', [4, 5]], ['callI', [1, 5]], ['callI', [3, 5]], ['callI', [5, 5]], ['callI', [-1, 5]], ['callII', [1, 10]], ['callII', [0, 10]]],
    };
  });
});

describe('codegen memory, globals, traps', () => {
  const mem = (maxPages?: number): Check => {
    const t = { params: [I32, I32], results: [I32] };
    const loads: [string, number][] = [['ld32', 0x28], ['ld8s', 0x2c], ['ld8u', 0x2d], ['ld16s', 0x2e], ['ld16u', 0x2f]];
    const stores: [string, number][] = [['st32', 0x36], ['st8', 0x3a], ['st16', 0x3b]];
    const funcs = [
      ...loads.map(([, o]) => ({ type: 0, body: [...op.local_get(0), ...op.load(o, 0)] })),
      ...loads.map(([, o]) => ({ type: 0, body: [...op.local_get(0), ...op.load(o, 3)] })),
      ...stores.map(([, o]) => ({ type: 0, body: [...op.local_get(0), ...op.local_get(1), ...op.load(o, 1), ...op.local_get(0), ...op.load(0x28, 1)] })),
      { type: 0, body: [...op.memory_size] },
      { type: 0, body: [...op.local_get(0), ...op.memory_grow] },
      { type: 0, body: [...op.global_get(0), ...op.local_get(0), 0x6a, ...op.global_set(0), ...op.global_get(0), ...op.global_get(1), 0x6a] },
      { type: 0, body: [...op.local_get(0), ...op.load(0x28, 0xfffffffc)] },
    ];
    const names = [...loads.map(([n]) => n), ...loads.map(([n]) => `${n}o3`), ...stores.map(([n]) => n), 'size', 'grow', 'glob', 'bigoff'];
    const P = 65536;
    const calls: Call[] = [];
    for (const [n] of [...loads, ...loads.map(([x]): [string, number] => [`${x}o3`, 0])])
      for (const a of [0, 1, 2, 4, 16, 17, 20, P - 4, P - 3, P - 2, P - 1, P, -1, -4]) calls.push([n, [a, 0]]);
    for (const [n] of stores) for (const a of [0, 5, 8, P - 5, P - 4, P - 2, P - 1, -1]) calls.push([n, [a, 0x8899aabb | 0]]);
    for (const a of [0, 5, 8]) calls.push(['ld32', [a, 0]]);
    calls.push(['size', [0, 0]], ['grow', [0, 0]], ['grow', [1, 0]], ['size', [0, 0]], ['ld8u', [P + 100, 0]], ['grow', [5, 0]], ['grow', [-1, 0]], ['size', [0, 0]], ['ld8u', [2 * P + 1, 0]]);
    calls.push(['glob', [5, 0]], ['glob', [-7, 0]], ['bigoff', [0, 0]], ['bigoff', [4, 0]]);
    return {
      desc: {
        types: [t],
        funcs,
        memory: { min: 1, ...(maxPages !== undefined ? { max: maxPages } : {}) },
        globals: [{ type: I32, mutable: true, init: 100 }, { type: I32, mutable: false, init: -3 }],
        data: [{ offset: 0, bytes: [0x81, 0x82, 0x83, 0x84, 0x85, 0xf6, 0x07, 0x08] }, { offset: 16, bytes: [1, 2, 3, 4, 0xff, 0xfe] }, { offset: P - 4, bytes: [0xde, 0xad, 0xbe, 0xef] }],
        exports: names.map((name, index) => ({ name, index })),
      },
      calls,
    };
  };
  differential('loads/stores of every width at the bounds, data segments, memory.size/grow to the maximum, globals', () => mem(2));
  differential('memory.grow past the configured maximum fails (no module maximum, 2 pages configured)', () => ({ ...mem(2), maxMemoryPages: 2 }));
});
