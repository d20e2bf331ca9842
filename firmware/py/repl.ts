// Running code: scripts, the REPL line editor (the host pushes bytes; nothing here waits for input),
// and printing uncaught exceptions MicroPython's way.
import { V, NULL, NONE, typeOf, field, addRoot, getRoot, setRoot, T_INST, T_TUPLE, pushTemp, popTemp } from './obj';
import {
  pendingExc, setPending, newDict, dictGet, dictSet, internAS, llen, litem, titem, tlen, sdata, slen,
  excType, EXC_SYSTEMEXIT, EXC_KEYERROR, className,
} from './rt';
import { compileSource, needsMore, syntaxLine } from './compiler';
import { runCode, isInstance } from './vm';
import { toOut } from './ops';
import { setCurrentGlobals } from './builtins';
import { Out } from './out';
import { consoleWrite, errorWrite } from './hal';

let mainRoot: i32 = -1;

export function mainGlobals(): V {
  if (mainRoot < 0) {
    mainRoot = addRoot(NULL);
    const d = newDict();
    setRoot(mainRoot, d);
    dictSet(d, internAS('__name__'), internAS('__main__'));
  }
  return getRoot(mainRoot);
}

/** Writes the traceback and message of exception `e` (file/line entries are innermost first). */
export function formatException(e: V, o: Out): void {
  if (typeOf(e) != T_INST) {
    o.str('exception\n');
    return;
  }
  const tb = dictGet(field(e, 1), internAS('__tb__'));
  if (tb != NULL && llen(tb) > 0) {
    o.str('Traceback (most recent call last):\n');
    for (let i = llen(tb) - 1; i >= 0; i--) {
      const entry = litem(tb, i);
      o.str('  File "');
      const f = titem(entry, 0);
      o.bytes(sdata(f), slen(f));
      o.str('", line ');
      o.int(titem(entry, 1) >> 1);
      o.str(', in ');
      const n = titem(entry, 2);
      o.bytes(sdata(n), slen(n));
      o.byte(10);
    }
  }
  o.str(className(field(e, 0)));
  const args = field(e, 2);
  const n = typeOf(args) == T_TUPLE ? tlen(args) : 0;
  if (n > 0) {
    o.str(': ');
    const save = o.len;
    // KeyError shows its key as repr, like CPython and MicroPython
    const ok = n == 1 ? toOut(titem(args, 0), o, isInstance(e, excType(EXC_KEYERROR))) : toOut(args, o, true);
    if (!ok) {
      o.len = save;
      setPending(NONE);
      o.str('<exception str() failed>');
    }
  }
  o.byte(10);
}

/** SystemExit's exit code, or -1 when `e` is another exception. */
function exitCode(e: V): i32 {
  if (!isInstance(e, excType(EXC_SYSTEMEXIT))) return -1;
  const args = field(e, 2);
  if (typeOf(args) != T_TUPLE || tlen(args) == 0) return 0;
  const a = titem(args, 0);
  if (a == NONE) return 0;
  if (a & 1) return a >> 1;
  return 1;
}

/** Compiles and runs source text in __main__; reports an uncaught exception. Returns the exit status. */
export function execSource(src: usize, n: i32, file: string, repl: bool, printExprs: bool = true): i32 {
  const g = mainGlobals();
  setCurrentGlobals(g);
  const code = compileSource(src, n, file, repl && printExprs);
  if (code == NULL) {
    const e = pushTemp(pendingExc()); // stays rooted while it is formatted (formatting allocates)
    setPending(NONE);
    const o = new Out();
    o.str('Traceback (most recent call last):\n  File "');
    o.str(file);
    o.str('", line ');
    o.int(syntaxLine);
    o.str('\n');
    formatException(e, o);
    popTemp(1);
    emit(o, repl);
    o.free();
    return 1;
  }
  pushTemp(code);
  const r = runCode(code, g, g, NULL);
  popTemp(1);
  if (r != NULL) return 0;
  const e = pushTemp(pendingExc());
  setPending(NONE);
  const code2 = exitCode(e);
  if (code2 >= 0) {
    popTemp(1);
    return code2 | 0x100; // marks "SystemExit" for the caller
  }
  const o = new Out();
  formatException(e, o);
  popTemp(1);
  emit(o, repl);
  o.free();
  return 1;
}

/** Where tracebacks go: the console (REPL), the error stream (scripts) or a buffer (raw REPL). */
let captureErrors: Out | null = null;
function emit(o: Out, repl: bool): void {
  const cap = captureErrors;
  if (cap) cap.bytes(o.ptr, o.len);
  else if (repl) consoleWrite(o.ptr, o.len);
  else errorWrite(o.ptr, o.len);
}

// ---------------------------------------------------------------------------------------------------------
// REPL

const line = new Out(128);
const source = new Out(256);
let continuing = false;
let lastWasCR = false;
export let echo = false;
export function setEcho(on: bool): void {
  echo = on;
}

function write(s: string): void {
  const b = String.UTF8.encode(s);
  consoleWrite(changetype<usize>(b), b.byteLength);
}

export function replBanner(): void {
  write('MicroPython-compatible emboard VM 0.1 on host; wasm with AssemblyScript\nUse Ctrl-D to exit.\n>>> ');
}

function endsWithColon(o: Out, from: i32): bool {
  // the last non-blank character outside a comment is ':'
  let last = -1;
  let inStr = 0;
  for (let i = from; i < o.len; i++) {
    const c = o.at(i);
    if (inStr) {
      if (c == inStr) inStr = 0;
      continue;
    }
    if (c == 39 || c == 34) inStr = c;
    else if (c == 35) break;
    else if (c != 32 && c != 9 && c != 10 && c != 13) last = c;
  }
  return last == 58;
}

function isBlank(o: Out): bool {
  for (let i = 0; i < o.len; i++) if (o.at(i) != 32 && o.at(i) != 9) return false;
  return true;
}

// Modes: the friendly REPL, paste mode (Ctrl-E) and the raw REPL (Ctrl-A) that tools like mpremote drive.
const MODE_FRIENDLY = 0;
const MODE_PASTE = 1;
const MODE_RAW = 2;
let mode = MODE_FRIENDLY;
const raw = new Out(256);

function rawByte(c: i32): i32 {
  if (c == 2) {
    // Ctrl-B: back to the friendly REPL
    mode = MODE_FRIENDLY;
    raw.len = 0;
    write('\n');
    replBanner();
    return 0;
  }
  if (c == 3) {
    raw.len = 0;
    return 0;
  }
  if (c == 5 && raw.len == 0) {
    // raw-paste mode is not offered: tools fall back to plain raw mode
    write('R\x00');
    return 0;
  }
  if (c != 4) {
    raw.byte(c);
    return 0;
  }
  // Ctrl-D: run the buffer; stdout, \x04, the exception text, \x04, then the '>' prompt
  write('OK');
  const errs = new Out();
  captureErrors = errs;
  const r = execSource(raw.ptr, raw.len, '<stdin>', true, false);
  captureErrors = null;
  raw.len = 0;
  write('\x04');
  consoleWrite(errs.ptr, errs.len);
  errs.free();
  write('\x04>');
  if (r & 0x100) return r;
  return 0;
}

function pasteByte(c: i32): i32 {
  if (c == 3) {
    mode = MODE_FRIENDLY;
    source.len = 0;
    write('\n>>> ');
    return 0;
  }
  if (c == 4) {
    mode = MODE_FRIENDLY;
    write('\n');
    const r = execSource(source.ptr, source.len, '<stdin>', true, false);
    source.len = 0;
    if (r & 0x100) return r;
    write('>>> ');
    return 0;
  }
  if (c == 13 || c == 10) {
    source.byte(10);
    write('\n=== ');
    return 0;
  }
  source.byte(c);
  if (echo) write(String.fromCharCode(c));
  return 0;
}

/** Feeds input bytes; returns 0 to go on, or 0x100 | code when the REPL ends (Ctrl-D, sys.exit()). */
export function replFeed(p: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(p + <usize>i);
    if (mode == MODE_RAW) {
      const r = rawByte(c);
      if (r) return r;
      continue;
    }
    if (mode == MODE_PASTE) {
      if (c == 10 && lastWasCR) {
        lastWasCR = false;
        continue;
      }
      lastWasCR = c == 13;
      const r = pasteByte(c);
      if (r) return r;
      continue;
    }
    if (c == 1 && line.len == 0 && !continuing) {
      mode = MODE_RAW;
      write('raw REPL; CTRL-B to exit\n>');
      continue;
    }
    if (c == 5 && line.len == 0 && !continuing) {
      mode = MODE_PASTE;
      source.len = 0;
      write('\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\n=== ');
      continue;
    }
    if (c == 10 && lastWasCR) {
      lastWasCR = false;
      continue;
    }
    lastWasCR = c == 13;
    if (c == 3) {
      // Ctrl-C: drop what was typed
      line.len = 0;
      source.len = 0;
      continuing = false;
      write('\nKeyboardInterrupt\n>>> ');
      continue;
    }
    if (c == 4) {
      if (line.len == 0 && !continuing) {
        write('\n');
        return 0x100;
      }
      continue;
    }
    if (c == 8 || c == 127) {
      if (line.len > 0) {
        line.len--;
        while (line.len > 0 && (line.at(line.len) & 0xc0) == 0x80) line.len--;
        if (echo) write('\b \b');
      }
      continue;
    }
    if (c == 13 || c == 10) {
      if (echo) write('\n');
      const r = lineDone();
      if (r != 0) return r;
      continue;
    }
    line.byte(c);
    if (echo) consoleWrite(p + <usize>i, 1);
  }
  return 0;
}

function lineDone(): i32 {
  const start = source.len;
  if (continuing) {
    if (isBlank(line)) {
      line.len = 0;
      return runBuffered();
    }
    source.bytes(line.ptr, line.len);
    source.byte(10);
    line.len = 0;
    write('... ');
    return 0;
  }
  if (isBlank(line)) {
    line.len = 0;
    write('>>> ');
    return 0;
  }
  source.bytes(line.ptr, line.len);
  source.byte(10);
  line.len = 0;
  if (endsWithColon(source, start) || needsMore(source.ptr, source.len)) {
    continuing = true;
    write('... ');
    return 0;
  }
  return runBuffered();
}

function runBuffered(): i32 {
  continuing = false;
  const r = execSource(source.ptr, source.len, '<stdin>', true);
  source.len = 0;
  if (r & 0x100) return r;
  write('>>> ');
  return 0;
}

