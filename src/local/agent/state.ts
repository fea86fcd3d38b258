/**
 * The agent's legacy `/state` JSON (what `GET /state` and `/slave(1)/state` of a Mesos
 * 1.12 agent answer; see the recorded transcript): plain-string ids, `slave_id`,
 * summarised resources (`{"cpus": 0.2, "ports": "[31000-31000]"}`), `frameworks[]` with
 * `executors[]` (id, name, source, container, directory, resources, tasks, queued_tasks,
 * completed_tasks), `completed_executors[]`, and `completed_frameworks[]`.
 */
import type { Attribute, FrameworkInfo, Resource, TaskInfo, TaskState, TaskStatus } from '../../mesos/types.js';
import { versionInfo } from '../version.js';
import { agentFlags } from './flags.js';

export interface ExecutorView {
  executorId: string;
  name: string;
  containerId: string;
  directory: string;
  task: TaskInfo;
  frameworkId: string;
  agentId: string;
  state: TaskState;
  statuses: TaskStatus[];
  /** The task's terminal update was acknowledged. */
  taskCompleted: boolean;
}

export interface FrameworkView {
  info: FrameworkInfo & { id: { value: string } };
  executors: ExecutorView[];
  completedExecutors: ExecutorView[];
}

export interface AgentView {
  id: string;
  pid: string;
  hostname: string;
  port: number;
  workDir: string;
  startTime: number;
  resources: Resource[];
  attributes: Attribute[];
  frameworks: FrameworkView[];
  completedFrameworks: FrameworkView[];
  /** The docker CLI the agent uses. */
  docker?: string;
}

/** `cpus:2;mem:2048;ports:[31000-32000]`, the `--resources` text of these resources. */
function resourcesText(resources: Resource[]): string {
  return resources
    .map((r) => {
      if (r.type === 'SCALAR') return `${r.name}:${r.scalar?.value ?? 0}`;
      if (r.type === 'RANGES')
        return `${r.name}:[${(r.ranges?.range ?? []).map((x) => `${x.begin}-${x.end}`).join(',')}]`;
      return `${r.name}:{${(r.set?.item ?? []).join(',')}}`;
    })
    .join(';');
}

/** Command-executor overhead that Mesos adds to the task's resources. */
const EXECUTOR_OVERHEAD: Resource[] = [
  { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
];

/** Mesos's legacy resources model: scalars summed (cpus, gpus, mem, disk always present). */
export function summarizeResources(resources: Resource[]): Record<string, number | string> {
  const out: Record<string, number | string> = { disk: 0, mem: 0, gpus: 0, cpus: 0 };
  const ranges = new Map<string, string[]>();
  for (const r of resources) {
    if (r.type === 'SCALAR' && r.scalar)
      out[r.name] = Math.round((((out[r.name] as number | undefined) ?? 0) + r.scalar.value) * 1000) / 1000;
    else if (r.type === 'RANGES') {
      const list = ranges.get(r.name) ?? [];
      for (const range of r.ranges?.range ?? []) list.push(`${range.begin}-${range.end}`);
      ranges.set(r.name, list);
    } else if (r.type === 'SET') out[r.name] = `{${(r.set?.item ?? []).join(', ')}}`;
  }
  for (const [name, list] of ranges) out[name] = `[${list.join(', ')}]`;
  return out;
}

function attributesModel(attributes: Attribute[]): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const a of attributes) {
    if (a.type === 'SCALAR' && a.scalar) out[a.name] = a.scalar.value;
    else if (a.type === 'TEXT' && a.text) out[a.name] = a.text.value;
    else if (a.type === 'RANGES')
      out[a.name] = `[${(a.ranges?.range ?? []).map((r) => `${r.begin}-${r.end}`).join(', ')}]`;
    else if (a.type === 'SET') out[a.name] = `{${(a.set?.item ?? []).join(', ')}}`;
  }
  return out;
}

function roleOf(task: TaskInfo): string {
  const first = task.resources?.[0];
  return first?.allocation_info?.role ?? first?.role ?? '*';
}

function statusModel(status: TaskStatus): Record<string, unknown> {
  const out: Record<string, unknown> = { state: status.state, timestamp: status.timestamp };
  if (status.container_status) {
    const { executor_pid: _pid, ...rest } = status.container_status;
    out['container_status'] = rest;
  }
  if (status.healthy !== undefined) out['healthy'] = status.healthy;
  return out;
}

function taskModel(e: ExecutorView): Record<string, unknown> {
  const t = e.task;
  const out: Record<string, unknown> = {
    id: t.task_id.value,
    name: t.name,
    framework_id: e.frameworkId,
    executor_id: '',
    slave_id: e.agentId,
    state: e.state,
    resources: summarizeResources(t.resources ?? []),
    role: roleOf(t),
    statuses: e.statuses.map(statusModel),
  };
  if (t.labels?.labels) out['labels'] = t.labels.labels;
  if (t.discovery) out['discovery'] = t.discovery;
  if (t.container) out['container'] = t.container;
  if (t.health_check) out['health_check'] = t.health_check;
  if (t.kill_policy) out['kill_policy'] = t.kill_policy;
  return out;
}

function executorModel(e: ExecutorView, active: boolean): Record<string, unknown> {
  const running = active && !e.taskCompleted;
  const out: Record<string, unknown> = {
    id: e.executorId,
    name: e.name,
    source: e.executorId,
    container: e.containerId,
    directory: e.directory,
    resources: summarizeResources([...(e.task.resources ?? []), ...(running ? EXECUTOR_OVERHEAD : [])]),
    role: roleOf(e.task),
  };
  if (e.task.labels?.labels) out['labels'] = e.task.labels.labels;
  out['tasks'] = e.taskCompleted ? [] : [taskModel(e)];
  out['queued_tasks'] = [];
  out['completed_tasks'] = e.taskCompleted ? [taskModel(e)] : [];
  return out;
}

function frameworkModel(f: FrameworkView): Record<string, unknown> {
  const i = f.info;
  return {
    id: i.id.value,
    name: i.name,
    user: i.user,
    failover_timeout: i.failover_timeout ?? 0,
    checkpoint: i.checkpoint ?? false,
    hostname: i.hostname ?? '',
    roles: i.roles ?? (i.role !== undefined ? [i.role] : ['*']),
    executors: f.executors.map((e) => executorModel(e, true)),
    completed_executors: f.completedExecutors.map((e) => executorModel(e, false)),
  };
}

export function agentStateModel(a: AgentView): Record<string, unknown> {
  const total = summarizeResources(a.resources);
  const used: Resource[] = [];
  for (const f of a.frameworks)
    for (const e of f.executors) if (!e.taskCompleted) used.push(...(e.task.resources ?? []), ...EXECUTOR_OVERHEAD);
  return {
    ...versionInfo(a.startTime * 1000),
    start_time: a.startTime,
    master_hostname: a.hostname,
    log_dir: a.workDir,
    flags: agentFlags({
      workDir: a.workDir,
      port: a.port,
      docker: a.docker ?? 'docker',
      resourcesText: resourcesText(a.resources),
      ip: a.pid.slice(a.pid.lastIndexOf('@') + 1).split(':')[0] ?? '',
    }),
    id: a.id,
    pid: a.pid,
    hostname: a.hostname,
    capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'],
    resources: total,
    reserved_resources: {},
    unreserved_resources: total,
    reserved_resources_full: {},
    unreserved_resources_full: a.resources.map((r) => ({ ...r, role: r.role ?? '*' })),
    reserved_resources_allocated: {},
    unreserved_resources_allocated: summarizeResources(used),
    resource_providers: [],
    attributes: attributesModel(a.attributes),
    frameworks: a.frameworks.map(frameworkModel),
    completed_frameworks: a.completedFrameworks.map(frameworkModel),
  };
}
