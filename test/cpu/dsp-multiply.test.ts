/**
 * DSP multiplies (ARM ARM A5.3.16, A5.3.17). 32-bit forms are `<op> r0, r1, r2{, r3}` (Rd, Rn, Rm, Ra);
 * long forms `<op> r0, r1, r2, r3` (RdLo, RdHi, Rn, Rm). Expected values by hand from the pseudocode.
 */
import { describe, expect, it } from 'vitest';
import { exec } from '../helpers/cpu-harness.js';
import { decode, disassemble } from '../../src/cpu/armv7m/decoder.js';

const u = (x: number): number => x >>> 0;

function mul(insn: number, n: number, m: number, a = 0, q = 0): { r0: number; q: number } {
  const { cpu } = exec([insn], { 0: 0x5a5a5a5a, 1: n, 2: m, 3: a }, { q });
  return { r0: u(cpu.r[0]!), q: cpu.q };
}

function long(insn: number, lo: number, hi: number, n: number, m: number): { lo: number; hi: number; q: number } {
  const { cpu } = exec([insn], { 0: lo, 1: hi, 2: n, 3: m });
  return { lo: u(cpu.r[0]!), hi: u(cpu.r[1]!), q: cpu.q };
}

describe('SMLA<x><y>, SMUL<x><y>', () => {
  // r1 = 0x0003_fffe: bottom -2, top 3; r2 = 0x0005_0007: bottom 7, top 5
  it('selects each half of Rn (x) and Rm (y)', () => {
    expect(mul(0xfb113002, 0x0003fffe, 0x00050007, 100).r0).toBe(86); // smlabb: -2*7 + 100
    expect(mul(0xfb113012, 0x0003fffe, 0x00050007, 100).r0).toBe(90); // smlabt: -2*5 + 100
    expect(mul(0xfb113022, 0x0003fffe, 0x00050007, 100).r0).toBe(121); // smlatb: 3*7 + 100
    expect(mul(0xfb113032, 0x0003fffe, 0x00050007, 100).r0).toBe(115); // smlatt: 3*5 + 100
    expect(mul(0xfb11f002, 0x0003fffe, 0x00050007).r0).toBe(u(-14)); // smulbb
    expect(mul(0xfb11f012, 0x0003fffe, 0x00050007).r0).toBe(u(-10)); // smulbt
    expect(mul(0xfb11f022, 0x0003fffe, 0x00050007).r0).toBe(21); // smultb
    expect(mul(0xfb11f032, 0x0003fffe, 0x00050007).r0).toBe(15); // smultt
  });

  it('SMULxy: -32768 * -32768 = 0x40000000, no Q', () => {
    expect(mul(0xfb11f032, 0x80000000, 0x80001234)).toEqual({ r0: 0x40000000, q: 0 });
    expect(mul(0xfb11f002, 0x0000ffff, 0x00007fff)).toEqual({ r0: 0xffff8001, q: 0 });
  });

  it('SMLAxy sets Q on signed overflow of the accumulation and wraps', () => {
    // 2^30 + 0x7fffffff
    expect(mul(0xfb113002, 0x8000, 0x8000, 0x7fffffff)).toEqual({ r0: 0xbfffffff, q: 1 });
    // 0x7fff * -0x8000 + INT_MIN
    expect(mul(0xfb113002, 0x7fff, 0x8000, 0x80000000)).toEqual({ r0: 0x40008000, q: 1 });
    expect(mul(0xfb113002, 1, 1, 0x7ffffffe)).toEqual({ r0: 0x7fffffff, q: 0 });
  });
});

describe('SMLAW<y>, SMULW<y>', () => {
  it('takes bits 47:16 of Rn * half(Rm) + (Ra << 16)', () => {
    // smlawb: 65536*3 + (5 << 16) → 8
    expect(mul(0xfb313002, 0x10000, 0x12340003, 5)).toEqual({ r0: 8, q: 0 });
    // smlawt: uses the top half
    expect(mul(0xfb313012, 0x10000, 0x00030012, 5)).toEqual({ r0: 8, q: 0 });
    // -1 * 1 >> 16 rounds towards -infinity
    expect(mul(0xfb313002, -1, 1, 0)).toEqual({ r0: 0xffffffff, q: 0 });
  });

  it('SMLAW sets Q when bits 47:16 do not fit', () => {
    // 0x7fffffff*0x7fff + (0x7fffffff << 16) = 0xbfff7ffe8001 → 0xbfff7ffe
    expect(mul(0xfb313002, 0x7fffffff, 0x7fff, 0x7fffffff)).toEqual({ r0: 0xbfff7ffe, q: 1 });
  });

  it('SMULW<y>', () => {
    expect(mul(0xfb31f002, 0x80000000, 0x8000).r0).toBe(0x40000000); // smulwb: 2^46 >> 16
    expect(mul(0xfb31f012, 0x12345678, 0x00020000).r0).toBe(0x2468); // smulwt
    expect(mul(0xfb31f002, -3, 1).r0).toBe(0xffffffff);
  });
});

describe('SMLAD, SMUAD, SMLSD, SMUSD', () => {
  // r1 = 0x0002_0003, r2 = 0x0004_0005
  it('dual multiply-add with and without X', () => {
    expect(mul(0xfb213002, 0x00020003, 0x00040005, 10).r0).toBe(33); // smlad: 3*5 + 2*4 + 10
    expect(mul(0xfb213012, 0x00020003, 0x00040005, 10).r0).toBe(32); // smladx: 3*4 + 2*5 + 10
    expect(mul(0xfb21f002, 0x00020003, 0x00040005).r0).toBe(23); // smuad
    expect(mul(0xfb21f012, 0x00020003, 0x00040005).r0).toBe(22); // smuadx
  });

  it('SMLAD/SMUAD set Q on overflow', () => {
    expect(mul(0xfb213002, 0x80008000, 0x80008000, 0)).toEqual({ r0: 0x80000000, q: 1 });
    expect(mul(0xfb21f002, 0x80008000, 0x80008000)).toEqual({ r0: 0x80000000, q: 1 });
    // the products fit, the accumulation overflows
    expect(mul(0xfb213002, 0x00010001, 0x00010001, 0x7fffffff)).toEqual({ r0: 0x80000001, q: 1 });
    // 2^30 - 32767*32768 = 32768: no overflow
    expect(mul(0xfb21f002, 0x80008000, 0x7fff8000)).toEqual({ r0: 0x8000, q: 0 });
  });

  it('dual multiply-subtract', () => {
    expect(mul(0xfb413002, 0x00020003, 0x00040005, 10).r0).toBe(17); // smlsd: 15 - 8 + 10
    expect(mul(0xfb413012, 0x00020003, 0x00040005, 10).r0).toBe(12); // smlsdx: 12 - 10 + 10
    expect(mul(0xfb41f002, 0x00020003, 0x00040005).r0).toBe(7); // smusd
    expect(mul(0xfb41f012, 0x00020003, 0x00040005).r0).toBe(2); // smusdx
    expect(mul(0xfb41f002, 0x00030002, 0x00050004).r0).toBe(u(-7));
  });

  it('SMLSD sets Q on overflow, SMUSD never does', () => {
    // 2^30 - (-32768*32767) = 0x7fff8000; + 0x8000 = 2^31
    expect(mul(0xfb413002, 0x80008000, 0x7fff8000, 0x8000)).toEqual({ r0: 0x80000000, q: 1 });
    expect(mul(0xfb41f002, 0x80008000, 0x7fff8000)).toEqual({ r0: 0x7fff8000, q: 0 });
  });
});

describe('SMMLA, SMMLS, SMMUL (R forms round by adding 0x80000000)', () => {
  it('SMMUL takes the top word, SMMULR rounds', () => {
    expect(mul(0xfb51f002, 0x80000000, 1).r0).toBe(0xffffffff); // -2^31 → 0xffffffff_80000000
    expect(mul(0xfb51f012, 0x80000000, 1).r0).toBe(0); // + 0x80000000 carries
    expect(mul(0xfb51f002, 0x7fffffff, 0x7fffffff).r0).toBe(0x3fffffff); // 0x3fffffff_00000001
    expect(mul(0xfb51f012, 0x7fffffff, 0x7fffffff).r0).toBe(0x3fffffff);
    expect(mul(0xfb51f002, 0x10000, 0x8000).r0).toBe(0); // 0x00000000_80000000
    expect(mul(0xfb51f012, 0x10000, 0x8000).r0).toBe(1); // exactly half rounds up
    expect(mul(0xfb51f012, 0x10000, 0x7fff).r0).toBe(0);
    expect(mul(0xfb51f002, -1, 1).r0).toBe(0xffffffff);
    expect(mul(0xfb51f012, -1, 1).r0).toBe(0);
    // -0x12345678 * 0x07654321 = 0xff795e36_8f477288
    expect(mul(0xfb51f002, -0x12345678, 0x07654321).r0).toBe(0xff795e36);
    expect(mul(0xfb51f012, -0x12345678, 0x07654321).r0).toBe(0xff795e37);
  });

  it('SMMLA adds Ra to the top word', () => {
    expect(mul(0xfb513002, 0x40000000, 4, 5).r0).toBe(6); // 2^32 + (5 << 32)
    expect(mul(0xfb513002, 0x40000000, 4, 0x7fffffff)).toEqual({ r0: 0x80000000, q: 0 }); // wraps, no Q
    expect(mul(0xfb513012, 0x10000, 0x8000, 7).r0).toBe(8); // smmlar: rounding carry
    expect(mul(0xfb513002, 0x10000, 0x8000, 7).r0).toBe(7);
  });

  it('SMMLS subtracts the product from Ra << 32 (borrow from the low word)', () => {
    expect(mul(0xfb613002, 0x40000000, 4, 5).r0).toBe(4); // (5 << 32) - 2^32
    expect(mul(0xfb613002, 1, 1, 5).r0).toBe(4); // 0x4_ffffffff
    expect(mul(0xfb613012, 1, 1, 5).r0).toBe(5); // smmlsr: 0x5_7fffffff
    expect(mul(0xfb613012, 0x10000, 0x8000, 5).r0).toBe(5); // (5 << 32) - 2^31 + 2^31
    expect(mul(0xfb613002, 0x10000, 0x8000, 5).r0).toBe(4);
    expect(mul(0xfb613002, -1, 0x40000000, 0).r0).toBe(0); // 0 + 2^30
    expect(mul(0xfb613002, -1, 0x80000000, 0).r0).toBe(0xffffffff); // 0 - 2^31
    expect(mul(0xfb613012, -1, 0x80000000, 0).r0).toBe(0);
  });
});

describe('USAD8, USADA8', () => {
  it('sums absolute byte differences', () => {
    // |0-5| + |0x10-8| + |0xff-0| + |1-0xff| = 5 + 8 + 255 + 254 = 522
    expect(mul(0xfb71f002, 0x01ff1000, 0xff000805).r0).toBe(522);
    expect(mul(0xfb71f002, 0xff000805, 0x01ff1000).r0).toBe(522);
    expect(mul(0xfb713002, 0x01ff1000, 0xff000805, 0xfffffff0).r0).toBe(0x1fa); // wraps
    expect(mul(0xfb713002, 0x12345678, 0x12345678, 77).r0).toBe(77);
  });
});

describe('SMLAL<x><y>, SMLALD, SMLSLD, UMAAL (64-bit accumulate)', () => {
  it('SMLALxy carries and borrows across the 32-bit boundary', () => {
    // smlalbb r0, r1, r2, r3 = FBC2 0183: 0x0_ffffffff + 2*1
    expect(long(0xfbc20183, 0xffffffff, 0, 2, 1)).toEqual({ lo: 1, hi: 1, q: 0 });
    // 0x1_00000000 + (-1 * 1)
    expect(long(0xfbc20183, 0, 1, 0xffff, 1)).toEqual({ lo: 0xffffffff, hi: 0, q: 0 });
    // 0x7fffffff_ffffffff + 2^30 wraps without Q
    expect(long(0xfbc20183, 0xffffffff, 0x7fffffff, 0x8000, 0x8000)).toEqual({ lo: 0x3fffffff, hi: 0x80000000, q: 0 });
  });

  it('SMLALxy selects halves', () => {
    // r2 = 0x0003_fffe (bottom -2, top 3), r3 = 0x0005_0007 (bottom 7, top 5), acc = 100
    expect(long(0xfbc20183, 100, 0, 0x0003fffe, 0x00050007)).toEqual({ lo: 86, hi: 0, q: 0 }); // bb
    expect(long(0xfbc20193, 100, 0, 0x0003fffe, 0x00050007)).toEqual({ lo: 90, hi: 0, q: 0 }); // bt
    expect(long(0xfbc201a3, 100, 0, 0x0003fffe, 0x00050007)).toEqual({ lo: 121, hi: 0, q: 0 }); // tb
    expect(long(0xfbc201b3, 100, 0, 0x0003fffe, 0x00050007)).toEqual({ lo: 115, hi: 0, q: 0 }); // tt
    // bb with a negative product and acc 0: sign-extends into the high word
    expect(long(0xfbc20183, 0, 0, 0x0003fffe, 0x00050007)).toEqual({ lo: u(-14), hi: 0xffffffff, q: 0 });
  });

  it('SMLALD(X)', () => {
    // smlald: 2^30 + 2^30 = 2^31 added to 0x80000000 → 0x1_00000000
    expect(long(0xfbc201c3, 0x80000000, 0, 0x80008000, 0x80008000)).toEqual({ lo: 0, hi: 1, q: 0 });
    // smlaldx: 3*4 + 2*5 = 22 added to -16
    expect(long(0xfbc201d3, 0xfffffff0, 0xffffffff, 0x00020003, 0x00040005)).toEqual({ lo: 6, hi: 0, q: 0 });
  });

  it('SMLSLD(X)', () => {
    // smlsld: 15 - 8 = 7 added to 0x7fffffff_fffffffc
    expect(long(0xfbd201c3, 0xfffffffc, 0x7fffffff, 0x00020003, 0x00040005)).toEqual({ lo: 3, hi: 0x80000000, q: 0 });
    // smlsldx: Rm swapped to 0x0003_0004: 1*4 - 5*3 = -11 added to 5
    expect(long(0xfbd201d3, 5, 0, 0x00050001, 0x00040003)).toEqual({ lo: u(-6), hi: 0xffffffff, q: 0 });
  });

  it('UMAAL: 0xffffffff * 0xffffffff + 0xffffffff + 0xffffffff = 0xffffffff_ffffffff', () => {
    // umaal r0, r1, r2, r3 = FBE2 0163
    expect(long(0xfbe20163, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)).toEqual({ lo: 0xffffffff, hi: 0xffffffff, q: 0 });
    expect(long(0xfbe20163, 1, 2, 3, 4)).toEqual({ lo: 15, hi: 0, q: 0 });
    // 0x12345678 * 0x9abcdef0 + 0x11111111 + 0x22222222 = 0x0b00ea4e_576053b3
    expect(long(0xfbe20163, 0x11111111, 0x22222222, 0x12345678, 0x9abcdef0)).toEqual({ lo: 0x576053b3, hi: 0x0b00ea4e, q: 0 });
  });

  it('reads Rn/Rm before writing when they overlap RdLo/RdHi', () => {
    // umaal r0, r1, r0, r1 = FBE0 0161: 3*4 + 4 + 3 = 19
    const { cpu } = exec([0xfbe00161], { 0: 3, 1: 4 });
    expect([u(cpu.r[0]!), u(cpu.r[1]!)]).toEqual([19, 0]);
  });
});

describe('DSP multiply decode', () => {
  const name = (raw: number): string | undefined => decode(raw, 4, 0).pattern?.name;

  it('Ra = 1111 selects the non-accumulating forms', () => {
    expect(name(0xfb11f002)).toBe('SMUL<x><y> T1');
    expect(name(0xfb113002)).toBe('SMLA<x><y> T1');
    expect(name(0xfb21f012)).toBe('SMUAD T1');
    expect(name(0xfb51f012)).toBe('SMMUL T1');
    expect(name(0xfb71f002)).toBe('USAD8 T1');
  });

  it('UNPREDICTABLE choices are UNDEFINED', () => {
    expect(name(0xfbe20063)).toBe('UNDEFINED'); // umaal r0, r0, r2, r3 (RdHi == RdLo)
    expect(name(0xfb11d002)).toBe('UNDEFINED'); // smlabb with Ra = sp
    expect(name(0xfb61f002)).toBe('UNDEFINED'); // smmls with Ra = pc
    expect(name(0xfb2130c2)).toBe('UNDEFINED'); // smlad with hw2[7:6] != 00
  });

  it('disassembles in unified syntax', () => {
    const cases: [number, string][] = [
      [0xfb113002, 'smlabb r0, r1, r2, r3'],
      [0xfb113022, 'smlatb r0, r1, r2, r3'],
      [0xfb11f032, 'smultt r0, r1, r2'],
      [0xfb313012, 'smlawt r0, r1, r2, r3'],
      [0xfb31f002, 'smulwb r0, r1, r2'],
      [0xfb213012, 'smladx r0, r1, r2, r3'],
      [0xfb41f012, 'smusdx r0, r1, r2'],
      [0xfb513012, 'smmlar r0, r1, r2, r3'],
      [0xfb613002, 'smmls r0, r1, r2, r3'],
      [0xfb51f002, 'smmul r0, r1, r2'],
      [0xfb713002, 'usada8 r0, r1, r2, r3'],
      [0xfbc201a3, 'smlaltb r0, r1, r2, r3'],
      [0xfbd201d3, 'smlsldx r0, r1, r2, r3'],
      [0xfbe20163, 'umaal r0, r1, r2, r3'],
    ];
    for (const [raw, text] of cases) expect(disassemble(raw, 4, 0)).toBe(text);
  });
});
