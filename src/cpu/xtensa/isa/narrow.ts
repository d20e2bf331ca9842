/** Code density option, arithmetic forms: ADD.N, ADDI.N, MOV.N, MOVI.N (loads/stores and branches live with their classes). */
import { fR, fS, fT, type XtExec, type XtPattern } from '../decoded.js';
import { insn, mk, reg } from './common.js';

const execAdd: XtExec = (cpu, d) => {
  cpu.ar[d.a] = cpu.ar[d.b]! + cpu.ar[d.c]!;
};
const execAddi: XtExec = (cpu, d) => {
  cpu.ar[d.a] = cpu.ar[d.b]! + d.e;
};
const execMov: XtExec = (cpu, d) => {
  cpu.ar[d.a] = cpu.ar[d.b]!;
};
const execMovi: XtExec = (cpu, d) => {
  cpu.ar[d.a] = d.e;
};

/** ADDI.N immediate: t = 0 encodes −1, otherwise 1..15. */
const addinImm = (raw: number): number => (fT(raw) === 0 ? -1 : fT(raw));
/** MOVI.N imm7 = t[2:0]:r, range −32..95: values with bits 6 and 5 both set are negative. */
export const moviNImm = (raw: number): number => {
  const v = ((fT(raw) & 7) << 4) | fR(raw);
  return (v & 0x60) === 0x60 ? v - 128 : v;
};

export const patterns: readonly XtPattern[] = [
  insn('add.n', 2, { op0: 10 }, (raw) => mk(execAdd, raw, 2, fR(raw), fS(raw), fT(raw), 0, 0, [fR(raw), fS(raw), fT(raw)]),
    (raw) => `add.n ${reg(fR(raw))}, ${reg(fS(raw))}, ${reg(fT(raw))}`),
  insn('addi.n', 2, { op0: 11 }, (raw) => mk(execAddi, raw, 2, fR(raw), fS(raw), 0, 0, addinImm(raw), [fR(raw), fS(raw)]),
    (raw) => `addi.n ${reg(fR(raw))}, ${reg(fS(raw))}, ${addinImm(raw)}`),
  insn('mov.n', 2, { op0: 13, r: 0 }, (raw) => mk(execMov, raw, 2, fT(raw), fS(raw), 0, 0, 0, [fT(raw), fS(raw)]),
    (raw) => `mov.n ${reg(fT(raw))}, ${reg(fS(raw))}`),
  // bit 7 = 0 selects MOVI.N in the op0 = 12 group (bit 7 is the top bit of t).
  ...[0, 1].map((m) =>
    insn('movi.n', 2, { op0: 12, m }, (raw) => mk(execMovi, raw, 2, fS(raw), 0, 0, 0, moviNImm(raw), [fS(raw)]),
      (raw) => `movi.n ${reg(fS(raw))}, ${moviNImm(raw)}`)),
];
