/**
 * One apply round in a held subscription (lifecycle.ts): plan from the observed state and
 * the offers (the pure planner), act (launches, KILLs, rollout batches), then let the
 * lifecycle wait, feeding this round's hooks, until every launch and kill is settled.
 * apply runs one round; the controller runs one whenever something changed. Invariants:
 *  - a replaced task is killed only after its successor is done (running/healthy for its
 *    minimum healthy time), see launch-watch.ts;
 *  - offers the round does not use are declined at once, with a short refuse filter while
 *    launches still wait and a long one when none do.
 */
import type { AgentFilesClient } from '../mesos/agent-files.js';
import type { Offer, TaskStatus } from '../mesos/types.js';
import { instanceKey, parseInstanceKey } from '../model/ids.js';
import { namedPortsOf, ObservedTasks } from '../model/observed.js';
import { launches, makePlan, planItems } from '../plan/plan.js';
import { blockedMessage } from '../plan/rollout.js';
import type { Plan, PlanItem } from '../plan/types.js';
import type { ApplyContext, ApplyRoundOptions } from './apply-context.js';
import { previousSecrets, previousSpecs } from './cluster.js';
import { errorOf } from './errors.js';
import type { Emit, InstanceView, ReportError } from './events.js';
import { CALLS_IN_FLIGHT, forEachInFlight } from './in-flight.js';
import { LaunchWatch } from './launch-watch.js';
import { Launcher } from './launcher.js';
import { isFailover } from './lease.js';
import { REFUSE_WHEN_DONE, REFUSE_WHILE_PENDING, type RunLifecycle } from './lifecycle.js';
import type { Round, Stop } from './round.js';
import { onSteps } from './rollout-steps.js';
import { Rollouts } from './rollouts.js';
import { failOpen, interruptAll } from './settle-rest.js';
import type { Kill } from './records.js';
import { Tracker } from './tracker.js';

/** How long planning waits for the first offers when something launches (and --pending-timeout allows). */
const OFFER_WAIT_MS = 15_000;

export class ApplyRound implements Round {
  readonly tracker = new Tracker();
  plan?: Plan;
  /** Another run took the framework while this round acted: stop, the lease decides. */
  failedOver = false;
  private readonly ctx: ApplyContext;
  private readonly launcher: Launcher;
  private readonly watch: LaunchWatch;
  private rollouts?: Rollouts;

  constructor(
    private readonly life: RunLifecycle,
    private readonly opts: ApplyRoundOptions,
    io: { emit: Emit; files: AgentFilesClient; errors: ReportError[] },
  ) {
    this.ctx = {
      life,
      tracker: this.tracker,
      opts,
      emit: io.emit,
      errors: io.errors,
      files: io.files,
      reverts: [],
      sendKill: (kill) => this.sendKill(kill),
      failedOver: () => (this.failedOver = true),
      refuseSeconds: () => (this.tracker.hasPending() ? REFUSE_WHILE_PENDING : REFUSE_WHEN_DONE),
    };
    this.launcher = new Launcher(this.ctx);
    this.watch = new LaunchWatch(this.ctx);
  }

  /**
   * Plans from `life.observed` (call `life.gather()` first). When something launches, it
   * revives offers and waits a moment for them (bounded by `deadline`), so the plan can
   * say where each task goes. A Stop when that wait ended the round.
   */
  async makePlan(deadline: number): Promise<Stop | undefined> {
    const { life, opts } = this;
    const base = {
      ...this.planBasis(),
      specs: opts.specs,
      ...(opts.hold ? { hold: opts.hold(life.observed.list) } : {}),
      prune: opts.prune,
      ...(opts.pruneSelector ? { pruneSelector: opts.pruneSelector } : {}),
      allowEmpty: opts.allowEmpty,
      ...(opts.replace ? { replace: opts.replace } : {}),
    };
    const observed = life.observed;
    const seen = observed.version;
    const items = planItems(base);
    let plan: Plan;
    if (items.some(launches)) {
      // Offers: clear the refuse filters and suppression that earlier runs left behind.
      await life.revive({ quiet: false });
      const until = Math.min(deadline, life.clock.now() + Math.min(opts.pendingTimeoutMs, OFFER_WAIT_MS));
      const stop = await life.waitForOffers(this, until);
      if (stop) return stop;
      // Updates came in while waiting: what the round saw end since is held as well.
      const hold = opts.hold?.(life.observed.list);
      const unchanged = life.observed === observed && observed.version === seen && sameKeys(hold, base.hold);
      plan = makePlan(
        { ...base, ...(hold ? { hold } : {}), observed: life.observed.list, offers: [...life.offers.values()] },
        unchanged ? items : undefined,
      );
    } else plan = makePlan({ ...base, offers: [] }, items);
    this.plan = plan;
    this.ctx.emit({ type: 'planned', plan });
    return undefined;
  }

  /** What every plan of the round reads: the cluster as observed now (gone tasks as lost). */
  private planBasis() {
    const { life, opts } = this;
    const gone = opts.gone;
    if (gone !== undefined && gone.size > 0)
      life.observed = new ObservedTasks(
        life.observed.list.map((t) => (gone.has(t.taskId) ? { ...t, state: 'TASK_LOST' as const } : t)),
      );
    return {
      observed: life.observed.list,
      agents: life.agents,
      framework: opts.framework,
      previousSpecs: previousSpecs(life.observed.list),
      previousSecrets: previousSecrets(life.observed.list),
    };
  }

  /**
   * Launches fallen due while the round waits (opts.extraLaunches, the controller's heals),
   * planned from the cluster as it is now and placed on the next offers: a death heals
   * within its backoff even while another name's rollout holds the round. Only instances
   * with no active task are launched (the planner's create and relaunch), so no instance
   * gets a second copy, and only names with no open work in the round are asked for.
   */
  private async launchExtra(now: number): Promise<void> {
    const ask = this.opts.extraLaunches;
    if (ask === undefined || this.plan === undefined) return;
    let busy: Set<string> | undefined;
    const keys = ask(now, (name) => {
      busy ??= this.openNames();
      return busy.has(name);
    });
    if (keys.length === 0) return;
    const want = new Set(keys);
    const names = new Set(keys.flatMap((k) => parseInstanceKey(k)?.name ?? []));
    const specs = this.opts.specs.filter((s) => names.has(s.spec.name));
    // The diff alone: these are placed by placeRound below, on the offers as they come.
    const items = planItems({ ...this.planBasis(), specs, prune: false, allowEmpty: false });
    const bySpec = new Map(specs.map((s) => [s.spec.name, s]));
    for (const item of items) {
      if (!launches(item) || item.action === 'replace' || !want.has(instanceKey(item.name, item.instance, item.run)))
        continue;
      if (this.tracker.launches.has(item.taskId)) continue;
      const launch = this.tracker.addLaunch(item, bySpec.get(item.name)!);
      this.tracker.waitingSince(launch, now);
      this.ctx.emit({ type: 'instance', view: launch.view });
    }
    await this.life.revive();
    await this.launcher.placeRound();
  }

  /** Names with a launch or kill of this round still open. */
  private openNames(): Set<string> {
    const out = new Set<string>();
    for (const l of this.tracker.launches.values()) if (!l.settled) out.add(l.item.name);
    for (const k of this.tracker.kills.values()) if (!k.settled) out.add(k.view.name);
    return out;
  }

  /** Acts on the plan, then waits until everything is settled or a Stop. */
  async run(deadline: number): Promise<Stop> {
    await this.act();
    return this.failedOver ? 'halted' : this.life.wait(this, deadline);
  }

  /** Verdicts for what is still open when the wait stopped (see settle-rest.ts). */
  settleOpen(stop: Stop): void {
    const { emit, errors } = this.ctx;
    if (stop === 'interrupted') interruptAll(this.tracker, emit);
    else if (stop === 'timeout') {
      errors.push({
        code: 'MA_ERR_TIMEOUT',
        message: `not everything was done within --timeout (${Math.round(this.opts.timeoutMs / 1000)}s)`,
      });
      failOpen(this.tracker, emit, errors, 'timed-out');
    } else if (stop === 'closed') {
      const error = this.life.closedError;
      // Failed over: the lease decides (wait and apply again, or stop after a --takeover).
      if (error && isFailover(error)) this.failedOver = true;
      else {
        if (error) errors.push(errorOf(error));
        failOpen(this.tracker, emit, errors, 'failed');
      }
    }
  }

  private async act(): Promise<void> {
    const { tracker, emit, life } = this.ctx;
    const plan = this.plan!;
    const bySpec = new Map(this.opts.specs.map((s) => [s.spec.name, s]));
    const deletes: Kill[] = [];
    for (const item of plan.items) {
      if (item.action === 'unchanged') {
        emit({ type: 'instance', view: this.unchangedView(item) });
      } else if (item.action === 'delete') {
        const t = life.observed.get(item.taskId);
        const kill = tracker.addDelete(item, t?.agentId, t?.hostname ?? life.hostOf(t?.agentId));
        emit({ type: 'instance', view: kill.view });
        deletes.push(kill);
      } else {
        const launch = tracker.addLaunch(item, bySpec.get(item.name)!);
        tracker.waitingSince(launch, life.clock.now());
        emit({ type: 'instance', view: launch.view });
        if (item.unplaced) this.launcher.notPlaced(launch, item.unplaced);
      }
    }
    await forEachInFlight(deletes, CALLS_IN_FLIGHT, (kill) => this.sendKill(kill));
    for (const item of plan.items) {
      const launch = item.blockedBy && tracker.launches.get(item.taskId);
      if (launch) {
        const failure = { message: blockedMessage(item.blockedBy!), fit: item.unplaced };
        emit({ type: 'instance', view: tracker.settle(launch, false, { phase: 'unplaceable', failure }) });
      }
    }
    this.rollouts = new Rollouts(plan, tracker);
    for (const l of tracker.launches.values()) if (l.held) tracker.setPhase(l, 'queued');
    await onSteps(this.ctx, this.rollouts.start());
    await this.launcher.launchGroups(
      plan.accepts,
      new Map(plan.items.filter((i) => i.placement).map((i) => [i.taskId, i.placement!])),
    );
    await onSteps(this.ctx, this.rollouts.advance(tracker.kills));
    // Offers the plan left unused go back now: held, they would starve other frameworks
    // for the whole wait (and keep the tick from suppressing).
    await life.declineAll(this.ctx.refuseSeconds());
  }

  private async sendKill(kill: Kill): Promise<void> {
    const sent = await this.life.sendKill(this.tracker, kill);
    if (sent && !this.opts.wait) {
      const view = this.tracker.settleKill(kill, true);
      if (view) this.ctx.emit({ type: 'instance', view });
    }
  }

  // --- the lifecycle's hooks ------------------------------------------------------------

  onUpdate(status: TaskStatus): Promise<void> {
    return this.watch.onUpdate(status);
  }

  async onOffers(offers: readonly Offer[]): Promise<void> {
    await this.life.learnAgents(offers);
    if (this.plan) await this.launcher.placeRound();
  }

  holdsOffers(): boolean {
    return this.plan === undefined;
  }

  async onResubscribed(): Promise<void> {
    this.ctx.emit({ type: 'note', message: 'the connection to the master was re-established; reconciling' });
  }

  async onTick(now: number): Promise<void> {
    await this.watch.tickUp(now);
    await onSteps(this.ctx, this.rollouts?.advance(this.tracker.kills) ?? []);
    this.watch.tickPending(now);
    await this.launchExtra(now);
  }

  halted(): boolean {
    return this.failedOver;
  }

  // --- the report -----------------------------------------------------------------------

  /** Every instance of the plan as it ended, then the autoRevert launches. */
  views(): InstanceView[] {
    const out: InstanceView[] = [];
    for (const item of this.plan?.items ?? []) {
      const l = this.tracker.launches.get(item.taskId);
      const k = this.tracker.kills.get(item.taskId);
      if (l) out.push(l.view);
      else if (k?.ownView) out.push(k.view);
      else if (item.action === 'unchanged') out.push(this.unchangedView(item));
    }
    for (const l of this.ctx.reverts) out.push(l.view);
    return out;
  }

  /** What an instance the plan leaves as it is looks like: its current task, settled. */
  private unchangedView(item: PlanItem): InstanceView {
    const t = this.life.observed.get(item.taskId);
    return {
      key: instanceKey(item.name, item.instance, item.run),
      name: item.name,
      instance: item.instance,
      ...(item.run !== undefined ? { run: item.run } : {}),
      action: 'unchanged',
      phase: 'unchanged',
      taskId: item.taskId,
      state: t?.state,
      healthy: t?.healthy,
      agentId: t?.agentId,
      host: t?.hostname ?? this.life.hostOf(t?.agentId),
      ports: t === undefined ? undefined : namedPortsOf(t),
      settled: true,
    };
  }
}

function sameKeys(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): boolean {
  if (a === undefined || b === undefined) return (a?.size ?? 0) === (b?.size ?? 0);
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}
