/**
 * Read-only views of a framework's tasks for get, logs and describe: the operator API
 * only (no subscription, so they never disturb a running apply), plus the agents' files
 * API for sandboxes.
 */
import { pickFramework, type OperatorClient } from '../mesos/operator.js';
import type {
  CommandInfo,
  OperatorAgent,
  OperatorFramework,
  Task,
  TaskInfo,
  TaskState,
  TaskStatus,
} from '../mesos/types.js';
import { observeTask, type ObservedTask } from '../model/observed.js';
import type { TaskSpec } from '../model/spec.js';
import { LABEL_SPEC } from './cluster.js';
import { LABEL_FAILURES, LABEL_RESTARTS, restartCountsOf } from '../model/restart-labels.js';
import { frameworksNamed, removedNotice } from './removed.js';
import { clonePlain } from '../model/clone.js';
import { maskImageSecret } from '../plan/taskinfo.js';

/** One task of `describe`: its state, where it runs, its history and what it was launched with. */
export interface DescribeTask {
  taskId: string;
  state: TaskState;
  agentId?: string;
  host?: string;
  /** A scheduled job's run (its run key, model/ids.ts). */
  run?: string;
  statuses: TaskStatus[];
  /** What it was launched with (the operator API's Task, or the TaskInfo apply built). */
  taskInfo?: Task | TaskInfo;
  /** A controller's relaunches of its instance, this launch included (model/restart-labels.ts); absent: none. */
  restarts?: number;
}

export interface FrameworkTasks {
  frameworkId?: string;
  /** The live framework shown (its holder labels say whether a controller holds it). */
  framework?: OperatorFramework;
  /** Active, unreachable and completed tasks of the framework, with the operator Task. */
  tasks: { observed: ObservedTask; task: Task }[];
  agents: OperatorAgent[];
  /** When no live framework has the name but Mesos removed one: that, in words, with when. */
  removed?: string;
  /** When two live frameworks have the name (a race left a stray): that, naming both ids. */
  duplicate?: string;
}

export async function frameworkTasks(operator: OperatorClient, framework: string): Promise<FrameworkTasks> {
  const [frameworks, all, agents] = await Promise.all([
    operator.getFrameworks(),
    operator.getTasks(),
    operator.getAgents(),
  ]);
  const named = frameworksNamed(frameworks, framework);
  const picked = pickFramework(named.live, framework);
  const id = picked?.framework_info.id?.value;
  if (id === undefined) {
    const removed = removedNotice(framework, named);
    return removed ? { tasks: [], agents: agents.agents, removed } : { tasks: [], agents: agents.agents };
  }
  const duplicate =
    named.live.length > 1
      ? `${named.live.length} frameworks are named '${framework}' (${named.live.map((f) => f.framework_info.id?.value).join(', ')}); showing ${id}. Remove the stray one with: mesos-apply teardown --framework ${framework} --framework-id ID`
      : undefined;
  const host = new Map(agents.agents.map((a) => [a.agent_info.id?.value ?? '', a.agent_info.hostname]));
  const seen = new Set<string>();
  const tasks: FrameworkTasks['tasks'] = [];
  for (const task of [...all.tasks, ...all.unreachable_tasks, ...(all.pending_tasks ?? []), ...all.completed_tasks]) {
    if (task.framework_id.value !== id || seen.has(task.task_id.value)) continue;
    seen.add(task.task_id.value);
    tasks.push({ observed: observeTask(task, host.get(task.agent_id.value)), task });
  }
  return duplicate
    ? { frameworkId: id, framework: picked, tasks, agents: agents.agents, duplicate }
    : { frameworkId: id, framework: picked, tasks, agents: agents.agents };
}

/** The spec an earlier run launched, from its label. */
export function specOf(t: ObservedTask): TaskSpec | undefined {
  const text = t.labels[LABEL_SPEC];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as TaskSpec;
  } catch {
    return undefined;
  }
}

/** The operator's Task does not carry the command: add it back from the spec label (fromEnv values never known). */
export function describeTask(t: { observed: ObservedTask; task: Task }): DescribeTask {
  const spec = specOf(t.observed);
  // The spec and the restart counts are shown on their own, not as labels.
  const hidden = new Set([LABEL_SPEC, LABEL_RESTARTS, LABEL_FAILURES]);
  const labels = { labels: (t.task.labels?.labels ?? []).filter((l) => !hidden.has(l.key)) };
  let info: Task | TaskInfo = t.task.labels === undefined ? t.task : { ...t.task, labels };
  if (spec) {
    const command: CommandInfo = spec.args
      ? { shell: false, value: spec.args[0], arguments: spec.args }
      : spec.command !== undefined
        ? { shell: true, value: spec.command }
        : { shell: false };
    const variables = Object.entries(spec.env).map(([name, v]) => ({
      name,
      value: v.kind === 'value' ? v.value : `<from env ${v.name}>`,
    }));
    if (variables.length > 0) command.environment = { variables };
    info = { ...info, command } as Task & { command: CommandInfo };
  }
  if (info.container?.mesos?.image?.docker?.config?.value !== undefined) {
    info = { ...info, container: clonePlain(info.container) };
    maskImageSecret(info.container, spec);
  }
  const out: DescribeTask = {
    taskId: t.observed.taskId,
    state: t.observed.state,
    agentId: t.observed.agentId,
    statuses: t.observed.statuses ?? [],
    taskInfo: info,
  };
  const { restarts } = restartCountsOf(t.observed.labels);
  if (restarts > 0) out.restarts = restarts;
  if (t.observed.hostname !== undefined) out.host = t.observed.hostname;
  if (t.observed.run !== undefined) out.run = t.observed.run;
  return out;
}

/** fromEnv variable names of the specs behind these tasks (their values are never shown). */
export function secretNames(tasks: FrameworkTasks['tasks']): string[] {
  const names = new Set<string>();
  for (const t of tasks)
    for (const [name, v] of Object.entries(specOf(t.observed)?.env ?? {})) if (v.kind === 'fromEnv') names.add(name);
  return [...names];
}
