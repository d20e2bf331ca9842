/**
 * Processor control: SAR setup (SSR/SSL/SSA8L/SSA8B/SSAI), special/user registers (RSR/WSR/XSR,
 * RUR/WUR), synchronisation (ISYNC … NOP), exceptions (SYSCALL, BREAK, ILL, RFE/RFDE/RFI, RSIL, WAITI)
 * and zero-overhead loops (LOOP/LOOPNEZ/LOOPGTZ).
 */
import { fR, fS, fT, imm8, hex, type XtExec, type XtPattern } from '../decoded.js';
import { XtensaException } from '../exceptions.js';
import { Cause, PS_EXCM, PS_INTLEVEL, SR, SR_NAMES } from '../sr.js';
import { insn, mk, reg } from './common.js';

/** SAR-setting instructions: SAR ← f(as). */
function sa(name: string, r: number, f: (s: number) => number): XtPattern {
  const exec: XtExec = (cpu, d) => {
    cpu.sar = f(cpu.ar[d.b]!);
  };
  return insn(name, 3, { op0: 0, op1: 0, op2: 4, r, t: 0 }, (raw) => mk(exec, raw, 3, 0, fS(raw), 0, 0, 0, [fS(raw)]), (raw) => `${name} ${reg(fS(raw))}`);
}

const execSsai: XtExec = (cpu, d) => {
  cpu.sar = d.e;
};
const execRsr: XtExec = (cpu, d) => {
  cpu.ar[d.a] = cpu.readSR(d.e);
};
const execWsr: XtExec = (cpu, d) => {
  cpu.writeSR(d.e, cpu.ar[d.a]!);
};
const execXsr: XtExec = (cpu, d) => {
  const old = cpu.readSR(d.e);
  cpu.writeSR(d.e, cpu.ar[d.a]!);
  cpu.ar[d.a] = old;
};
const execRur: XtExec = (cpu, d) => {
  cpu.ar[d.a] = cpu.readUR(d.e);
};
const execWur: XtExec = (cpu, d) => {
  cpu.writeUR(d.e, cpu.ar[d.a]!);
};
const execNop: XtExec = () => {};
const execIll: XtExec = () => {
  throw new XtensaException(Cause.IllegalInstruction);
};
const execSyscall: XtExec = () => {
  throw new XtensaException(Cause.Syscall);
};
/** BREAK/BREAK.N: the debug exception is next session's work; for now it stops the run at the instruction. */
const execBreak: XtExec = (cpu) => {
  cpu.nextPc = cpu.pc;
  cpu.requestStop('breakpoint');
};
const execRfe: XtExec = (cpu) => {
  cpu.ps &= ~PS_EXCM;
  cpu.nextPc = cpu.sr[SR.EPC1]! >>> 0;
};
/** RFDE: back to the first-level handler that took the double exception, which still runs with PS.EXCM set. */
const execRfde: XtExec = (cpu) => {
  cpu.nextPc = cpu.sr[SR.DEPC]! >>> 0;
};
/** RFI level: PS ← EPS[level], PC ← EPC[level] (levels 2..7 have EPS; EPC2 is SR 178). */
const execRfi: XtExec = (cpu, d) => {
  cpu.writeSR(SR.PS, cpu.sr[192 + d.e]!);
  cpu.nextPc = cpu.sr[176 + d.e]! >>> 0;
};
const execRsil: XtExec = (cpu, d) => {
  cpu.ar[d.a] = cpu.ps;
  cpu.ps = (cpu.ps & ~PS_INTLEVEL) | d.e;
};
const execWaiti: XtExec = (cpu, d) => {
  cpu.ps = (cpu.ps & ~PS_INTLEVEL) | d.e;
  cpu.sleeping = true;
};

/** LOOP family: LCOUNT ← as − 1, LBEG ← next instruction, LEND ← PC + 4 + imm8 (unsigned). */
function loop(name: string, r: number, skip: (s: number) => boolean): XtPattern {
  const exec: XtExec = (cpu, d) => {
    const s = cpu.ar[d.b]!;
    cpu.lcount = (s - 1) >>> 0;
    cpu.lbeg = cpu.nextPc;
    cpu.lend = d.e;
    if (skip(s)) cpu.nextPc = d.e;
  };
  return insn(name, 3, { op0: 6, n: 3, m: 1, r }, (raw, pc) => mk(exec, raw, 3, 0, fS(raw), 0, 0, (pc + 4 + imm8(raw)) >>> 0, [fS(raw)]),
    (raw, pc) => `${name} ${reg(fS(raw))}, ${hex(pc + 4 + imm8(raw))}`);
}

const srNum = (raw: number): number => (raw >>> 8) & 0xff;
const srName = (n: number): string => SR_NAMES.get(n) ?? String(n);

/** RSR/WSR/XSR at, sr: special registers this configuration lacks are IllegalInstruction (declined at decode). */
function srInsn(name: string, f: { op1: number; op2: number }, exec: XtExec): XtPattern {
  return insn(name, 3, { op0: 0, ...f }, (raw) => {
    const n = srNum(raw);
    if (!SR_NAMES.has(n)) return null;
    return mk(exec, raw, 3, fT(raw), 0, 0, 0, n, [fT(raw)]);
  }, (raw) => `${name} ${reg(fT(raw))}, ${srName(srNum(raw))}`);
}

function sync(name: string, t: number): XtPattern {
  return insn(name, 3, { op0: 0, op1: 0, op2: 0, r: 2, s: 0, t }, (raw) => mk(execNop, raw, 3, 0, 0, 0, 0, 0, []), () => name);
}

export const patterns: readonly XtPattern[] = [
  sa('ssr', 0, (s) => s & 31),
  sa('ssl', 1, (s) => 32 - (s & 31)),
  sa('ssa8l', 2, (s) => (s & 3) * 8),
  sa('ssa8b', 3, (s) => 32 - (s & 3) * 8),
  insn('ssai', 3, { op0: 0, op1: 0, op2: 4, r: 4 }, (raw) => {
    if (fT(raw) > 1) return null;
    return mk(execSsai, raw, 3, 0, 0, 0, 0, fS(raw) | ((fT(raw) & 1) << 4), []);
  }, (raw) => `ssai ${fS(raw) | ((fT(raw) & 1) << 4)}`),
  srInsn('rsr', { op1: 3, op2: 0 }, execRsr),
  srInsn('wsr', { op1: 3, op2: 1 }, execWsr),
  srInsn('xsr', { op1: 1, op2: 6 }, execXsr),
  insn('rur', 3, { op0: 0, op1: 3, op2: 14 }, (raw) => mk(execRur, raw, 3, fR(raw), 0, 0, 0, (raw >>> 4) & 0xff, [fR(raw)]),
    (raw) => `rur ${reg(fR(raw))}, ${(raw >>> 4) & 0xff}`),
  insn('wur', 3, { op0: 0, op1: 3, op2: 15 }, (raw) => mk(execWur, raw, 3, fT(raw), 0, 0, 0, srNum(raw), [fT(raw)]),
    (raw) => `wur ${reg(fT(raw))}, ${srNum(raw)}`),
  sync('isync', 0),
  sync('rsync', 1),
  sync('esync', 2),
  sync('dsync', 3),
  sync('excw', 8),
  sync('memw', 12),
  sync('extw', 13),
  sync('nop', 15),
  insn('nop.n', 2, { op0: 13, r: 15, t: 3, s: 0 }, (raw) => mk(execNop, raw, 2, 0, 0, 0, 0, 0, []), () => 'nop.n'),
  insn('ill', 3, { op0: 0, op1: 0, op2: 0, r: 0, m: 0, n: 0, s: 0 }, (raw) => mk(execIll, raw, 3, 0, 0, 0, 0, 0, []), () => 'ill'),
  insn('ill.n', 2, { op0: 13, r: 15, t: 6, s: 0 }, (raw) => mk(execIll, raw, 2, 0, 0, 0, 0, 0, []), () => 'ill.n'),
  insn('syscall', 3, { op0: 0, op1: 0, op2: 0, r: 5, s: 0, t: 0 }, (raw) => mk(execSyscall, raw, 3, 0, 0, 0, 0, 0, []), () => 'syscall'),
  insn('break', 3, { op0: 0, op1: 0, op2: 0, r: 4 }, (raw) => mk(execBreak, raw, 3, 0, 0, 0, 0, 0, []), (raw) => `break ${fS(raw)}, ${fT(raw)}`),
  insn('break.n', 2, { op0: 13, r: 15, t: 2 }, (raw) => mk(execBreak, raw, 2, 0, 0, 0, 0, 0, []), (raw) => `break.n ${fS(raw)}`),
  insn('rfe', 3, { op0: 0, op1: 0, op2: 0, r: 3, s: 0, t: 0 }, (raw) => mk(execRfe, raw, 3, 0, 0, 0, 0, 0, []), () => 'rfe'),
  insn('rfde', 3, { op0: 0, op1: 0, op2: 0, r: 3, s: 2, t: 0 }, (raw) => mk(execRfde, raw, 3, 0, 0, 0, 0, 0, []), () => 'rfde'),
  insn('rfi', 3, { op0: 0, op1: 0, op2: 0, r: 3, t: 1 }, (raw) => (fS(raw) < 2 ? null : mk(execRfi, raw, 3, 0, 0, 0, 0, fS(raw), [])),
    (raw) => `rfi ${fS(raw)}`),
  insn('rsil', 3, { op0: 0, op1: 0, op2: 0, r: 6 }, (raw) => mk(execRsil, raw, 3, fT(raw), 0, 0, 0, fS(raw), [fT(raw)]),
    (raw) => `rsil ${reg(fT(raw))}, ${fS(raw)}`),
  insn('waiti', 3, { op0: 0, op1: 0, op2: 0, r: 7, t: 0 }, (raw) => mk(execWaiti, raw, 3, 0, 0, 0, 0, fS(raw), []), (raw) => `waiti ${fS(raw)}`),
  loop('loop', 8, () => false),
  loop('loopnez', 9, (s) => s === 0),
  loop('loopgtz', 10, (s) => s <= 0),
];
