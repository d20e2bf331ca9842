/** file:PATH backend: the guest's output goes to a file (created or truncated); no input. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import { type BackendContext, OutputBatcher, type SerialBackend } from './backend.js';

export class FileBackend implements SerialBackend {
  private readonly fd: number;
  private readonly out: OutputBatcher;
  private readonly unsubscribe: () => void;

  constructor(ctx: BackendContext, path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new UserError(`--serial ${ctx.endpoint.label}=file:${path}: cannot open (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    this.out = new OutputBatcher((bytes) => writeSync(this.fd, bytes));
    this.unsubscribe = ctx.endpoint.onTransmit((b) => this.out.push(b));
  }

  close(): void {
    this.out.flush();
    this.unsubscribe();
    closeSync(this.fd);
  }
}
