import { describe, expect, it } from 'vitest';
import { diffTasks } from '../../../src/plan/diff.js';
import { PlanError } from '../../../src/plan/errors.js';
import { HASH, HASH2, loaded, observed, taskSpec } from './builders.js';

const opts = { prune: false };
const brief = (items: ReturnType<typeof diffTasks>) =>
  items.map(
    (i) => `${i.action} ${i.taskId}${i.oldTaskId ? ` <- ${i.oldTaskId}` : ''}${i.reason ? ` (${i.reason})` : ''}`,
  );

describe('diffTasks', () => {
  it('creates every instance of a new spec, with deterministic ids', () => {
    const items = diffTasks([loaded('web', { instances: 2 })], [], opts);
    expect(brief(items)).toEqual([`create web.0.${HASH}`, `create web.1.${HASH}`]);
    expect(items[0]).toMatchObject({ name: 'web', instance: 0, specHash: HASH });
  });

  it('keeps an active task with the same hash', () => {
    for (const state of ['TASK_STAGING', 'TASK_RUNNING', 'TASK_UNREACHABLE'] as const) {
      const items = diffTasks([loaded('web')], [observed('web', 0, { state })], opts);
      expect(brief(items)).toEqual([`unchanged web.0.${HASH}`]);
      expect(items[0]?.oldState).toBe(state);
    }
  });

  it('launches again an instance whose only task is being killed, as a replace of it', () => {
    const items = diffTasks([loaded('web')], [observed('web', 0, { state: 'TASK_KILLING' })], opts);
    expect(items.map((i) => [i.action, i.oldState])).toEqual([['replace', 'TASK_KILLING']]);
  });

  it('replaces an active task with another hash and says what changed', () => {
    const old = taskSpec('web', { resources: { cpus: 1, mem: 64, disk: 0, gpus: 0 } });
    const items = diffTasks([loaded('web')], [observed('web', 0, { hash: HASH2 })], {
      prune: false,
      previousSpecs: { [HASH2]: old },
    });
    expect(brief(items)).toEqual([`replace web.0.${HASH} <- web.0.${HASH2}`]);
    expect(items[0]?.changes).toEqual([
      { path: 'resources.cpus', old: 1, new: 0.1 },
      { path: 'resources.mem', old: 64, new: 32 },
    ]);
    const unknown = diffTasks([loaded('web')], [observed('web', 0, { hash: HASH2 })], opts);
    expect(unknown[0]?.changes).toEqual([{ path: 'spec', old: HASH2, new: HASH }]);
  });

  it('relaunches when only ended tasks exist, with the next attempt number', () => {
    const failed = observed('web', 0, { state: 'TASK_FAILED' });
    const items = diffTasks([loaded('web')], [failed], opts);
    expect(brief(items)).toEqual([`relaunch web.0.${HASH}.1 <- web.0.${HASH}`]);
    expect(items[0]?.changes).toBeUndefined();
    const twice = diffTasks([loaded('web')], [failed, observed('web', 0, { state: 'TASK_KILLED', attempt: 1 })], opts);
    expect(twice[0]?.taskId).toBe(`web.0.${HASH}.2`);
    const unknown = diffTasks([loaded('web')], [observed('web', 0, { state: 'TASK_UNKNOWN' })], opts);
    expect(unknown[0]?.action).toBe('relaunch');
  });

  it('relaunches an ended task of another hash as attempt 0 of the new hash', () => {
    const items = diffTasks([loaded('web')], [observed('web', 0, { hash: HASH2, state: 'TASK_LOST' })], opts);
    expect(brief(items)).toEqual([`relaunch web.0.${HASH} <- web.0.${HASH2}`]);
    expect(items[0]?.changes).toEqual([{ path: 'spec', old: HASH2, new: HASH }]);
  });

  it('does not run a finished job again, but reruns a failed one, and restarts a finished service', () => {
    const job = loaded('job', { goal: 'finished' });
    expect(brief(diffTasks([job], [observed('job', 0, { state: 'TASK_FINISHED' })], opts))).toEqual([
      `unchanged job.0.${HASH}`,
    ]);
    expect(diffTasks([job], [observed('job', 0, { state: 'TASK_FAILED' })], opts)[0]?.action).toBe('relaunch');
    expect(diffTasks([job], [observed('job', 0, { state: 'TASK_FINISHED', hash: HASH2 })], opts)[0]?.action).toBe(
      'relaunch',
    );
    expect(diffTasks([loaded('svc')], [observed('svc', 0, { state: 'TASK_FINISHED' })], opts)[0]?.action).toBe(
      'relaunch',
    );
  });

  it('scales down by deleting instances beyond the count, without --prune', () => {
    const items = diffTasks(
      [loaded('web', { instances: 1 })],
      [observed('web', 0), observed('web', 1), observed('web', 2, { state: 'TASK_FINISHED' })],
      opts,
    );
    expect(brief(items)).toEqual([`unchanged web.0.${HASH}`, `delete web.1.${HASH} (scale-down)`]);
  });

  it('deletes names no manifest has only with --prune, and never foreign tasks', () => {
    const foreign = { ...observed('old', 0), managed: false, instance: -1 };
    const tasks = [observed('old', 0), observed('old', 1, { state: 'TASK_KILLED' }), foreign];
    expect(diffTasks([loaded('web')], tasks, opts).map((i) => i.action)).toEqual(['create']);
    expect(brief(diffTasks([loaded('web')], tasks, { prune: true }))).toEqual([
      `delete old.0.${HASH} (pruned)`,
      `create web.0.${HASH}`,
    ]);
  });

  it('refuses to prune with no manifests unless allowed', () => {
    const run = () => diffTasks([], [observed('old', 0)], { prune: true });
    expect(run).toThrow(PlanError);
    expect(() => run()).toThrow(expect.objectContaining({ code: 'MA_ERR_PRUNE_EMPTY' }));
    expect(brief(diffTasks([], [observed('old', 0)], { prune: true, allowEmpty: true }))).toEqual([
      `delete old.0.${HASH} (pruned)`,
    ]);
    expect(diffTasks([], [observed('old', 0)], opts)).toEqual([]);
  });

  it('refuses two specs with one name', () => {
    expect(() => diffTasks([loaded('a'), loaded('a')], [], opts)).toThrow(
      expect.objectContaining({ code: 'MA_ERR_DUPLICATE_SPEC' }),
    );
  });

  it('finishes an interrupted replace by deleting the superseded copy', () => {
    const items = diffTasks([loaded('web')], [observed('web', 0, { hash: HASH2 }), observed('web', 0)], opts);
    expect(brief(items)).toEqual([`unchanged web.0.${HASH}`, `delete web.0.${HASH2} (superseded)`]);
  });

  it('replaces the newest of several old copies and deletes the others', () => {
    const a = observed('web', 0, { hash: 'cccccccccc', timestamp: 5 });
    const b = observed('web', 0, { hash: HASH2, timestamp: 9 });
    const items = diffTasks([loaded('web')], [a, b], opts);
    expect(brief(items)).toEqual([`replace web.0.${HASH} <- web.0.${HASH2}`, `delete web.0.cccccccccc (superseded)`]);
  });

  it('is independent of input order', () => {
    const specs = [loaded('b', { instances: 2 }), loaded('a')];
    const tasks = [observed('b', 1), observed('a', 0, { hash: HASH2 }), observed('zz', 0)];
    const one = diffTasks(specs, tasks, { prune: true });
    const two = diffTasks([...specs].reverse(), [...tasks].reverse(), { prune: true });
    expect(two).toEqual(one);
    expect(one.map((i) => i.name)).toEqual(['a', 'b', 'b', 'zz']);
  });
});
