/**
 * The embedded local cluster: one master and N agents in this process, speaking the
 * Mesos v1 APIs on 127.0.0.1 (unless told otherwise). `mesos-apply local` runs it in the
 * foreground; tests embed it with `startLocalCluster({port: 0})`.
 */
import os from 'node:os';
import path from 'node:path';
import type { AgentHandle } from './agent-link.js';
import { type AgentProfileGroup, agentSpec } from './agent-profile.js';
import { createAgent } from './agent/index.js';
import { Simulation, type SimulationOptions } from './agent/simulation.js';
import { newUuid } from './master/ids.js';
import { Master } from './master/master.js';
import type { Attribute, Resource } from '../mesos/types.js';
import { agentShare, agentTotals, parseAttributesFlag } from './master/resource-flags.js';
import { type ExtraRoutes, startMasterServer } from './master/server.js';
import { handleSimControl, type Network, SIM_CONTROL_PATH } from './master/sim-control.js';
import { NetworkLink } from './network-link.js';

export interface LocalClusterOptions {
  /** Master port; 0 = any free port. Default 5050. */
  port?: number;
  /** Address to bind (master and agents). Default 127.0.0.1. */
  listen?: string;
  /** Number of agents. Default 1. */
  agents?: number;
  /** Each agent's resources (Mesos `--resources` syntax); missing ones come from the machine, split between agents. */
  resources?: string;
  /** Agent attributes (`rack:r1;os:linux`). */
  attributes?: string;
  /** Where agents keep sandboxes. Default `./.local-cluster`. */
  workDir?: string;
  /** Allocation cycle, ms. Default 1000. */
  allocationIntervalMs?: number;
  /** First status-update retry interval, ms (Mesos: 10 s). */
  statusRetryMs?: number;
  /** Rescind offers not answered within this many ms. Default: never (as Mesos). */
  offerTimeoutMs?: number;
  /** Heartbeat interval, seconds (Mesos: fixed 15). For tests. */
  heartbeatIntervalSeconds?: number;
  /** Master `--agent_ping_timeout`, ms. Default 15000. */
  agentPingTimeoutMs?: number;
  /** Master `--max_agent_ping_timeouts`. Default 5. */
  maxAgentPingTimeouts?: number;
  /**
   * Simulated agents (no processes, see agent/simulation.ts). Each agent then has all of
   * `resources` (default SIM_RESOURCES) rather than a share of this machine, and its own
   * hostname `sim-<n>.local-cluster`, as the machines of a real cluster would.
   */
  simulate?: SimulationOptions;
  /** Resources and attributes per agent (agent-profile.ts); overrides `resources`/`attributes`. */
  agentProfile?: AgentProfileGroup[];
  /** The docker CLI the agents run Docker tasks with (the agent flag `--docker`). Default `docker`. */
  docker?: string;
}

/** A simulated agent's resources unless told otherwise: a typical cluster machine. */
export const SIM_RESOURCES = 'cpus:8;mem:32768;disk:204800;ports:[31000-32000]';

export interface LocalCluster {
  /** `http://<host>:<port>` of the master. */
  url: string;
  masterId: string;
  agents: AgentHandle[];
  workDir: string;
  master: Master;
  /**
   * Cuts the network between the master and an agent (network-link.ts): after the ping
   * timeouts the master marks it unreachable. False for an unknown or already cut agent.
   */
  partition(agentId: string): boolean;
  /** Restores it; an agent the master gave up re-registers. False for an unknown or uncut agent. */
  heal(agentId: string): boolean;
  /** Graceful: ends scheduler streams, agents kill their tasks (process groups) and stop. Idempotent. */
  close(): Promise<void>;
  /** Now: SIGKILL every task, drop every connection. Idempotent. */
  destroy(): void;
}

export async function startLocalCluster(opts: LocalClusterOptions = {}): Promise<LocalCluster> {
  const listen = opts.listen ?? '127.0.0.1';
  const count = Math.max(1, Math.floor(opts.agents ?? 1));
  const workDir = path.resolve(opts.workDir ?? '.local-cluster');
  const simulation = opts.simulate === undefined ? undefined : new Simulation(opts.simulate);
  const resourcesFlag = simulation !== undefined ? (opts.resources ?? SIM_RESOURCES) : opts.resources;
  const totals = agentTotals(resourcesFlag, workDir);
  const attributes = parseAttributesFlag(opts.attributes);
  /** Agent i's resources and attributes: its profile group's, else the flags' (shared out unless simulated). */
  const specOf = (i: number): { resources: Resource[]; attributes: Attribute[] } => {
    const spec = opts.agentProfile === undefined ? undefined : agentSpec(opts.agentProfile, i);
    const own = spec?.resources === undefined ? totals : agentTotals(spec.resources, workDir);
    const shared = simulation !== undefined || spec?.resources !== undefined;
    return {
      resources: shared ? own : agentShare(totals, i, count),
      attributes: spec === undefined ? attributes : parseAttributesFlag(spec.attributes),
    };
  };
  const loopback = listen === '127.0.0.1' || listen === 'localhost' || listen === '::1';
  const hostname = loopback ? 'localhost' : os.hostname();
  const advertisedIp = ['0.0.0.0', '::', 'localhost'].includes(listen) ? '127.0.0.1' : listen;
  const startTimeMs = Date.now();
  const master = new Master({
    masterId: newUuid(),
    hostname,
    ip: advertisedIp,
    port: opts.port ?? 5050,
    allocationIntervalMs: opts.allocationIntervalMs ?? 1000,
    heartbeatIntervalSeconds: opts.heartbeatIntervalSeconds ?? 15,
    offerTimeoutMs: opts.offerTimeoutMs,
    maxCompletedFrameworks: 50,
    maxCompletedTasksPerFramework: 1000,
    maxUnreachableTasksPerFramework: 1000,
    agentPingTimeoutMs: opts.agentPingTimeoutMs ?? 15_000,
    maxAgentPingTimeouts: opts.maxAgentPingTimeouts ?? 5,
    startTimeMs,
  });
  const links = new Map<string, NetworkLink>();
  const network: Network = {
    partition: (agentId) => links.get(agentId)?.partition() ?? false,
    heal: (agentId) => links.get(agentId)?.heal() ?? false,
  };
  const extra: ExtraRoutes = {};
  if (simulation !== undefined) extra[SIM_CONTROL_PATH] = (req, res) => handleSimControl(simulation, network, req, res);
  const server = await startMasterServer(master, listen, opts.port ?? 5050, extra);
  master.config.port = server.port;
  const agents: AgentHandle[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const link = new NetworkLink(master);
      const agent = link.attach(
        createAgent({
          id: master.nextAgentId(),
          hostname: simulation === undefined ? hostname : `sim-${i + 1}.local-cluster`,
          listen,
          port: 0,
          workDir,
          master: link.toMaster,
          ...specOf(i),
          retryMs: opts.statusRetryMs,
          simulation,
          ...(opts.docker === undefined ? {} : { docker: opts.docker }),
        }),
      );
      links.set(agent.id, agent);
      await agent.start();
      agents.push(agent);
      master.addAgent(agent);
    }
  } catch (e) {
    for (const a of agents) a.destroy();
    server.destroy();
    throw e;
  }
  master.start();
  let closing: Promise<void> | undefined;
  return {
    url: `http://${advertisedIp.includes(':') ? `[${advertisedIp}]` : advertisedIp}:${server.port}`,
    masterId: master.config.masterId,
    agents,
    workDir,
    master,
    ...network,
    close() {
      closing ??= (async () => {
        master.close();
        await Promise.all(agents.map((a) => a.close()));
        await server.close();
      })();
      return closing;
    },
    destroy() {
      master.close();
      for (const a of agents) a.destroy();
      server.destroy();
    },
  };
}
