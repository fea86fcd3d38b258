/**
 * The local agent's Docker executor against a real engine (scripts/container-engine.sh), and
 * without one: the no-engine tests give the agent a `docker` CLI pointed at a dead socket,
 * so they run on every machine.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskInfo } from '../../../src/mesos/types.js';
import { containerNames, requireEngine, TEST_IMAGE } from '../../support/docker-engine.js';
import { cleanupAll, framework, readSandbox, shellTask, startAgent } from './helpers.js';

afterEach(cleanupAll);

/** A docker CLI that talks to no engine at all. */
function deadEngineCli(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ma-docker-')), 'docker');
  writeFileSync(file, '#!/bin/sh\nDOCKER_HOST=unix:///nonexistent/docker.sock exec docker "$@"\n');
  chmodSync(file, 0o755);
  return file;
}

function dockerTask(id: string, extra: Partial<TaskInfo> = {}): TaskInfo {
  return shellTask(id, '', {
    command: { shell: false },
    container: {
      type: 'DOCKER',
      docker: {
        image: 'nginx:1.27',
        network: 'BRIDGE',
        port_mappings: [{ host_port: 31000, container_port: 80, protocol: 'tcp' }],
      },
    },
    ...extra,
  });
}

describe('local agent: Docker tasks without an engine', () => {
  it('TASK_FAILED as a real agent without the Docker containerizer', async () => {
    const h = await startAgent({ docker: deadEngineCli() });
    h.agent.runTask(framework(), dockerTask('nginx-docker'));
    const failed = await h.master.waitForState('nginx-docker', 'TASK_FAILED', 15_000);
    expect(h.master.states('nginx-docker')).toEqual(['TASK_FAILED']);
    expect(failed.status).toMatchObject({
      source: 'SOURCE_AGENT',
      reason: 'REASON_EXECUTOR_TERMINATED',
      executor_id: { value: 'nginx-docker' },
    });
    expect(failed.status.message).toMatch(
      /^Abnormal executor termination: unknown container\. No Docker engine is reachable/,
    );
    expect(failed.status.container_status).toBeUndefined();
    expect(readSandbox(h, 'nginx-docker', 'stderr')).toContain('No Docker engine is reachable');
  });

  it('a Mesos container image fails as on an agent without an image provisioner', async () => {
    const h = await startAgent({ docker: deadEngineCli() });
    h.agent.runTask(
      framework(),
      shellTask('ucr', 'true', {
        container: { type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: TEST_IMAGE } } } },
      }),
    );
    const failed = await h.master.waitForState('ucr', 'TASK_FAILED', 15_000);
    expect(failed.status).toMatchObject({ source: 'SOURCE_AGENT', reason: 'REASON_CONTAINER_LAUNCH_FAILED' });
    expect(failed.status.message).toMatch(
      /^Failed to launch container: Unsupported container image type: 2\. No Docker/,
    );
  });

  it('a missing docker CLI is explained too', async () => {
    const h = await startAgent({ docker: '/no/such/docker' });
    h.agent.runTask(framework(), dockerTask('no-cli'));
    const failed = await h.master.waitForState('no-cli', 'TASK_FAILED');
    expect(failed.status.message).toContain("the '/no/such/docker' CLI is not installed");
  });

  it('a KILL while the engine is probed is a kill during launch', async () => {
    const h = await startAgent({ docker: deadEngineCli() });
    h.agent.runTask(framework(), dockerTask('early-docker'));
    h.agent.killTask('M1-0000', 'early-docker');
    const killed = await h.master.waitForState('early-docker', 'TASK_KILLED');
    expect(killed.status.reason).toBe('REASON_TASK_KILLED_DURING_LAUNCH');
  });
});

describe('local agent: Docker tasks with an engine', () => {
  it('runs the container, reports RUNNING with the inspect data, and docker stop on KILL', async (ctx) => {
    requireEngine(ctx);
    const h = await startAgent();
    const task = shellTask('busybox.0', 'echo from-container; echo sandbox=$MESOS_SANDBOX; sleep 1000', {
      container: { type: 'DOCKER', docker: { image: TEST_IMAGE, network: 'HOST' } },
      kill_policy: { grace_period: { nanoseconds: 1e9 } },
    });
    h.agent.runTask(framework(), task);
    const running = await h.master.waitForState('busybox.0', 'TASK_RUNNING', 60_000);
    const inspect = JSON.parse(Buffer.from(running.status.data!, 'base64').toString()) as { Name: string }[];
    expect(inspect[0]!.Name).toMatch(/mesos-/);
    expect(h.master.states('busybox.0')).toEqual(['TASK_STARTING', 'TASK_RUNNING']);
    h.agent.killTask('M1-0000', 'busybox.0');
    const killed = await h.master.waitForState('busybox.0', 'TASK_KILLED', 30_000);
    expect(killed.status.message).toMatch(/^Container /);
    expect(readSandbox(h, 'busybox.0', 'stdout')).toContain('from-container');
    expect(readSandbox(h, 'busybox.0', 'stdout')).toContain('sandbox=/mnt/mesos/sandbox');
  }, 90_000);

  it('a mapped host port outside the task resources fails as mesos-docker-executor does', async (ctx) => {
    requireEngine(ctx);
    const h = await startAgent();
    h.agent.runTask(framework(), dockerTask('unmapped', { command: { shell: false } }));
    const failed = await h.master.waitForState('unmapped', 'TASK_FAILED', 60_000);
    expect(failed.status).toMatchObject({
      message: 'Failed to create docker run options: Port mappings require port resources',
      source: 'SOURCE_EXECUTOR',
    });
    expect(failed.status.reason).toBeUndefined();
  }, 90_000);

  it('runs a Mesos container image with the command executor wording', async (ctx) => {
    requireEngine(ctx);
    const h = await startAgent();
    const task = shellTask('ucr.0', 'echo ucr-ran in $(pwd); exit 4', {
      container: { type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: TEST_IMAGE } } } },
    });
    h.agent.runTask(framework(), task);
    const failed = await h.master.waitForState('ucr.0', 'TASK_FAILED', 60_000);
    expect(failed.status.message).toBe('Command exited with status 4');
    expect(failed.status.source).toBe('SOURCE_EXECUTOR');
    expect(readSandbox(h, 'ucr.0', 'stdout')).toContain('ucr-ran in /mnt/mesos/sandbox');
    await expectGone(failed.status.container_status?.container_id?.value);
  }, 90_000);
});

async function expectGone(containerId: string | undefined): Promise<void> {
  const name = `mesos-${containerId}`;
  for (let i = 0; i < 100 && containerNames().includes(name); i++) await new Promise((r) => setTimeout(r, 100));
  expect(containerNames()).not.toContain(name);
}
