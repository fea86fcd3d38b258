/**
 * Reads a session's ordered events with a timeout, without ever losing one: the pending
 * `next()` of the iterator is kept across calls, so a timeout only means "nothing yet".
 */
import type { SessionEvent } from '../mesos/scheduler.js';

export type Pumped = SessionEvent | 'tick' | 'interrupted';

export class EventPump {
  private readonly iterator: AsyncIterator<SessionEvent>;
  private pending: Promise<IteratorResult<SessionEvent>> | undefined;
  private interrupted = false;
  private ended = false;

  constructor(events: AsyncIterable<SessionEvent>, interrupted: Promise<unknown>) {
    this.iterator = events[Symbol.asyncIterator]();
    void interrupted.then(() => (this.interrupted = true));
  }

  /** The next event, 'tick' after `timeoutMs` without one, or 'interrupted'. */
  async next(timeoutMs: number): Promise<Pumped> {
    if (this.interrupted) return 'interrupted';
    if (this.ended) {
      await sleep(timeoutMs);
      return this.interrupted ? 'interrupted' : 'tick';
    }
    this.pending ??= this.iterator.next();
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<'tick'>((resolve) => (timer = setTimeout(() => resolve('tick'), timeoutMs)));
    const got = await Promise.race([this.pending, tick]);
    clearTimeout(timer);
    if (got === 'tick') return this.interrupted ? 'interrupted' : 'tick';
    this.pending = undefined;
    if (got.done) {
      this.ended = true;
      return { kind: 'closed' };
    }
    return got.value;
  }

  /** Handles every event that is already waiting, without waiting for more. */
  async drain(handle: (ev: SessionEvent) => Promise<void>): Promise<void> {
    for (;;) {
      const ev = await this.next(0);
      if (ev === 'tick' || ev === 'interrupted') return;
      await handle(ev);
      if (ev.kind === 'closed') return;
    }
  }

  /**
   * Hands the events already queued to `handle`, even after an interrupt (a run that
   * leaves still acknowledges the updates it received), without waiting for more.
   */
  async drainQueued(handle: (ev: SessionEvent) => Promise<void>): Promise<void> {
    while (!this.ended) {
      this.pending ??= this.iterator.next();
      const got = await Promise.race([this.pending, new Promise<'none'>((resolve) => setImmediate(() => resolve('none')))]);
      if (got === 'none') return;
      this.pending = undefined;
      if (got.done) {
        this.ended = true;
        return;
      }
      await handle(got.value);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
