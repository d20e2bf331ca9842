/**
 * The in-memory relocatable object every code generator produces and the linker consumes (issue 7).
 * It maps one-to-one onto an ELF32 ET_REL file for ARM (AAELF32): `src/builder/elf` writes it as a real `.o`
 * (so `arm-none-eabi-objdump`/`readelf`/GNU ld can read our objects) and reads `.o` files back into it (so
 * the linker can also be checked on objects made by arm-none-eabi-gcc).
 */

/** AAELF32 relocation types the builder emits or links (numbers are the ELF r_type values). */
export const RelocType = {
  R_ARM_ABS32: 2,
  R_ARM_REL32: 3,
  R_ARM_THM_CALL: 10,
  R_ARM_THM_JUMP24: 30,
  R_ARM_THM_MOVW_ABS_NC: 47,
  R_ARM_THM_MOVT_ABS: 48,
  R_ARM_THM_JUMP19: 51,
  R_ARM_THM_JUMP11: 102,
  R_ARM_THM_JUMP8: 103,
  R_ARM_THM_PC8: 11,
  R_ARM_THM_ALU_PREL_11_0: 53,
  R_ARM_THM_PC12: 54,
  R_ARM_TARGET1: 38,
  R_ARM_PREL31: 42,
} as const;

export interface Relocation {
  /** Byte offset inside the section of the place to patch. */
  offset: number;
  /** An AAELF32 r_type (see RelocType). */
  type: number;
  /** Name of the symbol the place refers to (a symbol of this object, or an undefined one to resolve). */
  symbol: string;
  /** Addend. ARM uses REL (the addend lives in the place's bits); writers encode it there. */
  addend: number;
}

export interface ObjectSection {
  /** ".text.name", ".rodata", ".data", ".bss", ".vectors", … (GNU ld scripts match on these names). */
  name: string;
  kind: 'text' | 'rodata' | 'data' | 'bss';
  /** Contents; for bss, a zero-length array and `size` gives the size. */
  data: Uint8Array;
  size: number;
  /** Alignment in bytes (power of two). */
  align: number;
  relocs: Relocation[];
}

export interface ObjectSymbol {
  name: string;
  /** Section index into `sections`, or -1 for undefined (to be resolved by the linker), -2 for absolute. */
  section: number;
  /** Offset inside the section (or the absolute value). Thumb functions: the offset without the low bit. */
  value: number;
  size: number;
  binding: 'local' | 'global' | 'weak';
  type: 'func' | 'object' | 'section' | 'notype';
}

export interface ObjectFile {
  /** Source name (the ELF STT_FILE symbol). */
  name: string;
  sections: ObjectSection[];
  symbols: ObjectSymbol[];
}
