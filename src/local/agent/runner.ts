/**
 * What the agent needs from a task runner (the command executor or the Docker executor),
 * and the launch context both get. A runner reports updates through `hooks.update` and
 * calls `hooks.terminated` exactly once, after its last update.
 */
import type { ContainerStatus, FrameworkInfo, KillPolicy, TaskInfo } from '../../mesos/types.js';
import type { SandboxPaths } from './sandbox.js';
import type { UpdateFields } from './status.js';

export interface RunnerHooks {
  update(fields: UpdateFields): void;
  terminated(): void;
}

export interface LaunchContext {
  task: TaskInfo;
  framework: FrameworkInfo;
  frameworkId: string;
  agentId: string;
  /** `slave(1)@ip:port` */
  agentPid: string;
  /** `ip:port` */
  agentEndpoint: string;
  agentIp: string;
  containerId: string;
  paths: SandboxPaths;
  hooks: RunnerHooks;
}

export interface TaskRunner {
  /** Starts the (asynchronous) launch. */
  start(): void;
  /** KILL: TASK_KILLING if the framework can handle it, SIGTERM, grace, SIGKILL, TASK_KILLED. */
  kill(policy?: KillPolicy): void;
  /**
   * Ends the task without further updates (framework shut down, agent closing): SIGTERM,
   * then SIGKILL after `graceMs` (0: SIGKILL at once).
   */
  shutdown(graceMs: number): void;
  /** Resolves when the task's processes are gone and no update will follow. */
  readonly done: Promise<void>;
}

/** Default grace of the command executor (launcher/executor.cpp). */
export const DEFAULT_KILL_GRACE_MS = 3000;

/** KILL's kill_policy > TaskInfo.kill_policy > 3 s. */
export function killGraceMs(override: KillPolicy | undefined, task: KillPolicy | undefined): number {
  const ns = override?.grace_period?.nanoseconds ?? task?.grace_period?.nanoseconds;
  return ns === undefined ? DEFAULT_KILL_GRACE_MS : Math.max(0, ns / 1e6);
}

export function hasKillingCapability(framework: FrameworkInfo): boolean {
  return (framework.capabilities ?? []).some((c) => c.type === 'TASK_KILLING_STATE');
}

export function containerStatusFor(containerId: string, ip: string, pid: number | undefined): ContainerStatus {
  const status: ContainerStatus = {
    container_id: { value: containerId },
    network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: ip }] }],
  };
  if (pid !== undefined) status.executor_pid = pid;
  return status;
}

/**
 * The kill escalation timer of the built-in executors: a second KILL may only shorten the
 * remaining grace (20 s then 5 s after 2 s → SIGKILL 3 s later; 20 s then 30 s → no-op).
 */
export class Escalation {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private deadline = Infinity;

  get started(): boolean {
    return this.startedAt !== 0;
  }

  begin(graceMs: number, escalate: () => void): void {
    this.startedAt = Date.now();
    this.arm(graceMs, escalate);
  }

  shorten(graceMs: number, escalate: () => void): void {
    if (this.startedAt + graceMs >= this.deadline) return;
    clearTimeout(this.timer);
    this.arm(Math.max(0, this.startedAt + graceMs - Date.now()), escalate);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number, escalate: () => void): void {
    this.deadline = Date.now() + ms;
    this.timer = setTimeout(escalate, ms);
    this.timer.unref();
  }
}
