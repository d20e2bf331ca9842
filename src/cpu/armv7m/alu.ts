/**
 * ARM ARM pseudocode helpers shared by the instruction modules (names follow the ARM ARM, section A2).
 * Results are int32; carry-outs are left in `cpu.shifterCarry` (no tuple allocation in the hot path).
 */
import type { CortexM4 } from './cpu.js';

export const SRType = { LSL: 0, LSR: 1, ASR: 2, ROR: 3, RRX: 4 } as const;

/** AddWithCarry(x, y, carry) with flag update when `setflags`; returns the int32 result. */
export function addWithCarry(cpu: CortexM4, x: number, y: number, carry: number, setflags: boolean): number {
  const usum = (x >>> 0) + (y >>> 0) + carry;
  const result = usum | 0;
  if (setflags) {
    cpu.n = result >>> 31;
    cpu.z = result === 0 ? 1 : 0;
    cpu.c = usum > 0xffffffff ? 1 : 0;
    cpu.v = ((x ^ result) & (y ^ result)) < 0 ? 1 : 0;
  }
  return result;
}

/** DecodeImmShift(type, imm5) → [SRType, amount] packed as type*64 + amount. */
export function decodeImmShift(type: number, imm5: number): number {
  switch (type & 3) {
    case 0:
      return SRType.LSL * 64 + imm5;
    case 1:
      return SRType.LSR * 64 + (imm5 === 0 ? 32 : imm5);
    case 2:
      return SRType.ASR * 64 + (imm5 === 0 ? 32 : imm5);
    default:
      return imm5 === 0 ? SRType.RRX * 64 + 1 : SRType.ROR * 64 + imm5;
  }
}

/**
 * Shift_C(value, type, amount, carry_in): returns the shifted int32 and sets `cpu.shifterCarry`.
 * Amount may be anything 0..255 (register-controlled shifts); amount 0 leaves value and carry unchanged.
 */
export function shiftC(cpu: CortexM4, value: number, type: number, amount: number, carryIn: number): number {
  if (amount === 0 && type !== SRType.RRX) {
    cpu.shifterCarry = carryIn;
    return value | 0;
  }
  switch (type) {
    case SRType.LSL:
      if (amount < 32) {
        cpu.shifterCarry = (value >>> (32 - amount)) & 1;
        return value << amount;
      }
      cpu.shifterCarry = amount === 32 ? value & 1 : 0;
      return 0;
    case SRType.LSR:
      if (amount < 32) {
        cpu.shifterCarry = (value >>> (amount - 1)) & 1;
        return (value >>> amount) | 0;
      }
      cpu.shifterCarry = amount === 32 ? value >>> 31 : 0;
      return 0;
    case SRType.ASR:
      if (amount < 32) {
        cpu.shifterCarry = (value >> (amount - 1)) & 1;
        return value >> amount;
      }
      cpu.shifterCarry = value >>> 31;
      return value >> 31;
    case SRType.ROR: {
      const m = amount & 31;
      const result = m === 0 ? value | 0 : (value >>> m) | (value << (32 - m));
      cpu.shifterCarry = result >>> 31;
      return result;
    }
    default: {
      // RRX
      cpu.shifterCarry = value & 1;
      return ((carryIn << 31) | (value >>> 1)) | 0;
    }
  }
}

/** Shift(value, type, amount, carry_in) without the carry-out. */
export function shift(cpu: CortexM4, value: number, type: number, amount: number, carryIn: number): number {
  return shiftC(cpu, value, type, amount, carryIn);
}

/**
 * ThumbExpandImm_C(imm12, carry_in). Returns the int32 constant; the carry-out goes to `cpu.shifterCarry`.
 * Returns null for the UNPREDICTABLE encodings (imm12<11:10> == 00 with a zero byte where one is required).
 */
export function thumbExpandImmC(cpu: CortexM4 | null, imm12: number, carryIn: number): number | null {
  const imm8 = imm12 & 0xff;
  if ((imm12 >>> 10) === 0) {
    let r: number;
    switch ((imm12 >>> 8) & 3) {
      case 0:
        r = imm8;
        break;
      case 1:
        if (imm8 === 0) return null;
        r = (imm8 << 16) | imm8;
        break;
      case 2:
        if (imm8 === 0) return null;
        r = (imm8 << 24) | (imm8 << 8);
        break;
      default:
        if (imm8 === 0) return null;
        r = (imm8 << 24) | (imm8 << 16) | (imm8 << 8) | imm8;
        break;
    }
    if (cpu) cpu.shifterCarry = carryIn;
    return r | 0;
  }
  const unrotated = 0x80 | (imm12 & 0x7f);
  const rot = (imm12 >>> 7) & 31;
  const r = (unrotated >>> rot) | (unrotated << (32 - rot));
  if (cpu) cpu.shifterCarry = r >>> 31;
  return r | 0;
}

/**
 * Whether ThumbExpandImm_C's carry-out depends on the input carry (the rotated forms set it from bit 31).
 * Decoders use it to precompute the constant and whether a flag-setting logical op changes C.
 */
export function thumbExpandImmRotates(imm12: number): boolean {
  return imm12 >>> 10 !== 0;
}

/** Signed saturation to `bits` (1..32): returns the saturated int32 and sets `cpu.sat` to 1 if it saturated. */
export function signedSat(cpu: CortexM4, value: number, bits: number): number {
  const max = 2 ** (bits - 1) - 1;
  const min = -(2 ** (bits - 1));
  if (value > max) {
    cpu.sat = 1;
    return max | 0;
  }
  if (value < min) {
    cpu.sat = 1;
    return min | 0;
  }
  cpu.sat = 0;
  return value | 0;
}

/** Unsigned saturation to `bits` (0..31): value is a mathematical integer (JS number). */
export function unsignedSat(cpu: CortexM4, value: number, bits: number): number {
  const max = 2 ** bits - 1;
  if (value > max) {
    cpu.sat = 1;
    return max | 0;
  }
  if (value < 0) {
    cpu.sat = 1;
    return 0;
  }
  cpu.sat = 0;
  return value | 0;
}

export const CONDITION_NAMES = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', '', ''] as const;
