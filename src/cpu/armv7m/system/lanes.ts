/**
 * Byte/halfword access to word registers of the System Control Space. The PPB is little-endian and most
 * SCS registers accept byte and halfword accesses (IPR, SHPR, CFSR sub-registers): a narrow read returns
 * the lane of the word; a narrow write presents the value in its lane with a lane mask, so a register's
 * write logic only touches the bits the access covered.
 */
import type { MmioHandler } from '../../../core/bus.js';

export interface WordRegisters {
  /** Reads the word register at a word-aligned offset. */
  readWord(offset: number): number;
  /** Writes `value` (already shifted into its lane) to the bits of `mask` of the word register at `offset`. */
  writeWord(offset: number, value: number, mask: number): void;
}

export function laneRead(dev: WordRegisters, offset: number, size: 1 | 2 | 4): number {
  const w = dev.readWord(offset & ~3) >>> 0;
  if (size === 4) return w;
  const shift = (offset & 3) * 8;
  return (w >>> shift) & (size === 2 ? 0xffff : 0xff);
}

export function laneWrite(dev: WordRegisters, offset: number, size: 1 | 2 | 4, value: number): void {
  if (size === 4) {
    dev.writeWord(offset & ~3, value >>> 0, 0xffffffff);
    return;
  }
  const shift = (offset & 3) * 8;
  const mask = ((size === 2 ? 0xffff : 0xff) << shift) >>> 0;
  dev.writeWord(offset & ~3, ((value << shift) & mask) >>> 0, mask);
}

/** `old` with the bits of `mask` replaced by those of `value`. */
export function merge(old: number, value: number, mask: number): number {
  return ((old & ~mask) | (value & mask)) >>> 0;
}

/** An MmioHandler over WordRegisters (for blocks mapped on their own). */
export function wordMmio(dev: WordRegisters): MmioHandler {
  return {
    read: (offset, size) => laneRead(dev, offset, size),
    write: (offset, size, value) => laneWrite(dev, offset, size, value),
  };
}

/**
 * CoreSight component identification (PIDR4..7, PIDR0..3, CIDR0..3 at 0xFD0..0xFFC): `pid` is the 40-bit
 * peripheral ID as [PID0..PID4], `cls` the component class (0xE generic/debug, 0x1 ROM table, 0x9 CoreSight).
 * Returns the word at `offset` (0xFD0..0xFFC) or undefined outside the ID block.
 */
export function coresightId(offset: number, pid: readonly number[], cls: number): number | undefined {
  if (offset < 0xfd0 || offset > 0xffc) return undefined;
  switch (offset) {
    case 0xfd0: return pid[4] ?? 0;
    case 0xfe0: return pid[0] ?? 0;
    case 0xfe4: return pid[1] ?? 0;
    case 0xfe8: return pid[2] ?? 0;
    case 0xfec: return pid[3] ?? 0;
    case 0xff0: return 0x0d;
    case 0xff4: return (cls << 4) & 0xf0;
    case 0xff8: return 0x05;
    case 0xffc: return 0xb1;
    default: return 0;
  }
}
