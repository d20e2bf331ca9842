/**
 * dfu-util 0.11's command line, parsed the way its getopt_long(3) loop does (GNU rules: clustered short
 * options, `-xVALUE`, long options with `=VALUE` or the next word, unique prefixes of long options,
 * non-options permuted to the end, `--` ends options), with glibc's error wording. The last of
 * -l/-e/-V/-D/-U chooses the mode, as in dfu-util.
 */

export type DfuUtilMode = 'none' | 'list' | 'detach' | 'version' | 'download' | 'upload';

export interface DfuUtilArgs {
  mode: DfuUtilMode;
  verbose: number;
  /** -d: run-time and DFU-mode IDs; -1 = not given. */
  vendor: number;
  product: number;
  vendorDfu: number;
  productDfu: number;
  /** -n */
  devnum: number;
  /** -p */
  path: string | null;
  /** -c, -i: -1 = any. */
  config: number;
  intf: number;
  /** -a as a number (-1 = not a number) or a name. */
  altIndex: number;
  altName: string | null;
  serial: string | null;
  serialDfu: string | null;
  transferSize: number;
  uploadSize: number;
  detachDelay: number;
  file: string | null;
  finalReset: boolean;
  wait: boolean;
  /** -s: the DfuSe option string, parsed later (as dfu-util does, after opening the device). */
  dfuseOptions: string | null;
  /** The argument words after the one holding the -s value (see parseDfuseOptions). */
  dfuseFollowing: readonly string[];
}

/** Parsing ended early: print `stderr`, then the usage text when `usage`, and exit with `code`. */
export interface ArgsExit {
  exit: true;
  code: number;
  stderr: string;
  usage: boolean;
}

interface LongOpt {
  name: string;
  arg: boolean;
  short: string;
}

/** getopt_long's table; the order matters for ambiguity messages ('--d' lists them in this order). */
const LONG: readonly LongOpt[] = [
  { name: 'help', arg: false, short: 'h' },
  { name: 'version', arg: false, short: 'V' },
  { name: 'verbose', arg: false, short: 'v' },
  { name: 'list', arg: false, short: 'l' },
  { name: 'detach', arg: false, short: 'e' },
  { name: 'detach-delay', arg: true, short: 'E' },
  { name: 'device', arg: true, short: 'd' },
  { name: 'path', arg: true, short: 'p' },
  { name: 'configuration', arg: true, short: 'c' },
  { name: 'cfg', arg: true, short: 'c' },
  { name: 'interface', arg: true, short: 'i' },
  { name: 'intf', arg: true, short: 'i' },
  { name: 'altsetting', arg: true, short: 'a' },
  { name: 'alt', arg: true, short: 'a' },
  { name: 'serial', arg: true, short: 'S' },
  { name: 'transfer-size', arg: true, short: 't' },
  { name: 'upload', arg: true, short: 'U' },
  { name: 'upload-size', arg: true, short: 'Z' },
  { name: 'download', arg: true, short: 'D' },
  { name: 'reset', arg: false, short: 'R' },
  { name: 'dfuse-address', arg: true, short: 's' },
  { name: 'devnum', arg: true, short: 'n' },
  { name: 'wait', arg: false, short: 'w' },
];
const SHORT = 'hVvleE:d:p:c:i:a:S:t:U:D:Rs:Z:wn:';
/** The long name dfu-util's number parser reports for each numeric short option. */
const NUMERIC_NAME: Readonly<Record<string, string>> = { E: 'detach-delay', n: 'devnum', c: 'cfg', i: 'intf', t: 'transfer-size', Z: 'upload-size' };

function shortTakesArg(c: string): boolean | null {
  const i = SHORT.indexOf(c);
  if (i < 0 || c === ':') return null;
  return SHORT[i + 1] === ':';
}

/** C strtol(s, &end, 0): optional space and sign, 0x/0 prefixes. Returns the value and the end index. */
export function strtol(s: string): { value: number; end: number } {
  let i = 0;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i]!)) i++;
  let sign = 1;
  if (s[i] === '+' || s[i] === '-') {
    if (s[i] === '-') sign = -1;
    i++;
  }
  let base = 10;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) {
    base = 16;
    i += 2;
  } else if (s[i] === '0') base = 8;
  const start = i;
  let v = 0;
  while (i < s.length) {
    const d = parseInt(s[i]!, base);
    if (Number.isNaN(d)) break;
    v = v * base + d;
    i++;
  }
  if (i === start) return { value: 0, end: 0 };
  return { value: sign * v, end: i };
}

/** C strtoul(s, &end, 16) for -d IDs: leading hex digits, 0 when there are none. */
function hexPrefix(s: string): number {
  const m = /^\s*(?:0[xX])?([0-9a-fA-F]+)/.exec(s);
  return m ? parseInt(m[1]!, 16) & 0xffff : 0;
}

function parseVendProd(s: string): { v: number; p: number } {
  const [v = '', p] = s.split(':');
  return { v: v === '' || v === '*' ? -1 : hexPrefix(v), p: p === undefined || p === '' || p === '*' ? -1 : hexPrefix(p) };
}

export function parseDfuUtilArgs(argv: readonly string[]): DfuUtilArgs | ArgsExit {
  const a: DfuUtilArgs = {
    mode: 'none',
    verbose: 0,
    vendor: -1,
    product: -1,
    vendorDfu: -1,
    productDfu: -1,
    devnum: -1,
    path: null,
    config: -1,
    intf: -1,
    altIndex: -1,
    altName: null,
    serial: null,
    serialDfu: null,
    transferSize: 0,
    uploadSize: 0,
    detachDelay: 5,
    file: null,
    finalReset: false,
    wait: false,
    dfuseOptions: null,
    dfuseFollowing: [],
  };
  const usageError = (msg: string): ArgsExit => ({ exit: true, code: 64, stderr: msg ? `dfu-util: ${msg}\n` : '', usage: true });
  const number = (c: string, v: string): number | ArgsExit => {
    const { value, end } = strtol(v);
    if (end !== v.length) return { exit: true, code: 64, stderr: `dfu-util: Something went wrong with the argument of --${NUMERIC_NAME[c]}\n\n`, usage: false };
    if (end === 0) return { exit: true, code: 64, stderr: `dfu-util: No digits were found from the argument of --${NUMERIC_NAME[c]}\n\n`, usage: false };
    return value;
  };

  /** Applies one option; returns an exit when parsing stops. */
  const apply = (c: string, v: string | undefined): ArgsExit | null => {
    switch (c) {
      case 'h':
        return { exit: true, code: 0, stderr: '', usage: true };
      case 'V':
        a.mode = 'version';
        return null;
      case 'v':
        a.verbose++;
        return null;
      case 'l':
        a.mode = 'list';
        return null;
      case 'e':
        a.mode = 'detach';
        return null;
      case 'R':
        a.finalReset = true;
        return null;
      case 'w':
        a.wait = true;
        return null;
      case 'd': {
        const [run = '', dfu] = v!.split(',');
        const r = parseVendProd(run);
        a.vendor = r.v;
        a.product = r.p;
        if (dfu !== undefined) {
          const d = parseVendProd(dfu);
          a.vendorDfu = d.v;
          a.productDfu = d.p;
        }
        return null;
      }
      case 'p':
        a.path = v!;
        return null;
      case 'S': {
        const comma = v!.indexOf(',');
        a.serial = comma < 0 ? v! : v!.slice(0, comma);
        a.serialDfu = comma < 0 ? a.serial : v!.slice(comma + 1);
        return null;
      }
      case 'a': {
        const { value, end } = strtol(v!);
        if (end === v!.length && end > 0) {
          a.altIndex = value;
          a.altName = null;
        } else {
          a.altName = v!;
          a.altIndex = -1;
        }
        return null;
      }
      case 'U':
      case 'D':
        a.mode = c === 'U' ? 'upload' : 'download';
        a.file = v!;
        return null;
      case 's':
        a.dfuseOptions = v!;
        a.dfuseFollowing = argv.slice(valueWord + 1);
        return null;
      default: {
        const n = number(c, v!);
        if (typeof n !== 'number') return n;
        if (c === 'E') a.detachDelay = n;
        else if (c === 'n') a.devnum = n;
        else if (c === 'c') a.config = n;
        else if (c === 'i') a.intf = n;
        else if (c === 't') a.transferSize = n;
        else a.uploadSize = n;
        return null;
      }
    }
  };

  const rest: string[] = [];
  /** Index of the argv word the current option's value was taken from. */
  let valueWord = 0;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    if (w === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = w.slice(2, eq < 0 ? undefined : eq);
      let opt = LONG.find((o) => o.name === name);
      if (!opt) {
        const cands = LONG.filter((o) => o.name.startsWith(name));
        if (cands.length === 0) return usageError(`unrecognized option '${eq < 0 ? w : w.slice(0, eq)}'`);
        const first = cands[0]!;
        if (cands.some((o) => o.short !== first.short || o.arg !== first.arg)) {
          return usageError(`option '--${name}' is ambiguous; possibilities:${cands.map((o) => ` '--${o.name}'`).join('')}`);
        }
        opt = first;
      }
      let v: string | undefined;
      if (opt.arg) {
        valueWord = i;
        if (eq >= 0) v = w.slice(eq + 1);
        else if (i + 1 < argv.length) v = argv[(valueWord = ++i)];
        else return usageError(`option '--${opt.name}' requires an argument`);
      } else if (eq >= 0) return usageError(`option '--${opt.name}' doesn't allow an argument`);
      const r = apply(opt.short, v);
      if (r) return r;
      continue;
    }
    if (w.startsWith('-') && w.length > 1) {
      for (let j = 1; j < w.length; j++) {
        const c = w[j]!;
        const takes = shortTakesArg(c);
        if (takes === null) return usageError(`invalid option -- '${c}'`);
        let v: string | undefined;
        if (takes) {
          valueWord = i;
          if (j + 1 < w.length) v = w.slice(j + 1);
          else if (i + 1 < argv.length) v = argv[(valueWord = ++i)];
          else return usageError(`option requires an argument -- '${c}'`);
        }
        const r = apply(c, v);
        if (r) return r;
        if (takes) break;
      }
      continue;
    }
    rest.push(w);
  }
  if (rest.length > 0) return { exit: true, code: 64, stderr: `Error: Unexpected argument: ${rest[0]}\n\n`, usage: true };
  return a;
}
