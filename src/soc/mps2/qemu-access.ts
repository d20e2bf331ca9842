/**
 * How QEMU's MPS2/CMSDK device models see byte and halfword accesses, which is not the byte-lane
 * behaviour of `RegisterBank`: the model is called with the exact, possibly unaligned, offset and the
 * access size; the value read is truncated to that size (lane 0 of the register), and a narrow write
 * stores the zero-extended byte/halfword into the whole register. Unaligned offsets match no register
 * ("bad offset": read 0, write ignored) except inside the PID/CID block, which those models decode as a
 * range (0xFD0-0xFFC for the CMSDK devices, 0xFE0-0xFFF for the PL022), so e.g. a byte read at 0xFE1
 * of a CMSDK timer returns PID0.
 *
 * Word accesses go straight to the bank. Wrapping a bank in this makes emboard print what QEMU prints for
 * firmware that pokes these devices with LDRB/STRB/LDRH/STRH.
 */
import type { MmioHandler } from '../../core/bus.js';

/** The PID/CID range the CMSDK models (UART, timers, watchdog) decode. */
export const CMSDK_ID_RANGE: readonly [number, number] = [0xfd0, 0xffc];

export class QemuAccess implements MmioHandler {
  constructor(
    private readonly bank: MmioHandler,
    /** Offsets [lo, hi] where unaligned reads still return the ID register of their word; null: none. */
    private readonly idRange: readonly [number, number] | null,
  ) {}

  read(offset: number, size: 1 | 2 | 4): number {
    if (size === 4) return this.bank.read(offset, 4);
    const mask = size === 2 ? 0xffff : 0xff;
    const id = this.idRange;
    if ((offset & 3) === 0 || (id !== null && offset >= id[0] && offset <= id[1])) {
      return this.bank.read(offset & ~3, 4) & mask;
    }
    return 0;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (size === 4) {
      this.bank.write(offset, 4, value);
      return;
    }
    if ((offset & 3) !== 0) return;
    this.bank.write(offset, 4, value & (size === 2 ? 0xffff : 0xff));
  }
}
