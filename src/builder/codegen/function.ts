/**
 * One WebAssembly function → Thumb-2, in a single pass over the body.
 *
 * Operand stack: the wasm stack depth is static at every instruction, so each depth gets a fixed home
 * (STACK_REGS up to the maximum depth, then frame words). Block parameters and results then sit where the
 * branch targets expect them without any reconciliation; a branch only moves its carried values down
 * to the target's height. The most used locals get the callee-saved registers the homes leave free;
 * the others live in the frame (sp-relative, LDR/STR imm12).
 *
 * Frame (growing down from the caller's sp):  [saved r4–r11, lr] [pad] [spill slots] [locals] [outgoing stack args] ← sp
 *
 * Values other than i32 are rejected for now with a WasmDecodeError naming the instruction; the plan for
 * i64 (register pairs: two homes per depth), f32 (S registers) and f64 (soft-float calls) is in docs/builder.md.
 */
import { BLOCK_EMPTY, BLOCK_TYPEIDX, ValType, funcTypeOf, importCount, type FuncBody, type FuncType, type Insn, type WasmModule } from '../wasm/module.js';
import { WasmDecodeError } from '../wasm/decoder.js';
import { MEM_BASE, MEM_SIZE, STACK_REGS, SYM, TrapReason } from './abi.js';
import { ThumbAsm, type Label } from './thumb/asm.js';
import * as E from './thumb/encode.js';
import { Cond, DpOp, IP, LR, Mem, SP, Shift } from './thumb/encode.js';

export interface ModuleContext {
  module: WasmModule;
  /** Symbol of function `index` (imports: the undefined symbol to call). */
  funcSymbol(index: number): string;
  /** Canonical signature id of type `index` (structurally equal types share one id). */
  sigId(typeIndex: number): number;
  tableSize: number;
  /** Linear-memory pages the program may grow to. */
  maxPages: number;
  source: string;
}

interface Frame {
  kind: 'func' | 'block' | 'loop' | 'if';
  /** Branch target (loop: the head; others: the end). */
  label: Label;
  elseLabel?: Label;
  hasElse: boolean;
  height: number;
  nparams: number;
  nresults: number;
  unreachable: boolean;
}

interface Layout {
  /** Stack homes in registers (the rest of r4–r9 holds locals). */
  nStack: number;
  /** Register of each local, or -1 for a frame word. */
  localRegs: number[];
  /** Callee-saved registers the prologue pushes (only the homes used, r10/r11 when memory is used, lr). */
  saved: number;
  savedBytes: number;
  frameSize: number;
  localsOff: number;
  spillOff: number;
  outArgs: number;
}

const NSTACKREG = STACK_REGS.length;

export interface CompiledFunction {
  code: Uint8Array;
  relocs: ThumbAsm['relocs'];
}

export function compileFunction(ctx: ModuleContext, funcIndex: number, body: FuncBody): CompiledFunction {
  const type = funcTypeOf(ctx.module, funcIndex);
  // First pass measures the stack depth and outgoing-argument area, the second emits with the real frame.
  const tooBig = (bytes: number): never => {
    throw new WasmDecodeError(body.offset, `function frame of ${bytes} bytes exceeds this backend's 4 KiB limit`, ctx.source);
  };
  const minFrame = (type.params.length + body.locals.length) * 4 + 36;
  if (minFrame > 4095) tooBig(minFrame);
  const probe = new FunctionCompiler(ctx, type, body, null);
  probe.run();
  const nlocals = type.params.length + body.locals.length;
  const outArgs = probe.maxOutArgs * 4;
  const localsOff = outArgs;
  const spillOff = localsOff + nlocals * 4;
  // Stack homes take r4… up to the maximum depth; the callee-saved registers left (r10/r11 too when the
  // function does not touch memory) hold the most used locals.
  const nStack = Math.min(probe.maxDepth, NSTACKREG);
  const free: number[] = [...STACK_REGS.slice(nStack), ...(probe.usesMemory ? [] : [MEM_BASE, MEM_SIZE])];
  const uses = new Array<number>(nlocals).fill(0);
  for (const i of body.code) if (i.op >= 0x20 && i.op <= 0x22 && i.a < nlocals) uses[i.a]!++;
  const localRegs = new Array<number>(nlocals).fill(-1);
  const byUse = uses.map((n, i) => [n, i] as const).filter(([n]) => n > 0).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  byUse.slice(0, free.length).forEach(([, i], k) => (localRegs[i] = free[k]!));
  let saved = 1 << LR;
  for (let k = 0; k < nStack; k++) saved |= 1 << STACK_REGS[k]!;
  for (const r of localRegs) if (r >= 0) saved |= 1 << r;
  if (probe.usesMemory) saved |= (1 << MEM_BASE) | (1 << MEM_SIZE);
  let savedBytes = 0;
  for (let r = 0; r < 16; r++) if (saved & (1 << r)) savedBytes += 4;
  let frameSize = spillOff + Math.max(0, probe.maxDepth - nStack) * 4;
  if ((frameSize + savedBytes) % 8 !== 0) frameSize += 8 - ((frameSize + savedBytes) % 8);
  // Frame words are addressed with LDR/STR [sp, #imm12]; incoming stack arguments sit above the frame.
  const reach = frameSize + savedBytes + Math.max(0, type.params.length - 4) * 4;
  if (reach > 4095) tooBig(reach);
  const fc = new FunctionCompiler(ctx, type, body, { nStack, localRegs, saved, savedBytes, frameSize, localsOff, spillOff, outArgs });
  fc.run();
  const code = fc.asm.finish();
  return { code, relocs: fc.asm.relocs };
}

class FunctionCompiler {
  readonly asm = new ThumbAsm();
  maxDepth = 0;
  maxOutArgs = 0;
  private depth = 0;
  private readonly ctrl: Frame[] = [];
  private readonly traps = new Map<number, Label>();
  readonly usesMemory: boolean;
  private readonly L: Layout;
  private at = 0;

  constructor(
    private readonly ctx: ModuleContext,
    private readonly type: FuncType,
    private readonly body: FuncBody,
    layout: Layout | null,
  ) {
    this.L = layout ?? { nStack: NSTACKREG, localRegs: [], saved: 0x4ff0, savedBytes: 36, frameSize: 0, localsOff: 0, spillOff: 0, outArgs: 0 };
    // Only functions that touch memory keep r10/r11 (each function loads its own, so callers need not).
    this.usesMemory = body.code.some((i) => (i.op >= 0x28 && i.op <= 0x40) || i.op === 0xfc0a || i.op === 0xfc0b);
    for (const t of [...type.params, ...body.locals, ...type.results])
      if (t !== ValType.i32) this.fail(`${typeName(t)} values are not supported by this backend yet`, body.offset);
    if (type.results.length > 1) this.fail('multiple results are not supported by the AAPCS mapping', body.offset);
  }

  private fail(what: string, at = this.at): never {
    throw new WasmDecodeError(at, what, this.ctx.source);
  }

  private e(insn: number): void {
    this.asm.emit(insn);
  }

  // ---- operand-stack homes ----

  private spillAt(d: number): number {
    return this.L.spillOff + (d - this.L.nStack) * 4;
  }

  /** A register holding slot d's value (its home register, or `scratch` after a load). */
  private get(d: number, scratch: number): number {
    if (d < this.L.nStack) return STACK_REGS[d]!;
    this.e(E.memImm(Mem.LDR, scratch, SP, this.spillAt(d)));
    return scratch;
  }

  /** The register to compute slot d's new value into. */
  private tgt(d: number, scratch: number): number {
    return d < this.L.nStack ? STACK_REGS[d]! : scratch;
  }

  /** Makes `reg` slot d's value. */
  private put(d: number, reg: number): void {
    if (d < this.L.nStack) {
      if (reg !== STACK_REGS[d]) this.e(E.movReg(STACK_REGS[d]!, reg));
    } else this.e(E.memImm(Mem.STR, reg, SP, this.spillAt(d)));
  }

  private copySlot(from: number, to: number): void {
    if (from === to) return;
    this.put(to, this.get(from, IP));
  }

  private push(n = 1): void {
    this.depth += n;
    if (this.depth > this.maxDepth) this.maxDepth = this.depth;
  }

  private pop(n = 1): void {
    const f = this.ctrl[this.ctrl.length - 1];
    if (this.depth - n < (f ? f.height : 0)) this.fail('type mismatch: operand stack underflow');
    this.depth -= n;
  }

  private localReg(i: number): number {
    return this.L.localRegs[i] ?? -1;
  }

  private localOff(i: number): number {
    if (i >= this.type.params.length + this.body.locals.length) this.fail(`unknown local ${i}`);
    return this.L.localsOff + i * 4;
  }

  private trap(reason: number): Label {
    let l = this.traps.get(reason);
    if (l === undefined) {
      l = this.asm.label();
      this.traps.set(reason, l);
    }
    return l;
  }

  /** rd = constant. */
  private constant(rd: number, v: number): void {
    v |= 0;
    if (E.modImm(v) >= 0) this.e(E.movImm(rd, v));
    else if (E.modImm(~v) >= 0) this.e(E.mvnImm(rd, ~v));
    else {
      this.e(E.movw(rd, v & 0xffff));
      if ((v >>> 16) !== 0) this.e(E.movt(rd, v >>> 16));
    }
  }

  private addConst(rd: number, rn: number, v: number, setFlags: boolean): void {
    if (E.modImm(v) >= 0) this.e(E.dpImm(DpOp.ADD, setFlags, rd, rn, v));
    else {
      this.constant(LR, v);
      this.e(E.dpReg(DpOp.ADD, setFlags, rd, rn, LR));
    }
  }

  private blockArity(bt: number): [number, number] {
    if (bt === BLOCK_EMPTY) return [0, 0];
    if (bt >= BLOCK_TYPEIDX) {
      const t = this.ctx.module.types[bt - BLOCK_TYPEIDX]!;
      for (const v of [...t.params, ...t.results]) if (v !== ValType.i32) this.fail(`${typeName(v)} block values are not supported yet`);
      return [t.params.length, t.results.length];
    }
    if (bt !== ValType.i32) this.fail(`${typeName(bt)} block values are not supported yet`);
    return [0, 1];
  }

  // ---- function frame ----

  private prologue(): void {
    const L = this.L;
    this.e(E.push(L.saved));
    if (L.frameSize > 0) this.adjustSp(-L.frameSize);
    const np = this.type.params.length;
    for (let k = 0; k < np; k++) {
      const lr = this.localReg(k);
      if (k < 4) this.e(lr >= 0 ? E.movReg(lr, k) : E.memImm(Mem.STR, k, SP, this.localOff(k)));
      else {
        this.e(E.memImm(Mem.LDR, lr >= 0 ? lr : IP, SP, L.frameSize + L.savedBytes + (k - 4) * 4));
        if (lr < 0) this.e(E.memImm(Mem.STR, IP, SP, this.localOff(k)));
      }
    }
    if (this.body.locals.length > 0) {
      this.e(E.movImm(IP, 0));
      for (let k = np; k < np + this.body.locals.length; k++) {
        const lr = this.localReg(k);
        this.e(lr >= 0 ? E.movReg(lr, IP) : E.memImm(Mem.STR, IP, SP, this.localOff(k)));
      }
    }
    if (this.usesMemory) {
      this.asm.addressOf(MEM_BASE, SYM.memory);
      this.reloadMemSize();
    }
  }

  private reloadMemSize(): void {
    this.asm.addressOf(IP, SYM.memorySize);
    this.e(E.memImm(Mem.LDR, MEM_SIZE, IP, 0));
  }

  private adjustSp(delta: number): void {
    const n = Math.abs(delta);
    if (n <= 4095) this.e(delta < 0 ? E.subw(SP, SP, n) : E.addw(SP, SP, n));
    else {
      this.constant(IP, n);
      this.e(E.dpReg(delta < 0 ? DpOp.SUB : DpOp.ADD, false, SP, SP, IP));
    }
  }

  private epilogue(): void {
    if (this.type.results.length === 1) {
      const r = this.get(0, 0);
      if (r !== 0) this.e(E.movReg(0, r));
    }
    if (this.L.frameSize > 0) this.adjustSp(this.L.frameSize);
    this.e(E.pop((this.L.saved & ~(1 << LR)) | (1 << 15)));
  }

  private trapStubs(): void {
    for (const [reason, l] of this.traps) {
      this.asm.bind(l);
      this.e(E.movImm(0, reason));
      this.asm.callSymbol(SYM.trap);
      this.e(E.udf(0)); // __wasm_trap never returns
    }
  }

  // ---- branches ----

  private frameAt(rel: number): Frame {
    if (rel >= this.ctrl.length) this.fail(`unknown label ${rel}`);
    return this.ctrl[this.ctrl.length - 1 - rel]!;
  }

  private arity(f: Frame): number {
    return f.kind === 'loop' ? f.nparams : f.nresults;
  }

  private needsMoves(f: Frame): boolean {
    const n = this.arity(f);
    return n > 0 && this.depth - n !== f.height;
  }

  /** Moves the carried values down to `f`'s height (the current depth is unchanged). */
  private carry(f: Frame): void {
    const n = this.arity(f);
    if (this.depth - n < f.height) this.fail('type mismatch: branch carries fewer values than its target expects');
    for (let i = 0; i < n; i++) this.copySlot(this.depth - n + i, f.height + i);
  }

  private branchTo(f: Frame): void {
    this.carry(f);
    this.asm.b(f.label);
  }

  private markUnreachable(): void {
    this.ctrl[this.ctrl.length - 1]!.unreachable = true;
  }

  // ---- main loop ----

  run(): void {
    const funcFrame: Frame = { kind: 'func', label: this.asm.label(), hasElse: false, height: 0, nparams: 0, nresults: this.type.results.length, unreachable: false };
    this.prologue();
    this.ctrl.push(funcFrame);
    const code = this.body.code;
    let skipNest = 0;
    for (let pc = 0; pc < code.length; pc++) {
      const insn = code[pc]!;
      this.at = insn.offset;
      const top = this.ctrl[this.ctrl.length - 1]!;
      if (top.unreachable) {
        // Dead code up to the matching else/end: track nesting only (its stack is polymorphic).
        if (insn.op === 0x02 || insn.op === 0x03 || insn.op === 0x04) {
          skipNest++;
          continue;
        }
        if (skipNest > 0) {
          if (insn.op === 0x0b) skipNest--;
          continue;
        }
        if (insn.op !== 0x0b && insn.op !== 0x05) continue;
      }
      const next = code[pc + 1];
      const next2 = code[pc + 2];
      // Compare-and-branch fusion: the condition stays in the flags instead of becoming 0/1.
      if (next !== undefined && isCondUser(next.op) && (COMPARE_CONDS[insn.op] !== undefined || insn.op === 0x45)) {
        this.fusedCompare(insn, null, next);
        pc++;
        continue;
      }
      if (insn.op === 0x41 && next !== undefined && next2 !== undefined && isCondUser(next2.op) && COMPARE_CONDS[next.op] !== undefined && (E.modImm(insn.a) >= 0 || E.modImm(-insn.a | 0) >= 0)) {
        this.fusedCompare(next, insn.a, next2);
        pc += 2;
        continue;
      }
      if (insn.op === 0x41 && next !== undefined && this.foldConstant(insn.a, next.op)) {
        pc++;
        continue;
      }
      this.insn(insn);
      if (this.ctrl.length === 0) {
        if (pc !== code.length - 1) this.fail('operators remaining after the function end');
        break;
      }
    }
    this.trapStubs();
  }

  private insn(i: Insn): void {
    const op = i.op;
    const d = this.depth;
    switch (op) {
      case 0x00: // unreachable
        this.asm.b(this.trap(TrapReason.unreachable));
        this.markUnreachable();
        return;
      case 0x01:
        return;
      case 0x02:
      case 0x03: {
        const [np, nr] = this.blockArity(i.a);
        if (d - np < this.ctrl[this.ctrl.length - 1]!.height) this.fail('type mismatch: block parameters missing');
        const f: Frame = { kind: op === 0x02 ? 'block' : 'loop', label: this.asm.label(), hasElse: false, height: d - np, nparams: np, nresults: nr, unreachable: false };
        if (op === 0x03) this.asm.bind(f.label);
        this.ctrl.push(f);
        return;
      }
      case 0x04: {
        this.pop();
        this.e(E.cmpImm(this.get(this.depth, IP), 0));
        this.openIf(i.a, Cond.EQ);
        return;
      }
      case 0x05: {
        const f = this.ctrl[this.ctrl.length - 1]!;
        if (f.kind !== 'if' || f.hasElse) this.fail('else without a matching if');
        if (!f.unreachable) {
          this.checkEndDepth(f);
          this.asm.b(f.label);
        }
        f.hasElse = true;
        f.unreachable = false;
        this.asm.bind(f.elseLabel!);
        this.depth = f.height + f.nparams;
        return;
      }
      case 0x0b: {
        const f = this.ctrl.pop()!;
        if (!f.unreachable) this.checkEndDepth(f);
        if (f.kind === 'if' && !f.hasElse) {
          if (f.nparams !== f.nresults) this.fail('type mismatch: if without else must not change the stack');
          this.asm.bind(f.elseLabel!);
        }
        if (f.kind !== 'loop') this.asm.bind(f.label);
        this.depth = f.height + f.nresults;
        if (this.depth > this.maxDepth) this.maxDepth = this.depth;
        if (f.kind === 'func') this.epilogue();
        return;
      }
      case 0x0c: {
        this.branchTo(this.frameAt(i.a));
        this.markUnreachable();
        return;
      }
      case 0x0d: {
        this.pop();
        this.e(E.cmpImm(this.get(this.depth, IP), 0));
        this.branchIf(Cond.NE, i.a);
        return;
      }
      case 0x0e:
        this.brTable(i.targets!);
        this.markUnreachable();
        return;
      case 0x0f:
        this.branchTo(this.ctrl[0]!);
        this.markUnreachable();
        return;
      case 0x10:
        this.call(i.a);
        return;
      case 0x11:
        this.callIndirect(i.a, i.b);
        return;
      case 0x1a:
        this.pop();
        return;
      case 0x1b: {
        this.pop(3);
        const c = this.get(d - 1, IP);
        const b = this.get(d - 2, 1);
        const a = this.get(d - 3, 0);
        this.e(E.cmpImm(c, 0));
        this.e(E.it(Cond.EQ));
        this.e(E.movReg(a, b));
        this.put(d - 3, a);
        this.push();
        return;
      }
      case 0x20: {
        const off = this.localOff(i.a);
        const lr = this.localReg(i.a);
        this.push();
        if (lr >= 0) this.put(d, lr);
        else {
          const rd = this.tgt(d, 0);
          this.e(E.memImm(Mem.LDR, rd, SP, off));
          this.put(d, rd);
        }
        return;
      }
      case 0x21:
      case 0x22: {
        const off = this.localOff(i.a);
        const lr = this.localReg(i.a);
        this.pop();
        if (lr >= 0) {
          const v = this.get(d - 1, lr);
          if (v !== lr) this.e(E.movReg(lr, v));
        } else this.e(E.memImm(Mem.STR, this.get(d - 1, 0), SP, off));
        if (op === 0x22) this.push();
        return;
      }
      case 0x23:
      case 0x24:
        this.global(op === 0x24, i.a);
        return;
      case 0x28:
        return this.load(i, Mem.LDR, 4);
      case 0x2c:
        return this.load(i, Mem.LDRSB, 1);
      case 0x2d:
        return this.load(i, Mem.LDRB, 1);
      case 0x2e:
        return this.load(i, Mem.LDRSH, 2);
      case 0x2f:
        return this.load(i, Mem.LDRH, 2);
      case 0x36:
        return this.store(i, Mem.STR, 4);
      case 0x3a:
        return this.store(i, Mem.STRB, 1);
      case 0x3b:
        return this.store(i, Mem.STRH, 2);
      case 0x3f: {
        const rd = this.tgt(d, 0);
        this.e(E.shiftImm(Shift.LSR, rd, MEM_SIZE, 16));
        this.push();
        this.put(d, rd);
        return;
      }
      case 0x40:
        this.memoryGrow();
        return;
      case 0xfc0a:
      case 0xfc0b:
        this.bulkMemory(op === 0xfc0a);
        return;
      case 0x41: {
        const rd = this.tgt(d, 0);
        this.constant(rd, i.a);
        this.push();
        this.put(d, rd);
        return;
      }
    }
    if (this.numeric(op)) return;
    this.fail(`opcode ${op > 0xff ? `0xfc ${op & 0xff}` : `0x${op.toString(16)}`} is not supported by this backend yet`);
  }

  /** Opens an `if` block whose else arm is taken when `elseCond` holds in the flags. */
  private openIf(blockType: number, elseCond: Cond): void {
    const [np, nr] = this.blockArity(blockType);
    if (this.depth - np < this.ctrl[this.ctrl.length - 1]!.height) this.fail('type mismatch: block parameters missing');
    const f: Frame = { kind: 'if', label: this.asm.label(), elseLabel: this.asm.label(), hasElse: false, height: this.depth - np, nparams: np, nresults: nr, unreachable: false };
    this.asm.bcond(elseCond, f.elseLabel!);
    this.ctrl.push(f);
  }

  /** br_if taken when `cond` holds in the flags. */
  private branchIf(cond: Cond, rel: number): void {
    const f = this.frameAt(rel);
    if (this.needsMoves(f)) {
      const skip = this.asm.label();
      this.asm.bcond(E.invertCond(cond), skip);
      this.branchTo(f);
      this.asm.bind(skip);
    } else this.asm.bcond(cond, f.label);
  }

  /** `cmp; br_if|if` for a comparison (or eqz), with the right operand an immediate when `imm` is given. */
  private fusedCompare(cmp: Insn, imm: number | null, user: Insn): void {
    const d = this.depth;
    let cond: Cond;
    if (cmp.op === 0x45) {
      this.pop();
      this.e(E.cmpImm(this.get(d - 1, 0), 0));
      cond = Cond.EQ;
    } else if (imm !== null) {
      this.pop();
      const a = this.get(d - 1, 0);
      this.e(E.modImm(imm) >= 0 ? E.cmpImm(a, imm) : E.cmnImm(a, -imm | 0));
      cond = COMPARE_CONDS[cmp.op]!;
    } else {
      this.pop(2);
      const b = this.get(d - 1, 1);
      this.e(E.cmpReg(this.get(d - 2, 0), b));
      cond = COMPARE_CONDS[cmp.op]!;
    }
    this.at = user.offset;
    if (user.op === 0x0d) this.branchIf(cond, user.a);
    else this.openIf(user.a, E.invertCond(cond));
  }

  private checkEndDepth(f: Frame): void {
    if (this.depth !== f.height + f.nresults) this.fail(`type mismatch: block ends with ${this.depth - f.height} values, expected ${f.nresults}`);
  }

  // ---- calls ----

  /** Moves the top `n` slots into r0–r3 and the outgoing stack area. */
  private marshalArgs(n: number): void {
    if (n > 4 && n - 4 > this.maxOutArgs) this.maxOutArgs = n - 4;
    const base = this.depth - n;
    for (let k = 4; k < n; k++) this.e(E.memImm(Mem.STR, this.get(base + k, IP), SP, (k - 4) * 4));
    for (let k = 0; k < Math.min(n, 4); k++) {
      const r = this.get(base + k, k);
      if (r !== k) this.e(E.movReg(k, r));
    }
  }

  private afterCall(t: FuncType): void {
    this.pop(t.params.length);
    if (t.results.length === 1) {
      this.push();
      this.put(this.depth - 1, 0);
    }
    if (this.usesMemory) this.reloadMemSize();
  }

  private checkSig(t: FuncType): void {
    for (const v of [...t.params, ...t.results]) if (v !== ValType.i32) this.fail(`calls with ${typeName(v)} values are not supported yet`);
    if (t.results.length > 1) this.fail('multiple results are not supported by the AAPCS mapping');
    if (this.depth - t.params.length < this.ctrl[this.ctrl.length - 1]!.height) this.fail('type mismatch: missing call arguments');
  }

  private call(index: number): void {
    const t = funcTypeOf(this.ctx.module, index);
    this.checkSig(t);
    this.marshalArgs(t.params.length);
    this.asm.callSymbol(this.ctx.funcSymbol(index));
    this.afterCall(t);
  }

  private callIndirect(typeIndex: number, table: number): void {
    if (table !== 0) this.fail('only table 0 is supported');
    const t = this.ctx.module.types[typeIndex]!;
    this.pop();
    this.checkSig(t);
    this.marshalArgs(t.params.length);
    // The index sits just above the arguments; loading it touches neither r0–r3 nor the outgoing area.
    const idx = this.get(this.depth, IP);
    if (idx !== IP) this.e(E.movReg(IP, idx));
    // ip = index; lr = &table[index] (8-byte entries: signature id, function address with the Thumb bit).
    if (E.modImm(this.ctx.tableSize) >= 0) this.e(E.cmpImm(IP, this.ctx.tableSize));
    else {
      this.constant(LR, this.ctx.tableSize);
      this.e(E.cmpReg(IP, LR));
    }
    this.asm.bcond(Cond.HS, this.trap(TrapReason.tableOutOfBounds));
    this.asm.addressOf(LR, SYM.table);
    this.e(E.dpReg(DpOp.ADD, false, LR, LR, IP, Shift.LSL, 3));
    this.e(E.memImm(Mem.LDR, IP, LR, 0));
    this.e(E.cmpImm(IP, this.ctx.sigId(typeIndex)));
    this.asm.bcond(Cond.NE, this.trap(TrapReason.indirectCallMismatch));
    this.e(E.memImm(Mem.LDR, IP, LR, 4));
    this.e(E.blx(IP));
    this.afterCall(t);
  }

  private brTable(targets: number[]): void {
    this.pop();
    const idx = this.get(this.depth, IP);
    const n = targets.length - 1;
    const frames = targets.map((t) => this.frameAt(t));
    const ar = this.arity(frames[n]!);
    for (const f of frames) if (this.arity(f) !== ar) this.fail('type mismatch: br_table targets differ in arity');
    // Landing pads for targets that need value moves; others are branched to directly.
    const pads = new Map<Frame, Label>();
    const dest = (f: Frame): Label => {
      if (!this.needsMoves(f)) return f.label;
      let l = pads.get(f);
      if (l === undefined) pads.set(f, (l = this.asm.label()));
      return l;
    };
    if (n === 0) {
      this.asm.b(dest(frames[0]!));
    } else {
      if (E.modImm(n) >= 0) this.e(E.cmpImm(idx, n));
      else {
        this.constant(LR, n);
        this.e(E.cmpReg(idx, LR));
      }
      this.asm.bcond(Cond.HS, dest(frames[n]!));
      if (idx === SP || idx === PC_REG) this.fail('internal: bad br_table index register');
      this.e(E.tbh(15, idx));
      const tableStart = this.asm.pos;
      for (let k = 0; k < n; k++) this.asm.tbhEntry(tableStart, dest(frames[k]!));
      this.asm.align4();
    }
    for (const [f, l] of pads) {
      this.asm.bind(l);
      this.branchTo(f);
    }
  }

  // ---- globals and memory ----

  private global(set: boolean, index: number): void {
    const m = this.ctx.module;
    const nimp = importCount(m, 'global');
    if (index < nimp) this.fail('imported globals are not supported yet');
    const g = m.globals[index - nimp]!;
    if (g.type !== ValType.i32) this.fail(`${typeName(g.type)} globals are not supported yet`);
    if (set && !g.mutable) this.fail('global is immutable');
    this.asm.addressOf(LR, SYM.globals, (index - nimp) * 4);
    const d = this.depth;
    if (set) {
      this.pop();
      this.e(E.memImm(Mem.STR, this.get(d - 1, 0), LR, 0));
    } else {
      const rd = this.tgt(d, 0);
      this.e(E.memImm(Mem.LDR, rd, LR, 0));
      this.push();
      this.put(d, rd);
    }
  }

  /**
   * Bounds policy (trapping guard): end = index + offset + size computed with carry; trap unless
   * end ≤ current size (r11); then the access is at r10 + end - size.
   */
  private address(i: Insn, size: number, index: number): void {
    const k = i.b + size;
    if (k > 0xffffffff) {
      this.asm.b(this.trap(TrapReason.memoryOutOfBounds));
      return;
    }
    this.addConst(IP, index, k, true);
    this.asm.bcond(Cond.HS, this.trap(TrapReason.memoryOutOfBounds));
    this.e(E.cmpReg(IP, MEM_SIZE));
    this.asm.bcond(Cond.HI, this.trap(TrapReason.memoryOutOfBounds));
    this.e(E.dpReg(DpOp.ADD, false, IP, IP, MEM_BASE));
  }

  private load(i: Insn, kind: Mem, size: number): void {
    const d = this.depth;
    this.pop();
    this.address(i, size, this.get(d - 1, 0));
    const rd = this.tgt(d - 1, 0);
    this.e(E.memImm(kind, rd, IP, -size));
    this.push();
    this.put(d - 1, rd);
  }

  private store(i: Insn, kind: Mem, size: number): void {
    const d = this.depth;
    this.pop(2);
    const v = this.get(d - 1, 1);
    this.address(i, size, this.get(d - 2, 0));
    this.e(E.memImm(kind, v, IP, -size));
  }

  private memoryGrow(): void {
    const d = this.depth;
    this.pop();
    const n = this.get(d - 1, 1);
    const fail = this.asm.label();
    const done = this.asm.label();
    this.e(E.shiftImm(Shift.LSR, 0, MEM_SIZE, 16));
    this.e(E.dpReg(DpOp.ADD, true, 2, 0, n));
    this.asm.bcond(Cond.HS, fail);
    this.constant(IP, this.ctx.maxPages);
    this.e(E.cmpReg(2, IP));
    this.asm.bcond(Cond.HI, fail);
    this.e(E.shiftImm(Shift.LSL, MEM_SIZE, 2, 16));
    this.asm.addressOf(IP, SYM.memorySize);
    this.e(E.memImm(Mem.STR, MEM_SIZE, IP, 0));
    this.asm.b(done);
    this.asm.bind(fail);
    this.e(E.mvnImm(0, 0));
    this.asm.bind(done);
    this.push();
    this.put(d - 1, 0);
  }

  /** Traps unless reg + r2 ≤ memory size (bulk-memory bounds: checked before anything is written). */
  private rangeCheck(reg: number): void {
    this.e(E.dpReg(DpOp.ADD, true, IP, reg, 2));
    this.asm.bcond(Cond.HS, this.trap(TrapReason.memoryOutOfBounds));
    this.e(E.cmpReg(IP, MEM_SIZE));
    this.asm.bcond(Cond.HI, this.trap(TrapReason.memoryOutOfBounds));
  }

  /**
   * memory.copy (memmove semantics) and memory.fill as byte loops on r0 = dest, r1 = source/value,
   * r2 = count. Word-sized loops come with the code-quality work.
   */
  private bulkMemory(copy: boolean): void {
    const d = this.depth;
    this.pop(3);
    for (let k = 0; k < 3; k++) {
      const r = this.get(d - 3 + k, k);
      if (r !== k) this.e(E.movReg(k, r));
    }
    this.rangeCheck(0);
    if (copy) this.rangeCheck(1);
    const done = this.asm.label();
    this.e(E.dpReg(DpOp.ADD, false, 0, 0, MEM_BASE));
    this.e(E.cmpImm(2, 0));
    this.asm.bcond(Cond.EQ, done);
    const loop = this.asm.label();
    if (!copy) {
      this.asm.bind(loop);
      this.e(E.memImm(Mem.STRB, 1, 0, 0));
      this.e(E.dpImm(DpOp.ADD, false, 0, 0, 1));
      this.e(E.dpImm(DpOp.SUB, true, 2, 2, 1));
      this.asm.bcond(Cond.NE, loop);
    } else {
      const backward = this.asm.label();
      const back = this.asm.label();
      this.e(E.dpReg(DpOp.ADD, false, 1, 1, MEM_BASE));
      this.e(E.cmpReg(0, 1));
      this.asm.bcond(Cond.HI, backward); // dest above source: copy from the end so overlap is safe
      this.asm.bind(loop);
      this.e(E.memImm(Mem.LDRB, 3, 1, 0));
      this.e(E.dpImm(DpOp.ADD, false, 1, 1, 1));
      this.e(E.memImm(Mem.STRB, 3, 0, 0));
      this.e(E.dpImm(DpOp.ADD, false, 0, 0, 1));
      this.e(E.dpImm(DpOp.SUB, true, 2, 2, 1));
      this.asm.bcond(Cond.NE, loop);
      this.asm.b(done);
      this.asm.bind(backward);
      this.e(E.dpReg(DpOp.ADD, false, 0, 0, 2));
      this.e(E.dpReg(DpOp.ADD, false, 1, 1, 2));
      this.asm.bind(back);
      this.e(E.memImm(Mem.LDRB, 3, 1, -1));
      this.e(E.dpImm(DpOp.SUB, false, 1, 1, 1));
      this.e(E.memImm(Mem.STRB, 3, 0, -1));
      this.e(E.dpImm(DpOp.SUB, false, 0, 0, 1));
      this.e(E.dpImm(DpOp.SUB, true, 2, 2, 1));
      this.asm.bcond(Cond.NE, back);
    }
    this.asm.bind(done);
  }

  // ---- i32 numeric ----

  private unary(f: (rd: number, ra: number) => void): void {
    const d = this.depth;
    this.pop();
    const a = this.get(d - 1, 0);
    const rd = this.tgt(d - 1, 0);
    f(rd, a);
    this.push();
    this.put(d - 1, rd);
  }

  private binary(f: (rd: number, ra: number, rb: number) => void): void {
    const d = this.depth;
    this.pop(2);
    const b = this.get(d - 1, 1);
    const a = this.get(d - 2, 0);
    const rd = this.tgt(d - 2, 0);
    f(rd, a, b);
    this.push();
    this.put(d - 2, rd);
  }

  private compare(cond: Cond): void {
    this.binary((rd, a, b) => {
      this.e(E.cmpReg(a, b));
      this.e(E.it(cond, 'E'));
      this.e(E.movImm(rd, 1));
      this.e(E.movImm(rd, 0));
    });
  }

  private numeric(op: number): boolean {
    const dp = (o: DpOp) => this.binary((rd, a, b) => this.e(E.dpReg(o, false, rd, a, b)));
    const sh = (s: Shift) =>
      this.binary((rd, a, b) => {
        this.e(E.dpImm(DpOp.AND, false, IP, b, 31));
        this.e(E.shiftReg(s, rd, a, IP));
      });
    switch (op) {
      case 0x45:
        this.unary((rd, a) => {
          this.e(E.clz(rd, a));
          this.e(E.shiftImm(Shift.LSR, rd, rd, 5));
        });
        return true;
      case 0x46: this.compare(Cond.EQ); return true;
      case 0x47: this.compare(Cond.NE); return true;
      case 0x48: this.compare(Cond.LT); return true;
      case 0x49: this.compare(Cond.LO); return true;
      case 0x4a: this.compare(Cond.GT); return true;
      case 0x4b: this.compare(Cond.HI); return true;
      case 0x4c: this.compare(Cond.LE); return true;
      case 0x4d: this.compare(Cond.LS); return true;
      case 0x4e: this.compare(Cond.GE); return true;
      case 0x4f: this.compare(Cond.HS); return true;
      case 0x67: this.unary((rd, a) => this.e(E.clz(rd, a))); return true;
      case 0x68:
        this.unary((rd, a) => {
          this.e(E.rbit(IP, a));
          this.e(E.clz(rd, IP));
        });
        return true;
      case 0x69: this.unary((rd, a) => this.popcnt(rd, a)); return true;
      case 0x6a: dp(DpOp.ADD); return true;
      case 0x6b: dp(DpOp.SUB); return true;
      case 0x6c: this.binary((rd, a, b) => this.e(E.mul(rd, a, b))); return true;
      case 0x6d:
      case 0x6e:
      case 0x6f:
      case 0x70:
        this.divide(op);
        return true;
      case 0x71: dp(DpOp.AND); return true;
      case 0x72: dp(DpOp.ORR); return true;
      case 0x73: dp(DpOp.EOR); return true;
      case 0x74: sh(Shift.LSL); return true;
      case 0x75: sh(Shift.ASR); return true;
      case 0x76: sh(Shift.LSR); return true;
      case 0x77:
        this.binary((rd, a, b) => {
          this.e(E.dpImm(DpOp.RSB, false, IP, b, 0));
          this.e(E.shiftReg(Shift.ROR, rd, a, IP));
        });
        return true;
      case 0x78: this.binary((rd, a, b) => this.e(E.shiftReg(Shift.ROR, rd, a, b))); return true;
      case 0xc0: this.unary((rd, a) => this.e(E.sxtb(rd, a))); return true;
      case 0xc1: this.unary((rd, a) => this.e(E.sxth(rd, a))); return true;
    }
    return false;
  }

  /**
   * `i32.const v; <binop>` with an immediate form: the constant never takes a stack home. Returns false
   * when the pair has no immediate encoding (the caller then emits both instructions normally).
   */
  private foldConstant(v: number, op: number): boolean {
    v |= 0;
    const enc = E.modImm;
    let emit: ((rd: number, a: number) => void) | null = null;
    const dpi = (o: DpOp, imm: number) => (rd: number, a: number) => this.e(E.dpImm(o, false, rd, a, imm));
    switch (op) {
      case 0x6a:
      case 0x6b: {
        const x = op === 0x6a ? v : -v | 0;
        if (enc(x) >= 0) emit = dpi(DpOp.ADD, x);
        else if (enc(-x | 0) >= 0) emit = dpi(DpOp.SUB, -x | 0);
        else if (x >= 0 && x <= 4095) emit = (rd, a) => this.e(E.addw(rd, a, x));
        else if (x < 0 && x >= -4095) emit = (rd, a) => this.e(E.subw(rd, a, -x));
        break;
      }
      case 0x71:
        if (enc(v) >= 0) emit = dpi(DpOp.AND, v);
        else if (enc(~v) >= 0) emit = dpi(DpOp.BIC, ~v);
        break;
      case 0x72:
        if (enc(v) >= 0) emit = dpi(DpOp.ORR, v);
        else if (enc(~v) >= 0) emit = dpi(DpOp.ORN, ~v);
        break;
      case 0x73:
        if (enc(v) >= 0) emit = dpi(DpOp.EOR, v);
        break;
      case 0x74:
      case 0x75:
      case 0x76:
      case 0x77:
      case 0x78: {
        let n = v & 31;
        if (op === 0x77) n = (32 - n) & 31; // rotl n = rotr (32 - n)
        const kind = ({ 0x74: Shift.LSL, 0x75: Shift.ASR, 0x76: Shift.LSR, 0x77: Shift.ROR, 0x78: Shift.ROR } as Record<number, Shift>)[op]!;
        emit = n === 0 ? (rd, a) => rd !== a && this.e(E.movReg(rd, a)) : (rd, a) => this.e(E.shiftImm(kind, rd, a, n));
        break;
      }
      default: {
        const cond = COMPARE_CONDS[op];
        if (cond === undefined) return false;
        let cmp: ((a: number) => number) | null = null;
        if (enc(v) >= 0) cmp = (a) => E.cmpImm(a, v);
        else if (enc(-v | 0) >= 0) cmp = (a) => E.cmnImm(a, -v | 0);
        if (cmp === null) return false;
        const c = cmp;
        emit = (rd, a) => {
          this.e(c(a));
          this.e(E.it(cond, 'E'));
          this.e(E.movImm(rd, 1));
          this.e(E.movImm(rd, 0));
        };
      }
    }
    if (emit === null) return false;
    this.unary(emit);
    return true;
  }

  /** SWAR population count (r1–r3 as scratch; r0 may be `a` or `rd`). */
  private popcnt(rd: number, a: number): void {
    this.e(E.shiftImm(Shift.LSR, 1, a, 1));
    this.e(E.dpImm(DpOp.AND, false, 1, 1, 0x55555555));
    this.e(E.dpReg(DpOp.SUB, false, 2, a, 1));
    this.e(E.dpImm(DpOp.AND, false, 1, 2, 0x33333333));
    this.e(E.shiftImm(Shift.LSR, 2, 2, 2));
    this.e(E.dpImm(DpOp.AND, false, 2, 2, 0x33333333));
    this.e(E.dpReg(DpOp.ADD, false, 2, 2, 1));
    this.e(E.dpReg(DpOp.ADD, false, 2, 2, 2, Shift.LSR, 4));
    this.e(E.dpImm(DpOp.AND, false, 2, 2, 0x0f0f0f0f));
    this.e(E.movImm(3, 0x01010101));
    this.e(E.mul(2, 2, 3));
    this.e(E.shiftImm(Shift.LSR, rd, 2, 24));
  }

  private divide(op: number): void {
    const signed = op === 0x6d || op === 0x6f;
    const rem = op >= 0x6f;
    this.binary((rd, a, b) => {
      this.e(E.cmpImm(b, 0));
      this.asm.bcond(Cond.EQ, this.trap(TrapReason.divideByZero));
      if (signed && !rem) {
        // INT_MIN / -1 overflows: cmn b, #1; it eq; cmpeq a, #INT_MIN; beq trap.
        this.e(E.cmnImm(b, 1));
        this.e(E.it(Cond.EQ));
        this.e(E.cmpImm(a, 0x80000000));
        this.asm.bcond(Cond.EQ, this.trap(TrapReason.integerOverflow));
      }
      if (!rem) {
        this.e(signed ? E.sdiv(rd, a, b) : E.udiv(rd, a, b));
        return;
      }
      // rem = a - (a / b) * b; SDIV gives INT_MIN for INT_MIN / -1, and the MLS then yields 0 as wasm wants.
      this.e(signed ? E.sdiv(2, a, b) : E.udiv(2, a, b));
      this.e(E.mls(rd, 2, b, a));
    });
  }
}

const PC_REG = 15;

/** br_if and if consume a condition. */
function isCondUser(op: number): boolean {
  return op === 0x0d || op === 0x04;
}

/** i32 comparison opcodes → the condition that makes them true after `cmp a, b`. */
const COMPARE_CONDS: Record<number, Cond> = { 0x46: Cond.EQ, 0x47: Cond.NE, 0x48: Cond.LT, 0x49: Cond.LO, 0x4a: Cond.GT, 0x4b: Cond.HI, 0x4c: Cond.LE, 0x4d: Cond.LS, 0x4e: Cond.GE, 0x4f: Cond.HS };

function typeName(t: number): string {
  return ({ 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x70: 'funcref', 0x6f: 'externref' } as Record<number, string>)[t] ?? `type 0x${t.toString(16)}`;
}
