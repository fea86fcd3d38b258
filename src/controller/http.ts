/**
 * The controller's HTTP listener (node:http): loopback by default, for probes and scrapes.
 *
 *   parseListen('9100' | ':9100' | 'host:9100' | '[::1]:9100')  → { host, port } (host
 *                          defaults to 127.0.0.1; port 0 asks the system for a free one)
 *   const l = await startHttp({ host, port, ready, metrics })
 *   l.url                  `http://host:port` as bound (the real port when 0 was asked)
 *   await l.close()        stops listening and ends open connections
 *
 * Endpoints (GET and HEAD; anything else 405, unknown paths 404):
 *   /healthz   200 `ok` while the process serves requests at all
 *   /readyz    200 `ready` when `ready()` says so (leader and caught up), else 503 with
 *              `ready()`'s reason: a probe or a load balancer sends traffic to the leader
 *   /metrics   the Prometheus text format (`metrics()`, e.g. metrics.ts `render`)
 *   /status    JSON (`status()`, status.ts): per instance the restarts and the next retry,
 *              what `mesos-apply get` shows for a controller-held namespace
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Readiness {
  ready: boolean;
  /** Why not, in words (e.g. "standby: another controller is the leader"). */
  reason?: string;
}

export interface HttpOptions {
  host: string;
  port: number;
  ready(): Readiness;
  metrics(): Promise<{ contentType: string; body: string }>;
  status?(): unknown;
}

export interface HttpListener {
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

export const DEFAULT_LISTEN_HOST = '127.0.0.1';

/** `--listen` as the user gave it, or an Error saying what is wrong. */
export function parseListen(text: string): { host: string; port: number } | Error {
  const m = /^(?:(\[[0-9A-Fa-f:.]+\]|[^:[\]\s]*):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65535) return new Error(`--listen ${text}: give PORT, HOST:PORT or [IPv6]:PORT (port 0 to 65535)`);
  const host = m[1] === undefined || m[1] === '' ? DEFAULT_LISTEN_HOST : m[1].replace(/^\[(.*)\]$/, '$1');
  return { host, port };
}

function send(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

async function handle(opts: HttpOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    send(res, 405, 'method not allowed\n');
    return;
  }
  const path = (req.url ?? '/').split('?')[0];
  switch (path) {
    case '/healthz':
      send(res, 200, 'ok\n');
      return;
    case '/readyz': {
      const r = opts.ready();
      send(res, r.ready ? 200 : 503, r.ready ? 'ready\n' : `not ready: ${r.reason ?? 'unknown'}\n`);
      return;
    }
    case '/metrics': {
      const m = await opts.metrics();
      send(res, 200, m.body, m.contentType);
      return;
    }
    case '/status':
      if (opts.status) {
        send(res, 200, `${JSON.stringify(opts.status())}\n`, 'application/json');
        return;
      }
      send(res, 404, 'not found: try /healthz, /readyz or /metrics\n');
      return;
    default:
      send(res, 404, 'not found: try /healthz, /readyz, /metrics or /status\n');
  }
}

export function startHttp(opts: HttpOptions): Promise<HttpListener> {
  const server = createServer((req, res) => {
    handle(opts, req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, `error: ${e instanceof Error ? e.message : String(e)}\n`);
      else res.destroy();
    });
  });
  // Probes and scrapers send small requests: do not let a slow client hold a socket long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        host: a.address,
        port: a.port,
        url: `http://${host}:${a.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
