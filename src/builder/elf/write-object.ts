/**
 * ObjectFile → ELF32 ARM ET_REL (`.o`), readable by binutils and linkable by GNU ld.
 * Layout: ELF header, section contents, .rel.<sec> tables, .ARM.attributes, .symtab, .strtab, .shstrtab,
 * then the section header table. Symbol order follows the gABI: the null symbol, the STT_FILE symbol,
 * one STT_SECTION symbol per section, mapping symbols and other locals, then globals and weaks.
 */
import type { ObjectFile, ObjectSymbol } from '../object.js';
import {
  ByteWriter,
  EF_ARM_EABI_VER5,
  ET_REL,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_INFO_LINK,
  SHF_WRITE,
  SHN_ABS,
  SHT_ARM_ATTRIBUTES,
  SHT_NOBITS,
  SHT_PROGBITS,
  SHT_REL,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_GLOBAL,
  STB_LOCAL,
  STB_WEAK,
  STT_FILE,
  STT_FUNC,
  STT_NOTYPE,
  STT_OBJECT,
  STT_SECTION,
  StringTable,
  armAttributes,
  writeElfHeader,
  writeSectionHeader,
  type FloatAbi,
  type SectionHeader,
} from './format.js';
import { writeAddend } from './reloc-fields.js';

export function sectionFlags(kind: 'text' | 'rodata' | 'data' | 'bss'): number {
  switch (kind) {
    case 'text':
      return SHF_ALLOC | SHF_EXECINSTR;
    case 'rodata':
      return SHF_ALLOC;
    default:
      return SHF_ALLOC | SHF_WRITE;
  }
}

export const SYMBOL_TYPE = { notype: STT_NOTYPE, object: STT_OBJECT, func: STT_FUNC, section: STT_SECTION } as const;
export const SYMBOL_BIND = { local: STB_LOCAL, global: STB_GLOBAL, weak: STB_WEAK } as const;

interface ElfSym {
  name: number;
  value: number;
  size: number;
  info: number;
  shndx: number;
}

/** Thrown for an object the writer cannot express (bad section index, unencodable addend): a builder bug. */
export class ObjectWriteError extends Error {}

export interface WriteObjectOptions {
  /** Float ABI recorded in .ARM.attributes (default 'soft'); 'hard' lets GNU ld mix it with -mfloat-abi=hard objects. */
  floatAbi?: FloatAbi;
}

export function writeObject(obj: ObjectFile, opts: WriteObjectOptions = {}): Uint8Array {
  const nsec = obj.sections.length;
  // Section header indices: 0 null, 1..nsec contents, then rel tables, attributes, symtab, strtab, shstrtab.
  const relSections = obj.sections.map((s, i) => ({ s, i })).filter((x) => x.s.relocs.length > 0);
  const relIndex0 = 1 + nsec;
  const attrIndex = relIndex0 + relSections.length;
  const symtabIndex = attrIndex + 1;
  const strtabIndex = symtabIndex + 1;
  const shstrIndex = strtabIndex + 1;

  const strtab = new StringTable();
  const shstr = new StringTable();

  // --- symbols
  const syms: ElfSym[] = [{ name: 0, value: 0, size: 0, info: 0, shndx: 0 }];
  syms.push({ name: strtab.add(obj.name), value: 0, size: 0, info: (STB_LOCAL << 4) | STT_FILE, shndx: SHN_ABS });
  const sectionSym: number[] = [];
  for (let i = 0; i < nsec; i++) {
    sectionSym.push(syms.length);
    syms.push({ name: 0, value: 0, size: 0, info: (STB_LOCAL << 4) | STT_SECTION, shndx: 1 + i });
  }
  // Mapping symbols tell disassemblers which bytes are Thumb code ($t) and data ($d) (AAELF32 §5.5.5).
  const hasMapping = new Set(obj.symbols.filter((s) => s.name === '$t' || s.name === '$d').map((s) => s.section));
  const mapping: ObjectSymbol[] = [];
  obj.sections.forEach((s, i) => {
    if (hasMapping.has(i) || s.size === 0) return;
    mapping.push({ name: s.kind === 'text' ? '$t' : '$d', section: i, value: 0, size: 0, binding: 'local', type: 'notype' });
  });
  const all = [...mapping, ...obj.symbols.filter((s) => s.type !== 'section')];
  const locals = all.filter((s) => s.binding === 'local');
  const globals = all.filter((s) => s.binding !== 'local');
  const byName = new Map<string, number>();
  const localByName = new Map<string, number>();
  const addSym = (s: ObjectSymbol): void => {
    let shndx: number;
    if (s.section === -1) shndx = 0;
    else if (s.section === -2) shndx = SHN_ABS;
    else if (s.section >= 0 && s.section < nsec) shndx = 1 + s.section;
    else throw new ObjectWriteError(`${obj.name}: symbol ${s.name} names section ${s.section} of ${nsec}`);
    const thumb = s.type === 'func' && s.section >= 0 && obj.sections[s.section]!.kind === 'text' ? 1 : 0;
    const idx = syms.length;
    syms.push({
      name: strtab.add(s.name),
      value: (s.value | thumb) >>> 0,
      size: s.size,
      info: (SYMBOL_BIND[s.binding] << 4) | SYMBOL_TYPE[s.type],
      shndx,
    });
    if (s.name.startsWith('$')) return;
    if (s.binding === 'local') {
      if (!localByName.has(s.name)) localByName.set(s.name, idx);
    } else byName.set(s.name, idx);
  };
  locals.forEach(addSym);
  const firstGlobal = syms.length;
  globals.forEach(addSym);
  const sectionByName = new Map<string, number>();
  obj.sections.forEach((s, i) => {
    if (!sectionByName.has(s.name)) sectionByName.set(s.name, i);
  });
  const symbolIndex = (name: string): number => {
    const local = localByName.get(name) ?? byName.get(name);
    if (local !== undefined) return local;
    const sec = sectionByName.get(name);
    if (sec !== undefined) return sectionSym[sec]!;
    // A reference to a symbol the object does not list: an undefined global, as an assembler would make it.
    const idx = syms.length;
    syms.push({ name: strtab.add(name), value: 0, size: 0, info: (STB_GLOBAL << 4) | STT_NOTYPE, shndx: 0 });
    byName.set(name, idx);
    return idx;
  };

  // --- contents with addends encoded in the places
  const contents = obj.sections.map((s) => {
    if (s.kind === 'bss') return new Uint8Array(0);
    const d = s.data.slice();
    for (const r of s.relocs) {
      const why = writeAddend(r.type, d, r.offset, r.addend);
      if (why) throw new ObjectWriteError(`${obj.name}: ${s.name}+0x${r.offset.toString(16)} (${r.symbol}): addend ${r.addend}: ${why}`);
    }
    return d;
  });
  const relTables = relSections.map(({ s }) => {
    const w = new ByteWriter();
    for (const r of s.relocs) {
      w.u32(r.offset);
      w.u32((symbolIndex(r.symbol) << 8) | (r.type & 0xff));
    }
    return w.result();
  });

  const symw = new ByteWriter();
  for (const s of syms) {
    symw.u32(s.name);
    symw.u32(s.value);
    symw.u32(s.size);
    symw.u8(s.info);
    symw.u8(0);
    symw.u16(s.shndx);
  }

  // --- file
  const w = new ByteWriter();
  w.padTo(52);
  const headers: SectionHeader[] = [{ name: 0, type: 0, flags: 0, addr: 0, offset: 0, size: 0, link: 0, info: 0, addralign: 0, entsize: 0 }];
  obj.sections.forEach((s, i) => {
    const align = Math.max(1, s.align);
    w.align(Math.min(align, 16));
    headers.push({
      name: shstr.add(s.name),
      type: s.kind === 'bss' ? SHT_NOBITS : SHT_PROGBITS,
      flags: sectionFlags(s.kind),
      addr: 0,
      offset: w.length,
      size: s.kind === 'bss' ? s.size : contents[i]!.length,
      link: 0,
      info: 0,
      addralign: align,
      entsize: 0,
    });
    w.bytes(contents[i]!);
  });
  relSections.forEach(({ s, i }, k) => {
    w.align(4);
    headers.push({
      name: shstr.add('.rel' + s.name),
      type: SHT_REL,
      flags: SHF_INFO_LINK,
      addr: 0,
      offset: w.length,
      size: relTables[k]!.length,
      link: symtabIndex,
      info: 1 + i,
      addralign: 4,
      entsize: 8,
    });
    w.bytes(relTables[k]!);
  });
  const attrs = armAttributes(opts.floatAbi);
  headers.push({ name: shstr.add('.ARM.attributes'), type: SHT_ARM_ATTRIBUTES, flags: 0, addr: 0, offset: w.length, size: attrs.length, link: 0, info: 0, addralign: 1, entsize: 0 });
  w.bytes(attrs);
  w.align(4);
  const symBytes = symw.result();
  headers.push({ name: shstr.add('.symtab'), type: SHT_SYMTAB, flags: 0, addr: 0, offset: w.length, size: symBytes.length, link: strtabIndex, info: firstGlobal, addralign: 4, entsize: 16 });
  w.bytes(symBytes);
  const strBytes = strtab.bytes();
  headers.push({ name: shstr.add('.strtab'), type: SHT_STRTAB, flags: 0, addr: 0, offset: w.length, size: strBytes.length, link: 0, info: 0, addralign: 1, entsize: 0 });
  w.bytes(strBytes);
  const shstrName = shstr.add('.shstrtab');
  const shBytes = shstr.bytes();
  headers.push({ name: shstrName, type: SHT_STRTAB, flags: 0, addr: 0, offset: w.length, size: shBytes.length, link: 0, info: 0, addralign: 1, entsize: 0 });
  w.bytes(shBytes);
  w.align(4);
  const shoff = w.length;
  for (const h of headers) writeSectionHeader(w, h);
  if (headers.length !== shstrIndex + 1) throw new ObjectWriteError('section header count mismatch');

  const out = w.result();
  const hw = new ByteWriter();
  writeElfHeader(hw, { type: ET_REL, entry: 0, phoff: 0, shoff, flags: EF_ARM_EABI_VER5, phnum: 0, shnum: headers.length, shstrndx: shstrIndex });
  out.set(hw.result(), 0);
  return out;
}
