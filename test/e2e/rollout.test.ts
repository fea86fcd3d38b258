/**
 * Rollouts end to end: the built CLI against a local cluster. Batches (capacity checked by
 * polling the master's /state while apply runs), recreate for a fixed host port and the
 * fast error without it, a failing batch that stops the rollout and reverts.
 * minHealthyTime is 1s here (the spec's own value: MESOS_APPLY_MIN_RUNNING is cleared).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalCluster } from '../../src/local/index.js';
import { runCli } from '../support/cli.js';
import { tasksNamed, testCluster } from '../support/cluster.js';

let cluster: LocalCluster;
const dir = mkdtempSync(path.join(tmpdir(), 'mesos-apply-rollout-'));
let n = 0;

beforeAll(async () => {
  cluster = await testCluster();
});
afterAll(async () => {
  await cluster?.close();
});

function manifest(name: string, spec: string): string {
  const file = path.join(dir, `${name}-${++n}.yaml`);
  writeFileSync(
    file,
    `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: ${name}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`,
  );
  return file;
}

function cli(framework: string, args: string[]) {
  return runCli(args, {
    env: { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: framework, MESOS_APPLY_MIN_RUNNING: '' },
    timeoutMs: 90_000,
  });
}

const svc = (cmd: string, extra = '') => `command: '${cmd}'\nresources: {cpus: 0.1, mem: 32}\n${extra}`.trimEnd();

interface StateTask {
  state: string;
  labels?: { key: string; value?: string }[];
}

/** Running tasks of manifest `name` per the master's /state. */
async function runningOf(name: string): Promise<number> {
  const res = await fetch(`${cluster.url}/state`);
  const state = (await res.json()) as { frameworks: { tasks: StateTask[] }[] };
  return state.frameworks
    .flatMap((f) => f.tasks)
    .filter(
      (t) => t.state === 'TASK_RUNNING' && t.labels?.some((l) => l.key === 'mesos-apply/name' && l.value === name),
    ).length;
}

describe('rollouts', () => {
  it('replaces a 4-instance service one at a time: never more than 5 running, never fewer than 3', async () => {
    const rollout = 'rollout: {maxParallel: 1, minHealthyTime: 1s}';
    const v1 = manifest('web', svc('while true; do echo v1; sleep 1; done', `instances: 4\n${rollout}`));
    const first = await cli('fw-batches', ['-f', v1]);
    expect(first.code, first.stdout + first.stderr).toBe(0);

    const v2 = manifest('web', svc('while true; do echo v2; sleep 1; done', `instances: 4\n${rollout}`));
    const plan = await cli('fw-batches', ['plan', '-f', v2]);
    expect(plan.stdout).toContain('batch 1/4: web/0');
    expect(plan.stdout).toContain('batch 4/4: web/3');

    const seen: number[] = [];
    let done = false;
    const poll = (async () => {
      while (!done) {
        seen.push(await runningOf('web'));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const r = await cli('fw-batches', ['-f', v2]).finally(() => (done = true));
    await poll;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain('batch 2/4: web/1');
    expect(seen.length).toBeGreaterThan(10);
    expect(Math.max(...seen)).toBeLessThanOrEqual(5);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(3);
    // A fifth copy did run at some point: the rollout really overlapped new and old.
    expect(seen).toContain(5);
    const after = await tasksNamed(cluster.url, 'web');
    expect(after.active).toHaveLength(4);
  }, 120_000);

  it('a fixed host port: rolling fails at once naming the port and the strategy; recreate updates it', async () => {
    const port = 'ports: [{name: http, hostPort: 31555}]';
    const v1 = manifest('fixed', svc('while true; do echo v1; sleep 1; done', port));
    expect((await cli('fw-fixed', ['-f', v1])).code).toBe(0);

    const v2 = manifest('fixed', svc('while true; do echo v2; sleep 1; done', port));
    const plan = await cli('fw-fixed', ['plan', '-f', v2]);
    expect(plan.stdout).toContain(
      'port 31555 is held by fixed/0, the task this replaces: use rollout.strategy: recreate',
    );
    const started = Date.now();
    const rolling = await cli('fw-fixed', ['-f', v2]);
    expect(rolling.code).toBe(1);
    expect(rolling.stdout + rolling.stderr).toContain('port 31555 is held by fixed/0');
    expect(rolling.stdout + rolling.stderr).toContain('rollout.strategy: recreate');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(10_000);

    const v3 = manifest(
      'fixed',
      svc('while true; do echo v2; sleep 1; done', `${port}\nrollout: {strategy: recreate, minHealthyTime: 1s}`),
    );
    const recreate = await cli('fw-fixed', ['-f', v3]);
    expect(recreate.code, recreate.stdout + recreate.stderr).toBe(0);
    const after = await tasksNamed(cluster.url, 'fixed');
    expect(after.active).toHaveLength(1);
    expect(after.active[0]?.task_id.value).not.toBe(
      (await tasksNamed(cluster.url, 'fixed')).completed[0]?.task_id.value,
    );
  }, 120_000);

  it('a batch failing its health check stops the rollout; autoRevert runs the old version everywhere', async () => {
    const rollout = 'rollout: {maxParallel: 1, minHealthyTime: 1s, strategy: recreate, autoRevert: true}';
    const v1 = manifest('hc', svc('while true; do echo v1; sleep 1; done', `instances: 2\n${rollout}`));
    expect((await cli('fw-revert', ['-f', v1])).code).toBe(0);
    const oldHash = (await tasksNamed(cluster.url, 'hc')).active[0]?.labels?.labels?.find(
      (l) => l.key === 'mesos-apply/spec-hash',
    )?.value;

    const hc =
      'healthCheck: {command: "exit 1", delay: 0, interval: 1, timeout: 1, gracePeriod: 0, consecutiveFailures: 1}';
    const v2 = manifest('hc', svc('while true; do echo v2; sleep 1; done', `instances: 2\n${rollout}\n${hc}`));
    const r = await cli('fw-revert', ['-f', v2]);
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(1);
    expect(out).toContain('rollout stopped at batch 1/2');
    expect(out).toContain('revert hc/0');
    const after = await tasksNamed(cluster.url, 'hc');
    const hashes = after.active.map((t) => t.labels?.labels?.find((l) => l.key === 'mesos-apply/spec-hash')?.value);
    expect(hashes).toEqual([oldHash, oldHash]);
  }, 120_000);

  it('apply --replace re-runs a finished job (and a bad name is refused before anything is sent)', async () => {
    const job = manifest('once', 'goal: finished\ncommand: "echo done"\nresources: {cpus: 0.1, mem: 32}');
    expect((await cli('fw-replace-flag', ['-f', job])).code).toBe(0);
    const again = await cli('fw-replace-flag', ['-f', job]);
    expect(again.stdout).toContain('unchanged');
    const plan = await cli('fw-replace-flag', ['plan', '-f', job, '--replace', 'once']);
    expect(plan.stdout).toContain('--replace');
    const r = await cli('fw-replace-flag', ['-f', job, '--replace', 'once']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { completed } = await tasksNamed(cluster.url, 'once');
    expect(completed.filter((t) => t.state === 'TASK_FINISHED')).toHaveLength(2);
    const bad = await cli('fw-replace-flag', ['-f', job, '--replace', 'once/1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--replace once/1');
  }, 60_000);

  it('a changed fromEnv secret replaces the task, and its value appears in no output', async () => {
    const spec = svc(
      'while true; do sleep 1; done',
      'env: {TOKEN: {fromEnv: ROLL_TOKEN}}\nrollout: {minHealthyTime: 1s}',
    );
    const f = manifest('sec', spec);
    const run = (token: string, args: string[]) =>
      runCli(args, {
        env: {
          MESOS_MASTER: cluster.url,
          MESOS_APPLY_FRAMEWORK: 'fw-secret',
          MESOS_APPLY_MIN_RUNNING: '',
          ROLL_TOKEN: token,
        },
        timeoutMs: 60_000,
      });
    const first = await run('first-Value-7431', ['-f', f]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect((await run('first-Value-7431', ['plan', '-f', f])).stdout).toContain('No changes');

    const outputs = [
      await run('second-Value-9902', ['plan', '-f', f]),
      await run('second-Value-9902', ['plan', '-f', f, '-o', 'json']),
    ];
    expect(outputs[0]?.stdout).toContain('~ sec/0');
    expect(outputs[0]?.stdout).toContain('secret TOKEN changed');
    const applied = await run('second-Value-9902', ['-f', f]);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    outputs.push(
      applied,
      await run('second-Value-9902', ['get', 'sec']),
      await run('second-Value-9902', ['describe', '-f', f]),
    );
    for (const o of [first, ...outputs]) {
      for (const secret of ['first-Value-7431', 'second-Value-9902']) {
        expect(o.stdout).not.toContain(secret);
        expect(o.stderr).not.toContain(secret);
      }
    }
    const { active } = await tasksNamed(cluster.url, 'sec');
    expect(active).toHaveLength(1);
    expect(JSON.stringify(active[0]?.labels)).not.toContain('Value-');
  }, 90_000);
});
