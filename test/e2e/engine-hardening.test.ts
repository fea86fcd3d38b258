/**
 * Engine promises checked in review (issue #5), end to end against a local cluster with
 * two agents: offers the first plan does not use are declined at once, not held while
 * the run waits for its tasks; an ACCEPT whose answer is lost (the master did launch)
 * is neither reported failed nor launched a second time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalCluster } from '../../src/local/index.js';
import { runCli, type CliResult } from '../support/cli.js';
import { eventually, tasksNamed, testCluster } from '../support/cluster.js';

let cluster: LocalCluster;
const dir = mkdtempSync(path.join(tmpdir(), 'mesos-apply-hardening-'));

beforeAll(async () => {
  cluster = await testCluster({ agents: 2, resources: 'cpus:2;mem:2048;disk:5000;ports:[31000-31999]' });
});
const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) s.close();
  await cluster?.close();
});

/**
 * An HTTP proxy to the master that passes everything, except that it cuts the connection
 * of the first ACCEPT: 'after' the master answered it (the launch happened, the client
 * never hears so), or 'before' forwarding it (nothing was launched).
 */
async function acceptLosingProxy(when: 'before' | 'after'): Promise<string> {
  const upstream = new URL(cluster.url);
  let tripped = false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const cut = !tripped && req.url === '/api/v1/scheduler' && body.toString().includes('"ACCEPT"');
      if (cut) tripped = true;
      if (cut && when === 'before') return void req.socket.destroy();
      const up = request(
        { host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (ur) => {
          if (cut) {
            ur.resume();
            ur.on('end', () => req.socket.destroy());
            return;
          }
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
        },
      );
      up.on('error', () => req.socket.destroy());
      res.on('close', () => up.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface LegacyFramework {
  name: string;
  tasks: { state: string }[];
  offers: { id: string }[];
}

async function framework(name: string): Promise<LegacyFramework | undefined> {
  const res = await fetch(`${cluster.url}/master/state`);
  const state = (await res.json()) as { frameworks: LegacyFramework[] };
  return state.frameworks.find((f) => f.name === name);
}

/** Writes a one-instance manifest for `name` into the test's directory; returns its path. */
function taskFile(name: string, command: string): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: ${name}}\nspec:\n  command: '${command}'\n  resources: {cpus: 0.1, mem: 32}\n`,
  );
  return file;
}

/** Applies `name` through a proxy that loses the ACCEPT (`when`); the run must succeed. */
async function applyLosingAccept(when: 'before' | 'after', name: string, command: string): Promise<CliResult> {
  const via = await acceptLosingProxy(when);
  const r = await runCli(['-f', taskFile(name, command), '--pending-timeout', '6s', '--timeout', '20s'], {
    env: { MESOS_MASTER: via, MESOS_APPLY_FRAMEWORK: `fw-${name}` },
  });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r;
}

/** Exactly one task of `name` ever ran, and it still runs. */
async function expectOneRunning(name: string): Promise<void> {
  const { active, completed } = await tasksNamed(cluster.url, name);
  expect(active.map((t) => t.state)).toEqual(['TASK_RUNNING']);
  expect(completed).toEqual([]);
}

describe('apply engine hardening', () => {
  it('declines the offers the first plan leaves unused instead of holding them while it waits', async () => {
    const file = taskFile('hold', 'sleep 600');
    const run = runCli(['-f', file, '--min-running', '4s'], {
      env: { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: 'fw-hold' },
    });
    let done = false;
    void run.finally(() => (done = true));
    // While the run waits out --min-running, once the task runs: no offer may stay held.
    const held: number[] = [];
    while (!done) {
      const fw = await framework('fw-hold');
      if (fw?.tasks.some((t) => t.state === 'TASK_RUNNING')) held.push(fw.offers.length);
      await new Promise((r) => setTimeout(r, 200));
    }
    const r = await run;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(held.length).toBeGreaterThan(5);
    // Allow the first sample (the DECLINE may be in flight); afterwards nothing is held.
    expect(
      held.slice(2).every((n) => n === 0),
      `offers held: ${held.join(',')}`,
    ).toBe(true);
  });

  it('an ACCEPT whose answer is lost: the task the master launched is followed, not reported failed or launched again', async () => {
    await applyLosingAccept('after', 'lost', 'exec sleep 3801');
    await expectOneRunning('lost');
  });

  it('an ACCEPT cut before it reached the master: the master says the task is unknown, and it is launched again', async () => {
    const r = await applyLosingAccept('before', 'cutaccept', 'exec sleep 3802');
    expect(r.stderr + r.stdout).toMatch(/got no answer/);
    await expectOneRunning('cutaccept');
  });

  it('--no-wait on a changed task still replaces it: the old copy is killed once the new one runs', async () => {
    const write = (v: string) => taskFile('nowait', `echo ${v}; exec sleep 3803`);
    const env = { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: 'fw-nowait' };
    const file = write('v1');
    expect((await runCli(['-f', file], { env })).code).toBe(0);
    const [old] = (await tasksNamed(cluster.url, 'nowait')).active;
    write('v2');
    const r = await runCli(['-f', file, '--no-wait', '--min-running', '0s'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // The old copy is killed (it would run next to the new one for ever otherwise). Its
    // terminal update may stay unacknowledged (nobody waits for it), so the master can
    // still list it among the active tasks, as TASK_KILLED.
    const running = await eventually(async () => {
      const t = await tasksNamed(cluster.url, 'nowait');
      const oldNow = [...t.active, ...t.completed].find((x) => x.task_id.value === old.task_id.value);
      return oldNow?.state === 'TASK_KILLED' ? t.active.filter((x) => x.state === 'TASK_RUNNING') : undefined;
    }, 10_000);
    expect(running.map((t) => t.task_id.value)).not.toContain(old.task_id.value);
    expect(running).toHaveLength(1);
  });

  it('--timeout also bounds a master that accepts connections and never answers (apply and delete)', async () => {
    const sockets = new Set<Socket>();
    const silent = createNetServer((s) => void sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const file = taskFile('silent', 'sleep 1');
      const started = Date.now();
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const r = await runCli(['-f', file, '--timeout', '2s'], {
        env: { MESOS_MASTER: url, MESOS_APPLY_FRAMEWORK: 'fw-silent' },
        timeoutMs: 30_000,
      });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(r.stdout + r.stderr).toMatch(/MA_ERR_TIMEOUT/);
      const deleting = Date.now();
      const d = await runCli(['delete', 'silent', '--timeout', '2s'], {
        env: { MESOS_MASTER: url, MESOS_APPLY_FRAMEWORK: 'fw-silent' },
        timeoutMs: 30_000,
      });
      expect(d.code, d.stdout + d.stderr).toBe(1);
      expect(Date.now() - deleting).toBeLessThan(10_000);
      expect(d.stdout + d.stderr).toMatch(/MA_ERR_TIMEOUT/);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
