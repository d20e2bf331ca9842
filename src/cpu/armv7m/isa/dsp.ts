/**
 * Instruction module: the ARMv7E-M DSP extension (Thumb-2 encodings of ARM ARM DDI0403E A5.3).
 * This file: QADD/QSUB/QDADD/QDSUB, SEL (A5.3.15), SSAT16/USAT16 (A5.3.3), PKHBT/PKHTB (A5.3.11) and the
 * extend-and-add / 16-bit extends SXTA*, UXTA*, SXTB16, UXTB16 (A5.3.12); the parallel add/subtract and the
 * multiplies live in dsp-parallel.ts and dsp-multiply.ts. See dsp-common.ts for the UNPREDICTABLE policy.
 * All single-cycle on the Cortex-M4. Fields: a=Rd, b=Rn, c=Rm unless said otherwise.
 */
import type { CortexM4 } from '../cpu.js';
import type { Exec, Pattern } from '../decoded.js';
import { badReg, fRd, fRm, fRn, insn, pat, reg } from './dsp-common.js';
import { multiplyPatterns } from './dsp-multiply.js';
import { parallelPatterns } from './dsp-parallel.js';

// ---- QADD, QSUB, QDADD, QDSUB: SignedSatQ(x, 32), sticky Q ----

/** SignedSatQ(x, 32) for an exact integer x; sets APSR.Q when it clamps (never clears it). */
function satQ32(cpu: CortexM4, x: number): number {
  if (x > 0x7fffffff) {
    cpu.q = 1;
    return 0x7fffffff;
  }
  if (x < -0x80000000) {
    cpu.q = 1;
    return -0x80000000;
  }
  return x;
}

const execQADD: Exec = (cpu, d) => {
  cpu.r[d.a] = satQ32(cpu, cpu.r[d.c] + cpu.r[d.b]);
};
const execQSUB: Exec = (cpu, d) => {
  cpu.r[d.a] = satQ32(cpu, cpu.r[d.c] - cpu.r[d.b]);
};
const execQDADD: Exec = (cpu, d) => {
  cpu.r[d.a] = satQ32(cpu, cpu.r[d.c] + satQ32(cpu, 2 * cpu.r[d.b]));
};
const execQDSUB: Exec = (cpu, d) => {
  cpu.r[d.a] = satQ32(cpu, cpu.r[d.c] - satQ32(cpu, 2 * cpu.r[d.b]));
};

// ---- SEL: byte i from Rn if GE[i] else from Rm ----

const execSEL: Exec = (cpu, d) => {
  const ge = cpu.ge;
  // Expand GE[3:0] into a byte mask.
  const mask = (ge & 1 ? 0xff : 0) | (ge & 2 ? 0xff00 : 0) | (ge & 4 ? 0xff0000 : 0) | (ge & 8 ? 0xff000000 : 0);
  cpu.r[d.a] = (cpu.r[d.b] & mask) | (cpu.r[d.c] & ~mask);
};

// ---- SSAT16, USAT16: d = lower bound, e = upper bound of each halfword (decoded from sat_imm) ----

const execSSAT16: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  let lo = (n << 16) >> 16;
  let hi = n >> 16;
  if (lo > d.e) {
    lo = d.e;
    cpu.q = 1;
  } else if (lo < d.d) {
    lo = d.d;
    cpu.q = 1;
  }
  if (hi > d.e) {
    hi = d.e;
    cpu.q = 1;
  } else if (hi < d.d) {
    hi = d.d;
    cpu.q = 1;
  }
  cpu.r[d.a] = (hi << 16) | (lo & 0xffff);
};

const execUSAT16: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  let lo = (n << 16) >> 16;
  let hi = n >> 16;
  if (lo > d.e) {
    lo = d.e;
    cpu.q = 1;
  } else if (lo < 0) {
    lo = 0;
    cpu.q = 1;
  }
  if (hi > d.e) {
    hi = d.e;
    cpu.q = 1;
  } else if (hi < 0) {
    hi = 0;
    cpu.q = 1;
  }
  cpu.r[d.a] = (hi << 16) | lo;
};

// ---- PKHBT, PKHTB: d = shift amount (ASR #32 decoded as 31, same result) ----

const execPKHBT: Exec = (cpu, d) => {
  cpu.r[d.a] = (cpu.r[d.b] & 0xffff) | ((cpu.r[d.c] << d.d) & 0xffff0000);
};
const execPKHTB: Exec = (cpu, d) => {
  cpu.r[d.a] = (cpu.r[d.b] & 0xffff0000) | ((cpu.r[d.c] >> d.d) & 0xffff);
};

// ---- extends: d = rotation (0, 8, 16, 24); ROR via the JS shift-count masking (rot 0 gives x) ----

const execSXTAB: Exec = (cpu, d) => {
  const m = cpu.r[d.c];
  const rotated = (m >>> d.d) | (m << (32 - d.d));
  cpu.r[d.a] = (cpu.r[d.b] + ((rotated << 24) >> 24)) | 0;
};
const execSXTAH: Exec = (cpu, d) => {
  const m = cpu.r[d.c];
  const rotated = (m >>> d.d) | (m << (32 - d.d));
  cpu.r[d.a] = (cpu.r[d.b] + ((rotated << 16) >> 16)) | 0;
};
const execUXTAB: Exec = (cpu, d) => {
  const m = cpu.r[d.c];
  const rotated = (m >>> d.d) | (m << (32 - d.d));
  cpu.r[d.a] = (cpu.r[d.b] + (rotated & 0xff)) | 0;
};
const execUXTAH: Exec = (cpu, d) => {
  const m = cpu.r[d.c];
  const rotated = (m >>> d.d) | (m << (32 - d.d));
  cpu.r[d.a] = (cpu.r[d.b] + (rotated & 0xffff)) | 0;
};
const execSXTAB16: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const rotated = (m >>> d.d) | (m << (32 - d.d));
  cpu.r[d.a] = ((n + ((rotated << 24) >> 24)) & 0xffff) | (((n >>> 16) + ((rotated << 8) >> 24)) << 16);
};
const execUXTAB16: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const rotated = (m >>> d.d) | (m << (32 - d.d));
  cpu.r[d.a] = ((n + (rotated & 0xff)) & 0xffff) | (((n >>> 16) + ((rotated >>> 16) & 0xff)) << 16);
};
const execSXTB16: Exec = (cpu, d) => {
  const m = cpu.r[d.c];
  const rotated = (m >>> d.d) | (m << (32 - d.d));
  cpu.r[d.a] = (((rotated << 24) >> 24) & 0xffff) | (((rotated << 8) >> 24) << 16);
};
const execUXTB16: Exec = (cpu, d) => {
  const m = cpu.r[d.c];
  cpu.r[d.a] = ((m >>> d.d) | (m << (32 - d.d))) & 0x00ff00ff;
};

// ---- decoders ----

function bad3(raw: number): boolean {
  return badReg(fRd(raw)) || badReg(fRn(raw)) || badReg(fRm(raw));
}

/** Miscellaneous operations (A5.3.15) QADD..QDSUB: 11111010 1000 Rn | 1111 Rd 10 op2 Rm; syntax is "Rd, Rm, Rn". */
function qPattern(name: string, op2: string, exec: Exec): Pattern {
  const m = name.toLowerCase();
  return pat(`${name} T1`, `11111010_1000_xxxx_1111_xxxx_10${op2}_xxxx`,
    (raw) => (bad3(raw) ? null : insn(exec, raw, fRd(raw), fRn(raw), fRm(raw))),
    (raw) => `${m} ${reg(fRd(raw))}, ${reg(fRm(raw))}, ${reg(fRn(raw))}`);
}

function rot(raw: number): number {
  return ((raw >>> 4) & 3) * 8;
}
function rorSuffix(raw: number): string {
  const r = rot(raw);
  return r ? `, ror #${r}` : '';
}

/**
 * Extend-and-add (A5.3.12): 11111010 0 op1 Rn | 1111 Rd 1 (0) rotate Rm. With Rn = 1111 SXTAH/UXTAH/SXTAB/UXTAB
 * are SXTH/UXTH/SXTB/UXTB (data-processing.ts owns them), so those decline; SXTAB16/UXTAB16 with Rn = 1111 are
 * SXTB16/UXTB16, which have their own more specific patterns here.
 */
function extendAdd(name: string, op1: string, exec: Exec): Pattern {
  const m = name.toLowerCase();
  return pat(`${name} T1`, `11111010_0${op1}_xxxx_1111_xxxx_10xx_xxxx`,
    (raw) => (fRn(raw) === 15 || bad3(raw) ? null : insn(exec, raw, fRd(raw), fRn(raw), fRm(raw), rot(raw))),
    (raw) => `${m} ${reg(fRd(raw))}, ${reg(fRn(raw))}, ${reg(fRm(raw))}${rorSuffix(raw)}`);
}
function extend16(name: string, op1: string, exec: Exec): Pattern {
  const m = name.toLowerCase();
  return pat(`${name} T1`, `11111010_0${op1}_1111_1111_xxxx_10xx_xxxx`,
    (raw) => (badReg(fRd(raw)) || badReg(fRm(raw)) ? null : insn(exec, raw, fRd(raw), 15, fRm(raw), rot(raw))),
    (raw) => `${m} ${reg(fRd(raw))}, ${reg(fRm(raw))}${rorSuffix(raw)}`);
}

/** SSAT16/USAT16 (A5.3.3): 11110 (0) 11 sh=1 0 U... | 0 000 Rd 00 (0)(0) sat_imm; sat_imm in hw2[3:0]. */
function satPattern(name: string, spec: string, exec: Exec, signed: boolean): Pattern {
  const m = name.toLowerCase();
  // saturate_to = sat_imm + 1 (SSAT16, 1..16) or sat_imm (USAT16, 0..15).
  const satTo = (raw: number): number => (raw & 15) + (signed ? 1 : 0);
  return pat(`${name} T1`, spec,
    (raw) => {
      if (badReg(fRd(raw)) || badReg(fRn(raw))) return null;
      const s = satTo(raw);
      const max = signed ? 2 ** (s - 1) - 1 : 2 ** s - 1;
      const min = signed ? -(2 ** (s - 1)) : 0;
      return insn(exec, raw, fRd(raw), fRn(raw), 0, min, max);
    },
    (raw) => `${m} ${reg(fRd(raw))}, #${satTo(raw)}, ${reg(fRn(raw))}`);
}

/** PKHBT/PKHTB (A5.3.11, op=0110 S=0): 11101010 1100 Rn | (0) imm3 Rd imm2 tb T=0 Rm. */
function pkhShift(raw: number): number {
  return ((raw >>> 10) & 0x1c) | ((raw >>> 6) & 3);
}

export const patterns: Pattern[] = [
  ...parallelPatterns,
  ...multiplyPatterns,
  qPattern('QADD', '00', execQADD),
  qPattern('QDADD', '01', execQDADD),
  qPattern('QSUB', '10', execQSUB),
  qPattern('QDSUB', '11', execQDSUB),
  pat('SEL T1', '11111010_1010_xxxx_1111_xxxx_1000_xxxx',
    (raw) => (bad3(raw) ? null : insn(execSEL, raw, fRd(raw), fRn(raw), fRm(raw))),
    (raw) => `sel ${reg(fRd(raw))}, ${reg(fRn(raw))}, ${reg(fRm(raw))}`),
  satPattern('SSAT16', '11110_0_11_0010_xxxx_0000_xxxx_0000_xxxx', execSSAT16, true),
  satPattern('USAT16', '11110_0_11_1010_xxxx_0000_xxxx_0000_xxxx', execUSAT16, false),
  pat('PKHBT T1', '11101010_1100_xxxx_0xxx_xxxx_xx00_xxxx',
    (raw) => (bad3(raw) ? null : insn(execPKHBT, raw, fRd(raw), fRn(raw), fRm(raw), pkhShift(raw))),
    (raw) => {
      const s = pkhShift(raw);
      return `pkhbt ${reg(fRd(raw))}, ${reg(fRn(raw))}, ${reg(fRm(raw))}${s ? `, lsl #${s}` : ''}`;
    }),
  pat('PKHTB T1', '11101010_1100_xxxx_0xxx_xxxx_xx10_xxxx',
    // DecodeImmShift('10', 0) is ASR #32, whose result equals ASR #31.
    (raw) => (bad3(raw) ? null : insn(execPKHTB, raw, fRd(raw), fRn(raw), fRm(raw), pkhShift(raw) || 31)),
    (raw) => `pkhtb ${reg(fRd(raw))}, ${reg(fRn(raw))}, ${reg(fRm(raw))}, asr #${pkhShift(raw) || 32}`),
  extendAdd('SXTAH', '000', execSXTAH),
  extendAdd('UXTAH', '001', execUXTAH),
  extendAdd('SXTAB16', '010', execSXTAB16),
  extendAdd('UXTAB16', '011', execUXTAB16),
  extendAdd('SXTAB', '100', execSXTAB),
  extendAdd('UXTAB', '101', execUXTAB),
  extend16('SXTB16', '010', execSXTB16),
  extend16('UXTB16', '011', execUXTB16),
];
