/**
 * `mesos-apply controller --unreachable-timeout` end to end (issue 12): a real controller
 * process against a simulated two-agent local cluster whose master marks an agent
 * unreachable after 3 pings of 200 ms (Mesos: 5 × 15 s). The service's agent is cut off:
 * back before the timeout, nothing is relaunched; cut off for longer, the instance is placed
 * afresh on the other agent, and when the agent returns with the old task the controller
 * kills that surplus copy: one live task per instance, every update acknowledged. What the
 * one-shot `get` shows for the unreachable task is checked on the way.
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
let child: ChildProcess | undefined;

beforeAll(async () => {
  cluster = await testCluster({
    agents: 2,
    simulate: { startDelayMs: 50 },
    agentPingTimeoutMs: 200,
    maxAgentPingTimeouts: 3,
    statusRetryMs: 500,
  });
});
afterAll(async () => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  await cluster?.close();
});

const FW = 'ctl-partition';
const label = (t: Task, k: string) => t.labels?.labels?.find((l) => l.key === k)?.value;

/** The framework's tasks of `web/0`, active (incl. unreachable) and completed, as the master lists them. */
async function webTasks(): Promise<{ live: Task[]; unreachable: Task[]; completed: Task[] }> {
  const f = (await operator<{ get_frameworks: GetFrameworks }>(cluster.url, { type: 'GET_FRAMEWORKS' })).get_frameworks;
  const id = f.frameworks.find((x) => x.framework_info.name === FW)?.framework_info.id?.value;
  const mine = (t: Task) => t.framework_id.value === id && label(t, 'mesos-apply/name') === 'web';
  const all = await allTasks(cluster.url);
  return {
    live: all.tasks.filter(mine),
    unreachable: all.unreachable_tasks.filter(mine),
    completed: all.completed_tasks.filter(mine),
  };
}

describe('controller and unreachable agents', { timeout: 120_000 }, () => {
  it('an agent back before --unreachable-timeout changes nothing; one back after it loses its copy to the new one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mesos-apply-ctl-part-'));
    writeFileSync(
      path.join(dir, 'web.yaml'),
      `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: web}\nspec:\n  command: 'exec sleep 6100'\n  resources: {cpus: 0.1, mem: 32}\n  rollout: {minHealthyTime: 1s}\n`,
    );
    let log = '';
    child = spawn(
      NODE,
      [BIN, 'controller', '-f', dir, '--listen', 'off', '--unreachable-timeout', '4s', '--resync', '10m'],
      {
        cwd: REPO,
        env: { ...process.env, NO_COLOR: '1', CI: 'true', MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: FW },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
    const waitFor = async <T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> => {
      try {
        return await eventually(fn, ms, 100);
      } catch {
        throw new Error(`${what}: not in time; the controller's log:\n${log}`);
      }
    };
    const running = (t: Task[]) => t.filter((x) => x.state === 'TASK_RUNNING');

    const first = await waitFor('web running', async () => running((await webTasks()).live)[0]);
    const home = first.agent_id.value;
    const other = cluster.agents.map((a) => a.id).find((id) => id !== home) as string;

    // Back before the timeout: the controller notes it, relaunches nothing.
    expect(cluster.partition(home)).toBe(true);
    await waitFor('task-unreachable', async () => (/task-unreachable /.test(log) ? true : undefined));
    expect(cluster.heal(home)).toBe(true);
    await waitFor('task-reachable', async () => (/task-reachable .*state=TASK_RUNNING/.test(log) ? true : undefined));
    const calm = await webTasks();
    expect(calm.live.map((t) => [t.task_id.value, t.state])).toEqual([[first.task_id.value, 'TASK_RUNNING']]);
    expect(calm.unreachable).toEqual([]);
    expect(log).not.toMatch(/ info (unreachable-timeout|relaunch|instance-down) /);

    // Cut off for longer: unreachable at the master, and `get` says so.
    const cutAt = Date.now();
    cluster.partition(home);
    await waitFor('listed unreachable', async () =>
      (await webTasks()).unreachable.some((t) => t.state === 'TASK_UNREACHABLE') ? true : undefined,
    );
    const get = await runCli(['get', '-o', 'json'], { env: { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: FW } });
    expect(get.code, get.stderr).toBe(0);
    expect(JSON.parse(get.stdout).tasks).toContainEqual(
      expect.objectContaining({ name: 'web', instance: 0, taskId: first.task_id.value, state: 'TASK_UNREACHABLE' }),
    );

    // After --unreachable-timeout the instance is placed afresh, on the other agent.
    const second = await waitFor('relaunched elsewhere', async () =>
      running((await webTasks()).live).find((t) => t.task_id.value !== first.task_id.value),
    );
    expect(second.agent_id.value).toBe(other);
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(4000);
    expect(log).toMatch(new RegExp(`unreachable-timeout task=${first.task_id.value.replace(/\./g, '\\.')}`));

    // The agent returns with the old task: the controller kills that copy and keeps the new one.
    cluster.heal(home);
    await waitFor('task-returned', async () => (/task-returned /.test(log) ? true : undefined));
    const settled = await waitFor('one live copy', async () => {
      const t = await webTasks();
      const old = t.completed.find((x) => x.task_id.value === first.task_id.value);
      return t.live.length === 1 && old?.state === 'TASK_KILLED' ? t : undefined;
    });
    expect(settled.live.map((t) => [t.task_id.value, t.state])).toEqual([[second.task_id.value, 'TASK_RUNNING']]);
    expect(settled.unreachable).toEqual([]);
    const fwId = settled.live[0]?.framework_id.value as string;
    await waitFor('every update acknowledged', async () =>
      cluster.agents.every((a) => a.unacknowledgedUpdates(fwId) === 0) ? true : undefined,
    );

    child.kill('SIGTERM');
    expect(await exited, log).toBe(0);
  });
});
