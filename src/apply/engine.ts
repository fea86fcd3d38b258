/**
 * apply: take the lease and subscribe, gather (the framework's tasks and the agents),
 * then one ApplyRound (apply-round.ts: plan, act, wait until every launched task runs, is
 * healthy, or finished for jobs) in a RunLifecycle (lifecycle.ts: the event loop, acks,
 * deadline, KILL resends, leaving), and the report.
 *
 * Invariants (the parts say how they keep theirs):
 *  - every update with a uuid is acknowledged, whoever launched the task;
 *  - a replaced task is killed only after its successor is done (running/healthy);
 *  - offers not used are declined; the run suppresses offers before it leaves and never
 *    sends TEARDOWN, so the framework's tasks outlive this process;
 *  - a run subscribes only under the lease (lease.ts): it waits while another run holds
 *    the framework, and a run failed over by a racing one goes back to waiting and then
 *    applies again from a fresh plan (lease-machine.ts says why that loses no ACCEPT);
 *  - plan and --dry-run never come here: plan-only.ts reads, and never subscribes.
 * With `attached` (the controller) it runs one round in a lifecycle the caller holds, and
 * leaves it open (lifecycle.ts's endRound instead of leave).
 */
import { SchedulerSession } from '../mesos/scheduler.js';
import type { OperatorFramework } from '../mesos/types.js';
import type { MasterSetOptions } from '../mesos/masters.js';
import { OperatorClient } from '../mesos/operator.js';
import { AgentFilesClient } from '../mesos/agent-files.js';
import type { Plan } from '../plan/types.js';
import type { ApplyRoundOptions } from './apply-context.js';
import { ApplyRound } from './apply-round.js';
import { systemClock, type Clock } from './clock.js';
import { frameworkInfo } from './connect.js';
import type { Emit, InstanceView, ReportError } from './events.js';
import { RunLifecycle } from './lifecycle.js';
import type { Stop } from './round.js';
import { EventPump } from './pump.js';
import { bounded, INTERRUPT_GRACE_MS, isCut } from './bounded.js';
import { errorOf } from './errors.js';
import { thisRun, withHolder, type Holder } from './holder.js';
import { DEFAULT_LOCK_TIMEOUT, isFailover, LeaseKeeper } from './lease.js';
import { runPlanOnly } from './plan-only.js';
import { failOpen, unconfirmedSince } from './settle-rest.js';

/** apply's input: a round's options (apply-context.ts), and how to reach and hold the framework. */
export interface ApplyInput extends ApplyRoundOptions {
  /** Plan only (plan command, --dry-run): read the cluster, change nothing (plan-only.ts). */
  planOnly: boolean;
  /** The lease: --takeover, --lock-timeout, and who this run is (defaults: no, 5m, this process). */
  lease?: { takeover: boolean; lockTimeoutMs: number; holder?: Holder };
  failoverTimeout: number;
  client: MasterSetOptions;
  emit: Emit;
  interrupted: Promise<unknown>;
  /** Deadlines, timeouts and waits read this clock (a fake one in tests). */
  clock?: Clock;
  /**
   * A round of a long-running caller (the controller) that already holds the lease: the
   * run is one round in this lifecycle, which stays open (no lease, no leave).
   */
  attached?: RunLifecycle;
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

export async function runApply(input: ApplyInput): Promise<ApplyResult> {
  if (input.planOnly) return runPlanOnly(input);
  const clock = input.clock ?? systemClock;
  if (input.attached) return new ApplyRun(input, undefined, clock).runAttached(input.attached);
  const holder = input.lease?.holder ?? thisRun('mesos-apply (library)', input.lease?.takeover ?? false);
  const operator = new OperatorClient(input.client);
  const note = (message: string) => input.emit({ type: 'note', message });
  const lost: ConnectionLoss = {};
  const lease = new LeaseKeeper({
    framework: input.framework,
    takeover: input.lease?.takeover ?? false,
    lockTimeoutMs: input.lease?.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT * 1000,
    operator,
    sessionFor: (existing) => sessionFor(input, holder, existing, lost),
    note,
    interrupted: input.interrupted,
    now: () => clock.now(),
    callTimeoutMs: input.timeoutMs,
  });
  input.emit({ type: 'connecting', masters: input.client.masters });
  try {
    for (;;) {
      const result = await new ApplyRun(input, lease, clock, lost).run();
      if (result.failedOver === undefined) return result;
      await lease.lost(result.failedOver);
    }
  } finally {
    // The lease's client: a read it gave up on (--timeout) may still hang; abort it.
    await operator.destroy().catch(() => undefined);
  }
}

/**
 * When the subscription was last lost (ms, on the run's clock: the lifecycle's `heardAt`
 * is compared with it): the report says what is unconfirmed since.
 */
export interface ConnectionLoss {
  at?: number;
}

/** What a run says the moment its subscription is lost, and at each further attempt. */
export function reconnectingNote(emit: Emit, lost: ConnectionLoss, clock: Clock): (attempt: number) => void {
  return (attempt) => {
    if (attempt === 1) lost.at = clock.now();
    emit({ type: 'note', message: `connection to the master lost, reconnecting (attempt ${attempt})` });
  };
}

export function sessionFor(
  input: Pick<ApplyInput, 'specs' | 'framework' | 'failoverTimeout' | 'client' | 'clock'> & { emit?: Emit },
  holder: Holder,
  existing: OperatorFramework | undefined,
  lost: ConnectionLoss = {},
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
    ...(input.emit === undefined
      ? {}
      : { onReconnecting: reconnectingNote(input.emit, lost, input.clock ?? systemClock) }),
  });
}

/** One subscription of apply: the lease's session, one round, the report. */
class ApplyRun {
  private readonly operator: OperatorClient;
  private readonly files: AgentFilesClient;
  private readonly errors: ReportError[] = [];
  private life?: RunLifecycle;
  private round?: ApplyRound;
  private frameworkId?: string;
  private failedOver = false;

  constructor(
    private readonly input: ApplyInput,
    private readonly lease: LeaseKeeper | undefined,
    private readonly clock: Clock,
    private readonly lost: ConnectionLoss = {},
  ) {
    this.operator = new OperatorClient(input.client);
    this.files = new AgentFilesClient({ tls: input.client.tls, warn: input.client.warn });
  }

  async run(): Promise<ApplyResult> {
    const { input } = this;
    let interrupted = false;
    void input.interrupted.then(() => (interrupted = true));
    // A master that accepts connections and never answers must not hold the wait forever.
    const lockMs = input.lease?.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT * 1000;
    const got = await bounded(this.lease!.acquire(), lockMs + input.timeoutMs, input.interrupted, INTERRUPT_GRACE_MS);
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
    const session = got.session;
    this.frameworkId = got.sub.frameworkId;
    input.emit({
      type: 'subscribed',
      frameworkId: got.sub.frameworkId,
      leader: got.sub.leaderUrl,
      reconnected: got.existing !== undefined,
    });
    // --timeout bounds the work, not the wait for the lease.
    const deadline = this.clock.now() + input.timeoutMs;
    const { life, round } = this.openLifecycle(session, new EventPump(session.events(), input.interrupted));
    try {
      const planned = await this.boundedPlan(deadline, () => interrupted);
      if (planned === 'cut') {
        await Promise.allSettled([session.destroy(), this.operator.destroy(), this.files.destroy()]);
        return this.result(interrupted);
      }
      this.settle(planned ?? (interrupted || !round.plan ? undefined : await round.run(deadline)), interrupted);
    } catch (e) {
      this.stoppedBy(e);
    } finally {
      await life.leave(round.tracker.launches.size === 0 && round.tracker.kills.size === 0);
      await Promise.allSettled([this.operator.close(), this.files.close()]);
    }
    return this.result(interrupted);
  }

  /** One round in a lifecycle the caller holds: gather, plan, act, wait; the lifecycle stays open. */
  async runAttached(life: RunLifecycle): Promise<ApplyResult> {
    let interrupted = false;
    void this.input.interrupted.then(() => (interrupted = true));
    this.frameworkId = life.frameworkId;
    const deadline = this.clock.now() + this.input.timeoutMs;
    const round = this.open(life);
    try {
      await life.gather();
      const planned = await round.makePlan(deadline);
      this.settle(planned ?? (interrupted || !round.plan ? undefined : await round.run(deadline)), interrupted);
    } catch (e) {
      this.stoppedBy(e);
    } finally {
      await life.endRound(round);
      await Promise.allSettled([this.operator.close(), this.files.close()]);
    }
    return this.result(interrupted);
  }

  private openLifecycle(session: SchedulerSession, events: EventPump): { life: RunLifecycle; round: ApplyRound } {
    const life = new RunLifecycle({
      session,
      events,
      frameworkId: this.frameworkId!,
      operator: this.operator,
      emit: this.input.emit,
      clock: this.clock,
      leftoverAcks: true,
    });
    return { life, round: this.open(life) };
  }

  private open(life: RunLifecycle): ApplyRound {
    const { input } = this;
    const round = new ApplyRound(life, input, { emit: input.emit, files: this.files, errors: this.errors });
    this.life = life;
    this.round = round;
    return round;
  }

  /** Verdicts for what the round left open, by why it stopped (undefined: never acted). */
  private settle(stop: Stop | undefined, interrupted: boolean): void {
    const round = this.round!;
    const lostAt = this.lost.at;
    if (stop !== undefined && stop !== 'interrupted' && lostAt !== undefined && this.life)
      unconfirmedSince(round.tracker, this.input.emit, this.errors, lostAt, this.life.heardAt);
    if (stop !== undefined && stop !== 'interrupted') round.settleOpen(stop);
    if (interrupted || stop === 'interrupted') round.settleOpen('interrupted');
    this.failedOver = round.failedOver;
  }

  /** An error ended the run: a failover is the lease's to handle, anything else fails what is open. */
  private stoppedBy(e: unknown): void {
    if (isFailover(e)) this.failedOver = true;
    else {
      this.errors.push(errorOf(e));
      failOpen(this.round!.tracker, this.input.emit, this.errors, 'failed');
    }
  }

  /**
   * Read the cluster and plan, bounded by --timeout and Ctrl-C: a master that accepts
   * connections and never answers would otherwise hold the run for the HTTP timeouts
   * (75 s per request, with retries). 'cut' when cut short (the caller aborts the calls
   * still in flight); a Stop when the wait for offers ended the run.
   */
  private async boundedPlan(deadline: number, interrupted: () => boolean): Promise<Stop | 'cut' | undefined> {
    const life = this.life!;
    const work = (async () => {
      if (interrupted()) return undefined;
      await life.gather();
      return this.round!.makePlan(deadline);
    })();
    const got = await bounded(work, deadline - this.clock.now(), this.input.interrupted, INTERRUPT_GRACE_MS);
    if (!isCut(got)) return got;
    if (got === 'timeout')
      this.errors.push({
        code: 'MA_ERR_TIMEOUT',
        message: `the master did not answer within --timeout (${Math.round(this.input.timeoutMs / 1000)}s)`,
      });
    return 'cut';
  }

  private result(interrupted: boolean): ApplyResult {
    const round = this.round;
    const launches = round ? [...round.tracker.launches.values()] : [];
    const kills = round ? [...round.tracker.kills.values()] : [];
    if (interrupted && !this.errors.some((e) => e.code === 'MA_ERR_INTERRUPTED')) {
      const launched = launches.filter((l) => l.launched).length;
      this.errors.push({
        code: 'MA_ERR_INTERRUPTED',
        message: `interrupted${round?.plan ? '' : ' before a plan was made'}: ${launched} task(s) had been launched and keep running; nothing is left unacknowledged`,
        detail: 'Run the same command again to finish: what already runs is left as it is.',
      });
    }
    const ok = this.errors.length === 0 && !interrupted && launches.every((l) => l.ok) && kills.every((k) => k.ok);
    const result: ApplyResult = { ok, interrupted, views: round?.views() ?? [], errors: this.errors };
    if (this.failedOver && !interrupted) result.failedOver = launches.filter((l) => l.launched).length;
    if (round?.plan) result.plan = round.plan;
    if (this.frameworkId) result.frameworkId = this.frameworkId;
    return result;
  }
}
