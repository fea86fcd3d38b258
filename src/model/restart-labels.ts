/**
 * The restart counts a controller writes on each task it launches, so they outlive it: a
 * new leader (after a takeover) and `get` (another process) read them back from the
 * master's task list, where Mesos keeps every active task's TaskInfo labels and, for a
 * while, those of completed tasks (controller/carried.ts rebuilds the backoff from them).
 *
 *   mesos-apply/restarts   launches of the instance after a failure, this one included
 *   mesos-apply/failures   failures in a row before this launch (the backoff's exponent)
 *
 * Both are left out when zero (every first launch, every one-shot apply): absent reads as 0.
 * They are TaskInfo labels only, never part of the spec or its hash, so a relaunch is never
 * taken for a spec change; `get` and `describe` hide them with the other `mesos-apply/` labels.
 */
import type { Label } from './wire.js';

export const LABEL_RESTARTS = 'mesos-apply/restarts';
export const LABEL_FAILURES = 'mesos-apply/failures';

export interface RestartCounts {
  restarts: number;
  failures: number;
}

export const NO_RESTARTS: RestartCounts = { restarts: 0, failures: 0 };

export function restartLabels(c: RestartCounts): Label[] {
  const out: Label[] = [];
  if (c.restarts > 0) out.push({ key: LABEL_RESTARTS, value: String(c.restarts) });
  if (c.failures > 0) out.push({ key: LABEL_FAILURES, value: String(c.failures) });
  return out;
}

/** The counts a task was launched with; a missing or malformed label reads as 0. */
export function restartCountsOf(labels: Readonly<Record<string, string>>): RestartCounts {
  return { restarts: count(labels[LABEL_RESTARTS]), failures: count(labels[LABEL_FAILURES]) };
}

function count(text: string | undefined): number {
  return text !== undefined && /^(0|[1-9][0-9]{0,8})$/.test(text) ? Number(text) : 0;
}
