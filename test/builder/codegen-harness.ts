/**
 * Runs compileModule output on our Cortex-M4 and on Unicorn: a test-only linker (the real one lives in
 * src/builder/link, written separately) places the sections, resolves THM_CALL / MOVW / MOVT / ABS32,
 * adds a `__wasm_trap` stub that records the reason and stops, and calls functions with AAPCS arguments.
 */
import { Bus } from '../../src/core/bus.js';
import { CortexM4 } from '../../src/cpu/armv7m/cpu.js';
import type { ObjectFile } from '../../src/builder/object.js';
import { RelocType } from '../../src/builder/object.js';
import * as E from '../../src/builder/codegen/thumb/encode.js';
import { assembleWords } from '../helpers/cpu-harness.js';
import { ucRegId, UnicornM4 } from '../oracle/unicorn.js';

const EXIT = 0x100; // `b .`: returning here (LR) ends a call
const TRAP_STUB = 0x110;
const TEXT_BASE = 0x1000;
const CODE_SIZE = 0x10_0000;
export const DATA_BASE = 0x2000_0000;
export const DATA_SIZE = 0x4_0000;
const STACK_TOP = DATA_BASE + DATA_SIZE;
const TRAP_FLAG = STACK_TOP - 4; // written by the trap stub; the stack starts below it
const MAX_STEPS = 2_000_000;

export interface Linked {
  /** code image from 0 and data image from DATA_BASE. */
  code: Uint8Array;
  data: Uint8Array;
  symbols: Map<string, number>;
}

/** Import implementations as Thumb code (instruction words as test/helpers/cpu-harness.ts takes them). */
export type ImportStubs = Record<string, readonly number[]>;

export function link(obj: ObjectFile, imports: ImportStubs = {}): Linked {
  const code = new Uint8Array(CODE_SIZE);
  const data = new Uint8Array(DATA_SIZE);
  const addr = new Map<string, number>();
  code.set(assembleWords([0xe7fe]), EXIT);
  const trapStub = [E.movw(1, TRAP_FLAG & 0xffff), E.movt(1, TRAP_FLAG >>> 16), E.memImm(E.Mem.STR, 0, 1, 0), E.movw(1, EXIT | 1), E.bx(1)];
  code.set(assembleWords(trapStub), TRAP_STUB);
  addr.set('__wasm_trap', TRAP_STUB | 1);
  let textAt = 0x400;
  for (const [name, words] of Object.entries(imports)) {
    code.set(assembleWords(words), textAt);
    addr.set(name, textAt | 1);
    textAt += 0x40;
  }
  let codeAt = TEXT_BASE;
  let dataAt = DATA_BASE;
  const base: number[] = [];
  const alignUp = (v: number, a: number): number => (v + a - 1) & -a;
  obj.sections.forEach((s, i) => {
    if (s.kind === 'text' || s.kind === 'rodata') {
      codeAt = alignUp(codeAt, s.align);
      base[i] = codeAt;
      code.set(s.data, codeAt);
      codeAt += s.size;
    } else {
      dataAt = alignUp(dataAt, s.align);
      base[i] = dataAt;
      if (s.kind === 'data') data.set(s.data, dataAt - DATA_BASE);
      dataAt += s.size;
    }
  });
  if (dataAt > TRAP_FLAG - 0x4000) throw new Error('test image: data does not leave room for the stack');
  for (const sym of obj.symbols) {
    if (sym.section < 0) continue;
    addr.set(sym.name, base[sym.section]! + sym.value + (sym.type === 'func' ? 1 : 0));
  }
  const dv = (i: number): [DataView, number] => (base[i]! >= DATA_BASE ? [new DataView(data.buffer), base[i]! - DATA_BASE] : [new DataView(code.buffer), base[i]!]);
  obj.sections.forEach((s, i) => {
    const [view, off] = dv(i);
    for (const r of s.relocs) {
      const S = addr.get(r.symbol);
      if (S === undefined) throw new Error(`undefined symbol ${r.symbol}`);
      const P = base[i]! + r.offset;
      const at = off + r.offset;
      switch (r.type) {
        case RelocType.R_ARM_THM_CALL: {
          // S + A - P with A = -4 (stored in the place) = target - (P + 4), the BL offset.
          const w = E.bl((S & ~1) + r.addend - P);
          view.setUint16(at, w >>> 16, true);
          view.setUint16(at + 2, w & 0xffff, true);
          break;
        }
        case RelocType.R_ARM_THM_MOVW_ABS_NC:
        case RelocType.R_ARM_THM_MOVT_ABS: {
          const hw2 = view.getUint16(at + 2, true);
          const rd = (hw2 >> 8) & 15;
          const v = (S + r.addend) >>> 0;
          const w = r.type === RelocType.R_ARM_THM_MOVW_ABS_NC ? E.movw(rd, v & 0xffff) : E.movt(rd, v >>> 16);
          view.setUint16(at, w >>> 16, true);
          view.setUint16(at + 2, w & 0xffff, true);
          break;
        }
        case RelocType.R_ARM_ABS32:
          view.setUint32(at, (S + r.addend) >>> 0, true);
          break;
        default:
          throw new Error(`relocation type ${r.type}`);
      }
    }
  });
  return { code, data, symbols: addr };
}

export type Outcome = { value: number } | { trap: number };

export interface Runner {
  call(name: string, args: readonly number[]): Outcome;
  readMemory(symbol: string, offset: number, len: number): Uint8Array;
  close(): void;
}

function setupStack(args: readonly number[]): { regs: number[]; sp: number; stackWords: number[] } {
  const stackWords = args.slice(4).map((a) => a | 0);
  let sp = TRAP_FLAG - 0x10;
  sp -= stackWords.length * 4;
  sp &= ~7;
  const regs = [0, 1, 2, 3].map((k) => (args[k] ?? 0) | 0);
  return { regs, sp, stackWords };
}

export class EmboardRunner implements Runner {
  readonly bus = new Bus();
  readonly cpu: CortexM4;
  constructor(readonly img: Linked) {
    this.bus.addRam('code', 0, CODE_SIZE);
    this.bus.addRam('data', DATA_BASE, DATA_SIZE);
    this.bus.load(0, img.code);
    this.bus.load(DATA_BASE, img.data);
    this.cpu = new CortexM4(this.bus);
    this.cpu.reset();
    this.call('__wasm_init', []);
  }

  call(name: string, args: readonly number[]): Outcome {
    const entry = this.img.symbols.get(name);
    if (entry === undefined) throw new Error(`no symbol ${name}`);
    const { regs, sp, stackWords } = setupStack(args);
    const cpu = this.cpu;
    regs.forEach((v, k) => (cpu.r[k] = v));
    for (let k = 4; k <= 11; k++) cpu.r[k] = 0;
    stackWords.forEach((w, k) => this.bus.write32(sp + 4 * k, w));
    cpu.r[13] = sp;
    cpu.r[14] = EXIT | 1;
    this.bus.write32(TRAP_FLAG, 0);
    cpu.pc = entry & ~1;
    for (let n = 0; cpu.pc !== EXIT; n++) {
      if (n > MAX_STEPS) throw new Error(`${name}: no return after ${MAX_STEPS} instructions`);
      cpu.step();
    }
    const trap = this.bus.read32(TRAP_FLAG);
    if (trap !== 0) return { trap };
    if (cpu.r[13] !== sp) throw new Error(`${name}: sp not restored (0x${(cpu.r[13]! >>> 0).toString(16)} vs 0x${sp.toString(16)})`);
    for (const k of [4, 5, 6, 7, 8, 9, 10, 11]) if (cpu.r[k] !== 0) throw new Error(`${name}: callee-saved r${k} changed`);
    return { value: cpu.r[0]! };
  }

  readMemory(symbol: string, offset: number, len: number): Uint8Array {
    const a = this.img.symbols.get(symbol)! + offset;
    return Uint8Array.from({ length: len }, (_, i) => this.bus.read8(a + i));
  }

  close(): void {}
}

export class UnicornRunner implements Runner {
  readonly uc: UnicornM4;
  private readonly ids = { sp: ucRegId('SP'), lr: ucRegId('LR'), r: [0, 1, 2, 3].map((k) => ucRegId(`R${k}` as 'R0')) };
  constructor(readonly img: Linked) {
    this.uc = new UnicornM4([
      { base: 0, size: CODE_SIZE },
      { base: DATA_BASE, size: DATA_SIZE },
    ]);
    this.uc.writeCode(0, img.code);
    this.uc.writeMem(DATA_BASE, img.data);
    this.call('__wasm_init', []);
  }

  call(name: string, args: readonly number[]): Outcome {
    const entry = this.img.symbols.get(name);
    if (entry === undefined) throw new Error(`no symbol ${name}`);
    const { regs, sp, stackWords } = setupStack(args);
    regs.forEach((v, k) => this.uc.writeReg(this.ids.r[k]!, v >>> 0));
    const words = new Uint8Array(stackWords.length * 4);
    stackWords.forEach((w, k) => new DataView(words.buffer).setInt32(4 * k, w, true));
    if (words.length) this.uc.writeMem(sp, words);
    this.uc.writeMem(TRAP_FLAG, new Uint8Array(4));
    this.uc.writeReg(this.ids.sp, sp);
    this.uc.writeReg(this.ids.lr, EXIT | 1);
    const err = this.uc.step(entry, EXIT, MAX_STEPS);
    if (err !== 0) throw new Error(`${name}: unicorn stopped with uc_err ${err}`);
    if (this.uc.readPc() !== EXIT) throw new Error(`${name}: unicorn did not return (pc 0x${this.uc.readPc().toString(16)})`);
    const flag = new Uint8Array(4);
    this.uc.readMem(TRAP_FLAG, flag);
    const trap = new DataView(flag.buffer).getUint32(0, true);
    if (trap !== 0) return { trap };
    return { value: this.uc.readReg(this.ids.r[0]!) | 0 };
  }

  readMemory(symbol: string, offset: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    this.uc.readMem(this.img.symbols.get(symbol)! + offset, out);
    return out;
  }

  close(): void {
    this.uc.close();
  }
}
