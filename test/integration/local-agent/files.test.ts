import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, framework, sandboxOf, shellTask, startAgent, type Harness } from './helpers.js';

afterEach(cleanupAll);

async function get(h: Harness, path: string): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(`http://127.0.0.1:${h.agent.port}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

const q = (path: string, extra = ''): string => `?path=${encodeURIComponent(path)}${extra}`;

async function withTask(): Promise<{ h: Harness; base: string; dir: string }> {
  const h = await startAgent();
  h.agent.runTask(
    framework(),
    shellTask(
      'svc.0',
      'printf "started on 31000 with hello\\n"; mkdir sub; echo deep > sub/f; ln -s /etc escape; ln -s stdout alias; sleep 1000',
    ),
  );
  const running = await h.master.waitForState('svc.0', 'TASK_RUNNING');
  await new Promise((r) => setTimeout(r, 150));
  return { h, base: '/frameworks/M1-0000/executors/svc.0/runs/latest', dir: sandboxOf(running, h) };
}

describe('local agent: /files and /state', () => {
  it('reads as Mesos does: no offset → size only; offset 0 → data; length; capped at 64 KiB', async () => {
    const { h, base, dir } = await withTask();
    expect(await get(h, `/files/read${q(`${base}/stdout`)}`)).toEqual({
      status: 200,
      type: 'application/json',
      body: '{"data":"","offset":28}',
    });
    expect((await get(h, `/files/read${q(`${base}/stdout`, '&offset=-1')}`)).body).toBe('{"data":"","offset":28}');
    expect((await get(h, `/files/read${q(`${base}/stdout`, '&offset=0')}`)).body).toBe(
      '{"data":"started on 31000 with hello\\n","offset":0}',
    );
    expect((await get(h, `/files/read${q(`${base}/stdout`, '&offset=8&length=5')}`)).body).toBe(
      '{"data":"on 31","offset":8}',
    );
    expect((await get(h, `/files/read${q(`${base}/stdout`, '&offset=100')}`)).body).toBe('{"data":"","offset":100}');
    expect((await get(h, `/files/read${q(`${base}/stdout`, '&offset=0&length=0')}`)).body).toBe(
      '{"data":"","offset":0}',
    );
    expect((await get(h, `/files/read${q(`${base}/sub/f`, '&offset=0')}`)).body).toBe('{"data":"deep\\n","offset":0}');
    expect((await get(h, `/files/read${q(`${base}/alias`, '&offset=0&length=7')}`)).body).toBe(
      '{"data":"started","offset":0}',
    );
    // The real directory path and the deprecated work-dir path are attached too.
    expect((await get(h, `/files/read${q(`${dir}/stdout`)}`)).body).toBe('{"data":"","offset":28}');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir}/big`, 'x'.repeat(100_000));
    const big = JSON.parse((await get(h, `/files/read${q(`${base}/big`, '&offset=10')}`)).body) as {
      data: string;
      offset: number;
    };
    expect(big).toEqual({ data: 'x'.repeat(65536), offset: 10 });
  });

  it('answers errors with Mesos codes and texts', async () => {
    const { h, base } = await withTask();
    expect(await get(h, '/files/read')).toMatchObject({ status: 400, body: "Expecting 'path=value' in query.\n" });
    expect(await get(h, `/files/read${q(`${base}/stdout`, '&offset=abc')}`)).toMatchObject({
      status: 400,
      body: "Failed to parse offset: Failed to convert 'abc' to number.\n",
    });
    expect(await get(h, `/files/read${q(`${base}/stdout`, '&offset=-2')}`)).toMatchObject({
      status: 400,
      body: 'Negative offset provided: -2.\n',
    });
    expect(await get(h, `/files/read${q(`${base}/stdout`, '&offset=0&length=x1')}`)).toMatchObject({
      status: 400,
      body: "Failed to parse length: Failed to convert 'x1' to number.\n",
    });
    expect(await get(h, `/files/read${q(`${base}/stdout`, '&offset=0&length=-5')}`)).toMatchObject({
      status: 400,
      body: 'Negative length provided: -5.\n',
    });
    expect(await get(h, `/files/read${q(`${base}/sub`, '&offset=0')}`)).toMatchObject({
      status: 400,
      body: 'Cannot read a directory.\n',
    });
    expect(await get(h, `/files/download${q(`${base}/sub`)}`)).toMatchObject({
      status: 400,
      body: 'Cannot download a directory.\n',
    });
    for (const path of [
      `${base}/nope`,
      `${base}/../../../../../../../../etc/passwd`,
      '/etc/passwd',
      `${base}/escape/passwd`,
      '/frameworks',
      `${base}/stdout/x`,
    ]) {
      expect(await get(h, `/files/read${q(path, '&offset=0')}`), path).toEqual({
        status: 404,
        type: 'text/plain; charset=utf-8',
        body: '',
      });
    }
    expect((await get(h, `/files/browse${q(`${base}/escape`)}`)).status).toBe(404);
    expect((await get(h, `/files/download${q(`${base}/../../../../../../../../etc/passwd`)}`)).status).toBe(404);
  });

  it('browses, downloads and lists attachments', async () => {
    const { h, base, dir } = await withTask();
    const listing = JSON.parse((await get(h, `/files/browse${q(base)}`)).body) as Record<string, unknown>[];
    expect(listing.map((e) => e['path'])).toEqual(
      ['alias', 'escape', 'stderr', 'stdout', 'sub'].map((n) => `${base}/${n}`),
    );
    const stdout = listing.find((e) => e['path'] === `${base}/stdout`)!;
    expect(Object.keys(stdout)).toEqual(['gid', 'mode', 'mtime', 'nlink', 'path', 'size', 'uid']);
    expect(stdout).toMatchObject({ mode: '-rw-r--r--', nlink: 1, size: 28 });
    expect(listing.find((e) => e['path'] === `${base}/sub`)!['mode']).toMatch(/^d/);
    const download = await fetch(`http://127.0.0.1:${h.agent.port}/files/download${q(`${base}/stdout`)}`);
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(download.headers.get('content-disposition')).toBe('attachment; filename=stdout');
    expect(await download.text()).toBe('started on 31000 with hello\n');
    const debug = JSON.parse((await get(h, '/files/debug')).body) as Record<string, string>;
    expect(debug[base]).toBe(dir);
  });

  it('serves /state (and /slave(1)/state) in the legacy dialect, and /health', async () => {
    const { h, dir } = await withTask();
    expect((await get(h, '/health')).status).toBe(200);
    const state = JSON.parse((await get(h, '/slave(1)/state')).body) as Record<string, unknown>;
    expect(JSON.parse((await get(h, '/state')).body)).toMatchObject({ id: state['id'] });
    expect(state).toMatchObject({
      id: 'M1-S0',
      pid: `slave(1)@127.0.0.1:${h.agent.port}`,
      hostname: 'localhost',
      resources: { disk: 0, mem: 1024, gpus: 0, cpus: 2, ports: '[31000-32000]' },
      unreserved_resources_allocated: { cpus: 0.2, mem: 64 },
      completed_frameworks: [],
    });
    const fw = (state['frameworks'] as Record<string, unknown>[])[0]!;
    expect(fw).toMatchObject({
      id: 'M1-0000',
      name: 'test',
      checkpoint: true,
      roles: ['web'],
      completed_executors: [],
    });
    const ex = (fw['executors'] as Record<string, unknown>[])[0]!;
    expect(ex).toMatchObject({
      id: 'svc.0',
      source: 'svc.0',
      directory: dir,
      role: 'web',
      resources: { cpus: 0.2, mem: 64 },
      queued_tasks: [],
      completed_tasks: [],
    });
    expect(ex['name']).toBe("Command Executor (Task: svc.0) (Command: sh -c 'printf \"star...')");
    expect(dir.endsWith(`/${ex['container'] as string}`)).toBe(true);
    const task = (ex['tasks'] as Record<string, unknown>[])[0]!;
    expect(task).toMatchObject({
      id: 'svc.0',
      executor_id: '',
      slave_id: 'M1-S0',
      framework_id: 'M1-0000',
      state: 'TASK_RUNNING',
      role: 'web',
    });
    expect((task['statuses'] as { state: string }[]).map((s) => s.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING']);
    expect((await get(h, '/nope')).status).toBe(404);
  });
});
