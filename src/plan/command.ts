/**
 * The CommandInfo and ContainerInfo of a task (mesos-protocol §5.2, §5.4, §5.5, Traps 27/28).
 *
 * Without Docker (command executor, Mesos containerizer):
 *   shell form `command` → `{shell: true, value}` (run by `/bin/sh -c`);
 *   exec form `args`     → `{shell: false, value: args[0], arguments: args}` (`arguments` is
 *                          the complete argv, argv[0] included).
 * With Docker (Docker containerizer; never a `docker run` shell command of our own):
 *   neither              → `{shell: false}`: the image's entrypoint and CMD;
 *   `command`            → `{shell: true, value}`: the entrypoint is replaced by /bin/sh -c;
 *   `args`               → `{shell: false, arguments: args}` without `value`: Docker appends
 *                          `arguments` after the image, so the entrypoint is kept and args
 *                          replace the image's CMD (Kubernetes `args` semantics).
 * Port mappings go into DockerInfo only for BRIDGE and USER networks (Mesos refuses them
 * otherwise); their host ports are the ones placement cut from the offer.
 * With an image for the Mesos containerizer (ContainerInfo MESOS, Image DOCKER) the command
 * is built as for Docker: its docker/runtime isolator also keeps the image's entrypoint when
 * the CommandInfo has no `value` and takes `arguments` as the entrypoint's arguments.
 *
 * Registry credentials, the Mesos ways (apache/mesos src/docker/docker.cpp, `Docker::__pull`;
 * provisioner/docker/store.cpp): for the Docker containerizer a URI whose file lands in the
 * sandbox as `.docker/config.json` (the agent pulls with the sandbox as HOME); for the Mesos
 * containerizer `Image.docker.config`, a Secret holding the docker config (a VALUE read from the
 * runner's environment, or a REFERENCE for the agent's secret resolver). `Image.docker.credential`
 * is never sent: it is deprecated since Mesos 1.3 and no Mesos version reads it.
 */

import type { CommandInfo, ContainerInfo, DockerInfo, EnvironmentVariable, Image, Secret } from '../mesos/types.js';
import type { PullSecretSpec, TaskSpec, UriSpec } from '../model/spec.js';
import { envUnsetError } from './errors.js';
import type { AssignedPort } from './types.js';

/** Where the Docker containerizer's registry credentials must land in the sandbox. */
export const DOCKER_CONFIG_PATH = '.docker/config.json';

export function usesPortMappings(spec: TaskSpec): boolean {
  return spec.docker !== undefined && (spec.docker.network === 'BRIDGE' || spec.docker.network === 'USER');
}

function uri(u: UriSpec): NonNullable<CommandInfo['uris']>[number] {
  const out: NonNullable<CommandInfo['uris']>[number] = {
    value: u.value,
    extract: u.extract,
    executable: u.executable,
    cache: u.cache,
  };
  if (u.outputFile !== undefined) out.output_file = u.outputFile;
  return out;
}

function program(spec: TaskSpec): CommandInfo {
  if (spec.docker !== undefined || spec.mesosImage !== undefined) {
    if (spec.command !== undefined) return { shell: true, value: spec.command };
    if (spec.args !== undefined && spec.args.length > 0) return { shell: false, arguments: [...spec.args] };
    return { shell: false };
  }
  if (spec.args !== undefined && spec.args.length > 0)
    return { shell: false, value: spec.args[0], arguments: [...spec.args] };
  // Validation guarantees one of command/args for non-Docker tasks; an empty shell command
  // would make the command executor fail the task, which is the honest outcome.
  return { shell: true, value: spec.command ?? '' };
}

export function buildCommand(spec: TaskSpec, variables: EnvironmentVariable[]): CommandInfo {
  const cmd = program(spec);
  const uris = spec.uris.map(uri);
  // The registry credentials for the Docker containerizer's `docker pull`, fetched first.
  if (spec.docker?.pullConfig !== undefined)
    uris.unshift({
      value: spec.docker.pullConfig,
      extract: false,
      executable: false,
      cache: false,
      output_file: DOCKER_CONFIG_PATH,
    });
  if (uris.length > 0) cmd.uris = uris;
  if (variables.length > 0) cmd.environment = { variables };
  if (spec.user !== undefined) cmd.user = spec.user;
  return cmd;
}

function pullSecret(spec: TaskSpec, c: PullSecretSpec, env: Readonly<Record<string, string | undefined>>): Secret {
  if (c.kind === 'secret')
    return { type: 'REFERENCE', reference: c.key === undefined ? { name: c.name } : { name: c.name, key: c.key } };
  const value = env[c.name];
  if (value === undefined) throw envUnsetError(spec.name, 'container.mesos.pullConfig', c.name);
  return { type: 'VALUE', value: { data: Buffer.from(value, 'utf8').toString('base64') } };
}

function mesosContainer(spec: TaskSpec, env: Readonly<Record<string, string | undefined>>): ContainerInfo | undefined {
  const m = spec.mesosImage;
  if (m === undefined) return undefined;
  const image: Image = { type: 'DOCKER', docker: { name: m.image }, cached: !m.forcePull };
  if (m.pullConfig !== undefined) image.docker!.config = pullSecret(spec, m.pullConfig, env);
  return { type: 'MESOS', mesos: { image } };
}

/** `env` resolves a `fromEnv` registry secret; nothing else in a ContainerInfo comes from it. */
export function buildContainer(
  spec: TaskSpec,
  ports: readonly AssignedPort[],
  env: Readonly<Record<string, string | undefined>> = {},
): ContainerInfo | undefined {
  const d = spec.docker;
  if (d === undefined) return mesosContainer(spec, env);
  const docker: DockerInfo = {
    image: d.image,
    network: d.network,
    privileged: d.privileged,
    force_pull_image: d.forcePull,
  };
  if (d.parameters.length > 0) docker.parameters = d.parameters.map((p) => ({ key: p.key, value: p.value }));
  if (usesPortMappings(spec)) {
    const mapped = ports.filter((p) => p.containerPort !== undefined);
    if (mapped.length > 0) {
      docker.port_mappings = mapped.map((p) => ({
        host_port: p.hostPort,
        container_port: p.containerPort as number,
        protocol: p.protocol,
      }));
    }
  }
  const container: ContainerInfo = { type: 'DOCKER', docker };
  if (d.volumes.length > 0) {
    container.volumes = d.volumes.map((v) => ({
      container_path: v.containerPath,
      host_path: v.hostPath,
      mode: v.mode,
    }));
  }
  if (d.network === 'USER' && d.networkName !== undefined) container.network_infos = [{ name: d.networkName }];
  return container;
}
