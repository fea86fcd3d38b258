import { describe, expect, it } from 'vitest';
import type { OperatorAgent, Resource } from '../../../src/mesos/types.js';
import type { TaskSpec } from '../../../src/model/spec.js';
import { addRejections, describeNeeds, topReasons } from '../../../src/plan/fit.js';
import { placeTasks } from '../../../src/plan/place.js';
import type { FitReport } from '../../../src/plan/types.js';
import { HASH, agent, observed, offer, type OfferOpts, taskSpec, textAttr } from './builders.js';

function fit(
  over: Partial<TaskSpec>,
  offers: OfferOpts[],
  agents: OperatorAgent[],
  running = [] as ReturnType<typeof observed>[],
): FitReport {
  const spec = taskSpec('web', over);
  const r = placeTasks([{ spec, specHash: HASH, instance: 0, taskId: 'web.0' }], offers.map(offer), agents, running);
  expect(r.placed).toEqual([]);
  return r.unplaced[0]?.report as FitReport;
}
const res = (cpus: number, mem: number, extra: Partial<TaskSpec['resources']> = {}) => ({
  resources: { cpus, mem, disk: 0, gpus: 0, ...extra },
});
const big = (id: string, o: Partial<OfferOpts> & { active?: boolean } = {}) =>
  agent({ agent: id, cpus: 8, mem: 8192, disk: 1000, gpus: 1, ports: [[31000, 32000]], ...o });

describe('fit report: never', () => {
  it('names the largest agent when a scalar exceeds every agent', () => {
    const r = fit(
      res(4, 2048),
      [{ agent: 'a1', cpus: 2, mem: 4096 }],
      [agent({ agent: 'a1', cpus: 2, mem: 4096 }), agent({ agent: 'a2', cpus: 1, mem: 8192 })],
    );
    expect(r.kind).toBe('never');
    expect(r.summary).toBe(
      'fits no agent of the cluster at all: needs cpus 4, mem 2048; 2 agents have less than cpus 4 (the largest has 2, a1.example)',
    );
    expect(r.reasons).toEqual([
      { reason: 'cpus', count: 2, detail: '2 agents have less than cpus 4 (the largest has 2, a1.example)' },
    ]);
    expect(r.best).toMatchObject({ agentId: 'a1', lacks: ['has cpus 2 of 4'] });
  });

  it('covers mem, disk and gpus', () => {
    for (const [name, over] of [
      ['mem', res(1, 99999)],
      ['disk', res(1, 1, { disk: 5000 })],
      ['gpus', res(1, 1, { gpus: 2 })],
    ] as const) {
      const r = fit(over, [], [big('a1')]);
      expect(r.kind).toBe('never');
      expect(r.reasons.map((x) => x.reason)).toEqual([name]);
    }
  });

  it('says which attribute the agents lack', () => {
    const agents = [
      big('a1', { attributes: [textAttr('rack', 'r1')] }),
      big('a2'),
      big('a3', { attributes: [textAttr('rack', 'r3')] }),
    ];
    const r = fit(
      { constraints: [{ field: 'rack', operator: 'CLUSTER', value: 'r2' }] },
      [{ agent: 'a1', cpus: 8, mem: 8192 }],
      agents,
    );
    expect(r.kind).toBe('never');
    expect(r.reasons).toEqual([{ reason: 'constraint', count: 3, detail: '3 agents lack rack=r2' }]);
  });

  it("says a fixed port is outside every agent's ranges", () => {
    const r = fit({ ports: [{ name: 'http', hostPort: 8080, protocol: 'tcp' }] }, [], [big('a1'), big('a2')]);
    expect(r).toMatchObject({
      kind: 'never',
      reasons: [
        {
          reason: 'ports',
          count: 2,
          detail:
            "port 8080 is outside every agent's port ranges ([31000-32000]): use a hostPort in them, or leave " +
            'hostPort out to take any offered port, or give the agents that port (mesos-agent --resources, or ' +
            "mesos-apply local --resources 'ports:[8080-8080,31000-32000]')",
        },
      ],
    });
  });

  it('excludes reservations of other roles and inactive agents from the totals', () => {
    const reserved: Resource = { name: 'cpus', type: 'SCALAR', scalar: { value: 16 }, role: 'db' };
    const r = fit(
      res(4, 1),
      [],
      [agent({ agent: 'a1', cpus: 1, mem: 100, extra: [reserved] }), big('a2', { active: false })],
    );
    expect(r.kind).toBe('never');
    expect(r.reasons.map((x) => `${x.reason} ${x.count}`)).toEqual(['cpus 1']);
    expect(fit(res(4, 1, {}), [], [big('a2', { active: false })]).summary).toContain(
      'the cluster has no active agents',
    );
  });

  it('knows when UNIQUE slots are all taken', () => {
    const r = fit(
      { constraints: [{ field: 'hostname', operator: 'UNIQUE' }] },
      [{ agent: 'a1', cpus: 8, mem: 8192 }],
      [big('a1')],
      [observed('web', 1, { agent: 'a1' })],
    );
    expect(r.kind).toBe('never');
    expect(r.summary).toContain('hostname UNIQUE');
  });
});

describe('fit report: not-now', () => {
  it('names the nearest offer and what it lacks', () => {
    const offers = [
      { agent: 'a1', cpus: 2, mem: 4096 },
      { agent: 'a2', cpus: 1, mem: 100 },
    ];
    const r = fit(res(4, 2048), offers, [big('a1'), big('a2')]);
    expect(r.kind).toBe('not-now');
    expect(r.best).toMatchObject({
      agentId: 'a1',
      hostname: 'a1.example',
      have: { cpus: 2, mem: 4096 },
      lacks: ['has cpus 2 of 4'],
    });
    expect(r.reasons).toEqual([
      { reason: 'cpus', count: 2, detail: '2 offers have less than cpus 4 (the largest has 2, a1.example)' },
      { reason: 'mem', count: 1, detail: '1 offer has less than mem 2048 (the largest has 100, a2.example)' },
    ]);
    expect(r.summary).toBe(
      'no room free right now: needs cpus 4, mem 2048; the nearest offer (a1.example) has cpus 2 of 4; 2 offers have less than cpus 4 (the largest has 2, a1.example); 1 offer has less than mem 2048 (the largest has 100, a2.example)',
    );
  });

  it('counts role, constraint and port rejections per offer', () => {
    const spec = {
      role: 'web',
      ports: [{ name: 'http', hostPort: 31000, protocol: 'tcp' as const }],
      constraints: [{ field: 'hostname', operator: 'UNIQUE' as const }],
    };
    const offers = [
      { agent: 'a1', cpus: 8, mem: 8192, allocRole: 'web', ports: [[31001, 31005]] as [number, number][] },
      { agent: 'a2', cpus: 8, mem: 8192, allocRole: 'web', ports: [[31000, 31005]] as [number, number][] },
      { agent: 'a3', cpus: 8, mem: 8192, allocRole: '*', ports: [[31001, 31005]] as [number, number][] },
    ];
    const r = fit(spec, offers, [big('a1'), big('a2'), big('a3')], [observed('web', 1, { agent: 'a2' })]);
    expect(r.kind).toBe('not-now');
    expect(r.reasons).toEqual([
      { reason: 'ports', count: 2, detail: 'port 31000 is taken on 2 of 3 offers' },
      { reason: 'role', count: 1, detail: '1 offer is for other roles (*), none for web' },
      { reason: 'constraint', count: 1, detail: '1 offer (a2.example) already has web on hostname=a2.example' },
    ]);
  });

  it("tells a port another task holds from a port outside that agent's ranges", () => {
    const spec = { ports: [{ name: 'http', hostPort: 8080, protocol: 'tcp' as const }] };
    const withPort = (id: string) => big(id, { ports: [[8000, 8100]] });
    const offers = [
      { agent: 'a1', cpus: 8, mem: 8192, ports: [[8000, 8079]] as [number, number][] },
      { agent: 'a2', cpus: 8, mem: 8192, ports: [[31000, 32000]] as [number, number][] },
      { agent: 'a3', cpus: 8, mem: 8192, ports: [[31000, 32000]] as [number, number][] },
    ];
    const r = fit(spec, offers, [withPort('a1'), big('a2'), big('a3')]);
    expect(r.kind).toBe('not-now');
    expect(r.reasons).toEqual([
      {
        reason: 'ports',
        count: 3,
        detail: "port 8080 is taken on 1 of 3 offers; port 8080 is outside the agent's port ranges on 2 of 3 offers",
      },
    ]);
    // Judged against the agents' totals, one agent of three has the port: the others lack it.
    const never = fit(
      { ...spec, resources: { cpus: 8, mem: 8192, disk: 0, gpus: 0 } },
      [],
      [big('a1', { cpus: 1, ports: [[8000, 8100]] }), big('a2')],
    );
    expect(never.reasons.find((x) => x.reason === 'ports')?.detail).toBe(
      'port 8080 is outside the port ranges of 1 of 2 agents',
    );
  });

  it('says so when there are no offers at all', () => {
    const r = fit(res(1, 1), [], [big('a1')]);
    expect(r).toMatchObject({ kind: 'not-now', reasons: [] });
    expect(r.summary).toBe(
      'no room free right now: needs cpus 1, mem 1; no offers at the moment (1 agent could hold it)',
    );
  });

  it('counts missing free ports', () => {
    const ports = [0, 0, 0].map((_, i) => ({ name: `p${i}`, hostPort: 0, protocol: 'tcp' as const }));
    const r = fit({ ports }, [{ agent: 'a1', cpus: 1, mem: 100, ports: [[31000, 31001]] }], [big('a1')]);
    expect(r.reasons).toEqual([{ reason: 'ports', count: 1, detail: '1 offer has fewer than 3 free ports' }]);
  });
});

describe('describeNeeds', () => {
  it("lists what is asked, in the user's units", () => {
    expect(describeNeeds({ role: 'web', cpus: 0.5, mem: 128, disk: 0, gpus: 1, fixedPorts: [8080], anyPorts: 2 })).toBe(
      'cpus 0.5, mem 128, gpus 1, port 8080, 2 ports (role web)',
    );
    expect(describeNeeds({ role: '*', cpus: 0, mem: 0, disk: 0, gpus: 0, fixedPorts: [], anyPorts: 0 })).toBe(
      'no resources',
    );
  });
});

describe('naming and counters', () => {
  it('adds the agent id when hostnames repeat', () => {
    const offers = [
      { agent: 'S0', host: 'localhost', cpus: 1, mem: 100 },
      { agent: 'S1', host: 'localhost', cpus: 0.5, mem: 100 },
    ];
    const r = fit(res(2, 1), offers, [big('S0', { host: 'localhost' }), big('S1', { host: 'localhost' })]);
    expect(r.summary).toContain('the nearest offer (localhost (S0)) has cpus 1 of 2');
    expect(r.summary).toContain('(the largest has 1, localhost (S0))');
  });

  it('accumulates rejections over offer rounds, and ranks them', () => {
    const round = fit(
      res(4, 2048),
      [
        { agent: 'a1', cpus: 2, mem: 4096 },
        { agent: 'a2', cpus: 1, mem: 100 },
      ],
      [big('a1'), big('a2')],
    );
    let counts = addRejections({}, round);
    counts = addRejections(counts, round);
    expect(counts).toEqual({ cpus: 4, mem: 2 });
    expect(topReasons({ ...counts, ports: 3, role: 2 }, 3)).toEqual([
      { reason: 'cpus', count: 4 },
      { reason: 'ports', count: 3 },
      { reason: 'role', count: 2 },
    ]);
    const never = fit(res(64, 1), [], [big('a1')]);
    expect(addRejections(counts, never)).toEqual(counts);
  });
});
