/** Lexer, parser/compiler and runtime behaviour checked through the VM: errors, literals, REPL. */
import { describe, expect, it } from 'vitest';
import { runPy, runRepl } from './helpers.js';

describe('lexer and compiler', () => {
  it('reads every literal form', async () => {
    const r = await runPy(
      "print(0x_ff if False else 0xff, 0o777, 0b1010, 1_000, 1., .5, 1e3, 1.5E-3, 'a' \"b\", b'\\x00\\n', r'\\d', '\\101\\x41\\u0041')\n",
    );
    expect(r.out).toBe("255 511 10 1000 1.0 0.5 1000.0 0.0015 ab b'\\x00\\n' \\d AAA\n");
  });

  it('joins lines inside brackets and after a backslash; ignores comments and blank lines', async () => {
    const r = await runPy('x = [1,\n  2,  # two\n\n 3]\ny = 1 + \\\n 2\nprint(x, y)\n');
    expect(r.out).toBe('[1, 2, 3] 3\n');
  });

  it('tracks indentation with tabs, nested blocks and dedent to several levels', async () => {
    const r = await runPy('if 1:\n\tif 1:\n\t\tprint(1)\n\tprint(2)\nprint(3)\n');
    expect(r.out).toBe('1\n2\n3\n');
  });

  it('reports syntax errors with their line', async () => {
    const r = await runPy('x = 1\nprint(x\ny = (2 +)\n', 'bad.py');
    expect(r.status).toBe(1);
    expect(r.err).toContain('SyntaxError');
    const r2 = await runPy('if 1:\nprint(1)\n', 'ind.py');
    expect(r2.err).toContain('IndentationError');
    const r3 = await runPy('if 1:\n    x = 1\n  y = 2\n', 'ded.py');
    expect(r3.err).toMatch(/IndentationError: unindent does not match/);
    const r4 = await runPy('return 5\n');
    expect(r4.err).toContain("SyntaxError: 'return' outside function");
  });

  it('prints tracebacks innermost last with file, line and function', async () => {
    const r = await runPy('def f(x):\n    return 1 // x\n\ndef g():\n    f(0)\n\ng()\n', 'tb.py');
    expect(r.status).toBe(1);
    expect(r.err).toBe(
      'Traceback (most recent call last):\n' +
        '  File "tb.py", line 7, in <module>\n' +
        '  File "tb.py", line 5, in g\n' +
        '  File "tb.py", line 2, in f\n' +
        'ZeroDivisionError: integer division by zero\n',
    );
  });

  it('evaluates chained comparisons once per operand and short-circuits', async () => {
    const r = await runPy(
      'calls = []\ndef v(x):\n    calls.append(x)\n    return x\nprint(v(1) < v(2) < v(0) < v(9), calls)\nprint(0 and 1/0, 1 or 1/0)\n',
    );
    expect(r.out).toBe('False [1, 2, 0]\n0 1\n');
  });

  it('evaluates only the chosen branch of a conditional expression', async () => {
    const r = await runPy('x = []\nprint(x[0] if x else "empty", (lambda: 1 if x else 2)())\n');
    expect(r.out).toBe('empty 2\n');
  });

  it('sys.exit sets the exit status without a traceback', async () => {
    const r = await runPy('import sys\nprint("bye")\nsys.exit(3)\n');
    expect(r).toEqual({ status: 3, out: 'bye\n', err: '' });
  });
});

describe('class statements', () => {
  it('leave the operand stack balanced (locals next to class statements keep their values)', async () => {
    const r = await runPy(
      'def f():\n    a = 41\n    class X:\n        pass\n    class Y(X):\n        pass\n    b = [Y(), X()]\n    return a + 1, type(b[0]).__name__\nprint(f())\n',
    );
    expect(r.err).toBe('');
    expect(r.out).toBe("(42, 'Y')\n");
  });
});

describe('recursion', () => {
  it('allows a few hundred nested calls and turns runaway recursion into RecursionError', async () => {
    const r = await runPy(
      'def r(n):\n    return 0 if n == 0 else 1 + r(n - 1)\nprint(r(450))\ntry:\n    r(100000)\nexcept RecursionError as e:\n    print("caught", e)\n' +
        'class A:\n    def __repr__(self):\n        return repr(self)\ntry:\n    repr(A())\nexcept RecursionError:\n    print("repr too")\n',
    );
    expect(r.err).toBe('');
    expect(r.out).toBe('450\ncaught maximum recursion depth exceeded\nrepr too\n');
  });
});

describe('garbage collector', () => {
  it('reclaims garbage far beyond the heap size and reports the truth', async () => {
    const r = await runPy(
      'import gc\nfor i in range(3000):\n    x = [i] * 100\ngc.collect()\na = gc.mem_alloc()\nf = gc.mem_free()\nprint(a > 0, f > 0, a + f)\n',
      '<gc>',
      { heapBytes: 64 * 1024 },
    );
    expect(r.err).toBe('');
    expect(r.out).toBe('True True 65536\n');
  });

  it('raises MemoryError when live data exceeds the heap', async () => {
    const r = await runPy('keep = []\nwhile True:\n    keep.append([0] * 1000)\n', '<oom>', { heapBytes: 64 * 1024 });
    expect(r.status).toBe(1);
    expect(r.err).toContain('MemoryError');
  });
});

describe('REPL', () => {
  it('prints the banner, echoes values of expressions, continues blocks with ... and ends on Ctrl-D', async () => {
    const r = await runRepl('1 + 1\nx = 5\nx\nfor i in range(2):\n    print(i)\n\nNone\n\x04');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^MicroPython-compatible emboard VM .*\nUse Ctrl-D to exit.\n>>> /);
    expect(r.out.slice(r.out.indexOf('>>> '))).toBe('>>> 2\n>>> >>> 5\n>>> ... ... 0\n1\n>>> >>> \n');
  });

  it('reports an exception and keeps going', async () => {
    const r = await runRepl('1/0\nprint("after")\n');
    expect(r.status).toBeUndefined();
    expect(r.out).toContain(
      'Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\nZeroDivisionError: division by zero\n>>> after\n>>> ',
    );
  });

  it('raw REPL (Ctrl-A): OK, output, \\x04, error text, \\x04, > — as mpremote expects', async () => {
    const r = await runRepl('\x01print(1 + 1)\x04x = 1/0\x04\x05\x02');
    const raw = r.out.slice(r.out.indexOf('raw REPL'));
    expect(raw.startsWith('raw REPL; CTRL-B to exit\n>OK2\n\x04\x04>OK\x04Traceback (most recent call last):\n')).toBe(true);
    expect(raw).toContain('ZeroDivisionError: division by zero\n\x04>R\x00\nMicroPython-compatible');
    expect(raw.endsWith('>>> ')).toBe(true);
  });

  it('paste mode (Ctrl-E) collects lines until Ctrl-D and runs them as a file', async () => {
    const r = await runRepl('\x05if 1:\n    print("pasted")\n5\n\x04');
    expect(r.out.slice(r.out.indexOf('\npaste mode'))).toBe(
      '\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\n=== \n=== \n=== \n=== \npasted\n>>> ',
    );
  });
});
