import { describe, expect, it } from 'vitest';
import { Acknowledger } from '../../../src/apply/acks.js';
import { headsOf } from '../../../src/apply/cluster.js';
import { ackedHeadsLabel, LABEL_ACKED_HEADS } from '../../../src/apply/acked-heads.js';
import { acknowledgePending, recordAcknowledged } from '../../../src/apply/pending-acks.js';
import type { OperatorClient } from '../../../src/mesos/operator.js';
import type { SchedulerSession } from '../../../src/mesos/scheduler.js';
import type { FrameworkInfo, Task, TaskState, TaskStatus } from '../../../src/mesos/types.js';

/**
 * A task as the master's GET_TASKS gives it: the update it forwarded last (uuid, state, and
 * the health verdict it carries, if any) and the latest state the agent knows.
 */
const head = (
  id: string,
  uuid: string,
  forwarded: TaskState,
  latest: TaskState = forwarded,
  health?: 'checked' | 'healthy',
): Task => ({
  name: id,
  task_id: { value: id },
  framework_id: { value: 'fw' },
  agent_id: { value: 'a1' },
  state: latest,
  status_update_state: forwarded,
  status_update_uuid: uuid,
  statuses: [{ task_id: { value: id }, state: forwarded, uuid, ...(health === 'healthy' ? { healthy: true } : {}) }],
  ...(health ? { health_check: { type: 'COMMAND', command: { value: 'true' } } } : {}),
});

/** The master's GET_TASKS, one answer per read (the last one repeats), counting the reads. */
function master(...answers: Task[][]) {
  let reads = 0;
  const operator = {
    getTasks: async () => ({ tasks: answers[Math.min(reads++, answers.length - 1)] }),
  } as unknown as OperatorClient;
  return { operator, reads: () => reads };
}

function session() {
  const acked: string[] = [];
  const s = {
    acknowledgeUpdate: async (st: TaskStatus) => {
      acked.push(`${st.task_id.value}:${st.uuid}`);
      return true;
    },
  } as unknown as SchedulerSession;
  return { s, acked };
}

/** A fake clock: sleeping is the only thing that moves it. */
function clock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

const opts = () => ({ deadline: Number.POSITIVE_INFINITY, pollMs: 100, followUpMs: 1_000, ...clock() });

describe('acknowledgePending', () => {
  it('a run that changed nothing starts from its first read: each head acknowledged once, one more look', async () => {
    const first = [head('t1', 'u1', 'TASK_RUNNING'), head('t2', 'u2', 'TASK_RUNNING', 'TASK_RUNNING', 'healthy')];
    const m = master(first);
    const { s, acked } = session();
    const o = opts();
    const { sent } = await acknowledgePending(m.operator, s, 'fw', new Acknowledger(() => undefined), {
      ...o,
      firstRead: headsOf(first, 'fw'),
    });
    expect(sent).toBe(2);
    expect(acked).toEqual(['t1:u1', 't2:u2']);
    // One look whether an acknowledgement let a queued update through; no health verdict is
    // outstanding (no check, or the verdict is in), so nothing is watched.
    expect(m.reads()).toBe(1);
    expect(o.now()).toBe(100);
  });

  it('a head still waiting for its health verdict is watched for followUpMs, then let go', async () => {
    const first = [head('t1', 'u1', 'TASK_RUNNING', 'TASK_RUNNING', 'checked')];
    const m = master(first);
    const { s, acked } = session();
    const o = opts();
    await acknowledgePending(m.operator, s, 'fw', new Acknowledger(() => undefined), {
      ...o,
      firstRead: headsOf(first, 'fw'),
    });
    expect(acked).toEqual(['t1:u1']);
    expect(m.reads()).toBe(10);
    expect(o.now()).toBe(1_000);
  });

  it('a slow GET_TASKS (a large cluster) is followed by as long a pause: the watch reads less often', async () => {
    const first = [
      head('t1', 'u1', 'TASK_RUNNING', 'TASK_RUNNING', 'checked'),
      head('t2', 'u2', 'TASK_RUNNING', 'TASK_RUNNING', 'checked'),
    ];
    const c = clock();
    let reads = 0;
    // Each read of the master takes 400 ms of the (fake) clock.
    const operator = {
      getTasks: async () => {
        reads++;
        await c.sleep(400);
        return { tasks: first };
      },
    } as unknown as OperatorClient;
    const { s, acked } = session();
    await acknowledgePending(operator, s, 'fw', new Acknowledger(() => undefined), {
      ...opts(),
      ...c,
      followUpMs: 4_000,
      firstRead: headsOf(first, 'fw'),
    });
    expect(acked).toEqual(['t1:u1', 't2:u2']);
    // Watched for 4 s: a read every 800 ms (400 reading, 400 pausing), not every 500 ms.
    expect(reads).toBe(6);
  });

  it('a run that left nothing behind reads once and does not wait', async () => {
    const first = [head('t1', 'u1', 'TASK_RUNNING')];
    const m = master(first);
    const acks = new Acknowledger(() => undefined);
    const { s, acked } = session();
    acks.ack(s, { task_id: { value: 't1' }, state: 'TASK_RUNNING', uuid: 'u1' } as TaskStatus);
    const o = opts();
    const { sent } = await acknowledgePending(m.operator, s, 'fw', acks, { ...o, firstRead: headsOf(first, 'fw') });
    expect(sent).toBe(0);
    expect(acked).toEqual(['t1:u1']);
    expect(o.now()).toBe(0);
  });

  it('a health update queued behind an acknowledged head (same state) is acknowledged when it comes', async () => {
    const running = head('t1', 'u1', 'TASK_RUNNING', 'TASK_RUNNING', 'checked');
    // The master shows the healthy update only some reads after the head was acknowledged.
    const healthy = head('t1', 'u2', 'TASK_RUNNING', 'TASK_RUNNING', 'healthy');
    const m = master([running], [running], [running], [running], [healthy]);
    const { s, acked } = session();
    await acknowledgePending(m.operator, s, 'fw', new Acknowledger(() => undefined), opts());
    expect(acked).toEqual(['t1:u1', 't1:u2']);
  });

  it('gives up at the deadline', async () => {
    const m = master([head('t1', 'u1', 'TASK_STARTING', 'TASK_RUNNING')]);
    const { s } = session();
    const o = opts();
    await acknowledgePending(m.operator, s, 'fw', new Acknowledger(() => undefined), { ...o, deadline: 500 });
    expect(o.now()).toBeLessThanOrEqual(500);
  });

  it('reads again while updates are queued behind the forwarded one, and acknowledges each head once', async () => {
    const m = master(
      [head('t1', 'u1', 'TASK_STARTING', 'TASK_RUNNING')],
      [head('t1', 'u2', 'TASK_RUNNING')],
      [head('t1', 'u2', 'TASK_RUNNING')],
    );
    const { s, acked } = session();
    await acknowledgePending(m.operator, s, 'fw', new Acknowledger(() => undefined), opts());
    expect(acked).toEqual(['t1:u1', 't1:u2']);
  });

  it('heads an earlier run vouches for are not acknowledged again, unless an update is queued behind one', async () => {
    const first = [
      head('t1', 'u1', 'TASK_RUNNING', 'TASK_RUNNING', 'checked'),
      head('t2', 'u2', 'TASK_RUNNING'),
      head('t3', 'u3', 'TASK_STARTING', 'TASK_RUNNING'),
    ];
    const m = master(first, [first[0]!, first[1]!, head('t3', 'u4', 'TASK_RUNNING')]);
    const { s, acked } = session();
    const o = opts();
    const { sent, heads } = await acknowledgePending(m.operator, s, 'fw', new Acknowledger(() => undefined), {
      ...o,
      firstRead: headsOf(first, 'fw'),
      acknowledged: new Set(['u1', 'u2', 'u3']),
    });
    // t1 (even though its health verdict is outstanding: its head was acknowledged before) and
    // t2 are left alone; t3's head is vouched for, but the agent still holds an update behind it.
    expect(acked).toEqual(['t3:u3', 't3:u4']);
    expect(sent).toBe(2);
    expect(heads.map((h) => h.status_update_uuid)).toEqual(['u1', 'u2', 'u4']);
  });
});

describe('recordAcknowledged', () => {
  function holder(labels: FrameworkInfo['labels']) {
    const updates: { info: FrameworkInfo; suppressed: string[] }[] = [];
    let info: FrameworkInfo = { name: 'fw', user: 'u', roles: ['a', 'b'], ...(labels ? { labels } : {}) };
    const s = {
      get info() {
        return info;
      },
      updateFramework: async (next: FrameworkInfo, suppressed: string[]) => {
        updates.push({ info: next, suppressed });
        info = next;
      },
    };
    return { s, updates };
  }
  const heads = headsOf([head('t1', 'u1', 'TASK_RUNNING'), head('t2', 'u2', 'TASK_RUNNING')], 'fw');

  it('writes the label when it says something new, keeping the other labels and the roles suppressed', async () => {
    const { s, updates } = holder({ labels: [{ key: 'mesos-apply/holder-run', value: 'r1' }] });
    await recordAcknowledged(s, heads, () => true);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.suppressed).toEqual(['a', 'b']);
    expect(updates[0]!.info.labels?.labels).toEqual([
      { key: 'mesos-apply/holder-run', value: 'r1' },
      { key: LABEL_ACKED_HEADS, value: ackedHeadsLabel(heads, () => true) },
    ]);
    // The same heads again (a run that changed nothing): no call.
    await recordAcknowledged(s, heads, () => true);
    expect(updates).toHaveLength(1);
    await recordAcknowledged(s, heads, (uuid) => uuid === 'u1');
    expect(updates).toHaveLength(2);
    expect(updates[1]!.info.labels?.labels?.filter((l) => l.key === LABEL_ACKED_HEADS)).toHaveLength(1);
  });
});
