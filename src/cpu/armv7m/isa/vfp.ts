/**
 * Instruction module: the FPv4-SP floating-point extension (single precision VFP of the Cortex-M4).
 * Data processing lives in vfp-dp.ts, transfers and loads/stores in vfp-ldst.ts, the arithmetic in ../fpu/.
 */
import type { Pattern } from '../decoded.js';
import { patterns as dataProcessing } from './vfp-dp.js';
import { patterns as loadStore } from './vfp-ldst.js';

export const patterns: Pattern[] = [...dataProcessing, ...loadStore];
