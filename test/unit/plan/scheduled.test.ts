import { describe, expect, it } from 'vitest';
import type { ScheduleSpec } from '../../../src/model/spec.js';
import { makePlan } from '../../../src/plan/plan.js';
import { formatPlan, planJson } from '../../../src/ui/plan-text.js';
import { makeTaskId } from '../../../src/model/ids.js';
import { HASH, HASH2, agent, loaded, observed, offer } from './builders.js';

const schedule: ScheduleSpec = { cron: '0 3 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'forbid' };
const node = { agent: 'a1', cpus: 2, mem: 1024, ports: [[31000, 31010]] as [number, number][] };

function plan(specs: ReturnType<typeof loaded>[], seen: ReturnType<typeof observed>[], prune = true) {
  return makePlan({
    specs,
    observed: seen,
    offers: [offer(node)],
    agents: [agent(node)],
    prune,
    framework: 'fw',
  });
}

describe('a scheduled job in a plan', () => {
  const nightly = loaded('nightly', { goal: 'finished', instances: 2, schedule });

  it('gets no items: apply launches nothing, and lists it as scheduled', () => {
    const p = plan([nightly], []);
    expect(p.items).toEqual([]);
    expect(p.scheduled).toEqual([
      { name: 'nightly', cron: '0 3 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'forbid', instances: 2 },
    ]);
    expect(planJson(p).scheduled).toHaveLength(1);
    expect(formatPlan(p, { color: false })).toContain(
      'Scheduled nightly: cron "0 3 * * *" (Europe/Berlin), 2 instances per run, concurrency forbid.',
    );
  });

  it('leaves the runs the controller started alone, changed spec, extra instance and --prune included', () => {
    const runs = [
      observed('nightly', 0, { hash: HASH2 }),
      observed('nightly', 5, {}),
      observed('nightly', 1, { state: 'TASK_FAILED' }),
    ];
    expect(plan([nightly], runs).items).toEqual([]);
    // Without its manifest the name is no longer applied: --prune removes its runs.
    expect(plan([loaded('other')], runs.slice(0, 2)).items.filter((i) => i.reason === 'pruned')).toHaveLength(2);
  });

  it('keeps other specs planned as before', () => {
    const p = plan([nightly, loaded('web')], []);
    expect(p.items.map((i) => `${i.action} ${i.name}/${i.instance}`)).toEqual(['create web/0']);
  });
});

describe('a run of a scheduled job, as the controller plans it', () => {
  const R1 = '20261204T020000Z';
  const R2 = '20261204T030000Z';
  const job = loaded('nightly', { goal: 'finished', instances: 2 });
  const asRun = (run: string) => ({ ...job, run });
  const ofRun = (instance: number, run: string, o: Parameters<typeof observed>[2] = {}) => {
    const t = observed('nightly', instance, {
      ...o,
      taskId: makeTaskId('nightly', instance, HASH, o.attempt ?? 0, run),
    });
    return { ...t, run };
  };
  const runPlan = (specs: ReturnType<typeof loaded>[], seen: ReturnType<typeof observed>[], replace?: string[]) =>
    makePlan({
      specs,
      observed: seen,
      offers: [offer(node)],
      agents: [agent(node)],
      prune: true,
      framework: 'fw',
      ...(replace ? { replace } : {}),
    });
  const summary = (p: ReturnType<typeof runPlan>) =>
    p.items.map(
      (i) => `${i.action} ${i.name}/${i.instance}@${i.run} ${i.taskId}${i.oldTaskId ? ` < ${i.oldTaskId}` : ''}`,
    );

  it('a new run creates its instances under its own ids, beside an earlier run that still runs (allow)', () => {
    const p = runPlan([asRun(R2)], [ofRun(0, R1), ofRun(1, R1)]);
    expect(summary(p)).toEqual([
      `create nightly/0@${R2} nightly.0.${HASH}.${R2}`,
      `create nightly/1@${R2} nightly.1.${HASH}.${R2}`,
    ]);
    expect(p.items.every((i) => i.placement !== undefined)).toBe(true);
  });

  it('a run that replaces the earlier ones (replace) has their tasks as its old copies, killed first', () => {
    const p = runPlan([asRun(R2)], [ofRun(0, R1), ofRun(1, R1, { state: 'TASK_FINISHED' })], ['nightly']);
    expect(summary(p)).toEqual([
      `replace nightly/0@${R2} nightly.0.${HASH}.${R2} < nightly.0.${HASH}.${R1}`,
      `create nightly/1@${R2} nightly.1.${HASH}.${R2}`,
    ]);
  });

  it('a retry plans the run again: a failed instance is relaunched within its run, a finished one is kept', () => {
    const seen = [ofRun(0, R1, { state: 'TASK_FAILED' }), ofRun(1, R1, { state: 'TASK_FINISHED' }), ofRun(0, R2)];
    expect(summary(runPlan([asRun(R1)], seen))).toEqual([
      `relaunch nightly/0@${R1} nightly.0.${HASH}.${R1}.1 < nightly.0.${HASH}.${R1}`,
      `unchanged nightly/1@${R1} nightly.1.${HASH}.${R1}`,
    ]);
  });

  it('two runs of one job plan in one round, each with its own tasks; the same run twice is refused', () => {
    const seen = [ofRun(0, R1, { state: 'TASK_FAILED' }), ofRun(1, R1)];
    expect(summary(runPlan([asRun(R1), asRun(R2)], seen))).toEqual([
      `relaunch nightly/0@${R1} nightly.0.${HASH}.${R1}.1 < nightly.0.${HASH}.${R1}`,
      `create nightly/0@${R2} nightly.0.${HASH}.${R2}`,
      `unchanged nightly/1@${R1} nightly.1.${HASH}.${R1}`,
      `create nightly/1@${R2} nightly.1.${HASH}.${R2}`,
    ]);
    expect(() => runPlan([asRun(R1), asRun(R1)], [])).toThrow(/nightly/);
  });
});
