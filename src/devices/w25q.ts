/**
 * Winbond W25Q16/32/64/128 serial NOR flash (W25QxxJV datasheets), board-independent: an `SpiSlave`
 * plus the `PersistentStore` "spi-flash" that `--flash FILE` keeps.
 *
 * Commands (standard SPI only; dual/quad I/O, suspend/resume, security registers and SFDP are not modelled
 * and are ignored):
 *   9F JEDEC ID (EF 40 15..18)            90 manufacturer/device ID (+3 address bytes; A0 = 1 swaps the order)
 *   4B unique ID (4 dummy bytes + 8)      AB release power-down (+3 dummy bytes → device ID)   B9 power-down
 *   05/35/15 read status 1/2/3 (repeats, BUSY live)     01/31/11 write status 1/2/3 (01 may carry SR2)
 *   06/04 write enable/disable            50 volatile status-register write enable
 *   02 page program: data wraps inside the 256-byte page, bits only go 1→0 (new = old AND data)
 *   03 read, 0B fast read (1 dummy byte); both wrap at the end of the array
 *   20 4 KiB sector, 52 32 KiB block, D8 64 KiB block, C7/60 chip erase     66 + 99 software reset
 *
 * Like the chip, a command runs at the chip-select rising edge (program, erase, status writes, WEL, power
 * modes); program/erase need WEL, and WEL clears when the operation completes. While BUSY every command
 * except the status reads is ignored, as is everything but AB in power-down (MISO floats: reads 0xFF).
 * BUSY lasts the datasheet's typical time in virtual time (`W25Q_TIMES`, × `timeScale`); the data changes
 * at once, which nothing can observe because reads are refused while BUSY.
 * Block protection: BP2-0/TB/SEC (SR1) and CMP (SR2) select a protected range (`protectedRange`: BP = n
 * protects granularity·2^(n−1) from the top, or the bottom with TB; 111 everything; SEC=1 4/8/16/32 KiB
 * sectors; CMP complements); program and erase commands touching it are ignored (WEL stays set), and chip
 * erase with any protection. Not modelled: SRP/WP# status-register locking, WPS=1 individual block locks
 * (with WPS=1 BP is ignored and nothing is protected), OTP lock bits beyond "set only".
 */
import type { Logger } from '../core/logger.js';
import type { PersistentStore } from '../core/soc.js';
import type { SpiSlave } from './spi-slave.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export interface W25qChip {
  readonly name: string;
  /** Manufacturer, memory type, capacity: the three 9F bytes. */
  readonly jedecId: number;
  /** The 90h/ABh device ID. */
  readonly deviceId: number;
  readonly size: number;
  /** Chip erase, typical seconds. */
  readonly chipEraseSeconds: number;
  /** Block-protect unit: what BP = 001 protects (64 KiB up to W25Q32, then size/64). */
  readonly protectUnit: number;
}

/** The family members (JEDEC IDs and tCE typical from the W25QxxJV datasheets). */
export const W25Q_CHIPS: Readonly<Record<string, W25qChip>> = {
  w25q16: { name: 'w25q16', jedecId: 0xef4015, deviceId: 0x14, size: 2 * MiB, chipEraseSeconds: 5, protectUnit: 64 * KiB },
  w25q32: { name: 'w25q32', jedecId: 0xef4016, deviceId: 0x15, size: 4 * MiB, chipEraseSeconds: 10, protectUnit: 64 * KiB },
  w25q64: { name: 'w25q64', jedecId: 0xef4017, deviceId: 0x16, size: 8 * MiB, chipEraseSeconds: 20, protectUnit: 128 * KiB },
  w25q128: { name: 'w25q128', jedecId: 0xef4018, deviceId: 0x17, size: 16 * MiB, chipEraseSeconds: 40, protectUnit: 256 * KiB },
};

/** Typical operation times in seconds (W25Q64JV AC characteristics). */
export const W25Q_TIMES = {
  pageProgram: 0.4e-3,
  sector4k: 45e-3,
  block32k: 120e-3,
  block64k: 150e-3,
  writeStatus: 10e-3,
} as const;

export const W25Q_SR1 = { BUSY: 1 << 0, WEL: 1 << 1 } as const;
/** Status bits software can write: SR1 BP0-2/TB/SEC/SRP, SR2 SRP1/QE/CMP (LB1-3 are OTP: set only), SR3 WPS/DRV. */
const SR_WRITABLE = [0xfc, 0x43, 0x64] as const;
const SR2_LB = 0x38;
/** Status register values of a new part: SR3 DRV = 11 (datasheet default), the rest 0. */
const SR_DEFAULT = [0x00, 0x00, 0x60] as const;

const PAGE = 256;
const IGNORED = -2;

export interface W25qOptions {
  chip: W25qChip;
  /** Virtual time now, in scheduler cycles. */
  now: () => number;
  /** Converts seconds to scheduler cycles at the current clock. */
  cyclesFor: (seconds: number) => number;
  log?: Logger;
  /** Multiplies every busy time (1 = datasheet typical). */
  timeScale?: number;
  /** The 64-bit unique ID (4Bh), 8 bytes; default: derived from the chip name. */
  uniqueId?: Uint8Array;
}

export class W25q implements SpiSlave {
  readonly chip: W25qChip;
  /** The array; erased = 0xFF. Never replaced (PersistentStore contract). */
  readonly memory: Uint8Array;
  readonly store: PersistentStore;
  private readonly listeners: ((offset: number, length: number) => void)[] = [];
  private readonly uid: Uint8Array;
  /** Volatile status registers 1–3 (BUSY/WEL live in `busyUntil`/`wel`) and their non-volatile copies. */
  private readonly sr = Uint8Array.from(SR_DEFAULT);
  private readonly srNv = Uint8Array.from(SR_DEFAULT);
  private wel = false;
  private busyUntil = -1;
  private poweredDown = false;
  private volatileSrEnabled = false;
  private resetEnabled = false;

  private selected = false;
  /** Opcode of the command in progress, -1 before the opcode byte, IGNORED when refused. */
  private cmd = -1;
  /** Bytes received after the opcode. */
  private n = 0;
  private addr = 0;
  private readonly pageBuf = new Uint8Array(PAGE);
  private readonly pageSet = new Uint8Array(PAGE);
  private statusData: number[] = [];

  constructor(private readonly o: W25qOptions) {
    this.chip = o.chip;
    this.memory = new Uint8Array(o.chip.size).fill(0xff);
    this.uid = o.uniqueId ?? defaultUniqueId(o.chip.name);
    const sectors = Array.from({ length: o.chip.size / (4 * KiB) }, (_, i) => ({ offset: i * 4 * KiB, size: 4 * KiB }));
    this.store = {
      name: 'spi-flash',
      bytes: this.memory,
      size: o.chip.size,
      erasedValue: 0xff,
      sectors,
      onChange: (l) => void this.listeners.push(l),
    };
  }

  /** Power-on: volatile state from the non-volatile bits, no operation in progress. */
  powerOn(): void {
    this.softReset();
    this.busyUntil = -1;
    this.poweredDown = false;
  }

  get busy(): boolean {
    this.settle();
    return this.busyUntil >= 0;
  }

  /** Status register `i` (0–2) as a read command returns it, without the SPI exchange. */
  status(i: number): number {
    this.settle();
    if (i > 0) return this.sr[i]!;
    return (this.sr[0]! & ~3) | (this.wel ? W25Q_SR1.WEL : 0) | (this.busyUntil >= 0 ? W25Q_SR1.BUSY : 0);
  }

  get isPoweredDown(): boolean {
    return this.poweredDown;
  }

  /** The write-protected byte range [start, end) the status bits select (start = end: none). */
  protectedRange(): [number, number] {
    const size = this.chip.size;
    const sr1 = this.sr[0]!;
    const bp = (sr1 >>> 2) & 7;
    let tb = (sr1 & 0x20) !== 0;
    const sec = (sr1 & 0x40) !== 0;
    const cmp = (this.sr[1]! & 0x40) !== 0;
    if (this.sr[2]! & 0x04) return [0, 0]; // WPS=1: individual block locks (not modelled)
    let len: number;
    if (bp === 0) len = 0;
    else if (bp === 7) len = size;
    else if (sec) len = 4 * KiB * 2 ** (Math.min(bp, 4) - 1);
    else len = Math.min(size, this.chip.protectUnit * 2 ** (bp - 1));
    if (cmp) {
      len = size - len;
      tb = !tb;
    }
    return tb ? [0, len] : [size - len, size];
  }

  private isProtected(start: number, length: number, what: string): boolean {
    const [a, b] = this.protectedRange();
    const hit = a < b && start < b && start + length > a;
    if (hit) this.o.log?.debug(`w25q: ${what} at 0x${start.toString(16)} ignored: block protected (0x${a.toString(16)}-0x${b.toString(16)})`);
    return hit;
  }

  select(active: boolean): void {
    this.settle();
    if (active) {
      this.selected = true;
      this.cmd = -1;
      this.n = 0;
      this.addr = 0;
      return;
    }
    if (!this.selected) return;
    this.selected = false;
    this.finish();
  }

  transfer(byte: number): number {
    if (!this.selected) return 0xff;
    const out = this.peek();
    this.consume(byte & 0xff);
    return out;
  }

  /**
   * The byte the chip drives on MISO during the next transfer. It never depends on the byte coming in at
   * the same time, so a bit-level master (`connectSpiPins`) can shift it out before the input is known.
   */
  peek(): number {
    if (!this.selected || this.cmd < 0) return 0xff;
    this.settle();
    const n = this.n + 1;
    switch (this.cmd) {
      case 0x9f:
        return n <= 3 ? (this.chip.jedecId >>> (8 * (3 - n))) & 0xff : 0xff;
      case 0x05:
        return this.status(0);
      case 0x35:
        return this.status(1);
      case 0x15:
        return this.status(2);
      case 0x03:
        return n <= 3 ? 0xff : this.memory[this.addr]!;
      case 0x0b:
        return n <= 4 ? 0xff : this.memory[this.addr]!;
      case 0x90:
        if (n <= 3) return 0xff;
        return ((this.addr & 1) ^ ((n - 4) & 1)) === 0 ? this.chip.jedecId >>> 16 : this.chip.deviceId;
      case 0xab:
        return n <= 3 ? 0xff : this.chip.deviceId;
      case 0x4b:
        return n <= 4 || n > 12 ? 0xff : this.uid[n - 5]!;
      default:
        return 0xff;
    }
  }

  /** Takes one byte from MOSI. */
  private consume(byte: number): void {
    this.settle();
    if (this.cmd === -1) {
      this.begin(byte);
      return;
    }
    if (this.cmd === IGNORED) return;
    const n = ++this.n;
    switch (this.cmd) {
      case 0x03:
      case 0x0b:
        if (n <= 3) this.address(byte);
        else if (this.cmd === 0x03 || n > 4) this.addr = (this.addr + 1) % this.chip.size;
        break;
      case 0x90:
      case 0x20:
      case 0x52:
      case 0xd8:
        if (n <= 3) this.address(byte);
        break;
      case 0x02:
        if (n <= 3) this.address(byte);
        else {
          const i = (this.addr + n - 4) & (PAGE - 1);
          this.pageBuf[i] = byte;
          this.pageSet[i] = 1;
        }
        break;
      case 0x01:
      case 0x31:
      case 0x11:
        this.statusData.push(byte);
        break;
      default:
        break;
    }
  }

  private begin(op: number): void {
    const statusRead = op === 0x05 || op === 0x35 || op === 0x15;
    if (this.poweredDown && op !== 0xab) {
      this.o.log?.debug(`w25q: command 0x${op.toString(16)} ignored in power-down`);
      this.cmd = IGNORED;
    } else if (this.busyUntil >= 0 && !statusRead) {
      this.o.log?.debug(`w25q: command 0x${op.toString(16)} ignored while BUSY`);
      this.cmd = IGNORED;
    } else this.cmd = op;
    this.n = 0;
    this.addr = 0;
    this.statusData = [];
    if (op === 0x02) this.pageSet.fill(0);
  }

  private address(byte: number): void {
    this.addr = ((this.addr << 8) | byte) % this.chip.size;
  }

  /** Chip-select rising edge: the command takes effect. */
  private finish(): void {
    const op = this.cmd;
    const n = this.n;
    if (op < 0) return;
    // 66h arms 99h for the very next command only; 50h arms the next status write only.
    const resetArmed = this.resetEnabled;
    const volatileArmed = this.volatileSrEnabled;
    this.resetEnabled = false;
    this.volatileSrEnabled = false;
    switch (op) {
      case 0x06:
        if (n === 0) this.wel = true;
        break;
      case 0x04:
        if (n === 0) this.wel = false;
        break;
      case 0x50:
        if (n === 0) this.volatileSrEnabled = true;
        break;
      case 0x66:
        if (n === 0) this.resetEnabled = true;
        break;
      case 0x99:
        if (n === 0 && resetArmed) this.softReset();
        break;
      case 0xb9:
        if (n === 0) this.poweredDown = true;
        break;
      case 0xab:
        this.poweredDown = false;
        break;
      case 0x01:
      case 0x31:
      case 0x11:
        this.writeStatus(op, volatileArmed);
        break;
      case 0x02:
        if (n >= 4 && this.needWel('page program') && !this.isProtected(this.addr & ~(PAGE - 1), PAGE, 'page program')) this.program();
        break;
      case 0x20:
        if (n >= 3 && this.needWel('sector erase') && !this.isProtected(this.addr & ~(4 * KiB - 1), 4 * KiB, 'sector erase')) this.erase(4 * KiB, W25Q_TIMES.sector4k);
        break;
      case 0x52:
        if (n >= 3 && this.needWel('32K block erase') && !this.isProtected(this.addr & ~(32 * KiB - 1), 32 * KiB, '32K block erase')) this.erase(32 * KiB, W25Q_TIMES.block32k);
        break;
      case 0xd8:
        if (n >= 3 && this.needWel('64K block erase') && !this.isProtected(this.addr & ~(64 * KiB - 1), 64 * KiB, '64K block erase')) this.erase(64 * KiB, W25Q_TIMES.block64k);
        break;
      case 0xc7:
      case 0x60:
        if (n === 0 && this.needWel('chip erase') && !this.isProtected(0, this.chip.size, 'chip erase')) {
          this.addr = 0;
          this.erase(this.chip.size, this.chip.chipEraseSeconds);
        }
        break;
      default:
        break;
    }
  }

  private needWel(what: string): boolean {
    if (!this.wel) this.o.log?.debug(`w25q: ${what} ignored: WEL is 0 (send 06h first)`);
    return this.wel;
  }

  private writeStatus(op: number, volatileOnly: boolean): void {
    const data = this.statusData;
    if (data.length === 0) return;
    if (!volatileOnly && !this.needWel('write status')) return;
    const writes: [number, number][] = op === 0x01 ? data.slice(0, 2).map((v, i) => [i, v]) : [[op === 0x31 ? 1 : 2, data[0]!]];
    for (const [i, v] of writes) {
      const m = SR_WRITABLE[i]!;
      let next = (this.sr[i]! & ~m) | (v & m);
      if (i === 1) next |= (this.sr[1]! | v) & SR2_LB; // lock bits are one-time programmable
      this.sr[i] = next;
      if (!volatileOnly) this.srNv[i] = next;
    }
    if (!volatileOnly) this.startBusy(W25Q_TIMES.writeStatus);
  }

  private program(): void {
    const page = this.addr & ~(PAGE - 1);
    let first = PAGE;
    let last = -1;
    for (let i = 0; i < PAGE; i++) {
      if (!this.pageSet[i]) continue;
      this.memory[page + i]! &= this.pageBuf[i]!;
      first = Math.min(first, i);
      last = i;
    }
    this.startBusy(W25Q_TIMES.pageProgram);
    if (last >= 0) this.changed(page + first, last - first + 1);
  }

  private erase(size: number, seconds: number): void {
    const start = this.addr - (this.addr % size);
    this.memory.fill(0xff, start, start + size);
    this.startBusy(seconds);
    this.changed(start, size);
  }

  private startBusy(seconds: number): void {
    this.busyUntil = this.o.now() + Math.max(1, Math.round(this.o.cyclesFor(seconds * (this.o.timeScale ?? 1))));
  }

  /** Ends an operation whose time is up: BUSY and WEL clear. */
  private settle(): void {
    if (this.busyUntil >= 0 && this.o.now() >= this.busyUntil) {
      this.busyUntil = -1;
      this.wel = false;
    }
  }

  private softReset(): void {
    this.sr.set(this.srNv);
    this.wel = false;
    this.volatileSrEnabled = false;
    this.resetEnabled = false;
  }

  private changed(offset: number, length: number): void {
    for (const l of this.listeners) l(offset, length);
  }
}

/** A stable 64-bit unique ID per chip name (FNV-1a), so runs are reproducible. */
function defaultUniqueId(name: string): Uint8Array {
  let h = 0xcbf29ce484222325n;
  for (const c of Buffer.from(`emboard:${name}`)) h = ((h ^ BigInt(c)) * 0x100000001b3n) & 0xffffffffffffffffn;
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = Number((h >> BigInt(56 - 8 * i)) & 0xffn);
  return out;
}

/** The chip for a board option value ("w25q64", case-insensitive); undefined if unknown. */
export function w25qChip(name: string): W25qChip | undefined {
  return W25Q_CHIPS[name.toLowerCase()];
}
