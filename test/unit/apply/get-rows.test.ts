import { describe, expect, it } from 'vitest';
import { firstRunning, getView, parseSelector, withController, type GetRow } from '../../../src/apply/get-rows.js';
import { getRowJson } from '../../../src/ui/get-view.js';
import type { ControllerInfo } from '../../../src/controller/status.js';
import type { Task, TaskState, TaskStatus } from '../../../src/mesos/types.js';
import { observeTask } from '../../../src/model/observed.js';

const T0 = 1_800_000_000;

function status(state: TaskState, at: number, extra: Partial<TaskStatus> = {}): TaskStatus {
  return { task_id: { value: 'x' }, state, timestamp: T0 + at, ...extra };
}

/** A task as GET_TASKS lists it, launched by mesos-apply (labels, spec, named ports). */
function task(
  name: string,
  instance: number,
  hash: string,
  statuses: TaskStatus[],
  opts: { instances?: number; ports?: number[]; labels?: Record<string, string>; goal?: string } = {},
): { observed: ReturnType<typeof observeTask>; task: Task } {
  const spec = { name, instances: opts.instances ?? 1, goal: opts.goal ?? 'running', env: {} };
  const t: Task = {
    name,
    task_id: { value: `${name}.${instance}.${hash}` },
    framework_id: { value: 'fw' },
    agent_id: { value: 'a1' },
    state: (statuses[statuses.length - 1] as TaskStatus).state,
    statuses,
    resources: opts.ports?.length
      ? [{ name: 'ports', type: 'RANGES', ranges: { range: opts.ports.map((p) => ({ begin: p, end: p })) } }]
      : [],
    discovery: opts.ports?.length
      ? { visibility: 'FRAMEWORK', ports: { ports: opts.ports.map((p) => ({ number: p, name: 'web' })) } }
      : undefined,
    labels: {
      labels: [
        { key: 'mesos-apply/name', value: name },
        { key: 'mesos-apply/instance', value: String(instance) },
        { key: 'mesos-apply/spec-hash', value: hash },
        { key: 'mesos-apply/spec', value: JSON.stringify(spec) },
        ...Object.entries(opts.labels ?? {}).map(([key, value]) => ({ key, value })),
      ],
    },
  } as Task;
  return { observed: observeTask(t, 'localhost'), task: t };
}

const running = (at: number) => [status('TASK_STARTING', at), status('TASK_RUNNING', at + 1)];
const killed = (at: number, extra: Partial<TaskStatus> = {}) => [...running(at), status('TASK_KILLED', at + 5, extra)];

describe('getView: what is desired and running now', () => {
  it('one row per desired instance, missing ones shown, desired vs ready per name', () => {
    const tasks = [
      task('web', 0, 'h2', running(10), { instances: 3, ports: [31000] }),
      task('web', 1, 'h2', [status('TASK_STAGING', 12)], { instances: 3 }),
    ];
    const v = getView(tasks, { all: false, allStates: false });
    expect(v.names).toEqual([{ name: 'web', desired: 3, ready: 1 }]);
    expect(v.rows.map((r) => [r.instance, r.state ?? 'missing'])).toEqual([
      [0, 'TASK_RUNNING'],
      [1, 'TASK_STAGING'],
      [2, 'missing'],
    ]);
    expect(v.rows[0]?.ports).toEqual([{ name: 'web', hostPort: 31000 }]);
  });

  it('leaves out replaced and deleted tasks; --all-states lists them', () => {
    const tasks = [
      task('web', 0, 'old', killed(0, { healthy: undefined }), { ports: [31000] }),
      task('web', 0, 'new', running(10), { ports: [31001] }),
      task('gone', 0, 'h', killed(0)),
      task('job', 0, 'h', [...running(0), status('TASK_FINISHED', 3)], { goal: 'finished' }),
    ];
    const now = getView(tasks, { all: false, allStates: false });
    expect(now.rows.map((r) => r.taskId)).toEqual(['web.0.new']);
    const history = getView(tasks, { all: false, allStates: true });
    expect(history.rows.map((r) => r.taskId)).toEqual(['gone.0.h', 'job.0.h', 'web.0.old', 'web.0.new']);
    // A dead task shows no ports (a live one may hold them now) and no health.
    expect(history.rows[2]).toMatchObject({ state: 'TASK_KILLED', ports: [] });
    expect(history.rows[2]?.healthy).toBeUndefined();
    // A name asked for explicitly is shown even when it is history.
    expect(getView(tasks, { name: 'job', all: false, allStates: false }).names).toEqual([
      { name: 'job', desired: 1, ready: 1 },
    ]);
  });

  it('keeps a name whose task failed or was killed by its health check: still desired', () => {
    const tasks = [
      task('crash', 0, 'h', [...running(0), status('TASK_FAILED', 3)]),
      task('sick', 0, 'h', [
        ...running(0),
        status('TASK_RUNNING', 20, { healthy: false }),
        status('TASK_KILLED', 30, { healthy: false }),
      ]),
    ];
    const v = getView(tasks, { all: false, allStates: false });
    expect(v.names).toEqual([
      { name: 'crash', desired: 1, ready: 0 },
      { name: 'sick', desired: 1, ready: 0 },
    ]);
    expect(v.rows.map((r) => [r.state, r.healthy])).toEqual([
      ['TASK_FAILED', undefined],
      ['TASK_KILLED', undefined],
    ]);
  });

  it('-l selects by label', () => {
    const tasks = [
      task('a', 0, 'h', running(0), { labels: { team: 'x' } }),
      task('b', 0, 'h', running(0), { labels: { team: 'y' } }),
    ];
    expect(getView(tasks, { all: false, allStates: false, selector: { team: 'y' } }).names.map((n) => n.name)).toEqual([
      'b',
    ]);
    expect(parseSelector(['team=y,tier=web'])).toEqual({ team: 'y', tier: 'web' });
    expect(parseSelector(['team'])).toBeUndefined();
  });
});

describe('firstRunning: AGE from the first TASK_RUNNING', () => {
  it('uses the entry before RUNNING when a health change replaced its timestamp', () => {
    expect(firstRunning(running(0))).toBe(T0 + 1);
    const healthChanged = [
      status('TASK_STARTING', 0),
      status('TASK_RUNNING', 500, { healthy: true, reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED' }),
    ];
    expect(firstRunning(healthChanged)).toBe(T0);
    expect(firstRunning([status('TASK_STAGING', 7)])).toBe(T0 + 7);
  });
});

describe('withController: restarts and the next retry of a controller-held namespace', () => {
  const controller: ControllerInfo = {
    user: 'ops',
    host: 'ctl-1',
    pid: 7,
    since: '2026-11-25T11:00:00.000Z',
    listen: null,
    connected: false,
    statusError: 'no controller is connected (stopped, or a standby is taking over)',
    instances: {},
  };
  // web/0 crash-loops: its third launch (2 restarts, 2 failures in a row) failed at T0+30.
  const failed = (at: number) => [
    status('TASK_STARTING', at),
    status('TASK_RUNNING', at + 1),
    status('TASK_FAILED', at + 2),
  ];
  const tasks = [
    task('web', 0, 'h1', failed(10)),
    task('web', 0, 'h1.2', failed(28), { labels: { 'mesos-apply/restarts': '2', 'mesos-apply/failures': '2' } }),
    task('db', 0, 'h3', running(5), { labels: { 'mesos-apply/restarts': '1', 'mesos-apply/failures': '1' } }),
  ];
  for (const t of tasks) t.observed.specHash = 'h1';
  tasks[2].observed.specHash = 'h3';

  it('between leaders (no /status), they come from the tasks labels: counts carried, retry = end + backoff', () => {
    const view = withController(getView(tasks, { all: false, allStates: false }), controller, tasks, (T0 + 31) * 1000);
    const byName = Object.fromEntries(view.rows.map((r) => [r.name, r]));
    expect(byName.web).toMatchObject({ restarts: 2, nextRetry: new Date((T0 + 30 + 4) * 1000).toISOString() });
    expect(byName.db).toMatchObject({ restarts: 1 });
    expect(byName.db?.nextRetry).toBeUndefined();
    // Shown as RESTARTS, never as a user label.
    expect(getRowJson(byName.web as GetRow, new Date()).labels).toEqual({});
  });

  it('the leader, when it answers, is taken at its word', () => {
    const answering = {
      ...controller,
      connected: true,
      statusError: null,
      instances: { 'web/0': { restarts: 9, failures: 1, nextRetry: null, done: null } },
    };
    const view = withController(getView(tasks, { all: false, allStates: false }), answering, tasks, (T0 + 31) * 1000);
    expect(view.rows.find((r) => r.name === 'web')).toMatchObject({ restarts: 9 });
  });
});
