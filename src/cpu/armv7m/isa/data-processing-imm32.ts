/**
 * 32-bit Thumb-2 data processing with immediates (ARM ARM DDI0403E A5.3.1 modified immediate, A5.3.3 plain
 * binary immediate).
 *
 * Modified immediates are expanded at decode (ThumbExpandImm_C). Its carry-out is APSR.C for the unrotated
 * forms and bit 31 of the constant for rotated ones, so flag-setting logical ops get e = that bit, or -1 for
 * "C unchanged". BIC/ORN/MVN store the inverted constant and reuse AND/ORR/MOV's executors; SUB/SBC/CMP store
 * NOT(imm) with the carry-in in e, so they reuse ADD/ADC/CMN's.
 *
 * Fields: a = Rd, b = Rn, c = constant, e = carry (-1: unchanged) or carry-in, f = SP write mask.
 * UNPREDICTABLE register choices (BadReg etc.) decline, so those encodings are UNDEFINED here.
 */
import { addWithCarry, thumbExpandImmC, thumbExpandImmRotates } from '../alu.js';
import type { DecodedInsn, Exec, Pattern } from '../decoded.js';
import { badReg, execAddImmNF, execSetConst, hex, imm, insn, pat, R, setNZ, wmask } from './data-processing-common.js';

// ---- executors: modified immediate -------------------------------------------------------------------

const execAndImm: Exec = (cpu, d) => {
  cpu.r[d.a] = cpu.r[d.b]! & d.c;
};
const execAndsImm: Exec = (cpu, d) => {
  const r = cpu.r[d.b]! & d.c;
  cpu.r[d.a] = r;
  setNZ(cpu, r);
  if (d.e >= 0) cpu.c = d.e;
};
const execOrrImm: Exec = (cpu, d) => {
  cpu.r[d.a] = cpu.r[d.b]! | d.c;
};
const execOrrsImm: Exec = (cpu, d) => {
  const r = cpu.r[d.b]! | d.c;
  cpu.r[d.a] = r;
  setNZ(cpu, r);
  if (d.e >= 0) cpu.c = d.e;
};
const execEorImm: Exec = (cpu, d) => {
  cpu.r[d.a] = cpu.r[d.b]! ^ d.c;
};
const execEorsImm: Exec = (cpu, d) => {
  const r = cpu.r[d.b]! ^ d.c;
  cpu.r[d.a] = r;
  setNZ(cpu, r);
  if (d.e >= 0) cpu.c = d.e;
};
const execTstImm: Exec = (cpu, d) => {
  setNZ(cpu, cpu.r[d.b]! & d.c);
  if (d.e >= 0) cpu.c = d.e;
};
const execTeqImm: Exec = (cpu, d) => {
  setNZ(cpu, cpu.r[d.b]! ^ d.c);
  if (d.e >= 0) cpu.c = d.e;
};
/** MOVS/MVNS (immediate): N and Z are those of the constant, precomputed in b. */
const execMovsImm: Exec = (cpu, d) => {
  cpu.r[d.a] = d.c;
  cpu.n = d.c >>> 31;
  cpu.z = d.b;
  if (d.e >= 0) cpu.c = d.e;
};
/** ADDS/SUBS (immediate): R[a] = R[b] + c + e with flags. */
const execAddsImm: Exec = (cpu, d) => {
  cpu.r[d.a] = addWithCarry(cpu, cpu.r[d.b]!, d.c, d.e, true) & d.f;
};
/** CMN/CMP (immediate). */
const execCmpImm: Exec = (cpu, d) => {
  addWithCarry(cpu, cpu.r[d.b]!, d.c, d.e, true);
};
/** ADC/SBC (immediate): SBC stores NOT(imm). */
const execAdcImm: Exec = (cpu, d) => {
  cpu.r[d.a] = addWithCarry(cpu, cpu.r[d.b]!, d.c, cpu.c, false);
};
const execAdcsImm: Exec = (cpu, d) => {
  cpu.r[d.a] = addWithCarry(cpu, cpu.r[d.b]!, d.c, cpu.c, true);
};
const execRsbImm: Exec = (cpu, d) => {
  cpu.r[d.a] = (d.c - cpu.r[d.b]!) | 0;
};
const execRsbsImm: Exec = (cpu, d) => {
  cpu.r[d.a] = addWithCarry(cpu, ~cpu.r[d.b]!, d.c, 1, true);
};

// ---- executors: plain binary immediate ---------------------------------------------------------------

/** MOVT: c = imm16 << 16. */
const execMovt: Exec = (cpu, d) => {
  cpu.r[d.a] = (cpu.r[d.a]! & 0xffff) | d.c;
};
/**
 * SSAT/USAT: operand = R[n] shifted by c (LSL here, ASR below), clamped to [f, e]; Q is set when clamped.
 * SSAT #32 / USAT ranges are all representable in int32, so comparisons on int32 are exact.
 */
const execSatLsl: Exec = (cpu, d) => {
  let v = cpu.r[d.b]! << d.c;
  if (v > d.e) {
    v = d.e;
    cpu.q = 1;
  } else if (v < d.f) {
    v = d.f;
    cpu.q = 1;
  }
  cpu.r[d.a] = v;
};
const execSatAsr: Exec = (cpu, d) => {
  let v = cpu.r[d.b]! >> d.c;
  if (v > d.e) {
    v = d.e;
    cpu.q = 1;
  } else if (v < d.f) {
    v = d.f;
    cpu.q = 1;
  }
  cpu.r[d.a] = v;
};
/** SBFX/UBFX: shift the field to the top (c = 31 - msbit), then down (e = 32 - width). */
const execSbfx: Exec = (cpu, d) => {
  cpu.r[d.a] = (cpu.r[d.b]! << d.c) >> d.e;
};
const execUbfx: Exec = (cpu, d) => {
  cpu.r[d.a] = ((cpu.r[d.b]! << d.c) >>> d.e) | 0;
};
/** BFI: c = field mask, e = lsbit. */
const execBfi: Exec = (cpu, d) => {
  cpu.r[d.a] = (cpu.r[d.a]! & ~d.c) | ((cpu.r[d.b]! << d.e) & d.c);
};
const execBfc: Exec = (cpu, d) => {
  cpu.r[d.a] = cpu.r[d.a]! & ~d.c;
};

// ---- field extraction --------------------------------------------------------------------------------

const rd = (raw: number): number => (raw >>> 8) & 15;
const rn = (raw: number): number => (raw >>> 16) & 15;
const sbit = (raw: number): boolean => (raw & 0x100000) !== 0;
const imm12 = (raw: number): number => ((raw >>> 15) & 0x800) | ((raw >>> 4) & 0x700) | (raw & 0xff);
const imm16 = (raw: number): number => ((raw >>> 4) & 0xf000) | imm12(raw);
/** imm3:imm2 of the saturate/bitfield encodings. */
const imm5 = (raw: number): number => ((raw >>> 10) & 0x1c) | ((raw >>> 6) & 3);

/** ThumbExpandImm of the raw encoding; null when UNPREDICTABLE. */
function expand(raw: number): number | null {
  return thumbExpandImmC(null, imm12(raw), 0);
}
/** Carry-out field: bit 31 of the constant for rotated forms, -1 (C unchanged) otherwise. */
function carryOut(raw: number, value: number): number {
  return thumbExpandImmRotates(imm12(raw)) ? value >>> 31 : -1;
}
function expandedText(raw: number): string {
  const v = expand(raw);
  return v === null ? '#<unpredictable>' : imm(v);
}

// ---- modified immediate patterns ---------------------------------------------------------------------

/** Bit string for A5.3.1: op (4 bits), S, Rn, Rd each as a pattern fragment. */
function mi(op: string, s: string, n: string, d: string): string {
  return `11110x0${op}${s}${n}0xxx${d}xxxxxxxx`;
}

type LogicalKind = 'and' | 'bic' | 'orr' | 'orn' | 'eor';
const LOGICAL: Record<LogicalKind, { op: string; exec: Exec; execS: Exec; invert: boolean; wide: boolean }> = {
  and: { op: '0000', exec: execAndImm, execS: execAndsImm, invert: false, wide: true },
  bic: { op: '0001', exec: execAndImm, execS: execAndsImm, invert: true, wide: true },
  orr: { op: '0010', exec: execOrrImm, execS: execOrrsImm, invert: false, wide: true },
  orn: { op: '0011', exec: execOrrImm, execS: execOrrsImm, invert: true, wide: false },
  eor: { op: '0100', exec: execEorImm, execS: execEorsImm, invert: false, wide: true },
};

function logicalImm(kind: LogicalKind): Pattern {
  const k = LOGICAL[kind];
  return pat(`${kind.toUpperCase()} (immediate) T1`, 4, mi(k.op, 'x', 'xxxx', 'xxxx'),
    (raw) => {
      const d = rd(raw);
      const n = rn(raw);
      const s = sbit(raw);
      // AND/EOR: Rd == 15 with S is TST/TEQ (own pattern); ORR/ORN: Rn == 15 is MOV/MVN (own pattern).
      if (kind === 'and' || kind === 'eor') {
        if (d === 13 || d === 15 || badReg(n)) return null;
      } else if (kind === 'orr' || kind === 'orn') {
        if (badReg(d) || n === 13 || n === 15) return null;
      } else if (badReg(d) || badReg(n)) return null;
      const v = expand(raw);
      if (v === null) return null;
      const c = k.invert ? ~v : v;
      return insn(s ? k.execS : k.exec, raw, 4, 1, d, n, c, 0, s ? carryOut(raw, v) : 0);
    },
    (raw) => `${kind}${sbit(raw) ? 's' : ''}${k.wide ? '.w' : ''} ${R(rd(raw))}, ${R(rn(raw))}, ${expandedText(raw)}`);
}

function testImm(name: 'tst' | 'teq', op: string, exec: Exec): Pattern {
  return pat(`${name.toUpperCase()} (immediate) T1`, 4, mi(op, '1', 'xxxx', '1111'),
    (raw) => {
      const n = rn(raw);
      if (badReg(n)) return null;
      const v = expand(raw);
      if (v === null) return null;
      return insn(exec, raw, 4, 1, 15, n, v, 0, carryOut(raw, v));
    },
    (raw) => `${name}${name === 'tst' ? '.w' : ''} ${R(rn(raw))}, ${expandedText(raw)}`);
}

function moveImm(name: 'mov' | 'mvn', op: string): Pattern {
  return pat(`${name.toUpperCase()} (immediate) T${name === 'mov' ? 2 : 1}`, 4, mi(op, 'x', '1111', 'xxxx'),
    (raw) => {
      const d = rd(raw);
      if (badReg(d)) return null;
      const v = expand(raw);
      if (v === null) return null;
      const c = name === 'mvn' ? ~v : v;
      if (!sbit(raw)) return insn(execSetConst, raw, 4, 1, d, 0, c);
      return insn(execMovsImm, raw, 4, 1, d, c === 0 ? 1 : 0, c, 0, carryOut(raw, v));
    },
    (raw) => `${name}${sbit(raw) ? 's' : ''}.w ${R(rd(raw))}, ${expandedText(raw)}`);
}

/**
 * ADD/SUB (immediate) T3 and the SP forms (ADD SP plus immediate T3, SUB SP minus immediate T2), which differ
 * only in which registers are UNPREDICTABLE.
 */
function addSubImm(sub: boolean, sp: boolean): Pattern {
  const name = sub ? (sp ? 'SUB (SP minus immediate) T2' : 'SUB (immediate) T3') : sp ? 'ADD (SP plus immediate) T3' : 'ADD (immediate) T3';
  return pat(name, 4, mi(sub ? '1101' : '1000', 'x', sp ? '1101' : 'xxxx', 'xxxx'),
    (raw) => {
      const d = rd(raw);
      const n = rn(raw);
      if (sp ? d === 15 : d === 13 || d === 15 || n === 15) return null; // d == 15 with S is CMP/CMN
      const v = expand(raw);
      if (v === null) return null;
      if (sbit(raw)) return insn(execAddsImm, raw, 4, 1, d, n, sub ? ~v : v, 0, sub ? 1 : 0, wmask(d));
      return insn(execAddImmNF, raw, 4, 1, d, n, sub ? -v | 0 : v, 0, 0, wmask(d));
    },
    (raw) => `${sub ? 'sub' : 'add'}${sbit(raw) ? 's' : ''}.w ${R(rd(raw))}, ${R(rn(raw))}, ${expandedText(raw)}`);
}

function compareImm(name: 'cmp' | 'cmn', op: string): Pattern {
  return pat(`${name.toUpperCase()} (immediate) T${name === 'cmp' ? 2 : 1}`, 4, mi(op, '1', 'xxxx', '1111'),
    (raw) => {
      const n = rn(raw);
      if (n === 15) return null;
      const v = expand(raw);
      if (v === null) return null;
      return name === 'cmp' ? insn(execCmpImm, raw, 4, 1, 15, n, ~v, 0, 1) : insn(execCmpImm, raw, 4, 1, 15, n, v, 0, 0);
    },
    (raw) => `${name}.w ${R(rn(raw))}, ${expandedText(raw)}`);
}

function carryImm(name: 'adc' | 'sbc' | 'rsb', op: string): Pattern {
  return pat(`${name.toUpperCase()} (immediate) T1`, 4, mi(op, 'x', 'xxxx', 'xxxx'),
    (raw) => {
      const d = rd(raw);
      const n = rn(raw);
      if (badReg(d) || badReg(n)) return null;
      const v = expand(raw);
      if (v === null) return null;
      const s = sbit(raw);
      if (name === 'rsb') return insn(s ? execRsbsImm : execRsbImm, raw, 4, 1, d, n, v);
      return insn(s ? execAdcsImm : execAdcImm, raw, 4, 1, d, n, name === 'sbc' ? ~v : v);
    },
    (raw) => `${name}${sbit(raw) ? 's' : ''}.w ${R(rd(raw))}, ${R(rn(raw))}, ${expandedText(raw)}`);
}

// ---- plain binary immediate patterns -----------------------------------------------------------------

/** Bit string for A5.3.3: op (5 bits), Rn. */
function pb(op: string, n: string): string {
  return `11110x1${op}${n}0xxxxxxxxxxxxxxx`;
}

/** ADDW/SUBW (T4) and their SP forms. */
function addSubWide(sub: boolean, sp: boolean): Pattern {
  const name = sub ? (sp ? 'SUB (SP minus immediate) T3' : 'SUB (immediate) T4') : sp ? 'ADD (SP plus immediate) T4' : 'ADD (immediate) T4';
  return pat(name, 4, pb(sub ? '01010' : '00000', sp ? '1101' : 'xxxx'),
    (raw) => {
      const d = rd(raw);
      const n = rn(raw);
      if (sp ? d === 15 : badReg(d) || n === 15) return null; // n == 15 is ADR (own pattern)
      const v = imm12(raw);
      return insn(execAddImmNF, raw, 4, 1, d, n, sub ? -v : v, 0, 0, wmask(d));
    },
    (raw) => `${sub ? 'subw' : 'addw'} ${R(rd(raw))}, ${R(rn(raw))}, ${imm(imm12(raw))}`);
}

function adrWide(sub: boolean): Pattern {
  const target = (raw: number, pc: number): number => (((pc + 4) & ~3) + (sub ? -imm12(raw) : imm12(raw))) | 0;
  return pat(`ADR T${sub ? 2 : 3}`, 4, pb(sub ? '01010' : '00000', '1111'),
    (raw, pc) => (badReg(rd(raw)) ? null : insn(execSetConst, raw, 4, 1, rd(raw), 0, target(raw, pc))),
    (raw, pc) => `adr.w ${R(rd(raw))}, ${hex(target(raw, pc))}`);
}

function movWide(top: boolean): Pattern {
  return pat(top ? 'MOVT T1' : 'MOV (immediate) T3', 4, pb(top ? '01100' : '00100', 'xxxx'),
    (raw) => {
      const d = rd(raw);
      if (badReg(d)) return null;
      return top ? insn(execMovt, raw, 4, 1, d, 0, imm16(raw) << 16) : insn(execSetConst, raw, 4, 1, d, 0, imm16(raw));
    },
    (raw) => `${top ? 'movt' : 'movw'} ${R(rd(raw))}, ${imm(imm16(raw))}`);
}

/** The (0) bits of the saturate/bitfield encodings: hw1 bit 10 (i) and hw2 bit 5; set → UNPREDICTABLE. */
function sbzClear(raw: number): boolean {
  return (raw & 0x04000020) === 0;
}

function saturate(unsigned: boolean): Pattern {
  const name = unsigned ? 'usat' : 'ssat';
  const satTo = (raw: number): number => (raw & 31) + (unsigned ? 0 : 1);
  return pat(`${name.toUpperCase()} T1`, 4, pb(unsigned ? '110x0' : '100x0', 'xxxx'),
    (raw): DecodedInsn | null => {
      const d = rd(raw);
      const n = rn(raw);
      const asr = (raw & 0x200000) !== 0;
      const amount = imm5(raw);
      if (asr && amount === 0) return null; // SSAT16/USAT16 (dsp.ts)
      if (badReg(d) || badReg(n) || !sbzClear(raw)) return null;
      const bitsTo = satTo(raw);
      const max = unsigned ? 2 ** bitsTo - 1 : 2 ** (bitsTo - 1) - 1;
      const min = unsigned ? 0 : -(2 ** (bitsTo - 1));
      return insn(asr ? execSatAsr : execSatLsl, raw, 4, 1, d, n, amount, 0, max, min);
    },
    (raw) => {
      const amount = imm5(raw);
      const sh = (raw & 0x200000) !== 0 ? `, asr #${amount}` : amount !== 0 ? `, lsl #${amount}` : '';
      return `${name} ${R(rd(raw))}, #${satTo(raw)}, ${R(rn(raw))}${sh}`;
    });
}

function bitfieldExtract(unsigned: boolean): Pattern {
  const name = unsigned ? 'ubfx' : 'sbfx';
  return pat(`${name.toUpperCase()} T1`, 4, pb(unsigned ? '11100' : '10100', 'xxxx'),
    (raw) => {
      const d = rd(raw);
      const n = rn(raw);
      const lsb = imm5(raw);
      const widthm1 = raw & 31;
      if (badReg(d) || badReg(n) || !sbzClear(raw) || lsb + widthm1 > 31) return null;
      return insn(unsigned ? execUbfx : execSbfx, raw, 4, 1, d, n, 31 - (lsb + widthm1), 0, 31 - widthm1);
    },
    (raw) => `${name} ${R(rd(raw))}, ${R(rn(raw))}, #${imm5(raw)}, #${(raw & 31) + 1}`);
}

function bitfieldInsert(clear: boolean): Pattern {
  return pat(clear ? 'BFC T1' : 'BFI T1', 4, pb('10110', clear ? '1111' : 'xxxx'),
    (raw) => {
      const d = rd(raw);
      const n = rn(raw);
      const lsb = imm5(raw);
      const msb = raw & 31;
      if (badReg(d) || (!clear && n === 13) || !sbzClear(raw) || msb < lsb) return null;
      const width = msb - lsb + 1;
      const mask = width === 32 ? -1 : ((2 ** width - 1) << lsb) | 0;
      return insn(clear ? execBfc : execBfi, raw, 4, 1, d, n, mask, 0, lsb);
    },
    (raw) => {
      const lsb = imm5(raw);
      const width = (raw & 31) - lsb + 1;
      return clear ? `bfc ${R(rd(raw))}, #${lsb}, #${width}` : `bfi ${R(rd(raw))}, ${R(rn(raw))}, #${lsb}, #${width}`;
    });
}

export const patternsImm32: Pattern[] = [
  logicalImm('and'),
  logicalImm('bic'),
  logicalImm('orr'),
  logicalImm('orn'),
  logicalImm('eor'),
  testImm('tst', '0000', execTstImm),
  testImm('teq', '0100', execTeqImm),
  moveImm('mov', '0010'),
  moveImm('mvn', '0011'),
  addSubImm(false, false),
  addSubImm(false, true),
  addSubImm(true, false),
  addSubImm(true, true),
  compareImm('cmn', '1000'),
  compareImm('cmp', '1101'),
  carryImm('adc', '1010'),
  carryImm('sbc', '1011'),
  carryImm('rsb', '1110'),
  addSubWide(false, false),
  addSubWide(false, true),
  addSubWide(true, false),
  addSubWide(true, true),
  adrWide(false),
  adrWide(true),
  movWide(false),
  movWide(true),
  saturate(false),
  saturate(true),
  bitfieldExtract(false),
  bitfieldExtract(true),
  bitfieldInsert(false),
  bitfieldInsert(true),
];
