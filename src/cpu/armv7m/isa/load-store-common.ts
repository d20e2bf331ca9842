/**
 * Shared pieces of the load/store modules: memory access helpers with the ARMv7-M alignment rules (A3.2),
 * register writes, pattern builders and disassembly formatting.
 *
 * Alignment (ARM ARM A3.2.1):
 * - MemU (LDR/STR/LDRH/STRH/LDRSH/TBH and their T forms): unaligned word/halfword accesses are allowed
 *   unless CCR.UNALIGN_TRP (`cpu.unalignTrap`), which makes them UsageFault UNALIGNED. Unaligned accesses are
 *   performed as single-byte accesses (the architecture allows this, and it is right across page/region edges).
 * - MemA (LDM/STM/PUSH/POP/LDRD/STRD and the exclusives): must be aligned, otherwise UsageFault UNALIGNED
 *   whatever UNALIGN_TRP says.
 *
 * Cycle counts (Cortex-M4 TRM table 3-1), the choices we make:
 * - LDR and friends: 2 (the TRM's 2, ignoring pipelining of neighbouring loads); loads to PC: 2 + REFILL.
 * - STR and friends: 1 (stores are buffered/pipelined).
 * - LDM/STM/PUSH/POP: 1 + N; with PC loaded: + REFILL.
 * - LDRD/STRD: 3 (1 + N with N = 2).
 * - LDREX/STREX (all sizes): 2. CLREX, PLD, PLI, memory hints: 1.
 * - TBB/TBH: 4 (the TRM says 2 + P; we take P = 2 here, the target comes straight from the load).
 * REFILL (the TRM's P, 1..3) is taken as 3.
 */
import type { CortexM4 } from '../cpu.js';
import { DecodedInsn, type Exec, type Pattern } from '../decoded.js';

export const CYC_LOAD = 2;
export const CYC_STORE = 1;
export const REFILL = 3;
export const CYC_DUAL = 3;
export const CYC_EXCL = 2;
export const CYC_TB = 4;

/** Writes general register `i` (not PC). SP bits [1:0] always read as zero on M-profile, so writes to r13 drop them. */
export function wr(cpu: CortexM4, i: number, v: number): void {
  cpu.r[i] = i === 13 ? v & ~3 : v;
}

// ---- MemU: unaligned allowed unless the trap is on ----------------------------------------------

export function readU32(cpu: CortexM4, addr: number): number {
  if ((addr & 3) === 0) return cpu.mem.read32(addr);
  if (cpu.unalignTrap) cpu.unalignedFault();
  const m = cpu.mem;
  return m.read8(addr) | (m.read8(addr + 1) << 8) | (m.read8(addr + 2) << 16) | (m.read8(addr + 3) << 24);
}

export function readU16(cpu: CortexM4, addr: number): number {
  if ((addr & 1) === 0) return cpu.mem.read16(addr);
  if (cpu.unalignTrap) cpu.unalignedFault();
  const m = cpu.mem;
  return m.read8(addr) | (m.read8(addr + 1) << 8);
}

export function writeU32(cpu: CortexM4, addr: number, v: number): void {
  if ((addr & 3) === 0) {
    cpu.mem.write32(addr, v);
    return;
  }
  if (cpu.unalignTrap) cpu.unalignedFault();
  const m = cpu.mem;
  m.write8(addr, v & 0xff);
  m.write8(addr + 1, (v >>> 8) & 0xff);
  m.write8(addr + 2, (v >>> 16) & 0xff);
  m.write8(addr + 3, v >>> 24);
}

export function writeU16(cpu: CortexM4, addr: number, v: number): void {
  if ((addr & 1) === 0) {
    cpu.mem.write16(addr, v & 0xffff);
    return;
  }
  if (cpu.unalignTrap) cpu.unalignedFault();
  const m = cpu.mem;
  m.write8(addr, v & 0xff);
  m.write8(addr + 1, (v >>> 8) & 0xff);
}

// ---- patterns ------------------------------------------------------------------------------------

type DecodeFn = (raw: number, pc: number) => DecodedInsn | null;
type DisasmFn = (raw: number, pc: number) => string;

/** A pattern from an explicit mask/match (size from the arguments). */
export function pattern(name: string, size: 2 | 4, mask: number, match: number, decode: DecodeFn, disasm: DisasmFn): Pattern {
  return { name, size, mask: mask >>> 0, match: match >>> 0, decode, disasm };
}

export function insn(exec: Exec, raw: number, size: number, cycles: number, a = 0, b = 0, c = 0, d = 0, e = 0, f = 0): DecodedInsn {
  return new DecodedInsn(exec, raw, size, cycles, a, b, c, d, e, f);
}

/** Align(PC, 4) for the instruction at `pc` (PC reads as pc + 4). */
export function alignedPc(pc: number): number {
  return ((pc + 4) & ~3) >>> 0;
}

// ---- disassembly ---------------------------------------------------------------------------------

export const REG = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc'] as const;

export function reg(i: number): string {
  return REG[i & 15]!;
}

export function hex8(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}

/** `{r4-r7, lr}`: runs of three or more of r0..r12 become ranges. */
export function regList(list: number): string {
  const parts: string[] = [];
  let i = 0;
  while (i < 16) {
    if ((list & (1 << i)) === 0) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 <= 12 && i <= 12 && (list & (1 << (j + 1))) !== 0) j++;
    if (j - i >= 2) {
      parts.push(`${reg(i)}-${reg(j)}`);
      i = j + 1;
    } else {
      parts.push(reg(i));
      i++;
    }
  }
  return `{${parts.join(', ')}}`;
}

/** `#4`, `#-4`, and `#-0` for the subtract-zero encodings. */
export function immText(imm: number, add: boolean): string {
  return add ? `#${imm}` : `#-${imm}`;
}

/** `[rn]`, `[rn, #imm]` (offset form). */
export function offsetAddr(n: number, imm: number, add: boolean): string {
  return add && imm === 0 ? `[${reg(n)}]` : `[${reg(n)}, ${immText(imm, add)}]`;
}

export function bitCount(x: number): number {
  let c = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) c++;
  return c;
}
