import { describe, expect, it } from 'vitest';
import { hasChanges, makePlan, type PlanInput } from '../../../src/plan/plan.js';
import { HASH, HASH2, agent, loaded, observed, offer } from './builders.js';

const cluster = ['a1', 'a2'].map((a) => ({
  agent: a,
  cpus: 2,
  mem: 1024,
  ports: [[31000, 31010]] as [number, number][],
}));

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

describe('makePlan', () => {
  it('is a versioned, JSON-round-trippable value with its basis and summary', () => {
    const plan = makePlan(
      input({
        specs: [
          loaded('web', { instances: 2, ports: [{ name: 'http', hostPort: 0, protocol: 'tcp' }] }),
          loaded('job', { goal: 'finished' }),
        ],
        observed: [
          observed('web', 0, { agent: 'a1' }),
          observed('job', 0, { state: 'TASK_FINISHED' }),
          observed('gone', 0),
        ],
        prune: true,
      }),
    );
    expect(plan.formatVersion).toBe(1);
    expect(plan.framework).toBe('mesos-apply');
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(plan.summary).toEqual({ create: 1, unchanged: 2, replace: 0, relaunch: 0, delete: 1, unplaced: 0 });
    expect(plan.basis).toEqual({
      tasks: [
        { taskId: `gone.0.${HASH}`, state: 'TASK_RUNNING', specHash: HASH, managed: true },
        { taskId: `job.0.${HASH}`, state: 'TASK_FINISHED', specHash: HASH, managed: true },
        { taskId: `web.0.${HASH}`, state: 'TASK_RUNNING', specHash: HASH, managed: true },
      ],
      specs: [
        { name: 'web', hash: HASH },
        { name: 'job', hash: HASH },
      ],
      offerIds: ['O-a1', 'O-a2'],
      agentIds: ['a1', 'a2'],
    });
    const created = plan.items.find((i) => i.action === 'create');
    expect(created).toMatchObject({
      taskId: `web.1.${HASH}`,
      placement: { agentId: 'a2', ports: [{ name: 'http', hostPort: 31000, protocol: 'tcp' }] },
    });
    expect(plan.accepts).toEqual([
      { agentId: 'a2', hostname: 'a2.example', role: '*', offerIds: ['O-a2'], taskIds: [`web.1.${HASH}`] },
    ]);
    expect(
      plan.items
        .filter((i) => i.action !== 'create')
        .every((i) => i.placement === undefined && i.unplaced === undefined),
    ).toBe(true);
    expect(hasChanges(plan)).toBe(true);
  });

  it('reports no changes when everything is in place', () => {
    const plan = makePlan(input({ specs: [loaded('web')], observed: [observed('web', 0)] }));
    expect(hasChanges(plan)).toBe(false);
    expect(plan.accepts).toEqual([]);
  });

  it('lets a replacement ignore the task it replaces for constraints', () => {
    const constraints = [{ field: 'hostname', operator: 'UNIQUE' as const }];
    const oneAgent = [cluster[0] as (typeof cluster)[number]];
    const plan = makePlan(
      input({
        specs: [loaded('web', { constraints })],
        observed: [observed('web', 0, { hash: HASH2, agent: 'a1' })],
        offers: oneAgent.map(offer),
        agents: oneAgent.map(agent),
      }),
    );
    expect(plan.items[0]).toMatchObject({
      action: 'replace',
      oldTaskId: `web.0.${HASH2}`,
      placement: { agentId: 'a1' },
    });
  });

  it('keeps counting surviving tasks for spreading and constraints', () => {
    const constraints = [{ field: 'hostname', operator: 'UNIQUE' as const }];
    const plan = makePlan(
      input({ specs: [loaded('web', { instances: 3, constraints })], observed: [observed('web', 0, { agent: 'a2' })] }),
    );
    expect(plan.items.map((i) => [i.action, i.placement?.agentId ?? i.unplaced?.kind])).toEqual([
      ['unchanged', undefined],
      ['create', 'a1'],
      ['create', 'never'],
    ]);
    expect(plan.summary.unplaced).toBe(1);
  });

  it('explains unplaced tasks in the item', () => {
    const plan = makePlan(input({ specs: [loaded('big', { resources: { cpus: 64, mem: 1, disk: 0, gpus: 0 } })] }));
    expect(plan.items[0]?.unplaced?.summary).toBe(
      'fits no agent of the cluster at all: needs cpus 64, mem 1; 2 agents have less than cpus 64 (the largest has 2, a1.example)',
    );
  });

  it('refuses an empty prune', () => {
    expect(() => makePlan(input({ prune: true }))).toThrow(expect.objectContaining({ code: 'MA_ERR_PRUNE_EMPTY' }));
  });
});
