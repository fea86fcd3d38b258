/**
 * When a scheduled job (`spec.schedule`) runs: pure functions of the schedule and times
 * passed in (ms since the epoch), over croner (src/manifest/cron.ts configures it). The
 * semantics are Kubernetes CronJob's, as the README's "Scheduled jobs" documents them:
 *
 *   nextRunAfter(s, t)          the first run time strictly after t (undefined: none ever)
 *   dueRun(s, since, now)       what to do at `now`, `since` being the time of the last run
 *                               the controller handled (started, skipped or refused), or
 *                               when it began to watch the job. Of the run times in
 *                               (since, now] only the latest counts: it is `run` when no
 *                               older than `startingDeadline`, else `too-late`; the earlier
 *                               ones are `skipped` (a count, at most MAX_MISSED_COUNTED),
 *                               never run in a burst. `none` when no run time passed.
 *                               Every answer has `next`, the run time after `now`, to sleep
 *                               until. The caller stores `at` as its new `since`, whatever
 *                               it did with the run, so each run time is handled once.
 *   concurrencyDecision(p, ids) given the task ids of the job's earlier runs still active:
 *                               `launch`, `skip` (forbid) or `replace` (kill those first)
 *
 * A controller that has no record of a job's last run passes the time it started watching
 * as `since`: what happened before is not caught up.
 */
import type { Cron } from 'croner';
import { parseCron } from '../manifest/cron.js';
import type { ConcurrencyPolicy, ScheduleSpec } from '../model/spec.js';

/** Missed run times are counted up to this many (Kubernetes CronJob stops at 100 too). */
export const MAX_MISSED_COUNTED = 100;

export type Due =
  | { kind: 'none'; next?: number }
  /** Start the run for run time `at`; `skipped` earlier missed run times are not run. */
  | { kind: 'run'; at: number; skipped: number; next?: number }
  /** The latest missed run time `at` is older than `startingDeadline`: not run either. */
  | { kind: 'too-late'; at: number; skipped: number; next?: number };

export type ConcurrencyDecision =
  | { action: 'launch' }
  | { action: 'skip'; reason: string }
  | { action: 'replace'; kill: string[] };

// One parsed Cron per schedule: croner parses on construction, and a controller asks often.
const parsed = new WeakMap<ScheduleSpec, Cron>();

function cronOf(s: ScheduleSpec): Cron {
  let c = parsed.get(s);
  if (c === undefined) {
    c = parseCron(s.cron, s.timeZone);
    parsed.set(s, c);
  }
  return c;
}

export function nextRunAfter(s: ScheduleSpec, after: number): number | undefined {
  return cronOf(s).nextRun(new Date(after))?.getTime();
}

function withNext(s: ScheduleSpec, now: number): { next?: number } {
  const next = nextRunAfter(s, now);
  return next === undefined ? {} : { next };
}

export function dueRun(s: ScheduleSpec, since: number, now: number): Due {
  const cron = cronOf(s);
  // croner's previousRuns is strict (before the reference) and to the second: +1 ms makes
  // a run time exactly at `now` count.
  const latest = cron.previousRuns(1, new Date(now + 1))[0]?.getTime();
  if (latest === undefined || latest <= since) return { kind: 'none', ...withNext(s, now) };
  let skipped = 0;
  for (let t = nextRunAfter(s, since); t !== undefined && t < latest && skipped < MAX_MISSED_COUNTED; ) {
    skipped++;
    t = nextRunAfter(s, t);
  }
  const late = s.startingDeadline !== undefined && now - latest > s.startingDeadline * 1000;
  return { kind: late ? 'too-late' : 'run', at: latest, skipped, ...withNext(s, now) };
}

export function concurrencyDecision(policy: ConcurrencyPolicy, active: readonly string[]): ConcurrencyDecision {
  if (active.length === 0 || policy === 'allow') return { action: 'launch' };
  if (policy === 'replace') return { action: 'replace', kill: [...active] };
  return {
    action: 'skip',
    reason: `the previous run still runs (${active.length === 1 ? active[0] : `${active.length} tasks`}); concurrencyPolicy forbid`,
  };
}
