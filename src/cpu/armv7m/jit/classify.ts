/**
 * Static classification of Thumb encodings for the translating engine (ARM ARM DDI0403E A5.2, A5.3 tables).
 *
 * These are hints about *cost*, never about correctness: a translated block re-checks `nextPc` after every
 * instruction, so a branch that is not flagged here still leaves the block at the right place. The one
 * classification that matters for exactness is `touchesSystem`: instructions for which it is false must
 * not be able to change anything but registers, flags, FP registers and `nextPc` (and may only fault by
 * throwing), because the block skips the system-state checks after them. It errs on the side of true.
 */

/** IT (not the hints that share its encoding space): blocks stop before it; the interpreter runs IT blocks. */
export function isIT(raw: number, size: number): boolean {
  return size === 2 && (raw & 0xff00) === 0xbf00 && (raw & 0xf) !== 0;
}

/**
 * Might this instruction access memory, touch system state (interrupt masks, sleep, stop, exceptions,
 * special registers) or read the cycle counter? Pure register/flag data processing returns false.
 */
export function touchesSystem(raw: number, size: number): boolean {
  if (size === 2) {
    const op = raw >>> 10;
    if (op < 0x10) return false; // 00xxxx: shift, add, subtract, move, compare
    if (op === 0x10) return false; // 010000: data processing
    if (op === 0x11) return (raw & 0x0300) === 0x0300; // 010001: special data; BX/BLX may return from an exception
    if ((raw & 0xf000) === 0xa000) return false; // ADR, ADD (SP plus immediate)
    if ((raw & 0xff00) === 0xb000) return false; // ADD/SUB SP, #imm
    if ((raw & 0xff00) === 0xb200) return false; // SXTH, SXTB, UXTH, UXTB
    if ((raw & 0xff00) === 0xba00 && (raw & 0xc0) !== 0x80) return false; // REV, REV16, REVSH
    if ((raw & 0xf500) === 0xb100) return false; // CBZ, CBNZ
    if ((raw & 0xf000) === 0xd000) return (raw & 0x0e00) === 0x0e00; // B<c> pure; UDF/SVC not
    if ((raw & 0xf800) === 0xe000) return false; // B
    return true;
  }
  const hw1 = raw >>> 16;
  const hw2 = raw & 0xffff;
  if ((hw1 & 0xf800) === 0xf000) {
    if ((hw2 & 0x8000) === 0) return false; // data processing (modified / plain binary immediate)
    // Branches and miscellaneous control: B<c> (cond != 111x), B, BL are pure; MSR/MRS/hints/barriers are not.
    if ((hw2 & 0x5000) !== 0) return false; // B (T4), BL
    return (hw1 & 0x0380) === 0x0380; // B<c> T3 when cond is not 111x
  }
  if ((hw1 & 0xfe00) === 0xea00) return false; // data processing (shifted register)
  if ((hw1 & 0xff00) === 0xfa00) return false; // data processing (register)
  if ((hw1 & 0xff80) === 0xfb00) return false; // multiply, multiply accumulate, absolute difference
  if ((hw1 & 0xff80) === 0xfb80) return false; // long multiply, divide
  if ((hw1 & 0xff00) === 0xee00 && (hw2 & 0x0e00) === 0x0a00 && (hw2 & 0x10) === 0) return false; // VFP data processing
  return true;
}

/** Does this instruction usually transfer control (or stop the core)? Blocks end after it. */
export function endsBlock(raw: number, size: number): boolean {
  if (size === 2) {
    if ((raw & 0xf000) === 0xd000) return true; // B<c>, UDF, SVC
    if ((raw & 0xf800) === 0xe000) return true; // B
    if ((raw & 0xff00) === 0x4700) return true; // BX, BLX
    if ((raw & 0xfc00) === 0x4400 && (raw & 0x0300) !== 0x0100 && (((raw >>> 4) & 8) | (raw & 7)) === 15) return true; // ADD/MOV PC
    if ((raw & 0xf500) === 0xb100) return true; // CBZ, CBNZ
    if ((raw & 0xff00) === 0xbd00) return true; // POP {.., pc}
    if ((raw & 0xff00) === 0xbe00 || (raw & 0xff00) === 0xbf00) return true; // BKPT, hints (WFI, WFE, SEV)
    if ((raw & 0xffe0) === 0xb660) return true; // CPS
    return false;
  }
  const hw1 = raw >>> 16;
  const hw2 = raw & 0xffff;
  if ((hw1 & 0xf800) === 0xf000 && (hw2 & 0x8000) !== 0) return true; // branches, misc control
  if ((hw1 & 0xfe50) === 0xe810 && (hw2 & 0x8000) !== 0) return true; // LDM/POP with PC
  if ((hw1 & 0xfff0) === 0xe8d0 && (hw2 & 0xffe0) === 0xf000) return true; // TBB, TBH
  if ((hw1 & 0xfe10) === 0xf810 && (hw2 & 0xf000) === 0xf000) return true; // LDR<x> to PC (and PLD: harmless)
  if ((hw1 & 0xfe00) === 0xee00 || (hw1 & 0xfe00) === 0xec00) return false; // VFP
  return false;
}

/**
 * 16-bit encodings whose register fields are 3 bits wide (or SP): they cannot name the PC as an operand or
 * a destination, so a block needs neither `r[15]` set before them nor a `nextPc` check after them.
 */
export function lowRegsOnly16(raw: number, size: number): boolean {
  if (size !== 2) return false;
  if (raw >>> 10 <= 0x10) return true; // shift/add/sub/mov/cmp immediate, data processing (010000)
  const top = raw & 0xf000;
  if (top === 0x5000 || top === 0x6000 || top === 0x7000 || top === 0x8000 || top === 0x9000) return true; // LDR/STR forms
  if (top === 0xc000) return true; // LDM/STM (r0-r7)
  if ((raw & 0xf800) === 0xa800) return true; // ADD Rd, SP, #imm
  if ((raw & 0xff00) === 0xb000 || (raw & 0xff00) === 0xb200) return true; // ADD/SUB SP, extends
  if ((raw & 0xff00) === 0xba00 && (raw & 0xc0) !== 0x80) return true; // REV, REV16, REVSH
  if ((raw & 0xfe00) === 0xb400) return true; // PUSH (may include LR, not PC)
  return false;
}
