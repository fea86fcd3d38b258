import { describe, expect, it } from 'vitest';
import { concurrencyDecision, dueRun, MAX_MISSED_COUNTED, nextRunAfter } from '../../../src/controller/schedule.js';
import type { ScheduleSpec } from '../../../src/model/spec.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const sched = (cron: string, over: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  cron,
  timeZone: 'UTC',
  concurrencyPolicy: 'forbid',
  ...over,
});

describe('next run times', () => {
  it('reads the expression in its time zone', () => {
    const s = sched('30 2 * * *', { timeZone: 'America/New_York' });
    // 02:30 in New York in July is 06:30 UTC (EDT, UTC-4); in January 07:30 UTC (EST).
    expect(iso(nextRunAfter(s, at('2026-07-01T00:00:00Z')))).toBe('2026-07-01T06:30:00.000Z');
    expect(iso(nextRunAfter(s, at('2026-01-15T00:00:00Z')))).toBe('2026-01-15T07:30:00.000Z');
    expect(iso(nextRunAfter(sched('30 2 * * *'), at('2026-01-15T00:00:00Z')))).toBe('2026-01-15T02:30:00.000Z');
  });

  it('is strictly after the given time; a seconds field is honoured', () => {
    const s = sched('*/10 * * * * *');
    expect(iso(nextRunAfter(s, at('2026-01-01T00:00:10Z')))).toBe('2026-01-01T00:00:20.000Z');
    expect(iso(nextRunAfter(s, at('2026-01-01T00:00:09.500Z')))).toBe('2026-01-01T00:00:10.000Z');
  });

  it('across daylight saving in Berlin: a fixed time in the gap runs after it, a repeated one once', () => {
    const s = sched('30 2 * * *', { timeZone: 'Europe/Berlin' });
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist → 03:00 CEST = 01:00Z.
    expect(iso(nextRunAfter(s, at('2026-03-28T12:00:00Z')))).toBe('2026-03-29T01:00:00.000Z');
    // 25 October 2026: 02:30 happens twice (CEST, then CET): one run, at the first.
    const first = nextRunAfter(s, at('2026-10-24T12:00:00Z'));
    expect(iso(first)).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(nextRunAfter(s, first as number))).toBe('2026-10-26T01:30:00.000Z');
  });

  it('day of month and day of week are OR-ed (classic cron)', () => {
    // the 13th, or any Friday: from Monday 2 March 2026, Friday the 6th comes first
    const s = sched('0 0 13 * FRI');
    expect(iso(nextRunAfter(s, at('2026-03-02T00:00:00Z')))).toBe('2026-03-06T00:00:00.000Z');
  });
});

describe('dueRun', () => {
  const everyMinute = sched('* * * * *');

  it('nothing due before the next run time; says when that is', () => {
    const d = dueRun(everyMinute, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:59Z'));
    expect(d).toEqual({ kind: 'none', next: at('2026-01-01T00:01:00Z') });
  });

  it('a run time exactly at now is due, once', () => {
    const now = at('2026-01-01T00:01:00Z');
    const d = dueRun(everyMinute, at('2026-01-01T00:00:00Z'), now);
    expect(d).toEqual({ kind: 'run', at: now, skipped: 0, next: at('2026-01-01T00:02:00Z') });
    // the caller stores `at` as since: asked again at the same time, nothing is due
    expect(dueRun(everyMinute, now, now).kind).toBe('none');
  });

  it('after downtime: only the latest missed run starts, the earlier ones are counted as skipped', () => {
    const d = dueRun(everyMinute, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:05:30Z'));
    expect(d).toEqual({ kind: 'run', at: at('2026-01-01T00:05:00Z'), skipped: 4, next: at('2026-01-01T00:06:00Z') });
  });

  it('startingDeadline: the latest missed run is too late when older than the deadline', () => {
    const s = sched('0 3 * * *', { timeZone: 'Europe/Berlin', startingDeadline: 3600 });
    const since = at('2026-07-09T01:00:00Z'); // 03:00 CEST on the 9th, the last run handled
    const within = dueRun(s, since, at('2026-07-10T01:59:00Z'));
    expect(within).toMatchObject({ kind: 'run', at: at('2026-07-10T01:00:00Z'), skipped: 0 });
    const late = dueRun(s, since, at('2026-07-10T02:00:01Z'));
    expect(late).toMatchObject({ kind: 'too-late', at: at('2026-07-10T01:00:00Z'), skipped: 0 });
    expect(late.next).toBe(at('2026-07-11T01:00:00Z'));
  });

  it('without a deadline, the latest missed run starts however late', () => {
    const d = dueRun(sched('0 3 * * *'), at('2026-01-01T03:00:00Z'), at('2026-01-09T23:00:00Z'));
    expect(d).toMatchObject({ kind: 'run', at: at('2026-01-09T03:00:00Z'), skipped: 7 });
  });

  it('a long downtime counts at most MAX_MISSED_COUNTED skipped runs (the walk is bounded)', () => {
    const s = sched('* * * * * *'); // every second, a year away: 31.5 million run times
    const d = dueRun(s, at('2025-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z'));
    expect(d).toMatchObject({ kind: 'run', at: at('2026-01-01T00:00:00Z'), skipped: MAX_MISSED_COUNTED });
  });

  it('a schedule with no run time left says none and no next', () => {
    // validate refuses such an expression; should one reach here, no loop and no throw
    const d = dueRun(sched('0 0 30 2 *'), at('2026-01-01T00:00:00Z'), at('2026-06-01T00:00:00Z'));
    expect(d).toEqual({ kind: 'none' });
  });
});

describe('concurrencyDecision', () => {
  it('launches when nothing of the job runs, whatever the policy', () => {
    for (const p of ['forbid', 'allow', 'replace'] as const)
      expect(concurrencyDecision(p, [])).toEqual({ action: 'launch' });
  });

  it('forbid skips, naming what still runs; allow launches alongside; replace kills first', () => {
    const running = ['nightly.0.abc', 'nightly.1.abc'];
    const skip = concurrencyDecision('forbid', running);
    expect(skip.action).toBe('skip');
    expect(skip.action === 'skip' && skip.reason).toContain('2 tasks');
    expect(concurrencyDecision('forbid', ['nightly.0.abc'])).toMatchObject({
      reason: expect.stringContaining('nightly.0.abc'),
    });
    expect(concurrencyDecision('allow', running)).toEqual({ action: 'launch' });
    expect(concurrencyDecision('replace', running)).toEqual({ action: 'replace', kill: running });
  });
});
