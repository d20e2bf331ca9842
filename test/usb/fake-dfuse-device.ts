/**
 * A small DfuSe device for the usb-serve/libusb-shim tests, independent of src/usb/dfu: enough of the
 * STM32 bootloader (descriptors, strings, DFU 1.1 states, DfuSe Set Address/Erase, block-numbered
 * download/upload, leave) to drive the unmodified dfu-util through the shim. It keeps a request log so
 * tests can check what crossed the socket.
 */
import type { ControlResult, SetupPacket, UsbDevice } from '../../src/usb/device.js';

export const FAKE_FLASH_BASE = 0x08000000;
export const FAKE_ALT0 = '@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg';
const SECTORS = [16, 16, 16, 16, 64, 128, 128, 128].map((k) => k * 1024);

const S = { dfuIDLE: 2, DNLOAD_SYNC: 3, DNBUSY: 4, DNLOAD_IDLE: 5, MANIFEST_SYNC: 6, MANIFEST: 7, UPLOAD_IDLE: 9, dfuERROR: 10 };

function str(s: string): Uint8Array {
  const d = new Uint8Array(2 + 2 * s.length);
  d[0] = d.length;
  d[1] = 3;
  for (let i = 0; i < s.length; i++) d[2 + 2 * i] = s.charCodeAt(i);
  return d;
}

export class FakeDfuseDevice implements UsbDevice {
  readonly log: string[] = [];
  detached = false;
  private state = S.dfuIDLE;
  private status = 0;
  private address = FAKE_FLASH_BASE;
  private pending: (() => void) | null = null;
  private leaving = false;
  private readonly strings = ['', 'STMicroelectronics', 'STM32  BOOTLOADER', 'FAKE00000001', FAKE_ALT0, '@Option Bytes  /0x1FFFC000/01*016 e'];

  /** `flash` may be shared between successive devices (a re-plugged board keeps its flash). */
  /**
   * `wrongLeave`: after a leave request keep answering dfuDNBUSY (a device that does not follow the DfuSe
   * bootloader's GETSTATUS order), which makes dfu-util poll forever — for checking the hang guard.
   */
  constructor(
    readonly flash: Uint8Array = new Uint8Array(512 * 1024).fill(0xff),
    private readonly wrongLeave = false,
  ) {}

  busReset(): void {
    if (this.state === S.MANIFEST) this.detached = true;
    this.state = S.dfuIDLE;
    this.status = 0;
  }

  controlTransfer(setup: SetupPacket, dataOut?: Uint8Array): ControlResult {
    if (this.detached) return { status: 'stall' };
    this.log.push(`${setup.bmRequestType.toString(16)}:${setup.bRequest}:${setup.wValue}`);
    if ((setup.bmRequestType & 0x60) === 0) return this.standard(setup);
    return this.dfu(setup, dataOut ?? new Uint8Array(0));
  }

  private ack(d: Uint8Array, wLength: number): ControlResult {
    return { status: 'ack', data: d.subarray(0, wLength) };
  }

  private standard(s: SetupPacket): ControlResult {
    if (s.bRequest === 6) {
      const type = s.wValue >> 8;
      const index = s.wValue & 0xff;
      if (type === 1) return this.ack(Uint8Array.of(18, 1, 0, 2, 0, 0, 0, 64, 0x83, 0x04, 0x11, 0xdf, 0x00, 0x22, 1, 2, 3, 1), s.wLength);
      if (type === 2 && index === 0) {
        const body = [
          [9, 4, 0, 0, 0, 0xfe, 1, 2, 4],
          [9, 4, 0, 1, 0, 0xfe, 1, 2, 5],
          [9, 0x21, 0x0b, 0xff, 0x00, 0x00, 0x08, 0x1a, 0x01],
        ].flat();
        const total = 9 + body.length;
        return this.ack(Uint8Array.of(9, 2, total, 0, 1, 1, 0, 0xc0, 0x32, ...body), s.wLength);
      }
      if (type === 3 && index === 0) return this.ack(Uint8Array.of(4, 3, 0x09, 0x04), s.wLength);
      if (type === 3 && index < this.strings.length) return this.ack(str(this.strings[index]!), s.wLength);
      return { status: 'stall' };
    }
    if (s.bRequest === 5 || s.bRequest === 9 || s.bRequest === 11) return { status: 'ack', data: new Uint8Array(0) };
    return { status: 'stall' };
  }

  private fail(status: number): ControlResult {
    this.state = S.dfuERROR;
    this.status = status;
    return { status: 'stall' };
  }

  private dfu(s: SetupPacket, data: Uint8Array): ControlResult {
    switch (s.bRequest) {
      case 1: // DNLOAD
        if (this.state !== S.dfuIDLE && this.state !== S.DNLOAD_IDLE) return this.fail(0x0f);
        if (data.length === 0) {
          this.leaving = true;
          this.state = S.MANIFEST_SYNC;
          return { status: 'ack', data: new Uint8Array(0) };
        }
        this.pending = s.wValue === 0 ? this.command(data) : this.write(s.wValue, data);
        this.state = S.DNLOAD_SYNC;
        return { status: 'ack', data: new Uint8Array(0) };
      case 2: {
        // UPLOAD
        if (this.state !== S.dfuIDLE && this.state !== S.UPLOAD_IDLE) return this.fail(0x0f);
        if (s.wValue < 2) return this.fail(0x0f);
        const off = this.address - FAKE_FLASH_BASE + (s.wValue - 2) * s.wLength;
        const d = this.flash.slice(off, Math.min(off + s.wLength, this.flash.length));
        this.state = d.length < s.wLength ? S.dfuIDLE : S.UPLOAD_IDLE;
        return { status: 'ack', data: d };
      }
      case 3: {
        // GETSTATUS: DNLOAD_SYNC → DNBUSY (the work happens) → DNLOAD_IDLE, as the ST bootloader reports.
        if (this.state === S.DNLOAD_SYNC) {
          this.state = S.DNBUSY;
          const work = this.pending;
          this.pending = null;
          work?.();
        } else if (this.state === S.DNBUSY) {
          this.state = this.status === 0 ? S.DNLOAD_IDLE : S.dfuERROR;
        } else if (this.state === S.MANIFEST_SYNC && this.leaving && this.wrongLeave) {
          return this.ack(Uint8Array.of(0, 0, 0, 0, S.DNBUSY, 0), s.wLength);
        } else if (this.state === S.MANIFEST_SYNC && this.leaving) {
          this.state = S.MANIFEST;
          // The bootloader answers this status, then resets into the application.
          this.detached = true;
        }
        const poll = this.state === S.DNBUSY ? 5 : 0;
        return this.ack(Uint8Array.of(this.status, poll, 0, 0, this.state, 0), s.wLength);
      }
      case 4: // CLRSTATUS
        this.status = 0;
        this.state = S.dfuIDLE;
        return { status: 'ack', data: new Uint8Array(0) };
      case 5: // GETSTATE
        return this.ack(Uint8Array.of(this.state), s.wLength);
      case 6: // ABORT
        this.state = S.dfuIDLE;
        return { status: 'ack', data: new Uint8Array(0) };
      default:
        return this.fail(0x0f);
    }
  }

  private command(d: Uint8Array): () => void {
    const arg = d.length >= 5 ? (d[1]! | (d[2]! << 8) | (d[3]! << 16) | (d[4]! << 24)) >>> 0 : -1;
    if (d[0] === 0x21 && arg >= 0) return () => void (this.address = arg);
    if (d[0] === 0x41 && arg >= 0)
      return () => {
        let start = 0;
        for (const size of SECTORS) {
          const off = arg - FAKE_FLASH_BASE;
          if (off >= start && off < start + size) this.flash.fill(0xff, start, start + size);
          start += size;
        }
      };
    return () => void (this.status = 0x0f);
  }

  private write(block: number, d: Uint8Array): () => void {
    return () => {
      const off = this.address - FAKE_FLASH_BASE + (block - 2) * d.length;
      for (let i = 0; i < d.length; i++) this.flash[off + i]! &= d[i]!;
    };
  }
}
