import { describe, expect, it } from 'vitest';
import type { XtAsm } from '../../../src/cpu/xtensa/asm.js';
import { Cause, SR } from '../../../src/cpu/xtensa/sr.js';
import { IRAM, run, u } from './helpers.js';

/** Emits `branch` to a label that sets a15 = 1, else a15 = 0; both fall into `__end`. */
function taken(a: XtAsm, branch: (a: XtAsm, target: string) => void): void {
  a.movi(15, 0);
  branch(a, 'yes');
  a.j('__end');
  a.label('yes').movi(15, 1);
}

function check(setup: (a: XtAsm) => void, branch: (a: XtAsm, target: string) => void): boolean {
  const cpu = run((a) => {
    setup(a);
    taken(a, branch);
  });
  return cpu.ar[15] === 1;
}

describe('xtensa branches', () => {
  const regs = (a: XtAsm): void => {
    a.movi(2, -5).movi(3, 3).movi(4, 3).movi(5, 0x0c).movi(6, 0x04);
  };
  it.each([
    ['beq equal', 'beq', 3, 4, true],
    ['beq different', 'beq', 2, 3, false],
    ['bne', 'bne', 2, 3, true],
    ['blt signed', 'blt', 2, 3, true],
    ['bltu (-5 is huge)', 'bltu', 2, 3, false],
    ['bge', 'bge', 3, 4, true],
    ['bgeu', 'bgeu', 2, 3, true],
    ['bany', 'bany', 5, 6, true],
    ['bnone', 'bnone', 3, 5, true],
    ['ball (0x04 within 0x0c)', 'ball', 5, 6, true],
    ['bnall (0x0c not within 0x04)', 'bnall', 6, 5, true],
    ['bbs bit 3 of 0x0c', 'bbs', 5, 3, true],
    ['bbc bit 3 of 3', 'bbc', 3, 4, true],
  ] as const)('%s', (_n, op, s, t, want) => {
    expect(check(regs, (a, l) => a.b(op, s, t, l))).toBe(want);
  });

  it('BBCI/BBSI test bit numbers 0..31 (little-endian numbering)', () => {
    expect(check((a) => a.movi(2, 1).slli(2, 2, 20), (a, l) => a.bbsi(2, 20, l))).toBe(true);
    expect(check((a) => a.movi(2, 1).slli(2, 2, 20), (a, l) => a.bbci(2, 20, l))).toBe(false);
    expect(check((a) => a.movi(2, -1), (a, l) => a.bbci(2, 31, l))).toBe(false);
    expect(check((a) => a.movi(2, 1), (a, l) => a.bbsi(2, 0, l))).toBe(true);
  });

  it('BEQZ/BNEZ/BLTZ/BGEZ and the narrow forms', () => {
    expect(check((a) => a.movi(2, 0), (a, l) => a.bz('beqz', 2, l))).toBe(true);
    expect(check((a) => a.movi(2, -1), (a, l) => a.bz('bltz', 2, l))).toBe(true);
    expect(check((a) => a.movi(2, 0), (a, l) => a.bz('bgez', 2, l))).toBe(true);
    expect(check((a) => a.movi(2, 0), (a, l) => a.bz('bnez', 2, l))).toBe(false);
    expect(check((a) => a.movi(2, 0), (a, l) => a.beqz_n(2, l))).toBe(true);
    expect(check((a) => a.movi(2, 7), (a, l) => a.bnez_n(2, l))).toBe(true);
  });

  it('immediate branches use the B4CONST and B4CONSTU tables', () => {
    expect(check((a) => a.movi(2, -1), (a, l) => a.bi('beqi', 2, -1, l))).toBe(true);
    expect(check((a) => a.movi(2, 256), (a, l) => a.bi('beqi', 2, 256, l))).toBe(true);
    expect(check((a) => a.movi(2, 10), (a, l) => a.bi('blti', 2, 12, l))).toBe(true);
    expect(check((a) => a.movi(2, -1), (a, l) => a.bi('bgei', 2, 1, l))).toBe(false);
    expect(check((a) => a.movi(2, -1), (a, l) => a.bi('bgeui', 2, 65536, l))).toBe(true);
    expect(check((a) => a.movi(2, 2047), (a, l) => a.bi('bltui', 2, 32768, l))).toBe(true);
    expect(check((a) => a.movi(2, 4), (a, l) => a.bi('bnei', 2, 4, l))).toBe(false);
  });

  it('backward branch loop counts down', () => {
    const cpu = run((a) => {
      a.movi(2, 10).movi(3, 0);
      a.label('top').addi(3, 3, 3).addi(2, 2, -1).bz('bnez', 2, 'top');
    });
    expect(cpu.ar[3]).toBe(30);
  });
});

describe('xtensa jumps and call0', () => {
  it('CALL0 links a0 to the next instruction, RET returns; CALLX0 and JX through registers', () => {
    const cpu = run((a) => {
      a.movi(5, 0).call(0, 'f').addi(5, 5, 100);
      a.j('skip');
      a.align(4).label('f').addi(5, 5, 1).mov(6, 0).ret();
      a.align(4).label('g').addi(5, 5, 10).ret_n();
      a.label('skip');
      a.j('code').align(4).label('gaddr').word(() => a.addr('g')).label('backaddr').word(() => a.addr('back')).label('code');
      a.l32r(7, 'gaddr').callx(0, 7).j('out').label('back').j('__end');
      a.label('out').l32r(8, 'backaddr').jx(8);
    });
    expect(cpu.ar[5]).toBe(111);
    expect(u(cpu.ar[6]!)).toBe(IRAM + 0x406); // movi at +0x400, call0 at +0x403
  });
});

describe('xtensa zero-overhead loops', () => {
  it('LOOP runs the body LCOUNT+1 times; narrow and wide instructions in the body', () => {
    const cpu = run((a) => {
      a.movi(2, 5).movi(3, 0).movi(4, 0);
      a.loop('loop', 2, 'end').addi_n(3, 3, 2).addi(4, 4, 1).label('end');
      a.rsr(5, 'lcount');
    });
    expect(cpu.ar[3]).toBe(10);
    expect(cpu.ar[4]).toBe(5);
    expect(cpu.ar[5]).toBe(0);
  });

  it('LOOPNEZ with 0 and LOOPGTZ with a negative count skip the body', () => {
    const cpu = run((a) => {
      a.movi(2, 0).movi(3, 0).loop('loopnez', 2, 'e1').addi(3, 3, 1).label('e1');
      a.movi(2, -4).loop('loopgtz', 2, 'e2').addi(3, 3, 1).label('e2');
      a.movi(2, 3).loop('loopgtz', 2, 'e3').addi(3, 3, 10).label('e3');
    });
    expect(cpu.ar[3]).toBe(30);
  });

  it('a taken branch to LEND leaves the loop (no loop-back on jumps)', () => {
    const cpu = run((a) => {
      a.movi(2, 100).movi(3, 0);
      a.loop('loop', 2, 'end').addi(3, 3, 1).bi('beqi', 3, 3, 'end').nop().label('end');
      a.rsr(4, 'lcount');
    });
    expect(cpu.ar[3]).toBe(3);
    expect(cpu.ar[4]).toBe(97);
  });
});

describe('xtensa multiply and divide', () => {
  it('MUL16U/S, MULL, MULUH, MULSH', () => {
    const cpu = run((a) => {
      a.movi(2, -1).movi(3, -2);
      a.op('mul16u', 4, 2, 3).op('mul16s', 5, 2, 3).op('mull', 6, 2, 3).op('muluh', 7, 2, 3).op('mulsh', 8, 2, 3);
      a.movi(9, 1).slli(9, 9, 31).op('mulsh', 10, 9, 9).op('muluh', 11, 9, 9);
    });
    expect(u(cpu.ar[4]!)).toBe(0xffff * 0xfffe);
    expect(cpu.ar[5]).toBe(2);
    expect(cpu.ar[6]).toBe(2);
    expect(u(cpu.ar[7]!)).toBe(0xfffffffd); // (2^32-1)(2^32-2) >> 32
    expect(cpu.ar[8]).toBe(0);
    expect(cpu.ar[10]).toBe(0x40000000);
    expect(cpu.ar[11]).toBe(0x40000000);
  });

  it('QUOU/QUOS/REMU/REMS including the 0x80000000 / -1 case', () => {
    const cpu = run((a) => {
      a.movi(2, -7).movi(3, 2);
      a.op('quou', 4, 2, 3).op('quos', 5, 2, 3).op('remu', 6, 2, 3).op('rems', 7, 2, 3);
      a.movi(8, 1).slli(8, 8, 31).movi(9, -1).op('quos', 10, 8, 9).op('rems', 11, 8, 9);
    });
    expect(u(cpu.ar[4]!)).toBe(0x7ffffffc);
    expect(cpu.ar[5]).toBe(-3);
    expect(cpu.ar[6]).toBe(1);
    expect(cpu.ar[7]).toBe(-1);
    expect(u(cpu.ar[10]!)).toBe(0x80000000);
    expect(cpu.ar[11]).toBe(0);
  });

  it('division by zero raises IntegerDivideByZero and leaves the destination', () => {
    let divPc = 0;
    const cpu = run((a) => {
      a.movi(2, 9).movi(3, 0).movi(4, 55);
      divPc = a.pc;
      a.op('quou', 4, 2, 3);
    }, { vectors: (v) => v.org(IRAM + 0x300).break_(1, 1) });
    expect(cpu.sr[SR.EXCCAUSE]).toBe(Cause.IntegerDivideByZero);
    expect(u(cpu.sr[SR.EPC1]!)).toBe(divPc);
    expect(cpu.ar[4]).toBe(55);
  });
});

describe('xtensa exceptions', () => {
  const vec = (v: XtAsm): void => {
    v.org(IRAM + 0x300).rsr(14, 'exccause').rsr(13, 'epc1').addi(13, 13, 3).wsr(13, 'epc1').rfe();
    v.org(IRAM + 0x340).movi(12, 0x340).break_(1, 2);
    v.org(IRAM + 0x3c0).movi(12, 0x3c0).break_(1, 3);
  };

  it('SYSCALL enters the kernel vector with EXCCAUSE 1; RFE returns to EPC1 and clears EXCM', () => {
    const cpu = run((a) => a.movi(14, -1).syscall().movi(2, 42).rsr(3, 'ps'), { vectors: vec });
    expect(cpu.ar[14]).toBe(Cause.Syscall);
    expect(cpu.ar[2]).toBe(42);
    expect(cpu.ar[3]! & 0x10).toBe(0);
  });

  it('ILL and an undefined encoding raise IllegalInstruction', () => {
    const c1 = run((a) => a.ill().movi(2, 1), { vectors: vec });
    expect(c1.ar[14]).toBe(Cause.IllegalInstruction);
    expect(c1.ar[2]).toBe(1);
    const c2 = run((a) => a.i24(0xfff0ff).movi(2, 2), { vectors: vec }); // op0 = 15: reserved
    expect(c2.ar[14]).toBe(Cause.IllegalInstruction);
    expect(c2.ar[2]).toBe(2);
  });

  it('PS.UM selects the user vector; an exception with EXCM set is a double exception (DEPC)', () => {
    const user = run((a) => a.movi(2, 0x20).wsr(2, 'ps').syscall(), { vectors: vec });
    expect(user.ar[12]).toBe(0x340);
    let sysPc = 0;
    const dbl = run((a) => {
      a.movi(2, 0x10).wsr(2, 'ps');
      sysPc = a.pc;
      a.syscall();
    }, { vectors: vec });
    expect(dbl.ar[12]).toBe(0x3c0);
    expect(u(dbl.sr[SR.DEPC]!)).toBe(sysPc);
  });

  it('fetching from unmapped memory raises InstFetchProhibited', () => {
    const cpu = run((a) => a.movi(2, 0x200).jx(2), { vectors: (v) => v.org(IRAM + 0x300).break_(1, 1) });
    expect(cpu.sr[SR.EXCCAUSE]).toBe(Cause.InstFetchProhibited);
    expect(cpu.sr[SR.EXCVADDR]).toBe(0x200);
    expect(cpu.sr[SR.EPC1]).toBe(0x200);
  });

  it('RSR/WSR/XSR: special registers round-trip; a nonexistent one is IllegalInstruction', () => {
    const cpu = run((a) => {
      a.movi(2, 0x123).wsr(2, 'excsave1').rsr(3, 'excsave1').movi(4, 7).xsr(4, 'excsave1').rsr(5, 'excsave1');
      a.rsr(6, 'prid').movi(7, 5).wsr(7, 'ccount').rsr(8, 'ccount');
      a.movi(9, 0x77).wur(9, 231).rur(10, 231);
      a.movi(14, -1).rsr(11, 100); // SR 100 does not exist
    }, { vectors: vec });
    expect(cpu.ar[3]).toBe(0x123);
    expect(cpu.ar[4]).toBe(0x123);
    expect(cpu.ar[5]).toBe(7);
    expect(cpu.ar[6]).toBe(0xcdcd);
    expect(cpu.ar[8]).toBe(6); // one instruction (one cycle) after the write
    expect(cpu.ar[10]).toBe(0x77);
    expect(cpu.ar[14]).toBe(Cause.IllegalInstruction);
  });

  it('RSIL returns the old PS and sets INTLEVEL; RFI 3 restores PS from EPS3 and jumps to EPC3', () => {
    const cpu = run((a) => {
      a.j('code').align(4).label('back').word(() => a.addr('after')).label('code');
      a.movi(2, 0x42).wsr(2, 'ps').rsil(3, 5).rsr(4, 'ps');
      a.l32r(5, 'back').wsr(5, 'epc3').movi(6, 0x21).wsr(6, 'eps3').rfi(3).movi(7, 1);
      a.label('after').rsr(8, 'ps');
    });
    expect(cpu.ar[3]).toBe(0x42);
    expect(cpu.ar[4]).toBe(0x45);
    expect(cpu.ar[7]).toBe(0);
    expect(cpu.ar[8]).toBe(0x21);
  });

  it('RFDE returns to DEPC with PS.EXCM still set', () => {
    const cpu = run((a) => {
      a.movi(2, 0x10).wsr(2, 'ps').syscall().movi(3, 3).rsr(4, 'ps');
    }, { vectors: (v) => v.org(IRAM + 0x3c0).rsr(13, 'depc').addi(13, 13, 3).wsr(13, 'depc').rfde() });
    expect(cpu.ar[3]).toBe(3);
    expect(cpu.ar[4]! & 0x10).toBe(0x10);
  });
});
