/**
 * The environment of a command task, as a Mesos 1.12 agent (Mesos containerizer) and its
 * command executor build it (slave.cpp `executorEnvironment`, launcher/executor.cpp):
 *
 *   1. the executor's environment: MESOS_FRAMEWORK_ID, MESOS_EXECUTOR_ID, MESOS_DIRECTORY,
 *      MESOS_SLAVE_ID, MESOS_SLAVE_PID, MESOS_AGENT_ENDPOINT, MESOS_CHECKPOINT,
 *      MESOS_HTTP_COMMAND_EXECUTOR, MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD, LIBPROCESS_PORT,
 *      (checkpointing frameworks) MESOS_RECOVERY_TIMEOUT and MESOS_SUBSCRIPTION_BACKOFF_MAX,
 *      and MESOS_SANDBOX;
 *   2. the TaskInfo's CommandInfo.environment (VALUE variables; SECRET ones are skipped);
 *   3. MESOS_ALLOCATION_ROLE, the role of the task's first resource.
 *
 * Not set, because a real agent does not set them either: PORT0/PORT_<NAME> (schedulers
 * put them into the TaskInfo), MESOS_TASK_ID (Marathon's convention, also set by the
 * scheduler), HOME/USER. The agent's own environment is not inherited, except `PATH`
 * (Mesos falls back to the host default path; we keep the agent's PATH so that tools
 * installed for the user who runs `mesos-apply local` are found).
 */
import type { Environment, Resource } from '../../mesos/types.js';
import type { LaunchContext } from './runner.js';

const HOST_DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ExecutorEnvInput {
  frameworkId: string;
  executorId: string;
  agentId: string;
  /** `slave(1)@ip:port` */
  agentPid: string;
  /** `ip:port` */
  agentEndpoint: string;
  directory: string;
  checkpoint: boolean;
  /** Kill policy grace of the TaskInfo, ns, if any (sets the shutdown grace period). */
  killGraceNs?: number;
}

/** stout's Duration printing for whole and fractional seconds ("5secs", "3.5secs"). */
function secs(seconds: number): string {
  return `${Number(seconds.toFixed(9))}secs`;
}

export function executorEnvironment(input: ExecutorEnvInput, inheritedPath?: string): Record<string, string> {
  // Mesos adds MAX_REAP_INTERVAL (1 s) and 1 s to the task's kill grace period.
  const shutdownGrace = input.killGraceNs !== undefined ? secs(input.killGraceNs / 1e9 + 2) : '5secs';
  const env: Record<string, string> = {
    PATH: inheritedPath ?? HOST_DEFAULT_PATH,
    LIBPROCESS_PORT: '0',
    MESOS_FRAMEWORK_ID: input.frameworkId,
    MESOS_EXECUTOR_ID: input.executorId,
    MESOS_DIRECTORY: input.directory,
    MESOS_SLAVE_ID: input.agentId,
    MESOS_SLAVE_PID: input.agentPid,
    MESOS_AGENT_ENDPOINT: input.agentEndpoint,
    MESOS_CHECKPOINT: input.checkpoint ? '1' : '0',
    MESOS_HTTP_COMMAND_EXECUTOR: '0',
    MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: shutdownGrace,
  };
  if (input.checkpoint) {
    env['MESOS_RECOVERY_TIMEOUT'] = '15mins';
    env['MESOS_SUBSCRIPTION_BACKOFF_MAX'] = '2secs';
  }
  env['MESOS_SANDBOX'] = input.directory;
  return env;
}

/** Adds the CommandInfo's VALUE variables (SECRET ones cannot be resolved here). */
export function applyCommandEnvironment(env: Record<string, string>, environment: Environment | undefined): void {
  for (const variable of environment?.variables ?? []) {
    if (variable.type === 'SECRET') continue;
    env[variable.name] = variable.value ?? '';
  }
}

/** The allocation role of the task's first resource ("*" when the master set none). */
export function allocationRole(resources: Resource[] | undefined): string {
  const first = resources?.[0];
  return first?.allocation_info?.role ?? first?.role ?? '*';
}

export function taskEnvironment(
  input: ExecutorEnvInput,
  environment: Environment | undefined,
  resources: Resource[] | undefined,
  inheritedPath: string | undefined = process.env['PATH'],
): Record<string, string> {
  const env = executorEnvironment(input, inheritedPath);
  applyCommandEnvironment(env, environment);
  env['MESOS_ALLOCATION_ROLE'] = allocationRole(resources);
  return env;
}

/**
 * The environment inside a container (Docker containerizer, or a MESOS container image run the
 * same way): the task's environment without the agent's PATH (the image brings its own), with
 * MESOS_SANDBOX at the mapped sandbox and MESOS_CONTAINER_NAME.
 */
export function containerEnvironment(ctx: LaunchContext, mappedSandbox: string, name: string): Record<string, string> {
  const env = taskEnvironment(
    {
      frameworkId: ctx.frameworkId,
      executorId: ctx.task.task_id.value,
      agentId: ctx.agentId,
      agentPid: ctx.agentPid,
      agentEndpoint: ctx.agentEndpoint,
      directory: ctx.paths.directory,
      checkpoint: ctx.framework.checkpoint === true,
    },
    ctx.task.command?.environment,
    ctx.task.resources,
    undefined,
  );
  delete env['PATH'];
  env['MESOS_SANDBOX'] = mappedSandbox;
  env['MESOS_CONTAINER_NAME'] = name;
  return env;
}
