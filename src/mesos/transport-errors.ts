/**
 * Transport failures as MesosErrors: whatever undici or Node's sockets throw while a
 * request is sent or its answer read comes out under one of our codes, never its own
 * (`ECONNREFUSED`, `UND_ERR_SOCKET`, `HPE_...` are callers' business only as the `cause`).
 *
 * Matched on the stable `code` each error carries (undici's errors and Node's system and
 * TLS errors; the class name where undici leaves the code out), never on message text, and
 * without loading undici: this module is pure.
 * - timeouts waiting for an answer → MA_ERR_TIMEOUT; a connection that cannot be made or
 *   breaks (refused, reset, DNS, connect timeout, TLS, a proxy's refusal) → MA_ERR_CONNECT,
 *   which MasterSet retries on the next master;
 * - an answer that is not HTTP, or lies about its length → MA_ERR_BAD_RESPONSE;
 * - our own dispatcher closed or destroyed under the request → MA_ERR_CLOSED.
 * Anything unknown is a transport failure too: MA_ERR_CONNECT, with the cause kept.
 */
import { MesosError, type MesosErrorCode } from './errors.js';

/** Where the failure happened: before the answer's head, or while reading its body. */
export type TransportPhase = 'request' | 'body';

export interface TransportContext {
  /** The request URL (no credentials: the masters' URLs never carry any). */
  url: string;
  phase: TransportPhase;
  /** The proxy configured for the URL's scheme, as proxyLabel() names it. */
  proxy?: string;
  /** Who was asked (default a master): an agent that cannot be reached gets its own hint. */
  peer?: 'master' | 'agent';
}

const AGENT_UNREACHABLE =
  "The agent could not be reached: sandboxes are read from the agents' own HTTP endpoints, so this machine must reach them too.";

const TLS_TRUST =
  /^(?:CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|ERR_TLS_CERT_ALTNAME_INVALID$|UND_ERR_PRX_TLS$)/;
const TLS_PROTOCOL = /^(?:ERR_SSL_|ERR_TLS_|EPROTO$)/;
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);
const BAD_RESPONSE = new Set([
  'UND_ERR_HEADERS_OVERFLOW',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  'UND_ERR_INFO',
  'UND_ERR_NOT_SUPPORTED',
]);

/** The code that says what went wrong: the error's own, else its cause's or first inner error's. */
export function transportCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown } | undefined;
  if (typeof e?.code === 'string' && e.code !== 'UND_ERR') return e.code;
  if (e?.cause !== undefined && e.cause !== err) {
    const inner = transportCode(e.cause);
    if (inner !== '') return inner;
  }
  // Node's happy-eyeballs connect fails with an AggregateError of one error per address.
  if (Array.isArray(e?.errors) && e.errors.length > 0) return transportCode(e.errors[0]);
  return '';
}

export function transportError(err: unknown, ctx: TransportContext): MesosError {
  if (err instanceof MesosError) return err;
  const code = transportCode(err);
  const { url } = ctx;
  const make = (c: MesosErrorCode, message: string, hint?: string): MesosError =>
    new MesosError(c, message, { url, cause: err, hint });
  const why = code || errorName(err);

  if (code === 'UND_ERR_HEADERS_TIMEOUT') return make('MA_ERR_TIMEOUT', `${url} did not answer in time`);
  if (code === 'UND_ERR_BODY_TIMEOUT') return make('MA_ERR_TIMEOUT', `${url} stopped sending its answer`);
  if (code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED' || isAbort(err, code)) {
    return make('MA_ERR_CLOSED', `The request to ${url} was cancelled (${why})`);
  }
  if (TLS_TRUST.test(code)) {
    return make(
      'MA_ERR_CONNECT',
      `TLS handshake with ${url} failed (${code})`,
      "The master's certificate is not trusted: pass --ca-file with the CA that signed it (or --insecure to skip verification).",
    );
  }
  if (TLS_PROTOCOL.test(code) && url.startsWith('https:')) {
    // The usual cause: an https URL for a master that serves plain http.
    const plain = url.replace(/^https:/, 'http:').replace(/\/(api|files|state|master)\b.*$/, '');
    return make(
      'MA_ERR_CONNECT',
      `${url} did not answer TLS (${code}): if it serves plain http, use --master ${plain}`,
      'Check the scheme: https:// for a master that serves TLS, http:// for one that does not.',
    );
  }
  if (TLS_PROTOCOL.test(code)) {
    return make(
      'MA_ERR_CONNECT',
      `TLS handshake with ${url} failed (${code})`,
      'Check the scheme: https:// for a master that serves TLS, http:// for one that does not.',
    );
  }
  // undici's HTTPParserError carries an HPE_ code only for some of llhttp's verdicts.
  if (code.startsWith('HPE_') || BAD_RESPONSE.has(code) || errorName(err) === 'HTTPParserError') {
    return make('MA_ERR_BAD_RESPONSE', `${url} did not answer in HTTP/1.1 (${why})`);
  }
  const proxyHint =
    ctx.proxy === undefined
      ? ctx.peer === 'agent'
        ? AGENT_UNREACHABLE
        : undefined
      : `The request went to the proxy ${ctx.proxy} (HTTPS_PROXY / HTTP_PROXY): check that it is up and lets you through, or list the host in NO_PROXY.`;
  if (code === 'UND_ERR_ABORTED' || code === 'UND_ERR_INVALID_ARG') {
    // What undici's proxy agents report when a proxy refuses (a CONNECT not answered 200, a 407).
    return make('MA_ERR_CONNECT', `Cannot reach ${url}: ${messageOf(err)}`, proxyHint);
  }
  if (ctx.phase === 'body') {
    return make('MA_ERR_CONNECT', `The connection to ${url} broke while reading the answer (${why})`, proxyHint);
  }
  if (UNREACHABLE.has(code)) {
    const what = code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT' ? 'connecting timed out' : code;
    return make('MA_ERR_CONNECT', `Cannot reach ${url}: ${what}`, proxyHint);
  }
  return make('MA_ERR_CONNECT', `Cannot reach ${url}: ${why}: ${messageOf(err)}`, proxyHint);
}

/** An AbortSignal's reason (a DOMException 'AbortError', numeric code) or undici's own abort. */
function isAbort(err: unknown, code: string): boolean {
  return code === 'UND_ERR_ABORT' || (code === '' && (err as { name?: unknown } | undefined)?.name === 'AbortError');
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
