/**
 * `emboard run` end to end: the real CLI entry point in a child process (through tsx, no build needed),
 * checking output, exit codes and the one-line error messages the README promises.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'src/cli/main.ts');

function emboard(args: string[], input = '') {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A raw image for mps2-an386: vector table (SP, reset → 0x41), code at 0x40. */
function image(code: number[], words: number[] = []): string {
  const buf = Buffer.alloc(0x40 + code.length * 2 + words.length * 4);
  buf.writeUInt32LE(0x20001000, 0);
  buf.writeUInt32LE(0x41, 4);
  code.forEach((h, i) => buf.writeUInt16LE(h, 0x40 + i * 2));
  words.forEach((w, i) => buf.writeUInt32LE(w, 0x40 + code.length * 2 + i * 4));
  const dir = mkdtempSync(join(tmpdir(), 'emboard-cli-'));
  const f = join(dir, 'fw.bin');
  writeFileSync(f, buf);
  return f;
}

describe('emboard run', () => {
  it('boots the built-in demo to its end and exits 0 (npm start)', () => {
    const r = emboard(['run', '-b', 'mps2-an386', '--demo']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('emboard demo on mps2-an386');
    expect(r.stdout).toContain('CPUID 0x410fc241 (Cortex-M4)');
    expect(r.stdout).toContain('primes below 20000: 2262');
    expect(r.stdout).toContain('sqrt(2) * 1e6 = 1414213');
    expect(r.status).toBe(0);
  });

  it('passes the guest exit code through under --semihosting (SYS_EXIT_EXTENDED)', () => {
    // movs r0,#0x20 ; adr r1,block ; bkpt 0xab ; b . ; block: ADP_Stopped_ApplicationExit, 3
    const f = image([0x2020, 0xa101, 0xbeab, 0xe7fe], [0x20026, 3]);
    expect(emboard(['run', '-b', 'mps2-an386', '--semihosting', f]).status).toBe(3);
  });

  it('stops with exit code 124 at the virtual-time limit and at the instruction limit', () => {
    const f = image([0xe7fe]); // b .
    const t = emboard(['run', '-b', 'mps2-an386', '--timeout', '10', f]);
    expect(t.status).toBe(124);
    expect(t.stderr).toMatch(/virtual time limit reached/);
    const n = emboard(['run', '-b', 'mps2-an386', '--max-instructions', '1000', f]);
    expect(n.status).toBe(124);
    expect(n.stderr).toMatch(/instruction limit reached after 1000 instructions/);
  });

  it('reports a core lockup with exit code 1 and a register dump', () => {
    // udf → UsageFault (disabled) → HardFault, whose vector is 0 (Thumb bit clear) → INVSTATE in HardFault → lockup
    const r = emboard(['run', '-b', 'mps2-an386', image([0xde00])]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^emboard: core lockup/);
    expect(r.stderr).toMatch(/ r0=00000000/);
    expect(r.stderr).toMatch(/xpsr=/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('gives one-line errors with exit code 2 for bad input', () => {
    const missing = emboard(['run', '-b', 'mps2-an386', '/nonexistent/fw.elf']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('emboard: /nonexistent/fw.elf: cannot read firmware file (ENOENT)\n');
    const board = emboard(['run', '-b', 'no-such-board', '/nonexistent/fw.elf']);
    expect(board.status).toBe(2);
    expect(board.stderr).toMatch(/^emboard: unknown board 'no-such-board' \(known: .*mps2-an386.*\)\n$/);
    const outside = emboard(['run', '-b', 'mps2-an386', '--base', '0x90000000', image([0xe7fe])]);
    expect(outside.status).toBe(2);
    expect(outside.stderr).toMatch(/^emboard: .*fw\.bin: segment at 0x90000000 \(\d+ bytes\) is outside the memory of board mps2-an386\n$/);
    const flag = emboard(['run', '-b', 'mps2-an386', '--timeout', 'soon', 'x']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/--timeout expects a non-negative number, got 'soon'/);
  });

  it('traces instructions with disassembly and symbols (--trace in_asm)', () => {
    const r = emboard(['run', '-b', 'mps2-an386', '--demo', '--trace', 'in_asm', '--max-instructions', '3']);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe('<reset_handler>');
    expect(lines[1]).toMatch(/^0x[0-9a-f]{8}: {2}b570 {7}push \{r4-r6, lr\}$/);
    expect(lines[2]).toMatch(/^0x[0-9a-f]{8}: {2}f04f 24e0 {2}mov\.w r4, #0xe000e000$/);
  });
});

describe('emboard run --trace exc', () => {
  it('logs exception entry, tail-chaining and return', () => {
    const r = emboard(['run', '-b', 'mps2-an386', '--semihosting', '--trace', 'exc', join(ROOT, 'test/firmware/bin/exceptions.elf')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^exception entry: SVCall \(11\), return address 0x[0-9a-f]{8}, cycle \d+$/m);
    expect(r.stderr).toMatch(/^exception return from SVCall \(11\) with EXC_RETURN 0xfffffff9, cycle \d+$/m);
    expect(r.stderr).toMatch(/^tail-chain into IRQ \d+ \(\d+\), cycle \d+$/m);
  });
});
