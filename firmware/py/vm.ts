// The bytecode interpreter, calls and attribute access.
//
// A frame lives on the value stack: [function, locals dict or None, locals..., cells..., operand stack...].
// Python calls recurse into run(); an exception is a NULL result with the exception pending (rt.ts).
import {
  V, NULL, NONE, TRUE, FALSE, UNBOUND, STOP, typeOf, field, setField, isSmall, smallVal, mkSmall, mkBool, vsp,
  setVsp, vstackEnd, alloc, pushTemp, popTemp, T_FUNC, T_NATIVE, T_BOUND, T_CLASS, T_INST, T_LIST, T_TUPLE,
  T_DICT, T_MODULE, T_SLICE, T_PROPERTY, T_STATICMETHOD, T_CLASSMETHOD, T_SET, DELETED, T_GEN,
} from './obj';
import * as O from './opcodes';
import {
  raise, raiseArgs, raiseType, pendingExc, setPending, excType, typeName, classOf, newTuple, tupleSet, tlen,
  titem, newList, listAppend, llen, litem, litems, newDict, dictGet, dictSet, dictDel, newCell, newBound,
  truthy, equals, strToAS, slen, sdata, newInstance, spName, SP_INIT, SP_GETATTR, SP_CALL, SP_ENTER, SP_EXIT,
  EXC_NAMEERROR, EXC_ATTRIBUTEERROR, EXC_STOPITERATION, EXC_UNBOUNDLOCAL, EXC_RUNTIME, EXC_ASSERTION, EXC_BASE,
  EXC_IMPORTERROR, EXC_RECURSION, tupleFrom, className, dlen, dused, dkey, dval, newDictT, seqItems, seqLen,
  internAS, strFromOut, memError, newRaw,
} from './rt';
import {
  binaryOp, unaryOp, compareOp, getItem, setItem, delItem, containsOp, getIter, iterNext, toOut, formatValue,
  extendFromIter,
} from './ops';
import { callNative, builtinsDict, importModule } from './builtins';
import { Out } from './out';

let depth: i32 = 0;
export let maxDepth: i32 = 200;
export function setMaxDepth(n: i32): void {
  maxDepth = n;
}

// Block stack for try/except: pairs (handler ip, operand stack pointer), one region for all frames.
const BLOCKS: i32 = 1024;
let bstack: usize = 0;
let bsp: i32 = 0;
export function vmInit(): void {
  bstack = heap.alloc(<usize>BLOCKS * 8);
}

// The exception being handled (for bare `raise`), a root through the value stack of its handler.
let handling: V = NONE;

export function push(v: V): void {
  store<i32>(vsp, v);
  setVsp(vsp + 4);
}
export function pop(): V {
  setVsp(vsp - 4);
  return load<i32>(vsp);
}
function top(): V {
  return load<i32>(vsp - 4);
}
function peek(i: i32): V {
  return load<i32>(vsp - 4 - (<usize>i << 2));
}
function setTop(v: V): void {
  store<i32>(vsp - 4, v);
}

export function call0(fn: V): V {
  return callValue(fn, 0, vsp, NULL);
}
export function call1(fn: V, a: V): V {
  const at = vsp;
  push(a);
  const r = callValue(fn, 1, at, NULL);
  setVsp(at);
  return r;
}
export function call2(fn: V, a: V, b: V): V {
  const at = vsp;
  push(a);
  push(b);
  const r = callValue(fn, 2, at, NULL);
  setVsp(at);
  return r;
}
export function call3(fn: V, a: V, b: V, c: V): V {
  const at = vsp;
  push(a);
  push(b);
  push(c);
  const r = callValue(fn, 3, at, NULL);
  setVsp(at);
  return r;
}

/** Calls `fn` with `n` positional args at `args` (+ keyword values after them named by the tuple `kw`). */
export function callValue(fn: V, n: i32, args: usize, kw: V): V {
  const t = typeOf(fn);
  if (t == T_FUNC) return callFunction(fn, n, args, kw);
  if (t == T_NATIVE) return callNative(fn, n, args, kw);
  if (t == T_BOUND) {
    // Put self in front of the arguments, in a fresh copy at the top of the stack.
    const nk = kw == NULL ? 0 : tlen(kw);
    const at = vsp;
    push(field(fn, 0));
    for (let i = 0; i < n + nk; i++) push(load<i32>(args + (<usize>i << 2)));
    const r = callValue(field(fn, 1), n + 1, at, kw);
    setVsp(at);
    return r;
  }
  if (t == T_CLASS) return instantiate(fn, n, args, kw);
  if (t == T_INST) {
    const m = lookupSpecial(fn, SP_CALL);
    if (m != NULL) return callValue(m, n, args, kw);
  }
  return raiseType("'" + typeName(fn) + "' object is not callable");
}

function instantiate(cls: V, n: i32, args: usize, kw: V): V {
  const native = load<i32>(cls + 20);
  if (native == 0x7e) {
    // a library class with a native constructor taking the class first (array.array)
    const at = vsp;
    push(cls);
    for (let i = 0; i < n + (kw == NULL ? 0 : tlen(kw)); i++) push(load<i32>(args + (<usize>i << 2)));
    const r = callNative(field(cls, 3), n + 1, at, kw);
    setVsp(at);
    return r;
  }
  if (native != T_INST && native != 0) return callNative(field(cls, 3), n, args, kw); // builtin type: its constructor
  const o = pushTemp(newInstance(cls));
  if (o == NULL) {
    popTemp(1);
    return NULL;
  }
  if (isExceptionClass(cls)) setField(o, 2, tupleFrom(args, n));
  const init = classLookup(cls, spName(SP_INIT));
  if (init != NULL && typeOf(init) == T_FUNC) {
    const at = vsp;
    push(o);
    for (let i = 0; i < n + (kw == NULL ? 0 : tlen(kw)); i++) push(load<i32>(args + (<usize>i << 2)));
    const r = callFunction(init, n + 1, at, kw);
    setVsp(at);
    popTemp(1);
    if (r == NULL) return NULL;
    if (r != NONE) return raiseType('__init__() should return None');
    return o;
  }
  popTemp(1);
  if (init != NULL && typeOf(init) == T_NATIVE) {
    // a builtin base's __init__ (BaseException): nothing to do beyond args
    return o;
  }
  return o;
}

export function isExceptionClass(cls: V): bool {
  return isSubclass(cls, excType(EXC_BASE));
}

export function isSubclass(c: V, base: V): bool {
  if (c == base) return true;
  if (typeOf(c) != T_CLASS) return false;
  const bases = field(c, 1);
  if (bases == NULL || bases == NONE) return false;
  const n = tlen(bases);
  for (let i = 0; i < n; i++) if (isSubclass(titem(bases, i), base)) return true;
  return false;
}

export function isInstance(v: V, cls: V): bool {
  const c = classOf(v);
  if (isSubclass(c, cls)) return true;
  // bool is a subclass of int
  return false;
}

/** Looks `name` up in class `cls` and its bases (depth-first, left to right). */
export function classLookup(cls: V, name: V): V {
  const d = field(cls, 2);
  const r = dictGet(d, name);
  if (r != NULL) return r;
  const bases = field(cls, 1);
  if (bases == NULL || bases == NONE) return NULL;
  const n = tlen(bases);
  for (let i = 0; i < n; i++) {
    const x = classLookup(titem(bases, i), name);
    if (x != NULL) return x;
  }
  return NULL;
}

/** A special method of an instance of a user class, bound to it; NULL when the class has none. */
export function lookupSpecial(v: V, sp: i32): V {
  if (typeOf(v) != T_INST) return NULL;
  const m = classLookup(field(v, 0), spName(sp));
  if (m == NULL) return NULL;
  if (typeOf(m) == T_FUNC || typeOf(m) == T_NATIVE) return newBound(v, m);
  return m;
}

function callFunction(fn: V, n: i32, args: usize, kw: V): V {
  const code = field(fn, 0);
  const npos = load<i32>(code + 36);
  const nkwonly = load<i32>(code + 40);
  const nlocals = load<i32>(code + 44);
  const flags = load<i32>(code + 48);
  const ncells = load<i32>(code + 52);
  const nfree = load<i32>(code + 56);
  const frame = vsp;
  const nslots = nlocals + ncells + nfree;
  if (frame + (<usize>(nslots + 64) << 2) >= vstackEnd || depth >= maxDepth) {
    return raise(excType(EXC_RECURSION), 'maximum recursion depth exceeded');
  }
  push(fn);
  push(NONE);
  const base = vsp;
  for (let i = 0; i < nslots; i++) push(UNBOUND);
  // positional
  const nBind = n < npos ? n : npos;
  for (let i = 0; i < nBind; i++) store<i32>(base + (<usize>i << 2), load<i32>(args + (<usize>i << 2)));
  let slot = npos + nkwonly;
  if (flags & O.CO_VARARGS) {
    const extra = n > npos ? n - npos : 0;
    const t = tupleFrom(args + (<usize>npos << 2), extra);
    if (t == NULL) return unwindFail(frame);
    store<i32>(base + (<usize>slot << 2), t);
    slot++;
  } else if (n > npos) {
    setVsp(frame);
    return raiseType(
      fnName(fn) + '() takes ' + npos.toString() + ' positional arguments but ' + n.toString() + ' were given',
    );
  }
  let kwdict: V = NULL;
  if (flags & O.CO_VARKW) {
    kwdict = newDict();
    if (kwdict == NULL) return unwindFail(frame);
    store<i32>(base + (<usize>slot << 2), kwdict);
  }
  if (kw != NULL) {
    const nk = tlen(kw);
    const varnames = field(code, 7);
    for (let k = 0; k < nk; k++) {
      const name = titem(kw, k);
      const val = load<i32>(args + (<usize>(n + k) << 2));
      let found = -1;
      for (let i = 0; i < npos + nkwonly; i++) {
        const vn = titem(varnames, i);
        if (vn == name || equals(vn, name) == 1) {
          found = i;
          break;
        }
      }
      if (found >= 0) {
        if (load<i32>(base + (<usize>found << 2)) != UNBOUND) {
          setVsp(frame);
          return raiseType(fnName(fn) + "() got multiple values for argument '" + strToAS(name) + "'");
        }
        store<i32>(base + (<usize>found << 2), val);
      } else if (kwdict != NULL) {
        if (!dictSet(kwdict, name, val)) return unwindFail(frame);
      } else {
        setVsp(frame);
        return raiseType(fnName(fn) + "() got an unexpected keyword argument '" + strToAS(name) + "'");
      }
    }
  }
  // defaults
  const defaults = field(fn, 2);
  if (nBind < npos) {
    const nd = defaults == NULL ? 0 : tlen(defaults);
    for (let i = nBind; i < npos; i++) {
      if (load<i32>(base + (<usize>i << 2)) != UNBOUND) continue;
      const di = i - (npos - nd);
      if (di >= 0) store<i32>(base + (<usize>i << 2), titem(defaults, di));
      else {
        setVsp(frame);
        const vn = titem(field(code, 7), i);
        return raiseType(fnName(fn) + "() missing required positional argument: '" + strToAS(vn) + "'");
      }
    }
  }
  for (let i = npos; i < npos + nkwonly; i++) {
    if (load<i32>(base + (<usize>i << 2)) != UNBOUND) continue;
    const kwd = field(fn, 4);
    const vn = titem(field(code, 7), i);
    const dv = kwd == NULL ? NULL : dictGet(kwd, vn);
    if (dv == NULL) {
      setVsp(frame);
      return raiseType(fnName(fn) + "() missing required keyword argument: '" + strToAS(vn) + "'");
    }
    store<i32>(base + (<usize>i << 2), dv);
  }
  // cells and free variables
  if (ncells + nfree) {
    const cellmap = field(code, 6);
    for (let i = 0; i < ncells; i++) {
      const src = load<i32>(cellmap + 4 + (<usize>i << 2));
      const c = newCell(src >= 0 ? load<i32>(base + (<usize>src << 2)) : UNBOUND);
      if (c == NULL) return unwindFail(frame);
      store<i32>(base + (<usize>(nlocals + i) << 2), c);
    }
    const closure = field(fn, 3);
    for (let i = 0; i < nfree; i++) store<i32>(base + (<usize>(nlocals + ncells + i) << 2), titem(closure, i));
  }
  if (flags & O.CO_GENERATOR) {
    // A generator function returns a generator holding the bound frame; nothing runs yet.
    const saved = newRaw(nslots);
    if (saved == NULL) return unwindFail(frame);
    memory.copy(<usize>saved + 4, base, <usize>nslots << 2);
    pushTemp(saved);
    const g = alloc(T_GEN, 28);
    popTemp(1);
    setVsp(frame);
    if (g == NULL) return memError();
    setField(g, 0, fn);
    setField(g, 1, saved);
    return g;
  }
  depth++;
  const r = run(fn, code, field(fn, 1), base, NONE, 0, NULL);
  depth--;
  setVsp(frame);
  return r;
}

let yielded = false;
const GEN_NEW: i32 = 0;
const GEN_SUSPENDED: i32 = 1;
const GEN_RUNNING: i32 = 2;
const GEN_DONE: i32 = 3;

/** Runs generator `g` until its next yield: the value, STOP when it returned, NULL on an exception. */
export function resume(g: V, sent: V): V {
  const state = load<i32>(g + 20);
  if (state == GEN_DONE) return STOP;
  if (state == GEN_RUNNING) return raise(excType(3), 'generator already executing');
  if (state == GEN_NEW && sent != NONE) return raiseType("can't send non-None value to a just-started generator");
  const fn = field(g, 0);
  const code = field(fn, 0);
  const nslots = load<i32>(code + 44) + load<i32>(code + 52) + load<i32>(code + 56);
  const nstack = load<i32>(g + 16);
  const nblocks = load<i32>(g + 24);
  const frame = vsp;
  if (frame + (<usize>(nslots + nstack + 64) << 2) >= vstackEnd || depth >= maxDepth) {
    return raise(excType(EXC_RECURSION), 'maximum recursion depth exceeded');
  }
  push(fn);
  push(NONE);
  const base = vsp;
  const saved = field(g, 1);
  for (let i = 0; i < nslots + nstack; i++) push(load<i32>(<usize>saved + 4 + (<usize>i << 2)));
  for (let i = 0; i < nblocks; i++) {
    const at = <usize>saved + 4 + (<usize>(nslots + nstack + 2 * i) << 2);
    store<i32>(bstack + (<usize>bsp << 3), load<i32>(at) >> 1);
    store<i32>(bstack + (<usize>bsp << 3) + 4, <i32>(base + (<usize>(load<i32>(at + 4) >> 1) << 2)));
    bsp++;
  }
  if (state == GEN_SUSPENDED) push(sent);
  store<i32>(g + 20, GEN_RUNNING);
  yielded = false;
  depth++;
  const r = run(fn, code, field(fn, 1), base, NONE, load<i32>(g + 12), g);
  depth--;
  const y = yielded;
  yielded = false;
  setVsp(frame);
  if (r == NULL) {
    store<i32>(g + 20, GEN_DONE);
    return NULL;
  }
  if (y) {
    store<i32>(g + 20, GEN_SUSPENDED);
    return r;
  }
  store<i32>(g + 20, GEN_DONE);
  setField(g, 1, NONE);
  return STOP;
}

function unwindFail(frame: usize): V {
  setVsp(frame);
  return NULL;
}

function fnName(fn: V): string {
  return strToAS(field(field(fn, 0), 3));
}

/** Runs module-level or class-body code with `locals` as its namespace dict. */
export function runCode(code: V, globals: V, locals: V, closure: V): V {
  const frame = vsp;
  push(code);
  push(locals);
  const base = vsp;
  const ncells = load<i32>(code + 52);
  const nfree = load<i32>(code + 56);
  const nlocals = load<i32>(code + 44);
  for (let i = 0; i < nlocals + ncells; i++) push(UNBOUND);
  for (let i = 0; i < nfree; i++) push(titem(closure, i));
  depth++;
  const r = run(code, code, globals, base, locals, 0, NULL);
  depth--;
  setVsp(frame);
  return r;
}

/** Line of the instruction at `ip` from the code's (ip, line) table. */
function lineOf(code: V, ip: i32): i32 {
  const lines = field(code, 5);
  const n = (<i32>(load<u32>(lines) >> 9) << 3) - 4;
  let line = 0;
  for (let i = 0; i + 8 <= n; i += 8) {
    const at = load<i32>(lines + 4 + <usize>i);
    if (at > ip) break;
    const l = load<i32>(lines + 8 + <usize>i);
    if (l == 0 && at == 0 && i > 0) break;
    line = l;
  }
  return line;
}

/** Appends (file, line, function name) to the pending exception's traceback. */
function addTraceback(code: V, ip: i32): void {
  const e = pendingExc();
  if (typeOf(e) != T_INST) return;
  const d = field(e, 1);
  const key = internAS('__tb__');
  let tb = dictGet(d, key);
  if (tb == NULL) {
    tb = pushTemp(newList(4));
    if (tb == NULL || !dictSet(d, key, tb)) {
      popTemp(1);
      return;
    }
    popTemp(1);
  }
  pushTemp(tb);
  const entry = newTuple(3);
  if (entry != NULL) {
    tupleSet(entry, 0, field(code, 4));
    tupleSet(entry, 1, mkSmall(lineOf(code, ip)));
    tupleSet(entry, 2, field(code, 3));
    listAppend(tb, entry);
  }
  popTemp(1);
  setPending(e);
}

function u16at(bc: usize, ip: i32): i32 {
  return <i32>load<u16>(bc + <usize>ip);
}

function nameAt(code: V, i: i32): V {
  return titem(field(code, 2), i);
}

export function raiseNameError(name: V): V {
  return raise(excType(EXC_NAMEERROR), "name '" + strToAS(name) + "' isn't defined");
}

function loadGlobal(globals: V, name: V): V {
  let v = dictGet(globals, name);
  if (v != NULL) return v;
  v = dictGet(builtinsDict(), name);
  if (v != NULL) return v;
  return raiseNameError(name);
}

/** The interpreter loop for one frame. `fn` is the function (or code for module/class bodies). */
function run(fn: V, code: V, globals: V, base: usize, locals: V, startIp: i32, gen: V): V {
  const bc = <usize>field(code, 0) + 4;
  const consts = field(code, 1);
  const nlocals = load<i32>(code + 44);
  const cells = base + (<usize>nlocals << 2);
  const nslots = nlocals + load<i32>(code + 52) + load<i32>(code + 56);
  // a resumed generator's blocks were restored just before this call
  const blockBase = gen == NULL ? bsp : bsp - load<i32>(gen + 24);
  const stackBase = base + (<usize>nslots << 2);
  let ip = startIp;
  let opStart = 0;
  for (;;) {
    opStart = ip;
    const op = load<u8>(bc + <usize>ip);
    ip++;
    let err = false;
    switch (op) {
      case O.OP_NOP:
        break;
      case O.OP_LOAD_CONST:
        push(titem(consts, u16at(bc, ip)));
        ip += 2;
        break;
      case O.OP_LOAD_SMALL:
        push(mkSmall(<i32>load<i16>(bc + <usize>ip)));
        ip += 2;
        break;
      case O.OP_LOAD_NONE:
        push(NONE);
        break;
      case O.OP_LOAD_TRUE:
        push(TRUE);
        break;
      case O.OP_LOAD_FALSE:
        push(FALSE);
        break;
      case O.OP_LOAD_FAST: {
        const i = u16at(bc, ip);
        ip += 2;
        const v = load<i32>(base + (<usize>i << 2));
        if (v == UNBOUND) {
          raise(excType(EXC_UNBOUNDLOCAL), "local variable referenced before assignment");
          err = true;
          break;
        }
        push(v);
        break;
      }
      case O.OP_STORE_FAST:
        store<i32>(base + (<usize>u16at(bc, ip) << 2), pop());
        ip += 2;
        break;
      case O.OP_DELETE_FAST:
        store<i32>(base + (<usize>u16at(bc, ip) << 2), UNBOUND);
        ip += 2;
        break;
      case O.OP_LOAD_DEREF: {
        const c = load<i32>(cells + (<usize>u16at(bc, ip) << 2));
        ip += 2;
        const v = field(c, 0);
        if (v == UNBOUND) {
          raise(excType(EXC_NAMEERROR), 'free variable referenced before assignment');
          err = true;
          break;
        }
        push(v);
        break;
      }
      case O.OP_LOAD_CLOSURE:
        push(load<i32>(cells + (<usize>u16at(bc, ip) << 2)));
        ip += 2;
        break;
      case O.OP_STORE_DEREF:
        setField(load<i32>(cells + (<usize>u16at(bc, ip) << 2)), 0, pop());
        ip += 2;
        break;
      case O.OP_DELETE_DEREF:
        setField(load<i32>(cells + (<usize>u16at(bc, ip) << 2)), 0, UNBOUND);
        ip += 2;
        break;
      case O.OP_LOAD_GLOBAL: {
        const v = loadGlobal(globals, nameAt(code, u16at(bc, ip)));
        ip += 2;
        if (v == NULL) err = true;
        else push(v);
        break;
      }
      case O.OP_STORE_GLOBAL: {
        const v = top();
        if (!dictSet(globals, nameAt(code, u16at(bc, ip)), v)) err = true;
        else pop();
        ip += 2;
        break;
      }
      case O.OP_DELETE_GLOBAL: {
        const name = nameAt(code, u16at(bc, ip));
        ip += 2;
        if (dictDel(globals, name) != 1) {
          raiseNameError(name);
          err = true;
        }
        break;
      }
      case O.OP_LOAD_NAME: {
        const name = nameAt(code, u16at(bc, ip));
        ip += 2;
        let v = locals != NONE ? dictGet(locals, name) : NULL;
        if (v == NULL) v = loadGlobal(globals, name);
        if (v == NULL) err = true;
        else push(v);
        break;
      }
      case O.OP_STORE_NAME: {
        const v = top();
        if (!dictSet(locals, nameAt(code, u16at(bc, ip)), v)) err = true;
        else pop();
        ip += 2;
        break;
      }
      case O.OP_DELETE_NAME: {
        const name = nameAt(code, u16at(bc, ip));
        ip += 2;
        if (dictDel(locals, name) != 1) {
          raiseNameError(name);
          err = true;
        }
        break;
      }
      case O.OP_LOAD_ATTR: {
        const v = getAttr(top(), nameAt(code, u16at(bc, ip)));
        ip += 2;
        if (v == NULL) err = true;
        else setTop(v);
        break;
      }
      case O.OP_STORE_ATTR: {
        const obj = top();
        const v = peek(1);
        if (!setAttr(obj, nameAt(code, u16at(bc, ip)), v)) err = true;
        else setVsp(vsp - 8);
        ip += 2;
        break;
      }
      case O.OP_DELETE_ATTR: {
        const obj = top();
        if (!delAttr(obj, nameAt(code, u16at(bc, ip)))) err = true;
        else pop();
        ip += 2;
        break;
      }
      case O.OP_LOAD_SUBSCR: {
        const r = getItem(peek(1), top());
        if (r == NULL) err = true;
        else {
          pop();
          setTop(r);
        }
        break;
      }
      case O.OP_STORE_SUBSCR: {
        if (!setItem(peek(1), top(), peek(2))) err = true;
        else setVsp(vsp - 12);
        break;
      }
      case O.OP_DELETE_SUBSCR: {
        if (!delItem(peek(1), top())) err = true;
        else setVsp(vsp - 8);
        break;
      }
      case O.OP_BINARY:
      case O.OP_INPLACE: {
        const bop = <i32>load<u8>(bc + <usize>ip);
        ip++;
        const b = top();
        const a = peek(1);
        let r: V;
        if (isSmall(a) && isSmall(b) && bop <= O.BIN_SUB) {
          const x = <i64>smallVal(a) + (bop == O.BIN_ADD ? <i64>smallVal(b) : -<i64>smallVal(b));
          r = x >= -0x40000000 && x <= 0x3fffffff ? mkSmall(<i32>x) : binaryOp(bop, a, b, op == O.OP_INPLACE);
        } else r = binaryOp(bop, a, b, op == O.OP_INPLACE);
        if (r == NULL) err = true;
        else {
          pop();
          setTop(r);
        }
        break;
      }
      case O.OP_UNARY: {
        const uop = <i32>load<u8>(bc + <usize>ip);
        ip++;
        let r: V;
        if (uop == O.UN_NOT) {
          const t = truthy(top());
          r = t < 0 ? NULL : mkBool(t == 0);
        } else r = unaryOp(uop, top());
        if (r == NULL) err = true;
        else setTop(r);
        break;
      }
      case O.OP_COMPARE: {
        const cop = <i32>load<u8>(bc + <usize>ip);
        ip++;
        const b = top();
        const a = peek(1);
        let r: V;
        if (isSmall(a) && isSmall(b) && cop <= O.CMP_GE) {
          const x = smallVal(a);
          const y = smallVal(b);
          let c = false;
          switch (cop) {
            case O.CMP_LT: c = x < y; break;
            case O.CMP_LE: c = x <= y; break;
            case O.CMP_EQ: c = x == y; break;
            case O.CMP_NE: c = x != y; break;
            case O.CMP_GT: c = x > y; break;
            default: c = x >= y;
          }
          r = mkBool(c);
        } else if (cop == O.CMP_IS) r = mkBool(a == b);
        else if (cop == O.CMP_IS_NOT) r = mkBool(a != b);
        else if (cop == O.CMP_IN || cop == O.CMP_NOT_IN) {
          const c = containsOp(b, a);
          r = c < 0 ? NULL : mkBool((c == 1) == (cop == O.CMP_IN));
        } else r = compareOp(cop, a, b);
        if (r == NULL) err = true;
        else {
          pop();
          setTop(r);
        }
        break;
      }
      case O.OP_POP:
        pop();
        break;
      case O.OP_DUP:
        push(top());
        break;
      case O.OP_DUP2: {
        const a = peek(1);
        const b = top();
        push(a);
        push(b);
        break;
      }
      case O.OP_ROT2: {
        const a = top();
        setTop(peek(1));
        store<i32>(vsp - 8, a);
        break;
      }
      case O.OP_ROT3: {
        const a = top();
        store<i32>(vsp - 4, peek(1));
        store<i32>(vsp - 8, peek(2));
        store<i32>(vsp - 12, a);
        break;
      }
      case O.OP_JUMP:
        ip = u16at(bc, ip);
        break;
      case O.OP_POP_JUMP_IF_FALSE:
      case O.OP_POP_JUMP_IF_TRUE: {
        const v = pop();
        const t: i32 = v == TRUE ? 1 : v == FALSE ? 0 : truthy(v);
        if (t < 0) {
          err = true;
          break;
        }
        if ((t == 1) == (op == O.OP_POP_JUMP_IF_TRUE)) ip = u16at(bc, ip);
        else ip += 2;
        break;
      }
      case O.OP_JUMP_IF_FALSE_OR_POP:
      case O.OP_JUMP_IF_TRUE_OR_POP: {
        const t = truthy(top());
        if (t < 0) {
          err = true;
          break;
        }
        if ((t == 1) == (op == O.OP_JUMP_IF_TRUE_OR_POP)) ip = u16at(bc, ip);
        else {
          pop();
          ip += 2;
        }
        break;
      }
      case O.OP_GET_ITER: {
        const it = getIter(top());
        if (it == NULL) err = true;
        else setTop(it);
        break;
      }
      case O.OP_FOR_ITER: {
        const v = iterNext(top());
        if (v == NULL) {
          err = true;
          break;
        }
        if (v == STOP) {
          pop();
          ip = u16at(bc, ip);
        } else {
          push(v);
          ip += 2;
        }
        break;
      }
      case O.OP_BUILD_TUPLE: {
        const n = u16at(bc, ip);
        ip += 2;
        const t = tupleFrom(vsp - (<usize>n << 2), n);
        if (t == NULL) {
          err = true;
          break;
        }
        setVsp(vsp - (<usize>n << 2));
        push(t);
        break;
      }
      case O.OP_BUILD_LIST: {
        const n = u16at(bc, ip);
        ip += 2;
        const l = newList(n);
        if (l == NULL) {
          err = true;
          break;
        }
        memory.copy(litems(l), vsp - (<usize>n << 2), <usize>n << 2);
        store<i32>(l + 8, n);
        setVsp(vsp - (<usize>n << 2));
        push(l);
        break;
      }
      case O.OP_BUILD_MAP: {
        const n = u16at(bc, ip);
        ip += 2;
        const d = pushTemp(newDict());
        if (d == NULL) {
          popTemp(1);
          err = true;
          break;
        }
        const at = vsp - (<usize>n << 3);
        for (let i = 0; i < n && !err; i++) {
          if (!dictSet(d, load<i32>(at + (<usize>i << 3)), load<i32>(at + (<usize>i << 3) + 4))) err = true;
        }
        popTemp(1);
        if (err) break;
        setVsp(at);
        push(d);
        break;
      }
      case O.OP_BUILD_SET: {
        const n = u16at(bc, ip);
        ip += 2;
        const d = pushTemp(newDictT(T_SET));
        if (d == NULL) {
          popTemp(1);
          err = true;
          break;
        }
        const at = vsp - (<usize>n << 2);
        for (let i = 0; i < n && !err; i++) if (!dictSet(d, load<i32>(at + (<usize>i << 2)), NONE)) err = true;
        popTemp(1);
        if (err) break;
        setVsp(at);
        push(d);
        break;
      }
      case O.OP_BUILD_SLICE: {
        const n = <i32>load<u8>(bc + <usize>ip);
        ip++;
        const s = alloc(T_SLICE, 16);
        if (s == NULL) {
          memError();
          err = true;
          break;
        }
        const step = n == 3 ? pop() : NONE;
        const stop = pop();
        setField(s, 0, top());
        setField(s, 1, stop);
        setField(s, 2, step);
        setTop(s);
        break;
      }
      case O.OP_LIST_APPEND: {
        const d = u16at(bc, ip);
        ip += 2;
        const v = top();
        if (!listAppend(peek(d), v)) err = true;
        else pop();
        break;
      }
      case O.OP_SET_ADD: {
        const d = u16at(bc, ip);
        ip += 2;
        if (!dictSet(peek(d), top(), NONE)) err = true;
        else pop();
        break;
      }
      case O.OP_MAP_ADD: {
        const d = u16at(bc, ip);
        ip += 2;
        if (!dictSet(peek(d + 1), peek(1), top())) err = true;
        else setVsp(vsp - 8);
        break;
      }
      case O.OP_UNPACK_SEQUENCE: {
        const n = u16at(bc, ip);
        ip += 2;
        if (!unpack(n, -1, 0)) err = true;
        break;
      }
      case O.OP_UNPACK_EX: {
        const before = <i32>load<u8>(bc + <usize>ip);
        const after = <i32>load<u8>(bc + <usize>ip + 1);
        ip += 2;
        if (!unpack(before + after, before, after)) err = true;
        break;
      }
      case O.OP_CALL: {
        const npos = <i32>load<u8>(bc + <usize>ip);
        const nkw = <i32>load<u8>(bc + <usize>ip + 1);
        ip += 2;
        let kw: V = NULL;
        if (nkw) kw = pop();
        const args = vsp - (<usize>(npos + nkw) << 2);
        const f = load<i32>(args - 4);
        if (kw != NULL) pushTemp(kw);
        const r = callValue(f, npos, args, kw);
        if (kw != NULL) popTemp(1);
        if (r == NULL) {
          err = true;
          break;
        }
        setVsp(args - 4);
        push(r);
        break;
      }
      case O.OP_UNPACK_STAR_CALL: {
        const how = <i32>load<u8>(bc + <usize>ip);
        ip++;
        if (how == 3) {
          // fn list dict name value
          if (!dictSet(peek(2), peek(1), top())) err = true;
          else setVsp(vsp - 8);
          break;
        }
        const x = top();
        if (how == 2) {
          if (!listAppend(peek(2), x)) err = true;
        } else if (how == 0) {
          if (!extendList(peek(2), x)) err = true;
        } else {
          if (!updateDict(peek(1), x)) err = true;
        }
        if (!err) pop();
        break;
      }
      case O.OP_CALL_EX: {
        ip++;
        // fn, args list, kwargs dict
        const kwd = top();
        const lst = peek(1);
        const f = peek(2);
        const at = vsp;
        const n = llen(lst);
        for (let i = 0; i < n; i++) push(litem(lst, i));
        const nk = dlen(kwd);
        let kw: V = NULL;
        if (nk) {
          kw = newTuple(nk);
          if (kw == NULL) {
            err = true;
            break;
          }
          let k = 0;
          for (let i = 0; i < dused(kwd); i++) {
            const key = dkey(kwd, i);
            if (key == DELETED) continue;
            tupleSet(kw, k++, key);
            push(dval(kwd, i));
          }
          pushTemp(kw);
        }
        const r = callValue(f, n, at, kw);
        if (kw != NULL) popTemp(1);
        if (r == NULL) {
          setVsp(at);
          err = true;
          break;
        }
        setVsp(at - 12);
        push(r);
        break;
      }
      case O.OP_MAKE_FUNCTION: {
        const c = titem(consts, u16at(bc, ip));
        const flags = <i32>load<u8>(bc + <usize>ip + 2);
        ip += 3;
        const f = alloc(T_FUNC, 28);
        if (f == NULL) {
          memError();
          err = true;
          break;
        }
        setField(f, 0, c);
        setField(f, 1, globals);
        setField(f, 5, NONE);
        if (flags & 2) setField(f, 3, pop());
        if (flags & 4) setField(f, 4, pop());
        if (flags & 1) setField(f, 2, pop());
        push(f);
        break;
      }
      case O.OP_RETURN: {
        const r = pop();
        bsp = blockBase;
        return r;
      }
      case O.OP_YIELD_VALUE: {
        // Save locals, operand stack (below the value) and blocks into the generator, then leave.
        const v = pop();
        const nstack = <i32>((vsp - stackBase) >> 2);
        const nb = bsp - blockBase;
        pushTemp(v);
        const saved = newRaw(nslots + nstack + 2 * nb);
        popTemp(1);
        if (saved == NULL) {
          err = true;
          break;
        }
        memory.copy(<usize>saved + 4, base, <usize>(nslots + nstack) << 2);
        for (let i = 0; i < nb; i++) {
          const at = <usize>saved + 4 + (<usize>(nslots + nstack + 2 * i) << 2);
          const blk = bstack + (<usize>(blockBase + i) << 3);
          store<i32>(at, mkSmall(load<i32>(blk)));
          store<i32>(at + 4, mkSmall(<i32>((<usize>load<i32>(blk + 4) - base) >> 2)));
        }
        setField(gen, 1, saved);
        store<i32>(gen + 12, ip);
        store<i32>(gen + 16, nstack);
        store<i32>(gen + 24, nb);
        bsp = blockBase;
        yielded = true;
        return v;
      }
      case O.OP_RAISE: {
        const n = <i32>load<u8>(bc + <usize>ip);
        ip++;
        if (n == 0) {
          if (handling == NONE) {
            raise(excType(EXC_RUNTIME), 'no active exception to reraise');
          } else setPending(handling);
          err = true;
          break;
        }
        if (n == 2) pop(); // `from` cause: accepted and dropped
        makeRaise(pop());
        err = true;
        break;
      }
      case O.OP_RERAISE:
        setPending(pop());
        err = true;
        break;
      case O.OP_SETUP_EXCEPT:
      case O.OP_SETUP_WITH: {
        if (op == O.OP_SETUP_WITH) {
          const ctx = top();
          const exit = getAttr(ctx, spName(SP_EXIT));
          if (exit == NULL) {
            err = true;
            break;
          }
          setTop(exit);
          const enter = getAttr(ctx, spName(SP_ENTER));
          if (enter == NULL) {
            err = true;
            break;
          }
          const r = call0(enter);
          if (r == NULL) {
            err = true;
            break;
          }
          push(r);
        }
        if (bsp >= BLOCKS) {
          raise(excType(EXC_RUNTIME), 'too many nested blocks');
          err = true;
          break;
        }
        store<i32>(bstack + (<usize>bsp << 3), u16at(bc, ip));
        store<i32>(bstack + (<usize>bsp << 3) + 4, <i32>(op == O.OP_SETUP_WITH ? vsp - 4 : vsp));
        bsp++;
        ip += 2;
        break;
      }
      case O.OP_POP_BLOCK:
        bsp--;
        break;
      case O.OP_POP_EXCEPT:
        handling = NONE;
        break;
      case O.OP_EXC_MATCH: {
        const cls = pop();
        const e = pop(); // the compiler DUPs the exception before the class
        let m = false;
        if (typeOf(cls) == T_TUPLE) {
          for (let i = 0; i < tlen(cls); i++) if (isInstance(e, titem(cls, i))) m = true;
        } else m = isInstance(e, cls);
        push(mkBool(m));
        break;
      }
      case O.OP_WITH_CLEANUP: {
        const r = call3(top(), NONE, NONE, NONE);
        if (r == NULL) {
          err = true;
          break;
        }
        pop();
        break;
      }
      case O.OP_WITH_EXC: {
        // stack: exit, exc
        const e = top();
        const r = call3(peek(1), classOf(e), e, NONE);
        if (r == NULL) {
          err = true;
          break;
        }
        const t = truthy(r);
        if (t == 1) {
          setVsp(vsp - 8);
          handling = NONE;
        } else {
          setPending(e);
          setVsp(vsp - 8);
          err = true;
        }
        break;
      }
      case O.OP_ASSERT_FAIL: {
        const n = <i32>load<u8>(bc + <usize>ip);
        ip++;
        if (n) {
          const t = newTuple(1);
          if (t != NULL) {
            tupleSet(t, 0, pop());
            raiseArgs(excType(EXC_ASSERTION), t);
          }
        } else raiseArgs(excType(EXC_ASSERTION), newTuple(0));
        err = true;
        break;
      }
      case O.OP_BUILD_CLASS: {
        const nb = <i32>load<u8>(bc + <usize>ip);
        ip++;
        const c = buildClass(nb);
        if (c == NULL) err = true;
        else {
          // body function, name and bases are replaced by the class
          setVsp(vsp - (<usize>(nb + 1) << 2));
          setTop(c);
        }
        break;
      }
      case O.OP_SUPER: {
        const self = top();
        const owner = typeOf(fn) == T_FUNC ? field(fn, 5) : NONE;
        if (owner == NONE) {
          raise(excType(EXC_RUNTIME), 'super(): no arguments');
          err = true;
          break;
        }
        const s = makeSuper(owner, self);
        if (s == NULL) err = true;
        else setTop(s);
        break;
      }
      case O.OP_IMPORT_NAME: {
        const m = importModule(nameAt(code, u16at(bc, ip)));
        ip += 2;
        if (m == NULL) err = true;
        else push(m);
        break;
      }
      case O.OP_IMPORT_FROM: {
        const name = nameAt(code, u16at(bc, ip));
        ip += 2;
        const m = top();
        if (slen(name) == 1 && load<u8>(sdata(name)) == 42) {
          // from m import *
          const d = field(m, 1);
          for (let i = 0; i < dused(d) && !err; i++) {
            const k = dkey(d, i);
            if (k == DELETED || load<u8>(sdata(k)) == 95) continue;
            if (!dictSet(locals != NONE ? locals : globals, k, dval(d, i))) err = true;
          }
          if (!err) pop();
          break;
        }
        const v = getAttr(m, name);
        if (v == NULL) {
          raise(excType(EXC_IMPORTERROR), "can't import name " + strToAS(name));
          err = true;
        } else push(v);
        break;
      }
      case O.OP_PRINT_EXPR: {
        const v = pop();
        if (v != NONE) {
          const o = new Out();
          if (!toOut(v, o, true)) {
            o.free();
            err = true;
            break;
          }
          o.byte(10);
          consoleOut(o);
          o.free();
          // `_` holds the last printed value, as in the interactive interpreter
          dictSet(builtinsDict(), internAS('_'), v);
        }
        break;
      }
      case O.OP_FORMAT_VALUE: {
        const flags = <i32>load<u8>(bc + <usize>ip);
        ip++;
        const spec = flags & 4 ? pop() : NULL;
        const r = formatValue(top(), flags & 3, spec);
        if (r == NULL) err = true;
        else setTop(r);
        break;
      }
      case O.OP_BUILD_STRING: {
        const n = u16at(bc, ip);
        ip += 2;
        const o = new Out();
        const at = vsp - (<usize>n << 2);
        for (let i = 0; i < n; i++) {
          const s = load<i32>(at + (<usize>i << 2));
          o.bytes(sdata(s), slen(s));
        }
        const s = strFromOut(o);
        o.free();
        if (s == NULL) {
          err = true;
          break;
        }
        setVsp(at);
        push(s);
        break;
      }
      default:
        raise(excType(EXC_RUNTIME), 'bad opcode ' + op.toString());
        err = true;
    }
    if (!err) continue;
    // An exception: jump to the innermost handler of this frame, or leave the frame.
    if (pendingExc() == NONE) raise(excType(EXC_RUNTIME), 'internal error: exception without value');
    // A re-raise keeps the entry this frame added where the exception first passed.
    const reraise = op == O.OP_RERAISE || op == O.OP_WITH_EXC || (op == O.OP_RAISE && load<u8>(bc + <usize>opStart + 1) == 0);
    if (!reraise) addTraceback(code, opStart);
    if (bsp > blockBase) {
      bsp--;
      ip = load<i32>(bstack + (<usize>bsp << 3));
      setVsp(<usize>load<i32>(bstack + (<usize>bsp << 3) + 4));
      const e = pendingExc();
      push(e);
      handling = e;
      setPending(NONE);
      continue;
    }
    setVsp(stackBase);
    return NULL;
  }
}

function makeRaise(v: V): void {
  if (typeOf(v) == T_CLASS) {
    if (!isExceptionClass(v)) {
      raiseType('exceptions must derive from BaseException');
      return;
    }
    const e = instantiate(v, 0, vsp, NULL);
    if (e == NULL) return;
    setPending(e);
    return;
  }
  if (typeOf(v) == T_INST && isExceptionClass(field(v, 0))) {
    setPending(v);
    return;
  }
  raiseType('exceptions must derive from BaseException');
}

function unpack(n: i32, star: i32, after: i32): bool {
  const v = top();
  const t = typeOf(v);
  let items: usize;
  let len: i32;
  let tmp: V = NULL;
  if (t == T_TUPLE || t == T_LIST) {
    items = seqItems(v);
    len = seqLen(v);
  } else {
    // Any other iterable: collect into a list first.
    tmp = listFromIterable(v);
    if (tmp == NULL) return false;
    items = litems(tmp);
    len = llen(tmp);
  }
  pushTemp(tmp);
  pop();
  if (star < 0) {
    if (len != n) {
      popTemp(1);
      if (len > n) raise(excType(3), 'too many values to unpack (expected ' + n.toString() + ')');
      else raise(excType(3), 'need more values to unpack');
      return false;
    }
    for (let i = n - 1; i >= 0; i--) push(load<i32>(items + (<usize>i << 2)));
    popTemp(1);
    return true;
  }
  if (len < n) {
    popTemp(1);
    raise(excType(3), 'need more values to unpack');
    return false;
  }
  // targets: before..., *rest, after... pushed so that the first target is on top
  pushTemp(v);
  const restN = len - n;
  const rest = newList(restN);
  if (rest == NULL) {
    popTemp(2);
    return false;
  }
  if (t == T_TUPLE || t == T_LIST) items = seqItems(v);
  else items = litems(tmp);
  for (let i = 0; i < restN; i++) listAppend(rest, load<i32>(items + (<usize>(star + i) << 2)));
  for (let i = len - 1; i >= len - after; i--) push(load<i32>(items + (<usize>i << 2)));
  push(rest);
  for (let i = star - 1; i >= 0; i--) push(load<i32>(items + (<usize>i << 2)));
  popTemp(2);
  return true;
}

export function listFromIterable(v: V): V {
  const it = pushTemp(getIter(v));
  if (it == NULL) {
    popTemp(1);
    return NULL;
  }
  const l = pushTemp(newList(4));
  if (l == NULL) {
    popTemp(2);
    return NULL;
  }
  for (;;) {
    const x = iterNext(it);
    if (x == NULL) {
      popTemp(2);
      return NULL;
    }
    if (x == STOP) break;
    if (!listAppend(l, x)) {
      popTemp(2);
      return NULL;
    }
  }
  popTemp(2);
  return l;
}

export function extendList(l: V, x: V): bool {
  const t = typeOf(x);
  if (t == T_LIST || t == T_TUPLE) {
    const n = seqLen(x);
    for (let i = 0; i < n; i++) if (!listAppend(l, load<i32>(seqItems(x) + (<usize>i << 2)))) return false;
    return true;
  }
  return extendFromIter(l, x);
}

export function updateDict(d: V, x: V): bool {
  if (typeOf(x) == T_DICT) {
    for (let i = 0; i < dused(x); i++) {
      const k = dkey(x, i);
      if (k == DELETED) continue;
      if (!dictSet(d, k, dval(x, i))) return false;
    }
    return true;
  }
  // iterable of pairs
  const l = pushTemp(listFromIterable(x));
  if (l == NULL) {
    popTemp(1);
    return false;
  }
  for (let i = 0; i < llen(l); i++) {
    const p = litem(l, i);
    if ((typeOf(p) != T_TUPLE && typeOf(p) != T_LIST) || seqLen(p) != 2) {
      popTemp(1);
      raise(excType(3), 'dictionary update sequence element has wrong length');
      return false;
    }
    if (!dictSet(d, load<i32>(seqItems(p)), load<i32>(seqItems(p) + 4))) {
      popTemp(1);
      return false;
    }
  }
  popTemp(1);
  return true;
}

/** stack: body function, name, bases... → the new class (not yet stored). */
function buildClass(nb: i32): V {
  const at = vsp - (<usize>(nb + 2) << 2);
  const body = load<i32>(at);
  const name = load<i32>(at + 4);
  const bases = pushTemp(tupleFrom(at + 8, nb));
  if (bases == NULL) {
    popTemp(1);
    return NULL;
  }
  for (let i = 0; i < nb; i++) {
    if (typeOf(titem(bases, i)) != T_CLASS) {
      popTemp(1);
      return raiseType('bases must be types');
    }
  }
  const ns = pushTemp(newDict());
  if (ns == NULL) {
    popTemp(2);
    return NULL;
  }
  const code = field(body, 0);
  const r = runCode(code, field(body, 1), ns, field(body, 3));
  if (r == NULL) {
    popTemp(2);
    return NULL;
  }
  const c = newClass(name, bases, ns);
  popTemp(2);
  if (c == NULL) return NULL;
  // Functions defined in the body learn their class (zero-argument super()).
  for (let i = 0; i < dused(ns); i++) {
    if (dkey(ns, i) == DELETED) continue;
    let f = dval(ns, i);
    if (typeOf(f) == T_STATICMETHOD || typeOf(f) == T_CLASSMETHOD) f = field(f, 0);
    if (typeOf(f) == T_PROPERTY) {
      for (let k = 0; k < 3; k++) if (typeOf(field(f, k)) == T_FUNC) setField(field(f, k), 5, c);
    }
    if (typeOf(f) == T_FUNC) setField(f, 5, c);
  }
  return c;
}

/** CLASS layout: name, bases, dict, constructor (builtin types) | native type id @20 */
export function newClass(name: V, bases: V, dict: V): V {
  pushTemp(name);
  pushTemp(bases);
  pushTemp(dict);
  const c = alloc(T_CLASS, 24);
  popTemp(3);
  if (c == NULL) return memError();
  setField(c, 0, name);
  setField(c, 1, bases);
  setField(c, 2, dict);
  setField(c, 3, NONE);
  // Instances of a subclass of a builtin type (other than object/exceptions) are not supported yet.
  store<i32>(c + 20, T_INST);
  return c;
}

// A super object is an instance of the hidden class `super` with fields in its dict; simplest is a
// BOUND-like pair: we use a tuple (marker, owner, self) wrapped in an ITER-free shape: T_INST of superClass.
let superClassRoot: V = NULL;
export function setSuperClass(c: V): void {
  superClassRoot = c;
}
export function makeSuper(owner: V, self: V): V {
  const o = pushTemp(newInstance(superClassRoot));
  if (o == NULL) {
    popTemp(1);
    return NULL;
  }
  const t = newTuple(2);
  popTemp(1);
  if (t == NULL) return NULL;
  tupleSet(t, 0, owner);
  tupleSet(t, 1, self);
  setField(o, 2, t);
  return o;
}

/** The MRO used for super(): depth-first, left-to-right, duplicates removed except the last occurrence. */
function mroList(cls: V, out: Array<V>): void {
  out.push(cls);
  const bases = field(cls, 1);
  if (bases == NULL || bases == NONE) return;
  for (let i = 0; i < tlen(bases); i++) mroList(titem(bases, i), out);
}
export function mro(cls: V): Array<V> {
  const all: Array<V> = [];
  mroList(cls, all);
  const r: Array<V> = [];
  for (let i = 0; i < all.length; i++) {
    let later = false;
    for (let j = i + 1; j < all.length; j++) if (all[j] == all[i]) later = true;
    if (!later) r.push(all[i]);
  }
  return r;
}

function superGetAttr(sup: V, name: V): V {
  const t = field(sup, 2);
  const owner = titem(t, 0);
  const self = titem(t, 1);
  const selfCls = typeOf(self) == T_CLASS ? self : classOf(self);
  const m = mro(selfCls);
  let i = 0;
  while (i < m.length && m[i] != owner) i++;
  for (i = i + 1; i < m.length; i++) {
    const v = dictGet(field(m[i], 2), name);
    if (v != NULL) return bindAttr(v, self, selfCls);
  }
  return raise(excType(EXC_ATTRIBUTEERROR), "'super' object has no attribute '" + strToAS(name) + "'");
}

function bindAttr(v: V, self: V, cls: V): V {
  const t = typeOf(v);
  if (t == T_FUNC || t == T_NATIVE) return newBound(self, v);
  if (t == T_STATICMETHOD) return field(v, 0);
  if (t == T_CLASSMETHOD) return newBound(cls, field(v, 0));
  if (t == T_PROPERTY) {
    const g = field(v, 0);
    if (g == NONE) return raise(excType(EXC_ATTRIBUTEERROR), "unreadable attribute");
    return call1(g, self);
  }
  return v;
}

export function getAttr(obj: V, name: V): V {
  const v = getAttrOrNull(obj, name);
  if (v != NULL || pendingExc() != NONE) return v;
  const t = typeOf(obj);
  if (t == T_MODULE)
    return raise(excType(EXC_ATTRIBUTEERROR), "'module' object has no attribute '" + strToAS(name) + "'");
  if (t == T_CLASS)
    return raise(excType(EXC_ATTRIBUTEERROR), "type object '" + className(obj) + "' has no attribute '" + strToAS(name) + "'");
  return raise(excType(EXC_ATTRIBUTEERROR), "'" + typeName(obj) + "' object has no attribute '" + strToAS(name) + "'");
}

/** Attribute lookup without raising AttributeError (NULL + no pending exception = absent). */
export function getAttrOrNull(obj: V, name: V): V {
  const t = typeOf(obj);
  if (t == T_INST) {
    const cls = field(obj, 0);
    if (cls == superClassRoot) return superGetAttr(obj, name);
    const d = field(obj, 1);
    // data descriptors (property) win over the instance dict
    const cv = classLookup(cls, name);
    if (cv != NULL && typeOf(cv) == T_PROPERTY) return bindAttr(cv, obj, cls);
    const v = dictGet(d, name);
    if (v != NULL) return v;
    if (cv != NULL) return bindAttr(cv, obj, cls);
    const s = strToAS(name);
    if (s == '__class__') return cls;
    if (s == '__dict__') return d;
    if (s == 'args' && isExceptionClass(cls)) return field(obj, 2);
    if (s == 'value' && isSubclass(cls, excType(EXC_STOPITERATION))) {
      const a = field(obj, 2);
      return tlen(a) ? titem(a, 0) : NONE;
    }
    const ga = classLookup(cls, spName(SP_GETATTR));
    if (ga != NULL) return call2(ga, obj, name);
    return NULL;
  }
  if (t == T_CLASS) {
    const v = classLookup(obj, name);
    if (v != NULL) {
      const vt = typeOf(v);
      if (vt == T_STATICMETHOD) return field(v, 0);
      if (vt == T_CLASSMETHOD) return newBound(obj, field(v, 0));
      return v;
    }
    const s = strToAS(name);
    if (s == '__name__') return field(obj, 0);
    if (s == '__bases__') return field(obj, 1);
    if (s == '__dict__') return field(obj, 2);
    if (s == '__class__') return typeClass0();
    return NULL;
  }
  if (t == T_MODULE) {
    const v = dictGet(field(obj, 1), name);
    if (v != NULL) return v;
    if (strToAS(name) == '__name__') return field(obj, 0);
    return NULL;
  }
  // builtin types: methods live in the type's class dict
  const cls = classOf(obj);
  if (cls != NULL) {
    const v = classLookup(cls, name);
    if (v != NULL) return bindAttr(v, obj, cls);
  }
  const s = strToAS(name);
  if (s == '__class__') return cls;
  if (t == T_FUNC && s == '__name__') return field(field(obj, 0), 3);
  if (t == T_NATIVE && s == '__name__') return field(obj, 0);
  if (t == T_BOUND && s == '__self__') return field(obj, 0);
  return NULL;
}

function typeClass0(): V {
  return classOf(classOf(NONE));
}

export function setAttr(obj: V, name: V, v: V): bool {
  const t = typeOf(obj);
  if (t == T_INST) {
    const cv = classLookup(field(obj, 0), name);
    if (cv != NULL && typeOf(cv) == T_PROPERTY) {
      const s = field(cv, 1);
      if (s == NONE) {
        raise(excType(EXC_ATTRIBUTEERROR), "can't set attribute");
        return false;
      }
      return call2(s, obj, v) != NULL;
    }
    return dictSet(field(obj, 1), name, v);
  }
  if (t == T_CLASS) return dictSet(field(obj, 2), name, v);
  if (t == T_MODULE) return dictSet(field(obj, 1), name, v);
  if (t == T_FUNC) {
    raise(excType(EXC_ATTRIBUTEERROR), "'function' object has no attribute '" + strToAS(name) + "'");
    return false;
  }
  raise(excType(EXC_ATTRIBUTEERROR), "'" + typeName(obj) + "' object has no attribute '" + strToAS(name) + "'");
  return false;
}

function delAttr(obj: V, name: V): bool {
  const t = typeOf(obj);
  let d: V = NULL;
  if (t == T_INST) d = field(obj, 1);
  else if (t == T_CLASS) d = field(obj, 2);
  else if (t == T_MODULE) d = field(obj, 1);
  if (d == NULL || dictDel(d, name) != 1) {
    if (pendingExc() == NONE) raise(excType(EXC_ATTRIBUTEERROR), strToAS(name));
    return false;
  }
  return true;
}

import { consoleWrite } from './hal';
export function consoleOut(o: Out): void {
  consoleWrite(o.ptr, o.len);
}

