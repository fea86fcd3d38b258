/**
 * The engine calls around `docker run` that Mesos's Docker containerizer makes
 * (src/docker/docker.cpp): running one `docker` command, pulling the image when the agent
 * lacks it (or when a pull is forced) with the sandbox as HOME, so that a docker config
 * fetched into the sandbox (`.docker/config.json`, or the older `.dockercfg`) gives the
 * registry credentials, and asking why a container that never started did not start.
 * Failures carry Mesos's wording: `Failed to run '<cmd>': exited with status N; stderr='...'`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerInfo } from '../../mesos/types.js';
import { containerImage } from './docker-cli.js';

export interface DockerCommandOptions {
  timeoutMs?: number;
  /** Extra environment for the CLI (HOME for the registry credentials). */
  env?: Record<string, string>;
}

export class DockerCommandError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** What `docker -H <socket>` would print: DOCKER_HOST if set, else the agent's --docker_socket default. */
export function dockerSocket(): string {
  return process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
}

/** Runs `docker ARGS`; resolves with stdout, rejects with Mesos's "Failed to run" text. */
export function dockerCommand(docker: string, args: string[], opts: DockerCommandOptions = {}): Promise<string> {
  const env = opts.env === undefined ? process.env : { ...process.env, ...opts.env };
  return new Promise((resolve, reject) => {
    execFile(
      docker,
      args,
      { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024, env },
      (err, stdout, stderr) => {
        if (err === null) return resolve(stdout);
        const code = typeof err.code === 'number' ? `exited with status ${err.code}` : err.message;
        const cmd = [docker, '-H', dockerSocket(), ...args].join(' ');
        reject(new DockerCommandError(`Failed to run '${cmd}': ${code}; stderr='${stderr.trim()}'`, stderr.trim()));
      },
    );
  });
}

/** Mesos adds `:latest` to a reference without a tag before inspecting it. */
function withTag(image: string): string {
  const last = image.split('/').pop() ?? image;
  return last.includes(':') || last.includes('@') ? image : `${image}:latest`;
}

/**
 * `docker pull` unless the image is present and no pull is forced. HOME is the sandbox when
 * it holds a docker config (fetched there as a URI), as Mesos sets it.
 */
export async function ensureImage(docker: string, image: string, force: boolean, sandbox: string): Promise<void> {
  if (!force) {
    const present = await dockerCommand(docker, ['image', 'inspect', withTag(image)], { timeoutMs: 30_000 }).then(
      () => true,
      () => false,
    );
    if (present) return;
  }
  const env: Record<string, string> = {};
  if (existsSync(join(sandbox, '.dockercfg'))) env['HOME'] = sandbox;
  // DOCKER_CONFIG too: an agent environment that sets it would otherwise win over HOME.
  if (existsSync(join(sandbox, '.docker', 'config.json')))
    Object.assign(env, { HOME: sandbox, DOCKER_CONFIG: join(sandbox, '.docker') });
  await dockerCommand(docker, ['pull', image], { timeoutMs: 10 * 60_000, env });
}

/**
 * The pull before a launch: Docker's `force_pull_image`, or `Image.cached: false` for a MESOS
 * container. A failure is logged to the sandbox and thrown with the containerizer's wording.
 */
export async function pullImage(
  docker: string,
  container: ContainerInfo,
  sandbox: string,
  log: (line: string) => void,
): Promise<void> {
  const mesos = container.type === 'MESOS';
  const image = containerImage(container)!;
  const force = mesos ? container.mesos?.image?.cached === false : container.docker?.force_pull_image === true;
  try {
    await ensureImage(docker, image, force, sandbox);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(message);
    throw new Error(mesos ? `Failed to pull image '${image}': ${message}` : message);
  }
}

/**
 * Why a container that `docker run` created never started. Docker's CLI prints the engine's
 * start error itself; podman's Docker API answers the attach with a bare 409 instead, so the
 * only way to learn the reason is to start the (never started) container once more, detached,
 * and read the engine's answer. Undefined when the container did start (its own output says
 * why it ended) or the engine gives no reason.
 */
export async function whyNotStarted(docker: string, name: string): Promise<string | undefined> {
  const status = await dockerCommand(docker, ['inspect', '--format', '{{.State.Status}}', name], {
    timeoutMs: 10_000,
  }).catch(() => undefined);
  if (status?.trim() !== 'created') return undefined;
  return dockerCommand(docker, ['start', name], { timeoutMs: 30_000 }).then(
    () => undefined,
    (err: unknown) => (err instanceof DockerCommandError && err.stderr !== '' ? err.stderr : undefined),
  );
}
