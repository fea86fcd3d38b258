import { describe, expect, it } from 'vitest';
import { ApplyRound } from '../../../src/apply/apply-round.js';
import type { ApplyRoundOptions } from '../../../src/apply/apply-context.js';
import { ackedHeadsLabel, LABEL_ACKED_HEADS } from '../../../src/apply/acked-heads.js';
import { RunLifecycle } from '../../../src/apply/lifecycle.js';
import type { Round } from '../../../src/apply/round.js';
import { KILL_RETRY_MS, Tracker } from '../../../src/apply/tracker.js';
import type { AgentFilesClient } from '../../../src/mesos/agent-files.js';
import type { TaskSpec } from '../../../src/model/spec.js';
import { HASH2, agent, loaded, observed, offer } from '../plan/builders.js';
import { FakeClock, FakeEvents, FakeScheduler, offers, recorder, update } from './fake-run.js';

const cluster = { agent: 'a1', cpus: 4, mem: 4096, ports: [[31000, 31010]] as [number, number][] };

function setup() {
  const clock = new FakeClock();
  const events = new FakeEvents(clock);
  const session = new FakeScheduler(clock);
  const rec = recorder(clock);
  const operator = {
    getTasks: async () => ({ tasks: [] }),
    getAgents: async () => ({ agents: [agent(cluster)] }),
  } as unknown as ConstructorParameters<typeof RunLifecycle>[0]['operator'];
  const life = new RunLifecycle({ session, events, frameworkId: 'fw', operator, emit: rec.emit, clock });
  life.agents = [agent(cluster)];
  return { clock, events, session, rec, life };
}

/** A round that only kills (as delete's does): the lifecycle's duties, nothing else. */
class KillRound implements Round {
  readonly tracker = new Tracker();
  ticks = 0;
  constructor(private readonly life: RunLifecycle) {}
  async onUpdate(status: Parameters<Round['onUpdate']>[0]): Promise<void> {
    const k = this.tracker.kills.get(status.task_id.value);
    if (k) this.tracker.onKillStatus(k, status, this.life.clock.now());
  }
  async onOffers(): Promise<void> {}
  holdsOffers(): boolean {
    return false;
  }
  async onResubscribed(): Promise<void> {}
  async onTick(): Promise<void> {
    this.ticks++;
  }
  halted(): boolean {
    return false;
  }
}

function killRound(life: RunLifecycle, taskId = 'web.0.x') {
  const round = new KillRound(life);
  const kill = round.tracker.addDelete(
    { action: 'delete', name: 'web', instance: 0, taskId, specHash: 'x' },
    'a1',
    'a1.example',
  );
  return { round, kill, send: () => life.sendKill(round.tracker, kill) };
}

function applyOptions(over: Partial<ApplyRoundOptions> & { spec?: Partial<TaskSpec> } = {}): ApplyRoundOptions {
  const { spec, ...rest } = over;
  return {
    specs: [loaded('web', spec)],
    framework: 'fw',
    prune: false,
    allowEmpty: false,
    wait: true,
    timeoutMs: 60_000,
    pendingTimeoutMs: 30_000,
    minRunningMs: 0,
    env: {},
    ...rest,
  };
}

const noFiles = {} as AgentFilesClient;

describe('RunLifecycle on a fake clock', () => {
  it('resends a KILL that gets no update every KILL_RETRY_MS, and stops once it is terminal', async () => {
    const { clock, events, session, life } = setup();
    const { round, send } = killRound(life);
    const start = clock.now();
    await send();
    events.push(update('web.0.x', 'TASK_KILLED'), 2.5 * KILL_RETRY_MS);
    expect(await life.wait(round, start + 60_000)).toBe('done');
    const sent = session.of('kill').map((c) => c.at - start);
    expect(sent).toHaveLength(3);
    expect(sent[0]).toBe(0);
    expect(sent[1]).toBeGreaterThanOrEqual(KILL_RETRY_MS);
    expect(sent[1]).toBeLessThan(KILL_RETRY_MS + 500);
    expect(sent[2]).toBeGreaterThanOrEqual(2 * KILL_RETRY_MS);
    expect(session.of('ack').length).toBe(1);
  });

  it('an update of the task postpones the resend: only silence counts', async () => {
    const { clock, events, session, life } = setup();
    const { round, send } = killRound(life);
    const start = clock.now();
    await send();
    events.push(update('web.0.x', 'TASK_KILLING'), KILL_RETRY_MS - 1000);
    events.push(update('web.0.x', 'TASK_KILLED'), KILL_RETRY_MS + 5000);
    expect(await life.wait(round, start + 60_000)).toBe('done');
    expect(session.of('kill')).toHaveLength(1);
  });

  it('stops at the deadline, on the fake clock, with the task still open', async () => {
    const { clock, life, round } = (() => {
      const s = setup();
      return { ...s, round: killRound(s.life).round };
    })();
    const start = clock.now();
    expect(await life.wait(round, start + 30_000)).toBe('timeout');
    expect(clock.now() - start).toBeGreaterThanOrEqual(30_000);
    expect(clock.now() - start).toBeLessThan(30_000 + 500);
    expect(round.ticks).toBeGreaterThan(100);
  });

  it('after a reconnect, reconciles what is in flight and forgets the offers', async () => {
    const { clock, events, session, life } = setup();
    const { round, send } = killRound(life);
    await send();
    life.offers.set('O1', offer({ ...cluster, id: 'O1' }));
    events.push({ kind: 'resubscribed' } as never, 1000);
    events.push(update('web.0.x', 'TASK_KILLED'), 2000);
    expect(await life.wait(round, clock.now() + 60_000)).toBe('done');
    expect(session.of('reconcile').map((c) => c.ids)).toEqual([['web.0.x']]);
    expect(life.offers.size).toBe(0);
  });

  it('between rounds, idle acknowledges, hands every update to onUpdate, and returns at `until`', async () => {
    const clock = new FakeClock();
    const events = new FakeEvents(clock);
    const session = new FakeScheduler(clock);
    const heard: string[] = [];
    const life = new RunLifecycle({
      session,
      events,
      frameworkId: 'fw',
      operator: {} as never,
      emit: () => undefined,
      clock,
      onUpdate: (s) => heard.push(`${s.task_id.value} ${s.state}`),
    });
    events.push(update('other.0.y', 'TASK_FAILED'), 1000);
    const start = clock.now();
    expect(await life.idle(() => start + 5000)).toBe('timeout');
    expect(clock.now() - start).toBeGreaterThanOrEqual(5000);
    expect(clock.now() - start).toBeLessThan(5000 + 50);
    expect(heard).toEqual(['other.0.y TASK_FAILED']);
    expect(session.of('ack')).toHaveLength(1);
    expect(session.of('kill')).toHaveLength(0);
  });

  it('a KILL a round left open is resent while idle until the task ends, and not after', async () => {
    const { clock, events, session, life } = setup();
    const { round, kill, send } = killRound(life);
    const start = clock.now();
    await send();
    life.attach(round);
    // The round ends (its deadline) before the task does: the lifecycle keeps the KILL.
    expect(await life.wait(round, start + 5000)).toBe('timeout');
    await life.endRound(round);
    expect(kill.settled).toBe(false);
    // The task ends between the second and the third resend: no KILL after it.
    events.push(update('web.0.x', 'TASK_KILLED'), start + 2.5 * KILL_RETRY_MS - clock.now());
    expect(await life.idle(() => start + 6 * KILL_RETRY_MS)).toBe('timeout');
    const sent = session.of('kill').map((c) => c.at - start);
    expect(sent).toHaveLength(3);
    expect(sent[1]).toBeGreaterThanOrEqual(KILL_RETRY_MS);
    expect(sent[1]).toBeLessThan(KILL_RETRY_MS + 500);
    expect(sent[2]).toBeGreaterThanOrEqual(2 * KILL_RETRY_MS);
    expect(sent[2]).toBeLessThan(2 * KILL_RETRY_MS + 500);
    expect(session.of('ack')).toHaveLength(1);
  });

  it('updates that arrive while idle are acknowledged once each, and offers go back', async () => {
    const { clock, events, session, life } = setup();
    events.push(update('web.0.x', 'TASK_RUNNING'), 100);
    events.push(update('web.1.x', 'TASK_FAILED'), 200);
    events.push(offers(offer({ ...cluster, id: 'O9' })), 300);
    events.push(update('web.0.x', 'TASK_RUNNING', { healthy: true }), 400);
    const start = clock.now();
    expect(await life.idle(() => start + 2000)).toBe('timeout');
    await life.leave();
    expect(session.of('ack').map((c) => c.ids[0])).toHaveLength(3);
    expect(new Set(session.of('ack').map((c) => c.ids[0])).size).toBe(3);
    expect(session.of('decline').map((c) => c.ids)).toEqual([['O9']]);
    expect(session.of('suppress').length).toBeGreaterThanOrEqual(1);
  });

  it('idle ends early when `until` moves forward on an update', async () => {
    const { clock, events } = setup();
    let until = clock.now() + 60_000;
    const life = new RunLifecycle({
      session: new FakeScheduler(clock),
      events,
      frameworkId: 'fw',
      operator: {} as never,
      emit: () => undefined,
      clock,
      onUpdate: () => (until = clock.now() + 1100),
    });
    events.push(update('web.0.x', 'TASK_FAILED'), 500);
    const start = clock.now();
    expect(await life.idle(() => until)).toBe('timeout');
    // At `until` itself, not at the next tick after it.
    expect(clock.now() - start).toBeGreaterThanOrEqual(1600);
    expect(clock.now() - start).toBeLessThan(1600 + 50);
  });

  it('leaving acknowledges the updates still queued, suppresses and closes', async () => {
    const { events, session, life } = setup();
    events.push(update('other.0.y', 'TASK_RUNNING'));
    await life.leave();
    expect(session.calls.map((c) => c.type)).toEqual(['suppress', 'ack', 'close']);
  });
});

describe('RunLifecycle leaving with leftover acknowledgements', () => {
  const head = (uuid: string) => ({
    task_id: { value: 'web.0.x' },
    framework_id: { value: 'fw' },
    agent_id: { value: 'a1' },
    state: 'TASK_RUNNING' as const,
    status_update_state: 'TASK_RUNNING' as const,
    status_update_uuid: uuid,
  });

  /**
   * A lifecycle whose master lists one task of the framework, its head `uuid` forwarded,
   * from read `listedFrom` on (0: the first).
   */
  function withHead(uuid: string, listedFrom = 0) {
    const clock = new FakeClock();
    const session = new FakeScheduler(clock);
    let reads = 0;
    const operator = {
      getTasks: async () => ({ tasks: reads++ >= listedFrom ? [head(uuid)] : [] }),
      getAgents: async () => ({ agents: [agent(cluster)] }),
    } as unknown as ConstructorParameters<typeof RunLifecycle>[0]['operator'];
    const life = new RunLifecycle({
      session,
      events: new FakeEvents(clock),
      frameworkId: 'fw',
      operator,
      emit: () => undefined,
      clock,
      leftoverAcks: true,
    });
    /** Leaves, moving the fake clock on while the leaving pass waits between its reads. */
    const leave = async (changedNothing: boolean) => {
      let left = false;
      const leaving = life.leave(changedNothing).finally(() => (left = true));
      while (!left) {
        await new Promise((resolve) => setImmediate(resolve));
        clock.advance(100);
      }
      await leaving;
    };
    return { session, life, leave, reads: () => reads };
  }

  it('a head the label vouches for is not acknowledged, though only a later read lists it', async () => {
    const { session, life, leave } = withHead('u1', 1);
    session.info = {
      ...session.info,
      labels: { labels: [{ key: LABEL_ACKED_HEADS, value: ackedHeadsLabel([head('u1')], () => true) }] },
    };
    await life.gather();
    await life.gather();
    await leave(false);
    expect(session.of('ack')).toEqual([]);
  });

  it('a run that changed nothing but never gathered reads the heads, and acknowledges them', async () => {
    const { session, leave } = withHead('u1');
    await leave(true);
    expect(session.of('ack').map((c) => c.ids)).toEqual([['u1']]);
  });

  it('a run that changed nothing since gather() starts the leaving pass from that read', async () => {
    const { session, life, leave, reads } = withHead('u1');
    await life.gather();
    await leave(true);
    // The gather's read, and one after the acknowledgement: none at the start of the pass.
    expect(reads()).toBe(2);
    expect(session.of('ack').map((c) => c.ids)).toEqual([['u1']]);
  });
});

describe('RunLifecycle gather() from a read the caller has', () => {
  const task = (state: 'TASK_RUNNING' | 'TASK_FAILED') => ({
    name: 'web',
    task_id: { value: 'web.0.x' },
    framework_id: { value: 'fw' },
    agent_id: { value: 'a1' },
    state,
  });

  function withMaster() {
    const clock = new FakeClock();
    const events = new FakeEvents(clock);
    let reads = 0;
    const operator = {
      getTasks: async () => {
        reads++;
        return { tasks: [task('TASK_FAILED')] };
      },
      getAgents: async () => ({ agents: [agent(cluster)] }),
    } as unknown as ConstructorParameters<typeof RunLifecycle>[0]['operator'];
    const life = new RunLifecycle({
      session: new FakeScheduler(clock),
      events,
      frameworkId: 'fw',
      operator,
      emit: () => undefined,
      clock,
    });
    return { clock, events, life, reads: () => reads };
  }

  it('the next gather() starts from it, and only that one', async () => {
    const { life, reads } = withMaster();
    life.useTasksRead({ tasks: [task('TASK_RUNNING')] });
    await life.gather();
    expect(reads()).toBe(0);
    expect(life.observed.list.map((t) => t.state)).toEqual(['TASK_RUNNING']);
    expect(life.agents).toHaveLength(1);
    await life.gather();
    expect(reads()).toBe(1);
    expect(life.observed.list.map((t) => t.state)).toEqual(['TASK_FAILED']);
  });

  it('once an event was handled, gather() reads the master again', async () => {
    const { clock, events, life, reads } = withMaster();
    life.useTasksRead({ tasks: [task('TASK_RUNNING')] });
    events.push(update('web.0.x', 'TASK_FAILED'), 10);
    const until = clock.now() + 100;
    await life.idle(() => until);
    await life.gather();
    expect(reads()).toBe(1);
  });
});

describe('ApplyRound on a fake clock', () => {
  it('fails a launch no offer fits at --pending-timeout, not before', async () => {
    const { clock, life, rec, session } = setup();
    const round = new ApplyRound(life, applyOptions({ pendingTimeoutMs: 5000 }), {
      emit: rec.emit,
      files: noFiles,
      errors: [],
    });
    const start = clock.now();
    expect(await round.makePlan(start + 60_000)).toBeUndefined();
    expect(session.of('revive')).toHaveLength(1);
    const planned = clock.now();
    expect(await round.run(start + 60_000)).toBe('done');
    const failed = rec.settled('web/0');
    expect(failed?.event).toMatchObject({ view: { phase: 'unplaceable', failure: { fit: { kind: 'not-now' } } } });
    expect(failed!.at - planned).toBeGreaterThanOrEqual(5000);
    expect(failed!.at - planned).toBeLessThan(5000 + 500);
  });

  it('counts a service up only once it stayed running for the minimum healthy time', async () => {
    const { clock, events, life, rec, session } = setup();
    const errors: never[] = [];
    const round = new ApplyRound(life, applyOptions({ minRunningMs: 3000 }), {
      emit: rec.emit,
      files: noFiles,
      errors,
    });
    let runningAt = 0;
    session.onAccept = (ids) => {
      events.push(update(ids[0]!, 'TASK_STARTING'), 100);
      events.push(update(ids[0]!, 'TASK_RUNNING'), 200);
      runningAt = clock.now() + 200;
    };
    const start = clock.now();
    events.push(offers(offer(cluster)), 50);
    expect(await round.makePlan(start + 60_000)).toBeUndefined();
    expect(await round.run(start + 60_000)).toBe('done');
    const up = rec.settled('web/0');
    expect(up?.event).toMatchObject({ view: { phase: 'running', settled: true } });
    expect(up!.at - runningAt).toBeGreaterThanOrEqual(3000);
    expect(up!.at - runningAt).toBeLessThan(3000 + 500);
    expect(rec.notes()).toContain('web/0 is up; it must stay up 3s (minHealthyTime) to count');
    expect(session.of('ack')).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it('starts the minimum healthy time again when the service stops being healthy', async () => {
    const { clock, events, life, rec, session } = setup();
    const spec = { healthCheck: { type: 'COMMAND', command: 'true' } } as unknown as Partial<TaskSpec>;
    const round = new ApplyRound(life, applyOptions({ minRunningMs: 3000, spec }), {
      emit: rec.emit,
      files: noFiles,
      errors: [],
    });
    let healthyAgain = 0;
    session.onAccept = (ids) => {
      events.push(update(ids[0]!, 'TASK_RUNNING', { healthy: true }), 100);
      events.push(update(ids[0]!, 'TASK_RUNNING', { healthy: false }), 2000);
      events.push(update(ids[0]!, 'TASK_RUNNING', { healthy: true }), 2500);
      healthyAgain = clock.now() + 2500;
    };
    events.push(offers(offer(cluster)), 50);
    const deadline = clock.now() + 60_000;
    await round.makePlan(deadline);
    expect(await round.run(deadline)).toBe('done');
    const up = rec.settled('web/0');
    expect(up?.event).toMatchObject({ view: { phase: 'healthy' } });
    expect(up!.at - healthyAgain).toBeGreaterThanOrEqual(3000);
  });

  it('kills a replaced task only after its successor counted as up', async () => {
    const { clock, events, life, rec, session } = setup();
    const old = observed('web', 0, { hash: HASH2 });
    life.observed.add(old);
    const round = new ApplyRound(life, applyOptions({ minRunningMs: 2000 }), {
      emit: rec.emit,
      files: noFiles,
      errors: [],
    });
    session.onAccept = (ids) => events.push(update(ids[0]!, 'TASK_RUNNING'), 100);
    session.calls.length = 0;
    events.push(offers(offer(cluster)), 50);
    const deadline = clock.now() + 60_000;
    await round.makePlan(deadline);
    events.push(update(old.taskId, 'TASK_KILLED'), 5000);
    expect(await round.run(deadline)).toBe('done');
    const up = rec.settled('web/0')!;
    const [kill] = session.of('kill');
    expect(kill?.ids).toEqual([old.taskId]);
    expect(kill!.at).toBeGreaterThanOrEqual(up.at);
    expect(session.of('accept')[0]!.at).toBeLessThan(kill!.at - 2000);
  });

  it('launches a heal that falls due while it waits (a rollout), never for a name it still works on', async () => {
    const { clock, events, life, rec, session } = setup();
    const old = observed('web', 0, { hash: HASH2 });
    life.observed.add(old);
    life.observed.add(observed('db', 0, { state: 'TASK_FAILED' }));
    const start = clock.now();
    const busyWeb: boolean[] = [];
    let given = false;
    const round = new ApplyRound(
      life,
      applyOptions({
        specs: [loaded('web'), loaded('db')],
        minRunningMs: 10_000,
        // db is in its backoff when the round plans; it is due 2s later.
        hold: () => new Set(['db/0']),
        extraLaunches: (now, busy) => {
          busyWeb.push(busy('web'));
          if (given || now < start + 2000 || busy('db')) return [];
          given = true;
          return ['db/0'];
        },
      }),
      { emit: rec.emit, files: noFiles, errors: [] },
    );
    session.onAccept = (ids) => events.push(update(ids[0]!, 'TASK_RUNNING'), 100);
    events.push(offers(offer({ ...cluster, id: 'O1' })), 50);
    events.push(offers(offer({ ...cluster, id: 'O2' })), 2300);
    events.push(update(old.taskId, 'TASK_KILLED'), 13_000);
    const deadline = start + 60_000;
    await round.makePlan(deadline);
    expect(round.plan?.items.map((i) => `${i.name} ${i.action}`)).toEqual(['web replace']);
    expect(await round.run(deadline)).toBe('done');
    const accepts = session.of('accept').map((c) => ({ at: c.at - start, ids: c.ids }));
    expect(accepts.map((a) => a.ids)).toEqual([['O1'], ['O2']]);
    expect(accepts[1]!.at).toBeGreaterThanOrEqual(2000);
    expect(accepts[1]!.at).toBeLessThan(2500);
    expect(rec.settled('db/0')?.event).toMatchObject({ view: { action: 'relaunch', phase: 'running' } });
    // Before the rollout was done: the old web copy was killed only after the heal.
    const [kill] = session.of('kill');
    expect(kill!.at - start).toBeGreaterThan(accepts[1]!.at + 5000);
    expect(busyWeb[0]).toBe(true);
  });

  it("asks a launch's extra labels by its instance key, with a scheduled run's key", async () => {
    const { clock, events, life, rec, session } = setup();
    const asked: string[] = [];
    const round = new ApplyRound(
      life,
      applyOptions({
        specs: [loaded('web'), { ...loaded('job', { goal: 'finished' }), run: '20261204T153224Z' }],
        launchLabels: (key) => {
          asked.push(key);
          return [];
        },
      }),
      { emit: rec.emit, files: noFiles, errors: [] },
    );
    session.onAccept = (ids) => events.push(update(ids[0]!, 'TASK_RUNNING'), 100);
    events.push(offers(offer(cluster)), 50);
    const deadline = clock.now() + 60_000;
    await round.makePlan(deadline);
    await round.run(deadline);
    expect(asked.sort()).toEqual(['job/0@20261204T153224Z', 'web/0']);
  });

  it('stops at the deadline and says what was still open', async () => {
    const { clock, events, life, rec } = setup();
    const errors: { code: string }[] = [];
    const round = new ApplyRound(life, applyOptions({ timeoutMs: 10_000 }), {
      emit: rec.emit,
      files: noFiles,
      errors: errors as never,
    });
    events.push(offers(offer(cluster)), 50);
    const deadline = clock.now() + 10_000;
    await round.makePlan(deadline);
    const stop = await round.run(deadline);
    expect(stop).toBe('timeout');
    round.settleOpen(stop);
    expect(errors.map((e) => e.code)).toEqual(['MA_ERR_TIMEOUT']);
    expect(rec.settled('web/0')?.event).toMatchObject({ view: { phase: 'timed-out' } });
  });
});
