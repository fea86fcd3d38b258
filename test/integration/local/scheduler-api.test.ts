/**
 * The scheduler API driven over HTTP as a curl user would (docs/scheduler-http-api.md):
 * retries until acknowledged, disconnect and re-subscribe, failover timeout, kill with a
 * grace period, refuse filters and REVIVE, offer timeout, and nothing left running after
 * the cluster closes. Each test starts its own cluster on a free port.
 */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Event, FrameworkInfo, Offer, TaskInfo } from '../../../src/mesos/types.js';
import { alive, EventStream, FRAMEWORK, request, schedulerCall, subscribeBody, localHarness } from './client.js';

const harness = localHarness('local-master-');
const { streams, start } = harness;

async function subscribe(info: FrameworkInfo = FRAMEWORK): Promise<{ s: EventStream; fwId: string; offer: Offer }> {
  const s = await EventStream.open(harness.cluster!.url, subscribeBody(info));
  streams.push(s);
  const sub = await s.next((e) => e.type === 'SUBSCRIBED');
  const offers = await s.next((e) => e.type === 'OFFERS');
  return { s, fwId: sub!.subscribed!.framework_id.value, offer: offers!.offers!.offers![0] };
}

const shellTask = (id: string, offer: Offer, command: string, extra: Partial<TaskInfo> = {}): TaskInfo => ({
  name: id,
  task_id: { value: id },
  agent_id: offer.agent_id,
  command: { shell: true, value: command },
  resources: [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
  ],
  ...extra,
});

const launch = (s: EventStream, fwId: string, offer: Offer, tasks: TaskInfo[], refuse = 0) =>
  schedulerCall(harness.cluster!.url, s.streamId, {
    framework_id: { value: fwId },
    type: 'ACCEPT',
    accept: {
      offer_ids: [offer.id],
      operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }],
      filters: { refuse_seconds: refuse },
    },
  });

const ackOf = (s: EventStream, fwId: string, e: Event) => {
  const st = e.update!.status;
  return schedulerCall(harness.cluster!.url, s.streamId, {
    framework_id: { value: fwId },
    type: 'ACKNOWLEDGE',
    acknowledge: { agent_id: st.agent_id, task_id: st.task_id, uuid: st.uuid },
  });
};
const update = (taskId: string, state?: string) => (e: Event) =>
  e.type === 'UPDATE' && e.update!.status.task_id.value === taskId && (!state || e.update!.status.state === state);

/** The pid the task wrote into its sandbox (`echo $$ > pid`), waiting briefly for the file. */
async function taskPid(workDir: string, taskId: string): Promise<number> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const found = execFileSync('find', [workDir, '-path', `*/executors/${taskId}/runs/*/pid`])
      .toString()
      .trim()
      .split('\n')[0];
    const text = found ? fs.readFileSync(found, 'utf8').trim() : '';
    if (text) return Number(text);
    if (Date.now() > deadline) throw new Error(`no pid file for ${taskId}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('scheduler API over HTTP', () => {
  it('answers SUBSCRIBE with a RecordIO stream, a stream id, and heartbeats at the interval', async () => {
    await start({ heartbeatIntervalSeconds: 1 });
    const { s } = await subscribe();
    expect(s.status).toBe(200);
    expect(s.streamId).toMatch(/^[0-9a-f-]{36}$/);
    expect(s.events.slice(0, 2).map((e) => e.type)).toEqual(['SUBSCRIBED', 'HEARTBEAT']);
    expect(s.events[0].subscribed!.heartbeat_interval_seconds).toBe(1);
    const second = await s.next((e) => e.type === 'HEARTBEAT', 2500, 2);
    expect(second).toBeDefined();
  });

  it('says 403 to a disconnected framework and 400 to a missing stream id', async () => {
    await start();
    const { s, fwId } = await subscribe();
    const noHeader = await request(harness.cluster!.url, 'POST', '/api/v1/scheduler', {
      framework_id: { value: fwId },
      type: 'REVIVE',
    });
    expect(noHeader).toMatchObject({
      status: 400,
      text: "All non-subscribe calls should include the 'Mesos-Stream-Id' header",
    });
    s.close();
    await new Promise((r) => setTimeout(r, 200));
    const after = await schedulerCall(harness.cluster!.url, s.streamId, {
      framework_id: { value: fwId },
      type: 'REVIVE',
    });
    expect(after).toMatchObject({ status: 403, text: 'Framework is not subscribed' });
    expect(after.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('resends an update until it is acknowledged, then delivers the next one', async () => {
    await start({ statusRetryMs: 200 });
    const { s, fwId, offer } = await subscribe();
    expect((await launch(s, fwId, offer, [shellTask('t', offer, 'sleep 30')])).status).toBe(202);
    const first = await s.next(update('t', 'TASK_STARTING'));
    const resent = await s.next(update('t', 'TASK_STARTING'), 3000, s.events.indexOf(first!) + 1);
    expect(resent!.update!.status.uuid).toBe(first!.update!.status.uuid);
    expect(s.events.some(update('t', 'TASK_RUNNING'))).toBe(false);
    await ackOf(s, fwId, first!);
    expect(await s.next(update('t', 'TASK_RUNNING'))).toBeDefined();
  });

  it('queues updates while the framework is away and delivers them after re-subscription', async () => {
    const c = await start({ statusRetryMs: 60_000 });
    const { s, fwId, offer } = await subscribe();
    await launch(s, fwId, offer, [shellTask('t', offer, 'echo $$ > pid; exec sleep 30')]);
    for (const state of ['TASK_STARTING', 'TASK_RUNNING']) await ackOf(s, fwId, (await s.next(update('t', state)))!);
    s.close();
    await new Promise((r) => setTimeout(r, 200));
    process.kill(await taskPid(c.workDir, 't'), 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    const frameworks = JSON.parse((await request(c.url, 'POST', '/api/v1', { type: 'GET_FRAMEWORKS' })).text);
    expect(frameworks.get_frameworks.frameworks[0]).toMatchObject({ active: false, connected: false });
    const again = await subscribe({ ...FRAMEWORK, id: { value: fwId } });
    const failed = await again.s.next(update('t', 'TASK_FAILED'), 3000);
    expect(failed!.update!.status).toMatchObject({
      message: 'Command terminated with signal Killed',
      source: 'SOURCE_EXECUTOR',
    });
    expect(failed!.update!.status.uuid).toBeDefined();
  });

  it('UPDATE_FRAMEWORK: 200 and the new labels, 400 for a new user; agents resend what is pending', async () => {
    const c = await start({ statusRetryMs: 60_000 });
    const { s, fwId, offer } = await subscribe();
    await launch(s, fwId, offer, [shellTask('t', offer, 'sleep 30')]);
    const starting = await s.next(update('t', 'TASK_STARTING'));
    const info = { ...FRAMEWORK, id: { value: fwId }, labels: { labels: [{ key: 'k', value: 'v' }] } };
    const updateFramework = (framework_info: FrameworkInfo) =>
      schedulerCall(c.url, s.streamId, {
        framework_id: { value: fwId },
        type: 'UPDATE_FRAMEWORK',
        update_framework: { framework_info, suppressed_roles: [] },
      });
    expect(await updateFramework({ ...info, user: 'someone-else' })).toMatchObject({
      status: 400,
      text: expect.stringMatching(/^FrameworkInfo update is not valid: Updating 'FrameworkInfo.user' is unsupported/),
    });
    const at = s.events.length;
    expect(await updateFramework(info)).toMatchObject({ status: 200, text: '' });
    const frameworks = JSON.parse((await request(c.url, 'POST', '/api/v1', { type: 'GET_FRAMEWORKS' })).text);
    expect(frameworks.get_frameworks.frameworks[0].framework_info.labels).toEqual(info.labels);
    // Not acknowledged, and not due for a retry for a minute: the agent resends it now.
    const resent = await s.next(update('t', 'TASK_STARTING'), 3000, at);
    expect(resent!.update!.status.uuid).toBe(starting!.update!.status.uuid);
  });

  it('kills the tasks of a framework whose failover timeout expires', async () => {
    const c = await start();
    const { s, fwId, offer } = await subscribe({ ...FRAMEWORK, failover_timeout: 0.5 });
    await launch(s, fwId, offer, [shellTask('t', offer, 'echo $$ > pid; exec sleep 30')]);
    await ackOf(s, fwId, (await s.next(update('t', 'TASK_STARTING')))!);
    await s.next(update('t', 'TASK_RUNNING'));
    const pid = await taskPid(c.workDir, 't');
    expect(alive(pid)).toBe(true);
    s.close();
    const deadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
    const again = await EventStream.open(c.url, subscribeBody({ ...FRAMEWORK, id: { value: fwId } }));
    streams.push(again);
    expect(await again.next((e) => e.type === 'ERROR')).toEqual({
      type: 'ERROR',
      error: { message: 'Framework has been removed' },
    });
  });

  it('kills with the call grace period: TASK_KILLING, then TASK_KILLED once the task gives up', async () => {
    await start();
    const { s, fwId, offer } = await subscribe();
    // The task writes its pid file once its TERM trap is set: a TERM before that would end the shell at once.
    await launch(s, fwId, offer, [
      shellTask('k', offer, "trap 'echo term' TERM; echo $$ > pid; while true; do sleep 0.1; done"),
    ]);
    for (const state of ['TASK_STARTING', 'TASK_RUNNING']) await ackOf(s, fwId, (await s.next(update('k', state)))!);
    await taskPid(harness.cluster!.workDir, 'k');
    const t0 = Date.now();
    await schedulerCall(harness.cluster!.url, s.streamId, {
      framework_id: { value: fwId },
      type: 'KILL',
      kill: { task_id: { value: 'k' }, kill_policy: { grace_period: { nanoseconds: 500_000_000 } } },
    });
    await ackOf(s, fwId, (await s.next(update('k', 'TASK_KILLING')))!);
    const killed = await s.next(update('k', 'TASK_KILLED'), 5000);
    expect(killed).toBeDefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
  });

  it('honours DECLINE filters until REVIVE, and rescinds offers that time out', async () => {
    await start({ offerTimeoutMs: 300 });
    const { s, fwId, offer } = await subscribe();
    const rescind = await s.next((e) => e.type === 'RESCIND', 2000);
    expect(rescind!.rescind!.offer_id.value).toBe(offer.id.value);
    const o2 = (await s.next((e) => e.type === 'OFFERS', 2000, s.events.indexOf(rescind!)))!.offers!.offers![0];
    await schedulerCall(harness.cluster!.url, s.streamId, {
      framework_id: { value: fwId },
      type: 'DECLINE',
      decline: { offer_ids: [o2.id], filters: { refuse_seconds: 60 } },
    });
    const mark = s.events.length;
    expect(await s.next((e) => e.type === 'OFFERS', 800, mark)).toBeUndefined();
    await schedulerCall(harness.cluster!.url, s.streamId, {
      framework_id: { value: fwId },
      type: 'REVIVE',
      revive: { roles: ['web'] },
    });
    expect(await s.next((e) => e.type === 'OFFERS', 1000, mark)).toBeDefined();
  });

  it('refuses an ACCEPT with an operation it does not carry out (501), leaving the offer usable', async () => {
    await start();
    const { s, fwId, offer } = await subscribe();
    const reserve = await schedulerCall(harness.cluster!.url, s.streamId, {
      framework_id: { value: fwId },
      type: 'ACCEPT',
      accept: { offer_ids: [offer.id], operations: [{ type: 'RESERVE', reserve: { resources: [] } }] },
    });
    expect(reserve).toMatchObject({
      status: 501,
      text: 'Offer operation RESERVE is not implemented by mesos-apply local',
    });
    expect((await launch(s, fwId, offer, [shellTask('r', offer, 'sleep 5')])).status).toBe(202);
    expect(await s.next(update('r', 'TASK_STARTING'))).toBeDefined();
  });

  it('leaves no task process and no zombie behind after close()', async () => {
    const c = await start();
    const { s, fwId, offer } = await subscribe();
    await launch(s, fwId, offer, [
      shellTask('a', offer, 'echo $$ > pid; exec sleep 30'),
      shellTask('b', offer, 'sleep 30 & sleep 30'),
    ]);
    await s.next(update('a', 'TASK_STARTING'));
    await s.next(update('b', 'TASK_STARTING'));
    await new Promise((r) => setTimeout(r, 200));
    const pid = await taskPid(c.workDir, 'a');
    await c.close();
    harness.forget();
    expect(alive(pid)).toBe(false);
    const children = execFileSync('ps', ['-o', 'pid=,stat=,args=', '--ppid', String(process.pid)]).toString();
    expect(children).not.toMatch(/sleep 30|\bZ/);
  });
});
