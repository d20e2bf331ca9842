/**
 * A Thumb-2 code buffer with labels, branch fix-ups and relocations. Branches to labels use the 32-bit
 * forms (B.W, B<cond>.W: ±1 MiB is more than one function needs), so no relaxation pass is required.
 */
import type { Relocation } from '../../object.js';
import { RelocType } from '../../object.js';
import { bcondW, bl, bW, dpReg, DpOp, movt as movtPlace, movw as movwPlace, type Cond } from './encode.js';

export interface Label {
  /** Byte offset once bound, -1 before. */
  at: number;
}

interface Fixup {
  at: number;
  label: Label;
  kind: 'b' | 'bcond' | 'tbh';
  cond: number;
  /** For TBH entries: the table's start. */
  base: number;
}

export class ThumbAsm {
  private readonly hw: number[] = [];
  private readonly fixups: Fixup[] = [];
  readonly relocs: Relocation[] = [];

  /** Current byte offset. */
  get pos(): number {
    return this.hw.length * 2;
  }

  /** Appends one instruction (16-bit when ≤ 0xffff, else 32-bit hw1 << 16 | hw2). */
  emit(insn: number): void {
    if (insn > 0xffff) this.hw.push(insn >>> 16, insn & 0xffff);
    else this.hw.push(insn);
  }

  label(): Label {
    return { at: -1 };
  }

  bind(l: Label): void {
    if (l.at >= 0) throw new Error('label bound twice');
    l.at = this.pos;
  }

  b(l: Label): void {
    this.fixups.push({ at: this.pos, label: l, kind: 'b', cond: 0, base: 0 });
    this.emit(0xf0009000);
  }

  bcond(cond: Cond, l: Label): void {
    this.fixups.push({ at: this.pos, label: l, kind: 'bcond', cond, base: 0 });
    this.emit(0xf0008000);
  }

  /** A TBH table entry (halfword) jumping to `l`; `tableStart` is the table's byte offset. */
  tbhEntry(tableStart: number, l: Label): void {
    this.fixups.push({ at: this.pos, label: l, kind: 'tbh', cond: 0, base: tableStart });
    this.hw.push(0);
  }

  /** BL to a symbol (R_ARM_THM_CALL; the place holds the REL addend -4, as GNU as writes it). */
  callSymbol(symbol: string): void {
    this.relocs.push({ offset: this.pos, type: RelocType.R_ARM_THM_CALL, symbol, addend: -4 });
    this.emit(bl(-4));
  }

  /**
   * MOVW/MOVT rd, #:lower16:/#:upper16:symbol + addend (R_ARM_THM_MOVW_ABS_NC / MOVT_ABS). REL keeps the
   * addend as the instructions' signed 16-bit immediates (AAELF32), so larger addends are added after
   * the pair, through `scratch`.
   */
  addressOf(rd: number, symbol: string, addend = 0, scratch = 12): void {
    const inPlace = addend >= -0x8000 && addend <= 0x7fff ? addend : 0;
    this.relocs.push({ offset: this.pos, type: RelocType.R_ARM_THM_MOVW_ABS_NC, symbol, addend: inPlace });
    this.emit(movwPlace(rd, inPlace & 0xffff));
    this.relocs.push({ offset: this.pos, type: RelocType.R_ARM_THM_MOVT_ABS, symbol, addend: inPlace });
    this.emit(movtPlace(rd, inPlace & 0xffff));
    if (inPlace !== addend) {
      if (scratch === rd) throw new Error('addressOf: scratch register equals the destination');
      this.emit(movwPlace(scratch, addend & 0xffff));
      this.emit(movtPlace(scratch, (addend >>> 16) & 0xffff));
      this.emit(dpReg(DpOp.ADD, false, rd, rd, scratch));
    }
  }

  align4(): void {
    if (this.pos & 2) this.emit(0xbf00);
  }

  /** Resolves label fix-ups and returns the bytes. */
  finish(): Uint8Array {
    for (const f of this.fixups) {
      if (f.label.at < 0) throw new Error('branch to an unbound label');
      const i = f.at >> 1;
      if (f.kind === 'tbh') {
        const d = f.label.at - f.base;
        if (d < 0 || d > 0x1fffe) throw new RangeError('TBH target out of range');
        this.hw[i] = d >> 1;
        continue;
      }
      const off = f.label.at - (f.at + 4);
      const w = f.kind === 'b' ? bW(off) : bcondW(f.cond as Cond, off);
      this.hw[i] = w >>> 16;
      this.hw[i + 1] = w & 0xffff;
    }
    const out = new Uint8Array(this.hw.length * 2);
    this.hw.forEach((h, k) => {
      out[2 * k] = h & 0xff;
      out[2 * k + 1] = h >>> 8;
    });
    return out;
  }
}
