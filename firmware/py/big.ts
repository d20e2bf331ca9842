// Arbitrary-precision ints: sign + magnitude in 32-bit limbs (little-endian). Layout: sign @4 (0/1),
// limb count @8, limbs @12. Results that fit a small int are returned as small ints.
import { V, NULL, T_BIG, alloc, isSmall, smallVal, mkSmall, typeOf, TRUE } from './obj';
import { memError, raise, excType, EXC_ZERODIV, EXC_VALUEERROR } from './rt';
import { Out } from './out';

class Num {
  neg: bool;
  mag: Array<u32>;
  constructor(neg: bool, mag: Array<u32>) {
    this.neg = neg;
    this.mag = mag;
  }
}

function trim(m: Array<u32>): Array<u32> {
  while (m.length > 0 && m[m.length - 1] == 0) m.pop();
  return m;
}

function numOf(v: V): Num {
  if (isSmall(v) || typeOf(v) != T_BIG) {
    const x: i64 = isSmall(v) ? <i64>smallVal(v) : v == TRUE ? 1 : 0;
    return fromI64(x);
  }
  const n = load<i32>(v + 8);
  const m = new Array<u32>(n);
  for (let i = 0; i < n; i++) m[i] = load<u32>(v + 12 + (<usize>i << 2));
  return new Num(load<i32>(v + 4) != 0, m);
}

function fromI64(x: i64): Num {
  const neg = x < 0;
  const u: u64 = neg ? <u64>-x : <u64>x;
  const m: Array<u32> = [];
  if (u != 0) {
    m.push(<u32>u);
    if (u >> 32) m.push(<u32>(u >> 32));
  }
  return new Num(neg, m);
}

function make(neg: bool, m: Array<u32>): V {
  trim(m);
  if (m.length == 0) return mkSmall(0);
  if (m.length == 1 && m[0] <= 0x40000000) {
    const x = <i64>m[0];
    const s = neg ? -x : x;
    if (s >= -0x40000000 && s <= 0x3fffffff) return mkSmall(<i32>s);
  }
  const n = m.length;
  const o = alloc(T_BIG, 12 + (<usize>n << 2));
  if (o == NULL) return memError();
  store<i32>(o + 4, neg ? 1 : 0);
  store<i32>(o + 8, n);
  for (let i = 0; i < n; i++) store<u32>(o + 12 + (<usize>i << 2), m[i]);
  return o;
}

export function bigFromI64(x: i64): V {
  const n = fromI64(x);
  return make(n.neg, n.mag);
}

function cmpMag(a: Array<u32>, b: Array<u32>): i32 {
  if (a.length != b.length) return a.length < b.length ? -1 : 1;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}
function addMag(a: Array<u32>, b: Array<u32>): Array<u32> {
  const r: Array<u32> = [];
  let c: u64 = 0;
  const n = a.length > b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const s = <u64>(i < a.length ? a[i] : 0) + <u64>(i < b.length ? b[i] : 0) + c;
    r.push(<u32>s);
    c = s >> 32;
  }
  if (c) r.push(<u32>c);
  return r;
}
/** a - b with |a| >= |b| */
function subMag(a: Array<u32>, b: Array<u32>): Array<u32> {
  const r: Array<u32> = [];
  let borrow: i64 = 0;
  for (let i = 0; i < a.length; i++) {
    let d = <i64>a[i] - <i64>(i < b.length ? b[i] : 0) - borrow;
    borrow = 0;
    if (d < 0) {
      d += 0x100000000;
      borrow = 1;
    }
    r.push(<u32>d);
  }
  return trim(r);
}
function mulMag(a: Array<u32>, b: Array<u32>): Array<u32> {
  const r = new Array<u32>(a.length + b.length);
  for (let i = 0; i < r.length; i++) r[i] = 0;
  for (let i = 0; i < a.length; i++) {
    let c: u64 = 0;
    const ai = <u64>a[i];
    for (let j = 0; j < b.length; j++) {
      const t = ai * <u64>b[j] + <u64>r[i + j] + c;
      r[i + j] = <u32>t;
      c = t >> 32;
    }
    let k = i + b.length;
    while (c) {
      const t = <u64>r[k] + c;
      r[k] = <u32>t;
      c = t >> 32;
      k++;
    }
  }
  return trim(r);
}
let remSmall: u32 = 0;
function divSmall(a: Array<u32>, d: u32): Array<u32> {
  const q = new Array<u32>(a.length);
  let r: u64 = 0;
  for (let i = a.length - 1; i >= 0; i--) {
    const cur = (r << 32) | <u64>a[i];
    q[i] = <u32>(cur / <u64>d);
    r = cur % <u64>d;
  }
  remSmall = <u32>r;
  return trim(q);
}
function bitLength(a: Array<u32>): i32 {
  if (a.length == 0) return 0;
  return (a.length - 1) * 32 + (32 - <i32>clz(a[a.length - 1]));
}
function shlMag(a: Array<u32>, s: i32): Array<u32> {
  const words = s >> 5;
  const bits = s & 31;
  const r: Array<u32> = [];
  for (let i = 0; i < words; i++) r.push(0);
  let c: u32 = 0;
  for (let i = 0; i < a.length; i++) {
    r.push(bits ? (a[i] << bits) | c : a[i]);
    c = bits ? a[i] >> (32 - bits) : 0;
  }
  if (c) r.push(c);
  return trim(r);
}
function shrMag(a: Array<u32>, s: i32): Array<u32> {
  const words = s >> 5;
  const bits = s & 31;
  const r: Array<u32> = [];
  for (let i = words; i < a.length; i++) {
    const hi: u32 = i + 1 < a.length ? a[i + 1] : 0;
    r.push(bits ? (a[i] >> bits) | (hi << (32 - bits)) : a[i]);
  }
  return trim(r);
}
let remMag: Array<u32> = [];
/** Truncating division of magnitudes (shift-subtract; fine for the sizes scripts use). */
function divMag(a: Array<u32>, b: Array<u32>): Array<u32> {
  if (b.length == 1) {
    const q = divSmall(a, b[0]);
    remMag = remSmall ? [remSmall] : [];
    return q;
  }
  if (cmpMag(a, b) < 0) {
    remMag = a.slice(0);
    return [];
  }
  const nb = bitLength(a);
  const q = new Array<u32>(a.length);
  for (let i = 0; i < q.length; i++) q[i] = 0;
  let r: Array<u32> = [];
  for (let i = nb - 1; i >= 0; i--) {
    r = shlMag(r, 1);
    if ((a[i >> 5] >> (i & 31)) & 1) {
      if (r.length == 0) r.push(1);
      else r[0] |= 1;
    }
    if (cmpMag(r, b) >= 0) {
      r = subMag(r, b);
      q[i >> 5] |= 1 << (i & 31);
    }
  }
  remMag = r;
  return trim(q);
}

export function bigAdd(x: V, y: V): V {
  const a = numOf(x);
  const b = numOf(y);
  if (a.neg == b.neg) return make(a.neg, addMag(a.mag, b.mag));
  const c = cmpMag(a.mag, b.mag);
  if (c == 0) return mkSmall(0);
  return c > 0 ? make(a.neg, subMag(a.mag, b.mag)) : make(b.neg, subMag(b.mag, a.mag));
}
export function bigNeg(x: V): V {
  const a = numOf(x);
  return make(!a.neg, a.mag);
}
export function bigSub(x: V, y: V): V {
  const b = numOf(y);
  const a = numOf(x);
  const nb = new Num(!b.neg, b.mag);
  if (a.neg == nb.neg) return make(a.neg, addMag(a.mag, nb.mag));
  const c = cmpMag(a.mag, nb.mag);
  if (c == 0) return mkSmall(0);
  return c > 0 ? make(a.neg, subMag(a.mag, nb.mag)) : make(nb.neg, subMag(nb.mag, a.mag));
}
export function bigMul(x: V, y: V): V {
  const a = numOf(x);
  const b = numOf(y);
  return make(a.neg != b.neg, mulMag(a.mag, b.mag));
}
/** Floor division (mod: false) or modulo (mod: true) with Python's sign rules. */
export function bigDivMod(x: V, y: V, mod: bool): V {
  const a = numOf(x);
  const b = numOf(y);
  if (b.mag.length == 0) {
    return raise(excType(EXC_ZERODIV), mod ? 'integer modulo by zero' : 'integer division by zero');
  }
  let q = divMag(a.mag, b.mag);
  let r = remMag;
  const rZero = r.length == 0;
  if (a.neg != b.neg && !rZero) {
    q = addMag(q, [1]);
    r = subMag(b.mag, r);
  }
  if (mod) return make(b.neg, r);
  return make(a.neg != b.neg, q);
}
export function bigCmp(x: V, y: V): i32 {
  const a = numOf(x);
  const b = numOf(y);
  const za = a.mag.length == 0;
  const zb = b.mag.length == 0;
  if (za && zb) return 0;
  if (a.neg != b.neg) return a.neg ? -1 : 1;
  const c = cmpMag(a.mag, b.mag);
  return a.neg ? -c : c;
}
export function bigEq(x: V, y: V): bool {
  // floats are handled by the caller
  return bigCmp(x, y) == 0;
}
export function bigHash(v: V): i32 {
  const n = load<i32>(v + 8);
  let h: u32 = load<i32>(v + 4) ? 7 : 3;
  for (let i = 0; i < n; i++) h = (h ^ load<u32>(v + 12 + (<usize>i << 2))) * 1000003;
  return <i32>(h & 0x3fffffff);
}
export function bigToF64(v: V): f64 {
  const a = numOf(v);
  let r: f64 = 0;
  for (let i = a.mag.length - 1; i >= 0; i--) r = r * 4294967296.0 + <f64>a.mag[i];
  return a.neg ? -r : r;
}
export function bigFromF64(x: f64): V {
  const neg = x < 0;
  let f = Math.floor(Math.abs(x));
  const m: Array<u32> = [];
  while (f >= 1) {
    const limb = f % 4294967296.0;
    m.push(<u32>limb);
    f = Math.floor(f / 4294967296.0);
  }
  return make(neg, m);
}
/** Parses digits (no sign, no prefix, no underscores) in `base`. */
export function bigFromDigits(s: string, base: i32): V {
  let m: Array<u32> = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const d = c <= 57 ? c - 48 : (c | 32) - 87;
    // m = m * base + d
    let carry: u64 = <u64>d;
    for (let j = 0; j < m.length; j++) {
      const t = <u64>m[j] * <u64>base + carry;
      m[j] = <u32>t;
      carry = t >> 32;
    }
    if (carry) m.push(<u32>carry);
  }
  m = trim(m);
  return make(false, m);
}
export function bigToOut(v: V, o: Out, base: i32): void {
  const a = numOf(v);
  if (a.neg && a.mag.length) o.byte(45);
  if (base == 16) o.str('0x');
  else if (base == 8) o.str('0o');
  else if (base == 2) o.str('0b');
  if (a.mag.length == 0) {
    o.byte(48);
    return;
  }
  const digits: Array<u8> = [];
  let m = a.mag;
  const chunk: u32 = base == 10 ? 1000000000 : base == 16 ? 0x10000000 : base == 8 ? 0x40000000 : 0x40000000;
  const per = base == 10 ? 9 : base == 16 ? 7 : base == 8 ? 10 : 30;
  while (m.length) {
    m = divSmall(m, chunk);
    let r = remSmall;
    for (let k = 0; k < per; k++) {
      const d = r % <u32>base;
      digits.push(<u8>(d < 10 ? 48 + d : 87 + d));
      r /= <u32>base;
      if (m.length == 0 && r == 0) break;
    }
  }
  for (let i = digits.length - 1; i >= 0; i--) o.byte(digits[i]);
}

// Two's complement helpers for the bitwise operators.
function toTwos(a: Num, n: i32): Array<u32> {
  const r = new Array<u32>(n);
  for (let i = 0; i < n; i++) r[i] = i < a.mag.length ? a.mag[i] : 0;
  if (a.neg) {
    let c: u64 = 1;
    for (let i = 0; i < n; i++) {
      const t = <u64>~r[i] + c;
      r[i] = <u32>t;
      c = t >> 32;
    }
  }
  return r;
}
function fromTwos(r: Array<u32>): V {
  const n = r.length;
  const neg = n > 0 && (r[n - 1] >> 31) != 0;
  if (neg) {
    let c: u64 = 1;
    for (let i = 0; i < n; i++) {
      const t = <u64>~r[i] + c;
      r[i] = <u32>t;
      c = t >> 32;
    }
  }
  return make(neg, r);
}
/** op: 0 and, 1 or, 2 xor */
export function bigBitop(x: V, y: V, op: i32): V {
  const a = numOf(x);
  const b = numOf(y);
  const n = (a.mag.length > b.mag.length ? a.mag.length : b.mag.length) + 1;
  const ta = toTwos(a, n);
  const tb = toTwos(b, n);
  for (let i = 0; i < n; i++) ta[i] = op == 0 ? ta[i] & tb[i] : op == 1 ? ta[i] | tb[i] : ta[i] ^ tb[i];
  return fromTwos(ta);
}
export function bigInvert(x: V): V {
  // ~x == -x - 1
  return bigSub(bigNeg(x), mkSmall(1));
}
export function bigShift(x: V, s: i32, left: bool): V {
  const a = numOf(x);
  if (left) return make(a.neg, shlMag(a.mag, s));
  if (!a.neg) return make(false, shrMag(a.mag, s));
  // floor for negatives: -((|a| - 1) >> s) - 1
  const m1 = subMag(a.mag, [1]);
  return make(true, addMag(shrMag(m1, s), [1]));
}
export function bigPow(x: V, e: i32): V {
  let base = numOf(x);
  let r = new Num(false, [1]);
  let k = e;
  while (k > 0) {
    if (k & 1) r = new Num(r.neg != base.neg, mulMag(r.mag, base.mag));
    k >>= 1;
    if (k) base = new Num(false, mulMag(base.mag, base.mag));
  }
  return make(r.neg, r.mag);
}
export function bigIsNeg(v: V): bool {
  return numOf(v).neg;
}
export function bigFits64(v: V): bool {
  return bitLength(numOf(v).mag) < 64;
}
export function bigToI64(v: V): i64 {
  const a = numOf(v);
  let u: u64 = 0;
  if (a.mag.length > 0) u = <u64>a.mag[0];
  if (a.mag.length > 1) u |= (<u64>a.mag[1]) << 32;
  return a.neg ? -<i64>u : <i64>u;
}
export function bigParse(s: string, base: i32): V {
  let neg = false;
  let t = s.trim().replaceAll('_', '');
  if (t.startsWith('-')) {
    neg = true;
    t = t.substring(1);
  } else if (t.startsWith('+')) t = t.substring(1);
  if (base == 16 && (t.startsWith('0x') || t.startsWith('0X'))) t = t.substring(2);
  if (base == 8 && (t.startsWith('0o') || t.startsWith('0O'))) t = t.substring(2);
  if (base == 2 && (t.startsWith('0b') || t.startsWith('0B'))) t = t.substring(2);
  if (base == 0) {
    base = 10;
    if (t.startsWith('0x') || t.startsWith('0X')) {
      base = 16;
      t = t.substring(2);
    } else if (t.startsWith('0o') || t.startsWith('0O')) {
      base = 8;
      t = t.substring(2);
    } else if (t.startsWith('0b') || t.startsWith('0B')) {
      base = 2;
      t = t.substring(2);
    }
  }
  if (t.length == 0) return NULL;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    const d = c <= 57 && c >= 48 ? c - 48 : c >= 65 ? (c | 32) - 87 : 99;
    if (d < 0 || d >= base) return NULL;
  }
  const v = bigFromDigits(t, base);
  if (v == NULL) return NULL;
  return neg ? bigNeg(v) : v;
}
export function raiseBadInt(s: string, base: i32): V {
  return raise(excType(EXC_VALUEERROR), 'invalid literal for int() with base ' + base.toString() + ": '" + s + "'");
}

// ---------------------------------------------------------------------------------------------------------
// Exact decimal conversion of doubles (repr, %f, %e): big-integer arithmetic on the binary value.

let fMant: u64 = 0;
let fExp: i32 = 0;
function splitF64(x: f64): void {
  const bits = reinterpret<u64>(x);
  let e = <i32>((bits >> 52) & 0x7ff);
  let m = bits & 0xfffffffffffff;
  if (e == 0) e = 1;
  else m |= (<u64>1) << 52;
  fMant = m;
  fExp = e - 1075;
}
function magU64(u: u64): Array<u32> {
  const m: Array<u32> = [];
  if (u) m.push(<u32>u);
  if (u >> 32) m.push(<u32>(u >> 32));
  return m;
}
function pow10Mag(k: i32): Array<u32> {
  let m: Array<u32> = [1];
  let left = k;
  while (left > 0) {
    const step = left >= 9 ? 9 : left;
    let f: u32 = 1;
    for (let i = 0; i < step; i++) f *= 10;
    m = mulMag(m, [f]);
    left -= step;
  }
  return m;
}
/** round(x * 10^k), half to even, for finite x >= 0. */
function scaledRound(x: f64, k: i32): Array<u32> {
  splitF64(x);
  let num = magU64(fMant);
  let den: Array<u32> = [1];
  if (fExp >= 0) num = shlMag(num, fExp);
  else den = shlMag(den, -fExp);
  if (k >= 0) num = mulMag(num, pow10Mag(k));
  else den = mulMag(den, pow10Mag(-k));
  const q = divMag(num, den);
  const r = remMag;
  const c = cmpMag(shlMag(r, 1), den);
  if (c > 0 || (c == 0 && q.length > 0 && (q[0] & 1) != 0)) return addMag(q, [1]);
  return q;
}
function magDec(m: Array<u32>): string {
  if (m.length == 0) return '0';
  let s = '';
  let cur = m;
  while (cur.length) {
    cur = divSmall(cur, 1000000000);
    let chunk = remSmall.toString();
    if (cur.length) while (chunk.length < 9) chunk = '0' + chunk;
    s = chunk + s;
  }
  return s;
}
/** Does D * 10^-k round to the double x (x = fMant * 2^fExp set by splitF64)? */
function roundTrips(d: Array<u32>, k: i32): bool {
  const even = (fMant & 1) == 0;
  // upper midpoint (2M+1) * 2^(E-1)
  if (cmpScaled(d, k, addMag(shlMag(magU64(fMant), 1), [1]), fExp - 1) > (even ? 0 : -1)) return false;
  const lowerCloser = fMant == (<u64>1) << 52 && fExp > -1074;
  const lo = lowerCloser ? subMag(shlMag(magU64(fMant), 2), [1]) : subMag(shlMag(magU64(fMant), 1), [1]);
  const c = cmpScaled(d, k, lo, lowerCloser ? fExp - 2 : fExp - 1);
  return even ? c >= 0 : c > 0;
}
/** Compares D * 10^-k with N * 2^f. */
function cmpScaled(d: Array<u32>, k: i32, n: Array<u32>, f: i32): i32 {
  let left = d;
  let right = n;
  if (k > 0) right = mulMag(right, pow10Mag(k));
  else if (k < 0) left = mulMag(left, pow10Mag(-k));
  if (f > 0) right = shlMag(right, f);
  else if (f < 0) left = shlMag(left, -f);
  return cmpMag(left, right);
}

/** Decimal exponent of the first digit from the last shortestDigits/sigDigits call. */
export let decExp: i32 = 0;

/** The shortest digit string that reads back as x (finite, > 0); sets decExp. */
export function shortestDigits(x: f64): string {
  const e10 = <i32>Math.floor(Math.log10(x));
  for (let n = 1; n <= 17; n++) {
    const k = n - 1 - e10;
    const d = scaledRound(x, k);
    if (n == 17 || roundTrips(d, k)) {
      const s = magDec(d);
      decExp = s.length - 1 - k;
      let end = s.length;
      while (end > 1 && s.charCodeAt(end - 1) == 48) end--;
      return s.substring(0, end);
    }
  }
  return '0';
}

/** x (finite, >= 0) rounded to p digits after the point, exactly. */
export function fixedDigits(x: f64, p: i32): string {
  let s = magDec(scaledRound(x, p));
  if (p == 0) return s;
  while (s.length <= p) s = '0' + s;
  return s.substring(0, s.length - p) + '.' + s.substring(s.length - p);
}

/** x (finite, > 0) rounded to n significant digits; sets decExp. */
export function sigDigits(x: f64, n: i32): string {
  let e10 = <i32>Math.floor(Math.log10(x));
  for (let tries = 0; tries < 3; tries++) {
    const s = magDec(scaledRound(x, n - 1 - e10));
    if (s.length == n) {
      decExp = e10;
      return s;
    }
    if (s.length > n) {
      // 9.99 → 10.0: one more digit than asked, or the estimate was low
      if (s.length == n + 1 && s.charCodeAt(s.length - 1) == 48 && tries > 0) {
        decExp = e10 + 1;
        return s.substring(0, n);
      }
      e10++;
    } else e10--;
  }
  const s = magDec(scaledRound(x, n - 1 - e10));
  decExp = e10 + s.length - n;
  return s.substring(0, n);
}
