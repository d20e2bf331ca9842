/**
 * Flash Patch and Breakpoint unit (ARM ARM C1.11) at 0xE0002000: FP_CTRL with NUM_CODE=6 / NUM_LIT=2
 * (the Cortex-M4 configuration), FP_REMAP, and 8 comparators, all stored. Enough for firmware and
 * debug stubs that probe it; comparators never remap or break (breakpoints are the debugger's job).
 */
import { RegisterBank } from '../../../core/registers.js';
import { coresightId } from './lanes.js';

export const FPB_NUM_CODE = 6;
export const FPB_NUM_LIT = 2;
const FP_CTRL_RO = ((FPB_NUM_LIT << 8) | ((FPB_NUM_CODE & 0xf) << 4) | (((FPB_NUM_CODE >>> 4) & 7) << 12)) >>> 0;
const FP_CTRL_KEY = 1 << 1;

export class Fpb {
  readonly bank: RegisterBank;

  constructor() {
    const comps = [];
    for (let i = 0; i < FPB_NUM_CODE + FPB_NUM_LIT; i++) {
      comps.push({ name: `FP_COMP${i}`, offset: 8 + 4 * i, writable: 0xdfff_fffd });
    }
    this.bank = new RegisterBank(
      'FPB',
      [
        {
          name: 'FP_CTRL',
          offset: 0,
          reset: FP_CTRL_RO,
          writable: 0,
          // ENABLE is written only when KEY (bit 1) is 1 in the same write.
          write: (_v, old, written) => {
            if (written & FP_CTRL_KEY) this.bank.set('FP_CTRL', (old & ~1) | (written & 1));
          },
        },
        { name: 'FP_REMAP', offset: 4, writable: 0x1fff_ffe0 },
        ...comps,
      ],
      { onUnmapped: (offset) => coresightId(offset, [0x03, 0xb0, 0x0b, 0x00, 0x04], 0xe) ?? 0 },
    );
  }

  reset(): void {
    this.bank.reset();
  }
}
