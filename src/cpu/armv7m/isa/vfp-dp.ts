/**
 * FPv4-SP floating-point data-processing instructions (ARM ARM DDI0403E A6.4, "Floating-point data-processing
 * instructions"): single precision only; every sz=1 (double) encoding is UNDEFINED on the Cortex-M4.
 *
 * Decoded fields: a = Sd, b = Sn, c = Sm (register indices 0..31); extra per-executor fields as noted.
 * Executors copy cpu.fpscr into fpst.fpscr, run the arithmetic on raw bits and copy the flags back.
 */
import { DecodedInsn, bits, type Exec, type Pattern } from '../decoded.js';
import {
  f16ToF32,
  f32ToF16,
  fixedToFp,
  fpAdd,
  fpCompare,
  fpDiv,
  fpMul,
  fpMulAdd,
  fpSqrt,
  fpSub,
  fpToFixed,
  fpst,
  toF,
  vfpExpandImm32,
} from '../fpu/softfp.js';

const SIGN = 0x80000000 | 0;

/** Sd = Vd:D, Sn = Vn:N, Sm = Vm:M. */
const sd = (raw: number): number => (((raw >>> 12) & 0xf) << 1) | ((raw >>> 22) & 1);
const sn = (raw: number): number => (((raw >>> 16) & 0xf) << 1) | ((raw >>> 7) & 1);
const sm = (raw: number): number => ((raw & 0xf) << 1) | ((raw >>> 5) & 1);

// ---- executors: one per operation ----------------------------------------------------------------------

const execVADD: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  cpu.s[d.a] = fpAdd(cpu.s[d.b]!, cpu.s[d.c]!);
  cpu.fpscr = fpst.fpscr;
};

const execVSUB: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  cpu.s[d.a] = fpSub(cpu.s[d.b]!, cpu.s[d.c]!);
  cpu.fpscr = fpst.fpscr;
};

const execVMUL: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  cpu.s[d.a] = fpMul(cpu.s[d.b]!, cpu.s[d.c]!);
  cpu.fpscr = fpst.fpscr;
};

const execVNMUL: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  cpu.s[d.a] = fpMul(cpu.s[d.b]!, cpu.s[d.c]!) ^ SIGN;
  cpu.fpscr = fpst.fpscr;
};

const execVDIV: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  cpu.s[d.a] = fpDiv(cpu.s[d.b]!, cpu.s[d.c]!);
  cpu.fpscr = fpst.fpscr;
};

// Chained multiply-accumulate: FPMul rounded, then FPAdd rounded (FPNeg flips the sign bit, NaNs included).
const execVMLA: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  const p = fpMul(cpu.s[d.b]!, cpu.s[d.c]!);
  cpu.s[d.a] = fpAdd(cpu.s[d.a]!, p);
  cpu.fpscr = fpst.fpscr;
};

const execVMLS: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  const p = fpMul(cpu.s[d.b]!, cpu.s[d.c]!);
  cpu.s[d.a] = fpAdd(cpu.s[d.a]!, p ^ SIGN);
  cpu.fpscr = fpst.fpscr;
};

const execVNMLA: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  const p = fpMul(cpu.s[d.b]!, cpu.s[d.c]!);
  cpu.s[d.a] = fpAdd(cpu.s[d.a]! ^ SIGN, p ^ SIGN);
  cpu.fpscr = fpst.fpscr;
};

const execVNMLS: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  const p = fpMul(cpu.s[d.b]!, cpu.s[d.c]!);
  cpu.s[d.a] = fpAdd(cpu.s[d.a]! ^ SIGN, p);
  cpu.fpscr = fpst.fpscr;
};

// Fused: FPMulAdd(addend, op1, op2) with one rounding.
const execVFMA: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  cpu.s[d.a] = fpMulAdd(cpu.s[d.a]!, cpu.s[d.b]!, cpu.s[d.c]!);
  cpu.fpscr = fpst.fpscr;
};

const execVFMS: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  cpu.s[d.a] = fpMulAdd(cpu.s[d.a]!, cpu.s[d.b]! ^ SIGN, cpu.s[d.c]!);
  cpu.fpscr = fpst.fpscr;
};

const execVFNMA: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  cpu.s[d.a] = fpMulAdd(cpu.s[d.a]! ^ SIGN, cpu.s[d.b]! ^ SIGN, cpu.s[d.c]!);
  cpu.fpscr = fpst.fpscr;
};

const execVFNMS: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  cpu.s[d.a] = fpMulAdd(cpu.s[d.a]! ^ SIGN, cpu.s[d.b]!, cpu.s[d.c]!);
  cpu.fpscr = fpst.fpscr;
};

const execVSQRT: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  cpu.s[d.a] = fpSqrt(cpu.s[d.c]!);
  cpu.fpscr = fpst.fpscr;
};

// VABS/VNEG/VMOV work on the bits: no flushing, no NaN processing, no flags.
const execVABS: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  cpu.s[d.a] = cpu.s[d.c]! & 0x7fffffff;
};

const execVNEG: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  cpu.s[d.a] = cpu.s[d.c]! ^ SIGN;
};

const execVMOVreg: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  cpu.s[d.a] = cpu.s[d.c]!;
};

/** b = the expanded immediate. */
const execVMOVimm: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  cpu.s[d.a] = d.b;
};

/** VCMP{E}: a = Sd, c = Sm, e = 1 for VCMPE. FPSCR.NZCV = FPCompare. */
const execVCMP: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  const nzcv = fpCompare(cpu.s[d.a]!, cpu.s[d.c]!, d.e !== 0);
  cpu.fpscr = ((fpst.fpscr & 0x0fffffff) | (nzcv << 28)) | 0;
};

const execVCMPzero: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  const nzcv = fpCompare(cpu.s[d.a]!, 0, d.e !== 0);
  cpu.fpscr = ((fpst.fpscr & 0x0fffffff) | (nzcv << 28)) | 0;
};

/** VCVT{R} to integer and VCVT to fixed-point: c = source, b = size (16/32), e = fbits, f = flags (1 unsigned, 2 round-to-zero). */
const execVCVTtoFixed: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  cpu.s[d.a] = fpToFixed(cpu.s[d.c]!, d.b, d.e, (d.f & 1) !== 0, (d.f & 2) !== 0);
  cpu.fpscr = fpst.fpscr;
};

/** VCVT from integer / fixed-point: c = source, b = size, e = fbits, f = 1 unsigned. */
const execVCVTfromFixed: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  cpu.s[d.a] = fixedToFp(cpu.s[d.c]!, d.b, d.e, d.f !== 0);
  cpu.fpscr = fpst.fpscr;
};

/** VCVTB/VCVTT .F32.F16: e = 16 for the top half (T), 0 for the bottom. */
const execVCVTf16tof32: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  cpu.s[d.a] = f16ToF32((cpu.s[d.c]! >>> d.e) & 0xffff);
  cpu.fpscr = fpst.fpscr;
};

/** VCVTB/VCVTT .F16.F32: writes one half of Sd, the other half is preserved. */
const execVCVTf32tof16: Exec = (cpu, d) => {
  cpu.exc.fpuAccess();
  fpst.fpscr = cpu.fpscr;
  const h = f32ToF16(cpu.s[d.c]!);
  cpu.s[d.a] = (cpu.s[d.a]! & ~(0xffff << d.e)) | (h << d.e);
  cpu.fpscr = fpst.fpscr;
};

// ---- patterns ------------------------------------------------------------------------------------------

const s = (i: number): string => `s${i}`;

function fmtImm(bitsVal: number): string {
  const v = toF(bitsVal);
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

type DecodeFn = (raw: number, pc: number) => DecodedInsn | null;

function pat(name: string, spec: string, decode: DecodeFn, disasm: (raw: number) => string): Pattern {
  const { mask, match } = bits(spec);
  return { name, size: 4, mask, match, decode, disasm };
}

/** Three-register form Sd, Sn, Sm. */
function three(name: string, mnem: string, spec: string, exec: Exec, cycles: number): Pattern {
  return pat(
    name,
    spec,
    (raw) => new DecodedInsn(exec, raw, 4, cycles, sd(raw), sn(raw), sm(raw)),
    (raw) => `${mnem}.f32 ${s(sd(raw))}, ${s(sn(raw))}, ${s(sm(raw))}`,
  );
}

/** Two-register form Sd, Sm. */
function two(name: string, mnem: string, spec: string, exec: Exec, cycles: number): Pattern {
  return pat(
    name,
    spec,
    (raw) => new DecodedInsn(exec, raw, 4, cycles, sd(raw), 0, sm(raw)),
    (raw) => `${mnem}.f32 ${s(sd(raw))}, ${s(sm(raw))}`,
  );
}

/** VCVT (between floating-point and fixed-point): size, fbits, unsigned, to-fixed from the encoding. */
function fixedFields(raw: number): { size: number; fbits: number; unsigned: boolean; toFixed: boolean } {
  const size = (raw >>> 7) & 1 ? 32 : 16;
  const imm5 = ((raw & 0xf) << 1) | ((raw >>> 5) & 1);
  return { size, fbits: size - imm5, unsigned: ((raw >>> 16) & 1) !== 0, toFixed: ((raw >>> 18) & 1) !== 0 };
}

export const patterns: Pattern[] = [
  three('VMLA T1', 'vmla', '1110_1110_0x00_xxxx_xxxx_1010_x0x0_xxxx', execVMLA, 3),
  three('VMLS T1', 'vmls', '1110_1110_0x00_xxxx_xxxx_1010_x1x0_xxxx', execVMLS, 3),
  three('VNMLS T1', 'vnmls', '1110_1110_0x01_xxxx_xxxx_1010_x0x0_xxxx', execVNMLS, 3),
  three('VNMLA T1', 'vnmla', '1110_1110_0x01_xxxx_xxxx_1010_x1x0_xxxx', execVNMLA, 3),
  three('VMUL T1', 'vmul', '1110_1110_0x10_xxxx_xxxx_1010_x0x0_xxxx', execVMUL, 1),
  three('VNMUL T1', 'vnmul', '1110_1110_0x10_xxxx_xxxx_1010_x1x0_xxxx', execVNMUL, 1),
  three('VADD T1', 'vadd', '1110_1110_0x11_xxxx_xxxx_1010_x0x0_xxxx', execVADD, 1),
  three('VSUB T1', 'vsub', '1110_1110_0x11_xxxx_xxxx_1010_x1x0_xxxx', execVSUB, 1),
  three('VDIV T1', 'vdiv', '1110_1110_1x00_xxxx_xxxx_1010_x0x0_xxxx', execVDIV, 14),
  three('VFNMS T1', 'vfnms', '1110_1110_1x01_xxxx_xxxx_1010_x0x0_xxxx', execVFNMS, 3),
  three('VFNMA T1', 'vfnma', '1110_1110_1x01_xxxx_xxxx_1010_x1x0_xxxx', execVFNMA, 3),
  three('VFMA T1', 'vfma', '1110_1110_1x10_xxxx_xxxx_1010_x0x0_xxxx', execVFMA, 3),
  three('VFMS T1', 'vfms', '1110_1110_1x10_xxxx_xxxx_1010_x1x0_xxxx', execVFMS, 3),
  pat(
    'VMOV (immediate) T1',
    '1110_1110_1x11_xxxx_xxxx_1010_x0x0_xxxx',
    (raw) => new DecodedInsn(execVMOVimm, raw, 4, 1, sd(raw), vfpExpandImm32(((raw >>> 12) & 0xf0) | (raw & 0xf))),
    (raw) => `vmov.f32 ${s(sd(raw))}, #${fmtImm(vfpExpandImm32(((raw >>> 12) & 0xf0) | (raw & 0xf)))}`,
  ),
  two('VMOV (register) T1', 'vmov', '1110_1110_1x11_0000_xxxx_1010_01x0_xxxx', execVMOVreg, 1),
  two('VABS T1', 'vabs', '1110_1110_1x11_0000_xxxx_1010_11x0_xxxx', execVABS, 1),
  two('VNEG T1', 'vneg', '1110_1110_1x11_0001_xxxx_1010_01x0_xxxx', execVNEG, 1),
  two('VSQRT T1', 'vsqrt', '1110_1110_1x11_0001_xxxx_1010_11x0_xxxx', execVSQRT, 14),
  pat(
    'VCVTB/VCVTT T1',
    '1110_1110_1x11_001x_xxxx_1010_x1x0_xxxx',
    (raw) =>
      new DecodedInsn(
        (raw >>> 16) & 1 ? execVCVTf32tof16 : execVCVTf16tof32,
        raw,
        4,
        1,
        sd(raw),
        0,
        sm(raw),
        0,
        (raw >>> 7) & 1 ? 16 : 0,
      ),
    (raw) =>
      `vcvt${(raw >>> 7) & 1 ? 't' : 'b'}.${(raw >>> 16) & 1 ? 'f16.f32' : 'f32.f16'} ${s(sd(raw))}, ${s(sm(raw))}`,
  ),
  pat(
    'VCMP{E} T1',
    '1110_1110_1x11_0100_xxxx_1010_x1x0_xxxx',
    (raw) => new DecodedInsn(execVCMP, raw, 4, 1, sd(raw), 0, sm(raw), 0, (raw >>> 7) & 1),
    (raw) => `vcmp${(raw >>> 7) & 1 ? 'e' : ''}.f32 ${s(sd(raw))}, ${s(sm(raw))}`,
  ),
  pat(
    'VCMP{E} T2',
    '1110_1110_1x11_0101_xxxx_1010_x1x0_xxxx',
    (raw) => new DecodedInsn(execVCMPzero, raw, 4, 1, sd(raw), 0, 0, 0, (raw >>> 7) & 1),
    (raw) => `vcmp${(raw >>> 7) & 1 ? 'e' : ''}.f32 ${s(sd(raw))}, #0.0`,
  ),
  pat(
    'VCVT (floating-point to integer) T1',
    '1110_1110_1x11_110x_xxxx_1010_x1x0_xxxx',
    (raw) => {
      const unsigned = ((raw >>> 16) & 1) === 0;
      const rz = (raw >>> 7) & 1;
      return new DecodedInsn(execVCVTtoFixed, raw, 4, 1, sd(raw), 32, sm(raw), 0, 0, (unsigned ? 1 : 0) | (rz << 1));
    },
    (raw) =>
      `vcvt${(raw >>> 7) & 1 ? '' : 'r'}.${(raw >>> 16) & 1 ? 's32' : 'u32'}.f32 ${s(sd(raw))}, ${s(sm(raw))}`,
  ),
  pat(
    'VCVT (integer to floating-point) T1',
    '1110_1110_1x11_1000_xxxx_1010_x1x0_xxxx',
    (raw) => new DecodedInsn(execVCVTfromFixed, raw, 4, 1, sd(raw), 32, sm(raw), 0, 0, (raw >>> 7) & 1 ? 0 : 1),
    (raw) => `vcvt.f32.${(raw >>> 7) & 1 ? 's32' : 'u32'} ${s(sd(raw))}, ${s(sm(raw))}`,
  ),
  pat(
    'VCVT (floating-point and fixed-point) T1',
    '1110_1110_1x11_1x1x_xxxx_1010_x1x0_xxxx',
    (raw) => {
      const f = fixedFields(raw);
      if (f.fbits < 0) return null; // UNPREDICTABLE: treated as UNDEFINED
      const d = sd(raw);
      return f.toFixed
        ? new DecodedInsn(execVCVTtoFixed, raw, 4, 1, d, f.size, d, 0, f.fbits, (f.unsigned ? 1 : 0) | 2)
        : new DecodedInsn(execVCVTfromFixed, raw, 4, 1, d, f.size, d, 0, f.fbits, f.unsigned ? 1 : 0);
    },
    (raw) => {
      const f = fixedFields(raw);
      const t = `${f.unsigned ? 'u' : 's'}${f.size}`;
      const r = s(sd(raw));
      return `vcvt.${f.toFixed ? `${t}.f32` : `f32.${t}`} ${r}, ${r}, #${f.fbits}`;
    },
  ),
];
