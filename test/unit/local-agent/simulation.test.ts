/** The agent profile (groups by weight, cycling attribute values) and the simulation's control registry. */
import { describe, expect, it } from 'vitest';
import { agentSpec, parseAgentProfile } from '../../../src/local/agent-profile.js';
import { type SimAction, Simulation } from '../../../src/local/agent/simulation.js';

describe('agent profile', () => {
  const groups = parseAgentProfile(
    [
      '- weight: 2',
      '  attributes: {rack: [r1, r2, r3], ssd: "true"}',
      '- resources: cpus:32',
      '  attributes: {rack: big}',
    ].join('\n'),
    'p.yaml',
  );

  it('spreads agents over the groups by weight, cycling each list of values within its group', () => {
    const specs = [0, 1, 2, 3, 4, 5].map((i) => agentSpec(groups, i));
    expect(specs.map((s) => s.attributes)).toEqual([
      'rack:r1;ssd:true',
      'rack:r2;ssd:true',
      'rack:big',
      'rack:r3;ssd:true',
      'rack:r1;ssd:true',
      'rack:big',
    ]);
    expect(specs[2]?.resources).toBe('cpus:32');
    expect(specs[0]?.resources).toBeUndefined();
  });

  it('names the file and group of a bad field', () => {
    expect(() => parseAgentProfile('- weight: 0', 'p.yaml')).toThrow('p.yaml: group 1.weight');
    expect(() => parseAgentProfile('- racks: 3', 'p.yaml')).toThrow("p.yaml: group 1: unknown field 'racks'");
    expect(() => parseAgentProfile('{}', 'p.yaml')).toThrow('non-empty list');
  });
});

describe('simulation control', () => {
  function task(applies: boolean) {
    const seen: SimAction[] = [];
    return {
      seen,
      control: (a: SimAction) => {
        seen.push(a);
        return applies;
      },
    };
  }

  it('reaches the tasks selected by framework, id or prefix, and reports those it applied to', () => {
    const sim = new Simulation();
    const a = task(true);
    const b = task(true);
    const c = task(false);
    sim.register('fw1', 'web.1', a);
    sim.register('fw1', 'web.2', b);
    sim.register('fw2', 'web.1', c);
    expect(sim.control({ task_id: 'web.1', framework_id: 'fw1' }, 'fail')).toEqual(['web.1']);
    expect(sim.control({ task_id_prefix: 'web.' }, 'unhealthy')).toEqual(['web.1', 'web.2']);
    expect(c.seen).toEqual(['unhealthy']);
    sim.unregister('fw1', 'web.2', b);
    expect(sim.control({ framework_id: 'fw1' }, 'finish')).toEqual(['web.1']);
  });

  it('does not drop a task registered again under the same id by an older one unregistering', () => {
    const sim = new Simulation();
    const old = task(true);
    const next = task(true);
    sim.register('fw', 't', old);
    sim.register('fw', 't', next);
    sim.unregister('fw', 't', old);
    expect(sim.control({ task_id: 't' }, 'fail')).toEqual(['t']);
    expect(next.seen).toEqual(['fail']);
  });
});
