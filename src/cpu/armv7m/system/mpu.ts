/**
 * The ARMv7-M Protected Memory System Architecture (ARM ARM B3.5): 8 regions, registers relative to
 * 0xE000ED90: TYPE 0x00, CTRL 0x04, RNR 0x08, RBAR 0x0C, RASR 0x10, aliases RBAR_A1..3 / RASR_A1..3 at
 * 0x14..0x28. While enabled, `cpu.mem` is this block's checking front (permission faults → MemManage
 * DACCVIOL with MMFAR) and `cpu.fetchCheck` checks instruction fetches (XN / no access → IACCVIOL).
 * Memory attributes (TEX/S/C/B) are stored but have no effect: there are no caches to model.
 */
import type { Bus } from '../../../core/bus.js';
import type { CortexM4, MemoryPort } from '../cpu.js';
import type { ExceptionModel } from '../exceptions.js';
import { CFSR, Exc, GuestFault } from '../faults.js';
import { merge, type WordRegisters } from './lanes.js';

export const MPU_REGIONS = 8;

export const MPU_CTRL = {
  ENABLE: 1 << 0,
  HFNMIENA: 1 << 1,
  PRIVDEFENA: 1 << 2,
} as const;

const RASR_WRITABLE = 0x173f_ff3f;

/** Access permissions per RASR.AP: bit 0 privileged read, 1 privileged write, 2 unprivileged read, 3 unprivileged write. */
const AP_PERMS = [0b0000, 0b0011, 0b0111, 0b1111, 0b0000, 0b0001, 0b0101, 0b0101];

export class Mpu implements WordRegisters, MemoryPort {
  ctrl = 0;
  rnr = 0;
  readonly rbar = new Uint32Array(MPU_REGIONS);
  readonly rasr = new Uint32Array(MPU_REGIONS);

  // Decoded regions, updated on every RBAR/RASR write.
  private readonly rEnabled = new Uint8Array(MPU_REGIONS);
  private readonly rBase = new Float64Array(MPU_REGIONS);
  private readonly rSize = new Float64Array(MPU_REGIONS);
  /** Disabled-subregion mask (0 for regions smaller than 256 bytes, where SRD is ignored). */
  private readonly rSrd = new Uint8Array(MPU_REGIONS);
  private readonly rPerm = new Uint8Array(MPU_REGIONS);
  private readonly rXn = new Uint8Array(MPU_REGIONS);

  private readonly bus: Bus;
  /** Bound once: the CPU calls it before every instruction while the MPU is enabled. */
  private readonly fetchCheck = (pc: number): void => this.checkFetch(pc);

  constructor(
    private readonly cpu: CortexM4,
    private readonly exc: ExceptionModel,
  ) {
    this.bus = cpu.bus;
  }

  reset(): void {
    this.ctrl = 0;
    this.rnr = 0;
    this.rbar.fill(0);
    this.rasr.fill(0);
    for (let i = 0; i < MPU_REGIONS; i++) this.decode(i);
    this.install();
  }

  private install(): void {
    if (this.ctrl & MPU_CTRL.ENABLE) {
      this.cpu.mem = this;
      this.cpu.fetchCheck = this.fetchCheck;
    } else {
      this.cpu.mem = this.cpu.bus;
      this.cpu.fetchCheck = null;
    }
  }

  private decode(i: number): void {
    const rasr = this.rasr[i]!;
    const sizeField = (rasr >>> 1) & 0x1f;
    // SIZE < 4 (regions under 32 bytes) is UNPREDICTABLE; such a region never matches here.
    this.rEnabled[i] = rasr & 1 && sizeField >= 4 ? 1 : 0;
    const size = 2 ** (sizeField + 1);
    this.rSize[i] = size;
    this.rBase[i] = size >= 2 ** 32 ? 0 : (this.rbar[i]! >>> 0) - ((this.rbar[i]! >>> 0) % size);
    this.rSrd[i] = sizeField >= 7 ? (rasr >>> 8) & 0xff : 0;
    this.rPerm[i] = AP_PERMS[(rasr >>> 24) & 7]!;
    this.rXn[i] = (rasr >>> 28) & 1;
  }

  /** The highest-numbered region containing `addr` (subregions applied), or -1. */
  regionFor(addr: number): number {
    for (let i = MPU_REGIONS - 1; i >= 0; i--) {
      if (this.rEnabled[i] === 0) continue;
      const off = addr - this.rBase[i]!;
      const size = this.rSize[i]!;
      if (off < 0 || off >= size) continue;
      const srd = this.rSrd[i]!;
      if (srd !== 0 && ((srd >>> Math.floor(off / (size / 8))) & 1) !== 0) continue;
      return i;
    }
    return -1;
  }

  /** Is the MPU bypassed for this access (disabled, or negative priority without HFNMIENA, or the PPB)? */
  private bypass(addr: number): boolean {
    if ((this.ctrl & MPU_CTRL.ENABLE) === 0) return true;
    if ((this.ctrl & MPU_CTRL.HFNMIENA) === 0 && this.exc.negativePriority()) return true;
    return addr >= 0xe000_0000 && addr < 0xe010_0000; // the PPB always uses the default map
  }

  /** Permission check of a data access; throws MemManage DACCVIOL with MMFAR. */
  checkData(address: number, write: boolean): void {
    const addr = address >>> 0;
    if (this.bypass(addr)) return;
    const priv = this.cpu.isPrivileged();
    const need = priv ? (write ? 2 : 1) : write ? 8 : 4;
    const i = this.regionFor(addr);
    if (i >= 0) {
      if ((this.rPerm[i]! & need) !== 0) return;
    } else if (priv && (this.ctrl & MPU_CTRL.PRIVDEFENA) !== 0) return;
    throw new GuestFault(Exc.MemManage, CFSR.DACCVIOL | CFSR.MMARVALID, addr);
  }

  /** Instruction fetch check: XN or no read permission → IACCVIOL (no MMFAR). */
  checkFetch(pc: number): void {
    const addr = pc >>> 0;
    if (this.bypass(addr)) return;
    const priv = this.cpu.isPrivileged();
    const i = this.regionFor(addr);
    if (i >= 0) {
      if (this.rXn[i] === 0 && (this.rPerm[i]! & (priv ? 1 : 4)) !== 0) return;
    } else if (priv && (this.ctrl & MPU_CTRL.PRIVDEFENA) !== 0) return;
    throw new GuestFault(Exc.MemManage, CFSR.IACCVIOL);
  }

  // ---- MemoryPort (the checking front) -------------------------------------------------------------

  read8(addr: number): number {
    this.checkData(addr, false);
    return this.bus.read8(addr);
  }
  read16(addr: number): number {
    this.checkData(addr, false);
    return this.bus.read16(addr);
  }
  read32(addr: number): number {
    this.checkData(addr, false);
    return this.bus.read32(addr);
  }
  write8(addr: number, value: number): void {
    this.checkData(addr, true);
    this.bus.write8(addr, value);
  }
  write16(addr: number, value: number): void {
    this.checkData(addr, true);
    this.bus.write16(addr, value);
  }
  write32(addr: number, value: number): void {
    this.checkData(addr, true);
    this.bus.write32(addr, value);
  }

  // ---- registers -----------------------------------------------------------------------------------

  readWord(offset: number): number {
    switch (offset) {
      case 0x00: return MPU_REGIONS << 8; // TYPE: DREGION=8, unified (SEPARATE=0), IREGION=0
      case 0x04: return this.ctrl;
      case 0x08: return this.rnr;
      case 0x0c: case 0x14: case 0x1c: case 0x24:
        return ((this.rbar[this.rnr]! & 0xffffffe0) | this.rnr) >>> 0; // VALID reads as zero
      case 0x10: case 0x18: case 0x20: case 0x28:
        return this.rasr[this.rnr]!;
      default: return 0;
    }
  }

  writeWord(offset: number, value: number, mask: number): void {
    switch (offset) {
      case 0x04:
        this.ctrl = merge(this.ctrl, value, mask & 7);
        this.install();
        break;
      case 0x08:
        this.rnr = merge(this.rnr, value, mask & 0xff) & (MPU_REGIONS - 1);
        break;
      case 0x0c: case 0x14: case 0x1c: case 0x24: {
        // VALID (bit 4) selects the region in REGION[3:0] (and updates RNR) before the base is written.
        const v = merge(this.rbar[this.rnr]! | this.rnr, value, mask);
        if (v & 0x10) this.rnr = v & 0xf & (MPU_REGIONS - 1);
        this.rbar[this.rnr] = v & 0xffffffe0;
        this.decode(this.rnr);
        break;
      }
      case 0x10: case 0x18: case 0x20: case 0x28:
        this.rasr[this.rnr] = merge(this.rasr[this.rnr]!, value, mask & RASR_WRITABLE);
        this.decode(this.rnr);
        break;
      default:
        break;
    }
  }
}
