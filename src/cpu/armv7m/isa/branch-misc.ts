/**
 * Instruction module: branches and miscellaneous control (ARMv7-M ARM DDI0403E, A5.2.x and A5.3.4, A7.7).
 *
 * 16-bit: B<c> (T1), UDF (T1), SVC, B (T2), BX, BLX (register), CBZ/CBNZ, IT, the hints, BKPT, CPS.
 * 32-bit: B<c>.W (T3), B.W (T4), BL, MSR/MRS (register), the .W hints, DSB/DMB/ISB, UDF.W.
 * (ADD/CMP/MOV high-register forms: data-processing; CLREX, TBB/TBH: load-store.)
 *
 * Decisions:
 * - Branch targets are computed at decode time (the instruction address is known); executors only
 *   test the condition and write the PC.
 * - UNPREDICTABLE register choices (BLX pc, MSR/MRS with sp/pc) decode as UNDEFINED (UsageFault),
 *   a deterministic choice that surfaces broken code. Should-be-zero/one bits ("(0)"/"(1)" in the
 *   encoding diagrams) are ignored, and reserved SYSm values read as zero / ignore writes (cpu.ts).
 * - Conditions that depend on the IT state at run time (B<c>/CBZ inside an IT block, IT inside an IT
 *   block, BX not last in an IT block) are UNPREDICTABLE too; these execute as if outside the rule.
 * - Cycles (Cortex-M4 TRM table 3-1): a taken branch costs 1 + P, with the pipeline refill P modelled
 *   as 2 (the TRM gives 1–3), so 3 in total; not-taken conditional branches cost 1. CPS/MRS/MSR are
 *   "1 or 2": we use 1. DMB/DSB cost 1 + B with B = 0 (no write buffer is modelled); ISB costs 1 + B with
 *   B = a pipeline refill, so 3.
 */
import { CONDITION_NAMES } from '../alu.js';
import type { CortexM4 } from '../cpu.js';
import { DecodedInsn, bits, type Exec, type Pattern } from '../decoded.js';

/** Total cost of a taken branch (1 + P with P = 2). */
const TAKEN_BRANCH_CYCLES = 3;
/** What a conditional branch adds to its base of 1 when it is taken. */
const TAKEN_EXTRA = TAKEN_BRANCH_CYCLES - 1;
const ISB_CYCLES = 3;

const REG_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc'] as const;

function reg(n: number): string {
  return REG_NAMES[n & 15]!;
}

function hex8(x: number): string {
  return `0x${(x >>> 0).toString(16).padStart(8, '0')}`;
}

function condName(cond: number): string {
  return cond === 14 ? 'al' : CONDITION_NAMES[cond]!;
}

function pattern(
  name: string,
  size: 2 | 4,
  spec: string,
  decode: (raw: number, pc: number) => DecodedInsn | null,
  disasm: (raw: number, pc: number) => string,
): Pattern {
  const { mask, match } = bits(spec);
  return { name, size, mask, match, decode, disasm };
}

// ---- immediate decoding (pure functions of the encoding, shared by decode and disasm) ---------------

/** B T1 target: PC + SignExtend(imm8:'0'). */
function targetT1(raw: number, pc: number): number {
  return (pc + 4 + (((raw & 0xff) << 24) >> 23)) >>> 0;
}

/** B T2 target: PC + SignExtend(imm11:'0'). */
function targetT2(raw: number, pc: number): number {
  return (pc + 4 + (((raw & 0x7ff) << 21) >> 20)) >>> 0;
}

/** CBZ/CBNZ target: PC + ZeroExtend(i:imm5:'0'). */
function targetCb(raw: number, pc: number): number {
  const imm = (((raw >>> 9) & 1) << 6) | (((raw >>> 3) & 0x1f) << 1);
  return (pc + 4 + imm) >>> 0;
}

/** B T3 target: PC + SignExtend(S:J2:J1:imm6:imm11:'0', 21 bits). Note T3 uses J1/J2 directly. */
function targetT3(raw: number, pc: number): number {
  const s = (raw >>> 26) & 1;
  const j1 = (raw >>> 13) & 1;
  const j2 = (raw >>> 11) & 1;
  const imm6 = (raw >>> 16) & 0x3f;
  const imm11 = raw & 0x7ff;
  const imm21 = (s << 20) | (j2 << 19) | (j1 << 18) | (imm6 << 12) | (imm11 << 1);
  return (pc + 4 + ((imm21 << 11) >> 11)) >>> 0;
}

/** B T4 / BL target: I1 = NOT(J1 XOR S), I2 = NOT(J2 XOR S); PC + SignExtend(S:I1:I2:imm10:imm11:'0', 25 bits). */
function targetT4(raw: number, pc: number): number {
  const s = (raw >>> 26) & 1;
  const i1 = ((raw >>> 13) & 1) ^ s ^ 1;
  const i2 = ((raw >>> 11) & 1) ^ s ^ 1;
  const imm10 = (raw >>> 16) & 0x3ff;
  const imm11 = raw & 0x7ff;
  const imm25 = (s << 24) | (i1 << 23) | (i2 << 22) | (imm10 << 12) | (imm11 << 1);
  return (pc + 4 + ((imm25 << 7) >> 7)) >>> 0;
}

// ---- executors: branches --------------------------------------------------------------------------
// d.a = target address (even). Conditional branches: one executor per condition so the hot path has no
// switch; base cost 1, taken adds TAKEN_EXTRA.

function taken(cpu: CortexM4, target: number): void {
  cpu.branchWritePC(target);
  cpu.cycles += TAKEN_EXTRA;
}

const execBeq: Exec = (cpu, d) => { if (cpu.z === 1) taken(cpu, d.a); };
const execBne: Exec = (cpu, d) => { if (cpu.z === 0) taken(cpu, d.a); };
const execBcs: Exec = (cpu, d) => { if (cpu.c === 1) taken(cpu, d.a); };
const execBcc: Exec = (cpu, d) => { if (cpu.c === 0) taken(cpu, d.a); };
const execBmi: Exec = (cpu, d) => { if (cpu.n === 1) taken(cpu, d.a); };
const execBpl: Exec = (cpu, d) => { if (cpu.n === 0) taken(cpu, d.a); };
const execBvs: Exec = (cpu, d) => { if (cpu.v === 1) taken(cpu, d.a); };
const execBvc: Exec = (cpu, d) => { if (cpu.v === 0) taken(cpu, d.a); };
const execBhi: Exec = (cpu, d) => { if (cpu.c === 1 && cpu.z === 0) taken(cpu, d.a); };
const execBls: Exec = (cpu, d) => { if (cpu.c === 0 || cpu.z === 1) taken(cpu, d.a); };
const execBge: Exec = (cpu, d) => { if (cpu.n === cpu.v) taken(cpu, d.a); };
const execBlt: Exec = (cpu, d) => { if (cpu.n !== cpu.v) taken(cpu, d.a); };
const execBgt: Exec = (cpu, d) => { if (cpu.z === 0 && cpu.n === cpu.v) taken(cpu, d.a); };
const execBle: Exec = (cpu, d) => { if (cpu.z === 1 || cpu.n !== cpu.v) taken(cpu, d.a); };

/** Indexed by condition 0..13 (14 and 15 never reach here: they are other encodings). */
const CONDITIONAL_BRANCH: readonly Exec[] = [
  execBeq, execBne, execBcs, execBcc, execBmi, execBpl, execBvs, execBvc,
  execBhi, execBls, execBge, execBlt, execBgt, execBle,
];

/** B (unconditional): d.a = target. */
const execB: Exec = (cpu, d) => cpu.branchWritePC(d.a);

/** BL: d.a = target, d.b = return address | 1. */
const execBl: Exec = (cpu, d) => {
  cpu.r[14] = d.b;
  cpu.branchWritePC(d.a);
};

/** BX Rm: d.a = m. BXWritePC handles EXC_RETURN and the T bit. */
const execBx: Exec = (cpu, d) => cpu.bxWritePC(cpu.r[d.a]!);

/**
 * BLX Rm: d.a = m, d.b = return address | 1. BLXWritePC differs from BXWritePC: no EXC_RETURN
 * interpretation, only the T bit (ARM ARM A2.3.1). The target is read before LR is written (BLX LR).
 */
const execBlx: Exec = (cpu, d) => {
  const target = cpu.r[d.a]!;
  cpu.r[14] = d.b;
  if ((target & 1) === 0) {
    cpu.tbit = 0; // INVSTATE UsageFault on the next instruction
    cpu.irqCheck = true;
  }
  cpu.branchWritePC(target);
};

/** CBZ: d.a = target, d.b = n. */
const execCbz: Exec = (cpu, d) => { if (cpu.r[d.b] === 0) taken(cpu, d.a); };
/** CBNZ: d.a = target, d.b = n. */
const execCbnz: Exec = (cpu, d) => { if (cpu.r[d.b] !== 0) taken(cpu, d.a); };

// ---- executors: miscellaneous ---------------------------------------------------------------------

/** IT: d.a = firstcond:mask, the ITSTATE for the next instruction (the CPU loop advances it). */
const execIt: Exec = (cpu, d) => {
  cpu.itstate = d.a;
};

const execNop: Exec = () => {};
const execWfi: Exec = (cpu) => cpu.exc.wfi();
const execWfe: Exec = (cpu) => cpu.exc.wfe();
const execSev: Exec = (cpu) => cpu.exc.sev();
/** ISB: the pipeline is flushed, so pending interrupts are re-evaluated before the next instruction. */
const execIsb: Exec = (cpu) => {
  cpu.irqCheck = true;
};
/** SVC: d.a = imm. */
const execSvc: Exec = (cpu, d) => cpu.exc.svc(d.a);
/** BKPT: d.a = imm8. */
const execBkpt: Exec = (cpu, d) => cpu.bkpt(d.a);
const execUdf: Exec = (cpu) => cpu.undefinedInstruction();

/** CPSIE: d.a = affect PRIMASK, d.b = affect FAULTMASK. Unprivileged: ignored (B5.2.1). */
const execCpsie: Exec = (cpu, d) => {
  if (!cpu.isPrivileged()) return;
  if (d.a) cpu.primask = 0;
  if (d.b) cpu.faultmask = 0;
  cpu.irqCheck = true;
};

/** CPSID: as CPSIE; FAULTMASK cannot be set at execution priority -1 (NMI, or FAULTMASK already set). */
const execCpsid: Exec = (cpu, d) => {
  if (!cpu.isPrivileged()) return;
  if (d.a) cpu.primask = 1;
  if (d.b && cpu.exc.executionPriority() > -1) cpu.faultmask = 1;
  cpu.irqCheck = true;
};

/** MRS: d.a = d, d.b = SYSm. */
const execMrs: Exec = (cpu, d) => {
  cpu.r[d.a] = cpu.readSpecial(d.b);
};

/** MSR: d.a = n, d.b = SYSm, d.c = mask. */
const execMsr: Exec = (cpu, d) => cpu.writeSpecial(d.b, cpu.r[d.a]!, d.c);

// ---- disassembly helpers --------------------------------------------------------------------------

/** IT mnemonic suffix: for each mask bit above the lowest set one, 't' if it equals firstcond<0>, else 'e'. */
function itSuffix(firstcond: number, mask: number): string {
  let s = '';
  for (let i = 3; i >= 0 && (mask & ((1 << i) - 1)) !== 0; i--) {
    s += ((mask >>> i) & 1) === (firstcond & 1) ? 't' : 'e';
  }
  return s;
}

const SYSM_NAMES: Record<number, string> = {
  0: 'apsr', 1: 'iapsr', 2: 'eapsr', 3: 'xpsr', 5: 'ipsr', 6: 'epsr', 7: 'iepsr',
  8: 'msp', 9: 'psp', 16: 'primask', 17: 'basepri', 18: 'basepri_max', 19: 'faultmask', 20: 'control',
};

function sysmName(sysm: number): string {
  return SYSM_NAMES[sysm] ?? `sysm${sysm}`;
}

function msrTarget(sysm: number, mask: number): string {
  const base = sysmName(sysm);
  if (sysm > 3) return base;
  // APSR-including forms: the mask selects the flag groups (_nzcvq = bits 31:27, _g = GE bits 19:16).
  return `${base}_${mask & 2 ? 'nzcvq' : ''}${mask & 1 ? 'g' : ''}`;
}

const HINT_NAMES = ['nop', 'yield', 'wfe', 'wfi', 'sev'] as const;

function barrierOption(option: number): string {
  return option === 15 ? 'sy' : `#${option}`;
}

// ---- patterns ---------------------------------------------------------------------------------------

const hintExecs: readonly Exec[] = [execNop, execNop, execWfe, execWfi, execSev];

export const patterns: Pattern[] = [
  // ---- 16-bit --------------------------------------------------------------------------------------
  pattern(
    'B T1',
    2,
    '1101_xxxx_xxxx_xxxx',
    (raw, pc) => {
      const cond = (raw >>> 8) & 15;
      if (cond >= 14) return null; // 1110: UDF, 1111: SVC
      return new DecodedInsn(CONDITIONAL_BRANCH[cond]!, raw, 2, 1, targetT1(raw, pc));
    },
    (raw, pc) => `b${CONDITION_NAMES[(raw >>> 8) & 15]} ${hex8(targetT1(raw, pc))}`,
  ),
  pattern(
    'UDF T1',
    2,
    '1101_1110_xxxx_xxxx',
    (raw) => new DecodedInsn(execUdf, raw, 2, 1, raw & 0xff),
    (raw) => `udf #${raw & 0xff}`,
  ),
  pattern(
    'SVC T1',
    2,
    '1101_1111_xxxx_xxxx',
    (raw) => new DecodedInsn(execSvc, raw, 2, 1, raw & 0xff),
    (raw) => `svc #${raw & 0xff}`,
  ),
  pattern(
    'B T2',
    2,
    '1110_0xxx_xxxx_xxxx',
    (raw, pc) => new DecodedInsn(execB, raw, 2, TAKEN_BRANCH_CYCLES, targetT2(raw, pc)),
    (raw, pc) => `b ${hex8(targetT2(raw, pc))}`,
  ),
  pattern(
    'BX T1',
    2,
    '0100_0111_0xxx_xxxx',
    (raw) => new DecodedInsn(execBx, raw, 2, TAKEN_BRANCH_CYCLES, (raw >>> 3) & 15),
    (raw) => `bx ${reg((raw >>> 3) & 15)}`,
  ),
  pattern(
    'BLX (register) T1',
    2,
    '0100_0111_1xxx_xxxx',
    (raw, pc) => {
      const m = (raw >>> 3) & 15;
      if (m === 15) return null; // UNPREDICTABLE
      return new DecodedInsn(execBlx, raw, 2, TAKEN_BRANCH_CYCLES, m, ((pc + 2) | 1) >>> 0);
    },
    (raw) => `blx ${reg((raw >>> 3) & 15)}`,
  ),
  pattern(
    'CBZ/CBNZ T1',
    2,
    '1011_x0x1_xxxx_xxxx',
    (raw, pc) => new DecodedInsn(raw & 0x0800 ? execCbnz : execCbz, raw, 2, 1, targetCb(raw, pc), raw & 7),
    (raw, pc) => `${raw & 0x0800 ? 'cbnz' : 'cbz'} ${reg(raw & 7)}, ${hex8(targetCb(raw, pc))}`,
  ),
  pattern(
    'IT T1',
    2,
    '1011_1111_xxxx_xxxx',
    (raw) => {
      const firstcond = (raw >>> 4) & 15;
      const mask = raw & 15;
      if (mask === 0) return null; // hints
      // firstcond 1111, or AL with an 'else' slot, is UNPREDICTABLE: UNDEFINED here.
      if (firstcond === 15 || (firstcond === 14 && (mask & (mask - 1)) !== 0)) return null;
      return new DecodedInsn(execIt, raw, 2, 1, raw & 0xff);
    },
    (raw) => `it${itSuffix((raw >>> 4) & 15, raw & 15)} ${condName((raw >>> 4) & 15)}`,
  ),
  pattern(
    'NOP/YIELD/WFE/WFI/SEV T1',
    2,
    '1011_1111_xxxx_0000',
    (raw) => {
      const op = (raw >>> 4) & 15;
      // Unallocated hints execute as NOP (A5.2.5).
      return new DecodedInsn(op < 5 ? hintExecs[op]! : execNop, raw, 2, 1, op);
    },
    (raw) => {
      const op = (raw >>> 4) & 15;
      return op < 5 ? HINT_NAMES[op]! : `nop ; hint #${op}`;
    },
  ),
  pattern(
    'BKPT T1',
    2,
    '1011_1110_xxxx_xxxx',
    (raw) => new DecodedInsn(execBkpt, raw, 2, 1, raw & 0xff),
    (raw) => `bkpt 0x${(raw & 0xff).toString(16).padStart(4, '0')}`,
  ),
  pattern(
    'CPS T1',
    2,
    '1011_0110_011x_xxxx', // 1011 0110 011 im (0) (0) I F
    (raw) => {
      const affectPri = (raw >>> 1) & 1;
      const affectFault = raw & 1;
      if (affectPri === 0 && affectFault === 0) return null; // UNPREDICTABLE
      return new DecodedInsn(raw & 0x10 ? execCpsid : execCpsie, raw, 2, 1, affectPri, affectFault);
    },
    (raw) => `cps${raw & 0x10 ? 'id' : 'ie'} ${raw & 2 ? 'i' : ''}${raw & 1 ? 'f' : ''}`,
  ),

  // ---- 32-bit: branches and miscellaneous control (A5.3.4) ----------------------------------------
  pattern(
    'B T3',
    4,
    '11110xxx_xxxxxxxx_10x0xxxx_xxxxxxxx',
    (raw, pc) => {
      const cond = (raw >>> 22) & 15;
      if (cond >= 14) return null; // the miscellaneous-control space (MSR, MRS, hints, barriers)
      return new DecodedInsn(CONDITIONAL_BRANCH[cond]!, raw, 4, 1, targetT3(raw, pc));
    },
    (raw, pc) => `b${CONDITION_NAMES[(raw >>> 22) & 15]}.w ${hex8(targetT3(raw, pc))}`,
  ),
  pattern(
    'B T4',
    4,
    '11110xxx_xxxxxxxx_10x1xxxx_xxxxxxxx',
    (raw, pc) => new DecodedInsn(execB, raw, 4, TAKEN_BRANCH_CYCLES, targetT4(raw, pc)),
    (raw, pc) => `b.w ${hex8(targetT4(raw, pc))}`,
  ),
  pattern(
    'BL T1',
    4,
    '11110xxx_xxxxxxxx_11x1xxxx_xxxxxxxx',
    (raw, pc) => new DecodedInsn(execBl, raw, 4, TAKEN_BRANCH_CYCLES, targetT4(raw, pc), ((pc + 4) | 1) >>> 0),
    (raw, pc) => `bl ${hex8(targetT4(raw, pc))}`,
  ),
  pattern(
    'MSR (register) T1',
    4,
    '11110011_100xxxxx_10x0xxxx_xxxxxxxx', // hw1 bit 4 and hw2 bits 13, 9:8 are (0)
    (raw) => {
      const n = (raw >>> 16) & 15;
      if (n === 13 || n === 15) return null; // UNPREDICTABLE
      return new DecodedInsn(execMsr, raw, 4, 1, n, raw & 0xff, (raw >>> 10) & 3);
    },
    (raw) => `msr ${msrTarget(raw & 0xff, (raw >>> 10) & 3)}, ${reg((raw >>> 16) & 15)}`,
  ),
  pattern(
    'MRS T1',
    4,
    '11110011_111xxxxx_10x0xxxx_xxxxxxxx', // hw1 bits 4:0 are (0)(1)(1)(1)(1), hw2 bit 13 (0)
    (raw) => {
      const d = (raw >>> 8) & 15;
      if (d === 13 || d === 15) return null; // UNPREDICTABLE
      return new DecodedInsn(execMrs, raw, 4, 1, d, raw & 0xff);
    },
    (raw) => `mrs ${reg((raw >>> 8) & 15)}, ${sysmName(raw & 0xff)}`,
  ),
  pattern(
    'NOP/YIELD/WFE/WFI/SEV/DBG T2',
    4,
    '11110011_1010xxxx_10x0x000_xxxxxxxx', // op1 (hw2 10:8) = 000; non-zero is CPS.W, not in ARMv7-M
    (raw) => {
      const op = raw & 0xff;
      // DBG (1111xxxx) and unallocated hints execute as NOP.
      return new DecodedInsn(op < 5 ? hintExecs[op]! : execNop, raw, 4, 1, op);
    },
    (raw) => {
      const op = raw & 0xff;
      if (op < 5) return `${HINT_NAMES[op]!}.w`;
      if (op >>> 4 === 15) return `dbg #${op & 15}`;
      return `nop.w ; hint #${op}`;
    },
  ),
  pattern(
    'DSB T1',
    4,
    '11110011_1011xxxx_10x0xxxx_0100xxxx',
    (raw) => new DecodedInsn(execNop, raw, 4, 1, raw & 15),
    (raw) => `dsb ${barrierOption(raw & 15)}`,
  ),
  pattern(
    'DMB T1',
    4,
    '11110011_1011xxxx_10x0xxxx_0101xxxx',
    (raw) => new DecodedInsn(execNop, raw, 4, 1, raw & 15),
    (raw) => `dmb ${barrierOption(raw & 15)}`,
  ),
  pattern(
    'ISB T1',
    4,
    '11110011_1011xxxx_10x0xxxx_0110xxxx',
    (raw) => new DecodedInsn(execIsb, raw, 4, ISB_CYCLES, raw & 15),
    (raw) => `isb ${barrierOption(raw & 15)}`,
  ),
  pattern(
    'UDF T2',
    4,
    '11110111_1111xxxx_1010xxxx_xxxxxxxx',
    (raw) => new DecodedInsn(execUdf, raw, 4, 1, ((raw >>> 4) & 0xf000) | (raw & 0xfff)),
    (raw) => `udf.w #${((raw >>> 4) & 0xf000) | (raw & 0xfff)}`,
  ),
];
