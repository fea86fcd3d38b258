import { describe, expect, it } from 'vitest';
import { buildFrameworkInfo } from '../../../src/mesos/calls.js';
import { SchedulerSession, type SchedulerSessionOptions, type SessionEvent } from '../../../src/mesos/scheduler.js';
import type { Call, Event } from '../../../src/mesos/types.js';
import {
  exchange,
  firstRecords,
  frame,
  openStream,
  recordedChunks,
  recordio,
  reply,
  sleep,
  scriptedHarness,
} from './scripted-server.js';

const FW = 'cc85727d-5e93-4341-80a5-7a8f86dadfa6-0000';
const info = buildFrameworkInfo({ name: 'wire-recorder', user: 'root', roles: ['web'] });

const { cleanups, server } = scriptedHarness();

function session(opts: Partial<SchedulerSessionOptions> & { masters: string[] }): SchedulerSession {
  const s = new SchedulerSession({
    frameworkInfo: info,
    reconnect: { maxAttempts: 5, baseMs: 5, maxMs: 20 },
    retry: { rounds: 1, baseMs: 5, maxMs: 20 },
    ...opts,
  });
  cleanups.push(() => s.destroy());
  return s;
}

/** Collect session events until `until` says stop (or the iterator ends). */
async function collect(
  s: SchedulerSession,
  until: (e: SessionEvent, all: SessionEvent[]) => boolean,
): Promise<SessionEvent[]> {
  const all: SessionEvent[] = [];
  for await (const e of s.events()) {
    all.push(e);
    if (until(e, all)) break;
  }
  return all;
}

const eventTypes = (all: SessionEvent[]) => all.map((e) => (e.kind === 'event' ? e.event.type : e.kind));
const parsed = (body: string) => JSON.parse(body) as Call;

describe('SchedulerSession against a scripted master replaying Mesos 1.12', () => {
  it('subscribes, keeps the stream id, sends calls with it and checks 202', async () => {
    const m = await server(async (req, res) => {
      const call = parsed(req.body);
      if (call.type === 'SUBSCRIBE') {
        openStream(res, '7473e0ac-0e5f-463e-9a97-6ce012fc3850');
        for (const c of recordedChunks('stream-1').slice(0, 3)) res.write(c); // SUBSCRIBED, HEARTBEAT, OFFERS
        return;
      }
      if (call.type === 'REVIVE' && req.headers['mesos-stream-id'] !== '7473e0ac-0e5f-463e-9a97-6ce012fc3850') {
        const rec = exchange('stale stream id');
        return reply(res, rec.status, rec.body);
      }
      reply(res, 202);
    });
    const s = session({ masters: [m.url] });
    const sub = await s.start();
    expect(sub).toMatchObject({
      frameworkId: FW,
      streamId: '7473e0ac-0e5f-463e-9a97-6ce012fc3850',
      heartbeatIntervalSeconds: 15,
      leaderUrl: m.url,
    });
    expect(sub.masterInfo?.port).toBe(5050);
    const events = await collect(s, (_e, all) => all.length === 2);
    expect(eventTypes(events)).toEqual(['HEARTBEAT', 'OFFERS']);
    const offers = (events[1] as { event: Event }).event.offers?.offers ?? [];
    expect(offers[0].id.value).toBe('cc85727d-5e93-4341-80a5-7a8f86dadfa6-O0');

    await s.accept([offers[0].id.value], [], { refuse_seconds: 0 });
    await s.decline(['o-1']);
    await s.acknowledge('agent-1', 'job.0', 'YkAC14qVTHmoj+425OQmXQ==');
    await s.kill('svc.1', 'agent-1', { grace_period: { nanoseconds: 3_000_000_000 } });
    await s.reconcile([]);
    await s.revive(['web']);
    await s.suppress();

    const [subscribe, ...calls] = m.requests;
    // Trap 1: exactly application/json; Trap 7: SUBSCRIBE must not carry a stream id.
    expect(subscribe.headers['content-type']).toBe('application/json');
    expect(subscribe.headers['mesos-stream-id']).toBeUndefined();
    expect(parsed(subscribe.body).subscribe?.framework_info.capabilities?.map((c) => c.type)).toEqual(
      expect.arrayContaining(['MULTI_ROLE', 'PARTITION_AWARE', 'TASK_KILLING_STATE']),
    );
    expect(calls.map((r) => parsed(r.body).type)).toEqual([
      'ACCEPT',
      'DECLINE',
      'ACKNOWLEDGE',
      'KILL',
      'RECONCILE',
      'REVIVE',
      'SUPPRESS',
    ]);
    for (const r of calls) {
      expect(r.headers['mesos-stream-id']).toBe('7473e0ac-0e5f-463e-9a97-6ce012fc3850');
      expect(r.headers['content-type']).toBe('application/json');
      expect(parsed(r.body).framework_id).toEqual({ value: FW });
    }
    expect(parsed(calls[0].body).accept).toEqual({
      offer_ids: [{ value: offers[0].id.value }],
      operations: [],
      filters: { refuse_seconds: 0 },
    });
    expect(parsed(calls[3].body).kill?.kill_policy).toEqual({ grace_period: { nanoseconds: 3000000000 } });
    expect(parsed(calls[4].body).reconcile).toEqual({ tasks: [] });
  });

  it('turns a non-2xx call answer into a typed error with the exact body (another stream id: a takeover)', async () => {
    const stale = exchange('call with the old stream id after failover');
    const notSubscribed = 'Framework is not subscribed';
    const m = await server((req, res) => {
      const call = parsed(req.body);
      if (call.type === 'SUBSCRIBE') {
        openStream(res, 's-1');
        res.write(firstRecords('stream-1', 2));
      } else if (call.type === 'REVIVE') reply(res, stale.status, stale.body);
      else reply(res, 403, notSubscribed);
    });
    const s = session({ masters: [m.url] });
    await s.start();
    await expect(s.revive()).rejects.toMatchObject({ code: 'MA_ERR_FAILED_OVER', status: 400, body: stale.body });
    const forbidden = await s.suppress().catch((e: unknown) => e);
    expect(forbidden).toMatchObject({ code: 'MA_ERR_FORBIDDEN', status: 403, body: notSubscribed });
    expect((forbidden as { hint: string }).hint).toMatch(/subscribe again/);
  });

  it('delivers every recorded event in order through slow, tiny chunks, then ends on "Framework failed over"', async () => {
    const all = recordio('stream-1');
    const m = await server(async (_req, res) => {
      openStream(res, 's-1');
      for (let at = 0; at < all.length; at += 97) {
        res.write(all.subarray(at, at + 97));
        if (at % 970 === 0) await sleep(2);
      }
      res.end(); // the master closes the stream after the ERROR event
    });
    const s = session({ masters: [m.url] });
    await s.start();
    const events = await collect(s, (e) => e.kind === 'closed');
    const types = eventTypes(events);
    expect(types.filter((t) => t === 'UPDATE').length).toBeGreaterThan(15);
    // The ERROR event is the session's: it ends the session with its message.
    expect(types.slice(-2)).toEqual(['OFFERS', 'closed']);
    expect(events.at(-1)).toMatchObject({ kind: 'closed', error: { code: 'MA_ERR_FAILED_OVER' } });
    expect((events.at(-1) as { error: Error }).error.message).toContain('Framework failed over');
    expect(m.requests).toHaveLength(1); // no reconnect loop
    await expect(s.revive()).rejects.toMatchObject({ code: 'MA_ERR_FAILED_OVER' });
  });

  it('re-subscribes with the same framework id after a master dies mid-stream and receives the queued update', async () => {
    let subscribes = 0;
    const m = await server((req, res) => {
      const call = parsed(req.body);
      if (call.type !== 'SUBSCRIBE') return reply(res, 202);
      subscribes++;
      if (subscribes === 1) {
        openStream(res, 'stream-one');
        const three = firstRecords('stream-1', 3);
        res.write(three);
        res.write(recordio('stream-1').subarray(three.length, three.length + 50)); // half a record...
        setTimeout(() => res.socket?.destroy(), 20); // ...and the connection dies
        return;
      }
      openStream(res, 'stream-three');
      res.write(recordio('stream-3-after-disconnect'));
    });
    const s = session({ masters: [m.url] });
    await s.start();
    const events = await collect(s, (e) => e.kind === 'event' && e.event.type === 'UPDATE');
    expect(eventTypes(events)).toEqual(['HEARTBEAT', 'OFFERS', 'resubscribed', 'HEARTBEAT', 'OFFERS', 'UPDATE']);
    expect(events[2]).toMatchObject({ kind: 'resubscribed', frameworkId: FW, info: { streamId: 'stream-three' } });

    const resubscribe = parsed(m.requests[1].body);
    expect(resubscribe.framework_id).toEqual({ value: FW });
    expect(resubscribe.subscribe?.framework_info.id).toEqual({ value: FW });

    const update = (events[5] as { event: Event }).event.update?.status;
    expect(update).toMatchObject({ state: 'TASK_FAILED', task_id: { value: 'svc.0' } });
    expect(await s.acknowledgeUpdate(update!)).toBe(true);
    const ack = m.requests.at(-1)!;
    expect(ack.headers['mesos-stream-id']).toBe('stream-three');
    expect(parsed(ack.body).acknowledge?.uuid).toBe(update?.uuid);
  });

  it('follows a 307 from a standby (protocol-relative Location), then fails over to the new leader', async () => {
    // transcript-ha.jsonl: the standby answers SUBSCRIBE with 307 //localhost:5050/master/api/v1/scheduler
    let standbyLeads = false;
    let standbyRedirectsToDead = 1;
    const leader = await server((req, res) => {
      if (parsed(req.body).type !== 'SUBSCRIBE') return reply(res, 202);
      openStream(res, 'b4d214da-7ed3-486b-ae5e-aea3ddb56af3');
      res.write(recordio('ha-stream-leader'));
    });
    const standby = await server((req, res) => {
      if (!standbyLeads || standbyRedirectsToDead-- > 0) {
        return reply(res, 307, '', { location: `//127.0.0.1:${leader.port}/master/api/v1/scheduler` });
      }
      if (parsed(req.body).type !== 'SUBSCRIBE') return reply(res, 202);
      openStream(res, 'new-leader-stream');
      res.write(recordio('ha-stream-new-leader'));
    });
    const s = session({ masters: [standby.url, leader.url] });
    const sub = await s.start();
    expect(standby.requests[0].path).toBe('/api/v1/scheduler');
    expect(leader.requests[0].path).toBe('/master/api/v1/scheduler');
    expect(sub.leaderUrl).toBe(leader.url);
    await s.revive();
    expect(leader.requests.at(-1)?.path).toBe('/api/v1/scheduler'); // calls go straight to the leader

    // The leader dies; for a while the standby still redirects to it; then it leads.
    standbyLeads = true;
    await leader.close();
    const events = await collect(s, (e) => e.kind === 'resubscribed');
    expect(events.at(-1)).toMatchObject({
      kind: 'resubscribed',
      frameworkId: 'debf3c39-f7c0-4329-ade4-8bdfaba43c1c-0000',
    });
    expect(s.subscription).toMatchObject({ streamId: 'new-leader-stream', leaderUrl: standby.url });
    expect(s.subscription?.masterInfo?.port).toBe(5060);
    await s.revive();
    expect(standby.requests.at(-1)?.headers['mesos-stream-id']).toBe('new-leader-stream');
  });

  it('retries 503 "No leader elected" with backoff, then subscribes', async () => {
    let n = 0;
    const m = await server((_req, res) => {
      if (n++ < 2) return reply(res, 503, 'No leader elected');
      openStream(res, 's');
      res.write(firstRecords('stream-1', 2));
    });
    const s = session({ masters: [m.url] });
    const sub = await s.start();
    expect(sub.frameworkId).toBe(FW);
    expect(m.requests).toHaveLength(3);
  });

  it('gives up with MA_ERR_NO_LEADER when 503 persists', async () => {
    const m = await server((_req, res) => reply(res, 503, 'Master has not finished recovery'));
    const s = session({ masters: [m.url], reconnect: { maxAttempts: 3, baseMs: 1, maxMs: 2 } });
    await expect(s.start()).rejects.toMatchObject({
      code: 'MA_ERR_NO_LEADER',
      status: 503,
      body: 'Master has not finished recovery',
    });
    expect(m.requests).toHaveLength(3);
  });

  it('401 names what to fix; the right Basic credentials subscribe; the secret is never in the error', async () => {
    const good = `Basic ${Buffer.from('runner:s3cret').toString('base64')}`;
    const m = await server((req, res) => {
      if (req.headers.authorization !== good) {
        return reply(res, 401, '401 Unauthorized.', { 'www-authenticate': 'Basic realm="mesos-master-scheduler"' });
      }
      openStream(res, 's');
      res.write(firstRecords('stream-1', 2));
    });
    const bad = session({ masters: [m.url], auth: { principal: 'runner', secret: 'wrong-secret' } });
    const err = (await bad.start().catch((e: unknown) => e)) as Error & { code: string; hint: string };
    expect(err.code).toBe('MA_ERR_UNAUTHORIZED');
    expect(err.hint).toMatch(/--principal and --secret-file/);
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain('wrong-secret');
    expect(m.requests).toHaveLength(1); // not retried
    const ok = session({ masters: [m.url], auth: { principal: 'runner', secret: 's3cret' } });
    await expect(ok.start()).resolves.toMatchObject({ frameworkId: FW });
  });

  it('SUBSCRIBE refusals arrive as 200 + ERROR (Trap 8): refused, and removed', async () => {
    for (const [name, code] of [
      ['subscribe-role-and-multirole', 'MA_ERR_SUBSCRIBE_REFUSED'],
      ['subscribe-after-teardown', 'MA_ERR_FRAMEWORK_REMOVED'],
    ] as const) {
      const m = await server((_req, res) => {
        openStream(res, 'x');
        res.end(recordio(name));
      });
      const s = session({ masters: [m.url] });
      const err = (await s.start().catch((e: unknown) => e)) as Error & { code: string };
      expect(err.code).toBe(code);
      expect(m.requests).toHaveLength(1);
    }
  });

  it('a stream that is not RecordIO, or carries an event of the wrong shape, fails at once and is not re-subscribed', async () => {
    const bad: [string, string, string][] = [
      ['not RecordIO', 'this is not RecordIO\n', 'MA_ERR_RECORDIO'],
      ['not JSON', '9\nnot JSON!', 'MA_ERR_BAD_RESPONSE'],
      ['wrong shape', frame({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: 7 } } }), 'MA_ERR_BAD_RESPONSE'],
    ];
    for (const [what, body, code] of bad) {
      const m = await server((_req, res) => {
        openStream(res, 'x');
        res.write(body); // and the stream stays open, as a master's does
      });
      const s = session({ masters: [m.url] });
      const err = (await s.start().catch((e: unknown) => e)) as Error & { code: string };
      expect(err.code, what).toBe(code);
      expect(m.requests, what).toHaveLength(1);
    }
  });

  it('heartbeat silence: reconnects when allowed, closes with MA_ERR_HEARTBEAT_TIMEOUT when not', async () => {
    const subscribed = JSON.parse(
      firstRecords('stream-1', 1)
        .toString()
        .replace(/^\d+\n/, ''),
    );
    subscribed.subscribed.heartbeat_interval_seconds = 0.03;
    const m = await server((_req, res) => {
      openStream(res, `s-${m.requests.length}`);
      res.write(frame(subscribed)); // then silence
    });
    const s = session({ masters: [m.url], heartbeatMisses: 2 });
    await s.start();
    const events = await collect(s, (e) => e.kind === 'resubscribed');
    expect(events).toEqual([
      expect.objectContaining({ kind: 'resubscribed', info: expect.objectContaining({ streamId: 's-2' }) }),
    ]);

    const once = session({ masters: [m.url], heartbeatMisses: 2, reconnect: { maxAttempts: 0 } });
    await once.start();
    const t0 = Date.now();
    const end = await collect(once, (e) => e.kind === 'closed');
    expect(end.at(-1)).toMatchObject({ kind: 'closed', error: { code: 'MA_ERR_HEARTBEAT_TIMEOUT' } });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('regular heartbeats keep a stream with a tight watchdog alive', async () => {
    const subscribed = JSON.parse(
      firstRecords('stream-1', 1)
        .toString()
        .replace(/^\d+\n/, ''),
    );
    subscribed.subscribed.heartbeat_interval_seconds = 0.04;
    const timers: NodeJS.Timeout[] = [];
    const m = await server((_req, res) => {
      openStream(res, 's');
      res.write(frame(subscribed));
      timers.push(setInterval(() => res.write(frame({ type: 'HEARTBEAT' })), 15));
    });
    cleanups.push(async () => timers.forEach(clearInterval));
    const s = session({ masters: [m.url], heartbeatMisses: 2 }); // watchdog: 80 ms
    await s.start();
    const events = await collect(s, (_e, all) => all.length === 25); // ~375 ms of heartbeats
    expect(new Set(eventTypes(events))).toEqual(new Set(['HEARTBEAT']));
    expect(m.requests).toHaveLength(1);
  });

  it('calls made while reconnecting wait for the new stream id; ACCEPT of old offers fails MA_ERR_STALE_OFFERS', async () => {
    let subs = 0;
    let release: (() => void) | undefined;
    const m = await server(async (req, res) => {
      const call = parsed(req.body);
      if (call.type !== 'SUBSCRIBE') return reply(res, 202);
      subs++;
      if (subs === 2) await new Promise<void>((r) => (release = r)); // hold the re-subscription
      openStream(res, `stream-${subs}`);
      res.write(firstRecords('stream-1', 3));
      if (subs === 1) setTimeout(() => res.socket?.destroy(), 10);
    });
    const s = session({ masters: [m.url] });
    await s.start();
    await collect(s, (e) => e.kind === 'event' && e.event.type === 'OFFERS');
    while (s.stateName === 'SUBSCRIBED') await sleep(2);
    const revive = s.revive();
    const accept = s.accept(['old-offer'], []).catch((e: unknown) => e);
    while (!release) await sleep(2);
    release();
    await revive;
    expect(await accept).toMatchObject({ code: 'MA_ERR_STALE_OFFERS' });
    const sent = m.requests.filter((r) => parsed(r.body).type !== 'SUBSCRIBE');
    expect(sent.map((r) => [parsed(r.body).type, r.headers['mesos-stream-id']])).toEqual([['REVIVE', 'stream-2']]);
  });

  it('TEARDOWN: 202, the stream ends, the session closes without reconnecting', async () => {
    let stream: import('node:http').ServerResponse | undefined;
    const m = await server((req, res) => {
      if (parsed(req.body).type === 'SUBSCRIBE') {
        stream = res;
        openStream(res, 's');
        res.write(firstRecords('stream-1', 2));
        return;
      }
      reply(res, 202);
      stream?.end();
    });
    const s = session({ masters: [m.url] });
    await s.start();
    await s.teardown();
    const events = await collect(s, (e) => e.kind === 'closed');
    expect(events.at(-1)).toEqual({ kind: 'closed', error: undefined });
    expect(m.requests.filter((r) => parsed(r.body).type === 'SUBSCRIBE')).toHaveLength(1);
  });

  it('close() ends the stream without TEARDOWN; close and destroy are idempotent', async () => {
    const m = await server((_req, res) => {
      openStream(res, 's');
      res.write(firstRecords('stream-1', 2));
    });
    const s = session({ masters: [m.url] });
    await s.start();
    const it = collect(s, () => false);
    await Promise.all([s.close(), s.close()]);
    await s.destroy();
    expect(eventTypes(await it)).toEqual(['HEARTBEAT', 'closed']);
    expect(m.requests).toHaveLength(1);
    await expect(s.revive()).rejects.toMatchObject({ code: 'MA_ERR_CLOSED' });
  });

  it('no master reachable: MA_ERR_CONNECT after the configured attempts', async () => {
    const m = await server(() => undefined);
    const url = m.url;
    await m.close();
    const s = session({ masters: [url], reconnect: { maxAttempts: 2, baseMs: 1, maxMs: 2 } });
    await expect(s.start()).rejects.toMatchObject({ code: 'MA_ERR_CONNECT' });
  });
});
