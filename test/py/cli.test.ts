/** `emboard py` end to end: script status and streams, the REPL on a pipe. */
import { describe, expect, it, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPyWasm } from '../../firmware/ports/host/node/vm-host.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src/cli/main.ts');

function emboard(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    timeout: 60_000,
  });
}

describe('emboard py', () => {
  beforeAll(async () => {
    await loadPyWasm(); // compiled once here, not inside the child processes' time
  });

  it('runs a script: output on stdout, traceback on stderr, status 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emboard-py-'));
    const script = join(dir, 'fail.py');
    writeFileSync(script, 'print("before")\nx = {}\nx["missing"]\n');
    const r = emboard(['py', script]);
    expect(r.stdout).toBe('before\n');
    expect(r.stderr).toBe(`Traceback (most recent call last):\n  File "${script}", line 3, in <module>\nKeyError: 'missing'\n`);
    expect(r.status).toBe(1);
  });

  it('reads the REPL from a pipe and exits with sys.exit status', () => {
    const r = emboard(['py'], 'a = [1, 2]\na * 2\nimport sys\nsys.exit(5)\n');
    expect(r.stdout).toContain('>>> >>> [1, 2, 1, 2]\n>>> >>> ');
    expect(r.status).toBe(5);
  });

  it('rejects a bad --heap with a one-line error', () => {
    const r = emboard(['py', '--heap', 'lots', '-c', 'pass']);
    expect(r.stderr.trim()).toBe("emboard: --heap: expected a size like 65536, 64k or 1m, got 'lots'");
    expect(r.status).toBe(2);
  });
});
