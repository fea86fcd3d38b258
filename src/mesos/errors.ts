/**
 * Errors of the Mesos wire layer. Every error carries a stable `code` that callers match
 * on (never the message text), the HTTP `status` and `body` when a master or agent
 * answered, and a plain-language `hint` that says what to fix.
 *
 * Credentials never leave through an error: a master or proxy may echo the request in its
 * error body (headers included), so every MesosError's message, body, hint and url are
 * passed through `redact`, which removes authorization headers, Basic/Bearer tokens,
 * userinfo in URLs and every credential registered with `rememberCredentials`; the
 * message, which terminals show, has its control characters escaped too.
 */
import { debuglog } from 'node:util';
import { printableLines } from '../diagnostics/printable.js';

export type MesosErrorCode =
  | 'MA_ERR_HTTP' // an unexpected HTTP status (405, 406, 415, 500, 501...)
  | 'MA_ERR_BAD_REQUEST' // 400: the master refused the request; the body says why
  | 'MA_ERR_UNAUTHORIZED' // 401: credentials missing or wrong
  | 'MA_ERR_FORBIDDEN' // 403: not allowed, or the framework is not subscribed
  | 'MA_ERR_NOT_FOUND' // 404 on an agent file or an unknown path
  | 'MA_ERR_NO_LEADER' // 503 from every master: no leader elected / still recovering
  | 'MA_ERR_REDIRECT_LOOP' // 307s that loop or exceed the redirect limit
  | 'MA_ERR_CONNECT' // no master could be reached (refused, reset, DNS, TLS)
  | 'MA_ERR_TIMEOUT' // no answer in time
  | 'MA_ERR_FAILED_OVER' // another client subscribed with our framework id
  | 'MA_ERR_FRAMEWORK_REMOVED' // the framework id was torn down
  | 'MA_ERR_SUBSCRIBE_REFUSED' // SUBSCRIBE answered with an ERROR event
  | 'MA_ERR_MASTER_ERROR' // any other ERROR event on a subscribed stream
  | 'MA_ERR_HEARTBEAT_TIMEOUT' // the stream went silent for several heartbeat intervals
  | 'MA_ERR_STREAM_ENDED' // the stream ended and reconnecting is disabled or exhausted
  | 'MA_ERR_RECORDIO' // the event stream is not valid RecordIO
  | 'MA_ERR_BAD_RESPONSE' // a body that is not the JSON we expect
  | 'MA_ERR_STALE_OFFERS' // ACCEPT/DECLINE of offers from an earlier subscription
  | 'MA_ERR_BAD_UUID' // an ACKNOWLEDGE uuid that is not 16 bytes of base64
  | 'MA_ERR_BAD_MASTER_URL' // a --master entry we cannot use
  | 'MA_ERR_CREDENTIALS' // the secret could not be read
  | 'MA_ERR_TLS_CONFIG' // the CA file could not be read
  | 'MA_ERR_PROXY_CONFIG' // HTTP_PROXY / HTTPS_PROXY is not a proxy URL we can use
  | 'MA_ERR_CLOSED'; // the session was closed or destroyed

export interface MesosErrorInit {
  status?: number;
  body?: string;
  hint?: string;
  url?: string;
  cause?: unknown;
}

const REDACTED = '[redacted]';
const secrets = new Set<string>();

/**
 * Registers a principal's secret so that `redact` removes it, and the forms it travels in
 * (base64 of `principal:secret` — the Basic token — and the secret URL-encoded), from
 * anything an error carries. Call it wherever credentials are loaded.
 */
export function rememberCredentials(principal: string, secret: string): void {
  const token = Buffer.from(`${principal}:${secret}`, 'utf8').toString('base64');
  for (const s of [secret, token, token.replace(/=+$/, ''), encodeURIComponent(secret)])
    if (s.length >= 3) secrets.add(s);
}

// `authorization: <scheme> <credentials>` as a header line, a JSON field or a query
// parameter, the credentials alone after a known scheme, and `user:pass@` in URLs.
const AUTH_FIELD =
  /\b((?:proxy-)?authorization)(["']?\s*[:=]\s*\[?\s*["']?)(?:(basic|bearer|digest|negotiate)\s+)?[^\s"',\]}]+/gi;
const SCHEME_TOKEN = /\b(basic|bearer)(\s+)[A-Za-z0-9+/._~-]{6,}=*/gi;
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi;

/** `text` without credentials (see the file comment). Pure: the same input, the same output. */
export function redact(text: string): string {
  let out = text
    .replace(AUTH_FIELD, (_m, name: string, sep: string, scheme?: string) =>
      scheme ? `${name}${sep}${scheme} ${REDACTED}` : `${name}${sep}${REDACTED}`,
    )
    .replace(SCHEME_TOKEN, (_m, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
    .replace(URL_USERINFO, (_m, scheme: string) => `${scheme}${REDACTED}@`);
  // Longest first, so a token is not half-replaced by a secret it contains.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(REDACTED);
  return out;
}

export class MesosError extends Error {
  readonly code: MesosErrorCode;
  readonly status?: number;
  readonly body?: string;
  readonly hint: string;
  readonly url?: string;

  constructor(code: MesosErrorCode, message: string, init: MesosErrorInit = {}) {
    // The message is shown on terminals: a master's (or proxy's) text must not drive one.
    super(printableLines(redact(message)), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'MesosError';
    this.code = code;
    this.status = init.status;
    this.body = init.body === undefined ? undefined : redact(init.body);
    this.url = init.url === undefined ? undefined : redact(init.url);
    this.hint = redact(init.hint ?? DEFAULT_HINTS[code]);
  }
}

const DEFAULT_HINTS: Record<MesosErrorCode, string> = {
  MA_ERR_HTTP: 'The master answered with an unexpected status; see the body for details.',
  MA_ERR_BAD_REQUEST: 'The master refused the request; the message above says which field is wrong.',
  MA_ERR_UNAUTHORIZED:
    "The master requires HTTP authentication: pass --principal and --secret-file (or MESOS_PRINCIPAL / MESOS_SECRET), and check that they match the master's --credentials.",
  MA_ERR_FORBIDDEN: "The principal is not allowed to do this; check the master's ACLs.",
  MA_ERR_NOT_FOUND:
    'The master or agent does not know this path; check that --master names a Mesos master (with the path prefix, behind a proxy).',
  MA_ERR_NO_LEADER: 'No master is leading yet; wait for the election to finish or check the --master list.',
  MA_ERR_REDIRECT_LOOP:
    'The masters redirect to each other; check that the --master list names the masters of one cluster.',
  MA_ERR_CONNECT: 'No master could be reached; check --master (host:port) and that the masters are running.',
  MA_ERR_TIMEOUT: 'The master did not answer in time; retry, or raise --timeout.',
  MA_ERR_FAILED_OVER:
    'Another mesos-apply run (or scheduler) subscribed with the same framework; wait for it to finish, or use a different --framework.',
  MA_ERR_FRAMEWORK_REMOVED:
    'The framework was torn down on the master; run again to register a new framework with this name.',
  MA_ERR_SUBSCRIBE_REFUSED: 'The master refused the framework; the message says which FrameworkInfo field to change.',
  MA_ERR_MASTER_ERROR: 'The master ended the subscription with an error.',
  MA_ERR_HEARTBEAT_TIMEOUT: 'The master stopped sending heartbeats; the network or the master may be down.',
  MA_ERR_STREAM_ENDED: 'The subscription stream ended and could not be re-established.',
  MA_ERR_RECORDIO: 'The event stream is corrupt; a proxy between mesos-apply and the master may be rewriting it.',
  MA_ERR_BAD_RESPONSE: 'The answer is not what a Mesos master sends; check that --master points at a Mesos master.',
  MA_ERR_STALE_OFFERS: 'The offers belong to an earlier subscription; wait for new offers.',
  MA_ERR_BAD_UUID: 'Acknowledge exactly the uuid of the status update (base64 of 16 bytes).',
  MA_ERR_BAD_MASTER_URL: 'Use http://host:port, https://host:port or host:port (ZooKeeper URLs are not supported).',
  MA_ERR_CREDENTIALS: 'Check the --secret-file path and its permissions.',
  MA_ERR_TLS_CONFIG: 'Check the --ca-file path; it must be a PEM file.',
  MA_ERR_PROXY_CONFIG:
    'Set HTTPS_PROXY / HTTP_PROXY to http://host:port (or https://, user:password@ if the proxy needs it), or unset them.',
  MA_ERR_CLOSED: 'The session was closed.',
};

/** Statuses a master answers while it is not (yet) the leader or still recovering. */
export function isRetryableStatus(status: number): boolean {
  return status === 503 || status === 404;
}

/**
 * An HTTP answer that is not what the caller wanted, as a typed error. Each status is
 * mapped on purpose (mesos-protocol §1.6): 400 carries the master's reason, 401 is the
 * authenticator, 403 is either "not subscribed" or a principal problem.
 */
export function errorFromStatus(status: number, body: string, what: string, url?: string): MesosError {
  const text = body.trim();
  const notMaster = notAMaster(status, text, url);
  if (notMaster) return notMaster;
  const suffix = text ? `: ${oneLine(text)}` : '';
  const init = { status, body, url };
  switch (status) {
    case 400:
      // Another SUBSCRIBE took the framework: the master now knows only its stream id.
      if (/didn't match the stream ID currently associated/.test(text))
        return new MesosError(
          'MA_ERR_FAILED_OVER',
          `${what}: another subscription took the framework over${suffix}`,
          init,
        );
      return new MesosError('MA_ERR_BAD_REQUEST', `${what} was refused (400)${suffix}`, init);
    case 401:
      return new MesosError('MA_ERR_UNAUTHORIZED', `${what}: the master requires authentication (401)`, init);
    case 403:
      return new MesosError('MA_ERR_FORBIDDEN', `${what} is forbidden (403)${suffix}`, {
        ...init,
        hint: /not subscribed/i.test(text)
          ? 'The framework is disconnected from the master; it must subscribe again before it can send calls.'
          : undefined,
      });
    case 404:
      return new MesosError('MA_ERR_NOT_FOUND', `${what}: not found (404)${suffix}`, init);
    case 503:
      return new MesosError('MA_ERR_NO_LEADER', `${what}: master unavailable (503)${suffix}`, init);
    default:
      return new MesosError('MA_ERR_HTTP', `${what} failed with HTTP ${status}${suffix}`, init);
  }
}

/** The longest part of a master's answer quoted in a message (the whole body stays in `body`). */
const QUOTED_MAX = 300;

/**
 * A master's or proxy's text as one line of a message: a proxy's page or an echo of the
 * request must not spread an error over the screen. Whitespace runs become one space.
 */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > QUOTED_MAX ? `${flat.slice(0, QUOTED_MAX - 1)}…` : flat;
}

/**
 * Answers that say --master names something other than a Mesos master: a Mesos agent
 * (libprocess answers a POST to a GET-only route with 405 `Expecting 'GET'`) or any other
 * web server (an HTML page). One line naming the URL and what to use, never the page.
 */
function notAMaster(status: number, text: string, url: string | undefined): MesosError | undefined {
  const where = url ? url.replace(/\/api\/v1.*$/, '') : 'the server';
  const init = { status, body: text.slice(0, 200), url };
  if (status === 405 && /Expecting 'GET'/.test(text))
    return new MesosError(
      'MA_ERR_BAD_RESPONSE',
      `${where} is not a Mesos master's API (it answers HTTP 405 "Expecting 'GET'", as a Mesos agent does): point --master at the master, port 5050 by default`,
      init,
    );
  if (/^<(!doctype|html)/i.test(text))
    return new MesosError(
      'MA_ERR_BAD_RESPONSE',
      `${where} is a web server but not a Mesos master (it answers HTTP ${status} with an HTML page): point --master at the master, port 5050 by default`,
      init,
    );
  return undefined;
}

/** The code for an ERROR event's message (mesos-protocol §2.2, §3.8, §10). */
export function errorFromEventMessage(message: string, subscribed: boolean): MesosError {
  if (/failed over/i.test(message)) {
    return new MesosError('MA_ERR_FAILED_OVER', `Framework failed over: ${message}`);
  }
  if (/has been removed/i.test(message)) {
    return new MesosError('MA_ERR_FRAMEWORK_REMOVED', `The master says: ${message}`);
  }
  if (!subscribed) {
    return new MesosError('MA_ERR_SUBSCRIBE_REFUSED', `SUBSCRIBE refused: ${message}`);
  }
  return new MesosError('MA_ERR_MASTER_ERROR', `The master ended the subscription: ${message}`);
}

/** NODE_DEBUG=mesos-apply tracing. Never pass headers or secrets to it. */
export const trace = debuglog('mesos-apply');
