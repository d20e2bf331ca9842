import { describe, expect, it } from 'vitest';
import { Bus } from '../../../src/core/bus.js';
import { XtAsm } from '../../../src/cpu/xtensa/asm.js';
import { XtensaCpu } from '../../../src/cpu/xtensa/cpu.js';
import { ALL_PATTERNS, candidates, decode, disassemble, instructionSize } from '../../../src/cpu/xtensa/decoder.js';
import { SR } from '../../../src/cpu/xtensa/sr.js';
import { IRAM, run } from './helpers.js';

/** Deterministic PRNG (xorshift32) so failures reproduce. */
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

describe('xtensa decoder', () => {
  it('lengths: op0 8..13 are the 16-bit code-density formats', () => {
    expect([...Array(16).keys()].map((o) => instructionSize(o))).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 3, 3]);
  });

  it('no two patterns of equal specificity both accept the same encoding', () => {
    const next = rng(7);
    for (let i = 0; i < 200000; i++) {
      const raw = next() & 0xffffff;
      const size = instructionSize(raw & 0xff);
      const v = size === 2 ? raw & 0xffff : raw;
      const c = candidates(v).filter((p) => p.size === size && p.decode(v, 0) !== null);
      if (c.length > 1) {
        const bits = (m: number): number => m.toString(2).replace(/0/g, '').length;
        expect(bits(c[0]!.mask), `${c.map((p) => p.name).join(', ')} for 0x${v.toString(16)}`).toBeGreaterThan(bits(c[1]!.mask));
      }
    }
  });

  it('every pattern disassembles what the assembler encodes', () => {
    const a = new XtAsm(0x40080000);
    a.add(1, 2, 3).movi(4, -100).l32i(5, 6, 8).entry(1, 32).retw_n().call(2, 0x40080100).rsr(2, 'ps').extui(3, 4, 20, 4);
    a.loop('loopnez', 3, 0x40080040).bi('bltui', 2, 32768, 0x40080000).movi_n(7, -1).bbsi(2, 31, 0x40080030).wsr(2, 'windowbase');
    const bytes = a.assemble();
    const out: string[] = [];
    for (let pc = 0; pc < bytes.length; ) {
      const size = instructionSize(bytes[pc]!);
      const raw = bytes[pc]! | (bytes[pc + 1]! << 8) | (size === 3 ? bytes[pc + 2]! << 16 : 0);
      out.push(disassemble(raw, size, 0x40080000 + pc));
      pc += size;
    }
    expect(out).toEqual([
      'add a1, a2, a3',
      'movi a4, -100',
      'l32i a5, a6, 8',
      'entry a1, 32',
      'retw.n',
      'call8 0x40080100',
      'rsr a2, ps',
      'extui a3, a4, 20, 4',
      'loopnez a3, 0x40080040',
      'bltui a2, 32768, 0x40080000',
      'movi.n a7, -1',
      'bbsi a2, 31, 0x40080030',
      'wsr a2, windowbase',
    ]);
  });

  it('has a pattern for every instruction the brief lists', () => {
    const names = new Set(ALL_PATTERNS.map((p) => p.name));
    for (const n of ['add', 'addi', 'addmi', 'addx2', 'addx4', 'addx8', 'sub', 'subx2', 'subx4', 'subx8', 'and', 'or', 'xor', 'sll', 'srl',
      'sra', 'src', 'slli', 'srli', 'srai', 'ssl', 'ssr', 'ssai', 'ssa8l', 'ssa8b', 'extui', 'movi', 'moveqz', 'movnez', 'movltz', 'movgez',
      'l8ui', 'l16ui', 'l16si', 'l32i', 'l32r', 's8i', 's16i', 's32i', 'l32i.n', 's32i.n', 'beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu', 'bany',
      'ball', 'bnone', 'bnall', 'bbc', 'bbs', 'bbci', 'bbsi', 'beqz', 'bnez', 'bltz', 'bgez', 'beqi', 'bnei', 'blti', 'bgei', 'bltui', 'bgeui',
      'j', 'jx', 'call0', 'callx0', 'ret', 'call4', 'call8', 'call12', 'callx4', 'callx8', 'callx12', 'entry', 'retw', 'retw.n', 'ret.n', 'rotw',
      'movsp', 'loop', 'loopnez', 'loopgtz', 'mul16u', 'mul16s', 'mull', 'muluh', 'mulsh', 'quou', 'quos', 'remu', 'rems', 'nsa', 'nsau', 'min',
      'max', 'minu', 'maxu', 'clamps', 'sext', 'abs', 'neg', 'nop', 'nop.n', 'memw', 'extw', 'isync', 'rsync', 'esync', 'dsync', 's32c1i',
      'rsr', 'wsr', 'xsr', 'rfe', 'rfwo', 'rfwu', 'add.n', 'addi.n', 'mov.n', 'movi.n', 'beqz.n', 'bnez.n']) {
      expect(names.has(n), n).toBe(true);
    }
  });
});

describe('xtensa robustness', () => {
  it('random bytes never raise a host exception', () => {
    const next = rng(12345);
    for (let round = 0; round < 30; round++) {
      const bus = new Bus();
      const iram = bus.addRam('iram', IRAM, 0x1000);
      bus.addRam('dram', 0x3ffb0000, 0x1000);
      for (let i = 0; i < 0x1000; i += 4) iram.view.setUint32(i, next(), true);
      const cpu = new XtensaCpu(bus);
      cpu.writeSR(SR.VECBASE, IRAM);
      cpu.ps = (next() & 1) << 18; // half the rounds with window exceptions enabled
      cpu.pc = IRAM + (next() & 0xfff);
      cpu.instructionLimit = 5000;
      // Randomised registers too, so loads/stores sometimes hit mapped memory.
      for (let r = 0; r < 16; r++) cpu.ar[r] = next() & 1 ? 0x3ffb0000 + (next() & 0xffc) : next() | 0;
      expect(() => {
        while (cpu.instructions < cpu.instructionLimit && cpu.stopReason === null) {
          cpu.sleeping = false;
          cpu.run(Infinity);
          if (cpu.stopReason === 'breakpoint') {
            cpu.stopReason = null;
            cpu.pc = (cpu.pc + 3) >>> 0;
          }
        }
      }).not.toThrow();
    }
  });

  it('every 16-bit and a sample of 24-bit encodings decode without throwing', () => {
    for (let raw = 0; raw < 0x10000; raw++) {
      if (instructionSize(raw & 0xff) === 2) decode(raw, 2, 0x40080000);
    }
    const next = rng(99);
    for (let i = 0; i < 100000; i++) decode(next() & 0xffffff, 3, 0x40080000);
  });

  it('writing over executed code drops its cached decode (self-modifying code)', () => {
    const cpu = run((a) => {
      a.j('code').align(4).label('taddr').word(() => a.addr('target')).label('code');
      a.movi(3, 0).movi(6, 0);
      a.label('target').movi(2, 1).add(6, 6, 2).addi(3, 3, 1);
      a.bi('beqi', 3, 2, '__end');
      // Patch the imm8 byte of "movi a2, 1" to 40 and run it again: the second pass must add 40, not 1.
      a.l32r(4, 'taddr').movi(5, 40).ls('s8i', 5, 4, 2).sync('isync').j('target');
    });
    expect(cpu.ar[6]).toBe(41);
  });
});
