/**
 * When an apply round stops before everything settled (deadline, lost connection, Ctrl-C),
 * every open launch and kill gets its verdict here, with words the user can act on. The
 * tracker keeps the verdicts already given: only open records change.
 */
import type { Emit, ReportError } from './events.js';
import { atDeadline } from './phase.js';
import { UNREACHABLE_KILL, type Tracker } from './tracker.js';

/** The deadline passed ('timed-out') or the run stopped on an error ('failed'). */
export function failOpen(tracker: Tracker, emit: Emit, errors: ReportError[], phase: 'failed' | 'timed-out'): void {
  for (const launch of tracker.launches.values()) {
    if (launch.settled) continue;
    const failure = {
      state: launch.view.state,
      message:
        phase === 'timed-out'
          ? atDeadline(launch.view.phase, launch.loaded.spec.healthCheck !== undefined)
          : 'the run stopped before this task was done',
      fit: launch.lastFit,
    };
    emit({
      type: 'instance',
      view: tracker.settle(launch, false, {
        phase: launch.launched || phase === 'failed' ? phase : 'unplaceable',
        failure,
      }),
    });
  }
  for (const kill of tracker.kills.values()) {
    if (kill.settled) continue;
    const unreachable = kill.state === 'TASK_UNREACHABLE';
    const message = unreachable
      ? UNREACHABLE_KILL
      : `no terminal state for ${kill.taskId} yet (${kill.state ?? 'no update'})`;
    const view = tracker.settleKill(kill, false, {
      phase: unreachable ? 'unreachable' : phase,
      failure: { state: kill.state, message },
    });
    if (view) emit({ type: 'instance', view });
    else
      errors.push({
        code: 'MA_ERR_KILL_PENDING',
        message: `the replaced task ${kill.taskId} is not gone yet: ${message}`,
      });
  }
}

/** Ctrl-C: what was launched keeps running, what was killed is not awaited. */
export function interruptAll(tracker: Tracker, emit: Emit): void {
  for (const launch of tracker.launches.values()) {
    if (launch.settled) continue;
    const message = launch.launched
      ? 'interrupted after launch: the task keeps running on its agent'
      : 'interrupted before launch: nothing was started';
    emit({
      type: 'instance',
      view: tracker.settle(launch, false, { phase: 'interrupted', failure: { state: launch.view.state, message } }),
    });
  }
  for (const kill of tracker.kills.values()) {
    const view = tracker.settleKill(kill, false, {
      phase: 'interrupted',
      failure: { state: kill.state, message: 'interrupted: the KILL was sent, its end was not awaited' },
    });
    if (view) emit({ type: 'instance', view });
  }
}

/**
 * The master was lost at `lostAt` (ms since the epoch) and the run ended before all was
 * known: what was heard of no more since (no update, no reconcile answer) is reported as
 * unconfirmed, not as it was last seen.
 */
export function unconfirmedSince(
  tracker: Tracker,
  emit: Emit,
  errors: ReportError[],
  lostAt: number,
  heardAt: ReadonlyMap<string, number>,
): void {
  const at = new Date(lostAt).toISOString().replace(/\.\d+Z$/, 'Z');
  const message = `no word of it since the master was lost at ${at}`;
  const silent = (taskId: string) => (heardAt.get(taskId) ?? 0) < lostAt;
  const keys: string[] = [];
  for (const launch of tracker.launches.values()) {
    if (launch.settled || !launch.launched || !silent(launch.item.taskId)) continue;
    const failure = { state: launch.view.state, message: `${message} (last seen ${launch.view.state ?? 'launching'})` };
    emit({ type: 'instance', view: tracker.settle(launch, false, { phase: 'unconfirmed', failure }) });
    keys.push(launch.view.key);
  }
  for (const kill of tracker.kills.values()) {
    if (kill.settled || !silent(kill.taskId)) continue;
    const failure = { state: kill.state, message: `${message} (its KILL was sent)` };
    const view = tracker.settleKill(kill, false, { phase: 'unconfirmed', failure });
    if (view) emit({ type: 'instance', view });
    keys.push(kill.view.key);
  }
  if (keys.length > 0)
    errors.push({
      code: 'MA_ERR_CONNECTION_LOST',
      message: `the master was lost at ${at}: the state of ${[...new Set(keys)].join(', ')} is unconfirmed`,
    });
}
