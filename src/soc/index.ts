/** SoC models by the name board files use in their "soc" field. */
import type { SocFactory } from '../core/soc.js';

export const SOC_FACTORIES: ReadonlyMap<string, SocFactory> = new Map<string, SocFactory>([]);
