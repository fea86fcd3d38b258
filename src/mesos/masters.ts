/**
 * Finding and talking to the leading master among a list of master URLs.
 *
 * Each status on purpose (mesos-protocol §1.6, §1.7; STYLE habit 10):
 * - 307 (also 308): a standby names the leader. `Location` is protocol-relative
 *   (`//host:port/master/api/v1/scheduler`): the scheme of the request is kept. Redirects
 *   are bounded and a URL seen twice in one chain is a loop.
 * - 503 ("No leader elected", "Master has not finished recovery") and 404 (a master
 *   whose routes are not up yet): try the next master; after a full pass, back off
 *   (capped, jittered) and go round again.
 * - Connection refused/reset, DNS or TLS failure: try the next master. Right after a
 *   leader dies a standby still redirects to it for a while (transcript-ha.jsonl), so
 *   a refused redirect target also moves on to the next master.
 * - Any other status is the caller's: the master that gave it becomes the known leader.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { MesosError, isRetryableStatus, trace } from './errors.js';
import {
  basicAuthHeader,
  defaultWarn,
  discard,
  readText,
  transportSettings,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type ClientOptions,
} from './http.js';
import { Connections, type ResponseBody, type TransportSettings } from './transport.js';

export interface RetryOptions {
  /** Passes over the whole master list before giving up (default 5). */
  rounds: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { rounds: 5, baseMs: 250, maxMs: 5_000 };

/** Delay before retry `attempt` (0-based): uniformly in [d/2, d] with d = min(max, base·2^attempt). */
export function backoffDelay(attempt: number, cfg: { baseMs: number; maxMs: number }, random = Math.random): number {
  const d = Math.min(cfg.maxMs, cfg.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(d / 2 + (d / 2) * random());
}

/** `h:5050` → `http://h:5050`; `https://h:5050/` → `https://h:5050`; a path prefix is kept. */
export function normalizeMasterUrl(raw: string): string {
  const text = raw.trim();
  if (/^zk:\/\//i.test(text)) {
    throw new MesosError('MA_ERR_BAD_MASTER_URL', `ZooKeeper master URLs are not supported: ${text}`);
  }
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new MesosError('MA_ERR_BAD_MASTER_URL', `Not a master URL: '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MesosError('MA_ERR_BAD_MASTER_URL', `Unsupported scheme in master URL: '${raw}'`);
  }
  // A bare host means the Mesos default port, not port 80.
  if (url.port === '' && withScheme !== text) url.port = '5050';
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** The absolute URL a `Location` header names, relative to the request URL. */
export function resolveLocation(location: string, requestUrl: string): string {
  return new URL(location, requestUrl).toString();
}

export interface MasterRequest {
  method: 'GET' | 'POST';
  /** Path below the master's base URL, e.g. `/api/v1/scheduler`. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Connections for this request (default: the set's own for calls; a stream has its own). */
  connections?: Connections;
  /** Base URL to try first (the master the session subscribed to). */
  prefer?: string;
  /** Passes over the master list (default from the retry options). */
  rounds?: number;
  signal?: AbortSignal;
  headersTimeout?: number;
  bodyTimeout?: number;
}

export interface MasterHttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: ResponseBody;
  /** The URL that finally answered. */
  url: string;
  /** Its base URL (origin, plus the configured prefix if no redirect happened). */
  base: string;
}

export interface MasterSetOptions extends ClientOptions {
  retry?: Partial<RetryOptions>;
  maxRedirects?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

type Attempt = { response: MasterHttpResponse } | { error: MesosError };

export class MasterSet {
  readonly bases: string[];
  readonly retry: RetryOptions;
  private readonly opts: MasterSetOptions;
  private readonly settings: TransportSettings;
  private readonly calls: Connections;
  private leaderBase: string | undefined;

  constructor(opts: MasterSetOptions) {
    if (opts.masters.length === 0) throw new MesosError('MA_ERR_BAD_MASTER_URL', 'No master URL given');
    this.opts = opts;
    this.bases = [...new Set(opts.masters.map(normalizeMasterUrl))];
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.settings = transportSettings(opts, this.warn);
    this.calls = new Connections(this.settings, 'calls', opts.dispatcher);
  }

  get warn(): (message: string) => void {
    return this.opts.warn ?? defaultWarn;
  }

  /** The base URL of the master that last answered (the leader), if known. */
  get leader(): string | undefined {
    return this.leaderBase;
  }

  /** Connections of their own, with this set's TLS and proxies, for one subscription stream. */
  streamConnections(): Connections {
    return new Connections(this.settings, 'stream');
  }

  async request(req: MasterRequest): Promise<MasterHttpResponse> {
    const rounds = Math.max(1, req.rounds ?? this.retry.rounds);
    let last: MesosError | undefined;
    for (let round = 0; round < rounds; round++) {
      if (round > 0) await this.sleep(backoffDelay(round - 1, this.retry), req.signal);
      for (const base of this.candidates(req.prefer)) {
        const result = await this.tryBase(base, req);
        if ('response' in result) {
          this.leaderBase = result.response.base;
          return result.response;
        }
        last = result.error;
        if (this.leaderBase === base) this.leaderBase = undefined;
        if (!isRetryable(last)) throw last;
      }
    }
    throw last ?? new MesosError('MA_ERR_CONNECT', 'No master could be reached');
  }

  close(): Promise<void> {
    return this.calls.close();
  }

  destroy(): Promise<void> {
    return this.calls.destroy();
  }

  private candidates(prefer: string | undefined): string[] {
    // The common case (one master, or the preferred one is the leader) allocates nothing new.
    if (
      (prefer === undefined || prefer === this.leaderBase) &&
      (this.leaderBase === undefined || this.leaderBase === this.bases[0])
    )
      return this.bases;
    const first = [prefer, this.leaderBase].filter((b): b is string => b !== undefined);
    return [...new Set([...first, ...this.bases])];
  }

  /** One master, following its redirects. */
  private async tryBase(base: string, req: MasterRequest): Promise<Attempt> {
    let url = base + req.path;
    let redirected = false;
    let seen: Set<string> | undefined; // made at the first redirect: most requests have none
    for (let hops = 0; ; hops++) {
      const res = await this.send(url, req);
      if ('error' in res) return res;
      const { status, headers, body } = res.response;
      if (status === 307 || status === 308) {
        await discard(body);
        const location = headerValue(headers.location);
        if (location === undefined) {
          return {
            error: new MesosError('MA_ERR_HTTP', `${url} answered ${status} without a Location`, { status, url }),
          };
        }
        const next = resolveLocation(location, url);
        trace('redirect %s -> %s', url, next);
        seen ??= new Set([url]);
        if (seen.has(next) || hops + 1 > (this.opts.maxRedirects ?? 5)) {
          return { error: redirectLoop([...seen, next]) };
        }
        seen.add(next);
        url = next;
        redirected = true;
        continue;
      }
      if (isRetryableStatus(status)) {
        const text = await readText({ headers, body, url }, 64 * 1024).catch(() => '');
        const code = status === 503 ? 'MA_ERR_NO_LEADER' : 'MA_ERR_NOT_FOUND';
        return { error: new MesosError(code, `${url}: ${status} ${text.trim()}`.trim(), { status, body: text, url }) };
      }
      const answeredBase = redirected ? new URL(url).origin : base;
      return { response: { status, headers, body, url, base: answeredBase } };
    }
  }

  private async send(url: string, req: MasterRequest): Promise<Attempt> {
    const headers: Record<string, string> = { ...req.headers };
    if (this.opts.auth) headers.authorization = basicAuthHeader(this.opts.auth);
    try {
      const res = await (req.connections ?? this.calls).request(url, {
        method: req.method,
        headers,
        body: req.body,
        signal: req.signal,
        headersTimeout: req.headersTimeout ?? this.opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        // The stream passes 0: its liveness is the heartbeat watchdog's job.
        bodyTimeout: req.bodyTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS,
      });
      trace('%s %s -> %d', req.method, url, res.statusCode);
      return { response: { status: res.statusCode, headers: res.headers, body: res.body, url, base: url } };
    } catch (err) {
      if (req.signal?.aborted || !(err instanceof MesosError)) throw err;
      trace('%s %s failed: %s', req.method, url, err.message);
      return { error: err };
    }
  }

  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.opts.sleep) return this.opts.sleep(ms, signal);
    return new Promise((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }
}

function isRetryable(err: MesosError): boolean {
  return ['MA_ERR_CONNECT', 'MA_ERR_NO_LEADER', 'MA_ERR_NOT_FOUND', 'MA_ERR_REDIRECT_LOOP'].includes(err.code);
}

function redirectLoop(chain: string[]): MesosError {
  return new MesosError('MA_ERR_REDIRECT_LOOP', `Too many or looping redirects: ${chain.join(' -> ')}`);
}

export function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
