/**
 * Predicates over TaskState (mesos-protocol §6.1).
 *
 * - `isTerminal` is Mesos's own `isTerminalState`: TASK_LOST is terminal (even though a
 *   partitioned task may come back), TASK_UNREACHABLE and TASK_UNKNOWN are not.
 * - `isGone` is what the planner uses to decide "this task is not there any more": terminal,
 *   or TASK_UNKNOWN (the master has no knowledge of it: it can be launched again).
 * - `isActive` = not gone: STAGING, STARTING, RUNNING, KILLING, UNREACHABLE. UNREACHABLE
 *   counts as active: its agent may come back, and launching a second copy would run the
 *   task twice.
 * - `isFailure`: the task ended abnormally. TASK_KILLED is not a failure (someone asked for
 *   it); TASK_FINISHED is not a failure (whether it was expected depends on the goal).
 */

import type { TaskState } from './wire.js';
import { TERMINAL_STATES } from './wire.js';

const FAILURE_STATES: readonly TaskState[] = [
  'TASK_FAILED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
];

export function isTerminal(state: TaskState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function isGone(state: TaskState): boolean {
  return isTerminal(state) || state === 'TASK_UNKNOWN';
}

export function isActive(state: TaskState): boolean {
  return !isGone(state);
}

export function isFailure(state: TaskState): boolean {
  return FAILURE_STATES.includes(state);
}

/** Launched and not yet running: the master or agent is still setting it up. */
export function isStarting(state: TaskState): boolean {
  return state === 'TASK_STAGING' || state === 'TASK_STARTING';
}

/** Lower-case, without the prefix: `TASK_RUNNING` → `running`. */
export function stateWord(state: TaskState): string {
  return state
    .replace(/^TASK_/, '')
    .toLowerCase()
    .replace(/_/g, ' ');
}
