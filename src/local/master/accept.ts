/**
 * ACCEPT (`Master::accept` → `_accept`, mesos-protocol §7.1): offer validation for the whole
 * call, then the operations in order, each LAUNCH task judged on its own against what is
 * left of the offers; the remainder is declined with the call's filters. O(tasks): no
 * per-task scan of the cluster state.
 *
 * Only LAUNCH is carried out. An ACCEPT carrying any other operation Mesos has
 * (LAUNCH_GROUP, reservations, volumes, disks) is refused before anything happens, the
 * way Mesos refuses a call it does not implement: HTTP 501 (see `unsupportedOperation`).
 * An operation without a known type is ignored, as Mesos ignores it.
 */
import type { AcceptCall, Operation, Resource, TaskInfo } from '../../mesos/types.js';
import { refuseMs, returnResources, takeOffer } from './allocator.js';
import { subtractFrom, sumResources, validateResources } from './resources.js';
import {
  hasCap,
  taskKey,
  type MasterAgent,
  type MasterFramework,
  type MasterOffer,
  type MasterState,
  type MasterTask,
} from './state.js';
import { masterStatus, sendUpdate } from './tasks.js';
import { normalizeTask, validateTask } from './task-validation.js';

/** The first operation type of the call that this master does not carry out, if any. */
export function unsupportedOperation(call: AcceptCall): string | undefined {
  return (call.operations ?? []).map((op) => op.type).find((t) => t !== undefined && t !== 'LAUNCH' && t !== 'UNKNOWN');
}

function launchTasks(op: Operation): TaskInfo[] {
  if (op.type === 'LAUNCH') return op.launch?.task_infos ?? [];
  if (op.type === 'LAUNCH_GROUP') return op.launch_group?.task_group.tasks ?? [];
  return [];
}

/** First offer-level error, with the offers that were valid (`offer::validate`). */
function validateOffers(
  m: MasterState,
  fw: MasterFramework,
  ids: readonly string[],
): { error?: string; valid: MasterOffer[] } {
  const valid: MasterOffer[] = [];
  let error: string | undefined;
  const seen = new Set<string>();
  if (ids.length === 0) error = 'No offers specified';
  for (const id of ids) {
    if (seen.has(id)) {
      error ??= `Duplicate offer ${id} in offer list`;
      continue;
    }
    seen.add(id);
    const offer = m.offers.get(id);
    if (!offer) {
      error ??= `Offer ${id} is no longer valid`;
      continue;
    }
    if (offer.frameworkId !== fw.id) {
      error ??= `Offer ${id} has invalid framework ${offer.frameworkId} while framework ${fw.id} is expected`;
      continue;
    }
    valid.push(offer);
  }
  const first = valid[0];
  for (const o of valid) {
    if (error) break;
    if (o.role !== first.role)
      error = `Aggregated offers must be allocated to the same role. Offer ${o.id} uses role '${o.role} but another is using role '${first.role}`;
    else if (o.agentId !== first.agentId)
      error = `Aggregated offers must belong to one single agent. Offer ${o.id} uses agent ${o.agentId} and agent ${first.agentId}`;
  }
  return { error, valid };
}

export function accept(m: MasterState, fw: MasterFramework, call: AcceptCall): void {
  const ops = call.operations ?? [];
  const { error, valid } = validateOffers(
    m,
    fw,
    (call.offer_ids ?? []).map((o) => o.value),
  );
  if (error) {
    // The still-valid offers are discarded; their resources return without a filter.
    for (const o of valid) {
      takeOffer(m, o);
      returnResources(m, o.agentId, o.resources);
    }
    const state = hasCap(fw, 'PARTITION_AWARE') ? 'TASK_DROPPED' : 'TASK_LOST';
    for (const op of ops)
      for (const t of launchTasks(op)) {
        sendUpdate(
          fw,
          masterStatus(
            t.task_id.value,
            state,
            `Task launched with invalid offers: ${error}`,
            'REASON_INVALID_OFFERS',
            t.agent_id.value,
          ),
        );
      }
    return;
  }
  for (const o of valid) takeOffer(m, o);
  const agent = m.agents.get(valid[0].agentId) as MasterAgent;
  const role = valid[0].role;
  const pool = sumResources(...valid.map((o) => o.resources));
  for (const op of ops) runOperation(fw, agent, role, pool, op);
  returnResources(m, agent.id, pool, { fw, role, ms: refuseMs(m, call.filters) });
}

function taskError(fw: MasterFramework, t: TaskInfo, message: string): void {
  sendUpdate(fw, masterStatus(t.task_id.value, 'TASK_ERROR', message, 'REASON_TASK_INVALID', t.agent_id.value));
}

function runOperation(fw: MasterFramework, agent: MasterAgent, role: string, pool: Resource[], op: Operation): void {
  if (op.type !== 'LAUNCH' || !op.launch) return;
  const tasks = op.launch.task_infos ?? [];
  const resourceError = tasks
    .map((t) => validateResources([...(t.resources ?? []), ...(t.executor?.resources ?? [])]))
    .find((e) => e);
  const opError = resourceError ?? (op.id ? 'The `id` field cannot be set on LAUNCH operations' : undefined);
  if (opError) {
    for (const t of tasks) taskError(fw, t, opError);
    return;
  }
  for (const raw of tasks) {
    const task = normalizeTask(raw, role);
    const error = validateTask(task, {
      isActive: (id) => fw.tasks.has(id),
      isUnreachable: (id) => fw.unreachableTasks.has(id),
      offerAgentId: agent.id,
      pool,
    });
    if (error) {
      taskError(fw, raw, error);
      continue;
    }
    launch(fw, agent, role, pool, task);
  }
}

function launch(fw: MasterFramework, agent: MasterAgent, role: string, pool: Resource[], task: TaskInfo): void {
  const resources = sumResources(task.resources ?? [], task.executor?.resources ?? []);
  for (const r of resources) subtractFrom(pool, r);
  const record: MasterTask = {
    frameworkId: fw.id,
    agentId: agent.id,
    info: task,
    role,
    resources,
    state: 'TASK_STAGING',
    statuses: [],
  };
  fw.tasks.set(task.task_id.value, record);
  agent.tasks.set(taskKey(fw.id, task.task_id.value), record);
  agent.handle.runTask(fw.info, task);
}
