/**
 * Engine promises checked in review (issue #5), end to end against a local cluster with
 * two agents: offers the first plan does not use are declined at once, not held while
 * the run waits for its tasks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalCluster } from '../../src/local/index.js';
import { runCli } from '../support/cli.js';
import { testCluster } from '../support/cluster.js';

let cluster: LocalCluster;
const dir = mkdtempSync(path.join(tmpdir(), 'mesos-apply-hardening-'));

beforeAll(async () => {
  cluster = await testCluster({ agents: 2, resources: 'cpus:2;mem:2048;disk:5000;ports:[31000-31999]' });
});
afterAll(async () => {
  await cluster?.close();
});

interface LegacyFramework {
  name: string;
  tasks: { state: string }[];
  offers: { id: string }[];
}

async function framework(name: string): Promise<LegacyFramework | undefined> {
  const res = await fetch(`${cluster.url}/master/state`);
  const state = (await res.json()) as { frameworks: LegacyFramework[] };
  return state.frameworks.find((f) => f.name === name);
}

describe('apply engine hardening', () => {
  it('declines the offers the first plan leaves unused instead of holding them while it waits', async () => {
    const file = path.join(dir, 'hold.yaml');
    writeFileSync(file, `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: hold}\nspec:\n  command: 'sleep 600'\n  resources: {cpus: 0.1, mem: 32}\n`);
    const run = runCli(['-f', file, '--min-running', '4s'], { env: { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: 'fw-hold' } });
    let done = false;
    void run.finally(() => (done = true));
    // While the run waits out --min-running, once the task runs: no offer may stay held.
    const held: number[] = [];
    while (!done) {
      const fw = await framework('fw-hold');
      if (fw && fw.tasks.some((t) => t.state === 'TASK_RUNNING')) held.push(fw.offers.length);
      await new Promise((r) => setTimeout(r, 200));
    }
    const r = await run;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(held.length).toBeGreaterThan(5);
    // Allow the first sample (the DECLINE may be in flight); afterwards nothing is held.
    expect(held.slice(2).every((n) => n === 0), `offers held: ${held.join(',')}`).toBe(true);
  });
});
