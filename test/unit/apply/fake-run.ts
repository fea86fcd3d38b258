/**
 * Fakes for driving a RunLifecycle without a master and without real time: a clock the
 * test owns, an event source that moves that clock (a wait of `ms` with nothing scripted
 * advances it by `ms` and answers 'tick'), and a scheduler that records every call.
 */
import type { Clock } from '../../../src/apply/clock.js';
import type { EventSource, Scheduler } from '../../../src/apply/round.js';
import type { ApplyEvent } from '../../../src/apply/events.js';
import type { Pumped } from '../../../src/apply/pump.js';
import type { SessionEvent } from '../../../src/mesos/scheduler.js';
import type { Offer, TaskState, TaskStatus } from '../../../src/mesos/types.js';

export class FakeClock implements Clock {
  private t = 1_700_000_000_000;
  private timers: { at: number; fn: () => void }[] = [];

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { at: this.t + ms, fn };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }

  /** Moves time on by `ms`, firing the timers that fall due on the way, in order. */
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = until;
  }
}

export class FakeEvents implements EventSource {
  private queue: { at: number; ev: SessionEvent | 'interrupted' }[] = [];

  constructor(private readonly clock: FakeClock) {}

  /** `ev` arrives `inMs` from now. */
  push(ev: SessionEvent | 'interrupted', inMs = 0): void {
    this.queue.push({ at: this.clock.now() + inMs, ev });
    this.queue.sort((a, b) => a.at - b.at);
  }

  async next(timeoutMs: number): Promise<Pumped> {
    await Promise.resolve();
    const first = this.queue[0];
    if (first !== undefined && first.at <= this.clock.now() + timeoutMs) {
      this.queue.shift();
      this.clock.advance(Math.max(0, first.at - this.clock.now()));
      return first.ev;
    }
    this.clock.advance(timeoutMs);
    return 'tick';
  }

  async drainQueued(handle: (ev: SessionEvent) => Promise<void>): Promise<void> {
    while (this.queue[0] !== undefined && this.queue[0].at <= this.clock.now()) {
      const { ev } = this.queue.shift()!;
      if (ev !== 'interrupted') await handle(ev);
    }
  }
}

export interface Call {
  type: 'accept' | 'decline' | 'ack' | 'kill' | 'reconcile' | 'revive' | 'suppress' | 'close' | 'update-framework';
  at: number;
  ids: string[];
}

/** A scheduler that records its calls; `onAccept` lets a test answer launches with updates. */
export class FakeScheduler implements Scheduler {
  readonly calls: Call[] = [];
  stateName = 'SUBSCRIBED' as const;
  onAccept: (taskIds: string[]) => void = () => undefined;

  constructor(private readonly clock: FakeClock) {}

  of(type: Call['type']): Call[] {
    return this.calls.filter((c) => c.type === type);
  }

  private record(type: Call['type'], ids: string[]): Promise<void> {
    this.calls.push({ type, at: this.clock.now(), ids });
    return Promise.resolve();
  }

  accept: Scheduler['accept'] = (offerIds, operations) => {
    const taskIds = operations.flatMap((o) => o.launch?.task_infos?.map((t) => t.task_id.value) ?? []);
    void this.record('accept', offerIds);
    this.onAccept(taskIds);
    return Promise.resolve();
  };
  decline: Scheduler['decline'] = (offerIds) => this.record('decline', offerIds);
  acknowledgeUpdate: Scheduler['acknowledgeUpdate'] = async (status) => {
    await this.record('ack', [status.uuid ?? '']);
    return status.uuid !== undefined;
  };
  kill: Scheduler['kill'] = (taskId) => this.record('kill', [taskId]);
  reconcile: Scheduler['reconcile'] = (tasks) =>
    this.record(
      'reconcile',
      tasks.map((t) => t.taskId),
    );
  revive: Scheduler['revive'] = () => this.record('revive', []);
  suppress: Scheduler['suppress'] = () => this.record('suppress', []);
  close: Scheduler['close'] = () => this.record('close', []);
  info: Scheduler['info'] = { name: 'fw', user: 'u' };
  updateFramework: Scheduler['updateFramework'] = (info) => {
    this.info = info;
    return this.record('update-framework', []);
  };
}

let uuids = 0;

export function update(taskId: string, state: TaskState, extra: Partial<TaskStatus> = {}): SessionEvent {
  const status: TaskStatus = {
    task_id: { value: taskId },
    state,
    agent_id: { value: 'a1' },
    uuid: `uuid-${++uuids}`,
    source: 'SOURCE_EXECUTOR',
    ...extra,
  };
  return { kind: 'event', event: { type: 'UPDATE', update: { status } } } as SessionEvent;
}

export function offers(...list: Offer[]): SessionEvent {
  return { kind: 'event', event: { type: 'OFFERS', offers: { offers: list } } } as SessionEvent;
}

/** The events a run emitted, with the fake time of each. */
export function recorder(clock: FakeClock) {
  const events: { at: number; event: ApplyEvent }[] = [];
  return {
    events,
    emit: (event: ApplyEvent) => events.push({ at: clock.now(), event }),
    /** The last view emitted for `key` that is settled, with when. */
    settled(key: string) {
      return events.find((e) => e.event.type === 'instance' && e.event.view.key === key && e.event.view.settled);
    },
    notes: () => events.flatMap((e) => (e.event.type === 'note' ? [e.event.message] : [])),
  };
}
