/**
 * HTTP plumbing shared by the scheduler, operator and agent-files clients: credentials,
 * TLS and proxy settings, and reading bodies.
 *
 * Secrets never reach the trace log or error messages: only the principal is ever named.
 * Every body is read bounded: an answer longer than its reader's limit is refused from its
 * Content-Length before a byte of it is read, or, without one, as soon as the bytes read pass
 * the limit; its connection is dropped then, so memory never grows past the limit.
 */
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { MesosError, rememberCredentials } from './errors.js';
import { type ProxySettings, proxyFromEnv } from './proxy-env.js';
import { transportError } from './transport-errors.js';
import type { Dispatcher, TransportSettings } from './transport.js';

export interface AuthOptions {
  principal: string;
  secret: string;
}

export interface TlsOptions {
  /** PEM file with the CA(s) that signed the masters' certificates (used instead of the system CAs). */
  caFile?: string;
  /** Skip certificate verification (a warning is emitted). */
  insecure?: boolean;
}

/** Options every client of a master takes. */
export interface ClientOptions {
  masters: string[];
  auth?: AuthOptions;
  tls?: TlsOptions;
  /** undici dispatcher for non-streaming requests (default: a keep-alive pool of its own). */
  dispatcher?: Dispatcher;
  /** Proxies (default: from HTTP_PROXY, HTTPS_PROXY and NO_PROXY in process.env). */
  proxy?: ProxySettings;
  /** Timeout for headers of an ordinary request (default 75 s, mesos-protocol §1.5). */
  requestTimeoutMs?: number;
  /** Called with warnings such as "TLS verification disabled" (default: process.emitWarning). */
  warn?: (message: string) => void;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 75_000;

export function basicAuthHeader(auth: AuthOptions): string {
  return `Basic ${Buffer.from(`${auth.principal}:${auth.secret}`, 'utf8').toString('base64')}`;
}

export interface CredentialSources {
  principal?: string;
  secretFile?: string;
  /** Environment to read MESOS_PRINCIPAL / MESOS_SECRET / MESOS_SECRET_FILE from. */
  env?: Record<string, string | undefined>;
}

/**
 * Credentials from flags and the environment. The secret comes from a file or the
 * environment only, never from the command line (it would show in `ps` and in logs).
 * A trailing newline in the secret file is dropped.
 */
export function loadCredentials(src: CredentialSources): AuthOptions | undefined {
  const env = src.env ?? {};
  const principal = src.principal ?? env.MESOS_PRINCIPAL;
  const file = src.secretFile ?? env.MESOS_SECRET_FILE;
  let secret = env.MESOS_SECRET;
  if (file !== undefined) {
    try {
      secret = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new MesosError('MA_ERR_CREDENTIALS', `Cannot read the secret file ${file}`, { cause: err });
    }
  }
  if (principal === undefined && secret === undefined) return undefined;
  if (principal === undefined || secret === undefined) {
    throw new MesosError(
      'MA_ERR_CREDENTIALS',
      principal === undefined ? 'A secret was given without a principal' : `No secret for principal '${principal}'`,
      { hint: 'Give both --principal and --secret-file (or MESOS_PRINCIPAL and MESOS_SECRET / MESOS_SECRET_FILE).' },
    );
  }
  if (secret.includes(':') || principal.includes(':')) {
    // Mesos' Basic authenticator splits on ':' and can never accept such a credential.
    throw new MesosError('MA_ERR_CREDENTIALS', `The principal or secret for '${principal}' contains ':'`, {
      hint: 'Mesos cannot authenticate a principal or secret that contains a colon; choose another secret.',
    });
  }
  // From here on, an error message that echoes the secret (or its base64 or URL form) is redacted.
  rememberCredentials(principal, secret);
  return { principal, secret };
}

/**
 * What the transport needs from the options: the CA file read now (a missing one fails
 * before anything is sent), the --insecure warning given once, the proxies checked.
 */
export function transportSettings(
  opts: Pick<ClientOptions, 'tls' | 'proxy'>,
  warn: (message: string) => void,
): TransportSettings {
  const out: TransportSettings = { proxy: opts.proxy ?? proxyFromEnv(process.env) };
  const tls = opts.tls;
  if (tls?.caFile !== undefined) {
    try {
      out.ca = readFileSync(tls.caFile);
    } catch (err) {
      throw new MesosError('MA_ERR_TLS_CONFIG', `Cannot read the CA file ${tls.caFile}`, { cause: err });
    }
  }
  if (tls?.insecure) {
    warn("TLS certificate verification is disabled (--insecure): the master's identity is not checked.");
    out.rejectUnauthorized = false;
  }
  return out;
}

export function defaultWarn(message: string): void {
  process.emitWarning(message, { code: 'MA_WARN_INSECURE_TLS' });
}

/**
 * The one cap on an answer's size, shared by every HTTP read (operator calls, the agents'
 * /files, the scheduler's calls and each record of its event stream): 64 MiB, which holds
 * GET_TASKS of tens of thousands of tasks, and keeps a hostile or broken answer from
 * growing the process past a few hundred MB (one is refused at about 64 MiB read).
 * MESOS_APPLY_MAX_ANSWER_MB raises it for a cluster whose answers are larger.
 */
export const DEFAULT_MAX_ANSWER_MB = 64;

/** The cap in bytes, from MESOS_APPLY_MAX_ANSWER_MB (a positive whole number of MiB) or the default. */
export function maxAnswerBytes(env: Record<string, string | undefined> = process.env): number {
  const mb = Number(env.MESOS_APPLY_MAX_ANSWER_MB);
  return (Number.isSafeInteger(mb) && mb > 0 ? mb : DEFAULT_MAX_ANSWER_MB) * 1024 * 1024;
}

/** An answer as readBuffer needs it. */
export interface Answer {
  headers: IncomingHttpHeaders;
  body: AsyncIterable<Uint8Array> & { destroy(error?: Error): unknown };
  /** The URL that answered, for messages. */
  url: string;
}

function sizeWords(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MiB` : `${bytes} bytes`;
}

/**
 * Read a whole body, at most `limitBytes` of it (see the file comment). An announced length
 * is allocated once and filled, so an answer is held once, not twice (parts and their concat).
 */
export async function readBuffer(res: Answer, limitBytes = maxAnswerBytes()): Promise<Buffer> {
  const tooLarge = (): MesosError =>
    new MesosError('MA_ERR_BAD_RESPONSE', `The answer of ${res.url} is larger than ${sizeWords(limitBytes)}`, {
      url: res.url,
      hint: 'A Mesos master does not answer this much: check --master. For a cluster that large, raise MESOS_APPLY_MAX_ANSWER_MB.',
    });
  const announced = Number(res.headers['content-length']);
  if (announced > limitBytes) {
    const error = tooLarge();
    res.body.destroy(error);
    throw error;
  }
  const whole = Number.isSafeInteger(announced) && announced > 0 ? Buffer.allocUnsafe(announced) : undefined;
  const parts: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body) {
      if (total + chunk.byteLength > limitBytes) throw tooLarge(); // leaving the loop destroys the body and its connection
      if (whole !== undefined && total + chunk.byteLength <= whole.length) whole.set(chunk, total);
      else parts.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      total += chunk.byteLength;
    }
  } catch (err) {
    throw transportError(err, { url: res.url, phase: 'body' });
  }
  if (whole !== undefined && parts.length === 0) return whole.subarray(0, total);
  return Buffer.concat(
    whole === undefined ? parts : [whole.subarray(0, Math.min(total, whole.length)), ...parts],
    total,
  );
}

export async function readText(res: Answer, limitBytes?: number): Promise<string> {
  return (await readBuffer(res, limitBytes)).toString('utf8');
}

/** Drain and discard a short body so the connection can be reused (a long one drops it). */
export async function discard(body: { dump(): Promise<unknown> }): Promise<void> {
  try {
    await body.dump();
  } catch {
    // a body we are throwing away may fail to drain; the connection is then not reused
  }
}
