import { afterEach, describe, expect, it } from 'vitest';
import type { Offer, Resource, TaskInfo } from '../../../src/mesos/types.js';
import type { Master } from '../../../src/local/master/master.js';
import { unsupportedOperation } from '../../../src/local/master/accept.js';
import { byType, FW, testMaster, testStream, updates, type FakeAgent, type TestStream } from './fakes.js';

const scalar = (name: string, value: number, role = 'web'): Resource => ({
  name,
  type: 'SCALAR',
  scalar: { value },
  allocation_info: { role },
});
const task = (id: string, agentId: string, extra: Partial<TaskInfo> = {}): TaskInfo => ({
  name: id,
  task_id: { value: id },
  agent_id: { value: agentId },
  command: { value: 'true' },
  resources: [scalar('cpus', 0.1), scalar('mem', 32)],
  ...extra,
});

let master: Master;
let agents: FakeAgent[];
let s: TestStream;
let fwId: string;
let offer: Offer;

function setup(info = FW, nAgents = 1) {
  ({ master, agents } = testMaster(nAgents));
  s = testStream();
  master.subscribe({ type: 'SUBSCRIBE', subscribe: { framework_info: info } }, s.stream);
  fwId = s.events[0].subscribed!.framework_id.value;
  offer = byType(s.events, 'OFFERS')[0].offers!.offers![0];
}
const acceptTasks = (tasks: TaskInfo[], offerIds = [offer.id.value], refuse?: number) =>
  master.call(master.framework(fwId)!, {
    type: 'ACCEPT',
    framework_id: { value: fwId },
    accept: {
      offer_ids: offerIds.map((value) => ({ value })),
      operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }],
      ...(refuse !== undefined ? { filters: { refuse_seconds: refuse } } : {}),
    },
  });

afterEach(() => master.close());

describe('SUBSCRIBE and offers', () => {
  it('sends SUBSCRIBED, an immediate HEARTBEAT and one offer with the whole agent', () => {
    setup();
    expect(s.events.map((e) => e.type)).toEqual(['SUBSCRIBED', 'HEARTBEAT', 'OFFERS']);
    expect(fwId).toBe('m-1-0000');
    expect(s.events[0].subscribed!.heartbeat_interval_seconds).toBe(15);
    expect(s.events[0].subscribed!.master_info!.ip).toBe(16777343);
    expect(offer.id.value).toBe('m-1-O0');
    expect(offer.allocation_info).toEqual({ role: 'web' });
    expect(offer.resources!.map((r) => r.name)).toEqual(['ports', 'cpus', 'mem', 'disk']);
    expect(offer.resources![1]).toEqual({
      name: 'cpus',
      type: 'SCALAR',
      scalar: { value: 2 },
      role: '*',
      allocation_info: { role: 'web' },
    });
  });

  it('strips allocation info for a framework without MULTI_ROLE', () => {
    setup({ user: 'u', name: 'plain' });
    expect(offer.allocation_info).toBeUndefined();
    expect(offer.resources!.every((r) => r.allocation_info === undefined && r.role === '*')).toBe(true);
  });

  it('refuses role together with MULTI_ROLE with an ERROR event and closes the stream', () => {
    ({ master, agents } = testMaster());
    s = testStream();
    master.subscribe({ type: 'SUBSCRIBE', subscribe: { framework_info: { ...FW, role: 'web' } } }, s.stream);
    expect(s.events).toEqual([
      {
        type: 'ERROR',
        error: { message: "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable" },
      },
    ]);
    expect(s.res.ended).toBe(true);
  });
});

describe('ACCEPT validation answers as Mesos does', () => {
  it('launches valid tasks and answers invalid ones with TASK_ERROR, judged against the remaining pool', () => {
    setup();
    acceptTasks([
      task('ok.0', offer.agent_id.value),
      task('too-big.0', offer.agent_id.value, { resources: [scalar('cpus', 4096), scalar('mem', 32)] }),
      task('no-command.0', offer.agent_id.value, { command: undefined }),
      task('bad/id', offer.agent_id.value),
      task('wrong-agent', 'm-1-S9'),
      task('no-resources', offer.agent_id.value, { resources: [] }),
    ]);
    expect(agents[0].launched.map((t) => t.task_id.value)).toEqual(['ok.0']);
    expect(agents[0].launched[0].resources![0].allocation_info).toEqual({ role: 'web' });
    const errs = updates(s.events);
    expect(
      errs.every(
        (u) =>
          u.state === 'TASK_ERROR' &&
          u.reason === 'REASON_TASK_INVALID' &&
          u.source === 'SOURCE_MASTER' &&
          u.uuid === undefined,
      ),
    ).toBe(true);
    expect(errs.map((u) => u.message)).toEqual([
      'Total resources cpus(allocated: web):4096; mem(allocated: web):32 required by task and its executor is more than available ports(allocated: web):[31000-32000]; cpus(allocated: web):1.9; mem(allocated: web):2016; disk(allocated: web):4096',
      'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present',
      "'bad/id' contains invalid characters",
      'Task uses invalid agent m-1-S9 while agent m-1-S0 is expected',
      'Task uses no resources',
    ]);
  });

  it('refuses a duplicate id among active tasks, including one launched earlier in the same ACCEPT', () => {
    setup();
    acceptTasks([task('a', offer.agent_id.value), task('a', offer.agent_id.value)]);
    expect(updates(s.events).map((u) => u.message)).toEqual(['Task has duplicate ID: a']);
  });

  it('answers a used offer with TASK_DROPPED for partition-aware frameworks, TASK_LOST otherwise', () => {
    setup();
    acceptTasks([task('a', offer.agent_id.value)]);
    acceptTasks([task('b', offer.agent_id.value)]);
    expect(updates(s.events).at(-1)).toMatchObject({
      state: 'TASK_DROPPED',
      reason: 'REASON_INVALID_OFFERS',
      message: 'Task launched with invalid offers: Offer m-1-O0 is no longer valid',
    });
    master.close();
    setup({ user: 'u', name: 'plain' });
    acceptTasks([task('c', offer.agent_id.value)], ['nope']);
    expect(updates(s.events).at(-1)).toMatchObject({
      state: 'TASK_LOST',
      message: 'Task launched with invalid offers: Offer nope is no longer valid',
    });
  });

  it('refuses offers from two agents in one ACCEPT and returns the valid offers', () => {
    setup(FW, 2);
    const offers = byType(s.events, 'OFFERS')[0].offers!.offers!;
    expect(offers).toHaveLength(2);
    acceptTasks(
      [task('a', offers[0].agent_id.value)],
      offers.map((o) => o.id.value),
    );
    expect(updates(s.events)[0].message).toBe(
      `Task launched with invalid offers: Aggregated offers must belong to one single agent. Offer m-1-O1 uses agent m-1-S1 and agent m-1-S0`,
    );
    expect(agents[0].launched).toHaveLength(0);
    master.runAllocation();
    expect(byType(s.events, 'OFFERS')).toHaveLength(2);
  });

  it('uses 3-decimal fixed point when checking containment', () => {
    setup({ user: 'u', name: 'plain' });
    const r = (v: number): Resource[] => [
      { name: 'cpus', type: 'SCALAR', scalar: { value: v } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 1 } },
    ];
    // In doubles 2 - 0.1 - 0.2 < 1.7; in Mesos's fixed point it is exactly 1.7.
    acceptTasks([
      task('a', offer.agent_id.value, { resources: r(0.1) }),
      task('b', offer.agent_id.value, { resources: r(0.2) }),
      task('c', offer.agent_id.value, { resources: r(1.7) }),
    ]);
    expect(agents[0].launched.map((t) => t.task_id.value)).toEqual(['a', 'b', 'c']);
    expect(updates(s.events)).toEqual([]);
  });

  it('refuses every task of a LAUNCH when one task has an invalid resource', () => {
    setup({ user: 'u', name: 'plain' });
    const bad: Resource[] = [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.0004 } }];
    acceptTasks([task('a', offer.agent_id.value), task('d', offer.agent_id.value, { resources: bad })]);
    expect(agents[0].launched).toEqual([]);
    expect(updates(s.events).map((u) => [u.task_id.value, u.message])).toEqual([
      ['a', "Resource 'cpus:0' is invalid: Invalid scalar resource: value <= 0"],
      ['d', "Resource 'cpus:0' is invalid: Invalid scalar resource: value <= 0"],
    ]);
  });

  it('declines the unused remainder with the ACCEPT filter, then offers again once it expires or on REVIVE', () => {
    setup();
    acceptTasks([task('a', offer.agent_id.value)], [offer.id.value], 3600);
    master.runAllocation();
    expect(byType(s.events, 'OFFERS')).toHaveLength(1);
    master.call(master.framework(fwId)!, { type: 'REVIVE', framework_id: { value: fwId } });
    const again = byType(s.events, 'OFFERS');
    expect(again).toHaveLength(2);
    expect(again[1].offers!.offers![0].resources!.find((r) => r.name === 'cpus')!.scalar!.value).toBe(1.9);
  });

  it('names the first operation it does not carry out (the HTTP layer answers 501)', () => {
    expect(
      unsupportedOperation({
        offer_ids: [],
        operations: [{ type: 'LAUNCH' }, { type: 'RESERVE' }, { type: 'LAUNCH_GROUP' }],
      }),
    ).toBe('RESERVE');
    expect(
      unsupportedOperation({ offer_ids: [], operations: [{ type: 'LAUNCH' }, { type: 'UNKNOWN' }] }),
    ).toBeUndefined();
  });
});
