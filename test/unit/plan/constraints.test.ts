import { describe, expect, it } from 'vitest';
import type { ConstraintSpec } from '../../../src/model/spec.js';
import { type AgentView, constraintProblem, fieldValue } from '../../../src/plan/constraints.js';
import { placeTasks } from '../../../src/plan/place.js';
import type { PendingTask } from '../../../src/plan/types.js';
import { HASH, agent, observed, offer, taskSpec, textAttr } from './builders.js';

const view = (id: string, attrs: Record<string, string> = {}): AgentView => ({
  agentId: id,
  hostname: `${id}.example`,
  attributes: Object.entries(attrs).map(([k, v]) => textAttr(k, v)),
});
const c = (field: string, operator: ConstraintSpec['operator'], value?: string): ConstraintSpec =>
  value === undefined ? { field, operator } : { field, operator, value };
const ok = (cs: ConstraintSpec, a: AgentView, peers: AgentView[] = [], values: string[] = []) =>
  constraintProblem(cs, 'web', a, peers, values) === undefined;

describe('constraint operators', () => {
  const r1 = view('a1', { rack: 'r1' });
  const r2 = view('a2', { rack: 'r2' });
  const bare = view('a3');

  it('read hostname and every attribute type', () => {
    expect(fieldValue(r1, 'hostname')).toBe('a1.example');
    const typed: AgentView = {
      agentId: 'x',
      hostname: 'x',
      attributes: [
        { name: 's', type: 'SCALAR', scalar: { value: 1.5 } },
        { name: 'set', type: 'SET', set: { item: ['a', 'b'] } },
        { name: 'r', type: 'RANGES', ranges: { range: [{ begin: 1, end: 2 }] } },
      ],
    };
    expect([
      fieldValue(typed, 's'),
      fieldValue(typed, 'set'),
      fieldValue(typed, 'r'),
      fieldValue(typed, 'none'),
    ]).toEqual(['1.5', 'a,b', '[1-2]', undefined]);
  });

  it('UNIQUE: one per value', () => {
    expect(ok(c('hostname', 'UNIQUE'), r1)).toBe(true);
    expect(ok(c('hostname', 'UNIQUE'), r1, [r1])).toBe(false);
    expect(ok(c('rack', 'UNIQUE'), r1, [r2])).toBe(true);
    expect(ok(c('rack', 'UNIQUE'), bare)).toBe(false);
    expect(constraintProblem(c('rack', 'UNIQUE'), 'web', r1, [r1], [])?.one).toBe('already has web on rack=r1');
  });

  it('CLUSTER: the given value, or the value of the first peer', () => {
    expect(ok(c('rack', 'CLUSTER', 'r2'), r2)).toBe(true);
    expect(constraintProblem(c('rack', 'CLUSTER', 'r2'), 'web', r1, [], [])).toEqual({
      constraint: 'rack CLUSTER r2',
      one: 'lacks rack=r2',
      many: 'lack rack=r2',
    });
    expect(constraintProblem(c('rack', 'CLUSTER', 'r2'), 'web', bare, [], [])?.many).toBe('lack rack=r2');
    expect(ok(c('rack', 'CLUSTER'), r1)).toBe(true);
    expect(ok(c('rack', 'CLUSTER'), r1, [r2])).toBe(false);
    expect(ok(c('rack', 'CLUSTER'), r2, [r2])).toBe(true);
  });

  it('LIKE / UNLIKE: anchored regular expressions; UNLIKE passes without the attribute', () => {
    expect(ok(c('rack', 'LIKE', 'r[12]'), r1)).toBe(true);
    expect(ok(c('rack', 'LIKE', 'r'), r1)).toBe(false);
    expect(ok(c('rack', 'LIKE', 'r1'), bare)).toBe(false);
    expect(ok(c('rack', 'LIKE', '('), r1)).toBe(false);
    expect(ok(c('rack', 'UNLIKE', 'r1'), r1)).toBe(false);
    expect(ok(c('rack', 'UNLIKE', 'r'), r1)).toBe(true);
    expect(ok(c('rack', 'UNLIKE', 'r1'), bare)).toBe(true);
  });

  it('GROUP_BY: only onto a least-used value of the cluster', () => {
    const values = ['r1', 'r2'];
    expect(ok(c('rack', 'GROUP_BY'), r1, [], values)).toBe(true);
    expect(ok(c('rack', 'GROUP_BY'), r1, [r1], values)).toBe(false);
    expect(ok(c('rack', 'GROUP_BY'), r2, [r1], values)).toBe(true);
    expect(ok(c('rack', 'GROUP_BY', '2'), r1, [r1, r2], values)).toBe(true);
    expect(ok(c('rack', 'GROUP_BY'), bare, [], values)).toBe(false);
  });

  it('MAX_PER: fewer than n per value', () => {
    expect(ok(c('rack', 'MAX_PER', '2'), r1, [r1])).toBe(true);
    expect(ok(c('rack', 'MAX_PER', '2'), r1, [r1, r1])).toBe(false);
    expect(ok(c('rack', 'MAX_PER', '2'), r1, [r2, r2])).toBe(true);
  });
});

describe('constraints in placement', () => {
  const racks: Record<string, string> = { a1: 'r1', a2: 'r1', a3: 'r2' };
  const ids = ['a1', 'a2', 'a3'];
  const offers = ids.map((a) =>
    offer({ agent: a, cpus: 8, mem: 8192, attributes: [textAttr('rack', racks[a] as string)] }),
  );
  const agents = ids.map((a) =>
    agent({ agent: a, cpus: 8, mem: 8192, attributes: [textAttr('rack', racks[a] as string)] }),
  );
  const place = (constraints: ConstraintSpec[], n: number, running = [] as ReturnType<typeof observed>[]) => {
    const spec = taskSpec('web', { instances: n, constraints });
    const pending: PendingTask[] = Array.from({ length: n }, (_, i) => ({
      spec,
      specHash: HASH,
      instance: i,
      taskId: `web.${i}`,
    }));
    return placeTasks(pending, offers, agents, running);
  };
  const where = (r: ReturnType<typeof place>) => r.placed.map((p) => p.placement.agentId);

  it('UNIQUE hostname counts tasks placed earlier in the same plan and running ones', () => {
    expect(where(place([c('hostname', 'UNIQUE')], 3))).toEqual(['a1', 'a2', 'a3']);
    const r = place([c('hostname', 'UNIQUE')], 3, [observed('web', 7, { agent: 'a2' })]);
    expect(where(r)).toEqual(['a1', 'a3']);
    expect(r.unplaced[0]?.report.kind).toBe('never');
  });

  it('GROUP_BY spreads over values; MAX_PER caps them; CLUSTER pins', () => {
    expect(where(place([c('rack', 'GROUP_BY')], 4)).map((a) => racks[a])).toEqual(['r1', 'r2', 'r1', 'r2']);
    const capped = place([c('rack', 'MAX_PER', '1')], 3);
    expect(where(capped).map((a) => racks[a])).toEqual(['r1', 'r2']);
    expect(capped.unplaced[0]?.report.kind).toBe('never');
    expect(where(place([c('rack', 'CLUSTER', 'r2')], 2))).toEqual(['a3', 'a3']);
    expect(where(place([c('rack', 'LIKE', 'r1')], 2))).toEqual(['a1', 'a2']);
    expect(where(place([c('rack', 'UNLIKE', 'r1')], 1))).toEqual(['a3']);
  });
});
