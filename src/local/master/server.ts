/**
 * The master's HTTP server: routes (with the `/master` aliases libprocess delegation
 * gives), keep-alive, and `close()` / `destroy()`. Unknown paths answer like libprocess:
 * `404 Not Found.` (so `/state.json` is a 404, as on Mesos 1.12).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { debuglog } from 'node:util';
import { frameworksLegacy, slaveLegacy, tasksLegacy } from './legacy.js';
import { stateLegacy } from './legacy-state.js';
import { methodNotAllowed, readBody, sendEmpty, sendJson, sendStatus, sendText } from './http-util.js';
import type { Master } from './master.js';
import { handleOperatorCall } from './operator-http.js';
import { handleSchedulerCall } from './scheduler-http.js';
import { versionInfo } from '../version.js';

const trace = debuglog('mesos-apply-local');

type Handler = (master: Master, req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

const json =
  (view: (master: Master, url: URL) => unknown): Handler =>
  (master, _req, res, url) =>
    sendJson(res, view(master, url), url.searchParams.get('jsonp'));

const ROUTES: Record<string, Handler> = {
  '/api/v1/scheduler': (m, req, res) => handleSchedulerCall(m, req, res),
  '/api/v1': (m, req, res) => handleOperatorCall(m, req, res),
  '/state': json((m) => stateLegacy(m)),
  '/frameworks': json((m, url) => frameworksLegacy(m.state, url.searchParams.get('framework_id'))),
  '/tasks': json((m, url) => tasksLegacy(m.state, url.searchParams)),
  '/slaves': json((m) => ({
    slaves: [...m.state.agents.values()].map((a) => slaveLegacy(m.state, a)),
    recovered_slaves: [],
  })),
  '/health': (_m, _req, res) => sendEmpty(res, 200),
  '/redirect': (m, _req, res) => sendEmpty(res, 307, { Location: `//${m.config.hostname}:${m.config.port}` }),
  '/teardown': teardownLegacy,
};

async function teardownLegacy(master: Master, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return methodNotAllowed(res, 'POST', req.method);
  const id = new URLSearchParams((await readBody(req)).toString('utf8')).get('frameworkId');
  if (!id) return sendText(res, 400, "Missing 'frameworkId' query parameter in the request body");
  return master.teardown(id) ? sendEmpty(res, 200) : sendText(res, 400, `No framework found with specified ID`);
}

/** Routes outside Mesos's API that a local cluster adds (the simulation's control endpoint). */
export type ExtraRoutes = Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>>;

function route(master: Master, req: IncomingMessage, res: ServerResponse, extra: ExtraRoutes): void | Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const local = extra[url.pathname];
  if (local) return local(req, res);
  if (url.pathname === '/version' || url.pathname === '/version/')
    return sendJson(res, versionInfo(master.config.startTimeMs));
  const path = url.pathname.startsWith('/master/') ? url.pathname.slice('/master'.length) : url.pathname;
  const handler = ROUTES[path];
  if (!handler) return sendStatus(res, 404, 'Not Found');
  return handler(master, req, res, url);
}

export interface MasterServer {
  readonly port: number;
  close(): Promise<void>;
  destroy(): void;
}

export async function startMasterServer(
  master: Master,
  host: string,
  port: number,
  extra: ExtraRoutes = {},
): Promise<MasterServer> {
  // libprocess keeps idle connections open; a long keep-alive avoids reset races on reuse.
  const server = http.createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (req, res) => {
    Promise.resolve()
      .then(() => route(master, req, res, extra))
      .catch((e: unknown) => {
        trace('request %s %s failed: %s', req.method, req.url, e instanceof Error ? e.stack : String(e));
        if (!res.headersSent) sendText(res, 500, e instanceof Error ? e.message : String(e));
        else res.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port: bound,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Keep-alive connections that go idle later would hold close() for keepAliveTimeout.
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      return closing;
    },
    destroy() {
      server.close();
      server.closeAllConnections();
    },
  };
}
