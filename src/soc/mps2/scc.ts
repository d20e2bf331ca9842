/**
 * MPS2 Serial Communication Controller (MPS2 TRM / AN386, FPGA system control registers at 0x4002F000):
 * CFG_REG0 (remap, read as written), CFG_REG1 (user LEDs), CFG_REG3 (DIP switches, read 0), CFG_REG4
 * (board revision, 0x2), SYS_CFGDATA_RTN 0xA0 / SYS_CFGDATA_OUT 0xA4 / SYS_CFGCTRL 0xA8 / SYS_CFGSTAT 0xAC
 * (the motherboard configuration channel; function 1 reads/writes the OSCCLK values), DLL 0x100,
 * SCC_AID 0xFF8 and SCC_ID 0xFFC. Values as QEMU's mps2-an386.
 */
import { RegisterBank } from '../../core/registers.js';

export interface SccConfig {
  id: number;
  aid: number;
  cfg4: number;
  oscclk: readonly number[];
}

/** AN386 on MPS2: SCC ID 0x41043860 (part 0x386), AID 0x00200008, three oscillators. */
export const AN386_SCC: SccConfig = { id: 0x41043860, aid: 0x00200008, cfg4: 0x2, oscclk: [50_000_000, 24_576_000, 25_000_000] };

const CFGCTRL_START = 1 << 31;
const CFGCTRL_WRITE = 1 << 30;
const CFGCTRL_RES = (0xff << 12) | (0xf << 26);
const CFGSTAT_DONE = 1;
const CFGSTAT_ERROR = 2;

export class Mps2Scc {
  readonly regs: RegisterBank;
  readonly oscclk: number[];
  /** LED state written to CFG_REG1, for front ends. */
  onLeds: ((leds: number) => void) | null = null;

  constructor(private readonly cfg: SccConfig) {
    this.oscclk = [...cfg.oscclk];
    this.regs = new RegisterBank('mps2-scc', [
      { name: 'CFG_REG0', offset: 0x00 },
      { name: 'CFG_REG1', offset: 0x04, write: (v) => this.onLeds?.(v) },
      { name: 'CFG_REG3', offset: 0x0c, writable: 0 },
      { name: 'CFG_REG4', offset: 0x10, reset: cfg.cfg4, writable: 0 },
      { name: 'SYS_CFGDATA_RTN', offset: 0xa0, writable: 0 },
      { name: 'SYS_CFGDATA_OUT', offset: 0xa4 },
      { name: 'SYS_CFGCTRL', offset: 0xa8, reset: 0x100000, write: (_v, _o, w) => this.cfgCtrl(w >>> 0) },
      { name: 'SYS_CFGSTAT', offset: 0xac, writable: 0 },
      // Bits [31:24] (lock mask) are writable; the DLLs are always locked.
      { name: 'DLL', offset: 0x100, reset: 0xffff0001, writable: 0xff000000 },
      { name: 'SCC_AID', offset: 0xff8, reset: cfg.aid, writable: 0 },
      { name: 'SCC_ID', offset: 0xffc, reset: cfg.id, writable: 0 },
    ]);
  }

  reset(): void {
    this.regs.reset();
    for (let i = 0; i < this.oscclk.length; i++) this.oscclk[i] = this.cfg.oscclk[i]!;
  }

  private cfgCtrl(w: number): void {
    const r = this.regs;
    r.set('SYS_CFGSTAT', 0);
    r.set('SYS_CFGCTRL', w & ~(CFGCTRL_RES | CFGCTRL_START));
    if (!(w & CFGCTRL_START)) return;
    const device = w & 0xfff;
    const fn = (w >>> 20) & 0x3f;
    let stat = CFGSTAT_DONE;
    if (fn !== 1 || device >= this.oscclk.length) stat |= CFGSTAT_ERROR;
    else if (w & CFGCTRL_WRITE) this.oscclk[device] = r.get('SYS_CFGDATA_OUT');
    else r.set('SYS_CFGDATA_RTN', this.oscclk[device]!);
    r.set('SYS_CFGSTAT', stat);
  }
}
