import { describe, expect, it } from 'vitest';
import { ACKS_IN_FLIGHT, Acknowledger } from '../../../src/apply/acks.js';
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

  it('keeps at most ACKS_IN_FLIGHT on their way, sends the rest in arrival order, and settles after the last', async () => {
    const answers: (() => void)[] = [];
    let open = 0;
    let most = 0;
    const { s, sent } = session(
      () =>
        new Promise<boolean>((r) => {
          open += 1;
          most = Math.max(most, open);
          answers.push(() => {
            open -= 1;
            r(true);
          });
        }),
    );
    const acks = new Acknowledger(() => undefined);
    const n = ACKS_IN_FLIGHT * 3 + 2;
    for (let i = 0; i < n; i++) acks.ack(s, status(`t${i}`, `u${i}`));
    expect(sent).toHaveLength(ACKS_IN_FLIGHT);
    let done = false;
    void acks.settled().then(() => (done = true));
    while (answers.length > 0) {
      answers.shift()!();
      await new Promise((r) => setImmediate(r));
      expect(done).toBe(sent.length === n && open === 0);
    }
    expect(most).toBe(ACKS_IN_FLIGHT);
    expect(sent).toEqual(Array.from({ length: n }, (_, i) => `u${i}`));
    expect(done).toBe(true);
    // Every one was answered: all known acknowledged, none sent again.
    acks.ack(s, status('t0', 'u0'));
    expect(sent).toHaveLength(n);
  });
});
