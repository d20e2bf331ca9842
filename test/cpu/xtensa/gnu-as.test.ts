/**
 * Our assembler's encodings against GNU as for the Xtensa (Debian binutils-xtensa-lx106: the ESP8266's
 * core, which shares the base ISA and the code-density option with the ESP32's LX6 — no windows, loops
 * or DIV32, so those are covered by the hand-derived tests only). Also checks that our decoder accepts
 * every word GNU as produced and disassembles it to the same mnemonic.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { XtAsm } from '../../../src/cpu/xtensa/asm.js';
import { disassemble, instructionSize } from '../../../src/cpu/xtensa/decoder.js';

function have(tool: string): boolean {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const AS = 'xtensa-lx106-elf-as';
const OBJCOPY = 'xtensa-lx106-elf-objcopy';

/** GNU syntax line, and the same instruction through our assembler. */
const CASES: [string, (a: XtAsm) => void][] = [
  ['add a1, a2, a3', (a) => a.add(1, 2, 3)],
  ['sub a15, a0, a7', (a) => a.sub(15, 0, 7)],
  ['addx8 a4, a5, a6', (a) => a.op('addx8', 4, 5, 6)],
  ['subx4 a4, a5, a6', (a) => a.op('subx4', 4, 5, 6)],
  ['xor a9, a10, a11', (a) => a.op('xor', 9, 10, 11)],
  ['movi a4, -100', (a) => a.movi(4, -100)],
  ['movi a4, 2047', (a) => a.movi(4, 2047)],
  ['movi a4, -2048', (a) => a.movi(4, -2048)],
  ['addi a3, a4, -128', (a) => a.addi(3, 4, -128)],
  ['addmi a3, a4, 0x7f00', (a) => a.addmi(3, 4, 0x7f00)],
  ['addmi a3, a4, -32768', (a) => a.addmi(3, 4, -32768)],
  ['l32i a5, a6, 1020', (a) => a.l32i(5, 6, 1020)],
  ['s32i a5, a6, 4', (a) => a.s32i(5, 6, 4)],
  ['s16i a5, a6, 510', (a) => a.ls('s16i', 5, 6, 510)],
  ['s8i a5, a6, 7', (a) => a.ls('s8i', 5, 6, 7)],
  ['l16si a2, a3, 2', (a) => a.ls('l16si', 2, 3, 2)],
  ['l16ui a2, a3, 6', (a) => a.ls('l16ui', 2, 3, 6)],
  ['l8ui a2, a3, 255', (a) => a.ls('l8ui', 2, 3, 255)],
  ['extui a3, a4, 20, 4', (a) => a.extui(3, 4, 20, 4)],
  ['extui a3, a4, 3, 16', (a) => a.extui(3, 4, 3, 16)],
  ['slli a2, a3, 1', (a) => a.slli(2, 3, 1)],
  ['slli a2, a3, 31', (a) => a.slli(2, 3, 31)],
  ['slli a2, a3, 16', (a) => a.slli(2, 3, 16)],
  ['srai a2, a3, 17', (a) => a.srai(2, 3, 17)],
  ['srai a2, a3, 3', (a) => a.srai(2, 3, 3)],
  ['srli a2, a3, 15', (a) => a.srli(2, 3, 15)],
  ['ssai 17', (a) => a.ssai(17)],
  ['ssl a3', (a) => a.ssl(3)],
  ['ssr a3', (a) => a.ssr(3)],
  ['ssa8b a3', (a) => a.ssa8b(3)],
  ['ssa8l a3', (a) => a.ssa8l(3)],
  ['src a2, a3, a4', (a) => a.op('src', 2, 3, 4)],
  ['sll a2, a3', (a) => a.sll(2, 3)],
  ['srl a2, a3', (a) => a.srl(2, 3)],
  ['sra a2, a3', (a) => a.sra(2, 3)],
  ['neg a2, a3', (a) => a.neg(2, 3)],
  ['abs a2, a3', (a) => a.abs(2, 3)],
  ['mull a2, a3, a4', (a) => a.op('mull', 2, 3, 4)],
  ['mul16s a2, a3, a4', (a) => a.op('mul16s', 2, 3, 4)],
  ['mul16u a2, a3, a4', (a) => a.op('mul16u', 2, 3, 4)],
  ['moveqz a2, a3, a4', (a) => a.op('moveqz', 2, 3, 4)],
  ['movgez a2, a3, a4', (a) => a.op('movgez', 2, 3, 4)],
  ['movi.n a7, -32', (a) => a.movi_n(7, -32)],
  ['movi.n a7, 95', (a) => a.movi_n(7, 95)],
  ['addi.n a2, a3, -1', (a) => a.addi_n(2, 3, -1)],
  ['addi.n a2, a3, 15', (a) => a.addi_n(2, 3, 15)],
  ['add.n a2, a3, a4', (a) => a.add_n(2, 3, 4)],
  ['mov.n a2, a3', (a) => a.mov_n(2, 3)],
  ['l32i.n a2, a3, 60', (a) => a.l32i_n(2, 3, 60)],
  ['s32i.n a2, a3, 4', (a) => a.s32i_n(2, 3, 4)],
  ['ret.n', (a) => a.ret_n()],
  ['nop.n', (a) => a.nop_n()],
  ['ret', (a) => a.ret()],
  ['jx a7', (a) => a.jx(7)],
  ['callx0 a7', (a) => a.callx(0, 7)],
  ['rsr a2, sar', (a) => a.rsr(2, 'sar')],
  ['wsr a2, ps', (a) => a.wsr(2, 'ps')],
  ['xsr a2, epc1', (a) => a.xsr(2, 'epc1')],
  ['rsr a3, ccount', (a) => a.rsr(3, 'ccount')],
  ['rsil a3, 5', (a) => a.rsil(3, 5)],
  ['memw', (a) => a.memw()],
  ['isync', (a) => a.sync('isync')],
  ['dsync', (a) => a.sync('dsync')],
  ['rfe', (a) => a.rfe()],
  ['syscall', (a) => a.syscall()],
  ['ill', (a) => a.ill()],
  ['break 1, 15', (a) => a.break_(1, 15)],
];

/** Branches need a position: each line is assembled at 0x100 with a label at 0x100 + delta. */
const BRANCHES: [string, number, (a: XtAsm, t: number) => void][] = [
  ['beq a2, a3', 0x7f, (a, t) => a.b('beq', 2, 3, t)],
  ['bltu a2, a3', -0x80, (a, t) => a.b('bltu', 2, 3, t)],
  ['bbsi a2, 31', 10, (a, t) => a.bbsi(2, 31, t)],
  ['bbci a2, 3', 10, (a, t) => a.bbci(2, 3, t)],
  ['bnez a2', 0x7ff, (a, t) => a.bz('bnez', 2, t)],
  ['bltz a2', -0x800, (a, t) => a.bz('bltz', 2, t)],
  ['beqi a2, -1', 20, (a, t) => a.bi('beqi', 2, -1, t)],
  ['bgeui a2, 32768', 20, (a, t) => a.bi('bgeui', 2, 32768, t)],
  ['blti a2, 256', 20, (a, t) => a.bi('blti', 2, 256, t)],
  ['beqz.n a2', 40, (a, t) => a.beqz_n(2, t)],
  ['bnez.n a9', 63, (a, t) => a.bnez_n(9, t)],
  ['j', -1000, (a, t) => a.j(t)],
  ['call0', 4000, (a, t) => a.call(0, t)],
];

describe.skipIf(!have(AS))('xtensa encodings against GNU as (needs binutils-xtensa-lx106)', () => {
  it('our assembler produces the bytes GNU as produces, and our decoder names them the same', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xt-as-'));
    try {
      const lines: string[] = ['.text', '.org 0'];
      const ours = new XtAsm(0);
      for (const [src, f] of CASES) {
        lines.push(src);
        f(ours);
      }
      // Branches: each at its own .org, its target a label placed at the wanted address (GNU as leaves
      // branches to absolute numbers as relocations), emitted in address order.
      const placed: [number, string][] = [];
      let at = 0x1000;
      BRANCHES.forEach(([src, delta, f], k) => {
        const size = src.includes('.n') ? 2 : 3;
        const target = at + 4 + delta - (src.startsWith('call0') ? (at & 3) : 0);
        placed.push([at, src.includes(' ') ? `${src}, L${k}` : `${src} L${k}`], [target, `L${k}:`]);
        ours.org(at);
        f(ours, target);
        at += 0x2000 + size;
      });
      placed.sort((x, y) => x[0] - y[0] || (x[1].endsWith(':') ? -1 : 1));
      for (const [addr, text] of placed) lines.push(`.org ${addr}`, text);
      const end = Math.max(...placed.map(([addr]) => addr));
      if (end > ours.pc) ours.org(end);
      writeFileSync(join(dir, 'a.s'), lines.join('\n') + '\n');
      execFileSync(AS, ['--no-transform', '-o', join(dir, 'a.o'), join(dir, 'a.s')]);
      execFileSync(OBJCOPY, ['-O', 'binary', '-j', '.text', join(dir, 'a.o'), join(dir, 'a.bin')]);
      const gnu = new Uint8Array(execFileSync('cat', [join(dir, 'a.bin')]));
      const mine = ours.assemble();
      expect(mine.length).toBe(gnu.length);
      // Compare per instruction so a failure names it.
      let pc = 0;
      for (const [src] of CASES) {
        const size = instructionSize(gnu[pc]!);
        const hexOf = (b: Uint8Array): string => [...b.subarray(pc, pc + size)].map((x) => x.toString(16).padStart(2, '0')).join('');
        expect(hexOf(mine), src).toBe(hexOf(gnu));
        const raw = gnu[pc]! | (gnu[pc + 1]! << 8) | (size === 3 ? gnu[pc + 2]! << 16 : 0);
        expect(disassemble(raw, size, pc).split(' ')[0], src).toBe(src.split(' ')[0]);
        pc += size;
      }
      at = 0x1000;
      for (const [src] of BRANCHES) {
        const size = instructionSize(gnu[at]!);
        const raw = gnu[at]! | (gnu[at + 1]! << 8) | (size === 3 ? gnu[at + 2]! << 16 : 0);
        const m = mine[at]! | (mine[at + 1]! << 8) | (size === 3 ? mine[at + 2]! << 16 : 0);
        expect(m.toString(16), src).toBe(raw.toString(16));
        expect(disassemble(raw, size, at).split(' ')[0], src).toBe(src.split(' ')[0]);
        at += 0x2000 + size;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
