/** A local cluster for a test file, on a free port, with a throwaway work dir. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalCluster, type LocalCluster, type LocalClusterOptions } from '../../src/local/index.js';
import type { GetTasks, Task } from '../../src/mesos/types.js';

export async function testCluster(opts: LocalClusterOptions = {}): Promise<LocalCluster> {
  return startLocalCluster({
    port: 0,
    agents: 1,
    resources: 'cpus:4;mem:4096;disk:10000;ports:[31000-31999]',
    workDir: mkdtempSync(path.join(tmpdir(), 'mesos-apply-test-')),
    allocationIntervalMs: 200,
    statusRetryMs: 1000,
    ...opts,
  });
}

export async function operator<T>(url: string, call: object): Promise<T> {
  const res = await fetch(`${url}/api/v1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(call),
  });
  if (!res.ok) throw new Error(`operator call failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function allTasks(url: string): Promise<GetTasks> {
  return (await operator<{ get_tasks: GetTasks }>(url, { type: 'GET_TASKS' })).get_tasks;
}

/** Active tasks of a framework (by name) with a given manifest name label. */
export async function tasksNamed(url: string, name: string): Promise<{ active: Task[]; completed: Task[] }> {
  const t = await allTasks(url);
  const has = (x: Task) => x.labels?.labels?.some((l) => l.key === 'mesos-apply/name' && l.value === name) ?? false;
  return { active: t.tasks.filter(has), completed: t.completed_tasks.filter(has) };
}

export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 15_000, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A writer of one-document manifests into a fresh temp dir: `write(name, spec)` indents the
 * `spec` YAML under `spec:` and returns a new file's path (never the same file twice).
 */
export function manifestWriter(prefix: string): (name: string, spec: string) => string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  let n = 0;
  return (name, spec) => {
    const file = path.join(dir, `${name}-${++n}.yaml`);
    writeFileSync(
      file,
      `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: ${name}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`,
    );
    return file;
  };
}

/**
 * SIGKILLs the process group of the active task of this manifest name on this cluster (the
 * local agent reports the task's own pid as executor_pid): only that task, never a process
 * of another test that happens to run the same command line.
 */
export async function killTaskProcess(url: string, name: string): Promise<Task> {
  const task = (await tasksNamed(url, name)).active.find((t) => t.state === 'TASK_RUNNING');
  if (task === undefined) throw new Error(`no running task named ${name}`);
  process.kill(-pidOf(task), 'SIGKILL');
  return task;
}

/** The task's process group (the local agent reports the task's own pid as executor_pid). */
export function pidOf(task: Task): number {
  const pid = task.statuses?.map((s) => s.container_status?.executor_pid).find((p) => p !== undefined);
  if (pid === undefined || pid <= 1) throw new Error(`no pid for ${task.task_id.value}`);
  return pid;
}
