/** Control flow, calls, call_indirect, memory, globals and traps: Node vs emboard vs Unicorn (see codegen-diff.ts). */
import { describe } from 'vitest';
import { differential, type Call, type Check } from './codegen-diff.js';
import { I32, op } from './wasm-emit.js';
import * as E from '../../src/builder/codegen/thumb/encode.js';

const II_I = { params: [I32, I32], results: [I32] };
const I_I = { params: [I32], results: [I32] };

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
  differential('memory.fill and memory.copy (overlap both ways, bounds, zero length)', () => {
    const P = 65536;
    // fill(d, v, n) / copy(d, s, n) return a checksum of bytes 0..63 and 65500..65535 afterwards.
    const sum = [...op.i32_const(0), ...op.local_set(3), ...op.i32_const(0), ...op.local_set(4), ...op.block(), ...op.loop(), ...op.local_get(4), ...op.i32_const(100), 0x4e, ...op.br_if(1), ...op.local_get(3), ...op.i32_const(31), 0x6c, ...op.local_get(4), ...op.i32_const(P - 36), ...op.local_get(4), ...op.i32_const(64), 0x49, 0x1b, ...op.local_get(4), ...op.i32_const(64), 0x49, ...op.if(I32), ...op.i32_const(0), ...op.else, ...op.i32_const(-64), ...op.end, 0x6a, ...op.load(0x2d), 0x6a, ...op.local_set(3), ...op.local_get(4), ...op.i32_const(1), 0x6a, ...op.local_set(4), ...op.br(0), ...op.end, ...op.end, ...op.local_get(3)];
    const t3 = { params: [I32, I32, I32], results: [I32] };
    const funcs = [
      { type: 0, locals: [I32, I32], body: [...op.local_get(0), ...op.local_get(1), ...op.local_get(2), ...op.memory_fill, ...sum] },
      { type: 0, locals: [I32, I32], body: [...op.local_get(0), ...op.local_get(1), ...op.local_get(2), ...op.memory_copy, ...sum] },
    ];
    const calls: Call[] = [
      ['fill', [3, 0x1ab, 10]], ['fill', [0, 7, 0]], ['fill', [P - 20, 9, 20]], ['fill', [P - 20, 9, 21]], ['fill', [P, 1, 0]], ['fill', [P + 1, 1, 0]], ['fill', [-1, 1, 2]],
      ['copy', [10, 0, 16]], ['copy', [0, 5, 16]], ['copy', [2, 3, 20]], ['copy', [3, 2, 20]], ['copy', [P - 16, 0, 16]], ['copy', [0, P - 30, 30]], ['copy', [0, P - 30, 31]], ['copy', [P - 10, 0, 11]], ['copy', [5, 5, 0]], ['copy', [P, P, 0]], ['copy', [P + 1, 0, 0]],
    ];
    return {
      desc: { types: [t3], funcs, memory: { min: 1 }, data: [{ offset: 0, bytes: Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 0xff) }, { offset: P - 32, bytes: Array.from({ length: 32 }, (_, i) => (i * 13 + 5) & 0xff) }], exports: [{ name: 'fill', index: 0 }, { name: 'copy', index: 1 }] },
      calls,
    };
  });
  differential('compare-and-branch fusion: every comparison and eqz into br_if (with and without value moves) and if', () => {
    const cmps: [string, number[]][] = [['eq', [0x46]], ['ne', [0x47]], ['lt_s', [0x48]], ['lt_u', [0x49]], ['gt_s', [0x4a]], ['gt_u', [0x4b]], ['le_s', [0x4c]], ['le_u', [0x4d]], ['ge_s', [0x4e]], ['ge_u', [0x4f]], ['eqz', [0x1a, 0x45]]];
    const funcs: { type: number; body: number[] }[] = [];
    const names: string[] = [];
    for (const [n, c] of cmps) {
      const ab = [...op.local_get(0), ...op.local_get(1)];
      funcs.push({ type: 0, body: [...op.block(I32), ...op.i32_const(1), ...ab, ...c, ...op.br_if(0), ...op.drop, ...op.i32_const(0), ...op.end] });
      funcs.push({ type: 0, body: [...op.block(I32), ...op.i32_const(7), ...op.i32_const(1), ...ab, ...c, ...op.br_if(1), ...op.drop, ...op.drop, ...op.i32_const(0), ...op.end] });
      funcs.push({ type: 0, body: [...ab, ...c, ...op.if(I32), ...op.i32_const(10), ...op.else, ...op.i32_const(20), ...op.end] });
      for (const k of [5, -1, -0x80000000]) funcs.push({ type: 0, body: [...op.local_get(0), ...op.i32_const(k), ...c, ...op.if(I32), ...op.i32_const(10), ...op.else, ...op.i32_const(20), ...op.end] });
      names.push(`${n}_brif`, `${n}_brif_moves`, `${n}_if`, `${n}_if5`, `${n}_ifm1`, `${n}_ifmin`);
    }
    const vals = [0, 1, -1, 5, -0x80000000, 0x7fffffff];
    const calls: Call[] = names.flatMap((n) => vals.flatMap((a) => vals.map((b): Call => [n, [a, b]])));
    return { desc: { types: [II_I], funcs, exports: names.map((name, index) => ({ name, index })) }, calls };
  });
});
