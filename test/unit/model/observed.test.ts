import { describe, expect, it } from 'vitest';
import type { OperatorAgent, Task, TaskState } from '../../../src/mesos/types.js';
import { taskLabels } from '../../../src/model/ids.js';
import { ObservedTasks, observeTasks, portsOf } from '../../../src/model/observed.js';

/** Shaped like the GET_TASKS answer recorded from Mesos 1.12 (fixtures/real-mesos). */
function task(id: string, state: TaskState, over: Partial<Task> = {}): Task {
  return {
    name: 'svc',
    task_id: { value: id },
    framework_id: { value: 'fw-1' },
    agent_id: { value: 'S0' },
    state,
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, allocation_info: { role: 'web' } },
      {
        name: 'ports',
        type: 'RANGES',
        ranges: {
          range: [
            { begin: 31005, end: 31006 },
            { begin: 31000, end: 31000 },
          ],
        },
      },
    ],
    statuses: [
      { task_id: { value: id }, state: 'TASK_STARTING', timestamp: 1 },
      {
        task_id: { value: id },
        state: 'TASK_RUNNING',
        timestamp: 2,
        healthy: true,
        reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
      },
      { task_id: { value: id }, state: 'TASK_RUNNING', timestamp: 3 },
    ],
    labels: taskLabels('svc', 0, 'abcdef0123', { team: 'web' }),
    ...over,
  };
}

const agents: OperatorAgent[] = [
  { agent_info: { hostname: 'node-1', id: { value: 'S0' } }, active: true, version: '1.12.0' },
];

describe('observed tasks', () => {
  it('reads identity from labels, ports from resources, health from the newest status carrying it', () => {
    const [t] = observeTasks({ tasks: [task('svc.0.abcdef0123', 'TASK_RUNNING')] }, 'fw-1', agents);
    expect(t).toMatchObject({
      taskId: 'svc.0.abcdef0123',
      name: 'svc',
      instance: 0,
      specHash: 'abcdef0123',
      managed: true,
      state: 'TASK_RUNNING',
      healthy: true,
      agentId: 'S0',
      hostname: 'node-1',
      ports: [31000, 31005, 31006],
    });
    expect(t?.labels.team).toBe('web');
    expect(t?.lastStatus?.timestamp).toBe(3);
  });

  it('takes completed and unreachable tasks, keeps only the framework, and prefers the live copy of an id', () => {
    const list = observeTasks(
      {
        tasks: [task('b', 'TASK_RUNNING')],
        unreachable_tasks: [task('c', 'TASK_UNREACHABLE')],
        completed_tasks: [task('a', 'TASK_FINISHED'), task('b', 'TASK_FAILED')],
      },
      'fw-1',
    );
    expect(list.map((t) => [t.taskId, t.state])).toEqual([
      ['b', 'TASK_RUNNING'],
      ['c', 'TASK_UNREACHABLE'],
      ['a', 'TASK_FINISHED'],
    ]);
    const mixed = observeTasks(
      {
        completed_tasks: [task('x', 'TASK_FAILED')],
        tasks: [task('y', 'TASK_RUNNING', { framework_id: { value: 'other' } })],
      },
      'fw-1',
    );
    expect(mixed.map((t) => t.taskId)).toEqual(['x']);
  });

  it('folds status updates into known tasks and ignores unknown ids', () => {
    const list = observeTasks({ tasks: [task('a', 'TASK_RUNNING', { statuses: [] })] }, 'fw-1');
    expect(list[0]?.healthy).toBeUndefined();
    const known = new ObservedTasks(list);
    known.applyStatus({ task_id: { value: 'a' }, state: 'TASK_FAILED', healthy: false, message: 'boom' });
    expect(known.get('a')).toMatchObject({ state: 'TASK_FAILED', healthy: false, lastStatus: { message: 'boom' } });
    expect(list[0]?.state).toBe('TASK_RUNNING');
    const before = [...known.list];
    known.applyStatus({ task_id: { value: 'zzz' }, state: 'TASK_LOST' });
    expect(known.list).toEqual(before);
  });

  it('lists ports of ranges resources only', () => {
    expect(portsOf([{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }])).toEqual([]);
    expect(portsOf(undefined)).toEqual([]);
  });
});
