/**
 * Shared pieces of the data-processing module: pattern/insn builders, register-write masks, the bit-twiddling
 * executors used by both 16- and 32-bit encodings, and unified-syntax formatting helpers.
 */
import { DecodedInsn, bits, type Exec, type Pattern } from '../decoded.js';

/** Builds a pattern from an ARM ARM style bit string. */
export function pat(
  name: string,
  size: 2 | 4,
  spec: string,
  decode: (raw: number, pc: number) => DecodedInsn | null,
  disasm: (raw: number, pc: number) => string,
): Pattern {
  const { mask, match } = bits(spec);
  return { name, size, mask, match, decode, disasm };
}

export function insn(exec: Exec, raw: number, size: number, cycles: number, a = 0, b = 0, c = 0, d = 0, e = 0, f = 0): DecodedInsn {
  return new DecodedInsn(exec, raw, size, cycles, a, b, c, d, e, f);
}

/**
 * AND-mask applied when writing register `n`: writes to SP ignore bits [1:0] (the SP is word aligned on
 * ARMv7-M, as on the hardware, QEMU and Renode), other registers take the value as is. Unicorn 2.0.1 keeps
 * bits [1:0], so a differential run must keep SP results word aligned or ignore those two bits.
 */
export function wmask(n: number): number {
  return n === 13 ? ~3 : -1;
}

/** BadReg(n): SP or PC, which most 32-bit encodings make UNPREDICTABLE. */
export function badReg(n: number): boolean {
  return n === 13 || n === 15;
}

/** Sets N and Z from a result (logical ops; C and V are the caller's business). */
export function setNZ(cpu: { n: number; z: number }, r: number): void {
  cpu.n = r >>> 31;
  cpu.z = r === 0 ? 1 : 0;
}

// ---- executors shared by 16- and 32-bit forms (a = d, b = m unless noted) ----------------------------

/** Writes the decode-time constant c (ADR, MOVW). */
export const execSetConst: Exec = (cpu, d) => {
  cpu.r[d.a] = d.c;
};

/** R[d] = (R[n] + c) (ADD/SUB without flags; SUB stores -imm). f masks SP writes. */
export const execAddImmNF: Exec = (cpu, d) => {
  cpu.r[d.a] = (cpu.r[d.b]! + d.c) & d.f;
};

export const execSxth: Exec = (cpu, d) => {
  cpu.r[d.a] = (cpu.r[d.b]! << 16) >> 16;
};
export const execSxtb: Exec = (cpu, d) => {
  cpu.r[d.a] = (cpu.r[d.b]! << 24) >> 24;
};
export const execUxth: Exec = (cpu, d) => {
  cpu.r[d.a] = cpu.r[d.b]! & 0xffff;
};
export const execUxtb: Exec = (cpu, d) => {
  cpu.r[d.a] = cpu.r[d.b]! & 0xff;
};

export const execRev: Exec = (cpu, d) => {
  const x = cpu.r[d.b]!;
  cpu.r[d.a] = (x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
};
export const execRev16: Exec = (cpu, d) => {
  const x = cpu.r[d.b]!;
  cpu.r[d.a] = ((x & 0x00ff00ff) << 8) | ((x >>> 8) & 0x00ff00ff);
};
/** REVSH: byte-swap the low halfword and sign-extend it. */
export const execRevsh: Exec = (cpu, d) => {
  const x = cpu.r[d.b]!;
  cpu.r[d.a] = (((x & 0xff) << 24) >> 16) | ((x >>> 8) & 0xff);
};

// ---- disassembly helpers ----------------------------------------------------------------------------

const REG_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc'];

export function R(n: number): string {
  return REG_NAMES[n & 15]!;
}

/** Immediate operand: decimal below 256, hex above (as unsigned). */
export function imm(v: number): string {
  const u = v >>> 0;
  return u < 256 ? `#${u}` : `#0x${u.toString(16)}`;
}

export function hex(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}

const SHIFT_NAMES = ['lsl', 'lsr', 'asr', 'ror'];

/** ", <shift> #n" suffix for a DecodeImmShift(type, imm5) operand ("" for LSL #0). */
export function shiftSuffix(type: number, imm5: number): string {
  if (type === 0 && imm5 === 0) return '';
  if (type === 3 && imm5 === 0) return ', rrx';
  const n = (type === 1 || type === 2) && imm5 === 0 ? 32 : imm5;
  return `, ${SHIFT_NAMES[type]} #${n}`;
}

export function shiftName(type: number): string {
  return SHIFT_NAMES[type & 3]!;
}
