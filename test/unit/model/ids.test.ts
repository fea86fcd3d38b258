import { describe, expect, it } from 'vitest';
import {
  attemptOf,
  instanceKey,
  InvalidTaskIdError,
  labelMap,
  makeTaskId,
  parseInstanceKey,
  parseTaskIdentity,
  runKeyOf,
  runTimeOf,
  taskIdProblem,
  taskLabels,
} from '../../../src/model/ids.js';

describe('task ids', () => {
  it('are deterministic from name, instance, hash and attempt', () => {
    expect(makeTaskId('nginx', 0, '0123456789')).toBe('nginx.0.0123456789');
    expect(makeTaskId('nginx', 0, '0123456789')).toBe(makeTaskId('nginx', 0, '0123456789'));
    expect(makeTaskId('nginx', 2, '0123456789', 3)).toBe('nginx.2.0123456789.3');
    expect(makeTaskId('nginx', 1, 'a')).not.toBe(makeTaskId('nginx', 0, 'a'));
  });

  it('are valid Mesos ids, and invalid ones are refused with a code', () => {
    expect(taskIdProblem(makeTaskId('a-b', 12, 'ffffffffff', 99))).toBeUndefined();
    expect(taskIdProblem('')).toMatch(/empty/);
    expect(taskIdProblem('..')).toMatch(/"\."/);
    expect(taskIdProblem('x'.repeat(256))).toMatch(/255/);
    expect(taskIdProblem('a\u0001')).toMatch(/control/);
    expect(() => makeTaskId('bad/name', 0, 'h')).toThrow(InvalidTaskIdError);
    try {
      makeTaskId('bad\\name', 0, 'h');
    } catch (e) {
      expect((e as InvalidTaskIdError).code).toBe('MA_ERR_INVALID_TASK_ID');
    }
  });

  it('parse the attempt back, only for the same name/instance/hash', () => {
    expect(attemptOf('web.0.abc', 'web', 0, 'abc')).toBe(0);
    expect(attemptOf('web.0.abc.4', 'web', 0, 'abc')).toBe(4);
    expect(attemptOf('web.0.abc.04', 'web', 0, 'abc')).toBeUndefined();
    expect(attemptOf('web.1.abc', 'web', 0, 'abc')).toBeUndefined();
    expect(attemptOf('web.0.abcd', 'web', 0, 'abc')).toBeUndefined();
  });
});

describe('labels', () => {
  it('carry name, instance, hash, then user labels, which cannot shadow ours', () => {
    const labels = taskLabels('web', 3, 'h', { team: 'x', 'mesos-apply/name': 'evil', a: '1' });
    expect(labels.labels).toEqual([
      { key: 'mesos-apply/name', value: 'web' },
      { key: 'mesos-apply/instance', value: '3' },
      { key: 'mesos-apply/spec-hash', value: 'h' },
      { key: 'a', value: '1' },
      { key: 'team', value: 'x' },
    ]);
    expect(parseTaskIdentity({ name: 'web', labels })).toEqual({
      name: 'web',
      instance: 3,
      specHash: 'h',
      managed: true,
    });
  });

  it('mark tasks without all our labels as unmanaged', () => {
    expect(parseTaskIdentity({ name: 'svc', labels: { labels: [{ key: 'mesos-apply/name', value: 'svc' }] } })).toEqual(
      {
        name: 'svc',
        instance: -1,
        specHash: '',
        managed: false,
      },
    );
    const bad = {
      labels: [
        { key: 'mesos-apply/name', value: 'a' },
        { key: 'mesos-apply/instance', value: '01' },
        { key: 'mesos-apply/spec-hash', value: 'h' },
      ],
    };
    expect(parseTaskIdentity({ name: 'a', labels: bad }).managed).toBe(false);
    expect(parseTaskIdentity({ name: 'other' }).managed).toBe(false);
    expect(labelMap({ labels: [{ key: 'flag' }] })).toEqual({ flag: '' });
  });
});

describe('scheduled runs in ids and labels', () => {
  const run = runKeyOf(Date.parse('2026-12-04T01:30:00.000Z'));

  it('a run key is the run time in UTC to the second, and reads back as that time', () => {
    expect(run).toBe('20261204T013000Z');
    expect(runKeyOf(Date.parse('2026-12-04T01:30:00.999Z'))).toBe(run);
    expect(runTimeOf(run)).toBe('2026-12-04T01:30:00Z');
    expect(Date.parse(runTimeOf(run))).toBe(Date.parse('2026-12-04T01:30:00Z'));
  });

  it('task ids carry the run after the hash, attempts after it; other runs and plain ids are no attempt of it', () => {
    expect(makeTaskId('report', 0, '0123456789', 0, run)).toBe('report.0.0123456789.20261204T013000Z');
    expect(makeTaskId('report', 1, '0123456789', 2, run)).toBe('report.1.0123456789.20261204T013000Z.2');
    expect(attemptOf('report.1.0123456789.20261204T013000Z.2', 'report', 1, '0123456789', run)).toBe(2);
    expect(attemptOf('report.1.0123456789.20261204T013000Z', 'report', 1, '0123456789', run)).toBe(0);
    expect(attemptOf('report.1.0123456789.20261204T014000Z', 'report', 1, '0123456789', run)).toBeUndefined();
    expect(attemptOf('report.1.0123456789.20261204T013000Z', 'report', 1, '0123456789')).toBeUndefined();
    expect(attemptOf('report.1.0123456789.1', 'report', 1, '0123456789', run)).toBeUndefined();
  });

  it('labels carry the run, and identity reads it back; a malformed run label is ignored', () => {
    const labels = taskLabels('report', 0, 'h', {}, run);
    expect(labelMap(labels)['mesos-apply/run']).toBe(run);
    expect(parseTaskIdentity({ name: 'report', labels })).toEqual({
      name: 'report',
      instance: 0,
      specHash: 'h',
      managed: true,
      run,
    });
    expect(parseTaskIdentity({ name: 'web', labels: taskLabels('web', 0, 'h', {}) }).run).toBeUndefined();
    const bad = { labels: [...(labels.labels ?? []).slice(0, 3), { key: 'mesos-apply/run', value: 'yesterday' }] };
    expect(parseTaskIdentity({ name: 'report', labels: bad }).run).toBeUndefined();
  });

  it('instance keys name the run, and read back', () => {
    expect(instanceKey('web', 2)).toBe('web/2');
    expect(instanceKey('report', 0, run)).toBe('report/0@20261204T013000Z');
    expect(parseInstanceKey('report/0@20261204T013000Z')).toEqual({ name: 'report', instance: 0, run });
    expect(parseInstanceKey('web/2')).toEqual({ name: 'web', instance: 2 });
    expect(parseInstanceKey('web/x')).toBeUndefined();
    expect(parseInstanceKey('web/0@soon')).toBeUndefined();
  });
});
