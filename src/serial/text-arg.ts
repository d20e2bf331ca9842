/**
 * Text given on the command line for `--input/--send/--expect/--until`: C-style escapes so control bytes fit
 * in a shell argument (`\r`, `\n`, `\t`, `\e`, `\0`, `\\`, `\xHH`); `--input @file` reads bytes from a file.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.js';

export function unescapeArg(text: string, flag: string): Uint8Array {
  const out: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      // Code points beyond ASCII go out as UTF-8.
      const cp = text.codePointAt(i)!;
      const s = String.fromCodePoint(cp);
      out.push(...enc.encode(s));
      i += s.length - 1;
      continue;
    }
    const n = text[++i];
    const simple: Record<string, number> = { r: 13, n: 10, t: 9, e: 27, '0': 0, '\\': 92, a: 7, b: 8 };
    if (n !== undefined && n in simple) out.push(simple[n]!);
    else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else throw new UserError(`${flag} ${JSON.stringify(text)}: bad escape at offset ${i - 1} (known: \\r \\n \\t \\e \\0 \\\\ \\xHH)`);
  }
  return Uint8Array.from(out);
}

/** `--input TEXT` or `--input @file` (bytes as they are). */
export function inputArg(text: string): Uint8Array {
  if (text.startsWith('@')) {
    const path = text.slice(1);
    try {
      return new Uint8Array(readFileSync(path));
    } catch (e) {
      throw new UserError(`--input ${text}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  }
  return unescapeArg(text, '--input');
}
