/**
 * Rollouts: the `replace` items of each spec grouped into batches (types.ts's header says
 * what a batch means). Pure and linear in the number of items: one pass groups the
 * replace items by name (items come sorted by name, then instance), one pass numbers them.
 *
 * Only `replace` items are batched: they are the instances with a copy running now, whose
 * capacity a rollout protects. A `create` or `relaunch` has nothing running to protect.
 */
import type { ObservedTask } from '../model/observed.js';
import { batchSize, effectiveRollout, type LoadedSpec } from '../model/spec.js';
import type { PlanItem, PortHeld, RolloutPlan } from './types.js';

/** Sets `batch` on every replace item; returns the rollouts in item (name) order. */
export function planRollouts(items: readonly PlanItem[], specs: readonly LoadedSpec[]): RolloutPlan[] {
  const byName = new Map(specs.map((s) => [s.spec.name, s]));
  const out: RolloutPlan[] = [];
  let current: RolloutPlan | undefined;
  for (const item of items) {
    if (item.action !== 'replace') continue;
    const loaded = byName.get(item.name);
    if (loaded === undefined) continue;
    if (current?.name !== item.name) {
      const r = effectiveRollout(loaded.spec);
      current = {
        name: item.name,
        strategy: r.strategy,
        batchSize: batchSize(r, loaded.spec.instances),
        minHealthyTime: r.minHealthyTime,
        autoRevert: r.autoRevert,
        batches: [],
      };
      out.push(current);
    }
    const last = current.batches.at(-1);
    if (last !== undefined && last.length < current.batchSize) last.push(item.instance);
    else current.batches.push([item.instance]);
    item.batch = current.batches.length;
  }
  return out;
}

/** True for the items the plan places now: all but later batches and recreate replaces. */
export function placedNow(item: PlanItem, rollouts: ReadonlyMap<string, RolloutPlan>): boolean {
  if (item.batch === undefined) return true;
  return item.batch === 1 && rollouts.get(item.name)?.strategy === 'rolling';
}

/**
 * A rolling replace left unplaced for want of ports, whose spec fixes a host port that
 * the task it replaces holds: that task is in the way, and stays in the way until killed,
 * which a rolling replace does only after the new copy runs.
 */
export function portHeldByOld(item: PlanItem, old: ObservedTask | undefined): PortHeld | undefined {
  const report = item.unplaced;
  if (report === undefined || old === undefined) return undefined;
  if (!report.reasons.some((r) => r.reason === 'ports')) return undefined;
  const port = report.needs.fixedPorts.find((p) => old.ports.includes(p));
  if (port === undefined) return undefined;
  return { port, taskId: old.taskId, name: old.name, instance: old.instance };
}

/** The words plan and apply both say about a `blockedBy`. */
export function blockedMessage(held: PortHeld): string {
  return `port ${held.port} is held by ${held.name}/${held.instance}, the task this replaces: use rollout.strategy: recreate`;
}
