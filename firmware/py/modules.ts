// Library modules beyond the core builtins: struct, binascii, json, array.
import {
  V, NULL, NONE, TRUE, FALSE, typeOf, field, setField, isSmall, smallVal, mkSmall, pushTemp, popTemp, alloc,
  T_INT, T_BOOL, T_BIG, T_FLOAT, T_STR, T_BYTES, T_BYTEARRAY, T_TUPLE, T_LIST, T_DICT, T_NONE, T_INST,
  T_MODULE, DELETED, STOP,
} from './obj';
import {
  raise, raiseType, raiseValue, excType, EXC_VALUEERROR, EXC_KEYERROR, newTuple, tupleSet, tlen, titem,
  newList, listAppend, llen, litem, newDict, dictSet, dictGet, dused, dkey, dval, newStrLen, newStr, newBytes,
  newBytearray, bufData, bufLen, newFloat, fval, toF64, smallOf, strToAS, sdata, slen, internAS, strFrom,
  strFromOut, newInstance, typeName, seqItems, seqLen, dlen,
} from './rt';
import { newClass, listFromIterable } from './vm';
import { toOut, fromI64, getIter, iterNext } from './ops';
import { bigToI64, bigFromI64 } from './big';
import { Out } from './out';

export const MOD_BASE: i32 = 400;
const S_PACK = 400, S_UNPACK = 401, S_CALCSIZE = 402, S_PACK_INTO = 403, S_UNPACK_FROM = 404;
const B_HEXLIFY = 410, B_UNHEXLIFY = 411, B_A2B64 = 412, B_B2A64 = 413;
const J_DUMPS = 420, J_LOADS = 421;
const A_NEW = 430, A_GETITEM = 431, A_SETITEM = 432, A_LEN = 433, A_ITER = 434, A_APPEND = 435, A_EXTEND = 436,
  A_REPR = 437, A_TOBYTES = 438;

export type DefFn = (d: V, name: string, id: i32) => void;
export type ModFn = (name: string) => V;

let arrayClass: V = NULL;

export function initExtraModules(def: DefFn, newModule: ModFn, addRootFn: (v: V) => i32): void {
  const st = field(newModule('struct'), 1);
  def(st, 'pack', S_PACK);
  def(st, 'unpack', S_UNPACK);
  def(st, 'calcsize', S_CALCSIZE);
  def(st, 'pack_into', S_PACK_INTO);
  def(st, 'unpack_from', S_UNPACK_FROM);
  const ba = field(newModule('binascii'), 1);
  def(ba, 'hexlify', B_HEXLIFY);
  def(ba, 'unhexlify', B_UNHEXLIFY);
  def(ba, 'a2b_base64', B_A2B64);
  def(ba, 'b2a_base64', B_B2A64);
  const js = field(newModule('json'), 1);
  def(js, 'dumps', J_DUMPS);
  def(js, 'loads', J_LOADS);
  const ar = newModule('array');
  const d = pushTemp(newDict());
  const bases = pushTemp(newTuple(0));
  arrayClass = newClass(internAS('array'), bases, d);
  popTemp(2);
  addRootFn(arrayClass);
  // The class's constructor slot: instantiation calls A_NEW (see vm.instantiate).
  store<i32>(arrayClass + 20, 0x7e);
  def(d, '__new__', A_NEW);
  setField(arrayClass, 3, dictGet(d, internAS('__new__')));
  def(d, '__getitem__', A_GETITEM);
  def(d, '__setitem__', A_SETITEM);
  def(d, '__len__', A_LEN);
  def(d, '__iter__', A_ITER);
  def(d, 'append', A_APPEND);
  def(d, 'extend', A_EXTEND);
  def(d, '__repr__', A_REPR);
  def(d, 'tobytes', A_TOBYTES);
  dictSet(field(ar, 1), internAS('array'), arrayClass);
}

function arg(args: usize, i: i32): V {
  return load<i32>(args + (<usize>i << 2));
}

// ---------------------------------------------------------------------------------------------------------
// struct

function isLittle(c: i32): bool {
  return c != 62 && c != 33; // '>' and '!' are big-endian
}
function itemSize(c: i32): i32 {
  switch (c) {
    case 98: case 66: case 120: case 115: case 63: case 99: return 1; // b B x s ? c
    case 104: case 72: case 101: return 2; // h H e
    case 105: case 73: case 108: case 76: case 102: return 4; // i I l L f
    case 113: case 81: case 100: return 8; // q Q d
    case 80: return 4; // P
  }
  return -1;
}

// parsed format: list of (code, count)
let fmtCodes: Array<i32> = [];
let fmtCounts: Array<i32> = [];
let fmtNative = true;
let fmtLittle = true;

function parseFmt(f: V): i32 {
  const p = sdata(f);
  const n = slen(f);
  fmtCodes = [];
  fmtCounts = [];
  let i = 0;
  fmtNative = true;
  fmtLittle = true;
  if (n > 0) {
    const c = <i32>load<u8>(p);
    if (c == 64 || c == 61 || c == 60 || c == 62 || c == 33) {
      fmtNative = c == 64;
      fmtLittle = isLittle(c);
      i = 1;
    }
  }
  let size = 0;
  while (i < n) {
    let c = <i32>load<u8>(p + <usize>i);
    if (c == 32) {
      i++;
      continue;
    }
    let count = -1;
    while (c >= 48 && c <= 57) {
      count = (count < 0 ? 0 : count * 10) + c - 48;
      i++;
      c = i < n ? <i32>load<u8>(p + <usize>i) : 0;
    }
    const sz = itemSize(c);
    if (sz < 0) {
      raise(excType(EXC_VALUEERROR), 'bad char in struct format');
      return -1;
    }
    if (count < 0) count = 1;
    if (fmtNative && c != 115 && c != 120) {
      while (size % sz) size++;
    }
    size += c == 115 || c == 120 ? count : sz * count;
    fmtCodes.push(c);
    fmtCounts.push(count);
    i++;
  }
  return size;
}

function putInt(p: usize, sz: i32, v: i64, little: bool): void {
  for (let k = 0; k < sz; k++) {
    const at = little ? k : sz - 1 - k;
    store<u8>(p + <usize>at, <u8>(v & 255));
    v >>= 8;
  }
}
function getInt(p: usize, sz: i32, little: bool, signed: bool): i64 {
  let v: u64 = 0;
  for (let k = 0; k < sz; k++) {
    const at = little ? sz - 1 - k : k;
    v = (v << 8) | <u64>load<u8>(p + <usize>at);
  }
  if (signed && sz < 8 && (v >> (<u64>(sz * 8 - 1))) & 1) return <i64>v - ((<i64>1) << (sz * 8));
  return <i64>v;
}
function intOf(v: V): i64 {
  const t = typeOf(v);
  if (t == T_BIG) return bigToI64(v);
  return <i64>smallOf(v);
}

/** Packs args[0..n) into p following the parsed format; false with an exception pending. */
function packInto(p: usize, args: usize, n: i32): bool {
  let ai = 0;
  let off = 0;
  for (let k = 0; k < fmtCodes.length; k++) {
    const c = fmtCodes[k];
    const count = fmtCounts[k];
    const sz = itemSize(c);
    if (fmtNative && c != 115 && c != 120) while (off % sz) off++;
    if (c == 120) {
      memory.fill(p + <usize>off, 0, <usize>count);
      off += count;
      continue;
    }
    if (c == 115) {
      if (ai >= n) return tooFew();
      const v = arg(args, ai++);
      const len = bufLen(v);
      memory.fill(p + <usize>off, 0, <usize>count);
      memory.copy(p + <usize>off, bufData(v), <usize>(len < count ? len : count));
      off += count;
      continue;
    }
    for (let r = 0; r < count; r++) {
      if (ai >= n) return tooFew();
      const v = arg(args, ai++);
      if (c == 102 || c == 100) {
        const x = toF64(v);
        if (c == 102) putInt(p + <usize>off, 4, <i64>reinterpret<u32>(<f32>x), fmtLittle);
        else putInt(p + <usize>off, 8, reinterpret<i64>(x), fmtLittle);
      } else {
        const t = typeOf(v);
        if (t != T_INT && t != T_BOOL && t != T_BIG) {
          raise(excType(EXC_VALUEERROR), 'required argument is not an integer');
          return false;
        }
        putInt(p + <usize>off, sz, intOf(v), fmtLittle);
      }
      off += sz;
    }
  }
  if (ai != n) {
    raise(excType(EXC_VALUEERROR), 'pack expected ' + ai.toString() + ' items for packing (got ' + n.toString() + ')');
    return false;
  }
  return true;
}
function tooFew(): bool {
  raise(excType(EXC_VALUEERROR), 'not enough arguments for struct format');
  return false;
}

function unpackFrom(p: usize): V {
  let total = 0;
  for (let k = 0; k < fmtCodes.length; k++) total += fmtCodes[k] == 115 ? 1 : fmtCodes[k] == 120 ? 0 : fmtCounts[k];
  const t = pushTemp(newTuple(total));
  let ti = 0;
  let off = 0;
  for (let k = 0; k < fmtCodes.length; k++) {
    const c = fmtCodes[k];
    const count = fmtCounts[k];
    const sz = itemSize(c);
    if (fmtNative && c != 115 && c != 120) while (off % sz) off++;
    if (c == 120) {
      off += count;
      continue;
    }
    if (c == 115) {
      tupleSet(t, ti++, newBytes(p + <usize>off, count));
      off += count;
      continue;
    }
    for (let r = 0; r < count; r++) {
      let v: V;
      if (c == 102) v = newFloat(<f64>reinterpret<f32>(<u32>getInt(p + <usize>off, 4, fmtLittle, false)));
      else if (c == 100) v = newFloat(reinterpret<f64>(getInt(p + <usize>off, 8, fmtLittle, false)));
      else if (c == 63) v = load<u8>(p + <usize>off) ? TRUE : FALSE;
      else {
        const signed = c == 98 || c == 104 || c == 105 || c == 108 || c == 113;
        const x = getInt(p + <usize>off, sz, fmtLittle, signed);
        v = sz == 8 && !signed && x < 0 ? bigFromU64(<u64>x) : fromI64(x);
      }
      tupleSet(t, ti++, v);
      off += sz;
    }
  }
  popTemp(1);
  return t;
}
function bigFromU64(u: u64): V {
  // 2^63 and above: build from two halves
  const hi = bigFromI64(<i64>(u >> 1));
  const r = fromI64(<i64>(u & 1));
  pushTemp(hi);
  pushTemp(r);
  const twice = binAdd(hi, hi);
  pushTemp(twice);
  const res = binAdd(twice, r);
  popTemp(3);
  return res;
}
import { bigAdd } from './big';
function binAdd(a: V, b: V): V {
  return bigAdd(a, b);
}

// ---------------------------------------------------------------------------------------------------------
// json

function jsonDump(v: V, o: Out): bool {
  const t = typeOf(v);
  if (v == NONE) {
    o.str('null');
    return true;
  }
  if (v == TRUE || v == FALSE) {
    o.str(v == TRUE ? 'true' : 'false');
    return true;
  }
  if (t == T_INT || t == T_BIG || t == T_FLOAT) return toOut(v, o, true);
  if (t == T_STR) {
    jsonStr(v, o);
    return true;
  }
  if (t == T_LIST || t == T_TUPLE) {
    o.byte(91);
    for (let i = 0; i < seqLen(v); i++) {
      if (i) o.str(', ');
      if (!jsonDump(load<i32>(seqItems(v) + (<usize>i << 2)), o)) return false;
    }
    o.byte(93);
    return true;
  }
  if (t == T_DICT) {
    o.byte(123);
    let first = true;
    for (let i = 0; i < dused(v); i++) {
      const k = dkey(v, i);
      if (k == DELETED) continue;
      if (!first) o.str(', ');
      first = false;
      const kt = typeOf(k);
      if (kt == T_STR) jsonStr(k, o);
      else {
        o.byte(34);
        if (k == NONE) o.str('null');
        else if (k == TRUE || k == FALSE) o.str(k == TRUE ? 'true' : 'false');
        else if (!toOut(k, o, false)) return false;
        o.byte(34);
      }
      o.str(': ');
      if (!jsonDump(dval(v, i), o)) return false;
    }
    o.byte(125);
    return true;
  }
  raiseType('Object of type ' + typeName(v) + ' is not JSON serializable');
  return false;
}
function jsonStr(v: V, o: Out): void {
  o.byte(34);
  const p = sdata(v);
  const n = slen(v);
  const hx = '0123456789abcdef';
  let i = 0;
  while (i < n) {
    const c = <i32>load<u8>(p + <usize>i);
    if (c == 34 || c == 92) {
      o.byte(92);
      o.byte(c);
    } else if (c == 10) o.str('\\n');
    else if (c == 13) o.str('\\r');
    else if (c == 9) o.str('\\t');
    else if (c < 32) {
      o.str('\\u00');
      o.byte(hx.charCodeAt(c >> 4));
      o.byte(hx.charCodeAt(c & 15));
    } else if (c >= 0x80) {
      // non-ASCII as \\uXXXX like CPython's default ensure_ascii
      let cp = 0;
      let k = 0;
      if (c >= 0xf0) {
        cp = c & 7;
        k = 3;
      } else if (c >= 0xe0) {
        cp = c & 15;
        k = 2;
      } else {
        cp = c & 31;
        k = 1;
      }
      for (let q = 1; q <= k && i + q < n; q++) cp = (cp << 6) | (<i32>load<u8>(p + <usize>(i + q)) & 63);
      i += k;
      const units: Array<i32> = cp >= 0x10000 ? [0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff)] : [cp];
      for (let u = 0; u < units.length; u++) {
        o.str('\\u');
        for (let sh = 12; sh >= 0; sh -= 4) o.byte(hx.charCodeAt((units[u] >> sh) & 15));
      }
    } else o.byte(c);
    i++;
  }
  o.byte(34);
}

let jp: usize = 0;
let jn: i32 = 0;
let ji: i32 = 0;
function jws(): void {
  while (ji < jn) {
    const c = load<u8>(jp + <usize>ji);
    if (c == 32 || c == 9 || c == 10 || c == 13) ji++;
    else break;
  }
}
function jsonErr(): V {
  return raise(excType(EXC_VALUEERROR), 'syntax error in JSON');
}
function jsonParse(): V {
  jws();
  if (ji >= jn) return jsonErr();
  const c = <i32>load<u8>(jp + <usize>ji);
  if (c == 123) {
    ji++;
    const d = pushTemp(newDict());
    jws();
    if (ji < jn && load<u8>(jp + <usize>ji) == 125) {
      ji++;
      popTemp(1);
      return d;
    }
    for (;;) {
      jws();
      const k = pushTemp(jsonParse());
      if (k == NULL || typeOf(k) != T_STR) {
        popTemp(2);
        return k == NULL ? NULL : jsonErr();
      }
      jws();
      if (ji >= jn || load<u8>(jp + <usize>ji) != 58) {
        popTemp(2);
        return jsonErr();
      }
      ji++;
      const v = jsonParse();
      if (v == NULL) {
        popTemp(2);
        return NULL;
      }
      dictSet(d, k, v);
      popTemp(1);
      jws();
      if (ji < jn && load<u8>(jp + <usize>ji) == 44) {
        ji++;
        continue;
      }
      if (ji < jn && load<u8>(jp + <usize>ji) == 125) {
        ji++;
        popTemp(1);
        return d;
      }
      popTemp(1);
      return jsonErr();
    }
  }
  if (c == 91) {
    ji++;
    const l = pushTemp(newList(4));
    jws();
    if (ji < jn && load<u8>(jp + <usize>ji) == 93) {
      ji++;
      popTemp(1);
      return l;
    }
    for (;;) {
      const v = jsonParse();
      if (v == NULL) {
        popTemp(1);
        return NULL;
      }
      listAppend(l, v);
      jws();
      if (ji < jn && load<u8>(jp + <usize>ji) == 44) {
        ji++;
        continue;
      }
      if (ji < jn && load<u8>(jp + <usize>ji) == 93) {
        ji++;
        popTemp(1);
        return l;
      }
      popTemp(1);
      return jsonErr();
    }
  }
  if (c == 34) {
    ji++;
    const o = new Out();
    while (ji < jn && load<u8>(jp + <usize>ji) != 34) {
      let ch = <i32>load<u8>(jp + <usize>ji);
      if (ch == 92 && ji + 1 < jn) {
        ji++;
        ch = <i32>load<u8>(jp + <usize>ji);
        if (ch == 110) o.byte(10);
        else if (ch == 116) o.byte(9);
        else if (ch == 114) o.byte(13);
        else if (ch == 98) o.byte(8);
        else if (ch == 102) o.byte(12);
        else if (ch == 117 && ji + 4 < jn) {
          const cp = I32.parseInt(String.UTF8.decodeUnsafe(jp + <usize>ji + 1, 4), 16);
          ji += 4;
          utf8(o, cp);
        } else o.byte(ch);
        ji++;
        continue;
      }
      o.byte(ch);
      ji++;
    }
    ji++;
    const s = strFromOut(o);
    o.free();
    return s;
  }
  // literals and numbers
  const start = ji;
  while (ji < jn) {
    const ch = load<u8>(jp + <usize>ji);
    if (ch == 44 || ch == 93 || ch == 125 || ch == 32 || ch == 10 || ch == 13 || ch == 9 || ch == 58) break;
    ji++;
  }
  const w = String.UTF8.decodeUnsafe(jp + <usize>start, <usize>(ji - start));
  if (w == 'null') return NONE;
  if (w == 'true') return TRUE;
  if (w == 'false') return FALSE;
  if (w.length == 0) return jsonErr();
  let isFloat = false;
  for (let i = 0; i < w.length; i++) {
    const ch = w.charCodeAt(i);
    if (ch == 46 || ch == 101 || ch == 69) isFloat = true;
    else if (!(ch >= 48 && ch <= 57) && ch != 45 && ch != 43) return jsonErr();
  }
  if (isFloat) return newFloat(parseFloat(w));
  const b = bigParseJ(w);
  return b;
}
import { bigParse } from './big';
function bigParseJ(w: string): V {
  const v = bigParse(w, 10);
  return v == NULL ? jsonErr() : v;
}
function utf8(o: Out, c: i32): void {
  if (c < 0x80) o.byte(c);
  else if (c < 0x800) {
    o.byte(0xc0 | (c >> 6));
    o.byte(0x80 | (c & 63));
  } else {
    o.byte(0xe0 | (c >> 12));
    o.byte(0x80 | ((c >> 6) & 63));
    o.byte(0x80 | (c & 63));
  }
}

// ---------------------------------------------------------------------------------------------------------
// binascii

function hexVal(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// ---------------------------------------------------------------------------------------------------------
// array: an instance of class `array` whose dict holds typecode and a bytearray of packed items

function arrTc(self: V): i32 {
  return <i32>load<u8>(sdata(dictGet(field(self, 1), internAS('typecode'))));
}
function arrData(self: V): V {
  return dictGet(field(self, 1), internAS('_data'));
}
function arrLen(self: V): i32 {
  return bufLen(arrData(self)) / itemSize(arrTc(self));
}
function arrGet(self: V, i: i32): V {
  const tc = arrTc(self);
  const sz = itemSize(tc);
  const p = bufData(arrData(self)) + <usize>(i * sz);
  if (tc == 102) return newFloat(<f64>load<f32>(p));
  if (tc == 100) return newFloat(load<f64>(p));
  const signed = tc == 98 || tc == 104 || tc == 105 || tc == 108 || tc == 113;
  return fromI64(getInt(p, sz, true, signed));
}
function arrSet(self: V, i: i32, v: V): void {
  const tc = arrTc(self);
  const sz = itemSize(tc);
  const p = bufData(arrData(self)) + <usize>(i * sz);
  if (tc == 102) store<f32>(p, <f32>toF64(v));
  else if (tc == 100) store<f64>(p, toF64(v));
  else putInt(p, sz, intOf(v), true);
}
function arrAppend(self: V, v: V): bool {
  const d = arrData(self);
  const sz = itemSize(arrTc(self));
  const n = bufLen(d);
  if (!bytearrayReserve(d, n + sz)) return false;
  store<i32>(d + 8, n + sz);
  arrSet(self, n / sz, v);
  return true;
}
import { bytearrayReserve } from './rt';

export function modulesCall(id: i32, n: i32, args: usize, kw: V): V {
  const a0 = n > 0 ? arg(args, 0) : NULL;
  const a1 = n > 1 ? arg(args, 1) : NULL;
  switch (id) {
    case S_CALCSIZE: {
      const s = parseFmt(a0);
      return s < 0 ? NULL : mkSmall(s);
    }
    case S_PACK: {
      const s = parseFmt(a0);
      if (s < 0) return NULL;
      const b = pushTemp(newStrLen(T_BYTES, s));
      const ok = b != NULL && packInto(bufData(b), args + 4, n - 1);
      popTemp(1);
      return ok ? b : NULL;
    }
    case S_PACK_INTO: {
      const s = parseFmt(a0);
      if (s < 0) return NULL;
      const off = smallOf(arg(args, 2));
      if (off < 0 || off + s > bufLen(a1)) return raiseValue('buffer too small');
      return packInto(bufData(a1) + <usize>off, args + 12, n - 3) ? NONE : NULL;
    }
    case S_UNPACK:
    case S_UNPACK_FROM: {
      const s = parseFmt(a0);
      if (s < 0) return NULL;
      const off = id == S_UNPACK_FROM && n > 2 ? smallOf(arg(args, 2)) : 0;
      const len = bufLen(a1);
      if (id == S_UNPACK ? len != s : off + s > len) {
        return raiseValue((id == S_UNPACK ? 'unpack requires a buffer of ' : 'buffer too small, need ') + s.toString() + ' bytes');
      }
      return unpackFrom(bufData(a1) + <usize>off);
    }
    case B_HEXLIFY: {
      const o = new Out();
      const hx = '0123456789abcdef';
      const sep = n > 1 ? a1 : NULL;
      for (let i = 0; i < bufLen(a0); i++) {
        if (i && sep != NULL) o.bytes(bufData(sep), bufLen(sep));
        const c = <i32>load<u8>(bufData(a0) + <usize>i);
        o.byte(hx.charCodeAt(c >> 4));
        o.byte(hx.charCodeAt(c & 15));
      }
      const r = newBytes(o.ptr, o.len);
      o.free();
      return r;
    }
    case B_UNHEXLIFY: {
      const len = bufLen(a0);
      if (len & 1) return raiseValue('odd-length string');
      const r = newStrLen(T_BYTES, len / 2);
      if (r == NULL) return NULL;
      for (let i = 0; i < len / 2; i++) {
        const hi = hexVal(<i32>load<u8>(bufData(a0) + <usize>(2 * i)));
        const lo = hexVal(<i32>load<u8>(bufData(a0) + <usize>(2 * i + 1)));
        if (hi < 0 || lo < 0) return raiseValue('non-hex digit found');
        store<u8>(bufData(r) + <usize>i, <u8>((hi << 4) | lo));
      }
      return r;
    }
    case B_B2A64: {
      const o = new Out();
      const p = bufData(a0);
      const len = bufLen(a0);
      for (let i = 0; i < len; i += 3) {
        const b0 = <i32>load<u8>(p + <usize>i);
        const b1 = i + 1 < len ? <i32>load<u8>(p + <usize>(i + 1)) : 0;
        const b2 = i + 2 < len ? <i32>load<u8>(p + <usize>(i + 2)) : 0;
        o.byte(B64.charCodeAt(b0 >> 2));
        o.byte(B64.charCodeAt(((b0 & 3) << 4) | (b1 >> 4)));
        o.byte(i + 1 < len ? B64.charCodeAt(((b1 & 15) << 2) | (b2 >> 6)) : 61);
        o.byte(i + 2 < len ? B64.charCodeAt(b2 & 63) : 61);
      }
      const nl = kwFlag(args, n, kw, 'newline', true);
      if (nl) o.byte(10);
      const r = newBytes(o.ptr, o.len);
      o.free();
      return r;
    }
    case B_A2B64: {
      const o = new Out();
      let acc = 0;
      let bits = 0;
      for (let i = 0; i < bufLen(a0); i++) {
        const c = <i32>load<u8>(bufData(a0) + <usize>i);
        const v = B64.indexOf(String.fromCharCode(c));
        if (v < 0) continue; // padding and line breaks
        acc = (acc << 6) | v;
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          o.byte((acc >> bits) & 255);
        }
      }
      const r = newBytes(o.ptr, o.len);
      o.free();
      return r;
    }
    case J_DUMPS: {
      const o = new Out();
      const ok = jsonDump(a0, o);
      const r = ok ? strFromOut(o) : NULL;
      o.free();
      return r;
    }
    case J_LOADS: {
      jp = bufData(a0);
      jn = bufLen(a0);
      ji = 0;
      const v = jsonParse();
      if (v == NULL) return NULL;
      jws();
      if (ji < jn) return jsonErr();
      return v;
    }
    case A_NEW: {
      // array(typecode[, iterable]) — a0 is the class when called through instantiation
      const tcv = a1;
      if (typeOf(tcv) != T_STR || slen(tcv) != 1 || itemSize(<i32>load<u8>(sdata(tcv))) < 0) {
        return raiseValue('bad typecode (must be b, B, h, H, i, I, l, L, q, Q, f or d)');
      }
      const o = pushTemp(newInstance(arrayClass));
      dictSet(field(o, 1), internAS('typecode'), tcv);
      dictSet(field(o, 1), internAS('_data'), newBytearray(0));
      if (n > 2) {
        const l = pushTemp(listFromIterable(arg(args, 2)));
        if (l == NULL) {
          popTemp(2);
          return NULL;
        }
        for (let i = 0; i < llen(l); i++) arrAppend(o, litem(l, i));
        popTemp(1);
      }
      popTemp(1);
      return o;
    }
    case A_LEN:
      return mkSmall(arrLen(a0));
    case A_GETITEM: {
      let i = smallOf(a1);
      const len = arrLen(a0);
      if (i < 0) i += len;
      if (i < 0 || i >= len) return raise(excType(6), 'array index out of range');
      return arrGet(a0, i);
    }
    case A_SETITEM: {
      let i = smallOf(a1);
      const len = arrLen(a0);
      if (i < 0) i += len;
      if (i < 0 || i >= len) return raise(excType(6), 'array index out of range');
      arrSet(a0, i, arg(args, 2));
      return NONE;
    }
    case A_ITER: {
      const l = pushTemp(newList(arrLen(a0)));
      for (let i = 0; i < arrLen(a0); i++) listAppend(l, arrGet(a0, i));
      const it = getIter(l);
      popTemp(1);
      return it;
    }
    case A_APPEND:
      return arrAppend(a0, a1) ? NONE : NULL;
    case A_EXTEND: {
      const l = pushTemp(listFromIterable(a1));
      if (l == NULL) {
        popTemp(1);
        return NULL;
      }
      for (let i = 0; i < llen(l); i++) arrAppend(a0, litem(l, i));
      popTemp(1);
      return NONE;
    }
    case A_REPR: {
      const o = new Out();
      o.str("array('");
      o.byte(arrTc(a0));
      o.byte(39);
      const len = arrLen(a0);
      if (len) {
        o.str(', [');
        for (let i = 0; i < len; i++) {
          if (i) o.str(', ');
          toOut(arrGet(a0, i), o, true);
        }
        o.byte(93);
      }
      o.byte(41);
      const r = strFromOut(o);
      o.free();
      return r;
    }
    case A_TOBYTES: {
      const d = arrData(a0);
      return newBytes(bufData(d), bufLen(d));
    }
  }
  return raiseType('native function ' + id.toString() + ' is not implemented');
}

function kwFlag(args: usize, n: i32, kw: V, name: string, dflt: bool): bool {
  if (kw == NULL) return dflt;
  for (let i = 0; i < tlen(kw); i++) {
    if (strToAS(titem(kw, i)) == name) return arg(args, n + i) != FALSE && arg(args, n + i) != mkSmall(0);
  }
  return dflt;
}

// Keep the linter's view of intentionally shared helpers simple.
export {
  isSmall, smallVal, alloc, T_TUPLE, T_DICT, T_NONE, T_INST, T_MODULE, STOP, EXC_KEYERROR, newStr, fval, dlen,
  strFrom, iterNext, T_BYTEARRAY, T_FLOAT,
};
