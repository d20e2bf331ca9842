/**
 * The emulated bus behind `emboard usb-serve`: devices are attached (plugged), enumerated the way a host
 * stack does it (device and configuration descriptors read once, address assigned, configuration 1
 * selected) and listed until they detach themselves (a DFU device leaving for its application), after
 * which they disappear like an unplugged or re-enumerated device.
 */
import { DescriptorType, UsbRequest, type SetupPacket, type UsbDevice } from '../device.js';
import type { DeviceEntry } from './protocol.js';

/** Bus number the devices sit on (`path="1-1"` in dfu-util's listing). */
export const BUS_NUMBER = 1;

export interface AttachedDevice {
  readonly entry: DeviceEntry;
  readonly device: UsbDevice;
  /** bConfigurationValue selected at enumeration (0 if the device has none). */
  readonly configuration: number;
}

function getDescriptor(device: UsbDevice, type: number, index: number, length: number): Uint8Array {
  const setup: SetupPacket = {
    bmRequestType: 0x80,
    bRequest: UsbRequest.GET_DESCRIPTOR,
    wValue: (type << 8) | index,
    wIndex: 0,
    wLength: length,
  };
  const r = device.controlTransfer(setup);
  if (r.status !== 'ack') throw new Error(`USB device stalled GET_DESCRIPTOR(type ${type}, index ${index})`);
  return r.data;
}

function standardOut(device: UsbDevice, bRequest: number, wValue: number, wIndex = 0): boolean {
  const recipient = bRequest === UsbRequest.SET_INTERFACE ? 0x01 : 0x00;
  return device.controlTransfer({ bmRequestType: recipient, bRequest, wValue, wIndex, wLength: 0 }).status === 'ack';
}

/** The interface descriptors (number, alternate setting) of a configuration bundle. */
export function interfacesOf(config: Uint8Array): { interface: number; alt: number }[] {
  const out: { interface: number; alt: number }[] = [];
  for (let off = 0; off + 2 <= config.length; ) {
    const len = config[off]!;
    if (len < 2) break;
    if (config[off + 1] === DescriptorType.INTERFACE && len >= 9) out.push({ interface: config[off + 2]!, alt: config[off + 3]! });
    off += len;
  }
  return out;
}

export class UsbBus {
  private nextId = 1;
  /** Linux numbers devices from 2 on each bus (1 is the root hub) and never reuses a number soon. */
  private nextAddress = 2;
  private readonly attached: AttachedDevice[] = [];

  /** Plugs `device` in and enumerates it; throws if it cannot even answer its descriptors. */
  attach(device: UsbDevice, ports: number[] = [1]): AttachedDevice {
    device.busReset();
    const head = getDescriptor(device, DescriptorType.DEVICE, 0, 18);
    if (head.length < 18 || head[1] !== DescriptorType.DEVICE) throw new Error('USB device returned a malformed device descriptor');
    const address = this.nextAddress;
    this.nextAddress = this.nextAddress >= 127 ? 2 : this.nextAddress + 1;
    // A device model may not care about its address; a stall here is not fatal to the emulation.
    standardOut(device, UsbRequest.SET_ADDRESS, address);
    const configurations: Uint8Array[] = [];
    for (let i = 0; i < head[17]!; i++) {
      const nine = getDescriptor(device, DescriptorType.CONFIGURATION, i, 9);
      const total = nine.length >= 4 ? nine[2]! | (nine[3]! << 8) : 0;
      configurations.push(total > 9 ? getDescriptor(device, DescriptorType.CONFIGURATION, i, total) : nine);
    }
    const configuration = configurations[0]?.[5] ?? 0;
    if (configuration !== 0) standardOut(device, UsbRequest.SET_CONFIGURATION, configuration);
    const entry: DeviceEntry = { id: this.nextId++, bus: BUS_NUMBER, address, ports, deviceDescriptor: head.slice(0, 18), configurations };
    const a: AttachedDevice = { entry, device, configuration };
    this.attached.push(a);
    return a;
  }

  /** Unplugs a device (also what happens to one that detached itself). */
  remove(a: AttachedDevice): void {
    const i = this.attached.indexOf(a);
    if (i >= 0) this.attached.splice(i, 1);
  }

  /** Drops devices that detached themselves; returns those dropped. */
  prune(): AttachedDevice[] {
    const gone = this.attached.filter((a) => a.device.detached);
    for (const a of gone) this.remove(a);
    return gone;
  }

  /** The devices on the bus now (after dropping detached ones). */
  list(): readonly AttachedDevice[] {
    this.prune();
    return this.attached;
  }

  find(id: number): AttachedDevice | undefined {
    return this.attached.find((a) => a.entry.id === id);
  }

  isAttached(a: AttachedDevice): boolean {
    return this.attached.includes(a);
  }

  /** A port reset: the device gets its reset, keeps its address and configuration (as Linux restores them). */
  reset(a: AttachedDevice): void {
    a.device.busReset();
    if (a.device.detached) return;
    standardOut(a.device, UsbRequest.SET_ADDRESS, a.entry.address);
    if (a.configuration !== 0) standardOut(a.device, UsbRequest.SET_CONFIGURATION, a.configuration);
  }

  /** SET_INTERFACE through the standard request; false if the device stalled it. */
  setInterface(a: AttachedDevice, iface: number, alt: number): boolean {
    return standardOut(a.device, UsbRequest.SET_INTERFACE, alt, iface);
  }
}
