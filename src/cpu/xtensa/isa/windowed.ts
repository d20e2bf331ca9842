/**
 * Windowed register option: CALL4/8/12, CALLX4/8/12, ENTRY, RETW/RETW.N, MOVSP, ROTW, RFWO/RFWU.
 * The window mechanics (overflow check, underflow on RETW) live in the CPU (cpu.ts).
 */
import { fS, fT, sext, hex, type XtExec, type XtPattern } from '../decoded.js';
import { XtensaException } from '../exceptions.js';
import { Cause, PS_CALLINC, PS_CALLINC_SHIFT, PS_EXCM, PS_OWB, PS_OWB_SHIFT, SR } from '../sr.js';
import { callTarget } from './branch.js';
import { insn, mk, reg } from './common.js';

const TAKEN = 2;

const execCallN: XtExec = (cpu, d) => {
  cpu.windowedCall(d.a, d.e);
  cpu.cycles += TAKEN;
};
const execCallxN: XtExec = (cpu, d) => {
  cpu.windowedCall(d.a, cpu.ar[d.b]!);
  cpu.cycles += TAKEN;
};

/** ENTRY as, imm: a(CALLINC*4 + s) ← as − imm; WINDOWBASE += CALLINC; WINDOWSTART[WINDOWBASE] ← 1. */
const execEntry: XtExec = (cpu, d) => {
  const callinc = (cpu.ps & PS_CALLINC) >>> PS_CALLINC_SHIFT;
  const sp = cpu.ar[d.b]! - d.e;
  cpu.ar[callinc * 4 + d.b] = sp;
  cpu.setWindowBase(cpu.windowBase + callinc);
  cpu.windowStart |= 1 << cpu.windowBase;
};

const execRetw: XtExec = (cpu) => {
  cpu.retw();
  cpu.cycles += TAKEN;
};

/** MOVSP at, as: Alloca exception unless the caller's frames are live (a WINDOWSTART bit in WB−1…WB−3). */
const execMovsp: XtExec = (cpu, d) => {
  const ws = cpu.windowStart | (cpu.windowStart << 16);
  const wb = cpu.windowBase + 16;
  if (((ws >>> (wb - 3)) & 7) === 0) throw new XtensaException(Cause.Alloca);
  cpu.ar[d.a] = cpu.ar[d.b]!;
};

const execRotw: XtExec = (cpu, d) => {
  cpu.setWindowBase(cpu.windowBase + d.e);
};

/** RFWO/RFWU: return from a window exception handler; the handler's frame bit is cleared (RFWO) or set (RFWU). */
function rfw(set: boolean): XtExec {
  return (cpu) => {
    if ((cpu.ps & PS_EXCM) === 0) throw new XtensaException(Cause.IllegalInstruction);
    if (set) cpu.windowStart |= 1 << cpu.windowBase;
    else cpu.windowStart &= ~(1 << cpu.windowBase);
    const owb = (cpu.ps & PS_OWB) >>> PS_OWB_SHIFT;
    cpu.ps &= ~PS_EXCM;
    cpu.setWindowBase(owb);
    cpu.nextPc = cpu.sr[SR.EPC1]! >>> 0;
  };
}

export const patterns: readonly XtPattern[] = [
  ...[1, 2, 3].map((n) =>
    insn(`call${n * 4}`, 3, { op0: 5, n }, (raw, pc) => mk(execCallN, raw, 3, n, 0, 0, 0, callTarget(raw, pc), [n * 4]),
      (raw, pc) => `call${n * 4} ${hex(callTarget(raw, pc))}`)),
  ...[1, 2, 3].map((n) =>
    insn(`callx${n * 4}`, 3, { op0: 0, op1: 0, op2: 0, r: 0, m: 3, n }, (raw) => mk(execCallxN, raw, 3, n, fS(raw), 0, 0, 0, [n * 4, fS(raw)]),
      (raw) => `callx${n * 4} ${reg(fS(raw))}`)),
  insn('entry', 3, { op0: 6, n: 3, m: 0 }, (raw) => {
    if (fS(raw) > 3) return null; // ISA: undefined for as > a3 → IllegalInstruction here
    return mk(execEntry, raw, 3, 0, fS(raw), 0, 0, (raw >>> 12) * 8, [fS(raw)]);
  }, (raw) => `entry ${reg(fS(raw))}, ${(raw >>> 12) * 8}`),
  insn('retw', 3, { op0: 0, op1: 0, op2: 0, r: 0, m: 2, n: 1, s: 0 }, (raw) => mk(execRetw, raw, 3, 0, 0, 0, 0, 0, [0]), () => 'retw'),
  insn('retw.n', 2, { op0: 13, r: 15, t: 1, s: 0 }, (raw) => mk(execRetw, raw, 2, 0, 0, 0, 0, 0, [0]), () => 'retw.n'),
  insn('movsp', 3, { op0: 0, op1: 0, op2: 0, r: 1 }, (raw) => mk(execMovsp, raw, 3, fT(raw), fS(raw), 0, 0, 0, [fT(raw), fS(raw)]),
    (raw) => `movsp ${reg(fT(raw))}, ${reg(fS(raw))}`),
  insn('rotw', 3, { op0: 0, op1: 0, op2: 4, r: 8, s: 0 }, (raw) => mk(execRotw, raw, 3, 0, 0, 0, 0, sext(fT(raw), 4), []),
    (raw) => `rotw ${sext(fT(raw), 4)}`),
  insn('rfwo', 3, { op0: 0, op1: 0, op2: 0, r: 3, s: 4, t: 0 }, (raw) => mk(rfw(false), raw, 3, 0, 0, 0, 0, 0, []), () => 'rfwo'),
  insn('rfwu', 3, { op0: 0, op1: 0, op2: 0, r: 3, s: 5, t: 0 }, (raw) => mk(rfw(true), raw, 3, 0, 0, 0, 0, 0, []), () => 'rfwu'),
];

