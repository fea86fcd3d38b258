import { describe, expect, it } from 'vitest';
import { ScheduledRuns, type RunsDue } from '../../../src/controller/runs.js';
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

const names = (d: RunsDue) => d.launch.map((l) => l.name);

describe('controller scheduled runs', () => {
  it('starts a run at each run time, once, and sleeps until the next', () => {
    const { r } = runs();
    expect(r.nextAt(T0)).toBe(Date.parse('2026-12-04T12:00:10Z'));
    expect(names(r.due(T0 + 5000, () => []))).toEqual([]);
    expect(names(r.due(T0 + 9_600, () => []))).toEqual(['job']);
    expect(names(r.due(T0 + 9_700, () => []))).toEqual([]);
    expect(r.isScheduled('job')).toBe(true);
    expect(r.isScheduled('web')).toBe(false);
  });

  it('forbid skips a run while the previous one still runs, and says why', () => {
    const { r, lines } = runs();
    expect(names(r.due(T0 + 9_600, () => ['job.0.h']))).toEqual([]);
    expect(lines.at(-1)).toMatch(/^schedule-skipped .*concurrencyPolicy forbid/);
    expect(names(r.due(T0 + 19_600, () => []))).toEqual(['job']);
  });

  it('each run is named by its run time (UTC, to the second), which its tasks carry', () => {
    const { r, lines } = runs();
    expect(r.due(T0 + 9_600, () => []).launch).toEqual([
      { name: 'job', run: '20261204T120010Z', policy: 'forbid', replacing: [] },
    ]);
    expect(lines.at(-1)).toMatch(/^schedule-run .*"run":"20261204T120010Z"/);
  });

  it('replace starts the run and names what it replaces; allow starts it beside the runs still running', () => {
    const replace = runs(every10s('replace')).r.due(T0 + 9_600, () => ['job.0.h.20261204T120000Z']);
    expect(replace.launch).toEqual([
      { name: 'job', run: '20261204T120010Z', policy: 'replace', replacing: ['job.0.h.20261204T120000Z'] },
    ]);
    const allow = runs(every10s('allow'));
    const live = ['job.0.h.20261204T115950Z', 'job.0.h.20261204T120000Z'];
    expect(allow.r.due(T0 + 9_600, () => live).launch).toEqual([
      { name: 'job', run: '20261204T120010Z', policy: 'allow', replacing: [] },
    ]);
    expect(allow.lines.at(-1)).toMatch(/^schedule-run .*"alongside":\["job\.0\.h\.20261204T115950Z"/);
    expect(allow.lines.join('\n')).not.toMatch(/schedule-skipped/);
  });

  it('after downtime: one catch-up run for the newest run the master lists, bounded by startingDeadline', () => {
    const { r, lines } = runs();
    r.seed('job', T0 - 60_000);
    expect(names(r.due(T0 + 100, () => []))).toEqual(['job']);
    expect(lines.at(-1)).toMatch(/^schedule-run .*"missed":5/);
    expect(names(r.due(T0 + 200, () => []))).toEqual([]);

    const late = runs(every10s('forbid', { startingDeadline: 1 }));
    late.r.seed('job', T0 - 60_000);
    expect(names(late.r.due(T0 + 5000, () => []))).toEqual([]);
    expect(late.lines.at(-1)).toMatch(/^schedule-too-late /);
  });

  it('a job removed from the manifests is forgotten; one added starts from now', () => {
    const { r } = runs();
    r.setSpecs([loaded('web')], T0);
    expect(r.nextAt(T0)).toBeUndefined();
    r.setSpecs([every10s('forbid')], T0 + 25_000);
    expect(names(r.due(T0 + 25_100, () => []))).toEqual([]);
    expect(names(r.due(T0 + 29_600, () => []))).toEqual(['job']);
  });
});
