#!/usr/bin/env node
/**
 * What `npm test` runs after the build and the checks: the whole suite on the Node running
 * this script, then the CLI end-to-end tests that show the CLI works on a Node (the README
 * journey, apply/delete against a local cluster, the CLI frame and its Node version; see
 * OTHER_NODE_TESTS) again on each other supported Node. The rest of test/e2e exercises our own
 * code paths, which do not change with the Node version, and running all of it three times
 * would take CI past its time budget
 * (scripts/node-binaries.mjs pins them and installs them on first use). vitest itself runs on
 * that Node, so the local cluster the tests start does too; MESOS_APPLY_TEST_NODE tells the
 * tests which binary runs the CLI, and MESOS_APPLY_TEST_NODE_VERSION what it must report.
 *
 * A version that cannot run here (a platform the registry has no build for) is skipped, and
 * said so on stderr and in the closing summary, never silently. Exits 1 if any run failed.
 * The last line adds up every run's tests (test/support/summary-reporter.ts writes each run's
 * counts to MESOS_APPLY_TEST_TALLY), so a log reader sees one total.
 *
 *   node scripts/test.mjs                 the whole suite, then OTHER_NODE_TESTS on the other Nodes
 *   node scripts/test.mjs --other-nodes [vitest args...]   only the other Nodes (default: OTHER_NODE_TESTS)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary, OTHER_NODE_VERSIONS } from './node-binaries.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VITEST = path.join(REPO, 'node_modules', 'vitest', 'vitest.mjs');
const otherOnly = process.argv[2] === '--other-nodes';
const rest = process.argv.slice(otherOnly ? 3 : 2);
const OTHER_NODE_TESTS = ['journey', 'apply', 'cli-frame', 'node-version'].map((n) => `test/e2e/${n}.test.ts`);
const args = rest.length > 0 ? rest : OTHER_NODE_TESTS;
const tallyDir = mkdtempSync(path.join(os.tmpdir(), 'mesos-apply-tally-'));
const tally = path.join(tallyDir, 'runs.jsonl');
const tallyEnv = { ...process.env, MESOS_APPLY_TEST_TALLY: tally };

const summary = [];
let failed = false;
if (!otherOnly) {
  const r = spawnSync(process.execPath, [VITEST, 'run'], { cwd: REPO, stdio: 'inherit', env: tallyEnv });
  failed ||= r.status !== 0;
  summary.push(
    `Node ${process.version}: the whole suite ${r.status === 0 ? 'passed' : `FAILED (exit ${r.status ?? r.signal})`}`,
  );
}
for (const version of OTHER_NODE_VERSIONS) {
  const found = nodeBinary(version);
  if ('skipped' in found) {
    const line = `Node ${version}: SKIPPED, the end-to-end tests did not run on it: ${found.skipped}`;
    process.stderr.write(`\n${line}\n`);
    summary.push(line);
    continue;
  }
  process.stdout.write(`\n=== ${args.join(' ')} on Node ${version} (${path.relative(REPO, found.node)}) ===\n`);
  const r = spawnSync(found.node, [VITEST, 'run', ...args], {
    cwd: REPO,
    stdio: 'inherit',
    env: { ...tallyEnv, MESOS_APPLY_TEST_NODE: found.node, MESOS_APPLY_TEST_NODE_VERSION: `v${version}` },
  });
  const ok = r.status === 0;
  failed ||= !ok;
  summary.push(`Node ${version}: ${args.join(' ')} ${ok ? 'passed' : `FAILED (exit ${r.status ?? r.signal})`}`);
}
const total = { passed: 0, failed: 0, skipped: 0 };
let lines = [];
try {
  lines = readFileSync(tally, 'utf8').split('\n').filter(Boolean);
} catch {
  // no run got as far as its reporter
}
for (const line of lines) {
  const run = JSON.parse(line);
  for (const k of Object.keys(total)) total[k] += run[k];
}
rmSync(tallyDir, { recursive: true, force: true });
process.stdout.write(`\nNode versions tested:\n${summary.map((l) => `  ${l}`).join('\n')}\n`);
// A run that died before its reporter counted nothing: it still fails the total.
if (failed && total.failed === 0) total.failed = 1;
process.stdout.write(`\ntotal: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
process.exitCode = failed ? 1 : 0;
