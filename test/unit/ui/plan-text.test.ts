import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../../../src/ui/ansi.js';
import { formatPlan, planJson } from '../../../src/ui/plan-text.js';
import { item, NEVER_FIT, NOT_NOW_FIT, plan } from './builders.js';

const placement = (agentId: string, hostname: string, hostPort?: number) => ({
  agentId,
  hostname,
  role: '*',
  offerIds: ['o1'],
  resources: [],
  ports: hostPort === undefined ? [] : [{ name: 'http', hostPort, protocol: 'tcp' as const }],
});

const mixed = plan([
  item({ action: 'create', name: 'web', placement: placement('a1', 'h1', 31000) }),
  item({
    action: 'replace',
    name: 'api',
    taskId: 'api.0.h2',
    oldTaskId: 'api.0.h1',
    specHash: 'h2',
    oldSpecHash: 'h1',
    changes: [
      { path: 'resources.cpus', old: 1, new: 2 },
      { path: 'env.GREETING', old: 'hello', new: 'hi' },
    ],
    placement: placement('a2', 'h2'),
  }),
  item({ action: 'delete', name: 'old', reason: 'pruned' }),
  item({ action: 'unchanged', name: 'db' }),
  item({ action: 'relaunch', name: 'job', oldState: 'TASK_FAILED', placement: placement('a1', 'h1') }),
]);

describe('formatPlan', () => {
  const text = formatPlan(mixed, { color: false, nextCommand: 'mesos-apply -f manifests/' });
  const lines = text.split('\n');

  it('prints one line per instance with its action symbol', () => {
    expect(lines.find((l) => l.includes('web/0'))).toMatch(
      /^\s+\+\s+web\/0\s+create\s+→ agent a1 \(host h1, ports http=31000\)$/,
    );
    expect(lines.find((l) => l.includes('api/0'))).toMatch(
      /^\s+~\s+api\/0\s+replace\s+replaces api\.0\.h1\s+→ agent a2 \(host h2\)$/,
    );
    expect(lines.find((l) => l.includes('old/0'))).toMatch(
      /^\s+-\s+old\/0\s+delete\s+kills old\.0\.h1: no manifest names it \(--prune\)$/,
    );
    expect(lines.find((l) => l.includes('db/0'))).toMatch(/^\s+=\s+db\/0\s+unchanged$/);
    expect(lines.find((l) => l.includes('job/0'))).toMatch(
      /^\s+\^\s+job\/0\s+relaunch\s+was TASK_FAILED\s+→ agent a1 \(host h1\)$/,
    );
  });

  it('lists the changed fields under a replace', () => {
    const at = lines.findIndex((l) => l.includes('api/0'));
    expect(lines[at + 1]?.trim()).toBe('resources.cpus: 1 → 2');
    expect(lines[at + 2]?.trim()).toBe('env.GREETING: "hello" → "hi"');
  });

  it('ends with the summary and the exact next command', () => {
    expect(text).toContain('Plan: 1 to create, 1 to replace, 1 to relaunch, 1 to delete, 1 unchanged.');
    expect(lines.slice(-3)).toEqual(['To apply these changes, run:', '  mesos-apply -f manifests/', '']);
  });

  it('says so when nothing changes, with no next command', () => {
    const text = formatPlan(plan([item({ action: 'unchanged', name: 'db' })]), {
      color: false,
      nextCommand: 'mesos-apply -f x',
    });
    expect(text).toBe('No changes. The cluster matches the manifests.\n');
  });

  it('explains a task that fits no agent at all', () => {
    const text = formatPlan(plan([item({ action: 'create', name: 'big', unplaced: NEVER_FIT })]), { color: false });
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.includes('big/0'));
    expect(lines[at]).toMatch(/\+\s+big\/0\s+create\s+not placed: fits no agent at all$/);
    expect(lines.slice(at + 1, at + 4).map((l) => l.trim())).toEqual([
      'needs cpus 4, mem 2048',
      '3 agents lack rack=r2',
      '2 agents have less than cpus 4',
    ]);
    expect(text).toContain('1 task cannot be placed now: 1 fits no agent at all.');
  });

  it('explains a task for which no room is free right now', () => {
    const text = formatPlan(plan([item({ action: 'create', name: 'web', unplaced: NOT_NOW_FIT })]), { color: false });
    expect(text).toContain('not placed: no room free right now');
    expect(text).toContain('      the nearest offer (h1) port 8080 taken\n');
    expect(text).toContain('      port 8080 is taken on all 5 offers\n');
    expect(text).toContain('1 task cannot be placed now: 1 waits for room.');
  });

  it('colours only when asked', () => {
    expect(text).not.toContain('\u001b[');
    const coloured = formatPlan(mixed, { color: true });
    expect(coloured).toContain('\u001b[32m+\u001b[39m');
    expect(stripAnsi(coloured)).toBe(formatPlan(mixed, { color: false }));
  });
});

describe('planJson', () => {
  it('has the structure the text renders: the same items in the same order', () => {
    const doc = planJson(mixed, { nextCommand: 'mesos-apply -f manifests/' });
    const text = formatPlan(mixed, { color: false, nextCommand: 'mesos-apply -f manifests/' });
    const itemLines = text.split('\n').filter((l) => /^ {2}[+~\-=^] /.test(l));
    expect(itemLines.map((l) => l.trim().split(/\s+/)[1])).toEqual(doc.items.map((i) => `${i.name}/${i.instance}`));
    expect(doc.items.map((i) => i.action)).toEqual(['create', 'replace', 'delete', 'unchanged', 'relaunch']);
    expect(doc.changed).toBe(true);
    expect(doc.nextCommand).toBe('mesos-apply -f manifests/');
    expect(doc.summary).toEqual(mixed.summary);
  });

  it('gives every field of every item, with nulls for what is absent', () => {
    const doc = planJson(
      plan([item({ action: 'create', name: 'big', unplaced: NEVER_FIT }), item({ action: 'unchanged', name: 'db' })]),
    );
    expect(doc.items[0]).toEqual({
      action: 'create',
      name: 'big',
      instance: 0,
      taskId: 'big.0.h1',
      oldTaskId: null,
      specHash: 'h1',
      oldSpecHash: null,
      oldState: null,
      reason: null,
      changes: [],
      placement: null,
      unplaced: { kind: 'never', summary: NEVER_FIT.summary, needs: NEVER_FIT.needs, reasons: NEVER_FIT.reasons },
      batch: null,
      blockedBy: null,
      forced: false,
    });
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('gives every change one shape, {path, old, new}, with values as a manifest writes them', () => {
    const changes = [
      { path: 'env.MODE', new: { kind: 'value', value: 'fast' } },
      { path: 'env.TOKEN', old: { kind: 'value', value: 'x' }, new: { kind: 'fromEnv', name: 'TOKEN' } },
      { path: 'secret API', old: undefined, new: undefined },
      { path: 'killGracePeriod', old: 3, new: 10 },
    ];
    const doc = planJson(plan([item({ action: 'replace', name: 'api', changes })]), {});
    expect(doc.items[0]?.changes).toEqual([
      { path: 'env.MODE', old: null, new: 'fast' },
      { path: 'env.TOKEN', old: 'x', new: { fromEnv: 'TOKEN' } },
      { path: 'secret API', old: null, new: null },
      { path: 'killGracePeriod', old: 3, new: 10 },
    ]);
    const text = stripAnsi(formatPlan(plan([item({ action: 'replace', name: 'api', changes })]), { color: false }));
    expect(text).toContain('      env.MODE: (none) → "fast"\n');
    expect(text).toContain('      env.TOKEN: "x" → {fromEnv: TOKEN}\n');
  });

  it('has no next command when nothing changes', () => {
    const doc = planJson(plan([item({ action: 'unchanged', name: 'db' })]), { nextCommand: 'x' });
    expect(doc.changed).toBe(false);
    expect(doc.nextCommand).toBeNull();
  });
});

describe('a replace of every instance', () => {
  it('lists identical changes once for the instances they apply to, with units', () => {
    const replace = (instance: number) =>
      item({
        action: 'replace',
        name: 'web',
        instance,
        taskId: `web.${instance}.h2`,
        oldTaskId: `web.${instance}.h1`,
        changes: [{ path: 'killGracePeriod', old: 3, new: 10 }],
      });
    const text = stripAnsi(formatPlan(plan([replace(0), replace(1), replace(2)]), { color: false }));
    expect(text.match(/killGracePeriod/g)).toHaveLength(1);
    expect(text).toContain('      web/0, web/1, web/2:\n      killGracePeriod: 3s → 10s\n');
  });
});
