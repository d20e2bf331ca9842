/**
 * An independent host: the npm `dfu` package (WebUSB DFU/DfuSe driver, not our code) drives the STM32
 * bootloader model through a WebUSB-like adapter — descriptors and interface names, DfuSe download
 * (sector erase, Set Address + block 2 writes, leave), upload (Set Address, abort, blocks ≥ 2).
 */
import { describe, expect, it } from 'vitest';
import { WebDFU, WebDFUType } from 'dfu';
import { WebUsbAdapter } from '../../helpers/webusb-adapter.js';
import { createStm32DfuBootloader, FACTORY_OPTION_BYTES } from '../../../src/usb/dfu/stm32-bootloader.js';
import { DfuRequest, DfuState } from '../../../src/usb/dfu/protocol.js';

const quietLog = { info: () => {}, warning: () => {}, progress: () => {} };

function setup(optionBytes = FACTORY_OPTION_BYTES) {
  const flash = new Uint8Array(512 * 1024).fill(0xff);
  const left: number[] = [];
  const dev = createStm32DfuBootloader({ flash: { bytes: flash }, serial: '336B357C3232', optionBytes: { get: () => optionBytes }, onLeave: (a) => left.push(a) });
  const usb = new WebUsbAdapter(dev);
  // The package is typed against the DOM's USBDevice; the adapter implements the part it uses.
  const webdfu = new WebDFU(usb as unknown as ConstructorParameters<typeof WebDFU>[0], { forceInterfacesName: true }, quietLog);
  return { flash, dev, usb, webdfu, left };
}

function finished<T>(p: { events: { on(e: 'end', f: (x: T) => void): void; on(e: 'error', f: (e: unknown) => void): void } }): Promise<T> {
  return new Promise((resolve, reject) => {
    p.events.on('end', resolve);
    p.events.on('error', reject);
  });
}

describe('npm dfu (WebDFU) as the host of the STM32 DFU bootloader model', () => {
  it('finds the four DfuSe interfaces with their names and the functional descriptor', async () => {
    const { webdfu } = setup();
    await webdfu.init();
    expect(webdfu.interfaces.map((i) => i.name)).toEqual([
      '@Internal Flash  /0x08000000/04*016Kg,01*064Kg,03*128Kg',
      '@Option Bytes  /0x1FFFC000/01*016 e',
      '@OTP Memory /0x1FFF7800/01*512 e,01*016 e',
      '@Device Feature/0xFFFF0000/01*004 e',
    ]);
    await webdfu.connect(0);
    expect(webdfu.type).toBe(WebDFUType.SDFUse);
    expect(webdfu.properties).toEqual({ WillDetach: true, ManifestationTolerant: false, CanUpload: true, CanDownload: true, TransferSize: 2048, DetachTimeOut: 255, DFUVersion: 0x011a });
    expect(webdfu.dfuseMemoryInfo?.segments.map((s) => [s.start, s.end, s.sectorSize])).toEqual([
      [0x08000000, 0x08010000, 16384],
      [0x08010000, 0x08020000, 65536],
      [0x08020000, 0x08080000, 131072],
    ]);
  });

  it('writes an image (erase, Set Address + block 2 chunks, leave): the flash holds it and the device left', async () => {
    const { webdfu, flash, dev, usb, left } = setup();
    await webdfu.init();
    await webdfu.connect(0);
    webdfu.dfuseStartAddress = 0x08004000;
    const image = Uint8Array.from({ length: 5000 }, (_, i) => (i * 13) & 0xff);
    flash.fill(0x00, 0x4000, 0x8000); // programmed: the host must erase sector 1 first
    await finished(webdfu.write(2048, image.buffer, true));
    expect(Buffer.compare(Buffer.from(flash.subarray(0x4000, 0x4000 + 5000)), Buffer.from(image))).toBe(0);
    expect(flash.subarray(0x4000 + 5000, 0x8000).every((b) => b === 0xff)).toBe(true);
    expect(dev.detached).toBe(true);
    expect(left).toEqual([0x08004000]);
    // The host saw dfuDNBUSY after each command, then dfuDNLOAD-IDLE, and dfuMANIFEST at the end.
    const erase = usb.log.findIndex((t) => t.dir === 'out' && t.setup.bRequest === DfuRequest.DNLOAD && t.setup.wValue === 0 && t.length === 5);
    expect(erase).toBeGreaterThanOrEqual(0);
    expect(usb.log.filter((t) => t.result === 'stall')).toEqual([]);
    expect(usb.log.filter((t) => t.dir === 'out' && t.setup.bRequest === DfuRequest.DNLOAD && t.setup.wValue === 2).map((t) => t.length)).toEqual([2048, 2048, 904]);
  });

  it('reads the flash back (Set Address, abort to idle, uploads from block 2)', async () => {
    const { webdfu, flash } = setup();
    for (let i = 0; i < flash.length; i++) flash[i] = (i ^ (i >>> 8)) & 0xff;
    await webdfu.init();
    await webdfu.connect(0);
    webdfu.dfuseStartAddress = 0x08010000;
    const blob = await finished<Blob>(webdfu.read(2048, 70000));
    const got = new Uint8Array(await blob.arrayBuffer());
    expect(got.length).toBe(70000);
    expect(Buffer.compare(Buffer.from(got), Buffer.from(flash.subarray(0x10000, 0x10000 + 70000)))).toBe(0);
    expect(await webdfu.getState()).toBe(DfuState.dfuIDLE);
  });

  it('a write into a write-protected sector fails in the host with the device\'s error status', async () => {
    const { webdfu, flash } = setup(FACTORY_OPTION_BYTES & ~(1 << 17)); // sector 1 protected
    flash.fill(0x33, 0x4000, 0x8000);
    await webdfu.init();
    await webdfu.connect(0);
    webdfu.dfuseStartAddress = 0x08004000;
    await expect(finished(webdfu.write(2048, new Uint8Array(100).buffer, true))).rejects.toThrow(/Special DfuSe command 65 failed/);
    expect(flash.subarray(0x4000, 0x8000).every((b) => b === 0x33)).toBe(true);
    expect(await webdfu.getState()).toBe(DfuState.dfuERROR);
  });
});
