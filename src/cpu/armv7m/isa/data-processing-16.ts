/**
 * 16-bit Thumb data-processing instructions (ARM ARM DDI0403E A5.2.1–A5.2.5, A7.7).
 *
 * Flag-setting 16-bit forms set flags only outside IT blocks (`setflags = !InITBlock()`), decided at run
 * time from `cpu.inIT` because the decode cache is per address, not per IT context. Disassembly shows the
 * outside-IT spelling (`adds`); the tracer prints the IT context.
 *
 * Fields: a = Rd (or Rdn / Rn for compares), b = Rn or Rm, c = Rm or immediate, e = constant carry, f = SP write mask.
 */
import { addWithCarry, shiftC, SRType } from '../alu.js';
import type { Exec, Pattern } from '../decoded.js';
import {
  execAddImmNF,
  execRev,
  execRev16,
  execRevsh,
  execSetConst,
  execSxtb,
  execSxth,
  execUxtb,
  execUxth,
  hex,
  imm,
  insn,
  pat,
  R,
  setNZ,
  wmask,
} from './data-processing-common.js';

// ---- executors -----------------------------------------------------------------------------------

/** LSL (immediate) T1, imm5 in c (1..31). */
const execLslImm16: Exec = (cpu, d) => {
  const m = cpu.r[d.b]!;
  const r = m << d.c;
  cpu.r[d.a] = r;
  if (!cpu.inIT) {
    setNZ(cpu, r);
    cpu.c = (m >>> (32 - d.c)) & 1;
  }
};

/** MOV (register) T2 = LSL #0: flags N, Z only (C unchanged). */
const execMovs16: Exec = (cpu, d) => {
  const r = cpu.r[d.b]!;
  cpu.r[d.a] = r;
  if (!cpu.inIT) setNZ(cpu, r);
};

/** LSR (immediate) T1, c = shift_n - 1 (0..31): shifting in two steps handles shift_n = 32. */
const execLsrImm16: Exec = (cpu, d) => {
  const t = cpu.r[d.b]! >>> d.c;
  const r = (t >>> 1) | 0;
  cpu.r[d.a] = r;
  if (!cpu.inIT) {
    setNZ(cpu, r);
    cpu.c = t & 1;
  }
};

/** ASR (immediate) T1, c = shift_n - 1 (0..31). */
const execAsrImm16: Exec = (cpu, d) => {
  const t = cpu.r[d.b]! >> d.c;
  const r = t >> 1;
  cpu.r[d.a] = r;
  if (!cpu.inIT) {
    setNZ(cpu, r);
    cpu.c = t & 1;
  }
};

/** ADD/SUB (register) T1: R[a] = R[b] + (R[c] ^ f) + e; SUB uses f = -1 (NOT) and e = 1. */
const execAddSubReg16: Exec = (cpu, d) => {
  cpu.r[d.a] = addWithCarry(cpu, cpu.r[d.b]!, cpu.r[d.c]! ^ d.f, d.e, !cpu.inIT);
};

/** ADD/SUB (immediate) T1/T2: R[a] = R[b] + c + e; SUB stores NOT(imm) in c and 1 in e. */
const execAddSubImm16: Exec = (cpu, d) => {
  cpu.r[d.a] = addWithCarry(cpu, cpu.r[d.b]!, d.c, d.e, !cpu.inIT);
};

/** MOV (immediate) T1: imm8, so N is always 0; C unchanged. */
const execMovImm16: Exec = (cpu, d) => {
  cpu.r[d.a] = d.c;
  if (!cpu.inIT) {
    cpu.n = 0;
    cpu.z = d.c === 0 ? 1 : 0;
  }
};

/** CMP (immediate) T1: c = NOT(imm8). */
const execCmpImm16: Exec = (cpu, d) => {
  addWithCarry(cpu, cpu.r[d.a]!, d.c, 1, true);
};

// data-processing group (A5.2.2): a = Rdn, b = Rm
const execAnd16: Exec = (cpu, d) => {
  const r = cpu.r[d.a]! & cpu.r[d.b]!;
  cpu.r[d.a] = r;
  if (!cpu.inIT) setNZ(cpu, r);
};
const execEor16: Exec = (cpu, d) => {
  const r = cpu.r[d.a]! ^ cpu.r[d.b]!;
  cpu.r[d.a] = r;
  if (!cpu.inIT) setNZ(cpu, r);
};
const execOrr16: Exec = (cpu, d) => {
  const r = cpu.r[d.a]! | cpu.r[d.b]!;
  cpu.r[d.a] = r;
  if (!cpu.inIT) setNZ(cpu, r);
};
const execBic16: Exec = (cpu, d) => {
  const r = cpu.r[d.a]! & ~cpu.r[d.b]!;
  cpu.r[d.a] = r;
  if (!cpu.inIT) setNZ(cpu, r);
};
const execMvn16: Exec = (cpu, d) => {
  const r = ~cpu.r[d.b]!;
  cpu.r[d.a] = r;
  if (!cpu.inIT) setNZ(cpu, r);
};
const execTst16: Exec = (cpu, d) => {
  setNZ(cpu, cpu.r[d.a]! & cpu.r[d.b]!);
};
/** LSL/LSR/ASR/ROR (register) T1: shift type in c; the amount is the bottom byte of Rm. */
const execShiftReg16: Exec = (cpu, d) => {
  const r = shiftC(cpu, cpu.r[d.a]!, d.c, cpu.r[d.b]! & 0xff, cpu.c);
  cpu.r[d.a] = r;
  if (!cpu.inIT) {
    setNZ(cpu, r);
    cpu.c = cpu.shifterCarry;
  }
};
const execAdc16: Exec = (cpu, d) => {
  cpu.r[d.a] = addWithCarry(cpu, cpu.r[d.a]!, cpu.r[d.b]!, cpu.c, !cpu.inIT);
};
const execSbc16: Exec = (cpu, d) => {
  cpu.r[d.a] = addWithCarry(cpu, cpu.r[d.a]!, ~cpu.r[d.b]!, cpu.c, !cpu.inIT);
};
/** RSB (immediate) T1, #0 only: R[a] = NOT(R[b]) + 0 + 1. */
const execRsb16: Exec = (cpu, d) => {
  cpu.r[d.a] = addWithCarry(cpu, ~cpu.r[d.b]!, 0, 1, !cpu.inIT);
};
/** CMP (register) T1/T2. */
const execCmpReg16: Exec = (cpu, d) => {
  addWithCarry(cpu, cpu.r[d.a]!, ~cpu.r[d.b]!, 1, true);
};
const execCmnReg16: Exec = (cpu, d) => {
  addWithCarry(cpu, cpu.r[d.a]!, cpu.r[d.b]!, 0, true);
};

// special data group (A5.2.3): a = d, b = m, f = SP write mask
const execAddHi: Exec = (cpu, d) => {
  cpu.r[d.a] = (cpu.r[d.a]! + cpu.r[d.b]!) & d.f;
};
/** ADD PC, Rm: ALUWritePC(PC + R[m]). */
const execAddHiPC: Exec = (cpu, d) => {
  cpu.aluWritePC(cpu.r[15]! + cpu.r[d.b]!);
};
const execMovHi: Exec = (cpu, d) => {
  cpu.r[d.a] = cpu.r[d.b]! & d.f;
};
const execMovHiPC: Exec = (cpu, d) => {
  cpu.aluWritePC(cpu.r[d.b]!);
};

// ---- decode and disassembly ------------------------------------------------------------------------

const lo3 = (raw: number, at: number): number => (raw >>> at) & 7;

const SHIFT_IMM_NAMES = ['lsls', 'lsrs', 'asrs'];

function disShiftImm(raw: number): string {
  const op = (raw >>> 11) & 3;
  const imm5 = (raw >>> 6) & 31;
  if (op === 0 && imm5 === 0) return `movs ${R(lo3(raw, 0))}, ${R(lo3(raw, 3))}`;
  return `${SHIFT_IMM_NAMES[op]} ${R(lo3(raw, 0))}, ${R(lo3(raw, 3))}, #${imm5 === 0 ? 32 : imm5}`;
}

// data-processing group opcodes (bits 9:6), MUL (1101) is multiply.ts's
const DP_NAMES = ['ands', 'eors', 'lsls', 'lsrs', 'asrs', 'adcs', 'sbcs', 'rors', 'tst', 'rsbs', 'cmp', 'cmn', 'orrs', '', 'bics', 'mvns'];
const DP_EXEC: (Exec | null)[] = [
  execAnd16, execEor16, execShiftReg16, execShiftReg16, execShiftReg16, execAdc16, execSbc16, execShiftReg16,
  execTst16, execRsb16, execCmpReg16, execCmnReg16, execOrr16, null, execBic16, execMvn16,
];
const DP_SHIFT_TYPE = [0, 0, SRType.LSL, SRType.LSR, SRType.ASR, 0, 0, SRType.ROR, 0, 0, 0, 0, 0, 0, 0, 0];

function dataProcessingPattern(op: number): Pattern {
  const name = DP_NAMES[op]!;
  const exec = DP_EXEC[op]!;
  const spec = `010000${op.toString(2).padStart(4, '0')}xxxxxx`;
  const armName = `${name.replace(/s$/, '').toUpperCase()} (register) T1`;
  return pat(
    op === 9 ? 'RSB (immediate) T1' : armName,
    2,
    spec,
    (raw) => insn(exec, raw, 2, 1, lo3(raw, 0), lo3(raw, 3), DP_SHIFT_TYPE[op]),
    (raw) => (op === 9 ? `rsbs ${R(lo3(raw, 0))}, ${R(lo3(raw, 3))}, #0` : `${name} ${R(lo3(raw, 0))}, ${R(lo3(raw, 3))}`),
  );
}

const EXTEND_NAMES = ['sxth', 'sxtb', 'uxth', 'uxtb'];
const EXTEND_EXEC = [execSxth, execSxtb, execUxth, execUxtb];
const REV_NAMES = ['rev', 'rev16', '', 'revsh'];
const REV_EXEC = [execRev, execRev16, null, execRevsh];

const hiD = (raw: number): number => ((raw >>> 4) & 8) | (raw & 7);
const hiM = (raw: number): number => (raw >>> 3) & 15;

export const patterns16: Pattern[] = [
  // ---- shift (immediate), add, subtract, move, compare (A5.2.1) ----
  pat('LSL (immediate) T1', 2, '00000xxxxxxxxxxx',
    (raw) => insn(execLslImm16, raw, 2, 1, lo3(raw, 0), lo3(raw, 3), (raw >>> 6) & 31), disShiftImm),
  // imm5 == 0: MOV (register) T2 (MOVS Rd, Rm). Inside an IT block it is UNPREDICTABLE; like QEMU we then
  // execute it without setting flags.
  pat('MOV (register) T2', 2, '0000000000xxxxxx', (raw) => insn(execMovs16, raw, 2, 1, lo3(raw, 0), lo3(raw, 3)), disShiftImm),
  pat('LSR (immediate) T1', 2, '00001xxxxxxxxxxx',
    (raw) => insn(execLsrImm16, raw, 2, 1, lo3(raw, 0), lo3(raw, 3), ((((raw >>> 6) & 31) || 32) - 1)), disShiftImm),
  pat('ASR (immediate) T1', 2, '00010xxxxxxxxxxx',
    (raw) => insn(execAsrImm16, raw, 2, 1, lo3(raw, 0), lo3(raw, 3), ((((raw >>> 6) & 31) || 32) - 1)), disShiftImm),
  pat('ADD (register) T1', 2, '0001100xxxxxxxxx',
    (raw) => insn(execAddSubReg16, raw, 2, 1, lo3(raw, 0), lo3(raw, 3), lo3(raw, 6), 0, 0, 0),
    (raw) => `adds ${R(lo3(raw, 0))}, ${R(lo3(raw, 3))}, ${R(lo3(raw, 6))}`),
  pat('SUB (register) T1', 2, '0001101xxxxxxxxx',
    (raw) => insn(execAddSubReg16, raw, 2, 1, lo3(raw, 0), lo3(raw, 3), lo3(raw, 6), 0, 1, -1),
    (raw) => `subs ${R(lo3(raw, 0))}, ${R(lo3(raw, 3))}, ${R(lo3(raw, 6))}`),
  pat('ADD (immediate) T1', 2, '0001110xxxxxxxxx',
    (raw) => insn(execAddSubImm16, raw, 2, 1, lo3(raw, 0), lo3(raw, 3), lo3(raw, 6), 0, 0),
    (raw) => `adds ${R(lo3(raw, 0))}, ${R(lo3(raw, 3))}, ${imm(lo3(raw, 6))}`),
  pat('SUB (immediate) T1', 2, '0001111xxxxxxxxx',
    (raw) => insn(execAddSubImm16, raw, 2, 1, lo3(raw, 0), lo3(raw, 3), ~lo3(raw, 6), 0, 1),
    (raw) => `subs ${R(lo3(raw, 0))}, ${R(lo3(raw, 3))}, ${imm(lo3(raw, 6))}`),
  pat('MOV (immediate) T1', 2, '00100xxxxxxxxxxx',
    (raw) => insn(execMovImm16, raw, 2, 1, lo3(raw, 8), 0, raw & 0xff),
    (raw) => `movs ${R(lo3(raw, 8))}, ${imm(raw & 0xff)}`),
  pat('CMP (immediate) T1', 2, '00101xxxxxxxxxxx',
    (raw) => insn(execCmpImm16, raw, 2, 1, lo3(raw, 8), 0, ~(raw & 0xff)),
    (raw) => `cmp ${R(lo3(raw, 8))}, ${imm(raw & 0xff)}`),
  pat('ADD (immediate) T2', 2, '00110xxxxxxxxxxx',
    (raw) => insn(execAddSubImm16, raw, 2, 1, lo3(raw, 8), lo3(raw, 8), raw & 0xff, 0, 0),
    (raw) => `adds ${R(lo3(raw, 8))}, ${imm(raw & 0xff)}`),
  pat('SUB (immediate) T2', 2, '00111xxxxxxxxxxx',
    (raw) => insn(execAddSubImm16, raw, 2, 1, lo3(raw, 8), lo3(raw, 8), ~(raw & 0xff), 0, 1),
    (raw) => `subs ${R(lo3(raw, 8))}, ${imm(raw & 0xff)}`),

  // ---- data processing (A5.2.2), all but MUL ----
  ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15].map(dataProcessingPattern),

  // ---- special data instructions (A5.2.3), BX/BLX are branch-misc.ts's ----
  // ADD (register) T2 also covers ADD (SP plus register) T1/T2: same operation with n = d.
  pat('ADD (register) T2', 2, '01000100xxxxxxxx',
    (raw) => {
      const dd = hiD(raw);
      if (dd === 15) return insn(execAddHiPC, raw, 2, 3, 15, hiM(raw));
      return insn(execAddHi, raw, 2, 1, dd, hiM(raw), 0, 0, 0, wmask(dd));
    },
    (raw) => `add ${R(hiD(raw))}, ${R(hiM(raw))}`),
  // n < 8 && m < 8, or PC operands, are UNPREDICTABLE; executed as a plain compare as QEMU does.
  pat('CMP (register) T2', 2, '01000101xxxxxxxx',
    (raw) => insn(execCmpReg16, raw, 2, 1, hiD(raw), hiM(raw)),
    (raw) => `cmp ${R(hiD(raw))}, ${R(hiM(raw))}`),
  pat('MOV (register) T1', 2, '01000110xxxxxxxx',
    (raw) => {
      const dd = hiD(raw);
      if (dd === 15) return insn(execMovHiPC, raw, 2, 3, 15, hiM(raw));
      return insn(execMovHi, raw, 2, 1, dd, hiM(raw), 0, 0, 0, wmask(dd));
    },
    (raw) => `mov ${R(hiD(raw))}, ${R(hiM(raw))}`),

  // ---- ADR, ADD/SUB with SP (A5.2 / A5.2.5) ----
  pat('ADR T1', 2, '10100xxxxxxxxxxx',
    (raw, pc) => insn(execSetConst, raw, 2, 1, lo3(raw, 8), 0, (((pc + 4) & ~3) + (raw & 0xff) * 4) | 0),
    (raw, pc) => `adr ${R(lo3(raw, 8))}, ${hex(((pc + 4) & ~3) + (raw & 0xff) * 4)}`),
  pat('ADD (SP plus immediate) T1', 2, '10101xxxxxxxxxxx',
    (raw) => insn(execAddImmNF, raw, 2, 1, lo3(raw, 8), 13, (raw & 0xff) * 4, 0, 0, -1),
    (raw) => `add ${R(lo3(raw, 8))}, sp, ${imm((raw & 0xff) * 4)}`),
  pat('ADD (SP plus immediate) T2', 2, '101100000xxxxxxx',
    (raw) => insn(execAddImmNF, raw, 2, 1, 13, 13, (raw & 0x7f) * 4, 0, 0, ~3),
    (raw) => `add sp, ${imm((raw & 0x7f) * 4)}`),
  pat('SUB (SP minus immediate) T1', 2, '101100001xxxxxxx',
    (raw) => insn(execAddImmNF, raw, 2, 1, 13, 13, -(raw & 0x7f) * 4, 0, 0, ~3),
    (raw) => `sub sp, ${imm((raw & 0x7f) * 4)}`),

  // ---- extend and reverse (A5.2.5) ----
  ...[0, 1, 2, 3].map((op) =>
    pat(`${EXTEND_NAMES[op]!.toUpperCase()} T1`, 2, `10110010${op.toString(2).padStart(2, '0')}xxxxxx`,
      (raw) => insn(EXTEND_EXEC[op]!, raw, 2, 1, lo3(raw, 0), lo3(raw, 3)),
      (raw) => `${EXTEND_NAMES[op]} ${R(lo3(raw, 0))}, ${R(lo3(raw, 3))}`)),
  ...[0, 1, 3].map((op) =>
    pat(`${REV_NAMES[op]!.toUpperCase()} T1`, 2, `10111010${op.toString(2).padStart(2, '0')}xxxxxx`,
      (raw) => insn(REV_EXEC[op]!, raw, 2, 1, lo3(raw, 0), lo3(raw, 3)),
      (raw) => `${REV_NAMES[op]} ${R(lo3(raw, 0))}, ${R(lo3(raw, 3))}`)),
];
