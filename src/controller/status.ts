/**
 * The controller's own view, as its listener serves it at `/status` (JSON), and as `get`
 * reads it for a controller-held namespace: who leads, and per instance the restarts and
 * the next retry time. `get` finds the address in the framework's holder labels
 * (holder.ts `controller`); a controller that cannot be reached in a moment is said so,
 * never waited for, and `get` shows the figures the tasks' labels carry instead
 * (carried.ts): the counts live in the master's task list, not only in the leader.
 */
import type { OperatorFramework } from '../mesos/types.js';
import { holderOf } from '../apply/holder.js';
import type { InstanceState } from './instances.js';

export const STATUS_PATH = '/status';
const STATUS_WITHIN_MS = 1500;

export interface InstanceStatus {
  /** Launches after a failure, of the current spec, whichever controller led (carried.ts). */
  restarts: number;
  /** Failures in a row (the backoff's exponent). */
  failures: number;
  /** ISO-8601: when the instance will be launched again, while it waits; else null. */
  nextRetry: string | null;
  /** A job that finished or ran out of retries: never launched again. */
  done: 'finished' | 'gave-up' | null;
}

export interface StatusDocument {
  formatVersion: 1;
  leader: boolean;
  frameworkId: string | null;
  instances: Record<string, InstanceStatus>;
}

export function statusDocument(
  state: { leader: boolean; frameworkId?: string },
  instances: Iterable<InstanceState>,
): StatusDocument {
  const out: Record<string, InstanceStatus> = {};
  for (const st of [...instances].sort((a, b) => a.key.localeCompare(b.key, 'en', { numeric: true }))) {
    out[st.key] = {
      restarts: st.restarts,
      failures: st.failures,
      nextRetry: st.nextAt === undefined ? null : new Date(st.nextAt).toISOString(),
      done: st.done ?? null,
    };
  }
  return { formatVersion: 1, leader: state.leader, frameworkId: state.frameworkId ?? null, instances: out };
}

/** What `get` says of the controller that holds (or held) a namespace. */
export interface ControllerInfo {
  user: string;
  host: string;
  pid: number;
  since: string;
  /** Its listener, `HOST:PORT`, or null when it runs without one. */
  listen: string | null;
  /** Whether it is connected (leading) now. */
  connected: boolean;
  /** Why the leader's own status is missing (not leading, no listener, unreachable). */
  statusError: string | null;
  instances: Record<string, InstanceStatus>;
}

/** The controller named by the framework's holder labels, with its /status when it answers. */
export async function controllerInfo(f: OperatorFramework | undefined): Promise<ControllerInfo | undefined> {
  const h = f ? holderOf(f) : undefined;
  if (!f || h?.controller === undefined) return undefined;
  const info: ControllerInfo = {
    user: h.user,
    host: h.host,
    pid: h.pid,
    since: h.since,
    listen: h.controller || null,
    connected: f.connected,
    statusError: null,
    instances: {},
  };
  if (!f.connected) info.statusError = 'no controller is connected (stopped, or a standby is taking over)';
  else if (!h.controller) info.statusError = 'the controller runs without a listener (--listen off)';
  else {
    try {
      const res = await fetch(`http://${h.controller}${STATUS_PATH}`, {
        signal: AbortSignal.timeout(STATUS_WITHIN_MS),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const doc = (await res.json()) as Partial<StatusDocument>;
      info.instances = doc.instances ?? {};
    } catch (e) {
      info.statusError = `its status at http://${h.controller}${STATUS_PATH} did not answer (${(e as Error).message})`;
    }
  }
  return info;
}
