/**
 * What became of a framework name, in words: a framework that Mesos removed (its failover
 * timeout expired, or someone tore it down) sits in GET_FRAMEWORKS `completed_frameworks`
 * (a bounded cache, `--max_completed_frameworks`, lost when the master restarts) with the
 * time it was removed. get, describe and plan say so instead of "no task named ...".
 */
import { exactNanoseconds } from '../mesos/json64.js';
import type { GetFrameworks, OperatorFramework } from '../mesos/types.js';
import { isoOf } from './holder.js';

export interface NamedFrameworks {
  /** Live frameworks of the name (connected or not), oldest registration first. */
  live: OperatorFramework[];
  /** The most recently removed framework of the name, if the master still remembers it. */
  removed?: OperatorFramework;
}

export function frameworksNamed(all: GetFrameworks, name: string): NamedFrameworks {
  const live = all.frameworks.filter((f) => f.framework_info.name === name);
  const t = (f: OperatorFramework) => (f.unregistered_time ? exactNanoseconds(f.unregistered_time) : 0n);
  const removed = (all.completed_frameworks ?? [])
    .filter((f) => f.framework_info.name === name)
    .reduce<OperatorFramework | undefined>((a, b) => (a === undefined || t(b) > t(a) ? b : a), undefined);
  return removed && live.length === 0 ? { live, removed } : { live };
}

/** "framework 'web' (id …) was removed at 2026-…Z: …", or undefined when it was not. */
export function removedNotice(name: string, named: NamedFrameworks): string | undefined {
  const f = named.removed;
  if (f === undefined) return undefined;
  const when = isoOf(f.unregistered_time);
  return (
    `framework '${name}' (${f.framework_info.id?.value ?? '?'}) was removed${when ? ` at ${when}` : ''}: ` +
    'its failover timeout expired or it was torn down, and Mesos killed its tasks'
  );
}
