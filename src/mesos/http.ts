/**
 * HTTP plumbing shared by the scheduler, operator and agent-files clients: credentials,
 * TLS options, the keep-alive dispatcher for calls, and body reading.
 *
 * Secrets never reach the trace log or error messages: only the principal is ever named.
 */
import { readFileSync } from 'node:fs';
import { H1Agent } from './h1.js';
import { MesosError } from './errors.js';

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
  /** Connections for non-streaming requests (default: a keep-alive pool of its own). */
  dispatcher?: H1Agent;
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
  return { principal, secret };
}

/** TLS options for the HTTP agent from TlsOptions. */
export function tlsConnectOptions(
  tls: TlsOptions | undefined,
  warn: (message: string) => void,
): { ca?: Buffer; rejectUnauthorized?: boolean } {
  const out: { ca?: Buffer; rejectUnauthorized?: boolean } = {};
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

/** Connections per master for ordinary calls; more calls wait in the dispatcher's queue. */
export const MAX_CALL_CONNECTIONS = 8;

/** A keep-alive agent for ordinary calls, or for one subscription stream. */
export function createDispatcher(tls: TlsOptions | undefined, warn: (m: string) => void, stream = false): H1Agent {
  return new H1Agent({
    ...tlsConnectOptions(tls, warn),
    keepAliveMs: 10_000,
    // Calls share a few keep-alive connections: uncapped, a burst of calls (apply acknowledges
    // hundreds of updates at once) opened one connection per call, ~0.5 ms of CPU each.
    ...(stream ? {} : { connections: MAX_CALL_CONNECTIONS }),
  });
}

/** Read a whole body, bounded (error bodies are short; GET_STATE can be large). */
export async function readBuffer(body: AsyncIterable<Uint8Array>, limitBytes = 256 * 1024 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > limitBytes) throw new MesosError('MA_ERR_BAD_RESPONSE', `Response larger than ${limitBytes} bytes`);
    parts.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(parts);
}

export async function readText(body: AsyncIterable<Uint8Array>, limitBytes?: number): Promise<string> {
  return (await readBuffer(body, limitBytes)).toString('utf8');
}

/** Drain and discard a body so the connection can be reused. */
export async function discard(body: { dump?: () => Promise<void> } & AsyncIterable<Uint8Array>): Promise<void> {
  try {
    if (body.dump) await body.dump();
    else for await (const _ of body) void _;
  } catch {
    // a body we are throwing away may fail to drain; the connection is then not reused
  }
}
