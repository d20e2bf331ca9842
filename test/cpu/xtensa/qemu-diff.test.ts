/**
 * Random ALU instruction sequences run on our core and on QEMU's dc233c (the closest upstream
 * configuration to the ESP32's LX6, see docs/xtensa.md): the program ends by writing a2..a15 through
 * SIMCALL semihosting (write to fd 1, then exit), and the register values must agree. Only instructions
 * both configurations have are generated (no MULUH/MULSH, no windowed calls).
 * Needs qemu-system-xtensa (qemu-system-misc) and binutils-xtensa-lx106 (to wrap the bytes into an ELF).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { XtAsm, type RrrOp } from '../../../src/cpu/xtensa/asm.js';
import { run } from './helpers.js';
import { vectors } from './window-handlers.js';

function have(tool: string, arg = '--version'): boolean {
  try {
    execFileSync(tool, [arg], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const QEMU = 'qemu-system-xtensa';
const ready = have(QEMU) && have('xtensa-lx106-elf-as') && have('xtensa-lx106-elf-ld');

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const RRR: RrrOp[] = ['add', 'sub', 'addx2', 'addx4', 'addx8', 'subx2', 'subx4', 'subx8', 'and', 'or', 'xor', 'mull', 'mul16u',
  'mul16s', 'min', 'max', 'minu', 'maxu', 'moveqz', 'movnez', 'movltz', 'movgez'];

/** A random straight-line ALU program over a2..a15. */
function randomBody(seed: number, length: number, rich = false): (a: XtAsm) => void {
  return (a) => {
    // A fresh generator per call: the body is emitted once for QEMU and once for our core.
    const next = rng(seed);
    const reg = (): number => 2 + (next() % 14);
    for (let r = 2; r < 16; r++) a.movi(r, (next() % 4096) - 2048).slli(r, r, 1 + (next() % 31)).addi(r, r, (next() % 256) - 128);
    if (rich) a.movi(1, 0x100).slli(1, 1, 4); // a1 = 0x1000: scratch RAM on both sides
    for (let i = 0; i < length; i++) {
      const k = next() % (rich ? 20 : 16);
      if (k >= 16) {
        richStep(a, next, reg, k, i);
        continue;
      }
      if (k < 7) a.op(RRR[next() % RRR.length]!, reg(), reg(), reg());
      else if (k === 7) a.slli(reg(), reg(), 1 + (next() % 31));
      else if (k === 8) a.srai(reg(), reg(), next() % 32);
      else if (k === 9) a.srli(reg(), reg(), next() % 16);
      else if (k === 10) a.extui(reg(), reg(), next() % 32, 1 + (next() % 16));
      else if (k === 11) {
        // Only SAR ranges the ISA defines for each shift (QEMU differs from the ISA formulas outside them:
        // SRL/SRA with SAR = 32, SLL with SAR > 32 — see docs/xtensa.md): SSL (1..32) feeds SLL, the others
        // (0..31) feed SRL/SRA/SRC.
        const s = next() % 4;
        if (s === 1) a.ssl(reg()).sll(reg(), reg());
        else {
          if (s === 0) a.ssr(reg());
          else if (s === 2) a.ssa8l(reg());
          else a.ssai(next() % 32);
          const o = next() % 3;
          if (o === 0) a.srl(reg(), reg());
          else if (o === 1) a.sra(reg(), reg());
          else a.op('src', reg(), reg(), reg());
        }
      } else if (k === 12) a.sext(reg(), reg(), 7 + (next() % 16));
      else if (k === 13) a.clamps(reg(), reg(), 7 + (next() % 16));
      else if (k === 14) {
        if (next() & 1) a.nsa(reg(), reg());
        else a.nsau(reg(), reg());
      } else if (next() & 1) a.neg(reg(), reg());
      else a.abs(reg(), reg());
    }
  };
}

const DIVS: RrrOp[] = ['quou', 'quos', 'remu', 'rems'];
const STORES = ['s8i', 's16i', 's32i'] as const;
const LOADS = ['l8ui', 'l16ui', 'l16si', 'l32i'] as const;
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu', 'bany', 'bnone', 'ball', 'bnall', 'bbc', 'bbs'] as const;

/** Memory round trips through [a1 + off], guarded division, conditional skips and short LOOPs. */
function richStep(a: XtAsm, next: () => number, reg: () => number, k: number, i: number): void {
  if (k === 16) {
    const t = reg();
    a.bz('beqz', t, `d${i}`).op(DIVS[next() % 4]!, reg(), reg(), t).label(`d${i}`);
  } else if (k === 17) {
    const st = STORES[next() % 3]!;
    const ld = LOADS[next() % 4]!;
    const slot = (next() % 16) * 4;
    a.ls(st, reg(), 1, slot).ls(ld, reg(), 1, ld === 'l8ui' ? slot + (next() % 4) : ld === 'l32i' ? slot : slot + 2 * (next() % 2));
  } else if (k === 18) {
    a.b(BRANCHES[next() % BRANCHES.length]!, reg(), reg(), `b${i}`).op(RRR[next() % RRR.length]!, reg(), reg(), reg()).label(`b${i}`);
  } else {
    const c = reg();
    a.movi(c, next() % 5).loop('loopnez', c, `l${i}`).op(RRR[next() % RRR.length]!, reg(), reg(), reg()).addi(reg(), reg(), 1).label(`l${i}`);
  }
}

/** Runs `body` on QEMU's dc233c sim machine and returns a2..a15 as written by the program. */
function runQemu(dir: string, body: (a: XtAsm) => void, vectorBytes?: Uint8Array): number[] {
  const a = new XtAsm(0xfe000000);
  // PS resets to 0x1F (EXCM set, which disables zero-overhead loops); our rig starts with PS = 0.
  a.movi(2, 0).wsr(2, 'ps').sync('rsync');
  body(a);
  // Store a2..a15 at 0x1000 (sim RAM), then SIMCALL write(1, 0x1000, 56) and exit(0).
  a.movi(1, 0x100).slli(1, 1, 4);
  for (let r = 2; r < 16; r++) a.s32i(r, 1, (r - 2) * 4);
  a.movi(2, 4).movi(3, 1).mov(4, 1).movi(5, 56).i24(0x005100);
  a.movi(2, 1).movi(3, 0).i24(0x005100);
  const bytes = a.assemble();
  const vec = vectorBytes ? `.section .vectors,"ax"\n.byte ${[...vectorBytes].join(',')}\n` : '';
  writeFileSync(join(dir, 'p.s'), `.text\n.global _start\n_start:\n.byte ${[...bytes].join(',')}\n${vec}`);
  execFileSync('xtensa-lx106-elf-as', ['-o', join(dir, 'p.o'), join(dir, 'p.s')]);
  execFileSync('xtensa-lx106-elf-ld', ['-Ttext=0xfe000000', '--section-start=.vectors=0x2000', '-e', '_start', '-o', join(dir, 'p.elf'),
    join(dir, 'p.o')]);
  const out = execFileSync(QEMU, ['-M', 'sim', '-cpu', 'dc233c', '-nographic', '-monitor', 'none', '-serial', 'none', '-semihosting',
    '-kernel', join(dir, 'p.elf')], { timeout: 10000 });
  const buf = Buffer.from(out);
  expect(buf.length).toBe(56);
  return [...Array(14).keys()].map((i) => buf.readInt32LE(i * 4));
}

describe.skipIf(!ready)('xtensa vs QEMU dc233c (needs qemu-system-misc and binutils-xtensa-lx106)', () => {
  it('random ALU programs leave the same registers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xt-qemu-'));
    try {
      for (let seed = 1; seed <= 12; seed++) {
        const body = randomBody(seed * 7919, 300);
        const want = runQemu(dir, body);
        const cpu = run(body, { max: 100000 });
        expect([...cpu.ar.slice(2, 16)], `seed ${seed * 7919}`).toEqual(want);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});

describe.skipIf(!ready)('xtensa vs QEMU dc233c: memory, branches, loops, DIV32', () => {
  it('random programs with loads/stores, branches, LOOPNEZ and guarded division leave the same registers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xt-qemu-'));
    try {
      for (let seed = 1; seed <= 10; seed++) {
        const body = randomBody(seed * 104729, 300, true);
        const want = runQemu(dir, body);
        const cpu = run(body, { max: 100000, setup: (c) => void c.bus.addRam('low', 0, 0x10000) });
        expect([...cpu.ar.slice(2, 16)], `seed ${seed * 104729}`).toEqual(want);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});

describe.skipIf(!ready)('xtensa windowed calls vs QEMU dc233c (32 physical registers there, 64 here)', () => {
  it('CALL8 and CALL4 recursion through our overflow/underflow handlers gives the same results', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xt-qemu-'));
    try {
      // dc233c: VECBASE resets to 0x2000 (RAM); the handlers go there, the program in ROM at 0xFE000000.
      const v = new XtAsm(0x2000);
      vectors(v, 0x2000);
      const body = (a: XtAsm): void => {
        a.j('code').align(4).label('stack').word(0x10000).label('scratch').word(0x20000).label('vb').word(0x2000).label('code');
        a.l32r(2, 'vb').wsr(2, 'vecbase').movi(2, 1).slli(2, 2, 18).wsr(2, 'ps').sync('rsync');
        a.l32r(1, 'stack').l32r(3, 'scratch').s32e(3, 1, -12);
        // A CALLn callee may clobber the caller's a(4n) and up: keep f's result in a3 across CALL4.
        a.movi(10, 20).call(2, 'f').mov(3, 10);
        a.movi(6, 30).call(1, 'g');
        a.j('done');
        a.align(4).label('f').entry(1, 48).bz('beqz', 2, 'fz');
        a.op('addx2', 7, 2, 2).addi(10, 2, -1).call(2, 'f').add(2, 7, 10).retw();
        a.label('fz').movi(2, 0).retw_n();
        a.align(4).label('g').entry(1, 32).bz('beqz', 2, 'gz');
        a.addi(6, 2, -1).call(1, 'g').add(2, 2, 6).retw();
        a.label('gz').movi(2, 0).retw();
        a.label('done').mov(2, 3).mov(3, 6).rsr(4, 'windowbase').rsr(5, 'windowstart');
        for (let r = 6; r < 16; r++) a.movi(r, 0);
      };
      const want = runQemu(dir, body, v.assemble());
      expect(want.slice(0, 4)).toEqual([630, 465, 0, 1]);
      // Our run: the same program, with RAM at 0x2000 (the handlers, where its VECBASE points) and the stack.
      const cpu = run(body, {
        max: 200000,
        setup: (c) => {
          c.bus.addRam('low', 0, 0x40000);
          c.bus.load(0x2000, v.assemble());
        },
      });
      expect([...cpu.ar.slice(2, 6)]).toEqual(want.slice(0, 4));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});
