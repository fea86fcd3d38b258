/**
 * The local agent's /files API under hostile names and races: the real HTTP server over a
 * real directory, with a real process swapping a directory for a symlink. No request may
 * crash the agent, and nothing outside the sandbox may ever be read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentDisposition, SandboxFiles } from '../../../src/local/agent/files.js';
import { createAgentServer } from '../../../src/local/agent/http.js';

let dir: string;
let outside: string;
let server: Server;
let base: string;
const files = new SandboxFiles();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ma-files-hostile-'));
  outside = mkdtempSync(join(tmpdir(), 'ma-files-outside-'));
  writeFileSync(join(outside, 'secret'), 'SECRET-OUTSIDE\n');
  writeFileSync(join(dir, '日本語.txt'), 'nihongo\n');
  writeFileSync(join(dir, 'new\nline'), 'newline\n');
  writeFileSync(join(dir, 'quote"semi;.txt'), 'q\n');
  files.attach('/sandbox', dir);
  server = createAgentServer({ files, state: () => ({}) });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const url = (endpoint: string, path: string, extra = '') =>
  `${base}/files/${endpoint}?path=${encodeURIComponent(path)}${extra}`;

describe('local agent /files: hostile names', () => {
  it.each([
    ['日本語.txt', 'nihongo\n', `attachment; filename="___.txt"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.txt`],
    ['new\nline', 'newline\n', `attachment; filename="new_line"; filename*=UTF-8''new%0Aline`],
    ['quote"semi;.txt', 'q\n', `attachment; filename="quote_semi;.txt"; filename*=UTF-8''quote%22semi%3B.txt`],
  ])('downloads %j with an RFC 6266 name, and the agent keeps serving', async (name, body, disposition) => {
    const res = await fetch(url('download', `/sandbox/${name}`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(disposition);
    expect(await res.text()).toBe(body);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it('keeps the Mesos form for plain names', () => {
    expect(contentDisposition('stdout')).toBe('attachment; filename=stdout');
  });

  it('answers a handler that throws with a bare 500, no path or message', async () => {
    const broken = createAgentServer({
      files,
      state: () => {
        throw new Error(`ENOENT: no such file or directory, open '${dir}/x'`);
      },
    });
    await new Promise<void>((r) => broken.listen(0, '127.0.0.1', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(broken.address() as AddressInfo).port}/state`);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(text).not.toContain(dir);
      expect(text).not.toContain('ENOENT');
    } finally {
      await new Promise((r) => broken.close(r));
    }
  });
});

describe('local agent /files: a task swapping a directory for a symlink', () => {
  let swapper: ChildProcess;
  afterAll(() => swapper?.kill('SIGKILL'));

  it('never serves a file from outside the sandbox', async () => {
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'secret'), 'inside\n');
    // rename(2) is atomic: `d` is always either the real directory or a link out.
    const script = `
      const fs = require('fs'); const p = require('path');
      const d = p.join(process.argv[1], 'd'), real = d + '.real', link = d + '.link';
      fs.symlinkSync(process.argv[2], link);
      fs.writeFileSync(p.join(process.argv[1], 'ready'), '');
      for (;;) { fs.renameSync(d, real); fs.renameSync(link, d); fs.renameSync(d, link); fs.renameSync(real, d); }
    `;
    swapper = spawn(process.execPath, ['-e', script, dir, outside], { stdio: 'ignore' });
    const { existsSync } = await import('node:fs');
    while (!existsSync(join(dir, 'ready'))) await new Promise((r) => setTimeout(r, 10));
    let inside = 0;
    const deadline = Date.now() + 15_000;
    for (let i = 0; i < 1200 && Date.now() < deadline; i++) {
      const endpoint = i % 3 === 0 ? 'download' : i % 3 === 1 ? 'read' : 'browse';
      const target = endpoint === 'browse' ? '/sandbox/d' : '/sandbox/d/secret';
      const res = await fetch(url(endpoint, target, endpoint === 'read' ? '&offset=0' : ''));
      const text = await res.text();
      expect(text).not.toContain('SECRET-OUTSIDE');
      expect(text).not.toContain(outside);
      if (res.status === 200 && text.includes('inside')) inside++;
    }
    // The race ran both ways: some reads did land inside (so the test can fail).
    expect(inside).toBeGreaterThan(0);
  }, 30_000);
});
