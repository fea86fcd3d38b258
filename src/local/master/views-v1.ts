/**
 * The v1 operator JSON of the master's state (`GET_TASKS`, `GET_FRAMEWORKS`, `GET_AGENTS`,
 * `GET_STATE`, ...), shaped like the recorded Mesos 1.12 answers: top-level arrays always
 * present, nested empty arrays omitted, task resources in refinement format (no `role`),
 * framework/agent resource totals with `role: "*"` (mesos-protocol §11.1).
 */
import type {
  GetAgents,
  GetExecutors,
  GetFrameworks,
  GetState,
  GetTasks,
  OperatorAgent,
  OperatorFramework,
  Resource,
  Task,
} from '../../mesos/types.js';
import { offerWire } from './allocator.js';
import { nowNanos } from './ids.js';
import { MESOS_VERSION } from '../version.js';
import { sumResources, withAllocation, withStarRole } from './resources.js';
import { isTerminal, type MasterAgent, type MasterFramework, type MasterState, type MasterTask } from './state.js';

export const AGENT_CAPABILITIES = [
  'MULTI_ROLE',
  'HIERARCHICAL_ROLE',
  'RESERVATION_REFINEMENT',
  'RESOURCE_PROVIDER',
  'RESIZE_VOLUME',
  'AGENT_OPERATION_FEEDBACK',
  'AGENT_DRAINING',
  'TASK_RESOURCE_LIMITS',
];

const nonEmpty = <K extends string, V>(key: K, list: V[] | undefined): Partial<Record<K, V[]>> =>
  (list?.length ? { [key]: list } : {}) as Partial<Record<K, V[]>>;

export function taskV1(t: MasterTask): Task {
  const i = t.info;
  return {
    name: i.name,
    task_id: i.task_id,
    framework_id: { value: t.frameworkId },
    agent_id: { value: t.agentId },
    state: t.state,
    ...nonEmpty('resources', t.resources),
    ...nonEmpty('statuses', t.statuses),
    ...(t.statusUpdateState ? { status_update_state: t.statusUpdateState } : {}),
    ...(t.statusUpdateUuid ? { status_update_uuid: t.statusUpdateUuid } : {}),
    ...(i.labels ? { labels: i.labels } : {}),
    ...(i.discovery ? { discovery: i.discovery } : {}),
    ...(i.container ? { container: i.container } : {}),
    ...(i.health_check ? { health_check: i.health_check } : {}),
    ...(i.kill_policy ? { kill_policy: i.kill_policy } : {}),
    ...(i.command?.user ? { user: i.command.user } : {}),
  };
}

/** Resources held by tasks whose latest state is not terminal. */
export function usedResources(tasks: Iterable<MasterTask>): Resource[] {
  const live: Resource[][] = [];
  for (const t of tasks) if (!isTerminal(t.state) && t.state !== 'TASK_UNREACHABLE') live.push(t.resources);
  return sumResources(...live);
}

export function offeredResources(offers: Iterable<{ resources: Resource[] }>): Resource[] {
  return sumResources(...[...offers].map((o) => o.resources));
}

export function frameworkV1(m: MasterState, fw: MasterFramework): OperatorFramework {
  const connected = fw.stream !== undefined;
  return {
    framework_info: fw.info,
    active: fw.active && connected,
    connected,
    recovered: false,
    registered_time: { nanoseconds: nowNanos(fw.registeredMs) },
    ...(fw.reregisteredMs !== undefined ? { reregistered_time: { nanoseconds: nowNanos(fw.reregisteredMs) } } : {}),
    ...(fw.unregisteredMs !== undefined ? { unregistered_time: { nanoseconds: nowNanos(fw.unregisteredMs) } } : {}),
    ...nonEmpty(
      'offers',
      [...fw.offers.values()].map((o) => offerWire(m, fw, o, true)),
    ),
    ...nonEmpty('allocated_resources', withStarRole(usedResources(fw.tasks.values()))),
    ...nonEmpty('offered_resources', withStarRole(offeredResources(fw.offers.values()))),
    offer_constraints: {},
  } as OperatorFramework;
}

export function agentV1(m: MasterState, agent: MasterAgent): OperatorAgent {
  const h = agent.handle;
  const offers = [...m.offers.values()].filter((o) => o.agentId === agent.id);
  return {
    agent_info: {
      hostname: h.hostname,
      port: h.port,
      ...nonEmpty('resources', withAllocation(agent.total, undefined)),
      ...nonEmpty('attributes', h.attributes),
      id: { value: agent.id },
      checkpoint: true,
    } as OperatorAgent['agent_info'],
    active: true,
    deactivated: false,
    version: MESOS_VERSION,
    pid: h.pid,
    registered_time: { nanoseconds: nowNanos(agent.registeredMs) },
    ...(agent.reregisteredMs !== undefined
      ? { reregistered_time: { nanoseconds: nowNanos(agent.reregisteredMs) } }
      : {}),
    ...nonEmpty('total_resources', withStarRole(agent.total)),
    ...nonEmpty('allocated_resources', withStarRole(usedResources(agent.tasks.values()))),
    ...nonEmpty('offered_resources', withStarRole(offeredResources(offers))),
    capabilities: AGENT_CAPABILITIES.map((type) => ({ type })),
  };
}

export function getFrameworks(m: MasterState): GetFrameworks {
  return {
    frameworks: [...m.frameworks.values()].map((fw) => frameworkV1(m, fw)),
    completed_frameworks: m.completedFrameworks.map((fw) => frameworkV1(m, fw)),
  };
}

export function getTasks(m: MasterState): GetTasks {
  const tasks: Task[] = [];
  const unreachable: Task[] = [];
  const completed: Task[] = [];
  for (const fw of m.frameworks.values()) {
    for (const t of fw.tasks.values()) tasks.push(taskV1(t));
    for (const t of fw.unreachableTasks.values()) unreachable.push(taskV1(t));
    for (const t of fw.completedTasks) completed.push(taskV1(t));
  }
  for (const fw of m.completedFrameworks) for (const t of fw.completedTasks) completed.push(taskV1(t));
  return { tasks, unreachable_tasks: unreachable, completed_tasks: completed };
}

export function getAgents(m: MasterState): GetAgents {
  return { agents: [...m.agents.values()].map((a) => agentV1(m, a)), recovered_agents: [] };
}

/** Command executors are not tracked by a Mesos master, and only those run here. */
export function getExecutors(): GetExecutors {
  return { executors: [] };
}

export function getState(m: MasterState): GetState {
  return {
    get_tasks: getTasks(m),
    get_executors: getExecutors(),
    get_frameworks: getFrameworks(m),
    get_agents: getAgents(m),
  };
}
