/**
 * The STM32F411 system-memory bootloader in USB DFU mode (ST AN3156 "USB DFU protocol used in the STM32
 * bootloader", AN2606 for the F411), modelled at the control-transfer level so every host — `emboard
 * dfu-util`, the npm `dfu` package through a WebUSB adapter, the libusb shim serving the real dfu-util —
 * drives the same code.
 *
 * Protocol as the chip answers it:
 * - DNLOAD only records the request (state dfuDNLOAD-SYNC). The command or write runs on the next
 *   GETSTATUS, which answers dfuDNBUSY with bwPollTimeout = the flash operation's typical time (datasheet,
 *   x32 parallelism). The GETSTATUS after that reports the outcome: dfuDNLOAD-IDLE/OK, or dfuERROR with
 *   errTARGET (address not allowed / protected sector erase) or errWRITE (write into a write-protected
 *   sector). dfu-util relies on exactly this order.
 * - wBlockNum 0 carries a DfuSe command: 0x21 Set Address Pointer, 0x41 + address erase of the sector
 *   holding the address, 0x41 alone mass erase, 0x92 Read Unprotect (mass erase, then the device resets).
 *   wBlockNum 1 is stalled; wBlockNum ≥ 2 writes at pointer + (wBlockNum − 2) × wTransferSize.
 * - UPLOAD wBlockNum 0 is Get Commands (00 21 41 92); ≥ 2 reads at the same address formula.
 * - A zero-length DNLOAD (in dfuIDLE or dfuDNLOAD-IDLE) is "leave": dfuMANIFEST-SYNC; the next GETSTATUS
 *   answers dfuMANIFEST and the device leaves for the application at the address pointer: it detaches
 *   from the bus (`detached`), and `onLeave(pointer)` lets a running SoC reset into it.
 * - Any request the state does not allow is stalled and the device enters dfuERROR/errSTALLEDPKT (DFU 1.1
 *   §6.1.2); CLRSTATUS leaves dfuERROR, CLRSTATUS elsewhere gives dfuERROR/errUNKNOWN (as ST's USB code).
 * - Flash is NOR: programming ANDs bits (the bootloader does not verify), erase sets 0xFF. Write protection
 *   comes from the option bytes' nWRP bits (RM0383 §3.6.3), the same bits the flash model uses.
 * - The address decides the memory, not the alternate setting (the alt settings only describe the map):
 *   internal flash, SRAM (a 128 KiB scratch array unless given), the option bytes (a 16-byte write stores
 *   them and resets the device, hence dfu-util's `:will-reset`), OTP (programmable unless its lock byte is
 *   0x00), and the 4-byte device feature area (reads zeros; writes accepted and ignored).
 * Read protection (RDP) is not enforced: every read is allowed, as with RDP level 0.
 */
import type { ControlResult, SetupPacket, UsbDevice } from '../device.js';
import { DescriptorType, UsbRequest } from '../device.js';
import { configurationDescriptor, deviceDescriptor, type DfuDeviceIdentity, serialFromUid, STM32F411_ALT_NAMES, stringDescriptor } from './descriptors.js';
import { DfuRequest, DfuSeCommand, DfuState, DfuStatus } from './protocol.js';

export const STM32_DFU_VID = 0x0483;
export const STM32_DFU_PID = 0xdf11;
export const STM32_DFU_TRANSFER_SIZE = 2048;

export const F411_FLASH_BASE = 0x0800_0000;
export const F411_FLASH_SIZE = 512 * 1024;
/** RM0383 table 5: 4 × 16 KiB, 1 × 64 KiB, 3 × 128 KiB. */
export const F411_SECTORS: readonly { readonly offset: number; readonly size: number }[] = (() => {
  let at = 0;
  return [16, 16, 16, 16, 64, 128, 128, 128].map((k) => {
    const s = { offset: at, size: k * 1024 };
    at += s.size;
    return s;
  });
})();
const SRAM_BASE = 0x2000_0000;
const SRAM_SIZE = 128 * 1024;
const OPTION_BYTES_BASE = 0x1fff_c000;
const OPTION_BYTES_SIZE = 16;
const OTP_BASE = 0x1fff_7800;
const OTP_SIZE = 512 + 16;
const FEATURE_BASE = 0xffff_0000;
const FEATURE_SIZE = 4;
/** OPTCR bits with factory option bytes: RDP level 0, no write protection (RM0383 §3.8.6). */
export const FACTORY_OPTION_BYTES = 0x0fff_aaec;
const SPRMOD = 1 << 31;

/** Typical program/erase times, x32 parallelism (STM32F411xC/E datasheet table "Flash memory characteristics"). */
const TIMES_MS = { wordProgram: 0.016, sector16K: 250, sector64K: 550, sector128K: 1000, mass: 4000, optionBytes: 250 } as const;

/** The internal flash the bootloader programs: a state-file array, or a running SoC's flash storage. */
export interface DfuFlashBacking {
  /** At least 512 KiB; byte 0 is 0x08000000. */
  readonly bytes: Uint8Array;
  /** Called after the bootloader changed bytes [offset, offset + length) (decode caches, state file). */
  written?(offset: number, length: number): void;
}

export interface Stm32DfuBootloaderOptions {
  flash: DfuFlashBacking;
  /** The 96-bit unique ID the serial-number string derives from (12 bytes). */
  uid?: Uint8Array;
  /** Overrides the serial-number string. */
  serial?: string;
  /**
   * The option bytes as FLASH_OPTCR bits (RDP, USER, nWRP, SPRMOD); `set` stores a DFU write to
   * 0x1FFFC000. Default: factory values, kept in the device.
   */
  optionBytes?: { get(): number; set?(optcr: number): void };
  /** OTP area (512 data bytes + 16 lock bytes); default erased, kept in the device. */
  otp?: Uint8Array;
  /** SRAM seen at 0x20000000 (128 KiB); default a scratch array. */
  sram?: Uint8Array;
  /** The device left DFU mode for the application (manifest after a leave request). */
  onLeave?(address: number): void;
  /** The device reset itself (option bytes written, read unprotect). */
  onReset?(): void;
}

type Pending =
  | { kind: 'command'; data: Uint8Array }
  | { kind: 'write'; address: number; data: Uint8Array }
  | { kind: 'leave' };

type Outcome = { status: number; detach?: 'reset' };

const ACK_EMPTY: ControlResult = { status: 'ack', data: new Uint8Array(0) };
const STALL: ControlResult = { status: 'stall' };

function ack(data: Uint8Array, wLength: number): ControlResult {
  return { status: 'ack', data: data.length > wLength ? data.subarray(0, wLength) : data };
}

export class Stm32DfuBootloader implements UsbDevice {
  readonly identity: DfuDeviceIdentity;
  private state: number = DfuState.dfuIDLE;
  private status: number = DfuStatus.OK;
  private pollTimeout = 0;
  /** DfuSe address pointer (Set Address Pointer); the bootloader starts at the flash base. */
  private pointer = F411_FLASH_BASE;
  private pending: Pending | null = null;
  /** The result of the operation that ran on the GETSTATUS answering dfuDNBUSY. */
  private outcome: Outcome | null = null;
  private configuration = 0;
  private alt = 0;
  private gone = false;
  private localOptions = FACTORY_OPTION_BYTES;
  private readonly otp: Uint8Array;
  private readonly sram: Uint8Array;

  constructor(private readonly o: Stm32DfuBootloaderOptions) {
    if (o.flash.bytes.length < F411_FLASH_SIZE) throw new Error(`DFU flash backing holds ${o.flash.bytes.length} bytes, the F411 needs ${F411_FLASH_SIZE}`);
    this.otp = o.otp ?? new Uint8Array(OTP_SIZE).fill(0xff);
    this.sram = o.sram ?? new Uint8Array(SRAM_SIZE);
    this.identity = {
      vendorId: STM32_DFU_VID,
      productId: STM32_DFU_PID,
      bcdDevice: 0x2200,
      manufacturer: 'STMicroelectronics',
      product: 'STM32  BOOTLOADER',
      serial: o.serial ?? (o.uid ? serialFromUid(o.uid) : '000000000000'),
      altNames: STM32F411_ALT_NAMES,
      attributes: 0x0b, // bitWillDetach | bitCanUpload | bitCanDnload
      detachTimeoutMs: 255,
      transferSize: STM32_DFU_TRANSFER_SIZE,
      bcdDfu: 0x011a,
    };
  }

  get detached(): boolean {
    return this.gone;
  }

  /** Current DFU state (for tests and traces). */
  get dfuState(): number {
    return this.state;
  }

  get addressPointer(): number {
    return this.pointer;
  }

  busReset(): void {
    if (this.gone) return;
    this.state = DfuState.dfuIDLE;
    this.status = DfuStatus.OK;
    this.pending = null;
    this.outcome = null;
    this.configuration = 0;
    this.alt = 0;
    this.pollTimeout = 0;
  }

  controlTransfer(setup: SetupPacket, dataOut?: Uint8Array): ControlResult {
    if (this.gone) return STALL;
    const type = (setup.bmRequestType >>> 5) & 3;
    if (type === 0) return this.standard(setup, dataOut);
    if (type === 1 && (setup.bmRequestType & 0x1f) === 1 && (setup.wIndex & 0xff) === 0) return this.dfuRequest(setup, dataOut ?? new Uint8Array(0));
    return STALL;
  }

  // ---- standard requests (USB 2.0 §9.4) -------------------------------------------------------

  private standard(s: SetupPacket, _data?: Uint8Array): ControlResult {
    const toHost = (s.bmRequestType & 0x80) !== 0;
    const recipient = s.bmRequestType & 0x1f;
    switch (s.bRequest) {
      case UsbRequest.GET_DESCRIPTOR: {
        if (!toHost) return STALL;
        const kind = s.wValue >>> 8;
        const index = s.wValue & 0xff;
        if (kind === DescriptorType.DEVICE) return ack(deviceDescriptor(this.identity), s.wLength);
        if (kind === DescriptorType.CONFIGURATION && index === 0) return ack(configurationDescriptor(this.identity), s.wLength);
        if (kind === DescriptorType.STRING) {
          const d = stringDescriptor(this.identity, index);
          return d ? ack(d, s.wLength) : STALL;
        }
        return STALL; // no device qualifier: a full-speed-only device
      }
      case UsbRequest.SET_ADDRESS:
        return toHost ? STALL : ACK_EMPTY;
      case UsbRequest.GET_CONFIGURATION:
        return toHost ? ack(Uint8Array.of(this.configuration), s.wLength) : STALL;
      case UsbRequest.SET_CONFIGURATION:
        if (toHost || s.wValue > 1) return STALL;
        this.configuration = s.wValue;
        this.alt = 0;
        return ACK_EMPTY;
      case UsbRequest.GET_INTERFACE:
        return toHost && recipient === 1 && s.wIndex === 0 ? ack(Uint8Array.of(this.alt), s.wLength) : STALL;
      case UsbRequest.SET_INTERFACE:
        if (toHost || recipient !== 1 || s.wIndex !== 0 || s.wValue >= this.identity.altNames.length) return STALL;
        this.alt = s.wValue;
        return ACK_EMPTY;
      case UsbRequest.GET_STATUS:
        if (!toHost) return STALL;
        return ack(Uint8Array.of(recipient === 0 ? 1 : 0, 0), s.wLength); // device: self-powered
      case UsbRequest.CLEAR_FEATURE:
      case UsbRequest.SET_FEATURE:
        return toHost ? STALL : ACK_EMPTY;
      default:
        return STALL;
    }
  }

  // ---- DFU class requests ----------------------------------------------------------------------

  private dfuRequest(s: SetupPacket, data: Uint8Array): ControlResult {
    const toHost = (s.bmRequestType & 0x80) !== 0;
    switch (s.bRequest) {
      case DfuRequest.DNLOAD:
        return toHost ? this.fail() : this.download(s.wValue, data.subarray(0, s.wLength));
      case DfuRequest.UPLOAD:
        return toHost ? this.upload(s.wValue, s.wLength) : this.fail();
      case DfuRequest.GETSTATUS:
        return toHost ? ack(this.getStatus(), s.wLength) : this.fail();
      case DfuRequest.GETSTATE:
        if (!toHost || this.state === DfuState.dfuDNBUSY || this.state === DfuState.dfuMANIFEST) return this.fail();
        return ack(Uint8Array.of(this.state), s.wLength);
      case DfuRequest.CLRSTATUS:
        if (toHost) return this.fail();
        if (this.state === DfuState.dfuERROR) this.toIdle();
        else this.setError(DfuStatus.errUNKNOWN);
        return ACK_EMPTY;
      case DfuRequest.ABORT: {
        const ok: number[] = [DfuState.dfuIDLE, DfuState.dfuDNLOAD_SYNC, DfuState.dfuDNLOAD_IDLE, DfuState.dfuMANIFEST_SYNC, DfuState.dfuUPLOAD_IDLE];
        if (toHost || !ok.includes(this.state)) return this.fail();
        this.toIdle();
        return ACK_EMPTY;
      }
      default:
        return this.fail(); // DETACH is a run-time request; this device is in DFU mode
    }
  }

  /** Stall, and enter dfuERROR with errSTALLEDPKT (DFU 1.1: an unexpected request). */
  private fail(): ControlResult {
    this.setError(DfuStatus.errSTALLEDPKT);
    return STALL;
  }

  private setError(status: number): void {
    this.state = DfuState.dfuERROR;
    this.status = status;
    this.pending = null;
    this.outcome = null;
  }

  private toIdle(): void {
    this.state = DfuState.dfuIDLE;
    this.status = DfuStatus.OK;
    this.pending = null;
    this.outcome = null;
    this.pollTimeout = 0;
  }

  private download(block: number, data: Uint8Array): ControlResult {
    if (this.state !== DfuState.dfuIDLE && this.state !== DfuState.dfuDNLOAD_IDLE) return this.fail();
    if (data.length === 0) {
      this.pending = { kind: 'leave' };
      this.state = DfuState.dfuMANIFEST_SYNC;
      return ACK_EMPTY;
    }
    if (data.length > STM32_DFU_TRANSFER_SIZE) return this.fail();
    if (block === 0) {
      const cmd = data[0]!;
      const okLength =
        cmd === DfuSeCommand.SET_ADDRESS_POINTER ? data.length === 5 : cmd === DfuSeCommand.ERASE ? data.length === 5 || data.length === 1 : cmd === DfuSeCommand.READ_UNPROTECT ? data.length === 1 : false;
      if (!okLength) return this.fail(); // unsupported command (AN3156: dfuERROR/errSTALLEDPKT, stall)
      this.pending = { kind: 'command', data: data.slice() };
    } else if (block === 1) {
      return this.fail();
    } else {
      this.pending = { kind: 'write', address: (this.pointer + (block - 2) * STM32_DFU_TRANSFER_SIZE) >>> 0, data: data.slice() };
    }
    this.state = DfuState.dfuDNLOAD_SYNC;
    return ACK_EMPTY;
  }

  private getStatus(): Uint8Array {
    let detachAfter: 'leave' | 'reset' | null = null;
    if (this.state === DfuState.dfuDNLOAD_SYNC && this.pending) {
      const p = this.pending;
      this.pending = null;
      const { outcome, ms } = p.kind === 'command' ? this.runCommand(p.data) : p.kind === 'write' ? this.runWrite(p.address, p.data) : { outcome: { status: DfuStatus.OK }, ms: 0 };
      this.outcome = outcome;
      this.pollTimeout = Math.ceil(ms);
      this.state = DfuState.dfuDNBUSY;
      if (outcome.detach) detachAfter = outcome.detach;
    } else if (this.state === DfuState.dfuDNBUSY) {
      const out = this.outcome ?? { status: DfuStatus.OK };
      this.outcome = null;
      this.pollTimeout = 0;
      if (out.status === DfuStatus.OK) this.state = DfuState.dfuDNLOAD_IDLE;
      else this.setError(out.status);
    } else if (this.state === DfuState.dfuMANIFEST_SYNC) {
      this.pending = null;
      this.state = DfuState.dfuMANIFEST;
      this.pollTimeout = 0;
      detachAfter = 'leave';
    }
    const r = Uint8Array.of(this.status, this.pollTimeout & 0xff, (this.pollTimeout >>> 8) & 0xff, (this.pollTimeout >>> 16) & 0xff, this.state, 0);
    if (detachAfter === 'leave') {
      // Not manifestation tolerant, bitWillDetach: the bootloader jumps to the application.
      this.state = DfuState.dfuMANIFEST_WAIT_RESET;
      this.gone = true;
      this.o.onLeave?.(this.pointer);
    } else if (detachAfter === 'reset') {
      this.gone = true;
      this.o.onReset?.();
    }
    return r;
  }

  private upload(block: number, wLength: number): ControlResult {
    if (this.state !== DfuState.dfuIDLE && this.state !== DfuState.dfuUPLOAD_IDLE) return this.fail();
    if (wLength > STM32_DFU_TRANSFER_SIZE) return this.fail();
    if (block === 0) {
      this.state = DfuState.dfuUPLOAD_IDLE;
      return ack(Uint8Array.of(DfuSeCommand.GET_COMMANDS, DfuSeCommand.SET_ADDRESS_POINTER, DfuSeCommand.ERASE, DfuSeCommand.READ_UNPROTECT), wLength);
    }
    if (block === 1) return this.fail();
    const address = (this.pointer + (block - 2) * STM32_DFU_TRANSFER_SIZE) >>> 0;
    const data = this.read(address, wLength);
    if (!data) {
      this.setError(DfuStatus.errTARGET);
      return STALL;
    }
    this.state = DfuState.dfuUPLOAD_IDLE;
    return { status: 'ack', data };
  }

  // ---- memories --------------------------------------------------------------------------------

  private optionBytes(): number {
    return this.o.optionBytes ? this.o.optionBytes.get() : this.localOptions;
  }

  /** nWRP bit n clear = sector n write-protected (with SPRMOD set the bits select PCROP instead, RM0383 §3.6.5). */
  isProtected(sector: number): boolean {
    const ob = this.optionBytes();
    const bit = (ob >>> (16 + sector)) & 1;
    return ob & SPRMOD ? bit === 1 : bit === 0;
  }

  /** The option bytes as the chip shows them at 0x1FFFC000 (value in the low half, complement above). */
  private optionBytesImage(): Uint8Array {
    const ob = this.optionBytes();
    const img = new Uint8Array(OPTION_BYTES_SIZE).fill(0xff);
    const v = new DataView(img.buffer);
    const word = (x: number) => (((~x & 0xffff) << 16) | (x & 0xffff)) >>> 0;
    v.setUint32(0, word(ob & 0xffec), true);
    v.setUint32(8, word(((ob >>> 16) & 0x0fff) | (ob & SPRMOD ? 0x8000 : 0)), true);
    return img;
  }

  private read(address: number, length: number): Uint8Array | null {
    const from = (mem: Uint8Array, base: number, size: number): Uint8Array | null => {
      if (address < base || address >= base + size) return null;
      const off = address - base;
      return mem.slice(off, Math.min(size, off + length));
    };
    return (
      from(this.o.flash.bytes, F411_FLASH_BASE, F411_FLASH_SIZE) ??
      from(this.sram, SRAM_BASE, SRAM_SIZE) ??
      from(this.otp, OTP_BASE, OTP_SIZE) ??
      from(this.optionBytesImage(), OPTION_BYTES_BASE, OPTION_BYTES_SIZE) ??
      from(new Uint8Array(FEATURE_SIZE), FEATURE_BASE, FEATURE_SIZE)
    );
  }

  private static inside(address: number, length: number, base: number, size: number): boolean {
    return address >= base && address + length <= base + size;
  }

  private addressAllowed(a: number): boolean {
    const I = Stm32DfuBootloader.inside;
    return I(a, 1, F411_FLASH_BASE, F411_FLASH_SIZE) || I(a, 1, SRAM_BASE, SRAM_SIZE) || I(a, 1, OTP_BASE, OTP_SIZE) || I(a, 1, OPTION_BYTES_BASE, OPTION_BYTES_SIZE) || I(a, 1, FEATURE_BASE, FEATURE_SIZE);
  }

  private runCommand(d: Uint8Array): { outcome: Outcome; ms: number } {
    const ok = { status: DfuStatus.OK };
    const target = { status: DfuStatus.errTARGET };
    const address = d.length >= 5 ? (d[1]! | (d[2]! << 8) | (d[3]! << 16) | (d[4]! << 24)) >>> 0 : 0;
    switch (d[0]) {
      case DfuSeCommand.SET_ADDRESS_POINTER:
        if (!this.addressAllowed(address)) return { outcome: target, ms: 0 };
        this.pointer = address;
        return { outcome: ok, ms: 0 };
      case DfuSeCommand.ERASE: {
        if (d.length === 1) {
          for (let i = 0; i < F411_SECTORS.length; i++) if (this.isProtected(i)) return { outcome: target, ms: 0 };
          this.eraseFlash(0, F411_FLASH_SIZE);
          return { outcome: ok, ms: TIMES_MS.mass };
        }
        if (!Stm32DfuBootloader.inside(address, 1, F411_FLASH_BASE, F411_FLASH_SIZE)) return { outcome: target, ms: 0 };
        const n = sectorAt(address - F411_FLASH_BASE);
        if (this.isProtected(n)) return { outcome: target, ms: 0 };
        const s = F411_SECTORS[n]!;
        this.eraseFlash(s.offset, s.size);
        return { outcome: ok, ms: s.size === 16384 ? TIMES_MS.sector16K : s.size === 65536 ? TIMES_MS.sector64K : TIMES_MS.sector128K };
      }
      case DfuSeCommand.READ_UNPROTECT:
        // RDP back to level 0: the flash is mass-erased (RM0383 §3.6.4), then the device resets.
        this.eraseFlash(0, F411_FLASH_SIZE);
        return { outcome: { status: DfuStatus.OK, detach: 'reset' }, ms: TIMES_MS.mass };
      default:
        return { outcome: { status: DfuStatus.errSTALLEDPKT }, ms: 0 };
    }
  }

  private runWrite(address: number, data: Uint8Array): { outcome: Outcome; ms: number } {
    const I = Stm32DfuBootloader.inside;
    const n = data.length;
    if (I(address, n, F411_FLASH_BASE, F411_FLASH_SIZE)) {
      const off = address - F411_FLASH_BASE;
      for (let s = sectorAt(off); s <= sectorAt(off + n - 1); s++) if (this.isProtected(s)) return { outcome: { status: DfuStatus.errWRITE }, ms: 0 };
      const b = this.o.flash.bytes;
      for (let i = 0; i < n; i++) b[off + i]! &= data[i]!;
      this.o.flash.written?.(off, n);
      return { outcome: { status: DfuStatus.OK }, ms: Math.ceil(n / 4) * TIMES_MS.wordProgram };
    }
    if (I(address, n, SRAM_BASE, SRAM_SIZE)) {
      this.sram.set(data, address - SRAM_BASE);
      return { outcome: { status: DfuStatus.OK }, ms: 0 };
    }
    if (I(address, n, OTP_BASE, OTP_SIZE)) {
      const off = address - OTP_BASE;
      for (let i = 0; i < n; i++) if (off + i < 512 && this.otp[512 + ((off + i) >>> 5)] === 0) return { outcome: { status: DfuStatus.errWRITE }, ms: 0 };
      for (let i = 0; i < n; i++) this.otp[off + i]! &= data[i]!;
      return { outcome: { status: DfuStatus.OK }, ms: Math.ceil(n / 4) * TIMES_MS.wordProgram };
    }
    if (address === OPTION_BYTES_BASE && n >= 10) {
      const v = new DataView(data.buffer, data.byteOffset, n);
      const userRdp = v.getUint16(0, true);
      const nwrp = v.getUint16(8, true);
      const optcr = ((nwrp & 0x8000 ? SPRMOD : 0) | ((nwrp & 0x0fff) << 16) | (userRdp & 0xffec)) >>> 0;
      if (this.o.optionBytes?.set) this.o.optionBytes.set(optcr);
      else this.localOptions = optcr;
      return { outcome: { status: DfuStatus.OK, detach: 'reset' }, ms: TIMES_MS.optionBytes };
    }
    if (I(address, n, FEATURE_BASE, FEATURE_SIZE)) return { outcome: { status: DfuStatus.OK }, ms: 0 };
    return { outcome: { status: DfuStatus.errTARGET }, ms: 0 };
  }

  private eraseFlash(offset: number, size: number): void {
    this.o.flash.bytes.fill(0xff, offset, offset + size);
    this.o.flash.written?.(offset, size);
  }
}

function sectorAt(offset: number): number {
  for (let i = F411_SECTORS.length - 1; i >= 0; i--) if (offset >= F411_SECTORS[i]!.offset) return i;
  return 0;
}

/**
 * The F411 system bootloader in DFU mode over `flash` (a 512 KiB state-file array or a running SoC's
 * flash storage). Standalone: `createStm32DfuBootloader({ flash: { bytes } })`.
 */
export function createStm32DfuBootloader(options: Stm32DfuBootloaderOptions): Stm32DfuBootloader {
  return new Stm32DfuBootloader(options);
}
