/**
 * The fixed texts `dfu-util` 0.11 prints (Debian's build): version banner, usage, DFU state and status
 * names. These are its output format, which `emboard dfu-util` reproduces line for line; tests compare
 * them with the real tool when it is installed.
 */
export const VERSION_BANNER = [
  'dfu-util 0.11',
  '',
  'Copyright 2005-2009 Weston Schmidt, Harald Welte and OpenMoko Inc.',
  'Copyright 2010-2021 Tormod Volden and Stefan Schmidt',
  'This program is Free Software and has ABSOLUTELY NO WARRANTY',
  'Please report bugs to http://sourceforge.net/p/dfu-util/tickets/',
  '',
].join('\n') + '\n';

/** The usage text (`-h`, and after a usage error), written to stderr. Tabs as in the original. */
export const USAGE = [
  'Usage: dfu-util [options] ...',
  '  -h --help\t\t\tPrint this help message',
  '  -V --version\t\t\tPrint the version number',
  '  -v --verbose\t\t\tPrint verbose debug statements',
  '  -l --list\t\t\tList currently attached DFU capable devices',
  '  -e --detach\t\t\tDetach currently attached DFU capable devices',
  '  -E --detach-delay seconds\tTime to wait before reopening a device after detach',
  '  -d --device <vendor>:<product>[,<vendor_dfu>:<product_dfu>]',
  '\t\t\t\tSpecify Vendor/Product ID(s) of DFU device',
  '  -n --devnum <dnum>\t\tMatch given device number (devnum from --list)',
  '  -p --path <bus-port. ... .port>\tSpecify path to DFU device',
  '  -c --cfg <config_nr>\t\tSpecify the Configuration of DFU device',
  '  -i --intf <intf_nr>\t\tSpecify the DFU Interface number',
  '  -S --serial <serial_string>[,<serial_string_dfu>]',
  '\t\t\t\tSpecify Serial String of DFU device',
  '  -a --alt <alt>\t\tSpecify the Altsetting of the DFU Interface',
  '\t\t\t\tby name or by number',
  '  -t --transfer-size <size>\tSpecify the number of bytes per USB Transfer',
  '  -U --upload <file>\t\tRead firmware from device into <file>',
  '  -Z --upload-size <bytes>\tSpecify the expected upload size in bytes',
  '  -D --download <file>\t\tWrite firmware from <file> into device',
  "  -R --reset\t\t\tIssue USB Reset signalling once we're finished",
  '  -w --wait\t\t\tWait for device to appear',
  '  -s --dfuse-address address<:...>\tST DfuSe mode string, specifying target',
  '\t\t\t\taddress for raw file download or upload (not',
  '\t\t\t\tapplicable for DfuSe file (.dfu) downloads).',
  "\t\t\t\tAdd more DfuSe options separated with ':'",
  '\t\tleave\t\tLeave DFU mode (jump to application)',
  '\t\tmass-erase\tErase the whole device (requires "force")',
  '\t\tunprotect\tErase read protected device (requires "force")',
  '\t\twill-reset\tExpect device to reset (e.g. option bytes write)',
  '\t\tforce\t\tYou really know what you are doing!',
  '\t\t<length>\tLength of firmware to upload from device',
].join('\n') + '\n';

const STATE_NAMES = [
  'appIDLE',
  'appDETACH',
  'dfuIDLE',
  'dfuDNLOAD-SYNC',
  'dfuDNBUSY',
  'dfuDNLOAD-IDLE',
  'dfuMANIFEST-SYNC',
  'dfuMANIFEST',
  'dfuMANIFEST-WAIT-RESET',
  'dfuUPLOAD-IDLE',
  'dfuERROR',
];

export function stateName(s: number): string {
  return STATE_NAMES[s] ?? 'INVALID';
}

const STATUS_TEXT = [
  'No error condition is present',
  'File is not targeted for use by this device',
  'File is for this device but fails some vendor-specific test',
  'Device is unable to write memory',
  'Memory erase function failed',
  'Memory erase check failed',
  'Program memory function failed',
  'Programmed memory failed verification',
  'Cannot program memory due to received address that is out of range',
  'Received DFU_DNLOAD with wLength = 0, but device does not think that it has all data yet',
  "Device's firmware is corrupt. It cannot return to run-time (non-DFU) operations",
  'iString indicates a vendor specific error',
  'Device detected unexpected USB reset signalling',
  'Device detected unexpected power on reset',
  'Something went wrong, but the device does not know what it was',
  'Device stalled an unexpected request',
];

export function statusText(s: number): string {
  return STATUS_TEXT[s] ?? 'INVALID';
}
