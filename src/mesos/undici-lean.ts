/**
 * The two pieces of undici the wire layer uses — the keep-alive `Agent` and the
 * promise `request` — loaded without undici's index, which also pulls in fetch,
 * WebSocket, caches and mocks: ~160 ms of start-up for every CLI run, against ~55 ms
 * for these two modules. The types still come from undici's declarations (type-only).
 *
 * `request(url, opts)` behaves as undici's top-level `request`: it splits the URL into
 * origin and path and calls the dispatcher's request API with `this` = the dispatcher.
 */
import { createRequire } from 'node:module';
import type { Agent as AgentType, Dispatcher } from 'undici';

const require = createRequire(import.meta.url);
export const Agent = require('undici/lib/dispatcher/agent.js') as typeof AgentType;
const api = require('undici/lib/api/index.js') as {
  request: (this: Dispatcher, opts: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
};

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & {
  method?: Dispatcher.HttpMethod;
  dispatcher: Dispatcher;
};

export function request(url: string, opts: RequestOptions): Promise<Dispatcher.ResponseData> {
  const u = new URL(url);
  const { dispatcher, ...rest } = opts;
  return api.request.call(dispatcher, { ...rest, origin: u.origin, path: `${u.pathname}${u.search}`, method: opts.method ?? 'GET' });
}
