/**
 * STM32F411 USB OTG FS register block (RM0383 §22.16), base 0x50000000, global interrupt IRQ 67: the core
 * global, host, host-channel, device, endpoint and power/clock registers with their reset values, so
 * firmware that probes or initialises the controller runs through — there is no USB traffic (the full
 * device model is a later issue; src/usb holds the control-transfer contract).
 *
 * Behaviour: GRSTCTL.CSRST (core soft reset) completes at once and resets the core's interrupt and FIFO
 * state; TXFFLSH/RXFFLSH flushes complete at once; AHBIDL always reads 1 (the AHB master is idle).
 * GINTSTS.CMOD follows GUSBCFG.FHMOD (host) / FDMOD (device; default B-device with no cable); the rc_w1
 * GINTSTS bits clear by writing 1. IRQ 67 = GAHBCFG.GINT and (GINTSTS & GINTMSK), which nothing sets
 * without traffic except the always-empty transmit FIFO flags (NPTXFE, PTXFE) a firmware could unmask.
 * The data FIFO windows (0x1000–0x20FFF) read 0 and drop writes (logged once per offset).
 */
import type { Logger } from '../../core/logger.js';
import { RegisterBank, type RegisterSpec } from '../../core/registers.js';
import { warnUnmapped, type IrqOutput } from './device-context.js';

export const OTG_FS_BASE = 0x5000_0000;
export const OTG_FS_SIZE = 0x4_0000;
export const OTG_FS_IRQ = 67;

const GRSTCTL = { CSRST: 1 << 0, HSRST: 1 << 1, FCRST: 1 << 2, RXFFLSH: 1 << 4, TXFFLSH: 1 << 5, AHBIDL: 1 << 31 } as const;
const GUSBCFG = { FHMOD: 1 << 29, FDMOD: 1 << 30 } as const;
/** GINTSTS bits software clears by writing 1. */
const GINTSTS_W1C = 0xf070_fc0a;
const GINTSTS_RESET = 0x0400_0020; // PTXFE | NPTXFE
const HOST_CHANNELS = 8;
const ENDPOINTS = 4;

export class Stm32OtgFs {
  readonly regs: RegisterBank;

  constructor(
    private readonly irq: IrqOutput,
    log?: Logger,
  ) {
    const specs: RegisterSpec[] = [
      { name: 'GOTGCTL', offset: 0x000, reset: 0x0000_0800, writable: 0x0000_0f03 },
      { name: 'GOTGINT', offset: 0x004, writable: 0, w1c: 0x000e_0304 },
      { name: 'GAHBCFG', offset: 0x008, writable: 0x0000_0181, write: () => this.updateIrq() },
      { name: 'GUSBCFG', offset: 0x00c, reset: 0x0000_0a00, writable: 0xe000_3fc7, write: () => this.updateMode() },
      { name: 'GRSTCTL', offset: 0x010, reset: GRSTCTL.AHBIDL, writable: 0x0000_07f7, write: (v) => this.writeRstctl(v) },
      { name: 'GINTSTS', offset: 0x014, reset: GINTSTS_RESET, writable: 0, w1c: GINTSTS_W1C, write: () => this.updateIrq() },
      { name: 'GINTMSK', offset: 0x018, writable: 0xf77c_fffe, write: () => this.updateIrq() },
      { name: 'GRXSTSR', offset: 0x01c, writable: 0 },
      { name: 'GRXSTSP', offset: 0x020, writable: 0 },
      { name: 'GRXFSIZ', offset: 0x024, reset: 0x0000_0200, writable: 0xffff },
      { name: 'HNPTXFSIZ', offset: 0x028, reset: 0x0000_0200 }, // DIEPTXF0 in device mode
      { name: 'HNPTXSTS', offset: 0x02c, reset: 0x0008_0200, writable: 0 },
      { name: 'GCCFG', offset: 0x038, writable: 0x003d_0000 },
      { name: 'CID', offset: 0x03c, reset: 0x0000_1200 },
      { name: 'HPTXFSIZ', offset: 0x100, reset: 0x0200_0600 },
      { name: 'DIEPTXF1', offset: 0x104, reset: 0x0200_0400 },
      { name: 'DIEPTXF2', offset: 0x108, reset: 0x0200_0400 },
      { name: 'DIEPTXF3', offset: 0x10c, reset: 0x0200_0400 },
      // Host mode.
      { name: 'HCFG', offset: 0x400, writable: 0x7 },
      { name: 'HFIR', offset: 0x404, reset: 0x0000_ea60, writable: 0xffff },
      { name: 'HFNUM', offset: 0x408, reset: 0x0000_3fff, writable: 0 },
      { name: 'HPTXSTS', offset: 0x410, reset: 0x0008_0100, writable: 0 },
      { name: 'HAINT', offset: 0x414, writable: 0 },
      { name: 'HAINTMSK', offset: 0x418, writable: 0xffff },
      { name: 'HPRT', offset: 0x440, writable: 0x0007_f1c0, w1c: 0x2a },
      // Device mode.
      { name: 'DCFG', offset: 0x800, reset: 0x0220_0000, writable: 0x0000_1ff7 },
      { name: 'DCTL', offset: 0x804, writable: 0x0000_0f83 },
      { name: 'DSTS', offset: 0x808, reset: 0x0000_0010, writable: 0 },
      { name: 'DIEPMSK', offset: 0x810, writable: 0x5b },
      { name: 'DOEPMSK', offset: 0x814, writable: 0x1b },
      { name: 'DAINT', offset: 0x818, writable: 0 },
      { name: 'DAINTMSK', offset: 0x81c },
      { name: 'DVBUSDIS', offset: 0x828, reset: 0x0000_17d7, writable: 0xffff },
      { name: 'DVBUSPULSE', offset: 0x82c, reset: 0x0000_05b8, writable: 0xfff },
      { name: 'DIEPEMPMSK', offset: 0x834, writable: 0xffff },
      { name: 'PCGCCTL', offset: 0xe00, writable: 0x13 },
    ];
    for (let n = 0; n < HOST_CHANNELS; n++) {
      const b = 0x500 + 0x20 * n;
      specs.push(
        { name: `HCCHAR${n}`, offset: b, writable: 0xfffe_ffff, write: (v) => this.writeHcchar(n, v) },
        { name: `HCINT${n}`, offset: b + 0x08, writable: 0, w1c: 0x7bb },
        { name: `HCINTMSK${n}`, offset: b + 0x0c, writable: 0x7bb },
        { name: `HCTSIZ${n}`, offset: b + 0x10, writable: 0x7fff_ffff },
      );
    }
    for (let n = 0; n < ENDPOINTS; n++) {
      const i = 0x900 + 0x20 * n;
      const o = 0xb00 + 0x20 * n;
      specs.push(
        // Endpoint enable/disable would start a transfer on the bus: they read back 0 (nothing happens).
        { name: `DIEPCTL${n}`, offset: i, writable: 0x0fef_87ff },
        { name: `DIEPINT${n}`, offset: i + 0x08, reset: 0x0000_0080, writable: 0, w1c: 0x5b },
        { name: `DIEPTSIZ${n}`, offset: i + 0x10, writable: 0x7fff_ffff },
        { name: `DTXFSTS${n}`, offset: i + 0x18, reset: 0x0000_0200, writable: 0 },
        { name: `DOEPCTL${n}`, offset: o, reset: n === 0 ? 0x0000_8000 : 0, writable: 0x0fef_87ff },
        { name: `DOEPINT${n}`, offset: o + 0x08, reset: 0x0000_0080, writable: 0, w1c: 0x5b },
        { name: `DOEPTSIZ${n}`, offset: o + 0x10, writable: 0x7fff_ffff },
      );
    }
    this.regs = new RegisterBank('OTG_FS', specs, { onUnmapped: warnUnmapped(log, 'otg_fs') });
  }

  read(offset: number, size: 1 | 2 | 4): number {
    return this.regs.read(offset, size);
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.regs.write(offset, size, value);
  }

  reset(): void {
    this.regs.reset();
    this.updateMode();
  }

  /** Without a bus a channel disable (CHDIS) halts at once: CHENA/CHDIS clear and HCINT.CHH is set. */
  private writeHcchar(n: number, v: number): void {
    if (v & (1 << 30)) {
      this.regs.set(`HCCHAR${n}`, v & ~(3 << 30));
      this.regs.setBits(`HCINT${n}`, 1 << 1, true);
    }
  }

  /** GRSTCTL: every reset and flush completes at once; AHBIDL stays 1. */
  private writeRstctl(v: number): void {
    if (v & GRSTCTL.CSRST) {
      // Core soft reset: interrupts and FIFO state of the core, not the configuration registers.
      this.regs.set('GINTSTS', GINTSTS_RESET);
      this.regs.set('GOTGINT', 0);
      this.updateMode();
    }
    this.regs.set('GRSTCTL', GRSTCTL.AHBIDL | (v & (0x1f << 6)));
  }

  /** CMOD (GINTSTS bit 0): host when forced to host mode, else device (the ID pin reads B-device). */
  private updateMode(): void {
    const host = (this.regs.get('GUSBCFG') & GUSBCFG.FHMOD) !== 0;
    this.regs.setBits('GINTSTS', 1, host);
    this.regs.setBits('GOTGCTL', 1 << 16, !host); // CIDSTS: B-device
    this.updateIrq();
  }

  private updateIrq(): void {
    const on = (this.regs.get('GAHBCFG') & 1) !== 0 && (this.regs.get('GINTSTS') & this.regs.get('GINTMSK')) !== 0;
    this.irq.set(on);
  }
}
