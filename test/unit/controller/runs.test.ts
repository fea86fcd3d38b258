import { describe, expect, it } from 'vitest';
import { ScheduledRuns } from '../../../src/controller/runs.js';
import type { ScheduleSpec } from '../../../src/model/spec.js';
import { loaded } from '../plan/builders.js';

const T0 = Date.parse('2026-12-04T12:00:00.500Z');
const every10s = (concurrencyPolicy: ScheduleSpec['concurrencyPolicy'], extra: Partial<ScheduleSpec> = {}) =>
  loaded('job', {
    goal: 'finished',
    schedule: { cron: '*/10 * * * * *', timeZone: 'UTC', concurrencyPolicy, ...extra },
  });

function runs(spec = every10s('forbid')) {
  const lines: string[] = [];
  const r = new ScheduledRuns((event, fields) => lines.push(`${event} ${JSON.stringify(fields)}`));
  r.setSpecs([spec, loaded('web')], T0);
  return { r, lines };
}

describe('controller scheduled runs', () => {
  it('starts a run at each run time, once, and sleeps until the next', () => {
    const { r } = runs();
    expect(r.nextAt(T0)).toBe(Date.parse('2026-12-04T12:00:10Z'));
    expect(r.due(T0 + 5000, () => []).launch).toEqual([]);
    expect(r.due(T0 + 9_600, () => []).launch).toEqual(['job']);
    expect(r.due(T0 + 9_700, () => []).launch).toEqual([]);
    expect(r.isScheduled('job')).toBe(true);
    expect(r.isScheduled('web')).toBe(false);
  });

  it('forbid skips a run while the previous one still runs, and says why', () => {
    const { r, lines } = runs();
    expect(r.due(T0 + 9_600, () => ['job.0.h']).launch).toEqual([]);
    expect(lines.at(-1)).toMatch(/^schedule-skipped .*concurrencyPolicy forbid/);
    expect(r.due(T0 + 19_600, () => []).launch).toEqual(['job']);
  });

  it('replace starts the run (the round stops the old one first); allow never makes two live tasks of an instance', () => {
    expect(runs(every10s('replace')).r.due(T0 + 9_600, () => ['job.0.h']).launch).toEqual(['job']);
    const allow = runs(every10s('allow'));
    expect(allow.r.due(T0 + 9_600, () => ['job.0.h']).launch).toEqual([]);
    expect(allow.lines.at(-1)).toMatch(/^schedule-skipped .*an instance runs one task at a time/);
    expect(allow.r.due(T0 + 19_600, () => []).launch).toEqual(['job']);
  });

  it('after downtime: one catch-up run for the newest run the master lists, bounded by startingDeadline', () => {
    const { r, lines } = runs();
    r.seed('job', T0 - 60_000);
    expect(r.due(T0 + 100, () => []).launch).toEqual(['job']);
    expect(lines.at(-1)).toMatch(/^schedule-run .*"missed":5/);
    expect(r.due(T0 + 200, () => []).launch).toEqual([]);

    const late = runs(every10s('forbid', { startingDeadline: 1 }));
    late.r.seed('job', T0 - 60_000);
    expect(late.r.due(T0 + 5000, () => []).launch).toEqual([]);
    expect(late.lines.at(-1)).toMatch(/^schedule-too-late /);
  });

  it('a job removed from the manifests is forgotten; one added starts from now', () => {
    const { r } = runs();
    r.setSpecs([loaded('web')], T0);
    expect(r.nextAt(T0)).toBeUndefined();
    r.setSpecs([every10s('forbid')], T0 + 25_000);
    expect(r.due(T0 + 25_100, () => []).launch).toEqual([]);
    expect(r.due(T0 + 29_600, () => []).launch).toEqual(['job']);
  });
});
