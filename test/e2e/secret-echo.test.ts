/**
 * A master (or proxy) whose error bodies echo the request, headers included: whatever the
 * command, the CLI's output never shows the Basic credentials it sent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../support/cli.js';

const PRINCIPAL = 'ops';
const SECRET = 'hunter2-s3cret';
const TOKEN = Buffer.from(`${PRINCIPAL}:${SECRET}`).toString('base64');

let server: Server;
let master: string;
let dir: string;
let seen = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ma-e2e-echo-'));
  writeFileSync(join(dir, 'secret'), `${SECRET}\n`);
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.headers.authorization === `Basic ${TOKEN}`) seen++;
      const head = Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`);
      const echo = [`${req.method} ${req.url} HTTP/1.1`, ...head, '', Buffer.concat(chunks).toString()].join('\n');
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(`Bad request; you sent:\n${echo}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  master = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('credentials echoed by a master', () => {
  it.each([[['apply', '-f', join(REPO, 'manifests', 'hello.yaml')]], [['get']], [['delete', 'hello']]])(
    '%j never prints them',
    async (args) => {
      const before = seen;
      const r = await runCli(
        [
          ...args,
          '--master',
          master,
          '--principal',
          PRINCIPAL,
          '--secret-file',
          join(dir, 'secret'),
          '--timeout',
          '10s',
        ],
        {
          cwd: dir,
          timeoutMs: 30_000,
        },
      );
      // The master did get the credentials (so there was something to leak) and refused.
      expect(seen).toBeGreaterThan(before);
      expect(r.code).not.toBe(0);
      const out = r.stdout + r.stderr;
      expect(out).not.toContain(TOKEN);
      expect(out).not.toContain(TOKEN.replace(/=+$/, ''));
      expect(out).not.toContain(SECRET);
    },
  );
});
