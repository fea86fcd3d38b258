import { describe, expect, it } from 'vitest';
import type { DockerSpec, HealthCheckSpec, TaskSpec } from '../../../src/model/spec.js';
import { PlanError } from '../../../src/plan/errors.js';
import { buildTaskInfo, redactTaskInfo } from '../../../src/plan/taskinfo.js';
import type { AssignedPort } from '../../../src/plan/types.js';
import { HASH, taskSpec } from './builders.js';

const resources = [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: 0.1 }, allocation_info: { role: 'web' } }];

function build(over: Partial<TaskSpec>, ports: AssignedPort[] = [], env: Record<string, string | undefined> = {}) {
  const spec = taskSpec('web', over);
  const placement = { agentId: 'S1', hostname: 'node-1', resources, ports };
  return { spec, info: buildTaskInfo({ spec, specHash: HASH, instance: 2, taskId: `web.2.${HASH}`, placement }, env) };
}

const docker = (over: Partial<DockerSpec> = {}): DockerSpec => ({
  image: 'nginx:1.27',
  network: 'BRIDGE',
  portMappings: [],
  forcePull: false,
  privileged: false,
  parameters: [],
  volumes: [],
  ...over,
});

const timings = { gracePeriod: 10, interval: 5, timeout: 2, delay: 1, consecutiveFailures: 3 };

describe('buildTaskInfo: identity and command', () => {
  it('shell form, with id, agent, resources, labels, kill policy', () => {
    const { info } = build({ labels: { team: 'x' }, killGracePeriod: 1.5, user: 'alice' });
    expect(info).toMatchObject({
      name: 'web',
      task_id: { value: `web.2.${HASH}` },
      agent_id: { value: 'S1' },
      resources,
      command: {
        shell: true,
        value: 'sleep 1000',
        user: 'alice',
        environment: { variables: [{ name: 'HOST', type: 'VALUE', value: 'node-1' }] },
      },
      kill_policy: { grace_period: { nanoseconds: 1_500_000_000 } },
    });
    expect(info.labels?.labels).toEqual([
      { key: 'mesos-apply/name', value: 'web' },
      { key: 'mesos-apply/instance', value: '2' },
      { key: 'mesos-apply/spec-hash', value: HASH },
      { key: 'team', value: 'x' },
    ]);
    expect(info.container).toBeUndefined();
    expect(info.health_check).toBeUndefined();
  });

  it('exec form passes the full argv', () => {
    const { info } = build({ command: undefined, args: ['/usr/bin/env', 'echo', 'hi'] });
    expect(info.command).toMatchObject({
      shell: false,
      value: '/usr/bin/env',
      arguments: ['/usr/bin/env', 'echo', 'hi'],
    });
  });

  it('fetches URIs', () => {
    const { info } = build({
      uris: [{ value: 'https://x/app.tgz', extract: true, executable: false, cache: true, outputFile: 'app.tgz' }],
    });
    expect(info.command?.uris).toEqual([
      { value: 'https://x/app.tgz', extract: true, executable: false, cache: true, output_file: 'app.tgz' },
    ]);
  });
});

describe('buildTaskInfo: Docker', () => {
  const ports: AssignedPort[] = [
    { name: 'metrics', hostPort: 31000, protocol: 'tcp' },
    { name: 'http', hostPort: 31001, containerPort: 80, protocol: 'tcp' },
  ];

  it('runs the image default with {shell: false}, maps BRIDGE ports, passes volumes and parameters', () => {
    const d = docker({
      privileged: true,
      forcePull: true,
      parameters: [{ key: 'label', value: 'a=b' }],
      volumes: [{ containerPath: '/data', hostPath: '/srv', mode: 'RO' }],
    });
    const { info } = build({ command: undefined, docker: d }, ports);
    expect(info.command).toMatchObject({ shell: false });
    expect(info.command?.value).toBeUndefined();
    expect(info.container).toEqual({
      type: 'DOCKER',
      docker: {
        image: 'nginx:1.27',
        network: 'BRIDGE',
        privileged: true,
        force_pull_image: true,
        parameters: [{ key: 'label', value: 'a=b' }],
        port_mappings: [{ host_port: 31001, container_port: 80, protocol: 'tcp' }],
      },
      volumes: [{ container_path: '/data', host_path: '/srv', mode: 'RO' }],
    });
    expect(info.discovery?.ports?.ports).toEqual([
      { number: 31000, name: 'metrics', protocol: 'tcp' },
      { number: 31001, name: 'http', protocol: 'tcp' },
    ]);
  });

  it('shell command replaces the entrypoint; args are appended without argv[0]', () => {
    expect(build({ docker: docker(), command: 'nginx -g x' }).info.command).toMatchObject({
      shell: true,
      value: 'nginx -g x',
    });
    const args = build({ docker: docker(), command: undefined, args: ['-g', 'daemon off;'] }).info.command;
    expect(args).toMatchObject({ shell: false, arguments: ['-g', 'daemon off;'] });
    expect(args?.value).toBeUndefined();
  });

  it('puts no port mappings on HOST networks, and names USER networks', () => {
    expect(
      build({ docker: docker({ network: 'HOST' }), command: undefined }, ports).info.container?.docker?.port_mappings,
    ).toBeUndefined();
    const user = build({ docker: docker({ network: 'USER', networkName: 'overlay' }), command: undefined }, ports).info
      .container;
    expect(user?.network_infos).toEqual([{ name: 'overlay' }]);
    expect(user?.docker?.port_mappings).toHaveLength(1);
  });

  it('health checks a mapped port on its container port (checks run in the container netns)', () => {
    const hc: HealthCheckSpec = { ...timings, kind: 'http', port: 'http', path: '/', scheme: 'http' };
    expect(build({ docker: docker(), command: undefined, healthCheck: hc }, ports).info.health_check?.http?.port).toBe(
      80,
    );
    const host = build({ docker: docker({ network: 'HOST' }), command: undefined, healthCheck: hc }, ports).info
      .health_check;
    expect(host?.http?.port).toBe(31001);
  });
});

describe('buildTaskInfo: environment and health checks', () => {
  const ports: AssignedPort[] = [
    { name: 'web-ui', hostPort: 31005, protocol: 'tcp' },
    { name: 'admin', hostPort: 31007, protocol: 'tcp' },
  ];

  it('exports ports, HOST, and the spec env (which wins on a clash)', () => {
    const { info } = build(
      { env: { GREETING: { kind: 'value', value: 'hello' }, PORT1: { kind: 'value', value: 'mine' } } },
      ports,
    );
    expect(info.command?.environment?.variables?.map((v) => `${v.name}=${v.value}`)).toEqual([
      'PORT0=31005',
      'PORT1=mine',
      'PORT_WEB_UI=31005',
      'PORT_ADMIN=31007',
      'PORTS=31005,31007',
      'HOST=node-1',
      'GREETING=hello',
    ]);
  });

  it('resolves fromEnv at build time, refuses unset ones by name, and redacts for printing', () => {
    const over: Partial<TaskSpec> = { env: { TOKEN: { kind: 'fromEnv', name: 'CI_TOKEN' } } };
    const { spec, info } = build(over, [], { CI_TOKEN: 's3cret' });
    expect(info.command?.environment?.variables).toContainEqual({ name: 'TOKEN', type: 'VALUE', value: 's3cret' });
    const shown = redactTaskInfo(info, spec);
    expect(JSON.stringify(shown)).not.toContain('s3cret');
    expect(shown.command?.environment?.variables).toContainEqual({
      name: 'TOKEN',
      type: 'VALUE',
      value: '<from env CI_TOKEN>',
    });
    expect(info.command?.environment?.variables).toContainEqual({ name: 'TOKEN', type: 'VALUE', value: 's3cret' });
    let err: unknown;
    try {
      build(over, [], { OTHER: 'x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlanError);
    expect(err).toMatchObject({ code: 'MA_ERR_ENV_UNSET' });
    expect((err as Error).message).toContain('CI_TOKEN');
  });

  it('builds HTTP, TCP and command health checks with their timings', () => {
    const http = build(
      { healthCheck: { ...timings, kind: 'http', port: 'admin', path: '/health', scheme: 'https' } },
      ports,
    ).info.health_check;
    expect(http).toEqual({
      type: 'HTTP',
      http: { port: 31007, path: '/health', scheme: 'https' },
      delay_seconds: 1,
      interval_seconds: 5,
      timeout_seconds: 2,
      consecutive_failures: 3,
      grace_period_seconds: 10,
    });
    expect(build({ healthCheck: { ...timings, kind: 'tcp', port: 'web-ui' } }, ports).info.health_check).toMatchObject({
      type: 'TCP',
      tcp: { port: 31005 },
    });
    expect(build({ healthCheck: { ...timings, kind: 'command', command: 'true' } }).info.health_check).toMatchObject({
      type: 'COMMAND',
      command: { shell: true, value: 'true' },
    });
    expect(() => build({ healthCheck: { ...timings, kind: 'tcp', port: 'nope' } }, ports)).toThrow(
      expect.objectContaining({ code: 'MA_ERR_PORT_UNKNOWN' }),
    );
  });
});
