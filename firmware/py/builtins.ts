// Builtin functions, methods of the builtin types, exception classes and the builtin modules.
//
// Map (sections marked with a dashed rule; search for the heading):
//   "Native function objects" — the id numbering (F_*) every native function is dispatched by
//   "Roots"                   — builtinsInit: the builtins dict, type and exception classes, the module
//                               table and importModule
//   "Argument helpers"        — argument count/kind checks shared by the natives
//   "String methods"          — str/bytes methods
//   "The dispatcher"          — callNative: one switch from id to implementation; math, re and the
//                               other modules (modules.ts) are delegated by id range at its top
import {
  V, NULL, NONE, TRUE, FALSE, STOP, DELETED, typeOf, field, setField, isSmall, smallVal, mkSmall, mkBool,
  alloc, pushTemp, popTemp, addRoot, getRoot, setRoot, collect, memFree, memAlloc, gcEnabled, vsp, setVsp,
  T_NATIVE, T_CLASS, T_INST, T_INT, T_BOOL, T_FLOAT, T_BIG, T_STR, T_BYTES, T_BYTEARRAY, T_TUPLE, T_LIST,
  T_DICT, T_SET, T_RANGE, T_FUNC, T_BOUND, T_NONE, T_MODULE, T_SLICE, T_ITER, T_PROPERTY, T_STATICMETHOD,
  T_CLASSMETHOD, T_CODE, T_CELL, fitsSmall,
  T_GEN,
} from './obj';
import {
  raise, raiseType, raiseValue, excType, setExcType, setTypeClass, typeClass, classOf, typeName, newDict,
  newDictT, dictGet, dictSet, dictDel, dictClear, dlen, dused, dkey, dval, newTuple, tupleSet, tlen, titem,
  tupleFrom, newList, listAppend, llen, litem, litems, lset, setLlen, internAS, strFrom, strToAS, newStr,
  newStrLen, sdata, slen, newBytes, newBytearray, bufData, bufLen, bytearrayReserve, newFloat, fval, toF64,
  smallOf, truthy, equals, hashOf, newInstance, setNotImplemented, setMemErrorInstance, initTypeTable,
  initSpecialNames, rtInit, pendingExc, setPending, utf8Count, utf8Offset, isAscii, seqItems, seqLen,
  strFromOut, lookupError, className, EXC_BASE, EXC_EXCEPTION, EXC_TYPEERROR, EXC_VALUEERROR, EXC_NAMEERROR,
  EXC_ATTRIBUTEERROR, EXC_INDEXERROR, EXC_KEYERROR, EXC_ZERODIV, EXC_STOPITERATION, EXC_SYNTAXERROR,
  EXC_MEMORYERROR, EXC_OVERFLOW, EXC_RUNTIME, EXC_ASSERTION, EXC_LOOKUP, EXC_ARITHMETIC, EXC_NOTIMPL,
  EXC_KEYBOARDINT, EXC_SYSTEMEXIT, EXC_IMPORTERROR, EXC_UNBOUNDLOCAL, EXC_OSERROR, EXC_INDENTATION,
  EXC_RECURSION, EXC_GENERATOREXIT, EXC_UNICODE, raiseArgs,
} from './rt';
import {
  callValue, call1, call2, getAttr, getAttrOrNull, setAttr, isInstance, isSubclass, newClass, setSuperClass,
  listFromIterable, extendList, updateDict, push, runCode, classLookup, resume,
} from './vm';
import {
  getIter, iterNext, newIter, toOut, strOf, formatSpec, fromI64, rangeLen, compareOp, binaryOp, unaryOp,
  findBytes, getItem, raiseKey, IT_ENUMERATE, IT_ZIP, IT_MAP, IT_FILTER, IT_REVERSED, IT_DICT_ITEMS,
  IT_DICT_VALUES, IT_DICT_KEYS, fmtFloat, toFixedSmall,
} from './ops';
import { bigParse, bigToOut, bigFromF64, bigIsNeg, bigToF64, raiseBadInt, bigFromI64, bigFits64, bigToI64 } from './big';
import * as O from './opcodes';
import { Out } from './out';
import { consoleWrite, ticksMs } from './hal';
import { compileSource } from './compiler';
import { initExtraModules, modulesCall, MOD_BASE } from './modules';
import { initRe, isReId, reCall } from './re';

// ---------------------------------------------------------------------------------------------------------
// Native function objects: name, data (values); id @12

export function newNative(name: string, id: i32): V {
  const n = pushTemp(internAS(name));
  const f = alloc(T_NATIVE, 16);
  popTemp(1);
  if (f == NULL) return NULL;
  setField(f, 0, n);
  setField(f, 1, NONE);
  store<i32>(f + 12, id);
  return f;
}

// Native ids
const F_PRINT = 1, F_LEN = 2, F_REPR = 3, F_TYPE = 4, F_ISINSTANCE = 5, F_ISSUBCLASS = 6, F_ABS = 7,
  F_MIN = 8, F_MAX = 9, F_SUM = 10, F_SORTED = 11, F_REVERSED = 12, F_ENUMERATE = 13, F_ZIP = 14, F_MAP = 15,
  F_FILTER = 16, F_CHR = 17, F_ORD = 18, F_HEX = 19, F_OCT = 20, F_BIN = 21, F_HASH = 22, F_ID = 23,
  F_ITER = 24, F_NEXT = 25, F_GETATTR = 26, F_SETATTR = 27, F_HASATTR = 28, F_DELATTR = 29, F_CALLABLE = 30,
  F_DIVMOD = 31, F_POW = 32, F_ROUND = 33, F_ALL = 34, F_ANY = 35, F_FORMAT = 36, F_EXEC = 37, F_EVAL = 38,
  F_GLOBALS = 39, F_PROPERTY = 40, F_STATICMETHOD = 41, F_CLASSMETHOD = 42, F_SUPER = 43, F_INPUT = 44;
// constructors
const C_INT = 60, C_FLOAT = 61, C_STR = 62, C_BOOL = 63, C_LIST = 64, C_TUPLE = 65, C_DICT = 66, C_SET = 67,
  C_BYTES = 68, C_BYTEARRAY = 69, C_RANGE = 70, C_OBJECT = 71, C_TYPE = 72, C_SLICE = 73, C_FROZENSET = 74;
// methods (self = args[0])
const M_LIST_APPEND = 100, M_LIST_EXTEND = 101, M_LIST_POP = 102, M_LIST_INSERT = 103, M_LIST_REMOVE = 104,
  M_LIST_INDEX = 105, M_LIST_COUNT = 106, M_LIST_SORT = 107, M_LIST_REVERSE = 108, M_LIST_COPY = 109,
  M_LIST_CLEAR = 110;
const M_DICT_GET = 120, M_DICT_KEYS = 121, M_DICT_VALUES = 122, M_DICT_ITEMS = 123, M_DICT_POP = 124,
  M_DICT_SETDEFAULT = 125, M_DICT_UPDATE = 126, M_DICT_COPY = 127, M_DICT_CLEAR = 128, M_DICT_POPITEM = 129;
const M_SET_ADD = 140, M_SET_REMOVE = 141, M_SET_DISCARD = 142, M_SET_POP = 143, M_SET_UPDATE = 144,
  M_SET_UNION = 145, M_SET_INTERSECTION = 146, M_SET_DIFFERENCE = 147, M_SET_ISSUBSET = 148, M_SET_COPY = 149,
  M_SET_CLEAR = 150, M_SET_ISSUPERSET = 151;
const M_STR_JOIN = 160, M_STR_SPLIT = 161, M_STR_STRIP = 162, M_STR_LSTRIP = 163, M_STR_RSTRIP = 164,
  M_STR_STARTSWITH = 165, M_STR_ENDSWITH = 166, M_STR_FIND = 167, M_STR_RFIND = 168, M_STR_INDEX = 169,
  M_STR_REPLACE = 170, M_STR_UPPER = 171, M_STR_LOWER = 172, M_STR_FORMAT = 173, M_STR_COUNT = 174,
  M_STR_ISDIGIT = 175, M_STR_ISALPHA = 176, M_STR_ISSPACE = 177, M_STR_ISUPPER = 178, M_STR_ISLOWER = 179,
  M_STR_ENCODE = 180, M_STR_SPLITLINES = 181, M_STR_CENTER = 182, M_STR_LJUST = 183, M_STR_RJUST = 184,
  M_STR_ZFILL = 185, M_STR_PARTITION = 186, M_STR_RSPLIT = 187, M_STR_ISALNUM = 188, M_STR_TITLE = 189,
  M_STR_CAPITALIZE = 190, M_STR_RPARTITION = 191;
const M_BYTES_DECODE = 200, M_BA_APPEND = 201, M_BA_EXTEND = 202, M_BYTES_HEX = 203, M_TUPLE_INDEX = 204,
  M_TUPLE_COUNT = 205, M_INT_TO_BYTES = 206, M_INT_FROM_BYTES = 207, M_INT_BIT_LENGTH = 208,
  M_OBJECT_INIT = 209, M_FLOAT_IS_INTEGER = 210, M_EXC_INIT = 211, M_GEN_SEND = 212;
// modules
const G_COLLECT = 220, G_MEM_FREE = 221, G_MEM_ALLOC = 222, G_ENABLE = 223, G_DISABLE = 224, G_ISENABLED = 225;
const T_TIME = 230, T_TICKS_MS = 231, T_TICKS_DIFF = 232, T_SLEEP = 233, T_SLEEP_MS = 234, T_TICKS_US = 235,
  T_SLEEP_US = 236, T_TICKS_ADD = 237;
const MATH_BASE = 240; // + index in MATH_FUNCS
const MP_CONST = 270, SYS_EXIT = 271, MP_MEM_INFO = 272;

const MATH_FUNCS: StaticArray<string> = [
  'sqrt', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'exp', 'log', 'floor', 'ceil', 'fabs', 'trunc', 'atan2',
  'pow', 'isnan', 'isinf', 'degrees', 'radians', 'log10', 'log2', 'isfinite', 'copysign', 'fmod', 'hypot',
];

// ---------------------------------------------------------------------------------------------------------
// Roots

let builtinsRoot: i32 = -1;
let modulesRoot: i32 = -1;
export function builtinsDict(): V {
  return getRoot(builtinsRoot);
}
function modules(): V {
  return getRoot(modulesRoot);
}

function def(d: V, name: string, id: i32): void {
  const f = pushTemp(newNative(name, id));
  dictSet(d, internAS(name), f);
  popTemp(1);
}

function makeClass(name: string, base: V, nativeType: i32): V {
  const n = pushTemp(internAS(name));
  const bases = pushTemp(base == NULL ? newTuple(0) : newTuple(1));
  if (base != NULL) tupleSet(bases, 0, base);
  const d = pushTemp(newDict());
  const c = newClass(n, bases, d);
  popTemp(3);
  store<i32>(c + 20, nativeType);
  return c;
}

function typeClassWith(t: i32, name: string, ctor: i32, base: V): V {
  const c = pushTemp(makeClass(name, base, ctor == 0 ? T_INST : t));
  if (ctor) setField(c, 3, newNative(name, ctor));
  setTypeClass(t, c);
  dictSet(builtinsDict(), internAS(name), c);
  popTemp(1);
  return c;
}

export function builtinsInit(): void {
  rtInit();
  initTypeTable();
  initSpecialNames();
  builtinsRoot = addRoot(newDict());
  modulesRoot = addRoot(newDict());
  const b = builtinsDict();
  // classes of the builtin types
  const object = typeClassWith(T_INST, 'object', C_OBJECT, NULL);
  store<i32>(object + 20, T_INST);
  def(field(object, 2), '__init__', M_OBJECT_INIT);
  typeClassWith(T_CLASS, 'type', C_TYPE, object);
  const intC = typeClassWith(T_INT, 'int', C_INT, object);
  typeClassWith(T_BOOL, 'bool', C_BOOL, intC);
  setTypeClass(T_BIG, intC);
  typeClassWith(T_FLOAT, 'float', C_FLOAT, object);
  typeClassWith(T_STR, 'str', C_STR, object);
  typeClassWith(T_BYTES, 'bytes', C_BYTES, object);
  typeClassWith(T_BYTEARRAY, 'bytearray', C_BYTEARRAY, object);
  typeClassWith(T_TUPLE, 'tuple', C_TUPLE, object);
  typeClassWith(T_LIST, 'list', C_LIST, object);
  typeClassWith(T_DICT, 'dict', C_DICT, object);
  typeClassWith(T_SET, 'set', C_SET, object);
  typeClassWith(T_RANGE, 'range', C_RANGE, object);
  typeClassWith(T_SLICE, 'slice', C_SLICE, object);
  typeClassWith(T_NONE, 'NoneType', 0, object);
  dictDel(b, internAS('NoneType'));
  typeClassWith(T_FUNC, 'function', 0, object);
  typeClassWith(T_BOUND, 'bound_method', 0, object);
  typeClassWith(T_NATIVE, 'function', 0, object);
  typeClassWith(T_MODULE, 'module', 0, object);
  typeClassWith(T_ITER, 'iterator', 0, object);
  typeClassWith(T_CODE, 'code', 0, object);
  typeClassWith(T_CELL, 'cell', 0, object);
  typeClassWith(T_GEN, 'generator', 0, object);
  def(field(typeClass(T_GEN), 2), 'send', M_GEN_SEND);
  typeClassWith(T_PROPERTY, 'property', F_PROPERTY, object);
  typeClassWith(T_STATICMETHOD, 'staticmethod', F_STATICMETHOD, object);
  typeClassWith(T_CLASSMETHOD, 'classmethod', F_CLASSMETHOD, object);
  for (let i = 0; i < 8; i++) dictDel(b, internAS(['function', 'bound_method', 'module', 'iterator', 'code', 'cell', 'NoneType', 'generator'][i]));
  dictSet(b, internAS('frozenset'), typeClass(T_SET));

  // exceptions
  const base = excClass(EXC_BASE, 'BaseException', NULL);
  def(field(base, 2), '__init__', M_EXC_INIT);
  excClass(EXC_SYSTEMEXIT, 'SystemExit', base);
  excClass(EXC_KEYBOARDINT, 'KeyboardInterrupt', base);
  excClass(EXC_GENERATOREXIT, 'GeneratorExit', base);
  const exc = excClass(EXC_EXCEPTION, 'Exception', base);
  const arith = excClass(EXC_ARITHMETIC, 'ArithmeticError', exc);
  excClass(EXC_ZERODIV, 'ZeroDivisionError', arith);
  excClass(EXC_OVERFLOW, 'OverflowError', arith);
  excClass(EXC_ASSERTION, 'AssertionError', exc);
  excClass(EXC_ATTRIBUTEERROR, 'AttributeError', exc);
  excClass(EXC_IMPORTERROR, 'ImportError', exc);
  excClass(EXC_MEMORYERROR, 'MemoryError', exc);
  const nameErr = excClass(EXC_NAMEERROR, 'NameError', exc);
  excClass(EXC_UNBOUNDLOCAL, 'UnboundLocalError', nameErr);
  const lookup = excClass(EXC_LOOKUP, 'LookupError', exc);
  excClass(EXC_INDEXERROR, 'IndexError', lookup);
  excClass(EXC_KEYERROR, 'KeyError', lookup);
  excClass(EXC_OSERROR, 'OSError', exc);
  const rt = excClass(EXC_RUNTIME, 'RuntimeError', exc);
  excClass(EXC_NOTIMPL, 'NotImplementedError', rt);
  excClass(EXC_RECURSION, 'RecursionError', rt);
  excClass(EXC_STOPITERATION, 'StopIteration', exc);
  const syn = excClass(EXC_SYNTAXERROR, 'SyntaxError', exc);
  excClass(EXC_INDENTATION, 'IndentationError', syn);
  excClass(EXC_TYPEERROR, 'TypeError', exc);
  const valErr = excClass(EXC_VALUEERROR, 'ValueError', exc);
  excClass(EXC_UNICODE, 'UnicodeError', valErr);
  // MemoryError is preallocated so that running out of heap can be reported.
  const me = newInstance(excType(EXC_MEMORYERROR));
  setMemErrorInstance(me); // rooted before the next allocation
  setField(me, 2, newTuple(0));
  dictSet(b, internAS('EnvironmentError'), excType(EXC_OSERROR));

  const hidden = makeClass('NotImplementedType', object, T_INST);
  pushTemp(hidden);
  const ni = newInstance(hidden);
  setNotImplemented(ni);
  dictSet(b, internAS('NotImplemented'), ni);
  const ell = newInstance(makeClass('ellipsis', object, T_INST));
  addRoot(ell);
  dictSet(b, internAS('Ellipsis'), ell);
  popTemp(1);
  const sup = makeClass('super', object, T_INST);
  addRoot(sup);
  setSuperClass(sup);
  setField(sup, 3, newNative('super', F_SUPER));
  store<i32>(sup + 20, T_SUPER_MARK);
  dictSet(b, internAS('super'), sup);

  const names: StaticArray<string> = [
    'print', 'len', 'repr', 'type', 'isinstance', 'issubclass', 'abs', 'min', 'max', 'sum', 'sorted', 'reversed',
    'enumerate', 'zip', 'map', 'filter', 'chr', 'ord', 'hex', 'oct', 'bin', 'hash', 'id', 'iter', 'next',
    'getattr', 'setattr', 'hasattr', 'delattr', 'callable', 'divmod', 'pow', 'round', 'all', 'any', 'format',
    'exec', 'eval', 'globals', '', '', '', '', 'input',
  ];
  for (let i = 0; i < names.length; i++) if (names[i].length) def(b, names[i], i + 1);
  dictDel(b, internAS('type'));
  dictSet(b, internAS('type'), typeClass(T_CLASS));
  dictSet(b, internAS('__name__'), internAS('builtins'));

  // methods
  const L = field(typeClass(T_LIST), 2);
  const ln: StaticArray<string> = ['append', 'extend', 'pop', 'insert', 'remove', 'index', 'count', 'sort', 'reverse', 'copy', 'clear'];
  for (let i = 0; i < ln.length; i++) def(L, ln[i], M_LIST_APPEND + i);
  const D = field(typeClass(T_DICT), 2);
  const dn: StaticArray<string> = ['get', 'keys', 'values', 'items', 'pop', 'setdefault', 'update', 'copy', 'clear', 'popitem'];
  for (let i = 0; i < dn.length; i++) def(D, dn[i], M_DICT_GET + i);
  const S = field(typeClass(T_SET), 2);
  const sn: StaticArray<string> = ['add', 'remove', 'discard', 'pop', 'update', 'union', 'intersection', 'difference', 'issubset', 'copy', 'clear', 'issuperset'];
  for (let i = 0; i < sn.length; i++) def(S, sn[i], M_SET_ADD + i);
  const Str = field(typeClass(T_STR), 2);
  const strn: StaticArray<string> = [
    'join', 'split', 'strip', 'lstrip', 'rstrip', 'startswith', 'endswith', 'find', 'rfind', 'index', 'replace',
    'upper', 'lower', 'format', 'count', 'isdigit', 'isalpha', 'isspace', 'isupper', 'islower', 'encode',
    'splitlines', 'center', 'ljust', 'rjust', 'zfill', 'partition', 'rsplit', 'isalnum', 'title', 'capitalize',
    'rpartition',
  ];
  for (let i = 0; i < strn.length; i++) def(Str, strn[i], M_STR_JOIN + i);
  const By = field(typeClass(T_BYTES), 2);
  const Ba = field(typeClass(T_BYTEARRAY), 2);
  def(By, 'decode', M_BYTES_DECODE);
  def(Ba, 'decode', M_BYTES_DECODE);
  def(By, 'hex', M_BYTES_HEX);
  def(Ba, 'hex', M_BYTES_HEX);
  def(Ba, 'append', M_BA_APPEND);
  def(Ba, 'extend', M_BA_EXTEND);
  // bytes share the search methods of str
  const shared: StaticArray<string> = ['find', 'startswith', 'endswith', 'count', 'split', 'strip', 'replace', 'join', 'index', 'rfind', 'lstrip', 'rstrip'];
  for (let i = 0; i < shared.length; i++) {
    const f = dictGet(Str, internAS(shared[i]));
    dictSet(By, internAS(shared[i]), f);
    dictSet(Ba, internAS(shared[i]), f);
  }
  const Tu = field(typeClass(T_TUPLE), 2);
  def(Tu, 'index', M_TUPLE_INDEX);
  def(Tu, 'count', M_TUPLE_COUNT);
  const I = field(typeClass(T_INT), 2);
  def(I, 'to_bytes', M_INT_TO_BYTES);
  const fb = pushTemp(alloc(T_CLASSMETHOD, 8));
  setField(fb, 0, newNative('from_bytes', M_INT_FROM_BYTES));
  dictSet(I, internAS('from_bytes'), fb);
  popTemp(1);
  def(I, 'bit_length', M_INT_BIT_LENGTH);
  def(field(typeClass(T_FLOAT), 2), 'is_integer', M_FLOAT_IS_INTEGER);

  initModules();
}

const T_SUPER_MARK: i32 = 0x7f;

function excClass(e: i32, name: string, base: V): V {
  const c = pushTemp(makeClass(name, base, T_INST));
  setExcType(e, c);
  dictSet(builtinsDict(), internAS(name), c);
  popTemp(1);
  return c;
}

function newModule(name: string): V {
  const n = pushTemp(internAS(name));
  const d = pushTemp(newDict());
  const m = alloc(T_MODULE, 12);
  popTemp(2);
  setField(m, 0, n);
  setField(m, 1, d);
  dictSet(d, internAS('__name__'), n);
  pushTemp(m);
  dictSet(modules(), n, m);
  popTemp(1);
  return m;
}

function initModules(): void {
  const gc = field(newModule('gc'), 1);
  def(gc, 'collect', G_COLLECT);
  def(gc, 'mem_free', G_MEM_FREE);
  def(gc, 'mem_alloc', G_MEM_ALLOC);
  def(gc, 'enable', G_ENABLE);
  def(gc, 'disable', G_DISABLE);
  def(gc, 'isenabled', G_ISENABLED);
  const tm = field(newModule('time'), 1);
  def(tm, 'time', T_TIME);
  def(tm, 'ticks_ms', T_TICKS_MS);
  def(tm, 'ticks_us', T_TICKS_US);
  def(tm, 'ticks_diff', T_TICKS_DIFF);
  def(tm, 'ticks_add', T_TICKS_ADD);
  def(tm, 'sleep', T_SLEEP);
  def(tm, 'sleep_ms', T_SLEEP_MS);
  def(tm, 'sleep_us', T_SLEEP_US);
  const m = field(newModule('math'), 1);
  for (let i = 0; i < MATH_FUNCS.length; i++) def(m, MATH_FUNCS[i], MATH_BASE + i);
  dictSet(m, internAS('pi'), newFloat(Math.PI));
  dictSet(m, internAS('e'), newFloat(Math.E));
  dictSet(m, internAS('inf'), newFloat(Infinity));
  dictSet(m, internAS('nan'), newFloat(NaN));
  const mp = field(newModule('micropython'), 1);
  def(mp, 'const', MP_CONST);
  def(mp, 'mem_info', MP_MEM_INFO);
  const sys = field(newModule('sys'), 1);
  def(sys, 'exit', SYS_EXIT);
  dictSet(sys, internAS('argv'), newList(0));
  dictSet(sys, internAS('version'), strFrom('3.4.0; emboard'));
  dictSet(sys, internAS('platform'), strFrom('emboard'));
  dictSet(sys, internAS('byteorder'), strFrom('little'));
  dictSet(sys, internAS('maxsize'), bigFromI64(0x7fffffff));
  dictSet(sys, internAS('modules'), modules());
  const vi = pushTemp(newTuple(3));
  tupleSet(vi, 0, mkSmall(3));
  tupleSet(vi, 1, mkSmall(4));
  tupleSet(vi, 2, mkSmall(0));
  dictSet(sys, internAS('version_info'), vi);
  popTemp(1);
  const bm = newModule('builtins');
  setField(bm, 1, builtinsDict());
  initExtraModules(def, newModule, addRoot);
  initRe(def, newModule, addRoot);
}

export function importModule(name: V): V {
  let m = dictGet(modules(), name);
  if (m != NULL) return m;
  const s = strToAS(name);
  if (s.startsWith('u') && s.length > 1) {
    m = dictGet(modules(), internAS(s.substring(1)));
    if (m != NULL) return m;
  }
  return raise(excType(EXC_IMPORTERROR), "no module named '" + s + "'");
}

export function rangeTruthy(v: V): i32 {
  if (typeOf(v) == T_RANGE) return rangeLen(v) != 0 ? 1 : 0;
  return 1;
}

// ---------------------------------------------------------------------------------------------------------
// Argument helpers

function arg(args: usize, i: i32): V {
  return load<i32>(args + (<usize>i << 2));
}
/** Value of keyword argument `name`, or NULL. */
function kwarg(args: usize, n: i32, kw: V, name: string): V {
  if (kw == NULL) return NULL;
  const k = tlen(kw);
  for (let i = 0; i < k; i++) if (strToAS(titem(kw, i)) == name) return arg(args, n + i);
  return NULL;
}
function nargsError(name: string, n: i32): V {
  return raiseType(name + '() takes ' + n.toString() + ' positional arguments');
}
function needInt(v: V): bool {
  const t = typeOf(v);
  if (t == T_INT || t == T_BOOL || t == T_BIG) return true;
  raiseType("can't convert " + typeName(v) + ' to int');
  return false;
}
function isStrLike(t: i32): bool {
  return t == T_STR || t == T_BYTES || t == T_BYTEARRAY;
}

export function lenOf(v: V): i32 {
  const t = typeOf(v);
  switch (t) {
    case T_STR: return isAscii(v) ? slen(v) : utf8Count(sdata(v), slen(v));
    case T_BYTES:
    case T_BYTEARRAY: return bufLen(v);
    case T_TUPLE:
    case T_LIST: return seqLen(v);
    case T_DICT:
    case T_SET: return dlen(v);
    case T_RANGE: return rangeLen(v);
    case T_INST: {
      const m = getAttrOrNull(v, internAS('__len__'));
      if (m != NULL) {
        const r = callValue(m, 0, vsp, NULL);
        if (r == NULL) return -1;
        return smallOf(r);
      }
      if (pendingExc() != NONE) return -1;
      break;
    }
  }
  raiseType("object of type '" + typeName(v) + "' has no len()");
  return -1;
}

function print(args: usize, n: i32, kw: V): V {
  const sepv = kwarg(args, n, kw, 'sep');
  const endv = kwarg(args, n, kw, 'end');
  const o = new Out();
  for (let i = 0; i < n; i++) {
    if (i) {
      if (sepv != NULL && sepv != NONE) o.bytes(sdata(sepv), slen(sepv));
      else o.byte(32);
    }
    if (!toOut(arg(args, i), o, false)) {
      o.free();
      return NULL;
    }
  }
  if (endv != NULL && endv != NONE) o.bytes(sdata(endv), slen(endv));
  else o.byte(10);
  consoleWrite(o.ptr, o.len);
  o.free();
  return NONE;
}

/** min/max over args or one iterable, with key= and default=. */
function minmax(args: usize, n: i32, kw: V, isMax: bool): V {
  const key = kwarg(args, n, kw, 'key');
  const dflt = kwarg(args, n, kw, 'default');
  let items: V;
  if (n == 1) items = listFromIterable(arg(args, 0));
  else items = tupleFrom(args, n);
  if (items == NULL) return NULL;
  pushTemp(items);
  const cnt = seqLen(items);
  if (cnt == 0) {
    popTemp(1);
    if (dflt != NULL) return dflt;
    return raiseValue((isMax ? 'max' : 'min') + '() arg is an empty sequence');
  }
  let best = load<i32>(seqItems(items));
  let bestK = key != NULL && key != NONE ? call1(key, best) : best;
  if (bestK == NULL) {
    popTemp(1);
    return NULL;
  }
  pushTemp(bestK);
  for (let i = 1; i < cnt; i++) {
    const x = load<i32>(seqItems(items) + (<usize>i << 2));
    const k = key != NULL && key != NONE ? call1(key, x) : x;
    if (k == NULL) {
      popTemp(2);
      return NULL;
    }
    const c = compareOp(isMax ? O.CMP_GT : O.CMP_LT, k, bestK);
    if (c == NULL) {
      popTemp(2);
      return NULL;
    }
    if (c == TRUE) {
      best = x;
      bestK = k;
      popTemp(1);
      pushTemp(bestK);
    }
  }
  popTemp(2);
  return best;
}

/** Stable merge sort of a list in place with optional key function. */
function sortList(l: V, key: V, reverse: bool): bool {
  const n = llen(l);
  if (n < 2) return true;
  const keys = pushTemp(newList(n));
  if (keys == NULL) {
    popTemp(1);
    return false;
  }
  for (let i = 0; i < n; i++) {
    const k = key != NULL && key != NONE ? call1(key, litem(l, i)) : litem(l, i);
    if (k == NULL) {
      popTemp(1);
      return false;
    }
    listAppend(keys, k);
  }
  // sort an index permutation
  const idx = new Array<i32>(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const tmp = new Array<i32>(n);
  let failed = false;
  for (let width = 1; width < n && !failed; width *= 2) {
    for (let lo = 0; lo < n - width && !failed; lo += 2 * width) {
      const mid = lo + width;
      const hi = mid + width < n ? mid + width : n;
      let a = lo;
      let b = mid;
      let k = lo;
      while (a < mid && b < hi) {
        // take from the right only when strictly smaller (stability); reverse keeps stability too
        const c = compareOp(O.CMP_LT, reverse ? litem(keys, idx[a]) : litem(keys, idx[b]), reverse ? litem(keys, idx[b]) : litem(keys, idx[a]));
        if (c == NULL) {
          failed = true;
          break;
        }
        if (c == TRUE) tmp[k++] = idx[b++];
        else tmp[k++] = idx[a++];
      }
      while (a < mid) tmp[k++] = idx[a++];
      while (b < hi) tmp[k++] = idx[b++];
      for (let q = lo; q < hi; q++) idx[q] = tmp[q];
    }
  }
  if (failed) {
    popTemp(1);
    return false;
  }
  const copy = pushTemp(newList(n));
  for (let i = 0; i < n; i++) listAppend(copy, litem(l, i));
  for (let i = 0; i < n; i++) lset(l, i, litem(copy, idx[i]));
  popTemp(2);
  return true;
}

function toInt(v: V, baseV: V): V {
  const t = typeOf(v);
  if (baseV == NULL) {
    if (t == T_INT || t == T_BIG) return v;
    if (t == T_BOOL) return mkSmall(v == TRUE ? 1 : 0);
    if (t == T_FLOAT) {
      const x = fval(v);
      if (x != x) return raiseValue('cannot convert float NaN to integer');
      if (x == Infinity || x == -Infinity) return raise(excType(EXC_OVERFLOW), 'cannot convert float infinity to integer');
      const tr = Math.trunc(x);
      if (fitsSmall(<i64>tr) && Math.abs(tr) < 1e10) return mkSmall(<i32>tr);
      return bigFromF64(tr);
    }
  }
  if (isStrLike(t)) {
    const base = baseV == NULL ? 10 : smallOf(baseV);
    const s = String.UTF8.decodeUnsafe(bufData(v), <usize>bufLen(v));
    const r = bigParse(s, base);
    if (r == NULL) return raiseBadInt(s, base);
    return r;
  }
  if (t == T_INST) {
    const m = getAttrOrNull(v, internAS('__int__'));
    if (m != NULL) return callValue(m, 0, vsp, NULL);
  }
  return raiseType("can't convert " + typeName(v) + ' to int');
}

function toFloat(v: V): V {
  const t = typeOf(v);
  if (t == T_FLOAT) return v;
  if (t == T_INT || t == T_BOOL || t == T_BIG) return newFloat(toF64(v));
  if (t == T_STR) {
    const s = strToAS(v).trim().toLowerCase();
    if (s == 'inf' || s == '+inf' || s == 'infinity') return newFloat(Infinity);
    if (s == '-inf' || s == '-infinity') return newFloat(-Infinity);
    if (s == 'nan' || s == '+nan' || s == '-nan') return newFloat(NaN);
    if (!validFloat(s)) return raiseValue("could not convert string to float: '" + strToAS(v) + "'");
    return newFloat(parseFloat(s.replaceAll('_', '')));
  }
  return raiseType("can't convert " + typeName(v) + ' to float');
}
function validFloat(s: string): bool {
  let i = 0;
  const n = s.length;
  if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
  let digits = 0;
  while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
    i++;
    digits++;
  }
  if (i < n && s.charAt(i) == '.') {
    i++;
    while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
      i++;
      digits++;
    }
  }
  if (digits == 0) return false;
  if (i < n && s.charAt(i) == 'e') {
    i++;
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
    let ed = 0;
    while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
      i++;
      ed++;
    }
    if (ed == 0) return false;
  }
  return i == n;
}

function makeBytes(t: i32, v: V): V {
  if (v == NULL) return t == T_BYTES ? newStrLen(T_BYTES, 0) : newBytearray(0);
  const vt = typeOf(v);
  if (vt == T_INT) {
    const n = smallVal(v);
    if (n < 0) return raiseValue('negative count');
    return t == T_BYTES ? newStrLen(T_BYTES, n) : newBytearray(n);
  }
  if (vt == T_BYTES || vt == T_BYTEARRAY || vt == T_STR) {
    const n = bufLen(v);
    const r = t == T_BYTES ? newStrLen(T_BYTES, n) : newBytearray(n);
    if (r != NULL) memory.copy(bufData(r), bufData(v), <usize>n);
    return r;
  }
  const l = pushTemp(listFromIterable(v));
  if (l == NULL) {
    popTemp(1);
    return NULL;
  }
  const n = llen(l);
  const r = t == T_BYTES ? newStrLen(T_BYTES, n) : newBytearray(n);
  popTemp(1);
  if (r == NULL) return NULL;
  for (let i = 0; i < n; i++) {
    const x = litem(l, i);
    if (!isSmall(x) || smallVal(x) < 0 || smallVal(x) > 255) return raiseValue('bytes must be in range(0, 256)');
    store<u8>(bufData(r) + <usize>i, <u8>smallVal(x));
  }
  return r;
}

function hexOf(v: V, base: i32): V {
  if (!needInt(v)) return NULL;
  const o = new Out();
  if (typeOf(v) == T_BIG) bigToOut(v, o, base);
  else {
    const x = <i64>smallOf(v);
    if (x < 0) o.byte(45);
    o.str(base == 16 ? '0x' : base == 8 ? '0o' : '0b');
    o.str((x < 0 ? -x : x).toString(base));
  }
  const s = strFromOut(o);
  o.free();
  return s;
}

function roundHalfEven(x: f64): f64 {
  const r = Math.round(x);
  if (Math.abs(x - Math.trunc(x)) == 0.5) return 2 * Math.round(x / 2);
  return r;
}

function iterAll(v: V, wantAny: bool): V {
  const it = pushTemp(getIter(v));
  if (it == NULL) {
    popTemp(1);
    return NULL;
  }
  for (;;) {
    const x = iterNext(it);
    if (x == NULL) {
      popTemp(1);
      return NULL;
    }
    if (x == STOP) break;
    const t = truthy(x);
    if (t < 0) {
      popTemp(1);
      return NULL;
    }
    if (wantAny && t == 1) {
      popTemp(1);
      return TRUE;
    }
    if (!wantAny && t == 0) {
      popTemp(1);
      return FALSE;
    }
  }
  popTemp(1);
  return mkBool(!wantAny);
}

function sumOf(v: V, start: V): V {
  const it = pushTemp(getIter(v));
  if (it == NULL) {
    popTemp(1);
    return NULL;
  }
  let acc = start;
  pushTemp(acc);
  for (;;) {
    const x = iterNext(it);
    if (x == NULL) {
      popTemp(2);
      return NULL;
    }
    if (x == STOP) break;
    acc = binaryOp(O.BIN_ADD, acc, x, false);
    if (acc == NULL) {
      popTemp(2);
      return NULL;
    }
    popTemp(1);
    pushTemp(acc);
  }
  popTemp(2);
  return acc;
}

function execSource(src: V, globals: V, isEval: bool): V {
  if (typeOf(src) != T_STR) return raiseType('exec/eval expects a str');
  let text = strToAS(src);
  if (isEval) text = '__eval_result__ = (' + text.trim() + ')\n';
  const b = String.UTF8.encode(text);
  const code = compileSource(changetype<usize>(b), b.byteLength, '<string>', false);
  if (code == NULL) return NULL;
  pushTemp(code);
  const r = runCode(code, globals, globals, NULL);
  popTemp(1);
  if (r == NULL) return NULL;
  if (isEval) {
    const k = internAS('__eval_result__');
    const v = dictGet(globals, k);
    dictDel(globals, k);
    return v == NULL ? NONE : v;
  }
  return NONE;
}

let currentGlobals: V = NULL;
export function setCurrentGlobals(g: V): void {
  currentGlobals = g;
}

// ---------------------------------------------------------------------------------------------------------
// String methods

function strArgs(v: V): bool {
  if (!isStrLike(typeOf(v))) {
    raiseType("can't convert '" + typeName(v) + "' object to str implicitly");
    return false;
  }
  return true;
}

function newLike(self: V, p: usize, n: i32): V {
  const t = typeOf(self);
  if (t == T_STR) return newStr(p, n);
  if (t == T_BYTES) return newBytes(p, n);
  const r = newBytearray(n);
  if (r != NULL) memory.copy(bufData(r), p, <usize>n);
  return r;
}

function isWs(c: i32): bool {
  return c == 32 || (c >= 9 && c <= 13);
}

function strip(self: V, chars: V, left: bool, right: bool): V {
  const p = bufData(self);
  let a = 0;
  let b = bufLen(self);
  const useChars = chars != NULL && chars != NONE;
  while (left && a < b && (useChars ? memchr(chars, <i32>load<u8>(p + <usize>a)) : isWs(<i32>load<u8>(p + <usize>a)))) a++;
  while (right && b > a && (useChars ? memchr(chars, <i32>load<u8>(p + <usize>(b - 1))) : isWs(<i32>load<u8>(p + <usize>(b - 1))))) b--;
  return newLike(self, p + <usize>a, b - a);
}
function memchr(s: V, c: i32): bool {
  for (let i = 0; i < bufLen(s); i++) if (<i32>load<u8>(bufData(s) + <usize>i) == c) return true;
  return false;
}

function split(self: V, sep: V, maxsplit: i32, fromRight: bool): V {
  const l = pushTemp(newList(4));
  const p = bufData(self);
  const n = bufLen(self);
  if (sep == NULL || sep == NONE) {
    // runs of whitespace
    const parts: Array<i32> = [];
    let i = 0;
    while (i < n) {
      while (i < n && isWs(<i32>load<u8>(p + <usize>i))) i++;
      if (i >= n) break;
      let j = i;
      while (j < n && !isWs(<i32>load<u8>(p + <usize>j))) j++;
      parts.push(i);
      parts.push(j);
      i = j;
    }
    const cnt = parts.length / 2;
    if (maxsplit >= 0 && cnt > maxsplit + 1) {
      if (!fromRight) {
        for (let k = 0; k < maxsplit; k++) listAppend(l, newLike(self, p + <usize>parts[2 * k], parts[2 * k + 1] - parts[2 * k]));
        let e = n;
        while (e > parts[2 * maxsplit] && isWs(<i32>load<u8>(p + <usize>(e - 1)))) e--;
        listAppend(l, newLike(self, p + <usize>parts[2 * maxsplit], e - parts[2 * maxsplit]));
      } else {
        const first = cnt - maxsplit;
        let s = 0;
        while (s < n && isWs(<i32>load<u8>(p + <usize>s))) s++;
        listAppend(l, newLike(self, p + <usize>s, parts[2 * (first - 1) + 1] - s));
        for (let k = first; k < cnt; k++) listAppend(l, newLike(self, p + <usize>parts[2 * k], parts[2 * k + 1] - parts[2 * k]));
      }
    } else {
      for (let k = 0; k < cnt; k++) listAppend(l, newLike(self, p + <usize>parts[2 * k], parts[2 * k + 1] - parts[2 * k]));
    }
    popTemp(1);
    return l;
  }
  if (!strArgs(sep)) {
    popTemp(1);
    return NULL;
  }
  const sp = bufData(sep);
  const sn = bufLen(sep);
  if (sn == 0) {
    popTemp(1);
    return raiseValue('empty separator');
  }
  const cuts: Array<i32> = [];
  let i = 0;
  for (;;) {
    const j = findBytes(p, n, sp, sn, i);
    if (j < 0) break;
    cuts.push(j);
    i = j + sn;
  }
  let use = cuts;
  if (maxsplit >= 0 && cuts.length > maxsplit) use = fromRight ? cuts.slice(cuts.length - maxsplit) : cuts.slice(0, maxsplit);
  let start = 0;
  for (let k = 0; k < use.length; k++) {
    listAppend(l, newLike(self, p + <usize>start, use[k] - start));
    start = use[k] + sn;
  }
  listAppend(l, newLike(self, p + <usize>start, n - start));
  popTemp(1);
  return l;
}

function join(self: V, items: V): V {
  const l = pushTemp(listFromIterable(items));
  if (l == NULL) {
    popTemp(1);
    return NULL;
  }
  const o = new Out();
  for (let i = 0; i < llen(l); i++) {
    const x = litem(l, i);
    if (typeOf(x) != typeOf(self) && !(isStrLike(typeOf(x)) && typeOf(self) != T_STR && typeOf(x) != T_STR)) {
      o.free();
      popTemp(1);
      return raiseType('join expected str instances, got ' + typeName(x));
    }
    if (i) o.bytes(bufData(self), bufLen(self));
    o.bytes(bufData(x), bufLen(x));
  }
  const r = newLike(self, o.ptr, o.len);
  o.free();
  popTemp(1);
  return r;
}

function replace(self: V, a: V, b: V, count: i32): V {
  if (!strArgs(a) || !strArgs(b)) return NULL;
  const p = bufData(self);
  const n = bufLen(self);
  const o = new Out();
  let i = 0;
  let done = 0;
  const an = bufLen(a);
  while (i <= n) {
    const j = count >= 0 && done >= count ? -1 : an == 0 ? (i <= n ? i : -1) : findBytes(p, n, bufData(a), an, i);
    if (j < 0) break;
    o.bytes(p + <usize>i, j - i);
    o.bytes(bufData(b), bufLen(b));
    done++;
    if (an == 0) {
      if (j < n) o.byte(<i32>load<u8>(p + <usize>j));
      i = j + 1;
    } else i = j + an;
  }
  if (i < n) o.bytes(p + <usize>i, n - i);
  const r = newLike(self, o.ptr, o.len);
  o.free();
  return r;
}

function countSub(self: V, sub: V): i32 {
  const n = bufLen(self);
  const sn = bufLen(sub);
  if (sn == 0) return (typeOf(self) == T_STR ? utf8Count(bufData(self), n) : n) + 1;
  let c = 0;
  let i = 0;
  for (;;) {
    const j = findBytes(bufData(self), n, bufData(sub), sn, i);
    if (j < 0) break;
    c++;
    i = j + sn;
  }
  return c;
}

/** Character index of byte offset `b` (str indices count code points). */
function charIndex(self: V, b: i32): i32 {
  if (typeOf(self) != T_STR || b < 0) return b;
  return utf8Count(bufData(self), b);
}
function byteOffset(self: V, ci: i32): i32 {
  if (typeOf(self) != T_STR) return ci;
  return utf8Offset(bufData(self), bufLen(self), ci);
}

function strFormat(self: V, args: usize, n: i32, kw: V): V {
  const p = sdata(self);
  const len = slen(self);
  const o = new Out();
  let auto = 0;
  let i = 0;
  while (i < len) {
    const c = <i32>load<u8>(p + <usize>i);
    if (c == 123 && i + 1 < len && load<u8>(p + <usize>i + 1) == 123) {
      o.byte(123);
      i += 2;
      continue;
    }
    if (c == 125 && i + 1 < len && load<u8>(p + <usize>i + 1) == 125) {
      o.byte(125);
      i += 2;
      continue;
    }
    if (c != 123) {
      o.byte(c);
      i++;
      continue;
    }
    let j = i + 1;
    while (j < len && load<u8>(p + <usize>j) != 125) j++;
    const field_ = String.UTF8.decodeUnsafe(p + <usize>i + 1, <usize>(j - i - 1));
    i = j + 1;
    let name = field_;
    let spec = '';
    let conv = '';
    const colon = field_.indexOf(':');
    if (colon >= 0) {
      name = field_.substring(0, colon);
      spec = field_.substring(colon + 1);
    }
    const bang = name.indexOf('!');
    if (bang >= 0) {
      conv = name.substring(bang + 1);
      name = name.substring(0, bang);
    }
    // name[.attr][[key]]
    let rest = '';
    let cut = name.length;
    const dot = name.indexOf('.');
    const br = name.indexOf('[');
    if (dot >= 0) cut = dot;
    if (br >= 0 && br < cut) cut = br;
    rest = name.substring(cut);
    name = name.substring(0, cut);
    let v: V;
    if (name.length == 0) {
      if (auto >= n) {
        o.free();
        return raise(excType(EXC_INDEXERROR), 'tuple index out of range');
      }
      v = arg(args, auto++);
    } else if (name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57) {
      const k = I32.parseInt(name);
      if (k >= n) {
        o.free();
        return raise(excType(EXC_INDEXERROR), 'tuple index out of range');
      }
      v = arg(args, k);
    } else {
      v = kwarg(args, n, kw, name);
      if (v == NULL) {
        o.free();
        return raiseKey(strFrom(name));
      }
    }
    while (rest.length) {
      if (rest.charAt(0) == '.') {
        let e = 1;
        while (e < rest.length && rest.charAt(e) != '.' && rest.charAt(e) != '[') e++;
        v = getAttr(v, internAS(rest.substring(1, e)));
        rest = rest.substring(e);
      } else {
        const e = rest.indexOf(']');
        const key = rest.substring(1, e);
        const kc = key.charCodeAt(0);
        v = getItem(v, kc >= 48 && kc <= 57 ? mkSmall(I32.parseInt(key)) : strFrom(key));
        rest = rest.substring(e + 1);
      }
      if (v == NULL) {
        o.free();
        return NULL;
      }
    }
    if (conv == 'r' || conv == 's') v = strOf(v, conv == 'r');
    if (v == NULL) {
      o.free();
      return NULL;
    }
    pushTemp(v);
    const s = spec.length ? formatSpec(v, spec) : strOf(v, false);
    popTemp(1);
    if (s == NULL) {
      o.free();
      return NULL;
    }
    o.bytes(sdata(s), slen(s));
  }
  const r = strFromOut(o);
  o.free();
  return r;
}

function caseMap(self: V, upper: bool): V {
  const n = bufLen(self);
  const r = newLike(self, bufData(self), n);
  if (r == NULL) return NULL;
  const p = bufData(r);
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(p + <usize>i);
    if (upper && c >= 97 && c <= 122) store<u8>(p + <usize>i, <u8>(c - 32));
    else if (!upper && c >= 65 && c <= 90) store<u8>(p + <usize>i, <u8>(c + 32));
  }
  return r;
}

function classify(self: V, kind: i32): V {
  const n = bufLen(self);
  if (n == 0) return FALSE;
  const p = bufData(self);
  let cased = false;
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(p + <usize>i);
    const digit = c >= 48 && c <= 57;
    const up = c >= 65 && c <= 90;
    const lo = c >= 97 && c <= 122;
    switch (kind) {
      case 0: if (!digit) return FALSE; break;
      case 1: if (!up && !lo) return FALSE; break;
      case 2: if (!isWs(c)) return FALSE; break;
      case 3: if (lo) return FALSE; if (up) cased = true; break;
      case 4: if (up) return FALSE; if (lo) cased = true; break;
      default: if (!digit && !up && !lo) return FALSE;
    }
  }
  if (kind == 3 || kind == 4) return mkBool(cased);
  return TRUE;
}

function pad(self: V, width: i32, fill: i32, where: i32): V {
  const n = typeOf(self) == T_STR ? utf8Count(sdata(self), slen(self)) : bufLen(self);
  if (width <= n) return self;
  const total = width - n;
  let left = where == 0 ? total / 2 + (total & width & 1) : where == 1 ? 0 : total;
  if (where == 0) left = total / 2 + ((total & 1) & (width & 1));
  const o = new Out();
  for (let i = 0; i < left; i++) o.byte(fill);
  o.bytes(bufData(self), bufLen(self));
  for (let i = 0; i < total - left; i++) o.byte(fill);
  const r = newLike(self, o.ptr, o.len);
  o.free();
  return r;
}

function partition(self: V, sep: V, right: bool): V {
  if (!strArgs(sep)) return NULL;
  const p = bufData(self);
  const n = bufLen(self);
  let j = -1;
  if (right) {
    let i = 0;
    for (;;) {
      const k = findBytes(p, n, bufData(sep), bufLen(sep), i);
      if (k < 0) break;
      j = k;
      i = k + 1;
    }
  } else j = findBytes(p, n, bufData(sep), bufLen(sep), 0);
  const t = pushTemp(newTuple(3));
  if (j < 0) {
    const empty = newLike(self, p, 0);
    if (right) {
      tupleSet(t, 0, empty);
      tupleSet(t, 1, empty);
      tupleSet(t, 2, self);
    } else {
      tupleSet(t, 0, self);
      tupleSet(t, 1, empty);
      tupleSet(t, 2, empty);
    }
  } else {
    tupleSet(t, 0, newLike(self, p, j));
    tupleSet(t, 1, sep);
    tupleSet(t, 2, newLike(self, p + <usize>(j + bufLen(sep)), n - j - bufLen(sep)));
  }
  popTemp(1);
  return t;
}

function splitlines(self: V, keep: bool): V {
  const l = pushTemp(newList(4));
  const p = bufData(self);
  const n = bufLen(self);
  let s = 0;
  let i = 0;
  while (i < n) {
    const c = <i32>load<u8>(p + <usize>i);
    if (c == 10 || c == 13) {
      let e = i + 1;
      if (c == 13 && e < n && load<u8>(p + <usize>e) == 10) e++;
      listAppend(l, newLike(self, p + <usize>s, (keep ? e : i) - s));
      s = e;
      i = e;
    } else i++;
  }
  if (s < n) listAppend(l, newLike(self, p + <usize>s, n - s));
  popTemp(1);
  return l;
}

// ---------------------------------------------------------------------------------------------------------
// The dispatcher

export function callNative(fn: V, n: i32, args: usize, kw: V): V {
  const id = load<i32>(fn + 12);
  const a0 = n > 0 ? arg(args, 0) : NULL;
  const a1 = n > 1 ? arg(args, 1) : NULL;
  const a2 = n > 2 ? arg(args, 2) : NULL;
  if (id >= MATH_BASE && id < MATH_BASE + MATH_FUNCS.length) return mathFn(id - MATH_BASE, n, a0, a1);
  if (isReId(id)) return reCall(id, n, args);
  if (id >= MOD_BASE) return modulesCall(id, n, args, kw);
  switch (id) {
    case F_PRINT:
      return print(args, n, kw);
    case F_LEN: {
      if (n != 1) return nargsError('len', 1);
      const r = lenOf(a0);
      return r < 0 ? NULL : mkSmall(r);
    }
    case F_REPR:
      return strOf(a0, true);
    case F_TYPE:
    case C_TYPE:
      if (n == 1) return classOf(a0);
      if (n == 3) {
        const c = newClass(a0, a1, a2);
        return c;
      }
      return raiseType('type() takes 1 or 3 arguments');
    case F_ISINSTANCE: {
      if (n != 2) return nargsError('isinstance', 2);
      if (typeOf(a1) == T_TUPLE) {
        for (let i = 0; i < tlen(a1); i++) if (isInstanceB(a0, titem(a1, i))) return TRUE;
        return FALSE;
      }
      if (typeOf(a1) != T_CLASS) return raiseType('isinstance() arg 2 must be a type or tuple of types');
      return mkBool(isInstanceB(a0, a1));
    }
    case F_ISSUBCLASS: {
      if (typeOf(a0) != T_CLASS) return raiseType('issubclass() arg 1 must be a class');
      if (typeOf(a1) == T_TUPLE) {
        for (let i = 0; i < tlen(a1); i++) if (isSubclass(a0, titem(a1, i))) return TRUE;
        return FALSE;
      }
      return mkBool(isSubclass(a0, a1) || (a1 == typeClass(T_INST) && true));
    }
    case F_ABS: {
      const t = typeOf(a0);
      if (t == T_FLOAT) return newFloat(Math.abs(fval(a0)));
      if (t == T_INT || t == T_BOOL) return fromI64(Math.abs(<f64>smallOf(a0)) as i64);
      if (t == T_BIG) return bigIsNeg(a0) ? unaryOp(O.UN_NEG, a0) : a0;
      const m = getAttrOrNull(a0, internAS('__abs__'));
      if (m != NULL) return callValue(m, 0, vsp, NULL);
      return raiseType("bad operand type for abs(): '" + typeName(a0) + "'");
    }
    case F_MIN:
    case F_MAX:
      return minmax(args, n, kw, id == F_MAX);
    case F_SUM:
      return sumOf(a0, n > 1 ? a1 : mkSmall(0));
    case F_SORTED: {
      const l = pushTemp(listFromIterable(a0));
      if (l == NULL) {
        popTemp(1);
        return NULL;
      }
      const rev = kwarg(args, n, kw, 'reverse');
      const ok = sortList(l, kwarg(args, n, kw, 'key'), rev != NULL && truthy(rev) == 1);
      popTemp(1);
      return ok ? l : NULL;
    }
    case F_REVERSED: {
      const t = typeOf(a0);
      if (t == T_INST) {
        const m = getAttrOrNull(a0, internAS('__reversed__'));
        if (m != NULL) return callValue(m, 0, vsp, NULL);
      }
      const len = lenOf(a0);
      if (len < 0) return NULL;
      const it = newIter(IT_REVERSED, a0, NONE);
      if (it != NULL) store<i32>(it + 16, len - 1);
      return it;
    }
    case F_ENUMERATE: {
      const it = pushTemp(getIter(a0));
      if (it == NULL) {
        popTemp(1);
        return NULL;
      }
      const r = newIter(IT_ENUMERATE, it, NONE);
      popTemp(1);
      const st = n > 1 ? a1 : kwarg(args, n, kw, 'start');
      if (r != NULL && st != NULL) store<i32>(r + 20, smallOf(st));
      return r;
    }
    case F_ZIP:
    case F_MAP: {
      const first = id == F_MAP ? 1 : 0;
      const its = pushTemp(newTuple(n - first));
      if (its == NULL) {
        popTemp(1);
        return NULL;
      }
      for (let i = first; i < n; i++) {
        const it = getIter(arg(args, i));
        if (it == NULL) {
          popTemp(1);
          return NULL;
        }
        tupleSet(its, i - first, it);
      }
      const r = newIter(id == F_MAP ? IT_MAP : IT_ZIP, its, id == F_MAP ? a0 : NONE);
      popTemp(1);
      return r;
    }
    case F_FILTER: {
      const it = pushTemp(getIter(a1));
      if (it == NULL) {
        popTemp(1);
        return NULL;
      }
      const r = newIter(IT_FILTER, it, a0);
      popTemp(1);
      return r;
    }
    case F_CHR: {
      if (!needInt(a0)) return NULL;
      const c = smallOf(a0);
      if (c < 0 || c > 0x10ffff) return raiseValue('chr() arg not in range(0x110000)');
      const o = new Out(4);
      if (c < 0x80) o.byte(c);
      else if (c < 0x800) {
        o.byte(0xc0 | (c >> 6));
        o.byte(0x80 | (c & 63));
      } else if (c < 0x10000) {
        o.byte(0xe0 | (c >> 12));
        o.byte(0x80 | ((c >> 6) & 63));
        o.byte(0x80 | (c & 63));
      } else {
        o.byte(0xf0 | (c >> 18));
        o.byte(0x80 | ((c >> 12) & 63));
        o.byte(0x80 | ((c >> 6) & 63));
        o.byte(0x80 | (c & 63));
      }
      const s = strFromOut(o);
      o.free();
      return s;
    }
    case F_ORD: {
      const t = typeOf(a0);
      if (t == T_STR) {
        const p = sdata(a0);
        const len = slen(a0);
        if (utf8Count(p, len) != 1) return raiseType('ord() expected a character, but string of length ' + utf8Count(p, len).toString() + ' found');
        const c = <i32>load<u8>(p);
        if (c < 0x80) return mkSmall(c);
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
        for (let i = 1; i <= k; i++) cp = (cp << 6) | (<i32>load<u8>(p + <usize>i) & 63);
        return mkSmall(cp);
      }
      if ((t == T_BYTES || t == T_BYTEARRAY) && bufLen(a0) == 1) return mkSmall(<i32>load<u8>(bufData(a0)));
      return raiseType('ord() expected a character');
    }
    case F_HEX:
      return hexOf(a0, 16);
    case F_OCT:
      return hexOf(a0, 8);
    case F_BIN:
      return hexOf(a0, 2);
    case F_HASH: {
      const h = hashOf(a0);
      if (h == -1 && pendingExc() != NONE) return NULL;
      return mkSmall(h);
    }
    case F_ID:
      return mkSmall(isSmall(a0) ? a0 >> 1 : (a0 >> 2) & 0x3fffffff);
    case F_ITER:
      return getIter(a0);
    case F_NEXT: {
      const r = iterNext(a0);
      if (r == STOP) {
        if (n > 1) return a1;
        return raiseArgs(excType(EXC_STOPITERATION), newTuple(0));
      }
      return r;
    }
    case F_GETATTR: {
      if (typeOf(a1) != T_STR) return raiseType('attribute name must be string');
      if (n > 2) {
        const v = getAttrOrNull(a0, a1);
        if (v != NULL) return v;
        if (pendingExc() != NONE && !isInstance(pendingExc(), excType(EXC_ATTRIBUTEERROR))) return NULL;
        setPending(NONE);
        return a2;
      }
      return getAttr(a0, internStr(a1));
    }
    case F_SETATTR:
      return setAttr(a0, internStr(a1), a2) ? NONE : NULL;
    case F_HASATTR: {
      const v = getAttrOrNull(a0, internStr(a1));
      if (v == NULL && pendingExc() != NONE) {
        if (!isInstance(pendingExc(), excType(EXC_ATTRIBUTEERROR))) return NULL;
        setPending(NONE);
      }
      return mkBool(v != NULL);
    }
    case F_DELATTR: {
      const t = typeOf(a0);
      const d = t == T_INST ? field(a0, 1) : t == T_CLASS ? field(a0, 2) : NULL;
      if (d == NULL || dictDel(d, internStr(a1)) != 1) return raise(excType(EXC_ATTRIBUTEERROR), strToAS(a1));
      return NONE;
    }
    case F_CALLABLE: {
      const t = typeOf(a0);
      if (t == T_FUNC || t == T_NATIVE || t == T_BOUND || t == T_CLASS) return TRUE;
      if (t == T_INST) return mkBool(classLookup(field(a0, 0), internAS('__call__')) != NULL);
      return FALSE;
    }
    case F_DIVMOD: {
      const q = pushTemp(binaryOp(O.BIN_FLOORDIV, a0, a1, false));
      if (q == NULL) {
        popTemp(1);
        return NULL;
      }
      const r = pushTemp(binaryOp(O.BIN_MOD, a0, a1, false));
      if (r == NULL) {
        popTemp(2);
        return NULL;
      }
      const t = newTuple(2);
      popTemp(2);
      if (t == NULL) return NULL;
      tupleSet(t, 0, q);
      tupleSet(t, 1, r);
      return t;
    }
    case F_POW: {
      if (n == 3) {
        // modular exponentiation on ints
        let base = pushTemp(binaryOp(O.BIN_MOD, a0, a2, false));
        let e = a1;
        let result = pushTemp(mkSmall(1));
        pushTemp(e);
        while (truthy(e) == 1) {
          const bit = binaryOp(O.BIN_AND, e, mkSmall(1), false);
          if (bit == mkSmall(1)) {
            result = binaryOp(O.BIN_MOD, binaryOp(O.BIN_MUL, result, base, false), a2, false);
            popTemp(3);
            pushTemp(base);
            pushTemp(result);
            pushTemp(e);
          }
          e = binaryOp(O.BIN_RSHIFT, e, mkSmall(1), false);
          base = binaryOp(O.BIN_MOD, binaryOp(O.BIN_MUL, base, base, false), a2, false);
          popTemp(3);
          pushTemp(base);
          pushTemp(result);
          pushTemp(e);
        }
        popTemp(3);
        return result;
      }
      return binaryOp(O.BIN_POW, a0, a1, false);
    }
    case F_ROUND: {
      const t = typeOf(a0);
      if (t == T_INT || t == T_BOOL || t == T_BIG) return a0;
      const x = toF64(a0);
      if (n < 2 || a1 == NONE) {
        const r = roundHalfEven(x);
        if (Math.abs(r) < 1e9) return mkSmall(<i32>r);
        return bigFromF64(r);
      }
      const d = smallOf(a1);
      const s = (x < 0 ? '-' : '') + toFixedSmall(Math.abs(x), d < 0 ? 0 : d);
      const r = parseFloat(s);
      return newFloat(d < 0 ? Math.round(x / Math.pow(10, -d)) * Math.pow(10, -d) : r);
    }
    case F_ALL:
      return iterAll(a0, false);
    case F_ANY:
      return iterAll(a0, true);
    case F_FORMAT:
      return n > 1 ? formatSpec(a0, strToAS(a1)) : strOf(a0, false);
    case F_EXEC:
    case F_EVAL: {
      const g = n > 1 && a1 != NONE ? a1 : currentGlobals;
      return execSource(a0, g, id == F_EVAL);
    }
    case F_GLOBALS:
      return currentGlobals;
    case F_PROPERTY: {
      const p = alloc(T_PROPERTY, 16);
      if (p == NULL) return NULL;
      setField(p, 0, n > 0 ? a0 : NONE);
      setField(p, 1, n > 1 ? a1 : NONE);
      setField(p, 2, n > 2 ? a2 : NONE);
      return p;
    }
    case F_STATICMETHOD:
    case F_CLASSMETHOD: {
      const p = alloc(id == F_STATICMETHOD ? T_STATICMETHOD : T_CLASSMETHOD, 8);
      if (p == NULL) return NULL;
      setField(p, 0, a0);
      return p;
    }
    case F_SUPER: {
      if (n != 2) return raise(excType(EXC_RUNTIME), 'super() needs 2 arguments here');
      return makeSuperObj(a0, a1);
    }
    case F_INPUT:
      return raise(excType(EXC_OSERROR), 'input() is not available yet');
    // ---- constructors
    case C_INT:
      if (n == 0) return mkSmall(0);
      return toInt(a0, n > 1 ? a1 : kwarg(args, n, kw, 'base'));
    case C_FLOAT:
      return n == 0 ? newFloat(0) : toFloat(a0);
    case C_STR:
      if (n == 0) return internAS('');
      if (n >= 2 && (typeOf(a0) == T_BYTES || typeOf(a0) == T_BYTEARRAY)) return newStr(bufData(a0), bufLen(a0));
      return strOf(a0, false);
    case C_BOOL: {
      if (n == 0) return FALSE;
      const t = truthy(a0);
      return t < 0 ? NULL : mkBool(t == 1);
    }
    case C_LIST:
      return n == 0 ? newList(0) : listFromIterable(a0);
    case C_TUPLE: {
      if (n == 0) return newTuple(0);
      if (typeOf(a0) == T_TUPLE) return a0;
      const l = pushTemp(listFromIterable(a0));
      if (l == NULL) {
        popTemp(1);
        return NULL;
      }
      const t = tupleFrom(litems(l), llen(l));
      popTemp(1);
      return t;
    }
    case C_DICT: {
      const d = pushTemp(newDict());
      if (d == NULL) {
        popTemp(1);
        return NULL;
      }
      if (n > 0 && !updateDict(d, a0)) {
        popTemp(1);
        return NULL;
      }
      if (kw != NULL) for (let i = 0; i < tlen(kw); i++) dictSet(d, titem(kw, i), arg(args, n + i));
      popTemp(1);
      return d;
    }
    case C_SET:
    case C_FROZENSET: {
      const s = pushTemp(newDictT(T_SET));
      if (s == NULL) {
        popTemp(1);
        return NULL;
      }
      if (n > 0 && !addAll(s, a0)) {
        popTemp(1);
        return NULL;
      }
      popTemp(1);
      return s;
    }
    case C_BYTES:
    case C_BYTEARRAY:
      return makeBytes(id == C_BYTES ? T_BYTES : T_BYTEARRAY, n > 0 ? a0 : NULL);
    case C_RANGE: {
      let start = 0;
      let stop = 0;
      let step = 1;
      for (let i = 0; i < n; i++) if (!needInt(arg(args, i))) return NULL;
      if (n == 1) stop = smallOf(a0);
      else if (n >= 2) {
        start = smallOf(a0);
        stop = smallOf(a1);
        if (n > 2) step = smallOf(a2);
      } else return raiseType('range expected at least 1 argument');
      if (step == 0) return raiseValue('range() arg 3 must not be zero');
      const r = alloc(T_RANGE, 16);
      if (r == NULL) return NULL;
      store<i32>(r + 4, start);
      store<i32>(r + 8, stop);
      store<i32>(r + 12, step);
      return r;
    }
    case C_SLICE: {
      const s = alloc(T_SLICE, 16);
      if (s == NULL) return NULL;
      setField(s, 0, n > 1 ? a0 : NONE);
      setField(s, 1, n > 1 ? a1 : a0);
      setField(s, 2, n > 2 ? a2 : NONE);
      return s;
    }
    case C_OBJECT:
      return newInstance(typeClass(T_INST));
    case M_OBJECT_INIT:
    case M_EXC_INIT:
      if (id == M_EXC_INIT && typeOf(a0) == T_INST) setField(a0, 2, tupleFrom(args + 4, n - 1));
      return NONE;
    // ---- list
    case M_LIST_APPEND:
      return listAppend(a0, a1) ? NONE : NULL;
    case M_LIST_EXTEND:
      return extendList(a0, a1) ? NONE : NULL;
    case M_LIST_POP: {
      const len = llen(a0);
      if (len == 0) return raise(excType(EXC_INDEXERROR), 'pop from empty list');
      let i = n > 1 ? smallOf(a1) : len - 1;
      if (i < 0) i += len;
      if (i < 0 || i >= len) return raise(excType(EXC_INDEXERROR), 'pop index out of range');
      const v = litem(a0, i);
      const items = litems(a0);
      memory.copy(items + (<usize>i << 2), items + (<usize>(i + 1) << 2), <usize>(len - i - 1) << 2);
      setLlen(a0, len - 1);
      return v;
    }
    case M_LIST_INSERT: {
      const len = llen(a0);
      let i = smallOf(a1);
      if (i < 0) i += len;
      if (i < 0) i = 0;
      if (i > len) i = len;
      if (!listAppend(a0, a2)) return NULL;
      const items = litems(a0);
      memory.copy(items + (<usize>(i + 1) << 2), items + (<usize>i << 2), <usize>(len - i) << 2);
      lset(a0, i, a2);
      return NONE;
    }
    case M_LIST_REMOVE:
    case M_LIST_INDEX:
    case M_TUPLE_INDEX: {
      const len = seqLen(a0);
      for (let i = 0; i < len; i++) {
        const e = equals(load<i32>(seqItems(a0) + (<usize>i << 2)), a1);
        if (e < 0) return NULL;
        if (e == 1) {
          if (id != M_LIST_REMOVE) return mkSmall(i);
          const items = litems(a0);
          memory.copy(items + (<usize>i << 2), items + (<usize>(i + 1) << 2), <usize>(len - i - 1) << 2);
          setLlen(a0, len - 1);
          return NONE;
        }
      }
      return raiseValue(id == M_LIST_REMOVE ? 'list.remove(x): x not in list' : 'object not in sequence');
    }
    case M_LIST_COUNT:
    case M_TUPLE_COUNT: {
      let c = 0;
      for (let i = 0; i < seqLen(a0); i++) {
        const e = equals(load<i32>(seqItems(a0) + (<usize>i << 2)), a1);
        if (e < 0) return NULL;
        c += e;
      }
      return mkSmall(c);
    }
    case M_LIST_SORT: {
      const rev = kwarg(args, n, kw, 'reverse');
      return sortList(a0, kwarg(args, n, kw, 'key'), rev != NULL && truthy(rev) == 1) ? NONE : NULL;
    }
    case M_LIST_REVERSE: {
      const len = llen(a0);
      for (let i = 0; i < len / 2; i++) {
        const t = litem(a0, i);
        lset(a0, i, litem(a0, len - 1 - i));
        lset(a0, len - 1 - i, t);
      }
      return NONE;
    }
    case M_LIST_COPY: {
      const l = newList(llen(a0));
      if (l == NULL) return NULL;
      memory.copy(litems(l), litems(a0), <usize>llen(a0) << 2);
      setLlen(l, llen(a0));
      return l;
    }
    case M_LIST_CLEAR:
      setLlen(a0, 0);
      return NONE;
    // ---- dict
    case M_DICT_GET: {
      const v = dictGet(a0, a1);
      if (v != NULL) return v;
      if (lookupError) return NULL;
      return n > 2 ? a2 : NONE;
    }
    case M_DICT_KEYS:
      return newIterView(IT_DICT_KEYS, a0);
    case M_DICT_VALUES:
      return newIterView(IT_DICT_VALUES, a0);
    case M_DICT_ITEMS:
      return newIterView(IT_DICT_ITEMS, a0);
    case M_DICT_POP: {
      const v = dictGet(a0, a1);
      if (v == NULL) {
        if (lookupError) return NULL;
        if (n > 2) return a2;
        return raiseKey(a1);
      }
      dictDel(a0, a1);
      return v;
    }
    case M_DICT_SETDEFAULT: {
      const v = dictGet(a0, a1);
      if (v != NULL) return v;
      if (lookupError) return NULL;
      const d = n > 2 ? a2 : NONE;
      return dictSet(a0, a1, d) ? d : NULL;
    }
    case M_DICT_UPDATE: {
      if (n > 1 && !updateDict(a0, a1)) return NULL;
      if (kw != NULL) for (let i = 0; i < tlen(kw); i++) if (!dictSet(a0, titem(kw, i), arg(args, n + i))) return NULL;
      return NONE;
    }
    case M_DICT_COPY:
    case M_SET_COPY: {
      const d = pushTemp(newDictT(typeOf(a0)));
      for (let i = 0; i < dused(a0); i++) if (dkey(a0, i) != DELETED) dictSet(d, dkey(a0, i), dval(a0, i));
      popTemp(1);
      return d;
    }
    case M_DICT_CLEAR:
    case M_SET_CLEAR:
      return dictClear(a0) ? NONE : NULL;
    case M_DICT_POPITEM: {
      for (let i = dused(a0) - 1; i >= 0; i--) {
        const k = dkey(a0, i);
        if (k == DELETED) continue;
        const t = newTuple(2);
        if (t == NULL) return NULL;
        tupleSet(t, 0, k);
        tupleSet(t, 1, dval(a0, i));
        dictDel(a0, k);
        return t;
      }
      return raiseKey(strFrom('popitem(): dictionary is empty'));
    }
    // ---- set
    case M_SET_ADD:
      return dictSet(a0, a1, NONE) ? NONE : NULL;
    case M_SET_REMOVE: {
      const r = dictDel(a0, a1);
      if (r == 1) return NONE;
      if (r == 0) return raiseKey(a1);
      return NULL;
    }
    case M_SET_DISCARD:
      return dictDel(a0, a1) < 0 ? NULL : NONE;
    case M_SET_POP: {
      for (let i = 0; i < dused(a0); i++) {
        const k = dkey(a0, i);
        if (k == DELETED) continue;
        dictDel(a0, k);
        return k;
      }
      return raiseKey(strFrom('pop from an empty set'));
    }
    case M_SET_UPDATE:
      for (let i = 1; i < n; i++) if (!addAll(a0, arg(args, i))) return NULL;
      return NONE;
    case M_SET_UNION:
    case M_SET_INTERSECTION:
    case M_SET_DIFFERENCE:
    case M_SET_ISSUBSET:
    case M_SET_ISSUPERSET: {
      const other = pushTemp(newDictT(T_SET));
      if (!addAll(other, a1)) {
        popTemp(1);
        return NULL;
      }
      let r: V;
      if (id == M_SET_UNION) r = binaryOp(O.BIN_OR, a0, other, false);
      else if (id == M_SET_INTERSECTION) r = binaryOp(O.BIN_AND, a0, other, false);
      else if (id == M_SET_DIFFERENCE) r = binaryOp(O.BIN_SUB, a0, other, false);
      else if (id == M_SET_ISSUBSET) r = compareOp(O.CMP_LE, a0, other);
      else r = compareOp(O.CMP_GE, a0, other);
      popTemp(1);
      return r;
    }
    // ---- str / bytes
    case M_STR_JOIN:
      return join(a0, a1);
    case M_STR_SPLIT:
    case M_STR_RSPLIT: {
      let sep = n > 1 ? a1 : kwarg(args, n, kw, 'sep');
      const ms = n > 2 ? a2 : kwarg(args, n, kw, 'maxsplit');
      if (sep == NULL) sep = NONE;
      return split(a0, sep, ms == NULL ? -1 : smallOf(ms), id == M_STR_RSPLIT);
    }
    case M_STR_STRIP:
      return strip(a0, a1, true, true);
    case M_STR_LSTRIP:
      return strip(a0, a1, true, false);
    case M_STR_RSTRIP:
      return strip(a0, a1, false, true);
    case M_STR_STARTSWITH:
    case M_STR_ENDSWITH: {
      if (typeOf(a1) == T_TUPLE) {
        for (let i = 0; i < tlen(a1); i++) if (affix(a0, titem(a1, i), id == M_STR_STARTSWITH, n > 2 ? a2 : NULL)) return TRUE;
        return FALSE;
      }
      if (!strArgs(a1)) return NULL;
      return mkBool(affix(a0, a1, id == M_STR_STARTSWITH, n > 2 ? a2 : NULL));
    }
    case M_STR_FIND:
    case M_STR_RFIND:
    case M_STR_INDEX: {
      if (!isStrLike(typeOf(a1))) {
        if (isSmall(a1) && typeOf(a0) != T_STR) {
          for (let i = 0; i < bufLen(a0); i++) if (<i32>load<u8>(bufData(a0) + <usize>i) == smallVal(a1)) return mkSmall(i);
          return mkSmall(-1);
        }
        return raiseType('must be str, not ' + typeName(a1));
      }
      const start = n > 2 ? byteOffset(a0, smallOf(a2) < 0 ? 0 : smallOf(a2)) : 0;
      let r = -1;
      if (id == M_STR_RFIND) {
        let i = start;
        for (;;) {
          const k = findBytes(bufData(a0), bufLen(a0), bufData(a1), bufLen(a1), i);
          if (k < 0) break;
          r = k;
          i = k + 1;
        }
      } else r = findBytes(bufData(a0), bufLen(a0), bufData(a1), bufLen(a1), start);
      if (r < 0 && id == M_STR_INDEX) return raiseValue('substring not found');
      return mkSmall(charIndex(a0, r));
    }
    case M_STR_REPLACE:
      return replace(a0, a1, a2, n > 3 ? smallOf(arg(args, 3)) : -1);
    case M_STR_UPPER:
      return caseMap(a0, true);
    case M_STR_LOWER:
      return caseMap(a0, false);
    case M_STR_FORMAT:
      return strFormat(a0, args + 4, n - 1, kw);
    case M_STR_COUNT:
      if (!strArgs(a1)) return NULL;
      return mkSmall(countSub(a0, a1));
    case M_STR_ISDIGIT:
      return classify(a0, 0);
    case M_STR_ISALPHA:
      return classify(a0, 1);
    case M_STR_ISSPACE:
      return classify(a0, 2);
    case M_STR_ISUPPER:
      return classify(a0, 3);
    case M_STR_ISLOWER:
      return classify(a0, 4);
    case M_STR_ISALNUM:
      return classify(a0, 5);
    case M_STR_ENCODE:
      return newBytes(sdata(a0), slen(a0));
    case M_STR_SPLITLINES: {
      const k = n > 1 ? a1 : kwarg(args, n, kw, 'keepends');
      return splitlines(a0, k != NULL && truthy(k) == 1);
    }
    case M_STR_CENTER:
    case M_STR_LJUST:
    case M_STR_RJUST: {
      const fill = n > 2 ? <i32>load<u8>(sdata(a2)) : 32;
      return pad(a0, smallOf(a1), fill, id == M_STR_CENTER ? 0 : id == M_STR_LJUST ? 1 : 2);
    }
    case M_STR_ZFILL: {
      const p = bufData(a0);
      const len = bufLen(a0);
      const w = smallOf(a1);
      if (len >= w) return a0;
      const o = new Out();
      let i = 0;
      if (len > 0 && (load<u8>(p) == 45 || load<u8>(p) == 43)) {
        o.byte(<i32>load<u8>(p));
        i = 1;
      }
      for (let k = 0; k < w - len; k++) o.byte(48);
      o.bytes(p + <usize>i, len - i);
      const r = newLike(a0, o.ptr, o.len);
      o.free();
      return r;
    }
    case M_STR_PARTITION:
    case M_STR_RPARTITION:
      return partition(a0, a1, id == M_STR_RPARTITION);
    case M_STR_TITLE:
    case M_STR_CAPITALIZE: {
      const r = caseMap(a0, false);
      if (r == NULL) return NULL;
      const p = bufData(r);
      let prevAlpha = false;
      for (let i = 0; i < bufLen(r); i++) {
        const c = <i32>load<u8>(p + <usize>i);
        const alpha = (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
        if (alpha && !prevAlpha && c >= 97 && (id == M_STR_TITLE || i == 0)) store<u8>(p + <usize>i, <u8>(c - 32));
        prevAlpha = id == M_STR_TITLE ? alpha : true;
      }
      return r;
    }
    case M_BYTES_DECODE:
      return newStr(bufData(a0), bufLen(a0));
    case M_BYTES_HEX: {
      const o = new Out();
      const hx = '0123456789abcdef';
      for (let i = 0; i < bufLen(a0); i++) {
        const c = <i32>load<u8>(bufData(a0) + <usize>i);
        if (i && n > 1) o.bytes(sdata(a1), slen(a1));
        o.byte(hx.charCodeAt(c >> 4));
        o.byte(hx.charCodeAt(c & 15));
      }
      const r = strFromOut(o);
      o.free();
      return r;
    }
    case M_BA_APPEND: {
      const b = smallOf(a1);
      if (!isSmall(a1) || b < 0 || b > 255) return raiseValue('byte must be in range(0, 256)');
      const len = bufLen(a0);
      if (!bytearrayReserve(a0, len + 1)) return NULL;
      store<u8>(bufData(a0) + <usize>len, <u8>b);
      store<i32>(a0 + 8, len + 1);
      return NONE;
    }
    case M_BA_EXTEND: {
      const src = pushTemp(makeBytes(T_BYTES, a1));
      if (src == NULL) {
        popTemp(1);
        return NULL;
      }
      const len = bufLen(a0);
      const m = bufLen(src);
      if (!bytearrayReserve(a0, len + m)) {
        popTemp(1);
        return NULL;
      }
      memory.copy(bufData(a0) + <usize>len, bufData(src), <usize>m);
      store<i32>(a0 + 8, len + m);
      popTemp(1);
      return NONE;
    }
    case M_INT_TO_BYTES: {
      const len = n > 1 ? smallOf(a1) : 1;
      const order = n > 2 ? strToAS(a2) : 'big';
      const r = newStrLen(T_BYTES, len);
      if (r == NULL) return NULL;
      let x: i64 = typeOf(a0) == T_BIG ? bigToI64(a0) : <i64>smallOf(a0);
      for (let i = 0; i < len; i++) {
        const at = order == 'little' ? i : len - 1 - i;
        store<u8>(bufData(r) + <usize>at, <u8>(x & 255));
        x >>= 8;
      }
      return r;
    }
    case M_INT_FROM_BYTES: {
      // bound to the class: a0 = int class
      const order = n > 2 ? strToAS(a2) : 'big';
      const len = bufLen(a1);
      let acc: V = mkSmall(0);
      pushTemp(acc);
      for (let i = 0; i < len; i++) {
        const at = order == 'little' ? len - 1 - i : i;
        acc = binaryOp(O.BIN_ADD, binaryOp(O.BIN_LSHIFT, acc, mkSmall(8), false), mkSmall(<i32>load<u8>(bufData(a1) + <usize>at)), false);
        popTemp(1);
        pushTemp(acc);
      }
      popTemp(1);
      return acc;
    }
    case M_INT_BIT_LENGTH: {
      if (typeOf(a0) == T_BIG) {
        const o = new Out();
        bigToOut(a0, o, 2);
        const len = o.len - (bigIsNeg(a0) ? 3 : 2);
        o.free();
        return mkSmall(len);
      }
      const x = smallOf(a0);
      const ax = x < 0 ? -x : x;
      return mkSmall(32 - <i32>clz(<u32>ax));
    }
    case M_GEN_SEND: {
      const r = resume(a0, a1);
      if (r == STOP) return raiseArgs(excType(EXC_STOPITERATION), newTuple(0));
      return r;
    }
    case M_FLOAT_IS_INTEGER: {
      const x = fval(a0);
      return mkBool(x == Math.floor(x) && x - x == 0);
    }
    // ---- gc
    case G_COLLECT:
      collect();
      return NONE;
    case G_MEM_FREE:
      return mkSmall(<i32>memFree());
    case G_MEM_ALLOC:
      return mkSmall(<i32>memAlloc());
    case G_ENABLE:
    case G_DISABLE:
      setGcEnabled(id == G_ENABLE);
      return NONE;
    case G_ISENABLED:
      return mkBool(gcEnabled);
    // ---- time
    case T_TIME:
      return newFloat(Math.floor(ticksMs()) / 1000);
    case T_TICKS_MS:
      return mkSmall(<i32>(<i64>ticksMs() & 0x3fffffff));
    case T_TICKS_US:
      return mkSmall(<i32>(<i64>(ticksMs() * 1000) & 0x3fffffff));
    case T_TICKS_DIFF: {
      let d = (smallOf(a0) - smallOf(a1)) & 0x3fffffff;
      if (d >= 0x20000000) d -= 0x40000000;
      return mkSmall(d);
    }
    case T_TICKS_ADD:
      return mkSmall((smallOf(a0) + smallOf(a1)) & 0x3fffffff);
    case T_SLEEP:
    case T_SLEEP_MS:
    case T_SLEEP_US: {
      const ms = id == T_SLEEP ? toF64(a0) * 1000 : id == T_SLEEP_MS ? toF64(a0) : toF64(a0) / 1000;
      const end = ticksMs() + ms;
      while (ticksMs() < end) {
        /* busy wait: the host build runs in its own thread (see docs/vm.md) */
      }
      return NONE;
    }
    case MP_CONST:
      return a0;
    case MP_MEM_INFO: {
      const o = new Out();
      o.str('stack: ? out of ?\nGC: total: ');
      o.int(<i64>(memAlloc() + memFree()));
      o.str(', used: ');
      o.int(<i64>memAlloc());
      o.str(', free: ');
      o.int(<i64>memFree());
      o.byte(10);
      consoleWrite(o.ptr, o.len);
      o.free();
      return NONE;
    }
    case SYS_EXIT: {
      const t = newTuple(n > 0 ? 1 : 0);
      if (t == NULL) return NULL;
      if (n > 0) tupleSet(t, 0, a0);
      return raiseArgs(excType(EXC_SYSTEMEXIT), t);
    }
  }
  return raiseType('native function ' + id.toString() + ' is not implemented');
}

import { setGcEnabled } from './obj';

function isInstanceB(v: V, cls: V): bool {
  if (cls == typeClass(T_INST)) return true; // everything is an object
  if (isInstance(v, cls)) return true;
  // bool is an int, big ints are ints
  return cls == typeClass(T_INT) && typeOf(v) == T_BOOL;
}

function internStr(s: V): V {
  return internAS(strToAS(s));
}

function affix(s: V, a: V, start: bool, from: V): bool {
  let p = bufData(s);
  let n = bufLen(s);
  if (from != NULL && from != NONE) {
    const off = byteOffset(s, smallOf(from));
    p += <usize>off;
    n -= off;
  }
  const m = bufLen(a);
  if (m > n) return false;
  return memory.compare(start ? p : p + <usize>(n - m), bufData(a), <usize>m) == 0;
}

function addAll(s: V, x: V): bool {
  const l = pushTemp(listFromIterable(x));
  if (l == NULL) {
    popTemp(1);
    return false;
  }
  for (let i = 0; i < llen(l); i++) {
    if (!dictSet(s, litem(l, i), NONE)) {
      popTemp(1);
      return false;
    }
  }
  popTemp(1);
  return true;
}

/** dict.keys()/values()/items(): a list snapshot (views are not implemented yet). */
function newIterView(kind: i32, d: V): V {
  const it = pushTemp(newIter(kind, d, NONE));
  const l = listFromIterable(it);
  popTemp(1);
  return l;
}

import { makeSuper } from './vm';
function makeSuperObj(cls: V, self: V): V {
  return makeSuper(cls, self);
}

function mathFn(i: i32, n: i32, a0: V, a1: V): V {
  const t0 = typeOf(a0);
  if (t0 != T_FLOAT && t0 != T_INT && t0 != T_BOOL && t0 != T_BIG) return raiseType('must be real number, not ' + typeName(a0));
  const x = toF64(a0);
  const y = n > 1 ? toF64(a1) : 0;
  let r: f64 = 0;
  switch (i) {
    case 0:
      if (x < 0) return raiseValue('math domain error');
      r = Math.sqrt(x);
      break;
    case 1: r = Math.sin(x); break;
    case 2: r = Math.cos(x); break;
    case 3: r = Math.tan(x); break;
    case 4: r = Math.asin(x); break;
    case 5: r = Math.acos(x); break;
    case 6: r = Math.atan(x); break;
    case 7: r = Math.exp(x); break;
    case 8:
      if (x <= 0) return raiseValue('math domain error');
      r = n > 1 ? Math.log(x) / Math.log(y) : Math.log(x);
      break;
    case 9:
    case 10:
    case 12: {
      const f = i == 9 ? Math.floor(x) : i == 10 ? Math.ceil(x) : Math.trunc(x);
      if (Math.abs(f) < 1e9) return mkSmall(<i32>f);
      return bigFromF64(f);
    }
    case 11: r = Math.abs(x); break;
    case 13: r = Math.atan2(x, y); break;
    case 14: r = Math.pow(x, y); break;
    case 15: return mkBool(x != x);
    case 16: return mkBool(x == Infinity || x == -Infinity);
    case 17: r = (x * 180) / Math.PI; break;
    case 18: r = (x * Math.PI) / 180; break;
    case 19: r = Math.log10(x); break;
    case 20: r = Math.log2(x); break;
    case 21: return mkBool(isFinite(x));
    case 22: r = (y < 0 || (y == 0 && 1 / y < 0)) ? -Math.abs(x) : Math.abs(x); break;
    case 23: r = x % y; break;
    case 24: r = Math.hypot(x, y); break;
  }
  return newFloat(r);
}

export { bigToF64, bigFits64, fmtFloat, push, setRoot, setVsp, call2, getIter, className, T_CODE };
