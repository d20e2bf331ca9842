/**
 * `dfu-util` 0.11's main flow (its main.c behaviour, our code) over an emulated USB bus: parse the
 * options, print the banner, load the -D file, probe and match DFU interfaces, open the one device,
 * bring it to dfuIDLE (clearing errors, aborting stale transfers), pick the transfer size, then upload,
 * download (DfuSe: src/tools/dfu-util/dfuse.ts) or detach, and the optional final USB reset.
 * Returns dfu-util's exit code; output goes through `io` exactly as the C tool prints it.
 */
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { DfuState, DfuStatus } from '../../usb/dfu/protocol.js';
import { type DfuUtilArgs, parseDfuUtilArgs } from './args.js';
import { type DfuUtilFile, loadDfuFile } from './dfu-file.js';
import { DfuseSession } from './dfuse.js';
import { DfuUtilExit, EX, type DfuUtilIo } from './io.js';
import { hex4 } from './memory-layout.js';
import { stateName, statusText, USAGE, VERSION_BANNER } from './text.js';
import { type AttachedDevice, dfuAbort, dfuClearStatus, dfuDetach, dfuGetStatus, type DfuIf, probeDevice, setAltSetting, UsbError } from './usb-host.js';

export interface DfuUtilEnv {
  /** The devices on the (emulated) bus; called when dfu-util probes. */
  devices(): AttachedDevice[];
  out(text: string): void;
  err(text: string): void;
  /** What `-D -` reads (default: this process's standard input). */
  stdin?(): Uint8Array;
}

export interface DfuUtilResult {
  code: number;
  /** Sum of the poll timeouts the device asked for: how long the real transfer would wait, in ms. */
  pollMs: number;
}

function matches(a: DfuUtilArgs, d: DfuIf): boolean {
  // A device in DFU mode is matched by the IDs after the comma of -d/-S only (`-d 1234:5678` still
  // finds a DFU-mode 0483:df11; a lone -S names both serials), as dfu-util 0.11 does.
  const vendor = d.dfuMode ? a.vendorDfu : a.vendor;
  const product = d.dfuMode ? a.productDfu : a.product;
  const serial = d.dfuMode ? a.serialDfu : a.serial;
  if (vendor >= 0 && vendor !== d.vendor) return false;
  if (product >= 0 && product !== d.product) return false;
  if (serial !== null && serial !== d.serial) return false;
  if (a.devnum >= 0 && a.devnum !== d.attached.devnum) return false;
  if (a.path !== null && a.path !== d.attached.path) return false;
  if (a.config >= 0 && a.config !== d.configuration) return false;
  if (a.intf >= 0 && a.intf !== d.interface) return false;
  if (a.altIndex >= 0 && a.altIndex !== d.altsetting) return false;
  if (a.altName !== null && a.altName !== d.altName) return false;
  return true;
}

export function runDfuUtil(argv: readonly string[], env: DfuUtilEnv): DfuUtilResult {
  const io: DfuUtilIo = { out: env.out, err: env.err, warn: (m) => env.err(`dfu-util: ${m}\n`), verbose: 0 };
  const holder: { session: DfuseSession | null } = { session: null };
  let code: number;
  try {
    code = main(argv, env, io, (s) => (holder.session = s));
  } catch (e) {
    if (!(e instanceof DfuUtilExit)) throw e;
    if (e.msg !== null) io.warn(e.msg);
    code = e.code;
  }
  return { code, pollMs: holder.session?.pollMs ?? 0 };
}

function main(argv: readonly string[], env: DfuUtilEnv, io: DfuUtilIo, onSession: (s: DfuseSession) => void): number {
  const parsed = parseDfuUtilArgs(argv);
  if ('exit' in parsed) {
    io.err(parsed.stderr);
    if (parsed.usage) io.err(USAGE);
    return parsed.code;
  }
  const a = parsed;
  io.verbose = a.verbose;
  io.out(VERSION_BANNER);
  if (a.mode === 'version') return EX.OK;
  // What dfu-util shows of the libusb under it: the API level the emulated bus (and our libusb shim) offers.
  if (a.verbose) io.out('libusb version 1.0.26 (0)\n');
  let mode = a.mode;
  if (mode === 'none' && a.dfuseOptions === null) {
    io.err('You need to specify one of -D or -U\n');
    io.err(USAGE);
    return EX.USAGE;
  }
  if (a.config === 0) a.config = -1; // "-c 0" (unconfigured device) means any
  let file: DfuUtilFile | null = null;
  if (mode === 'download') {
    file = loadDfuFile(a.file!, io, env.stdin);
    // Without -d, the IDs in the file's suffix become the run-time IDs (which a DFU-mode device is not
    // matched against, so a file for another product still downloads; with -d the File ID check stops it).
    if (a.vendor < 0 && file.idVendor !== 0xffff) {
      a.vendor = file.idVendor;
      io.out(`Match vendor ID from file: ${hex4(a.vendor)}\n`);
    }
    if (a.product < 0 && file.idProduct !== 0xffff) {
      a.product = file.idProduct;
      io.out(`Match product ID from file: ${hex4(a.product)}\n`);
    }
  } else if (mode === 'none') {
    mode = 'download'; // DfuSe special commands only (-s ADDR:mass-erase:force, :leave)
  }
  if (a.wait) io.out('Waiting for device, exit with ctrl-C\n');

  // libusb lists devices and their interfaces in order; dfu-util prepends each match to its list.
  const found: DfuIf[] = [];
  for (const dev of env.devices()) for (const d of probeDevice(dev)) if (matches(a, d)) found.unshift(d);

  if (mode === 'list') {
    for (const d of found) {
      io.out(
        `Found ${d.dfuMode ? 'DFU' : 'Runtime'}: [${hex4(d.vendor)}:${hex4(d.product)}] ver=${hex4(d.bcdDevice)}, devnum=${d.attached.devnum}, cfg=${d.configuration}, intf=${d.interface}, path="${d.attached.path}", alt=${d.altsetting}, name="${d.altName}", serial="${d.serial}"\n`,
      );
    }
    return EX.OK;
  }
  if (found.length === 0) throw new DfuUtilExit(EX.IOERR, 'No DFU capable USB device available');
  const root = found[0]!;
  if (file?.bcdDfu === 0x011a && root.hasAlts) {
    // A DfuSe file names its alt settings itself; dfu-util goes on with the head of its list.
    io.out('Multiple alternate interfaces for DfuSe file\n');
  } else if (found.length > 1) {
    throw new DfuUtilExit(EX.IOERR, "More than one DFU capable USB device found! Try `--list' and specify the serial number or disconnect all but one device\n");
  }

  io.out('Opening DFU capable USB device...\n');
  if (root.attached.device.detached) throw new DfuUtilExit(EX.IOERR, 'Cannot open device: LIBUSB_ERROR_NO_DEVICE');
  io.out(`Device ID ${hex4(root.vendor)}:${hex4(root.product)}\n`);
  io.out(`${root.dfuMode ? 'Device' : 'Run-Time device'} DFU version ${hex4(root.func.bcdDfu)}\n`);
  if (a.verbose) {
    const at = root.func.attributes;
    const names = [' bitCanDnload', ' bitCanUpload', ' bitManifestationTolerant', ' bitWillDetach'].filter((_n, i) => at & (1 << i)).join('');
    io.out(`DFU attributes: (0x${at.toString(16).padStart(2, '0')})${names}\n`);
    io.out(`Detach timeout ${root.func.detachTimeout} ms\n`);
  }
  const runtimeVendor = a.vendor >= 0 ? a.vendor : root.vendor;
  const runtimeProduct = a.product >= 0 ? a.product : root.product;
  if (!root.dfuMode) throw new DfuUtilExit(EX.PROTOCOL, 'Device still in Run-Time Mode!');

  io.out('Claiming USB DFU Interface...\n');
  if (root.hasAlts) {
    io.out(`Setting Alternate Interface #${root.altsetting} ...\n`);
    try {
      setAltSetting(root);
    } catch (e) {
      if (e instanceof UsbError) throw new DfuUtilExit(EX.IOERR, `Cannot set alternate interface: ${e.libusbName}`);
      throw e;
    }
  }

  let status;
  for (;;) {
    io.out('Determining device status...\n');
    try {
      status = dfuGetStatus(root);
    } catch (e) {
      if (e instanceof UsbError) throw new DfuUtilExit(EX.IOERR, `error get_status: ${e.libusbName}`);
      throw e;
    }
    io.out(`DFU state(${status.state}) = ${stateName(status.state)}, status(${status.status}) = ${statusText(status.status)}\n`);
    if (status.state === DfuState.appIDLE || status.state === DfuState.appDETACH) throw new DfuUtilExit(EX.PROTOCOL, 'Device still in Run-Time Mode!');
    if (status.state === DfuState.dfuERROR) {
      io.out('Clearing status\n');
      try {
        dfuClearStatus(root);
      } catch {
        throw new DfuUtilExit(EX.IOERR, 'error clear_status');
      }
      continue;
    }
    if (status.state === DfuState.dfuDNLOAD_IDLE || status.state === DfuState.dfuUPLOAD_IDLE) {
      io.out('Aborting previous incomplete transfer\n');
      try {
        dfuAbort(root);
      } catch {
        throw new DfuUtilExit(EX.IOERR, "can't send DFU_ABORT");
      }
      continue;
    }
    break;
  }
  if (status.status !== DfuStatus.OK) {
    io.out(`WARNING: DFU Status: '${statusText(status.status)}'\n`);
    try {
      dfuClearStatus(root);
      status = dfuGetStatus(root);
    } catch {
      throw new DfuUtilExit(EX.IOERR, 'USB communication error');
    }
    if (status.status !== DfuStatus.OK) throw new DfuUtilExit(EX.PROTOCOL, `Status is not OK: ${status.status}`);
  }

  io.out(`DFU mode device DFU version ${hex4(root.func.bcdDfu)}\n`);
  const dfuseDevice = root.func.bcdDfu === 0x011a;
  if (!dfuseDevice && a.dfuseOptions !== null) io.out('Warning: DfuSe option used on non-DfuSe device\n');
  let xfer = a.transferSize;
  if (root.func.transferSize) {
    io.out(`Device returned transfer size ${root.func.transferSize}\n`);
    if (!xfer) xfer = root.func.transferSize;
    else io.out('Warning: Overriding device-reported transfer size\n');
  } else if (!xfer) throw new DfuUtilExit(EX.USAGE, 'Transfer size must be specified');
  if (xfer > 4096) {
    // libusb's Linux backend limit, which Debian's dfu-util applies
    xfer = 4096;
    io.out(`Limited transfer size to ${xfer}\n`);
  }
  if (xfer < root.maxPacketSize0) {
    xfer = root.maxPacketSize0;
    io.out(`Adjusted transfer size to ${xfer}\n`);
  }

  const alts = found.filter((d) => d.attached === root.attached && d.interface === root.interface);
  const allAlts = alts.length > 1 ? alts : probeDevice(root.attached).filter((d) => d.interface === root.interface);
  let ret: number = EX.OK;
  switch (mode) {
    case 'upload': {
      let fd: number;
      try {
        if (existsSync(a.file!)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
        fd = openSync(a.file!, 'wx');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        io.warn(`Cannot open file ${a.file} for writing: ${code === 'EEXIST' ? 'File exists' : code === 'EACCES' ? 'Permission denied' : code === 'ENOENT' ? 'No such file or directory' : code === 'EISDIR' ? 'Is a directory' : String(code)}`);
        return EX.CANTCREAT;
      }
      try {
        if (!dfuseDevice && a.dfuseOptions === null) throw new DfuUtilExit(EX.SOFTWARE, 'plain DFU (non-DfuSe) upload is not emulated');
        const s = new DfuseSession(root, xfer, io, a.dfuseOptions, a.dfuseFollowing, allAlts);
        onSession(s);
        s.upload((chunk) => writeSync(fd, chunk));
      } finally {
        closeSync(fd);
      }
      break;
    }
    case 'download': {
      const fv = file?.idVendor ?? 0xffff;
      const fp = file?.idProduct ?? 0xffff;
      if (((fv !== 0xffff && fv !== runtimeVendor) || (fp !== 0xffff && fp !== runtimeProduct)) && ((fv !== 0xffff && fv !== root.vendor) || (fp !== 0xffff && fp !== root.product))) {
        throw new DfuUtilExit(
          EX.USAGE,
          `Error: File ID ${hex4(fv)}:${hex4(fp)} does not match device (${hex4(runtimeVendor)}:${hex4(runtimeProduct)} or ${hex4(root.vendor)}:${hex4(root.product)})`,
        );
      }
      if (!dfuseDevice && a.dfuseOptions === null && file?.bcdDfu !== 0x011a) throw new DfuUtilExit(EX.SOFTWARE, 'plain DFU (non-DfuSe) download is not emulated');
      const s = new DfuseSession(root, xfer, io, a.dfuseOptions, a.dfuseFollowing, allAlts, found);
      onSession(s);
      s.download(file);
      break;
    }
    case 'detach':
      try {
        dfuDetach(root, 1000);
      } catch {
        io.warn("can't detach");
      }
      break;
    default:
      io.warn(`Unsupported mode: ${mode}`);
      ret = EX.SOFTWARE;
  }

  if (ret === EX.OK && a.finalReset) {
    try {
      dfuDetach(root, 1000);
    } catch {
      io.warn("can't detach"); // the device may have left already; dfu-util carries on
    }
    io.out('Resetting USB to switch back to Run-Time mode\n');
    // libusb_reset_device: LIBUSB_ERROR_NOT_FOUND for a device that re-enumerated is fine for dfu-util
    if (!root.attached.device.detached) root.attached.device.busReset();
  }
  return ret;
}
