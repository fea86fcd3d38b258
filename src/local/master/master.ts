/**
 * The local master: owns the state, is the agents' MasterLink, runs the allocation
 * cycle and dispatches scheduler calls that passed HTTP-level validation. HTTP lives in
 * scheduler-http.ts / operator-http.ts / server.ts; JSON views in views-v1.ts / legacy*.ts.
 */
import type { AgentHandle, AgentStatusUpdate, MasterLink } from '../agent-link.js';
import type { Call, MasterInfo, UpdateFrameworkCall } from '../../mesos/types.js';
import { accept } from './accept.js';
import { allocate, declineOffers, offerWire, rescindOffer } from './allocator.js';
import { frameworkRoles } from './call-validation.js';
import { disconnect, removeFramework, subscribe, updateFramework } from './frameworks.js';
import { agentIdFor, packIPv4 } from './ids.js';
import { normalizeResource } from './resources.js';
import type { MasterConfig, MasterFramework, MasterState } from './state.js';
import type { SchedulerStream } from './stream.js';
import { acknowledge, kill, onAgentUpdate, reconcile } from './tasks.js';
import { AgentObserver } from './agent-observer.js';
import { markUnreachable, reregisterAgent } from './unreachable.js';
import { MESOS_VERSION } from '../version.js';

export class Master implements MasterLink {
  readonly state: MasterState;
  private allocationTimer?: NodeJS.Timeout;
  private allocationPending = false;
  private closed = false;
  /** One pinger per registered agent. */
  private readonly observers = new Map<string, AgentObserver>();

  constructor(readonly config: MasterConfig) {
    this.state = {
      config,
      agents: new Map(),
      unreachableAgents: new Map(),
      frameworks: new Map(),
      completedFrameworks: [],
      offers: new Map(),
      nextFrameworkNo: 0,
      nextOfferNo: 0,
    };
  }

  /** The id the next agent gets (`<mid>-S<n>`). */
  nextAgentId(): string {
    return agentIdFor(this.config.masterId, this.state.agents.size + this.state.unreachableAgents.size);
  }

  addAgent(handle: AgentHandle): void {
    const total = handle.resources.map(normalizeResource);
    this.state.agents.set(handle.id, {
      id: handle.id,
      handle,
      total,
      free: total.map(normalizeResource),
      tasks: new Map(),
      registeredMs: Date.now(),
    });
    this.observe(handle.id);
    this.scheduleAllocation();
  }

  /** Starts pinging a registered agent; enough missed pings mark it unreachable. */
  private observe(agentId: string): void {
    const agent = this.state.agents.get(agentId);
    if (agent === undefined || this.closed) return;
    this.observers.get(agentId)?.stop();
    const observer = new AgentObserver(
      agent.handle,
      this.config.agentPingTimeoutMs,
      this.config.maxAgentPingTimeouts,
      () => {
        this.observers.delete(agentId);
        if (!this.closed) markUnreachable(this.state, agent, 'health check timed out');
      },
    );
    this.observers.set(agentId, observer);
    observer.start();
  }

  start(): void {
    this.allocationTimer = setInterval(() => this.runAllocation(), this.config.allocationIntervalMs);
    this.allocationTimer.unref();
  }

  masterInfo(): MasterInfo {
    const { masterId, ip, port, hostname } = this.config;
    return {
      id: masterId,
      ip: packIPv4(ip),
      port,
      pid: `master@${ip}:${port}`,
      hostname,
      version: MESOS_VERSION,
      address: { hostname, ip, port },
      capabilities: [{ type: 'AGENT_UPDATE' }, { type: 'AGENT_DRAINING' }, { type: 'QUOTA_V2' }],
    };
  }

  // MasterLink ------------------------------------------------------------------------

  statusUpdate(update: AgentStatusUpdate): void {
    if (!this.closed) onAgentUpdate(this.state, update);
  }

  reregister(agentId: string): void {
    if (this.closed || reregisterAgent(this.state, agentId) === undefined) return;
    this.observe(agentId);
    this.scheduleAllocation();
  }

  // Scheduler API -----------------------------------------------------------------------

  /** SUBSCRIBE on a stream whose 200 and headers are already out. */
  subscribe(call: Call, stream: SchedulerStream): void {
    const outcome = subscribe(this.state, call.subscribe!, stream);
    const fw = outcome.framework;
    if (!fw) {
      stream.send({ type: 'ERROR', error: { message: outcome.error ?? 'Subscription refused' } });
      stream.close();
      return;
    }
    stream.send({
      type: 'SUBSCRIBED',
      subscribed: {
        framework_id: { value: fw.id },
        heartbeat_interval_seconds: this.config.heartbeatIntervalSeconds,
        master_info: this.masterInfo(),
      },
    });
    stream.startHeartbeats(this.config.heartbeatIntervalSeconds);
    stream.onEnd(() => {
      if (fw.stream === stream && this.state.frameworks.get(fw.id) === fw)
        disconnect(this.state, fw, (f) => removeFramework(this.state, f));
    });
    this.runAllocation();
    // The agents resend the heads of the framework's update queues now (recorded: 2 ms later).
    this.resendPending(fw);
  }

  /**
   * UPDATE_FRAMEWORK, answered when done: the 400 body when refused. A changed FrameworkInfo
   * goes to every agent, which resends the framework's pending updates as on a SUBSCRIBE.
   */
  updateFramework(fw: MasterFramework, call: UpdateFrameworkCall): string | undefined {
    const outcome = updateFramework(this.state, fw, call);
    if ('error' in outcome) return outcome.error;
    this.scheduleAllocation();
    if (outcome.changed) this.resendPending(fw);
    return undefined;
  }

  /**
   * Every agent resends the head of each of the framework's update queues, as Mesos agents
   * do when the framework (re-)subscribes or its FrameworkInfo changes.
   */
  private resendPending(fw: MasterFramework): void {
    for (const agent of this.state.agents.values()) agent.handle.resendPending(fw.id);
  }

  /** Looks a framework up for a non-SUBSCRIBE call. */
  framework(id: string): MasterFramework | undefined {
    return this.state.frameworks.get(id);
  }

  /** Any non-SUBSCRIBE call from the framework's current stream; results arrive as events. */
  call(fw: MasterFramework, call: Call): void {
    const m = this.state;
    switch (call.type) {
      case 'TEARDOWN':
        removeFramework(m, fw);
        return;
      case 'ACCEPT':
        accept(m, fw, call.accept!);
        return;
      case 'DECLINE':
        declineOffers(
          m,
          fw,
          (call.decline?.offer_ids ?? []).map((o) => o.value),
          call.decline?.filters,
        );
        return;
      case 'REVIVE':
        this.revive(fw, call.revive?.roles ?? []);
        return;
      case 'SUPPRESS':
        this.suppress(fw, call.suppress?.roles ?? []);
        return;
      case 'KILL':
        kill(m, fw, call.kill!);
        return;
      case 'ACKNOWLEDGE':
        acknowledge(m, fw, call.acknowledge!.agent_id.value, call.acknowledge!.task_id.value, call.acknowledge!.uuid);
        return;
      case 'RECONCILE':
        reconcile(m, fw, call.reconcile ?? {});
        return;
      // No custom executors, inverse offers or operation feedback here: accepted and ignored.
      default:
        return;
    }
  }

  /** Roles named in REVIVE/SUPPRESS, or all of the framework's; undefined when any is not the framework's (call dropped). */
  private rolesOf(fw: MasterFramework, roles: readonly string[]): string[] | undefined {
    const all = frameworkRoles(fw.info);
    if (roles.length === 0) return all;
    return roles.every((r) => all.includes(r)) ? [...roles] : undefined;
  }

  private revive(fw: MasterFramework, roles: readonly string[]): void {
    const which = this.rolesOf(fw, roles);
    if (!which) return;
    for (const r of which) fw.suppressed.delete(r);
    fw.filters = fw.filters.filter((f) => !which.includes(f.role));
    this.runAllocation();
  }

  private suppress(fw: MasterFramework, roles: readonly string[]): void {
    for (const r of this.rolesOf(fw, roles) ?? []) fw.suppressed.add(r);
  }

  /** Operator TEARDOWN / `/master/teardown`. */
  teardown(frameworkId: string): boolean {
    const fw = this.state.frameworks.get(frameworkId);
    if (!fw) return false;
    removeFramework(this.state, fw);
    return true;
  }

  // Allocation ------------------------------------------------------------------------

  scheduleAllocation(): void {
    if (this.allocationPending || this.closed) return;
    this.allocationPending = true;
    setImmediate(() => {
      this.allocationPending = false;
      this.runAllocation();
    });
  }

  runAllocation(): void {
    if (this.closed) return;
    const m = this.state;
    for (const [fw, offers] of allocate(m)) {
      if (this.config.offerTimeoutMs !== undefined) {
        for (const offer of offers) {
          offer.timer = setTimeout(
            () => m.offers.get(offer.id) === offer && rescindOffer(m, offer, true),
            this.config.offerTimeoutMs,
          );
          offer.timer.unref();
        }
      }
      fw.stream?.send({ type: 'OFFERS', offers: { offers: offers.map((o) => offerWire(m, fw, o)) } });
    }
  }

  /** Stops timers and ends every scheduler stream. Agents are the cluster's to close. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.allocationTimer) clearInterval(this.allocationTimer);
    for (const o of this.observers.values()) o.stop();
    this.observers.clear();
    for (const fw of this.state.frameworks.values()) {
      if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
      for (const o of fw.offers.values()) if (o.timer) clearTimeout(o.timer);
      const s = fw.stream;
      fw.stream = undefined;
      s?.close();
    }
  }
}
