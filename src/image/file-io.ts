/**
 * Input and output files for the image tools. Reading turns every OS failure into a one-line UserError;
 * writing goes to a temporary file in the destination folder renamed over the target, so a failed
 * conversion never leaves a partial output file behind.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../core/errors.js';

export function readInputFile(path: string): Uint8Array {
  let data: Uint8Array;
  try {
    if (statSync(path).isDirectory()) throw new UserError(`${path}: is a directory, not a file`);
    data = new Uint8Array(readFileSync(path));
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: cannot read file${code ? ` (${code})` : ''}`);
  }
  if (data.length === 0) throw new UserError(`${path}: empty file (at offset 0x00000000)`);
  return data;
}

export function writeOutputFile(path: string, data: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // The temporary file was never created.
    }
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: cannot write output file${code ? ` (${code})` : ''}`);
  }
}
