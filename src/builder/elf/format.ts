/**
 * ELF32 little-endian constants and a growable byte buffer shared by the object and executable writers
 * (numbers from the System V gABI and ARM's AAELF32).
 */
export const ET_REL = 1;
export const ET_EXEC = 2;
export const EM_ARM = 40;
/** EF_ARM_EABI_VER5: what arm-none-eabi-gcc puts in e_flags (readelf prints "Version5 EABI"). */
export const EF_ARM_EABI_VER5 = 0x05000000;

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_INIT_ARRAY = 14;
export const SHT_FINI_ARRAY = 15;
export const SHT_PREINIT_ARRAY = 16;
export const SHT_ARM_EXIDX = 0x70000001;
export const SHT_ARM_ATTRIBUTES = 0x70000003;

export const SHF_WRITE = 1;
export const SHF_ALLOC = 2;
export const SHF_EXECINSTR = 4;
export const SHF_INFO_LINK = 0x40;
export const SHF_LINK_ORDER = 0x80;

export const SHN_UNDEF = 0;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;

export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

export const EHDR_SIZE = 52;
export const SHDR_SIZE = 40;
export const PHDR_SIZE = 32;
export const SYM_SIZE = 16;

/** 'soft': floats in core registers (also softfp); 'hard': AAPCS-VFP, float arguments in s0-s15. */
export type FloatAbi = 'soft' | 'hard';
/** EF_ARM_ABI_FLOAT_SOFT / EF_ARM_ABI_FLOAT_HARD, the e_flags bits ld sets in executables. */
export const EF_ARM_ABI_FLOAT_SOFT = 0x200;
export const EF_ARM_ABI_FLOAT_HARD = 0x400;

/** Appends little-endian fields; `bytes()` returns the used part. */
export class ByteWriter {
  private buf = new Uint8Array(4096);
  private dv = new DataView(this.buf.buffer);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.length));
    this.buf = nb;
    this.dv = new DataView(nb.buffer);
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.length++] = v & 0xff;
  }
  u16(v: number): void {
    this.room(2);
    this.dv.setUint16(this.length, v & 0xffff, true);
    this.length += 2;
  }
  u32(v: number): void {
    this.room(4);
    this.dv.setUint32(this.length, v >>> 0, true);
    this.length += 4;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  /** Pads with zeros up to a multiple of `n`. */
  align(n: number): void {
    while (this.length % n !== 0) this.u8(0);
  }
  /** Pads with zeros up to absolute offset `off`. */
  padTo(off: number): void {
    while (this.length < off) this.u8(0);
  }
  setU32(at: number, v: number): void {
    this.dv.setUint32(at, v >>> 0, true);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** A string table: offset 0 is the empty string; equal strings share an entry. */
export class StringTable {
  private readonly enc = new TextEncoder();
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private readonly index = new Map<string, number>([['', 0]]);
  private size = 1;

  add(s: string): number {
    const known = this.index.get(s);
    if (known !== undefined) return known;
    const off = this.size;
    const b = this.enc.encode(s);
    this.parts.push(b, new Uint8Array(1));
    this.size += b.length + 1;
    this.index.set(s, off);
    return off;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

export interface SectionHeader {
  name: number;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

export function writeSectionHeader(w: ByteWriter, h: SectionHeader): void {
  w.u32(h.name);
  w.u32(h.type);
  w.u32(h.flags);
  w.u32(h.addr);
  w.u32(h.offset);
  w.u32(h.size);
  w.u32(h.link);
  w.u32(h.info);
  w.u32(h.addralign);
  w.u32(h.entsize);
}

/** The 52-byte ELF header for a little-endian ARM file. */
export function writeElfHeader(
  w: ByteWriter,
  f: { type: number; entry: number; phoff: number; shoff: number; flags: number; phnum: number; shnum: number; shstrndx: number },
): void {
  w.bytes(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
  w.u16(f.type);
  w.u16(EM_ARM);
  w.u32(1);
  w.u32(f.entry);
  w.u32(f.phoff);
  w.u32(f.shoff);
  w.u32(f.flags);
  w.u16(EHDR_SIZE);
  w.u16(f.phnum ? PHDR_SIZE : 0);
  w.u16(f.phnum);
  w.u16(SHDR_SIZE);
  w.u16(f.shnum);
  w.u16(f.shstrndx);
}

/**
 * A minimal .ARM.attributes section ("aeabi" vendor, file-scope tags) for a Cortex-M4 Thumb-2 object:
 * Tag_CPU_name "cortex-m4", Tag_CPU_arch v7E-M, Tag_CPU_arch_profile 'M', Tag_THUMB_ISA_use Thumb-2,
 * Tag_ABI_align_needed/preserved 8-byte, Tag_ABI_PCS_wchar_t 4, small enums (see below). readelf -A decodes it.
 */
export function armAttributes(floatAbi: FloatAbi = 'soft'): Uint8Array {
  const enc = new TextEncoder();
  const file = new ByteWriter();
  const uleb = (v: number) => {
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v) b |= 0x80;
      file.u8(b);
    } while (v);
  };
  // Tags: 5 CPU_name (NTBS), 6 CPU_arch (13 = v7E-M), 7 profile ('M'), 9 THUMB_ISA_use (2 = Thumb-2),
  // 18 ABI_PCS_wchar_t (4), 20/21/23 FP denormal/exceptions needed, IEEE 754 number model, 24/25 8-byte
  // alignment needed/preserved, 26 ABI_enum_size (1 = small, arm-none-eabi-gcc's default, so GNU ld does not
  // warn when our objects meet gcc's), 34 CPU_unaligned_access (1 = v6).
  uleb(5);
  file.bytes(enc.encode('cortex-m4'));
  file.u8(0);
  // Hard-float adds 10 FP_arch (6 = VFPv4-D16), 27 ABI_HardFP_use (1 = SP only), 28 ABI_VFP_args (1 = VFP
  // registers): without them GNU ld refuses to mix our objects with -mfloat-abi=hard ones.
  const hard = floatAbi === 'hard';
  const tags: [number, number][] = [[6, 13], [7, 0x4d], [9, 2], ...(hard ? [[10, 6]] as [number, number][] : []), [18, 4], [20, 1], [21, 1], [23, 3], [24, 1], [25, 1], [26, 1], ...(hard ? [[27, 1], [28, 1]] as [number, number][] : []), [34, 1]];
  for (const [tag, val] of tags) {
    uleb(tag);
    uleb(val);
  }
  const fileBody = file.result();
  const vendor = enc.encode('aeabi');
  const subLen = 4 + vendor.length + 1 + 1 + 4 + fileBody.length;
  const out = new ByteWriter();
  out.u8(0x41); // 'A': format version
  out.u32(subLen);
  out.bytes(vendor);
  out.u8(0);
  out.u8(1); // Tag_File
  out.u32(1 + 4 + fileBody.length);
  out.bytes(fileBody);
  return out.result();
}

/** Reads NUL-terminated strings out of a string table. */
export function readString(data: Uint8Array, tableOff: number, tableSize: number, off: number): string {
  if (off >= tableSize) return '';
  let end = tableOff + off;
  const limit = Math.min(data.length, tableOff + tableSize);
  while (end < limit && data[end] !== 0) end++;
  return new TextDecoder().decode(data.subarray(tableOff + off, end));
}
