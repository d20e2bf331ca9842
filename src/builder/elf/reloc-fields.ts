/**
 * The bit fields each AAELF32 relocation type patches. ARM objects use REL relocations: the addend lives in
 * the place itself, encoded like the final value (a branch offset in a BL, an imm16 in a MOVW). The same
 * encoders write addends into `.o` files and results into linked images.
 */
import { RelocType } from '../object.js';

const R = RelocType;

function rd16(d: Uint8Array, o: number): number {
  return d[o]! | (d[o + 1]! << 8);
}
function wr16(d: Uint8Array, o: number, v: number): void {
  d[o] = v & 0xff;
  d[o + 1] = (v >>> 8) & 0xff;
}
function rd32(d: Uint8Array, o: number): number {
  return (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16) | (d[o + 3]! << 24)) >>> 0;
}
function wr32(d: Uint8Array, o: number, v: number): void {
  wr16(d, o, v & 0xffff);
  wr16(d, o + 2, v >>> 16);
}
function sext(v: number, bits: number): number {
  const s = 32 - bits;
  return (v << s) >> s;
}

export function isSupportedReloc(type: number): boolean {
  return (Object.values(R) as number[]).includes(type);
}

/** The field's value as a signed (or unsigned) number: what the addend is for REL objects. */
function readField(type: number, d: Uint8Array, o: number): number {
  switch (type) {
    case R.R_ARM_ABS32:
    case R.R_ARM_REL32:
    case R.R_ARM_TARGET1:
      return rd32(d, o) | 0;
    case R.R_ARM_PREL31:
      return sext(rd32(d, o) & 0x7fffffff, 31);
    case R.R_ARM_THM_CALL:
    case R.R_ARM_THM_JUMP24: {
      const h1 = rd16(d, o);
      const h2 = rd16(d, o + 2);
      const s = (h1 >> 10) & 1;
      const i1 = ~((h2 >> 13) ^ s) & 1;
      const i2 = ~((h2 >> 11) ^ s) & 1;
      return sext((s << 24) | (i1 << 23) | (i2 << 22) | ((h1 & 0x3ff) << 12) | ((h2 & 0x7ff) << 1), 25);
    }
    case R.R_ARM_THM_JUMP19: {
      const h1 = rd16(d, o);
      const h2 = rd16(d, o + 2);
      const s = (h1 >> 10) & 1;
      const j1 = (h2 >> 13) & 1;
      const j2 = (h2 >> 11) & 1;
      return sext((s << 20) | (j2 << 19) | (j1 << 18) | ((h1 & 0x3f) << 12) | ((h2 & 0x7ff) << 1), 21);
    }
    case R.R_ARM_THM_MOVW_ABS_NC:
    case R.R_ARM_THM_MOVT_ABS: {
      const h1 = rd16(d, o);
      const h2 = rd16(d, o + 2);
      return sext(((h1 & 0xf) << 12) | (((h1 >> 10) & 1) << 11) | (((h2 >> 12) & 7) << 8) | (h2 & 0xff), 16);
    }
    case R.R_ARM_THM_JUMP11:
      return sext((rd16(d, o) & 0x7ff) << 1, 12);
    case R.R_ARM_THM_JUMP8:
      return sext((rd16(d, o) & 0xff) << 1, 9);
    case R.R_ARM_THM_PC8:
      return (rd16(d, o) & 0xff) << 2;
    case R.R_ARM_THM_PC12: {
      const h1 = rd16(d, o);
      const imm = rd16(d, o + 2) & 0xfff;
      return h1 & 0x80 ? imm : -imm;
    }
    case R.R_ARM_THM_ALU_PREL_11_0: {
      const h1 = rd16(d, o);
      const h2 = rd16(d, o + 2);
      const imm = (((h1 >> 10) & 1) << 11) | (((h2 >> 12) & 7) << 8) | (h2 & 0xff);
      return (h1 & 0x1f0) === 0x0a0 ? -imm : imm;
    }
    default:
      throw new Error(`relocation type ${type} has no field encoder`);
  }
}

/** Writes `v` into the field; returns a reason when it does not fit (range, alignment), else undefined. */
function writeField(type: number, d: Uint8Array, o: number, v: number): string | undefined {
  const range = (lo: number, hi: number, what: string): string | undefined =>
    v < lo || v > hi ? `${what} offset ${v} out of range [${lo}, ${hi}]` : undefined;
  switch (type) {
    case R.R_ARM_ABS32:
    case R.R_ARM_REL32:
    case R.R_ARM_TARGET1:
      wr32(d, o, v);
      return undefined;
    case R.R_ARM_PREL31: {
      const e = range(-0x40000000, 0x3fffffff, 'PREL31');
      if (e) return e;
      wr32(d, o, (rd32(d, o) & 0x80000000) | (v & 0x7fffffff));
      return undefined;
    }
    case R.R_ARM_THM_CALL:
    case R.R_ARM_THM_JUMP24: {
      const e = range(-0x1000000, 0xfffffe, type === R.R_ARM_THM_CALL ? 'BL' : 'B.W');
      if (e) return e;
      const s = (v >>> 24) & 1;
      const j1 = (~(v >>> 23) ^ s) & 1;
      const j2 = (~(v >>> 22) ^ s) & 1;
      const h1 = rd16(d, o);
      const h2 = rd16(d, o + 2);
      wr16(d, o, (h1 & 0xf800) | (s << 10) | ((v >>> 12) & 0x3ff));
      wr16(d, o + 2, (h2 & 0xd000) | (j1 << 13) | (j2 << 11) | ((v >>> 1) & 0x7ff));
      return undefined;
    }
    case R.R_ARM_THM_JUMP19: {
      const e = range(-0x100000, 0xffffe, 'B<c>.W');
      if (e) return e;
      const h1 = rd16(d, o);
      const h2 = rd16(d, o + 2);
      wr16(d, o, (h1 & 0xfbc0) | (((v >>> 20) & 1) << 10) | ((v >>> 12) & 0x3f));
      wr16(d, o + 2, (h2 & 0xd000) | (((v >>> 18) & 1) << 13) | (((v >>> 19) & 1) << 11) | ((v >>> 1) & 0x7ff));
      return undefined;
    }
    case R.R_ARM_THM_MOVW_ABS_NC:
    case R.R_ARM_THM_MOVT_ABS: {
      const x = v & 0xffff;
      const h1 = rd16(d, o);
      const h2 = rd16(d, o + 2);
      wr16(d, o, (h1 & 0xfbf0) | (((x >>> 11) & 1) << 10) | ((x >>> 12) & 0xf));
      wr16(d, o + 2, (h2 & 0x8f00) | (((x >>> 8) & 7) << 12) | (x & 0xff));
      return undefined;
    }
    case R.R_ARM_THM_JUMP11: {
      const e = range(-2048, 2046, 'B (16-bit)');
      if (e) return e;
      wr16(d, o, (rd16(d, o) & 0xf800) | ((v >>> 1) & 0x7ff));
      return undefined;
    }
    case R.R_ARM_THM_JUMP8: {
      const e = range(-256, 254, 'B<c> (16-bit)');
      if (e) return e;
      wr16(d, o, (rd16(d, o) & 0xff00) | ((v >>> 1) & 0xff));
      return undefined;
    }
    case R.R_ARM_THM_PC8: {
      if (v & 3) return `PC8 offset ${v} not a multiple of 4`;
      const e = range(0, 1020, 'LDR/ADR (16-bit)');
      if (e) return e;
      wr16(d, o, (rd16(d, o) & 0xff00) | (v >>> 2));
      return undefined;
    }
    case R.R_ARM_THM_PC12: {
      const e = range(-4095, 4095, 'LDR.W literal');
      if (e) return e;
      const h1 = rd16(d, o);
      wr16(d, o, v >= 0 ? h1 | 0x80 : h1 & ~0x80);
      wr16(d, o + 2, (rd16(d, o + 2) & 0xf000) | Math.abs(v));
      return undefined;
    }
    case R.R_ARM_THM_ALU_PREL_11_0: {
      const e = range(-4095, 4095, 'ADR.W');
      if (e) return e;
      const a = Math.abs(v);
      const h1 = rd16(d, o) & ~(0x1f0 | 0x400);
      wr16(d, o, h1 | (v < 0 ? 0x0a0 : 0) | (((a >>> 11) & 1) << 10));
      wr16(d, o + 2, (rd16(d, o + 2) & 0x8f00) | (((a >>> 8) & 7) << 12) | (a & 0xff));
      return undefined;
    }
    default:
      return `relocation type ${type} is not supported`;
  }
}

/** The REL addend a place holds. THM_PC8's field is unsigned, so its addend is stored biased by +4. */
export function readAddend(type: number, data: Uint8Array, offset: number): number {
  const f = readField(type, data, offset);
  return type === R.R_ARM_THM_PC8 ? f - 4 : f;
}

/** Encodes a REL addend into the place; returns a reason when it cannot be represented. */
export function writeAddend(type: number, data: Uint8Array, offset: number, addend: number): string | undefined {
  return writeField(type, data, offset, type === R.R_ARM_THM_PC8 ? addend + 4 : addend);
}

/** Stores a computed relocation result (already S + A - P etc.) into the place. */
export function writeResult(type: number, data: Uint8Array, offset: number, value: number): string | undefined {
  if (type === R.R_ARM_THM_MOVT_ABS) value = value >>> 16;
  return writeField(type, data, offset, value);
}
