import { describe, expect, it } from 'vitest';
import { freeFit, freeResources } from '../../../src/apply/free-fit.js';
import type { OperatorAgent, Resource } from '../../../src/mesos/types.js';
import type { TaskSpec } from '../../../src/model/spec.js';

const scalar = (name: string, value: number): Resource => ({ name, type: 'SCALAR', scalar: { value } });
const ports = (begin: number, end: number): Resource => ({
  name: 'ports',
  type: 'RANGES',
  ranges: { range: [{ begin, end }] },
});
const agent = (total: Resource[], allocated: Resource[] = []): OperatorAgent => ({
  agent_info: { hostname: 'h1', id: { value: 'S0' }, resources: total },
  active: true,
  version: '1.12.0',
  total_resources: total,
  allocated_resources: allocated,
});
const spec = (over: Partial<TaskSpec> = {}): TaskSpec => ({
  name: 'web',
  labels: {},
  goal: 'running',
  instances: 1,
  role: '*',
  command: 'x',
  env: {},
  uris: [],
  resources: { cpus: 1, mem: 32, disk: 0, gpus: 0 },
  ports: [],
  killGracePeriod: 3,
  constraints: [],
  ...over,
});

describe('freeResources', () => {
  it('subtracts allocated scalars in 3-decimal fixed point and allocated port ranges', () => {
    const free = freeResources(
      [scalar('cpus', 1), scalar('mem', 100), ports(31000, 31009)],
      [scalar('cpus', 0.1), scalar('cpus', 0.2), scalar('mem', 100), ports(31003, 31004)],
    );
    expect(free).toEqual([
      scalar('cpus', 0.7),
      {
        name: 'ports',
        type: 'RANGES',
        ranges: {
          range: [
            { begin: 31000, end: 31002 },
            { begin: 31005, end: 31009 },
          ],
        },
      },
    ]);
  });
});

describe('freeFit', () => {
  it('is undefined when the free resources hold the task', () => {
    expect(freeFit(spec(), 'h', 0, [agent([scalar('cpus', 2), scalar('mem', 64)])], [])).toBeUndefined();
  });

  it('says "not now" when only allocated resources stand in the way, and "never" when no agent is big enough', () => {
    const busy = agent([scalar('cpus', 2), scalar('mem', 64)], [scalar('cpus', 1.5)]);
    expect(freeFit(spec(), 'h', 0, [busy], [])?.kind).toBe('not-now');
    expect(freeFit(spec({ resources: { cpus: 4, mem: 32, disk: 0, gpus: 0 } }), 'h', 0, [busy], [])?.kind).toBe(
      'never',
    );
  });
});
