import { describe, expect, it } from 'vitest';
import { run, u } from './helpers.js';

// Expectations derived by hand from the Xtensa ISA reference's instruction descriptions.
describe('xtensa ALU', () => {
  it('ADD/SUB and the scaled forms wrap modulo 2^32', () => {
    const cpu = run((a) => {
      a.movi(2, 0x7ff).movi(3, -3);
      a.add(4, 2, 3).sub(5, 3, 2).op('addx2', 6, 2, 3).op('addx4', 7, 2, 3).op('addx8', 8, 2, 3);
      a.op('subx2', 9, 2, 3).op('subx4', 10, 2, 3).op('subx8', 11, 2, 3);
      a.movi(12, -1).addmi(12, 12, -0x8000).add(13, 12, 12);
    });
    expect(cpu.ar[4]).toBe(0x7fc);
    expect(cpu.ar[5]).toBe(-3 - 0x7ff);
    expect(cpu.ar[6]).toBe(0xffe - 3);
    expect(cpu.ar[7]).toBe(0x1ffc - 3);
    expect(cpu.ar[8]).toBe(0x3ff8 - 3);
    expect(cpu.ar[9]).toBe(0xffe + 3);
    expect(cpu.ar[10]).toBe(0x1ffc + 3);
    expect(cpu.ar[11]).toBe(0x3ff8 + 3);
    expect(u(cpu.ar[12]!)).toBe(0xffff7fff);
    expect(u(cpu.ar[13]!)).toBe(0xfffefffe);
  });

  it('MOVI sign-extends 12 bits, ADDI 8 bits, ADDMI shifts by 8; narrow forms', () => {
    const cpu = run((a) => {
      a.movi(2, -2048).movi(3, 2047).addi(4, 3, -128).addmi(5, 3, 0x7f00);
      a.movi_n(6, -32).movi_n(7, 95).addi_n(8, 7, -1).addi_n(9, 7, 15).add_n(10, 6, 7).mov_n(11, 10);
    });
    expect(cpu.ar[2]).toBe(-2048);
    expect(cpu.ar[3]).toBe(2047);
    expect(cpu.ar[4]).toBe(2047 - 128);
    expect(cpu.ar[5]).toBe(2047 + 0x7f00);
    expect(cpu.ar[6]).toBe(-32);
    expect(cpu.ar[7]).toBe(95);
    expect(cpu.ar[8]).toBe(94);
    expect(cpu.ar[9]).toBe(110);
    expect(cpu.ar[10]).toBe(63);
    expect(cpu.ar[11]).toBe(63);
  });

  it('AND/OR/XOR, NEG/ABS (ABS of 0x80000000 stays), MIN/MAX signed and unsigned', () => {
    const cpu = run((a) => {
      a.movi(2, 0x5a5).movi(3, -0x100);
      a.op('and', 4, 2, 3).op('or', 5, 2, 3).op('xor', 6, 2, 3);
      a.neg(7, 2).abs(8, 3).movi(9, 1).slli(9, 9, 31).abs(10, 9);
      a.op('min', 11, 2, 3).op('max', 12, 2, 3).op('minu', 13, 2, 3).op('maxu', 14, 2, 3);
    });
    expect(cpu.ar[4]).toBe(0x500);
    expect(cpu.ar[5]).toBe(-0x100 | 0xa5);
    expect(cpu.ar[6]).toBe(0x5a5 ^ -0x100);
    expect(cpu.ar[7]).toBe(-0x5a5);
    expect(cpu.ar[8]).toBe(0x100);
    expect(u(cpu.ar[10]!)).toBe(0x80000000);
    expect(cpu.ar[11]).toBe(-0x100);
    expect(cpu.ar[12]).toBe(0x5a5);
    expect(cpu.ar[13]).toBe(0x5a5);
    expect(cpu.ar[14]).toBe(-0x100);
  });

  it('conditional moves test at', () => {
    const cpu = run((a) => {
      a.movi(2, 7).movi(3, 0).movi(4, -1).movi(5, 1);
      for (const r of [6, 7, 8, 9, 10, 11, 12, 13]) a.movi(r, 99);
      a.op('moveqz', 6, 2, 3).op('moveqz', 7, 2, 5).op('movnez', 8, 2, 5).op('movnez', 9, 2, 3);
      a.op('movltz', 10, 2, 4).op('movltz', 11, 2, 3).op('movgez', 12, 2, 3).op('movgez', 13, 2, 4);
    });
    expect([...cpu.ar.slice(6, 14)]).toEqual([7, 99, 7, 99, 7, 99, 7, 99]);
  });

  it('SEXT, CLAMPS, NSA, NSAU', () => {
    const cpu = run((a) => {
      a.movi(2, 0x180).sext(3, 2, 8).sext(4, 2, 9);
      a.movi(5, 300).clamps(6, 5, 7).movi(5, -300).clamps(7, 5, 7).movi(5, 100).clamps(8, 5, 7);
      a.movi(9, 0).nsa(10, 9).movi(9, -1).nsa(11, 9).movi(9, 1).nsa(12, 9).movi(9, 0x100).nsau(13, 9).movi(9, 0).nsau(14, 9);
    });
    expect(cpu.ar[3]).toBe(-128);
    expect(cpu.ar[4]).toBe(0x180);
    expect(cpu.ar[6]).toBe(127);
    expect(cpu.ar[7]).toBe(-128);
    expect(cpu.ar[8]).toBe(100);
    expect(cpu.ar[10]).toBe(31);
    expect(cpu.ar[11]).toBe(31);
    expect(cpu.ar[12]).toBe(30);
    expect(cpu.ar[13]).toBe(23);
    expect(cpu.ar[14]).toBe(32);
  });

  it('shifts: SAR setup, SLL/SRL/SRA/SRC, immediates, EXTUI', () => {
    const cpu = run((a) => {
      a.movi(2, -0x7f0); // 0xfffff810
      a.movi(3, 4).ssl(3).sll(4, 2); // << 4
      a.ssr(3).srl(5, 2).sra(6, 2); // >> 4
      a.movi(7, 0x123).ssai(8).op('src', 8, 7, 2); // (0x123:0xfffff810) >> 8
      a.movi(3, 1).ssa8l(3).rsr(9, 'sar'); // 8
      a.ssa8b(3).rsr(10, 'sar'); // 24
      a.slli(11, 2, 31).srai(12, 2, 31).srli(13, 2, 15).srai(14, 2, 4);
      a.extui(15, 2, 4, 8);
    });
    expect(u(cpu.ar[4]!)).toBe(0xffff8100);
    expect(u(cpu.ar[5]!)).toBe(0x0fffff81);
    expect(u(cpu.ar[6]!)).toBe(0xffffff81);
    expect(u(cpu.ar[8]!)).toBe(0x23fffff8);
    expect(cpu.ar[9]).toBe(8);
    expect(cpu.ar[10]).toBe(24);
    expect(cpu.sar).toBe(24);
    expect(u(cpu.ar[11]!)).toBe(0);
    expect(cpu.ar[12]).toBe(-1);
    expect(cpu.ar[13]).toBe(0x1ffff);
    expect(u(cpu.ar[14]!)).toBe(0xffffff81);
    expect(cpu.ar[15]).toBe(0x81);
  });

  it('SLL with SAR = 32 (SSL 0) passes the value through; SRL with SAR = 32 gives 0', () => {
    const cpu = run((a) => {
      a.movi(2, 0x55).movi(3, 0).ssl(3).sll(4, 2).srl(5, 2);
    });
    expect(cpu.sar).toBe(32);
    expect(cpu.ar[4]).toBe(0x55);
    expect(cpu.ar[5]).toBe(0);
  });
});
