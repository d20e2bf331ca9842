/**
 * Decoder coverage of the data-processing encodings: which 16-bit encodings are ours (ARM ARM A5.2 tables),
 * and that nothing in the combined decoder table steals an encoding we accept.
 */
import { describe, expect, it } from 'vitest';
import { decode } from '../../src/cpu/armv7m/decoder.js';
import type { Pattern } from '../../src/cpu/armv7m/decoded.js';
import { patterns } from '../../src/cpu/armv7m/isa/data-processing.js';

const mine = new Set<Pattern>(patterns);

/** The pattern of ours that accepts `raw`, most specific first (as the decoder orders them). */
function ours(raw: number, size: 2 | 4): Pattern | null {
  const cands = patterns.filter((p) => p.size === size && ((raw ^ p.match) & p.mask) >>> 0 === 0);
  cands.sort((a, b) => popcount(b.mask) - popcount(a.mask));
  for (const p of cands) if (p.decode(raw, 0x100) !== null) return p;
  return null;
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v >>>= 1) n += v & 1;
  return n;
}

/** 16-bit encodings that A5.2 assigns to data processing (MUL and BX/BLX excluded). */
function expectedOurs16(raw: number): boolean {
  if (raw < 0x4000) return true; // shift/add/sub/mov/cmp
  if (raw >= 0x4000 && raw < 0x4400) return (raw & 0x03c0) !== 0x0340; // data processing, not MUL
  if (raw >= 0x4400 && raw < 0x4700) return true; // ADD/CMP/MOV high
  if (raw >= 0xa000 && raw < 0xb000) return true; // ADR, ADD SP
  if ((raw & 0xff00) === 0xb000 || (raw & 0xff00) === 0xb200) return true; // ADD/SUB SP, extends
  if ((raw & 0xff00) === 0xba00) return (raw & 0x00c0) !== 0x0080; // REV, REV16, REVSH
  return false;
}

describe('16-bit decode coverage', () => {
  it('accepts exactly the A5.2 data-processing encodings, and the combined decoder picks ours for them', () => {
    const wrong: string[] = [];
    for (let raw = 0; raw < 0xe800; raw++) {
      const p = ours(raw, 2);
      if ((p !== null) !== expectedOurs16(raw)) wrong.push(`0x${raw.toString(16)}: ${p?.name ?? 'none'}`);
      if (p !== null) {
        const d = decode(raw, 2, 0x100);
        if (!mine.has(d.pattern!)) wrong.push(`0x${raw.toString(16)}: decoded as ${d.pattern?.name}`);
        if (p.disasm(raw, 0x100).length === 0) wrong.push(`0x${raw.toString(16)}: empty disassembly`);
      }
      if (wrong.length > 10) break;
    }
    expect(wrong).toEqual([]);
  });
});

describe('32-bit decode coverage', () => {
  it('encodings we accept are not taken by other modules (random sample)', () => {
    // Deterministic xorshift so failures reproduce.
    let s = 0x12345678;
    const rnd = (): number => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return s >>> 0;
    };
    // hw1 prefixes: modified/plain immediate (11110x), shifted register (1110101), 11111010 (shifts, extends, misc)
    const prefixes = [
      { mask: 0xf8008000, match: 0xf0000000 },
      { mask: 0xfe000000, match: 0xea000000 },
      { mask: 0xff000000, match: 0xfa000000 },
    ];
    const wrong: string[] = [];
    let accepted = 0;
    for (let i = 0; i < 60000; i++) {
      const pre = prefixes[i % 3]!;
      const raw = ((rnd() & ~pre.mask) | pre.match) >>> 0;
      const p = ours(raw, 4);
      if (p === null) continue;
      accepted++;
      const d = decode(raw, 4, 0x100);
      if (!mine.has(d.pattern!)) wrong.push(`0x${raw.toString(16)}: ours ${p.name}, decoded as ${d.pattern?.name}`);
      if (!p.disasm(raw, 0x100)) wrong.push(`0x${raw.toString(16)}: empty disassembly`);
      if (wrong.length > 10) break;
    }
    expect(wrong).toEqual([]);
    expect(accepted).toBeGreaterThan(10000);
  });
});
