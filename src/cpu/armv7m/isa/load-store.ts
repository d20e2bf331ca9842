/**
 * Instruction module: load-store (ARM ARM DDI0403E A5.2.4, A5.3.5–A5.3.10). See src/cpu/armv7m/decoded.ts for
 * the Pattern/DecodedInsn contract. The encodings live in load-store-single.ts (single data item, hints) and
 * load-store-multi.ts (multiple, dual, exclusive, table branch, CLREX); shared helpers in load-store-common.ts.
 */
import type { Pattern } from '../decoded.js';
import { patterns as single } from './load-store-single.js';
import { patterns as multi } from './load-store-multi.js';

export const patterns: Pattern[] = [...single, ...multi];
