/**
 * Intel HEX through `nrf-intel-hex` (it keeps sparse blocks at their addresses, unlike `intel-hex`,
 * which builds one buffer from address 0). Start-address records (type 03/05) are read here since the
 * library does not report them.
 */
import ihexModule from 'nrf-intel-hex';
import { UserError } from '../core/errors.js';
import type { FirmwareImage, Segment } from './image.js';

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
  const text = new TextDecoder().decode(data);
  let map: Map<number, Uint8Array>;
  try {
    map = MemoryMap.fromHex(text);
  } catch (e) {
    throw new UserError(`${source}: bad Intel HEX file: ${(e as Error).message.split('\n')[0]}`);
  }
  const segments: Segment[] = [];
  for (const [address, block] of map) segments.push({ address, data: block });
  let entry: number | undefined;
  for (const m of text.matchAll(/^:04000005([0-9A-Fa-f]{8})/gm)) entry = parseInt(m[1]!, 16);
  return { format: 'ihex', source, segments, entry };
}
