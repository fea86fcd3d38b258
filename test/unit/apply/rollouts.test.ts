import { describe, expect, it } from 'vitest';
import { Rollouts } from '../../../src/apply/rollouts.js';
import { Tracker } from '../../../src/apply/tracker.js';
import { makePlan } from '../../../src/plan/plan.js';
import { HASH2, agent, loaded, observed, offer } from '../plan/builders.js';

const cluster = [{ agent: 'a1', cpus: 4, mem: 4096, ports: [[31000, 31010]] as [number, number][] }];

function setup(strategy: 'rolling' | 'recreate') {
  const rollout = { maxParallel: 2, minHealthyTime: 1, strategy, autoRevert: false };
  const spec = loaded('web', { instances: 4, rollout });
  const plan = makePlan({
    specs: [spec],
    observed: [0, 1, 2, 3].map((i) => observed('web', i, { hash: HASH2 })),
    offers: cluster.map(offer),
    agents: cluster.map(agent),
    prune: false,
    framework: 'fw',
  });
  const tracker = new Tracker();
  for (const item of plan.items) tracker.addLaunch(item, spec);
  const launches = [...tracker.launches.values()];
  return { tracker, launches, rollouts: new Rollouts(plan, tracker) };
}

describe('Rollouts', () => {
  it('opens batch 2 only once batch 1 succeeded and its old copies ended', () => {
    const { tracker, launches, rollouts } = setup('rolling');
    const [a, b, c] = launches;
    const start = rollouts.start();
    expect(start.map((s) => s.kind === 'open' && [s.batch, s.of, s.launches.length])).toEqual([[1, 2, 2]]);
    expect(launches.map((l) => l.held)).toEqual([undefined, undefined, 'batch', 'batch']);
    tracker.settle(a!, true);
    tracker.settle(b!, true);
    const killA = tracker.addReplaceKill(a!.item.oldTaskId!, 'a1', a!.view);
    tracker.settleKill(tracker.addReplaceKill(b!.item.oldTaskId!, 'a1', b!.view), true);
    expect(rollouts.advance(tracker.kills)).toEqual([]);
    tracker.settleKill(killA, true);
    const next = rollouts.advance(tracker.kills);
    expect(next.map((s) => s.kind === 'open' && s.batch)).toEqual([2]);
    expect(c!.held).toBeUndefined();
  });

  it('stops at the first failure and lists what never starts', () => {
    const { tracker, launches, rollouts } = setup('rolling');
    rollouts.start();
    tracker.settle(launches[0]!, false);
    const [step] = rollouts.advance(tracker.kills);
    expect(step?.kind).toBe('failed');
    if (step?.kind !== 'failed') return;
    expect(step.failed).toEqual([launches[0]]);
    expect(step.skipped).toEqual([launches[2], launches[3]]);
    expect(rollouts.advance(tracker.kills)).toEqual([]);
  });

  it('under recreate, holds a launch until the kill of its old copy has ended', () => {
    const { tracker, launches, rollouts } = setup('recreate');
    rollouts.start();
    expect(launches.map((l) => l.held)).toEqual(['old-copy', 'old-copy', 'batch', 'batch']);
    const kill = tracker.addReplaceKill(launches[0]!.item.oldTaskId!, 'a1', launches[0]!.view);
    tracker.addReplaceKill(launches[1]!.item.oldTaskId!, 'a1', launches[1]!.view);
    expect(rollouts.advance(tracker.kills)).toEqual([]);
    tracker.settleKill(kill, true);
    expect(rollouts.advance(tracker.kills)).toEqual([{ kind: 'release', launch: launches[0] }]);
  });
});
