/**
 * Our test programs on QEMU's mps2-an386 and on emboard's: UART0 output and semihosting exit status must
 * be byte-identical. QEMU's side is recorded in test/firmware/expected/ (so emboard's half runs without
 * QEMU) and re-checked live when qemu-system-arm is installed; the recording step runs every program
 * three times to make sure its output does not depend on host timing.
 */
import { describe, expect, it } from 'vitest';
import { findQemu } from '../helpers/qemu.js';
import { runOnEmboard } from './emboard-run.js';
import { BENCHMARKS, PROGRAM_INPUT, PROGRAMS, elfPath, expected, runProgramInQemu } from './programs.js';

const qemu = findQemu();
/** Programs whose emboard run does not match QEMU yet, with the reason (the emboard half is skipped). */
const EMBOARD_KNOWN_DIFFERENCES: Partial<Record<string, string>> = {};

describe.each(PROGRAMS.map((p) => [p]))('%s', (name) => {
  const want = expected(name);

  it.skipIf(qemu === null)(`QEMU prints the recorded output${qemu === null ? ' (skipped: qemu-system-arm not installed)' : ''}`, async () => {
    const r = await runProgramInQemu(name);
    expect(r.timedOut).toBe(false);
    expect(r.stdout).toBe(want.stdout);
    expect(r.status).toBe(want.status);
  });

  const why = EMBOARD_KNOWN_DIFFERENCES[name];
  if (why !== undefined) {
    it.skip(`emboard prints byte-identical output (skipped: ${why})`, () => {});
  } else {
    it('emboard prints byte-identical output and exits with the same status', () => {
      const r = runOnEmboard(elfPath(name), undefined, PROGRAM_INPUT[name]);
      expect(r.stdout).toBe(want.stdout);
      expect(r.reason).toBe('exit');
      expect(r.status).toBe(want.status);
    });
  }
});

// The full-size benchmarks take ~1 s each in QEMU and far longer in emboard: checked on demand only.
describe.skipIf(!process.env['EMBOARD_SLOW_TESTS'])('full-size benchmarks (EMBOARD_SLOW_TESTS=1)', () => {
  it.each(BENCHMARKS.map((b) => [b]))('%s matches the recorded checksum on emboard', (name) => {
    const want = expected(name);
    const r = runOnEmboard(elfPath(name), 5_000_000_000);
    expect(r.stdout).toBe(want.stdout);
    expect(r.status).toBe(want.status);
  });
});
