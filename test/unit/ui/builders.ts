/** Builders for the renderers' tests: plans, views and fit reports with defaults. */
import type { InstanceView } from '../../../src/apply/events.js';
import type { Writer } from '../../../src/cli/io.js';
import type { FitReport, Plan, PlanItem, PlanSummary } from '../../../src/plan/types.js';

export function item(over: Partial<PlanItem> & Pick<PlanItem, 'action' | 'name'>): PlanItem {
  return { instance: 0, taskId: `${over.name}.0.h1`, specHash: 'h1', ...over };
}

export function summaryOf(items: PlanItem[]): PlanSummary {
  const s: PlanSummary = { create: 0, replace: 0, relaunch: 0, delete: 0, unchanged: 0, unplaced: 0 };
  for (const it of items) {
    s[it.action] += 1;
    if (it.unplaced !== undefined) s.unplaced += 1;
  }
  return s;
}

export function plan(items: PlanItem[]): Plan {
  return {
    formatVersion: 1,
    framework: 'mesos-apply',
    basis: { tasks: [], specs: [], offerIds: [], agentIds: [] },
    items,
    accepts: [],
    summary: summaryOf(items),
  };
}

export const NEVER_FIT: FitReport = {
  kind: 'never',
  summary:
    'fits no agent of the cluster at all: needs cpus 4, mem 2048; 3 agents lack rack=r2; 2 agents have less than cpus 4',
  needs: { role: '*', cpus: 4, mem: 2048, disk: 0, gpus: 0, fixedPorts: [], anyPorts: 0 },
  reasons: [
    { reason: 'constraint', count: 3, detail: '3 agents lack rack=r2' },
    { reason: 'cpus', count: 2, detail: '2 agents have less than cpus 4' },
  ],
};

export const NOT_NOW_FIT: FitReport = {
  kind: 'not-now',
  summary:
    'no room free right now: needs cpus 1, mem 128, port 8080; the nearest offer (h1) port 8080 taken; port 8080 is taken on all 5 offers',
  needs: { role: '*', cpus: 1, mem: 128, disk: 0, gpus: 0, fixedPorts: [8080], anyPorts: 0 },
  best: { agentId: 'a1', hostname: 'h1', have: { cpus: 2 }, lacks: ['port 8080 taken'] },
  reasons: [{ reason: 'ports', count: 5, detail: 'port 8080 is taken on all 5 offers' }],
};

export function view(over: Partial<InstanceView> & Pick<InstanceView, 'name' | 'phase'>): InstanceView {
  const instance = over.instance ?? 0;
  return {
    key: `${over.name}/${instance}`,
    instance,
    action: 'create',
    taskId: `${over.name}.${instance}.h1`,
    ...over,
  };
}

/** What the engine reports for a launched task when Ctrl-C stops the run (engine.ts interruptAll). */
export const LEFT_RUNNING: InstanceView = view({
  name: 'web',
  phase: 'interrupted',
  state: 'TASK_RUNNING',
  agentId: 'a1',
  host: 'h1',
  settled: true,
  failure: { state: 'TASK_RUNNING', message: 'interrupted after launch: the task keeps running on its agent' },
});

export function fakeWriter(isTTY = false): Writer & { text: () => string; columns: number } {
  let buf = '';
  const write = (c: string): boolean => {
    buf += c;
    return true;
  };
  return { write, isTTY, columns: 100, text: () => buf };
}

/** A clock the test moves by hand. */
export function fakeClock(start = '2026-11-25T23:41:09.000Z') {
  let t = Date.parse(start);
  const advance = (seconds: number): void => {
    t += seconds * 1000;
  };
  return { now: () => new Date(t), advance };
}

/** Polls `cond` every 10 ms until it holds (throws after `timeoutMs`). */
export async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('waitFor: condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
