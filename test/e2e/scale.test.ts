/**
 * At modest scale, through the real CLI: 2,000 tasks (20 services of 100, with UNIQUE
 * hostname, GROUP_BY zone and MAX_PER rack constraints) on 200 simulated agents with rack
 * and zone attributes (`--simulate`, `--agent-profile`). Apply brings all to TASK_RUNNING
 * with the constraints held, a re-apply changes nothing, the control endpoint fails tasks
 * and a re-apply relaunches exactly those, delete removes everything.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaleManifest, scaleProfile } from '../../bench/support/scale-fixture.js';
import type { LocalCluster } from '../../src/local/index.js';
import type { Event, Task } from '../../src/mesos/types.js';
import { runCli } from '../support/cli.js';
import { allTasks, testCluster } from '../support/cluster.js';

const AGENTS = 200;
const SERVICES = 20;
const INSTANCES = 100;
const FRAMEWORK = 'scale-e2e';
let cluster: LocalCluster;
const dir = mkdtempSync(path.join(tmpdir(), 'mesos-apply-scale-'));
const file = path.join(dir, 'scale.yaml');

beforeAll(async () => {
  cluster = await testCluster({
    agents: AGENTS,
    resources: undefined,
    simulate: { startDelayMs: 20 },
    agentProfile: scaleProfile(AGENTS),
  });
  writeFileSync(file, scaleManifest(SERVICES, INSTANCES, AGENTS));
  watchCalls();
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

/**
 * What this framework's runs send the master, by call type, and the distinct update uuids
 * the master forwarded to them: every update is to be acknowledged once, never twice.
 */
const sent: Record<string, number> = {};
const forwarded = new Set<string>();
function watchCalls(): void {
  const master = cluster.master;
  const call = master.call.bind(master);
  master.call = (fw, c) => {
    sent[c.type] = (sent[c.type] ?? 0) + 1;
    call(fw, c);
  };
  const subscribe = master.subscribe.bind(master);
  master.subscribe = (c, stream) => {
    const send = stream.send.bind(stream);
    stream.send = (e: Event) => {
      if (e.update?.status.uuid) forwarded.add(e.update.status.uuid);
      send(e);
    };
    subscribe(c, stream);
  };
}
/** The calls and forwarded uuids since the last look. */
function since(): { calls: Record<string, number>; uuids: number } {
  const out = { calls: { ...sent }, uuids: forwarded.size };
  for (const k of Object.keys(sent)) delete sent[k];
  forwarded.clear();
  return out;
}

function cli(args: string[]) {
  return runCli([...args, '--master', cluster.url, '--framework', FRAMEWORK, '-o', 'json'], { timeoutMs: 120_000 });
}

const running = async (): Promise<Task[]> =>
  (await allTasks(cluster.url)).tasks.filter((t) => t.state === 'TASK_RUNNING');

function attr(t: Task, name: string): string {
  const agent = cluster.agents.find((a) => a.id === t.agent_id.value);
  const a = agent?.attributes.find((x) => x.name === name);
  return name === 'hostname' ? (agent?.hostname ?? '') : (a?.text?.value ?? '');
}

function countsBy(tasks: Task[], svc: string, field: string): number[] {
  const m = new Map<string, number>();
  for (const t of tasks.filter((x) => x.name === svc)) m.set(attr(t, field), (m.get(attr(t, field)) ?? 0) + 1);
  return [...m.values()];
}

describe('2,000 tasks on 200 simulated agents', () => {
  it('applies, holds the constraints, re-applies unchanged, recovers failed tasks, deletes', {
    timeout: 120_000,
  }, async () => {
    const first = await cli(['-f', file, '--timeout', '90']);
    expect(first.code, first.stderr.slice(-2000)).toBe(0);
    const tasks = await running();
    expect(tasks).toHaveLength(SERVICES * INSTANCES);
    expect(new Set(tasks.map((t) => t.agent_id.value)).size).toBeGreaterThan(AGENTS / 2);
    expect(Math.max(...countsBy(tasks, 'svc-000', 'hostname'))).toBe(1); // UNIQUE hostname
    const zones = countsBy(tasks, 'svc-001', 'zone'); // GROUP_BY zone: 34/33/33
    expect(Math.max(...zones) - Math.min(...zones)).toBeLessThanOrEqual(1);
    expect(Math.max(...countsBy(tasks, 'svc-002', 'rack'))).toBeLessThanOrEqual(15); // MAX_PER rack 15
    // Each update acknowledged once (STARTING and RUNNING of each task), however far behind
    // the run fell: a resend of an update already being acknowledged is not acknowledged again.
    const applied1 = since();
    expect(applied1.calls.ACKNOWLEDGE).toBe(applied1.uuids);
    expect(applied1.uuids).toBe(2 * SERVICES * INSTANCES);

    const again = await cli(['-f', file]);
    expect(again.code, again.stdout.slice(0, 500) + again.stderr.slice(-2000)).toBe(0);
    expect(again.stdout.length, again.stderr.slice(-2000)).toBeGreaterThan(0);
    const report = JSON.parse(again.stdout) as { instances: { action: string }[] };
    expect(report.instances.every((i) => i.action === 'unchanged')).toBe(true);
    // Nothing launched or killed; the leaving pass acknowledges each task's last update at
    // most once (the master cannot say whether an earlier run did).
    const unchanged = since();
    expect(unchanged.calls.ACCEPT ?? 0).toBe(0);
    expect(unchanged.calls.KILL ?? 0).toBe(0);
    expect(unchanged.calls.ACKNOWLEDGE ?? 0).toBeLessThanOrEqual(SERVICES * INSTANCES);

    const res = await fetch(`${cluster.url}/local/simulate`, {
      method: 'POST',
      body: JSON.stringify({ action: 'fail', task_id_prefix: 'svc-003.1' }),
    });
    const { applied } = (await res.json()) as { applied: string[] };
    expect(applied.length).toBe(11); // instances 1 and 10-19
    const healed = await cli(['-f', file, '--timeout', '90']);
    expect(healed.code, healed.stderr.slice(-2000)).toBe(0);
    const actions = (JSON.parse(healed.stdout) as { instances: { action: string }[] }).instances.map((i) => i.action);
    expect(actions.filter((a) => a !== 'unchanged')).toHaveLength(applied.length);
    expect(await running()).toHaveLength(SERVICES * INSTANCES);

    since();
    const del = await cli(['delete', '-f', file, '--timeout', '90']);
    expect(del.code, del.stderr.slice(-2000)).toBe(0);
    expect(await running()).toHaveLength(0);
    // One KILL per task (the agents answer well within the resend interval), each update
    // (KILLING, KILLED) acknowledged once.
    const deleted = since();
    expect(deleted.calls.KILL).toBe(SERVICES * INSTANCES);
    expect(deleted.calls.ACKNOWLEDGE).toBe(deleted.uuids);
  });
});
