import { describe, expect, it } from 'vitest';
import type { ScheduleSpec } from '../../../src/model/spec.js';
import { makePlan } from '../../../src/plan/plan.js';
import { formatPlan, planJson } from '../../../src/ui/plan-text.js';
import { HASH2, agent, loaded, observed, offer } from './builders.js';

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
