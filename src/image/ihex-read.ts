/**
 * Strict Intel HEX reading: a lexical pass of our own checks every record and reports the byte offset of
 * the first problem, then `nrf-intel-hex` builds the sparse memory blocks from the checked records.
 *
 * Decisions where objcopy (binutils 2.x BFD ihex) is lenient — we refuse, because each case is far more
 * often a damaged file than an intended one (docs/image-tools.md):
 * - missing EOF record: objcopy converts what it read; we report a truncated file;
 * - records after the EOF record: objcopy ignores them; we report them;
 * - overlapping data records: objcopy lets the later record win; we report the overlap.
 * Blank lines and CR/LF or LF line ends are accepted, as objcopy does.
 */
import { UserError } from '../core/errors.js';
import { hex32, type Segment } from './image.js';
import { MemoryMap } from './ihex.js';

export interface IntelHexRecord {
  /** Byte offset of the ':' in the file. */
  readonly offset: number;
  readonly type: number;
  /** The 16-bit address field. */
  readonly address: number;
  readonly data: Uint8Array;
}

export interface IntelHexContents {
  /** Contiguous runs of data, sorted by address. */
  readonly segments: Segment[];
  /** From a type 05 (linear) or type 03 (CS:IP, as CS*16+IP) record. */
  readonly start?: number;
  readonly records: readonly IntelHexRecord[];
}

const HEX = /^[0-9A-Fa-f]$/;

export function readIntelHex(data: Uint8Array, source: string): IntelHexContents {
  const fail = (what: string, off: number): never => {
    throw new UserError(`${source}: ${what} (at offset ${hex32(off)})`);
  };
  if (data.length === 0) fail('empty file', 0);
  const text = new TextDecoder('latin1').decode(data);
  const records: IntelHexRecord[] = [];
  let sawEof = false;
  let pos = 0;
  while (pos < text.length) {
    let lineEnd = text.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = text.length;
    let stop = lineEnd;
    while (stop > pos && /\s/.test(text[stop - 1]!)) stop--; // CR and trailing blanks
    let p = pos;
    while (p < stop && /\s/.test(text[p]!)) p++;
    if (p < stop) {
      if (sawEof) fail('data after the EOF record', p);
      if (text[p] !== ':') fail(`expected ':' at the start of a record, found '${printable(text[p]!)}'`, p);
      const digits = text.slice(p + 1, stop);
      for (let i = 0; i < digits.length; i++) {
        if (!HEX.test(digits[i]!)) fail(`non-hex character '${printable(digits[i]!)}' in a record`, p + 1 + i);
      }
      if (digits.length % 2 !== 0) fail(`record has an odd number of hex digits (${digits.length})`, p);
      if (digits.length < 10) fail(`record too short (${digits.length / 2} bytes, at least 5 needed)`, p);
      const bytes = new Uint8Array(digits.length / 2);
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
      const len = bytes[0]!;
      if (len + 5 !== bytes.length) fail(`record length field says ${len} data bytes, the record holds ${bytes.length - 5}`, p + 1);
      let sum = 0;
      for (const b of bytes) sum += b;
      if ((sum & 0xff) !== 0) {
        const expected = (0x100 - ((sum - bytes[bytes.length - 1]!) & 0xff)) & 0xff;
        fail(`bad record checksum 0x${hex2(bytes[bytes.length - 1]!)} (expected 0x${hex2(expected)})`, p + 1 + (bytes.length - 1) * 2);
      }
      const type = bytes[3]!;
      const rec = { offset: p, type, address: (bytes[1]! << 8) | bytes[2]!, data: bytes.slice(4, 4 + len) };
      const needLen: Record<number, number> = { 1: 0, 2: 2, 3: 4, 4: 2, 5: 4 };
      if (type > 5) fail(`unknown record type 0x${hex2(type)}`, p + 7);
      if (type !== 0 && needLen[type] !== len) fail(`record type 0x${hex2(type)} needs ${needLen[type]} data bytes, has ${len}`, p + 1);
      if (type === 1) sawEof = true;
      records.push(rec);
    }
    pos = lineEnd + 1;
  }
  if (records.length === 0) fail('no Intel HEX records', 0);
  if (!sawEof) fail('no EOF record: file truncated?', data.length);

  // Absolute ranges: check overlaps and records crossing a 64 KiB window with offsets of our own.
  // Like binutils, a type 02 segment base and a type 04 linear base both stay in force and add up (a
  // file switching schemes without resetting the other one lands where objcopy puts it).
  let segBase = 0;
  let extBase = 0;
  let start: number | undefined;
  const ranges: { lo: number; hi: number; offset: number; data: Uint8Array }[] = [];
  for (const r of records) {
    if (r.type === 0 && r.data.length > 0) {
      if (r.address + r.data.length > 0x10000) fail('data record crosses the end of its 64 KiB address window', r.offset);
      const lo = segBase + extBase + r.address;
      if (lo + r.data.length > 0x1_0000_0000) fail('data record beyond the 32-bit address space', r.offset);
      ranges.push({ lo, hi: lo + r.data.length, offset: r.offset, data: r.data });
    } else if (r.type === 2) segBase = ((r.data[0]! << 8) | r.data[1]!) << 4;
    else if (r.type === 4) extBase = ((r.data[0]! << 24) | (r.data[1]! << 16)) >>> 0;
    else if (r.type === 3) start = ((r.data[0]! << 8) | r.data[1]!) * 16 + ((r.data[2]! << 8) | r.data[3]!);
    else if (r.type === 5) start = ((r.data[0]! << 24) | (r.data[1]! << 16) | (r.data[2]! << 8) | r.data[3]!) >>> 0;
  }
  const sorted = [...ranges].sort((a, b) => a.lo - b.lo || a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (b.lo < a.hi) {
      const later = a.offset > b.offset ? a : b;
      fail(`data record overlaps earlier data at ${hex32(Math.max(a.lo, b.lo))}`, later.offset);
    }
  }

  // The records are valid; nrf-intel-hex joins them into blocks. It refuses anything between records and
  // knows only one base at a time, so it gets a canonical text: data at the absolute addresses computed
  // above, type 04 records only, split at 64 KiB boundaries.
  const lines: string[] = [];
  let upper = -1;
  for (const g of ranges) {
    for (let a = g.lo; a < g.hi; ) {
      const n = Math.min(g.hi, (Math.floor(a / 0x10000) + 1) * 0x10000) - a;
      if (Math.floor(a / 0x10000) !== upper) {
        upper = Math.floor(a / 0x10000);
        lines.push(recordHex({ offset: 0, type: 4, address: 0, data: new Uint8Array([upper >> 8, upper & 0xff]) }));
      }
      lines.push(recordHex({ offset: 0, type: 0, address: a & 0xffff, data: g.data.subarray(a - g.lo, a - g.lo + n) }));
      a += n;
    }
  }
  lines.push(recordHex({ offset: 0, type: 1, address: 0, data: new Uint8Array(0) }));
  const canonical = lines.map((l) => ':' + l).join('\n') + '\n';
  let map: Map<number, Uint8Array>;
  try {
    map = MemoryMap.fromHex(canonical);
  } catch (e) {
    // Not expected after the checks above; keep the message one line.
    return fail(`bad Intel HEX file: ${(e as Error).message.split('\n')[0]}`, 0);
  }
  const segments: Segment[] = [...map].map(([address, block]) => ({ address, data: block })).sort((a, b) => a.address - b.address);
  return { segments, start, records };
}

function recordHex(r: IntelHexRecord): string {
  const b = new Uint8Array(5 + r.data.length);
  b[0] = r.data.length;
  b[1] = r.address >> 8;
  b[2] = r.address & 0xff;
  b[3] = r.type;
  b.set(r.data, 4);
  let sum = 0;
  for (let i = 0; i < b.length - 1; i++) sum += b[i]!;
  b[b.length - 1] = -sum & 0xff;
  return Buffer.from(b).toString('hex').toUpperCase();
}

function hex2(v: number): string {
  return v.toString(16).padStart(2, '0').toUpperCase();
}

function printable(c: string): string {
  const code = c.charCodeAt(0);
  return code >= 0x20 && code < 0x7f ? c : `\\x${code.toString(16).padStart(2, '0')}`;
}
