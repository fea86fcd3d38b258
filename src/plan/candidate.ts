/**
 * Candidate: somewhere a task could go (an offer group, or an agent's total resources), and
 * `evaluate`: does a task fit there, and if not, every reason why (in plain words).
 *
 * Both placement (place.ts, against offers) and the fit report (fit.ts, against agents'
 * totals) use the same `evaluate`, so "fits no agent at all" and "no room now" can never
 * disagree about what a task needs. Scalars are compared in milli-units (resources.ts).
 */

import type { Range } from '../mesos/types.js';
import type { ResourcePool } from '../model/pool.js';
import * as ranges from '../model/ranges.js';
import { SCALAR_NAMES, type ScalarName, formatScalar, fromMilli, toMilli } from '../model/resources.js';
import type { TaskSpec } from '../model/spec.js';
import { type AgentView, type ConstraintProblem, firstProblem } from './constraints.js';
import type { FitNeeds, RejectReason } from './types.js';

export interface PortRequest {
  name: string;
  /** 0: pick one. */
  hostPort: number;
  containerPort?: number;
  protocol: 'tcp' | 'udp';
}

export interface Candidate {
  view: AgentView;
  /** The offers' allocation role; undefined: unknown (non-MULTI_ROLE offers) or an agent total. */
  role?: string;
  offerIds: string[];
  pool: ResourcePool;
}

export interface Rejection {
  reason: RejectReason;
  /** About this candidate, e.g. "has cpus 2 of 4". */
  lack: string;
  constraint?: ConstraintProblem;
}

export interface Evaluation {
  candidate: Candidate;
  rejections: Rejection[];
  have: Partial<Record<ScalarName, number>> & { ports?: number };
  /** 0..1 per requested thing, summed: how close the candidate comes. */
  coverage: number;
}

/** The spec's host ports, in the order they are exported: `ports`, then Docker port mappings. */
export function portRequests(spec: TaskSpec): PortRequest[] {
  const own = spec.ports.map((p) => ({ name: p.name, hostPort: p.hostPort, protocol: p.protocol }));
  const mapped = (spec.docker?.portMappings ?? []).map((m) => ({
    name: m.name,
    hostPort: m.hostPort,
    containerPort: m.containerPort,
    protocol: m.protocol,
  }));
  return [...own, ...mapped];
}

export function needsOf(spec: TaskSpec): FitNeeds {
  const ports = portRequests(spec);
  return {
    role: spec.role,
    ...spec.resources,
    fixedPorts: ports.filter((p) => p.hostPort > 0).map((p) => p.hostPort),
    anyPorts: ports.filter((p) => p.hostPort === 0).length,
  };
}

function checkScalars(needs: FitNeeds, c: Candidate, out: Evaluation): void {
  for (const name of SCALAR_NAMES) {
    const need = toMilli(needs[name]);
    if (need <= 0) continue;
    const have = c.pool.scalarMilli(name, needs.role);
    out.have[name] = fromMilli(have);
    out.coverage += Math.min(have / need, 1);
    if (have < need)
      out.rejections.push({
        reason: name,
        lack: `has ${name} ${formatScalar(fromMilli(have))} of ${formatScalar(needs[name])}`,
      });
  }
}

function checkPorts(needs: FitNeeds, c: Candidate, where: 'offer' | 'agent', out: Evaluation): void {
  if (needs.fixedPorts.length + needs.anyPorts === 0) return;
  const free: Range[] = c.pool.rangesOf('ports', needs.role);
  out.have.ports = ranges.size(free);
  const missing = needs.fixedPorts.filter(
    (p, i) => !ranges.containsValue(free, p) || needs.fixedPorts.indexOf(p) !== i,
  );
  const rest = ranges.size(ranges.subtract(free, ranges.fromValues(needs.fixedPorts)));
  const wanted = needs.fixedPorts.length + needs.anyPorts;
  out.coverage += (needs.fixedPorts.length - missing.length + Math.min(rest, needs.anyPorts)) / wanted;
  for (const p of missing) {
    out.rejections.push({
      reason: 'ports',
      lack: where === 'offer' ? `port ${p} is not free` : `port ${p} is outside its port ranges`,
    });
  }
  if (rest < needs.anyPorts)
    out.rejections.push({ reason: 'ports', lack: `has ${rest} free ports of ${needs.anyPorts}` });
}

/**
 * Every reason `spec` does not fit on `c` (none: it fits). `peers` and `agents` feed the
 * constraints (see constraints.ts); the role check applies to offers with a known role.
 */
export function evaluate(
  spec: TaskSpec,
  needs: FitNeeds,
  c: Candidate,
  peers: readonly AgentView[],
  agents: readonly AgentView[],
  where: 'offer' | 'agent',
): Evaluation {
  const out: Evaluation = { candidate: c, rejections: [], have: {}, coverage: 0 };
  if (c.role !== undefined && c.role !== needs.role) {
    out.rejections.push({ reason: 'role', lack: `is for role ${c.role}, not ${needs.role}` });
  }
  const problem = firstProblem(spec.constraints, spec.name, c.view, peers, agents);
  if (problem !== undefined) out.rejections.push({ reason: 'constraint', lack: problem.one, constraint: problem });
  checkScalars(needs, c, out);
  checkPorts(needs, c, where, out);
  return out;
}

/** Best first: fewest reasons, then closest coverage, then input order (stable sort). */
export function byNearest(a: Evaluation, b: Evaluation): number {
  return a.rejections.length - b.rejections.length || b.coverage - a.coverage;
}
