/** The request queue and connection pool of one origin (scheme://host:port) of an H1Agent. */
import type { H1AgentOptions, H1RequestOptions, H1Response } from '../h1.js';
import { Conn } from './conn.js';

export interface Pending {
  opts: H1RequestOptions;
  head: string;
  resolve(res: H1Response): void;
  reject(err: unknown): void;
  onAbort?: () => void;
}

/** The connections to one origin and the requests waiting for one of them. */
export class Origin {
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
