/**
 * The usb-serve wire protocol between tools/libusb-shim (C, in the host program) and the emboard server
 * (docs/usb-serve.md is the reference; keep the C side, this file and the doc in step).
 *
 * Request frame:  u32 length (of what follows) | u8 op | payload
 * Answer frame:   u32 length (of what follows) | i32 result (≥ 0, or a libusb error code) | payload
 * All integers little-endian. One answer per request, in order.
 */

export const PROTOCOL_VERSION = 1;

/** Upper bound of a frame (a control transfer carries at most 65535 bytes). */
export const MAX_FRAME = 1 << 20;

export const Op = {
  /** u32 version → result 0 and u32 server version, or LIBUSB_ERROR_NOT_SUPPORTED. */
  HELLO: 1,
  /** → result = device count; payload = the devices (see `encodeDeviceEntry`). */
  LIST: 2,
  /** u32 device id → u32 handle; LIBUSB_ERROR_NO_DEVICE if the device left. */
  OPEN: 3,
  /** u32 handle → 0. */
  CLOSE: 4,
  /** u32 handle, u8 interface, u8 0 → 0 / NOT_FOUND / BUSY. */
  CLAIM: 5,
  /** u32 handle, u8 interface, u8 0 → 0 / NOT_FOUND. */
  RELEASE: 6,
  /** u32 handle, u8 interface, u8 alt → 0 / NOT_FOUND / PIPE. */
  SET_ALT: 7,
  /** u32 handle, u8 bmRequestType, u8 bRequest, u16 wValue, u16 wIndex, u16 wLength, [OUT data] → bytes, [IN data]. */
  CONTROL: 8,
  /** u32 handle → 0, or NOT_FOUND when the device re-enumerated (left the bus). */
  RESET: 9,
} as const;

/** libusb-1.0 error codes (the results the shim hands to its caller unchanged). */
export const LibusbError = {
  IO: -1,
  INVALID_PARAM: -2,
  ACCESS: -3,
  NO_DEVICE: -4,
  NOT_FOUND: -5,
  BUSY: -6,
  TIMEOUT: -7,
  OVERFLOW: -8,
  PIPE: -9,
  NOT_SUPPORTED: -12,
  OTHER: -99,
} as const;

/** What LIST tells about one attached device. */
export interface DeviceEntry {
  /** Unique for the server's lifetime: a re-plugged device gets a new id (and a new address). */
  id: number;
  bus: number;
  address: number;
  /** Hub port path from the root (dfu-util prints it as path="BUS-P1.P2…"). */
  ports: number[];
  /** The 18-byte device descriptor. */
  deviceDescriptor: Uint8Array;
  /** Each configuration's full descriptor bundle (wTotalLength bytes), by index. */
  configurations: Uint8Array[];
}

/** u32 id | u8 bus | u8 address | u8 nports | ports… | 18 bytes device descriptor | u8 nconfig | (u16 len | bytes)… */
export function encodeDeviceEntry(d: DeviceEntry): Uint8Array {
  const size = 7 + d.ports.length + 18 + 1 + d.configurations.reduce((n, c) => n + 2 + c.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, d.id, true);
  out[4] = d.bus;
  out[5] = d.address;
  out[6] = d.ports.length;
  let off = 7;
  for (const p of d.ports) out[off++] = p;
  out.set(d.deviceDescriptor.subarray(0, 18), off);
  off += 18;
  out[off++] = d.configurations.length;
  for (const c of d.configurations) {
    v.setUint16(off, c.length, true);
    out.set(c, off + 2);
    off += 2 + c.length;
  }
  return out;
}

/** Decodes a LIST payload (the inverse of `encodeDeviceEntry` repeated `count` times). */
export function decodeDeviceList(payload: Uint8Array, count: number): DeviceEntry[] {
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const list: DeviceEntry[] = [];
  let off = 0;
  for (let i = 0; i < count; i++) {
    const id = v.getUint32(off, true);
    const bus = payload[off + 4]!;
    const address = payload[off + 5]!;
    const n = payload[off + 6]!;
    off += 7;
    const ports = [...payload.subarray(off, off + n)];
    off += n;
    const deviceDescriptor = payload.slice(off, off + 18);
    off += 18;
    const nc = payload[off++]!;
    const configurations: Uint8Array[] = [];
    for (let c = 0; c < nc; c++) {
      const len = v.getUint16(off, true);
      configurations.push(payload.slice(off + 2, off + 2 + len));
      off += 2 + len;
    }
    list.push({ id, bus, address, ports, deviceDescriptor, configurations });
  }
  return list;
}

/** Frames an answer: u32 length | i32 result | payload. */
export function encodeAnswer(result: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 4 + payload.length, true);
  v.setInt32(4, result, true);
  out.set(payload, 8);
  return out;
}

/** Frames a request: u32 length | u8 op | payload (used by test clients; the shim does this in C). */
export function encodeRequest(op: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  new DataView(out.buffer).setUint32(0, 1 + payload.length, true);
  out[4] = op;
  out.set(payload, 5);
  return out;
}

/**
 * Cuts a byte stream into frames (length-prefixed). `push` returns the complete frame bodies received so
 * far; a length above MAX_FRAME or below `minBody` throws (the peer is not speaking this protocol).
 */
export class FrameReader {
  private buf = new Uint8Array(0);

  constructor(private readonly minBody: number) {}

  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf, 0);
    joined.set(chunk, this.buf.length);
    const frames: Uint8Array[] = [];
    let off = 0;
    while (joined.length - off >= 4) {
      const len = new DataView(joined.buffer, joined.byteOffset + off, 4).getUint32(0, true);
      if (len > MAX_FRAME || len < this.minBody) throw new Error(`bad frame length ${len}`);
      if (joined.length - off - 4 < len) break;
      frames.push(joined.slice(off + 4, off + 4 + len));
      off += 4 + len;
    }
    this.buf = joined.slice(off);
    return frames;
  }
}
