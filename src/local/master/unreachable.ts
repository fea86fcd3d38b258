/**
 * Agents that stop answering pings, as Mesos 1.12's master handles them
 * (`Master::markUnreachable`, `__removeSlave`, `__reregisterSlave`; mesos-protocol §6.2, §9):
 *
 *  - Marked unreachable: the agent leaves the registered set (no more offers; its
 *    outstanding offers are rescinded). Each of its tasks gets a master update
 *    (SOURCE_MASTER, REASON_AGENT_REMOVED, no uuid, `unreachable_time`): TASK_UNREACHABLE
 *    for PARTITION_AWARE frameworks, TASK_LOST otherwise; resources are released and the
 *    task moves to its framework's unreachable tasks. Connected frameworks then get a
 *    FAILURE event naming the agent. Disconnected ones miss all of it, as in Mesos.
 *  - Re-registered: every task the agent still has comes back into the active sets (for
 *    every framework: since Mesos 1.5 neither kind is shut down), each announced by a
 *    master update with the agent's state of it ("Unreachable agent re-reregistered",
 *    REASON_AGENT_REREGISTERED, no uuid). Unreachable tasks the agent no longer has are
 *    forgotten (reconciliation then answers TASK_GONE / TASK_LOST). Frameworks the master
 *    has removed meanwhile are shut down on the agent. Then the agent resends its pending
 *    updates.
 */
import { rescindOffer } from './allocator.js';
import { normalizeResource, subtractFrom, sumResources, withAllocation } from './resources.js';
import {
  hasCap,
  isTerminal,
  taskKey,
  type MasterAgent,
  type MasterFramework,
  type MasterState,
  type MasterTask,
} from './state.js';
import { keepStatus, masterStatus, sendUpdate, unreachableStatus, updateTask, withLatestHealth } from './tasks.js';
import type { TaskStatus } from '../../mesos/types.js';
import type { AgentTaskReport } from '../agent-link.js';

/** `Master::markUnreachable` + `__removeSlave` for a registered agent. */
export function markUnreachable(m: MasterState, agent: MasterAgent, message: string, now = Date.now()): void {
  if (m.agents.get(agent.id) !== agent) return;
  // Out of the allocator first, so nothing re-offers what its tasks release.
  m.agents.delete(agent.id);
  m.unreachableAgents.set(agent.id, { agent, sinceMs: now });
  for (const task of [...agent.tasks.values()]) {
    const fw = m.frameworks.get(task.frameworkId);
    const pa = fw !== undefined && hasCap(fw, 'PARTITION_AWARE');
    const status = unreachableStatus(task.info.task_id.value, pa, message, 'REASON_AGENT_REMOVED', agent.id, now);
    updateTask(m, task, status);
    agent.tasks.delete(taskKey(task.frameworkId, task.info.task_id.value));
    if (fw === undefined) continue;
    fw.tasks.delete(task.info.task_id.value);
    keepUnreachable(m, fw, task);
    sendUpdate(fw, status);
  }
  for (const offer of [...m.offers.values()]) if (offer.agentId === agent.id) rescindOffer(m, offer, true);
  for (const fw of m.frameworks.values())
    fw.stream?.send({ type: 'FAILURE', failure: { agent_id: { value: agent.id } } });
}

/** `Framework::addUnreachableTask`: a bounded cache, the oldest entry goes first. */
function keepUnreachable(m: MasterState, fw: MasterFramework, task: MasterTask): void {
  fw.unreachableTasks.delete(task.info.task_id.value);
  fw.unreachableTasks.set(task.info.task_id.value, task);
  while (fw.unreachableTasks.size > m.config.maxUnreachableTasksPerFramework) {
    const oldest = fw.unreachableTasks.keys().next().value as string;
    fw.unreachableTasks.delete(oldest);
  }
}

/**
 * `__reregisterSlave` for an agent marked unreachable; returns the re-admitted agent, or
 * undefined when the agent was not unreachable (a registered agent that heard the master
 * again has nothing to re-register here: it never gave the master up).
 */
export function reregisterAgent(m: MasterState, agentId: string, now = Date.now()): MasterAgent | undefined {
  const gone = m.unreachableAgents.get(agentId);
  if (gone === undefined) return undefined;
  const handle = gone.agent.handle;
  const reports = handle.reregistration();
  const completed = new Set(m.completedFrameworks.map((f) => f.id));
  const agent: MasterAgent = {
    id: agentId,
    handle,
    total: gone.agent.total,
    free: gone.agent.total.map(normalizeResource),
    tasks: new Map(),
    registeredMs: now,
    reregisteredMs: now,
  };
  const announced: [MasterFramework, TaskStatus][] = [];
  for (const report of reports) {
    const fwId = report.framework.id.value;
    if (completed.has(fwId)) continue;
    const fw = m.frameworks.get(fwId);
    const task = recoveredTask(agentId, report);
    agent.tasks.set(taskKey(fwId, task.info.task_id.value), task);
    if (!isTerminal(task.state)) for (const r of withAllocation(task.resources, undefined)) subtractFrom(agent.free, r);
    if (fw === undefined) continue;
    fw.unreachableTasks.delete(task.info.task_id.value);
    // A task the master had declared terminal that comes back from the agent is tracked once.
    fw.completedTasks = fw.completedTasks.filter((t) => t.info.task_id.value !== task.info.task_id.value);
    fw.tasks.set(task.info.task_id.value, task);
    announced.push([fw, reregisteredStatus(agentId, report)]);
  }
  // Unreachable tasks the agent no longer has are forgotten.
  for (const fw of m.frameworks.values())
    for (const [id, t] of fw.unreachableTasks) if (t.agentId === agentId) fw.unreachableTasks.delete(id);
  m.unreachableAgents.delete(agentId);
  m.agents.set(agentId, agent);
  for (const [fw, status] of announced) sendUpdate(fw, status);
  for (const fwId of new Set(reports.map((r) => r.framework.id.value)))
    if (completed.has(fwId)) handle.shutdownFramework(fwId);
  handle.resumeUpdates();
  return agent;
}

/** The master's Task for one the agent reports (statuses as the master keeps them: one per state in a row, no data). */
function recoveredTask(agentId: string, report: AgentTaskReport): MasterTask {
  const resources = sumResources(report.task.resources ?? [], report.task.executor?.resources ?? []);
  const statuses: TaskStatus[] = [];
  for (const s of report.statuses) keepStatus(statuses, s);
  return {
    frameworkId: report.framework.id.value,
    agentId,
    info: report.task,
    role: report.task.resources?.[0]?.allocation_info?.role ?? '*',
    resources,
    state: report.state,
    statuses,
    ...(report.statusUpdateState ? { statusUpdateState: report.statusUpdateState } : {}),
    ...(report.statusUpdateUuid ? { statusUpdateUuid: report.statusUpdateUuid } : {}),
  };
}

/** The master's announcement of a task that came back with its agent. */
function reregisteredStatus(agentId: string, report: AgentTaskReport): TaskStatus {
  const status = masterStatus(
    report.task.task_id.value,
    report.state,
    'Unreachable agent re-reregistered',
    'REASON_AGENT_REREGISTERED',
    agentId,
  );
  return withLatestHealth(status, report.statuses[report.statuses.length - 1]);
}
