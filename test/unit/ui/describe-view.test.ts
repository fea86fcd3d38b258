import { describe, expect, it } from 'vitest';
import type { TaskInfo, TaskStatus } from '../../../src/mesos/types.js';
import { formatDescribe } from '../../../src/ui/describe-view.js';
import { NOT_NOW_FIT } from './builders.js';

const T0 = Date.parse('2026-11-25T23:41:09Z') / 1000;
const status = (state: TaskStatus['state'], dt: number, extra: Partial<TaskStatus> = {}): TaskStatus => ({
  task_id: { value: 'web.0.abc' },
  state,
  timestamp: T0 + dt,
  ...extra,
});

const taskInfo: TaskInfo = {
  name: 'web',
  task_id: { value: 'web.0.abc' },
  agent_id: { value: 'a1' },
  command: {
    shell: true,
    value: "echo 'hi'; sleep 100",
    environment: {
      variables: [
        { name: 'GREETING', value: 'hello' },
        { name: 'API_TOKEN', value: 's3cr3t-value' },
        { name: 'DB_PASSWORD', type: 'SECRET' },
      ],
    },
  },
  container: {
    type: 'DOCKER',
    docker: {
      image: 'nginx:1.27',
      network: 'BRIDGE',
      port_mappings: [{ host_port: 31000, container_port: 80, protocol: 'tcp' }],
    },
  },
  resources: [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, allocation_info: { role: '*' } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 128 } },
    { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31000 }] } },
  ],
  discovery: { visibility: 'FRAMEWORK', ports: { ports: [{ number: 31000, name: 'http', protocol: 'tcp' }] } },
  labels: {
    labels: [
      { key: 'mesos-apply/name', value: 'web' },
      { key: 'mesos-apply/spec-hash', value: 'abc' },
    ],
  },
  health_check: {
    type: 'HTTP',
    http: { port: 31000, path: '/health' },
    interval_seconds: 10,
    grace_period_seconds: 5,
    consecutive_failures: 3,
  },
  kill_policy: { grace_period: { nanoseconds: 15e9 } },
};

describe('formatDescribe', () => {
  const text = formatDescribe(
    {
      name: 'web',
      tasks: [
        {
          taskId: 'web.0.abc',
          state: 'TASK_FAILED',
          agentId: 'a1',
          host: 'h1',
          // Out of order on purpose: the history is shown oldest first.
          statuses: [
            status('TASK_RUNNING', 2, { source: 'SOURCE_EXECUTOR', healthy: false }),
            status('TASK_STARTING', 1, { source: 'SOURCE_EXECUTOR' }),
            status('TASK_FAILED', 30, {
              source: 'SOURCE_EXECUTOR',
              reason: 'REASON_COMMAND_EXECUTOR_FAILED',
              message: 'Command exited\nwith status 1',
            }),
          ],
          taskInfo,
        },
      ],
      fit: NOT_NOW_FIT,
    },
    { color: false, secretNames: ['API_TOKEN'] },
  );

  it('shows the status history, oldest first, with reason, source, health and message', () => {
    expect(text).toContain(
      [
        '  Events:',
        '    TIME                   STATE           REASON                           SOURCE            HEALTHY   MESSAGE',
        '    2026-11-25T23:41:10Z   TASK_STARTING   -                                SOURCE_EXECUTOR   -         -',
        '    2026-11-25T23:41:11Z   TASK_RUNNING    -                                SOURCE_EXECUTOR   false     -',
        '    2026-11-25T23:41:39Z   TASK_FAILED     REASON_COMMAND_EXECUTOR_FAILED   SOURCE_EXECUTOR   -         Command exited with status 1',
      ].join('\n'),
    );
    expect(
      text.startsWith('Name: web\n\nTask web.0.abc\n  State:      TASK_FAILED\n  Agent:      a1 (host h1)\n'),
    ).toBe(true);
  });

  it('summarises the TaskInfo as launched', () => {
    expect(text).toContain(
      [
        '  Launched with:',
        "    Command:    /bin/sh -c 'echo '\\''hi'\\''; sleep 100'",
        '    Container:  DOCKER, nginx:1.27, network BRIDGE, ports 31000->80/tcp',
        '    Resources:  cpus 0.5, mem 128, ports 31000',
        '    Ports:      http=31000/tcp',
        '    Labels:     mesos-apply/name=web, mesos-apply/spec-hash=abc',
        '    Env:        GREETING=hello, API_TOKEN=<hidden>, DB_PASSWORD=<hidden>',
        '    Health:     HTTP http port 31000 /health (every 10s, grace 5s, 3 failures kill it)',
        '    Kill:       grace period 15s',
      ].join('\n'),
    );
  });

  it('never prints the value of a secret variable', () => {
    expect(text).not.toContain('s3cr3t-value');
  });

  it('ends with the fit report of a pending instance', () => {
    expect(
      text.endsWith(
        'Pending: no room free right now\n  needs cpus 1, mem 128, port 8080\n  the nearest offer (h1) port 8080 taken\n  port 8080 is taken on all 5 offers\n',
      ),
    ).toBe(true);
  });

  it("names a scheduled job's run and the time it was due", () => {
    const run = '20261204T013000Z';
    const text = formatDescribe(
      { name: 'report', tasks: [{ taskId: `report.0.abc.${run}`, state: 'TASK_RUNNING', run, statuses: [] }] },
      { color: false },
    );
    expect(text).toContain(`  Run:        ${run} (scheduled for 2026-12-04T01:30:00Z)\n`);
  });

  it('says when the master knows no task of that name', () => {
    expect(formatDescribe({ name: 'ghost', tasks: [] }, { color: false })).toBe(
      'Name: ghost\nNo task of ghost is known to the master.\n',
    );
  });

  it('shows an exec-form command and the operator view without a command', () => {
    const exec = formatDescribe(
      {
        name: 'x',
        tasks: [
          {
            taskId: 't',
            state: 'TASK_RUNNING',
            statuses: [],
            taskInfo: {
              ...taskInfo,
              command: { shell: false, value: '/usr/bin/env', arguments: ['/usr/bin/env', 'echo', 'a b'] },
            },
          },
        ],
      },
      { color: false },
    );
    expect(exec).toContain("    Command:    /usr/bin/env echo 'a b'\n");
    expect(exec).toContain('  Events:    none recorded');
  });
});
