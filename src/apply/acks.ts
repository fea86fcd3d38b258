/**
 * Acknowledgements of one run: every update that carries a uuid is acknowledged as it
 * arrives (whoever launched the task), once: an agent resends an update it has not seen
 * acknowledged after 10 s, and a run that is behind receives the copy while its first
 * acknowledgement is still on its way; acknowledging the copy too only adds to the backlog
 * that made the agent resend (at 10,000 tasks under load, 36,400 ACKNOWLEDGE calls for
 * 20,000 updates). A failed acknowledgement is a warning and is forgotten, so the agent's
 * resend (or the leaving pass, pending-acks.ts) is acknowledged again. The run waits for all
 * of them before it closes its connection.
 */
import type { SchedulerSession } from '../mesos/scheduler.js';
import type { TaskStatus } from '../mesos/types.js';
import { errorOf } from './errors.js';

export class Acknowledger {
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Every uuid this run acknowledged (or is acknowledging), but for those that failed. */
  private readonly sent = new Set<string>();

  constructor(private readonly warn: (message: string) => void) {}

  ack(session: Pick<SchedulerSession, 'acknowledgeUpdate'>, status: TaskStatus): void {
    const uuid = status.uuid;
    if (uuid === undefined || this.sent.has(uuid)) return;
    this.sent.add(uuid);
    const ack = session.acknowledgeUpdate(status).catch((e) => {
      this.sent.delete(uuid);
      this.warn(`acknowledging ${status.task_id.value} ${status.state} failed: ${errorOf(e).message}`);
    });
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
