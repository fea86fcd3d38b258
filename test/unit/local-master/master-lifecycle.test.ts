import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TaskState, TaskStatus } from '../../../src/mesos/types.js';
import type { Master } from '../../../src/local/master/master.js';
import { getFrameworks, getTasks } from '../../../src/local/master/views-v1.js';
import { byType, FW, testMaster, testStream, updates, type FakeAgent, type TestStream } from './fakes.js';

let master: Master;
let agent: FakeAgent;
let s: TestStream;
let fwId: string;
let n = 0;

const uuid = () =>
  Buffer.from(`0123456789ab${String(n++).padStart(4, '0')}`)
    .fill(0x41, 6, 7)
    .toString('base64');

function setup(info = FW) {
  const t = testMaster();
  master = t.master;
  agent = t.agents[0];
  s = testStream();
  master.subscribe({ type: 'SUBSCRIBE', subscribe: { framework_info: info } }, s.stream);
  fwId = s.events[0].subscribed!.framework_id.value;
  const offer = byType(s.events, 'OFFERS')[0].offers!.offers![0];
  master.call(master.framework(fwId)!, {
    type: 'ACCEPT',
    framework_id: { value: fwId },
    accept: {
      offer_ids: [offer.id],
      operations: [
        {
          type: 'LAUNCH',
          launch: {
            task_infos: [
              {
                name: 't',
                task_id: { value: 't' },
                agent_id: offer.agent_id,
                command: { value: 'sleep 9' },
                resources: [
                  { name: 'cpus', type: 'SCALAR', scalar: { value: 1 } },
                  { name: 'mem', type: 'SCALAR', scalar: { value: 64 } },
                ],
              },
            ],
          },
        },
      ],
      filters: { refuse_seconds: 0 },
    },
  });
}

/** The agent reports an update (head of its queue) with its latest known state. */
function agentSays(state: TaskState, latestState: TaskState = state, extra: Partial<TaskStatus> = {}): TaskStatus {
  const status: TaskStatus = {
    task_id: { value: 't' },
    state,
    source: 'SOURCE_EXECUTOR',
    agent_id: { value: agent.id },
    timestamp: Date.now() / 1000,
    uuid: uuid(),
    ...extra,
  };
  master.statusUpdate({ frameworkId: fwId, status, latestState });
  return status;
}
const fw = () => master.framework(fwId)!;
const call = (type: 'RECONCILE' | 'KILL' | 'ACKNOWLEDGE' | 'TEARDOWN', body: object = {}) =>
  master.call(fw(), { type, framework_id: { value: fwId }, ...body });
const ack = (st: TaskStatus) =>
  call('ACKNOWLEDGE', { acknowledge: { agent_id: st.agent_id, task_id: st.task_id, uuid: st.uuid } });
const cpusFree = () => master.state.agents.get(agent.id)!.free.find((r) => r.name === 'cpus')?.scalar?.value ?? 0;

afterEach(() => {
  master.close();
  vi.useRealTimers();
});

describe('status updates and acknowledgements', () => {
  it('forwards agent updates with their uuid and keeps one status per distinct consecutive state', () => {
    setup();
    agentSays('TASK_STARTING');
    agentSays('TASK_RUNNING');
    agentSays('TASK_RUNNING', 'TASK_RUNNING', { healthy: true, reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED' });
    expect(updates(s.events).map((u) => [u.state, u.uuid !== undefined])).toEqual([
      ['TASK_STARTING', true],
      ['TASK_RUNNING', true],
      ['TASK_RUNNING', true],
    ]);
    const t = getTasks(master.state).tasks[0];
    expect(t.statuses!.map((x) => x.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING']);
    expect(t.statuses![1].healthy).toBe(true);
    expect(t.status_update_state).toBe('TASK_RUNNING');
  });

  it('frees resources on the latest terminal state but removes the task only on the terminal ack', () => {
    setup();
    expect(cpusFree()).toBe(1);
    const starting = agentSays('TASK_STARTING', 'TASK_FINISHED');
    expect(cpusFree()).toBe(2);
    expect(getTasks(master.state).tasks[0]).toMatchObject({
      state: 'TASK_FINISHED',
      status_update_state: 'TASK_STARTING',
    });
    ack(starting);
    expect(getTasks(master.state).tasks).toHaveLength(1);
    const finished = agentSays('TASK_FINISHED');
    call('RECONCILE', { reconcile: {} });
    expect(updates(s.events).at(-1)).toMatchObject({ state: 'TASK_FINISHED', reason: 'REASON_RECONCILIATION' });
    ack(finished);
    expect(getTasks(master.state)).toMatchObject({ tasks: [], completed_tasks: [{ state: 'TASK_FINISHED' }] });
    expect(agent.acks.map((a) => a.uuid)).toEqual([starting.uuid, finished.uuid]);
    call('RECONCILE', { reconcile: { tasks: [{ task_id: { value: 't' } }] } });
    expect(updates(s.events).at(-1)).toMatchObject({
      state: 'TASK_UNKNOWN',
      message: 'Reconciliation: Task is unknown',
    });
  });

  it('does not forward while disconnected, and asks agents to resend on re-subscribe', () => {
    setup();
    s.res.hangUp();
    expect(fw().stream).toBeUndefined();
    agentSays('TASK_STARTING');
    expect(getTasks(master.state).tasks[0].status_update_state).toBeUndefined();
    const s2 = testStream('stream-2');
    master.subscribe(
      {
        type: 'SUBSCRIBE',
        framework_id: { value: fwId },
        subscribe: { framework_info: { ...FW, id: { value: fwId } } },
      },
      s2.stream,
    );
    expect(s2.events.map((e) => e.type).slice(0, 2)).toEqual(['SUBSCRIBED', 'HEARTBEAT']);
    expect(agent.resends).toEqual([fwId, fwId]);
    expect(updates(s.events)).toEqual([]);
  });

  it('answers reconciliation with the last forwarded state, without uuid', () => {
    setup();
    call('RECONCILE', {
      reconcile: {
        tasks: [
          { task_id: { value: 't' } },
          { task_id: { value: 'x' }, agent_id: { value: agent.id } },
          { task_id: { value: 'y' } },
        ],
      },
    });
    expect(updates(s.events).map((u) => [u.task_id.value, u.state, u.message, u.uuid])).toEqual([
      ['t', 'TASK_STAGING', 'Reconciliation: Latest task state', undefined],
      ['x', 'TASK_GONE', 'Reconciliation: Task is unknown to the agent', undefined],
      ['y', 'TASK_UNKNOWN', 'Reconciliation: Task is unknown', undefined],
    ]);
  });

  it('says TASK_LOST instead for frameworks that are not partition-aware', () => {
    setup({ user: 'u', name: 'plain' });
    call('KILL', { kill: { task_id: { value: 'nope' } } });
    expect(updates(s.events)).toMatchObject([
      { state: 'TASK_LOST', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' },
    ]);
  });
});

describe('KILL', () => {
  it('forwards to the agent with the call kill policy, ignores a wrong agent id', () => {
    setup();
    call('KILL', { kill: { task_id: { value: 't' }, agent_id: { value: 'other' } } });
    expect(agent.kills).toEqual([]);
    call('KILL', { kill: { task_id: { value: 't' }, kill_policy: { grace_period: { nanoseconds: 3e9 } } } });
    call('KILL', { kill: { task_id: { value: 't' } } });
    expect(agent.kills).toEqual([
      { frameworkId: fwId, taskId: 't', killPolicy: { grace_period: { nanoseconds: 3e9 } } },
      { frameworkId: fwId, taskId: 't', killPolicy: undefined },
    ]);
  });
});

describe('framework lifecycle', () => {
  it('fails over an open stream: ERROR "Framework failed over", old stream closed, offers discarded', () => {
    setup();
    const s2 = testStream('stream-2');
    master.subscribe(
      {
        type: 'SUBSCRIBE',
        framework_id: { value: fwId },
        subscribe: { framework_info: { ...FW, id: { value: fwId }, user: 'someone-else' } },
      },
      s2.stream,
    );
    expect(s.events.at(-1)).toEqual({ type: 'ERROR', error: { message: 'Framework failed over' } });
    expect(s.res.ended).toBe(true);
    expect(fw().stream).toBe(s2.stream);
    expect(fw().info.user).toBe('root');
    expect(getTasks(master.state).tasks).toHaveLength(1);
  });

  it('TEARDOWN: agents shut the framework down, tasks become TASK_KILLED without events, id refused', () => {
    setup();
    const before = s.events.length;
    call('TEARDOWN');
    expect(s.events.length).toBe(before);
    expect(s.res.ended).toBe(true);
    expect(agent.shutdowns).toEqual([fwId]);
    expect(cpusFree()).toBe(2);
    const frameworks = getFrameworks(master.state);
    expect(frameworks.frameworks).toEqual([]);
    expect(frameworks.completed_frameworks[0]).toMatchObject({ active: false, connected: false });
    expect(getTasks(master.state).completed_tasks[0].statuses!.at(-1)).toMatchObject({
      state: 'TASK_KILLED',
      reason: 'REASON_FRAMEWORK_REMOVED',
      message: `Framework ${fwId} removed`,
    });
    const s2 = testStream('again');
    master.subscribe(
      {
        type: 'SUBSCRIBE',
        framework_id: { value: fwId },
        subscribe: { framework_info: { ...FW, id: { value: fwId } } },
      },
      s2.stream,
    );
    expect(s2.events).toEqual([{ type: 'ERROR', error: { message: 'Framework has been removed' } }]);
  });

  it('removes a disconnected framework when its failover timeout expires, not before', () => {
    vi.useFakeTimers();
    setup({ ...FW, failover_timeout: 60 });
    s.res.hangUp();
    expect(getFrameworks(master.state).frameworks[0]).toMatchObject({ active: false, connected: false });
    vi.advanceTimersByTime(59_000);
    expect(agent.shutdowns).toEqual([]);
    vi.advanceTimersByTime(2_000);
    expect(agent.shutdowns).toEqual([fwId]);
    expect(master.framework(fwId)).toBeUndefined();
  });

  it('keeps a framework whose failover timeout is longer than the longest Node timer (24.8 days)', () => {
    vi.useFakeTimers();
    setup({ ...FW, failover_timeout: 60 * 86_400 });
    s.res.hangUp();
    vi.advanceTimersByTime(59 * 86_400_000);
    expect(agent.shutdowns).toEqual([]);
    vi.advanceTimersByTime(2 * 86_400_000);
    expect(agent.shutdowns).toEqual([fwId]);
  });

  it('removes a framework with failover_timeout 0 as soon as its stream breaks', () => {
    setup({ ...FW, failover_timeout: 0 });
    s.res.hangUp();
    expect(agent.shutdowns).toEqual([fwId]);
  });

  it('a re-subscription within the timeout keeps the tasks', () => {
    vi.useFakeTimers();
    setup({ ...FW, failover_timeout: 10 });
    s.res.hangUp();
    master.subscribe(
      {
        type: 'SUBSCRIBE',
        framework_id: { value: fwId },
        subscribe: { framework_info: { ...FW, id: { value: fwId } } },
      },
      testStream('2').stream,
    );
    vi.advanceTimersByTime(20_000);
    expect(agent.shutdowns).toEqual([]);
    expect(getTasks(master.state).tasks).toHaveLength(1);
  });
});
