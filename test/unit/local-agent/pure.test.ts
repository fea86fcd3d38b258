import { describe, expect, it } from 'vitest';
import { dockerRunArgs } from '../../../src/local/agent/docker-cli.js';
import { taskEnvironment } from '../../../src/local/agent/environment.js';
import { executorName } from '../../../src/local/agent/executor-name.js';
import { modeString } from '../../../src/local/agent/files.js';
import { killGraceMs } from '../../../src/local/agent/runner.js';
import { summarizeResources } from '../../../src/local/agent/state.js';
import { describeExit, newStatusUuid } from '../../../src/local/agent/status.js';
import type { TaskInfo } from '../../../src/mesos/types.js';

const task = (command: TaskInfo['command']): TaskInfo => ({
  name: 't',
  task_id: { value: 'svc.0' },
  agent_id: { value: 'a' },
  command,
});

describe('local agent pure helpers', () => {
  it('status uuids are RFC 4122 v4, base64, and fresh', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i += 1) {
      const b64 = newStatusUuid();
      const bytes = Buffer.from(b64, 'base64');
      expect(bytes).toHaveLength(16);
      expect(bytes[6]! >> 4).toBe(4);
      expect(bytes[8]! & 0xc0).toBe(0x80);
      seen.add(b64);
    }
    expect(seen.size).toBe(200);
  });

  it('describes exits like WSTRINGIFY', () => {
    expect(describeExit({ code: 0, signal: null })).toBe('exited with status 0');
    expect(describeExit({ code: 127, signal: null })).toBe('exited with status 127');
    expect(describeExit({ code: null, signal: 'SIGTERM' })).toBe('terminated with signal Terminated');
    expect(describeExit({ code: null, signal: 'SIGKILL' })).toBe('terminated with signal Killed');
    expect(describeExit({ code: null, signal: 'SIGINT' })).toBe('terminated with signal Interrupt');
  });

  it('names command executors as the recorded agent does', () => {
    expect(executorName(task({ shell: true, value: 'echo started on $PORT0' }))).toBe(
      "Command Executor (Task: svc.0) (Command: sh -c 'echo started...')",
    );
    expect(executorName(task({ shell: true, value: 'echo job-done' }))).toBe(
      "Command Executor (Task: svc.0) (Command: sh -c 'echo job-done')",
    );
    expect(executorName(task({ shell: false, value: '/bin/sh', arguments: ['/bin/sh', '-c', 'exit 3'] }))).toBe(
      'Command Executor (Task: svc.0) (Command: [/bin/sh, /bi...])',
    );
    expect(executorName(task({ shell: true }))).toBe('Command Executor (Task: svc.0) (Command: NO COMMAND)');
  });

  it('picks the kill grace: KILL policy > task policy > 3 s', () => {
    expect(killGraceMs(undefined, undefined)).toBe(3000);
    expect(killGraceMs(undefined, { grace_period: { nanoseconds: 5e9 } })).toBe(5000);
    expect(killGraceMs({ grace_period: { nanoseconds: 1e9 } }, { grace_period: { nanoseconds: 5e9 } })).toBe(1000);
    expect(killGraceMs({}, { grace_period: { nanoseconds: 0 } })).toBe(0);
  });

  it('summarises resources in the legacy dialect', () => {
    expect(
      summarizeResources([
        { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
        { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
        {
          name: 'ports',
          type: 'RANGES',
          ranges: {
            range: [
              { begin: 31000, end: 31000 },
              { begin: 31005, end: 31010 },
            ],
          },
        },
      ]),
    ).toEqual({ disk: 0, mem: 0, gpus: 0, cpus: 0.2, ports: '[31000-31000, 31005-31010]' });
  });

  it('builds the task environment: executor vars, task vars override, role last', () => {
    const env = taskEnvironment(
      {
        frameworkId: 'f',
        executorId: 'e',
        agentId: 'a',
        agentPid: 'slave(1)@127.0.0.1:1',
        agentEndpoint: '127.0.0.1:1',
        directory: '/s',
        checkpoint: false,
      },
      {
        variables: [
          { name: 'MESOS_SANDBOX', value: 'mine' },
          { name: 'MESOS_ALLOCATION_ROLE', value: 'x' },
        ],
      },
      [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, allocation_info: { role: 'web' } }],
      '/bin',
    );
    expect(env).toMatchObject({
      PATH: '/bin',
      MESOS_SANDBOX: 'mine',
      MESOS_ALLOCATION_ROLE: 'web',
      MESOS_CHECKPOINT: '0',
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: '5secs',
    });
    expect(env['MESOS_RECOVERY_TIMEOUT']).toBeUndefined();
    expect(Object.keys(env).filter((k) => k.startsWith('PORT'))).toEqual([]);
  });

  it('formats ls -l modes', () => {
    expect(modeString(0o100644)).toBe('-rw-r--r--');
    expect(modeString(0o040755)).toBe('drwxr-xr-x');
  });

  it('builds docker run as Mesos does', () => {
    const args = dockerRunArgs({
      container: {
        type: 'DOCKER',
        docker: {
          image: 'nginx:1.27',
          network: 'BRIDGE',
          privileged: true,
          port_mappings: [{ host_port: 31000, container_port: 80, protocol: 'TCP' }],
          parameters: [{ key: 'label', value: 'owner=me' }],
        },
        volumes: [{ container_path: '/data', host_path: '/srv/data', mode: 'RO' }],
      },
      command: { shell: true, value: 'nginx -g "daemon off;"' },
      resources: [
        { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } },
        { name: 'mem', type: 'SCALAR', scalar: { value: 64 } },
        { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31000 }] } },
      ],
      name: 'mesos-c1',
      sandbox: '/sb',
      mappedSandbox: '/mnt/mesos/sandbox',
      env: { A: '1' },
    });
    expect(args).toEqual([
      'run',
      '--privileged',
      '--cpu-shares',
      '512',
      '--memory',
      String(64 * 1024 * 1024),
      '-e',
      'A=1',
      '-v',
      '/srv/data:/data:ro',
      '-v',
      '/sb:/mnt/mesos/sandbox',
      '--net',
      'bridge',
      '-p',
      '31000:80/tcp',
      '--entrypoint',
      '/bin/sh',
      '--name',
      'mesos-c1',
      '--label=owner=me',
      'nginx:1.27',
      '-c',
      'nginx -g "daemon off;"',
    ]);
    const exec = dockerRunArgs({
      container: { type: 'DOCKER', docker: { image: 'busybox' } },
      command: { shell: false, value: 'echo', arguments: ['hi'] },
      resources: [],
      name: 'n',
      sandbox: '/sb',
      mappedSandbox: '/m',
      env: {},
    });
    expect(exec.slice(-3)).toEqual(['busybox', 'echo', 'hi']);
    expect(exec).toContain('host');
    expect(() =>
      dockerRunArgs({
        container: {
          type: 'DOCKER',
          docker: { image: 'x', network: 'HOST', port_mappings: [{ host_port: 1, container_port: 2 }] },
        },
        command: { shell: false },
        resources: [],
        name: 'n',
        sandbox: '/sb',
        mappedSandbox: '/m',
        env: {},
      }),
    ).toThrow('Port mappings are only supported for bridge and user-defined networks');
    const bridge = (resources: TaskInfo['resources']) => () =>
      dockerRunArgs({
        container: {
          type: 'DOCKER',
          docker: { image: 'x', network: 'BRIDGE', port_mappings: [{ host_port: 31001, container_port: 80 }] },
        },
        command: { shell: false },
        resources,
        name: 'n',
        sandbox: '/sb',
        mappedSandbox: '/m',
        env: {},
      });
    expect(bridge([])).toThrow('Port mappings require port resources');
    expect(bridge([{ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31000 }] } }])).toThrow(
      'Port [31001] not included in resources',
    );
  });

  it('runs a MESOS container image with the Mesos containerizer meaning of CommandInfo', () => {
    const ucr = (command: TaskInfo['command']) =>
      dockerRunArgs({
        container: { type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: 'alpine:3.19' } } } },
        command: command!,
        resources: [],
        name: 'mesos-c2',
        sandbox: '/sb',
        mappedSandbox: '/mnt/mesos/sandbox',
        env: {},
      });
    const shell = ucr({ shell: true, value: 'echo hi' });
    expect(shell).toEqual([
      'run',
      '-v',
      '/sb:/mnt/mesos/sandbox',
      '--net',
      'host',
      '-w',
      '/mnt/mesos/sandbox',
      '--entrypoint',
      '/bin/sh',
      '--name',
      'mesos-c2',
      'alpine:3.19',
      '-c',
      'echo hi',
    ]);
    // A value replaces the entrypoint and `arguments` is its full argv (argv[0] included).
    expect(ucr({ shell: false, value: '/bin/echo', arguments: ['echo', 'a', 'b'] }).slice(-7)).toEqual([
      '--entrypoint',
      '/bin/echo',
      '--name',
      'mesos-c2',
      'alpine:3.19',
      'a',
      'b',
    ]);
    // No value: the image's entrypoint, with `arguments` in place of its CMD.
    expect(ucr({ shell: false, arguments: ['--port', '80'] }).slice(-3)).toEqual(['alpine:3.19', '--port', '80']);
    expect(() => ucr({ shell: true })).toThrow('Shell specified but no command value provided');
  });
});
