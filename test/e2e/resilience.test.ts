/**
 * apply when the world misbehaves: updates queued while no CLI ran, two runs of one
 * framework at once, the master connection cut mid-apply, a standby master that answers
 * 307, and Ctrl-C. The built CLI against a local cluster on a free port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { LocalCluster } from '../../src/local/index.js';
import { BIN, NODE, REPO, runCli } from '../support/cli.js';
import { allTasks, eventually, killTaskProcess, tasksNamed, testCluster } from '../support/cluster.js';

let cluster: LocalCluster;
const dir = mkdtempSync(path.join(tmpdir(), 'mesos-apply-resilience-'));
const servers: Server[] = [];

beforeAll(async () => {
  cluster = await testCluster();
});
afterAll(async () => {
  for (const s of servers) s.close();
  await cluster?.close();
});

function manifest(name: string, spec: string): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: ${name}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`,
  );
  return file;
}

/** A service that turns healthy only after `seconds`. */
function slowHealthy(name: string, seconds: number, marker: number): string {
  return manifest(
    name,
    `command: 'sleep ${seconds}; touch ready; exec sleep ${marker}'\nresources: {cpus: 0.1, mem: 32}\nhealthCheck: {command: 'test -f ready', delay: 0, interval: 1, gracePeriod: 60, timeout: 2}`,
  );
}

/** Spawns the CLI and resolves `seen(text)` when its stdout first contains text. */
function start(args: string[], env: Record<string, string>) {
  const child = spawn(NODE, [BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of waiters) if (stdout.includes(w.text)) w.resolve();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  const seen = (text: string) =>
    new Promise<void>((resolve) => (stdout.includes(text) ? resolve() : waiters.push({ text, resolve })));
  return { child, done, seen };
}

const env = (framework: string, master = cluster.url) => ({ MESOS_MASTER: master, MESOS_APPLY_FRAMEWORK: framework });

/** A TCP proxy to the master: destroying its sockets cuts the connection, closing it loses the master. */
async function masterProxy() {
  const sockets = new Set<Socket>();
  const proxy = createNetServer((client) => {
    const upstream = connect(Number(new URL(cluster.url).port), '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('error', drop);
      s.on('close', drop);
    }
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  servers.push(proxy as unknown as Server);
  return { sockets, proxy, via: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` };
}

describe('apply under failures', () => {
  it('acknowledges updates that were queued while no mesos-apply ran', async () => {
    const f = manifest('queued', `command: 'exec sleep 3701'\nresources: {cpus: 0.1, mem: 32}`);
    expect((await runCli(['-f', f], { env: env('fw-queued') })).code).toBe(0);
    await killTaskProcess(cluster.url, 'queued');
    // The agent has TASK_FAILED queued: the master knows the state, the update is unacknowledged.
    const [failed] = await eventually(async () => {
      const t = (await tasksNamed(cluster.url, 'queued')).active;
      return t.some((x) => x.state === 'TASK_FAILED') ? t : undefined;
    });
    expect(failed.status_update_state).not.toBe('TASK_FAILED');
    const r = await runCli(['-f', f], { env: env('fw-queued') });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const after = await eventually(async () => {
      const t = await tasksNamed(cluster.url, 'queued');
      return t.completed.some((x) => x.task_id.value === failed.task_id.value) ? t : undefined;
    });
    expect(after.active.map((t) => t.state)).toEqual(['TASK_RUNNING']);
  });

  it('--takeover: a second run takes the framework over; the first exits 1 saying so; nothing runs twice', async () => {
    const f = slowHealthy('contended', 4, 3711);
    const first = start(['-f', f], env('fw-two'));
    await first.seen('contended/0 running');
    const second = await runCli(['-f', f, '--takeover'], { env: env('fw-two') });
    const firstResult = await first.done;
    expect(firstResult.code).toBe(1);
    expect(firstResult.stdout + firstResult.stderr).toMatch(/taken over by \S+@\S+ \(pid \d+, --takeover\)/);
    expect(second.stdout + second.stderr).toMatch(/taking framework 'fw-two' over from \S+@\S+ \(pid \d+/);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const { active } = await tasksNamed(cluster.url, 'contended');
    expect(active).toHaveLength(1);
  });

  it('re-subscribes when the master connection drops mid-apply, and finishes', async () => {
    const { sockets, via } = await masterProxy();
    const f = slowHealthy('cut', 4, 3721);
    const run = start(['-f', f], env('fw-cut', via));
    await run.seen('cut/0 running');
    for (const s of sockets) s.destroy();
    const cutAt = Date.now();
    // Said at once, not after minutes of "still waiting".
    await run.seen('connection to the master lost, reconnecting (attempt 1)');
    expect(Date.now() - cutAt).toBeLessThan(5000);
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/re-established|reconnect/i);
    expect(r.stdout).toMatch(/cut\/0 +healthy|healthy/);
  });

  it('the master lost for good mid-apply: the report lists the unconfirmed task as such, with when, and exits 1', async () => {
    const { sockets, proxy, via } = await masterProxy();
    const f = slowHealthy('lost', 30, 3731);
    const run = start(['-f', f, '--timeout', '15s', '-o', 'json'], env('fw-lost', via));
    await eventually(async () => ((await tasksNamed(cluster.url, 'lost')).active.length > 0 ? true : undefined));
    // The master is gone for good: nothing listens at its address any more.
    proxy.close();
    for (const s of sockets) s.destroy();
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as {
      instances: { name: string; outcome: string; failure: { message: string } | null }[];
      errors: { code: string; message: string }[];
    };
    const lost = doc.instances.find((i) => i.name === 'lost');
    const at = /the master was lost at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/;
    expect(lost?.outcome, r.stdout).toBe('unconfirmed');
    expect(lost?.failure?.message).toMatch(at);
    const error = doc.errors.find((e) => e.code === 'MA_ERR_CONNECTION_LOST');
    expect(error?.message, r.stdout).toMatch(at);
    expect(error?.message).toContain('lost/0');
  }, 60_000);

  it('follows a 307 from a standby master to the leader', async () => {
    const leader = new URL(cluster.url);
    const standby = createHttpServer((req, res) => {
      // What a non-leading Mesos master answers (transcript-ha.jsonl): a protocol-relative Location.
      res.writeHead(307, { location: `//${leader.host}/master${req.url}` });
      res.end();
    });
    await new Promise<void>((r) => standby.listen(0, '127.0.0.1', r));
    servers.push(standby);
    const standbyUrl = `http://127.0.0.1:${(standby.address() as AddressInfo).port}`;
    const f = manifest('redirected', `command: 'exec sleep 3731'\nresources: {cpus: 0.1, mem: 32}`);
    const r = await runCli(['-f', f], { env: env('fw-307', `http://127.0.0.1:1,${standbyUrl}`) });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await tasksNamed(cluster.url, 'redirected')).active.map((t) => t.state)).toEqual(['TASK_RUNNING']);
  });

  it('stops cleanly on Ctrl-C: exit 130, what was launched is reported and keeps running, nothing is left unacknowledged', async () => {
    const f = slowHealthy('interrupted', 120, 3741);
    const run = start(['-f', f], env('fw-int'));
    await run.seen('interrupted/0 running');
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/interrupted/);
    // Not a failure: the report says the task was left running.
    expect(r.stdout).toMatch(/interrupted\/0 +create +left running \(interrupted\)/);
    expect(r.stdout).not.toContain('✖');
    const t = await eventually(async () => {
      const tasks = (await allTasks(cluster.url)).tasks.filter((x) => x.name === 'interrupted');
      return tasks.length === 1 && tasks[0].status_update_state === tasks[0].state ? tasks[0] : undefined;
    });
    expect(t.state).toBe('TASK_RUNNING');
  });
});
