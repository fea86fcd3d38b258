/** One socket of an H1Agent: one request at a time, and the parser of its responses. */
import { createRequire } from 'node:module';
import net from 'node:net';
import type tlsModule from 'node:tls';
import { H1Body } from './body.js';
import { Deadline } from './deadline.js';
import type { Origin, Pending } from './origin.js';
import { framingOf, H1Error, parseResponseHead, type Framing } from './wire.js';

const MAX_HEAD_BYTES = 64 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');
/** Each connection reads into one buffer of its own, reused for every read (see `onread` below). */
const READ_BUFFER_BYTES = 64 * 1024;
/** batchReadsMs pauses only after reads smaller than this: a trickle, not a backlog. */
const BATCH_READS_BELOW = 16 * 1024;

/** One socket, one request at a time, and the parser of its responses. */
export class Conn {
  private readonly socket: net.Socket;
  private current: Pending | undefined;
  private body: H1Body | undefined;
  private framing: Framing = { kind: 'none' };
  private keepAlive = false;
  private rest: Buffer | undefined;
  /** Within a chunked body: the data bytes left of this chunk, or a line to read. */
  private chunk: { state: 'size' } | { state: 'data'; left: number } | { state: 'crlf' } | { state: 'trailers' } = {
    state: 'size',
  };
  /** The request's head/body timeout, and the keep-alive limit while idle. */
  private readonly deadline = new Deadline();
  private readonly idleLimit = new Deadline();
  private readonly connecting = new Deadline();
  private gone = false;
  /** Why the socket is not reading: the body's reader is behind, or reads are being batched. */
  private behind = false;
  private batching = false;
  private readonly batchEnd = new Deadline();
  private lastReadAt = -Infinity;

  constructor(private readonly origin: Origin) {
    const { url, opts } = origin;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    // Bytes arrive through `onread`, not 'data' events: the socket reads into one reused
    // buffer and hands it straight to the parser, without the Readable stream's per-read
    // work (push, emit, a nextTick). In a trickle of status updates every read is a wake-up
    // of its own, ~2,000 per 500 tasks, and this halves what a wake-up costs. The parser
    // copies whatever it keeps beyond the call (see onData). 'end', 'close', 'error',
    // pause() and resume() behave as with 'data'.
    const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const onread = {
      buffer,
      callback: (n: number): boolean => {
        this.onData(buffer.subarray(0, n));
        return true; // reading stops only through pause(), as before
      },
    };
    this.socket =
      url.protocol === 'https:'
        ? loadTls().connect(
            tlsOptions({
              host,
              port,
              servername: net.isIP(host) ? undefined : host,
              ca: opts.ca,
              rejectUnauthorized: opts.rejectUnauthorized ?? true,
              ALPNProtocols: ['http/1.1'],
              onread,
            }),
          )
        : net.connect({ host, port, onread });
    this.socket.setNoDelay(true);
    // A master whose packets are dropped must not hold a request for the whole head timeout
    // (75 s): after this the request fails as unreachable and the next master is tried.
    const connectMs = opts.connectTimeoutMs ?? 10_000;
    if (connectMs > 0) {
      this.connecting.arm(connectMs, () =>
        this.fail(new H1Error(`Connecting to ${url.host} timed out`, 'H1_CONNECT_TIMEOUT')),
      );
      this.socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => this.connecting.dispose());
    }
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
      p.onAbort = () =>
        this.fail(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)), signal.reason);
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
    this.batchEnd.dispose();
    this.origin.forget(this);
  }

  private arm(ms: number | undefined, error: () => H1Error): void {
    if (ms) this.deadline.arm(ms, () => this.fail(error()));
    else this.deadline.disarm();
  }

  private clearTimer(): void {
    this.deadline.disarm();
  }

  /** `data` is the socket's read buffer: valid during this call only. */
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
    // A partial head or chunk-size line waits for the next read, in a copy of its own.
    if (buf.length > 0 && this.current && !this.gone) this.rest = Buffer.from(buf);
    this.batchReads(data.length);
  }

  /**
   * `batchReadsMs` (h1.ts): on a busy streamed body, pause reading for that long. Each
   * wake-up costs the process ~0.1-0.5 ms of CPU whatever it reads (kernel, libuv, the
   * callback and its microtasks); a trickle of status updates, one per read, is read in
   * batches of several instead (measured: ~15% less CPU for an apply of 500 tasks).
   */
  private batchReads(bytes: number): void {
    const ms = this.current?.opts.batchReadsMs;
    if (!ms || !this.body || this.gone) return;
    const now = Date.now(); // (performance.now() would load perf_hooks, ~2 ms, for this alone)
    const busy = now - this.lastReadAt <= 2 * ms;
    this.lastReadAt = now;
    // A big read means a backlog (a large OFFERS, updates queued while away): read on at
    // full speed; pausing after each would cap the stream at a buffer per window.
    if (!busy || this.batching || bytes >= BATCH_READS_BELOW) return;
    this.batching = true;
    this.socket.pause();
    this.watchBody(); // paused by us: the body timeout does not run meanwhile
    this.batchEnd.arm(ms, () => {
      this.batching = false;
      this.resumeReading();
    });
  }

  /** Reading goes on unless something still holds it: the body's reader, or a batch. */
  private resumeReading(): void {
    if (this.gone || this.behind || this.batching) return;
    this.socket.resume();
    this.watchBody();
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
    if (this.body) this.watchBody();
    return at === 0 ? buf : buf.subarray(at);
  }

  /** While a body is read its timeout runs, except while we paused the socket (a slow reader is not a stalled server). */
  private watchBody(): void {
    const ms = this.current?.opts.bodyTimeout;
    if (!ms) return;
    if (this.socket.isPaused()) this.clearTimer();
    else this.arm(ms, () => new H1Error('The response body stalled', 'H1_BODY_TIMEOUT'));
  }

  /** Parses a response head; true when the response has no body (it is complete). */
  private onHead(text: string): boolean {
    const { status, minor, headers } = parseResponseHead(text);
    if (status >= 100 && status < 200) return false; // interim (100 Continue, 103 Early Hints): the real answer follows
    const p = this.current as Pending;
    this.framing = framingOf(p.opts.method, status, headers);
    const connection = String(headers.connection ?? '').toLowerCase();
    this.keepAlive =
      this.framing.kind !== 'close' &&
      (minor === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection));
    this.chunk = { state: 'size' };
    // A body read after its response completed must not resume the socket for the next one.
    const body: H1Body = new H1Body(
      () => {
        if (this.body !== body) return;
        this.behind = false;
        this.resumeReading();
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
    // Copied: `bytes` is (part of) the socket's read buffer, which the next read overwrites.
    if (body.push(Buffer.from(bytes))) return;
    // The reader is behind: stop reading, and stop blaming the server for the silence.
    this.behind = true;
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
    this.behind = false;
    this.batching = false;
    this.batchEnd.disarm();
    this.lastReadAt = -Infinity;
    this.clearTimer();
  }
}

/** tls.connect takes `onread` as net.connect does (Node ≥ 15.1); @types/node does not list it. */
function tlsOptions(o: tlsModule.ConnectionOptions & { onread: net.OnReadOpts }): tlsModule.ConnectionOptions {
  return o;
}

let tls: typeof tlsModule | undefined;

/** node:tls only for https masters: loading it costs ~10 ms of every plain-http run's start-up. */
function loadTls(): typeof tlsModule {
  return (tls ??= createRequire(import.meta.url)('node:tls') as typeof tlsModule);
}
