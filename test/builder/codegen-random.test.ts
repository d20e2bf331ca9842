/**
 * Random i32 programs (seeded): expression trees deep enough to spill, mixing constants (folding), compares
 * feeding if/br_if (fusion), select, local.tee and traps, compared Node vs emboard vs Unicorn.
 */
import { describe } from 'vitest';
import { differential, type Call } from './codegen-diff.js';
import { I32, op } from './wasm-emit.js';

const CONSTS = [0, 1, 2, 5, 31, 32, 33, -1, -2, 255, 256, 4095, 4096, -4095, 0x7fffffff, -0x80000000, 0x12345678, 0x55555555];
const UNOPS = [0x45, 0x67, 0x68, 0x69, 0xc0, 0xc1];
const BINOPS = [0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f];

function program(seed: number, count: number): { bodies: number[][]; args: number[][] } {
  let s = seed >>> 0;
  const rnd = (n: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) % n;
  };
  const pick = <T>(a: readonly T[]): T => a[rnd(a.length)]!;
  const gen = (depth: number): number[] => {
    const k = depth <= 0 ? rnd(2) : rnd(11);
    switch (k) {
      case 0:
        return op.local_get(rnd(3));
      case 1:
        return op.i32_const(pick(CONSTS));
      case 2:
        return [...gen(depth - 1), pick(UNOPS)];
      case 3:
      case 4:
      case 5:
        return [...gen(depth - 1), ...gen(depth - 1), pick(BINOPS)];
      case 6:
        return [...gen(depth - 1), ...op.i32_const(pick(CONSTS)), pick(BINOPS)];
      case 7:
        return [...gen(depth - 1), ...gen(depth - 1), ...gen(depth - 1), ...op.select];
      case 8:
        return [...gen(depth - 1), ...gen(depth - 1), pick(BINOPS.slice(15)), ...op.if(I32), ...gen(depth - 1), ...op.else, ...gen(depth - 1), ...op.end];
      case 9:
        return [...op.block(I32), ...gen(depth - 1), ...gen(depth - 1), ...op.br_if(0), ...op.end];
      default:
        return [...gen(depth - 1), ...op.local_tee(rnd(3))];
    }
  };
  const bodies = Array.from({ length: count }, () => [...gen(3 + rnd(4)), ...gen(2), 0x6a]);
  const args = Array.from({ length: 12 }, () => [pick(CONSTS), pick(CONSTS), rnd(2) ? pick(CONSTS) : rnd(1 << 30) - (1 << 29)]);
  return { bodies, args };
}

describe('codegen random i32 programs', () => {
  for (const seed of [1, 2, 3]) {
    differential(`seed ${seed}: 40 random functions × 12 argument triples`, () => {
      const { bodies, args } = program(seed * 7919, 40);
      const t = { params: [I32, I32, I32], results: [I32] };
      const calls: Call[] = bodies.flatMap((_, i) => args.map((a): Call => [`r${i}`, a]));
      return { desc: { types: [t], funcs: bodies.map((body) => ({ type: 0, body })), exports: bodies.map((_, i) => ({ name: `r${i}`, index: i })) }, calls };
    });
  }
});
