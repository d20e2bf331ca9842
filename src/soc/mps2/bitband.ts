/**
 * Cortex-M4 bit-band alias with the access rules of QEMU's armv7m bit-band: an alias access of size N
 * reads (or read-modify-writes) N bytes at the target address rounded down to N, and picks the bit from
 * them. For RAM this equals a byte access; for devices it means a word alias access reaches the register
 * as a word access (so bit 9 of a peripheral register is read from the whole register, not from a byte
 * read at offset +1, which QEMU's device models would answer with 0).
 */
import type { Bus, MmioHandler } from '../../core/bus.js';

export function addQemuBitBand(bus: Bus, name: string, aliasBase: number, targetBase: number, targetSize: number): void {
  const handler: MmioHandler = {
    read(offset, size) {
      const byteAddr = targetBase + (offset >>> 5);
      const bit = (offset >>> 2) & 7;
      const addr = byteAddr & -size;
      const lane = (byteAddr - addr) * 8 + bit;
      const v = size === 4 ? bus.read32(addr) : size === 2 ? bus.read16(addr) : bus.read8(addr);
      return (v >>> lane) & 1;
    },
    write(offset, size, value) {
      const byteAddr = targetBase + (offset >>> 5);
      const bit = (offset >>> 2) & 7;
      const addr = byteAddr & -size;
      const mask = 1 << ((byteAddr - addr) * 8 + bit);
      if (size === 4) {
        const old = bus.read32(addr);
        bus.write32(addr, value & 1 ? old | mask : old & ~mask);
      } else if (size === 2) {
        const old = bus.read16(addr);
        bus.write16(addr, value & 1 ? old | mask : old & ~mask);
      } else {
        const old = bus.read8(addr);
        bus.write8(addr, value & 1 ? old | mask : old & ~mask);
      }
    },
  };
  bus.addMmio(name, aliasBase, targetSize * 32, handler);
}
