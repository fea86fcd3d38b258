/**
 * Nothing left unacknowledged: an apply SIGKILLed mid-launch leaves its tasks' updates
 * unacknowledged at the agent (the head of each stream, more queued behind it); one more
 * apply, which finds everything unchanged, must leave the agents holding none of them.
 * And nothing acknowledged twice: that apply records the heads it left acknowledged in the
 * framework's labels (src/apply/acked-heads.ts), so a no-change apply after it sends no
 * ACKNOWLEDGE at all. The built CLI against a local cluster; the agents' update streams are
 * read and the master's scheduler calls counted in-process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_ACKED_HEADS } from '../../src/apply/acked-heads.js';
import type { LocalCluster } from '../../src/local/index.js';
import type { GetFrameworks } from '../../src/mesos/types.js';
import { BIN, NODE, REPO, runCli } from '../support/cli.js';
import { allTasks, eventually, operator, testCluster } from '../support/cluster.js';

let cluster: LocalCluster;
const dir = mkdtempSync(path.join(tmpdir(), 'mesos-apply-acks-'));
/** Every ACKNOWLEDGE the master took, as `task:uuid`. */
const acknowledged: string[] = [];

beforeAll(async () => {
  cluster = await testCluster();
  const master = cluster.master;
  const call = master.call.bind(master);
  master.call = (fw, c) => {
    if (c.acknowledge) acknowledged.push(`${c.acknowledge.task_id.value}:${c.acknowledge.uuid}`);
    call(fw, c);
  };
});
afterAll(async () => {
  await cluster?.close();
});

function writeManifest(instances: number): void {
  writeFileSync(
    file,
    [
      'apiVersion: mesos-apply/v1',
      'kind: Task',
      'metadata: {name: acks}',
      'spec:',
      "  command: 'sleep 2; touch ready; exec sleep 3600'",
      `  instances: ${instances}`,
      '  resources: {cpus: 0.05, mem: 16}',
      "  healthCheck: {command: 'test -f ready', delay: 0, interval: 1, gracePeriod: 60, timeout: 2}",
      '',
    ].join('\n'),
  );
}

const file = path.join(dir, 'acks.yaml');
const cli = () => ({ env: { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: 'fw-acks' } });
const left = (frameworkId: string) => cluster.agents.reduce((n, a) => n + a.unacknowledgedUpdates(frameworkId), 0);
const mine = async () => (await allTasks(cluster.url)).tasks.filter((t) => t.name === 'acks');

/**
 * An apply of `instances` SIGKILLed once the master knows them all and the agents hold more
 * than `pending` updates for them: resolves the framework id and each task's head then.
 */
async function killedMidLaunch(instances: number, pending: number): Promise<{ frameworkId: string; heads: string[] }> {
  writeManifest(instances);
  const env = {
    ...process.env,
    NO_COLOR: '1',
    CI: 'true',
    MESOS_MASTER: cluster.url,
    MESOS_APPLY_FRAMEWORK: 'fw-acks',
  };
  const run = spawn(NODE, [BIN, '-f', file], { cwd: REPO, env, stdio: 'ignore' });
  const closed = new Promise((r) => run.on('close', r));
  // Mid-launch: the master knows every task; the new ones are not healthy yet (that takes 2 s).
  await eventually(async () => ((await mine()).length === instances ? true : undefined), 15_000, 5);
  run.kill('SIGSTOP'); // frozen: from here on it acknowledges nothing
  const frameworkId = (await mine())[0]?.framework_id.value ?? '';
  await eventually(async () => (left(frameworkId) > pending ? true : undefined));
  run.kill('SIGKILL');
  await closed;
  const heads = (await mine()).map((t) => `${t.task_id.value}:${t.status_update_uuid}`);
  return { frameworkId, heads };
}

async function labelValue(): Promise<string | undefined> {
  const frameworks = await operator<{ get_frameworks: GetFrameworks }>(cluster.url, { type: 'GET_FRAMEWORKS' });
  const fw = frameworks.get_frameworks.frameworks.find((f) => f.framework_info.name === 'fw-acks');
  return fw?.framework_info.labels?.labels?.find((l) => l.key === LABEL_ACKED_HEADS)?.value;
}

describe('updates left by a killed apply', () => {
  it('one apply after a SIGKILLed one leaves zero unacknowledged updates at the agents', async () => {
    // RUNNING (sent as the process starts) and the healthy update (2 s later) queue behind each
    // other: more than one update left for at least one task.
    const { frameworkId, heads } = await killedMidLaunch(3, 3);
    const second = await runCli(['-f', file], cli());
    expect(second.code).toBe(0);
    expect(left(frameworkId)).toBe(0);
    // The heads the killed run left: each acknowledged by the next run.
    expect(acknowledged).toEqual(expect.arrayContaining(heads));
  });

  it('a no-change apply after a clean one acknowledges nothing again; a head a killed run left, it does', async () => {
    // The clean run above said what it left acknowledged in the framework's labels, compactly.
    expect((await labelValue())?.length).toBeLessThan(600);
    const frameworkId = (await mine())[0]?.framework_id.value ?? '';
    acknowledged.length = 0;
    const third = await runCli(['-f', file], cli());
    expect(third.code).toBe(0);
    expect(acknowledged).toEqual([]);
    expect(left(frameworkId)).toBe(0);

    // One more instance, and that run is killed: the label still vouches for the three old
    // heads, not for the new task's, which the next run acknowledges.
    const old = new Set((await mine()).map((t) => t.task_id.value));
    const { heads } = await killedMidLaunch(4, 0);
    const fresh = heads.filter((h) => !old.has(h.slice(0, h.indexOf(':'))));
    expect(fresh).toHaveLength(1);
    acknowledged.length = 0;
    const fifth = await runCli(['-f', file], cli());
    expect(fifth.code).toBe(0);
    expect(left(frameworkId)).toBe(0);
    expect(acknowledged).toEqual(expect.arrayContaining(fresh));
  });
});
