/**
 * Agent unreachability on the local master, as Mesos 1.12 does it (master.cpp
 * markUnreachable / __removeSlave / __reregisterSlave / reconcile): a partitioned agent is
 * marked unreachable after its ping timeouts; PARTITION_AWARE frameworks get TASK_UNREACHABLE
 * (others TASK_LOST) with `unreachable_time`, a FAILURE event, the task in
 * `unreachable_tasks`; reconciliation and KILL answer for it; its id cannot be reused; the
 * agent gets no offers. Healed, the agent re-registers and the tasks come back running for
 * both kinds of framework; a framework removed meanwhile is shut down on the agent. A
 * partition shorter than the timeout only delays the agent's updates.
 */
import { describe, expect, it } from 'vitest';
import type {
  Event,
  FrameworkInfo,
  GetAgents,
  GetTasks,
  Offer,
  TaskInfo,
  TaskStatus,
} from '../../../src/mesos/types.js';
import { EventStream, FRAMEWORK, request, schedulerCall, subscribeBody, localHarness } from './client.js';

const harness = localHarness('local-unreachable-');
const { streams, start } = harness;
const url = () => harness.cluster!.url;

interface Fw {
  s: EventStream;
  id: string;
  call: (body: Record<string, unknown>) => ReturnType<typeof schedulerCall>;
}

async function subscribe(info: FrameworkInfo): Promise<Fw> {
  const s = await EventStream.open(url(), subscribeBody(info));
  streams.push(s);
  const id = (await s.next((e) => e.type === 'SUBSCRIBED'))!.subscribed!.framework_id.value;
  return { s, id, call: (body) => schedulerCall(url(), s.streamId, { framework_id: { value: id }, ...body }) };
}

/** The newest offer for `agentId` made after event index `from` and neither used nor rescinded. */
async function offerOn(fw: Fw, agentId: string, from = 0): Promise<Offer> {
  const usable = (e: Event) =>
    (e.offers?.offers ?? []).filter(
      (o) =>
        o.agent_id.value === agentId &&
        !used.has(o.id.value) &&
        !fw.s.events.some((r) => r.rescind?.offer_id.value === o.id.value),
    );
  const e = await fw.s.next(
    (x) => usable(x).length > 0 && fw.s.events.slice(fw.s.events.indexOf(x) + 1).every((y) => usable(y).length === 0),
    10_000,
    from,
  );
  expect(e, `an offer for ${agentId}`).toBeDefined();
  const offer = usable(e!)[0]!;
  used.add(offer.id.value);
  return offer;
}
const used = new Set<string>();

const task = (id: string, agentId: string): TaskInfo => ({
  name: id,
  task_id: { value: id },
  agent_id: { value: agentId },
  command: { shell: true, value: 'sleep 1000' },
  resources: [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 64 } },
  ],
});

const launch = (fw: Fw, offer: Offer, t: TaskInfo) =>
  fw.call({
    type: 'ACCEPT',
    accept: {
      offer_ids: [offer.id],
      operations: [{ type: 'LAUNCH', launch: { task_infos: [t] } }],
      // Long enough for the next framework to be offered the rest of the agent.
      filters: { refuse_seconds: 1 },
    },
  });

const updateOf =
  (taskId: string, state?: string, message?: string) =>
  (e: Event): boolean => {
    const st = e.update?.status;
    return (
      e.type === 'UPDATE' &&
      st?.task_id.value === taskId &&
      (state === undefined || st.state === state) &&
      (message === undefined || st.message === message)
    );
  };

async function next(fw: Fw, pred: (e: Event) => boolean, from = 0, ms = 10_000): Promise<TaskStatus> {
  const e = await fw.s.next(pred, ms, from);
  expect(e, 'the expected event').toBeDefined();
  return e!.update!.status;
}

/** Runs a task on the agent and acknowledges its updates up to TASK_RUNNING. */
async function running(fw: Fw, agentId: string, id: string): Promise<void> {
  expect((await launch(fw, await offerOn(fw, agentId), task(id, agentId))).status).toBe(202);
  for (const state of ['TASK_STARTING', 'TASK_RUNNING']) {
    const st = await next(fw, updateOf(id, state));
    await fw.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: st.agent_id, task_id: st.task_id, uuid: st.uuid } });
  }
  // Every other offer goes back, so the next framework (or this one, later) is offered it.
  const rest = fw.s.events
    .flatMap((e) => e.offers?.offers ?? [])
    .filter((o) => !used.has(o.id.value) && !fw.s.events.some((r) => r.rescind?.offer_id.value === o.id.value));
  for (const o of rest) used.add(o.id.value);
  await fw.call({ type: 'DECLINE', decline: { offer_ids: rest.map((o) => o.id), filters: { refuse_seconds: 0 } } });
}

const operator = async <T>(type: string): Promise<T> => {
  const r = await request(url(), 'POST', '/api/v1', { type });
  return JSON.parse(r.text)[type.toLowerCase()] as T;
};

const reconcile = (fw: Fw, tasks: { task_id: { value: string }; agent_id?: { value: string } }[]) =>
  fw.call({ type: 'RECONCILE', reconcile: { tasks } });

const PA: FrameworkInfo = { ...FRAMEWORK, name: 'pa' };
const NON_PA: FrameworkInfo = {
  ...FRAMEWORK,
  name: 'non-pa',
  capabilities: (FRAMEWORK.capabilities ?? []).filter((c) => c.type !== 'PARTITION_AWARE'),
};

/** Simulated agents, pinged every `pingMs`, given up after `maxPings` missed in a row. */
const simulated = (agents: number, pingMs: number, maxPings: number) =>
  start({
    agents,
    simulate: { startDelayMs: 10 },
    agentPingTimeoutMs: pingMs,
    maxAgentPingTimeouts: maxPings,
    statusRetryMs: 200,
  });

describe('agent unreachability', () => {
  it('marks a partitioned agent unreachable, answers for its tasks, and re-admits them running when it returns', async () => {
    const cluster = await simulated(2, 100, 3);
    const [a, b] = cluster.agents.map((x) => x.id) as [string, string];
    const pa = await subscribe(PA);
    await running(pa, a, 'pa-1');
    const old = await subscribe(NON_PA);
    await running(old, a, 'old-1');
    const gone = await subscribe({ ...NON_PA, name: 'removed-meanwhile' });
    await running(gone, a, 'gone-1');

    const cutAt = Date.now();
    expect(cluster.partition(a)).toBe(true);
    expect(cluster.partition(a)).toBe(false);
    const un = await next(pa, updateOf('pa-1', 'TASK_UNREACHABLE'));
    // Three missed pings of 100 ms: marked between 300 and 400 ms after the cut (plus a loaded machine's lag).
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(300);
    expect(un).toMatchObject({
      source: 'SOURCE_MASTER',
      reason: 'REASON_AGENT_REMOVED',
      message: 'health check timed out',
      agent_id: { value: a },
    });
    expect(un.uuid).toBeUndefined();
    const since = un.unreachable_time!.nanoseconds;
    expect(since / 1e6).toBeGreaterThanOrEqual(cutAt);
    const lost = await next(old, updateOf('old-1', 'TASK_LOST'));
    expect(lost).toMatchObject({ reason: 'REASON_AGENT_REMOVED', unreachable_time: { nanoseconds: since } });
    const failure = await pa.s.next((e) => e.type === 'FAILURE');
    expect(failure?.failure).toEqual({ agent_id: { value: a } });
    const failedAt = pa.s.events.indexOf(failure!);

    const tasks = await operator<GetTasks>('GET_TASKS');
    expect(tasks.tasks.map((t) => t.task_id.value)).toEqual([]);
    expect(Object.fromEntries(tasks.unreachable_tasks.map((t) => [t.task_id.value, t.state]))).toEqual({
      'pa-1': 'TASK_UNREACHABLE',
      'old-1': 'TASK_LOST',
      'gone-1': 'TASK_LOST',
    });
    expect((await operator<GetAgents>('GET_AGENTS')).agents.map((x) => x.agent_info.id?.value)).toEqual([b]);
    const state = JSON.parse((await request(url(), 'GET', '/state')).text);
    expect(state.unreachable_slaves).toBe(1);
    expect(state.flags).toMatchObject({ agent_ping_timeout: '100ms', max_agent_ping_timeouts: '3' });
    expect(state.frameworks.find((f: { name: string }) => f.name === 'pa').unreachable_tasks).toHaveLength(1);

    // Reconciliation: explicit with the agent → unreachable (TASK_LOST if not partition-aware),
    // without it → unknown; implicit leaves the task out. KILL answers the same way.
    let from = pa.s.events.length;
    await reconcile(pa, []);
    await reconcile(pa, [{ task_id: { value: 'pa-1' }, agent_id: { value: a } }]);
    await reconcile(pa, [{ task_id: { value: 'pa-1' } }]);
    const r1 = await next(pa, updateOf('pa-1', undefined, 'Reconciliation: Task is unreachable'), from);
    expect(r1).toMatchObject({ state: 'TASK_UNREACHABLE', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
    expect(r1.unreachable_time?.nanoseconds).toBe(since);
    const r2 = await next(pa, updateOf('pa-1', 'TASK_UNKNOWN', 'Reconciliation: Task is unknown'), from);
    expect(r2.agent_id).toBeUndefined();
    expect(pa.s.events.slice(from).filter(updateOf('pa-1', undefined, 'Reconciliation: Latest task state'))).toEqual(
      [],
    );
    from = old.s.events.length;
    await reconcile(old, [{ task_id: { value: 'old-1' }, agent_id: { value: a } }]);
    expect(await next(old, updateOf('old-1', undefined, 'Reconciliation: Task is unreachable'), from)).toMatchObject({
      state: 'TASK_LOST',
      unreachable_time: { nanoseconds: since },
    });
    from = pa.s.events.length;
    await pa.call({ type: 'KILL', kill: { task_id: { value: 'pa-1' }, agent_id: { value: a } } });
    expect((await next(pa, updateOf('pa-1'), from)).state).toBe('TASK_UNREACHABLE');

    // Its id stays taken while it is unreachable; the agent is offered to nobody.
    from = pa.s.events.length;
    await launch(pa, await offerOn(pa, b), task('pa-1', b));
    expect((await next(pa, updateOf('pa-1', 'TASK_ERROR'), from)).message).toBe(
      'Task reuses the ID of an unreachable task: pa-1',
    );
    expect(pa.s.events.slice(failedAt).some((e) => e.offers?.offers?.some((o) => o.agent_id.value === a))).toBe(false);

    // A framework removed meanwhile: its unreachable task is completed with a TASK_KILLED status
    // (its state stays TASK_LOST, terminal already, as Mesos's updateTask leaves it).
    await gone.call({ type: 'TEARDOWN' });
    const killed = (await operator<GetTasks>('GET_TASKS')).completed_tasks.find((t) => t.task_id.value === 'gone-1');
    expect(killed?.state).toBe('TASK_LOST');
    expect(killed?.statuses?.at(-1)).toMatchObject({ state: 'TASK_KILLED', reason: 'REASON_FRAMEWORK_REMOVED' });

    // Healed: the agent re-registers; both frameworks' tasks are back, running, announced by the master.
    from = pa.s.events.length;
    const fromOld = old.s.events.length;
    expect(cluster.heal(a)).toBe(true);
    const back = await next(pa, updateOf('pa-1', 'TASK_RUNNING', 'Unreachable agent re-reregistered'), from);
    expect(back).toMatchObject({
      source: 'SOURCE_MASTER',
      reason: 'REASON_AGENT_REREGISTERED',
      agent_id: { value: a },
    });
    expect(back.uuid).toBeUndefined();
    expect((await next(old, updateOf('old-1', undefined, 'Unreachable agent re-reregistered'), fromOld)).state).toBe(
      'TASK_RUNNING',
    );
    const after = await operator<GetTasks>('GET_TASKS');
    expect(after.unreachable_tasks).toEqual([]);
    expect(Object.fromEntries(after.tasks.map((t) => [t.task_id.value, t.state]))).toEqual({
      'pa-1': 'TASK_RUNNING',
      'old-1': 'TASK_RUNNING',
    });
    const agents = (await operator<GetAgents>('GET_AGENTS')).agents;
    expect(agents.map((x) => x.agent_info.id?.value).sort()).toEqual([a, b].sort());
    expect(agents.find((x) => x.agent_info.id?.value === a)?.reregistered_time).toBeDefined();
    // The removed framework was shut down on the agent; the agent is offered again, minus the running tasks.
    expect((cluster.agents[0]!.state().completed_frameworks as { id: string }[]).map((f) => f.id)).toEqual([gone.id]);
    const again = await offerOn(pa, a, from);
    expect(again.resources.find((r) => r.name === 'cpus')?.scalar?.value).toBe(2 - 1);
    await reconcile(pa, [{ task_id: { value: 'pa-1' }, agent_id: { value: a } }]);
    expect((await next(pa, updateOf('pa-1', undefined, 'Reconciliation: Latest task state'), from)).state).toBe(
      'TASK_RUNNING',
    );
    // The returned task is an ordinary one again: a KILL reaches it.
    await pa.call({ type: 'KILL', kill: { task_id: { value: 'pa-1' }, agent_id: { value: a } } });
    const killing = await next(pa, updateOf('pa-1', 'TASK_KILLING'), from);
    await pa.call({
      type: 'ACKNOWLEDGE',
      acknowledge: { agent_id: killing.agent_id, task_id: killing.task_id, uuid: killing.uuid },
    });
    expect((await next(pa, updateOf('pa-1', 'TASK_KILLED'), from)).source).toBe('SOURCE_EXECUTOR');
  });

  it('a partition shorter than the ping timeouts only delays the agent’s updates', async () => {
    const cluster = await simulated(1, 60_000, 5);
    const a = cluster.agents[0]!.id;
    const pa = await subscribe(PA);
    await running(pa, a, 'short-1');
    cluster.partition(a);
    const failed = await request(url(), 'POST', '/local/simulate', { action: 'fail', task_id: 'short-1' });
    expect(JSON.parse(failed.text)).toEqual({ applied: ['short-1'] });
    // The agent has sent TASK_FAILED (lost on the cut line) and keeps retrying it.
    expect(cluster.agents[0]!.unacknowledgedUpdates(pa.id)).toBe(1);
    const healedAt = pa.s.events.length;
    expect(pa.s.events.some(updateOf('short-1', 'TASK_FAILED'))).toBe(false);
    const healed = await request(url(), 'POST', '/local/simulate', { action: 'heal', agent_id: a });
    expect(JSON.parse(healed.text)).toEqual({ applied: [a] });
    const st = await next(pa, updateOf('short-1', 'TASK_FAILED'), healedAt);
    expect(st.uuid).toBeDefined();
    expect(pa.s.events.some(updateOf('short-1', 'TASK_UNREACHABLE'))).toBe(false);
    expect(JSON.parse((await request(url(), 'GET', '/state')).text).unreachable_slaves).toBe(0);
  });

  it('the control endpoint partitions by agent id and refuses a request without one', async () => {
    const cluster = await start({ agents: 1, simulate: {} });
    const a = cluster.agents[0]!.id;
    const post = (body: unknown) => request(url(), 'POST', '/local/simulate', body);
    expect(JSON.parse((await post({ action: 'partition', agent_id: a })).text)).toEqual({ applied: [a] });
    expect(JSON.parse((await post({ action: 'partition', agent_id: a })).text)).toEqual({ applied: [] });
    expect(JSON.parse((await post({ action: 'heal', agent_id: 'nope' })).text)).toEqual({ applied: [] });
    const bad = await post({ action: 'heal' });
    expect(bad.status).toBe(400);
    expect(bad.text).toBe("'heal' needs 'agent_id' (a string)");
  });
});
