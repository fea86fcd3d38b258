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
import type { Task } from '../../src/mesos/types.js';
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
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

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

    const again = await cli(['-f', file]);
    expect(again.code, again.stdout.slice(0, 500) + again.stderr.slice(-2000)).toBe(0);
    expect(again.stdout.length, again.stderr.slice(-2000)).toBeGreaterThan(0);
    const report = JSON.parse(again.stdout) as { instances: { action: string }[] };
    expect(report.instances.every((i) => i.action === 'unchanged')).toBe(true);

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

    const del = await cli(['delete', '-f', file, '--timeout', '90']);
    expect(del.code, del.stderr.slice(-2000)).toBe(0);
    expect(await running()).toHaveLength(0);
  });
});
