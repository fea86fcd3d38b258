/**
 * One subscription's life, shared by apply, delete and the controller: the event loop
 * (updates acknowledged as they arrive, offers kept in a book, the master's reconnects
 * answered with a RECONCILE of what is in flight), the clock's duties (deadline, KILL
 * resends, suppressing offers when nothing waits for one) and leaving (decline, suppress,
 * acknowledge what is still queued, close without TEARDOWN: the tasks outlive the run).
 * A KILL a round sent whose task had not ended when the round did is resent from here
 * until the task ends, between rounds too.
 *
 * What a run does with it is a Round (round.ts, the hooks): apply-round.ts plans, launches
 * and kills; delete.ts only kills. How a caller that holds the lease (lease.ts) uses it,
 * as engine.ts does for one apply and a controller does for many rounds:
 *
 *   const life = new RunLifecycle({ session, events: new EventPump(session.events(), interrupted),
 *                                   frameworkId, operator, emit, clock, onUpdate });
 *   await life.gather();                           // observed tasks and agents, from the master
 *   const round = new ApplyRound(life, opts, { emit, files, errors });
 *   let stop = await round.makePlan(deadline);     // plan (waits a moment for offers)
 *   stop ??= await round.run(deadline);            // act, then life.wait(round, deadline)
 *   round.settleOpen(stop);                        // verdicts for what was still open
 *   await life.endRound(round);                    // its open KILLs stay the lifecycle's
 *   await life.idle(() => next);                   // between rounds: acks, offers declined,
 *   ...                                            // KILLs resent, opts.onUpdate hears all
 *   await life.leave();                            // decline, suppress, ack, close
 *
 * `life.observed` stays current between rounds (launches added, updates folded in), so a later
 * round may plan from it without gathering again; `gather()` reads the master afresh (the
 * tasks from a read the caller hands over with useTasksRead, while no event came between).
 * Invariants:
 *  - every update with a uuid is acknowledged (acks.ts), whoever launched the task;
 *  - every wait is on `clock` and `events`: a fake of each drives the loop in unit tests;
 *  - the session is never torn down here.
 */
import type { SessionEvent } from '../mesos/scheduler.js';
import type { GetTasks, Offer, OperatorAgent, TaskStatus } from '../mesos/types.js';
import { ObservedTasks } from '../model/observed.js';
import { readCluster, type ClusterReader, type StreamHead } from './cluster.js';
import type { Clock } from './clock.js';
import type { Emit } from './events.js';
import { Acknowledger } from './acks.js';
import { acknowledgeLeftovers } from './pending-acks.js';
import { knownAcknowledged, LABEL_ACKED_HEADS } from './acked-heads.js';
import { errorOf } from './errors.js';
import { CALLS_IN_FLIGHT, forEachInFlight } from './in-flight.js';
import type { Kill } from './records.js';
import type { EventSource, Round, Scheduler, Stop } from './round.js';
import { Tracker } from './tracker.js';

export interface LifecycleOptions {
  session: Scheduler;
  events: EventSource;
  frameworkId: string;
  operator: ClusterReader;
  emit: Emit;
  clock: Clock;
  /**
   * Before leaving, acknowledge what earlier runs left unacknowledged (pending-acks.ts), and
   * record in the framework's labels what is acknowledged (acked-heads.ts).
   */
  leftoverAcks?: boolean;
  /** Every status update, before the round's hook: the controller hears of any task here. */
  onUpdate?: (status: TaskStatus) => void;
  /** Subscribed again after a lost connection, before the RECONCILE of what is in flight. */
  onResubscribed?: () => Promise<void>;
}

export const TICK_MS = 250;
/** The tick while no round is attached (between the controller's rounds). */
const IDLE_TICK_MS = 1_000;
/** Refuse filters (seconds): short while tasks still wait for room, long once all are placed. */
export const REFUSE_WHILE_PENDING = 2;
export const REFUSE_WHEN_DONE = 60;

export class RunLifecycle {
  readonly offers = new Map<string, Offer>();
  readonly acks: Acknowledger;
  readonly frameworkId: string;
  readonly clock: Clock;
  observed = new ObservedTasks();
  agents: OperatorAgent[] = [];
  /** Set when a wait stopped with 'closed': the session's error, if it had one. */
  closedError: unknown;
  /** `agents` by id: offers and report rows look agents up per item, thousands of times. */
  private agentById = new Map<string | undefined, OperatorAgent>();
  /** gather() has read the master. */
  private gathered = false;
  /** A GET_TASKS answer the next gather() starts from, until an event is handled (useTasksRead). */
  private tasksRead?: GetTasks;
  /**
   * The framework's tasks as the first gather() read them (GET_TASKS), until a later read
   * supersedes them: the leaving pass of a run that changed nothing since may reuse them.
   */
  private firstRead?: StreamHead[];
  /** Uuids of heads that the label an earlier run left vouches for (acked-heads.ts), as gather() found them. */
  private readonly vouched = new Set<string>();
  /** Task id → when its latest update came (clock ms): what a lost master leaves unconfirmed. */
  readonly heardAt = new Map<string, number>();
  private suppressed = false;
  private lastTick = 0;
  /** The rounds the loop drives now (attach … endRound). */
  private readonly rounds = new Set<Round>();
  /** KILLs ended rounds left without seeing their task end: resent until it does. */
  private readonly carried = new Tracker();

  constructor(private readonly opts: LifecycleOptions) {
    this.frameworkId = opts.frameworkId;
    this.clock = opts.clock;
    this.acks = new Acknowledger(
      (message) => opts.emit({ type: 'warning', message }),
      () => opts.clock.now(),
    );
  }

  get session(): Scheduler {
    return this.opts.session;
  }

  /**
   * A GET_TASKS answer the caller read after subscribing (the controller's history read):
   * the next gather() starts from it instead of reading the tasks again, unless an event is
   * handled first (an update the answer may predate would be lost with the stale list). The
   * caller launches and kills nothing in between: those go through rounds, after gather().
   */
  useTasksRead(tasks: GetTasks): void {
    this.tasksRead = tasks;
  }

  /** The framework's tasks and the agents, as the master sees them now. */
  async gather(): Promise<void> {
    const read = this.tasksRead;
    this.tasksRead = undefined;
    const cluster = await readCluster(this.opts.operator, this.frameworkId, read);
    this.observed = new ObservedTasks(cluster.observed);
    this.setAgents(cluster.agents);
    // Both serve only the leaving pass of leftoverAcks.
    if (!this.opts.leftoverAcks) return;
    this.firstRead = this.gathered ? undefined : cluster.tasks;
    this.gathered = true;
    // The label as the session subscribed with it: what the framework had, carried forward.
    // It can vouch for a head only if this run knows nothing of it yet: after the first read,
    // heads that changed are updates this run acknowledged, and the digests (every head of
    // the framework) are computed again only when a read shows one it does not know (a task
    // whose agent came back, say), not at every round of a controller.
    const label = this.session.info.labels?.labels?.find((l) => l.key === LABEL_ACKED_HEADS)?.value;
    if (label !== undefined && cluster.tasks.some((h) => this.unknownHead(h.status_update_uuid)))
      for (const uuid of knownAcknowledged(label, cluster.tasks)) this.vouched.add(uuid);
  }

  /** A head this run neither found vouched for nor acknowledged. */
  private unknownHead(uuid: string | undefined): boolean {
    return uuid !== undefined && !this.vouched.has(uuid) && !this.acks.has(uuid);
  }

  /** Offers from agents not seen yet: read the agents again (placement needs their attributes). */
  async learnAgents(offers: readonly Offer[]): Promise<void> {
    if (offers.some((o) => !this.agentById.has(o.agent_id.value)))
      this.setAgents((await this.opts.operator.getAgents()).agents);
  }

  agentOf(agentId: string | undefined): OperatorAgent | undefined {
    return agentId === undefined ? undefined : this.agentById.get(agentId);
  }

  hostOf(agentId: string | undefined): string | undefined {
    return this.agentOf(agentId)?.agent_info.hostname;
  }

  /**
   * Rounds hear every event and tick from now on, until endRound: several may be attached
   * at once (each with its own tracker), and every wait below drives all of them.
   */
  attach(round: Round): void {
    this.rounds.add(round);
  }

  /** Waits (handling events) until an offer is in the book or `until`; then takes what is queued. */
  async waitForOffers(round: Round, until: number): Promise<Stop | undefined> {
    this.attach(round);
    const stop = await this.loop(
      () => (this.offers.size > 0 ? 'done' : undefined),
      () => until,
    );
    if (stop !== 'done' && stop !== 'timeout') return stop;
    for (;;) {
      const ev = await this.opts.events.next(0);
      if (ev === 'tick' || ev === 'interrupted') return undefined;
      const stop = await this.dispatch(ev);
      if (stop) return stop;
    }
  }

  /** Handles events and ticks until the round's tracker is finished, or a Stop. */
  wait(round: Round, deadline: number): Promise<Stop> {
    this.attach(round);
    return this.loop(
      () => (round.tracker.finished() ? 'done' : undefined),
      () => deadline,
    );
  }

  /**
   * Between rounds (or beside them): handles events and ticks, driving whatever rounds are
   * attached, until `until()` ('timeout'; asked again after every event, so news may bring
   * it forward) or a Stop. KILLs that rounds left open are resent here too.
   */
  idle(until: () => number): Promise<Stop> {
    return this.loop(() => undefined, until);
  }

  private async loop(stopWhen: () => Stop | undefined, deadline: () => number): Promise<Stop> {
    for (;;) {
      if (this.halted()) return 'halted';
      const stop = stopWhen();
      if (stop) return stop;
      // Wake at the deadline itself, not up to a tick after it. With no round attached the
      // ticks only resend KILLs (every KILL_RETRY_MS): a slower tick keeps idling cheap.
      const tickMs = this.rounds.size > 0 ? TICK_MS : IDLE_TICK_MS;
      const wait = Math.max(1, Math.min(tickMs, deadline() - this.clock.now()));
      const ev = await this.opts.events.next(wait);
      if (ev === 'interrupted') return 'interrupted';
      const late = ev === 'tick' ? undefined : await this.dispatch(ev);
      if (late) return late;
      // Deadlines need no finer grain than the tick: while updates stream in, check them
      // once per tick, not after every event (each check walks every launch).
      if (ev === 'tick' || this.clock.now() - this.lastTick >= tickMs) {
        const late = await this.tick(deadline(), ev === 'tick');
        if (late) return late;
      }
    }
  }

  private halted(): boolean {
    for (const r of this.rounds) if (r.halted()) return true;
    return false;
  }

  /** Some attached round plans from the book, or has launches waiting for an offer. */
  private wantsOffers(): boolean {
    for (const r of this.rounds) if (r.holdsOffers() || r.tracker.hasPending()) return true;
    return false;
  }

  /** `idle`: no event was waiting (the tick of an empty queue). */
  private async tick(deadline: number, idle: boolean): Promise<Stop | undefined> {
    const now = this.clock.now();
    this.lastTick = now;
    if (now >= deadline) return 'timeout';
    for (const r of this.rounds) {
      await r.onTick(now);
      if (r.halted()) return 'halted';
    }
    // KILLs are resent only once every update that arrived is handled: with updates still
    // queued, a task's silence may only be this run's backlog.
    if (idle)
      for (const tracker of [...[...this.rounds].map((r) => r.tracker), this.carried])
        await forEachInFlight(tracker.killsDue(now), CALLS_IN_FLIGHT, (kill) =>
          this.sendKill(tracker, kill).then(() => undefined),
        );
    if (this.offers.size === 0 && !this.wantsOffers()) await this.suppress();
    return undefined;
  }

  private async dispatch(ev: SessionEvent): Promise<Stop | undefined> {
    this.tasksRead = undefined;
    if (ev.kind === 'closed') {
      this.closedError = ev.error;
      return 'closed';
    }
    if (ev.kind === 'resubscribed') {
      // The master forgot our offers and our suppression with the old connection.
      this.offers.clear();
      this.suppressed = false;
      for (const r of this.rounds) await r.onResubscribed();
      await this.opts.onResubscribed?.();
      const tasks: { taskId: string; agentId: string | undefined }[] = [];
      for (const tracker of [...[...this.rounds].map((r) => r.tracker), this.carried]) {
        for (const l of tracker.launches.values())
          if (l.launched && !l.settled) tasks.push({ taskId: l.item.taskId, agentId: l.placement?.agentId });
        for (const k of tracker.kills.values()) if (!k.settled) tasks.push({ taskId: k.taskId, agentId: k.agentId });
      }
      if (tasks.length > 0) await this.session.reconcile(tasks).catch(() => undefined);
      if (this.wantsOffers()) await this.revive();
      return undefined;
    }
    const event = ev.event;
    switch (event.type) {
      case 'OFFERS': {
        const offers = event.offers?.offers ?? [];
        for (const o of offers) this.offers.set(o.id.value, o);
        for (const r of this.rounds) await r.onOffers(offers);
        await this.declineUnused();
        break;
      }
      case 'RESCIND':
        if (event.rescind) this.offers.delete(event.rescind.offer_id.value);
        break;
      case 'UPDATE':
        if (event.update) {
          const status = event.update.status;
          this.acknowledge(status);
          this.heardAt.set(status.task_id.value, this.clock.now());
          this.observed.applyStatus(status);
          this.opts.onUpdate?.(status);
          const carried = this.carried.kills.get(status.task_id.value);
          if (carried) {
            this.carried.onKillStatus(carried, status, this.clock.now());
            this.carried.forgetKill(carried);
          }
          for (const r of this.rounds) await r.onUpdate(status);
        }
        break;
      default:
        // ERROR: the session turns it into `closed`; HEARTBEAT and the rest need nothing.
        break;
    }
    return this.halted() ? 'halted' : undefined;
  }

  /**
   * After every round placed what it could: the rest of the book goes back (held, offers
   * would starve other frameworks), with a short refuse filter while launches still wait.
   */
  private async declineUnused(): Promise<void> {
    for (const r of this.rounds) if (r.holdsOffers()) return;
    await this.declineAll(this.wantsOffers() ? REFUSE_WHILE_PENDING : REFUSE_WHEN_DONE);
  }

  acknowledge(status: TaskStatus): void {
    this.acks.ack(this.session, status);
  }

  /**
   * Offers again (clears the master's suppression and the refuse filters). Failures are
   * quiet unless `quiet: false` (the plan's revive: it waits for the offers it asks for).
   */
  async revive({ quiet = true }: { quiet?: boolean } = {}): Promise<void> {
    this.suppressed = false;
    const sent = this.session.revive();
    await (quiet ? sent.catch(() => undefined) : sent);
  }

  /**
   * No offers wanted: SUPPRESS, once until something revives. A failure is quiet: offers
   * that still come are declined with the long refuse filter.
   */
  private async suppress(): Promise<void> {
    if (this.suppressed || this.session.stateName !== 'SUBSCRIBED') return;
    this.suppressed = true;
    await this.session.suppress().catch(() => undefined);
  }

  /** Sends (or resends) a KILL; false when the call failed (the tick resends it). */
  async sendKill(tracker: Tracker, kill: Kill): Promise<boolean> {
    tracker.killSent(kill, this.clock.now());
    try {
      await this.session.kill(kill.taskId, kill.agentId);
      return true;
    } catch (e) {
      this.opts.emit({ type: 'warning', message: `KILL ${kill.taskId} failed (${errorOf(e).message}); retrying` });
      return false;
    }
  }

  async declineAll(refuseSeconds: number): Promise<void> {
    if (this.offers.size === 0) return;
    const ids = [...this.offers.keys()];
    this.offers.clear();
    await this.session.decline(ids, { refuse_seconds: refuseSeconds }).catch(() => undefined);
  }

  /**
   * A round is over, the subscription stays: its KILLs whose task has not ended yet are
   * resent from here on (until the task ends), and once no round is left, offers go back,
   * suppressed, acknowledgements answered.
   */
  async endRound(round: Round): Promise<void> {
    this.rounds.delete(round);
    for (const kill of round.tracker.kills.values())
      if (!this.carried.kills.has(kill.taskId)) this.carried.carryKill(kill);
    if (this.rounds.size === 0 && this.session.stateName === 'SUBSCRIBED') {
      await this.declineAll(REFUSE_WHEN_DONE);
      await this.suppress();
    }
    await this.acks.settled();
  }

  /**
   * Leaves the subscription: offers back, suppressed, every update acknowledged, closed.
   * `changedNothing`: no launch or kill since the first gather(), so its GET_TASKS read is
   * still the master's view and the leaving pass starts from it (pending-acks.ts), unless a
   * later gather() read the master again.
   */
  async leave(changedNothing = false): Promise<void> {
    await this.declineAll(REFUSE_WHEN_DONE);
    const subscribed = () => this.session.stateName === 'SUBSCRIBED';
    await this.suppress();
    // Updates that came in after the wait stopped (interrupt, timeout, done) are still
    // acknowledged: unacknowledged, they would hold up the task's later updates.
    await this.opts.events.drainQueued(async (ev) => {
      if (ev.kind === 'event' && ev.event.type === 'UPDATE' && ev.event.update)
        this.acknowledge(ev.event.update.status);
    });
    if (this.opts.leftoverAcks && subscribed()) {
      // What earlier runs left unacknowledged, bounded: leaving stays quick.
      // Before any gather() there is no read to start from: an empty one would leave every head
      // unacknowledged and the label saying that none is.
      const firstRead = changedNothing ? this.firstRead : undefined;
      const start = { acknowledged: this.vouched, ...(firstRead ? { firstRead } : {}) };
      await acknowledgeLeftovers(this.opts.operator, this.session, this.frameworkId, this.acks, this.clock, start);
    }
    await this.acks.settled();
    await this.session.close().catch(() => undefined);
  }

  private setAgents(agents: OperatorAgent[]): void {
    this.agents = agents;
    this.agentById = new Map(agents.map((a) => [a.agent_info.id?.value, a]));
  }
}
