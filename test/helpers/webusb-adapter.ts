/**
 * A WebUSB-like `USBDevice` (the subset WebUSB hosts use: open/close, configurations, select/claim,
 * controlTransferIn/Out, reset) over one of our `UsbDevice`s, so a host library written for browsers —
 * the npm `dfu` package — drives the device model through the same control-transfer contract as every
 * other host. Configurations are built from the device's own descriptors (read through control
 * transfers), interface names are left null so the host reads the strings itself.
 */
import { DescriptorType, UsbRequest, type SetupPacket, type UsbDevice } from '../../src/usb/device.js';

type RequestType = 'standard' | 'class' | 'vendor';
type Recipient = 'device' | 'interface' | 'endpoint' | 'other';

export interface ControlSetup {
  requestType: RequestType;
  recipient: Recipient;
  request: number;
  value: number;
  index: number;
}

export interface WebUsbAlternate {
  alternateSetting: number;
  interfaceClass: number;
  interfaceSubclass: number;
  interfaceProtocol: number;
  interfaceName: string | null;
  endpoints: never[];
}

export interface WebUsbInterface {
  interfaceNumber: number;
  alternate: WebUsbAlternate;
  alternates: WebUsbAlternate[];
  claimed: boolean;
}

export interface WebUsbConfiguration {
  configurationValue: number;
  configurationName: string | null;
  interfaces: WebUsbInterface[];
}

/** Every transfer the host made, for assertions on the protocol order. */
export interface TransferLog {
  dir: 'in' | 'out';
  setup: SetupPacket;
  length: number;
  result: 'ok' | 'stall';
}

const TYPE: Record<RequestType, number> = { standard: 0, class: 1, vendor: 2 };
const RECIPIENT: Record<Recipient, number> = { device: 0, interface: 1, endpoint: 2, other: 3 };

/** WebUSB reports a device that went away with a NotFoundError DOMException. */
class NotFoundError extends Error {
  constructor() {
    super('The device was disconnected.');
    this.name = 'NotFoundError';
  }
  override toString(): string {
    return `NotFoundError: ${this.message}`;
  }
}

export class WebUsbAdapter {
  opened = false;
  configuration: WebUsbConfiguration | null = null;
  readonly configurations: WebUsbConfiguration[];
  readonly vendorId: number;
  readonly productId: number;
  readonly log: TransferLog[] = [];
  resets = 0;

  constructor(private readonly dev: UsbDevice) {
    const dd = this.get(DescriptorType.DEVICE << 8, 18);
    this.vendorId = dd[8]! | (dd[9]! << 8);
    this.productId = dd[10]! | (dd[11]! << 8);
    this.configurations = [];
    for (let i = 0; i < dd[17]!; i++) this.configurations.push(this.parseConfiguration(i));
  }

  private get(wValue: number, wLength: number): Uint8Array {
    const r = this.dev.controlTransfer({ bmRequestType: 0x80, bRequest: UsbRequest.GET_DESCRIPTOR, wValue, wIndex: 0, wLength });
    if (r.status !== 'ack') throw new Error(`descriptor 0x${wValue.toString(16)} stalled`);
    return r.data;
  }

  private parseConfiguration(index: number): WebUsbConfiguration {
    const head = this.get((DescriptorType.CONFIGURATION << 8) | index, 9);
    const d = this.get((DescriptorType.CONFIGURATION << 8) | index, head[2]! | (head[3]! << 8));
    const interfaces: WebUsbInterface[] = [];
    for (let p = d[0]!; p + 1 < d.length && d[p]! > 0; p += d[p]!) {
      if (d[p + 1] !== DescriptorType.INTERFACE) continue;
      const alt: WebUsbAlternate = { alternateSetting: d[p + 3]!, interfaceClass: d[p + 5]!, interfaceSubclass: d[p + 6]!, interfaceProtocol: d[p + 7]!, interfaceName: null, endpoints: [] };
      let itf = interfaces.find((i) => i.interfaceNumber === d[p + 2]);
      if (!itf) {
        itf = { interfaceNumber: d[p + 2]!, alternate: alt, alternates: [], claimed: false };
        interfaces.push(itf);
      }
      itf.alternates.push(alt);
    }
    return { configurationValue: d[5]!, configurationName: null, interfaces };
  }

  private setup(s: ControlSetup, dirIn: boolean, length: number): SetupPacket {
    return { bmRequestType: (dirIn ? 0x80 : 0) | (TYPE[s.requestType] << 5) | RECIPIENT[s.recipient], bRequest: s.request, wValue: s.value, wIndex: s.index, wLength: length };
  }

  async open(): Promise<void> {
    if (this.dev.detached) throw new NotFoundError();
    this.opened = true;
  }

  async close(): Promise<void> {
    this.opened = false;
  }

  async selectConfiguration(value: number): Promise<void> {
    const c = this.configurations.find((x) => x.configurationValue === value);
    if (!c) throw new Error(`no configuration ${value}`);
    const r = this.dev.controlTransfer({ bmRequestType: 0x00, bRequest: UsbRequest.SET_CONFIGURATION, wValue: value, wIndex: 0, wLength: 0 }, new Uint8Array(0));
    if (r.status !== 'ack') throw new Error('SET_CONFIGURATION stalled');
    this.configuration = c;
  }

  async claimInterface(n: number): Promise<void> {
    const i = this.configuration?.interfaces.find((x) => x.interfaceNumber === n);
    if (!i) throw new Error(`no interface ${n}`);
    i.claimed = true;
  }

  async selectAlternateInterface(n: number, alt: number): Promise<void> {
    const i = this.configuration?.interfaces.find((x) => x.interfaceNumber === n);
    const a = i?.alternates.find((x) => x.alternateSetting === alt);
    if (!i || !a) throw new Error(`no alternate ${alt} of interface ${n}`);
    const r = this.dev.controlTransfer({ bmRequestType: 0x01, bRequest: UsbRequest.SET_INTERFACE, wValue: alt, wIndex: n, wLength: 0 }, new Uint8Array(0));
    if (r.status !== 'ack') throw new Error('SET_INTERFACE stalled');
    i.alternate = a;
  }

  async controlTransferIn(s: ControlSetup, length: number): Promise<{ status: 'ok' | 'stall'; data?: DataView }> {
    if (this.dev.detached) throw new NotFoundError();
    const setup = this.setup(s, true, length);
    const r = this.dev.controlTransfer(setup);
    this.log.push({ dir: 'in', setup, length, result: r.status === 'ack' ? 'ok' : 'stall' });
    if (r.status !== 'ack') return { status: 'stall' };
    const copy = r.data.slice(0, length);
    return { status: 'ok', data: new DataView(copy.buffer, 0, copy.length) };
  }

  async controlTransferOut(s: ControlSetup, data?: ArrayBuffer | ArrayBufferView): Promise<{ status: 'ok' | 'stall'; bytesWritten: number }> {
    if (this.dev.detached) throw new NotFoundError();
    const bytes = data === undefined ? new Uint8Array(0) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    const setup = this.setup(s, false, bytes.length);
    const r = this.dev.controlTransfer(setup, bytes);
    this.log.push({ dir: 'out', setup, length: bytes.length, result: r.status === 'ack' ? 'ok' : 'stall' });
    return r.status === 'ack' ? { status: 'ok', bytesWritten: bytes.length } : { status: 'stall', bytesWritten: 0 };
  }

  async reset(): Promise<void> {
    if (this.dev.detached) throw new NotFoundError();
    this.resets++;
    this.dev.busReset();
  }
}
