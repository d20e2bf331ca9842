/**
 * ELF32 little-endian reader for ARM executables: loadable segments at their physical (load) addresses,
 * as `qemu-system-arm -kernel` and `objcopy -O binary` place them, and the symbol table for traces.
 * Every malformed field is reported with its file offset.
 */
import { UserError } from '../core/errors.js';
import { hex32, type FirmwareImage, type Segment } from './image.js';

const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const EM_ARM = 40;
const EM_XTENSA = 94;

export function isElf(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46;
}

export interface ElfInfo {
  readonly machine: number;
  readonly entry: number;
  readonly segments: Segment[];
  readonly symbols: Map<number, string>;
}

export function parseElf(data: Uint8Array, source: string): ElfInfo {
  const fail = (what: string, off: number): never => {
    throw new UserError(`${source}: bad ELF file: ${what} (at offset ${hex32(off)})`);
  };
  if (!isElf(data)) fail('no ELF magic', 0);
  if (data.length < 52) fail('file shorter than the ELF header', data.length);
  if (data[4] !== 1) fail('not a 32-bit ELF (EI_CLASS)', 4);
  if (data[5] !== 1) fail('not little-endian (EI_DATA)', 5);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u16 = (o: number) => (o + 2 <= data.length ? dv.getUint16(o, true) : fail('truncated', o));
  const u32 = (o: number) => (o + 4 <= data.length ? dv.getUint32(o, true) : fail('truncated', o));
  const machine = u16(18);
  if (machine !== EM_ARM && machine !== EM_XTENSA) fail(`unsupported machine ${machine} (expected ARM)`, 18);
  const entry = u32(24);
  const phoff = u32(28);
  const shoff = u32(32);
  const phentsize = u16(42);
  const phnum = u16(44);
  const shentsize = u16(46);
  const shnum = u16(48);

  if (phoff + phnum * phentsize > data.length) fail(`program header table (${phnum} entries) beyond end of file`, 28);
  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (u32(ph) !== PT_LOAD) continue;
    const offset = u32(ph + 4);
    const paddr = u32(ph + 12);
    const filesz = u32(ph + 16);
    if (filesz === 0) continue;
    if (offset + filesz > data.length) fail(`segment ${i} data beyond end of file`, ph + 4);
    segments.push({ address: paddr, data: data.slice(offset, offset + filesz) });
  }
  segments.sort((a, b) => a.address - b.address);

  const symbols = new Map<number, string>();
  if (shoff !== 0 && shentsize >= 40) {
    for (let i = 0; i < shnum; i++) {
      const sh = shoff + i * shentsize;
      if (sh + 40 > data.length) break;
      if (u32(sh + 4) !== SHT_SYMTAB) continue;
      const symOff = u32(sh + 16);
      const symSize = u32(sh + 20);
      const strIdx = u32(sh + 24);
      const strSh = shoff + strIdx * shentsize;
      if (strSh + 40 > data.length) continue;
      const strOff = u32(strSh + 16);
      const strSize = u32(strSh + 20);
      for (let s = symOff; s + 16 <= symOff + symSize && s + 16 <= data.length; s += 16) {
        const nameOff = u32(s);
        const value = u32(s + 4);
        const type = data[s + 12]! & 0xf;
        if (type !== 1 && type !== 2) continue; // OBJECT, FUNC
        if (nameOff >= strSize) continue;
        let end = strOff + nameOff;
        while (end < data.length && end < strOff + strSize && data[end] !== 0) end++;
        const name = new TextDecoder().decode(data.subarray(strOff + nameOff, end));
        if (name) symbols.set(type === 2 ? value & ~1 : value, name);
      }
    }
  }
  return { machine, entry, segments, symbols };
}

export function loadElf(data: Uint8Array, source: string): FirmwareImage {
  const e = parseElf(data, source);
  return { format: 'elf', source, segments: e.segments, entry: e.entry, symbols: e.symbols };
}

export interface ElfSection extends Segment {
  readonly name: string;
}

const SHF_ALLOC = 0x2;
const SHT_NOBITS = 8;

/**
 * The sections `objcopy -O binary`/`-O ihex` copy: SHF_ALLOC, not NOBITS, non-empty, each at its load
 * address (LMA). Like BFD, a section inside a PT_LOAD segment's file image gets the segment's physical
 * address plus its offset in the segment (so .data initialisers land in flash); any other takes sh_addr.
 * An ELF without section headers falls back to its PT_LOAD segments.
 */
export function elfLoadSections(data: Uint8Array, source: string): ElfSection[] {
  const info = parseElf(data, source);
  const fail = (what: string, off: number): never => {
    throw new UserError(`${source}: bad ELF file: ${what} (at offset ${hex32(off)})`);
  };
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u16 = (o: number) => (o + 2 <= data.length ? dv.getUint16(o, true) : fail('truncated', o));
  const u32 = (o: number) => (o + 4 <= data.length ? dv.getUint32(o, true) : fail('truncated', o));
  const phoff = u32(28);
  const shoff = u32(32);
  const phentsize = u16(42);
  const phnum = u16(44);
  const shentsize = u16(46);
  const shnum = u16(48);
  const shstrndx = u16(50);
  if (shoff === 0 || shnum === 0) return info.segments.map((s, i) => ({ ...s, name: `segment${i}` }));
  if (shentsize < 40) fail(`section header size ${shentsize} (expected 40)`, 46);
  if (shoff + shnum * shentsize > data.length) fail(`section header table (${shnum} entries) beyond end of file`, 32);
  const loads: { offset: number; paddr: number; filesz: number }[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (u32(ph) === PT_LOAD) loads.push({ offset: u32(ph + 4), paddr: u32(ph + 12), filesz: u32(ph + 16) });
  }
  const strSh = shstrndx < shnum ? shoff + shstrndx * shentsize : -1;
  const nameOf = (nameOff: number): string => {
    if (strSh < 0) return '';
    const base = u32(strSh + 16) + nameOff;
    let end = base;
    while (end < data.length && data[end] !== 0) end++;
    return new TextDecoder().decode(data.subarray(Math.min(base, data.length), end));
  };
  const out: ElfSection[] = [];
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    const type = u32(sh + 4);
    const flags = u32(sh + 8);
    const addr = u32(sh + 12);
    const offset = u32(sh + 16);
    const size = u32(sh + 20);
    if (!(flags & SHF_ALLOC) || type === SHT_NOBITS || size === 0) continue;
    if (offset + size > data.length) fail(`section ${i} data beyond end of file`, sh + 16);
    const seg = loads.find((l) => offset >= l.offset && offset + size <= l.offset + l.filesz);
    const address = seg ? (seg.paddr + (offset - seg.offset)) >>> 0 : addr;
    out.push({ name: nameOf(u32(sh)), address, data: data.slice(offset, offset + size) });
  }
  return out;
}
