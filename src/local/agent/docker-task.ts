/**
 * One task with ContainerInfo DOCKER, run the way Mesos's Docker containerizer and
 * `mesos-docker-executor` do it, through the `docker` CLI:
 *   the URIs fetched into the sandbox; the image pulled if missing (docker-engine.ts);
 *   `docker run ... --name mesos-<container id> <image> ...` in the foreground, its output
 *   into the sandbox's stdout/stderr; TASK_STARTING; TASK_RUNNING once `docker inspect`
 *   answers (data = base64 of the inspect JSON, network_infos with the container's IP);
 *   KILL → TASK_KILLING (capability) → `docker stop -t <grace s>` → TASK_KILLED;
 *   otherwise "Container exited with status N" (FINISHED / FAILED).
 * A fetch or pull failure is Mesos's launch failure: TASK_FAILED, SOURCE_AGENT,
 * REASON_CONTAINER_LAUNCH_FAILED, "Failed to launch container: ...".
 * Without a reachable engine the task fails the way it does on a real agent that has only
 * the Mesos containerizer (recorded): TASK_FAILED, SOURCE_AGENT, REASON_EXECUTOR_TERMINATED,
 * "Abnormal executor termination: unknown container", plus a plain explanation.
 * A MESOS container with a Docker image runs the same way with the command executor's
 * wording ("Command exited with status N", no inspect data); without an engine it fails as
 * on an agent without an image provisioner ("Unsupported container image type: 2", recorded).
 * The stopped container is removed once its exit is known (Mesos waits 6 h).
 */
import { spawn } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KillPolicy } from '../../mesos/types.js';
import { DockerRunError, dockerRunArgs, type EngineProbe } from './docker-cli.js';
import { dockerCommand, pullImage, whyNotStarted } from './docker-engine.js';
import { FetchError, fetchUris } from './fetcher.js';
import { HealthChecker } from './health.js';
import { spawnGroup, type SpawnedGroup } from './process-group.js';
import { closeSandbox, createSandbox } from './sandbox.js';
import { describeExit, exitSucceeded, type UpdateFields } from './status.js';
import { containerEnvironment } from './environment.js';
import {
  containerStatusFor,
  hasKillingCapability,
  killGraceMs,
  type LaunchContext,
  type TaskRunner,
} from './runner.js';

export const MAPPED_SANDBOX = '/mnt/mesos/sandbox';

export interface DockerDeps {
  docker: string;
  probe(): Promise<EngineProbe>;
}

function docker(deps: DockerDeps, args: string[], timeoutMs = 60_000): Promise<string> {
  return dockerCommand(deps.docker, args, { timeoutMs });
}

export class DockerTask implements TaskRunner {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private phase: 'launching' | 'running' | 'terminated' = 'launching';
  private silent = false;
  private killed = false;
  /** Whether `docker inspect` ever saw the container running. */
  private everRunning = false;
  private killedByHealthCheck = false;
  private group: SpawnedGroup | undefined;
  private health: HealthChecker | undefined;
  private launched: Promise<void> = Promise.resolve();
  private readonly name: string;
  /** A MESOS container with a Docker image (the command executor's wording). */
  private readonly mesos: boolean;
  private readonly launchAbort = new AbortController();

  constructor(
    private readonly ctx: LaunchContext,
    private readonly deps: DockerDeps,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.name = `mesos-${ctx.containerId}`;
    this.mesos = ctx.task.container?.type === 'MESOS';
  }

  start(): void {
    this.launched = this.launch().catch((err: unknown) => {
      if (err instanceof DockerRunError && !this.mesos) return this.runOptionsFailed(err.message);
      const detail =
        err instanceof FetchError
          ? `Failed to fetch all URIs for container '${this.ctx.containerId}': exited with status 1`
          : err instanceof Error
            ? err.message
            : String(err);
      this.fail('TASK_FAILED', 'REASON_CONTAINER_LAUNCH_FAILED', `Failed to launch container: ${detail}`);
    });
  }

  kill(policy?: KillPolicy): void {
    if (this.phase === 'launching') {
      this.killDuringLaunch();
      return;
    }
    if (this.phase !== 'running' || this.killed) return;
    this.killed = true;
    if (hasKillingCapability(this.ctx.framework))
      this.emit({ state: 'TASK_KILLING', source: 'SOURCE_EXECUTOR', containerStatus: this.containerStatus() });
    this.stop(killGraceMs(policy, this.ctx.task.kill_policy));
  }

  shutdown(graceMs: number): void {
    this.silent = true;
    if (this.phase === 'launching') {
      this.killDuringLaunch();
      return;
    }
    if (this.phase !== 'running') return;
    this.killed = true;
    this.stop(graceMs);
  }

  private stop(graceMs: number): void {
    this.health?.pause();
    void docker(this.deps, ['stop', '-t', String(Math.ceil(graceMs / 1000)), this.name], graceMs + 30_000).catch(
      () => undefined,
    );
  }

  private async launch(): Promise<void> {
    const files = await createSandbox(this.ctx.paths, this.ctx.containerId);
    try {
      const probe = await this.deps.probe();
      if (this.phase !== 'launching') return;
      if (!probe.ok) {
        const why = `No Docker engine is reachable from this agent (${probe.detail}), so ${this.mesos ? 'container images' : 'Docker tasks'} cannot run here.`;
        await files.stderr.appendFile(`${why}\n`).catch(() => undefined);
        if (this.mesos)
          return this.fail(
            'TASK_FAILED',
            'REASON_CONTAINER_LAUNCH_FAILED',
            `Failed to launch container: Unsupported container image type: 2. ${why}`,
          );
        return this.fail(
          'TASK_FAILED',
          'REASON_EXECUTOR_TERMINATED',
          `Abnormal executor termination: unknown container. ${why}`,
        );
      }
      const log = (line: string): void => void files.stderr.appendFile(`${line}\n`).catch(() => undefined);
      const uris = this.ctx.task.command?.uris ?? [];
      if (uris.length > 0)
        await fetchUris(uris, { sandbox: this.ctx.paths.directory, log, signal: this.launchAbort.signal });
      if (this.phase !== 'launching') return;
      const env = containerEnvironment(this.ctx, MAPPED_SANDBOX, this.name);
      const args = dockerRunArgs({
        container: this.ctx.task.container!,
        command: this.ctx.task.command ?? { shell: false },
        resources: this.ctx.task.resources,
        name: this.name,
        sandbox: this.ctx.paths.directory,
        mappedSandbox: MAPPED_SANDBOX,
        env,
      });
      await pullImage(this.deps.docker, this.ctx.task.container!, this.ctx.paths.directory, log);
      if (this.phase !== 'launching') return;
      this.group = spawnGroup(this.deps.docker, [this.deps.docker, ...args], {
        stdio: ['ignore', files.stdout.fd, files.stderr.fd],
      });
      this.phase = 'running';
      this.emit({ state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR', containerStatus: this.containerStatus() });
      void this.group.exited.then((exit) => this.reaped(exit));
      void this.inspectUntilRunning(env);
    } finally {
      await closeSandbox(files);
    }
  }

  private async inspectUntilRunning(env: Record<string, string>): Promise<void> {
    for (let attempt = 0; attempt < 300 && this.phase === 'running'; attempt += 1) {
      const out = await docker(this.deps, ['inspect', this.name], 10_000).catch(() => undefined);
      const info =
        out === undefined
          ? undefined
          : (JSON.parse(out) as { State?: { Running?: boolean }; NetworkSettings?: { IPAddress?: string } }[])[0];
      if (info?.State?.Running === true && this.phase === 'running' && !this.killed) {
        const ip = info.NetworkSettings?.IPAddress || this.ctx.agentIp;
        this.everRunning = true;
        const fields: UpdateFields = {
          state: 'TASK_RUNNING',
          source: 'SOURCE_EXECUTOR',
          containerStatus: containerStatusFor(this.ctx.containerId, ip, this.group?.pid),
        };
        if (!this.mesos) fields.data = Buffer.from(out!).toString('base64');
        this.emit(fields);
        this.startHealth(env);
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private startHealth(env: Record<string, string>): void {
    const check = this.ctx.task.health_check;
    if (check === undefined) return;
    const mappings = this.ctx.task.container?.docker?.port_mappings ?? [];
    this.health = new HealthChecker(check, {
      env,
      cwd: this.ctx.paths.directory,
      host: '127.0.0.1',
      taskId: this.ctx.task.task_id.value,
      log: (text) => appendFile(join(this.ctx.paths.directory, 'stderr'), text),
      mapPort: (port) => mappings.find((m) => m.container_port === port)?.host_port ?? port,
      wrapCommand: (c) => ({
        file: this.deps.docker,
        argv: [this.deps.docker, 'exec', this.name, c.file, ...c.argv.slice(1)],
      }),
      onResult: (r) => {
        if (this.killed || this.phase !== 'running') return;
        this.emit({
          state: 'TASK_RUNNING',
          source: 'SOURCE_EXECUTOR',
          reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
          healthy: r.healthy,
          containerStatus: this.containerStatus(),
        });
        if (r.killTask) {
          this.killedByHealthCheck = true;
          this.kill();
        }
      },
    });
  }

  private async reaped(exit: { code: number | null; signal: NodeJS.Signals | null }): Promise<void> {
    this.phase = 'terminated';
    this.health?.pause();
    if (!this.killed && !exitSucceeded(exit) && !this.everRunning) {
      const why = await whyNotStarted(this.deps.docker, this.name);
      if (why !== undefined)
        await appendFile(join(this.ctx.paths.directory, 'stderr'), `${why}\n`).catch(() => undefined);
    }
    const state = this.killed ? 'TASK_KILLED' : exitSucceeded(exit) ? 'TASK_FINISHED' : 'TASK_FAILED';
    const fields: UpdateFields = {
      state,
      message: `${this.mesos ? 'Command' : 'Container'} ${describeExit(exit)}`,
      source: 'SOURCE_EXECUTOR',
      containerStatus: this.containerStatus(),
    };
    if (this.killed && this.killedByHealthCheck) fields.healthy = false;
    this.emit(fields);
    // Remove the stopped container; detached so that agent shutdown does not wait for it.
    spawn(this.deps.docker, ['rm', '-f', this.name], { stdio: 'ignore', detached: true })
      .on('error', () => undefined)
      .unref();
    this.finish();
  }

  private killDuringLaunch(): void {
    this.killed = true;
    this.launchAbort.abort();
    this.fail('TASK_KILLED', 'REASON_TASK_KILLED_DURING_LAUNCH', 'Killed before delivery to the executor');
  }

  /** mesos-docker-executor when `Docker::RunOptions::create` refuses the TaskInfo. */
  private runOptionsFailed(message: string): void {
    if (this.phase === 'terminated') return;
    this.phase = 'terminated';
    this.emit({
      state: 'TASK_FAILED',
      message: `Failed to create docker run options: ${message}`,
      source: 'SOURCE_EXECUTOR',
    });
    this.finish();
  }

  private fail(state: 'TASK_FAILED' | 'TASK_KILLED', reason: UpdateFields['reason'], message: string): void {
    if (this.phase === 'terminated') return;
    this.phase = 'terminated';
    this.emit({ state, message, source: 'SOURCE_AGENT', reason });
    this.finish();
  }

  private containerStatus(): ReturnType<typeof containerStatusFor> {
    return containerStatusFor(this.ctx.containerId, this.ctx.agentIp, this.group?.pid);
  }

  private emit(fields: UpdateFields): void {
    if (!this.silent) this.ctx.hooks.update(fields);
  }

  private finish(): void {
    this.ctx.hooks.terminated();
    void this.launched.then(() => this.resolveDone());
  }
}
