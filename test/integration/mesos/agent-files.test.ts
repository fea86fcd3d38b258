import { describe, expect, it } from 'vitest';
import { AgentFilesClient } from '../../../src/mesos/agent-files.js';
import type { OperatorAgent } from '../../../src/mesos/types.js';
import { exchange, scriptedHarness, startServer, type Scripted } from './scripted-server.js';

const FW = 'cc85727d-5e93-4341-80a5-7a8f86dadfa6-0000';
const SANDBOX = `/frameworks/${FW}/executors/svc.0/runs/latest`;

/** What Mesos' JSON writer does with file bytes: escape quotes, backslash and controls; other bytes raw. */
function mesosJsonString(bytes: Buffer): Buffer {
  const out: number[] = [0x22];
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) out.push(0x5c, b);
    else if (b === 0x0a) out.push(0x5c, 0x6e);
    else if (b < 0x20) out.push(...Buffer.from(`\\u${b.toString(16).padStart(4, '0')}`));
    else out.push(b);
  }
  out.push(0x22);
  return Buffer.from(out);
}

const { cleanups } = scriptedHarness();

/** An agent serving the recorded answers, plus `files` with Mesos' /files/read semantics. */
async function agent(files: Record<string, Buffer>): Promise<Scripted> {
  const s = await startServer((req, res) => {
    const u = new URL(req.path, 'http://agent');
    const path = u.searchParams.get('path') ?? '';
    if (u.pathname === '/files/browse') {
      const rec = exchange('agent /files/browse sandbox');
      res.writeHead(rec.status, { 'content-type': 'application/json' });
      return res.end(rec.body);
    }
    const file = files[path];
    if (!file) {
      res.writeHead(404);
      return res.end();
    }
    const offsetParam = u.searchParams.get('offset');
    if (offsetParam === null || offsetParam === '-1') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(`{"data":"","offset":${file.length}}`);
    }
    const offset = Number(offsetParam);
    const length = Math.min(65536, Number(u.searchParams.get('length') ?? 65536));
    const chunk = file.subarray(offset, offset + length);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(Buffer.concat([Buffer.from('{"data":'), mesosJsonString(chunk), Buffer.from(`,"offset":${offset}}`)]));
  });
  cleanups.push(() => s.close());
  return s;
}

function files(): AgentFilesClient {
  const c = new AgentFilesClient();
  cleanups.push(() => c.destroy());
  return c;
}

describe('AgentFilesClient', () => {
  it('builds the agent URL from pid, else hostname:port; the virtual sandbox path', () => {
    const c = files();
    const a: OperatorAgent = {
      agent_info: { hostname: 'localhost', port: 5051 },
      active: true,
      version: '1.12.0',
      pid: 'slave(1)@10.1.2.3:5052',
    };
    expect(c.agentBaseUrl(a)).toBe('http://10.1.2.3:5052');
    expect(c.agentBaseUrl({ ...a, pid: undefined })).toBe('http://localhost:5051');
    expect(c.sandboxPath(FW, 'svc.0')).toBe(SANDBOX);
  });

  it('replays the recorded answers: size without offset, browse, 404 for a missing file', async () => {
    const recorded = JSON.parse(exchange('agent /files/read offset 0').body).data as string;
    const s = await agent({ [`${SANDBOX}/stdout`]: Buffer.from(recorded) });
    const c = files();
    expect(await c.size(s.url, `${SANDBOX}/stdout`)).toBe(28);
    expect(await c.read(s.url, `${SANDBOX}/stdout`, 0)).toEqual({
      data: 'started on 31000 with hello\n',
      offset: 0,
      bytes: 28,
    });
    expect(s.requests[1].path).toBe(`/files/read?path=${encodeURIComponent(`${SANDBOX}/stdout`)}&offset=0`);
    const listing = await c.browse(s.url, SANDBOX);
    expect(listing.map((f) => f.path.split('/').pop())).toEqual(expect.arrayContaining(['stdout', 'stderr']));
    // Only a sandbox file's 404 gets the garbage-collection hint (a master's 404 never does: redact.test.ts).
    await expect(c.read(s.url, `${SANDBOX}/nope`, 0)).rejects.toMatchObject({
      code: 'MA_ERR_NOT_FOUND',
      status: 404,
      hint: expect.stringContaining('garbage-collected'),
    });
  });

  it('pages by bytes and never splits a UTF-8 character, whatever the chunk size', async () => {
    const text = 'héllo wörld 😀 "quoted" \\ tab\there ✓\n'.repeat(4);
    const s = await agent({ '/f': Buffer.from(text) });
    const c = files();
    for (const length of [4, 5, 7, 64]) {
      let out = '';
      let offset = 0;
      for (;;) {
        const r = await c.read(s.url, '/f', offset, length);
        if (r.bytes === 0) break;
        out += r.data;
        offset += r.bytes;
      }
      expect(out, `length ${length}`).toBe(text);
      expect(offset).toBe(Buffer.byteLength(text));
    }
  });

  it('follows a growing file: an incomplete character at the end waits for the next read', async () => {
    const full = Buffer.from('line one\nsmile 😀\n');
    const store: Record<string, Buffer> = { '/log': full.subarray(0, full.length - 3) };
    const s = await agent(store);
    const c = files();
    const first = await c.read(s.url, '/log', 0);
    expect(first.data).toBe('line one\nsmile ');
    store['/log'] = full;
    const second = await c.read(s.url, '/log', first.bytes);
    expect(first.data + second.data).toBe(full.toString());
  });

  it('tail returns the last lines and the offset to follow from', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ✓`);
    const text = `${lines.join('\n')}\n`;
    const s = await agent({ '/stderr': Buffer.from(text) });
    const c = files();
    const t = await c.tail(s.url, '/stderr', 3);
    expect(t.text).toBe('line 4997 ✓\nline 4998 ✓\nline 4999 ✓\n');
    expect(t.offset).toBe(Buffer.byteLength(text));
    const all = await c.tail(s.url, '/stderr', 100_000);
    expect(all.text).toBe(text);
  });
});
