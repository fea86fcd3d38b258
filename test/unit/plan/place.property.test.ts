/**
 * Property tests: seeded pseudo-random clusters and specs; whatever the planner decides,
 * no offer group is over-committed (per resource identity, as the master checks it), no
 * port is handed out twice on one agent, every port lies inside the offers' ranges, and
 * every task gets exactly what it asked for. The checker is written independently of the
 * pool code it checks.
 */

import { describe, expect, it } from 'vitest';
import type { Offer, OperatorAgent, Resource } from '../../../src/mesos/types.js';
import type { TaskSpec } from '../../../src/model/spec.js';
import { placeTasks, type PlaceResult } from '../../../src/plan/place.js';
import type { PendingTask } from '../../../src/plan/types.js';
import { agent, offer, taskSpec, textAttr } from './builders.js';

/** mulberry32: a tiny seeded PRNG, so every failing case can be replayed by its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface World {
  pending: PendingTask[];
  offers: Offer[];
  agents: OperatorAgent[];
}

function world(seed: number): World {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T;
  const roles = ['*', 'web'];
  const offers: Offer[] = [];
  const agents: OperatorAgent[] = [];
  for (let a = 0; a < int(1, 4); a++) {
    const id = `a${a}`;
    const attributes = [textAttr('rack', pick(['r1', 'r2']))];
    const base = 31000 + a * 0;
    const ports: [number, number][] = [
      [base, base + int(0, 3)],
      [base + 10, base + 10 + int(0, 2)],
    ];
    agents.push(agent({ agent: id, cpus: 8, mem: 8192, disk: 1000, gpus: 2, ports: [[31000, 31020]], attributes }));
    for (let k = 0; k < int(0, 2); k++) {
      const allocRole = pick(roles);
      const reserved: Resource[] =
        r() < 0.3
          ? [
              {
                name: 'cpus',
                type: 'SCALAR',
                scalar: { value: int(1, 3) * 0.25 },
                role: 'web',
                allocation_info: { role: allocRole },
              },
            ]
          : [];
      const slice = k === 0 ? ports : [[31015 + k, 31016 + k] as [number, number]];
      offers.push(
        offer({
          id: `${id}-o${k}`,
          agent: id,
          allocRole,
          role: '*',
          attributes,
          cpus: int(0, 12) * 0.1 + 0.05,
          mem: int(0, 8) * 64,
          disk: int(0, 3) * 100,
          gpus: int(0, 1),
          ports: slice,
          extra: reserved,
        }),
      );
    }
  }
  const pending: PendingTask[] = [];
  for (let s = 0; s < int(1, 4); s++) {
    const portCount = int(0, 3);
    const spec: TaskSpec = taskSpec(`t${s}`, {
      instances: int(1, 4),
      role: pick(roles),
      resources: {
        cpus: pick([0, 0.1, 0.25, 0.333, 1]),
        mem: pick([0, 32, 100, 300]),
        disk: pick([0, 0, 50]),
        gpus: pick([0, 0, 0, 1]),
      },
      ports: Array.from({ length: portCount }, (_, i) => ({
        name: `p${i}`,
        hostPort: r() < 0.3 ? pick([31000, 31001, 31010, 31017]) : 0,
        protocol: 'tcp' as const,
      })),
      constraints:
        r() < 0.3
          ? [
              {
                field: pick(['hostname', 'rack']),
                operator: pick(['UNIQUE', 'MAX_PER', 'GROUP_BY'] as const),
                value: '2',
              },
            ]
          : [],
    });
    for (let i = 0; i < spec.instances; i++)
      pending.push({ spec, specHash: 'h', instance: i, taskId: `${spec.name}.${i}` });
  }
  return { pending, offers, agents };
}

const key = (res: Resource) =>
  JSON.stringify([
    res.name,
    res.role === '*' ? undefined : res.role,
    res.allocation_info?.role,
    res.reservations ?? null,
  ]);

function expand(res: Resource): number[] {
  const out: number[] = [];
  for (const rg of res.ranges?.range ?? []) for (let p = rg.begin; p <= rg.end; p++) out.push(p);
  return out;
}

function check(w: World, result: PlaceResult): void {
  const placedIds = result.placed.map((p) => p.taskId);
  const unplacedIds = result.unplaced.map((u) => u.taskId);
  expect([...placedIds, ...unplacedIds].sort()).toEqual(w.pending.map((p) => p.taskId).sort());
  const portsByAgent = new Map<string, number[]>();
  for (const group of result.accepts) {
    const offers = w.offers.filter((o) => group.offerIds.includes(o.id.value));
    expect(new Set(offers.map((o) => o.agent_id.value))).toEqual(new Set([group.agentId]));
    const scalars = new Map<string, number>();
    const freePorts = new Map<string, Set<number>>();
    for (const res of offers.flatMap((o) => o.resources ?? [])) {
      if (res.type === 'SCALAR')
        scalars.set(key(res), (scalars.get(key(res)) ?? 0) + Math.round((res.scalar?.value ?? 0) * 1000));
      else freePorts.set(key(res), new Set([...(freePorts.get(key(res)) ?? []), ...expand(res)]));
    }
    for (const taskId of group.taskIds) {
      const placement = result.placed.find((p) => p.taskId === taskId)?.placement;
      const task = w.pending.find((p) => p.taskId === taskId) as PendingTask;
      expect(placement?.offerIds).toEqual(group.offerIds);
      if (group.role !== '*' || offers.some((o) => o.allocation_info)) expect(group.role).toBe(task.spec.role);
      const asked: Record<string, number> = {};
      const taskPorts: number[] = [];
      for (const res of placement?.resources ?? []) {
        if (res.type === 'SCALAR') {
          const left = (scalars.get(key(res)) ?? 0) - Math.round((res.scalar?.value ?? 0) * 1000);
          expect(left, `over-committed ${res.name} in ${group.offerIds}`).toBeGreaterThanOrEqual(0);
          scalars.set(key(res), left);
          asked[res.name] = (asked[res.name] ?? 0) + Math.round((res.scalar?.value ?? 0) * 1000);
        } else {
          for (const p of expand(res)) {
            expect(freePorts.get(key(res))?.has(p), `port ${p} not in offer or taken`).toBe(true);
            freePorts.get(key(res))?.delete(p);
            taskPorts.push(p);
          }
        }
      }
      for (const name of ['cpus', 'mem', 'disk', 'gpus'] as const)
        expect(asked[name] ?? 0).toBe(Math.round(task.spec.resources[name] * 1000));
      expect(taskPorts.sort()).toEqual(placement?.ports.map((p) => p.hostPort).sort());
      for (const p of task.spec.ports) if (p.hostPort > 0) expect(taskPorts).toContain(p.hostPort);
      portsByAgent.set(group.agentId, [...(portsByAgent.get(group.agentId) ?? []), ...taskPorts]);
    }
  }
  for (const [agentId, ports] of portsByAgent)
    expect(new Set(ports).size, `port twice on ${agentId}`).toBe(ports.length);
}

describe('placement properties', () => {
  it('never over-commits an offer, never hands a port out twice, never leaves the offered ranges (400 seeds)', () => {
    let placed = 0;
    let unplaced = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const w = world(seed);
      const result = placeTasks(w.pending, w.offers, w.agents, []);
      try {
        check(w, result);
      } catch (e) {
        throw new Error(`seed ${seed}: ${(e as Error).message}`);
      }
      placed += result.placed.length;
      unplaced += result.unplaced.length;
      for (const u of result.unplaced) expect(u.report.summary.length).toBeGreaterThan(0);
    }
    // The generator must exercise both outcomes, or the properties above prove little.
    expect(placed).toBeGreaterThan(200);
    expect(unplaced).toBeGreaterThan(200);
  });

  it('is deterministic', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const w = world(seed);
      expect(JSON.stringify(placeTasks(w.pending, w.offers, w.agents, []))).toBe(
        JSON.stringify(placeTasks(w.pending, w.offers, w.agents, [])),
      );
    }
  });
});
