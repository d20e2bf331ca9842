/**
 * Load/store single data item (ARM ARM DDI0403E A5.2.4, A5.3.7–A5.3.10): LDR/LDRB/LDRSB/LDRH/LDRSH and
 * STR/STRB/STRH in every Thumb form, their unprivileged T forms, and PLD/PLI/unallocated memory hints.
 *
 * DecodedInsn fields for every executor here:
 *   a = Rt, b = Rn, c = signed offset (immediate forms) | Rm (register forms) | address (literal forms),
 *   d = shift amount (register forms).
 * Pseudocode order is kept: the memory access first (a fault leaves every register untouched), then the base
 * writeback, then Rt (so a load whose Rt is also the written-back base ends with the loaded value).
 *
 * UNPREDICTABLE choices: byte/halfword loads to PC in the writeback and T forms, and LDRT to PC, are treated as
 * UNDEFINED (decoder declines); other UNPREDICTABLE register choices execute as the pseudocode reads
 * (e.g. STR with Rt = PC stores the PC read value, address + 4).
 */
import type { CortexM4 } from '../cpu.js';
import { bits, type Exec, type Pattern } from '../decoded.js';
import {
  CYC_LOAD, CYC_STORE, REFILL, alignedPc, hex8, immText, insn, offsetAddr, pattern, readU16, readU32, reg, wr, writeU16, writeU32,
} from './load-store-common.js';

// ---- executors: LDR (word) -------------------------------------------------------------------------

const ldrImm: Exec = (cpu, d) => wr(cpu, d.a, readU32(cpu, (cpu.r[d.b]! + d.c) | 0));
const ldrPre: Exec = (cpu, d) => {
  const addr = (cpu.r[d.b]! + d.c) | 0;
  const v = readU32(cpu, addr);
  wr(cpu, d.b, addr);
  wr(cpu, d.a, v);
};
const ldrPost: Exec = (cpu, d) => {
  const addr = cpu.r[d.b]!;
  const v = readU32(cpu, addr);
  wr(cpu, d.b, addr + d.c);
  wr(cpu, d.a, v);
};
const ldrReg: Exec = (cpu, d) => wr(cpu, d.a, readU32(cpu, (cpu.r[d.b]! + (cpu.r[d.c]! << d.d)) | 0));
const ldrLit: Exec = (cpu, d) => wr(cpu, d.a, readU32(cpu, d.c));

// LDR to PC: LoadWritePC (interworking, EXC_RETURN) after the base writeback.
const ldrPcImm: Exec = (cpu, d) => cpu.loadWritePC(readU32(cpu, (cpu.r[d.b]! + d.c) | 0));
const ldrPcPre: Exec = (cpu, d) => {
  const addr = (cpu.r[d.b]! + d.c) | 0;
  const v = readU32(cpu, addr);
  wr(cpu, d.b, addr);
  cpu.loadWritePC(v);
};
const ldrPcPost: Exec = (cpu, d) => {
  const addr = cpu.r[d.b]!;
  const v = readU32(cpu, addr);
  wr(cpu, d.b, addr + d.c);
  cpu.loadWritePC(v);
};
const ldrPcReg: Exec = (cpu, d) => cpu.loadWritePC(readU32(cpu, (cpu.r[d.b]! + (cpu.r[d.c]! << d.d)) | 0));
const ldrPcLit: Exec = (cpu, d) => cpu.loadWritePC(readU32(cpu, d.c));

// ---- LDRH / LDRSH (MemU halfword) --------------------------------------------------------------------

const ldrhImm: Exec = (cpu, d) => wr(cpu, d.a, readU16(cpu, (cpu.r[d.b]! + d.c) | 0));
const ldrhPre: Exec = (cpu, d) => {
  const addr = (cpu.r[d.b]! + d.c) | 0;
  const v = readU16(cpu, addr);
  wr(cpu, d.b, addr);
  wr(cpu, d.a, v);
};
const ldrhPost: Exec = (cpu, d) => {
  const addr = cpu.r[d.b]!;
  const v = readU16(cpu, addr);
  wr(cpu, d.b, addr + d.c);
  wr(cpu, d.a, v);
};
const ldrhReg: Exec = (cpu, d) => wr(cpu, d.a, readU16(cpu, (cpu.r[d.b]! + (cpu.r[d.c]! << d.d)) | 0));
const ldrhLit: Exec = (cpu, d) => wr(cpu, d.a, readU16(cpu, d.c));

const ldrshImm: Exec = (cpu, d) => wr(cpu, d.a, (readU16(cpu, (cpu.r[d.b]! + d.c) | 0) << 16) >> 16);
const ldrshPre: Exec = (cpu, d) => {
  const addr = (cpu.r[d.b]! + d.c) | 0;
  const v = (readU16(cpu, addr) << 16) >> 16;
  wr(cpu, d.b, addr);
  wr(cpu, d.a, v);
};
const ldrshPost: Exec = (cpu, d) => {
  const addr = cpu.r[d.b]!;
  const v = (readU16(cpu, addr) << 16) >> 16;
  wr(cpu, d.b, addr + d.c);
  wr(cpu, d.a, v);
};
const ldrshReg: Exec = (cpu, d) => wr(cpu, d.a, (readU16(cpu, (cpu.r[d.b]! + (cpu.r[d.c]! << d.d)) | 0) << 16) >> 16);
const ldrshLit: Exec = (cpu, d) => wr(cpu, d.a, (readU16(cpu, d.c) << 16) >> 16);

// ---- LDRB / LDRSB --------------------------------------------------------------------------------------

const ldrbImm: Exec = (cpu, d) => wr(cpu, d.a, cpu.mem.read8((cpu.r[d.b]! + d.c) | 0));
const ldrbPre: Exec = (cpu, d) => {
  const addr = (cpu.r[d.b]! + d.c) | 0;
  const v = cpu.mem.read8(addr);
  wr(cpu, d.b, addr);
  wr(cpu, d.a, v);
};
const ldrbPost: Exec = (cpu, d) => {
  const addr = cpu.r[d.b]!;
  const v = cpu.mem.read8(addr);
  wr(cpu, d.b, addr + d.c);
  wr(cpu, d.a, v);
};
const ldrbReg: Exec = (cpu, d) => wr(cpu, d.a, cpu.mem.read8((cpu.r[d.b]! + (cpu.r[d.c]! << d.d)) | 0));
const ldrbLit: Exec = (cpu, d) => wr(cpu, d.a, cpu.mem.read8(d.c));

const ldrsbImm: Exec = (cpu, d) => wr(cpu, d.a, (cpu.mem.read8((cpu.r[d.b]! + d.c) | 0) << 24) >> 24);
const ldrsbPre: Exec = (cpu, d) => {
  const addr = (cpu.r[d.b]! + d.c) | 0;
  const v = (cpu.mem.read8(addr) << 24) >> 24;
  wr(cpu, d.b, addr);
  wr(cpu, d.a, v);
};
const ldrsbPost: Exec = (cpu, d) => {
  const addr = cpu.r[d.b]!;
  const v = (cpu.mem.read8(addr) << 24) >> 24;
  wr(cpu, d.b, addr + d.c);
  wr(cpu, d.a, v);
};
const ldrsbReg: Exec = (cpu, d) => wr(cpu, d.a, (cpu.mem.read8((cpu.r[d.b]! + (cpu.r[d.c]! << d.d)) | 0) << 24) >> 24);
const ldrsbLit: Exec = (cpu, d) => wr(cpu, d.a, (cpu.mem.read8(d.c) << 24) >> 24);

// ---- STR / STRH / STRB ---------------------------------------------------------------------------------

const strImm: Exec = (cpu, d) => writeU32(cpu, (cpu.r[d.b]! + d.c) | 0, cpu.r[d.a]!);
const strPre: Exec = (cpu, d) => {
  const addr = (cpu.r[d.b]! + d.c) | 0;
  writeU32(cpu, addr, cpu.r[d.a]!);
  wr(cpu, d.b, addr);
};
const strPost: Exec = (cpu, d) => {
  const addr = cpu.r[d.b]!;
  writeU32(cpu, addr, cpu.r[d.a]!);
  wr(cpu, d.b, addr + d.c);
};
const strReg: Exec = (cpu, d) => writeU32(cpu, (cpu.r[d.b]! + (cpu.r[d.c]! << d.d)) | 0, cpu.r[d.a]!);

const strhImm: Exec = (cpu, d) => writeU16(cpu, (cpu.r[d.b]! + d.c) | 0, cpu.r[d.a]!);
const strhPre: Exec = (cpu, d) => {
  const addr = (cpu.r[d.b]! + d.c) | 0;
  writeU16(cpu, addr, cpu.r[d.a]!);
  wr(cpu, d.b, addr);
};
const strhPost: Exec = (cpu, d) => {
  const addr = cpu.r[d.b]!;
  writeU16(cpu, addr, cpu.r[d.a]!);
  wr(cpu, d.b, addr + d.c);
};
const strhReg: Exec = (cpu, d) => writeU16(cpu, (cpu.r[d.b]! + (cpu.r[d.c]! << d.d)) | 0, cpu.r[d.a]!);

const strbImm: Exec = (cpu, d) => cpu.mem.write8((cpu.r[d.b]! + d.c) | 0, cpu.r[d.a]! & 0xff);
const strbPre: Exec = (cpu, d) => {
  const addr = (cpu.r[d.b]! + d.c) | 0;
  cpu.mem.write8(addr, cpu.r[d.a]! & 0xff);
  wr(cpu, d.b, addr);
};
const strbPost: Exec = (cpu, d) => {
  const addr = cpu.r[d.b]!;
  cpu.mem.write8(addr, cpu.r[d.a]! & 0xff);
  wr(cpu, d.b, addr + d.c);
};
const strbReg: Exec = (cpu, d) => cpu.mem.write8((cpu.r[d.b]! + (cpu.r[d.c]! << d.d)) | 0, cpu.r[d.a]! & 0xff);

/** PLD, PLI and the unallocated memory hints: no architectural effect, no memory access, no fault. */
const hintNop: Exec = (_cpu: CortexM4) => {};

// ---- operation table -----------------------------------------------------------------------------------

interface Op {
  /** Lower-case mnemonic. */
  m: string;
  load: boolean;
  imm: Exec;
  pre: Exec;
  post: Exec;
  reg: Exec;
  lit: Exec | null;
  /** hw1 of the 32-bit imm8/register forms (bit 7 clear, Rn zero); the imm12 form adds 0x0080. */
  hw1: number;
  /** For byte/halfword loads: what Rt = 1111 means (PLD, PLI or an unallocated hint); null otherwise. */
  hint: string | null;
}

const LDR: Op = { m: 'ldr', load: true, imm: ldrImm, pre: ldrPre, post: ldrPost, reg: ldrReg, lit: ldrLit, hw1: 0xf850, hint: null };
const LDRH: Op = { m: 'ldrh', load: true, imm: ldrhImm, pre: ldrhPre, post: ldrhPost, reg: ldrhReg, lit: ldrhLit, hw1: 0xf830, hint: 'nop' };
const LDRSH: Op = { m: 'ldrsh', load: true, imm: ldrshImm, pre: ldrshPre, post: ldrshPost, reg: ldrshReg, lit: ldrshLit, hw1: 0xf930, hint: 'nop' };
const LDRB: Op = { m: 'ldrb', load: true, imm: ldrbImm, pre: ldrbPre, post: ldrbPost, reg: ldrbReg, lit: ldrbLit, hw1: 0xf810, hint: 'pld' };
const LDRSB: Op = { m: 'ldrsb', load: true, imm: ldrsbImm, pre: ldrsbPre, post: ldrsbPost, reg: ldrsbReg, lit: ldrsbLit, hw1: 0xf910, hint: 'pli' };
const STR: Op = { m: 'str', load: false, imm: strImm, pre: strPre, post: strPost, reg: strReg, lit: null, hw1: 0xf840, hint: null };
const STRH: Op = { m: 'strh', load: false, imm: strhImm, pre: strhPre, post: strhPost, reg: strhReg, lit: null, hw1: 0xf820, hint: null };
const STRB: Op = { m: 'strb', load: false, imm: strbImm, pre: strbPre, post: strbPost, reg: strbReg, lit: null, hw1: 0xf800, hint: null };

const cyc = (op: Op): number => (op.load ? CYC_LOAD : CYC_STORE);

// ---- 16-bit encodings ------------------------------------------------------------------------------------

const p16: Pattern[] = [];

// Register offset T1: 0101 opB Rm Rn Rt (A5.2.4).
const REG16: Op[] = [STR, STRH, STRB, LDRSB, LDR, LDRH, LDRB, LDRSH];
REG16.forEach((op, opB) => {
  const { mask, match } = bits(`0101${opB.toString(2).padStart(3, '0')}xxxxxxxxx`);
  p16.push(
    pattern(
      `${op.m.toUpperCase()} (register) T1`,
      2,
      mask,
      match,
      (raw) => insn(op.reg, raw, 2, cyc(op), raw & 7, (raw >>> 3) & 7, (raw >>> 6) & 7, 0),
      (raw) => `${op.m} ${reg(raw & 7)}, [${reg((raw >>> 3) & 7)}, ${reg((raw >>> 6) & 7)}]`,
    ),
  );
});

// Immediate offset T1 (imm5 scaled by the access size): STR/LDR 0110L, STRB/LDRB 0111L, STRH/LDRH 1000L.
const IMM16: [string, Op, number][] = [
  ['01100', STR, 2],
  ['01101', LDR, 2],
  ['01110', STRB, 0],
  ['01111', LDRB, 0],
  ['10000', STRH, 1],
  ['10001', LDRH, 1],
];
for (const [prefix, op, scale] of IMM16) {
  const { mask, match } = bits(`${prefix}xxxxxxxxxxx`);
  p16.push(
    pattern(
      `${op.m.toUpperCase()} (immediate) T1`,
      2,
      mask,
      match,
      (raw) => insn(op.imm, raw, 2, cyc(op), raw & 7, (raw >>> 3) & 7, ((raw >>> 6) & 31) << scale),
      (raw) => `${op.m} ${reg(raw & 7)}, ${offsetAddr((raw >>> 3) & 7, ((raw >>> 6) & 31) << scale, true)}`,
    ),
  );
}

// SP-relative T2: STR 10010 Rt imm8, LDR 10011 Rt imm8 (imm8 * 4).
for (const [spec, op] of [['10010xxxxxxxxxxx', STR], ['10011xxxxxxxxxxx', LDR]] as const) {
  const { mask, match } = bits(spec);
  p16.push(
    pattern(
      `${op.m.toUpperCase()} (immediate) T2`,
      2,
      mask,
      match,
      (raw) => insn(op.imm, raw, 2, cyc(op), (raw >>> 8) & 7, 13, (raw & 0xff) << 2),
      (raw) => `${op.m} ${reg((raw >>> 8) & 7)}, ${offsetAddr(13, (raw & 0xff) << 2, true)}`,
    ),
  );
}

// LDR (literal) T1: 01001 Rt imm8; address = Align(PC, 4) + imm8 * 4, computed here.
{
  const { mask, match } = bits('01001xxxxxxxxxxx');
  p16.push(
    pattern(
      'LDR (literal) T1',
      2,
      mask,
      match,
      (raw, pc) => insn(ldrLit, raw, 2, CYC_LOAD, (raw >>> 8) & 7, 15, (alignedPc(pc) + ((raw & 0xff) << 2)) | 0),
      (raw, pc) => `ldr ${reg((raw >>> 8) & 7)}, [pc, #${(raw & 0xff) << 2}] ; ${hex8(alignedPc(pc) + ((raw & 0xff) << 2))}`,
    ),
  );
}

// ---- 32-bit encodings ------------------------------------------------------------------------------------

const p32: Pattern[] = [];
const RN = (raw: number): number => (raw >>> 16) & 15;
const RT = (raw: number): number => (raw >>> 12) & 15;

function literalAddr(raw: number, pc: number): number {
  const imm = raw & 0xfff;
  return ((raw & 0x00800000) !== 0 ? alignedPc(pc) + imm : alignedPc(pc) - imm) >>> 0;
}

function literalText(raw: number, pc: number): string {
  return `[pc, ${immText(raw & 0xfff, (raw & 0x00800000) !== 0)}] ; ${hex8(literalAddr(raw, pc))}`;
}

for (const op of [LDR, LDRH, LDRSH, LDRB, LDRSB, STR, STRH, STRB]) {
  const M = op.m.toUpperCase();
  const base = op.hw1 << 16;
  const isWord = op === LDR;

  // Immediate 12-bit: hw1 bit 7 set, Rt imm12.
  p32.push(
    pattern(
      `${M} (immediate) T${op.m.startsWith('ldrs') ? 1 : op === STR || op === LDR ? 3 : 2}`,
      4,
      0xfff00000,
      base | 0x00800000,
      (raw) => {
        const n = RN(raw);
        const t = RT(raw);
        if (n === 15) return null; // literal form (loads) or UNDEFINED (stores)
        if (op.load && t === 15) return isWord ? insn(ldrPcImm, raw, 4, CYC_LOAD + REFILL, t, n, raw & 0xfff) : null;
        return insn(op.imm, raw, 4, cyc(op), t, n, raw & 0xfff);
      },
      (raw) => `${op.m}.w ${reg(RT(raw))}, ${offsetAddr(RN(raw), raw & 0xfff, true)}`,
    ),
  );

  // Immediate 8-bit with writeback: Rt 1 P U 1 imm8 (pre-indexed P=1, post-indexed P=0).
  p32.push(
    pattern(
      `${M} (immediate, writeback)`,
      4,
      0xfff00900,
      base | 0x0900,
      (raw) => {
        const n = RN(raw);
        const t = RT(raw);
        if (n === 15) return null;
        const off = (raw & 0x200) !== 0 ? raw & 0xff : -(raw & 0xff);
        const pre = (raw & 0x400) !== 0;
        if (op.load && t === 15) {
          if (!isWord) return null; // UNPREDICTABLE: treated as UNDEFINED
          return insn(pre ? ldrPcPre : ldrPcPost, raw, 4, CYC_LOAD + REFILL, t, n, off);
        }
        return insn(pre ? op.pre : op.post, raw, 4, cyc(op), t, n, off);
      },
      (raw) => {
        const n = RN(raw);
        const t = RT(raw);
        const imm = raw & 0xff;
        const add = (raw & 0x200) !== 0;
        const pre = (raw & 0x400) !== 0;
        // PUSH T3 / POP T3 are these encodings with SP and 4.
        if (n === 13 && imm === 4 && op === LDR && !pre && add) return `pop.w {${reg(t)}}`;
        if (n === 13 && imm === 4 && op === STR && pre && !add) return `push.w {${reg(t)}}`;
        return pre ? `${op.m}.w ${reg(t)}, [${reg(n)}, ${immText(imm, add)}]!` : `${op.m} ${reg(t)}, [${reg(n)}], ${immText(imm, add)}`;
      },
    ),
  );

  // Immediate 8-bit, negative offset: Rt 1100 imm8.
  p32.push(
    pattern(
      `${M} (immediate, negative)`,
      4,
      0xfff00f00,
      base | 0x0c00,
      (raw) => {
        const n = RN(raw);
        const t = RT(raw);
        if (n === 15) return null;
        if (op.load && t === 15) return isWord ? insn(ldrPcImm, raw, 4, CYC_LOAD + REFILL, t, n, -(raw & 0xff)) : null;
        return insn(op.imm, raw, 4, cyc(op), t, n, -(raw & 0xff));
      },
      (raw) => `${op.m}.w ${reg(RT(raw))}, [${reg(RN(raw))}, #-${raw & 0xff}]`,
    ),
  );

  // Unprivileged: Rt 1110 imm8 (LDRT etc.). Accessed as privileged for now: when the MPU front lands, it can
  // check privilege through a flag on cpu set around these accesses.
  p32.push(
    pattern(
      `${M}T`,
      4,
      0xfff00f00,
      base | 0x0e00,
      (raw) => {
        const n = RN(raw);
        const t = RT(raw);
        if (n === 15 || (op.load && t === 15)) return null;
        return insn(op.imm, raw, 4, cyc(op), t, n, raw & 0xff);
      },
      (raw) => `${op.m}t ${reg(RT(raw))}, ${offsetAddr(RN(raw), raw & 0xff, true)}`,
    ),
  );

  // Register offset: Rt 000000 imm2 Rm.
  p32.push(
    pattern(
      `${M} (register) T2`,
      4,
      0xfff00fc0,
      base,
      (raw) => {
        const n = RN(raw);
        const t = RT(raw);
        if (n === 15) return null;
        const m = raw & 15;
        const sh = (raw >>> 4) & 3;
        if (op.load && t === 15) return isWord ? insn(ldrPcReg, raw, 4, CYC_LOAD + REFILL, t, n, m, sh) : null;
        return insn(op.reg, raw, 4, cyc(op), t, n, m, sh);
      },
      (raw) => {
        const sh = (raw >>> 4) & 3;
        return `${op.m}.w ${reg(RT(raw))}, [${reg(RN(raw))}, ${reg(raw & 15)}${sh ? `, lsl #${sh}` : ''}]`;
      },
    ),
  );

  // Literal (loads only): hw1 = base with U at bit 7 and Rn = 1111.
  if (op.lit !== null) {
    const lit = op.lit;
    p32.push(
      pattern(
        `${M} (literal)`,
        4,
        0xff7f0000,
        base | 0x000f0000,
        (raw, pc) => {
          const t = RT(raw);
          if (t === 15) return isWord ? insn(ldrPcLit, raw, 4, CYC_LOAD + REFILL, t, 15, literalAddr(raw, pc) | 0) : null;
          return insn(lit, raw, 4, CYC_LOAD, t, 15, literalAddr(raw, pc) | 0);
        },
        (raw, pc) => `${op.m}.w ${reg(RT(raw))}, ${literalText(raw, pc)}`,
      ),
    );
  }

  // Rt = 1111 in the byte/halfword load spaces: PLD (LDRB space), PLI (LDRSB space), unallocated hints
  // (halfword spaces, which are PLDW on ARMv7-A) — all no-ops here. The pre/post-indexed and T forms with
  // Rt = 1111 are UNPREDICTABLE and fall through to UNDEFINED.
  if (op.hint !== null) {
    const h = op.hint;
    const show = (addr: string): string => (h === 'nop' ? `nop.w ; memory hint ${addr}` : `${h} ${addr}`);
    p32.push(
      pattern(
        `${h.toUpperCase()} (immediate, imm12)`,
        4,
        0xfff0f000,
        base | 0x0080f000,
        (raw) => (RN(raw) === 15 ? null : insn(hintNop, raw, 4, 1)),
        (raw) => show(offsetAddr(RN(raw), raw & 0xfff, true)),
      ),
      pattern(
        `${h.toUpperCase()} (immediate, negative)`,
        4,
        0xfff0ff00,
        base | 0xfc00,
        (raw) => (RN(raw) === 15 ? null : insn(hintNop, raw, 4, 1)),
        (raw) => show(`[${reg(RN(raw))}, #-${raw & 0xff}]`),
      ),
      pattern(
        `${h.toUpperCase()} (register)`,
        4,
        0xfff0ffc0,
        base | 0xf000,
        (raw) => (RN(raw) === 15 ? null : insn(hintNop, raw, 4, 1)),
        (raw) => {
          const sh = (raw >>> 4) & 3;
          return show(`[${reg(RN(raw))}, ${reg(raw & 15)}${sh ? `, lsl #${sh}` : ''}]`);
        },
      ),
      pattern(
        `${h.toUpperCase()} (literal)`,
        4,
        0xff7ff000,
        base | 0x000ff000,
        (raw) => insn(hintNop, raw, 4, 1),
        (raw, pc) => show(literalText(raw, pc)),
      ),
    );
  }
}

export const patterns: Pattern[] = [...p16, ...p32];
