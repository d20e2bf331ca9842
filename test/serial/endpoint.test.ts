/**
 * Issue 4: "design the console layer so that a USB CDC ACM endpoint plugs in like a UART". A stand-in CDC ACM
 * function (bulk OUT/IN packets of up to 64 bytes, no baud rate) is handed to the serial session under the
 * label usb0; the unchanged tcp and pty backends carry its bytes, and the `rxPaced` flag tells it that
 * `--uart-instant` input arrives at once (USB moves packets at bus speed).
 */
import { openSync } from 'node:fs';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { ReadStream, WriteStream } from 'node:tty';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../src/boards/board.js';
import { Machine } from '../../src/core/machine.js';
import type { SerialEndpoint } from '../../src/serial/endpoint.js';
import { SerialSession } from '../../src/serial/session.js';
import type { BackendSpec } from '../../src/serial/spec.js';

/** The host-facing side of a CDC ACM data interface: OUT packets queue host bytes, IN packets go to listeners. */
class CdcAcmStandIn implements SerialEndpoint {
  readonly label = 'usb0';
  rxPaced?: boolean;
  private readonly listeners: ((b: number) => void)[] = [];
  private readonly out: number[] = [];
  inject(data: Uint8Array): void {
    this.out.push(...data);
    this.onOut?.();
  }
  onTransmit(l: (b: number) => void): () => void {
    this.listeners.push(l);
    return () => this.listeners.splice(this.listeners.indexOf(l), 1);
  }
  onOut: (() => void) | null = null;
  /** The device polls its bulk OUT endpoint: one packet, at most 64 bytes. */
  takeOutPacket(): Uint8Array {
    return Uint8Array.from(this.out.splice(0, 64));
  }
  /** The device sends a bulk IN packet. */
  sendInPacket(p: Uint8Array): void {
    for (const b of p) for (const l of this.listeners) l(b);
  }
}

/** A serial session on mps2-an386 whose only backend is `spec` on the stand-in usb0. */
async function session(spec: BackendSpec, notices: string[]) {
  const machine = new Machine({ board: loadBoard('mps2-an386') });
  const cdc = new CdcAcmStandIn();
  // The "guest" answers every OUT packet with the same bytes in upper case on IN.
  cdc.onOut = () => {
    for (let p = cdc.takeOutPacket(); p.length; p = cdc.takeOutPacket()) cdc.sendInPacket(Uint8Array.from(p, (b) => (b >= 97 && b <= 122 ? b - 32 : b)));
  };
  const s = new SerialSession({
    machine,
    backends: new Map<string, BackendSpec>([['usb0', spec], ['uart0', { kind: 'none' }]]),
    stdio: { input: new PassThrough(), write: () => undefined },
    notice: (l) => notices.push(l),
    instant: true,
    endpoint: (label) => (label === 'usb0' ? cdc : undefined),
  });
  await s.open();
  return { s, cdc };
}

describe('a USB CDC ACM stand-in endpoint through the unchanged backends', () => {
  it('tcp: bytes reach the OUT packets and IN packets reach the client; instant input is marked unpaced', async () => {
    const notices: string[] = [];
    const { s, cdc } = await session({ kind: 'tcp', host: '127.0.0.1', port: 0, wait: false }, notices);
    expect(cdc.rxPaced).toBe(false);
    const port = Number(/^char device listening on tcp:127\.0\.0\.1:(\d+) \(label usb0\)$/.exec(notices[0]!)![1]);
    const got = await new Promise<string>((resolve, reject) => {
      let text = '';
      const sock = connect(port, '127.0.0.1', () => sock.write('x'.repeat(100) + '\x01\x04 cdc'));
      sock.on('data', (d) => {
        text += d.toString('latin1');
        if (text.endsWith(' CDC')) {
          sock.destroy();
          resolve(text);
        }
      });
      sock.on('error', reject);
    });
    expect(got).toBe('X'.repeat(100) + '\x01\x04 CDC'); // 105 bytes: two OUT packets, control bytes unchanged
    await s.close();
  });

  it.skipIf(process.platform !== 'linux')(`pty: the QEMU-style notice names usb0 and a terminal client talks to it${process.platform === 'linux' ? '' : ' (skipped: not Linux)'}`, async () => {
    const notices: string[] = [];
    const { s } = await session({ kind: 'pty' }, notices);
    const slave = /^char device redirected to (\/dev\/pts\/\d+) \(label usb0\)$/.exec(notices[0]!)![1]!;
    const fd = openSync(slave, 'r+');
    const r = new ReadStream(fd);
    const w = new WriteStream(fd);
    const got = new Promise<string>((resolve) => {
      let text = '';
      r.on('data', (d: Buffer) => {
        text += d.toString('latin1');
        if (text.includes('MPREMOTE')) resolve(text);
      });
    });
    r.on('error', () => undefined);
    w.write('mpremote');
    expect(await got).toBe('MPREMOTE');
    r.destroy();
    w.destroy();
    await s.close();
  });
});

describe('tcp backend details (on the stand-in endpoint: no firmware needed)', () => {
  it('binds to loopback by default and to an address given explicitly; a second client is closed while one is connected', async () => {
    const notices: string[] = [];
    const { s } = await session({ kind: 'tcp', host: '127.0.0.1', port: 0, wait: false }, notices);
    const port = Number(/tcp:127\.0\.0\.1:(\d+) /.exec(notices[0]!)![1]);
    const first = connect(port, '127.0.0.1');
    await new Promise((r) => first.once('connect', r));
    const firstGot = new Promise<string>((r) => first.once('data', (d) => r(d.toString())));
    await new Promise((r) => setTimeout(r, 50)); // let the server accept the first client
    const second = connect(port, '127.0.0.1');
    const secondEnd = await new Promise<string>((resolve) => {
      let got = '';
      second.on('data', (d) => (got += d.toString()));
      second.on('close', () => resolve(`closed:${got}`));
      second.write('refused');
    });
    expect(secondEnd).toBe('closed:'); // closed without an answer
    first.write('still here');
    expect(await firstGot).toBe('STILL HERE');
    first.destroy();
    await s.close();
    const any: string[] = [];
    const { s: s2 } = await session({ kind: 'tcp', host: '0.0.0.0', port: 0, wait: false }, any);
    expect(any[0]).toMatch(/^char device listening on tcp:0\.0\.0\.0:\d+ \(label usb0\)$/);
    await s2.close();
  });
});
