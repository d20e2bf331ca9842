/**
 * Differential runner: executes random instruction streams on our Cortex-M4 and on Unicorn's, one
 * instruction at a time, and compares the architectural state after each: r0–r15 (r15 = address of the
 * next instruction), NZCVQ, GE, IT/T (xPSR), S0–S31 and FPSCR (VFP class), and the data window.
 *
 * Unicorn quirk handled here: with an instruction count of 1, Unicorn 2.0.1 executes an IT instruction
 * together with its whole IT block (its per-instruction hook does not fire inside IT blocks), so on our
 * side an IT instruction is stepped together with the instructions of its block before comparing.
 * Faults: when both cores refuse an instruction (fault / uc_err) the stream ends there (exception entry is
 * out of scope: Unicorn has no NVIC); when only one does, that is a divergence.
 */
import { Bus, type Storage } from '../../src/core/bus.js';
import { BusError } from '../../src/core/errors.js';
import { CortexM4 } from '../../src/cpu/armv7m/cpu.js';
import { decode, disassemble } from '../../src/cpu/armv7m/decoder.js';
import { GuestFault } from '../../src/cpu/armv7m/faults.js';
import {
  CODE_ADDR,
  DATA_WINDOW,
  DATA_WINDOW_SIZE,
  generateStream,
  randomFloatBits,
  randomInt,
  Rng,
  type GenInsn,
  type InsnClass,
  type Stream,
  TBB_TABLE_SIZE,
} from './generators.js';
import { SLOT, UnicornM4, ucRegId, ucStrerror } from './unicorn.js';

export const CODE_RAM = { base: 0x0000_0000, size: 0x10_0000 };
export const DATA_RAM = { base: 0x2000_0000, size: 0x4_0000 };

/** xPSR bits compared: N Z C V Q (31:27), IT[1:0] (26:25), T (24), GE (19:16), IT[7:2] (15:10). IPSR is 0 on both. */
const XPSR_MASK = 0xff0ffc00 >>> 0;
/** FPSCR bits of FPv4-SP: N Z C V, AHP, DN, FZ, RMode, IDC, IXC, UFC, OFC, DZC, IOC. */
export const FPSCR_MASK = 0xf7c0009f >>> 0;
/** Where the CLREX used to reset Unicorn's exclusive monitor lives (outside any stream). */
const CLREX_ADDR = 0x800;

const ID_CONTROL = ucRegId('CONTROL');
const ID_PRIMASK = ucRegId('PRIMASK');
const ID_FAULTMASK = ucRegId('FAULTMASK');
const ID_BASEPRI = ucRegId('BASEPRI');
const ID_PSP = ucRegId('PSP');
/** Special registers compared in the branch class (the one with MSR/MRS/CPS), in this order. */
const SPECIAL_NAMES = ['primask', 'faultmask', 'basepri', 'control', 'msp', 'psp'] as const;
const SPECIAL_IDS = Int32Array.from(['PRIMASK', 'FAULTMASK', 'BASEPRI', 'CONTROL', 'MSP', 'PSP'].map((n) => ucRegId(n as Parameters<typeof ucRegId>[0])));
/** PSP at the start of every stream (MSR CONTROL may switch to it). */
const PSP_BASELINE = DATA_WINDOW + 0x1800;

const CORE_IDS = [...Array.from({ length: 13 }, (_, i) => ucRegId(`R${i}` as Parameters<typeof ucRegId>[0])), ucRegId('SP'), ucRegId('LR')];

export type DivergenceKind = 'state' | 'fault-ours-only' | 'fault-unicorn-only' | 'host-exception';

export interface Divergence {
  kind: DivergenceKind;
  cls: InsnClass;
  seed: number;
  stream: number;
  /** Position of the instruction in the stream. */
  index: number;
  /** Address the stream was generated at (part of its identity, with seed and stream). */
  base: number;
  pc: number;
  raw: number;
  size: 2 | 4;
  /** The generator template (ARM ARM encoding name). */
  template: string;
  /** Our disassembly of the encoding. */
  disasm: string;
  /** Differences as "field: ours=… unicorn=…". */
  diffs: string[];
  /** State before the instruction (setup applied), formatted. */
  before: string;
  ours: string;
  unicorn: string;
}

export interface DiffStats {
  cls: InsnClass;
  seed: number;
  /** Instructions compared (an IT block counts its IT and each instruction). */
  executed: number;
  streams: number;
  /** Streams ended because both cores refused the same instruction. */
  agreedFaults: number;
  divergences: Divergence[];
  /** Compared instructions per generator template (IT blocks count under "IT T1"). */
  perTemplate: Map<string, number>;
  /** Times Unicorn returned without executing and had to be resynchronised (see runStream). */
  resyncs: number;
  /** Divergences suppressed by the allowlist, per template name. */
  allowed: Map<string, number>;
  seconds: number;
}

export interface DiffOptions {
  cls: InsnClass;
  seed: number;
  /** Stop after about this many compared instructions. */
  instructions: number;
  streamLength?: number;
  /** Stop after this many (non-allowlisted) divergences. */
  maxDivergences?: number;
  /** Returns a reason when this divergence is a known one (Unicorn bug or known-open core bug). */
  allow?: (d: Divergence) => string | null;
}

/** Trailing zeros of a nonzero 4-bit IT mask (the block has 4 - ctz instructions). */
function ctz4(m: number): number {
  let n = 0;
  while ((m & 1) === 0 && n < 4) {
    m >>= 1;
    n++;
  }
  return n;
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** Packs `seed` and a stream index into the seed of that stream's own PRNG. */
export function streamSeed(seed: number, stream: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(stream + 1, 0x85ebca77)) >>> 0;
}

function formatState(st: Uint32Array, fp: boolean): string {
  const r = Array.from({ length: 16 }, (_, i) => `r${i}=${hex(st[SLOT.R + i]!)}`).join(' ');
  const x = st[SLOT.XPSR]!;
  const flags = `${x & 0x80000000 ? 'N' : 'n'}${x & 0x40000000 ? 'Z' : 'z'}${x & 0x20000000 ? 'C' : 'c'}${x & 0x10000000 ? 'V' : 'v'}${x & 0x08000000 ? 'Q' : 'q'} GE=${((x >>> 16) & 15).toString(2).padStart(4, '0')} xpsr=${hex(x)}`;
  if (!fp) return `${r} ${flags}`;
  const s = Array.from({ length: 32 }, (_, i) => `s${i}=${hex(st[SLOT.S + i]!)}`).join(' ');
  return `${r} ${flags} fpscr=${hex(st[SLOT.FPSCR]!)} ${s}`;
}

function faultText(e: unknown): string {
  if (e instanceof GuestFault) return `GuestFault(${e.toString()})`;
  if (e instanceof BusError) return `BusError(${e.toString()})`;
  return `host exception: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
}

/** One-line summary plus details of a divergence. */
export function formatDivergence(d: Divergence): string {
  const head = `DIVERGENCE [${d.cls}] seed=${d.seed} stream=${d.stream}@${hex(d.base)} #${d.index} pc=${hex(d.pc)} raw=${d.size === 4 ? hex(d.raw) : `0x${d.raw.toString(16).padStart(4, '0')}`} "${d.disasm}" (${d.template}) ${d.kind}: ${d.diffs.join('; ')}`;
  return `${head}\n  before : ${d.before}\n  ours   : ${d.ours}\n  unicorn: ${d.unicorn}`;
}

/** Owns one Unicorn engine and one of our cores; reuse it for many streams, then `close()`. */
export class DiffRunner {
  readonly uc: UnicornM4;
  readonly bus: Bus;
  readonly cpu: CortexM4;
  private readonly data: Storage;
  private readonly oursSt = new Uint32Array(SLOT.COUNT);
  private readonly ucSt = new Uint32Array(SLOT.COUNT);
  private readonly beforeSt = new Uint32Array(SLOT.COUNT);
  private readonly ucData = new Uint8Array(DATA_WINDOW_SIZE);
  private readonly windowOffset = DATA_WINDOW - DATA_RAM.base;
  private curBase = CODE_ADDR;
  private readonly window8 = new Uint8Array(DATA_WINDOW_SIZE);
  private readonly window32 = new Uint32Array(this.window8.buffer);
  private readonly ucData32 = new Int32Array(this.ucData.buffer);
  private oursData32: Int32Array | null = null;
  private readonly word8 = new Uint8Array(4);
  private readonly word = new DataView(this.word8.buffer);
  dropExitBlocks = true;

  constructor() {
    this.uc = new UnicornM4([CODE_RAM, DATA_RAM]);
    this.bus = new Bus();
    this.bus.addRam('code', CODE_RAM.base, CODE_RAM.size);
    this.data = this.bus.addRam('data', DATA_RAM.base, DATA_RAM.size);
    this.cpu = new CortexM4(this.bus);
    // CLREX T1, executed on Unicorn at the start of each stream to open its exclusive monitor.
    const clrex = Uint8Array.of(0xbf, 0xf3, 0x2f, 0x8f);
    this.bus.load(CLREX_ADDR, clrex);
    this.uc.writeMem(CLREX_ADDR, clrex);
    // CONTROL.FPCA = 1 on both: otherwise Unicorn (FPCCR.ASPEN=1 at reset) reloads FPSCR from FPDSCR on
    // the first FP instruction, as ExecuteFPCheck() says; we want the random FPSCR to stay.
    this.uc.writeControl(4);
    this.cpu.control = 4;
    this.cpu.cpacr = 0xf << 20; // CP10/CP11 full access
  }

  close(): void {
    this.uc.close();
  }

  /** Our core's state in the SLOT layout. */
  private readOurs(st: Uint32Array, fp: boolean): void {
    const cpu = this.cpu;
    for (let i = 0; i < 15; i++) st[i] = cpu.r[i]!;
    st[15] = cpu.pc;
    st[SLOT.XPSR] = cpu.xpsr;
    if (fp) {
      st[SLOT.FPSCR] = cpu.fpscr;
      for (let i = 0; i < 32; i++) st[SLOT.S + i] = cpu.s[i]!;
    }
  }

  writeOurs(st: Uint32Array): void {
    const cpu = this.cpu;
    // Special registers back to the stream baseline (a stream may have written them with MSR/CPS):
    // thread mode, privileged, main stack, FPCA set; PSP at a fixed data address.
    cpu.setModeAndControl(0, 4);
    cpu.primask = cpu.faultmask = cpu.basepri = 0;
    cpu.otherSp = PSP_BASELINE;
    for (let i = 0; i < 15; i++) cpu.r[i] = st[i]!;
    cpu.pc = st[15]!;
    cpu.apsr = st[SLOT.XPSR]!;
    cpu.itstate = 0;
    cpu.tbit = 1;
    cpu.fpscr = st[SLOT.FPSCR]!;
    for (let i = 0; i < 32; i++) cpu.s[i] = st[SLOT.S + i]!;
    cpu.exclusiveAddr = -1;
    cpu.stopReason = null;
    cpu.sleeping = false;
  }

  /** Random initial state for a stream of class `cls`. */
  private initialState(rng: Rng, cls: InsnClass): Uint32Array {
    const st = new Uint32Array(SLOT.COUNT);
    for (let i = 0; i < 13; i++) st[i] = randomInt(rng);
    st[13] = (DATA_WINDOW + 0x800 + rng.int(0x800)) & ~3; // SP: aligned, inside the data window
    st[14] = randomInt(rng) | 1;
    st[15] = CODE_ADDR;
    // NZCVQ + GE random, T = 1, IT = 0.
    st[SLOT.XPSR] = ((rng.u32() & 0xf8000000) | (rng.bits(4) << 16) | 0x01000000) >>> 0;
    // FPSCR: random NZCV, AHP, DN, FZ, RMode and cumulative flags (VFP class); round-to-nearest otherwise.
    st[SLOT.FPSCR] = cls === 'vfp' ? (rng.u32() & FPSCR_MASK) >>> 0 : 0;
    for (let i = 0; i < 32; i++) st[SLOT.S + i] = randomFloatBits(rng);
    return st;
  }

  /** Runs streams until `instructions` instructions have been compared. */
  run(opts: DiffOptions): DiffStats {
    const t0 = performance.now();
    const stats: DiffStats = { cls: opts.cls, seed: opts.seed, executed: 0, streams: 0, agreedFaults: 0, resyncs: 0, perTemplate: new Map(), divergences: [], allowed: new Map(), seconds: 0 };
    const len = opts.streamLength ?? 48;
    const maxDiv = opts.maxDivergences ?? 50;
    for (let s = 0; stats.executed < opts.instructions && stats.divergences.length < maxDiv; s++) {
      const d = this.runStream(opts.cls, opts.seed, s, len, stats);
      stats.streams++;
      if (d === null) continue;
      const reason = opts.allow?.(d) ?? null;
      if (reason !== null) stats.allowed.set(d.template, (stats.allowed.get(d.template) ?? 0) + 1);
      else stats.divergences.push(d);
    }
    stats.seconds = (performance.now() - t0) / 1000;
    return stats;
  }

  /** Generates stream number `stream` of (cls, seed) at `base` — deterministic, for replaying a divergence. */
  static makeStream(cls: InsnClass, seed: number, stream: number, len: number, base: number): { rng: Rng; stream: Stream } {
    const rng = new Rng(streamSeed(seed, stream));
    return { rng, stream: generateStream(rng, cls, len, base) };
  }

  /**
   * Where the next stream goes. Every stream gets fresh code addresses, so no translation (Unicorn's
   * TB cache, our decode cache) of an older stream can be hit. When code RAM is used up we start over,
   * and from then on drop Unicorn's translations of each new stream's range before writing it (a full
   * TB flush costs 80–300 ms; Unicorn 2.0.1's uc_mem_write does not invalidate translations itself).
   */
  private nextBase = CODE_ADDR;
  private wrapped = false;
  private allocBase(len: number): number {
    const need = len * 4 + 0x400; // worst case all 32-bit, plus room for short forward branches
    if (this.nextBase + need > CODE_RAM.size - 0x1000) {
      this.nextBase = CODE_ADDR;
      this.wrapped = true;
      // Our decode cache is not flushed: bus.load of each new stream must invalidate it (fixed in
      // 67c6d4d after this runner found stale decodes at reused addresses).
    }
    const base = this.nextBase;
    this.nextBase = (base + need + 15) & ~15;
    if (this.wrapped) this.uc.removeCache(base, base + need);
    return base;
  }

  /**
   * Runs one stream; returns the first divergence, or null. Adds to `stats.executed` / `agreedFaults`.
   * `base` replays a stream at the address it was first generated at (see Divergence.base).
   */
  runStream(cls: InsnClass, seed: number, streamNo: number, len: number, stats?: DiffStats, base?: number, trace?: (line: string) => void): Divergence | null {
    const at = base ?? this.allocBase(len);
    const { rng, stream } = DiffRunner.makeStream(cls, seed, streamNo, len, at);
    const fp = cls === 'vfp';
    const cpu = this.cpu;
    const uc = this.uc;

    // Code and data into both.
    this.bus.load(at, stream.bytes);
    uc.writeMem(at, stream.bytes);
    if (base !== undefined) uc.removeCache(at, at + stream.bytes.length);
    this.curBase = at;
    // Fresh random data for the classes that touch memory (branch: TBB/TBH tables).
    const window = this.window32;
    for (let i = 0; i < window.length; i++) window[i] = rng.u32();
    for (let i = 0; i < TBB_TABLE_SIZE / 4; i++) window[i] = window[i]! & 0x001f001f;
    // (Reloaded for every stream of these classes: after an allowlisted divergence the two cores'
    // memories may differ, e.g. Unicorn performed a misaligned STRD that our core refused.)
    if (cls === 'mem' || cls === 'vfp' || cls === 'branch') {
      this.bus.load(DATA_WINDOW, this.window8);
      uc.writeMem(DATA_WINDOW, this.window8);
    }
    if (cls === 'mem') uc.step(CLREX_ADDR, CLREX_ADDR + 4);

    const init = this.initialState(rng, cls);
    init[15] = at;
    this.writeOurs(init);
    // Same baseline on Unicorn; CONTROL first (it may switch the stack back to MSP).
    uc.writeReg(ID_CONTROL, 4);
    uc.writeReg(ID_PRIMASK, 0);
    uc.writeReg(ID_FAULTMASK, 0);
    uc.writeReg(ID_BASEPRI, 0);
    uc.writeReg(ID_PSP, PSP_BASELINE);
    uc.writeState(init, true);

    const byAddr = new Map<number, number>();
    stream.insns.forEach((insn, i) => byAddr.set(insn.addr, i));
    const maxSteps = len * 2;
    for (let step = 0; step < maxSteps; step++) {
      const pc = cpu.pc;
      const idx = byAddr.get(pc);
      if (idx === undefined) return null; // left the stream (branch): done
      const insn = stream.insns[idx]!;
      for (const [reg, value] of insn.setup) {
        cpu.r[reg] = value;
        uc.writeReg(CORE_IDS[reg]!, value);
      }
      for (const [addr, value] of insn.mem) {
        this.bus.write32(addr, value);
        this.word.setUint32(0, value, true);
        uc.writeMem(addr, this.word8);
      }
      this.readOurs(this.beforeSt, fp);

      let oursFault: unknown = null;
      let n = 0;
      try {
        cpu.step();
        n++;
        // Unicorn runs an IT instruction and its whole block as one step: follow it.
        while (cpu.itstate !== 0) {
          cpu.step();
          n++;
        }
      } catch (e) {
        oursFault = e;
      }
      // Unicorn runs until it reaches where our core went (or faults, or the runaway guard stops it).
      let until = cpu.pc;
      if (oursFault !== null || until === pc) {
        // Our core refused somewhere: let Unicorn run the instruction — for an IT instruction, its whole
        // block (Unicorn can stop inside a block, so stopping after the IT alone would hide its fault).
        until = pc + insn.size;
        if ((insn.raw & 0xff00) === 0xbf00 && insn.size === 2 && (insn.raw & 0xf) !== 0) {
          const len = 4 - ctz4(insn.raw & 0xf);
          until = stream.insns[idx + len + 1]?.addr ?? stream.end;
        }
      }
      let ucErr = uc.step(pc, until);
      // A block Unicorn translated while `until` was an exit may halt there next time: drop it.
      if (this.dropExitBlocks) uc.removeCache(until, until + 2);
      if (ucErr === 0 && oursFault === null && uc.readPc() === pc) {
        // Unicorn 2.0.1 sometimes returns without executing anything, however often it is restarted (seen
        // when an address is re-entered after a loop through an IT block: some stale translation with
        // the count hook). Dropping only the blocks at `pc` does not help; a full flush does. Rare.
        uc.flushTranslations();
        ucErr = uc.step(pc, until);
        if (stats) stats.resyncs++;
      }
      if (trace) {
        uc.readState(this.ucSt, fp);
        trace(`#${idx} ${hex(pc)} ${disassemble(insn.raw, insn.size, pc)} setup=${JSON.stringify(insn.setup)} ours→${hex(cpu.pc)}${oursFault !== null ? ` fault ${faultText(oursFault)}` : ''} unicorn→${hex(this.ucSt[15]!)} err=${ucErr}`);
      }
      if (stats) {
        stats.executed += Math.max(n, 1);
        stats.perTemplate.set(insn.template.name, (stats.perTemplate.get(insn.template.name) ?? 0) + 1);
      }

      const hostBug = oursFault !== null && !(oursFault instanceof GuestFault) && !(oursFault instanceof BusError);
      if (hostBug || (oursFault !== null) !== (ucErr !== 0)) {
        this.readOurs(this.oursSt, fp);
        uc.readState(this.ucSt, fp);
        const kind: DivergenceKind = hostBug ? 'host-exception' : oursFault !== null ? 'fault-ours-only' : 'fault-unicorn-only';
        const why = oursFault !== null ? `ours: ${faultText(oursFault)}` : `unicorn: ${ucStrerror(ucErr)} (uc_err ${ucErr})`;
        return this.divergence(kind, cls, seed, streamNo, idx, insn, [why], fp);
      }
      if (oursFault !== null) {
        if (stats) stats.agreedFaults++;
        return null; // both refused: exception entry is out of scope
      }

      this.readOurs(this.oursSt, fp);
      uc.readState(this.ucSt, fp);
      const diffs = this.compare(fp);
      if (cls === 'branch') this.compareSpecial(diffs);
      // Only the mem and vfp classes write memory (branch-class TBB/TBH only read it).
      if (cls === 'mem' || fp) this.compareData(diffs);
      if (diffs.length) return this.divergence('state', cls, seed, streamNo, idx, insn, diffs, fp);
    }
    return null;
  }

  /**
   * Exploration, not a test: uniformly random encodings (70% 32-bit) at fresh addresses, registers
   * pointing into the data window; tallies the cases where exactly one core refuses the instruction,
   * keyed by our pattern name (UNDEFINED ones by their top bits). Most hits are UNPREDICTABLE encodings
   * or fault-timing differences; see docs/testing-cpu.md ("Exploratory: random encodings").
   */
  exploreRaw(count: number, seed: number): Map<string, { n: number; example: number }> {
    const rng = new Rng(seed);
    const tally = new Map<string, { n: number; example: number }>();
    const st = new Uint32Array(SLOT.COUNT);
    for (let k = 0; k < count; k++) {
      let raw: number;
      let size: 2 | 4;
      if (rng.chance(0.7)) {
        raw = (((0xe800 + rng.int(0x1800)) << 16) | rng.bits(16)) >>> 0;
        size = 4;
      } else {
        raw = rng.int(0xe800);
        size = 2;
      }
      const at = this.allocBase(1);
      const bytes = size === 4 ? Uint8Array.of((raw >>> 16) & 0xff, raw >>> 24, raw & 0xff, (raw >>> 8) & 0xff) : Uint8Array.of(raw & 0xff, raw >>> 8);
      this.bus.load(at, bytes);
      this.uc.writeMem(at, bytes);
      for (let i = 0; i < 13; i++) st[i] = DATA_WINDOW + 0x1000 + 4 * rng.int(16);
      st[13] = DATA_WINDOW + 0x1000;
      st[14] = at + 0x41;
      st[15] = at;
      st[SLOT.XPSR] = 0x01000000;
      this.writeOurs(st);
      this.uc.writeReg(ID_CONTROL, 4);
      this.uc.writeState(st, true);
      let fault = '';
      try {
        this.cpu.step();
      } catch (e) {
        fault = faultText(e);
      }
      const until = fault !== '' || this.cpu.pc === at ? at + size : this.cpu.pc;
      const ucErr = this.uc.step(at, until);
      if ((fault !== '') === (ucErr !== 0)) continue;
      let name: string;
      try {
        const d = decode(raw, size, at);
        name = d.pattern?.name ?? '?';
        if (name === 'UNDEFINED') name += ` ${size === 4 ? `0x${(raw >>> 20).toString(16)}xxxxx` : `0x${(raw >>> 8).toString(16)}xx`}`;
      } catch (e) {
        name = `decoder threw: ${String(e)}`;
      }
      const key = fault !== '' ? `ours only: ${name}: ${fault}` : `unicorn only: ${name}: ${ucStrerror(ucErr)}`;
      const t = tally.get(key) ?? { n: 0, example: raw };
      t.n++;
      tally.set(key, t);
    }
    return tally;
  }

  private compare(fp: boolean): string[] {
    const a = this.oursSt;
    const b = this.ucSt;
    const diffs: string[] = [];
    for (let i = 0; i < 16; i++) {
      if (a[i] !== b[i]) diffs.push(`${i === 15 ? 'pc' : `r${i}`}: ours=${hex(a[i]!)} unicorn=${hex(b[i]!)}`);
    }
    const xa = a[SLOT.XPSR]! & XPSR_MASK;
    const xb = b[SLOT.XPSR]! & XPSR_MASK;
    if (xa !== xb) diffs.push(`xpsr: ours=${hex(xa)} unicorn=${hex(xb)} (xor ${hex(xa ^ xb)})`);
    if (fp) {
      const fa = a[SLOT.FPSCR]! & FPSCR_MASK;
      const fb = b[SLOT.FPSCR]! & FPSCR_MASK;
      if (fa !== fb) diffs.push(`fpscr: ours=${hex(fa)} unicorn=${hex(fb)} (xor ${hex(fa ^ fb)})`);
      for (let i = 0; i < 32; i++) {
        const x = a[SLOT.S + i]!;
        const y = b[SLOT.S + i]!;
        if (x !== y) diffs.push(`s${i}: ours=${hex(x)} unicorn=${hex(y)}`);
      }
    }
    return diffs;
  }

  private readonly ucSpecial = new Uint32Array(SPECIAL_IDS.length);
  private readonly oursSpecial = new Uint32Array(SPECIAL_IDS.length);

  /** PRIMASK, FAULTMASK, BASEPRI, CONTROL, MSP, PSP. */
  private compareSpecial(diffs: string[]): void {
    this.uc.readRegs(SPECIAL_IDS, this.ucSpecial);
    const c = this.cpu;
    const o = this.oursSpecial;
    o[0] = c.primask;
    o[1] = c.faultmask;
    o[2] = c.basepri;
    o[3] = c.control;
    o[4] = c.getMsp();
    o[5] = c.getPsp();
    for (let i = 0; i < o.length; i++) {
      if (o[i] !== this.ucSpecial[i]) diffs.push(`${SPECIAL_NAMES[i]}: ours=${hex(o[i]!)} unicorn=${hex(this.ucSpecial[i]!)}`);
    }
  }

  private compareData(diffs: string[]): void {
    this.uc.readMem(DATA_WINDOW, this.ucData);
    // Fast path: word compare; byte details only when something differs.
    this.oursData32 ??= new Int32Array(this.data.bytes.buffer, this.windowOffset, DATA_WINDOW_SIZE / 4);
    const a = this.oursData32;
    const b = this.ucData32;
    let same = true;
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) {
        same = false;
        break;
      }
    }
    if (same) return;
    const ours = this.data.bytes;
    const off = this.windowOffset;
    const theirs = this.ucData;
    let reported = 0;
    for (let i = 0; i < DATA_WINDOW_SIZE; i++) {
      if (ours[off + i] !== theirs[i]) {
        if (reported++ < 8) diffs.push(`mem[${hex(DATA_WINDOW + i)}]: ours=0x${ours[off + i]!.toString(16)} unicorn=0x${theirs[i]!.toString(16)}`);
      }
    }
    if (reported > 8) diffs.push(`... ${reported} differing bytes in the data window`);
  }

  private divergence(kind: DivergenceKind, cls: InsnClass, seed: number, stream: number, index: number, insn: GenInsn, diffs: string[], fp: boolean): Divergence {
    let dis: string;
    try {
      dis = disassemble(insn.raw, insn.size, insn.addr);
    } catch (e) {
      dis = `<disassembler threw: ${String(e)}>`;
    }
    return {
      kind,
      cls,
      seed,
      stream,
      index,
      base: this.curBase,
      pc: insn.addr,
      raw: insn.raw,
      size: insn.size,
      template: insn.template.name,
      disasm: dis,
      diffs,
      before: formatState(this.beforeSt, fp),
      ours: formatState(this.oursSt, fp),
      unicorn: formatState(this.ucSt, fp),
    };
  }
}
