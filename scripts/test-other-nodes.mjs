#!/usr/bin/env node
/**
 * The second half of `npm test`: the CLI end-to-end tests (test/e2e: the README journey,
 * apply/delete and the rest against a local cluster) again on each other supported Node
 * (scripts/node-binaries.mjs pins them and installs them on first use). vitest itself runs on
 * that Node, so the local cluster the tests start does too; MESOS_APPLY_TEST_NODE tells the
 * tests which binary runs the CLI, and MESOS_APPLY_TEST_NODE_VERSION what it must report.
 *
 * A version that cannot run here (a platform the registry has no build for) is skipped, and
 * said so on stderr and in the closing summary, never silently. Exits 1 if any run failed.
 *
 *   node scripts/test-other-nodes.mjs [vitest args...]     (default: test/e2e)
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary, OTHER_NODE_VERSIONS } from './node-binaries.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VITEST = path.join(REPO, 'node_modules', 'vitest', 'vitest.mjs');
const args = process.argv.length > 2 ? process.argv.slice(2) : ['test/e2e'];

const summary = [`Node ${process.version}: the whole suite (vitest run, above)`];
let failed = false;
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
    env: { ...process.env, MESOS_APPLY_TEST_NODE: found.node, MESOS_APPLY_TEST_NODE_VERSION: `v${version}` },
  });
  const ok = r.status === 0;
  failed ||= !ok;
  summary.push(`Node ${version}: ${args.join(' ')} ${ok ? 'passed' : `FAILED (exit ${r.status ?? r.signal})`}`);
}
process.stdout.write(`\nNode versions tested:\n${summary.map((l) => `  ${l}`).join('\n')}\n`);
process.exitCode = failed ? 1 : 0;
