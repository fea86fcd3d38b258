/**
 * An instance's restart state rebuilt from what the master keeps, so that it outlives the
 * controller that counted it: a new leader after a takeover (instances.ts `rebuild`) and
 * `get` in another process read it from the framework's task list (GET_TASKS: the active
 * tasks, and the completed ones while the master keeps them), never from a local file.
 *
 * From the instance's newest task of the spec in question (launch order: first status):
 *  - its labels give the restarts and the failures in a row at its launch (restart-labels.ts);
 *  - active: those counts stand, and it has been running since its first TASK_RUNNING;
 *  - ended: counted as the controller counts an end it sees live: a job that finished is
 *    done; anything else is one more failure (the count starting over if it had run for
 *    `resetAfter`), and the next attempt is at its end plus the backoff for that count, or
 *    never for a job past `maxRetries`. While another copy of the instance is active (a
 *    rollout stopped half-way), nothing is counted, as instances.ts does.
 *
 * Clock skew: status times come from the agents' (for some, the master's) clocks, not ours.
 * A time ahead of ours is taken as now, so a fast agent clock never makes a new leader wait
 * longer than the backoff itself; an agent clock behind ours shortens the first wait after
 * a takeover by that much (at worst the relaunch is immediate, as it was before the counts
 * were carried over). Keep the clocks NTP-synced; the error is bounded by their offset.
 *
 * Absence: the master forgets completed tasks (bounded lists, and all of them when it fails
 * over), so an instance may have no task of its spec left: it starts from zero, as a new
 * instance (`unknown`, which the controller logs).
 */
import type { TaskState } from '../mesos/types.js';
import { attemptOf, instanceKey } from '../model/ids.js';
import type { ObservedTask } from '../model/observed.js';
import { NO_RESTARTS, type RestartCounts, restartCountsOf } from '../model/restart-labels.js';
import { isActive, isTerminal } from '../model/states.js';
import { afterFailure, type BackoffPolicy } from './backoff.js';

/** One task of an instance, as far as its restart state goes. */
export interface TaskRecord {
  taskId: string;
  /** `name/instance`, or `name/instance@run` for a scheduled run's (model/ids.ts `instanceKey`). */
  key: string;
  specHash: string;
  state: TaskState;
  counts: RestartCounts;
  /** Its attempt (model/ids.ts): which of two launched at once came later. */
  attempt: number;
  /** ms: its first status (launch order). */
  firstAt: number;
  /** ms: its first TASK_RUNNING. */
  runningAt?: number;
  /** ms: its terminal status. */
  endedAt?: number;
}

/** What an instance's state is, as the master's task list tells it. */
export interface Carried extends RestartCounts {
  /** Its active tasks, of any spec. */
  live: string[];
  /** ms: its current task has been running since. */
  runningSince?: number;
  /** ms: not before then is it launched again. */
  nextAt?: number;
  done?: 'finished' | 'gave-up';
  /** The ended task counted here: a later update of it counts no more. */
  lastEnded?: string;
  /** No task of this spec is known: new, or forgotten by the master. */
  unknown?: true;
}

/** A managed task as a record; undefined for a task no manifest launched. */
export function taskRecord(t: ObservedTask): TaskRecord | undefined {
  if (!t.managed) return undefined;
  const statuses = t.statuses ?? [];
  const ms = (s: { timestamp?: number } | undefined) => (s?.timestamp === undefined ? undefined : s.timestamp * 1000);
  const r: TaskRecord = {
    taskId: t.taskId,
    key: instanceKey(t.name, t.instance, t.run),
    specHash: t.specHash,
    state: t.state,
    counts: restartCountsOf(t.labels),
    attempt: attemptOf(t.taskId, t.name, t.instance, t.specHash, t.run) ?? 0,
    firstAt: Math.min(...statuses.map((s) => ms(s) ?? Number.POSITIVE_INFINITY)),
  };
  const runningAt = ms(statuses.find((s) => s.state === 'TASK_RUNNING'));
  if (runningAt !== undefined) r.runningAt = runningAt;
  const endedAt = isTerminal(t.state) ? ms(statuses.find((s) => isTerminal(s.state))) : undefined;
  if (endedAt !== undefined) r.endedAt = endedAt;
  return r;
}

/** Records by instance key (`name/instance`, per run for a scheduled job). */
export function recordsByInstance(tasks: Iterable<ObservedTask>): Map<string, TaskRecord[]> {
  const out = new Map<string, TaskRecord[]>();
  for (const t of tasks) {
    const r = taskRecord(t);
    if (r !== undefined) out.set(r.key, [...(out.get(r.key) ?? []), r]);
  }
  return out;
}

/** The state of one instance of spec `hash` (goal and policy its spec's), at `now`, from its tasks. */
export function carriedOver(
  tasks: readonly TaskRecord[],
  hash: string,
  spec: { goal: 'running' | 'finished'; policy: BackoffPolicy },
  now: number,
): Carried {
  const live = tasks.filter((t) => isActive(t.state)).map((t) => t.taskId);
  const latest = newest(tasks.filter((t) => t.specHash === hash));
  if (latest === undefined) return { ...NO_RESTARTS, live, unknown: true };
  const out: Carried = { ...latest.counts, live };
  // Agent clocks ahead of ours are taken as now (see the header).
  const runningAt = latest.runningAt === undefined ? undefined : Math.min(latest.runningAt, now);
  if (isActive(latest.state)) {
    if (runningAt !== undefined) out.runningSince = runningAt;
    return out;
  }
  out.lastEnded = latest.taskId;
  if (live.length > 0) return out;
  if (spec.goal === 'finished' && latest.state === 'TASK_FINISHED') return { ...out, done: 'finished' };
  const endedAt = Math.min(latest.endedAt ?? now, now);
  const ranFor = runningAt === undefined ? 0 : endedAt - runningAt;
  const next = afterFailure(spec.policy, ranFor >= spec.policy.resetAfterMs ? 0 : out.failures, endedAt);
  out.failures = next.failures;
  if ('gaveUp' in next) out.done = 'gave-up';
  else out.nextAt = next.nextAt;
  return out;
}

/** The last launched: by first status (none yet: the newest), then by attempt (ids.ts). */
function newest(tasks: readonly TaskRecord[]): TaskRecord | undefined {
  let best: TaskRecord | undefined;
  for (const t of tasks)
    if (best === undefined || t.firstAt > best.firstAt || (t.firstAt === best.firstAt && t.attempt > best.attempt))
      best = t;
  return best;
}
