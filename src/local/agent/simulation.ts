/**
 * The shared state of a simulated local cluster (`mesos-apply local --simulate`): the start
 * delay of its tasks and a registry of the live simulated tasks, so a control request can
 * reach them. One Simulation serves every agent of a cluster; a task is registered from
 * its start until its terminal update, under (framework id, task id), which Mesos keeps
 * unique among a framework's live tasks.
 *
 * Control requests (POST /local/simulate on the master's port, see ../master/sim-control.ts)
 * select tasks by framework id, task id or task-id prefix and apply one action:
 *   fail       TASK_FAILED  "Command exited with status 1" (the process exited non-zero)
 *   finish     TASK_FINISHED "Command exited with status 0"
 *   lost       TASK_FAILED  REASON_EXECUTOR_TERMINATED, SOURCE_AGENT (the executor vanished)
 *   unhealthy  TASK_RUNNING healthy=false; killed after consecutive_failures × interval
 *   healthy    TASK_RUNNING healthy=true
 */
export const SIM_ACTIONS = ['fail', 'finish', 'lost', 'unhealthy', 'healthy'] as const;
export type SimAction = (typeof SIM_ACTIONS)[number];

/** A live simulated task, as the registry sees it (sim-task.ts). */
export interface SimControllable {
  /** Applies the action; false when it does not apply to the task's phase. */
  control(action: SimAction): boolean;
}

export interface SimulationOptions {
  /** Launch → TASK_STARTING/TASK_RUNNING, ms. Default 100. */
  startDelayMs?: number;
  /** KILL (SIGTERM) → the task has stopped, ms; at or past the grace period: SIGKILL at the grace. Default 0. */
  stopDelayMs?: number;
}

export interface SimSelector {
  framework_id?: string;
  task_id?: string;
  task_id_prefix?: string;
}

export class Simulation {
  readonly startDelayMs: number;
  readonly stopDelayMs: number;
  /** framework id → task id → task */
  private readonly tasks = new Map<string, Map<string, SimControllable>>();

  constructor(opts: SimulationOptions = {}) {
    this.startDelayMs = Math.max(0, opts.startDelayMs ?? 100);
    this.stopDelayMs = Math.max(0, opts.stopDelayMs ?? 0);
  }

  register(frameworkId: string, taskId: string, task: SimControllable): void {
    let byTask = this.tasks.get(frameworkId);
    if (byTask === undefined) {
      byTask = new Map();
      this.tasks.set(frameworkId, byTask);
    }
    byTask.set(taskId, task);
  }

  unregister(frameworkId: string, taskId: string, task: SimControllable): void {
    const byTask = this.tasks.get(frameworkId);
    if (byTask?.get(taskId) !== task) return;
    byTask.delete(taskId);
    if (byTask.size === 0) this.tasks.delete(frameworkId);
  }

  /** Applies `action` to every selected live task; returns the ids of the tasks it applied to. */
  control(select: SimSelector, action: SimAction): string[] {
    const applied: string[] = [];
    for (const [frameworkId, byTask] of this.tasks) {
      if (select.framework_id !== undefined && select.framework_id !== frameworkId) continue;
      const chosen =
        select.task_id !== undefined
          ? [[select.task_id, byTask.get(select.task_id)] as const]
          : [...byTask].filter(([id]) => id.startsWith(select.task_id_prefix ?? ''));
      for (const [id, task] of chosen) if (task?.control(action)) applied.push(id);
    }
    return applied;
  }
}
