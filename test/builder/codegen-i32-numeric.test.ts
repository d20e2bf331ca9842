/** i32 numeric opcodes on every edge pair: Node vs emboard vs Unicorn (see codegen-diff.ts). */
import { describe } from 'vitest';
import { differential, type Call, type Check } from './codegen-diff.js';
import { I32, op } from './wasm-emit.js';

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
  differential('binary ops with a constant right operand (immediate forms)', () => {
    const ops = BINOPS.filter(([, o]) => o !== 0x6c && (o < 0x6d || o > 0x70));
    const consts = [0, 1, 31, 32, 33, 255, 256, 0xff00, -1, -256, 4095, -4095, 0x12345678, -0x80000000, 0x55555555, -0x55555556];
    const funcs = ops.flatMap(([, o]) => consts.map((c) => ({ type: 0, body: [...op.local_get(0), ...op.i32_const(c), o] })));
    const names = ops.flatMap(([n]) => consts.map((c) => `${n}_${c >>> 0}`));
    const calls: Call[] = names.flatMap((n) => [0, 1, -1, 33, 0x7fffffff, -0x80000000, 0x12345678, -256].map((a): Call => [n, [a]]));
    return { desc: { types: [I_I], funcs, exports: names.map((name, index) => ({ name, index })) }, calls };
  });
});
