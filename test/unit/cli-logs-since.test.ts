import { describe, expect, it } from 'vitest';
import { ranSince, sinceOf } from '../../src/cli/commands/logs-run.js';
import { UsageError } from '../../src/cli/options.js';

describe('logs --since', () => {
  const now = Date.parse('2026-12-04T13:00:00Z');

  it('takes a duration back from now, or a time', () => {
    expect(sinceOf(undefined, now)).toBeUndefined();
    expect(sinceOf('10m', now)).toBe(now - 600_000);
    expect(sinceOf('90', now)).toBe(now - 90_000);
    expect(sinceOf('2026-12-04T12:00:00Z', now)).toBe(now - 3_600_000);
    expect(sinceOf('2026-12-04T13:00:00.500+01:00', now)).toBe(now - 3_600_000 + 500);
    expect(sinceOf('2026-12-04', now)).toBe(Date.parse('2026-12-04'));
  });

  it('refuses anything else as a usage error', () => {
    for (const bad of ['yesterday', '10 minutes', '-5m', '2026-13-45T99:00:00Z', ''])
      expect(() => sinceOf(bad, now), bad).toThrow(UsageError);
  });

  it('keeps a task still active, or one whose latest status (its end) is not before the time', () => {
    const at = (secondsFromNow: number) => ({ timestamp: (now + secondsFromNow * 1000) / 1000 });
    const status = (state: 'TASK_RUNNING' | 'TASK_FINISHED', seconds: number) => ({
      task_id: { value: 't' },
      state,
      ...at(seconds),
    });
    expect(ranSince({ state: 'TASK_RUNNING', lastStatus: status('TASK_RUNNING', -600) }, now)).toBe(true);
    expect(ranSince({ state: 'TASK_FINISHED', lastStatus: status('TASK_FINISHED', 0) }, now)).toBe(true);
    expect(ranSince({ state: 'TASK_FINISHED', lastStatus: status('TASK_FINISHED', -1) }, now)).toBe(false);
    expect(ranSince({ state: 'TASK_FINISHED' }, now)).toBe(false);
  });
});
