/**
 * ELF32 ARM ET_REL (`.o`) → ObjectFile: ours and arm-none-eabi-gcc's. Only allocated sections are kept
 * (debug info, comments and attributes are dropped); REL addends are decoded out of the places into
 * Relocation.addend (the place bytes stay as they were; the linker overwrites the whole field). Section symbols are named after
 * their section; Thumb function symbols lose their interworking bit (ObjectSymbol convention).
 */
import { UserError } from '../../core/errors.js';
import type { ObjectFile, ObjectSection, ObjectSymbol, Relocation } from '../object.js';
import {
  EM_ARM,
  ET_REL,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHN_ABS,
  SHN_COMMON,
  SHT_NOBITS,
  SHT_REL,
  SHT_RELA,
  SHT_SYMTAB,
  STB_GLOBAL,
  STB_LOCAL,
  STB_WEAK,
  STT_FILE,
  STT_FUNC,
  STT_OBJECT,
  STT_SECTION,
  readString,
} from './format.js';
import { isSupportedReloc, readAddend } from './reloc-fields.js';

export function readObject(data: Uint8Array, source: string): ObjectFile {
  const fail = (what: string, off: number): never => {
    throw new UserError(`${source}: bad ELF object: ${what} (at offset 0x${off.toString(16)})`);
  };
  if (data.length < 52 || data[0] !== 0x7f || data[1] !== 0x45 || data[2] !== 0x4c || data[3] !== 0x46) fail('no ELF magic', 0);
  if (data[4] !== 1 || data[5] !== 1) fail('not ELF32 little-endian', 4);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u8 = (o: number) => (o < data.length ? data[o]! : fail('truncated', o));
  const u16 = (o: number) => (o + 2 <= data.length ? dv.getUint16(o, true) : fail('truncated', o));
  const u32 = (o: number) => (o + 4 <= data.length ? dv.getUint32(o, true) : fail('truncated', o));
  if (u16(16) !== ET_REL) fail(`not a relocatable object (e_type ${u16(16)})`, 16);
  if (u16(18) !== EM_ARM) fail(`not an ARM object (e_machine ${u16(18)})`, 18);
  const shoff = u32(32);
  const shnum = u16(48);
  const shstrndx = u16(50);
  interface Sh {
    name: string;
    type: number;
    flags: number;
    offset: number;
    size: number;
    link: number;
    info: number;
    align: number;
    entsize: number;
  }
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const b = shoff + i * 40;
    raw.push({ nameOff: u32(b), type: u32(b + 4), flags: u32(b + 8), offset: u32(b + 16), size: u32(b + 20), link: u32(b + 24), info: u32(b + 28), align: u32(b + 32), entsize: u32(b + 36) });
  }
  const strSh = raw[shstrndx] ?? fail('no section name table', 50);
  const shs: Sh[] = raw.map((r) => ({ ...r, name: readString(data, strSh.offset, strSh.size, r.nameOff) }));
  for (const [i, s] of shs.entries()) {
    if (s.type !== SHT_NOBITS && s.offset + s.size > data.length) fail(`section ${i} (${s.name}) beyond end of file`, shoff + i * 40);
  }

  // Allocated sections become ObjectSections; map ELF index → our index.
  const sections: ObjectSection[] = [];
  const secMap = new Map<number, number>();
  shs.forEach((s, i) => {
    if (!(s.flags & SHF_ALLOC) || s.size === undefined) return;
    const kind = s.type === SHT_NOBITS ? 'bss' : s.flags & SHF_EXECINSTR ? 'text' : s.flags & SHF_WRITE ? 'data' : 'rodata';
    secMap.set(i, sections.length);
    sections.push({
      name: s.name,
      kind,
      data: kind === 'bss' ? new Uint8Array(0) : data.slice(s.offset, s.offset + s.size),
      size: s.size,
      align: Math.max(1, s.align),
      relocs: [],
    });
  });

  let name = source;
  const symbols: ObjectSymbol[] = [];
  const symNames: (string | undefined)[] = [];
  const symtabIndex = shs.findIndex((s) => s.type === SHT_SYMTAB);
  if (symtabIndex >= 0) {
    const st = shs[symtabIndex]!;
    const str = shs[st.link] ?? fail('symbol table without string table', shoff + symtabIndex * 40);
    for (let o = st.offset, k = 0; o + 16 <= st.offset + st.size; o += 16, k++) {
      if (k === 0) {
        symNames.push(undefined);
        continue;
      }
      const nm = readString(data, str.offset, str.size, u32(o));
      let value = u32(o + 4);
      const size = u32(o + 8);
      const info = u8(o + 12);
      const shndx = u16(o + 14);
      const bind = info >> 4;
      const type = info & 0xf;
      if (type === STT_FILE) {
        name = nm || name;
        symNames.push(undefined);
        continue;
      }
      if (type === STT_SECTION) {
        const our = secMap.get(shndx);
        symNames.push(our === undefined ? undefined : sections[our]!.name);
        continue;
      }
      let section: number;
      if (shndx === 0) section = -1;
      else if (shndx === SHN_ABS) section = -2;
      else if (shndx === SHN_COMMON) {
        // A tentative definition (-fcommon): give it a bss section of its own, aligned as st_value says.
        section = sections.length;
        sections.push({ name: 'COMMON', kind: 'bss', data: new Uint8Array(0), size, align: Math.max(1, value), relocs: [] });
        value = 0;
      } else {
        const our = secMap.get(shndx);
        if (our === undefined) {
          symNames.push(undefined); // symbol in a dropped (debug) section
          continue;
        }
        section = our;
      }
      if (type === STT_FUNC) value &= ~1;
      symNames.push(nm);
      symbols.push({
        name: nm,
        section,
        value,
        size,
        binding: bind === STB_LOCAL ? 'local' : bind === STB_WEAK ? 'weak' : bind === STB_GLOBAL ? 'global' : 'global',
        type: type === STT_FUNC ? 'func' : type === STT_OBJECT ? 'object' : 'notype',
      });
    }
  }

  shs.forEach((s) => {
    if (s.type !== SHT_REL && s.type !== SHT_RELA) return;
    const target = secMap.get(s.info);
    if (target === undefined) return; // relocations for debug sections
    const sec = sections[target]!;
    const ent = s.type === SHT_RELA ? 12 : 8;
    const relocs: Relocation[] = [];
    for (let o = s.offset; o + ent <= s.offset + s.size; o += ent) {
      const offset = u32(o);
      const info = u32(o + 4);
      const type = info & 0xff;
      const symIdx = info >>> 8;
      if (type === 0) continue; // R_ARM_NONE
      if (!isSupportedReloc(type)) fail(`${sec.name}+0x${offset.toString(16)}: relocation type ${type} not supported`, o);
      const symbol = symNames[symIdx];
      if (symbol === undefined) fail(`${sec.name}+0x${offset.toString(16)}: relocation against symbol ${symIdx} the linker cannot resolve`, o);
      if (offset + 4 > sec.data.length && sec.kind !== 'bss') fail(`${sec.name}: relocation offset 0x${offset.toString(16)} beyond section`, o);
      let addend: number;
      if (s.type === SHT_RELA) addend = dv.getInt32(o + 8, true);
      else addend = readAddend(type, sec.data, offset);
      relocs.push({ offset, type, symbol: symbol!, addend });
    }
    sec.relocs.push(...relocs);
  });
  return { name, sections, symbols };
}
