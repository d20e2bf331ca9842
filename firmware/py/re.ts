// The `re` module: a backtracking regular-expression engine over UTF-8 bytes (MicroPython's subset:
// literals, ., classes with ranges and \d\w\s, ^ $, groups, (?:…), |, * + ? {m,n} and lazy forms).
import {
  V, NULL, NONE, typeOf, field, pushTemp, popTemp, mkSmall, T_STR, T_BYTES, T_INST,
} from './obj';
import {
  raise, raiseType, excType, EXC_VALUEERROR, EXC_INDEXERROR, newTuple, tupleSet, tlen, titem, newList,
  listAppend, newDict, dictSet, dictGet, newStr, newBytes, sdata, slen, bufData, bufLen, internAS, strToAS,
  newInstance, smallOf,
} from './rt';
import { newClass, callValue, push } from './vm';
import { vsp, setVsp } from './obj';
import { Out } from './out';

// program instructions
const I_CHAR = 0, I_ANY = 1, I_CLASS = 2, I_SPLIT = 3, I_JMP = 4, I_SAVE = 5, I_BOL = 6, I_EOL = 7, I_MATCH = 8;

class Prog {
  op: Array<i32> = [];
  a: Array<i32> = [];
  b: Array<i32> = [];
  classes: Array<StaticArray<bool>> = [];
  ngroups: i32 = 1;
  error: string = '';
  emit(op: i32, a: i32 = 0, b: i32 = 0): i32 {
    this.op.push(op);
    this.a.push(a);
    this.b.push(b);
    return this.op.length - 1;
  }
}

class Parser {
  p: string;
  i: i32 = 0;
  prog: Prog;
  constructor(p: string, prog: Prog) {
    this.p = p;
    this.prog = prog;
  }
  peek(): i32 {
    return this.i < this.p.length ? this.p.charCodeAt(this.i) : -1;
  }
  // Each parse function emits code into a fresh Prog fragment; fragments are copied when repeated.
  alt(): Prog {
    const first = this.seq();
    if (this.peek() != 124) return first;
    const branches: Array<Prog> = [first];
    while (this.peek() == 124) {
      this.i++;
      branches.push(this.seq());
    }
    // SPLIT b1, next; b1; JMP end; SPLIT b2, next … last
    const out = new Prog();
    const jumps: Array<i32> = [];
    for (let k = 0; k < branches.length; k++) {
      if (k < branches.length - 1) {
        const s = out.emit(I_SPLIT, 0, 0);
        out.a[s] = s + 1;
        append(out, branches[k]);
        jumps.push(out.emit(I_JMP, 0));
        out.b[s] = out.op.length;
      } else append(out, branches[k]);
    }
    for (let k = 0; k < jumps.length; k++) out.a[jumps[k]] = out.op.length;
    return out;
  }
  seq(): Prog {
    const out = new Prog();
    for (;;) {
      const c = this.peek();
      if (c < 0 || c == 124 || c == 41) break;
      const atom = this.atom();
      if (this.prog.error.length) return out;
      this.quant(out, atom);
    }
    return out;
  }
  quant(out: Prog, atom: Prog): void {
    const c = this.peek();
    let min = 1;
    let max = 1;
    if (c == 42) {
      min = 0;
      max = -1;
      this.i++;
    } else if (c == 43) {
      min = 1;
      max = -1;
      this.i++;
    } else if (c == 63) {
      min = 0;
      max = 1;
      this.i++;
    } else if (c == 123) {
      const close = this.p.indexOf('}', this.i);
      const body = close > 0 ? this.p.substring(this.i + 1, close) : '';
      const comma = body.indexOf(',');
      if (close > 0 && body.length && isNum(comma < 0 ? body : body.substring(0, comma))) {
        min = comma == 0 ? 0 : I32.parseInt(comma < 0 ? body : body.substring(0, comma));
        max = comma < 0 ? min : comma == body.length - 1 ? -1 : I32.parseInt(body.substring(comma + 1));
        this.i = close + 1;
      }
    }
    let lazy = false;
    if ((min != 1 || max != 1) && this.peek() == 63) {
      lazy = true;
      this.i++;
    }
    for (let k = 0; k < min; k++) append(out, atom);
    if (max < 0) {
      // L: SPLIT body, end; body; JMP L
      const s = out.emit(I_SPLIT, 0, 0);
      append(out, atom);
      out.emit(I_JMP, s);
      setSplit(out, s, s + 1, out.op.length, lazy);
    } else {
      const ends: Array<i32> = [];
      for (let k = min; k < max; k++) {
        const s = out.emit(I_SPLIT, 0, 0);
        ends.push(s);
        append(out, atom);
      }
      for (let k = 0; k < ends.length; k++) setSplit(out, ends[k], ends[k] + 1, out.op.length, lazy);
    }
  }
  atom(): Prog {
    const out = new Prog();
    const c = this.peek();
    this.i++;
    if (c == 40) {
      let capture = true;
      if (this.p.substr(this.i, 2) == '?:') {
        capture = false;
        this.i += 2;
      }
      const g = capture ? this.prog.ngroups++ : 0;
      if (capture) out.emit(I_SAVE, 2 * g);
      append(out, this.alt());
      if (this.peek() != 41) {
        this.prog.error = 'missing )';
        return out;
      }
      this.i++;
      if (capture) out.emit(I_SAVE, 2 * g + 1);
      return out;
    }
    if (c == 46) {
      out.emit(I_ANY);
      return out;
    }
    if (c == 94) {
      out.emit(I_BOL);
      return out;
    }
    if (c == 36) {
      out.emit(I_EOL);
      return out;
    }
    if (c == 91) {
      const set = new StaticArray<bool>(256);
      let neg = false;
      if (this.peek() == 94) {
        neg = true;
        this.i++;
      }
      let first = true;
      while (this.i < this.p.length && (this.peek() != 93 || first)) {
        first = false;
        let lo = this.peek();
        this.i++;
        if (lo == 92) {
          const e = this.peek();
          this.i++;
          if (classEscape(e, set)) continue;
          lo = escapeChar(e);
        }
        if (this.peek() == 45 && this.i + 1 < this.p.length && this.p.charCodeAt(this.i + 1) != 93) {
          this.i++;
          let hi = this.peek();
          this.i++;
          if (hi == 92) {
            hi = escapeChar(this.peek());
            this.i++;
          }
          for (let k = lo; k <= hi && k < 256; k++) set[k] = true;
        } else if (lo < 256) set[lo] = true;
      }
      this.i++;
      if (neg) for (let k = 0; k < 256; k++) set[k] = !set[k];
      out.emit(I_CLASS, this.prog.classes.length);
      this.prog.classes.push(set);
      return out;
    }
    if (c == 92) {
      const e = this.peek();
      this.i++;
      const set = new StaticArray<bool>(256);
      if (classEscape(e, set)) {
        out.emit(I_CLASS, this.prog.classes.length);
        this.prog.classes.push(set);
        return out;
      }
      out.emit(I_CHAR, escapeChar(e));
      return out;
    }
    if (c == 42 || c == 43 || c == 63) {
      this.prog.error = 'nothing to repeat';
      return out;
    }
    // a literal character: its UTF-8 bytes
    const cp = c;
    if (cp < 0x80) out.emit(I_CHAR, cp);
    else {
      const s = String.fromCharCode(cp);
      const b = String.UTF8.encode(s);
      const u = Uint8Array.wrap(b);
      for (let k = 0; k < u.length; k++) out.emit(I_CHAR, u[k]);
    }
    return out;
  }
}

function isNum(s: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 48 || s.charCodeAt(i) > 57) return false;
  return true;
}
function escapeChar(e: i32): i32 {
  if (e == 110) return 10;
  if (e == 116) return 9;
  if (e == 114) return 13;
  if (e == 102) return 12;
  if (e == 118) return 11;
  if (e == 48) return 0;
  return e;
}
/** \d \w \s and their negations into `set`; false for other escapes. */
function classEscape(e: i32, set: StaticArray<bool>): bool {
  const lower = e | 32;
  if (lower != 100 && lower != 119 && lower != 115) return false;
  const neg = e < 97;
  for (let k = 0; k < 256; k++) {
    let m = false;
    if (lower == 100) m = k >= 48 && k <= 57;
    else if (lower == 119) m = (k >= 48 && k <= 57) || (k >= 65 && k <= 90) || (k >= 97 && k <= 122) || k == 95;
    else m = k == 32 || (k >= 9 && k <= 13);
    if (m != neg) set[k] = true;
  }
  return true;
}
function setSplit(p: Prog, at: i32, body: i32, next: i32, lazy: bool): void {
  p.a[at] = lazy ? next : body;
  p.b[at] = lazy ? body : next;
}
/** Appends fragment `f` to `out`, relocating its jump targets. */
function append(out: Prog, f: Prog): void {
  const base = out.op.length;
  for (let k = 0; k < f.op.length; k++) {
    const op = f.op[k];
    let a = f.a[k];
    let b = f.b[k];
    if (op == I_SPLIT || op == I_JMP) {
      a += base;
      b += base;
    }
    if (op == I_CLASS) {
      // classes are shared through the top program: indices stay valid
    }
    out.emit(op, a, b);
  }
}

const cache = new Map<string, Prog>();
function compileRe(pattern: string): Prog {
  if (cache.has(pattern)) return cache.get(pattern);
  const top = new Prog();
  const parser = new Parser(pattern, top);
  const body = parser.alt();
  if (!top.error.length && parser.i < pattern.length) top.error = 'unbalanced parenthesis';
  top.emit(I_SAVE, 0);
  append(top, body);
  top.emit(I_SAVE, 1);
  top.emit(I_MATCH);
  if (cache.size < 64) cache.set(pattern, top);
  return top;
}

// matching state
let subj: usize = 0;
let subjLen: i32 = 0;
let saves: Array<i32> = [];
let steps: i32 = 0;

function run(prog: Prog, pc: i32, sp: i32): bool {
  for (;;) {
    if (++steps > 2000000) return false; // pathological backtracking: give up as "no match"
    const op = prog.op[pc];
    switch (op) {
      case I_CHAR:
        if (sp >= subjLen || <i32>load<u8>(subj + <usize>sp) != prog.a[pc]) return false;
        sp++;
        pc++;
        break;
      case I_ANY: {
        if (sp >= subjLen) return false;
        const c = <i32>load<u8>(subj + <usize>sp);
        if (c == 10) return false;
        sp++;
        while (sp < subjLen && (load<u8>(subj + <usize>sp) & 0xc0) == 0x80) sp++;
        pc++;
        break;
      }
      case I_CLASS:
        if (sp >= subjLen || !prog.classes[prog.a[pc]][<i32>load<u8>(subj + <usize>sp)]) return false;
        sp++;
        pc++;
        break;
      case I_SPLIT:
        if (run(prog, prog.a[pc], sp)) return true;
        pc = prog.b[pc];
        break;
      case I_JMP:
        pc = prog.a[pc];
        break;
      case I_SAVE: {
        const slot = prog.a[pc];
        const old = saves[slot];
        saves[slot] = sp;
        if (run(prog, pc + 1, sp)) return true;
        saves[slot] = old;
        return false;
      }
      case I_BOL:
        if (sp != 0) return false;
        pc++;
        break;
      case I_EOL:
        if (sp != subjLen && !(sp == subjLen - 1 && load<u8>(subj + <usize>sp) == 10)) return false;
        pc++;
        break;
      default:
        return true;
    }
  }
  return false; // not reached
}

/** Tries a match at each start from `from` (anchored: only there); fills `saves`. */
function exec(prog: Prog, s: V, from: i32, anchored: bool): bool {
  subj = bufData(s);
  subjLen = bufLen(s);
  for (let start = from; start <= subjLen; start++) {
    saves = new Array<i32>(prog.ngroups * 2);
    for (let k = 0; k < saves.length; k++) saves[k] = -1;
    steps = 0;
    if (run(prog, 0, start)) return true;
    if (anchored) return false;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------
// Python-level objects: pattern = instance of `re` class (dict: pattern), match = instance of `match`

const RE_BASE: i32 = 500;
const R_COMPILE = 500, R_MATCH = 501, R_SEARCH = 502, R_SPLIT = 503, R_SUB = 504, R_FINDALL = 505;
const P_MATCH = 510, P_SEARCH = 511, P_SPLIT = 512, P_SUB = 513, P_FINDALL = 514;
const M_GROUP = 520, M_GROUPS = 521, M_START = 522, M_END = 523, M_SPAN = 524;

let patternClass: V = NULL;
let matchClass: V = NULL;

export function initRe(def: (d: V, name: string, id: i32) => void, newModule: (name: string) => V, addRootFn: (v: V) => i32): void {
  const m = field(newModule('re'), 1);
  def(m, 'compile', R_COMPILE);
  def(m, 'match', R_MATCH);
  def(m, 'search', R_SEARCH);
  def(m, 'split', R_SPLIT);
  def(m, 'sub', R_SUB);
  def(m, 'findall', R_FINDALL);
  patternClass = makeCls('re', addRootFn);
  const pd = field(patternClass, 2);
  def(pd, 'match', P_MATCH);
  def(pd, 'search', P_SEARCH);
  def(pd, 'split', P_SPLIT);
  def(pd, 'sub', P_SUB);
  def(pd, 'findall', P_FINDALL);
  matchClass = makeCls('match', addRootFn);
  const md = field(matchClass, 2);
  def(md, 'group', M_GROUP);
  def(md, 'groups', M_GROUPS);
  def(md, 'start', M_START);
  def(md, 'end', M_END);
  def(md, 'span', M_SPAN);
}
function makeCls(name: string, addRootFn: (v: V) => i32): V {
  const d = pushTemp(newDict());
  const b = pushTemp(newTuple(0));
  const c = newClass(internAS(name), b, d);
  popTemp(2);
  addRootFn(c);
  return c;
}
export function isReId(id: i32): bool {
  return id >= RE_BASE && id < RE_BASE + 30;
}

function patternOf(v: V): V {
  if (typeOf(v) == T_INST && field(v, 0) == patternClass) return dictGet(field(v, 1), internAS('pattern'));
  return v;
}
function progOf(pat: V): Prog | null {
  if (typeOf(pat) != T_STR && typeOf(pat) != T_BYTES) {
    raiseType('expected a str pattern');
    return null;
  }
  const prog = compileRe(String.UTF8.decodeUnsafe(bufData(pat), <usize>bufLen(pat)));
  if (prog.error.length) {
    raise(excType(EXC_VALUEERROR), 'error in regex: ' + prog.error);
    return null;
  }
  return prog;
}

function slice(s: V, a: i32, b: i32): V {
  if (a < 0) return NONE;
  return typeOf(s) == T_BYTES ? newBytes(bufData(s) + <usize>a, b - a) : newStr(bufData(s) + <usize>a, b - a);
}

function makeMatch(s: V): V {
  const m = pushTemp(newInstance(matchClass));
  const spans = pushTemp(newTuple(saves.length));
  for (let k = 0; k < saves.length; k++) tupleSet(spans, k, mkSmall(saves[k]));
  dictSet(field(m, 1), internAS('_spans'), spans);
  dictSet(field(m, 1), internAS('_s'), s);
  popTemp(2);
  return m;
}

function doSplit(prog: Prog, s: V, maxsplit: i32): V {
  const l = pushTemp(newList(4));
  let pos = 0;
  let from = 0;
  let count = 0;
  while ((maxsplit <= 0 || count < maxsplit) && exec(prog, s, from, false)) {
    const a = saves[0];
    const b = saves[1];
    if (b == a) {
      // an empty match splits between characters (Python 3.7+); skip over it
      if (a >= bufLen(s)) break;
      if (a == 0 && pos == 0 && from == 0) {
        from = a + 1;
        continue;
      }
    }
    listAppend(l, slice(s, pos, a));
    for (let g = 1; g < saves.length / 2; g++) listAppend(l, slice(s, saves[2 * g], saves[2 * g + 1]));
    pos = b;
    from = b > a ? b : b + 1;
    count++;
    if (from > bufLen(s)) break;
  }
  listAppend(l, slice(s, pos, bufLen(s)));
  popTemp(1);
  return l;
}

function doSub(prog: Prog, repl: V, s: V, count: i32): V {
  const o = new Out();
  let pos = 0;
  let from = 0;
  let n = 0;
  const sLen = bufLen(s);
  while ((count <= 0 || n < count) && from <= sLen && exec(prog, s, from, false)) {
    const a = saves[0];
    const b = saves[1];
    o.bytes(bufData(s) + <usize>pos, a - pos);
    if (typeOf(repl) == T_STR || typeOf(repl) == T_BYTES) {
      const rp = bufData(repl);
      const rn = bufLen(repl);
      for (let i = 0; i < rn; i++) {
        const c = <i32>load<u8>(rp + <usize>i);
        if (c == 92 && i + 1 < rn) {
          const d = <i32>load<u8>(rp + <usize>(i + 1));
          if (d >= 48 && d <= 57) {
            const g = d - 48;
            if (g * 2 + 1 < saves.length && saves[2 * g] >= 0) o.bytes(bufData(s) + <usize>saves[2 * g], saves[2 * g + 1] - saves[2 * g]);
            i++;
            continue;
          }
          if (d == 110) {
            o.byte(10);
            i++;
            continue;
          }
        }
        o.byte(c);
      }
    } else {
      const saved = saves.slice(0);
      const m = makeMatch(s);
      const at = vsp;
      push(m);
      const r = callValue(repl, 1, at, NULL);
      setVsp(at);
      saves = saved;
      if (r == NULL) {
        o.free();
        return NULL;
      }
      o.bytes(bufData(r), bufLen(r));
    }
    n++;
    pos = b;
    if (b == a) {
      if (a < sLen) o.byte(<i32>load<u8>(bufData(s) + <usize>a));
      pos = a + 1;
      from = a + 1;
    } else from = b;
  }
  if (pos < sLen) o.bytes(bufData(s) + <usize>pos, sLen - pos);
  const r = typeOf(s) == T_BYTES ? newBytes(o.ptr, o.len) : newStr(o.ptr, o.len);
  o.free();
  return r;
}

function doFindall(prog: Prog, s: V): V {
  const l = pushTemp(newList(4));
  let from = 0;
  while (from <= bufLen(s) && exec(prog, s, from, false)) {
    const ng = saves.length / 2;
    if (ng == 1) listAppend(l, slice(s, saves[0], saves[1]));
    else if (ng == 2) listAppend(l, slice(s, saves[2], saves[3]));
    else {
      const t = pushTemp(newTuple(ng - 1));
      for (let g = 1; g < ng; g++) tupleSet(t, g - 1, slice(s, saves[2 * g], saves[2 * g + 1]));
      listAppend(l, t);
      popTemp(1);
    }
    from = saves[1] > saves[0] ? saves[1] : saves[1] + 1;
  }
  popTemp(1);
  return l;
}

function arg(args: usize, i: i32): V {
  return load<i32>(args + (<usize>i << 2));
}

export function reCall(id: i32, n: i32, args: usize): V {
  const a0 = n > 0 ? arg(args, 0) : NULL;
  const a1 = n > 1 ? arg(args, 1) : NULL;
  const a2 = n > 2 ? arg(args, 2) : NULL;
  if (id >= M_GROUP) {
    const spans = dictGet(field(a0, 1), internAS('_spans'));
    const s = dictGet(field(a0, 1), internAS('_s'));
    const ng = tlen(spans) / 2;
    if (id == M_GROUPS) {
      const t = pushTemp(newTuple(ng - 1));
      for (let g = 1; g < ng; g++) tupleSet(t, g - 1, slice(s, smallOf(titem(spans, 2 * g)), smallOf(titem(spans, 2 * g + 1))));
      popTemp(1);
      return t;
    }
    if (id == M_GROUP && n > 2) {
      const t = pushTemp(newTuple(n - 1));
      for (let k = 1; k < n; k++) {
        const g = smallOf(arg(args, k));
        if (g < 0 || g >= ng) {
          popTemp(1);
          return raise(excType(EXC_INDEXERROR), 'no such group');
        }
        tupleSet(t, k - 1, slice(s, smallOf(titem(spans, 2 * g)), smallOf(titem(spans, 2 * g + 1))));
      }
      popTemp(1);
      return t;
    }
    const g = n > 1 ? smallOf(a1) : 0;
    if (g < 0 || g >= ng) return raise(excType(EXC_INDEXERROR), 'no such group');
    const a = smallOf(titem(spans, 2 * g));
    const b = smallOf(titem(spans, 2 * g + 1));
    if (id == M_GROUP) return slice(s, a, b);
    if (id == M_START) return mkSmall(a);
    if (id == M_END) return mkSmall(b);
    const t = newTuple(2);
    if (t != NULL) {
      tupleSet(t, 0, mkSmall(a));
      tupleSet(t, 1, mkSmall(b));
    }
    return t;
  }
  if (id == R_COMPILE) {
    if (progOf(a0) == null) return NULL;
    const o = pushTemp(newInstance(patternClass));
    dictSet(field(o, 1), internAS('pattern'), a0);
    popTemp(1);
    return o;
  }
  // module functions take (pattern, string, …); pattern methods (self, string, …)
  const prog = progOf(patternOf(a0));
  if (prog == null) return NULL;
  switch (id) {
    case R_MATCH:
    case P_MATCH:
    case R_SEARCH:
    case P_SEARCH:
      if (!exec(prog, a1, 0, id == R_MATCH || id == P_MATCH)) return NONE;
      return makeMatch(a1);
    case R_SPLIT:
    case P_SPLIT:
      return doSplit(prog, a1, n > 2 ? smallOf(a2) : 0);
    case R_SUB:
    case P_SUB:
      // sub(pattern, repl, string[, count])
      return doSub(prog, a1, a2, n > 3 ? smallOf(arg(args, 3)) : 0);
    case R_FINDALL:
    case P_FINDALL:
      return doFindall(prog, a1);
  }
  return raiseType('re: bad call');
}

export { strToAS, sdata, slen };
