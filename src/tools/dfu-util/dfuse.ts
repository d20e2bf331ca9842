/**
 * dfu-util 0.11's DfuSe host logic (its dfuse.c behaviour, our code): the `-s` option string, special
 * commands (Set Address, page erase, mass erase, read unprotect) with their GETSTATUS polling, element
 * download (erase pass, then write pass with one Set Address per chunk and wBlockNum 2), raw and .dfu
 * downloads, upload, and the leave request. Messages and exit codes as dfu-util's.
 */
import { DfuState, DfuStatus } from '../../usb/dfu/protocol.js';
import { DfuUtilExit, EX, type DfuUtilIo } from './io.js';
import { type DfuUtilFile } from './dfu-file.js';
import { ERASABLE, findSegment, hex8, type MemLayout, parseMemoryLayout, READABLE, WRITEABLE } from './memory-layout.js';
import { ProgressBar } from './progress.js';
import { dfuAbort, dfuDownload, dfuGetStatus, dfuUpload, type DfuIf, setAltSetting, UsbError } from './usb-host.js';
import { stateName, statusText } from './text.js';
import { strtol } from './args.js';

export interface DfuseOptions {
  address: number;
  addressPresent: boolean;
  length: number;
  force: boolean;
  leave: boolean;
  unprotect: boolean;
  massErase: boolean;
  willReset: boolean;
}

/** strtoul(s, &end, 0) as unsigned 32-bit; `ok` when the whole word was a number. */
function wholeNumber(word: string): { ok: boolean; value: number } {
  const { value, end } = strtol(word);
  return { ok: end === word.length && end > 0, value: value >>> 0 };
}

const MODIFIERS = ['force', 'leave', 'unprotect', 'mass-erase', 'will-reset'] as const;

/**
 * The `-s` string as dfu-util 0.11 reads it, quirks included: a modifier matches any word that is a
 * prefix of it (`:l` is leave), and the cursor then moves by the full modifier's length — past the end
 * of a shortened word, on into the next command-line words (`following`; in the C tool the argv strings
 * lie back to back in memory). So `-s 0x08000000:lea -D fw.bin` complains about modifier "D".
 */
export function parseDfuseOptions(s: string, following: readonly string[] = []): DfuseOptions {
  const o: DfuseOptions = { address: 0, addressPresent: false, length: 0, force: false, leave: false, unprotect: false, massErase: false, willReset: false };
  const mem = s + '\0' + following.map((w) => w + '\0').join('');
  const at = (i: number) => (i < mem.length ? mem[i]! : '\0');
  const endOfWord = (i: number) => {
    let e = i;
    while (at(e) !== ':' && at(e) !== '\0') e++;
    return e;
  };
  const cString = (i: number) => mem.slice(i, mem.indexOf('\0', i));
  let p = 0;
  if (at(0) !== ':') {
    const e = endOfWord(0);
    // strtoul's end equals the word's end for an empty word too: `-s ""` means address 0
    const n = e === 0 ? { ok: true, value: 0 } : wholeNumber(mem.slice(0, e));
    if (!n.ok) throw new DfuUtilExit(EX.USAGE, `Invalid dfuse address: ${s}`);
    o.address = n.value;
    o.addressPresent = true;
    p = e;
  }
  while (at(p) !== '\0') {
    if (at(p) === ':') {
      p++;
      continue;
    }
    const e = endOfWord(p);
    const word = mem.slice(p, e);
    const m = MODIFIERS.find((x) => word.length <= x.length && x.startsWith(word));
    if (m) {
      if (m === 'force') o.force = true;
      else if (m === 'leave') o.leave = true;
      else if (m === 'unprotect') o.unprotect = true;
      else if (m === 'mass-erase') o.massErase = true;
      else o.willReset = true;
      p += m.length;
      continue;
    }
    const n = wholeNumber(word);
    if (!n.ok) throw new DfuUtilExit(EX.USAGE, `Invalid dfuse modifier: ${cString(p)}`);
    o.length = n.value;
    p = e;
  }
  return o;
}

/** dfuse_download() itself exits on a failed transfer. */
function downloadFailed(e: unknown): unknown {
  return e instanceof UsbError ? new DfuUtilExit(EX.IOERR, `dfuse_download: libusb_control_transfer returned ${e.code} (${e.libusbName})`) : e;
}

type Special = 'SET_ADDRESS' | 'ERASE_PAGE' | 'MASS_ERASE' | 'READ_UNPROTECT';

export class DfuseSession {
  private lastErasedPage = 1; // not page-aligned: never matches
  private layout: MemLayout | null = null;
  private readonly layouts = new Map<number, MemLayout>();
  readonly opts: DfuseOptions;
  private readonly bar: ProgressBar;
  /** Sum of bwPollTimeout the device asked for (the time the real transfer would take), in ms. */
  pollMs = 0;

  constructor(
    private dif: DfuIf,
    private readonly xferSize: number,
    private readonly io: DfuUtilIo,
    options: string | null,
    following: readonly string[],
    /** The alt settings of the device's DFU interface (a .dfu target selects one by number). */
    private readonly allAlts: readonly DfuIf[],
    /** dfu-util's matched list (its dfu_root chain), whose layouts a download parses first. */
    private readonly chain: readonly DfuIf[] = [dif],
  ) {
    // Without -s dfu-util never parses an option string: everything stays off.
    this.opts = options !== null ? parseDfuseOptions(options, following) : { address: 0, addressPresent: false, length: 0, force: false, leave: false, unprotect: false, massErase: false, willReset: false };
    this.bar = new ProgressBar((t) => io.out(t));
  }

  private status(what: () => never) {
    try {
      return dfuGetStatus(this.dif);
    } catch (e) {
      if (e instanceof UsbError) what();
      throw e;
    }
  }

  private loadLayout(dif: DfuIf): MemLayout {
    const l = parseMemoryLayout(dif.altName);
    if (!l) {
      this.io.warn(`Could not read name, sscanf returned 0`);
      throw new DfuUtilExit(EX.IOERR, 'Failed to parse memory layout');
    }
    this.io.out(`DfuSe interface name: "${l.name}"\n`);
    for (const w of l.warnings) this.io.warn(w);
    if (this.io.verbose) for (const v of l.verboseLines) this.io.out(v + '\n');
    return l;
  }

  specialCommand(address: number, command: Special): void {
    const buf = new Uint8Array(5);
    let length = 5;
    if (command === 'ERASE_PAGE') {
      const seg = this.layout ? findSegment(this.layout, address) : null;
      if (!seg || !(seg.memtype & ERASABLE)) throw new DfuUtilExit(EX.IOERR, `Page at 0x${hex8(address)} can not be erased`);
      if (this.io.verbose) this.io.err(`Erasing page size ${seg.pageSize} at address 0x${hex8(address)}, page starting at 0x${hex8(address & ~(seg.pageSize - 1))}\n`);
      buf[0] = 0x41;
      this.lastErasedPage = (address & ~(seg.pageSize - 1)) >>> 0;
    } else if (command === 'SET_ADDRESS') {
      if (this.io.verbose > 1) this.io.err(`  Setting address pointer to 0x${hex8(address)}\n`);
      buf[0] = 0x21;
    } else if (command === 'MASS_ERASE') {
      buf[0] = 0x41;
      length = 1;
    } else {
      buf[0] = 0x92;
      length = 1;
    }
    buf[1] = address & 0xff;
    buf[2] = (address >>> 8) & 0xff;
    buf[3] = (address >>> 16) & 0xff;
    buf[4] = (address >>> 24) & 0xff;
    try {
      dfuDownload(this.dif, 0, buf.subarray(0, length));
    } catch (e) {
      throw downloadFailed(e);
    }
    let first = true;
    let st;
    do {
      st = this.status(() => {
        throw new DfuUtilExit(EX.IOERR, `Error during special command "${command}" get_status`);
      });
      if (first) {
        first = false;
        if (st.state !== DfuState.dfuDNBUSY && st.state !== DfuState.dfuDNLOAD_IDLE) {
          this.io.out(`DFU state(${st.state}) = ${stateName(st.state)}, status(${st.status}) = ${statusText(st.status)}\n`);
          throw new DfuUtilExit(EX.IOERR, `Wrong state after command "${command}" download`);
        }
        if (command === 'MASS_ERASE' && st.pollTimeout === 100) {
          // dfu-util's workaround for the STM32F405, which reports 100 ms for a mass erase
          this.io.out('Setting timeout to 35 seconds\n');
          this.pollMs += 35000 - 100;
        }
      }
      if (this.io.verbose > 1) this.io.err(`   Poll timeout ${st.pollTimeout} ms\n`);
      this.pollMs += st.pollTimeout;
      if (command === 'READ_UNPROTECT') return;
    } while (st.state === DfuState.dfuDNBUSY);
    if (st.status !== DfuStatus.OK) throw new DfuUtilExit(EX.IOERR, `${command} not correctly executed`);
  }

  /** One DNLOAD and the GETSTATUS polling after it; returns bytes sent, or −1 after a bad status. */
  dnloadChunk(data: Uint8Array, block: number): number {
    let sent: number;
    try {
      sent = dfuDownload(this.dif, block, data);
    } catch (e) {
      throw downloadFailed(e);
    }
    let st;
    do {
      st = this.status(() => {
        throw new DfuUtilExit(EX.IOERR, 'Error during download get_status');
      });
      this.pollMs += st.pollTimeout;
    } while (
      st.state !== DfuState.dfuDNLOAD_IDLE &&
      st.state !== DfuState.dfuERROR &&
      st.state !== DfuState.dfuMANIFEST &&
      !(this.opts.willReset && st.state === DfuState.dfuDNBUSY)
    );
    if (st.state === DfuState.dfuMANIFEST) this.io.out('Transitioning to dfuMANIFEST state\n');
    if (st.status !== DfuStatus.OK) {
      this.io.out(' failed!\n');
      this.io.out(`DFU state(${st.state}) = ${stateName(st.state)}, status(${st.status}) = ${statusText(st.status)}\n`);
      return -1;
    }
    return sent;
  }

  abortToIdle(): void {
    try {
      dfuAbort(this.dif);
    } catch (e) {
      if (e instanceof UsbError) throw new DfuUtilExit(EX.IOERR, 'Error sending dfu abort request');
      throw e;
    }
    const st = this.status(() => {
      throw new DfuUtilExit(EX.IOERR, 'Error during abort get_status');
    });
    if (st.state !== DfuState.dfuIDLE) throw new DfuUtilExit(EX.IOERR, 'Failed to enter idle state on abort');
    this.pollMs += st.pollTimeout;
  }

  private dnloadElement(address: number, size: number, data: Uint8Array): void {
    const layout = this.layout!;
    const last = findSegment(layout, address + size - 1);
    if (!last || !(last.memtype & WRITEABLE)) throw new DfuUtilExit(EX.USAGE, `Last page at 0x${hex8(address + size - 1)} is not writeable`);
    {
      for (let p = 0; p < size; p += this.xferSize) {
        const a = (address + p) >>> 0;
        const chunk = Math.min(this.xferSize, size - p);
        // The bar is drawn before the page is checked (dfu-util leaves it on the line when it stops).
        if (!this.io.verbose) this.bar.draw('Erase   ', p, size);
        const seg = findSegment(layout, a);
        if (!seg || !(seg.memtype & WRITEABLE)) throw new DfuUtilExit(EX.USAGE, `Page at 0x${hex8(a)} is not writeable`);
        const page = seg.pageSize;
        const eraseAddress = (a & ~(page - 1)) >>> 0;
        // After a mass erase dfu-util still walks the pages (and draws the bar) but erases none.
        if (seg.memtype & ERASABLE && !this.opts.massErase) {
          if (eraseAddress !== this.lastErasedPage) this.specialCommand(eraseAddress, 'ERASE_PAGE');
          if (a + chunk - 1 > eraseAddress + page - 1) {
            const next = (eraseAddress + page) >>> 0;
            if (this.io.verbose) this.io.err(' Chunk extends into next page, erase it as well\n');
            this.specialCommand(next, 'ERASE_PAGE');
          }
        }
      }
      if (!this.io.verbose) this.bar.draw('Erase   ', size, size);
    }
    for (let p = 0; p < size; p += this.xferSize) {
      const a = (address + p) >>> 0;
      const chunk = Math.min(this.xferSize, size - p);
      if (this.io.verbose) this.io.err(` Download from image offset ${hex8(p)} to memory ${hex8(a)}-${hex8(a + chunk - 1)}, size ${chunk}\n`);
      else this.bar.draw('Download', p, size);
      this.specialCommand(a, 'SET_ADDRESS');
      const r = this.dnloadChunk(data.subarray(p, p + chunk), 2);
      if (r !== chunk) throw new DfuUtilExit(EX.IOERR, `Failed to write whole chunk: ${r} of ${chunk} bytes`);
    }
    if (!this.io.verbose) this.bar.draw('Download', size, size);
  }

  private binDownload(file: DfuUtilFile): void {
    const size = file.data.length - file.suffixLength;
    this.io.out(`Downloading element to address = 0x${hex8(this.opts.address)}, size = ${size}\n`);
    this.dnloadElement(this.opts.address, size, file.data.subarray(0, size));
    this.io.out('File downloaded successfully\n');
  }

  private dfuseFileDownload(file: DfuUtilFile): void {
    const data = file.data;
    let pos = 0;
    let rem = data.length - file.suffixLength;
    const take = (n: number): Uint8Array => {
      if (rem < n) throw new DfuUtilExit(EX.NOINPUT, `Corrupt DfuSe file: Cannot read ${n} bytes from ${rem} bytes`);
      const out = data.subarray(pos, pos + n);
      pos += n;
      rem -= n;
      return out;
    };
    // Prefix, one target prefix and one element header at least.
    if (rem < 11 + 274 + 8) throw new DfuUtilExit(EX.DATAERR, 'File too small for a DfuSe file');
    const prefix = take(11);
    if (String.fromCharCode(...prefix.subarray(0, 5)) !== 'DfuSe') throw new DfuUtilExit(EX.DATAERR, 'No valid DfuSe signature');
    if (prefix[5] !== 0x01) throw new DfuUtilExit(EX.DATAERR, `DFU format revision ${prefix[5]} not supported`);
    const nTargets = prefix[10]!;
    this.io.out(`File contains ${nTargets} DFU images\n`);
    const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
    for (let image = 1; image <= nTargets; image++) {
      this.io.out(`Parsing DFU image ${image}\n`);
      const t = take(274);
      if (String.fromCharCode(...t.subarray(0, 6)) !== 'Target') throw new DfuUtilExit(EX.DATAERR, 'No valid target signature');
      const alt = t[6]!;
      if (u32(t, 7)) {
        const raw = t.subarray(11, 266);
        const nul = raw.indexOf(0);
        this.io.out(`Target name: ${String.fromCharCode(...raw.subarray(0, nul < 0 ? raw.length : nul))}\n`);
      } else this.io.out('No target name\n');
      const nElements = u32(t, 270);
      this.io.out(`Image for alternate setting ${alt}, (${nElements} elements, total size = ${u32(t, 266)})\n`);
      const adif = this.allAlts.find((d) => d.altsetting === alt) ?? null;
      if (adif) {
        this.io.out(`Setting Alternate Interface #${alt} ...\n`);
        try {
          setAltSetting(adif);
        } catch (e) {
          if (e instanceof UsbError) throw new DfuUtilExit(EX.IOERR, `Cannot set alternate interface: ${e.libusbName}`);
          throw e;
        }
        this.dif = adif;
        this.layout = this.layouts.get(adif.altsetting) ?? this.loadLayoutQuiet(adif);
      } else this.io.warn(`No alternate setting ${alt} (skipping elements)`);
      for (let el = 1; el <= nElements; el++) {
        const h = take(8);
        const address = u32(h, 0);
        const size = u32(h, 4);
        this.io.out(`Parsing element ${el}, address = 0x${hex8(address)}, size = ${size}\n`);
        if (rem < size) throw new DfuUtilExit(EX.DATAERR, 'File too small for element size');
        const body = data.subarray(pos, pos + size);
        if (adif) this.dnloadElement(address, size, body);
        take(size);
      }
    }
    if (rem !== 0) this.io.warn(`${rem} bytes leftover`);
    this.io.out('Done parsing DfuSe file\n');
  }

  /** The layout of another alt setting (dfu-util parses every alt's layout up front, printing once). */
  private loadLayoutQuiet(dif: DfuIf): MemLayout {
    const l = parseMemoryLayout(dif.altName);
    if (!l) throw new DfuUtilExit(EX.IOERR, `Failed to parse memory layout for alternate interface ${dif.altsetting}`);
    return l;
  }

  leaveRequest(): void {
    this.io.out('Submitting leave request...\n');
    this.specialCommand(this.opts.address, 'SET_ADDRESS');
    this.dnloadChunk(new Uint8Array(0), 2);
  }

  download(file: DfuUtilFile | null): void {
    // dfu-util parses the memory map of every matched alt setting, in its list order, printing each name.
    for (const d of this.chain) {
      const l = this.loadLayout(d);
      this.layouts.set(d.altsetting, l);
    }
    this.layout = this.layouts.get(this.dif.altsetting) ?? this.loadLayout(this.dif);
    const o = this.opts;
    if (o.unprotect) {
      if (!o.force) throw new DfuUtilExit(EX.USAGE, 'The read unprotect command will erase the flash memoryand can only be used with force\n');
      this.specialCommand(0, 'READ_UNPROTECT');
      this.io.out('Device disconnects, erases flash and resets now\n');
      return;
    }
    if (o.massErase) {
      if (!o.force) throw new DfuUtilExit(EX.USAGE, 'The mass erase command can only be used with force');
      this.io.out('Performing mass erase, this can take a moment\n');
      this.specialCommand(0, 'MASS_ERASE');
    }
    if (!file) {
      this.io.out('DfuSe command mode\n');
    } else {
      if (o.addressPresent) {
        if (file.bcdDfu === 0x011a) throw new DfuUtilExit(EX.USAGE, 'This is a DfuSe file, not meant for raw download');
        this.binDownload(file);
      } else {
        if (file.bcdDfu !== 0x011a) {
          this.io.warn('Only DfuSe file version 1.1a is supported');
          throw new DfuUtilExit(EX.USAGE, '(for raw binary download, use the --dfuse-address option)');
        }
        this.dfuseFileDownload(file);
      }
    }
    if (!o.willReset) this.abortToIdle();
    if (o.leave) this.leaveRequest();
  }

  /** -U: hands each chunk to `sink` as it arrives (dfu-util writes as it reads: a failed upload leaves the part read). */
  upload(sink: (chunk: Uint8Array) => void): number {
    const o = this.opts;
    let limit = o.length;
    if (o.addressPresent) {
      this.layout = this.loadLayout(this.dif);
      const seg = findSegment(this.layout, o.address);
      if (!o.force && (!seg || !(seg.memtype & READABLE))) throw new DfuUtilExit(EX.USAGE, `Page at 0x${hex8(o.address)} is not readable`);
      if (!limit) {
        if (seg) {
          limit = seg.end - o.address + 1;
          this.io.out(`Limiting upload to end of memory segment, ${limit} bytes\n`);
        } else {
          limit = 0x4000;
          this.io.out(`Limiting upload to ${limit} bytes\n`);
        }
      }
      this.specialCommand(o.address, 'SET_ADDRESS');
      this.abortToIdle();
    } else if (!limit) {
      this.io.warn('Unbound upload not supported on DfuSe devices');
      limit = 0x4000;
      this.io.out(`Limiting default upload to ${limit} bytes\n`);
    }
    let total = 0;
    let xfer = this.xferSize;
    this.bar.draw('Upload', 0, 1);
    for (let block = 2; ; block++) {
      if (limit - total < xfer) xfer = limit - total;
      let d: Uint8Array;
      try {
        d = dfuUpload(this.dif, block, xfer);
      } catch (e) {
        if (e instanceof UsbError) throw new DfuUtilExit(EX.IOERR, `dfuse_upload: libusb_control_transfer returned ${e.code} (${e.libusbName})`);
        throw e;
      }
      sink(d);
      total += d.length;
      if (d.length < xfer || total >= limit) break;
      this.bar.draw('Upload', total, limit);
    }
    this.bar.draw('Upload', total, total);
    this.abortToIdle();
    if (o.leave) this.leaveRequest();
    return total;
  }
}
