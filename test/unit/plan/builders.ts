/** Builders for planner tests: specs, offers, agents, observed tasks. */

import type { Attribute, Offer, OperatorAgent, Resource, TaskState } from '../../../src/mesos/types.js';
import { makeTaskId } from '../../../src/model/ids.js';
import type { ObservedTask } from '../../../src/model/observed.js';
import type { LoadedSpec, TaskSpec } from '../../../src/model/spec.js';

export const HASH = 'aaaaaaaaaa';
export const HASH2 = 'bbbbbbbbbb';

export function taskSpec(name: string, over: Partial<TaskSpec> = {}): TaskSpec {
  return {
    name,
    labels: {},
    goal: 'running',
    instances: 1,
    role: '*',
    command: 'sleep 1000',
    env: {},
    uris: [],
    resources: { cpus: 0.1, mem: 32, disk: 0, gpus: 0 },
    ports: [],
    killGracePeriod: 3,
    constraints: [],
    ...over,
  };
}

export function loaded(name: string, over: Partial<TaskSpec> = {}, hash = HASH): LoadedSpec {
  return { spec: taskSpec(name, over), hash, source: { file: `${name}.yaml`, document: 0, line: 1, col: 1 } };
}

export interface ResourceOpts {
  cpus?: number;
  mem?: number;
  disk?: number;
  gpus?: number;
  ports?: [number, number][];
  /** allocation_info role, copied onto every resource. */
  allocRole?: string;
  /** pre-refinement `role` field on every resource (e.g. "*"). */
  role?: string;
}

export function resources(o: ResourceOpts): Resource[] {
  const out: Resource[] = [];
  const extra = (): Partial<Resource> => ({
    ...(o.role !== undefined ? { role: o.role } : {}),
    ...(o.allocRole !== undefined ? { allocation_info: { role: o.allocRole } } : {}),
  });
  for (const name of ['cpus', 'mem', 'disk', 'gpus'] as const) {
    const v = o[name];
    if (v !== undefined) out.push({ name, type: 'SCALAR', scalar: { value: v }, ...extra() });
  }
  if (o.ports !== undefined) {
    out.push({
      name: 'ports',
      type: 'RANGES',
      ranges: { range: o.ports.map(([begin, end]) => ({ begin, end })) },
      ...extra(),
    });
  }
  return out;
}

export function textAttr(name: string, value: string): Attribute {
  return { name, type: 'TEXT', text: { value } };
}

export interface OfferOpts extends ResourceOpts {
  id?: string;
  agent: string;
  host?: string;
  attributes?: Attribute[];
  extra?: Resource[];
}

export function offer(o: OfferOpts): Offer {
  const offerOut: Offer = {
    id: { value: o.id ?? `O-${o.agent}` },
    framework_id: { value: 'fw' },
    agent_id: { value: o.agent },
    hostname: o.host ?? `${o.agent}.example`,
    resources: [...resources(o), ...(o.extra ?? [])],
  };
  if (o.allocRole !== undefined) offerOut.allocation_info = { role: o.allocRole };
  if (o.attributes !== undefined) offerOut.attributes = o.attributes;
  return offerOut;
}

export function agent(o: OfferOpts & { active?: boolean }): OperatorAgent {
  return {
    agent_info: { hostname: o.host ?? `${o.agent}.example`, id: { value: o.agent }, attributes: o.attributes ?? [] },
    active: o.active ?? true,
    version: '1.12.0',
    total_resources: [...resources({ ...o, role: o.role ?? '*' }), ...(o.extra ?? [])],
  };
}

export function observed(
  name: string,
  instance: number,
  o: { hash?: string; state?: TaskState; agent?: string; attempt?: number; timestamp?: number; taskId?: string } = {},
): ObservedTask {
  const hash = o.hash ?? HASH;
  const agentId = o.agent ?? 'a1';
  const t: ObservedTask = {
    taskId: o.taskId ?? makeTaskId(name, instance, hash, o.attempt ?? 0),
    name,
    instance,
    specHash: hash,
    managed: true,
    state: o.state ?? 'TASK_RUNNING',
    agentId,
    hostname: `${agentId}.example`,
    ports: [],
    labels: {},
  };
  if (o.timestamp !== undefined)
    t.lastStatus = { task_id: { value: t.taskId }, state: t.state, timestamp: o.timestamp };
  return t;
}
