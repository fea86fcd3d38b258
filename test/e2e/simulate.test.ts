/**
 * What a simulated agent reports, seen through the real CLI and the operator API: health
 * checks pass, then fail on request until the task is killed (healthy=false on its
 * TASK_KILLED), `lost` ends a task as an executor that vanished, and a KILL of a task
 * slower to stop than its grace period ends it by SIGKILL at the grace.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCluster } from '../../src/local/index.js';
import type { Task } from '../../src/mesos/types.js';
import { runCli } from '../support/cli.js';
import { allTasks, eventually, testCluster } from '../support/cluster.js';

let cluster: LocalCluster;
const dir = mkdtempSync(path.join(tmpdir(), 'mesos-apply-sim-'));

beforeAll(async () => {
  cluster = await testCluster({ agents: 3, resources: undefined, simulate: { startDelayMs: 20, stopDelayMs: 60_000 } });
});
afterAll(async () => {
  cluster?.destroy();
});

function manifest(name: string, spec: string): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: ${name}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`,
  );
  return file;
}

const cli = (framework: string, args: string[]) =>
  runCli([...args, '--master', cluster.url, '--framework', framework, '-o', 'json']);

async function control(body: object): Promise<string[]> {
  const res = await fetch(`${cluster.url}/local/simulate`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { applied: string[] }).applied;
}

/** The task once terminal: listed as active until its last update is acknowledged (no CLI runs to do it). */
async function completed(taskId: string): Promise<Task> {
  return eventually(async () => {
    const all = await allTasks(cluster.url);
    const t = [...all.tasks, ...all.completed_tasks].find((x) => x.task_id.value === taskId);
    return t !== undefined && !['TASK_RUNNING', 'TASK_STAGING', 'TASK_STARTING', 'TASK_KILLING'].includes(t.state)
      ? t
      : undefined;
  });
}

describe('simulated agents', () => {
  it('pass health checks, fail them on request, and kill the task after consecutive failures', async () => {
    const f = manifest(
      'hc',
      "command: 'serve'\nresources: {cpus: 0.1, mem: 32}\nkillGracePeriod: 1s\nhealthCheck: {command: 'true', interval: 1s, consecutiveFailures: 2, delay: 0s}",
    );
    const first = await cli('fw-hc', ['-f', f]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const [inst] = (JSON.parse(first.stdout) as { instances: { taskId: string; healthy: boolean | null }[] }).instances;
    expect(inst?.healthy).toBe(true);
    expect(await control({ action: 'unhealthy', task_id: inst?.taskId })).toEqual([inst?.taskId]);
    const done = await completed(inst?.taskId ?? '');
    expect(done.state).toBe('TASK_KILLED');
    expect(done.statuses?.at(-1)?.healthy).toBe(false);
  });

  it('ends a lost task as an executor that vanished, and kills a slow task at its grace period', async () => {
    const f = manifest('two', "instances: 2\ncommand: 'serve'\nresources: {cpus: 0.1, mem: 32}\nkillGracePeriod: 1s");
    const first = await cli('fw-two', ['-f', f]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const ids = (JSON.parse(first.stdout) as { instances: { taskId: string }[] }).instances.map((i) => i.taskId);
    expect(await control({ action: 'lost', task_id: ids[0] })).toEqual([ids[0]]);
    const lost = await completed(ids[0] ?? '');
    expect(lost.statuses?.at(-1)).toMatchObject({
      state: 'TASK_FAILED',
      reason: 'REASON_EXECUTOR_TERMINATED',
      source: 'SOURCE_AGENT',
    });
    const del = await cli('fw-two', ['delete', 'two']);
    expect(del.code, del.stdout + del.stderr).toBe(0);
    const killed = await completed(ids[1] ?? '');
    expect(killed.statuses?.at(-1)).toMatchObject({
      state: 'TASK_KILLED',
      message: 'Command terminated with signal Killed',
    });
  });
});
