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
 *
 * At most ACKS_IN_FLIGHT are on their way at once, the rest wait here in arrival order.
 * The connection pool sends no more than that at a time anyway, and a call waiting inside
 * it holds its whole chain of pending requests: at 10,000 tasks the updates outran their
 * acknowledgements by about 10,000, and those queued calls were some 100 MB of the heap.
 */
import type { SchedulerSession } from '../mesos/scheduler.js';
import type { TaskStatus } from '../mesos/types.js';
import { errorOf } from './errors.js';
import { CALLS_IN_FLIGHT } from './in-flight.js';

/**
 * An agent resends an unacknowledged update after 10 s at the earliest (Mesos): a copy that
 * comes this long after the master accepted the acknowledgement is a resend of one that never
 * reached the agent, not one that crossed it on the way.
 */
const ACK_AGAIN_MS = 5_000;

/** Acknowledgements on their way at once: as many as the pool has connections. */
export const ACKS_IN_FLIGHT = CALLS_IN_FLIGHT;

type Session = Pick<SchedulerSession, 'acknowledgeUpdate'>;

export class Acknowledger {
  /** Waiting to be sent, from `head` on, in arrival order. */
  private queue: { session: Session; status: TaskStatus }[] = [];
  private head = 0;
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  /**
   * Every uuid this run acknowledged (or is acknowledging), but for those that failed: when
   * the master accepted it, +Infinity while it is on its way.
   */
  private readonly sent = new Map<string, number>();

  constructor(
    private readonly warn: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  ack(session: Session, status: TaskStatus): void {
    const uuid = status.uuid;
    if (uuid === undefined) return;
    const at = this.sent.get(uuid);
    if (at !== undefined && this.now() - at < ACK_AGAIN_MS) return;
    this.sent.set(uuid, Number.POSITIVE_INFINITY);
    this.queue.push({ session, status });
    this.sendQueued();
  }

  private sendQueued(): void {
    while (this.active < ACKS_IN_FLIGHT && this.head < this.queue.length) {
      const { session, status } = this.queue[this.head]!;
      this.head += 1;
      this.active += 1;
      void this.send(session, status).finally(() => {
        this.active -= 1;
        this.sendQueued();
      });
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.active === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private async send(session: Session, status: TaskStatus): Promise<void> {
    const uuid = status.uuid!;
    try {
      await session.acknowledgeUpdate(status);
      this.sent.set(uuid, this.now());
    } catch (e) {
      this.sent.delete(uuid);
      this.warn(`acknowledging ${status.task_id.value} ${status.state} failed: ${errorOf(e).message}`);
    }
  }

  has(uuid: string): boolean {
    return this.sent.has(uuid);
  }

  /** Resolves once every acknowledgement asked for so far (and any asked for meanwhile) was answered. */
  settled(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
