// Operators, subscripts, iteration and text conversion of the builtin types.
import {
  V, NULL, NONE, TRUE, FALSE, STOP, DELETED, typeOf, field, setField, isSmall, smallVal, mkSmall, mkBool,
  alloc, pushTemp, popTemp, fitsSmall, T_INT, T_BOOL, T_FLOAT, T_BIG, T_STR, T_BYTES, T_BYTEARRAY, T_TUPLE,
  T_LIST, T_DICT, T_SET, T_RANGE, T_ITER, T_INST, T_SLICE, T_CLASS, T_FUNC, T_NATIVE, T_BOUND, T_MODULE,
  T_NONE, T_CELL, T_CODE, T_PROPERTY,
  T_GEN,
} from './obj';
import * as O from './opcodes';
import {
  raise, raiseType, excType, typeName, newFloat, fval, toF64, smallOf, newStr, newStrLen, sdata, slen,
  newTuple, tupleSet, tlen, titem, newList, listAppend, llen, litem, litems, lset, setLlen, listReserve,
  dictGet, dictSet, dictDel, dictHas, lookupError, dlen, dused, dkey, dval, equals, truthy, bufData, bufLen,
  newBytearray, seqItems, seqLen, utf8Count, utf8Offset, isAscii, strFromOut, className, EXC_ZERODIV,
  EXC_INDEXERROR, EXC_KEYERROR, EXC_OVERFLOW, EXC_STOPITERATION, classOf, pendingExc, setPending,
  NOT_IMPLEMENTED, spName, SP_ITER, SP_NEXT, SP_GETITEM, SP_SETITEM, SP_DELITEM, SP_CONTAINS, SP_LEN, SP_REPR,
  SP_STR, newDictT, strFrom, tupleFrom, raiseValue, strEq,
} from './rt';
import {
  bigAdd, bigSub, bigMul, bigDivMod, bigCmp, bigNeg, bigToOut, bigBitop, bigInvert, bigShift, bigPow,
  bigFromI64, bigIsNeg, bigToF64, shortestDigits, decExp, fixedDigits, sigDigits, bigFromF64,
} from './big';
import { call0, call1, call2, lookupSpecial, isInstance, classLookup, resume } from './vm';
import { Out } from './out';

// ---------------------------------------------------------------------------------------------------------
// Numbers

function isIntLike(t: i32): bool {
  return t == T_INT || t == T_BOOL || t == T_BIG;
}

function floatResult(x: f64): V {
  return newFloat(x);
}

function pyFloorDiv(a: f64, b: f64): f64 {
  return Math.floor(a / b);
}
function pyFmod(a: f64, b: f64): f64 {
  let m = a % b;
  if (m != 0 && (m < 0) != (b < 0)) m += b;
  return m;
}

const INSTANCE_OPS: StaticArray<string> = [
  '__add__', '__sub__', '__mul__', '__truediv__', '__floordiv__', '__mod__', '__pow__', '__lshift__',
  '__rshift__', '__and__', '__or__', '__xor__', '__matmul__',
];
const INSTANCE_ROPS: StaticArray<string> = [
  '__radd__', '__rsub__', '__rmul__', '__rtruediv__', '__rfloordiv__', '__rmod__', '__rpow__', '__rlshift__',
  '__rrshift__', '__rand__', '__ror__', '__rxor__', '__rmatmul__',
];
const INSTANCE_IOPS: StaticArray<string> = [
  '__iadd__', '__isub__', '__imul__', '__itruediv__', '__ifloordiv__', '__imod__', '__ipow__', '__ilshift__',
  '__irshift__', '__iand__', '__ior__', '__ixor__', '__imatmul__',
];
const OP_SYMBOLS: StaticArray<string> = ['+', '-', '*', '/', '//', '%', '**', '<<', '>>', '&', '|', '^', '@'];

import { internAS } from './rt';

function intOp(op: i32, a: V, b: V): V {
  if (isSmall(a) && isSmall(b) || (!isSmall(a) && typeOf(a) == T_BOOL) || (!isSmall(b) && typeOf(b) == T_BOOL)) {
    if (typeOf(a) != T_BIG && typeOf(b) != T_BIG) {
      const x = <i64>smallOf(a);
      const y = <i64>smallOf(b);
      switch (op) {
        case O.BIN_ADD: return fromI64(x + y);
        case O.BIN_SUB: return fromI64(x - y);
        case O.BIN_MUL: return fromI64(x * y);
        case O.BIN_FLOORDIV:
        case O.BIN_MOD: {
          if (y == 0) return raise(excType(EXC_ZERODIV), op == O.BIN_MOD ? 'integer modulo by zero' : 'integer division by zero');
          let q = x / y;
          let r = x % y;
          if (r != 0 && (r < 0) != (y < 0)) {
            q -= 1;
            r += y;
          }
          return fromI64(op == O.BIN_MOD ? r : q);
        }
        case O.BIN_AND: return fromI64(x & y);
        case O.BIN_OR: return fromI64(x | y);
        case O.BIN_XOR: return fromI64(x ^ y);
        case O.BIN_LSHIFT:
          if (y < 0) return raiseValue('negative shift count');
          if (y < 32) return fromI64(x << y);
          return bigShift(a, <i32>y, true);
        case O.BIN_RSHIFT:
          if (y < 0) return raiseValue('negative shift count');
          return fromI64(y >= 63 ? (x < 0 ? -1 : 0) : x >> y);
        default:
          break;
      }
    }
  }
  switch (op) {
    case O.BIN_ADD: return bigAdd(a, b);
    case O.BIN_SUB: return bigSub(a, b);
    case O.BIN_MUL: return bigMul(a, b);
    case O.BIN_FLOORDIV: return bigDivMod(a, b, false);
    case O.BIN_MOD: return bigDivMod(a, b, true);
    case O.BIN_AND: return bigBitop(a, b, 0);
    case O.BIN_OR: return bigBitop(a, b, 1);
    case O.BIN_XOR: return bigBitop(a, b, 2);
    case O.BIN_LSHIFT:
    case O.BIN_RSHIFT: {
      if (!isSmall(b) && typeOf(b) == T_BIG) return raise(excType(EXC_OVERFLOW), 'shift count too large');
      const y = smallOf(b);
      if (y < 0) return raiseValue('negative shift count');
      return bigShift(a, y, op == O.BIN_LSHIFT);
    }
    case O.BIN_POW: {
      if (typeOf(b) == T_BIG) return raise(excType(EXC_OVERFLOW), 'exponent too large');
      const e = smallOf(b);
      if (e < 0) return floatResult(Math.pow(toF64(a), <f64>e));
      return bigPow(a, e);
    }
    case O.BIN_TRUEDIV: {
      const y = toF64(b);
      if (y == 0) return raise(excType(EXC_ZERODIV), 'division by zero');
      return floatResult(toF64(a) / y);
    }
  }
  return NULL;
}

export function fromI64(x: i64): V {
  if (fitsSmall(x)) return mkSmall(<i32>x);
  return bigFromI64(x);
}

function floatOp(op: i32, x: f64, y: f64): V {
  switch (op) {
    case O.BIN_ADD: return floatResult(x + y);
    case O.BIN_SUB: return floatResult(x - y);
    case O.BIN_MUL: return floatResult(x * y);
    case O.BIN_TRUEDIV:
      if (y == 0) return raise(excType(EXC_ZERODIV), 'float division by zero');
      return floatResult(x / y);
    case O.BIN_FLOORDIV:
      if (y == 0) return raise(excType(EXC_ZERODIV), 'float divmod()');
      return floatResult(pyFloorDiv(x, y));
    case O.BIN_MOD:
      if (y == 0) return raise(excType(EXC_ZERODIV), 'float modulo');
      return floatResult(pyFmod(x, y));
    case O.BIN_POW:
      if (x == 0 && y < 0) return raise(excType(EXC_ZERODIV), '0.0 cannot be raised to a negative power');
      return floatResult(Math.pow(x, y));
  }
  return NULL;
}

export function binaryOp(op: i32, a: V, b: V, inplace: bool): V {
  const ta = typeOf(a);
  const tb = typeOf(b);
  if (isIntLike(ta) && isIntLike(tb)) {
    const r = intOp(op, a, b);
    if (r != NULL || pendingExc() != NONE) return r;
  }
  if ((ta == T_FLOAT || isIntLike(ta)) && (tb == T_FLOAT || isIntLike(tb))) {
    const r = floatOp(op, toF64(a), toF64(b));
    if (r != NULL || pendingExc() != NONE) return r;
  }
  if (ta == T_INST || tb == T_INST) {
    if (ta == T_INST) {
      if (inplace) {
        const m = lookupSpecialName(a, INSTANCE_IOPS[op]);
        if (m != NULL) {
          const r = call1(m, b);
          if (r != NOT_IMPLEMENTED()) return r;
        }
      }
      const m = lookupSpecialName(a, INSTANCE_OPS[op]);
      if (m != NULL) {
        const r = call1(m, b);
        if (r != NOT_IMPLEMENTED()) return r;
      }
    }
    if (tb == T_INST) {
      const m = lookupSpecialName(b, INSTANCE_ROPS[op]);
      if (m != NULL) {
        const r = call1(m, a);
        if (r != NOT_IMPLEMENTED()) return r;
      }
    }
  }
  switch (op) {
    case O.BIN_ADD:
      if (ta == T_STR && tb == T_STR) {
        const n = slen(a) + slen(b);
        const s = newStrLen(T_STR, n);
        if (s == NULL) return NULL;
        memory.copy(sdata(s), sdata(a), <usize>slen(a));
        memory.copy(sdata(s) + <usize>slen(a), sdata(b), <usize>slen(b));
        return s;
      }
      if ((ta == T_BYTES || ta == T_BYTEARRAY) && (tb == T_BYTES || tb == T_BYTEARRAY)) {
        const n = bufLen(a) + bufLen(b);
        const s = ta == T_BYTES ? newStrLen(T_BYTES, n) : newBytearray(n);
        if (s == NULL) return NULL;
        memory.copy(bufData(s), bufData(a), <usize>bufLen(a));
        memory.copy(bufData(s) + <usize>bufLen(a), bufData(b), <usize>bufLen(b));
        return s;
      }
      if (ta == T_LIST && tb == T_LIST) {
        if (inplace) {
          for (let i = 0; i < llen(b); i++) if (!listAppend(a, litem(b, i))) return NULL;
          return a;
        }
        const n = llen(a) + llen(b);
        const l = newList(n);
        if (l == NULL) return NULL;
        memory.copy(litems(l), litems(a), <usize>llen(a) << 2);
        memory.copy(litems(l) + (<usize>llen(a) << 2), litems(b), <usize>llen(b) << 2);
        setLlen(l, n);
        return l;
      }
      if (ta == T_LIST && inplace) {
        if (!extendFromIter(a, b)) return NULL;
        return a;
      }
      if (ta == T_TUPLE && tb == T_TUPLE) {
        const n = tlen(a) + tlen(b);
        const t = newTuple(n);
        if (t == NULL) return NULL;
        memory.copy(<usize>t + 8, <usize>a + 8, <usize>tlen(a) << 2);
        memory.copy(<usize>t + 8 + (<usize>tlen(a) << 2), <usize>b + 8, <usize>tlen(b) << 2);
        return t;
      }
      break;
    case O.BIN_MUL: {
      if (isIntLike(ta) && (tb == T_STR || tb == T_LIST || tb == T_TUPLE || tb == T_BYTES || tb == T_BYTEARRAY)) return repeat(b, a);
      if (isIntLike(tb) && (ta == T_STR || ta == T_LIST || ta == T_TUPLE || ta == T_BYTES || ta == T_BYTEARRAY)) return repeat(a, b);
      break;
    }
    case O.BIN_MOD:
      if (ta == T_STR) return percentFormat(a, b);
      break;
    case O.BIN_AND:
    case O.BIN_OR:
    case O.BIN_XOR:
    case O.BIN_SUB:
      if (ta == T_SET && tb == T_SET) return setOp(op, a, b);
      if (ta == T_DICT && tb == T_DICT && op == O.BIN_OR) {
        const d = pushTemp(newDictT(T_DICT));
        for (let i = 0; i < dused(a); i++) if (dkey(a, i) != DELETED) dictSet(d, dkey(a, i), dval(a, i));
        for (let i = 0; i < dused(b); i++) if (dkey(b, i) != DELETED) dictSet(d, dkey(b, i), dval(b, i));
        popTemp(1);
        return d;
      }
      break;
  }
  return raiseType(
    'unsupported operand type(s) for ' + OP_SYMBOLS[op] + (inplace ? '=' : '') + ": '" + typeName(a) + "' and '" + typeName(b) + "'",
  );
}

function lookupSpecialName(v: V, name: string): V {
  const m = classLookup(field(v, 0), internAS(name));
  if (m == NULL) return NULL;
  return call0 == null ? NULL : bindMethod(v, m);
}
import { newBound } from './rt';
function bindMethod(self: V, m: V): V {
  const t = typeOf(m);
  if (t == T_FUNC || t == T_NATIVE) return newBound(self, m);
  return m;
}

/** Appends every item `x` iterates over to list `l`; false with the exception pending on failure. */
export function extendFromIter(l: V, x: V): bool {
  const it = pushTemp(getIter(x));
  if (it == NULL) {
    popTemp(1);
    return false;
  }
  for (;;) {
    const v = iterNext(it);
    if (v == NULL) {
      popTemp(1);
      return false;
    }
    if (v == STOP) break;
    if (!listAppend(l, v)) {
      popTemp(1);
      return false;
    }
  }
  popTemp(1);
  return true;
}

function repeat(seq: V, nv: V): V {
  let n = typeOf(nv) == T_BIG ? (bigIsNeg(nv) ? 0 : 0x7fffffff) : smallOf(nv);
  if (n < 0) n = 0;
  const t = typeOf(seq);
  if (t == T_STR || t == T_BYTES || t == T_BYTEARRAY) {
    const len = bufLen(seq);
    if (<i64>len * <i64>n > 0x10000000) return raise(excType(11), 'memory allocation failed');
    const total = len * n;
    const s = t == T_BYTEARRAY ? newBytearray(total) : newStrLen(t, total);
    if (s == NULL) return NULL;
    for (let i = 0; i < n; i++) memory.copy(bufData(s) + <usize>(i * len), bufData(seq), <usize>len);
    return s;
  }
  const len = seqLen(seq);
  const total = len * n;
  if (t == T_TUPLE) {
    const r = newTuple(total);
    if (r == NULL) return NULL;
    for (let i = 0; i < n; i++) memory.copy(<usize>r + 8 + (<usize>(i * len) << 2), <usize>seq + 8, <usize>len << 2);
    return r;
  }
  const r = newList(total);
  if (r == NULL) return NULL;
  for (let i = 0; i < n; i++) memory.copy(litems(r) + (<usize>(i * len) << 2), litems(seq), <usize>len << 2);
  setLlen(r, total);
  return r;
}

function setOp(op: i32, a: V, b: V): V {
  const r = pushTemp(newDictT(T_SET));
  if (r == NULL) {
    popTemp(1);
    return NULL;
  }
  if (op == O.BIN_OR) {
    for (let i = 0; i < dused(a); i++) if (dkey(a, i) != DELETED) dictSet(r, dkey(a, i), NONE);
    for (let i = 0; i < dused(b); i++) if (dkey(b, i) != DELETED) dictSet(r, dkey(b, i), NONE);
  } else {
    for (let i = 0; i < dused(a); i++) {
      const k = dkey(a, i);
      if (k == DELETED) continue;
      const inB = dictHas(b, k) == 1;
      if ((op == O.BIN_AND && inB) || (op == O.BIN_SUB && !inB) || (op == O.BIN_XOR && !inB)) dictSet(r, k, NONE);
    }
    if (op == O.BIN_XOR) {
      for (let i = 0; i < dused(b); i++) {
        const k = dkey(b, i);
        if (k != DELETED && dictHas(a, k) != 1) dictSet(r, k, NONE);
      }
    }
  }
  popTemp(1);
  return r;
}

export function unaryOp(op: i32, v: V): V {
  const t = typeOf(v);
  if (isIntLike(t)) {
    if (t != T_BIG) {
      const x = <i64>smallOf(v);
      if (op == O.UN_NEG) return fromI64(-x);
      if (op == O.UN_POS) return fromI64(x);
      return fromI64(~x);
    }
    if (op == O.UN_NEG) return bigNeg(v);
    if (op == O.UN_POS) return v;
    return bigInvert(v);
  }
  if (t == T_FLOAT) {
    if (op == O.UN_NEG) return newFloat(-fval(v));
    if (op == O.UN_POS) return v;
  }
  if (t == T_INST) {
    const name = op == O.UN_NEG ? '__neg__' : op == O.UN_POS ? '__pos__' : '__invert__';
    const m = lookupSpecialName(v, name);
    if (m != NULL) return call0(m);
  }
  const sym = op == O.UN_NEG ? '-' : op == O.UN_POS ? '+' : '~';
  return raiseType('bad operand type for unary ' + sym + ": '" + typeName(v) + "'");
}

// ---------------------------------------------------------------------------------------------------------
// Comparison

const CMP_NAMES: StaticArray<string> = ['__lt__', '__le__', '__eq__', '__ne__', '__gt__', '__ge__'];
const CMP_SWAP: StaticArray<i32> = [O.CMP_GT, O.CMP_GE, O.CMP_EQ, O.CMP_NE, O.CMP_LT, O.CMP_LE];
const CMP_SYM: StaticArray<string> = ['<', '<=', '==', '!=', '>', '>='];

function fromCmp(op: i32, c: i32): bool {
  switch (op) {
    case O.CMP_LT: return c < 0;
    case O.CMP_LE: return c <= 0;
    case O.CMP_EQ: return c == 0;
    case O.CMP_NE: return c != 0;
    case O.CMP_GT: return c > 0;
    default: return c >= 0;
  }
}

/** Three-way comparison of two values of ordered builtin types; -2 = not comparable, -3 exception. */
function order(a: V, b: V): i32 {
  const ta = typeOf(a);
  const tb = typeOf(b);
  if (isIntLike(ta) && isIntLike(tb)) {
    if (ta == T_BIG || tb == T_BIG) return bigCmp(a, b);
    const x = smallOf(a);
    const y = smallOf(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if ((ta == T_FLOAT || isIntLike(ta)) && (tb == T_FLOAT || isIntLike(tb))) {
    const x = ta == T_BIG ? bigToF64(a) : toF64(a);
    const y = tb == T_BIG ? bigToF64(b) : toF64(b);
    if (x != x || y != y) return 2; // NaN: every ordering comparison is false
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if ((ta == T_STR && tb == T_STR) || ((ta == T_BYTES || ta == T_BYTEARRAY) && (tb == T_BYTES || tb == T_BYTEARRAY))) {
    const na = bufLen(a);
    const nb = bufLen(b);
    const c = memory.compare(bufData(a), bufData(b), <usize>(na < nb ? na : nb));
    if (c != 0) return c < 0 ? -1 : 1;
    return na < nb ? -1 : na > nb ? 1 : 0;
  }
  if ((ta == T_TUPLE && tb == T_TUPLE) || (ta == T_LIST && tb == T_LIST)) {
    const na = seqLen(a);
    const nb = seqLen(b);
    const n = na < nb ? na : nb;
    for (let i = 0; i < n; i++) {
      const x = load<i32>(seqItems(a) + (<usize>i << 2));
      const y = load<i32>(seqItems(b) + (<usize>i << 2));
      const e = equals(x, y);
      if (e < 0) return -3;
      if (e == 1) continue;
      return order(x, y);
    }
    return na < nb ? -1 : na > nb ? 1 : 0;
  }
  return -2;
}

export function compareOp(op: i32, a: V, b: V): V {
  if (op == O.CMP_EQ || op == O.CMP_NE) {
    const ta = typeOf(a);
    const tb = typeOf(b);
    if (ta == T_INST || tb == T_INST) {
      const r = instanceCompare(op, a, b);
      if (r != NOT_IMPLEMENTED()) return r;
      return mkBool((a == b) == (op == O.CMP_EQ));
    }
    const e = equals(a, b);
    if (e < 0) return NULL;
    return mkBool((e == 1) == (op == O.CMP_EQ));
  }
  if (typeOf(a) == T_INST || typeOf(b) == T_INST) {
    const r = instanceCompare(op, a, b);
    if (r != NOT_IMPLEMENTED()) return r;
  }
  if (typeOf(a) == T_SET && typeOf(b) == T_SET) {
    const sub = isSubset(a, b);
    const sup = isSubset(b, a);
    switch (op) {
      case O.CMP_LT: return mkBool(sub && !sup);
      case O.CMP_LE: return mkBool(sub);
      case O.CMP_GT: return mkBool(sup && !sub);
      default: return mkBool(sup);
    }
  }
  const c = order(a, b);
  if (c == -3) return NULL;
  if (c == 2) return FALSE;
  if (c == -2 || c < -1) {
    return raiseType("'" + CMP_SYM[op] + "' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
  }
  return mkBool(fromCmp(op, c));
}

function isSubset(a: V, b: V): bool {
  for (let i = 0; i < dused(a); i++) {
    const k = dkey(a, i);
    if (k != DELETED && dictHas(b, k) != 1) return false;
  }
  return true;
}

function instanceCompare(op: i32, a: V, b: V): V {
  if (typeOf(a) == T_INST) {
    const m = lookupSpecialName(a, CMP_NAMES[op]);
    if (m != NULL) {
      const r = call1(m, b);
      if (r != NOT_IMPLEMENTED()) return r;
    }
  }
  if (typeOf(b) == T_INST) {
    const m = lookupSpecialName(b, CMP_NAMES[CMP_SWAP[op]]);
    if (m != NULL) {
      const r = call1(m, a);
      if (r != NOT_IMPLEMENTED()) return r;
    }
  }
  if (op == O.CMP_NE && typeOf(a) == T_INST) {
    const m = lookupSpecialName(a, '__eq__');
    if (m != NULL) {
      const r = call1(m, b);
      if (r == NULL) return NULL;
      if (r != NOT_IMPLEMENTED()) {
        const t = truthy(r);
        return t < 0 ? NULL : mkBool(t == 0);
      }
    }
  }
  return NOT_IMPLEMENTED();
}

// ---------------------------------------------------------------------------------------------------------
// Subscripts

/** Normalizes index `i` of a sequence of length n; -1 when out of range. */
function normIndex(iv: V, n: i32): i32 {
  let i = smallOf(iv);
  if (i < 0) i += n;
  if (i < 0 || i >= n) return -1;
  return i;
}

// slice bounds (start, stop, step, count) of the last sliceIndices call
let sStart: i32 = 0;
let sStop: i32 = 0;
let sStep: i32 = 1;
let sCount: i32 = 0;
function sliceIndices(s: V, n: i32): bool {
  const a = field(s, 0);
  const b = field(s, 1);
  const c = field(s, 2);
  sStep = c == NONE ? 1 : smallOf(c);
  if (sStep == 0) {
    raiseValue('slice step cannot be zero');
    return false;
  }
  if (a != NONE && !isIntLike(typeOf(a)) || b != NONE && !isIntLike(typeOf(b))) {
    raiseType('slice indices must be integers');
    return false;
  }
  if (sStep > 0) {
    sStart = a == NONE ? 0 : clampIdx(smallOf(a), n, 0, n);
    sStop = b == NONE ? n : clampIdx(smallOf(b), n, 0, n);
    sCount = sStop > sStart ? (sStop - sStart + sStep - 1) / sStep : 0;
  } else {
    sStart = a == NONE ? n - 1 : clampIdx(smallOf(a), n, -1, n - 1);
    sStop = b == NONE ? -1 : clampIdx(smallOf(b), n, -1, n - 1);
    sCount = sStart > sStop ? (sStart - sStop - sStep - 1) / -sStep : 0;
  }
  return true;
}
function clampIdx(i: i32, n: i32, lo: i32, hi: i32): i32 {
  if (i < 0) i += n;
  if (i < lo) return lo;
  if (i > hi) return hi;
  return i;
}

export function getItem(obj: V, key: V): V {
  const t = typeOf(obj);
  const kt = typeOf(key);
  if (t == T_LIST || t == T_TUPLE) {
    const n = seqLen(obj);
    if (isIntLike(kt)) {
      const i = kt == T_BIG ? -1 : normIndex(key, n);
      if (i < 0) return raise(excType(EXC_INDEXERROR), (t == T_LIST ? 'list' : 'tuple') + ' index out of range');
      return load<i32>(seqItems(obj) + (<usize>i << 2));
    }
    if (kt == T_SLICE) {
      if (!sliceIndices(key, n)) return NULL;
      if (t == T_TUPLE) {
        const r = newTuple(sCount);
        if (r == NULL) return NULL;
        for (let k = 0; k < sCount; k++) tupleSet(r, k, titem(obj, sStart + k * sStep));
        return r;
      }
      const start = sStart;
      const step = sStep;
      const cnt = sCount;
      const r = newList(cnt);
      if (r == NULL) return NULL;
      for (let k = 0; k < cnt; k++) lset(r, k, litem(obj, start + k * step));
      setLlen(r, cnt);
      return r;
    }
    return raiseType((t == T_LIST ? 'list' : 'tuple') + ' indices must be integers or slices, not ' + typeName(key));
  }
  if (t == T_DICT) {
    const v = dictGet(obj, key);
    if (v != NULL) return v;
    if (lookupError) return NULL;
    return raiseKey(key);
  }
  if (t == T_STR) {
    const p = sdata(obj);
    const nb = slen(obj);
    const ascii = isAscii(obj);
    const n = ascii ? nb : utf8Count(p, nb);
    if (isIntLike(kt)) {
      const i = kt == T_BIG ? -1 : normIndex(key, n);
      if (i < 0) return raise(excType(EXC_INDEXERROR), 'string index out of range');
      if (ascii) return newStr(p + <usize>i, 1);
      const off = utf8Offset(p, nb, i);
      const end = utf8Offset(p, nb, i + 1);
      return newStr(p + <usize>off, end - off);
    }
    if (kt == T_SLICE) {
      if (!sliceIndices(key, n)) return NULL;
      const o = new Out(sCount + 4);
      for (let k = 0; k < sCount; k++) {
        const i = sStart + k * sStep;
        if (ascii) o.byte(<i32>load<u8>(p + <usize>i));
        else {
          const off = utf8Offset(p, nb, i);
          const end = utf8Offset(p, nb, i + 1);
          o.bytes(p + <usize>off, end - off);
        }
      }
      const s = strFromOut(o);
      o.free();
      return s;
    }
    return raiseType('string indices must be integers');
  }
  if (t == T_BYTES || t == T_BYTEARRAY) {
    const n = bufLen(obj);
    if (isIntLike(kt)) {
      const i = kt == T_BIG ? -1 : normIndex(key, n);
      if (i < 0) return raise(excType(EXC_INDEXERROR), 'index out of range');
      return mkSmall(<i32>load<u8>(bufData(obj) + <usize>i));
    }
    if (kt == T_SLICE) {
      if (!sliceIndices(key, n)) return NULL;
      const r = t == T_BYTES ? newStrLen(T_BYTES, sCount) : newBytearray(sCount);
      if (r == NULL) return NULL;
      for (let k = 0; k < sCount; k++) store<u8>(bufData(r) + <usize>k, load<u8>(bufData(obj) + <usize>(sStart + k * sStep)));
      return r;
    }
    return raiseType('indices must be integers');
  }
  if (t == T_RANGE) {
    const start = load<i32>(obj + 4);
    const step = load<i32>(obj + 12);
    const n = rangeLen(obj);
    if (isIntLike(kt)) {
      const i = normIndex(key, n);
      if (i < 0) return raise(excType(EXC_INDEXERROR), 'range object index out of range');
      return mkSmall(start + i * step);
    }
    if (kt == T_SLICE) {
      if (!sliceIndices(key, n)) return NULL;
      const r = alloc(T_RANGE, 16);
      if (r == NULL) return NULL;
      store<i32>(r + 4, start + sStart * step);
      store<i32>(r + 8, start + (sStart + sCount * sStep) * step);
      store<i32>(r + 12, step * sStep);
      return r;
    }
  }
  if (t == T_INST) {
    const m = lookupSpecial(obj, SP_GETITEM);
    if (m != NULL) return call1(m, key);
  }
  if (t == T_CLASS) return obj; // list[int] style annotations
  return raiseType("'" + typeName(obj) + "' object isn't subscriptable");
}

export function raiseKey(key: V): V {
  const t = newTuple(1);
  if (t == NULL) return NULL;
  tupleSet(t, 0, key);
  return raiseArgsKey(t);
}
import { raiseArgs } from './rt';
function raiseArgsKey(t: V): V {
  return raiseArgs(excType(EXC_KEYERROR), t);
}

export function rangeLen(r: V): i32 {
  const start = load<i32>(r + 4);
  const stop = load<i32>(r + 8);
  const step = load<i32>(r + 12);
  if (step > 0) return stop > start ? (stop - start + step - 1) / step : 0;
  return start > stop ? (start - stop - step - 1) / -step : 0;
}

export function setItem(obj: V, key: V, v: V): bool {
  const t = typeOf(obj);
  const kt = typeOf(key);
  if (t == T_LIST) {
    const n = llen(obj);
    if (isIntLike(kt)) {
      const i = normIndex(key, n);
      if (i < 0) {
        raise(excType(EXC_INDEXERROR), 'list assignment index out of range');
        return false;
      }
      lset(obj, i, v);
      return true;
    }
    if (kt == T_SLICE) {
      if (!sliceIndices(key, n)) return false;
      const src = pushTemp(typeOf(v) == T_LIST || typeOf(v) == T_TUPLE ? v : listFromIter(v));
      if (src == NULL) {
        popTemp(1);
        return false;
      }
      const m = seqLen(src);
      if (sStep != 1) {
        if (m != sCount) {
          popTemp(1);
          raiseValue('attempt to assign sequence of size ' + m.toString() + ' to extended slice of size ' + sCount.toString());
          return false;
        }
        for (let k = 0; k < m; k++) lset(obj, sStart + k * sStep, load<i32>(seqItems(src) + (<usize>k << 2)));
        popTemp(1);
        return true;
      }
      const start = sStart;
      const stop = sStop < sStart ? sStart : sStop;
      const newLen = n - (stop - start) + m;
      if (!listReserve(obj, newLen)) {
        popTemp(1);
        return false;
      }
      const items = litems(obj);
      memory.copy(items + (<usize>(start + m) << 2), items + (<usize>stop << 2), <usize>(n - stop) << 2);
      memory.copy(items + (<usize>start << 2), seqItems(src), <usize>m << 2);
      setLlen(obj, newLen);
      popTemp(1);
      return true;
    }
    raiseType('list indices must be integers or slices, not ' + typeName(key));
    return false;
  }
  if (t == T_DICT) return dictSet(obj, key, v);
  if (t == T_BYTEARRAY) {
    if (isIntLike(kt)) {
      const i = normIndex(key, bufLen(obj));
      if (i < 0) {
        raise(excType(EXC_INDEXERROR), 'bytearray index out of range');
        return false;
      }
      const b = smallOf(v);
      if (!isIntLike(typeOf(v)) || b < 0 || b > 255) {
        raiseValue('byte must be in range(0, 256)');
        return false;
      }
      store<u8>(bufData(obj) + <usize>i, <u8>b);
      return true;
    }
  }
  if (t == T_INST) {
    const m = lookupSpecial(obj, SP_SETITEM);
    if (m != NULL) return call2(m, key, v) != NULL;
  }
  raiseType("'" + typeName(obj) + "' object doesn't support item assignment");
  return false;
}

function listFromIter(v: V): V {
  const l = pushTemp(newList(4));
  const ok = l != NULL && extendFromIter(l, v);
  popTemp(1);
  return ok ? l : NULL;
}

export function delItem(obj: V, key: V): bool {
  const t = typeOf(obj);
  if (t == T_LIST) {
    const n = llen(obj);
    if (typeOf(key) == T_SLICE) {
      if (!sliceIndices(key, n)) return false;
      // keep the items not selected by the slice
      let w = 0;
      for (let i = 0; i < n; i++) {
        let sel = false;
        if (sStep > 0) sel = i >= sStart && i < sStop && (i - sStart) % sStep == 0;
        else sel = i <= sStart && i > sStop && (sStart - i) % -sStep == 0;
        if (!sel) lset(obj, w++, litem(obj, i));
      }
      setLlen(obj, w);
      return true;
    }
    const i = normIndex(key, n);
    if (i < 0) {
      raise(excType(EXC_INDEXERROR), 'list assignment index out of range');
      return false;
    }
    const items = litems(obj);
    memory.copy(items + (<usize>i << 2), items + (<usize>(i + 1) << 2), <usize>(n - i - 1) << 2);
    setLlen(obj, n - 1);
    return true;
  }
  if (t == T_DICT) {
    const r = dictDel(obj, key);
    if (r == 1) return true;
    if (r == 0) raiseKey(key);
    return false;
  }
  if (t == T_INST) {
    const m = lookupSpecial(obj, SP_DELITEM);
    if (m != NULL) return call1(m, key) != NULL;
  }
  raiseType("'" + typeName(obj) + "' object doesn't support item deletion");
  return false;
}

/** `x in c`: 1, 0 or -1 (exception). */
export function containsOp(c: V, x: V): i32 {
  const t = typeOf(c);
  if (t == T_DICT || t == T_SET) return dictHas(c, x);
  if (t == T_LIST || t == T_TUPLE) {
    const n = seqLen(c);
    for (let i = 0; i < n; i++) {
      const e = equals(load<i32>(seqItems(c) + (<usize>i << 2)), x);
      if (e != 0) return e;
    }
    return 0;
  }
  if (t == T_STR || ((t == T_BYTES || t == T_BYTEARRAY) && (typeOf(x) == T_BYTES || typeOf(x) == T_BYTEARRAY))) {
    if (t == T_STR && typeOf(x) != T_STR) {
      raiseType("'in <string>' requires string as left operand, not " + typeName(x));
      return -1;
    }
    return findBytes(bufData(c), bufLen(c), bufData(x), bufLen(x), 0) >= 0 ? 1 : 0;
  }
  if (t == T_BYTES || t == T_BYTEARRAY) {
    const b = smallOf(x);
    for (let i = 0; i < bufLen(c); i++) if (<i32>load<u8>(bufData(c) + <usize>i) == b) return 1;
    return 0;
  }
  if (t == T_RANGE) {
    if (!isIntLike(typeOf(x))) return 0;
    const v = smallOf(x);
    const start = load<i32>(c + 4);
    const step = load<i32>(c + 12);
    const n = rangeLen(c);
    const k = v - start;
    if (k % step != 0) return 0;
    const i = k / step;
    return i >= 0 && i < n ? 1 : 0;
  }
  if (t == T_INST) {
    const m = lookupSpecial(c, SP_CONTAINS);
    if (m != NULL) {
      const r = call1(m, x);
      if (r == NULL) return -1;
      return truthy(r);
    }
  }
  // any iterable
  const it = pushTemp(getIter(c));
  if (it == NULL) {
    popTemp(1);
    return -1;
  }
  for (;;) {
    const v = iterNext(it);
    if (v == NULL) {
      popTemp(1);
      return -1;
    }
    if (v == STOP) break;
    const e = equals(v, x);
    if (e != 0) {
      popTemp(1);
      return e;
    }
  }
  popTemp(1);
  return 0;
}

export function findBytes(h: usize, hn: i32, n: usize, nn: i32, from: i32): i32 {
  for (let i = from; i + nn <= hn; i++) if (memory.compare(h + <usize>i, n, <usize>nn) == 0) return i;
  return -1;
}

// ---------------------------------------------------------------------------------------------------------
// Iteration. ITER layout: seq, extra (values); kind @12, index @16, a @20, b @24.

export const IT_SEQ: i32 = 0;
export const IT_STR: i32 = 1;
export const IT_BYTES: i32 = 2;
export const IT_DICT_KEYS: i32 = 3;
export const IT_RANGE: i32 = 4;
export const IT_OBJ: i32 = 5;
export const IT_DICT_ITEMS: i32 = 6;
export const IT_DICT_VALUES: i32 = 7;
export const IT_ENUMERATE: i32 = 8;
export const IT_ZIP: i32 = 9;
export const IT_MAP: i32 = 10;
export const IT_FILTER: i32 = 11;
export const IT_REVERSED: i32 = 12;
export const IT_GETITEM: i32 = 13;

export function newIter(kind: i32, seq: V, extra: V): V {
  pushTemp(seq);
  pushTemp(extra);
  const it = alloc(T_ITER, 28);
  popTemp(2);
  if (it == NULL) return raise(excType(11), 'memory allocation failed');
  setField(it, 0, seq);
  setField(it, 1, extra);
  store<i32>(it + 12, kind);
  return it;
}

export function getIter(v: V): V {
  const t = typeOf(v);
  switch (t) {
    case T_LIST:
    case T_TUPLE:
      return newIter(IT_SEQ, v, NONE);
    case T_STR:
      return newIter(IT_STR, v, NONE);
    case T_BYTES:
    case T_BYTEARRAY:
      return newIter(IT_BYTES, v, NONE);
    case T_DICT:
    case T_SET:
      return newIter(IT_DICT_KEYS, v, NONE);
    case T_RANGE: {
      const it = newIter(IT_RANGE, v, NONE);
      if (it == NULL) return NULL;
      store<i32>(it + 16, load<i32>(v + 4));
      return it;
    }
    case T_ITER:
    case T_GEN:
      return v;
    case T_INST: {
      const m = lookupSpecial(v, SP_ITER);
      if (m != NULL) {
        const r = call0(m);
        if (r == NULL) return NULL;
        if (typeOf(r) == T_INST) return newIter(IT_OBJ, r, NONE);
        return getIter(r);
      }
      const g = lookupSpecial(v, SP_GETITEM);
      if (g != NULL) return newIter(IT_GETITEM, v, NONE);
      break;
    }
  }
  return raiseType("'" + typeName(v) + "' object isn't iterable");
}

/** Next item, STOP when exhausted, NULL on exception. */
export function iterNext(it: V): V {
  if (typeOf(it) == T_INST) {
    // a user iterator used directly (next(obj))
    const m = lookupSpecial(it, SP_NEXT);
    if (m == NULL) return raiseType("'" + typeName(it) + "' object isn't an iterator");
    return stopOf(call0(m));
  }
  if (typeOf(it) == T_GEN) return resume(it, NONE);
  if (typeOf(it) != T_ITER) return raiseType("'" + typeName(it) + "' object isn't an iterator");
  const kind = load<i32>(it + 12);
  const seq = field(it, 0);
  const i = load<i32>(it + 16);
  switch (kind) {
    case IT_SEQ: {
      if (i >= seqLen(seq)) return STOP;
      store<i32>(it + 16, i + 1);
      return load<i32>(seqItems(seq) + (<usize>i << 2));
    }
    case IT_STR: {
      const n = slen(seq);
      if (i >= n) return STOP;
      const p = sdata(seq);
      let j = i + 1;
      while (j < n && (load<u8>(p + <usize>j) & 0xc0) == 0x80) j++;
      store<i32>(it + 16, j);
      return newStr(p + <usize>i, j - i);
    }
    case IT_BYTES: {
      if (i >= bufLen(seq)) return STOP;
      store<i32>(it + 16, i + 1);
      return mkSmall(<i32>load<u8>(bufData(seq) + <usize>i));
    }
    case IT_DICT_KEYS:
    case IT_DICT_ITEMS:
    case IT_DICT_VALUES: {
      let k = i;
      const used = dused(seq);
      while (k < used && dkey(seq, k) == DELETED) k++;
      if (k >= used) return STOP;
      store<i32>(it + 16, k + 1);
      if (kind == IT_DICT_KEYS) return dkey(seq, k);
      if (kind == IT_DICT_VALUES) return dval(seq, k);
      const t = newTuple(2);
      if (t == NULL) return NULL;
      tupleSet(t, 0, dkey(seq, k));
      tupleSet(t, 1, dval(seq, k));
      return t;
    }
    case IT_RANGE: {
      const stop = load<i32>(seq + 8);
      const step = load<i32>(seq + 12);
      if (step > 0 ? i >= stop : i <= stop) return STOP;
      store<i32>(it + 16, i + step);
      return mkSmall(i);
    }
    case IT_OBJ: {
      const m = lookupSpecial(seq, SP_NEXT);
      if (m == NULL) return raiseType("'" + typeName(seq) + "' object isn't an iterator");
      return stopOf(call0(m));
    }
    case IT_GETITEM: {
      const r = getItem(seq, mkSmall(i));
      if (r == NULL) {
        const e = pendingExc();
        if (isInstance(e, excType(EXC_INDEXERROR)) || isInstance(e, excType(EXC_STOPITERATION))) {
          setPending(NONE);
          return STOP;
        }
        return NULL;
      }
      store<i32>(it + 16, i + 1);
      return r;
    }
    case IT_ENUMERATE: {
      const v = iterNext(seq);
      if (v == NULL || v == STOP) return v;
      pushTemp(v);
      const t = newTuple(2);
      popTemp(1);
      if (t == NULL) return NULL;
      const n = load<i32>(it + 20) + i;
      store<i32>(it + 16, i + 1);
      tupleSet(t, 0, mkSmall(n));
      tupleSet(t, 1, v);
      return t;
    }
    case IT_ZIP: {
      // seq: tuple of iterators
      const n = tlen(seq);
      const t = pushTemp(newTuple(n));
      if (t == NULL) {
        popTemp(1);
        return NULL;
      }
      for (let k = 0; k < n; k++) {
        const v = iterNext(titem(seq, k));
        if (v == NULL || v == STOP) {
          popTemp(1);
          return v;
        }
        tupleSet(t, k, v);
      }
      popTemp(1);
      return t;
    }
    case IT_MAP: {
      // seq: tuple of iterators, extra: function
      const n = tlen(seq);
      const t = pushTemp(newTuple(n));
      if (t == NULL) {
        popTemp(1);
        return NULL;
      }
      for (let k = 0; k < n; k++) {
        const v = iterNext(titem(seq, k));
        if (v == NULL || v == STOP) {
          popTemp(1);
          return v;
        }
        tupleSet(t, k, v);
      }
      const r = callWithTuple(field(it, 1), t);
      popTemp(1);
      return r;
    }
    case IT_FILTER: {
      for (;;) {
        const v = iterNext(seq);
        if (v == NULL || v == STOP) return v;
        const f = field(it, 1);
        let keep: i32;
        if (f == NONE) keep = truthy(v);
        else {
          pushTemp(v);
          const r = call1(f, v);
          popTemp(1);
          if (r == NULL) return NULL;
          keep = truthy(r);
        }
        if (keep < 0) return NULL;
        if (keep) return v;
      }
    }
    case IT_REVERSED: {
      // index counts down from the end
      if (i < 0) return STOP;
      store<i32>(it + 16, i - 1);
      return getItem(seq, mkSmall(i));
    }
  }
  return STOP;
}

import { callValue, push as vpush } from './vm';
import { vsp, setVsp } from './obj';
function callWithTuple(f: V, t: V): V {
  const at = vsp;
  const n = tlen(t);
  for (let k = 0; k < n; k++) vpush(titem(t, k));
  const r = callValue(f, n, at, NULL);
  setVsp(at);
  return r;
}

/** Turns a StopIteration from __next__ into STOP. */
function stopOf(r: V): V {
  if (r != NULL) return r;
  const e = pendingExc();
  if (isInstance(e, excType(EXC_STOPITERATION))) {
    setPending(NONE);
    return STOP;
  }
  return NULL;
}

// ---------------------------------------------------------------------------------------------------------
// Text conversion

export function fmtFloat(x: f64, o: Out): void {
  if (x != x) {
    o.str('nan');
    return;
  }
  if (x == Infinity) {
    o.str('inf');
    return;
  }
  if (x == -Infinity) {
    o.str('-inf');
    return;
  }
  if (x == 0) {
    o.str(1 / x < 0 ? '-0.0' : '0.0');
    return;
  }
  // Shortest digits that read back as x (exact big-integer arithmetic), laid out the way Python prints.
  const digits = shortestDigits(Math.abs(x));
  const pointPos = decExp + 1; // digits before the decimal point
  if (x < 0) o.byte(45);
  const dexp = pointPos - 1; // decimal exponent of the first digit
  if (dexp >= 16 || dexp < -4) {
    o.str(digits.substring(0, 1));
    if (digits.length > 1) {
      o.byte(46);
      o.str(digits.substring(1));
    }
    o.byte(101);
    o.byte(dexp < 0 ? 45 : 43);
    const ae = dexp < 0 ? -dexp : dexp;
    if (ae < 10) o.byte(48);
    o.int(ae);
    return;
  }
  if (pointPos <= 0) {
    o.str('0.');
    for (let i = 0; i < -pointPos; i++) o.byte(48);
    o.str(digits);
    return;
  }
  if (pointPos >= digits.length) {
    o.str(digits);
    for (let i = digits.length; i < pointPos; i++) o.byte(48);
    o.str('.0');
    return;
  }
  o.str(digits.substring(0, pointPos));
  o.byte(46);
  o.str(digits.substring(pointPos));
}

function reprStr(v: V, o: Out): void {
  const p = sdata(v);
  const n = slen(v);
  let hasSingle = false;
  let hasDouble = false;
  for (let i = 0; i < n; i++) {
    const c = load<u8>(p + <usize>i);
    if (c == 39) hasSingle = true;
    else if (c == 34) hasDouble = true;
  }
  const q = hasSingle && !hasDouble ? 34 : 39;
  o.byte(q);
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(p + <usize>i);
    if (c == q || c == 92) {
      o.byte(92);
      o.byte(c);
    } else if (c == 10) o.str('\\n');
    else if (c == 13) o.str('\\r');
    else if (c == 9) o.str('\\t');
    else if (c < 32 || c == 127) {
      o.str('\\x');
      hex2(o, c);
    } else o.byte(c);
  }
  o.byte(q);
}

function hex2(o: Out, c: i32): void {
  const h = '0123456789abcdef';
  o.byte(h.charCodeAt(c >> 4));
  o.byte(h.charCodeAt(c & 15));
}

export function reprBytes(p: usize, n: i32, o: Out): void {
  let hasSingle = false;
  let hasDouble = false;
  for (let i = 0; i < n; i++) {
    const c = load<u8>(p + <usize>i);
    if (c == 39) hasSingle = true;
    else if (c == 34) hasDouble = true;
  }
  const q = hasSingle && !hasDouble ? 34 : 39;
  o.byte(98);
  o.byte(q);
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(p + <usize>i);
    if (c == q || c == 92) {
      o.byte(92);
      o.byte(c);
    } else if (c == 10) o.str('\\n');
    else if (c == 13) o.str('\\r');
    else if (c == 9) o.str('\\t');
    else if (c < 32 || c >= 127) {
      o.str('\\x');
      hex2(o, c);
    } else o.byte(c);
  }
  o.byte(q);
}

// Containers being printed (to print [...] for a list that contains itself).
const printing: Array<V> = [];

/** Appends str(v) or repr(v) to o; false with an exception pending. */
export function toOut(v: V, o: Out, repr: bool): bool {
  if (isSmall(v)) {
    o.int(smallVal(v));
    return true;
  }
  const t = typeOf(v);
  switch (t) {
    case T_NONE:
      o.str('None');
      return true;
    case T_BOOL:
      o.str(v == TRUE ? 'True' : 'False');
      return true;
    case T_BIG:
      bigToOut(v, o, 10);
      return true;
    case T_FLOAT:
      fmtFloat(fval(v), o);
      return true;
    case T_STR:
      if (repr) reprStr(v, o);
      else o.bytes(sdata(v), slen(v));
      return true;
    case T_BYTES:
      reprBytes(sdata(v), slen(v), o);
      return true;
    case T_BYTEARRAY:
      o.str('bytearray(');
      reprBytes(bufData(v), bufLen(v), o);
      o.byte(41);
      return true;
    case T_TUPLE:
    case T_LIST: {
      if (printing.indexOf(v) >= 0) {
        o.str(t == T_LIST ? '[...]' : '(...)');
        return true;
      }
      printing.push(v);
      const n = seqLen(v);
      o.byte(t == T_LIST ? 91 : 40);
      for (let i = 0; i < n; i++) {
        if (i) o.str(', ');
        if (!toOut(load<i32>(seqItems(v) + (<usize>i << 2)), o, true)) {
          printing.pop();
          return false;
        }
      }
      if (t == T_TUPLE && n == 1) o.byte(44);
      o.byte(t == T_LIST ? 93 : 41);
      printing.pop();
      return true;
    }
    case T_DICT: {
      if (printing.indexOf(v) >= 0) {
        o.str('{...}');
        return true;
      }
      printing.push(v);
      o.byte(123);
      let first = true;
      for (let i = 0; i < dused(v); i++) {
        const k = dkey(v, i);
        if (k == DELETED) continue;
        if (!first) o.str(', ');
        first = false;
        if (!toOut(k, o, true)) {
          printing.pop();
          return false;
        }
        o.str(': ');
        if (!toOut(dval(v, i), o, true)) {
          printing.pop();
          return false;
        }
      }
      o.byte(125);
      printing.pop();
      return true;
    }
    case T_SET: {
      if (dlen(v) == 0) {
        o.str('set()');
        return true;
      }
      o.byte(123);
      let first = true;
      for (let i = 0; i < dused(v); i++) {
        const k = dkey(v, i);
        if (k == DELETED) continue;
        if (!first) o.str(', ');
        first = false;
        if (!toOut(k, o, true)) return false;
      }
      o.byte(125);
      return true;
    }
    case T_RANGE: {
      o.str('range(');
      o.int(load<i32>(v + 4));
      o.str(', ');
      o.int(load<i32>(v + 8));
      const step = load<i32>(v + 12);
      if (step != 1) {
        o.str(', ');
        o.int(step);
      }
      o.byte(41);
      return true;
    }
    case T_SLICE: {
      o.str('slice(');
      for (let i = 0; i < 3; i++) {
        if (i) o.str(', ');
        if (!toOut(field(v, i), o, true)) return false;
      }
      o.byte(41);
      return true;
    }
    case T_CLASS:
      o.str("<class '");
      o.str(className(v));
      o.str("'>");
      return true;
    case T_FUNC:
      o.str('<function ');
      o.bytes(sdata(field(field(v, 0), 3)), slen(field(field(v, 0), 3)));
      o.str(' at 0x');
      o.str((<u32>v).toString(16));
      o.byte(62);
      return true;
    case T_NATIVE:
      o.str('<built-in function ');
      o.bytes(sdata(field(v, 0)), slen(field(v, 0)));
      o.byte(62);
      return true;
    case T_BOUND:
      o.str('<bound_method>');
      return true;
    case T_MODULE:
      o.str("<module '");
      o.bytes(sdata(field(v, 0)), slen(field(v, 0)));
      o.str("'>");
      return true;
    case T_INST: {
      const cls = field(v, 0);
      let m = repr ? NULL : lookupSpecial(v, SP_STR);
      if (m == NULL) m = lookupSpecial(v, SP_REPR);
      if (m != NULL) {
        const r = call0(m);
        if (r == NULL) return false;
        if (typeOf(r) != T_STR) {
          raiseType('__str__ returned non-string');
          return false;
        }
        o.bytes(sdata(r), slen(r));
        return true;
      }
      if (isExceptionInstance(v)) {
        const args = field(v, 2);
        const n = typeOf(args) == T_TUPLE ? tlen(args) : 0;
        if (repr) {
          o.str(className(cls));
          o.byte(40);
          for (let i = 0; i < n; i++) {
            if (i) o.str(', ');
            if (!toOut(titem(args, i), o, true)) return false;
          }
          o.byte(41);
          return true;
        }
        if (n == 1) return toOut(titem(args, 0), o, false);
        if (n == 0) return true;
        return toOut(args, o, true);
      }
      o.str('<');
      o.str(className(cls));
      o.str(' object at 0x');
      o.str((<u32>v).toString(16));
      o.byte(62);
      return true;
    }
    default:
      o.str('<');
      o.str(typeName(v));
      o.byte(62);
      return true;
  }
}
import { isExceptionClass } from './vm';
function isExceptionInstance(v: V): bool {
  return isExceptionClass(field(v, 0));
}

export function strOf(v: V, repr: bool): V {
  if (!repr && typeOf(v) == T_STR) return v;
  const o = new Out();
  const ok = toOut(v, o, repr);
  const s = ok ? strFromOut(o) : NULL;
  o.free();
  return s;
}

// ---------------------------------------------------------------------------------------------------------
// Formatting: format(value, spec), f-strings, str % args

/** conv: 0 none, 1 str, 2 repr */
export function formatValue(v: V, conv: i32, spec: V): V {
  if (conv == 2) {
    v = strOf(v, true);
    if (v == NULL) return NULL;
  } else if (conv == 1) {
    v = strOf(v, false);
    if (v == NULL) return NULL;
  }
  if (spec == NULL || slen(spec) == 0) return strOf(v, false);
  return formatSpec(v, strToASOf(spec));
}
import { strToAS } from './rt';
function strToASOf(s: V): string {
  return strToAS(s);
}

/** Applies a format spec [[fill]align][sign][#][0][width][,][.precision][type]. */
export function formatSpec(v: V, spec: string): V {
  let i = 0;
  let fill = ' ';
  let align = '';
  const n = spec.length;
  if (n >= 2 && (spec.charAt(1) == '<' || spec.charAt(1) == '>' || spec.charAt(1) == '^' || spec.charAt(1) == '=')) {
    fill = spec.charAt(0);
    align = spec.charAt(1);
    i = 2;
  } else if (n >= 1 && (spec.charAt(0) == '<' || spec.charAt(0) == '>' || spec.charAt(0) == '^' || spec.charAt(0) == '=')) {
    align = spec.charAt(0);
    i = 1;
  }
  let sign = '-';
  if (i < n && (spec.charAt(i) == '+' || spec.charAt(i) == '-' || spec.charAt(i) == ' ')) {
    sign = spec.charAt(i);
    i++;
  }
  let alt = false;
  if (i < n && spec.charAt(i) == '#') {
    alt = true;
    i++;
  }
  if (i < n && spec.charAt(i) == '0') {
    if (align.length == 0) {
      fill = '0';
      align = '=';
    }
    i++;
  }
  let width = 0;
  while (i < n && spec.charCodeAt(i) >= 48 && spec.charCodeAt(i) <= 57) {
    width = width * 10 + spec.charCodeAt(i) - 48;
    i++;
  }
  let comma = false;
  if (i < n && (spec.charAt(i) == ',' || spec.charAt(i) == '_')) {
    comma = true;
    i++;
  }
  let prec = -1;
  if (i < n && spec.charAt(i) == '.') {
    i++;
    prec = 0;
    while (i < n && spec.charCodeAt(i) >= 48 && spec.charCodeAt(i) <= 57) {
      prec = prec * 10 + spec.charCodeAt(i) - 48;
      i++;
    }
  }
  let type = i < n ? spec.charAt(i) : '';
  const t = typeOf(v);
  let body = '';
  let neg = false;
  if (t == T_STR && (type == '' || type == 's')) {
    body = strToAS(v);
    if (prec >= 0 && body.length > prec) body = body.substring(0, prec);
    if (align.length == 0) align = '<';
  } else if (isIntLike(t) && type != 'f' && type != 'e' && type != 'g' && type != '%' && type != 'F' && type != 'E' && type != 'G') {
    let base = 10;
    if (type == 'x' || type == 'X') base = 16;
    else if (type == 'o') base = 8;
    else if (type == 'b') base = 2;
    else if (type == 'c') {
      body = String.fromCodePoint(smallOf(v));
      base = 0;
    }
    if (base) {
      neg = t == T_BIG ? bigIsNeg(v) : smallOf(v) < 0;
      const o = new Out();
      const av = neg ? unaryOp(O.UN_NEG, v) : v;
      if (typeOf(av) == T_BIG) bigToOut(av, o, base);
      else o.str((<i64>smallOf(av)).toString(base));
      body = String.UTF8.decodeUnsafe(o.ptr, <usize>o.len);
      o.free();
      if (type == 'X') body = body.toUpperCase();
      if (comma && base == 10) body = groupThousands(body);
      if (alt && base != 10) body = (base == 16 ? (type == 'X' ? '0X' : '0x') : base == 8 ? '0o' : '0b') + body;
    }
    if (align.length == 0) align = '>';
  } else if (t == T_FLOAT || isIntLike(t)) {
    let x = toF64(v);
    neg = x < 0 || (x == 0 && 1 / x < 0);
    if (neg) x = -x;
    if (type == '') type = prec >= 0 ? 'g' : '';
    if (type == '%') {
      x *= 100;
    }
    const p = prec < 0 ? 6 : prec;
    if (x != x) body = 'nan';
    else if (x == Infinity) body = 'inf';
    else if (type == 'f' || type == 'F' || type == '%') body = fixed(x, p);
    else if (type == 'e' || type == 'E') body = expo(x, p);
    else if (type == 'g' || type == 'G') body = general(x, p == 0 ? 1 : p, alt);
    else {
      const o = new Out();
      fmtFloat(x, o);
      body = String.UTF8.decodeUnsafe(o.ptr, <usize>o.len);
      o.free();
    }
    if (type == 'E' || type == 'G' || type == 'F') body = body.toUpperCase();
    if (comma) {
      const dot = body.indexOf('.');
      body = dot >= 0 ? groupThousands(body.substring(0, dot)) + body.substring(dot) : groupThousands(body);
    }
    if (type == '%') body += '%';
    if (align.length == 0) align = '>';
  } else {
    const s = strOf(v, false);
    if (s == NULL) return NULL;
    body = strToAS(s);
    if (align.length == 0) align = '<';
  }
  let signStr = '';
  if (neg) signStr = '-';
  else if (sign == '+' && t != T_STR) signStr = '+';
  else if (sign == ' ' && t != T_STR) signStr = ' ';
  let total = signStr.length + body.length;
  let out = '';
  if (width > total) {
    const pad = width - total;
    if (align == '<') out = signStr + body + fill.repeat(pad);
    else if (align == '>') out = fill.repeat(pad) + signStr + body;
    else if (align == '^') out = fill.repeat(pad / 2) + signStr + body + fill.repeat(pad - pad / 2);
    else out = signStr + fill.repeat(pad) + body;
  } else out = signStr + body;
  total = 0;
  return strFrom(out);
}

function groupThousands(s: string): string {
  let r = '';
  const n = s.length;
  for (let i = 0; i < n; i++) {
    if (i > 0 && (n - i) % 3 == 0) r += ',';
    r += s.charAt(i);
  }
  return r;
}

/** x >= 0 with p digits after the point, rounded half to even on the exact binary value. */
export function fixed(x: f64, p: i32): string {
  return fixedDigits(x, p);
}
export function toFixedSmall(x: f64, p: i32): string {
  return fixedDigits(x, p);
}

/** x >= 0 as d.ddd…e±XX with p digits after the point. */
export function expo(x: f64, p: i32): string {
  if (x == 0) return '0' + (p > 0 ? '.' + '0'.repeat(p) : '') + 'e+00';
  const s = sigDigits(x, p + 1);
  const e = decExp;
  const ae = e < 0 ? -e : e;
  return s.substring(0, 1) + (p > 0 ? '.' + s.substring(1) : '') + 'e' + (e < 0 ? '-' : '+') + (ae < 10 ? '0' : '') + ae.toString();
}

function general(x: f64, p: i32, alt: bool): string {
  if (x == 0) return '0';
  const es = expo(x, p - 1);
  const e = I32.parseInt(es.substring(es.indexOf('e') + 1));
  let s: string;
  if (e >= -4 && e < p) s = toFixedSmall(x, p - 1 - e);
  else s = es;
  if (!alt) {
    // strip trailing zeros of the fraction
    const epos = s.indexOf('e');
    let mant = epos >= 0 ? s.substring(0, epos) : s;
    const tail = epos >= 0 ? s.substring(epos) : '';
    if (mant.indexOf('.') >= 0) {
      while (mant.endsWith('0')) mant = mant.substring(0, mant.length - 1);
      if (mant.endsWith('.')) mant = mant.substring(0, mant.length - 1);
    }
    s = mant + tail;
  }
  return s;
}

/** "fmt" % args */
function percentFormat(fmt: V, args: V): V {
  const at = typeOf(args);
  const isTuple = at == T_TUPLE;
  const n = isTuple ? tlen(args) : 1;
  let ai = 0;
  const o = new Out();
  const p = sdata(fmt);
  const len = slen(fmt);
  let i = 0;
  while (i < len) {
    const c = <i32>load<u8>(p + <usize>i);
    if (c != 37) {
      o.byte(c);
      i++;
      continue;
    }
    i++;
    if (i < len && load<u8>(p + <usize>i) == 37) {
      o.byte(37);
      i++;
      continue;
    }
    // %[flags][width][.prec]type
    let spec = '';
    let key: V = NULL;
    if (i < len && load<u8>(p + <usize>i) == 40) {
      let j = i + 1;
      while (j < len && load<u8>(p + <usize>j) != 41) j++;
      key = newStr(p + <usize>i + 1, j - i - 1);
      i = j + 1;
    }
    let flags = '';
    while (i < len) {
      const f = <i32>load<u8>(p + <usize>i);
      if (f == 45 || f == 43 || f == 32 || f == 48 || f == 35) {
        flags += String.fromCharCode(f);
        i++;
      } else break;
    }
    while (i < len && ((load<u8>(p + <usize>i) >= 48 && load<u8>(p + <usize>i) <= 57) || load<u8>(p + <usize>i) == 46)) {
      spec += String.fromCharCode(<i32>load<u8>(p + <usize>i));
      i++;
    }
    if (i >= len) {
      o.free();
      return raiseValue('incomplete format');
    }
    const ty = String.fromCharCode(<i32>load<u8>(p + <usize>i));
    i++;
    let v: V;
    if (key != NULL) {
      v = getItem(args, key);
      if (v == NULL) {
        o.free();
        return NULL;
      }
    } else {
      if (ai >= n) {
        o.free();
        return raiseType('not enough arguments for format string');
      }
      v = isTuple ? titem(args, ai) : args;
      ai++;
    }
    let align = '>';
    let f2 = '';
    if (flags.indexOf('-') >= 0) align = '<';
    if (flags.indexOf('+') >= 0) f2 += '+';
    else if (flags.indexOf(' ') >= 0) f2 += ' ';
    if (flags.indexOf('#') >= 0) f2 += '#';
    let zero = flags.indexOf('0') >= 0 && align == '>' ? '0' : '';
    let r: V;
    if (ty == 's' || ty == 'r' || ty == 'a') {
      const s = strOf(v, ty != 's');
      if (s == NULL) {
        o.free();
        return NULL;
      }
      zero = '';
      r = formatSpec(s, align + f2 + spec);
    } else if (ty == 'd' || ty == 'i' || ty == 'u') {
      let iv = v;
      if (typeOf(v) == T_FLOAT) iv = fromF64Trunc(fval(v));
      if (!isIntLike(typeOf(iv))) {
        o.free();
        return raiseType('%d format: a number is required, not ' + typeName(v));
      }
      r = formatSpec(iv, (zero.length ? '' : align) + f2 + zero + spec + 'd');
    } else if (ty == 'c') {
      r = typeOf(v) == T_STR ? v : formatSpec(v, 'c');
    } else {
      if (!isIntLike(typeOf(v)) && typeOf(v) != T_FLOAT) {
        o.free();
        return raiseType('%' + ty + ' format: a number is required, not ' + typeName(v));
      }
      r = formatSpec(v, (zero.length ? '' : align) + f2 + zero + spec + ty);
    }
    if (r == NULL) {
      o.free();
      return NULL;
    }
    o.bytes(sdata(r), slen(r));
  }
  if (ai < n && !(at == T_DICT)) {
    o.free();
    return raiseType('not all arguments converted during string formatting');
  }
  const s = strFromOut(o);
  o.free();
  return s;
}

function fromF64Trunc(x: f64): V {
  const t = Math.trunc(x);
  if (Math.abs(t) < 1e9) return mkSmall(<i32>t);
  return bigFromF64(t);
}

export { strEq, tupleFrom, dictGet, dictDel, classOf, spName, SP_LEN, raiseType as rt_raiseType, T_CELL, T_CODE, T_PROPERTY, T_INT };
