/**
 * Translation of a basic block of decoded Thumb instructions into one JavaScript function.
 *
 * The generated function calls each instruction's executor directly; executors and DecodedInsns are
 * parameters of the factory, so every call site is monomorphic and V8 can inline the executor. The
 * bookkeeping the interpreter does per instruction (cycles, instructions, `pc`) is summed and committed
 * only where somebody can observe it: before an instruction that may touch the system (memory, MMIO,
 * special registers — a load from SysTick or the DWT cycle counter must see the exact cycle count), on
 * every exit, and on a fault. `nextPc` is set before every instruction and `r[15]` before every one that
 * can name the PC, exactly as the interpreter does, and `nextPc` is compared afterwards (except after 16-bit
 * low-register instructions, which cannot write the PC): any change (branch, exception return, halt)
 * leaves the block. After a system-touching instruction the block also leaves when an interrupt check
 * is due, the core sleeps or stops, the batch end moved, the IT state or the MPU fetch check appeared, or
 * code memory was written (the remaining decodes may be stale).
 */
import type { CortexM4 } from '../cpu.js';
import type { DecodedInsn } from '../decoded.js';
import { lowRegsOnly16, touchesSystem } from './classify.js';

export type BlockFn = (cpu: CortexM4) => void;

/** Upper bound on the cycles an executor adds on top of `DecodedInsn.cycles` without leaving the block (UDIV/SDIV: 8). */
export const MAX_EXTRA_CYCLES = 8;

export interface TranslatedBlock {
  fn: BlockFn;
  /** Number of instructions. */
  n: number;
  /** Cycles that may elapse before the last instruction starts: the block may run only if cycles + bound < runUntil. */
  cycleBound: number;
}

export function translateBlock(addrs: readonly number[], insns: readonly DecodedInsn[]): TranslatedBlock {
  const n = insns.length;
  const lines: string[] = [];
  // Pending (not yet committed) instructions/cycles *before* instruction k runs, for the fault path.
  const pendN: number[] = [];
  const pendC: number[] = [];
  let pn = 0;
  let pc = 0;
  const commit = (cyc: number, cnt: number): string =>
    (cyc !== 0 ? `cpu.cycles += ${cyc}; ` : '') + (cnt !== 0 ? `cpu.instructions += ${cnt}; ` : '');
  for (let k = 0; k < n; k++) {
    const d = insns[k]!;
    const a = addrs[k]!;
    const next = (a + d.size) >>> 0;
    const sys = touchesSystem(d.raw, d.size);
    if (sys) {
      if (pn !== 0) {
        lines.push(commit(pc, pn));
        pn = 0;
        pc = 0;
      }
      lines.push(`cpu.pc = ${a};`);
    }
    pendN.push(pn);
    pendC.push(pc);
    const low = lowRegsOnly16(d.raw, d.size);
    lines.push(`i = ${k}; cpu.nextPc = ${next}; ${low ? '' : `r[15] = ${(a + 4) | 0}; `}e${k}(cpu, d${k});`);
    pn += 1;
    pc += d.cycles;
    // r[15] skipped before a low-register instruction is still left as the interpreter leaves it (a debugger may look).
    const fixR15 = low ? `r[15] = ${(a + 4) | 0}; ` : '';
    const leave = `{ ${commit(pc, pn)}${fixR15}cpu.pc = cpu.nextPc; return; }`;
    if (k === n - 1) {
      lines.push(`${commit(pc, pn)}${fixR15}cpu.pc = cpu.nextPc;`);
      break;
    }
    if (!low) lines.push(`if (cpu.nextPc !== ${next}) ${leave}`);
    if (sys) {
      lines.push(
        `if (cpu.runUntil !== ru || cpu.irqCheck || cpu.sleeping || cpu.itstate !== 0 || cpu.fetchCheck !== null || cpu.codeEpoch !== ep) ${leave}`,
      );
    }
  }
  const params: string[] = [];
  for (let k = 0; k < n; k++) params.push(`e${k}`, `d${k}`);
  params.push('A', 'PN', 'PC');
  const body = [
    'return function block(cpu) {',
    'const r = cpu.r; const ru = cpu.runUntil; const ep = cpu.codeEpoch; let i = 0;',
    'cpu.inIT = false;',
    'try {',
    ...lines,
    '} catch (err) { cpu.cycles += PC[i]; cpu.instructions += PN[i]; cpu.pc = A[i]; r[15] = A[i] + 4; throw err; }',
    '};',
  ].join('\n');
  const args: unknown[] = [];
  for (let k = 0; k < n; k++) args.push(insns[k]!.exec, insns[k]);
  args.push(addrs.slice(), pendN, pendC);
  // Generated code is the point of this engine; its text comes only from numbers computed above.
  const factory = new Function(...params, body) as (...a: unknown[]) => BlockFn;
  let bound = 0;
  for (let k = 0; k < n - 1; k++) bound += insns[k]!.cycles + MAX_EXTRA_CYCLES;
  return { fn: factory(...args), n, cycleBound: bound };
}
