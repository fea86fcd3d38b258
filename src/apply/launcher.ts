/**
 * The act of an apply round: place waiting launches on the offers in the book, build
 * their TaskInfos and ACCEPT them, one call per agent group. An ACCEPT the master refused
 * launched nothing (the launches wait for offers again); one whose answer was lost may
 * have launched, so those stay launched-but-unconfirmed and the master is asked (the
 * reconciliation answer lands in launch-watch.ts).
 */
import { MesosError } from '../mesos/errors.js';
import type { TaskInfo } from '../mesos/types.js';
import { instanceKey } from '../model/ids.js';
import { isActive } from '../model/states.js';
import { placeTasks } from '../plan/place.js';
import { buildTaskInfo } from '../plan/taskinfo.js';
import type { AcceptGroup, TaskPlacement } from '../plan/types.js';
import type { ApplyContext } from './apply-context.js';
import { withSpecLabel } from './cluster.js';
import { errorOf } from './errors.js';
import { CALLS_IN_FLIGHT, forEachInFlight } from './in-flight.js';
import { isFailover } from './lease.js';
import type { Launch } from './records.js';

export class Launcher {
  constructor(private readonly ctx: ApplyContext) {}

  /** The launches waiting for an offer, placed on the offers in the book, and launched. */
  async placeRound(): Promise<void> {
    const { life, tracker } = this.ctx;
    const pending = tracker.pending();
    if (pending.length === 0 || life.offers.size === 0) return;
    const kept = life.observed.list.filter((t) => isActive(t.state) && !tracker.kills.has(t.taskId));
    const result = placeTasks(
      pending.map((l) => ({
        spec: l.loaded.spec,
        specHash: l.loaded.hash,
        instance: l.item.instance,
        taskId: l.item.taskId,
      })),
      [...life.offers.values()],
      life.agents,
      kept,
    );
    for (const u of result.unplaced) {
      const launch = tracker.launches.get(u.taskId);
      if (launch) this.notPlaced(launch, u.report);
    }
    await this.launchGroups(result.accepts, new Map(result.placed.map((p) => [p.taskId, p.placement])));
  }

  notPlaced(launch: Launch, report: NonNullable<Launch['lastFit']>): void {
    const { tracker, life, emit } = this.ctx;
    tracker.notPlaced(launch, report, life.clock.now());
    // Fits no agent of the cluster at all: say so now instead of waiting for the deadline.
    if (report.kind === 'never' && life.agents.length > 0) {
      emit({
        type: 'instance',
        view: tracker.settle(launch, false, { phase: 'unplaceable', failure: { fit: report } }),
      });
    }
  }

  /**
   * One ACCEPT per agent's offers, CALLS_IN_FLIGHT at once (in-flight.ts). Every offer is
   * named by exactly one ACCEPT or DECLINE and forgotten before the call leaves, so none is
   * used twice; the offers nothing was built for go back in one DECLINE. A group's TaskInfos
   * are built when its turn comes, not all first: at 10,000 tasks, building them all held
   * the event loop for seconds and kept every TaskInfo alive at once. Returns once every call
   * is answered: the next round places against what these launched.
   */
  async launchGroups(groups: readonly AcceptGroup[], placements: Map<string, TaskPlacement>): Promise<void> {
    const { life } = this.ctx;
    const unused: string[] = [];
    await forEachInFlight(groups, CALLS_IN_FLIGHT, async (group) => {
      const { batch, infos } = this.buildGroup(group, placements);
      for (const id of group.offerIds) life.offers.delete(id);
      if (batch.length === 0) unused.push(...group.offerIds);
      else await this.acceptGroup(group, batch, infos);
    });
    if (unused.length > 0) await life.session.decline(unused, { refuse_seconds: 0 }).catch(() => undefined);
  }

  /** The TaskInfos of one group; a task whose TaskInfo cannot be built fails here. */
  private buildGroup(
    group: AcceptGroup,
    placements: Map<string, TaskPlacement>,
  ): { batch: Launch[]; infos: TaskInfo[] } {
    const { tracker, emit, opts } = this.ctx;
    const batch: Launch[] = [];
    const infos: TaskInfo[] = [];
    for (const taskId of group.taskIds) {
      const launch = tracker.launches.get(taskId);
      const placement = placements.get(taskId);
      if (!launch || !placement || launch.settled) continue;
      try {
        const info = buildTaskInfo(
          {
            spec: launch.loaded.spec,
            specHash: launch.loaded.hash,
            instance: launch.item.instance,
            ...(launch.item.run !== undefined ? { run: launch.item.run } : {}),
            taskId,
            placement,
          },
          opts.env,
        );
        const extra = opts.launchLabels?.(instanceKey(launch.item.name, launch.item.instance, launch.item.run)) ?? [];
        if (extra.length > 0) info.labels = { labels: [...(info.labels?.labels ?? []), ...extra] };
        infos.push(withSpecLabel(info, launch.loaded.spec, launch.loaded.secrets));
        batch.push(launch);
        emit({ type: 'instance', view: tracker.placed(launch, placement) });
      } catch (e) {
        emit({
          type: 'instance',
          view: tracker.settle(launch, false, { phase: 'failed', failure: { message: errorOf(e).message } }),
        });
      }
    }
    return { batch, infos };
  }

  private async acceptGroup(group: AcceptGroup, batch: Launch[], infos: TaskInfo[]): Promise<void> {
    const { tracker, life, emit, opts } = this.ctx;
    try {
      await life.session.accept(group.offerIds, [{ type: 'LAUNCH', launch: { task_infos: infos } }], {
        refuse_seconds: this.ctx.refuseSeconds(),
      });
      for (const launch of batch) this.recordLaunched(launch);
      // --no-wait: done once launched, except a replace: its old task may only be killed
      // once the successor is up, so that one still waits (else both copies run on).
      if (!opts.wait)
        for (const launch of batch)
          if (launch.item.action !== 'replace') emit({ type: 'instance', view: tracker.settle(launch, true) });
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
    const { tracker, life, emit } = this.ctx;
    const err = errorOf(e);
    if (isFailover(e)) {
      // Refused for our stale stream id: nothing launched; another run holds the framework now.
      for (const launch of batch) tracker.unlaunch(launch);
      this.ctx.failedOver();
      return;
    }
    const status = e instanceof MesosError ? e.status : undefined;
    const unknownOutcome =
      err.code === 'MA_ERR_CONNECT' ||
      err.code === 'MA_ERR_TIMEOUT' ||
      (err.code === 'MA_ERR_HTTP' && (status === undefined || status >= 500));
    if (!unknownOutcome) {
      emit({ type: 'warning', message: `ACCEPT on ${hostname} failed (${err.message}); waiting for new offers` });
      for (const launch of batch) emit({ type: 'instance', view: tracker.unlaunch(launch) });
      return;
    }
    emit({
      type: 'warning',
      message: `ACCEPT on ${hostname} got no answer (${err.message}); asking the master whether the tasks were launched`,
    });
    for (const launch of batch) {
      tracker.setUnconfirmed(launch, true);
      this.recordLaunched(launch);
    }
    await life.session
      .reconcile(batch.map((l) => ({ taskId: l.item.taskId, agentId: l.placement?.agentId })))
      .catch(() => undefined);
  }

  /** Record a launched task as observed, so constraints and spreading see it next round. */
  private recordLaunched(launch: Launch): void {
    const p = launch.placement!;
    this.ctx.life.observed.add({
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
}
