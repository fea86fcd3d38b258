/**
 * The controller's scheduled jobs (`spec.schedule`): for each, the time of the last run it
 * handled (`since`, see schedule.ts `dueRun`), and at a given moment which jobs start a run.
 * The decisions are schedule.ts's (run times, missed runs, concurrency); this keeps the
 * state between them and says what happened in the log.
 *
 * `since` starts at the newest run the master still lists (its first status), so a run
 * missed while no controller led is caught up once (bounded by `startingDeadline`); a job
 * that never ran starts from the moment the controller began to watch it.
 *
 * `allow` cannot start a run beside a previous one that still runs: an instance runs one
 * task at a time (never two live tasks for one instance), so such a run is skipped as under
 * `forbid`, and the log says why.
 */
import type { LoadedSpec, ScheduleSpec } from '../model/spec.js';
import type { Log } from './log.js';
import { concurrencyDecision, dueRun, nextRunAfter } from './schedule.js';

export interface RunsDue {
  /** Jobs whose run starts now: each instance launched afresh (under `replace`, once the earlier run's tasks are killed). */
  launch: string[];
}

export class ScheduledRuns {
  private jobs = new Map<string, ScheduleSpec>();
  private readonly since = new Map<string, number>();

  constructor(private readonly log: Log) {}

  setSpecs(specs: readonly LoadedSpec[], now: number): void {
    this.jobs = new Map(specs.flatMap((s) => (s.spec.schedule ? [[s.spec.name, s.spec.schedule] as const] : [])));
    for (const name of [...this.since.keys()]) if (!this.jobs.has(name)) this.since.delete(name);
    for (const [name, s] of this.jobs) {
      if (this.since.has(name)) continue;
      this.since.set(name, now);
      const next = nextRunAfter(s, now);
      this.log('schedule', {
        job: name,
        cron: s.cron,
        timeZone: s.timeZone,
        next: next === undefined ? 'never' : new Date(next).toISOString(),
      });
    }
  }

  /** The newest run the master lists started at `startedAt`: missed runs after it are caught up. */
  seed(name: string, startedAt: number): void {
    const s = this.since.get(name);
    if (s !== undefined && this.jobs.has(name)) this.since.set(name, Math.min(s, startedAt));
  }

  isScheduled(name: string): boolean {
    return this.jobs.has(name);
  }

  /** What starts at `now`; `active(name)` lists the job's tasks still running. */
  due(now: number, active: (name: string) => string[]): RunsDue {
    const out: RunsDue = { launch: [] };
    for (const [name, s] of this.jobs) {
      const d = dueRun(s, this.since.get(name) ?? now, now);
      if (d.kind === 'none') continue;
      this.since.set(name, d.at);
      const at = new Date(d.at).toISOString();
      const missed = d.skipped > 0 ? { missed: d.skipped } : {};
      if (d.kind === 'too-late') {
        this.log('schedule-too-late', { job: name, at, startingDeadline: `${s.startingDeadline}s`, ...missed });
        continue;
      }
      const running = active(name);
      const policy = s.concurrencyPolicy === 'allow' && running.length > 0 ? 'forbid' : s.concurrencyPolicy;
      const decision = concurrencyDecision(policy, running);
      if (decision.action === 'skip') {
        const why =
          s.concurrencyPolicy === 'allow'
            ? `${decision.reason.replace(/concurrencyPolicy forbid$/, '')}an instance runs one task at a time`
            : decision.reason;
        this.log('schedule-skipped', { job: name, at, message: why, ...missed });
        continue;
      }
      this.log('schedule-run', {
        job: name,
        at,
        ...missed,
        ...(decision.action === 'replace' ? { replacing: decision.kill } : {}),
      });
      out.launch.push(name);
    }
    return out;
  }

  /** The earliest run time after `now` of any job. */
  nextAt(now: number): number | undefined {
    let next: number | undefined;
    for (const s of this.jobs.values()) {
      const t = nextRunAfter(s, now);
      if (t !== undefined) next = Math.min(next ?? t, t);
    }
    return next;
  }
}
