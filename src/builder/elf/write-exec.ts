/**
 * LinkedImage → ELF32 ARM ET_EXEC: program headers (one PT_LOAD per run of output sections sharing a
 * memory-region pair and a contiguous VMA/LMA, p_paddr = LMA), the output sections, .ARM.attributes,
 * .symtab/.strtab/.shstrtab, section headers, so binutils and gdb read it and the image loaders load it.
 */
import type { LinkedImage, LinkedSection } from '../link/linker.js';
import {
  ByteWriter,
  EF_ARM_ABI_FLOAT_HARD,
  EF_ARM_ABI_FLOAT_SOFT,
  EF_ARM_EABI_VER5,
  EHDR_SIZE,
  ET_EXEC,
  PF_R,
  PF_W,
  PF_X,
  PHDR_SIZE,
  PT_LOAD,
  SHN_ABS,
  SHT_ARM_ATTRIBUTES,
  SHT_NOBITS,
  SHT_PROGBITS,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_LOCAL,
  STT_FILE,
  STT_SECTION,
  StringTable,
  armAttributes,
  writeElfHeader,
  writeSectionHeader,
  type FloatAbi,
  type SectionHeader,
} from './format.js';
import { SYMBOL_BIND, SYMBOL_TYPE, sectionFlags } from './write-object.js';

export interface WriteExecutableOptions {
  /** e_flags float-ABI bit and attributes: 'soft' (default, also softfp) or 'hard', as ld sets them. */
  floatAbi?: FloatAbi;
}

interface Segment {
  sections: LinkedSection[];
  vaddr: number;
  paddr: number;
}

/** Groups output sections into loadable segments. */
export function segmentsOf(image: LinkedImage): Segment[] {
  const segs: Segment[] = [];
  for (const s of image.sections) {
    if (s.size === 0) continue;
    const last = segs.at(-1);
    const prev = last?.sections.at(-1);
    const contiguous =
      last &&
      prev &&
      prev.region === s.region &&
      prev.lmaRegion === s.lmaRegion &&
      s.vma >= prev.vma + prev.size &&
      s.vma - (prev.vma + prev.size) < 64 &&
      s.lma - s.vma === prev.lma - prev.vma &&
      (!prev.nobits || s.nobits);
    if (contiguous) last.sections.push(s);
    else segs.push({ sections: [s], vaddr: s.vma, paddr: s.lma });
  }
  return segs;
}

export function writeExecutable(image: LinkedImage, opts: WriteExecutableOptions = {}): Uint8Array {
  const segs = segmentsOf(image);
  const w = new ByteWriter();
  w.padTo(EHDR_SIZE + segs.length * PHDR_SIZE);

  // Section contents at file offsets congruent to their addresses within each segment.
  const offsetOf = new Map<LinkedSection, number>();
  const phdrs: { offset: number; vaddr: number; paddr: number; filesz: number; memsz: number; flags: number; align: number }[] = [];
  for (const seg of segs) {
    const align = Math.max(4, ...seg.sections.map((s) => s.align));
    while (w.length % align !== seg.vaddr % align) w.u8(0);
    const segOff = w.length;
    let filesz = 0;
    let memsz = 0;
    let flags = PF_R;
    for (const s of seg.sections) {
      const off = segOff + (s.vma - seg.vaddr);
      offsetOf.set(s, off);
      if (!s.nobits) {
        w.padTo(off);
        w.bytes(s.data);
        filesz = s.vma + s.size - seg.vaddr;
      }
      memsz = s.vma + s.size - seg.vaddr;
      if (s.kind === 'text') flags |= PF_X;
      if (s.kind === 'data' || s.kind === 'bss') flags |= PF_W;
    }
    phdrs.push({ offset: segOff, vaddr: seg.vaddr, paddr: seg.paddr, filesz, memsz, flags, align });
  }
  // Empty sections still get headers (objdump lists them); put them at the current offset.
  for (const s of image.sections) if (!offsetOf.has(s)) offsetOf.set(s, w.length);

  const shstr = new StringTable();
  const strtab = new StringTable();
  const headers: SectionHeader[] = [{ name: 0, type: 0, flags: 0, addr: 0, offset: 0, size: 0, link: 0, info: 0, addralign: 0, entsize: 0 }];
  const indexOf = new Map<string, number>();
  for (const s of image.sections) {
    indexOf.set(s.name, headers.length);
    headers.push({
      name: shstr.add(s.name),
      type: s.nobits ? SHT_NOBITS : SHT_PROGBITS,
      flags: sectionFlags(s.kind),
      addr: s.vma,
      offset: offsetOf.get(s)!,
      size: s.size,
      link: 0,
      info: 0,
      addralign: s.align,
      entsize: 0,
    });
  }
  const attrs = armAttributes(opts.floatAbi);
  headers.push({ name: shstr.add('.ARM.attributes'), type: SHT_ARM_ATTRIBUTES, flags: 0, addr: 0, offset: w.length, size: attrs.length, link: 0, info: 0, addralign: 1, entsize: 0 });
  w.bytes(attrs);

  // Symbols: null, section symbols, file + local symbols, then globals (gABI order).
  const symw = new ByteWriter();
  const sym = (name: number, value: number, size: number, info: number, shndx: number) => {
    symw.u32(name);
    symw.u32(value);
    symw.u32(size);
    symw.u8(info);
    symw.u8(0);
    symw.u16(shndx);
  };
  sym(0, 0, 0, 0, 0);
  let count = 1;
  for (const s of image.sections) {
    sym(0, s.vma, 0, (STB_LOCAL << 4) | STT_SECTION, indexOf.get(s.name)!);
    count++;
  }
  const shndx = (section: string | undefined) => (section !== undefined && indexOf.has(section) ? indexOf.get(section)! : SHN_ABS);
  for (const s of image.symbols.filter((x) => x.binding === 'local')) {
    if (s.type === 'file') sym(strtab.add(s.name), 0, 0, (STB_LOCAL << 4) | STT_FILE, SHN_ABS);
    else sym(strtab.add(s.name), s.value, s.size, (STB_LOCAL << 4) | SYMBOL_TYPE[s.type], shndx(s.section));
    count++;
  }
  const firstGlobal = count;
  for (const s of image.symbols.filter((x) => x.binding !== 'local')) {
    sym(strtab.add(s.name), s.value, s.size, (SYMBOL_BIND[s.binding] << 4) | SYMBOL_TYPE[s.type === 'file' ? 'notype' : s.type], shndx(s.section));
  }
  const symtabIndex = headers.length;
  w.align(4);
  const symBytes = symw.result();
  headers.push({ name: shstr.add('.symtab'), type: SHT_SYMTAB, flags: 0, addr: 0, offset: w.length, size: symBytes.length, link: symtabIndex + 1, info: firstGlobal, addralign: 4, entsize: 16 });
  w.bytes(symBytes);
  const strBytes = strtab.bytes();
  headers.push({ name: shstr.add('.strtab'), type: SHT_STRTAB, flags: 0, addr: 0, offset: w.length, size: strBytes.length, link: 0, info: 0, addralign: 1, entsize: 0 });
  w.bytes(strBytes);
  const shstrIndex = headers.length;
  const shName = shstr.add('.shstrtab');
  const shBytes = shstr.bytes();
  headers.push({ name: shName, type: SHT_STRTAB, flags: 0, addr: 0, offset: w.length, size: shBytes.length, link: 0, info: 0, addralign: 1, entsize: 0 });
  w.bytes(shBytes);
  w.align(4);
  const shoff = w.length;
  for (const h of headers) writeSectionHeader(w, h);

  const out = w.result();
  const hw = new ByteWriter();
  writeElfHeader(hw, { type: ET_EXEC, entry: image.entry, phoff: segs.length ? EHDR_SIZE : 0, shoff, flags: EF_ARM_EABI_VER5 | (opts.floatAbi === 'hard' ? EF_ARM_ABI_FLOAT_HARD : EF_ARM_ABI_FLOAT_SOFT), phnum: segs.length, shnum: headers.length, shstrndx: shstrIndex });
  for (const p of phdrs) {
    hw.u32(PT_LOAD);
    hw.u32(p.offset);
    hw.u32(p.vaddr);
    hw.u32(p.paddr);
    hw.u32(p.filesz);
    hw.u32(p.memsz);
    hw.u32(p.flags);
    hw.u32(p.align);
  }
  out.set(hw.result(), 0);
  return out;
}
