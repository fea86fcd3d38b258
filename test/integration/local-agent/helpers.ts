/**
 * Test harness for the local agent: a recording MasterLink (optionally acknowledging
 * every update like a well-behaved scheduler), a temp work dir, and cleanup.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentHandle, AgentStatusUpdate, MasterLink } from '../../../src/local/agent-link.js';
import { createAgent } from '../../../src/local/agent/index.js';
import type { LocalAgentOptions } from '../../../src/local/agent/agent.js';
import type { FrameworkInfo, TaskInfo, TaskState } from '../../../src/mesos/types.js';

export class RecordingMaster implements MasterLink {
  readonly updates: AgentStatusUpdate[] = [];
  agent: AgentHandle | undefined;
  autoAck = true;
  private waiters: (() => void)[] = [];

  statusUpdate(update: AgentStatusUpdate): void {
    this.updates.push(update);
    if (this.autoAck && this.agent) {
      const agent = this.agent;
      queueMicrotask(() => agent.acknowledge(update.frameworkId, update.status.task_id.value, update.status.uuid!));
    }
    for (const w of this.waiters.splice(0)) w();
  }

  /** Distinct updates (by uuid) of one task, in first-delivery order. */
  states(taskId: string): TaskState[] {
    return this.distinct(taskId).map((u) => u.status.state);
  }

  distinct(taskId: string): AgentStatusUpdate[] {
    const seen = new Set<string>();
    return this.updates.filter(
      (u) => u.status.task_id.value === taskId && !seen.has(u.status.uuid!) && seen.add(u.status.uuid!),
    );
  }

  async waitFor(pred: (u: AgentStatusUpdate) => boolean, timeoutMs = 10_000): Promise<AgentStatusUpdate> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.updates.find(pred);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out; updates: ${JSON.stringify(this.updates.map((u) => [u.status.task_id.value, u.status.state, u.status.message]))}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  waitForState(taskId: string, state: TaskState, timeoutMs?: number): Promise<AgentStatusUpdate> {
    return this.waitFor((u) => u.status.task_id.value === taskId && u.status.state === state, timeoutMs);
  }
}

export interface Harness {
  agent: AgentHandle;
  master: RecordingMaster;
  workDir: string;
}

const cleanups: (() => Promise<void> | void)[] = [];

export async function cleanupAll(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

export async function startAgent(extra: Partial<LocalAgentOptions> = {}): Promise<Harness> {
  const workDir = mkdtempSync(join(tmpdir(), 'ma-agent-'));
  const master = new RecordingMaster();
  const agent = createAgent({
    id: 'M1-S0',
    hostname: 'localhost',
    listen: '127.0.0.1',
    port: 0,
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 2 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 1024 } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] } },
    ],
    attributes: [],
    workDir,
    master,
    retryMs: 10_000,
    maxRetryMs: 60_000,
    closeGraceMs: 500,
    ...extra,
  } as LocalAgentOptions);
  master.agent = agent;
  await agent.start();
  cleanups.push(async () => {
    await agent.close();
    rmSync(workDir, { recursive: true, force: true });
  });
  return { agent, master, workDir };
}

export function framework(
  capabilities: string[] = ['TASK_KILLING_STATE', 'PARTITION_AWARE', 'MULTI_ROLE'],
  id = 'M1-0000',
): FrameworkInfo & { id: { value: string } } {
  return {
    user: 'nobody',
    name: 'test',
    id: { value: id },
    checkpoint: true,
    failover_timeout: 3600,
    roles: ['web'],
    capabilities: capabilities.map((type) => ({ type: type as 'TASK_KILLING_STATE' })),
  };
}

export function shellTask(id: string, command: string, extra: Partial<TaskInfo> = {}): TaskInfo {
  return {
    name: id.split('.')[0]!,
    task_id: { value: id },
    agent_id: { value: 'M1-S0' },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, allocation_info: { role: 'web' } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 }, allocation_info: { role: 'web' } },
    ],
    command: { shell: true, value: command },
    ...extra,
  };
}

export function sandboxOf(u: AgentStatusUpdate, h: Harness): string {
  const cid = u.status.container_status?.container_id?.value ?? '';
  return join(
    h.workDir,
    'slaves',
    'M1-S0',
    'frameworks',
    u.frameworkId,
    'executors',
    u.status.task_id.value,
    'runs',
    cid,
  );
}

export function readSandbox(h: Harness, taskId: string, file: string, fw = 'M1-0000'): string {
  return readFileSync(
    join(h.workDir, 'slaves', 'M1-S0', 'frameworks', fw, 'executors', taskId, 'runs', 'latest', file),
    'utf8',
  );
}

interface ProcInfo {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
}

/** Every process on the machine, from /proc (Linux). */
export function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(entry), state: fields[0]!, ppid: Number(fields[1]), pgrp: Number(fields[2]) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * True if a live (non-zombie) process is still in group `pgid`. Zombies of grandchildren
 * that were re-parented to PID 1 are init's to reap, not the agent's.
 */
export function groupAlive(pgid: number): boolean {
  return processes().some((p) => p.pgrp === pgid && p.state !== 'Z');
}

/** Zombie children of this (the agent's) process: must always be none. */
export function ourZombies(): ProcInfo[] {
  return processes().filter((p) => p.ppid === process.pid && p.state === 'Z');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
