/**
 * ARM SBCon two-wire (I2C) bit-bang interface of the MPS2 FPGA images: CONTROL (0x00, read: SCL bit 0,
 * SDA bit 1), CONTROLS (0x00, write: set bits), CONTROLC (0x04, write: clear bits). Nothing is attached,
 * so the lines read back as the master drives them. Both lines are low after reset, as QEMU shows.
 */
import type { MmioHandler } from '../../core/bus.js';

export class SbCon implements MmioHandler {
  private out = 0;

  reset(): void {
    this.out = 0;
  }

  read(offset: number): number {
    return offset === 0 ? this.out : 0;
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    if (offset === 0) this.out |= value & 3;
    else if (offset === 4) this.out &= ~value & 3;
  }
}
