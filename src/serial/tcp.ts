/**
 * tcp:[HOST:]PORT server backend (HOST defaults to 127.0.0.1: listeners stay on loopback unless the user
 * names another address). One client at a time, like QEMU's socket chardev; further clients are refused
 * while one is connected. Output while no client is connected is dropped (a UART with no cable).
 * `,wait` holds the guest until the first client connects.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { UserError } from '../core/errors.js';
import { type BackendContext, OutputBatcher, type SerialBackend } from './backend.js';

export class TcpBackend implements SerialBackend {
  private server: Server | null = null;
  private client: Socket | null = null;
  private readonly out: OutputBatcher;
  private readonly unsubscribe: () => void;
  private firstClient: (() => void) | null = null;

  constructor(
    private readonly ctx: BackendContext,
    private readonly host: string,
    private readonly port: number,
    private readonly wait: boolean,
  ) {
    this.out = new OutputBatcher((bytes) => {
      if (this.client && !this.client.destroyed) this.client.write(bytes);
    });
    this.unsubscribe = ctx.endpoint.onTransmit((b) => {
      if (this.client) this.out.push(b);
    });
  }

  async open(): Promise<void> {
    const server = createServer((sock) => this.accept(sock));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(new UserError(`--serial ${this.ctx.endpoint.label}=tcp:${this.host}:${this.port}: cannot listen (${e.code ?? e.message})`)),
      );
      server.listen(this.port, this.host, () => resolve());
    });
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : this.port;
    this.ctx.liveSources(1); // a client may connect at any time
    this.ctx.notice(`char device listening on tcp:${this.host}:${port} (label ${this.ctx.endpoint.label})`);
    if (this.wait) {
      this.ctx.notice(`emboard: waiting for connection on tcp:${this.host}:${port} (label ${this.ctx.endpoint.label})`);
      await Promise.race([new Promise<void>((resolve) => (this.firstClient = resolve)), this.ctx.stopped]);
    }
  }

  private accept(sock: Socket): void {
    if (this.client) {
      sock.destroy();
      return;
    }
    this.client = sock;
    sock.setNoDelay(true);
    sock.on('data', (d: Buffer) => this.ctx.input(new Uint8Array(d)));
    const gone = () => {
      if (this.client === sock) this.client = null;
    };
    sock.on('close', gone);
    sock.on('error', gone);
    this.firstClient?.();
    this.firstClient = null;
  }

  close(): void {
    this.out.flush();
    this.unsubscribe();
    const c = this.client;
    c?.end(() => c.destroy());
    this.client = null;
    this.server?.close();
    this.server = null;
  }
}
