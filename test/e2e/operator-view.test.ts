/**
 * The operator's view, end to end: the built CLI spawned as a user runs it, against local
 * clusters this file starts on free ports. Plan output for each action and each fit reason,
 * `--detailed-exitcode`, `apply --dry-run`, the plain progress lines, `-o json` documents
 * (one document, the fields README.md documents), logs (`-f`, `--tail`, `--stderr`), get
 * (`NAME`, `-o wide|yaml`, `--all` with a task launched through the scheduler API without
 * mesos-apply's labels) and describe. One framework name per test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { LocalCluster } from '../../src/local/index.js';
import type { GetFrameworks, GetTasks, Task } from '../../src/mesos/types.js';
import { BIN, NODE, REPO, runCli } from '../support/cli.js';
import { allTasks, eventually, operator, pidOf, tasksNamed, testCluster } from '../support/cluster.js';
import { launchUnmanaged } from './unmanaged-task.js';

let cluster: LocalCluster;
/** A small cluster of its own for fit reasons: one agent, 1 cpu, a few ports. */
let small: LocalCluster;
const dir = mkdtempSync(path.join(tmpdir(), 'mesos-apply-opview-'));
let n = 0;

beforeAll(async () => {
  [cluster, small] = await Promise.all([
    testCluster(),
    testCluster({ resources: 'cpus:1;mem:512;disk:1000;ports:[31700-31710]' }),
  ]);
});
afterAll(async () => {
  await Promise.all([cluster?.close(), small?.close()]);
});

/** A file with one or more tasks: `{name: spec-lines}`. */
function manifest(tasks: Record<string, string>): string {
  const file = path.join(dir, `m-${++n}.yaml`);
  const docs = Object.entries(tasks).map(
    ([name, spec]) =>
      `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: ${name}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`,
  );
  writeFileSync(file, docs.join('---\n'));
  return file;
}

const svc = (cmd: string, extra = '') =>
  `command: '${cmd}'\nresources: {cpus: 0.1, mem: 32}${extra ? `\n${extra}` : ''}`;

function cli(framework: string, args: string[], opts: { env?: Record<string, string>; on?: LocalCluster } = {}) {
  return runCli(args, {
    env: { MESOS_MASTER: (opts.on ?? cluster).url, MESOS_APPLY_FRAMEWORK: framework, ...opts.env },
  });
}

async function applyOk(framework: string, args: string[], on?: LocalCluster): Promise<void> {
  const r = await cli(framework, args, { on });
  expect(r.code, r.stdout + r.stderr).toBe(0);
}

/** stdout is exactly one JSON document (one line, nothing before or after). */
function oneDocument(stdout: string): Record<string, unknown> {
  expect(stdout.endsWith('\n')).toBe(true);
  const doc = JSON.parse(stdout) as unknown;
  expect(typeof doc === 'object' && doc !== null && !Array.isArray(doc)).toBe(true);
  return doc as Record<string, unknown>;
}

/** The JSON examples of README.md, by the bold title above them (`**plan**` ...). */
function readmeJson(title: string): Record<string, unknown> {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const at = readme.indexOf(`**${title}**`);
  expect(at, `README has a **${title}** JSON example`).toBeGreaterThan(0);
  const m = /```json\n([\s\S]*?)```/.exec(readme.slice(at));
  return JSON.parse(m?.[1] ?? 'null') as Record<string, unknown>;
}

const keys = (o: unknown) => Object.keys(o as object).sort();

// Every test has its own framework and task names: they run side by side. Tasks left running
// end with the clusters (afterAll). The timeout allows for a loaded 2-core machine.
describe.concurrent('operator view', { timeout: 90_000 }, () => {
  describe('plan', () => {
    it('shows each action: create, unchanged, replace with the changed fields, relaunch, delete via --prune', async () => {
      const fw = 'ov-actions';
      const v1 = manifest({
        keep: svc('exec sleep 3701'),
        change: svc('exec sleep 3702'),
        victim: svc('exec sleep 3703'),
        gone: svc('exec sleep 3704'),
      });
      const created = await cli(fw, ['plan', '-f', v1]);
      expect(created.code).toBe(0);
      for (const name of ['change', 'gone', 'keep', 'victim'])
        expect(created.stdout).toMatch(new RegExp(`\\+ ${name}/0\\s+create\\s+→ agent \\S+-S0 \\(host localhost\\)`));
      expect(created.stdout).toContain('Plan: 4 to create, 0 to replace, 0 to delete, 0 unchanged.');
      expect(created.stdout).toContain(`To apply these changes, run:\n  mesos-apply -f ${v1} --framework ${fw}\n`);
      await applyOk(fw, ['-f', v1]);

      const [victim] = (await tasksNamed(cluster.url, 'victim')).active;
      process.kill(-pidOf(victim as Task), 'SIGKILL');
      await eventually(async () =>
        (await tasksNamed(cluster.url, 'victim')).active.some((t) => t.state === 'TASK_FAILED') ? true : undefined,
      );

      const v2 = manifest({
        keep: svc('exec sleep 3701'),
        change: svc('exec sleep 3799', 'env: {MODE: fast}'),
        victim: svc('exec sleep 3703'),
      });
      const text = await cli(fw, ['plan', '-f', v2, '--prune']);
      expect(text.code, text.stderr).toBe(0);
      const out = text.stdout;
      expect(out).toContain('Actions: ~ replace, - delete, = unchanged, ^ relaunch');
      expect(out).toMatch(/= keep\/0\s+unchanged/);
      expect(out).toMatch(/~ change\/0\s+replace\s+replaces change\.0\.\w+ {2}→ agent/);
      expect(out).toContain('      command: "exec sleep 3702" → "exec sleep 3799"\n');
      expect(out).toContain('      env.MODE: (none) → "fast"\n');
      expect(out).toMatch(/\^ victim\/0\s+relaunch\s+was TASK_FAILED/);
      expect(out).toMatch(/- gone\/0\s+delete\s+kills gone\.0\.\w+: no manifest names it \(--prune\)/);
      expect(out).toContain('Plan: 0 to create, 1 to replace, 1 to relaunch, 1 to delete, 1 unchanged.');
      expect(out).toContain(`mesos-apply -f ${v2} --prune --framework ${fw}`);

      const json = oneDocument((await cli(fw, ['plan', '-f', v2, '--prune', '-o', 'json'])).stdout);
      const items = json.items as {
        action: string;
        name: string;
        reason: string | null;
        changes: { path: string }[];
        oldState: string | null;
      }[];
      expect(Object.fromEntries(items.map((i) => [i.name, i.action]))).toEqual({
        keep: 'unchanged',
        change: 'replace',
        victim: 'relaunch',
        gone: 'delete',
      });
      expect(items.find((i) => i.name === 'gone')?.reason).toBe('pruned');
      expect(
        items
          .find((i) => i.name === 'change')
          ?.changes.map((c) => c.path)
          .sort(),
      ).toEqual(['command', 'env.MODE']);
      expect(items.find((i) => i.name === 'victim')?.oldState).toBe('TASK_FAILED');
      expect(json.summary).toEqual({ create: 0, unchanged: 1, replace: 1, relaunch: 1, delete: 1, unplaced: 0 });
      expect(json.changed).toBe(true);

      // apply --dry-run is plan: same output, nothing changes.
      const dry = await cli(fw, ['-f', v2, '--prune', '--dry-run']);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toBe(out);
      expect((await tasksNamed(cluster.url, 'gone')).active).toHaveLength(1);
    });

    it('--detailed-exitcode: 0 without changes, 3 with changes; errors stay 1 and 2', async () => {
      const fw = 'ov-exitcode';
      const f = manifest({ codes: svc('exec sleep 3711') });
      expect((await cli(fw, ['plan', '-f', f, '--detailed-exitcode'])).code).toBe(3);
      expect((await cli(fw, ['plan', '-f', f])).code).toBe(0);
      await applyOk(fw, ['-f', f]);
      const same = await cli(fw, ['plan', '-f', f, '--detailed-exitcode']);
      expect(same.code).toBe(0);
      expect(same.stdout).toBe('No changes. The cluster matches the manifests.\n');
      const bad = manifest({ codes: 'command: x\nresources: {cpus: -1, mem: 32}' });
      expect((await cli(fw, ['plan', '-f', bad, '--detailed-exitcode'])).code).toBe(2);

      // Another scheduler holds the framework: plan only reads, so it works (exit 3) and
      // leaves the holder connected.
      const other = manifest({ codes: svc('exec sleep 3712') });
      const held = await launchUnmanaged(cluster.url, fw, 'held', 'exec sleep 3713', { keepOpen: true });
      try {
        const busy = await cli(fw, ['plan', '-f', other, '--detailed-exitcode']);
        expect(busy.code, busy.stdout + busy.stderr).toBe(3);
        expect(busy.stdout).toContain('~ codes/0');
        const fws = await operator<{ get_frameworks: GetFrameworks }>(cluster.url, { type: 'GET_FRAMEWORKS' });
        expect(fws.get_frameworks.frameworks.find((x) => x.framework_info.name === fw)?.connected).toBe(true);
      } finally {
        await held.close();
      }

      // A task that fits no agent at all: exit 1, and the plan is still printed.
      const never = manifest({
        codes: svc('exec sleep 3711'),
        huge: 'command: sleep 1\nresources: {cpus: 1000, mem: 32}',
      });
      const r = await cli(fw, ['plan', '-f', never, '--detailed-exitcode']);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toContain('+ huge/0');
      expect(r.stdout).toContain('fits no agent at all');
    });

    it('says why a task cannot be placed: never (too many cpus), not now (a fixed port taken, resources held)', async () => {
      const fw = 'ov-fit';
      const holder = manifest({
        holder: svc('exec sleep 3721', 'ports: [{name: web, hostPort: 31705}]').replace('cpus: 0.1', 'cpus: 0.8'),
      });
      await applyOk(fw, ['-f', holder], small);
      const f = manifest({
        huge: 'command: sleep 1\nresources: {cpus: 8, mem: 32}',
        port: svc('exec sleep 3722', 'ports: [{name: web, hostPort: 31705}]'),
        cpu: 'command: sleep 1\nresources: {cpus: 0.5, mem: 32}',
      });
      const text = await cli(fw, ['plan', '-f', f], { on: small });
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/\+ huge\/0\s+create\s+not placed: fits no agent at all/);
      expect(text.stdout).toContain('needs cpus 8');
      expect(text.stdout).toMatch(/\+ port\/0\s+create\s+not placed: no room free right now/);
      expect(text.stdout).toMatch(/\+ cpu\/0\s+create\s+not placed: no room free right now/);
      expect(text.stdout).toContain('3 tasks cannot be placed now: 1 fits no agent at all, 2 wait for room.');

      const json = oneDocument((await cli(fw, ['plan', '-f', f, '-o', 'json'], { on: small })).stdout);
      const unplaced = Object.fromEntries(
        (json.items as { name: string; unplaced: { kind: string; reasons: { reason: string }[] } }[]).map((i) => [
          i.name,
          i.unplaced,
        ]),
      );
      expect(unplaced.huge?.kind).toBe('never');
      expect(unplaced.huge?.reasons.map((r) => r.reason)).toContain('cpus');
      expect(unplaced.port).toMatchObject({ kind: 'not-now' });
      expect(unplaced.port?.reasons.map((r) => r.reason)).toContain('ports');
      expect(unplaced.cpu).toMatchObject({ kind: 'not-now' });
      expect(unplaced.cpu?.reasons.map((r) => r.reason)).toContain('cpus');

      // apply waits --pending-timeout for room, then fails naming what is missing.
      const cpuOnly = manifest({ cpu: 'command: sleep 1\nresources: {cpus: 0.5, mem: 32}' });
      const started = Date.now();
      const waited = await cli(fw, ['-f', cpuOnly, '--pending-timeout', '3s'], { on: small });
      expect(waited.code).toBe(1);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(waited.stdout).toContain('no room free right now');
      expect(waited.stdout).toContain('cpus');
    });
  });

  describe('apply progress and JSON documents', () => {
    it('prints timestamped plain lines in CI, in order: waiting, launching, starting, running', async () => {
      const fw = 'ov-plain';
      const f = manifest({ plain: svc('exec sleep 3731') });
      const r = await cli(fw, ['-f', f], { env: { CI: 'true' } });
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.split('\n').filter((l) => l.includes(' plain/0 '));
      for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ plain\/0 /);
      const phases = ['waiting for an offer', 'launching on agent', 'starting on agent', 'running on agent'];
      const at = phases.map((p) => lines.findIndex((l) => l.includes(p)));
      expect(
        at.every((i) => i >= 0),
        lines.join('\n'),
      ).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      expect(r.stdout.indexOf('running on agent')).toBeLessThan(r.stdout.indexOf('TASK      ACTION'));
    });

    it('-o json: apply, plan, delete, get and validate print one document with the documented fields', async () => {
      const fw = 'ov-json';
      const f = manifest({ doc: svc('exec sleep 3741', 'ports: [{name: web}]') });
      const docApply = readmeJson('apply and delete');
      const docPlan = readmeJson('plan');
      const docGet = readmeJson('get');

      const planned = await cli(fw, ['plan', '-f', f, '-o', 'json']);
      expect(planned.stderr).toBe('');
      const plan = oneDocument(planned.stdout);
      expect(keys(plan)).toEqual(keys(docPlan));
      expect(keys((plan.items as object[])[0])).toEqual(keys((docPlan.items as object[])[0]));
      expect(keys(plan.summary)).toEqual(keys(docPlan.summary));
      expect(
        (plan.items as { placement: { ports: { name: string; hostPort: number }[] } }[])[0]?.placement.ports[0]?.name,
      ).toBe('web');

      const applied = await cli(fw, ['-f', f, '-o', 'json']);
      expect(applied.code).toBe(0);
      const report = oneDocument(applied.stdout);
      expect(keys(report)).toEqual(keys(docApply));
      const inst = (report.instances as Record<string, unknown>[])[0] ?? {};
      expect(keys(inst)).toEqual(keys((docApply.instances as object[])[0]));
      expect(inst).toMatchObject({
        name: 'doc',
        instance: 0,
        action: 'create',
        outcome: 'running',
        state: 'TASK_RUNNING',
        host: 'localhost',
        failure: null,
      });
      // Ports have one shape in every document: apply's, get's and delete's.
      const ports = inst.ports as { name: string; hostPort: number }[];
      expect(ports).toEqual([{ name: 'web', hostPort: expect.any(Number) }]);
      expect(ports[0]?.hostPort).toBeGreaterThanOrEqual(31000);

      const got = oneDocument((await cli(fw, ['get', '-o', 'json'])).stdout);
      const row = (got.tasks as Record<string, unknown>[])[0] ?? {};
      expect(keys(got)).toEqual(keys(docGet));
      expect(keys(row)).toEqual(keys((docGet.tasks as object[])[0]));
      expect(row).toMatchObject({
        name: 'doc',
        instance: 0,
        taskId: inst.taskId,
        state: 'TASK_RUNNING',
        ports,
        managed: true,
      });

      const valid = oneDocument((await cli(fw, ['validate', '-f', f, '-o', 'json'])).stdout);
      expect(valid).toEqual({ formatVersion: 1, valid: true, tasks: 1, names: ['doc'], errors: [], warnings: [] });
      const bad = manifest({ doc: 'command: x\nresources: {cpus: 1}' });
      const invalid = await cli(fw, ['validate', '-f', bad, '-o', 'json']);
      expect(invalid.code).toBe(2);
      const diag = oneDocument(invalid.stdout);
      expect(diag.valid).toBe(false);
      expect((diag.errors as Record<string, unknown>[])[0]).toMatchObject({
        file: bad,
        line: expect.any(Number),
        col: expect.any(Number),
        path: expect.stringContaining('spec.resources'),
      });

      const deleted = await cli(fw, ['delete', 'doc', '-o', 'json']);
      expect(deleted.code).toBe(0);
      const del = oneDocument(deleted.stdout);
      expect(keys(del)).toEqual([...keys(docApply), 'ended', 'notFound'].sort());
      expect(del).toMatchObject({
        ok: true,
        command: 'delete',
        notFound: [],
        instances: [{ name: 'doc', action: 'delete', outcome: 'deleted', state: 'TASK_KILLED' }],
      });
    });
  });

  /** `logs -f` as a child process; resolves its exit code; `out()` is what it printed so far. */
  function follow(framework: string, name: string) {
    const child = spawn(NODE, [BIN, 'logs', name, '-f'], {
      env: { ...process.env, NO_COLOR: '1', MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: framework },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    return { out: () => out, exited, kill: () => child.kill('SIGKILL') };
  }

  describe('logs', () => {
    it('-f follows a task that writes, and ends by itself with exit 0 when the task is deleted', async () => {
      const fw = 'ov-follow';
      const f = manifest({ ticker: svc('i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.2; done') });
      await applyOk(fw, ['-f', f]);
      const child = follow(fw, 'ticker');
      try {
        const ticks = () => (child.out().match(/^tick-\d+$/gm) ?? []).length;
        const first = await eventually(async () => (ticks() > 0 ? ticks() : undefined), 10_000, 100).catch((e) => {
          throw new Error(`${e} out=${JSON.stringify(child.out())}`);
        });
        await eventually(async () => (ticks() >= first + 5 ? true : undefined), 10_000, 100);
        const nums = (child.out().match(/^tick-(\d+)$/gm) ?? []).map((l) => Number(l.slice(5)));
        expect(nums).toEqual(nums.map((_, i) => i + 1));
        await applyOk(fw, ['delete', 'ticker']);
        const code = await Promise.race([
          child.exited,
          new Promise((r) => setTimeout(() => r('still running'), 10_000)),
        ]);
        expect(code).toBe(0);
      } finally {
        child.kill();
      }
    });

    it('--tail N prints the last N lines; --stderr reads stderr', async () => {
      const fw = 'ov-tail';
      const f = manifest({ talker: svc('for i in 1 2 3 4 5; do echo line-$i; done; echo oops >&2; exec sleep 3751') });
      await applyOk(fw, ['-f', f]);
      expect((await cli(fw, ['logs', 'talker', '--tail', '2'])).stdout).toBe('line-4\nline-5\n');
      expect((await cli(fw, ['logs', 'talker'])).stdout).toBe('line-1\nline-2\nline-3\nline-4\nline-5\n');
      expect((await cli(fw, ['logs', 'talker', '--stderr'])).stdout).toBe('oops\n');
      const missing = await cli(fw, ['logs', 'nobody']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('names: talker');
    });
  });

  describe('get and describe', () => {
    it('get NAME, -o wide and -o yaml; --all shows a task no manifest declares', async () => {
      const fw = 'ov-get';
      const f = manifest({ alpha: svc('exec sleep 3761'), beta: svc('exec sleep 3762', 'ports: [{name: web}]') });
      await applyOk(fw, ['-f', f]);
      const one = await cli(fw, ['get', 'beta']);
      expect(one.stdout).toMatch(
        /^NAME\s+READY\s+INSTANCE\s+STATE\s+HEALTH\s+HOST\s+PORTS\s+AGE\nbeta\s+1\/1\s+0\s+RUNNING\s+-\s+localhost\s+web:31\d\d\d\s+\d+s\n$/,
      );
      expect((await cli(fw, ['get', 'nosuch'])).code).toBe(1);

      const adhoc = await launchUnmanaged(cluster.url, fw, 'adhoc', 'exec sleep 3763');
      await adhoc.close();
      const wide = (await cli(fw, ['get', '-o', 'wide'])).stdout;
      const json = oneDocument((await cli(fw, ['get', '-o', 'json'])).stdout) as {
        tasks: { name: string; taskId: string; agentId: string; specHash: string }[];
      };
      expect(wide.split('\n')[0]).toMatch(
        /NAME\s+READY\s+INSTANCE\s+STATE\s+HEALTH\s+HOST\s+PORTS\s+AGE\s+TASK ID\s+AGENT\s+SPEC HASH/,
      );
      for (const t of json.tasks)
        expect(wide).toMatch(
          new RegExp(`${t.name}\\s.*${t.taskId.replace(/\./g, '\\.')}\\s+${t.agentId}\\s+${t.specHash}`),
        );
      const yaml = parseYaml((await cli(fw, ['get', '-o', 'yaml'])).stdout) as typeof json;
      const strip = (d: typeof json) => d.tasks.map((t) => ({ ...t, ageSeconds: 0 }));
      expect(strip(yaml)).toEqual(strip(json));

      expect(json.tasks.map((t) => t.name)).toEqual(['alpha', 'beta']);
      expect(wide).not.toContain('adhoc');
      const all = await cli(fw, ['get', '--all']);
      expect(all.stdout).toMatch(/adhoc\*\s+-\s+-\s+RUNNING/);
      expect(all.stdout).toContain('* not declared by any manifest (shown with --all)');
      const allJson = oneDocument((await cli(fw, ['get', '--all', '-o', 'json'])).stdout) as {
        tasks: { name: string; managed: boolean; instance: number | null; taskId: string }[];
      };
      expect(allJson.tasks.find((t) => t.name === 'adhoc')).toMatchObject({
        managed: false,
        instance: null,
        taskId: adhoc.taskId,
      });

      // apply leaves a task it does not manage alone, even with --prune.
      await applyOk(fw, ['-f', f, '--prune']);
      const tasks: GetTasks = await allTasks(cluster.url);
      expect(tasks.tasks.find((t) => t.task_id.value === adhoc.taskId)?.state).toBe('TASK_RUNNING');
    });

    it('describe: status history, what the task was launched with, fromEnv secrets masked', async () => {
      const fw = 'ov-describe';
      const secret = 'hunter2-very-secret';
      const f = manifest({
        desc: svc('exec sleep 3771', 'env: {PLAIN: visible, TOKEN: {fromEnv: OV_TOKEN}}\nkillGracePeriod: 2s'),
      });
      const r = await cli(fw, ['-f', f], { env: { OV_TOKEN: secret } });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const out = (await cli(fw, ['describe', 'desc'])).stdout;
      expect(out).toMatch(
        /^Name: desc\n\nTask desc\.0\.\w+\n {2}State: {6}TASK_RUNNING\n {2}Agent: {6}\S+-S0 \(host localhost\)\n {2}Events:\n/,
      );
      expect(out).toMatch(/\d{4}-\d\d-\d\dT\S+Z\s+TASK_STARTING\s+-\s+SOURCE_EXECUTOR/);
      expect(out).toMatch(/\d{4}-\d\d-\d\dT\S+Z\s+TASK_RUNNING\s+-\s+SOURCE_EXECUTOR/);
      expect(out.indexOf('TASK_STARTING')).toBeLessThan(out.lastIndexOf('TASK_RUNNING'));
      expect(out).toContain("Command:    /bin/sh -c 'exec sleep 3771'");
      expect(out).toContain('Resources:  cpus 0.1, mem 32');
      expect(out).toMatch(/Env: {8}.*PLAIN=visible/);
      expect(out).toMatch(/TOKEN=<hidden>/);
      expect(out).toContain('Kill:       grace period 2s');
      expect(out).not.toContain(secret);
      expect((await cli(fw, ['describe', 'desc', '-o', 'json'])).stdout).not.toContain(secret);
    });
  });
});
