/**
 * Test helpers for usb-serve: a protocol client written from docs/usb-serve.md (what the C shim does, in
 * TypeScript), and a runner for the real dfu-util under the shim with a hang guard.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { encodeRequest, FrameReader } from '../../src/usb/serve/protocol.js';

export const SHIM_DIR = join(import.meta.dirname, '../../tools/libusb-shim');
export const SHIM_SO = join(SHIM_DIR, 'libusb-shim.so');

export function hasTool(name: string): boolean {
  return ['/usr/bin', '/bin', '/usr/local/bin'].some((d) => existsSync(join(d, name)));
}

export class ServeClient {
  private readonly reader = new FrameReader(4);
  private readonly waiting: ((f: Uint8Array) => void)[] = [];
  private closedFlag = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      for (const f of this.reader.push(c)) this.waiting.shift()?.(f);
    });
    socket.on('close', () => (this.closedFlag = true));
  }

  static connect(path: string): Promise<ServeClient> {
    return new Promise((resolve, reject) => {
      const s = createConnection(path);
      s.once('connect', () => resolve(new ServeClient(s)));
      s.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Sends raw bytes (for malformed-frame tests). */
  writeRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  call(op: number, payload: number[] | Uint8Array = []): Promise<{ result: number; payload: Uint8Array }> {
    return new Promise((resolve) => {
      this.waiting.push((f) => resolve({ result: new DataView(f.buffer, f.byteOffset).getInt32(0, true), payload: f.subarray(4) }));
      this.socket.write(encodeRequest(op, Uint8Array.from(payload)));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closedFlag) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }
}

export const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
export const u16 = (n: number) => [n & 0xff, (n >>> 8) & 0xff];

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs dfu-util with the shim preloaded, asynchronously (the server may live in this very process) and
 * kills it after `timeoutMs` — a device answering GETSTATUS in the wrong order makes dfu-util poll forever.
 */
export function runUnderShim(tool: string, args: string[], socketPath: string, cwd: string, timeoutMs = 15000): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = spawn(tool, args, {
      cwd,
      env: { ...process.env, LD_PRELOAD: SHIM_SO, EMBOARD_USB: socketPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
