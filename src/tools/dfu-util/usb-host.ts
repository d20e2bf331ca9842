/**
 * The host side of `emboard dfu-util`: the few libusb calls dfu-util makes, done as control transfers on
 * a `UsbDevice`, with libusb's error names (a STALL is LIBUSB_ERROR_PIPE, a detached device
 * LIBUSB_ERROR_NO_DEVICE), and dfu-util's device probe: every DFU interface alternate setting of every
 * attached device, with its functional descriptor, name and serial string.
 */
import { DescriptorType, UsbRequest, type UsbDevice } from '../../usb/device.js';
import { DFU_IN, DFU_OUT, DfuRequest, parseStatusReport, type DfuStatusReport } from '../../usb/dfu/protocol.js';

const LIBUSB_CODES: Readonly<Record<string, number>> = { LIBUSB_ERROR_IO: -1, LIBUSB_ERROR_NO_DEVICE: -4, LIBUSB_ERROR_NOT_FOUND: -5, LIBUSB_ERROR_OVERFLOW: -8, LIBUSB_ERROR_PIPE: -9 };

export class UsbError extends Error {
  constructor(readonly libusbName: string) {
    super(libusbName);
    this.name = 'UsbError';
  }
  get code(): number {
    return LIBUSB_CODES[this.libusbName] ?? -99;
  }
}

/** A device on the emulated bus, with where libusb would find it. */
export interface AttachedDevice {
  readonly device: UsbDevice;
  readonly busNumber: number;
  readonly devnum: number;
  /** bus-port.port… as dfu-util prints it. */
  readonly path: string;
}

export function controlIn(dev: UsbDevice, bmRequestType: number, bRequest: number, wValue: number, wIndex: number, wLength: number): Uint8Array {
  if (dev.detached) throw new UsbError('LIBUSB_ERROR_NO_DEVICE');
  const r = dev.controlTransfer({ bmRequestType, bRequest, wValue, wIndex, wLength });
  if (r.status === 'stall') throw new UsbError('LIBUSB_ERROR_PIPE');
  return r.data.length > wLength ? r.data.subarray(0, wLength) : r.data;
}

export function controlOut(dev: UsbDevice, bmRequestType: number, bRequest: number, wValue: number, wIndex: number, data: Uint8Array): number {
  if (dev.detached) throw new UsbError('LIBUSB_ERROR_NO_DEVICE');
  const r = dev.controlTransfer({ bmRequestType, bRequest, wValue, wIndex, wLength: data.length }, data);
  if (r.status === 'stall') throw new UsbError('LIBUSB_ERROR_PIPE');
  return data.length;
}

export interface FunctionalDescriptor {
  readonly attributes: number;
  readonly detachTimeout: number;
  readonly transferSize: number;
  readonly bcdDfu: number;
}

/** One DFU interface alternate setting (dfu-util's `struct dfu_if`). */
export interface DfuIf {
  readonly attached: AttachedDevice;
  readonly vendor: number;
  readonly product: number;
  readonly bcdDevice: number;
  readonly maxPacketSize0: number;
  readonly configuration: number;
  readonly interface: number;
  readonly altsetting: number;
  readonly altName: string;
  readonly serial: string;
  /** Interface protocol 2: the device is in DFU mode (1 = run-time). */
  readonly dfuMode: boolean;
  readonly func: FunctionalDescriptor;
  /** The interface has more than one alternate setting (dfu-util then selects one explicitly). */
  readonly hasAlts: boolean;
}

function readString(dev: UsbDevice, index: number, langid: number): string | null {
  if (index === 0) return null;
  try {
    const d = controlIn(dev, 0x80, UsbRequest.GET_DESCRIPTOR, (DescriptorType.STRING << 8) | index, langid, 255);
    if (d.length < 2 || d[1] !== DescriptorType.STRING) return null;
    let s = '';
    // dfu-util keeps the low byte of each UTF-16 unit, '?' for anything outside Latin-1.
    for (let i = 2; i + 1 < Math.min(d.length, d[0]!); i += 2) s += d[i + 1] === 0 ? String.fromCharCode(d[i]!) : '?';
    return s;
  } catch {
    return null;
  }
}

/** dfu-util's probe: every DFU interface of `attached`, in libusb's enumeration order. */
export function probeDevice(a: AttachedDevice): DfuIf[] {
  const dev = a.device;
  if (dev.detached) return [];
  let dd: Uint8Array;
  try {
    dd = controlIn(dev, 0x80, UsbRequest.GET_DESCRIPTOR, DescriptorType.DEVICE << 8, 0, 18);
  } catch {
    return [];
  }
  if (dd.length < 18) return [];
  const v = new DataView(dd.buffer, dd.byteOffset, dd.length);
  const vendor = v.getUint16(8, true);
  const product = v.getUint16(10, true);
  const bcdDevice = v.getUint16(12, true);
  let langid = 0x0409;
  try {
    const l = controlIn(dev, 0x80, UsbRequest.GET_DESCRIPTOR, DescriptorType.STRING << 8, 0, 255);
    if (l.length >= 4) langid = l[2]! | (l[3]! << 8);
  } catch {
    /* no strings */
  }
  const serial = readString(dev, dd[16]!, langid) ?? 'UNKNOWN';
  const out: DfuIf[] = [];
  for (let ci = 0; ci < dd[17]!; ci++) {
    let cd: Uint8Array;
    try {
      const head = controlIn(dev, 0x80, UsbRequest.GET_DESCRIPTOR, (DescriptorType.CONFIGURATION << 8) | ci, 0, 9);
      const total = head[2]! | (head[3]! << 8);
      cd = controlIn(dev, 0x80, UsbRequest.GET_DESCRIPTOR, (DescriptorType.CONFIGURATION << 8) | ci, 0, total);
    } catch {
      continue;
    }
    const configuration = cd[5]!;
    // Walk the descriptors: interfaces, and the functional descriptor (after the alt settings it describes).
    const ifaces: { num: number; alt: number; cls: number; sub: number; proto: number; iName: number }[] = [];
    let func: FunctionalDescriptor | null = null;
    for (let p = cd[0]!; p + 1 < cd.length && cd[p]! > 0; p += cd[p]!) {
      const t = cd[p + 1]!;
      if (t === DescriptorType.INTERFACE) ifaces.push({ num: cd[p + 2]!, alt: cd[p + 3]!, cls: cd[p + 5]!, sub: cd[p + 6]!, proto: cd[p + 7]!, iName: cd[p + 8]! });
      else if (t === DescriptorType.DFU_FUNCTIONAL && func === null && cd[p]! >= 7) {
        func = {
          attributes: cd[p + 2]!,
          detachTimeout: cd[p + 3]! | (cd[p + 4]! << 8),
          transferSize: cd[p + 5]! | (cd[p + 6]! << 8),
          bcdDfu: cd[p]! >= 9 ? cd[p + 7]! | (cd[p + 8]! << 8) : 0x0100,
        };
      }
    }
    for (const i of ifaces) {
      if (i.cls !== 0xfe || i.sub !== 0x01) continue;
      out.push({
        attached: a,
        vendor,
        product,
        bcdDevice,
        maxPacketSize0: dd[7]!,
        configuration,
        interface: i.num,
        altsetting: i.alt,
        altName: readString(dev, i.iName, langid) ?? 'UNKNOWN',
        serial,
        dfuMode: i.proto === 2,
        func: func ?? { attributes: 0, detachTimeout: 0, transferSize: 0, bcdDfu: 0x0100 },
        hasAlts: ifaces.filter((x) => x.num === i.num).length > 1,
      });
    }
  }
  return out;
}

// ---- DFU requests (dfu.c) --------------------------------------------------------------------------

export function dfuGetStatus(dif: DfuIf): DfuStatusReport {
  const d = controlIn(dif.attached.device, DFU_IN, DfuRequest.GETSTATUS, 0, dif.interface, 6);
  if (d.length < 6) throw new UsbError('LIBUSB_ERROR_OVERFLOW');
  return parseStatusReport(d);
}

export function dfuClearStatus(dif: DfuIf): void {
  controlOut(dif.attached.device, DFU_OUT, DfuRequest.CLRSTATUS, 0, dif.interface, new Uint8Array(0));
}

export function dfuAbort(dif: DfuIf): void {
  controlOut(dif.attached.device, DFU_OUT, DfuRequest.ABORT, 0, dif.interface, new Uint8Array(0));
}

export function dfuDetach(dif: DfuIf, timeoutMs: number): void {
  controlOut(dif.attached.device, DFU_OUT, DfuRequest.DETACH, timeoutMs, dif.interface, new Uint8Array(0));
}

export function dfuDownload(dif: DfuIf, block: number, data: Uint8Array): number {
  return controlOut(dif.attached.device, DFU_OUT, DfuRequest.DNLOAD, block, dif.interface, data);
}

export function dfuUpload(dif: DfuIf, block: number, length: number): Uint8Array {
  return controlIn(dif.attached.device, DFU_IN, DfuRequest.UPLOAD, block, dif.interface, length);
}

export function setAltSetting(dif: DfuIf): void {
  controlOut(dif.attached.device, 0x01, UsbRequest.SET_INTERFACE, dif.altsetting, dif.interface, new Uint8Array(0));
}

export function setConfiguration(dev: UsbDevice, value: number): void {
  controlOut(dev, 0x00, UsbRequest.SET_CONFIGURATION, value, 0, new Uint8Array(0));
}
