/**
 * `SlaveObserver`: the master pings each registered agent every `--agent_ping_timeout`; a
 * ping whose pong has not come back by the next one is a timeout, and
 * `--max_agent_ping_timeouts` of them in a row give the agent up (the master marks it
 * unreachable). Any pong starts the count over. The pong of an in-process agent comes back
 * at once or never (network-link.ts), so a loaded machine cannot make one late.
 */
import type { AgentHandle } from '../agent-link.js';

export class AgentObserver {
  private timer?: NodeJS.Timeout;
  /** The last ping is still unanswered. */
  private pinged = false;
  private timeouts = 0;

  constructor(
    private readonly agent: AgentHandle,
    private readonly pingTimeoutMs: number,
    private readonly maxTimeouts: number,
    private readonly onUnreachable: () => void,
  ) {}

  start(): void {
    this.ping();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private ping(): void {
    this.pinged = !this.agent.ping();
    if (!this.pinged) this.timeouts = 0;
    this.timer = setTimeout(() => this.timeout(), this.pingTimeoutMs);
    this.timer.unref();
  }

  private timeout(): void {
    if (this.pinged && ++this.timeouts >= this.maxTimeouts) {
      this.timer = undefined;
      this.onUnreachable();
      return;
    }
    this.ping();
  }
}
