/**
 * Reads a firmware file and detects its format (ELF by magic, Intel HEX by its first record, otherwise
 * raw binary at `base`). `format` overrides detection.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import { isDfuSe, parseDfuSe } from './dfuse.js';
import { isElf, loadElf } from './elf.js';
import type { FirmwareImage, ImageFormat } from './image.js';
import { loadIntelHex, looksLikeIntelHex } from './ihex.js';

export interface LoadOptions {
  /** Override detection. */
  format?: ImageFormat;
  /** Load address of a raw binary. */
  base?: number;
}

export function detectFormat(data: Uint8Array): ImageFormat {
  if (isElf(data)) return 'elf';
  if (isDfuSe(data)) return 'dfu';
  if (looksLikeIntelHex(data)) return 'ihex';
  return 'bin';
}

export function loadImageBytes(data: Uint8Array, source: string, opts: LoadOptions = {}): FirmwareImage {
  const format = opts.format ?? detectFormat(data);
  switch (format) {
    case 'elf':
      return loadElf(data, source);
    case 'ihex':
      return loadIntelHex(data, source);
    case 'bin':
      if (data.length === 0) throw new UserError(`${source}: empty file`);
      return { format: 'bin', source, segments: [{ address: (opts.base ?? 0) >>> 0, data }] };
    case 'dfu': {
      // Every element of every target (suffix and CRC checked), in address order.
      const segments = parseDfuSe(data, source).targets.flatMap((t) => t.elements).sort((a, b) => a.address - b.address);
      return { format: 'dfu', source, segments };
    }
    default:
      throw new UserError(`${source}: format ${format} is not supported for running yet`);
  }
}

export function loadImageFile(path: string, opts: LoadOptions = {}): FirmwareImage {
  let data: Uint8Array;
  try {
    data = new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: cannot read firmware file${code ? ` (${code})` : ''}`);
  }
  return loadImageBytes(data, path, opts);
}
