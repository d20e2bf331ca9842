/**
 * Records QEMU's UART0 output and exit status for every test program into test/firmware/expected/.
 * Each program runs three times and must print the same bytes every time (QEMU's virtual clock follows
 * the host clock, so an output that depends on timing would show up here as a flaky program).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCHMARKS, EXPECTED_DIR, PROGRAMS, runProgramInQemu } from './programs.js';

mkdirSync(EXPECTED_DIR, { recursive: true });
const status: Record<string, number | null> = {};
for (const name of [...PROGRAMS, ...BENCHMARKS]) {
  const r = await runProgramInQemu(name);
  if (r.timedOut) throw new Error(`${name}: QEMU timed out`);
  for (let i = 0; i < 2; i++) {
    const again = await runProgramInQemu(name);
    if (again.stdout !== r.stdout || again.status !== r.status) throw new Error(`${name}: output differs between QEMU runs`);
  }
  writeFileSync(join(EXPECTED_DIR, `${name}.txt`), r.stdout, 'latin1');
  status[name] = r.status;
  process.stdout.write(`${name}: status ${r.status}, ${r.stdout.length} bytes, ${r.wallMs.toFixed(0)} ms\n`);
}
writeFileSync(join(EXPECTED_DIR, 'status.json'), JSON.stringify(status, null, 2) + '\n');
