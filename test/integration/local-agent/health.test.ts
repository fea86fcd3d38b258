import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthCheck } from '../../../src/mesos/types.js';
import { cleanupAll, framework, shellTask, sleep, startAgent } from './helpers.js';

afterEach(cleanupAll);

const fast = (check: HealthCheck): HealthCheck => ({
  delay_seconds: 0,
  interval_seconds: 0.05,
  timeout_seconds: 1,
  consecutive_failures: 3,
  grace_period_seconds: 0,
  ...check,
});

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('local agent: health checks', () => {
  it('a passing command check reports healthy once, with the health reason', async () => {
    const h = await startAgent();
    h.agent.runTask(
      framework(),
      shellTask('ok.0', 'sleep 1000', {
        health_check: fast({ type: 'COMMAND', command: { value: 'test -n "$MESOS_SANDBOX"' } }),
      }),
    );
    const healthy = await h.master.waitFor((u) => u.status.task_id.value === 'ok.0' && u.status.healthy === true);
    expect(healthy.status).toMatchObject({
      state: 'TASK_RUNNING',
      reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
      source: 'SOURCE_EXECUTOR',
    });
    expect(healthy.status.container_status?.executor_pid).toBeGreaterThan(0);
    await sleep(300);
    expect(h.master.distinct('ok.0').filter((u) => u.status.healthy !== undefined)).toHaveLength(1);
  });

  it('a failing command check reports each failure and kills the task after consecutive failures', async () => {
    const h = await startAgent();
    h.agent.runTask(
      framework(),
      shellTask('bad.0', 'sleep 1000', {
        health_check: fast({ type: 'COMMAND', command: { value: 'exit 1' } }),
        kill_policy: { grace_period: { nanoseconds: 100e6 } },
      }),
    );
    const killed = await h.master.waitForState('bad.0', 'TASK_KILLED');
    expect(killed.status.healthy).toBe(false);
    const updates = h.master.distinct('bad.0');
    const unhealthy = updates.filter((u) => u.status.state === 'TASK_RUNNING' && u.status.healthy === false);
    expect(unhealthy).toHaveLength(3);
    for (const u of unhealthy) expect(u.status.reason).toBe('REASON_TASK_HEALTH_CHECK_STATUS_UPDATED');
    expect(updates.map((u) => u.status.state)).toEqual([
      'TASK_STARTING',
      'TASK_RUNNING',
      'TASK_RUNNING',
      'TASK_RUNNING',
      'TASK_RUNNING',
      'TASK_KILLING',
      'TASK_KILLED',
    ]);
  });

  it('ignores failures within the grace period while the task has not been healthy yet', async () => {
    const h = await startAgent();
    // Healthy only once the file exists (after ~300 ms); grace 5 s.
    h.agent.runTask(
      framework(),
      shellTask('slow.0', 'sleep 0.3; touch ready; sleep 1000', {
        health_check: fast({ type: 'COMMAND', command: { value: 'test -f ready' }, grace_period_seconds: 5 }),
      }),
    );
    await h.master.waitFor((u) => u.status.task_id.value === 'slow.0' && u.status.healthy === true);
    expect(h.master.distinct('slow.0').filter((u) => u.status.healthy === false)).toEqual([]);
  });

  it('HTTP checks: 2xx/3xx healthy on 127.0.0.1:<port><path>; 500 unhealthy', async () => {
    const paths: string[] = [];
    const server: Server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.statusCode = req.url === '/healthz' ? 200 : 500;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const h = await startAgent();
      h.agent.runTask(
        framework(),
        shellTask('web.0', 'sleep 1000', { health_check: fast({ type: 'HTTP', http: { port, path: '/healthz' } }) }),
      );
      h.agent.runTask(
        framework(),
        shellTask('web.1', 'sleep 1000', {
          health_check: fast({ type: 'HTTP', http: { port, path: '/broken' }, consecutive_failures: 2 }),
        }),
      );
      await h.master.waitFor((u) => u.status.task_id.value === 'web.0' && u.status.healthy === true);
      const killed = await h.master.waitForState('web.1', 'TASK_KILLED', 10_000);
      expect(killed.status.healthy).toBe(false);
      expect(paths).toContain('/healthz');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('TCP checks: a listening port is healthy, a closed one fails and gets the task killed', async () => {
    const listener = createNetServer((s) => s.destroy());
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const open = (listener.address() as AddressInfo).port;
    const closed = await freePort();
    try {
      const h = await startAgent();
      h.agent.runTask(
        framework([]),
        shellTask('tcp.0', 'sleep 1000', { health_check: fast({ type: 'TCP', tcp: { port: open } }) }),
      );
      h.agent.runTask(
        framework([]),
        shellTask('tcp.1', 'sleep 1000', {
          health_check: fast({ type: 'TCP', tcp: { port: closed } }),
          kill_policy: { grace_period: { nanoseconds: 0 } },
        }),
      );
      await h.master.waitFor((u) => u.status.task_id.value === 'tcp.0' && u.status.healthy === true);
      const killed = await h.master.waitForState('tcp.1', 'TASK_KILLED');
      expect(killed.status).toMatchObject({ healthy: false });
      expect(h.master.states('tcp.1')).not.toContain('TASK_KILLING');
    } finally {
      listener.close();
    }
  });
});
