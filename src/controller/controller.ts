/**
 * `mesos-apply controller`: a long-running process that is the namespace's framework and
 * keeps the cluster matching the manifests.
 *
 * Leadership: it holds the namespace under the ownership lease (apply/lease.ts) as a
 * standby-capable holder: while another run holds the framework it waits (polling
 * GET_FRAMEWORKS), and subscribes as soon as the framework is disconnected (the leader
 * ended or died: Mesos marks an HTTP framework disconnected when its stream closes). Its
 * holder labels mark it a controller, so one-shot apply and delete refuse the namespace
 * instead of queueing behind a run that never ends. A leader failed over by another
 * subscriber goes back to standing by.
 *
 * Leading: the leadership is one run lifecycle (apply/lifecycle.ts: the event loop, every
 * acknowledgement, the offer book, KILL resends, leaving), and apply rounds run inside it
 * (apply/engine.ts, `attached`): the apply engine plans and acts, this module only decides
 * when, and which instances must wait (instances.ts: per-instance backoff, job retries). A
 * round runs at the start, when an instance's backoff has passed, when the manifests
 * changed, and at every resync (after a RECONCILE). Between rounds the lifecycle idles;
 * every update, whoever's round it serves, reaches onStatus, so no death goes unnoticed.
 * One round at a time, but a death does not wait for it: the round in progress (a long
 * rollout, say) launches the instances whose backoff passed, of names it has no open work
 * for (healsDue), on the same offer book.
 *
 * Stopping (SIGTERM/SIGINT): a round in progress stops launching, the events already
 * received are acknowledged, and the stream is closed without TEARDOWN: the tasks keep
 * running and the next leader adopts them.
 */
import { clockReading } from '../apply/clock.js';
import { runApply, sessionFor, type ApplyResult } from '../apply/engine.js';
import type { ApplyEvent } from '../apply/events.js';
import { RunLifecycle } from '../apply/lifecycle.js';
import { EventPump } from '../apply/pump.js';
import { isFailover, LeaseKeeper } from '../apply/lease.js';
import { errorOf } from '../apply/errors.js';
import type { Holder } from '../apply/holder.js';
import type { MasterSetOptions } from '../mesos/masters.js';
import { OperatorClient } from '../mesos/operator.js';
import type { SchedulerSession } from '../mesos/scheduler.js';
import type { GetTasks, OperatorFramework, TaskStatus } from '../mesos/types.js';
import { effectiveRollout, type LoadedSpec } from '../model/spec.js';
import { observeTasks, type ObservedTask } from '../model/observed.js';
import { restartLabels } from '../model/restart-labels.js';
import { isTerminal } from '../model/states.js';
import { recordsByInstance } from './carried.js';
import { parseInstanceKey } from '../model/ids.js';
import { ScheduledRuns, type RunsDue } from './runs.js';
import type { BackoffPolicy } from './backoff.js';
import { instanceOfTaskId, Instances, type Verdict } from './instances.js';
import type { Log } from './log.js';
import type { ControllerMetrics } from './metrics.js';
import { statusDocument, type StatusDocument } from './status.js';

export type Loaded = { ok: true; specs: LoadedSpec[] } | { ok: false; report: string };

export interface ControllerOptions {
  framework: string;
  client: MasterSetOptions;
  holder: Holder;
  failoverTimeout: number;
  env: Readonly<Record<string, string | undefined>>;
  /** The manifests as they are on disk now, validated. */
  load(): Promise<Loaded>;
  initial: LoadedSpec[];
  policyOf(loaded: LoadedSpec): BackoffPolicy;
  resyncMs: number;
  /** A task unreachable this long is given up for lost and its instance placed afresh. */
  unreachableTimeoutMs: number;
  pendingTimeoutMs: number;
  /** Bound on one round (the engine's --timeout). */
  roundTimeoutMs: number;
  /** Bound on each master call while taking the lease. */
  callTimeoutMs: number;
  log: Log;
  /** Resolves on SIGTERM/SIGINT. */
  stop: Promise<unknown>;
  now?: () => number;
  /** The Prometheus metrics (metrics.ts) this controller keeps current. */
  metrics?: ControllerMetrics;
}

export interface ControllerState {
  leader: boolean;
  /** Leader, and the last round saw the cluster match the manifests (nothing left to launch). */
  caughtUp: boolean;
  frameworkId?: string;
}

const IDLE_WAIT_MS = 1_000;
/** Waiting between attempts to take the lease after it failed (master unreachable, ...). */
const RETRY_LEASE_MS = 2_000;

export class Controller {
  readonly instances: Instances;
  private readonly runs: ScheduledRuns;
  private specs: LoadedSpec[];
  private stopping = false;
  private reloadAsked = false;
  /** ms: when the master last answered a RECONCILE (for the reconciliation lag metric). */
  private lastReconciled?: number;
  private returned = false;
  private wake?: () => void;
  private readonly now: () => number;
  readonly state: ControllerState = { leader: false, caughtUp: false };

  constructor(private readonly opts: ControllerOptions) {
    this.now = opts.now ?? Date.now;
    this.specs = opts.initial;
    this.instances = new Instances(opts.policyOf);
    this.instances.setSpecs(this.specs);
    this.runs = new ScheduledRuns(opts.log);
    this.runs.setSpecs(this.specs, this.now());
    this.desiredMetrics([]);
    void opts.stop.then(() => {
      this.stopping = true;
      this.wake?.();
    });
  }

  /** SIGHUP, or the watcher saw a change: read the manifests again at once. */
  reload(): void {
    this.reloadAsked = true;
    this.wake?.();
  }

  /** Stands by, leads, stands by again when failed over, until stopped. */
  async run(): Promise<void> {
    while (!this.stopping) {
      const operator = new OperatorClient(this.opts.client);
      const lease = new LeaseKeeper({
        framework: this.opts.framework,
        takeover: false,
        standby: true,
        lockTimeoutMs: Number.POSITIVE_INFINITY,
        operator,
        sessionFor: (existing) => this.sessionFor(existing),
        note: (message) => this.opts.log('lease', { message }),
        interrupted: this.opts.stop,
        now: this.now,
        callTimeoutMs: this.opts.callTimeoutMs,
      });
      const got = await lease.acquire();
      if (got.kind === 'held') {
        try {
          await this.lead(got.session, got.sub.frameworkId, operator);
        } catch (e) {
          this.opts.log('error', { message: errorOf(e).message });
        }
        this.setState({ leader: false, caughtUp: false });
        await got.session.close().catch(() => undefined);
      } else if (got.kind === 'failed') {
        this.opts.log('lease-failed', { code: got.error.code, message: got.error.message });
        await this.sleep(RETRY_LEASE_MS);
      }
      await operator.destroy().catch(() => undefined);
    }
  }

  private sessionFor(existing: OperatorFramework | undefined): SchedulerSession {
    const session = sessionFor(
      {
        specs: this.specs,
        framework: this.opts.framework,
        failoverTimeout: this.opts.failoverTimeout,
        client: this.opts.client,
      },
      this.opts.holder,
      existing,
    );
    const m = this.opts.metrics;
    if (m) {
      // Offers accepted and declined, whoever sends the call (a round or the idle loop).
      const accept = session.accept.bind(session);
      const decline = session.decline.bind(session);
      session.accept = (ids, ...rest) => accept(ids, ...rest).then(() => m.offers(ids.length, 0));
      session.decline = (ids, ...rest) => decline(ids, ...rest).then(() => m.offers(0, ids.length));
    }
    return session;
  }

  private async lead(session: SchedulerSession, frameworkId: string, operator: OperatorClient): Promise<void> {
    this.setState({ leader: true, caughtUp: false, frameworkId });
    this.opts.log('leading', { frameworkId });
    // The whole leadership is one lifecycle (apply/lifecycle.ts): it reads the events,
    // acknowledges every update, keeps the offer book, resends KILLs (between rounds too)
    // and leaves; the rounds run inside it, and every update reaches onStatus.
    const life = new RunLifecycle({
      session,
      events: new EventPump(session.events(), this.opts.stop),
      frameworkId,
      operator,
      emit: (e) => this.onRoundEvent(e),
      clock: clockReading(this.now),
      leftoverAcks: true,
      onUpdate: (status) => this.onStatus(status),
      onResubscribed: async () => {
        this.opts.log('resubscribed', {});
        // What changed while the connection was lost: every task of ours answers.
        await session.reconcile([]).catch(() => undefined);
      },
    });
    // What is out there: every task the master knows of ours answers (implicit reconciliation).
    await session.reconcile([]).catch(() => undefined);
    const read = await this.readHistory(operator, frameworkId);
    // The first round's gather starts from the same read: no update has been handled since,
    // and nothing launched or killed (rounds do that, after their gather).
    if (read !== undefined) life.useTasksRead(read);
    let lastResync = this.now();
    let roundDue = true;
    let failedOver = false;
    const closed = (): boolean => session.stateName === 'CLOSED';
    while (!this.stopping && !closed()) {
      if (this.reloadAsked) {
        this.reloadAsked = false;
        if (await this.reloadSpecs()) roundDue = true;
      }
      if (this.now() - lastResync >= this.opts.resyncMs) {
        lastResync = this.now();
        this.opts.log('resync', {});
        await session.reconcile([]).catch(() => undefined);
        roundDue = true;
      }
      for (const id of this.instances.overdue(this.now(), this.opts.unreachableTimeoutMs)) {
        this.opts.log('unreachable-timeout', {
          task: id,
          message: `unreachable for ${this.opts.unreachableTimeoutMs / 1000}s: launched elsewhere; if its agent comes back, one copy is killed`,
        });
        this.report(this.instances.giveUp(id, this.now()), { task: id, state: 'TASK_LOST' });
      }
      if (this.returned) {
        this.returned = false;
        roundDue = true;
      }
      const runs = this.runs.due(this.now(), (name) => this.instances.liveOf(name));
      if (roundDue || runs.launch.length > 0 || this.instances.due(this.now()).length > 0) {
        roundDue = false;
        const result = await this.round(life, runs);
        if (result.failedOver !== undefined || closed()) {
          failedOver = result.failedOver !== undefined;
          break;
        }
        if (this.stopping) break;
        // What the round could not start (no room in time, the round failed) backs off and is tried again.
        for (const v of this.instances.stranded(this.now(), (name) => this.runs.isScheduled(name)))
          this.report(v, { message: 'no task runs for this instance after the round' });
        continue;
      }
      // Until the next duty, or sooner when an update makes one due (a death's backoff).
      const poll = this.now() + IDLE_WAIT_MS;
      const stop = await life.idle(() => this.nextDuty(lastResync, poll));
      if (stop === 'closed') {
        const error = life.closedError;
        failedOver = error !== undefined && isFailover(error);
        if (error && !failedOver) this.opts.log('disconnected', { message: errorOf(error).message });
        break;
      }
    }
    if (failedOver) this.opts.log('failed-over', { message: 'another subscriber took the framework; standing by' });
    // Leaving: acknowledge what already arrived and what the agents still hold, then close
    // the stream without TEARDOWN (the tasks keep running; the next leader adopts them).
    await life.leave();
    if (this.stopping) this.opts.log('stopped', { message: 'disconnected without teardown; the tasks keep running' });
  }

  /** When the idle wait ends: now if a round (or a reload) is due, else the earliest duty ahead. */
  private nextDuty(lastResync: number, poll: number): number {
    const now = this.now();
    if (this.reloadAsked || this.returned || this.instances.due(now).length > 0) return now;
    return Math.min(
      poll,
      lastResync + this.opts.resyncMs,
      this.instances.nextDue(now) ?? Number.POSITIVE_INFINITY,
      this.runs.nextAt(now) ?? Number.POSITIVE_INFINITY,
    );
  }

  private onStatus(status: TaskStatus): void {
    if (status.reason === 'REASON_RECONCILIATION') this.lastReconciled = this.now();
    this.noteReachability(status);
    // A task given up as unreachable is back: the next round keeps one copy of its instance.
    if (this.instances.gone.has(status.task_id.value) && status.state !== 'TASK_UNREACHABLE') {
      this.opts.log('task-returned', { task: status.task_id.value, state: status.state });
      this.returned = true;
    }
    this.report(this.instances.onStatus(status.task_id.value, status.state, this.now()), {
      task: status.task_id.value,
      state: status.state,
      ...(status.reason ? { reason: status.reason } : {}),
      ...(status.message ? { message: status.message } : {}),
    });
  }

  /** A task's agent became unreachable, or it is back before --unreachable-timeout: one log line each. */
  private noteReachability(status: TaskStatus): void {
    const task = status.task_id.value;
    const since = this.instances.unreachableSinceOf(task);
    if (status.state === 'TASK_UNREACHABLE' && since === undefined) {
      this.opts.log('task-unreachable', {
        task,
        message: `its agent is unreachable; given up for lost after ${this.opts.unreachableTimeoutMs / 1000}s unless it returns`,
      });
    } else if (status.state !== 'TASK_UNREACHABLE' && since !== undefined) {
      this.opts.log('task-reachable', {
        task,
        state: status.state,
        message: `its agent is back after ${((this.now() - since) / 1000).toFixed(1)}s`,
      });
    }
  }

  /** A verdict as a log line (and the metrics): `facts` say what led to it. */
  private report(v: Verdict, facts: Record<string, unknown>): void {
    if (v.kind === 'none') return;
    const base = { instance: v.key, ...facts };
    if (v.kind === 'down') {
      this.setState({ ...this.state, caughtUp: false });
      this.opts.metrics?.backedOff(parseInstanceKey(v.key)?.name ?? v.key);
      this.opts.log('instance-down', {
        ...base,
        failures: v.failures,
        retryIn: `${(v.delayMs / 1000).toFixed(1)}s`,
        retryAt: new Date(v.retryAt).toISOString(),
      });
    } else if (v.kind === 'finished') this.opts.log('job-finished', base);
    else this.opts.log('gave-up', { ...base, failures: v.failures });
  }

  private async round(life: RunLifecycle, runs: RunsDue): Promise<ApplyResult> {
    const now = this.now();
    // Scheduled jobs are planned only when they run, each run on its own: a new run, or a
    // retry of a failed instance of one.
    const planned = new Map<string, Set<string>>();
    const plan = (name: string, run: string) => planned.set(name, (planned.get(name) ?? new Set()).add(run));
    for (const r of runs.launch) {
      this.instances.newRun(r.name, r.run, r.policy !== 'allow');
      plan(r.name, r.run);
    }
    for (const key of this.instances.due(now)) {
      const k = this.relaunching(key);
      if (k?.run !== undefined && this.runs.isScheduled(k.name)) plan(k.name, k.run);
    }
    // A `replace` run kills the earlier runs' tasks before it launches (`--replace` of its name).
    const replacing = runs.launch.filter((r) => r.replacing.length > 0).map((r) => r.name);
    let hold: ReadonlySet<string> = this.instances.held(now);
    const started = this.now();
    const result = await runApply({
      specs: this.specs.flatMap((s) => {
        const rs = planned.get(s.spec.name);
        return rs === undefined ? [s] : [...rs].sort().map((run) => asRun(s, run));
      }),
      ...(replacing.length > 0 ? { replace: replacing } : {}),
      framework: this.opts.framework,
      prune: true,
      allowEmpty: false,
      wait: true,
      planOnly: false,
      timeoutMs: this.opts.roundTimeoutMs,
      pendingTimeoutMs: this.opts.pendingTimeoutMs,
      failoverTimeout: this.opts.failoverTimeout,
      env: this.opts.env,
      client: this.opts.client,
      emit: (e) => this.onRoundEvent(e),
      interrupted: this.opts.stop,
      clock: clockReading(this.now),
      attached: life,
      hold: (observed) => {
        hold = this.heldNow(observed);
        return hold;
      },
      gone: this.instances.gone,
      jobsDoneWhenRunning: true,
      launchLabels: (key) => restartLabels(this.instances.countsOf(key)),
      unreachableNotWaited: true,
      extraLaunches: (at, busy) => this.healsDue(at, busy),
    });
    const changed = result.plan?.items.filter((i) => i.action !== 'unchanged').length ?? 0;
    if (changed > 0 || result.errors.length > 0)
      this.opts.log('round', {
        changes: changed,
        ok: result.ok,
        ms: this.now() - started,
        ...(hold.size > 0 ? { waiting: [...hold].sort() } : {}),
      });
    for (const e of result.errors) this.opts.log('error', { code: e.code, message: e.message });
    this.setState({
      ...this.state,
      caughtUp: result.ok && hold.size === 0 && this.instances.due(this.now()).length === 0,
    });
    return result;
  }

  /**
   * At each plan of a round: a task the round's gather saw end, whose update has not reached
   * this loop yet, is counted now (its update counts no more when it comes), so the plan
   * holds its instance for the backoff instead of relaunching it at once.
   */
  private heldNow(observed: readonly ObservedTask[]): ReadonlySet<string> {
    for (const t of observed) {
      const key = instanceOfTaskId(t.taskId);
      if (key === undefined || !isTerminal(t.state) || !this.instances.get(key)?.live.has(t.taskId)) continue;
      this.report(this.instances.onStatus(t.taskId, t.state, this.now()), { task: t.taskId, state: t.state });
    }
    return this.instances.held(this.now());
  }

  /** `key` is launched again after its backoff: counted and said. Returns it parsed. */
  private relaunching(key: string): ReturnType<typeof parseInstanceKey> {
    this.instances.relaunching(key);
    const k = parseInstanceKey(key);
    this.opts.metrics?.relaunched(k?.name ?? key);
    this.opts.log('relaunch', { instance: key, restarts: this.instances.get(key)?.restarts ?? 0 });
    return k;
  }

  /**
   * While a round waits (a long rollout, say): the instances whose backoff has passed, for
   * that round to launch, so a death heals within its backoff. Not a name the round still
   * works on (one plan per name at a time), nor a scheduled job (its runs are planned as runs).
   */
  private healsDue(now: number, busy: (name: string) => boolean): string[] {
    const out: string[] = [];
    for (const key of this.instances.due(now)) {
      const k = parseInstanceKey(key);
      if (k === undefined || k.run !== undefined || busy(k.name) || this.runs.isScheduled(k.name)) continue;
      this.relaunching(key);
      out.push(key);
    }
    return out;
  }

  private onRoundEvent(e: ApplyEvent): void {
    switch (e.type) {
      case 'instance': {
        const v = e.view;
        if (v.phase === 'launching' || v.phase === 'staging') this.instances.launched(v.taskId);
        // What the round found as it is (its gather read the master): live, or a job done.
        if (v.action === 'unchanged' && v.state !== undefined) this.instances.adopt(v.taskId, v.state);
        if (v.action === 'replace' && v.oldTaskId !== undefined) this.instances.replacing(v.oldTaskId);
        // Unchanged instances are the steady state: nothing to say.
        if (v.action === 'unchanged') return;
        if (!v.settled && v.phase !== 'launching' && v.phase !== 'killing') return;
        this.opts.log('task', {
          instance: v.key,
          action: v.action,
          phase: v.phase,
          task: v.taskId,
          ...(v.host ? { host: v.host } : {}),
          ...(v.failure?.message ? { message: v.failure.message } : {}),
          ...(v.failure?.state ? { state: v.failure.state } : {}),
        });
        return;
      }
      case 'warning':
        this.opts.log('warning', { message: e.message });
        return;
      case 'note':
        this.opts.log('note', { message: e.message });
        return;
      default:
        return;
    }
  }

  /**
   * Leading anew: what earlier leaders left in the master's task list, read before any
   * update is taken from the stream. Each instance's restart state (carried.ts: a takeover
   * continues the backoff, and `get` shows the counts carried over) and the scheduled jobs'
   * last runs (missed runs after them are caught up). Returns the master's answer, unless
   * it could not be read.
   */
  private async readHistory(operator: OperatorClient, frameworkId: string): Promise<GetTasks | undefined> {
    let tasks: GetTasks;
    let observed: ObservedTask[];
    try {
      tasks = await operator.getTasks();
      observed = observeTasks(tasks, frameworkId);
    } catch (e) {
      this.instances.rebuild(new Map(), this.now());
      this.opts.log(
        'warning',
        {
          message: `could not read the tasks earlier leaders launched (${errorOf(e).message}): restart counts start from zero, missed scheduled runs are not caught up`,
        },
        'warn',
      );
      return undefined;
    }
    const now = this.now();
    const unknown = this.instances.rebuild(recordsByInstance(observed), now);
    const waiting: string[] = [];
    for (const st of this.instances.all())
      if (st.nextAt !== undefined && st.nextAt > now && st.done === undefined)
        waiting.push(`${st.key} until ${new Date(st.nextAt).toISOString()}`);
    // One line, however many instances: a few named, the rest counted.
    this.opts.log('carried-over', {
      message: 'restart counts and backoffs rebuilt from the tasks the master lists',
      ...(waiting.length > 0 ? { waiting: sample(waiting) } : {}),
      ...(unknown.length > 0
        ? {
            fromZero: sample(unknown),
            why: 'no task of theirs is listed by the master (new, or ended tasks it no longer keeps): counted from zero',
          }
        : {}),
    });
    const newest = new Map<string, number>();
    for (const t of observed) {
      const first = Math.min(...(t.statuses ?? []).map((st) => (st.timestamp ?? Number.NaN) * 1000));
      if (t.managed && Number.isFinite(first)) newest.set(t.name, Math.max(newest.get(t.name) ?? 0, first));
    }
    for (const [name, at] of newest) this.runs.seed(name, at);
    return tasks;
  }

  /** The manifests again: a valid set replaces the current one; an invalid one is reported and ignored. */
  private async reloadSpecs(): Promise<boolean> {
    const got = await this.opts.load();
    if (!got.ok) {
      this.opts.log('invalid-manifests', {
        message: 'the edit is ignored; the last valid set keeps running',
        report: got.report,
      });
      return false;
    }
    if (got.specs.length === 0) {
      this.opts.log('invalid-manifests', {
        message: 'no manifests found: ignored (the controller never deletes everything)',
      });
      return false;
    }
    const before = new Map(this.specs.map((s) => [s.spec.name, s.hash]));
    const same = got.specs.length === before.size && got.specs.every((s) => before.get(s.spec.name) === s.hash);
    if (same) return false;
    const previous = this.specs;
    this.specs = got.specs;
    this.desiredMetrics(previous);
    this.instances.setSpecs(got.specs);
    this.runs.setSpecs(got.specs, this.now());
    this.opts.log('manifests-changed', { tasks: got.specs.map((s) => s.spec.name).sort() });
    return true;
  }

  private setState(s: ControllerState): void {
    this.state.leader = s.leader;
    this.state.caughtUp = s.caughtUp;
    if (s.frameworkId !== undefined) this.state.frameworkId = s.frameworkId;
    this.opts.metrics?.leader(s.leader);
  }

  /** /readyz: the leader, caught up with the manifests. */
  readiness(): { ready: boolean; reason?: string } {
    if (!this.state.leader) return { ready: false, reason: 'standby: not the leader' };
    if (!this.state.caughtUp) return { ready: false, reason: 'leader, still catching up with the manifests' };
    return { ready: true };
  }

  /** /status: what `get` shows per instance. */
  status(): StatusDocument {
    return statusDocument(this.state, this.instances.all());
  }

  /** Before a scrape: the running counts and the reconciliation lag, as of now. */
  refreshMetrics(): void {
    const m = this.opts.metrics;
    if (!m) return;
    const running = new Map(this.specs.map((s) => [s.spec.name, 0]));
    for (const st of this.instances.all()) {
      const name = parseInstanceKey(st.key)?.name ?? st.key;
      if (st.lastState === 'TASK_RUNNING' && st.live.size > 0 && running.has(name))
        running.set(name, (running.get(name) ?? 0) + 1);
    }
    for (const [name, n] of running) m.running(name, n);
    if (this.lastReconciled !== undefined) m.reconciliationLag((this.now() - this.lastReconciled) / 1000);
  }

  private desiredMetrics(before: readonly LoadedSpec[]): void {
    const m = this.opts.metrics;
    if (!m) return;
    const now = new Set(this.specs.map((s) => s.spec.name));
    for (const s of before) if (!now.has(s.spec.name)) m.forget(s.spec.name);
    for (const s of this.specs) m.desired(s.spec.name, s.spec.instances);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}

/** At most `n` of `list`, the rest counted in a last entry. */
function sample(list: readonly string[], n = 20): string[] {
  return list.length <= n ? [...list] : [...list.slice(0, n), `(+${list.length - n} more)`];
}

/**
 * A scheduled job as one run plans it: an ordinary job (the planner leaves scheduled ones
 * alone) with the run's key, so the plan sees that run's tasks only, whose earlier runs, if
 * it replaces them (`replace`), are stopped before it starts (recreate). Neither field is
 * in the spec hash: the run's tasks are the job's.
 */
function asRun(loaded: LoadedSpec, run: string): LoadedSpec {
  const { schedule: _s, ...spec } = loaded.spec;
  return { ...loaded, run, spec: { ...spec, rollout: { ...effectiveRollout(spec), strategy: 'recreate' } } };
}
