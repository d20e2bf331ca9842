// Compiler: tokens → bytecode in one pass of recursive descent. The token array allows rewinding, which
// replaces a parse tree: assignment targets, `for` targets, comprehension heads and default values are
// compiled by jumping the cursor to their tokens when their code is due. A pre-scan of each function body
// finds its local names and the names its nested functions use (those become cells).
//
// Map (all methods of class Compiler, in this order; search for the name):
//   token cursor ........ next, accept, expect, syntax, skipBracket, findTop
//   bytecode emission ... emit, jumpFwd, patch, addConst, loadConst
//   names and scopes .... localSlot, enclosingBinds, loadName, storeName, prescan, scanTargets
//   module, blocks ...... compileModule, finish, block, statement, simpleStmt, exprStmt, augAssign
//   assignment targets .. targetList, unpackTargets, target
//   compound statements . ifStmt, whileStmt, forStmt, breakContinue, tryStmt, withStmt, importStmt
//   functions, classes .. decorated, defStmt, functionDef, loadClosure, classStmt
//   expressions ......... expr → ternaryIf → orTest → … → comparison → binLevel → factor → power → trailer
//   calls, atoms ........ call, atom, comprehension, intLiteral, strings, fstringExpr
// Entry points: compileSource (a module or REPL input) and needsMore (REPL continuation lines).
import { V, NULL, T_CODE, alloc, setField, mkSmall, pushTemp, popTemp, fitsSmall, nTemp, setTempTop } from './obj';
import {
  newList, listAppend, llen, litem, newTuple, tupleSet, newBraw, intern, newStr, newBytes, newFloat, raise,
  excType, EXC_SYNTAXERROR, EXC_INDENTATION, internAS, strFrom,
} from './rt';
import {
  Tokens, tokenize, TK_EOF, TK_NEWLINE, TK_INDENT, TK_DEDENT, TK_NAME, TK_INT, TK_FLOAT, TK_STR, TK_BYTES,
  TK_FSTR, TK_IMAG, opKind,
} from './lexer';
import * as O from './opcodes';
import { bigFromDigits } from './big';

// Token kinds used often (TK_OP + index in OPS, TK_KW + index in KEYWORDS). Literal numbers: module
// initialisation order across files is not something to rely on. test/py/lexer.test.ts checks them.
const K_LPAR = 67; // '('
const K_RPAR = 68; // ')'
const K_LSQB = 69; // '['
const K_RSQB = 70; // ']'
const K_LBRACE = 71; // '{'
const K_RBRACE = 72; // '}'
const K_COMMA = 73; // ','
const K_COLON = 74; // ':'
const K_SEMI = 75; // ';'
const K_DOT = 76; // '.'
const K_EQ = 77; // '='
const K_STAR = 58; // '*'
const K_DSTAR = 39; // '**'
const K_ARROW = 37; // '->'
const K_AT = 78; // '@'
const K_WALRUS = 38; // ':='
const K_ELLIPSIS = 36; // '...'
const KW_FALSE = 128; // False
const KW_NONE = 129; // None
const KW_TRUE = 130; // True
const KW_AND = 131; // and
const KW_AS = 132; // as
const KW_ASSERT = 133; // assert
const KW_BREAK = 136; // break
const KW_CLASS = 137; // class
const KW_CONTINUE = 138; // continue
const KW_DEF = 139; // def
const KW_DEL = 140; // del
const KW_ELIF = 141; // elif
const KW_ELSE = 142; // else
const KW_EXCEPT = 143; // except
const KW_FINALLY = 144; // finally
const KW_FOR = 145; // for
const KW_FROM = 146; // from
const KW_GLOBAL = 147; // global
const KW_IF = 148; // if
const KW_IMPORT = 149; // import
const KW_IN = 150; // in
const KW_IS = 151; // is
const KW_LAMBDA = 152; // lambda
const KW_NONLOCAL = 153; // nonlocal
const KW_NOT = 154; // not
const KW_OR = 155; // or
const KW_PASS = 156; // pass
const KW_RAISE = 157; // raise
const KW_RETURN = 158; // return
const KW_TRY = 159; // try
const KW_WHILE = 160; // while
const KW_WITH = 161; // with
const KW_YIELD = 162; // yield

const AUG_OPS: StaticArray<string> = ['+=', '-=', '*=', '/=', '//=', '%=', '**=', '<<=', '>>=', '&=', '|=', '^=', '@='];
const AUG_BIN: StaticArray<i32> = [
  O.BIN_ADD, O.BIN_SUB, O.BIN_MUL, O.BIN_TRUEDIV, O.BIN_FLOORDIV, O.BIN_MOD, O.BIN_POW, O.BIN_LSHIFT,
  O.BIN_RSHIFT, O.BIN_AND, O.BIN_OR, O.BIN_XOR, O.BIN_MATMUL,
];

const SC_MODULE: i32 = 0;
const SC_FUNC: i32 = 1;
const SC_CLASS: i32 = 2;

const B_LOOP: i32 = 0; // for (iterator on the stack) or while
const B_TRY: i32 = 1; // inside SETUP_EXCEPT
const B_HANDLER: i32 = 2; // inside an except body (the exception on the stack)
const B_FINALLY: i32 = 3; // inside SETUP_EXCEPT whose handler is a finally clause

class Block {
  kind: i32;
  isFor: bool = false;
  continueTarget: i32 = 0;
  breaks: Array<i32> = [];
  finStart: i32 = 0; // token range of the finally body to inline on break/continue/return
  finEnd: i32 = 0;
  constructor(kind: i32) {
    this.kind = kind;
  }
}

class Scope {
  kind: i32;
  parent: Scope | null;
  name: string;
  code: Array<u8> = [];
  lines: Array<i32> = [];
  consts: V; // heap list, kept alive by the compiler's root list
  names: V;
  nameIndex: Map<string, i32> = new Map();
  locals: Array<string> = [];
  localIndex: Map<string, i32> = new Map();
  cells: Array<string> = [];
  frees: Array<string> = [];
  assigned: Set<string> = new Set();
  nestedRefs: Set<string> = new Set();
  globals: Set<string> = new Set();
  nonlocals: Set<string> = new Set();
  blocks: Array<Block> = [];
  nposargs: i32 = 0;
  nkwonly: i32 = 0;
  flags: i32 = 0;
  lastLine: i32 = -1;
  constructor(kind: i32, parent: Scope | null, name: string, consts: V, names: V) {
    this.kind = kind;
    this.parent = parent;
    this.name = name;
    this.consts = consts;
    this.names = names;
  }
  isCell(n: string): bool {
    return this.cells.indexOf(n) >= 0;
  }
}

export class Compiler {
  t: Tokens;
  src: usize;
  pos: i32 = 0;
  err: string = '';
  errLine: i32 = 0;
  errIndent: bool = false;
  sc: Scope;
  file: string;
  replMode: bool;
  tempBase: i32;

  constructor(src: usize, n: i32, file: string, replMode: bool) {
    this.src = src;
    this.file = file;
    this.replMode = replMode;
    this.t = tokenize(src, n);
    this.tempBase = nTemp;
    const consts = pushTemp(newList(4));
    const names = pushTemp(newList(4));
    this.sc = new Scope(SC_MODULE, null, '<module>', consts, names);
  }

  newScope(kind: i32, parent: Scope | null, name: string): Scope {
    const consts = pushTemp(newList(4)); // the scope's lists stay on the temp stack until compile() ends
    const names = pushTemp(newList(4));
    return new Scope(kind, parent, name, consts, names);
  }

  // ---- token helpers
  kind(): i32 {
    return this.t.kind[this.pos];
  }
  kindAt(i: i32): i32 {
    return i < this.t.kind.length ? this.t.kind[i] : TK_EOF;
  }
  line(): i32 {
    return this.t.line[this.pos];
  }
  next(): void {
    if (this.pos < this.t.kind.length - 1) this.pos++;
  }
  accept(k: i32): bool {
    if (this.kind() == k) {
      this.next();
      return true;
    }
    return false;
  }
  expect(k: i32): bool {
    if (this.accept(k)) return true;
    this.syntax('invalid syntax');
    return false;
  }
  syntax(msg: string): void {
    if (this.err.length == 0) {
      this.err = msg;
      this.errLine = this.line();
    }
  }
  tokName(i: i32): string {
    return String.UTF8.decodeUnsafe(this.src + <usize>this.t.start[i], <usize>this.t.len[i]);
  }
  nameHere(): string {
    if (this.kind() != TK_NAME) {
      this.syntax('invalid syntax');
      return '';
    }
    const s = this.tokName(this.pos);
    this.next();
    return s;
  }
  isOp(s: string): bool {
    return this.kind() == opKind(s);
  }
  /** Index of the token after the bracket opened at `i`. */
  skipBracket(i: i32): i32 {
    let d = 0;
    const n = this.t.kind.length;
    while (i < n) {
      const k = this.t.kind[i];
      if (k == K_LPAR || k == K_LSQB || k == K_LBRACE) d++;
      else if (k == K_RPAR || k == K_RSQB || k == K_RBRACE) {
        d--;
        if (d == 0) return i + 1;
      } else if (k == TK_EOF) return i;
      i++;
    }
    return i;
  }
  /** First index at or after `i` at bracket depth 0 whose kind is one of k1..k3, or NEWLINE/EOF. */
  findTop(i: i32, k1: i32, k2: i32 = -1, k3: i32 = -1): i32 {
    for (;;) {
      const k = this.kindAt(i);
      if (k == k1 || k == k2 || k == k3 || k == TK_NEWLINE || k == TK_EOF) return i;
      if (k == K_LPAR || k == K_LSQB || k == K_LBRACE) i = this.skipBracket(i);
      else i++;
    }
    return -1; // not reached: the loop ends at EOF
  }

  // ---- emission
  emit(op: u8): void {
    const l = this.line();
    if (l != this.sc.lastLine) {
      this.sc.lines.push(this.sc.code.length);
      this.sc.lines.push(l);
      this.sc.lastLine = l;
    }
    this.sc.code.push(op);
  }
  emit8(op: u8, a: i32): void {
    this.emit(op);
    this.sc.code.push(<u8>a);
  }
  emit16(op: u8, a: i32): void {
    this.emit(op);
    this.sc.code.push(<u8>(a & 255));
    this.sc.code.push(<u8>((a >> 8) & 255));
  }
  here(): i32 {
    return this.sc.code.length;
  }
  /** Emits a jump with a placeholder target; returns the operand position to patch. */
  jumpFwd(op: u8): i32 {
    this.emit16(op, 0);
    return this.sc.code.length - 2;
  }
  patch(at: i32): void {
    this.patchTo(at, this.here());
  }
  patchTo(at: i32, target: i32): void {
    this.sc.code[at] = <u8>(target & 255);
    this.sc.code[at + 1] = <u8>((target >> 8) & 255);
  }
  addConst(v: V): i32 {
    const i = llen(this.sc.consts);
    listAppend(this.sc.consts, v);
    return i;
  }
  nameIdx(s: string): i32 {
    if (this.sc.nameIndex.has(s)) return this.sc.nameIndex.get(s);
    const i = llen(this.sc.names);
    listAppend(this.sc.names, internAS(s));
    this.sc.nameIndex.set(s, i);
    return i;
  }
  loadConst(v: V): void {
    this.emit16(O.OP_LOAD_CONST, this.addConst(v));
  }

  // ---- names
  localSlot(s: string): i32 {
    const sc = this.sc;
    if (sc.localIndex.has(s)) return sc.localIndex.get(s);
    const i = sc.locals.length;
    sc.locals.push(s);
    sc.localIndex.set(s, i);
    return i;
  }
  /** Cell index of a free variable, registering it in this and the intermediate function scopes. */
  freeIndex(sc: Scope, s: string): i32 {
    let i = sc.frees.indexOf(s);
    if (i < 0) {
      i = sc.frees.length;
      sc.frees.push(s);
    }
    return sc.cells.length + i;
  }
  /** Whether an enclosing function scope binds `s` (so it is a free variable here). */
  enclosingBinds(s: string): bool {
    let p = this.sc.parent;
    while (p) {
      if (p.kind == SC_FUNC) {
        if (p.globals.has(s)) return false;
        if (p.assigned.has(s) || p.isCell(s) || p.frees.indexOf(s) >= 0 || p.nonlocals.has(s)) {
          // Make sure each scope in between passes it down.
          let q = this.sc.parent;
          while (q && q != p) {
            if (q.kind == SC_FUNC && !q.assigned.has(s)) this.freeIndex(q, s);
            q = q.parent;
          }
          if (!p.isCell(s) && p.frees.indexOf(s) < 0) p.cells.push(s); // pre-scan normally did this
          return true;
        }
      }
      p = p.parent;
    }
    return false;
  }
  loadName(s: string): void {
    const sc = this.sc;
    if (sc.kind == SC_FUNC) {
      if (sc.globals.has(s)) return this.emit16(O.OP_LOAD_GLOBAL, this.nameIdx(s));
      const c = sc.cells.indexOf(s);
      if (c >= 0) return this.emit16(O.OP_LOAD_DEREF, c);
      if (sc.assigned.has(s) && !sc.nonlocals.has(s)) return this.emit16(O.OP_LOAD_FAST, this.localSlot(s));
      if (sc.frees.indexOf(s) >= 0 || this.enclosingBinds(s)) return this.emit16(O.OP_LOAD_DEREF, this.freeIndex(sc, s));
      return this.emit16(O.OP_LOAD_GLOBAL, this.nameIdx(s));
    }
    if (sc.kind == SC_CLASS) {
      if (!sc.assigned.has(s) && this.enclosingBinds(s)) return this.emit16(O.OP_LOAD_DEREF, this.freeIndex(sc, s));
      return this.emit16(O.OP_LOAD_NAME, this.nameIdx(s));
    }
    this.emit16(O.OP_LOAD_GLOBAL, this.nameIdx(s));
  }
  storeName(s: string, del: bool = false): void {
    const sc = this.sc;
    if (sc.kind == SC_FUNC) {
      if (sc.globals.has(s)) return this.emit16(del ? O.OP_DELETE_GLOBAL : O.OP_STORE_GLOBAL, this.nameIdx(s));
      const c = sc.cells.indexOf(s);
      if (c >= 0) return this.emit16(del ? O.OP_DELETE_DEREF : O.OP_STORE_DEREF, c);
      if (sc.nonlocals.has(s)) {
        this.enclosingBinds(s);
        return this.emit16(del ? O.OP_DELETE_DEREF : O.OP_STORE_DEREF, this.freeIndex(sc, s));
      }
      return this.emit16(del ? O.OP_DELETE_FAST : O.OP_STORE_FAST, this.localSlot(s));
    }
    if (sc.kind == SC_CLASS) return this.emit16(del ? O.OP_DELETE_NAME : O.OP_STORE_NAME, this.nameIdx(s));
    this.emit16(del ? O.OP_DELETE_GLOBAL : O.OP_STORE_GLOBAL, this.nameIdx(s));
  }

  // ---- pre-scan of a function body: assigned names, declarations, names used by nested functions
  prescan(sc: Scope, from: i32, to: i32): void {
    let i = from;
    let stmtStart = true;
    let depth = 0;
    while (i < to) {
      const k = this.t.kind[i];
      if (k == KW_LAMBDA) {
        // A lambda's names count as used by a nested function; scanning goes on inside it (comprehension
        // variables after it on the same line are still this scope's).
        const end = this.lambdaEnd(this.findTop(i + 1, K_COLON) + 1);
        for (let j = i + 1; j < end; j++) if (this.t.kind[j] == TK_NAME) sc.nestedRefs.add(this.tokName(j));
        i++;
        continue;
      }
      if (k == KW_DEF || k == KW_CLASS) {
        if (this.kindAt(i + 1) == TK_NAME) sc.assigned.add(this.tokName(i + 1));
        const end = this.blockEnd(i);
        for (let j = i + 1; j < end; j++) if (this.t.kind[j] == TK_NAME) sc.nestedRefs.add(this.tokName(j));
        // Default values and decorators belong to this scope, but the over-approximation is harmless.
        i = end;
        stmtStart = true;
        continue;
      }
      if (k == KW_GLOBAL || k == KW_NONLOCAL) {
        let j = i + 1;
        while (this.t.kind[j] == TK_NAME) {
          if (k == KW_GLOBAL) sc.globals.add(this.tokName(j));
          else sc.nonlocals.add(this.tokName(j));
          j++;
          if (this.t.kind[j] == K_COMMA) j++;
        }
        i = j;
        continue;
      }
      if (k == KW_FOR) {
        const e = this.findTop(i + 1, KW_IN);
        this.scanTargets(sc, i + 1, e);
        i = e;
        continue;
      }
      if (k == KW_AS || k == KW_DEL) {
        if (this.kindAt(i + 1) == TK_NAME) sc.assigned.add(this.tokName(i + 1));
        if (k == KW_DEL) this.scanTargets(sc, i + 1, this.lineEnd(i));
        i++;
        continue;
      }
      if (k == KW_IMPORT) {
        let j = i + 1;
        for (;;) {
          if (this.kindAt(j) == TK_NAME) {
            const isFrom = i > 0 && (this.t.kind[i - 1] == TK_NAME || this.t.kind[i - 1] == K_DOT);
            let bound = this.tokName(j);
            j++;
            while (this.kindAt(j) == K_DOT && this.kindAt(j + 1) == TK_NAME) {
              if (isFrom) bound = this.tokName(j + 1);
              j += 2;
            }
            if (this.kindAt(j) == KW_AS) {
              bound = this.tokName(j + 1);
              j += 2;
            }
            sc.assigned.add(bound);
          } else if (this.kindAt(j) == K_LPAR) j++;
          if (this.kindAt(j) == K_COMMA) j++;
          else break;
        }
        i = j;
        continue;
      }
      if (k == KW_YIELD) sc.flags |= O.CO_GENERATOR;
      if (k == K_WALRUS && i > from && this.t.kind[i - 1] == TK_NAME) sc.assigned.add(this.tokName(i - 1));
      if (stmtStart && (k == TK_NAME || k == K_LPAR || k == K_LSQB || k == K_STAR)) {
        // An assignment statement: every segment before a top-level '=' (or an augmented operator) is a target.
        const end = this.lineEnd(i);
        let s = i;
        let j = i;
        while (j < end) {
          const kk = this.t.kind[j];
          if (kk == K_LPAR || kk == K_LSQB || kk == K_LBRACE) {
            j = this.skipBracket(j);
            continue;
          }
          if (kk == K_EQ || this.isAugKind(kk)) {
            this.scanTargets(sc, s, j);
            s = j + 1;
          }
          if (kk == K_SEMI) break;
          j++;
        }
      }
      if (k == K_LPAR || k == K_LSQB || k == K_LBRACE) depth++;
      else if (k == K_RPAR || k == K_RSQB || k == K_RBRACE) depth--;
      stmtStart = k == TK_NEWLINE || k == TK_INDENT || k == TK_DEDENT || k == K_SEMI || (k == K_COLON && depth == 0);
      i++;
    }
  }
  isAugKind(k: i32): bool {
    for (let a = 0; a < AUG_OPS.length; a++) if (k == opKind(AUG_OPS[a])) return true;
    return false;
  }
  /** Names bound by a target list in tokens [from, to): not attribute names, not inside subscripts or calls. */
  scanTargets(sc: Scope, from: i32, to: i32): void {
    let i = from;
    while (i < to) {
      const k = this.t.kind[i];
      if (k == TK_NAME) {
        const prev = i > from ? this.t.kind[i - 1] : -1;
        const nk = this.kindAt(i + 1);
        if (prev != K_DOT && nk != K_DOT && nk != K_LPAR && nk != K_LSQB) sc.assigned.add(this.tokName(i));
        i++;
        // A trailer after this name: skip subscripts/calls entirely.
        while (this.kindAt(i) == K_DOT || this.kindAt(i) == K_LPAR || this.kindAt(i) == K_LSQB) {
          if (this.kindAt(i) == K_DOT) i += 2;
          else i = this.skipBracket(i);
        }
        continue;
      }
      i++;
    }
  }
  lineEnd(i: i32): i32 {
    return this.findTop(i, TK_NEWLINE);
  }
  /** End of the compound statement starting at `i` (def/class): after its block or its one-line body. */
  blockEnd(i: i32): i32 {
    let j = this.findTop(i, K_COLON);
    // skip annotations like `-> x` already inside; j is at the ':' ending the header
    j++;
    if (this.kindAt(j) == TK_NEWLINE && this.kindAt(j + 1) == TK_INDENT) {
      let d = 0;
      j += 1;
      for (;;) {
        const k = this.kindAt(j);
        if (k == TK_INDENT) d++;
        else if (k == TK_DEDENT) {
          d--;
          if (d == 0) return j + 1;
        } else if (k == TK_EOF) return j;
        j++;
      }
    }
    return this.lineEnd(j) + 1;
  }

  // ---- top level
  compileModule(): V {
    if (this.t.error.length) {
      this.err = this.t.error;
      this.errLine = this.t.errorLine;
      this.errIndent = this.t.errorIndent;
      return this.fail();
    }
    const sc = this.sc;
    sc.flags = O.CO_MODULE;
    while (this.kind() != TK_EOF && this.err.length == 0) {
      if (this.accept(TK_NEWLINE)) continue;
      this.statement();
    }
    if (this.err.length) return this.fail();
    this.emit(O.OP_LOAD_NONE);
    this.emit(O.OP_RETURN);
    const code = this.finish(sc);
    setTempTop(this.tempBase);
    return code;
  }

  fail(): V {
    setTempTop(this.tempBase);
    const cls = excType(this.errIndent || this.err.indexOf('indent') >= 0 ? EXC_INDENTATION : EXC_SYNTAXERROR);
    syntaxLine = this.errLine;
    return raise(cls, this.err);
  }

  /** Turns a finished scope into a CODE object. */
  finish(sc: Scope): V {
    const n = sc.code.length;
    const bc = pushTemp(newBraw(n));
    for (let i = 0; i < n; i++) store<u8>(<usize>bc + 4 + <usize>i, sc.code[i]);
    const nc = llen(sc.consts);
    const consts = pushTemp(newTuple(nc));
    for (let i = 0; i < nc; i++) tupleSet(consts, i, litem(sc.consts, i));
    const nn = llen(sc.names);
    const names = pushTemp(newTuple(nn));
    for (let i = 0; i < nn; i++) tupleSet(names, i, litem(sc.names, i));
    const nl = sc.lines.length;
    const lines = pushTemp(newBraw(nl * 4));
    for (let i = 0; i < nl; i++) store<i32>(<usize>lines + 4 + (<usize>i << 2), sc.lines[i]);
    const ncell = sc.cells.length;
    const cellmap = pushTemp(newBraw(ncell * 4));
    const nparams = sc.nposargs + sc.nkwonly + (sc.flags & O.CO_VARARGS ? 1 : 0) + (sc.flags & O.CO_VARKW ? 1 : 0);
    for (let i = 0; i < ncell; i++) {
      const c = sc.cells[i];
      const li = sc.localIndex.has(c) ? sc.localIndex.get(c) : -1;
      store<i32>(<usize>cellmap + 4 + (<usize>i << 2), li < nparams ? li : -1);
    }
    const varnames = pushTemp(newTuple(nparams));
    for (let i = 0; i < nparams; i++) tupleSet(varnames, i, internAS(sc.locals[i]));
    const name = pushTemp(internAS(sc.name));
    const file = pushTemp(internAS(this.file));
    const code = alloc(T_CODE, 64);
    popTemp(8);
    if (code == NULL) return NULL;
    setField(code, 0, bc);
    setField(code, 1, consts);
    setField(code, 2, names);
    setField(code, 3, name);
    setField(code, 4, file);
    setField(code, 5, lines);
    setField(code, 6, cellmap);
    setField(code, 7, varnames);
    store<i32>(code + 36, sc.nposargs);
    store<i32>(code + 40, sc.nkwonly);
    store<i32>(code + 44, sc.locals.length);
    store<i32>(code + 48, sc.flags);
    store<i32>(code + 52, ncell);
    store<i32>(code + 56, sc.frees.length);
    return code;
  }

  // ---- statements
  block(): void {
    // after ':'
    if (this.accept(TK_NEWLINE)) {
      if (!this.accept(TK_INDENT)) {
        this.syntax('expected an indented block');
        this.errIndent = true;
        return;
      }
      while (this.kind() != TK_DEDENT && this.kind() != TK_EOF && this.err.length == 0) this.statement();
      this.accept(TK_DEDENT);
    } else this.simpleLine();
  }

  statement(): void {
    const k = this.kind();
    if (k == KW_IF) return this.ifStmt();
    if (k == KW_WHILE) return this.whileStmt();
    if (k == KW_FOR) return this.forStmt();
    if (k == KW_DEF) return this.defStmt(0);
    if (k == KW_CLASS) return this.classStmt(0);
    if (k == KW_TRY) return this.tryStmt();
    if (k == KW_WITH) return this.withStmt();
    if (k == K_AT) return this.decorated();
    if (k == TK_INDENT) {
      this.syntax('unexpected indent');
      this.errIndent = true;
      return;
    }
    this.simpleLine();
  }

  simpleLine(): void {
    // (loops whose body ends in `break` after a `continue` path were mis-compiled: keep a flag instead)
    let more = true;
    while (more) {
      this.simpleStmt();
      if (this.err.length) return;
      more = this.accept(K_SEMI) && this.kind() != TK_NEWLINE && this.kind() != TK_EOF;
    }
    if (!this.accept(TK_NEWLINE) && this.kind() != TK_EOF) this.syntax('invalid syntax');
  }

  simpleStmt(): void {
    const k = this.kind();
    if (k == KW_PASS) return this.next();
    if (k == KW_RETURN) {
      this.next();
      if (this.sc.kind != SC_FUNC) return this.syntax("'return' outside function");
      if (this.endOfStmt()) this.emit(O.OP_LOAD_NONE);
      else this.exprList();
      this.unwindFinallies(0);
      this.emit(O.OP_RETURN);
      return;
    }
    if (k == KW_BREAK || k == KW_CONTINUE) {
      this.next();
      return this.breakContinue(k == KW_BREAK);
    }
    if (k == KW_RAISE) {
      this.next();
      if (this.endOfStmt()) return this.emit8(O.OP_RAISE, 0);
      this.expr();
      if (this.accept(KW_FROM)) {
        this.expr();
        return this.emit8(O.OP_RAISE, 2);
      }
      return this.emit8(O.OP_RAISE, 1);
    }
    if (k == KW_GLOBAL || k == KW_NONLOCAL) {
      this.next();
      for (;;) {
        const n = this.nameHere();
        if (k == KW_GLOBAL) this.sc.globals.add(n);
        else this.sc.nonlocals.add(n);
        if (!this.accept(K_COMMA)) break;
      }
      return;
    }
    if (k == KW_DEL) {
      this.next();
      for (;;) {
        this.target(true);
        if (!this.accept(K_COMMA) || this.endOfStmt()) break;
      }
      return;
    }
    if (k == KW_ASSERT) {
      this.next();
      this.expr();
      const j = this.jumpFwd(O.OP_POP_JUMP_IF_TRUE);
      if (this.accept(K_COMMA)) {
        this.expr();
        this.emit8(O.OP_ASSERT_FAIL, 1);
      } else this.emit8(O.OP_ASSERT_FAIL, 0);
      this.patch(j);
      return;
    }
    if (k == KW_IMPORT) return this.importStmt();
    if (k == KW_FROM) return this.fromImport();
    this.exprStmt();
  }

  endOfStmt(): bool {
    const k = this.kind();
    return k == TK_NEWLINE || k == K_SEMI || k == TK_EOF;
  }

  exprStmt(): void {
    const start = this.pos;
    const end = this.findTop(start, K_SEMI);
    // Find top-level '=' signs and an augmented operator.
    const eqs: Array<i32> = [];
    let aug = -1;
    let j = start;
    while (j < end) {
      const kk = this.t.kind[j];
      if (kk == K_LPAR || kk == K_LSQB || kk == K_LBRACE) {
        j = this.skipBracket(j);
        continue;
      }
      if (kk == KW_LAMBDA) break; // a lambda's default '=' is not an assignment
      if (kk == K_EQ) eqs.push(j);
      else if (this.isAugKind(kk) && aug < 0 && eqs.length == 0) aug = j;
      j++;
    }
    if (aug >= 0) return this.augAssign(start, aug, end);
    if (eqs.length == 0) {
      if (this.kindAt(start + 1) == K_COLON && this.t.kind[start] == TK_NAME) {
        // annotation without value: `x: int`
        this.pos = end;
        return;
      }
      if (this.kind() == KW_YIELD) {
        this.yieldExpr();
        this.emit(O.OP_POP);
        return;
      }
      this.exprList();
      if (this.replMode && this.sc.kind == SC_MODULE) this.emit(O.OP_PRINT_EXPR);
      else this.emit(O.OP_POP);
      return;
    }
    // value first, then the targets left to right
    this.pos = eqs[eqs.length - 1] + 1;
    if (this.kind() == KW_YIELD) this.yieldExpr();
    else this.exprList();
    if (this.err.length) return;
    const after = this.pos;
    for (let e = 0; e < eqs.length; e++) {
      if (e < eqs.length - 1) this.emit(O.OP_DUP);
      this.pos = e == 0 ? start : eqs[e - 1] + 1;
      // `x: int = 5`
      if (e == 0 && this.kindAt(start + 1) == K_COLON && this.t.kind[start] == TK_NAME) {
        this.storeName(this.tokName(start));
        continue;
      }
      this.targetList(eqs[e]);
    }
    this.pos = after;
  }

  augAssign(start: i32, at: i32, _end: i32): void {
    const opk = this.t.kind[at];
    let bin = 0;
    for (let a = 0; a < AUG_OPS.length; a++) if (opk == opKind(AUG_OPS[a])) bin = AUG_BIN[a];
    this.pos = start;
    if (this.kind() == TK_NAME && this.pos + 1 == at) {
      const n = this.tokName(this.pos);
      this.loadName(n);
      this.pos = at + 1;
      this.exprList();
      this.emit8(O.OP_INPLACE, bin);
      this.storeName(n);
      return;
    }
    // obj.attr op= v / obj[i] op= v: compile the object and the last trailer's key once.
    const last = this.lastTrailer(start, at);
    this.pos = start;
    this.primaryUntil(last);
    if (this.kindAt(last) == K_DOT) {
      const n = this.tokName(last + 1);
      this.emit(O.OP_DUP);
      this.emit16(O.OP_LOAD_ATTR, this.nameIdx(n));
      this.pos = at + 1;
      this.exprList();
      this.emit8(O.OP_INPLACE, bin);
      this.emit(O.OP_ROT2);
      this.emit16(O.OP_STORE_ATTR, this.nameIdx(n));
      return;
    }
    this.pos = last + 1;
    this.subscriptKey();
    this.emit(O.OP_DUP2);
    this.emit(O.OP_LOAD_SUBSCR);
    this.pos = at + 1;
    this.exprList();
    this.emit8(O.OP_INPLACE, bin);
    this.emit(O.OP_ROT3);
    this.emit(O.OP_STORE_SUBSCR);
  }

  /** Index of the last trailer ('.' or '[') of the primary in tokens [from, to). */
  lastTrailer(from: i32, to: i32): i32 {
    let i = from;
    let last = -1;
    if (this.t.kind[i] == K_LPAR || this.t.kind[i] == K_LSQB || this.t.kind[i] == K_LBRACE) i = this.skipBracket(i);
    else i++;
    while (i < to) {
      const k = this.t.kind[i];
      if (k == K_DOT) {
        last = i;
        i += 2;
      } else if (k == K_LSQB) {
        last = i;
        i = this.skipBracket(i);
      } else if (k == K_LPAR) {
        i = this.skipBracket(i);
      } else break;
    }
    return last;
  }

  /** Compiles the primary expression at pos up to (not including) token `stop`. */
  primaryUntil(stop: i32): void {
    this.atom();
    while (this.pos < stop && this.err.length == 0) this.trailer();
  }

  /** A comma-separated target list ending at token `stop` (value on the stack). */
  targetList(stop: i32): void {
    const comma = this.findTop(this.pos, K_COMMA, K_EQ);
    if (this.kindAt(comma) == K_COMMA && comma < stop) {
      this.unpackTargets(stop);
      return;
    }
    this.target(false);
  }

  /** Targets separated by commas up to `stop`, with an UNPACK of the value first. */
  unpackTargets(stop: i32): void {
    const starts: Array<i32> = [];
    let i = this.pos;
    let star = -1;
    while (i < stop) {
      if (this.t.kind[i] == K_STAR) star = starts.length;
      starts.push(i);
      i = this.findTop(i, K_COMMA, K_EQ, KW_IN);
      if (i >= stop || this.t.kind[i] != K_COMMA) break;
      i++;
    }
    const n = starts.length;
    if (star >= 0) {
      this.emit(O.OP_UNPACK_EX);
      this.sc.code.push(<u8>star);
      this.sc.code.push(<u8>(n - star - 1));
    } else this.emit16(O.OP_UNPACK_SEQUENCE, n);
    for (let e = 0; e < n; e++) {
      this.pos = starts[e];
      this.accept(K_STAR);
      this.target(false);
    }
    this.pos = stop;
  }

  /** One store (or delete) target at pos. */
  target(del: bool): void {
    const k = this.kind();
    if (k == K_LPAR || k == K_LSQB) {
      const close = this.skipBracket(this.pos);
      // (a, b) or [a, b]: a nested target list, unless a trailer follows the brackets
      const after = this.kindAt(close);
      if (after != K_DOT && after != K_LSQB && after != K_LPAR) {
        this.next();
        if (del) {
          while (this.pos < close - 1 && this.err.length == 0) {
            this.target(true);
            if (!this.accept(K_COMMA)) break;
          }
        } else this.unpackTargets(close - 1);
        this.pos = close;
        return;
      }
    }
    if (k == TK_NAME) {
      const nk = this.kindAt(this.pos + 1);
      if (nk != K_DOT && nk != K_LSQB && nk != K_LPAR) {
        this.storeName(this.nameHere(), del);
        return;
      }
    }
    const end = this.findTop(this.pos, K_COMMA, K_EQ, KW_IN);
    const last = this.lastTrailer(this.pos, end);
    if (last < 0) return this.syntax("can't assign to expression");
    this.primaryUntil(last);
    if (this.kindAt(last) == K_DOT) {
      this.pos = last + 1;
      const n = this.nameHere();
      this.emit16(del ? O.OP_DELETE_ATTR : O.OP_STORE_ATTR, this.nameIdx(n));
    } else {
      this.pos = last + 1;
      this.subscriptKey();
      this.emit(del ? O.OP_DELETE_SUBSCR : O.OP_STORE_SUBSCR);
    }
    this.pos = end;
  }

  ifStmt(): void {
    this.next();
    this.namedExpr();
    this.expect(K_COLON);
    const jf = this.jumpFwd(O.OP_POP_JUMP_IF_FALSE);
    this.block();
    const k = this.kind();
    if (k == KW_ELIF || k == KW_ELSE) {
      const jend = this.jumpFwd(O.OP_JUMP);
      this.patch(jf);
      if (k == KW_ELIF) this.ifStmt();
      else {
        this.next();
        this.expect(K_COLON);
        this.block();
      }
      this.patch(jend);
    } else this.patch(jf);
  }

  whileStmt(): void {
    this.next();
    const top = this.here();
    this.namedExpr();
    this.expect(K_COLON);
    const jf = this.jumpFwd(O.OP_POP_JUMP_IF_FALSE);
    const b = new Block(B_LOOP);
    b.continueTarget = top;
    this.sc.blocks.push(b);
    this.block();
    this.sc.blocks.pop();
    this.emit16(O.OP_JUMP, top);
    this.patch(jf);
    if (this.accept(KW_ELSE)) {
      this.expect(K_COLON);
      this.block();
    }
    for (let i = 0; i < b.breaks.length; i++) this.patch(b.breaks[i]);
  }

  forStmt(): void {
    this.next();
    const tstart = this.pos;
    const inAt = this.findTop(tstart, KW_IN);
    if (this.kindAt(inAt) != KW_IN) return this.syntax('invalid syntax');
    this.pos = inAt + 1;
    this.exprList();
    this.expect(K_COLON);
    const bodyAt = this.pos;
    this.emit(O.OP_GET_ITER);
    const top = this.here();
    const jend = this.jumpFwd(O.OP_FOR_ITER);
    this.pos = tstart;
    this.targetList(inAt);
    this.pos = bodyAt;
    const b = new Block(B_LOOP);
    b.isFor = true;
    b.continueTarget = top;
    this.sc.blocks.push(b);
    this.block();
    this.sc.blocks.pop();
    this.emit16(O.OP_JUMP, top);
    this.patch(jend);
    if (this.accept(KW_ELSE)) {
      this.expect(K_COLON);
      this.block();
    }
    for (let i = 0; i < b.breaks.length; i++) this.patch(b.breaks[i]);
  }

  breakContinue(isBreak: bool): void {
    const blocks = this.sc.blocks;
    let i = blocks.length - 1;
    while (i >= 0 && blocks[i].kind != B_LOOP) i--;
    if (i < 0) return this.syntax(isBreak ? "'break' outside loop" : "'continue' not properly in loop");
    this.unwindFinallies(i + 1);
    const loop = blocks[i];
    if (isBreak) {
      if (loop.isFor) this.emit(O.OP_POP);
      loop.breaks.push(this.jumpFwd(O.OP_JUMP));
    } else this.emit16(O.OP_JUMP, loop.continueTarget);
  }

  /** Leaves the blocks above index `downTo`: pops handlers and runs the finally bodies in between. */
  unwindFinallies(downTo: i32): void {
    const blocks = this.sc.blocks;
    const saved = this.pos;
    for (let i = blocks.length - 1; i >= downTo; i--) {
      const b = blocks[i];
      if (b.kind == B_TRY || b.kind == B_FINALLY) this.emit(O.OP_POP_BLOCK);
      if (b.kind == B_HANDLER) {
        this.emit(O.OP_POP_EXCEPT);
        if (downTo > 0) {
          // break/continue: drop the exception kept on the stack under the handler
          this.emit(O.OP_POP);
        }
      }
      if (b.kind == B_LOOP && b.isFor && downTo == 0) {
        /* return: the frame's stack goes away with it */
      }
      if (b.kind == B_FINALLY) {
        // Compile the finally body here once more, outside the block it protects.
        const keep = blocks.slice(0);
        blocks.length = i;
        this.pos = b.finStart;
        this.block();
        for (let q = i; q < keep.length; q++) blocks.push(keep[q]);
      }
    }
    this.pos = saved;
  }

  tryStmt(): void {
    this.next();
    this.expect(K_COLON);
    // Locate the clauses: find the finally clause first so returns in the body can inline it.
    const bodyAt = this.pos;
    let j = this.skipBlock(bodyAt);
    let finStart = -1;
    let hasExcept = false;
    while (this.kindAt(j) == KW_EXCEPT || this.kindAt(j) == KW_ELSE || this.kindAt(j) == KW_FINALLY) {
      const k = this.kindAt(j);
      if (k == KW_EXCEPT) hasExcept = true;
      const colon = this.findTop(j, K_COLON);
      if (k == KW_FINALLY) finStart = colon + 1;
      j = this.skipBlock(colon + 1);
    }
    const endAll = j;
    let fb: Block | null = null;
    let fsetup = -1;
    if (finStart >= 0) {
      fb = new Block(B_FINALLY);
      fb.finStart = finStart;
      fsetup = this.jumpFwd(O.OP_SETUP_EXCEPT);
      this.sc.blocks.push(fb);
    }
    if (hasExcept) {
      const tb = new Block(B_TRY);
      const setup = this.jumpFwd(O.OP_SETUP_EXCEPT);
      this.sc.blocks.push(tb);
      this.block();
      this.sc.blocks.pop();
      this.emit(O.OP_POP_BLOCK);
      const toElse = this.jumpFwd(O.OP_JUMP);
      this.patch(setup);
      const ends: Array<i32> = [];
      while (this.kind() == KW_EXCEPT && this.err.length == 0) {
        this.next();
        let nextClause = -1;
        if (this.kind() != K_COLON) {
          this.emit(O.OP_DUP);
          this.expr();
          this.emit(O.OP_EXC_MATCH);
          nextClause = this.jumpFwd(O.OP_POP_JUMP_IF_FALSE);
          if (this.accept(KW_AS)) {
            const n = this.nameHere();
            this.emit(O.OP_DUP);
            this.storeName(n);
          }
        }
        this.expect(K_COLON);
        const hb = new Block(B_HANDLER);
        this.sc.blocks.push(hb);
        this.block();
        this.sc.blocks.pop();
        this.emit(O.OP_POP_EXCEPT);
        this.emit(O.OP_POP);
        ends.push(this.jumpFwd(O.OP_JUMP));
        if (nextClause >= 0) this.patch(nextClause);
        else break;
      }
      this.emit(O.OP_RERAISE);
      this.patch(toElse);
      if (this.accept(KW_ELSE)) {
        this.expect(K_COLON);
        this.block();
      }
      for (let i = 0; i < ends.length; i++) this.patch(ends[i]);
    } else {
      this.block();
    }
    if (fb) {
      this.sc.blocks.pop();
      this.emit(O.OP_POP_BLOCK);
      this.pos = finStart;
      this.block(); // normal path
      const jend = this.jumpFwd(O.OP_JUMP);
      this.patch(fsetup);
      this.pos = finStart;
      const hb = new Block(B_HANDLER);
      this.sc.blocks.push(hb);
      this.block(); // exception path
      this.sc.blocks.pop();
      this.emit(O.OP_RERAISE);
      this.patch(jend);
    }
    this.pos = endAll;
  }

  /** Token index after the block that starts right after a ':' at `i`. */
  skipBlock(i: i32): i32 {
    if (this.kindAt(i) == TK_NEWLINE && this.kindAt(i + 1) == TK_INDENT) {
      let d = 0;
      let j = i + 1;
      for (;;) {
        const k = this.kindAt(j);
        if (k == TK_INDENT) d++;
        else if (k == TK_DEDENT) {
          d--;
          if (d == 0) return j + 1;
        } else if (k == TK_EOF) return j;
        j++;
      }
    }
    return this.lineEnd(i) + 1;
  }

  withStmt(): void {
    this.next();
    this.withItems();
  }
  withItems(): void {
    this.expr();
    let tpos = -1;
    if (this.accept(KW_AS)) {
      tpos = this.pos;
      this.pos = this.findTop(this.pos, K_COMMA, K_COLON);
    }
    const setup = this.jumpFwd(O.OP_SETUP_WITH);
    // stack: exit, enter-result
    if (tpos >= 0) {
      const back = this.pos;
      this.pos = tpos;
      this.target(false);
      this.pos = back;
    } else this.emit(O.OP_POP);
    this.sc.blocks.push(new Block(B_TRY));
    if (this.accept(K_COMMA)) this.withItems();
    else {
      this.expect(K_COLON);
      this.block();
    }
    this.sc.blocks.pop();
    this.emit(O.OP_POP_BLOCK);
    this.emit(O.OP_WITH_CLEANUP);
    const jend = this.jumpFwd(O.OP_JUMP);
    this.patch(setup);
    this.emit(O.OP_WITH_EXC);
    this.patch(jend);
  }

  importStmt(): void {
    this.next();
    for (;;) {
      const first = this.nameHere();
      let full = first;
      while (this.accept(K_DOT)) full += '.' + this.nameHere();
      this.emit16(O.OP_IMPORT_NAME, this.nameIdx(full));
      if (this.accept(KW_AS)) {
        // `import a.b as c` binds the submodule
        if (full != first) {
          const parts = full.split('.');
          for (let i = 1; i < parts.length; i++) this.emit16(O.OP_LOAD_ATTR, this.nameIdx(parts[i]));
        }
        this.storeName(this.nameHere());
      } else this.storeName(first);
      if (!this.accept(K_COMMA)) break;
    }
  }

  fromImport(): void {
    this.next();
    let full = '';
    while (this.accept(K_DOT)) full += '.';
    full += this.nameHere();
    while (this.accept(K_DOT)) full += '.' + this.nameHere();
    if (!this.expect(KW_IMPORT)) return;
    this.emit16(O.OP_IMPORT_NAME, this.nameIdx(full));
    if (this.accept(K_STAR)) {
      this.emit16(O.OP_IMPORT_FROM, this.nameIdx('*'));
      return;
    }
    const paren = this.accept(K_LPAR);
    for (;;) {
      if (paren && this.kind() == K_RPAR) break;
      const n = this.nameHere();
      this.emit16(O.OP_IMPORT_FROM, this.nameIdx(n));
      this.storeName(this.accept(KW_AS) ? this.nameHere() : n);
      if (!this.accept(K_COMMA)) break;
    }
    if (paren) this.expect(K_RPAR);
    this.emit(O.OP_POP);
  }

  decorated(): void {
    let n = 0;
    while (this.accept(K_AT)) {
      this.namedExpr();
      this.expect(TK_NEWLINE);
      n++;
    }
    if (this.kind() == KW_DEF) this.defStmt(n);
    else if (this.kind() == KW_CLASS) this.classStmt(n);
    else this.syntax('invalid syntax');
  }

  defStmt(decorators: i32): void {
    this.next();
    const name = this.nameHere();
    this.functionDef(name, false);
    for (let i = 0; i < decorators; i++) this.emit16(O.OP_CALL, 1); // npos 1, nkw 0
    this.storeName(name);
  }

  /**
   * Compiles parameters + body of a def (pos at '(') or a lambda (pos after 'lambda'); leaves the function
   * object on the stack.
   */
  functionDef(name: string, isLambda: bool): void {
    const outer = this.sc;
    const inner = this.newScope(SC_FUNC, outer, name);
    // Parameters: names now, default value token positions for later.
    const defaults: Array<i32> = [];
    const kwdefaults: Array<i32> = [];
    const kwdefaultNames: Array<string> = [];
    const closeK = isLambda ? K_COLON : K_RPAR;
    if (!isLambda) this.expect(K_LPAR);
    let star = false;
    let varargName = '';
    let varkwName = '';
    const posNames: Array<string> = [];
    const kwNames: Array<string> = [];
    while (this.kind() != closeK && this.err.length == 0) {
      if (this.accept(K_DSTAR)) {
        varkwName = this.nameHere();
      } else if (this.accept(K_STAR)) {
        star = true;
        if (this.kind() == TK_NAME) varargName = this.nameHere();
      } else if (this.isOp('/')) {
        this.next();
      } else {
        const p = this.nameHere();
        if (!isLambda && this.accept(K_COLON)) this.pos = this.findTop(this.pos, K_COMMA, K_EQ, closeK);
        if (star) kwNames.push(p);
        else posNames.push(p);
        if (this.accept(K_EQ)) {
          if (star) {
            kwdefaults.push(this.pos);
            kwdefaultNames.push(p);
          } else defaults.push(this.pos);
          this.pos = this.findTop(this.pos, K_COMMA, closeK);
        } else if (!star && defaults.length > 0) return this.syntax('non-default argument follows default argument');
      }
      if (!this.accept(K_COMMA)) break;
    }
    this.expect(closeK);
    if (!isLambda) {
      if (this.accept(K_ARROW)) this.pos = this.findTop(this.pos, K_COLON);
      this.expect(K_COLON);
    }
    if (this.err.length) return;
    for (let i = 0; i < posNames.length; i++) inner.locals.push(posNames[i]);
    for (let i = 0; i < kwNames.length; i++) inner.locals.push(kwNames[i]);
    if (varargName.length) inner.locals.push(varargName);
    if (varkwName.length) inner.locals.push(varkwName);
    for (let i = 0; i < inner.locals.length; i++) {
      inner.localIndex.set(inner.locals[i], i);
      inner.assigned.add(inner.locals[i]);
    }
    inner.nposargs = posNames.length;
    inner.nkwonly = kwNames.length;
    if (varargName.length) inner.flags |= O.CO_VARARGS;
    if (varkwName.length) inner.flags |= O.CO_VARKW;
    const bodyStart = this.pos;
    const bodyEnd = isLambda ? this.lambdaEnd(bodyStart) : this.skipBlock(bodyStart);
    this.prescan(inner, bodyStart, bodyEnd);
    // Locals captured by nested functions become cells.
    const names = inner.nestedRefs.values();
    for (let i = 0; i < names.length; i++) {
      const s = names[i];
      if (inner.assigned.has(s) && !inner.globals.has(s) && !inner.nonlocals.has(s)) inner.cells.push(s);
    }
    this.sc = inner;
    if (isLambda) {
      this.expr();
      this.emit(O.OP_RETURN);
    } else {
      this.block();
      this.emit(O.OP_LOAD_NONE);
      this.emit(O.OP_RETURN);
    }
    this.sc = outer;
    if (this.err.length) return;
    const after = this.pos;
    const code = this.finish(inner);
    if (code == NULL) return this.syntax('out of memory');
    pushTemp(code);
    let flags = 0;
    if (defaults.length) {
      for (let i = 0; i < defaults.length; i++) {
        this.pos = defaults[i];
        this.expr();
      }
      this.emit16(O.OP_BUILD_TUPLE, defaults.length);
      flags |= 1;
    }
    if (kwdefaults.length) {
      for (let i = 0; i < kwdefaults.length; i++) {
        this.loadConst(internAS(kwdefaultNames[i]));
        this.pos = kwdefaults[i];
        this.expr();
      }
      this.emit16(O.OP_BUILD_MAP, kwdefaults.length);
      flags |= 4;
    }
    if (inner.frees.length) {
      for (let i = 0; i < inner.frees.length; i++) this.loadClosure(inner.frees[i]);
      this.emit16(O.OP_BUILD_TUPLE, inner.frees.length);
      flags |= 2;
    }
    this.pos = after;
    const ci = this.addConst(code);
    popTemp(1);
    this.emit16(O.OP_MAKE_FUNCTION, ci);
    this.sc.code.push(<u8>flags);
  }

  /** Pushes the cell object for name `s` of the current scope (for a nested function's closure). */
  loadClosure(s: string): void {
    const sc = this.sc;
    let c = sc.cells.indexOf(s);
    if (c < 0) {
      if (sc.frees.indexOf(s) < 0) this.enclosingBinds(s);
      c = this.freeIndex(sc, s);
    }
    this.emit16(O.OP_LOAD_CLOSURE, c);
  }

  lambdaEnd(i: i32): i32 {
    // A lambda body ends at a top-level ',', ')', ']', '}', ':' or the end of the line.
    for (;;) {
      const k = this.kindAt(i);
      if (k == K_COMMA || k == K_RPAR || k == K_RSQB || k == K_RBRACE || k == TK_NEWLINE || k == TK_EOF || k == K_COLON) return i;
      if (k == KW_LAMBDA) {
        i = this.findTop(i, K_COLON) + 1;
        continue;
      }
      if (k == K_LPAR || k == K_LSQB || k == K_LBRACE) i = this.skipBracket(i);
      else i++;
    }
    return -1; // not reached: the loop ends at EOF
  }

  classStmt(decorators: i32): void {
    this.next();
    const name = this.nameHere();
    let nbases = 0;
    const basesAt = this.pos;
    if (this.kind() == K_LPAR) this.pos = this.skipBracket(this.pos);
    this.expect(K_COLON);
    const outer = this.sc;
    const inner = this.newScope(SC_CLASS, outer, name);
    inner.flags = O.CO_CLASSBODY;
    const bodyStart = this.pos;
    const bodyEnd = this.skipBlock(bodyStart);
    this.prescan(inner, bodyStart, bodyEnd);
    this.sc = inner;
    this.block();
    this.emit(O.OP_LOAD_NONE);
    this.emit(O.OP_RETURN);
    this.sc = outer;
    if (this.err.length) return;
    const after = this.pos;
    const code = pushTemp(this.finish(inner));
    let flags = 0;
    if (inner.frees.length) {
      for (let i = 0; i < inner.frees.length; i++) this.loadClosure(inner.frees[i]);
      this.emit16(O.OP_BUILD_TUPLE, inner.frees.length);
      flags |= 2;
    }
    const ci = this.addConst(code);
    popTemp(1);
    this.emit16(O.OP_MAKE_FUNCTION, ci);
    this.sc.code.push(<u8>flags);
    this.loadConst(internAS(name));
    this.pos = basesAt;
    if (this.accept(K_LPAR)) {
      while (this.kind() != K_RPAR && this.err.length == 0) {
        this.expr();
        nbases++;
        if (!this.accept(K_COMMA)) break;
      }
    }
    this.pos = after;
    this.emit8(O.OP_BUILD_CLASS, nbases);
    for (let i = 0; i < decorators; i++) this.emit16(O.OP_CALL, 1); // npos 1, nkw 0
    this.storeName(name);
  }

  // ---- expressions
  /** expr [, expr]* → a tuple when there is a comma. */
  exprList(): void {
    const first = this.kind();
    if (first == K_STAR) {
      return this.starredTuple(-1);
    }
    this.namedExpr();
    if (this.kind() != K_COMMA) return;
    let n = 1;
    while (this.accept(K_COMMA)) {
      if (this.endOfExprList()) break;
      if (this.kind() == K_STAR) return this.starredTuple(n);
      this.namedExpr();
      n++;
    }
    this.emit16(O.OP_BUILD_TUPLE, n);
  }
  endOfExprList(): bool {
    const k = this.kind();
    return k == TK_NEWLINE || k == K_SEMI || k == TK_EOF || k == K_EQ || k == K_RPAR || k == K_COLON || k == K_RSQB || k == K_RBRACE || this.isAugKind(k);
  }
  /** A tuple display with *items: builds a list and converts it. `done` items are already on the stack. */
  starredTuple(done: i32): void {
    if (done < 0) done = 0;
    this.emit16(O.OP_BUILD_LIST, done);
    for (;;) {
      if (this.endOfExprList()) break;
      if (this.accept(K_STAR)) {
        this.expr();
        this.callBuiltinMethod('extend');
      } else {
        this.expr();
        this.emit16(O.OP_LIST_APPEND, 1);
      }
      if (!this.accept(K_COMMA)) break;
    }
    this.emit16(O.OP_LOAD_GLOBAL, this.nameIdx('tuple'));
    this.emit(O.OP_ROT2);
    this.emit8(O.OP_CALL, 1);
    this.sc.code.push(0);
  }
  /** list on stack below x: list.extend(x) keeping the list. */
  callBuiltinMethod(m: string): void {
    // stack: list, x → list
    this.emit(O.OP_ROT2);
    this.emit(O.OP_DUP);
    this.emit16(O.OP_LOAD_ATTR, this.nameIdx(m));
    this.emit(O.OP_ROT3);
    this.emit(O.OP_ROT3);
    // stack: list, list.m, x  (ROT3 twice turns [l, x, l, m] … see below)
    this.emit8(O.OP_CALL, 1);
    this.sc.code.push(0);
    this.emit(O.OP_POP);
  }

  /** `yield [exprlist]` or `yield from iterable`; leaves the sent value on the stack. */
  yieldExpr(): void {
    this.next();
    if (this.sc.kind != SC_FUNC) return this.syntax("'yield' outside function");
    if (this.accept(KW_FROM)) {
      // delegate: for v in it: yield v (sent values are not forwarded yet); the result is None
      this.expr();
      this.emit(O.OP_GET_ITER);
      const top = this.here();
      const jend = this.jumpFwd(O.OP_FOR_ITER);
      this.emit(O.OP_YIELD_VALUE);
      this.emit(O.OP_POP);
      this.emit16(O.OP_JUMP, top);
      this.patch(jend);
      this.emit(O.OP_LOAD_NONE);
      return;
    }
    if (this.endOfExprList() || this.kind() == K_RPAR) this.emit(O.OP_LOAD_NONE);
    else this.exprList();
    this.emit(O.OP_YIELD_VALUE);
  }

  namedExpr(): void {
    if (this.kind() == TK_NAME && this.kindAt(this.pos + 1) == K_WALRUS) {
      const n = this.nameHere();
      this.next();
      this.expr();
      this.emit(O.OP_DUP);
      this.storeName(n);
      return;
    }
    this.expr();
  }

  expr(): void {
    if (this.kind() == KW_LAMBDA) {
      this.next();
      this.functionDef('<lambda>', true);
      return;
    }
    // a if c else b: the condition is compiled first by jumping to it, then `a`, then `b`.
    const ifAt = this.ternaryIf(this.pos);
    if (ifAt < 0) return this.orTest();
    const start = this.pos;
    this.pos = ifAt + 1;
    this.orTest();
    const afterCond = this.pos;
    const jf = this.jumpFwd(O.OP_POP_JUMP_IF_FALSE);
    this.pos = start;
    this.orTest();
    if (this.pos != ifAt) return this.syntax('invalid syntax');
    const jend = this.jumpFwd(O.OP_JUMP);
    this.patch(jf);
    this.pos = afterCond;
    if (!this.expect(KW_ELSE)) return;
    this.expr();
    this.patch(jend);
  }
  /** Whether the bracket contents starting at `i` are `elt for ...` (a lambda's parameters are skipped). */
  isComprehension(i: i32): bool {
    for (;;) {
      const k = this.kindAt(i);
      if (k == KW_FOR) return true;
      if (k == K_COMMA || k == K_RPAR || k == K_RSQB || k == K_RBRACE || k == TK_NEWLINE || k == TK_EOF) return false;
      if (k == KW_LAMBDA) i = this.findTop(i + 1, K_COLON) + 1;
      else if (k == K_LPAR || k == K_LSQB || k == K_LBRACE) i = this.skipBracket(i);
      else i++;
    }
    return false; // not reached
  }
  /** Index of the `if` of a conditional expression starting at `i`, or -1. */
  ternaryIf(i: i32): i32 {
    for (;;) {
      const k = this.kindAt(i);
      if (k == KW_IF) return i;
      if (k == K_COMMA || k == K_RPAR || k == K_RSQB || k == K_RBRACE || k == K_COLON || k == TK_NEWLINE || k == TK_EOF || k == K_EQ || k == KW_FOR || k == KW_LAMBDA || k == KW_ELSE || k == K_SEMI || k == K_WALRUS || k == KW_AS || k == KW_IN && false || this.isAugKind(k)) return -1;
      if (k == K_LPAR || k == K_LSQB || k == K_LBRACE) i = this.skipBracket(i);
      else i++;
    }
    return -1; // not reached: the loop ends at EOF
  }

  orTest(): void {
    this.andTest();
    if (this.kind() != KW_OR) return;
    const js: Array<i32> = [];
    while (this.accept(KW_OR)) {
      js.push(this.jumpFwd(O.OP_JUMP_IF_TRUE_OR_POP));
      this.andTest();
    }
    for (let i = 0; i < js.length; i++) this.patch(js[i]);
  }
  andTest(): void {
    this.notTest();
    if (this.kind() != KW_AND) return;
    const js: Array<i32> = [];
    while (this.accept(KW_AND)) {
      js.push(this.jumpFwd(O.OP_JUMP_IF_FALSE_OR_POP));
      this.notTest();
    }
    for (let i = 0; i < js.length; i++) this.patch(js[i]);
  }
  notTest(): void {
    if (this.accept(KW_NOT)) {
      this.notTest();
      this.emit8(O.OP_UNARY, O.UN_NOT);
      return;
    }
    this.comparison();
  }
  compOp(): i32 {
    const k = this.kind();
    if (k == opKind('<')) return O.CMP_LT;
    if (k == opKind('<=')) return O.CMP_LE;
    if (k == opKind('==')) return O.CMP_EQ;
    if (k == opKind('!=')) return O.CMP_NE;
    if (k == opKind('>')) return O.CMP_GT;
    if (k == opKind('>=')) return O.CMP_GE;
    if (k == KW_IN) return O.CMP_IN;
    if (k == KW_IS) return this.kindAt(this.pos + 1) == KW_NOT ? O.CMP_IS_NOT : O.CMP_IS;
    if (k == KW_NOT && this.kindAt(this.pos + 1) == KW_IN) return O.CMP_NOT_IN;
    return -1;
  }
  comparison(): void {
    this.bitOr();
    let op = this.compOp();
    if (op < 0) return;
    const fails: Array<i32> = [];
    for (;;) {
      this.next();
      if (op == O.CMP_IS_NOT || op == O.CMP_NOT_IN) this.next();
      this.bitOr();
      const nextOp = this.compOp();
      if (nextOp < 0) {
        this.emit8(O.OP_COMPARE, op);
        break;
      }
      // chained: a < b < c → keep b for the next comparison
      this.emit(O.OP_DUP);
      this.emit(O.OP_ROT3);
      this.emit8(O.OP_COMPARE, op);
      fails.push(this.jumpFwd(O.OP_JUMP_IF_FALSE_OR_POP));
      op = nextOp;
    }
    if (fails.length) {
      const jend = this.jumpFwd(O.OP_JUMP);
      for (let i = 0; i < fails.length; i++) this.patch(fails[i]);
      // failure path: stack has the leftover operand under the False result
      this.emit(O.OP_ROT2);
      this.emit(O.OP_POP);
      this.patch(jend);
    }
  }
  binLevel(level: i32): void {
    if (level == 6) return this.factor();
    this.binLevel(level + 1);
    for (;;) {
      const k = this.kind();
      let op = -1;
      if (level == 0 && k == opKind('|')) op = O.BIN_OR;
      else if (level == 1 && k == opKind('^')) op = O.BIN_XOR;
      else if (level == 2 && k == opKind('&')) op = O.BIN_AND;
      else if (level == 3 && (k == opKind('<<') || k == opKind('>>'))) op = k == opKind('<<') ? O.BIN_LSHIFT : O.BIN_RSHIFT;
      else if (level == 4 && (k == opKind('+') || k == opKind('-'))) op = k == opKind('+') ? O.BIN_ADD : O.BIN_SUB;
      else if (level == 5) {
        if (k == K_STAR) op = O.BIN_MUL;
        else if (k == opKind('/')) op = O.BIN_TRUEDIV;
        else if (k == opKind('//')) op = O.BIN_FLOORDIV;
        else if (k == opKind('%')) op = O.BIN_MOD;
        else if (k == K_AT) op = O.BIN_MATMUL;
      }
      if (op < 0) return;
      this.next();
      this.binLevel(level + 1);
      this.emit8(O.OP_BINARY, op);
    }
  }
  bitOr(): void {
    this.binLevel(0);
  }
  factor(): void {
    const k = this.kind();
    if (k == opKind('-') || k == opKind('+') || k == opKind('~')) {
      this.next();
      // fold -<int literal> so that the most negative small ints are constants
      this.factor();
      this.emit8(O.OP_UNARY, k == opKind('-') ? O.UN_NEG : k == opKind('+') ? O.UN_POS : O.UN_INVERT);
      return;
    }
    this.power();
  }
  power(): void {
    this.atom();
    while (this.err.length == 0) {
      const k = this.kind();
      if (k != K_DOT && k != K_LPAR && k != K_LSQB) break;
      this.trailer();
    }
    if (this.accept(K_DSTAR)) {
      this.factor();
      this.emit8(O.OP_BINARY, O.BIN_POW);
    }
  }

  trailer(): void {
    const k = this.kind();
    if (k == K_DOT) {
      this.next();
      const n = this.nameHere();
      this.emit16(O.OP_LOAD_ATTR, this.nameIdx(n));
    } else if (k == K_LPAR) {
      this.call();
    } else if (k == K_LSQB) {
      this.next();
      this.subscriptKey();
      this.emit(O.OP_LOAD_SUBSCR);
    } else this.syntax('invalid syntax');
  }

  /** After '[': a key or slice, then ']'. */
  subscriptKey(): void {
    let n = 0;
    let tuple = false;
    let more = true;
    while (more) {
      this.sliceItem();
      n++;
      more = false;
      if (this.accept(K_COMMA)) {
        tuple = true;
        more = this.kind() != K_RSQB;
      }
    }
    if (tuple) this.emit16(O.OP_BUILD_TUPLE, n);
    this.expect(K_RSQB);
  }
  sliceItem(): void {
    if (this.kind() != K_COLON) {
      this.namedExpr();
      if (this.kind() != K_COLON) return;
    } else this.emit(O.OP_LOAD_NONE);
    this.next(); // ':'
    const k = this.kind();
    if (k == K_RSQB || k == K_COLON || k == K_COMMA) this.emit(O.OP_LOAD_NONE);
    else this.expr();
    if (this.accept(K_COLON)) {
      const k2 = this.kind();
      if (k2 == K_RSQB || k2 == K_COMMA) this.emit(O.OP_LOAD_NONE);
      else this.expr();
      this.emit8(O.OP_BUILD_SLICE, 3);
    } else this.emit8(O.OP_BUILD_SLICE, 2);
  }

  call(): void {
    this.next(); // '('
    let npos = 0;
    const kwNames: Array<string> = [];
    let star = false;
    // Generator argument: f(x for x in y)
    const close = this.skipBracket(this.pos - 1);
    if (this.kind() != K_RPAR && this.isComprehension(this.pos)) {
      this.comprehension(K_RPAR, 0);
      this.pos = close;
      this.emit8(O.OP_CALL, 1);
      this.sc.code.push(0);
      return;
    }
    // Any * or ** argument: build an args list and a kwargs dict, then CALL_EX.
    for (let i = this.pos; i < close - 1; i = this.findTop(i, K_COMMA, K_RPAR) + 1) {
      const k = this.kindAt(i);
      if (k == K_STAR || k == K_DSTAR) star = true;
      if (this.kindAt(i) == K_RPAR) break;
    }
    if (star) {
      this.emit16(O.OP_BUILD_LIST, 0);
      this.emit16(O.OP_BUILD_MAP, 0);
      while (this.kind() != K_RPAR && this.err.length == 0) {
        if (this.accept(K_STAR)) {
          this.expr();
          this.emit8(O.OP_UNPACK_STAR_CALL, 0);
        } else if (this.accept(K_DSTAR)) {
          this.expr();
          this.emit8(O.OP_UNPACK_STAR_CALL, 1);
        } else if (this.kind() == TK_NAME && this.kindAt(this.pos + 1) == K_EQ) {
          this.loadConst(internAS(this.nameHere()));
          this.next();
          this.expr();
          this.emit8(O.OP_UNPACK_STAR_CALL, 3);
        } else {
          this.namedExpr();
          this.emit8(O.OP_UNPACK_STAR_CALL, 2);
        }
        if (!this.accept(K_COMMA)) break;
      }
      this.expect(K_RPAR);
      this.emit8(O.OP_CALL_EX, 1);
      return;
    }
    while (this.kind() != K_RPAR && this.err.length == 0) {
      if (this.kind() == TK_NAME && this.kindAt(this.pos + 1) == K_EQ) {
        kwNames.push(this.nameHere());
        this.next();
        this.expr();
      } else {
        if (kwNames.length) return this.syntax('positional argument follows keyword argument');
        this.namedExpr();
        npos++;
      }
      if (!this.accept(K_COMMA)) break;
    }
    this.expect(K_RPAR);
    if (kwNames.length) {
      const t = pushTemp(newTuple(kwNames.length));
      for (let i = 0; i < kwNames.length; i++) tupleSet(t, i, internAS(kwNames[i]));
      this.loadConst(t);
      popTemp(1);
    }
    this.emit8(O.OP_CALL, npos);
    this.sc.code.push(<u8>kwNames.length);
  }

  atom(): void {
    const k = this.kind();
    const line = this.line();
    if (k == TK_NAME) {
      const n = this.nameHere();
      if (n == 'super' && this.kind() == K_LPAR && this.kindAt(this.pos + 1) == K_RPAR && this.sc.kind == SC_FUNC) {
        this.next();
        this.next();
        this.emit16(O.OP_LOAD_FAST, 0);
        this.emit(O.OP_SUPER);
        return;
      }
      this.loadName(n);
      return;
    }
    if (k == TK_INT) return this.intLiteral();
    if (k == TK_FLOAT) {
      const s = this.tokName(this.pos).replaceAll('_', '');
      this.next();
      this.loadConst(newFloat(parseFloat(s)));
      return;
    }
    if (k == TK_IMAG) {
      this.next();
      return this.syntax('complex numbers are not supported');
    }
    if (k == TK_STR || k == TK_BYTES || k == TK_FSTR) return this.strings();
    if (k == KW_NONE) return this.next(), this.emit(O.OP_LOAD_NONE);
    if (k == KW_TRUE) return this.next(), this.emit(O.OP_LOAD_TRUE);
    if (k == KW_FALSE) return this.next(), this.emit(O.OP_LOAD_FALSE);
    if (k == K_ELLIPSIS) {
      this.next();
      this.emit16(O.OP_LOAD_GLOBAL, this.nameIdx('Ellipsis'));
      return;
    }
    if (k == K_LPAR) {
      this.next();
      if (this.accept(K_RPAR)) return this.emit16(O.OP_BUILD_TUPLE, 0);
      const close = this.skipBracket(this.pos - 1);
      if (this.isComprehension(this.pos)) {
        // generator expression: evaluated eagerly into a list (no generators yet)
        this.comprehension(K_RPAR, 0);
        this.pos = close;
        return;
      }
      if (this.kind() == KW_YIELD) {
        this.yieldExpr();
        this.expect(K_RPAR);
        return;
      }
      if (this.kind() == K_STAR) {
        this.starredTuple(-1);
        this.expect(K_RPAR);
        return;
      }
      this.namedExpr();
      if (this.accept(K_RPAR)) return;
      let n = 1;
      while (this.accept(K_COMMA)) {
        if (this.kind() == K_RPAR) break;
        if (this.kind() == K_STAR) {
          this.starredTuple(n);
          this.expect(K_RPAR);
          return;
        }
        this.namedExpr();
        n++;
      }
      this.expect(K_RPAR);
      this.emit16(O.OP_BUILD_TUPLE, n);
      return;
    }
    if (k == K_LSQB) {
      this.next();
      const close = this.skipBracket(this.pos - 1);
      if (this.kind() != K_RSQB && this.isComprehension(this.pos)) {
        this.comprehension(K_RSQB, 0);
        this.pos = close;
        return;
      }
      let n = 0;
      let hasStar = false;
      while (this.kind() != K_RSQB && this.err.length == 0) {
        if (this.kind() == K_STAR) {
          hasStar = true;
          break;
        }
        this.namedExpr();
        n++;
        if (!this.accept(K_COMMA)) break;
      }
      if (hasStar) {
        this.emit16(O.OP_BUILD_LIST, n);
        while (this.kind() != K_RSQB && this.err.length == 0) {
          if (this.accept(K_STAR)) {
            this.expr();
            this.callBuiltinMethod('extend');
          } else {
            this.expr();
            this.emit16(O.OP_LIST_APPEND, 1);
          }
          if (!this.accept(K_COMMA)) break;
        }
        this.expect(K_RSQB);
        return;
      }
      this.expect(K_RSQB);
      this.emit16(O.OP_BUILD_LIST, n);
      return;
    }
    if (k == K_LBRACE) {
      this.next();
      const close = this.skipBracket(this.pos - 1);
      if (this.accept(K_RBRACE)) return this.emit16(O.OP_BUILD_MAP, 0);
      const isComp = this.isComprehension(this.pos);
      const colon = this.findTop(this.pos, K_COLON, K_COMMA, K_RBRACE);
      const isDict = this.kindAt(colon) == K_COLON || this.kind() == K_DSTAR;
      if (isComp) {
        this.comprehension(K_RBRACE, isDict ? 2 : 1);
        this.pos = close;
        return;
      }
      let n = 0;
      if (isDict) {
        this.emit16(O.OP_BUILD_MAP, 0);
        while (this.kind() != K_RBRACE && this.err.length == 0) {
          if (this.accept(K_DSTAR)) {
            this.expr();
            this.callBuiltinMethod('update');
          } else {
            this.expr();
            this.expect(K_COLON);
            this.expr();
            this.emit16(O.OP_MAP_ADD, 1);
          }
          n++;
          if (!this.accept(K_COMMA)) break;
        }
        this.expect(K_RBRACE);
        return;
      }
      while (this.kind() != K_RBRACE && this.err.length == 0) {
        this.namedExpr();
        n++;
        if (!this.accept(K_COMMA)) break;
      }
      this.expect(K_RBRACE);
      this.emit16(O.OP_BUILD_SET, n);
      return;
    }
    this.errLine = line;
    this.syntax('invalid syntax');
  }

  /**
   * [elt for … if …] with pos after the opening bracket. kind: 0 list, 1 set, 2 dict. The element is
   * compiled last by rewinding to it; the result collection sits below the loop iterators.
   */
  comprehension(close: i32, kind: i32): void {
    const eltAt = this.pos;
    const forAt = this.findTop(eltAt, KW_FOR);
    const end = this.skipBracket(eltAt - 1) - 1;
    this.emit16(kind == 0 ? O.OP_BUILD_LIST : kind == 1 ? O.OP_BUILD_SET : O.OP_BUILD_MAP, 0);
    this.pos = forAt;
    const loops: Array<i32> = [];
    const exits: Array<i32> = [];
    while (this.pos < end && this.err.length == 0) {
      if (this.accept(KW_FOR)) {
        const tstart = this.pos;
        const inAt = this.findTop(tstart, KW_IN);
        this.pos = inAt + 1;
        this.orTest();
        const after = this.pos;
        this.emit(O.OP_GET_ITER);
        const top = this.here();
        loops.push(top);
        exits.push(this.jumpFwd(O.OP_FOR_ITER));
        this.pos = tstart;
        this.targetList(inAt);
        this.pos = after;
      } else if (this.accept(KW_IF)) {
        this.orTestNoCond();
        const top = loops[loops.length - 1];
        this.emit16(O.OP_POP_JUMP_IF_FALSE, top);
      } else {
        this.syntax('invalid syntax');
        break;
      }
    }
    this.pos = eltAt;
    if (kind == 2) {
      this.expr();
      this.expect(K_COLON);
      this.expr();
      this.emit16(O.OP_MAP_ADD, loops.length + 1);
    } else {
      this.expr();
      this.emit16(kind == 0 ? O.OP_LIST_APPEND : O.OP_SET_ADD, loops.length + 1);
    }
    for (let i = loops.length - 1; i >= 0; i--) {
      this.emit16(O.OP_JUMP, loops[i]);
      this.patch(exits[i]);
    }
    this.pos = end;
    this.expect(close);
  }
  orTestNoCond(): void {
    this.orTest();
  }

  intLiteral(): void {
    const s = this.tokName(this.pos).replaceAll('_', '');
    this.next();
    let base = 10;
    let digits = s;
    if (s.length > 1 && s.charCodeAt(0) == 48) {
      const p = s.charCodeAt(1) | 32;
      if (p == 120) base = 16;
      else if (p == 111) base = 8;
      else if (p == 98) base = 2;
      if (base != 10) digits = s.substring(2);
      else if (s.replaceAll('0', '').length) return this.syntax('invalid syntax for number');
    }
    let v: i64 = 0;
    let big = false;
    for (let i = 0; i < digits.length; i++) {
      const c = digits.charCodeAt(i);
      const d = c <= 57 ? c - 48 : (c | 32) - 87;
      if (d < 0 || d >= base) return this.syntax('invalid syntax for number');
      v = v * base + d;
      if (v > 0x3fffffff) big = true;
    }
    if (!big && fitsSmall(v)) {
      if (v < 32768) this.emit16(O.OP_LOAD_SMALL, <i32>v);
      else this.loadConst(mkSmall(<i32>v));
      return;
    }
    const b = bigFromDigits(digits, base);
    if (b == NULL) return this.syntax('out of memory');
    this.loadConst(b);
  }

  /** Adjacent string literals concatenate; f-strings compile to BUILD_STRING. */
  strings(): void {
    const o = this.t.text;
    const isBytes = this.kind() == TK_BYTES;
    let parts = 0;
    let litBytes: Array<u8> = [];
    let hasF = false;
    while (this.kind() == TK_STR || this.kind() == TK_BYTES || this.kind() == TK_FSTR) {
      const k = this.kind();
      if ((k == TK_BYTES) != isBytes) return this.syntax('cannot mix bytes and nonbytes literals');
      const start = this.t.start[this.pos];
      const len = this.t.len[this.pos];
      if (k == TK_FSTR) {
        hasF = true;
        // flush pending literal
        let i = 0;
        let chunk: Array<u8> = litBytes;
        while (i < len) {
          const c = o.at(start + i);
          if (c == 123 && i + 1 < len && o.at(start + i + 1) == 123) {
            chunk.push(123);
            i += 2;
            continue;
          }
          if (c == 125 && i + 1 < len && o.at(start + i + 1) == 125) {
            chunk.push(125);
            i += 2;
            continue;
          }
          if (c != 123) {
            chunk.push(<u8>c);
            i++;
            continue;
          }
          // {expr[!r][:spec]}
          if (chunk.length) {
            this.loadConst(this.strConst(chunk));
            parts++;
            chunk = [];
          }
          i++;
          let j = i;
          let d = 0;
          while (j < len) {
            const cj = o.at(start + j);
            if (cj == 123 || cj == 40 || cj == 91) d++;
            else if (cj == 41 || cj == 93) d--;
            else if (cj == 125) {
              if (d == 0) break;
              d--;
            } else if ((cj == 33 || cj == 58) && d == 0 && !(cj == 33 && j + 1 < len && o.at(start + j + 1) == 61)) break;
            j++;
          }
          this.fstringExpr(o.ptr + <usize>(start + i), j - i);
          let flags = 0;
          if (j < len && o.at(start + j) == 33) {
            flags = o.at(start + j + 1) == 114 ? 2 : 1;
            j += 2;
          }
          if (j < len && o.at(start + j) == 58) {
            const specStart = j + 1;
            let q = specStart;
            while (q < len && o.at(start + q) != 125) q++;
            const spec: Array<u8> = [];
            for (let z = specStart; z < q; z++) spec.push(<u8>o.at(start + z));
            this.loadConst(this.strConst(spec));
            flags |= 4;
            j = q;
          }
          this.emit8(O.OP_FORMAT_VALUE, flags);
          parts++;
          i = j + 1;
        }
        litBytes = chunk;
      } else {
        for (let i = 0; i < len; i++) litBytes.push(<u8>o.at(start + i));
      }
      this.next();
    }
    if (!hasF) {
      if (isBytes) {
        this.loadConst(this.bytesConst(litBytes));
        return;
      }
      this.loadConst(this.strConst(litBytes));
      return;
    }
    if (litBytes.length) {
      this.loadConst(this.strConst(litBytes));
      parts++;
    }
    if (parts == 0) this.loadConst(this.strConst([]));
    else if (parts > 1) this.emit16(O.OP_BUILD_STRING, parts);
  }
  strConst(b: Array<u8>): V {
    const n = b.length;
    const p = heap.alloc(<usize>n + 1);
    for (let i = 0; i < n; i++) store<u8>(p + <usize>i, b[i]);
    const s = n < 32 ? intern(p, n) : newStr(p, n);
    heap.free(p);
    return s;
  }
  bytesConst(b: Array<u8>): V {
    const n = b.length;
    const p = heap.alloc(<usize>n + 1);
    for (let i = 0; i < n; i++) store<u8>(p + <usize>i, b[i]);
    const s = newBytes(p, n);
    heap.free(p);
    return s;
  }

  /** Compiles the expression text of an f-string field into the current scope. */
  fstringExpr(p: usize, n: i32): void {
    // Copy the text out (the token text buffer may move while the sub-lexer appends to its own).
    const copy = heap.alloc(<usize>n + 2);
    memory.copy(copy, p, <usize>n);
    const sub = tokenize(copy, n);
    if (sub.error.length) {
      heap.free(copy);
      return this.syntax('f-string: ' + sub.error);
    }
    const saveT = this.t;
    const savePos = this.pos;
    const saveSrc = this.src;
    this.t = sub;
    this.src = copy;
    this.pos = 0;
    this.exprList();
    if (this.kind() != TK_NEWLINE && this.kind() != TK_EOF) this.syntax('f-string: invalid syntax');
    this.t = saveT;
    this.pos = savePos;
    this.src = saveSrc;
    heap.free(copy);
  }
}

export let syntaxLine: i32 = 0;

/** Compiles source text; returns a CODE object or NULL with SyntaxError pending. */
export function compileSource(src: usize, n: i32, file: string, repl: bool): V {
  const c = new Compiler(src, n, file, repl);
  return c.compileModule();
}

/** For the REPL: does this input need more lines? */
export function needsMore(src: usize, n: i32): bool {
  const t = tokenize(src, n);
  if (t.incomplete) return true;
  if (t.error.length) return false;
  // A compound statement header (line ending with ':') continues until an empty line.
  return false;
}

export { strFrom, TK_INDENT, TK_DEDENT };

