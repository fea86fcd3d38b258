import { describe, expect, it } from 'vitest';
import type { BackoffPolicy } from '../../../src/controller/backoff.js';
import { instanceOfTaskId, Instances } from '../../../src/controller/instances.js';
import { makePlan } from '../../../src/plan/plan.js';
import { HASH, HASH2, loaded } from '../plan/builders.js';

const T0 = 1_800_000_000_000;
const policy: BackoffPolicy = {
  delayMs: (n) => Math.min(300_000, 1000 * 2 ** (n - 1)),
  resetAfterMs: 600_000,
};
const jobPolicy: BackoffPolicy = { ...policy, maxRetries: 1 };

function instances(...specs: ReturnType<typeof loaded>[]) {
  const i = new Instances((s) => (s.spec.goal === 'finished' ? jobPolicy : policy));
  i.setSpecs(specs);
  return i;
}

describe('controller instances', () => {
  it('reads name/instance from task ids, attempts included', () => {
    expect(instanceOfTaskId(`web.0.${HASH}`)).toBe('web/0');
    expect(instanceOfTaskId(`web-2.12.${HASH}.3`)).toBe('web-2/12');
    expect(instanceOfTaskId('not-ours')).toBeUndefined();
    expect(instanceOfTaskId(`job.0.${HASH}.20261204T020000Z`)).toBe('job/0@20261204T020000Z');
    expect(instanceOfTaskId(`job.3.${HASH}.20261204T020000Z.2`)).toBe('job/3@20261204T020000Z');
    expect(instanceOfTaskId(`job.3.${HASH}.tomorrow`)).toBeUndefined();
  });

  it('a service that goes down waits 1s, 2s, 4s (doubling) before each relaunch, then is due', () => {
    const i = instances(loaded('web'));
    let now = T0;
    const waits: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const id = attempt === 0 ? `web.0.${HASH}` : `web.0.${HASH}.${attempt}`;
      i.launched(id);
      i.onStatus(id, 'TASK_RUNNING', now);
      now += 500;
      const v = i.onStatus(id, 'TASK_FAILED', now);
      expect(v.kind).toBe('down');
      if (v.kind === 'down') waits.push(v.delayMs);
      expect(i.held(now).has('web/0')).toBe(true);
      expect(i.due(now)).toEqual([]);
      now = i.nextDue(now) as number;
      expect(i.due(now)).toEqual(['web/0']);
      expect(i.held(now).has('web/0')).toBe(false);
      i.relaunching('web/0');
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000]);
    expect(i.get('web/0')?.restarts).toBe(4);
  });

  it('the backoff caps at 5 minutes and starts over after 10 minutes of running', () => {
    const i = instances(loaded('web'));
    let now = T0;
    let last = 0;
    for (let n = 0; n < 12; n++) {
      const id = `web.0.${HASH}.${n + 1}`;
      i.launched(id);
      now += 10;
      const v = i.onStatus(id, 'TASK_FAILED', now);
      if (v.kind === 'down') last = v.delayMs;
    }
    expect(last).toBe(300_000);
    const id = `web.0.${HASH}.99`;
    i.onStatus(id, 'TASK_RUNNING', now);
    now += 600_000;
    const v = i.onStatus(id, 'TASK_FAILED', now);
    expect(v).toMatchObject({ kind: 'down', failures: 1, delayMs: 1000 });
  });

  it('a task killed while its successor runs (a replace) is no failure; a repeated terminal update counts once', () => {
    const i = instances(loaded('web'));
    i.onStatus(`web.0.${HASH}`, 'TASK_RUNNING', T0);
    i.onStatus(`web.0.${HASH2}`, 'TASK_RUNNING', T0 + 1);
    expect(i.onStatus(`web.0.${HASH}`, 'TASK_KILLED', T0 + 2).kind).toBe('none');
    expect(i.onStatus(`web.0.${HASH2}`, 'TASK_LOST', T0 + 3).kind).toBe('down');
    expect(i.onStatus(`web.0.${HASH2}`, 'TASK_LOST', T0 + 4).kind).toBe('none');
    expect(i.get('web/0')?.failures).toBe(1);
  });

  it('a job that finished is done; one that failed is retried maxRetries times, then given up (held)', () => {
    const i = instances(loaded('batch', { goal: 'finished' }), loaded('once', { goal: 'finished', instances: 1 }));
    expect(i.onStatus(`once.0.${HASH}`, 'TASK_FINISHED', T0)).toEqual({ kind: 'finished', key: 'once/0' });
    expect(i.onStatus(`batch.0.${HASH}`, 'TASK_FAILED', T0).kind).toBe('down');
    i.relaunching('batch/0');
    expect(i.onStatus(`batch.0.${HASH}.1`, 'TASK_FAILED', T0 + 5000)).toMatchObject({ kind: 'gave-up', failures: 2 });
    expect(i.held(T0 + 10 ** 9).has('batch/0')).toBe(true);
    // A changed spec starts over.
    i.setSpecs([loaded('batch', { goal: 'finished' }, HASH2)]);
    expect(i.held(T0).has('batch/0')).toBe(false);
  });

  describe('a scheduled job, per run', () => {
    const R1 = '20261204T020000Z';
    const R2 = '20261204T030000Z';
    const cron = (concurrencyPolicy: 'allow' | 'forbid') =>
      loaded('job', { goal: 'finished', schedule: { cron: '0 * * * *', timeZone: 'UTC', concurrencyPolicy } });
    const id = (run: string, attempt = 0) => `job.0.${HASH}.${run}${attempt > 0 ? `.${attempt}` : ''}`;

    it('allow: two runs live at once are two instances; each retries on its own and is done on its own', () => {
      const i = instances(cron('allow'));
      i.newRun('job', R1, false);
      i.launched(id(R1));
      i.newRun('job', R2, false);
      i.launched(id(R2));
      expect(i.liveOf('job').sort()).toEqual([id(R1), id(R2)]);
      // R1 fails: R1 is retried after its backoff (maxRetries 1), R2 runs on untouched.
      expect(i.onStatus(id(R1), 'TASK_FAILED', T0)).toMatchObject({ kind: 'down', key: `job/0@${R1}` });
      expect(i.due(T0 + 1000)).toEqual([`job/0@${R1}`]);
      expect(i.get(`job/0@${R2}`)?.live.size).toBe(1);
      i.relaunching(`job/0@${R1}`);
      i.launched(id(R1, 1));
      expect(i.onStatus(id(R1, 1), 'TASK_FAILED', T0 + 2000)).toMatchObject({ kind: 'gave-up', key: `job/0@${R1}` });
      expect(i.held(T0 + 10 ** 9)).toEqual(new Set([`job/0@${R1}`]));
      // R2 finishes: done, never due again; R1's give-up holds only R1.
      expect(i.onStatus(id(R2), 'TASK_FINISHED', T0 + 3000)).toEqual({ kind: 'finished', key: `job/0@${R2}` });
      expect(i.due(T0 + 10 ** 9)).toEqual([]);
      expect(i.get(`job/0@${R2}`)?.restarts).toBe(0);
    });

    it('forbid/replace: a new run ends the retries of earlier ones; their tasks ending counts for nothing', () => {
      const i = instances(cron('forbid'));
      i.newRun('job', R1, true);
      i.launched(id(R1));
      expect(i.onStatus(id(R1), 'TASK_FAILED', T0).kind).toBe('down');
      i.newRun('job', R2, true);
      expect(i.due(T0 + 10 ** 9)).toEqual([]);
      expect(i.get(`job/0@${R1}`)).toBeUndefined();
      // A late update of the earlier run (a reconciliation answer) retries nothing.
      expect(i.onStatus(id(R1, 1), 'TASK_FAILED', T0 + 5000).kind).toBe('none');
      expect(i.onStatus(id(R1), 'TASK_RUNNING', T0 + 5000).kind).toBe('none');
      expect(i.onStatus(id(R1), 'TASK_KILLED', T0 + 6000).kind).toBe('none');
      expect(i.due(T0 + 10 ** 9)).toEqual([]);
    });

    it('the end of a task of a run it never followed is no failure; a run key on an unscheduled spec is not desired', () => {
      const i = instances(cron('allow'), loaded('web'));
      expect(i.onStatus(id(R1), 'TASK_FAILED', T0).kind).toBe('none');
      expect(i.onStatus(`job.0.${HASH}`, 'TASK_FAILED', T0).kind).toBe('none');
      expect(i.onStatus(`web.0.${HASH}.${R1}`, 'TASK_FAILED', T0).kind).toBe('none');
      expect(i.due(T0 + 10 ** 9)).toEqual([]);
    });
  });

  it('tasks of instances no manifest wants (scaled down, pruned) are not relaunched', () => {
    const i = instances(loaded('web', { instances: 1 }));
    expect(i.onStatus(`web.3.${HASH}`, 'TASK_FAILED', T0).kind).toBe('none');
    expect(i.onStatus(`gone.0.${HASH}`, 'TASK_FAILED', T0).kind).toBe('none');
  });

  it('the planner leaves held instances out and plans the rest', () => {
    const specs = [loaded('web', { instances: 2 })];
    const plan = makePlan({
      specs,
      observed: [],
      offers: [],
      agents: [],
      prune: true,
      framework: 'f',
      hold: new Set(['web/1']),
    });
    expect(plan.items.map((x) => `${x.action} ${x.name}/${x.instance}`)).toEqual(['create web/0']);
  });

  it('a task unreachable past the timeout is given up: its instance goes down, rounds plan it as lost', () => {
    const i = instances(loaded('web'));
    const id = `web.0.${HASH}`;
    i.onStatus(id, 'TASK_RUNNING', T0);
    i.onStatus(id, 'TASK_UNREACHABLE', T0 + 1000);
    i.onStatus(id, 'TASK_UNREACHABLE', T0 + 60_000);
    expect(i.overdue(T0 + 300_999, 300_000)).toEqual([]);
    expect(i.overdue(T0 + 301_000, 300_000)).toEqual([id]);
    expect(i.giveUp(id, T0 + 301_000)).toMatchObject({ kind: 'down', failures: 1 });
    expect([...i.gone]).toEqual([id]);
    expect(i.overdue(T0 + 400_000, 300_000)).toEqual([]);
    // Its agent comes back: an ordinary active task again (the next round keeps one copy).
    i.onStatus(id, 'TASK_RUNNING', T0 + 500_000);
    expect(i.gone.size).toBe(0);
    expect(i.get('web/0')?.live.has(id)).toBe(true);
  });

  it('a task reachable again before the timeout is never given up', () => {
    const i = instances(loaded('web'));
    const id = `web.0.${HASH}`;
    i.onStatus(id, 'TASK_UNREACHABLE', T0);
    i.onStatus(id, 'TASK_RUNNING', T0 + 10_000);
    expect(i.overdue(T0 + 10 ** 9, 300_000)).toEqual([]);
  });

  it('after a round, an instance left without a task backs off and is tried again; what the round found is not', () => {
    const i = instances(
      loaded('web', { instances: 3 }),
      loaded('done', { goal: 'finished' }),
      loaded('nightly', { goal: 'finished' }),
    );
    i.adopt(`web.0.${HASH}`, 'TASK_RUNNING');
    i.launched(`web.1.${HASH}`);
    i.adopt(`done.0.${HASH}`, 'TASK_FINISHED');
    const v = i.stranded(T0, (name) => name === 'nightly');
    expect(v).toEqual([{ kind: 'down', key: 'web/2', retryAt: T0 + 1000, failures: 1, delayMs: 1000 }]);
    expect(i.due(T0 + 1000)).toEqual(['web/2']);
    // Already waiting: not counted twice.
    expect(i.stranded(T0 + 10, () => false).map((x) => x.kind === 'none' || x.key)).toEqual(['nightly/0']);
  });
});
