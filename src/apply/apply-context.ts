/**
 * What the parts of an apply round share (apply-round.ts builds it): the subscription, the
 * round's tracker, its options, and where events and errors go. The parts (launcher.ts,
 * launch-watch.ts, rollout-steps.ts) are each one job of the round; none imports another
 * part's class, only this leaf, so the round composes them without import cycles.
 */
import type { AgentFilesClient } from '../mesos/agent-files.js';
import type { ObservedTask } from '../model/observed.js';
import type { LoadedSpec } from '../model/spec.js';
import type { Label } from '../model/wire.js';
import type { Emit, ReportError } from './events.js';
import type { RunLifecycle } from './lifecycle.js';
import type { Kill, Launch } from './records.js';
import type { Tracker } from './tracker.js';

export interface ApplyRoundOptions {
  specs: LoadedSpec[];
  framework: string;
  prune: boolean;
  /** With prune: only tasks whose labels hold every pair (`-l`). */
  pruneSelector?: Readonly<Record<string, string>>;
  allowEmpty: boolean;
  /** `--replace`: `name` or `name/instance` launched afresh even when unchanged. */
  replace?: string[];
  /** false: done once the launches and kills are accepted by the master. */
  wait: boolean;
  timeoutMs: number;
  pendingTimeoutMs: number;
  /**
   * Overrides every spec's `rollout.minHealthyTime` (default 10s): how long a launched
   * service must stay TASK_RUNNING, and healthy where it has a health check, to count as
   * up, so a command that crashes right after it starts fails the apply (and a replace
   * keeps the old task) instead of passing. 0: done at the first running (healthy) update.
   */
  minRunningMs?: number;
  /** The runner's environment, for `fromEnv` values (never printed). */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * `name/instance` keys whose create or relaunch waits (the controller's backoff), asked
   * at each plan with the tasks the round has gathered by then: a task the round sees ended
   * before its update reached the controller is counted first, and held like any other.
   */
  hold?: (observed: readonly ObservedTask[]) => ReadonlySet<string>;
  /**
   * Asked at every tick once the round has acted (the controller's heals): `name/instance`
   * keys to launch now on top of the plan. `busy(name)`: the round has open work for that
   * name (its rollout, say), which must not be given more.
   */
  extraLaunches?: (now: number, busy: (name: string) => boolean) => string[];
  /** A launched job counts as done once it runs (the controller watches its end between rounds). */
  jobsDoneWhenRunning?: boolean;
  /**
   * A launch whose agent becomes unreachable is not waited for: it settles as not up, and
   * the controller's --unreachable-timeout decides between rounds whether to place it afresh
   * (a round waiting on it would hold that decision off until the round's own deadline).
   */
  unreachableNotWaited?: boolean;
  /**
   * Task ids planned as lost though the master still lists them unreachable: the
   * controller gave them up after --unreachable-timeout, so their instances are placed afresh.
   */
  gone?: ReadonlySet<string>;
  /**
   * More labels for the launch of a `name/instance` key: the controller's restart counts
   * (model/restart-labels.ts), so a later leader can carry its backoff on. TaskInfo labels
   * only, outside the spec and its hash.
   */
  launchLabels?: (key: string) => Label[];
}

export interface ApplyContext {
  readonly life: RunLifecycle;
  readonly tracker: Tracker;
  readonly opts: ApplyRoundOptions;
  readonly emit: Emit;
  readonly errors: ReportError[];
  readonly files: AgentFilesClient;
  /** autoRevert launches of the previous spec (not plan items; reported after them). */
  readonly reverts: Launch[];
  /** KILL; under --no-wait the kill counts as done once the master took it. */
  sendKill(kill: Kill): Promise<void>;
  /** Another run took the framework (a refused ACCEPT said so): the round stops. */
  failedOver(): void;
  /** The refuse filter for offers declined now: short while launches still wait. */
  refuseSeconds(): number;
}
