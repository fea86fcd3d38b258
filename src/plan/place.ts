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

import type { Offer, OperatorAgent, Resource } from '../mesos/types.js';
import type { ObservedTask } from '../model/observed.js';
import { ResourcePool } from '../model/pool.js';
import * as ranges from '../model/ranges.js';
import { SCALAR_NAMES, toMilli } from '../model/resources.js';
import { isActive } from '../model/states.js';
import { type Candidate, type Evaluation, evaluate, needsOf, portRequests } from './candidate.js';
import type { AgentView } from './constraints.js';
import { cmp } from './diff.js';
import { fitReport, reportDependsOnPeers } from './fit.js';
import { TryOrder } from './try-order.js';
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

/** One candidate per (agent, allocation role), in offer order; offers of a group are merged. */
export function groupOffers(offers: readonly Offer[], agents: readonly OperatorAgent[]): Candidate[] {
  const groups = new Map<string, { c: Omit<Candidate, 'pool'>; resources: Resource[] }>();
  const attributesOf = new Map(agents.map((a) => [a.agent_info.id?.value, a.agent_info.attributes ?? []]));
  for (const o of offers) {
    const role = offerRole(o);
    const key = JSON.stringify([o.agent_id.value, role ?? null]);
    let g = groups.get(key);
    if (g === undefined) {
      const attributes = o.attributes ?? attributesOf.get(o.agent_id.value) ?? [];
      const view = { agentId: o.agent_id.value, hostname: o.hostname, attributes };
      g = { c: { view, offerIds: [] }, resources: [] };
      if (role !== undefined) g.c.role = role;
      groups.set(key, g);
    }
    g.c.offerIds.push(o.id.value);
    g.resources.push(...(o.resources ?? []));
  }
  return [...groups.values()].map(({ c, resources }) => ({ ...c, pool: ResourcePool.from(resources) }));
}

/**
 * Active agents: their views (constraints count every agent's attribute values), and as
 * candidates over their total resources, for the report of a task that fits no offer ("fits
 * no agent at all"). The candidates' pools are built when first asked for: a plan that places
 * everything never needs them, and at 50,000 agents they are a large part of its memory.
 */
function agentTotals(agents: readonly OperatorAgent[]): { views: AgentView[]; candidates: () => Candidate[] } {
  const active = agents.filter((a) => a.active && a.deactivated !== true && a.agent_info.id !== undefined);
  const views = active.map((a) => ({
    agentId: a.agent_info.id?.value ?? '',
    hostname: a.agent_info.hostname,
    attributes: a.agent_info.attributes ?? [],
  }));
  let candidates: Candidate[] | undefined;
  return {
    views,
    candidates: () =>
      (candidates ??= active.map((a, i) => ({
        view: views[i] as AgentView,
        offerIds: [],
        pool: ResourcePool.from(a.total_resources ?? a.agent_info.resources),
      }))),
  };
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
  const totals = agentTotals(agents);
  const known = [...totals.views, ...groups.map((g) => g.view)];
  const clusterViews = [...new Map(known.map((v) => [v.agentId, v])).values()];
  const peers = peerViews(running, clusterViews);
  /** Per group: its task ids, and the role of its first task (the ACCEPT's role when the offer has none). */
  const placedOn = new Map<Candidate, { role: string; taskIds: string[] }>();
  // Spreading counts, kept up to date as tasks are placed (so each choice is O(groups)):
  // per name, that name's peers per agent; per agent, the tasks this plan put there.
  const peersPerAgent = new Map<string, Map<string, number>>();
  const order = new TryOrder(groups);
  const result: PlaceResult = { placed: [], unplaced: [], accepts: [] };
  // Without offers a spec's report is the same for every instance, unless a UNIQUE/MAX_PER
  // constraint counts its peers: made once per spec (a first plan reports on all of them).
  const noOfferReports = new Map<PendingTask['spec'], FitReport>();
  const queue = [...pending].sort((a, b) => cmp(a.spec.name, b.spec.name) || a.instance - b.instance);
  // What a spec needs is the same for each of its instances: worked out once per spec.
  const needsBySpec = new Map<PendingTask['spec'], ReturnType<typeof needsOf>>();
  for (const task of queue) {
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
    let chosen: Candidate | undefined;
    const evals: Evaluation[] = []; // in offer order; all of them when none fits
    for (const i of order.tryOrder(perAgent)) {
      const c = groups[i] as Candidate;
      const e = evaluate(task.spec, needs, c, mine, clusterViews, 'offer');
      evals[i] = e;
      if (e.rejections.length === 0) {
        chosen = c;
        break;
      }
    }
    if (chosen === undefined) {
      const shared = evals.length === 0 && !reportDependsOnPeers(task.spec);
      let report = shared ? noOfferReports.get(task.spec) : undefined;
      if (report === undefined) {
        report = fitReport(task.spec, evals, totals.candidates(), mine);
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
    if (ids === undefined) placedOn.set(chosen, { role: chosen.role ?? task.spec.role, taskIds: [task.taskId] });
    else ids.taskIds.push(task.taskId);
    if (peers.has(task.spec.name)) mine.push(chosen.view);
    else peers.set(task.spec.name, [chosen.view]);
    bump(perAgent, agentId);
    order.record(agentId);
  }
  for (const g of groups) {
    const on = placedOn.get(g);
    if (on === undefined) continue;
    const { role, taskIds } = on;
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
