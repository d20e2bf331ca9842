/** Instruction module: vfp. See src/cpu/armv7m/decoded.ts for the Pattern/DecodedInsn contract. */
import type { Pattern } from '../decoded.js';

export const patterns: Pattern[] = [];
