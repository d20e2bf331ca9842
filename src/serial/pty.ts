/**
 * pty / pty:PATH backend: a pseudo-terminal whose slave side (/dev/pts/N) terminal programs open like a
 * serial device (screen, picocom, mpremote). `pty:PATH` also makes PATH a symlink to the slave (replacing an
 * older symlink, never a regular file), removed on close. Announced as QEMU does:
 * `char device redirected to /dev/pts/N (label uart0)`.
 *
 * Clients come and go: we keep one slave descriptor open ourselves so the master never sees the hang-up
 * (EIO) of a client that quits, and the next client just opens the path again. Output while no client is
 * attached waits in the kernel's PTY buffer (a few KiB) and is dropped beyond 64 KiB queued on our side.
 */
import { closeSync, lstatSync, openSync, symlinkSync, unlinkSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';
import { UserError } from '../core/errors.js';
import { type BackendContext, OutputBatcher, type SerialBackend } from './backend.js';
import { openPtyMaster } from './posix-tty.js';

const MAX_QUEUED = 64 * 1024;

export class PtyBackend implements SerialBackend {
  private readonly reader: ReadStream;
  private readonly writer: WriteStream;
  private readonly holdFd: number;
  private readonly out: OutputBatcher;
  private readonly unsubscribe: () => void;
  readonly slave: string;

  constructor(
    ctx: BackendContext,
    private readonly link?: string,
  ) {
    const { fd, slave } = openPtyMaster();
    this.slave = slave;
    this.holdFd = openSync(slave, 'r+');
    if (link !== undefined) makeLink(slave, link, ctx.endpoint.label);
    this.reader = new ReadStream(fd);
    this.writer = new WriteStream(fd);
    this.reader.on('data', (d: Buffer) => ctx.input(new Uint8Array(d)));
    this.reader.on('error', () => undefined); // EIO cannot happen while we hold the slave; ignore on close
    this.writer.on('error', () => undefined);
    this.out = new OutputBatcher((bytes) => {
      if (this.writer.writableLength < MAX_QUEUED) this.writer.write(bytes);
    });
    this.unsubscribe = ctx.endpoint.onTransmit((b) => this.out.push(b));
    ctx.liveSources(1);
    ctx.notice(`char device redirected to ${slave} (label ${ctx.endpoint.label})${link !== undefined ? `, linked from ${link}` : ''}`);
  }

  close(): void {
    this.out.flush();
    this.unsubscribe();
    this.reader.destroy();
    this.writer.destroy();
    try {
      closeSync(this.holdFd);
    } catch {
      /* already closed */
    }
    if (this.link !== undefined) {
      try {
        if (lstatSync(this.link).isSymbolicLink()) unlinkSync(this.link);
      } catch {
        /* gone already */
      }
    }
  }
}

function makeLink(slave: string, link: string, label: string): void {
  try {
    const st = lstatSync(link, { throwIfNoEntry: false });
    if (st && !st.isSymbolicLink()) throw new UserError(`--serial ${label}=pty:${link}: ${link} exists and is not a symlink; not replacing it`);
    if (st) unlinkSync(link);
    symlinkSync(slave, link);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`--serial ${label}=pty:${link}: cannot create the symlink (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}
