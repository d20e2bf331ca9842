/**
 * `--serial LABEL=BACKEND` (repeatable). Backends: stdio, pty, pty:PATH (symlink), tcp:[HOST:]PORT[,wait],
 * file:PATH, none. A bare BACKEND (no `LABEL=`) applies to the board's console UART.
 */
import { UserError } from '../core/errors.js';

export type BackendSpec =
  | { kind: 'stdio' }
  | { kind: 'none' }
  | { kind: 'pty'; link?: string }
  | { kind: 'file'; path: string }
  | { kind: 'tcp'; host: string; port: number; wait: boolean };

export interface SerialSpec {
  /** UART label, or null for the board's console. */
  label: string | null;
  backend: BackendSpec;
}

export function parseBackend(text: string, flag = '--serial'): BackendSpec {
  const bad = (why: string) => new UserError(`${flag} ${text}: ${why}`);
  if (text === 'stdio' || text === 'none' || text === 'pty') return { kind: text };
  if (text.startsWith('pty:')) {
    const link = text.slice(4);
    if (!link) throw bad('pty: needs a path for the symlink (or use plain pty)');
    return { kind: 'pty', link };
  }
  if (text.startsWith('file:')) {
    const path = text.slice(5);
    if (!path) throw bad('file: needs a path');
    return { kind: 'file', path };
  }
  if (text.startsWith('tcp:')) {
    const [addr = '', ...opts] = text.slice(4).split(',');
    let wait = false;
    for (const o of opts) {
      if (o === 'wait') wait = true;
      else if (o === 'nowait') wait = false;
      else throw bad(`unknown tcp option '${o}' (known: wait, nowait)`);
    }
    const i = addr.lastIndexOf(':');
    const host = i >= 0 ? addr.slice(0, i).replace(/^\[(.*)\]$/, '$1') || '127.0.0.1' : '127.0.0.1';
    const portText = i >= 0 ? addr.slice(i + 1) : addr;
    const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 0 && port <= 65535)) throw bad(`'${portText}' is not a TCP port (0-65535; 0 picks a free one)`);
    return { kind: 'tcp', host, port, wait };
  }
  throw bad('unknown backend (known: stdio, pty, pty:PATH, tcp:[HOST:]PORT[,wait], file:PATH, none)');
}

export function parseSerialSpec(text: string): SerialSpec {
  const m = /^([A-Za-z][\w-]*)=(.*)$/.exec(text);
  if (m) return { label: m[1]!, backend: parseBackend(m[2]!) };
  if (text.includes('=')) throw new UserError(`--serial ${text}: expected LABEL=BACKEND (e.g. uart0=pty)`);
  return { label: null, backend: parseBackend(text) };
}

/**
 * Resolves labels against the board's UARTs. Default: the console on stdio. A label given twice, an unknown
 * label, or stdio used by two UARTs is an error.
 */
export function resolveSerialSpecs(specs: readonly SerialSpec[], consoleLabel: string, known: readonly string[]): Map<string, BackendSpec> {
  const out = new Map<string, BackendSpec>();
  for (const s of specs) {
    const label = s.label ?? consoleLabel;
    if (known.length && !known.includes(label)) throw new UserError(`--serial ${label}=…: no UART '${label}' on this board (known: ${known.join(', ')})`);
    if (out.has(label)) throw new UserError(`--serial: ${label} given twice`);
    out.set(label, s.backend);
  }
  if (!out.has(consoleLabel)) out.set(consoleLabel, { kind: 'stdio' });
  const stdio = [...out].filter(([, b]) => b.kind === 'stdio').map(([l]) => l);
  if (stdio.length > 1) throw new UserError(`--serial: only one UART can use stdio (${stdio.join(', ')})`);
  return out;
}
