/**
 * The malformed-input corpus (fixtures/malformed.ts): every case must give a one-line UserError with exit
 * code 2 that names the file and the offset of the defect, and must leave the output path untouched (no
 * partial file, no temporary file, an existing file unchanged). A few go through the real CLI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import * as tools from '../../src/tools/image-tools.js';
import { MALFORMED, type Tool } from './fixtures/malformed.js';

const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'src/cli/main.ts');

function run(tool: Tool, input: string, out: string): void {
  if (tool === 'dfu2bin') tools.dfu2bin(input, out);
  else tools[tool](input, out);
}

function caught(f: () => void): UserError {
  try {
    f();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

const hex8 = (n: number) => '0x' + n.toString(16).padStart(8, '0');

describe('malformed inputs', () => {
  it('the corpus has at least 30 cases', () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of MALFORMED) {
    it(`${c.name}: one line naming file and offset, exit 2, output untouched`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'emboard-bad-'));
      const input = join(dir, 'input');
      writeFileSync(input, c.bytes);
      const fresh = join(dir, 'fresh.out');
      const e = caught(() => run(c.tool, input, fresh));
      expect(e.message).toMatch(c.message);
      expect(e.message.startsWith(`${input}: `)).toBe(true);
      expect(e.message.endsWith(` (at offset ${hex8(c.offset)})`)).toBe(true);
      expect(e.message).not.toContain('\n');
      expect(e.exitCode).toBe(2);
      expect(existsSync(fresh)).toBe(false);
      const existing = join(dir, 'existing.out');
      writeFileSync(existing, 'previous contents');
      caught(() => run(c.tool, input, existing));
      expect(readFileSync(existing, 'utf8')).toBe('previous contents');
      expect(readdirSync(dir).sort()).toEqual(['existing.out', 'input']);
    });
  }

  it('empty file, directory, missing file: one line, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emboard-bad-'));
    const empty = join(dir, 'empty.hex');
    writeFileSync(empty, '');
    expect(caught(() => tools.hex2bin(empty, join(dir, 'o'))).message).toBe(`${empty}: empty file (at offset 0x00000000)`);
    expect(caught(() => tools.info(empty)).message).toBe(`${empty}: empty file (at offset 0x00000000)`);
    const sub = join(dir, 'sub.elf');
    mkdirSync(sub);
    expect(caught(() => tools.elf2bin(sub, join(dir, 'o'))).message).toBe(`${sub}: is a directory, not a file`);
    expect(caught(() => tools.bin2dfu(join(dir, 'nope.bin'), join(dir, 'o'))).message).toBe(`${join(dir, 'nope.bin')}: cannot read file (ENOENT)`);
    expect(readdirSync(dir).sort()).toEqual(['empty.hex', 'sub.elf']);
  });

  it('unwritable output paths: one line naming the output, no temporary file left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emboard-bad-'));
    const bin = join(dir, 'fw.bin');
    writeFileSync(bin, new Uint8Array([1, 2, 3, 4]));
    const missingDir = join(dir, 'no/such/dir/fw.hex');
    expect(caught(() => tools.bin2hex(bin, missingDir)).message).toBe(`${missingDir}: cannot write output file (ENOENT)`);
    const asDir = join(dir, 'out.dfu');
    mkdirSync(asDir);
    const e = caught(() => tools.bin2dfu(bin, asDir));
    expect(e.message).toMatch(new RegExp(`^${asDir}: cannot write output file \\((EISDIR|ENOTEMPTY|EEXIST)\\)$`));
    expect(readdirSync(dir).sort()).toEqual(['fw.bin', 'out.dfu']);
  });

  it('data-wide problems name the input: --base above the data, a flat image too large to be meant', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emboard-bad-'));
    const hex = join(dir, 'far.hex');
    // 4 bytes at 0, 4 bytes at 0x20000000: a 512 MiB flat image.
    writeFileSync(hex, ':0400000001020304F2\r\n:020000042000DA\r\n:0400000005060708E2\r\n:00000001FF\r\n');
    expect(caught(() => tools.hex2bin(hex, join(dir, 'o.bin'))).message).toBe(
      `${hex}: flat image from 0x00000000 to 0x20000004 would be 536870916 bytes (limit 268435456); are two memories mixed?`,
    );
    expect(caught(() => tools.hex2bin(hex, join(dir, 'o.bin'), { base: 4 })).message).toBe(`${hex}: --base 0x00000004 is above the lowest data address 0x00000000`);
    expect(readdirSync(dir)).toEqual(['far.hex']);
  });

  it('dfu2bin with several elements asks which one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emboard-bad-'));
    const hex = join(dir, 'two.hex');
    writeFileSync(hex, ':0400000001020304F2\r\n:0400100005060708D2\r\n:00000001FF\r\n');
    const dfu = join(dir, 'two.dfu');
    tools.hex2dfu(hex, dfu);
    expect(caught(() => tools.dfu2bin(dfu, join(dir, 'o.bin'))).message).toBe(
      `${dfu}: DfuSe file has 2 elements (0: 0x00000000+4, 1: 0x00000010+4); choose one with --element N or write all with --each`,
    );
    expect(caught(() => tools.dfu2bin(dfu, join(dir, 'o.bin'), { element: 2 })).message).toBe(`--element 2: ${dfu} has elements 0 to 1`);
  });
});

describe('malformed inputs through the CLI', () => {
  function emboard(args: string[]) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  const dir = mkdtempSync(join(tmpdir(), 'emboard-bad-cli-'));
  const pick = (name: string) => {
    const c = MALFORMED.find((m) => m.name === name)!;
    const p = join(dir, name.replace(/[^a-z0-9]+/gi, '_'));
    writeFileSync(p, c.bytes);
    return { c, p };
  };

  it('prints `emboard: FILE: what (at offset 0x…)` and exits 2 for a hex, a DfuSe and an ELF defect', () => {
    for (const name of ['hex: bad checksum', 'dfu: CRC broken', 'elf: x86 machine']) {
      const { c, p } = pick(name);
      const out = join(dir, 'out.bin');
      const r = emboard([c.tool, p, out]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^emboard: ${p}: .+ \\(at offset ${hex8(c.offset)}\\)\\n$`));
      expect(r.stderr).toMatch(c.message);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('bad flag values are usage errors (exit 2)', () => {
    const r = emboard(['hex2bin', '--gap-fill', '300', 'a.hex', 'b.bin']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/expects a byte value 0\.\.0xff, got '300'/);
  });
});
