/**
 * bench/local: 1,000 short shell tasks (`sleep 30`) launched through the scheduler API of
 * a local cluster with 4 agents, from the first ACCEPT to the last TASK_RUNNING (every
 * update acknowledged, as a scheduler must), beside the floor: spawning the same 1,000
 * processes with plain `child_process.spawn`. Also the memory of the process that holds
 * the master (and agents). Target: ratio = cluster / floor within 3.
 *
 * Usage: npm run bench -- local [--tasks N] [--agents N]
 * Last stdout line: {"bench":"local","tasks":...,"floorMs":...,"clusterMs":...,"ratio":...}
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startLocalCluster } from '../src/local/index.js';
import type { Event, Offer, TaskInfo } from '../src/mesos/types.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const TASKS = arg('tasks', 1000);
const AGENTS = arg('agents', 4);

/** Spawns N `sh -c 'sleep 30'` in their own process groups; ms until all have started. */
async function floor(n: number): Promise<number> {
  const children: ChildProcess[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((resolve, reject) => {
          const c = spawn('/bin/sh', ['-c', 'sleep 30'], { detached: true, stdio: 'ignore' });
          children.push(c);
          c.once('spawn', () => resolve());
          c.once('error', reject);
        }),
    ),
  );
  const ms = performance.now() - t0;
  for (const c of children)
    if (c.pid)
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
  return ms;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
/** POST with one retry: a keep-alive socket may be closed by the server just as it is reused. */
function post(base: string, body: unknown, streamId: string, retry = true): Promise<number> {
  return postOnce(base, body, streamId).catch((e: unknown) => {
    if (retry && (e as { code?: string }).code === 'ECONNRESET') return post(base, body, streamId, false);
    throw e;
  });
}

function postOnce(base: string, body: unknown, streamId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL('/api/v1/scheduler', base),
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'mesos-stream-id': streamId } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

interface Sub {
  streamId: string;
  onEvent: (f: (e: Event) => void) => void;
  close: () => void;
}
function subscribe(base: string): Promise<Sub> {
  const body = JSON.stringify({
    type: 'SUBSCRIBE',
    subscribe: { framework_info: { user: os.userInfo().username, name: 'bench', failover_timeout: 60 } },
  });
  return new Promise((resolve, reject) => {
    const listeners: ((e: Event) => void)[] = [];
    // Events that arrive with the response headers, before anyone listens.
    const early: Event[] = [];
    const req = http.request(
      new URL('/api/v1/scheduler', base),
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let buf = Buffer.alloc(0);
        res.on('data', (c: Buffer) => {
          buf = Buffer.concat([buf, c]);
          for (;;) {
            const nl = buf.indexOf(10);
            if (nl < 0) break;
            const len = Number(buf.subarray(0, nl).toString('ascii'));
            if (buf.length < nl + 1 + len) break;
            const e = JSON.parse(buf.subarray(nl + 1, nl + 1 + len).toString('utf8')) as Event;
            buf = buf.subarray(nl + 1 + len);
            if (listeners.length) for (const l of listeners) l(e);
            else early.push(e);
          }
        });
        resolve({
          streamId: String(res.headers['mesos-stream-id']),
          onEvent: (f) => {
            listeners.push(f);
            for (const e of early.splice(0)) f(e);
          },
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function tasksFor(offer: Offer, from: number, count: number): TaskInfo[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `bench-${from + i}`,
    task_id: { value: `bench-${from + i}` },
    agent_id: offer.agent_id,
    command: { shell: true, value: 'sleep 30' },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.01 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 1 } },
    ],
  }));
}

async function clusterRun(n: number, agents: number): Promise<{ ms: number; rssMb: number; heapMb: number }> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-local-'));
  const cluster = await startLocalCluster({
    port: 0,
    agents,
    workDir,
    resources: `cpus:${agents * 16};mem:${agents * 16384};disk:${agents * 1024};ports:[31000-32000]`,
  });
  const sub = await subscribe(cluster.url);
  let fwId = '';
  const offers: Offer[] = [];
  let running = 0;
  const other = new Map<string, number>();
  const acks = new Set<Promise<unknown>>();
  let t0 = 0;
  let done: () => void = () => {};
  const allRunning = new Promise<void>((r) => (done = r));
  const gotOffers = new Promise<void>((resolve) =>
    sub.onEvent((e) => {
      if (e.type === 'SUBSCRIBED') fwId = e.subscribed!.framework_id.value;
      if (e.type === 'OFFERS') offers.push(...(e.offers!.offers ?? []));
      if (offers.length >= agents) resolve();
      if (e.type !== 'UPDATE') return;
      const st = e.update!.status;
      if (st.uuid && running < n) {
        const ack = post(
          cluster.url,
          {
            framework_id: { value: fwId },
            type: 'ACKNOWLEDGE',
            acknowledge: { agent_id: st.agent_id, task_id: st.task_id, uuid: st.uuid },
          },
          sub.streamId,
        )
          .catch((e: unknown) => console.error(`ACK failed: ${String(e)}`))
          .finally(() => acks.delete(ack));
        acks.add(ack);
      }
      if (st.state === 'TASK_RUNNING' && ++running === n) done();
      // On a slow machine the first `sleep 30` may end before the last task starts.
      if (st.state !== 'TASK_STARTING' && st.state !== 'TASK_RUNNING')
        other.set(st.state, (other.get(st.state) ?? 0) + 1);
    }),
  );
  await gotOffers;
  t0 = performance.now();
  const per = Math.ceil(n / agents);
  await Promise.all(
    offers.slice(0, agents).map((o, i) =>
      post(
        cluster.url,
        {
          framework_id: { value: fwId },
          type: 'ACCEPT',
          accept: {
            offer_ids: [o.id],
            operations: [{ type: 'LAUNCH', launch: { task_infos: tasksFor(o, i * per, Math.min(per, n - i * per)) } }],
          },
        },
        sub.streamId,
      ),
    ),
  );
  await allRunning;
  const ms = performance.now() - t0;
  const mem = process.memoryUsage();
  await Promise.allSettled([...acks]);
  await post(cluster.url, { framework_id: { value: fwId }, type: 'TEARDOWN' }, sub.streamId);
  sub.close();
  await cluster.close();
  agent.destroy();
  fs.rmSync(workDir, { recursive: true, force: true });
  if (other.size)
    console.log(`other updates before the last TASK_RUNNING: ${JSON.stringify(Object.fromEntries(other))}`);
  return { ms, rssMb: mem.rss / 2 ** 20, heapMb: mem.heapUsed / 2 ** 20 };
}

async function main(): Promise<void> {
  const floorMs = await floor(TASKS);
  console.log(`floor: ${TASKS} x spawn('sh -c sleep 30') in ${floorMs.toFixed(0)} ms`);
  const run = await clusterRun(TASKS, AGENTS);
  console.log(
    `cluster: first ACCEPT to last TASK_RUNNING (${TASKS} tasks, ${AGENTS} agents) in ${run.ms.toFixed(0)} ms`,
  );
  console.log(
    `memory of the master process (with agents): rss ${run.rssMb.toFixed(0)} MB, heap ${run.heapMb.toFixed(0)} MB`,
  );
  const ratio = run.ms / floorMs;
  console.log(`ratio ${ratio.toFixed(2)} (target ≤ 3)`);
  console.log(
    JSON.stringify({
      bench: 'local',
      tasks: TASKS,
      agents: AGENTS,
      floorMs: Math.round(floorMs),
      clusterMs: Math.round(run.ms),
      rssMb: Math.round(run.rssMb),
      heapMb: Math.round(run.heapMb),
      ratio: Number(ratio.toFixed(2)),
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
