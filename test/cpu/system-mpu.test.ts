import { describe, expect, it } from 'vitest';
import { CFSR, Exc, GuestFault } from '../../src/cpu/armv7m/faults.js';
import { STACK_TOP } from '../helpers/cpu-harness.js';
import { SCS, makeSys, runInsns, u32, type SysHarness } from './exceptions-harness.js';

const LDR_R0_R1 = 0x6808;
const B_SELF = 0xe7fe;

function rasr(size: number, ap: number, extra = 0): number {
  return (extra | (ap << 24) | (size << 1) | 1) >>> 0;
}

/** Region 0: code 1 MiB RW for all; 1: RAM 64 KiB privileged-only; 2: top 4 KiB of RAM (stack) RW for all. */
function program(h: SysHarness, codeExtra = 0): void {
  h.bus.write32(SCS.MPU_RBAR, 0x0000_0000 | 0x10 | 0);
  h.bus.write32(SCS.MPU_RASR, rasr(19, 3, codeExtra));
  h.bus.write32(SCS.MPU_RBAR, 0x2000_0000 | 0x10 | 1);
  h.bus.write32(SCS.MPU_RASR, rasr(15, 1));
  h.bus.write32(SCS.MPU_RBAR, 0x2000_f000 | 0x10 | 2);
  h.bus.write32(SCS.MPU_RASR, rasr(11, 3));
}

function faultOf(fn: () => void): GuestFault {
  try {
    fn();
  } catch (e) {
    if (e instanceof GuestFault) return e;
    throw e;
  }
  throw new Error('no fault');
}

describe('MPU registers', () => {
  it('TYPE reports 8 unified regions; CTRL/RNR reset to zero', () => {
    const h = makeSys();
    expect(h.bus.read32(SCS.MPU_TYPE)).toBe(0x800);
    expect(h.bus.read32(SCS.MPU_CTRL)).toBe(0);
    expect(h.bus.read32(SCS.MPU_RNR)).toBe(0);
  });

  it('RBAR with VALID selects the region; RBAR reads back ADDR | REGION; aliases address the same region', () => {
    const h = makeSys();
    h.bus.write32(SCS.MPU_RBAR, 0x2000_0000 | 0x10 | 5);
    expect(h.bus.read32(SCS.MPU_RNR)).toBe(5);
    expect(u32(h.bus.read32(SCS.MPU_RBAR))).toBe(0x2000_0005);
    h.bus.write32(SCS.MPU_RASR + 8, 0xffff_ffff); // RASR_A1
    expect(u32(h.bus.read32(SCS.MPU_RASR))).toBe(0x173f_ff3f);
    h.bus.write32(SCS.MPU_RNR, 3);
    expect(u32(h.bus.read32(SCS.MPU_RBAR))).toBe(3);
    h.bus.write32(SCS.MPU_RBAR, 0x1234_5678 & ~0x1f); // VALID clear: region 3
    expect(u32(h.bus.read32(SCS.MPU_RBAR + 8))).toBe(0x1234_5663); // RBAR_A1: ADDR 0x12345660 | REGION 3
  });
});

describe('MPU permission checks', () => {
  it('an unprivileged load from a privileged-only region raises MemManage DACCVIOL with MMFAR', () => {
    const h = makeSys([LDR_R0_R1, B_SELF]);
    program(h);
    h.bus.write32(SCS.SHCSR, 1 << 16);
    h.bus.write32(SCS.MPU_CTRL, 1);
    h.cpu.writeSpecial(20, 1, 0); // unprivileged thread
    h.cpu.r[1] = 0x2000_0100;
    runInsns(h, 1);
    expect(h.cpu.ipsr).toBe(Exc.MemManage);
    expect(u32(h.bus.read32(SCS.CFSR))).toBe(CFSR.DACCVIOL | CFSR.MMARVALID);
    expect(u32(h.bus.read32(SCS.MMFAR))).toBe(0x2000_0100);
    expect(u32(h.bus.read32(STACK_TOP - 0x20 + 24))).toBe(0x100);
    expect(h.cpu.r[0]).toBe(0);
  });

  it('applies the access permission table (AP) for reads and writes', () => {
    const h = makeSys();
    h.bus.write32(SCS.MPU_RBAR, 0x2000_0000 | 0x10 | 0);
    h.bus.write32(SCS.MPU_RASR, rasr(15, 6)); // read-only for everyone
    h.bus.write32(SCS.MPU_CTRL, 1);
    const mem = h.cpu.mem;
    expect(mem).not.toBe(h.bus);
    expect(() => mem.read32(0x2000_0000)).not.toThrow();
    expect(faultOf(() => mem.write8(0x2000_0003, 1)).address).toBe(0x2000_0003);
    h.bus.write32(SCS.MPU_RASR, rasr(15, 2)); // privileged RW, unprivileged RO
    mem.write32(0x2000_0000, 1);
    h.cpu.control = 1;
    expect(() => mem.read32(0x2000_0000)).not.toThrow();
    expect(() => mem.write32(0x2000_0000, 1)).toThrow(GuestFault);
    h.cpu.control = 0;
  });

  it('the highest-numbered matching region wins; disabled subregions fall through', () => {
    const h = makeSys();
    program(h);
    h.bus.write32(SCS.MPU_CTRL, 1);
    h.cpu.control = 1;
    expect(() => h.cpu.mem.write32(0x2000_f800, 1)).not.toThrow(); // region 2 over region 1
    expect(() => h.cpu.mem.write32(0x2000_e800, 1)).toThrow(GuestFault);
    h.cpu.control = 0;
    // Disable subregion 0 (0x20000000..0x20001fff) of region 1: no region matches there.
    h.bus.write32(SCS.MPU_RNR, 1);
    h.bus.write32(SCS.MPU_RASR, rasr(15, 1, 0x01 << 8));
    expect(() => h.cpu.mem.read32(0x2000_1ffc)).toThrow(GuestFault);
    expect(() => h.cpu.mem.read32(0x2000_2000)).not.toThrow();
    // PRIVDEFENA: privileged accesses with no region use the default map.
    h.bus.write32(SCS.MPU_CTRL, 1 | 4);
    expect(() => h.cpu.mem.read32(0x2000_1ffc)).not.toThrow();
    h.cpu.control = 1;
    expect(() => h.cpu.mem.read32(0x2000_1ffc)).toThrow(GuestFault);
    h.cpu.control = 0;
  });

  it('instruction fetches from an XN region raise IACCVIOL without MMFAR', () => {
    const h = makeSys([0xbf00, B_SELF]);
    program(h, 1 << 28);
    h.bus.write32(SCS.MPU_CTRL, 1);
    const f = faultOf(() => h.cpu.step());
    expect(f.exception).toBe(Exc.MemManage);
    expect(f.cfsr).toBe(CFSR.IACCVIOL);
    expect(f.address).toBe(-1);
  });

  it('is bypassed at negative priority unless HFNMIENA, and for the PPB', () => {
    const h = makeSys();
    h.bus.write32(SCS.MPU_CTRL, 1); // no regions at all
    expect(() => h.cpu.mem.read32(0x2000_0000)).toThrow(GuestFault);
    expect(() => h.cpu.mem.read32(SCS.CPUID)).not.toThrow();
    h.cpu.faultmask = 1;
    expect(() => h.cpu.mem.read32(0x2000_0000)).not.toThrow();
    h.bus.write32(SCS.MPU_CTRL, 3);
    expect(() => h.cpu.mem.read32(0x2000_0000)).toThrow(GuestFault);
  });

  it('disabling the MPU (or reset) restores the plain bus', () => {
    const h = makeSys();
    h.bus.write32(SCS.MPU_CTRL, 1);
    expect(h.cpu.fetchCheck).not.toBeNull();
    h.bus.write32(SCS.MPU_CTRL, 0);
    expect(h.cpu.mem).toBe(h.bus);
    expect(h.cpu.fetchCheck).toBeNull();
    h.bus.write32(SCS.MPU_CTRL, 1);
    h.cpu.reset();
    expect(h.cpu.mem).toBe(h.bus);
    expect(h.bus.read32(SCS.MPU_CTRL)).toBe(0);
  });

  it('a stacking access denied by the MPU is MSTKERR', () => {
    const h = makeSys([LDR_R0_R1, B_SELF]);
    h.bus.write32(SCS.MPU_RBAR, 0x0000_0000 | 0x10 | 0);
    h.bus.write32(SCS.MPU_RASR, rasr(19, 3));
    h.bus.write32(SCS.MPU_RBAR, 0x2000_0000 | 0x10 | 1);
    h.bus.write32(SCS.MPU_RASR, rasr(15, 1)); // the stack is privileged-only
    h.bus.write32(SCS.SHCSR, 1 << 16);
    h.bus.write32(SCS.MPU_CTRL, 1);
    h.cpu.writeSpecial(20, 1, 0);
    h.cpu.r[1] = 0x2000_0100;
    runInsns(h, 1);
    expect(u32(h.bus.read32(SCS.CFSR)) & (CFSR.MSTKERR | CFSR.DACCVIOL)).toBe(CFSR.MSTKERR | CFSR.DACCVIOL);
  });
});
