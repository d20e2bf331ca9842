/**
 * QADD/QSUB/QDADD/QDSUB, SEL, SSAT16/USAT16, PKHBT/PKHTB, the extend-and-add family, decode choices and
 * disassembly of the DSP module. Expected values by hand from the ARM ARM pseudocode.
 */
import { describe, expect, it } from 'vitest';
import { exec } from '../helpers/cpu-harness.js';
import { decode, disassemble } from '../../src/cpu/armv7m/decoder.js';

const u = (x: number): number => x >>> 0;

function r0(insn: number, regs: Record<number, number>, flags: { q?: number; ge?: number } = {}): { r0: number; q: number } {
  const { cpu } = exec([insn], { 0: 0x5a5a5a5a, ...regs }, flags);
  return { r0: u(cpu.r[0]!), q: cpu.q };
}

// qadd r0, r1, r2 = FA82 F081: Rn = r2 (hw1), Rm = r1; result = SignedSat(R[m] + R[n], 32)
const QADD = 0xfa82f081;
const QDADD = 0xfa82f091;
const QSUB = 0xfa82f0a1;
const QDSUB = 0xfa82f0b1;

describe('QADD, QSUB, QDADD, QDSUB', () => {
  it('QADD saturates at both ends and sets Q', () => {
    expect(r0(QADD, { 1: 0x7fffffff, 2: 1 })).toEqual({ r0: 0x7fffffff, q: 1 });
    expect(r0(QADD, { 1: 0x80000000, 2: -1 })).toEqual({ r0: 0x80000000, q: 1 });
    expect(r0(QADD, { 1: 0x7ffffffe, 2: 1 })).toEqual({ r0: 0x7fffffff, q: 0 });
    expect(r0(QADD, { 1: 5, 2: -7 })).toEqual({ r0: u(-2), q: 0 });
  });

  it('Q is sticky: a non-saturating QADD leaves Q=1 set', () => {
    expect(r0(QADD, { 1: 1, 2: 2 }, { q: 1 })).toEqual({ r0: 3, q: 1 });
  });

  it('QSUB computes Rm - Rn with saturation', () => {
    expect(r0(QSUB, { 1: 0x80000000, 2: 1 })).toEqual({ r0: 0x80000000, q: 1 });
    expect(r0(QSUB, { 1: 0x7fffffff, 2: -1 })).toEqual({ r0: 0x7fffffff, q: 1 });
    expect(r0(QSUB, { 1: 0, 2: 0x80000000 })).toEqual({ r0: 0x7fffffff, q: 1 });
    expect(r0(QSUB, { 1: 0x80000000, 2: 0x80000000 })).toEqual({ r0: 0, q: 0 });
    expect(r0(QSUB, { 1: 3, 2: 10 })).toEqual({ r0: u(-7), q: 0 });
  });

  it('QDADD doubles Rn with saturation (setting Q) before the saturating add', () => {
    expect(r0(QDADD, { 1: 10, 2: 3 })).toEqual({ r0: 16, q: 0 });
    expect(r0(QDADD, { 1: 0, 2: 0x40000000 })).toEqual({ r0: 0x7fffffff, q: 1 });
    // the doubling saturates (Q=1) although the final sum 0x7fffffff + -1 does not
    expect(r0(QDADD, { 1: -1, 2: 0x40000000 })).toEqual({ r0: 0x7ffffffe, q: 1 });
    expect(r0(QDADD, { 1: 0x7fffffff, 2: 1 })).toEqual({ r0: 0x7fffffff, q: 1 });
    expect(r0(QDADD, { 1: 0x80000000, 2: 0xc0000000 })).toEqual({ r0: 0x80000000, q: 1 });
  });

  it('QDSUB subtracts the saturated double', () => {
    expect(r0(QDSUB, { 1: 100, 2: 7 })).toEqual({ r0: 86, q: 0 });
    // 2 * INT_MIN saturates to INT_MIN; 0 - INT_MIN saturates to INT_MAX
    expect(r0(QDSUB, { 1: 0, 2: 0x80000000 })).toEqual({ r0: 0x7fffffff, q: 1 });
    expect(r0(QDSUB, { 1: 0x80000000, 2: 1 })).toEqual({ r0: 0x80000000, q: 1 });
  });
});

describe('SEL', () => {
  // sel r0, r1, r2 = FAA1 F082: byte i from Rn if GE[i] else from Rm
  const SEL = 0xfaa1f082;
  it('picks bytes by GE', () => {
    expect(r0(SEL, { 1: 0x11223344, 2: 0xaabbccdd }, { ge: 0b0101 }).r0).toBe(0xaa22cc44);
    expect(r0(SEL, { 1: 0x11223344, 2: 0xaabbccdd }, { ge: 0b1010 }).r0).toBe(0x11bb33dd);
    expect(r0(SEL, { 1: 0x11223344, 2: 0xaabbccdd }, { ge: 0 }).r0).toBe(0xaabbccdd);
    expect(r0(SEL, { 1: 0x11223344, 2: 0xaabbccdd }, { ge: 0xf }).r0).toBe(0x11223344);
  });

  it('USUB8 + SEL gives the bytewise unsigned maximum', () => {
    // usub8 r3, r1, r2 = FAC1 F342 sets GE[i] = r1.byte[i] >= r2.byte[i]
    const { cpu } = exec([0xfac1f342, SEL], { 1: 0x10ff2080, 2: 0x20017f7f });
    expect(cpu.ge).toBe(0b0101);
    expect(u(cpu.r[0]!)).toBe(0x20ff7f80);
  });
});

describe('SSAT16, USAT16', () => {
  it('SSAT16 #8 clamps each halfword to -128..127 and sets Q', () => {
    // ssat16 r0, #8, r1 = F321 0007
    expect(r0(0xf3210007, { 1: 0x0100ff00 })).toEqual({ r0: 0x007fff80, q: 1 });
    expect(r0(0xf3210007, { 1: 0x007fff80 })).toEqual({ r0: 0x007fff80, q: 0 });
    expect(r0(0xf3210007, { 1: 0x00050100 })).toEqual({ r0: 0x0005007f, q: 1 });
  });

  it('SSAT16 #1 and #16 limits', () => {
    // #1: range -1..0
    expect(r0(0xf3210000, { 1: 0x0001fffe })).toEqual({ r0: 0x0000ffff, q: 1 });
    // #16 (sat_imm 15) never saturates
    expect(r0(0xf321000f, { 1: 0x80007fff })).toEqual({ r0: 0x80007fff, q: 0 });
  });

  it('USAT16 #7 clamps each halfword to 0..127', () => {
    // usat16 r0, #7, r1 = F3A1 0007
    expect(r0(0xf3a10007, { 1: 0x0080ffff })).toEqual({ r0: 0x007f0000, q: 1 });
    expect(r0(0xf3a10007, { 1: 0x007f0005 })).toEqual({ r0: 0x007f0005, q: 0 });
  });

  it('USAT16 #0 and #15 limits', () => {
    expect(r0(0xf3a10000, { 1: 0x00010000 })).toEqual({ r0: 0, q: 1 });
    expect(r0(0xf3a10000, { 1: 0 })).toEqual({ r0: 0, q: 0 });
    expect(r0(0xf3a1000f, { 1: 0x80007fff })).toEqual({ r0: 0x00007fff, q: 1 });
  });

  it('Q stays set when nothing saturates', () => {
    expect(r0(0xf3210007, { 1: 0 }, { q: 1 })).toEqual({ r0: 0, q: 1 });
  });
});

describe('PKHBT, PKHTB', () => {
  it('PKHBT takes the bottom of Rn and the top of Rm << imm', () => {
    // pkhbt r0, r1, r2, lsl #3 = EAC1 00C2: 0x02468acf << 3 = 0x12345678
    expect(r0(0xeac100c2, { 1: 0xaaaabbbb, 2: 0x02468acf }).r0).toBe(0x1234bbbb);
    // pkhbt r0, r1, r2 = EAC1 0002
    expect(r0(0xeac10002, { 1: 0xaaaabbbb, 2: 0xccccdddd }).r0).toBe(0xccccbbbb);
  });

  it('PKHTB takes the top of Rn and the bottom of Rm ASR imm (imm 0 = ASR #32)', () => {
    // pkhtb r0, r1, r2, asr #16 = EAC1 4022
    expect(r0(0xeac14022, { 1: 0xaaaabbbb, 2: 0x80010000 }).r0).toBe(0xaaaa8001);
    // pkhtb r0, r1, r2, asr #32 = EAC1 0022: all sign bits
    expect(r0(0xeac10022, { 1: 0xaaaabbbb, 2: 0x80000000 }).r0).toBe(0xaaaaffff);
    expect(r0(0xeac10022, { 1: 0xaaaabbbb, 2: 0x7fffffff }).r0).toBe(0xaaaa0000);
    // asr #1 = EAC1 0062: 0x0001_8003 >> 1 = 0xc001
    expect(r0(0xeac10062, { 1: 0x12345678, 2: 0x00018003 }).r0).toBe(0x1234c001);
  });

  it('does not change the flags', () => {
    const { cpu } = exec([0xeac14022], { 1: 0, 2: 0x80000000 }, { n: 0, z: 0, c: 1, v: 1 });
    expect([cpu.n, cpu.z, cpu.c, cpu.v]).toEqual([0, 0, 1, 1]);
  });
});

describe('extend and add', () => {
  it('SXTAB with ROR #8', () => {
    // sxtab r0, r1, r2, ror #8 = FA41 F092: ROR(0x123480ff, 8) = 0xff123480, byte 0x80 = -128
    expect(r0(0xfa41f092, { 1: 0x1000, 2: 0x123480ff }).r0).toBe(0x0f80);
  });
  it('SXTAH', () => {
    // sxtah r0, r1, r2 = FA01 F082
    expect(r0(0xfa01f082, { 1: 0x10000, 2: 0x00008000 }).r0).toBe(0x8000);
    // sxtah r0, r1, r2, ror #16 = FA01 F0A2: top halfword 0xfffe = -2
    expect(r0(0xfa01f0a2, { 1: 1, 2: 0xfffe7fff }).r0).toBe(0xffffffff);
  });
  it('UXTAB and UXTAH wrap modulo 2^32', () => {
    // uxtab r0, r1, r2 = FA51 F082
    expect(r0(0xfa51f082, { 1: 0xffffffff, 2: 0x00000080 }).r0).toBe(0x7f);
    // uxtab r0, r1, r2, ror #24 = FA51 F0B2: ROR(0xab000000, 24) = 0x000000ab
    expect(r0(0xfa51f0b2, { 1: 1, 2: 0xab000000 }).r0).toBe(0xac);
    // uxtah r0, r1, r2 = FA11 F082
    expect(r0(0xfa11f082, { 1: 1, 2: 0xffffffff }).r0).toBe(0x10000);
  });
  it('SXTAB16 adds per halfword without carry between them', () => {
    // sxtab16 r0, r1, r2, ror #24 = FA21 F0B2: ROR(0x807f01ff, 24) = 0x7f01ff80 → bytes 0x80 (-128), 0x01
    // lo 0x0050 - 128 → 0xffd0 (borrow stays in the lane); hi 0x7fff + 1 = 0x8000
    expect(r0(0xfa21f0b2, { 1: 0x7fff0050, 2: 0x807f01ff }).r0).toBe(0x8000ffd0);
  });
  it('UXTAB16 adds per halfword without carry between them', () => {
    // uxtab16 r0, r1, r2 = FA31 F082: lo 0xffff + 1 → 0x0000, hi 1 + 0xff = 0x100
    expect(r0(0xfa31f082, { 1: 0x0001ffff, 2: 0x00ff0001 }).r0).toBe(0x01000000);
  });
  it('SXTB16 and UXTB16 (Rn = 1111)', () => {
    // sxtb16 r0, r2, ror #16 = FA2F F0A2: ROR(0x1280347f, 16) = 0x347f1280 → 0x80 → 0xff80, 0x7f → 0x007f
    expect(r0(0xfa2ff0a2, { 2: 0x1280347f }).r0).toBe(0x007fff80);
    // uxtb16 r0, r2 = FA3F F082; with ror #8 = FA3F F092
    expect(r0(0xfa3ff082, { 2: 0x12345678 }).r0).toBe(0x00340078);
    expect(r0(0xfa3ff092, { 2: 0x12345678 }).r0).toBe(0x00120056);
  });
});

describe('DSP in IT blocks', () => {
  it('a failed condition leaves Rd, GE and Q alone; a passed one executes', () => {
    // ite ne (BF14); sadd16 r0, r1, r2 (executes if NE); qadd r3, r1, r2 (FA82 F381, executes if EQ)
    const code = [0xbf14, 0xfa91f002, 0xfa82f381];
    const eq = exec(code, { 0: 7, 1: 0x7fffffff, 2: 0x7fffffff, 3: 9 }, { z: 1, ge: 0b0110 });
    expect([u(eq.cpu.r[0]!), eq.cpu.ge]).toEqual([7, 0b0110]); // sadd16 skipped
    expect([u(eq.cpu.r[3]!), eq.cpu.q]).toEqual([0x7fffffff, 1]); // qadd saturated
    const ne = exec(code, { 0: 7, 1: 0x7fffffff, 2: 0x7fffffff, 3: 9 }, { z: 0, ge: 0b0110 });
    // lo -1 + -1 = -2 (GE 00), hi 32767 + 32767 = 65534 → 0xfffe (>= 0: GE 11)
    expect([u(ne.cpu.r[0]!), ne.cpu.ge]).toEqual([0xfffefffe, 0b1100]);
    expect([u(ne.cpu.r[3]!), ne.cpu.q]).toEqual([9, 0]); // qadd skipped
  });
});

describe('DSP decode', () => {
  const name = (raw: number): string | undefined => decode(raw, 4, 0).pattern?.name;

  it('picks SXTB16/UXTB16 for Rn = 1111 and leaves SXTB/UXTB/SXTH/UXTH to data-processing', () => {
    expect(name(0xfa2ff082)).toBe('SXTB16 T1');
    expect(name(0xfa3ff082)).toBe('UXTB16 T1');
    expect(name(0xfa21f082)).toBe('SXTAB16 T1');
    for (const sxtb of [0xfa4ff082, 0xfa5ff082, 0xfa0ff082, 0xfa1ff082]) {
      expect(name(sxtb)).not.toMatch(/^[SU]XTA/);
    }
  });

  it('PKH wins over the data-processing (shifted register) table', () => {
    expect(name(0xeac100c2)).toBe('PKHBT T1');
    expect(name(0xeac14022)).toBe('PKHTB T1');
  });

  it('treats UNPREDICTABLE register choices and should-be bits as UNDEFINED', () => {
    expect(name(0xfa91fd02)).toBe('UNDEFINED'); // sadd16 sp, r1, r2
    expect(name(0xfa9ff002)).toBe('UNDEFINED'); // sadd16 r0, pc, r2
    expect(name(0xfa91f00f)).toBe('UNDEFINED'); // sadd16 r0, r1, pc
    expect(name(0xfa91f032)).toBe('UNDEFINED'); // parallel op2 = 11
    expect(name(0xfa91e002)).toBe('UNDEFINED'); // hw2[15:12] != 1111
    expect(name(0xfa41f0c2)).toBe('UNDEFINED'); // sxtab with hw2[6] = 1
    expect(name(0xeac100d2)).toBe('UNDEFINED'); // pkhbt with T = 1
  });

  it('single-cycle', () => {
    for (const raw of [0xfa91f002, 0xfa82f081, 0xfaa1f082, 0xf3210007, 0xeac100c2, 0xfa41f092]) {
      expect(decode(raw, 4, 0).cycles).toBe(1);
    }
  });

  it('disassembles in unified syntax', () => {
    const cases: [number, string][] = [
      [0xfa81f012, 'qadd8 r0, r1, r2'],
      [0xfae1f062, 'uhsax r0, r1, r2'],
      [0xfa82f081, 'qadd r0, r1, r2'],
      [0xfa82f0b1, 'qdsub r0, r1, r2'],
      [0xfaa1f082, 'sel r0, r1, r2'],
      [0xf3210007, 'ssat16 r0, #8, r1'],
      [0xf3a10007, 'usat16 r0, #7, r1'],
      [0xeac100c2, 'pkhbt r0, r1, r2, lsl #3'],
      [0xeac10002, 'pkhbt r0, r1, r2'],
      [0xeac14022, 'pkhtb r0, r1, r2, asr #16'],
      [0xeac10022, 'pkhtb r0, r1, r2, asr #32'],
      [0xfa41f092, 'sxtab r0, r1, r2, ror #8'],
      [0xfa01f082, 'sxtah r0, r1, r2'],
      [0xfa2ff0a2, 'sxtb16 r0, r2, ror #16'],
      [0xfa3ff082, 'uxtb16 r0, r2'],
      [0xfa9bfe0c, 'sadd16 lr, r11, r12'],
    ];
    for (const [raw, text] of cases) expect(disassemble(raw, 4, 0)).toBe(text);
  });
});
