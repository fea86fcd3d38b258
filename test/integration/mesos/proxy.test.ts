/**
 * Masters behind a proxy (HTTP_PROXY / HTTPS_PROXY / NO_PROXY): through a local forward
 * and CONNECT proxy, with the wire clients and with the built CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFrameworkInfo } from '../../../src/mesos/calls.js';
import { OperatorClient } from '../../../src/mesos/operator.js';
import type { ProxySettings } from '../../../src/mesos/proxy-env.js';
import { SchedulerSession } from '../../../src/mesos/scheduler.js';
import type { Call, MasterCall } from '../../../src/mesos/types.js';
import { runCli } from '../../support/cli.js';
import { startProxy, type TestProxy, type TestProxyOptions } from './proxy-server.js';
import {
  exchange,
  firstRecords,
  openStream,
  reply,
  scriptedHarness,
  selfSignedCert,
  startHttpsServer,
  type TlsFixture,
} from './scripted-server.js';

const { cleanups, server } = scriptedHarness();
const once = { rounds: 1, baseMs: 1, maxMs: 1 };

async function proxy(opts: TestProxyOptions = {}): Promise<TestProxy> {
  const p = await startProxy(opts);
  cleanups.push(() => p.close());
  return p;
}

function operator(masters: string[], proxySettings: ProxySettings, extra = {}): OperatorClient {
  const c = new OperatorClient({ masters, retry: once, proxy: proxySettings, ...extra });
  cleanups.push(() => c.destroy());
  return c;
}

/** A master replaying the recorded operator answers, by call type. */
function recordedMaster() {
  return server((req, res) => {
    const type = (JSON.parse(req.body) as MasterCall).type;
    const rec = exchange(`op ${type}`);
    res.writeHead(rec.status, { 'content-type': 'application/json' });
    res.end(rec.body);
  });
}

describe('an http master behind a forward proxy', () => {
  it('operator calls go through the proxy, with the credentials of its URL', async () => {
    const p = await proxy({ credentials: 'ops:pr0xy' });
    const m = await recordedMaster();
    const proxyUrl = `http://ops:pr0xy@${p.url.slice('http://'.length)}`;
    expect(await operator([m.url], { httpProxy: proxyUrl }).getHealth()).toBe(true);
    expect(p.log).toEqual([
      { kind: 'forward', target: `${m.url}/api/v1`, auth: `Basic ${Buffer.from('ops:pr0xy').toString('base64')}` },
    ]);
    expect(m.requests).toHaveLength(1);
  });

  it('a subscription streams through the proxy, and calls go beside it', async () => {
    const p = await proxy();
    const m = await server((req, res) => {
      if ((JSON.parse(req.body) as Call).type !== 'SUBSCRIBE') return reply(res, 202);
      openStream(res, 's-1');
      res.write(firstRecords('stream-1', 2)); // SUBSCRIBED, HEARTBEAT
    });
    const s = new SchedulerSession({
      masters: [m.url],
      proxy: { httpProxy: p.url },
      frameworkInfo: buildFrameworkInfo({ name: 'wire-recorder', user: 'root' }),
      retry: once,
    });
    cleanups.push(() => s.destroy());
    expect((await s.start()).streamId).toBe('s-1');
    await s.revive();
    expect(p.log.map((l) => l.target)).toEqual([`${m.url}/api/v1/scheduler`, `${m.url}/api/v1/scheduler`]);
  });

  it('NO_PROXY bypasses it: by host, by host:port, or *', async () => {
    const p = await proxy();
    const m = await recordedMaster();
    const port = new URL(m.url).port;
    for (const noProxy of ['127.0.0.1', `example.com, 127.0.0.1:${port}`, '*']) {
      expect(await operator([m.url], { httpProxy: p.url, noProxy }).getHealth()).toBe(true);
    }
    expect(await operator([m.url], { httpProxy: p.url, noProxy: '127.0.0.1:1' }).getHealth()).toBe(true);
    expect(p.log).toHaveLength(1); // only the last: another port of the host is not exempt
    expect(m.requests).toHaveLength(4);
  });

  it('a proxy that wants credentials, or is down: MA_ERR_CONNECT naming the proxy', async () => {
    const p = await proxy({ credentials: 'ops:pr0xy' });
    const m = await recordedMaster();
    const err = await operator([m.url], { httpProxy: p.url })
      .getHealth()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MA_ERR_CONNECT', hint: expect.stringContaining(`proxy ${p.url}`) });
    const down = 'http://127.0.0.1:1';
    const unreachable = await operator([m.url], { httpProxy: down })
      .getHealth()
      .catch((e: unknown) => e);
    expect(unreachable).toMatchObject({ code: 'MA_ERR_CONNECT', hint: expect.stringContaining(`proxy ${down}`) });
    expect(m.requests).toHaveLength(0);
  });
});

describe('an https master behind a CONNECT proxy', () => {
  let tls: TlsFixture;
  let https: Awaited<ReturnType<typeof startHttpsServer>>;

  beforeAll(async () => {
    tls = selfSignedCert();
    https = await startHttpsServer(tls, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(exchange('op GET_HEALTH').body);
    });
  });

  afterAll(async () => {
    await https.close();
    tls.remove();
  });

  it("the master's certificate is verified inside the tunnel: --ca-file, --insecure", async () => {
    const p = await proxy();
    const viaProxy = { httpsProxy: p.url };
    const untrusted = await operator([https.url], viaProxy)
      .getHealth()
      .catch((e: unknown) => e);
    expect(untrusted).toMatchObject({ code: 'MA_ERR_CONNECT', hint: expect.stringMatching(/--ca-file/) });
    expect(await operator([https.url], viaProxy, { tls: { caFile: tls.caFile } }).getHealth()).toBe(true);
    expect(await operator([https.url], viaProxy, { tls: { insecure: true }, warn: () => undefined }).getHealth()).toBe(
      true,
    );
    const target = https.url.slice('https://'.length);
    expect(p.log).toEqual([1, 2, 3].map(() => ({ kind: 'connect', target, auth: undefined })));
  });

  it('a refused tunnel: MA_ERR_CONNECT naming the proxy', async () => {
    const p = await proxy({ refuseTunnels: true });
    const err = await operator([https.url], { httpsProxy: p.url }, { tls: { caFile: tls.caFile } })
      .getHealth()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'MA_ERR_CONNECT',
      message: expect.stringMatching(/403/),
      hint: expect.stringContaining(`proxy ${p.url}`),
    });
  });
});

describe('the CLI behind a proxy (environment)', () => {
  it('reaches the master through HTTP_PROXY, or directly when NO_PROXY names it; never prints a secret', async () => {
    const p = await proxy({ credentials: 'ops:pr0xy' });
    const m = await recordedMaster();
    const proxyUrl = `http://ops:pr0xy@${p.url.slice('http://'.length)}`;
    const args = ['get', '--master', m.url, '--framework', 'wire-recorder', '--all', '-o', 'json'];
    const env = { NODE_DEBUG: 'mesos-apply', MESOS_PRINCIPAL: 'ops', MESOS_SECRET: 'm4ster-secret' };
    const viaProxy = await runCli(args, { env: { ...env, http_proxy: proxyUrl, NO_PROXY: '' } });
    expect(viaProxy.code, viaProxy.stderr).toBe(0);
    expect(p.log.length).toBeGreaterThan(0);
    expect(m.requests.length).toBe(p.log.length);
    expect(viaProxy.stderr).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/api\/v1 -> 200/);
    for (const secret of ['pr0xy', 'm4ster-secret', Buffer.from('ops:pr0xy').toString('base64')]) {
      expect(viaProxy.stdout + viaProxy.stderr).not.toContain(secret);
    }

    const seen = p.log.length;
    const direct = await runCli(args, { env: { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' } });
    expect(direct.code, direct.stderr).toBe(0);
    expect(p.log.length).toBe(seen);

    const bad = await runCli(args, { env: { HTTP_PROXY: 'socks5://ops:pr0xy@127.0.0.1:1080' } });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/MA_ERR_PROXY_CONFIG/);
    expect(bad.stdout + bad.stderr).not.toContain('pr0xy');
  });
});
