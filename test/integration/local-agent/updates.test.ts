import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, framework, shellTask, sleep, startAgent } from './helpers.js';

afterEach(cleanupAll);

describe('local agent: reliable status updates', () => {
  it('resends the unacknowledged head with back-off and holds the next update behind it', async () => {
    const h = await startAgent({ retryMs: 40, maxRetryMs: 160 });
    h.master.autoAck = false;
    h.agent.runTask(framework(), shellTask('q.0', 'echo hi'));
    await sleep(700);
    const sent = h.master.updates.filter((u) => u.status.task_id.value === 'q.0');
    // Only the head (TASK_STARTING) is ever sent, again and again with the same uuid...
    expect(new Set(sent.map((u) => u.status.state))).toEqual(new Set(['TASK_STARTING']));
    expect(new Set(sent.map((u) => u.status.uuid)).size).toBe(1);
    // ...at 0, 40, 120, 280, 440, 600 ms: doubling, capped at 160 ms.
    expect(sent.length).toBeGreaterThanOrEqual(4);
    expect(sent.length).toBeLessThanOrEqual(7);
    // latestState tells the master that the task has already finished.
    expect(sent[sent.length - 1]!.latestState).toBe('TASK_FINISHED');

    const head = sent[0]!.status;
    h.agent.acknowledge('M1-0000', 'q.0', 'AAAAAAAAAAAAAAAAAAAAAA=='); // not the head: ignored
    await sleep(10);
    expect(h.master.distinct('q.0').map((u) => u.status.state)).toEqual(['TASK_STARTING']);
    h.agent.acknowledge('M1-0000', 'q.0', head.uuid!);
    const running = await h.master.waitForState('q.0', 'TASK_RUNNING');
    expect(h.master.distinct('q.0').map((u) => u.status.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING']);
    h.agent.acknowledge('M1-0000', 'q.0', running.status.uuid!);
    const finished = await h.master.waitForState('q.0', 'TASK_FINISHED');
    h.agent.acknowledge('M1-0000', 'q.0', finished.status.uuid!);
    const count = h.master.updates.length;
    await sleep(200);
    expect(h.master.updates.length).toBe(count); // terminal acknowledged: stream closed
    const state = h.agent.state() as {
      frameworks: { completed_executors: { id: string; completed_tasks: { state: string }[] }[] }[];
    };
    expect(state.frameworks[0]!.completed_executors.map((e) => [e.id, e.completed_tasks[0]!.state])).toEqual([
      ['q.0', 'TASK_FINISHED'],
    ]);
  });

  it('keeps updates of a disconnected framework and resends them at once on resendPending', async () => {
    const h = await startAgent({ retryMs: 10_000, maxRetryMs: 600_000 });
    h.master.autoAck = false;
    h.agent.runTask(framework(), shellTask('held.0', 'true'));
    await h.master.waitForState('held.0', 'TASK_STARTING');
    await sleep(100);
    expect(h.master.updates).toHaveLength(1);
    h.agent.resendPending('M1-0001'); // another framework: nothing
    expect(h.master.updates).toHaveLength(1);
    h.agent.resendPending('M1-0000');
    expect(h.master.updates).toHaveLength(2);
    expect(h.master.updates[1]!.status.uuid).toBe(h.master.updates[0]!.status.uuid);
    h.master.autoAck = true;
    h.agent.acknowledge('M1-0000', 'held.0', h.master.updates[0]!.status.uuid!);
    await h.master.waitForState('held.0', 'TASK_FINISHED');
  });

  it('streams of different tasks are independent', async () => {
    const h = await startAgent({ retryMs: 10_000 });
    h.master.autoAck = false;
    h.agent.runTask(framework(), shellTask('i.0', 'true'));
    h.agent.runTask(framework(), shellTask('i.1', 'true'));
    await h.master.waitForState('i.0', 'TASK_STARTING');
    await h.master.waitForState('i.1', 'TASK_STARTING');
    const first = h.master.distinct('i.1')[0]!.status;
    h.agent.acknowledge('M1-0000', 'i.1', first.uuid!);
    await h.master.waitForState('i.1', 'TASK_RUNNING');
    expect(h.master.distinct('i.0').map((u) => u.status.state)).toEqual(['TASK_STARTING']);
  });
});
