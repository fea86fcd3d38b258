/**
 * ObservedTask: what apply knows of one current task of its framework, built from the
 * operator API's GET_TASKS (active, unreachable and completed lists) and refreshed by
 * status updates (reconciliation answers, live UPDATE events).
 *
 * Invariants:
 * - one ObservedTask per task id: the master may list an id twice (a completed task and a
 *   new task with a reused id); the non-gone one wins, else the one listed first;
 * - identity (name, instance, spec hash, managed, run) comes only from labels (`parseTaskIdentity`),
 *   never from the id, because updates carry no labels: a status for an id we have not seen
 *   is ignored by `applyStatus` rather than invented into a task.
 */

import type { GetTasks, OperatorAgent, Resource, Task, TaskState, TaskStatus } from './wire.js';
import { labelMap, parseTaskIdentity } from './ids.js';
import * as ranges from './ranges.js';
import { isGone } from './states.js';

export interface ObservedTask {
  taskId: string;
  name: string;
  /** -1 when unmanaged. */
  instance: number;
  specHash: string;
  managed: boolean;
  /** The scheduled run it belongs to (model/ids.ts); absent for other tasks. */
  run?: string;
  state: TaskState;
  /** From the newest status that carried `healthy`; undefined: no health information. */
  healthy?: boolean;
  agentId: string;
  hostname?: string;
  /** Host ports held by the task (its `ports` resources). */
  ports: number[];
  /** Host port → its name, from the TaskInfo's discovery info (which apply sets). */
  portNames?: Record<number, string>;
  labels: Record<string, string>;
  statuses?: TaskStatus[];
  lastStatus?: TaskStatus;
}

/** A host port with the name the manifest gave it (null: unnamed, or not a managed task). */
export interface NamedPort {
  name: string | null;
  hostPort: number;
}

/** The task's host ports, each with its name: the one shape of ports in every document. */
export function namedPortsOf(o: Pick<ObservedTask, 'ports' | 'portNames'>): NamedPort[] {
  return o.ports.map((hostPort) => ({ name: o.portNames?.[hostPort] ?? null, hostPort }));
}

/** More than this many ports in one task is not one of ours; do not expand them all. */
const MAX_LISTED_PORTS = 1024;

export function portsOf(resources: readonly Resource[] | undefined): number[] {
  const out: number[] = [];
  for (const r of resources ?? []) {
    if (r.name !== 'ports' || r.type !== 'RANGES') continue;
    for (const range of ranges.fromWire(r.ranges)) {
      for (let p = range.begin; p <= range.end && out.length < MAX_LISTED_PORTS; p++) out.push(p);
    }
  }
  return out.sort((a, b) => a - b);
}

function healthOf(statuses: readonly TaskStatus[]): boolean | undefined {
  for (let i = statuses.length - 1; i >= 0; i--) {
    const h = statuses[i]?.healthy;
    if (h !== undefined) return h;
  }
  return undefined;
}

export function observeTask(task: Task, hostname?: string): ObservedTask {
  const identity = parseTaskIdentity(task);
  const statuses = task.statuses ?? [];
  const observed: ObservedTask = {
    taskId: task.task_id.value,
    ...identity,
    state: task.state,
    agentId: task.agent_id.value,
    ports: portsOf(task.resources),
    labels: labelMap(task.labels),
  };
  const named = task.discovery?.ports?.ports?.filter((p) => p.name) ?? [];
  if (named.length > 0) observed.portNames = Object.fromEntries(named.map((p) => [p.number, p.name as string]));
  const healthy = healthOf(statuses);
  if (healthy !== undefined) observed.healthy = healthy;
  if (hostname !== undefined) observed.hostname = hostname;
  if (statuses.length > 0) {
    observed.statuses = statuses;
    observed.lastStatus = statuses[statuses.length - 1];
  }
  return observed;
}

/** The tasks of one framework, from GET_TASKS (all frameworks) and GET_AGENTS (hostnames). */
export function observeTasks(
  tasks: Partial<GetTasks>,
  frameworkId: string,
  agents: readonly OperatorAgent[] = [],
): ObservedTask[] {
  const hostnames = new Map<string, string>();
  for (const a of agents) if (a.agent_info.id) hostnames.set(a.agent_info.id.value, a.agent_info.hostname);
  const all = [
    ...(tasks.tasks ?? []),
    ...(tasks.pending_tasks ?? []),
    ...(tasks.unreachable_tasks ?? []),
    ...(tasks.completed_tasks ?? []),
  ].filter((t) => t.framework_id.value === frameworkId);
  const byId = new Map<string, ObservedTask>();
  for (const t of all) {
    const seen = byId.get(t.task_id.value);
    if (seen !== undefined && (isGone(t.state) || !isGone(seen.state))) continue;
    byId.set(t.task_id.value, observeTask(t, hostnames.get(t.agent_id.value)));
  }
  return [...byId.values()];
}

/**
 * The tasks one apply run knows, looked up by id: apply folds a status update into them
 * for every update it receives (1,000 for 500 tasks), so neither a lookup nor a fold scans
 * the list. A task object is never changed: a fold replaces it in `list`.
 */
export class ObservedTasks {
  readonly list: ObservedTask[] = [];
  /** Index in `list` of each id's first entry (the one a `find` would pick). */
  private readonly at = new Map<string, number>();
  /** Counts the changes to `list`: equal counts, the same tasks in the same states. */
  private changes = 0;

  get version(): number {
    return this.changes;
  }

  constructor(tasks: readonly ObservedTask[] = []) {
    for (const t of tasks) this.add(t);
  }

  add(task: ObservedTask): void {
    if (!this.at.has(task.taskId)) this.at.set(task.taskId, this.list.length);
    this.list.push(task);
    this.changes += 1;
  }

  get(taskId: string): ObservedTask | undefined {
    const i = this.at.get(taskId);
    return i === undefined ? undefined : this.list[i];
  }

  /** Folds one status update into its task; an unknown id is ignored. */
  applyStatus(status: TaskStatus): void {
    const i = this.at.get(status.task_id.value);
    if (i === undefined) return;
    const t = this.list[i] as ObservedTask;
    const next: ObservedTask = { ...t, state: status.state, lastStatus: status };
    if (status.healthy !== undefined) next.healthy = status.healthy;
    if (status.agent_id !== undefined) next.agentId = status.agent_id.value;
    this.list[i] = next;
    this.changes += 1;
  }
}
