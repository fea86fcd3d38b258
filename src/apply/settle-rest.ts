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
