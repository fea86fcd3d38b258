import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { GetRow } from '../../../src/apply/inspect.js';
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
    ports: [31000, 31001],
    startedAt: at(192),
    specHash: 'abc1234567',
    managed: true,
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
  },
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
  },
];

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
    expect(formatGet(rows, { output: 'text', now, color: false })).toBe(
      [
        'NAME     INSTANCE   STATE     HEALTH    HOST        PORTS         AGE',
        'nginx    0          RUNNING   healthy   localhost   31000,31001   3m12s',
        'hello    1          STAGING   -         h2          -             -',
        'stray*   -          FAILED    -         localhost   -             4d',
        '',
        '* not declared by any manifest (shown with --all)',
        '',
      ].join('\n'),
    );
  });

  it('adds task id, agent and spec hash in wide output', () => {
    const lines = formatGet(rows.slice(0, 2), { output: 'wide', now, color: false }).split('\n');
    expect(lines[0]).toBe(
      'NAME    INSTANCE   STATE     HEALTH    HOST        PORTS         AGE     TASK ID       AGENT   SPEC HASH',
    );
    expect(lines[1]).toBe(
      'nginx   0          RUNNING   healthy   localhost   31000,31001   3m12s   nginx.0.abc   a1      abc1234567',
    );
  });

  it('gives json and yaml documents with stable fields', () => {
    const json = JSON.parse(formatGet(rows, { output: 'json', now, color: false }));
    expect(json.tasks[0]).toEqual({
      name: 'nginx',
      instance: 0,
      taskId: 'nginx.0.abc',
      state: 'TASK_RUNNING',
      healthy: true,
      agentId: 'a1',
      host: 'localhost',
      ports: [31000, 31001],
      startedAt: '2026-11-25T11:56:48.000Z',
      ageSeconds: 192,
      specHash: 'abc1234567',
      managed: true,
    });
    expect(json.tasks[2]).toMatchObject({ instance: null, healthy: null, managed: false });
    expect(parse(formatGet(rows, { output: 'yaml', now, color: false }))).toEqual(json);
  });

  it('says when there is nothing, and gives an empty list to programs', () => {
    expect(formatGet([], { output: 'text', now, color: false })).toBe('No managed tasks.\n');
    expect(JSON.parse(formatGet([], { output: 'json', now, color: false }))).toEqual({ tasks: [] });
  });

  it('colours states only when asked, and keeps columns aligned', () => {
    const coloured = formatGet(rows, { output: 'text', now, color: true });
    expect(coloured).toContain('\u001b[32mRUNNING\u001b[39m');
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(formatGet(rows, { output: 'text', now, color: false }));
  });
});
