/**
 * The local master's in-memory state: what Mesos keeps per framework, agent, offer and
 * task (mesos-protocol Appendix A). Plain data; the modules beside this file change it.
 *
 * Invariants:
 *  - `agent.free` holds the agent's resources that are neither offered nor used by a task
 *    whose latest known state is non-terminal; free ∪ offered ∪ used = total, always.
 *  - A task is in `framework.tasks` and `agent.tasks` from launch until its terminal update
 *    is acknowledged (or its framework is removed); then it moves to `completedTasks`.
 *    When its agent is marked unreachable it moves to `framework.unreachableTasks` instead
 *    (its resources are released), and back to the active sets if the agent re-registers.
 *  - An agent is in `agents` (registered) or `unreachableAgents`, never both.
 *  - `framework.stream` is set exactly while the framework is connected.
 */
import type { AgentHandle } from '../agent-link.js';
import type { FrameworkInfo, Resource, TaskInfo, TaskState, TaskStatus } from '../../mesos/types.js';
import type { SchedulerStream } from './stream.js';

export interface MasterConfig {
  masterId: string;
  hostname: string;
  ip: string;
  port: number;
  allocationIntervalMs: number;
  heartbeatIntervalSeconds: number;
  /** Unset: offers never expire (Mesos default). */
  offerTimeoutMs?: number;
  maxCompletedFrameworks: number;
  maxCompletedTasksPerFramework: number;
  /** Unreachable tasks kept per framework (Mesos `--max_unreachable_tasks_per_framework`). */
  maxUnreachableTasksPerFramework: number;
  /** Mesos `--agent_ping_timeout` (15 s): a ping unanswered this long is a missed one. */
  agentPingTimeoutMs: number;
  /** Mesos `--max_agent_ping_timeouts` (5): missed pings in a row before the agent is marked unreachable. */
  maxAgentPingTimeouts: number;
  startTimeMs: number;
}

export interface MasterTask {
  frameworkId: string;
  agentId: string;
  /** The TaskInfo as launched (allocation info injected, health-check defaults filled). */
  info: TaskInfo;
  role: string;
  resources: Resource[];
  state: TaskState;
  /** One entry per distinct consecutive state; `data` stripped. */
  statuses: TaskStatus[];
  /** State and uuid of the last update forwarded to the scheduler. */
  statusUpdateState?: TaskState;
  statusUpdateUuid?: string;
}

export interface MasterAgent {
  id: string;
  handle: AgentHandle;
  total: Resource[];
  free: Resource[];
  /** Keyed by `taskKey(frameworkId, taskId)`. */
  tasks: Map<string, MasterTask>;
  registeredMs: number;
  reregisteredMs?: number;
}

/** An agent marked unreachable: kept so it can re-register, and for reconciliation answers. */
export interface UnreachableAgent {
  agent: MasterAgent;
  /** `unreachable_time`, ms since the epoch: one timestamp for all of its tasks' updates. */
  sinceMs: number;
}

export interface MasterOffer {
  id: string;
  frameworkId: string;
  agentId: string;
  role: string;
  /** Refinement format with `allocation_info`. */
  resources: Resource[];
  timer?: NodeJS.Timeout;
}

export interface RefuseFilter {
  agentId: string;
  role: string;
  /** Unallocated form. */
  resources: Resource[];
  expiresMs: number;
}

export interface MasterFramework {
  id: string;
  info: FrameworkInfo & { id: { value: string } };
  stream?: SchedulerStream;
  active: boolean;
  tasks: Map<string, MasterTask>;
  /** Tasks of agents marked unreachable (TASK_UNREACHABLE, or TASK_LOST if not PARTITION_AWARE), oldest first, bounded. */
  unreachableTasks: Map<string, MasterTask>;
  completedTasks: MasterTask[];
  offers: Map<string, MasterOffer>;
  suppressed: Set<string>;
  filters: RefuseFilter[];
  registeredMs: number;
  reregisteredMs?: number;
  unregisteredMs?: number;
  failoverTimer?: NodeJS.Timeout;
}

export interface MasterState {
  config: MasterConfig;
  agents: Map<string, MasterAgent>;
  unreachableAgents: Map<string, UnreachableAgent>;
  frameworks: Map<string, MasterFramework>;
  /** Removed frameworks, newest last, bounded by `maxCompletedFrameworks`. */
  completedFrameworks: MasterFramework[];
  offers: Map<string, MasterOffer>;
  nextFrameworkNo: number;
  nextOfferNo: number;
}

export const taskKey = (frameworkId: string, taskId: string): string => `${frameworkId}\u0000${taskId}`;

export const isTerminal = (s: TaskState): boolean =>
  s === 'TASK_FINISHED' ||
  s === 'TASK_FAILED' ||
  s === 'TASK_KILLED' ||
  s === 'TASK_ERROR' ||
  s === 'TASK_LOST' ||
  s === 'TASK_DROPPED' ||
  s === 'TASK_GONE' ||
  s === 'TASK_GONE_BY_OPERATOR';

export function hasCap(fw: MasterFramework, type: string): boolean {
  return (fw.info.capabilities ?? []).some((c) => c.type === type);
}
