/**
 * The rest of the Cortex-M4 debug/trace components, modelled just enough for firmware that probes them:
 * ITM (0xE0000000; stimulus writes go to an optional sink, reads say "FIFO ready"), TPIU (0xE0040000),
 * ETM (0xE0041000) and the PPB ROM table (0xE00FF000), with CoreSight identification registers.
 */
import type { MmioHandler } from '../../../core/bus.js';
import { RegisterBank } from '../../../core/registers.js';
import { coresightId, merge, type WordRegisters } from './lanes.js';

export type ItmSink = (port: number, value: number, size: 1 | 2 | 4) => void;

const ITM_TCR_ITMENA = 1;

export class Itm implements MmioHandler {
  ter = 0;
  tpr = 0;
  tcr = 0;

  constructor(private readonly sink: ItmSink | null) {}

  reset(): void {
    this.ter = this.tpr = this.tcr = 0;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    let w: number;
    if (offset < 0x80) w = 1; // STIMx: bit 0 = FIFOREADY
    else if (offset === 0xe00) w = this.ter;
    else if (offset === 0xe40) w = this.tpr;
    else if (offset === 0xe80) w = this.tcr;
    else w = coresightId(offset & ~3, [0x01, 0xb0, 0x3b, 0x00, 0x04], 0xe) ?? 0;
    if (size === 4) return w >>> 0;
    return (w >>> ((offset & 3) * 8)) & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset < 0x80) {
      const port = offset >>> 2;
      if (this.sink !== null && this.tcr & ITM_TCR_ITMENA && (this.ter >>> port) & 1) this.sink(port, value, size);
      return;
    }
    if (size !== 4) return; // the control registers are word-access only
    if (offset === 0xe00) this.ter = value >>> 0;
    else if (offset === 0xe40) this.tpr = value & 0xf;
    else if (offset === 0xe80) this.tcr = merge(this.tcr, value, 0x00ff_3f1f);
  }
}

/** A component whose registers read back what was written, with fixed read-only values and IDs. */
export class StubComponent implements WordRegisters {
  readonly bank: RegisterBank;
  constructor(name: string, regs: readonly { name: string; offset: number; reset?: number; writable?: number }[], pid: readonly number[], cls: number) {
    this.bank = new RegisterBank(name, regs, { onUnmapped: (offset) => coresightId(offset, pid, cls) ?? 0 });
  }
  reset(): void {
    this.bank.reset();
  }
  readWord(offset: number): number {
    return this.bank.read(offset, 4);
  }
  writeWord(offset: number, value: number, mask: number): void {
    this.bank.write(offset, 4, merge(this.bank.read(offset, 4), value, mask));
  }
}

/** TPIU (Cortex-M4 TRM 11.1): supported port sizes 1..4 bits, NRZ SWO default, formatter idle. */
export function makeTpiu(): StubComponent {
  return new StubComponent(
    'TPIU',
    [
      { name: 'SSPSR', offset: 0x000, reset: 0xf, writable: 0 },
      { name: 'CSPSR', offset: 0x004, reset: 0x1, writable: 0xf },
      { name: 'ACPR', offset: 0x010, writable: 0x1fff },
      { name: 'SPPR', offset: 0x0f0, reset: 0x2, writable: 0x3 },
      { name: 'FFSR', offset: 0x300, reset: 0x8, writable: 0 },
      { name: 'FFCR', offset: 0x304, reset: 0x102, writable: 0x102 },
      { name: 'FSCR', offset: 0x308, writable: 0 },
      { name: 'DEVID', offset: 0xfc8, reset: 0xca1, writable: 0 },
    ],
    [0xa1, 0xb9, 0x0b, 0x00, 0x04],
    0x9,
  );
}

/** ETM: present but powered down (ETMCR.PWRDN), nothing traced. */
export function makeEtm(): StubComponent {
  return new StubComponent(
    'ETM',
    [
      { name: 'ETMCR', offset: 0x000, reset: 0x411, writable: 0x3fff_ffff },
      { name: 'ETMCCR', offset: 0x004, reset: 0x8c80_2000, writable: 0 },
      { name: 'ETMSR', offset: 0x010, writable: 0 },
      { name: 'ETMIDR', offset: 0x1e4, reset: 0x4114_f250, writable: 0 },
    ],
    [0x25, 0xb9, 0x4b, 0x00, 0x04],
    0x9,
  );
}

/** The Cortex-M4 PPB ROM table: SCS, DWT, FPB, ITM, TPIU, ETM entries (all present), then the end marker. */
export function makeRomTable(): StubComponent {
  const entries = [0xfff0_f003, 0xfff0_2003, 0xfff0_3003, 0xfff0_1003, 0xfff4_1003, 0xfff4_2003];
  return new StubComponent(
    'ROM',
    [...entries.map((e, i) => ({ name: `ENTRY${i}`, offset: 4 * i, reset: e, writable: 0 })), { name: 'MEMTYPE', offset: 0xfcc, reset: 1, writable: 0 }],
    [0xc4, 0xb4, 0x0b, 0x00, 0x04],
    0x1,
  );
}
