import { describe, expect, it } from 'vitest';
import { Cause, SR } from '../../../src/cpu/xtensa/sr.js';
import { DRAM, IRAM, run, u } from './helpers.js';

describe('xtensa loads and stores', () => {
  it('byte, halfword and word accesses are little-endian; L16SI sign-extends', () => {
    const cpu = run((a) => {
      a.j('code').align(4).label('dram').word(DRAM).label('code');
      a.l32r(2, 'dram');
      a.movi(3, -0x67).movi(4, 0x7ff).slli(4, 4, 20).addmi(4, 4, 0x4300).addi(4, 4, 0x21); // a4 = 0x7ff04321
      a.s32i(4, 2, 8).ls('s8i', 3, 2, 3).ls('s16i', 3, 2, 6);
      a.ls('l8ui', 5, 2, 8).ls('l16ui', 6, 2, 8).ls('l16si', 7, 2, 6).l32i(8, 2, 8).ls('l8ui', 9, 2, 3).ls('l16ui', 10, 2, 10);
      a.s32i_n(4, 2, 60).l32i_n(11, 2, 60);
    });
    expect(u(cpu.ar[4]!)).toBe(0x7ff04321);
    expect(cpu.ar[5]).toBe(0x21);
    expect(cpu.ar[6]).toBe(0x4321);
    expect(cpu.ar[7]).toBe(-0x67);
    expect(u(cpu.ar[8]!)).toBe(0x7ff04321);
    expect(cpu.ar[9]).toBe(0x99);
    expect(cpu.ar[10]).toBe(0x7ff0);
    expect(u(cpu.ar[11]!)).toBe(0x7ff04321);
    expect(cpu.bus.read32(DRAM + 4)).toBe((0xff99 << 16) | 0);
  });

  it('L32R reaches back to a literal below the instruction (address computed from PC+3 aligned)', () => {
    const cpu = run((a) => {
      a.j('code');
      a.align(4).label('lit1').word(0xdeadbeef).label('lit2').word(0x12345678);
      a.label('code').l32r(2, 'lit1').nop_n().l32r(3, 'lit2').l32r(4, 'lit1');
    });
    expect(u(cpu.ar[2]!)).toBe(0xdeadbeef);
    expect(cpu.ar[3]).toBe(0x12345678);
    expect(u(cpu.ar[4]!)).toBe(0xdeadbeef);
  });

  it('S32C1I stores only when memory equals SCOMPARE1 and always returns the old value', () => {
    const cpu = run((a) => {
      a.j('code').align(4).label('dram').word(DRAM).label('code');
      a.l32r(2, 'dram').movi(3, 5).s32i(3, 2, 0);
      a.movi(4, 5).wsr(4, 'scompare1').movi(5, 9).ls('s32c1i', 5, 2, 0).l32i(6, 2, 0); // swaps: a5 = 5, mem = 9
      a.movi(7, 11).ls('s32c1i', 7, 2, 0).l32i(8, 2, 0); // 9 != 5: no store, a7 = 9
    });
    expect(cpu.ar[5]).toBe(5);
    expect(cpu.ar[6]).toBe(9);
    expect(cpu.ar[7]).toBe(9);
    expect(cpu.ar[8]).toBe(9);
  });

  it('L32E/S32E use offsets -64..-4', () => {
    const cpu = run((a) => {
      a.j('code').align(4).label('dram').word(DRAM + 64).label('code');
      a.l32r(2, 'dram').movi(3, 77).s32e(3, 2, -4).s32e(3, 2, -64).l32e(4, 2, -64);
    });
    expect(cpu.ar[4]).toBe(77);
    expect(cpu.bus.read32(DRAM + 60)).toBe(77);
    expect(cpu.bus.read32(DRAM)).toBe(77);
  });

  it('an unaligned L32I raises LoadStoreAlignment with EXCVADDR and EPC1 at the load', () => {
    let loadPc = 0;
    const cpu = run((a) => {
      a.j('code').align(4).label('dram').word(DRAM + 2).label('code');
      a.l32r(2, 'dram');
      loadPc = a.pc;
      a.l32i(3, 2, 0);
    }, { vectors: (v) => v.org(IRAM + 0x300).break_(1, 1) });
    expect(cpu.sr[SR.EXCCAUSE]).toBe(Cause.LoadStoreAlignment);
    expect(u(cpu.sr[SR.EXCVADDR]!)).toBe(DRAM + 2);
    expect(u(cpu.sr[SR.EPC1]!)).toBe(loadPc);
    expect(u(cpu.pc)).toBe(IRAM + 0x300);
    expect(cpu.ps & 0x10).toBe(0x10);
  });

  it('a load from unmapped memory raises LoadProhibited; a store StoreProhibited', () => {
    const load = run((a) => a.movi(2, 0x100).l32i(3, 2, 0), { vectors: (v) => v.org(IRAM + 0x300).break_(1, 1) });
    expect(load.sr[SR.EXCCAUSE]).toBe(Cause.LoadProhibited);
    expect(load.sr[SR.EXCVADDR]).toBe(0x100);
    const store = run((a) => a.movi(2, 0x100).s32i(3, 2, 4), { vectors: (v) => v.org(IRAM + 0x300).break_(1, 1) });
    expect(store.sr[SR.EXCCAUSE]).toBe(Cause.StoreProhibited);
    expect(store.sr[SR.EXCVADDR]).toBe(0x104);
  });
});
