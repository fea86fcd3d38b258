import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll, framework, readSandbox, sandboxOf, shellTask, startAgent } from './helpers.js';

afterEach(cleanupAll);

let src: string;
let server: Server;
let base: string;

beforeAll(async () => {
  src = mkdtempSync(join(tmpdir(), 'ma-fetch-src-'));
  writeFileSync(join(src, 'config.txt'), 'key=value\n');
  writeFileSync(join(src, 'run.sh'), '#!/bin/sh\necho running-script\n');
  mkdirSync(join(src, 'app'));
  writeFileSync(join(src, 'app', 'hello.txt'), 'hello from tar\n');
  execFileSync('tar', ['-czf', join(src, 'app.tar.gz'), '-C', src, 'app']);
  mkdirSync(join(src, 'z'));
  writeFileSync(join(src, 'z', 'zipped.txt'), 'hello from zip\n');
  execFileSync('zip', ['-q', '-r', join(src, 'bundle.zip'), 'z'], { cwd: src });
  server = createServer((req, res) => {
    if (req.url === '/served.txt') return res.end('served over http\n');
    if (req.url === '/bundle.zip') return res.end(readFileSync(join(src, 'bundle.zip')));
    if (req.url === '/redirect') {
      res.writeHead(302, { Location: '/served.txt' });
      return res.end();
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
  rmSync(src, { recursive: true, force: true });
});

describe('local agent: fetcher', () => {
  it('copies local files, extracts archives, chmods executables, honours output_file, downloads http', async () => {
    const h = await startAgent();
    const task = shellTask(
      'fetch.0',
      'cat config.txt app/hello.txt z/zipped.txt conf/renamed.txt served.txt && ./run.sh',
    );
    task.command!.uris = [
      { value: join(src, 'config.txt') },
      { value: `file://${join(src, 'app.tar.gz')}` },
      { value: `${base}/bundle.zip` },
      { value: join(src, 'run.sh'), executable: true },
      { value: join(src, 'config.txt'), output_file: 'conf/renamed.txt', extract: false },
      { value: `${base}/redirect`, output_file: 'served.txt' },
    ];
    h.agent.runTask(framework(), task);
    const done = await h.master.waitForState('fetch.0', 'TASK_FINISHED');
    expect(readSandbox(h, 'fetch.0', 'stdout')).toBe(
      'key=value\nhello from tar\nhello from zip\nkey=value\nserved over http\nrunning-script\n',
    );
    expect(statSync(join(sandboxOf(done, h), 'run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(sandboxOf(done, h), 'app.tar.gz')).isFile()).toBe(true);
  });

  it('a failed fetch fails the launch as Mesos does, and logs why in the sandbox stderr', async () => {
    const h = await startAgent();
    const task = shellTask('nofetch.0', 'echo never');
    task.command!.uris = [{ value: `${base}/missing.tar.gz` }];
    h.agent.runTask(framework(), task);
    const failed = await h.master.waitForState('nofetch.0', 'TASK_FAILED');
    expect(h.master.states('nofetch.0')).toEqual(['TASK_FAILED']);
    expect(failed.status).toMatchObject({
      source: 'SOURCE_AGENT',
      reason: 'REASON_CONTAINER_LAUNCH_FAILED',
      executor_id: { value: 'nofetch.0' },
    });
    expect(failed.status.message).toMatch(
      /^Failed to launch container: Failed to fetch all URIs for container '[0-9a-f-]{36}': exited with status 1$/,
    );
    expect(readSandbox(h, 'nofetch.0', 'stderr')).toContain('received HTTP return code 404');
    expect(readSandbox(h, 'nofetch.0', 'stdout')).toBe('');

    const local = shellTask('nofetch.1', 'echo never');
    local.command!.uris = [{ value: '/no/such/file.txt' }];
    h.agent.runTask(framework(), local);
    await h.master.waitForState('nofetch.1', 'TASK_FAILED');
  });

  it('a Mesos container with an image fails like an agent without image provisioner', async () => {
    // No docker CLI, so no engine: the local agent then has no way to run images.
    const h = await startAgent({ docker: '/no/such/docker' });
    h.agent.runTask(
      framework(),
      shellTask('img.0', 'true', {
        container: { type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: 'nginx:1.27' } } } },
      }),
    );
    const failed = await h.master.waitForState('img.0', 'TASK_FAILED');
    expect(failed.status).toMatchObject({
      message: expect.stringMatching(/^Failed to launch container: Unsupported container image type: 2\b/),
      source: 'SOURCE_AGENT',
      reason: 'REASON_CONTAINER_LAUNCH_FAILED',
    });
  });
});
