/**
 * placeTasks: pending tasks → offers, greedily, in (name, instance) order.
 *
 * Invariants (property-tested in test/unit/plan/place.property.test.ts):
 * - offers are grouped per (agent, allocation role): one group = one ACCEPT; every
 *   resource a task gets is cut from its group's ResourcePool, so no group is ever
 *   over-committed and no port is handed out twice within a group (the master guarantees
 *   that different offers never share resources);
 * - a task goes to a group only if it fits entirely: role (the offer's allocation role must
 *   be the spec's role when the offer has one), constraints (against tasks of the same
 *   name that stay running and those placed earlier in this plan), scalars, ports;
 * - among the groups it fits, the one whose agent holds the fewest tasks of that name wins
 *   (spreading), then the one with the fewest tasks placed by this plan, then offer order;
 * - the result depends only on the inputs (no clock, no randomness); ports are picked
 *   lowest first.
 */

import type { Attribute, Offer, OperatorAgent, Resource } from '../mesos/types.js';
import type { ObservedTask } from '../model/observed.js';
import { ResourcePool } from '../model/pool.js';
import * as ranges from '../model/ranges.js';
import { SCALAR_NAMES, toMilli } from '../model/resources.js';
import { isActive } from '../model/states.js';
import { type Candidate, type Evaluation, evaluate, needsOf, portRequests } from './candidate.js';
import type { AgentView } from './constraints.js';
import { cmp } from './diff.js';
import { fitReport, reportDependsOnPeers } from './fit.js';
import type { AcceptGroup, AssignedPort, FitReport, PendingTask, TaskPlacement } from './types.js';

export interface PlaceResult {
  placed: { taskId: string; placement: TaskPlacement }[];
  unplaced: { taskId: string; report: FitReport }[];
  accepts: AcceptGroup[];
}

function offerRole(o: Offer): string | undefined {
  return (
    o.allocation_info?.role ?? o.resources?.find((r) => r.allocation_info?.role !== undefined)?.allocation_info?.role
  );
}

function agentAttributes(agents: readonly OperatorAgent[], agentId: string): Attribute[] {
  return agents.find((a) => a.agent_info.id?.value === agentId)?.agent_info.attributes ?? [];
}

/** One candidate per (agent, allocation role), in offer order; offers of a group are merged. */
export function groupOffers(offers: readonly Offer[], agents: readonly OperatorAgent[]): Candidate[] {
  const groups = new Map<string, { c: Candidate; resources: Resource[] }>();
  for (const o of offers) {
    const role = offerRole(o);
    const key = JSON.stringify([o.agent_id.value, role ?? null]);
    let g = groups.get(key);
    if (g === undefined) {
      const attributes = o.attributes ?? agentAttributes(agents, o.agent_id.value);
      const view = { agentId: o.agent_id.value, hostname: o.hostname, attributes };
      g = { c: { view, offerIds: [], pool: ResourcePool.from([]) }, resources: [] };
      if (role !== undefined) g.c.role = role;
      groups.set(key, g);
    }
    g.c.offerIds.push(o.id.value);
    g.resources.push(...(o.resources ?? []));
  }
  return [...groups.values()].map(({ c, resources }) => ({ ...c, pool: ResourcePool.from(resources) }));
}

/** Active agents as candidates over their total resources (for "fits no agent at all"). */
export function agentCandidates(agents: readonly OperatorAgent[]): Candidate[] {
  return agents
    .filter((a) => a.active && a.deactivated !== true && a.agent_info.id !== undefined)
    .map((a) => ({
      view: {
        agentId: a.agent_info.id?.value ?? '',
        hostname: a.agent_info.hostname,
        attributes: a.agent_info.attributes ?? [],
      },
      offerIds: [],
      pool: ResourcePool.from(a.total_resources ?? a.agent_info.resources),
    }));
}

/** Cut a task's resources from a candidate it was evaluated to fit. */
function cut(task: PendingTask, c: Candidate): { resources: Resource[]; ports: AssignedPort[] } {
  const { role } = task.spec;
  const resources: Resource[] = [];
  for (const name of SCALAR_NAMES) {
    const taken = c.pool.takeScalar(name, toMilli(task.spec.resources[name]), role);
    if (taken === undefined) throw new Error(`internal: ${name} of ${task.taskId} no longer fits`);
    resources.push(...taken);
  }
  const requests = portRequests(task.spec);
  if (requests.length === 0) return { resources, ports: [] };
  const fixed = requests.filter((p) => p.hostPort > 0).map((p) => p.hostPort);
  const picked = ranges.pickValues(
    c.pool.rangesOf('ports', role),
    requests.length - fixed.length,
    ranges.fromValues(fixed),
  );
  if (picked === undefined) throw new Error(`internal: ports of ${task.taskId} no longer fit`);
  const ports = requests.map((p): AssignedPort => {
    const out: AssignedPort = {
      name: p.name,
      hostPort: p.hostPort > 0 ? p.hostPort : (picked.shift() as number),
      protocol: p.protocol,
    };
    if (p.containerPort !== undefined) out.containerPort = p.containerPort;
    return out;
  });
  const taken = c.pool.takeValues(
    'ports',
    ports.map((p) => p.hostPort),
    role,
  );
  if (taken === undefined) throw new Error(`internal: ports of ${task.taskId} are not free`);
  return { resources: [...resources, ...taken], ports };
}

/** `known` has one view per agent id. The lists are fresh: placeTasks appends to them. */
function peerViews(running: readonly ObservedTask[], known: readonly AgentView[]): Map<string, AgentView[]> {
  const byAgent = new Map(known.map((v) => [v.agentId, v]));
  const byName = new Map<string, AgentView[]>();
  for (const t of running) {
    if (!isActive(t.state)) continue;
    const view = byAgent.get(t.agentId) ?? { agentId: t.agentId, hostname: t.hostname ?? '', attributes: [] };
    const list = byName.get(t.name);
    if (list === undefined) byName.set(t.name, [view]);
    else list.push(view);
  }
  return byName;
}

/** How many of `views` are on each agent. */
function countByAgent(views: readonly AgentView[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of views) bump(out, v.agentId);
  return out;
}

function bump(counts: Map<string, number>, agentId: string): void {
  counts.set(agentId, (counts.get(agentId) ?? 0) + 1);
}

/**
 * `running`: the tasks that stay (their names count for constraints and spreading); the
 * offers already exclude their resources.
 */
export function placeTasks(
  pending: readonly PendingTask[],
  offers: readonly Offer[],
  agents: readonly OperatorAgent[],
  running: readonly ObservedTask[],
): PlaceResult {
  const groups = groupOffers(offers, agents);
  const totals = agentCandidates(agents);
  const known = [...totals.map((t) => t.view), ...groups.map((g) => g.view)];
  const clusterViews = [...new Map(known.map((v) => [v.agentId, v])).values()];
  const peers = peerViews(running, clusterViews);
  const placedOn = new Map<Candidate, string[]>();
  // Spreading counts, kept up to date as tasks are placed (so each choice is O(groups)):
  // per name, that name's peers per agent; per agent, the tasks this plan put there.
  const peersPerAgent = new Map<string, Map<string, number>>();
  const placedPerAgent = new Map<string, number>();
  const result: PlaceResult = { placed: [], unplaced: [], accepts: [] };
  // Without offers a spec's report is the same for every instance, unless a UNIQUE/MAX_PER
  // constraint counts its peers: made once per spec (a first plan reports on all of them).
  const noOfferReports = new Map<PendingTask['spec'], FitReport>();
  const order = [...pending].sort((a, b) => cmp(a.spec.name, b.spec.name) || a.instance - b.instance);
  // What a spec needs is the same for each of its instances: worked out once per spec.
  const needsBySpec = new Map<PendingTask['spec'], ReturnType<typeof needsOf>>();
  for (const task of order) {
    let needs = needsBySpec.get(task.spec);
    if (needs === undefined) {
      needs = needsOf(task.spec);
      needsBySpec.set(task.spec, needs);
    }
    const mine = peers.get(task.spec.name) ?? [];
    let perAgent = peersPerAgent.get(task.spec.name);
    if (perAgent === undefined) {
      perAgent = countByAgent(mine);
      peersPerAgent.set(task.spec.name, perAgent);
    }
    const mineOn = perAgent;
    // The choice among the offers that fit: fewest of this name's peers on the agent, then
    // fewest tasks this plan put there, then offer order. So the offers are tried in that
    // order and the first that fits is taken (one evaluation per task, not one per offer).
    const ranked = groups
      .map((c, i) => ({
        c,
        i,
        peers: mineOn.get(c.view.agentId) ?? 0,
        placed: placedPerAgent.get(c.view.agentId) ?? 0,
      }))
      .sort((a, b) => a.peers - b.peers || a.placed - b.placed || a.i - b.i);
    let chosen: Candidate | undefined;
    const evals: Evaluation[] = []; // in offer order; all of them when none fits
    for (const r of ranked) {
      const e = evaluate(task.spec, needs, r.c, mine, clusterViews, 'offer');
      evals[r.i] = e;
      if (e.rejections.length === 0) {
        chosen = r.c;
        break;
      }
    }
    if (chosen === undefined) {
      const shared = evals.length === 0 && !reportDependsOnPeers(task.spec);
      let report = shared ? noOfferReports.get(task.spec) : undefined;
      if (report === undefined) {
        report = fitReport(task.spec, evals, totals, mine);
        if (shared) noOfferReports.set(task.spec, report);
      }
      result.unplaced.push({ taskId: task.taskId, report });
      continue;
    }
    const { resources, ports } = cut(task, chosen);
    const { agentId, hostname } = chosen.view;
    result.placed.push({
      taskId: task.taskId,
      placement: {
        agentId,
        hostname,
        role: chosen.role ?? task.spec.role,
        offerIds: [...chosen.offerIds],
        resources,
        ports,
      },
    });
    const ids = placedOn.get(chosen);
    if (ids === undefined) placedOn.set(chosen, [task.taskId]);
    else ids.push(task.taskId);
    if (peers.has(task.spec.name)) mine.push(chosen.view);
    else peers.set(task.spec.name, [chosen.view]);
    bump(perAgent, agentId);
    bump(placedPerAgent, agentId);
  }
  for (const g of groups) {
    const taskIds = placedOn.get(g);
    if (taskIds === undefined) continue;
    const role = g.role ?? result.placed.find((p) => p.taskId === taskIds[0])?.placement.role ?? '*';
    result.accepts.push({
      agentId: g.view.agentId,
      hostname: g.view.hostname,
      role,
      offerIds: [...g.offerIds],
      taskIds,
    });
  }
  return result;
}
