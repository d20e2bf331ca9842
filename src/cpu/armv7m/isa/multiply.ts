/**
 * Instruction module: multiply and divide (ARMv7-M ARM DDI0403E, A5.2.2 MUL, A5.3.16 / A5.3.17).
 *
 * MUL (16-bit), MUL/MLA/MLS (32-bit), SMULL/UMULL/SMLAL/UMLAL, SDIV/UDIV. The DSP multiplies (UMAAL,
 * SMLAL<x><y>, SMLALD, SMMUL, ...) live in dsp.ts.
 *
 * 64-bit products are exact without BigInt: the low word is Math.imul, the high word is built from 16-bit
 * partial products (every intermediate stays below 2^53), and the signed high word is derived from the
 * unsigned one.
 *
 * Decisions:
 * - UNPREDICTABLE register choices (sp or pc as any operand, RdHi == RdLo) decode as UNDEFINED.
 * - Cycles (Cortex-M4 TRM table 3-1): MUL/MLA/MLS 1, SMULL/UMULL/SMLAL/UMLAL 1 (single-cycle 32x32
 *   multiplier). SDIV/UDIV take 2–12 with early termination depending on the operands; we approximate
 *   2 + floor(significant quotient bits / 4), which spans 2..10 (so never needs clamping to 12); division by
 *   zero costs 2.
 */
import type { CortexM4 } from '../cpu.js';
import { DecodedInsn, bits, type Exec, type Pattern } from '../decoded.js';
import { CFSR, Exc, GuestFault } from '../faults.js';

const REG_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc'] as const;

function reg(n: number): string {
  return REG_NAMES[n & 15]!;
}

function pattern(
  name: string,
  size: 2 | 4,
  spec: string,
  decode: (raw: number, pc: number) => DecodedInsn | null,
  disasm: (raw: number, pc: number) => string,
): Pattern {
  const { mask, match } = bits(spec);
  return { name, size, mask, match, decode, disasm };
}

/** Is any of these register numbers sp or pc (UNPREDICTABLE as a multiply operand)? */
function badReg(...regs: number[]): boolean {
  return regs.some((r) => r === 13 || r === 15);
}

/**
 * High 32 bits of the unsigned 64-bit product of the 32-bit patterns a and b, as int32.
 * Partial products of 16-bit halves are < 2^32, so every sum below is exact in a double.
 */
export function umulHi(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const lh = al * bh;
  const hl = ah * bl;
  const mid = ((al * bl) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) | 0;
}

/**
 * High 32 bits of the signed 64-bit product. With a_s = a_u - 2^32·[a<0], the signed product's high word is
 * hi_u - [a<0]·b - [b<0]·a (mod 2^32).
 */
export function smulHi(a: number, b: number): number {
  return (umulHi(a, b) - ((a >> 31) & b) - ((b >> 31) & a)) | 0;
}

// ---- executors --------------------------------------------------------------------------------------

/** MULS Rdm, Rn, Rdm (T1): d.a = dm, d.b = n. Flags N, Z only outside an IT block; C and V unchanged. */
const execMul16: Exec = (cpu, d) => {
  const result = Math.imul(cpu.r[d.b]!, cpu.r[d.a]!);
  cpu.r[d.a] = result;
  if (!cpu.inIT) {
    cpu.n = result >>> 31;
    cpu.z = result === 0 ? 1 : 0;
  }
};

/** MUL (T2): d.a = d, d.b = n, d.c = m. */
const execMul: Exec = (cpu, d) => {
  cpu.r[d.a] = Math.imul(cpu.r[d.b]!, cpu.r[d.c]!);
};

/** MLA: d.a = d, d.b = n, d.c = m, d.d = a. */
const execMla: Exec = (cpu, d) => {
  const r = cpu.r;
  r[d.a] = (Math.imul(r[d.b]!, r[d.c]!) + r[d.d]!) | 0;
};

/** MLS: d.a = d, d.b = n, d.c = m, d.d = a. */
const execMls: Exec = (cpu, d) => {
  const r = cpu.r;
  r[d.a] = (r[d.d]! - Math.imul(r[d.b]!, r[d.c]!)) | 0;
};

// Long multiplies: d.a = dLo, d.b = dHi, d.c = n, d.d = m. Operands are read before either result is written.

const execUmull: Exec = (cpu, d) => {
  const r = cpu.r;
  const x = r[d.c]!;
  const y = r[d.d]!;
  r[d.b] = umulHi(x, y);
  r[d.a] = Math.imul(x, y);
};

const execSmull: Exec = (cpu, d) => {
  const r = cpu.r;
  const x = r[d.c]!;
  const y = r[d.d]!;
  r[d.b] = smulHi(x, y);
  r[d.a] = Math.imul(x, y);
};

/** UMLAL: RdHi:RdLo += Rn * Rm (unsigned). The carry out of the low word goes into the high word. */
const execUmlal: Exec = (cpu, d) => {
  const r = cpu.r;
  const x = r[d.c]!;
  const y = r[d.d]!;
  const lo = (Math.imul(x, y) >>> 0) + (r[d.a]! >>> 0);
  const hi = umulHi(x, y) + r[d.b]! + (lo > 0xffffffff ? 1 : 0);
  r[d.b] = hi; // Int32Array stores ToInt32(hi): the sum modulo 2^32
  r[d.a] = lo;
};

/** SMLAL: as UMLAL with the signed high word (64-bit two's complement addition is sign-agnostic). */
const execSmlal: Exec = (cpu, d) => {
  const r = cpu.r;
  const x = r[d.c]!;
  const y = r[d.d]!;
  const lo = (Math.imul(x, y) >>> 0) + (r[d.a]! >>> 0);
  const hi = smulHi(x, y) + r[d.b]! + (lo > 0xffffffff ? 1 : 0);
  r[d.b] = hi;
  r[d.a] = lo;
};

function divideByZero(cpu: CortexM4): void {
  // CCR.DIV_0_TRP: UsageFault DIVBYZERO; otherwise the result is 0 (A7.7.127).
  if (cpu.div0Trap) throw new GuestFault(Exc.UsageFault, CFSR.DIVBYZERO);
}

/** SDIV: d.a = d, d.b = n, d.c = m. Rounds toward zero; 0x80000000 / -1 = 0x80000000 (no overflow trap). */
const execSdiv: Exec = (cpu, d) => {
  const r = cpu.r;
  const m = r[d.c]!;
  if (m === 0) {
    divideByZero(cpu);
    r[d.a] = 0;
    return;
  }
  // |n|, |m| <= 2^31: the double quotient never crosses an integer, and ToInt32 truncates toward zero
  // and wraps 2^31 (INT_MIN / -1) to INT_MIN, as the architecture requires.
  const q = (r[d.b]! / m) | 0;
  r[d.a] = q;
  cpu.cycles += (32 - Math.clz32(Math.abs(q))) >>> 2;
};

/** UDIV: d.a = d, d.b = n, d.c = m. */
const execUdiv: Exec = (cpu, d) => {
  const r = cpu.r;
  const m = r[d.c]! >>> 0;
  if (m === 0) {
    divideByZero(cpu);
    r[d.a] = 0;
    return;
  }
  const q = ((r[d.b]! >>> 0) / m) >>> 0;
  r[d.a] = q;
  cpu.cycles += (32 - Math.clz32(q)) >>> 2;
};

// ---- patterns ---------------------------------------------------------------------------------------

/** Fields of the 32-bit multiply encodings: Rn = hw1[3:0], Ra/RdLo = hw2[15:12], Rd/RdHi = hw2[11:8], Rm = hw2[3:0]. */
const fn = (raw: number): number => (raw >>> 16) & 15;
const f12 = (raw: number): number => (raw >>> 12) & 15;
const f8 = (raw: number): number => (raw >>> 8) & 15;
const fm = (raw: number): number => raw & 15;

/** Three-register forms (MUL T2, SDIV, UDIV): Rd = hw2[11:8]. */
function threeReg(name: string, spec: string, exec: Exec, cycles: number, mnemonic: string): Pattern {
  return pattern(
    name,
    4,
    spec,
    (raw) => (badReg(f8(raw), fn(raw), fm(raw)) ? null : new DecodedInsn(exec, raw, 4, cycles, f8(raw), fn(raw), fm(raw))),
    (raw) => `${mnemonic} ${reg(f8(raw))}, ${reg(fn(raw))}, ${reg(fm(raw))}`,
  );
}

/** MLA/MLS: Rd = hw2[11:8], Ra = hw2[15:12]; Ra = 1111 in MLA's encoding is MUL (more specific pattern). */
function accumulate(name: string, spec: string, exec: Exec, mnemonic: string): Pattern {
  return pattern(
    name,
    4,
    spec,
    (raw) =>
      badReg(f8(raw), fn(raw), fm(raw), f12(raw))
        ? null
        : new DecodedInsn(exec, raw, 4, 1, f8(raw), fn(raw), fm(raw), f12(raw)),
    (raw) => `${mnemonic} ${reg(f8(raw))}, ${reg(fn(raw))}, ${reg(fm(raw))}, ${reg(f12(raw))}`,
  );
}

/** SMULL/UMULL/SMLAL/UMLAL: RdLo = hw2[15:12], RdHi = hw2[11:8]. */
function long(name: string, spec: string, exec: Exec, mnemonic: string): Pattern {
  return pattern(
    name,
    4,
    spec,
    (raw) => {
      const dLo = f12(raw);
      const dHi = f8(raw);
      if (badReg(dLo, dHi, fn(raw), fm(raw)) || dLo === dHi) return null;
      return new DecodedInsn(exec, raw, 4, 1, dLo, dHi, fn(raw), fm(raw));
    },
    (raw) => `${mnemonic} ${reg(f12(raw))}, ${reg(f8(raw))}, ${reg(fn(raw))}, ${reg(fm(raw))}`,
  );
}

export const patterns: Pattern[] = [
  pattern(
    'MUL T1',
    2,
    '0100_0011_01xx_xxxx',
    (raw) => new DecodedInsn(execMul16, raw, 2, 1, raw & 7, (raw >>> 3) & 7),
    // MULS outside IT blocks; inside one the same encoding is MUL (the disassembler has no IT context).
    (raw) => `muls ${reg(raw & 7)}, ${reg((raw >>> 3) & 7)}, ${reg(raw & 7)}`,
  ),
  threeReg('MUL T2', '11111011_0000xxxx_1111xxxx_0000xxxx', execMul, 1, 'mul'),
  accumulate('MLA T1', '11111011_0000xxxx_xxxxxxxx_0000xxxx', execMla, 'mla'),
  accumulate('MLS T1', '11111011_0000xxxx_xxxxxxxx_0001xxxx', execMls, 'mls'),
  long('SMULL T1', '11111011_1000xxxx_xxxxxxxx_0000xxxx', execSmull, 'smull'),
  long('UMULL T1', '11111011_1010xxxx_xxxxxxxx_0000xxxx', execUmull, 'umull'),
  long('SMLAL T1', '11111011_1100xxxx_xxxxxxxx_0000xxxx', execSmlal, 'smlal'),
  long('UMLAL T1', '11111011_1110xxxx_xxxxxxxx_0000xxxx', execUmlal, 'umlal'),
  // hw2[15:12] are (1)(1)(1)(1) in the divides: ignored.
  threeReg('SDIV T1', '11111011_1001xxxx_xxxxxxxx_1111xxxx', execSdiv, 2, 'sdiv'),
  threeReg('UDIV T1', '11111011_1011xxxx_xxxxxxxx_1111xxxx', execUdiv, 2, 'udiv'),
];
