/**
 * apply: gather (subscribe, read the framework's tasks and the agents, wait for offers),
 * compute (the pure planner), act (ACCEPT, KILL), then wait until every launched task
 * runs (and is healthy, or finished for jobs), acknowledging every update on the way.
 *
 * One loop consumes the session's events in order, with a 250 ms tick for deadlines;
 * all bookkeeping is in Tracker (synchronous). Invariants:
 *  - every update with a uuid is acknowledged, whoever launched the task;
 *  - a replaced task is killed only after its successor is done (running/healthy);
 *  - offers not used are declined; the run suppresses offers before it leaves and never
 *    sends TEARDOWN, so the framework's tasks outlive this process;
 *  - a run subscribes only under the lease (lease.ts): it waits while another run holds
 *    the framework, and a run failed over by a racing one goes back to waiting and then
 *    applies again from a fresh plan (lease-machine.ts says why that loses no ACCEPT);
 *  - plan and --dry-run never come here: plan-only.ts reads, and never subscribes.
 */
import { SchedulerSession, type SessionEvent } from '../mesos/scheduler.js';
import type { OperatorFramework } from '../mesos/types.js';
import { MesosError } from '../mesos/errors.js';
import type { MasterSetOptions } from '../mesos/masters.js';
import { OperatorClient } from '../mesos/operator.js';
import { AgentFilesClient } from '../mesos/agent-files.js';
import type { Offer, TaskInfo, TaskStatus } from '../mesos/types.js';
import { namedPortsOf, ObservedTasks } from '../model/observed.js';
import { effectiveRollout, type LoadedSpec } from '../model/spec.js';
import { isActive } from '../model/states.js';
import { launches, makePlan } from '../plan/plan.js';
import { placeTasks } from '../plan/place.js';
import { buildTaskInfo } from '../plan/taskinfo.js';
import { topReasons } from '../plan/fit.js';
import type { AcceptGroup, Plan, PlanItem, TaskPlacement } from '../plan/types.js';
import { frameworkInfo } from './connect.js';
import { previousSecrets, previousSpecs, readCluster, sandboxTail, type StreamHead, withSpecLabel } from './cluster.js';
import type { Emit, InstanceView, ReportError } from './events.js';
import { Tracker, UNREACHABLE_KILL, type Kill, type Launch } from './tracker.js';
import { Acknowledger } from './acks.js';
import { acknowledgePending } from './pending-acks.js';
import { EventPump } from './pump.js';
import { bounded, isCut } from './bounded.js';
import { errorOf } from './errors.js';
import { atDeadline } from './phase.js';
import { CALLS_IN_FLIGHT, forEachInFlight } from './in-flight.js';
import { thisRun, withHolder, type Holder } from './holder.js';
import { DEFAULT_LOCK_TIMEOUT, isFailover, LeaseKeeper } from './lease.js';
import { runPlanOnly } from './plan-only.js';
import { byInstance, revertItem, Rollouts, type RolloutStep } from './rollouts.js';
import { blockedMessage } from '../plan/rollout.js';

export { errorOf };

export interface ApplyInput {
  specs: LoadedSpec[];
  framework: string;
  prune: boolean;
  /** With prune: only tasks whose labels hold every pair (`-l`). */
  pruneSelector?: Readonly<Record<string, string>>;
  allowEmpty: boolean;
  /** `--replace`: `name` or `name/instance` launched afresh even when unchanged. */
  replace?: string[];
  /** false: return once the launches and kills are accepted by the master. */
  wait: boolean;
  /** Plan only (plan command, --dry-run): read the cluster, change nothing (plan-only.ts). */
  planOnly: boolean;
  /** The lease: --takeover, --lock-timeout, and who this run is (defaults: no, 5m, this process). */
  lease?: { takeover: boolean; lockTimeoutMs: number; holder?: Holder };
  timeoutMs: number;
  pendingTimeoutMs: number;
  /**
   * Overrides every spec's `rollout.minHealthyTime` (default 10s): how long a launched
   * service must stay TASK_RUNNING, and healthy where it has a health check, to count as
   * up, so a command that crashes right after it starts fails the apply (and a replace
   * keeps the old task) instead of passing. 0: done at the first running (healthy) update.
   */
  minRunningMs?: number;
  failoverTimeout: number;
  /** The runner's environment, for `fromEnv` values (never printed). */
  env: Readonly<Record<string, string | undefined>>;
  client: MasterSetOptions;
  emit: Emit;
  interrupted: Promise<unknown>;
  now?: () => number;
  /**
   * A round of a long-running caller (the controller) that already holds the lease: the
   * run uses this session and pump, and leaves them open (no lease, no close).
   */
  attached?: AttachedSession;
  /** `name/instance` keys whose create or relaunch waits (the controller's backoff). */
  hold?: ReadonlySet<string>;
}

export interface AttachedSession {
  session: SchedulerSession;
  pump: EventPump;
  frameworkId: string;
}

export interface ApplyResult {
  ok: boolean;
  interrupted: boolean;
  plan?: Plan;
  views: InstanceView[];
  errors: ReportError[];
  frameworkId?: string;
  /** Said in words before the plan or report (e.g. the framework was removed, and when). */
  notices?: string[];
  /** Set when another run's SUBSCRIBE took this run's subscription: tasks it had launched. */
  failedOver?: number;
}

/** Refuse filters (seconds): short while tasks still wait for room, long once all are placed. */
const REFUSE_WHILE_PENDING = 2;
const REFUSE_WHEN_DONE = 60;
const PENDING_REPORT_MS = 2_000;
const TICK_MS = 250;
/** How long a run that is leaving acknowledges updates earlier runs left behind. */
const LEFTOVER_ACKS_MS = 5_000;
export const INTERRUPT_GRACE_MS = 1000;
/** Reconciliation answers for a task the master does not know. */
const NOT_LAUNCHED: readonly TaskStatus['state'][] = [
  'TASK_UNKNOWN',
  'TASK_LOST',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
];

export async function runApply(input: ApplyInput): Promise<ApplyResult> {
  if (input.planOnly) return runPlanOnly(input);
  if (input.attached) return new ApplyRun(input).run();
  const now = input.now ?? Date.now;
  const holder = input.lease?.holder ?? thisRun('mesos-apply (library)', input.lease?.takeover ?? false);
  const operator = new OperatorClient(input.client);
  const note = (message: string) => input.emit({ type: 'note', message });
  const lease = new LeaseKeeper({
    framework: input.framework,
    takeover: input.lease?.takeover ?? false,
    lockTimeoutMs: input.lease?.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT * 1000,
    operator,
    sessionFor: (existing) => sessionFor(input, holder, existing),
    note,
    interrupted: input.interrupted,
    now,
    callTimeoutMs: input.timeoutMs,
  });
  input.emit({ type: 'connecting', masters: input.client.masters });
  try {
    for (;;) {
      const result = await new ApplyRun(input, lease).run();
      if (result.failedOver === undefined) return result;
      await lease.lost(result.failedOver);
    }
  } finally {
    // The lease's client: a read it gave up on (--timeout) may still hang; abort it.
    await operator.destroy().catch(() => undefined);
  }
}

/** What a run says the moment its subscription is lost, and at each further attempt. */
function reconnectingNote(emit: Emit): (attempt: number) => void {
  return (attempt) =>
    emit({ type: 'note', message: `connection to the master lost, reconnecting (attempt ${attempt})` });
}

export function sessionFor(
  input: Pick<ApplyInput, 'specs' | 'framework' | 'failoverTimeout' | 'client'> & { emit?: Emit },
  holder: Holder,
  existing: OperatorFramework | undefined,
): SchedulerSession {
  const info = frameworkInfo({
    name: input.framework,
    roles: input.specs.map((s) => s.spec.role),
    failoverTimeout: input.failoverTimeout,
    gpus: input.specs.some((s) => s.spec.resources.gpus > 0),
    principal: input.client.auth?.principal,
    existing,
    labels: withHolder(existing?.framework_info.labels?.labels, holder),
  });
  return new SchedulerSession({
    ...input.client,
    frameworkInfo: info,
    ...(input.emit === undefined ? {} : { onReconnecting: reconnectingNote(input.emit) }),
  });
}

class ApplyRun {
  private readonly now: () => number;
  private readonly operator: OperatorClient;
  private readonly files: AgentFilesClient;
  private readonly tracker = new Tracker();
  private readonly offers = new Map<string, Offer>();
  private readonly acks: Acknowledger;
  private readonly errors: ReportError[] = [];
  private session?: SchedulerSession;
  private pump?: EventPump;
  private frameworkId?: string;
  private observed = new ObservedTasks();
  /** The framework's tasks as the run read them first (GET_TASKS). */
  private firstRead: StreamHead[] = [];
  private agents: Awaited<ReturnType<typeof readCluster>>['agents'] = [];
  /** `agents` by id: offers and report rows look agents up per item, thousands of times. */
  private agentById = new Map<string | undefined, (typeof this.agents)[number]>();
  private plan?: Plan;
  private stopped: 'done' | 'interrupted' | 'fatal' | undefined;
  private deadline = 0;
  private lastPendingReport = 0;
  private lastTick = 0;
  private suppressed = false;
  private failedOver = false;
  private rollouts?: Rollouts;
  /** autoRevert launches of the previous spec (not plan items; reported after them). */
  private readonly reverts: Launch[] = [];

  constructor(
    private readonly input: ApplyInput,
    private readonly lease?: LeaseKeeper,
  ) {
    this.now = input.now ?? Date.now;
    this.operator = new OperatorClient(input.client);
    this.files = new AgentFilesClient({ tls: input.client.tls, warn: input.client.warn });
    this.acks = new Acknowledger((message) => input.emit({ type: 'warning', message }));
  }

  async run(): Promise<ApplyResult> {
    let interrupted = false;
    void this.input.interrupted.then(() => (interrupted = true));
    if (this.input.attached) return this.runAttached(this.input.attached, () => interrupted);
    // A master that accepts connections and never answers must not hold the wait forever.
    const lockMs = this.input.lease?.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT * 1000;
    const got = await bounded(
      this.lease!.acquire(),
      lockMs + this.input.timeoutMs,
      this.input.interrupted,
      INTERRUPT_GRACE_MS,
    );
    if (got === 'timeout') {
      this.errors.push({
        code: 'MA_ERR_TIMEOUT',
        message: 'the master did not answer while this run waited for the framework',
      });
      return this.result(interrupted);
    }
    if (got === 'interrupted' || got.kind === 'interrupted') return this.result(true);
    if (got.kind === 'failed') {
      this.errors.push(got.error);
      return this.result(interrupted);
    }
    this.session = got.session;
    this.frameworkId = got.sub.frameworkId;
    this.input.emit({
      type: 'subscribed',
      frameworkId: got.sub.frameworkId,
      leader: got.sub.leaderUrl,
      reconnected: got.existing !== undefined,
    });
    // --timeout bounds the work, not the wait for the lease.
    this.deadline = this.now() + this.input.timeoutMs;
    try {
      const pump = await this.boundedGather(() => interrupted);
      if (pump === undefined) return this.result(interrupted);
      await this.actAndWait(pump, () => interrupted);
    } catch (e) {
      this.stoppedBy(e);
    } finally {
      await this.leave();
    }
    return this.result(interrupted);
  }

  private async actAndWait(pump: EventPump, interrupted: () => boolean): Promise<void> {
    if (!this.input.planOnly && this.plan && !interrupted() && this.stopped === undefined) {
      await this.execute();
      await this.loop(pump);
    }
    if (interrupted() || this.stopped === 'interrupted') this.interruptAll();
  }

  /** An error ended the run: a failover is the lease's to handle, anything else fails what is open. */
  private stoppedBy(e: unknown): void {
    if (isFailover(e)) this.failedOver = true;
    else {
      this.errors.push(errorOf(e));
      this.failOpen('failed');
    }
  }

  /** One round on a session the caller holds: gather, plan, act, wait; the session stays open. */
  private async runAttached(attached: AttachedSession, interrupted: () => boolean): Promise<ApplyResult> {
    this.session = attached.session;
    this.pump = attached.pump;
    this.frameworkId = attached.frameworkId;
    this.deadline = this.now() + this.input.timeoutMs;
    try {
      await this.gatherAndPlan(attached.pump);
      await this.actAndWait(attached.pump, interrupted);
    } catch (e) {
      this.stoppedBy(e);
    } finally {
      if (this.session.stateName === 'SUBSCRIBED') {
        await this.declineAll(REFUSE_WHEN_DONE).catch(() => undefined);
        if (!this.suppressed) await this.session.suppress().catch(() => undefined);
      }
      await this.acks.settled();
      await Promise.allSettled([this.operator.close(), this.files.close()]);
    }
    return this.result(interrupted());
  }

  /**
   * Connect, read the cluster and plan, bounded by --timeout and Ctrl-C: a master that
   * accepts connections and never answers would otherwise hold the run for the HTTP
   * timeouts (75 s per request, with retries). Undefined when cut short; the calls still
   * in flight are aborted.
   */
  private async boundedGather(interrupted: () => boolean): Promise<EventPump | undefined> {
    const work = (async () => {
      const pump = new EventPump(this.session!.events(), this.input.interrupted);
      this.pump = pump;
      if (!interrupted()) await this.gatherAndPlan(pump);
      return pump;
    })();
    const got = await bounded(work, this.deadline - this.now(), this.input.interrupted, INTERRUPT_GRACE_MS);
    if (!isCut(got)) return got;
    if (got === 'timeout')
      this.errors.push({
        code: 'MA_ERR_TIMEOUT',
        message: `the master did not answer within --timeout (${Math.round(this.input.timeoutMs / 1000)}s)`,
      });
    await Promise.allSettled([this.session?.destroy(), this.operator.destroy(), this.files.destroy()]);
    return undefined;
  }

  private result(interrupted: boolean): ApplyResult {
    const views = this.views();
    if (interrupted && !this.errors.some((e) => e.code === 'MA_ERR_INTERRUPTED')) {
      const launched = [...this.tracker.launches.values()].filter((l) => l.launched).length;
      this.errors.push({
        code: 'MA_ERR_INTERRUPTED',
        message: `interrupted${this.plan ? '' : ' before a plan was made'}: ${launched} task(s) had been launched and keep running; nothing is left unacknowledged`,
        detail: 'Run the same command again to finish: what already runs is left as it is.',
      });
    }
    const ok =
      this.errors.length === 0 &&
      !interrupted &&
      [...this.tracker.launches.values()].every((l) => l.ok) &&
      [...this.tracker.kills.values()].every((k) => k.ok);
    const result: ApplyResult = { ok, interrupted, views, errors: this.errors };
    if (this.failedOver && !interrupted)
      result.failedOver = [...this.tracker.launches.values()].filter((l) => l.launched).length;
    if (this.plan) result.plan = this.plan;
    if (this.frameworkId) result.frameworkId = this.frameworkId;
    return result;
  }

  // --- gather -----------------------------------------------------------------------

  private async gatherAndPlan(pump: EventPump): Promise<void> {
    const cluster = await readCluster(this.operator, this.frameworkId);
    this.firstRead = cluster.tasks;
    this.observed = new ObservedTasks(cluster.observed);
    this.setAgents(cluster.agents);
    const base = {
      specs: this.input.specs,
      ...(this.input.hold ? { hold: this.input.hold } : {}),
      observed: this.observed.list,
      agents: this.agents,
      prune: this.input.prune,
      ...(this.input.pruneSelector ? { pruneSelector: this.input.pruneSelector } : {}),
      allowEmpty: this.input.allowEmpty,
      ...(this.input.replace ? { replace: this.input.replace } : {}),
      framework: this.input.framework,
      previousSpecs: previousSpecs(this.observed.list),
      previousSecrets: previousSecrets(this.observed.list),
    };
    let plan = makePlan({ ...base, offers: [] });
    if (plan.items.some(launches)) {
      // Offers: clear the refuse filters and suppression that earlier runs left behind.
      await this.session!.revive();
      const waitUntil = Math.min(this.deadline, this.now() + Math.min(this.input.pendingTimeoutMs, 15_000));
      while (this.offers.size === 0 && this.now() < waitUntil && this.stopped === undefined) {
        const ev = await pump.next(Math.max(1, waitUntil - this.now()));
        if (ev === 'interrupted') {
          this.stopped = 'interrupted';
          return;
        }
        if (ev !== 'tick') await this.onSessionEvent(ev);
      }
      await pump.drain((ev) => this.onSessionEvent(ev));
      plan = makePlan({ ...base, observed: this.observed.list, offers: [...this.offers.values()] });
    }
    this.plan = plan;
    this.input.emit({ type: 'planned', plan });
  }

  // --- act --------------------------------------------------------------------------

  private async execute(): Promise<void> {
    const plan = this.plan!;
    const bySpec = new Map(this.input.specs.map((s) => [s.spec.name, s]));
    const deletes: Kill[] = [];
    for (const item of plan.items) {
      if (item.action === 'unchanged') {
        this.input.emit({ type: 'instance', view: this.unchangedView(item) });
      } else if (item.action === 'delete') {
        const t = this.observed.get(item.taskId);
        const kill = this.tracker.addDelete(item, t?.agentId, t?.hostname ?? this.hostOf(t?.agentId));
        this.input.emit({ type: 'instance', view: kill.view });
        deletes.push(kill);
      } else {
        const launch = this.tracker.addLaunch(item, bySpec.get(item.name)!);
        launch.pendingSince = this.now();
        this.input.emit({ type: 'instance', view: launch.view });
        if (item.unplaced) this.onNotPlaced(launch, item.unplaced);
      }
    }
    await forEachInFlight(deletes, CALLS_IN_FLIGHT, (kill) => this.sendKill(kill));
    for (const item of plan.items) {
      const launch = item.blockedBy && this.tracker.launches.get(item.taskId);
      if (launch) {
        const failure = { message: blockedMessage(item.blockedBy!), fit: item.unplaced };
        this.input.emit({
          type: 'instance',
          view: this.tracker.settle(launch, false, { phase: 'unplaceable', failure }),
        });
      }
    }
    this.rollouts = new Rollouts(plan, this.tracker.launches);
    for (const l of this.tracker.launches.values()) if (l.held) this.tracker.setPhase(l, 'queued');
    await this.onSteps(this.rollouts.start());
    await this.launchGroups(
      plan.accepts,
      new Map(plan.items.filter((i) => i.placement).map((i) => [i.taskId, i.placement!])),
    );
    await this.onSteps(this.rollouts.advance(this.tracker.kills));
    // Offers the plan left unused go back now: held, they would starve other frameworks
    // for the whole wait (and keep the tick from suppressing).
    await this.declineAll(this.refuseSeconds());
  }

  /**
   * One ACCEPT per agent's offers, CALLS_IN_FLIGHT at once (in-flight.ts). Every offer is
   * named by exactly one ACCEPT or DECLINE and forgotten before the call leaves, so none is
   * used twice; the offers nothing was built for go back in one DECLINE. A group's TaskInfos
   * are built when its turn comes, not all first: at 10,000 tasks, building them all held
   * the event loop for seconds and kept every TaskInfo alive at once. Returns once every call
   * is answered: the next round places against what these launched.
   */
  private async launchGroups(groups: readonly AcceptGroup[], placements: Map<string, TaskPlacement>): Promise<void> {
    const unused: string[] = [];
    await forEachInFlight(groups, CALLS_IN_FLIGHT, async (group) => {
      const { batch, infos } = this.buildGroup(group, placements);
      for (const id of group.offerIds) this.offers.delete(id);
      if (batch.length === 0) unused.push(...group.offerIds);
      else await this.acceptGroup(group, batch, infos);
    });
    if (unused.length > 0) await this.session!.decline(unused, { refuse_seconds: 0 }).catch(() => undefined);
  }

  /** The TaskInfos of one group; a task whose TaskInfo cannot be built fails here. */
  private buildGroup(
    group: AcceptGroup,
    placements: Map<string, TaskPlacement>,
  ): { batch: Launch[]; infos: TaskInfo[] } {
    const batch: Launch[] = [];
    const infos: TaskInfo[] = [];
    for (const taskId of group.taskIds) {
      const launch = this.tracker.launches.get(taskId);
      const placement = placements.get(taskId);
      if (!launch || !placement || launch.settled) continue;
      try {
        const info = buildTaskInfo(
          {
            spec: launch.loaded.spec,
            specHash: launch.loaded.hash,
            instance: launch.item.instance,
            taskId,
            placement,
          },
          this.input.env,
        );
        infos.push(withSpecLabel(info, launch.loaded.spec, launch.loaded.secrets));
        batch.push(launch);
        this.input.emit({ type: 'instance', view: this.tracker.placed(launch, placement) });
      } catch (e) {
        this.input.emit({
          type: 'instance',
          view: this.tracker.settle(launch, false, { phase: 'failed', failure: { message: errorOf(e).message } }),
        });
      }
    }
    return { batch, infos };
  }

  private async acceptGroup(group: AcceptGroup, batch: Launch[], infos: TaskInfo[]): Promise<void> {
    try {
      await this.session!.accept(group.offerIds, [{ type: 'LAUNCH', launch: { task_infos: infos } }], {
        refuse_seconds: this.refuseSeconds(),
      });
      for (const launch of batch) this.running(launch);
      // --no-wait: done once launched, except a replace: its old task may only be killed
      // once the successor is up, so that one still waits (else both copies run on).
      if (!this.input.wait)
        for (const launch of batch)
          if (launch.item.action !== 'replace')
            this.input.emit({ type: 'instance', view: this.tracker.settle(launch, true) });
    } catch (e) {
      await this.acceptFailed(group.hostname, batch, e);
    }
  }

  /**
   * An ACCEPT refused by the master (4xx, 503, stale offers) launched nothing: wait for
   * offers again. One whose answer was lost (connection cut, timeout, 5xx) may have
   * launched: launching the same task id again would fail as a duplicate while the first
   * copy runs, so the tasks stay launched-but-unconfirmed and the master is asked.
   */
  private async acceptFailed(hostname: string, batch: Launch[], e: unknown): Promise<void> {
    const err = errorOf(e);
    if (isFailover(e)) {
      // Refused for our stale stream id: nothing launched; another run holds the framework now.
      for (const launch of batch) this.tracker.unlaunch(launch);
      this.failedOver = true;
      this.stopped = 'fatal';
      return;
    }
    const status = e instanceof MesosError ? e.status : undefined;
    const unknownOutcome =
      err.code === 'MA_ERR_CONNECT' ||
      err.code === 'MA_ERR_TIMEOUT' ||
      (err.code === 'MA_ERR_HTTP' && (status === undefined || status >= 500));
    if (!unknownOutcome) {
      this.input.emit({
        type: 'warning',
        message: `ACCEPT on ${hostname} failed (${err.message}); waiting for new offers`,
      });
      for (const launch of batch) this.input.emit({ type: 'instance', view: this.tracker.unlaunch(launch) });
      return;
    }
    this.input.emit({
      type: 'warning',
      message: `ACCEPT on ${hostname} got no answer (${err.message}); asking the master whether the tasks were launched`,
    });
    for (const launch of batch) {
      launch.unconfirmed = true;
      this.running(launch);
    }
    await this.session!.reconcile(batch.map((l) => ({ taskId: l.item.taskId, agentId: l.placement?.agentId }))).catch(
      () => undefined,
    );
  }

  /** Record a launched task as observed, so constraints and spreading see it next round. */
  private running(launch: Launch): void {
    const p = launch.placement!;
    this.observed.add({
      taskId: launch.item.taskId,
      name: launch.item.name,
      instance: launch.item.instance,
      specHash: launch.loaded.hash,
      managed: true,
      state: 'TASK_STAGING',
      agentId: p.agentId,
      hostname: p.hostname,
      ports: p.ports.map((x) => x.hostPort),
      labels: {},
    });
  }

  private async placeRound(): Promise<void> {
    const pending = this.tracker.pending();
    if (pending.length === 0 || this.offers.size === 0) return;
    const kept = this.observed.list.filter((t) => isActive(t.state) && !this.tracker.kills.has(t.taskId));
    const result = placeTasks(
      pending.map((l) => ({
        spec: l.loaded.spec,
        specHash: l.loaded.hash,
        instance: l.item.instance,
        taskId: l.item.taskId,
      })),
      [...this.offers.values()],
      this.agents,
      kept,
    );
    for (const u of result.unplaced) {
      const launch = this.tracker.launches.get(u.taskId);
      if (launch) this.onNotPlaced(launch, u.report);
    }
    await this.launchGroups(result.accepts, new Map(result.placed.map((p) => [p.taskId, p.placement])));
  }

  private onNotPlaced(launch: Launch, report: NonNullable<Launch['lastFit']>): void {
    this.tracker.notPlaced(launch, report, this.now());
    // Fits no agent of the cluster at all: say so now instead of waiting for the deadline.
    if (report.kind === 'never' && this.agents.length > 0) {
      this.input.emit({
        type: 'instance',
        view: this.tracker.settle(launch, false, { phase: 'unplaceable', failure: { fit: report } }),
      });
    }
  }

  private async sendKill(kill: Kill): Promise<void> {
    this.tracker.killSent(kill, this.now());
    try {
      await this.session!.kill(kill.taskId, kill.agentId);
      if (!this.input.wait) {
        kill.settled = true;
        kill.ok = true;
        if (kill.ownView) {
          kill.view = { ...kill.view, settled: true };
          this.input.emit({ type: 'instance', view: kill.view });
        }
      }
    } catch (e) {
      this.input.emit({ type: 'warning', message: `KILL ${kill.taskId} failed (${errorOf(e).message}); retrying` });
    }
  }

  // --- wait -------------------------------------------------------------------------

  private async loop(pump: EventPump): Promise<void> {
    while (this.stopped === undefined && !this.tracker.finished()) {
      const ev = await pump.next(TICK_MS);
      if (ev === 'interrupted') {
        this.stopped = 'interrupted';
        break;
      }
      if (ev !== 'tick') await this.onSessionEvent(ev);
      // Deadlines need no finer grain than the tick: while updates stream in, check them
      // once per tick, not after every event (each check walks every launch).
      if (ev === 'tick' || this.now() - this.lastTick >= TICK_MS) await this.onTick(ev === 'tick');
    }
  }

  private async onSessionEvent(ev: SessionEvent): Promise<void> {
    if (ev.kind === 'closed') {
      this.stopped = 'fatal';
      // Failed over: the lease decides (wait and apply again, or stop after a --takeover).
      if (ev.error && isFailover(ev.error)) {
        this.failedOver = true;
        return;
      }
      if (ev.error) this.errors.push(errorOf(ev.error));
      this.failOpen('failed');
      return;
    }
    if (ev.kind === 'resubscribed') {
      // The master forgot our offers and our suppression with the old connection.
      this.offers.clear();
      this.suppressed = false;
      this.input.emit({ type: 'note', message: 'the connection to the master was re-established; reconciling' });
      const tasks = [...this.tracker.launches.values()]
        .filter((l) => l.launched && !l.settled)
        .map((l) => ({ taskId: l.item.taskId, agentId: l.placement?.agentId }));
      const kills = [...this.tracker.kills.values()]
        .filter((k) => !k.settled)
        .map((k) => ({ taskId: k.taskId, agentId: k.agentId }));
      if (tasks.length + kills.length > 0) await this.session!.reconcile([...tasks, ...kills]).catch(() => undefined);
      if (this.tracker.pending().length > 0) await this.session!.revive().catch(() => undefined);
      return;
    }
    const event = ev.event;
    switch (event.type) {
      case 'OFFERS':
        for (const o of event.offers?.offers ?? []) this.offers.set(o.id.value, o);
        if (event.offers?.offers?.some((o) => !this.agentById.has(o.agent_id.value))) {
          this.setAgents((await this.operator.getAgents()).agents);
        }
        if (this.plan) {
          await this.placeRound();
          if (this.tracker.pending().length === 0) await this.declineAll(REFUSE_WHEN_DONE);
          else await this.declineAll(REFUSE_WHILE_PENDING);
        }
        return;
      case 'RESCIND':
        if (event.rescind) this.offers.delete(event.rescind.offer_id.value);
        return;
      case 'UPDATE':
        if (event.update) await this.onUpdate(event.update.status);
        return;
      case 'ERROR':
        // The session turns ERROR into `closed`; nothing else to do here.
        return;
      default:
        return;
    }
  }

  private acknowledge(status: TaskStatus): void {
    this.acks.ack(this.session!, status);
  }

  private async onUpdate(status: TaskStatus): Promise<void> {
    this.acknowledge(status);
    const taskId = status.task_id.value;
    this.observed.applyStatus(status);
    const launch = this.tracker.launches.get(taskId);
    if (launch?.unconfirmed && !launch.settled) {
      launch.unconfirmed = false;
      // The master does not know the task (§9: LOST, GONE on a registered agent, UNKNOWN,
      // GONE_BY_OPERATOR): the lost ACCEPT launched nothing; place it again.
      if (status.reason === 'REASON_RECONCILIATION' && NOT_LAUNCHED.includes(status.state)) {
        this.input.emit({ type: 'instance', view: this.tracker.unlaunch(launch) });
        await this.session!.revive().catch(() => undefined);
        return;
      }
    }
    if (launch?.launched) {
      const r = this.tracker.onLaunchStatus(launch, status);
      if (r.retry) {
        this.input.emit({ type: 'instance', view: r.view });
        await this.session!.revive().catch(() => undefined);
      } else if (r.done) {
        const needMs = this.minHealthyMs(launch);
        if (status.state === 'TASK_RUNNING' && needMs > 0) {
          if (launch.runningSince === undefined) {
            launch.runningSince = this.now();
            this.input.emit({
              type: 'note',
              message: `${launch.view.key} is up; it must stay up ${needMs / 1000}s (minHealthyTime) to count`,
            });
          }
          this.input.emit({ type: 'instance', view: r.view });
        } else {
          await this.succeed(launch);
        }
      } else if (r.failed) {
        const failure = r.failed;
        if (status.source !== 'SOURCE_MASTER' && this.frameworkId) {
          failure.stderrTail = await sandboxTail(this.files, this.agentOf(failure.agentId), this.frameworkId, taskId);
        }
        this.input.emit({ type: 'instance', view: this.tracker.settle(launch, false, { failure }) });
      } else {
        // Not healthy (any more): the minimum healthy time starts again at the next healthy update.
        delete launch.runningSince;
        this.input.emit({ type: 'instance', view: r.view });
      }
    }
    const kill = this.tracker.kills.get(taskId);
    if (kill) {
      const view = this.tracker.onKillStatus(kill, status, this.now());
      if (view) this.input.emit({ type: 'instance', view });
    }
  }

  private minHealthyMs(launch: Launch): number {
    if (launch.loaded.spec.goal !== 'running') return 0;
    return this.input.minRunningMs ?? effectiveRollout(launch.loaded.spec).minHealthyTime * 1000;
  }

  // --- rollouts -----------------------------------------------------------------------

  private async onSteps(steps: readonly RolloutStep[]): Promise<void> {
    for (const step of steps) {
      if (step.kind === 'open') await this.openBatch(step);
      else if (step.kind === 'release') {
        delete step.launch.held;
        step.launch.pendingSince = this.now();
        this.input.emit({ type: 'instance', view: this.tracker.setPhase(step.launch, 'waiting-offer') });
        await this.reviveForLaunches();
      } else await this.rolloutFailed(step);
    }
  }

  private async openBatch(step: Extract<RolloutStep, { kind: 'open' }>): Promise<void> {
    const keys = step.launches.map((l) => l.view.key).join(', ');
    this.input.emit({ type: 'note', message: `batch ${step.batch}/${step.of}: ${keys}` });
    for (const launch of step.launches) {
      launch.pendingSince = this.now();
      if (launch.settled) continue;
      if (launch.held === 'old-copy') {
        // recreate: the old copy goes first; the launch waits for its end (rollouts.ts).
        const old = launch.item.oldTaskId!;
        const t = this.observed.get(old);
        if (t && isActive(t.state) && !this.tracker.kills.has(old))
          await this.sendKill(this.tracker.addReplaceKill(old, t.agentId, launch.view));
        this.input.emit({ type: 'instance', view: this.tracker.setPhase(launch, 'killing') });
      } else if (step.batch > 1) {
        this.input.emit({ type: 'instance', view: this.tracker.setPhase(launch, 'waiting-offer') });
      }
    }
    if (step.batch > 1) await this.reviveForLaunches();
  }

  /** Offers again for launches that start late: earlier runs of this loop declined with a long filter. */
  private async reviveForLaunches(): Promise<void> {
    this.suppressed = false;
    await this.session!.revive().catch(() => undefined);
  }

  private async rolloutFailed(step: Extract<RolloutStep, { kind: 'failed' }>): Promise<void> {
    const r = step.rollout;
    const failed = step.failed.map((l) => l.view.key).join(', ');
    for (const l of step.skipped) {
      const message = `not started: ${r.name}'s rollout stopped at batch ${step.batch}/${step.of} (${failed} failed)`;
      this.input.emit({
        type: 'instance',
        view: this.tracker.settle(l, false, { phase: 'not-started', failure: { message } }),
      });
    }
    this.errors.push({
      code: 'MA_ERR_ROLLOUT_FAILED',
      message: `${r.name}: the rollout stopped at batch ${step.batch}/${step.of}: ${failed} did not come up`,
      detail: r.autoRevert
        ? 'autoRevert: the previous version is launched again where this rollout had stopped it.'
        : 'Instances not yet replaced keep their old task. Fix the manifest and apply again, or set rollout.autoRevert.',
    });
    if (!r.autoRevert) return;
    const bySpec = previousSpecs(this.observed.list);
    const seen = byInstance(this.observed.list);
    for (const l of [...step.failed, ...step.done]) {
      const item = revertItem(l, this.tracker.kills, seen.get(l.view.key) ?? []);
      const spec = item && bySpec[item.specHash];
      if (!item) {
        this.input.emit({ type: 'note', message: `revert ${l.view.key}: its old task ${l.item.oldTaskId} still runs` });
        continue;
      }
      if (!spec) {
        this.errors.push({
          code: 'MA_ERR_REVERT',
          message: `cannot revert ${l.view.key}: the previous spec is unreadable`,
        });
        continue;
      }
      this.input.emit({
        type: 'note',
        message: `revert ${l.view.key}: launching ${item.taskId} (the previous version)`,
      });
      const launch = this.tracker.addLaunch(item, { spec, hash: item.specHash, source: l.loaded.source });
      launch.pendingSince = this.now();
      this.reverts.push(launch);
      // The new copy that had come up goes: the instance runs the previous version only.
      if (l.ok && l.launched)
        await this.sendKill(this.tracker.addReplaceKill(l.item.taskId, l.placement?.agentId, launch.view));
    }
    await this.reviveForLaunches();
  }

  private async succeed(launch: Launch): Promise<void> {
    this.input.emit({ type: 'instance', view: this.tracker.settle(launch, true) });
    await this.afterSuccess(launch);
  }

  /** A replace's successor runs: now, and only now, kill the task it replaces. */
  private async afterSuccess(launch: Launch): Promise<void> {
    const old = launch.item.oldTaskId;
    if (launch.item.action !== 'replace' || old === undefined) return;
    const t = this.observed.get(old);
    if ((t && !isActive(t.state)) || this.tracker.kills.has(old)) return;
    const kill = this.tracker.addReplaceKill(old, t?.agentId, launch.view);
    await this.sendKill(kill);
  }

  /** `idle`: no event was waiting (the tick of an empty queue). */
  private async onTick(idle: boolean): Promise<void> {
    const now = this.now();
    this.lastTick = now;
    if (now >= this.deadline) {
      this.errors.push({
        code: 'MA_ERR_TIMEOUT',
        message: `not everything was done within --timeout (${Math.round(this.input.timeoutMs / 1000)}s)`,
      });
      this.failOpen('timed-out');
      this.stopped = 'done';
      return;
    }
    const countdown: string[] = [];
    for (const launch of this.tracker.launches.values()) {
      if (launch.settled || launch.runningSince === undefined) continue;
      const left = this.minHealthyMs(launch) - (now - launch.runningSince);
      if (left <= 0) await this.succeed(launch);
      else countdown.push(`${launch.view.key} ${Math.ceil(left / 1000)}s`);
    }
    if (countdown.length > 0 && now - this.lastPendingReport >= PENDING_REPORT_MS) {
      // The minimum healthy time counting down, a few instances by name.
      const more = countdown.length > 3 ? ` and ${countdown.length - 3} more` : '';
      this.input.emit({
        type: 'note',
        message: `up, counting minHealthyTime: ${countdown.slice(0, 3).join(', ')}${more} left`,
      });
    }
    await this.onSteps(this.rollouts?.advance(this.tracker.kills) ?? []);
    for (const launch of this.tracker.pending()) {
      if (launch.pendingSince !== undefined && now - launch.pendingSince >= this.input.pendingTimeoutMs) {
        const fit = launch.lastFit;
        const message = fit
          ? fit.summary
          : `no offer arrived within --pending-timeout (${Math.round(this.input.pendingTimeoutMs / 1000)}s): are agents registered, and is role '${launch.loaded.spec.role}' offered to this framework?`;
        this.input.emit({
          type: 'instance',
          view: this.tracker.settle(launch, false, { phase: 'unplaceable', failure: fit ? { fit } : { message } }),
        });
      }
    }
    if (now - this.lastPendingReport >= PENDING_REPORT_MS) {
      this.lastPendingReport = now;
      for (const launch of this.tracker.pending()) {
        if (launch.lastFit)
          this.input.emit({
            type: 'pending',
            key: launch.view.key,
            reasons: topReasons(launch.rejections, 3).map(
              (r) => launch.lastFit!.reasons.find((x) => x.reason === r.reason) ?? { ...r, detail: r.reason },
            ),
            fit: launch.lastFit,
          });
      }
    }
    // KILLs are resent only once every update that arrived is handled: with updates still
    // queued, a task's silence may only be this run's backlog.
    if (idle) await forEachInFlight(this.tracker.killsDue(now), CALLS_IN_FLIGHT, (kill) => this.sendKill(kill));
    if (this.tracker.pending().length === 0 && !this.suppressed && this.offers.size === 0) {
      this.suppressed = true;
      await this.session!.suppress().catch(() => undefined);
    }
  }

  // --- leave ------------------------------------------------------------------------

  private failOpen(phase: 'failed' | 'timed-out'): void {
    for (const launch of this.tracker.launches.values()) {
      if (launch.settled) continue;
      const failure = {
        state: launch.view.state,
        message:
          phase === 'timed-out'
            ? atDeadline(launch.view.phase, launch.loaded.spec.healthCheck !== undefined)
            : 'the run stopped before this task was done',
        fit: launch.lastFit,
      };
      this.input.emit({
        type: 'instance',
        view: this.tracker.settle(launch, false, {
          phase: launch.launched || phase === 'failed' ? phase : 'unplaceable',
          failure,
        }),
      });
    }
    for (const kill of this.tracker.kills.values()) {
      if (kill.settled) continue;
      kill.settled = true;
      const unreachable = kill.state === 'TASK_UNREACHABLE';
      const message = unreachable
        ? UNREACHABLE_KILL
        : `no terminal state for ${kill.taskId} yet (${kill.state ?? 'no update'})`;
      if (kill.ownView) {
        kill.view = {
          ...kill.view,
          phase: unreachable ? 'unreachable' : phase,
          settled: true,
          failure: { state: kill.state, message },
        };
        this.input.emit({ type: 'instance', view: kill.view });
      } else {
        this.errors.push({
          code: 'MA_ERR_KILL_PENDING',
          message: `the replaced task ${kill.taskId} is not gone yet: ${message}`,
        });
      }
    }
  }

  private interruptAll(): void {
    for (const launch of this.tracker.launches.values()) {
      if (!launch.settled)
        this.input.emit({
          type: 'instance',
          view: this.tracker.settle(launch, false, {
            phase: 'interrupted',
            failure: {
              state: launch.view.state,
              message: launch.launched
                ? 'interrupted after launch: the task keeps running on its agent'
                : 'interrupted before launch: nothing was started',
            },
          }),
        });
    }
    for (const kill of this.tracker.kills.values()) {
      if (kill.settled) continue;
      kill.settled = true;
      if (!kill.ownView) continue;
      kill.view = {
        ...kill.view,
        phase: 'interrupted',
        settled: true,
        failure: { state: kill.state, message: 'interrupted: the KILL was sent, its end was not awaited' },
      };
      this.input.emit({ type: 'instance', view: kill.view });
    }
  }

  private async leave(): Promise<void> {
    if (this.session) {
      await this.declineAll(REFUSE_WHEN_DONE).catch(() => undefined);
      if (!this.suppressed && this.session.stateName === 'SUBSCRIBED')
        await this.session.suppress().catch(() => undefined);
      // Updates that came in after the loop stopped (interrupt, timeout, done) are still
      // acknowledged: unacknowledged, they would hold up the task's later updates.
      await this.pump?.drainQueued(async (ev) => {
        if (ev.kind === 'event' && ev.event.type === 'UPDATE' && ev.event.update)
          this.acknowledge(ev.event.update.status);
      });
      await this.acknowledgeLeftovers();
      await this.acks.settled();
      await this.session.close().catch(() => undefined);
    }
    await Promise.allSettled([this.operator.close(), this.files.close()]);
  }

  /** What earlier runs left unacknowledged (see pending-acks.ts), bounded: leaving stays quick. */
  private async acknowledgeLeftovers(): Promise<void> {
    if (!this.session || !this.frameworkId || this.session.stateName !== 'SUBSCRIBED') return;
    // A run that launched and killed nothing: the master's view is the one read at the start.
    const unchanged = this.tracker.launches.size === 0 && this.tracker.kills.size === 0;
    await acknowledgePending(this.operator, this.session, this.frameworkId, this.acks, {
      deadline: Date.now() + LEFTOVER_ACKS_MS,
      now: Date.now,
      pollMs: 100,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      ...(unchanged ? { firstRead: this.firstRead } : {}),
    }).catch(() => undefined);
  }

  private async declineAll(refuseSeconds: number): Promise<void> {
    if (this.offers.size === 0 || !this.session) return;
    const ids = [...this.offers.keys()];
    this.offers.clear();
    await this.session.decline(ids, { refuse_seconds: refuseSeconds }).catch(() => undefined);
  }

  private refuseSeconds(): number {
    return this.tracker.pending().length > 0 ? REFUSE_WHILE_PENDING : REFUSE_WHEN_DONE;
  }

  private setAgents(agents: typeof this.agents): void {
    this.agents = agents;
    this.agentById = new Map(agents.map((a) => [a.agent_info.id?.value, a]));
  }

  private agentOf(agentId: string | undefined) {
    return agentId === undefined ? undefined : this.agentById.get(agentId);
  }

  private hostOf(agentId: string | undefined): string | undefined {
    return this.agentOf(agentId)?.agent_info.hostname;
  }

  private views(): InstanceView[] {
    const out: InstanceView[] = [];
    for (const item of this.plan?.items ?? []) {
      const l = this.tracker.launches.get(item.taskId);
      const k = this.tracker.kills.get(item.taskId);
      if (l) out.push(l.view);
      else if (k?.ownView) out.push(k.view);
      else if (item.action === 'unchanged') out.push(this.unchangedView(item));
    }
    for (const l of this.reverts) out.push(l.view);
    return out;
  }

  /** What an instance the plan leaves as it is looks like: its current task, settled. */
  private unchangedView(item: PlanItem): InstanceView {
    const t = this.observed.get(item.taskId);
    return {
      key: `${item.name}/${item.instance}`,
      name: item.name,
      instance: item.instance,
      action: 'unchanged',
      phase: 'unchanged',
      taskId: item.taskId,
      state: t?.state,
      healthy: t?.healthy,
      agentId: t?.agentId,
      host: t?.hostname ?? this.hostOf(t?.agentId),
      ports: t === undefined ? undefined : namedPortsOf(t),
      settled: true,
    };
  }
}
