/**
 * The HTTP/1.1 client against loopback servers that answer byte by byte exactly as written:
 * every framing a response can have, split at every byte, keep-alive reuse and its limits,
 * timeouts, aborts and broken servers.
 */
import { getEventListeners } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { H1Agent, H1Error, type H1Body } from '../../../src/mesos/h1.js';

interface RawServer {
  url: string;
  /** Connections accepted so far. */
  connections: () => number;
  close: () => Promise<void>;
}

const servers: RawServer[] = [];
const agents: H1Agent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/**
 * A server that calls `answer(socket, requestHead, n)` for each request head it reads
 * (n counts requests on that connection). Request bodies are read by Content-Length.
 */
async function rawServer(answer: (sock: Socket, head: string, n: number) => void): Promise<RawServer> {
  let count = 0;
  const socks = new Set<Socket>();
  const server = net.createServer((sock) => {
    count++;
    socks.add(sock);
    sock.on('close', () => socks.delete(sock));
    sock.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let n = 0;
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.toString('latin1', 0, end);
        const len = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        buf = buf.subarray(end + 4 + len);
        answer(sock, head, n++);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const s: RawServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => count,
    close: () => {
      for (const k of socks) k.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
  servers.push(s);
  return s;
}

function agent(opts: ConstructorParameters<typeof H1Agent>[0] = {}): H1Agent {
  const a = new H1Agent(opts);
  agents.push(a);
  return a;
}

async function text(body: H1Body): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(c);
  return Buffer.concat(parts).toString('utf8');
}

/** Writes `bytes` one byte per event loop turn (every split a reader can meet). */
async function dribble(sock: Socket, bytes: string): Promise<void> {
  for (const b of Buffer.from(bytes, 'utf8')) {
    sock.write(Buffer.from([b]));
    await new Promise((r) => setImmediate(r));
  }
}

describe('H1Agent', () => {
  it('sends the request as written and reads a Content-Length body; the connection is reused', async () => {
    const heads: string[] = [];
    const s = await rawServer((sock, head) => {
      heads.push(head);
      sock.write('HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nDate: x\r\n\r\n');
    });
    const a = agent({ connections: 1 });
    for (let i = 0; i < 3; i++) {
      const res = await a.request(`${s.url}/api/v1/scheduler?x=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'mesos-stream-id': 'abc' },
        body: '{"ü":1}',
      });
      expect(res.statusCode).toBe(202);
      await res.body.dump();
    }
    expect(s.connections()).toBe(1);
    expect(heads[0]).toBe(
      `POST /api/v1/scheduler?x=1 HTTP/1.1\r\nhost: ${s.url.slice(7)}\r\ncontent-type: application/json\r\nmesos-stream-id: abc\r\ncontent-length: 8`,
    );
  });

  it('reads a chunked body with extensions and trailers, split at every byte', async () => {
    const s = await rawServer((sock) => {
      void dribble(
        sock,
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nMesos-Stream-Id: s1\r\n\r\n5;ext=1\r\nhello\r\n8\r\n, wörld\r\n0\r\nX-Trailer: t\r\n\r\n',
      );
    });
    const a = agent();
    const res = await a.request(s.url, { method: 'GET' });
    expect(res.headers['mesos-stream-id']).toBe('s1');
    expect(await text(res.body)).toBe('hello, wörld');
    // The connection survives the chunked response.
    const again = await a.request(s.url, { method: 'GET' });
    expect(await text(again.body)).toBe('hello, wörld');
    expect(s.connections()).toBe(1);
  });

  it('a Content-Length body split at every byte, and repeated headers kept as a list', async () => {
    const s = await rawServer(
      (sock) =>
        void dribble(sock, 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\nSet-Cookie: a\r\nset-cookie: b\r\n\r\nabcdef'),
    );
    const res = await agent().request(s.url, { method: 'GET' });
    expect(res.headers['set-cookie']).toEqual(['a', 'b']);
    expect(await text(res.body)).toBe('abcdef');
  });

  it('a body without length ends when the server closes, and that connection is not reused', async () => {
    const s = await rawServer((sock) => {
      sock.write('HTTP/1.0 200 OK\r\n\r\nuntil ');
      setTimeout(() => sock.end('close'), 20);
    });
    const a = agent();
    expect(await text((await a.request(s.url, { method: 'GET' })).body)).toBe('until close');
    expect(await text((await a.request(s.url, { method: 'GET' })).body)).toBe('until close');
    expect(s.connections()).toBe(2);
  });

  it('Connection: close, HEAD, 204 and 304 and interim 1xx answers', async () => {
    const s = await rawServer((sock, head) => {
      if (head.startsWith('HEAD')) return void sock.write('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n');
      if (head.includes('/204')) return void sock.write('HTTP/1.1 204 No Content\r\n\r\n');
      if (head.includes('/100'))
        return void sock.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      sock.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye');
      sock.end();
    });
    const a = agent();
    const head = await a.request(s.url, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(await text(head.body)).toBe('');
    expect((await a.request(`${s.url}/204`, { method: 'GET' })).statusCode).toBe(204);
    expect(await text((await a.request(`${s.url}/100`, { method: 'GET' })).body)).toBe('ok');
    expect(s.connections()).toBe(1);
    expect(await text((await a.request(`${s.url}/x`, { method: 'GET' })).body)).toBe('bye');
    expect(await text((await a.request(`${s.url}/100`, { method: 'GET' })).body)).toBe('ok');
    expect(s.connections()).toBe(2);
  });

  it('never opens more connections than allowed; waiting requests are all answered', async () => {
    let open = 0;
    let most = 0;
    const s = await rawServer((sock) => {
      open++;
      most = Math.max(most, open);
      setTimeout(() => {
        open--;
        sock.write('HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n');
      }, 5);
    });
    const a = agent({ connections: 3 });
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => a.request(s.url, { method: 'POST', body: '{}' }).then((r) => r.statusCode)),
    );
    expect(answers).toEqual(Array(30).fill(202));
    expect(s.connections()).toBe(3);
    expect(most).toBeLessThanOrEqual(3);
  });

  it('a keep-alive connection the server closed while idle is replaced, not used', async () => {
    const s = await rawServer((sock) => {
      sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      setTimeout(() => sock.destroy(), 10);
    });
    const a = agent();
    expect(await text((await a.request(s.url, { method: 'GET' })).body)).toBe('ok');
    await new Promise((r) => setTimeout(r, 50));
    expect(await text((await a.request(s.url, { method: 'GET' })).body)).toBe('ok');
    expect(s.connections()).toBe(2);
  });

  it('times out waiting for the head, and while a body stalls', async () => {
    const s = await rawServer((sock, head) => {
      if (head.includes('/stall')) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    });
    const a = agent();
    await expect(a.request(s.url, { method: 'GET', headersTimeout: 50 })).rejects.toMatchObject({
      code: 'H1_HEADERS_TIMEOUT',
    });
    const res = await a.request(`${s.url}/stall`, { method: 'GET', bodyTimeout: 50 });
    await expect(text(res.body)).rejects.toMatchObject({ code: 'H1_BODY_TIMEOUT' });
  });

  it('an abort rejects with its reason, waiting or under way, and drops the connection', async () => {
    const s = await rawServer(() => undefined); // never answers
    const a = agent({ connections: 1 });
    const c1 = new AbortController();
    const c2 = new AbortController();
    const first = a.request(s.url, { method: 'GET', signal: c1.signal });
    const queued = a.request(s.url, { method: 'GET', signal: c2.signal });
    c2.abort(new Error('stop waiting'));
    await expect(queued).rejects.toThrow('stop waiting');
    c1.abort(new Error('stop now'));
    await expect(first).rejects.toThrow('stop now');
    await expect(a.request(s.url, { method: 'GET', signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow(
      'already',
    );
  });

  it('a stream is delivered as it arrives, and an abort ends it', async () => {
    let server: Socket | undefined;
    const s = await rawServer((sock) => {
      server = sock;
      sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n');
    });
    const a = agent();
    const c = new AbortController();
    const res = await a.request(s.url, { method: 'POST', body: '{}', signal: c.signal });
    const it = res.body[Symbol.asyncIterator]();
    expect((await it.next()).value?.toString()).toBe('one');
    server?.write('3\r\ntwo\r\n');
    expect((await it.next()).value?.toString()).toBe('two');
    c.abort(new Error('unsubscribed'));
    await expect(it.next()).rejects.toThrow('unsubscribed');
  });

  it('a connection cut mid-body fails the body; garbage and bad framing fail the request', async () => {
    const s = await rawServer((sock, head) => {
      if (head.includes('/cut')) {
        sock.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
        setTimeout(() => sock.destroy(), 10);
      } else if (head.includes('/garbage')) sock.write('SSH-2.0-OpenSSH\r\n\r\n');
      else if (head.includes('/length')) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabcd');
      else sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    });
    const a = agent();
    const cut = await a.request(`${s.url}/cut`, { method: 'GET' });
    await expect(text(cut.body)).rejects.toMatchObject({ code: 'H1_SOCKET_CLOSED' });
    await expect(a.request(`${s.url}/garbage`, { method: 'GET' })).rejects.toMatchObject({ code: 'H1_BAD_RESPONSE' });
    await expect(a.request(`${s.url}/length`, { method: 'GET' })).rejects.toMatchObject({ code: 'H1_BAD_RESPONSE' });
    const chunked = await a.request(`${s.url}/chunk`, { method: 'GET' });
    await expect(text(chunked.body)).rejects.toMatchObject({ code: 'H1_BAD_RESPONSE' });
  });

  it('refused connections carry the socket error code; header injection is refused before sending', async () => {
    const s = await rawServer(() => undefined);
    const url = s.url;
    await s.close();
    servers.splice(servers.indexOf(s), 1);
    await expect(agent().request(url, { method: 'GET' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const err = await agent()
      .request(url, { method: 'GET', headers: { 'x-a': 'b\r\nx-evil: 1' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(H1Error);
    expect((err as H1Error).code).toBe('H1_BAD_REQUEST');
  });

  it('close() lets requests under way finish; destroy() fails them', async () => {
    const s = await rawServer((sock) =>
      setTimeout(() => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), 20),
    );
    const a = agent({ connections: 1 });
    const p1 = a.request(s.url, { method: 'GET' });
    const p2 = a.request(s.url, { method: 'GET' });
    const closed = a.close();
    expect(await text((await p1).body)).toBe('ok');
    expect(await text((await p2).body)).toBe('ok');
    await closed;
    await expect(a.request(s.url, { method: 'GET' })).rejects.toMatchObject({ code: 'H1_CLOSED' });
    const b = agent();
    const p3 = b.request(s.url, { method: 'GET' });
    await new Promise((r) => setTimeout(r, 5));
    await b.destroy();
    await expect(p3).rejects.toMatchObject({ code: 'H1_CLOSED' });
  });

  it('a response that completes in the read that filled the buffer leaves the connection readable for the next one', async () => {
    const big = 1024 * 1024;
    const s = await rawServer((sock, _head, n) => {
      if (n > 0) return void sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      // All but the last bytes first; the last ones (crossing the 1 MiB mark) in one small write.
      sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${big + 10}\r\n\r\n${'a'.repeat(big - 10)}`);
      setTimeout(() => sock.write('b'.repeat(20)), 50);
    });
    const a = agent({ connections: 1 });
    const first = await a.request(s.url, { method: 'GET' });
    const second = await a.request(s.url, { method: 'GET', headersTimeout: 1000 });
    expect(await text(second.body)).toBe('ok');
    expect((await text(first.body)).length).toBe(big + 10);
    expect(s.connections()).toBe(1);
  });

  it('an iterator waiting on a body is still woken when the body is dumped meanwhile', async () => {
    let server: Socket | undefined;
    const s = await rawServer((sock) => {
      server = sock;
      sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    });
    const res = await agent().request(s.url, { method: 'GET' });
    const it = res.body[Symbol.asyncIterator]();
    const next = it.next();
    await new Promise((r) => setImmediate(r));
    const dumped = res.body.dump();
    server?.write('3\r\none\r\n0\r\n\r\n');
    await dumped;
    const timeout = new Promise((r) => setTimeout(() => r('hung'), 500));
    expect(await Promise.race([next, timeout])).toEqual({ done: true, value: undefined });
  });

  it('close() called twice: both resolve once the requests under way finish', async () => {
    const s = await rawServer((sock) =>
      setTimeout(() => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), 20),
    );
    const a = agent();
    const p = a.request(s.url, { method: 'GET' });
    const c1 = a.close();
    const c2 = a.close();
    expect(await text((await p).body)).toBe('ok');
    const timeout = new Promise((r) => setTimeout(() => r('hung'), 500));
    expect(await Promise.race([Promise.all([c1, c2]).then(() => 'closed'), timeout])).toBe('closed');
  });

  it('destroy() removes the abort listeners of the requests it fails while they wait', async () => {
    const s = await rawServer(() => undefined);
    const a = agent({ connections: 1 });
    const c = new AbortController();
    const p1 = a.request(s.url, { method: 'GET', signal: c.signal });
    const p2 = a.request(s.url, { method: 'GET', signal: c.signal });
    await new Promise((r) => setTimeout(r, 10));
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(2);
    await a.destroy();
    await expect(p1).rejects.toMatchObject({ code: 'H1_CLOSED' });
    await expect(p2).rejects.toMatchObject({ code: 'H1_CLOSED' });
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);
  });

  it('a keep-alive connection the server ends while idle is not used again', async () => {
    // A request made in the turn the client reads the server's FIN (before 'close') must not
    // be written on that connection.
    for (let turns = 1; turns < 4; turns++) {
      let ended: (() => void) | undefined;
      const s = await rawServer((sock) => {
        sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        if (ended) setTimeout(() => sock.end(() => ended?.()), 10);
      });
      const a = agent({ connections: 1 });
      const gone = new Promise<void>((r) => (ended = r));
      expect(await text((await a.request(s.url, { method: 'GET' })).body)).toBe('ok');
      await gone;
      ended = undefined;
      for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
      const r = await a.request(s.url, { method: 'GET' }).then(
        (x) => text(x.body),
        (e: Error) => `${turns} ${e.message}`,
      );
      expect(r).toBe('ok');
    }
  });
});

describe('H1Agent, a reader that stops early', () => {
  it('breaking out of a body drops that connection; the next request gets a fresh one', async () => {
    const s = await rawServer((sock, head) => {
      if (head.includes('/stream')) sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n');
      else sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const a = agent({ connections: 1 });
    const res = await a.request(`${s.url}/stream`, { method: 'GET' });
    for await (const chunk of res.body) {
      expect(chunk.toString()).toBe('one');
      break;
    }
    expect(await text((await a.request(s.url, { method: 'GET' })).body)).toBe('ok');
    expect(s.connections()).toBe(2);
  });
});

describe('H1Agent, idle connections', () => {
  it('closes a keep-alive connection idle past keepAliveMs, and the next request opens a new one', async () => {
    let closed = 0;
    const seen = new Set<Socket>();
    const s = await rawServer((sock) => {
      if (!seen.has(sock)) sock.once('close', () => closed++);
      seen.add(sock);
      sock.write('HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n');
    });
    const a = agent({ keepAliveMs: 50 });
    await (await a.request(s.url, { method: 'POST', body: '{}', headersTimeout: 10_000 })).body.dump();
    await (await a.request(s.url, { method: 'POST', body: '{}', headersTimeout: 10_000 })).body.dump();
    expect(s.connections()).toBe(1); // reused while fresh
    await new Promise((r) => setTimeout(r, 200));
    expect(closed).toBe(1);
    await (await a.request(s.url, { method: 'POST', body: '{}' })).body.dump();
    expect(s.connections()).toBe(2);
  });
});

describe('H1Agent, connecting', () => {
  it('gives up connecting after connectTimeoutMs (here: a TLS handshake nobody answers)', async () => {
    const s = await rawServer(() => undefined); // accepts TCP, never speaks TLS
    const a = agent({ connectTimeoutMs: 100 });
    const started = Date.now();
    await expect(
      a.request(s.url.replace('http:', 'https:'), { method: 'GET', headersTimeout: 10_000 }),
    ).rejects.toMatchObject({ code: 'H1_CONNECT_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('H1Agent, streamed bodies read by forEach', () => {
  /** A chunked stream: `count` chunks `gapMs` apart, each naming the time it was written; then the end. */
  function streamServer(count: number, gapMs: number): Promise<RawServer> {
    return rawServer((sock) => {
      sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      let i = 0;
      const tick = (): void => {
        if (i === count) return void sock.write('0\r\n\r\n');
        const data = `${i++}@${performance.now().toFixed(3)};`;
        sock.write(`${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`);
        setTimeout(tick, gapMs);
      };
      tick();
    });
  }

  /** Reads the stream with forEach: what arrived, the moments reads delivered something, and the longest wait of a chunk. */
  async function readStream(
    url: string,
    batchReadsMs?: number,
  ): Promise<{ text: string; reads: number; maxWaitMs: number }> {
    const res = await agent().request(`${url}/stream`, { method: 'POST', bodyTimeout: 0, batchReadsMs });
    let text = '';
    let maxWaitMs = 0;
    const moments = new Set<number>();
    await res.body.forEach((chunk) => {
      const now = performance.now();
      moments.add(Math.round(now)); // chunks handed over by one read share their moment
      const s = chunk.toString('utf8');
      text += s;
      for (const m of s.matchAll(/@([\d.]+);/g)) maxWaitMs = Math.max(maxWaitMs, now - Number(m[1]));
    });
    return { text, reads: moments.size, maxWaitMs };
  }

  it('batchReadsMs: a busy stream is read in batches, every byte in order, none held much past the window', async () => {
    const s = await streamServer(40, 5);
    const batched = await readStream(s.url, 50);
    expect(
      batched.text
        .split(';')
        .filter(Boolean)
        .map((x) => Number(x.split('@')[0])),
    ).toEqual([...Array(40).keys()]);
    // ~200 ms of chunks, one read per 50 ms window (plus the first read, which comes at once).
    expect(batched.reads).toBeLessThanOrEqual(12);
    expect(batched.maxWaitMs).toBeLessThan(50 + 200); // the window, and slack for a loaded machine
  });

  it('batchReadsMs: a quiet stream is read at once', async () => {
    const s = await streamServer(3, 300);
    const quiet = await readStream(s.url, 50);
    expect(quiet.text.split(';').filter(Boolean)).toHaveLength(3);
    expect(quiet.maxWaitMs).toBeLessThan(40);
  });

  it('batchReadsMs: a backlog is read at full speed, not a buffer per window', async () => {
    const big = 'x'.repeat(4 * 1024 * 1024);
    const s = await rawServer((sock) => {
      sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n');
      setTimeout(() => sock.write('3\r\ntwo\r\n'), 5);
      setTimeout(() => sock.write(`${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`), 10);
    });
    const res = await agent().request(`${s.url}/stream`, { method: 'POST', bodyTimeout: 0, batchReadsMs: 50 });
    const started = performance.now();
    let bytes = 0;
    await res.body.forEach((chunk) => void (bytes += chunk.length));
    expect(bytes).toBe(6 + big.length);
    // Paused 50 ms after every read, 4 MiB in 64 KiB reads would take over 3 s.
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('a throw from the handler on what came with the head fails the response and drops the connection', async () => {
    let closed = false;
    const s = await rawServer((sock) => {
      sock.on('close', () => (closed = true));
      sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n');
    });
    const res = await agent().request(`${s.url}/stream`, { method: 'POST', bodyTimeout: 0 });
    await new Promise((r) => setTimeout(r, 20)); // the first chunk is queued before forEach
    await expect(
      res.body.forEach(() => {
        throw new Error('corrupt record');
      }),
    ).rejects.toThrow('corrupt record');
    for (let i = 0; i < 100 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
    expect(closed).toBe(true);
  });

  it('a throw from the handler fails the response and the connection', async () => {
    const s = await streamServer(5, 5);
    const res = await agent().request(`${s.url}/stream`, { method: 'POST', bodyTimeout: 0 });
    await expect(
      res.body.forEach(() => {
        throw new Error('corrupt record');
      }),
    ).rejects.toThrow('corrupt record');
  });
});
