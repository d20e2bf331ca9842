/**
 * Runs firmware in QEMU's `mps2-an386` machine, the reference our model is compared with.
 *
 * Flags: `-nographic` puts serial0 (UART0) on stdout (multiplexed with the monitor, which prints nothing
 * unless Ctrl-A is typed); `-semihosting-config enable=on,target=native` makes BKPT 0xAB semihosting calls
 * act on the host, so SYS_EXIT ends QEMU with the program's status (0 for ADP_Stopped_ApplicationExit,
 * the subcode for SYS_EXIT_EXTENDED). `-monitor none` would also work; `-nographic` is what the docs use.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface QemuResult {
  /** Bytes QEMU wrote to stdout (UART0), as latin1 so every byte maps to one char. */
  stdout: string;
  stderr: string;
  /** Exit status, null when QEMU was killed (timeout). */
  status: number | null;
  timedOut: boolean;
  wallMs: number;
}

let cached: string | null | undefined;

/** Path of qemu-system-arm (QEMU_SYSTEM_ARM overrides), or null when it is not installed. */
export function findQemu(): string | null {
  if (cached !== undefined) return cached;
  const env = process.env['QEMU_SYSTEM_ARM'];
  if (env) return (cached = existsSync(env) ? env : null);
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, 'qemu-system-arm');
    if (existsSync(p)) return (cached = p);
  }
  return (cached = null);
}

export function qemuArgs(elf: string): string[] {
  return ['-M', 'mps2-an386', '-nographic', '-semihosting-config', 'enable=on,target=native', '-kernel', elf];
}

/** Runs `elf` in QEMU until it exits through semihosting or `timeoutMs` of wall time passes. */
export function runQemu(elf: string, timeoutMs = 30_000): QemuResult {
  const qemu = findQemu();
  if (qemu === null) throw new Error('qemu-system-arm not found (install it or set QEMU_SYSTEM_ARM)');
  const t0 = performance.now();
  const r = spawnSync(qemu, qemuArgs(elf), {
    encoding: 'latin1',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const wallMs = performance.now() - t0;
  const timedOut = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
  if (r.error && !timedOut) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, timedOut, wallMs };
}

/**
 * Like `runQemu`, but feeds `input` to UART0's receive side (stdin, which `-nographic` connects to serial0)
 * once the guest has printed `after`. Input written before the guest is ready is lost now and then (QEMU
 * reads stdin before the UART can accept it), so waiting for a prompt keeps the run deterministic.
 */
export function runQemuWithInput(elf: string, input: string, after: string, timeoutMs = 30_000): Promise<QemuResult> {
  const qemu = findQemu();
  if (qemu === null) return Promise.reject(new Error('qemu-system-arm not found (install it or set QEMU_SYSTEM_ARM)'));
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(qemu, qemuArgs(elf), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('latin1');
    child.stderr.setEncoding('latin1');
    child.stdout.on('data', (d: string) => {
      stdout += d;
      if (!sent && stdout.includes(after)) {
        sent = true;
        child.stdin.write(Buffer.from(input, 'latin1'));
      }
    });
    child.stderr.on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => {}); // QEMU may exit before reading everything
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, status: timedOut ? null : status, timedOut, wallMs: performance.now() - t0 });
    });
  });
}
