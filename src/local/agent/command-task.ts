/**
 * One task under the command executor (launcher/executor.cpp), run as a local process group:
 *
 *   launching (sandbox, fetch) ──spawn──► running ──KILL──► killing ──exit──► terminated
 *        │ KILL                              └──────────exit──────────────────┘
 *        └─► TASK_KILLED "Killed before delivery to the executor" (SOURCE_AGENT)
 *
 * Updates: TASK_STARTING and TASK_RUNNING right after the spawn (both with container_status),
 * TASK_RUNNING + REASON_TASK_HEALTH_CHECK_STATUS_UPDATED for health changes, TASK_KILLING
 * (TASK_KILLING_STATE frameworks only), then exactly one terminal update:
 * FINISHED (exit 0) / FAILED / KILLED (whenever a KILL came, whatever the exit status), with
 * "Command exited with status N" / "Command terminated with signal <text>".
 * The process runs as the agent's user (like an agent with --no-switch_user).
 */
import { access, appendFile, constants } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { KillPolicy } from '../../mesos/types.js';
import { taskEnvironment } from './environment.js';
import { FetchError, fetchUris } from './fetcher.js';
import { HealthChecker, type CommandLine, type HealthResult } from './health.js';
import { signalGroup, spawnGroup, type SpawnedGroup } from './process-group.js';
import { closeSandbox, createSandbox, type OpenedSandbox } from './sandbox.js';
import { describeExit, exitSucceeded, type ExitInfo } from './status.js';
import {
  containerStatusFor,
  Escalation,
  hasKillingCapability,
  killGraceMs,
  type LaunchContext,
  type TaskRunner,
} from './runner.js';

type Phase = 'launching' | 'running' | 'terminated';

export class CommandTask implements TaskRunner {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private phase: Phase = 'launching';
  private silent = false;
  private killed = false;
  private killedByHealthCheck = false;
  private killedByMaxCompletion = false;
  private readonly launchAbort = new AbortController();
  private group: SpawnedGroup | undefined;
  private health: HealthChecker | undefined;
  private completionTimer: NodeJS.Timeout | undefined;
  private readonly escalation = new Escalation();
  private launched: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: LaunchContext) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  start(): void {
    this.launched = this.launch().catch((err: unknown) => this.launchFailed(err));
  }

  kill(policy?: KillPolicy): void {
    if (this.phase === 'launching') {
      this.killDuringLaunch();
      return;
    }
    if (this.phase !== 'running') return;
    const graceMs = killGraceMs(policy, this.ctx.task.kill_policy);
    this.killRunning(graceMs);
  }

  shutdown(graceMs: number): void {
    this.silent = true;
    if (this.phase === 'launching') {
      this.killDuringLaunch();
      return;
    }
    if (this.phase === 'running') this.killRunning(graceMs);
  }

  private async launch(): Promise<void> {
    const { ctx } = this;
    const files = await createSandbox(ctx.paths, ctx.containerId);
    try {
      const image = ctx.task.container?.type === 'MESOS' ? ctx.task.container.mesos?.image : undefined;
      if (image !== undefined) {
        // No image provisioner here, as on an agent without --image_providers (recorded).
        throw new Error(`Unsupported container image type: ${image.type === 'APPC' ? 1 : 2}`);
      }
      const uris = ctx.task.command?.uris ?? [];
      if (uris.length > 0) {
        const log = (line: string): void => void files.stderr.appendFile(`${line}\n`).catch(() => undefined);
        await fetchUris(uris, { sandbox: ctx.paths.directory, log, signal: this.launchAbort.signal });
      }
      const line = await this.commandLine();
      if (this.phase !== 'launching') return;
      await this.spawn(files, line);
    } finally {
      await closeSandbox(files);
    }
  }

  private async spawn(files: OpenedSandbox, { file, argv }: CommandLine): Promise<void> {
    const { ctx } = this;
    const command = ctx.task.command ?? {};
    const env = this.environment();
    const group = spawnGroup(file, argv, {
      cwd: ctx.paths.directory,
      env,
      stdio: ['ignore', files.stdout.fd, files.stderr.fd],
    });
    this.group = group;
    this.phase = 'running';
    if (group.pid === undefined) {
      // Like `mesos-containerizer launch` when execvp fails: a message on stderr, exit 1.
      await group.exited;
      const reason = (group.spawnError as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
      await files.stderr.appendFile(`Failed to execute '${command.value ?? file}': ${reason}\n`).catch(() => undefined);
    }
    const containerStatus = containerStatusFor(ctx.containerId, ctx.agentIp, group.pid);
    this.emit({ state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR', containerStatus });
    this.emit({ state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', containerStatus });
    if (group.pid !== undefined) this.startMonitors(env);
    void group.exited.then((exit) => this.reaped(group.spawnError ? { code: 1, signal: null } : exit));
  }

  private async commandLine(): Promise<CommandLine> {
    const command = this.ctx.task.command ?? {};
    const value = command.value ?? '';
    if (command.shell !== false) return { file: '/bin/sh', argv: ['sh', '-c', value] };
    const argv = command.arguments && command.arguments.length > 0 ? command.arguments : [value];
    // Mesos searches a relative executable in the sandbox first, then in PATH.
    if (!isAbsolute(value) && !value.includes('/')) {
      const local = join(this.ctx.paths.directory, value);
      const found = await access(local, constants.X_OK).then(
        () => true,
        () => false,
      );
      if (found) return { file: local, argv };
    }
    return { file: value, argv };
  }

  private environment(): Record<string, string> {
    const { ctx } = this;
    return taskEnvironment(
      {
        frameworkId: ctx.frameworkId,
        executorId: ctx.task.task_id.value,
        agentId: ctx.agentId,
        agentPid: ctx.agentPid,
        agentEndpoint: ctx.agentEndpoint,
        directory: ctx.paths.directory,
        checkpoint: ctx.framework.checkpoint === true,
        killGraceNs: ctx.task.kill_policy?.grace_period?.nanoseconds,
      },
      ctx.task.command?.environment,
      ctx.task.resources,
    );
  }

  private startMonitors(env: Record<string, string>): void {
    const { task } = this.ctx;
    if (task.health_check !== undefined) {
      this.health = new HealthChecker(task.health_check, {
        env,
        cwd: this.ctx.paths.directory,
        host: '127.0.0.1',
        taskId: task.task_id.value,
        log: (text) => appendFile(join(this.ctx.paths.directory, 'stderr'), text),
        onResult: (result) => this.healthChanged(result),
      });
    }
    const maxNs = task.max_completion_time?.nanoseconds ?? 0;
    if (maxNs > 0) {
      this.completionTimer = setTimeout(() => {
        this.killedByMaxCompletion = true;
        this.killRunning(0);
      }, maxNs / 1e6);
      this.completionTimer.unref();
    }
  }

  private healthChanged(result: HealthResult): void {
    if (this.killed || this.phase !== 'running') return;
    const containerStatus = containerStatusFor(this.ctx.containerId, this.ctx.agentIp, this.group?.pid);
    this.emit({
      state: 'TASK_RUNNING',
      source: 'SOURCE_EXECUTOR',
      reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
      healthy: result.healthy,
      containerStatus,
    });
    if (result.killTask) {
      this.killedByHealthCheck = true;
      this.killRunning(killGraceMs(undefined, this.ctx.task.kill_policy));
    }
  }

  private killRunning(graceMs: number): void {
    const pid = this.group?.pid;
    if (pid === undefined) return;
    const escalate = (): void => void signalGroup(pid, 'SIGKILL');
    if (this.killed) {
      this.escalation.shorten(graceMs, escalate);
      return;
    }
    this.killed = true;
    clearTimeout(this.completionTimer);
    if (!this.killedByMaxCompletion && hasKillingCapability(this.ctx.framework)) {
      const containerStatus = containerStatusFor(this.ctx.containerId, this.ctx.agentIp, pid);
      this.emit({ state: 'TASK_KILLING', source: 'SOURCE_EXECUTOR', containerStatus });
    }
    this.health?.pause();
    signalGroup(pid, 'SIGTERM');
    this.escalation.begin(graceMs, escalate);
  }

  private reaped(exit: ExitInfo): void {
    this.phase = 'terminated';
    this.health?.pause();
    this.escalation.cancel();
    clearTimeout(this.completionTimer);
    const containerStatus = containerStatusFor(this.ctx.containerId, this.ctx.agentIp, this.group?.pid);
    // A killed task that exits on its own after SIGTERM is still reported as terminated by
    // SIGTERM: in Mesos the executor reaps its launcher wrapper, which the TERM ended
    // (recorded: a task trapping TERM and exiting 0 → "Command terminated with signal Terminated").
    const reported: ExitInfo = this.killed && exit.signal === null ? { code: null, signal: 'SIGTERM' } : exit;
    const message = `Command ${describeExit(reported)}`;
    if (this.killedByMaxCompletion) {
      this.emit({
        state: 'TASK_FAILED',
        message,
        source: 'SOURCE_EXECUTOR',
        reason: 'REASON_MAX_COMPLETION_TIME_REACHED',
        containerStatus,
      });
    } else {
      const state = this.killed ? 'TASK_KILLED' : exitSucceeded(exit) ? 'TASK_FINISHED' : 'TASK_FAILED';
      const healthy = this.killed && this.killedByHealthCheck ? false : undefined;
      this.emit({ state, message, source: 'SOURCE_EXECUTOR', healthy, containerStatus });
    }
    this.finish();
  }

  private killDuringLaunch(): void {
    if (this.killed) return;
    this.killed = true;
    this.launchAbort.abort();
    this.phase = 'terminated';
    this.emit({
      state: 'TASK_KILLED',
      message: 'Killed before delivery to the executor',
      source: 'SOURCE_AGENT',
      reason: 'REASON_TASK_KILLED_DURING_LAUNCH',
    });
    // The launch promise settles on its own; nothing is spawned once the phase has changed.
    this.finish();
  }

  private launchFailed(err: unknown): void {
    if (this.phase === 'terminated') return;
    this.phase = 'terminated';
    const detail =
      err instanceof FetchError
        ? `Failed to fetch all URIs for container '${this.ctx.containerId}': exited with status 1`
        : err instanceof Error
          ? err.message
          : String(err);
    this.emit({
      state: 'TASK_FAILED',
      message: `Failed to launch container: ${detail}`,
      source: 'SOURCE_AGENT',
      reason: 'REASON_CONTAINER_LAUNCH_FAILED',
    });
    this.finish();
  }

  private emit(fields: Parameters<LaunchContext['hooks']['update']>[0]): void {
    if (fields.healthy === undefined) delete fields.healthy;
    if (!this.silent) this.ctx.hooks.update(fields);
  }

  private finish(): void {
    this.ctx.hooks.terminated();
    // A kill during the launch finishes at once; `done` still waits for the launch to settle.
    void this.launched.then(() => this.resolveDone());
  }
}
