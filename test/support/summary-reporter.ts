/**
 * Prints one plain closing line, `N passed, M failed, K skipped`, after vitest's own
 * summary, so that any log reader can tell how many tests ran. With MESOS_APPLY_TEST_TALLY
 * set (scripts/test.mjs), the counts are also appended to that file, one JSON line a run.
 */
import { appendFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (m.state() === 'failed' && m.children.size === 0) failed++;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    const tally = process.env.MESOS_APPLY_TEST_TALLY;
    if (tally) appendFileSync(tally, `${JSON.stringify({ passed, failed, skipped })}\n`);
  }
}
