/**
 * ARMv7E-M parallel addition and subtraction (ARM ARM A5.3.13 signed, A5.3.14 unsigned): the prefixes
 * S, Q, SH (signed) and U, UQ, UH (unsigned) on ADD16, ASX, SAX, SUB16, ADD8, SUB8.
 * Encoding: 11111010 1 op1:3 Rn | 1111 Rd 0 U op2:2 Rm; one executor per instruction (fields a=Rd, b=Rn, c=Rm).
 * Lanes are computed as plain JS integers, so a carry or borrow can never leak into the next lane.
 * The S and U forms set APSR.GE as the pseudocode says; the others leave GE alone and never touch Q.
 */
import type { Exec, Pattern } from '../decoded.js';
import { badReg, fRd, fRm, fRn, insn, pat, reg, ssat16, ssat8, usat16, usat8 } from './dsp-common.js';

const execSADD16: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = ((n << 16) >> 16) + ((m << 16) >> 16);
  const b = (n >> 16) + (m >> 16);
  cpu.r[d.a] = (b << 16) | (a & 0xffff);
  cpu.ge = (a >= 0 ? 3 : 0) | (b >= 0 ? 12 : 0);
};

const execSASX: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = ((n << 16) >> 16) - (m >> 16);
  const b = (n >> 16) + ((m << 16) >> 16);
  cpu.r[d.a] = (b << 16) | (a & 0xffff);
  cpu.ge = (a >= 0 ? 3 : 0) | (b >= 0 ? 12 : 0);
};

const execSSAX: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = ((n << 16) >> 16) + (m >> 16);
  const b = (n >> 16) - ((m << 16) >> 16);
  cpu.r[d.a] = (b << 16) | (a & 0xffff);
  cpu.ge = (a >= 0 ? 3 : 0) | (b >= 0 ? 12 : 0);
};

const execSSUB16: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = ((n << 16) >> 16) - ((m << 16) >> 16);
  const b = (n >> 16) - (m >> 16);
  cpu.r[d.a] = (b << 16) | (a & 0xffff);
  cpu.ge = (a >= 0 ? 3 : 0) | (b >= 0 ? 12 : 0);
};

const execSADD8: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a0 = ((n << 24) >> 24) + ((m << 24) >> 24);
  const a1 = ((n << 16) >> 24) + ((m << 16) >> 24);
  const a2 = ((n << 8) >> 24) + ((m << 8) >> 24);
  const a3 = (n >> 24) + (m >> 24);
  cpu.r[d.a] = (a0 & 0xff) | ((a1 & 0xff) << 8) | ((a2 & 0xff) << 16) | (a3 << 24);
  cpu.ge = (a0 >= 0 ? 1 : 0) | (a1 >= 0 ? 2 : 0) | (a2 >= 0 ? 4 : 0) | (a3 >= 0 ? 8 : 0);
};

const execSSUB8: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a0 = ((n << 24) >> 24) - ((m << 24) >> 24);
  const a1 = ((n << 16) >> 24) - ((m << 16) >> 24);
  const a2 = ((n << 8) >> 24) - ((m << 8) >> 24);
  const a3 = (n >> 24) - (m >> 24);
  cpu.r[d.a] = (a0 & 0xff) | ((a1 & 0xff) << 8) | ((a2 & 0xff) << 16) | (a3 << 24);
  cpu.ge = (a0 >= 0 ? 1 : 0) | (a1 >= 0 ? 2 : 0) | (a2 >= 0 ? 4 : 0) | (a3 >= 0 ? 8 : 0);
};

const execQADD16: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = ((n << 16) >> 16) + ((m << 16) >> 16);
  const b = (n >> 16) + (m >> 16);
  cpu.r[d.a] = (ssat16(b) << 16) | (ssat16(a) & 0xffff);
};

const execQASX: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = ((n << 16) >> 16) - (m >> 16);
  const b = (n >> 16) + ((m << 16) >> 16);
  cpu.r[d.a] = (ssat16(b) << 16) | (ssat16(a) & 0xffff);
};

const execQSAX: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = ((n << 16) >> 16) + (m >> 16);
  const b = (n >> 16) - ((m << 16) >> 16);
  cpu.r[d.a] = (ssat16(b) << 16) | (ssat16(a) & 0xffff);
};

const execQSUB16: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = ((n << 16) >> 16) - ((m << 16) >> 16);
  const b = (n >> 16) - (m >> 16);
  cpu.r[d.a] = (ssat16(b) << 16) | (ssat16(a) & 0xffff);
};

const execQADD8: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a0 = ((n << 24) >> 24) + ((m << 24) >> 24);
  const a1 = ((n << 16) >> 24) + ((m << 16) >> 24);
  const a2 = ((n << 8) >> 24) + ((m << 8) >> 24);
  const a3 = (n >> 24) + (m >> 24);
  cpu.r[d.a] = (ssat8(a0) & 0xff) | ((ssat8(a1) & 0xff) << 8) | ((ssat8(a2) & 0xff) << 16) | (ssat8(a3) << 24);
};

const execQSUB8: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a0 = ((n << 24) >> 24) - ((m << 24) >> 24);
  const a1 = ((n << 16) >> 24) - ((m << 16) >> 24);
  const a2 = ((n << 8) >> 24) - ((m << 8) >> 24);
  const a3 = (n >> 24) - (m >> 24);
  cpu.r[d.a] = (ssat8(a0) & 0xff) | ((ssat8(a1) & 0xff) << 8) | ((ssat8(a2) & 0xff) << 16) | (ssat8(a3) << 24);
};

const execSHADD16: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = ((n << 16) >> 16) + ((m << 16) >> 16);
  const b = (n >> 16) + (m >> 16);
  cpu.r[d.a] = ((b >> 1) << 16) | ((a >> 1) & 0xffff);
};

const execSHASX: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = ((n << 16) >> 16) - (m >> 16);
  const b = (n >> 16) + ((m << 16) >> 16);
  cpu.r[d.a] = ((b >> 1) << 16) | ((a >> 1) & 0xffff);
};

const execSHSAX: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = ((n << 16) >> 16) + (m >> 16);
  const b = (n >> 16) - ((m << 16) >> 16);
  cpu.r[d.a] = ((b >> 1) << 16) | ((a >> 1) & 0xffff);
};

const execSHSUB16: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = ((n << 16) >> 16) - ((m << 16) >> 16);
  const b = (n >> 16) - (m >> 16);
  cpu.r[d.a] = ((b >> 1) << 16) | ((a >> 1) & 0xffff);
};

const execSHADD8: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a0 = ((n << 24) >> 24) + ((m << 24) >> 24);
  const a1 = ((n << 16) >> 24) + ((m << 16) >> 24);
  const a2 = ((n << 8) >> 24) + ((m << 8) >> 24);
  const a3 = (n >> 24) + (m >> 24);
  cpu.r[d.a] = ((a0 >> 1) & 0xff) | (((a1 >> 1) & 0xff) << 8) | (((a2 >> 1) & 0xff) << 16) | ((a3 >> 1) << 24);
};

const execSHSUB8: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a0 = ((n << 24) >> 24) - ((m << 24) >> 24);
  const a1 = ((n << 16) >> 24) - ((m << 16) >> 24);
  const a2 = ((n << 8) >> 24) - ((m << 8) >> 24);
  const a3 = (n >> 24) - (m >> 24);
  cpu.r[d.a] = ((a0 >> 1) & 0xff) | (((a1 >> 1) & 0xff) << 8) | (((a2 >> 1) & 0xff) << 16) | ((a3 >> 1) << 24);
};

const execUADD16: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = (n & 0xffff) + (m & 0xffff);
  const b = (n >>> 16) + (m >>> 16);
  cpu.r[d.a] = (b << 16) | (a & 0xffff);
  cpu.ge = (a >= 0x10000 ? 3 : 0) | (b >= 0x10000 ? 12 : 0);
};

const execUASX: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = (n & 0xffff) - (m >>> 16);
  const b = (n >>> 16) + (m & 0xffff);
  cpu.r[d.a] = (b << 16) | (a & 0xffff);
  cpu.ge = (a >= 0 ? 3 : 0) | (b >= 0x10000 ? 12 : 0);
};

const execUSAX: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = (n & 0xffff) + (m >>> 16);
  const b = (n >>> 16) - (m & 0xffff);
  cpu.r[d.a] = (b << 16) | (a & 0xffff);
  cpu.ge = (a >= 0x10000 ? 3 : 0) | (b >= 0 ? 12 : 0);
};

const execUSUB16: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = (n & 0xffff) - (m & 0xffff);
  const b = (n >>> 16) - (m >>> 16);
  cpu.r[d.a] = (b << 16) | (a & 0xffff);
  cpu.ge = (a >= 0 ? 3 : 0) | (b >= 0 ? 12 : 0);
};

const execUADD8: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a0 = (n & 0xff) + (m & 0xff);
  const a1 = ((n >>> 8) & 0xff) + ((m >>> 8) & 0xff);
  const a2 = ((n >>> 16) & 0xff) + ((m >>> 16) & 0xff);
  const a3 = (n >>> 24) + (m >>> 24);
  cpu.r[d.a] = (a0 & 0xff) | ((a1 & 0xff) << 8) | ((a2 & 0xff) << 16) | (a3 << 24);
  cpu.ge = (a0 >= 0x100 ? 1 : 0) | (a1 >= 0x100 ? 2 : 0) | (a2 >= 0x100 ? 4 : 0) | (a3 >= 0x100 ? 8 : 0);
};

const execUSUB8: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a0 = (n & 0xff) - (m & 0xff);
  const a1 = ((n >>> 8) & 0xff) - ((m >>> 8) & 0xff);
  const a2 = ((n >>> 16) & 0xff) - ((m >>> 16) & 0xff);
  const a3 = (n >>> 24) - (m >>> 24);
  cpu.r[d.a] = (a0 & 0xff) | ((a1 & 0xff) << 8) | ((a2 & 0xff) << 16) | (a3 << 24);
  cpu.ge = (a0 >= 0 ? 1 : 0) | (a1 >= 0 ? 2 : 0) | (a2 >= 0 ? 4 : 0) | (a3 >= 0 ? 8 : 0);
};

const execUQADD16: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = (n & 0xffff) + (m & 0xffff);
  const b = (n >>> 16) + (m >>> 16);
  cpu.r[d.a] = (usat16(b) << 16) | usat16(a);
};

const execUQASX: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = (n & 0xffff) - (m >>> 16);
  const b = (n >>> 16) + (m & 0xffff);
  cpu.r[d.a] = (usat16(b) << 16) | usat16(a);
};

const execUQSAX: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = (n & 0xffff) + (m >>> 16);
  const b = (n >>> 16) - (m & 0xffff);
  cpu.r[d.a] = (usat16(b) << 16) | usat16(a);
};

const execUQSUB16: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = (n & 0xffff) - (m & 0xffff);
  const b = (n >>> 16) - (m >>> 16);
  cpu.r[d.a] = (usat16(b) << 16) | usat16(a);
};

const execUQADD8: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a0 = (n & 0xff) + (m & 0xff);
  const a1 = ((n >>> 8) & 0xff) + ((m >>> 8) & 0xff);
  const a2 = ((n >>> 16) & 0xff) + ((m >>> 16) & 0xff);
  const a3 = (n >>> 24) + (m >>> 24);
  cpu.r[d.a] = (usat8(a0) & 0xff) | ((usat8(a1) & 0xff) << 8) | ((usat8(a2) & 0xff) << 16) | (usat8(a3) << 24);
};

const execUQSUB8: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a0 = (n & 0xff) - (m & 0xff);
  const a1 = ((n >>> 8) & 0xff) - ((m >>> 8) & 0xff);
  const a2 = ((n >>> 16) & 0xff) - ((m >>> 16) & 0xff);
  const a3 = (n >>> 24) - (m >>> 24);
  cpu.r[d.a] = (usat8(a0) & 0xff) | ((usat8(a1) & 0xff) << 8) | ((usat8(a2) & 0xff) << 16) | (usat8(a3) << 24);
};

const execUHADD16: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = (n & 0xffff) + (m & 0xffff);
  const b = (n >>> 16) + (m >>> 16);
  cpu.r[d.a] = ((b >> 1) << 16) | ((a >> 1) & 0xffff);
};

const execUHASX: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = (n & 0xffff) - (m >>> 16);
  const b = (n >>> 16) + (m & 0xffff);
  cpu.r[d.a] = ((b >> 1) << 16) | ((a >> 1) & 0xffff);
};

const execUHSAX: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = (n & 0xffff) + (m >>> 16);
  const b = (n >>> 16) - (m & 0xffff);
  cpu.r[d.a] = ((b >> 1) << 16) | ((a >> 1) & 0xffff);
};

const execUHSUB16: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a = (n & 0xffff) - (m & 0xffff);
  const b = (n >>> 16) - (m >>> 16);
  cpu.r[d.a] = ((b >> 1) << 16) | ((a >> 1) & 0xffff);
};

const execUHADD8: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a0 = (n & 0xff) + (m & 0xff);
  const a1 = ((n >>> 8) & 0xff) + ((m >>> 8) & 0xff);
  const a2 = ((n >>> 16) & 0xff) + ((m >>> 16) & 0xff);
  const a3 = (n >>> 24) + (m >>> 24);
  cpu.r[d.a] = ((a0 >> 1) & 0xff) | (((a1 >> 1) & 0xff) << 8) | (((a2 >> 1) & 0xff) << 16) | ((a3 >> 1) << 24);
};

const execUHSUB8: Exec = (cpu, d) => {
  const n = cpu.r[d.b];
  const m = cpu.r[d.c];
  const a0 = (n & 0xff) - (m & 0xff);
  const a1 = ((n >>> 8) & 0xff) - ((m >>> 8) & 0xff);
  const a2 = ((n >>> 16) & 0xff) - ((m >>> 16) & 0xff);
  const a3 = (n >>> 24) - (m >>> 24);
  cpu.r[d.a] = ((a0 >> 1) & 0xff) | (((a1 >> 1) & 0xff) << 8) | (((a2 >> 1) & 0xff) << 16) | ((a3 >> 1) << 24);
};

/** [mnemonic, op1, U, op2, executor] as in the A5.3.13/A5.3.14 tables. */
const TABLE: readonly (readonly [string, string, string, string, Exec])[] = [
  ['SADD16', '001', '0', '00', execSADD16],
  ['SASX', '010', '0', '00', execSASX],
  ['SSAX', '110', '0', '00', execSSAX],
  ['SSUB16', '101', '0', '00', execSSUB16],
  ['SADD8', '000', '0', '00', execSADD8],
  ['SSUB8', '100', '0', '00', execSSUB8],
  ['QADD16', '001', '0', '01', execQADD16],
  ['QASX', '010', '0', '01', execQASX],
  ['QSAX', '110', '0', '01', execQSAX],
  ['QSUB16', '101', '0', '01', execQSUB16],
  ['QADD8', '000', '0', '01', execQADD8],
  ['QSUB8', '100', '0', '01', execQSUB8],
  ['SHADD16', '001', '0', '10', execSHADD16],
  ['SHASX', '010', '0', '10', execSHASX],
  ['SHSAX', '110', '0', '10', execSHSAX],
  ['SHSUB16', '101', '0', '10', execSHSUB16],
  ['SHADD8', '000', '0', '10', execSHADD8],
  ['SHSUB8', '100', '0', '10', execSHSUB8],
  ['UADD16', '001', '1', '00', execUADD16],
  ['UASX', '010', '1', '00', execUASX],
  ['USAX', '110', '1', '00', execUSAX],
  ['USUB16', '101', '1', '00', execUSUB16],
  ['UADD8', '000', '1', '00', execUADD8],
  ['USUB8', '100', '1', '00', execUSUB8],
  ['UQADD16', '001', '1', '01', execUQADD16],
  ['UQASX', '010', '1', '01', execUQASX],
  ['UQSAX', '110', '1', '01', execUQSAX],
  ['UQSUB16', '101', '1', '01', execUQSUB16],
  ['UQADD8', '000', '1', '01', execUQADD8],
  ['UQSUB8', '100', '1', '01', execUQSUB8],
  ['UHADD16', '001', '1', '10', execUHADD16],
  ['UHASX', '010', '1', '10', execUHASX],
  ['UHSAX', '110', '1', '10', execUHSAX],
  ['UHSUB16', '101', '1', '10', execUHSUB16],
  ['UHADD8', '000', '1', '10', execUHADD8],
  ['UHSUB8', '100', '1', '10', execUHSUB8],
];

export const parallelPatterns: Pattern[] = TABLE.map(([name, op1, u, op2, exec]) => {
  const mnemonic = name.toLowerCase();
  return pat(
    `${name} T1`,
    `11111010_1${op1}_xxxx_1111_xxxx_0${u}${op2}_xxxx`,
    (raw) => {
      const rd = fRd(raw);
      const rn = fRn(raw);
      const rm = fRm(raw);
      if (badReg(rd) || badReg(rn) || badReg(rm)) return null;
      return insn(exec, raw, rd, rn, rm);
    },
    (raw) => `${mnemonic} ${reg(fRd(raw))}, ${reg(fRn(raw))}, ${reg(fRm(raw))}`,
  );
});
