/**
 * `emboard usb-serve`'s engine: a Unix-socket server (mode 0600, no network listener) that answers the
 * libusb calls tools/libusb-shim forwards (protocol in ./protocol.ts, docs/usb-serve.md) from the emulated
 * devices on a `UsbBus`.
 *
 * Each client connection is one libusb context of one host program: its open handles and claimed
 * interfaces end with the connection. A device that detaches itself (DFU leave) drops off the bus; with a
 * `plug` callback, the next client to connect finds a fresh device (as if the board were reset into its
 * bootloader again), so successive dfu-util runs work without restarting the server.
 */
import { chmodSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { UsbDevice } from '../device.js';
import { interfacesOf, UsbBus, type AttachedDevice } from './bus.js';
import { encodeAnswer, encodeDeviceEntry, FrameReader, LibusbError, Op, PROTOCOL_VERSION } from './protocol.js';

/** The socket path the shim uses when EMBOARD_USB is unset (same rule as tools/libusb-shim/libusb-shim.c). */
export function defaultSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EMBOARD_USB) return env.EMBOARD_USB;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'emboard-usb.sock');
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return `/tmp/emboard-usb-${uid}.sock`;
}

export interface UsbServerOptions {
  socketPath: string;
  /** Supplies a fresh device when a client connects and the bus is empty (a re-plug); null: nothing to plug. */
  plug?: () => UsbDevice | null;
  /** After a request that reached a device (so its owner can save what changed, e.g. flash). */
  onActivity?: () => void;
  /** A device detached itself and left the bus. */
  onDetach?: (a: AttachedDevice) => void;
  /** A client disconnected; `remaining` clients are still connected. */
  onDisconnect?: (remaining: number) => void;
  log?: Logger;
}

interface Handle {
  readonly attached: AttachedDevice;
  readonly claimed: Set<number>;
}

const EMPTY = new Uint8Array(0);

/** A socket path's current use: nothing there, a live server, or a stale socket file. */
async function probeSocket(path: string): Promise<'free' | 'live' | 'stale'> {
  if (!existsSync(path)) return 'free';
  if (!lstatSync(path).isSocket()) throw new UserError(`--socket ${path}: exists and is not a socket`);
  return new Promise((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => {
      c.destroy();
      resolve('live');
    });
    c.once('error', () => resolve('stale'));
  });
}

export class UsbServer {
  readonly bus = new UsbBus();
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  /** Interface claims across all connections: "deviceId:interface" → owning handle. */
  private readonly claims = new Map<string, Handle>();
  private nextHandle = 1;

  constructor(private readonly opts: UsbServerOptions) {}

  get socketPath(): string {
    return this.opts.socketPath;
  }

  /** Host programs connected now. */
  get clientCount(): number {
    return this.sockets.size;
  }

  /** Plugs a device in now (library use; the CLI plugs through `plug`). */
  attach(device: UsbDevice): AttachedDevice {
    const a = this.bus.attach(device);
    this.opts.log?.info(`usb-serve: attached ${describe(a)}`);
    return a;
  }

  /** Creates the socket (mode 0600) and starts answering. A stale socket file is replaced. */
  async listen(): Promise<void> {
    const path = this.opts.socketPath;
    const state = await probeSocket(path);
    if (state === 'live') throw new UserError(`--socket ${path}: another server is listening there`);
    if (state === 'stale') unlinkSync(path);
    const server = createServer((s) => this.onConnection(s));
    this.server = server;
    // The socket file is created by bind() inside listen(); the umask makes it 0600 from the first
    // moment (no window where another user could connect), the chmod documents the intent.
    const old = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      throw new UserError(`--socket ${path}: cannot listen (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    } finally {
      process.umask(old);
    }
    chmodSync(path, 0o600);
  }

  /** Stops listening, drops every client and removes the socket file. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    try {
      if (existsSync(this.opts.socketPath) && lstatSync(this.opts.socketPath).isSocket()) unlinkSync(this.opts.socketPath);
    } catch {
      // already gone
    }
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    const reader = new FrameReader(1);
    const handles = new Map<number, Handle>();
    const drop = () => {
      for (const h of handles.values()) this.releaseAll(h);
      handles.clear();
      if (this.sockets.delete(socket)) this.opts.onDisconnect?.(this.sockets.size);
    };
    socket.on('data', (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = reader.push(chunk);
      } catch (e) {
        this.opts.log?.warn(`usb-serve: dropping a client: ${(e as Error).message}`);
        socket.destroy();
        return;
      }
      for (const f of frames) {
        let answer: { result: number; payload?: Uint8Array };
        try {
          answer = this.dispatch(f, handles);
        } catch (e) {
          // A device model that throws is a bug: say so loudly, but answer, so the host program ends
          // with an error instead of waiting forever.
          this.opts.log?.error(`usb-serve: request ${f[0]} failed: ${(e as Error).stack ?? String(e)}`);
          answer = { result: LibusbError.OTHER };
        }
        socket.write(encodeAnswer(answer.result, answer.payload));
      }
    });
    socket.on('close', drop);
    socket.on('error', () => socket.destroy());
  }

  private releaseAll(h: Handle): void {
    for (const i of h.claimed) this.claims.delete(`${h.attached.entry.id}:${i}`);
    h.claimed.clear();
  }

  /** Removes devices that detached; tells the owner. */
  private pruneBus(): void {
    for (const a of this.bus.prune()) {
      this.opts.log?.info(`usb-serve: ${describe(a)} left the bus`);
      this.opts.onDetach?.(a);
    }
  }

  private dispatch(frame: Uint8Array, handles: Map<number, Handle>): { result: number; payload?: Uint8Array } {
    const op = frame[0]!;
    const p = frame.subarray(1);
    const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
    const need = (n: number) => p.length >= n;
    switch (op) {
      case Op.HELLO: {
        if (!need(4) || v.getUint32(0, true) !== PROTOCOL_VERSION) return { result: LibusbError.NOT_SUPPORTED };
        this.pruneBus();
        if (this.bus.list().length === 0 && this.opts.plug) {
          const d = this.opts.plug();
          if (d) this.attach(d);
        }
        const out = new Uint8Array(4);
        new DataView(out.buffer).setUint32(0, PROTOCOL_VERSION, true);
        return { result: 0, payload: out };
      }
      case Op.LIST: {
        this.pruneBus();
        const entries = this.bus.list().map((a) => encodeDeviceEntry(a.entry));
        return { result: entries.length, payload: Buffer.concat(entries) };
      }
      case Op.OPEN: {
        if (!need(4)) return { result: LibusbError.INVALID_PARAM };
        this.pruneBus();
        const a = this.bus.find(v.getUint32(0, true));
        if (!a) return { result: LibusbError.NO_DEVICE };
        const id = this.nextHandle++;
        handles.set(id, { attached: a, claimed: new Set() });
        const out = new Uint8Array(4);
        new DataView(out.buffer).setUint32(0, id, true);
        return { result: 0, payload: out };
      }
      case Op.CLOSE: {
        if (!need(4)) return { result: LibusbError.INVALID_PARAM };
        const h = handles.get(v.getUint32(0, true));
        if (h) {
          this.releaseAll(h);
          handles.delete(v.getUint32(0, true));
        }
        return { result: 0 };
      }
    }
    if (!need(4)) return { result: LibusbError.INVALID_PARAM };
    const h = handles.get(v.getUint32(0, true));
    if (!h) return { result: LibusbError.INVALID_PARAM };
    const a = h.attached;
    // A handle to a device that left the bus answers like a handle to an unplugged device.
    if (!this.bus.isAttached(a) || a.device.detached) {
      this.pruneBus();
      return { result: op === Op.RELEASE ? LibusbError.NOT_FOUND : LibusbError.NO_DEVICE };
    }
    let answer: { result: number; payload?: Uint8Array };
    switch (op) {
      case Op.CLAIM:
      case Op.RELEASE:
      case Op.SET_ALT:
        if (!need(6)) return { result: LibusbError.INVALID_PARAM };
        answer = this.interfaceOp(op, h, p[4]!, p[5]!);
        break;
      case Op.CONTROL:
        if (!need(12)) return { result: LibusbError.INVALID_PARAM };
        answer = this.control(a, p.subarray(4));
        break;
      case Op.RESET:
        this.bus.reset(a);
        answer = { result: a.device.detached ? LibusbError.NOT_FOUND : 0 };
        if (a.device.detached) this.releaseAll(h);
        break;
      default:
        return { result: LibusbError.NOT_SUPPORTED };
    }
    this.pruneBus();
    if (op === Op.CONTROL || op === Op.RESET || op === Op.SET_ALT) this.opts.onActivity?.();
    return answer;
  }

  private interfaceOp(op: number, h: Handle, iface: number, alt: number): { result: number } {
    const a = h.attached;
    const config = a.entry.configurations.find((c) => c[5] === a.configuration) ?? a.entry.configurations[0] ?? EMPTY;
    const alts = interfacesOf(config).filter((i) => i.interface === iface);
    if (alts.length === 0) return { result: LibusbError.NOT_FOUND };
    const key = `${a.entry.id}:${iface}`;
    if (op === Op.CLAIM) {
      const owner = this.claims.get(key);
      if (owner && owner !== h) return { result: LibusbError.BUSY };
      this.claims.set(key, h);
      h.claimed.add(iface);
      return { result: 0 };
    }
    if (!h.claimed.has(iface)) return { result: LibusbError.NOT_FOUND };
    if (op === Op.RELEASE) {
      h.claimed.delete(iface);
      this.claims.delete(key);
      return { result: 0 };
    }
    if (!alts.some((i) => i.alt === alt)) return { result: LibusbError.NOT_FOUND };
    // Linux ignores a stalled SET_INTERFACE on an interface with a single setting (many devices do that).
    if (!this.bus.setInterface(a, iface, alt) && alts.length > 1) return { result: LibusbError.PIPE };
    return { result: 0 };
  }

  private control(a: AttachedDevice, p: Uint8Array): { result: number; payload?: Uint8Array } {
    const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
    const setup = {
      bmRequestType: p[0]!,
      bRequest: p[1]!,
      wValue: v.getUint16(2, true),
      wIndex: v.getUint16(4, true),
      wLength: v.getUint16(6, true),
    };
    const deviceToHost = (setup.bmRequestType & 0x80) !== 0;
    let dataOut: Uint8Array | undefined;
    if (!deviceToHost) {
      if (p.length - 8 < setup.wLength) return { result: LibusbError.INVALID_PARAM };
      dataOut = p.slice(8, 8 + setup.wLength);
    }
    const r = a.device.controlTransfer(setup, dataOut);
    if (r.status === 'stall') return { result: LibusbError.PIPE };
    if (!deviceToHost) return { result: setup.wLength };
    const data = r.data.length > setup.wLength ? r.data.subarray(0, setup.wLength) : r.data;
    return { result: data.length, payload: data };
  }
}

function describe(a: AttachedDevice): string {
  const d = a.entry.deviceDescriptor;
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  return `[${hex(d[8]! | (d[9]! << 8))}:${hex(d[10]! | (d[11]! << 8))}] at ${a.entry.bus}-${a.entry.ports.join('.')} address ${a.entry.address}`;
}
