/**
 * Nothing left unacknowledged: an apply SIGKILLed mid-launch leaves its tasks' updates
 * unacknowledged at the agent (the head of each stream, more queued behind it); one more
 * apply, which finds everything unchanged, must leave the agents holding none of them.
 * The built CLI against a local cluster; the agents' update streams are read in-process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCluster } from '../../src/local/index.js';
import { BIN, NODE, REPO, runCli } from '../support/cli.js';
import { allTasks, eventually, testCluster } from '../support/cluster.js';

let cluster: LocalCluster;
const dir = mkdtempSync(path.join(tmpdir(), 'mesos-apply-acks-'));

beforeAll(async () => {
  cluster = await testCluster();
});
afterAll(async () => {
  await cluster?.close();
});

describe('updates left by a killed apply', () => {
  it('one apply after a SIGKILLed one leaves zero unacknowledged updates at the agents', async () => {
    const file = path.join(dir, 'acks.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: mesos-apply/v1',
        'kind: Task',
        'metadata: {name: acks}',
        'spec:',
        "  command: 'sleep 2; touch ready; exec sleep 3600'",
        '  instances: 3',
        '  resources: {cpus: 0.05, mem: 16}',
        "  healthCheck: {command: 'test -f ready', delay: 0, interval: 1, gracePeriod: 60, timeout: 2}",
        '',
      ].join('\n'),
    );
    const env = {
      ...process.env,
      NO_COLOR: '1',
      CI: 'true',
      MESOS_MASTER: cluster.url,
      MESOS_APPLY_FRAMEWORK: 'fw-acks',
    };
    const first = spawn(NODE, [BIN, '-f', file], { cwd: REPO, env, stdio: 'ignore' });
    const closed = new Promise((r) => first.on('close', r));
    // Mid-launch: the master knows the three tasks; none is healthy yet (that takes 2 s).
    await eventually(
      async () => {
        const mine = (await allTasks(cluster.url)).tasks.filter((t) => t.name === 'acks');
        return mine.length === 3 ? mine : undefined;
      },
      15_000,
      5,
    );
    first.kill('SIGSTOP'); // frozen: from here on it acknowledges nothing

    const frameworkId = (await allTasks(cluster.url)).tasks.find((t) => t.name === 'acks')?.framework_id.value ?? '';
    // RUNNING (sent as the process starts) and the healthy update (2 s later) queue behind each
    // other: more than one update left for at least one task.
    const left = () => cluster.agents.reduce((n, a) => n + a.unacknowledgedUpdates(frameworkId), 0);
    await eventually(async () => (left() > 3 ? true : undefined));
    first.kill('SIGKILL');
    await closed;

    const second = await runCli(['-f', file], { env: { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: 'fw-acks' } });
    expect(second.code).toBe(0);
    expect(left()).toBe(0);
  });
});
