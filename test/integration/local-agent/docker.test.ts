import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskInfo } from '../../../src/mesos/types.js';
import { cleanupAll, framework, readSandbox, shellTask, startAgent } from './helpers.js';

afterEach(cleanupAll);

function engineAnswers(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

const ENGINE = engineAnswers();

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

describe('local agent: Docker tasks', () => {
  it.skipIf(ENGINE)(
    'without a reachable engine: TASK_FAILED as a real agent without the Docker containerizer',
    async () => {
      const h = await startAgent();
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
    },
  );

  it.skipIf(ENGINE)('a missing docker CLI is explained too', async () => {
    const h = await startAgent({ docker: '/no/such/docker' });
    h.agent.runTask(framework(), dockerTask('no-cli'));
    const failed = await h.master.waitForState('no-cli', 'TASK_FAILED');
    expect(failed.status.message).toContain("the '/no/such/docker' CLI is not installed");
  });

  it.skipIf(ENGINE)('a KILL while the engine is probed is a kill during launch', async () => {
    const h = await startAgent();
    h.agent.runTask(framework(), dockerTask('early-docker'));
    h.agent.killTask('M1-0000', 'early-docker');
    const killed = await h.master.waitForState('early-docker', 'TASK_KILLED');
    expect(killed.status.reason).toBe('REASON_TASK_KILLED_DURING_LAUNCH');
  });

  // Only where a Docker engine answers (`docker info` succeeds); skipped on machines without one.
  it.runIf(ENGINE)(
    'with an engine: runs the container, reports RUNNING, and docker stop on KILL',
    async () => {
      const h = await startAgent();
      const task = shellTask('busybox.0', 'echo from-container; sleep 1000', {
        container: { type: 'DOCKER', docker: { image: 'busybox:1.36', network: 'HOST' } },
        kill_policy: { grace_period: { nanoseconds: 1e9 } },
      });
      h.agent.runTask(framework(), task);
      await h.master.waitForState('busybox.0', 'TASK_RUNNING', 120_000);
      h.agent.killTask('M1-0000', 'busybox.0');
      const killed = await h.master.waitForState('busybox.0', 'TASK_KILLED', 30_000);
      expect(killed.status.message).toMatch(/^Container /);
      expect(readSandbox(h, 'busybox.0', 'stdout')).toContain('from-container');
    },
    180_000,
  );
});
