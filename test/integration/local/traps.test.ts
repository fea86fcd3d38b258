/**
 * Conformance tests for the Traps and Appendix A items of mesos-protocol.md that no other
 * test covered (issue #4, item 0; the mapping is in TRAPS.md beside this file). Each test
 * drives the HTTP API as a curl user would, against its own cluster on a free port.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Event, FrameworkInfo, Offer, TaskInfo } from '../../../src/mesos/types.js';
import { alive, EventStream, FRAMEWORK, request, schedulerCall, subscribeBody, localHarness } from './client.js';

const harness = localHarness('local-traps-');
const { streams, start } = harness;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function open(info: FrameworkInfo = FRAMEWORK): Promise<EventStream> {
  const s = await EventStream.open(harness.cluster!.url, subscribeBody(info));
  streams.push(s);
  return s;
}

async function subscribe(info: FrameworkInfo = FRAMEWORK): Promise<{ s: EventStream; fwId: string; offer: Offer }> {
  const s = await open(info);
  const sub = await s.next((e) => e.type === 'SUBSCRIBED');
  const offers = await s.next((e) => e.type === 'OFFERS');
  return { s, fwId: sub!.subscribed!.framework_id.value, offer: offers!.offers!.offers![0] };
}

/** The pid a task's `echo $$ > pid` wrote in its sandbox, once it is there (up to 5 s). */
async function readPidFile(workDir: string, taskId: string): Promise<number> {
  const suffix = ['executors', taskId, 'runs', 'latest', 'pid'].join(path.sep);
  for (const deadline = Date.now() + 5000; ; await sleep(50)) {
    const rel = fs
      .readdirSync(workDir, { recursive: true })
      .map(String)
      .find((p) => p.endsWith(suffix));
    const text = rel === undefined ? '' : fs.readFileSync(path.join(workDir, rel), 'utf8').trim();
    if (/^\d+$/.test(text)) return Number(text);
    if (Date.now() > deadline) throw new Error(`no pid file for task ${taskId} in ${workDir}`);
  }
}

const scalar = (name: string, value: number) => ({ name, type: 'SCALAR' as const, scalar: { value } });
const task = (id: string, offer: Offer, command: TaskInfo['command'], extra: Partial<TaskInfo> = {}): TaskInfo => ({
  name: id,
  task_id: { value: id },
  agent_id: offer.agent_id,
  command,
  resources: [scalar('cpus', 0.1), scalar('mem', 32)],
  ...extra,
});
const shell = (value: string) => ({ shell: true, value });

const call = (s: EventStream, fwId: string, type: string, body: Record<string, unknown> = {}) =>
  schedulerCall(harness.cluster!.url, s.streamId, { framework_id: { value: fwId }, type, ...body });
const accept = (s: EventStream, fwId: string, offerIds: Offer['id'][], tasks: TaskInfo[], refuse = 0) =>
  call(s, fwId, 'ACCEPT', {
    accept: {
      offer_ids: offerIds,
      operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }],
      filters: { refuse_seconds: refuse },
    },
  });
const ack = (s: EventStream, fwId: string, e: Event) => {
  const st = e.update!.status;
  return call(s, fwId, 'ACKNOWLEDGE', { acknowledge: { agent_id: st.agent_id, task_id: st.task_id, uuid: st.uuid } });
};
const update = (taskId: string, state?: string) => (e: Event) =>
  e.type === 'UPDATE' && e.update!.status.task_id.value === taskId && (!state || e.update!.status.state === state);
const operator = async (type: string) =>
  JSON.parse((await request(harness.cluster!.url, 'POST', '/api/v1', { type })).text);

describe('traps of mesos-protocol.md, over HTTP', () => {
  it('Appendix A ids: framework <master>-0000, offer <master>-O<n>, agent <master>-S<n>, stream and container UUIDs', async () => {
    await start();
    const { s, fwId, offer } = await subscribe();
    const master = fwId.slice(0, -5);
    expect(master).toMatch(UUID);
    expect(fwId).toBe(`${master}-0000`);
    expect(offer.id.value).toMatch(new RegExp(`^${master}-O\\d+$`));
    expect(offer.agent_id.value).toMatch(new RegExp(`^${master}-S\\d+$`));
    expect(s.streamId).toMatch(UUID);
    expect(s.events[0].subscribed!.heartbeat_interval_seconds).toBe(15); // Trap 9: fixed 15 s by default
    expect(s.events[1].type).toBe('HEARTBEAT');
    const second = await open({ ...FRAMEWORK, name: 'other' });
    expect((await second.next((e) => e.type === 'SUBSCRIBED'))!.subscribed!.framework_id.value).toBe(`${master}-0001`);
    expect(second.streamId).not.toBe(s.streamId);
    await accept(s, fwId, [offer.id], [task('c', offer, shell('sleep 5'))]);
    await ack(s, fwId, (await s.next(update('c', 'TASK_STARTING')))!);
    const running = (await s.next(update('c', 'TASK_RUNNING')))!.update!.status;
    expect(running.container_status?.container_id?.value).toMatch(UUID);
    expect(Buffer.from(running.uuid!, 'base64')).toHaveLength(16);
  });

  it('Trap 2: unknown keys are dropped silently (REVIVE with "role" revives every role; "agentId" is ignored)', async () => {
    await start();
    const { s, fwId, offer } = await subscribe();
    await call(s, fwId, 'DECLINE', { decline: { offer_ids: [offer.id], filters: { refuse_seconds: 60 } } });
    const mark = s.events.length;
    const typo = await call(s, fwId, 'REVIVE', { revive: { role: 'nonexistent' }, agentId: 'x' });
    expect(typo.status).toBe(202);
    expect(await s.next((e) => e.type === 'OFFERS', 2000, mark)).toBeDefined();
  });

  it('Trap 5: output carries defaulted fields (failover_timeout 0, health-check timings, shell true, role "*" in offers)', async () => {
    await start();
    const plain: FrameworkInfo = { user: 'root', name: 'plain' };
    const { s, fwId, offer } = await subscribe(plain);
    expect(offer.resources.every((r) => r.role === '*' && r.allocation_info === undefined)).toBe(true);
    const check = { type: 'COMMAND' as const, command: { value: 'true' } };
    await accept(s, fwId, [offer.id], [task('d', offer, { value: 'sleep 5' }, { health_check: check })]);
    await s.next(update('d', 'TASK_STARTING'));
    const fw = (await operator('GET_FRAMEWORKS')).get_frameworks.frameworks[0];
    expect(fw.framework_info.failover_timeout).toBe(0);
    const t = (await operator('GET_TASKS')).get_tasks.tasks.find(
      (x: { task_id: { value: string } }) => x.task_id.value === 'd',
    );
    expect(t.health_check).toEqual({
      ...check,
      command: { shell: true, value: 'true' },
      delay_seconds: 15,
      interval_seconds: 10,
      timeout_seconds: 20,
      consecutive_failures: 3,
      grace_period_seconds: 10,
    });
    expect((await call(s, fwId, 'SUPPRESS')).status).toBe(202); // Trap 10: no payload needed
  });

  it('Trap 13: a task id stays taken until its terminal update is acknowledged; then reconcile says TASK_GONE / TASK_UNKNOWN', async () => {
    await start();
    const { s, fwId, offer } = await subscribe();
    await accept(s, fwId, [offer.id], [task('j', offer, shell('true'))]);
    await ack(s, fwId, (await s.next(update('j', 'TASK_STARTING')))!);
    await ack(s, fwId, (await s.next(update('j', 'TASK_RUNNING')))!);
    const finished = (await s.next(update('j', 'TASK_FINISHED')))!;
    // The freed resources come back at the next allocation (1 s); a loaded machine may take longer.
    const o2 = (await s.next((e) => e.type === 'OFFERS', 10_000, s.events.indexOf(finished)))!.offers!.offers![0];
    await accept(s, fwId, [o2.id], [task('j', o2, shell('true'))]);
    const dup = (await s.next(update('j', 'TASK_ERROR')))!.update!.status;
    expect(dup).toMatchObject({ reason: 'REASON_TASK_INVALID', message: 'Task has duplicate ID: j' });
    expect(dup.uuid).toBeUndefined();
    await ack(s, fwId, finished);
    await sleep(100);
    const mark = s.events.length;
    await call(s, fwId, 'RECONCILE', { reconcile: { tasks: [{ task_id: { value: 'j' }, agent_id: o2.agent_id }] } });
    expect((await s.next(update('j'), 2000, mark))!.update!.status).toMatchObject({
      state: 'TASK_GONE',
      message: 'Reconciliation: Task is unknown to the agent',
    });
    const mark2 = s.events.length;
    await call(s, fwId, 'RECONCILE', { reconcile: { tasks: [{ task_id: { value: 'j' } }] } });
    expect((await s.next(update('j'), 2000, mark2))!.update!.status).toMatchObject({
      state: 'TASK_UNKNOWN',
      message: 'Reconciliation: Task is unknown',
    });
  });

  it('Trap 14/18: reconcile reports the last state forwarded, not the agent newest; STAGING is never sent', async () => {
    await start({ statusRetryMs: 60_000 });
    const { s, fwId, offer } = await subscribe();
    await accept(s, fwId, [offer.id], [task('r', offer, shell('sleep 5'))]);
    await s.next(update('r', 'TASK_STARTING'));
    await sleep(500); // the agent has reached RUNNING by now, held behind the unacknowledged STARTING
    const mark = s.events.length;
    await call(s, fwId, 'RECONCILE', { reconcile: {} });
    const answer = (await s.next(update('r'), 2000, mark))!.update!.status;
    expect(answer).toMatchObject({ state: 'TASK_STARTING', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
    expect(answer.uuid).toBeUndefined();
    expect(s.events.some(update('r', 'TASK_STAGING'))).toBe(false);
    expect(s.events.some(update('r', 'TASK_RUNNING'))).toBe(false);
  });

  it('Trap 15: an ACKNOWLEDGE with a valid but wrong uuid is 202 and changes nothing', async () => {
    await start({ statusRetryMs: 200 });
    const { s, fwId, offer } = await subscribe();
    await accept(s, fwId, [offer.id], [task('a', offer, shell('sleep 5'))]);
    const first = (await s.next(update('a', 'TASK_STARTING')))!;
    const wrong = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    wrong[6] = 0x40 | (wrong[6] & 0x0f);
    wrong[8] = 0x80 | (wrong[8] & 0x3f);
    const st = first.update!.status;
    const r = await call(s, fwId, 'ACKNOWLEDGE', {
      acknowledge: { agent_id: st.agent_id, task_id: st.task_id, uuid: wrong.toString('base64') },
    });
    expect(r.status).toBe(202);
    const resent = await s.next(update('a', 'TASK_STARTING'), 2000, s.events.indexOf(first) + 1);
    expect(resent!.update!.status.uuid).toBe(st.uuid);
    expect(s.events.some(update('a', 'TASK_RUNNING'))).toBe(false);
  });

  it('Trap 20: failover_timeout omitted means 0: a dropped stream removes the framework and kills its tasks at once', async () => {
    const c = await start();
    const { s, fwId, offer } = await subscribe({ ...FRAMEWORK, failover_timeout: undefined });
    await accept(s, fwId, [offer.id], [task('f', offer, shell('echo $$ > pid; exec sleep 30'))]);
    await ack(s, fwId, (await s.next(update('f', 'TASK_STARTING')))!);
    await s.next(update('f', 'TASK_RUNNING'));
    // TASK_RUNNING means the process was started, not that its shell has written the pid yet.
    const pid = await readPidFile(c.workDir, 'f');
    s.close();
    const deadline = Date.now() + 2000;
    while (alive(pid) && Date.now() < deadline) await sleep(50);
    expect(alive(pid)).toBe(false);
    const fws = (await operator('GET_FRAMEWORKS')).get_frameworks;
    expect(fws.frameworks ?? []).toHaveLength(0);
    expect(fws.completed_frameworks[0].framework_info.id.value).toBe(fwId);
  });

  it('Trap 22: one unknown offer id fails the whole ACCEPT (TASK_DROPPED, REASON_INVALID_OFFERS) and discards the valid offer', async () => {
    await start();
    const { s, fwId, offer } = await subscribe();
    const bogus = { value: `${offer.id.value}999` };
    await accept(s, fwId, [offer.id, bogus], [task('v', offer, shell('sleep 5'))]);
    const dropped = (await s.next(update('v')))!.update!.status;
    expect(dropped).toMatchObject({ state: 'TASK_DROPPED', reason: 'REASON_INVALID_OFFERS', source: 'SOURCE_MASTER' });
    await accept(s, fwId, [offer.id], [task('w', offer, shell('sleep 5'))]);
    expect((await s.next(update('w')))!.update!.status).toMatchObject({
      state: 'TASK_DROPPED',
      reason: 'REASON_INVALID_OFFERS',
    });
    expect(s.events.some((e) => e.type === 'RESCIND')).toBe(false);
  });

  it('Trap 23: DECLINE without filters refuses the agent for 5 s; REVIVE clears it', async () => {
    await start();
    const { s, fwId, offer } = await subscribe();
    await call(s, fwId, 'DECLINE', { decline: { offer_ids: [offer.id] } });
    const mark = s.events.length;
    expect(await s.next((e) => e.type === 'OFFERS', 1000, mark)).toBeUndefined();
    await call(s, fwId, 'REVIVE');
    expect(await s.next((e) => e.type === 'OFFERS', 1000, mark)).toBeDefined();
  });

  it('Trap 23: resources of a task refused with TASK_ERROR are declined with the default 5 s filter too', async () => {
    await start();
    const { s, fwId, offer } = await subscribe();
    await call(s, fwId, 'ACCEPT', {
      accept: {
        offer_ids: [offer.id],
        operations: [{ type: 'LAUNCH', launch: { task_infos: [task('e', offer, undefined)] } }],
      },
    });
    expect((await s.next(update('e')))!.update!.status.state).toBe('TASK_ERROR');
    const mark = s.events.length;
    expect(await s.next((e) => e.type === 'OFFERS', 1000, mark)).toBeUndefined();
  });

  it('Trap 24: roles without MULTI_ROLE is a SUBSCRIBE ERROR; a non-MULTI_ROLE task gets allocation_info injected', async () => {
    await start();
    const bad = await open({ user: 'root', name: 'bad', roles: ['web'] });
    expect(await bad.next((e) => e.type === 'ERROR')).toEqual({
      type: 'ERROR',
      error: { message: "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable" },
    });
    expect(await bad.end(2000)).toBe(true);
    expect(bad.status).toBe(200);
    const { s, fwId, offer } = await subscribe({ user: 'root', name: 'plain' });
    await accept(s, fwId, [offer.id], [task('n', offer, shell('sleep 5'))]);
    await s.next(update('n', 'TASK_STARTING'));
    const t = (await operator('GET_TASKS')).get_tasks.tasks.find(
      (x: { task_id: { value: string } }) => x.task_id.value === 'n',
    );
    expect(t.resources.every((r: { allocation_info?: { role: string } }) => r.allocation_info?.role === '*')).toBe(
      true,
    );
  });

  it('Trap 25: 0.0004 cpus rounds to zero and is invalid; fractional gpus are refused', async () => {
    await start();
    const { s, fwId, offer } = await subscribe();
    const tiny = task('tiny', offer, shell('true'), { resources: [scalar('cpus', 0.0004), scalar('mem', 32)] });
    const gpu = task('gpu', offer, shell('true'), {
      resources: [scalar('cpus', 0.1), scalar('mem', 32), scalar('gpus', 0.5)],
    });
    await accept(s, fwId, [offer.id], [tiny, gpu]);
    const t = (await s.next(update('tiny')))!.update!.status;
    expect(t).toMatchObject({ state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID' });
    expect(t.message).toContain('Invalid scalar resource: value <= 0');
    const g = (await s.next(update('gpu')))!.update!.status;
    expect(g).toMatchObject({ state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID' });
  });

  it('Trap 30: command executors are invisible to the master (no executor_id, no FAILURE event, empty executor_ids)', async () => {
    await start();
    const { s, fwId, offer } = await subscribe();
    expect(offer.executor_ids ?? []).toEqual([]);
    await accept(s, fwId, [offer.id], [task('x', offer, shell('exit 1'))]);
    for (const state of ['TASK_STARTING', 'TASK_RUNNING']) await ack(s, fwId, (await s.next(update('x', state)))!);
    await s.next(update('x', 'TASK_FAILED'));
    await sleep(300);
    expect(s.events.some((e) => e.type === 'FAILURE')).toBe(false);
    const t = (await operator('GET_TASKS')).get_tasks.tasks.find(
      (x: { task_id: { value: string } }) => x.task_id.value === 'x',
    );
    expect(t.executor_id).toBeUndefined();
    const legacy = JSON.parse((await request(harness.cluster!.url, 'GET', '/master/tasks')).text).tasks[0];
    expect(legacy.executor_id).toBe('');
  });

  it('Trap 36: /master/tasks returns at most 100 tasks unless limit says otherwise', async () => {
    await start({ resources: 'cpus:32;mem:8192;disk:4096;ports:[31000-32000]' });
    const { s, fwId, offer } = await subscribe();
    const many = Array.from({ length: 102 }, (_, i) =>
      task(`m${i}`, offer, shell('sleep 10'), { resources: [scalar('cpus', 0.01), scalar('mem', 1)] }),
    );
    await accept(s, fwId, [offer.id], many);
    await s.next(update('m101'));
    expect(JSON.parse((await request(harness.cluster!.url, 'GET', '/master/tasks')).text).tasks).toHaveLength(100);
    expect(JSON.parse((await request(harness.cluster!.url, 'GET', '/master/tasks?limit=101')).text).tasks).toHaveLength(
      101,
    );
  });

  it('Trap 37: an unseen framework id is accepted; user/checkpoint changes are ignored; a principal change is refused', async () => {
    await start();
    const id = { value: 'a1b2c3d4-0000-4000-8000-000000000000-0042' };
    const { s, fwId } = await subscribe({ ...FRAMEWORK, id });
    expect(fwId).toBe(id.value);
    s.close();
    await sleep(100);
    const again = await subscribe({ ...FRAMEWORK, id, user: 'nobody', checkpoint: false });
    expect(again.fwId).toBe(id.value);
    const info = (await operator('GET_FRAMEWORKS')).get_frameworks.frameworks[0].framework_info;
    expect(info).toMatchObject({ user: 'root', checkpoint: true });
    const principal = await open({ ...FRAMEWORK, id, principal: 'mallory' });
    expect(await principal.next((e) => e.type === 'ERROR')).toEqual({
      type: 'ERROR',
      error: { message: "Changing framework's principal is not allowed." },
    });
    expect(await principal.end(2000)).toBe(true);
  });

  it('Appendix A.2: no offer for what is left below the minimum allocatable (cpus 0.01 or mem 32)', async () => {
    await start();
    const { s, fwId, offer } = await subscribe();
    await accept(
      s,
      fwId,
      [offer.id],
      [task('big', offer, shell('sleep 5'), { resources: [scalar('cpus', 1.995), scalar('mem', 2020)] })],
    );
    for (const state of ['TASK_STARTING', 'TASK_RUNNING']) await ack(s, fwId, (await s.next(update('big', state)))!);
    const mark = s.events.length;
    expect(await s.next((e) => e.type === 'OFFERS', 800, mark)).toBeUndefined();
    await call(s, fwId, 'KILL', { kill: { task_id: { value: 'big' } } });
    await ack(s, fwId, (await s.next(update('big', 'TASK_KILLING')))!);
    expect(await s.next((e) => e.type === 'OFFERS', 3000, mark)).toBeDefined();
  });

  it('Trap 29: LAUNCH_GROUP is not carried out by the local master: 501, and the offer stays usable', async () => {
    await start();
    const { s, fwId, offer } = await subscribe();
    const group = {
      type: 'LAUNCH_GROUP',
      launch_group: {
        executor: { type: 'DEFAULT', executor_id: { value: 'e' }, framework_id: { value: fwId } },
        task_group: { tasks: [task('g', offer, shell('true'))] },
      },
    };
    const r = await call(s, fwId, 'ACCEPT', { accept: { offer_ids: [offer.id], operations: [group] } });
    expect(r).toMatchObject({
      status: 501,
      text: 'Offer operation LAUNCH_GROUP is not implemented by mesos-apply local',
    });
    expect((await accept(s, fwId, [offer.id], [task('after', offer, shell('true'))])).status).toBe(202);
    expect((await s.next(update('after')))!.update!.status.state).toBe('TASK_STARTING');
  });

  it('Trap 33: a torn-down id is refused while in the completed cache (50), then accepted again as recovered', async () => {
    await start();
    const first = await subscribe({ ...FRAMEWORK, name: 'fw0' });
    await call(first.s, first.fwId, 'TEARDOWN');
    expect(await first.s.end(2000)).toBe(true);
    expect(first.s.events.some((e) => e.type === 'UPDATE')).toBe(false);
    const refused = await open({ ...FRAMEWORK, id: { value: first.fwId } });
    expect(await refused.next((e) => e.type === 'ERROR')).toEqual({
      type: 'ERROR',
      error: { message: 'Framework has been removed' },
    });
    for (let i = 1; i <= 50; i++) {
      const o = await open({ ...FRAMEWORK, name: `fw${i}` });
      const id = (await o.next((e) => e.type === 'SUBSCRIBED'))!.subscribed!.framework_id.value;
      await call(o, id, 'TEARDOWN');
      o.close();
    }
    const back = await open({ ...FRAMEWORK, id: { value: first.fwId } });
    expect((await back.next((e) => e.type === 'SUBSCRIBED' || e.type === 'ERROR'))!.type).toBe('SUBSCRIBED');
  });
});
