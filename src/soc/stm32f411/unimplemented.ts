/**
 * A peripheral window of the F411 memory map that we do not model yet: reads return the reset value
 * (0), writes are dropped, and each register offset is reported once at warn level — so firmware never
 * takes a BusFault there and the gap is never silent.
 */
import type { MmioHandler } from '../../core/bus.js';
import type { Logger } from '../../core/logger.js';

export class UnimplementedPeripheral implements MmioHandler {
  private readonly seen = new Set<number>();
  constructor(
    readonly name: string,
    readonly base: number,
    private readonly log: Logger,
  ) {}

  read(offset: number): number {
    this.report(offset, 'read');
    return 0;
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    this.report(offset, `write 0x${(value >>> 0).toString(16)}`);
  }

  private report(offset: number, what: string): void {
    const reg = offset & ~3;
    if (this.seen.has(reg)) return;
    this.seen.add(reg);
    this.log.warn(`unimplemented ${this.name} register 0x${(this.base + reg).toString(16)} (+0x${reg.toString(16)}): ${what}; reads 0`);
  }
}
