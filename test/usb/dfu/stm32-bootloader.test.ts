import { describe, expect, it } from 'vitest';
import { DescriptorType, UsbRequest, type UsbDevice } from '../../../src/usb/device.js';
import { DFU_IN, DFU_OUT, DfuRequest, DfuState, DfuStatus, parseStatusReport } from '../../../src/usb/dfu/protocol.js';
import { createStm32DfuBootloader, FACTORY_OPTION_BYTES } from '../../../src/usb/dfu/stm32-bootloader.js';
import { serialFromUid } from '../../../src/usb/dfu/descriptors.js';

function make(opts: { optionBytes?: number } = {}) {
  const bytes = new Uint8Array(512 * 1024).fill(0xff);
  const writes: [number, number][] = [];
  let ob = opts.optionBytes ?? FACTORY_OPTION_BYTES;
  const left: number[] = [];
  const dev = createStm32DfuBootloader({
    flash: { bytes, written: (o, l) => writes.push([o, l]) },
    serial: '336B357C3232',
    optionBytes: { get: () => ob, set: (v) => (ob = v) },
    onLeave: (a) => left.push(a),
  });
  return { dev, bytes, writes, left, ob: () => ob };
}

const out = (dev: UsbDevice, bRequest: number, wValue: number, data = new Uint8Array(0)) =>
  dev.controlTransfer({ bmRequestType: DFU_OUT, bRequest, wValue, wIndex: 0, wLength: data.length }, data);
const inn = (dev: UsbDevice, bRequest: number, wValue: number, wLength: number) =>
  dev.controlTransfer({ bmRequestType: DFU_IN, bRequest, wValue, wIndex: 0, wLength });
function status(dev: UsbDevice) {
  const r = inn(dev, DfuRequest.GETSTATUS, 0, 6);
  if (r.status !== 'ack') throw new Error('GETSTATUS stalled');
  return parseStatusReport(r.data);
}
function state(dev: UsbDevice): number {
  const r = inn(dev, DfuRequest.GETSTATE, 0, 1);
  if (r.status !== 'ack') throw new Error('GETSTATE stalled');
  return r.data[0]!;
}
const le32 = (a: number) => [a & 0xff, (a >>> 8) & 0xff, (a >>> 16) & 0xff, a >>> 24];
const cmd = (dev: UsbDevice, ...bytes: number[]) => out(dev, DfuRequest.DNLOAD, 0, Uint8Array.from(bytes));
const getDescriptor = (dev: UsbDevice, type: number, index: number, wLength = 255) =>
  dev.controlTransfer({ bmRequestType: 0x80, bRequest: UsbRequest.GET_DESCRIPTOR, wValue: (type << 8) | index, wIndex: 0, wLength });
function str(dev: UsbDevice, index: number): string {
  const r = getDescriptor(dev, DescriptorType.STRING, index);
  if (r.status !== 'ack') throw new Error('stall');
  let s = '';
  for (let i = 2; i < r.data[0]!; i += 2) s += String.fromCharCode(r.data[i]! | (r.data[i + 1]! << 8));
  return s;
}

describe('STM32F411 DFU bootloader: descriptors (as lsusb -v shows the chip)', () => {
  it('device descriptor: 0483:df11 bcdDevice 0x2200, USB 2.0, EP0 64, strings 1/2/3', () => {
    const r = getDescriptor(make().dev, DescriptorType.DEVICE, 0, 18);
    expect(r.status).toBe('ack');
    if (r.status !== 'ack') return;
    expect(Array.from(r.data)).toEqual([18, 1, 0x00, 0x02, 0, 0, 0, 64, 0x83, 0x04, 0x11, 0xdf, 0x00, 0x22, 1, 2, 3, 1]);
  });
  it('configuration: one interface in four DFU-mode alt settings, then the functional descriptor', () => {
    const { dev } = make();
    const head = getDescriptor(dev, DescriptorType.CONFIGURATION, 0, 9);
    if (head.status !== 'ack') throw new Error('stall');
    expect(head.data.length).toBe(9);
    const total = head.data[2]! | (head.data[3]! << 8);
    expect(total).toBe(9 + 4 * 9 + 9);
    const r = getDescriptor(dev, DescriptorType.CONFIGURATION, 0, total);
    if (r.status !== 'ack') throw new Error('stall');
    for (let alt = 0; alt < 4; alt++) expect(Array.from(r.data.subarray(9 + 9 * alt, 18 + 9 * alt))).toEqual([9, 4, 0, alt, 0, 0xfe, 1, 2, 4 + alt]);
    expect(Array.from(r.data.subarray(45))).toEqual([9, 0x21, 0x0b, 255, 0, 0x00, 0x08, 0x1a, 0x01]);
  });
  it('strings: manufacturer, product (two spaces), serial, the four memory maps', () => {
    const { dev } = make();
    expect(str(dev, 1)).toBe('STMicroelectronics');
    expect(str(dev, 2)).toBe('STM32  BOOTLOADER');
    expect(str(dev, 3)).toBe('336B357C3232');
    expect(str(dev, 4)).toBe('@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg');
    expect(str(dev, 5)).toBe('@Option Bytes  /0x1FFFC000/01*016 e');
    expect(str(dev, 6)).toBe('@OTP Memory /0x1FFF7800/01*512 e,01*016 e');
    expect(str(dev, 7)).toBe('@Device Feature/0xFFFF0000/01*004 e');
    expect(getDescriptor(dev, DescriptorType.STRING, 8).status).toBe('stall');
  });
  it('serial number from the UID words (word0 + word2, then word1 >> 16)', () => {
    const uid = Uint8Array.from([0x32, 0x00, 0x3a, 0x00, 0x0b, 0x51, 0x36, 0x31, 0x37, 0x38, 0x39, 0x30]);
    // word0 0x003A0032 + word2 0x30393837 = 0x30733869; word1 0x3136510B >> 16 = 0x3136
    expect(serialFromUid(uid)).toBe('307338693136');
  });
});

describe('STM32F411 DFU bootloader: DfuSe protocol order (AN3156)', () => {
  it('starts in dfuIDLE; Get Commands lists 00 21 41 92 and moves to dfuUPLOAD-IDLE', () => {
    const { dev } = make();
    expect(state(dev)).toBe(DfuState.dfuIDLE);
    const r = inn(dev, DfuRequest.UPLOAD, 0, 2048);
    expect(r.status === 'ack' && Array.from(r.data)).toEqual([0x00, 0x21, 0x41, 0x92]);
    expect(state(dev)).toBe(DfuState.dfuUPLOAD_IDLE);
    expect(out(dev, DfuRequest.ABORT, 0).status).toBe('ack');
    expect(state(dev)).toBe(DfuState.dfuIDLE);
  });

  it('a command runs on the first GETSTATUS (dfuDNBUSY + poll time), the second reports dfuDNLOAD-IDLE', () => {
    const { dev, bytes } = make();
    bytes.fill(0, 0x4000, 0x8000); // sector 1 programmed
    expect(cmd(dev, 0x41, ...le32(0x08004000)).status).toBe('ack');
    expect(state(dev)).toBe(DfuState.dfuDNLOAD_SYNC);
    expect(bytes[0x4000]).toBe(0); // nothing happens before GETSTATUS
    const s1 = status(dev);
    expect(s1).toMatchObject({ state: DfuState.dfuDNBUSY, status: DfuStatus.OK, pollTimeout: 250 });
    expect(bytes[0x4000]).toBe(0xff);
    expect(bytes[0x7fff]).toBe(0xff);
    expect(status(dev)).toMatchObject({ state: DfuState.dfuDNLOAD_IDLE, status: 0, pollTimeout: 0 });
  });

  it('erase poll timeouts follow the sector size (16K 250 ms, 64K 550 ms, 128K 1 s); mass erase 4 s', () => {
    const { dev } = make();
    const t = (a: number) => {
      cmd(dev, 0x41, ...le32(a));
      const p = status(dev).pollTimeout;
      status(dev);
      return p;
    };
    expect([t(0x08000000), t(0x08010000), t(0x08020000), t(0x0807ffff)]).toEqual([250, 550, 1000, 1000]);
    cmd(dev, 0x41);
    expect(status(dev).pollTimeout).toBe(4000);
  });

  it('Set Address then blocks ≥ 2 write at pointer + (block − 2) × 2048 with NOR AND semantics', () => {
    const { dev, bytes } = make();
    cmd(dev, 0x21, ...le32(0x08001000));
    status(dev);
    status(dev);
    expect(out(dev, DfuRequest.DNLOAD, 3, Uint8Array.from([0x12, 0x34, 0xf0, 0x0f])).status).toBe('ack');
    expect(status(dev)).toMatchObject({ state: DfuState.dfuDNBUSY, pollTimeout: 1 });
    expect(status(dev).state).toBe(DfuState.dfuDNLOAD_IDLE);
    expect(Array.from(bytes.subarray(0x1800, 0x1804))).toEqual([0x12, 0x34, 0xf0, 0x0f]);
    out(dev, DfuRequest.DNLOAD, 3, Uint8Array.from([0xff, 0x0f, 0x0f, 0xff]));
    status(dev);
    status(dev);
    expect(Array.from(bytes.subarray(0x1800, 0x1804))).toEqual([0x12, 0x04, 0x00, 0x0f]);
  });

  it('upload reads from the pointer; ABORT returns to dfuIDLE', () => {
    const { dev, bytes } = make();
    bytes.set([1, 2, 3, 4], 0x20000);
    cmd(dev, 0x21, ...le32(0x08020000));
    status(dev);
    status(dev);
    out(dev, DfuRequest.ABORT, 0);
    const r = inn(dev, DfuRequest.UPLOAD, 2, 4);
    expect(r.status === 'ack' && Array.from(r.data)).toEqual([1, 2, 3, 4]);
    expect(state(dev)).toBe(DfuState.dfuUPLOAD_IDLE);
  });

  it('leave: Set Address, zero-length DNLOAD, GETSTATUS → dfuMANIFEST, then the device detaches', () => {
    const { dev, left } = make();
    cmd(dev, 0x21, ...le32(0x08000000));
    status(dev);
    status(dev);
    expect(out(dev, DfuRequest.DNLOAD, 2).status).toBe('ack');
    expect(state(dev)).toBe(DfuState.dfuMANIFEST_SYNC);
    expect(dev.detached).toBe(false);
    expect(status(dev)).toMatchObject({ state: DfuState.dfuMANIFEST, status: DfuStatus.OK });
    expect(dev.detached).toBe(true);
    expect(left).toEqual([0x08000000]);
    expect(inn(dev, DfuRequest.GETSTATUS, 0, 6).status).toBe('stall');
  });

  it('Set Address outside every memory → dfuERROR/errTARGET on the second GETSTATUS; CLRSTATUS recovers', () => {
    const { dev } = make();
    cmd(dev, 0x21, ...le32(0x30000000));
    expect(status(dev).state).toBe(DfuState.dfuDNBUSY);
    expect(status(dev)).toMatchObject({ state: DfuState.dfuERROR, status: DfuStatus.errTARGET });
    expect(cmd(dev, 0x21, ...le32(0x08000000)).status).toBe('stall');
    expect(out(dev, DfuRequest.CLRSTATUS, 0).status).toBe('ack');
    expect(status(dev)).toMatchObject({ state: DfuState.dfuIDLE, status: DfuStatus.OK });
  });

  it('write-protected sector (nWRP bit 0 clear): erase → errTARGET, write → errWRITE, flash untouched', () => {
    const { dev, bytes, writes } = make({ optionBytes: FACTORY_OPTION_BYTES & ~(1 << 16) });
    bytes.fill(0x5a, 0, 0x4000);
    cmd(dev, 0x41, ...le32(0x08000000));
    status(dev);
    expect(status(dev)).toMatchObject({ state: DfuState.dfuERROR, status: DfuStatus.errTARGET });
    out(dev, DfuRequest.CLRSTATUS, 0);
    cmd(dev, 0x21, ...le32(0x08000000));
    status(dev);
    status(dev);
    out(dev, DfuRequest.DNLOAD, 2, new Uint8Array(16));
    status(dev);
    expect(status(dev)).toMatchObject({ state: DfuState.dfuERROR, status: DfuStatus.errWRITE });
    cmd(dev, 0x41); // mass erase refused too
    expect(writes).toEqual([]);
    expect(bytes[0]).toBe(0x5a);
    // sector 1 is not protected
    out(dev, DfuRequest.CLRSTATUS, 0);
    cmd(dev, 0x41, ...le32(0x08004000));
    status(dev);
    expect(status(dev).state).toBe(DfuState.dfuDNLOAD_IDLE);
  });

  it('unexpected requests stall and enter dfuERROR/errSTALLEDPKT (DETACH, block 1, unknown command, upload while downloading)', () => {
    const { dev } = make();
    expect(out(dev, DfuRequest.DETACH, 1000).status).toBe('stall');
    expect(status(dev)).toMatchObject({ state: DfuState.dfuERROR, status: DfuStatus.errSTALLEDPKT });
    out(dev, DfuRequest.CLRSTATUS, 0);
    expect(out(dev, DfuRequest.DNLOAD, 1, new Uint8Array(4)).status).toBe('stall');
    out(dev, DfuRequest.CLRSTATUS, 0);
    expect(cmd(dev, 0x55).status).toBe('stall');
    out(dev, DfuRequest.CLRSTATUS, 0);
    cmd(dev, 0x21, ...le32(0x08000000));
    expect(inn(dev, DfuRequest.UPLOAD, 2, 16).status).toBe('stall');
    expect(status(dev).state).toBe(DfuState.dfuERROR);
    expect(out(dev, DfuRequest.DNLOAD, 2, new Uint8Array(4097)).status).toBe('stall');
  });

  it('GETSTATE does not advance the state machine (only GETSTATUS runs the command)', () => {
    const { dev, bytes } = make();
    bytes[0] = 0;
    cmd(dev, 0x41, ...le32(0x08000000));
    expect(state(dev)).toBe(DfuState.dfuDNLOAD_SYNC);
    expect(state(dev)).toBe(DfuState.dfuDNLOAD_SYNC);
    expect(bytes[0]).toBe(0);
    status(dev);
    expect(inn(dev, DfuRequest.GETSTATE, 0, 1).status).toBe('stall'); // busy: not answered
  });

  it('option bytes write (16 bytes at 0x1FFFC000) stores nWRP and resets the device; readback layout', () => {
    const { dev, ob } = make();
    cmd(dev, 0x21, ...le32(0x1fffc000));
    status(dev);
    status(dev);
    out(dev, DfuRequest.ABORT, 0);
    const r = inn(dev, DfuRequest.UPLOAD, 2, 16);
    expect(r.status === 'ack' && Array.from(r.data)).toEqual([0xec, 0xaa, 0x13, 0x55, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0xf0, 0xff, 0xff, 0xff, 0xff]);
    out(dev, DfuRequest.ABORT, 0);
    const img = Uint8Array.from([0xec, 0xaa, 0x13, 0x55, 0xff, 0xff, 0xff, 0xff, 0xfe, 0x0f, 0x01, 0xf0, 0xff, 0xff, 0xff, 0xff]);
    out(dev, DfuRequest.DNLOAD, 2, img);
    expect(status(dev).state).toBe(DfuState.dfuDNBUSY);
    expect(dev.detached).toBe(true);
    expect(ob() & 0x0fff0000).toBe(0x0ffe0000);
  });

  it('bus reset returns a stuck transfer to dfuIDLE', () => {
    const { dev } = make();
    cmd(dev, 0x21, ...le32(0x08000000));
    dev.busReset();
    expect(state(dev)).toBe(DfuState.dfuIDLE);
  });
});
