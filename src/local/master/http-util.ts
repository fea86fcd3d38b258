/**
 * HTTP helpers shaped after libprocess: error answers are `text/plain; charset=utf-8`
 * with Mesos's exact text; bodies are read whole (with a bound); `Accept` is matched
 * media-range aware and case-insensitively, a missing header accepting anything.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_BODY_BYTES = 64 * 1024 * 1024;
export const JSON_TYPE = 'application/json';
export const PROTOBUF_TYPE = 'application/x-protobuf';

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(body.length),
  });
  res.end(body);
}

/** libprocess's own bodies for bare statuses (`404 Not Found.`, `501 Not Implemented.`). */
export function sendStatus(res: ServerResponse, status: number, reason: string): void {
  sendText(res, status, `${status} ${reason}.`);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Length': '0' });
  res.end();
}

export function sendJson(res: ServerResponse, value: unknown, jsonp?: string | null): void {
  const text = JSON.stringify(value);
  const body = Buffer.from(jsonp ? `${jsonp}(${text});` : text, 'utf8');
  res.writeHead(200, { 'Content-Type': jsonp ? 'text/javascript' : JSON_TYPE, 'Content-Length': String(body.length) });
  res.end(body);
}

export function methodNotAllowed(res: ServerResponse, allowed: string, got: string | undefined): void {
  sendText(res, 405, `405 Method Not Allowed. Expecting one of { '${allowed}' }, but received '${got ?? ''}'.`, {
    Allow: allowed,
  });
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

/** True when `accept` (an Accept header value) admits `type` with q > 0. */
export function accepts(accept: string | undefined, type: string): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  const [main, sub] = type.toLowerCase().split('/');
  return accept.split(',').some((part) => {
    const [range, ...params] = part
      .trim()
      .toLowerCase()
      .split(';')
      .map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) <= 0) return false;
    const [m, s] = range.split('/');
    return (m === '*' && s === '*') || (m === main && (s === '*' || s === sub));
  });
}

/** picojson-style text for a JSON syntax error: `syntax error at line N near: <rest of that line>`. */
export function jsonSyntaxError(text: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const m = /position (\d+)/.exec(msg);
  const pos = m ? Math.min(Number(m[1]), text.length) : text.length;
  const line = text.slice(0, pos).split('\n').length;
  const rest = text.slice(pos).split('\n')[0];
  return `syntax error at line ${line} near: ${rest}`;
}

export type ParsedJson = { ok: true; value: unknown } | { ok: false; status: number; text: string };

/** Content-Type check and JSON parse shared by the scheduler and operator endpoints. */
export async function readJsonCall(req: IncomingMessage, callName: string): Promise<ParsedJson> {
  const type = req.headers['content-type'];
  if (type === undefined) return { ok: false, status: 400, text: "Expecting 'Content-Type' to be present" };
  // Exact, case-sensitive comparison, as Mesos does: "; charset=utf-8" is a 415 (Trap 1).
  if (type === PROTOBUF_TYPE) {
    return {
      ok: false,
      status: 415,
      text: `Expecting 'Content-Type' of application/json (mesos-apply local does not decode protobuf ${callName} bodies)`,
    };
  }
  if (type !== JSON_TYPE)
    return { ok: false, status: 415, text: "Expecting 'Content-Type' of application/json or application/x-protobuf" };
  const body = (await readBody(req)).toString('utf8');
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (e) {
    return { ok: false, status: 400, text: `Failed to parse body into JSON: ${jsonSyntaxError(body, e)}` };
  }
}
