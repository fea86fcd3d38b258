/**
 * `mesos-apply controller`, end to end (issue 12): real controller processes against a
 * local cluster. A service killed behind the tool's back is running again within its
 * backoff, once; a crash-looping one backs off as specified; two controllers take turns
 * (the standby takes over from a SIGKILLed leader and heals what died in between, never
 * two tasks for one instance); one-shot apply and delete refuse a controller-held
 * namespace; SIGTERM leaves the tasks running. Every wait is for a condition, with
 * generous bounds: the machine is shared. One framework name per test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalCluster } from '../../src/local/index.js';
import type { GetFrameworks, Task } from '../../src/mesos/types.js';
import { BIN, NODE, REPO, runCli } from '../support/cli.js';
import { allTasks, eventually, operator, testCluster } from '../support/cluster.js';

let cluster: LocalCluster;
const dir = mkdtempSync(path.join(tmpdir(), 'mesos-apply-ctl-'));
const children: ChildProcess[] = [];

beforeAll(async () => {
  cluster = await testCluster();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await cluster?.close();
});

interface Controller {
  child: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

function manifestDir(name: string, docs: Record<string, string>): string {
  const d = mkdtempSync(path.join(dir, `${name}-`));
  for (const [file, text] of Object.entries(docs)) writeFileSync(path.join(d, file), text);
  return d;
}

function service(name: string, command: string, extra = ''): string {
  return `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: ${name}}\nspec:\n  command: '${command}'\n  resources: {cpus: 0.1, mem: 32}\n  rollout: {minHealthyTime: 1s}\n${extra}`;
}

function controller(framework: string, manifests: string, extra: string[] = []): Controller {
  const child = spawn(NODE, [BIN, 'controller', '-f', manifests, '--listen', 'off', ...extra], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', CI: 'true', MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: framework },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, log: () => log, exited };
}

async function frameworkNamed(name: string) {
  const f = (await operator<{ get_frameworks: GetFrameworks }>(cluster.url, { type: 'GET_FRAMEWORKS' })).get_frameworks;
  return f.frameworks.find((x) => x.framework_info.name === name);
}

const label = (t: Task, k: string) => t.labels?.labels?.find((l) => l.key === k)?.value;
const LIVE = new Set(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE']);

/** Every task of the framework for `name/instance`, newest last, as the master shows them. */
async function tasksOf(framework: string, key: string): Promise<Task[]> {
  const fw = await frameworkNamed(framework);
  const t = await allTasks(cluster.url);
  return [...t.tasks, ...t.completed_tasks]
    .filter(
      (x) =>
        x.framework_id.value === fw?.framework_info.id?.value &&
        `${label(x, 'mesos-apply/name')}/${label(x, 'mesos-apply/instance')}` === key,
    )
    .sort((a, b) => firstTime(a) - firstTime(b));
}

function firstTime(t: Task): number {
  return Math.min(...(t.statuses ?? []).map((s) => s.timestamp * 1000));
}

function timeOf(t: Task, state: string): number | undefined {
  const s = (t.statuses ?? []).find((x) => x.state === state);
  return s ? s.timestamp * 1000 : undefined;
}

function pidOf(task: Task): number {
  const pid = task.statuses?.map((s) => s.container_status?.executor_pid).find((p) => p !== undefined);
  expect(pid, `pid of ${task.task_id.value}`).toBeGreaterThan(1);
  return pid as number;
}

async function runningTask(framework: string, key: string, not?: string): Promise<Task> {
  return eventually(
    async () => (await tasksOf(framework, key)).find((t) => t.state === 'TASK_RUNNING' && t.task_id.value !== not),
    60_000,
    100,
  );
}

/** Polls the master until stopped; fails the test if an instance ever shows two live tasks. */
function watchDuplicates(framework: string, key: string): { stop: () => Promise<number> } {
  let stopped = false;
  let worst = 0;
  const loop = (async () => {
    while (!stopped) {
      const live = (await tasksOf(framework, key)).filter((t) => LIVE.has(t.state));
      worst = Math.max(worst, live.length);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return worst;
    },
  };
}

describe.concurrent('controller', { timeout: 150_000 }, () => {
  it('a SIGKILLed service runs again within its backoff, once, never twice; SIGTERM leaves it running', async () => {
    const fw = 'ctl-heal';
    const c = controller(fw, manifestDir('heal', { 'web.yaml': service('web', 'exec sleep 6001') }));
    const first = await runningTask(fw, 'web/0');
    const dupes = watchDuplicates(fw, 'web/0');
    process.kill(-pidOf(first), 'SIGKILL');
    const second = await runningTask(fw, 'web/0', first.task_id.value);
    const died = timeOf((await tasksOf(fw, 'web/0'))[0] as Task, 'TASK_FAILED');
    const back = timeOf(second, 'TASK_RUNNING');
    expect(died).toBeDefined();
    // The first failure waits 1s (spec.restart default); then it runs within a generous second or few.
    expect((back as number) - (died as number)).toBeGreaterThanOrEqual(900);
    expect((back as number) - (died as number), c.log()).toBeLessThan(15_000);
    expect(c.log()).toMatch(/instance-down .*instance=web\/0 .*retryIn=1\.0s/);
    // Once: a while later there are exactly the two tasks, and never were two live at once.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await tasksOf(fw, 'web/0')).map((t) => t.task_id.value)).toEqual([
      first.task_id.value,
      second.task_id.value,
    ]);
    expect(await dupes.stop()).toBe(1);

    c.child.kill('SIGTERM');
    expect(await c.exited, c.log()).toBe(0);
    expect(c.log()).toContain('disconnected without teardown');
    const after = await frameworkNamed(fw);
    expect(after?.connected).toBe(false);
    expect((await tasksOf(fw, 'web/0')).filter((t) => t.state === 'TASK_RUNNING').map((t) => t.task_id.value)).toEqual([
      second.task_id.value,
    ]);
  });

  it('SIGHUP: a valid edit rolls out, an invalid one is reported and changes nothing', async () => {
    const fw = 'ctl-edit';
    const m = manifestDir('edit', { 'app.yaml': service('app', 'exec sleep 6004') });
    const c = controller(fw, m);
    const first = await runningTask(fw, 'app/0');
    writeFileSync(path.join(m, 'app.yaml'), service('app', 'exec sleep 6005'));
    c.child.kill('SIGHUP');
    const second = await runningTask(fw, 'app/0', first.task_id.value);
    expect(second.task_id.value.split('.')[2]).not.toBe(first.task_id.value.split('.')[2]);
    await eventually(async () => ((await tasksOf(fw, 'app/0'))[0]?.state === 'TASK_KILLED' ? true : undefined), 60_000);

    writeFileSync(path.join(m, 'app.yaml'), service('app', 'exec sleep 6006', '  instances: zero\n'));
    c.child.kill('SIGHUP');
    await eventually(async () => (/invalid-manifests/.test(c.log()) ? true : undefined), 30_000);
    expect(c.log()).toMatch(/app\.yaml/);
    expect(c.log()).toContain('instances');
    const now = (await tasksOf(fw, 'app/0')).filter((t) => LIVE.has(t.state));
    expect(now.map((t) => t.task_id.value)).toEqual([second.task_id.value]);
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  });

  it('a crash-looping service backs off 1s, 2s, 4s between its attempts', async () => {
    const fw = 'ctl-crash';
    const c = controller(fw, manifestDir('crash', { 'crash.yaml': service('crash', 'sleep 1; exit 3') }));
    const tasks = await eventually(
      async () => {
        const all = await tasksOf(fw, 'crash/0');
        return all.length >= 4 && all.slice(0, 3).every((t) => t.state === 'TASK_FAILED') ? all : undefined;
      },
      90_000,
      250,
    );
    for (const [i, want] of [1000, 2000, 4000].entries()) {
      const failed = timeOf(tasks[i] as Task, 'TASK_FAILED') as number;
      const next = firstTime(tasks[i + 1] as Task);
      expect(next - failed, `attempt ${i + 2} after ${want}ms\n${c.log()}`).toBeGreaterThanOrEqual(want - 100);
      expect(next - failed, `attempt ${i + 2} after ${want}ms\n${c.log()}`).toBeLessThan(want + 10_000);
    }
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  });

  it('two controllers: the standby takes over from a SIGKILLed leader and heals; apply and delete refuse', async () => {
    const fw = 'ctl-ha';
    const m = manifestDir('ha', { 'api.yaml': service('api', 'exec sleep 6003') });
    const a = controller(fw, m);
    const first = await runningTask(fw, 'api/0');
    const b = controller(fw, m);
    await eventually(async () => (/standing by/.test(b.log()) ? true : undefined), 30_000);

    const env = { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: fw };
    const apply = await runCli(['-f', m], { env, timeoutMs: 60_000 });
    expect(apply.code, apply.stdout + apply.stderr).toBe(1);
    expect(apply.stdout + apply.stderr).toMatch(/held by the controller \S+@\S+ \(pid \d+/);
    const del = await runCli(['delete', 'api'], { env, timeoutMs: 60_000 });
    expect(del.code, del.stdout + del.stderr).toBe(1);
    expect(del.stdout + del.stderr).toContain('held by the controller');

    const dupes = watchDuplicates(fw, 'api/0');
    a.child.kill('SIGKILL');
    process.kill(-pidOf(first), 'SIGKILL');
    const healed = await runningTask(fw, 'api/0', first.task_id.value);
    expect(b.log()).toContain('leading');
    expect(healed.task_id.value).not.toBe(first.task_id.value);
    expect(await dupes.stop()).toBe(1);
    expect((await frameworkNamed(fw))?.connected).toBe(true);

    // --takeover overrides; the controller stands by and takes the namespace back after.
    const over = await runCli(['-f', m, '--takeover'], { env, timeoutMs: 60_000 });
    expect(over.code, over.stdout + over.stderr).toBe(0);
    await eventually(async () => ((b.log().match(/leading/g) ?? []).length >= 2 ? true : undefined), 60_000);
    expect(b.log()).toContain('failed-over');
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  });
});
