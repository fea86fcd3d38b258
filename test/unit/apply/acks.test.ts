import { describe, expect, it } from 'vitest';
import { Acknowledger } from '../../../src/apply/acks.js';
import type { SchedulerSession } from '../../../src/mesos/scheduler.js';
import type { TaskStatus } from '../../../src/mesos/types.js';

const status = (id: string, uuid?: string): TaskStatus => ({
  task_id: { value: id },
  agent_id: { value: 'a1' },
  state: 'TASK_RUNNING',
  ...(uuid ? { uuid } : {}),
});

/** The session as the Acknowledger sees it: acknowledgeUpdate, answered as `answer` says. */
function session(answer: (s: TaskStatus) => Promise<boolean>) {
  const sent: string[] = [];
  const s = {
    acknowledgeUpdate: (st: TaskStatus) => {
      sent.push(st.uuid ?? '');
      return answer(st);
    },
  } as unknown as SchedulerSession;
  return { s, sent };
}

describe('Acknowledger', () => {
  it('acknowledges an update once: a resent copy, in flight or after, sends nothing more', async () => {
    const { s, sent } = session(async () => true);
    const acks = new Acknowledger(() => undefined);
    acks.ack(s, status('t1', 'u1'));
    acks.ack(s, status('t1', 'u1')); // the agent's resend while the first is on its way
    await acks.settled();
    acks.ack(s, status('t1', 'u1')); // and after it was answered
    acks.ack(s, status('t1', 'u2'));
    acks.ack(s, status('t2')); // no uuid: nothing to acknowledge
    await acks.settled();
    expect(sent).toEqual(['u1', 'u2']);
    expect(acks.has('u1')).toBe(true);
  });

  it('forgets a failed acknowledgement, so the resend is acknowledged again', async () => {
    let fail = true;
    const { s, sent } = session(async () => {
      if (fail) throw new Error('connection reset');
      return true;
    });
    const warnings: string[] = [];
    const acks = new Acknowledger((m) => warnings.push(m));
    acks.ack(s, status('t1', 'u1'));
    await acks.settled();
    expect(acks.has('u1')).toBe(false);
    expect(warnings[0]).toMatch(/acknowledging t1 TASK_RUNNING failed: connection reset/);
    fail = false;
    acks.ack(s, status('t1', 'u1'));
    await acks.settled();
    expect(sent).toEqual(['u1', 'u1']);
    expect(acks.has('u1')).toBe(true);
  });

  it('acknowledges a copy again once 5 s have passed since the master accepted the first (it was lost on the way)', async () => {
    let release: () => void = () => undefined;
    const { s, sent } = session(() => new Promise<boolean>((r) => (release = () => r(true))));
    let now = 1_000;
    const acks = new Acknowledger(
      () => undefined,
      () => now,
    );
    acks.ack(s, status('t1', 'u1'));
    now += 60_000; // still on its way, however long: no second one
    acks.ack(s, status('t1', 'u1'));
    release();
    await acks.settled();
    now += 4_999;
    acks.ack(s, status('t1', 'u1')); // a copy that crossed it
    expect(sent).toEqual(['u1']);
    now += 1;
    acks.ack(s, status('t1', 'u1')); // a resend: the agent never got it (a partition)
    release();
    await acks.settled();
    expect(sent).toEqual(['u1', 'u1']);
  });
});
