/**
 * Logging: one pino logger per process, children per machine/device. Library code logs here and never prints.
 * Output goes to stderr so the guest's console (stdout) stays clean.
 */
import { pino, type Logger } from 'pino';

export type { Logger };
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function createLogger(level: LogLevel = 'warn'): Logger {
  return pino({ level, base: undefined, timestamp: false }, pino.destination({ fd: 2, sync: true }));
}

/** A logger that discards everything: the default for machines built by tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
