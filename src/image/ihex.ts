/**
 * Intel HEX through `nrf-intel-hex` (it keeps sparse blocks at their addresses, unlike `intel-hex`,
 * which builds one buffer from address 0). The records are checked, with offsets, and the start-address
 * records (type 03/05, which the library does not report) read in ihex-read.ts.
 */
import ihexModule from 'nrf-intel-hex';
import { UserError } from '../core/errors.js';
import type { FirmwareImage, Segment } from './image.js';
import { type IntelHexContents, readIntelHex } from './ihex-read.js';

// The typings declare an ES default export but the package is CommonJS: under NodeNext the runtime
// default import is module.exports, which is the MemoryMap class itself.
export const MemoryMap = ihexModule as unknown as typeof ihexModule.default;

export function looksLikeIntelHex(data: Uint8Array): boolean {
  let i = 0;
  while (i < data.length && (data[i] === 0x20 || data[i] === 0x0d || data[i] === 0x0a || data[i] === 0x09)) i++;
  if (data[i] !== 0x3a) return false; // ':'
  const head = new TextDecoder().decode(data.subarray(i, Math.min(data.length, i + 64)));
  return /^:[0-9A-Fa-f]{10}/.test(head);
}

export function loadIntelHex(data: Uint8Array, source: string): FirmwareImage {
  let contents: IntelHexContents;
  try {
    contents = readIntelHex(data, source);
  } catch (e) {
    // Same checks and offsets as the image tools, under the loader's "bad Intel HEX file" heading.
    if (e instanceof UserError && e.message.startsWith(`${source}: `)) {
      throw new UserError(`${source}: bad Intel HEX file: ${e.message.slice(source.length + 2)}`, e.exitCode);
    }
    throw e;
  }
  const segments: Segment[] = contents.segments;
  return { format: 'ihex', source, segments, entry: contents.start };
}
