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
 */
import { SchedulerSession } from '../mesos/scheduler.js';
import { OperatorClient } from '../mesos/operator.js';
import type { MasterSetOptions } from '../mesos/masters.js';
import type { TaskStatus } from '../mesos/types.js';
import type { ObservedTask } from '../model/observed.js';
import { isActive } from '../model/states.js';
import { DEFAULT_FAILOVER_TIMEOUT, frameworkInfo } from './connect.js';
import { readCluster } from './cluster.js';
import { errorOf } from './engine.js';
import type { Emit, InstanceView, ReportError } from './events.js';
import { EventPump } from './pump.js';
import { bounded, isCut } from './bounded.js';
import { INTERRUPT_GRACE_MS } from './engine.js';
import { Tracker, UNREACHABLE_KILL, type Kill } from './tracker.js';
import { Acknowledger } from './acks.js';
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
  now?: () => number;
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

export async function runDelete(input: DeleteInput): Promise<DeleteResult> {
  const now = input.now ?? Date.now;
  const operator = new OperatorClient(input.client);
  const tracker = new Tracker();
  const errors: ReportError[] = [];
  const acks = new Acknowledger((message) => input.emit({ type: 'warning', message }));
  let interrupted = false;
  void input.interrupted.then(() => (interrupted = true));
  let session: SchedulerSession | undefined;
  let pump: EventPump | undefined;
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
      const sub = got.sub;
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
    if (targets.length === 0 || !session) return finish();
    pump = new EventPump(session.events(), input.interrupted);
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
      const kill = tracker.addDelete(item, t.agentId, t.hostname);
      input.emit({ type: 'instance', view: kill.view });
      first.push(kill);
    }
    // KILLs name one task each: several in flight at once, not thousands of round trips in series.
    const s = session;
    await forEachInFlight(first, CALLS_IN_FLIGHT, async (kill) => {
      await sendKill(s, kill, now());
      if (!input.wait) settle(kill, true, kill.view.phase);
      else if (kill.view.state === 'TASK_UNREACHABLE') settle(kill, false, 'unreachable', UNREACHABLE_KILL);
    });
    while (!tracker.finished() && !interrupted) {
      const ev = await pump.next(250);
      if (ev === 'interrupted') break;
      if (ev !== 'tick') {
        if (ev.kind === 'closed') {
          if (ev.error) errors.push(errorOf(ev.error));
          break;
        }
        if (ev.kind === 'resubscribed') {
          await session
            .reconcile(
              [...tracker.kills.values()]
                .filter((k) => !k.settled)
                .map((k) => ({ taskId: k.taskId, agentId: k.agentId })),
            )
            .catch(() => undefined);
        } else if (ev.event.type === 'UPDATE' && ev.event.update) {
          onUpdate(ev.event.update.status);
        } else if (ev.event.type === 'OFFERS') {
          await session
            .decline(
              (ev.event.offers?.offers ?? []).map((o) => o.id.value),
              { refuse_seconds: 60 },
            )
            .catch(() => undefined);
        }
      }
      const t = now();
      if (t >= deadline) {
        errors.push({
          code: 'MA_ERR_TIMEOUT',
          message: `not every task was gone within --timeout (${Math.round(input.timeoutMs / 1000)}s)`,
        });
        break;
      }
      // Resent only once every update that arrived is handled (the tick of an empty queue):
      // with updates still queued, a task's silence may only be this run's backlog.
      if (ev === 'tick') await forEachInFlight(tracker.killsDue(t), CALLS_IN_FLIGHT, (kill) => sendKill(s, kill, t));
    }
    for (const kill of tracker.kills.values()) {
      if (kill.settled) continue;
      if (interrupted) settle(kill, false, 'interrupted', 'interrupted: the KILL was sent, its end was not awaited');
      else if (kill.state === 'TASK_UNREACHABLE') settle(kill, false, 'unreachable', UNREACHABLE_KILL);
      else settle(kill, false, 'timed-out', `no terminal state yet (${kill.state ?? 'no update'})`);
    }
  } catch (e) {
    errors.push(errorOf(e));
  } finally {
    if (session) {
      if (session.stateName === 'SUBSCRIBED') await session.suppress().catch(() => undefined);
      // Updates queued when the wait stopped (interrupt, timeout) are still acknowledged.
      await pump?.drainQueued(async (ev) => {
        if (ev.kind === 'event' && ev.event.type === 'UPDATE' && ev.event.update) onUpdate(ev.event.update.status);
      });
      await acks.settled();
      await session.close().catch(() => undefined);
    }
    // A read the lease gave up on (--timeout) may still hang: abort, do not wait for it.
    await operator.destroy().catch(() => undefined);
  }
  return finish();

  function finish(): DeleteResult {
    const views = [...tracker.kills.values()].map((k) => k.view);
    const ok = errors.length === 0 && !interrupted && [...tracker.kills.values()].every((k) => k.ok);
    return { ok, interrupted, views, errors, notFound, existing, ended };
  }

  function settle(kill: Kill, ok: boolean, phase: InstanceView['phase'], message?: string): void {
    kill.settled = true;
    kill.ok = ok;
    kill.view = {
      ...kill.view,
      phase,
      settled: true,
      ...(message ? { failure: { state: kill.state ?? kill.view.state, message } } : {}),
    };
    input.emit({ type: 'instance', view: kill.view });
  }

  function onUpdate(status: TaskStatus): void {
    if (session) acks.ack(session, status);
    const kill = tracker.kills.get(status.task_id.value);
    if (!kill) return;
    const view = tracker.onKillStatus(kill, status, now());
    if (view) input.emit({ type: 'instance', view });
  }

  async function sendKill(s: SchedulerSession, kill: Kill, t: number): Promise<void> {
    tracker.killSent(kill, t);
    await s
      .kill(kill.taskId, kill.agentId)
      .catch((e) =>
        input.emit({ type: 'warning', message: `KILL ${kill.taskId} failed (${errorOf(e).message}); retrying` }),
      );
  }
}
