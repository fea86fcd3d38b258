/**
 * The workload of bench/scale and of the scale e2e test: `services` services of `instances`
 * each on a simulated cluster whose agents carry rack and zone attributes (an agent profile),
 * with the constraints real services use, in turn: UNIQUE hostname, GROUP_BY zone,
 * MAX_PER rack, and none. Deterministic, so two runs place the same work.
 */
import type { AgentProfileGroup } from '../../src/local/agent-profile.js';

/** Racks of 20 agents, 3 zones; two machine sizes (4 : 1). */
export function scaleProfile(agents: number): AgentProfileGroup[] {
  const racks = Math.max(1, Math.ceil(agents / 20));
  const rack = Array.from({ length: racks }, (_, i) => `r${i + 1}`);
  return [
    {
      weight: 4,
      resources: 'cpus:8;mem:32768;disk:204800;ports:[31000-32000]',
      attributes: { rack, zone: ['a', 'b', 'c'] },
    },
    {
      weight: 1,
      resources: 'cpus:16;mem:65536;disk:409600;ports:[31000-32000]',
      attributes: { rack, zone: ['a', 'b', 'c'] },
    },
  ];
}

function constraintsFor(i: number, instances: number, agents: number): string {
  const racks = Math.max(1, Math.ceil(agents / 20));
  switch (i % 4) {
    case 0:
      return instances <= agents ? '[[hostname, UNIQUE]]' : '[[hostname, MAX_PER, 2]]';
    case 1:
      return '[[zone, GROUP_BY, 3]]';
    case 2:
      return `[[rack, MAX_PER, ${Math.ceil((instances * 1.5) / racks)}]]`;
    default:
      return '[]';
  }
}

/** One multi-document manifest; `changed` services get a different command (a rolling change). */
export function scaleManifest(
  services: number,
  instances: number,
  agents: number,
  changed = new Set<number>(),
): string {
  const docs: string[] = [];
  for (let i = 0; i < services; i++) {
    const name = `svc-${String(i).padStart(3, '0')}`;
    docs.push(
      [
        'apiVersion: mesos-apply/v1',
        'kind: Task',
        `metadata: {name: ${name}, labels: {team: t${i % 7}}}`,
        'spec:',
        `  instances: ${instances}`,
        `  command: 'serve --name ${name}${changed.has(i) ? ' --v2' : ''}'`,
        '  resources: {cpus: 0.1, mem: 64}',
        `  constraints: ${constraintsFor(i, instances, agents)}`,
        // A quarter at a time, each up 2s before the next: a change of one service is four
        // batches (the default, one instance at a time and 10s up, is 100 batches: ~17 minutes).
        '  rollout: {maxParallel: 25%, minHealthyTime: 2}',
        '',
      ].join('\n'),
    );
  }
  return docs.join('---\n');
}
