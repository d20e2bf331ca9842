/**
 * STM32F411 embedded flash interface (RM0383 §3), registers at 0x40023C00, FLASH global interrupt IRQ 4.
 *
 * - Main memory: 512 KiB at 0x08000000 in sectors 4×16K, 1×64K, 3×128K (SECTORS).
 * - NOR semantics: programming only clears bits (new = old AND data); erase sets bytes to 0xFF.
 * - Unlock: KEYR ← 0x45670123, 0xCDEF89AB clears CR.LOCK. Any other write to KEYR (wrong key, wrong order,
 *   or while already unlocked) is a bus error and locks CR until the next reset. Same for OPTKEYR
 *   (0x08192A3B, 0x4C5D6E7F) and OPTCR.OPTLOCK.
 * - CPU writes into flash (the bus ROM `romWrite` hook) are programming operations while CR.PG is set;
 *   otherwise PGSERR is set and the write is dropped (no bus fault). The access size must match
 *   CR.PSIZE (else PGPERR; x64 needs an external Vpp, so no CPU access matches it), must not cross a
 *   128-bit row (PGAERR), and must not hit a write-protected sector (WRPERR). OPERR accompanies every
 *   error while ERRIE is set; EOP is set after a successful operation while EOPIE is set.
 * - Times: BSY stays set for the datasheet's typical program/erase times in virtual time (FLASH_TIMES,
 *   scaled by `timeScale`). Data changes immediately: on the chip, reads of flash stall while BSY, so
 *   no one can observe the intermediate state (we do not stall the CPU).
 * - SER and MER together, or SNB > 7, is a sequence error (PGSERR) and erases nothing.
 * - OTP (0x1FFF7800, 16 blocks of 32 bytes + 16 lock bytes) is programmed the same way; a block whose
 *   lock byte is 0x00 gives WRPERR. It cannot be erased.
 * - Option bytes: OPTCR holds RDP, USER bits, nWRP, SPRMOD; OPTSTRT stores them (non-volatile, kept across
 *   resets) after a 16 KiB-sector erase time. Write protection applies at once. Read protection (RDP):
 *   going from level 1 back to level 0 mass-erases the main flash first; at level 2 OPTSTRT is ignored
 *   (the options are final). The access restrictions of levels 1/2 (debugger, boot from SRAM/system
 *   memory) are not enforced. PCROP read errors (RDERR) are not modelled.
 */
import type { Storage } from '../../core/bus.js';
import { BusError } from '../../core/errors.js';
import type { IrqLine } from '../../core/irq.js';
import type { Logger } from '../../core/logger.js';
import { RegisterBank } from '../../core/registers.js';
import type { ScheduledEvent, Scheduler } from '../../core/scheduler.js';
import { warnUnmapped } from './device-context.js';

export const FLASH_BASE = 0x0800_0000;
export const FLASH_SIZE = 512 * 1024;
export const FLASH_IF_BASE = 0x4002_3c00;
export const FLASH_IRQ = 4;

export const FLASH_KEY1 = 0x4567_0123;
export const FLASH_KEY2 = 0xcdef_89ab;
export const FLASH_OPTKEY1 = 0x0819_2a3b;
export const FLASH_OPTKEY2 = 0x4c5d_6e7f;

const KiB = 1024;
/** Sector start offsets (from FLASH_BASE) and sizes. */
export const SECTORS: readonly { readonly offset: number; readonly size: number }[] = (() => {
  const sizes = [16, 16, 16, 16, 64, 128, 128, 128].map((k) => k * KiB);
  let at = 0;
  return sizes.map((size) => {
    const s = { offset: at, size };
    at += size;
    return s;
  });
})();

export function sectorOf(offset: number): number {
  for (let i = SECTORS.length - 1; i >= 0; i--) if (offset >= SECTORS[i]!.offset) return i;
  return 0;
}

/** Typical times in seconds from the STM32F411 datasheet, indexed by PSIZE (x8, x16, x32, x64 ≈ x32). */
export const FLASH_TIMES = {
  program: 16e-6,
  erase16K: [0.4, 0.3, 0.25, 0.25],
  erase64K: [1.2, 0.7, 0.55, 0.55],
  erase128K: [2, 1.3, 1, 1],
  massErase: [8, 5.5, 4, 4],
} as const;

export const SR = {
  EOP: 1 << 0,
  OPERR: 1 << 1,
  WRPERR: 1 << 4,
  PGAERR: 1 << 5,
  PGPERR: 1 << 6,
  PGSERR: 1 << 7,
  RDERR: 1 << 8,
  BSY: 1 << 16,
} as const;

export const CR = {
  PG: 1 << 0,
  SER: 1 << 1,
  MER: 1 << 2,
  STRT: 1 << 16,
  EOPIE: 1 << 24,
  ERRIE: 1 << 25,
  LOCK: 1 << 31,
} as const;

export const OPTCR = { OPTLOCK: 1 << 0, OPTSTRT: 1 << 1, SPRMOD: 1 << 31 } as const;
/** OPTCR reset value with factory option bytes: RDP level 0 (0xAA), no write protection, BOR off. */
export const OPTCR_FACTORY = 0x0fff_aaed;
/** RDP byte values: 0xAA level 0, 0xCC level 2, anything else level 1. */
export const RDP_LEVEL0 = 0xaa;
export const RDP_LEVEL2 = 0xcc;

export const OTP_BASE = 0x1fff_7800;
export const OTP_DATA_SIZE = 512;
export const OTP_LOCK_SIZE = 16;

export interface FlashOptions {
  scheduler: Scheduler;
  log: Logger;
  irq: IrqLine;
  /** Main flash contents (512 KiB). */
  storage: Storage;
  /** Where the OTP area lives: a storage (system memory) and the OTP's offset in it. */
  otp: { storage: Storage; offset: number } | null;
  /** Seconds → virtual-time cycles at the current HCLK. */
  cyclesFor: (seconds: number) => number;
  /** Multiplies every program/erase time (1 = datasheet typical). */
  timeScale?: number;
}

export class Stm32Flash {
  readonly regs: RegisterBank;
  /** Non-volatile option bytes, as OPTCR bits (OPTLOCK/OPTSTRT clear); kept across resets. */
  optionBytes = OPTCR_FACTORY & ~(OPTCR.OPTLOCK | OPTCR.OPTSTRT);
  private keyStage = 0;
  private optKeyStage = 0;
  /** A wrong key sequence locks CR (or OPTCR) until the next reset. */
  private keyLockout = false;
  private optKeyLockout = false;
  private busyUntil = 0;
  private readonly done: ScheduledEvent;
  private pendingOptions: number | null = null;
  private readonly listeners: ((offset: number, length: number) => void)[] = [];
  private readonly timeScale: number;

  constructor(private readonly o: FlashOptions) {
    this.timeScale = o.timeScale ?? 1;
    this.done = o.scheduler.event('flash-done', () => this.finish());
    this.regs = new RegisterBank('FLASH', [
      { name: 'ACR', offset: 0x00, writable: 0x0000_1f0f },
      { name: 'KEYR', offset: 0x04, writable: 0, read: () => 0, write: (_v, _o, w) => this.writeKey(w) },
      { name: 'OPTKEYR', offset: 0x08, writable: 0, read: () => 0, write: (_v, _o, w) => this.writeOptKey(w) },
      { name: 'SR', offset: 0x0c, writable: 0, w1c: 0x0000_01f3, write: () => this.updateIrq() },
      { name: 'CR', offset: 0x10, reset: CR.LOCK, writable: 0x8301_037f, write: (v, old) => this.writeCr(v, old) },
      { name: 'OPTCR', offset: 0x14, reset: OPTCR_FACTORY, writable: 0x80ff_ffef, write: (v, old) => this.writeOptcr(v, old) },
    ], { onUnmapped: warnUnmapped(o.log, 'flash') });
  }

  /** Called with the storage offset and length of every erase/program (to persist the flash later). */
  onContentChange(cb: (offset: number, length: number) => void): void {
    this.listeners.push(cb);
  }

  get busy(): boolean {
    return (this.regs.get('SR') & SR.BSY) !== 0;
  }

  reset(): void {
    this.o.scheduler.cancel(this.done);
    this.regs.reset();
    this.regs.set('OPTCR', this.optionBytes | OPTCR.OPTLOCK);
    this.keyStage = 0;
    this.optKeyStage = 0;
    this.keyLockout = false;
    this.optKeyLockout = false;
    this.busyUntil = 0;
    this.pendingOptions = null;
    this.o.irq.set(false);
  }

  /** Is sector `n` write-protected by the option bytes in effect (nWRP, or PCROP when SPRMOD)? */
  isProtected(n: number): boolean {
    const optcr = this.regs.get('OPTCR');
    const bit = (optcr >>> (16 + n)) & 1;
    return optcr & OPTCR.SPRMOD ? bit === 1 : bit === 0;
  }

  // ---- CPU writes into flash and OTP (bus romWrite hooks) -------------------------------------

  /** A CPU write at `offset` into main flash. */
  programMain(offset: number, size: 1 | 2 | 4, value: number): void {
    if (!this.checkProgram(offset, size)) return;
    if (this.isProtected(sectorOf(offset))) return this.error(SR.WRPERR, `program at 0x${(FLASH_BASE + offset).toString(16)}: sector write-protected`);
    this.program(this.o.storage, offset, size, value);
  }

  /** A CPU write into the system memory page at `offset` from 0x1FFF0000 (only the OTP is programmable). */
  programSystem(offset: number, size: 1 | 2 | 4, value: number, systemBase: number): void {
    const otp = this.o.otp;
    const addr = systemBase + offset;
    if (otp === null || addr < OTP_BASE || addr + size > OTP_BASE + OTP_DATA_SIZE + OTP_LOCK_SIZE) {
      this.o.log.warn(`write to read-only system memory at 0x${addr.toString(16)} ignored`);
      return;
    }
    if (!this.checkProgram(offset, size)) return;
    const rel = addr - OTP_BASE;
    if (rel < OTP_DATA_SIZE) {
      const lock = otp.storage.bytes[otp.offset + OTP_DATA_SIZE + (rel >>> 5)]!;
      if (lock === 0) return this.error(SR.WRPERR, `OTP block ${rel >>> 5} is locked`);
    }
    this.program(otp.storage, offset, size, value);
  }

  private checkProgram(offset: number, size: 1 | 2 | 4): boolean {
    const cr = this.regs.get('CR');
    if (!(cr & CR.PG)) {
      this.error(SR.PGSERR, 'write to flash without CR.PG');
      return false;
    }
    const psize = (cr >>> 8) & 3;
    if (psize === 3 || size !== 1 << psize) {
      this.error(SR.PGPERR, `${size * 8}-bit write with PSIZE x${8 << psize}`);
      return false;
    }
    if ((offset & 15) + size > 16) {
      this.error(SR.PGAERR, 'write crosses a 128-bit row');
      return false;
    }
    return true;
  }

  private program(st: Storage, offset: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) st.bytes[offset + i]! &= (value >>> (8 * i)) & 0xff;
    st.invalidate(offset, size);
    if (st === this.o.storage) for (const l of this.listeners) l(offset, size);
    this.startBusy(FLASH_TIMES.program);
  }

  // ---- registers --------------------------------------------------------------------------------

  private writeKey(w: number): void {
    const cr = this.regs.get('CR');
    if (!this.keyLockout && cr & CR.LOCK) {
      if (this.keyStage === 0 && w === FLASH_KEY1) {
        this.keyStage = 1;
        return;
      }
      if (this.keyStage === 1 && w === FLASH_KEY2) {
        this.keyStage = 0;
        this.regs.set('CR', cr & ~CR.LOCK);
        return;
      }
    }
    this.keyLockout = true;
    this.keyStage = 0;
    this.regs.set('CR', cr | CR.LOCK);
    this.o.log.warn(`FLASH_KEYR: wrong key sequence (0x${w.toString(16)}); FLASH_CR locked until reset`);
    throw new BusError(FLASH_IF_BASE + 0x04, true, 4);
  }

  private writeOptKey(w: number): void {
    const optcr = this.regs.get('OPTCR');
    if (!this.optKeyLockout && optcr & OPTCR.OPTLOCK) {
      if (this.optKeyStage === 0 && w === FLASH_OPTKEY1) {
        this.optKeyStage = 1;
        return;
      }
      if (this.optKeyStage === 1 && w === FLASH_OPTKEY2) {
        this.optKeyStage = 0;
        this.regs.set('OPTCR', optcr & ~OPTCR.OPTLOCK);
        return;
      }
    }
    this.optKeyLockout = true;
    this.optKeyStage = 0;
    this.regs.set('OPTCR', optcr | OPTCR.OPTLOCK);
    this.o.log.warn(`FLASH_OPTKEYR: wrong key sequence (0x${w.toString(16)}); FLASH_OPTCR locked until reset`);
    throw new BusError(FLASH_IF_BASE + 0x08, true, 4);
  }

  private writeCr(v: number, old: number): void {
    if (old & CR.LOCK) {
      this.regs.set('CR', old); // locked: every write is ignored
      return;
    }
    if (this.busy) v = (v & ~CR.STRT) | (old & CR.STRT);
    this.regs.set('CR', v);
    if (v & CR.STRT && !(old & CR.STRT)) this.startErase(v);
    this.updateIrq();
  }

  private startErase(cr: number): void {
    const psize = (cr >>> 8) & 3;
    const fail = (flag: number, why: string) => {
      this.regs.setBits('CR', CR.STRT, false);
      this.error(flag, why);
    };
    if (cr & CR.SER && cr & CR.MER) return fail(SR.PGSERR, 'SER and MER both set');
    if (cr & CR.SER) {
      const snb = (cr >>> 3) & 0xf;
      if (snb >= SECTORS.length) return fail(SR.PGSERR, `no sector ${snb}`);
      if (this.isProtected(snb)) return fail(SR.WRPERR, `sector ${snb} is write-protected`);
      const s = SECTORS[snb]!;
      this.erase(s.offset, s.size);
      const t = s.size === 16 * KiB ? FLASH_TIMES.erase16K : s.size === 64 * KiB ? FLASH_TIMES.erase64K : FLASH_TIMES.erase128K;
      this.o.log.debug(`FLASH: erasing sector ${snb}`);
      this.startBusy(t[psize]!);
    } else if (cr & CR.MER) {
      for (let i = 0; i < SECTORS.length; i++) if (this.isProtected(i)) return fail(SR.WRPERR, `mass erase with sector ${i} write-protected`);
      this.erase(0, FLASH_SIZE);
      this.o.log.debug('FLASH: mass erase');
      this.startBusy(FLASH_TIMES.massErase[psize]!);
    } else {
      this.regs.setBits('CR', CR.STRT, false); // nothing selected: nothing to start
    }
  }

  private erase(offset: number, size: number): void {
    const st = this.o.storage;
    st.bytes.fill(0xff, offset, offset + size);
    st.invalidate(offset, size);
    for (const l of this.listeners) l(offset, size);
  }

  private writeOptcr(v: number, old: number): void {
    if (old & OPTCR.OPTLOCK) {
      this.regs.set('OPTCR', old);
      return;
    }
    if (v & OPTCR.OPTSTRT && !(old & OPTCR.OPTSTRT)) {
      const rdpNow = (this.optionBytes >>> 8) & 0xff;
      const rdpNext = (v >>> 8) & 0xff;
      if (this.busy) v &= ~OPTCR.OPTSTRT;
      else if (rdpNow === RDP_LEVEL2) {
        // Level 2 is final: the option bytes can no longer be changed (RM0383 §3.7.3).
        this.o.log.warn('FLASH: option bytes are frozen by read protection level 2; OPTSTRT ignored');
        v &= ~OPTCR.OPTSTRT;
      } else {
        this.pendingOptions = v & ~(OPTCR.OPTLOCK | OPTCR.OPTSTRT);
        if (rdpNow !== RDP_LEVEL0 && rdpNext === RDP_LEVEL0) {
          // Level 1 → 0: the main flash is mass-erased first (RM0383 §3.7.3), with the mass-erase time.
          this.o.log.info('FLASH: read protection level 1 → 0, mass erase of the main flash');
          this.erase(0, FLASH_SIZE);
          this.startBusy(FLASH_TIMES.massErase[2]!);
        }
        this.startBusy(FLASH_TIMES.erase16K[2]);
      }
    }
    this.regs.set('OPTCR', v);
  }

  private startBusy(seconds: number): void {
    const s = this.o.scheduler;
    const now = s.now;
    this.busyUntil = Math.max(now, this.busyUntil) + this.o.cyclesFor(seconds * this.timeScale);
    this.regs.setBits('SR', SR.BSY, true);
    s.scheduleAt(this.done, this.busyUntil);
  }

  private finish(): void {
    this.regs.setBits('SR', SR.BSY, false);
    this.regs.setBits('CR', CR.STRT, false);
    if (this.pendingOptions !== null) {
      this.optionBytes = this.pendingOptions;
      this.pendingOptions = null;
      this.regs.setBits('OPTCR', OPTCR.OPTSTRT, false);
    }
    if (this.regs.get('CR') & CR.EOPIE) this.regs.setBits('SR', SR.EOP, true);
    this.updateIrq();
  }

  private error(flag: number, why: string): void {
    this.o.log.debug(`FLASH error: ${why}`);
    const errie = (this.regs.get('CR') & CR.ERRIE) !== 0;
    this.regs.setBits('SR', flag | (errie ? SR.OPERR : 0), true);
    this.updateIrq();
  }

  private updateIrq(): void {
    const sr = this.regs.get('SR');
    const cr = this.regs.get('CR');
    this.o.irq.set((sr & SR.EOP && cr & CR.EOPIE) !== 0 || (sr & SR.OPERR && cr & CR.ERRIE) !== 0);
  }
}
