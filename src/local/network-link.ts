/**
 * The network between the local master and one agent. Normally every message passes both
 * ways; `partition()` cuts the line silently, as a switch that drops packets would: no
 * connection breaks, so neither side learns of it except by the pings the master stops
 * getting answered (the master then marks the agent unreachable, see
 * master/unreachable.ts). Meanwhile the master's messages (launch, kill, acknowledge,
 * shutdown) are lost and so are the agent's updates, which its update streams keep
 * retrying. `heal()` lets messages pass again; an agent the master has marked unreachable
 * then re-registers, as a Mesos agent does once it detects its master again.
 *
 * The master holds this link as the agent's handle; the agent holds `toMaster`.
 */
import type { AgentHandle, AgentStatusUpdate, AgentTaskReport, MasterLink } from './agent-link.js';
import type { FrameworkInfo, KillPolicy, TaskInfo } from '../mesos/types.js';

export class NetworkLink implements AgentHandle {
  private cut = false;
  private agentHandle?: AgentHandle;
  /** What the agent calls: passes on to the master while the line is up. */
  readonly toMaster: MasterLink;

  constructor(master: MasterLink) {
    this.toMaster = {
      statusUpdate: (update: AgentStatusUpdate) => {
        if (!this.cut) master.statusUpdate(update);
      },
      reregister: (agentId: string) => {
        if (!this.cut) master.reregister(agentId);
      },
    };
  }

  /** The agent at the far end (created with `toMaster`). */
  attach(agent: AgentHandle): this {
    this.agentHandle = agent;
    return this;
  }

  /** Cuts the line; false if it was already cut. */
  partition(): boolean {
    if (this.cut) return false;
    this.cut = true;
    return true;
  }

  /** Restores the line and lets the agent re-register; false if it was not cut. */
  heal(): boolean {
    if (!this.cut) return false;
    this.cut = false;
    this.toMaster.reregister(this.id);
    return true;
  }

  private get agent(): AgentHandle {
    if (this.agentHandle === undefined) throw new Error('NetworkLink used before attach()');
    return this.agentHandle;
  }

  get id(): string {
    return this.agent.id;
  }
  get hostname(): string {
    return this.agent.hostname;
  }
  get port(): number {
    return this.agent.port;
  }
  get pid(): string {
    return this.agent.pid;
  }
  get resources() {
    return this.agent.resources;
  }
  get attributes() {
    return this.agent.attributes;
  }

  start(): Promise<void> {
    return this.agent.start();
  }

  runTask(framework: FrameworkInfo & { id: { value: string } }, task: TaskInfo): void {
    if (!this.cut) this.agent.runTask(framework, task);
  }

  killTask(frameworkId: string, taskId: string, killPolicy?: KillPolicy): void {
    if (!this.cut) this.agent.killTask(frameworkId, taskId, killPolicy);
  }

  acknowledge(frameworkId: string, taskId: string, uuid: string): void {
    if (!this.cut) this.agent.acknowledge(frameworkId, taskId, uuid);
  }

  unacknowledgedUpdates(frameworkId: string): number {
    return this.agent.unacknowledgedUpdates(frameworkId);
  }

  shutdownFramework(frameworkId: string): void {
    if (!this.cut) this.agent.shutdownFramework(frameworkId);
  }

  resendPending(frameworkId: string): void {
    if (!this.cut) this.agent.resendPending(frameworkId);
  }

  ping(): boolean {
    return !this.cut && this.agent.ping();
  }

  reregistration(): AgentTaskReport[] {
    return this.agent.reregistration();
  }

  resumeUpdates(): void {
    if (!this.cut) this.agent.resumeUpdates();
  }

  /** The agent's own HTTP server answers whatever the line to the master does. */
  state(): Record<string, unknown> {
    return this.agent.state();
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  destroy(): void {
    this.agent.destroy();
  }
}
