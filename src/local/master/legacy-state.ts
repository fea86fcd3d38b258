/**
 * `/master/state` (alias `/state`): the whole legacy picture, including the master's
 * `flags` as a Mesos 1.12 master started by hand would report them (values reflect what
 * the local master actually does: in-memory registry, 1 s allocation unless configured).
 */
import type { Master } from './master.js';
import { frameworkLegacy, slaveLegacy } from './legacy.js';
import { versionInfo } from '../version.js';

/** Mesos prints a whole number of seconds as `15secs`, anything finer in ms. */
const duration = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}secs` : `${ms}ms`);

function flags(master: Master): Record<string, string> {
  const c = master.config;
  return {
    agent_ping_timeout: duration(c.agentPingTimeoutMs),
    agent_reregister_timeout: '10mins',
    allocation_interval: `${c.allocationIntervalMs}ms`,
    allocator: 'hierarchical',
    authenticate_agents: 'false',
    authenticate_frameworks: 'false',
    authenticate_http_frameworks: 'false',
    authenticate_http_readonly: 'false',
    authenticate_http_readwrite: 'false',
    filter_gpu_resources: 'true',
    framework_sorter: 'drf',
    hostname_lookup: 'true',
    ip: c.ip,
    max_agent_ping_timeouts: String(c.maxAgentPingTimeouts),
    max_completed_frameworks: String(c.maxCompletedFrameworks),
    max_completed_tasks_per_framework: String(c.maxCompletedTasksPerFramework),
    max_operator_event_stream_subscribers: '1000',
    max_unreachable_tasks_per_framework: String(c.maxUnreachableTasksPerFramework),
    min_allocatable_resources: 'cpus:0.01|mem:32',
    port: String(c.port),
    registry: 'in_memory',
    role_sorter: 'drf',
    root_submissions: 'true',
    version: 'false',
    ...(c.offerTimeoutMs !== undefined ? { offer_timeout: `${c.offerTimeoutMs}ms` } : {}),
  };
}

export function stateLegacy(master: Master): Record<string, unknown> {
  const m = master.state;
  const c = master.config;
  const pid = `master@${c.ip}:${c.port}`;
  const v = versionInfo(c.startTimeMs);
  return {
    version: v.version,
    build_date: v.build_date,
    build_time: v.build_time,
    build_user: v.build_user,
    git_sha: v.git_sha,
    git_branch: v.git_branch,
    start_time: c.startTimeMs / 1000,
    elected_time: c.startTimeMs / 1000,
    id: c.masterId,
    pid,
    hostname: c.hostname,
    capabilities: ['AGENT_UPDATE', 'AGENT_DRAINING', 'QUOTA_V2'],
    activated_slaves: m.agents.size,
    deactivated_slaves: 0,
    unreachable_slaves: m.unreachableAgents.size,
    leader: pid,
    leader_info: { id: c.masterId, pid, port: c.port, hostname: c.hostname },
    flags: flags(master),
    slaves: [...m.agents.values()].map((a) => slaveLegacy(m, a)),
    recovered_slaves: [],
    frameworks: [...m.frameworks.values()].map(frameworkLegacy),
    completed_frameworks: m.completedFrameworks.map(frameworkLegacy),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}
