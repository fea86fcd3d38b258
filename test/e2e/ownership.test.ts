/**
 * Framework ownership, end to end (issue 11; the racing first applies of issue 19): real CLI
 * processes against a local cluster. A dry run and plan change nothing in master `/state`;
 * plan works while an apply holds the framework and does not disturb it; concurrent applies
 * take turns under the lease and never duplicate a task; two first applies of a new
 * framework end with one framework; teardown asks, then removes; get says when a framework
 * was removed. Every wait is for a condition. One framework name per test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalCluster } from '../../src/local/index.js';
import type { GetFrameworks, OperatorFramework } from '../../src/mesos/types.js';
import { runCli, type CliResult } from '../support/cli.js';
import { allTasks, eventually, operator, testCluster } from '../support/cluster.js';
import { SchedulerSession } from '../../src/mesos/scheduler.js';

let cluster: LocalCluster;
const dir = mkdtempSync(path.join(tmpdir(), 'mesos-apply-own-'));
let n = 0;

beforeAll(async () => {
  cluster = await testCluster();
});
afterAll(async () => {
  await cluster?.close();
});

function manifest(name: string, command: string, instances = 1): string {
  const file = path.join(dir, `m-${++n}.yaml`);
  writeFileSync(
    file,
    `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: ${name}}\nspec:\n  command: '${command}'\n  resources: {cpus: 0.1, mem: 32}\n  instances: ${instances}\n`,
  );
  return file;
}

function cli(framework: string, args: string[], timeoutMs = 90_000): Promise<CliResult> {
  return runCli(args, { env: { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: framework }, timeoutMs });
}

async function frameworks(): Promise<GetFrameworks> {
  return (await operator<{ get_frameworks: GetFrameworks }>(cluster.url, { type: 'GET_FRAMEWORKS' })).get_frameworks;
}

async function named(name: string): Promise<{ live: OperatorFramework[]; completed: OperatorFramework[] }> {
  const f = await frameworks();
  const of = (l: OperatorFramework[]) => l.filter((x) => x.framework_info.name === name);
  return { live: of(f.frameworks), completed: of(f.completed_frameworks) };
}

/** The parts of master `/state` a dry run must not change: frameworks (FrameworkInfo, times) and tasks. */
async function stateOf(): Promise<unknown> {
  const res = await fetch(`${cluster.url}/state`);
  const s = (await res.json()) as {
    frameworks: Record<string, unknown>[];
    completed_frameworks: Record<string, unknown>[];
  };
  const pick = (f: Record<string, unknown>) => {
    const { offers: _o, offered_resources: _r, used_resources: _u, resources: _s, ...rest } = f;
    return rest;
  };
  return { frameworks: s.frameworks.map(pick), completed: s.completed_frameworks.map(pick) };
}

/** Active task ids per `name/instance` of a framework: a duplicate shows as two ids. */
async function activeByInstance(frameworkId: string): Promise<Record<string, string[]>> {
  const t = await allTasks(cluster.url);
  const out: Record<string, string[]> = {};
  for (const task of t.tasks.filter((x) => x.framework_id.value === frameworkId)) {
    const label = (k: string) => task.labels?.labels?.find((l) => l.key === k)?.value;
    const key = `${label('mesos-apply/name')}/${label('mesos-apply/instance')}`;
    out[key] = [...(out[key] ?? []), task.task_id.value];
  }
  return out;
}

describe('plan and dry runs only read', () => {
  it('a dry run with any flags changes nothing in master /state and registers no framework', async () => {
    const fw = 'own-dry';
    const v1 = manifest('dry', 'exec sleep 4101', 2);
    expect((await cli(fw, ['-f', v1])).code).toBe(0);
    // No silent expiry: the default is as long as Mesos accepts, with a margin (9e9 s).
    expect((await named(fw)).live[0]?.framework_info.failover_timeout).toBe(9_000_000_000);
    const tooLong = await cli(fw, ['-f', v1, '--failover-timeout', '9223372037']);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain('Mesos accepts at most 9223372036s');
    const before = await stateOf();
    const v2 = manifest('dry', 'exec sleep 4102', 3);
    for (const extra of [
      ['--dry-run', '--failover-timeout', '2s', '--prune', '--takeover', '--lock-timeout', '0'],
      ['--dry-run', '--no-wait', '--min-running', '0'],
    ]) {
      const r = await cli(fw, ['-f', v2, ...extra]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('~ dry/0');
    }
    const plan = await cli(fw, ['plan', '-f', v2, '--detailed-exitcode']);
    expect(plan.code, plan.stderr).toBe(3);
    // A namespace that does not exist: planned, never registered.
    const fresh = await cli('own-dry-new', ['plan', '-f', v2]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toContain('+ dry/2');
    expect(await stateOf()).toEqual(before);
    expect(await named('own-dry-new')).toEqual({ live: [], completed: [] });
  });

  it('plan runs while an apply holds the framework; the apply is not disturbed', async () => {
    const fw = 'own-plan-busy';
    const f = manifest('busy', 'exec sleep 4201', 2);
    const apply = cli(fw, ['-f', f, '--min-running', '6s']);
    const held = await eventually(async () => (await named(fw)).live.find((x) => x.connected));
    const plan = await cli(fw, ['plan', '-f', f, '--detailed-exitcode']);
    expect([0, 3], plan.stdout + plan.stderr).toContain(plan.code);
    const still = (await named(fw)).live[0];
    expect(still?.connected).toBe(true);
    expect(still?.reregistered_time).toEqual(held.reregistered_time);
    const done = await apply;
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(done.stdout + done.stderr).not.toMatch(/FAILED_OVER|took over/);
    expect(done.stdout).toContain('2 running');
  });
});

describe('the lease', () => {
  it('two concurrent applies of one framework take turns; no task is duplicated; the waiter says who held it', async () => {
    const fw = 'own-race';
    expect((await cli(fw, ['-f', manifest('race', 'exec sleep 4301', 2)])).code).toBe(0);
    const v2 = manifest('race', 'exec sleep 4302', 2);
    const [a, b] = await Promise.all([
      cli(fw, ['-f', v2, '--min-running', '2s']),
      cli(fw, ['-f', v2, '--min-running', '2s']),
    ]);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(b.code, b.stdout + b.stderr).toBe(0);
    const both = `${a.stdout}${a.stderr}\n---\n${b.stdout}${b.stderr}`;
    // Who held it: said while waiting, or (when the race was lost and the other run was
    // already done by the next look) when this run was failed over.
    expect(both, both).toMatch(/(is held by |^\S+ )\S+@\S+ \(pid \d+, `mesos-apply[^`]*`\)( since| took framework)/m);
    const { live } = await named(fw);
    expect(live).toHaveLength(1);
    const byInstance = await activeByInstance(live[0]!.framework_info.id!.value);
    expect(Object.keys(byInstance).sort()).toEqual(['race/0', 'race/1']);
    for (const ids of Object.values(byInstance)) expect(ids, `${JSON.stringify(byInstance)}\n${both}`).toHaveLength(1);
    expect(
      Object.values(byInstance)
        .flat()
        .every((id) => id.includes('race.')),
    ).toBe(true);
  });

  it('--lock-timeout 0 fails at once (exit 1) naming the holder', async () => {
    const fw = 'own-locked';
    const f = manifest('locked', 'exec sleep 4401');
    const apply = cli(fw, ['-f', f, '--min-running', '6s']);
    await eventually(async () => (await named(fw)).live.find((x) => x.connected));
    const r = await cli(fw, ['-f', f, '--lock-timeout', '0']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/MA_ERR_LOCKED/);
    expect(r.stdout + r.stderr).toMatch(/held by \S+@\S+ \(pid \d+/);
    expect((await apply).code).toBe(0);
  });

  it('two concurrent first applies of a new framework end with one framework and no duplicate', async () => {
    for (let i = 0; i < 2; i++) {
      const fw = `own-first-${i}`;
      const f = manifest(`first${i}`, 'exec sleep 4501', 2);
      const [a, b] = await Promise.all([cli(fw, ['-f', f]), cli(fw, ['-f', f])]);
      expect(a.code, a.stdout + a.stderr).toBe(0);
      expect(b.code, b.stdout + b.stderr).toBe(0);
      const { live } = await named(fw);
      expect(live).toHaveLength(1);
      const byInstance = await activeByInstance(live[0]!.framework_info.id!.value);
      expect(Object.values(byInstance).map((ids) => ids.length)).toEqual([1, 1]);
      const all = await allTasks(cluster.url);
      const anyFirst = all.tasks.filter((t) => t.task_id.value.startsWith(`first${i}.`));
      expect(anyFirst.filter((t) => t.framework_id.value !== live[0]!.framework_info.id!.value)).toEqual([]);
    }
  });
});

describe('two frameworks of one name', () => {
  it('apply refuses naming both ids, get warns, teardown --framework-id removes the stray one', async () => {
    const fw = 'own-dup';
    // Two frameworks of the name, as a race of older versions left them (registered, disconnected).
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const session = new SchedulerSession({
        masters: [cluster.url],
        frameworkInfo: { user: 'nobody', name: fw, failover_timeout: 3600, checkpoint: true },
      });
      ids.push((await session.start()).frameworkId);
      await session.close();
    }
    await eventually(async () => ((await named(fw)).live.every((f) => !f.connected) ? true : undefined));
    const f = manifest('dup', 'exec sleep 4701');
    const refused = await cli(fw, ['-f', f]);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('MA_ERR_DUPLICATE_FRAMEWORK');
    for (const id of ids) expect(refused.stdout + refused.stderr).toContain(id);
    const get = await cli(fw, ['get']);
    expect(get.stderr).toMatch(/warning: 2 frameworks are named 'own-dup'/);
    const plan = await cli(fw, ['plan', '-f', f]);
    expect(plan.code).toBe(1);
    expect(plan.stdout + plan.stderr).toContain('MA_ERR_DUPLICATE_FRAMEWORK');
    const td = await cli(fw, ['teardown', '--framework-id', ids[1]!, '--yes']);
    expect(td.code, td.stdout + td.stderr).toBe(0);
    expect((await named(fw)).live.map((x) => x.framework_info.id?.value)).toEqual([ids[0]]);
    const ok = await cli(fw, ['-f', f]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect((await named(fw)).live.map((x) => x.framework_info.id?.value)).toEqual([ids[0]]);
  });
});

describe('delete', () => {
  it("keeps the framework's failover timeout and labels; only the holder labels name it", async () => {
    const fw = 'own-delete';
    const f = manifest('del', 'exec sleep 4801');
    expect((await cli(fw, ['-f', f, '--failover-timeout', '1h'])).code).toBe(0);
    const before = (await named(fw)).live[0]!.framework_info;
    expect(before.failover_timeout).toBe(3600);
    const d = await cli(fw, ['delete', 'del']);
    expect(d.code, d.stdout + d.stderr).toBe(0);
    const after = (await named(fw)).live[0]!.framework_info;
    expect(after.failover_timeout).toBe(3600);
    expect(after.roles).toEqual(before.roles);
    const holder = (l: { key: string; value?: string }[] | undefined) =>
      Object.fromEntries((l ?? []).filter((x) => x.key.startsWith('mesos-apply/holder-')).map((x) => [x.key, x.value]));
    expect(holder(after.labels?.labels)['mesos-apply/holder-command']).toBe('mesos-apply delete del');
    expect(Object.keys(holder(after.labels?.labels)).sort()).toEqual(Object.keys(holder(before.labels?.labels)).sort());
  });
});

describe('teardown and removed frameworks', () => {
  it('refuses without --yes and no terminal; with --yes removes it; get then says when', async () => {
    const fw = 'own-teardown';
    expect((await cli(fw, ['-f', manifest('td', 'exec sleep 4601')])).code).toBe(0);
    const refused = await cli(fw, ['teardown']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('td/0');
    expect(refused.stderr).toContain('--yes');
    expect((await named(fw)).live).toHaveLength(1);
    const r = await cli(fw, ['teardown', '--yes']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await named(fw)).toMatchObject({ live: [], completed: [expect.anything()] });
    const get = await cli(fw, ['get', 'td']);
    expect(get.code).toBe(1);
    expect(get.stderr).toMatch(/framework 'own-teardown' \(\S+\) was removed at \d{4}-\d\d-\d\dT/);
    const plan = await cli(fw, ['plan', '-f', manifest('td', 'exec sleep 4601')]);
    expect(plan.stderr).toContain('was removed at');
  });

  it('--no-wait exits 1 when the report says a task failed (it fits no agent)', async () => {
    const f = path.join(dir, 'huge.yaml');
    writeFileSync(
      f,
      'apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: huge}\nspec:\n  command: sleep 1\n  resources: {cpus: 1000, mem: 32}\n',
    );
    const r = await cli('own-nowait', ['-f', f, '--no-wait']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('fits no agent at all');
  });
});
