/**
 * FPv4-SP register transfers and loads/stores (ARM ARM DDI0403E A6.5–A6.7): VLDR/VSTR, VLDM/VSTM (VPUSH/VPOP),
 * VMOV between core and extension registers (single, two singles, a D register, a D-register half), VMRS/VMSR.
 *
 * Everything moves raw bit patterns (NaN payloads and signalling NaNs survive). Extension-register memory
 * accesses are word accesses that must be word-aligned (MemA): an unaligned address is a UsageFault UNALIGNED
 * whatever CCR.UNALIGN_TRP says. D<n> is S<2n+1>:S<2n>, its low word at the lower address. FPv4-SP has only
 * D0–D15, so encodings naming D16–D31 are UNDEFINED here.
 */
import { DecodedInsn, bits, type Exec, type Pattern } from '../decoded.js';
import { FPSCR_WRITABLE } from '../fpu/softfp.js';

// ---- executors ---------------------------------------------------------------------------------------------

/** VLDR single: a = Sd, b = Rn, c = signed offset. */
const execVLDRs: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  const addr = (cpu.r[d.b]! + d.c) | 0;
  if (addr & 3) cpu.unalignedFault();
  cpu.s[d.a] = cpu.mem.read32(addr >>> 0);
};

/** VLDR double: a = 2*Dd. Both words are read before either register is written. */
const execVLDRd: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  const addr = (cpu.r[d.b]! + d.c) | 0;
  if (addr & 3) cpu.unalignedFault();
  const lo = cpu.mem.read32(addr >>> 0);
  const hi = cpu.mem.read32((addr + 4) >>> 0);
  cpu.s[d.a] = lo;
  cpu.s[d.a + 1] = hi;
};

/** VLDR literal single: c = absolute address (Align(PC,4) ± imm, computed at decode time). */
const execVLDRlitS: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  cpu.s[d.a] = cpu.mem.read32(d.c);
};

const execVLDRlitD: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  const lo = cpu.mem.read32(d.c);
  const hi = cpu.mem.read32((d.c + 4) >>> 0);
  cpu.s[d.a] = lo;
  cpu.s[d.a + 1] = hi;
};

const execVSTRs: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  const addr = (cpu.r[d.b]! + d.c) | 0;
  if (addr & 3) cpu.unalignedFault();
  cpu.mem.write32(addr >>> 0, cpu.s[d.a]!);
};

const execVSTRd: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  const addr = (cpu.r[d.b]! + d.c) | 0;
  if (addr & 3) cpu.unalignedFault();
  cpu.mem.write32(addr >>> 0, cpu.s[d.a]!);
  cpu.mem.write32((addr + 4) >>> 0, cpu.s[d.a + 1]!);
};

/**
 * VLDM: a = first S index, b = word count, c = Rn, d = offset of the first word from Rn, e = writeback delta
 * (0 without writeback). The base is written back after the transfers, so a faulting VLDM leaves Rn intact
 * and can be restarted (the Cortex-M4 restarts interrupted/faulted VLDM/VSTM).
 */
const execVLDM: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  const base = cpu.r[d.c]!;
  let addr = (base + d.d) | 0;
  if (addr & 3) cpu.unalignedFault();
  const end = d.a + d.b;
  for (let i = d.a; i < end; i++) {
    cpu.s[i] = cpu.mem.read32(addr >>> 0);
    addr = (addr + 4) | 0;
  }
  cpu.r[d.c] = base + d.e;
};

const execVSTM: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  const base = cpu.r[d.c]!;
  let addr = (base + d.d) | 0;
  if (addr & 3) cpu.unalignedFault();
  const end = d.a + d.b;
  for (let i = d.a; i < end; i++) {
    cpu.mem.write32(addr >>> 0, cpu.s[i]!);
    addr = (addr + 4) | 0;
  }
  cpu.r[d.c] = base + d.e;
};

/** VMOV Sn, Rt (and VMOV Dd[x], Rt): a = S index, b = Rt. */
const execVMOVtoS: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  cpu.s[d.a] = cpu.r[d.b]!;
};

/** VMOV Rt, Sn (and VMOV Rt, Dn[x]). */
const execVMOVfromS: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  cpu.r[d.b] = cpu.s[d.a]!;
};

/** VMOV Sm, Sm1, Rt, Rt2 / VMOV Dm, Rt, Rt2: a = first S index, b = Rt, c = Rt2. */
const execVMOVtoS2: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  cpu.s[d.a] = cpu.r[d.b]!;
  cpu.s[d.a + 1] = cpu.r[d.c]!;
};

const execVMOVfromS2: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  const lo = cpu.s[d.a]!;
  const hi = cpu.s[d.a + 1]!;
  cpu.r[d.b] = lo;
  cpu.r[d.c] = hi;
};

/** VMRS Rt, FPSCR: b = Rt. */
const execVMRS: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  cpu.r[d.b] = cpu.fpscr;
};

/** VMRS APSR_nzcv, FPSCR. */
const execVMRSflags: Exec = (cpu) => {
  cpu.exc.fpuAccess();
  const f = cpu.fpscr;
  cpu.n = (f >>> 31) & 1;
  cpu.z = (f >>> 30) & 1;
  cpu.c = (f >>> 29) & 1;
  cpu.v = (f >>> 28) & 1;
};

/** VMSR FPSCR, Rt: only the bits the Cortex-M4 implements are writable. */
const execVMSR: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  cpu.fpscr = cpu.r[d.b]! & FPSCR_WRITABLE;
};

// ---- patterns ----------------------------------------------------------------------------------------------

const reg = (r: number): string => (r === 13 ? 'sp' : r === 14 ? 'lr' : r === 15 ? 'pc' : `r${r}`);

function pat(name: string, spec: string, decode: Pattern['decode'], disasm: (raw: number, pc: number) => string): Pattern {
  const { mask, match } = bits(spec);
  return { name, size: 4, mask, match, decode, disasm };
}

/** First S index of the transfer: single Vd:D, double 2*(D:Vd); -1 for the nonexistent D16–D31. */
function firstS(raw: number): number {
  const vd = (raw >>> 12) & 0xf;
  const dbit = (raw >>> 22) & 1;
  if ((raw >>> 8) & 1) return dbit ? -1 : vd * 2;
  return (vd << 1) | dbit;
}

function regName(raw: number): string {
  const i = firstS(raw);
  return (raw >>> 8) & 1 ? `d${i >>> 1}` : `s${i}`;
}

function regList(raw: number): string {
  const dbl = (raw >>> 8) & 1;
  const first = firstS(raw);
  const imm8 = raw & 0xff;
  const n = dbl ? imm8 >>> 1 : imm8;
  const p = dbl ? 'd' : 's';
  const f = dbl ? first >>> 1 : first;
  return n <= 1 ? `{${p}${f}}` : `{${p}${f}-${p}${f + n - 1}}`;
}

function ldrOffset(raw: number): number {
  const imm = (raw & 0xff) << 2;
  return (raw >>> 23) & 1 ? imm : -imm;
}

function ldmFields(raw: number): { p: number; u: number; w: number; rn: number; words: number; regsWords: number } {
  const dbl = (raw >>> 8) & 1;
  const imm8 = raw & 0xff;
  return {
    p: (raw >>> 24) & 1,
    u: (raw >>> 23) & 1,
    w: (raw >>> 21) & 1,
    rn: (raw >>> 16) & 0xf,
    words: imm8, // the address delta (FLDMX/FSTMX with odd imm8 transfer imm8-1 words but move the base by imm8)
    regsWords: dbl ? imm8 & ~1 : imm8,
  };
}

export const patterns: Pattern[] = [
  pat(
    'VLDR T1/T2',
    '1110_1101_xx01_xxxx_xxxx_101x_xxxx_xxxx',
    (raw, pc) => {
      const a = firstS(raw);
      if (a < 0) return null;
      const dbl = (raw >>> 8) & 1;
      const rn = (raw >>> 16) & 0xf;
      const off = ldrOffset(raw);
      if (rn === 15) {
        const addr = ((((pc + 4) & ~3) + off) >>> 0) | 0;
        return new DecodedInsn(dbl ? execVLDRlitD : execVLDRlitS, raw, 4, dbl ? 3 : 2, a, 15, addr >>> 0);
      }
      return new DecodedInsn(dbl ? execVLDRd : execVLDRs, raw, 4, dbl ? 3 : 2, a, rn, off);
    },
    (raw) => vldrText('vldr', raw),
  ),
  pat(
    'VSTR T1/T2',
    '1110_1101_xx00_xxxx_xxxx_101x_xxxx_xxxx',
    (raw) => {
      const a = firstS(raw);
      const rn = (raw >>> 16) & 0xf;
      if (a < 0 || rn === 15) return null; // VSTR to a PC-relative address is UNPREDICTABLE in Thumb
      const dbl = (raw >>> 8) & 1;
      return new DecodedInsn(dbl ? execVSTRd : execVSTRs, raw, 4, dbl ? 3 : 2, a, rn, ldrOffset(raw));
    },
    (raw) => vldrText('vstr', raw),
  ),
  pat(
    'VLDM/VSTM T1/T2',
    '1110_110x_xxxx_xxxx_xxxx_101x_xxxx_xxxx',
    (raw) => {
      const f = ldmFields(raw);
      // P=U is a 64-bit transfer or UNDEFINED; P=1,W=0 is VLDR/VSTR; so only IA (P=0,U=1) and DB! (P=1,U=0,W=1).
      if (f.p === f.u || (f.p === 1 && f.w === 0)) return null;
      const a = firstS(raw);
      if (a < 0 || f.regsWords === 0 || a + f.regsWords > 32) return null; // UNPREDICTABLE lists: UNDEFINED here
      if (f.rn === 15) return null; // UNPREDICTABLE in Thumb: UNDEFINED here
      const load = (raw >>> 20) & 1;
      const bytes = f.words * 4;
      const first = f.u ? 0 : -bytes;
      const wb = f.w ? (f.u ? bytes : -bytes) : 0;
      return new DecodedInsn(load ? execVLDM : execVSTM, raw, 4, 1 + f.regsWords, a, f.regsWords, f.rn, first, wb);
    },
    (raw) => {
      const f = ldmFields(raw);
      const load = (raw >>> 20) & 1;
      if (f.rn === 13 && f.w === 1 && ((load && f.u) || (!load && !f.u))) return `${load ? 'vpop' : 'vpush'} ${regList(raw)}`;
      return `${load ? 'vldm' : 'vstm'}${f.u ? 'ia' : 'db'} ${reg(f.rn)}${f.w ? '!' : ''}, ${regList(raw)}`;
    },
  ),
  pat(
    'VMOV (between two ARM core registers and two single-precision registers) T1',
    '1110_1100_010x_xxxx_xxxx_1010_00x1_xxxx',
    (raw) => {
      const m = ((raw & 0xf) << 1) | ((raw >>> 5) & 1);
      const t = (raw >>> 12) & 0xf;
      const t2 = (raw >>> 16) & 0xf;
      if (m === 31 || t === 15 || t2 === 15 || t === 13 || t2 === 13) return null;
      return new DecodedInsn((raw >>> 20) & 1 ? execVMOVfromS2 : execVMOVtoS2, raw, 4, 2, m, t, t2);
    },
    (raw) => {
      const m = ((raw & 0xf) << 1) | ((raw >>> 5) & 1);
      const rs = `${reg((raw >>> 12) & 0xf)}, ${reg((raw >>> 16) & 0xf)}`;
      const ss = `s${m}, s${m + 1}`;
      return (raw >>> 20) & 1 ? `vmov ${rs}, ${ss}` : `vmov ${ss}, ${rs}`;
    },
  ),
  pat(
    'VMOV (between two ARM core registers and a doubleword extension register) T1',
    '1110_1100_010x_xxxx_xxxx_1011_00x1_xxxx',
    (raw) => {
      const t = (raw >>> 12) & 0xf;
      const t2 = (raw >>> 16) & 0xf;
      if ((raw >>> 5) & 1 || t === 15 || t2 === 15 || t === 13 || t2 === 13) return null;
      return new DecodedInsn((raw >>> 20) & 1 ? execVMOVfromS2 : execVMOVtoS2, raw, 4, 2, (raw & 0xf) * 2, t, t2);
    },
    (raw) => {
      const dm = `d${((raw >>> 5) & 1) * 16 + (raw & 0xf)}`;
      const rs = `${reg((raw >>> 12) & 0xf)}, ${reg((raw >>> 16) & 0xf)}`;
      return (raw >>> 20) & 1 ? `vmov ${rs}, ${dm}` : `vmov ${dm}, ${rs}`;
    },
  ),
  pat(
    'VMOV (between ARM core register and single-precision register) T1',
    '1110_1110_000x_xxxx_xxxx_1010_x001_0000',
    (raw) => {
      const n = (((raw >>> 16) & 0xf) << 1) | ((raw >>> 7) & 1);
      const t = (raw >>> 12) & 0xf;
      if (t === 15 || t === 13) return null;
      return new DecodedInsn((raw >>> 20) & 1 ? execVMOVfromS : execVMOVtoS, raw, 4, 1, n, t);
    },
    (raw) => {
      const n = `s${(((raw >>> 16) & 0xf) << 1) | ((raw >>> 7) & 1)}`;
      const t = reg((raw >>> 12) & 0xf);
      return (raw >>> 20) & 1 ? `vmov ${t}, ${n}` : `vmov ${n}, ${t}`;
    },
  ),
  pat(
    'VMOV (ARM core register to scalar / scalar to ARM core register) T1',
    '1110_1110_00x0_xxxx_xxxx_1011_x001_0000',
    (raw) => {
      const dn = ((raw >>> 7) & 1) * 16 + ((raw >>> 16) & 0xf);
      const t = (raw >>> 12) & 0xf;
      if (dn > 15 || t === 15 || t === 13) return null;
      return new DecodedInsn(execVMOVtoS, raw, 4, 1, dn * 2 + ((raw >>> 21) & 1), t);
    },
    (raw) => scalarText(raw, false),
  ),
  pat(
    'VMOV (scalar to ARM core register) T1',
    '1110_1110_00x1_xxxx_xxxx_1011_x001_0000',
    (raw) => {
      const dn = ((raw >>> 7) & 1) * 16 + ((raw >>> 16) & 0xf);
      const t = (raw >>> 12) & 0xf;
      if (dn > 15 || t === 15 || t === 13) return null;
      return new DecodedInsn(execVMOVfromS, raw, 4, 1, dn * 2 + ((raw >>> 21) & 1), t);
    },
    (raw) => scalarText(raw, true),
  ),
  pat(
    'VMRS T1',
    '1110_1110_1111_0001_xxxx_1010_x001_0000',
    (raw) => {
      const t = (raw >>> 12) & 0xf;
      if (t === 13) return null;
      return t === 15 ? new DecodedInsn(execVMRSflags, raw, 4, 1) : new DecodedInsn(execVMRS, raw, 4, 1, 0, t);
    },
    (raw) => `vmrs ${((raw >>> 12) & 0xf) === 15 ? 'APSR_nzcv' : reg((raw >>> 12) & 0xf)}, fpscr`,
  ),
  pat(
    'VMSR T1',
    '1110_1110_1110_0001_xxxx_1010_x001_0000',
    (raw) => {
      const t = (raw >>> 12) & 0xf;
      if (t === 13 || t === 15) return null;
      return new DecodedInsn(execVMSR, raw, 4, 1, 0, t);
    },
    (raw) => `vmsr fpscr, ${reg((raw >>> 12) & 0xf)}`,
  ),
];

function vldrText(mnem: string, raw: number): string {
  const rn = (raw >>> 16) & 0xf;
  const imm = (raw & 0xff) << 2;
  const u = (raw >>> 23) & 1;
  const off = u && imm === 0 ? '' : `, #${u ? '' : '-'}${imm}`;
  return `${mnem} ${regName(raw)}, [${reg(rn)}${off}]`;
}

function scalarText(raw: number, toCore: boolean): string {
  const dn = `d${((raw >>> 7) & 1) * 16 + ((raw >>> 16) & 0xf)}[${(raw >>> 21) & 1}]`;
  const t = reg((raw >>> 12) & 0xf);
  return toCore ? `vmov.32 ${t}, ${dn}` : `vmov.32 ${dn}, ${t}`;
}
