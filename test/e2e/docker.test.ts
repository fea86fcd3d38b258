/**
 * Docker tasks end to end: the built CLI against a local cluster whose agent runs containers
 * on the engine of scripts/container-engine.sh (test image: busybox from Debian, no registry).
 * HOST and BRIDGE networking, a port mapping reached over HTTP and gating readiness through an
 * HTTP health check, env and fromEnv inside the container, a host-path volume, logs, delete
 * within the kill grace period, no container left behind, the Mesos containerizer with an
 * image, and the three ways a container fails (missing image, bad entrypoint, non-zero exit)
 * as apply reports them. Without an engine every test is skipped with the reason (failed in CI).
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCluster } from '../../src/local/index.js';
import type { Task } from '../../src/mesos/types.js';
import { runCli } from '../support/cli.js';
import { tasksNamed, testCluster } from '../support/cluster.js';
import { REPO } from '../support/cli.js';
import { containerNames, ENGINE, requireEngine, TEST_HTTPD_IMAGE, TEST_IMAGE } from '../support/docker-engine.js';

let cluster: LocalCluster | undefined;
const dir = mkdtempSync(path.join(tmpdir(), 'mesos-apply-docker-'));
let n = 0;

beforeAll(async () => {
  // 31080: the fixed host port of manifests/docker/nginx.yaml, inside Mesos's default [31000-32000].
  if (ENGINE.ok)
    cluster = await testCluster({ resources: 'cpus:4;mem:4096;disk:10000;ports:[31080-31080,31800-31899]' });
});
afterAll(async () => {
  await cluster?.close();
});

function manifest(tasks: Record<string, string>): string {
  const file = path.join(dir, `m-${++n}.yaml`);
  const docs = Object.entries(tasks).map(
    ([name, spec]) =>
      `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: ${name}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`,
  );
  writeFileSync(file, docs.join('---\n'));
  return file;
}

function cli(framework: string, args: string[], env: Record<string, string> = {}) {
  return runCli(args, {
    env: { MESOS_MASTER: cluster!.url, MESOS_APPLY_FRAMEWORK: framework, ...env },
    timeoutMs: 120_000,
  });
}

/** The `mesos-<container id>` names a task's statuses carry. */
function containersOf(tasks: Task[]): string[] {
  const ids = tasks.flatMap((t) => (t.statuses ?? []).map((s) => s.container_status?.container_id?.value));
  return [...new Set(ids.filter((id): id is string => id !== undefined))].map((id) => `mesos-${id}`);
}

async function expectNoContainerLeft(name: string): Promise<void> {
  const { active, completed } = await tasksNamed(cluster!.url, name);
  const names = containersOf([...active, ...completed]);
  expect(names.length).toBeGreaterThan(0);
  // The agent removes a container once its exit is known; that `docker rm` runs detached.
  for (let i = 0; i < 100 && names.some((c) => containerNames().includes(c)); i++)
    await new Promise((r) => setTimeout(r, 100));
  expect(containerNames().filter((c) => names.includes(c))).toEqual([]);
}

const resources = 'resources: {cpus: 0.1, mem: 64}';

describe('Docker tasks where no engine answers', () => {
  it('fail cleanly, saying why (on every machine: the agents use a docker CLI pointed at a dead socket)', async () => {
    const cliFile = path.join(dir, 'docker');
    writeFileSync(cliFile, '#!/bin/sh\nDOCKER_HOST=unix:///nonexistent/docker.sock exec docker "$@"\n');
    chmodSync(cliFile, 0o755);
    const dead = await testCluster({ docker: cliFile });
    try {
      const f = manifest({
        dock: `container: {docker: {image: '${TEST_IMAGE}', network: BRIDGE, portMappings: [{name: http, containerPort: 80}]}}\n${resources}`,
      });
      const r = await runCli(['-f', f], { env: { MESOS_MASTER: dead.url, MESOS_APPLY_FRAMEWORK: 'fw-dead' } });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('TASK_FAILED');
      expect(r.stdout).toContain('REASON_EXECUTOR_TERMINATED');
      expect(r.stdout).toMatch(/No Docker engine is reachable from this agent/);
    } finally {
      await dead.close();
    }
  });
});

describe('Docker tasks through mesos-apply', () => {
  it('HOST network: env and fromEnv, a host-path volume, logs, delete within the grace period', async (ctx) => {
    requireEngine(ctx);
    const data = mkdtempSync(path.join(tmpdir(), 'mesos-apply-volume-'));
    writeFileSync(path.join(data, 'in.txt'), 'from-the-host\n');
    const f = manifest({
      host: [
        `container: {docker: {image: '${TEST_IMAGE}', network: HOST, volumes: [{containerPath: /data, hostPath: '${data}'}]}}`,
        // `exec sleep`: PID 1 without a TERM handler ignores docker stop's SIGTERM, so the
        // container ends only at the grace period's SIGKILL.
        `command: 'echo greeting=$GREETING; echo token=$TOKEN; cat /data/in.txt; echo to-stderr >&2; echo written > /data/out.txt; exec sleep 600'`,
        `env: {GREETING: hello, TOKEN: {fromEnv: E2E_TOKEN}}`,
        'killGracePeriod: 2s',
        resources,
      ].join('\n'),
    });
    const r = await cli('fw-host', ['-f', f], { E2E_TOKEN: 't0ken-value' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toContain('t0ken-value');

    const logs = await cli('fw-host', ['logs', 'host']);
    expect(logs.stdout).toContain('greeting=hello');
    expect(logs.stdout).toContain('token=t0ken-value');
    expect(logs.stdout).toContain('from-the-host');
    expect((await cli('fw-host', ['logs', 'host', '--stderr'])).stdout).toContain('to-stderr');
    expect(readFileSync(path.join(data, 'out.txt'), 'utf8')).toBe('written\n');

    const started = Date.now();
    const del = await cli('fw-host', ['delete', 'host']);
    const took = Date.now() - started;
    expect(del.code, del.stdout + del.stderr).toBe(0);
    expect(took).toBeGreaterThanOrEqual(2000);
    expect(took).toBeLessThan(15_000);
    const { active, completed } = await tasksNamed(cluster!.url, 'host');
    expect(active).toEqual([]);
    expect(completed.map((t) => t.state)).toEqual(['TASK_KILLED']);
    await expectNoContainerLeft('host');
  }, 120_000);

  it('BRIDGE network: a port mapping reached over HTTP, an HTTP health check gating readiness', async (ctx) => {
    requireEngine(ctx);
    const f = manifest({
      web: [
        `container: {docker: {image: '${TEST_IMAGE}', network: BRIDGE, portMappings: [{name: http, containerPort: 80}]}}`,
        `command: 'exec httpd -f -p 80 -h /www'`,
        'healthCheck: {http: {port: http, path: /index.html}, delay: 0s, interval: 1s, gracePeriod: 10s}',
        'killGracePeriod: 1s',
        resources,
      ].join('\n'),
    });
    const r = await cli('fw-bridge', ['-f', f, '-o', 'json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.instances[0]).toMatchObject({ outcome: 'healthy', healthy: true });
    const [{ hostPort: port }] = report.instances[0].ports as { name?: string; hostPort: number }[];
    expect(port === 31080 || (port >= 31800 && port <= 31899)).toBe(true);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('hello from busybox httpd\n');

    const [task] = (await tasksNamed(cluster!.url, 'web')).active;
    expect(task!.container).toMatchObject({
      type: 'DOCKER',
      docker: { network: 'BRIDGE', port_mappings: [{ host_port: port, container_port: 80, protocol: 'tcp' }] },
    });
    expect(task!.health_check?.http?.port).toBe(80);
    expect((await cli('fw-bridge', ['delete', 'web'])).code).toBe(0);
    await expectNoContainerLeft('web');
  }, 120_000);

  it('manifests/docker/nginx.yaml runs as the README shows (with an HTTP image built here for nginx:1.27)', async (ctx) => {
    requireEngine(ctx);
    const example = readFileSync(path.join(REPO, 'manifests/docker/nginx.yaml'), 'utf8');
    expect(example).toContain('image: nginx:1.27');
    const f = path.join(dir, 'nginx.yaml');
    writeFileSync(f, example.replace('image: nginx:1.27', `image: ${TEST_HTTPD_IMAGE}`));
    const r = await cli('fw-nginx', ['-f', f]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('healthy');
    const res = await fetch('http://127.0.0.1:31080/');
    expect(res.status).toBe(200);
  }, 120_000);

  it('the Mesos containerizer runs a Docker image too', async (ctx) => {
    requireEngine(ctx);
    const f = manifest({
      ucr: [
        `container: {mesos: {image: '${TEST_IMAGE}'}}`,
        'goal: finished',
        `args: [echo, ran-in-ucr]`,
        resources,
      ].join('\n'),
    });
    const r = await cli('fw-ucr', ['-f', f]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [task] = (await tasksNamed(cluster!.url, 'ucr')).completed;
    expect(task!.state).toBe('TASK_FINISHED');
    expect(task!.container).toEqual({
      type: 'MESOS',
      mesos: { image: { type: 'DOCKER', docker: { name: TEST_IMAGE }, cached: true } },
    });
    expect((await cli('fw-ucr', ['logs', 'ucr'])).stdout).toContain('ran-in-ucr');
    await expectNoContainerLeft('ucr');
  }, 120_000);

  it('a missing image, a bad entrypoint and a non-zero exit end TASK_FAILED, explained by apply', async (ctx) => {
    requireEngine(ctx);
    const f = manifest({
      // A registry on a closed loopback port: the pull fails at once, without leaving the machine.
      'no-image': `container: {docker: {image: 'localhost:1/mesos-apply/no-such-image:1'}}\ncommand: 'true'\n${resources}`,
      'bad-entry': `container: {docker: {image: '${TEST_IMAGE}', parameters: [{key: entrypoint, value: /no/such/program}]}}\n${resources}`,
      'exits-3': `container: {docker: {image: '${TEST_IMAGE}'}}\ncommand: 'echo about to fail >&2; exit 3'\n${resources}`,
    });
    const r = await cli('fw-fail', ['-f', f, '--pending-timeout', '30s']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const out = r.stdout;
    // The missing image: Mesos's launch failure, with the engine's pull error.
    expect(out).toMatch(/no-image[\s\S]*TASK_FAILED/);
    expect(out).toContain('REASON_CONTAINER_LAUNCH_FAILED');
    expect(out).toMatch(/Failed to launch container: Failed to run '.*pull localhost:1\/mesos-apply\/no-such-image:1'/);
    // The bad entrypoint: the container exits, and the engine says why on stderr.
    expect(out).toMatch(/\/no\/such\/program.*(not found|no such file)/i);
    // The non-zero exit: Mesos's message and the container's own stderr.
    expect(out).toContain('Container exited with status 3');
    expect(out).toContain('about to fail');
    for (const name of ['no-image', 'bad-entry', 'exits-3']) {
      const { active, completed } = await tasksNamed(cluster!.url, name);
      expect(active).toEqual([]);
      expect(completed.map((t) => t.state)).toContain('TASK_FAILED');
    }
    await expectNoContainerLeft('exits-3');
    await expectNoContainerLeft('bad-entry');
  }, 120_000);
});
