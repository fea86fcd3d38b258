/**
 * Offers: the local version of the hierarchical allocator (mesos-protocol §4.5, §7.3,
 * §7.4). Each cycle, every agent's free resources go to one connected, active framework
 * role at a time: one offer per (framework, role, agent), unless below the minimum
 * allocatable (`cpus:0.01|mem:32`), suppressed, or covered by a refuse filter.
 *
 * Returning resources (decline, rescind, unused part of an ACCEPT, terminal tasks) goes
 * through `returnResources`, which is the only place that installs refuse filters.
 */
import type { Filters, Offer, Resource } from '../../mesos/types.js';
import { offerIdFor } from './ids.js';
import { addInto, containsResources, scalarValue, withAllocation, withStarRole } from './resources.js';
import { hasCap, type MasterAgent, type MasterFramework, type MasterOffer, type MasterState } from './state.js';
import { frameworkRoles } from './call-validation.js';

const MAX_REFUSE_SECONDS = 365 * 24 * 3600;

/** Filter length in ms for `filters` (default 5 s; negative → 5 s; capped at a year; 0 → none). */
export function refuseMs(m: MasterState, filters: Filters | undefined): number {
  let s = filters?.refuse_seconds ?? 5;
  if (!Number.isFinite(s) || s < 0) s = 5;
  if (s > MAX_REFUSE_SECONDS) s = MAX_REFUSE_SECONDS;
  if (s === 0) return 0;
  // Mesos never lets a filter be shorter than one allocation interval.
  return Math.max(s * 1000, m.config.allocationIntervalMs);
}

const allocatable = (res: readonly Resource[]): boolean =>
  scalarValue(res, 'cpus') >= 0.01 || scalarValue(res, 'mem') >= 32;

function filtered(fw: MasterFramework, role: string, agentId: string, candidate: Resource[], now: number): boolean {
  fw.filters = fw.filters.filter((f) => f.expiresMs > now);
  return fw.filters.some((f) => f.agentId === agentId && f.role === role && containsResources(f.resources, candidate));
}

/** Ranges and sets first, then scalars in the agent's total order (Mesos's offers read that way). */
function offerOrder(agent: MasterAgent, res: Resource[]): Resource[] {
  const rank = (r: Resource) => (r.type === 'SCALAR' ? 1 + agent.total.findIndex((t) => t.name === r.name) : 0);
  return [...res].sort((a, b) => rank(a) - rank(b));
}

/** One allocation cycle; returns the offers made, grouped by framework. */
export function allocate(m: MasterState, now = Date.now()): Map<MasterFramework, MasterOffer[]> {
  const made = new Map<MasterFramework, MasterOffer[]>();
  const frameworks = [...m.frameworks.values()].filter((fw) => fw.active && fw.stream);
  if (frameworks.length === 0) return made;
  for (const agent of m.agents.values()) {
    for (const fw of frameworks) {
      for (const role of frameworkRoles(fw.info)) {
        if (fw.suppressed.has(role) || !allocatable(agent.free)) continue;
        if (filtered(fw, role, agent.id, agent.free, now)) continue;
        const offer = makeOffer(m, fw, agent, role);
        const list = made.get(fw) ?? [];
        list.push(offer);
        made.set(fw, list);
      }
    }
  }
  return made;
}

function makeOffer(m: MasterState, fw: MasterFramework, agent: MasterAgent, role: string): MasterOffer {
  const offer: MasterOffer = {
    id: offerIdFor(m.config.masterId, m.nextOfferNo++),
    frameworkId: fw.id,
    agentId: agent.id,
    role,
    resources: withAllocation(offerOrder(agent, agent.free), role),
  };
  agent.free = [];
  m.offers.set(offer.id, offer);
  fw.offers.set(offer.id, offer);
  return offer;
}

/** The offer as this framework sees it (allocation info only for MULTI_ROLE; `role: "*"` unless RESERVATION_REFINEMENT). */
export function offerWire(
  m: MasterState,
  fw: MasterFramework | undefined,
  offer: MasterOffer,
  operatorView = false,
): Offer {
  const agent = m.agents.get(offer.agentId);
  const multiRole = fw ? hasCap(fw, 'MULTI_ROLE') : true;
  let resources = multiRole ? offer.resources : withAllocation(offer.resources, undefined);
  if (!operatorView && !(fw && hasCap(fw, 'RESERVATION_REFINEMENT'))) resources = withStarRole(resources);
  const address = {
    hostname: agent?.handle.hostname ?? m.config.hostname,
    ip: agentIp(agent),
    port: agent?.handle.port ?? 0,
  };
  return {
    id: { value: offer.id },
    framework_id: { value: offer.frameworkId },
    agent_id: { value: offer.agentId },
    hostname: agent?.handle.hostname ?? m.config.hostname,
    url: { scheme: 'http', address, path: '/slave(1)' },
    resources,
    ...(agent?.handle.attributes.length ? { attributes: agent.handle.attributes } : {}),
    ...(multiRole ? { allocation_info: { role: offer.role } } : {}),
  };
}

export function agentIp(agent: MasterAgent | undefined): string {
  const at = agent?.handle.pid.split('@')[1] ?? '';
  return at.includes(':') ? at.slice(0, at.lastIndexOf(':')) : '127.0.0.1';
}

/**
 * Gives resources back to an agent's free pool; with `refuse > 0` also installs a refuse
 * filter for (framework, role, agent) over exactly these resources.
 */
export function returnResources(
  m: MasterState,
  agentId: string,
  resources: readonly Resource[],
  filter?: { fw: MasterFramework; role: string; ms: number },
): void {
  const agent = m.agents.get(agentId);
  if (!agent) return;
  const plain = withAllocation(resources, undefined);
  for (const r of plain) addInto(agent.free, r);
  if (filter && filter.ms > 0 && plain.length > 0) {
    filter.fw.filters.push({ agentId, role: filter.role, resources: plain, expiresMs: Date.now() + filter.ms });
  }
}

/** Takes an offer out of circulation (accepted, declined, rescinded or discarded). Its resources are NOT returned. */
export function takeOffer(m: MasterState, offer: MasterOffer): void {
  if (offer.timer) clearTimeout(offer.timer);
  m.offers.delete(offer.id);
  m.frameworks.get(offer.frameworkId)?.offers.delete(offer.id);
}

/** Offer gone without a filter; RESCIND sent when asked and the framework is connected. */
export function rescindOffer(m: MasterState, offer: MasterOffer, notify: boolean): void {
  takeOffer(m, offer);
  returnResources(m, offer.agentId, offer.resources);
  const fw = m.frameworks.get(offer.frameworkId);
  if (notify && fw?.stream) fw.stream.send({ type: 'RESCIND', rescind: { offer_id: { value: offer.id } } });
}

/** DECLINE: unknown ids are ignored; a filter is always installed (5 s by default). */
export function declineOffers(
  m: MasterState,
  fw: MasterFramework,
  ids: readonly string[],
  filters: Filters | undefined,
): void {
  const ms = refuseMs(m, filters);
  for (const id of ids) {
    const offer = fw.offers.get(id);
    if (!offer) continue;
    takeOffer(m, offer);
    returnResources(m, offer.agentId, offer.resources, { fw, role: offer.role, ms });
  }
}

/** Every outstanding offer of the framework goes back, silently (failover, disconnect, removal). */
export function discardOffers(m: MasterState, fw: MasterFramework): void {
  for (const offer of [...fw.offers.values()]) rescindOffer(m, offer, false);
}

/** Resources that an agent's tasks no longer use go back to the pool (no filter). */
export function releaseTaskResources(m: MasterState, agentId: string, resources: readonly Resource[]): void {
  returnResources(m, agentId, resources);
}
