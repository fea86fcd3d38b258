/**
 * What `get` shows, as data: by default what is desired and running now (kubectl style),
 * one row per instance of each name, with the name's desired and ready counts; with
 * `allStates`, every task the master still lists (the history).
 *
 * Invariants:
 * - a name is current while it has an active task, or while its newest task ended on its
 *   own (failed, lost, killed by its health check): apply would relaunch it. A name whose
 *   newest task was killed on request (delete, replace, framework removal) or finished (a
 *   job that is done) is history;
 * - an instance without an active task shows its newest ended task, else a row with no task
 *   (missing); ended rows carry neither ports (another task may hold them now) nor health;
 * - AGE counts from the first TASK_RUNNING: the master keeps one status per distinct
 *   consecutive state, so a health change replaces the RUNNING entry's timestamp, and the
 *   entry before it (TASK_STARTING) is the better start.
 */
import type { TaskState, TaskStatus } from '../mesos/types.js';
import { instanceKey, matchesSelector } from '../model/ids.js';
import { namedPortsOf, type NamedPort, type ObservedTask } from '../model/observed.js';
import { isActive } from '../model/states.js';
import { specOf, type FrameworkTasks } from './inspect.js';
import { backoffPolicy } from '../controller/backoff.js';
import { carriedOver, taskRecord } from '../controller/carried.js';
import type { ControllerInfo, InstanceStatus } from '../controller/status.js';

export type { NamedPort } from '../model/observed.js';

/** One row of `get`: an instance (or, with allStates, one task) as the table and the JSON show it. */
export interface GetRow {
  name: string;
  /** Absent for tasks of the framework that no manifest declares (`--all`). */
  instance?: number;
  /** A scheduled job's run (its run key, model/ids.ts): runs of one job may be live at once. */
  run?: string;
  /** Absent for a missing instance: none of its tasks is known. */
  taskId?: string;
  state?: TaskState;
  healthy?: boolean;
  agentId?: string;
  host?: string;
  ports: NamedPort[];
  /** Seconds since the epoch: when the task first ran. */
  startedAt?: number;
  specHash?: string;
  managed: boolean;
  labels: Record<string, string>;
  /** Under a controller: its relaunches of this instance, and when it launches it next. */
  restarts?: number;
  nextRetry?: string;
}

/** Desired vs ready per name: `web 2/3`. */
export interface NameCount {
  name: string;
  desired: number;
  ready: number;
}

export interface GetView {
  names: NameCount[];
  rows: GetRow[];
  /** The controller that holds the namespace, when one does (controller/status.ts). */
  controller?: ControllerInfo;
}

/**
 * The view with each instance's restarts and next retry in a controller-held namespace: as
 * the leader's /status says when it answers, else as the tasks' labels carry them
 * (controller/carried.ts), so a namespace between leaders, or a controller without a
 * listener, still shows them. `now` (ms) places a rebuilt next retry.
 */
export function withController(
  view: GetView,
  info: ControllerInfo | undefined,
  tasks: FrameworkTasks['tasks'] = [],
  now = Date.now(),
): GetView {
  if (info === undefined) return view;
  const byKey = new Map<string, Entry[]>();
  for (const t of tasks)
    if (t.observed.managed) {
      const key = instanceKey(t.observed.name, t.observed.instance, t.observed.run);
      const same = byKey.get(key);
      if (same) same.push(t);
      else byKey.set(key, [t]);
    }
  const rows = view.rows.map((r) => {
    if (!r.managed || r.instance === undefined) return r;
    const key = instanceKey(r.name, r.instance, r.run);
    const st = info.instances[key] ?? fromTasks(byKey.get(key) ?? [], now);
    if (st === undefined) return r;
    const out: GetRow = { ...r, restarts: st.restarts };
    if (st.nextRetry !== null) out.nextRetry = st.nextRetry;
    return out;
  });
  return { ...view, rows, controller: info };
}

/** An instance's figures from its tasks, under the spec of its newest (its label says the backoff). */
function fromTasks(entries: Entry[], now: number): InstanceStatus | undefined {
  const newest = [...entries].sort(byLaunch).at(-1);
  const spec = newest === undefined ? undefined : specOf(newest.observed);
  if (newest === undefined || spec === undefined) return undefined;
  const records = entries.flatMap((e) => taskRecord(e.observed) ?? []);
  const c = carriedOver(records, newest.observed.specHash, { goal: spec.goal, policy: backoffPolicy(spec) }, now);
  return {
    restarts: c.restarts,
    failures: c.failures,
    nextRetry: c.nextAt === undefined || c.done !== undefined ? null : new Date(c.nextAt).toISOString(),
    done: c.done ?? null,
  };
}

export interface GetQuery {
  name?: string;
  /** `key=value` pairs, all of which a task's labels must hold. */
  selector?: Record<string, string>;
  /** Also tasks of the framework that no manifest declares. */
  all: boolean;
  allStates: boolean;
}

type Entry = FrameworkTasks['tasks'][number];

/** `-l a=b,c=d` → `{a: 'b', c: 'd'}`; undefined when a pair is not `key=value`. */
export function parseSelector(text: readonly string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const pair of text.flatMap((t) => t.split(','))) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    if (at <= 0) return undefined;
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}

function launchedAt(t: ObservedTask): number {
  return t.statuses?.[0]?.timestamp ?? 0;
}

/** When the task first ran (see the header); the first status when it never ran. */
export function firstRunning(statuses: readonly TaskStatus[] | undefined): number | undefined {
  if (!statuses || statuses.length === 0) return undefined;
  const i = statuses.findIndex((s) => s.state === 'TASK_RUNNING');
  if (i < 0) return statuses[0]?.timestamp;
  const running = statuses[i] as TaskStatus;
  if (running.reason === 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED' && i > 0) return statuses[i - 1]?.timestamp;
  return running.timestamp;
}

function row(e: Entry): GetRow {
  const t = e.observed;
  const active = isActive(t.state);
  const out: GetRow = {
    name: t.name,
    taskId: t.taskId,
    state: t.state,
    agentId: t.agentId,
    host: t.hostname ?? '',
    ports: active ? namedPortsOf(t) : [],
    specHash: t.specHash,
    managed: t.managed,
    labels: t.labels,
  };
  if (t.managed) out.instance = t.instance;
  if (t.run !== undefined) out.run = t.run;
  if (active && t.healthy !== undefined) out.healthy = t.healthy;
  const started = firstRunning(t.statuses);
  if (started !== undefined && active) out.startedAt = started;
  return out;
}

/** Killed because someone asked (delete, replace, framework removal), not by its health check. */
function killedOnRequest(t: ObservedTask): boolean {
  return t.state === 'TASK_KILLED' && t.lastStatus?.healthy !== false;
}

function isReady(t: ObservedTask, goalFinished: boolean): boolean {
  if (goalFinished) return t.state === 'TASK_FINISHED';
  return t.state === 'TASK_RUNNING' && t.healthy !== false;
}

function byLaunch(a: Entry, b: Entry): number {
  return launchedAt(a.observed) - launchedAt(b.observed) || a.observed.taskId.localeCompare(b.observed.taskId);
}

/** The rows of one name: one per desired instance, plus active instances beyond it. */
function nameRows(name: string, tasks: Entry[], explicit: boolean): { count: NameCount; rows: GetRow[] } | undefined {
  const sorted = [...tasks].sort(byLaunch);
  const newest = sorted[sorted.length - 1] as Entry;
  const anyActive = sorted.some((t) => isActive(t.observed.state));
  if (!anyActive && !explicit) {
    if (killedOnRequest(newest.observed) || newest.observed.state === 'TASK_FINISHED') return undefined;
  }
  const spec = [...sorted]
    .reverse()
    .map((t) => specOf(t.observed))
    .find((s) => s !== undefined);
  const desired = spec?.instances ?? Math.max(...sorted.map((t) => t.observed.instance)) + 1;
  const goalFinished = spec?.goal === 'finished';
  const indexes = new Set<number>();
  for (let i = 0; i < desired; i++) indexes.add(i);
  for (const t of sorted) if (isActive(t.observed.state)) indexes.add(t.observed.instance);
  const rows: GetRow[] = [];
  let ready = 0;
  for (const i of [...indexes].sort((a, b) => a - b)) {
    const mine = sorted.filter((t) => t.observed.instance === i);
    const active = mine.filter((t) => isActive(t.observed.state));
    const shown = active.length > 0 ? active : mine.slice(-1);
    if (shown.some((t) => isReady(t.observed, goalFinished)) && i < desired) ready++;
    if (shown.length === 0) rows.push({ name, instance: i, ports: [], managed: true, labels: {} });
    for (const t of shown) rows.push(row(t));
  }
  return { count: { name, desired, ready }, rows };
}

/** Pure: the view `get` prints, from the framework's tasks as the operator API lists them. */
export function getView(tasks: FrameworkTasks['tasks'], q: GetQuery): GetView {
  const picked = tasks.filter(
    (t) =>
      (t.observed.managed || q.all) &&
      (q.name === undefined || t.observed.name === q.name) &&
      matchesSelector(t.observed.labels, q.selector),
  );
  if (q.allStates) {
    const rows = [...picked]
      .sort(
        (a, b) =>
          a.observed.name.localeCompare(b.observed.name) || a.observed.instance - b.observed.instance || byLaunch(a, b),
      )
      .map(row);
    return { names: [], rows };
  }
  const byName = new Map<string, Entry[]>();
  for (const t of picked)
    if (t.observed.managed) byName.set(t.observed.name, [...(byName.get(t.observed.name) ?? []), t]);
  const names: NameCount[] = [];
  const rows: GetRow[] = [];
  for (const name of [...byName.keys()].sort()) {
    const got = nameRows(name, byName.get(name) ?? [], q.name !== undefined);
    if (!got) continue;
    names.push(got.count);
    rows.push(...got.rows);
  }
  const unmanaged = picked.filter((t) => !t.observed.managed && isActive(t.observed.state)).sort(byLaunch);
  rows.push(...unmanaged.map(row));
  return { names, rows };
}
