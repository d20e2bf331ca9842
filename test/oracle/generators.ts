/**
 * Random Thumb/Thumb-2 instruction streams for differential testing, one generator per instruction class.
 *
 * Every template below is one ARM ARM (DDI0403E) encoding written as a bit string: '0'/'1' fixed bits,
 * letters are fields (all bits with the same letter form one field, MSB first). Random field values are
 * drawn, then `ok` rejects the combinations the ARM ARM calls UNPREDICTABLE or sends to another encoding,
 * so that what remains is architecturally defined and any divergence between two cores is a bug in one.
 * The templates are written from the encoding diagrams, not from any other project.
 *
 * Memory instructions get a `setup`: register values (base, index) written into both cores right before
 * the instruction so every access lands in the data window (DATA_WINDOW) and alignment rules are met.
 */

export type InsnClass = 'alu' | 'mem' | 'branch' | 'dsp' | 'vfp';
export const INSN_CLASSES: readonly InsnClass[] = ['alu', 'mem', 'branch', 'dsp', 'vfp'];

/** Which of our instruction modules (src/cpu/armv7m/isa/*.ts) is expected to implement a class. */
export const CLASS_MODULES: Record<InsnClass, readonly string[]> = {
  alu: ['data-processing', 'multiply'],
  mem: ['load-store'],
  branch: ['branch-misc'],
  dsp: ['dsp'],
  vfp: ['vfp'],
};

/** Default start of a stream (inside the harness's code RAM at 0). */
export const CODE_ADDR = 0x1000;
/** Data window inside the harness's data RAM at 0x20000000: all generated accesses land in it. */
export const DATA_WINDOW = 0x2000_0000;
export const DATA_WINDOW_SIZE = 0x2000;
/**
 * Branch tables for TBB/TBH: the first TBB_TABLE_SIZE bytes of the window hold halfwords < 0x20, so
 * table branches land at most 66 bytes ahead — inside the stream's code area (branch targets far ahead
 * could reach code Unicorn translated for another stream, where its exit address is not honoured).
 */
export const TBB_TABLE = DATA_WINDOW;
export const TBB_TABLE_SIZE = 0x40;

// ---- deterministic PRNG ----------------------------------------------------------------------------

/** sfc32 seeded through splitmix32: small, fast, deterministic across platforms. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }
  /** Uniform uint32. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }
  bits(n: number): number {
    return n >= 32 ? this.u32() : this.u32() & ((1 << n) - 1);
  }
  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

// ---- interesting operand values ----------------------------------------------------------------------

const EDGE_INTS = [
  0, 1, 2, 0xffffffff, 0x80000000, 0x7fffffff, 0x80000001, 0x7ffffffe, 0xfffffffe, 0x8000, 0x7fff, 0xffff,
  0x10000, 0xffff8000, 0x00008000, 0x80, 0x7f, 0xff, 0xffffff80, 0x01010101, 0x80808080, 0x7f7f7f7f,
  0xff00ff00, 0x00ff00ff, 0x7fff8000, 0x80007fff,
];

/** A register value: edge cases, small numbers, byte/halfword patterns, or uniform random. */
export function randomInt(rng: Rng): number {
  switch (rng.int(6)) {
    case 0:
      return rng.pick(EDGE_INTS);
    case 1:
      return rng.int(64);
    case 2:
      return (-rng.int(64)) >>> 0;
    case 3: {
      // per-byte edge values (exercise the SIMD/GE paths)
      let v = 0;
      for (let i = 0; i < 4; i++) v = (v << 8) | rng.pick([0, 1, 0x7f, 0x80, 0xff, 0xfe, rng.bits(8)]);
      return v >>> 0;
    }
    default:
      return rng.u32();
  }
}

const EDGE_FLOATS = [
  0x00000000, 0x80000000, // ±0
  0x7f800000, 0xff800000, // ±inf
  0x7fc00000, 0xffc00000, // default-ish quiet NaNs
  0x7f800001, 0xff812345, // signalling NaNs
  0x7fc12345, // quiet NaN with payload
  0x00000001, 0x80000001, 0x007fffff, 0x00400000, // denormals
  0x00800000, 0x80800000, // smallest normals
  0x7f7fffff, 0xff7fffff, // largest finite
  0x3f800000, 0xbf800000, 0x40000000, 0x3f000000, 0x3fc00000, 0x4f000000, 0xcf000000, 0x4f800000,
  0x5f000000, 0x47000000, 0xc7000000, 0x477fff00, 0x3eaaaaab,
];

/** An S-register value: specials (NaN, inf, denormals, zeros), "nice" floats, or random bits. */
export function randomFloatBits(rng: Rng): number {
  switch (rng.int(5)) {
    case 0:
    case 1:
      return rng.pick(EDGE_FLOATS);
    case 2: {
      // a modest float with a random mantissa (keeps arithmetic results in range)
      const exp = 127 - 20 + rng.int(40);
      return ((rng.bits(1) << 31) | (exp << 23) | rng.bits(23)) >>> 0;
    }
    case 3:
      // small integers as floats (for VCVT and exact arithmetic)
      return floatBits((rng.int(2) ? -1 : 1) * rng.int(1000));
    default:
      return rng.u32();
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function floatBits(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

// ---- templates ---------------------------------------------------------------------------------------

type Fields = Record<string, number>;

export interface GenContext {
  rng: Rng;
  /** Address of the instruction being generated. */
  pc: number;
  /** First address after the stream (for branch targets in setup). */
  end: number;
  /** Words a setup wants in memory before the instruction runs: [address, value]. */
  mem: [number, number][];
}

export interface Template {
  readonly name: string;
  readonly cls: InsnClass;
  readonly size: 2 | 4;
  readonly fixedMask: number;
  readonly fixedMatch: number;
  /** Field letter → bit positions, MSB first. */
  readonly fields: readonly (readonly [string, readonly number[]])[];
  readonly ok: (f: Fields) => boolean;
  readonly setup: ((f: Fields, ctx: GenContext) => [number, number][]) | null;
  /** May appear inside an IT block (not as the last instruction unless `itLast`). */
  readonly itOk: boolean;
}

function tmpl(
  name: string,
  cls: InsnClass,
  spec: string,
  ok: (f: Fields) => boolean = () => true,
  setup: Template['setup'] = null,
  itOk = false,
): Template {
  const s = spec.replace(/[_ ]/g, '');
  if (s.length !== 16 && s.length !== 32) throw new Error(`template ${name}: ${s.length} bits`);
  const n = s.length;
  let mask = 0;
  let match = 0;
  const fieldMap = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const bit = n - 1 - i;
    const ch = s[i]!;
    if (ch === '0' || ch === '1') {
      mask = (mask | (1 << bit)) >>> 0;
      if (ch === '1') match = (match | (1 << bit)) >>> 0;
    } else {
      const l = fieldMap.get(ch) ?? [];
      l.push(bit);
      fieldMap.set(ch, l);
    }
  }
  return { name, cls, size: n === 16 ? 2 : 4, fixedMask: mask, fixedMatch: match, fields: [...fieldMap], ok, setup, itOk };
}

/** Draws one valid instance of `t`: the raw encoding and its field values. */
export function instantiate(t: Template, rng: Rng, fix?: Fields): { raw: number; f: Fields } {
  for (let tries = 0; tries < 1000; tries++) {
    const f: Fields = {};
    let raw = t.fixedMatch;
    for (const [letter, bits] of t.fields) {
      const v = rng.bits(bits.length);
      f[letter] = v;
      for (let i = 0; i < bits.length; i++) {
        if ((v >>> (bits.length - 1 - i)) & 1) raw = (raw | (1 << bits[i]!)) >>> 0;
      }
    }
    if (fix !== undefined && Object.entries(fix).some(([k, v]) => f[k] !== v)) continue;
    if (t.ok(f)) return { raw: raw >>> 0, f };
  }
  throw new Error(`template ${t.name}: no valid instance found`);
}

// Register constraint helpers (ARM ARM "BadReg": 13 or 15).
const bad = (r: number): boolean => r === 13 || r === 15;
const good = (...rs: number[]): boolean => rs.every((r) => !bad(r));

/** ThumbExpandImm: the 12-bit forms the ARM ARM calls UNPREDICTABLE (rotation form 00 with imm8 = 0). */
function teiOk(imm12: number): boolean {
  return !((imm12 >>> 10) === 0 && ((imm12 >>> 8) & 3) !== 0 && (imm12 & 0xff) === 0);
}

/** ThumbExpandImm(imm12) (A5.3.2), for the generators' own constraints. */
function thumbExpandImm(imm12: number): number {
  if (imm12 >>> 10 === 0) {
    const b = imm12 & 0xff;
    switch ((imm12 >>> 8) & 3) {
      case 0: return b;
      case 1: return (b << 16) | b;
      case 2: return ((b << 24) | (b << 8)) >>> 0;
      default: return ((b << 24) | (b << 16) | (b << 8) | b) >>> 0;
    }
  }
  const v = 0x80 | (imm12 & 0x7f);
  const rot = imm12 >>> 7;
  return ((v >>> rot) | (v << (32 - rot))) >>> 0;
}

/** Setup: register `r` gets a small word-aligned offset (±1 KiB), for `add sp, rm`. */
function smallAligned(r: string) {
  return (f: Fields, ctx: GenContext): [number, number][] => [[f[r]!, ((ctx.rng.int(512) - 256) * 4) >>> 0]];
}

// ---- ALU: data-processing and multiply/divide ----------------------------------------------------------

const DP16_OPS = ['AND', 'EOR', 'LSL', 'LSR', 'ASR', 'ADC', 'SBC', 'ROR', 'TST', 'RSB', 'CMP', 'CMN', 'ORR', 'MUL', 'BIC', 'MVN'];

const ALU16: Template[] = [
  tmpl('LSL (immediate) T1', 'alu', '00000 iiiii mmm ddd', (f) => f.i !== 0, null, true),
  tmpl('MOV (register) T2 (MOVS)', 'alu', '00000 00000 mmm ddd'),
  tmpl('LSR (immediate) T1', 'alu', '00001 iiiii mmm ddd', undefined, null, true),
  tmpl('ASR (immediate) T1', 'alu', '00010 iiiii mmm ddd', undefined, null, true),
  tmpl('ADD (register) T1', 'alu', '0001100 mmm nnn ddd', undefined, null, true),
  tmpl('SUB (register) T1', 'alu', '0001101 mmm nnn ddd', undefined, null, true),
  tmpl('ADD (immediate) T1', 'alu', '0001110 iii nnn ddd', undefined, null, true),
  tmpl('SUB (immediate) T1', 'alu', '0001111 iii nnn ddd', undefined, null, true),
  tmpl('MOV (immediate) T1', 'alu', '00100 ddd iiiiiiii', undefined, null, true),
  tmpl('CMP (immediate) T1', 'alu', '00101 nnn iiiiiiii', undefined, null, true),
  tmpl('ADD (immediate) T2', 'alu', '00110 ddd iiiiiiii', undefined, null, true),
  tmpl('SUB (immediate) T2', 'alu', '00111 ddd iiiiiiii', undefined, null, true),
  ...DP16_OPS.map((op, i) =>
    tmpl(`${op} (register) T1 [16-bit DP]`, 'alu', `010000 ${i.toString(2).padStart(4, '0')} mmm ddd`, undefined, null, true),
  ),
  // High-register forms: SP and PC excluded (those are separate encodings / branches).
  tmpl('ADD (register) T2', 'alu', '01000100 D mmmm ddd', (f) => good(f.D! * 8 + f.d!, f.m!), null, true),
  tmpl('CMP (register) T2', 'alu', '01000101 N mmmm nnn', (f) => good(f.N! * 8 + f.n!, f.m!) && (f.N! === 1 || f.m! >= 8), null, true),
  tmpl('MOV (register) T1', 'alu', '01000110 D mmmm ddd', (f) => good(f.D! * 8 + f.d!, f.m!), null, true),
  // PC and SP as operands (the result register stays an ordinary one; SP is only read here).
  tmpl('ADD (register) T2, Rm = PC', 'alu', '01000100 D 1111 ddd', (f) => good(f.D! * 8 + f.d!), null, true),
  tmpl('MOV (register) T1, Rm = PC', 'alu', '01000110 D 1111 ddd', (f) => good(f.D! * 8 + f.d!), null, true),
  tmpl('ADD (SP plus register) T1', 'alu', '01000100 D 1101 ddd', (f) => good(f.D! * 8 + f.d!), null, true),
  tmpl('MOV (register) T1, Rm = SP', 'alu', '01000110 D 1101 ddd', (f) => good(f.D! * 8 + f.d!), null, true),
  tmpl('ADR T1', 'alu', '10100 ddd iiiiiiii', undefined, null, true),
  tmpl('ADD (SP plus immediate) T1', 'alu', '10101 ddd iiiiiiii', undefined, null, true),
  tmpl('ADD (SP plus immediate) T2', 'alu', '101100000 iiiiiii', undefined, null, true),
  tmpl('SUB (SP minus immediate) T1', 'alu', '101100001 iiiiiii', undefined, null, true),
  tmpl('SXTH T1', 'alu', '1011001000 mmm ddd', undefined, null, true),
  tmpl('SXTB T1', 'alu', '1011001001 mmm ddd', undefined, null, true),
  tmpl('UXTH T1', 'alu', '1011001010 mmm ddd', undefined, null, true),
  tmpl('UXTB T1', 'alu', '1011001011 mmm ddd', undefined, null, true),
  tmpl('REV T1', 'alu', '1011101000 mmm ddd', undefined, null, true),
  tmpl('REV16 T1', 'alu', '1011101001 mmm ddd', undefined, null, true),
  tmpl('REVSH T1', 'alu', '1011101011 mmm ddd', undefined, null, true),
];

/** 32-bit data-processing (modified immediate), A5.3.1: op → name; `test` ops have Rd = 1111 and S = 1. */
const DPMI: [string, string][] = [
  ['0000', 'AND'], ['0001', 'BIC'], ['0010', 'ORR'], ['0011', 'ORN'], ['0100', 'EOR'],
  ['1000', 'ADD'], ['1010', 'ADC'], ['1011', 'SBC'], ['1101', 'SUB'], ['1110', 'RSB'],
];

const ALU32: Template[] = [
  ...DPMI.map(([op, name]) =>
    tmpl(`${name} (immediate) T1/T3`, 'alu', `11110 i 0 ${op} S nnnn 0 iii dddd iiiiiiii`, (f) => good(f.d!, f.n!) && teiOk(f.i!), null, true),
  ),
  tmpl('TST (immediate) T1', 'alu', '11110 i 0 0000 1 nnnn 0 iii 1111 iiiiiiii', (f) => good(f.n!) && teiOk(f.i!), null, true),
  tmpl('TEQ (immediate) T1', 'alu', '11110 i 0 0100 1 nnnn 0 iii 1111 iiiiiiii', (f) => good(f.n!) && teiOk(f.i!), null, true),
  tmpl('CMN (immediate) T1', 'alu', '11110 i 0 1000 1 nnnn 0 iii 1111 iiiiiiii', (f) => good(f.n!) && teiOk(f.i!), null, true),
  tmpl('CMP (immediate) T2', 'alu', '11110 i 0 1101 1 nnnn 0 iii 1111 iiiiiiii', (f) => good(f.n!) && teiOk(f.i!), null, true),
  tmpl('ADD (SP plus immediate) T3', 'alu', '11110 i 0 1000 S 1101 0 iii dddd iiiiiiii', (f) => good(f.d!) && teiOk(f.i!), null, true),
  tmpl('SUB (SP minus immediate) T2', 'alu', '11110 i 0 1101 S 1101 0 iii dddd iiiiiiii', (f) => good(f.d!) && teiOk(f.i!), null, true),
  tmpl('ADD (SP plus immediate) T4 (ADDW)', 'alu', '11110 i 1 0000 0 1101 0 iii dddd iiiiiiii', (f) => good(f.d!), null, true),
  tmpl('SUB (SP minus immediate) T3 (SUBW)', 'alu', '11110 i 1 0101 0 1101 0 iii dddd iiiiiiii', (f) => good(f.d!), null, true),
  tmpl('ADD (SP plus register) T3', 'alu', '11101 01 1000 S 1101 0 iii dddd ii tt mmmm', (f) => good(f.d!, f.m!), null, true),
  tmpl('SUB (SP minus register) T1', 'alu', '11101 01 1101 S 1101 0 iii dddd ii tt mmmm', (f) => good(f.d!, f.m!), null, true),
  // Writing SP: only with word-aligned results (SP bits [1:0] are not meant to be set).
  tmpl('ADD (SP plus immediate) T3, Rd = SP', 'alu', '11110 i 0 1000 0 1101 0 iii 1101 iiiiiiii', (f) => teiOk(f.i!) && (thumbExpandImm(f.i!) & 3) === 0 && thumbExpandImm(f.i!) < 0x800),
  tmpl('SUB (SP minus immediate) T2, Rd = SP', 'alu', '11110 i 0 1101 0 1101 0 iii 1101 iiiiiiii', (f) => teiOk(f.i!) && (thumbExpandImm(f.i!) & 3) === 0 && thumbExpandImm(f.i!) < 0x800),
  tmpl('ADD (SP plus immediate) T4, Rd = SP (ADDW)', 'alu', '11110 i 1 0000 0 1101 0 iii 1101 iiiiii 00'),
  tmpl('SUB (SP minus immediate) T3, Rd = SP (SUBW)', 'alu', '11110 i 1 0101 0 1101 0 iii 1101 iiiiii 00'),
  tmpl('MOV (register) T3, Rd = SP', 'alu', '11101 01 0010 0 1111 0 000 1101 00 00 mmmm', (f) => good(f.m!), (f, ctx) => [[f.m!, dataAddr(ctx.rng, 4)]]),
  tmpl('MOV (register) T1, Rd = SP', 'alu', '01000110 1 mmmm 101', (f) => good(f.m!), (f, ctx) => [[f.m!, dataAddr(ctx.rng, 4)]]),
  tmpl('ADD (SP plus register) T2', 'alu', '01000100 1 mmmm 101', (f) => good(f.m!), smallAligned('m')),
  tmpl('MOV (immediate) T2', 'alu', '11110 i 0 0010 S 1111 0 iii dddd iiiiiiii', (f) => good(f.d!) && teiOk(f.i!), null, true),
  tmpl('MVN (immediate) T1', 'alu', '11110 i 0 0011 S 1111 0 iii dddd iiiiiiii', (f) => good(f.d!) && teiOk(f.i!), null, true),
  tmpl('ADD (immediate) T4 (ADDW)', 'alu', '11110 i 1 0000 0 nnnn 0 iii dddd iiiiiiii', (f) => good(f.d!, f.n!), null, true),
  tmpl('SUB (immediate) T4 (SUBW)', 'alu', '11110 i 1 0101 0 nnnn 0 iii dddd iiiiiiii', (f) => good(f.d!, f.n!), null, true),
  tmpl('ADR T2/T3', 'alu', '11110 i 1 0u0u 0 1111 0 iii dddd iiiiiiii', (f) => good(f.d!) && (f.u === 0 || f.u === 3), null, true),
  tmpl('MOVW (MOV immediate T3)', 'alu', '11110 i 1 0010 0 iiii 0 iii dddd iiiiiiii', (f) => good(f.d!), null, true),
  tmpl('MOVT T1', 'alu', '11110 i 1 0110 0 iiii 0 iii dddd iiiiiiii', (f) => good(f.d!), null, true),
  tmpl('BFI T1', 'alu', '11110 0 1 1011 0 nnnn 0 iii dddd ii 0 wwwww', (f) => good(f.d!) && f.n !== 13 && f.w! >= f.i!, null, true),
  tmpl('SBFX T1', 'alu', '11110 0 1 1010 0 nnnn 0 iii dddd ii 0 wwwww', (f) => good(f.d!, f.n!) && f.i! + f.w! <= 31, null, true),
  tmpl('UBFX T1', 'alu', '11110 0 1 1110 0 nnnn 0 iii dddd ii 0 wwwww', (f) => good(f.d!, f.n!) && f.i! + f.w! <= 31, null, true),
  // Shifted register forms, A5.3.11.
  ...DPMI.filter(([op]) => op !== '0110').map(([op, name]) =>
    tmpl(`${name} (register) T2/T3`, 'alu', `11101 01 ${op} S nnnn 0 iii dddd ii tt mmmm`, (f) => good(f.d!, f.n!, f.m!), null, true),
  ),
  tmpl('TST (register) T2', 'alu', '11101 01 0000 1 nnnn 0 iii 1111 ii tt mmmm', (f) => good(f.n!, f.m!), null, true),
  tmpl('TEQ (register) T1', 'alu', '11101 01 0100 1 nnnn 0 iii 1111 ii tt mmmm', (f) => good(f.n!, f.m!), null, true),
  tmpl('CMN (register) T2', 'alu', '11101 01 1000 1 nnnn 0 iii 1111 ii tt mmmm', (f) => good(f.n!, f.m!), null, true),
  tmpl('CMP (register) T3', 'alu', '11101 01 1101 1 nnnn 0 iii 1111 ii tt mmmm', (f) => good(f.n!, f.m!), null, true),
  tmpl('MOV/LSL/LSR/ASR/ROR/RRX (immediate) T2/T3', 'alu', '11101 01 0010 S 1111 0 iii dddd ii tt mmmm', (f) => good(f.d!, f.m!), null, true),
  tmpl('MVN (register) T2', 'alu', '11101 01 0011 S 1111 0 iii dddd ii tt mmmm', (f) => good(f.d!, f.m!), null, true),
  tmpl('LSL/LSR/ASR/ROR (register) T2', 'alu', '11111010 0 tt S nnnn 1111 dddd 0000 mmmm', (f) => good(f.d!, f.n!, f.m!), null, true),
  tmpl('SXTH T2', 'alu', '11111010 0000 1111 1111 dddd 10 rr mmmm', (f) => good(f.d!, f.m!), null, true),
  tmpl('UXTH T2', 'alu', '11111010 0001 1111 1111 dddd 10 rr mmmm', (f) => good(f.d!, f.m!), null, true),
  tmpl('SXTB T2', 'alu', '11111010 0100 1111 1111 dddd 10 rr mmmm', (f) => good(f.d!, f.m!), null, true),
  tmpl('UXTB T2', 'alu', '11111010 0101 1111 1111 dddd 10 rr mmmm', (f) => good(f.d!, f.m!), null, true),
  // REV.W/REV16.W/RBIT/REVSH.W: Rm is encoded twice and both copies must agree.
  tmpl('REV/REV16/RBIT/REVSH T2', 'alu', '11111010 1001 kkkk 1111 dddd 10 oo mmmm', (f) => good(f.d!, f.m!) && f.k === f.m, null, true),
  tmpl('CLZ T1', 'alu', '11111010 1011 kkkk 1111 dddd 1000 mmmm', (f) => good(f.d!, f.m!) && f.k === f.m, null, true),
  tmpl('MUL T2', 'alu', '11111011 0000 nnnn 1111 dddd 0000 mmmm', (f) => good(f.d!, f.n!, f.m!), null, true),
  tmpl('MLA T1', 'alu', '11111011 0000 nnnn aaaa dddd 0000 mmmm', (f) => good(f.d!, f.n!, f.m!, f.a!), null, true),
  tmpl('MLS T1', 'alu', '11111011 0000 nnnn aaaa dddd 0001 mmmm', (f) => good(f.d!, f.n!, f.m!, f.a!), null, true),
  tmpl('SMULL T1', 'alu', '11111011 1000 nnnn llll hhhh 0000 mmmm', (f) => good(f.l!, f.h!, f.n!, f.m!) && f.l !== f.h, null, true),
  tmpl('UMULL T1', 'alu', '11111011 1010 nnnn llll hhhh 0000 mmmm', (f) => good(f.l!, f.h!, f.n!, f.m!) && f.l !== f.h, null, true),
  tmpl('SMLAL T1', 'alu', '11111011 1100 nnnn llll hhhh 0000 mmmm', (f) => good(f.l!, f.h!, f.n!, f.m!) && f.l !== f.h, null, true),
  tmpl('UMLAL T1', 'alu', '11111011 1110 nnnn llll hhhh 0000 mmmm', (f) => good(f.l!, f.h!, f.n!, f.m!) && f.l !== f.h, null, true),
  tmpl('SDIV T1', 'alu', '11111011 1001 nnnn 1111 dddd 1111 mmmm', (f) => good(f.d!, f.n!, f.m!), null, true),
  tmpl('UDIV T1', 'alu', '11111011 1011 nnnn 1111 dddd 1111 mmmm', (f) => good(f.d!, f.n!, f.m!), null, true),
];

// ---- memory ------------------------------------------------------------------------------------------

const W = DATA_WINDOW;
/** A random address in the middle of the data window, aligned to `align`, leaving `room` bytes free around. */
function dataAddr(rng: Rng, align: number, room = 0x100): number {
  const lo = W + room;
  const hi = W + DATA_WINDOW_SIZE - room;
  return (lo + rng.int(hi - lo)) & ~(align - 1);
}
/** Alignment for an access of `size` bytes: mostly aligned, sometimes unaligned when the ISA allows it. */
function maybeUnaligned(rng: Rng, size: number): number {
  return size > 1 && rng.chance(0.8) ? size : 1;
}

/** Setup for "[Rn, #imm]" forms: Rn = target address - offset. */
function baseMinus(n: string, offset: (f: Fields) => number, size: number, unalignedOk = true) {
  return (f: Fields, ctx: GenContext): [number, number][] => [[f[n]!, (dataAddr(ctx.rng, unalignedOk ? maybeUnaligned(ctx.rng, size) : size) - offset(f)) >>> 0]];
}
/** Setup for "[Rn, Rm, LSL #s]" forms. */
function baseIndex(n: string, m: string, shift: (f: Fields) => number, size: number) {
  return (f: Fields, ctx: GenContext): [number, number][] => {
    const idx = ctx.rng.int(64) * size;
    const s = shift(f);
    const addr = dataAddr(ctx.rng, maybeUnaligned(ctx.rng, size));
    return [[f[m]!, idx], [f[n]!, (addr - idx * 2 ** s) >>> 0]];
  };
}
const LS16_IMM: [string, string, number, number][] = [
  // name, op bits, size, immediate scale
  ['STR (immediate) T1', '01100', 4, 4], ['LDR (immediate) T1', '01101', 4, 4],
  ['STRB (immediate) T1', '01110', 1, 1], ['LDRB (immediate) T1', '01111', 1, 1],
  ['STRH (immediate) T1', '10000', 2, 2], ['LDRH (immediate) T1', '10001', 2, 2],
];
const LS16_REG: [string, string, number][] = [
  ['STR (register) T1', '000', 4], ['STRH (register) T1', '001', 2], ['STRB (register) T1', '010', 1], ['LDRSB (register) T1', '011', 1],
  ['LDR (register) T1', '100', 4], ['LDRH (register) T1', '101', 2], ['LDRB (register) T1', '110', 1], ['LDRSH (register) T1', '111', 2],
];
/** 32-bit single loads/stores: name, size-bits:L (hw1[8:4] after 1111100 S), size. */
const LS32: [string, string, number][] = [
  ['STRB', '0 00 0', 1], ['LDRB', '0 00 1', 1], ['STRH', '0 01 0', 2], ['LDRH', '0 01 1', 2], ['STR', '0 10 0', 4], ['LDR', '0 10 1', 4],
  ['LDRSB', '1 00 1', 1], ['LDRSH', '1 01 1', 2],
];

/** Register-list constraint for the push/pop/ldm/stm forms: returns a list value made of low bits set. */
function bitCount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

const LDREX = tmpl('LDREX T1', 'mem', '11101000 0101 nnnn tttt 1111 iiiiiiii', (f) => good(f.t!) && f.n !== 15 && f.n !== 13, baseMinus('n', (f) => f.i! * 4, 4, false));
const STREX = tmpl('STREX T1', 'mem', '11101000 0100 nnnn tttt dddd iiiiiiii', (f) => good(f.t!, f.d!) && f.n !== 15 && f.n !== 13 && f.d !== f.n && f.d !== f.t, baseMinus('n', (f) => f.i! * 4, 4, false));

const LDREXBH = tmpl('LDREXB/LDREXH T1', 'mem', '11101000 1101 nnnn tttt 1111 010h 1111', (f) => good(f.t!) && f.n !== 15 && f.n !== 13, baseMinus('n', () => 0, 2, false));
const STREXBH = tmpl('STREXB/STREXH T1', 'mem', '11101000 1100 nnnn tttt 1111 010h dddd', (f) => good(f.t!, f.d!) && f.n !== 15 && f.n !== 13 && f.d !== f.n && f.d !== f.t, baseMinus('n', () => 0, 2, false));

/** Setup for a deliberately misaligned base (address ≡ 2 mod 4): the access must fault on both cores. */
function misaligned(n: string, offset: (f: Fields) => number) {
  return (f: Fields, ctx: GenContext): [number, number][] => [[f[n]!, ((dataAddr(ctx.rng, 4) | 2) - offset(f)) >>> 0]];
}

const MEM: Template[] = [
  ...LS16_IMM.map(([name, op, size, scale]) =>
    tmpl(name, 'mem', `${op} iiiii nnn ttt`, undefined, baseMinus('n', (f) => f.i! * scale, size)),
  ),
  ...LS16_REG.map(([name, op, size]) =>
    tmpl(name, 'mem', `0101 ${op} mmm nnn ttt`, (f) => f.m !== f.n, baseIndex('n', 'm', () => 0, size)),
  ),
  tmpl('LDR (literal) T1', 'mem', '01001 ttt iiiiiiii'),
  tmpl('STR (immediate) T2 (SP)', 'mem', '10010 ttt iiiiiiii', undefined, (f, ctx) => [[13, (dataAddr(ctx.rng, 4, 0x400) - f.i! * 4) >>> 0]]),
  tmpl('LDR (immediate) T2 (SP)', 'mem', '10011 ttt iiiiiiii', undefined, (f, ctx) => [[13, (dataAddr(ctx.rng, 4, 0x400) - f.i! * 4) >>> 0]]),
  tmpl('PUSH T1', 'mem', '1011010 M rrrrrrrr', (f) => f.r !== 0 || f.M === 1, (_f, ctx) => [[13, dataAddr(ctx.rng, 4)]]),
  tmpl('POP T1', 'mem', '1011110 0 rrrrrrrr', (f) => f.r !== 0, (_f, ctx) => [[13, dataAddr(ctx.rng, 4)]]),
  // STM with Rn in the list is UNPREDICTABLE unless Rn is the lowest register: keep Rn out of the list.
  tmpl('STM T1', 'mem', '11000 nnn rrrrrrrr', (f) => f.r !== 0 && ((f.r! >> f.n!) & 1) === 0, (f, ctx) => [[f.n!, dataAddr(ctx.rng, 4)]]),
  tmpl('LDM T1', 'mem', '11001 nnn rrrrrrrr', (f) => f.r !== 0, (f, ctx) => [[f.n!, dataAddr(ctx.rng, 4)]]),
  ...LS32.map(([name, op, size]) =>
    tmpl(`${name} (immediate) T2/T3 imm12`, 'mem', `1111100 ${op.split(' ')[0]} 1 ${op.split(' ').slice(1).join('')} nnnn tttt iiiiiiiiiiii`, (f) => good(f.t!) && f.n !== 15 && f.n !== 13, baseMinus('n', (f) => f.i!, size)),
  ),
  // imm8 forms: P U W = 1 0 0 (negative offset), 1 x 1 (pre-indexed), 0 x 1 (post-indexed), 1 1 0 (unprivileged LDRT etc.)
  ...LS32.map(([name, op, size]) =>
    tmpl(
      `${name} (immediate) T4 imm8 / ${name}T`,
      'mem',
      `1111100 ${op.split(' ')[0]} 0 ${op.split(' ').slice(1).join('')} nnnn tttt 1 PUW iiiiiiii`,
      (f) => good(f.t!) && f.n !== 15 && f.n !== 13 && !(f.P === 0 && f.W === 0) && !(f.W === 1 && f.n === f.t),
      baseMinus('n', (f) => (f.P === 1 ? (f.U === 1 ? f.i! : -f.i!) : 0), size),
    ),
  ),
  ...LS32.map(([name, op, size]) =>
    tmpl(
      `${name} (register) T2`,
      'mem',
      `1111100 ${op.split(' ')[0]} 0 ${op.split(' ').slice(1).join('')} nnnn tttt 000000 ss mmmm`,
      (f) => good(f.t!, f.m!) && f.n !== 15 && f.n !== 13 && f.n !== f.m,
      baseIndex('n', 'm', (f) => f.s!, size),
    ),
  ),
  tmpl('LDR (literal) T2', 'mem', '11111000 U 101 1111 tttt iiiiiiiiiiii', (f) => good(f.t!) && (f.U === 1 || f.i! <= 0x800)),
  // LDRD/STRD: word-aligned addresses (the M profile always checks their alignment).
  tmpl('STRD (immediate) T1', 'mem', '1110100 P U 1 W 0 nnnn tttt ssss iiiiiiii',
    (f) => (f.P === 1 || f.W === 1) && good(f.t!, f.s!) && f.n !== 15 && f.n !== 13 && !(f.W === 1 && (f.n === f.t || f.n === f.s)),
    baseMinus('n', (f) => (f.P === 1 ? (f.U === 1 ? f.i! * 4 : -f.i! * 4) : 0), 4, false)),
  tmpl('LDRD (immediate) T1', 'mem', '1110100 P U 1 W 1 nnnn tttt ssss iiiiiiii',
    (f) => (f.P === 1 || f.W === 1) && good(f.t!, f.s!) && f.t !== f.s && f.n !== 15 && f.n !== 13 && !(f.W === 1 && (f.n === f.t || f.n === f.s)),
    baseMinus('n', (f) => (f.P === 1 ? (f.U === 1 ? f.i! * 4 : -f.i! * 4) : 0), 4, false)),
  // Register list: hw2 bit 15 (PC) and bit 13 (SP) fixed to 0, so field r = LR:R12..R0 (14 bits).
  tmpl('STM/STMDB T2', 'mem', '1110100 uu 0 W 0 nnnn 0 r 0 rrrrrrrrrrrrr',
    (f) => (f.u === 1 || f.u === 2) && good(f.n!) && f.n !== 14 && bitCount(f.r!) >= 2 && !(f.W === 1 && ((f.r! >> f.n!) & 1) === 1),
    (f, ctx) => [[f.n!, dataAddr(ctx.rng, 4)]]),
  tmpl('LDM/LDMDB T2', 'mem', '1110100 uu 0 W 1 nnnn 0 r 0 rrrrrrrrrrrrr',
    (f) => (f.u === 1 || f.u === 2) && good(f.n!) && f.n !== 14 && bitCount(f.r!) >= 2 && !(f.W === 1 && ((f.r! >> f.n!) & 1) === 1),
    (f, ctx) => [[f.n!, dataAddr(ctx.rng, 4)]]),
  LDREX,
  STREX,
  LDREXBH,
  // Alignment faults (UsageFault UNALIGNED whatever CCR.UNALIGN_TRP says, ARM ARM A3.2.1): LDRD/STRD,
  // LDM/STM and the exclusives at a halfword-aligned address must fault on both cores.
  tmpl('LDRD (immediate) T1 misaligned: UsageFault', 'mem', '1110100 1 U 1 0 1 nnnn tttt ssss iiiiiiii',
    (f) => good(f.t!, f.s!) && f.t !== f.s && f.n !== 15 && f.n !== 13, misaligned('n', (f) => (f.U === 1 ? f.i! * 4 : -f.i! * 4))),
  tmpl('STRD (immediate) T1 misaligned: UsageFault', 'mem', '1110100 1 U 1 0 0 nnnn tttt ssss iiiiiiii',
    (f) => good(f.t!, f.s!) && f.n !== 15 && f.n !== 13, misaligned('n', (f) => (f.U === 1 ? f.i! * 4 : -f.i! * 4))),
  tmpl('LDM T2 misaligned: UsageFault', 'mem', '1110100 01 0 0 1 nnnn 0 r 0 rrrrrrrrrrrrr', (f) => good(f.n!) && f.n !== 14 && bitCount(f.r!) >= 2, misaligned('n', () => 0)),
  tmpl('STM T2 misaligned: UsageFault', 'mem', '1110100 01 0 0 0 nnnn 0 r 0 rrrrrrrrrrrrr', (f) => good(f.n!) && f.n !== 14 && bitCount(f.r!) >= 2, misaligned('n', () => 0)),
  tmpl('PUSH T2 (STMDB SP!)', 'mem', '1110100 10 0 1 0 1101 0 r 0 rrrrrrrrrrrrr', (f) => bitCount(f.r!) >= 2, (_f, ctx) => [[13, dataAddr(ctx.rng, 4)]]),
  tmpl('POP T2 (LDMIA SP!)', 'mem', '1110100 01 0 1 1 1101 0 r 0 rrrrrrrrrrrrr', (f) => bitCount(f.r!) >= 2, (_f, ctx) => [[13, dataAddr(ctx.rng, 4)]]),
  tmpl('PUSH T3 / POP T3 / LDR, STR with SP writeback (imm8 multiple of 4)', 'mem', '11111000 0 10 L 1101 tttt 1 P U 1 iiiiii 00',
    (f) => good(f.t!) && !(f.L === 0 && f.P === 0) && !(f.L === 1 && f.P === 1 && f.U === 0) , (_f, ctx) => [[13, dataAddr(ctx.rng, 4)]]),
  tmpl('LDREX T1 misaligned: UsageFault', 'mem', '11101000 0101 nnnn tttt 1111 iiiiiiii', (f) => good(f.t!) && f.n !== 15 && f.n !== 13, misaligned('n', (f) => f.i! * 4)),
  STREXBH,
];

// ---- branches, IT, misc ------------------------------------------------------------------------------
//
// All branches go forward: Unicorn 2.0.1 stops at an exit address only in blocks it translates after
// that exit was set, so re-entering already translated code (a loop) can run past the exit. Forward-only
// streams never execute an address twice.

/** A register value that is a Thumb address (bit 0 set) in the stream or just after it. */
function branchTarget(ctx: GenContext): number {
  const span = Math.max(2, ctx.end - ctx.pc);
  return ((ctx.pc + 2 + 2 * ctx.rng.int(span / 2 + 4)) | 1) >>> 0;
}

const CLREX = tmpl('CLREX T1', 'branch', '11110 0 111 01 1 1111 10 0 0 1111 0010 1111');

const BRANCH: Template[] = [
  tmpl('B T1', 'branch', '1101 cccc iiiiiiii', (f) => f.c! < 14 && f.i! < 12),
  tmpl('B T2', 'branch', '11100 0000000 iiii'),
  // T3: imm32 = SignExtend(S:J2:J1:imm6:imm11:'0'); keep it short (S=J1=J2=0, imm6=0).
  tmpl('B T3', 'branch', '11110 0 cccc 000000 10 0 0 0 0000000 iiii', (f) => f.c! < 14),
  // T4: I1 = NOT(J1 EOR S) — with S=0, J1=J2=1 gives I1=I2=0: a short forward branch.
  tmpl('B T4', 'branch', '11110 0 0000000000 10 1 1 1 0000000 iiii'),
  tmpl('BL T1', 'branch', '11110 0 0000000000 11 1 1 1 0000000 iiii'),
  tmpl('BX T1', 'branch', '010001110 mmmm 000', (f) => good(f.m!), (f, ctx) => [[f.m!, branchTarget(ctx)]]),
  tmpl('BLX (register) T1', 'branch', '010001111 mmmm 000', (f) => good(f.m!), (f, ctx) => [[f.m!, branchTarget(ctx)]]),
  // Other ways to write the PC. ALUWritePC ignores bit 0; LoadWritePC interworks (targets are odd).
  tmpl('MOV (register) T1, Rd = PC', 'branch', '01000110 1 mmmm 111', (f) => good(f.m!), (f, ctx) => [[f.m!, branchTarget(ctx) ^ ctx.rng.bits(1)]]),
  tmpl('ADD (register) T2, Rdn = PC', 'branch', '01000100 1 mmmm 111', (f) => good(f.m!), (f, ctx) => [[f.m!, (branchTarget(ctx) - ctx.pc - 4 - ctx.rng.bits(1)) >>> 0]]),
  tmpl('LDR (immediate) T3, Rt = PC', 'branch', '11111000 1101 nnnn 1111 iiiiiiiiiiii', (f) => good(f.n!), (f, ctx) => {
    const a = dataAddr(ctx.rng, 4);
    ctx.mem.push([a, branchTarget(ctx)]);
    return [[f.n!, (a - f.i!) >>> 0]];
  }),
  tmpl('POP T1 with PC', 'branch', '1011110 1 rrrrrrrr', undefined, (f, ctx) => {
    const a = dataAddr(ctx.rng, 4);
    ctx.mem.push([a + 4 * bitCount(f.r!), branchTarget(ctx)]);
    return [[13, a]];
  }),
  tmpl('LDM T2 with PC', 'branch', '1110100 01 0 W 1 nnnn 1 0 0 rrrrrrrrrrrrr', (f) => good(f.n!) && bitCount(f.r!) >= 1 && !(f.W === 1 && ((f.r! >> f.n!) & 1) === 1), (f, ctx) => {
    const a = dataAddr(ctx.rng, 4);
    ctx.mem.push([a + 4 * bitCount(f.r!), branchTarget(ctx)]);
    return [[f.n!, a]];
  }),
  tmpl('CBZ/CBNZ T1', 'branch', '1011 o 0 i 1 iiiii nnn', undefined, (f, ctx) => [[f.n!, ctx.rng.chance(0.5) ? 0 : randomInt(ctx.rng)]]),
  // The table lives in TBB_TABLE (small entries, see there) so the branch stays near the stream.
  tmpl('TBB/TBH T1', 'branch', '11101000 1101 nnnn 1111 0000 000 h mmmm', (f) => good(f.n!, f.m!) && f.n !== f.m, (f, ctx) => [
    [f.m!, ctx.rng.int(16)],
    [f.n!, TBB_TABLE + 2 * ctx.rng.int(8)],
  ]),
  tmpl('NOP T1', 'branch', '10111111 0000 0000'),
  tmpl('NOP T2', 'branch', '11110 0 111 01 0 1111 10 0 0 0 000 00000000'),
  tmpl('MRS T1 (APSR)', 'branch', '11110 0 1111 1 0 1111 10 0 0 dddd 00000000', (f) => good(f.d!)),
  tmpl('MSR (register) T1 (APSR)', 'branch', '11110 0 1110 0 0 nnnn 10 0 0 kk 00 00000000', (f) => good(f.n!) && f.k !== 0),
  // Special registers (privileged thread mode). SYSm values from B5.1.1; CONTROL writes keep nPRIV = 0
  // (the harness must stay privileged to reset state), BASEPRI is not written (its implemented width
  // is IMPLEMENTATION DEFINED), MSP/PSP get word-aligned values.
  tmpl('MRS T1 (special register)', 'branch', '11110 0 1111 1 0 1111 10 0 0 dddd ssssssss', (f) => good(f.d!) && [0, 1, 2, 3, 5, 6, 7, 8, 9, 16, 17, 18, 19, 20].includes(f.s!)),
  tmpl('MSR T1 (PRIMASK/FAULTMASK)', 'branch', '11110 0 1110 0 0 nnnn 10 0 0 10 00 0001 00 ss', (f) => good(f.n!) && (f.s === 0 || f.s === 3)),
  tmpl('MSR T1 (MSP/PSP)', 'branch', '11110 0 1110 0 0 nnnn 10 0 0 10 00 0000 100 s', (f) => good(f.n!), (f, ctx) => [[f.n!, dataAddr(ctx.rng, 4, 0x400)]]),
  tmpl('MSR T1 (CONTROL)', 'branch', '11110 0 1110 0 0 nnnn 10 0 0 10 00 0001 0100', (f) => good(f.n!), (f, ctx) => [[f.n!, (ctx.rng.u32() & ~1) >>> 0]]),
  tmpl('CPS T1', 'branch', '10110110011 m 0 0 I F', (f) => f.I! + f.F! > 0),
  tmpl('DMB/DSB/ISB T1', 'branch', '11110 0 111 01 1 1111 10 0 0 1111 01 oo 1111', (f) => f.o !== 3),
  CLREX,
];

/** Templates allowed inside IT blocks (not last): non-branching ALU encodings. */
const IT_BODY = [...ALU16, ...ALU32].filter((t) => t.itOk);
/** Allowed as the last instruction of an IT block: the ALU ones plus unconditional branches. */
// (BX/BLX are left out: their target register is set up before the IT instruction and an earlier
// instruction of the block could overwrite it.)
const IT_LAST = [...IT_BODY, BRANCH[1]!, BRANCH[3]!, BRANCH[4]!];

// ---- DSP (ARMv7E-M) ------------------------------------------------------------------------------------

const PAR_OPS: [string, string][] = [['ADD8', '000'], ['ADD16', '001'], ['ASX', '010'], ['SUB8', '100'], ['SUB16', '101'], ['SAX', '110']];
const PAR_PREFIX: [string, string][] = [['S', '000'], ['Q', '001'], ['SH', '010'], ['U', '100'], ['UQ', '101'], ['UH', '110']];

const DSP: Template[] = [
  ...PAR_OPS.flatMap(([op, o]) =>
    PAR_PREFIX.map(([p, u]) => tmpl(`${p}${op} T1`, 'dsp', `111110101 ${o} nnnn 1111 dddd 0 ${u} mmmm`, (f) => good(f.d!, f.n!, f.m!))),
  ),
  tmpl('QADD/QDADD/QSUB/QDSUB T1', 'dsp', '111110101000 nnnn 1111 dddd 10 oo mmmm', (f) => good(f.d!, f.n!, f.m!)),
  tmpl('SEL T1', 'dsp', '111110101010 nnnn 1111 dddd 1000 mmmm', (f) => good(f.d!, f.n!, f.m!)),
  tmpl('USAD8/USADA8 T1', 'dsp', '111110110111 nnnn aaaa dddd 0000 mmmm', (f) => good(f.d!, f.n!, f.m!) && f.a !== 13),
  tmpl('SSAT T1', 'dsp', '1111001100 s 0 nnnn 0 iii dddd ii 0 wwwww', (f) => good(f.d!, f.n!) && !(f.s === 1 && f.i === 0)),
  tmpl('USAT T1', 'dsp', '1111001110 s 0 nnnn 0 iii dddd ii 0 wwwww', (f) => good(f.d!, f.n!) && !(f.s === 1 && f.i === 0)),
  tmpl('SSAT16 T1', 'dsp', '1111001100 1 0 nnnn 0000 dddd 0000 wwww', (f) => good(f.d!, f.n!)),
  tmpl('USAT16 T1', 'dsp', '1111001110 1 0 nnnn 0000 dddd 0000 wwww', (f) => good(f.d!, f.n!)),
  tmpl('PKHBT/PKHTB T1', 'dsp', '111010101100 nnnn 0 iii dddd ii t 0 mmmm', (f) => good(f.d!, f.n!, f.m!)),
  tmpl('SXTAH/UXTAH/SXTAB16/UXTAB16/SXTAB/UXTAB T1', 'dsp', '11111010 0 ooo nnnn 1111 dddd 10 rr mmmm', (f) => f.o! <= 5 && good(f.d!, f.n!, f.m!)),
  tmpl('SXTB16/UXTB16 T1', 'dsp', '11111010 0 01u 1111 1111 dddd 10 rr mmmm', (f) => good(f.d!, f.m!)),
  tmpl('SMLA<x><y>/SMUL<x><y> T1', 'dsp', '111110110001 nnnn aaaa dddd 00 xy mmmm', (f) => good(f.d!, f.n!, f.m!) && f.a !== 13),
  tmpl('SMLAD/SMUAD T1', 'dsp', '111110110010 nnnn aaaa dddd 000 x mmmm', (f) => good(f.d!, f.n!, f.m!) && f.a !== 13),
  tmpl('SMLAW<y>/SMULW<y> T1', 'dsp', '111110110011 nnnn aaaa dddd 000 y mmmm', (f) => good(f.d!, f.n!, f.m!) && f.a !== 13),
  tmpl('SMLSD/SMUSD T1', 'dsp', '111110110100 nnnn aaaa dddd 000 x mmmm', (f) => good(f.d!, f.n!, f.m!) && f.a !== 13),
  tmpl('SMMLA/SMMUL T1', 'dsp', '111110110101 nnnn aaaa dddd 000 r mmmm', (f) => good(f.d!, f.n!, f.m!) && f.a !== 13),
  tmpl('SMMLS T1', 'dsp', '111110110110 nnnn aaaa dddd 000 r mmmm', (f) => good(f.d!, f.n!, f.m!, f.a!)),
  tmpl('SMLAL<x><y> T1', 'dsp', '111110111100 nnnn llll hhhh 10 xy mmmm', (f) => good(f.l!, f.h!, f.n!, f.m!) && f.l !== f.h),
  tmpl('SMLALD T1', 'dsp', '111110111100 nnnn llll hhhh 110 x mmmm', (f) => good(f.l!, f.h!, f.n!, f.m!) && f.l !== f.h),
  tmpl('SMLSLD T1', 'dsp', '111110111101 nnnn llll hhhh 110 x mmmm', (f) => good(f.l!, f.h!, f.n!, f.m!) && f.l !== f.h),
  tmpl('UMAAL T1', 'dsp', '111110111110 nnnn llll hhhh 0110 mmmm', (f) => good(f.l!, f.h!, f.n!, f.m!) && f.l !== f.h),
];

// ---- VFP (FPv4-SP) -------------------------------------------------------------------------------------

/** Setup for VLDR/VSTR/VLDM/VSTM: base in the data window (word-aligned: FP transfers require it). */
function vBase(offset: (f: Fields) => number) {
  return (f: Fields, ctx: GenContext): [number, number][] => [[f.n!, (dataAddr(ctx.rng, 4, 0x400) - offset(f)) >>> 0]];
}

const VFP3: [string, string][] = [
  ['VMLA.F32', '111011100D00nnnndddd1010N0M0mmmm'], ['VMLS.F32', '111011100D00nnnndddd1010N1M0mmmm'],
  ['VNMLS.F32', '111011100D01nnnndddd1010N0M0mmmm'], ['VNMLA.F32', '111011100D01nnnndddd1010N1M0mmmm'],
  ['VMUL.F32', '111011100D10nnnndddd1010N0M0mmmm'], ['VNMUL.F32', '111011100D10nnnndddd1010N1M0mmmm'],
  ['VADD.F32', '111011100D11nnnndddd1010N0M0mmmm'], ['VSUB.F32', '111011100D11nnnndddd1010N1M0mmmm'],
  ['VDIV.F32', '111011101D00nnnndddd1010N0M0mmmm'],
  ['VFNMS.F32', '111011101D01nnnndddd1010N0M0mmmm'], ['VFNMA.F32', '111011101D01nnnndddd1010N1M0mmmm'],
  ['VFMA.F32', '111011101D10nnnndddd1010N0M0mmmm'], ['VFMS.F32', '111011101D10nnnndddd1010N1M0mmmm'],
];

const VFP: Template[] = [
  ...VFP3.map(([name, spec]) => tmpl(name, 'vfp', spec)),
  tmpl('VMOV.F32 (immediate)', 'vfp', '111011101D11iiiidddd10100000kkkk'),
  tmpl('VMOV.F32 (register)', 'vfp', '111011101D110000dddd101001M0mmmm'),
  tmpl('VABS.F32', 'vfp', '111011101D110000dddd101011M0mmmm'),
  tmpl('VNEG.F32', 'vfp', '111011101D110001dddd101001M0mmmm'),
  tmpl('VSQRT.F32', 'vfp', '111011101D110001dddd101011M0mmmm'),
  tmpl('VCMP{E}.F32', 'vfp', '111011101D110100dddd1010E1M0mmmm'),
  tmpl('VCMP{E}.F32 #0.0', 'vfp', '111011101D110101dddd1010E1000000'),
  tmpl('VCVT{R}.S32/U32.F32', 'vfp', '111011101D11110udddd1010r1M0mmmm'),
  tmpl('VCVT.F32.S32/U32', 'vfp', '111011101D111000dddd1010s1M0mmmm'),
  // Fixed point: frac_bits = size - imm4:i must not be negative (size 16 when sx=0).
  tmpl('VCVT (between floating-point and fixed-point)', 'vfp', '111011101D111o1udddd1010x1i0kkkk', (f) => f.x === 1 || ((f.k! << 1) | f.i!) <= 16),
  tmpl('VCVTB/VCVTT (half-precision)', 'vfp', '111011101D11001odddd1010T1M0mmmm'),
  tmpl('VMOV (between core register and single)', 'vfp', '11101110000onnnntttt1010N0010000', (f) => good(f.t!)),
  tmpl('VMOV (two core registers and two singles)', 'vfp', '11101100010otttt uuuu 101000M1mmmm', (f) => good(f.t!, f.u!) && f.M! * 16 + f.m! !== 31 && !(f.o === 1 && f.t === f.u)),
  tmpl('VMOV (two core registers and a doubleword)', 'vfp', '11101100010otttt uuuu 101100M1mmmm', (f) => good(f.t!, f.u!) && f.M === 0 && !(f.o === 1 && f.t === f.u)),
  tmpl('VMRS', 'vfp', '1110111011110001tttt101000010000', (f) => f.t !== 13),
  tmpl('VMSR', 'vfp', '1110111011100001tttt101000010000', (f) => good(f.t!)),
  tmpl('VLDR (single)', 'vfp', '11101101U D 01 nnnn dddd 1010 iiiiiiii', (f) => good(f.n!), vBase((f) => (f.U === 1 ? f.i! * 4 : -f.i! * 4))),
  tmpl('VSTR (single)', 'vfp', '11101101U D 00 nnnn dddd 1010 iiiiiiii', (f) => good(f.n!), vBase((f) => (f.U === 1 ? f.i! * 4 : -f.i! * 4))),
  tmpl('VLDR (double)', 'vfp', '11101101U 0 01 nnnn dddd 1011 iiiiiiii', (f) => good(f.n!), vBase((f) => (f.U === 1 ? f.i! * 4 : -f.i! * 4))),
  tmpl('VSTR (double)', 'vfp', '11101101U 0 00 nnnn dddd 1011 iiiiiiii', (f) => good(f.n!), vBase((f) => (f.U === 1 ? f.i! * 4 : -f.i! * 4))),
  // VLDR/VSTR use MemA[]: a word-misaligned address is a UsageFault (UNALIGNED) on both cores.
  tmpl('VLDR (single) misaligned: UsageFault', 'vfp', '11101101U D 01 nnnn dddd 1010 iiiiiiii', (f) => good(f.n!), misaligned('n', (f) => (f.U === 1 ? f.i! * 4 : -f.i! * 4))),
  tmpl('VSTR (single) misaligned: UsageFault', 'vfp', '11101101U D 00 nnnn dddd 1010 iiiiiiii', (f) => good(f.n!), misaligned('n', (f) => (f.U === 1 ? f.i! * 4 : -f.i! * 4))),
  // VLDM/VSTM single: imm8 = register count, 1..32-d; IA (P=0 U=1, optional !) or DB! (P=1 U=0 W=1).
  tmpl('VSTM (single)', 'vfp', '1110110 P U D W 0 nnnn dddd 1010 0 0 kkkkkk',
    (f) => good(f.n!) && f.k! > 0 && ((f.P === 0 && f.U === 1) || (f.P === 1 && f.U === 0 && f.W === 1)) && f.d! * 2 + f.D! + f.k! <= 32,
    vBase(() => 0)),
  tmpl('VPUSH/VPOP (single)', 'vfp', '1110110 P U D 1 L 1101 dddd 1010 0 0 kkkkkk',
    (f) => f.k! > 0 && ((f.P === 1 && f.U === 0 && f.L === 0) || (f.P === 0 && f.U === 1 && f.L === 1)) && f.d! * 2 + f.D! + f.k! <= 32,
    (_f, ctx) => [[13, dataAddr(ctx.rng, 4, 0x400)]]),
  tmpl('VLDM/VSTM (double)', 'vfp', '1110110 P U 0 W L nnnn dddd 1011 0 0 kkkkk 0',
    (f) => good(f.n!) && f.k! > 0 && ((f.P === 0 && f.U === 1) || (f.P === 1 && f.U === 0 && f.W === 1)) && f.d! + f.k! <= 16,
    vBase(() => 0)),
  tmpl('VLDM (single)', 'vfp', '1110110 P U D W 1 nnnn dddd 1010 0 0 kkkkkk',
    (f) => good(f.n!) && f.k! > 0 && ((f.P === 0 && f.U === 1) || (f.P === 1 && f.U === 0 && f.W === 1)) && f.d! * 2 + f.D! + f.k! <= 32,
    vBase(() => 0)),
];

export const TEMPLATES: Record<InsnClass, readonly Template[]> = {
  alu: [...ALU16, ...ALU32],
  mem: MEM,
  branch: BRANCH,
  dsp: DSP,
  vfp: VFP,
};

// ---- streams -------------------------------------------------------------------------------------------

export interface GenInsn {
  raw: number;
  size: 2 | 4;
  addr: number;
  template: Template;
  /** Registers to set in both cores right before executing this instruction. */
  setup: [number, number][];
  /** Memory words to write in both cores right before executing it: [address, value]. */
  mem: [number, number][];
}

/** A stream of instructions laid out from CODE_ADDR, plus its bytes. */
export interface Stream {
  insns: GenInsn[];
  bytes: Uint8Array;
  end: number;
}

function push(out: number[], raw: number, size: 2 | 4): void {
  if (size === 4) {
    const hw1 = raw >>> 16;
    out.push(hw1 & 0xff, hw1 >>> 8, raw & 0xff, (raw >>> 8) & 0xff);
  } else out.push(raw & 0xff, raw >>> 8);
}

/** ITSTATE-style mask for an IT block of `count` instructions (1..4) with random then/else choices. */
function itEncoding(rng: Rng, count: number): { firstcond: number; mask: number } {
  const firstcond = rng.int(15); // 0..14; AL only for single-instruction or all-"then" blocks
  let mask = 1 << (4 - count);
  for (let i = 1; i < count; i++) {
    const then = firstcond === 14 ? true : rng.chance(0.5);
    const bit = then ? firstcond & 1 : (firstcond & 1) ^ 1;
    mask |= bit << (4 - i);
  }
  return { firstcond, mask };
}

/**
 * Generates `count` instructions of class `cls` starting at `base`. The branch class mixes in
 * ALU instructions (so branches have something to skip) and IT blocks with valid contents.
 */
export function generateStream(rng: Rng, cls: InsnClass, count: number, base = CODE_ADDR): Stream {
  const insns: GenInsn[] = [];
  const bytes: number[] = [];
  let addr = base;
  const estimatedEnd = base + count * 3;
  const emit = (t: Template, forced?: (f: Fields) => [number, number][], fix?: Fields): Fields => {
    const { raw, f } = instantiate(t, rng, fix);
    const ctx: GenContext = { rng, pc: addr, end: estimatedEnd, mem: [] };
    const setup = forced ? forced(f) : t.setup ? t.setup(f, ctx) : [];
    insns.push({ raw, size: t.size, addr, template: t, setup, mem: ctx.mem });
    push(bytes, raw, t.size);
    addr += t.size;
    fieldsLog.push(f);
    return f;
  };
  /** Field values of the instructions emitted since it was last cleared (for the IT-block check). */
  const fieldsLog: Fields[] = [];
  // Templates that must fault end their stream, so they are drawn rarely (1%) to keep streams long.
  const pool = TEMPLATES[cls].filter((t) => !t.name.includes('misaligned'));
  const faulting = TEMPLATES[cls].filter((t) => t.name.includes('misaligned'));
  while (insns.length < count) {
    const itBlock = (body: readonly Template[], last: readonly Template[]): void => {
      const n = 1 + rng.int(4);
      const { firstcond, mask } = itEncoding(rng, n);
      const itRaw = 0xbf00 | (firstcond << 4) | mask;
      insns.push({ raw: itRaw, size: 2, addr, template: IT_TEMPLATE, setup: [], mem: [] });
      push(bytes, itRaw, 2);
      addr += 2;
      for (let i = 0; i < n; i++) emit(rng.pick(i === n - 1 ? last : body));
    };
    if (cls === 'branch') {
      const r = rng.int(10);
      if (r < 3) {
        emit(rng.pick(IT_BODY));
        continue;
      }
      if (r < 5) {
        itBlock(IT_BODY, IT_LAST);
        continue;
      }
    }
    if (cls === 'mem' && rng.chance(0.05)) {
      // Conditional loads/stores: the register setups of the whole block are applied before the IT
      // instruction (Unicorn runs the block as one step). A later setup of the same register wins, so an
      // access may land elsewhere in data RAM or fault — on both cores alike.
      // Only single-register loads/stores: a clobbered base then gives at worst an unaligned LDR/STR
      // (allowed) or a BusFault on both cores, never a multi-word alignment fault (see the allowlist).
      const body = pool.filter((t) => t.setup !== null && !/EX|LDM|STM|PUSH|POP|LDRD|STRD/.test(t.name));
      const first = insns.length;
      const firstByte = bytes.length;
      const firstAddr = addr;
      fieldsLog.length = 0;
      itBlock(body, body);
      // No instruction of the block may write (Rt, or Rn by writeback) a register that a later one
      // uses as base or index: all setups happen before the block, so that would move the access.
      let clobbers = false;
      const written = new Set<number>();
      for (let i = first + 1; i < insns.length; i++) {
        if (insns[i]!.setup.some(([r]) => written.has(r))) clobbers = true;
        const f = fieldsLog[i - first - 1]!;
        for (const k of ['t', 'n']) if (f[k] !== undefined) written.add(f[k]!);
        if (insns[i]!.setup.some(([r]) => r === 13)) written.add(13);
      }
      if (clobbers) {
        insns.length = first;
        bytes.length = firstByte;
        addr = firstAddr;
        continue;
      }
      const it = insns[first]!;
      for (let i = first + 1; i < insns.length; i++) {
        it.setup.push(...insns[i]!.setup);
        insns[i]!.setup = [];
      }
      continue;
    }
    if ((cls === 'dsp' || cls === 'vfp') && rng.chance(0.06)) {
      // Conditional DSP/VFP instructions: IT blocks of the class's setup-free templates.
      const body = pool.filter((t) => t.setup === null);
      itBlock(body, body);
      continue;
    }
    const t = faulting.length > 0 && rng.chance(0.01) ? rng.pick(faulting) : rng.pick(pool);
    const f = emit(t);
    if (t === LDREX || t === LDREXBH) {
      // Keep exclusives architecturally defined: a Store-Exclusive must use the address and size of the
      // preceding Load-Exclusive (anything else is UNPREDICTABLE), and a normal store to the tagged
      // address may or may not clear the monitor (IMPLEMENTATION DEFINED). So a Load-Exclusive is
      // followed at once by the matching Store-Exclusive (which then succeeds) or by CLREX; standalone
      // Store-Exclusives elsewhere meet an open monitor and fail.
      const tag = (insns[insns.length - 1]!.setup[0]![1] + (t === LDREX ? f.i! * 4 : 0)) >>> 0;
      if (rng.chance(0.7)) {
        if (t === LDREX) emit(STREX, (g) => [[g.n!, (tag - g.i! * 4) >>> 0]]);
        else emit(STREXBH, (g) => [[g.n!, tag]], { h: f.h! });
      } else emit(CLREX);
    }
  }
  return { insns, bytes: Uint8Array.from(bytes), end: addr };
}

const IT_TEMPLATE: Template = tmpl('IT T1', 'branch', '10111111 cccc mmmm', (f) => f.m !== 0);
