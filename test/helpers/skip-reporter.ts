/**
 * Ends the run with (1) every skipped test by name, so a missing oracle (QEMU, Unicorn, the Arm toolchain,
 * …) is visible in CI logs and not only counted — test names carry the reason — and (2) one plain closing
 * line, `tests: N passed, N failed, N skipped`, that any log reader can parse.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SkipReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skipped: string[] = [];
    let passed = 0;
    let failed = 0;
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped.push(`${m.moduleId.replace(process.cwd() + '/', '')} › ${t.fullName}`);
      }
      if (m.state() === 'failed' && m.children.size === 0) failed++; // a file that failed to load
    }
    if (skipped.length) process.stdout.write(`\nSkipped tests (${skipped.length}):\n${skipped.map((s) => `  - ${s}`).join('\n')}\n`);
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped.length} skipped\n`);
  }
}
