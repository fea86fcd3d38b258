/**
 * Who holds a framework's lease: the run that subscribed last writes itself into the
 * FrameworkInfo's labels (host, user, pid, command, start time and a run id), so any other
 * run, and any person looking at the Mesos UI or `GET_FRAMEWORKS`, can say who is using
 * the framework and since when. Mesos updates a framework's labels on every SUBSCRIBE
 * (Framework::update in master/framework.cpp), so the labels always name the newest
 * subscriber.
 *
 * Invariants: label values are bounded and carry no control characters (the command is
 * cut to COMMAND_MAX characters); labels other than the holder's are kept as they were;
 * FrameworkInfo.hostname stays the machine's host name (the Mesos UI shows it as such).
 */
import os from 'node:os';
import { exactNanoseconds } from '../mesos/json64.js';
import type { Label, OperatorFramework } from '../mesos/types.js';

export const HOLDER_PREFIX = 'mesos-apply/holder-';
const KEY = {
  run: `${HOLDER_PREFIX}run`,
  host: `${HOLDER_PREFIX}host`,
  user: `${HOLDER_PREFIX}user`,
  pid: `${HOLDER_PREFIX}pid`,
  command: `${HOLDER_PREFIX}command`,
  since: `${HOLDER_PREFIX}since`,
  takeover: `${HOLDER_PREFIX}takeover`,
  controller: `${HOLDER_PREFIX}controller`,
} as const;
const COMMAND_MAX = 200;

export interface Holder {
  /** Unique per run: host, pid and start time. */
  run: string;
  host: string;
  user: string;
  pid: number;
  command: string;
  /** ISO-8601 start time of the holding run. */
  since: string;
  /** The holder subscribed with --takeover. */
  takeover: boolean;
  /**
   * The holder is a controller (`mesos-apply controller`): the address its HTTP listener
   * serves (/healthz, /metrics, /status), or '' without one. One-shot runs refuse a
   * controller-held namespace instead of waiting (a controller never finishes).
   */
  controller?: string;
}

/** This process as a lease holder. */
export function thisRun(command: string, takeover: boolean, now = new Date()): Holder {
  const host = os.hostname();
  return {
    run: `${host}/${process.pid}/${now.getTime()}`,
    host,
    user: os.userInfo().username,
    pid: process.pid,
    command: clean(command),
    since: now.toISOString(),
    takeover,
  };
}

function clean(text: string): string {
  const flat = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return flat.length > COMMAND_MAX ? `${flat.slice(0, COMMAND_MAX - 1)}…` : flat;
}

export function holderLabels(h: Holder): Label[] {
  const labels: Label[] = [
    { key: KEY.run, value: h.run },
    { key: KEY.host, value: h.host },
    { key: KEY.user, value: h.user },
    { key: KEY.pid, value: String(h.pid) },
    { key: KEY.command, value: h.command },
    { key: KEY.since, value: h.since },
  ];
  if (h.takeover) labels.push({ key: KEY.takeover, value: 'true' });
  if (h.controller !== undefined) labels.push({ key: KEY.controller, value: h.controller });
  return labels;
}

/** Other labels of a framework, kept, and this run's holder labels. */
export function withHolder(existing: readonly Label[] | undefined, h: Holder): Label[] {
  return [...(existing ?? []).filter((l) => !l.key.startsWith(HOLDER_PREFIX)), ...holderLabels(h)];
}

/** The holder a framework's labels name, if a mesos-apply run subscribed it. */
export function holderOf(f: OperatorFramework): Holder | undefined {
  const get = (k: string) => f.framework_info.labels?.labels?.find((l) => l.key === k)?.value;
  const run = get(KEY.run);
  if (run === undefined) return undefined;
  const h: Holder = {
    run,
    host: get(KEY.host) ?? '?',
    user: get(KEY.user) ?? '?',
    pid: Number(get(KEY.pid) ?? 0),
    command: get(KEY.command) ?? '',
    since: get(KEY.since) ?? '',
    takeover: get(KEY.takeover) === 'true',
  };
  const controller = get(KEY.controller);
  if (controller !== undefined) h.controller = controller;
  return h;
}

/** "alice@build-1 (pid 4242, `mesos-apply -f web.yaml`) since 2026-12-03T10:00:00Z", or who Mesos says. */
export function describeHolder(f: OperatorFramework): string {
  const h = holderOf(f);
  const since = h?.since || isoOf(f.reregistered_time ?? f.registered_time);
  const when = since ? ` since ${since}` : '';
  if (h?.controller !== undefined) {
    const listen = h.controller ? `, status on http://${h.controller}` : '';
    return `the controller ${h.user}@${h.host} (pid ${h.pid}${listen}, \`${h.command}\`)${when}`;
  }
  if (h) return `${h.user}@${h.host} (pid ${h.pid}, \`${h.command}\`)${when}`;
  const host = f.framework_info.hostname ? `@${f.framework_info.hostname}` : '';
  return `a scheduler that is not mesos-apply (${f.framework_info.user}${host})${when}`;
}

export function isoOf(t: { nanoseconds: number } | undefined): string | undefined {
  if (t === undefined) return undefined;
  const ms = Number(exactNanoseconds(t) / 1_000_000n);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : undefined;
}
