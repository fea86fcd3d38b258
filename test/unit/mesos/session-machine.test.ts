import { describe, expect, it } from 'vitest';
import { MesosError } from '../../../src/mesos/errors.js';
import {
  initialState,
  step,
  type MachineConfig,
  type SessionEffect,
  type SessionInput,
  type SessionState,
} from '../../../src/mesos/session-machine.js';
import type { Event } from '../../../src/mesos/types.js';

const cfg: MachineConfig = { maxAttempts: 3, heartbeatMisses: 5, defaultHeartbeatSeconds: 15 };

const SUBSCRIBED: Event = {
  type: 'SUBSCRIBED',
  subscribed: { framework_id: { value: 'fw-1' }, heartbeat_interval_seconds: 2 },
};
const HEARTBEAT: Event = { type: 'HEARTBEAT' };
const error = (message: string): Event => ({ type: 'ERROR', error: { message } });

function run(
  inputs: SessionInput[],
  from: SessionState = initialState(),
): { state: SessionState; effects: SessionEffect[] } {
  let state = from;
  const effects: SessionEffect[] = [];
  for (const input of inputs) {
    const r = step(state, input, cfg);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}

const types = (effects: SessionEffect[]) => effects.map((e) => e.type);

/** start → connected → SUBSCRIBED on generation 1. */
const subscribe: SessionInput[] = [
  { type: 'start' },
  { type: 'connected', gen: 1, streamId: 's1', leaderUrl: 'http://m1:5050' },
  { type: 'event', gen: 1, event: SUBSCRIBED },
];

describe('session state machine', () => {
  it('DISCONNECTED → CONNECTING → SUBSCRIBING → SUBSCRIBED', () => {
    let r = run([subscribe[0]]);
    expect(r.state.name).toBe('CONNECTING');
    expect(r.effects).toEqual([{ type: 'connect', gen: 1, frameworkId: undefined }]);
    r = run(subscribe.slice(1, 2), r.state);
    expect(r.state.name).toBe('SUBSCRIBING');
    expect(r.effects).toEqual([{ type: 'arm_watchdog', gen: 1, ms: 75_000 }]);
    r = run(subscribe.slice(2), r.state);
    expect(r.state.name).toBe('SUBSCRIBED');
    expect(r.effects[0]).toEqual({ type: 'arm_watchdog', gen: 1, ms: 10_000 }); // 5 × 2 s from SUBSCRIBED
    expect(r.effects[1]).toMatchObject({
      type: 'subscribed',
      resubscribed: false,
      info: { frameworkId: 'fw-1', streamId: 's1', heartbeatIntervalSeconds: 2, leaderUrl: 'http://m1:5050' },
    });
    expect(types(r.effects)).not.toContain('deliver'); // SUBSCRIBED is the session's, not the caller's
  });

  it('passes an existing framework id to the first connect', () => {
    expect(run([{ type: 'start' }], initialState('fw-0')).effects).toEqual([
      { type: 'connect', gen: 1, frameworkId: 'fw-0' },
    ]);
  });

  it('delivers events in order and re-arms the watchdog on each, heartbeats included', () => {
    const r = run([
      ...subscribe,
      { type: 'event', gen: 1, event: HEARTBEAT },
      { type: 'event', gen: 1, event: { type: 'OFFERS' } },
    ]);
    const tail = r.effects.slice(4); // after connect, arm (SUBSCRIBING), arm + subscribed (SUBSCRIBED)
    expect(tail).toEqual([
      { type: 'arm_watchdog', gen: 1, ms: 10_000 },
      { type: 'deliver', event: { kind: 'event', event: HEARTBEAT } },
      { type: 'arm_watchdog', gen: 1, ms: 10_000 },
      { type: 'deliver', event: { kind: 'event', event: { type: 'OFFERS' } } },
    ]);
  });

  it('a stream that carried what no master sends ends the session at once, before or after SUBSCRIBED', () => {
    const bad = new MesosError('MA_ERR_BAD_RESPONSE', 'Scheduler event: offers.offers[0].id: expected an object');
    for (const before of [subscribe, subscribe.slice(0, 2)]) {
      const r = run([...before, { type: 'stream_ended', gen: 1, error: bad, final: true }]);
      expect(r.state).toEqual({ name: 'CLOSED', gen: 1, error: bad });
      expect(types(r.effects)).not.toContain('schedule_retry');
      expect(r.effects).toContainEqual({ type: 'fail', error: bad });
    }
  });

  it('a stream that ends while subscribed reconnects with the same framework id, then reports resubscribed', () => {
    let r = run([...subscribe, { type: 'stream_ended', gen: 1 }]);
    expect(r.state.name).toBe('DISCONNECTED');
    expect(r.effects.slice(-3)).toEqual([
      { type: 'disarm_watchdog' },
      { type: 'disconnect', gen: 1 },
      { type: 'schedule_retry', gen: 1, attempt: 0 },
    ]);
    r = run([{ type: 'retry_timer', gen: 1 }], r.state);
    expect(r.effects).toEqual([{ type: 'connect', gen: 2, frameworkId: 'fw-1' }]);
    r = run(
      [
        { type: 'connected', gen: 2, streamId: 's2', leaderUrl: 'http://m2:5050' },
        { type: 'event', gen: 2, event: SUBSCRIBED },
      ],
      r.state,
    );
    expect(r.state.name).toBe('SUBSCRIBED');
    expect(r.effects).toContainEqual(expect.objectContaining({ type: 'subscribed', resubscribed: true }));
    expect(r.effects.at(-1)).toMatchObject({ type: 'deliver', event: { kind: 'resubscribed', frameworkId: 'fw-1' } });
  });

  it('ignores late callbacks of an old connection (generation guard)', () => {
    const r1 = run([...subscribe, { type: 'stream_ended', gen: 1 }, { type: 'retry_timer', gen: 1 }]);
    const r = run(
      [
        { type: 'connected', gen: 2, streamId: 's2', leaderUrl: 'u' },
        { type: 'stream_ended', gen: 1 },
        { type: 'heartbeat_timeout', gen: 1 },
        { type: 'event', gen: 1, event: error('Framework failed over') },
        { type: 'retry_timer', gen: 1 },
      ],
      r1.state,
    );
    expect(r.state.name).toBe('SUBSCRIBING');
    expect(r.state.gen).toBe(2);
    expect(types(r.effects)).toEqual(['arm_watchdog']);
  });

  it('heartbeat silence while subscribed drops the connection and reconnects', () => {
    const r = run([...subscribe, { type: 'heartbeat_timeout', gen: 1 }]);
    expect(r.state.name).toBe('DISCONNECTED');
    expect(types(r.effects).slice(-3)).toEqual(['disarm_watchdog', 'disconnect', 'schedule_retry']);
  });

  it('heartbeat silence with reconnect disabled closes with MA_ERR_HEARTBEAT_TIMEOUT', () => {
    const r = step(run(subscribe).state, { type: 'heartbeat_timeout', gen: 1 }, { ...cfg, maxAttempts: 0 });
    expect(r.state).toMatchObject({ name: 'CLOSED', error: { code: 'MA_ERR_HEARTBEAT_TIMEOUT' } });
    expect(r.effects.at(-1)).toMatchObject({
      type: 'deliver',
      event: { kind: 'closed', error: { code: 'MA_ERR_HEARTBEAT_TIMEOUT' } },
    });
  });

  it('"Framework failed over" ends the session for good: MA_ERR_FAILED_OVER, no reconnect', () => {
    const r = run([
      ...subscribe,
      { type: 'event', gen: 1, event: error('Framework failed over') },
      { type: 'stream_ended', gen: 1 },
    ]);
    expect(r.state).toMatchObject({ name: 'CLOSED', error: { code: 'MA_ERR_FAILED_OVER' } });
    expect(types(r.effects)).not.toContain('schedule_retry');
    expect(r.effects.filter((e) => e.type === 'deliver').at(-1)).toMatchObject({ event: { kind: 'closed' } });
  });

  it('an ERROR instead of SUBSCRIBED is a refusal; "has been removed" has its own code', () => {
    const refused = run([
      subscribe[0],
      subscribe[1],
      { type: 'event', gen: 1, event: error("'FrameworkInfo.role' must not be set") },
    ]);
    expect(refused.state).toMatchObject({ name: 'CLOSED', error: { code: 'MA_ERR_SUBSCRIBE_REFUSED' } });
    expect(refused.effects).toContainEqual(expect.objectContaining({ type: 'fail' }));
    const removed = run([
      subscribe[0],
      subscribe[1],
      { type: 'event', gen: 1, event: error('Framework has been removed') },
    ]);
    expect(removed.state).toMatchObject({ name: 'CLOSED', error: { code: 'MA_ERR_FRAMEWORK_REMOVED' } });
  });

  it('retryable connect failures back off with growing attempts, then give up', () => {
    const fail = (gen: number): SessionInput => ({
      type: 'connect_failed',
      gen,
      error: new MesosError('MA_ERR_NO_LEADER', 'no leader'),
      retryable: true,
    });
    let r = run([{ type: 'start' }, fail(1)]);
    expect(r.effects.at(-1)).toEqual({ type: 'schedule_retry', gen: 1, attempt: 1 });
    r = run([{ type: 'retry_timer', gen: 1 }, fail(2)], r.state);
    expect(r.effects.at(-1)).toEqual({ type: 'schedule_retry', gen: 2, attempt: 2 });
    r = run([{ type: 'retry_timer', gen: 2 }, fail(3)], r.state);
    expect(r.state).toMatchObject({ name: 'CLOSED', error: { code: 'MA_ERR_NO_LEADER' } });
  });

  it('a non-retryable failure (401) closes at once', () => {
    const r = run([
      { type: 'start' },
      { type: 'connect_failed', gen: 1, error: new MesosError('MA_ERR_UNAUTHORIZED', '401'), retryable: false },
    ]);
    expect(r.state).toMatchObject({ name: 'CLOSED', error: { code: 'MA_ERR_UNAUTHORIZED' } });
  });

  it('after TEARDOWN the end of the stream closes quietly instead of reconnecting', () => {
    const r = run([...subscribe, { type: 'teardown_sent' }, { type: 'stream_ended', gen: 1 }]);
    expect(r.state).toEqual({ name: 'CLOSED', gen: 1, error: undefined });
    expect(types(r.effects)).not.toContain('schedule_retry');
  });

  it('close is terminal and idempotent; nothing happens afterwards', () => {
    const r = run([...subscribe, { type: 'close' }]);
    expect(r.state.name).toBe('CLOSED');
    expect(types(r.effects).slice(-4)).toEqual(['disarm_watchdog', 'disconnect', 'fail', 'deliver']);
    const again = run([{ type: 'close' }, { type: 'start' }, { type: 'event', gen: 1, event: HEARTBEAT }], r.state);
    expect(again.effects).toEqual([]);
  });

  it('start only works once', () => {
    const r = run([{ type: 'start' }, { type: 'start' }]);
    expect(types(r.effects)).toEqual(['connect']);
  });
});
