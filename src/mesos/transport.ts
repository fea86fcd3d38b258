/**
 * HTTP to masters and agents, through undici. This module owns the dispatchers and is the
 * only place that loads undici: on the first request, with a dynamic import, so commands
 * that never talk HTTP (`validate`, `--version`) never load it.
 *
 * Invariants:
 * - One Connections per owner (a MasterSet's calls, an agent-files client, one subscription
 *   attempt), each with its own undici dispatcher: a keep-alive pool per origin. undici
 *   sends one request at a time per connection (pipelining 1), and a subscription's stream
 *   never ends: it gets a dispatcher of its own, so a call never waits behind it on a
 *   connection (mesos-protocol §1.1).
 * - Redirects are never followed here: MasterSet handles each 307 itself.
 * - Proxies (proxy-env.ts) go to undici's EnvHttpProxyAgent, which decides per request
 *   from NO_PROXY. http:// targets are asked through the proxy as a forward proxy, https://
 *   ones through a CONNECT tunnel in which the master's certificate is verified as without
 *   a proxy (--ca-file, --insecure). With no proxy configured, a plain Agent.
 * - Every failure to send or to receive the head leaves as a MesosError (transport-errors.ts),
 *   except an abort by the caller's own signal, which rejects with the signal's reason.
 */
import type { Dispatcher } from 'undici';
import { MesosError, trace } from './errors.js';
import { type ProxySettings, proxyLabel, proxyOf } from './proxy-env.js';
import { transportError } from './transport-errors.js';

export type { Dispatcher } from 'undici';
/** A response body: a Readable of Buffers (async-iterable), with `dump()` to throw it away. */
export type ResponseBody = Dispatcher.ResponseData['body'];

/** How to reach masters and agents: TLS and proxies. Built once per client, then shared. */
export interface TransportSettings {
  /** CAs to trust instead of Node's (PEM), from --ca-file. */
  ca?: Buffer;
  /** false with --insecure. */
  rejectUnauthorized?: boolean;
  proxy: ProxySettings;
}

export interface SendOptions {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Longest wait from sending to the end of the answer's head. */
  headersTimeout: number;
  /** Longest silence while the body is read; 0: none (a stream's liveness is the watchdog's). */
  bodyTimeout: number;
}

/** Connections per origin for ordinary calls; more calls wait in the pool's queue. */
export const MAX_CALL_CONNECTIONS = 8;
/** An idle connection is kept this long unless the server's `Keep-Alive: timeout=` says less. */
const KEEP_ALIVE_MS = 10_000;
/** A master whose packets are dropped fails this soon (then the next master is tried). */
const CONNECT_TIMEOUT_MS = 10_000;

type Undici = typeof import('undici');
let undici: Promise<Undici> | undefined;

function loadUndici(): Promise<Undici> {
  undici ??= import('undici');
  return undici;
}

/** The connections of one owner, created on its first request. */
export class Connections {
  private dispatcher: Promise<Dispatcher> | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private destroying: Promise<void> | undefined;

  /**
   * `use`: 'calls' (a bounded keep-alive pool per origin) or 'stream' (one connection per
   * origin, for one long response). `injected`: a dispatcher of the caller's, never closed
   * here. `peer`: who answers, for the hint of a failure.
   */
  constructor(
    private readonly settings: TransportSettings,
    private readonly use: 'calls' | 'stream',
    private readonly injected?: Dispatcher,
    private readonly peer: 'master' | 'agent' = 'master',
  ) {}

  async request(url: string, opts: SendOptions): Promise<Dispatcher.ResponseData> {
    const target = new URL(url);
    const proxy = proxyOf(this.settings.proxy, target.protocol);
    try {
      if (this.closed) throw new MesosError('MA_ERR_CLOSED', `The connections to ${target.origin} are closed`);
      const dispatcher = await this.get();
      return await dispatcher.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: opts.method,
        headers: opts.headers,
        body: opts.body,
        signal: opts.signal,
        headersTimeout: opts.headersTimeout,
        bodyTimeout: opts.bodyTimeout,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      throw transportError(err, { url, phase: 'request', proxy: proxy && proxyLabel(proxy), peer: this.peer });
    }
  }

  /** No new requests; those under way finish, then the connections close. Idempotent. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.end((d) => d.close());
    return this.closing;
  }

  /** The connections close now; requests under way fail. Idempotent, also after close(). */
  destroy(): Promise<void> {
    this.closed = true;
    this.destroying ??= this.end((d) => d.destroy());
    return this.destroying;
  }

  /** Ends our own dispatcher, if one was made (or is being made); an injected one is the caller's. */
  private async end(how: (d: Dispatcher) => Promise<void>): Promise<void> {
    if (this.injected !== undefined || this.dispatcher === undefined) return;
    const d = await this.dispatcher.catch(() => undefined);
    // undici rejects a close() after destroy(): ended either way.
    if (d) await how(d).catch(() => undefined);
  }

  private get(): Promise<Dispatcher> {
    this.dispatcher ??= this.injected ? Promise.resolve(this.injected) : loadUndici().then((u) => this.create(u));
    return this.dispatcher;
  }

  private create(u: Undici): Dispatcher {
    const { ca, rejectUnauthorized, proxy } = this.settings;
    const tls = { ...(ca ? { ca } : {}), ...(rejectUnauthorized === false ? { rejectUnauthorized } : {}) };
    const options = {
      connections: this.use === 'calls' ? MAX_CALL_CONNECTIONS : 1,
      keepAliveTimeout: KEEP_ALIVE_MS,
      connect: { ...tls, timeout: CONNECT_TIMEOUT_MS },
    };
    if (proxy.httpProxy === undefined && proxy.httpsProxy === undefined) return new u.Agent(options);
    trace(
      'proxies: http %s, https %s, no_proxy %s',
      proxy.httpProxy ? proxyLabel(proxy.httpProxy) : '-',
      proxy.httpsProxy ? proxyLabel(proxy.httpsProxy) : '-',
      proxy.noProxy ?? '-',
    );
    return new u.EnvHttpProxyAgent({
      ...options,
      // Given explicitly ('' for none), so that undici does not read process.env itself.
      httpProxy: proxy.httpProxy ?? '',
      httpsProxy: proxy.httpsProxy ?? '',
      noProxy: proxy.noProxy ?? '',
      // TLS with the master inside a CONNECT tunnel; the proxy's own TLS uses Node's CAs.
      requestTls: tls,
      // http:// targets as forward-proxy requests, as curl sends them (CONNECT only for https://).
      proxyTunnel: false,
    });
  }
}
