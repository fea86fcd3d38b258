/**
 * Scheduled jobs and the one-shot CLI, end to end (the built CLI against a local cluster):
 * `apply` validates a job with `spec.schedule`, launches nothing and says it needs the
 * controller (exit 0); `plan` lists it as scheduled; `apply --prune` leaves the runs the
 * controller started alone, even when the job's spec changed; a bad cron expression is a
 * positioned validate error (exit 2) with nothing sent.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCluster } from '../../src/local/index.js';
import { runCli } from '../support/cli.js';
import { manifestWriter, tasksNamed, testCluster } from '../support/cluster.js';

let cluster: LocalCluster;
const manifest = manifestWriter('mesos-apply-scheduled-');

beforeAll(async () => {
  cluster = await testCluster();
});
afterAll(async () => {
  await cluster?.close();
});

function cli(framework: string, args: string[]) {
  return runCli(args, { env: { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: framework }, timeoutMs: 90_000 });
}

const job = (cmd: string, extra = '') =>
  `goal: finished\ncommand: '${cmd}'\nresources: {cpus: 0.1, mem: 32}\n${extra}`.trimEnd();
const schedule = 'schedule: {cron: "*/5 * * * * *", timeZone: Europe/Berlin}';

describe('a scheduled job under one-shot apply', () => {
  it('is validated, listed by plan, not launched by apply, and says it needs the controller', async () => {
    const file = manifest('tick', job('echo tick', schedule));
    const plan = await cli('fw-sched-new', ['plan', '-f', file]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain('Scheduled tick: cron "*/5 * * * * *" (Europe/Berlin)');
    const json = await cli('fw-sched-new', ['plan', '-f', file, '-o', 'json']);
    const doc = JSON.parse(json.stdout) as { items: unknown[]; scheduled: { name: string }[] };
    expect(doc.items).toEqual([]);
    expect(doc.scheduled.map((j) => j.name)).toEqual(['tick']);

    const r = await cli('fw-sched-new', ['-f', file]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain('note: Scheduled tick');
    expect(r.stderr).toContain('mesos-apply controller');
    // apply returns once what it launched is up: had it launched the job, the master would list it.
    const tasks = await tasksNamed(cluster.url, 'tick');
    expect([...tasks.active, ...tasks.completed]).toEqual([]);
  });

  it('apply --prune leaves a running job alone once it has a schedule, even with a changed spec', async () => {
    const fw = 'fw-sched-prune';
    const plain = manifest('batch', job('sleep 300'));
    const first = await cli(fw, ['-f', plain, '--no-wait']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const before = await tasksNamed(cluster.url, 'batch');
    expect(before.active).toHaveLength(1);
    const id = before.active[0]?.task_id.value;

    // The same job, now scheduled and with another command: apply must neither replace
    // nor prune the run that is going on (the controller owns the job's runs).
    const scheduled = manifest('batch', job('sleep 301', schedule));
    const r = await cli(fw, ['-f', scheduled, '--prune']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain('note: Scheduled batch');
    const after = await tasksNamed(cluster.url, 'batch');
    expect(after.active.map((t) => t.task_id.value)).toEqual([id]);
    expect(after.active[0]?.state).toBe('TASK_RUNNING');

    // Without the manifest, --prune does remove it: the name is no longer applied.
    const other = manifest('other', job('true'));
    const gone = await cli(fw, ['-f', other, '--prune']);
    expect(gone.code, gone.stdout + gone.stderr).toBe(0);
    expect((await tasksNamed(cluster.url, 'batch')).active).toEqual([]);
  });

  it('a bad cron expression is a positioned validate error and nothing is sent', async () => {
    const file = manifest('bad', job('true', 'schedule: {cron: "0 25 * * *"}'));
    const r = await cli('fw-sched-bad', ['-f', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`${path.basename(file)}:8:20: spec.schedule.cron: not a valid cron expression`),
    );
    expect(r.stderr).toContain('spec.schedule.cron');
    const tasks = await tasksNamed(cluster.url, 'bad');
    expect([...tasks.active, ...tasks.completed]).toEqual([]);
  });
});
