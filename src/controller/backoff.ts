/**
 * The per-instance relaunch backoff of `spec.restart`, as numbers the controller's instance
 * state (instances.ts, which keeps each instance's failures in a row and next attempt time
 * on a passed-in clock) asks for. Pure: no clock, no state.
 *
 *   backoffPolicy(spec)           the spec's policy, defaults filled (model/spec.ts
 *                                 `effectiveRestart`): services 1s x2 up to 5m, reset after
 *                                 10m running, no retry limit; jobs the same, 0 retries
 *   backoffDelayMs(b, failures)   the wait before the next attempt after `failures` failures
 *                                 in a row: initial * factor^(failures-1), at most max
 */
import { type BackoffSpec, effectiveRestart, type TaskSpec } from '../model/spec.js';
import type { BackoffPolicy } from './instances.js';

/** Whole milliseconds, never past `max` and never NaN/Infinity however long the loop ran. */
export function backoffDelayMs(b: BackoffSpec, failures: number): number {
  const n = Math.max(1, Math.floor(failures));
  // A long loop overflows the power to Infinity, which `max` caps (initial > 0: semantic.ts).
  const seconds = Math.min(b.max, b.initial * b.factor ** (n - 1));
  return Math.round(seconds * 1000);
}

export function backoffPolicy(spec: TaskSpec): BackoffPolicy {
  const r = effectiveRestart(spec);
  const policy: BackoffPolicy = {
    delayMs: (failures) => backoffDelayMs(r.backoff, failures),
    resetAfterMs: Math.round(r.backoff.resetAfter * 1000),
  };
  if (r.maxRetries !== null) policy.maxRetries = r.maxRetries;
  return policy;
}
