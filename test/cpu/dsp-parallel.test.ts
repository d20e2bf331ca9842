/**
 * Parallel addition and subtraction (ARM ARM A5.3.13/A5.3.14). Every case is `<op> r0, r1, r2`; expected
 * values were worked out by hand from the pseudocode (lane values noted next to each case).
 */
import { describe, expect, it } from 'vitest';
import { exec } from '../helpers/cpu-harness.js';

interface Case {
  name: string;
  insn: number;
  n: number;
  m: number;
  res: number;
  /** GE after the instruction; for forms that do not write GE, the initial 0b1010 must survive. */
  ge?: number;
}

function run(c: Case): { r0: number; ge: number; q: number } {
  const { cpu } = exec([c.insn], { 0: 0x5a5a5a5a, 1: c.n, 2: c.m }, { ge: 0b1010 });
  return { r0: cpu.r[0]! >>> 0, ge: cpu.ge, q: cpu.q };
}

// Encodings: hw1 = 0xFA80 | op1 << 4 | Rn, hw2 = 0xF000 | Rd << 8 | U << 6 | op2 << 4 | Rm.
const cases: Case[] = [
  // ---- S: signed, GE per lane = result >= 0 ----
  // lo 0x7fff+1 = 32768 (GE 11, no carry into hi); hi -32768-32768 = -65536 → 0x0000 (GE 00)
  { name: 'sadd16', insn: 0xfa91f002, n: 0x80007fff, m: 0x80000001, res: 0x00008000, ge: 0b0011 },
  // lo -32768-1 = -32769 → 0x7fff (GE 00, borrow must not leak); hi 5-3 = 2 (GE 11)
  { name: 'ssub16', insn: 0xfad1f002, n: 0x00058000, m: 0x00030001, res: 0x00027fff, ge: 0b1100 },
  { name: 'ssub16 equal lanes give GE', insn: 0xfad1f002, n: 0x12345678, m: 0x12345678, res: 0, ge: 0b1111 },
  // diff = 2 - 3 = -1 (GE 00); sum = 5 + -2 = 3 (GE 11)
  { name: 'sasx', insn: 0xfaa1f002, n: 0x00050002, m: 0x0003fffe, res: 0x0003ffff, ge: 0b1100 },
  // sum = 0 + 0 = 0 (GE 11); diff = -32768 - 1 = -32769 → 0x7fff (GE 00)
  { name: 'ssax', insn: 0xfae1f002, n: 0x80000000, m: 0x00000001, res: 0x7fff0000, ge: 0b0011 },
  // lanes: -1+-1 = -2, 1+1 = 2, -128+-128 = -256 → 0x00, 127+1 = 128 → 0x80 (>= 0)
  { name: 'sadd8', insn: 0xfa81f002, n: 0x7f8001ff, m: 0x018001ff, res: 0x800002fe, ge: 0b1010 },
  // lanes: 0-0 = 0, 127-(-1) = 128 → 0x80, -128-1 = -129 → 0x7f, 0-1 = -1
  { name: 'ssub8', insn: 0xfac1f002, n: 0x00807f00, m: 0x0101ff00, res: 0xff7f8000, ge: 0b0011 },

  // ---- Q: signed saturating, GE and Q untouched ----
  { name: 'qadd16', insn: 0xfa91f012, n: 0x7fff8000, m: 0x0001ffff, res: 0x7fff8000 },
  { name: 'qsub16', insn: 0xfad1f012, n: 0x80007fff, m: 0x0001ffff, res: 0x80007fff },
  { name: 'qsub16 no saturation', insn: 0xfad1f012, n: 0x00050003, m: 0x00070001, res: 0xfffe0002 },
  // diff = -32768 - 1 → -32768; sum = 32767 + 1 → 32767
  { name: 'qasx', insn: 0xfaa1f012, n: 0x7fff8000, m: 0x00010001, res: 0x7fff8000 },
  // sum = 32767 + 1 → 32767; diff = -32768 - 1 → -32768
  { name: 'qsax', insn: 0xfae1f012, n: 0x80007fff, m: 0x00010001, res: 0x80007fff },
  // lanes: -16-16 = -32, 16+16 = 32, -128-1 → -128, 127+1 → 127
  { name: 'qadd8', insn: 0xfa81f012, n: 0x7f8010f0, m: 0x01ff10f0, res: 0x7f8020e0 },
  // lanes: 0, 5-7 = -2, 127-(-1) → 127, -128-1 → -128
  { name: 'qsub8', insn: 0xfac1f012, n: 0x807f0500, m: 0x01ff0700, res: 0x807ffe00 },

  // ---- SH: signed halving, arithmetic shift of the 17/9-bit lane ----
  // lo (-3+0)>>1 = -2; hi (-32768-32768)>>1 = -32768
  { name: 'shadd16', insn: 0xfa91f022, n: 0x8000fffd, m: 0x80000000, res: 0x8000fffe },
  // lo (0-1)>>1 = -1; hi (32767+32768)>>1 = 32767
  { name: 'shsub16', insn: 0xfad1f022, n: 0x7fff0000, m: 0x80000001, res: 0x7fffffff },
  // diff (0-1)>>1 = -1; sum (1+3)>>1 = 2
  { name: 'shasx', insn: 0xfaa1f022, n: 0x00010000, m: 0x00010003, res: 0x0002ffff },
  // sum (0+1)>>1 = 0; diff (1-3)>>1 = -1
  { name: 'shsax', insn: 0xfae1f022, n: 0x00010000, m: 0x00010003, res: 0xffff0000 },
  // lanes: (1+1)>>1 = 1, (-1-2)>>1 = -2, (-128+127)>>1 = -1, (-128-128)>>1 = -128
  { name: 'shadd8', insn: 0xfa81f022, n: 0x8080ff01, m: 0x807ffe01, res: 0x80fffe01 },
  // lanes: 0, (0-1)>>1 = -1, (-128-127)>>1 = -128, (127+128)>>1 = 127
  { name: 'shsub8', insn: 0xfac1f022, n: 0x7f800000, m: 0x807f0100, res: 0x7f80ff00 },

  // ---- U: unsigned, GE = carry out of the lane for additions, no borrow for subtractions ----
  // both lanes 0x10000 → 0 with GE 11; neither carry leaks
  { name: 'uadd16 carries', insn: 0xfa91f042, n: 0xffff0001, m: 0x0001ffff, res: 0x00000000, ge: 0b1111 },
  { name: 'uadd16 no carry', insn: 0xfa91f042, n: 0x80007fff, m: 0x7fff0001, res: 0xffff8000, ge: 0b0000 },
  // lo 5-5 = 0 (GE 11); hi 0-1 = -1 (GE 00)
  { name: 'usub16', insn: 0xfad1f042, n: 0x00000005, m: 0x00010005, res: 0xffff0000, ge: 0b0011 },
  // diff 2-3 = -1 (GE 00); sum 1+0xffff = 0x10000 (GE 11)
  { name: 'uasx', insn: 0xfaa1f042, n: 0x00010002, m: 0x0003ffff, res: 0x0000ffff, ge: 0b1100 },
  // sum 0xffff+1 = 0x10000 (GE 11); diff 0xffff-1 (GE 11)
  { name: 'usax', insn: 0xfae1f042, n: 0xffffffff, m: 0x00010001, res: 0xfffe0000, ge: 0b1111 },
  // sum 2+3 = 5 (GE 00); diff 1-0xffff < 0 → 0x0002 (GE 00)
  { name: 'usax no GE', insn: 0xfae1f042, n: 0x00010002, m: 0x0003ffff, res: 0x00020005, ge: 0b0000 },
  // lanes: 0xff+0 = 0xff, 1+1 = 2, 0x80+0x80 = 0x100 (GE), 0xff+1 = 0x100 (GE)
  { name: 'uadd8', insn: 0xfa81f042, n: 0xff8001ff, m: 0x01800100, res: 0x000002ff, ge: 0b1100 },
  // lanes: 0-1 = -1, 0xff-0 (GE), 5-5 = 0 (GE), 0-1 = -1
  { name: 'usub8', insn: 0xfac1f042, n: 0x0005ff00, m: 0x01050001, res: 0xff00ffff, ge: 0b0110 },

  // ---- UQ: unsigned saturating ----
  { name: 'uqadd16', insn: 0xfa91f052, n: 0xfff00001, m: 0x00200002, res: 0xffff0003 },
  { name: 'uqsub16', insn: 0xfad1f052, n: 0x00018000, m: 0x00027fff, res: 0x00000001 },
  // diff 2-3 → 0; sum 1+0xffff → 0xffff
  { name: 'uqasx', insn: 0xfaa1f052, n: 0x00010002, m: 0x0003ffff, res: 0xffff0000 },
  // sum 0xfffe+3 → 0xffff; diff 1-2 → 0
  { name: 'uqsax', insn: 0xfae1f052, n: 0x0001fffe, m: 0x00030002, res: 0x0000ffff },
  // lanes: 0x10+0x20 = 0x30, 0x80+0x80 → 0xff, 0xff+1 → 0xff, 1+1 = 2
  { name: 'uqadd8', insn: 0xfa81f052, n: 0x01ff8010, m: 0x01018020, res: 0x02ffff30 },
  // lanes: 0x10-0x20 → 0, 0x80-0x7f = 1, 0xff-1 = 0xfe, 1-2 → 0
  { name: 'uqsub8', insn: 0xfac1f052, n: 0x01ff8010, m: 0x02017f20, res: 0x00fe0100 },

  // ---- UH: unsigned halving (the 17/9-bit lane shifted right; differences keep their sign bit) ----
  // lo 0x10000>>1 = 0x8000; hi 0x1fffe>>1 = 0xffff
  { name: 'uhadd16', insn: 0xfa91f062, n: 0xffffffff, m: 0xffff0001, res: 0xffff8000 },
  // lo (3-1)>>1 = 1; hi (0-0xffff) = -65535, bits 16:1 = 0x8000
  { name: 'uhsub16', insn: 0xfad1f062, n: 0x00000003, m: 0xffff0001, res: 0x80000001 },
  // diff (0-1)>>1 → 0xffff; sum (0xffff+3)>>1 = 0x8001
  { name: 'uhasx', insn: 0xfaa1f062, n: 0xffff0000, m: 0x00010003, res: 0x8001ffff },
  // sum (0+1)>>1 = 0; diff (0xffff-3)>>1 = 0x7ffe
  { name: 'uhsax', insn: 0xfae1f062, n: 0xffff0000, m: 0x00010003, res: 0x7ffe0000 },
  // lanes: 0x1fe>>1 = 0xff, 3>>1 = 1, 0x100>>1 = 0x80, 0x1fe>>1 = 0xff
  { name: 'uhadd8', insn: 0xfa81f062, n: 0xff8001ff, m: 0xff8002ff, res: 0xff8001ff },
  // lanes: (0-1)>>1 → 0xff, (1-0)>>1 = 0, (0xff-0)>>1 = 0x7f, (0-0xff) = -255 → bits 8:1 = 0x80
  { name: 'uhsub8', insn: 0xfac1f062, n: 0x00ff0100, m: 0xff000001, res: 0x807f00ff },
];

describe('DSP parallel add/subtract', () => {
  for (const c of cases) {
    it(c.name, () => {
      const out = run(c);
      expect(out.r0.toString(16)).toBe(c.res.toString(16));
      expect(out.ge).toBe(c.ge ?? 0b1010);
      expect(out.q).toBe(0);
    });
  }

  it('writes Rd even when it is also a source', () => {
    // sadd16 r1, r1, r1 = FA91 F101
    const { cpu } = exec([0xfa91f101], { 1: 0x00020003 });
    expect(cpu.r[1]! >>> 0).toBe(0x00040006);
  });

  it('covers every prefix/operation pair', () => {
    const names = new Set(cases.map((c) => c.name.split(' ')[0]));
    for (const p of ['s', 'q', 'sh', 'u', 'uq', 'uh']) {
      for (const op of ['add16', 'asx', 'sax', 'sub16', 'add8', 'sub8']) {
        const mnemonic = p + op;
        expect(names.has(mnemonic), mnemonic).toBe(true);
      }
    }
  });
});
