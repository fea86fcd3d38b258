/**
 * The agent's HTTP endpoints: `/files/{read,browse,download,debug}`, `/state` (alias
 * `/slave(1)/state`) and `/health`. GET only (HEAD too); anything else is 404 or 405
 * like libprocess answers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FilesResponse, SandboxFiles } from './files.js';

export interface AgentHttpDeps {
  files: SandboxFiles;
  state(): Record<string, unknown>;
}

function send(res: ServerResponse, r: FilesResponse): void {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  if (r.contentType) headers['Content-Type'] = r.contentType;
  if (r.file !== undefined) {
    res.writeHead(r.status, headers);
    // The stream owns the descriptor the files API checked, and closes it.
    const stream = r.file.createReadStream({ start: 0 });
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
    return;
  }
  const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
  headers['Content-Length'] = String(body.length);
  res.writeHead(r.status, headers);
  res.end(body);
}

/** What a request that failed inside the agent gets: no message, path or stack leaves it. */
const INTERNAL_ERROR: FilesResponse = {
  status: 500,
  contentType: 'text/plain; charset=utf-8',
  body: 'Internal Server Error\n',
};

/** Sends `r`; if even that throws (a header Node refuses), a bare 500; never throws. */
function answer(res: ServerResponse, r: FilesResponse): void {
  try {
    send(res, r);
  } catch {
    void r.file?.close().catch(() => {});
    if (res.headersSent) res.destroy();
    else {
      try {
        send(res, INTERNAL_ERROR);
      } catch {
        res.destroy();
      }
    }
  }
}

async function route(req: IncomingMessage, deps: AgentHttpDeps): Promise<FilesResponse> {
  const url = new URL(req.url ?? '/', 'http://agent');
  const json = (value: unknown): FilesResponse => ({
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify(value),
  });
  switch (url.pathname) {
    case '/files/read':
    case '/files/read.json':
      return deps.files.read(url.searchParams);
    case '/files/browse':
    case '/files/browse.json':
      return deps.files.browse(url.searchParams);
    case '/files/download':
    case '/files/download.json':
      return deps.files.download(url.searchParams);
    case '/files/debug':
    case '/files/debug.json':
      return deps.files.debug();
    case '/state':
    case '/slave(1)/state':
      return json(deps.state());
    case '/health':
    case '/slave(1)/health':
      return { status: 200, body: '' };
    default:
      return { status: 404, contentType: 'text/plain; charset=utf-8', body: '' };
  }
}

export function createAgentServer(deps: AgentHttpDeps): Server {
  return createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      answer(res, {
        status: 405,
        contentType: 'text/plain; charset=utf-8',
        body: `Expecting 'GET', received '${req.method}'\n`,
      });
      return;
    }
    // No request may take the agent (and every task on it) down: whatever a handler
    // throws becomes a 500 for that request only.
    Promise.resolve()
      .then(() => route(req, deps))
      .then(
        (r) => answer(res, r),
        () => answer(res, INTERNAL_ERROR),
      );
  });
}
