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
import type { Task } from '../mesos/types.js';
import type { Acknowledger } from './acks.js';

export interface PendingAcksOptions {
  deadline: number;
  now: () => number;
  pollMs: number;
  sleep: (ms: number) => Promise<void>;
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
  for (;;) {
    const { tasks } = await operator.getTasks();
    let waiting = 0;
    for (const task of tasks) {
      if (task.framework_id.value !== frameworkId) continue;
      const step = pendingOf(task, acks);
      if (step === 'acknowledge') {
        acks.ack(session, {
          task_id: task.task_id,
          agent_id: task.agent_id,
          state: task.status_update_state ?? task.state,
          uuid: task.status_update_uuid,
        });
        sent++;
      }
      if (step !== 'settled') waiting++;
    }
    await acks.settled();
    if (waiting === 0 || opts.now() + opts.pollMs > opts.deadline) return sent;
    await opts.sleep(opts.pollMs);
  }
}

function pendingOf(task: Task, acks: Acknowledger): 'acknowledge' | 'queued' | 'settled' {
  const uuid = task.status_update_uuid;
  if (uuid === undefined) return 'settled';
  if (!acks.has(uuid)) return 'acknowledge';
  return task.status_update_state !== undefined && task.status_update_state !== task.state ? 'queued' : 'settled';
}
