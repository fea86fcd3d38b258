import { describe, expect, it } from 'vitest';
import { MAX_DROP_RETRIES, Tracker } from '../../../src/apply/tracker.js';
import type { TaskState, TaskStatus } from '../../../src/mesos/types.js';
import type { LoadedSpec, TaskSpec } from '../../../src/model/spec.js';
import type { PlanItem, TaskPlacement } from '../../../src/plan/types.js';

const spec = (over: Partial<TaskSpec> = {}): TaskSpec => ({
  name: 'web',
  labels: {},
  goal: 'running',
  instances: 1,
  role: '*',
  command: 'sleep 1',
  env: {},
  uris: [],
  resources: { cpus: 0.1, mem: 32, disk: 0, gpus: 0 },
  ports: [],
  killGracePeriod: 3,
  constraints: [],
  ...over,
});
const loaded = (over: Partial<TaskSpec> = {}): LoadedSpec => ({
  spec: spec(over),
  hash: 'h1',
  source: { file: 'f.yaml', document: 0, line: 1, col: 1 },
});
const item = (over: Partial<PlanItem> = {}): PlanItem => ({
  action: 'create',
  name: 'web',
  instance: 0,
  taskId: 'web.0.h1',
  specHash: 'h1',
  ...over,
});
const placement: TaskPlacement = {
  agentId: 'S0',
  hostname: 'h',
  role: '*',
  offerIds: ['O1'],
  resources: [],
  ports: [{ name: 'http', hostPort: 31000, protocol: 'tcp' }],
};
const status = (taskId: string, state: TaskState, extra: Partial<TaskStatus> = {}): TaskStatus => ({
  task_id: { value: taskId },
  state,
  agent_id: { value: 'S0' },
  ...extra,
});

describe('Tracker launches', () => {
  it('walks a launch from waiting to done, and is finished only then', () => {
    const t = new Tracker();
    const l = t.addLaunch(item(), loaded());
    expect(l.view.phase).toBe('waiting-offer');
    expect(t.pending()).toEqual([l]);
    const v = t.placed(l, placement);
    expect(v).toMatchObject({
      phase: 'launching',
      agentId: 'S0',
      host: 'h',
      ports: [{ name: 'http', hostPort: 31000 }],
    });
    expect(t.pending()).toEqual([]);
    expect(t.onLaunchStatus(l, status('web.0.h1', 'TASK_STARTING')).view.phase).toBe('starting');
    const r = t.onLaunchStatus(l, status('web.0.h1', 'TASK_RUNNING'));
    expect(r.done).toBe(true);
    expect(t.finished()).toBe(false);
    t.settle(l, true);
    expect(t.finished()).toBe(true);
  });

  it('knows which launches wait for an offer through every change: placed, dropped, held, settled, replaced', () => {
    const t = new Tracker();
    const a = t.addLaunch(item({ taskId: 'a' }), loaded());
    const b = t.addLaunch(item({ taskId: 'b', instance: 1 }), loaded());
    const c = t.addLaunch(item({ taskId: 'c', instance: 2 }), loaded());
    // The brute-force answer, to compare with after each step.
    const waiting = () => [...t.launches.values()].filter((l) => !l.settled && !l.launched && l.held === undefined);
    const check = () => {
      expect(t.pending()).toEqual(waiting());
      expect(t.hasPending()).toBe(waiting().length > 0);
    };
    check();
    t.placed(a, placement);
    t.hold(b, 'batch');
    check();
    expect(t.pending()).toEqual([c]);
    t.unlaunch(a); // the ACCEPT failed: waits again, in its first place in the order
    check();
    expect(t.pending()).toEqual([a, c]);
    t.hold(b, undefined);
    t.settle(c, false);
    check();
    expect(t.pending()).toEqual([a, b]);
    t.placed(a, placement);
    t.placed(b, placement);
    check();
    expect(t.hasPending()).toBe(false);
    // A second launch for the same task id replaces the first, which no longer counts.
    const a2 = t.addLaunch(item({ taskId: 'a' }), loaded());
    check();
    expect(t.pending()).toEqual([a2]);
    t.unlaunch(a); // the replaced record changes nothing
    check();
    expect(t.pending()).toEqual([a2]);
  });

  it('ignores updates once settled', () => {
    const t = new Tracker();
    const l = t.addLaunch(item(), loaded());
    t.placed(l, placement);
    t.settle(l, true, { phase: 'running' });
    const r = t.onLaunchStatus(l, status('web.0.h1', 'TASK_FAILED'));
    expect(r.failed).toBeUndefined();
    expect(l.view.phase).toBe('running');
  });

  it('sends a launch dropped for invalid offers back to waiting, a bounded number of times', () => {
    const t = new Tracker();
    const l = t.addLaunch(item(), loaded());
    const dropped = status('web.0.h1', 'TASK_DROPPED', { reason: 'REASON_INVALID_OFFERS', source: 'SOURCE_MASTER' });
    for (let i = 0; i < MAX_DROP_RETRIES; i++) {
      t.placed(l, placement);
      const r = t.onLaunchStatus(l, dropped);
      expect(r.retry).toBe(true);
      expect(l.view).not.toHaveProperty('agentId');
      expect(t.pending()).toEqual([l]);
    }
    t.placed(l, placement);
    const last = t.onLaunchStatus(l, dropped);
    expect(last.retry).toBeUndefined();
    expect(last.failed).toMatchObject({ state: 'TASK_DROPPED', reason: 'REASON_INVALID_OFFERS', host: 'h' });
  });

  it('fails a service that finishes, with the reason to use a job', () => {
    const t = new Tracker();
    const l = t.addLaunch(item(), loaded());
    t.placed(l, placement);
    const r = t.onLaunchStatus(l, status('web.0.h1', 'TASK_FINISHED', { message: 'Command exited with status 0' }));
    expect(r.failed?.message).toMatch(/goal: finished/);
  });

  it('remembers why a launch did not fit, adding rejection counts over rounds', () => {
    const t = new Tracker();
    const l = t.addLaunch(item(), loaded());
    const report = {
      kind: 'not-now' as const,
      summary: 's',
      needs: { role: '*', cpus: 0.1, mem: 32, disk: 0, gpus: 0, fixedPorts: [], anyPorts: 0 },
      reasons: [{ reason: 'cpus' as const, count: 2, detail: '2 offers lack cpus' }],
    };
    t.notPlaced(l, report, 1000);
    t.notPlaced(l, report, 2000);
    expect(l.pendingSince).toBe(1000);
    expect(l.rejections.cpus).toBe(4);
    expect(l.lastFit).toBe(report);
  });
});

describe('Tracker kills', () => {
  it('reports a delete killing, unreachable, then killed', () => {
    const t = new Tracker();
    const k = t.addDelete(item({ action: 'delete', oldState: 'TASK_RUNNING' }), 'S0', 'h');
    expect(k.view).toMatchObject({ phase: 'killing', state: 'TASK_RUNNING', agentId: 'S0', host: 'h' });
    expect(t.onKillStatus(k, status('web.0.h1', 'TASK_UNREACHABLE'), 1)?.phase).toBe('unreachable');
    expect(t.onKillStatus(k, status('web.0.h1', 'TASK_KILLING'), 2)?.phase).toBe('killing');
    const v = t.onKillStatus(k, status('web.0.h1', 'TASK_KILLED'), 3);
    expect(v).toMatchObject({ phase: 'killed', state: 'TASK_KILLED', settled: true });
    expect(k.ok).toBe(true);
    expect(t.onKillStatus(k, status('web.0.h1', 'TASK_RUNNING'), 4)).toBeUndefined();
    expect(t.finished()).toBe(true);
  });

  it('is finished only once every kill is settled, whichever order they end in', () => {
    const t = new Tracker();
    const ks = [0, 1, 2].map((i) =>
      t.addDelete(item({ action: 'delete', instance: i, taskId: `web.${i}.h1`, oldState: 'TASK_RUNNING' }), 'S0', 'h'),
    );
    const end = (i: number) => t.onKillStatus(ks[i]!, status(`web.${i}.h1`, 'TASK_KILLED'), i);
    expect(t.finished()).toBe(false);
    end(1);
    expect(t.finished()).toBe(false);
    end(0);
    expect(t.finished()).toBe(false);
    // A kill added after the last look, behind one that was open: still not finished.
    const late = t.addReplaceKill('web.9.h0', 'S0', ks[0]!.view);
    end(2);
    expect(t.finished()).toBe(false);
    t.onKillStatus(late, status('web.9.h0', 'TASK_KILLED'), 9);
    expect(t.finished()).toBe(true);
  });

  it('settles the old task of a replace without touching its successor view', () => {
    const t = new Tracker();
    const l = t.addLaunch(item({ action: 'replace', oldTaskId: 'web.0.h0' }), loaded());
    t.placed(l, placement);
    const successor = t.settle(l, true, { phase: 'running' });
    const k = t.addReplaceKill('web.0.h0', 'S0', successor);
    expect(t.onKillStatus(k, status('web.0.h0', 'TASK_KILLING'), 1)).toBeUndefined();
    expect(k.settled).toBe(false);
    expect(t.onKillStatus(k, status('web.0.h0', 'TASK_KILLED'), 2)).toBeUndefined();
    expect(k.settled && k.ok).toBe(true);
    expect(l.view.phase).toBe('running');
  });

  it('counts a task the master no longer knows as gone', () => {
    const t = new Tracker();
    const k = t.addDelete(item({ action: 'delete' }), 'S0', 'h');
    expect(t.onKillStatus(k, status('web.0.h1', 'TASK_UNKNOWN'), 1)).toMatchObject({ phase: 'killed', settled: true });
  });
});

describe('Tracker owns "a settled record never changes"', () => {
  it('ignores every change to a settled launch, whoever asks', () => {
    const t = new Tracker();
    const l = t.addLaunch(item(), loaded());
    t.placed(l, placement);
    t.upSince(l, 5);
    const first = t.settle(l, false, { phase: 'failed' });
    const before = JSON.stringify(l);
    expect(t.settle(l, true, { phase: 'running' })).toBe(first);
    expect(t.setPhase(l, 'queued')).toBe(first);
    expect(t.unlaunch(l)).toBe(first);
    expect(t.placed(l, placement)).toBe(first);
    t.hold(l, 'batch');
    t.waitingSince(l, 99);
    t.setUnconfirmed(l, true);
    t.down(l);
    expect(t.upSince(l, 100)).toBe(false);
    t.notPlaced(l, { kind: 'never', summary: 's', needs: {} as never, reasons: [] }, 100);
    expect(t.onLaunchStatus(l, status('web.0.h1', 'TASK_RUNNING')).view).toBe(first);
    expect(JSON.stringify(l)).toBe(before);
    expect(l.ok).toBe(false);
  });

  it('keeps the first verdict of a kill: a late update or a second settle changes nothing', () => {
    const t = new Tracker();
    const k = t.addDelete(item({ action: 'delete' }), 'S0', 'h');
    t.killSent(k, 1);
    const view = t.settleKill(k, false, { phase: 'timed-out' });
    expect(view).toMatchObject({ phase: 'timed-out', settled: true });
    const before = JSON.stringify(k);
    expect(t.settleKill(k, true, { phase: 'killed' })).toBeUndefined();
    expect(t.onKillStatus(k, status('web.0.h1', 'TASK_KILLED'), 2)).toBeUndefined();
    t.killSent(k, 3);
    expect(t.killsDue(1_000_000)).toEqual([]);
    expect(JSON.stringify(k)).toBe(before);
  });
});
