import { describe, expect, it } from 'vitest';
import { backoffDelayMs, backoffPolicy } from '../../../src/controller/backoff.js';
import { Instances } from '../../../src/controller/instances.js';
import { loadText } from '../manifest/helpers.js';

/** The spec of a one-document manifest, `extra` YAML lines added under `spec:`. */
function spec(extra: string[]) {
  const text = [
    'apiVersion: mesos-apply/v1',
    'kind: Task',
    'metadata: {name: app}',
    'spec:',
    '  command: run',
    '  resources: {cpus: 0.1, mem: 32}',
    ...extra.map((l) => `  ${l}`),
    '',
  ].join('\n');
  const r = loadText(text);
  expect(r.diagnostics).toEqual([]);
  return r.specs[0]!;
}

describe('backoff', () => {
  it('a service by default: 1s, 2s, 4s ... capped at 5m, reset after 10m, no retry limit', () => {
    const p = backoffPolicy(spec([]).spec);
    expect([1, 2, 3, 4, 8, 9, 10, 50].map((n) => p.delayMs(n))).toEqual([
      1000, 2000, 4000, 8000, 128_000, 256_000, 300_000, 300_000,
    ]);
    expect(p.resetAfterMs).toBe(600_000);
    expect(p.maxRetries).toBeUndefined();
  });

  it('a job by default: no retry; with maxRetries, its own backoff', () => {
    expect(backoffPolicy(spec(['goal: finished']).spec).maxRetries).toBe(0);
    const p = backoffPolicy(
      spec([
        'goal: finished',
        'restart: {maxRetries: 2, backoff: {initial: 500ms, factor: 3, max: 4s, resetAfter: 1m}}',
      ]).spec,
    );
    expect(p.maxRetries).toBe(2);
    expect([1, 2, 3, 4].map((n) => p.delayMs(n))).toEqual([500, 1500, 4000, 4000]);
    expect(p.resetAfterMs).toBe(60_000);
  });

  it('stays finite and capped however long the loop ran; factor 1 is a constant wait', () => {
    const b = { initial: 1, factor: 100, max: 300, resetAfter: 600 };
    for (const n of [1e3, 1e6, Number.MAX_SAFE_INTEGER]) expect(backoffDelayMs(b, n)).toBe(300_000);
    expect(backoffDelayMs({ ...b, factor: 1 }, 40)).toBe(1000);
    // a count below 1 is the first wait, not a shorter one
    expect(backoffDelayMs(b, 0)).toBe(1000);
  });

  it('drives the instance state on a fake clock: the retry budget of a job runs out', () => {
    const job = spec(['goal: finished', 'restart: {maxRetries: 2, backoff: {initial: 2s}}']);
    const instances = new Instances((s) => backoffPolicy(s.spec));
    instances.setSpecs([job]);
    let now = 1_800_000_000_000;
    const verdicts: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = `app.0.${job.hash}${attempt === 0 ? '' : `.${attempt}`}`;
      instances.launched(id);
      instances.onStatus(id, 'TASK_RUNNING', now);
      now += 100;
      const v = instances.onStatus(id, 'TASK_FAILED', now);
      verdicts.push(v.kind === 'down' ? `down ${v.retryAt - now}ms` : v.kind);
      const next = instances.nextDue(now);
      if (next !== undefined) now = next;
      instances.relaunching('app/0');
    }
    expect(verdicts).toEqual(['down 2000ms', 'down 4000ms', 'gave-up']);
    expect(instances.held(now).has('app/0')).toBe(true);
  });
});
