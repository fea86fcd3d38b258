/**
 * A curl-like client for the conformance tests: plain node:http requests and a SUBSCRIBE
 * stream reader with its own few-line RecordIO decoder (independent of both the local
 * master's encoder and the mesos-apply client).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { startLocalCluster, type LocalCluster, type LocalClusterOptions } from '../../../src/local/index.js';
import type { Event, FrameworkInfo } from '../../../src/mesos/types.js';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export function request(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export class EventStream {
  readonly events: Event[] = [];
  ended = false;
  status = 0;
  streamId = '';
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private req?: http.ClientRequest;

  static open(base: string, body: unknown, headers: Record<string, string> = {}): Promise<EventStream> {
    const s = new EventStream();
    return new Promise((resolve, reject) => {
      s.req = http.request(
        new URL('/api/v1/scheduler', base),
        { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers } },
        (res) => {
          s.status = res.statusCode ?? 0;
          s.streamId = String(res.headers['mesos-stream-id'] ?? '');
          res.on('data', (c: Buffer) => s.push(c));
          res.on('end', () => s.finish());
          res.on('error', () => s.finish());
          resolve(s);
        },
      );
      s.req.on('error', (e) => (s.status ? s.finish() : reject(e)));
      s.req.end(JSON.stringify(body));
    });
  }

  private push(c: Buffer): void {
    this.buf = Buffer.concat([this.buf, c]);
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl < 0) break;
      const len = Number(this.buf.subarray(0, nl).toString('ascii'));
      if (this.buf.length < nl + 1 + len) break;
      this.events.push(JSON.parse(this.buf.subarray(nl + 1, nl + 1 + len).toString('utf8')) as Event);
      this.buf = this.buf.subarray(nl + 1 + len);
    }
    this.wake();
  }

  private finish(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The next event (after `from`) matching `pred`, or undefined after `ms` or at end of stream. */
  async next(pred: (e: Event) => boolean, ms = 5000, from = 0): Promise<Event | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.slice(from).find(pred);
      if (found) return found;
      if (this.ended || Date.now() >= deadline) return undefined;
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, Math.max(1, deadline - Date.now())).unref();
      });
    }
  }

  /** Waits for the end of the stream; true if it ended within `ms`. */
  async end(ms = 5000): Promise<boolean> {
    await this.next(() => false, ms);
    return this.ended;
  }

  close(): void {
    this.req?.destroy();
  }
}

export const FRAMEWORK: FrameworkInfo = {
  user: 'root',
  name: 'conformance',
  roles: ['web'],
  checkpoint: true,
  failover_timeout: 3600,
  capabilities: [{ type: 'MULTI_ROLE' }, { type: 'TASK_KILLING_STATE' }, { type: 'PARTITION_AWARE' }],
};

export const subscribeBody = (info: FrameworkInfo) => ({
  ...(info.id ? { framework_id: info.id } : {}),
  type: 'SUBSCRIBE',
  subscribe: { framework_info: info },
});

/** Calls on the scheduler endpoint with the stream id header. */
export const schedulerCall = (base: string, streamId: string, body: unknown) =>
  request(base, 'POST', '/api/v1/scheduler', body, { 'mesos-stream-id': streamId });

/** True while a process with this pid exists (and is not a zombie we could still reap). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A cluster per test on a free port, in a throwaway work dir, and the streams the test
 * opened: all closed and removed after each test. Call once per file.
 */
export function localHarness(prefix: string) {
  let cluster: LocalCluster | undefined;
  const streams: EventStream[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await cluster?.close();
    cluster = undefined;
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  return {
    streams,
    async start(opts: LocalClusterOptions = {}): Promise<LocalCluster> {
      const workDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      dirs.push(workDir);
      cluster = await startLocalCluster({
        port: 0,
        workDir,
        resources: 'cpus:2;mem:2048;disk:4096;ports:[31000-32000]',
        allocationIntervalMs: 100,
        ...opts,
      });
      return cluster;
    },
    /** The cluster of the running test. */
    get cluster(): LocalCluster | undefined {
      return cluster;
    },
    /** The test closed its cluster itself. */
    forget(): void {
      cluster = undefined;
    },
  };
}
