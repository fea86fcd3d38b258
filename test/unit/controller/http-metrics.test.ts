import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpListener, parseListen, type Readiness, startHttp } from '../../../src/controller/http.js';
import { createMetrics } from '../../../src/controller/metrics.js';
import { statusDocument } from '../../../src/controller/status.js';

/** parse-prometheus-text-format's output (prom2json's shape). */
interface Family {
  name: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string> }[];
}

const parse = (text: string) => parsePrometheusTextFormat(text) as Family[];

/** The value of one sample: family `name`, labels matching `labels`. */
function sample(families: Family[], name: string, labels: Record<string, string> = {}): number | undefined {
  const f = families.find((x) => x.name === name);
  const m = f?.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  return m?.value === undefined ? undefined : Number(m.value);
}

let listener: HttpListener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

describe('parseListen', () => {
  it.each([
    ['9100', { host: '127.0.0.1', port: 9100 }],
    [':0', { host: '127.0.0.1', port: 0 }],
    ['0.0.0.0:9100', { host: '0.0.0.0', port: 9100 }],
    ['[::1]:9100', { host: '::1', port: 9100 }],
    ['ctl.example:80', { host: 'ctl.example', port: 80 }],
  ])('%s', (text, want) => expect(parseListen(text)).toEqual(want));

  it.each(['', 'x', '9100:', '70000', 'a:b:9100', '::1:9100'])('refuses %j', (text) => {
    expect(parseListen(text)).toBeInstanceOf(Error);
  });
});

describe('the HTTP listener', () => {
  it('serves /healthz, /readyz with the reason, /metrics that parse and whose counters move', async () => {
    const metrics = createMetrics();
    let readiness: Readiness = { ready: false, reason: 'standby: ctl-b@host2 is the leader' };
    listener = await startHttp({ host: '127.0.0.1', port: 0, ready: () => readiness, metrics: metrics.render });
    expect(listener.port).toBeGreaterThan(0);
    expect(listener.url).toBe(`http://127.0.0.1:${listener.port}`);

    const health = await fetch(`${listener.url}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    const notReady = await fetch(`${listener.url}/readyz`);
    expect([notReady.status, await notReady.text()]).toEqual([503, 'not ready: standby: ctl-b@host2 is the leader\n']);
    readiness = { ready: true };
    expect((await fetch(`${listener.url}/readyz`)).status).toBe(200);

    metrics.leader(true);
    metrics.desired('web', 3);
    metrics.running('web', 2);
    const before = await fetch(`${listener.url}/metrics`);
    expect(before.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const first = parse(await before.text());
    expect(sample(first, 'mesos_apply_leader')).toBe(1);
    expect(sample(first, 'mesos_apply_tasks_desired', { name: 'web' })).toBe(3);
    expect(sample(first, 'mesos_apply_tasks_running', { name: 'web' })).toBe(2);
    expect(sample(first, 'mesos_apply_relaunches_total', { name: 'web' })).toBe(0);
    expect(first.find((f) => f.name === 'mesos_apply_relaunches_total')?.type).toBe('COUNTER');
    expect(sample(first, 'mesos_apply_process_cpu_seconds_total')).toBeGreaterThanOrEqual(0);

    metrics.relaunched('web');
    metrics.relaunched('web');
    metrics.backedOff('web');
    metrics.offers(1, 4);
    metrics.offers(0, 2);
    metrics.reconciliationLag(12.5);
    metrics.leader(false);
    const second = parse(await (await fetch(`${listener.url}/metrics`)).text());
    expect(sample(second, 'mesos_apply_relaunches_total', { name: 'web' })).toBe(2);
    expect(sample(second, 'mesos_apply_backoffs_total', { name: 'web' })).toBe(1);
    expect(sample(second, 'mesos_apply_offers_accepted_total')).toBe(1);
    expect(sample(second, 'mesos_apply_offers_declined_total')).toBe(6);
    expect(sample(second, 'mesos_apply_reconciliation_lag_seconds')).toBe(12.5);
    expect(sample(second, 'mesos_apply_leader')).toBe(0);

    metrics.forget('web');
    const third = parse(await (await fetch(`${listener.url}/metrics`)).text());
    expect(sample(third, 'mesos_apply_tasks_desired', { name: 'web' })).toBeUndefined();
  });

  it('answers HEAD without a body, 405 to other methods, 404 to unknown paths, 500 when metrics fail', async () => {
    listener = await startHttp({
      host: '127.0.0.1',
      port: 0,
      ready: () => ({ ready: true }),
      metrics: () => Promise.reject(new Error('registry broke')),
    });
    const head = await fetch(`${listener.url}/healthz`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    const post = await fetch(`${listener.url}/metrics`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect((await fetch(`${listener.url}/nope`)).status).toBe(404);
    const broken = await fetch(`${listener.url}/metrics`);
    expect([broken.status, await broken.text()]).toEqual([500, 'error: registry broke\n']);
  });

  it('two registries do not share counters', async () => {
    const a = createMetrics({ processMetrics: false });
    const b = createMetrics({ processMetrics: false });
    a.desired('web', 1);
    a.relaunched('web');
    b.desired('web', 1);
    expect(sample(parse((await b.render()).body), 'mesos_apply_relaunches_total', { name: 'web' })).toBe(0);
  });

  it('refuses a port in use, and close() frees it', async () => {
    listener = await startHttp({
      host: '127.0.0.1',
      port: 0,
      ready: () => ({ ready: true }),
      metrics: createMetrics().render,
    });
    const port = listener.port;
    await expect(
      startHttp({ host: '127.0.0.1', port, ready: () => ({ ready: true }), metrics: createMetrics().render }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    // a keep-alive connection must not hold close() up
    await fetch(`${listener.url}/healthz`);
    await listener.close();
    listener = await startHttp({
      host: '127.0.0.1',
      port,
      ready: () => ({ ready: true }),
      metrics: createMetrics().render,
    });
    expect(listener.port).toBe(port);
  });
});

describe('/status', () => {
  it('serves the controller status document as JSON when given; 404 without', async () => {
    const st = {
      key: 'web/0',
      live: new Set<string>(),
      failures: 2,
      restarts: 2,
      nextAt: Date.parse('2026-12-04T12:00:02Z'),
      hash: 'h',
    };
    const doc = statusDocument({ leader: true, frameworkId: 'fw-1' }, [st]);
    listener = await startHttp({
      host: '127.0.0.1',
      port: 0,
      ready: () => ({ ready: true }),
      metrics: createMetrics({ processMetrics: false }).render,
      status: () => doc,
    });
    const res = await fetch(`${listener.url}/status`);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      formatVersion: 1,
      leader: true,
      frameworkId: 'fw-1',
      instances: { 'web/0': { restarts: 2, failures: 2, nextRetry: '2026-12-04T12:00:02.000Z', done: null } },
    });
    await listener.close();
    listener = await startHttp({
      host: '127.0.0.1',
      port: 0,
      ready: () => ({ ready: true }),
      metrics: createMetrics({ processMetrics: false }).render,
    });
    expect((await fetch(`${listener.url}/status`)).status).toBe(404);
  });
});
