/**
 * Before a run leaves: the updates the agents still hold unacknowledged for the framework's
 * tasks, acknowledged from the master's view. A run killed mid-launch leaves each task's
 * update stream with its head unacknowledged (and more queued behind it); the agent resends
 * only the head, and the next one only after that head is acknowledged, so a run that leaves
 * once its own work is done would leave the rest for a third run.
 *
 * The master's GET_TASKS names, per task, the update it last forwarded (`status_update_uuid`,
 * `status_update_state`) and the latest state the agent knows (`state`). A forwarded uuid this
 * run has not acknowledged is acknowledged now (acknowledging one twice is harmless: the agent
 * drops a duplicate); a task whose forwarded state is behind its latest state has more updates
 * queued, so the master is read again until every task's forwarded update is acknowledged and
 * current, or the deadline passes. Never relies on anything but the operator API and ACKNOWLEDGE.
 */
import type { OperatorClient } from '../mesos/operator.js';
import type { SchedulerSession } from '../mesos/scheduler.js';
import type { Acknowledger } from './acks.js';
import type { StreamHead } from './cluster.js';

export interface PendingAcksOptions {
  deadline: number;
  now: () => number;
  pollMs: number;
  sleep: (ms: number) => Promise<void>;
  /**
   * The framework's tasks as this run read them at its start, when nothing has changed
   * since (the run launched and killed nothing): the first pass uses them instead of
   * reading GET_TASKS again, the largest answer the master gives.
   */
  firstRead?: readonly StreamHead[];
}

/** Acknowledges what the agents still hold; resolves the number of acknowledgements it sent. */
export async function acknowledgePending(
  operator: Pick<OperatorClient, 'getTasks'>,
  session: Pick<SchedulerSession, 'acknowledgeUpdate'>,
  frameworkId: string,
  acks: Acknowledger,
  opts: PendingAcksOptions,
): Promise<number> {
  let sent = 0;
  let known = opts.firstRead;
  for (;;) {
    const tasks = known ?? (await operator.getTasks()).tasks;
    known = undefined;
    let waiting = 0;
    for (const task of tasks) {
      if (task.framework_id.value !== frameworkId) continue;
      const uuid = task.status_update_uuid;
      if (uuid === undefined) continue;
      // Acknowledged now, or known to have updates queued behind it: the agent sends the
      // next once this is acknowledged (the master's `state` may not show it yet), so the
      // master is read again.
      if (!acks.has(uuid)) {
        acks.ack(session, {
          task_id: task.task_id,
          agent_id: task.agent_id,
          state: task.status_update_state ?? task.state,
          uuid,
        });
        sent++;
        waiting++;
      } else if (queuedBehind(task)) waiting++;
    }
    await acks.settled();
    if (waiting === 0 || opts.now() + opts.pollMs > opts.deadline) return sent;
    await opts.sleep(opts.pollMs);
  }
}

function queuedBehind(task: StreamHead): boolean {
  return task.status_update_state !== undefined && task.status_update_state !== task.state;
}
