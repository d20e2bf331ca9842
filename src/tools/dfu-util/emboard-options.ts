/**
 * The options `emboard dfu-util` adds to dfu-util's own, taken out of the argument list before dfu-util's
 * parser sees it: `--board B` (default WeAct_F411CE, the BlackPill whose USB port is wired), `--flash FILE`
 * (the state file, see docs/flash-state.md; without it the flash starts erased and is not kept) and
 * `--protect-sectors N[,N…]` (nWRP option bits cleared for this session: those sectors are
 * write-protected, as after `dfu-util -a 1` wrote the option bytes).
 */
import { UserError } from '../../core/errors.js';

export interface EmboardDfuOptions {
  board: string;
  flashPath?: string;
  protectSectors: number[];
  /** What is left for dfu-util's parser, in order. */
  rest: string[];
}

export const DEFAULT_DFU_BOARD = 'WeAct_F411CE';

export function takeEmboardOptions(argv: readonly string[]): EmboardDfuOptions {
  const o: EmboardDfuOptions = { board: DEFAULT_DFU_BOARD, protectSectors: [], rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    if (w === '--') {
      o.rest.push(...argv.slice(i));
      break;
    }
    const m = /^--(board|flash|protect-sectors)(?:=(.*))?$/.exec(w);
    if (!m) {
      o.rest.push(w);
      continue;
    }
    let v = m[2];
    if (v === undefined) {
      if (i + 1 >= argv.length) throw new UserError(`dfu-util: option '--${m[1]}' requires an argument`, 64);
      v = argv[++i]!;
    }
    if (m[1] === 'board') o.board = v;
    else if (m[1] === 'flash') o.flashPath = v;
    else {
      for (const part of v.split(',')) {
        const n = Number(part);
        if (!Number.isInteger(n) || n < 0 || n > 7) throw new UserError(`dfu-util: --protect-sectors: '${part}' is not an F411 sector number (0..7)`, 64);
        o.protectSectors.push(n);
      }
    }
  }
  return o;
}
