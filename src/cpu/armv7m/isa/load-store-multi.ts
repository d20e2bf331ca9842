/**
 * Load/store multiple (A5.3.5, 16-bit LDM/STM/PUSH/POP), load/store dual and exclusive, table branch (A5.3.6),
 * and CLREX. All of these use MemA: an unaligned address is UsageFault UNALIGNED whatever CCR.UNALIGN_TRP says.
 *
 * Faults leave registers untouched: LDM/POP/LDRD load everything into a scratch buffer first, then commit
 * (base writeback first, then the loaded registers, PC last through LoadWritePC so an EXC_RETURN sees the final SP).
 * STM/PUSH/STRD write back the base only after the last store.
 *
 * UNPREDICTABLE choices (decoder declines → UNDEFINED): empty register lists, Rn = PC for LDM/STM/STRD,
 * 32-bit LDM/STM with writeback and the base in the list, LDRD to PC, LDRD literal with writeback,
 * and the LDREX/STREX register restrictions (Rt/Rd = SP/PC, Rn = PC, Rd = Rn or Rt). Other UNPREDICTABLE
 * cases run as the pseudocode reads (e.g. STM storing the base that is also written back stores its old value;
 * a one-register LDM.W/STM.W does the single transfer, as hardware does).
 */
import { bits, type DecodedInsn, type Exec, type Pattern } from '../decoded.js';
import {
  CYC_DUAL, CYC_EXCL, CYC_TB, REFILL, alignedPc, bitCount, hex8, immText, insn, offsetAddr, pattern, readU16, reg, regList, wr,
} from './load-store-common.js';

/** Loaded values of LDM/POP before they are committed (no allocation per execution). */
const scratch = new Int32Array(16);

// ---- LDM / STM -------------------------------------------------------------------------------------
// a = Rn, b = register list, c = start offset from Rn (0 for IA, -4N for DB), d = writeback offset (+4N / -4N),
// e = 1 when the base is written back.

const ldm: Exec = (cpu, d) => {
  const n = d.a;
  const list = d.b;
  const base = cpu.r[n]!;
  let addr = (base + d.c) | 0;
  if ((addr & 3) !== 0) cpu.unalignedFault();
  const mem = cpu.mem;
  for (let l = list; l !== 0; l &= l - 1) {
    scratch[31 - Math.clz32(l & -l)] = mem.read32(addr);
    addr = (addr + 4) | 0;
  }
  if (d.e !== 0) wr(cpu, n, base + d.d);
  for (let l = list & 0x7fff; l !== 0; l &= l - 1) {
    const i = 31 - Math.clz32(l & -l);
    wr(cpu, i, scratch[i]!);
  }
  if ((list & 0x8000) !== 0) cpu.loadWritePC(scratch[15]!);
};

const stm: Exec = (cpu, d) => {
  const n = d.a;
  const base = cpu.r[n]!;
  let addr = (base + d.c) | 0;
  if ((addr & 3) !== 0) cpu.unalignedFault();
  const mem = cpu.mem;
  const r = cpu.r;
  for (let l = d.b; l !== 0; l &= l - 1) {
    mem.write32(addr, r[31 - Math.clz32(l & -l)]!);
    addr = (addr + 4) | 0;
  }
  if (d.e !== 0) wr(cpu, n, base + d.d);
};

function ldmInsn(raw: number, size: number, n: number, list: number, db: boolean, wback: boolean): DecodedInsn | null {
  const count = bitCount(list);
  if (count === 0 || n === 15) return null;
  const cycles = 1 + count + ((list & 0x8000) !== 0 ? REFILL : 0);
  return insn(ldm, raw, size, cycles, n, list, db ? -4 * count : 0, db ? -4 * count : 4 * count, wback ? 1 : 0);
}

function stmInsn(raw: number, size: number, n: number, list: number, db: boolean, wback: boolean): DecodedInsn | null {
  const count = bitCount(list);
  if (count === 0 || n === 15) return null;
  return insn(stm, raw, size, 1 + count, n, list, db ? -4 * count : 0, db ? -4 * count : 4 * count, wback ? 1 : 0);
}

const p16: Pattern[] = [];
const p32: Pattern[] = [];

{
  // PUSH T1: 1011 010 M list8 (M = LR).
  const push = bits('1011010xxxxxxxxx');
  const pushList = (raw: number): number => (raw & 0xff) | ((raw & 0x100) << 6);
  p16.push(
    pattern('PUSH T1', 2, push.mask, push.match, (raw) => stmInsn(raw, 2, 13, pushList(raw), true, true), (raw) => `push ${regList(pushList(raw))}`),
  );
  // POP T1: 1011 110 P list8 (P = PC).
  const pop = bits('1011110xxxxxxxxx');
  const popList = (raw: number): number => (raw & 0xff) | ((raw & 0x100) << 7);
  p16.push(pattern('POP T1', 2, pop.mask, pop.match, (raw) => ldmInsn(raw, 2, 13, popList(raw), false, true), (raw) => `pop ${regList(popList(raw))}`));
  // STM T1: 11000 Rn list8, always writes back.
  const stm16 = bits('11000xxxxxxxxxxx');
  p16.push(
    pattern(
      'STM T1',
      2,
      stm16.mask,
      stm16.match,
      (raw) => stmInsn(raw, 2, (raw >>> 8) & 7, raw & 0xff, false, true),
      (raw) => `stmia ${reg((raw >>> 8) & 7)}!, ${regList(raw & 0xff)}`,
    ),
  );
  // LDM T1: 11001 Rn list8, writes back unless the base is in the list.
  const ldm16 = bits('11001xxxxxxxxxxx');
  const wb16 = (raw: number): boolean => (raw & (1 << ((raw >>> 8) & 7))) === 0;
  p16.push(
    pattern(
      'LDM T1',
      2,
      ldm16.mask,
      ldm16.match,
      (raw) => ldmInsn(raw, 2, (raw >>> 8) & 7, raw & 0xff, false, wb16(raw)),
      (raw) => `ldmia ${reg((raw >>> 8) & 7)}${wb16(raw) ? '!' : ''}, ${regList(raw & 0xff)}`,
    ),
  );
}

// 32-bit LDM/STM: 1110 100 op 0 W L Rn | list16; op = 01 IA, 10 DB. The (0) list bits are taken as written.
for (const [hw1, db, load] of [
  [0xe880, false, false],
  [0xe890, false, true],
  [0xe900, true, false],
  [0xe910, true, true],
] as const) {
  const mn = `${load ? 'ldm' : 'stm'}${db ? 'db' : 'ia'}`;
  p32.push(
    pattern(
      `${mn.toUpperCase()} T${db ? 1 : 2}`,
      4,
      0xffd00000,
      hw1 << 16,
      (raw) => {
        const n = (raw >>> 16) & 15;
        const w = (raw & 0x00200000) !== 0;
        const list = raw & 0xffff;
        if (w && (list & (1 << n)) !== 0) return null;
        return load ? ldmInsn(raw, 4, n, list, db, w) : stmInsn(raw, 4, n, list, db, w);
      },
      (raw) => {
        const n = (raw >>> 16) & 15;
        const w = (raw & 0x00200000) !== 0;
        const list = raw & 0xffff;
        if (n === 13 && w && load && !db) return `pop.w ${regList(list)}`;
        if (n === 13 && w && !load && db) return `push.w ${regList(list)}`;
        return `${mn}${db ? '' : '.w'} ${reg(n)}${w ? '!' : ''}, ${regList(list)}`;
      },
    ),
  );
}

// ---- LDRD / STRD ------------------------------------------------------------------------------------
// a = Rt, b = Rt2, c = Rn (or the address for the literal form), d = signed offset.

const ldrdImm: Exec = (cpu, d) => {
  const addr = (cpu.r[d.c]! + d.d) | 0;
  if ((addr & 3) !== 0) cpu.unalignedFault();
  const v1 = cpu.mem.read32(addr);
  const v2 = cpu.mem.read32(addr + 4);
  wr(cpu, d.a, v1);
  wr(cpu, d.b, v2);
};
const ldrdPre: Exec = (cpu, d) => {
  const addr = (cpu.r[d.c]! + d.d) | 0;
  if ((addr & 3) !== 0) cpu.unalignedFault();
  const v1 = cpu.mem.read32(addr);
  const v2 = cpu.mem.read32(addr + 4);
  wr(cpu, d.a, v1);
  wr(cpu, d.b, v2);
  wr(cpu, d.c, addr);
};
const ldrdPost: Exec = (cpu, d) => {
  const addr = cpu.r[d.c]!;
  if ((addr & 3) !== 0) cpu.unalignedFault();
  const v1 = cpu.mem.read32(addr);
  const v2 = cpu.mem.read32(addr + 4);
  wr(cpu, d.a, v1);
  wr(cpu, d.b, v2);
  wr(cpu, d.c, addr + d.d);
};
const ldrdLit: Exec = (cpu, d) => {
  const addr = d.c;
  if ((addr & 3) !== 0) cpu.unalignedFault();
  const v1 = cpu.mem.read32(addr);
  const v2 = cpu.mem.read32(addr + 4);
  wr(cpu, d.a, v1);
  wr(cpu, d.b, v2);
};
const strdImm: Exec = (cpu, d) => {
  const addr = (cpu.r[d.c]! + d.d) | 0;
  if ((addr & 3) !== 0) cpu.unalignedFault();
  cpu.mem.write32(addr, cpu.r[d.a]!);
  cpu.mem.write32(addr + 4, cpu.r[d.b]!);
};
const strdPre: Exec = (cpu, d) => {
  const addr = (cpu.r[d.c]! + d.d) | 0;
  if ((addr & 3) !== 0) cpu.unalignedFault();
  cpu.mem.write32(addr, cpu.r[d.a]!);
  cpu.mem.write32(addr + 4, cpu.r[d.b]!);
  wr(cpu, d.c, addr);
};
const strdPost: Exec = (cpu, d) => {
  const addr = cpu.r[d.c]!;
  if ((addr & 3) !== 0) cpu.unalignedFault();
  cpu.mem.write32(addr, cpu.r[d.a]!);
  cpu.mem.write32(addr + 4, cpu.r[d.b]!);
  wr(cpu, d.c, addr + d.d);
};

// 1110 100 P U 1 W L Rn | Rt Rt2 imm8 (imm8 * 4), with P = 1 or W = 1 (P = W = 0 is the exclusive group).
for (const load of [false, true]) {
  const mn = load ? 'ldrd' : 'strd';
  p32.push(
    pattern(
      `${mn.toUpperCase()} (immediate)`,
      4,
      0xfe500000,
      (0xe840 | (load ? 0x10 : 0)) << 16,
      (raw, pc) => {
        const p = (raw & 0x01000000) !== 0;
        const u = (raw & 0x00800000) !== 0;
        const w = (raw & 0x00200000) !== 0;
        if (!p && !w) return null; // exclusive / table branch group
        const n = (raw >>> 16) & 15;
        const t = (raw >>> 12) & 15;
        const t2 = (raw >>> 8) & 15;
        const off = u ? (raw & 0xff) << 2 : -((raw & 0xff) << 2);
        if (load) {
          if (t === 15 || t2 === 15) return null;
          if (n === 15) {
            if (!p || w) return null;
            return insn(ldrdLit, raw, 4, CYC_DUAL, t, t2, (alignedPc(pc) + off) | 0, 0);
          }
          return insn(!p ? ldrdPost : w ? ldrdPre : ldrdImm, raw, 4, CYC_DUAL, t, t2, n, off);
        }
        if (n === 15) return null;
        return insn(!p ? strdPost : w ? strdPre : strdImm, raw, 4, CYC_DUAL, t, t2, n, off);
      },
      (raw, pc) => {
        const p = (raw & 0x01000000) !== 0;
        const u = (raw & 0x00800000) !== 0;
        const w = (raw & 0x00200000) !== 0;
        const n = (raw >>> 16) & 15;
        const imm = (raw & 0xff) << 2;
        const regs = `${mn} ${reg((raw >>> 12) & 15)}, ${reg((raw >>> 8) & 15)}`;
        if (n === 15 && p && !w) return `${regs}, [pc, ${immText(imm, u)}] ; ${hex8(alignedPc(pc) + (u ? imm : -imm))}`;
        if (!p) return `${regs}, [${reg(n)}], ${immText(imm, u)}`;
        if (w) return `${regs}, [${reg(n)}, ${immText(imm, u)}]!`;
        return `${regs}, ${u ? offsetAddr(n, imm, true) : `[${reg(n)}, #-${imm}]`}`;
      },
    ),
  );
}

// ---- exclusives --------------------------------------------------------------------------------------
// The local monitor is cpu.exclusiveAddr: the address tagged by LDREX* (unsigned), or -1 when open.
// STREX* passes only on an exact address match (as QEMU/Unicorn compare), and always leaves the monitor open.
// LDREX: a = Rt, b = Rn, c = offset. STREX: a = Rd, b = Rt, c = Rn, d = offset.

const ldrex: Exec = (cpu, d) => {
  const addr = (cpu.r[d.b]! + d.c) | 0;
  if ((addr & 3) !== 0) cpu.unalignedFault();
  const v = cpu.mem.read32(addr);
  cpu.exclusiveAddr = addr >>> 0;
  cpu.r[d.a] = v;
};
const ldrexh: Exec = (cpu, d) => {
  const addr = cpu.r[d.b]!;
  if ((addr & 1) !== 0) cpu.unalignedFault();
  const v = cpu.mem.read16(addr);
  cpu.exclusiveAddr = addr >>> 0;
  cpu.r[d.a] = v;
};
const ldrexb: Exec = (cpu, d) => {
  const addr = cpu.r[d.b]!;
  const v = cpu.mem.read8(addr);
  cpu.exclusiveAddr = addr >>> 0;
  cpu.r[d.a] = v;
};
const strex: Exec = (cpu, d) => {
  const addr = (cpu.r[d.c]! + d.d) | 0;
  if ((addr & 3) !== 0) cpu.unalignedFault();
  if (cpu.exclusiveAddr === addr >>> 0) {
    cpu.mem.write32(addr, cpu.r[d.b]!);
    cpu.exclusiveAddr = -1;
    cpu.r[d.a] = 0;
  } else {
    cpu.exclusiveAddr = -1;
    cpu.r[d.a] = 1;
  }
};
const strexh: Exec = (cpu, d) => {
  const addr = cpu.r[d.c]!;
  if ((addr & 1) !== 0) cpu.unalignedFault();
  if (cpu.exclusiveAddr === addr >>> 0) {
    cpu.mem.write16(addr, cpu.r[d.b]! & 0xffff);
    cpu.exclusiveAddr = -1;
    cpu.r[d.a] = 0;
  } else {
    cpu.exclusiveAddr = -1;
    cpu.r[d.a] = 1;
  }
};
const strexb: Exec = (cpu, d) => {
  const addr = cpu.r[d.c]!;
  if (cpu.exclusiveAddr === addr >>> 0) {
    cpu.mem.write8(addr, cpu.r[d.b]! & 0xff);
    cpu.exclusiveAddr = -1;
    cpu.r[d.a] = 0;
  } else {
    cpu.exclusiveAddr = -1;
    cpu.r[d.a] = 1;
  }
};
const clrex: Exec = (cpu) => {
  cpu.exclusiveAddr = -1;
};

const badT = (t: number): boolean => t === 13 || t === 15;

// LDREX T1: 1110 1000 0101 Rn | Rt 1111 imm8.
p32.push(
  pattern(
    'LDREX T1',
    4,
    0xfff00f00,
    0xe8500f00,
    (raw) => {
      const n = (raw >>> 16) & 15;
      const t = (raw >>> 12) & 15;
      if (badT(t) || n === 15) return null;
      return insn(ldrex, raw, 4, CYC_EXCL, t, n, (raw & 0xff) << 2);
    },
    (raw) => `ldrex ${reg((raw >>> 12) & 15)}, ${offsetAddr((raw >>> 16) & 15, (raw & 0xff) << 2, true)}`,
  ),
);
// STREX T1: 1110 1000 0100 Rn | Rt Rd imm8.
p32.push(
  pattern(
    'STREX T1',
    4,
    0xfff00000,
    0xe8400000,
    (raw) => {
      const n = (raw >>> 16) & 15;
      const t = (raw >>> 12) & 15;
      const rd = (raw >>> 8) & 15;
      if (badT(rd) || badT(t) || n === 15 || rd === n || rd === t) return null;
      return insn(strex, raw, 4, CYC_EXCL, rd, t, n, (raw & 0xff) << 2);
    },
    (raw) => `strex ${reg((raw >>> 8) & 15)}, ${reg((raw >>> 12) & 15)}, ${offsetAddr((raw >>> 16) & 15, (raw & 0xff) << 2, true)}`,
  ),
);
// LDREXB/LDREXH T1: 1110 1000 1101 Rn | Rt 1111 010H 1111.
for (const [h, ex] of [[0, ldrexb], [1, ldrexh]] as const) {
  const mn = h ? 'ldrexh' : 'ldrexb';
  p32.push(
    pattern(
      `${mn.toUpperCase()} T1`,
      4,
      0xfff00fff,
      0xe8d00f4f | (h << 4),
      (raw) => {
        const n = (raw >>> 16) & 15;
        const t = (raw >>> 12) & 15;
        if (badT(t) || n === 15) return null;
        return insn(ex, raw, 4, CYC_EXCL, t, n, 0);
      },
      (raw) => `${mn} ${reg((raw >>> 12) & 15)}, [${reg((raw >>> 16) & 15)}]`,
    ),
  );
}
// STREXB/STREXH T1: 1110 1000 1100 Rn | Rt 1111 010H Rd.
for (const [h, ex] of [[0, strexb], [1, strexh]] as const) {
  const mn = h ? 'strexh' : 'strexb';
  p32.push(
    pattern(
      `${mn.toUpperCase()} T1`,
      4,
      0xfff00ff0,
      0xe8c00f40 | (h << 4),
      (raw) => {
        const n = (raw >>> 16) & 15;
        const t = (raw >>> 12) & 15;
        const rd = raw & 15;
        if (badT(rd) || badT(t) || n === 15 || rd === n || rd === t) return null;
        return insn(ex, raw, 4, CYC_EXCL, rd, t, n, 0);
      },
      (raw) => `${mn} ${reg(raw & 15)}, ${reg((raw >>> 12) & 15)}, [${reg((raw >>> 16) & 15)}]`,
    ),
  );
}
// CLREX T1: 1111 0011 1011 1111 1000 1111 0010 1111 (the should-be bits are required, as QEMU does).
p32.push(pattern('CLREX T1', 4, 0xffffffff, 0xf3bf8f2f, (raw) => insn(clrex, raw, 4, 1), () => 'clrex'));

// ---- TBB / TBH -------------------------------------------------------------------------------------------
// 1110 1000 1101 Rn | 1111 0000 000H Rm. a = Rn, b = Rm. PC reads as the instruction address + 4 (also as Rn).

const tbb: Exec = (cpu, d) => {
  const off = cpu.mem.read8((cpu.r[d.a]! + cpu.r[d.b]!) | 0);
  cpu.branchWritePC(cpu.r[15]! + off * 2);
};
const tbh: Exec = (cpu, d) => {
  const off = readU16(cpu, (cpu.r[d.a]! + (cpu.r[d.b]! << 1)) | 0);
  cpu.branchWritePC(cpu.r[15]! + off * 2);
};

for (const [h, ex] of [[0, tbb], [1, tbh]] as const) {
  p32.push(
    pattern(
      h ? 'TBH T1' : 'TBB T1',
      4,
      0xfff0fff0,
      0xe8d0f000 | (h << 4),
      (raw) => insn(ex, raw, 4, CYC_TB, (raw >>> 16) & 15, raw & 15),
      (raw) => (h ? `tbh [${reg((raw >>> 16) & 15)}, ${reg(raw & 15)}, lsl #1]` : `tbb [${reg((raw >>> 16) & 15)}, ${reg(raw & 15)}]`),
    ),
  );
}

export const patterns: Pattern[] = [...p16, ...p32];
