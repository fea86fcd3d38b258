import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { withController, type GetRow, type GetView } from '../../../src/apply/get-rows.js';
import { formatAge, formatGet } from '../../../src/ui/get-view.js';

const now = new Date('2026-11-25T12:00:00Z');
const at = (secondsAgo: number) => now.getTime() / 1000 - secondsAgo;

const rows: GetRow[] = [
  {
    name: 'nginx',
    instance: 0,
    taskId: 'nginx.0.abc',
    state: 'TASK_RUNNING',
    healthy: true,
    agentId: 'a1',
    host: 'localhost',
    ports: [
      { name: 'web', hostPort: 31000 },
      { name: null, hostPort: 31001 },
    ],
    startedAt: at(192),
    specHash: 'abc1234567',
    managed: true,
    labels: { team: 'a', 'mesos-apply/name': 'nginx' },
  },
  {
    name: 'hello',
    instance: 1,
    taskId: 'hello.1.def',
    state: 'TASK_STAGING',
    agentId: 'a2',
    host: 'h2',
    ports: [],
    specHash: 'def',
    managed: true,
    labels: {},
  },
  { name: 'hello', instance: 2, ports: [], managed: true, labels: {} },
  {
    name: 'stray',
    taskId: 'stray-1',
    state: 'TASK_FAILED',
    agentId: 'a1',
    host: 'localhost',
    ports: [],
    startedAt: at(4 * 86400),
    specHash: '',
    managed: false,
    labels: {},
  },
];
const view: GetView = {
  names: [
    { name: 'nginx', desired: 1, ready: 1 },
    { name: 'hello', desired: 3, ready: 0 },
  ],
  rows,
};
const only = (r: GetRow[]): GetView => ({ names: view.names, rows: r });

describe('formatAge (kubectl style)', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [119, '119s'],
    [192, '3m12s'],
    [300, '5m'],
    [1500, '25m'],
    [2 * 3600 + 5 * 60, '2h5m'],
    [3 * 3600, '3h'],
    [30 * 3600, '30h'],
    [4 * 86400, '4d'],
    [4 * 86400 + 3 * 3600, '4d3h'],
    [100 * 86400, '100d'],
    [3 * 365 * 86400 + 86400, '3y1d'],
    [-5, '0s'],
  ])('%i seconds → %s', (s, text) => expect(formatAge(s)).toBe(text));
});

describe('formatGet', () => {
  it('prints the kubectl-style table', () => {
    expect(formatGet(view, { output: 'text', now, color: false })).toBe(
      [
        'NAME     READY   INSTANCE   STATE     HEALTH    HOST        PORTS             AGE',
        'nginx    1/1     0          RUNNING   healthy   localhost   web:31000,31001   3m12s',
        'hello    0/3     1          STAGING   -         h2          -                 -',
        'hello    0/3     2          MISSING   -         -           -                 -',
        'stray*   -       -          FAILED    -         localhost   -                 4d',
        '',
        '* not declared by any manifest (shown with --all)',
        '',
      ].join('\n'),
    );
  });

  it('adds task id, agent and spec hash in wide output', () => {
    const lines = formatGet(only(rows.slice(0, 2)), { output: 'wide', now, color: false }).split('\n');
    expect(lines[0]).toBe(
      'NAME    READY   INSTANCE   STATE     HEALTH    HOST        PORTS             AGE     TASK ID       AGENT   SPEC HASH',
    );
    expect(lines[1]).toBe(
      'nginx   1/1     0          RUNNING   healthy   localhost   web:31000,31001   3m12s   nginx.0.abc   a1      abc1234567',
    );
  });

  it('gives json and yaml documents with stable fields', () => {
    const json = JSON.parse(formatGet(view, { output: 'json', now, color: false }));
    expect(json.tasks[0]).toEqual({
      name: 'nginx',
      instance: 0,
      taskId: 'nginx.0.abc',
      state: 'TASK_RUNNING',
      healthy: true,
      agentId: 'a1',
      host: 'localhost',
      ports: [
        { name: 'web', hostPort: 31000 },
        { name: null, hostPort: 31001 },
      ],
      startedAt: '2026-11-25T11:56:48.000Z',
      ageSeconds: 192,
      specHash: 'abc1234567',
      managed: true,
      labels: { team: 'a' },
    });
    expect(json.formatVersion).toBe(1);
    expect(json.names[1]).toEqual({ name: 'hello', desired: 3, ready: 0 });
    expect(json.tasks[2]).toMatchObject({ taskId: null, state: null, ports: [] });
    expect(json.tasks[3]).toMatchObject({ instance: null, healthy: null, managed: false });
    expect(parse(formatGet(view, { output: 'yaml', now, color: false }))).toEqual(json);
  });

  it('says when there is nothing, and gives an empty list to programs', () => {
    const empty = { names: [], rows: [] };
    expect(formatGet(empty, { output: 'text', now, color: false })).toBe('No managed tasks.\n');
    expect(JSON.parse(formatGet(empty, { output: 'json', now, color: false }))).toEqual({
      formatVersion: 1,
      names: [],
      tasks: [],
    });
  });

  it('-o name prints each managed name once: what delete takes', () => {
    expect(formatGet(view, { output: 'name', now, color: false })).toBe('nginx\nhello\n');
  });

  it('colours states only when asked, and keeps columns aligned', () => {
    const coloured = formatGet(view, { output: 'text', now, color: true });
    expect(coloured).toContain('\u001b[32mRUNNING\u001b[39m');
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(formatGet(view, { output: 'text', now, color: false }));
  });
});

const controllerBase = {
  user: 'ops',
  host: 'ctl-1',
  pid: 77,
  since: '2026-11-25T11:00:00.000Z',
  listen: '127.0.0.1:9470',
  connected: true,
  statusError: null,
};

describe('get of a controller-held namespace', () => {
  const controller = {
    ...controllerBase,
    instances: {
      'nginx/0': { restarts: 3, failures: 3, nextRetry: '2026-11-25T12:00:04.000Z', done: null },
      'hello/1': { restarts: 0, failures: 0, nextRetry: null, done: null },
    },
  };
  const view = withController({ names: [{ name: 'nginx', desired: 1, ready: 1 }], rows: rows.slice(0, 2) }, controller);

  it('names the controller above the table, with RESTARTS and NEXT RETRY per instance', () => {
    const text = formatGet(view, { output: 'text', now, color: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'Controller: ops@ctl-1 (pid 77, status http://127.0.0.1:9470/status) leading, since 2026-11-25T11:00:00.000Z',
    );
    expect(lines[2]).toMatch(/RESTARTS\s+NEXT RETRY/);
    expect(lines[3]).toMatch(/\s3\s+in 4s$/);
    expect(lines[4]).toMatch(/\s0\s+-$/);
  });

  it('carries the controller and the per-instance figures in -o json and yaml', () => {
    const doc = JSON.parse(formatGet(view, { output: 'json', now, color: false }));
    expect(doc.controller).toMatchObject({ user: 'ops', host: 'ctl-1', pid: 77, listen: '127.0.0.1:9470' });
    expect(doc.tasks[0]).toMatchObject({ restarts: 3, nextRetry: '2026-11-25T12:00:04.000Z' });
    expect(doc.tasks[1]).toMatchObject({ restarts: 0, nextRetry: null });
    expect(parse(formatGet(view, { output: 'yaml', now, color: false }))).toEqual(doc);
  });

  it('says why the figures are missing when the controller does not answer', () => {
    const away = withController(
      { names: [], rows: rows.slice(0, 1) },
      { ...controller, instances: {}, statusError: 'its status did not answer (timeout)' },
    );
    const text = formatGet(away, { output: 'text', now, color: false });
    expect(text).toContain(
      "(its status did not answer (timeout): restarts and retries as the tasks' labels record them)",
    );
    expect(text.split('\n')[4]).toMatch(/-\s+-$/);
  });

  it('a namespace without a controller prints as before', () => {
    const plain: GetView = { names: [], rows: rows.slice(0, 1) };
    expect(withController(plain, undefined)).toBe(plain);
    expect(JSON.parse(formatGet(plain, { output: 'json', now, color: false })).controller).toBeUndefined();
  });
});

describe('get of a scheduled job whose runs overlap', () => {
  const R1 = '20261125T115930Z';
  const R2 = '20261125T115940Z';
  const runRow = (run: string, restarts: number): GetRow => ({
    name: 'report',
    instance: 0,
    run,
    taskId: `report.0.abc.${run}`,
    state: 'TASK_RUNNING',
    agentId: 'a1',
    host: 'localhost',
    ports: [],
    startedAt: at(restarts === 0 ? 10 : 20),
    specHash: 'abc',
    managed: true,
    labels: { 'mesos-apply/run': run },
  });
  const runs: GetView = { names: [{ name: 'report', desired: 1, ready: 0 }], rows: [runRow(R1, 1), runRow(R2, 0)] };

  it('shows each run on its own row, in a RUN column, and in -o json; other tables have no RUN column', () => {
    const lines = formatGet(runs, { output: 'text', now, color: false }).split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+INSTANCE\s+RUN\s+STATE/);
    expect(lines[1]).toMatch(new RegExp(`^report\\s+0/1\\s+0\\s+${R1}\\s+RUNNING`));
    expect(lines[2]).toMatch(new RegExp(`^report\\s+0/1\\s+0\\s+${R2}\\s+RUNNING`));
    expect(JSON.parse(formatGet(runs, { output: 'json', now, color: false })).tasks.map((t: GetRow) => t.run)).toEqual([
      R1,
      R2,
    ]);
    expect(formatGet(view, { output: 'text', now, color: false })).not.toMatch(/\bRUN\b/);
    expect(JSON.parse(formatGet(view, { output: 'json', now, color: false })).tasks[0]).not.toHaveProperty('run');
  });

  it("takes each run's restarts from the controller's per-run instance", () => {
    const info = {
      ...controllerBase,
      instances: { [`report/0@${R1}`]: { restarts: 1, failures: 1, nextRetry: null, done: null } },
    };
    const got = withController(runs, info).rows;
    expect(got.map((r) => r.restarts)).toEqual([1, undefined]);
  });
});
