/**
 * Data Watchpoint and Trace unit (ARM ARM C1.8) at 0xE0001000: CYCCNT counts CPU cycles while
 * CTRL.CYCCNTENA is set (computed from the cycle counter, no per-cycle work); the other profiling
 * counters read as zero; the four comparators are stored but never match (no watchpoints).
 * TRCENA in DEMCR is not required for CYCCNT to count: firmware that forgets it still gets a counter.
 */
import type { CortexM4 } from '../cpu.js';
import { coresightId, merge, type WordRegisters } from './lanes.js';

export const DWT_NUMCOMP = 4;
const CTRL_CYCCNTENA = 1;
/** CTRL read-only part: NUMCOMP=4; trace/ETM/counter features all present (NOTRCPKT..NOPRFCNT = 0). */
const CTRL_RO = (DWT_NUMCOMP << 28) >>> 0;
/** Writable CTRL bits: CYCCNTENA..CYCEVTENA (0..22). */
const CTRL_WRITABLE = 0x007f_ffff;

export class Dwt implements WordRegisters {
  ctrl = CTRL_RO;
  private cycBase = 0;
  private cycStart = 0;
  private foldcnt = 0;
  private readonly comp = new Uint32Array(DWT_NUMCOMP);
  private readonly maskReg = new Uint32Array(DWT_NUMCOMP);
  private readonly func = new Uint32Array(DWT_NUMCOMP);

  constructor(private readonly cpu: CortexM4) {}

  reset(): void {
    this.ctrl = CTRL_RO;
    this.cycBase = 0;
    this.cycStart = this.cpu.cycles;
    this.foldcnt = 0;
    this.comp.fill(0);
    this.maskReg.fill(0);
    this.func.fill(0);
  }

  get cyccnt(): number {
    if (this.ctrl & CTRL_CYCCNTENA) return (this.cycBase + (this.cpu.cycles - this.cycStart)) >>> 0;
    return this.cycBase >>> 0;
  }

  private setCyccnt(v: number): void {
    this.cycBase = v >>> 0;
    this.cycStart = this.cpu.cycles;
  }

  readWord(offset: number): number {
    if (offset >= 0x20 && offset < 0x20 + 16 * DWT_NUMCOMP) {
      const i = (offset - 0x20) >>> 4;
      switch (offset & 0xf) {
        case 0x0: return this.comp[i]!;
        case 0x4: return this.maskReg[i]!;
        case 0x8: return this.func[i]!; // MATCHED never set
        default: return 0;
      }
    }
    switch (offset) {
      case 0x000: return this.ctrl >>> 0;
      case 0x004: return this.cyccnt;
      case 0x018: return this.foldcnt;
      case 0x01c: return this.cpu.pc >>> 0; // PCSR: a PC sample
      case 0xfb4: return 0; // LSR: no lock access control on the Cortex-M4
      default:
        return coresightId(offset, [0x02, 0xb0, 0x3b, 0x00, 0x04], 0xe) ?? 0;
    }
  }

  writeWord(offset: number, value: number, mask: number): void {
    if (offset >= 0x20 && offset < 0x20 + 16 * DWT_NUMCOMP) {
      const i = (offset - 0x20) >>> 4;
      switch (offset & 0xf) {
        case 0x0: this.comp[i] = merge(this.comp[i]!, value, mask); break;
        case 0x4: this.maskReg[i] = merge(this.maskReg[i]!, value, mask & 0x1f); break;
        case 0x8: this.func[i] = merge(this.func[i]!, value, mask & 0x000f_ffaf); break;
        default: break;
      }
      return;
    }
    switch (offset) {
      case 0x000: {
        const cyc = this.cyccnt;
        this.ctrl = (CTRL_RO | (merge(this.ctrl, value, mask) & CTRL_WRITABLE)) >>> 0;
        this.setCyccnt(cyc);
        break;
      }
      case 0x004:
        this.setCyccnt(merge(this.cyccnt, value, mask));
        break;
      case 0x018:
        this.foldcnt = merge(this.foldcnt, value, mask & 0xff);
        break;
      default:
        break; // CPICNT/EXCCNT/SLEEPCNT/LSUCNT read as zero; LAR ignored
    }
  }
}
