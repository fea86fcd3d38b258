/**
 * The `docker` CLI as Mesos's Docker containerizer drives it (src/docker/docker.cpp):
 * whether an engine answers, and the exact `docker run` argv for a TaskInfo.
 * A ContainerInfo of type MESOS with a Docker image (the Mesos containerizer, "UCR") is run
 * through the same CLI, with the Mesos containerizer's meaning of CommandInfo (a `value`
 * replaces the entrypoint, `arguments` are the full argv) on the host network: the local
 * cluster has no image provisioner of its own (README: differences from Mesos).
 */
import { execFile } from 'node:child_process';
import type { ContainerInfo, CommandInfo, Resource } from '../../mesos/types.js';

export type EngineProbe = { ok: true; version: string } | { ok: false; detail: string };

/**
 * `docker version` against the engine: the only reliable "is an engine reachable" test. The
 * timeout is generous: a busy machine can take seconds to start the CLI and get an answer,
 * and a false "no engine" fails every Docker task launched until the next probe.
 */
export function probeDockerEngine(docker = 'docker', timeoutMs = 30_000): Promise<EngineProbe> {
  return new Promise((resolve) => {
    execFile(docker, ['version', '--format', '{{.Server.Version}}'], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err === null && stdout.trim() !== '') return resolve({ ok: true, version: stdout.trim() });
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (code === 'ENOENT') return resolve({ ok: false, detail: `the '${docker}' CLI is not installed` });
      if (err?.killed === true)
        return resolve({
          ok: false,
          detail: `the engine did not answer 'docker version' within ${timeoutMs / 1000} s`,
        });
      const lines = `${stderr}`
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '');
      const detail = lines.find((l) => /daemon|connect|permission/i.test(l)) ?? lines[0] ?? err?.message ?? 'no answer';
      resolve({ ok: false, detail });
    });
  });
}

/** Mesos: 1024 shares per cpu, at least 2; memory in bytes, at least 32 MB. */
const CPU_SHARES_PER_CPU = 1024;
const MIN_CPU_SHARES = 2;
const MIN_MEMORY_BYTES = 32 * 1024 * 1024;

function scalar(resources: Resource[] | undefined, name: string): number | undefined {
  const values = (resources ?? []).filter((r) => r.name === name && r.scalar !== undefined).map((r) => r.scalar!.value);
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
}

export interface DockerRunInput {
  container: ContainerInfo;
  command: CommandInfo;
  resources: Resource[] | undefined;
  /** `mesos-<container id>` */
  name: string;
  sandbox: string;
  /** Where the sandbox appears inside the container (Mesos flag --sandbox_directory). */
  mappedSandbox: string;
  env: Record<string, string>;
}

export class DockerRunError extends Error {
  readonly code = 'MA_ERR_LOCAL_DOCKER_RUN';
}

function networkName(container: ContainerInfo): string {
  switch (container.docker?.network ?? 'HOST') {
    case 'HOST':
      return 'host';
    case 'BRIDGE':
      return 'bridge';
    case 'NONE':
      return 'none';
    case 'USER': {
      const infos = container.network_infos ?? [];
      if (infos.length === 0) throw new DockerRunError('No network info found in container info');
      if (infos.length > 1) throw new DockerRunError('Only a single network can be defined in Docker run');
      if (infos[0]!.name === undefined) throw new DockerRunError('No network name found in network info');
      return infos[0]!.name;
    }
  }
}

function limitAndEnvArgs(input: DockerRunInput): string[] {
  const args: string[] = [];
  const cpus = scalar(input.resources, 'cpus');
  if (cpus !== undefined)
    args.push('--cpu-shares', String(Math.max(Math.floor(CPU_SHARES_PER_CPU * cpus), MIN_CPU_SHARES)));
  const mem = scalar(input.resources, 'mem');
  if (mem !== undefined) args.push('--memory', String(Math.max(Math.floor(mem) * 1024 * 1024, MIN_MEMORY_BYTES)));
  for (const [key, value] of Object.entries(input.env)) args.push('-e', `${key}=${value}`);
  return args;
}

/**
 * A MESOS container with a Docker image (docker/runtime isolator, getLaunchCommand):
 * `shell` → `/bin/sh -c value`; a `value` → that program with `arguments` as its full argv;
 * neither → the image's entrypoint, with `arguments` (if any) in place of its CMD.
 */
function mesosImageRunArgs(input: DockerRunInput): string[] {
  const image = containerImage(input.container);
  if (image === undefined) throw new DockerRunError('Unsupported container image type: 1');
  if ((input.container.network_infos ?? []).length > 0)
    throw new DockerRunError('CNI networks (network_infos) are not supported by mesos-apply local');
  const args = ['run', ...limitAndEnvArgs(input), ...volumeArgs(input), '--net', 'host', '-w', input.mappedSandbox];
  const cmd = input.command;
  if (cmd.shell !== false) {
    if (cmd.value === undefined) throw new DockerRunError('Shell specified but no command value provided');
    return [...args, '--entrypoint', '/bin/sh', '--name', input.name, image, '-c', cmd.value];
  }
  if (cmd.value !== undefined)
    return [...args, '--entrypoint', cmd.value, '--name', input.name, image, ...(cmd.arguments ?? []).slice(1)];
  return [...args, '--name', input.name, image, ...(cmd.arguments ?? [])];
}

function volumeArgs(input: DockerRunInput): string[] {
  const args: string[] = [];
  for (const volume of input.container.volumes ?? []) {
    if (volume.host_path === undefined) continue;
    const containerPath = volume.container_path.startsWith('/')
      ? volume.container_path
      : `${input.mappedSandbox}/${volume.container_path}`;
    const hostPath = volume.host_path.startsWith('/') ? volume.host_path : `${input.sandbox}/${volume.host_path}`;
    args.push('-v', `${hostPath}:${containerPath}:${volume.mode === 'RO' ? 'ro' : 'rw'}`);
  }
  args.push('-v', `${input.sandbox}:${input.mappedSandbox}`);
  return args;
}

/** The image a DOCKER container or a MESOS container with a Docker image runs. */
export function containerImage(container: ContainerInfo): string | undefined {
  if (container.type === 'DOCKER') return container.docker?.image;
  const image = container.mesos?.image;
  return image?.type === 'DOCKER' ? image.docker?.name : undefined;
}

/** Every mapped host port must be in the task's `ports` resource (Docker::RunOptions::create). */
function checkMappedPorts(mappings: readonly { host_port: number }[], resources: Resource[] | undefined): void {
  if (resources === undefined) throw new DockerRunError('Port mappings require resources');
  const ranges = resources.filter((r) => r.name === 'ports').flatMap((r) => r.ranges?.range ?? []);
  if (!resources.some((r) => r.name === 'ports')) throw new DockerRunError('Port mappings require port resources');
  for (const m of mappings) {
    if (!ranges.some((r) => m.host_port >= r.begin && m.host_port <= r.end))
      throw new DockerRunError(`Port [${m.host_port}] not included in resources`);
  }
}

/** The argv after `docker` (`run ...`), in the order Mesos builds it. */
export function dockerRunArgs(input: DockerRunInput): string[] {
  if (input.container.type === 'MESOS') return mesosImageRunArgs(input);
  const docker = input.container.docker;
  if (docker === undefined) throw new DockerRunError('No docker info found in container info');
  const args = ['run'];
  if (docker.privileged === true) args.push('--privileged');
  args.push(...limitAndEnvArgs(input), ...volumeArgs(input));
  const network = networkName(input.container);
  args.push('--net', network);
  if (input.container.hostname !== undefined) {
    if (network === 'host') throw new DockerRunError('Unable to set hostname with host network mode');
    args.push('--hostname', input.container.hostname);
  }
  const mappings = docker.port_mappings ?? [];
  if (mappings.length > 0 && (network === 'host' || network === 'none')) {
    throw new DockerRunError('Port mappings are only supported for bridge and user-defined networks');
  }
  if (mappings.length > 0) checkMappedPorts(mappings, input.resources);
  for (const m of mappings) {
    args.push('-p', `${m.host_port}:${m.container_port}${m.protocol ? `/${m.protocol.toLowerCase()}` : ''}`);
  }
  const shell = input.command.shell !== false;
  if (shell) {
    if (input.command.value === undefined) throw new DockerRunError('Shell specified but no command value provided');
    args.push('--entrypoint', '/bin/sh');
  }
  args.push('--name', input.name);
  for (const p of docker.parameters ?? []) args.push(`--${p.key}=${p.value}`);
  args.push(docker.image);
  if (shell) args.push('-c', input.command.value!);
  else {
    if (input.command.value !== undefined) args.push(input.command.value);
    args.push(...(input.command.arguments ?? []));
  }
  return args;
}
