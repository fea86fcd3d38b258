/**
 * The per-instance relaunch backoff of `spec.restart`, as numbers the controller's instance
 * state (instances.ts, which keeps each instance's failures in a row and next attempt time
 * on a passed-in clock, and carried.ts, which rebuilds them from the master's task list)
 * asks for. Pure: no clock, no state.
 *
 *   backoffPolicy(spec)           the spec's policy, defaults filled (model/spec.ts
 *                                 `effectiveRestart`): services 1s x2 up to 5m, reset after
 *                                 10m running, no retry limit; jobs the same, 0 retries
 *   backoffDelayMs(b, failures)   the wait before the next attempt after `failures` failures
 *                                 in a row: initial * factor^(failures-1), at most max
 *   afterFailure(p, failures, at) one more failure at `at`: the next attempt, or given up
 */
import { type BackoffSpec, effectiveRestart, type TaskSpec } from '../model/spec.js';

/** The per-instance backoff (per spec.restart). */
export interface BackoffPolicy {
  /** ms to wait before attempt `failures + 1`, after `failures` failures in a row (≥ 1). */
  delayMs(failures: number): number;
  /** ms of running after which the failure count starts over. */
  resetAfterMs: number;
  /** Relaunches allowed after failures; undefined: no limit. */
  maxRetries?: number;
}

export type AfterFailure = { failures: number; nextAt: number; delayMs: number } | { failures: number; gaveUp: true };

/**
 * An instance that had `failures` in a row fails once more at `at` (ms): it is launched
 * again after the backoff for the new count, or given up once past `maxRetries` (jobs).
 */
export function afterFailure(policy: BackoffPolicy, failures: number, at: number): AfterFailure {
  const n = failures + 1;
  if (policy.maxRetries !== undefined && n > policy.maxRetries) return { failures: n, gaveUp: true };
  const delayMs = policy.delayMs(n);
  return { failures: n, nextAt: at + delayMs, delayMs };
}

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
