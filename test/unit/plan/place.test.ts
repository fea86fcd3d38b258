import { describe, expect, it } from 'vitest';
import type { Resource } from '../../../src/mesos/types.js';
import type { TaskSpec } from '../../../src/model/spec.js';
import { placeTasks } from '../../../src/plan/place.js';
import type { PendingTask } from '../../../src/plan/types.js';
import { HASH, agent, observed, offer, taskSpec } from './builders.js';

function pending(name: string, over: Partial<TaskSpec> = {}, instances = 1): PendingTask[] {
  const spec = taskSpec(name, { instances, ...over });
  return Array.from({ length: instances }, (_, i) => ({
    spec,
    specHash: HASH,
    instance: i,
    taskId: `${name}.${i}.${HASH}`,
  }));
}

/** The agents behind some offers, with the offers' resources as their totals. */
const agentsOf = (...offers: Parameters<typeof offer>[0][]) => offers.map((o) => agent({ ...o, allocRole: undefined }));

const cpuMem = (cpus: number, mem: number, extra: Partial<TaskSpec> = {}): Partial<TaskSpec> => ({
  resources: { cpus, mem, disk: 0, gpus: 0 },
  ...extra,
});

describe('placeTasks: scalars and ACCEPT grouping', () => {
  it('cuts exactly the requested scalars, skipping zero ones', () => {
    const r = placeTasks(
      pending('web', cpuMem(0.5, 128)),
      [offer({ agent: 'a1', cpus: 2, mem: 1024, disk: 100 })],
      [],
      [],
    );
    expect(r.unplaced).toEqual([]);
    expect(r.placed[0]?.placement).toMatchObject({
      agentId: 'a1',
      hostname: 'a1.example',
      offerIds: ['O-a1'],
      ports: [],
    });
    expect(r.placed[0]?.placement.resources).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 128 } },
    ]);
  });

  it('puts several tasks for one agent in one ACCEPT and never over-commits', () => {
    const o = { agent: 'a1', cpus: 1, mem: 100 };
    const r = placeTasks(pending('web', cpuMem(0.3, 10), 4), [offer(o)], agentsOf(o), []);
    expect(r.placed.map((p) => p.taskId)).toEqual([`web.0.${HASH}`, `web.1.${HASH}`, `web.2.${HASH}`]);
    expect(r.accepts).toEqual([
      { agentId: 'a1', hostname: 'a1.example', role: '*', offerIds: ['O-a1'], taskIds: r.placed.map((p) => p.taskId) },
    ]);
    expect(r.unplaced.map((u) => u.taskId)).toEqual([`web.3.${HASH}`]);
    expect(r.unplaced[0]?.report.kind).toBe('not-now');
  });

  it('merges offers of one agent and role into one group, keeps other roles apart', () => {
    const offers = [
      offer({ id: 'o1', agent: 'a1', cpus: 0.5, mem: 64, allocRole: 'web' }),
      offer({ id: 'o2', agent: 'a1', cpus: 0.5, mem: 64, allocRole: 'web' }),
      offer({ id: 'o3', agent: 'a1', cpus: 4, mem: 4096, allocRole: 'db' }),
    ];
    const r = placeTasks(pending('web', cpuMem(0.8, 100, { role: 'web' })), offers, [], []);
    expect(r.accepts).toEqual([
      { agentId: 'a1', hostname: 'a1.example', role: 'web', offerIds: ['o1', 'o2'], taskIds: [`web.0.${HASH}`] },
    ]);
    expect(r.placed[0]?.placement.resources).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.8 }, allocation_info: { role: 'web' } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 100 }, allocation_info: { role: 'web' } },
    ]);
  });

  it('spreads instances of one name across agents, counting running ones', () => {
    const offers = ['a1', 'a2', 'a3'].map((a) => offer({ agent: a, cpus: 4, mem: 4096 }));
    const r = placeTasks(pending('web', {}, 3), offers, [], [observed('web', 9, { agent: 'a1' })]);
    expect(r.placed.map((p) => p.placement.agentId)).toEqual(['a2', 'a3', 'a1']);
  });
});

describe('placeTasks: roles and reservations', () => {
  it('uses only offers allocated to the spec role', () => {
    const o = { agent: 'a1', cpus: 8, mem: 8192, allocRole: '*' };
    const r = placeTasks(pending('web', { role: 'web' }), [offer(o)], agentsOf(o), []);
    expect(r.unplaced[0]?.report.kind).toBe('not-now');
    expect(r.placed).toEqual([]);
    expect(r.unplaced[0]?.report.reasons).toEqual([
      { reason: 'role', count: 1, detail: '1 offer is for other roles (*), none for web' },
    ]);
  });

  it('copies reservations and the pre-refinement role from the offer', () => {
    const reserved: Resource[] = [
      {
        name: 'cpus',
        type: 'SCALAR',
        scalar: { value: 1 },
        reservations: [{ type: 'STATIC', role: 'web' }],
        allocation_info: { role: 'web' },
      },
      { name: 'mem', type: 'SCALAR', scalar: { value: 64 }, role: 'web', allocation_info: { role: 'web' } },
    ];
    const o = offer({ agent: 'a1', mem: 1000, role: '*', allocRole: 'web', extra: reserved });
    const r = placeTasks(pending('web', cpuMem(1, 100, { role: 'web' })), [o], [], []);
    expect(r.placed[0]?.placement.resources).toEqual([
      reserved[0],
      { name: 'mem', type: 'SCALAR', scalar: { value: 64 }, role: 'web', allocation_info: { role: 'web' } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 36 }, role: '*', allocation_info: { role: 'web' } },
    ]);
  });

  it('never uses resources reserved for another role', () => {
    const other: Resource = { name: 'cpus', type: 'SCALAR', scalar: { value: 8 }, role: 'db' };
    const o = { agent: 'a1', cpus: 0.5, mem: 100, extra: [other] };
    const r = placeTasks(pending('web', cpuMem(1, 10)), [offer(o)], agentsOf(o), []);
    expect(r.placed).toEqual([]);
    expect(r.unplaced[0]?.report).toMatchObject({ kind: 'never', reasons: [{ reason: 'cpus', count: 1 }] });
  });
});

describe('placeTasks: ports', () => {
  const o = {
    agent: 'a1',
    cpus: 4,
    mem: 4096,
    ports: [
      [31000, 31002],
      [31005, 31005],
    ] as [number, number][],
  };
  const ports = (spec: Partial<TaskSpec>) => placeTasks(pending('web', spec, 2), [offer(o)], agentsOf(o), []);

  it('picks free ports lowest first, never twice in one offer', () => {
    const r = ports({
      ports: [
        { name: 'http', hostPort: 0, protocol: 'tcp' },
        { name: 'admin', hostPort: 0, protocol: 'tcp' },
      ],
    });
    expect(r.placed.map((p) => p.placement.ports.map((x) => x.hostPort))).toEqual([
      [31000, 31001],
      [31002, 31005],
    ]);
    expect(r.placed[1]?.placement.resources.at(-1)).toEqual({
      name: 'ports',
      type: 'RANGES',
      ranges: {
        range: [
          { begin: 31002, end: 31002 },
          { begin: 31005, end: 31005 },
        ],
      },
    });
  });

  it('honours fixed ports, only inside the offer and only once', () => {
    const r = ports({
      ports: [
        { name: 'http', hostPort: 31005, protocol: 'tcp' },
        { name: 'x', hostPort: 0, protocol: 'udp' },
      ],
    });
    expect(r.placed.map((p) => p.placement.ports)).toEqual([
      [
        { name: 'http', hostPort: 31005, protocol: 'tcp' },
        { name: 'x', hostPort: 31000, protocol: 'udp' },
      ],
    ]);
    expect(r.unplaced[0]?.report.summary).toContain('port 31005 is taken on all 1 offer');
    expect(r.unplaced[0]?.report.kind).toBe('not-now');
    const outside = ports({ ports: [{ name: 'http', hostPort: 8080, protocol: 'tcp' }] });
    expect(outside.placed).toEqual([]);
    expect(outside.unplaced[0]?.report).toMatchObject({
      kind: 'never',
      summary: expect.stringContaining("port 8080 is outside every agent's port ranges"),
    });
  });

  it('assigns host ports to Docker BRIDGE port mappings after the plain ports', () => {
    const docker = {
      image: 'nginx:1.27',
      network: 'BRIDGE' as const,
      portMappings: [{ name: 'http', containerPort: 80, hostPort: 0, protocol: 'tcp' as const }],
      forcePull: false,
      privileged: false,
      parameters: [],
      volumes: [],
    };
    const r = ports({ docker, ports: [{ name: 'metrics', hostPort: 0, protocol: 'tcp' }] });
    expect(r.placed[0]?.placement.ports).toEqual([
      { name: 'metrics', hostPort: 31000, protocol: 'tcp' },
      { name: 'http', hostPort: 31001, containerPort: 80, protocol: 'tcp' },
    ]);
  });
});

describe('placeTasks: determinism and agent knowledge', () => {
  it('gives the same result for the same inputs', () => {
    const offers = ['a1', 'a2'].map((a) => offer({ agent: a, cpus: 1, mem: 512, ports: [[31000, 31010]] }));
    const spec = { ports: [{ name: 'p', hostPort: 0, protocol: 'tcp' as const }] };
    expect(JSON.stringify(placeTasks(pending('w', spec, 3), offers, [], []))).toBe(
      JSON.stringify(placeTasks(pending('w', spec, 3), offers, [], [])),
    );
  });

  it('reads attributes from the agent when the offer has none', () => {
    const constraints = [{ field: 'rack', operator: 'CLUSTER' as const, value: 'r2' }];
    const agents = [
      agent({ agent: 'a1', cpus: 4, mem: 4096, attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'r2' } }] }),
    ];
    const r = placeTasks(pending('web', { constraints }), [offer({ agent: 'a1', cpus: 1, mem: 100 })], agents, []);
    expect(r.placed.length).toBe(1);
  });
});
