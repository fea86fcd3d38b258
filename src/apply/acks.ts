/**
 * Acknowledgements of one run: every update that carries a uuid is acknowledged as it
 * arrives (whoever launched the task), once: an agent resends an update it has not seen
 * acknowledged after 10 s, and a run that is behind receives the copy while its first
 * acknowledgement is still on its way; acknowledging the copy too only adds to the backlog
 * that made the agent resend (at 10,000 tasks under load, 36,400 ACKNOWLEDGE calls for
 * 20,000 updates). A failed acknowledgement is a warning and is forgotten, so the agent's
 * resend (or the leaving pass, pending-acks.ts) is acknowledged again. An accepted one can
 * still be lost: the master passes it on to the agent without a reply, and drops it if the
 * agent is cut off (a partition). So a copy that arrives `ACK_AGAIN_MS` or more after the
 * master accepted the acknowledgement is acknowledged again: without that, a long-running
 * controller would never see another update of that task. The run waits for all of them
 * before it closes its connection.
 */
import type { SchedulerSession } from '../mesos/scheduler.js';
import type { TaskStatus } from '../mesos/types.js';
import { errorOf } from './errors.js';

/**
 * An agent resends an unacknowledged update after 10 s at the earliest (Mesos): a copy that
 * comes this long after the master accepted the acknowledgement is a resend of one that never
 * reached the agent, not one that crossed it on the way.
 */
const ACK_AGAIN_MS = 5_000;

export class Acknowledger {
  private readonly inFlight = new Set<Promise<unknown>>();
  /**
   * Every uuid this run acknowledged (or is acknowledging), but for those that failed: when
   * the master accepted it, +Infinity while it is on its way.
   */
  private readonly sent = new Map<string, number>();

  constructor(
    private readonly warn: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  ack(session: Pick<SchedulerSession, 'acknowledgeUpdate'>, status: TaskStatus): void {
    const uuid = status.uuid;
    if (uuid === undefined) return;
    const at = this.sent.get(uuid);
    if (at !== undefined && this.now() - at < ACK_AGAIN_MS) return;
    this.sent.set(uuid, Number.POSITIVE_INFINITY);
    const ack = session.acknowledgeUpdate(status).then(
      () => {
        this.sent.set(uuid, this.now());
      },
      (e) => {
        this.sent.delete(uuid);
        this.warn(`acknowledging ${status.task_id.value} ${status.state} failed: ${errorOf(e).message}`);
      },
    );
    this.inFlight.add(ack);
    void ack.finally(() => this.inFlight.delete(ack));
  }

  has(uuid: string): boolean {
    return this.sent.has(uuid);
  }

  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}
