/**
 * The TaskInfo of every container form: the Docker containerizer (with registry credentials
 * fetched as `.docker/config.json`) and the Mesos containerizer with a Docker image (with its
 * registry secret), checked field by field and against what a Mesos 1.12 master accepts (the
 * local master's JSON conversion and `validation::task::validate`, both kept to Mesos's rules).
 */
import { describe, expect, it } from 'vitest';
import { convertMessage } from '../../../src/local/master/call-schema.js';
import { validateTask } from '../../../src/local/master/task-validation.js';
import type { TaskInfo } from '../../../src/mesos/types.js';
import type { DockerSpec, MesosImageSpec, TaskSpec } from '../../../src/model/spec.js';
import { PlanError } from '../../../src/plan/errors.js';
import { buildTaskInfo, redactTaskInfo } from '../../../src/plan/taskinfo.js';
import type { AssignedPort } from '../../../src/plan/types.js';
import { HASH, taskSpec } from './builders.js';

const resources = [
  { name: 'cpus', type: 'SCALAR' as const, scalar: { value: 0.1 }, allocation_info: { role: '*' } },
  {
    name: 'ports',
    type: 'RANGES' as const,
    ranges: { range: [{ begin: 31001, end: 31001 }] },
    allocation_info: { role: '*' },
  },
];

function build(over: Partial<TaskSpec>, env: Record<string, string | undefined> = {}, ports: AssignedPort[] = []) {
  const spec = taskSpec('web', over);
  const placement = { agentId: 'S1', hostname: 'node-1', resources, ports };
  return { spec, info: buildTaskInfo({ spec, specHash: HASH, instance: 0, taskId: `web.0.${HASH}`, placement }, env) };
}

const docker = (over: Partial<DockerSpec> = {}): DockerSpec => ({
  image: 'registry.example.com/team/app:1.2',
  network: 'HOST',
  portMappings: [],
  forcePull: false,
  privileged: false,
  parameters: [],
  volumes: [],
  ...over,
});

const mesos = (over: Partial<MesosImageSpec> = {}): MesosImageSpec => ({
  image: 'registry.example.com/team/app:1.2',
  forcePull: false,
  ...over,
});

/** The first error a Mesos master would give this TaskInfo in a LAUNCH, or undefined. */
function masterVerdict(info: TaskInfo): string | undefined {
  const call = {
    type: 'ACCEPT',
    framework_id: { value: 'F' },
    accept: { offer_ids: [{ value: 'O' }], operations: [{ type: 'LAUNCH', launch: { task_infos: [info] } }] },
  };
  const converted = convertMessage(JSON.parse(JSON.stringify(call)));
  if (!converted.ok) return converted.error;
  return validateTask(info, { isActive: () => false, isUnreachable: () => false, offerAgentId: 'S1', pool: resources });
}

describe('TaskInfo: Docker containerizer', () => {
  it('fetches the registry credentials into the sandbox as .docker/config.json, before the other URIs', () => {
    const { info } = build({
      command: undefined,
      docker: docker({ pullConfig: 'https://config.example.com/docker.json' }),
      uris: [{ value: 'https://example.com/app.tgz', extract: true, executable: false, cache: false }],
    });
    expect(info.command?.uris).toEqual([
      {
        value: 'https://config.example.com/docker.json',
        extract: false,
        executable: false,
        cache: false,
        output_file: '.docker/config.json',
      },
      { value: 'https://example.com/app.tgz', extract: true, executable: false, cache: false },
    ]);
    expect(info.command).toMatchObject({ shell: false });
    expect(masterVerdict(info)).toBeUndefined();
  });

  it('BRIDGE with a port mapping, as the recorded real-Mesos launch', () => {
    const ports: AssignedPort[] = [{ name: 'http', hostPort: 31001, containerPort: 80, protocol: 'tcp' }];
    const { info } = build({ command: undefined, docker: docker({ network: 'BRIDGE' }) }, {}, ports);
    expect(info.container).toEqual({
      type: 'DOCKER',
      docker: {
        image: 'registry.example.com/team/app:1.2',
        network: 'BRIDGE',
        privileged: false,
        force_pull_image: false,
        port_mappings: [{ host_port: 31001, container_port: 80, protocol: 'tcp' }],
      },
    });
    expect(masterVerdict(info)).toBeUndefined();
  });
});

describe('TaskInfo: Mesos containerizer with a Docker image', () => {
  it('is ContainerInfo MESOS with Image DOCKER; the image default runs with {shell: false}', () => {
    const { info } = build({ command: undefined, mesosImage: mesos() });
    expect(info.container).toEqual({
      type: 'MESOS',
      mesos: { image: { type: 'DOCKER', docker: { name: 'registry.example.com/team/app:1.2' }, cached: true } },
    });
    expect(info.command).toEqual({ shell: false, environment: expect.anything() });
    expect(info.command?.uris).toBeUndefined();
    expect(masterVerdict(info)).toBeUndefined();
  });

  it('command is a shell command; args are the entrypoint arguments (no value, as docker/runtime reads it)', () => {
    expect(build({ command: 'echo hi', mesosImage: mesos() }).info.command).toMatchObject({
      shell: true,
      value: 'echo hi',
    });
    const { info } = build({ command: undefined, args: ['--port', '80'], mesosImage: mesos() });
    expect(info.command).toMatchObject({ shell: false, arguments: ['--port', '80'] });
    expect(info.command?.value).toBeUndefined();
  });

  it('forcePull is Image.cached false', () => {
    expect(build({ mesosImage: mesos({ forcePull: true }) }).info.container?.mesos?.image?.cached).toBe(false);
  });

  it('a fromEnv registry config is a VALUE secret (base64), masked by redactTaskInfo', () => {
    const config = '{"auths":{"registry.example.com":{"auth":"dXNlcjpwYXNz"}}}';
    const { spec, info } = build(
      { mesosImage: mesos({ pullConfig: { kind: 'fromEnv', name: 'REGISTRY_CONFIG' } }) },
      { REGISTRY_CONFIG: config },
    );
    expect(info.container?.mesos?.image?.docker?.config).toEqual({
      type: 'VALUE',
      value: { data: Buffer.from(config).toString('base64') },
    });
    expect(masterVerdict(info)).toBeUndefined();
    const shown = JSON.stringify(redactTaskInfo(info, spec));
    expect(shown).not.toContain(Buffer.from(config).toString('base64'));
    expect(shown).toContain('<from env REGISTRY_CONFIG>');
    expect(JSON.stringify(info.container)).not.toContain('credential');
  });

  it('an unset fromEnv registry config names the variable', () => {
    const run = () => build({ mesosImage: mesos({ pullConfig: { kind: 'fromEnv', name: 'REGISTRY_CONFIG' } }) });
    expect(run).toThrow(PlanError);
    expect(run).toThrow(/REGISTRY_CONFIG/);
  });

  it('a secret reference is a REFERENCE secret for the agent to resolve', () => {
    const { info } = build({
      mesosImage: mesos({ pullConfig: { kind: 'secret', name: 'team/registry', key: 'config' } }),
    });
    expect(info.container?.mesos?.image?.docker?.config).toEqual({
      type: 'REFERENCE',
      reference: { name: 'team/registry', key: 'config' },
    });
    expect(masterVerdict(info)).toBeUndefined();
  });
});

describe('the local master refuses what Mesos refuses', () => {
  it('a volume with no source, and a DOCKER container without DockerInfo', () => {
    const { info } = build({ command: undefined, docker: docker() });
    const noSource = {
      ...info,
      container: { ...info.container!, volumes: [{ container_path: '/x', mode: 'RW' as const }] },
    };
    expect(masterVerdict(noSource)).toBe(
      "Task's `ContainerInfo` is invalid: Invalid volume: Only one of them should be set: 'host_path', 'image' and 'source'",
    );
    const noDocker = { ...info, container: { type: 'DOCKER' as const } };
    expect(masterVerdict(noDocker)).toBe(
      "Task's `ContainerInfo` is invalid: DockerInfo 'docker' is not set for DOCKER typed ContainerInfo",
    );
  });

  it('an image without its name is a conversion error, as the recorded real master answers', () => {
    const { info } = build({ mesosImage: mesos() });
    const broken = JSON.parse(JSON.stringify(info)) as TaskInfo;
    delete (broken.container!.mesos!.image!.docker as { name?: string }).name;
    expect(masterVerdict(broken)).toMatch(/Missing required fields: .*container\.mesos\.image\.docker\.name/);
  });
});
