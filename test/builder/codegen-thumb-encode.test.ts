/** Every Thumb-2 encoding the code generator emits, decoded back by our decoder (and some executed). */
import { describe, expect, it } from 'vitest';
import * as E from '../../src/builder/codegen/thumb/encode.js';
import { ThumbAsm } from '../../src/builder/codegen/thumb/asm.js';
import { disassemble } from '../../src/cpu/armv7m/decoder.js';
import { exec } from '../helpers/cpu-harness.js';
import { Cond, DpOp, Mem, Shift } from '../../src/builder/codegen/thumb/encode.js';

const dis = (w: number, pc = 0x100): string => disassemble(w, w > 0xffff ? 4 : 2, pc);

const CASES: [number, string][] = [
  [E.dpImm(DpOp.ADD, true, 1, 2, 0xff00), 'adds.w r1, r2, #0xff00'],
  [E.dpImm(DpOp.SUB, false, 12, 13, 8), 'sub.w r12, sp, #8'],
  [E.dpImm(DpOp.RSB, false, 12, 3, 0), 'rsb.w r12, r3, #0'],
  [E.dpImm(DpOp.AND, false, 1, 1, 0x55555555), 'and.w r1, r1, #0x55555555'],
  [E.dpImm(DpOp.EOR, false, 1, 2, 0xab00ab00), 'eor.w r1, r2, #0xab00ab00'],
  [E.dpImm(DpOp.BIC, true, 0, 0, 0x3fc), 'bics.w r0, r0, #0x3fc'],
  [E.movImm(3, 0x55555555), 'mov.w r3, #0x55555555'],
  [E.mvnImm(0, 0), 'mvn.w r0, #0'],
  [E.cmpImm(4, 0x80000000), 'cmp.w r4, #0x80000000'],
  [E.cmnImm(4, 1), 'cmn.w r4, #1'],
  [E.tstImm(7, 0x100), 'tst.w r7, #0x100'],
  [E.cmpReg(4, 11), 'cmp.w r4, r11'],
  [E.dpReg(DpOp.ORR, false, 1, 2, 3, Shift.LSR, 5), 'orr.w r1, r2, r3, lsr #5'],
  [E.dpReg(DpOp.ADD, false, 14, 14, 12, Shift.LSL, 3), 'add.w lr, lr, r12, lsl #3'],
  [E.dpReg(DpOp.SUB, true, 2, 0, 1), 'subs.w r2, r0, r1'],
  [E.shiftReg(Shift.ASR, 1, 2, 3), 'asr.w r1, r2, r3'],
  [E.shiftReg(Shift.ROR, 9, 4, 12), 'ror.w r9, r4, r12'],
  [E.shiftImm(Shift.LSR, 0, 11, 16), 'lsr.w r0, r11, #16'],
  [E.shiftImm(Shift.LSL, 11, 2, 16), 'lsl.w r11, r2, #16'],
  [E.movReg(9, 2), 'mov r9, r2'],
  [E.movReg(0, 12), 'mov r0, r12'],
  [E.movw(10, 0xbeef), 'movw r10, #0xbeef'],
  [E.movt(10, 0xdead), 'movt r10, #0xdead'],
  [E.addw(1, 13, 0xabc), 'addw r1, sp, #0xabc'],
  [E.subw(13, 13, 0x10), 'subw sp, sp, #16'],
  [E.mul(1, 2, 3), 'mul r1, r2, r3'],
  [E.mla(1, 2, 3, 4), 'mla r1, r2, r3, r4'],
  [E.mls(1, 2, 3, 4), 'mls r1, r2, r3, r4'],
  [E.smull(1, 2, 3, 4), 'smull r1, r2, r3, r4'],
  [E.umull(1, 2, 3, 4), 'umull r1, r2, r3, r4'],
  [E.sdiv(1, 2, 3), 'sdiv r1, r2, r3'],
  [E.udiv(1, 2, 3), 'udiv r1, r2, r3'],
  [E.clz(1, 2), 'clz r1, r2'],
  [E.rbit(12, 4), 'rbit r12, r4'],
  [E.rev(1, 2), 'rev.w r1, r2'],
  [E.rev16(1, 2), 'rev16.w r1, r2'],
  [E.revsh(1, 2), 'revsh.w r1, r2'],
  [E.sxtb(1, 2), 'sxtb.w r1, r2'],
  [E.sxth(1, 2), 'sxth.w r1, r2'],
  [E.uxtb(1, 2), 'uxtb.w r1, r2'],
  [E.uxth(1, 2), 'uxth.w r1, r2'],
  [E.memImm(Mem.LDR, 1, 2, 100), 'ldr.w r1, [r2, #100]'],
  [E.memImm(Mem.STR, 0, 13, 4095), 'str.w r0, [sp, #4095]'],
  [E.memImm(Mem.LDRSH, 1, 2, -4), 'ldrsh.w r1, [r2, #-4]'],
  [E.memImm(Mem.LDRSB, 4, 12, -1), 'ldrsb.w r4, [r12, #-1]'],
  [E.memImm(Mem.LDRB, 4, 12, 0), 'ldrb.w r4, [r12]'],
  [E.memImm(Mem.LDRH, 4, 12, 2), 'ldrh.w r4, [r12, #2]'],
  [E.memImm(Mem.STRH, 4, 12, -2), 'strh.w r4, [r12, #-2]'],
  [E.memImm(Mem.STRB, 4, 12, -255), 'strb.w r4, [r12, #-255]'],
  [E.memReg(Mem.STRB, 1, 2, 3, 2), 'strb.w r1, [r2, r3, lsl #2]'],
  [E.memReg(Mem.LDR, 1, 2, 3), 'ldr.w r1, [r2, r3]'],
  [E.ldrd(0, 1, 13, 8), 'ldrd r0, r1, [sp, #8]'],
  [E.ldrd(2, 3, 4, -16, false), 'strd r2, r3, [r4, #-16]'],
  [E.ldm(1, 0x0c, true), 'ldmia.w r1!, {r2, r3}'],
  [E.stm(1, 0x0c, false), 'stmia.w r1, {r2, r3}'],
  [E.push(0x4ff0), 'push.w {r4-r11, lr}'],
  [E.pop(0x8ff0), 'pop.w {r4-r11, pc}'],
  [E.push(0x4010), 'push {r4, lr}'],
  [E.pop(0x80f0), 'pop {r4-r7, pc}'],
  [E.bW(-100), 'b.w 0x000000a0'],
  [E.bW(0xfffffe), 'b.w 0x01000102'],
  [E.bW(-0x1000000), 'b.w 0xff000104'],
  [E.bl(0x12344), 'bl 0x00012448'],
  [E.bl(-4), 'bl 0x00000100'],
  [E.bcondW(Cond.NE, -0x1000), 'bne.w 0xfffff104'],
  [E.bcondW(Cond.HI, 0xffffe), 'bhi.w 0x00100102'],
  [E.bcond16(Cond.HS, 20), 'bcs 0x00000118'],
  [E.b16(-2048), 'b 0xfffff904'],
  [E.cbz(3, 20), 'cbz r3, 0x00000118'],
  [E.cbz(3, 126, true), 'cbnz r3, 0x00000182'],
  [E.it(Cond.EQ), 'it eq'],
  [E.it(Cond.EQ, 'E'), 'ite eq'],
  [E.it(Cond.NE, 'TE'), 'itte ne'],
  [E.it(Cond.GE, 'EEE'), 'iteee ge'],
  [E.bx(14), 'bx lr'],
  [E.blx(12), 'blx r12'],
  [E.tbh(15, 3), 'tbh [pc, r3, lsl #1]'],
  [E.tbb(15, 3), 'tbb [pc, r3]'],
  [E.nop(), 'nop'],
  [E.bkpt(0xab), 'bkpt 0x00ab'],
  [E.vadd(1, 2, 31), 'vadd.f32 s1, s2, s31'],
  [E.vsub(0, 30, 3), 'vsub.f32 s0, s30, s3'],
  [E.vmul(5, 6, 7), 'vmul.f32 s5, s6, s7'],
  [E.vdiv(8, 9, 10), 'vdiv.f32 s8, s9, s10'],
  [E.vsqrt(3, 4), 'vsqrt.f32 s3, s4'],
  [E.vabs(3, 4), 'vabs.f32 s3, s4'],
  [E.vneg(3, 4), 'vneg.f32 s3, s4'],
  [E.vmovS(17, 2), 'vmov.f32 s17, s2'],
  [E.vcmp(1, 2), 'vcmp.f32 s1, s2'],
  [E.vcmp(1, 2, true), 'vcmpe.f32 s1, s2'],
  [E.vcmpZero(5, true), 'vcmpe.f32 s5, #0.0'],
  [E.vmrsFlags(), 'vmrs APSR_nzcv, fpscr'],
  [E.vcvtToInt(1, 2, true), 'vcvt.s32.f32 s1, s2'],
  [E.vcvtToInt(1, 2, false), 'vcvt.u32.f32 s1, s2'],
  [E.vcvtFromInt(1, 2, false), 'vcvt.f32.u32 s1, s2'],
  [E.vcvtFromInt(1, 2, true), 'vcvt.f32.s32 s1, s2'],
  [E.vmovToS(3, 4), 'vmov s3, r4'],
  [E.vmovFromS(4, 3), 'vmov r4, s3'],
  [E.vldr(5, 2, -8), 'vldr s5, [r2, #-8]'],
  [E.vldr(5, 2, 8, false), 'vstr s5, [r2, #8]'],
];

describe('Thumb-2 encoder', () => {
  it.each(CASES.map(([w, text]) => [text, w] as const))('%s', (text, w) => {
    expect(dis(w)).toBe(text);
  });

  it('modImm accepts exactly the ThumbExpandImm values: each encodes, and MOV.W executes to the value', () => {
    let rng = 12345;
    const rand = (): number => (rng = (Math.imul(rng, 1103515245) + 12345) >>> 0);
    const values = [0, 0xff, 0x100, 0x00ab00ab, 0xab00ab00, 0xabababab, 0x80000000, 0xff000000, 0x3fc, 0x1fe, 0x7f800000];
    for (let i = 0; i < 300; i++) {
      const v = rand();
      if (E.modImm(v) >= 0) values.push(v);
      // Also rotated bytes, which are always encodable.
      const b = 0x80 | (v & 0x7f);
      const r = (v >>> 8) % 24;
      values.push(((b << (24 - r)) | (b >>> (8 + r))) >>> 0);
    }
    for (const v of values) {
      expect(E.modImm(v), v.toString(16)).toBeGreaterThanOrEqual(0);
      const h = exec([E.movImm(1, v)]);
      expect(h.cpu.r[1]! >>> 0, v.toString(16)).toBe(v >>> 0);
    }
    for (const v of [0x101, 0x12345678, 0x1ff, 0xff00ff01, 0x00ff00fe | 0x100]) expect(E.modImm(v)).toBe(-1);
    expect(() => E.movImm(0, 0x12345678)).toThrow(RangeError);
  });

  it('out-of-range operands throw instead of wrapping', () => {
    expect(() => E.bW(0x1000000)).toThrow(RangeError);
    expect(() => E.bcondW(Cond.EQ, 0x100000)).toThrow(RangeError);
    expect(() => E.bcond16(Cond.EQ, 256)).toThrow(RangeError);
    expect(() => E.cbz(8, 4)).toThrow(RangeError);
    expect(() => E.memImm(Mem.LDR, 0, 1, 4096)).toThrow(RangeError);
    expect(() => E.memImm(Mem.LDR, 0, 1, -256)).toThrow(RangeError);
    expect(() => E.vldr(0, 1, 2)).toThrow(RangeError);
  });

  it('ThumbAsm resolves forward and backward label branches and TBH tables', () => {
    const a = new ThumbAsm();
    const back = a.label();
    const fwd = a.label();
    a.bind(back); // 0
    a.emit(E.nop()); // 0
    a.bcond(Cond.EQ, fwd); // 2
    a.b(back); // 6
    a.emit(E.tbh(15, 0)); // 10
    a.tbhEntry(14, fwd); // 14
    a.bind(fwd); // 16
    a.emit(E.nop());
    const bytes = a.finish();
    const hw = (o: number): number => bytes[o]! | (bytes[o + 1]! << 8);
    const w = (o: number): number => ((hw(o) << 16) | hw(o + 2)) >>> 0;
    expect(dis(w(2), 2)).toBe('beq.w 0x00000010');
    expect(dis(w(6), 6)).toBe('b.w 0x00000000');
    expect(hw(14)).toBe(1); // (16 - 14) / 2
  });

  it('ThumbAsm records THM_CALL with the REL addend in the place and MOVW/MOVT pairs', () => {
    const a = new ThumbAsm();
    a.callSymbol('f');
    a.addressOf(3, 'g', 8);
    const bytes = a.finish();
    expect(a.relocs.map((r) => [r.offset, r.type, r.symbol, r.addend])).toEqual([
      [0, 10, 'f', -4],
      [4, 47, 'g', 8],
      [8, 48, 'g', 8],
    ]);
    const hw = (o: number): number => bytes[o]! | (bytes[o + 1]! << 8);
    expect(dis(((hw(0) << 16) | hw(2)) >>> 0, 0)).toBe('bl 0x00000000');
    expect(dis(((hw(4) << 16) | hw(6)) >>> 0)).toBe('movw r3, #8');
  });
});
