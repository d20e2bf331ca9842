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
