/**
 * The in-process link between the local master (src/local/master) and its agents
 * (src/local/agent). In Apache Mesos these talk libprocess messages over the network;
 * here they are direct calls, but with the same contract:
 *
 *  - the master tells an agent to run, kill, acknowledge and shut down;
 *  - the agent owns each task's status-update stream: every update it produces carries a
 *    fresh uuid, only the head of a task's queue is sent, it is resent with backoff
 *    (10 s doubling to 10 min in Mesos) until the master passes on an acknowledgement,
 *    and the next one waits behind it;
 *  - each forwarded update carries `latestState`, the agent's newest known state of the
 *    task, so the master can free resources before the scheduler has seen everything;
 *  - the master pings each agent (`ping`); an agent it has marked unreachable re-registers
 *    with its tasks (`reregistration`) once the two hear each other again, and then resends
 *    its pending updates (`resumeUpdates`). network-link.ts can cut the line.
 *
 * Wire types only come from src/mesos/types.ts.
 */
import type {
  Attribute,
  FrameworkInfo,
  KillPolicy,
  Resource,
  TaskInfo,
  TaskState,
  TaskStatus,
} from '../mesos/types.js';

export interface AgentStatusUpdate {
  frameworkId: string;
  /** Always has `uuid`, `agent_id`, `source`, `timestamp`. */
  status: TaskStatus;
  latestState: TaskState;
}

/** What an agent calls on its master. */
export interface MasterLink {
  /** Deliver the head of a task's update queue (a first send or a retry). */
  statusUpdate(update: AgentStatusUpdate): void;
  /**
   * ReregisterSlaveMessage: the agent hears the master again after a partition long enough
   * for both sides to have given up on each other (the agent's own ping timeout is the
   * master's total). The master re-admits an agent it marked unreachable, else ignores it.
   */
  reregister(agentId: string): void;
}

/** One of the agent's tasks as it reports them when re-registering (`Task` in ReregisterSlaveMessage). */
export interface AgentTaskReport {
  framework: FrameworkInfo & { id: { value: string } };
  task: TaskInfo;
  /** The agent's newest known state of the task. */
  state: TaskState;
  /** Every status the agent produced for it, oldest first. */
  statuses: TaskStatus[];
  /** The last update the agent forwarded (acknowledged or not), as the master tracks it. */
  statusUpdateState?: TaskState;
  statusUpdateUuid?: string;
}

export interface AgentOptions {
  /** `<master id>-S<n>` */
  id: string;
  hostname: string;
  /** Address the agent's HTTP server (files API, /state) binds to. */
  listen: string;
  /** 0 → any free port. */
  port: number;
  resources: Resource[];
  attributes: Attribute[];
  /** Agent work dir; sandboxes live under `<workDir>/slaves/<id>/frameworks/...`. */
  workDir: string;
  master: MasterLink;
  /** First status-update retry interval, ms (Mesos: 10 s). Doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

/** What the master calls on an agent. */
export interface AgentHandle {
  readonly id: string;
  readonly hostname: string;
  /** The HTTP port actually bound (after `start()`). */
  readonly port: number;
  /** `slave(1)@<ip>:<port>` */
  readonly pid: string;
  readonly resources: Resource[];
  readonly attributes: Attribute[];

  start(): Promise<void>;

  /**
   * Run a validated task (command executor or Docker). The agent sends TASK_STARTING,
   * TASK_RUNNING, ..., through its reliable update queue.
   */
  runTask(framework: FrameworkInfo & { id: { value: string } }, task: TaskInfo): void;

  /** KILL: TASK_KILLING (if the framework has TASK_KILLING_STATE), SIGTERM, grace, SIGKILL, TASK_KILLED. */
  killTask(frameworkId: string, taskId: string, killPolicy?: KillPolicy): void;

  /** Forwarded ACKNOWLEDGE; ignored unless it matches the head of that task's queue. */
  acknowledge(frameworkId: string, taskId: string, uuid: string): void;

  /** Updates of the framework's tasks not yet acknowledged (for tests: what a run left behind). */
  unacknowledgedUpdates(frameworkId: string): number;

  /** Framework removed (TEARDOWN, failover timeout): kill its tasks, send no updates. */
  shutdownFramework(frameworkId: string): void;

  /**
   * The framework (re-)subscribed: resend the heads of its tasks' queues now, as a Mesos
   * agent does when the master tells it about the framework's new connection (the recorded
   * real master delivered a queued update 2 ms after the re-SUBSCRIBE).
   */
  resendPending(frameworkId: string): void;

  /** PingSlaveMessage: true when the pong comes back (the agent answers whenever a ping reaches it). */
  ping(): boolean;

  /** The tasks the agent still has (terminal ones whose update is unacknowledged included), for re-registration. */
  reregistration(): AgentTaskReport[];

  /** Re-registered: resend the head of every pending update stream now (Mesos resumes its paused streams). */
  resumeUpdates(): void;

  /** The agent's `/state` JSON (legacy dialect). */
  state(): Record<string, unknown>;

  /** Graceful: kill every task (process groups), wait for them, close the HTTP server. Idempotent. */
  close(): Promise<void>;
  /** Now: SIGKILL every process group, close sockets. Idempotent. */
  destroy(): void;
}
