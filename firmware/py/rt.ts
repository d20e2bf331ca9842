// Runtime core: constructors and accessors of the builtin object types, exceptions, hashing, equality.
import {
  V, NULL, NONE, FALSE, TRUE, DELETED, alloc, typeOf, field, setField, isSmall, smallVal, addRoot, getRoot,
  setRoot, pushTemp, popTemp, T_STR, T_BYTES, T_TUPLE, T_LIST, T_DICT, T_RAW, T_BRAW, T_FLOAT, T_INT, T_NONE,
  T_BOOL, T_CLASS, T_INST, T_CELL, T_BOUND, T_NATIVE, T_BYTEARRAY, T_SET, T_BIG, T_COUNT,
} from './obj';
import { Out } from './out';
import { call0, call1, lookupSpecial } from './vm';
import { bigEq, bigHash } from './big';

// ---------------------------------------------------------------------------------------------------------
// Exceptions: the pending one is a root; functions return NULL to say "raised".
let excRoot: i32 = -1;

export function rtInit(): void {
  excRoot = addRoot(NONE);
  internRoot = addRoot(NULL);
  setRoot(internRoot, newDict());
}

export function pendingExc(): V {
  return getRoot(excRoot);
}
export function setPending(e: V): void {
  setRoot(excRoot, e);
}

/** Makes an instance of exception class `cls` with one str argument and makes it pending; returns NULL. */
export function raise(cls: V, msg: string): V {
  const m = pushTemp(strFrom(msg));
  const args = newTuple(1);
  tupleSet(args, 0, m);
  popTemp(1);
  return raiseArgs(cls, args);
}

export function raiseArgs(cls: V, args: V): V {
  pushTemp(args);
  const e = newInstance(cls);
  popTemp(1);
  if (e == NULL) return NULL;
  setField(e, 2, args);
  setPending(e);
  return NULL;
}

/** Instance layout: class, dict, extra (exceptions: args tuple), traceback list at field 3 is not used. */
export function newInstance(cls: V): V {
  pushTemp(cls);
  const d = pushTemp(newDict());
  const o = alloc(T_INST, 16);
  popTemp(2);
  if (o == NULL) return memError();
  setField(o, 0, cls);
  setField(o, 1, d);
  setField(o, 2, NONE);
  return o;
}

let memErrorInstance: V = NULL;
export function memError(): V {
  // Preallocated so running out of heap can still be reported.
  setPending(memErrorInstance);
  return NULL;
}
export function setMemErrorInstance(v: V): void {
  memErrorInstance = v;
  addRoot(v);
}

// ---------------------------------------------------------------------------------------------------------
// str and bytes: len @4, hash @8, data @12 (NUL-terminated for convenience).

export function newStrLen(t: i32, len: i32): V {
  const o = alloc(t, 13 + <usize>len);
  if (o == NULL) return memError();
  store<i32>(o + 4, len);
  return o;
}
export function newStr(p: usize, len: i32): V {
  const o = newStrLen(T_STR, len);
  if (o != NULL) memory.copy(<usize>o + 12, p, <usize>len);
  return o;
}
export function newBytes(p: usize, len: i32): V {
  const o = newStrLen(T_BYTES, len);
  if (o != NULL) memory.copy(<usize>o + 12, p, <usize>len);
  return o;
}
export function strFrom(s: string): V {
  const b = String.UTF8.encode(s);
  return newStr(changetype<usize>(b), b.byteLength);
}
export function strFromOut(o: Out): V {
  return newStr(o.ptr, o.len);
}
export function sdata(v: V): usize {
  return <usize>v + 12;
}
export function slen(v: V): i32 {
  return load<i32>(v + 4);
}
export function strToAS(v: V): string {
  return String.UTF8.decodeUnsafe(sdata(v), <usize>slen(v));
}

export function bytesHash(p: usize, n: i32): i32 {
  let h: u32 = 2166136261;
  for (let i = 0; i < n; i++) {
    h ^= load<u8>(p + <usize>i);
    h *= 16777619;
  }
  return <i32>(h & 0x3fffffff);
}
export function strHash(v: V): i32 {
  let h = load<i32>(v + 8);
  if (h == 0) {
    h = bytesHash(sdata(v), slen(v)) | 1;
    store<i32>(v + 8, h);
  }
  return h;
}
export function strEq(a: V, b: V): bool {
  if (a == b) return true;
  const n = slen(a);
  if (n != slen(b)) return false;
  return memory.compare(sdata(a), sdata(b), <usize>n) == 0;
}
/** Number of code points of UTF-8 text. */
export function utf8Count(p: usize, n: i32): i32 {
  let c = 0;
  for (let i = 0; i < n; i++) if ((load<u8>(p + <usize>i) & 0xc0) != 0x80) c++;
  return c;
}
/** Byte offset of code point `idx`. */
export function utf8Offset(p: usize, n: i32, idx: i32): i32 {
  let i = 0;
  let c = 0;
  while (i < n) {
    if ((load<u8>(p + <usize>i) & 0xc0) != 0x80) {
      if (c == idx) return i;
      c++;
    }
    i++;
  }
  return n;
}
export function isAscii(v: V): bool {
  const p = sdata(v);
  const n = slen(v);
  for (let i = 0; i < n; i++) if (load<u8>(p + <usize>i) >= 0x80) return false;
  return true;
}

// Interned names: a dict mapping each str to its one canonical copy, so names compare by address.
let internRoot: i32 = -1;
export function intern(p: usize, len: i32): V {
  const table = getRoot(internRoot);
  // Look the bytes up first: a hit allocates nothing (callers often hold unrooted objects meanwhile).
  const hit = internLookup(table, p, len);
  if (hit != NULL) return hit;
  const probe = pushTemp(newStr(p, len));
  const found = dictGet(table, probe);
  if (found != NULL) {
    popTemp(1);
    return found;
  }
  dictSet(table, probe, probe);
  popTemp(1);
  return probe;
}
function internLookup(d: V, p: usize, len: i32): V {
  const h = bytesHash(p, len) | 1;
  const cap = load<i32>(d + 20);
  const index = <usize>field(d, 1) + 4;
  let slot = h & (cap - 1);
  for (;;) {
    const e = load<i32>(index + (<usize>slot << 2));
    if (e < 0) return NULL;
    const k = dkey(d, e);
    if (k != DELETED && slen(k) == len && memory.compare(sdata(k), p, <usize>len) == 0) return k;
    slot = (slot + 1) & (cap - 1);
  }
  return NULL; // not reached
}

export function internAS(s: string): V {
  const b = String.UTF8.encode(s);
  return intern(changetype<usize>(b), b.byteLength);
}

// ---------------------------------------------------------------------------------------------------------
// tuple: len @4, items @8

export function newTuple(n: i32): V {
  const o = alloc(T_TUPLE, 8 + (<usize>n << 2));
  if (o == NULL) return memError();
  store<i32>(o + 4, n);
  for (let i = 0; i < n; i++) store<i32>(o + 8 + (<usize>i << 2), NONE);
  return o;
}
export function tlen(t: V): i32 {
  return load<i32>(t + 4);
}
export function titem(t: V, i: i32): V {
  return load<i32>(t + 8 + (<usize>i << 2));
}
export function tupleSet(t: V, i: i32, v: V): void {
  store<i32>(t + 8 + (<usize>i << 2), v);
}
export function tupleFrom(p: usize, n: i32): V {
  const t = newTuple(n);
  if (t != NULL) memory.copy(<usize>t + 8, p, <usize>n << 2);
  return t;
}

// ---------------------------------------------------------------------------------------------------------
// raw blocks

export function newRaw(n: i32): V {
  const o = alloc(T_RAW, 4 + (<usize>n << 2));
  if (o == NULL) return memError();
  return o;
}
export function newBraw(n: i32): V {
  const o = alloc(T_BRAW, 4 + <usize>n);
  if (o == NULL) return memError();
  return o;
}

// ---------------------------------------------------------------------------------------------------------
// list: items @4 (raw block), len @8, cap @12

export function newList(cap: i32): V {
  const l = pushTemp(alloc(T_LIST, 16));
  if (l == NULL) {
    popTemp(1);
    return memError();
  }
  const c = cap < 4 ? 4 : cap;
  const items = newRaw(c);
  popTemp(1);
  if (items == NULL) return NULL;
  setField(l, 0, items);
  store<i32>(l + 12, c);
  return l;
}
export function llen(l: V): i32 {
  return load<i32>(l + 8);
}
export function litems(l: V): usize {
  return <usize>field(l, 0) + 4;
}
export function litem(l: V, i: i32): V {
  return load<i32>(litems(l) + (<usize>i << 2));
}
export function lset(l: V, i: i32, v: V): void {
  store<i32>(litems(l) + (<usize>i << 2), v);
}
export function listReserve(l: V, n: i32): bool {
  const cap = load<i32>(l + 12);
  if (n <= cap) return true;
  let c = cap * 2;
  if (c < n) c = n;
  pushTemp(l);
  const items = newRaw(c);
  popTemp(1);
  if (items == NULL) return false;
  memory.copy(<usize>items + 4, litems(l), <usize>llen(l) << 2);
  setField(l, 0, items);
  store<i32>(l + 12, c);
  return true;
}
export function listAppend(l: V, v: V): bool {
  const n = llen(l);
  pushTemp(v);
  const ok = listReserve(l, n + 1);
  popTemp(1);
  if (!ok) return false;
  lset(l, n, v);
  store<i32>(l + 8, n + 1);
  return true;
}
export function setLlen(l: V, n: i32): void {
  store<i32>(l + 8, n);
}
/** Items of a tuple or list as a pointer + count. */
export function seqItems(v: V): usize {
  return typeOf(v) == T_TUPLE ? <usize>v + 8 : litems(v);
}
export function seqLen(v: V): i32 {
  return typeOf(v) == T_TUPLE ? tlen(v) : llen(v);
}

// ---------------------------------------------------------------------------------------------------------
// dict (and set): entries @4 (raw: key, value pairs in insertion order), index @8 (braw: i32 slot → entry,
// -1 empty), used @12 (entries incl. deleted), live @16, cap @20 (index slots, a power of two)

export function newDict(): V {
  return newDictT(T_DICT);
}
export function newDictT(t: i32): V {
  const d = pushTemp(alloc(t, 24));
  if (d == NULL) {
    popTemp(1);
    return memError();
  }
  if (!dictResize(d, 8)) {
    popTemp(1);
    return NULL;
  }
  popTemp(1);
  return d;
}
export function dlen(d: V): i32 {
  return load<i32>(d + 16);
}
export function dused(d: V): i32 {
  return load<i32>(d + 12);
}
export function dkey(d: V, i: i32): V {
  return load<i32>(<usize>field(d, 0) + 4 + (<usize>i << 3));
}
export function dval(d: V, i: i32): V {
  return load<i32>(<usize>field(d, 0) + 8 + (<usize>i << 3));
}
function dsetEntry(d: V, i: i32, k: V, v: V): void {
  const e = <usize>field(d, 0) + 4 + (<usize>i << 3);
  store<i32>(e, k);
  store<i32>(e + 4, v);
}

/** Rebuilds entries (dropping tombstones) and the index with `cap` slots. */
function dictResize(d: V, cap: i32): bool {
  pushTemp(d);
  const entries = pushTemp(newRaw((cap * 2) / 3 * 2 + 2));
  const index = newBraw(cap * 4);
  popTemp(2);
  if (entries == NULL || index == NULL) return false;
  memory.fill(<usize>index + 4, 0xff, <usize>cap * 4);
  const old = field(d, 0);
  const used = dused(d);
  setField(d, 0, entries);
  setField(d, 1, index);
  store<i32>(d + 20, cap);
  let n = 0;
  for (let i = 0; i < used; i++) {
    const k = load<i32>(<usize>old + 4 + (<usize>i << 3));
    if (k == DELETED) continue;
    const v = load<i32>(<usize>old + 8 + (<usize>i << 3));
    dsetEntry(d, n, k, v);
    const h = hashOf(k); // keys already in a dict are hashable, and their hash cannot raise
    let s = h & (cap - 1);
    while (load<i32>(<usize>index + 4 + (<usize>s << 2)) >= 0) s = (s + 1) & (cap - 1);
    store<i32>(<usize>index + 4 + (<usize>s << 2), n);
    n++;
  }
  store<i32>(d + 12, n);
  store<i32>(d + 16, n);
  return true;
}

// The last lookup's result: entry index (or -1) and the index slot where a new key would go.
let foundSlot: i32 = 0;
let foundEntry: i32 = -1;
export let lookupError: bool = false;

function dictFind(d: V, k: V): bool {
  lookupError = false;
  const h = hashOf(k);
  if (h == -1 && pendingExc() != NONE) {
    lookupError = true;
    return false;
  }
  const cap = load<i32>(d + 20);
  const index = <usize>field(d, 1) + 4;
  let s = h & (cap - 1);
  for (;;) {
    const e = load<i32>(index + (<usize>s << 2));
    if (e < 0) {
      foundSlot = s;
      foundEntry = -1;
      return false;
    }
    const ek = dkey(d, e);
    if (ek == k) {
      foundEntry = e;
      return true;
    }
    if (ek != DELETED) {
      const r = equals(ek, k);
      if (r < 0) {
        lookupError = true;
        return false;
      }
      if (r == 1) {
        foundEntry = e;
        return true;
      }
    }
    s = (s + 1) & (cap - 1);
  }
  return false; // not reached: the index always has an empty slot
}

/** The value for `k`, or NULL when absent (lookupError tells an exception apart). */
export function dictGet(d: V, k: V): V {
  if (dictFind(d, k)) return dval(d, foundEntry);
  return NULL;
}
export function dictHas(d: V, k: V): i32 {
  if (dictFind(d, k)) return 1;
  return lookupError ? -1 : 0;
}
/** Returns false when an exception is pending (unhashable key, no memory). */
export function dictSet(d: V, k: V, v: V): bool {
  if (dictFind(d, k)) {
    dsetEntry(d, foundEntry, dkey(d, foundEntry), v);
    return true;
  }
  if (lookupError) return false;
  const cap = load<i32>(d + 20);
  const used = dused(d);
  if ((used + 1) * 3 > cap * 2) {
    pushTemp(k);
    pushTemp(v);
    const live = dlen(d);
    const ok = dictResize(d, live * 3 + 3 > cap * 2 ? cap * 2 : cap);
    popTemp(2);
    if (!ok) return false;
    return dictSet(d, k, v);
  }
  dsetEntry(d, used, k, v);
  store<i32>(<usize>field(d, 1) + 4 + (<usize>foundSlot << 2), used);
  store<i32>(d + 12, used + 1);
  store<i32>(d + 16, dlen(d) + 1);
  return true;
}
/** Deletes `k`: 1 done, 0 absent, -1 exception. */
export function dictDel(d: V, k: V): i32 {
  if (!dictFind(d, k)) return lookupError ? -1 : 0;
  dsetEntry(d, foundEntry, DELETED, NONE);
  store<i32>(d + 16, dlen(d) - 1);
  return 1;
}
export function dictClear(d: V): bool {
  store<i32>(d + 12, 0);
  store<i32>(d + 16, 0);
  return dictResize(d, 8);
}
/** Lookup by a name (interned str): used for attribute and global lookups. */
export function dictGetStr(d: V, name: V): V {
  return dictGet(d, name);
}

// ---------------------------------------------------------------------------------------------------------
// Floats, cells, bound methods

export function newFloat(x: f64): V {
  const o = alloc(T_FLOAT, 16);
  if (o == NULL) return memError();
  store<f64>(o + 8, x);
  return o;
}
export function fval(v: V): f64 {
  return load<f64>(v + 8);
}
export function newCell(v: V): V {
  pushTemp(v);
  const c = alloc(T_CELL, 8);
  popTemp(1);
  if (c == NULL) return memError();
  setField(c, 0, v);
  return c;
}
export function newBound(self: V, fn: V): V {
  pushTemp(self);
  pushTemp(fn);
  const b = alloc(T_BOUND, 12);
  popTemp(2);
  if (b == NULL) return memError();
  setField(b, 0, self);
  setField(b, 1, fn);
  return b;
}

// ---------------------------------------------------------------------------------------------------------
// Hashing and equality

/** hash(v); -1 with an exception pending when unhashable. */
export function hashOf(v: V): i32 {
  if (isSmall(v)) return smallVal(v) & 0x3fffffff;
  const t = typeOf(v);
  switch (t) {
    case T_NONE:
    case T_BOOL:
      return v == TRUE ? 1 : v == FALSE ? 0 : 0x1234;
    case T_STR:
    case T_BYTES:
      return strHash(v);
    case T_FLOAT: {
      const x = fval(v);
      if (x == Math.floor(x) && Math.abs(x) < 1e9) return (<i32>x) & 0x3fffffff;
      const bits = reinterpret<i64>(x);
      return <i32>((bits ^ (bits >> 32)) & 0x3fffffff);
    }
    case T_BIG:
      return bigHash(v);
    case T_TUPLE: {
      let h: u32 = 0x345678;
      const n = tlen(v);
      for (let i = 0; i < n; i++) {
        const e = hashOf(titem(v, i));
        if (e == -1 && pendingExc() != NONE) return -1;
        h = (h ^ <u32>e) * 1000003;
      }
      return <i32>(h & 0x3fffffff);
    }
    case T_LIST:
    case T_DICT:
    case T_SET:
    case T_BYTEARRAY:
      raiseType("unhashable type: '" + typeName(v) + "'");
      return -1;
    case T_INST: {
      const m = lookupSpecial(v, SP_HASH);
      if (m != NULL) {
        const r = call0(m);
        if (r == NULL) return -1;
        return isSmall(r) ? smallVal(r) & 0x3fffffff : 0;
      }
      return (v >> 3) & 0x3fffffff;
    }
    default:
      return (v >> 3) & 0x3fffffff;
  }
}

/** a == b: 1, 0, or -1 with an exception pending. */
export function equals(a: V, b: V): i32 {
  if (a == b) return 1;
  const ta = typeOf(a);
  const tb = typeOf(b);
  if (isNumberType(ta) && isNumberType(tb)) {
    if (ta == T_FLOAT || tb == T_FLOAT) return toF64(a) == toF64(b) ? 1 : 0;
    if (ta == T_BIG || tb == T_BIG) return bigEq(a, b) ? 1 : 0;
    return smallOf(a) == smallOf(b) ? 1 : 0;
  }
  if (ta == T_STR && tb == T_STR) return strEq(a, b) ? 1 : 0;
  if ((ta == T_BYTES || ta == T_BYTEARRAY) && (tb == T_BYTES || tb == T_BYTEARRAY)) {
    const n = bufLen(a);
    if (n != bufLen(b)) return 0;
    return memory.compare(bufData(a), bufData(b), <usize>n) == 0 ? 1 : 0;
  }
  if ((ta == T_TUPLE && tb == T_TUPLE) || (ta == T_LIST && tb == T_LIST)) {
    const n = seqLen(a);
    if (n != seqLen(b)) return 0;
    for (let i = 0; i < n; i++) {
      const r = equals(load<i32>(seqItems(a) + (<usize>i << 2)), load<i32>(seqItems(b) + (<usize>i << 2)));
      if (r != 1) return r;
    }
    return 1;
  }
  if (ta == T_DICT && tb == T_DICT) {
    if (dlen(a) != dlen(b)) return 0;
    const used = dused(a);
    for (let i = 0; i < used; i++) {
      const k = dkey(a, i);
      if (k == DELETED) continue;
      const v2 = dictGet(b, k);
      if (v2 == NULL) return lookupError ? -1 : 0;
      const r = equals(dval(a, i), v2);
      if (r != 1) return r;
    }
    return 1;
  }
  if (ta == T_SET && tb == T_SET) {
    if (dlen(a) != dlen(b)) return 0;
    const used = dused(a);
    for (let i = 0; i < used; i++) {
      const k = dkey(a, i);
      if (k == DELETED) continue;
      const r = dictHas(b, k);
      if (r != 1) return r;
    }
    return 1;
  }
  if (ta == T_INST || tb == T_INST) {
    const self = ta == T_INST ? a : b;
    const other = ta == T_INST ? b : a;
    const m = lookupSpecial(self, SP_EQ);
    if (m != NULL) {
      const r = call1(m, other);
      if (r == NULL) return -1;
      if (r == NOT_IMPLEMENTED()) return 0;
      return truthy(r);
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------------
// Numbers

export function isNumberType(t: i32): bool {
  return t == T_INT || t == T_BOOL || t == T_FLOAT || t == T_BIG;
}
/** The i32 of a small int or bool. */
export function smallOf(v: V): i32 {
  if (isSmall(v)) return smallVal(v);
  return v == TRUE ? 1 : 0;
}
export function toF64(v: V): f64 {
  if (isSmall(v)) return <f64>smallVal(v);
  const t = typeOf(v);
  if (t == T_FLOAT) return fval(v);
  if (t == T_BIG) return bigToF64(v);
  return v == TRUE ? 1.0 : 0.0;
}

// ---------------------------------------------------------------------------------------------------------
// Buffers (bytes, bytearray): bytes keep data inline, bytearray in a raw block: data @4, len @8, cap @12.

export function bufData(v: V): usize {
  return typeOf(v) == T_BYTEARRAY ? <usize>field(v, 0) + 4 : <usize>v + 12;
}
export function bufLen(v: V): i32 {
  return typeOf(v) == T_BYTEARRAY ? load<i32>(v + 8) : load<i32>(v + 4);
}
export function newBytearray(n: i32): V {
  const o = pushTemp(alloc(T_BYTEARRAY, 16));
  if (o == NULL) {
    popTemp(1);
    return memError();
  }
  const cap = n < 8 ? 8 : n;
  const data = newBraw(cap);
  popTemp(1);
  if (data == NULL) return NULL;
  setField(o, 0, data);
  store<i32>(o + 8, n);
  store<i32>(o + 12, cap);
  return o;
}
export function bytearrayReserve(o: V, n: i32): bool {
  const cap = load<i32>(o + 12);
  if (n <= cap) return true;
  let c = cap * 2;
  if (c < n) c = n;
  pushTemp(o);
  const data = newBraw(c);
  popTemp(1);
  if (data == NULL) return false;
  memory.copy(<usize>data + 4, bufData(o), <usize>bufLen(o));
  setField(o, 0, data);
  store<i32>(o + 12, c);
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Classes of builtin types and exception classes, filled in by builtins.ts

let typeClassRoot: i32 = -1;
export function initTypeTable(): void {
  typeClassRoot = addRoot(NULL);
  setRoot(typeClassRoot, newRaw(T_COUNT + EXC_COUNT));
}
export function typeClass(t: i32): V {
  if (typeClassRoot < 0) return NULL;
  return load<i32>(<usize>getRoot(typeClassRoot) + 4 + (<usize>t << 2));
}
export function setTypeClass(t: i32, c: V): void {
  store<i32>(<usize>getRoot(typeClassRoot) + 4 + (<usize>t << 2), c);
}
export function excType(e: i32): V {
  return typeClass(T_COUNT + e);
}
export function setExcType(e: i32, c: V): void {
  setTypeClass(T_COUNT + e, c);
}

export const EXC_BASE: i32 = 0;
export const EXC_EXCEPTION: i32 = 1;
export const EXC_TYPEERROR: i32 = 2;
export const EXC_VALUEERROR: i32 = 3;
export const EXC_NAMEERROR: i32 = 4;
export const EXC_ATTRIBUTEERROR: i32 = 5;
export const EXC_INDEXERROR: i32 = 6;
export const EXC_KEYERROR: i32 = 7;
export const EXC_ZERODIV: i32 = 8;
export const EXC_STOPITERATION: i32 = 9;
export const EXC_SYNTAXERROR: i32 = 10;
export const EXC_MEMORYERROR: i32 = 11;
export const EXC_OVERFLOW: i32 = 12;
export const EXC_RUNTIME: i32 = 13;
export const EXC_ASSERTION: i32 = 14;
export const EXC_LOOKUP: i32 = 15;
export const EXC_ARITHMETIC: i32 = 16;
export const EXC_NOTIMPL: i32 = 17;
export const EXC_KEYBOARDINT: i32 = 18;
export const EXC_SYSTEMEXIT: i32 = 19;
export const EXC_IMPORTERROR: i32 = 20;
export const EXC_UNBOUNDLOCAL: i32 = 21;
export const EXC_OSERROR: i32 = 22;
export const EXC_INDENTATION: i32 = 23;
export const EXC_RECURSION: i32 = 24;
export const EXC_GENERATOREXIT: i32 = 25;
export const EXC_UNICODE: i32 = 26;
export const EXC_COUNT: i32 = 27;

export function raiseType(msg: string): V {
  return raise(excType(EXC_TYPEERROR), msg);
}
export function raiseValue(msg: string): V {
  return raise(excType(EXC_VALUEERROR), msg);
}

let notImplemented: V = NULL;
export function NOT_IMPLEMENTED(): V {
  return notImplemented;
}
export function setNotImplemented(v: V): void {
  notImplemented = v;
  addRoot(v);
}

/** Class of any value (a T_CLASS object). */
export function classOf(v: V): V {
  const t = typeOf(v);
  if (t == T_INST) return field(v, 0);
  return typeClass(t);
}
export function typeName(v: V): string {
  const c = classOf(v);
  if (c == NULL) return '?';
  return strToAS(field(c, 0));
}
export function className(c: V): string {
  return strToAS(field(c, 0));
}

// Special method names (interned at start), looked up on instances of user classes.
export const SP_INIT: i32 = 0;
export const SP_REPR: i32 = 1;
export const SP_STR: i32 = 2;
export const SP_EQ: i32 = 3;
export const SP_HASH: i32 = 4;
export const SP_LEN: i32 = 5;
export const SP_ITER: i32 = 6;
export const SP_NEXT: i32 = 7;
export const SP_GETITEM: i32 = 8;
export const SP_SETITEM: i32 = 9;
export const SP_CONTAINS: i32 = 10;
export const SP_CALL: i32 = 11;
export const SP_BOOL: i32 = 12;
export const SP_DELITEM: i32 = 13;
export const SP_GETATTR: i32 = 14;
export const SP_NEW: i32 = 15;
export const SP_ENTER: i32 = 16;
export const SP_EXIT: i32 = 17;
export const SP_COUNT: i32 = 18;
const SP_NAMES: StaticArray<string> = [
  '__init__', '__repr__', '__str__', '__eq__', '__hash__', '__len__', '__iter__', '__next__', '__getitem__',
  '__setitem__', '__contains__', '__call__', '__bool__', '__delitem__', '__getattr__', '__new__', '__enter__',
  '__exit__',
];
let spRoot: i32 = -1;
export function initSpecialNames(): void {
  spRoot = addRoot(newRaw(SP_COUNT));
  for (let i = 0; i < SP_COUNT; i++) {
    store<i32>(<usize>getRoot(spRoot) + 4 + (<usize>i << 2), internAS(SP_NAMES[i]));
  }
}
export function spName(i: i32): V {
  return load<i32>(<usize>getRoot(spRoot) + 4 + (<usize>i << 2));
}

/** truth value: 1, 0 or -1 (exception). */
export function truthy(v: V): i32 {
  if (v == TRUE) return 1;
  if (v == FALSE || v == NONE) return 0;
  if (isSmall(v)) return v != 1 ? 1 : 0;
  const t = typeOf(v);
  switch (t) {
    case T_FLOAT:
      return fval(v) != 0 ? 1 : 0;
    case T_BIG:
      return 1;
    case T_STR:
    case T_BYTES:
      return slen(v) != 0 ? 1 : 0;
    case T_BYTEARRAY:
      return bufLen(v) != 0 ? 1 : 0;
    case T_TUPLE:
      return tlen(v) != 0 ? 1 : 0;
    case T_LIST:
      return llen(v) != 0 ? 1 : 0;
    case T_DICT:
    case T_SET:
      return dlen(v) != 0 ? 1 : 0;
    case T_INST: {
      let m = lookupSpecial(v, SP_BOOL);
      if (m == NULL) m = lookupSpecial(v, SP_LEN);
      if (m == NULL) return 1;
      const r = call0(m);
      if (r == NULL) return -1;
      return truthy(r);
    }
    default:
      return rangeTruthy(v);
  }
}

// Implemented in builtins (range length) to keep this module free of range details.
import { rangeTruthy } from './builtins';
import { bigToF64 } from './big';
export { T_CELL, T_NATIVE, T_CLASS, T_RAW, T_BRAW };
