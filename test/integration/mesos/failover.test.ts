/**
 * A subscribed session through a leader election (transcript-ha.jsonl): the leader dies
 * while its stream still looks open, the standby redirects to the dead leader for a while,
 * then leads and answers calls with the old stream id "Framework cannot be found" until
 * the framework re-subscribes. Calls made meanwhile must arrive with the new stream id.
 * And a call refused for another subscription's stream id is a takeover (MA_ERR_FAILED_OVER).
 */
import { describe, expect, it } from 'vitest';
import { buildFrameworkInfo } from '../../../src/mesos/calls.js';
import { NO_LEADER_MESSAGE } from '../../../src/mesos/masters.js';
import { SchedulerSession, type SchedulerSessionOptions } from '../../../src/mesos/scheduler.js';
import type { Call } from '../../../src/mesos/types.js';
import { exchange, openStream, recordio, reply, scriptedHarness } from './scripted-server.js';

const info = buildFrameworkInfo({ name: 'ha-recorder', user: 'root', roles: ['*'] });
const { cleanups, server } = scriptedHarness();
const parsed = (body: string) => JSON.parse(body) as Call;
const FRAMEWORK = 'debf3c39-f7c0-4329-ade4-8bdfaba43c1c-0000';

function session(opts: Partial<SchedulerSessionOptions> & { masters: string[] }): SchedulerSession {
  const s = new SchedulerSession({
    frameworkInfo: info,
    reconnect: { maxAttempts: 50, baseMs: 5, maxMs: 20 },
    retry: { rounds: 1, baseMs: 5, maxMs: 20 },
    ...opts,
  });
  cleanups.push(() => s.destroy());
  return s;
}

describe('a subscribed session through a leader election', () => {
  it('a call that finds the leader dead re-subscribes to the new leader and is sent there with the new stream id', async () => {
    let leaderDead = false;
    let redirectsToDead = 6;
    const leader = await server((req, res) => {
      if (leaderDead) return res.socket?.destroy(); // the process is gone: its socket resets
      if (parsed(req.body).type !== 'SUBSCRIBE') return reply(res, 202);
      openStream(res, 'old-stream');
      res.write(recordio('ha-stream-leader')); // and the stream stays open, as a dying leader's may
    });
    const standby = await server((req, res) => {
      if (!leaderDead || redirectsToDead-- > 0)
        return reply(res, 307, '', { location: `//127.0.0.1:${leader.port}/master/api/v1/scheduler` });
      const call = parsed(req.body);
      if (call.type === 'SUBSCRIBE') {
        expect(call.framework_id?.value).toBe(FRAMEWORK);
        openStream(res, 'new-stream');
        return res.write(recordio('ha-stream-new-leader'));
      }
      if (req.headers['mesos-stream-id'] !== 'new-stream')
        return reply(
          res,
          400,
          exchange('scheduler call on the new leader before re-subscribing', 'transcript-ha.jsonl').body,
        );
      return reply(res, 202);
    });
    const said: string[] = [];
    const s = session({ masters: [leader.url, standby.url], onNoLeader: (m) => said.push(m) });
    expect((await s.start()).streamId).toBe('old-stream');

    leaderDead = true;
    await s.revive();
    expect(s.subscription).toMatchObject({ streamId: 'new-stream', leaderUrl: standby.url, frameworkId: FRAMEWORK });
    const revives = standby.requests.filter((r) => r.body.includes('"REVIVE"'));
    expect(revives.at(-1)?.headers['mesos-stream-id']).toBe('new-stream');
    expect(said).toEqual([NO_LEADER_MESSAGE]);
    const kinds: string[] = [];
    for await (const e of s.events()) {
      kinds.push(e.kind);
      if (e.kind === 'resubscribed') break;
    }
    expect(kinds.at(-1)).toBe('resubscribed');
  });

  it('a new leader that does not know the framework yet ("Framework cannot be found") makes the session re-subscribe', async () => {
    let demoted = false;
    const next = await server((req, res) => {
      const call = parsed(req.body);
      if (call.type === 'SUBSCRIBE') {
        openStream(res, 'stream-2');
        return res.write(recordio('ha-stream-new-leader'));
      }
      if (req.headers['mesos-stream-id'] !== 'stream-2') return reply(res, 400, 'Framework cannot be found');
      return reply(res, 202);
    });
    // The first leader loses leadership but keeps its stream open; from then on it redirects.
    const first = await server((req, res) => {
      if (demoted) return reply(res, 307, '', { location: `//127.0.0.1:${next.port}/master/api/v1/scheduler` });
      if (parsed(req.body).type !== 'SUBSCRIBE') return reply(res, 202);
      openStream(res, 'stream-1');
      res.write(recordio('ha-stream-leader'));
    });
    const s = session({ masters: [first.url, next.url] });
    expect((await s.start()).leaderUrl).toBe(first.url);
    demoted = true;
    await s.kill('svc.0');
    const kills = next.requests.filter((r) => r.body.includes('"KILL"'));
    expect(kills.map((r) => r.headers['mesos-stream-id'])).toEqual(['stream-1', 'stream-2']);
    expect(s.subscription).toMatchObject({ streamId: 'stream-2' });
  });

  it("a call refused for another subscription's stream id is MA_ERR_FAILED_OVER, not a bad request", async () => {
    const m = await server((req, res) => {
      if (parsed(req.body).type === 'SUBSCRIBE') {
        openStream(res, 'mine');
        return res.write(recordio('ha-stream-leader'));
      }
      const recorded = exchange('call with the old stream id after failover');
      return reply(res, recorded.status, recorded.body);
    });
    const s = session({ masters: [m.url] });
    await s.start();
    await expect(s.revive()).rejects.toMatchObject({ code: 'MA_ERR_FAILED_OVER', status: 400 });
  });
});
