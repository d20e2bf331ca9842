/**
 * Single-precision arithmetic of the FPv4-SP extension on raw bit patterns, following the ARM ARM
 * (DDI0403E) pseudocode: FPUnpack (FZ flushes denormal inputs, IDC), FPProcessNaNs/FPProcessNaNs3,
 * FPRound (all four rounding modes, tininess detected before rounding, FZ flushes tiny single results with
 * UFC but never half-precision ones), FPToFixed/FixedToFP, FPCompare and the half-precision conversions
 * (IEEE and AHP). Cross-checked against Unicorn (QEMU softfloat) on edge-case operands in every FPSCR mode.
 *
 * Values travel as int32 bit patterns: a signalling NaN converted to a JS number would be quietened.
 * The FPSCR the operation runs under is `fpst.fpscr`; operations OR their cumulative exception flags into it.
 * Callers copy cpu.fpscr in and out around a call (no allocation, no closures).
 *
 * Exact rounding without big integers: every result is known as a double `s` (the exact result rounded to
 * double, or the exact result itself) plus the sign of the remainder `v - s`. Products of two singles are
 * exact in double; sums get their error term from TwoSum; quotients and square roots get the remainder sign
 * from an exact Dekker product. Since every single-precision value, midpoint and the 2^-126 boundary are
 * doubles, no such point lies strictly between `v` and `s`, so `s` and the remainder sign decide the rounding.
 */

export const FPSCR = {
  IOC: 1 << 0,
  DZC: 1 << 1,
  OFC: 1 << 2,
  UFC: 1 << 3,
  IXC: 1 << 4,
  IDC: 1 << 7,
  RMODE_SHIFT: 22,
  FZ: 1 << 24,
  DN: 1 << 25,
  AHP: 1 << 26,
} as const;

/** FPSCR bits that exist on the Cortex-M4 (NZCV, AHP, DN, FZ, RMode, IDC, IXC..IOC); the rest are RES0. */
export const FPSCR_WRITABLE = 0xf7c0009f;

/** Rounding modes, FPSCR.RMode values. */
export const RN = 0;
export const RP = 1;
export const RM = 2;
export const RZ = 3;

/** The FPSCR an operation runs under; operations OR cumulative flags into it. */
export const fpst = { fpscr: 0 };

export const DEFAULT_NAN = 0x7fc00000;
const SIGN = 0x80000000 | 0;
const FLT_MAX_BITS = 0x7f7fffff;
const INF_BITS = 0x7f800000;
const TWO_M126 = 2 ** -126;
const TWO_128 = 2 ** 128;
const TWO_127 = 2 ** 127;
const SPLITTER = 134217729; // 2^27 + 1, Veltkamp split of a double

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/**
 * Double arguments for the non-inlined helpers: V8 boxes a double passed to (or returned from) a call it
 * does not inline, which would allocate on every FP instruction; a Float64Array slot is stored unboxed.
 * [0] = s for roundS, [1], [2], [3] = a, b, x for residualSign.
 */
const dArg = new Float64Array(4);

/** The value of a non-NaN single bit pattern (exact). */
export function toF(bits: number): number {
  i32[0] = bits;
  return f32[0]!;
}

/** The bit pattern of a number that is exactly representable as a single (or ±Infinity). */
export function toBits(x: number): number {
  f32[0] = x;
  return i32[0]!;
}

export function isNaNBits(b: number): boolean {
  return (b & 0x7fffffff) > INF_BITS;
}

function isSNaNBits(b: number): boolean {
  return (b & 0x7fffffff) > INF_BITS && (b & 0x400000) === 0;
}

/** FPUnpack's flush-to-zero of a denormal input (FZ=1): signed zero, IDC. */
function flush(b: number): number {
  if ((b & 0x7f800000) === 0 && (b & 0x7fffff) !== 0 && (fpst.fpscr & FPSCR.FZ) !== 0) {
    fpst.fpscr |= FPSCR.IDC;
    return b & SIGN;
  }
  return b;
}

/** FPProcessNaN: quieten a signalling NaN (IOC); DN selects the default NaN. */
function processNaN(b: number): number {
  if ((b & 0x400000) === 0) fpst.fpscr |= FPSCR.IOC;
  return (fpst.fpscr & FPSCR.DN) !== 0 ? DEFAULT_NAN : b | 0x400000;
}

/** FPProcessNaNs for two operands of which at least one is a NaN. */
function processNaNs(a: number, b: number): number {
  if (isSNaNBits(a)) return processNaN(a);
  if (isSNaNBits(b)) return processNaN(b);
  if (isNaNBits(a)) return processNaN(a);
  return processNaN(b);
}

function invalid(): number {
  fpst.fpscr |= FPSCR.IOC;
  return DEFAULT_NAN;
}

function zeroFor(exactZeroOfSum: boolean, sign: number): number {
  // An exact zero sum of operands of opposite sign is +0, except -0 when rounding toward minus infinity.
  if (exactZeroOfSum) return ((fpst.fpscr >>> FPSCR.RMODE_SHIFT) & 3) === RM ? SIGN : 0;
  return sign;
}

/**
 * FPRound to single precision of the nonzero exact value v = s + r, where s is a double and only the
 * sign of r is given (`rSign` in {-1, 0, 1}); s is v rounded to double (or exact), so no single-precision
 * value or midpoint lies strictly between s and v.
 */
export function roundF32(s: number, rSign: number): number {
  dArg[0] = s;
  return roundS(rSign);
}

/** roundF32 with s taken from dArg[0] (the allocation-free form the operations use). */
function roundS(rSign: number): number {
  const s = dArg[0]!;
  const fpscr = fpst.fpscr;
  const neg = s < 0;
  const sign = neg ? SIGN : 0;
  const a = neg ? -s : s;
  const ar = neg ? -rSign : rSign; // remainder sign, on the magnitude
  let mode = (fpscr >>> FPSCR.RMODE_SHIFT) & 3;
  // Work on magnitudes: RP/RM become "away from zero"/"toward zero" depending on the sign.
  if (mode === RP) mode = neg ? RZ : RP;
  else if (mode === RM) mode = neg ? RP : RZ;
  const tiny = a < TWO_M126 || (a === TWO_M126 && ar < 0);
  if (tiny && (fpscr & FPSCR.FZ) !== 0) {
    fpst.fpscr |= FPSCR.UFC; // flushed output: underflow, not inexact
    return sign;
  }
  if (a > TWO_128 || (a === TWO_128 && ar >= 0)) return overflow(sign, mode);
  const r = a >= TWO_127 ? Math.fround(a * 0.5) * 2 : Math.fround(a);
  let rb = r === TWO_128 ? INF_BITS : toBits(r);
  const diff = a - r; // exact
  const res = diff > 0 ? 1 : diff < 0 ? -1 : ar; // sign of v - r on the magnitude
  if (res === 0) {
    if (rb >= INF_BITS) return overflow(sign, mode);
    return rb | sign;
  }
  if (mode === RN) {
    // fround rounded s to nearest-even; only a tie in s that v does not share needs correcting.
    if (diff !== 0 && ar === res) {
      const nb = res > 0 ? rb + 1 : rb - 1;
      const nv = nb === INF_BITS ? TWO_128 : toF(nb);
      if (nv === r + 2 * diff) rb = nb;
    }
  } else if (mode === RP) {
    if (res > 0) rb++;
  } else if (res < 0) {
    rb--; // toward zero on the magnitude
  }
  if (rb >= INF_BITS) return overflow(sign, mode);
  fpst.fpscr |= tiny ? FPSCR.IXC | FPSCR.UFC : FPSCR.IXC;
  return rb | sign;
}

/**
 * Fast path for the common case, round-to-nearest with normal operands and a normal result: the double
 * value s (with the sign of the exact remainder e) rounds correctly through Math.fround unless s lies
 * exactly halfway between two singles (then e decides, which fround cannot see). Returns the result bits,
 * or NO_FAST when the general path must decide (tiny/overflowing results, ties, other rounding modes).
 * The result is exactly what roundS gives; it only skips its case analysis.
 */
const NO_FAST = 0x7fc00001; // a NaN pattern no fast result can have
function roundNearestFast(s: number, e: number): number {
  const r = Math.fround(s);
  // Tininess is judged before rounding (as roundS does): leave anything at or below 2^-126 to it, and
  // results that overflow to infinity.
  const ms = s < 0 ? -s : s;
  if (!(ms > TWO_M126) || r === Infinity || r === -Infinity) return NO_FAST;
  if (r !== s) {
    const other = 2 * s - r; // the other neighbour if s is a midpoint
    if (Math.fround(other) === other) return NO_FAST;
    fpst.fpscr |= FPSCR.IXC;
  } else if (e !== 0) fpst.fpscr |= FPSCR.IXC;
  f32[0] = r;
  return i32[0]!;
}

/** Both operands normal (not zero, denormal, infinity or NaN), and the rounding mode round-to-nearest. */
function fastCase2(a: number, b: number): boolean {
  const ea = (a >>> 23) & 0xff;
  const eb = (b >>> 23) & 0xff;
  return ea !== 0 && ea !== 0xff && eb !== 0 && eb !== 0xff && (fpst.fpscr & (3 << FPSCR.RMODE_SHIFT)) === 0;
}

/** Overflow: infinity when rounding away from zero (or to nearest), else the largest normal. `mode` is on the magnitude. */
function overflow(sign: number, mode: number): number {
  fpst.fpscr |= FPSCR.OFC | FPSCR.IXC;
  return (mode === RN || mode === RP ? INF_BITS : FLT_MAX_BITS) | sign;
}

/**
 * Sign of the exact x - a*b, for a*b close to x (a, b, x in dArg[1..3]), by Dekker's exact product:
 * a*b = p + err exactly, and x - p is exact (Sterbenz: p is within a factor 2 of x).
 */
function residualSign(): number {
  const a = dArg[1]!;
  const b = dArg[2]!;
  const x = dArg[3]!;
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const err = ah * bh - p + ah * bl + al * bh + al * bl; // a*b - p, exact
  const d = x - p - err;
  return d > 0 ? 1 : d < 0 ? -1 : 0;
}

// ---- arithmetic -------------------------------------------------------------------------------------------

/** FPAdd. */
export function fpAdd(a: number, b: number): number {
  if (fastCase2(a, b)) {
    const x = toF(a);
    const y = toF(b);
    const sum = x + y;
    if (sum !== 0) {
      const bb = sum - x;
      const r = roundNearestFast(sum, x - (sum - bb) + (y - bb));
      if (r !== NO_FAST) return r;
    }
  }
  a = flush(a);
  b = flush(b);
  const ea = a & INF_BITS;
  const eb = b & INF_BITS;
  if (ea === INF_BITS || eb === INF_BITS) {
    if (isNaNBits(a) || isNaNBits(b)) return processNaNs(a, b);
    if (ea === INF_BITS && eb === INF_BITS) return (a ^ b) < 0 ? invalid() : a;
    return ea === INF_BITS ? a : b;
  }
  const x = toF(a);
  const y = toF(b);
  const s = x + y;
  if (s === 0) return zeroFor(x !== 0 || (a ^ b) < 0, a & SIGN);
  const bb = s - x;
  const e = x - (s - bb) + (y - bb); // TwoSum: x + y = s + e exactly
  dArg[0] = s;
  return roundS(e > 0 ? 1 : e < 0 ? -1 : 0);
}

/** FPSub: FPAdd with the second operand negated, except that NaN operands keep their own sign. */
export function fpSub(a: number, b: number): number {
  if (isNaNBits(b)) {
    a = flush(a);
    return processNaNs(a, b);
  }
  return fpAdd(a, b ^ SIGN);
}

/** FPMul. */
export function fpMul(a: number, b: number): number {
  if (fastCase2(a, b)) {
    const r = roundNearestFast(toF(a) * toF(b), 0); // the product of two singles is exact in double
    if (r !== NO_FAST) return r;
  }
  a = flush(a);
  b = flush(b);
  const sign = (a ^ b) & SIGN;
  const ea = a & INF_BITS;
  const eb = b & INF_BITS;
  if (ea === INF_BITS || eb === INF_BITS) {
    if (isNaNBits(a) || isNaNBits(b)) return processNaNs(a, b);
    if ((a & 0x7fffffff) === 0 || (b & 0x7fffffff) === 0) return invalid();
    return INF_BITS | sign;
  }
  if ((a & 0x7fffffff) === 0 || (b & 0x7fffffff) === 0) return sign;
  dArg[0] = toF(a) * toF(b); // the product of two singles is exact in double
  return roundS(0);
}

/** FPDiv. */
export function fpDiv(a: number, b: number): number {
  a = flush(a);
  b = flush(b);
  const sign = (a ^ b) & SIGN;
  const ea = a & INF_BITS;
  const eb = b & INF_BITS;
  const za = (a & 0x7fffffff) === 0;
  const zb = (b & 0x7fffffff) === 0;
  if (ea === INF_BITS || eb === INF_BITS) {
    if (isNaNBits(a) || isNaNBits(b)) return processNaNs(a, b);
    if (ea === INF_BITS) return eb === INF_BITS ? invalid() : INF_BITS | sign;
    return sign; // finite / infinity
  }
  if (zb) {
    if (za) return invalid();
    fpst.fpscr |= FPSCR.DZC;
    return INF_BITS | sign;
  }
  if (za) return sign;
  const x = toF(a);
  const y = toF(b);
  const q = x / y;
  // v - q = (x - q*y) / y
  dArg[1] = q;
  dArg[2] = y;
  dArg[3] = x;
  const r = residualSign();
  dArg[0] = q;
  return roundS(y < 0 ? -r : r);
}

/** FPSqrt. */
export function fpSqrt(a: number): number {
  a = flush(a);
  if (isNaNBits(a)) return processNaN(a);
  if ((a & 0x7fffffff) === 0) return a;
  if (a < 0) return invalid();
  if (a === INF_BITS) return a;
  const x = toF(a);
  const q = Math.sqrt(x);
  dArg[1] = q;
  dArg[2] = q;
  dArg[3] = x;
  const r = residualSign();
  dArg[0] = q;
  return roundS(r);
}

/**
 * FPMulAdd(addend, op1, op2): addend + op1*op2 with a single rounding. Operand negations of the
 * VFMS/VFNMA/VFNMS forms are applied to the bit patterns by the caller (FPNeg flips NaN signs too).
 */
export function fpMulAdd(c: number, a: number, b: number): number {
  const ec = (c >>> 23) & 0xff;
  if (ec !== 0 && ec !== 0xff && fastCase2(a, b)) {
    const p = toF(a) * toF(b); // exact
    const z = toF(c);
    const sum = p + z;
    if (sum !== 0) {
      const bb = sum - p;
      const r = roundNearestFast(sum, p - (sum - bb) + (z - bb));
      if (r !== NO_FAST) return r;
    }
  }
  c = flush(c);
  a = flush(a);
  b = flush(b);
  const za = (a & 0x7fffffff) === 0;
  const zb = (b & 0x7fffffff) === 0;
  const ia = (a & 0x7fffffff) === INF_BITS;
  const ib = (b & 0x7fffffff) === INF_BITS;
  if (isNaNBits(a) || isNaNBits(b) || isNaNBits(c)) {
    // FPProcessNaNs3 in the order addend, op1, op2; then inf*0 + qNaN gives the default NaN.
    let res: number;
    if (isSNaNBits(c)) res = processNaN(c);
    else if (isSNaNBits(a)) res = processNaN(a);
    else if (isSNaNBits(b)) res = processNaN(b);
    else if (isNaNBits(c)) res = processNaN(c);
    else if (isNaNBits(a)) res = processNaN(a);
    else res = processNaN(b);
    if (isNaNBits(c) && !isSNaNBits(c) && ((ia && zb) || (za && ib))) return invalid();
    return res;
  }
  const signP = (a ^ b) & SIGN;
  const ic = (c & 0x7fffffff) === INF_BITS;
  const ip = ia || ib;
  if ((ia && zb) || (za && ib) || (ic && ip && (c & SIGN) !== signP)) return invalid();
  if (ic) return c;
  if (ip) return INF_BITS | signP;
  const zc = (c & 0x7fffffff) === 0;
  if (za || zb) {
    if (zc) return (c & SIGN) === signP ? c : zeroFor(true, 0);
    return c; // exact: addend unchanged (a denormal addend is still exact, no flags)
  }
  const p = toF(a) * toF(b); // exact
  const z = toF(c);
  const s = p + z;
  if (s === 0) return zeroFor(true, 0);
  const bb = s - p;
  const e = p - (s - bb) + (z - bb);
  dArg[0] = s;
  return roundS(e > 0 ? 1 : e < 0 ? -1 : 0);
}

/** FPCompare: returns NZCV in bits 3:0 (0011 unordered, 0110 equal, 1000 less, 0010 greater). */
export function fpCompare(a: number, b: number, quietNaNExc: boolean): number {
  a = flush(a);
  b = flush(b);
  if (isNaNBits(a) || isNaNBits(b)) {
    if (quietNaNExc || isSNaNBits(a) || isSNaNBits(b)) fpst.fpscr |= FPSCR.IOC;
    return 0b0011;
  }
  const x = toF(a);
  const y = toF(b);
  if (x === y) return 0b0110;
  return x < y ? 0b1000 : 0b0010;
}

// ---- conversions ------------------------------------------------------------------------------------------

/**
 * FPToFixed: single to a `size`-bit (16 or 32) integer with `fbits` fraction bits, saturating (IOC, no IXC).
 * `roundZero` selects round toward zero, else the FPSCR mode. Returns the int32 result, sign/zero-extended.
 */
export function fpToFixed(a: number, size: number, fbits: number, unsigned: boolean, roundZero: boolean): number {
  a = flush(a);
  if (isNaNBits(a)) {
    fpst.fpscr |= FPSCR.IOC;
    return 0;
  }
  const x = toF(a) * 2 ** fbits; // exact (or ±Infinity)
  const mode = roundZero ? RZ : (fpst.fpscr >>> FPSCR.RMODE_SHIFT) & 3;
  let n = Math.floor(x);
  const err = x - n;
  if (err !== 0) {
    if (mode === RN) {
      if (err > 0.5 || (err === 0.5 && n % 2 !== 0)) n++;
    } else if (mode === RP || (mode === RZ && x < 0)) n++;
  }
  const max = unsigned ? 2 ** size - 1 : 2 ** (size - 1) - 1;
  const min = unsigned ? 0 : -(2 ** (size - 1));
  if (n > max || n < min) {
    fpst.fpscr |= FPSCR.IOC;
    n = n > max ? max : min;
  } else if (err !== 0) fpst.fpscr |= FPSCR.IXC;
  if (size === 16) return unsigned ? n & 0xffff : (n << 16) >> 16;
  return n | 0;
}

/** FixedToFP: a `size`-bit integer in `v` (low bits) with `fbits` fraction bits to single, FPSCR rounding. */
export function fixedToFp(v: number, size: number, fbits: number, unsigned: boolean): number {
  let n: number;
  if (size === 16) n = unsigned ? v & 0xffff : (v << 16) >> 16;
  else n = unsigned ? v >>> 0 : v | 0;
  if (n === 0) return 0;
  dArg[0] = n / 2 ** fbits; // exact in double
  return roundS(0);
}

/**
 * FPConvert single to half (IEEE, or the alternative format when AHP is set). Returns the 16-bit pattern.
 * FZ flushes a denormal single input (IDC) as FPUnpack does, but not a tiny half result.
 */
export function f32ToF16(a: number): number {
  const fpscr = fpst.fpscr;
  const ahp = (fpscr & FPSCR.AHP) !== 0;
  a = flush(a);
  const sign = (a >>> 16) & 0x8000;
  if (isNaNBits(a)) {
    if (ahp) {
      fpst.fpscr |= FPSCR.IOC;
      return sign; // no NaNs in the alternative format: a zero with the NaN's sign
    }
    if (isSNaNBits(a)) fpst.fpscr |= FPSCR.IOC;
    if ((fpscr & FPSCR.DN) !== 0) return 0x7e00;
    return sign | 0x7e00 | ((a >>> 13) & 0x1ff);
  }
  if ((a & 0x7fffffff) === INF_BITS) {
    if (ahp) {
      fpst.fpscr |= FPSCR.IOC;
      return sign | 0x7fff;
    }
    return sign | 0x7c00;
  }
  if ((a & 0x7fffffff) === 0) return sign;
  const x = Math.abs(toF(a));
  let mode = (fpscr >>> FPSCR.RMODE_SHIFT) & 3;
  if (mode === RP) mode = sign ? RZ : RP;
  else if (mode === RM) mode = sign ? RP : RZ;
  // FPRound for N=16: flush-to-zero never applies to half-precision results (only to single inputs).
  const tiny = x < 2 ** -14;
  // The exponent of x: from the single's bits (x is a single, possibly denormal).
  const e32 = (a >>> 23) & 0xff;
  const e = e32 === 0 ? -127 : e32 - 127;
  const ulpExp = (e < -14 ? -14 : e) - 10;
  const q = x * 2 ** -ulpExp; // exact
  let m = Math.floor(q);
  const err = q - m;
  if (err !== 0) {
    if (mode === RN) {
      if (err > 0.5 || (err === 0.5 && m % 2 !== 0)) m++;
    } else if (mode === RP) m++;
  }
  const v = m * 2 ** ulpExp;
  if (ahp ? v >= 2 ** 17 : v >= 2 ** 16) {
    if (ahp) {
      fpst.fpscr |= FPSCR.IOC; // saturates, no inexact
      return sign | 0x7fff;
    }
    fpst.fpscr |= FPSCR.OFC | FPSCR.IXC;
    return sign | (mode === RZ ? 0x7bff : 0x7c00);
  }
  if (err !== 0) fpst.fpscr |= tiny ? FPSCR.IXC | FPSCR.UFC : FPSCR.IXC;
  if (m === 0) return sign;
  if (v < 2 ** -14) return sign | m; // subnormal: units of 2^-24
  let ex = ulpExp + 10;
  if (m >= 2048) {
    m >>>= 1;
    ex++;
  }
  return sign | ((ex + 15) << 10) | (m & 0x3ff);
}

/** FPConvert half (IEEE, or alternative when AHP) to single. Half inputs are never flushed. */
export function f16ToF32(h: number): number {
  const fpscr = fpst.fpscr;
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0x1f && (fpscr & FPSCR.AHP) === 0) {
    if (frac === 0) return sign | INF_BITS;
    if ((frac & 0x200) === 0) fpst.fpscr |= FPSCR.IOC;
    if ((fpscr & FPSCR.DN) !== 0) return DEFAULT_NAN;
    return sign | 0x7fc00000 | (frac << 13);
  }
  if (exp === 0) {
    if (frac === 0) return sign;
    return sign | toBits(frac * 2 ** -24);
  }
  return sign | ((exp - 15 + 127) << 23) | (frac << 13);
}

/** VFPExpandImm for single precision. */
export function vfpExpandImm32(imm8: number): number {
  const b6 = (imm8 >>> 6) & 1;
  return (((imm8 & 0x80) << 24) | ((b6 ^ 1) << 30) | (b6 ? 0x1f << 25 : 0) | (((imm8 >>> 4) & 3) << 23) | ((imm8 & 0xf) << 19)) | 0;
}
