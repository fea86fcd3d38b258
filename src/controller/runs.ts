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
 * Each run is named by its run key (its scheduled time, model/ids.ts `runKeyOf`), which its
 * task ids and labels carry: under `allow` a run starts beside earlier runs still running,
 * each instance of each run one task of its own.
 */
import { runKeyOf } from '../model/ids.js';
import type { ConcurrencyPolicy, LoadedSpec, ScheduleSpec } from '../model/spec.js';
import type { Log } from './log.js';
import { concurrencyDecision, dueRun, nextRunAfter } from './schedule.js';

/** A run that starts now: every instance of the job launched afresh under the run's key. */
export interface RunStart {
  name: string;
  run: string;
  policy: ConcurrencyPolicy;
  /** `replace`: the earlier runs' tasks, killed before the run launches. */
  replacing: string[];
}

export interface RunsDue {
  launch: RunStart[];
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

  /** What starts at `now`; `active(name)` lists the job's tasks still running (of every run). */
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
      const decision = concurrencyDecision(s.concurrencyPolicy, running);
      if (decision.action === 'skip') {
        this.log('schedule-skipped', { job: name, at, message: decision.reason, ...missed });
        continue;
      }
      const run = runKeyOf(d.at);
      const replacing = decision.action === 'replace' ? decision.kill : [];
      this.log('schedule-run', {
        job: name,
        at,
        run,
        ...missed,
        ...(replacing.length > 0 ? { replacing } : {}),
        ...(decision.action === 'launch' && running.length > 0 ? { alongside: running } : {}),
      });
      out.launch.push({ name, run, policy: s.concurrencyPolicy, replacing });
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
