/** Unit tests: --serial parsing, screen-style escape keys, argument escapes, stream matching. */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { EscapeDecoder, type EscapeCommand } from '../../src/serial/escape-keys.js';
import { StreamMatcher, TailBuffer } from '../../src/serial/matcher.js';
import { parseSerialSpec, resolveSerialSpecs } from '../../src/serial/spec.js';
import { unescapeArg } from '../../src/serial/text-arg.js';

describe('--serial LABEL=BACKEND', () => {
  it('parses every backend', () => {
    expect(parseSerialSpec('uart1=pty')).toEqual({ label: 'uart1', backend: { kind: 'pty' } });
    expect(parseSerialSpec('pty:/tmp/ttyACM0')).toEqual({ label: null, backend: { kind: 'pty', link: '/tmp/ttyACM0' } });
    expect(parseSerialSpec('usart2=tcp:4444')).toEqual({ label: 'usart2', backend: { kind: 'tcp', host: '127.0.0.1', port: 4444, wait: false } });
    expect(parseSerialSpec('tcp:0.0.0.0:4444,wait').backend).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 4444, wait: true });
    expect(parseSerialSpec('tcp::5555').backend).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 5555, wait: false });
    expect(parseSerialSpec('uart0=file:/tmp/x.log').backend).toEqual({ kind: 'file', path: '/tmp/x.log' });
    expect(parseSerialSpec('uart2=none').backend).toEqual({ kind: 'none' });
    expect(parseSerialSpec('stdio').backend).toEqual({ kind: 'stdio' });
  });

  it('rejects bad specs with one-line messages naming the flag', () => {
    const msg = (t: string) => {
      try {
        parseSerialSpec(t);
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(msg('uart0=serial')).toBe('--serial serial: unknown backend (known: stdio, pty, pty:PATH, tcp:[HOST:]PORT[,wait], file:PATH, none)');
    expect(msg('tcp:99999')).toBe("--serial tcp:99999: '99999' is not a TCP port (0-65535; 0 picks a free one)");
    expect(msg('tcp:4444,later')).toBe("--serial tcp:4444,later: unknown tcp option 'later' (known: wait, nowait)");
    expect(msg('=pty')).toBe('--serial =pty: expected LABEL=BACKEND (e.g. uart0=pty)');
    expect(msg('file:')).toBe('--serial file:: file: needs a path');
  });

  it('defaults the console to stdio and checks labels', () => {
    const known = ['uart0', 'uart1'];
    expect([...resolveSerialSpecs([], 'uart0', known)]).toEqual([['uart0', { kind: 'stdio' }]]);
    expect([...resolveSerialSpecs([parseSerialSpec('uart1=pty')], 'uart0', known)]).toEqual([
      ['uart1', { kind: 'pty' }],
      ['uart0', { kind: 'stdio' }],
    ]);
    expect(() => resolveSerialSpecs([parseSerialSpec('uart7=pty')], 'uart0', known)).toThrow("no UART 'uart7' on this board (known: uart0, uart1)");
    expect(() => resolveSerialSpecs([parseSerialSpec('pty'), parseSerialSpec('uart0=none')], 'uart0', known)).toThrow('uart0 given twice');
    expect(() => resolveSerialSpecs([parseSerialSpec('uart1=stdio')], 'uart0', known)).toThrow('only one UART can use stdio');
  });
});

describe('escape keys (Ctrl-A)', () => {
  function run(chunks: number[][]) {
    const data: number[] = [];
    const cmds: EscapeCommand[] = [];
    const d = new EscapeDecoder((b) => data.push(...b), (c) => cmds.push(c));
    for (const c of chunks) d.feed(Uint8Array.from(c));
    return { data, cmds };
  }
  it('passes ordinary bytes, MicroPython control bytes other than Ctrl-A included', () => {
    expect(run([[0x68, 0x69, 0x02, 0x03, 0x04, 0x05, 0x0d]])).toEqual({ data: [0x68, 0x69, 2, 3, 4, 5, 13], cmds: [] });
  });
  it('Ctrl-A a sends a literal Ctrl-A, also split across chunks', () => {
    expect(run([[0x31, 0x01], [0x61, 0x32]])).toEqual({ data: [0x31, 0x01, 0x32], cmds: [] });
  });
  it('Ctrl-A k and Ctrl-A \\ quit, r resets, ? helps, unknown keys are dropped', () => {
    expect(run([[0x01, 0x6b]]).cmds).toEqual(['quit']);
    expect(run([[0x01, 0x5c]]).cmds).toEqual(['quit']);
    expect(run([[0x41, 0x01, 0x72, 0x42, 0x01, 0x3f, 0x01, 0x7a, 0x43]])).toEqual({ data: [0x41, 0x42, 0x43], cmds: ['reset', 'help'] });
  });
});

describe('command-line text', () => {
  it('understands C escapes and rejects unknown ones with the offset', () => {
    expect([...unescapeArg('print(1+1)\\r', '--send')]).toEqual([...Buffer.from('print(1+1)\r')]);
    expect([...unescapeArg('\\x01\\x04\\n\\\\', '--send')]).toEqual([1, 4, 10, 92]);
    expect([...unescapeArg('é', '--send')]).toEqual([0xc3, 0xa9]);
    expect(() => unescapeArg('ab\\q', '--expect')).toThrow('--expect "ab\\\\q": bad escape at offset 2');
  });
});

describe('stream matching', () => {
  it('finds a pattern across arbitrary positions, not before it is complete', () => {
    const m = new StreamMatcher(Buffer.from('>>> '));
    const hits = [...Buffer.from('>> >>> x>>> ')].map((b) => m.feed(b));
    expect(hits.map((h, i) => (h ? i : -1)).filter((i) => i >= 0)).toEqual([6, 11]);
  });
  it('keeps the last lines for reports', () => {
    const t = new TailBuffer(64);
    for (const b of Buffer.from('one\r\ntwo\nthree\x07\n')) t.push(b);
    expect(t.lines(2)).toBe('two\nthree\\x07');
  });
});
