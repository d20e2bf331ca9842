/**
 * Instruction module: data-processing (ARM ARM DDI0403E A5.2 16-bit, A5.3.1/A5.3.3/A5.3.11/A5.3.12/A5.3.15 32-bit).
 * See src/cpu/armv7m/decoded.ts for the Pattern/DecodedInsn contract. The encodings live in the
 * data-processing-*.ts files; this one only gathers them.
 */
import type { Pattern } from '../decoded.js';
import { patterns16 } from './data-processing-16.js';
import { patternsImm32 } from './data-processing-imm32.js';
import { patternsReg32 } from './data-processing-reg32.js';

export const patterns: Pattern[] = [...patterns16, ...patternsImm32, ...patternsReg32];
