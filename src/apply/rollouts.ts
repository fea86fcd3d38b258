/**
 * The rollouts of one apply run: which batch of each spec's replaces may start, and when
 * the next one may. Synchronous bookkeeping over the tracker's launches and kills (the
 * engine acts on the steps it returns). Invariants:
 *  - a launch of a batch not yet open is `held: 'batch'` and never placed;
 *  - under `recreate`, an open batch's launch is `held: 'old-copy'` until the KILL of the
 *    task it replaces has ended (so a fixed port or the capacity is free again);
 *  - batch k+1 opens only when every launch of batch k succeeded (which includes its
 *    minimum healthy time) and the old copy of each has ended;
 *  - the first failed launch of a batch stops the rollout: later batches never start.
 * The engine asks `advance` once per tick, not per update: it walks the open batch, and a
 * batch may hold every instance (maxParallel: 100%).
 */
import type { ObservedTask } from '../model/observed.js';
import { nextTaskId } from '../plan/diff.js';
import type { Plan, PlanItem, RolloutPlan } from '../plan/types.js';
import type { Kill, Launch } from './records.js';
import type { Tracker } from './tracker.js';

export type RolloutStep =
  /** Batch `batch` (1-based) of `of` starts: launch these (recreate: kill their old copies first). */
  | { kind: 'open'; rollout: RolloutPlan; batch: number; of: number; launches: Launch[] }
  /** A recreate launch whose old copy has ended: place it now. */
  | { kind: 'release'; launch: Launch }
  /** Batch `batch` failed: `failed` ended badly, `done` had succeeded, `skipped` will never start. */
  | {
      kind: 'failed';
      rollout: RolloutPlan;
      batch: number;
      of: number;
      failed: Launch[];
      done: Launch[];
      skipped: Launch[];
    };

interface State {
  plan: RolloutPlan;
  /** Launches per batch (index 0 = batch 1). */
  batches: Launch[][];
  /** 1-based; 0 before the first opens. */
  open: number;
  over: boolean;
}

export class Rollouts {
  private readonly states: State[] = [];

  /** Holds every launch of a batch; call `start` to open each rollout's first batch. */
  constructor(
    plan: Plan,
    private readonly tracker: Tracker,
  ) {
    const byName = new Map<string, State>();
    for (const r of plan.rollouts) {
      const s: State = { plan: r, batches: r.batches.map(() => []), open: 0, over: false };
      byName.set(r.name, s);
      this.states.push(s);
    }
    for (const launch of tracker.launches.values()) {
      const b = launch.item.batch;
      const s = byName.get(launch.item.name);
      if (b === undefined || s === undefined) continue;
      s.batches[b - 1]?.push(launch);
      tracker.hold(launch, 'batch');
    }
  }

  /** The first batch of every rollout. */
  start(): RolloutStep[] {
    return this.states.map((s) => this.openNext(s));
  }

  /** What may happen now that launches and kills moved on; call after each change. */
  advance(kills: ReadonlyMap<string, Kill>): RolloutStep[] {
    const steps: RolloutStep[] = [];
    for (const s of this.states) {
      if (s.over || s.open === 0) continue;
      const batch = s.batches[s.open - 1] ?? [];
      const failed = batch.filter((l) => l.settled && !l.ok);
      if (failed.length > 0) {
        s.over = true;
        // Launches of this batch still held never start; those already launched finish.
        const notYet = batch.filter((l) => !l.settled && l.held !== undefined);
        steps.push({
          kind: 'failed',
          rollout: s.plan,
          batch: s.open,
          of: s.batches.length,
          failed,
          done: batch.filter((l) => l.settled && l.ok),
          skipped: [...notYet, ...s.batches.slice(s.open).flat()],
        });
        continue;
      }
      for (const l of batch) {
        if (l.held !== 'old-copy') continue;
        const k = l.item.oldTaskId === undefined ? undefined : kills.get(l.item.oldTaskId);
        if (k === undefined || k.settled) steps.push({ kind: 'release', launch: l });
      }
      const oldGone = (l: Launch) => {
        const k = l.item.oldTaskId === undefined ? undefined : kills.get(l.item.oldTaskId);
        return k === undefined ? l.ok : k.settled;
      };
      if (batch.every((l) => l.settled && l.ok && oldGone(l))) {
        if (s.open === s.batches.length) s.over = true;
        else steps.push(this.openNext(s));
      }
    }
    return steps;
  }

  private openNext(s: State): RolloutStep {
    s.open += 1;
    const launches = s.batches[s.open - 1] ?? [];
    for (const l of launches) this.tracker.hold(l, s.plan.strategy === 'recreate' ? 'old-copy' : undefined);
    return { kind: 'open', rollout: s.plan, batch: s.open, of: s.batches.length, launches };
  }
}

/**
 * The observed tasks by `name/instance`, built once for a whole failed batch.
 */
export function byInstance(observed: readonly ObservedTask[]): Map<string, ObservedTask[]> {
  const out = new Map<string, ObservedTask[]>();
  for (const t of observed) {
    const key = `${t.name}/${t.instance}`;
    const list = out.get(key);
    if (list === undefined) out.set(key, [t]);
    else list.push(t);
  }
  return out;
}

/**
 * autoRevert for one launch of a failed batch (`seen`: the tasks of its instance): the item that launches the previous spec
 * again on its instance, or undefined when there is nothing to bring back (the old copy
 * was never killed: under `rolling` it is killed only once its successor has succeeded).
 */
export function revertItem(
  launch: Launch,
  killed: ReadonlyMap<string, Kill>,
  seen: readonly ObservedTask[],
): PlanItem | undefined {
  const { name, instance, oldTaskId, oldSpecHash } = launch.item;
  if (oldTaskId === undefined || oldSpecHash === undefined || !killed.has(oldTaskId)) return undefined;
  return {
    action: 'relaunch',
    name,
    instance,
    taskId: nextTaskId(name, instance, oldSpecHash, seen),
    specHash: oldSpecHash,
    oldTaskId: launch.item.taskId,
    oldSpecHash: launch.loaded.hash,
  };
}
