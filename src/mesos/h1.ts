/**
 * A small HTTP/1.1 client for the masters' and agents' APIs: keep-alive connections per
 * origin (a bounded pool for calls, a connection of its own for a subscription stream),
 * plain or TLS, one request per connection at a time (no pipelining: a connection that
 * drops never leaves us guessing which of several calls the master saw).
 *
 * Why not undici or node:http: apply acknowledges every status update with its own POST
 * (1,000 for 500 tasks). Measured on 1,000 small POSTs in bursts of 20 over 8 connections
 * (2 cores): undici 810 ms of CPU, node:http 450 ms, this client ~100 ms. The protocol the
 * masters speak here is narrow (JSON in, 202/200/307/4xx/5xx out, one chunked stream),
 * and the response framing below is the whole of RFC 9112 §6.3 that can occur: no body
 * (HEAD, 1xx, 204, 304), Transfer-Encoding chunked, Content-Length, or until close.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import type tlsModule from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';

export interface H1AgentOptions {
  /** Connections per origin; further requests wait for one (default: unbounded). */
  connections?: number;
  /** An idle keep-alive connection is closed after this long (default 10 s). */
  keepAliveMs?: number;
  /** Longest wait for a connection (TCP, and the TLS handshake for https) (default 10 s). */
  connectTimeoutMs?: number;
  /** TLS: CAs to trust instead of the system's, and whether to verify at all. */
  ca?: Buffer;
  rejectUnauthorized?: boolean;
}

export interface H1RequestOptions {
  method: 'GET' | 'POST' | 'HEAD';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Longest wait from sending to the end of the response head; 0 or absent: none. */
  headersTimeout?: number;
  /** Longest silence while reading the body; 0 or absent: none. */
  bodyTimeout?: number;
}

export interface H1Response {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: H1Body;
}

export type H1ErrorCode = 'H1_CONNECT_TIMEOUT' | 'H1_HEADERS_TIMEOUT' | 'H1_BODY_TIMEOUT' | 'H1_SOCKET_CLOSED' | 'H1_BAD_RESPONSE' | 'H1_CLOSED' | 'H1_BAD_REQUEST';

export class H1Error extends Error {
  constructor(message: string, readonly code: H1ErrorCode) {
    super(message);
    this.name = 'H1Error';
  }
}

const MAX_HEAD_BYTES = 64 * 1024;
/** A body buffered beyond this pauses the socket until the reader catches up. */
const HIGH_WATER = 1024 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\r\n\0]/;

/** A response body: its chunks as they arrive (async iteration), or thrown away (`dump`). */
export class H1Body implements AsyncIterable<Buffer> {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  private error: Error | undefined;
  /** Everyone waiting for a change: an iterator, dump(), or several of them. */
  private waiters: (() => void)[] = [];
  private discarding = false;

  constructor(
    private readonly drained: () => void,
    /** The reader stopped before the end (`break` out of for-await): the connection cannot be reused. */
    private readonly abandoned: () => void = () => undefined,
  ) {}

  /** @internal */ push(chunk: Buffer): boolean {
    if (this.discarding) return true;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.notify();
    return this.buffered < HIGH_WATER;
  }

  /** @internal */ end(): void {
    this.done = true;
    this.notify();
  }

  /** @internal */ fail(error: Error): void {
    if (this.done) return;
    this.error = error;
    this.done = true;
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    try {
      for (;;) {
        const chunk = this.chunks.shift();
        if (chunk !== undefined) {
          const before = this.buffered;
          this.buffered -= chunk.length;
          if (before >= HIGH_WATER && this.buffered < HIGH_WATER) this.drained();
          yield chunk;
          continue;
        }
        if (this.error) throw this.error;
        if (this.done) return;
        await this.changed();
      }
    } finally {
      if (!this.done) {
        this.discarding = true;
        this.chunks = [];
        this.abandoned();
      }
    }
  }

  /** Throws the rest away; resolves once the response has ended (or failed). */
  async dump(): Promise<void> {
    this.discarding = true;
    this.chunks = [];
    if (this.buffered >= HIGH_WATER) this.drained();
    this.buffered = 0;
    while (!this.done) await this.changed();
  }

  private changed(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

interface Pending {
  opts: H1RequestOptions;
  head: string;
  resolve(res: H1Response): void;
  reject(err: unknown): void;
  onAbort?: () => void;
}

type Framing = { kind: 'none' } | { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

/** A request URL as the client needs it: its origin's key and the request line's target. */
interface Target {
  url: URL;
  key: string;
  /** `METHOD`-less start of the head: ` <path+query> HTTP/1.1\r\nhost: <host>\r\n`. */
  line: string;
}

/** Parsed targets kept per agent; apply POSTs the same URL 1,000+ times (a `new URL` each ~10 µs cold). */
const MAX_TARGETS = 64;

/** Keep-alive connections to any number of origins. */
export class H1Agent {
  private readonly origins = new Map<string, Origin>();
  private readonly targets = new Map<string, Target>();
  private closing = false;

  constructor(readonly opts: H1AgentOptions = {}) {}

  request(url: string, opts: H1RequestOptions): Promise<H1Response> {
    return new Promise<H1Response>((resolve, reject) => {
      if (this.closing) return reject(new H1Error('The HTTP agent is closed', 'H1_CLOSED'));
      if (opts.signal?.aborted) return reject(opts.signal.reason);
      let t: Target;
      let head: string;
      try {
        t = this.target(url);
        head = requestHead(opts, t.line);
      } catch (err) {
        return reject(err);
      }
      let origin = this.origins.get(t.key);
      if (!origin) {
        origin = new Origin(t.url, this.opts);
        this.origins.set(t.key, origin);
      }
      origin.enqueue({ opts, head, resolve, reject });
    });
  }

  private target(url: string): Target {
    let t = this.targets.get(url);
    if (t) return t;
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new H1Error(`Unsupported URL: ${url}`, 'H1_BAD_REQUEST');
    t = { url: u, key: `${u.protocol}//${u.host}`, line: ` ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\n` };
    // Bounded: agent file reads put offsets in the query, so URLs need not repeat.
    if (this.targets.size >= MAX_TARGETS) this.targets.clear();
    this.targets.set(url, t);
    return t;
  }

  /** No new requests; those under way finish, then every connection closes. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.origins.values()].map((o) => o.close()));
  }

  /** Every connection closes now; requests under way or waiting fail. */
  async destroy(): Promise<void> {
    this.closing = true;
    for (const o of this.origins.values()) o.destroy(new H1Error('The HTTP agent was destroyed', 'H1_CLOSED'));
  }
}

/** `line`: the request line's target, version and host header (see Target). */
function requestHead(opts: H1RequestOptions, line: string): string {
  let head = opts.method + line;
  const headers = opts.headers ?? {};
  for (const name of Object.keys(headers)) {
    const value = headers[name] as string;
    if (!TOKEN.test(name) || BAD_VALUE.test(value)) throw new H1Error(`Invalid header ${JSON.stringify(name)}`, 'H1_BAD_REQUEST');
    head += `${name}: ${value}\r\n`;
  }
  if (opts.body !== undefined || opts.method === 'POST') head += `content-length: ${Buffer.byteLength(opts.body ?? '')}\r\n`;
  return `${head}\r\n`;
}

/** The connections to one origin and the requests waiting for one of them. */
class Origin {
  private readonly idle: Conn[] = [];
  private readonly conns = new Set<Conn>();
  private readonly queue: Pending[] = [];
  private closing = false;
  private allClosed: (() => void) | undefined;
  private whenAllClosed: Promise<void> | undefined;

  constructor(
    readonly url: URL,
    readonly opts: H1AgentOptions,
  ) {}

  enqueue(p: Pending): void {
    const signal = p.opts.signal;
    if (signal) {
      p.onAbort = () => {
        const i = this.queue.indexOf(p);
        if (i >= 0) {
          this.queue.splice(i, 1);
          p.reject(signal.reason);
        }
      };
      signal.addEventListener('abort', p.onAbort, { once: true });
    }
    this.queue.push(p);
    this.dispatch();
  }

  /** Hands waiting requests to idle connections, opening new ones up to the limit. */
  dispatch(): void {
    while (this.queue.length > 0) {
      let conn = this.idle.pop();
      if (!conn) {
        if (this.conns.size >= (this.opts.connections ?? Infinity)) return;
        conn = new Conn(this);
        this.conns.add(conn);
      }
      const p = this.queue.shift() as Pending;
      conn.send(p);
    }
  }

  /** A connection finished a response and may be reused. */
  release(conn: Conn): void {
    const next = this.queue.shift();
    if (next) return conn.send(next);
    if (this.closing) return conn.destroy();
    this.idle.push(conn);
    conn.parkIdle(this.opts.keepAliveMs ?? 10_000);
  }

  /** A connection is gone (closed, failed or timed out while idle). */
  forget(conn: Conn): void {
    this.conns.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    this.dispatch();
    if (this.conns.size === 0 && this.queue.length === 0) this.allClosed?.();
  }

  close(): Promise<void> {
    this.closing = true;
    for (const c of [...this.idle]) c.destroy();
    if (this.conns.size === 0 && this.queue.length === 0) return Promise.resolve();
    // One promise for every caller: a second close() must not orphan the first one's resolve.
    return (this.whenAllClosed ??= new Promise((resolve) => (this.allClosed = resolve)));
  }

  destroy(err: Error): void {
    this.closing = true;
    for (const p of this.queue.splice(0)) {
      if (p.onAbort) p.opts.signal?.removeEventListener('abort', p.onAbort);
      p.reject(err);
    }
    for (const c of [...this.conns]) c.fail(err);
  }
}

/** One socket, one request at a time, and the parser of its responses. */
class Conn {
  private readonly socket: net.Socket;
  private current: Pending | undefined;
  private body: H1Body | undefined;
  private framing: Framing = { kind: 'none' };
  private keepAlive = false;
  private rest: Buffer | undefined;
  /** Within a chunked body: the data bytes left of this chunk, or a line to read. */
  private chunk: { state: 'size' } | { state: 'data'; left: number } | { state: 'crlf' } | { state: 'trailers' } = { state: 'size' };
  /** The request's head/body timeout, and the keep-alive limit while idle. */
  private readonly deadline = new Deadline();
  private readonly idleLimit = new Deadline();
  private readonly connecting = new Deadline();
  private gone = false;

  constructor(private readonly origin: Origin) {
    const { url, opts } = origin;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    this.socket =
      url.protocol === 'https:'
        ? loadTls().connect({
            host,
            port,
            servername: net.isIP(host) ? undefined : host,
            ca: opts.ca,
            rejectUnauthorized: opts.rejectUnauthorized ?? true,
            ALPNProtocols: ['http/1.1'],
          })
        : net.connect({ host, port });
    this.socket.setNoDelay(true);
    // A master whose packets are dropped must not hold a request for the whole head timeout
    // (75 s): after this the request fails as unreachable and the next master is tried.
    const connectMs = opts.connectTimeoutMs ?? 10_000;
    if (connectMs > 0) {
      this.connecting.arm(connectMs, () => this.fail(new H1Error(`Connecting to ${url.host} timed out`, 'H1_CONNECT_TIMEOUT')));
      this.socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => this.connecting.dispose());
    }
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => this.onClose());
    // The server ended an idle connection: 'close' comes a turn or more later, and a request
    // written in between would fail (EPIPE / closed); take it out of the pool now.
    this.socket.on('end', () => {
      if (!this.current) this.destroy();
    });
  }

  send(p: Pending): void {
    this.current = p;
    this.idleLimit.disarm();
    this.socket.ref();
    if (p.opts.signal) {
      const signal = p.opts.signal;
      p.opts.signal.removeEventListener('abort', p.onAbort as () => void);
      p.onAbort = () => this.fail(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)), signal.reason);
      signal.addEventListener('abort', p.onAbort, { once: true });
    }
    this.socket.write(p.opts.body ? p.head + p.opts.body : p.head);
    this.arm(p.opts.headersTimeout, () => new H1Error('No response head in time', 'H1_HEADERS_TIMEOUT'));
  }

  parkIdle(ms: number): void {
    this.socket.unref();
    // An idle connection keeps nothing alive: the process may exit before the limit.
    this.idleLimit.arm(ms, () => this.destroy(), false);
  }

  destroy(): void {
    if (this.gone) return;
    this.socket.destroy();
    this.onClose();
  }

  /** Ends this connection with an error for whoever is using it. */
  fail(err: Error, reason: unknown = err): void {
    const p = this.current;
    const body = this.body;
    this.finishRequest();
    if (body) body.fail(err);
    else p?.reject(reason);
    this.destroy();
  }

  private onClose(): void {
    if (this.gone) return;
    this.gone = true;
    if (this.current) {
      if (this.body && this.framing.kind === 'close') this.complete();
      else this.fail(new H1Error('The server closed the connection', 'H1_SOCKET_CLOSED'));
    }
    this.deadline.dispose();
    this.connecting.dispose();
    this.idleLimit.dispose();
    this.origin.forget(this);
  }

  private arm(ms: number | undefined, error: () => H1Error): void {
    if (ms) this.deadline.arm(ms, () => this.fail(error()));
    else this.deadline.disarm();
  }

  private clearTimer(): void {
    this.deadline.disarm();
  }

  private onData(data: Buffer): void {
    if (!this.current) {
      // Bytes nobody asked for: the connection can no longer be trusted.
      return this.destroy();
    }
    let buf = this.rest ? Buffer.concat([this.rest, data]) : data;
    this.rest = undefined;
    try {
      buf = this.parse(buf);
    } catch (err) {
      return this.fail(err as Error);
    }
    if (buf.length > 0 && this.current && !this.gone) this.rest = buf;
  }

  /** Consumes what it can of `buf`; returns the bytes it must wait to understand. */
  private parse(buf: Buffer): Buffer {
    let at = 0;
    while (this.current && at < buf.length) {
      if (!this.body) {
        const end = buf.indexOf(CRLF2, at);
        if (end < 0) {
          if (buf.length - at > MAX_HEAD_BYTES) throw new H1Error('Response head too large', 'H1_BAD_RESPONSE');
          break;
        }
        const text = buf.toString('latin1', at, end);
        at = end + 4;
        if (this.onHead(text)) this.complete(at < buf.length);
        continue;
      }
      const next = this.parseBody(buf, at);
      if (next === at) break; // a chunk-size line or CRLF split across reads: wait for the rest
      at = next;
    }
    if (this.body && this.bodyTimeout()) {
      if (this.socket.isPaused()) this.clearTimer();
      else this.arm(this.bodyTimeout(), () => new H1Error('The response body stalled', 'H1_BODY_TIMEOUT'));
    }
    return at === 0 ? buf : buf.subarray(at);
  }

  private bodyTimeout(): number | undefined {
    return this.current?.opts.bodyTimeout;
  }

  /** Parses a response head; true when the response has no body (it is complete). */
  private onHead(text: string): boolean {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
    if (!m) throw new H1Error(`Not an HTTP/1 response: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`, 'H1_BAD_RESPONSE');
    const status = Number(m[2]);
    if (status >= 100 && status < 200) return false; // interim (100 Continue, 103 Early Hints): the real answer follows
    const headers: IncomingHttpHeaders = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new H1Error(`Malformed response header: ${JSON.stringify(line.slice(0, 80))}`, 'H1_BAD_RESPONSE');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      const prev = headers[name];
      headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    const p = this.current as Pending;
    this.framing = framingOf(p.opts.method, status, headers);
    const connection = String(headers.connection ?? '').toLowerCase();
    this.keepAlive =
      this.framing.kind !== 'close' && (m[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection));
    this.chunk = { state: 'size' };
    // A body read after its response completed must not resume the socket for the next one.
    const body: H1Body = new H1Body(
      () => {
        if (this.body !== body) return;
        this.socket.resume();
        if (this.bodyTimeout()) this.arm(this.bodyTimeout(), () => new H1Error('The response body stalled', 'H1_BODY_TIMEOUT'));
      },
      () => {
        if (this.body === body) this.fail(new H1Error('The reader stopped reading the body', 'H1_CLOSED'));
      },
    );
    this.body = body;
    this.clearTimer();
    p.resolve({ statusCode: status, headers, body });
    return this.framing.kind === 'none' || (this.framing.kind === 'length' && this.framing.left === 0);
  }

  /** Feeds body bytes from `at`; returns the next offset (unchanged: more bytes are needed). */
  private parseBody(buf: Buffer, at: number): number {
    const body = this.body as H1Body;
    const f = this.framing;
    if (f.kind === 'close') {
      this.deliver(body, buf.subarray(at));
      return buf.length;
    }
    if (f.kind === 'length') {
      const n = Math.min(f.left, buf.length - at);
      this.deliver(body, buf.subarray(at, at + n));
      f.left -= n;
      if (f.left === 0) this.complete(at + n < buf.length);
      return at + n;
    }
    if (f.kind !== 'chunked') return buf.length;
    const c = this.chunk;
    if (c.state === 'data') {
      const n = Math.min(c.left, buf.length - at);
      if (n > 0) this.deliver(body, buf.subarray(at, at + n));
      c.left -= n;
      if (c.left === 0) this.chunk = { state: 'crlf' };
      return at + n;
    }
    if (c.state === 'crlf') {
      if (buf.length - at < 2) return at;
      if (buf[at] !== 13 || buf[at + 1] !== 10) throw new H1Error('Malformed chunked body', 'H1_BAD_RESPONSE');
      this.chunk = { state: 'size' };
      return at + 2;
    }
    const eol = buf.indexOf('\r\n', at, 'latin1');
    if (eol < 0) {
      if (buf.length - at > MAX_HEAD_BYTES) throw new H1Error('Malformed chunked body', 'H1_BAD_RESPONSE');
      return at;
    }
    const line = buf.toString('latin1', at, eol);
    if (c.state === 'trailers') {
      if (line === '') this.complete(eol + 2 < buf.length);
      return eol + 2;
    }
    const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line);
    if (!size) throw new H1Error(`Malformed chunk size ${JSON.stringify(line.slice(0, 40))}`, 'H1_BAD_RESPONSE');
    const left = parseInt(size[1] as string, 16);
    this.chunk = left === 0 ? { state: 'trailers' } : { state: 'data', left };
    return eol + 2;
  }

  private deliver(body: H1Body, bytes: Buffer): void {
    if (bytes.length === 0) return;
    // Not copied: each 'data' event of a net/tls socket is a buffer of its own.
    if (body.push(bytes)) return;
    // The reader is behind: stop reading, and stop blaming the server for the silence.
    this.socket.pause();
  }

  /**
   * The response is complete: the body ends; the connection is reused, unless the server
   * sent bytes beyond the response (`trailing`: nothing was asked for them) or closes.
   */
  private complete(trailing = false): void {
    const body = this.body;
    const reuse = this.keepAlive && !this.gone && !trailing;
    this.finishRequest();
    body?.end();
    if (this.gone) return;
    // The last bytes may have filled the body and paused the socket: the body is whole now,
    // and the connection must read the next response (or notice the server closing) regardless.
    this.socket.resume();
    if (reuse) this.origin.release(this);
    else this.destroy();
  }

  private finishRequest(): void {
    const p = this.current;
    if (p?.opts.signal && p.onAbort) p.opts.signal.removeEventListener('abort', p.onAbort);
    this.current = undefined;
    this.body = undefined;
    this.clearTimer();
  }
}

let tls: typeof tlsModule | undefined;

/** node:tls only for https masters: loading it costs ~10 ms of every plain-http run's start-up. */
function loadTls(): typeof tlsModule {
  return (tls ??= createRequire(import.meta.url)('node:tls') as typeof tlsModule);
}

/**
 * One reusable timer: re-armed with refresh() and disarmed without clearTimeout, so a
 * request costs no timer allocation and no timer-list churn (1,000+ calls per apply).
 * A disarmed timer that still fires does nothing, and it is unref'd: it keeps no process alive.
 */
class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private ms = 0;
  private action: (() => void) | undefined;

  /** `action` runs once `ms` from now unless disarmed; `keepsAlive`: hold the process open meanwhile. */
  arm(ms: number, action: () => void, keepsAlive = true): void {
    this.action = action;
    if (this.timer !== undefined && this.ms === ms) this.timer.refresh();
    else {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.ms = ms;
      this.timer = setTimeout(() => this.fire(), ms);
    }
    if (keepsAlive) this.timer.ref();
    else this.timer.unref();
  }

  disarm(): void {
    this.action = undefined;
    this.timer?.unref();
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.action = undefined;
  }

  private fire(): void {
    const action = this.action;
    this.action = undefined;
    action?.();
  }
}

function framingOf(method: string, status: number, headers: IncomingHttpHeaders): Framing {
  if (method === 'HEAD' || status === 204 || status === 304) return { kind: 'none' };
  const te = headers['transfer-encoding'];
  if (te !== undefined) {
    const codings = String(te).toLowerCase().split(',').map((s) => s.trim());
    if (codings[codings.length - 1] === 'chunked') return { kind: 'chunked' };
    return { kind: 'close' };
  }
  const cl = headers['content-length'];
  // The usual single value; a list (`5, 5`) or anything odd takes the careful path below.
  if (typeof cl === 'string' && /^\d{1,15}$/.test(cl)) return { kind: 'length', left: Number(cl) };
  if (cl !== undefined) {
    const values = new Set(String(cl).split(',').map((s) => s.trim()));
    const [only] = values;
    if (values.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) {
      throw new H1Error(`Invalid Content-Length ${JSON.stringify(String(cl))}`, 'H1_BAD_RESPONSE');
    }
    return { kind: 'length', left: Number(only) };
  }
  return { kind: 'close' };
}
