/**
 * The few libc calls Node lacks for pseudo-terminals and serial lines, through koffi (prebuilt binaries,
 * no compiler at install time): posix_openpt/grantpt/unlockpt/ptsname_r for a PTY master, and
 * tcgetattr/cfmakeraw/tcsetattr for the master's raw mode (serial devices go through the
 * serialport package instead, see console-client.ts). Linux and macOS (libc names differ only in the
 * library file). Loaded lazily so that commands not using a PTY never touch it.
 */
import { createRequire } from 'node:module';
import type Koffi from 'koffi';
import { UserError } from '../core/errors.js';

const O_RDWR = 2;
const O_NOCTTY = process.platform === 'darwin' ? 0x20000 : 0o400;
const TCSANOW = 0;
/** glibc's struct termios is 60 bytes, macOS's 72; a larger buffer is harmless. */
const TERMIOS_BYTES = 128;

interface Libc {
  posix_openpt(flags: number): number;
  grantpt(fd: number): number;
  unlockpt(fd: number): number;
  ptsname_r(fd: number, buf: Buffer, len: number): number;
  tcgetattr(fd: number, t: Buffer): number;
  tcsetattr(fd: number, when: number, t: Buffer): number;
  cfmakeraw(t: Buffer): void;
  ioctl(fd: number, req: number, argType: string, arg: Buffer): number;
}

let libc: Libc | null = null;

function load(): Libc {
  if (libc) return libc;
  let koffi: typeof Koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as typeof Koffi;
  } catch (e) {
    throw new UserError(`pseudo-terminals need the koffi package, which failed to load (${(e as Error).message.split('\n')[0]})`);
  }
  const lib = koffi.load(process.platform === 'darwin' ? 'libSystem.B.dylib' : 'libc.so.6');
  libc = {
    posix_openpt: lib.func('int posix_openpt(int)') as Libc['posix_openpt'],
    grantpt: lib.func('int grantpt(int)') as Libc['grantpt'],
    unlockpt: lib.func('int unlockpt(int)') as Libc['unlockpt'],
    ptsname_r: lib.func('int ptsname_r(int, _Out_ uint8_t *buf, size_t len)') as Libc['ptsname_r'],
    tcgetattr: lib.func('int tcgetattr(int, _Out_ uint8_t *t)') as Libc['tcgetattr'],
    tcsetattr: lib.func('int tcsetattr(int, int, const uint8_t *t)') as Libc['tcsetattr'],
    cfmakeraw: lib.func('void cfmakeraw(_Inout_ uint8_t *t)') as Libc['cfmakeraw'],
    ioctl: lib.func('int ioctl(int fd, unsigned long req, ...)') as Libc['ioctl'],
  };
  return libc;
}

/** Opens a PTY master in raw mode; returns its fd and the slave's path (/dev/pts/N). */
export function openPtyMaster(): { fd: number; slave: string } {
  const c = load();
  const fd = c.posix_openpt(O_RDWR | O_NOCTTY);
  if (fd < 0) throw new UserError('cannot open a pseudo-terminal (posix_openpt failed)');
  if (c.grantpt(fd) !== 0 || c.unlockpt(fd) !== 0) throw new UserError('cannot set up a pseudo-terminal (grantpt/unlockpt failed)');
  const buf = Buffer.alloc(256);
  if (c.ptsname_r(fd, buf, buf.length) !== 0) throw new UserError('cannot name the pseudo-terminal (ptsname_r failed)');
  const slave = buf.subarray(0, buf.indexOf(0)).toString();
  // Raw line discipline from the start: no echo of guest output back into the guest, no CR/LF mapping,
  // before any client (picocom, screen) sets its own mode.
  setRaw(fd);
  return { fd, slave };
}

/** cfmakeraw: 8N1, no echo, no CR/LF translation, no signals. */
export function setRaw(fd: number): void {
  const c = load();
  const t = Buffer.alloc(TERMIOS_BYTES);
  if (c.tcgetattr(fd, t) !== 0) throw new UserError('not a terminal (tcgetattr failed)');
  c.cfmakeraw(t);
  if (c.tcsetattr(fd, TCSANOW, t) !== 0) throw new UserError('cannot set raw mode (tcsetattr failed)');
}

/** FIONREAD (bytes waiting to be read on a terminal fd), or 0 when the platform does not say. */
export function bytesWaiting(fd: number): number {
  const req = process.platform === 'darwin' ? 0x4004667f : 0x541b;
  const out = Buffer.alloc(4);
  return load().ioctl(fd, req, 'int *', out) === 0 ? out.readInt32LE(0) : 0;
}
