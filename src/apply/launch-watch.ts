/**
 * The wait of an apply round: what each status update means for a launch (tracker.ts reads
 * it), the minimum healthy time a service must stay up to count, --pending-timeout for
 * launches no offer fits, and the periodic "why still pending" reports. A replace's old
 * task is killed here, once and only once its successor counts as up.
 */
import type { TaskStatus } from '../mesos/types.js';
import { effectiveRollout } from '../model/spec.js';
import { isActive } from '../model/states.js';
import { topReasons } from '../plan/fit.js';
import type { ApplyContext } from './apply-context.js';
import { sandboxTail } from './cluster.js';
import { failureOf } from './phase.js';
import type { Launch } from './records.js';

const PENDING_REPORT_MS = 2_000;
/** Reconciliation answers for a task the master does not know. */
const NOT_LAUNCHED: readonly TaskStatus['state'][] = [
  'TASK_UNKNOWN',
  'TASK_LOST',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
];

export class LaunchWatch {
  private lastPendingReport = 0;

  constructor(private readonly ctx: ApplyContext) {}

  /** A status update (already acknowledged) for whichever launch or kill of the round it names. */
  async onUpdate(status: TaskStatus): Promise<void> {
    const { tracker, life, emit } = this.ctx;
    const taskId = status.task_id.value;
    const launch = tracker.launches.get(taskId);
    if (launch?.unconfirmed && !launch.settled) {
      tracker.setUnconfirmed(launch, false);
      // The master does not know the task (§9: LOST, GONE on a registered agent, UNKNOWN,
      // GONE_BY_OPERATOR): the lost ACCEPT launched nothing; place it again.
      if (status.reason === 'REASON_RECONCILIATION' && NOT_LAUNCHED.includes(status.state)) {
        emit({ type: 'instance', view: tracker.unlaunch(launch) });
        await life.revive();
        return;
      }
    }
    if (launch?.launched) await this.onLaunchStatus(launch, status);
    const kill = tracker.kills.get(taskId);
    if (kill) {
      const view = tracker.onKillStatus(kill, status, life.clock.now());
      if (view) emit({ type: 'instance', view });
    }
  }

  private async onLaunchStatus(launch: Launch, status: TaskStatus): Promise<void> {
    const { tracker, life, emit } = this.ctx;
    const r = tracker.onLaunchStatus(launch, status);
    if (r.retry) {
      emit({ type: 'instance', view: r.view });
      await life.revive();
    } else if (this.ctx.opts.unreachableNotWaited && status.state === 'TASK_UNREACHABLE') {
      const failure = failureOf(status, launch.loaded.spec.goal);
      failure.message = 'its agent became unreachable; the controller waits --unreachable-timeout for it to return';
      emit({ type: 'instance', view: tracker.settle(launch, false, { failure }) });
    } else if (
      this.ctx.opts.jobsDoneWhenRunning &&
      launch.loaded.spec.goal === 'finished' &&
      status.state === 'TASK_RUNNING' &&
      !r.failed
    ) {
      // The controller's rounds: a job that runs is launched; its end is the controller's to watch.
      await this.succeed(launch);
    } else if (r.done) {
      const needMs = this.minHealthyMs(launch);
      if (status.state === 'TASK_RUNNING' && needMs > 0) {
        if (tracker.upSince(launch, life.clock.now()))
          emit({
            type: 'note',
            message: `${launch.view.key} is up; it must stay up ${needMs / 1000}s (minHealthyTime) to count`,
          });
        emit({ type: 'instance', view: r.view });
      } else {
        await this.succeed(launch);
      }
    } else if (r.failed) {
      const failure = r.failed;
      if (status.source !== 'SOURCE_MASTER')
        failure.stderrTail = await sandboxTail(
          this.ctx.files,
          life.agentOf(failure.agentId),
          life.frameworkId,
          status.task_id.value,
        );
      emit({ type: 'instance', view: tracker.settle(launch, false, { failure }) });
    } else {
      // Not healthy (any more): the minimum healthy time starts again at the next healthy update.
      tracker.down(launch);
      emit({ type: 'instance', view: r.view });
    }
  }

  private minHealthyMs(launch: Launch): number {
    if (launch.loaded.spec.goal !== 'running') return 0;
    return this.ctx.opts.minRunningMs ?? effectiveRollout(launch.loaded.spec).minHealthyTime * 1000;
  }

  private async succeed(launch: Launch): Promise<void> {
    const { tracker, life, emit } = this.ctx;
    emit({ type: 'instance', view: tracker.settle(launch, true) });
    // A replace's successor runs: now, and only now, kill the task it replaces.
    const old = launch.item.oldTaskId;
    if (launch.item.action !== 'replace' || old === undefined) return;
    const t = life.observed.get(old);
    if ((t && !isActive(t.state)) || tracker.kills.has(old)) return;
    await this.ctx.sendKill(tracker.addReplaceKill(old, t?.agentId, launch.view));
  }

  /** Launches up for their minimum healthy time count now; the others' countdown is said. */
  async tickUp(now: number): Promise<void> {
    const countdown: string[] = [];
    for (const launch of this.ctx.tracker.launches.values()) {
      if (launch.settled || launch.runningSince === undefined) continue;
      const left = this.minHealthyMs(launch) - (now - launch.runningSince);
      if (left <= 0) await this.succeed(launch);
      else countdown.push(`${launch.view.key} ${Math.ceil(left / 1000)}s`);
    }
    if (countdown.length > 0 && now - this.lastPendingReport >= PENDING_REPORT_MS) {
      // The minimum healthy time counting down, a few instances by name.
      const more = countdown.length > 3 ? ` and ${countdown.length - 3} more` : '';
      this.ctx.emit({
        type: 'note',
        message: `up, counting minHealthyTime: ${countdown.slice(0, 3).join(', ')}${more} left`,
      });
    }
  }

  /** Launches no offer fitted within --pending-timeout fail; the rest say why they wait. */
  tickPending(now: number): void {
    const { tracker, emit, opts } = this.ctx;
    for (const launch of tracker.pending()) {
      if (launch.pendingSince !== undefined && now - launch.pendingSince >= opts.pendingTimeoutMs) {
        const fit = launch.lastFit;
        const message = fit
          ? fit.summary
          : `no offer arrived within --pending-timeout (${Math.round(opts.pendingTimeoutMs / 1000)}s): are agents registered, and is role '${launch.loaded.spec.role}' offered to this framework?`;
        emit({
          type: 'instance',
          view: tracker.settle(launch, false, { phase: 'unplaceable', failure: fit ? { fit } : { message } }),
        });
      }
    }
    if (now - this.lastPendingReport < PENDING_REPORT_MS) return;
    this.lastPendingReport = now;
    for (const launch of tracker.pending()) {
      if (launch.lastFit)
        emit({
          type: 'pending',
          key: launch.view.key,
          reasons: topReasons(launch.rejections, 3).map(
            (r) => launch.lastFit!.reasons.find((x) => x.reason === r.reason) ?? { ...r, detail: r.reason },
          ),
          fit: launch.lastFit,
        });
    }
  }
}
