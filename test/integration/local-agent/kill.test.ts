import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { liveProcessGroups } from '../../../src/local/agent/index.js';
import { cleanupAll, framework, groupAlive, ourZombies, readSandbox, shellTask, sleep, startAgent } from './helpers.js';

afterEach(cleanupAll);

const ns = (ms: number) => ({ grace_period: { nanoseconds: ms * 1e6 } });
/** A task that ignores SIGTERM (and so does its background child) until SIGKILL. */
const STUBBORN = "trap 'echo got-term' TERM; echo armed; sleep 1000 & while true; do sleep 0.05; done";

/** True once no live (non-zombie) process of the group is left, within a second. */
async function goneSoon(pgid: number): Promise<boolean> {
  for (let i = 0; i < 100 && groupAlive(pgid); i++) await sleep(10);
  return !groupAlive(pgid);
}

/** Waits until the task's trap is installed (it prints `armed`): a TERM before that would kill the shell outright. */
async function armed(h: Awaited<ReturnType<typeof startAgent>>, taskId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if (readSandbox(h, taskId, 'stdout').includes('armed')) return;
    } catch {
      // the sandbox file may not exist yet
    }
    await sleep(25);
  }
  throw new Error(`${taskId} never armed its TERM trap`);
}

describe('local agent: KILL', () => {
  it('TASK_KILLING, SIGTERM to the group, SIGKILL after the grace period, TASK_KILLED', async () => {
    const h = await startAgent();
    h.agent.runTask(framework(), shellTask('svc.1', STUBBORN, { kill_policy: ns(400) }));
    const running = await h.master.waitForState('svc.1', 'TASK_RUNNING');
    const pgid = running.status.container_status!.executor_pid!;
    await armed(h, 'svc.1');
    const t0 = Date.now();
    h.agent.killTask('M1-0000', 'svc.1');
    const killed = await h.master.waitForState('svc.1', 'TASK_KILLED');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
    expect(h.master.states('svc.1')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED']);
    expect(killed.status.message).toBe('Command terminated with signal Killed');
    expect(killed.status.source).toBe('SOURCE_EXECUTOR');
    expect(readSandbox(h, 'svc.1', 'stdout')).toContain('got-term');
    expect(groupAlive(pgid)).toBe(false);
    expect(liveProcessGroups()).not.toContain(pgid);
    expect(ourZombies()).toEqual([]);
  });

  it('no TASK_KILLING without the capability; a clean exit on SIGTERM is still TASK_KILLED, reported as Mesos does', async () => {
    const h = await startAgent();
    h.agent.runTask(
      framework([]),
      shellTask('polite.0', "trap 'exit 0' TERM; echo armed; while true; do sleep 0.05; done"),
    );
    await h.master.waitForState('polite.0', 'TASK_RUNNING');
    await armed(h, 'polite.0');
    h.agent.killTask('M1-0000', 'polite.0');
    const killed = await h.master.waitForState('polite.0', 'TASK_KILLED');
    expect(h.master.states('polite.0')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLED']);
    // As recorded from Mesos 1.12: the executor reports its launcher ended by the TERM.
    expect(killed.status.message).toBe('Command terminated with signal Terminated');
  });

  it("KILL's kill_policy overrides the task's, and a second KILL can only shorten the grace", async () => {
    const h = await startAgent();
    h.agent.runTask(framework(), shellTask('long.0', STUBBORN, { kill_policy: ns(20_000) }));
    await h.master.waitForState('long.0', 'TASK_RUNNING');
    await armed(h, 'long.0');
    const t0 = Date.now();
    h.agent.killTask('M1-0000', 'long.0', ns(5_000));
    h.agent.killTask('M1-0000', 'long.0', ns(30_000)); // longer: no effect
    await sleep(100);
    h.agent.killTask('M1-0000', 'long.0', ns(200)); // shorter: SIGKILL ~100 ms from now
    await h.master.waitForState('long.0', 'TASK_KILLED', 3000);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(h.master.states('long.0').filter((s) => s === 'TASK_KILLING')).toHaveLength(1);
  });

  it('a KILL before the process started answers TASK_KILLED from the agent and never runs it', async () => {
    let server: Server | undefined;
    const held: (() => void)[] = [];
    server = createServer((_req, res) => held.push(() => res.end('late')));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const h = await startAgent();
      const task = shellTask('early.0', 'echo ran > ran.txt');
      task.command!.uris = [{ value: `http://127.0.0.1:${port}/slow.bin`, extract: false }];
      h.agent.runTask(framework(), task);
      await sleep(100);
      h.agent.killTask('M1-0000', 'early.0');
      const killed = await h.master.waitForState('early.0', 'TASK_KILLED');
      expect(killed.status).toMatchObject({
        message: 'Killed before delivery to the executor',
        source: 'SOURCE_AGENT',
        reason: 'REASON_TASK_KILLED_DURING_LAUNCH',
      });
      expect(h.master.states('early.0')).toEqual(['TASK_KILLED']);
      for (const f of held) f();
      await sleep(100);
      expect(() => readSandbox(h, 'early.0', 'ran.txt')).toThrow();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('a KILL for a task without executor answers TASK_DROPPED (partition-aware) / TASK_LOST', async () => {
    const h = await startAgent();
    h.agent.runTask(framework(), shellTask('x.0', 'true'));
    h.agent.runTask(framework([], 'M1-0001'), shellTask('y.0', 'true'));
    await h.master.waitForState('x.0', 'TASK_FINISHED');
    await h.master.waitForState('y.0', 'TASK_FINISHED');
    h.agent.killTask('M1-0000', 'ghost.0');
    h.agent.killTask('M1-0001', 'ghost.1');
    const dropped = await h.master.waitForState('ghost.0', 'TASK_DROPPED');
    expect(dropped.status).toMatchObject({
      message: 'Cannot find executor',
      source: 'SOURCE_AGENT',
      reason: 'REASON_EXECUTOR_TERMINATED',
    });
    await h.master.waitForState('ghost.1', 'TASK_LOST');
  });

  it('shutdownFramework kills the tasks and sends nothing more', async () => {
    const h = await startAgent();
    h.agent.runTask(framework(), shellTask('a.0', 'sleep 1000'));
    h.agent.runTask(framework(), shellTask('b.0', STUBBORN, { kill_policy: ns(100) }));
    const a = await h.master.waitForState('a.0', 'TASK_RUNNING');
    const b = await h.master.waitForState('b.0', 'TASK_RUNNING');
    const count = h.master.updates.length;
    h.agent.shutdownFramework('M1-0000');
    for (
      let i = 0;
      i < 50 &&
      (groupAlive(a.status.container_status!.executor_pid!) || groupAlive(b.status.container_status!.executor_pid!));
      i += 1
    )
      await sleep(20);
    expect(groupAlive(a.status.container_status!.executor_pid!)).toBe(false);
    expect(groupAlive(b.status.container_status!.executor_pid!)).toBe(false);
    await sleep(50);
    expect(h.master.updates.length).toBe(count);
    const state = h.agent.state() as {
      frameworks: unknown[];
      completed_frameworks: { id: string; completed_executors: unknown[] }[];
    };
    expect(state.frameworks).toEqual([]);
    expect(state.completed_frameworks.map((f) => f.id)).toEqual(['M1-0000']);
    expect(state.completed_frameworks[0]!.completed_executors).toHaveLength(2);
  });

  it('close() kills every process group, waits for them, and is idempotent; destroy() too', async () => {
    const h = await startAgent();
    h.agent.runTask(framework(), shellTask('c.0', STUBBORN));
    h.agent.runTask(framework(), shellTask('c.1', 'sleep 1000 & sleep 1000'));
    const pids = [
      (await h.master.waitForState('c.0', 'TASK_RUNNING')).status.container_status!.executor_pid!,
      (await h.master.waitForState('c.1', 'TASK_RUNNING')).status.container_status!.executor_pid!,
    ];
    await sleep(50);
    const t0 = Date.now();
    await Promise.all([h.agent.close(), h.agent.close()]);
    expect(Date.now() - t0).toBeLessThan(3000);
    // The leaders are reaped; the rest of each group got SIGKILL and is gone a moment later.
    for (const pid of pids) expect(await goneSoon(pid)).toBe(true);
    for (const pid of pids) expect(liveProcessGroups()).not.toContain(pid);
    expect(ourZombies()).toEqual([]);
    h.agent.destroy();
    h.agent.destroy();

    const h2 = await startAgent();
    h2.agent.runTask(framework(), shellTask('d.0', STUBBORN));
    const pid = (await h2.master.waitForState('d.0', 'TASK_RUNNING')).status.container_status!.executor_pid!;
    h2.agent.destroy();
    await h2.agent.close();
    expect(await goneSoon(pid)).toBe(true);
    expect(ourZombies()).toEqual([]);
  });

  it('kills what a finished task left behind in its process group', async () => {
    const h = await startAgent();
    h.agent.runTask(framework(), shellTask('bg.0', 'sleep 1000 & echo started'));
    const done = await h.master.waitForState('bg.0', 'TASK_FINISHED');
    const pgid = done.status.container_status!.executor_pid!;
    for (let i = 0; i < 50 && groupAlive(pgid); i += 1) await sleep(10);
    expect(groupAlive(pgid)).toBe(false);
  });
});
