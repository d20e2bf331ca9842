/**
 * usb-serve's socket protocol (docs/usb-serve.md), driven by a client written from the document against
 * the server with a small fake DfuSe device: framing, enumeration data, handles and claims, control
 * transfers, a device leaving the bus, socket permissions.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { UsbServer } from '../../src/usb/serve/server.js';
import { decodeDeviceList, LibusbError, Op, PROTOCOL_VERSION } from '../../src/usb/serve/protocol.js';
import { FakeDfuseDevice, FAKE_ALT0 } from './fake-dfuse-device.js';
import { ServeClient, u16, u32 } from './serve-client.js';

let dir: string;
let sock: string;
let server: UsbServer;
let plugged: FakeDfuseDevice[];
const clients: ServeClient[] = [];

async function client(): Promise<ServeClient> {
  const c = await ServeClient.connect(sock);
  clients.push(c);
  expect((await c.call(Op.HELLO, u32(PROTOCOL_VERSION))).result).toBe(0);
  return c;
}

const handleOf = (a: { payload: Uint8Array }) => new DataView(a.payload.buffer, a.payload.byteOffset).getUint32(0, true);
const GETSTATUS = (h: number) => [...u32(h), 0xa1, 3, ...u16(0), ...u16(0), ...u16(6)];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'usb-serve-'));
  sock = join(dir, 'usb.sock');
  plugged = [];
  const flash = new Uint8Array(512 * 1024).fill(0xff);
  server = new UsbServer({
    socketPath: sock,
    plug: () => {
      const d = new FakeDfuseDevice(flash);
      plugged.push(d);
      return d;
    },
  });
  await server.listen();
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('usb-serve protocol', () => {
  it('creates its socket with mode 0600 and removes it on close', async () => {
    const st = statSync(sock);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    await server.close();
    expect(() => statSync(sock)).toThrow();
  });

  it('refuses a path another server listens on, replaces a stale socket, refuses a regular file', async () => {
    await expect(new UsbServer({ socketPath: sock }).listen()).rejects.toThrow(/another server is listening/);
    // A socket file left by a killed server (SIGKILL: no clean-up) is replaced.
    const stale = join(dir, 'stale.sock');
    const script = `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`;
    spawnSync(process.execPath, ['-e', script]);
    expect(statSync(stale).isSocket()).toBe(true);
    const other = new UsbServer({ socketPath: stale });
    await other.listen();
    expect(statSync(stale).mode & 0o777).toBe(0o600);
    await other.close();
    const file = join(dir, 'plain');
    writeFileSync(file, 'x');
    const err = await new UsbServer({ socketPath: file }).listen().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(`--socket ${file}: exists and is not a socket`);
  });

  it('rejects another protocol version', async () => {
    const c = await ServeClient.connect(sock);
    clients.push(c);
    expect((await c.call(Op.HELLO, u32(PROTOCOL_VERSION + 1))).result).toBe(LibusbError.NOT_SUPPORTED);
  });

  it('lists the plugged device with its enumeration data (descriptors read over control transfers)', async () => {
    const c = await client();
    const r = await c.call(Op.LIST);
    expect(r.result).toBe(1);
    const [d] = decodeDeviceList(r.payload, r.result);
    expect(d!.bus).toBe(1);
    expect(d!.address).toBe(2);
    expect(d!.ports).toEqual([1]);
    expect([...d!.deviceDescriptor.subarray(8, 14)]).toEqual([0x83, 0x04, 0x11, 0xdf, 0x00, 0x22]); // 0483:df11 2200
    expect(d!.configurations).toHaveLength(1);
    const cfg = d!.configurations[0]!;
    expect(cfg.length).toBe(cfg[2]! | (cfg[3]! << 8)); // the full wTotalLength bundle
    expect(cfg.subarray(-9)[1]).toBe(0x21); // the DFU functional descriptor closes it
    // Enumeration did SET_ADDRESS then SET_CONFIGURATION(1), as a host stack does.
    expect(plugged[0]!.log).toContain('0:5:2');
    expect(plugged[0]!.log).toContain('0:9:1');
  });

  it('opens, claims, selects the alternate setting and moves DFU requests both ways', async () => {
    const c = await client();
    const list = await c.call(Op.LIST);
    const [d] = decodeDeviceList(list.payload, list.result);
    const open = await c.call(Op.OPEN, u32(d!.id));
    expect(open.result).toBe(0);
    const h = handleOf(open);
    // SET_ALT before CLAIM: libusb's NOT_FOUND.
    expect((await c.call(Op.SET_ALT, [...u32(h), 0, 0])).result).toBe(LibusbError.NOT_FOUND);
    expect((await c.call(Op.CLAIM, [...u32(h), 0, 0])).result).toBe(0);
    expect((await c.call(Op.CLAIM, [...u32(h), 7, 0])).result).toBe(LibusbError.NOT_FOUND); // no interface 7
    expect((await c.call(Op.SET_ALT, [...u32(h), 0, 1])).result).toBe(0);
    expect((await c.call(Op.SET_ALT, [...u32(h), 0, 9])).result).toBe(LibusbError.NOT_FOUND);
    expect(plugged[0]!.log).toContain('1:11:1'); // SET_INTERFACE alt 1 reached the device
    // GETSTATUS (IN, 6 bytes): dfuIDLE, OK.
    const st = await c.call(Op.CONTROL, GETSTATUS(h));
    expect(st.result).toBe(6);
    expect([...st.payload]).toEqual([0, 0, 0, 0, 2, 0]);
    // String descriptor read with a short wLength comes back truncated (a short packet).
    const s = await c.call(Op.CONTROL, [...u32(h), 0x80, 6, ...u16(0x0304), ...u16(0x0409), ...u16(10)]);
    expect(s.result).toBe(10);
    expect(Buffer.from(s.payload.subarray(2)).toString('utf16le')).toBe(FAKE_ALT0.slice(0, 4));
    // DNLOAD (OUT) Set Address Pointer: the answer counts the bytes sent.
    const setAddr = await c.call(Op.CONTROL, [...u32(h), 0x21, 1, ...u16(0), ...u16(0), ...u16(5), 0x21, 0, 0, 0, 8]);
    expect(setAddr.result).toBe(5);
    // An unknown request stalls: LIBUSB_ERROR_PIPE.
    expect((await c.call(Op.CONTROL, [...u32(h), 0x21, 0x77, 0, 0, 0, 0, 0, 0])).result).toBe(LibusbError.PIPE);
    // OUT with fewer data bytes than wLength is malformed.
    expect((await c.call(Op.CONTROL, [...u32(h), 0x21, 1, 0, 0, 0, 0, ...u16(4), 1])).result).toBe(LibusbError.INVALID_PARAM);
    // Unknown handle.
    expect((await c.call(Op.CONTROL, GETSTATUS(h + 100))).result).toBe(LibusbError.INVALID_PARAM);
    expect((await c.call(Op.RELEASE, [...u32(h), 0, 0])).result).toBe(0);
    expect((await c.call(Op.CLOSE, u32(h))).result).toBe(0);
  });

  it('an interface claimed by one program is busy for another until that one closes', async () => {
    const a = await client();
    const b = await client();
    const l = await a.call(Op.LIST);
    const id = decodeDeviceList(l.payload, l.result)[0]!.id;
    const ha = handleOf(await a.call(Op.OPEN, u32(id)));
    const hb = handleOf(await b.call(Op.OPEN, u32(id)));
    expect((await a.call(Op.CLAIM, [...u32(ha), 0, 0])).result).toBe(0);
    expect((await b.call(Op.CLAIM, [...u32(hb), 0, 0])).result).toBe(LibusbError.BUSY);
    await a.close();
    await new Promise((r) => setTimeout(r, 20));
    expect((await b.call(Op.CLAIM, [...u32(hb), 0, 0])).result).toBe(0);
  });

  it('a device that leaves (DFU manifest) disappears from the list; its handle answers NO_DEVICE; the next program finds it re-plugged', async () => {
    const c = await client();
    const l = await c.call(Op.LIST);
    const id = decodeDeviceList(l.payload, l.result)[0]!.id;
    const o = await c.call(Op.OPEN, u32(id));
    const h = handleOf(o);
    await c.call(Op.CLAIM, [...u32(h), 0, 0]);
    // Zero-length DNLOAD (leave), then GETSTATUS answers dfuMANIFEST and the device is gone.
    expect((await c.call(Op.CONTROL, [...u32(h), 0x21, 1, ...u16(2), 0, 0, 0, 0])).result).toBe(0);
    const st = await c.call(Op.CONTROL, GETSTATUS(h));
    expect(st.payload[4]).toBe(7); // dfuMANIFEST
    expect((await c.call(Op.LIST)).result).toBe(0);
    expect((await c.call(Op.CONTROL, GETSTATUS(h))).result).toBe(LibusbError.NO_DEVICE);
    expect((await c.call(Op.RESET, u32(h))).result).toBe(LibusbError.NO_DEVICE);
    expect((await c.call(Op.OPEN, u32(id))).result).toBe(LibusbError.NO_DEVICE);
    // A new program (the board reset into its bootloader again): a new device id and address.
    const c2 = await client();
    const l2 = await c2.call(Op.LIST);
    const [d2] = decodeDeviceList(l2.payload, l2.result);
    expect(d2!.id).not.toBe(id);
    expect(d2!.address).toBe(3);
    expect(plugged).toHaveLength(2);
  });

  it('reset of a device in dfuMANIFEST-WAIT-RESET style state: it leaves and libusb_reset_device reports NOT_FOUND', async () => {
    const c = await client();
    const l = await c.call(Op.LIST);
    const id = decodeDeviceList(l.payload, l.result)[0]!.id;
    const o = await c.call(Op.OPEN, u32(id));
    const h = handleOf(o);
    expect((await c.call(Op.RESET, u32(h))).result).toBe(0); // an idle device just resets
    expect((await c.call(Op.LIST)).result).toBe(1);
    // Put the fake into MANIFEST without letting it finish: its bus reset detaches it.
    (plugged[0] as unknown as { state: number }).state = 7;
    expect((await c.call(Op.RESET, u32(h))).result).toBe(LibusbError.NOT_FOUND);
    expect((await c.call(Op.LIST)).result).toBe(0);
  });

  it('drops a client that sends a frame length outside the protocol, and keeps serving others', async () => {
    const bad = await ServeClient.connect(sock);
    clients.push(bad);
    bad.writeRaw(Uint8Array.of(0xff, 0xff, 0xff, 0x7f, 1));
    await new Promise((r) => setTimeout(r, 50));
    expect(bad.closed).toBe(true);
    const c = await client();
    expect((await c.call(Op.LIST)).result).toBe(1);
  });

  it('a device model that throws gets LIBUSB_ERROR_OTHER for that request, not a dead server', async () => {
    const c = await client();
    const l = await c.call(Op.LIST);
    const o = await c.call(Op.OPEN, u32(decodeDeviceList(l.payload, l.result)[0]!.id));
    plugged[0]!.controlTransfer = () => {
      throw new Error('model bug');
    };
    expect((await c.call(Op.CONTROL, GETSTATUS(handleOf(o)))).result).toBe(LibusbError.OTHER);
    expect((await c.call(Op.LIST)).result).toBe(1);
  });

  it('answers ops it does not know with NOT_SUPPORTED', async () => {
    const c = await client();
    expect((await c.call(0x55, u32(1))).result).toBe(LibusbError.INVALID_PARAM); // unknown handle first
    const l = await c.call(Op.LIST);
    const o = await c.call(Op.OPEN, u32(decodeDeviceList(l.payload, l.result)[0]!.id));
    expect((await c.call(0x55, o.payload)).result).toBe(LibusbError.NOT_SUPPORTED);
  });
});
