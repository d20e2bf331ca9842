/**
 * The single-precision arithmetic library against an independent exact reference: every operand converted to
 * a BigInt fraction, the exact result computed as a rational and rounded by the ARM ARM's FPRound rules
 * (tininess before rounding, FZ flush with UFC, overflow per rounding mode). Random operands from a seeded
 * generator biased toward the hard regions (ties, denormals, near-overflow, cancellation).
 */
import { describe, expect, it } from 'vitest';
import { f16ToF32, f32ToF16, fixedToFp, fpAdd, fpDiv, fpMul, fpMulAdd, fpSqrt, fpSub, fpToFixed, fpst, FPSCR } from '../../src/cpu/armv7m/fpu/softfp.js';

const IOC = 1, DZC = 2, OFC = 4, UFC = 8, IXC = 16, IDC = 128;
const FZ = 1 << 24, DN = 1 << 25;

// ---- exact reference ---------------------------------------------------------------------------------------

interface Q { n: bigint; d: bigint } // value n/d, d > 0

/** The exact value of a finite single (denormals kept unless fz, which flushes and records IDC). */
function valueOf(b: number, fz: boolean, fl: { f: number }): Q {
  const e = (b >>> 23) & 0xff;
  let m = BigInt(b & 0x7fffff);
  if (e === 0 && m !== 0n && fz) {
    fl.f |= IDC;
    m = 0n;
  }
  if (e !== 0) m |= 0x800000n;
  const ex = (e === 0 ? 1 : e) - 150; // value = m * 2^ex
  const n = b < 0 ? -m : m;
  return ex >= 0 ? { n: n << BigInt(ex), d: 1n } : { n, d: 1n << BigInt(-ex) };
}

function add(a: Q, b: Q): Q {
  return { n: a.n * b.d + b.n * a.d, d: a.d * b.d };
}
function mul(a: Q, b: Q): Q {
  return { n: a.n * b.n, d: a.d * b.d };
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

interface Fmt { p: number; emin: number; emax: number; ebits: number; ahp: boolean }
const SINGLE: Fmt = { p: 24, emin: -126, emax: 127, ebits: 8, ahp: false };
const HALF_IEEE: Fmt = { p: 11, emin: -14, emax: 15, ebits: 5, ahp: false };
const HALF_AHP: Fmt = { p: 11, emin: -14, emax: 16, ebits: 5, ahp: true };

/** ARM FPRound of a nonzero rational to the format; returns [bits, flags]. */
function refRound(v: Q, fpscr: number, fmt: Fmt = SINGLE): [number, number] {
  const neg = v.n < 0n;
  const num = neg ? -v.n : v.n;
  const den = v.d;
  let mode = (fpscr >>> 22) & 3;
  const width = fmt.p + fmt.ebits;
  // exponent E with 2^E <= num/den < 2^(E+1)
  let E = bitLength(num) - bitLength(den);
  const ge = (k: number): boolean => (k >= 0 ? num >= den << BigInt(k) : num << BigInt(-k) >= den);
  if (!ge(E)) E--;
  const sign = neg ? (width === 32 ? 0x80000000 | 0 : 0x8000) : 0;
  if (E < fmt.emin && fpscr & FZ && fmt.p === 24) return [sign, UFC]; // FZ never flushes half results
  const e = Math.max(E, fmt.emin);
  const sh = fmt.p - 1 - e; // integer significand = num * 2^sh / den
  const sn = sh >= 0 ? num << BigInt(sh) : num;
  const sd = sh >= 0 ? den : den << BigInt(-sh);
  let m = sn / sd;
  const rem = sn - m * sd;
  if (neg && mode === 1) mode = 3;
  else if (neg && mode === 2) mode = 1;
  else if (mode === 2) mode = 3;
  if (rem !== 0n) {
    if (mode === 0) {
      if (2n * rem > sd || (2n * rem === sd && (m & 1n) === 1n)) m++;
    } else if (mode === 1) m++;
  }
  let flags = rem !== 0n ? IXC : 0;
  if (rem !== 0n && E < fmt.emin) flags |= UFC;
  let ex = e;
  if (m === 1n << BigInt(fmt.p)) {
    m >>= 1n;
    ex++;
  }
  const fracMask = (1 << (fmt.p - 1)) - 1;
  if (ex > fmt.emax) {
    if (fmt.ahp) return [sign | 0x7fff, IOC];
    const inf = ((1 << fmt.ebits) - 1) << (fmt.p - 1);
    return [sign | (mode === 0 || mode === 1 ? inf : inf - 1), OFC | IXC];
  }
  const bias = (1 << (fmt.ebits - 1)) - 1;
  const biased = m >= 1n << BigInt(fmt.p - 1) ? ex + bias : 0;
  return [sign | (biased << (fmt.p - 1)) | (Number(m) & fracMask), flags];
}

function run(fn: () => number, fpscr: number): [number, number] {
  fpst.fpscr = fpscr;
  const r = fn();
  return [r, fpst.fpscr & 0x9f];
}

/** Reference for finite, non-NaN operands with a nonzero or zero exact result. */
function refArith(op: 'add' | 'sub' | 'mul' | 'div' | 'fma', a: number, b: number, c: number, fpscr: number): [number, number] | null {
  const fl = { f: 0 };
  const fz = (fpscr & FZ) !== 0;
  const fin = (x: number): boolean => (x & 0x7f800000) !== 0x7f800000;
  if (!fin(a) || !fin(b) || (op === 'fma' && !fin(c))) return null;
  const x = valueOf(a, fz, fl);
  const y = valueOf(b, fz, fl);
  let v: Q;
  if (op === 'add') v = add(x, y);
  else if (op === 'sub') v = add(x, { n: -y.n, d: y.d });
  else if (op === 'mul') v = mul(x, y);
  else if (op === 'div') {
    if (y.n === 0n) return null;
    v = { n: x.n * y.d * (y.n < 0n ? -1n : 1n), d: x.d * (y.n < 0n ? -y.n : y.n) };
  } else {
    const z = valueOf(c, fz, fl);
    v = add(z, mul(x, y));
  }
  if (v.n === 0n) return null; // zero results are tested by hand (sign rules)
  const [r, f] = refRound(v, fpscr);
  return [r, f | fl.f];
}

// ---- random operands ---------------------------------------------------------------------------------------

let seed = 0x12345678;
function rnd(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}

function operand(): number {
  const k = rnd() % 8;
  const sign = rnd() & 0x80000000;
  switch (k) {
    case 0: return rnd() | 0; // anything (may be NaN/inf: skipped by the reference)
    case 1: return sign | (rnd() & 0x7fffff); // denormal
    case 2: return sign | ((1 + (rnd() % 30)) << 23) | (rnd() & 0x7fffff); // tiny normal
    case 3: return sign | ((225 + (rnd() % 29)) << 23) | (rnd() & 0x7fffff); // huge
    case 4: return sign | ((120 + (rnd() % 16)) << 23) | (rnd() & 0x7fffff); // around 1
    case 5: return sign | ((120 + (rnd() % 16)) << 23) | (rnd() & 0x7) | 0x7ffff0; // long carries
    case 6: return sign | ((127 + (rnd() % 3)) << 23) | ((rnd() & 0xff) << 15); // few significant bits: ties
    default: return sign | (127 << 23) | (rnd() & 0x1ff);
  }
}

const MODES = [0, 1 << 22, 2 << 22, 3 << 22];
const hex = (x: number): string => (x >>> 0).toString(16).padStart(8, '0');

describe('softfp against an exact BigInt reference', () => {
  const ops = {
    add: (a: number, b: number) => fpAdd(a, b),
    sub: (a: number, b: number) => fpSub(a, b),
    mul: (a: number, b: number) => fpMul(a, b),
    div: (a: number, b: number) => fpDiv(a, b),
  };
  for (const name of ['add', 'sub', 'mul', 'div'] as const) {
    it(`${name}: 4 rounding modes x FZ on/off, random operands`, () => {
      let checked = 0;
      for (let i = 0; i < 6000; i++) {
        let a = operand();
        let b = operand();
        if (name === 'add' || name === 'sub') {
          // bring exponents close for cancellation half of the time
          if (i & 1) b = (b & 0x807fffff) | (((((a >>> 23) & 0xff) + (rnd() % 5) - 2) & 0xff) << 23);
        }
        if (name === 'mul' && i % 3 === 0) a = (a & 0x807fffff) | ((40 + (rnd() % 40)) << 23); // products in denormal range
        const fpscr = MODES[i & 3]! | (i & 4 ? FZ : 0);
        const ref = refArith(name, a, b, 0, fpscr);
        if (ref === null) continue;
        const got = run(() => ops[name](a, b), fpscr);
        if (got[0] !== ref[0] || got[1] !== ref[1]) {
          throw new Error(`${name}(${hex(a)}, ${hex(b)}) fpscr=${hex(fpscr)}: got ${hex(got[0])}/${got[1].toString(16)}, want ${hex(ref[0])}/${ref[1].toString(16)}`);
        }
        checked++;
      }
      expect(checked).toBeGreaterThan(4000);
    });
  }

  it('fused multiply-add: 4 rounding modes x FZ, random operands (single rounding)', () => {
    let checked = 0;
    for (let i = 0; i < 8000; i++) {
      const a = operand();
      const b = operand();
      let c = operand();
      // aim the addend at the product's magnitude for deep cancellation half of the time
      if (i & 1) {
        const pe = (((a >>> 23) & 0xff) + ((b >>> 23) & 0xff) - 127 + (rnd() % 5) - 2) | 0;
        if (pe > 0 && pe < 255) c = (c & 0x807fffff) | (pe << 23);
      }
      const fpscr = MODES[i & 3]! | (i & 4 ? FZ : 0);
      const ref = refArith('fma', a, b, c, fpscr);
      if (ref === null) continue;
      const got = run(() => fpMulAdd(c, a, b), fpscr);
      if (got[0] !== ref[0] || got[1] !== ref[1]) {
        throw new Error(`fma(${hex(c)} + ${hex(a)}*${hex(b)}) fpscr=${hex(fpscr)}: got ${hex(got[0])}/${got[1].toString(16)}, want ${hex(ref[0])}/${ref[1].toString(16)}`);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(5000);
  });

  it('sqrt: bracketed exactly by BigInt squares in every mode', () => {
    for (let i = 0; i < 4000; i++) {
      const a = operand() & 0x7fffffff;
      if ((a & 0x7f800000) === 0x7f800000 || (a & 0x7f800000) === 0) continue;
      const fpscr = MODES[i & 3]!;
      const [r, f] = run(() => fpSqrt(a), fpscr);
      const x = valueOf(a, false, { f: 0 });
      const rv = valueOf(r, false, { f: 0 });
      const cmp = (q: Q): number => {
        const l = q.n * q.n * x.d;
        const rr = x.n * q.d * q.d;
        return l < rr ? -1 : l > rr ? 1 : 0;
      };
      const c = cmp(rv);
      const up = valueOf(r + 1, false, { f: 0 });
      const down = valueOf(r - 1, false, { f: 0 });
      const mode = (fpscr >>> 22) & 3;
      if (c === 0) expect(f).toBe(0);
      else {
        expect(f).toBe(IXC);
        if (mode === 1) expect([c, cmp(down)]).toEqual([1, -1]); // RP: r^2 > x > down^2
        else if (mode >= 2) expect([c, cmp(up)]).toEqual([-1, 1]); // RM/RZ
        else {
          // RN: x lies between the squares of the midpoints around r
          const mid = (p: Q, q: Q): Q => ({ n: p.n * q.d + q.n * p.d, d: 2n * p.d * q.d });
          expect(cmp(mid(rv, down))).toBe(-1);
          expect(cmp(mid(rv, up))).toBe(1);
        }
      }
    }
  });
});

describe('conversions against the exact reference', () => {
  it('single to half (IEEE and AHP), 4 modes x FZ, random singles around the half range', () => {
    for (let i = 0; i < 8000; i++) {
      const sign = rnd() & 0x80000000;
      const a = (sign | ((100 + (rnd() % 50)) << 23) | (rnd() & 0x7fffff)) | 0; // 2^-27 .. 2^22
      const fpscr = MODES[i & 3]! | (i & 4 ? FZ : 0) | (i & 8 ? 1 << 26 : 0);
      const [r, f] = run(() => f32ToF16(a), fpscr);
      const want = refRound(valueOf(a, false, { f: 0 }), fpscr, i & 8 ? HALF_AHP : HALF_IEEE);
      if (r !== want[0] || f !== want[1]) throw new Error(`f32ToF16(${hex(a)}) fpscr=${hex(fpscr)}: got ${r.toString(16)}/${f.toString(16)}, want ${want[0].toString(16)}/${want[1].toString(16)}`);
    }
  });

  it('single to s32/u32/s16/u16 fixed point, all modes: rounding, saturation (IOC, no IXC), inexact', () => {
    for (let i = 0; i < 8000; i++) {
      const sign = rnd() & 0x80000000;
      const a = (sign | ((110 + (rnd() % 50)) << 23) | (rnd() & 0x7fffff)) | 0;
      const size = i & 1 ? 32 : 16;
      const unsigned = (i & 2) !== 0;
      const fbits = rnd() % (size + 1);
      const fpscr = MODES[(i >>> 2) & 3]!;
      const [r, f] = run(() => fpToFixed(a, size, fbits, unsigned, false), fpscr);
      // reference: exact value * 2^fbits, rounded to an integer by the mode, then saturated
      const x = valueOf(a, false, { f: 0 });
      const num = x.n << BigInt(fbits);
      let n = num / x.d; // truncates toward zero
      let rem = num - n * x.d;
      if (rem < 0n) { n--; rem += x.d; } // floor
      const mode = (fpscr >>> 22) & 3;
      if (rem !== 0n) {
        if (mode === 0 ? 2n * rem > x.d || (2n * rem === x.d && (n & 1n) === 1n) : mode === 1 || (mode === 3 && x.n < 0n)) n++;
      }
      const max = unsigned ? (1n << BigInt(size)) - 1n : (1n << BigInt(size - 1)) - 1n;
      const min = unsigned ? 0n : -(1n << BigInt(size - 1));
      let wf = 0;
      if (n > max) { n = max; wf = IOC; } else if (n < min) { n = min; wf = IOC; } else if (rem !== 0n) wf = IXC;
      const wv = size === 16 ? (unsigned ? Number(n) & 0xffff : (Number(n) << 16) >> 16) : Number(BigInt.asIntN(32, n));
      if (r !== wv || f !== wf) throw new Error(`toFixed(${hex(a)}, ${size}, ${fbits}, ${unsigned}) mode ${mode}: got ${r}/${f}, want ${wv}/${wf}`);
    }
  });
});

describe('half precision round trips', () => {
  it('every non-NaN half converts to single and back unchanged, without flags (IEEE and AHP)', () => {
    for (const ahp of [0, 1 << 26]) {
      for (let h = 0; h < 0x10000; h++) {
        if (!ahp && (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue; // NaNs
        const [s, f1] = run(() => f16ToF32(h), ahp);
        const [back, f2] = run(() => f32ToF16(s), ahp);
        if (back !== h || f1 !== 0 || f2 !== 0) throw new Error(`half ${h.toString(16)} (ahp=${ahp}): via ${hex(s)} back ${back.toString(16)} flags ${f1}/${f2}`);
      }
    }
  });

  it('half values decode to the single with the same value: 1.0, -2.0, 65504, 2^-14, 2^-24', () => {
    expect(run(() => f16ToF32(0x3c00), 0)).toEqual([0x3f800000, 0]);
    expect(run(() => f16ToF32(0xc000), 0)).toEqual([0xc0000000 | 0, 0]);
    expect(run(() => f16ToF32(0x7bff), 0)).toEqual([0x477fe000, 0]);
    expect(run(() => f16ToF32(0x0400), 0)).toEqual([0x38800000, 0]);
    expect(run(() => f16ToF32(0x8001), FZ)).toEqual([0xb3800000 | 0, 0]); // half inputs are never flushed
    expect(run(() => f16ToF32(0xffff), 1 << 26)).toEqual([0xc7ffe000 | 0, 0]); // AHP: -131008
  });
});

describe('softfp hand-derived cases', () => {
  it('fused multiply-add exact zeros: signs per FPMulAdd', () => {
    expect(run(() => fpMulAdd(0, 0, 0x80000000 | 0), 0)).toEqual([0, 0]); // +0 + (+0 * -0) = +0 + -0 = +0
    expect(run(() => fpMulAdd(0, 0, 0x80000000 | 0), 2 << 22)).toEqual([0x80000000 | 0, 0]); // RM: -0
    expect(run(() => fpMulAdd(0x80000000 | 0, 0, 0x80000000 | 0), 0)).toEqual([0x80000000 | 0, 0]); // -0 + -0
    expect(run(() => fpMulAdd(0x3f800000, 0xbf800000 | 0, 0x3f800000), 0)).toEqual([0, 0]); // 1 + (-1*1)
    expect(run(() => fpMulAdd(0x3f800000, 0xbf800000 | 0, 0x3f800000), 2 << 22)).toEqual([0x80000000 | 0, 0]);
    expect(run(() => fpMulAdd(0x00000003, 0, 0x3f800000), 0)).toEqual([3, 0]); // denormal addend + 0: exact
    expect(run(() => fpMulAdd(0x00000003, 0, 0x3f800000), FZ)).toEqual([0, IDC]);
  });

  it('x - x is +0 in RN/RP/RZ and -0 in RM; -0 + -0 = -0', () => {
    expect(run(() => fpSub(0x3f800000, 0x3f800000), 0)).toEqual([0, 0]);
    expect(run(() => fpSub(0x3f800000, 0x3f800000), 1 << 22)).toEqual([0, 0]);
    expect(run(() => fpSub(0x3f800000, 0x3f800000), 2 << 22)).toEqual([0x80000000 | 0, 0]);
    expect(run(() => fpSub(0x3f800000, 0x3f800000), 3 << 22)).toEqual([0, 0]);
    expect(run(() => fpAdd(0x80000000 | 0, 0x80000000 | 0), 0)).toEqual([0x80000000 | 0, 0]);
    expect(run(() => fpAdd(0x80000000 | 0, 0), 0)).toEqual([0, 0]);
    expect(run(() => fpAdd(0x80000000 | 0, 0), 2 << 22)).toEqual([0x80000000 | 0, 0]);
  });

  it('halfway case 1 + 2^-24 in each mode', () => {
    // 1 + 2^-24 is exactly between 1 and 1+2^-23: RN ties to even (1.0), RP up, RM/RZ down.
    const a = 0x3f800000, b = 0x33800000; // 2^-24
    expect(run(() => fpAdd(a, b), 0)).toEqual([0x3f800000, IXC]);
    expect(run(() => fpAdd(a, b), 1 << 22)).toEqual([0x3f800001, IXC]);
    expect(run(() => fpAdd(a, b), 2 << 22)).toEqual([0x3f800000, IXC]);
    expect(run(() => fpAdd(a, b), 3 << 22)).toEqual([0x3f800000, IXC]);
    // (1+2^-23) + 2^-24 ties to the even neighbour above: 1+2^-22
    expect(run(() => fpAdd(0x3f800001, b), 0)).toEqual([0x3f800002, IXC]);
  });

  it('overflow per rounding mode: FLT_MAX * 2', () => {
    expect(run(() => fpMul(0x7f7fffff, 0x40000000), 0)).toEqual([0x7f800000, OFC | IXC]);
    expect(run(() => fpMul(0x7f7fffff, 0x40000000), 1 << 22)).toEqual([0x7f800000, OFC | IXC]);
    expect(run(() => fpMul(0x7f7fffff, 0x40000000), 2 << 22)).toEqual([0x7f7fffff, OFC | IXC]);
    expect(run(() => fpMul(0x7f7fffff, 0x40000000), 3 << 22)).toEqual([0x7f7fffff, OFC | IXC]);
    expect(run(() => fpMul(0xff7fffff | 0, 0x40000000), 1 << 22)).toEqual([0xff7fffff | 0, OFC | IXC]);
    expect(run(() => fpMul(0xff7fffff | 0, 0x40000000), 2 << 22)).toEqual([0xff800000 | 0, OFC | IXC]);
  });

  it('underflow: tiny and inexact sets UFC, exact denormal does not; FZ flushes with UFC only', () => {
    // 2^-100 * 2^-50 = 2^-150: exactly half the smallest denormal; RN ties to +0, RP gives 2^-149
    expect(run(() => fpMul(0x0d800000, 0x26800000), 0)).toEqual([0, UFC | IXC]);
    expect(run(() => fpMul(0x0d800000, 0x26800000), 1 << 22)).toEqual([1, UFC | IXC]);
    // 2^-100 * 2^-45 = 2^-145: exact denormal 0x10, no flags; with FZ flushed to +0 with UFC and no IXC
    expect(run(() => fpMul(0x0d800000, 0x29000000), 0)).toEqual([0x10, 0]);
    expect(run(() => fpMul(0x0d800000, 0x29000000), FZ)).toEqual([0, UFC]);
    // (1-2^-24) * 2^-126 = 2^-126 - 2^-150 ties up to the smallest normal in RN, but was tiny before rounding: UFC
    expect(run(() => fpMul(0x3f7fffff, 0x00800000), 0)).toEqual([0x00800000, UFC | IXC]);
    // ... and with FZ it is flushed (tininess is judged on the unrounded value)
    expect(run(() => fpMul(0x3f7fffff, 0x00800000), FZ)).toEqual([0, UFC]);
    // denormal input with FZ: flushed, IDC; 0 + 1 = 1
    expect(run(() => fpAdd(0x00000001, 0x3f800000), FZ)).toEqual([0x3f800000, IDC]);
    expect(run(() => fpAdd(0x80000001 | 0, 0x80000000 | 0), FZ)).toEqual([0x80000000 | 0, IDC]);
  });

  it('NaN propagation: first sNaN quietened, else first qNaN; DN gives the default NaN', () => {
    const q1 = 0x7fc00001, q2 = 0xffc00002 | 0, s1 = 0x7f800003, s2 = 0xff800004 | 0;
    expect(run(() => fpAdd(q1, q2), 0)).toEqual([q1, 0]);
    expect(run(() => fpAdd(q1, s2), 0)).toEqual([0xffc00004 | 0, IOC]);
    expect(run(() => fpAdd(s1, s2), 0)).toEqual([0x7fc00003, IOC]);
    expect(run(() => fpMul(0x3f800000, q2), 0)).toEqual([q2, 0]);
    expect(run(() => fpMul(s1, q2), DN)).toEqual([0x7fc00000, IOC]);
    expect(run(() => fpDiv(q1, 0x3f800000), DN)).toEqual([0x7fc00000, 0]);
    // VSUB keeps the sign of a NaN second operand
    expect(run(() => fpSub(0x3f800000, q2), 0)).toEqual([q2, 0]);
    // fused: addend first, then op1, op2; sNaN before qNaN
    expect(run(() => fpMulAdd(q1, s1, q2), 0)).toEqual([0x7fc00003, IOC]);
    expect(run(() => fpMulAdd(q1, q2, 0x3f800000), 0)).toEqual([q1, 0]);
    expect(run(() => fpMulAdd(0x3f800000, q2, q1), 0)).toEqual([q2, 0]);
    // inf * 0 + qNaN: default NaN and IOC; inf * 0 + sNaN: the quietened sNaN
    expect(run(() => fpMulAdd(q1, 0x7f800000, 0), 0)).toEqual([0x7fc00000, IOC]);
    expect(run(() => fpMulAdd(s1, 0x7f800000, 0), 0)).toEqual([0x7fc00003, IOC]);
  });

  it('invalid operations give the default NaN with IOC; x/0 gives DZC', () => {
    expect(run(() => fpAdd(0x7f800000, 0xff800000 | 0), 0)).toEqual([0x7fc00000, IOC]);
    expect(run(() => fpMul(0x7f800000, 0x80000000 | 0), 0)).toEqual([0x7fc00000, IOC]);
    expect(run(() => fpDiv(0, 0), 0)).toEqual([0x7fc00000, IOC]);
    expect(run(() => fpDiv(0x7f800000, 0x7f800000), 0)).toEqual([0x7fc00000, IOC]);
    expect(run(() => fpDiv(0xbf800000 | 0, 0), 0)).toEqual([0xff800000 | 0, DZC]);
    expect(run(() => fpDiv(0x3f800000, 0x00000001), FZ)).toEqual([0x7f800000, DZC | IDC]);
    expect(run(() => fpSqrt(0xbf800000 | 0), 0)).toEqual([0x7fc00000, IOC]);
    expect(run(() => fpSqrt(0x80000000 | 0), 0)).toEqual([0x80000000 | 0, 0]);
    expect(run(() => fpMulAdd(0xff800000 | 0, 0x7f800000, 0x3f800000), 0)).toEqual([0x7fc00000, IOC]);
  });

  it('fused and chained multiply-add differ: (1+2^-12)^2 - (1+2^-11)', () => {
    // (1+2^-12)^2 = 1 + 2^-11 + 2^-24. Chained: product rounds (tie, to even) to 1+2^-11, minus gives +0.
    // Fused: the exact result 2^-24 survives.
    const x = 0x3f800800; // 1 + 2^-12
    const c = 0xbf801000 | 0; // -(1 + 2^-11)
    expect(run(() => fpMulAdd(c, x, x), 0)).toEqual([0x33800000, 0]);
    expect(run(() => fpAdd(c, fpMul(x, x)), 0)).toEqual([0, IXC]);
  });

  it('conversions to integer saturate with IOC only, NaN gives 0', () => {
    expect(run(() => fpToFixed(0x4f000000, 32, 0, false, true), 0)).toEqual([0x7fffffff, IOC]); // 2^31
    expect(run(() => fpToFixed(0xcf000000 | 0, 32, 0, false, true), 0)).toEqual([0x80000000 | 0, 0]); // -2^31 exact
    expect(run(() => fpToFixed(0xcf000001 | 0, 32, 0, false, true), 0)).toEqual([0x80000000 | 0, IOC]); // below -2^31
    expect(run(() => fpToFixed(0x7fc00000, 32, 0, false, true), 0)).toEqual([0, IOC]);
    expect(run(() => fpToFixed(0x4f800000, 32, 0, true, true), 0)).toEqual([-1, IOC]); // 2^32 unsigned
    // -0.5 to unsigned: RN -> 0 inexact, RP -> 0 (-0) inexact, RM -> -1 saturates to 0 with IOC, RZ -> 0 inexact
    const h = 0xbf000000 | 0;
    expect(run(() => fpToFixed(h, 32, 0, true, false), 0)).toEqual([0, IXC]);
    expect(run(() => fpToFixed(h, 32, 0, true, false), 1 << 22)).toEqual([0, IXC]);
    expect(run(() => fpToFixed(h, 32, 0, true, false), 2 << 22)).toEqual([0, IOC]);
    expect(run(() => fpToFixed(h, 32, 0, true, false), 3 << 22)).toEqual([0, IXC]);
    // -0.5 to signed: RN -> -0 (0), RP -> 0, RM -> -1, RZ -> 0; all inexact
    expect(run(() => fpToFixed(h, 32, 0, false, false), 0)).toEqual([0, IXC]);
    expect(run(() => fpToFixed(h, 32, 0, false, false), 1 << 22)).toEqual([0, IXC]);
    expect(run(() => fpToFixed(h, 32, 0, false, false), 2 << 22)).toEqual([-1, IXC]);
    expect(run(() => fpToFixed(h, 32, 0, false, false), 3 << 22)).toEqual([0, IXC]);
    // -2^31 - 1 is not a single: the nearest, -2^31 - 128 (0xcf000001), saturates; 2^31 - 128 fits
    expect(run(() => fpToFixed(0x4effffff, 32, 0, false, true), 0)).toEqual([0x7fffff80, 0]);
    // 2.5 and 3.5 in RN: ties to even
    expect(run(() => fpToFixed(0x40200000, 32, 0, false, false), 0)).toEqual([2, IXC]);
    expect(run(() => fpToFixed(0x40600000, 32, 0, false, false), 0)).toEqual([4, IXC]);
    // fixed point: 1.5 with 16 fraction bits in 16-bit signed saturates to 0x7fff, sign-extended
    expect(run(() => fpToFixed(0x3fc00000, 16, 16, false, true), 0)).toEqual([0x7fff, IOC]);
    expect(run(() => fpToFixed(0xbf000000 | 0, 16, 8, false, true), 0)).toEqual([-128, 0]);
    expect(run(() => fpToFixed(0xbf000000 | 0, 16, 8, true, true), 0)).toEqual([0, IOC]);
  });

  it('conversions from integer round per FPSCR', () => {
    // 2^24 + 1 is a tie between 2^24 and 2^24+2: RN to even (2^24), RP up
    expect(run(() => fixedToFp(0x01000001, 32, 0, false), 0)).toEqual([0x4b800000, IXC]);
    expect(run(() => fixedToFp(0x01000001, 32, 0, false), 1 << 22)).toEqual([0x4b800001, IXC]);
    expect(run(() => fixedToFp(-1, 32, 0, true), 3 << 22)).toEqual([0x4f7fffff, IXC]); // 2^32-1 toward zero
    expect(run(() => fixedToFp(-1, 32, 0, false), 0)).toEqual([0xbf800000 | 0, 0]);
    expect(run(() => fixedToFp(0xffff8000 | 0, 16, 15, false), 0)).toEqual([0xbf800000 | 0, 0]); // -1.0 in Q15
    expect(run(() => fixedToFp(0x8000, 16, 16, true), 0)).toEqual([0x3f000000, 0]); // 0.5 in UQ16
    expect(run(() => fixedToFp(0, 32, 0, false), 2 << 22)).toEqual([0, 0]);
  });

  it('FPSCR constants match the ARM ARM bit positions', () => {
    expect([FPSCR.IOC, FPSCR.DZC, FPSCR.OFC, FPSCR.UFC, FPSCR.IXC, FPSCR.IDC, FPSCR.FZ, FPSCR.DN, FPSCR.AHP]).toEqual([1, 2, 4, 8, 16, 128, 1 << 24, 1 << 25, 1 << 26]);
  });
});

describe('round-to-nearest fast path boundaries (normal operands)', () => {
  const run = (f: () => number, fpscr: number) => {
    fpst.fpscr = fpscr;
    const r = f() >>> 0;
    return { r, flags: fpst.fpscr & 0x9f };
  };

  it('a product just below 2^-126 that rounds up to it is tiny before rounding: UFC|IXC', () => {
    // (1 - 2^-23) * 2^-126 (1 + 2^-23) = 2^-126 (1 - 2^-46)
    expect(run(() => fpMul(0x3f7ffffe, 0x00800001), 0)).toEqual({ r: 0x00800000, flags: UFC | IXC });
  });

  it('with FZ, a tiny exact product of normal operands flushes to zero with UFC', () => {
    // (1 - 2^-23) * 2^-126 = 2^-126 - 2^-149, a denormal
    expect(run(() => fpMul(0x3f7ffffe, 0x00800000), FZ)).toEqual({ r: 0, flags: UFC });
    expect(run(() => fpMul(0x3f7ffffe, 0x00800000), 0)).toEqual({ r: 0x007fffff, flags: 0 });
  });

  it('a sum exactly halfway between two singles rounds to even; the remainder of a fused op decides', () => {
    // 1 + 2^-24 is a tie: to even (1.0), inexact
    expect(run(() => fpAdd(0x3f800000, 0x33800000), 0)).toEqual({ r: 0x3f800000, flags: IXC });
    // 1 + 3*2^-25... fused: 1*1 + 2^-24 + tiny product remainder: c + a*b with a*b = 2^-24 (1 + 2^-23)
    expect(run(() => fpMulAdd(0x3f800000, 0x33800001, 0x3f800000), 0)).toEqual({ r: 0x3f800001, flags: IXC });
  });
});
