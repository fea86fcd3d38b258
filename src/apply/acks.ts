/**
 * Acknowledgements of one run: every update that carries a uuid is acknowledged at once
 * (whoever launched the task), a failed acknowledgement is a warning (the agent resends
 * the update, the next run acknowledges it), and the run waits for all of them before it
 * closes its connection.
 */
import type { SchedulerSession } from '../mesos/scheduler.js';
import type { TaskStatus } from '../mesos/types.js';
import { errorOf } from './errors.js';

export class Acknowledger {
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Every uuid this run acknowledged (or is acknowledging). */
  private readonly sent = new Set<string>();

  constructor(private readonly warn: (message: string) => void) {}

  ack(session: Pick<SchedulerSession, 'acknowledgeUpdate'>, status: TaskStatus): void {
    if (status.uuid === undefined) return;
    this.sent.add(status.uuid);
    const ack = session
      .acknowledgeUpdate(status)
      .catch((e) => this.warn(`acknowledging ${status.task_id.value} ${status.state} failed: ${errorOf(e).message}`));
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
