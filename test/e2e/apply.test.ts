/**
 * apply and delete end to end: the built CLI, spawned as a user would run it, against a
 * local cluster this file starts on a free port. Each test uses its own framework name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalCluster } from '../../src/local/index.js';
import { runCli } from '../support/cli.js';
import { eventually, killTaskProcess, tasksNamed, testCluster } from '../support/cluster.js';

let cluster: LocalCluster;
const dir = mkdtempSync(path.join(tmpdir(), 'mesos-apply-e2e-'));
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

function cli(framework: string, args: string[], env: Record<string, string> = {}) {
  return runCli(args, { env: { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: framework, ...env } });
}

const service = (cmd: string) => `command: '${cmd}'\nresources: {cpus: 0.1, mem: 32}`;

describe('apply and delete', () => {
  it('applies a service, re-applies it unchanged, and deletes it', async () => {
    const f = manifest('svc', service('while true; do echo up; sleep 1; done'));
    const first = await cli('fw-basic', ['-f', f]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain('running');
    const { active } = await tasksNamed(cluster.url, 'svc');
    expect(active.map((t) => t.state)).toEqual(['TASK_RUNNING']);

    const again = await cli('fw-basic', ['-f', f, '-o', 'json']);
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report.ok).toBe(true);
    expect(report.instances).toMatchObject([
      { name: 'svc', instance: 0, action: 'unchanged', outcome: 'unchanged', state: 'TASK_RUNNING' },
    ]);

    const del = await cli('fw-basic', ['delete', 'svc']);
    expect(del.code, del.stdout + del.stderr).toBe(0);
    expect((await tasksNamed(cluster.url, 'svc')).active).toEqual([]);
  });

  it('replaces a changed task new-first, and keeps the old one when the new one fails', async () => {
    const v1 = manifest('rep', service('while true; do echo v1; sleep 1; done'));
    expect((await cli('fw-replace', ['-f', v1])).code).toBe(0);
    const [old] = (await tasksNamed(cluster.url, 'rep')).active;

    const v2 = manifest('rep', service('while true; do echo v2; sleep 1; done'));
    const r = await cli('fw-replace', ['-f', v2]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const after = await tasksNamed(cluster.url, 'rep');
    expect(after.active).toHaveLength(1);
    expect(after.active[0].task_id.value).not.toBe(old.task_id.value);
    const killed = after.completed.find((t) => t.task_id.value === old.task_id.value)!;
    const newRunning = after.active[0].statuses!.find((s) => s.state === 'TASK_RUNNING')!.timestamp!;
    const oldKilling = killed.statuses!.find((s) => s.state === 'TASK_KILLING' || s.state === 'TASK_KILLED')!
      .timestamp!;
    expect(oldKilling).toBeGreaterThanOrEqual(newRunning);

    const broken = manifest('rep', service('echo broken >&2; exit 3'));
    const failed = await cli('fw-replace', ['-f', broken]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('Command exited with status 3');
    expect(failed.stdout).toContain('broken');
    const still = await tasksNamed(cluster.url, 'rep');
    expect(still.active.map((t) => [t.task_id.value, t.state])).toEqual([
      [after.active[0].task_id.value, 'TASK_RUNNING'],
    ]);
  });

  it('relaunches a task killed behind its back', async () => {
    const f = manifest('victim', service('exec sleep 3607'));
    expect((await cli('fw-relaunch', ['-f', f])).code).toBe(0);
    await killTaskProcess(cluster.url, 'victim');
    await eventually(async () =>
      (await tasksNamed(cluster.url, 'victim')).active.some((t) => t.state === 'TASK_FAILED') ? true : undefined,
    );
    const r = await cli('fw-relaunch', ['-f', f, '-o', 'json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).instances).toMatchObject([{ action: 'relaunch', outcome: 'running' }]);
  });

  it('prunes tasks no manifest names, and refuses an empty set without --allow-empty', async () => {
    const a = manifest('keep', service('exec sleep 3611'));
    const b = manifest('drop', service('exec sleep 3612'));
    expect((await cli('fw-prune', ['-f', a, '-f', b])).code).toBe(0);
    const r = await cli('fw-prune', ['-f', a, '--prune']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await tasksNamed(cluster.url, 'drop')).active).toEqual([]);
    expect((await tasksNamed(cluster.url, 'keep')).active).toHaveLength(1);

    const emptyDir = mkdtempSync(path.join(dir, 'empty-'));
    writeFileSync(path.join(emptyDir, 'none.yaml'), '# nothing\n');
    const refused = await cli('fw-prune', ['-f', emptyDir, '--prune']);
    expect(refused.code).toBe(2);
    expect((await tasksNamed(cluster.url, 'keep')).active).toHaveLength(1);
  });

  it('runs a job to completion, and fails the apply when a job exits non-zero', async () => {
    const ok = manifest('job-ok', `goal: finished\ncommand: 'echo done'\nresources: {cpus: 0.1, mem: 32}`);
    const r = await cli('fw-jobs', ['-f', ok]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('finished');
    const again = await cli('fw-jobs', ['-f', ok, '-o', 'json']);
    expect(JSON.parse(again.stdout).instances).toMatchObject([{ action: 'unchanged' }]);

    const bad = manifest(
      'job-bad',
      `goal: finished\ncommand: 'echo nope >&2; exit 4'\nresources: {cpus: 0.1, mem: 32}`,
    );
    const failed = await cli('fw-jobs', ['-f', bad]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('TASK_FAILED');
    expect(failed.stdout).toContain('Command exited with status 4');
    expect(failed.stdout).toContain('nope');
  });

  it('says quickly why a task fits no agent', async () => {
    const f = manifest('huge', `command: 'sleep 10'\nresources: {cpus: 64, mem: 32}`);
    const started = Date.now();
    const r = await cli('fw-huge', ['-f', f]);
    expect(r.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.stdout).toMatch(/fits no agent/);
    expect(r.stdout).toMatch(/cpus/);
    const described = await cli('fw-huge', ['describe', 'huge', '-f', f]);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/Pending: fits no agent at all/);
    expect(described.stdout).toMatch(/less than cpus 64/);
  });

  it('reports a fixed host port that is taken', async () => {
    const a = manifest(
      'porta',
      `command: 'exec sleep 3621'\nresources: {cpus: 0.1, mem: 32}\nports: [{name: web, hostPort: 31555}]`,
    );
    const b = manifest(
      'portb',
      `command: 'exec sleep 3622'\nresources: {cpus: 0.1, mem: 32}\nports: [{name: web, hostPort: 31555}]`,
    );
    expect((await cli('fw-ports', ['-f', a])).code).toBe(0);
    const r = await cli('fw-ports', ['-f', b, '--pending-timeout', '3s']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('31555');
  });

  it('never prints a fromEnv secret, and hands it to the task', async () => {
    const secret = 'sup3r-s3cret-value';
    const f = manifest(
      'secret',
      `command: '[ \${#DB_PASSWORD} -eq ${secret.length} ] && echo secret-ok; exec sleep 3631'\nenv: {DB_PASSWORD: {fromEnv: MY_SECRET}}\nresources: {cpus: 0.1, mem: 32}`,
    );
    const outputs: string[] = [];
    const apply = await cli('fw-secret', ['-f', f], { MY_SECRET: secret });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    for (const args of [
      ['plan', '-f', f],
      ['plan', '-f', f, '-o', 'json'],
      ['get', '-o', 'json'],
      ['describe', 'secret'],
      ['describe', 'secret', '-o', 'json'],
      ['-f', f, '-o', 'json'],
    ]) {
      const r = await cli('fw-secret', args, { MY_SECRET: secret });
      outputs.push(r.stdout, r.stderr);
    }
    outputs.push(apply.stdout, apply.stderr);
    for (const o of outputs) expect(o).not.toContain(secret);
    const logs = await eventually(async () => {
      const r = await cli('fw-secret', ['logs', 'secret']);
      return r.stdout.includes('secret-ok') ? r : undefined;
    });
    expect(logs.code).toBe(0);
  });

  it('refuses to send anything when a fromEnv variable is unset', async () => {
    const f = manifest(
      'nosecret',
      `command: 'sleep 1'\nenv: {TOKEN: {fromEnv: SURELY_UNSET_VAR}}\nresources: {cpus: 0.1, mem: 32}`,
    );
    const r = await cli('fw-nosecret', ['-f', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SURELY_UNSET_VAR');
    expect((await tasksNamed(cluster.url, 'nosecret')).active).toEqual([]);
  });

  it('deletes unknown names with exit 1 listing what exists, unless --ignore-not-found', async () => {
    const f = manifest('known', service('exec sleep 3641'));
    expect((await cli('fw-del', ['-f', f])).code).toBe(0);
    const r = await cli('fw-del', ['delete', 'unknown-name']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('known');
    expect((await cli('fw-del', ['delete', 'unknown-name', '--ignore-not-found'])).code).toBe(0);
    expect((await cli('fw-del', ['delete', '-f', f])).code).toBe(0);
  });
});
