import { describe, expect, it } from 'vitest';
import type { BackoffPolicy } from '../../../src/controller/backoff.js';
import { carriedOver, recordsByInstance, type TaskRecord } from '../../../src/controller/carried.js';
import { Instances } from '../../../src/controller/instances.js';
import type { TaskState, TaskStatus } from '../../../src/mesos/types.js';
import { makeTaskId } from '../../../src/model/ids.js';
import type { ObservedTask } from '../../../src/model/observed.js';
import { LABEL_FAILURES, LABEL_RESTARTS, restartCountsOf, restartLabels } from '../../../src/model/restart-labels.js';
import { makePlan } from '../../../src/plan/plan.js';
import { HASH, HASH2, loaded, observed } from '../plan/builders.js';

const T0 = 1_800_000_000_000;
const policy: BackoffPolicy = {
  delayMs: (n) => Math.min(300_000, 1000 * 2 ** (n - 1)),
  resetAfterMs: 600_000,
};
const service = { goal: 'running' as const, policy };
const job = { goal: 'finished' as const, policy: { ...policy, maxRetries: 2 } };

/** A task as GET_TASKS lists it: launched at `at`, running at `runningAt`, ended (`state`) at `endedAt`. */
function task(
  instance: string,
  o: {
    attempt?: number;
    hash?: string;
    state: TaskState;
    at: number;
    runningAt?: number;
    endedAt?: number;
    restarts?: number;
    failures?: number;
  },
): ObservedTask {
  const [name = '', index = '0'] = instance.split('/');
  const t = observed(name, Number(index), { hash: o.hash ?? HASH, state: o.state, attempt: o.attempt ?? 0 });
  const status = (state: TaskState, ms: number): TaskStatus => ({
    task_id: { value: t.taskId },
    state,
    timestamp: ms / 1000,
  });
  t.statuses = [status('TASK_STAGING', o.at)];
  if (o.runningAt !== undefined) t.statuses.push(status('TASK_RUNNING', o.runningAt));
  if (o.endedAt !== undefined) t.statuses.push(status(o.state, o.endedAt));
  t.labels = Object.fromEntries(
    restartLabels({ restarts: o.restarts ?? 0, failures: o.failures ?? 0 }).map((l) => [l.key, l.value ?? '']),
  );
  return t;
}

function records(...tasks: ObservedTask[]): TaskRecord[] {
  return [...recordsByInstance(tasks).values()].flat();
}

describe('restart labels', () => {
  it('are left out at zero and read back; a missing or malformed one reads as 0', () => {
    expect(restartLabels({ restarts: 0, failures: 0 })).toEqual([]);
    expect(restartLabels({ restarts: 3, failures: 2 })).toEqual([
      { key: LABEL_RESTARTS, value: '3' },
      { key: LABEL_FAILURES, value: '2' },
    ]);
    expect(restartCountsOf({ [LABEL_RESTARTS]: '3', [LABEL_FAILURES]: '2' })).toEqual({ restarts: 3, failures: 2 });
    expect(restartCountsOf({ [LABEL_RESTARTS]: '-1', [LABEL_FAILURES]: 'x' })).toEqual({ restarts: 0, failures: 0 });
  });

  it('do not make a task look changed to the planner (they are outside the spec hash)', () => {
    const t = observed('web', 0);
    t.labels = { [LABEL_RESTARTS]: '4', [LABEL_FAILURES]: '4' };
    const plan = makePlan({
      specs: [loaded('web')],
      observed: [t],
      offers: [],
      agents: [],
      prune: true,
      framework: 'f',
    });
    expect(plan.items.map((x) => x.action)).toEqual(['unchanged']);
  });
});

describe('restart state carried over from the master', () => {
  it('an ended service: its counts plus one failure, the next attempt at its end plus the backoff', () => {
    const tasks = records(
      task('web/0', { state: 'TASK_FAILED', at: T0, runningAt: T0 + 100, endedAt: T0 + 1100 }),
      task('web/0', {
        attempt: 1,
        state: 'TASK_FAILED',
        at: T0 + 3000,
        runningAt: T0 + 3100,
        endedAt: T0 + 4100,
        restarts: 2,
        failures: 2,
      }),
    );
    expect(carriedOver(tasks, HASH, service, T0 + 5000)).toEqual({
      restarts: 2,
      failures: 3,
      live: [],
      nextAt: T0 + 4100 + 4000,
      lastEnded: makeTaskId('web', 0, HASH, 1),
    });
  });

  it('a running task keeps its counts and has been running since its first TASK_RUNNING', () => {
    const tasks = records(
      task('web/0', { state: 'TASK_RUNNING', at: T0, runningAt: T0 + 200, restarts: 1, failures: 1 }),
    );
    expect(carriedOver(tasks, HASH, service, T0 + 10_000)).toEqual({
      restarts: 1,
      failures: 1,
      live: [`web.0.${HASH}`],
      runningSince: T0 + 200,
    });
  });

  it('a task that ran for resetAfter before it ended starts the count over', () => {
    const tasks = records(
      task('web/0', { state: 'TASK_FAILED', at: T0, runningAt: T0, endedAt: T0 + 600_000, restarts: 5, failures: 5 }),
    );
    expect(carriedOver(tasks, HASH, service, T0 + 600_500)).toMatchObject({
      restarts: 5,
      failures: 1,
      nextAt: T0 + 601_000,
    });
  });

  it('an agent clock ahead of ours never makes the wait longer than the backoff', () => {
    const tasks = records(
      task('web/0', { state: 'TASK_FAILED', at: T0, runningAt: T0, endedAt: T0 + 60_000, failures: 2 }),
    );
    expect(carriedOver(tasks, HASH, service, T0 + 1000)).toMatchObject({ failures: 3, nextAt: T0 + 1000 + 4000 });
  });

  it('a job that finished is done; one past maxRetries is given up', () => {
    const done = records(task('etl/0', { state: 'TASK_FINISHED', at: T0, runningAt: T0, endedAt: T0 + 10 }));
    expect(carriedOver(done, HASH, job, T0 + 20)).toMatchObject({ done: 'finished' });
    const failed = records(task('etl/0', { state: 'TASK_FAILED', at: T0, endedAt: T0 + 10, restarts: 2, failures: 2 }));
    const c = carriedOver(failed, HASH, job, T0 + 20);
    expect(c).toMatchObject({ done: 'gave-up', failures: 3 });
    expect(c.nextAt).toBeUndefined();
  });

  it('no task of the spec known (new, pruned, forgotten after a master failover, another spec): from zero', () => {
    expect(carriedOver([], HASH, service, T0)).toEqual({ restarts: 0, failures: 0, live: [], unknown: true });
    const other = records(task('web/0', { hash: HASH2, state: 'TASK_FAILED', at: T0, endedAt: T0 + 1, failures: 7 }));
    expect(carriedOver(other, HASH, service, T0)).toMatchObject({ restarts: 0, failures: 0, unknown: true });
  });

  it('an ended task while another copy of the instance runs counts nothing', () => {
    const tasks = records(
      task('web/0', { hash: HASH2, state: 'TASK_RUNNING', at: T0, runningAt: T0 }),
      task('web/0', { state: 'TASK_FAILED', at: T0 + 10, endedAt: T0 + 20, restarts: 1, failures: 1 }),
    );
    const c = carriedOver(tasks, HASH, service, T0 + 30);
    expect(c).toMatchObject({ failures: 1, live: [`web.0.${HASH2}`] });
    expect(c.nextAt).toBeUndefined();
  });

  it('the newest launch wins, a task without statuses yet being the newest', () => {
    const tasks = records(task('web/0', { state: 'TASK_FAILED', at: T0, endedAt: T0 + 5, failures: 4, restarts: 4 }), {
      ...task('web/0', { attempt: 1, state: 'TASK_STAGING', at: T0, restarts: 5, failures: 5 }),
      statuses: [],
    });
    expect(carriedOver(tasks, HASH, service, T0 + 10)).toMatchObject({ restarts: 5, failures: 5 });
  });
});

describe('a new leader rebuilds its instances from the master (fake clock)', () => {
  const fresh = () => {
    const i = new Instances(() => policy);
    i.setSpecs([loaded('web', { instances: 3 })]);
    return i;
  };

  it('continues the backoff where the old leader left it, and says which instances start from zero', () => {
    const i = fresh();
    // What the old leader had done: web/0 failed twice, web/1 runs after one failure.
    i.onStatus(`web.1.${HASH}`, 'TASK_RUNNING', T0);
    const tasks = [
      task('web/0', {
        attempt: 2,
        state: 'TASK_FAILED',
        at: T0,
        runningAt: T0,
        endedAt: T0 + 500,
        restarts: 2,
        failures: 2,
      }),
      task('web/1', { attempt: 1, state: 'TASK_RUNNING', at: T0, runningAt: T0 + 100, restarts: 1, failures: 1 }),
    ];
    const now = T0 + 1000;
    expect(i.rebuild(recordsByInstance(tasks), now)).toEqual(['web/2']);
    expect(i.get('web/0')).toMatchObject({ restarts: 2, failures: 3, nextAt: T0 + 500 + 4000 });
    expect(i.held(now).has('web/0')).toBe(true);
    expect(i.nextDue(now)).toBe(T0 + 4500);
    expect(i.countsOf('web/0')).toEqual({ restarts: 2, failures: 3 });
    // The agent's retry of the update the old leader never acknowledged counts no more.
    expect(i.onStatus(makeTaskId('web', 0, HASH, 2), 'TASK_FAILED', now + 10).kind).toBe('none');
    // web/1 crashes under the new leader: its 2nd failure in a row waits 2s, not 1s.
    expect(i.onStatus(makeTaskId('web', 1, HASH, 1), 'TASK_FAILED', now + 50)).toMatchObject({
      kind: 'down',
      failures: 2,
      delayMs: 2000,
    });
    i.relaunching('web/0');
    expect(i.countsOf('web/0')).toEqual({ restarts: 3, failures: 3 });
    expect(i.get('web/2')).toMatchObject({ restarts: 0, failures: 0 });
  });

  it('forgets what this process remembered from an earlier turn as leader', () => {
    const i = fresh();
    i.onStatus(`web.0.${HASH}`, 'TASK_FAILED', T0);
    expect(i.get('web/0')?.failures).toBe(1);
    i.rebuild(new Map(), T0 + 10);
    expect(i.get('web/0')).toMatchObject({ failures: 0, restarts: 0 });
    expect(i.get('web/0')?.nextAt).toBeUndefined();
  });

  describe('a scheduled job, per run', () => {
    const R1 = '20261204T020000Z';
    const R2 = '20261204T030000Z';
    const ofRun = (run: string, o: Parameters<typeof task>[1]): ObservedTask => {
      const t = task('job/0', o);
      const taskId = makeTaskId('job', 0, HASH, o.attempt ?? 0, run);
      return { ...t, taskId, run, statuses: t.statuses?.map((st) => ({ ...st, task_id: { value: taskId } })) };
    };
    const cron = (concurrencyPolicy: 'allow' | 'forbid') => {
      const i = new Instances(() => job.policy);
      i.setSpecs([
        loaded('job', { goal: 'finished', schedule: { cron: '0 * * * *', timeZone: 'UTC', concurrencyPolicy } }),
      ]);
      return i;
    };
    // R1 failed once (a retry due), R2 still runs.
    const tasks = [
      ofRun(R1, { state: 'TASK_FAILED', at: T0, runningAt: T0, endedAt: T0 + 500 }),
      ofRun(R2, { state: 'TASK_RUNNING', at: T0 + 100, runningAt: T0 + 200 }),
    ];

    it('allow: every run goes on under its own key, a failed one retried within its run', () => {
      const i = cron('allow');
      expect(i.rebuild(recordsByInstance(tasks), T0 + 1000)).toEqual([]);
      expect(i.get(`job/0@${R1}`)).toMatchObject({ failures: 1, nextAt: T0 + 1500 });
      expect(i.get(`job/0@${R2}`)?.live).toEqual(new Set([makeTaskId('job', 0, HASH, 0, R2)]));
      expect(i.get('job/0')).toBeUndefined();
      expect(i.due(T0 + 1500)).toEqual([`job/0@${R1}`]);
    });

    it('forbid: only the newest run goes on; the earlier one is never retried', () => {
      const i = cron('forbid');
      i.rebuild(recordsByInstance(tasks), T0 + 1000);
      expect(i.get(`job/0@${R1}`)).toBeUndefined();
      expect(i.due(T0 + 10 ** 9)).toEqual([]);
      expect(i.onStatus(makeTaskId('job', 0, HASH, 0, R1), 'TASK_FAILED', T0 + 2000).kind).toBe('none');
      expect(i.get(`job/0@${R2}`)?.live.size).toBe(1);
    });
  });
});
