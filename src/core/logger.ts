/**
 * Logging: one pino logger per process, children per machine/device. Library code logs here and never prints.
 * Output goes to stderr so the guest's console (stdout) stays clean: as JSON lines (`format: 'json'`,
 * for tools) or as plain text lines (`format: 'text'`, the default: `WARN  uart0: message`).
 */
import { pino, type Logger } from 'pino';

export type { Logger };
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
export type LogFormat = 'text' | 'json';

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** A pino destination that turns each JSON record into one readable line. */
export function textDestination(write: (line: string) => void): { write(chunk: string): void } {
  return {
    write(chunk: string) {
      for (const rec of chunk.split('\n')) {
        if (!rec) continue;
        let line = rec;
        try {
          const o = JSON.parse(rec) as Record<string, unknown>;
          const { level, msg, ...rest } = o;
          if (typeof rest.trace === 'string') {
            // Trace records (--trace) read best as the bare line, like QEMU's -d output.
            write(`${String(msg ?? '')}\n`);
            continue;
          }
          const ctx = Object.entries(rest)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          line = `${(LEVEL_NAMES[level as number] ?? String(level)).padEnd(5)} ${ctx ? ctx + ': ' : ''}${String(msg ?? '')}`;
        } catch {
          // not JSON: pass through
        }
        write(line + '\n');
      }
    },
  };
}

export function createLogger(level: LogLevel = 'warn', format: LogFormat = 'text', write?: (line: string) => void): Logger {
  const opts = { level, base: undefined, timestamp: false };
  if (format === 'json') return pino(opts, write ? { write } : pino.destination({ fd: 2, sync: true }));
  const sink = write ?? ((line: string) => void process.stderr.write(line));
  return pino(opts, textDestination(sink));
}

/** A logger that discards everything: the default for machines built by tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
