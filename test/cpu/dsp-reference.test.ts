/**
 * Randomised cross-check of every DSP instruction against a direct transcription of the ARM ARM pseudocode
 * (lane loops, SInt/UInt, BigInt for the 64-bit arithmetic) — a model written independently of the
 * executors, which use shift tricks and split 32-bit halves instead. Operands are biased towards lane and
 * word boundaries (0, ±1, 0x7f/0x80, 0x7fff/0x8000, INT_MAX/INT_MIN).
 */
import { describe, expect, it } from 'vitest';
import { makeCpu } from '../helpers/cpu-harness.js';
import type { CortexM4 } from '../../src/cpu/armv7m/cpu.js';

// ---- pseudocode helpers (unsigned 32-bit numbers in, mathematical integers out) ----
const UInt = (x: number, hi: number, lo: number): number => Math.floor((x >>> 0) / 2 ** lo) % 2 ** (hi - lo + 1);
const SInt = (x: number, hi: number, lo: number): number => {
  const v = UInt(x, hi, lo);
  const w = hi - lo + 1;
  return v >= 2 ** (w - 1) ? v - 2 ** w : v;
};
/** x<w-1:0> of a mathematical integer, as an unsigned number. */
const bitsOf = (x: number, w: number): number => ((x % 2 ** w) + 2 ** w) % 2 ** w;
const signedSat = (x: number, w: number): [number, boolean] => {
  const max = 2 ** (w - 1) - 1;
  const min = -(2 ** (w - 1));
  return x > max ? [max, true] : x < min ? [min, true] : [x, false];
};
const unsignedSat = (x: number, w: number): [number, boolean] => {
  const max = 2 ** w - 1;
  return x > max ? [max, true] : x < 0 ? [0, true] : [x, false];
};
const B = (x: number): bigint => BigInt(x);
const ror = (x: number, r: number): number => (r === 0 ? x >>> 0 : ((x >>> r) | (x << (32 - r))) >>> 0);

interface In {
  r: number[]; // r0..r3 (unsigned)
  ge: number;
  q: number;
  c: number;
}
interface Out {
  r: number[];
  ge: number;
  q: number;
}
interface Spec {
  name: string;
  raw: number;
  model(s: In): Out;
}

// ---- parallel add/subtract: generic lane model ----
type LaneOp = [number, number, 1 | -1]; // [lane of Rn, lane of Rm, sign] for each result lane
const OPS: Record<string, { op1: number; w: 8 | 16; lanes: LaneOp[] }> = {
  ADD16: { op1: 0b001, w: 16, lanes: [[0, 0, 1], [1, 1, 1]] },
  ASX: { op1: 0b010, w: 16, lanes: [[0, 1, -1], [1, 0, 1]] },
  SAX: { op1: 0b110, w: 16, lanes: [[0, 1, 1], [1, 0, -1]] },
  SUB16: { op1: 0b101, w: 16, lanes: [[0, 0, -1], [1, 1, -1]] },
  ADD8: { op1: 0b000, w: 8, lanes: [[0, 0, 1], [1, 1, 1], [2, 2, 1], [3, 3, 1]] },
  SUB8: { op1: 0b100, w: 8, lanes: [[0, 0, -1], [1, 1, -1], [2, 2, -1], [3, 3, -1]] },
};
const PREFIXES: Record<string, { u: number; op2: number }> = {
  S: { u: 0, op2: 0 }, Q: { u: 0, op2: 1 }, SH: { u: 0, op2: 2 },
  U: { u: 1, op2: 0 }, UQ: { u: 1, op2: 1 }, UH: { u: 1, op2: 2 },
};

function parallelSpecs(): Spec[] {
  const out: Spec[] = [];
  for (const [pre, { u, op2 }] of Object.entries(PREFIXES)) {
    for (const [op, { op1, w, lanes }] of Object.entries(OPS)) {
      const raw = ((0xfa81 | (op1 << 4)) * 0x10000 + (0xf002 | (u << 6) | (op2 << 4))) >>> 0;
      out.push({
        name: pre + op,
        raw,
        model: (s) => {
          const lane = (x: number, i: number): number => (u ? UInt(x, i * w + w - 1, i * w) : SInt(x, i * w + w - 1, i * w));
          let res = 0;
          let ge = s.ge;
          if (pre === 'S' || pre === 'U') ge = 0;
          lanes.forEach(([ni, mi, sign], i) => {
            const v = lane(s.r[1]!, ni) + sign * lane(s.r[2]!, mi);
            let r: number;
            if (pre === 'Q') r = signedSat(v, w)[0];
            else if (pre === 'UQ') r = unsignedSat(v, w)[0];
            else if (pre === 'SH' || pre === 'UH') r = Math.floor(v / 2);
            else r = v;
            res += bitsOf(r, w) * 2 ** (i * w);
            const geSet = pre === 'S' ? v >= 0 : pre === 'U' ? (sign > 0 ? v >= 2 ** w : v >= 0) : false;
            if (geSet) ge |= (w === 16 ? 3 : 1) << (i * (w / 8));
          });
          return { r: [res, s.r[1]!, s.r[2]!, s.r[3]!], ge, q: s.q };
        },
      });
    }
  }
  return out;
}

// ---- everything else ----
const same = (s: In, r0: number, q = s.q): Out => ({ r: [bitsOf(r0, 32), s.r[1]!, s.r[2]!, s.r[3]!], ge: s.ge, q });
const enc = (hw1: number, hw2: number): number => (hw1 * 0x10000 + hw2) >>> 0;
const rnd = (k: number): number => Math.floor(Math.random() * k);

function otherSpecs(): Spec[] {
  const specs: Spec[] = [];
  // QADD r0, r1, r2: Rn = r2, Rm = r1
  const q = (name: string, op2: number, f: (m: number, n: number) => [number, boolean]): Spec => ({
    name, raw: enc(0xfa82, 0xf081 | (op2 << 4)),
    model: (s) => { const [v, sat] = f(SInt(s.r[1]!, 31, 0), SInt(s.r[2]!, 31, 0)); return same(s, v, sat ? 1 : s.q); },
  });
  specs.push(q('QADD', 0, (m, n) => signedSat(m + n, 32)));
  specs.push(q('QSUB', 2, (m, n) => signedSat(m - n, 32)));
  specs.push(q('QDADD', 1, (m, n) => { const [d, s1] = signedSat(2 * n, 32); const [v, s2] = signedSat(m + d, 32); return [v, s1 || s2]; }));
  specs.push(q('QDSUB', 3, (m, n) => { const [d, s1] = signedSat(2 * n, 32); const [v, s2] = signedSat(m - d, 32); return [v, s1 || s2]; }));
  specs.push({
    name: 'SEL', raw: enc(0xfaa1, 0xf082),
    model: (s) => {
      let v = 0;
      for (let i = 0; i < 4; i++) v += UInt((s.ge >> i) & 1 ? s.r[1]! : s.r[2]!, 8 * i + 7, 8 * i) * 2 ** (8 * i);
      return same(s, v);
    },
  });
  for (let k = 0; k < 16; k++) {
    specs.push({
      name: `SSAT16 #${k + 1}`, raw: enc(0xf321, 0x0000 | k),
      model: (s) => {
        const [a, s1] = signedSat(SInt(s.r[1]!, 15, 0), k + 1);
        const [b, s2] = signedSat(SInt(s.r[1]!, 31, 16), k + 1);
        return same(s, bitsOf(a, 16) + bitsOf(b, 16) * 65536, s1 || s2 ? 1 : s.q);
      },
    });
    specs.push({
      name: `USAT16 #${k}`, raw: enc(0xf3a1, 0x0000 | k),
      model: (s) => {
        const [a, s1] = unsignedSat(SInt(s.r[1]!, 15, 0), k);
        const [b, s2] = unsignedSat(SInt(s.r[1]!, 31, 16), k);
        return same(s, a + b * 65536, s1 || s2 ? 1 : s.q);
      },
    });
  }
  for (let imm = 0; imm < 32; imm++) {
    const hw2 = ((imm >> 2) << 12) | ((imm & 3) << 6) | 0x0002;
    specs.push({
      name: `PKHBT lsl #${imm}`, raw: enc(0xeac1, hw2),
      model: (s) => same(s, UInt(s.r[1]!, 15, 0) + UInt(bitsOf(s.r[2]! * 2 ** imm, 32), 31, 16) * 65536),
    });
    const sh = imm === 0 ? 32 : imm;
    specs.push({
      name: `PKHTB asr #${sh}`, raw: enc(0xeac1, hw2 | 0x20),
      model: (s) => same(s, UInt(bitsOf(Math.floor(SInt(s.r[2]!, 31, 0) / 2 ** sh), 32), 15, 0) + UInt(s.r[1]!, 31, 16) * 65536),
    });
  }
  for (let rot = 0; rot < 4; rot++) {
    const hw2 = 0xf082 | (rot << 4);
    const rm = (s: In): number => ror(s.r[2]!, rot * 8);
    specs.push({ name: `SXTAB ror ${rot}`, raw: enc(0xfa41, hw2), model: (s) => same(s, s.r[1]! + SInt(rm(s), 7, 0)) });
    specs.push({ name: `SXTAH ror ${rot}`, raw: enc(0xfa01, hw2), model: (s) => same(s, s.r[1]! + SInt(rm(s), 15, 0)) });
    specs.push({ name: `UXTAB ror ${rot}`, raw: enc(0xfa51, hw2), model: (s) => same(s, s.r[1]! + UInt(rm(s), 7, 0)) });
    specs.push({ name: `UXTAH ror ${rot}`, raw: enc(0xfa11, hw2), model: (s) => same(s, s.r[1]! + UInt(rm(s), 15, 0)) });
    specs.push({
      name: `SXTAB16 ror ${rot}`, raw: enc(0xfa21, hw2),
      model: (s) => same(s, bitsOf(UInt(s.r[1]!, 15, 0) + SInt(rm(s), 7, 0), 16) + bitsOf(UInt(s.r[1]!, 31, 16) + SInt(rm(s), 23, 16), 16) * 65536),
    });
    specs.push({
      name: `UXTAB16 ror ${rot}`, raw: enc(0xfa31, hw2),
      model: (s) => same(s, bitsOf(UInt(s.r[1]!, 15, 0) + UInt(rm(s), 7, 0), 16) + bitsOf(UInt(s.r[1]!, 31, 16) + UInt(rm(s), 23, 16), 16) * 65536),
    });
    specs.push({
      name: `SXTB16 ror ${rot}`, raw: enc(0xfa2f, hw2),
      model: (s) => same(s, bitsOf(SInt(rm(s), 7, 0), 16) + bitsOf(SInt(rm(s), 23, 16), 16) * 65536),
    });
    specs.push({ name: `UXTB16 ror ${rot}`, raw: enc(0xfa3f, hw2), model: (s) => same(s, UInt(rm(s), 7, 0) + UInt(rm(s), 23, 16) * 65536) });
  }

  // ---- multiplies: r0 = Rd, r1 = Rn, r2 = Rm, r3 = Ra ----
  const half = (x: number, top: number): number => (top ? SInt(x, 31, 16) : SInt(x, 15, 0));
  const qIf = (s: In, result: bigint, rd: number): number => (result !== BigInt.asIntN(32, B(rd)) ? 1 : s.q);
  for (let nm = 0; nm < 4; nm++) {
    const [nh, mh] = [nm >> 1, nm & 1];
    specs.push({
      name: `SMLA${'BT'[nh]}${'BT'[mh]}`, raw: enc(0xfb11, 0x3002 | (nm << 4)),
      model: (s) => {
        const result = B(half(s.r[1]!, nh) * half(s.r[2]!, mh)) + B(SInt(s.r[3]!, 31, 0));
        const rd = Number(BigInt.asUintN(32, result));
        return same(s, rd, qIf(s, result, rd));
      },
    });
    specs.push({ name: `SMUL${'BT'[nh]}${'BT'[mh]}`, raw: enc(0xfb11, 0xf002 | (nm << 4)), model: (s) => same(s, half(s.r[1]!, nh) * half(s.r[2]!, mh)) });
    specs.push({
      name: `SMLAL${'BT'[nh]}${'BT'[mh]}`, raw: enc(0xfbc2, 0x0183 | (nm << 4)),
      model: (s) => {
        const acc = BigInt.asIntN(64, (B(s.r[1]!) << 32n) | B(s.r[0]!));
        const result = BigInt.asUintN(64, B(half(s.r[2]!, nh) * half(s.r[3]!, mh)) + acc);
        return { r: [Number(result & 0xffffffffn), Number(result >> 32n), s.r[2]!, s.r[3]!], ge: s.ge, q: s.q };
      },
    });
  }
  for (let mh = 0; mh < 2; mh++) {
    specs.push({
      name: `SMLAW${'BT'[mh]}`, raw: enc(0xfb31, 0x3002 | (mh << 4)),
      model: (s) => {
        const result = B(SInt(s.r[1]!, 31, 0)) * B(half(s.r[2]!, mh)) + (B(SInt(s.r[3]!, 31, 0)) << 16n);
        const rd = Number(BigInt.asUintN(32, result >> 16n));
        return same(s, rd, qIf(s, result >> 16n, rd));
      },
    });
    specs.push({
      name: `SMULW${'BT'[mh]}`, raw: enc(0xfb31, 0xf002 | (mh << 4)),
      model: (s) => same(s, Number(BigInt.asUintN(32, (B(SInt(s.r[1]!, 31, 0)) * B(half(s.r[2]!, mh))) >> 16n))),
    });
  }
  for (let x = 0; x < 2; x++) {
    const mSwap = (s: In): number => (x ? ror(s.r[2]!, 16) : s.r[2]!);
    const p1 = (s: In): number => SInt(s.r[1]!, 15, 0) * SInt(mSwap(s), 15, 0);
    const p2 = (s: In): number => SInt(s.r[1]!, 31, 16) * SInt(mSwap(s), 31, 16);
    const acc32 = (name: string, hw1: number, ra: boolean, sub: boolean, setsQ: boolean): Spec => ({
      name: name + (x ? 'X' : ''), raw: enc(hw1, (ra ? 0x3002 : 0xf002) | (x << 4)),
      model: (s) => {
        const result = B(p1(s)) + (sub ? -B(p2(s)) : B(p2(s))) + (ra ? B(SInt(s.r[3]!, 31, 0)) : 0n);
        const rd = Number(BigInt.asUintN(32, result));
        return same(s, rd, setsQ ? qIf(s, result, rd) : s.q);
      },
    });
    specs.push(acc32('SMLAD', 0xfb21, true, false, true));
    specs.push(acc32('SMUAD', 0xfb21, false, false, true));
    specs.push(acc32('SMLSD', 0xfb41, true, true, true));
    specs.push(acc32('SMUSD', 0xfb41, false, true, false));
    const acc64 = (name: string, hw1: number, sub: boolean): Spec => ({
      name: name + (x ? 'X' : ''), raw: enc(hw1, 0x01c3 | (x << 4)),
      model: (s) => {
        // long forms: Rn = r2, Rm = r3
        const m = x ? ror(s.r[3]!, 16) : s.r[3]!;
        const q1 = SInt(s.r[2]!, 15, 0) * SInt(m, 15, 0);
        const q2 = SInt(s.r[2]!, 31, 16) * SInt(m, 31, 16);
        const acc = BigInt.asIntN(64, (B(s.r[1]!) << 32n) | B(s.r[0]!));
        const result = BigInt.asUintN(64, B(q1) + (sub ? -B(q2) : B(q2)) + acc);
        return { r: [Number(result & 0xffffffffn), Number(result >> 32n), s.r[2]!, s.r[3]!], ge: s.ge, q: s.q };
      },
    });
    specs.push(acc64('SMLALD', 0xfbc2, false));
    specs.push(acc64('SMLSLD', 0xfbd2, true));
    const round = x ? 0x80000000n : 0n;
    const prod = (s: In): bigint => B(SInt(s.r[1]!, 31, 0)) * B(SInt(s.r[2]!, 31, 0));
    const top = (v: bigint): number => Number(BigInt.asUintN(32, v >> 32n));
    specs.push({ name: `SMMLA${x ? 'R' : ''}`, raw: enc(0xfb51, 0x3002 | (x << 4)), model: (s) => same(s, top((B(SInt(s.r[3]!, 31, 0)) << 32n) + prod(s) + round)) });
    specs.push({ name: `SMMLS${x ? 'R' : ''}`, raw: enc(0xfb61, 0x3002 | (x << 4)), model: (s) => same(s, top((B(SInt(s.r[3]!, 31, 0)) << 32n) - prod(s) + round)) });
    specs.push({ name: `SMMUL${x ? 'R' : ''}`, raw: enc(0xfb51, 0xf002 | (x << 4)), model: (s) => same(s, top(prod(s) + round)) });
  }
  const sad = (s: In): number => {
    let t = 0;
    for (let i = 0; i < 4; i++) t += Math.abs(UInt(s.r[1]!, 8 * i + 7, 8 * i) - UInt(s.r[2]!, 8 * i + 7, 8 * i));
    return t;
  };
  specs.push({ name: 'USAD8', raw: enc(0xfb71, 0xf002), model: (s) => same(s, sad(s)) });
  specs.push({ name: 'USADA8', raw: enc(0xfb71, 0x3002), model: (s) => same(s, s.r[3]! + sad(s)) });
  specs.push({
    name: 'UMAAL', raw: enc(0xfbe2, 0x0163),
    model: (s) => {
      const result = B(s.r[2]!) * B(s.r[3]!) + B(s.r[1]!) + B(s.r[0]!);
      return { r: [Number(result & 0xffffffffn), Number(result >> 32n), s.r[2]!, s.r[3]!], ge: s.ge, q: s.q };
    },
  });
  return specs;
}

const EDGES = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fff7fff, 0x80008000, 0x7f7f7f7f, 0x80808080, 0xffff0000, 0x0000ffff, 0x01010101];
function operand(): number {
  switch (rnd(4)) {
    case 0: return EDGES[rnd(EDGES.length)]!;
    case 1: {
      // each byte from an edge byte
      const bytes = [0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x81];
      return (bytes[rnd(7)]! | (bytes[rnd(7)]! << 8) | (bytes[rnd(7)]! << 16) | (bytes[rnd(7)]! << 24)) >>> 0;
    }
    default: return rnd(2 ** 32);
  }
}

function runOne(cpu: CortexM4, spec: Spec, s: In): Out {
  cpu.pc = 0x100;
  for (let i = 0; i < 4; i++) cpu.r[i] = s.r[i]!;
  cpu.ge = s.ge;
  cpu.q = s.q;
  cpu.c = s.c;
  cpu.step();
  return { r: [0, 1, 2, 3].map((i) => cpu.r[i]! >>> 0), ge: cpu.ge, q: cpu.q };
}

describe('DSP instructions against the pseudocode model', () => {
  const specs = [...parallelSpecs(), ...otherSpecs()];
  const ITER = 300;
  it(`covers ${specs.length} instruction variants`, () => {
    expect(specs.length).toBeGreaterThan(36 + 100);
  });
  for (const spec of specs) {
    it(spec.name, () => {
      const { cpu } = makeCpu([spec.raw]);
      for (let k = 0; k < ITER; k++) {
        const s: In = { r: [operand(), operand(), operand(), operand()], ge: rnd(16), q: rnd(2), c: rnd(2) };
        const want = spec.model(s);
        const got = runOne(cpu, spec, s);
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          expect({ in: s.r.map((x) => x.toString(16)), ge: s.ge, q: s.q, got: got.r.map((x) => x.toString(16)), gotGe: got.ge, gotQ: got.q })
            .toEqual({ in: s.r.map((x) => x.toString(16)), ge: s.ge, q: s.q, got: want.r.map((x) => x.toString(16)), gotGe: want.ge, gotQ: want.q });
        }
      }
    });
  }
});
