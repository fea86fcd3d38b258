/**
 * The legacy JSON endpoints (`/master/state`, `/frameworks`, `/tasks`, `/slaves`), in their
 * own dialect (mesos-protocol §11.3, Trap 36): plain-string ids, `slave`, seconds, and
 * resources summarised as `{"cpus": 0.5, "gpus": 0, "mem": 128, "disk": 0, "ports": "[a-b]"}`.
 */
import type { Attribute, Resource, TaskStatus } from '../../mesos/types.js';
import { formatRanges } from './ranges.js';
import { fixed, sumResources } from './resources.js';
import type { MasterAgent, MasterFramework, MasterState, MasterTask } from './state.js';
import { versionInfo } from '../version.js';
import { AGENT_CAPABILITIES, offeredResources, usedResources } from './views-v1.js';

type Json = Record<string, unknown>;

export function summary(list: readonly Resource[]): Json {
  const out: Json = { disk: 0, mem: 0, gpus: 0, cpus: 0 };
  for (const r of list) {
    const key = r.revocable ? `${r.name}_revocable` : r.name;
    if (r.type === 'SCALAR') out[key] = fixed(((out[key] as number | undefined) ?? 0) + (r.scalar?.value ?? 0));
    else if (r.type === 'RANGES') out[key] = formatRanges(r.ranges?.range ?? []);
    else if (r.type === 'SET') out[key] = `{${(r.set?.item ?? []).join(', ')}}`;
  }
  return out;
}

function attributeValue(a: Attribute): unknown {
  if (a.type === 'SCALAR') return a.scalar?.value;
  if (a.type === 'RANGES') return formatRanges(a.ranges?.range ?? []);
  if (a.type === 'SET') return `{${(a.set?.item ?? []).join(',')}}`;
  return a.text?.value;
}

function statusLegacy(s: TaskStatus): Json {
  return {
    state: s.state,
    timestamp: s.timestamp,
    ...(s.labels ? { labels: s.labels.labels ?? [] } : {}),
    ...(s.container_status
      ? {
          container_status: {
            container_id: s.container_status.container_id,
            network_infos: s.container_status.network_infos,
          },
        }
      : {}),
    ...(s.healthy !== undefined ? { healthy: s.healthy } : {}),
  };
}

export function taskLegacy(t: MasterTask): Json {
  const i = t.info;
  return {
    id: i.task_id.value,
    name: i.name,
    framework_id: t.frameworkId,
    executor_id: i.executor?.executor_id.value ?? '',
    slave_id: t.agentId,
    state: t.state,
    resources: summary(t.resources),
    role: t.role,
    statuses: t.statuses.map(statusLegacy),
    ...(i.labels ? { labels: i.labels.labels ?? [] } : {}),
    ...(i.discovery ? { discovery: i.discovery } : {}),
    ...(i.container ? { container: i.container } : {}),
    ...(i.health_check ? { health_check: i.health_check } : {}),
  };
}

export function frameworkLegacy(fw: MasterFramework): Json {
  const info = fw.info;
  const used = usedResources(fw.tasks.values());
  const offered = offeredResources(fw.offers.values());
  const multiRole = (info.capabilities ?? []).some((c) => c.type === 'MULTI_ROLE');
  return {
    id: fw.id,
    name: info.name,
    used_resources: summary(used),
    offered_resources: summary(offered),
    capabilities: (info.capabilities ?? []).map((c) => c.type),
    hostname: info.hostname ?? '',
    webui_url: info.webui_url ?? '',
    active: fw.active && fw.stream !== undefined,
    connected: fw.stream !== undefined,
    recovered: false,
    user: info.user,
    failover_timeout: info.failover_timeout ?? 0,
    checkpoint: info.checkpoint ?? false,
    registered_time: fw.registeredMs / 1000,
    ...(fw.reregisteredMs !== undefined && fw.reregisteredMs !== fw.registeredMs
      ? { reregistered_time: fw.reregisteredMs / 1000 }
      : {}),
    unregistered_time: (fw.unregisteredMs ?? 0) / 1000,
    ...(info.principal ? { principal: info.principal } : {}),
    resources: summary(sumResources(used, offered)),
    ...(multiRole ? { roles: info.roles ?? [] } : { role: info.role ?? '*' }),
    ...(info.labels ? { labels: info.labels.labels ?? [] } : {}),
    tasks: [...fw.tasks.values()].map(taskLegacy),
    unreachable_tasks: [...fw.unreachableTasks.values()].map(taskLegacy),
    completed_tasks: fw.completedTasks.map(taskLegacy),
    offers: [...fw.offers.values()].map((o) => ({
      id: o.id,
      framework_id: o.frameworkId,
      allocation_info: { role: o.role },
      slave_id: o.agentId,
      resources: summary(o.resources),
    })),
    executors: [],
    offer_constraints: {},
  };
}

export function slaveLegacy(m: MasterState, a: MasterAgent): Json {
  const h = a.handle;
  return {
    id: a.id,
    hostname: h.hostname,
    port: h.port,
    attributes: Object.fromEntries(h.attributes.map((x) => [x.name, attributeValue(x)])),
    pid: h.pid,
    registered_time: a.registeredMs / 1000,
    ...(a.reregisteredMs !== undefined ? { reregistered_time: a.reregisteredMs / 1000 } : {}),
    resources: summary(a.total),
    used_resources: summary(usedResources(a.tasks.values())),
    offered_resources: summary(offeredResources([...m.offers.values()].filter((o) => o.agentId === a.id))),
    reserved_resources: {},
    unreserved_resources: summary(a.total),
    active: true,
    deactivated: false,
    version: versionInfo(m.config.startTimeMs).version,
    capabilities: AGENT_CAPABILITIES,
  };
}

export function frameworksLegacy(m: MasterState, frameworkId?: string | null): Json {
  const pick = (fw: MasterFramework) => !frameworkId || fw.id === frameworkId;
  return {
    frameworks: [...m.frameworks.values()].filter(pick).map(frameworkLegacy),
    completed_frameworks: m.completedFrameworks.filter(pick).map(frameworkLegacy),
    unregistered_frameworks: [],
  };
}

/** `/master/tasks`: active and completed tasks, newest status first unless `order=asc`, `limit` 100 by default. */
export function tasksLegacy(m: MasterState, q: URLSearchParams): Json {
  const fwId = q.get('framework_id');
  const taskId = q.get('task_id');
  const limit = Number(q.get('limit') ?? 100);
  const offset = Number(q.get('offset') ?? 0);
  const all: MasterTask[] = [];
  for (const fw of [...m.frameworks.values(), ...m.completedFrameworks]) {
    if (fwId && fw.id !== fwId) continue;
    all.push(...fw.tasks.values(), ...fw.unreachableTasks.values(), ...fw.completedTasks);
  }
  const stamp = (t: MasterTask) => t.statuses[t.statuses.length - 1]?.timestamp ?? 0;
  const sorted = all.filter((t) => !taskId || t.info.task_id.value === taskId).sort((a, b) => stamp(a) - stamp(b));
  if (q.get('order') !== 'asc') sorted.reverse();
  return {
    tasks: sorted
      .slice(Math.max(0, offset), Math.max(0, offset) + (Number.isFinite(limit) ? limit : 100))
      .map(taskLegacy),
  };
}
