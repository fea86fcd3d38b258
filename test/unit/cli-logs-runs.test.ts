import { describe, expect, it } from 'vitest';
import type { FrameworkTasks } from '../../src/apply/inspect.js';
import { logTargets } from '../../src/cli/commands/logs-run.js';
import type { Task, TaskState } from '../../src/mesos/types.js';
import { makeTaskId, taskLabels } from '../../src/model/ids.js';
import { observeTask } from '../../src/model/observed.js';
import { HASH } from './plan/builders.js';

type Entry = FrameworkTasks['tasks'][number];

/** A task of run `run` of `report/0` as GET_TASKS lists it, launched at `at` (seconds). */
function ofRun(run: string, at: number, state: TaskState): Entry {
  const taskId = makeTaskId('report', 0, HASH, 0, run);
  const task: Task = {
    name: 'report',
    task_id: { value: taskId },
    framework_id: { value: 'fw' },
    agent_id: { value: 'a1' },
    state,
    statuses: [{ task_id: { value: taskId }, state: 'TASK_STAGING', timestamp: at }],
    labels: taskLabels('report', 0, HASH, {}, run),
  };
  return { observed: observeTask(task), task };
}

describe('logs of a scheduled job whose runs overlap', () => {
  const R1 = '20261204T020000Z';
  const R2 = '20261204T021000Z';
  const R3 = '20261204T022000Z';
  const tasks = [ofRun(R1, 100, 'TASK_FINISHED'), ofRun(R2, 200, 'TASK_RUNNING'), ofRun(R3, 300, 'TASK_RUNNING')];
  const ids = (q: Parameters<typeof logTargets>[1]) => logTargets(tasks, q).map((t) => t.observed.run);

  it('reads the latest run by default, the run before with --previous', () => {
    expect(ids({ name: 'report', previous: false })).toEqual([R3]);
    expect(ids({ name: 'report', previous: true })).toEqual([R2]);
  });

  it('reads another run picked by its label, running or ended', () => {
    expect(ids({ name: 'report', previous: false, selector: { 'mesos-apply/run': R2 } })).toEqual([R2]);
    expect(ids({ name: 'report', previous: false, selector: { 'mesos-apply/run': R1 } })).toEqual([R1]);
  });
});
