/**
 * The Plan: a plain, versioned, JSON-serialisable value (no Maps, no classes, no functions)
 * that says what apply would do, computed by a pure function from the manifests and the
 * observed cluster (`makePlan` in plan.ts; no I/O, no clock, no randomness).
 *
 * Settled semantics (read with diff.ts, place.ts, fit.ts):
 * - One PlanItem per task instance that needs thought: `create` (no task ever), `unchanged`
 *   (an active task with the same spec hash; for `goal: finished` also a TASK_FINISHED one),
 *   `replace` (an active task with another spec hash: launch the new one, kill the old one
 *   once the new one runs), `relaunch` (only ended tasks, any hash), `delete` (kill
 *   `taskId`: `scale-down` = instance ≥ count, never gated by --prune; `pruned` = a name no
 *   manifest has, only with --prune; `superseded` = an older copy of an instance that
 *   already has a task with the current hash, left by an interrupted replace).
 * - `taskId`: the task this item launches (create/replace/relaunch), keeps (unchanged) or
 *   kills (delete). `oldTaskId` is the task a replace kills or a relaunch follows.
 * - Placement: each launching item gets `placement` (agent, offers, the exact task
 *   Resources cut from the offers, the host ports chosen) or `unplaced` (a FitReport saying
 *   why, in the user's words). `accepts` groups the placed tasks into ACCEPT calls: one per
 *   (agent, allocation role), holding every offer of that agent for that role (the master
 *   requires one agent and one allocation role per ACCEPT, §4.4), so several tasks for one
 *   agent go in one ACCEPT.
 * - `basis`: the task ids/states/hashes, offer ids, agent ids and spec hashes the plan was
 *   computed from, so a saved plan can be checked against the world before it is applied.
 * - Rollouts (rollout.ts): the `replace` items of one spec form a `RolloutPlan`, split into
 *   batches of `maxParallel` instances in instance order; each such item carries its
 *   1-based `batch`. Only batch 1 is placed by the plan (later batches are placed by apply
 *   when their turn comes, on the offers of that moment), and under `recreate` not even
 *   batch 1: its old copies must stop first. `create` and `relaunch` items replace nothing
 *   that runs, so they are in no batch and go at once.
 * - `forced`: a replace or relaunch of an unchanged instance, asked for with `--replace`
 *   (its `taskId` is the next attempt of the same spec hash).
 * - `blockedBy`: a rolling replace that cannot be placed because a fixed host port it needs
 *   is held by the very task it replaces: it can never start while that task runs, so
 *   apply refuses it at once (the fix is `rollout.strategy: recreate`).
 * - Scheduled jobs (`spec.schedule`) get no items: only the controller launches them, on
 *   their schedule, and a plan leaves their tasks alone. `scheduled` names them.
 * - fromEnv values are never in a Plan: TaskInfos are built at apply time (taskinfo.ts).
 */

import type { Resource, TaskState } from '../mesos/types.js';
import type { ScalarName } from '../model/resources.js';
import type { ConcurrencyPolicy, TaskSpec } from '../model/spec.js';

export const PLAN_FORMAT_VERSION = 1 as const;

export type PlanAction = 'create' | 'unchanged' | 'replace' | 'relaunch' | 'delete';
export type DeleteReason = 'scale-down' | 'pruned' | 'superseded';

/** One difference between the old and the new spec; path `spec` when only the hash is known. */
export interface FieldChange {
  path: string;
  old?: unknown;
  new?: unknown;
}

export interface AssignedPort {
  name: string;
  hostPort: number;
  /** Docker BRIDGE/USER port mappings only. */
  containerPort?: number;
  protocol: 'tcp' | 'udp';
}

export interface TaskPlacement {
  agentId: string;
  hostname: string;
  /** The allocation role of the offers (`*` when the offers had none). */
  role: string;
  offerIds: string[];
  /** Exactly what the TaskInfo asks for, cut from the offers (identity fields copied). */
  resources: Resource[];
  /** In order: the spec's `ports`, then Docker `portMappings`. */
  ports: AssignedPort[];
}

export type RejectReason = 'role' | 'constraint' | 'cpus' | 'mem' | 'disk' | 'gpus' | 'ports';

export interface ReasonCount {
  reason: RejectReason;
  /** How many offers (not-now) or agents (never) were rejected for this reason. */
  count: number;
  /** Plain words, e.g. "3 agents lack rack=r2". */
  detail: string;
}

export interface FitNeeds {
  role: string;
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
  /** Host ports fixed by the spec. */
  fixedPorts: number[];
  /** Host ports to pick from the offer. */
  anyPorts: number;
}

export interface FitCandidate {
  agentId: string;
  hostname: string;
  /** What that offer (not-now) or agent's total (never) has of what is asked. */
  have: Partial<Record<ScalarName, number>> & { ports?: number };
  /** Plain words per missing thing, e.g. "cpus 2 of 4". */
  lacks: string[];
}

export interface FitReport {
  /** never: no agent of the cluster could ever hold it; not-now: no offer has room now. */
  kind: 'never' | 'not-now';
  summary: string;
  needs: FitNeeds;
  best?: FitCandidate;
  reasons: ReasonCount[];
}

export interface PlanItem {
  action: PlanAction;
  name: string;
  instance: number;
  /** The scheduled run the item belongs to (the controller plans each run of a job apart). */
  run?: string;
  taskId: string;
  specHash: string;
  oldTaskId?: string;
  oldSpecHash?: string;
  /** State of the observed task the item is about (unchanged/replace/relaunch/delete). */
  oldState?: TaskState;
  reason?: DeleteReason;
  changes?: FieldChange[];
  /** Launched afresh though unchanged: named by `apply --replace`. */
  forced?: true;
  /** Replace items: the 1-based batch of its spec's rollout (see `Plan.rollouts`). */
  batch?: number;
  /** A rolling replace whose fixed host port is held by the task it replaces. */
  blockedBy?: PortHeld;
  placement?: TaskPlacement;
  unplaced?: FitReport;
}

export interface PortHeld {
  port: number;
  /** The task holding it: the one this item replaces. */
  taskId: string;
  name: string;
  instance: number;
}

/** How one spec's replace items are rolled out, from its `spec.rollout` (defaults filled). */
export interface RolloutPlan {
  name: string;
  strategy: 'rolling' | 'recreate';
  /** Instances per batch, resolved from `maxParallel` (a count or a percentage). */
  batchSize: number;
  /** seconds */
  minHealthyTime: number;
  autoRevert: boolean;
  /** The instances of each batch, in order. */
  batches: number[][];
}

/** A task waiting for an offer: the input of placement. */
export interface PendingTask {
  spec: TaskSpec;
  specHash: string;
  instance: number;
  taskId: string;
}

export interface AcceptGroup {
  agentId: string;
  hostname: string;
  role: string;
  offerIds: string[];
  taskIds: string[];
}

export interface PlanBasis {
  tasks: { taskId: string; state: TaskState; specHash: string; managed: boolean }[];
  specs: { name: string; hash: string }[];
  offerIds: string[];
  agentIds: string[];
}

/** A job that runs on a schedule under the controller, never by apply. */
export interface ScheduledJob {
  name: string;
  cron: string;
  timeZone: string;
  concurrencyPolicy: ConcurrencyPolicy;
  instances: number;
}

export type PlanSummary = Record<PlanAction, number> & { unplaced: number };

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  framework: string;
  basis: PlanBasis;
  items: PlanItem[];
  accepts: AcceptGroup[];
  /** One per spec with replace items, in name order. */
  rollouts: RolloutPlan[];
  /** Scheduled jobs in name order, left to the controller (absent in plans made before them). */
  scheduled?: ScheduledJob[];
  summary: PlanSummary;
}
