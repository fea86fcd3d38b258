/**
 * Reads a session's ordered events with a timeout, without ever losing one: the pending
 * `next()` of the iterator is kept across calls, so a timeout only means "nothing yet".
 */
import type { SessionEvent } from '../mesos/scheduler.js';

export type Pumped = SessionEvent | 'tick' | 'interrupted';

export class EventPump {
  private readonly iterator: AsyncIterator<SessionEvent>;
  private pending: Promise<IteratorResult<SessionEvent>> | undefined;
  /** What `pending` resolved to, once it has: taken without a timer and a race. */
  private arrived: IteratorResult<SessionEvent> | undefined;
  private interrupted = false;
  private ended = false;
  /** The caller of next() waiting now: woken by an event (from fetch) or by the tick timer. */
  private waiter: ((r: IteratorResult<SessionEvent> | 'tick') => void) | undefined;
  /** One timer for every wait, re-armed with refresh(): no timer, race and clear per event. */
  private tick: { timer: NodeJS.Timeout; ms: number } | undefined;

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
    let got = this.arrived;
    if (got === undefined) {
      const pending = this.fetch();
      const raced = await new Promise<IteratorResult<SessionEvent> | 'tick'>((resolve, reject) => {
        this.waiter = resolve;
        pending.catch(reject);
        this.armTick(timeoutMs);
      });
      this.waiter = undefined;
      // Not waiting: a tick that fires now wakes nobody and must not hold the process open.
      this.tick?.timer.unref();
      if (raced === 'tick') return this.interrupted ? 'interrupted' : 'tick';
      got = raced;
    }
    const ev = this.take(got);
    if (ev === undefined) return { kind: 'closed' };
    // Ask for the next event now: while the caller handles this one it arrives (or is
    // already queued), and the next call takes it without a timer and a race per event.
    this.fetch();
    return ev;
  }

  /** The tick fires `ms` from now unless an event comes first (then it fires for nobody). */
  private armTick(ms: number): void {
    if (this.tick === undefined || this.tick.ms !== ms) {
      if (this.tick !== undefined) clearTimeout(this.tick.timer);
      this.tick = { timer: setTimeout(() => this.waiter?.('tick'), ms), ms };
    } else {
      this.tick.timer.refresh();
    }
    this.tick.timer.ref();
  }

  /** `got` is handed out: the next one must be asked for. Undefined when the events ended. */
  private take(got: IteratorResult<SessionEvent>): SessionEvent | undefined {
    this.pending = undefined;
    this.arrived = undefined;
    if (!got.done) return got.value;
    this.ended = true;
    return undefined;
  }

  /** The pending `next()` of the iterator, asked for once and remembered when it settles. */
  private fetch(): Promise<IteratorResult<SessionEvent>> {
    if (this.pending === undefined) {
      const p = this.iterator.next();
      this.pending = p;
      p.then(
        (r) => {
          if (this.pending !== p) return;
          this.arrived = r;
          this.waiter?.(r);
        },
        () => undefined, // next() sees the rejection through its own catch
      );
    }
    return this.pending;
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
      const pending = this.fetch();
      const got =
        this.arrived ??
        (await Promise.race([pending, new Promise<'none'>((resolve) => setImmediate(() => resolve('none')))]));
      if (got === 'none') return;
      const ev = this.take(got);
      if (ev === undefined) return;
      await handle(ev);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
