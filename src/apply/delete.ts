/**
 * delete: KILL every active instance of the named tasks (with the grace period of their
 * kill policy, which the agent takes from the TaskInfo), resend the KILL when no update
 * comes, acknowledge every update, and wait until each is terminal. Tasks on unreachable
 * agents are reported as such: the master keeps their KILL until the agent returns.
 *
 * KILL needs a subscription, so delete subscribes under the lease like apply (it waits
 * while another run holds the framework, and never registers one). It subscribes with the
 * FrameworkInfo the framework already has: same failover timeout, roles and labels, except
 * the holder labels, which name delete while it holds the lease (that is what lets a
 * waiting apply say who holds the framework). It never changes anything else.
 *
 * The wait is the shared RunLifecycle (lifecycle.ts) with a round that only kills: it
 * acknowledges, reconciles after a reconnect, resends KILLs and keeps the deadline.
 */
import { SchedulerSession, type SubscribedInfo } from '../mesos/scheduler.js';
import { OperatorClient } from '../mesos/operator.js';
import type { MasterSetOptions } from '../mesos/masters.js';
import type { TaskStatus } from '../mesos/types.js';
import type { ObservedTask } from '../model/observed.js';
import { isActive } from '../model/states.js';
import { systemClock, type Clock } from './clock.js';
import { DEFAULT_FAILOVER_TIMEOUT, frameworkInfo } from './connect.js';
import { readCluster } from './cluster.js';
import { errorOf } from './errors.js';
import type { Emit, InstanceView, ReportError } from './events.js';
import { RunLifecycle } from './lifecycle.js';
import type { Round } from './round.js';
import { EventPump } from './pump.js';
import { bounded, INTERRUPT_GRACE_MS, isCut } from './bounded.js';
import type { Kill } from './records.js';
import { Tracker, UNREACHABLE_KILL } from './tracker.js';
import { CALLS_IN_FLIGHT, forEachInFlight } from './in-flight.js';
import { thisRun, withHolder, type Holder } from './holder.js';
import { DEFAULT_LOCK_TIMEOUT, LeaseKeeper } from './lease.js';

export interface DeleteInput {
  names: string[];
  /** `-l key=value`: also every managed name with an active task whose labels hold all pairs. */
  selector?: Record<string, string>;
  framework: string;
  ignoreNotFound: boolean;
  wait: boolean;
  timeoutMs: number;
  /** The lease (defaults: wait 5m, this process). */
  lease?: { lockTimeoutMs: number; holder?: Holder };
  client: MasterSetOptions;
  emit: Emit;
  interrupted: Promise<unknown>;
  /** Deadlines, timeouts and waits read this clock (a fake one in tests). */
  clock?: Clock;
}

export interface DeleteResult {
  ok: boolean;
  interrupted: boolean;
  views: InstanceView[];
  errors: ReportError[];
  /** Names with no active task, and the managed names that do exist. */
  notFound: string[];
  existing: string[];
  /** Names get shows whose tasks have all ended: nothing to kill, not an error. */
  ended: { name: string; state: string }[];
}

/** Of these names, those whose managed tasks have all ended, with the newest one's state. */
function endedNames(observed: readonly ObservedTask[], names: readonly string[]): DeleteResult['ended'] {
  const out: DeleteResult['ended'] = [];
  for (const name of names) {
    const mine = observed.filter((t) => t.managed && t.name === name);
    const newest = mine.reduce<ObservedTask | undefined>(
      (a, b) => (a === undefined || (b.lastStatus?.timestamp ?? 0) > (a.lastStatus?.timestamp ?? 0) ? b : a),
      undefined,
    );
    if (newest) out.push({ name, state: newest.state });
  }
  return out;
}

/** States a task still has before its KILL took effect: an update in any other answers the KILL. */
const BEFORE_KILL = new Set(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING']);

/**
 * delete's round: only kills, each settled by its terminal update (or by the caller). With
 * --no-wait a kill is settled by the first update that answers it (TASK_KILLING, or what the
 * master says of a task it cannot reach), not at once: "accepted" means the task is going.
 */
class DeleteRound implements Round {
  readonly tracker = new Tracker();

  constructor(
    private readonly life: RunLifecycle,
    private readonly emit: Emit,
    private readonly waitForEnd: boolean,
  ) {}

  async onUpdate(status: TaskStatus): Promise<void> {
    const kill = this.tracker.kills.get(status.task_id.value);
    if (!kill) return;
    const view = this.tracker.onKillStatus(kill, status, this.life.clock.now());
    if (view) this.emit({ type: 'instance', view });
    if (!this.waitForEnd && !BEFORE_KILL.has(status.state)) this.settle(kill, true, kill.view.phase);
  }

  async onOffers(): Promise<void> {}

  holdsOffers(): boolean {
    return false;
  }

  async onResubscribed(): Promise<void> {}

  async onTick(): Promise<void> {}

  halted(): boolean {
    return false;
  }

  /** A kill's verdict given here (not by an update): --no-wait, unreachable, the end of the wait. */
  settle(kill: Kill, ok: boolean, phase: InstanceView['phase'], message?: string): void {
    const failure = message ? { failure: { state: kill.state ?? kill.view.state, message } } : {};
    const view = this.tracker.settleKill(kill, ok, { phase, ...failure });
    if (view) this.emit({ type: 'instance', view });
  }
}

export async function runDelete(input: DeleteInput): Promise<DeleteResult> {
  const clock = input.clock ?? systemClock;
  const now = () => clock.now();
  const operator = new OperatorClient(input.client);
  const errors: ReportError[] = [];
  let interrupted = false;
  void input.interrupted.then(() => (interrupted = true));
  let session: SchedulerSession | undefined;
  let sub: SubscribedInfo | undefined;
  let round: DeleteRound | undefined;
  let life: RunLifecycle | undefined;
  let notFound: string[] = [];
  let existing: string[] = [];
  let ended: DeleteResult['ended'] = [];
  let deadline = now() + input.timeoutMs;
  const lockMs = input.lease?.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT * 1000;
  const holder = input.lease?.holder ?? thisRun('mesos-apply delete (library)', false);
  const lease = new LeaseKeeper({
    framework: input.framework,
    takeover: false,
    lockTimeoutMs: lockMs,
    operator,
    mustExist: true,
    sessionFor: (existing) => {
      // The FrameworkInfo as it is (failover timeout, roles, labels), but for the holder labels.
      const info = frameworkInfo({
        name: input.framework,
        roles: [],
        failoverTimeout: existing?.framework_info.failover_timeout ?? DEFAULT_FAILOVER_TIMEOUT,
        gpus: false,
        principal: input.client.auth?.principal,
        existing,
        labels: withHolder(existing?.framework_info.labels?.labels, holder),
      });
      if (existing?.framework_info.capabilities) info.capabilities = existing.framework_info.capabilities;
      if (existing?.framework_info.hostname) info.hostname = existing.framework_info.hostname;
      return new SchedulerSession({ ...input.client, frameworkInfo: info });
    },
    note: (message) => input.emit({ type: 'note', message }),
    interrupted: input.interrupted,
    now,
    callTimeoutMs: input.timeoutMs,
  });
  try {
    const gather = (async () => {
      const fw = await operator.findFramework(input.framework);
      const cluster = await readCluster(operator, fw?.framework_info.id?.value);
      const managed = cluster.observed.filter((t) => t.managed && isActive(t.state));
      existing = [...new Set(managed.map((t) => t.name))].sort();
      const selected = input.selector
        ? managed.filter((t) => Object.entries(input.selector ?? {}).every(([k, v]) => t.labels[k] === v))
        : [];
      const names = [...new Set([...input.names, ...selected.map((t) => t.name)])];
      ended = endedNames(
        cluster.observed,
        input.names.filter((n) => !existing.includes(n)),
      );
      notFound = input.names.filter((n) => !existing.includes(n) && !ended.some((e) => e.name === n));
      if (notFound.length > 0 && !input.ignoreNotFound) {
        errors.push({
          code: 'MA_ERR_NOT_FOUND',
          message: `no running tasks named ${notFound.join(', ')} in framework '${input.framework}'`,
          detail:
            existing.length > 0 ? `names that exist: ${existing.join(', ')}` : 'the framework runs no managed tasks',
        });
      }
      const found = managed
        .filter((t) => names.includes(t.name))
        .sort((a, b) => a.name.localeCompare(b.name) || a.instance - b.instance);
      return fw === undefined ? [] : found;
    })();
    const subscribe = async () => {
      input.emit({ type: 'connecting', masters: input.client.masters });
      const got = await lease.acquire();
      if (got.kind !== 'held') {
        if (got.kind === 'failed') errors.push(got.error);
        return false;
      }
      session = got.session;
      sub = got.sub;
      input.emit({ type: 'subscribed', frameworkId: sub.frameworkId, leader: sub.leaderUrl, reconnected: true });
      // --timeout bounds the work, not the wait for the lease.
      deadline = now() + input.timeoutMs;
      return true;
    };
    // Finding the framework is bounded by --timeout and Ctrl-C; the lease bounds each of
    // its calls by --timeout and its wait by --lock-timeout (the bound here is a backstop).
    let targets = await bounded(gather, deadline - now(), input.interrupted, INTERRUPT_GRACE_MS);
    if (!isCut(targets) && targets.length > 0) {
      const held = await bounded(subscribe(), lockMs + input.timeoutMs, input.interrupted, INTERRUPT_GRACE_MS);
      if (isCut(held)) targets = held;
      else if (!held) targets = [];
    }
    if (isCut(targets)) {
      if (targets === 'timeout')
        errors.push({
          code: 'MA_ERR_TIMEOUT',
          message: `the master did not answer within --timeout (${Math.round(input.timeoutMs / 1000)}s)`,
        });
      await Promise.allSettled([session?.destroy(), operator.destroy()]);
      session = undefined;
      return finish();
    }
    if (targets.length === 0 || !session || !sub) return finish();
    life = new RunLifecycle({
      session,
      events: new EventPump(session.events(), input.interrupted),
      frameworkId: sub.frameworkId,
      operator,
      emit: input.emit,
      clock,
    });
    const l = life;
    const r = new DeleteRound(l, input.emit, input.wait);
    round = r;
    const first: Kill[] = [];
    for (const t of targets) {
      const item = {
        action: 'delete' as const,
        name: t.name,
        instance: t.instance,
        taskId: t.taskId,
        specHash: t.specHash,
        oldState: t.state,
      };
      const kill = r.tracker.addDelete(item, t.agentId, t.hostname);
      input.emit({ type: 'instance', view: kill.view });
      first.push(kill);
    }
    // KILLs name one task each: several in flight at once, not thousands of round trips in series.
    await forEachInFlight(first, CALLS_IN_FLIGHT, async (kill) => {
      await l.sendKill(r.tracker, kill);
      if (kill.view.state !== 'TASK_UNREACHABLE') return;
      // No use waiting: nothing keeps the KILL of a task on an unreachable agent, with or without --no-wait.
      r.settle(kill, false, 'unreachable', UNREACHABLE_KILL);
    });
    const stop = interrupted ? 'interrupted' : await life.wait(r, deadline);
    if (stop === 'closed' && life.closedError) errors.push(errorOf(life.closedError));
    if (stop === 'timeout')
      errors.push({
        code: 'MA_ERR_TIMEOUT',
        message: `not every task was gone within --timeout (${Math.round(input.timeoutMs / 1000)}s)`,
      });
    for (const kill of r.tracker.kills.values()) {
      if (kill.settled) continue;
      if (interrupted) r.settle(kill, false, 'interrupted', 'interrupted: the KILL was sent, its end was not awaited');
      else if (kill.state === 'TASK_UNREACHABLE') r.settle(kill, false, 'unreachable', UNREACHABLE_KILL);
      else if (!input.wait) r.settle(kill, false, 'timed-out', 'no answer to the KILL yet');
      else r.settle(kill, false, 'timed-out', `no terminal state yet (${kill.state ?? 'no update'})`);
    }
  } catch (e) {
    errors.push(errorOf(e));
  } finally {
    // Suppressed, every queued update acknowledged, closed (never torn down).
    await life?.leave();
    // A read the lease gave up on (--timeout) may still hang: abort, do not wait for it.
    await operator.destroy().catch(() => undefined);
  }
  return finish();

  function finish(): DeleteResult {
    const kills = [...(round?.tracker.kills.values() ?? [])];
    const ok = errors.length === 0 && !interrupted && kills.every((k) => k.ok);
    return { ok, interrupted, views: kills.map((k) => k.view), errors, notFound, existing, ended };
  }
}
