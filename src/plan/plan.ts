/**
 * makePlan: the whole pure planner, diff (diff.ts) then placement (place.ts), into one
 * Plan value (types.ts). No I/O, no clock, no randomness: the same inputs give the same
 * plan, byte for byte once serialised.
 *
 * Placement sees as "running" only the tasks that survive the plan (kept by an `unchanged`
 * item): tasks about to be replaced or deleted do not block constraints or spreading for
 * their successors (a replacement may share a host with the task it replaces until apply
 * kills the old one). Only what starts now is placed: batch 1 of a rolling rollout, not
 * later batches nor recreate replaces (rollout.ts).
 */

import type { Offer, OperatorAgent } from '../mesos/types.js';
import { instanceKey } from '../model/ids.js';
import type { ObservedTask } from '../model/observed.js';
import type { LoadedSpec, TaskSpec } from '../model/spec.js';
import { isActive } from '../model/states.js';
import { cmp, diffTasks } from './diff.js';
import { placeTasks } from './place.js';
import { placedNow, planRollouts, portHeldByOld } from './rollout.js';
import {
  type PendingTask,
  PLAN_FORMAT_VERSION,
  type Plan,
  type PlanItem,
  type PlanSummary,
  type ScheduledJob,
} from './types.js';

export interface PlanInput {
  specs: readonly LoadedSpec[];
  observed: readonly ObservedTask[];
  offers: readonly Offer[];
  agents: readonly OperatorAgent[];
  prune: boolean;
  /** With prune: only tasks whose labels hold every pair (`-l`). */
  pruneSelector?: Readonly<Record<string, string>>;
  allowEmpty?: boolean;
  framework: string;
  /** Old specs by hash, when known: replace items then list the changed fields. */
  previousSpecs?: Readonly<Record<string, TaskSpec>>;
  /** Old secret digests by spec hash, when known: a replace then names the secrets that changed. */
  previousSecrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** `apply --replace`: `name` or `name/instance` entries launched afresh (diff.ts). */
  replace?: readonly string[];
  /**
   * `name/instance` keys whose create or relaunch waits (the controller's per-instance
   * backoff): those items are left out of the plan, the rest of it is unchanged.
   */
  hold?: ReadonlySet<string>;
}

export function launches(item: PlanItem): boolean {
  return item.action === 'create' || item.action === 'replace' || item.action === 'relaunch';
}

/** The launching items as placement input. */
export function pendingTasks(items: readonly PlanItem[], specs: readonly LoadedSpec[]): PendingTask[] {
  const byName = new Map(specs.map((s) => [s.spec.name, s]));
  return items.filter(launches).flatMap((item) => {
    const s = byName.get(item.name);
    return s === undefined ? [] : [{ spec: s.spec, specHash: s.hash, instance: item.instance, taskId: item.taskId }];
  });
}

export function summarize(items: readonly PlanItem[]): PlanSummary {
  const summary: PlanSummary = { create: 0, unchanged: 0, replace: 0, relaunch: 0, delete: 0, unplaced: 0 };
  for (const item of items) {
    summary[item.action] += 1;
    if (item.unplaced !== undefined) summary.unplaced += 1;
  }
  return summary;
}

/** True when applying the plan would change something (for `plan --detailed-exitcode`). */
export function hasChanges(plan: Plan): boolean {
  return plan.items.some((i) => i.action !== 'unchanged');
}

/** The specs with a schedule, which the plan leaves to the controller (diff.ts). */
function scheduledJobs(specs: readonly LoadedSpec[]): ScheduledJob[] {
  return specs
    .flatMap(({ spec }) =>
      spec.schedule === undefined
        ? []
        : [
            {
              name: spec.name,
              cron: spec.schedule.cron,
              timeZone: spec.schedule.timeZone,
              concurrencyPolicy: spec.schedule.concurrencyPolicy,
              instances: spec.instances,
            },
          ],
    )
    .sort((a, b) => cmp(a.name, b.name));
}

/**
 * The diff's items, less those `hold` leaves out: what makePlan places. Apply reads them
 * before it revives and waits for offers (a plan without offers would work out a fit
 * report per instance only to throw it away), and hands them to makePlan when nothing
 * they were computed from has changed since.
 */
export function planItems(input: Omit<PlanInput, 'offers'>): PlanItem[] {
  const diffOptions = {
    prune: input.prune,
    ...(input.pruneSelector ? { pruneSelector: input.pruneSelector } : {}),
    allowEmpty: input.allowEmpty ?? false,
    ...(input.previousSpecs ? { previousSpecs: input.previousSpecs } : {}),
    ...(input.previousSecrets ? { previousSecrets: input.previousSecrets } : {}),
    ...(input.replace ? { replace: new Set(input.replace) } : {}),
  };
  const hold = input.hold;
  const all = diffTasks(input.specs, input.observed, diffOptions);
  return hold === undefined || hold.size === 0
    ? all
    : all.filter((i) => !(i.action !== 'replace' && launches(i) && hold.has(instanceKey(i.name, i.instance, i.run))));
}

/** `items`: planItems(input), when the caller has them already (they are completed in place). */
export function makePlan(input: PlanInput, items: PlanItem[] = planItems(input)): Plan {
  const rollouts = planRollouts(items, input.specs);
  const rolloutByName = new Map(rollouts.map((r) => [r.name, r]));
  const kept = new Set(items.filter((i) => i.action === 'unchanged').map((i) => i.taskId));
  const running = input.observed.filter((t) => kept.has(t.taskId) && isActive(t.state));
  const now = items.filter((i) => placedNow(i, rolloutByName));
  const placed = placeTasks(pendingTasks(now, input.specs), input.offers, input.agents, running);
  const placements = new Map(placed.placed.map((p) => [p.taskId, p.placement]));
  const reports = new Map(placed.unplaced.map((u) => [u.taskId, u.report]));
  for (const item of items) {
    const placement = placements.get(item.taskId);
    const report = reports.get(item.taskId);
    if (placement !== undefined) item.placement = placement;
    if (report !== undefined) item.unplaced = report;
  }
  const byId = new Map(input.observed.map((t) => [t.taskId, t]));
  for (const item of items) {
    if (item.unplaced === undefined || item.batch === undefined || item.oldTaskId === undefined) continue;
    const held = portHeldByOld(item, byId.get(item.oldTaskId));
    if (held !== undefined) item.blockedBy = held;
  }
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    framework: input.framework,
    basis: {
      tasks: input.observed
        .map((t) => ({ taskId: t.taskId, state: t.state, specHash: t.specHash, managed: t.managed }))
        .sort((a, b) => cmp(a.taskId, b.taskId)),
      specs: input.specs.map((s) => ({ name: s.spec.name, hash: s.hash })),
      offerIds: input.offers.map((o) => o.id.value),
      agentIds: input.agents.flatMap((a) => (a.agent_info.id ? [a.agent_info.id.value] : [])),
    },
    items,
    accepts: placed.accepts,
    rollouts,
    scheduled: scheduledJobs(input.specs),
    summary: summarize(items),
  };
}
