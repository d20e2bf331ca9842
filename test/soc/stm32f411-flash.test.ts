/** STM32F411 flash interface (RM0383 §3): unlock, program, erase, errors, option bytes, OTP — through the bus. */
import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/core/bus.js';
import { BusError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { UartPort } from '../../src/core/uart-port.js';
import { CR, FLASH_IRQ, FLASH_KEY1, FLASH_KEY2, FLASH_OPTKEY1, FLASH_OPTKEY2, SECTORS, SR } from '../../src/soc/stm32f411/flash.js';
import { createStm32f411, type Stm32f411Instance } from '../../src/soc/stm32f411/index.js';
import { clocked, RecordingIrq } from './mps2-helpers.js';

const F = 0x4002_3c00;
const ACR = F + 0x00;
const KEYR = F + 0x04;
const OPTKEYR = F + 0x08;
const FSR = F + 0x0c;
const FCR = F + 0x10;
const OPTCR = F + 0x14;
const HSI = 16_000_000;
const PSIZE32 = 2 << 8;

function build() {
  const bus = new Bus();
  const c = clocked();
  const irq = new RecordingIrq();
  const soc = createStm32f411(
    { bus, scheduler: c.scheduler, irq, log: silentLogger(), cpuHz: HSI, uart: (l) => new UartPort(l) },
    { hseHz: 8_000_000, lseHz: 32_768 },
  ) as Stm32f411Instance;
  const rd = (a: number) => bus.read32(a) >>> 0;
  const wr = (a: number, v: number) => bus.write32(a, v);
  const unlock = () => {
    wr(KEYR, FLASH_KEY1);
    wr(KEYR, FLASH_KEY2);
  };
  /** Advances until BSY clears; returns the cycles it took. */
  const waitIdle = () => {
    const start = c.clock.cycles;
    while (rd(FSR) & SR.BSY) c.advance(Math.max(1, c.scheduler.nextTime - c.clock.cycles));
    return c.clock.cycles - start;
  };
  return { bus, soc, irq, rd, wr, unlock, waitIdle, ...c };
}

function busError(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch (e) {
    if (e instanceof BusError) return true;
    throw e;
  }
}

describe('STM32F411 flash interface reset state and lock', () => {
  it('resets with CR locked (0x80000000), SR clear, OPTCR 0x0FFFAAED and ACR latency read back as written', () => {
    const { rd, wr } = build();
    expect(rd(FCR)).toBe(0x8000_0000);
    expect(rd(FSR)).toBe(0);
    expect(rd(OPTCR)).toBe(0x0fff_aaed);
    wr(ACR, 0x703); // LATENCY 3, PRFTEN, ICEN, DCEN
    expect(rd(ACR)).toBe(0x703);
    expect(rd(KEYR)).toBe(0);
  });

  it('ignores CR writes while locked; KEY1, KEY2 unlocks; setting LOCK locks again', () => {
    const { rd, wr, unlock } = build();
    wr(FCR, CR.PG);
    expect(rd(FCR)).toBe(0x8000_0000);
    unlock();
    expect(rd(FCR)).toBe(0);
    wr(FCR, CR.PG | PSIZE32);
    expect(rd(FCR)).toBe(CR.PG | PSIZE32);
    wr(FCR, CR.LOCK >>> 0);
    expect(rd(FCR)).toBe(0x8000_0000);
  });

  it('a wrong key is a bus error and keeps CR locked until reset, even with the right sequence after it', () => {
    const { rd, wr, unlock, soc } = build();
    expect(busError(() => wr(KEYR, 0x1234_5678))).toBe(true);
    expect(busError(() => unlock())).toBe(true);
    expect(rd(FCR) >>> 31).toBe(1); // LOCK
    soc.reset('pin');
    unlock();
    expect(rd(FCR)).toBe(0);
    // Writing a key while unlocked is a wrong sequence too.
    expect(busError(() => wr(KEYR, FLASH_KEY1))).toBe(true);
    expect(rd(FCR) >>> 31).toBe(1); // LOCK
  });
});

describe('STM32F411 flash programming', () => {
  it('programs a word with NOR semantics (only 1→0), BSY for the typical 16 µs, EOP with EOPIE', () => {
    const { rd, wr, unlock, waitIdle, irq } = build();
    unlock();
    wr(FCR, CR.PG | PSIZE32 | CR.EOPIE);
    wr(0x0800_4000, 0x1234_ff0f);
    expect(rd(FSR) & SR.BSY).toBe(SR.BSY);
    expect(waitIdle()).toBe(16e-6 * HSI);
    expect(rd(FSR)).toBe(SR.EOP);
    expect(irq.high(FLASH_IRQ)).toBe(true);
    wr(FSR, SR.EOP);
    expect(irq.high(FLASH_IRQ)).toBe(false);
    wr(0x0800_4000, 0xff34_f0ff); // programming can only clear bits
    waitIdle();
    expect(rd(0x0800_4000)).toBe(0x1234_f00f);
    expect(rd(0x0000_4000)).toBe(0x1234_f00f); // the boot alias at 0 sees the same flash
  });

  it('without PG a write is a sequence error (PGSERR), not a bus fault, and changes nothing; OPERR with ERRIE', () => {
    const { rd, wr, unlock, irq } = build();
    wr(0x0800_4000, 0);
    expect(rd(FSR)).toBe(SR.PGSERR);
    expect(rd(0x0800_4000)).toBe(0xffff_ffff);
    unlock();
    wr(FSR, 0xffff_ffff);
    wr(FCR, CR.ERRIE);
    wr(0x0800_4000, 0);
    expect(rd(FSR)).toBe(SR.PGSERR | SR.OPERR);
    expect(irq.high(FLASH_IRQ)).toBe(true);
    wr(FSR, SR.PGSERR | SR.OPERR);
    expect(rd(FSR)).toBe(0);
    expect(irq.high(FLASH_IRQ)).toBe(false);
  });

  it('an access size different from PSIZE is PGPERR; crossing a 128-bit row is PGAERR', () => {
    const { rd, wr, bus, unlock } = build();
    unlock();
    wr(FCR, CR.PG | PSIZE32);
    bus.write16(0x0800_4000, 0);
    expect(rd(FSR)).toBe(SR.PGPERR);
    wr(FSR, SR.PGPERR);
    wr(FCR, CR.PG | (3 << 8)); // x64 needs Vpp: no CPU access matches
    wr(0x0800_4000, 0);
    expect(rd(FSR)).toBe(SR.PGPERR);
    wr(FSR, SR.PGPERR);
    wr(FCR, CR.PG | PSIZE32);
    wr(0x0800_400e, 0); // bytes 14..17 straddle two rows
    expect(rd(FSR)).toBe(SR.PGAERR);
    expect(rd(0x0800_400c)).toBe(0xffff_ffff);
    wr(FSR, SR.PGAERR);
    wr(FCR, CR.PG | (0 << 8)); // x8
    bus.write8(0x0800_4003, 0x5a);
    expect(rd(FSR) & ~SR.BSY).toBe(0);
    expect(bus.read8(0x0800_4003)).toBe(0x5a);
  });
});

describe('STM32F411 flash erase', () => {
  it('has sectors 4×16K, 1×64K, 3×128K ending at 512 KiB', () => {
    expect(SECTORS.map((s) => s.size / 1024)).toEqual([16, 16, 16, 16, 64, 128, 128, 128]);
    expect(SECTORS[7]!.offset + SECTORS[7]!.size).toBe(512 * 1024);
  });

  it('erases exactly one sector to 0xFF with BSY for the typical x32 time (16K 250 ms, 64K 550 ms, 128K 1 s)', () => {
    const { rd, wr, unlock, waitIdle, soc } = build();
    const times = [0.25, 0.25, 0.25, 0.25, 0.55, 1, 1, 1];
    soc.flashStorage.bytes.fill(0, 0, 512 * 1024);
    unlock();
    for (let n = 0; n < 8; n++) {
      wr(FCR, CR.SER | (n << 3) | PSIZE32);
      wr(FCR, CR.SER | (n << 3) | PSIZE32 | CR.STRT);
      expect(rd(FSR) & SR.BSY).toBe(SR.BSY);
      expect(rd(FCR) & CR.STRT).toBe(CR.STRT);
      expect(waitIdle()).toBe(times[n]! * HSI);
      expect(rd(FCR) & CR.STRT).toBe(0);
      const s = SECTORS[n]!;
      expect(rd(0x0800_0000 + s.offset)).toBe(0xffff_ffff);
      expect(rd(0x0800_0000 + s.offset + s.size - 4)).toBe(0xffff_ffff);
      if (n < 7) expect(rd(0x0800_0000 + s.offset + s.size)).toBe(0);
    }
  });

  it('erases with x8 parallelism more slowly (16K in 400 ms); mass erase clears everything (4 s at x32)', () => {
    const { wr, unlock, waitIdle, soc, rd } = build();
    unlock();
    wr(FCR, CR.SER | (1 << 3));
    wr(FCR, CR.SER | (1 << 3) | CR.STRT);
    expect(waitIdle()).toBe(0.4 * HSI);
    soc.flashStorage.bytes.fill(0, 0, 512 * 1024);
    wr(FCR, CR.MER | PSIZE32 | CR.EOPIE);
    wr(FCR, CR.MER | PSIZE32 | CR.EOPIE | CR.STRT);
    expect(waitIdle()).toBe(4 * HSI);
    expect(soc.flashStorage.bytes.subarray(0, 512 * 1024).every((b) => b === 0xff)).toBe(true);
    expect(rd(FSR)).toBe(SR.EOP);
  });

  it('SER and MER together, or a sector number past 7, are sequence errors that erase nothing', () => {
    const { wr, rd, unlock, soc } = build();
    soc.flashStorage.bytes.fill(0, 0, 512 * 1024);
    unlock();
    wr(FCR, CR.SER | CR.MER | CR.STRT | PSIZE32);
    expect(rd(FSR)).toBe(SR.PGSERR);
    wr(FSR, SR.PGSERR);
    wr(FCR, CR.SER | (9 << 3) | CR.STRT | PSIZE32);
    expect(rd(FSR)).toBe(SR.PGSERR);
    expect(rd(0x0800_0000)).toBe(0);
  });

  it('reports every erase/program range to content listeners (persistence)', () => {
    const { wr, unlock, soc, waitIdle } = build();
    const seen: [number, number][] = [];
    soc.flash.onContentChange((o, l) => seen.push([o, l]));
    unlock();
    wr(FCR, CR.SER | (2 << 3) | PSIZE32 | CR.STRT);
    waitIdle();
    wr(FCR, CR.PG | PSIZE32);
    wr(0x0800_8004, 0);
    expect(seen).toEqual([
      [0x8000, 0x4000],
      [0x8004, 4],
    ]);
  });
});

describe('STM32F411 option bytes and write protection', () => {
  it('OPTKEYR unlocks OPTCR; OPTSTRT stores nWRP (BSY), protecting a sector against erase and program (WRPERR)', () => {
    const { wr, rd, unlock, waitIdle, soc, bus } = build();
    // A wrong option key is a bus error too and keeps OPTCR locked until reset.
    expect(busError(() => wr(OPTKEYR, 0))).toBe(true);
    expect(busError(() => wr(OPTKEYR, FLASH_OPTKEY1))).toBe(true);
    expect(rd(OPTCR) & 1).toBe(1);
    soc.reset('pin');
    wr(OPTKEYR, FLASH_OPTKEY1);
    wr(OPTKEYR, FLASH_OPTKEY2);
    expect(rd(OPTCR) & 1).toBe(0);
    wr(OPTCR, 0x0ffb_aaec); // nWRP2 = 0: protect sector 2
    wr(OPTCR, 0x0ffb_aaee); // OPTSTRT
    expect(rd(FSR) & SR.BSY).toBe(SR.BSY);
    waitIdle();
    expect(rd(OPTCR) & 2).toBe(0);
    unlock();
    wr(FCR, CR.SER | (2 << 3) | PSIZE32 | CR.STRT);
    expect(rd(FSR)).toBe(SR.WRPERR);
    wr(FSR, SR.WRPERR);
    wr(FCR, CR.PG | PSIZE32);
    wr(0x0800_8000, 0);
    expect(rd(FSR)).toBe(SR.WRPERR);
    expect(rd(0x0800_8000)).toBe(0xffff_ffff);
    wr(FCR, CR.MER | PSIZE32 | CR.STRT);
    expect(rd(FSR) & SR.WRPERR).toBe(SR.WRPERR);
    // Non-volatile: kept across a reset, visible in OPTCR and in the option-byte memory at 0x1FFFC008.
    soc.reset('pin');
    expect(rd(OPTCR)).toBe(0x0ffb_aaed);
    expect(bus.read16(0x1fff_c008)).toBe(0x0ffb);
    expect(bus.read16(0x1fff_c000)).toBe(0xaaec);
  });
});

describe('STM32F411 read protection (RDP) changes', () => {
  it('level 1 → 0 mass-erases the main flash (RM0383 §3.7.3); level 2 freezes the option bytes', () => {
    const { wr, rd, unlock, waitIdle, soc, bus } = build();
    // Some programmed data in sector 0 and sector 7.
    unlock();
    wr(FCR, CR.PG | PSIZE32);
    wr(0x0800_0000, 0x1234_5678);
    wr(0x0807_fff0, 0x0bad_cafe);
    waitIdle();
    const optUnlock = () => {
      if (!(rd(OPTCR) & 1)) return; // a key write while unlocked is a bus error
      wr(OPTKEYR, FLASH_OPTKEY1);
      wr(OPTKEYR, FLASH_OPTKEY2);
    };
    optUnlock();
    wr(OPTCR, 0x0fff_55ec); // RDP = 0x55: level 1
    wr(OPTCR, 0x0fff_55ee); // OPTSTRT
    waitIdle();
    expect(rd(0x0800_0000)).toBe(0x1234_5678); // 0 → 1 keeps the contents
    soc.reset('pin');
    expect(bus.read16(0x1fff_c000) & 0xff00).toBe(0x5500);
    optUnlock();
    wr(OPTCR, 0x0fff_aaec); // back to level 0
    wr(OPTCR, 0x0fff_aaee);
    expect(rd(FSR) & SR.BSY).toBe(SR.BSY);
    expect(rd(0x0800_0000) >>> 0).toBe(0xffff_ffff);
    expect(rd(0x0807_fff0) >>> 0).toBe(0xffff_ffff);
    const erased = waitIdle();
    expect(erased / HSI).toBeGreaterThan(4); // the mass erase time (x32, 4 s) comes first
    expect(bus.read16(0x1fff_c000) & 0xff00).toBe(0xaa00);
    // Level 2 (0xCC) is final: a later OPTSTRT changes nothing.
    optUnlock();
    wr(OPTCR, 0x0fff_ccec);
    wr(OPTCR, 0x0fff_ccee);
    waitIdle();
    soc.reset('pin');
    optUnlock();
    wr(OPTCR, 0x0fff_aaec);
    wr(OPTCR, 0x0fff_aaee);
    expect(rd(FSR) & SR.BSY).toBe(0);
    soc.reset('pin');
    expect(rd(OPTCR) & 0xff00).toBe(0xcc00);
  });
});

describe('STM32F411 OTP', () => {
  it('programs OTP bytes like flash and refuses a block whose lock byte is 0x00 (WRPERR)', () => {
    const { wr, rd, bus, unlock } = build();
    expect(rd(0x1fff_7800)).toBe(0xffff_ffff);
    unlock();
    wr(FCR, CR.PG | PSIZE32);
    wr(0x1fff_7820, 0xcafe_f00d); // block 1
    expect(rd(0x1fff_7820)).toBe(0xcafe_f00d);
    wr(FCR, CR.PG); // x8
    bus.write8(0x1fff_7a01, 0x00); // lock block 1
    bus.write8(0x1fff_7824, 0x00);
    expect(rd(FSR) & SR.WRPERR).toBe(SR.WRPERR);
    expect(bus.read8(0x1fff_7824)).toBe(0xff);
  });
});
