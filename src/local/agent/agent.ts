/**
 * A local Mesos agent: runs the tasks the local master hands it (command executor or
 * Docker), owns their sandboxes and reliable status-update streams, and serves the files
 * API and `/state` over HTTP. The contract with the master is `../agent-link.ts`.
 *
 * Bookkeeping per task (executor id = task id, one task per executor as for the command
 * executor): an executor record is active until both its process is gone and its terminal
 * update was acknowledged (or its framework was shut down); then it moves to the
 * framework's completed executors (at most 150 kept, as Mesos's
 * --max_completed_executors_per_framework). A shut-down framework moves to
 * `completed_frameworks` once its last executor is gone.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentHandle, AgentOptions, AgentTaskReport } from '../agent-link.js';
import type { FrameworkInfo, KillPolicy, TaskInfo, TaskStatus } from '../../mesos/types.js';
import { CommandTask } from './command-task.js';
import { probeDockerEngine, type EngineProbe } from './docker-cli.js';
import { DockerTask } from './docker-task.js';
import { executorName } from './executor-name.js';
import { SandboxFiles } from './files.js';
import { createAgentServer } from './http.js';
import { killGraceMs, type RunnerHooks, type TaskRunner } from './runner.js';
import { sandboxPaths } from './sandbox.js';
import { SimTask } from './sim-task.js';
import type { Simulation } from './simulation.js';
import { agentStateModel, type ExecutorView, type FrameworkView } from './state.js';
import { buildStatus, type UpdateFields } from './status.js';
import { UpdateStreams } from './update-streams.js';

type RegisteredFramework = FrameworkInfo & { id: { value: string } };

interface ExecutorRecord extends ExecutorView {
  runner: TaskRunner;
  processGone: boolean;
}

interface FrameworkRecord extends FrameworkView {
  executors: ExecutorRecord[];
  completedExecutors: ExecutorRecord[];
  shuttingDown: boolean;
}

export interface LocalAgentOptions extends AgentOptions {
  /** How long `close()` lets tasks handle SIGTERM before SIGKILL, ms (default 2000). */
  closeGraceMs?: number;
  /** The docker CLI (default `docker`). */
  docker?: string;
  /** Simulated agent: tasks are SimTasks (no process), driven by this shared simulation. */
  simulation?: Simulation;
}

const MAX_COMPLETED_EXECUTORS = 150;
const MAX_COMPLETED_FRAMEWORKS = 50;
const ENGINE_PROBE_TTL_MS = 10_000;

export class LocalAgent implements AgentHandle {
  readonly id: string;
  readonly hostname: string;
  readonly resources;
  readonly attributes;
  private boundPort = 0;
  private readonly ip: string;
  private readonly startTime = Date.now() / 1000;
  private readonly frameworks = new Map<string, FrameworkRecord>();
  private readonly completedFrameworks: FrameworkRecord[] = [];
  private readonly files = new SandboxFiles();
  private readonly streams: UpdateStreams;
  private server: Server | undefined;
  private closing: Promise<void> | undefined;
  private destroyed = false;
  private engine: { at: number; probe: Promise<EngineProbe> } | undefined;

  constructor(private readonly opts: LocalAgentOptions) {
    this.id = opts.id;
    this.hostname = opts.hostname;
    this.resources = opts.resources;
    this.attributes = opts.attributes;
    this.boundPort = opts.port;
    this.ip = ['0.0.0.0', '::', 'localhost', ''].includes(opts.listen) ? '127.0.0.1' : opts.listen;
    this.streams = new UpdateStreams({
      send: (update) => opts.master.statusUpdate(update),
      retryMs: opts.retryMs ?? 10_000,
      maxRetryMs: opts.maxRetryMs ?? 600_000,
      onTerminalAck: (fw, taskId) => this.taskAcknowledged(fw, taskId),
    });
  }

  get port(): number {
    return this.boundPort;
  }

  get pid(): string {
    return `slave(1)@${this.ip}:${this.boundPort}`;
  }

  async start(): Promise<void> {
    if (this.server !== undefined) return;
    const server = createAgentServer({ files: this.files, state: () => this.state() });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.listen, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as AddressInfo).port;
  }

  runTask(framework: RegisteredFramework, task: TaskInfo): void {
    if (this.closing !== undefined || this.destroyed) return;
    const fw = this.framework(framework);
    if (fw.shuttingDown) return;
    const taskId = task.task_id.value;
    const containerId = randomUUID();
    const paths = sandboxPaths(this.opts.workDir, this.id, fw.info.id.value, taskId, containerId);
    const record = {
      executorId: taskId,
      name: executorName(task),
      containerId,
      directory: paths.directory,
      task,
      frameworkId: fw.info.id.value,
      agentId: this.id,
      state: 'TASK_STAGING',
      statuses: [],
      taskCompleted: false,
      processGone: false,
    } as Omit<ExecutorRecord, 'runner'> as ExecutorRecord;
    const hooks: RunnerHooks = {
      update: (fields) => this.update(fw, record, fields),
      terminated: () => {
        record.processGone = true;
        this.maybeComplete(fw, record);
      },
    };
    const ctx = {
      task,
      framework: fw.info,
      frameworkId: fw.info.id.value,
      agentId: this.id,
      agentPid: this.pid,
      agentEndpoint: `${this.ip}:${this.boundPort}`,
      agentIp: this.ip,
      containerId,
      paths,
      hooks,
    };
    const sim = this.opts.simulation;
    record.runner =
      sim !== undefined
        ? new SimTask(ctx, sim)
        : task.container?.type === 'DOCKER' || task.container?.mesos?.image?.type === 'DOCKER'
          ? new DockerTask(ctx, { docker: this.opts.docker ?? 'docker', probe: () => this.probeEngine() })
          : new CommandTask(ctx);
    fw.executors.push(record);
    for (const name of [paths.virtualPath, paths.legacyPath, paths.directory]) this.files.attach(name, paths.directory);
    record.runner.start();
  }

  killTask(frameworkId: string, taskId: string, killPolicy?: KillPolicy): void {
    const fw = this.frameworks.get(frameworkId);
    if (fw === undefined || fw.shuttingDown || this.closing !== undefined) return;
    const record = fw.executors.find((e) => e.executorId === taskId && !e.processGone);
    if (record !== undefined) {
      record.runner.kill(killPolicy);
      return;
    }
    if (fw.executors.some((e) => e.executorId === taskId)) return; // terminal, update pending: keep retrying it
    // No executor for the task (§8): LOST, or DROPPED for partition-aware frameworks.
    const pa = (fw.info.capabilities ?? []).some((c) => c.type === 'PARTITION_AWARE');
    const status = buildStatus(
      { taskId, agentId: this.id, executorId: taskId },
      {
        state: pa ? 'TASK_DROPPED' : 'TASK_LOST',
        message: 'Cannot find executor',
        source: 'SOURCE_AGENT',
        reason: 'REASON_EXECUTOR_TERMINATED',
      },
      Date.now(),
    );
    this.streams.enqueue(frameworkId, status);
  }

  unacknowledgedUpdates(frameworkId: string): number {
    return this.streams.frameworkPending(frameworkId);
  }

  acknowledge(frameworkId: string, taskId: string, uuid: string): void {
    this.streams.acknowledge(frameworkId, taskId, uuid);
  }

  shutdownFramework(frameworkId: string): void {
    const fw = this.frameworks.get(frameworkId);
    if (fw === undefined || fw.shuttingDown) return;
    fw.shuttingDown = true;
    this.streams.dropFramework(frameworkId);
    for (const e of [...fw.executors]) {
      if (e.processGone) this.maybeComplete(fw, e);
      else e.runner.shutdown(killGraceMs(undefined, e.task.kill_policy));
    }
    this.maybeRemoveFramework(fw);
  }

  resendPending(frameworkId: string): void {
    this.streams.resend(frameworkId);
  }

  ping(): boolean {
    return this.closing === undefined;
  }

  reregistration(): AgentTaskReport[] {
    const out: AgentTaskReport[] = [];
    for (const fw of this.frameworks.values()) {
      for (const e of fw.executors) {
        if (e.taskCompleted) continue;
        const forwarded = this.streams.head(fw.info.id.value, e.executorId) ?? e.statuses[e.statuses.length - 1];
        out.push({
          framework: fw.info,
          task: e.task,
          state: e.state,
          statuses: e.statuses,
          ...(forwarded ? { statusUpdateState: forwarded.state, statusUpdateUuid: forwarded.uuid } : {}),
        });
      }
    }
    return out;
  }

  resumeUpdates(): void {
    this.streams.resend();
  }

  state(): Record<string, unknown> {
    return agentStateModel({
      id: this.id,
      pid: this.pid,
      hostname: this.hostname,
      port: this.boundPort,
      workDir: this.opts.workDir,
      startTime: this.startTime,
      resources: this.resources,
      attributes: this.attributes,
      frameworks: [...this.frameworks.values()],
      completedFrameworks: this.completedFrameworks,
      docker: this.opts.docker ?? 'docker',
    });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdownAll(this.opts.closeGraceMs ?? 2000);
    return this.closing;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.closing ??= this.shutdownAll(0);
    this.server?.closeAllConnections();
  }

  private async shutdownAll(graceMs: number): Promise<void> {
    const runners: Promise<void>[] = [];
    for (const fw of this.frameworks.values()) {
      for (const e of fw.executors) {
        if (!e.processGone) e.runner.shutdown(graceMs);
        runners.push(e.runner.done);
      }
    }
    this.streams.close();
    const server = this.server;
    const closed =
      server === undefined ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()));
    server?.closeIdleConnections();
    await Promise.all([...runners, closed]);
  }

  private framework(info: RegisteredFramework): FrameworkRecord {
    let fw = this.frameworks.get(info.id.value);
    if (fw === undefined) {
      fw = { info, executors: [], completedExecutors: [], shuttingDown: false };
      this.frameworks.set(info.id.value, fw);
    } else {
      fw.info = info;
    }
    return fw;
  }

  private update(fw: FrameworkRecord, record: ExecutorRecord, fields: UpdateFields): void {
    const status: TaskStatus = buildStatus(
      { taskId: record.executorId, agentId: this.id, executorId: record.executorId },
      fields,
      Date.now(),
    );
    record.state = status.state;
    record.statuses.push(status);
    if (!fw.shuttingDown && this.closing === undefined) this.streams.enqueue(fw.info.id.value, status);
  }

  private taskAcknowledged(frameworkId: string, taskId: string): void {
    const fw = this.frameworks.get(frameworkId);
    const record = fw?.executors.find((e) => e.executorId === taskId && e.statuses.length > 0 && !e.taskCompleted);
    if (fw === undefined || record === undefined) return;
    record.taskCompleted = true;
    this.maybeComplete(fw, record);
  }

  private maybeComplete(fw: FrameworkRecord, record: ExecutorRecord): void {
    if (!record.processGone || !(record.taskCompleted || fw.shuttingDown)) return;
    const index = fw.executors.indexOf(record);
    if (index < 0) return;
    fw.executors.splice(index, 1);
    fw.completedExecutors.push(record);
    if (fw.completedExecutors.length > MAX_COMPLETED_EXECUTORS) fw.completedExecutors.shift();
    this.maybeRemoveFramework(fw);
  }

  private maybeRemoveFramework(fw: FrameworkRecord): void {
    if (!fw.shuttingDown || fw.executors.length > 0 || this.frameworks.get(fw.info.id.value) !== fw) return;
    this.frameworks.delete(fw.info.id.value);
    this.completedFrameworks.push(fw);
    if (this.completedFrameworks.length > MAX_COMPLETED_FRAMEWORKS) this.completedFrameworks.shift();
  }

  private probeEngine(): Promise<EngineProbe> {
    if (this.engine === undefined || Date.now() - this.engine.at > ENGINE_PROBE_TTL_MS) {
      this.engine = { at: Date.now(), probe: probeDockerEngine(this.opts.docker ?? 'docker') };
    }
    return this.engine.probe;
  }
}
