/**
 * The image conversion tools behind `emboard hex2bin`, `bin2hex`, `elf2bin`, `elf2hex`, `bin2dfu`,
 * `hex2dfu`, `elf2dfu`, `dfu2bin` and `info`: one function per tool, taking paths and options, writing
 * the output atomically and returning what was written (the CLI prints it under -v). Bad input throws a
 * one-line UserError naming the file and, where there is one, the offset.
 */
import { UserError } from '../core/errors.js';
import { crc32 } from '../image/crc32.js';
import { buildDfuSe, type DfuTarget, isDfuSe, parseDfuSe, parseDfuSuffix } from '../image/dfuse.js';
import { elfLoadSections, isElf, parseElf } from '../image/elf.js';
import { readInputFile, writeOutputFile } from '../image/file-io.js';
import { flatten, type FlattenOptions } from '../image/bin-writer.js';
import { readIntelHex } from '../image/ihex-read.js';
import { looksLikeIntelHex } from '../image/ihex.js';
import { writeIntelHex } from '../image/ihex-writer.js';
import { hex32, type Segment } from '../image/image.js';

export interface WriteResult {
  /** Output file. */
  readonly path: string;
  readonly bytes: number;
  /** Address ranges written, for -v. */
  readonly segments: readonly { address: number; length: number }[];
}

export interface DfuOptions {
  vid?: number;
  pid?: number;
  /** bcdDevice. */
  device?: number;
  alt?: number;
  /** Target name; '' writes an unnamed target. */
  name?: string;
}

/** ST's DfuSe defaults for the STM32 system-memory bootloader. */
export const DFU_DEFAULTS = { vid: 0x0483, pid: 0xdf11, device: 0xffff, alt: 0, name: 'ST...' } as const;
/** Where bin2dfu puts a raw binary without --base: STM32 internal flash. */
export const DEFAULT_DFU_ADDRESS = 0x08000000;

function summary(path: string, bytes: number, segs: readonly Segment[]): WriteResult {
  return { path, bytes, segments: segs.map((s) => ({ address: s.address, length: s.data.length })) };
}

function requireFormat(path: string, data: Uint8Array, want: 'ihex' | 'elf' | 'dfuse'): void {
  const ok = want === 'elf' ? isElf(data) : want === 'dfuse' ? isDfuSe(data) : looksLikeIntelHex(data);
  const label = { ihex: 'an Intel HEX file', elf: 'an ELF file (no \\x7fELF magic)', dfuse: 'a DfuSe file (no "DfuSe" signature)' }[want];
  if (!ok) {
    if (want === 'ihex') readIntelHex(data, path); // reports the first bad byte with its offset
    throw new UserError(`${path}: not ${label} (at offset 0x00000000)`);
  }
}

function readHex(path: string) {
  const data = readInputFile(path);
  requireFormat(path, data, 'ihex');
  return readIntelHex(data, path);
}

function readElf(path: string) {
  const data = readInputFile(path);
  requireFormat(path, data, 'elf');
  return { sections: elfLoadSections(data, path), entry: parseElf(data, path).entry };
}

/** Adjacent segments joined: one DfuSe element per contiguous run, as ST's tools make them. */
function mergeContiguous(segs: readonly Segment[]): Segment[] {
  const sorted = [...segs].filter((s) => s.data.length > 0).sort((a, b) => a.address - b.address);
  const out: Segment[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && last.address + last.data.length === s.address) {
      const d = new Uint8Array(last.data.length + s.data.length);
      d.set(last.data, 0);
      d.set(s.data, last.data.length);
      out[out.length - 1] = { address: last.address, data: d };
    } else if (last && s.address < last.address + last.data.length) {
      throw new UserError(`sections overlap at ${hex32(s.address)}`);
    } else out.push(s);
  }
  return out;
}

/** Errors about the data as a whole (size, --base) name the input file too. */
function about<T>(input: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof UserError && !e.message.startsWith(input)) throw new UserError(`${input}: ${e.message}`, e.exitCode);
    throw e;
  }
}

function writeFlat(input: string, out: string, segs: readonly Segment[], opts: FlattenOptions): WriteResult {
  const flat = about(input, () => flatten(segs, opts));
  writeOutputFile(out, flat.data);
  return summary(out, flat.data.length, [flat]);
}

export function hex2bin(input: string, out: string, opts: FlattenOptions = {}): WriteResult {
  return writeFlat(input, out, readHex(input).segments, opts);
}

export function elf2bin(input: string, out: string, opts: FlattenOptions = {}): WriteResult {
  return writeFlat(input, out, readElf(input).sections, opts);
}

/** objcopy -I binary -O ihex --change-addresses BASE: the start address defaults to BASE. */
export function bin2hex(input: string, out: string, opts: { base?: number; start?: number } = {}): WriteResult {
  const data = readInputFile(input);
  const base = opts.base ?? 0;
  if (base + data.length > 0x1_0000_0000) throw new UserError(`${input}: ${data.length} bytes at ${hex32(base)} run past the 32-bit address space`);
  const seg = [{ address: base, data }];
  const text = writeIntelHex(seg, opts.start ?? base);
  writeOutputFile(out, text);
  return summary(out, text.length, seg);
}

export function elf2hex(input: string, out: string): WriteResult {
  const { sections, entry } = readElf(input);
  const text = writeIntelHex(sections, entry);
  writeOutputFile(out, text);
  return summary(out, text.length, sections);
}

function writeDfu(out: string, elements: readonly Segment[], opts: DfuOptions): WriteResult {
  const o = { ...DFU_DEFAULTS, ...opts };
  const target: DfuTarget = { alt: o.alt, name: o.name === '' ? undefined : o.name, elements };
  const file = buildDfuSe([target], { vid: o.vid, pid: o.pid, device: o.device });
  writeOutputFile(out, file);
  return summary(out, file.length, elements);
}

export function bin2dfu(input: string, out: string, opts: DfuOptions & { base?: number } = {}): WriteResult {
  const data = readInputFile(input);
  const base = opts.base ?? DEFAULT_DFU_ADDRESS;
  if (base + data.length > 0x1_0000_0000) throw new UserError(`${input}: ${data.length} bytes at ${hex32(base)} run past the 32-bit address space`);
  return writeDfu(out, [{ address: base, data }], opts);
}

export function hex2dfu(input: string, out: string, opts: DfuOptions = {}): WriteResult {
  return writeDfu(out, about(input, () => mergeContiguous(readHex(input).segments)), opts);
}

export function elf2dfu(input: string, out: string, opts: DfuOptions = {}): WriteResult {
  return writeDfu(out, about(input, () => mergeContiguous(readElf(input).sections)), opts);
}

export interface Dfu2BinOptions {
  /** Element index across all targets, in file order. */
  element?: number;
  /** Write every element: OUT with `.N` before its extension. */
  each?: boolean;
}

function elementPath(out: string, i: number): string {
  const dot = out.lastIndexOf('.');
  const slash = Math.max(out.lastIndexOf('/'), out.lastIndexOf('\\'));
  return dot > slash + 1 ? `${out.slice(0, dot)}.${i}${out.slice(dot)}` : `${out}.${i}`;
}

export function dfu2bin(input: string, out: string, opts: Dfu2BinOptions = {}): WriteResult[] {
  const data = readInputFile(input);
  if (!isDfuSe(data)) {
    // A plain DFU file: payload plus suffix; the payload is the binary.
    const suffix = parseDfuSuffix(data, input);
    const payload = data.subarray(0, data.length - suffix.length);
    writeOutputFile(out, payload);
    return [summary(out, payload.length, [{ address: 0, data: payload }])];
  }
  const elements = parseDfuSe(data, input).targets.flatMap((t) => t.elements);
  if (elements.length === 0) throw new UserError(`${input}: DfuSe file has no image elements`);
  if (opts.each) {
    return elements.map((e, i) => {
      const p = elementPath(out, i);
      writeOutputFile(p, e.data);
      return summary(p, e.data.length, [e]);
    });
  }
  let index = opts.element;
  if (index === undefined) {
    if (elements.length > 1) {
      const list = elements.map((e, i) => `${i}: ${hex32(e.address)}+${e.data.length}`).join(', ');
      throw new UserError(`${input}: DfuSe file has ${elements.length} elements (${list}); choose one with --element N or write all with --each`);
    }
    index = 0;
  }
  const e = elements[index];
  if (!e) throw new UserError(`--element ${index}: ${input} has elements 0 to ${elements.length - 1}`);
  writeOutputFile(out, e.data);
  return [summary(out, e.data.length, [e])];
}

/** `emboard info`: a human-readable description, one fact per line. */
export function info(input: string, opts: { base?: number } = {}): string[] {
  const data = readInputFile(input);
  const lines: string[] = [`file:        ${input} (${data.length} bytes)`];
  let segs: { address: number; data: Uint8Array; label: string }[];
  let entry: number | undefined;
  if (isDfuSe(data)) {
    const f = parseDfuSe(data, input);
    lines.push(`format:      DfuSe v1.1a, ${f.targets.length} target(s)`);
    const s = f.suffix;
    lines.push(`dfu suffix:  VID 0x${h4(s.vid)} PID 0x${h4(s.pid)} device 0x${h4(s.device)} bcdDFU 0x${h4(s.bcdDfu)} CRC ${hex32(s.crc)} (ok)`);
    segs = f.targets.flatMap((t, ti) =>
      t.elements.map((e, ei) => ({ ...e, label: `target ${ti} alt ${t.alt}${t.name !== undefined ? ` "${t.name}"` : ''} element ${ei}` })),
    );
  } else if (isElf(data)) {
    const sections = elfLoadSections(data, input);
    entry = parseElf(data, input).entry;
    lines.push('format:      ELF32 little-endian ARM executable');
    segs = sections.map((s) => ({ ...s, label: s.name }));
  } else if (looksLikeIntelHex(data)) {
    const h = readIntelHex(data, input);
    entry = h.start;
    lines.push(`format:      Intel HEX, ${h.records.length} records`);
    segs = h.segments.map((s) => ({ ...s, label: '' }));
  } else {
    lines.push(`format:      raw binary, loaded at ${hex32(opts.base ?? 0)}${opts.base === undefined ? ' (use --base to change)' : ''}`);
    segs = [{ address: opts.base ?? 0, data, label: '' }];
  }
  segs.sort((a, b) => a.address - b.address);
  segs.forEach((s, i) => {
    const range = s.data.length ? `${hex32(s.address)}-${hex32(s.address + s.data.length - 1)}` : `${hex32(s.address)} (empty)`;
    lines.push(`segment ${i}:${' '.repeat(Math.max(1, 4 - String(i).length))}${range} ${String(s.data.length).padStart(8)} bytes${s.label ? `  ${s.label}` : ''}`);
  });
  if (entry !== undefined) lines.push(`entry:       ${hex32(entry)}`);
  const first = segs.find((s) => s.data.length > 0);
  if (first && first.data.length >= 8) {
    const dv = new DataView(first.data.buffer, first.data.byteOffset, first.data.byteLength);
    lines.push(`initial SP:  ${hex32(dv.getUint32(0, true))} (vector table at ${hex32(first.address)})`);
    lines.push(`reset:       ${hex32(dv.getUint32(4, true))}`);
  }
  const total = segs.reduce((n, s) => n + s.data.length, 0);
  lines.push(`size:        ${total} bytes in ${segs.length} segment(s)`);
  try {
    const flat = flatten(segs);
    lines.push(`crc32:       ${hex32(crc32(flat.data))} (flat image ${hex32(flat.address)}-${hex32(flat.address + flat.data.length)}, ${flat.data.length} bytes, gaps 0x00)`);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    lines.push(`crc32:       n/a (${e.message})`);
  }
  return lines;
}

function h4(v: number): string {
  return v.toString(16).padStart(4, '0');
}
