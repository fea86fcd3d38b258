/**
 * What apply and delete report while they work. The engine never prints: it emits these
 * typed events, and the renderers in src/ui (listr2 on a terminal, plain timestamped
 * lines in CI, JSON at the end) subscribe. One `instance` event per change of phase.
 */
import type { TaskStatusReason, TaskStatusSource, TaskState } from '../mesos/types.js';
import type { FitReport, Plan, PlanAction, ReasonCount } from '../plan/types.js';
import type { NamedPort } from '../model/observed.js';

/** Where one task instance is in its life, as the user sees it. */
export type Phase =
  | 'unchanged'
  | 'queued'
  | 'waiting-offer'
  | 'launching'
  | 'staging'
  | 'starting'
  | 'running'
  | 'unhealthy'
  | 'healthy'
  | 'finished'
  | 'killing'
  | 'killed'
  | 'failed'
  | 'unplaceable'
  | 'timed-out'
  | 'interrupted'
  | 'not-started'
  | 'unreachable'
  /** The master was lost and no update, reconnect or reconcile answer said where it is since. */
  | 'unconfirmed';

/** Why a task ended badly: everything the user needs to act, in one place. */
export interface Failure {
  state?: TaskState;
  reason?: TaskStatusReason;
  source?: TaskStatusSource;
  message?: string;
  healthy?: boolean;
  agentId?: string;
  host?: string;
  /** Last lines of the sandbox stderr (and stdout when stderr is empty). */
  stderrTail?: string[];
  /** Why it could not be placed. */
  fit?: FitReport;
}

export interface InstanceView {
  /** `<name>/<instance>`, or `<name>/<instance>@<run>` for a scheduled run's (`instanceKey`). */
  key: string;
  name: string;
  instance: number;
  /** The scheduled run (its run key, model/ids.ts) this instance belongs to. */
  run?: string;
  action: PlanAction;
  phase: Phase;
  taskId: string;
  oldTaskId?: string;
  state?: TaskState;
  healthy?: boolean;
  agentId?: string;
  host?: string;
  ports?: NamedPort[];
  failure?: Failure;
  /** The engine's verdict: true once this instance needs no more waiting (ok or not). */
  settled?: boolean;
}

export type ApplyEvent =
  | { type: 'connecting'; masters: string[] }
  | { type: 'subscribed'; frameworkId: string; leader: string; reconnected: boolean }
  | { type: 'planned'; plan: Plan }
  | { type: 'instance'; view: InstanceView }
  /** While a task waits: the top reasons offers seen so far were rejected (refreshed). */
  | { type: 'pending'; key: string; reasons: ReasonCount[]; fit?: FitReport }
  | { type: 'warning'; message: string }
  | { type: 'note'; message: string };

export type Emit = (event: ApplyEvent) => void;

/** An error as apply and delete report it: the renderers print these, the JSON carries them. */
export interface ReportError {
  /** A stable `MA_ERR_...` code. */
  code: string;
  message: string;
  detail?: string;
}
