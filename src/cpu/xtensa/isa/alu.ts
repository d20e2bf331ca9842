/**
 * Integer ALU instructions (RRR/RRI8 formats): add/sub with scaling, logic, MOVI/ADDI/ADDMI, conditional
 * moves, MIN/MAX, SEXT/CLAMPS, NSA/NSAU, NEG/ABS, the SAR-based and immediate shifts, EXTUI,
 * MUL16/MULL/MULUH/MULSH and the DIV32 option (QUOU/QUOS/REMU/REMS).
 */
import { fR, fS, fT, imm8, op2, sext, type XtExec, type XtPattern } from '../decoded.js';
import { XtensaException } from '../exceptions.js';
import { Cause } from '../sr.js';
import { insn, mk, reg } from './common.js';

/** RRR with ar, as, at: `op(as, at)` → ar. */
function rrr(name: string, f: { op1: number; op2: number }, op: (s: number, t: number) => number): XtPattern {
  const exec: XtExec = (cpu, d) => {
    cpu.ar[d.a] = op(cpu.ar[d.b]!, cpu.ar[d.c]!);
  };
  return insn(name, 3, { op0: 0, ...f }, (raw) => mk(exec, raw, 3, fR(raw), fS(raw), fT(raw), 0, 0, [fR(raw), fS(raw), fT(raw)]),
    (raw) => `${name} ${reg(fR(raw))}, ${reg(fS(raw))}, ${reg(fT(raw))}`);
}

/** Unsigned high word of the 64-bit product, in exact double arithmetic (16-bit pieces). */
export function umulh(a: number, b: number): number {
  a >>>= 0;
  b >>>= 0;
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const lh = al * bh, hl = ah * bl;
  const mid = ((al * bl) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + Math.floor(lh / 65536) + Math.floor(hl / 65536) + Math.floor(mid / 65536)) >>> 0;
}

export function smulh(a: number, b: number): number {
  let h = umulh(a, b);
  if ((a | 0) < 0) h -= b;
  if ((b | 0) < 0) h -= a;
  return h | 0;
}

/** Funnel shift right of hi:lo by sa (0..63), low 32 bits: the SRC/SRL/SLL datapath. */
export function funnel(hi: number, lo: number, sa: number): number {
  if (sa >= 32) {
    lo = hi;
    hi = 0;
    sa -= 32;
  }
  return sa === 0 ? lo | 0 : ((lo >>> sa) | (hi << (32 - sa))) | 0;
}

function divZero(t: number): void {
  if (t === 0) throw new XtensaException(Cause.IntegerDivideByZero);
}

const execSrc: XtExec = (cpu, d) => {
  cpu.ar[d.a] = funnel(cpu.ar[d.b]!, cpu.ar[d.c]!, cpu.sar);
};
const execAddi: XtExec = (cpu, d) => {
  cpu.ar[d.a] = cpu.ar[d.b]! + d.e;
};
const execMovi: XtExec = (cpu, d) => {
  cpu.ar[d.a] = d.e;
};

/** ar, at with an immediate field: shifts by constant, EXTUI. */
function rrImm(name: string, f: Record<string, number>, regs: (raw: number) => [number, number], imm: (raw: number) => number,
  op: (v: number, imm: number) => number): XtPattern {
  const exec: XtExec = (cpu, d) => {
    cpu.ar[d.a] = op(cpu.ar[d.b]!, d.e);
  };
  return insn(name, 3, { op0: 0, ...f }, (raw) => {
    const [r, s] = regs(raw);
    return mk(exec, raw, 3, r, s, 0, 0, imm(raw), [r, s]);
  }, (raw) => `${name} ${reg(regs(raw)[0])}, ${reg(regs(raw)[1])}, ${imm(raw)}`);
}

/** Two-register forms `name ar, as` (or at) with a value computed from one source and possibly SAR. */
function rr(name: string, f: Record<string, number>, regs: (raw: number) => [number, number], op: (v: number, sar: number, imm: number) => number,
  imm: (raw: number) => number = () => 0, immText = false): XtPattern {
  const exec: XtExec = (cpu, d) => {
    cpu.ar[d.a] = op(cpu.ar[d.b]!, cpu.sar, d.e);
  };
  return insn(name, 3, { op0: 0, ...f }, (raw) => {
    const [r, s] = regs(raw);
    return mk(exec, raw, 3, r, s, 0, 0, imm(raw), [r, s]);
  }, (raw) => `${name} ${reg(regs(raw)[0])}, ${reg(regs(raw)[1])}${immText ? `, ${imm(raw)}` : ''}`);
}

const RS = (raw: number): [number, number] => [fR(raw), fS(raw)];
const RT = (raw: number): [number, number] => [fR(raw), fT(raw)];
const TS = (raw: number): [number, number] => [fT(raw), fS(raw)];

/** Conditional moves: ar ← as when the test on at holds. */
function cmov(name: string, o2: number, test: (t: number) => boolean): XtPattern {
  const exec: XtExec = (cpu, d) => {
    if (test(cpu.ar[d.c]!)) cpu.ar[d.a] = cpu.ar[d.b]!;
  };
  return insn(name, 3, { op0: 0, op1: 3, op2: o2 }, (raw) => mk(exec, raw, 3, fR(raw), fS(raw), fT(raw), 0, 0, [fR(raw), fS(raw), fT(raw)]),
    (raw) => `${name} ${reg(fR(raw))}, ${reg(fS(raw))}, ${reg(fT(raw))}`);
}

export const patterns: readonly XtPattern[] = [
  rrr('and', { op1: 0, op2: 1 }, (s, t) => s & t),
  rrr('or', { op1: 0, op2: 2 }, (s, t) => s | t),
  rrr('xor', { op1: 0, op2: 3 }, (s, t) => s ^ t),
  rrr('add', { op1: 0, op2: 8 }, (s, t) => s + t),
  rrr('addx2', { op1: 0, op2: 9 }, (s, t) => (s << 1) + t),
  rrr('addx4', { op1: 0, op2: 10 }, (s, t) => (s << 2) + t),
  rrr('addx8', { op1: 0, op2: 11 }, (s, t) => (s << 3) + t),
  rrr('sub', { op1: 0, op2: 12 }, (s, t) => s - t),
  rrr('subx2', { op1: 0, op2: 13 }, (s, t) => (s << 1) - t),
  rrr('subx4', { op1: 0, op2: 14 }, (s, t) => (s << 2) - t),
  rrr('subx8', { op1: 0, op2: 15 }, (s, t) => (s << 3) - t),
  rr('neg', { op1: 0, op2: 6, s: 0 }, RT, (t) => -t),
  rr('abs', { op1: 0, op2: 6, s: 1 }, RT, (t) => (t < 0 ? -t : t)),
  // NSA: redundant sign bits (31 for 0 and -1); NSAU: leading zeros (32 for 0). t is the destination.
  rr('nsa', { op1: 0, op2: 4, r: 14 }, TS, (s) => Math.clz32(s < 0 ? ~s : s) - 1),
  rr('nsau', { op1: 0, op2: 4, r: 15 }, TS, (s) => Math.clz32(s)),
  // Shifts through SAR.
  insn('src', 3, { op0: 0, op1: 1, op2: 8 }, (raw) => mk(execSrc, raw, 3, fR(raw), fS(raw), fT(raw), 0, 0, [fR(raw), fS(raw), fT(raw)]),
    (raw) => `src ${reg(fR(raw))}, ${reg(fS(raw))}, ${reg(fT(raw))}`),
  rr('srl', { op1: 1, op2: 9, s: 0 }, RT, (t, sar) => funnel(0, t, sar)),
  rr('sll', { op1: 1, op2: 10, t: 0 }, RS, (s, sar) => funnel(s, 0, sar)),
  rr('sra', { op1: 1, op2: 11, s: 0 }, RT, (t, sar) => (sar >= 32 ? t >> 31 : t >> sar)),
  // Immediate shifts. SLLI stores 32 − sa in op2[0]:t; SRAI stores sa in op2[0]:s; SRLI sa in s.
  rrImm('slli', { op1: 1, op2: 0 }, RS, (raw) => 32 - (((op2(raw) & 1) << 4) | fT(raw)), (v, sa) => (sa >= 32 ? 0 : v << sa)),
  rrImm('slli', { op1: 1, op2: 1 }, RS, (raw) => 32 - (((op2(raw) & 1) << 4) | fT(raw)), (v, sa) => v << sa),
  rrImm('srai', { op1: 1, op2: 2 }, RT, (raw) => fS(raw), (v, sa) => v >> sa),
  rrImm('srai', { op1: 1, op2: 3 }, RT, (raw) => 16 | fS(raw), (v, sa) => v >> sa),
  rrImm('srli', { op1: 1, op2: 4 }, RT, (raw) => fS(raw), (v, sa) => v >>> sa),
  // EXTUI ar, at, shift, bits: shift = op1[0]:s, bits = op2 + 1.
  ...[4, 5].map((o1) => {
    const exec: XtExec = (cpu, d) => {
      cpu.ar[d.a] = (cpu.ar[d.b]! >>> d.c) & d.e;
    };
    return insn('extui', 3, { op0: 0, op1: o1 }, (raw) => {
      const sh = ((o1 & 1) << 4) | fS(raw);
      const bits = op2(raw) + 1;
      return mk(exec, raw, 3, fR(raw), fT(raw), sh, 0, bits === 32 ? -1 : (1 << bits) - 1, [fR(raw), fT(raw)]);
    }, (raw) => `extui ${reg(fR(raw))}, ${reg(fT(raw))}, ${((o1 & 1) << 4) | fS(raw)}, ${op2(raw) + 1}`);
  }),
  // Multiplies (MUL16, MUL32 with MULUH/MULSH) and DIV32.
  rrr('mul16u', { op1: 1, op2: 12 }, (s, t) => (s & 0xffff) * (t & 0xffff)),
  rrr('mul16s', { op1: 1, op2: 13 }, (s, t) => ((s << 16) >> 16) * ((t << 16) >> 16)),
  rrr('mull', { op1: 2, op2: 8 }, (s, t) => Math.imul(s, t)),
  rrr('muluh', { op1: 2, op2: 10 }, umulh),
  rrr('mulsh', { op1: 2, op2: 11 }, smulh),
  rrr('quou', { op1: 2, op2: 12 }, (s, t) => (divZero(t), Math.floor((s >>> 0) / (t >>> 0)))),
  rrr('quos', { op1: 2, op2: 13 }, (s, t) => (divZero(t), (s / t) | 0)),
  rrr('remu', { op1: 2, op2: 14 }, (s, t) => (divZero(t), (s >>> 0) % (t >>> 0))),
  rrr('rems', { op1: 2, op2: 15 }, (s, t) => (divZero(t), s % t)),
  // Miscellaneous operations option.
  rrImm('sext', { op1: 3, op2: 2 }, RS, (raw) => fT(raw) + 7, (v, b) => sext(v, b + 1)),
  rrImm('clamps', { op1: 3, op2: 3 }, RS, (raw) => fT(raw) + 7, (v, b) => {
    const hi = 2 ** b - 1;
    return v > hi ? hi : v < -hi - 1 ? -hi - 1 : v;
  }),
  rrr('min', { op1: 3, op2: 4 }, (s, t) => (s < t ? s : t)),
  rrr('max', { op1: 3, op2: 5 }, (s, t) => (s > t ? s : t)),
  rrr('minu', { op1: 3, op2: 6 }, (s, t) => ((s >>> 0) < (t >>> 0) ? s : t)),
  rrr('maxu', { op1: 3, op2: 7 }, (s, t) => ((s >>> 0) > (t >>> 0) ? s : t)),
  cmov('moveqz', 8, (t) => t === 0),
  cmov('movnez', 9, (t) => t !== 0),
  cmov('movltz', 10, (t) => t < 0),
  cmov('movgez', 11, (t) => t >= 0),
  // RRI8 arithmetic: ADDI, ADDMI, MOVI.
  insn('addi', 3, { op0: 2, r: 12 }, (raw) => mk(execAddi, raw, 3, fT(raw), fS(raw), 0, 0, sext(imm8(raw), 8), [fT(raw), fS(raw)]),
    (raw) => `addi ${reg(fT(raw))}, ${reg(fS(raw))}, ${sext(imm8(raw), 8)}`),
  insn('addmi', 3, { op0: 2, r: 13 }, (raw) => mk(execAddi, raw, 3, fT(raw), fS(raw), 0, 0, sext(imm8(raw), 8) * 256, [fT(raw), fS(raw)]),
    (raw) => `addmi ${reg(fT(raw))}, ${reg(fS(raw))}, ${sext(imm8(raw), 8) * 256}`),
  insn('movi', 3, { op0: 2, r: 10 }, (raw) => mk(execMovi, raw, 3, fT(raw), 0, 0, 0, sext((fS(raw) << 8) | imm8(raw), 12), [fT(raw)]),
    (raw) => `movi ${reg(fT(raw))}, ${sext((fS(raw) << 8) | imm8(raw), 12)}`),
];
