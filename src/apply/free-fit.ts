/**
 * Why an instance with no running task would (not) be placed now, without subscribing:
 * the planner runs against one pseudo-offer per active agent made of what the operator
 * API says is free there (total − allocated, which includes what is offered to others).
 * An estimate for `describe`; apply always decides against real offers.
 */
import type { OperatorAgent, Offer, Range, Resource } from '../mesos/types.js';
import type { ObservedTask } from '../model/observed.js';
import * as ranges from '../model/ranges.js';
import { fromMilli, toMilli } from '../model/resources.js';
import type { TaskSpec } from '../model/spec.js';
import { placeTasks } from '../plan/place.js';
import type { FitReport } from '../plan/types.js';

/** `total` minus `allocated`, by resource name (scalars in Mesos's 3-decimal fixed point, ranges as sets). */
export function freeResources(total: readonly Resource[], allocated: readonly Resource[]): Resource[] {
  const out: Resource[] = [];
  for (const r of total) {
    const used = allocated.filter((a) => a.name === r.name && a.type === r.type);
    if (r.type === 'SCALAR') {
      const left = toMilli(r.scalar?.value ?? 0) - used.reduce((n, a) => n + toMilli(a.scalar?.value ?? 0), 0);
      if (left > 0) out.push({ ...r, scalar: { value: fromMilli(left) } });
    } else if (r.type === 'RANGES') {
      const left = used.reduce<Range[]>(
        (set, a) => ranges.subtract(set, ranges.fromWire(a.ranges)),
        ranges.fromWire(r.ranges),
      );
      if (left.length > 0) out.push({ ...r, ranges: ranges.toWire(left) });
    } else {
      out.push(r);
    }
  }
  return out;
}

/**
 * One pseudo-offer per active agent made of its free resources. With `role`, the offer is
 * allocated to that role (describe's one task); without, it has no allocation role, so
 * the planner checks each task against the reservations it may use instead (plan's
 * many tasks, of any roles).
 */
export function freeOffers(agents: readonly OperatorAgent[], role?: string): Offer[] {
  return agents
    .filter((a) => a.active && a.agent_info.id)
    .map((a) => {
      const offer: Offer = {
        id: { value: `free-${a.agent_info.id!.value}` },
        framework_id: { value: '' },
        agent_id: a.agent_info.id!,
        hostname: a.agent_info.hostname,
        resources: freeResources(a.total_resources ?? a.agent_info.resources ?? [], a.allocated_resources ?? []),
        attributes: a.agent_info.attributes ?? [],
      };
      if (role !== undefined) offer.allocation_info = { role };
      return offer;
    });
}

/** Undefined when the instance would fit now; otherwise the fit report in the planner's words. */
export function freeFit(
  spec: TaskSpec,
  hash: string,
  instance: number,
  agents: readonly OperatorAgent[],
  running: readonly ObservedTask[],
): FitReport | undefined {
  const offers = freeOffers(agents, spec.role);
  const result = placeTasks(
    [{ spec, specHash: hash, instance, taskId: `${spec.name}.${instance}.${hash}` }],
    offers,
    [...agents],
    [...running],
  );
  return result.unplaced[0]?.report;
}
