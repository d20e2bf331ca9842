/**
 * Reading a `-D` file the way dfu-util 0.11 does (dfu_load_file with MAYBE_SUFFIX): the whole file,
 * then an optional DFU suffix (signature "UFD", CRC over everything before the CRC field, length ≥ 16).
 * A missing or broken suffix is only a warning; the file then counts as raw data with wildcard IDs.
 */
import { readFileSync, statSync } from 'node:fs';
import { dfuCrc } from '../../image/crc32.js';
import { DfuUtilExit, type DfuUtilIo } from './io.js';

export interface DfuUtilFile {
  readonly name: string;
  readonly data: Uint8Array;
  /** Bytes of suffix at the end (0 when none was found). */
  readonly suffixLength: number;
  /** bcdDFU from the suffix (0 without one); 0x011a marks a DfuSe file. */
  readonly bcdDfu: number;
  /** 0xffff = wildcard (also without a suffix). */
  readonly idVendor: number;
  readonly idProduct: number;
  readonly bcdDevice: number;
}

const SUFFIX = 16;

function strerror(code: string | undefined): string {
  switch (code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EISDIR':
      return 'Is a directory';
    case 'ENOTDIR':
      return 'Not a directory';
    default:
      return code ?? 'Unknown error';
  }
}

/** `-D -` reads standard input (dfu-util never requires a suffix there, but still warns without one). */
export function loadDfuFile(name: string, io: DfuUtilIo, readStdin: () => Uint8Array = () => new Uint8Array(readFileSync(0))): DfuUtilFile {
  let data: Uint8Array;
  if (name === '-') {
    data = readStdin();
    if (io.verbose) io.out(`Read ${data.length} bytes from stdin\n`);
    return withSuffix(name, data, io);
  }
  try {
    // A directory opens fine under POSIX; dfu-util then sizes it with lseek(SEEK_END), gets -1 as an
    // int on Linux, and fails allocating that (EX_SOFTWARE) — reproduced here.
    if (statSync(name).isDirectory()) throw new DfuUtilExit(70, 'Cannot allocate memory of size -1 bytes');
    data = new Uint8Array(readFileSync(name));
  } catch (e) {
    if (e instanceof DfuUtilExit) throw e;
    throw new DfuUtilExit(66, `Could not open file ${name} for reading: ${strerror((e as NodeJS.ErrnoException).code)}`);
  }
  return withSuffix(name, data, io);
}

function withSuffix(name: string, data: Uint8Array, io: DfuUtilIo): DfuUtilFile {
  const base = { name, data, suffixLength: 0, bcdDfu: 0, idVendor: 0xffff, idProduct: 0xffff, bcdDevice: 0xffff };
  const missing = (reason: string): DfuUtilFile => {
    io.warn(`Warning: ${reason}`);
    io.warn('A valid DFU suffix will be required in a future dfu-util release');
    return base;
  };
  if (data.length < SUFFIX) return missing('File too short for DFU suffix');
  const s = data.length - SUFFIX;
  if (data[s + 10] !== 0x44 || data[s + 9] !== 0x46 || data[s + 8] !== 0x55) return missing('Invalid DFU suffix signature');
  const dv = new DataView(data.buffer, data.byteOffset, data.length);
  if (dv.getUint32(s + 12, true) !== dfuCrc(data.subarray(0, data.length - 4))) return missing('DFU suffix CRC does not match');
  const bcdDfu = dv.getUint16(s + 6, true);
  if (io.verbose) io.out(`DFU suffix version ${bcdDfu.toString(16)}\n`);
  const length = data[s + 11]!;
  if (length < SUFFIX) throw new DfuUtilExit(74, `Unsupported DFU suffix length ${length}`);
  if (length > data.length) throw new DfuUtilExit(74, `Invalid DFU suffix length ${length}`);
  return { ...base, suffixLength: length, bcdDfu, idVendor: dv.getUint16(s + 4, true), idProduct: dv.getUint16(s + 2, true), bcdDevice: dv.getUint16(s, true) };
}
