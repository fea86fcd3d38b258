/**
 * Sandbox files on an agent: `GET /files/read` and `/files/browse` (mesos-protocol §12).
 *
 * Byte exactness (Trap 34): `/files/read` returns raw file bytes inside a JSON string,
 * not base64, and a 64 KiB chunk can end inside a multi-byte UTF-8 character. The body is
 * therefore decoded as latin1 (one char per byte) before JSON.parse, which gives back the
 * exact bytes Mesos read (its writer escapes only ASCII control characters). `read()`
 * returns text up to the last complete character and `bytes` = the bytes that text
 * covers, so `offset += bytes` re-reads a split character whole on the next call.
 */
import { MesosError, errorFromStatus, trace } from './errors.js';
import {
  basicAuthHeader,
  defaultWarn,
  readBuffer,
  transportSettings,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type AuthOptions,
  type TlsOptions,
} from './http.js';
import type { ProxySettings } from './proxy-env.js';
import { checkFilesAnswer } from './shapes.js';
import { Connections, type Dispatcher } from './transport.js';
import type { FileInfo, FileRead, OperatorAgent } from './types.js';

export const MAX_READ_BYTES = 65536; // the agent caps every read at 16 pages

export interface AgentFilesOptions {
  auth?: AuthOptions;
  tls?: TlsOptions;
  /** Scheme of the agents' HTTP endpoints (default http; https when the cluster uses TLS). */
  scheme?: 'http' | 'https';
  /** Proxies (default: from HTTP_PROXY, HTTPS_PROXY and NO_PROXY in process.env). */
  proxy?: ProxySettings;
  /** undici dispatcher to use (default: a keep-alive pool of its own). */
  dispatcher?: Dispatcher;
  requestTimeoutMs?: number;
  warn?: (message: string) => void;
}

export interface ReadResult {
  /** Text of the complete UTF-8 characters read. */
  data: string;
  /** The offset that was read from. */
  offset: number;
  /** Bytes that `data` covers: the next read starts at offset + bytes. */
  bytes: number;
}

export class AgentFilesClient {
  private readonly opts: AgentFilesOptions;
  private readonly connections: Connections;

  constructor(opts: AgentFilesOptions = {}) {
    this.opts = opts;
    const settings = transportSettings(opts, opts.warn ?? defaultWarn);
    this.connections = new Connections(settings, 'calls', opts.dispatcher, 'agent');
  }

  /** `slave(1)@10.0.0.5:5051` → `http://10.0.0.5:5051`; else the agent's hostname and port. */
  agentBaseUrl(agent: OperatorAgent): string {
    const scheme = this.opts.scheme ?? 'http';
    const at = agent.pid?.lastIndexOf('@') ?? -1;
    if (agent.pid && at >= 0) return `${scheme}://${agent.pid.slice(at + 1)}`;
    const host = agent.agent_info.hostname;
    const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    return `${scheme}://${bracketed}:${agent.agent_info.port ?? 5051}`;
  }

  /** The virtual sandbox path of an executor's latest run (Trap 35). */
  sandboxPath(frameworkId: string, executorId: string): string {
    return `/frameworks/${frameworkId}/executors/${executorId}/runs/latest`;
  }

  /** File size in bytes (a read without offset answers only the size). */
  async size(base: string, path: string): Promise<number> {
    const res = await this.get<FileRead>(base, '/files/read', { path });
    return res.offset;
  }

  async read(base: string, path: string, offset: number, length?: number): Promise<ReadResult> {
    const raw = await this.readBytes(base, path, offset, length);
    const complete = raw.length - incompleteTail(raw);
    return { data: raw.toString('utf8', 0, complete), offset, bytes: complete };
  }

  async browse(base: string, path: string): Promise<FileInfo[]> {
    return this.get<FileInfo[]>(base, '/files/browse', { path });
  }

  /** The last `lines` lines, and the offset to follow from. */
  async tail(base: string, path: string, lines: number): Promise<{ text: string; offset: number }> {
    const size = await this.size(base, path);
    let window = MAX_READ_BYTES;
    for (;;) {
      const start = Math.max(0, size - window);
      const bytes = await this.readRange(base, path, start, size);
      const end = bytes.length - incompleteTail(bytes);
      let from = 0;
      if (start > 0) while (from < end && (bytes[from] & 0xc0) === 0x80) from++; // mid-character start
      const text = bytes.toString('utf8', from, end);
      const parts = text.split('\n');
      const complete = text.endsWith('\n') ? parts.length - 1 : parts.length;
      if (complete > lines || start === 0 || window >= 16 * 1024 * 1024) {
        const kept = parts.slice(Math.max(0, complete - lines)).join('\n');
        return { text: kept, offset: start + end };
      }
      window *= 4;
    }
  }

  close(): Promise<void> {
    return this.connections.close();
  }

  destroy(): Promise<void> {
    return this.connections.destroy();
  }

  /** Exact bytes [offset, offset+length) (fewer at end of file). */
  async readBytes(base: string, path: string, offset: number, length?: number): Promise<Buffer> {
    const query: Record<string, string> = { path, offset: String(offset) };
    if (length !== undefined) query.length = String(length);
    const res = await this.get<FileRead>(base, '/files/read', query, 'latin1');
    if (typeof res.data !== 'string') throw new MesosError('MA_ERR_BAD_RESPONSE', `${path}: the answer has no data`);
    // Chars above 0xFF mean the server escaped non-ASCII as \\u: then the text is Unicode.
    return /[^\x00-\xff]/.test(res.data) ? Buffer.from(res.data, 'utf8') : Buffer.from(res.data, 'latin1');
  }

  private async readRange(base: string, path: string, start: number, end: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (let at = start; at < end; ) {
      const chunk = await this.readBytes(base, path, at, Math.min(MAX_READ_BYTES, end - at));
      if (chunk.length === 0) break;
      parts.push(chunk);
      at += chunk.length;
    }
    return Buffer.concat(parts);
  }

  private async get<T>(
    base: string,
    endpoint: string,
    query: Record<string, string>,
    encoding: 'utf8' | 'latin1' = 'utf8',
  ): Promise<T> {
    const url = `${base.replace(/\/+$/, '')}${endpoint}?${new URLSearchParams(query).toString()}`;
    const headers: Record<string, string> = {};
    if (this.opts.auth) headers.authorization = basicAuthHeader(this.opts.auth);
    const res = await this.connections.request(url, {
      method: 'GET',
      headers,
      headersTimeout: this.opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      bodyTimeout: this.opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    });
    trace('GET %s -> %d', url, res.statusCode);
    const body = await readBuffer({ headers: res.headers, body: res.body, url });
    if (res.statusCode === 404)
      throw new MesosError('MA_ERR_NOT_FOUND', `Agent ${endpoint} ${query.path}: not found (404)`, {
        status: 404,
        body: body.toString('utf8'),
        url,
        // A sandbox goes when the agent garbage-collects it; only here is that the likely reason.
        hint: "The file or sandbox is gone: the agent may have garbage-collected the task's sandbox.",
      });
    if (res.statusCode !== 200)
      throw errorFromStatus(res.statusCode, body.toString('utf8'), `Agent ${endpoint} ${query.path}`, url);
    let value: unknown;
    try {
      value = JSON.parse(encoding === 'latin1' ? body.toString('latin1') : body.toString('utf8'));
    } catch (err) {
      throw new MesosError('MA_ERR_BAD_RESPONSE', `Agent ${endpoint}: not valid JSON`, { url, cause: err });
    }
    checkFilesAnswer(endpoint, url, value);
    return value as T;
  }
}

/** Bytes at the end of `b` that begin a UTF-8 character not yet complete (0 to 3). */
export function incompleteTail(b: Uint8Array): number {
  const n = b.length;
  for (let k = 1; k <= Math.min(3, n); k++) {
    const c = b[n - k];
    if ((c & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = c < 0xc0 || c >= 0xf8 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    return need > k ? k : 0;
  }
  return 0;
}
