/**
 * A misbehaving Mesos master (and agent: its /files endpoints answer on the same port) for
 * the hostile-master test. One `mode` per server says how it misbehaves; everything else is
 * answered as a real master would (a framework `mesos-apply` with one task `hello` on one
 * agent, whose pid points back to this server), so each mode reaches the code it aims at:
 *
 * - garbage: every answer is 200 with a body that is not JSON (the event stream: not RecordIO);
 * - shape: operator answers are JSON of the wrong shape (a list where an object belongs);
 * - events: operator answers are right; the scheduler stream's SUBSCRIBED is right and the
 *   OFFERS event after it is of the wrong shape (an offer without an id);
 * - subscribed: the SUBSCRIBED event itself is of the wrong shape;
 * - files: everything is right except the agent's /files answers (wrong shape);
 * - blackhole: connections are accepted and never answered;
 * - trickle: 200 and then one byte of whitespace every 100 ms, for ever;
 * - huge: 200 and 256 MiB of whitespace (no Content-Length: the reader cannot know ahead);
 * - echo: 400 with the request echoed back, headers (credentials) included.
 *
 * No real Mesos code or recording is replayed: the answers are the smallest that the
 * protocol (shared/mesos-protocol.md) allows, with one thing wrong.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type HostileMode =
  | 'garbage'
  | 'shape'
  | 'events'
  | 'subscribed'
  | 'files'
  | 'blackhole'
  | 'trickle'
  | 'huge'
  | 'echo';

export interface HostileMaster {
  url: string;
  /** Requests seen, as `METHOD path [call type]`. */
  seen: string[];
  close(): Promise<void>;
}

export const HUGE_BYTES = 256 * 1024 * 1024;
const FRAMEWORK_ID = 'hostile-fw-0001';
const AGENT_ID = 'hostile-agent-S0';

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** What a master with one framework, one task and one agent answers to an operator call. */
function operatorAnswer(type: string, port: number): object | undefined {
  const framework = {
    framework_info: { name: 'mesos-apply', id: { value: FRAMEWORK_ID }, user: 'root', roles: ['*'] },
    active: false,
    connected: false,
    recovered: false,
  };
  const task = {
    name: 'hello',
    task_id: { value: 'hello.0.hostile' },
    framework_id: { value: FRAMEWORK_ID },
    agent_id: { value: AGENT_ID },
    executor_id: { value: 'hello.0.hostile' },
    state: 'TASK_RUNNING',
    labels: {
      labels: [
        { key: 'mesos-apply/name', value: 'hello' },
        { key: 'mesos-apply/instance', value: '0' },
        { key: 'mesos-apply/spec-hash', value: 'hostile' },
      ],
    },
    resources: [],
    statuses: [],
  };
  const agent = {
    agent_info: { hostname: '127.0.0.1', port, id: { value: AGENT_ID } },
    pid: `slave(1)@127.0.0.1:${port}`,
    active: true,
  };
  switch (type) {
    case 'GET_FRAMEWORKS':
      return { get_frameworks: { frameworks: [framework] } };
    case 'GET_TASKS':
      return { get_tasks: { tasks: [task] } };
    case 'GET_AGENTS':
      return { get_agents: { agents: [agent] } };
    case 'GET_STATE':
      return {
        get_state: {
          get_frameworks: { frameworks: [framework] },
          get_tasks: { tasks: [task] },
          get_agents: { agents: [agent] },
          get_executors: {},
        },
      };
    case 'GET_HEALTH':
      return { get_health: { healthy: true } };
    default:
      return undefined;
  }
}

function record(event: object): string {
  const text = JSON.stringify(event);
  return `${Buffer.byteLength(text)}\n${text}`;
}

/** The SUBSCRIBE answer: a stream that stays open after its events (as Mesos's does). */
function subscribe(mode: HostileMode, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'mesos-stream-id': 'hostile-stream-1' });
  if (mode === 'garbage') return void res.write('this is not RecordIO\n');
  const subscribed =
    mode === 'subscribed'
      ? { type: 'SUBSCRIBED', subscribed: { framework_id: { value: 7 }, heartbeat_interval_seconds: 15 } }
      : { type: 'SUBSCRIBED', subscribed: { framework_id: { value: FRAMEWORK_ID }, heartbeat_interval_seconds: 15 } };
  res.write(record(subscribed));
  if (mode === 'events')
    res.write(record({ type: 'OFFERS', offers: { offers: [{ agent_id: { value: AGENT_ID }, hostname: 'h' }] } }));
}

/** Writes `bytes` of spaces as fast as the client reads them. */
function huge(res: ServerResponse, bytes: number): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(1 << 20, 0x20);
  let left = bytes;
  const more = (): void => {
    while (left > 0 && !res.destroyed) {
      left -= chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    res.end();
  };
  more();
}

function trickle(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const timer = setInterval(() => res.write(' '), 100);
  res.on('close', () => clearInterval(timer));
}

function echo(req: IncomingMessage, body: string, res: ServerResponse): void {
  const head = Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`);
  res.writeHead(400, { 'content-type': 'text/plain' });
  res.end(['Bad request; you sent:', `${req.method} ${req.url} HTTP/1.1`, ...head, '', body].join('\n'));
}

function answer(mode: HostileMode, port: number, req: IncomingMessage, body: string, res: ServerResponse): unknown {
  const path = (req.url ?? '').split('?')[0];
  if (mode === 'blackhole') return;
  if (mode === 'echo') return echo(req, body, res);
  if (mode === 'trickle') return trickle(res);
  if (mode === 'huge') return huge(res, HUGE_BYTES);
  if (path.startsWith('/files/')) {
    if (mode === 'garbage') return void res.end('<html>not json</html>');
    if (mode === 'files') return json(res, 200, path === '/files/browse' ? { files: 'x' } : { data: 5, offset: 'x' });
    return json(res, 200, path === '/files/browse' ? [] : { data: '', offset: 0 });
  }
  let call: { type?: string } = {};
  try {
    call = JSON.parse(body) as { type?: string };
  } catch {
    // not JSON: answered below as an unknown call
  }
  const type = call.type ?? '';
  if (path === '/api/v1/scheduler') {
    if (type === 'SUBSCRIBE') return subscribe(mode, res);
    res.writeHead(202);
    return void res.end();
  }
  if (mode === 'garbage') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end('<html>\u0000 this is not JSON');
  }
  const payload = operatorAnswer(type, port);
  if (payload === undefined) return json(res, 400, { message: `no answer for ${type}` });
  if (mode === 'shape') {
    const key = Object.keys(payload)[0] as string;
    return json(res, 200, { type, [key]: [] });
  }
  if (type === 'TEARDOWN') return json(res, 200, {});
  return json(res, 200, { type, ...payload });
}

export async function startHostileMaster(mode: HostileMode): Promise<HostileMaster> {
  const sockets = new Set<Socket>();
  const seen: string[] = [];
  let port = 0;
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      const type = /"type"\s*:\s*"([A-Z_]+)"/.exec(body)?.[1];
      seen.push(`${req.method} ${req.url}${type ? ` ${type}` : ''}`);
      answer(mode, port, req, body, res);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
