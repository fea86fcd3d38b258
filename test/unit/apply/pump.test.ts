import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../../src/mesos/event-queue.js';
import type { SessionEvent } from '../../../src/mesos/scheduler.js';
import { EventPump } from '../../../src/apply/pump.js';

const update = (id: string): SessionEvent =>
  ({
    kind: 'event',
    event: {
      type: 'UPDATE',
      update: {
        status: {
          task_id: { value: id },
          state: 'TASK_RUNNING',
          uuid: 'AAAAAAAAAAAAAAAAAAAAAA==',
          agent_id: { value: 'a' },
        },
      },
    },
  }) as SessionEvent;

describe('EventPump', () => {
  it('next() answers interrupted once interrupted, but drainQueued still hands out what is queued', async () => {
    const q = new EventQueue<SessionEvent>();
    let interrupt!: () => void;
    const interrupted = new Promise<void>((r) => (interrupt = r));
    const pump = new EventPump(q, interrupted);
    q.push(update('t1'));
    expect(await pump.next(10)).toMatchObject({ kind: 'event' });
    q.push(update('t2'));
    q.push(update('t3'));
    interrupt();
    await interrupted;
    expect(await pump.next(10)).toBe('interrupted');
    const seen: string[] = [];
    await pump.drainQueued(async (ev) => {
      if (ev.kind === 'event' && ev.event.update) seen.push(ev.event.update.status.task_id.value);
    });
    expect(seen).toEqual(['t2', 't3']);
  });

  it('drainQueued returns at once when nothing is queued, and stops at the end of the stream', async () => {
    const q = new EventQueue<SessionEvent>();
    const pump = new EventPump(q, new Promise(() => undefined));
    const seen: SessionEvent[] = [];
    await pump.drainQueued(async (ev) => void seen.push(ev));
    expect(seen).toEqual([]);
    q.push(update('t1'));
    q.end();
    await pump.drainQueued(async (ev) => void seen.push(ev));
    expect(seen).toHaveLength(1);
  });

  it("next(ms) answers 'tick' after ms without an event, and an event that comes during a wait ends it at once", async () => {
    const q = new EventQueue<SessionEvent>();
    const pump = new EventPump(q, new Promise(() => undefined));
    const t0 = performance.now();
    expect(await pump.next(30)).toBe('tick');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    setTimeout(() => q.push(update('t1')), 10);
    const t1 = performance.now();
    expect(await pump.next(5_000)).toMatchObject({ kind: 'event' });
    expect(performance.now() - t1).toBeLessThan(2_000);
    // The wait's timer, re-armed for a shorter wait, ticks at the new time.
    expect(await pump.next(20)).toBe('tick');
  });
});
