/**
 * Intel HEX output laid out exactly as `objcopy -O ihex` writes it (checked byte for byte in
 * test/image/objcopy-compare.test.ts), so `emboard bin2hex`/`elf2hex` files diff cleanly against objcopy's:
 * - each segment (objcopy: section) is written on its own, in chunks of 16 data bytes starting at the
 *   segment address; a chunk never crosses a 64 KiB window;
 * - addresses below 1 MiB use type 02 segment records, higher ones type 04 linear records (after a
 *   02 record resetting the segment base to 0 if one was in force); the first window needs no record;
 * - a start address is written only when non-zero: type 03 (CS:IP) below 1 MiB, else type 05;
 * - upper-case hex, CR LF line ends.
 * nrf-intel-hex's writer lays records out differently (always a leading 04 record, blocks merged), hence
 * this writer; reading goes through nrf-intel-hex (ihex-read.ts).
 */
import { UserError } from '../core/errors.js';
import { hex32, type Segment } from './image.js';

const CHUNK = 16;

function record(type: number, address: number, data: ArrayLike<number>): string {
  let sum = data.length + (address >> 8) + (address & 0xff) + type;
  let s = ':' + hex(data.length, 2) + hex(address, 4) + hex(type, 2);
  for (let i = 0; i < data.length; i++) {
    s += hex(data[i]!, 2);
    sum += data[i]!;
  }
  return s + hex(-sum & 0xff, 2) + '\r\n';
}

function hex(v: number, digits: number): string {
  return v.toString(16).toUpperCase().padStart(digits, '0');
}

export function writeIntelHex(segments: readonly Segment[], start?: number): string {
  let out = '';
  let segBase = 0;
  let extBase = 0;
  for (const seg of [...segments].sort((a, b) => a.address - b.address)) {
    if (seg.address + seg.data.length > 0x1_0000_0000) throw new UserError(`data at ${hex32(seg.address)} runs past the 32-bit address space`);
    let done = 0;
    while (done < seg.data.length) {
      const where = seg.address + done;
      if (where > segBase + extBase + 0xffff || where < segBase + extBase) {
        if (where <= 0xfffff) {
          if (extBase !== 0) {
            extBase = 0;
            out += record(4, 0, [0, 0]);
          }
          segBase = where & 0xf0000;
          out += record(2, 0, [(segBase >> 12) & 0xff, 0]);
        } else {
          if (segBase !== 0) {
            segBase = 0;
            out += record(2, 0, [0, 0]);
          }
          extBase = (where & 0xffff0000) >>> 0;
          out += record(4, 0, [extBase >>> 24, (extBase >>> 16) & 0xff]);
        }
      }
      const recAddr = where - segBase - extBase;
      const n = Math.min(CHUNK, seg.data.length - done, 0x10000 - recAddr);
      out += record(0, recAddr, seg.data.subarray(done, done + n));
      done += n;
    }
  }
  if (start !== undefined && start !== 0) {
    const s = start >>> 0;
    if (s <= 0xfffff) out += record(3, 0, [(s >> 12) & 0xf0, 0, (s >> 8) & 0xff, s & 0xff]);
    else out += record(5, 0, [s >>> 24, (s >>> 16) & 0xff, (s >>> 8) & 0xff, s & 0xff]);
  }
  return out + record(1, 0, []);
}
