/**
 * A small HTTP proxy on 127.0.0.1:0 for the proxy tests: forward requests (an absolute URI
 * in the request line, relayed with node:http) and CONNECT tunnels (two sockets spliced).
 * It logs what it was asked and with which Proxy-Authorization, and can demand credentials
 * (407 without them) or refuse every tunnel (403).
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';

export interface ProxyLogEntry {
  kind: 'forward' | 'connect';
  /** The absolute URI of a forward request, `host:port` of a CONNECT. */
  target: string;
  auth?: string;
}

export interface TestProxy {
  url: string;
  log: ProxyLogEntry[];
  close(): Promise<void>;
}

export interface TestProxyOptions {
  /** `user:password` the proxy demands (407 otherwise). */
  credentials?: string;
  /** Answer every CONNECT with 403. */
  refuseTunnels?: boolean;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate'];

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out;
}

export async function startProxy(opts: TestProxyOptions = {}): Promise<TestProxy> {
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const allowed = (auth: string | undefined): boolean =>
    opts.credentials === undefined || auth === `Basic ${Buffer.from(opts.credentials).toString('base64')}`;

  const server = createServer((req, res) => {
    const auth = req.headers['proxy-authorization'];
    log.push({ kind: 'forward', target: req.url ?? '', auth });
    if (!allowed(auth)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' });
      return res.end();
    }
    const target = new URL(req.url ?? '');
    const up = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers: endToEnd(req.headers),
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(res);
      },
    );
    up.on('socket', track);
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connection', track);
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const auth = req.headers['proxy-authorization'];
    log.push({ kind: 'connect', target: req.url ?? '', auth });
    if (opts.refuseTunnels || !allowed(auth)) {
      client.end(`HTTP/1.1 ${opts.refuseTunnels ? '403 Forbidden' : '407 Proxy Authentication Required'}\r\n\r\n`);
      return;
    }
    const [host, port] = (req.url ?? '').split(/:(?=\d+$)/);
    const up = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    track(up);
    up.on('error', () => client.destroy());
    client.on('close', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
