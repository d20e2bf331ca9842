/**
 * Address ranges QEMU's mps2 boards map as "unimplemented devices": reads return 0, writes are ignored
 * (QEMU logs them with -d unimp). Guest code probing reserved space therefore sees zeros rather than a
 * BusFault; only addresses outside every range fault.
 */
import type { MmioHandler } from '../../core/bus.js';

export class RazWi implements MmioHandler {
  /** Number of accesses seen, for tests and traces. */
  accesses = 0;
  constructor(readonly name: string) {}
  read(): number {
    this.accesses++;
    return 0;
  }
  write(): void {
    this.accesses++;
  }
}
