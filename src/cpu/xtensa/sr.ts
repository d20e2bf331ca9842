/**
 * Special registers, PS fields, exception causes and vector offsets of the ESP32's Xtensa LX6
 * configuration (Xtensa ISA reference, "Special Registers" / "Exception Causes"; offsets from the
 * ESP32 core configuration, see docs/xtensa.md).
 */
export const enum SR {
  LBEG = 0,
  LEND = 1,
  LCOUNT = 2,
  SAR = 3,
  BR = 4,
  SCOMPARE1 = 12,
  ACCLO = 16,
  ACCHI = 17,
  M0 = 32,
  M1 = 33,
  M2 = 34,
  M3 = 35,
  WINDOWBASE = 72,
  WINDOWSTART = 73,
  IBREAKENABLE = 96,
  MEMCTL = 97,
  ATOMCTL = 99,
  DDR = 104,
  IBREAKA0 = 128,
  IBREAKA1 = 129,
  DBREAKA0 = 144,
  DBREAKA1 = 145,
  DBREAKC0 = 160,
  DBREAKC1 = 161,
  CONFIGID0 = 176,
  EPC1 = 177, // EPC2..EPC7 = 178..183
  DEPC = 192,
  EPS2 = 194, // ..EPS7 = 199
  CONFIGID1 = 208,
  EXCSAVE1 = 209, // ..EXCSAVE7 = 215
  CPENABLE = 224,
  INTERRUPT = 226, // read: INTERRUPT; write: INTSET
  INTCLEAR = 227,
  INTENABLE = 228,
  PS = 230,
  VECBASE = 231,
  EXCCAUSE = 232,
  DEBUGCAUSE = 233,
  CCOUNT = 234,
  PRID = 235,
  ICOUNT = 236,
  ICOUNTLEVEL = 237,
  EXCVADDR = 238,
  CCOMPARE0 = 240,
  CCOMPARE1 = 241,
  CCOMPARE2 = 242,
  MISC0 = 244,
  MISC1 = 245,
  MISC2 = 246,
  MISC3 = 247,
}

/** User registers (RUR/WUR). */
export const enum UR {
  THREADPTR = 231,
  FCR = 232,
  FSR = 233,
}

/** Names for disassembly; also the set of special registers this configuration has (others → IllegalInstruction). */
export const SR_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [0, 'lbeg'], [1, 'lend'], [2, 'lcount'], [3, 'sar'], [4, 'br'], [12, 'scompare1'],
  [16, 'acclo'], [17, 'acchi'], [32, 'm0'], [33, 'm1'], [34, 'm2'], [35, 'm3'],
  [72, 'windowbase'], [73, 'windowstart'], [96, 'ibreakenable'], [97, 'memctl'], [99, 'atomctl'], [104, 'ddr'],
  [128, 'ibreaka0'], [129, 'ibreaka1'], [144, 'dbreaka0'], [145, 'dbreaka1'], [160, 'dbreakc0'], [161, 'dbreakc1'],
  [176, 'configid0'], [177, 'epc1'], [178, 'epc2'], [179, 'epc3'], [180, 'epc4'], [181, 'epc5'], [182, 'epc6'], [183, 'epc7'],
  [192, 'depc'], [194, 'eps2'], [195, 'eps3'], [196, 'eps4'], [197, 'eps5'], [198, 'eps6'], [199, 'eps7'],
  [208, 'configid1'], [209, 'excsave1'], [210, 'excsave2'], [211, 'excsave3'], [212, 'excsave4'], [213, 'excsave5'],
  [214, 'excsave6'], [215, 'excsave7'], [224, 'cpenable'], [226, 'interrupt'], [227, 'intclear'], [228, 'intenable'],
  [230, 'ps'], [231, 'vecbase'], [232, 'exccause'], [233, 'debugcause'], [234, 'ccount'], [235, 'prid'],
  [236, 'icount'], [237, 'icountlevel'], [238, 'excvaddr'], [240, 'ccompare0'], [241, 'ccompare1'], [242, 'ccompare2'],
  [244, 'misc0'], [245, 'misc1'], [246, 'misc2'], [247, 'misc3'],
]);

/** PS register fields. */
export const PS_INTLEVEL = 0xf;
export const PS_EXCM = 1 << 4;
export const PS_UM = 1 << 5;
export const PS_RING_SHIFT = 6;
export const PS_OWB_SHIFT = 8;
export const PS_OWB = 0xf << 8;
export const PS_CALLINC_SHIFT = 16;
export const PS_CALLINC = 3 << 16;
export const PS_WOE = 1 << 18;
/** Bits of PS that exist in this configuration (RING is 2 bits wide in the ISA; the ESP32 has no MMU, so ring 0 only). */
export const PS_MASK = PS_INTLEVEL | PS_EXCM | PS_UM | (3 << PS_RING_SHIFT) | PS_OWB | PS_CALLINC | PS_WOE;

/** EXCCAUSE values (ISA reference table "Exception Causes"). */
export const enum Cause {
  IllegalInstruction = 0,
  Syscall = 1,
  InstructionFetchError = 2,
  LoadStoreError = 3,
  Level1Interrupt = 4,
  Alloca = 5,
  IntegerDivideByZero = 6,
  Privileged = 8,
  LoadStoreAlignment = 9,
  InstFetchProhibited = 20,
  LoadProhibited = 28,
  StoreProhibited = 29,
  /** Coprocessor n disabled: 32 + n. */
  CoprocessorDisabled = 32,
}

/** Vector offsets from VECBASE in the ESP32 configuration (docs/xtensa.md). */
export const enum Vec {
  WindowOverflow4 = 0x000,
  WindowUnderflow4 = 0x040,
  WindowOverflow8 = 0x080,
  WindowUnderflow8 = 0x0c0,
  WindowOverflow12 = 0x100,
  WindowUnderflow12 = 0x140,
  Level2 = 0x180,
  Level3 = 0x1c0,
  Level4 = 0x200,
  Level5 = 0x240,
  Debug = 0x280,
  NMI = 0x2c0,
  Kernel = 0x300,
  User = 0x340,
  DoubleException = 0x3c0,
}

/** Reset values on the ESP32: VECBASE points at the ROM's vector table, execution starts at the reset vector. */
export const RESET_VECBASE = 0x40000000;
export const RESET_VECTOR = 0x40000400;
/** PS after reset: INTLEVEL 15 and EXCM 1 (everything masked, window exceptions off), WOE 0. */
export const RESET_PS = 0x1f;

/** B4CONST and B4CONSTU: the immediates of BEQI/BNEI/BLTI/BGEI and BLTUI/BGEUI, indexed by the r field. */
export const B4CONST: readonly number[] = [-1, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 32, 64, 128, 256];
export const B4CONSTU: readonly number[] = [32768, 65536, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 32, 64, 128, 256];
