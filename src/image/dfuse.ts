/**
 * DfuSe files (ST UM0391, v1.1a) and the DFU 1.1 file suffix, as ST's DFU File Manager, dfu-util's
 * `dfuse-pack` and `dfu-suffix` read and write them. All fields little-endian:
 *
 *   prefix   "DfuSe" u8 version=1, u32 DFUImageSize, u8 bTargets                        (11 bytes)
 *   target   "Target" u8 alt, u32 bTargetNamed, char[255] name, u32 size, u32 nElements  (274 bytes)
 *   element  u32 address, u32 size, data
 *   suffix   u16 bcdDevice, u16 idProduct, u16 idVendor, u16 bcdDFU, "UFD", u8 bLength=16, u32 CRC
 *
 * DFUImageSize counts the whole file including the suffix, as dfuse-pack writes it; a file whose size
 * field excludes the suffix is accepted too (some writers do that). The CRC covers every byte before it
 * (see crc32.ts: no final inversion).
 */
import { UserError } from '../core/errors.js';
import { dfuCrc } from './crc32.js';
import { hex32, type Segment } from './image.js';

export const DFU_SUFFIX_LENGTH = 16;
export const DFUSE_PREFIX_LENGTH = 11;
export const DFUSE_TARGET_PREFIX_LENGTH = 274;
const NAME_LENGTH = 255;
const ASCII = new TextEncoder();

export interface DfuSuffixFields {
  /** bcdDevice: firmware version; 0xffff means "any". */
  readonly device: number;
  readonly pid: number;
  readonly vid: number;
  /** bcdDFU: 0x011a for DfuSe, 0x0100 for plain DFU 1.0/1.1 files. */
  readonly bcdDfu: number;
}

export interface DfuSuffix extends DfuSuffixFields {
  readonly length: number;
  readonly crc: number;
}

export interface DfuTarget {
  readonly alt: number;
  /** The target name when bTargetNamed is set, else undefined. */
  readonly name?: string;
  readonly elements: readonly Segment[];
}

export interface DfuSeFile {
  readonly targets: readonly DfuTarget[];
  readonly suffix: DfuSuffix;
}

export function isDfuSe(data: Uint8Array): boolean {
  return data.length >= 5 && new TextDecoder().decode(data.subarray(0, 5)) === 'DfuSe';
}

/** The DfuSe body (prefix, targets, elements) without the suffix. */
export function buildDfuSeBody(targets: readonly DfuTarget[], withSuffixInSize = true): Uint8Array {
  if (targets.length > 255) throw new UserError(`a DfuSe file holds at most 255 targets, got ${targets.length}`);
  let size = DFUSE_PREFIX_LENGTH;
  for (const t of targets) {
    size += DFUSE_TARGET_PREFIX_LENGTH;
    for (const e of t.elements) size += 8 + e.data.length;
  }
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out.set(ASCII.encode('DfuSe'), 0);
  out[5] = 0x01;
  dv.setUint32(6, size + (withSuffixInSize ? DFU_SUFFIX_LENGTH : 0), true);
  out[10] = targets.length;
  let p = DFUSE_PREFIX_LENGTH;
  for (const t of targets) {
    const start = p;
    out.set(ASCII.encode('Target'), p);
    out[p + 6] = t.alt;
    dv.setUint32(p + 7, t.name !== undefined ? 1 : 0, true);
    if (t.name !== undefined) {
      const name = ASCII.encode(t.name);
      // The name field is NUL-terminated within its 255 bytes.
      if (name.length >= NAME_LENGTH) throw new UserError(`DfuSe target name longer than ${NAME_LENGTH - 1} bytes`);
      out.set(name, p + 11);
    }
    p += DFUSE_TARGET_PREFIX_LENGTH;
    for (const e of t.elements) {
      dv.setUint32(p, e.address >>> 0, true);
      dv.setUint32(p + 4, e.data.length, true);
      out.set(e.data, p + 8);
      p += 8 + e.data.length;
    }
    dv.setUint32(start + 266, p - start - DFUSE_TARGET_PREFIX_LENGTH, true);
    dv.setUint32(start + 270, t.elements.length, true);
  }
  return out;
}

/** Appends the 16-byte DFU suffix with its CRC, as `dfu-suffix -a` does. */
export function addDfuSuffix(body: Uint8Array, f: DfuSuffixFields): Uint8Array {
  const out = new Uint8Array(body.length + DFU_SUFFIX_LENGTH);
  out.set(body, 0);
  const dv = new DataView(out.buffer);
  const s = body.length;
  dv.setUint16(s, f.device, true);
  dv.setUint16(s + 2, f.pid, true);
  dv.setUint16(s + 4, f.vid, true);
  dv.setUint16(s + 6, f.bcdDfu, true);
  out.set(ASCII.encode('UFD'), s + 8);
  out[s + 11] = DFU_SUFFIX_LENGTH;
  dv.setUint32(s + 12, dfuCrc(out.subarray(0, s + 12)), true);
  return out;
}

export function buildDfuSe(targets: readonly DfuTarget[], f: Omit<DfuSuffixFields, 'bcdDfu'>): Uint8Array {
  return addDfuSuffix(buildDfuSeBody(targets), { ...f, bcdDfu: 0x011a });
}

function failer(source: string) {
  return (what: string, off: number): never => {
    throw new UserError(`${source}: ${what} (at offset ${hex32(off)})`);
  };
}

/**
 * Reads and checks the DFU suffix like dfu-util 0.11 does before using a file, in its order (size,
 * signature, CRC, length) and with its wording ("Invalid DFU suffix signature", "DFU suffix CRC does
 * not match", "File too short for DFU suffix").
 */
export function parseDfuSuffix(data: Uint8Array, source: string): DfuSuffix {
  const fail = failer(source);
  if (data.length < DFU_SUFFIX_LENGTH) fail(`file too short for DFU suffix (${data.length} bytes)`, 0);
  const s = data.length - DFU_SUFFIX_LENGTH;
  if (data[s + 8] !== 0x55 || data[s + 9] !== 0x46 || data[s + 10] !== 0x44) fail('invalid DFU suffix signature (expected "UFD")', s + 8);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const crc = dv.getUint32(s + 12, true);
  const computed = dfuCrc(data.subarray(0, s + 12));
  if (crc !== computed) fail(`DFU suffix CRC does not match (file has ${hex32(crc)}, contents give ${hex32(computed)})`, s + 12);
  const length = data[s + 11]!;
  if (length !== DFU_SUFFIX_LENGTH) fail(`unsupported DFU suffix length ${length} (expected 16)`, s + 11);
  return {
    device: dv.getUint16(s, true),
    pid: dv.getUint16(s + 2, true),
    vid: dv.getUint16(s + 4, true),
    bcdDfu: dv.getUint16(s + 6, true),
    length,
    crc,
  };
}

export function parseDfuSe(data: Uint8Array, source: string): DfuSeFile {
  const fail = failer(source);
  if (data.length === 0) fail('empty file', 0);
  if (!isDfuSe(data)) fail('not a DfuSe file (no "DfuSe" signature)', 0);
  const suffix = parseDfuSuffix(data, source);
  if (suffix.bcdDfu !== 0x011a) fail(`DFU suffix bcdDFU is 0x${suffix.bcdDfu.toString(16).padStart(4, '0')}, a DfuSe file needs 0x011a`, data.length - 10);
  const end = data.length - DFU_SUFFIX_LENGTH;
  if (end < DFUSE_PREFIX_LENGTH) fail('truncated DfuSe prefix', end);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data[5] !== 0x01) fail(`unsupported DfuSe version ${data[5]!} (expected 1)`, 5);
  const imageSize = dv.getUint32(6, true);
  if (imageSize !== data.length && imageSize !== end) fail(`DfuSe image size ${imageSize} does not match the file (${data.length} bytes)`, 6);
  const nTargets = data[10]!;
  const targets: DfuTarget[] = [];
  let p = DFUSE_PREFIX_LENGTH;
  for (let t = 0; t < nTargets; t++) {
    if (p + DFUSE_TARGET_PREFIX_LENGTH > end) fail(`target ${t}: truncated target prefix`, p);
    if (new TextDecoder().decode(data.subarray(p, p + 6)) !== 'Target') fail(`target ${t}: no "Target" signature`, p);
    const alt = data[p + 6]!;
    const named = dv.getUint32(p + 7, true) !== 0;
    const raw = data.subarray(p + 11, p + 11 + NAME_LENGTH);
    const nul = raw.indexOf(0);
    const name = named ? new TextDecoder('latin1').decode(raw.subarray(0, nul < 0 ? raw.length : nul)) : undefined;
    const size = dv.getUint32(p + 266, true);
    const nElements = dv.getUint32(p + 270, true);
    const body = p + DFUSE_TARGET_PREFIX_LENGTH;
    if (body + size > end) fail(`target ${t}: size ${size} runs past the end of the image`, p + 266);
    let q = body;
    const elements: Segment[] = [];
    for (let e = 0; e < nElements; e++) {
      if (q + 8 > body + size) fail(`target ${t} element ${e}: truncated element header`, q);
      const address = dv.getUint32(q, true);
      const len = dv.getUint32(q + 4, true);
      if (q + 8 + len > body + size) fail(`target ${t} element ${e}: size ${len} runs past the end of the target`, q + 4);
      if (address + len > 0x1_0000_0000) fail(`target ${t} element ${e}: ends beyond the 32-bit address space`, q);
      elements.push({ address, data: data.slice(q + 8, q + 8 + len) });
      q += 8 + len;
    }
    if (q !== body + size) fail(`target ${t}: ${body + size - q} bytes after its last element`, q);
    targets.push({ alt, name, elements });
    p = body + size;
  }
  if (p !== end) fail(`${end - p} unexpected bytes after the last target`, p);
  return { targets, suffix };
}
