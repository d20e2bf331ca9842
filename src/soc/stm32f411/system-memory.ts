/**
 * The STM32F411 system memory page and its neighbours (RM0383 §3.3, §24):
 *   0x1FFF0000  30 KiB  system memory (ST's bootloader on the chip; here our own placeholder image)
 *   0x1FFF7800  512 B   OTP (16 blocks of 32 bytes) + 16 lock bytes at 0x1FFF7A00
 *   0x1FFF7A10  12 B    96-bit unique device ID
 *   0x1FFF7A22  2 B     flash size in KiB (0x0200 = 512)
 *   0x1FFFC000  16 B    option bytes (read-only view of the flash interface's non-volatile options)
 *   0xE0042000          DBGMCU: IDCODE 0x10006431 (REV_ID 0x1000 = revision A, DEV_ID 0x431), CR, APB1/2_FZ
 *
 * The placeholder system-memory image is generated here (no ST code): a vector table whose initial SP is
 * the top of SRAM and whose every handler is a two-instruction loop `wfi; b <wfi>`, so booting with BOOT0
 * parks the core asleep. A later step replaces it with our DFU bootloader.
 */
import type { Logger } from '../../core/logger.js';
import { RegisterBank } from '../../core/registers.js';
import { warnUnmapped } from './device-context.js';
import { OPTCR } from './flash.js';

export const SYSTEM_MEMORY_BASE = 0x1fff_0000;
/** The page we map: system memory, OTP, UID and flash size (all of 0x1FFF0000..0x1FFF7FFF). */
export const SYSTEM_PAGE_SIZE = 0x8000;
export const SYSTEM_MEMORY_SIZE = 30 * 1024;
export const OTP_OFFSET = 0x7800;
export const UID_OFFSET = 0x7a10;
export const FLASH_SIZE_OFFSET = 0x7a22;
export const OPTION_BYTES_BASE = 0x1fff_c000;
export const DBGMCU_BASE = 0xe004_2000;
export const DBGMCU_IDCODE = 0x1000_6431;

/** Offset of the parking loop inside the placeholder image (after a 16 + 86 entry vector table). */
export const PARK_OFFSET = 0x200;
const THUMB_WFI = 0xbf30;
/** `b` back to the WFI two bytes earlier: target = PC + 4 - 6, imm11 = -3. */
const THUMB_B_MINUS_6 = 0xe7fd;

/** Builds the placeholder bootloader: vector table (SP = `initialSp`, all handlers → park loop) + loop. */
export function buildPlaceholderBootloader(initialSp: number, vectors = 16 + 86): Uint8Array {
  const img = new Uint8Array(PARK_OFFSET + 4);
  const v = new DataView(img.buffer);
  v.setUint32(0, initialSp >>> 0, true);
  const handler = (SYSTEM_MEMORY_BASE + PARK_OFFSET) | 1; // Thumb bit
  for (let i = 1; i < vectors; i++) v.setUint32(4 * i, handler, true);
  v.setUint16(PARK_OFFSET, THUMB_WFI, true);
  v.setUint16(PARK_OFFSET + 2, THUMB_B_MINUS_6, true);
  return img;
}

/** Fills a system-page storage: placeholder image, erased OTP (0xFF), unique ID and flash size. */
export function fillSystemPage(bytes: Uint8Array, opts: { initialSp: number; uid: Uint8Array; flashKiB: number }): void {
  bytes.fill(0xff, 0, SYSTEM_PAGE_SIZE);
  bytes.set(buildPlaceholderBootloader(opts.initialSp), 0);
  bytes.set(opts.uid.subarray(0, 12), UID_OFFSET);
  bytes[FLASH_SIZE_OFFSET] = opts.flashKiB & 0xff;
  bytes[FLASH_SIZE_OFFSET + 1] = (opts.flashKiB >>> 8) & 0xff;
}

/**
 * A deterministic 96-bit UID from a seed string (the board name by default), so runs are repeatable.
 * Layout as on the chip: X/Y wafer coordinates (2+2 bytes), wafer number (1), lot number (7 ASCII).
 */
export function defaultUid(seed: string): Uint8Array {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  const uid = new Uint8Array(12);
  const v = new DataView(uid.buffer);
  v.setUint16(0, 0x20 + (h & 0x3f), true);
  v.setUint16(2, 0x30 + ((h >>> 6) & 0x3f), true);
  uid[4] = 1 + ((h >>> 12) & 0x1f);
  const lot = `EMB${((h >>> 17) & 0xfff).toString(16).toUpperCase().padStart(3, '0')}0`;
  for (let i = 0; i < 7; i++) uid[5 + i] = lot.charCodeAt(i);
  return uid;
}

/**
 * The option bytes as memory: two 64-bit slots, the low halfword the option value and the high halfword
 * its complement (our choice for the reserved half). 0x1FFFC000: RDP << 8 | USER; 0x1FFFC008: nWRP with
 * SPRMOD in bit 15.
 */
export function optionBytesView(options: () => number): RegisterBank {
  const word = (x: number) => ((((~x & 0xffff) << 16) | (x & 0xffff)) >>> 0);
  return new RegisterBank('OPTION_BYTES', [
    { name: 'USER_RDP', offset: 0x0, writable: 0, read: () => word(options() & 0xffec) },
    { name: 'RESERVED4', offset: 0x4, writable: 0, reset: 0xffff_ffff },
    { name: 'NWRP', offset: 0x8, writable: 0, read: () => word(((options() >>> 16) & 0x0fff) | (options() & OPTCR.SPRMOD ? 0x8000 : 0)) },
    { name: 'RESERVEDC', offset: 0xc, writable: 0, reset: 0xffff_ffff },
  ]);
}

/** DBGMCU: the device ID code and the debug freeze/low-power bits (stored, no effect on peripherals yet). */
export function createDbgmcu(log?: Logger): RegisterBank {
  return new RegisterBank('DBGMCU', [
    { name: 'IDCODE', offset: 0x00, reset: DBGMCU_IDCODE, writable: 0 },
    { name: 'CR', offset: 0x04, writable: 0x0000_00e7 },
    { name: 'APB1_FZ', offset: 0x08, writable: 0x00e0_1c0f },
    { name: 'APB2_FZ', offset: 0x0c, writable: 0x0007_0001 },
  ], { onUnmapped: warnUnmapped(log, 'dbgmcu') });
}
