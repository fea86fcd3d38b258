/**
 * Pure: what one status update means for a task apply is waiting on.
 *
 * A service (`goal: running`) is done when TASK_RUNNING, and, when it has a health check,
 * only once an update says `healthy: true`; unhealthy results keep it waiting (Mesos kills
 * it after `consecutiveFailures`, and that terminal update ends the wait). A job
 * (`goal: finished`) is done at TASK_FINISHED; every other terminal state fails it. A
 * service that finishes on its own has stopped running, which is a failure too.
 */
import type { TaskStatus } from '../mesos/types.js';
import type { Goal } from '../model/spec.js';
import type { Failure, Phase } from './events.js';

export type Verdict = 'wait' | 'done' | 'failed';

export interface Reading {
  phase: Phase;
  verdict: Verdict;
}

export function readStatus(status: TaskStatus, goal: Goal, hasHealthCheck: boolean): Reading {
  switch (status.state) {
    case 'TASK_STAGING':
      return { phase: 'staging', verdict: 'wait' };
    case 'TASK_STARTING':
      return { phase: 'starting', verdict: 'wait' };
    case 'TASK_RUNNING':
      if (goal === 'finished') return { phase: 'running', verdict: 'wait' };
      if (!hasHealthCheck) return { phase: 'running', verdict: 'done' };
      if (status.healthy === true) return { phase: 'healthy', verdict: 'done' };
      return { phase: status.healthy === false ? 'unhealthy' : 'running', verdict: 'wait' };
    case 'TASK_KILLING':
      return { phase: 'killing', verdict: 'wait' };
    case 'TASK_UNREACHABLE':
      return { phase: 'unreachable', verdict: 'wait' };
    case 'TASK_FINISHED':
      return { phase: 'finished', verdict: goal === 'finished' ? 'done' : 'failed' };
    case 'TASK_KILLED':
      return { phase: 'killed', verdict: 'failed' };
    case 'TASK_FAILED':
    case 'TASK_ERROR':
    case 'TASK_LOST':
    case 'TASK_DROPPED':
    case 'TASK_GONE':
    case 'TASK_GONE_BY_OPERATOR':
    case 'TASK_UNKNOWN':
      return { phase: 'failed', verdict: 'failed' };
  }
}

/** The failure details a status carries (stderr and host are added by the caller). */
export function failureOf(status: TaskStatus, goal: Goal): Failure {
  const failure: Failure = { state: status.state };
  if (status.reason !== undefined) failure.reason = status.reason;
  if (status.source !== undefined) failure.source = status.source;
  if (status.healthy !== undefined) failure.healthy = status.healthy;
  if (status.agent_id) failure.agentId = status.agent_id.value;
  let message = status.message;
  // Mesos's built-in executors mark the terminal update of a task they killed for failing its
  // health check with `healthy: false`; their message only tells the signal.
  if (status.state === 'TASK_KILLED' && status.healthy === false) {
    message = `unhealthy: killed by its executor after failing its health check${message ? ` (${message})` : ''}; the check's output is in the sandbox stderr`;
  }
  if (status.state === 'TASK_FINISHED' && goal === 'running') {
    message = `${message ?? 'the command exited'}; a service (goal: running) must keep running — use goal: finished for a job`;
  }
  if (message !== undefined) failure.message = message;
  return failure;
}

/** Why an instance still open at the run's deadline was not done, by how far it had come. */
export function atDeadline(phase: Phase, hasHealthCheck: boolean): string {
  if (hasHealthCheck && phase === 'unhealthy')
    return 'running but unhealthy at the deadline: its health check had not passed';
  if (hasHealthCheck && phase === 'running') return 'running, but its health check had not passed yet at the deadline';
  return `still ${phase} at the deadline`;
}
