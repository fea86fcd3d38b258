/**
 * One task of a simulated agent (`mesos-apply local --simulate`): everything the command
 * executor reports, with no process behind it. The sandbox is created as for a real task
 * (so the files API browses it), then after the simulation's start delay:
 *
 *   launching ──delay──► running ──KILL──► killing ──grace──► terminated (TASK_KILLED)
 *        │ KILL                │ control: fail / lost / finish ──► terminated
 *        └─► TASK_KILLED "Killed before delivery to the executor" (SOURCE_AGENT)
 *
 * Updates and their fields are the command executor's (see command-task.ts): TASK_STARTING
 * and TASK_RUNNING with container_status; with a health check, TASK_RUNNING healthy=true
 * (REASON_TASK_HEALTH_CHECK_STATUS_UPDATED) once the check's delay has passed (at most the
 * start delay here); TASK_KILLING for TASK_KILLING_STATE frameworks; exactly one terminal
 * update. On KILL a simulated task stops after the simulation's stop delay (SIGTERM,
 * "terminated with signal Terminated"), unless the kill policy's grace period ends first
 * (SIGKILL, "terminated with signal Killed"), as a process slow to stop would. Control
 * actions (simulation.ts) drive failures.
 */
import { healthTimings } from '../health-defaults.js';
import type { KillPolicy } from '../../mesos/types.js';
import {
  containerStatusFor,
  Escalation,
  hasKillingCapability,
  killGraceMs,
  type LaunchContext,
  type TaskRunner,
} from './runner.js';
import { closeSandbox, createSandbox } from './sandbox.js';
import type { SimAction, SimControllable, Simulation } from './simulation.js';
import type { UpdateFields } from './status.js';

type Phase = 'launching' | 'running' | 'terminated';

export class SimTask implements TaskRunner, SimControllable {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private phase: Phase = 'launching';
  private silent = false;
  private killed = false;
  private unhealthy = false;
  private timer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private readonly escalation = new Escalation();

  constructor(
    private readonly ctx: LaunchContext,
    private readonly sim: Simulation,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  start(): void {
    this.sim.register(this.ctx.frameworkId, this.ctx.task.task_id.value, this);
    createSandbox(this.ctx.paths, this.ctx.containerId)
      .then(closeSandbox)
      .then(
        () => this.scheduleStart(),
        (err: unknown) => this.launchFailed(err),
      );
  }

  kill(policy?: KillPolicy): void {
    if (this.phase === 'launching') this.killDuringLaunch();
    else if (this.phase === 'running') this.killRunning(killGraceMs(policy, this.ctx.task.kill_policy));
  }

  shutdown(graceMs: number): void {
    this.silent = true;
    if (this.phase === 'launching') this.killDuringLaunch();
    else if (this.phase === 'running') this.killRunning(graceMs);
  }

  /** A control request; false when it does not apply to the task's current phase. */
  control(action: SimAction): boolean {
    if (this.phase !== 'running') return false;
    switch (action) {
      case 'fail':
        return this.end({ state: 'TASK_FAILED', message: 'Command exited with status 1', source: 'SOURCE_EXECUTOR' });
      case 'finish':
        return this.end({ state: 'TASK_FINISHED', message: 'Command exited with status 0', source: 'SOURCE_EXECUTOR' });
      case 'lost':
        // The executor vanished (container destroyed, OOM, host reboot of the container).
        return this.end({
          state: 'TASK_FAILED',
          message: 'Abnormal executor termination: container terminated',
          source: 'SOURCE_AGENT',
          reason: 'REASON_EXECUTOR_TERMINATED',
        });
      case 'unhealthy':
      case 'healthy':
        return this.setHealth(action === 'healthy');
    }
  }

  private scheduleStart(): void {
    if (this.phase !== 'launching') return;
    this.timer = setTimeout(() => this.running(), this.sim.startDelayMs);
    this.timer.unref();
  }

  private running(): void {
    if (this.phase !== 'launching') return;
    this.phase = 'running';
    this.emit({ state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR' });
    this.emit({ state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' });
    const check = this.ctx.task.health_check;
    if (check === undefined) return;
    const delayMs = Math.min(healthTimings(check).delay_seconds * 1000, this.sim.startDelayMs);
    this.healthTimer = setTimeout(() => this.setHealth(true), delayMs);
    this.healthTimer.unref();
  }

  /** Health changes are reported once; failing past `consecutive_failures` checks kills the task. */
  private setHealth(healthy: boolean): boolean {
    if (this.ctx.task.health_check === undefined || this.killed || this.phase !== 'running') return false;
    clearTimeout(this.healthTimer);
    this.unhealthy = !healthy;
    this.emit({
      state: 'TASK_RUNNING',
      source: 'SOURCE_EXECUTOR',
      reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
      healthy,
    });
    if (!healthy) {
      const t = healthTimings(this.ctx.task.health_check);
      this.healthTimer = setTimeout(
        () => this.killRunning(killGraceMs(undefined, this.ctx.task.kill_policy)),
        (t.consecutive_failures - 1) * t.interval_seconds * 1000,
      );
      this.healthTimer.unref();
    }
    return true;
  }

  /** SIGTERM: the task stops after the simulation's stop delay, or SIGKILL ends it at the grace period. */
  private killRunning(graceMs: number): void {
    const escalate = (): void => {
      this.end({
        state: 'TASK_KILLED',
        message: 'Command terminated with signal Killed',
        source: 'SOURCE_EXECUTOR',
        healthy: this.unhealthy ? false : undefined,
      });
    };
    if (this.killed) {
      this.escalation.shorten(graceMs, escalate);
      return;
    }
    this.killed = true;
    clearTimeout(this.healthTimer);
    if (hasKillingCapability(this.ctx.framework)) this.emit({ state: 'TASK_KILLING', source: 'SOURCE_EXECUTOR' });
    this.escalation.begin(graceMs, escalate);
    if (this.sim.stopDelayMs < graceMs) {
      this.timer = setTimeout(() => {
        if (this.phase !== 'running') return;
        this.end({
          state: 'TASK_KILLED',
          message: 'Command terminated with signal Terminated',
          source: 'SOURCE_EXECUTOR',
          healthy: this.unhealthy ? false : undefined,
        });
      }, this.sim.stopDelayMs);
      this.timer.unref();
    }
  }

  private killDuringLaunch(): void {
    if (this.killed) return;
    this.killed = true;
    clearTimeout(this.timer);
    this.emit({
      state: 'TASK_KILLED',
      message: 'Killed before delivery to the executor',
      source: 'SOURCE_AGENT',
      reason: 'REASON_TASK_KILLED_DURING_LAUNCH',
    });
    this.finish();
  }

  private launchFailed(err: unknown): void {
    if (this.phase === 'terminated') return;
    this.emit({
      state: 'TASK_FAILED',
      message: `Failed to launch container: ${err instanceof Error ? err.message : String(err)}`,
      source: 'SOURCE_AGENT',
      reason: 'REASON_CONTAINER_LAUNCH_FAILED',
    });
    this.finish();
  }

  private end(fields: UpdateFields): true {
    this.escalation.cancel();
    this.emit(fields);
    this.finish();
    return true;
  }

  private emit(fields: UpdateFields): void {
    if (fields.healthy === undefined) delete fields.healthy;
    if (fields.source === 'SOURCE_EXECUTOR') {
      fields.containerStatus = containerStatusFor(this.ctx.containerId, this.ctx.agentIp, undefined);
    }
    if (!this.silent) this.ctx.hooks.update(fields);
  }

  private finish(): void {
    this.phase = 'terminated';
    clearTimeout(this.timer);
    clearTimeout(this.healthTimer);
    this.sim.unregister(this.ctx.frameworkId, this.ctx.task.task_id.value, this);
    this.ctx.hooks.terminated();
    this.resolveDone();
  }
}
