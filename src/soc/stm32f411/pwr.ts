/**
 * STM32F411 power controller basics (RM0383 §5.4), base 0x40007000: PWR_CR (VOS voltage scaling, DBP
 * backup-domain write access, low-power mode selection bits stored as written) and PWR_CSR.
 * The regulator is always "ready": VOSRDY reads 1 (we do not model the scale transition time).
 * Standby/stop entry and wake-up flags are not modelled beyond storage; CWUF/CSBF clear WUF/SBF.
 */
import type { Logger } from '../../core/logger.js';
import { RegisterBank } from '../../core/registers.js';
import { warnUnmapped } from './device-context.js';

export const PWR_BASE = 0x4000_7000;
export const PWR_CR_DBP = 1 << 8;
export const PWR_CSR_VOSRDY = 1 << 14;

export class Stm32Pwr {
  readonly regs: RegisterBank;

  /** `log` receives accesses to reserved offsets (once each). */
  constructor(log?: Logger) {
    this.regs = new RegisterBank('PWR', [
      // Reset 0x00008000: VOS = 10 (scale 2). CWUF (bit 2) and CSBF (bit 3) are write-1 actions that read 0.
      {
        name: 'CR',
        offset: 0x00,
        reset: 0x0000_8000,
        writable: 0x0030_efff,
        write: (v) => {
          const csr = this.regs.get('CSR');
          let next = csr;
          if (v & 4) next &= ~1; // CWUF clears WUF
          if (v & 8) next &= ~2; // CSBF clears SBF
          this.regs.set('CSR', next);
          this.regs.set('CR', v & ~0xc);
        },
      },
      { name: 'CSR', offset: 0x04, reset: PWR_CSR_VOSRDY, writable: (1 << 8) | (1 << 9) },
    ], { onUnmapped: warnUnmapped(log, 'pwr') });
  }

  /** PWR_CR.DBP: the RTC, RTC backup registers and RCC_BDCR are writable. */
  get backupWritable(): boolean {
    return (this.regs.get('CR') & PWR_CR_DBP) !== 0;
  }

  reset(): void {
    this.regs.reset();
  }
}
