/**
 * Branches and jumps: the op0 = 7 register-register branches (BEQ … BBSI), the op0 = 6 SI group (J,
 * BEQZ/BNEZ/BLTZ/BGEZ, BEQI … BGEI and BLTUI/BGEUI with the B4CONST tables, BF/BT), CALL0/CALLX0,
 * RET/JX and the narrow BEQZ.N/BNEZ.N. Targets are computed at decode time; a taken branch costs 2 extra
 * cycles (the LX6 pipeline refill, approximate).
 */
import { fR, fS, fT, imm8, sext, hex, type XtExec, type XtPattern } from '../decoded.js';
import { B4CONST, B4CONSTU, SR } from '../sr.js';
import { insn, mk, reg } from './common.js';

const TAKEN = 2;

/** op0 = 7 (RRI8 branch): as, at (or bit number), target = PC + 4 + sext(imm8). */
function brr(name: string, r: number, test: (s: number, t: number) => boolean): XtPattern {
  const exec: XtExec = (cpu, d) => {
    if (test(cpu.ar[d.b]!, cpu.ar[d.c]!)) {
      cpu.nextPc = d.e;
      cpu.cycles += TAKEN;
    }
  };
  return insn(name, 3, { op0: 7, r }, (raw, pc) => mk(exec, raw, 3, 0, fS(raw), fT(raw), 0, (pc + 4 + sext(imm8(raw), 8)) >>> 0, [fS(raw), fT(raw)]),
    (raw, pc) => `${name} ${reg(fS(raw))}, ${reg(fT(raw))}, ${hex(pc + 4 + sext(imm8(raw), 8))}`);
}

/** BBCI/BBSI: the bit number is r[0]:t. */
function bbi(name: string, r: number, set: number): XtPattern {
  const exec: XtExec = (cpu, d) => {
    if (((cpu.ar[d.b]! >>> d.c) & 1) === set) {
      cpu.nextPc = d.e;
      cpu.cycles += TAKEN;
    }
  };
  const bit = (raw: number): number => ((fR(raw) & 1) << 4) | fT(raw);
  return insn(name, 3, { op0: 7, r }, (raw, pc) => mk(exec, raw, 3, 0, fS(raw), bit(raw), 0, (pc + 4 + sext(imm8(raw), 8)) >>> 0, [fS(raw)]),
    (raw, pc) => `${name} ${reg(fS(raw))}, ${bit(raw)}, ${hex(pc + 4 + sext(imm8(raw), 8))}`);
}

/** BRI12: BEQZ … BGEZ as, target = PC + 4 + sext(imm12). */
function bz(name: string, m: number, test: (s: number) => boolean): XtPattern {
  const exec: XtExec = (cpu, d) => {
    if (test(cpu.ar[d.b]!)) {
      cpu.nextPc = d.e;
      cpu.cycles += TAKEN;
    }
  };
  const target = (raw: number, pc: number): number => (pc + 4 + sext(raw >>> 12, 12)) >>> 0;
  return insn(name, 3, { op0: 6, n: 1, m }, (raw, pc) => mk(exec, raw, 3, 0, fS(raw), 0, 0, target(raw, pc), [fS(raw)]),
    (raw, pc) => `${name} ${reg(fS(raw))}, ${hex(target(raw, pc))}`);
}

/** BRI8 with a B4CONST/B4CONSTU immediate in r. */
function bi(name: string, f: { n: number; m: number }, table: readonly number[], test: (s: number, c: number) => boolean): XtPattern {
  const exec: XtExec = (cpu, d) => {
    if (test(cpu.ar[d.b]!, d.c)) {
      cpu.nextPc = d.e;
      cpu.cycles += TAKEN;
    }
  };
  return insn(name, 3, { op0: 6, ...f }, (raw, pc) => mk(exec, raw, 3, 0, fS(raw), table[fR(raw)]!, 0, (pc + 4 + sext(imm8(raw), 8)) >>> 0, [fS(raw)]),
    (raw, pc) => `${name} ${reg(fS(raw))}, ${table[fR(raw)]}, ${hex(pc + 4 + sext(imm8(raw), 8))}`);
}

/** BF/BT (Boolean option): branch on BR bit s. */
function bbool(name: string, r: number, want: number): XtPattern {
  const exec: XtExec = (cpu, d) => {
    if (((cpu.sr[SR.BR]! >>> d.b) & 1) === want) {
      cpu.nextPc = d.e;
      cpu.cycles += TAKEN;
    }
  };
  return insn(name, 3, { op0: 6, n: 3, m: 1, r }, (raw, pc) => mk(exec, raw, 3, 0, fS(raw), 0, 0, (pc + 4 + sext(imm8(raw), 8)) >>> 0, []),
    (raw, pc) => `${name} b${fS(raw)}, ${hex(pc + 4 + sext(imm8(raw), 8))}`);
}

/** Narrow BEQZ.N/BNEZ.N: target = PC + 4 + imm6 (unsigned), imm6 = t[1:0]:r. */
function bzn(name: string, z: number, test: (s: number) => boolean): XtPattern {
  const exec: XtExec = (cpu, d) => {
    if (test(cpu.ar[d.b]!)) {
      cpu.nextPc = d.e;
      cpu.cycles += TAKEN;
    }
  };
  const target = (raw: number, pc: number): number => (pc + 4 + (((fT(raw) & 3) << 4) | fR(raw))) >>> 0;
  // bit 7 = 1 (branch), bit 6 = z: m field is 1:z.
  return insn(name, 2, { op0: 12, m: 2 | z }, (raw, pc) => mk(exec, raw, 2, 0, fS(raw), 0, 0, target(raw, pc), [fS(raw)]),
    (raw, pc) => `${name} ${reg(fS(raw))}, ${hex(target(raw, pc))}`);
}

const execJ: XtExec = (cpu, d) => {
  cpu.nextPc = d.e;
  cpu.cycles += TAKEN;
};
const execJx: XtExec = (cpu, d) => {
  cpu.nextPc = cpu.ar[d.b]! >>> 0;
  cpu.cycles += TAKEN;
};
const execRet: XtExec = (cpu) => {
  cpu.nextPc = cpu.ar[0]! >>> 0;
  cpu.cycles += TAKEN;
};
const execCall0: XtExec = (cpu, d) => {
  cpu.ar[0] = cpu.nextPc;
  cpu.nextPc = d.e;
  cpu.cycles += TAKEN;
};
const execCallx0: XtExec = (cpu, d) => {
  const target = cpu.ar[d.b]! >>> 0;
  cpu.ar[0] = cpu.nextPc;
  cpu.nextPc = target;
  cpu.cycles += TAKEN;
};

/** CALLn target: (PC[31:2] << 2) + (sext(offset18) << 2) + 4. */
export const callTarget = (raw: number, pc: number): number => (((pc & ~3) >>> 0) + sext(raw >>> 6, 18) * 4 + 4) >>> 0;
const jTarget = (raw: number, pc: number): number => (pc + 4 + sext(raw >>> 6, 18)) >>> 0;

const u = (x: number): number => x >>> 0;

export const patterns: readonly XtPattern[] = [
  brr('bnone', 0, (s, t) => (s & t) === 0),
  brr('beq', 1, (s, t) => s === t),
  brr('blt', 2, (s, t) => s < t),
  brr('bltu', 3, (s, t) => u(s) < u(t)),
  brr('ball', 4, (s, t) => (~s & t) === 0),
  brr('bbc', 5, (s, t) => ((s >>> (t & 31)) & 1) === 0),
  bbi('bbci', 6, 0),
  bbi('bbci', 7, 0),
  brr('bany', 8, (s, t) => (s & t) !== 0),
  brr('bne', 9, (s, t) => s !== t),
  brr('bge', 10, (s, t) => s >= t),
  brr('bgeu', 11, (s, t) => u(s) >= u(t)),
  brr('bnall', 12, (s, t) => (~s & t) !== 0),
  brr('bbs', 13, (s, t) => ((s >>> (t & 31)) & 1) === 1),
  bbi('bbsi', 14, 1),
  bbi('bbsi', 15, 1),
  bz('beqz', 0, (s) => s === 0),
  bz('bnez', 1, (s) => s !== 0),
  bz('bltz', 2, (s) => s < 0),
  bz('bgez', 3, (s) => s >= 0),
  bi('beqi', { n: 2, m: 0 }, B4CONST, (s, c) => s === c),
  bi('bnei', { n: 2, m: 1 }, B4CONST, (s, c) => s !== c),
  bi('blti', { n: 2, m: 2 }, B4CONST, (s, c) => s < c),
  bi('bgei', { n: 2, m: 3 }, B4CONST, (s, c) => s >= c),
  bi('bltui', { n: 3, m: 2 }, B4CONSTU, (s, c) => u(s) < c),
  bi('bgeui', { n: 3, m: 3 }, B4CONSTU, (s, c) => u(s) >= c),
  bbool('bf', 0, 0),
  bbool('bt', 1, 1),
  insn('j', 3, { op0: 6, n: 0 }, (raw, pc) => mk(execJ, raw, 3, 0, 0, 0, 0, jTarget(raw, pc), []), (raw, pc) => `j ${hex(jTarget(raw, pc))}`),
  insn('call0', 3, { op0: 5, n: 0 }, (raw, pc) => mk(execCall0, raw, 3, 0, 0, 0, 0, callTarget(raw, pc), [0]),
    (raw, pc) => `call0 ${hex(callTarget(raw, pc))}`),
  // SNM0 group (op0 = op1 = op2 = r = 0): m = 2 jumps, m = 3 calls.
  insn('ret', 3, { op0: 0, op1: 0, op2: 0, r: 0, m: 2, n: 0, s: 0 }, (raw) => mk(execRet, raw, 3, 0, 0, 0, 0, 0, [0]), () => 'ret'),
  insn('jx', 3, { op0: 0, op1: 0, op2: 0, r: 0, m: 2, n: 2 }, (raw) => mk(execJx, raw, 3, 0, fS(raw), 0, 0, 0, [fS(raw)]), (raw) => `jx ${reg(fS(raw))}`),
  insn('callx0', 3, { op0: 0, op1: 0, op2: 0, r: 0, m: 3, n: 0 }, (raw) => mk(execCallx0, raw, 3, 0, fS(raw), 0, 0, 0, [0, fS(raw)]),
    (raw) => `callx0 ${reg(fS(raw))}`),
  bzn('beqz.n', 0, (s) => s === 0),
  bzn('bnez.n', 1, (s) => s !== 0),
  insn('ret.n', 2, { op0: 13, r: 15, t: 0, s: 0 }, (raw) => mk(execRet, raw, 2, 0, 0, 0, 0, 0, [0]), () => 'ret.n'),
];

