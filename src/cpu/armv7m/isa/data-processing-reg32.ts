/**
 * 32-bit Thumb-2 register data processing (ARM ARM DDI0403E A5.3.11 shifted register, A5.3.12 register-controlled
 * shifts, SXTB/SXTH/UXTB/UXTH, A5.3.15 miscellaneous: REV*, RBIT, CLZ).
 *
 * Shifted-register fields: a = Rd, b = Rn, c = Rm, d = SRType, e = shift amount (0 only for LSL #0, which
 * skips the shifter: value and C unchanged), f = SP write mask.
 * UNPREDICTABLE register choices decline, so those encodings are UNDEFINED here.
 */
import { addWithCarry, decodeImmShift, shiftC, SRType } from '../alu.js';
import type { CortexM4 } from '../cpu.js';
import type { DecodedInsn, Exec, Pattern } from '../decoded.js';
import {
  badReg,
  execRev,
  execRev16,
  execRevsh,
  execSxtb,
  execSxth,
  execUxtb,
  execUxth,
  insn,
  pat,
  R,
  setNZ,
  shiftName,
  shiftSuffix,
  wmask,
} from './data-processing-common.js';

/** Shift(R[m], type, amount, C); leaves the carry-out in cpu.shifterCarry when it shifts. */
function operand(cpu: CortexM4, d: DecodedInsn): number {
  return d.e === 0 ? cpu.r[d.c]! : shiftC(cpu, cpu.r[d.c]!, d.d, d.e, cpu.c);
}

// ---- logical (shifted register) ------------------------------------------------------------------

const execAndReg: Exec = (cpu, d) => {
  cpu.r[d.a] = cpu.r[d.b]! & operand(cpu, d);
};
const execAndsReg: Exec = (cpu, d) => {
  const r = cpu.r[d.b]! & operand(cpu, d);
  cpu.r[d.a] = r;
  setNZ(cpu, r);
  if (d.e !== 0) cpu.c = cpu.shifterCarry;
};
const execBicReg: Exec = (cpu, d) => {
  cpu.r[d.a] = cpu.r[d.b]! & ~operand(cpu, d);
};
const execBicsReg: Exec = (cpu, d) => {
  const r = cpu.r[d.b]! & ~operand(cpu, d);
  cpu.r[d.a] = r;
  setNZ(cpu, r);
  if (d.e !== 0) cpu.c = cpu.shifterCarry;
};
const execOrrReg: Exec = (cpu, d) => {
  cpu.r[d.a] = cpu.r[d.b]! | operand(cpu, d);
};
const execOrrsReg: Exec = (cpu, d) => {
  const r = cpu.r[d.b]! | operand(cpu, d);
  cpu.r[d.a] = r;
  setNZ(cpu, r);
  if (d.e !== 0) cpu.c = cpu.shifterCarry;
};
const execOrnReg: Exec = (cpu, d) => {
  cpu.r[d.a] = cpu.r[d.b]! | ~operand(cpu, d);
};
const execOrnsReg: Exec = (cpu, d) => {
  const r = cpu.r[d.b]! | ~operand(cpu, d);
  cpu.r[d.a] = r;
  setNZ(cpu, r);
  if (d.e !== 0) cpu.c = cpu.shifterCarry;
};
const execEorReg: Exec = (cpu, d) => {
  cpu.r[d.a] = cpu.r[d.b]! ^ operand(cpu, d);
};
const execEorsReg: Exec = (cpu, d) => {
  const r = cpu.r[d.b]! ^ operand(cpu, d);
  cpu.r[d.a] = r;
  setNZ(cpu, r);
  if (d.e !== 0) cpu.c = cpu.shifterCarry;
};
const execTstReg: Exec = (cpu, d) => {
  setNZ(cpu, cpu.r[d.b]! & operand(cpu, d));
  if (d.e !== 0) cpu.c = cpu.shifterCarry;
};
const execTeqReg: Exec = (cpu, d) => {
  setNZ(cpu, cpu.r[d.b]! ^ operand(cpu, d));
  if (d.e !== 0) cpu.c = cpu.shifterCarry;
};
/** MOV (register) T3 and LSL/LSR/ASR/ROR (immediate) T2, RRX T1. */
const execMovReg: Exec = (cpu, d) => {
  cpu.r[d.a] = operand(cpu, d) & d.f;
};
const execMovsReg: Exec = (cpu, d) => {
  const r = operand(cpu, d);
  cpu.r[d.a] = r;
  setNZ(cpu, r);
  if (d.e !== 0) cpu.c = cpu.shifterCarry;
};
const execMvnReg: Exec = (cpu, d) => {
  cpu.r[d.a] = ~operand(cpu, d);
};
const execMvnsReg: Exec = (cpu, d) => {
  const r = ~operand(cpu, d);
  cpu.r[d.a] = r;
  setNZ(cpu, r);
  if (d.e !== 0) cpu.c = cpu.shifterCarry;
};

// ---- arithmetic (shifted register) ---------------------------------------------------------------

const execAddReg: Exec = (cpu, d) => {
  cpu.r[d.a] = (cpu.r[d.b]! + operand(cpu, d)) & d.f;
};
const execAddsReg: Exec = (cpu, d) => {
  cpu.r[d.a] = addWithCarry(cpu, cpu.r[d.b]!, operand(cpu, d), 0, true) & d.f;
};
const execSubReg: Exec = (cpu, d) => {
  cpu.r[d.a] = (cpu.r[d.b]! - operand(cpu, d)) & d.f;
};
const execSubsReg: Exec = (cpu, d) => {
  cpu.r[d.a] = addWithCarry(cpu, cpu.r[d.b]!, ~operand(cpu, d), 1, true) & d.f;
};
const execAdcReg: Exec = (cpu, d) => {
  cpu.r[d.a] = addWithCarry(cpu, cpu.r[d.b]!, operand(cpu, d), cpu.c, false);
};
const execAdcsReg: Exec = (cpu, d) => {
  cpu.r[d.a] = addWithCarry(cpu, cpu.r[d.b]!, operand(cpu, d), cpu.c, true);
};
const execSbcReg: Exec = (cpu, d) => {
  cpu.r[d.a] = addWithCarry(cpu, cpu.r[d.b]!, ~operand(cpu, d), cpu.c, false);
};
const execSbcsReg: Exec = (cpu, d) => {
  cpu.r[d.a] = addWithCarry(cpu, cpu.r[d.b]!, ~operand(cpu, d), cpu.c, true);
};
const execRsbReg: Exec = (cpu, d) => {
  cpu.r[d.a] = (operand(cpu, d) - cpu.r[d.b]!) | 0;
};
const execRsbsReg: Exec = (cpu, d) => {
  cpu.r[d.a] = addWithCarry(cpu, ~cpu.r[d.b]!, operand(cpu, d), 1, true);
};
const execCmnReg: Exec = (cpu, d) => {
  addWithCarry(cpu, cpu.r[d.b]!, operand(cpu, d), 0, true);
};
const execCmpReg: Exec = (cpu, d) => {
  addWithCarry(cpu, cpu.r[d.b]!, ~operand(cpu, d), 1, true);
};

// ---- register-controlled shifts, extends, misc ---------------------------------------------------

/** LSL/LSR/ASR/ROR (register) T2: a = Rd, b = Rn, c = Rm, d = SRType; amount = bottom byte of Rm. */
const execShiftReg: Exec = (cpu, d) => {
  cpu.r[d.a] = shiftC(cpu, cpu.r[d.b]!, d.d, cpu.r[d.c]! & 0xff, cpu.c);
};
const execShiftsReg: Exec = (cpu, d) => {
  const r = shiftC(cpu, cpu.r[d.b]!, d.d, cpu.r[d.c]! & 0xff, cpu.c);
  cpu.r[d.a] = r;
  setNZ(cpu, r);
  cpu.c = cpu.shifterCarry;
};

// extends with rotation: a = Rd, b = Rm, c = rotation (8, 16, 24); rotation 0 uses the shared executors
const execSxthRot: Exec = (cpu, d) => {
  const x = cpu.r[d.b]!;
  cpu.r[d.a] = (((x >>> d.c) | (x << (32 - d.c))) << 16) >> 16;
};
const execSxtbRot: Exec = (cpu, d) => {
  const x = cpu.r[d.b]!;
  cpu.r[d.a] = (((x >>> d.c) | (x << (32 - d.c))) << 24) >> 24;
};
const execUxthRot: Exec = (cpu, d) => {
  const x = cpu.r[d.b]!;
  cpu.r[d.a] = ((x >>> d.c) | (x << (32 - d.c))) & 0xffff;
};
const execUxtbRot: Exec = (cpu, d) => {
  const x = cpu.r[d.b]!;
  cpu.r[d.a] = ((x >>> d.c) | (x << (32 - d.c))) & 0xff;
};

const execClz: Exec = (cpu, d) => {
  cpu.r[d.a] = Math.clz32(cpu.r[d.b]!);
};
const execRbit: Exec = (cpu, d) => {
  let x = cpu.r[d.b]!;
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  cpu.r[d.a] = (x >>> 16) | (x << 16);
};

// ---- field extraction ------------------------------------------------------------------------------

const rd = (raw: number): number => (raw >>> 8) & 15;
const rn = (raw: number): number => (raw >>> 16) & 15;
const rm = (raw: number): number => raw & 15;
const sbit = (raw: number): boolean => (raw & 0x100000) !== 0;
const stype = (raw: number): number => (raw >>> 4) & 3;
const simm5 = (raw: number): number => ((raw >>> 10) & 0x1c) | ((raw >>> 6) & 3);

// ---- shifted register patterns ---------------------------------------------------------------------

/** Bit string for A5.3.11: op (4 bits), S, Rn, Rd. hw2 bit 15 is (0): set → no pattern, UNDEFINED. */
function sr(op: string, s: string, n: string, d: string): string {
  return `1110101${op}${s}${n}0xxx${d}xxxxxxxx`;
}

/** Decodes with DecodeImmShift into the common field layout. */
function shifted(exec: Exec, raw: number, d: number, n: number): DecodedInsn {
  const sh = decodeImmShift(stype(raw), simm5(raw));
  return insn(exec, raw, 4, 1, d, n, rm(raw), sh >>> 6, sh & 63, wmask(d));
}

function operandText(raw: number): string {
  return `${R(rm(raw))}${shiftSuffix(stype(raw), simm5(raw))}`;
}

type Kind = 'and' | 'bic' | 'orr' | 'orn' | 'eor' | 'add' | 'adc' | 'sbc' | 'sub' | 'rsb';
const THREE_OP: Record<Kind, { op: string; exec: Exec; execS: Exec; wide: boolean }> = {
  and: { op: '0000', exec: execAndReg, execS: execAndsReg, wide: true },
  bic: { op: '0001', exec: execBicReg, execS: execBicsReg, wide: true },
  orr: { op: '0010', exec: execOrrReg, execS: execOrrsReg, wide: true },
  orn: { op: '0011', exec: execOrnReg, execS: execOrnsReg, wide: false },
  eor: { op: '0100', exec: execEorReg, execS: execEorsReg, wide: true },
  add: { op: '1000', exec: execAddReg, execS: execAddsReg, wide: true },
  adc: { op: '1010', exec: execAdcReg, execS: execAdcsReg, wide: true },
  sbc: { op: '1011', exec: execSbcReg, execS: execSbcsReg, wide: true },
  sub: { op: '1101', exec: execSubReg, execS: execSubsReg, wide: true },
  rsb: { op: '1110', exec: execRsbReg, execS: execRsbsReg, wide: false },
};

function threeOp(kind: Kind): Pattern {
  const k = THREE_OP[kind];
  const armName = kind === 'add' || kind === 'sub' ? `${kind.toUpperCase()} (register) T${kind === 'add' ? 3 : 2}` : `${kind.toUpperCase()} (register) T${kind === 'rsb' || kind === 'orn' ? 1 : 2}`;
  return pat(armName, 4, sr(k.op, 'x', 'xxxx', 'xxxx'),
    (raw) => {
      const d = rd(raw);
      const n = rn(raw);
      const m = rm(raw);
      switch (kind) {
        case 'and':
        case 'eor': // d == 15 with S is TST/TEQ
          if (d === 13 || d === 15 || badReg(n) || badReg(m)) return null;
          break;
        case 'orr':
        case 'orn': // n == 15 is MOV/MVN
          if (badReg(d) || n === 13 || n === 15 || badReg(m)) return null;
          break;
        case 'add':
        case 'sub': // n == 13 is the SP form, d == 15 with S is CMN/CMP
          if (d === 13 || d === 15 || n === 15 || badReg(m)) return null;
          break;
        default:
          if (badReg(d) || badReg(n) || badReg(m)) return null;
      }
      return shifted(sbit(raw) ? k.execS : k.exec, raw, d, n);
    },
    (raw) => `${kind}${sbit(raw) ? 's' : ''}${k.wide ? '.w' : ''} ${R(rd(raw))}, ${R(rn(raw))}, ${operandText(raw)}`);
}

/** ADD (SP plus register) T3 / SUB (SP minus register) T1. */
function spReg(sub: boolean): Pattern {
  return pat(sub ? 'SUB (SP minus register) T1' : 'ADD (SP plus register) T3', 4, sr(sub ? '1101' : '1000', 'x', '1101', 'xxxx'),
    (raw) => {
      const d = rd(raw);
      const m = rm(raw);
      if (d === 15 || badReg(m)) return null;
      // Writing SP is only predictable with LSL #0..#3.
      if (d === 13 && (stype(raw) !== 0 || simm5(raw) > 3)) return null;
      const s = sbit(raw);
      return shifted(sub ? (s ? execSubsReg : execSubReg) : s ? execAddsReg : execAddReg, raw, d, 13);
    },
    (raw) => `${sub ? 'sub' : 'add'}${sbit(raw) ? 's' : ''}.w ${R(rd(raw))}, sp, ${operandText(raw)}`);
}

function testReg(name: 'tst' | 'teq' | 'cmn' | 'cmp', op: string, exec: Exec): Pattern {
  const armName = `${name.toUpperCase()} (register) T${name === 'cmp' ? 3 : name === 'teq' ? 1 : 2}`;
  return pat(armName, 4, sr(op, '1', 'xxxx', '1111'),
    (raw) => {
      const n = rn(raw);
      if (badReg(rm(raw))) return null;
      if (name === 'tst' || name === 'teq' ? badReg(n) : n === 15) return null;
      return shifted(exec, raw, 15, n);
    },
    (raw) => `${name}${name === 'teq' ? '' : '.w'} ${R(rn(raw))}, ${operandText(raw)}`);
}

function moveReg(): Pattern {
  return pat('MOV (register) T3', 4, sr('0010', 'x', '1111', 'xxxx'),
    (raw) => {
      const d = rd(raw);
      const m = rm(raw);
      const s = sbit(raw);
      const plain = stype(raw) === 0 && simm5(raw) === 0;
      if (plain && !s) {
        if (d === 15 || m === 15 || (d === 13 && m === 13)) return null;
      } else if (badReg(d) || badReg(m)) return null;
      return shifted(s ? execMovsReg : execMovReg, raw, d, 15);
    },
    (raw) => {
      const s = sbit(raw) ? 's' : '';
      const type = stype(raw);
      const amount = simm5(raw);
      if (type === 0 && amount === 0) return `mov${s}.w ${R(rd(raw))}, ${R(rm(raw))}`;
      if (type === 3 && amount === 0) return `rrx${s} ${R(rd(raw))}, ${R(rm(raw))}`;
      const n = type !== 0 && type !== 3 && amount === 0 ? 32 : amount;
      return `${shiftName(type)}${s}${type === 3 ? '' : '.w'} ${R(rd(raw))}, ${R(rm(raw))}, #${n}`;
    });
}

function moveNotReg(): Pattern {
  return pat('MVN (register) T2', 4, sr('0011', 'x', '1111', 'xxxx'),
    (raw) => (badReg(rd(raw)) || badReg(rm(raw)) ? null : shifted(sbit(raw) ? execMvnsReg : execMvnReg, raw, rd(raw), 15)),
    (raw) => `mvn${sbit(raw) ? 's' : ''}.w ${R(rd(raw))}, ${operandText(raw)}`);
}

// ---- register-controlled shifts (A5.3.12) ----------------------------------------------------------

function shiftRegister(type: number): Pattern {
  const name = shiftName(type);
  return pat(`${name.toUpperCase()} (register) T2`, 4, `111110100${type.toString(2).padStart(2, '0')}xxxxx1111xxxx0000xxxx`,
    (raw) => {
      const d = rd(raw);
      const n = rn(raw);
      const m = rm(raw);
      if (badReg(d) || badReg(n) || badReg(m)) return null;
      return insn(sbit(raw) ? execShiftsReg : execShiftReg, raw, 4, 1, d, n, m, type);
    },
    (raw) => `${name}${sbit(raw) ? 's' : ''}.w ${R(rd(raw))}, ${R(rn(raw))}, ${R(rm(raw))}`);
}

// ---- SXTH/UXTH/SXTB/UXTB T2 (Rn == 1111 forms of the extend-and-add group) ------------------------

function extend(name: string, op: string, exec0: Exec, execRot: Exec): Pattern {
  return pat(`${name.toUpperCase()} T2`, 4, `111110100${op}11111111xxxx1xxxxxxx`,
    (raw) => {
      const d = rd(raw);
      const m = rm(raw);
      if (badReg(d) || badReg(m) || (raw & 0x40) !== 0) return null; // bit 6 is (0)
      const rot = ((raw >>> 4) & 3) * 8;
      return insn(rot === 0 ? exec0 : execRot, raw, 4, 1, d, m, rot);
    },
    (raw) => {
      const rot = ((raw >>> 4) & 3) * 8;
      return `${name}.w ${R(rd(raw))}, ${R(rm(raw))}${rot ? `, ror #${rot}` : ''}`;
    });
}

// ---- miscellaneous (A5.3.15): Rm is encoded twice and both copies must agree ------------------------

function misc(name: string, op1: string, op2: string, exec: Exec, wide: boolean): Pattern {
  return pat(`${name.toUpperCase()} T${wide ? 2 : 1}`, 4, `1111101010${op1}xxxx1111xxxx10${op2}xxxx`,
    (raw) => {
      const d = rd(raw);
      const m = rm(raw);
      if (badReg(d) || badReg(m) || rn(raw) !== m) return null;
      return insn(exec, raw, 4, 1, d, m);
    },
    (raw) => `${name}${wide ? '.w' : ''} ${R(rd(raw))}, ${R(rm(raw))}`);
}

export const patternsReg32: Pattern[] = [
  ...(['and', 'bic', 'orr', 'orn', 'eor', 'add', 'adc', 'sbc', 'sub', 'rsb'] as const).map(threeOp),
  spReg(false),
  spReg(true),
  testReg('tst', '0000', execTstReg),
  testReg('teq', '0100', execTeqReg),
  testReg('cmn', '1000', execCmnReg),
  testReg('cmp', '1101', execCmpReg),
  moveReg(),
  moveNotReg(),
  shiftRegister(SRType.LSL),
  shiftRegister(SRType.LSR),
  shiftRegister(SRType.ASR),
  shiftRegister(SRType.ROR),
  extend('sxth', '000', execSxth, execSxthRot),
  extend('uxth', '001', execUxth, execUxthRot),
  extend('sxtb', '100', execSxtb, execSxtbRot),
  extend('uxtb', '101', execUxtb, execUxtbRot),
  misc('rev', '01', '00', execRev, true),
  misc('rev16', '01', '01', execRev16, true),
  misc('rbit', '01', '10', execRbit, false),
  misc('revsh', '01', '11', execRevsh, true),
  misc('clz', '11', '00', execClz, false),
];
