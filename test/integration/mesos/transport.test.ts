/**
 * What the wire layer relies on from its transport (undici, through transport.ts), against
 * loopback servers: keep-alive reuse, a stream on connections of its own, timeouts, aborts,
 * broken servers (each failure under an MA_ERR_* code), answers bounded before they are
 * buffered, and undici loaded only by commands that talk HTTP.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFrameworkInfo } from '../../../src/mesos/calls.js';
import { readText } from '../../../src/mesos/http.js';
import { MasterSet, type MasterSetOptions } from '../../../src/mesos/masters.js';
import { OperatorClient } from '../../../src/mesos/operator.js';
import { SchedulerSession } from '../../../src/mesos/scheduler.js';
import type { Call } from '../../../src/mesos/types.js';
import { BIN, REPO } from '../../support/cli.js';
import { exchange, firstRecords, openStream, reply, scriptedHarness } from './scripted-server.js';

const { cleanups, server } = scriptedHarness();
const MiB = 1024 * 1024;
const once = { rounds: 1, baseMs: 1, maxMs: 1 };

function masters(url: string, extra: Partial<MasterSetOptions> = {}): MasterSet {
  const m = new MasterSet({ masters: [url], retry: once, proxy: {}, ...extra });
  cleanups.push(() => m.destroy());
  return m;
}

const operatorCall = { method: 'POST', path: '/api/v1', body: '{"type":"GET_HEALTH"}' } as const;

/** Writes `total` bytes of body as fast as the reader takes them; resolves with what it wrote before the connection went. */
async function pour(res: ServerResponse, total: number): Promise<number> {
  const block = Buffer.alloc(MiB, 0x20);
  let written = 0;
  while (written < total && !res.destroyed) {
    const ok = res.write(block);
    written += block.length;
    if (!ok)
      await new Promise((r) => {
        res.once('drain', r);
        res.once('close', r);
      });
  }
  return written;
}

/** A loopback URL whose port nobody listens on. */
async function closedPort(): Promise<string> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return `http://127.0.0.1:${port}`;
}

/** A TCP server that answers every request with `bytes`, for what HTTP servers will not send. */
async function rawServer(bytes: string): Promise<string> {
  const socks = new Set<Socket>();
  const srv = net.createServer((s) => {
    socks.add(s);
    s.on('error', () => undefined);
    s.once('data', () => s.end(bytes));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    for (const s of socks) s.destroy();
    return new Promise((r) => srv.close(r));
  });
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

describe('connections', () => {
  it('calls reuse keep-alive connections', async () => {
    const sockets = new Set<unknown>();
    const m = await server((_req, res, raw) => {
      sockets.add(raw.socket);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(exchange('op GET_HEALTH').body);
    });
    const op = new OperatorClient({ masters: [m.url], retry: once, proxy: {} });
    cleanups.push(() => op.destroy());
    for (let i = 0; i < 5; i++) expect(await op.getHealth()).toBe(true);
    expect(m.requests).toHaveLength(5);
    // One call at a time: undici's pool may open a second connection while it still counts
    // the first as busy (its body just read), and then alternates between the two.
    expect(sockets.size).toBeLessThanOrEqual(2);
  });

  it('calls never wait behind the subscription stream: it has a connection of its own', async () => {
    const bySocket = new Map<unknown, string[]>();
    const m = await server((req, res, raw) => {
      const call = JSON.parse(req.body) as Call;
      bySocket.set(raw.socket, [...(bySocket.get(raw.socket) ?? []), call.type]);
      if (call.type !== 'SUBSCRIBE') return reply(res, 202);
      openStream(res, 's-1');
      res.write(firstRecords('stream-1', 2)); // SUBSCRIBED, HEARTBEAT; the stream never ends
    });
    const s = new SchedulerSession({
      masters: [m.url],
      proxy: {},
      frameworkInfo: buildFrameworkInfo({ name: 'wire-recorder', user: 'root' }),
      retry: once,
    });
    cleanups.push(() => s.destroy());
    await s.start();
    await Promise.all(Array.from({ length: 20 }, () => s.revive()));
    const lists = [...bySocket.values()];
    expect(lists.filter((l) => l.includes('SUBSCRIBE'))).toEqual([['SUBSCRIBE']]);
    expect(lists.flat().filter((t) => t === 'REVIVE')).toHaveLength(20);
    // Bounded pool: the burst shares a few connections.
    expect(bySocket.size).toBeLessThanOrEqual(1 + 8);
  });

  it('close() lets a call under way finish, destroy() fails one: idempotent, in either order', async () => {
    const waiting: ServerResponse[] = [];
    const m = await server((_req, res) => waiting.push(res));
    const set = masters(m.url);
    const finishing = set.request(operatorCall);
    await expect.poll(() => waiting.length).toBe(1);
    const closed = set.close();
    await expect(set.request(operatorCall)).rejects.toMatchObject({ code: 'MA_ERR_CLOSED' });
    reply(waiting[0] as ServerResponse, 200, '{}');
    expect((await finishing).status).toBe(200);
    await Promise.all([closed, set.close(), set.destroy(), set.destroy()]);

    const other = masters(m.url);
    const failing = other.request(operatorCall);
    await expect.poll(() => waiting.length).toBe(2);
    await Promise.all([other.destroy(), other.close()]);
    await expect(failing).rejects.toMatchObject({ code: 'MA_ERR_CLOSED' });
  });
});

describe('timeouts and aborts', () => {
  it('no head in time: MA_ERR_TIMEOUT; a body that stalls: MA_ERR_TIMEOUT', async () => {
    const m = await server((req, res) => {
      if (req.path === '/stall') {
        res.writeHead(200, { 'content-length': '10' });
        res.write('{"a"');
      } // else: never answer
    });
    const set = masters(m.url, { requestTimeoutMs: 300 });
    await expect(set.request(operatorCall)).rejects.toMatchObject({ code: 'MA_ERR_TIMEOUT' });
    const res = await set.request({ method: 'GET', path: '/stall', bodyTimeout: 300 });
    await expect(readText(res)).rejects.toMatchObject({ code: 'MA_ERR_TIMEOUT' });
  });

  it("an abort rejects with the signal's reason and drops the connection", async () => {
    let closed: Promise<unknown> | undefined;
    const m = await server((_req, _res, raw) => {
      closed = new Promise((r) => raw.socket.once('close', r));
    });
    const abort = new AbortController();
    const pending = masters(m.url).request({ ...operatorCall, signal: abort.signal });
    await expect.poll(() => m.requests.length).toBe(1);
    const reason = new Error('stop');
    abort.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await closed;
  });
});

describe('broken servers: every failure under an MA_ERR_* code', () => {
  it('refused, cut mid-body, not HTTP, lying about its length', async () => {
    await expect(masters(await closedPort()).request(operatorCall)).rejects.toMatchObject({
      code: 'MA_ERR_CONNECT',
      message: expect.stringMatching(/ECONNREFUSED/),
    });

    const garbage = await rawServer('SSH-2.0-OpenSSH_9.6\r\n\r\n');
    await expect(masters(garbage).request(operatorCall)).rejects.toMatchObject({ code: 'MA_ERR_BAD_RESPONSE' });

    const cut = await rawServer('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"type":');
    const res = await masters(cut).request(operatorCall);
    await expect(readText(res)).rejects.toMatchObject({
      code: 'MA_ERR_CONNECT',
      message: expect.stringMatching(/broke while reading the answer/),
    });

    const twoLengths = await rawServer('HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}');
    await expect(masters(twoLengths).request(operatorCall)).rejects.toMatchObject({ code: 'MA_ERR_BAD_RESPONSE' });
  });
});

describe('bounded answers (issue 19)', () => {
  it('an answer announced larger than the limit is refused before it is read', async () => {
    let written: Promise<number> | undefined;
    const m = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(300 * MiB) });
      written = pour(res, 300 * MiB);
    });
    const op = new OperatorClient({ masters: [m.url], retry: once, proxy: {} });
    cleanups.push(() => op.destroy());
    const before = process.memoryUsage().rss;
    await expect(op.getState()).rejects.toMatchObject({
      code: 'MA_ERR_BAD_RESPONSE',
      message: expect.stringMatching(/larger than 64 MiB/),
    });
    // The connection is dropped: the server stops long before the end, and nothing piled up here.
    expect(await written).toBeLessThan(32 * MiB);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * MiB);
  });

  it('an answer without a length is cut as soon as it passes the limit', async () => {
    let written: Promise<number> | undefined;
    const m = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked
      written = pour(res, 300 * MiB);
    });
    const before = process.memoryUsage().rss;
    const res = await masters(m.url).request(operatorCall);
    await expect(readText(res, 4 * MiB)).rejects.toMatchObject({ code: 'MA_ERR_BAD_RESPONSE' });
    expect(await written).toBeLessThan(64 * MiB);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * MiB);
  });
});

/** The CommonJS modules of the bundle and node_modules that a CLI run loaded (paths below the repository). */
function loadedModules(args: string[]): Promise<string[]> {
  const preload = join(tmpdir(), `mesos-apply-loaded-${process.pid}.cjs`);
  writeFileSync(
    preload,
    `process.on('exit', () => process.stderr.write('\\nLOADED ' + JSON.stringify(Object.keys(require.cache)) + '\\n'));`,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', preload, BIN, ...args], { cwd: REPO, env: process.env });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      rmSync(preload, { force: true });
      const line = err.split('\n').find((l) => l.startsWith('LOADED '));
      if (!line) return reject(new Error(`no module list in: ${err}`));
      resolve((JSON.parse(line.slice(7)) as string[]).map((p) => p.slice(REPO.length)));
    });
  });
}

describe('undici is loaded on demand', () => {
  it('validate and --version never load it; get does (built CLI)', async () => {
    const isUndici = (p: string) => /undici/.test(p);
    expect((await loadedModules(['--version'])).filter(isUndici)).toEqual([]);
    expect((await loadedModules(['validate', '-f', 'manifests/'])).filter(isUndici)).toEqual([]);
    const m = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(exchange('op GET_FRAMEWORKS').body);
    });
    const get = await loadedModules(['get', '--master', m.url, '--framework', 'none', '-o', 'json']);
    expect(get.filter(isUndici).length).toBeGreaterThan(0);
  });
});
