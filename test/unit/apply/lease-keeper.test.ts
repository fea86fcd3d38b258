/**
 * The lease's driver (lease.ts) between a SUBSCRIBE and holding the lease: another run's
 * SUBSCRIBE may fail this run's subscription over before or just after its SUBSCRIBED. Both
 * are the check-then-subscribe race that lease-machine.ts waits out; neither ends the run.
 */
import { describe, expect, it } from 'vitest';
import { LeaseKeeper } from '../../../src/apply/lease.js';
import { MesosError } from '../../../src/mesos/errors.js';
import type { OperatorClient } from '../../../src/mesos/operator.js';
import type { SchedulerSession, SubscribedInfo } from '../../../src/mesos/scheduler.js';
import type { OperatorFramework } from '../../../src/mesos/types.js';

const web: OperatorFramework = {
  framework_info: { id: { value: 'fw-1' }, name: 'web', user: 'nobody' },
  active: false,
  connected: false,
  recovered: false,
};

const info: SubscribedInfo = { frameworkId: 'fw-1', streamId: 's', heartbeatIntervalSeconds: 15, leaderUrl: 'x' };
const failedOver = new MesosError('MA_ERR_FAILED_OVER', 'Framework failed over: Framework failed over');

/** A session whose SUBSCRIBE ends as `how` says; `destroyed` counts its destroy() calls. */
function fakeSession(how: 'held' | 'failed over after SUBSCRIBED' | 'closed after SUBSCRIBED') {
  const state = { destroyed: 0 };
  const session = {
    start: async () => info,
    get subscription() {
      return how === 'held' ? info : undefined;
    },
    get closedBy() {
      if (how === 'failed over after SUBSCRIBED') return failedOver;
      if (how === 'closed after SUBSCRIBED')
        return new MesosError('MA_ERR_RECORDIO', 'the event stream is not valid RecordIO');
      return undefined;
    },
    destroy: async () => {
      state.destroyed += 1;
    },
  } as unknown as SchedulerSession;
  return { session, state };
}

function keeper(sessions: SchedulerSession[]) {
  const notes: string[] = [];
  let reads = 0;
  const operator = {
    getFrameworks: async () => {
      reads += 1;
      return { frameworks: [web], completed_frameworks: [] };
    },
  } as unknown as OperatorClient;
  const handed: SchedulerSession[] = [];
  const lease = new LeaseKeeper({
    framework: 'web',
    takeover: false,
    lockTimeoutMs: 60_000,
    operator,
    sessionFor: () => {
      const next = sessions[handed.length];
      if (next === undefined) throw new Error('no session left');
      handed.push(next);
      return next;
    },
    note: (m) => notes.push(m),
    interrupted: new Promise(() => undefined),
    now: () => 0,
    pollMs: 1,
    callTimeoutMs: 10_000,
  });
  return { lease, notes, reads: () => reads, handed };
}

describe('LeaseKeeper.acquire', () => {
  it('waits again when the subscription is failed over right after its SUBSCRIBED, then holds', async () => {
    const first = fakeSession('failed over after SUBSCRIBED');
    const second = fakeSession('held');
    const k = keeper([first.session, second.session]);
    const got = await k.lease.acquire();
    expect(got).toMatchObject({ kind: 'held', session: second.session, sub: info });
    expect(first.state.destroyed).toBe(1);
    expect(k.handed).toEqual([first.session, second.session]);
    expect(k.reads()).toBe(2);
    expect(k.notes).toEqual([
      "another run took framework 'web' in the same moment, before this run launched anything; waiting for its lease",
    ]);
  });

  it('fails when the subscription ends right after its SUBSCRIBED for any other reason', async () => {
    const first = fakeSession('closed after SUBSCRIBED');
    const k = keeper([first.session]);
    const got = await k.lease.acquire();
    expect(got).toMatchObject({ kind: 'failed', error: { code: 'MA_ERR_RECORDIO' } });
    expect(first.state.destroyed).toBe(1);
  });
});
