/**
 * pty / pty:PATH backend: a pseudo-terminal whose slave side (/dev/pts/N) terminal programs open like a
 * serial device (screen, picocom, mpremote). `pty:PATH` also makes PATH a symlink to the slave (replacing an
 * older symlink, never a regular file), removed on close. Announced as QEMU does:
 * `char device redirected to /dev/pts/N (label uart0)`.
 *
 * Clients come and go: we keep one slave descriptor open ourselves so the master never sees the hang-up
 * (EIO) of a client that quits, and the next client just opens the path again. Output while no client is
 * attached waits in the kernel's PTY buffer (a few KiB); beyond that it is dropped (the master is
 * non-blocking: a write that would block is not queued in memory), like a UART with nobody listening.
 */
import { closeSync, lstatSync, openSync, symlinkSync, unlinkSync, writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { UserError } from '../core/errors.js';
import { type BackendContext, OutputBatcher, type SerialBackend } from './backend.js';
import { bytesWaiting, openPtyMaster } from './posix-tty.js';

/** Up to 1 s (50 × 20 ms) for a client to read the last output before the PTY closes. */
const DRAIN_POLLS = 50;
/**
 * Bytes written to the master reach the slave's input queue through the kernel's flip buffer, pushed by a
 * worker thread: right after the write FIONREAD on the slave can still be 0. Wait this long before trusting
 * it (without it a loaded machine lost the guest's last line: the hang-up discarded bytes still in flight).
 */
const FLIP_SETTLE_MS = 50;

export class PtyBackend implements SerialBackend {
  private readonly reader: ReadStream;
  private readonly fd: number;
  private readonly holdFd: number;
  private readonly out: OutputBatcher;
  private readonly unsubscribe: () => void;
  readonly slave: string;
  /** Output was written: close() lets the kernel settle before checking what a client has not read. */
  private wrote = false;

  constructor(
    ctx: BackendContext,
    private readonly link?: string,
  ) {
    const { fd, slave } = openPtyMaster();
    this.slave = slave;
    this.holdFd = openSync(slave, 'r+');
    if (link !== undefined) makeLink(slave, link, ctx.endpoint.label);
    this.reader = new ReadStream(fd);
    this.fd = fd;
    this.reader.on('data', (d: Buffer) => ctx.input(new Uint8Array(d)));
    this.reader.on('error', () => undefined); // EIO cannot happen while we hold the slave; ignore on close
    this.out = new OutputBatcher((bytes) => this.write(bytes));
    this.unsubscribe = ctx.endpoint.onTransmit((b) => this.out.push(b));
    ctx.liveSources(1);
    ctx.notice(`char device redirected to ${slave} (label ${ctx.endpoint.label})${link !== undefined ? `, linked from ${link}` : ''}`);
  }

  private write(bytes: Uint8Array): void {
    this.wrote = true;
    let off = 0;
    try {
      while (off < bytes.length) off += writeSync(this.fd, bytes, off);
    } catch {
      /* EAGAIN: the PTY buffer is full (no client reading); drop the rest */
    }
  }

  async close(): Promise<void> {
    this.out.flush();
    this.unsubscribe();
    // Closing the master hangs up the slave and discards what its client has not read yet: give a client
    // a moment to read the guest's last output. Host I/O only (never guest-visible time).
    if (this.wrote) await new Promise((r) => setTimeout(r, FLIP_SETTLE_MS));
    for (let i = 0; i < DRAIN_POLLS && bytesWaiting(this.holdFd) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    this.reader.destroy(); // closes the master fd
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
