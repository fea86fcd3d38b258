/** The pure part of the HTTP/1.1 client: request heads, response heads, body framing, errors. */
import type { IncomingHttpHeaders } from 'node:http';
import type { H1RequestOptions } from '../h1.js';

export type H1ErrorCode =
  | 'H1_CONNECT_TIMEOUT'
  | 'H1_HEADERS_TIMEOUT'
  | 'H1_BODY_TIMEOUT'
  | 'H1_SOCKET_CLOSED'
  | 'H1_BAD_RESPONSE'
  | 'H1_CLOSED'
  | 'H1_BAD_REQUEST';

export class H1Error extends Error {
  constructor(
    message: string,
    readonly code: H1ErrorCode,
  ) {
    super(message);
    this.name = 'H1Error';
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\r\n\0]/;

/** `line`: the request line's target, version and host header (see Target). */
export function requestHead(opts: H1RequestOptions, line: string): string {
  let head = opts.method + line;
  const headers = opts.headers ?? {};
  for (const name of Object.keys(headers)) {
    const value = headers[name] as string;
    if (!TOKEN.test(name) || BAD_VALUE.test(value))
      throw new H1Error(`Invalid header ${JSON.stringify(name)}`, 'H1_BAD_REQUEST');
    head += `${name}: ${value}\r\n`;
  }
  if (opts.body !== undefined || opts.method === 'POST')
    head += `content-length: ${Buffer.byteLength(opts.body ?? '')}\r\n`;
  return `${head}\r\n`;
}

/** A parsed response head: status, HTTP/1 minor version, headers (lower-case names; repeats as lists). */
export interface ResponseHead {
  status: number;
  minor: '0' | '1';
  headers: IncomingHttpHeaders;
}

export function parseResponseHead(text: string): ResponseHead {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!m)
    throw new H1Error(`Not an HTTP/1 response: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`, 'H1_BAD_RESPONSE');
  const headers: IncomingHttpHeaders = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw new H1Error(`Malformed response header: ${JSON.stringify(line.slice(0, 80))}`, 'H1_BAD_RESPONSE');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prev = headers[name];
    headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return { status: Number(m[2]), minor: m[1] as '0' | '1', headers };
}

export type Framing = { kind: 'none' } | { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

/** How the body of a response ends (RFC 9112 §6.3). */
export function framingOf(method: string, status: number, headers: IncomingHttpHeaders): Framing {
  if (method === 'HEAD' || status === 204 || status === 304) return { kind: 'none' };
  const te = headers['transfer-encoding'];
  if (te !== undefined) {
    const codings = String(te)
      .toLowerCase()
      .split(',')
      .map((s) => s.trim());
    if (codings[codings.length - 1] === 'chunked') return { kind: 'chunked' };
    return { kind: 'close' };
  }
  const cl = headers['content-length'];
  // The usual single value; a list (`5, 5`) or anything odd takes the careful path below.
  if (typeof cl === 'string' && /^\d{1,15}$/.test(cl)) return { kind: 'length', left: Number(cl) };
  if (cl !== undefined) {
    const values = new Set(
      String(cl)
        .split(',')
        .map((s) => s.trim()),
    );
    const [only] = values;
    if (values.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) {
      throw new H1Error(`Invalid Content-Length ${JSON.stringify(String(cl))}`, 'H1_BAD_RESPONSE');
    }
    return { kind: 'length', left: Number(only) };
  }
  return { kind: 'close' };
}
