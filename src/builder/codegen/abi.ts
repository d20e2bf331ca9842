/**
 * The contract between generated code and its runtime (startup, HAL, C): symbol names, trap reasons and
 * the register convention. Kept in one place so the startup object and the tests agree with codegen.
 */

/** Reason codes passed in r0 to `__wasm_trap` (AAPCS call, never returns). */
export const TrapReason = {
  unreachable: 1,
  divideByZero: 2,
  integerOverflow: 3,
  memoryOutOfBounds: 4,
  /** call_indirect: null entry or signature mismatch (V8 reports both with one message). */
  indirectCallMismatch: 5,
  /** call_indirect: index ≥ table size. */
  tableOutOfBounds: 6,
  invalidConversion: 7,
} as const;
export type TrapReason = (typeof TrapReason)[keyof typeof TrapReason];

export const TRAP_MESSAGES: Record<number, string> = {
  1: 'unreachable',
  2: 'divide by zero',
  3: 'integer overflow',
  4: 'memory access out of bounds',
  5: 'null function or function signature mismatch',
  6: 'table index is out of bounds',
  7: 'invalid conversion to integer',
};

export const SYM = {
  trap: '__wasm_trap',
  /** Linear memory: a .bss section of the configured maximum size (zeroed by the startup). */
  memory: '__wasm_memory',
  /** Current linear-memory size in bytes (a .data word; memory.grow updates it). */
  memorySize: '__wasm_memory_size',
  globals: '__wasm_globals',
  table: '__wasm_table',
  data: '__wasm_data',
  /** AAPCS `void __wasm_init(void)`: copies active data segments, then runs the start function. */
  init: '__wasm_init',
} as const;

/**
 * Registers inside generated functions (AAPCS-compatible: everything we keep lives in callee-saved
 * registers, so C and imports can be called without spilling):
 * - r4–r9: operand-stack slots 0–5 (slot = static stack depth) up to the function's maximum depth; deeper
 *   slots live in the frame; the registers of r4–r9 left over hold the most-used locals.
 * - r10: linear-memory base, r11: linear-memory size in bytes (reloaded after calls and memory.grow) in
 *   functions that touch memory; in the others they hold locals too.
 * - r0–r3, r12, lr: scratch (lr is saved by the prologue).
 */
export const STACK_REGS = [4, 5, 6, 7, 8, 9] as const;
export const MEM_BASE = 10;
export const MEM_SIZE = 11;
