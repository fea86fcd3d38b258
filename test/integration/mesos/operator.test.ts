import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MasterSet } from '../../../src/mesos/masters.js';
import { OperatorClient } from '../../../src/mesos/operator.js';
import type { MasterCall } from '../../../src/mesos/types.js';
import {
  exchange,
  reply,
  scriptedHarness,
  selfSignedCert,
  startHttpsServer,
  type Scripted,
  type TlsFixture,
} from './scripted-server.js';

const FW = 'cc85727d-5e93-4341-80a5-7a8f86dadfa6-0000';
const recorded: Record<string, ReturnType<typeof exchange>> = {
  GET_FRAMEWORKS: exchange('op GET_FRAMEWORKS'),
  GET_TASKS: exchange('op GET_TASKS'),
  GET_AGENTS: exchange('op GET_AGENTS (with tasks)'),
  GET_STATE: exchange('op GET_STATE'),
  GET_HEALTH: exchange('op GET_HEALTH'),
};
const fast = { rounds: 3, baseMs: 1, maxMs: 4 };

const { cleanups, server } = scriptedHarness();

function client(
  masters: string[],
  extra: Partial<ConstructorParameters<typeof OperatorClient>[0]> = {},
): OperatorClient {
  const c = new OperatorClient({ masters, retry: fast, ...extra });
  cleanups.push(() => c.destroy());
  return c;
}

/** A master replaying the recorded operator answers. */
function recordedMaster() {
  return server((req, res) => {
    const call = JSON.parse(req.body) as MasterCall;
    const rec = recorded[call.type];
    if (!rec) {
      const bad = exchange('op unknown type');
      return reply(res, bad.status, bad.body);
    }
    res.writeHead(rec.status, { 'content-type': 'application/json' });
    res.end(rec.body);
  });
}

describe('OperatorClient against recorded answers', () => {
  it('reads frameworks, tasks, agents, state and health', async () => {
    const m = await recordedMaster();
    const c = client([m.url]);
    expect(await c.getHealth()).toBe(true);
    const fws = await c.getFrameworks();
    expect(fws.frameworks[0].framework_info.name).toBe('wire-recorder');
    const agents = await c.getAgents();
    expect(agents.agents[0].pid).toMatch(/^slave\(1\)@/);
    const state = await c.getState();
    expect(state.get_tasks.tasks.length).toBeGreaterThan(0);
    expect(m.requests[0].headers['content-type']).toBe('application/json');
    expect(m.requests[0].path).toBe('/api/v1');
  });

  it('finds a framework by name and its tasks with labels, states and agents', async () => {
    const m = await recordedMaster();
    const c = client([m.url]);
    const fw = await c.findFramework('wire-recorder');
    expect(fw?.framework_info.id?.value).toBe(FW);
    expect(await c.findFramework('nope')).toBeUndefined();
    const tasks = await c.tasksOf(FW);
    expect(tasks.length).toBeGreaterThan(0);
    const svc = tasks.find((t) => t.task_id.value === 'svc.0');
    expect(svc?.labels?.labels).toContainEqual({ key: 'mesos-apply/name', value: 'svc' });
    expect(svc?.state).toBe('TASK_RUNNING');
    expect(svc?.agent_id.value).toMatch(/-S0$/);
    const all = await c.tasksOf(FW, { includeCompleted: true });
    expect(all.length).toBeGreaterThan(tasks.length);
    expect(await c.tasksOf('other-framework')).toEqual([]);
  });

  it("a 400 keeps the master's exact body", async () => {
    const m = await recordedMaster();
    const c = client([m.url]);
    await expect(c.call({ type: 'GET_VERSION' })).rejects.toMatchObject({
      code: 'MA_ERR_BAD_REQUEST',
      status: 400,
      body: "Failed to validate master::Call: Expecting 'type' to be present",
    });
  });

  it("follows the standby's 307 to the leader (Location without scheme, transcript-ha.jsonl)", async () => {
    const leader = await recordedMaster();
    const rec = exchange('non-leader operator GET_FRAMEWORKS', 'transcript-ha.jsonl');
    expect(rec.headers.location).toBe('//localhost:5050/master/api/v1');
    const standby = await server((_req, res) =>
      reply(res, rec.status, '', {
        location: rec.headers.location.replace('localhost:5050', `127.0.0.1:${leader.port}`),
      }),
    );
    const c = client([standby.url]);
    const fws = await c.getFrameworks();
    expect(fws.frameworks).toHaveLength(1);
    expect(leader.requests[0].path).toBe('/master/api/v1');
    expect(c.leader).toBe(leader.url);
    await c.getTasks();
    expect(standby.requests).toHaveLength(1); // the leader is remembered
  });

  it('503 from one master and a dead one: moves on, then finds the leader', async () => {
    const leader = await recordedMaster();
    const noLeader = await server((_req, res) => reply(res, 503, 'No leader elected'));
    const dead = await server(() => undefined);
    await dead.close();
    const c = client([dead.url, noLeader.url, leader.url]);
    expect(await c.getHealth()).toBe(true);
    expect(noLeader.requests).toHaveLength(1);
  });

  it('all masters 503: MA_ERR_NO_LEADER after the configured rounds', async () => {
    const m = await server((_req, res) => reply(res, 503, 'No leader elected'));
    const c = client([m.url]);
    await expect(c.getFrameworks()).rejects.toMatchObject({ code: 'MA_ERR_NO_LEADER', status: 503 });
    expect(m.requests).toHaveLength(3);
  });

  it('masters redirecting to each other: MA_ERR_REDIRECT_LOOP', async () => {
    const a = await server((_req, res) => reply(res, 307, '', { location: `//127.0.0.1:${b.port}/master/api/v1` }));
    const b: Scripted = await server((_req, res) =>
      reply(res, 307, '', { location: `//127.0.0.1:${a.port}/master/api/v1` }),
    );
    const c = new OperatorClient({ masters: [a.url], retry: { rounds: 1, baseMs: 1, maxMs: 1 } });
    cleanups.push(() => c.destroy());
    await expect(c.getFrameworks()).rejects.toMatchObject({ code: 'MA_ERR_REDIRECT_LOOP' });
  });

  it('401 and 403 say what to fix', async () => {
    const m = await server((req, res) =>
      req.headers.authorization
        ? reply(res, 403, 'Forbidden')
        : reply(res, 401, '401 Unauthorized.', { 'www-authenticate': 'Basic realm="mesos-master-readwrite"' }),
    );
    await expect(client([m.url]).getFrameworks()).rejects.toMatchObject({
      code: 'MA_ERR_UNAUTHORIZED',
      hint: expect.stringMatching(/--principal/),
    });
    await expect(client([m.url], { auth: { principal: 'p', secret: 's' } }).getFrameworks()).rejects.toMatchObject({
      code: 'MA_ERR_FORBIDDEN',
      hint: expect.stringMatching(/ACLs/),
    });
    expect(m.requests[1].headers.authorization).toBe(`Basic ${Buffer.from('p:s').toString('base64')}`);
  });
});

describe('https masters', () => {
  let tls: TlsFixture;
  let https: Awaited<ReturnType<typeof startHttpsServer>>;
  let url: string;

  beforeAll(async () => {
    tls = selfSignedCert();
    https = await startHttpsServer(tls, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(recorded.GET_HEALTH.body);
    });
    url = https.url;
  });

  afterAll(async () => {
    await https.close();
    tls.remove();
  });

  it('an untrusted certificate fails with a hint naming --ca-file', async () => {
    const err = await client([url], { retry: { rounds: 1, baseMs: 1, maxMs: 1 } })
      .getHealth()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MA_ERR_CONNECT', hint: expect.stringMatching(/--ca-file/) });
  });

  it('--ca-file trusts the master', async () => {
    expect(await client([url], { tls: { caFile: tls.caFile } }).getHealth()).toBe(true);
  });

  it('--insecure works and warns', async () => {
    const warnings: string[] = [];
    expect(await client([url], { tls: { insecure: true }, warn: (m) => warnings.push(m) }).getHealth()).toBe(true);
    expect(warnings.join()).toMatch(/verification is disabled/);
  });

  it('a missing CA file is a clear error', () => {
    expect(() => new MasterSet({ masters: [url], tls: { caFile: `${tls.caFile}.nope` } })).toThrow(
      expect.objectContaining({ code: 'MA_ERR_TLS_CONFIG' }),
    );
  });
});
