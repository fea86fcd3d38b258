/**
 * A scripted HTTP server on 127.0.0.1:0 for the wire-layer tests, and access to the
 * recordings of a real Mesos 1.12 master in ../shared/fixtures/real-mesos.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

import { FIXTURES } from '../../support/fixtures.js';

export interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: Seen, res: ServerResponse, raw: IncomingMessage) => unknown;

export interface Scripted {
  url: string;
  port: number;
  requests: Seen[];
  handler: Handler;
  /** Destroy every open connection (a master dying mid-stream). */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<Scripted> {
  const sockets = new Set<Socket>();
  const requests: Seen[] = [];
  const scripted = { handler } as Scripted;
  const server: Server = createServer((raw, res) => {
    const parts: Buffer[] = [];
    raw.on('data', (c: Buffer) => parts.push(c));
    raw.on('end', () => {
      const seen: Seen = {
        method: raw.method ?? '',
        path: raw.url ?? '',
        headers: raw.headers,
        body: Buffer.concat(parts).toString('utf8'),
      };
      requests.push(seen);
      Promise.resolve(scripted.handler(seen, res, raw)).catch((err: unknown) => {
        res.destroy(err as Error);
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(scripted, {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

// ---------------------------------------------------------------------------------------
// Recordings

export interface TranscriptLine {
  seq: number;
  kind: string;
  step?: string;
  stream?: string;
  bytes?: number;
  request?: { method?: string; path?: string; headers?: Record<string, string>; body?: string };
  response?: { status: number; headers: Record<string, string>; body?: string };
  event?: { type: string };
}

export function transcript(file = 'transcript.jsonl'): TranscriptLine[] {
  return readFileSync(join(FIXTURES, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TranscriptLine);
}

/** The recorded exchange of a step. */
export function exchange(
  step: string,
  file?: string,
): { status: number; headers: Record<string, string>; body: string } {
  const line = transcript(file).find((l) => l.kind === 'exchange' && l.step === step);
  if (!line?.response) throw new Error(`no recorded step '${step}'`);
  return { ...line.response, body: line.response.body ?? '' };
}

export function recordio(name: string): Buffer {
  return readFileSync(join(FIXTURES, `${name}.recordio`));
}

/** The HTTP chunks of a recorded stream, at the sizes they arrived in. */
export function recordedChunks(name: string): Buffer[] {
  const all = recordio(name);
  const sizes = transcript()
    .filter((l) => l.kind === 'stream-chunk' && l.stream === name)
    .map((l) => l.bytes ?? 0);
  const chunks: Buffer[] = [];
  let at = 0;
  for (const n of sizes) {
    chunks.push(all.subarray(at, at + n));
    at += n;
  }
  if (at < all.length) chunks.push(all.subarray(at));
  return chunks;
}

/** The first `n` records of a recorded stream, re-framed. */
export function firstRecords(name: string, n: number): Buffer {
  const all = recordio(name);
  let at = 0;
  for (let i = 0; i < n && at < all.length; i++) {
    const nl = all.indexOf(0x0a, at);
    at = nl + 1 + Number(all.subarray(at, nl).toString('ascii'));
  }
  return all.subarray(0, at);
}

export function frame(event: unknown): Buffer {
  const b = Buffer.from(JSON.stringify(event), 'utf8');
  return Buffer.concat([Buffer.from(`${b.length}\n`), b]);
}

/** Answer a SUBSCRIBE with 200 and the stream headers a real master sends. */
export function openStream(res: ServerResponse, streamId: string): void {
  res.writeHead(200, {
    'content-type': 'application/json',
    'mesos-stream-id': streamId,
    'transfer-encoding': 'chunked',
  });
  res.flushHeaders();
}

export function reply(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  const h: Record<string, string> = { ...headers };
  if (body) h['content-type'] = 'text/plain; charset=utf-8';
  res.writeHead(status, h);
  res.end(body);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Cleanups for one test file, run after each test in reverse order, and `server(handler)`:
 * a scripted server closed after the test. Call once per file.
 */
export function scriptedHarness(): {
  cleanups: (() => Promise<unknown>)[];
  server: (handler: Handler) => Promise<Scripted>;
} {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    cleanups,
    async server(handler: Handler): Promise<Scripted> {
      const s = await startServer(handler);
      cleanups.push(() => s.close());
      return s;
    },
  };
}

/** A self-signed certificate for 127.0.0.1 (openssl), its files in a temporary directory. */
export interface TlsFixture {
  caFile: string;
  key: Buffer;
  cert: Buffer;
  remove(): void;
}

export function selfSignedCert(): TlsFixture {
  const dir = mkdtempSync(join(tmpdir(), 'mesos-tls-'));
  const [keyFile, certFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile],
    ],
    { stdio: 'ignore' },
  );
  return {
    caFile: certFile,
    key: readFileSync(keyFile),
    cert: readFileSync(certFile),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An https server on 127.0.0.1:0 with that certificate; `close()` ends it and its connections. */
export async function startHttpsServer(
  tls: TlsFixture,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const https = createHttpsServer({ key: tls.key, cert: tls.cert }, handler);
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${(https.address() as AddressInfo).port}`,
    close: () => {
      https.closeAllConnections();
      return new Promise((r) => https.close(() => r()));
    },
  };
}
