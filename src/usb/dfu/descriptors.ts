/**
 * Descriptors of the STM32F411 system-memory bootloader in DFU mode, as the chip reports them (`lsusb -v`
 * of an F411 with BOOT0 high): device 0483:df11 bcdDevice 0x2200, one configuration (self-powered,
 * 100 mA) with one interface (class 0xFE application-specific, subclass 1 DFU, protocol 2 DFU mode) in
 * four alternate settings — one per memory — each naming its memory map in DfuSe's string syntax (ST
 * UM0424/AN3156), and the DFU functional descriptor after the last alternate setting.
 */
import { DescriptorType } from '../device.js';

export interface DfuDeviceIdentity {
  readonly vendorId: number;
  readonly productId: number;
  readonly bcdDevice: number;
  readonly manufacturer: string;
  readonly product: string;
  readonly serial: string;
  /** One string per alternate setting (iInterface = 4 + alt). */
  readonly altNames: readonly string[];
  /** DFU functional descriptor fields (DFU 1.1 §4.1.3, DfuSe bcdDFUVersion 0x011A). */
  readonly attributes: number;
  readonly detachTimeoutMs: number;
  readonly transferSize: number;
  readonly bcdDfu: number;
}

/** F411 bootloader strings; the "two spaces" in the product and alt names are the chip's own. */
export const STM32F411_ALT_NAMES = [
  '@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg',
  '@Option Bytes  /0x1FFFC000/01*016 e',
  '@OTP Memory /0x1FFF7800/01*512 e,01*016 e',
  '@Device Feature/0xFFFF0000/01*004 e',
] as const;

export const MAX_PACKET_SIZE0 = 64;
const FIRST_ALT_STRING = 4;

export function deviceDescriptor(id: DfuDeviceIdentity): Uint8Array {
  const d = new Uint8Array(18);
  const v = new DataView(d.buffer);
  d[0] = 18;
  d[1] = DescriptorType.DEVICE;
  v.setUint16(2, 0x0200, true); // USB 2.0 (full speed)
  d[4] = 0; // class per interface
  d[5] = 0;
  d[6] = 0;
  d[7] = MAX_PACKET_SIZE0;
  v.setUint16(8, id.vendorId, true);
  v.setUint16(10, id.productId, true);
  v.setUint16(12, id.bcdDevice, true);
  d[14] = 1; // iManufacturer
  d[15] = 2; // iProduct
  d[16] = 3; // iSerialNumber
  d[17] = 1; // one configuration
  return d;
}

export function configurationDescriptor(id: DfuDeviceIdentity): Uint8Array {
  const nAlt = id.altNames.length;
  const total = 9 + 9 * nAlt + 9;
  const d = new Uint8Array(total);
  const v = new DataView(d.buffer);
  d.set([9, DescriptorType.CONFIGURATION], 0);
  v.setUint16(2, total, true);
  d[4] = 1; // bNumInterfaces
  d[5] = 1; // bConfigurationValue
  d[6] = 0; // iConfiguration
  d[7] = 0xc0; // self-powered
  d[8] = 50; // 100 mA (2 mA units)
  let p = 9;
  for (let alt = 0; alt < nAlt; alt++) {
    d.set([9, DescriptorType.INTERFACE, 0, alt, 0, 0xfe, 0x01, 0x02, FIRST_ALT_STRING + alt], p);
    p += 9;
  }
  d[p] = 9;
  d[p + 1] = DescriptorType.DFU_FUNCTIONAL;
  d[p + 2] = id.attributes;
  v.setUint16(p + 3, id.detachTimeoutMs, true);
  v.setUint16(p + 5, id.transferSize, true);
  v.setUint16(p + 7, id.bcdDfu, true);
  return d;
}

/** String descriptor `index` (0 = the LANGID list, US English), or null when there is none. */
export function stringDescriptor(id: DfuDeviceIdentity, index: number): Uint8Array | null {
  if (index === 0) return Uint8Array.from([4, DescriptorType.STRING, 0x09, 0x04]);
  const text = index === 1 ? id.manufacturer : index === 2 ? id.product : index === 3 ? id.serial : id.altNames[index - FIRST_ALT_STRING];
  if (text === undefined) return null;
  const d = new Uint8Array(2 + 2 * text.length);
  d[0] = d.length;
  d[1] = DescriptorType.STRING;
  for (let i = 0; i < text.length; i++) {
    d[2 + 2 * i] = text.charCodeAt(i) & 0xff;
    d[3 + 2 * i] = text.charCodeAt(i) >>> 8;
  }
  return d;
}

/**
 * The serial-number string ST's USB device code derives from the 96-bit unique ID: the 32-bit sum of
 * UID words 0 and 2 as 8 hex digits, then the upper half of word 1 as 4 (12 upper-case digits).
 */
export function serialFromUid(uid: Uint8Array): string {
  const v = new DataView(uid.buffer, uid.byteOffset, 12);
  const a = (v.getUint32(0, true) + v.getUint32(8, true)) >>> 0;
  const b = v.getUint32(4, true) >>> 16;
  return a.toString(16).toUpperCase().padStart(8, '0') + b.toString(16).toUpperCase().padStart(4, '0');
}
