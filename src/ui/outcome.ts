/**
 * What an instance's latest view means for the renderers: whether its progress line is
 * settled (ok / failed) or still open, and, at the end of a run, its outcome for the
 * report. Pure functions of InstanceView; the engine stays the only judge of the wait, these
 * only read what it reported.
 */
import type { InstanceView, Phase } from '../apply/events.js';

export type Outcome =
  | 'running'
  | 'healthy'
  | 'finished'
  | 'unchanged'
  | 'deleted'
  | 'failed'
  | 'not-launched'
  | 'unreachable'
  | 'unconfirmed'
  | 'left-running'
  | 'incomplete';

const FAILED_PHASES: ReadonlySet<Phase> = new Set<Phase>([
  'failed',
  'unplaceable',
  'timed-out',
  'interrupted',
  'not-started',
]);
const BEFORE_LAUNCH: ReadonlySet<Phase> = new Set<Phase>([
  'queued',
  'waiting-offer',
  'launching',
  'unplaceable',
  'not-started',
]);

export type Settlement = 'ok' | 'failed' | 'open';

/** Whether a progress line can stop spinning. `running` stays open: a health check or a job's goal may still be ahead. */
export function settlement(view: InstanceView): Settlement {
  if (view.failure !== undefined || FAILED_PHASES.has(view.phase)) return 'failed';
  if (view.phase === 'killed') return view.action === 'delete' ? 'ok' : 'failed';
  if (view.phase === 'unchanged' || view.phase === 'healthy' || view.phase === 'finished') return 'ok';
  if (view.settled === true) return 'ok';
  return 'open';
}

/** True when the task never reached an agent: nothing of it runs, a rerun starts it afresh. */
function neverLaunched(view: InstanceView): boolean {
  if (view.action === 'delete' || view.action === 'unchanged') return false;
  if (BEFORE_LAUNCH.has(view.phase)) return view.failure?.state === undefined;
  const f = view.failure;
  return (
    f !== undefined &&
    f.state === undefined &&
    view.state === undefined &&
    view.agentId === undefined &&
    f.agentId === undefined
  );
}

/** The outcome at the end of a run (for the final report). */
export function outcomeOf(view: InstanceView): Outcome {
  if (neverLaunched(view)) return 'not-launched';
  // Ctrl-C after the launch: the task did not fail, it keeps running unwatched.
  if (view.phase === 'interrupted' && view.action !== 'delete') return 'left-running';
  if (view.phase === 'unconfirmed') return 'unconfirmed';
  // Its agent is cut off: neither failed nor done (it may come back running); failure.message says more.
  if (view.phase === 'unreachable') return 'unreachable';
  if (view.failure !== undefined || FAILED_PHASES.has(view.phase)) return 'failed';
  switch (view.phase) {
    case 'killed':
      return view.action === 'delete' ? 'deleted' : 'failed';
    case 'healthy':
    case 'running':
    case 'finished':
    case 'unchanged':
      return view.phase;
    default:
      return 'incomplete';
  }
}

export function isSuccess(outcome: Outcome): boolean {
  return (
    outcome === 'running' ||
    outcome === 'healthy' ||
    outcome === 'finished' ||
    outcome === 'unchanged' ||
    outcome === 'deleted'
  );
}

const OUTCOME_WORDS: Record<Outcome, string> = {
  running: 'running',
  healthy: 'healthy',
  finished: 'finished',
  unchanged: 'unchanged',
  deleted: 'deleted',
  failed: 'failed',
  'not-launched': 'never launched',
  unreachable: 'agent unreachable',
  unconfirmed: 'unconfirmed (master lost)',
  'left-running': 'left running (interrupted)',
  incomplete: 'not done',
};

export function outcomeWords(outcome: Outcome): string {
  return OUTCOME_WORDS[outcome];
}
