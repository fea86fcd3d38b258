/**
 * The records a Tracker (tracker.ts) keeps: one per task a run launches, one per task it
 * kills. Readonly here: only the Tracker changes them, and never once they are settled.
 */
import type { TaskStatus } from '../mesos/types.js';
import type { LoadedSpec } from '../model/spec.js';
import type { RejectCounts } from '../plan/fit.js';
import type { FitReport, PlanItem, TaskPlacement } from '../plan/types.js';
import type { InstanceView } from './events.js';

export interface Launch {
  readonly item: PlanItem;
  readonly loaded: LoadedSpec;
  readonly view: InstanceView;
  /**
   * Not to be placed yet: its rollout batch has not started (`batch`), or under `recreate`
   * the task it replaces has not ended yet (`old-copy`). See rollouts.ts.
   */
  readonly held?: 'batch' | 'old-copy';
  /** ms: when it started waiting for a fitting offer. */
  readonly pendingSince?: number;
  readonly rejections: RejectCounts;
  readonly lastFit?: FitReport;
  readonly placement?: TaskPlacement;
  readonly launched: boolean;
  /**
   * The ACCEPT that launched it got no answer (connection lost, timeout, 5xx): the master
   * may have launched it or not. A reconciliation answer says which (see launcher.ts).
   */
  readonly unconfirmed?: boolean;
  /** Launch attempts answered TASK_DROPPED for invalid offers (retried a few times). */
  readonly drops: number;
  /** ms: when a service reported TASK_RUNNING (and healthy): it must stay up a moment. */
  readonly runningSince?: number;
  readonly settled: boolean;
  readonly ok: boolean;
}

export interface Kill {
  readonly taskId: string;
  readonly agentId?: string;
  /** The view this kill reports on: its own (delete) or the successor's (replace). */
  readonly view: InstanceView;
  /** True when the view is the delete's own. */
  readonly ownView: boolean;
  readonly sentAt?: number;
  readonly lastSentAt?: number;
  readonly lastUpdateAt?: number;
  readonly state?: TaskStatus['state'];
  readonly settled: boolean;
  readonly ok: boolean;
}
