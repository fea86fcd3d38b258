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
 *
 * The master's `state` shows a queued update only when it changes the task's state: a health
 * verdict (TASK_RUNNING, healthy) queued behind a TASK_RUNNING without one is invisible until the
 * agent has had the acknowledgement and forwarded it. So such a head (`awaitingHealth`),
 * acknowledged here, stays watched for `followUpMs`: a new forwarded uuid in that time is
 * acknowledged in turn. Heads that already carry their verdict, or belong to tasks without a
 * health check, are not waited for: a no-change run over steady tasks leaves at once.
 *
 * Heads that an earlier run's label vouches for (acked-heads.ts: `acknowledged`) count as
 * acknowledged here, unless the master shows an update queued behind one (then the label may
 * be right and the acknowledgement lost on its way to the agent: sent again). A run that leaves
 * records what it knows acknowledged in that label (`recordAcknowledged`), so the next run
 * that changed nothing sends no ACKNOWLEDGE at all.
 */
import type { OperatorClient } from '../mesos/operator.js';
import type { SchedulerSession } from '../mesos/scheduler.js';
import type { Acknowledger } from './acks.js';
import { ackedHeadsLabel, LABEL_ACKED_HEADS } from './acked-heads.js';
import { headsOf, type StreamHead } from './cluster.js';
import { type Clock, sleep } from './clock.js';

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
  /** Uuids of heads known acknowledged before this run (acked-heads.ts). */
  acknowledged?: ReadonlySet<string>;
  /** How long a head acknowledged here is watched for the update queued behind it (default 2 s). */
  followUpMs?: number;
}

const FOLLOW_UP_MS = 2_000;
/** How long a run that is leaving acknowledges updates earlier runs left behind. */
const LEFTOVER_ACKS_MS = 5_000;

/** Where the leaving pass starts from: the run's first read, and what a label vouches for. */
export type LeftoverStart = Pick<PendingAcksOptions, 'firstRead' | 'acknowledged'>;

/**
 * The leaving pass of a run (apply, the controller): acknowledgePending on the run's clock,
 * bounded by LEFTOVER_ACKS_MS so that leaving stays quick, then the label recording what is
 * acknowledged. Never throws: what it could not acknowledge the agents resend, and the next
 * run acknowledges.
 */
export async function acknowledgeLeftovers(
  operator: Pick<OperatorClient, 'getTasks'>,
  session: Pick<SchedulerSession, 'acknowledgeUpdate' | 'info' | 'updateFramework'>,
  frameworkId: string,
  acks: Acknowledger,
  clock: Clock,
  start: LeftoverStart = {},
): Promise<void> {
  try {
    const { heads } = await acknowledgePending(operator, session, frameworkId, acks, {
      deadline: clock.now() + LEFTOVER_ACKS_MS,
      now: () => clock.now(),
      pollMs: 100,
      sleep: (ms) => sleep(clock, ms),
      ...start,
    });
    await acks.settled();
    const known = start.acknowledged;
    await recordAcknowledged(session, heads, (uuid) => acks.has(uuid) || (known?.has(uuid) ?? false));
  } catch {
    // Unread or unrecorded: the next run acknowledges more, as if there were no label.
  }
}

/**
 * Writes the acked-heads label (UPDATE_FRAMEWORK) when it would say something new: after a
 * run that changed nothing it says what it said, and no call is made. The framework's roles
 * stay suppressed, as a leaving run left them.
 */
export async function recordAcknowledged(
  session: Pick<SchedulerSession, 'info' | 'updateFramework'>,
  heads: readonly StreamHead[],
  acknowledged: (uuid: string) => boolean,
): Promise<void> {
  const value = ackedHeadsLabel(heads, acknowledged);
  const info = session.info;
  const labels = info.labels?.labels ?? [];
  if (labels.some((l) => l.key === LABEL_ACKED_HEADS && l.value === value)) return;
  const next = [...labels.filter((l) => l.key !== LABEL_ACKED_HEADS), { key: LABEL_ACKED_HEADS, value }];
  await session.updateFramework({ ...info, labels: { labels: next } }, info.roles ?? []);
}

/**
 * Acknowledges what the agents still hold; resolves the number of acknowledgements it sent
 * and the heads as it last saw them (each acknowledged, known acknowledged, or left when the
 * deadline came).
 */
export async function acknowledgePending(
  operator: Pick<OperatorClient, 'getTasks'>,
  session: Pick<SchedulerSession, 'acknowledgeUpdate'>,
  frameworkId: string,
  acks: Acknowledger,
  opts: PendingAcksOptions,
): Promise<{ sent: number; heads: readonly StreamHead[] }> {
  let sent = 0;
  const vouched = opts.acknowledged ?? new Set<string>();
  let known = opts.firstRead;
  const followUpMs = opts.followUpMs ?? FOLLOW_UP_MS;
  /** Per task, the head acknowledged here last, and when its acknowledgement was accepted. */
  const watched = new Map<string, { uuid: string; at: number }>();
  /** How long the last GET_TASKS took: the wait before the next is at least as long. */
  let readMs = 0;
  for (;;) {
    const started = opts.now();
    const tasks = known ?? headsOf((await operator.getTasks()).tasks, frameworkId);
    if (known === undefined) readMs = opts.now() - started;
    known = undefined;
    let waiting = 0;
    for (const task of tasks) {
      if (task.framework_id.value !== frameworkId) continue;
      const uuid = task.status_update_uuid;
      if (uuid === undefined) continue;
      // Acknowledged now, or known to have updates queued behind it: the agent sends the
      // next once this is acknowledged (the master's `state` may not show it yet), so the
      // master is read again.
      if (!acks.has(uuid) && !(vouched.has(uuid) && !queuedBehind(task))) {
        acks.ack(session, {
          task_id: task.task_id,
          agent_id: task.agent_id,
          state: task.status_update_state ?? task.state,
          uuid,
        });
        if (task.awaitingHealth) watched.set(task.task_id.value, { uuid, at: Number.POSITIVE_INFINITY });
        sent++;
        waiting++;
      } else if (queuedBehind(task) || stillWatched(watched.get(task.task_id.value), uuid, opts.now(), followUpMs))
        waiting++;
    }
    await acks.settled();
    const now = opts.now();
    for (const w of watched.values()) if (w.at === Number.POSITIVE_INFINITY) w.at = now;
    // GET_TASKS is the master's largest answer (every task of the cluster, ~2 KB each): a
    // read that takes long is followed by as long a pause, so that the follow-up watch of
    // a large cluster spends at most half its time reading, not all of it.
    const pause = Math.max(opts.pollMs, readMs);
    if (waiting === 0 || opts.now() + pause > opts.deadline) return { sent, heads: tasks };
    await opts.sleep(pause);
  }
}

/** A head acknowledged here that is still the latest, and not yet for `followUpMs`. */
function stillWatched(w: { uuid: string; at: number } | undefined, uuid: string, now: number, followUpMs: number) {
  return w !== undefined && w.uuid === uuid && now - w.at < followUpMs;
}

function queuedBehind(task: StreamHead): boolean {
  return task.status_update_state !== undefined && task.status_update_state !== task.state;
}
