/**
 * A tiny Xtensa assembler for tests and hand-written ROM stubs: one method per instruction, encodings from
 * the ISA reference's format tables (little-endian byte order as on the ESP32). Labels may be used before
 * they are defined; `assemble()` resolves them and range-checks every PC-relative field.
 */
import { B4CONST, B4CONSTU, SR_NAMES } from './sr.js';

type Target = string | number;
type Encoder = () => number;

const rrr = (op0: number, op1: number, op2: number, r: number, s: number, t: number): number =>
  ((op2 << 20) | (op1 << 16) | (r << 12) | (s << 8) | (t << 4) | op0) >>> 0;
const rri8 = (op0: number, r: number, s: number, t: number, imm: number): number =>
  (((imm & 0xff) << 16) | (r << 12) | (s << 8) | (t << 4) | op0) >>> 0;
const rrrn = (op0: number, r: number, s: number, t: number): number => (r << 12) | (s << 8) | (t << 4) | op0;

const RRR_OPS: Record<string, [number, number]> = {
  and: [0, 1], or: [0, 2], xor: [0, 3], add: [0, 8], addx2: [0, 9], addx4: [0, 10], addx8: [0, 11],
  sub: [0, 12], subx2: [0, 13], subx4: [0, 14], subx8: [0, 15], src: [1, 8], mul16u: [1, 12], mul16s: [1, 13],
  mull: [2, 8], muluh: [2, 10], mulsh: [2, 11], quou: [2, 12], quos: [2, 13], remu: [2, 14], rems: [2, 15],
  min: [3, 4], max: [3, 5], minu: [3, 6], maxu: [3, 7], moveqz: [3, 8], movnez: [3, 9], movltz: [3, 10], movgez: [3, 11],
};
export type RrrOp = keyof typeof RRR_OPS;

const BR_RRR: Record<string, number> = { bnone: 0, beq: 1, blt: 2, bltu: 3, ball: 4, bbc: 5, bany: 8, bne: 9, bge: 10, bgeu: 11, bnall: 12, bbs: 13 };
const BR_Z: Record<string, number> = { beqz: 0, bnez: 1, bltz: 2, bgez: 3 };
const BR_I: Record<string, [number, number]> = { beqi: [2, 0], bnei: [2, 1], blti: [2, 2], bgei: [2, 3], bltui: [3, 2], bgeui: [3, 3] };
const LOADSTORE: Record<string, [number, number]> = {
  l8ui: [0, 1], l16ui: [1, 2], l32i: [2, 4], s8i: [4, 1], s16i: [5, 2], s32i: [6, 4], l16si: [9, 2], l32ai: [11, 4], s32c1i: [14, 4], s32ri: [15, 4],
};
const SYNC: Record<string, number> = { isync: 0, rsync: 1, esync: 2, dsync: 3, excw: 8, memw: 12, extw: 13, nop: 15 };

export class AsmError extends Error {}

export class XtAsm {
  private readonly items: { pc: number; size: 2 | 3 | 4; enc: Encoder }[] = [];
  private readonly labels = new Map<string, number>();
  private here: number;

  constructor(readonly base: number) {
    this.here = base >>> 0;
  }

  get pc(): number {
    return this.here;
  }

  label(name: string): this {
    if (this.labels.has(name)) throw new AsmError(`label ${name} defined twice`);
    this.labels.set(name, this.here);
    return this;
  }

  addr(t: Target): number {
    if (typeof t === 'number') return t >>> 0;
    const a = this.labels.get(t);
    if (a === undefined) throw new AsmError(`undefined label ${t}`);
    return a;
  }

  private emit(size: 2 | 3 | 4, enc: Encoder): this {
    this.items.push({ pc: this.here, size, enc });
    this.here = (this.here + size) >>> 0;
    return this;
  }
  i24(enc: number | Encoder): this {
    return this.emit(3, typeof enc === 'number' ? () => enc : enc);
  }
  i16(enc: number | Encoder): this {
    return this.emit(2, typeof enc === 'number' ? () => enc : enc);
  }
  /** A 32-bit data word (literal pools, tables). */
  word(v: number | (() => number)): this {
    return this.emit(4, typeof v === 'number' ? () => v : v);
  }
  /** Pads with zero bytes up to a multiple of `n`. */
  align(n: number): this {
    this.here = Math.ceil(this.here / n) * n;
    return this;
  }
  /** Moves the location counter forward to `addr` (gap filled with zeros). */
  org(addr: number): this {
    if (addr < this.here) throw new AsmError(`org 0x${addr.toString(16)} is behind 0x${this.here.toString(16)}`);
    this.here = addr >>> 0;
    return this;
  }

  private rel(t: Target, from: number, bits: number, signed: boolean, what: string): number {
    const off = this.addr(t) - from;
    const lo = signed ? -(2 ** (bits - 1)) : 0;
    const hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
    if (off < lo || off > hi) throw new AsmError(`${what}: target out of range (offset ${off})`);
    return off & ((1 << bits) - 1);
  }

  // ---- ALU ----
  op(name: RrrOp, ar: number, as: number, at: number): this {
    const [o1, o2] = RRR_OPS[name]!;
    return this.i24(rrr(0, o1, o2, ar, as, at));
  }
  add(ar: number, as: number, at: number): this { return this.op('add', ar, as, at); }
  sub(ar: number, as: number, at: number): this { return this.op('sub', ar, as, at); }
  neg(ar: number, at: number): this { return this.i24(rrr(0, 0, 6, ar, 0, at)); }
  abs(ar: number, at: number): this { return this.i24(rrr(0, 0, 6, ar, 1, at)); }
  nsa(at: number, as: number): this { return this.i24(rrr(0, 0, 4, 14, as, at)); }
  nsau(at: number, as: number): this { return this.i24(rrr(0, 0, 4, 15, as, at)); }
  srl(ar: number, at: number): this { return this.i24(rrr(0, 1, 9, ar, 0, at)); }
  sll(ar: number, as: number): this { return this.i24(rrr(0, 1, 10, ar, as, 0)); }
  sra(ar: number, at: number): this { return this.i24(rrr(0, 1, 11, ar, 0, at)); }
  slli(ar: number, as: number, sa: number): this {
    if (sa < 1 || sa > 31) throw new AsmError(`slli shift ${sa} out of range 1..31`);
    const f = 32 - sa;
    return this.i24(rrr(0, 1, f >> 4, ar, as, f & 15));
  }
  srai(ar: number, at: number, sa: number): this { return this.i24(rrr(0, 1, 2 | (sa >> 4), ar, sa & 15, at)); }
  srli(ar: number, at: number, sa: number): this { return this.i24(rrr(0, 1, 4, ar, sa & 15, at)); }
  extui(ar: number, at: number, shift: number, bits: number): this {
    return this.i24(rrr(0, 4 | (shift >> 4), bits - 1, ar, shift & 15, at));
  }
  sext(ar: number, as: number, bit: number): this { return this.i24(rrr(0, 3, 2, ar, as, bit - 7)); }
  clamps(ar: number, as: number, bit: number): this { return this.i24(rrr(0, 3, 3, ar, as, bit - 7)); }
  ssr(as: number): this { return this.i24(rrr(0, 0, 4, 0, as, 0)); }
  ssl(as: number): this { return this.i24(rrr(0, 0, 4, 1, as, 0)); }
  ssa8l(as: number): this { return this.i24(rrr(0, 0, 4, 2, as, 0)); }
  ssa8b(as: number): this { return this.i24(rrr(0, 0, 4, 3, as, 0)); }
  ssai(n: number): this { return this.i24(rrr(0, 0, 4, 4, n & 15, n >> 4)); }
  movi(at: number, imm: number): this {
    if (imm < -2048 || imm > 2047) throw new AsmError(`movi ${imm} out of range`);
    return this.i24(rri8(2, 10, (imm >> 8) & 15, at, imm & 0xff));
  }
  addi(at: number, as: number, imm: number): this {
    if (imm < -128 || imm > 127) throw new AsmError(`addi ${imm} out of range`);
    return this.i24(rri8(2, 12, as, at, imm));
  }
  addmi(at: number, as: number, imm: number): this {
    if (imm % 256 !== 0 || imm < -32768 || imm > 32512) throw new AsmError(`addmi ${imm} out of range`);
    return this.i24(rri8(2, 13, as, at, imm >> 8));
  }
  add_n(ar: number, as: number, at: number): this { return this.i16(rrrn(10, ar, as, at)); }
  addi_n(ar: number, as: number, imm: number): this {
    if (imm !== -1 && (imm < 1 || imm > 15)) throw new AsmError(`addi.n ${imm} out of range`);
    return this.i16(rrrn(11, ar, as, imm === -1 ? 0 : imm));
  }
  mov_n(at: number, as: number): this { return this.i16(rrrn(13, 0, as, at)); }
  movi_n(as: number, imm: number): this {
    if (imm < -32 || imm > 95) throw new AsmError(`movi.n ${imm} out of range`);
    const v = imm & 0x7f;
    return this.i16(rrrn(12, v & 15, as, v >> 4));
  }
  mov(at: number, as: number): this { return this.op('or', at, as, as); }

  // ---- loads and stores ----
  ls(name: keyof typeof LOADSTORE, at: number, as: number, offset: number): this {
    const [r, scale] = LOADSTORE[name]!;
    if (offset % scale !== 0 || offset < 0 || offset / scale > 255) throw new AsmError(`${name} offset ${offset} out of range`);
    return this.i24(rri8(2, r, as, at, offset / scale));
  }
  l32i(at: number, as: number, off: number): this { return this.ls('l32i', at, as, off); }
  s32i(at: number, as: number, off: number): this { return this.ls('s32i', at, as, off); }
  l32i_n(at: number, as: number, off: number): this { return this.i16(rrrn(8, off / 4, as, at)); }
  s32i_n(at: number, as: number, off: number): this { return this.i16(rrrn(9, off / 4, as, at)); }
  l32e(at: number, as: number, off: number): this { return this.i24(rrr(0, 9, 0, (off + 64) / 4, as, at)); }
  s32e(at: number, as: number, off: number): this { return this.i24(rrr(0, 9, 4, (off + 64) / 4, as, at)); }
  l32r(at: number, literal: Target): this {
    const pc = this.here;
    return this.i24(() => {
      const a = this.addr(literal);
      const off = a - (((pc + 3) & ~3) >>> 0);
      if (off % 4 !== 0 || off >= 0 || off < -262144) throw new AsmError(`l32r literal at 0x${a.toString(16)} not reachable from 0x${pc.toString(16)}`);
      return ((((off / 4) & 0xffff) << 8) | (at << 4) | 1) >>> 0;
    });
  }

  // ---- branches, jumps, calls ----
  b(name: keyof typeof BR_RRR, as: number, at: number, t: Target): this {
    const pc = this.here;
    return this.i24(() => rri8(7, BR_RRR[name]!, as, at, this.rel(t, pc + 4, 8, true, name)));
  }
  bbci(as: number, bit: number, t: Target): this {
    const pc = this.here;
    return this.i24(() => rri8(7, 6 | (bit >> 4), as, bit & 15, this.rel(t, pc + 4, 8, true, 'bbci')));
  }
  bbsi(as: number, bit: number, t: Target): this {
    const pc = this.here;
    return this.i24(() => rri8(7, 14 | (bit >> 4), as, bit & 15, this.rel(t, pc + 4, 8, true, 'bbsi')));
  }
  bz(name: keyof typeof BR_Z, as: number, t: Target): this {
    const pc = this.here;
    return this.i24(() => ((this.rel(t, pc + 4, 12, true, name) << 12) | (as << 8) | (BR_Z[name]! << 6) | (1 << 4) | 6) >>> 0);
  }
  bi(name: keyof typeof BR_I, as: number, imm: number, t: Target): this {
    const [n, m] = BR_I[name]!;
    const r = (n === 3 ? B4CONSTU : B4CONST).indexOf(imm);
    if (r < 0) throw new AsmError(`${name}: ${imm} is not encodable`);
    const pc = this.here;
    return this.i24(() => ((this.rel(t, pc + 4, 8, true, name) << 16) | (r << 12) | (as << 8) | (m << 6) | (n << 4) | 6) >>> 0);
  }
  beqz_n(as: number, t: Target): this {
    const pc = this.here;
    return this.i16(() => {
      const o = this.rel(t, pc + 4, 6, false, 'beqz.n');
      return ((o & 15) << 12) | (as << 8) | ((8 | (o >> 4)) << 4) | 12;
    });
  }
  bnez_n(as: number, t: Target): this {
    const pc = this.here;
    return this.i16(() => {
      const o = this.rel(t, pc + 4, 6, false, 'bnez.n');
      return ((o & 15) << 12) | (as << 8) | ((12 | (o >> 4)) << 4) | 12;
    });
  }
  j(t: Target): this {
    const pc = this.here;
    return this.i24(() => ((this.rel(t, pc + 4, 18, true, 'j') << 6) | 6) >>> 0);
  }
  /** CALL0/4/8/12 (n = 0..3): target must be 4-byte aligned. */
  call(n: 0 | 1 | 2 | 3, t: Target): this {
    const pc = this.here;
    return this.i24(() => {
      const a = this.addr(t);
      if (a & 3) throw new AsmError(`call target 0x${a.toString(16)} not aligned`);
      const off = (a - (((pc & ~3) >>> 0) + 4)) / 4;
      if (off < -(2 ** 17) || off >= 2 ** 17) throw new AsmError('call target out of range');
      return (((off & 0x3ffff) << 6) | (n << 4) | 5) >>> 0;
    });
  }
  callx(n: 0 | 1 | 2 | 3, as: number): this { return this.i24(rrr(0, 0, 0, 0, as, 12 | n)); }
  ret(): this { return this.i24(rrr(0, 0, 0, 0, 0, 8)); }
  retw(): this { return this.i24(rrr(0, 0, 0, 0, 0, 9)); }
  jx(as: number): this { return this.i24(rrr(0, 0, 0, 0, as, 10)); }
  ret_n(): this { return this.i16(rrrn(13, 15, 0, 0)); }
  retw_n(): this { return this.i16(rrrn(13, 15, 0, 1)); }
  nop_n(): this { return this.i16(rrrn(13, 15, 0, 3)); }
  ill_n(): this { return this.i16(rrrn(13, 15, 0, 6)); }
  break_n(s: number): this { return this.i16(rrrn(13, 15, s, 2)); }
  entry(as: number, frame: number): this {
    if (frame % 8 !== 0 || frame < 0 || frame >= 32768) throw new AsmError(`entry frame ${frame} must be a multiple of 8 below 32768`);
    return this.i24((((frame / 8) << 12) | (as << 8) | (0 << 6) | (3 << 4) | 6) >>> 0);
  }
  movsp(at: number, as: number): this { return this.i24(rrr(0, 0, 0, 1, as, at)); }
  rotw(n: number): this { return this.i24(rrr(0, 0, 4, 8, 0, n & 15)); }
  loop(kind: 'loop' | 'loopnez' | 'loopgtz', as: number, end: Target): this {
    const r = kind === 'loop' ? 8 : kind === 'loopnez' ? 9 : 10;
    const pc = this.here;
    return this.i24(() => ((this.rel(end, pc + 4, 8, false, kind) << 16) | (r << 12) | (as << 8) | (1 << 6) | (3 << 4) | 6) >>> 0);
  }

  // ---- system ----
  sync(name: keyof typeof SYNC): this { return this.i24(rrr(0, 0, 0, 2, 0, SYNC[name]!)); }
  nop(): this { return this.sync('nop'); }
  memw(): this { return this.sync('memw'); }
  ill(): this { return this.i24(0); }
  syscall(): this { return this.i24(rrr(0, 0, 0, 5, 0, 0)); }
  break_(s: number, t: number): this { return this.i24(rrr(0, 0, 0, 4, s, t)); }
  rfe(): this { return this.i24(rrr(0, 0, 0, 3, 0, 0)); }
  rfde(): this { return this.i24(rrr(0, 0, 0, 3, 2, 0)); }
  rfwo(): this { return this.i24(rrr(0, 0, 0, 3, 4, 0)); }
  rfwu(): this { return this.i24(rrr(0, 0, 0, 3, 5, 0)); }
  rfi(level: number): this { return this.i24(rrr(0, 0, 0, 3, level, 1)); }
  rsil(at: number, level: number): this { return this.i24(rrr(0, 0, 0, 6, level, at)); }
  private srn(sr: number | string): number {
    if (typeof sr === 'number') return sr;
    for (const [n, name] of SR_NAMES) if (name === sr) return n;
    throw new AsmError(`unknown special register ${sr}`);
  }
  rsr(at: number, sr: number | string): this { const n = this.srn(sr); return this.i24(rrr(0, 3, 0, n >> 4, n & 15, at)); }
  wsr(at: number, sr: number | string): this { const n = this.srn(sr); return this.i24(rrr(0, 3, 1, n >> 4, n & 15, at)); }
  xsr(at: number, sr: number | string): this { const n = this.srn(sr); return this.i24(rrr(0, 1, 6, n >> 4, n & 15, at)); }
  rur(ar: number, ur: number): this { return this.i24(rrr(0, 3, 14, ar, ur >> 4, ur & 15)); }
  wur(at: number, ur: number): this { return this.i24(rrr(0, 3, 15, ur >> 4, ur & 15, at)); }

  /** Resolves labels and returns the bytes from `base` to the current location (gaps are zero). */
  assemble(): Uint8Array {
    const out = new Uint8Array(this.here - this.base);
    for (const it of this.items) {
      const v = it.enc();
      const o = it.pc - this.base;
      for (let i = 0; i < it.size; i++) out[o + i] = (v >>> (8 * i)) & 0xff;
    }
    return out;
  }
}
