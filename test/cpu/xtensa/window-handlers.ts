/** Window exception handlers for tests (our own code), placed at a VECBASE. */
import type { XtAsm } from '../../../src/cpu/xtensa/asm.js';
import { IRAM } from './helpers.js';

/**
 * Window overflow/underflow handlers written for this test, following the windowed ABI's save areas:
 * a frame's a0–a3 go to the 16 bytes below its callee's stack pointer; a4–a11 of 8- and 12-register
 * frames go below its caller's stack pointer, found at [a1 − 12] (saved there when the caller spilled).
 */
export function vectors(v: XtAsm, base = IRAM): void {
  v.org(base + 0x00); // WindowOverflow4: callee sp = a5
  v.s32e(0, 5, -16).s32e(1, 5, -12).s32e(2, 5, -8).s32e(3, 5, -4).rfwo();
  v.org(base + 0x40); // WindowUnderflow4
  v.l32e(0, 5, -16).l32e(1, 5, -12).l32e(2, 5, -8).l32e(3, 5, -4).rfwu();
  v.org(base + 0x80); // WindowOverflow8: callee sp = a9
  v.s32e(0, 9, -16).l32e(0, 1, -12).s32e(1, 9, -12).s32e(2, 9, -8).s32e(3, 9, -4);
  v.s32e(4, 0, -32).s32e(5, 0, -28).s32e(6, 0, -24).s32e(7, 0, -20).rfwo();
  v.org(base + 0xc0); // WindowUnderflow8
  v.l32e(1, 9, -12).l32e(0, 9, -16).l32e(7, 1, -12).l32e(2, 9, -8).l32e(3, 9, -4);
  v.l32e(4, 7, -32).l32e(5, 7, -28).l32e(6, 7, -24).l32e(7, 7, -20).rfwu();
  v.org(base + 0x100); // WindowOverflow12: callee sp = a13
  v.s32e(0, 13, -16).l32e(0, 1, -12).s32e(1, 13, -12).s32e(2, 13, -8).s32e(3, 13, -4);
  for (let r = 4; r < 12; r++) v.s32e(r, 0, -48 + (r - 4) * 4);
  v.rfwo();
  v.org(base + 0x140); // WindowUnderflow12
  v.l32e(1, 13, -12).l32e(0, 13, -16).l32e(11, 1, -12).l32e(2, 13, -8).l32e(3, 13, -4);
  for (let r = 4; r < 11; r++) v.l32e(r, 11, -48 + (r - 4) * 4);
  v.l32e(11, 11, -20).rfwu();
  v.org(base + 0x300).break_(1, 1); // any other exception stops the test
}
