import { describe, expect, it } from 'vitest';
import { durationSeconds } from '../../../src/manifest/duration.js';
import { DEFAULTS, hashSpec } from '../../../src/manifest/normalise.js';
import { schemaAt } from '../../../src/manifest/schema.js';
import { DEFAULT_BACKOFF, effectiveRestart } from '../../../src/model/spec.js';
import { errors, loadDocs, loadText, task } from './helpers.js';

const job = (spec: Record<string, unknown> = {}) => task({ goal: 'finished', ...spec });

function one(doc: Record<string, unknown>) {
  const r = loadDocs(doc);
  expect(r.diagnostics).toEqual([]);
  return r.specs[0];
}

function problem(doc: Record<string, unknown>) {
  const e = errors(loadDocs(doc).diagnostics);
  expect(e).toHaveLength(1);
  return e[0];
}

describe('spec.restart', () => {
  it('defaults: services back off 1s x2 up to 5m, reset after 10m, no limit; jobs never retry', () => {
    const svc = one(task()).spec;
    expect(svc.restart).toBeUndefined();
    expect(effectiveRestart(svc)).toEqual({
      maxRetries: null,
      backoff: { initial: 1, factor: 2, max: 300, resetAfter: 600 },
    });
    expect(effectiveRestart(one(job()).spec).maxRetries).toBe(0);
  });

  it('normalises durations and fills what is left out', () => {
    const s = one(job({ restart: { maxRetries: 3, backoff: { initial: '500ms', max: '1m' } } })).spec;
    expect(s.restart).toEqual({ maxRetries: 3, backoff: { initial: 0.5, factor: 2, max: 60, resetAfter: 600 } });
    expect(one(task({ restart: { backoff: { factor: 1.5 } } })).spec.restart).toEqual({
      maxRetries: null,
      backoff: { ...DEFAULT_BACKOFF, factor: 1.5 },
    });
  });

  it.each([
    ['maxRetries on a service', task({ restart: { maxRetries: 2 } }), 'spec.restart.maxRetries', 'is for jobs'],
    [
      'max below initial',
      task({ restart: { backoff: { initial: '2m', max: '1m' } } }),
      'spec.restart.backoff.max',
      'at least initial',
    ],
    [
      'initial above the default max',
      task({ restart: { backoff: { initial: '10m' } } }),
      'spec.restart.backoff.initial',
      'at least initial',
    ],
    ['initial 0', task({ restart: { backoff: { initial: 0 } } }), 'spec.restart.backoff.initial', '> 0'],
    ['resetAfter 0', task({ restart: { backoff: { resetAfter: '0s' } } }), 'spec.restart.backoff.resetAfter', '> 0'],
  ])('%s is refused', (_name, doc, path, text) => {
    const d = problem(doc);
    expect(d.code).toBe('MA_ERR_RESTART');
    expect(d.path).toBe(path);
    expect(d.message).toContain(text);
  });

  it.each([
    [{ maxRetries: -1 }, 'spec.restart.maxRetries'],
    [{ maxRetries: 1.5 }, 'spec.restart.maxRetries'],
    [{ backoff: { factor: 0.5 } }, 'spec.restart.backoff.factor'],
    [{ backoff: { max: 'soon' } }, 'spec.restart.backoff.max'],
    [{ backoff: { max: '400d' } }, 'spec.restart.backoff.max'],
    [{ retries: 1 }, 'spec.restart.retries'],
  ])('schema: %j is refused at %s', (restart, path) => {
    expect(problem(job({ restart })).path).toBe(path);
  });
});

describe('spec.schedule', () => {
  it('normalises with defaults: UTC, forbid, no deadline', () => {
    expect(one(job({ schedule: { cron: ' */5 * * * * ' } })).spec.schedule).toEqual({
      cron: '*/5 * * * *',
      timeZone: 'UTC',
      concurrencyPolicy: 'forbid',
    });
    expect(
      one(
        job({
          schedule: {
            cron: '*/10 * * * * *',
            timeZone: 'Europe/Berlin',
            concurrencyPolicy: 'replace',
            startingDeadline: '2m',
          },
        }),
      ).spec.schedule,
    ).toEqual({
      cron: '*/10 * * * * *',
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: 'replace',
      startingDeadline: 120,
    });
    expect(one(job({ schedule: { cron: '@daily' } })).spec.schedule?.cron).toBe('@daily');
  });

  it.each([
    ['a bad field count', { cron: 'every day' }, 'spec.schedule.cron', 'not a valid cron expression'],
    ['an out-of-range minute', { cron: '61 * * * *' }, 'spec.schedule.cron', 'minute'],
    ['a 7-field expression', { cron: '0 0 0 * * * 2030' }, 'spec.schedule.cron', 'not a valid cron expression'],
    ['a date that never comes', { cron: '0 0 31 2 *' }, 'spec.schedule.cron', 'never matches'],
    [
      'an unknown time zone',
      { cron: '* * * * *', timeZone: 'Mars/Olympus' },
      'spec.schedule.timeZone',
      'unknown time zone',
    ],
  ])('%s is a positioned error', (_name, schedule, path, text) => {
    const d = problem(job({ schedule }));
    expect(d.code).toBe('MA_ERR_SCHEDULE');
    expect(d.path).toBe(path);
    expect(d.message).toContain(text);
    expect(d.line).toBeGreaterThan(0);
  });

  it('points at the line and column of the bad value', () => {
    const text = [
      'apiVersion: mesos-apply/v1',
      'kind: Task',
      'metadata: {name: nightly}',
      'spec:',
      '  goal: finished',
      '  command: backup',
      '  resources: {cpus: 0.1, mem: 32}',
      '  schedule:',
      '    cron: "0 25 * * *"',
      '',
    ].join('\n');
    const [d] = errors(loadText(text, 'nightly.yaml').diagnostics);
    expect(d).toMatchObject({ file: 'nightly.yaml', line: 9, col: 11, path: 'spec.schedule.cron' });
    expect(d.message).toContain('hour');
  });

  it('is refused on a service', () => {
    const d = problem(task({ schedule: { cron: '* * * * *' } }));
    expect(d).toMatchObject({ code: 'MA_ERR_SCHEDULE', path: 'spec.schedule' });
    expect(d.hint).toContain('goal: finished');
  });

  it.each([
    [{ cron: '* * * * *', concurrencyPolicy: 'queue' }, 'spec.schedule.concurrencyPolicy'],
    [{ cron: '* * * * *', startingDeadline: 'late' }, 'spec.schedule.startingDeadline'],
    [{ timeZone: 'UTC' }, 'spec.schedule.cron'],
  ])('schema: %j is refused at %s', (schedule, path) => {
    expect(problem(job({ schedule })).path).toBe(path);
  });
});

describe('spec hash', () => {
  it('leaves restart and schedule out: changing them replaces nothing', () => {
    const base = hashSpec(one(job()).spec);
    expect(hashSpec(one(job({ restart: { maxRetries: 4, backoff: { initial: '5s' } } })).spec)).toBe(base);
    expect(hashSpec(one(job({ schedule: { cron: '0 3 * * *', timeZone: 'Asia/Tokyo' } })).spec)).toBe(base);
    // and the hash still sees what the task is
    expect(hashSpec(one(job({ command: 'other' })).spec)).not.toBe(base);
  });
});

it('uses the schema defaults (normaliser and schema cannot drift)', () => {
  const d = (path: string[]) => schemaAt(path)?.default;
  const backoff = ['spec', 'restart', 'backoff'];
  for (const k of ['initial', 'max', 'resetAfter'] as const)
    expect(durationSeconds(d([...backoff, k]) as string)).toBe(DEFAULT_BACKOFF[k]);
  expect(d([...backoff, 'factor'])).toBe(DEFAULT_BACKOFF.factor);
  expect(d(['spec', 'restart', 'maxRetries'])).toBe(DEFAULTS.maxRetries);
  expect(d(['spec', 'schedule', 'timeZone'])).toBe(DEFAULTS.timeZone);
  expect(d(['spec', 'schedule', 'concurrencyPolicy'])).toBe(DEFAULTS.concurrencyPolicy);
});
