/**
 * Loads and stores: the RRI8 group (op0 = 2: L8UI, L16UI, L16SI, L32I, L32AI, S8I, S16I, S32I, S32RI,
 * S32C1I), L32E/S32E, L32R (op0 = 1, PC-relative literal, address computed at decode time), and the narrow
 * L32I.N/S32I.N. Unaligned 16/32-bit accesses raise LoadStoreAlignment (the ESP32's configuration).
 */
import { fR, fS, fT, imm8, hex, type XtExec, type XtPattern } from '../decoded.js';
import { SR } from '../sr.js';
import { insn, mk, reg } from './common.js';

const l8ui: XtExec = (cpu, d) => {
  cpu.ar[d.a] = cpu.bus.read8(cpu.ar[d.b]! + d.e);
};
const l16ui: XtExec = (cpu, d) => {
  cpu.ar[d.a] = cpu.load16(cpu.ar[d.b]! + d.e);
};
const l16si: XtExec = (cpu, d) => {
  cpu.ar[d.a] = (cpu.load16(cpu.ar[d.b]! + d.e) << 16) >> 16;
};
const l32i: XtExec = (cpu, d) => {
  cpu.ar[d.a] = cpu.load32(cpu.ar[d.b]! + d.e);
};
const s8i: XtExec = (cpu, d) => {
  cpu.bus.write8(cpu.ar[d.b]! + d.e, cpu.ar[d.a]! & 0xff);
};
const s16i: XtExec = (cpu, d) => {
  cpu.store16(cpu.ar[d.b]! + d.e, cpu.ar[d.a]! & 0xffff);
};
const s32i: XtExec = (cpu, d) => {
  cpu.store32(cpu.ar[d.b]! + d.e, cpu.ar[d.a]!);
};
/** S32C1I: compare with SCOMPARE1 and store conditionally; at always receives the old memory value. */
const s32c1i: XtExec = (cpu, d) => {
  const addr = cpu.ar[d.b]! + d.e;
  const old = cpu.load32(addr);
  if (old === cpu.sr[SR.SCOMPARE1]) cpu.store32(addr, cpu.ar[d.a]!);
  cpu.ar[d.a] = old;
};
const l32r: XtExec = (cpu, d) => {
  cpu.ar[d.a] = cpu.bus.read32(d.e);
};

function rri8(name: string, r: number, exec: XtExec, scale: number): XtPattern {
  return insn(name, 3, { op0: 2, r }, (raw) => mk(exec, raw, 3, fT(raw), fS(raw), 0, 0, imm8(raw) * scale, [fT(raw), fS(raw)]),
    (raw) => `${name} ${reg(fT(raw))}, ${reg(fS(raw))}, ${imm8(raw) * scale}`);
}

function narrow(name: string, o0: number, exec: XtExec): XtPattern {
  return insn(name, 2, { op0: o0 }, (raw) => mk(exec, raw, 2, fT(raw), fS(raw), 0, 0, fR(raw) * 4, [fT(raw), fS(raw)]),
    (raw) => `${name} ${reg(fT(raw))}, ${reg(fS(raw))}, ${fR(raw) * 4}`);
}

/** L32R target: ((PC + 3) with bits 1:0 cleared) + (ones-extended imm16 << 2). */
export function l32rAddress(raw: number, pc: number): number {
  return ((((pc + 3) & ~3) >>> 0) + ((raw >>> 8) - 0x10000) * 4) >>> 0;
}

/** L32E/S32E (window exception handlers): offset = r * 4 − 64. */
function rri4(name: string, o2: number, exec: XtExec): XtPattern {
  return insn(name, 3, { op0: 0, op1: 9, op2: o2 }, (raw) => mk(exec, raw, 3, fT(raw), fS(raw), 0, 0, fR(raw) * 4 - 64, [fT(raw), fS(raw)]),
    (raw) => `${name} ${reg(fT(raw))}, ${reg(fS(raw))}, ${fR(raw) * 4 - 64}`);
}

export const patterns: readonly XtPattern[] = [
  rri8('l8ui', 0, l8ui, 1),
  rri8('l16ui', 1, l16ui, 2),
  rri8('l32i', 2, l32i, 4),
  rri8('s8i', 4, s8i, 1),
  rri8('s16i', 5, s16i, 2),
  rri8('s32i', 6, s32i, 4),
  rri8('l16si', 9, l16si, 2),
  rri8('l32ai', 11, l32i, 4),
  rri8('s32c1i', 14, s32c1i, 4),
  rri8('s32ri', 15, s32i, 4),
  insn('l32r', 3, { op0: 1 }, (raw, pc) => mk(l32r, raw, 3, fT(raw), 0, 0, 0, l32rAddress(raw, pc), [fT(raw)]),
    (raw, pc) => `l32r ${reg(fT(raw))}, ${hex(l32rAddress(raw, pc))}`),
  rri4('l32e', 0, l32i),
  rri4('s32e', 4, s32i),
  narrow('l32i.n', 8, l32i),
  narrow('s32i.n', 9, s32i),
];
