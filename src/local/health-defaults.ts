/** Mesos's HealthCheck proto defaults (delay 15 s, interval 10 s, timeout 20 s, 3 failures, grace 10 s), shared by the local master and agent. */
import type { HealthCheck } from '../mesos/types.js';

export type HealthTimings = Required<
  Pick<
    HealthCheck,
    'delay_seconds' | 'interval_seconds' | 'timeout_seconds' | 'consecutive_failures' | 'grace_period_seconds'
  >
>;

export function healthTimings(check: HealthCheck): HealthTimings {
  return {
    delay_seconds: check.delay_seconds ?? 15,
    interval_seconds: check.interval_seconds ?? 10,
    timeout_seconds: check.timeout_seconds ?? 20,
    consecutive_failures: check.consecutive_failures ?? 3,
    grace_period_seconds: check.grace_period_seconds ?? 10,
  };
}
