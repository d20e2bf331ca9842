import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADP_Stopped_ApplicationExit, SYS, Semihosting, type SemihostingOptions } from '../../src/cpu/armv7m/semihosting.js';
import { DATA_BASE, makeCpu, type Harness } from '../helpers/cpu-harness.js';

const BKPT_AB = 0xbeab;
const BLOCK = DATA_BASE;
const BUF = DATA_BASE + 0x100;
const NAME = DATA_BASE + 0x200;

interface Sh extends Harness {
  out: { stream: number; text: string }[];
  sh: Semihosting;
}

function setup(opts: Partial<SemihostingOptions> = {}, input = ''): Sh {
  const h = makeCpu([BKPT_AB, 0xe7fe]);
  const out: { stream: number; text: string }[] = [];
  let inPos = 0;
  const inBytes = new TextEncoder().encode(input);
  const sh = new Semihosting({
    cpuHz: 8_000_000,
    write: (stream, bytes) => out.push({ stream, text: new TextDecoder().decode(bytes) }),
    read: (max) => {
      const d = inBytes.subarray(inPos, inPos + max);
      inPos += d.length;
      return d;
    },
    ...opts,
  });
  h.cpu.semihosting = sh;
  return { ...h, out, sh };
}

/** Executes BKPT 0xAB with r0 = op, r1 = arg; returns r0 as a signed value. */
function call(h: Sh, op: number, arg: number): number {
  h.cpu.pc = 0x100;
  h.cpu.r[0] = op;
  h.cpu.r[1] = arg;
  h.cpu.step();
  return h.cpu.r[0]!;
}

function block(h: Harness, ...words: number[]): number {
  words.forEach((w, i) => h.bus.write32(BLOCK + 4 * i, w));
  return BLOCK;
}

function str(h: Harness, at: number, s: string): number {
  const b = new TextEncoder().encode(s);
  h.bus.load(at, Uint8Array.from([...b, 0]));
  return b.length;
}

describe('semihosting console', () => {
  it('SYS_WRITE0 and SYS_WRITEC write to stdout', () => {
    const h = setup();
    str(h, BUF, 'hello\n');
    call(h, SYS.WRITE0, BUF);
    call(h, SYS.WRITEC, BUF + 1);
    expect(h.out).toEqual([{ stream: 1, text: 'hello\n' }, { stream: 1, text: 'e' }]);
  });

  it('":tt" opens stdin/stdout/stderr by mode; SYS_WRITE returns the bytes not written', () => {
    const h = setup();
    const n = str(h, NAME, ':tt');
    const out = call(h, SYS.OPEN, block(h, NAME, 4, n));
    const err = call(h, SYS.OPEN, block(h, NAME, 8, n));
    const inp = call(h, SYS.OPEN, block(h, NAME, 0, n));
    expect(new Set([out, err, inp]).size).toBe(3);
    str(h, BUF, 'abc');
    expect(call(h, SYS.WRITE, block(h, out, BUF, 3))).toBe(0);
    expect(call(h, SYS.WRITE, block(h, err, BUF, 2))).toBe(0);
    expect(h.out).toEqual([{ stream: 1, text: 'abc' }, { stream: 2, text: 'ab' }]);
    expect(call(h, SYS.ISTTY, block(h, out))).toBe(1);
    expect(call(h, SYS.WRITE, block(h, inp, BUF, 3))).toBe(3); // stdin is not writable
  });

  it('SYS_READ/SYS_READC read the injected console input; short reads report the remainder', () => {
    const h = setup({}, 'xyz');
    const n = str(h, NAME, ':tt');
    const inp = call(h, SYS.OPEN, block(h, NAME, 0, n));
    expect(call(h, SYS.READC, 0)).toBe(0x78);
    expect(call(h, SYS.READ, block(h, inp, BUF, 8))).toBe(6); // 2 of 8 bytes read
    expect([...h.bus.readBytes(BUF, 2)]).toEqual([0x79, 0x7a]);
  });

  it('SYS_ISERROR, SYS_GET_CMDLINE, SYS_HEAPINFO', () => {
    const h = setup({ cmdline: 'prog -v', heapInfo: { heapBase: 0x2000_1000, heapLimit: 0x2000_8000, stackBase: 0x2001_0000, stackLimit: 0x2000_c000 } });
    expect(call(h, SYS.ISERROR, block(h, -5 >>> 0))).toBe(1);
    expect(call(h, SYS.ISERROR, block(h, 3))).toBe(0);
    expect(call(h, SYS.GET_CMDLINE, block(h, BUF, 64))).toBe(0);
    expect(h.bus.read32(BLOCK + 4)).toBe(7);
    expect(new TextDecoder().decode(h.bus.readBytes(BUF, 8))).toBe('prog -v\0');
    expect(call(h, SYS.GET_CMDLINE, block(h, BUF, 4))).toBe(-1); // buffer too small
    h.bus.write32(BLOCK, BUF);
    call(h, SYS.HEAPINFO, BLOCK);
    expect([0, 1, 2, 3].map((i) => h.bus.read32(BUF + 4 * i) >>> 0)).toEqual([0x2000_1000, 0x2000_8000, 0x2001_0000, 0x2000_c000]);
  });

  it('refuses SYS_SYSTEM and SYS_TMPNAM, and unknown operations, with -1', () => {
    const h = setup();
    expect(call(h, SYS.SYSTEM, block(h, NAME, 2))).toBe(-1);
    expect(call(h, SYS.ERRNO, 0)).toBe(1);
    expect(call(h, SYS.TMPNAM, block(h, BUF, 0, 32))).toBe(-1);
    expect(call(h, 0x99, 0)).toBe(-1);
    expect(call(h, SYS.ERRNO, 0)).toBe(38);
  });
});

describe('semihosting time and exit', () => {
  it('SYS_CLOCK counts centiseconds and SYS_TIME seconds of virtual time', () => {
    const h = setup({ epoch: 1_700_000_000 });
    h.cpu.cycles = 12_000_000; // 1.5 s at 8 MHz
    expect(call(h, SYS.CLOCK, 0)).toBe(150);
    expect(call(h, SYS.TIME, 0)).toBe(1_700_000_001);
    expect(call(h, SYS.TICKFREQ, 0)).toBe(8_000_000);
    h.cpu.cycles = 0x1_0000_0005;
    expect(call(h, SYS.ELAPSED, BUF)).toBe(0);
    expect([h.bus.read32(BUF), h.bus.read32(BUF + 4)]).toEqual([5, 1]);
  });

  it('SYS_EXIT with ADP_Stopped_ApplicationExit exits 0; other reasons exit 1', () => {
    const h = setup();
    call(h, SYS.EXIT, ADP_Stopped_ApplicationExit);
    expect([h.cpu.stopReason, h.cpu.exitCode]).toEqual(['exit', 0]);
    const h2 = setup();
    call(h2, SYS.EXIT, 0x20023); // ADP_Stopped_RunTimeErrorUnknown
    expect([h2.cpu.stopReason, h2.cpu.exitCode]).toEqual(['exit', 1]);
  });

  it('SYS_EXIT_EXTENDED (and the block form of SYS_EXIT) carry the exit code', () => {
    const h = setup();
    call(h, SYS.EXIT_EXTENDED, block(h, ADP_Stopped_ApplicationExit, 42));
    expect([h.cpu.stopReason, h.cpu.exitCode]).toEqual(['exit', 42]);
    const h2 = setup();
    call(h2, SYS.EXIT, block(h2, ADP_Stopped_ApplicationExit, 7));
    expect(h2.cpu.exitCode).toBe(7);
    const h3 = setup();
    call(h3, SYS.EXIT_EXTENDED, block(h3, 0x20023, 7));
    expect(h3.cpu.exitCode).toBe(1);
  });

  it('reports ":semihosting-features" with EXIT_EXTENDED and STDOUT_STDERR', () => {
    const h = setup();
    const n = str(h, NAME, ':semihosting-features');
    const fh = call(h, SYS.OPEN, block(h, NAME, 0, n));
    expect(fh).toBeGreaterThan(0);
    expect(call(h, SYS.FLEN, block(h, fh))).toBe(5);
    expect(call(h, SYS.READ, block(h, fh, BUF, 5))).toBe(0);
    expect([...h.bus.readBytes(BUF, 5)]).toEqual([0x53, 0x48, 0x46, 0x42, 0x03]);
  });

  it('a bad parameter pointer returns -1 with EFAULT instead of faulting the guest', () => {
    const h = setup();
    expect(call(h, SYS.WRITE, 0x7000_0000)).toBe(-1);
    expect(call(h, SYS.ERRNO, 0)).toBe(14);
  });
});

describe('semihosting files', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'emboard-sh-'));
  const root = path.join(tmp, 'root');
  const outside = path.join(tmp, 'outside');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret'), 'secret');
  fs.symlinkSync(outside, path.join(root, 'link'));
  fs.symlinkSync(path.join(outside, 'nothing'), path.join(root, 'dangling'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function open(h: Sh, name: string, mode: number): number {
    const n = str(h, NAME, name);
    return call(h, SYS.OPEN, block(h, NAME, mode, n));
  }

  it('are refused without a root directory', () => {
    const h = setup();
    expect(open(h, 'file.txt', 4)).toBe(-1);
    expect(call(h, SYS.ERRNO, 0)).toBe(1);
    expect(fs.existsSync(path.join(process.cwd(), 'file.txt'))).toBe(false);
  });

  it('write, read back, seek, flen, rename and remove inside the root', () => {
    const h = setup({ root });
    const w = open(h, 'a.txt', 4);
    expect(w).toBeGreaterThan(0);
    expect(call(h, SYS.ISTTY, block(h, w))).toBe(0);
    str(h, BUF, 'hello world');
    expect(call(h, SYS.WRITE, block(h, w, BUF, 11))).toBe(0);
    expect(call(h, SYS.CLOSE, block(h, w))).toBe(0);
    expect(fs.readFileSync(path.join(root, 'a.txt'), 'utf8')).toBe('hello world');
    const r = open(h, 'a.txt', 1);
    expect(call(h, SYS.FLEN, block(h, r))).toBe(11);
    expect(call(h, SYS.SEEK, block(h, r, 6))).toBe(0);
    expect(call(h, SYS.READ, block(h, r, BUF + 0x40, 16))).toBe(11); // 5 of 16 read
    expect(new TextDecoder().decode(h.bus.readBytes(BUF + 0x40, 5))).toBe('world');
    call(h, SYS.CLOSE, block(h, r));
    expect(call(h, SYS.CLOSE, block(h, r))).toBe(-1); // already closed
    const n1 = str(h, NAME, 'a.txt');
    const n2 = str(h, NAME + 0x40, 'b.txt');
    expect(call(h, SYS.RENAME, block(h, NAME, n1, NAME + 0x40, n2))).toBe(0);
    expect(fs.existsSync(path.join(root, 'b.txt'))).toBe(true);
    const n3 = str(h, NAME, 'b.txt');
    expect(call(h, SYS.REMOVE, block(h, NAME, n3))).toBe(0);
    expect(fs.existsSync(path.join(root, 'b.txt'))).toBe(false);
    expect(open(h, path.join(root, 'abs.txt'), 4)).toBeGreaterThan(0); // absolute but inside the root
  });

  it('refuses paths escaping the root: "..", absolute paths, symlinks out, dangling symlinks', () => {
    const h = setup({ root });
    expect(open(h, '../outside/secret', 0)).toBe(-1);
    expect(open(h, path.join(outside, 'secret'), 0)).toBe(-1);
    expect(open(h, '/etc/passwd', 0)).toBe(-1);
    expect(open(h, 'link/secret', 0)).toBe(-1);
    expect(open(h, 'link/new.txt', 4)).toBe(-1);
    expect(open(h, 'dangling', 4)).toBe(-1);
    expect(fs.existsSync(path.join(outside, 'nothing'))).toBe(false);
    expect(fs.existsSync(path.join(outside, 'new.txt'))).toBe(false);
    const n = str(h, NAME, '../outside/secret');
    expect(call(h, SYS.REMOVE, block(h, NAME, n))).not.toBe(0);
    expect(fs.existsSync(path.join(outside, 'secret'))).toBe(true);
  });
});
