/**
 * The bookkeeping of one apply or delete run: each task instance it launches (waiting
 * for an offer → launched → settled) and each task it kills (KILL sent → terminal).
 * Synchronous and free of I/O: the engine feeds it status updates and the clock, and
 * emits the views it returns. Invariants, enforced here and not by the callers:
 *  - a task id belongs to at most one launch and one kill;
 *  - a settled record never changes again (late or duplicate updates, a second settle,
 *    a phase change: all ignored, the record's view is returned as it is);
 *  - the run is finished when every launch and every kill is settled.
 * The records' fields are readonly outside: every change goes through a Tracker method,
 * each of which checks `settled` first.
 */
import type { TaskStatus } from '../mesos/types.js';
import type { LoadedSpec } from '../model/spec.js';
import { isGone } from '../model/states.js';
import type { FitReport, PlanItem, TaskPlacement } from '../plan/types.js';
import { addRejections } from '../plan/fit.js';
import { instanceKey } from '../model/ids.js';
import type { Failure, InstanceView, Phase } from './events.js';
import { failureOf, readStatus } from './phase.js';
import type { Kill, Launch } from './records.js';

/** The records as the Tracker itself writes them. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const w = <T>(record: T): Mutable<T> => record as Mutable<T>;

export const MAX_DROP_RETRIES = 3;

/** A KILL with no update for this long is sent again (the master forgets nothing, an agent may). */
export const KILL_RETRY_MS = 10_000;

/**
 * Why a kill on an unreachable agent cannot finish. A Mesos master keeps no KILL for such a
 * task (it answers with a TASK_UNREACHABLE reconciliation), and an agent that returns brings
 * its tasks back running (master.cpp `kill`, `__reregisterSlave`).
 */
export const UNREACHABLE_KILL =
  'the agent is unreachable: the KILL cannot reach it and the master does not keep it; if the agent returns, the task runs again (delete it again then)';

export class Tracker {
  readonly launches = new Map<string, Launch>();
  readonly kills = new Map<string, Kill>();
  /** The launch that finished() last found unsettled. */
  private openLaunch: Launch | undefined;
  /** The kill that finished() last found unsettled. */
  private openKill: Kill | undefined;
  /**
   * The launches waiting for an offer (not settled, launched or held), kept up to date by
   * the methods that change those fields: whether any waits is asked per ACCEPT and per
   * tick, and a walk of 10,000 launches each time was a third of a second of a large apply.
   */
  private readonly waiting = new Set<Launch>();

  private track(launch: Launch): void {
    const waits =
      !launch.settled &&
      !launch.launched &&
      launch.held === undefined &&
      this.launches.get(launch.item.taskId) === launch;
    if (waits) this.waiting.add(launch);
    else this.waiting.delete(launch);
  }

  addLaunch(item: PlanItem, loaded: LoadedSpec): Launch {
    const view: InstanceView = {
      key: instanceKey(item.name, item.instance, item.run),
      name: item.name,
      instance: item.instance,
      ...(item.run !== undefined ? { run: item.run } : {}),
      action: item.action,
      phase: 'waiting-offer',
      taskId: item.taskId,
    };
    if (item.oldTaskId !== undefined) view.oldTaskId = item.oldTaskId;
    const launch: Launch = { item, loaded, view, rejections: {}, launched: false, drops: 0, settled: false, ok: false };
    const before = this.launches.get(item.taskId);
    this.launches.set(item.taskId, launch);
    if (before !== undefined) this.waiting.delete(before);
    this.track(launch);
    return launch;
  }

  /** A delete item: kill `item.taskId`; the view is the delete's own. */
  addDelete(item: PlanItem, agentId: string | undefined, host: string | undefined): Kill {
    const view: InstanceView = {
      key: instanceKey(item.name, item.instance, item.run),
      name: item.name,
      instance: item.instance,
      ...(item.run !== undefined ? { run: item.run } : {}),
      action: 'delete',
      phase: 'killing',
      taskId: item.taskId,
    };
    if (item.oldState !== undefined) view.state = item.oldState;
    if (agentId !== undefined) view.agentId = agentId;
    if (host !== undefined) view.host = host;
    const kill: Kill = {
      taskId: item.taskId,
      view,
      ownView: true,
      settled: false,
      ok: false,
      ...(agentId !== undefined ? { agentId } : {}),
    };
    this.kills.set(item.taskId, kill);
    return kill;
  }

  /** The old task of a replace, killed once its successor runs. */
  addReplaceKill(taskId: string, agentId: string | undefined, successor: InstanceView): Kill {
    const kill: Kill = {
      taskId,
      view: successor,
      ownView: false,
      settled: false,
      ok: false,
      ...(agentId !== undefined ? { agentId } : {}),
    };
    this.kills.set(taskId, kill);
    return kill;
  }

  /**
   * A kill another tracker's run ended without seeing its task end (deadline, unreachable
   * agent): open here, with its sending times, so its resends go on; undefined when the
   * task is known to have ended or its KILL was never sent.
   */
  carryKill(from: Kill): Kill | undefined {
    if (from.lastSentAt === undefined || (from.state !== undefined && isGone(from.state))) return undefined;
    const kill: Kill = { ...from, ownView: false, settled: false, ok: false };
    this.kills.set(kill.taskId, kill);
    return kill;
  }

  /** A settled kill leaves the book (a long-lived tracker would otherwise only grow). */
  forgetKill(kill: Kill): void {
    if (kill.settled && this.kills.get(kill.taskId) === kill) this.kills.delete(kill.taskId);
  }

  /** A KILL goes out (first time or again). */
  killSent(kill: Kill, now: number): void {
    if (kill.settled) return;
    w(kill).sentAt ??= now;
    w(kill).lastSentAt = now;
  }

  /** Kills sent whose task has said nothing for KILL_RETRY_MS: send them again. */
  killsDue(now: number): Kill[] {
    return [...this.kills.values()].filter(
      (k) =>
        !k.settled && k.lastSentAt !== undefined && now - Math.max(k.lastSentAt, k.lastUpdateAt ?? 0) >= KILL_RETRY_MS,
    );
  }

  /**
   * A kill ends without a terminal update (--no-wait, deadline, interrupt, connection
   * lost): settled as `ok`, its own view patched. Returns the view to emit (own views only).
   */
  settleKill(kill: Kill, ok: boolean, patch: Partial<InstanceView> = {}): InstanceView | undefined {
    if (kill.settled) return undefined;
    w(kill).settled = true;
    w(kill).ok = ok;
    if (!kill.ownView) return undefined;
    w(kill).view = { ...kill.view, ...patch, settled: true };
    return kill.view;
  }

  /** Rollouts: a launch waits for its batch or its old copy (`held`), or may be placed now. */
  hold(launch: Launch, held: Launch['held']): void {
    if (launch.settled) return;
    if (held === undefined) delete w(launch).held;
    else w(launch).held = held;
    this.track(launch);
  }

  /** The launch (again) waits for an offer from `now` on: --pending-timeout counts from here. */
  waitingSince(launch: Launch, now: number): void {
    if (!launch.settled) w(launch).pendingSince = now;
  }

  /** Whether the ACCEPT that launched it is unanswered (see Launch.unconfirmed). */
  setUnconfirmed(launch: Launch, unconfirmed: boolean): void {
    if (!launch.settled) w(launch).unconfirmed = unconfirmed;
  }

  /** Up (running, healthy where checked) from `now`; false when it already was. */
  upSince(launch: Launch, now: number): boolean {
    if (launch.settled || launch.runningSince !== undefined) return false;
    w(launch).runningSince = now;
    return true;
  }

  /** Not up (any more): the minimum healthy time starts again at the next up. */
  down(launch: Launch): void {
    if (!launch.settled) delete w(launch).runningSince;
  }

  /** The launches waiting for an offer, in the order they were added. */
  pending(): Launch[] {
    if (this.waiting.size === 0) return [];
    return [...this.launches.values()].filter((l) => this.waiting.has(l));
  }

  hasPending(): boolean {
    return this.waiting.size > 0;
  }

  finished(): boolean {
    // The engine asks after every event: while the launch found open last time is still
    // open (and still the one tracked for its task), the answer stands without walking
    // every settled launch before it again (a run of 500 took 1,000 such walks).
    const open = this.openLaunch;
    if (open !== undefined && !open.settled && this.launches.get(open.item.taskId) === open) return false;
    this.openLaunch = undefined;
    for (const l of this.launches.values()) {
      if (!l.settled) {
        this.openLaunch = l;
        return false;
      }
    }
    // The same for kills: a delete of 10,000 tasks asks after each of its 20,000 updates,
    // and a walk from the first kill each time was 10^8 steps.
    const openKill = this.openKill;
    if (openKill !== undefined && !openKill.settled && this.kills.get(openKill.taskId) === openKill) return false;
    this.openKill = undefined;
    for (const k of this.kills.values()) {
      if (!k.settled) {
        this.openKill = k;
        return false;
      }
    }
    return true;
  }

  setPhase(launch: Launch, phase: Phase): InstanceView {
    if (!launch.settled) w(launch).view = { ...launch.view, phase };
    return launch.view;
  }

  /** Offers were seen and this launch did not fit: remember why. */
  notPlaced(launch: Launch, report: FitReport, now: number): void {
    if (launch.settled) return;
    const l = w(launch);
    l.pendingSince ??= now;
    l.rejections = addRejections(launch.rejections, report);
    l.lastFit = report;
  }

  placed(launch: Launch, placement: TaskPlacement): InstanceView {
    if (launch.settled) return launch.view;
    const l = w(launch);
    l.placement = placement;
    l.launched = true;
    this.track(launch);
    l.view = {
      ...launch.view,
      phase: 'launching',
      agentId: placement.agentId,
      host: placement.hostname,
      ports: placement.ports.map((p) => ({ name: p.name, hostPort: p.hostPort })),
    };
    return launch.view;
  }

  /** The ACCEPT failed or the master dropped the launch: wait for an offer again. */
  unlaunch(launch: Launch): InstanceView {
    if (launch.settled) return launch.view;
    const l = w(launch);
    l.launched = false;
    l.unconfirmed = false;
    delete l.placement;
    this.track(launch);
    const { agentId: _a, host: _h, ports: _p, state: _s, ...rest } = launch.view;
    l.view = { ...rest, phase: 'waiting-offer' };
    return launch.view;
  }

  /** The launch's verdict; a second verdict is ignored (the first stands). */
  settle(launch: Launch, ok: boolean, patch: Partial<InstanceView> = {}): InstanceView {
    if (launch.settled) return launch.view;
    const l = w(launch);
    l.settled = true;
    l.ok = ok;
    l.view = { ...launch.view, ...patch, settled: true };
    this.track(launch);
    return launch.view;
  }

  /**
   * A status update for a task we launched. Returns the new view, and whether the launch
   * just failed (the caller adds the stderr tail) or should go back to waiting (dropped).
   */
  onLaunchStatus(
    launch: Launch,
    status: TaskStatus,
  ): { view: InstanceView; failed?: Failure; retry?: boolean; done?: boolean } {
    if (launch.settled) return { view: launch.view };
    const spec = launch.loaded.spec;
    if (
      status.state === 'TASK_DROPPED' &&
      status.reason === 'REASON_INVALID_OFFERS' &&
      launch.drops < MAX_DROP_RETRIES
    ) {
      w(launch).drops += 1;
      return { view: this.unlaunch(launch), retry: true };
    }
    const reading = readStatus(status, spec.goal, spec.healthCheck !== undefined);
    const patch: Partial<InstanceView> = { phase: reading.phase, state: status.state };
    if (status.healthy !== undefined) patch.healthy = status.healthy;
    if (status.agent_id) patch.agentId = status.agent_id.value;
    w(launch).view = { ...launch.view, ...patch };
    if (reading.verdict === 'done') return { view: launch.view, done: true };
    if (reading.verdict === 'failed') {
      const failure = failureOf(status, spec.goal);
      if (launch.view.host !== undefined) failure.host = launch.view.host;
      return { view: launch.view, failed: failure };
    }
    return { view: launch.view };
  }

  /** A status update for a task we are killing; returns the view to emit when it changed. */
  onKillStatus(kill: Kill, status: TaskStatus, now: number): InstanceView | undefined {
    if (kill.settled) return undefined;
    const k = w(kill);
    k.state = status.state;
    k.lastUpdateAt = now;
    if (status.agent_id) k.agentId = status.agent_id.value;
    if (isGone(status.state)) return this.settleKill(kill, true, { phase: 'killed', state: status.state });
    if (!kill.ownView) return undefined;
    const phase: Phase = status.state === 'TASK_UNREACHABLE' ? 'unreachable' : 'killing';
    k.view = { ...kill.view, phase, state: status.state };
    return kill.view;
  }
}
