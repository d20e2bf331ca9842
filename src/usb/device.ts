/**
 * The contract every emulated USB device implements, at the control-transfer level (USB 2.0 ch. 9): the
 * DFU bootloader (src/usb/dfu), later CDC ACM and the F411's OTG FS model. Hosts — the `emboard dfu-util`
 * CLI, the npm `dfu` package through a WebUSB-like adapter, and the libusb shim behind `emboard usb-serve` —
 * all talk to a device only through this interface, so each of them exercises the same code.
 */

/** The 8-byte SETUP packet of a control transfer (USB 2.0 §9.3). */
export interface SetupPacket {
  /** Direction (bit 7: 1 = device-to-host), type (bits 6..5: standard/class/vendor), recipient (bits 4..0). */
  bmRequestType: number;
  bRequest: number;
  wValue: number;
  wIndex: number;
  wLength: number;
}

/**
 * What the device answered. IN transfers carry at most wLength bytes (a shorter answer is a short packet,
 * as on the wire); OUT transfers answer with an empty `data`. 'stall' is the protocol STALL the host sees
 * as LIBUSB_ERROR_PIPE / a rejected WebUSB promise.
 */
export type ControlResult = { status: 'ack'; data: Uint8Array } | { status: 'stall' };

export interface UsbDevice {
  /**
   * One complete control transfer: SETUP, the data stage (`dataOut` for host-to-device, exactly wLength
   * bytes), the status stage. Standard requests (GET_DESCRIPTOR, SET_CONFIGURATION, SET_INTERFACE,
   * GET_STATUS, …) and class requests both come through here.
   */
  controlTransfer(setup: SetupPacket, dataOut?: Uint8Array): ControlResult;
  /** A bus reset (port reset, or the host's libusb_reset_device): the device returns to its default state. */
  busReset(): void;
  /**
   * Set when the device has detached itself from the bus (e.g. a DFU device leaving for the application
   * after a manifest). Hosts treat it as unplugged.
   */
  readonly detached: boolean;
}

/** Standard request codes (USB 2.0 table 9-4). */
export const UsbRequest = {
  GET_STATUS: 0,
  CLEAR_FEATURE: 1,
  SET_FEATURE: 3,
  SET_ADDRESS: 5,
  GET_DESCRIPTOR: 6,
  SET_DESCRIPTOR: 7,
  GET_CONFIGURATION: 8,
  SET_CONFIGURATION: 9,
  GET_INTERFACE: 10,
  SET_INTERFACE: 11,
} as const;

/** Descriptor types (USB 2.0 table 9-5; 0x21 is the DFU functional descriptor, DFU 1.1 §4.1.3). */
export const DescriptorType = {
  DEVICE: 1,
  CONFIGURATION: 2,
  STRING: 3,
  INTERFACE: 4,
  ENDPOINT: 5,
  DFU_FUNCTIONAL: 0x21,
} as const;
