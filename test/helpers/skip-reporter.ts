/**
 * Lists every skipped test by name at the end of the run, so a missing oracle (QEMU, Unicorn, the Arm
 * toolchain, …) is visible in CI logs and not only counted. Test names carry the reason.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SkipReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skipped: string[] = [];
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'skipped' || state === 'pending') skipped.push(`${m.moduleId.replace(process.cwd() + '/', '')} › ${t.fullName}`);
      }
    }
    if (skipped.length === 0) return;
    process.stdout.write(`\nSkipped tests (${skipped.length}):\n${skipped.map((s) => `  - ${s}`).join('\n')}\n`);
  }
}
