/**
 * `mesos-apply controller`, end to end (issue 12): real controller processes against a
 * local cluster. A service killed behind the tool's back is running again within its
 * backoff, once; a crash-looping one backs off as specified; two controllers take turns
 * (the standby takes over from a SIGKILLed leader, heals what died in between, never two
 * tasks for one instance, and carries a crash loop's backoff on from the tasks' labels);
 * one-shot apply and delete refuse a controller-held namespace; SIGTERM leaves the tasks
 * running. Every wait is for a condition, with
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
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

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
  const listen = extra.includes('--listen') ? [] : ['--listen', 'off'];
  const child = spawn(NODE, [BIN, 'controller', '-f', manifests, ...listen, ...extra], {
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

/** /metrics, parsed by a Prometheus text-format parser: `name{label="v"}` → value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const out = new Map<string, number>();
  for (const family of parsePrometheusTextFormat(await res.text())) {
    for (const m of family.metrics as { labels?: Record<string, string>; value?: string }[]) {
      const labels = Object.entries(m.labels ?? {}).map(([k, v]) => `${k}="${v}"`);
      if (m.value !== undefined)
        out.set(labels.length ? `${family.name}{${labels.join(',')}}` : family.name, Number(m.value));
    }
  }
  return out;
}

/** `eventually`, failing with the controller's log (what it did is the first thing to read). */
async function waitFor<T>(c: Controller, fn: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  try {
    return await eventually(fn, timeoutMs, 250);
  } catch (e) {
    throw new Error(`${(e as Error).message}; the controller's log:\n${c.log()}`);
  }
}

/** Polls the master until stopped; fails the test if an instance ever shows two live tasks. */
function watchDuplicates(framework: string, key: string): { stop: () => Promise<number> } {
  let stopped = false;
  let worst = 0;
  const loop = (async () => {
    while (!stopped) {
      const live = (await tasksOf(framework, key).catch(() => [])).filter((t) => LIVE.has(t.state));
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

interface StateTask {
  id: string;
  state: string;
  labels?: { key: string; value?: string }[];
}

/** The master's `/state` view of one name's tasks: `tasks` (terminal ones not yet acknowledged among them) and `completed_tasks`. */
async function stateOf(framework: string, name: string): Promise<{ tasks: StateTask[]; completed: StateTask[] }> {
  const res = await fetch(`${cluster.url}/state`);
  const doc = (await res.json()) as {
    frameworks: { name: string; tasks: StateTask[]; completed_tasks: StateTask[] }[];
  };
  const fw = doc.frameworks.find((f) => f.name === framework);
  const mine = (t: StateTask) => t.labels?.find((l) => l.key === 'mesos-apply/name')?.value === name;
  return { tasks: (fw?.tasks ?? []).filter(mine), completed: (fw?.completed_tasks ?? []).filter(mine) };
}

const runOf = (t: StateTask) => t.labels?.find((l) => l.key === 'mesos-apply/run')?.value;

/**
 * Polls `/state` until stopped: the most live tasks one run of `name`/0 ever had (must stay
 * 1), and the first set of runs seen live at once.
 */
function watchRuns(framework: string, name: string) {
  let stopped = false;
  let worstPerRun = 0;
  let together: string[] | undefined;
  const loop = (async () => {
    while (!stopped) {
      const live = (await stateOf(framework, name).catch(() => ({ tasks: [] }))).tasks.filter((t) => LIVE.has(t.state));
      const perRun = new Map<string, number>();
      for (const t of live) perRun.set(runOf(t) ?? '-', (perRun.get(runOf(t) ?? '-') ?? 0) + 1);
      worstPerRun = Math.max(worstPerRun, ...perRun.values());
      if (together === undefined && perRun.size >= 2) together = [...perRun.keys()].sort();
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    together: () => together,
    stop: async () => {
      stopped = true;
      await loop;
      return worstPerRun;
    },
  };
}

describe.concurrent('controller', { timeout: 150_000 }, () => {
  it('a SIGKILLed service runs again within its backoff, once, never twice; SIGTERM leaves it running', async () => {
    const fw = 'ctl-heal';
    const c = controller(fw, manifestDir('heal', { 'web.yaml': service('web', 'exec sleep 6001') }), [
      '--listen',
      '127.0.0.1:0',
    ]);
    const url = (await waitFor(c, async () => /listening url=(\S+)/.exec(c.log())?.[1], 30_000)) as string;
    const first = await runningTask(fw, 'web/0');
    await waitFor(c, async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 30_000);
    const before = await scrape(url);
    expect(before.get('mesos_apply_leader')).toBe(1);
    expect(before.get('mesos_apply_tasks_desired{name="web"}')).toBe(1);
    expect(before.get('mesos_apply_relaunches_total{name="web"}')).toBe(0);
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
    const moved = await scrape(url);
    expect(moved.get('mesos_apply_relaunches_total{name="web"}')).toBe(1);
    expect(moved.get('mesos_apply_backoffs_total{name="web"}')).toBe(1);
    expect(moved.get('mesos_apply_tasks_running{name="web"}')).toBe(1);
    expect(moved.get('mesos_apply_offers_accepted_total')).toBeGreaterThan(
      before.get('mesos_apply_offers_accepted_total') ?? 0,
    );
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    // get names the controller and shows the instance's restarts (text and json).
    const env = { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: fw };
    const text = await runCli(['get'], { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Controller: \S+@\S+ \(pid \d+, status http:\/\/127\.0\.0\.1:\d+\/status\) leading/);
    expect(text.stdout).toMatch(/RESTARTS\s+NEXT RETRY/);
    expect(text.stdout).toMatch(/web\s+1\/1\s+0\s+RUNNING .*\s1\s+-\n/);
    const json = JSON.parse((await runCli(['get', '-o', 'json'], { env })).stdout);
    expect(json.controller).toMatchObject({ pid: c.child.pid, connected: true, statusError: null });
    expect(json.tasks[0]).toMatchObject({ name: 'web', instance: 0, restarts: 1, nextRetry: null });

    c.child.kill('SIGTERM');
    expect(await c.exited, c.log()).toBe(0);
    expect(c.log()).toContain('disconnected without teardown');
    const after = await frameworkNamed(fw);
    expect(after?.connected).toBe(false);
    expect((await tasksOf(fw, 'web/0')).filter((t) => t.state === 'TASK_RUNNING').map((t) => t.task_id.value)).toEqual([
      second.task_id.value,
    ]);
  });

  it("a death heals within its backoff while another service's rollout waits out a long minHealthyTime", async () => {
    const fw = 'ctl-busy';
    const slow = (command: string, minHealthyTime: string) =>
      `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: slow}\nspec:\n  command: '${command}'\n  resources: {cpus: 0.1, mem: 32}\n  rollout: {minHealthyTime: ${minHealthyTime}}\n`;
    const m = manifestDir('busy', {
      'slow.yaml': slow('exec sleep 6007', '1s'),
      'quick.yaml': service('quick', 'exec sleep 6008'),
    });
    const c = controller(fw, m);
    const oldSlow = await runningTask(fw, 'slow/0');
    const first = await runningTask(fw, 'quick/0');
    // The rollout's new copy must stay up 60s before the old one goes: its round waits that long.
    writeFileSync(path.join(m, 'slow.yaml'), slow('exec sleep 6009', '60s'));
    await runningTask(fw, 'slow/0', oldSlow.task_id.value);
    await waitFor(c, async () => (/slow\/0 is up; it must stay up 60s/.test(c.log()) ? true : undefined));
    const dupes = watchDuplicates(fw, 'quick/0');
    process.kill(-pidOf(first), 'SIGKILL');
    const second = await runningTask(fw, 'quick/0', first.task_id.value);
    const died = timeOf((await tasksOf(fw, 'quick/0'))[0] as Task, 'TASK_FAILED') as number;
    const back = timeOf(second, 'TASK_RUNNING') as number;
    // Its backoff (1s) and a margin for a loaded machine, far below the rollout's 60s.
    expect(back - died).toBeGreaterThanOrEqual(900);
    expect(back - died, c.log()).toBeLessThan(10_000);
    // Healed before the rollout ended: the old copy of slow still runs.
    const slowNow = await tasksOf(fw, 'slow/0');
    expect(slowNow.find((t) => t.task_id.value === oldSlow.task_id.value)?.state, c.log()).toBe('TASK_RUNNING');
    expect(await dupes.stop()).toBe(1);
    expect(slowNow.filter((t) => LIVE.has(t.state))).toHaveLength(2);
    c.child.kill('SIGTERM');
    expect(await c.exited, c.log()).toBe(0);
  });

  it('editing a watched manifest rolls out; an invalid edit is reported and changes nothing; SIGHUP re-reads', async () => {
    const fw = 'ctl-edit';
    const m = manifestDir('edit', { 'app.yaml': service('app', 'exec sleep 6004') });
    const c = controller(fw, m, ['-R']);
    const first = await runningTask(fw, 'app/0');
    writeFileSync(path.join(m, 'app.yaml'), service('app', 'exec sleep 6005'));
    const second = await runningTask(fw, 'app/0', first.task_id.value);
    expect(second.task_id.value.split('.')[2]).not.toBe(first.task_id.value.split('.')[2]);
    await waitFor(c, async () => ((await tasksOf(fw, 'app/0'))[0]?.state === 'TASK_KILLED' ? true : undefined));
    expect(c.log()).toMatch(/reload .*the manifests changed on disk/);

    writeFileSync(path.join(m, 'app.yaml'), service('app', 'exec sleep 6006', '  instances: zero\n'));
    await waitFor(c, async () => (/invalid-manifests/.test(c.log()) ? true : undefined), 30_000);
    expect(c.log()).toMatch(/app\.yaml/);
    expect(c.log()).toContain('instances');
    // SIGHUP reads again at once: still invalid, reported again, still nothing applied.
    c.child.kill('SIGHUP');
    await waitFor(c, async () => ((c.log().match(/invalid-manifests/g) ?? []).length >= 2 ? true : undefined), 30_000);
    const now = (await tasksOf(fw, 'app/0')).filter((t) => LIVE.has(t.state));
    expect(now.map((t) => t.task_id.value)).toEqual([second.task_id.value]);
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  });

  it('a job with a seconds-field schedule runs on time; forbid skips a run while one runs, replace kills it, allow runs beside it', async () => {
    const fw = 'ctl-cron';
    const job = (name: string, command: string, policy: string) =>
      `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: ${name}}\nspec:\n  goal: finished\n  command: '${command}'\n  resources: {cpus: 0.1, mem: 32}\n  schedule: {cron: '*/4 * * * * *', concurrencyPolicy: ${policy}}\n`;
    const c = controller(
      fw,
      manifestDir('cron', {
        'slow.yaml': job('slow', 'sleep 6', 'forbid'),
        'swap.yaml': job('swap', 'exec sleep 600', 'replace'),
        // Runs 7s, one every 4s: under allow two runs are live at once, each its own task.
        'many.yaml': job('many', 'sleep 7', 'allow'),
      }),
    );
    const manyRuns = watchRuns(fw, 'many');
    const slowDupes = watchDuplicates(fw, 'slow/0');
    const swapDupes = watchDuplicates(fw, 'swap/0');
    const runs = await waitFor(c, async () => {
      const t = (await tasksOf(fw, 'slow/0')).filter((x) => (x.statuses ?? []).length > 0);
      return t.length >= 2 && /schedule-skipped job=slow/.test(c.log()) ? t : undefined;
    });
    // On time: each run's task starts within a few seconds of its scheduled time (log `at=`),
    // or of when the controller began to lead, if that was later (a loaded machine can take
    // seconds to subscribe; a run due before then is a catch-up).
    const scheduled = [...c.log().matchAll(/schedule-run job=slow at=(\S+)/g)].map((m) => Date.parse(m[1] as string));
    const leading = Date.parse(/^(\S+) info leading /m.exec(c.log())?.[1] ?? '');
    expect(leading, c.log()).toBeGreaterThan(0);
    for (const [i, t] of runs.slice(0, 2).entries()) {
      const late = firstTime(t) - Math.max(scheduled[i] as number, leading);
      expect(late, c.log()).toBeGreaterThanOrEqual(-100);
      expect(late, c.log()).toBeLessThan(5000);
    }
    // forbid: the run at +4s found the first one running (sleep 6) and was skipped.
    expect(c.log()).toMatch(/schedule-skipped job=slow .*concurrencyPolicy forbid/);
    expect((scheduled[1] as number) - (scheduled[0] as number)).toBeGreaterThanOrEqual(8000);
    // replace: a later run kills the one still running, then starts.
    const swapped = await waitFor(c, async () => {
      const t = (await tasksOf(fw, 'swap/0')).filter((x) => (x.statuses ?? []).length > 0);
      return t.length >= 3 && t.slice(0, 2).every((x) => x.state === 'TASK_KILLED') ? t.slice(0, 3) : undefined;
    });
    for (const i of [0, 1])
      expect(timeOf(swapped[i] as Task, 'TASK_KILLED')).toBeLessThanOrEqual(firstTime(swapped[i + 1] as Task));
    // A run the schedule replaced is no failure: nothing backs off, nothing gives up.
    expect(c.log()).not.toMatch(/(gave-up|instance-down) instance=swap/);
    expect(await slowDupes.stop()).toBe(1);
    expect(await swapDupes.stop()).toBe(1);
    // allow: two runs of `many` were live at once, never two tasks for one run; both finish,
    // their updates acknowledged (the master moves a terminal task to completed_tasks only then).
    const overlapping = await waitFor(c, async () => manyRuns.together());
    const shown = await runCli(['get', 'many', '-o', 'json'], {
      env: { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: fw },
    });
    expect(shown.code, shown.stderr).toBe(0);
    // `get` tells the runs apart: each row names its run.
    const rows = (JSON.parse(shown.stdout) as { tasks: { run?: string; taskId: string | null }[] }).tasks;
    expect(rows.length, shown.stdout).toBeGreaterThan(0);
    for (const r of rows) expect(r.taskId, shown.stdout).toContain(`.${r.run}`);
    const described = await runCli(['describe', 'many', '-o', 'json'], {
      env: { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: fw },
    });
    expect(described.code, described.stderr).toBe(0);
    const told = (JSON.parse(described.stdout) as { tasks: { run?: string; taskId: string }[] }).tasks;
    // describe lists every task of the name the master knows: both runs, each saying which it is.
    expect(
      told.map((t) => t.run),
      described.stdout,
    ).toEqual(expect.arrayContaining(overlapping));
    for (const t of told) expect(t.taskId, described.stdout).toContain(`.${t.run}`);
    await waitFor(c, async () => {
      const { completed } = await stateOf(fw, 'many');
      const done = overlapping.map((run) => completed.find((t) => runOf(t) === run)?.state);
      return done.every((st) => st === 'TASK_FINISHED') ? true : undefined;
    });
    expect(await manyRuns.stop()).toBe(1);
    expect(c.log()).not.toMatch(/schedule-skipped job=many/);
    expect(c.log()).toMatch(/schedule-run job=many .*alongside=/);
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  });

  it('a failing job is retried maxRetries times, then given up; a job that finished is never run again', async () => {
    const fw = 'ctl-jobs';
    const job = (name: string, command: string, restart: string) =>
      `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: ${name}}\nspec:\n  goal: finished\n  command: '${command}'\n  resources: {cpus: 0.1, mem: 32}\n${restart}`;
    const m = manifestDir('jobs', {
      'flaky.yaml': job('flaky', 'exit 4', '  restart: {maxRetries: 1, backoff: {initial: 1s}}\n'),
      'once.yaml': job('once', 'echo done', ''),
    });
    const c = controller(fw, m);
    await waitFor(c, async () => (/gave-up .*instance=flaky\/0/.test(c.log()) ? true : undefined));
    await waitFor(c, async () => (/job-finished .*instance=once\/0/.test(c.log()) ? true : undefined));
    // A new manifest makes the controller plan again: neither job is launched again.
    writeFileSync(path.join(m, 'other.yaml'), job('other', 'echo other', ''));
    await waitFor(c, async () => (/job-finished .*instance=other\/0/.test(c.log()) ? true : undefined));
    expect((await tasksOf(fw, 'flaky/0')).map((t) => t.state)).toEqual(['TASK_FAILED', 'TASK_FAILED']);
    expect((await tasksOf(fw, 'once/0')).map((t) => t.state)).toEqual(['TASK_FINISHED']);
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  });

  it('a crash-looping service backs off 1s, 2s, 4s between its attempts', async () => {
    const fw = 'ctl-crash';
    const c = controller(fw, manifestDir('crash', { 'crash.yaml': service('crash', 'sleep 1; exit 3') }));
    const tasks = await eventually(
      async () => {
        const all = (await tasksOf(fw, 'crash/0')).filter((x) => (x.statuses ?? []).length > 0);
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

  it('two controllers: the standby takes over from a SIGKILLed leader, heals, continues the backoff; apply and delete refuse', async () => {
    const fw = 'ctl-ha';
    const m = manifestDir('ha', {
      'api.yaml': service('api', 'exec sleep 6003'),
      'loop.yaml': service('loop', 'sleep 1; exit 3'),
    });
    const a = controller(fw, m);
    const first = await runningTask(fw, 'api/0');
    const b = controller(fw, m);
    await eventually(async () => (/standing by/.test(b.log()) ? true : undefined), 30_000);

    // The leader dies once the crash loop has been relaunched at least twice (n tasks, the
    // last launched after n-1 failures in a row); a task of api dies in between. The
    // watch starts while api's first task runs, so it sees one live task at least.
    const dupes = watchDuplicates(fw, 'api/0');
    const n = await eventually(
      async () => {
        const count = (await tasksOf(fw, 'loop/0')).length;
        return count >= 3 ? count : undefined;
      },
      60_000,
      100,
    );
    a.child.kill('SIGKILL');
    process.kill(-pidOf(first), 'SIGKILL');
    const healed = await runningTask(fw, 'api/0', first.task_id.value);
    expect(b.log()).toContain('leading');
    expect(healed.task_id.value).not.toBe(first.task_id.value);
    expect(await dupes.stop()).toBe(1);
    expect((await frameworkNamed(fw))?.connected).toBe(true);

    // The standby carries the backoff on from the tasks' labels: the next attempt waits for
    // the n-th failure in a row (4s after the 3rd), not 1s as a fresh count would.
    const loop = await waitFor(b, async () => {
      const all = await tasksOf(fw, 'loop/0');
      return all.length > n && timeOf(all[n - 1] as Task, 'TASK_FAILED') !== undefined ? all : undefined;
    });
    const want = 1000 * 2 ** (n - 1);
    const gap = firstTime(loop[n] as Task) - (timeOf(loop[n - 1] as Task, 'TASK_FAILED') as number);
    expect(gap, `attempt ${n + 1} after ${want}ms\n${b.log()}`).toBeGreaterThanOrEqual(want - 100);
    expect(label(loop[n] as Task, 'mesos-apply/restarts'), b.log()).toBe(String(n));
    expect(label(loop[n] as Task, 'mesos-apply/failures')).toBe(String(n));
    expect(b.log()).toContain('carried-over');

    // get (the controller has no listener) reads the restarts from the tasks' labels; they
    // are no user labels.
    const env = { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: fw };
    const got = JSON.parse((await runCli(['get', '-o', 'json'], { env })).stdout);
    const row = got.tasks.find((t: { name: string }) => t.name === 'loop');
    expect(row.restarts, JSON.stringify(got)).toBeGreaterThanOrEqual(n);
    expect(row.labels).toEqual({});

    const apply = await runCli(['-f', m], { env, timeoutMs: 60_000 });
    expect(apply.code, apply.stdout + apply.stderr).toBe(1);
    expect(apply.stdout + apply.stderr).toMatch(/held by the controller \S+@\S+ \(pid \d+/);
    const del = await runCli(['delete', 'api'], { env, timeoutMs: 60_000 });
    expect(del.code, del.stdout + del.stderr).toBe(1);
    expect(del.stdout + del.stderr).toContain('held by the controller');

    // --takeover overrides; the controller stands by and takes the namespace back after.
    const over = await runCli(['-f', path.join(m, 'api.yaml'), '--takeover'], { env, timeoutMs: 60_000 });
    expect(over.code, over.stdout + over.stderr).toBe(0);
    await eventually(async () => ((b.log().match(/leading/g) ?? []).length >= 2 ? true : undefined), 60_000);
    expect(b.log()).toContain('failed-over');
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  });
});
