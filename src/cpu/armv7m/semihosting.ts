/**
 * ARM semihosting (the "Semihosting for AArch32 and AArch64" specification, v2): BKPT 0xAB with the
 * operation in r0 and the parameter (usually a pointer to a parameter block) in r1; the result goes to r0.
 *
 * Sandboxing: console I/O goes to injected sinks (never process.stdout); time is virtual (cycles), never
 * the wall clock; file operations are refused unless a `root` directory is given, and then every path is
 * resolved inside it (".." and absolute paths escaping it, and symlinks pointing out of it, are refused).
 * SYS_SYSTEM and SYS_TMPNAM are always refused.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { constants as osConstants } from 'node:os';
import { BusError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { CortexM4, SemihostingHandler } from './cpu.js';

export const SYS = {
  OPEN: 0x01,
  CLOSE: 0x02,
  WRITEC: 0x03,
  WRITE0: 0x04,
  WRITE: 0x05,
  READ: 0x06,
  READC: 0x07,
  ISERROR: 0x08,
  ISTTY: 0x09,
  SEEK: 0x0a,
  FLEN: 0x0c,
  TMPNAM: 0x0d,
  REMOVE: 0x0e,
  RENAME: 0x0f,
  CLOCK: 0x10,
  TIME: 0x11,
  SYSTEM: 0x12,
  ERRNO: 0x13,
  GET_CMDLINE: 0x15,
  HEAPINFO: 0x16,
  EXIT: 0x18,
  EXIT_EXTENDED: 0x20,
  ELAPSED: 0x30,
  TICKFREQ: 0x31,
} as const;

/** ADP_Stopped_ApplicationExit: the normal-termination reason code of SYS_EXIT. */
export const ADP_Stopped_ApplicationExit = 0x20026;

const EPERM = 1;
const EBADF = 9;
const EFAULT = 14;
const EINVAL = 22;
const ENOSYS = 38;

/** fopen modes 0..11 of SYS_OPEN ("r","rb","r+","r+b","w","wb","w+","w+b","a","ab","a+","a+b"). */
const OPEN_FLAGS = ['r', 'r', 'r+', 'r+', 'w', 'w', 'w+', 'w+', 'a', 'a', 'a+', 'a+'] as const;

/** Contents of the ":semihosting-features" pseudo-file: magic "SHFB", then EXIT_EXTENDED | STDOUT_STDERR. */
const FEATURES = Uint8Array.from([0x53, 0x48, 0x46, 0x42, 0x03]);

export interface SemihostingOptions {
  /** Core clock: SYS_CLOCK/SYS_TIME/SYS_TICKFREQ are derived from the CPU's cycle count. */
  cpuHz: number;
  /** Console output (1 = stdout, 2 = stderr). */
  write(stream: 1 | 2, bytes: Uint8Array): void;
  /** Console input: up to `max` bytes; null or empty means end of input. */
  read?(max: number): Uint8Array | null;
  /** Host directory the guest's file operations are confined to; without it they are refused. */
  root?: string;
  /** SYS_GET_CMDLINE result. */
  cmdline?: string;
  /** SYS_TIME at virtual time 0, in seconds since 1970 (default 0). */
  epoch?: number;
  /** SYS_HEAPINFO values (default all zero: "use your linker symbols"). */
  heapInfo?: { heapBase: number; heapLimit: number; stackBase: number; stackLimit: number };
  log?: Logger;
}

type Handle =
  | { kind: 'console'; stream: 0 | 1 | 2 }
  | { kind: 'file'; fd: number; pos: number; append: boolean }
  | { kind: 'memory'; data: Uint8Array; pos: number };

export class Semihosting implements SemihostingHandler {
  private readonly handles = new Map<number, Handle>();
  private nextHandle = 1;
  private errno = 0;
  private readonly rootReal: string | null;

  constructor(private readonly opts: SemihostingOptions) {
    this.rootReal = opts.root !== undefined ? fs.realpathSync(path.resolve(opts.root)) : null;
  }

  /** Closes every host file (machine teardown / reset). */
  closeAll(): void {
    for (const h of this.handles.values()) if (h.kind === 'file') fs.closeSync(h.fd);
    this.handles.clear();
    this.nextHandle = 1;
  }

  call(cpu: CortexM4): void {
    const op = cpu.r[0]! >>> 0;
    const arg = cpu.r[1]! >>> 0;
    let ret: number | null;
    try {
      ret = this.dispatch(cpu, op, arg);
    } catch (e) {
      if (!(e instanceof BusError)) throw e;
      this.errno = EFAULT;
      ret = -1;
    }
    if (ret !== null) cpu.r[0] = ret | 0;
  }

  private dispatch(cpu: CortexM4, op: number, arg: number): number | null {
    const bus = cpu.bus;
    const param = (i: number): number => bus.read32(arg + 4 * i) >>> 0;
    switch (op) {
      case SYS.OPEN: return this.open(this.readString(cpu, param(0), param(2)), param(1));
      case SYS.CLOSE: return this.close(param(0));
      case SYS.WRITEC:
        this.opts.write(1, Uint8Array.of(bus.read8(arg)));
        return null;
      case SYS.WRITE0: {
        const bytes: number[] = [];
        for (let a = arg; bytes.length < 1 << 20; a++) {
          const b = bus.read8(a);
          if (b === 0) break;
          bytes.push(b);
        }
        this.opts.write(1, Uint8Array.from(bytes));
        return null;
      }
      case SYS.WRITE: {
        const len = param(2);
        return len - this.writeHandle(param(0), bus.readBytes(param(1), len));
      }
      case SYS.READ: {
        const len = param(2);
        const data = this.readHandle(param(0), len);
        if (data === null) return -1;
        const buf = param(1);
        for (let i = 0; i < data.length; i++) bus.write8(buf + i, data[i]!);
        return len - data.length;
      }
      case SYS.READC: {
        const d = this.opts.read?.(1) ?? null;
        return d !== null && d.length > 0 ? d[0]! : -1;
      }
      case SYS.ISERROR: return (param(0) | 0) < 0 ? 1 : 0;
      case SYS.ISTTY: {
        const h = this.handles.get(param(0));
        if (h === undefined) return this.fail(EBADF);
        return h.kind === 'console' ? 1 : 0;
      }
      case SYS.SEEK: {
        const h = this.handles.get(param(0));
        if (h === undefined || h.kind === 'console') return this.fail(EBADF);
        h.pos = param(1);
        return 0;
      }
      case SYS.FLEN: {
        const h = this.handles.get(param(0));
        if (h === undefined || h.kind === 'console') return this.fail(EBADF);
        return h.kind === 'memory' ? h.data.length : this.host(() => fs.fstatSync(h.fd).size);
      }
      case SYS.TMPNAM:
      case SYS.SYSTEM:
        return this.fail(EPERM);
      case SYS.REMOVE: {
        const p = this.resolve(this.readString(cpu, param(0), param(1)));
        if (p === null) return EPERM;
        return this.host(() => (fs.unlinkSync(p), 0), true);
      }
      case SYS.RENAME: {
        const from = this.resolve(this.readString(cpu, param(0), param(1)));
        const to = this.resolve(this.readString(cpu, param(2), param(3)));
        if (from === null || to === null) return EPERM;
        return this.host(() => (fs.renameSync(from, to), 0), true);
      }
      case SYS.CLOCK: return Math.floor((cpu.cycles * 100) / this.opts.cpuHz);
      case SYS.TIME: return (this.opts.epoch ?? 0) + Math.floor(cpu.cycles / this.opts.cpuHz);
      case SYS.ERRNO: return this.errno;
      case SYS.GET_CMDLINE: {
        const cmd = new TextEncoder().encode(this.opts.cmdline ?? '');
        const buf = param(0);
        if (cmd.length + 1 > param(1)) return -1;
        for (let i = 0; i < cmd.length; i++) bus.write8(buf + i, cmd[i]!);
        bus.write8(buf + cmd.length, 0);
        bus.write32(arg + 4, cmd.length);
        return 0;
      }
      case SYS.HEAPINFO: {
        const block = param(0);
        const hi = this.opts.heapInfo;
        bus.write32(block, hi?.heapBase ?? 0);
        bus.write32(block + 4, hi?.heapLimit ?? 0);
        bus.write32(block + 8, hi?.stackBase ?? 0);
        bus.write32(block + 12, hi?.stackLimit ?? 0);
        return null;
      }
      case SYS.EXIT: {
        // AArch32: r1 is the reason code itself. Some libraries pass a pointer to {reason, subcode}
        // (the AArch64 form) instead: anything outside the ADP reason range is read as such a block.
        let code: number;
        if (arg >= 0x20000 && arg <= 0x20031) code = arg === ADP_Stopped_ApplicationExit ? 0 : 1;
        else code = param(0) === ADP_Stopped_ApplicationExit ? param(1) | 0 : 1;
        cpu.requestStop('exit', code);
        return null;
      }
      case SYS.EXIT_EXTENDED: {
        cpu.requestStop('exit', param(0) === ADP_Stopped_ApplicationExit ? param(1) | 0 : 1);
        return null;
      }
      case SYS.ELAPSED: {
        const c = Math.floor(cpu.cycles);
        bus.write32(arg, c % 0x1_0000_0000);
        bus.write32(arg + 4, Math.floor(c / 0x1_0000_0000));
        return 0;
      }
      case SYS.TICKFREQ: return this.opts.cpuHz;
      default:
        this.opts.log?.warn({ op }, 'unsupported semihosting operation');
        return this.fail(ENOSYS);
    }
  }

  private fail(errno: number): number {
    this.errno = errno;
    return -1;
  }

  /** Runs a host file operation; host errors become -1 (or the errno itself when `errnoResult`). */
  private host(fn: () => number, errnoResult = false): number {
    try {
      return fn();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const n = (code !== undefined ? (osConstants.errno as Record<string, number>)[code] : undefined) ?? EINVAL;
      this.errno = n;
      return errnoResult ? n : -1;
    }
  }

  private readString(cpu: CortexM4, addr: number, len: number): string {
    return new TextDecoder().decode(cpu.bus.readBytes(addr, Math.min(len, 4096)));
  }

  private alloc(h: Handle): number {
    const n = this.nextHandle++;
    this.handles.set(n, h);
    return n;
  }

  private open(name: string, mode: number): number {
    if (mode > 11) return this.fail(EINVAL);
    if (name === ':tt') return this.alloc({ kind: 'console', stream: mode < 4 ? 0 : mode < 8 ? 1 : 2 });
    if (name === ':semihosting-features') {
      if (mode >= 4) return this.fail(EPERM);
      return this.alloc({ kind: 'memory', data: FEATURES, pos: 0 });
    }
    const p = this.resolve(name);
    if (p === null) return this.fail(EPERM);
    const flags = OPEN_FLAGS[mode]!;
    const fd = this.host(() => fs.openSync(p, flags));
    if (fd < 0) return -1;
    return this.alloc({ kind: 'file', fd, pos: 0, append: flags.startsWith('a') });
  }

  private close(handle: number): number {
    const h = this.handles.get(handle);
    if (h === undefined) return this.fail(EBADF);
    this.handles.delete(handle);
    if (h.kind === 'file') return this.host(() => (fs.closeSync(h.fd), 0));
    return 0;
  }

  /** Writes to a handle; returns the number of bytes written. */
  private writeHandle(handle: number, data: Uint8Array): number {
    const h = this.handles.get(handle);
    if (h === undefined) {
      this.errno = EBADF;
      return 0;
    }
    if (h.kind === 'console') {
      if (h.stream === 0) {
        this.errno = EBADF;
        return 0;
      }
      this.opts.write(h.stream, data);
      return data.length;
    }
    if (h.kind === 'memory') {
      this.errno = EBADF;
      return 0;
    }
    const n = this.host(() => fs.writeSync(h.fd, data, 0, data.length, h.append ? null : h.pos));
    if (n < 0) return 0;
    h.pos += n;
    return n;
  }

  /** Reads up to `len` bytes from a handle (fewer at end of file); null on error. */
  private readHandle(handle: number, len: number): Uint8Array | null {
    const h = this.handles.get(handle);
    if (h === undefined) {
      this.errno = EBADF;
      return null;
    }
    if (h.kind === 'console') {
      if (h.stream !== 0) {
        this.errno = EBADF;
        return null;
      }
      const d = this.opts.read?.(len) ?? null;
      return d === null ? new Uint8Array(0) : d.subarray(0, len);
    }
    if (h.kind === 'memory') {
      const d = h.data.subarray(h.pos, Math.min(h.data.length, h.pos + len));
      h.pos += d.length;
      return d;
    }
    const buf = new Uint8Array(Math.min(len, 1 << 24));
    const n = this.host(() => fs.readSync(h.fd, buf, 0, buf.length, h.pos));
    if (n < 0) return null;
    h.pos += n;
    return buf.subarray(0, n);
  }

  /**
   * Maps a guest path to a host path inside the root, or null when there is no root or the path
   * escapes it — lexically (".." / absolute paths) or through a symlink anywhere along the way.
   */
  resolve(name: string): string | null {
    const root = this.rootReal;
    if (root === null || name.length === 0 || name.includes('\0')) return null;
    const p = path.resolve(root, name);
    if (!within(root, p)) return null;
    // The deepest existing ancestor, with symlinks resolved, must still be inside the root; components
    // below it must not exist at all (a dangling symlink would be followed by open/rename).
    let existing = p;
    const rest: string[] = [];
    for (;;) {
      let real: string | null = null;
      try {
        real = fs.realpathSync(existing);
      } catch {
        real = null;
      }
      if (real !== null) {
        if (!within(root, real)) return null;
        return rest.length ? path.join(real, ...rest.reverse()) : real;
      }
      try {
        fs.lstatSync(existing);
        return null; // exists but cannot be resolved: a dangling or looping symlink
      } catch {
        // does not exist: try its parent
      }
      const parent = path.dirname(existing);
      if (parent === existing) return null;
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

function within(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}
