/**
 * Task bookkeeping on the master side of the status-update protocol (mesos-protocol §6.4,
 * §8, §9): forwarding agent updates while the framework is connected, tracking the
 * agent's latest state (resources are freed as soon as it is terminal), removing a task
 * only when its terminal update is acknowledged, reconciliation answers, KILL.
 */
import type { AgentStatusUpdate } from '../agent-link.js';
import type { KillCall, ReconcileCall, TaskState, TaskStatus, TaskStatusReason } from '../../mesos/types.js';
import { releaseTaskResources } from './allocator.js';
import { nowNanos, sameUuid } from './ids.js';
import { hasCap, isTerminal, taskKey, type MasterFramework, type MasterState, type MasterTask } from './state.js';

/** A master-generated status: SOURCE_MASTER, never a uuid (Trap 11). */
export function masterStatus(
  taskId: string,
  state: TaskState,
  message: string,
  reason: TaskStatusReason,
  agentId?: string,
): TaskStatus {
  return {
    task_id: { value: taskId },
    state,
    message,
    source: 'SOURCE_MASTER',
    reason,
    ...(agentId ? { agent_id: { value: agentId } } : {}),
    timestamp: Date.now() / 1000,
  };
}

/** Appends `status` as the master keeps it: without `data`, replacing a last status of the same state. */
export function keepStatus(statuses: TaskStatus[], status: TaskStatus): void {
  if (statuses[statuses.length - 1]?.state === status.state) statuses.pop();
  const { data: _data, ...kept } = status;
  statuses.push(kept);
}

/** `status` with the health verdict and container status of the task's latest status, as the master answers. */
export function withLatestHealth(status: TaskStatus, latest: TaskStatus | undefined): TaskStatus {
  if (latest?.healthy !== undefined) status.healthy = latest.healthy;
  if (latest?.container_status) status.container_status = latest.container_status;
  return status;
}

/** The master's word on a task of an agent unreachable since `sinceMs`: TASK_UNREACHABLE, or TASK_LOST to a framework that is not partition-aware. */
export function unreachableStatus(
  taskId: string,
  partitionAware: boolean,
  message: string,
  reason: TaskStatusReason,
  agentId: string,
  sinceMs: number,
): TaskStatus {
  return {
    ...masterStatus(taskId, partitionAware ? 'TASK_UNREACHABLE' : 'TASK_LOST', message, reason, agentId),
    unreachable_time: { nanoseconds: nowNanos(sinceMs) },
  };
}

export function sendUpdate(fw: MasterFramework, status: TaskStatus): void {
  fw.stream?.send({ type: 'UPDATE', update: { status } });
}

/** An update from an agent's reliable queue (a first send or a retry). */
export function onAgentUpdate(m: MasterState, update: AgentStatusUpdate): void {
  const fw = m.frameworks.get(update.frameworkId);
  const agentId = update.status.agent_id?.value ?? '';
  const task = m.agents.get(agentId)?.tasks.get(taskKey(update.frameworkId, update.status.task_id.value));
  // Forwarded only while connected; otherwise the agent's retry brings it later.
  if (fw?.stream) {
    if (task && update.status.uuid) {
      task.statusUpdateState = update.status.state;
      task.statusUpdateUuid = update.status.uuid;
    }
    sendUpdate(fw, update.status);
  }
  if (task) updateTask(m, task, update.status, update.latestState);
}

/** `Master::updateTask`: latest state, statuses history, resources freed on the first terminal state. */
export function updateTask(
  m: MasterState,
  task: MasterTask,
  status: TaskStatus,
  latestState: TaskState = status.state,
): void {
  const becameDone =
    !isTerminal(task.state) &&
    task.state !== 'TASK_UNREACHABLE' &&
    (isTerminal(latestState) || latestState === 'TASK_UNREACHABLE');
  if (!isTerminal(task.state)) task.state = latestState;
  keepStatus(task.statuses, status);
  if (becameDone) releaseTaskResources(m, task.agentId, task.resources);
}

/** Drops a task from the active sets into the framework's bounded completed list. */
export function removeTask(m: MasterState, task: MasterTask): void {
  const fw = m.frameworks.get(task.frameworkId);
  const key = taskKey(task.frameworkId, task.info.task_id.value);
  m.agents.get(task.agentId)?.tasks.delete(key);
  if (!isTerminal(task.state) && task.state !== 'TASK_UNREACHABLE')
    releaseTaskResources(m, task.agentId, task.resources);
  if (!fw) return;
  fw.tasks.delete(task.info.task_id.value);
  addCompletedTask(m, fw, task);
}

/** `Framework::addCompletedTask`: a bounded list, the oldest goes first. */
export function addCompletedTask(m: MasterState, fw: MasterFramework, task: MasterTask): void {
  fw.completedTasks.push(task);
  if (fw.completedTasks.length > m.config.maxCompletedTasksPerFramework) fw.completedTasks.shift();
}

/** ACKNOWLEDGE: unknown agents drop it; the acked terminal update removes the task; the agent gets it regardless. */
export function acknowledge(m: MasterState, fw: MasterFramework, agentId: string, taskId: string, uuid: string): void {
  const agent = m.agents.get(agentId);
  if (!agent) return;
  const task = agent.tasks.get(taskKey(fw.id, taskId));
  if (task?.statusUpdateState && isTerminal(task.statusUpdateState) && sameUuid(task.statusUpdateUuid, uuid))
    removeTask(m, task);
  agent.handle.acknowledge(fw.id, taskId, uuid);
}

function latestStatus(task: MasterTask): TaskStatus | undefined {
  return task.statuses[task.statuses.length - 1];
}

/** "Reconciliation: Latest task state" for a known task: the last forwarded state, else the master's. */
function knownTaskAnswer(task: MasterTask): TaskStatus {
  const latest = latestStatus(task);
  const status = masterStatus(
    task.info.task_id.value,
    task.statusUpdateState ?? task.state,
    'Reconciliation: Latest task state',
    'REASON_RECONCILIATION',
    task.agentId,
  );
  return withLatestHealth(status, latest);
}

/**
 * RECONCILE, implicit (no tasks) or explicit; answers carry no uuid and are never retried.
 * Unreachable tasks are not in the active set: implicit reconciliation leaves them out, and
 * an explicit one answers from their agent's state (no master failover here, so never "no reply").
 */
export function reconcile(m: MasterState, fw: MasterFramework, call: ReconcileCall): void {
  const wanted = call.tasks ?? [];
  if (wanted.length === 0) {
    for (const task of fw.tasks.values()) sendUpdate(fw, knownTaskAnswer(task));
    return;
  }
  const pa = hasCap(fw, 'PARTITION_AWARE');
  for (const t of wanted) {
    const task = fw.tasks.get(t.task_id.value);
    if (task) {
      sendUpdate(fw, knownTaskAnswer(task));
      continue;
    }
    const agentId = t.agent_id?.value;
    const unreachable = agentId === undefined ? undefined : m.unreachableAgents.get(agentId);
    if (agentId && m.agents.has(agentId)) {
      sendUpdate(
        fw,
        masterStatus(
          t.task_id.value,
          pa ? 'TASK_GONE' : 'TASK_LOST',
          'Reconciliation: Task is unknown to the agent',
          'REASON_RECONCILIATION',
          agentId,
        ),
      );
    } else if (agentId && unreachable) {
      sendUpdate(
        fw,
        unreachableStatus(
          t.task_id.value,
          pa,
          'Reconciliation: Task is unreachable',
          'REASON_RECONCILIATION',
          agentId,
          unreachable.sinceMs,
        ),
      );
    } else {
      sendUpdate(
        fw,
        masterStatus(
          t.task_id.value,
          pa ? 'TASK_UNKNOWN' : 'TASK_LOST',
          'Reconciliation: Task is unknown',
          'REASON_RECONCILIATION',
        ),
      );
    }
  }
}

/** KILL: unknown task → explicit reconciliation of it; wrong agent → ignored; else forwarded (repeats too). */
export function kill(m: MasterState, fw: MasterFramework, call: KillCall): void {
  const taskId = call.task_id.value;
  const task = fw.tasks.get(taskId);
  if (!task) {
    reconcile(m, fw, { tasks: [{ task_id: call.task_id, ...(call.agent_id ? { agent_id: call.agent_id } : {}) }] });
    return;
  }
  if (call.agent_id && call.agent_id.value !== task.agentId) return;
  m.agents.get(task.agentId)?.handle.killTask(fw.id, taskId, call.kill_policy ?? task.info.kill_policy);
}
