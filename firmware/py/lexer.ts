// Lexer: source bytes → tokens (indentation as INDENT/DEDENT, brackets join lines, literals decoded).
import { Out } from './out';

export const TK_EOF: i32 = 0;
export const TK_NEWLINE: i32 = 1;
export const TK_INDENT: i32 = 2;
export const TK_DEDENT: i32 = 3;
export const TK_NAME: i32 = 4;
export const TK_INT: i32 = 5;
export const TK_FLOAT: i32 = 6;
export const TK_STR: i32 = 7;
export const TK_BYTES: i32 = 8;
export const TK_FSTR: i32 = 9;
export const TK_IMAG: i32 = 10;
export const TK_OP: i32 = 32; // + index in OPS
export const TK_KW: i32 = 128; // + index in KEYWORDS

// Longest first so that matching takes the longest operator.
export const OPS: StaticArray<string> = [
  '**=', '//=', '>>=', '<<=', '...', '->', ':=',
  '**', '//', '<<', '>>', '<=', '>=', '==', '!=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=',
  '+', '-', '*', '/', '%', '&', '|', '^', '~', '<', '>', '(', ')', '[', ']', '{', '}', ',', ':', ';', '.', '=',
  '@',
];
export const KEYWORDS: StaticArray<string> = [
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del',
  'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda',
  'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
];

export function opKind(s: string): i32 {
  for (let i = 0; i < OPS.length; i++) if (OPS[i] == s) return TK_OP + i;
  return -1;
}
export function kwKind(s: string): i32 {
  for (let i = 0; i < KEYWORDS.length; i++) if (KEYWORDS[i] == s) return TK_KW + i;
  return -1;
}

export class Tokens {
  kind: Array<i32> = [];
  line: Array<i32> = [];
  start: Array<i32> = []; // NAME/number: source offset; STR/BYTES/FSTR: offset in `text`
  len: Array<i32> = [];
  text: Out = new Out(256); // decoded string literal contents
  error: string = ''; // empty: no error
  errorLine: i32 = 0;
  errorIndent: bool = false;
  /** The input ended inside brackets, a triple-quoted string or after a backslash (REPL continues). */
  incomplete: bool = false;

  push(k: i32, line: i32, start: i32, len: i32): void {
    this.kind.push(k);
    this.line.push(line);
    this.start.push(start);
    this.len.push(len);
  }
}

function isIdStart(c: i32): bool {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95 || c >= 0x80;
}
function isDigit(c: i32): bool {
  return c >= 48 && c <= 57;
}
function isHex(c: i32): bool {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

export function tokenize(src: usize, n: i32): Tokens {
  const t = new Tokens();
  const indents: Array<i32> = [0];
  let i = 0;
  let line = 1;
  let depth = 0; // bracket nesting
  let atLineStart = true;
  while (i < n) {
    if (atLineStart && depth == 0) {
      // Measure indentation; blank and comment-only lines do not count.
      let col = 0;
      let j = i;
      while (j < n) {
        const c = <i32>load<u8>(src + <usize>j);
        if (c == 32) col++;
        else if (c == 9) col = (col / 8 + 1) * 8;
        else if (c == 12) col = 0;
        else break;
        j++;
      }
      const c = j < n ? <i32>load<u8>(src + <usize>j) : 10;
      if (c == 10 || c == 13 || c == 35) {
        // blank line or comment: skip to end of line
        while (j < n && load<u8>(src + <usize>j) != 10) j++;
        if (j < n) {
          j++;
          line++;
        }
        i = j;
        continue;
      }
      const cur = indents[indents.length - 1];
      if (col > cur) {
        indents.push(col);
        t.push(TK_INDENT, line, j, 0);
      } else {
        while (col < indents[indents.length - 1]) {
          indents.pop();
          t.push(TK_DEDENT, line, j, 0);
        }
        if (col != indents[indents.length - 1]) {
          t.error = 'unindent does not match any outer indentation level';
          t.errorLine = line;
          t.errorIndent = true;
          return t;
        }
      }
      atLineStart = false;
      i = j;
      continue;
    }
    const c = <i32>load<u8>(src + <usize>i);
    if (c == 32 || c == 9 || c == 12 || c == 13) {
      i++;
      continue;
    }
    if (c == 35) {
      while (i < n && load<u8>(src + <usize>i) != 10) i++;
      continue;
    }
    if (c == 92) {
      // explicit line joining
      if (i + 1 < n && load<u8>(src + <usize>i + 1) == 10) {
        i += 2;
        line++;
        continue;
      }
      if (i + 2 < n && load<u8>(src + <usize>i + 1) == 13 && load<u8>(src + <usize>i + 2) == 10) {
        i += 3;
        line++;
        continue;
      }
      if (i + 1 >= n) {
        t.incomplete = true;
        t.error = 'unexpected end of input after \\';
        t.errorLine = line;
        return t;
      }
      t.error = 'unexpected character after line continuation';
      t.errorLine = line;
      return t;
    }
    if (c == 10) {
      if (depth == 0) {
        const k = t.kind.length;
        if (k > 0 && t.kind[k - 1] != TK_NEWLINE) t.push(TK_NEWLINE, line, i, 0);
        atLineStart = true;
      }
      line++;
      i++;
      continue;
    }
    // Names, keywords and string prefixes
    if (isIdStart(c)) {
      let j = i + 1;
      while (j < n) {
        const d = <i32>load<u8>(src + <usize>j);
        if (isIdStart(d) || isDigit(d)) j++;
        else break;
      }
      const q = j < n ? <i32>load<u8>(src + <usize>j) : 0;
      if ((q == 39 || q == 34) && j - i <= 2) {
        // string prefix?
        let raw = false;
        let bytes = false;
        let fmt = false;
        let ok = true;
        for (let k = i; k < j; k++) {
          const p = <i32>load<u8>(src + <usize>k) | 32;
          if (p == 114) raw = true;
          else if (p == 98) bytes = true;
          else if (p == 102) fmt = true;
          else if (p == 117) {
            /* u'' is a plain str */
          } else ok = false;
        }
        if (ok && !(bytes && fmt)) {
          i = lexString(t, src, n, j, line, raw, bytes, fmt);
          if (t.error.length) return t;
          line = lexLine;
          continue;
        }
      }
      const name = String.UTF8.decodeUnsafe(src + <usize>i, <usize>(j - i));
      const kw = kwKind(name);
      t.push(kw >= 0 ? kw : TK_NAME, line, i, j - i);
      i = j;
      continue;
    }
    if (isDigit(c) || (c == 46 && i + 1 < n && isDigit(<i32>load<u8>(src + <usize>i + 1)))) {
      i = lexNumber(t, src, n, i, line);
      if (t.error.length) return t;
      continue;
    }
    if (c == 39 || c == 34) {
      i = lexString(t, src, n, i, line, false, false, false);
      if (t.error.length) return t;
      line = lexLine;
      continue;
    }
    // Operators
    let matched = -1;
    for (let k = 0; k < OPS.length; k++) {
      const op = OPS[k];
      const m = op.length;
      if (i + m > n) continue;
      let same = true;
      for (let q = 0; q < m; q++) {
        if (<i32>op.charCodeAt(q) != <i32>load<u8>(src + <usize>(i + q))) {
          same = false;
          break;
        }
      }
      if (same) {
        matched = k;
        break;
      }
    }
    if (matched < 0) {
      t.error = 'invalid syntax';
      t.errorLine = line;
      return t;
    }
    const op = OPS[matched];
    if (op == '(' || op == '[' || op == '{') depth++;
    else if (op == ')' || op == ']' || op == '}') {
      if (depth > 0) depth--;
    }
    t.push(TK_OP + matched, line, i, op.length);
    i += op.length;
  }
  if (depth > 0) t.incomplete = true;
  const k = t.kind.length;
  if (k > 0 && t.kind[k - 1] != TK_NEWLINE) t.push(TK_NEWLINE, line, n, 0);
  while (indents.length > 1) {
    indents.pop();
    t.push(TK_DEDENT, line, n, 0);
  }
  t.push(TK_EOF, line, n, 0);
  return t;
}

function lexNumber(t: Tokens, src: usize, n: i32, i: i32, line: i32): i32 {
  const start = i;
  let c = <i32>load<u8>(src + <usize>i);
  if (c == 48 && i + 1 < n) {
    const p = <i32>load<u8>(src + <usize>i + 1) | 32;
    if (p == 120 || p == 111 || p == 98) {
      i += 2;
      while (i < n) {
        const d = <i32>load<u8>(src + <usize>i);
        if (isHex(d) || d == 95) i++;
        else break;
      }
      t.push(TK_INT, line, start, i - start);
      return i;
    }
  }
  let isFloat = false;
  while (i < n && (isDigit(<i32>load<u8>(src + <usize>i)) || load<u8>(src + <usize>i) == 95)) i++;
  if (i < n && load<u8>(src + <usize>i) == 46) {
    isFloat = true;
    i++;
    while (i < n && (isDigit(<i32>load<u8>(src + <usize>i)) || load<u8>(src + <usize>i) == 95)) i++;
  }
  if (i < n && (<i32>load<u8>(src + <usize>i) | 32) == 101) {
    let j = i + 1;
    if (j < n && (load<u8>(src + <usize>j) == 43 || load<u8>(src + <usize>j) == 45)) j++;
    if (j < n && isDigit(<i32>load<u8>(src + <usize>j))) {
      isFloat = true;
      i = j;
      while (i < n && isDigit(<i32>load<u8>(src + <usize>i))) i++;
    }
  }
  if (i < n && (<i32>load<u8>(src + <usize>i) | 32) == 106) {
    i++;
    t.push(TK_IMAG, line, start, i - start);
    return i;
  }
  c = i < n ? <i32>load<u8>(src + <usize>i) : 0;
  if (isIdStart(c)) {
    t.error = 'invalid syntax for number';
    t.errorLine = line;
    return i;
  }
  t.push(isFloat ? TK_FLOAT : TK_INT, line, start, i - start);
  return i;
}

let lexLine: i32 = 0;

function utf8Put(o: Out, cp: i32): void {
  if (cp < 0x80) o.byte(cp);
  else if (cp < 0x800) {
    o.byte(0xc0 | (cp >> 6));
    o.byte(0x80 | (cp & 63));
  } else if (cp < 0x10000) {
    o.byte(0xe0 | (cp >> 12));
    o.byte(0x80 | ((cp >> 6) & 63));
    o.byte(0x80 | (cp & 63));
  } else {
    o.byte(0xf0 | (cp >> 18));
    o.byte(0x80 | ((cp >> 12) & 63));
    o.byte(0x80 | ((cp >> 6) & 63));
    o.byte(0x80 | (cp & 63));
  }
}

/** Lexes a string literal whose quote is at `i`; decodes escapes into t.text; sets lexLine. */
function lexString(t: Tokens, src: usize, n: i32, i: i32, line: i32, raw: bool, bytes: bool, fmt: bool): i32 {
  const q = <i32>load<u8>(src + <usize>i);
  let triple = false;
  if (i + 2 < n && load<u8>(src + <usize>i + 1) == q && load<u8>(src + <usize>i + 2) == q) {
    triple = true;
    i += 3;
  } else i++;
  const o = t.text;
  const begin = o.len;
  const startLine = line;
  for (;;) {
    if (i >= n) {
      t.error = triple ? 'unterminated triple-quoted string' : 'unterminated string';
      t.incomplete = triple;
      t.errorLine = startLine;
      return i;
    }
    const c = <i32>load<u8>(src + <usize>i);
    if (c == q) {
      if (!triple) {
        i++;
        break;
      }
      if (i + 2 < n && load<u8>(src + <usize>i + 1) == q && load<u8>(src + <usize>i + 2) == q) {
        i += 3;
        break;
      }
      o.byte(c);
      i++;
      continue;
    }
    if (c == 10) {
      if (!triple) {
        t.error = 'unterminated string';
        t.errorLine = line;
        return i;
      }
      line++;
      o.byte(c);
      i++;
      continue;
    }
    if (c != 92) {
      o.byte(c);
      i++;
      continue;
    }
    // backslash
    if (i + 1 >= n) {
      i++;
      continue;
    }
    const e = <i32>load<u8>(src + <usize>i + 1);
    if (raw) {
      o.byte(92);
      o.byte(e);
      if (e == 10) line++;
      i += 2;
      continue;
    }
    i += 2;
    switch (e) {
      case 10:
        line++;
        break;
      case 110:
        o.byte(10);
        break;
      case 116:
        o.byte(9);
        break;
      case 114:
        o.byte(13);
        break;
      case 48: case 49: case 50: case 51: case 52: case 53: case 54: case 55: {
        let v = e - 48;
        let k = 0;
        while (k < 2 && i < n) {
          const d = <i32>load<u8>(src + <usize>i);
          if (d < 48 || d > 55) break;
          v = v * 8 + d - 48;
          i++;
          k++;
        }
        if (bytes) o.byte(v & 255);
        else utf8Put(o, v);
        break;
      }
      case 120:
      case 117:
      case 85: {
        const digits = e == 120 ? 2 : e == 117 ? 4 : 8;
        if (bytes && e != 120) {
          o.byte(92);
          o.byte(e);
          break;
        }
        let v = 0;
        for (let k = 0; k < digits; k++) {
          const d = i < n ? <i32>load<u8>(src + <usize>i) : 0;
          if (!isHex(d)) {
            t.error = 'invalid escape sequence';
            t.errorLine = line;
            return i;
          }
          v = v * 16 + (d <= 57 ? d - 48 : (d | 32) - 87);
          i++;
        }
        if (bytes) o.byte(v);
        else utf8Put(o, v);
        break;
      }
      case 97:
        o.byte(7);
        break;
      case 98:
        o.byte(8);
        break;
      case 102:
        o.byte(12);
        break;
      case 118:
        o.byte(11);
        break;
      case 92:
      case 39:
      case 34:
        o.byte(e);
        break;
      default:
        o.byte(92);
        o.byte(e);
    }
  }
  lexLine = line;
  t.push(bytes ? TK_BYTES : fmt ? TK_FSTR : TK_STR, startLine, begin, o.len - begin);
  return i;
}
