/**
 * A parser for the GNU ld linker-script subset firmware scripts use: MEMORY, SECTIONS (output sections with
 * address, (NOLOAD), AT(), ALIGN(), `> REGION`, `AT> REGION`, input patterns with KEEP/SORT, symbol and `.`
 * assignments incl. `+=` etc., PROVIDE/PROVIDE_HIDDEN, LONG/SHORT/BYTE/QUAD data), ENTRY, top-level
 * assignments, /DISCARD/, C comments. OUTPUT_FORMAT/OUTPUT_ARCH/SEARCH_DIR/GROUP are accepted and ignored.
 * Errors are one-line `UserError`s naming file:line.
 */
import { UserError } from '../../core/errors.js';

export type Expr =
  | { k: 'num'; v: number }
  | { k: 'sym'; name: string }
  | { k: 'dot' }
  | { k: 'un'; op: string; a: Expr }
  | { k: 'bin'; op: string; a: Expr; b: Expr }
  | { k: 'cond'; c: Expr; a: Expr; b: Expr }
  /** ORIGIN/LENGTH (region), ADDR/LOADADDR/SIZEOF/ALIGNOF (section), DEFINED (symbol) take a name. */
  | { k: 'nameFn'; fn: string; name: string }
  | { k: 'call'; fn: string; args: Expr[] };

export interface Assignment {
  kind: 'assign';
  /** '.' for the location counter. */
  target: string;
  op: '=' | '+=' | '-=' | '*=' | '/=' | '&=' | '|=' | '<<=' | '>>=';
  expr: Expr;
  provide: boolean;
  line: number;
}

export interface InputSpec {
  kind: 'input';
  /** File-name pattern ("*", "*crt0.o"). */
  file: string;
  /** Section-name patterns ("*" and "?" wildcards). */
  sections: string[];
  keep: boolean;
  sort: boolean;
  line: number;
}

export interface DataStatement {
  kind: 'data';
  size: 1 | 2 | 4 | 8;
  expr: Expr;
  line: number;
}

export type SectionItem = Assignment | InputSpec | DataStatement;

export interface OutputSection {
  kind: 'output';
  name: string;
  address?: Expr;
  noload: boolean;
  at?: Expr;
  align?: Expr;
  region?: string;
  lmaRegion?: string;
  fill?: number;
  items: SectionItem[];
  line: number;
}

export interface MemoryRegion {
  name: string;
  attrs: string;
  origin: number;
  length: number;
  line: number;
}

export interface LinkerScript {
  file: string;
  memory: MemoryRegion[];
  entry?: string;
  /** SECTIONS contents plus top-level assignments, in order. */
  statements: (Assignment | OutputSection)[];
}

interface Token {
  t: 'name' | 'num' | 'op' | 'eof';
  v: string;
  n: number;
  line: number;
}

const OPS = ['<<=', '>>=', '+=', '-=', '*=', '/=', '&=', '|=', '<<', '>>', '==', '!=', '<=', '>=', '&&', '||', '>', '<', '=', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '?', ':', '(', ')', '{', '}', ';', ','];

/**
 * ld's lexer is modal: inside an output section's braces `*(.text.*)` is a wildcard name, in an expression
 * `*` multiplies. We track the same context: pattern mode inside an output-section body except in
 * assignments (from the operator to `;`) and in LONG()/BYTE()/… argument lists.
 */
function tokenize(text: string, file: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  const err = (m: string): never => {
    throw new UserError(`${file}:${line}: ${m}`);
  };
  let braces = 0;
  let sectionsAt = -1;
  let pendingSections = false;
  let expr = false;
  let paren = 0;
  let exprParen = -1;
  const patternMode = () => sectionsAt >= 0 && braces === sectionsAt + 1 && !expr;
  while (i < text.length) {
    const c = text[i]!;
    const pat = patternMode();
    const nameStart = pat ? /[A-Za-z_.$*?\[\]\\]/ : /[A-Za-z_.$]/;
    const nameChar = pat ? /[A-Za-z0-9_.$*?\-\[\]\\]/ : /[A-Za-z0-9_.$]/;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) err('unterminated comment');
      for (let k = i; k < end; k++) if (text[k] === '\n') line++;
      i = end + 2;
    } else if (text.startsWith('/DISCARD/', i)) {
      out.push({ t: 'name', v: '/DISCARD/', n: 0, line });
      i += 9;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) err('unterminated string');
      out.push({ t: 'name', v: text.slice(i + 1, end), n: 0, line });
      i = end + 1;
    } else if (/[0-9]/.test(c)) {
      const m = /^(0[xX][0-9a-fA-F]+|[0-9]+)([KkMm]?)/.exec(text.slice(i))!;
      let v = m[1]!.length > 1 && m[1]![0] === '0' && !/[xX]/.test(m[1]!) ? parseInt(m[1]!, 8) : Number(m[1]);
      if (m[2] === 'K' || m[2] === 'k') v *= 1024;
      if (m[2] === 'M' || m[2] === 'm') v *= 1024 * 1024;
      i += m[0].length;
      if (i < text.length && /[A-Za-z0-9_]/.test(text[i]!)) err(`bad number '${text.slice(i - m[0].length, i + 1)}'`);
      out.push({ t: 'num', v: m[0], n: v, line });
    } else if (nameStart.test(c)) {
      let j = i + 1;
      while (j < text.length && nameChar.test(text[j]!)) j++;
      const v = text.slice(i, j);
      out.push({ t: 'name', v, n: 0, line });
      if (v === 'SECTIONS') pendingSections = true;
      if (['LONG', 'BYTE', 'SHORT', 'QUAD', 'FILL', 'ASSERT'].includes(v) && pat) {
        expr = true;
        exprParen = paren;
      }
      i = j;
    } else {
      const op = OPS.find((o) => text.startsWith(o, i));
      if (!op) err(`unexpected character '${c}'`);
      out.push({ t: 'op', v: op!, n: 0, line });
      i += op!.length;
      if (op === '{') {
        braces++;
        if (pendingSections) {
          sectionsAt = braces;
          pendingSections = false;
        }
      } else if (op === '}') {
        if (braces === sectionsAt) sectionsAt = -1;
        braces--;
        expr = false;
      } else if (op === ';') expr = false;
      else if (op === '(') paren++;
      else if (op === ')') {
        paren--;
        if (paren === exprParen) {
          expr = false;
          exprParen = -1;
        }
      } else if (ASSIGN_OPS.has(op!)) expr = true;
    }
  }
  out.push({ t: 'eof', v: 'end of file', n: 0, line });
  return out;
}

const NAME_FNS = new Set(['ORIGIN', 'LENGTH', 'ADDR', 'LOADADDR', 'SIZEOF', 'ALIGNOF', 'DEFINED']);
const CALL_FNS = new Set(['ALIGN', 'MAX', 'MIN', 'ABSOLUTE', 'NEXT', 'LOG2CEIL']);
const BINARY: string[][] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];
const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '&=', '|=', '<<=', '>>=']);

export function parseLinkerScript(text: string, file: string): LinkerScript {
  const toks = tokenize(text, file);
  let p = 0;
  const peek = (k = 0) => toks[Math.min(p + k, toks.length - 1)]!;
  const err = (m: string, tok = peek()): never => {
    throw new UserError(`${file}:${tok.line}: ${m}`);
  };
  const next = () => toks[p++ < toks.length - 1 ? p - 1 : toks.length - 1]!;
  const isOp = (v: string, k = 0) => peek(k).t === 'op' && peek(k).v === v;
  const expect = (v: string): Token => {
    if (!isOp(v)) err(`expected '${v}' but found '${peek().v}'`);
    return next();
  };
  const name = (what: string): string => {
    const t = peek();
    if (t.t !== 'name') err(`expected ${what} but found '${t.v}'`);
    return next().v;
  };

  function primary(): Expr {
    const t = peek();
    if (t.t === 'num') {
      next();
      return { k: 'num', v: t.n };
    }
    if (isOp('(')) {
      next();
      const e = expr();
      expect(')');
      return e;
    }
    if (t.t === 'op' && (t.v === '-' || t.v === '~' || t.v === '!' || t.v === '+')) {
      next();
      return { k: 'un', op: t.v, a: primary() };
    }
    if (t.t === 'name') {
      next();
      if (t.v === '.') return { k: 'dot' };
      const fn = t.v.toUpperCase() === t.v ? t.v : '';
      if (isOp('(') && NAME_FNS.has(fn)) {
        next();
        const n = name('a name');
        expect(')');
        return { k: 'nameFn', fn, name: n };
      }
      if (isOp('(') && CALL_FNS.has(fn)) {
        next();
        const args = [expr()];
        while (isOp(',')) {
          next();
          args.push(expr());
        }
        expect(')');
        return { k: 'call', fn, args };
      }
      if (isOp('(')) err(`unknown function ${t.v}()`, t);
      return { k: 'sym', name: t.v };
    }
    return err(`expected an expression but found '${t.v}'`);
  }
  function binary(level: number): Expr {
    if (level === BINARY.length) return primary();
    let a = binary(level + 1);
    while (peek().t === 'op' && BINARY[level]!.includes(peek().v)) {
      const op = next().v;
      a = { k: 'bin', op, a, b: binary(level + 1) };
    }
    return a;
  }
  function expr(): Expr {
    const c = binary(0);
    if (!isOp('?')) return c;
    next();
    const a = expr();
    expect(':');
    return { k: 'cond', c, a, b: expr() };
  }

  /** `sym = expr;` or `PROVIDE(sym = expr);` — the caller has checked the shape. */
  function assignment(): Assignment {
    const line = peek().line;
    const provide = peek().t === 'name' && (peek().v === 'PROVIDE' || peek().v === 'PROVIDE_HIDDEN' || peek().v === 'HIDDEN');
    if (provide) {
      next();
      expect('(');
    }
    const target = name('a symbol');
    const op = next();
    if (op.t !== 'op' || !ASSIGN_OPS.has(op.v)) err(`expected an assignment operator after '${target}'`, op);
    const e = expr();
    if (provide) expect(')');
    if (isOp(';')) next();
    else if (!isOp('}')) err(`expected ';' after the assignment to '${target}'`);
    return { kind: 'assign', target, op: op.v as Assignment['op'], expr: e, provide, line };
  }
  const looksLikeAssignment = () =>
    (peek().t === 'name' && ['PROVIDE', 'PROVIDE_HIDDEN', 'HIDDEN'].includes(peek().v) && isOp('(', 1)) ||
    (peek().t === 'name' && peek(1).t === 'op' && ASSIGN_OPS.has(peek(1).v));

  function inputSpec(keep: boolean, sort: boolean): InputSpec {
    const line = peek().line;
    const w = peek().v;
    if (peek().t === 'name' && ['KEEP', 'SORT', 'SORT_BY_NAME', 'SORT_BY_ALIGNMENT', 'SORT_NONE'].includes(w) && isOp('(', 1)) {
      next();
      next();
      const inner = inputSpec(keep || w === 'KEEP', sort || w.startsWith('SORT_BY') || w === 'SORT');
      expect(')');
      return inner;
    }
    const fileTok = name('an input file pattern');
    if (!isOp('(')) {
      // A bare name is a file name with all its sections in ld; we only support the (section) form.
      err(`expected '(' after input file pattern '${fileTok}'`);
    }
    next();
    const sections: string[] = [];
    while (!isOp(')')) {
      if (peek().t === 'name' && ['SORT', 'SORT_BY_NAME', 'SORT_BY_ALIGNMENT', 'KEEP'].includes(peek().v) && isOp('(', 1)) {
        if (peek().v === 'KEEP') keep = true;
        else sort = true;
        next();
        next();
        while (!isOp(')')) sections.push(name('a section pattern'));
        next();
        continue;
      }
      if (peek().t === 'name' && peek().v === 'EXCLUDE_FILE') err('EXCLUDE_FILE is not supported');
      sections.push(name('a section pattern'));
      if (isOp(',')) next();
    }
    next();
    return { kind: 'input', file: fileTok, sections, keep, sort, line };
  }

  function outputSection(): OutputSection {
    const line = peek().line;
    const sec: OutputSection = { kind: 'output', name: next().v, noload: false, items: [], line };
    if (!isOp(':')) {
      if (isOp('(') && peek(1).v === 'NOLOAD') {
        next();
        next();
        expect(')');
        sec.noload = true;
      } else {
        sec.address = expr();
        if (isOp('(') && peek(1).v === 'NOLOAD') {
          next();
          next();
          expect(')');
          sec.noload = true;
        }
      }
    }
    expect(':');
    for (;;) {
      const w = peek().v;
      if (w === 'AT' && isOp('(', 1)) {
        next();
        next();
        sec.at = expr();
        expect(')');
      } else if ((w === 'ALIGN' || w === 'SUBALIGN') && isOp('(', 1)) {
        next();
        next();
        const e = expr();
        if (w === 'ALIGN') sec.align = e;
        expect(')');
      } else if (w === 'ALIGN_WITH_INPUT') next();
      else break;
    }
    expect('{');
    while (!isOp('}')) {
      if (peek().t === 'eof') err(`unterminated output section ${sec.name}`);
      if (isOp(';')) {
        next();
        continue;
      }
      const w = peek().v;
      if (['BYTE', 'SHORT', 'LONG', 'QUAD'].includes(w) && isOp('(', 1)) {
        const l = next().line;
        next();
        const e = expr();
        expect(')');
        sec.items.push({ kind: 'data', size: ({ BYTE: 1, SHORT: 2, LONG: 4, QUAD: 8 } as const)[w as 'BYTE']!, expr: e, line: l });
      } else if (w === 'FILL' && isOp('(', 1)) {
        next();
        next();
        expr();
        expect(')');
      } else if (w === 'CREATE_OBJECT_SYMBOLS' || w === 'CONSTRUCTORS') next();
      else if (looksLikeAssignment() || (w === '.' && peek(1).t === 'op' && ASSIGN_OPS.has(peek(1).v))) sec.items.push(assignment());
      else sec.items.push(inputSpec(false, false));
    }
    next();
    for (;;) {
      if (isOp('>')) {
        next();
        sec.region = name('a memory region');
      } else if (peek().v === 'AT' && isOp('>', 1)) {
        next();
        next();
        sec.lmaRegion = name('a memory region');
      } else if (isOp('=')) {
        next();
        const f = expr();
        sec.fill = f.k === 'num' ? f.v : 0;
      } else if (isOp(':')) {
        next();
        name('a program header');
      } else break;
    }
    if (isOp(',')) next();
    return sec;
  }

  const script: LinkerScript = { file, memory: [], statements: [] };
  const skipParens = () => {
    expect('(');
    let depth = 1;
    while (depth > 0) {
      if (peek().t === 'eof') err('unbalanced parentheses');
      const t = next();
      if (t.v === '(') depth++;
      if (t.v === ')') depth--;
    }
  };
  while (peek().t !== 'eof') {
    const t = peek();
    if (isOp(';')) {
      next();
    } else if (t.v === 'MEMORY') {
      next();
      expect('{');
      while (!isOp('}')) {
        const line = peek().line;
        const rn = name('a memory region name');
        let attrs = '';
        if (isOp('(')) {
          next();
          while (!isOp(')')) attrs += next().v;
          next();
        }
        expect(':');
        const key1 = name('ORIGIN').toUpperCase();
        if (!['ORIGIN', 'ORG', 'O'].includes(key1)) err(`expected ORIGIN in region ${rn}`);
        expect('=');
        const origin = constant(expr());
        expect(',');
        const key2 = name('LENGTH').toUpperCase();
        if (!['LENGTH', 'LEN', 'L'].includes(key2)) err(`expected LENGTH in region ${rn}`);
        expect('=');
        const length = constant(expr(), script.memory);
        if (script.memory.some((m) => m.name === rn)) err(`memory region ${rn} defined twice`);
        script.memory.push({ name: rn, attrs, origin, length, line });
      }
      next();
    } else if (t.v === 'ENTRY') {
      next();
      expect('(');
      script.entry = name('the entry symbol');
      expect(')');
    } else if (t.v === 'SECTIONS') {
      next();
      expect('{');
      while (!isOp('}')) {
        if (peek().t === 'eof') err('unterminated SECTIONS');
        if (isOp(';')) next();
        else if (looksLikeAssignment() || (peek().v === '.' && peek(1).t === 'op' && ASSIGN_OPS.has(peek(1).v))) script.statements.push(assignment());
        else if (peek().t === 'name') script.statements.push(outputSection());
        else err(`unexpected '${peek().v}' in SECTIONS`);
      }
      next();
    } else if (['OUTPUT_FORMAT', 'OUTPUT_ARCH', 'SEARCH_DIR', 'GROUP', 'INPUT', 'TARGET', 'STARTUP', 'OUTPUT'].includes(t.v)) {
      next();
      skipParens();
    } else if (t.v === 'INCLUDE') err('INCLUDE is not supported');
    else if (looksLikeAssignment()) script.statements.push(assignment());
    else err(`unexpected '${t.v}'`);
  }
  return script;

  /** MEMORY values: constant expressions (LENGTH may use ORIGIN/LENGTH of earlier regions). */
  function constant(e: Expr, regions: MemoryRegion[] = script.memory): number {
    const ev = (x: Expr): number => {
      switch (x.k) {
        case 'num':
          return x.v;
        case 'un':
          return x.op === '-' ? -ev(x.a) : x.op === '~' ? ~ev(x.a) >>> 0 : x.op === '!' ? +!ev(x.a) : ev(x.a);
        case 'bin':
          return evalBinary(x.op, ev(x.a), ev(x.b));
        case 'nameFn': {
          const r = regions.find((m) => m.name === x.name);
          if (r && x.fn === 'ORIGIN') return r.origin;
          if (r && x.fn === 'LENGTH') return r.length;
          return err(`${x.fn}(${x.name}) is not a constant here`);
        }
        default:
          return err('MEMORY needs constant expressions');
      }
    };
    return ev(e) >>> 0;
  }
}

/** Binary operators on 32-bit address values (ld computes in bfd_vma; firmware addresses fit 32 bits). */
export function evalBinary(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return (a + b) >>> 0;
    case '-':
      return (a - b) >>> 0;
    case '*':
      return Math.imul(a, b) >>> 0;
    case '/':
      return b === 0 ? 0 : Math.floor((a >>> 0) / (b >>> 0));
    case '%':
      return b === 0 ? 0 : (a >>> 0) % (b >>> 0);
    case '&':
      return (a & b) >>> 0;
    case '|':
      return (a | b) >>> 0;
    case '^':
      return (a ^ b) >>> 0;
    case '<<':
      return (a << b) >>> 0;
    case '>>':
      return a >>> b;
    case '==':
      return +(a >>> 0 === b >>> 0);
    case '!=':
      return +(a >>> 0 !== b >>> 0);
    case '<':
      return +(a >>> 0 < b >>> 0);
    case '>':
      return +(a >>> 0 > b >>> 0);
    case '<=':
      return +(a >>> 0 <= b >>> 0);
    case '>=':
      return +(a >>> 0 >= b >>> 0);
    case '&&':
      return +(!!a && !!b);
    case '||':
      return +(!!a || !!b);
    default:
      throw new Error(`operator ${op}`);
  }
}
