import { describe, expect, it } from 'vitest';
import { hashSpec } from '../../../src/manifest/normalise.js';
import { makePlan, type PlanInput } from '../../../src/plan/plan.js';
import { HASH2, agent, loaded, observed, offer, taskSpec } from './builders.js';

const cluster = [{ agent: 'a1', cpus: 4, mem: 4096, ports: [[31000, 31010]] as [number, number][] }];

function input(over: Partial<PlanInput>): PlanInput {
  return {
    specs: [],
    observed: [],
    offers: cluster.map(offer),
    agents: cluster.map(agent),
    prune: false,
    framework: 'mesos-apply',
    ...over,
  };
}

const old4 = [0, 1, 2, 3].map((i) => observed('web', i, { hash: HASH2 }));

describe('rollouts in the plan', () => {
  it('batches replaces one at a time by default and places only batch 1', () => {
    const plan = makePlan(input({ specs: [loaded('web', { instances: 4 })], observed: old4 }));
    expect(plan.rollouts).toEqual([
      {
        name: 'web',
        strategy: 'rolling',
        batchSize: 1,
        minHealthyTime: 10,
        autoRevert: false,
        batches: [[0], [1], [2], [3]],
      },
    ]);
    expect(plan.items.map((i) => [i.instance, i.batch, i.placement !== undefined])).toEqual([
      [0, 1, true],
      [1, 2, false],
      [2, 3, false],
      [3, 4, false],
    ]);
    expect(plan.items.some((i) => i.unplaced !== undefined)).toBe(false);
  });

  it('resolves a percentage (rounded down, at least 1) and leaves creates out of batches', () => {
    const rollout = { maxParallel: { percent: 50 }, minHealthyTime: 1, strategy: 'rolling' as const, autoRevert: true };
    const plan = makePlan(input({ specs: [loaded('web', { instances: 5, rollout })], observed: old4 }));
    expect(plan.rollouts[0]?.batches).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(plan.items.find((i) => i.instance === 4)).toMatchObject({ action: 'create' });
    expect(plan.items.find((i) => i.instance === 4)?.batch).toBeUndefined();
  });

  it('places nothing of a recreate rollout: its old copies stop first', () => {
    const rollout = { maxParallel: 2, minHealthyTime: 1, strategy: 'recreate' as const, autoRevert: false };
    const plan = makePlan(input({ specs: [loaded('web', { instances: 4, rollout })], observed: old4 }));
    expect(plan.items.filter((i) => i.placement !== undefined)).toEqual([]);
    expect(plan.rollouts[0]?.batches).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('names the port the replaced task holds when that is what blocks a rolling replace', () => {
    const ports = [{ name: 'http', hostPort: 8080, protocol: 'tcp' as const }];
    const old = { ...observed('nginx', 0, { hash: HASH2 }), ports: [8080] };
    const withPorts = [{ ...cluster[0]!, ports: [[31000, 31010]] as [number, number][] }];
    const plan = makePlan(
      input({ specs: [loaded('nginx', { ports })], observed: [old], offers: withPorts.map(offer) }),
    );
    expect(plan.items[0]?.blockedBy).toEqual({ port: 8080, taskId: old.taskId, name: 'nginx', instance: 0 });
  });

  it('keeps rollout out of the spec hash', () => {
    const rollout = { maxParallel: 3, minHealthyTime: 1, strategy: 'recreate' as const, autoRevert: true };
    expect(hashSpec(taskSpec('web', { rollout }))).toBe(hashSpec(taskSpec('web')));
  });
});

describe('--replace in the plan', () => {
  it('replaces an unchanged service under its rollout, and relaunches a finished job, with the next attempt id', () => {
    const plan = makePlan(
      input({
        specs: [loaded('web', { instances: 2 }), loaded('job', { goal: 'finished' })],
        observed: [observed('web', 0), observed('web', 1), observed('job', 0, { state: 'TASK_FINISHED' })],
        replace: ['web/1', 'job'],
      }),
    );
    expect(plan.items.map((i) => [i.name, i.instance, i.action, i.forced, i.batch])).toEqual([
      ['job', 0, 'relaunch', true, undefined],
      ['web', 0, 'unchanged', undefined, undefined],
      ['web', 1, 'replace', true, 1],
    ]);
    expect(plan.items.find((i) => i.name === 'job')?.taskId).toBe('job.0.aaaaaaaaaa.1');
  });
});
