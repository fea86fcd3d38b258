/**
 * buildTaskInfo: a placed task → the TaskInfo of its LAUNCH operation. Called at apply
 * time, never stored in a Plan, because it resolves `fromEnv` values.
 *
 * - id and labels: model/ids.ts (deterministic; our labels cannot be shadowed);
 * - resources: exactly the placement's (cut from the offer, identity fields copied);
 * - environment: the placement's ports as PORT0..N (spec `ports` then Docker port
 *   mappings), PORT_<NAME> (upper-case, `-` → `_`), PORTS (comma list) and HOST (the agent's
 *   hostname), then the spec's env (a user variable of the same name wins); `fromEnv`
 *   values are read from `env` and a missing one is an MA_ERR_ENV_UNSET error that names
 *   the variable, never its value;
 * - health checks: HTTP/TCP name a port; it resolves to the host port, except for a Docker
 *   port mapping on a BRIDGE/USER network, where it resolves to the *container* port:
 *   Mesos's Docker executor runs HTTP/TCP checks inside the container's network namespace
 *   (apache/mesos src/docker/executor.cpp, launchHealthCheck);
 * - kill policy: the grace period in nanoseconds.
 * `redactTaskInfo` gives the copy of a TaskInfo that may be printed or logged.
 */

import type { ContainerInfo, EnvironmentVariable, HealthCheck, TaskInfo } from '../mesos/types.js';
import { taskLabels } from '../model/ids.js';
import type { TaskSpec } from '../model/spec.js';
import { buildCommand, buildContainer, usesPortMappings } from './command.js';
import { envUnsetError, unknownPortError } from './errors.js';
import type { AssignedPort, TaskPlacement } from './types.js';
import { clonePlain } from '../model/clone.js';

export interface TaskInfoInput {
  spec: TaskSpec;
  specHash: string;
  instance: number;
  /** A scheduled run's key (model/ids.ts): in the labels too. */
  run?: string;
  taskId: string;
  placement: Pick<TaskPlacement, 'agentId' | 'hostname' | 'resources' | 'ports'>;
}

export function portEnvName(name: string): string {
  return `PORT_${name.toUpperCase().replace(/-/g, '_')}`;
}

function portVariables(ports: readonly AssignedPort[], hostname: string): EnvironmentVariable[] {
  const vars: EnvironmentVariable[] = ports.map((p, i) => ({ name: `PORT${i}`, value: String(p.hostPort) }));
  for (const p of ports) vars.push({ name: portEnvName(p.name), value: String(p.hostPort) });
  if (ports.length > 0) vars.push({ name: 'PORTS', value: ports.map((p) => p.hostPort).join(',') });
  vars.push({ name: 'HOST', value: hostname });
  return vars;
}

export function buildEnvironment(
  spec: TaskSpec,
  ports: readonly AssignedPort[],
  hostname: string,
  env: Readonly<Record<string, string | undefined>>,
): EnvironmentVariable[] {
  const byName = new Map<string, string>();
  for (const v of portVariables(ports, hostname)) byName.set(v.name, v.value ?? '');
  for (const name of Object.keys(spec.env).sort()) {
    const v = spec.env[name];
    if (v === undefined) continue;
    if (v.kind === 'value') {
      byName.set(name, v.value);
      continue;
    }
    const resolved = env[v.name];
    if (resolved === undefined) throw envUnsetError(spec.name, name, v.name);
    byName.set(name, resolved);
  }
  return [...byName].map(([name, value]) => ({ name, type: 'VALUE', value }));
}

function checkPort(spec: TaskSpec, ports: readonly AssignedPort[], name: string): number {
  const p = ports.find((x) => x.name === name);
  if (p === undefined) throw unknownPortError(spec.name, name);
  return p.containerPort !== undefined && usesPortMappings(spec) ? p.containerPort : p.hostPort;
}

export function buildHealthCheck(spec: TaskSpec, ports: readonly AssignedPort[]): HealthCheck | undefined {
  const h = spec.healthCheck;
  if (h === undefined) return undefined;
  const out: HealthCheck = {
    delay_seconds: h.delay,
    interval_seconds: h.interval,
    timeout_seconds: h.timeout,
    consecutive_failures: h.consecutiveFailures,
    grace_period_seconds: h.gracePeriod,
  };
  switch (h.kind) {
    case 'http':
      return { ...out, type: 'HTTP', http: { port: checkPort(spec, ports, h.port), path: h.path, scheme: h.scheme } };
    case 'tcp':
      return { ...out, type: 'TCP', tcp: { port: checkPort(spec, ports, h.port) } };
    case 'command':
      return { ...out, type: 'COMMAND', command: { shell: true, value: h.command } };
  }
}

export function buildTaskInfo(input: TaskInfoInput, env: Readonly<Record<string, string | undefined>>): TaskInfo {
  const { spec, placement } = input;
  const variables = buildEnvironment(spec, placement.ports, placement.hostname, env);
  const info: TaskInfo = {
    name: spec.name,
    task_id: { value: input.taskId },
    agent_id: { value: placement.agentId },
    resources: clonePlain(placement.resources),
    command: buildCommand(spec, variables),
    labels: taskLabels(spec.name, input.instance, input.specHash, spec.labels, input.run),
    kill_policy: { grace_period: { nanoseconds: Math.round(spec.killGracePeriod * 1e9) } },
  };
  const container = buildContainer(spec, placement.ports, env);
  if (container !== undefined) info.container = container;
  const health = buildHealthCheck(spec, placement.ports);
  if (health !== undefined) info.health_check = health;
  if (placement.ports.length > 0) {
    info.discovery = {
      visibility: 'FRAMEWORK',
      name: spec.name,
      ports: { ports: placement.ports.map((p) => ({ number: p.hostPort, name: p.name, protocol: p.protocol })) },
    };
  }
  return info;
}

/** A copy safe to print: every `fromEnv` value becomes `<from env NAME>`. */
export function redactTaskInfo(info: TaskInfo, spec: TaskSpec): TaskInfo {
  const copy = clonePlain(info);
  for (const v of copy.command?.environment?.variables ?? []) {
    const source = spec.env[v.name];
    if (source?.kind === 'fromEnv') v.value = `<from env ${source.name}>`;
  }
  maskImageSecret(copy.container, spec);
  return copy;
}

/**
 * Masks, in place, the value of the Mesos containerizer's registry secret (a docker config
 * holding credentials): `<from env NAME>` when the spec says where it came from.
 */
export function maskImageSecret(container: ContainerInfo | undefined, spec: TaskSpec | undefined): void {
  const config = container?.mesos?.image?.docker?.config;
  if (config?.value === undefined) return;
  const source = spec?.mesosImage?.pullConfig;
  config.value.data = source?.kind === 'fromEnv' ? `<from env ${source.name}>` : '<secret>';
}
