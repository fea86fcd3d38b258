import { describe, expect, it } from 'vitest';
import { describeHolder, holderLabels, holderOf, withHolder, type Holder } from '../../../src/apply/holder.js';
import {
  initialLease,
  registrationOrder,
  step,
  type LeaseConfig,
  type LeaseEffect,
  type LeaseInput,
  type LeaseState,
} from '../../../src/apply/lease-machine.js';
import type { OperatorFramework } from '../../../src/mesos/types.js';

const T0 = 1_800_000_000_000;
const cfg: LeaseConfig = {
  framework: 'web',
  takeover: false,
  lockTimeoutMs: 60_000,
  startedAt: T0,
  pollMs: 500,
  raceGraceMs: 15_000,
  maxRounds: 3,
};

const alice: Holder = {
  run: 'ci-1/42/1',
  host: 'ci-1',
  user: 'alice',
  pid: 42,
  command: 'mesos-apply -f web.yaml',
  since: '2026-12-03T10:00:00.000Z',
  takeover: false,
};

function fw(id: string, opts: { connected?: boolean; registeredMs?: number; holder?: Holder } = {}): OperatorFramework {
  const f: OperatorFramework = {
    framework_info: { user: 'alice', name: 'web', id: { value: id } },
    active: opts.connected ?? false,
    connected: opts.connected ?? false,
    recovered: false,
    registered_time: { nanoseconds: (opts.registeredMs ?? T0 - 3_600_000) * 1e6 },
  };
  if (opts.holder) f.framework_info.labels = { labels: holderLabels(opts.holder) };
  return f;
}

function run(inputs: LeaseInput[], from: LeaseState = initialLease, config = cfg) {
  let state = from;
  const effects: LeaseEffect[] = [];
  for (const input of inputs) {
    const r = step(state, input, config);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}

const types = (effects: LeaseEffect[]) => effects.map((e) => e.type);

describe('lease: a framework nobody holds', () => {
  it('subscribes with the id of a disconnected framework, and holds it at once', () => {
    const f = fw('fw-1');
    const r = run([
      { type: 'frameworks', live: [f], now: T0 },
      { type: 'subscribed', frameworkId: 'fw-1' },
    ]);
    expect(r.effects).toEqual([
      { type: 'subscribe', existing: f },
      { type: 'held', frameworkId: 'fw-1' },
    ]);
    expect(r.state).toEqual({ name: 'held', rounds: 0, frameworkId: 'fw-1' });
  });

  it('registers a new framework when none has the name, then checks that no racing run registered one first', () => {
    const r = run([
      { type: 'frameworks', live: [], now: T0 },
      { type: 'subscribed', frameworkId: 'fw-2' },
    ]);
    expect(r.effects).toEqual([{ type: 'subscribe' }, { type: 'read_frameworks', afterMs: 0 }]);
    expect(r.state.name).toBe('confirming');
    const won = run(
      [{ type: 'frameworks', live: [fw('fw-2', { connected: true, registeredMs: T0 })], now: T0 }],
      r.state,
    );
    expect(won.state).toEqual({ name: 'held', rounds: 0, frameworkId: 'fw-2' });
  });

  it('never registers one when it must exist (delete)', () => {
    const r = run([{ type: 'frameworks', live: [], now: T0 }], initialLease, { ...cfg, mustExist: true });
    expect(r.state).toMatchObject({ name: 'failed', code: 'MA_ERR_NO_FRAMEWORK' });
  });
});

describe('lease: a framework another run holds', () => {
  const held = fw('fw-1', { connected: true, holder: alice });

  it('waits, saying once who holds it and since when, then subscribes once it is free', () => {
    const r = run([
      { type: 'frameworks', live: [held], now: T0 },
      { type: 'frameworks', live: [held], now: T0 + 500 },
      { type: 'frameworks', live: [fw('fw-1', { holder: alice })], now: T0 + 1000 },
    ]);
    expect(types(r.effects)).toEqual(['progress', 'read_frameworks', 'read_frameworks', 'subscribe']);
    const progress = r.effects[0] as Extract<LeaseEffect, { type: 'progress' }>;
    expect(progress.message).toBe(
      "framework 'web' is held by alice@ci-1 (pid 42, `mesos-apply -f web.yaml`) since 2026-12-03T10:00:00.000Z; waiting for it (--lock-timeout 60s)",
    );
    expect(r.effects[1]).toEqual({ type: 'read_frameworks', afterMs: 500 });
  });

  it('--lock-timeout 0 fails at once naming the holder; a longer one fails at its deadline', () => {
    const now = run([{ type: 'frameworks', live: [held], now: T0 }], initialLease, { ...cfg, lockTimeoutMs: 0 });
    expect(now.state).toMatchObject({ name: 'failed', code: 'MA_ERR_LOCKED' });
    expect(now.effects[0]).toMatchObject({ message: expect.stringContaining('held by alice@ci-1 (pid 42') });
    const later = run([
      { type: 'frameworks', live: [held], now: T0 },
      { type: 'frameworks', live: [held], now: T0 + 60_000 },
    ]);
    expect(later.state).toMatchObject({ name: 'failed', code: 'MA_ERR_LOCKED' });
    expect(later.effects.at(-1)).toMatchObject({
      message: expect.stringContaining('after waiting --lock-timeout (60s)'),
    });
  });

  it('--takeover subscribes at once and says from whom', () => {
    const r = run([{ type: 'frameworks', live: [held], now: T0 }], initialLease, { ...cfg, takeover: true });
    expect(types(r.effects)).toEqual(['progress', 'subscribe']);
    expect(r.effects[0]).toMatchObject({ message: expect.stringContaining('taking framework') });
  });

  it('names a scheduler that is not mesos-apply by what Mesos shows', () => {
    const other = fw('fw-9', { connected: true });
    other.framework_info.hostname = 'marathon-1';
    expect(describeHolder(other)).toMatch(/^a scheduler that is not mesos-apply \(alice@marathon-1\) since /);
  });
});

describe('lease: races', () => {
  it('a run failed over by a racing run goes back to waiting (launched or not), up to maxRounds', () => {
    const heldState: LeaseState = { name: 'held', rounds: 0, frameworkId: 'fw-1' };
    const once = run([{ type: 'failed_over', launched: 2 }], heldState);
    expect(once.state).toEqual({ name: 'checking', rounds: 1 });
    expect(once.effects[0]).toMatchObject({ message: expect.stringContaining('after this run launched 2 task(s)') });
    expect(once.effects[1]).toEqual({ type: 'read_frameworks', afterMs: 0 });
    const named = run([{ type: 'failed_over', launched: 0, by: alice }], heldState);
    expect(named.effects[0]).toMatchObject({
      message:
        "alice@ci-1 (pid 42, `mesos-apply -f web.yaml`) took framework 'web' in the same moment, before this run launched anything; waiting for its lease",
    });
    const tooMany = run([{ type: 'failed_over', launched: 0 }], { ...heldState, rounds: 3 });
    expect(tooMany.state).toMatchObject({ name: 'failed', code: 'MA_ERR_FAILED_OVER' });
  });

  it('a failover by a --takeover run is final', () => {
    const r = run([{ type: 'failed_over', launched: 0, by: { ...alice, takeover: true } }], {
      name: 'held',
      rounds: 0,
      frameworkId: 'fw-1',
    });
    expect(r.state).toMatchObject({ name: 'failed', code: 'MA_ERR_FAILED_OVER' });
    expect(r.effects[0]).toMatchObject({ message: expect.stringContaining('taken over by alice@ci-1') });
  });

  it('two first applies: the framework registered first wins, both runs agree, the other tears its own down', () => {
    const a = fw('fw-a', { connected: true, registeredMs: T0 });
    const b = fw('fw-b', { connected: true, registeredMs: T0 + 3 });
    const live = [b, a];
    const winner = run([{ type: 'frameworks', live, now: T0 + 5 }], {
      name: 'confirming',
      rounds: 0,
      frameworkId: 'fw-a',
    });
    expect(winner.state).toEqual({ name: 'held', rounds: 0, frameworkId: 'fw-a' });
    const loser = run([{ type: 'frameworks', live, now: T0 + 5 }], {
      name: 'confirming',
      rounds: 0,
      frameworkId: 'fw-b',
    });
    expect(types(loser.effects)).toEqual(['progress', 'teardown_own']);
    expect(loser.effects[1]).toEqual({ type: 'teardown_own', frameworkId: 'fw-b' });
    const after = run([{ type: 'torn_down' }], loser.state);
    expect(after.state).toEqual({ name: 'checking', rounds: 1 });
    // Same registration time: the framework id decides.
    const c = fw('fw-c', { registeredMs: T0 });
    expect([fw('fw-d', { registeredMs: T0 }), c].sort(registrationOrder)[0]).toBe(c);
  });

  it('two live frameworks of the name: a fresh racing one is waited for, a stray one is an error naming both', () => {
    const old = fw('fw-a', { registeredMs: T0 - 86_400_000 });
    const fresh = fw('fw-b', { connected: true, registeredMs: T0 - 1000 });
    const racing = run([{ type: 'frameworks', live: [old, fresh], now: T0 }]);
    expect(types(racing.effects)).toEqual(['progress', 'read_frameworks']);
    const stray = fw('fw-b', { connected: false, registeredMs: T0 - 3_600_000 });
    const dup = run([{ type: 'frameworks', live: [old, stray], now: T0 }]);
    expect(dup.state).toMatchObject({ name: 'failed', code: 'MA_ERR_DUPLICATE_FRAMEWORK' });
    expect(dup.effects[0]).toMatchObject({ message: expect.stringMatching(/fw-a .*fw-b/) });
  });
});

describe('holder labels', () => {
  it('round-trip, replace an earlier holder and keep other labels', () => {
    const labels = withHolder([{ key: 'team', value: 'infra' }, ...holderLabels({ ...alice, user: 'bob' })], alice);
    expect(labels.filter((l) => l.key === 'team')).toHaveLength(1);
    const f = fw('fw-1');
    f.framework_info.labels = { labels };
    expect(holderOf(f)).toEqual(alice);
  });
});

describe('lease: a namespace a controller holds', () => {
  const ctl: Holder = { ...alice, command: 'mesos-apply controller -f deploy/', controller: '127.0.0.1:9470' };
  const held = fw('fw-1', { connected: true, holder: ctl });

  it('a one-shot run refuses at once, naming the controller and where it runs', () => {
    const r = run([{ type: 'frameworks', live: [held], now: T0 }]);
    expect(r.state).toMatchObject({ name: 'failed', code: 'MA_ERR_CONTROLLED' });
    const fail = r.effects.find((e) => e.type === 'fail');
    expect(fail).toMatchObject({
      message: expect.stringContaining(
        "framework 'web' is held by the controller alice@ci-1 (pid 42, status on http://127.0.0.1:9470, `mesos-apply controller -f deploy/`)",
      ),
    });
  });

  it('--takeover takes it over', () => {
    const r = run([{ type: 'frameworks', live: [held], now: T0 }], initialLease, { ...cfg, takeover: true });
    expect(types(r.effects)).toEqual(['progress', 'subscribe']);
  });

  it('a standby controller waits however long, and subscribes once the leader is disconnected', () => {
    const standby = { ...cfg, standby: true, lockTimeoutMs: Number.POSITIVE_INFINITY };
    const waiting = run([{ type: 'frameworks', live: [held], now: T0 + 86_400_000 }], initialLease, standby);
    expect(waiting.state.name).toBe('checking');
    expect(waiting.effects[0]).toMatchObject({ type: 'progress', message: expect.stringMatching(/^standing by/) });
    const gone = run([{ type: 'frameworks', live: [fw('fw-1', { holder: ctl })], now: T0 }], waiting.state, standby);
    expect(types(gone.effects)).toEqual(['subscribe']);
  });

  it('the controller label round-trips through the FrameworkInfo labels', () => {
    expect(holderOf(held)).toEqual(ctl);
    expect(holderOf(fw('fw-2', { holder: alice }))?.controller).toBeUndefined();
  });
});
