/** SoC models by the name board files use in their "soc" field. */
import type { SocFactory } from '../core/soc.js';
import { createMps2An386 } from './mps2/an386.js';
import { createStm32f411 } from './stm32f411/index.js';

export const SOC_FACTORIES: ReadonlyMap<string, SocFactory> = new Map<string, SocFactory>([
  ['mps2-an386', createMps2An386],
  ['stm32f411', createStm32f411],
]);
