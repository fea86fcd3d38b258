/**
 * Prints one plain closing line, `N passed, M failed, K skipped`, after vitest's own
 * summary, so that any log reader can tell how many tests ran. Tests skipped at run time
 * with a reason (`ctx.skip(note)`, e.g. the Docker tests without an engine) are listed
 * before it, one line per reason with its count: a skip is never silent. With
 * MESOS_APPLY_TEST_TALLY set (scripts/test.mjs), the counts are also appended to that
 * file, one JSON line a run.
 */
import { appendFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const reasons = new Map<string, number>();
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const result = t.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') failed++;
        else {
          skipped++;
          const note = result.state === 'skipped' ? result.note : undefined;
          if (note !== undefined) reasons.set(note, (reasons.get(note) ?? 0) + 1);
        }
      }
      if (m.state() === 'failed' && m.children.size === 0) failed++;
    }
    for (const [note, count] of reasons) process.stdout.write(`\nskipped ${count}: ${note}`);
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    const tally = process.env.MESOS_APPLY_TEST_TALLY;
    if (tally) appendFileSync(tally, `${JSON.stringify({ passed, failed, skipped })}\n`);
  }
}
