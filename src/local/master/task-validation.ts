/**
 * `validation::task::validate` for LAUNCH (src/master/validation.cpp), in Mesos's order;
 * the first failure is the TASK_ERROR message (mesos-protocol §7.1 step 6). Also the
 * normalisation done before it: the offer's allocation role injected into resources that
 * lack one, `role: "*"` dropped, health-check type inferred and defaults filled.
 */
import type { HealthCheck, Resource, TaskInfo } from '../../mesos/types.js';
import { idError } from './ids.js';
import { containsResources, formatResources, normalizeResource, validateResources } from './resources.js';
import { healthTimings } from '../health-defaults.js';

/** Task with normalised resources and health check (a copy; the input is not changed). */
export function normalizeTask(task: TaskInfo, role: string): TaskInfo {
  const inject = (r: Resource): Resource => {
    const n = normalizeResource(r);
    if (!n.allocation_info) n.allocation_info = { role };
    return n;
  };
  const out: TaskInfo = { ...task, resources: (task.resources ?? []).map(inject) };
  if (task.executor) out.executor = { ...task.executor, resources: (task.executor.resources ?? []).map(inject) };
  if (task.health_check) out.health_check = withHealthDefaults(task.health_check);
  return out;
}

/** The proto defaults Mesos emits for a HealthCheck (delay 15, interval 10, timeout 20, 3 failures, grace 10). */
export function withHealthDefaults(h: HealthCheck): HealthCheck {
  const type = h.type ?? (h.command ? 'COMMAND' : h.http ? 'HTTP' : h.tcp ? 'TCP' : undefined);
  return {
    ...healthTimings(h),
    ...(type ? { type } : {}),
    ...(h.command ? { command: { shell: true, ...h.command } } : {}),
    ...(h.http ? { http: { ...h.http } } : {}),
    ...(h.tcp ? { tcp: { ...h.tcp } } : {}),
  };
}

function healthError(h: HealthCheck | undefined): string | undefined {
  if (!h) return undefined;
  if (!h.type || h.type === 'UNKNOWN') return "HealthCheck must specify 'type'";
  if (h.type === 'COMMAND') {
    if (!h.command) return "Expecting 'command' to be set for COMMAND health check";
    if (h.command.shell !== false && !h.command.value) return "Command health check must contain 'shell command'";
    if (h.command.shell === false && !h.command.value) return "Command health check must contain 'executable path'";
  }
  if (h.type === 'HTTP') {
    if (!h.http) return "Expecting 'http' to be set for HTTP health check";
    if (h.http.path !== undefined && !h.http.path.startsWith('/'))
      return `The path '${h.http.path}' of HTTP health check must start with '/'`;
    if (h.http.scheme !== undefined && h.http.scheme !== 'http' && h.http.scheme !== 'https')
      return `Unsupported HTTP health check scheme: '${h.http.scheme}'`;
  }
  if (h.type === 'TCP' && !h.tcp) return "Expecting 'tcp' to be set for TCP health check";
  for (const k of ['delay_seconds', 'interval_seconds', 'timeout_seconds', 'grace_period_seconds'] as const) {
    if ((h[k] ?? 0) < 0) return `Expecting '${k}' to be non-negative`;
  }
  return undefined;
}

function allocationRoleError(resources: readonly Resource[]): string | undefined {
  const roles = [...new Set(resources.map((r) => r.allocation_info?.role ?? ''))];
  if (roles.length > 1) {
    return `The resources have multiple allocation roles ('${roles[0]}' and '${roles[1]}') but only one allocation role is allowed`;
  }
  return undefined;
}

function commandError(task: TaskInfo): string | undefined {
  for (const v of task.command?.environment?.variables ?? []) {
    if ((v.type ?? 'VALUE') === 'VALUE' && v.value === undefined)
      return `Environment variable '${v.name}' of type 'VALUE' must have a value set`;
  }
  return undefined;
}

function containerError(task: TaskInfo): string | undefined {
  const c = task.container;
  if (!c) return undefined;
  // Exactly one source per volume (common/validation.cpp, validateVolume): none is as wrong as two.
  for (const v of c.volumes ?? []) {
    const set = [v.host_path, v.image, v.source].filter((x) => x !== undefined).length;
    if (set !== 1) return "Invalid volume: Only one of them should be set: 'host_path', 'image' and 'source'";
  }
  if (c.type === 'DOCKER') {
    if (!c.docker) return "DockerInfo 'docker' is not set for DOCKER typed ContainerInfo";
    if ((c.docker.parameters ?? []).some((p) => p.key === 'name')) return "Parameter in DockerInfo must not be 'name'";
  }
  return undefined;
}

function executorError(task: TaskInfo, pool: readonly Resource[]): string | undefined {
  if (!task.command === !task.executor)
    return 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present';
  const ex = task.executor;
  if (ex) {
    if (ex.type !== undefined && ex.type !== 'CUSTOM' && ex.type !== 'UNKNOWN')
      return "'ExecutorInfo.type' must be 'CUSTOM'";
    if (!ex.command) return "'ExecutorInfo.command' must be set";
  }
  const total = [...(task.resources ?? []), ...(ex?.resources ?? [])];
  if (!containsResources(pool, total)) {
    return `Total resources ${formatResources(total)} required by task and its executor is more than available ${formatResources(pool)}`;
  }
  return undefined;
}

export interface TaskCheckContext {
  /** Active task ids of the framework, including the ones launched earlier in this ACCEPT. */
  isActive(taskId: string): boolean;
  /** Ids of the framework's tasks on unreachable agents. */
  isUnreachable(taskId: string): boolean;
  offerAgentId: string;
  /** What is left of the accepted offers. */
  pool: readonly Resource[];
}

/** The first validation error of a (normalised) task, or undefined. */
export function validateTask(task: TaskInfo, ctx: TaskCheckContext): string | undefined {
  const id = task.task_id.value;
  const checks: (() => string | undefined)[] = [
    () => idError(id),
    () => (ctx.isActive(id) ? `Task has duplicate ID: ${id}` : undefined),
    () => (ctx.isUnreachable(id) ? `Task reuses the ID of an unreachable task: ${id}` : undefined),
    () =>
      task.agent_id.value !== ctx.offerAgentId
        ? `Task uses invalid agent ${task.agent_id.value} while agent ${ctx.offerAgentId} is expected`
        : undefined,
    () =>
      (task.kill_policy?.grace_period?.nanoseconds ?? 0) < 0
        ? "Task's 'kill_policy.grace_period' must be non-negative"
        : undefined,
    () =>
      (task.max_completion_time?.nanoseconds ?? 0) < 0
        ? "Task's `max_completion_time` must be non-negative"
        : undefined,
    () => prefixed('Task uses invalid health check: ', healthError(task.health_check)),
    () => ((task.resources ?? []).length === 0 ? 'Task uses no resources' : undefined),
    () => prefixed('Task uses invalid resources: ', validateResources(task.resources ?? [])),
    () => prefixed('Invalid task resources: ', allocationRoleError(task.resources ?? [])),
    () => prefixed("Task's `CommandInfo` is invalid: ", commandError(task)),
    () => prefixed("Task's `ContainerInfo` is invalid: ", containerError(task)),
    () => executorError(task, ctx.pool),
  ];
  for (const check of checks) {
    const e = check();
    if (e) return e;
  }
  return undefined;
}

const prefixed = (prefix: string, e: string | undefined): string | undefined => (e ? prefix + e : undefined);
