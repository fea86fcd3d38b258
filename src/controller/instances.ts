/**
 * What the controller knows of each desired task instance between apply rounds: which of
 * its tasks are live (from every status update the session delivers, reconciliation
 * answers included), how often it failed, and when it may be launched again. Pure and
 * synchronous; the clock is passed in, so unit tests drive it with a fake one.
 *
 * Decisions:
 *  - An instance is down when the update of its last live task is terminal. A service
 *    (goal running) that goes down for any reason (failed, killed out of band, lost, gone)
 *    is launched again once its backoff has passed; a job (goal finished) that finished is
 *    never launched again, one that failed is retried at most `maxRetries` times.
 *  - Only the planner launches, and it launches only instances without an active task, so
 *    this never makes two live tasks for one instance: it only says which instances must
 *    still wait (`held`), and when the next one is due (`nextDue`).
 *  - An instance's failures start over when it had been running for `resetAfter`, or when
 *    its spec changes (a new spec deserves a fresh start).
 *  - Nothing here lives only in this process: each launch carries the instance's counts in
 *    its labels (`countsOf`), and a leader starting to lead rebuilds every instance from the
 *    master's task list (`rebuild`, carried.ts), so a takeover continues the backoff.
 *  - A scheduled job's instances are kept per run (`job/0@<run>`, model/ids.ts): each run's
 *    retries are its own, and runs of one job may be live at once (`allow`). A run that
 *    supersedes the earlier ones (`forbid`, `replace`) ends their retries: their tasks'
 *    ends count for nothing. Runs this controller does not know of (older than it, or
 *    forgotten once over) are never retried on a late terminal update.
 */
import type { TaskState } from '../mesos/types.js';
import { instanceKey, parseInstanceKey, RUN_KEY_PATTERN } from '../model/ids.js';
import type { LoadedSpec } from '../model/spec.js';
import { isActive, isTerminal } from '../model/states.js';
import { NO_RESTARTS, type RestartCounts } from '../model/restart-labels.js';
import { afterFailure, type BackoffPolicy } from './backoff.js';
import { carriedOver, type TaskRecord } from './carried.js';

export interface InstanceState {
  key: string;
  /** Task ids of this instance not yet terminal. */
  live: Set<string>;
  /** Failures in a row (the backoff's exponent). */
  failures: number;
  /**
   * Launches after a failure, of this spec (shown by get and /status). Carried across
   * leaders: each launch's labels hold it (model/restart-labels.ts, carried.ts).
   */
  restarts: number;
  /** ms: not before this may the instance be launched again. */
  nextAt?: number;
  /** ms: when its current task was last seen TASK_RUNNING. */
  runningSince?: number;
  /** A job that finished, or ran out of retries: never launched again (for this spec). */
  done?: 'finished' | 'gave-up';
  /** The spec hash these counts belong to. */
  hash: string;
  lastState?: TaskState;
  /** The task whose end was counted last. */
  lastEnded?: string;
}

export type Verdict =
  | { kind: 'none' }
  | { kind: 'down'; key: string; retryAt: number; failures: number; delayMs: number }
  | { kind: 'finished'; key: string }
  | { kind: 'gave-up'; key: string; failures: number };

const TASK_ID = new RegExp(
  `^([a-z0-9][-a-z0-9]*)\\.(0|[1-9][0-9]*)\\.[^.]+(?:\\.(${RUN_KEY_PATTERN}))?(\\.[1-9][0-9]*)?$`,
);

/**
 * `name.instance.hash[.run][.attempt]` → its instance key, `name/instance[@run]` (names
 * are DNS labels: no dots).
 */
export function instanceOfTaskId(taskId: string): string | undefined {
  const m = TASK_ID.exec(taskId);
  return m ? instanceKey(m[1] as string, Number(m[2]), m[3]) : undefined;
}

export class Instances {
  private readonly byKey = new Map<string, InstanceState>();
  private specs = new Map<string, { loaded: LoadedSpec; policy: BackoffPolicy }>();
  /** Task id → when it was first reported TASK_UNREACHABLE (its agent partitioned). */
  private readonly unreachableSince = new Map<string, number>();
  /**
   * Tasks unreachable for longer than --unreachable-timeout: rounds plan as if they were
   * lost, so their instance is placed afresh. One that comes back is an ordinary active
   * task again, and the plan keeps one copy of the instance (the other is `superseded`).
   */
  readonly gone = new Set<string>();
  /** Tasks a round replaces (their successor is launched, or waits for their end): no failure. */
  private readonly replaced = new Set<string>();
  /** Per scheduled job, the run that superseded the earlier ones: runs before it are not desired. */
  private readonly firstRun = new Map<string, string>();

  constructor(private readonly policyOf: (loaded: LoadedSpec) => BackoffPolicy) {}

  /** The desired set changed: instances of changed specs start over, removed ones are forgotten. */
  setSpecs(specs: readonly LoadedSpec[]): void {
    this.specs = new Map(specs.map((s) => [s.spec.name, { loaded: s, policy: this.policyOf(s) }]));
    for (const name of [...this.firstRun.keys()]) if (!this.specs.has(name)) this.firstRun.delete(name);
    for (const [key, st] of this.byKey) {
      const d = this.desired(key);
      if (d === undefined) {
        if (st.live.size === 0) this.byKey.delete(key);
      } else if (d.loaded.hash !== st.hash) {
        this.byKey.set(key, { ...fresh(key, d.loaded.hash), live: st.live });
      }
    }
  }

  /**
   * Leading anew (a takeover, or this controller's turn again): every desired instance as
   * the master's task list tells it (carried.ts), not as this process last saw it. Returns
   * the instances of which no task of their spec is known: they start from zero.
   */
  rebuild(records: ReadonlyMap<string, readonly TaskRecord[]>, now: number): string[] {
    this.byKey.clear();
    this.unreachableSince.clear();
    this.gone.clear();
    this.replaced.clear();
    this.firstRun.clear();
    const unknown: string[] = [];
    for (const [name, d] of this.specs) {
      const spec = { goal: d.loaded.spec.goal, policy: d.policy };
      const scheduled = d.loaded.spec.schedule !== undefined;
      const keys = scheduled
        ? this.runKeys(name, d, records)
        : Array.from({ length: d.loaded.spec.instances }, (_, i) => instanceKey(name, i));
      for (const key of keys) {
        const { live, unknown: none, ...rest } = carriedOver(records.get(key) ?? [], d.loaded.hash, spec, now);
        // A run's instance with no task of the current spec is not retried; any other starts from zero.
        if (none && scheduled) continue;
        if (none) unknown.push(key);
        this.byKey.set(key, { key, hash: d.loaded.hash, ...rest, live: new Set(live) });
      }
    }
    return unknown;
  }

  /**
   * A scheduled job's instances to rebuild, of the runs the master lists: under `allow`
   * every run found goes on (a failed instance retried within its run); under `forbid` and
   * `replace` only the newest, which superseded the others (recorded in `firstRun`).
   */
  private runKeys(
    name: string,
    d: { loaded: LoadedSpec; policy: BackoffPolicy },
    records: ReadonlyMap<string, readonly TaskRecord[]>,
  ): string[] {
    const keys = [...records.keys()].flatMap((key) => {
      const k = parseInstanceKey(key);
      return k?.name === name && k.run !== undefined && k.instance < d.loaded.spec.instances
        ? [{ key, run: k.run }]
        : [];
    });
    const newest = keys.reduce<string | undefined>((m, k) => (m === undefined || k.run > m ? k.run : m), undefined);
    if (newest === undefined) return [];
    if (d.loaded.spec.schedule?.concurrencyPolicy !== 'allow') this.firstRun.set(name, newest);
    return keys.flatMap(({ key }) => (this.desired(key) === undefined ? [] : [key]));
  }

  /** What a launch of `key` carries in its labels now (model/restart-labels.ts). */
  countsOf(key: string): RestartCounts {
    const st = this.byKey.get(key);
    return st === undefined ? NO_RESTARTS : { restarts: st.restarts, failures: st.failures };
  }

  get(key: string): InstanceState | undefined {
    return this.byKey.get(key);
  }

  all(): IterableIterator<InstanceState> {
    return this.byKey.values();
  }

  /** A status update (or reconciliation answer) for `taskId`, at `now`. */
  onStatus(taskId: string, state: TaskState, now: number): Verdict {
    const key = instanceOfTaskId(taskId);
    if (key === undefined) return { kind: 'none' };
    const d = this.desired(key);
    let st = this.byKey.get(key);
    if (st === undefined) {
      // The end of a task of no run this controller follows: nothing to retry.
      if ((d === undefined || parseInstanceKey(key)?.run !== undefined) && isTerminal(state)) return { kind: 'none' };
      st = fresh(key, d?.loaded.hash ?? '');
      this.byKey.set(key, st);
    }
    st.lastState = state;
    if (state === 'TASK_UNREACHABLE') {
      if (!this.unreachableSince.has(taskId)) this.unreachableSince.set(taskId, now);
    } else {
      this.unreachableSince.delete(taskId);
      this.gone.delete(taskId);
    }
    if (!isTerminal(state)) {
      st.live.add(taskId);
      if (state === 'TASK_RUNNING' && st.runningSince === undefined) st.runningSince = now;
      return { kind: 'none' };
    }
    st.live.delete(taskId);
    return this.ended(st, taskId, state, now);
  }

  /** `taskId` of `st` ended in `state`: is the instance down, done or given up? */
  private ended(st: InstanceState, taskId: string, state: TaskState, now: number): Verdict {
    const key = st.key;
    const d = this.desired(key);
    const replaced = this.replaced.delete(taskId);
    // A repeated terminal update (an agent's retry, a reconciliation answer) counts once.
    if (d === undefined || st.live.size > 0 || st.lastEnded === taskId || replaced) return { kind: 'none' };
    st.lastEnded = taskId;
    const ranFor = st.runningSince === undefined ? 0 : now - st.runningSince;
    delete st.runningSince;
    if (d.loaded.spec.goal === 'finished' && state === 'TASK_FINISHED') {
      st.done = 'finished';
      return { kind: 'finished', key };
    }
    if (ranFor >= d.policy.resetAfterMs) st.failures = 0;
    return this.failed(st, d.policy, now);
  }

  /** One more failure of `st`: its next attempt after the backoff, or given up (jobs). */
  private failed(st: InstanceState, policy: BackoffPolicy, now: number): Verdict {
    const key = st.key;
    const next = afterFailure(policy, st.failures, now);
    st.failures = next.failures;
    if ('gaveUp' in next) {
      st.done = 'gave-up';
      return { kind: 'gave-up', key, failures: st.failures };
    }
    st.nextAt = next.nextAt;
    return { kind: 'down', key, retryAt: st.nextAt, failures: st.failures, delayMs: next.delayMs };
  }

  /**
   * After a round: desired instances that still have no live task and nothing planned for
   * them (the launch could not be placed in time, the round failed): each counts as a
   * failure, so it is tried again after its backoff instead of waiting for the next resync.
   * Scheduled jobs wait for their next run, finished jobs are done.
   */
  stranded(now: number, scheduled: (name: string) => boolean): Verdict[] {
    const out: Verdict[] = [];
    for (const [name, d] of this.specs) {
      if (scheduled(name)) continue;
      for (let i = 0; i < d.loaded.spec.instances; i++) {
        const key = instanceKey(name, i);
        let st = this.byKey.get(key);
        if (st === undefined) {
          st = fresh(key, d.loaded.hash);
          this.byKey.set(key, st);
        }
        if (st.live.size > 0 || st.done !== undefined || st.nextAt !== undefined) continue;
        out.push(this.failed(st, d.policy, now));
      }
    }
    return out;
  }

  /** Live task ids of every instance of `name`. */
  liveOf(name: string): string[] {
    const out: string[] = [];
    for (const st of this.byKey.values()) if (st.key.startsWith(`${name}/`)) out.push(...st.live);
    return out;
  }

  /**
   * A scheduled job starts run `run` (its instances start afresh, under their own keys).
   * `supersedes` (forbid, replace): earlier runs are over, retries pending included. Else
   * (allow) earlier runs go on; those over are forgotten, so a job keeps the states of its
   * runs in progress only.
   */
  newRun(name: string, run: string, supersedes: boolean): void {
    if (supersedes) this.firstRun.set(name, run);
    for (const [key, st] of this.byKey) {
      const k = parseInstanceKey(key);
      if (k?.name !== name || k.run === undefined || k.run === run || st.live.size > 0) continue;
      if (supersedes || st.done !== undefined) this.byKey.delete(key);
    }
  }

  /** When `taskId` was first reported TASK_UNREACHABLE, while it is so and not yet given up. */
  unreachableSinceOf(taskId: string): number | undefined {
    return this.unreachableSince.get(taskId);
  }

  /** Tasks reported unreachable for `timeoutMs` or longer at `now`, not yet given up. */
  overdue(now: number, timeoutMs: number): string[] {
    const out: string[] = [];
    for (const [id, since] of this.unreachableSince) if (now - since >= timeoutMs) out.push(id);
    return out;
  }

  /** An unreachable task is given up for lost: its instance goes down (and backs off) as for TASK_LOST. */
  giveUp(taskId: string, now: number): Verdict {
    this.unreachableSince.delete(taskId);
    const key = instanceOfTaskId(taskId);
    const st = key === undefined ? undefined : this.byKey.get(key);
    if (st === undefined || !st.live.has(taskId)) return { kind: 'none' };
    this.gone.add(taskId);
    st.live.delete(taskId);
    return this.ended(st, taskId, 'TASK_LOST', now);
  }

  /** A round replaces `taskId`: its end is the rollout's doing, not a failure. */
  replacing(taskId: string): void {
    this.replaced.add(taskId);
  }

  /** A task a round found as the master lists it: an active one is live, a finished job is done. */
  adopt(taskId: string, state: TaskState): void {
    const key = instanceOfTaskId(taskId);
    const d = key === undefined ? undefined : this.desired(key);
    if (key === undefined || d === undefined) return;
    if (isActive(state)) this.launched(taskId);
    else if (state === 'TASK_FINISHED' && d.loaded.spec.goal === 'finished') {
      const st = this.byKey.get(key) ?? fresh(key, d.loaded.hash);
      this.byKey.set(key, st);
      st.done = 'finished';
    }
  }

  /** A round launched `taskId`: live before its first update comes. */
  launched(taskId: string): void {
    const key = instanceOfTaskId(taskId);
    const d = key === undefined ? undefined : this.desired(key);
    if (key === undefined || d === undefined) return;
    let st = this.byKey.get(key);
    if (st === undefined) {
      st = fresh(key, d.loaded.hash);
      this.byKey.set(key, st);
    }
    st.live.add(taskId);
  }

  /** A round is about to launch `key` again after a failure. */
  relaunching(key: string): void {
    const st = this.byKey.get(key);
    if (st?.nextAt !== undefined) {
      st.restarts += 1;
      delete st.nextAt;
    }
  }

  /** Instances whose launch must wait at `now`: in backoff, or a job that is done for good. */
  held(now: number): Set<string> {
    const out = new Set<string>();
    for (const st of this.byKey.values()) {
      if (st.done === 'gave-up' || (st.nextAt !== undefined && st.nextAt > now)) out.add(st.key);
    }
    return out;
  }

  /** Keys whose backoff has passed and that wait for a round to launch them. */
  due(now: number): string[] {
    const out: string[] = [];
    for (const st of this.byKey.values())
      if (st.nextAt !== undefined && st.nextAt <= now && st.live.size === 0 && st.done === undefined) out.push(st.key);
    return out;
  }

  /** The earliest retry still ahead, if any. */
  nextDue(now: number): number | undefined {
    let next: number | undefined;
    for (const st of this.byKey.values())
      if (st.nextAt !== undefined && st.nextAt > now && st.done === undefined)
        next = Math.min(next ?? st.nextAt, st.nextAt);
    return next;
  }

  /**
   * The spec an instance key belongs to while it is desired: its instance is below the
   * count, and a scheduled job's instances are those of its runs (not superseded), an
   * ordinary spec's those without one.
   */
  private desired(key: string): { loaded: LoadedSpec; policy: BackoffPolicy } | undefined {
    const k = parseInstanceKey(key);
    const d = k === undefined ? undefined : this.specs.get(k.name);
    if (k === undefined || d === undefined || k.instance >= d.loaded.spec.instances) return undefined;
    if ((d.loaded.spec.schedule !== undefined) !== (k.run !== undefined)) return undefined;
    const first = this.firstRun.get(k.name);
    return k.run !== undefined && first !== undefined && k.run < first ? undefined : d;
  }
}

function fresh(key: string, hash: string): InstanceState {
  return { key, live: new Set(), failures: 0, restarts: 0, hash };
}
