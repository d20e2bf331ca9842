/** The linker's entry points for the build command and the code generators' tests. */
import { readFileSync } from 'node:fs';
import { UserError } from '../../core/errors.js';
import type { ObjectFile } from '../object.js';
import { link, type LinkedImage, type LinkOptions } from './linker.js';
import { parseLinkerScript, type LinkerScript } from './script.js';

export { link, type LinkedImage, type LinkedSection, type LinkedSymbol, type LinkOptions, type PlacedInput } from './linker.js';
export { parseLinkerScript, type LinkerScript } from './script.js';

export function readLinkerScript(path: string): LinkerScript {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`${path}: cannot read linker script (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseLinkerScript(text, path);
}

/** Links objects with the script at `scriptPath` (e.g. linker/stm32f411xe.ld). */
export function linkWithScript(objects: readonly ObjectFile[], scriptPath: string, opts?: LinkOptions): LinkedImage {
  return link(objects, readLinkerScript(scriptPath), opts);
}
