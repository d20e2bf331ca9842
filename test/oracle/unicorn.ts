/**
 * Minimal koffi binding to libunicorn 2 (Debian's libunicorn2, 2.0.1) as a reference Cortex-M4 for
 * differential testing. Only what the oracle needs: open a Thumb core switched to the Cortex-M4 model,
 * map RAM, read/write registers in one batch call, step one instruction, read/write memory.
 *
 * Constants are taken from the published Unicorn 2.0.1 headers (include/unicorn/unicorn.h, arm.h):
 * - uc_arch: UC_ARCH_ARM = 1; uc_mode: UC_MODE_THUMB = 1 << 4.
 * - UC_CTL(type, nr, rw) = type | nr << 26 | rw << 30, UC_CTL_IO_WRITE = 1, UC_CTL_CPU_MODEL = 7
 *   (8th entry of uc_control_type), UC_CPU_ARM_CORTEX_M4 = 9 (10th entry of uc_cpu_arm).
 * - uc_arm_reg ids are the positions in ARM_REG_NAMES below, copied in header order.
 *
 * Why UC_MODE_THUMB without UC_MODE_MCLASS: with MCLASS, 2.0.1 ignores the model and builds a
 * Cortex-M33 (v8-M); the CPU model selection through uc_ctl gives the real v7-M Cortex-M4 (with FPv4-SP).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Koffi from 'koffi';

/** koffi is loaded lazily so that a platform without its prebuilt binary only skips the oracle. */
let koffiModule: typeof Koffi | null = null;
function koffiOrThrow(): typeof Koffi {
  koffiModule ??= createRequire(import.meta.url)('koffi') as typeof Koffi;
  return koffiModule;
}

/** Where Debian (and most distributions) put the shared library; UNICORN_LIB, when set, is the only candidate. */
const LIB_CANDIDATES = process.env.UNICORN_LIB !== undefined ? [process.env.UNICORN_LIB] : [
  '/usr/lib/x86_64-linux-gnu/libunicorn.so.2',
  '/usr/lib/aarch64-linux-gnu/libunicorn.so.2',
  '/usr/lib/libunicorn.so.2',
  '/usr/local/lib/libunicorn.so.2',
  '/opt/homebrew/lib/libunicorn.2.dylib',
  '/usr/local/lib/libunicorn.2.dylib',
];

const UC_ARCH_ARM = 1;
const UC_MODE_THUMB = 1 << 4;
const UC_CTL_CPU_MODEL = 7;
/** uc_control_type: UC_CTL_TB_FLUSH is the 11th entry (after TB_REQUEST_CACHE = 8, TB_REMOVE_CACHE = 9). */
const UC_CTL_TB_FLUSH = 10;
const UC_CTL_TB_REMOVE_CACHE = 9;
const UC_CTL_IO_WRITE = 1;
const UC_CPU_ARM_CORTEX_M4 = 9;
const UC_PROT_ALL = 7;

/** uc_arm_reg in header order (Unicorn 2.0.1 include/unicorn/arm.h): the index is the register id. */
const ARM_REG_NAMES = [
  'INVALID', 'APSR', 'APSR_NZCV', 'CPSR', 'FPEXC', 'FPINST', 'FPSCR', 'FPSCR_NZCV', 'FPSID', 'ITSTATE',
  'LR', 'PC', 'SP', 'SPSR',
  ...Array.from({ length: 32 }, (_, i) => `D${i}`),
  'FPINST2', 'MVFR0', 'MVFR1', 'MVFR2',
  ...Array.from({ length: 16 }, (_, i) => `Q${i}`),
  ...Array.from({ length: 13 }, (_, i) => `R${i}`),
  ...Array.from({ length: 32 }, (_, i) => `S${i}`),
  'C1_C0_2', 'C13_C0_2', 'C13_C0_3',
  'IPSR', 'MSP', 'PSP', 'CONTROL', 'IAPSR', 'EAPSR', 'XPSR', 'EPSR', 'IEPSR', 'PRIMASK', 'BASEPRI',
  'BASEPRI_MAX', 'FAULTMASK', 'APSR_NZCVQ', 'APSR_G', 'APSR_NZCVQG', 'IAPSR_NZCVQ', 'IAPSR_G',
  'IAPSR_NZCVQG', 'EAPSR_NZCVQ', 'EAPSR_G', 'EAPSR_NZCVQG', 'XPSR_NZCVQ', 'XPSR_G', 'XPSR_NZCVQG',
  'CP_REG', 'ENDING',
] as const;

export function ucRegId(name: (typeof ARM_REG_NAMES)[number]): number {
  return ARM_REG_NAMES.indexOf(name);
}

/** r0–r12, SP, LR, PC: ids in r[] order. */
const CORE_REG_IDS = [
  ...Array.from({ length: 13 }, (_, i) => ucRegId(`R${i}` as (typeof ARM_REG_NAMES)[number])),
  ucRegId('SP'),
  ucRegId('LR'),
  ucRegId('PC'),
];
const S_REG_IDS = Array.from({ length: 32 }, (_, i) => ucRegId(`S${i}` as (typeof ARM_REG_NAMES)[number]));
const ID_XPSR = ucRegId('XPSR');
const ID_XPSR_W = ucRegId('XPSR_NZCVQG');
const ID_FPSCR = ucRegId('FPSCR');
const ID_CONTROL = ucRegId('CONTROL');

/** Register snapshot layout shared by the oracle and our core's adapter (all values uint32). */
export const SLOT = { R: 0, XPSR: 16, FPSCR: 17, S: 18, COUNT: 50 } as const;

// The uc_err values the oracle cares about (unicorn.h uc_err order).
export const UC_ERR = {
  OK: 0,
  NOMEM: 1,
  ARCH: 2,
  HANDLE: 3,
  MODE: 4,
  VERSION: 5,
  READ_UNMAPPED: 6,
  WRITE_UNMAPPED: 7,
  FETCH_UNMAPPED: 8,
  HOOK: 9,
  INSN_INVALID: 10,
  MAP: 11,
  WRITE_PROT: 12,
  READ_PROT: 13,
  FETCH_PROT: 14,
  ARG: 15,
  READ_UNALIGNED: 16,
  WRITE_UNALIGNED: 17,
  FETCH_UNALIGNED: 18,
  HOOK_EXIST: 19,
  RESOURCE: 20,
  EXCEPTION: 21,
} as const;

// koffi function objects are untyped callables; we wrap each in a typed signature below.
interface UcApi {
  open(arch: number, mode: number, out: unknown[]): number;
  close(uc: unknown): number;
  ctlInt(uc: unknown, ctl: number, ...rest: unknown[]): number;
  memMap(uc: unknown, addr: number, size: number, perms: number): number;
  memWrite(uc: unknown, addr: number, bytes: Uint8Array, size: number): number;
  memRead(uc: unknown, addr: number, bytes: Uint8Array, size: number): number;
  regWriteBatch(uc: unknown, ids: Int32Array, vals: BigUint64Array, count: number): number;
  regReadBatch(uc: unknown, ids: Int32Array, vals: BigUint64Array, count: number): number;
  emuStart(uc: unknown, begin: number, until: number, timeout: number, count: number): number;
  strerror(err: number): string;
  version(major: unknown, minor: unknown): number;
}

let api: UcApi | null = null;
let loadError = '';

function loadApi(): UcApi | null {
  if (api !== null || loadError !== '') return api;
  const path = LIB_CANDIDATES.find((p) => existsSync(p));
  if (path === undefined) {
    loadError = `libunicorn.so.2 not found (looked in ${LIB_CANDIDATES.join(', ')}; set UNICORN_LIB to override)`;
    return null;
  }
  try {
    const koffi = koffiOrThrow();
    const lib = koffi.load(path);
    const uc = koffi.opaque('uc_engine');
    const ucPtr = koffi.pointer(uc);
    api = {
      open: lib.func('uc_open', 'int', ['int', 'int', koffi.out(koffi.pointer(ucPtr))]),
      close: lib.func('uc_close', 'int', [ucPtr]),
      ctlInt: lib.func('uc_ctl', 'int', [ucPtr, 'int', '...']),
      memMap: lib.func('uc_mem_map', 'int', [ucPtr, 'uint64_t', 'size_t', 'uint32_t']),
      memWrite: lib.func('uc_mem_write', 'int', [ucPtr, 'uint64_t', 'void *', 'size_t']),
      memRead: lib.func('uc_mem_read', 'int', [ucPtr, 'uint64_t', koffi.out('void *'), 'size_t']),
      // vals is `void **`; we pass the raw addresses of a native scratch block as uint64s.
      regWriteBatch: lib.func('uc_reg_write_batch', 'int', [ucPtr, 'int *', 'uint64_t *', 'int']),
      regReadBatch: lib.func('uc_reg_read_batch', 'int', [ucPtr, 'int *', 'uint64_t *', 'int']),
      emuStart: lib.func('uc_emu_start', 'int', [ucPtr, 'uint64_t', 'uint64_t', 'uint64_t', 'size_t']),
      strerror: lib.func('uc_strerror', 'const char *', ['int']),
      version: lib.func('uc_version', 'uint', ['void *', 'void *']),
    };
    return api;
  } catch (e) {
    loadError = `libunicorn could not be loaded from ${path}: ${String(e)}`;
    return null;
  }
}

/** Is libunicorn usable here? (Tests skip visibly when not.) */
export const unicornAvailable: boolean = loadApi() !== null;
/** Why not, when `unicornAvailable` is false. */
export function unicornUnavailableReason(): string {
  loadApi();
  return loadError;
}

export function unicornVersion(): string {
  const a = loadApi();
  if (a === null) return 'none';
  const v = a.version(null, null) >>> 0;
  return `${(v >>> 8) & 0xff}.${v & 0xff}`;
}

export class UnicornError extends Error {
  constructor(
    readonly op: string,
    readonly code: number,
  ) {
    super(`unicorn ${op}: ${loadApi()?.strerror(code) ?? ''} (uc_err ${code})`);
  }
}

/** A memory window to map: same layout as test/helpers/cpu-harness.ts. */
export interface MapSpec {
  base: number;
  size: number;
}

/**
 * One Unicorn Cortex-M4 instance. Call `close()` when done (or use `withUnicorn`), since the native
 * engine holds tens of MiB.
 */
export class UnicornM4 {
  private uc: unknown;
  private readonly a: UcApi;
  /** Native scratch for batch register transfers: one 8-byte slot per register. */
  private readonly scratch: unknown;
  private readonly scratchView: Uint32Array;
  private readonly scratchAddr: bigint;
  private readonly readIds: Int32Array;
  private readonly readPtrs: BigUint64Array;
  private readonly writeIds: Int32Array;
  private readonly writePtrs: BigUint64Array;
  private closed = false;

  constructor(maps: readonly MapSpec[]) {
    const a = loadApi();
    if (a === null) throw new Error(loadError);
    this.a = a;
    const out: unknown[] = [null];
    let err = a.open(UC_ARCH_ARM, UC_MODE_THUMB, out);
    if (err !== UC_ERR.OK) throw new UnicornError('uc_open', err);
    this.uc = out[0];
    const ctl = UC_CTL_CPU_MODEL | (1 << 26) | (UC_CTL_IO_WRITE << 30);
    err = a.ctlInt(this.uc, ctl | 0, 'int', UC_CPU_ARM_CORTEX_M4);
    if (err !== UC_ERR.OK) {
      this.close();
      throw new UnicornError('uc_ctl(CPU_MODEL)', err);
    }
    for (const m of maps) {
      err = a.memMap(this.uc, m.base, m.size, UC_PROT_ALL);
      if (err !== UC_ERR.OK) {
        this.close();
        throw new UnicornError('uc_mem_map', err);
      }
    }
    const koffi = koffiOrThrow();
    this.scratch = koffi.alloc('uint64_t', SLOT.COUNT);
    this.scratchView = new Uint32Array(koffi.view(this.scratch, SLOT.COUNT * 8));
    this.scratchAddr = koffi.address(this.scratch);
    this.readIds = Int32Array.from([...CORE_REG_IDS, ID_XPSR, ID_FPSCR, ...S_REG_IDS]);
    this.readPtrs = BigUint64Array.from(Array.from({ length: SLOT.COUNT }, (_, i) => this.scratchAddr + BigInt(i * 8)));
    // Writes: PC last is irrelevant (we pass the start address to uc_emu_start); XPSR through the
    // NZCVQ+GE form so GE and the IT bits are written too.
    this.writeIds = Int32Array.from([...CORE_REG_IDS, ID_XPSR_W, ID_FPSCR, ...S_REG_IDS]);
    this.writePtrs = this.readPtrs;
  }

  private check(op: string, err: number): void {
    if (err !== UC_ERR.OK) throw new UnicornError(op, err);
  }

  /** CONTROL: set FPCA so the first FP instruction does not reload FPSCR from FPDSCR (ASPEN=1 at reset). */
  writeControl(value: number): void {
    this.scratchView[0] = value >>> 0;
    this.scratchView[1] = 0;
    this.check('uc_reg_write(CONTROL)', this.a.regWriteBatch(this.uc, Int32Array.of(ID_CONTROL), this.readPtrs.subarray(0, 1), 1));
  }

  /**
   * Writes the register snapshot `st` (layout SLOT; r15 ignored: it is the start address of `step`).
   * `fp` false skips S0–S31 and FPSCR (faster for integer classes).
   */
  writeState(st: Uint32Array, fp: boolean): void {
    const v = this.scratchView;
    const n = fp ? SLOT.COUNT : SLOT.FPSCR;
    for (let i = 0; i < n; i++) {
      v[i * 2] = st[i]!;
      v[i * 2 + 1] = 0;
    }
    // Skip PC (index 15): writing it stops the engine and is pointless before uc_emu_start.
    this.check('uc_reg_write_batch', this.a.regWriteBatch(this.uc, this.writeIds.subarray(0, 15), this.writePtrs.subarray(0, 15), 15));
    this.check('uc_reg_write_batch', this.a.regWriteBatch(this.uc, this.writeIds.subarray(16, n), this.writePtrs.subarray(16, n), n - 16));
  }

  /** Reads the register snapshot into `st` (layout SLOT). */
  readState(st: Uint32Array, fp: boolean): void {
    const n = fp ? SLOT.COUNT : SLOT.FPSCR;
    this.check('uc_reg_read_batch', this.a.regReadBatch(this.uc, this.readIds, this.readPtrs, n));
    const v = this.scratchView;
    for (let i = 0; i < n; i++) st[i] = v[i * 2]!;
  }

  /** Drops Unicorn's translations covering [addr, end) (UC_CTL_TB_REMOVE_CACHE). */
  removeCache(addr: number, end: number): void {
    const ctl = UC_CTL_TB_REMOVE_CACHE | (2 << 26) | (UC_CTL_IO_WRITE << 30);
    this.check('uc_ctl(TB_REMOVE_CACHE)', this.a.ctlInt(this.uc, ctl | 0, 'uint64_t', addr, 'uint64_t', end));
  }

  readPc(): number {
    return this.readReg(CORE_REG_IDS[15]!);
  }

  /** Reads several registers by Unicorn id into `out` (one batch call). */
  readRegs(ids: Int32Array, out: Uint32Array): void {
    this.check('uc_reg_read_batch', this.a.regReadBatch(this.uc, ids, this.readPtrs.subarray(0, ids.length), ids.length));
    for (let i = 0; i < ids.length; i++) out[i] = this.scratchView[i * 2]!;
  }

  /** Writes one register by Unicorn id. */
  writeReg(id: number, value: number): void {
    this.scratchView[0] = value >>> 0;
    this.scratchView[1] = 0;
    this.check('uc_reg_write', this.a.regWriteBatch(this.uc, Int32Array.of(id), this.readPtrs.subarray(0, 1), 1));
  }

  /** Reads one register by Unicorn id. */
  readReg(id: number): number {
    this.check('uc_reg_read', this.a.regReadBatch(this.uc, Int32Array.of(id), this.readPtrs.subarray(0, 1), 1));
    return this.scratchView[0]!;
  }

  /**
   * Executes from `pc` (Thumb) until the next instruction would be at `until` — one instruction (or one
   * IT block) when `until` is where our core went next. Returns the uc_err (0 = completed; anything else
   * means it did not: undefined, unmapped access, exception...).
   *
   * Why not `count = 1`: in 2.0.1 a count of 1 costs ~1.5 ms per newly translated instruction (the
   * count hook stops mid-block), against ~15 µs with an exit address. `count` stays as a runaway guard
   * (a constant, so the count hook is installed once) for when Unicorn goes elsewhere than `until`.
   * `until` must differ from `pc` (a block starting at the exit address is not executed).
   */
  step(pc: number, until: number, guard = 64): number {
    return this.a.emuStart(this.uc, (pc | 1) >>> 0, until >>> 0, 0, guard);
  }

  writeMem(addr: number, bytes: Uint8Array): void {
    this.check('uc_mem_write', this.a.memWrite(this.uc, addr, bytes, bytes.length));
  }

  /**
   * Writes code and drops Unicorn's translated blocks: in 2.0.1 uc_mem_write does not invalidate
   * translations of the overwritten code, so a new stream at the same address would run the old one.
   */
  writeCode(addr: number, bytes: Uint8Array): void {
    this.writeMem(addr, bytes);
    this.flushTranslations();
  }

  /** Drops every translated block (UC_CTL_TB_FLUSH); slow (~80 ms). */
  flushTranslations(): void {
    const ctl = UC_CTL_TB_FLUSH | (0 << 26) | (UC_CTL_IO_WRITE << 30);
    this.check('uc_ctl(TB_FLUSH)', this.a.ctlInt(this.uc, ctl | 0));
  }

  readMem(addr: number, into: Uint8Array): void {
    this.check('uc_mem_read', this.a.memRead(this.uc, addr, into, into.length));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.uc !== null) this.a.close(this.uc);
    this.uc = null;
    if (this.scratch !== undefined) koffiOrThrow().free(this.scratch);
  }
}

/** Runs `fn` with a fresh engine and always closes it. */
export function withUnicorn<T>(maps: readonly MapSpec[], fn: (u: UnicornM4) => T): T {
  const u = new UnicornM4(maps);
  try {
    return fn(u);
  } finally {
    u.close();
  }
}

export function ucStrerror(code: number): string {
  return loadApi()?.strerror(code) ?? `uc_err ${code}`;
}
